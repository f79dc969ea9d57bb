"""Cells read the way people type them: typed values, hints, type errors and ambiguities."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.reading.normalise import Cell, CellIssue, normalise
from taizhang.workspace.definitions import Column

DATE = Column("d", "日期", "date")
INT = Column("n", "人数", "int")
MONEY = Column("m", "金额", "money")
BOOL = Column("b", "是否", "bool")
RATE = Column("rate", "交纳比例", "enum", values=("0.5%", "1%", "1.5%", "2%", "定额"))
KIND = Column("kind", "会议类型", "enum", values=("支部党员大会", "支委会", "党小组会", "党课"))
TEXT = Column("t", "备注", "text")
PERSON = Column("p", "姓名", "person")
SERIAL = Column("s", "序号", "serial")

FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def hint(read: str, standard: str) -> CellIssue:
    return CellIssue("CELL-READ-HINT", {"read": read, "standard": standard})


def type_error(type_name: str, text: str) -> CellIssue:
    return CellIssue("CELL-TYPE", {"type": type_name, "hint": text})


DATE_HINT = hint("2025年3月5日", "2025-03-05")
MARCH_5 = date(2025, 3, 5)
ORDER_HINT = "请按“年-月-日”的顺序写完整的日期，如2025-03-05。"


@pytest.mark.parametrize("raw, expected", [
    (None, Cell(None)),
    ("   ", Cell(None)),
    ("\u3000\u00a0", Cell(None)),
    (MARCH_5, Cell(MARCH_5)),
    (datetime(2025, 3, 5, 14, 30), Cell(MARCH_5)),
    ("2025-03-05", Cell(MARCH_5)),
    ("2025-3-5", Cell(MARCH_5)),
    (" 2025-3-5 ", Cell(MARCH_5)),
    ("2025/03/05", Cell(MARCH_5, DATE_HINT)),
    ("2025.3.5", Cell(MARCH_5, DATE_HINT)),
    ("2025年3月5日", Cell(MARCH_5, DATE_HINT)),
    ("2025年3月5号", Cell(MARCH_5, DATE_HINT)),
    ("2025 年 3 月 5 日", Cell(MARCH_5, DATE_HINT)),
    ("20250305", Cell(MARCH_5, DATE_HINT)),
    (20250305.0, Cell(MARCH_5, DATE_HINT)),
    ("２０２５－０３－０５", Cell(MARCH_5, DATE_HINT)),
    ("2025-03-05 10:30", Cell(MARCH_5, DATE_HINT)),
    (45721.0, Cell(MARCH_5, hint("2025年3月5日", "把单元格设为日期格式后填写，如2025-03-05"))),
    (45721.75, Cell(MARCH_5, hint("2025年3月5日", "把单元格设为日期格式后填写，如2025-03-05"))),
    ("2025-02-30", Cell(None, type_error("日期", "这一天不存在，请核对年、月、日。"))),
    ("1900-01-00", Cell(None, type_error("日期", "这一天不存在，请核对年、月、日。"))),
    ("20251301", Cell(None, type_error("日期", "这一天不存在，请核对年、月、日。"))),
    ("0025-03-05", Cell(None, type_error("日期", "年份25不对，请写四位年份，如2025-03-05。"))),
    (2025.0, Cell(None, type_error("日期", "请填写完整的日期，如2025-03-05。"))),
    (5, Cell(None, type_error("日期", "请填写完整的日期，如2025-03-05。"))),
    ("三月五日", Cell(None, type_error("日期", "请填写日期，如2025-03-05。"))),
    (True, Cell(None, type_error("日期", "请填写日期，如2025-03-05。"))),
    (time(10, 30), Cell(None, type_error("日期", "这里只有时间没有日期，请填写日期，如2025-03-05。"))),
    ("3/5/2025", Cell(None, CellIssue("CELL-AMBIGUOUS", {
        "reason": "可能是2025年3月5日，也可能是2025年5月3日", "hint": ORDER_HINT}))),
    ("05-03-2025", Cell(None, CellIssue("CELL-AMBIGUOUS", {
        "reason": "可能是2025年5月3日，也可能是2025年3月5日", "hint": ORDER_HINT}))),
    ("13/5/2025", Cell(None, CellIssue("CELL-AMBIGUOUS", {"reason": "年、月、日的先后顺序不确定", "hint": ORDER_HINT}))),
    ("25-3-5", Cell(None, CellIssue("CELL-AMBIGUOUS", {
        "reason": "年份只写了两位，年、月、日的顺序也不确定", "hint": ORDER_HINT}))),
    ("2025年3月", Cell(None, CellIssue("CELL-AMBIGUOUS", {"reason": "只写了年和月，没有写是哪一天", "hint": ORDER_HINT}))),
    ("2025.3", Cell(None, CellIssue("CELL-AMBIGUOUS", {"reason": "只写了年和月，没有写是哪一天", "hint": ORDER_HINT}))),
    ("3月5日", Cell(None, CellIssue("CELL-AMBIGUOUS", {"reason": "没有写年份", "hint": ORDER_HINT}))),
    ("—", Cell(None, hint("空白（未填写）", "不需要填写时请留空"))),
])
def test_dates(raw, expected) -> None:
    assert normalise(DATE, raw) == expected


@pytest.mark.parametrize("raw, expected", [
    (3, Cell(3)),
    (3.0, Cell(3)),
    ("12", Cell(12)),
    ("1,200", Cell(1200)),
    ("１２", Cell(12, hint("12", "只填数字，如12"))),
    ("12人", Cell(12, hint("12", "只填数字，如12"))),
    ("12 次", Cell(12, hint("12", "只填数字，如12"))),
    ("３个", Cell(3, hint("3", "只填数字，如3"))),
    ("-2", Cell(-2)),
    (3.5, Cell(None, type_error("整数", "请填写整数，不要带小数。"))),
    ("3.5", Cell(None, type_error("整数", "请填写整数，不要带小数。"))),
    ("三", Cell(None, type_error("整数", "请填写阿拉伯数字，如12。"))),
    (True, Cell(None, type_error("整数", "请填写整数，如12。"))),
    (float("nan"), Cell(None, type_error("整数", "请填写整数，如12。"))),
    (datetime(1900, 1, 3), Cell(None, type_error(
        "整数", "单元格被设成了日期或时间格式，请把单元格格式改为“常规”后填写数字。"))),
    ("/", Cell(None, hint("空白（未填写）", "不需要填写时请留空"))),
])
def test_ints(raw, expected) -> None:
    assert normalise(INT, raw) == expected


@pytest.mark.parametrize("raw, value, issue", [
    (0.1, "0.1", None),
    (40.0, "40", None),
    (0.1 + 0.2, "0.3", None),
    (1234.57, "1234.57", None),
    (12.345, "12.345", None),  # more than 2 decimals is kept: the validator decides
    (40, "40", None),
    ("40", "40", None),
    ("1,200.50", "1200.50", None),
    ("0.125", "0.125", None),
    ("¥1,200.50", "1200.50", hint("1200.50元", "只填数字，如1200.50")),
    ("￥40元", "40", hint("40.00元", "只填数字，如40.00")),
    ("40 元", "40", hint("40.00元", "只填数字，如40.00")),
    ("４０．５０", "40.50", hint("40.50元", "只填数字，如40.50")),
    ("-0.20", "-0.20", None),
])
def test_money_reads(raw, value, issue) -> None:
    cell = normalise(MONEY, raw)
    assert isinstance(cell.value, Decimal)
    assert str(cell.value) == value  # exactly this Decimal, no binary artefacts
    assert cell.issue == issue


@pytest.mark.parametrize("raw, text", [
    ("三百元", "请填写阿拉伯数字，如300或300.00。"),
    ("1%", "请填写阿拉伯数字，如300或300.00。"),
    ("40元/月", "请填写阿拉伯数字，如300或300.00。"),
    (".", "请填写阿拉伯数字，如300或300.00。"),
    (True, "请填写阿拉伯数字，如300或300.00。"),
    (float("inf"), "请填写阿拉伯数字，如300或300.00。"),
    (date(2025, 1, 1), "单元格被设成了日期或时间格式，请把单元格格式改为“常规”或“数值”后填写金额。"),
])
def test_money_type_errors(raw, text) -> None:
    assert normalise(MONEY, raw) == Cell(None, type_error("金额", text))


def test_money_placeholder_is_empty_with_a_hint() -> None:
    assert normalise(MONEY, "——") == Cell(None, hint("空白（未填写）", "不需要填写时请留空"))
    assert not normalise(MONEY, "——").invalid
    assert normalise(MONEY, "三百元").invalid


@pytest.mark.parametrize("raw, expected", [
    ("是", Cell("是")),
    ("否", Cell("否")),
    (True, Cell("是")),
    (False, Cell("否")),
    ("有", Cell("是", hint("“是”", "从下拉列表中选择“是”或“否”"))),
    ("无", Cell("否", hint("“否”", "从下拉列表中选择“是”或“否”"))),
    ("√", Cell("是", hint("“是”", "从下拉列表中选择“是”或“否”"))),
    ("×", Cell("否", hint("“否”", "从下拉列表中选择“是”或“否”"))),
    ("y", Cell("是", hint("“是”", "从下拉列表中选择“是”或“否”"))),
    ("N", Cell("否", hint("“否”", "从下拉列表中选择“是”或“否”"))),
    ("TRUE", Cell("是", hint("“是”", "从下拉列表中选择“是”或“否”"))),
    (" 是 ", Cell("是")),
    ("可能", Cell("可能")),  # not checked here: the validator reports CELL-ENUM
])
def test_bools(raw, expected) -> None:
    assert normalise(BOOL, raw) == expected


@pytest.mark.parametrize("column, raw, value", [
    (TEXT, " 学习\u3000\u3000两会精神\u00a0 ", "学习 两会精神"),
    (TEXT, "第一条\r\n  第二条  \n\n", "第一条\n第二条"),
    (TEXT, "含\x07控制\x1f字符\u200b", "含控制字符"),
    (TEXT, 12.0, "12"),
    (TEXT, 13800138000.0, "13800138000"),
    (TEXT, 0.5, "0.5"),
    (TEXT, MARCH_5, "2025-03-05"),
    (TEXT, True, "是"),
    (PERSON, "王\u3000红", "王红"),
    (PERSON, " 李  明 ", "李明"),
    (PERSON, "Li  Ming", "Li Ming"),
    (PERSON, "买买提·艾力", "买买提·艾力"),
    (KIND, "支部 党员大会", "支部党员大会"),
    (KIND, "座谈会", "座谈会"),
    (RATE, 0.01, "1%"),
    (RATE, 0.005, "0.5%"),
    (RATE, "１％", "1%"),
    (RATE, " 定 额 ", "定额"),
    (RATE, 3.0, "3"),
    (SERIAL, 1.0, "1"),
    (SERIAL, "一", "一"),
    (SERIAL, MARCH_5, "2025-03-05"),
])
def test_text_like_columns_are_cleaned(column, raw, value) -> None:
    assert normalise(column, raw) == Cell(value)


# --- properties --------------------------------------------------------------------------------

def spellings(d: date) -> list[object]:
    """Every spelling of a date that reads back as that date."""
    y, m, dd = d.year, d.month, d.day
    texts = [
        f"{y}-{m:02d}-{dd:02d}", f"{y}-{m}-{dd}", f"{y}/{m:02d}/{dd:02d}", f"{y}/{m}/{dd}",
        f"{y}.{m}.{dd}", f"{y}.{m:02d}.{dd:02d}", f"{y}年{m}月{dd}日", f"{y}年{m:02d}月{dd:02d}日",
        f"{y}年{m}月{dd}号", f"{y}{m:02d}{dd:02d}",
    ]
    values: list[object] = texts + [t.translate(FULL) for t in texts]
    values += [d, datetime(y, m, dd, 9, 15), int(f"{y}{m:02d}{dd:02d}"), float(f"{y}{m:02d}{dd:02d}")]
    if date(1920, 1, 1) <= d:
        serial = (d - date(1899, 12, 30)).days
        values += [serial, float(serial), serial + 0.5]
    return values


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_every_supported_date_spelling_reads_back(d: date) -> None:
    for raw in spellings(d):
        cell = normalise(DATE, raw)
        assert cell.value == d, raw
        assert cell.issue is None or cell.issue.rule_id == "CELL-READ-HINT", raw


def _grouped(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ",".join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False, allow_infinity=False))
def test_every_amount_with_two_decimals_reads_back_equal(amount: Decimal) -> None:
    plain = f"{amount:.2f}"
    whole, cents = plain.split(".")
    grouped = f"{_grouped(whole)}.{cents}"
    texts = [plain, grouped, f"{grouped}元", f"¥{grouped}", f"￥{plain}元", f" {plain} 元 "]
    raws: list[object] = texts + [t.translate(FULL) for t in texts] + [float(amount)]
    for raw in raws:
        cell = normalise(MONEY, raw)
        assert isinstance(cell.value, Decimal) and cell.value == amount, raw
        assert not cell.invalid, raw


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_every_count_reads_back(n: int) -> None:
    for raw in (n, float(n), str(n), _grouped(str(n)), f"{n}人", str(n).translate(FULL), f"{n}次"):
        assert normalise(INT, raw).value == n, raw


_TRICKY = st.text(alphabet=st.sampled_from(list("ab 王红 ") + ["\t", "\n", "\r", "\u3000", "\u00a0", "\u200b", "\ufeff",
                                                              "\x85", "\u2028", "\u2029", "\x1c", "\u202f", "\u00ad"]),
                  max_size=8)


@given(_TRICKY, st.booleans(), st.booleans())
@settings(max_examples=400)
def test_clean_text_shortcut_for_plain_text_agrees_with_the_full_cleaning(text, single_line, join_cjk) -> None:
    from taizhang.reading.normalise import clean_text

    # A leading control character is removed and forces the full cleaning.
    assert clean_text(text, single_line=single_line, join_cjk=join_cjk) == clean_text(
        "\x00" + text, single_line=single_line, join_cjk=join_cjk)


_RAW = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 50000).map(lambda x: float(int(x))),
    st.dates(min_value=date(1950, 1, 1), max_value=date(2060, 1, 1)),
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2060, 1, 1)),
    st.sampled_from(["支委会", "党 小组会", "1%", "是", "否", "√", " 王红", "王 红", "王红", "备注\n第二行", "", "  ",
                     "2025-03-05", "12人", "1,200", "／", "—"]),
    _TRICKY,
)


@given(st.sampled_from([DATE, INT, MONEY, BOOL, RATE, KIND, TEXT, PERSON, SERIAL]), _RAW)
@settings(max_examples=600)
def test_the_quick_reading_of_plain_cells_agrees_with_normalise(column, raw) -> None:
    from taizhang.reading.normalise import MISS, plain_value

    quick = plain_value(column, raw)
    if quick is not MISS:
        assert normalise(column, raw) == Cell(quick)
