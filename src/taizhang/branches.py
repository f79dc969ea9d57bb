"""The branch list (支部名单.xlsx): the units a workspace issues ledgers to and collects from."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import catalog
from .errors import InputError
from .problems import Problem
from .safeio import atomic_path, new_xlsx, safe_filename

SHEET = "支部名单"
HEADER_ROW = 2  # 1-based: row 1 is the title, row 2 the headers, data from row 3
COLUMNS: list[tuple[str, str, float, str]] = [
    # key, header, width, help
    ("code", "支部编码", 12, "每个支部唯一的编码，如001；以文本保存，开头的0不会丢失。"),
    ("name", "支部名称", 30, "支部全称，如“机关第一党支部”，会写入台账和文件名。"),
    ("parent", "上级组织", 12, "上级党组织的编码（党总支的编码，或留空表示直属本单位）。"),
    ("secretary", "支部书记", 12, "支部书记姓名。"),
    ("contact", "联系人", 12, "负责台账报送的联系人。"),
    ("phone", "联系电话", 16, "联系人电话。"),
]
REQUIRED = {"code", "name"}


@dataclass(frozen=True)
class Branch:
    """One unit on the branch list."""

    code: str
    name: str
    parent: str = ""
    secretary: str = ""
    contact: str = ""
    phone: str = ""
    row: int = 0

    @property
    def file_stem(self) -> str:
        """`<编码>_<名称>` made safe for a file name."""
        return f"{safe_filename(self.code)}_{safe_filename(self.name)}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def write_template(path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    """Write 支部名单.xlsx (empty, or with `rows`) with headers, widths, help and drop-downs."""
    with atomic_path(path) as tmp:
        wb = new_xlsx(tmp)
        ws = wb.add_worksheet(SHEET)
        title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        head = wb.add_format({
            "bold": True, "font_color": "#FFFFFF", "bg_color": "#9C1C1C", "border": 1,
            "align": "center", "valign": "vcenter", "text_wrap": True,
        })
        head_opt = wb.add_format({
            "bold": True, "font_color": "#FFFFFF", "bg_color": "#595959", "border": 1,
            "align": "center", "valign": "vcenter", "text_wrap": True,
        })
        cell = wb.add_format({"num_format": "@", "border": 1, "bg_color": "#FFF9DB", "locked": False})
        ws.merge_range(0, 0, 0, len(COLUMNS) - 1, "支部名单（每个支部一行）", title)
        ws.set_row(0, 28)
        ws.set_row(1, 24)
        last = 2 + 300
        for c, (key, header, width, help_text) in enumerate(COLUMNS):
            ws.set_column(c, c, width, cell)
            ws.write_string(1, c, header + ("*" if key in REQUIRED else ""), head if key in REQUIRED else head_opt)
            ws.data_validation(2, c, last - 1, c, {
                "validate": "any", "input_title": header[:32], "input_message": help_text[:255],
            })
        parent_col = [k for k, *_ in COLUMNS].index("parent")
        ws.data_validation(2, parent_col, last - 1, parent_col, {
            "validate": "list", "source": f"=$A$3:$A${last}", "ignore_blank": True,
            "input_title": "上级组织", "input_message": COLUMNS[parent_col][3],
            "error_type": "warning", "error_title": "上级组织",
            "error_message": "上级组织应是本名单中的支部编码（党总支），或留空。",
        })
        for r, data in enumerate(rows or [], start=2):
            for c, (key, *_rest) in enumerate(COLUMNS):
                value = data.get(key, "")
                if value:
                    ws.write_string(r, c, str(value), cell)
        ws.freeze_panes(2, 0)
        ws.autofilter(1, 0, 1 + max(1, len(rows or [])), len(COLUMNS) - 1)
        wb.close()
    return path


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\u3000", " ").split())


def read(path: Path) -> tuple[list[Branch], list[Problem]]:
    """The branches on the list, and the problems with it (never raises for bad content)."""
    from python_calamine import CalamineWorkbook

    if not path.exists():
        raise InputError(f"找不到支部名单 {path}。请先填写支部名单.xlsx。")
    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheet_name = SHEET if SHEET in wb.sheet_names else wb.sheet_names[0]
        cells = wb.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several kinds of errors on broken files
        raise InputError(f"无法读取支部名单 {path.name}：{exc}。请用Excel打开检查后另存为.xlsx。") from None
    header_index, positions = _find_header(cells)
    branches: list[Branch] = []
    problems: list[Problem] = []
    for i, raw in enumerate(cells[header_index + 1 :], start=header_index + 2):
        values = {key: _text(raw[pos]) if pos is not None and pos < len(raw) else "" for key, pos in positions.items()}
        if not any(values.values()):
            continue
        if not values["code"]:
            problems.append(catalog.make("BR-CODE-EMPTY", sheet=SHEET, row=i, name=values["name"] or "（无名称）"))
            continue
        if not values["name"]:
            problems.append(catalog.make("BR-NAME-EMPTY", sheet=SHEET, row=i, code=values["code"]))
        branches.append(Branch(row=i, **values))
    problems.extend(_check(branches))
    return branches, problems


def _find_header(cells: list[list[Any]]) -> tuple[int, dict[str, int | None]]:
    headers = {header: key for key, header, *_ in COLUMNS}
    best, best_map = 0, {}
    for index, row in enumerate(cells[:10]):
        found = {}
        for pos, value in enumerate(row):
            text = _text(value).replace("*", "").replace(" ", "")
            if text in headers:
                found[headers[text]] = pos
        if len(found) > len(best_map):
            best, best_map = index, found
    if "code" not in best_map or "name" not in best_map:
        raise InputError("支部名单中找不到“支部编码”和“支部名称”两列，请恢复表头后再试。")
    return best, {key: best_map.get(key) for key, *_ in COLUMNS}


def _check(branches: list[Branch]) -> list[Problem]:
    problems: list[Problem] = []
    by_code: dict[str, list[Branch]] = {}
    by_name: dict[str, list[Branch]] = {}
    for b in branches:
        by_code.setdefault(b.code, []).append(b)
        if b.name:
            by_name.setdefault(b.name, []).append(b)
    for code, group in by_code.items():
        if len(group) > 1:
            problems.append(catalog.make(
                "BR-CODE-DUP", sheet=SHEET, row=group[1].row, code=code,
                rows="、".join(str(b.row) for b in group),
            ))
    for name, group in by_name.items():
        if len(group) > 1:
            problems.append(catalog.make(
                "BR-NAME-DUP", sheet=SHEET, row=group[1].row, name=name,
                rows="、".join(str(b.row) for b in group),
            ))
    for b in branches:
        if b.name and safe_filename(b.name) != b.name:
            problems.append(catalog.make(
                "BR-NAME-CHARS", sheet=SHEET, row=b.row, name=b.name, safe=safe_filename(b.name),
            ))
    return problems


def usable(branches: list[Branch]) -> list[Branch]:
    """The branches that can be issued to: named, and with a code that is not duplicated."""
    counts = Counter(b.code for b in branches)  # counted once: thousands of branches
    return [b for b in branches if b.name and counts[b.code] == 1]
