"""Filling issued workbooks the way a branch does (openpyxl, like Excel would save), for tests."""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import openpyxl

from taizhang.issue.workbook import workbook_name
from taizhang.workspace.branches import Branch

HEADER_ROW = 2
SENT = datetime(2026, 1, 8, 10, 0).timestamp()


def issued_path(ws: Any, code: str) -> Path:
    """The outbox workbook of a branch (issuing first if needed)."""
    from taizhang.issue import issue_workspace

    branch = next(b for b in _branches(ws) if b.code == code)
    path = ws.root / "outbox" / workbook_name(branch, ws.settings.year)
    if not path.exists():
        issue_workspace(ws, codes=[code])
    return path


def _branches(ws: Any) -> list[Branch]:
    from taizhang.workspace import branches

    return branches.read(ws.branches_path)[0]


def columns(sheet: Any, header_row: int = HEADER_ROW) -> dict[str, int]:
    """Header text (without "*") -> 1-based column index."""
    return {str(c.value).rstrip("*"): c.column for c in sheet[header_row] if c.value}


def write_rows(sheet: Any, rows: list[dict[str, Any]], header_row: int = HEADER_ROW) -> None:
    """Write rows (header text -> value) below the header."""
    cols = columns(sheet, header_row)
    for i, row in enumerate(rows):
        for header, value in row.items():
            cell = sheet.cell(header_row + 1 + i, cols[header])
            cell.value = value
            if isinstance(value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"


def write_form(sheet: Any, values: dict[str, Any]) -> None:
    """Fill the 年度小结 form (label in column A, value in column B)."""
    for row in sheet.iter_rows(min_row=3):
        label = str(row[0].value or "").rstrip("*")
        if label in values:
            row[1].value = values[label]


MEMBERS = [
    {"姓名": "王建国", "性别": "男", "出生日期": date(1975, 3, 1), "入党日期": date(2000, 7, 1),
     "转正日期": date(2001, 7, 1), "党员类别": "正式党员", "人员类别": "在职", "党内职务": "书记"},
    {"姓名": "李红", "性别": "女", "出生日期": date(1985, 6, 1), "入党日期": date(2008, 6, 1),
     "转正日期": date(2009, 6, 1), "党员类别": "正式党员", "人员类别": "在职"},
    {"姓名": "张强", "性别": "男", "出生日期": date(1990, 1, 1), "入党日期": date(2015, 5, 1),
     "转正日期": date(2016, 5, 1), "党员类别": "正式党员", "人员类别": "在职"},
]


def fill_return(ws: Any, code: str, target: Path, edit: Callable[[openpyxl.Workbook], None] | None = None,
                *, meetings: list[dict[str, Any]] | None = None) -> Path:
    """Copy a branch's issued workbook to `target`, fill a small clean year, apply `edit`, save."""
    src = issued_path(ws, code)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, target)
    wb = openpyxl.load_workbook(target)
    write_rows(wb["党员名册"], MEMBERS)
    write_rows(wb["三会一课"], meetings if meetings is not None else [
        {"日期": date(2025, 3, 5), "会议类型": "支部党员大会", "主题或议题": "学习全国两会精神", "主持人或授课人": "王建国",
         "记录人": "李红", "应到人数": 3, "实到人数": 3},
    ])
    write_rows(wb["党费收缴"], [
        {"姓名": m["姓名"], "人员类别": "在职", "月计算基数(元)": 4000, "交纳比例": "1%", "月应交(元)": 40,
         **{f"{k}月": 40 for k in range(1, 13)}} for m in MEMBERS
    ])
    write_form(wb["年度小结"], {"工作亮点和特色做法": "1. 坚持“三会一课”。", "填报人": "李红", "支部书记": "王建国",
                              "填报日期": date(2026, 1, 5)})
    if edit is not None:
        edit(wb)
    wb.save(target)
    # The branch sent it before the deadline (2026-01-15): the file's time decides on time / late.
    os.utime(target, (SENT, SENT))
    return target
