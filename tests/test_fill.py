"""Filling an issued workbook the way a branch does: values land under the right headers, and
everything the committee put in the workbook (the hidden _meta sheet, drop-downs, protection,
document properties) survives."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from taizhang.demo.fill import fill_workbook, find_header, month_total, normalise_header
from taizhang.demo.organisation import BranchFill
from taizhang.errors import InputError
from taizhang.workspace.definitions import Column, Ledger, WorkbookDefinition

MEETINGS = Ledger(
    id="meetings", sheet="三会一课", version="t", columns=(
        Column("seq", "序号", "serial"),
        Column("date", "日期", "date", required=True),
        Column("meeting_type", "会议类型", "enum", required=True, values=("支部党员大会", "支委会", "党小组会", "党课")),
        Column("topic", "主题或议题", "text", required=True),
        Column("expected", "应到人数", "int", required=True),
    ),
)
DUES = Ledger(
    id="dues", sheet="党费收缴", version="t", columns=(
        Column("name", "姓名", "person", required=True),
        Column("monthly_due", "月应交(元)", "money", required=True),
        Column("m1", "1月", "money"),
        Column("m2", "2月", "money"),
        Column("m3", "3月", "money"),
        Column("total", "全年实交(元)", "money", formula="sum_months"),
    ),
)
SUMMARY = Ledger(
    id="summary", sheet="年度小结", version="t", kind="form", columns=(
        Column("highlights", "工作亮点和特色做法", "text"),
        Column("filler", "填报人", "text", required=True),
        Column("filled_date", "填报日期", "date", required=True),
    ),
)
DEFINITION = WorkbookDefinition(id="t", version="t", title="党建工作台账", ledgers=(MEETINGS, DUES, SUMMARY))


def make_issued(path: Path, *, header_row: int = 1, prefill_dues: bool = False) -> Path:
    """A tiny workbook laid out like an issued one (header_row is 0-based; 1 = Excel row 2)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    title = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd", "locked": False})
    money_fmt = wb.add_format({"num_format": "#,##0.00", "locked": False})
    ws = wb.add_worksheet("填表说明")
    ws.write_string(0, 0, "填表说明")
    # 三会一课: columns deliberately in another order than the definition, an extra column.
    ws = wb.add_worksheet("三会一课")
    headers = ["序号", "会议类型*", "日期*", "备忘", "应到人数*", "主题或议题*"]
    ws.merge_range(0, 0, 0, len(headers) - 1, "某支部 2025年三会一课", title)
    for extra in range(1, header_row):
        ws.write_string(extra, 0, "（支部自己加的说明行）")
    for c, h in enumerate(headers):
        ws.write_string(header_row, c, h)
    ws.set_column(2, 2, 12, date_fmt)
    ws.data_validation(header_row + 1, 1, header_row + 200, 1, {
        "validate": "list", "source": ["支部党员大会", "支委会", "党小组会", "党课"],
    })
    ws.protect("", {"insert_rows": True})
    # 党费收缴 with the SUM formula in 全年实交, in every input row.
    ws = wb.add_worksheet("党费收缴")
    ws.merge_range(0, 0, 0, 5, "某支部 2025年党费收缴", title)
    for c, h in enumerate(["姓名*", "月应交(元)*", "1月", "2月", "3月", "全年实交(元)"]):
        ws.write_string(1, c, h)
    for r in range(2, 8):
        ws.write_formula(r, 5, f"=IF(COUNT(C{r + 1}:E{r + 1})=0,\"\",SUM(C{r + 1}:E{r + 1}))", money_fmt, "")
    if prefill_dues:
        for r, name in enumerate(["甲", "乙", "丙", "丁"], start=2):
            ws.write_string(r, 0, name)
            ws.write_number(r, 1, 10)
    ws = wb.add_worksheet("年度小结")
    ws.merge_range(0, 0, 0, 1, "年度小结", title)
    ws.write_string(1, 0, "项目")
    ws.write_string(1, 1, "内容")
    for r, label in enumerate(["工作亮点和特色做法", "填报人*", "填报日期*"], start=2):
        ws.write_string(r, 0, label)
    meta = wb.add_worksheet("_meta")
    meta.write_string(0, 0, "branch_code")
    meta.write_string(0, 1, "001")
    meta.very_hidden()
    wb.set_custom_property("taizhang.branch_code", "001")
    wb.set_properties({"title": "某支部2025年党建工作台账"})
    wb.close()
    return path


