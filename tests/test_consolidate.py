"""consolidate: the two workbooks, read back with openpyxl (and LibreOffice when installed)."""

from __future__ import annotations

import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import make_workspace, needs_soffice, soffice
from test_statistics import return_001_2025, return_002_2025

from taizhang.consolidate import LEDGER_FILE, STATS_FILE, consolidate
from taizhang.consolidate.ledger_book import PROBLEM_SHEET
from taizhang.consolidate.stats_book import STATS_SHEETS
from taizhang.problems import Problem, Severity
from taizhang.statistics.model import NoReturns
from taizhang.workspace.store import NewSubmission, Store
from taizhang.xlsx import text_width

AS_OF = date(2026, 1, 10)
WARNING_001 = Problem("LIFE-THEME-M", Severity.WARNING, "主题党日每月1次，2月没有记录。", sheet="组织生活")
ERROR_002 = Problem("MEET-QUORUM", Severity.ERROR, "支部党员大会应到4人、实到2人，未超过半数。", sheet="三会一课",
                    row=4, column="实到人数", column_letter="I", value="=2")


def store_returns(ws, items) -> None:
    """Store (return, submitted_at, problems) triples as collect would."""
    with Store.open(ws.store_path) as store:
        for ret, submitted, problems in items:
            store.add_submission(NewSubmission(
                ret=ret, file_name=f"{ret.branch_code}_{ret.year}.xlsx", source_path=f"inbox/{ret.branch_code}.xlsx",
                sha256=f"{ret.branch_code}{ret.year}{submitted}".ljust(64, "0")[:64], size=1000,
                submitted_at=submitted, verified=True, problems=list(problems),
            ))


def stored_workspace(root: Path):
    """A workspace (branches 001–003) with the 2025 returns of 001 (on time, one warning) and
    002 (late, one error) stored; 003 has not returned."""
    ws = make_workspace(root)
    store_returns(ws, [
        (return_001_2025(), "2026-01-05T10:00:00", [WARNING_001]),
        (return_002_2025(), "2026-01-20T09:30:00", [ERROR_002]),
    ])
    return ws


@pytest.fixture
def ws(tmp_path: Path):
    return stored_workspace(tmp_path / "ws")


@pytest.fixture
def result(ws):
    return consolidate(ws, as_of=AS_OF)


def _load(path: Path, **kw):
    return openpyxl.load_workbook(path, **kw)


def _rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _find_row(sheet, name: str) -> int:
    for r in range(1, sheet.max_row + 1):
        if sheet.cell(r, 3).value == name:
            return r
    raise AssertionError(name)


# --- 汇总台账 ---------------------------------------------------------------------------------------
def test_ledger_workbook_has_a_sheet_per_ledger_and_the_problem_list(result) -> None:
    assert result.ledger_path.name == LEDGER_FILE and result.ledger_path.parent.name == "output"
    wb = _load(result.ledger_path)
    assert wb.sheetnames == ["党员名册", "三会一课", "组织生活", "党费收缴", "发展党员", "荣誉和成果", "季度小结", "年度小结",
                             PROBLEM_SHEET]
    roster = wb["党员名册"]
    header = [c.value for c in roster[1]]
    assert header[:5] == ["支部编码", "支部名称", "序号", "姓名", "性别"]
    assert roster.auto_filter.ref == f"A1:{roster.cell(1, len(header)).column_letter}{roster.max_row}"
    assert roster.freeze_panes == "C2"
    rows = _rows(roster)[1:]
    assert len(rows) == 9 + 4 and result.rows["党员名册"] == 13
    assert [r[0] for r in rows] == ["001"] * 9 + ["002"] * 4  # codes stay text, branch-list order
    assert rows[0][1] == "机关第一党支部" and rows[0][3] == "王建国"


