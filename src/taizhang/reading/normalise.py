"""Cells read the way people type them (ledgers.md, "Cell level").

`normalise(column, raw)` turns one raw cell (as calamine or openpyxl returned it) into the
column's typed value: `date`, `int`, `Decimal` (money), or cleaned `str` (text, person, enum,
bool as "是"/"否", serial). What can be read is accepted, with a CELL-READ-HINT (提示) when the
spelling was not the standard one; what cannot be read is CELL-TYPE; what could be read in more
than one way is CELL-AMBIGUOUS, never a guess. Enum and bool values are only cleaned here; the
validator checks them against the list.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from taizhang.workspace.definitions import TYPE_NAMES, Column

EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers read as dates: 1920-01-01 .. 2099-12-31. Smaller numbers (a bare 5, a year
# 2025) are not dates anyone meant, so they are a type error rather than a guess.
SERIAL_MIN = (date(1920, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (date(2099, 12, 31) - EXCEL_EPOCH).days
YEAR_MIN, YEAR_MAX = 1900, 2100
STANDARD_DATE = "2025-03-05"
TRUE_WORDS = ("是", "有", "√", "✓", "✔", "Y", "YES", "TRUE")
FALSE_WORDS = ("否", "无", "×", "✗", "✘", "N", "NO", "FALSE")
# What people write in a number or date cell to mean "nothing here".
PLACEHOLDERS = ("-", "--", "—", "——", "–", "/", "\\", "无", "空")
INT_UNITS = ("人次", "人", "次", "个", "名", "场", "项", "篇", "天")

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_TIME_TAIL = re.compile(r"^(.+?)(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")


class CellIssue(NamedTuple):
    """A problem with one cell, ready for `catalog.make(rule_id, ..., **fields)`."""

    rule_id: str
    fields: dict[str, Any]


class Cell(NamedTuple):
    """A normalised cell: the typed value (None when empty or unreadable) and its issue."""

    value: Any
    issue: CellIssue | None = None

    @property
    def invalid(self) -> bool:
        """True when the raw value could not be read (CELL-TYPE or CELL-AMBIGUOUS)."""
        return self.issue is not None and self.issue.rule_id != "CELL-READ-HINT"


EMPTY = Cell(None)


def normalise(column: Column, raw: Any) -> Cell:
    """The typed value of `raw` for `column`, with an issue when it was not read plainly."""
    if _is_empty(raw):
        return EMPTY
    kind = column.type
    if kind == "date":
        return read_date(raw, column)
    if kind == "int":
        return read_int(raw, column)
    if kind == "money":
        return read_money(raw, column)
    if kind == "bool":
        return read_bool(raw)
    if kind == "enum":
        return read_enum(raw, column)
    if kind == "serial":
        return Cell(clean_text(as_text(raw), single_line=True) or None)
    if kind == "person":
        return Cell(clean_text(as_text(raw), single_line=True, join_cjk=True) or None)
    return Cell(clean_text(as_text(raw), single_line=False) or None)


# The value of a plain cell, without building a Cell: most cells of a return are typed the
# standard way (a number in a number column, a date cell, a value from the drop-down list, text
# with nothing to clean), and reading them is most of the time spent reading a return.
MISS: Any = object()


def _plain_text(raw: str) -> bool:
    return (not _SPECIAL.search(raw) and "  " not in raw and raw[:1] != " " and raw[-1:] != " ")


def plain_value(column: Column, raw: Any) -> Any:
    """What `normalise(column, raw).value` is when `raw` is a plain cell that `normalise` reads
    without any issue; MISS when `normalise` must look at it (it may then still be plain)."""
    t = type(raw)
    kind = column.type
    if t is float:
        if kind == "money":
            return money_from_float(raw) if math.isfinite(raw) else MISS
        if kind == "int":
            return int(raw) if raw.is_integer() and math.isfinite(raw) else MISS
        if kind == "serial":
            return str(int(raw)) if math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e16 else MISS
        return MISS
    if t is str:
        if kind in ("enum", "bool"):
            return raw if raw in column.choices and _plain_text(raw) else MISS
        if raw and kind in ("text", "serial", "person") and _plain_text(raw):
            return MISS if kind == "person" and " " in raw else raw
        return MISS
    if kind == "date":
        if t is datetime:
            return raw.date()
        if t is date:
            return raw
    return MISS


# --------------------------------------------------------------------------------------------
# text
# --------------------------------------------------------------------------------------------

def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        if not _SPECIAL.search(raw):  # only " " can be cleaned away
            return not raw.strip(" ")
        return not clean_text(raw)
    return False


# A character that clean_text may change: controls (Cc, line breaks and tabs included), the
# spaces of _SPACES other than " ", the invisible ones, and the other whitespace of \s.
_SPECIAL = re.compile("[\x00-\x1f\x7f-\x9f\u00a0\u00ad\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]")


def clean_text(text: str, *, single_line: bool = True, join_cjk: bool = False) -> str:
    """Text with control and invisible characters removed, full-width and no-break spaces
    folded, runs of spaces made one, each line trimmed. Multi-line text keeps its line breaks
    unless `single_line`; `join_cjk` drops spaces between two Chinese characters ("王　红")."""
    if (not _SPECIAL.search(text) and "  " not in text and not text[:1].isspace() and not text[-1:].isspace()
            and not (join_cjk and " " in text)):
        return text  # nothing to clean: most cells (measured: most of the time spent reading)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    if single_line:
        text = " ".join(line for line in lines if line)
    else:
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        text = "\n".join(lines)
    if join_cjk:
        text = _CJK_GAP.sub("", text)
    return text


def as_text(raw: Any) -> str:
    """A raw cell as text: 12.0 → "12", a date → "2025-03-05", True → "是"."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e16:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, datetime):
        if raw.time() == time(0, 0):
            return raw.date().isoformat()
        return raw.strftime("%Y-%m-%d %H:%M")
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, time):
        return raw.strftime("%H:%M:%S" if raw.second else "%H:%M")
    return str(raw)


