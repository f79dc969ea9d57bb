"""One branch's ledger workbook as issued: 填表说明, a sheet per ledger with headers, drop-downs,
date validation, input messages and prefilled rows, the lists sheet, and the signed `_meta`."""


from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from taizhang.safeio import atomic_path, new_xlsx
from taizhang.signing import PROPERTY_PREFIX, Identity
from taizhang.workspace.branches import Branch
from taizhang.workspace.definitions import Column, Ledger, WorkbookDefinition

if TYPE_CHECKING:
    from taizhang.workspace import Workspace
    pass
from taizhang.xlsx import print_setup, wrapped_height, write_meta_sheet, write_title

HEADER_ROW = 1  # 0-based: Excel row 2
FIRST_DATA_ROW = 2  # 0-based: Excel row 3
VALIDATION_ROWS = 2000  # drop-downs and type checks reach this far below the header
LISTS_SHEET = "_lists"
RED, GREY, INPUT, NOTE = "#9C1C1C", "#595959", "#FFF9DB", "#F2F2F2"


@dataclass
class IssueRound:
    """What every workbook of one round shares."""

    definition: WorkbookDefinition
    org: str
    year: int
    deadline: date | None
    contact: str
    phone: str
    key: bytes


@dataclass
class _Formats:
    title: Any
    head_req: Any
    head_opt: Any
    cells: dict[str, Any] = field(default_factory=dict)
    label: Any = None
    text: Any = None
    bold: Any = None
    wrap: Any = None
    info_key: Any = None
    info_value: Any = None
    legend: dict[str, Any] = field(default_factory=dict)
    problem: Any = None
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)  # the input cells' format properties
    problems: dict[str, Any] = field(default_factory=dict)  # the same, marked as a problem (made when needed)
    add_format: Any = None


def workbook_name(branch: Branch, year: int) -> str:
    """`<编码>_<支部名称>_<年度>年党建工作台账.xlsx`, safe as a file name."""
    return f"{branch.file_stem}_{year}年党建工作台账.xlsx"


def _formats(wb: Any) -> _Formats:
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    f = _Formats(
        title=wb.add_format({**base, "bold": True, "font_size": 16, "align": "center", "font_name": "黑体"}),
        head_req=wb.add_format({**base, "bold": True, "font_color": "#FFFFFF", "bg_color": RED,
                                "border": 1, "align": "center", "text_wrap": True}),
        head_opt=wb.add_format({**base, "bold": True, "font_color": "#FFFFFF", "bg_color": GREY,
                                "border": 1, "align": "center", "text_wrap": True}),
    )
    input_base = {**base, "border": 1, "border_color": "#BFBFBF", "bg_color": INPUT, "locked": False}
    f.specs = {
        "text": {**input_base, "num_format": "@", "text_wrap": True},
        "date": {**input_base, "num_format": "yyyy-mm-dd", "align": "center"},
        "int": {**input_base, "num_format": "0", "align": "center"},
        "money": {**input_base, "num_format": "#,##0.00"},
        "enum": {**input_base, "align": "center"},
        "serial": {**input_base, "align": "center"},
        "formula": {**base, "border": 1, "border_color": "#BFBFBF", "bg_color": NOTE, "num_format": "#,##0.00"},
    }
    f.add_format = wb.add_format
    f.cells = {
        "text": wb.add_format({**input_base, "num_format": "@", "text_wrap": True}),
        "date": wb.add_format({**input_base, "num_format": "yyyy-mm-dd", "align": "center"}),
        "int": wb.add_format({**input_base, "num_format": "0", "align": "center"}),
        "money": wb.add_format({**input_base, "num_format": "#,##0.00"}),
        "enum": wb.add_format({**input_base, "align": "center"}),
        "serial": wb.add_format({**input_base, "align": "center"}),
        "formula": wb.add_format({**base, "border": 1, "border_color": "#BFBFBF", "bg_color": NOTE,
                                  "num_format": "#,##0.00", "locked": True}),
        "plain": wb.add_format({**base, "locked": False}),
    }
    f.problem = wb.add_format({**input_base, "bg_color": "#F8CBAD", "border_color": "#C00000",
                               "text_wrap": True, "num_format": "General"})
    f.label = wb.add_format({**base, "bold": True, "border": 1, "bg_color": NOTE, "text_wrap": True,
                             "align": "center"})
    f.text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
    f.bold = wb.add_format({**base, "bold": True, "font_size": 12})
    f.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top"})
    f.info_key = wb.add_format({**base, "bold": True, "border": 1, "bg_color": NOTE, "align": "center"})
    f.info_value = wb.add_format({**base, "border": 1, "text_wrap": True})
    f.legend = {
        "深红色表头": wb.add_format({**base, "bg_color": RED, "font_color": "#FFFFFF", "border": 1}),
        "深灰色表头": wb.add_format({**base, "bg_color": GREY, "font_color": "#FFFFFF", "border": 1}),
        "浅黄色底纹": wb.add_format({**base, "bg_color": INPUT, "border": 1}),
        "浅红色底纹": wb.add_format({**base, "bg_color": "#F8CBAD", "border": 1}),
    }
    return f