def test_ledger_cells_are_typed(result) -> None:
    wb = _load(result.ledger_path)
    roster = wb["党员名册"]
    cols = {c.value: c.column for c in roster[1]}
    birth = roster.cell(2, cols["出生日期"])
    assert birth.value == datetime(1975, 3, 1) and birth.number_format == "yyyy-mm-dd"
    dues = wb["党费收缴"]
    dcols = {c.value: c.column for c in dues[1]}
    due = dues.cell(2, dcols["月应交(元)"])
    assert due.value == 60 and due.data_type == "n" and due.number_format == "#,##0.00"
    assert dues.cell(5, dcols["月应交(元)"]).value == 15.5  # 刘洋
    meetings = wb["三会一课"]
    mcols = {c.value: c.column for c in meetings[1]}
    present = meetings.cell(2, mcols["实到人数"])
    assert present.value == 7 and present.data_type == "n" and present.number_format == "0"


def test_text_that_looks_like_a_formula_stays_text(result) -> None:
    wb = _load(result.ledger_path)
    acts = wb["组织生活"]
    titles = [c for c in acts["F"] if c.value == "=1+1"]  # 活动名称或主题 (C is 序号, D 日期, E 活动类型)
    assert [c.value for c in acts[1]][5] == "活动名称或主题"
    assert len(titles) == 1 and titles[0].data_type == "s"
    summary = wb["年度小结"]
    cell = next(c for row in summary.iter_rows(min_row=2) for c in row if c.value == "@SUM(A1)")
    assert cell.data_type == "s"
    problems = wb[PROBLEM_SHEET]
    value = next(c for row in problems.iter_rows(min_row=2) for c in row if c.value == "=2")
    assert value.data_type == "s"
    with zipfile.ZipFile(result.ledger_path) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in sheets  # no formula anywhere in the consolidated ledger


def test_problem_list_names_branch_severity_and_place(result) -> None:
    sheet = _load(result.ledger_path)[PROBLEM_SHEET]
    header = [c.value for c in sheet[1]]
    assert header[:9] == ["支部编码", "支部名称", "级别", "工作表", "行", "列", "单元格", "值", "问题"]
    rows = _rows(sheet)[1:]
    assert rows == [
        ["001", "机关第一党支部", "警告", "组织生活", None, None, None, None, WARNING_001.message, "主题党日次数不足",
         "LIFE-THEME-M"],
        ["002", "办公室党支部", "错误", "三会一课", 4, "实到人数", "I4", "=2", ERROR_002.message, "党员大会不足法定人数",
         "MEET-QUORUM"],
    ]
    assert result.problems == {"错误": 1, "警告": 1, "提示": 0}


def test_form_ledger_is_one_row_per_branch(result) -> None:
    sheet = _load(result.ledger_path)["年度小结"]
    rows = _rows(sheet)
    assert rows[0][:5] == ["支部编码", "支部名称", "工作亮点和特色做法", "存在的问题和不足", "下一步工作打算"]
    assert len(rows) == 2 and rows[1][0] == "001" and rows[1][2] == "坚持“三会一课”。"


def test_column_widths_fit_chinese(result) -> None:
    sheet = _load(result.ledger_path)["党员名册"]
    assert sheet.column_dimensions["B"].width >= text_width("机关第一党支部")  # 14
    assert text_width("机关第一党支部") == 14 and text_width("ab1") == 3


