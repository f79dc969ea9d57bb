"""Feedback: the branch's own data in a fresh ledger workbook, every problem cell highlighted with
the message as a comment, and a first sheet 问题清单 linking to each cell.

The workbook carries the return's identity and signature unchanged, so the corrected file is
collected like the original. Nothing of another branch appears in it; user text stays text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taizhang import clock
from taizhang.issue.workbook import FIRST_DATA_ROW, IssueRound, write_workbook
from taizhang.problems import Problem, count_by_severity, sort_key
from taizhang.records import BranchReturn
from taizhang.safeio import safe_filename
from taizhang.signing import Identity
from taizhang.workspace.branches import Branch
from taizhang.workspace.definitions import WorkbookDefinition

if TYPE_CHECKING:
    from taizhang.workspace import Workspace

LIST_SHEET = "问题清单"


# Below this much free space, a feedback workbook that could not be written is put down to a full disk.
LOW_SPACE_BYTES = 4 * 1024 * 1024


def failed_message(folder: Path) -> str:
    """Why a return's feedback workbook could not be put into `folder`, said as the collect result's
    message: a read-only folder, a full disk, or (what is left, typically on Windows) the old
    feedback workbook open in Excel or WPS."""
    import shutil

    from taizhang.safeio import read_only_folder

    tail = "问题可用 taizhang problems 查看。"
    if read_only_folder(folder):
        return (f"已接收，但反馈表未能写入：{folder.name} 文件夹是只读的（例如只读的共享文件夹）。"
                f"需要反馈表时，请开放该文件夹的写入权限；{tail}")
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = LOW_SPACE_BYTES
    if free < LOW_SPACE_BYTES:
        return f"已接收，但磁盘空间已满，反馈表未能写入 {folder.name} 文件夹。请腾出磁盘空间；{tail}"
    return ("已接收，但反馈表未能写入feedback文件夹（原来的反馈表可能正在Excel或WPS中打开）。"
            f"{tail}")


def feedback_name(code: str, name: str, year: int | None = None) -> str:
    """`<编码>_<支部名称>_反馈.xlsx` (with `year`, for a return of a year other than the
    workspace's: `<编码>_<支部名称>_<年度>年_反馈.xlsx`), safe as a file name."""
    which = f"_{year}年" if year is not None else ""
    return f"{safe_filename(code)}_{safe_filename(name)}{which}_反馈.xlsx"


@dataclass
class _Placed:
    problem: Problem
    sheet: str
    row: int | None  # Excel row in the feedback workbook (1-based)
    letter: str


def _rows_for(definition: WorkbookDefinition, ret: BranchReturn) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for led in definition.ledgers:
        out = []
        for row in ret.rows(led.id):
            values = dict(row.values)
            for key in row.invalid:
                values[key] = row.raw.get(key, values.get(key))
            out.append(values)
        rows[led.id] = out
    return rows


def _place(definition: WorkbookDefinition, ret: BranchReturn, problems: list[Problem]
           ) -> tuple[dict[str, dict[tuple[int, str], list[str]]], list[_Placed]]:
    from xlsxwriter.utility import xl_col_to_name

    marks: dict[str, dict[tuple[int, str], list[str]]] = {}
    placed: list[_Placed] = []
    for p in sorted(problems, key=sort_key):
        led = definition.by_sheet(p.sheet)
        if led is None:
            placed.append(_Placed(p, p.sheet, None, ""))
            continue
        keys = {c.header: c.key for c in led.columns}
        key = keys.get(p.column, "")
        col_index = next((i for i, c in enumerate(led.columns) if c.key == key), None)
        if led.kind == "form":
            if key:
                marks.setdefault(led.id, {}).setdefault((0, key), []).append(p.message)
                row = FIRST_DATA_ROW + 1 + (col_index or 0)
                placed.append(_Placed(p, led.sheet, row, "B"))
            else:
                placed.append(_Placed(p, led.sheet, None, ""))
            continue
        index = next((i for i, r in enumerate(ret.rows(led.id)) if r.excel_row == p.row), None)
        if index is None:
            placed.append(_Placed(p, led.sheet, None, ""))
            continue
        mark_key = key or (led.columns[1].key if len(led.columns) > 1 else led.columns[0].key)
        marks.setdefault(led.id, {}).setdefault((index, mark_key), []).append(p.message)
        letter = xl_col_to_name(col_index if col_index is not None else 1)
        placed.append(_Placed(p, led.sheet, FIRST_DATA_ROW + 1 + index, letter))
    return marks, placed


def _list_sheet(branch_name: str, problems: list[Problem], placed: list[_Placed]):
    counts = count_by_severity(problems)

    def build(wb: Any, f: Any) -> None:
        ws = wb.add_worksheet(LIST_SHEET)
        head = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "align": "center", "valign": "vcenter"})
        cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
        red = wb.add_format({"border": 1, "font_color": "#C00000", "bold": True, "align": "center", "valign": "vcenter"})
        link = wb.add_format({"border": 1, "font_color": "#0563C1", "underline": 1, "align": "center", "valign": "vcenter"})
        widths = [6, 8, 12, 10, 70, 16]
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        ws.merge_range(0, 0, 0, 5, f"{branch_name}台账问题反馈", f.title)
        ws.set_row(0, 30)
        note = (f"经检查，报送的台账有错误{counts['错误']}处、警告{counts['警告']}处、提示{counts['提示']}处。"
                "有问题的单元格已标为浅红色，鼠标移到单元格上可看到说明；点击下表“位置”可跳到该单元格。"
                "“错误”必须改正，“警告”请核对（确有原因的请在备注中说明），“提示”供参考。"
                "改好后请直接报送本文件（不要另建新表）。")
        ws.merge_range(1, 0, 1, 5, note, cell)
        ws.set_row(1, 66)
        for c, h in enumerate(["序号", "级别", "工作表", "位置", "问题和修改方法", "规则"]):
            ws.write_string(2, c, h, head)
        for i, item in enumerate(placed, start=1):
            r = 2 + i
            p = item.problem
            ws.write_number(r, 0, i, cell)
            ws.write_string(r, 1, p.severity.value, red if p.severity.value == "错误" else cell)
            ws.write_string(r, 2, item.sheet or "（整个文件）", cell)
            if item.row:
                ws.write_url(r, 3, f"internal:'{item.sheet}'!{item.letter}{item.row}", link,
                             string=f"{item.letter}{item.row}")
            elif item.sheet and item.sheet != "（整个文件）":
                ws.write_string(r, 3, "整表", cell)
            else:
                ws.write_string(r, 3, "—", cell)
            ws.write_string(r, 4, p.message, cell)
            ws.write_string(r, 5, p.rule_id, cell)
        ws.freeze_panes(3, 0)
        ws.autofilter(2, 0, 2 + len(placed), 5)
        ws.set_landscape()
        ws.set_paper(9)
        ws.repeat_rows(2)
        ws.fit_to_pages(1, 0)
        ws.activate()
        ws.protect("", {"autofilter": True, "sort": True, "select_locked_cells": True, "select_unlocked_cells": True})

    return build


