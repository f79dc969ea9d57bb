"""Raw sheets → typed rows: headers found by text, blank rows, defaults, formulas, merges, forms."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

from conftest import needs_soffice, soffice
from helpers_xlsx import ledger_sheet, new_workbook, write_cells

from taizhang import reading
from taizhang.reading.base import ReadLimits
from taizhang.reading.extract import extract_ledger, extract_return, find_sheet, fold_header
from taizhang.records import Row
from taizhang.workspace.definitions import Column, Ledger, WorkbookDefinition

MEETINGS = Ledger(id="meetings", sheet="三会一课", version="t", columns=(
    Column("seq", "序号", "serial"),
    Column("date", "日期", "date", required=True),
    Column("meeting_type", "会议类型", "enum", required=True, values=("支部党员大会", "支委会", "党小组会", "党课")),
    Column("topic", "主题或议题", "text", required=True),
    Column("topic_count", "议题数", "int", default=1),
    Column("host", "主持人或授课人", "person", required=True),
    Column("expected", "应到人数", "int", required=True),
    Column("present", "实到人数", "int", required=True),
    Column("note", "备注", "text"),
))
DUES = Ledger(id="dues", sheet="党费收缴", version="t", columns=(
    Column("seq", "序号", "serial"),
    Column("name", "姓名", "person", required=True),
    Column("monthly_due", "月应交(元)", "money", required=True),
    Column("m1", "1月", "money"),
    Column("m2", "2月", "money"),
    Column("total", "全年实交(元)", "money", formula="sum_months"),
))
SUMMARY = Ledger(id="summary", sheet="年度小结", version="t", kind="form", columns=(
    Column("highlights", "工作亮点和特色做法", "text"),
    Column("filler", "填报人", "text", required=True),
    Column("secretary", "支部书记", "text", required=True),
    Column("filled_date", "填报日期", "date", required=True, history=True),
))
DEFINITION = WorkbookDefinition(id="test", version="t", title="测试", ledgers=(MEETINGS, DUES, SUMMARY))

MEETING_ROWS = [
    {"序号": 1, "日期": date(2025, 3, 5), "会议类型": "支部党员大会", "主题或议题": "学习两会精神",
     "主持人或授课人": "王建国", "应到人数": 10, "实到人数": 9},
    {"序号": 2},  # only 序号: a blank row
    {"日期": "2025.4.8", "会议类型": "支委会", "主题或议题": "研究发展党员", "议题数": 2,
     "主持人或授课人": "李\u3000红", "应到人数": "5人", "实到人数": 5, "备注": "  线上 "},
    {"序号": 4, "日期": "/", "会议类型": "—", "主题或议题": "无"},  # placeholders only: blank too
    {"日期": "2025-02-30", "会议类型": "党课", "主题或议题": "党史", "主持人或授课人": "张强",
     "应到人数": 3.5, "实到人数": 3},
]
EMPTY = {c.key: None for c in MEETINGS.columns}


def read(path: Path, sheet: str, limits: ReadLimits | None = None) -> reading.RawSheet:
    return reading.open_workbook(path, limits or ReadLimits()).rows(sheet)


def summary(problems) -> list[tuple]:
    return [(p.rule_id, p.sheet, p.row, p.column, p.column_letter, p.value) for p in problems]


def meetings_workbook(path: Path, rows=MEETING_ROWS, **kwargs) -> Path:
    wb = new_workbook(path)
    ledger_sheet(wb, MEETINGS, rows, **kwargs)
    wb.close()
    return path


def test_standard_layout_gives_typed_rows_and_cell_problems(tmp_path: Path) -> None:
    path = meetings_workbook(tmp_path / "a.xlsx")
    data, problems = extract_ledger(MEETINGS, read(path, "三会一课"), "三会一课")
    assert (data.ledger_id, data.sheet, data.present) == ("meetings", "三会一课", True)
    assert data.letters == {"seq": "A", "date": "B", "meeting_type": "C", "topic": "D", "topic_count": "E",
                            "host": "F", "expected": "G", "present": "H", "note": "I"}
    assert data.rows == [
        Row(3, {**EMPTY, "seq": "1", "date": date(2025, 3, 5), "meeting_type": "支部党员大会", "topic": "学习两会精神",
                "topic_count": 1, "host": "王建国", "expected": 10, "present": 9}),
        Row(5, {**EMPTY, "date": date(2025, 4, 8), "meeting_type": "支委会", "topic": "研究发展党员",
                "topic_count": 2, "host": "李红", "expected": 5, "present": 5, "note": "线上"}),
        Row(7, {**EMPTY, "meeting_type": "党课", "topic": "党史", "topic_count": 1, "host": "张强", "present": 3},
            invalid={"date", "expected"}, raw={"date": "2025-02-30", "expected": "3.5"}),
    ]
    assert summary(problems) == [
        ("CELL-READ-HINT", "三会一课", 5, "日期", "B", "2025.4.8"),
        ("CELL-READ-HINT", "三会一课", 5, "应到人数", "G", "5人"),
        ("CELL-TYPE", "三会一课", 7, "日期", "B", "2025-02-30"),
        ("CELL-TYPE", "三会一课", 7, "应到人数", "G", "3.5"),
    ]
    assert [p.message for p in problems] == [
        "“2025.4.8”已识别为2025年4月8日。建议使用标准格式（2025-04-08）。",
        "“5人”已识别为5。建议使用标准格式（只填数字，如5）。",
        "“2025-02-30”不是有效的日期。这一天不存在，请核对年、月、日。",
        "“3.5”不是有效的整数。请填写整数，不要带小数。",
    ]
    assert [p.severity.value for p in problems] == ["提示", "提示", "错误", "错误"]


def test_rows_inserted_above_and_columns_reordered_still_read(tmp_path: Path) -> None:
    headers = ["主持人或授课人 *", "联系电话", "日 期＊", "会议类型*", "主题或议题*", "实到人数*", "应到人数*",
               "序号", "议题数", "备注"]
    rows = [{"日期": date(2025, 3, 5), "会议类型": "支部党员大会", "主题或议题": "学习两会精神", "主持人或授课人": "王建国",
             "应到人数": 10, "实到人数": 9, "联系电话": 13800138000}]
    renamed = {"主持人或授课人": "主持人或授课人 ", "日期": "日 期＊"}
    path = tmp_path / "b.xlsx"
    wb = new_workbook(path)
    ws = ledger_sheet(wb, MEETINGS, [{renamed.get(k, k): v for k, v in r.items()} for r in rows],
                      above=4, headers=headers)
    write_cells(ws, 1, [["填表人：李红"], [None], ["说明：本表记录三会一课"]])
    wb.close()
    data, problems = extract_ledger(MEETINGS, read(path, "三会一课"), "三会一课")
    assert problems == []
    assert data.letters == {"host": "A", "date": "C", "meeting_type": "D", "topic": "E", "present": "F",
                            "expected": "G", "seq": "H", "topic_count": "I", "note": "J"}
    assert data.rows == [Row(6, {**EMPTY, "date": date(2025, 3, 5), "meeting_type": "支部党员大会",
                                 "topic": "学习两会精神", "topic_count": 1, "host": "王建国", "expected": 10, "present": 9})]


def test_a_deleted_column_is_one_problem_and_its_values_are_none(tmp_path: Path) -> None:
    headers = [c.header + ("*" if c.required else "") for c in MEETINGS.columns if c.key != "present"]
    path = meetings_workbook(tmp_path / "c.xlsx", MEETING_ROWS[:1], headers=headers)
    data, problems = extract_ledger(MEETINGS, read(path, "三会一课"), "三会一课")
    assert summary(problems) == [("COLUMN-MISSING", "三会一课", None, "实到人数", "", "")]
    assert problems[0].message == "“三会一课”表找不到“实到人数”列，该列数据无法读取。请恢复表头文字（不要改名或删除列）。"
    assert "present" not in data.letters
    assert [r.values["present"] for r in data.rows] == [None]
    assert data.rows[0].values["expected"] == 10


def test_a_sheet_without_any_header_reads_nothing(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    wb = new_workbook(path)
    write_cells(wb.add_worksheet("三会一课"), 0, [["随便写的内容"], ["2025-03-05", "开会"]])
    wb.close()
    data, problems = extract_ledger(MEETINGS, read(path, "三会一课"), "三会一课")
    assert data.rows == [] and data.letters == {}
    assert [p.column for p in problems] == [c.header for c in MEETINGS.columns]
    assert {p.rule_id for p in problems} == {"COLUMN-MISSING"}


def test_missing_sheet() -> None:
    data, problems = extract_ledger(MEETINGS, None, "三会一课")
    assert (data.present, data.rows) == (False, [])
    assert summary(problems) == [("SHEET-MISSING", "三会一课", None, "", "", "")]
    assert problems[0].message == "找不到“三会一课”工作表。请不要删除或改名工作表，恢复后重新报送。"


def test_formulas_cached_uncached_and_the_ledgers_own_formula_column(tmp_path: Path) -> None:
    path = tmp_path / "dues.xlsx"
    wb = new_workbook(path)
    ws = ledger_sheet(wb, DUES, [
        {"姓名": "王建国", "1月": 40, "2月": 40},
        {"姓名": "李红", "1月": 20},
        {},
    ])
    ws.write_formula(2, 2, "=D3", None, 40)       # 月应交 with a saved result: read as 40
    ws.write_formula(3, 2, "=D4*2", None, "")     # no saved result in an ordinary column: a problem
    for r in (2, 3, 4):                            # the ledger's own 全年实交: never a problem
        ws.write_formula(r, 5, f"=SUM(D{r + 1}:E{r + 1})", None, "")
    wb.close()
    sheet = read(path, "党费收缴")
    data, problems = extract_ledger(DUES, sheet, "党费收缴")
    assert data.rows == [
        Row(3, {"seq": None, "name": "王建国", "monthly_due": Decimal(40), "m1": Decimal(40), "m2": Decimal(40),
                "total": None}),
        Row(4, {"seq": None, "name": "李红", "monthly_due": None, "m1": Decimal(20), "m2": None, "total": None},
            invalid={"monthly_due"}, raw={"monthly_due": "=D4*2"}),
    ]  # row 5 holds only the 全年实交 formula: blank
    assert summary(problems) == [("CELL-FORMULA", "党费收缴", 4, "月应交(元)", "C", "=D4*2")]
    assert problems[0].message == ("这个单元格是公式（=D4*2），但没有保存计算结果，无法读取。"
                                   "请在Excel中打开后保存，或直接填写数值。")


def test_merged_cells_in_the_data_area(tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    wb = new_workbook(path)
    undated = {k: v for k, v in MEETING_ROWS[0].items() if k != "日期"}
    ws = ledger_sheet(wb, MEETINGS, [MEETING_ROWS[0], undated, undated])
    ws.merge_range(3, 1, 4, 1, "2025-03-06")    # B4:B5: one date for two meetings
    ws.merge_range(2, 3, 2, 4, "合并在同一行")     # D3:E3 spans one row only: harmless
    ws.merge_range(2, 12, 5, 12, "表外备注")       # M3:M6 is outside the ledger's columns
    wb.close()
    data, problems = extract_ledger(MEETINGS, read(path, "三会一课"), "三会一课")
    assert summary(problems) == [("SHEET-MERGED", "三会一课", 4, "日期", "B", "")]
    assert problems[0].message == "B4:B5是合并单元格，只有左上角的值会被读取。请取消合并，每行单独填写。"
    assert [r.values["date"] for r in data.rows] == [date(2025, 3, 5), date(2025, 3, 6), None]


def test_rows_beyond_the_limit_are_one_problem(tmp_path: Path) -> None:
    path = meetings_workbook(tmp_path / "long.xlsx", MEETING_ROWS[:1] * 15)
    data, problems = extract_ledger(MEETINGS, read(path, "三会一课", ReadLimits(max_rows=10)), "三会一课")
    assert [r.excel_row for r in data.rows] == list(range(3, 11))
    assert summary(problems) == [("SHEET-TOO-MANY-ROWS", "三会一课", None, "", "", "")]
    assert problems[0].message == ("“三会一课”表的内容一直到第17行，超过上限10行，只读取了前10行。"
                                   "请检查是否误粘贴了大量内容，或在表格下方很远处误输入了内容，删除后重新报送。")


def test_sheet_and_header_folding() -> None:
    names = ["填表说明", " 三会一课\u3000", "党费收缴"]
    assert find_sheet(names, "党费收缴") == "党费收缴"
    assert find_sheet(names, "三会一课") == " 三会一课\u3000"
    assert find_sheet(names, "党员名册") is None
    assert fold_header(" 月应交（元）＊") == "月应交(元)"
    assert fold_header("主持人\n或授课人*") == "主持人或授课人"
    assert fold_header(1.0) == "1" and fold_header(None) == ""


def form_workbook(path: Path, rows: list[list], sheet: str = "年度小结") -> Path:
    wb = new_workbook(path)
    ws = wb.add_worksheet(sheet)
    ws.merge_range(0, 0, 0, 1, "测试支部  2025年年度小结")
    write_cells(ws, 1, rows, wb.add_format({"num_format": "yyyy-mm-dd"}))
    wb.close()
    return path


def test_form_ledger_reads_one_row_of_fields(tmp_path: Path) -> None:
    path = form_workbook(tmp_path / "form.xlsx", [
        ["项目", "内容"],
        ["工作亮点和特色做法", "1. 坚持“三会一课”。\n2. 开展主题党日。"],
        [None, None],
        ["填报人*", " 李红 "],
        ["填报日期＊", "2026年1月5日"],
    ])
    data, problems = extract_ledger(SUMMARY, read(path, "年度小结"), "年度小结")
    assert data.rows == [Row(3, {"highlights": "1. 坚持“三会一课”。\n2. 开展主题党日。", "filler": "李红",
                                 "secretary": None, "filled_date": date(2026, 1, 5)})]
    assert data.letters == {"highlights": "B", "filler": "B", "filled_date": "B"}
    assert summary(problems) == [
        ("COLUMN-MISSING", "年度小结", None, "支部书记", "", ""),
        ("CELL-READ-HINT", "年度小结", 6, "填报日期", "B", "2026年1月5日"),
    ]


def test_form_with_an_inserted_column_and_a_bad_date(tmp_path: Path) -> None:
    path = form_workbook(tmp_path / "form2.xlsx", [
        [None, "项目", "内容"],
        [1, "填报人", "李红"],
        [2, "支部书记", "王建国"],
        [3, "填报日期", "2026-13-01"],
        [4, "工作亮点和特色做法", None],
    ])
    data, problems = extract_ledger(SUMMARY, read(path, "年度小结"), "年度小结")
    assert data.rows == [Row(3, {"highlights": None, "filler": "李红", "secretary": "王建国", "filled_date": None},
                             invalid={"filled_date"}, raw={"filled_date": "2026-13-01"})]
    assert set(data.letters.values()) == {"C"}
    assert summary(problems) == [("CELL-TYPE", "年度小结", 5, "填报日期", "C", "2026-13-01")]


def test_extract_return_reads_every_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ret.xlsx"
    wb = new_workbook(path)
    wb.add_worksheet("填表说明")
    ledger_sheet(wb, MEETINGS, MEETING_ROWS[:1], name="三会一课 ")  # a trailing space in the name
    wb.close()
    ret, problems = extract_return(DEFINITION, reading.open_workbook(path), branch_code="001", branch_name="机关第一党支部",
                                   year=2025, template_id="test", template_version="t")
    assert (ret.branch_code, ret.branch_name, ret.year, ret.template_id, ret.template_version) == (
        "001", "机关第一党支部", 2025, "test", "t")
    assert list(ret.ledgers) == ["meetings", "dues", "summary"]
    assert [r.values["topic"] for r in ret.rows("meetings")] == ["学习两会精神"]
    assert [(led.present, led.sheet) for led in ret.ledgers.values()] == [
        (True, "三会一课"), (False, "党费收缴"), (False, "年度小结")]
    # the renamed sheet is read, and the name said (issue 13)
    assert summary(problems) == [("SHEET-NAME", "三会一课", None, "", "", ""),
                                 ("SHEET-MISSING", "党费收缴", None, "", "", ""),
                                 ("SHEET-MISSING", "年度小结", None, "", "", "")]


def test_a_sheet_the_parser_cannot_read_is_a_problem_not_an_exception() -> None:
    class Broken:
        sheet_names = ["三会一课", "党费收缴", "年度小结"]

        def rows(self, name: str):
            if name == "党费收缴":
                raise reading.UnreadableFile("FILE-UNREADABLE", "文件内容已损坏，无法解析")
            return reading.RawSheet([])

    ret, problems = extract_return(DEFINITION, Broken(), branch_code="001", branch_name="x", year=2025,
                                   template_id="", template_version="")
    assert ret.ledgers["dues"].present is False
    unreadable = [p for p in problems if p.rule_id == "FILE-UNREADABLE"]
    assert [(p.sheet, p.message) for p in unreadable] == [(
        "党费收缴", ("文件无法作为Excel工作簿打开：“党费收缴”工作表无法读取（文件内容已损坏，无法解析）。"
                    "请用Excel或WPS打开确认后另存为.xlsx再报送。"))]


# --- the issued workbook, filled like a branch does ------------------------------------------------

def _typed(ret) -> dict:
    return {lid: [r.values for r in led.rows] for lid, led in ret.ledgers.items()}


def test_a_filled_return_reads_clean(ws, tmp_path: Path) -> None:
    from returns import MEMBERS, fill_return

    path = fill_return(ws, "001", tmp_path / "return.xlsx")
    ret, problems = extract_return(ws.definitions, reading.open_workbook(path), branch_code="001",
                                   branch_name="机关第一党支部", year=2025, template_id="", template_version="")
    assert problems == []
    assert [r.values["name"] for r in ret.rows("roster")] == [m["姓名"] for m in MEMBERS]
    assert [r.excel_row for r in ret.rows("roster")] == [3, 4, 5]
    assert ret.rows("roster")[0].values["ethnicity"] == "汉族"  # the column's default
    dues = ret.rows("dues")
    assert [r.values["monthly_due"] for r in dues] == [Decimal(40)] * 3
    assert [r.values["total"] for r in dues] == [None] * 3  # openpyxl saved the formula without a result
    meeting = ret.rows("meetings")[0].values
    assert (meeting["date"], meeting["topic_count"], meeting["expected"]) == (date(2025, 3, 5), 1, 3)
    assert ret.form()["filled_date"] == date(2026, 1, 5)


@needs_soffice
def test_the_same_return_resaved_as_xls_and_ods_reads_the_same(ws, tmp_path: Path) -> None:
    from returns import fill_return

    path = fill_return(ws, "001", tmp_path / "return.xlsx")
    expected = _typed(extract_return(ws.definitions, reading.open_workbook(path), branch_code="001",
                                     branch_name="x", year=2025, template_id="", template_version="")[0])
    for fmt in ("ods", "xls"):
        out = tmp_path / fmt
        subprocess.run([soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                        "--convert-to", fmt, "--outdir", str(out), str(path)],
                       check=True, capture_output=True, timeout=180)
        converted = out / f"return.{fmt}"
        reader = reading.open_workbook(converted)
        assert reader.kind == fmt
        ret, problems = extract_return(ws.definitions, reader, branch_code="001", branch_name="x", year=2025,
                                       template_id="", template_version="")
        assert problems == []
        got = _typed(ret)
        # LibreOffice recalculates 全年实交 on saving: 12 × 40
        assert [r["total"] for r in got["dues"]] == [Decimal(480)] * 3
        for r in got["dues"]:
            r["total"] = None
        assert got == expected, fmt