# --- 统计表 -------------------------------------------------------------------------------------------
def test_stats_workbook_sheets_titles_and_info_line(result) -> None:
    wb = _load(result.stats_path)
    assert result.stats_path.name == STATS_FILE
    assert list(STATS_SHEETS) == [
        "表1 三会一课开展情况", "表2 组织生活开展情况", "表3 党费收缴情况", "表4 发展党员情况", "表5 台账报送情况"]
    # Each chart on a chart sheet of its own right after its table: it prints as one whole page.
    assert wb.sheetnames == ["表1 三会一课开展情况", "图1 三会一课开展次数", "表2 组织生活开展情况", "表3 党费收缴情况",
                             "图2 党费收缴率", "表4 发展党员情况", "图3 发展党员队伍", "表5 台账报送情况"]
    assert [c.title for c in wb.chartsheets] == ["图1 三会一课开展次数", "图2 党费收缴率", "图3 发展党员队伍"]
    for sheet in wb.worksheets:
        # (a table printed in parts has its title after the columns repeated on every part)
        title, info = (next(c.value for c in sheet[row] if c.value) for row in (1, 2))
        assert title.startswith(sheet.title.split()[0]) and "2025年" in title
        assert info.startswith("制表单位：中共测试局机关委员会")
        assert "制表日期：2026年1月10日" in info
        assert sheet.freeze_panes == "D5"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.print_title_rows == "$3:$4"
        # Fitted to the page width, or, when that would shrink the text below a legible size,
        # printed in parts at a legible scale with 序号/编码/名称 repeated on each.
        if sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage:
            # fitToWidth is left out of the file when it is 1 (the OOXML default)
            assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
        else:
            assert int(sheet.page_setup.scale or 100) >= 75 and sheet.col_breaks.count >= 1
            assert sheet.print_title_cols == "$A:$C"
        assert [sheet.cell(r, 3).value for r in (5, 6, 7, 8)] == ["机关第一党支部", "办公室党支部", "离退休干部党支部", None]
        assert sheet["A8"].value == "合计"


def test_table1_headers_figures_and_compliance(result) -> None:
    sheet = _load(result.stats_path)["表1 三会一课开展情况"]
    top = [c.value for c in sheet[3]]
    sub = [c.value for c in sheet[4]]
    assert top[:5] == ["序号", "支部编码", "支部名称", "党员人数", "支部党员大会"]
    assert "支委会达标情况" in top and "书记讲党课达标情况" in top
    assert sub[4:8] == ["次数", "平均出席率", "次数", "议题数"]
    assert sub.count("应开") == 4 and sub.count("应讲") == 1 and sub.count("是否达标") == 5
    row = [c.value for c in sheet[5]]  # 001
    assert row[3:11] == [8, 4, pytest.approx(0.90625, abs=0.0005), 11, 13, 23, 4, 2]
    cmte = top.index("支委会达标情况")
    assert row[cmte:cmte + 3] == [12, 11, "未达标"]
    two = [c.value for c in sheet[6]]
    assert two[cmte:cmte + 3] == [None, None, "不适用"]  # 002 has no committee
    gm = top.index("支部党员大会达标情况")
    assert two[gm:gm + 3] == [4, 3, "未达标"]


def test_not_returned_branch_shows_weibaosong_not_zeros(result) -> None:
    wb = _load(result.stats_path)
    for name in STATS_SHEETS[:4]:
        sheet = wb[name]
        values = [c.value for c in sheet[7]][3:]
        assert values[0] == "未报送", name
        assert all(v is None for v in values[1:]), name  # merged across the row: no zeros
        last = openpyxl.utils.get_column_letter(sheet.max_column)
        assert f"D7:{last}7" in {str(rng) for rng in sheet.merged_cells.ranges}, name
    status = wb["表5 台账报送情况"]
    row = [c.value for c in status[7]]
    assert "未报送" in row


def test_total_rows_equal_the_column_sums(result, ws) -> None:
    formulas = _load(result.stats_path)
    cached = _load(result.stats_path, data_only=True)
    checked = 0
    for name in STATS_SHEETS:
        f_sheet, v_sheet = formulas[name], cached[name]
        for col in range(4, f_sheet.max_column + 1):
            total = f_sheet.cell(8, col).value
            if isinstance(total, str) and total.startswith("=SUM("):
                letter = f_sheet.cell(8, col).column_letter
                assert total == f"=SUM({letter}5:{letter}7)"
                values = [v_sheet.cell(r, col).value for r in (5, 6, 7)]
                expected = sum(v for v in values if isinstance(v, (int, float)))
                assert v_sheet.cell(8, col).value == pytest.approx(expected), (name, col)
                checked += 1
    assert checked >= 40
    # A few totals worked out by hand (see test_statistics).
    t3 = cached["表3 党费收缴情况"]
    assert [c.value for c in t3[8]][3:8] == [12, pytest.approx(3884.08), pytest.approx(3823.58),
                                             pytest.approx(0.984, abs=0.0005), 2]
    assert [c.value for c in t3[6]][6] == 1.0  # 002's 101.6% is shown as 100%
    t1 = cached["表1 三会一课开展情况"]
    assert [c.value for c in t1[8]][3:11] == [12, 7, pytest.approx(40 / 44, abs=0.0005), 11, 13, 23, 6, 3]
    t4 = cached["表4 发展党员情况"]
    assert [c.value for c in t4[8]][3:12] == [1, 1, 0, 2, 0, 1, 1, 0, 2]