def _cell_kind(col: Column) -> str:
    if col.formula:
        return "formula"
    if col.type in ("text", "person"):
        return "text"
    if col.type in ("enum", "bool"):
        return "enum"
    return col.type if col.type in ("date", "int", "money", "serial") else "text"


def _cell_format(f: _Formats, col: Column) -> Any:
    return f.cells[_cell_kind(col)]


def _problem_format(f: _Formats, col: Column | None) -> Any:
    """The column's own cell format (number format, alignment) with the problem fill."""
    kind = _cell_kind(col) if col is not None else "text"
    if kind not in f.problems:
        f.problems[kind] = f.add_format({**f.specs[kind], "bg_color": "#F8CBAD", "border_color": "#C00000",
                                         "text_wrap": True, "locked": False})
    return f.problems[kind]


def _input_message(col: Column) -> dict[str, Any]:
    lines = []
    if col.help:
        lines.append(col.help)
    if col.type == "date":
        lines.append("日期格式：2025-03-05。")
    elif col.type in ("enum", "bool"):
        lines.append("请从下拉列表中选择。")
    elif col.type == "money":
        lines.append("金额（元），保留两位小数。")
    elif col.type == "int" and col.min is not None and col.max is not None:
        lines.append(f"填写{col.min:g}至{col.max:g}的整数。")
    elif col.type == "int":
        lines.append("填写整数。")
    if col.default not in (None, ""):
        lines.append(f"不填时默认为“{col.default}”。")
    if col.required:
        lines.append("必填。")
    message = "".join(lines)
    if not message:
        return {}
    if len(message) > 255:
        message = message[:254] + "…"
    title = col.header[:32]
    return {"input_title": title, "input_message": message}


class _Lists:
    """A hidden sheet holding drop-down lists that are too long for an inline list."""

    def __init__(self, wb: Any):
        self.wb = wb
        self.sheet: Any = None
        self.col = 0

    def source(self, values: tuple[str, ...]) -> str | list[str]:
        inline = ",".join(values)
        if len(inline) <= 250 and not any("," in v for v in values):
            return list(values)
        if self.sheet is None:
            self.sheet = self.wb.add_worksheet(LISTS_SHEET)
            self.sheet.hide()
            self.sheet.protect()
        for r, v in enumerate(values):
            self.sheet.write_string(r, self.col, v)
        letter = xl_col_to_name(self.col)
        self.col += 1
        return f"={LISTS_SHEET}!${letter}$1:${letter}${len(values)}"


def _validation(col: Column, year: int, lists: _Lists) -> dict[str, Any] | None:
    msg = _input_message(col)
    if col.type in ("enum", "bool"):
        return {
            "validate": "list", "source": lists.source(col.choices), **msg,
            "error_title": col.header[:32], "error_type": "stop",
            "error_message": f"请从下拉列表中选择“{col.header}”。"[:255],
        }
    if col.type == "date":
        lo, hi = (date(1900, 1, 1), date(2100, 12, 31)) if col.history else (date(year, 1, 1), date(year, 12, 31))
        text = "请填写日期，例如 2025-03-05。" if col.history else f"请填写{year}年内的日期，例如 {year}-03-05。"
        return {
            "validate": "date", "criteria": "between", "minimum": datetime.combine(lo, datetime.min.time()),
            "maximum": datetime.combine(hi, datetime.min.time()), **msg,
            "error_title": "日期", "error_type": "warning" if not col.history else "stop",
            "error_message": text,
        }
    if col.type == "int" and col.min is not None and col.max is not None:
        return {
            "validate": "integer", "criteria": "between", "minimum": int(col.min), "maximum": int(col.max), **msg,
            "error_title": col.header[:32], "error_message": f"请填写{col.min:g}至{col.max:g}的整数。",
        }
    if col.type == "int":
        return {
            "validate": "integer", "criteria": ">=", "value": 0, **msg,
            "error_title": col.header[:32], "error_message": "请填写不小于0的整数。",
        }
    if col.type == "money":
        return {
            "validate": "decimal", "criteria": ">=", "value": 0, **msg,
            "error_title": col.header[:32], "error_message": "请填写金额（元），不小于0。",
        }
    return {"validate": "any", **msg} if msg else None


