"""The branch list (支部名单.xlsx): the units a workspace issues ledgers to and collects from."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taizhang import catalog
from taizhang.errors import InputError
from taizhang.problems import Problem
from taizhang.safeio import atomic_path, new_xlsx, safe_filename, strip_control

if TYPE_CHECKING:
    from taizhang.workspace import Workspace

SHEET = "支部名单"
HEADER_ROW = 2  # 1-based: row 1 is the title, row 2 the headers, data from row 3
COLUMNS: list[tuple[str, str, float, str]] = [
    # key, header, width, help
    ("code", "支部编码", 12, "每个支部唯一的编码，如001；以文本保存，开头的0不会丢失。"),
    ("name", "支部名称", 30, "支部简称，如“机关第一党支部”，会写入台账和文件名。"),
    ("full_name", "全称", 36, "党组织的登记全称，如“中共××局机关第一支部委员会”，用于报告落款和匹配党员名单；"
     "留空时由单位名称和支部名称生成。"),
    ("parent", "上级组织", 12, "上级党组织的编码（党总支的编码，或留空表示直属本单位）。"),
    ("kind", "组织类别", 10, "党支部、党总支或党委；留空时，有下级组织（或已建立上报链接）的按党总支，其余按党支部。"
     "只给党支部下发台账。"),
    ("secretary", "支部书记", 12, "支部书记姓名。"),
    ("contact", "联系人", 12, "负责台账报送的联系人。"),
    ("phone", "联系电话", 16, "联系人电话。"),
]
REQUIRED = {"code", "name"}
BRANCH, GENERAL_BRANCH, COMMITTEE = "党支部", "党总支", "党委"
KINDS = (BRANCH, GENERAL_BRANCH, COMMITTEE)


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
    kind: str = ""  # 组织类别 as typed (党支部 / 党总支 / 党委, or "" to infer from the tree)
    full_name: str = ""  # 全称 as typed (the registered name, "" when not given)

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
        kind_col = [k for k, *_ in COLUMNS].index("kind")
        ws.data_validation(2, kind_col, last - 1, kind_col, {
            "validate": "list", "source": list(KINDS), "ignore_blank": True,
            "input_title": "组织类别", "input_message": COLUMNS[kind_col][3][:255],
            "error_type": "stop", "error_title": "组织类别", "error_message": "请从下拉列表中选择，或留空。",
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
    return " ".join(strip_control(str(value)).replace("\u3000", " ").split())


def load(ws: Workspace) -> tuple[list[Branch], list[Problem]]:
    """A workspace's branch list and its problems (parents checked against the list and the
    workspace's own code)."""
    return read(ws.branches_path, org_code=ws.settings.org_code)


def read(path: Path, *, org_code: str | None = None) -> tuple[list[Branch], list[Problem]]:
    """The branches on the list, and the problems with it (never raises for bad content).

    With `org_code` (the workspace's own code), a 上级组织 that is neither on the list, nor
    empty, nor `org_code` is a BR-PARENT problem; without it parents are only checked for cycles.
    """
    from taizhang import reading

    if not path.exists():
        raise InputError(f"找不到支部名单 {path}。请先填写支部名单.xlsx。")
    # The list may have come from elsewhere: it is read with the same limits as a return.
    try:
        with reading.open_workbook(path) as reader:
            sheet_name = SHEET if SHEET in reader.sheet_names else reader.sheet_names[0]
            cells = reader.rows(sheet_name).cells
    except reading.UnreadableFile as exc:
        raise InputError(f"无法读取支部名单 {path.name}：{exc.reason}。请用Excel打开检查后另存为.xlsx。") from None
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
    problems.extend(_check_tree(branches, org_code))
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


def _check_tree(branches: list[Branch], org_code: str | None) -> list[Problem]:
    """BR-PARENT (a parent that does not exist), BR-CYCLE (a unit above itself) and BR-KIND (a
    组织类别 that is not one of KINDS, or a 党支部 with units under it)."""
    problems: list[Problem] = []
    listed = {b.code: b for b in usable(branches)}
    for b in listed.values():
        if b.parent and b.parent not in listed and org_code is not None and b.parent != org_code:
            problems.append(catalog.make("BR-PARENT", sheet=SHEET, row=b.row, parent=b.parent))
    for cycle in find_cycles({code: b.parent for code, b in listed.items()}):
        first = listed[cycle[0]]
        path = " → ".join(f"{listed[c].name}（{c}）" for c in [*cycle, cycle[0]])
        problems.append(catalog.make("BR-CYCLE", sheet=SHEET, row=first.row, path=path, name=first.name))
    parents = {b.parent for b in listed.values() if b.parent}
    for b in listed.values():
        if b.kind and b.kind not in KINDS:
            problems.append(catalog.make(
                "BR-KIND", sheet=SHEET, row=b.row, name=b.name, problem=f"“{b.kind}”不是可选项",
                hint="请从下拉列表中选择党支部、党总支或党委，或留空由程序判断。"))
        elif b.kind == BRANCH and b.code in parents:
            below = "、".join(x.name for x in listed.values() if x.parent == b.code)
            problems.append(catalog.make(
                "BR-KIND", sheet=SHEET, row=b.row, name=b.name, problem="是党支部，但名单中有下级组织（" + below + "）",
                hint="党支部下面不再设组织。请把它改为党总支，或改正下级组织的“上级组织”。暂按党总支统计。"))
    return problems


def find_cycles(parents: dict[str, str]) -> list[list[str]]:
    """Every cycle of the parent relation (code → parent code), each once, starting from the code
    met first in `parents`' order."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in parents:
        path: list[str] = []
        code = start
        while code in parents and state.get(code) is None:
            state[code] = 1
            path.append(code)
            code = parents[code]
        if code in parents and state.get(code) == 1:
            cycles.append(path[path.index(code):])
        for c in path:
            state[c] = 2
    return cycles


def not_listed(codes: list[str], listed: list[tuple[str, str]], *, what: str = "支部名单中") -> InputError:
    """The error for branch codes that are not on the list: it names them and lists the codes
    there are (code and name, at most 30 of them)."""
    shown = "、".join(f"{c} {n}" for c, n in listed[:30]) + (f"等{len(listed)}个" if len(listed) > 30 else "")
    hint = f"支部有：{shown}" if listed else "支部名单中还没有支部"
    missing = "、".join(f"“{c}”" for c in codes)
    return InputError(f"{what}没有编码为{missing}的支部。{hint}（taizhang branches 可查看组织结构）。")


def usable(branches: list[Branch]) -> list[Branch]:
    """The units that are named and have a code that is not duplicated (nodes included)."""
    counts = Counter(b.code for b in branches)  # counted once: thousands of branches
    return [b for b in branches if b.name and counts[b.code] == 1]


def is_node(branch: Branch, branches: list[Branch], linked: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether a unit is a 党总支/党委 (has units under it) rather than a 党支部 that keeps a ledger:
    its 组织类别 says so, or units on the list name it as their parent, or it rolls up to us."""
    if branch.kind in (GENERAL_BRANCH, COMMITTEE):
        return True
    return branch.code in linked or any(b.parent == branch.code and b.code != branch.code for b in branches)


def issuable(branches: list[Branch], linked: set[str] | frozenset[str] = frozenset()) -> list[Branch]:
    """The 党支部 that get a ledger workbook: usable, and not a node of the tree."""
    items = usable(branches)
    return [b for b in items if not is_node(b, items, linked)]
