"""Feedback: the branch's own returned workbook, marked. Every cell shows what the branch typed,
as typed (value, type, number format, its own formulas); each problem cell gets a light red fill
and a comment with the message; a first sheet 问题清单 lists every problem, most serious first,
each line a link to its cell.

An xlsx/xlsm return is patched (collect/patch.py): its package is copied with the list sheet,
one style per marked cell format and the comments added. A return that cannot be patched (.xls,
.et, .ods, or an unusual package) gets a rebuilt ledger workbook instead, written from the values
read (dates as dates, numbers with the ledger's formats, text the branch typed as text).

The workbook carries the return's identity and signature unchanged, so the corrected file is
collected like the original. Nothing of another branch appears in it; user text stays text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taizhang import clock
from taizhang.collect.patch import ListLine, ListSheet, Marks
from taizhang.problems import Problem, count_by_severity
from taizhang.records import BranchReturn
from taizhang.safeio import safe_filename
from taizhang.signing import Identity
from taizhang.workspace.branches import Branch
from taizhang.workspace.definitions import WorkbookDefinition

if TYPE_CHECKING:
    from taizhang.issue.workbook import IssueRound
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


LIST_HEADERS = ["严重程度", "工作表", "行", "列", "填写的内容", "问题", "怎么改", "规则"]
LIST_WIDTHS = [8.0, 12.0, 6.0, 20.0, 16.0, 42.0, 30.0, 14.0]  # 列: a link does not wrap in LibreOffice
_FIX_START = re.compile(r"(?<=[。；！])(?=请|建议|如确|确有|如是|如需|如实|如已|统计时)")
_DEFAULT_FIX = {"错误": "请改正后重新报送。", "警告": "请核对；确有原因的，请在备注中说明。", "提示": "供参考。"}


def split_message(problem: Problem) -> tuple[str, str]:
    """(what is wrong, what to do) from a problem's message: the advice starts with the first
    sentence that begins with 请/建议/…; a message without one gets the severity's advice."""
    text = problem.message.strip()
    m = _FIX_START.search(text)
    if m and m.start() > 0:
        return text[:m.start()], text[m.start():]
    return text, _DEFAULT_FIX.get(problem.severity.value, "")


def list_order(definition: WorkbookDefinition, problems: list[Problem]) -> list[Problem]:
    """错误 → 警告 → 提示; within each, the whole file first, then the sheets in the workbook's
    order, then row and column."""
    sheets = {led.sheet: i for i, led in enumerate(definition.ledgers)}

    def key(p: Problem) -> tuple[Any, ...]:
        where = -1 if not p.sheet else sheets.get(p.sheet, len(sheets))
        return (p.severity.rank, where, p.sheet, p.row or 0, p.column_letter.rjust(3), p.rule_id, p.message)

    return sorted(problems, key=key)


@dataclass
class _Spot:
    """Where a problem is in the returned file: the sheet's name there and the cell (or none)."""

    problem: Problem
    sheet: str  # the sheet's name in the file ("" for the whole file)
    row: int | None  # 1-based
    col: int | None  # 0-based


def _locate(definition: WorkbookDefinition, ret: BranchReturn, problems: list[Problem],
            names: list[str]) -> list[_Spot]:
    """Each problem's cell in the returned file: its own row and column letter; a row problem
    without a column is put on the ledger's first column found in the file."""
    from taizhang.reading.base import column_index
    from taizhang.reading.extract import find_sheet

    out = []
    for p in list_order(definition, problems):
        led = definition.by_sheet(p.sheet) if p.sheet else None
        name = find_sheet(names, p.sheet) if p.sheet else None
        if led is None or name is None:
            out.append(_Spot(p, name or "", None, None))
            continue
        letter = p.column_letter
        if not letter and p.column:
            key = next((c.key for c in led.columns if c.header == p.column), "")
            letter = ret.letter(led.id, key)
        if not letter and p.row:
            found = ret.ledgers[led.id].letters if led.id in ret.ledgers else {}
            letter = min(found.values(), key=lambda x: (len(x), x)) if found else ""
        if p.row and letter:
            out.append(_Spot(p, name, p.row, column_index(letter)))
        else:
            out.append(_Spot(p, name, None, None))
    return out