def test_status_sheet(result) -> None:
    sheet = _load(result.stats_path)["表5 台账报送情况"]
    header = [c.value for c in sheet[3]]
    assert header[3:] == ["支部书记", "报送时间", "报送状态", "按时/逾期", "错误", "警告", "报送次数", "是否纳入汇总"]
    one, two, three = ([c.value for c in sheet[r]] for r in (5, 6, 7))
    assert one[3:] == ["王建国", datetime(2026, 1, 5, 10, 0), "已报送", "按时", 0, 1, 1, "纳入"]
    assert two[3:] == ["赵红", datetime(2026, 1, 20, 9, 30), "需修改", "逾期", 1, 0, 1, "纳入"]
    assert three[5] == "未报送" and three[9] == 0
    notes = " ".join(str(c.value) for row in sheet.iter_rows(min_row=9) for c in row if c.value)
    assert "已报送1个，逾期报送0个，需修改1个，未报送1个" in notes


def test_charts_are_native_with_chinese_titles(result) -> None:
    with zipfile.ZipFile(result.stats_path) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        xml = {n: z.read(n).decode("utf-8") for n in charts}
        rels = {n: z.read(n).decode() for n in z.namelist() if n.startswith(("xl/worksheets/_rels/",
                                                                             "xl/chartsheets/_rels/"))}
    assert len(charts) == 3
    text = " ".join(xml.values())
    for title in ("各支部三会一课开展次数", "各支部党费收缴率", "期末发展党员队伍情况（合计）"):
        assert title in text
    assert "'表1 三会一课开展情况'!$C$5:$C$7" in text  # categories: the branch names
    # each on a chart sheet of its own (none drawn over a table, where a page break could cut it)
    assert sorted(rels) == ["xl/chartsheets/_rels/sheet1.xml.rels", "xl/chartsheets/_rels/sheet2.xml.rels",
                            "xl/chartsheets/_rels/sheet3.xml.rels"]


def test_strict_leaves_out_returns_with_errors_and_says_which(ws) -> None:
    result = consolidate(ws, as_of=AS_OF, strict=True)
    assert [(e.code, e.errors) for e in result.excluded] == [("002", 1)]
    assert result.included == ["001"]
    stats = _load(result.stats_path, data_only=True)
    t1 = stats["表1 三会一课开展情况"]
    assert [c.value for c in t1[6]][3] == "有错误，未纳入汇总"
    assert [c.value for c in t1[8]][4] == 4  # only 001's general meetings
    t5 = stats["表5 台账报送情况"]
    assert [c.value for c in t5[6]][-1] == "未纳入（有错误）"
    notes = " ".join(str(c.value) for row in t5.iter_rows(min_row=9) for c in row if c.value)
    assert "办公室党支部（002）的台账有1处错误" in notes
    ledger = _load(result.ledger_path)
    assert {r[0] for r in _rows(ledger["党员名册"])[1:]} == {"001"}
    assert len(_rows(ledger[PROBLEM_SHEET])) == 3  # the problems of every current return are still listed


