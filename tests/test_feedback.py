"""Feedback workbooks and the branch self-check (validate), read back as a branch would see them."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
from conftest import invoke
from returns import columns, fill_return, write_rows

from taizhang.workspace.store import Store

AS_OF = "2026-01-10"
FEEDBACK = "001_机关第一党支部_反馈.xlsx"


def _below_quorum(wb):
    write_rows(wb["三会一课"], [
        {"日期": date(2025, 3, 5), "会议类型": "支部党员大会", "主题或议题": "=HYPERLINK(\"http://x\",\"点我\")",
         "主持人或授课人": "王建国", "应到人数": 3, "实到人数": 1},
    ])
    sheet = wb["三会一课"]
    sheet.cell(3, columns(sheet)["主题或议题"]).data_type = "s"  # typed as text by the branch


def test_feedback_marks_problem_cells_and_lists_them(runner, ws) -> None:
    fill_return(ws, "001", ws.root / "inbox" / "a.xlsx", _below_quorum)
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF, "--json")
    [f] = json.loads(result.stdout)["files"]
    assert f["outcome"] == "需修改"
    path = ws.root / "feedback" / FEEDBACK
    assert f["feedback"] == str(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "问题清单"
    listing = wb["问题清单"]
    rows = [[c.value for c in r] for r in listing.iter_rows(min_row=4) if r[0].value]
    assert [c.value for c in listing[3]] == ["严重程度", "工作表", "行", "列", "填写的内容", "问题", "怎么改", "规则"]
    quorum = next(r for r in rows if r[7] == "党员大会不足法定人数")
    assert quorum[0] == "错误" and quorum[1] == "三会一课" and quorum[2] == "3"
    assert quorum[6].startswith("请核对人数")
    link = listing.cell(4 + rows.index(quorum), 2).hyperlink
    assert link is not None and "三会一课" in link.location
    meetings = wb["三会一课"]
    cols = columns(meetings)
    cell = meetings.cell(3, cols["实到人数"])
    assert cell.value == 1
    assert cell.comment is not None and "未超过半数" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("F8CBAD")
    topic = meetings.cell(3, cols["主题或议题"])
    assert topic.value.startswith("=HYPERLINK") and topic.data_type == "s"  # text, not a formula
    assert wb["_meta"].sheet_state == "veryHidden"
    # Nothing of another branch
    assert "办公室党支部" not in "".join(str(c.value) for s in wb for r in s.iter_rows() for c in r if c.value)


def test_corrected_feedback_supersedes_the_first_return(runner, ws, tmp_path: Path) -> None:
    fill_return(ws, "001", ws.root / "inbox" / "a.xlsx", _below_quorum)
    invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF)
    corrected = ws.root / "inbox" / "corrected.xlsx"
    shutil.copy(ws.root / "feedback" / FEEDBACK, corrected)
    wb = openpyxl.load_workbook(corrected)
    meetings = wb["三会一课"]
    meetings.cell(3, columns(meetings)["实到人数"]).value = 3
    wb.save(corrected)
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF, "--json")
    files = {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}
    assert files["corrected.xlsx"]["outcome"] == "已接收", files["corrected.xlsx"]["problems"]
    assert files["corrected.xlsx"]["errors"] == 0
    with Store.open(ws.store_path) as store:
        subs = store.submissions(year=2025, branch_code="001")
        assert len(subs) == 2 and subs[-1].is_current and subs[-1].verified
        assert subs[-1].errors == 0


def test_validate_without_a_workspace(runner, ws, tmp_path: Path) -> None:
    path = fill_return(ws, "001", tmp_path / "self" / "我的台账.xlsx", _below_quorum)
    result = invoke(runner, "validate", path, "--as-of", AS_OF, "--feedback", "--json", cwd=tmp_path)
    assert result.exit_code == 1  # errors found
    [r] = json.loads(result.stdout)
    assert r["branch_code"] == "001" and r["year"] == 2025
    assert any(p["rule_id"] == "MEET-QUORUM" for p in r["problems"])
    assert Path(r["feedback"]).parent == path.parent and Path(r["feedback"]).is_file()
    with Store.open(ws.store_path) as store:
        assert store.submissions() == []  # nothing stored
    clean = fill_return(ws, "001", tmp_path / "self" / "clean.xlsx")
    result = invoke(runner, "validate", clean, "--as-of", AS_OF, cwd=tmp_path)
    assert "可以报送" in result.output or "错误0处" in result.output
    assert result.exit_code == 0, result.output