def _write_value(ws: Workspace, r: int, c: int, value: Any, fmt: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, datetime):
        ws.write_datetime(r, c, value, fmt)
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime.combine(value, datetime.min.time()), fmt)
    elif isinstance(value, bool):
        ws.write_string(r, c, "是" if value else "否", fmt)
    elif isinstance(value, (int, float, Decimal)):
        ws.write_number(r, c, float(value), fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def _protect(ws: Workspace) -> None:
    ws.protect("", {
        "insert_rows": True, "delete_rows": True, "sort": True, "autofilter": True,
        "format_cells": True, "format_columns": True, "format_rows": True,
        "select_locked_cells": True, "select_unlocked_cells": True,
    })


Marks = dict[tuple[int, str], list[str]]  # (row index, column key) -> messages


def _mark(ws: Workspace, f: _Formats, r: int, c: int, value: Any, messages: list[str],
          col: Column | None = None) -> None:
    """Highlight a cell with a problem (keeping its column's number format) and attach the
    messages as an Excel comment."""
    fmt = _problem_format(f, col)
    _write_value(ws, r, c, value, fmt)
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    text = "\n".join(f"{i}. {m}" if len(messages) > 1 else m for i, m in enumerate(messages, start=1))
    ws.write_comment(r, c, text[:2000], {"author": "taizhang", "x_scale": 3, "y_scale": 2.5,
                                         "font_name": "宋体", "font_size": 10})


def _table_sheet(wb: Any, f: _Formats, ledger: Ledger, branch: Branch, year: int, lists: _Lists,
                 rows: list[dict[str, Any]], marks: Marks | None = None, *, title: str = "") -> None:
    ws = wb.add_worksheet(ledger.sheet)
    ncols = len(ledger.columns)
    ws.set_row(0, 30)
    ws.set_row(HEADER_ROW, 36)
    n_input = max(ledger.input_rows, len(rows))
    last_input = FIRST_DATA_ROW + n_input - 1
    last_valid = FIRST_DATA_ROW + max(VALIDATION_ROWS, n_input) - 1
    month_cols = [i for i, c in enumerate(ledger.columns) if c.key in {f"m{m}" for m in range(1, 13)}]
    for c, col in enumerate(ledger.columns):
        ws.set_column(c, c, col.width, f.cells["plain"])
        header = col.header + ("*" if col.required else "")
        ws.write_string(HEADER_ROW, c, header, f.head_req if col.required else f.head_opt)
        fmt = _cell_format(f, col)
        for r in range(FIRST_DATA_ROW, last_input + 1):
            if col.formula == "sum_months" and month_cols:
                first = xl_rowcol_to_cell(r, month_cols[0])
                last = xl_rowcol_to_cell(r, month_cols[-1])
                ws.write_formula(r, c, f'=IF(COUNT({first}:{last})=0,"",SUM({first}:{last}))', fmt, "")
            else:
                ws.write_blank(r, c, None, fmt)
        rule = _validation(col, year, lists)
        if rule and not col.formula:
            ws.data_validation(FIRST_DATA_ROW, c, last_valid, c, rule)
    tall = max((col.height for col in ledger.columns), default=0)  # a sheet of paragraphs (季度小结)
    if tall:
        for r in range(FIRST_DATA_ROW, last_input + 1):
            ws.set_row(r, tall)
    for i, data in enumerate(rows):
        r = FIRST_DATA_ROW + i
        for c, col in enumerate(ledger.columns):
            if col.key in data and not col.formula:
                _write_value(ws, r, c, data[col.key], _cell_format(f, col))
        # A prefilled row of wrapped text gets the height it needs (no program grows it later).
        texts = [(int(col.width), str(data[col.key])) for col in ledger.columns
                 if col.type in ("text", "person") and data.get(col.key) not in (None, "")]
        needed = max((wrapped_height([(0, text)], width) for width, text in texts), default=0)
        if needed > max(tall, 16):
            ws.set_row(r, needed)
    keys = {col.key: c for c, col in enumerate(ledger.columns)}
    for (i, key), messages in (marks or {}).items():
        c = keys.get(key, 0)
        _mark(ws, f, FIRST_DATA_ROW + i, c, rows[i].get(key) if i < len(rows) else None, messages,
              ledger.columns[c])
    ws.freeze_panes(FIRST_DATA_ROW, 2 if ledger.id == "dues" else 0)
    ws.autofilter(HEADER_ROW, 0, last_input, ncols - 1)
    plan = print_setup(ws, header_rows=(0, HEADER_ROW), widths=[col.width for col in ledger.columns], font_size=11,
                       key_columns=2, landscape=True)
    write_title(ws, plan, 0, max(ncols - 1, 1), title or f"{branch.name}  {year}年{ledger.sheet}", f.title)
    _protect(ws)


def _form_sheet(wb: Any, f: _Formats, ledger: Ledger, branch: Branch, year: int, lists: _Lists,
                values: dict[str, Any] | None = None, marks: Marks | None = None) -> None:
    ws = wb.add_worksheet(ledger.sheet)
    ws.merge_range(0, 0, 0, 1, f"{branch.name}  {year}年{ledger.sheet}", f.title)
    ws.set_row(0, 30)
    ws.set_column(0, 0, 22)
    width = max((c.width for c in ledger.columns), default=60)
    ws.set_column(1, 1, width)
    ws.write_string(HEADER_ROW, 0, "项目", f.head_opt)
    ws.write_string(HEADER_ROW, 1, "内容", f.head_opt)
    for i, col in enumerate(ledger.columns):
        r = FIRST_DATA_ROW + i
        ws.write_string(r, 0, col.header + ("*" if col.required else ""), f.label)
        fmt = _cell_format(f, col)
        ws.write_blank(r, 1, None, fmt)
        _write_value(ws, r, 1, (values or {}).get(col.key), fmt)
        messages = (marks or {}).get((0, col.key))
        if messages:
            _mark(ws, f, r, 1, (values or {}).get(col.key), messages, col)
        if col.height:
            ws.set_row(r, col.height)
        rule = _validation(col, year, lists)
        if rule:
            if col.type == "date":
                rule["error_type"] = "warning"
            ws.data_validation(r, 1, r, 1, rule)
    print_setup(ws, widths=[22, width], one_page=True, landscape=False)
    _protect(ws)


def write_guide(wb: Any, f: _Formats, name: str, title: str, info: list[tuple[str, str]], how_to: Iterable[str],
                ledgers: Iterable[Ledger], *, examples: Iterable[tuple[str, str]] = (),
                extra: Iterable[tuple[str, list[tuple[str, str]]]] = (),
                legend: Iterable[tuple[str, str]] = (), activate: bool = True) -> None:
    """A 填表说明 sheet: the title, the key–value `info`, numbered `how_to` lines, a linked line per
    ledger, any `extra` key–value sections, the `examples` and the colour `legend`; one page."""
    ws = wb.add_worksheet(name)
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 80)
    ws.merge_range(0, 0, 0, 1, title, f.title)
    ws.set_row(0, 34)
    r = 2
    for key, value in info:
        ws.write_string(r, 0, key, f.info_key)
        ws.write_string(r, 1, value, f.info_value)
        r += 1
    r += 1
    ws.write_string(r, 0, "填写方法", f.bold)
    r += 1
    for i, line in enumerate(how_to, start=1):
        text = f"{i}．{line}"
        ws.merge_range(r, 0, r, 1, text, f.wrap)
        ws.set_row(r, wrapped_height([(0, text)], 100) + 2)
        r += 1
    r += 1
    ws.write_string(r, 0, "各表内容", f.bold)
    r += 1
    for led in ledgers:
        ws.write_url(r, 0, f"internal:'{led.sheet}'!A1", string=led.sheet)
        ws.write_string(r, 1, led.description, f.wrap)
        r += 1
    for heading, pairs in [*extra, ("填写示例", list(examples))]:
        if not pairs:
            continue
        r += 1
        ws.write_string(r, 0, heading, f.bold)
        r += 1
        for key, text in pairs:
            ws.write_string(r, 0, key, f.info_key)
            ws.write_string(r, 1, text, f.info_value)
            ws.set_row(r, max(wrapped_height([(0, text)], 78) + 2, 16))
            r += 1
    legend = list(legend)
    if legend:
        r += 1
        ws.write_string(r, 0, "颜色说明", f.bold)
        r += 1
    for colour, meaning in legend:
        key = next((k for k in f.legend if colour.startswith(k)), None)
        ws.write_string(r, 0, colour, f.legend[key] if key else f.info_key)
        ws.write_string(r, 1, meaning, f.info_value)
        r += 1
    print_setup(ws, widths=[20, 80], one_page=True, landscape=False)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    if activate:
        ws.activate()