def _list_spec(branch_name: str, problems: list[Problem], spots: list[_Spot]) -> ListSheet:
    from taizhang import catalog
    from taizhang.reading.base import column_letter

    counts = count_by_severity(problems)
    note = (f"经检查，报送的台账有错误{counts['错误']}处、警告{counts['警告']}处、提示{counts['提示']}处。"
            "有问题的单元格已标为浅红色，鼠标移到单元格上可看到说明；点击下表的工作表、行、列可跳到该单元格。"
            "“错误”必须改正，“警告”请核对（确有原因的请在备注中说明），“提示”供参考。"
            "改好后请直接报送本文件（不要另建新表，本表可以保留）。")
    lines = []
    for spot in spots:
        p = spot.problem
        problem, fix = split_message(p)
        rule = catalog.RULES.get(p.rule_id)
        target = ""
        if spot.sheet:
            quoted = spot.sheet.replace("'", "''")
            cell = f"{column_letter(spot.col)}{spot.row}" if spot.row and spot.col is not None else "A1"
            target = f"'{quoted}'!{cell}"
        column = p.column
        letter = column_letter(spot.col) if spot.col is not None else p.column_letter
        if letter:
            column = f"{column}（{letter}）" if column else letter
        lines.append(ListLine(
            severity=p.severity.value, sheet=p.sheet or "（整个文件）", row=str(spot.row or p.row or ""),
            column=column, value=p.value, problem=problem, fix=fix,
            rule=rule.title if rule else p.rule_id, target=target))
    return ListSheet(title=f"{branch_name}台账问题反馈", note=note, headers=LIST_HEADERS,
                     widths=LIST_WIDTHS, lines=lines, name=LIST_SHEET)


def _heights(definition: WorkbookDefinition, ret: BranchReturn, names: list[str]) -> dict[str, dict[int, float]]:
    """The rows of the table ledgers whose text wraps onto more lines than a plain row shows,
    with the height they need (at the issued column widths)."""
    from taizhang.reading.extract import find_sheet
    from taizhang.xlsx import wrapped_height

    out: dict[str, dict[int, float]] = {}
    for led in definition.ledgers:
        name = find_sheet(names, led.sheet)
        if led.kind == "form" or name is None:
            continue
        wide = [(c.key, c.width) for c in led.columns if c.type in ("text", "person", "enum")]
        for row in ret.rows(led.id):
            need = 0.0
            for key, width in wide:
                value = row.values.get(key) if key not in row.invalid else row.raw.get(key)
                if isinstance(value, str) and (len(value) * 2 > width - 2 or "\n" in value):
                    need = max(need, wrapped_height([(0, value)], max(int(width), 4)) * 15 / 14)
            if need > 20:
                out.setdefault(name, {})[row.excel_row] = round(need, 1)
    return out


def _marks(spots: list[_Spot]) -> Marks:
    grouped: dict[str, dict[tuple[int, int], list[Problem]]] = {}
    for spot in spots:
        if spot.row and spot.col is not None:
            grouped.setdefault(spot.sheet, {}).setdefault((spot.row, spot.col), []).append(spot.problem)
    cells: dict[str, dict[tuple[int, int], str]] = {}
    for sheet, by_cell in grouped.items():
        for where, found in by_cell.items():
            lines = [f"【{p.severity.value}】{p.message}" for p in found]
            cells.setdefault(sheet, {})[where] = "\n".join(
                f"{i}. {line}" if len(lines) > 1 else line for i, line in enumerate(lines, start=1))
    return Marks(cells)


def build_feedback(
    path: Path,
    *,
    definition: WorkbookDefinition,
    rnd: IssueRound,
    branch: Branch,
    ret: BranchReturn,
    problems: list[Problem],
    signed: tuple[Identity, str] | None,
    original: Path | None = None,
) -> Path:
    """Write a feedback workbook for one return to `path` (atomically); return the path.

    With `original` an xlsx/xlsm package, the branch's own file is patched (see the module's
    docstring); otherwise, or when it cannot be, the ledger workbook is rebuilt from the values
    read: then `signed` is the return's identity and signature (copied unchanged); when None and
    `rnd.key` is set, the feedback is signed anew for the branch; with neither, it has no identity.
    """
    from taizhang.collect import patch

    if original is not None and original.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            names = patch.sheet_names(original)
            spots = _locate(definition, ret, problems, names)
            marks = _marks(spots)
            marks.heights = _heights(definition, ret, names)
            patch.patch_workbook(original, path, _list_spec(branch.name, problems, spots), marks)
            return path
        except patch.CannotPatch:
            pass  # rebuilt below
    from taizhang.issue.workbook import write_workbook  # xlsxwriter: only for a rebuilt workbook

    spots = _locate(definition, ret, problems, [led.sheet for led in definition.ledgers])
    marks = _rebuilt_marks(definition, ret, spots)
    write_workbook(
        path, rnd, branch, issued_at=clock.stamp(),
        prefill=_rows_for(definition, ret), marks=marks,
        first_sheet=_list_sheet(_list_spec(branch.name, problems, spots)), signed=signed,
    )
    return path


