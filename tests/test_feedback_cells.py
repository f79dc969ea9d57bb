"""The feedback workbook is the branch's own workbook, marked: every cell of the return is in it
as the branch typed it (value, type, number format, formulas), and 问题清单 is in order."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
from conftest import invoke
from openpyxl.comments import Comment
from returns import columns, fill_return, write_rows

from taizhang.collect.feedback import LIST_HEADERS, LIST_SHEET

AS_OF = "2026-01-10"
FEEDBACK = "001_机关第一党支部_反馈.xlsx"
SEVERITY_RANK = {"错误": 0, "警告": 1, "提示": 2}


def _typed_like_a_branch(wb) -> None:
    write_rows(wb["三会一课"], [
        {"日期": date(2025, 3, 5), "会议类型": "支部党员大会", "主题或议题": "学习" * 60, "主持人或授课人": "王建国",
         "记录人": "李红", "应到人数": 3, "实到人数": 1},
        {"日期": "2025年4月9日", "会议类型": "支委会", "主题或议题": "研究发展党员", "主持人或授课人": "王建国",
         "记录人": "李红", "应到人数": "11", "实到人数": 3},
        {"日期": 45756, "会议类型": "党小组会", "主题或议题": "学习", "主持人或授课人": "王建国",
         "记录人": "李红", "应到人数": 3, "实到人数": 3},
    ])
    meetings = wb["三会一课"]
    cols = columns(meetings)
    meetings.cell(3, cols["实到人数"]).comment = Comment("支部自己的批注", "李红")
    meetings.cell(4, cols["备注"]).comment = Comment("另一条批注", "李红")
    dues = wb["党费收缴"]
    dcols = columns(dues)
    dues.cell(3, dcols["1月"]).value = "40"  # typed as text
    dues.cell(4, dcols["全年实交(元)"]).value = 480  # the branch typed over our formula
    dues.cell(3, dcols["2月"]).number_format = "#,##0.00"


def _cells(path: Path, sheet: str) -> dict[str, tuple]:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    return {c.coordinate: (c.value, c.data_type, c.number_format)
            for row in ws.iter_rows() for c in row if c.value is not None}


def _collect(runner, ws) -> tuple[Path, Path, dict]:
    original = fill_return(ws, "001", ws.root / "inbox" / "a.xlsx", _typed_like_a_branch)
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF, "--json")
    [f] = json.loads(result.stdout)["files"]
    return original, ws.root / "feedback" / FEEDBACK, f


def test_every_cell_of_the_return_is_in_the_feedback_as_typed(runner, ws) -> None:
    original, feedback, f = _collect(runner, ws)
    assert f["feedback"] == str(feedback)
    before = openpyxl.load_workbook(original)
    after = openpyxl.load_workbook(feedback)
    assert after.sheetnames == [LIST_SHEET, *before.sheetnames]
    for name in before.sheetnames:
        old, new = _cells(original, name), _cells(feedback, name)
        assert old == new, name
        assert before[name].sheet_state == after[name].sheet_state
    meetings = after["三会一课"]
    cols = columns(meetings)
    # a date stays a date, "11" stays text, a typed total stays the branch's number
    assert meetings.cell(3, cols["日期"]).number_format == "yyyy-mm-dd"
    assert meetings.cell(4, cols["应到人数"]).data_type == "s"
    assert after["党费收缴"].cell(4, columns(after["党费收缴"])["全年实交(元)"]).value == 480
    # problem cells: filled, commented; the branch's own comment kept after ours
    quorum = meetings.cell(3, cols["实到人数"])
    assert quorum.fill.fgColor.rgb.endswith("F8CBAD")
    assert quorum.comment is not None
    text = quorum.comment.text
    assert "未超过半数" in text and text.index("未超过半数") < text.index("支部自己的批注")
    assert meetings.cell(4, cols["备注"]).comment.text == "另一条批注"
    # a hint on a text date: the text stays, the cell's own number format stays
    hinted = meetings.cell(4, cols["日期"])
    assert hinted.fill.fgColor.rgb.endswith("F8CBAD") and hinted.value == "2025年4月9日"
    assert hinted.number_format == before["三会一课"].cell(4, cols["日期"]).number_format
    assert "已识别为2025年4月9日" in hinted.comment.text
    assert meetings.cell(3, cols["日期"]).fill.fgColor.rgb != quorum.fill.fgColor.rgb
    # identity untouched: the feedback is collected like the return
    with zipfile.ZipFile(original) as a, zipfile.ZipFile(feedback) as b:
        assert a.read("docProps/custom.xml") == b.read("docProps/custom.xml")


def test_problem_list_is_ordered_and_links_to_each_cell(runner, ws) -> None:
    _original, feedback, f = _collect(runner, ws)
    wb = openpyxl.load_workbook(feedback)
    listing = wb[LIST_SHEET]
    assert wb.active.title == LIST_SHEET
    assert [c.value for c in listing[3]] == LIST_HEADERS
    lines = [[c.value for c in row] for row in listing.iter_rows(min_row=4) if row[0].value]
    assert len(lines) == len(f["problems"])
    order = list(wb.sheetnames)
    keys = [(SEVERITY_RANK[line[0]], -1 if line[1] == "（整个文件）" else order.index(line[1]), int(line[2] or 0))
            for line in lines]
    assert keys == sorted(keys)
    assert lines[0][0] == "错误" and "提示" in [line[0] for line in lines]
    assert not any(str(line[7]).startswith(("MEET-", "CELL-")) for line in lines)  # titles, not ids
    for i, line in enumerate(lines):
        if line[2]:
            link = listing.cell(4 + i, 3).hyperlink
            sheet, cell = link.location.rsplit("!", 1)
            assert sheet.strip("'") == line[1] and cell.endswith(str(line[2]))
            assert listing.row_dimensions[4 + i].height >= 20


def test_a_feedback_sent_back_gets_one_fresh_list(runner, ws) -> None:
    _original, feedback, _f = _collect(runner, ws)
    again = ws.root / "inbox" / "b.xlsx"
    again.write_bytes(feedback.read_bytes())
    wb = openpyxl.load_workbook(again)
    meetings = wb["三会一课"]
    meetings.cell(3, columns(meetings)["实到人数"]).value = 2  # corrected; other problems remain
    wb.save(again)
    result = invoke(runner, "-w", ws.root, "collect", str(again), "--as-of", AS_OF, "--json")
    [f] = json.loads(result.stdout)["files"]
    assert f["outcome"] in ("已接收", "需修改") and f["feedback"]
    wb = openpyxl.load_workbook(feedback)
    assert wb.sheetnames.count(LIST_SHEET) == 1 and wb.sheetnames[0] == LIST_SHEET
    assert not any(line[0].value == "错误" and "半数" in str(line[5].value)
                   for line in wb[LIST_SHEET].iter_rows(min_row=4))
    cell = wb["三会一课"].cell(3, columns(wb["三会一课"])["实到人数"])
    assert cell.comment is None or "未超过半数" not in cell.comment.text
    assert not cell.fill.fgColor.rgb.endswith("F8CBAD")  # the old mark is gone with the problem
    assert cell.number_format == "0"


def test_collect_summary_counts_branches_not_files(runner, ws) -> None:
    fill_return(ws, "001", ws.root / "inbox" / "a.xlsx", _typed_like_a_branch)
    fill_return(ws, "001", ws.root / "inbox" / "b.xlsx", lambda wb: (_typed_like_a_branch(wb),
                                                                    wb["年度小结"].cell(3, 2, "改过")))
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF)
    assert "已为 1 个支部生成反馈表" in result.stdout


def test_a_return_that_cannot_be_patched_is_rebuilt_with_its_types(ws, tmp_path: Path) -> None:
    """An .xls/.ods return (here: the same data, handed over as if it were one) is written again:
    dates as dates, text typed in a number column as text, problem cells with their format."""
    from taizhang.collect.feedback import write_feedback_file
    from taizhang.collect.files import candidate_for
    from taizhang.collect.process import CollectContext, process_file
    from taizhang.workspace.branches import read, usable

    path = fill_return(ws, "001", tmp_path / "a.xlsx", _typed_like_a_branch)
    ctx = CollectContext(definition=ws.definitions, settings=ws.settings,
                         branches={b.code: b for b in usable(read(ws.branches_path)[0])}, key=ws.key,
                         as_of=date(2026, 1, 10))
    done = process_file(candidate_for(path), ctx)
    assert done.ret is not None and done.signed is not None
    out = tmp_path / "fb.xlsx"
    write_feedback_file(out, definition=ws.definitions, settings=ws.settings, key=ws.key, ret=done.ret,
                        problems=done.problems, original=tmp_path / "a.ods", identity=done.signed)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == LIST_SHEET
    lines = [[c.value for c in row] for row in wb[LIST_SHEET].iter_rows(min_row=4) if row[0].value]
    ranks = [SEVERITY_RANK[line[0]] for line in lines]
    assert ranks == sorted(ranks) and len(lines) == len(done.problems)
    meetings = wb["三会一课"]
    cols = columns(meetings)
    first = meetings.cell(3, cols["日期"])
    assert first.value.date() == date(2025, 3, 5) and first.number_format == "yyyy-mm-dd"
    assert meetings.cell(4, cols["应到人数"]).value == "11"
    hinted = meetings.cell(4, cols["日期"])
    assert hinted.is_date and hinted.number_format == "yyyy-mm-dd"  # read as a date, shown as one
    assert hinted.fill.fgColor.rgb.endswith("F8CBAD") and "已识别为" in hinted.comment.text
    quorum = meetings.cell(3, cols["实到人数"])
    assert quorum.value == 1 and quorum.number_format == "0" and quorum.comment is not None
