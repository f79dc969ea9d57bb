"""党费: the amount due, the months a member owes, and what is unpaid.

《关于中国共产党党费收缴、使用和管理的规定》(中共中央组织部, 2008) and the 2017 notice
(组电明字〔2017〕5号), as summarised in the design notes on the rules (DUES-*):

- **Amount** (`expected_monthly_due`): in-service and retired members pay one rate on the whole
  月计算基数, by bracket, boundaries belonging to the lower bracket; students,
  the unemployed and those on relief pay a fixed 0.2 元, farmers 0.2–1 元. Rounded once,
  half up, to the workspace's unit (到分 or 到角; the regulation fixes none).
- **Months owed** (`owed_span`): every month of the year, except that a 预备党员 pays from the
  支部大会 that admitted them (DUES-PROBATION), so from
  the month of the 入党日期 when it falls in the year (`dues.probation_from_admission`); a member
  transferred in pays here from the month of the transfer (the months before were paid to the
  branch they came from); a member transferred out, whose membership was stopped or who died,
  owes up to and including that month. A 月应交 of 0 (exempted after the branch decided and the
  committee above approved: DUES-REDUCED) owes nothing.
- **When a month is unpaid** (`unpaid_months`): dues are paid monthly; with the branch's consent a
  member may pay by the quarter (DUES-MONTHLY) — or by the half-year, where a committee allows it — when
  备注 says so ("按季交纳", "按半年交纳"). A month is checked once it has ended (the month of the
  collection date is not yet due); for a quarterly (half-yearly) payer only whole quarters (halves)
  are checked, and a payment in any month of the quarter (half) covers all of it.
- **Arrears** (`arrears_runs`): six months in a row unpaid without good reason is treated as
  leaving the Party (规定第二十四条; 党章第九条), so runs of unpaid months are what the branch must act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from taizhang.party.calendar import months_elapsed
from taizhang.party.members import LEFT, TRANSFERRED_IN
from taizhang.records import Row, money_of, text_of

if TYPE_CHECKING:
    from datetime import date

    from taizhang.party.members import Member

CENT = Decimal("0.01")
BRACKET_TABLES = {"在职": "working", "离退休": "retired"}
OTHER = "其他"
MONTHLY, QUARTERLY, HALF_YEARLY = 1, 3, 6
MONTH_KEYS = tuple(f"m{m}" for m in range(1, 13))
_QUARTERLY = re.compile(r"(?:按|每)\s*季|季度?\s*(?:交|缴|收)")
_HALF_YEARLY = re.compile(r"(?:按|每)\s*半\s*年|半\s*年\s*(?:交|缴|收)")


# --- the amount -----------------------------------------------------------------------------------
def expected_monthly_due(category: str, base: Decimal | None, settings: Any) -> tuple[Decimal, Decimal] | None:
    """The allowed (lowest, highest) 月应交 for a member of `category` with 月计算基数 `base`.

    Equal bounds for the bracket categories (在职, 离退休, and 其他 when `dues.other_category` is
    "working"); the configured range for the fixed categories (学生, 下岗失业: 0.2; 农民: 0.2–1);
    None when the amount cannot be checked (an unknown category, 其他 set to "fixed_any", or a
    missing, negative or absurdly large base). Amounts are rounded once, half up, to the configured
    unit (never finer than 0.01) and returned with two decimals.
    """
    dues = settings.dues
    category = (category or "").strip()
    fixed = dues.get("fixed") or {}
    if category in fixed:
        low, high = fixed[category]
        return Decimal(low).quantize(CENT, ROUND_HALF_UP), Decimal(high).quantize(CENT, ROUND_HALF_UP)
    table = bracket_table(category, settings)
    if table is None or base is None or not base.is_finite() or base < 0:
        return None
    rate = _bracket(dues[table], base)[1]
    unit = max(Decimal(dues.get("rounding", CENT)), CENT)
    try:
        amount = (base * rate).quantize(unit, ROUND_HALF_UP).quantize(CENT)
    except InvalidOperation:  # an absurd base, beyond Decimal's precision
        return None
    return amount, amount


def bracket_table(category: str, settings: Any) -> str | None:
    """"working" or "retired": the bracket table a category pays by (None for the fixed ones)."""
    table = BRACKET_TABLES.get(category)
    if table is None and category == OTHER:
        table = {"working": "working", "retired": "retired"}.get(str(settings.dues.get("other_category", "working")))
    return table


def _bracket(brackets: tuple[tuple[Decimal, Decimal], ...], base: Decimal) -> tuple[Decimal, Decimal]:
    for upper, rate in brackets:
        if base <= upper:
            return upper, rate
    return brackets[-1]  # pragma: no cover - the last bracket is unbounded


def money_text(value: Decimal) -> str:
    """An amount as written in a message, never rounded: 40 → "40", 0.20 → "0.2", 12.35 → "12.35"."""
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def money_text_pair(low: Decimal, high: Decimal) -> str:
    """"0.2" for equal bounds, "0.2至1" for a range."""
    return money_text(low) if low == high else f"{money_text(low)}至{money_text(high)}"


def _rate_text(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')}%"


def rate_of(category: str, base: Decimal | None, settings: Any) -> str:
    """The 交纳比例 as the ledger's drop-down writes it: "1.5%", or "定额" for the fixed categories."""
    if category in (settings.dues.get("fixed") or {}):
        return "定额"
    table = bracket_table(category, settings)
    if table is None or base is None:
        return ""
    return _rate_text(_bracket(settings.dues[table], base)[1])