def _fold(text: str) -> str:
    """Full-width digits and punctuation made half-width, all whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)))


def read_enum(raw: Any, column: Column) -> Cell:
    """An enum cell cleaned towards its list: "党 小组会" → "党小组会", 0.01 → "1%"; a value
    still not on the list is returned cleaned (the validator reports it)."""
    if isinstance(raw, float) and not isinstance(raw, bool) and math.isfinite(raw):
        for choice in column.values:
            if choice.endswith("%"):
                try:
                    if abs(float(choice[:-1]) / 100 - raw) < 1e-9:
                        return Cell(choice)
                except ValueError:
                    continue
    text = clean_text(as_text(raw), single_line=True, join_cjk=True)
    if not text or text in column.values:
        return Cell(text or None)
    folded = {_fold(v): v for v in column.values}
    return Cell(folded.get(_fold(text), text))


def read_bool(raw: Any) -> Cell:
    """是/否 from 是/否, 有/无, √/×, Y/N, TRUE/FALSE (and Excel's own TRUE/FALSE cells)."""
    if isinstance(raw, bool):
        return Cell("是" if raw else "否")
    text = clean_text(as_text(raw), single_line=True)
    word = _fold(text).upper()
    for words, value in ((TRUE_WORDS, "是"), (FALSE_WORDS, "否")):
        if word in words:
            if text == value:
                return Cell(value)
            return Cell(value, CellIssue("CELL-READ-HINT", {
                "read": f"“{value}”", "standard": "从下拉列表中选择“是”或“否”"}))
    return Cell(text)


# --------------------------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------------------------

def _type_issue(column_type: str, hint: str) -> Cell:
    fields = {"type": TYPE_NAMES.get(column_type, column_type), "hint": hint}
    return Cell(None, CellIssue("CELL-TYPE", fields))


def _date_hint(value: date, standard: str = "") -> CellIssue:
    return CellIssue("CELL-READ-HINT", {
        "read": f"{value.year}年{value.month}月{value.day}日",
        "standard": standard or value.isoformat(),
    })


def _ambiguous(reason: str, hint: str) -> Cell:
    return Cell(None, CellIssue("CELL-AMBIGUOUS", {"reason": reason, "hint": hint}))


def _make_date(year: int, month: int, day: int) -> date | Cell:
    if not YEAR_MIN <= year <= YEAR_MAX:
        if 1000 <= year <= 9999:  # four digits, only not a year a ledger holds
            return _type_issue("date", f"年份{year}超出了合理范围（{YEAR_MIN}—{YEAR_MAX}年），请核对，如{STANDARD_DATE}。")
        return _type_issue("date", f"年份{year}不对，请写四位年份，如{STANDARD_DATE}。")
    try:
        return date(year, month, day)
    except ValueError:
        return _type_issue("date", "这一天不存在，请核对年、月、日。")


def read_date(raw: Any, column: Column | None = None) -> Cell:
    """A date from a date cell, an Excel serial number, or text such as 2025-3-5, 2025/03/05,
    2025.3.5, 2025年3月5日, 20250305 (full-width digits too)."""
    if isinstance(raw, bool):
        return _type_issue("date", f"请填写日期，如{STANDARD_DATE}。")
    if isinstance(raw, date):  # a date cell: Excel shows up to 9999-12-31
        day = raw.date() if isinstance(raw, datetime) else raw
        if not YEAR_MIN <= day.year <= YEAR_MAX:
            return _make_date(day.year, day.month, day.day)  # says the year is out of range
        return Cell(day)
    if isinstance(raw, (time, timedelta)):
        return _type_issue("date", f"这里只有时间没有日期，请填写日期，如{STANDARD_DATE}。")
    if isinstance(raw, (int, float, Decimal)):
        return _date_from_number(raw)
    return _date_from_text(str(raw))


def _date_from_number(raw: float | Decimal) -> Cell:
    number = float(raw)
    if not math.isfinite(number):
        return _type_issue("date", f"请填写日期，如{STANDARD_DATE}。")
    if number.is_integer() and 10_000_000 <= number <= 99_999_999:
        digits = str(int(number))
        made = _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        if isinstance(made, Cell):
            return made
        return Cell(made, _date_hint(made))
    if SERIAL_MIN <= number <= SERIAL_MAX:
        value = EXCEL_EPOCH + timedelta(days=int(number))
        return Cell(value, _date_hint(value, f"把单元格设为日期格式后填写，如{STANDARD_DATE}"))
    return _type_issue("date", _odd_serial(number))


def _odd_serial(number: float) -> str:
    """What a number that is no date of a ledger is, said as Excel shows it (issue 13)."""
    shown = f"{number:g}"
    if number < 1:
        return (f"单元格里是数字{shown}，不是日期（日期格式的单元格中，Excel把0显示为“1900-01-00”，"
                f"把负数显示为“####”）。请填写日期，如{STANDARD_DATE}。")
    if int(number) == 60:
        return (f"单元格里是数字{shown}，Excel把它显示为1900年2月29日，但这一天并不存在（1900年不是闰年）。"
                f"请填写日期，如{STANDARD_DATE}。")
    return f"请填写完整的日期，如{STANDARD_DATE}。"


def _date_from_text(text: str) -> Cell:
    original = clean_text(text, single_line=True)
    empty = _placeholder(original)
    if empty is not None:
        return empty
    folded = unicodedata.normalize("NFKC", original)
    has_time = False
    tail = _TIME_TAIL.match(folded)
    if tail:
        folded, has_time = tail.group(1), True
    s = re.sub(r"\s+", "", folded)
    plain = not has_time and s == original

    m = re.fullmatch(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", s)
    if m:
        made = _make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if isinstance(made, Cell):
            return made
        return Cell(made) if plain and m.group(2) == "-" else Cell(made, _date_hint(made))
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?", s)
    m = m or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if m:
        made = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if isinstance(made, Cell):
            return made
        return Cell(made, _date_hint(made))
    return _ambiguous_date(s)


def _ambiguous_date(s: str) -> Cell:
    hint = f"请按“年-月-日”的顺序写完整的日期，如{STANDARD_DATE}。"
    m = re.fullmatch(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})", s)
    if m:
        a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        readings = []
        for month, day in ((a, b), (b, a)):
            try:
                readings.append(f"{date(year, month, day):%Y}年{month}月{day}日")
            except ValueError:
                continue
        readings = list(dict.fromkeys(readings))
        if len(readings) == 2:
            reason = f"可能是{readings[0]}，也可能是{readings[1]}"
        else:
            reason = "年、月、日的先后顺序不确定"
        return _ambiguous(reason, hint)
    if (re.fullmatch(r"(\d{2})([-/.])(\d{1,2})\2(\d{1,2})", s)
            or re.fullmatch(r"\d{2}年\d{1,2}月\d{1,2}[日号]?", s)):
        return _ambiguous("年份只写了两位，年、月、日的顺序也不确定", hint)
    if re.fullmatch(r"\d{4}(?:[-/.]\d{1,2}|年\d{1,2}月?)", s):
        return _ambiguous("只写了年和月，没有写是哪一天", hint)
    if re.fullmatch(r"\d{1,2}月\d{1,2}[日号]?", s) or re.fullmatch(r"\d{1,2}[-/.]\d{1,2}", s):
        return _ambiguous("没有写年份", hint)
    return _type_issue("date", f"请填写日期，如{STANDARD_DATE}。")


# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)?(\.\d+)?")


def _placeholder(text: str) -> Cell | None:
    if _fold(text) in PLACEHOLDERS or text in PLACEHOLDERS:
        return Cell(None, CellIssue("CELL-READ-HINT", {
            "read": "空白（未填写）", "standard": "不需要填写时请留空"}))
    return None


def read_int(raw: Any, column: Column | None = None) -> Cell:
    """A whole number from a number cell (12.0 → 12) or text such as "１２", "1,200", "12人"."""
    hint = "请填写整数，如12。"
    if isinstance(raw, bool):
        return _type_issue("int", hint)
    if isinstance(raw, int):
        return Cell(raw)
    if isinstance(raw, (float, Decimal)):
        if not math.isfinite(float(raw)):
            return _type_issue("int", hint)
        if float(raw).is_integer():
            return Cell(int(raw))
        return _type_issue("int", "请填写整数，不要带小数。")
    if isinstance(raw, (date, time, timedelta)):
        return _type_issue(
            "int", "单元格被设成了日期或时间格式，请把单元格格式改为“常规”后填写数字。")
    text = clean_text(str(raw), single_line=True)
    empty = _placeholder(text)
    if empty is not None:
        return empty
    s = _fold(text)
    unit = next((u for u in INT_UNITS if s.endswith(u)), "")
    body = s[: len(s) - len(unit)] if unit else s
    m = _NUMBER.fullmatch(body)
    if not m or not m.group(2):
        return _type_issue("int", "请填写阿拉伯数字，如12。")
    if m.group(3) and set(m.group(3)[1:]) != {"0"}:
        return _type_issue("int", "请填写整数，不要带小数。")
    value = int(m.group(1) + m.group(2).replace(",", ""))
    if unit or _fold(text) != text.replace(" ", "") or m.group(3):
        return Cell(value, CellIssue("CELL-READ-HINT", {
            "read": str(value), "standard": f"只填数字，如{abs(value)}"}))
    return Cell(value)


def money_from_float(value: float) -> Decimal:
    """A float from a spreadsheet as the Decimal the user typed: 0.1 → Decimal("0.1"),
    40.0 → Decimal("40"); binary noise beyond 9 decimals (0.1+0.2) is rounded away."""
    if value.is_integer():
        return Decimal(int(value))
    return Decimal(repr(round(value, 9)))


def _money_text(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return f"{value:,.2f}".replace(",", "")
    return str(value)


def read_money(raw: Any, column: Column | None = None) -> Cell:
    """An amount as Decimal from a number cell or text such as "¥1,200.50", "40元", "４０"."""
    hint = "请填写阿拉伯数字，如300或300.00。"
    if isinstance(raw, bool):
        return _type_issue("money", hint)
    if isinstance(raw, int):
        return Cell(Decimal(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return _type_issue("money", hint)
        return Cell(money_from_float(raw))
    if isinstance(raw, Decimal):
        return Cell(raw) if raw.is_finite() else _type_issue("money", hint)
    if isinstance(raw, (date, time, timedelta)):
        return _type_issue(
            "money", "单元格被设成了日期或时间格式，请把单元格格式改为“常规”或“数值”后填写金额。")
    text = clean_text(str(raw), single_line=True)
    empty = _placeholder(text)
    if empty is not None:
        return empty
    s = _fold(text)
    body = s
    for prefix in ("¥", "RMB", "CNY", "人民币"):
        if body.upper().startswith(prefix):
            body = body[len(prefix):]
            break
    for suffix in ("元整", "元"):
        if body.endswith(suffix):
            body = body[: -len(suffix)]
            break
    m = _NUMBER.fullmatch(body)
    if not m or not (m.group(2) or m.group(3)):
        return _type_issue("money", hint)
    try:
        value = Decimal(m.group(1) + (m.group(2) or "0").replace(",", "") + (m.group(3) or ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return _type_issue("money", hint)
    if body != s or s != text:
        return Cell(value, CellIssue("CELL-READ-HINT", {
            "read": f"{_money_text(value)}元",
            "standard": f"只填数字，如{_money_text(abs(value))}"}))
    return Cell(value)
