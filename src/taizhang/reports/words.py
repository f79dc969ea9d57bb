"""How reports write things: text from a ledger made safe, numbers and money as the reference
reports write them, names joined, the period in words.

One style throughout a report: money with two decimals and no thousands separators
(339694.20元), every percentage with one decimal (93.0%, 93.5%, 100.0%), counts as plain digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from taizhang.party.calendar import cn_date
from taizhang.party.periods import QUARTER, QUARTER_NAMES, YEAR, YEARS, Period

TO_BE_FILLED = "【待补充】"
ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Characters that cannot appear in a Word document (XML 1.0), and those docxtpl would turn into
# breaks, tabs or page breaks; text from a branch never carries either into a report.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# A point's own numbering ("1.", "（一）", "一、", "一是") where it is quoted out of its list.
LIST_MARK = re.compile(
    r"^\s*(?:\d+\s*[.．、]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|[一二三四五六七八九十]+是)\s*")
ORDINALS = "一二三四五六七八九十"


def clean_text(value: Any) -> str:
    """Text from a ledger made safe for a report: no control characters, no line breaks, trimmed."""
    text = "" if value is None else str(value)
    text = _ILLEGAL.sub("", text).replace("\t", " ")
    return _LINE_BREAKS.sub(" ", text).strip()


def paragraphs(value: Any) -> list[str]:
    """A 小结 cell split into paragraphs (one per line written), control characters removed."""
    text = "" if value is None else _ILLEGAL.sub("", str(value)).replace("\t", " ")
    return [p.strip() for p in _LINE_BREAKS.split(text) if p.strip()]


def unnumbered(text: str) -> str:
    """A point without its own numbering ("1.理论学习…" → "理论学习…"), so a report numbers once."""
    return LIST_MARK.sub("", text, count=1).strip()


def points(value: Any) -> list[str]:
    """A 小结 cell as its points, each without the numbering the branch typed."""
    return [p for p in (unnumbered(x) for x in paragraphs(value)) if p]


def money(value: Decimal | None) -> str:
    """339694.20 (two decimals, no thousands separators, as body text writes it); "0.00" for None."""
    return f"{(value if value is not None else ZERO):.2f}"


def percent(value: Decimal | None, *, cap: bool = True) -> str:
    """A percentage with one decimal ("93.0%", "93.5%", "100.0%"); "—" for no figure."""
    if value is None:
        return "—"
    value = Decimal(value)
    if cap and value > HUNDRED:
        value = HUNDRED
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def ratio(part: int | Decimal, whole: int | Decimal) -> str:
    """part / whole as a percentage with one decimal ("—" when whole is 0)."""
    if not whole:
        return "—"
    return percent(Decimal(part) * HUNDRED / Decimal(whole), cap=False)


def per_member(count: int, members: int) -> str:
    """count / members with one decimal ("1.5"), "—" without members."""
    if not members:
        return "—"
    return str((Decimal(count) / Decimal(members)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def name_list(names: Sequence[str], *, limit: int = 8, unit: str = "") -> str:
    """Names joined with 、, shortened to the first `limit` and 等N个<unit> when longer."""
    names = [n for n in names if n]
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + f"等{len(names)}{unit}"


def counted(items: Iterable[tuple[str, int]], unit: str) -> str:
    """"主题党日12次、组织生活会1次" from (label, count) pairs, zero counts left out."""
    return "、".join(f"{label}{n}{unit}" for label, n in items if n)


def ordinal_points(items: Sequence[str]) -> str:
    """"一是……。二是……。" — the way the references run several points in one paragraph."""
    out = []
    for i, text in enumerate(items):
        mark = ORDINALS[i] if i < len(ORDINALS) else str(i + 1)
        text = text.rstrip("。；;")
        out.append(f"{mark}是{text}。")
    return "".join(out)


def chinese_number(n: int) -> str:
    """一 … 十九 for small counts; digits beyond."""
    digits = "零一二三四五六七八九十"
    if 0 <= n <= 10:
        return digits[n]
    if n < 20:
        return "十" + digits[n - 10]
    return str(n)


def years_text(years: Sequence[int]) -> str:
    """"2025年", "2024年和2025年", "2021年、2022年和2024年"."""
    names = [f"{y}年" for y in sorted(years)]
    if not names:
        return ""
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "和" + names[-1]


def quarter_of(period: Period) -> int:
    """The quarter (1–4) a period starts in."""
    return (period.start.month + 2) // 3


def period_context(period: Period, snapshot: date) -> dict[str, Any]:
    """Words for the period: its label, its span (全年 / 本季度 / 三年来), its quarter and the next."""
    first = period.start.year
    data: dict[str, Any] = {
        "label": period.label, "kind": period.kind, "year": period.end.year, "first_year": first,
        "start": cn_date(period.start), "end": cn_date(period.end),
        "snapshot": cn_date(snapshot), "years": len(period.years),
        "next_year": period.end.year + 1, "quarter": "", "next_quarter": "",
    }
    if period.kind == QUARTER:
        q = quarter_of(period)
        data["quarter"] = f"第{QUARTER_NAMES[q - 1]}季度"
        data["next_quarter"] = (f"第{QUARTER_NAMES[q]}季度" if q < 4
                                else f"{period.start.year + 1}年第一季度")
        data["span"] = "本季度"
    elif period.kind == YEARS:
        n = len(period.years)
        data["span"] = f"{'两' if n == 2 else chinese_number(n)}年来"
    elif period.kind == YEAR:
        data["span"] = "全年"
    else:
        data["span"] = period.label
    return data