FILL = BranchFill(
    ledgers={
        "meetings": [
            {"seq": 1, "date": date(2025, 2, 14), "meeting_type": "支部党员大会", "topic": "学习全会精神", "expected": 12},
            {"seq": 2, "date": "2025.3.5", "meeting_type": "支委会", "topic": "=研究发展党员工作", "expected": 3},
        ],
        "dues": [
            {"name": "王建国", "monthly_due": Decimal("102.64"), "m1": Decimal("102.64"), "m2": Decimal("102.64"),
             "m3": None, "total": Decimal("205.28")},
            {"name": "李\u3000芳", "monthly_due": Decimal("0.20"), "m1": Decimal("0.20"), "m2": "1,234.50", "m3": None},
        ],
    },
    summary={"highlights": "1. 坚持理论学习。\n2. 严格组织生活。", "filler": "李芳", "filled_date": date(2026, 1, 10)},
)


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Path, Path, Path]:
    issued = make_issued(tmp_path / "issued.xlsx")
    out = tmp_path / "inbox" / "return.xlsx"
    out.parent.mkdir()
    before = hashlib.sha256(issued.read_bytes()).hexdigest()
    assert fill_workbook(issued, out, FILL, DEFINITION) == out
    assert hashlib.sha256(issued.read_bytes()).hexdigest() == before  # the issued file is untouched
    return issued, out, tmp_path


def test_values_land_under_their_headers(filled):
    _, out, _ = filled
    ws = openpyxl.load_workbook(out)["三会一课"]
    assert [c.value for c in ws[3]] == [1, "支部党员大会", datetime(2025, 2, 14), None, 12, "学习全会精神"]
    assert [c.value for c in ws[4]][:3] == [2, "支委会", "2025.3.5"]
    assert ws["F4"].value == "=研究发展党员工作" and ws["F4"].data_type == "s"  # text, never a formula
    assert ws["C3"].is_date and ws["C3"].number_format == "yyyy-mm-dd"
    assert ws["C4"].data_type == "s"  # text typed by hand stays text for the reader to judge
    assert ws["A5"].value is None and ws["B5"].value is None


def test_money_is_a_number_with_two_decimals_and_totals_replace_the_formula(filled):
    _, out, _ = filled
    ws = openpyxl.load_workbook(out)["党费收缴"]
    assert [c.value for c in ws[3]] == ["王建国", 102.64, 102.64, 102.64, None, 205.28]
    assert "0.00" in ws["B3"].number_format and "0.00" in ws["C3"].number_format
    assert ws["A4"].value == "李\u3000芳"
    assert ws["D4"].value == "1,234.50" and ws["D4"].data_type == "s"
    # no total given: the sum of the months, text amounts included, typed over the formula
    assert ws["F4"].value == pytest.approx(1234.70) and ws["F4"].data_type == "n"
    # the input rows nobody filled keep the formula as issued
    assert str(ws["F5"].value).startswith("=IF(COUNT(C5:E5)")


def test_form_values_go_to_column_b(filled):
    _, out, _ = filled
    ws = openpyxl.load_workbook(out)["年度小结"]
    assert ws["B3"].value == "1. 坚持理论学习。\n2. 严格组织生活。"
    assert ws["B4"].value == "李芳"
    assert ws["B5"].value == datetime(2026, 1, 10) and ws["B5"].is_date
    assert ws["A4"].value == "填报人*"  # labels untouched


def test_what_the_committee_put_in_survives(filled):
    _, out, tmp_path = filled
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["填表说明", "三会一课", "党费收缴", "年度小结", "_meta"]
    assert wb["_meta"].sheet_state == "veryHidden"
    assert [[c.value for c in row] for row in wb["_meta"].iter_rows()] == [["branch_code", "001"]]
    validations = wb["三会一课"].data_validations.dataValidation
    assert len(validations) == 1
    assert str(validations[0].sqref) == "B3:B202"
    assert validations[0].formula1 == '"支部党员大会,支委会,党小组会,党课"'
    assert wb["三会一课"].protection.sheet is True
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props == {"taizhang.branch_code": "001"}
    assert wb.properties.title == "某支部2025年党建工作台账"
    assert [str(r) for r in wb["三会一课"].merged_cells.ranges] == ["A1:F1"]
    # written atomically: nothing but the return in the folder
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == ["return.xlsx"]


def test_header_found_below_inserted_rows(tmp_path):
    issued = make_issued(tmp_path / "issued.xlsx", header_row=3)
    out = fill_workbook(issued, tmp_path / "out.xlsx", FILL, DEFINITION)
    ws = openpyxl.load_workbook(out)["三会一课"]
    assert find_header(ws, MEETINGS) == (4, {"seq": 1, "meeting_type": 2, "date": 3, "expected": 5, "topic": 6})
    assert ws["B5"].value == "支部党员大会" and ws["B6"].value == "支委会"
    assert ws["A2"].value == "（支部自己加的说明行）"