def test_a_new_return_supersedes_the_old_one(ws) -> None:
    fixed = return_002_2025()
    fixed.ledgers["meetings"].rows.append(
        type(fixed.ledgers["meetings"].rows[0])(99, {"date": date(2025, 8, 5), "meeting_type": "支部党员大会",
                                                     "topic": "补开", "host": "赵红", "expected": 4, "present": 4}))
    store_returns(ws, [(fixed, "2026-01-25T08:00:00", [])])
    result = consolidate(ws, as_of=AS_OF, strict=True)
    assert result.excluded == [] and result.included == ["001", "002"]
    sheet = _load(result.stats_path, data_only=True)["表1 三会一课开展情况"]
    assert [c.value for c in sheet[6]][4] == 4


def test_a_return_from_a_branch_not_on_the_list_is_kept_in_the_ledger_but_not_counted(ws) -> None:
    from test_statistics import make_return, member

    other = make_return("009", "已撤销党支部", 2025,
                        roster=[member("甲", "男", date(1980, 1, 1), "高中", date(2000, 1, 1), date(2001, 1, 1))])
    store_returns(ws, [(other, "2026-01-06T10:00:00", [])])
    result = consolidate(ws, as_of=AS_OF)
    assert result.unlisted == [{"code": "009", "name": "已撤销党支部", "year": 2025}]
    roster = _rows(_load(result.ledger_path)["党员名册"])
    assert roster[-1][:4] == ["009", "已撤销党支部", None, "甲"]
    stats = _load(result.stats_path, data_only=True)
    assert [c.value for c in stats["表1 三会一课开展情况"][8]][3] == 12  # 甲 is not counted
    notes = " ".join(str(c.value) for row in stats["表5 台账报送情况"].iter_rows(min_row=9) for c in row if c.value)
    assert "已撤销党支部（009）" in notes and "不在支部名单中" in notes


def test_no_temporary_files_are_left_and_rerun_replaces(ws) -> None:
    consolidate(ws, as_of=AS_OF)
    consolidate(ws, as_of=AS_OF)
    names = sorted(p.name for p in (ws.root / "output").iterdir())
    assert names == [LEDGER_FILE, STATS_FILE]


def test_nothing_collected_is_a_clear_error(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "empty")
    with pytest.raises(NoReturns) as exc:
        consolidate(ws, as_of=AS_OF)
    assert "还没有收集到2025年的任何台账" in str(exc.value)
    assert not (ws.root / "output" / STATS_FILE).exists()


@needs_soffice
def test_libreoffice_converts_both_workbooks_to_pdf(result, tmp_path: Path) -> None:
    out = tmp_path / "pdf"
    proc = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(result.stats_path), str(result.ledger_path)],
        capture_output=True, timeout=180, check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    for name in ("统计表.pdf", "汇总台账.pdf"):
        pdf = out / name
        assert pdf.exists() and pdf.stat().st_size > 5000
        assert pdf.read_bytes().startswith(b"%PDF")


def test_figures_read_from_the_store_branch_by_branch_equal_those_of_the_returns_in_memory(ws) -> None:
    from taizhang.collect.status import round_status, statuses
    from taizhang.party.periods import Period
    from taizhang.statistics.compute import compute
    from taizhang.statistics.load import ReturnsByYear, StoredReturns, load_current, load_stats
    from taizhang.workspace import branches as branches_mod

    period = Period.year(2025)
    loaded = load_current(ws, period, statuses=statuses(ws, period.years))
    assert isinstance(loaded.returns, StoredReturns) and sorted(loaded.returns) == ["001", "002"]
    assert loaded.returns["001"][0].rows("roster") == return_001_2025().rows("roster")
    assert ReturnsByYear(loaded.returns)["002"][2025].rows("meetings") == return_002_2025().rows("meetings")
    streamed = load_stats(ws, period, as_of=AS_OF, loaded=loaded)
    branch_list, _ = branches_mod.read(ws.branches_path)
    in_memory = compute({"001": return_001_2025(), "002": return_002_2025()}, branch_list, period, ws.settings,
                        as_of=AS_OF, statuses=round_status(ws), definitions=ws.definitions)
    assert streamed.to_dict() == in_memory.to_dict()
    loaded.returns.close()