# --- the rebuilt workbook (a return that cannot be patched) ---------------------------------------------
def _rows_for(definition: WorkbookDefinition, ret: BranchReturn) -> dict[str, list[dict[str, Any]]]:
    """The rows as read, for writing again: what could not be read as the branch wrote it, and a
    number the branch typed as text kept as text."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for led in definition.ledgers:
        out = []
        for row in ret.rows(led.id):
            values = dict(row.values)
            for key in row.text_cells:
                if values.get(key) is not None:
                    values[key] = str(values[key])
            for key in row.invalid:
                values[key] = row.raw.get(key, values.get(key))
            out.append(values)
        rows[led.id] = out
    return rows


def _rebuilt_marks(definition: WorkbookDefinition, ret: BranchReturn,
                   spots: list[_Spot]) -> dict[str, dict[tuple[int, str], list[str]]]:
    """Marks for the rebuilt workbook: (row index, column key) → messages, and the spots moved to
    where the cells are in the rebuilt workbook."""
    from taizhang.issue.workbook import FIRST_DATA_ROW
    from taizhang.reading.base import column_index

    marks: dict[str, dict[tuple[int, str], list[str]]] = {}
    for spot in spots:
        p = spot.problem
        led = definition.by_sheet(p.sheet) if p.sheet else None
        if led is None or spot.row is None or spot.col is None:
            continue
        letters = ret.ledgers[led.id].letters if led.id in ret.ledgers else {}
        key = next((k for k, letter in letters.items() if column_index(letter) == spot.col), "")
        if not key:
            spot.row = spot.col = None
            continue
        if led.kind == "form":
            index, row_out = 0, FIRST_DATA_ROW + 1 + next(i for i, c in enumerate(led.columns) if c.key == key)
            col_out = 1
        else:
            found = next((i for i, r in enumerate(ret.rows(led.id)) if r.excel_row == spot.row), None)
            if found is None:
                spot.row = spot.col = None
                continue
            index, row_out = found, FIRST_DATA_ROW + 1 + found
            col_out = next(i for i, c in enumerate(led.columns) if c.key == key)
        marks.setdefault(led.id, {}).setdefault((index, key), []).append(f"【{p.severity.value}】{p.message}")
        spot.row, spot.col = row_out, col_out
    return marks


def _list_sheet(spec: ListSheet):
    def build(wb: Any, f: Any) -> None:
        from taizhang.xlsx import print_setup, wrapped_height

        ws = wb.add_worksheet(spec.name)
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1, "text_wrap": True}
        head = wb.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "align": "center"})
        cell = wb.add_format(base)
        center = wb.add_format({**base, "align": "center"})
        small = wb.add_format({**base, "font_size": 9, "font_color": "#595959"})
        sev = {"错误": wb.add_format({**base, "font_color": "#C00000", "bold": True, "align": "center"}),
               "警告": wb.add_format({**base, "font_color": "#9C5700", "bold": True, "align": "center"})}
        link = wb.add_format({**base, "font_color": "#0563C1", "underline": 1, "align": "center"})
        note_fmt = wb.add_format({"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "top"})
        last = len(spec.headers) - 1
        for c, w in enumerate(spec.widths):
            ws.set_column(c, c, w)
        ws.merge_range(0, 0, 0, last, spec.title, f.title)
        ws.set_row(0, 30)
        ws.merge_range(1, 0, 1, last, spec.note, note_fmt)
        ws.set_row(1, max(30, wrapped_height([(0, spec.note)], int(sum(spec.widths))) + 4))
        for c, h in enumerate(spec.headers):
            ws.write_string(2, c, h, head)
        for i, line in enumerate(spec.lines):
            r = 3 + i
            texts = [line.severity, line.sheet, line.row, line.column, line.value, line.problem, line.fix,
                     line.rule]
            for c, text in enumerate(texts):
                fmt = sev.get(text, center) if c == 0 else small if c == 7 else cell if c >= 4 else center
                if text and line.target and (c == 1 or (c in (2, 3) and line.row)):
                    ws.write_url(r, c, f"internal:{line.target}", link, string=text or line.target)
                else:
                    ws.write_string(r, c, text, fmt)
            ws.set_row(r, max(20, max(wrapped_height([(0, t)], int(w)) for t, w in zip(texts, spec.widths)) + 2))
        ws.freeze_panes(3, 0)
        ws.autofilter(2, 0, 2 + max(len(spec.lines), 1), last)
        print_setup(ws, header_rows=(2, 2), widths=spec.widths, font_size=10)
        ws.activate()

    return build


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
    from taizhang.issue.workbook import IssueRound

    deadline = settings.deadline if ret.year == settings.year else (deadlines or {}).get(ret.year)
    rnd = IssueRound(definition=definition, org=settings.org_name, year=ret.year,
                     deadline=deadline, contact=settings.contact, phone=settings.phone, key=key)
    branch = Branch(code=ret.branch_code, name=ret.branch_name)
    return build_feedback(path, definition=definition, rnd=rnd, branch=branch, ret=ret,
                          problems=problems, signed=identity, original=original)