def rule_text(category: str, base: Decimal | None, settings: Any) -> str:
    """The rule that sets this member's amount, in a sentence: "在职党员月计算基数3000元以上至
    5000元（含）的，按1%交纳。" / "学生党员每月交纳0.2元。"."""
    dues = settings.dues
    fixed = dues.get("fixed") or {}
    if category in fixed:
        low, high = fixed[category]
        return f"{category}党员每月交纳{money_text_pair(Decimal(low), Decimal(high))}元。"
    table = bracket_table(category, settings)
    if table not in ("working", "retired") or base is None:
        return ""
    who = {"working": "在职党员", "retired": "离退休党员"}[table]
    lower = None
    for upper, rate in dues[table]:
        if base <= upper:
            break
        lower = upper
    if lower is None:
        span = f"不超过{money_text(upper)}元（含）"
    elif upper.is_infinite():
        span = f"超过{money_text(lower)}元"
    else:
        span = f"{money_text(lower)}元以上至{money_text(upper)}元（含）"
    return f"{who}月计算基数{span}的，按{_rate_text(rate)}交纳。"


# --- the months -----------------------------------------------------------------------------------
def schedule_of(note: str) -> int:
    """How many months one payment covers, from 备注: 3 ("按季交纳"), 6 ("按半年交纳"), else 1."""
    if _HALF_YEARLY.search(note or ""):
        return HALF_YEARLY
    if _QUARTERLY.search(note or ""):
        return QUARTERLY
    return MONTHLY


def owed_span(member: Member | None, year: int, settings: Any) -> tuple[int, int] | None:
    """The first and last month of `year` a member owed dues by membership (None: none), from
    admission or transfer in during the year, until the month of leaving. A person not on the
    roster (`member` None) is taken to owe the whole year."""
    first, last = 1, 12
    if member is None:
        return first, last
    join = member.join_date
    if join is not None:
        if join.year > year:
            return None
        if join.year == year and settings.dues.get("probation_from_admission", True):
            first = join.month
    change = member.change_date
    if change is not None and member.standing == TRANSFERRED_IN:
        if change.year > year:
            return None
        if change.year == year:
            first = max(first, change.month)
    if change is not None and member.standing in LEFT:
        if change.year < year:
            return None
        if change.year == year:
            last = change.month
    return (first, last) if first <= last else None


def owed_months(row: Row, member: Member | None, year: int, settings: Any,
                months: Iterable[int] = range(1, 13)) -> list[int]:
    """The months among `months` in which this dues row's member owed dues (none when 月应交 is 0)."""
    due = money_of(row, "monthly_due")
    if due is not None and due <= 0:
        return []
    span = owed_span(member, year, settings)
    if span is None:
        return []
    return [m for m in months if span[0] <= m <= span[1]]


def paid(row: Row, month: int) -> Decimal | None:
    """What the row records as paid in `month` (None when empty or unreadable)."""
    return money_of(row, f"m{month}")


def unpaid_months(row: Row, member: Member | None, year: int, as_of: date, settings: Any, *,
                  columns: Iterable[int] = range(1, 13), within: Iterable[int] | None = None) -> list[int]:
    """The owed months that have ended at `as_of` with nothing paid for them, among the month
    columns present (`columns`) and, when given, the months `within` (a statistics period).

    A quarterly (half-yearly) payer is checked by whole quarters (halves) only, and a payment in
    any month of one covers all of it."""
    unit = schedule_of(text_of(row, "note"))
    passed = months_elapsed(year, as_of) // unit * unit
    wanted = set(columns) & set(range(1, passed + 1))
    if within is not None:
        wanted &= set(within)
    out = []
    for m in owed_months(row, member, year, settings, sorted(wanted)):
        start = (m - 1) // unit * unit + 1
        if not any((paid(row, k) or 0) > 0 for k in range(start, start + unit)):
            out.append(m)
    return out


def arrears_runs(months: list[int], minimum: int) -> list[list[int]]:
    """The runs of consecutive months in `months` at least `minimum` long."""
    runs: list[list[int]] = []
    for m in sorted(months):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return [r for r in runs if minimum > 0 and len(r) >= minimum]


def arrears_minimum(settings: Any) -> int:
    """Months unpaid in a row that the rules treat as leaving the Party (`dues.arrears_months`, 6)."""
    try:
        return int(settings.dues.get("arrears_months", 6))
    except (TypeError, ValueError):
        return 6


def due_in(row: Row, member: Member | None, year: int, settings: Any, months: Iterable[int]) -> Decimal:
    """应交 for `months` of `year`: 月应交 × the months among them the member owed."""
    due = money_of(row, "monthly_due")
    if due is None or due <= 0:
        return Decimal(0)
    return due * len(owed_months(row, member, year, settings, months))


def paid_in(row: Row, months: Iterable[int]) -> Decimal:
    """实交 recorded for `months`."""
    return sum((paid(row, m) or Decimal(0) for m in months), Decimal(0))