def build_feedback(
    path: Path,
    *,
    definition: WorkbookDefinition,
    rnd: IssueRound,
    branch: Branch,
    ret: BranchReturn,
    problems: list[Problem],
    signed: tuple[Identity, str] | None,
) -> Path:
    """Write a feedback workbook for one return to `path` (atomically); return the path.

    `signed` is the return's identity and signature (copied unchanged); when None and `rnd.key`
    is set, the feedback is signed anew for the branch; with neither, it has no identity.
    """
    marks, placed = _place(definition, ret, problems)
    write_workbook(
        path, rnd, branch, issued_at=clock.stamp(),
        prefill=_rows_for(definition, ret), marks=marks,
        first_sheet=_list_sheet(branch.name, problems, placed), signed=signed,
    )
    return path


def write_feedback(ws: Workspace, ret: BranchReturn, problems: list[Problem], original: Path,
                   identity: tuple[Identity, str] | None = None) -> Path:
    """Write feedback/<编码>_<支部名称>_反馈.xlsx for a collected return; return its path."""
    path = ws.folder("feedback") / feedback_name(ret.branch_code, ret.branch_name,
                                                 ret.year if ret.year != ws.settings.year else None)
    return write_feedback_file(path, definition=ws.definitions, settings=ws.settings, key=ws.key, ret=ret,
                               problems=problems, original=original, identity=identity)


def write_feedback_file(path: Path, *, definition: WorkbookDefinition, settings: Any, key: bytes,
                        ret: BranchReturn, problems: list[Problem], original: Path,
                        identity: tuple[Identity, str] | None = None,
                        deadlines: Mapping[int, date | None] | None = None) -> Path:
    """Write the feedback workbook of a return to `path` (what `write_feedback` does, without a
    workspace: collect's worker processes call it); return `path`.

    `identity` is the return's verified identity and signature; when None, the original file's
    identity is used if its signature checks out with `key`. The workbook is of the return's
    year; a year other than the settings' takes its deadline from `deadlines`.
    """
    from taizhang import reading
    from taizhang.collect.identify import read_identity

    if identity is None:
        try:
            reader = reading.open_workbook(original)
            claimed, signature = read_identity(reader, reading.read_properties(original))
            identity = (claimed, signature) if claimed is not None and claimed.verify(key, signature) else None
        except reading.UnreadableFile:
            identity = None
    deadline = settings.deadline if ret.year == settings.year else (deadlines or {}).get(ret.year)
    rnd = IssueRound(definition=definition, org=settings.org_name, year=ret.year,
                     deadline=deadline, contact=settings.contact, phone=settings.phone, key=key)
    branch = Branch(code=ret.branch_code, name=ret.branch_name)
    return build_feedback(path, definition=definition, rnd=rnd, branch=branch, ret=ret,
                          problems=problems, signed=identity)