def test_rows_below_the_fill_are_cleared(tmp_path):
    issued = make_issued(tmp_path / "issued.xlsx", prefill_dues=True)
    out = fill_workbook(issued, tmp_path / "out.xlsx", FILL, DEFINITION)
    ws = openpyxl.load_workbook(out)["党费收缴"]
    assert [ws.cell(r, 1).value for r in range(3, 7)] == ["王建国", "李\u3000芳", None, None]
    assert ws["B5"].value is None and ws["B6"].value is None
    assert str(ws["F6"].value).startswith("=IF(")  # the formula stays


def test_ledgers_without_rows_are_left_as_issued(tmp_path):
    issued = make_issued(tmp_path / "issued.xlsx", prefill_dues=True)
    only_meetings = BranchFill(ledgers={"meetings": FILL.ledgers["meetings"]}, summary={})
    out = fill_workbook(issued, tmp_path / "out.xlsx", only_meetings, DEFINITION)
    wb = openpyxl.load_workbook(out)
    assert wb["党费收缴"]["A3"].value == "甲"
    assert wb["年度小结"]["B4"].value is None


def test_missing_sheet_is_a_clear_error(tmp_path):
    issued = make_issued(tmp_path / "issued.xlsx")
    other = Ledger(id="recruitment", sheet="发展党员", version="t", columns=(Column("name", "姓名", "text"),))
    definition = WorkbookDefinition(id="t", version="t", title="t", ledgers=(MEETINGS, other))
    fill = BranchFill(ledgers={"recruitment": [{"name": "张三"}]}, summary={})
    with pytest.raises(InputError, match="找不到“发展党员”工作表"):
        fill_workbook(issued, tmp_path / "out.xlsx", fill, definition)
    assert not (tmp_path / "out.xlsx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issued.xlsx"]


def test_header_normalisation():
    assert normalise_header(" 姓名* ") == "姓名"
    assert normalise_header("月应交（元）＊") == "月应交(元)"  # full-width brackets and star
    assert normalise_header("主持人\u3000或授课人") == "主持人或授课人"
    assert normalise_header(None) == ""


def test_month_total():
    assert month_total({"m1": Decimal("1.50"), "m2": "1,000.00", "m3": 2, "m4": "１０元"}) == Decimal("1013.50")
    assert month_total({"m1": None, "name": "王"}) is None
    assert month_total({"m1": "未交"}) is None


def test_fills_a_workbook_issued_by_taizhang(tmp_path):
    """The real pair: a workbook from issue.write_workbook, a branch's year from demo_data."""
    pytest.importorskip("taizhang.validate")
    import random

    from python_calamine import CalamineWorkbook

    from taizhang.demo import data as demo_data
    from taizhang.demo import organisation
    from taizhang.issue.workbook import IssueRound, write_workbook
    from taizhang.workspace.definitions import load_definitions

    definition = load_definitions()
    rng = random.Random(5)
    branch = organisation.demo_branches(rng)[0]
    fill = demo_data.generate_branch(rng, branch, 2025, date(2026, 1, 10))
    rnd = IssueRound(definition=definition, org=organisation.ORG_NAME, year=2025, deadline=date(2026, 1, 15),
                     contact="林晓燕", phone="0123-66880001", key=b"k" * 32)
    issued = tmp_path / "outbox" / "issued.xlsx"
    write_workbook(issued, rnd, branch.to_branch(), issued_at="2025-01-02T09:00:00")
    out = fill_workbook(issued, tmp_path / "inbox" / "return.xlsx", fill, definition)

    wb = openpyxl.load_workbook(out)
    assert wb["_meta"].sheet_state == "veryHidden"
    roster = wb["党员名册"]
    assert roster["B3"].value == branch.secretary
    assert len(roster.data_validations.dataValidation) > 0
    dues = wb["党费收缴"]
    n = len(fill.ledgers["dues"])
    first = fill.ledgers["dues"][0]
    total_col = [c.value for c in dues[2]].index("全年实交(元)") + 1
    assert dues.cell(3, total_col).value == pytest.approx(float(first["total"]))
    assert str(dues.cell(3 + n, total_col).value).startswith("=")  # unused rows keep the formula
    summary = wb["年度小结"]
    assert summary["B3"].value == fill.summary["highlights"]

    # What the collector's fast reader sees: typed values, the meeting dates as dates.
    cw = CalamineWorkbook.from_path(str(out))
    meetings = cw.get_sheet_by_name("三会一课").to_python()
    header = [str(h) for h in meetings[1]]
    date_col, type_col = header.index("日期*"), header.index("会议类型*")
    got = [(r[date_col], r[type_col]) for r in meetings[2:2 + len(fill.ledgers["meetings"])]]
    want = [(r["date"], r["meeting_type"]) for r in fill.ledgers["meetings"]]
    for (got_date, got_type), (want_date, want_type) in zip(got, want):
        assert got_type == want_type
        if isinstance(want_date, date):
            assert got_date in (want_date, datetime.combine(want_date, datetime.min.time()))
        else:
            assert got_date == want_date