def _instructions_sheet(wb: Any, f: _Formats, rnd: IssueRound, branch: Branch, *, activate: bool = True) -> None:
    ins = rnd.definition.instructions
    info = [
        ("上级党组织", rnd.org),
        ("支部名称", branch.name),
        ("支部编码", branch.code),
        ("台账年度", f"{rnd.year}年"),
        ("报送截止日期", f"{rnd.deadline.year}年{rnd.deadline.month}月{rnd.deadline.day}日" if rnd.deadline else "另行通知"),
        ("联系人", rnd.contact or "（见通知）"),
        ("联系电话", rnd.phone or "（见通知）"),
        ("台账版本", f"{rnd.definition.title} {rnd.definition.version}版"),
    ]
    write_guide(wb, f, ins.sheet, f"{branch.name}{rnd.year}年{rnd.definition.title}", info, ins.how_to,
                rnd.definition.ledgers, examples=ins.examples, legend=ins.legend, activate=activate)


def write_workbook(path: Path, rnd: IssueRound, branch: Branch, *, issued_at: str,
                   prefill: dict[str, list[dict[str, Any]]] | None = None,
                   marks: dict[str, Marks] | None = None,
                   first_sheet: Callable[[Any, _Formats], None] | None = None,
                   signed: tuple[Identity, str] | None = None) -> Identity:
    """Write one branch's ledger workbook to `path` atomically; return its signed identity.

    `prefill` holds rows per ledger id (a form ledger: one row); `marks` highlights cells with
    problems (feedback); `first_sheet(wb, formats)` adds a sheet before 填表说明 (问题清单).
    """
    identity = Identity(
        template_id=rnd.definition.id, template_version=rnd.definition.version, org=rnd.org,
        branch_code=branch.code, branch_name=branch.name, year=rnd.year, issued_at=issued_at,
    )
    signature = identity.sign(rnd.key)
    with atomic_path(path) as tmp:
        wb = new_xlsx(tmp)
        f = _formats(wb)
        lists = _Lists(wb)
        if first_sheet is not None:
            first_sheet(wb, f)
        _instructions_sheet(wb, f, rnd, branch, activate=first_sheet is None)
        for ledger in rnd.definition.ledgers:
            rows = (prefill or {}).get(ledger.id, [])
            led_marks = (marks or {}).get(ledger.id)
            if ledger.kind == "form":
                _form_sheet(wb, f, ledger, branch, rnd.year, lists, rows[0] if rows else None, led_marks)
            else:
                _table_sheet(wb, f, ledger, branch, rnd.year, lists, rows, led_marks)
        write_meta_sheet(wb, identity, signature)
        wb.set_properties({
            "title": f"{branch.name}{rnd.year}年{rnd.definition.title}",
            "subject": rnd.definition.title,
            "author": rnd.org,
            "company": rnd.org,
            "comments": "由 taizhang 生成。请勿删除隐藏的工作表。",
        })
        for k, v in [*identity.items(), ("signature", signature)]:
            wb.set_custom_property(PROPERTY_PREFIX + k, v)
        wb.close()
    return identity
