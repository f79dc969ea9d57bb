"""A member list's cells as the roster's values: options through the synonym table, dates as
offices write them, and what a 身份证号 says about the birth date and sex.

Every function returns what to write and, when the value cannot be read plainly, why (a
`Finding`); nothing here decides where a problem is reported.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from taizhang.issue.memberlist.table import SynonymTable, fold
from taizhang.reading.normalise import as_text, clean_text, read_date


@dataclass(frozen=True)
class Finding:
    """Why a value was not taken as it is: `rule_id` (a LIST-… rule) and its message fields."""

    rule_id: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Value:
    """What goes into the roster's cell (`value`; None = leave empty), the option it was mapped
    from when it was written differently (`mapped_from`), and a finding."""

    value: Any
    mapped_from: str = ""
    finding: Finding | None = None


EMPTY = Value(None)


def text(raw: Any) -> str:
    """A cell as one line of text ("" for an empty cell)."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer() and math.isfinite(raw):
        raw = int(raw)
    return clean_text(as_text(raw), single_line=True)


def option(use: str, raw: Any, choices: tuple[str, ...], table: SynonymTable) -> Value:
    """An option of the roster's list for `use`: as written, through [values.use], or a
    LIST-VALUE finding saying what it could be (the text is kept, the branch corrects it)."""
    written = text(raw)
    if not written:
        return EMPTY
    if written in choices:
        return Value(written)
    key = fold(written)
    for choice in choices:
        if fold(choice) == key:
            return Value(choice, written)
    mapped = table.values.get(use, {}).get(key)
    if mapped in choices:
        return Value(mapped, written)
    could = table.ambiguous.get(use, {}).get(key) or _near(key, choices)
    return Value(written, finding=Finding("LIST-VALUE", {"choices": "、".join(choices), "could": could}))


def fits(use: str, raw: Any, choices: tuple[str, ...], table: SynonymTable) -> bool:
    """Whether a value is one of the options for `use`, as written or through the table."""
    found = option(use, raw, choices, table)
    return found.value is not None and found.finding is None


def _near(key: str, choices: tuple[str, ...]) -> list[str]:
    """Options that contain the value or that it contains (研究生 for 在职研究生)."""
    return [c for c in choices if key and (fold(c) in key or key in fold(c))]


# --- 人员类别 from other columns -----------------------------------------------------------------

def from_retired(raw: Any, table: SynonymTable) -> tuple[str, bool] | None:
    """(人员类别, decisive) from a 是否退休 cell: 是 → (离退休, True), 否 → (在职, False) (a 否 only
    says not retired); None when empty or unknown."""
    key = fold(text(raw))
    if key in table.retired_yes:
        return "离退休", True
    if key in table.retired_no:
        return "在职", False
    return None


def from_work_post(raw: Any, table: SynonymTable) -> tuple[str, bool] | None:
    """(人员类别, decisive) from a 工作岗位 cell: the first listed word it contains decides;
    any other post means at work (not decisive)."""
    key = fold(text(raw))
    if not key:
        return None
    for word, category in table.work_post:
        if word in key:
            return category, True
    return "在职", False


# --- dates ------------------------------------------------------------------------------------

_MONTH_ONLY = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?")
_YEAR_ONLY = re.compile(r"(\d{4})\s*年?")


def a_date(raw: Any) -> Value:
    """A date from a date cell, an Excel serial, or text (1988-1-5, 1988.01.05, 1988年1月5日,
    19880105). A month only (1988.01, 1988-01, 2024年11月; a number 1988.01) or a year only is
    a LIST-DATE finding saying so, the text kept; so is anything else not a date."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return EMPTY
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        month = _number_month(float(raw))
        if month is not None:
            return month
    if isinstance(raw, str):
        written = clean_text(raw, single_line=True)
        m = _MONTH_ONLY.fullmatch(_halfwidth(written))
        if m and 1 <= int(m.group(2)) <= 12:
            return Value(written, finding=Finding("LIST-DATE", {
                "reason": f"只写了年月（{int(m.group(1))}年{int(m.group(2))}月），没有写哪一天"}))
        m = _YEAR_ONLY.fullmatch(_halfwidth(written))
        if m:
            return Value(written, finding=Finding("LIST-DATE", {"reason": f"只写了年份（{m.group(1)}年）"}))
    cell = read_date(raw)
    if cell.value is not None and (cell.issue is None or cell.issue.rule_id == "CELL-READ-HINT"):
        value = cell.value
        return Value(value, text(raw) if not isinstance(raw, (date, datetime)) else "")
    reason = (cell.issue.fields.get("reason") or cell.issue.fields.get("hint", "")) if cell.issue else ""
    return Value(text(raw), finding=Finding("LIST-DATE", {"reason": f"不是日期（{reason.rstrip('。')}）" if reason
                                                          else "不是日期"}))


def _number_month(number: float) -> Value | None:
    """1988.01 typed into a number cell: a month only. 1988.1 may have been 1988.10 (Excel drops
    the trailing 0)."""
    if not math.isfinite(number) or number.is_integer() or not 1900 <= number < 2100:
        return None
    year = int(number)
    digits = f"{number:.6f}".split(".")[1].rstrip("0")
    if len(digits) > 2 or not digits:
        return None
    month = int(digits)
    shown = f"{year}.{digits}"
    if len(digits) == 1:
        if month == 0:
            return None
        reason = (f"只写了年月，可能是{year}年{month}月，也可能是{year}年{month}0月"
                  "（数字格式会去掉末尾的0），没有写哪一天") if month == 1 else \
            f"只写了年月（{year}年{month}月），没有写哪一天"
        return Value(shown, finding=Finding("LIST-DATE", {"reason": reason}))
    if 1 <= month <= 12:
        return Value(shown, finding=Finding("LIST-DATE", {
            "reason": f"只写了年月（{year}年{month}月），没有写哪一天"}))
    return None


def _halfwidth(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


# --- 身份证号 -----------------------------------------------------------------------------------

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


@dataclass(frozen=True)
class IdNumber:
    """What a 公民身份号码 says: the birth date and sex (None when it cannot be read)."""

    text: str
    birth: date | None
    sex: str  # 男 / 女 / ""
    valid: bool


def id_number(raw: Any) -> IdNumber | None:
    """The 身份证号 read (18 digits with its check digit, or the old 15 digits); None when empty."""
    written = _halfwidth(text(raw)).replace(" ", "").upper()
    if not written:
        return None
    if re.fullmatch(r"\d{17}[\dX]", written):
        body, check = written[:17], written[17]
        valid = _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS)) % 11] == check
        born, sex_digit = written[6:14], int(written[16])
    elif re.fullmatch(r"\d{15}", written):
        valid, born, sex_digit = True, "19" + written[6:12], int(written[14])
    else:
        return IdNumber(written, None, "", False)
    try:
        birth = date(int(born[:4]), int(born[4:6]), int(born[6:]))
    except ValueError:
        return IdNumber(written, None, "", False)
    if not valid:
        return IdNumber(written, None, "", False)
    return IdNumber(written, birth, "男" if sex_digit % 2 else "女", True)
