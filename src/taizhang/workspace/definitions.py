"""Ledger definitions: the one description of every sheet, shared by issue, collect and validate.

Definitions are TOML files in `workbook_templates/` (shipped with the package); a workspace may
override a shipped file (same `id`) or add a ledger in its own `workbook_templates/`. The loader
checks the definitions themselves and names the file and key of every mistake.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taizhang import catalog
from taizhang.errors import DefinitionError

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

TYPES = ("serial", "text", "int", "money", "date", "enum", "bool", "person")
TYPE_NAMES = {
    "serial": "序号",
    "text": "文字",
    "int": "整数",
    "money": "金额",
    "date": "日期",
    "enum": "选项",
    "bool": "是/否",
    "person": "姓名",
}
BOOL_VALUES = ("是", "否")
FORMULAS = ("sum_months",)
KINDS = ("table", "form")
_COLUMN_KEYS = {
    "key", "header", "type", "required", "values", "default", "width", "help", "number_format",
    "history", "formula", "height", "min", "max", "since",
}
_LEDGER_KEYS = {"id", "sheet", "version", "description", "input_rows", "rules", "columns", "kind", "since"}
_WORKBOOK_KEYS = {"id", "version", "title", "sheets", "instructions"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
DEFAULT_FORMATS = {"date": "yyyy-mm-dd", "money": "#,##0.00", "int": "0"}


@dataclass(frozen=True)
class Column:
    """One column of a table ledger (or one field of a form ledger)."""

    key: str
    header: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    default: Any = None
    width: float = 12
    help: str = ""
    number_format: str = ""
    history: bool = False  # a date that may lie before the ledger's year (birth, joining …)
    formula: str = ""
    height: float = 0
    min: float | None = None
    max: float | None = None
    since: str = ""  # the template version that added the column: older returns lack it, rightly

    @property
    def choices(self) -> tuple[str, ...]:
        """The drop-down values (是/否 for bool, the enum's values otherwise)."""
        return BOOL_VALUES if self.type == "bool" else self.values

    @property
    def display_format(self) -> str:
        """The Excel number format for this column."""
        return self.number_format or DEFAULT_FORMATS.get(self.type, "")


@dataclass(frozen=True)
class Ledger:
    """One sheet of the workbook: its columns, input rows and the rules that apply to it."""

    id: str
    sheet: str
    version: str
    columns: tuple[Column, ...]
    kind: str = "table"
    description: str = ""
    input_rows: int = 50
    rules: tuple[str, ...] = ()
    source: str = ""
    since: str = ""  # the template version that added the sheet: older returns lack it, rightly

    def column(self, key: str) -> Column:
        """The column with this key (KeyError if there is none)."""
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def has(self, key: str) -> bool:
        """Whether the ledger has a column with this key."""
        return any(col.key == key for col in self.columns)

    @property
    def headers(self) -> list[str]:
        """Column headers in order."""
        return [col.header for col in self.columns]

    def to_dict(self) -> dict[str, Any]:
        """What `taizhang templates --json` shows of a ledger."""
        return {"id": self.id, "sheet": self.sheet, "version": self.version, "source": self.source,
                "columns": self.headers, "rules": list(self.rules)}


@dataclass(frozen=True)
class Instructions:
    """The text of the 填表说明 sheet."""

    sheet: str = "填表说明"
    how_to: tuple[str, ...] = ()
    legend: tuple[tuple[str, str], ...] = ()
    examples: tuple[tuple[str, str], ...] = ()  # (sheet, an example of how a row is filled)


@dataclass(frozen=True)
class WorkbookDefinition:
    """The whole workbook: template id and version, the ledgers in sheet order, the instructions."""

    id: str
    version: str
    title: str
    ledgers: tuple[Ledger, ...]
    instructions: Instructions = field(default_factory=Instructions)

    def ledger(self, ledger_id: str) -> Ledger:
        """The ledger with this id (KeyError if there is none)."""
        for led in self.ledgers:
            if led.id == ledger_id:
                return led
        raise KeyError(ledger_id)

    def by_sheet(self, sheet: str) -> Ledger | None:
        """The ledger whose sheet has this name, or None."""
        for led in self.ledgers:
            if led.sheet == sheet:
                return led
        return None

    @property
    def fingerprint(self) -> str:
        """A short hash of every definition: changes whenever any column or rule changes."""
        blob = json.dumps(
            [self.id, self.version, [_ledger_repr(led) for led in self.ledgers]],
            ensure_ascii=False, sort_keys=True, default=str,
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


VERSION_PATTERN = re.compile(r"^(\d{4})\.(\d+)")


def version_key(version: str) -> tuple[int, int] | None:
    """A template version such as "2026.1" (or "2026.1+本地3fa2c1") as a comparable pair; None
    when it does not start with one."""
    match = VERSION_PATTERN.match(version.strip()) if isinstance(version, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def added_after(since: str, version: str) -> bool:
    """Whether a sheet or column added in template version `since` may rightly be missing from a
    workbook of template `version`: it was added later, or the workbook's version is unknown
    (an unsigned workbook of any age). Nothing is excused for a column without `since`."""
    added = version_key(since)
    if added is None:
        return False
    have = version_key(version)
    return have is None or have < added


def _ledger_repr(led: Ledger) -> Any:
    return [led.id, led.sheet, led.version, led.kind, led.rules, [c.__dict__ for c in led.columns]]


def shipped_dir(name: str) -> Path:
    """The folder of shipped data (`workbook_templates` or `report_templates`).

    In an installed wheel it is inside the package (`taizhang/_shipped/NAME`); in a source
    checkout (editable install, tests) it is at the repository root.
    """
    package = Path(__file__).resolve().parent.parent  # src/taizhang, or site-packages/taizhang
    for candidate in (package / "_shipped" / name, package.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise DefinitionError(f"找不到随程序提供的 {name} 文件夹，安装可能不完整，请重新安装 taizhang。")


def export_definitions(target: Path) -> list[str]:
    """Copy the shipped ledger definitions into `target` (a workspace's workbook_templates/),
    never replacing a file already there; return the names copied."""
    from taizhang.safeio import atomic_write_bytes

    copied = []
    for src in sorted(shipped_dir("workbook_templates").glob("*.toml")):
        dest = Path(target) / src.name
        if not dest.exists():
            atomic_write_bytes(dest, src.read_bytes())
            copied.append(dest.name)
    return copied


def _fail(path: Path, key: str, message: str) -> DefinitionError:
    return DefinitionError(f"台账定义文件 {path.name} 的 {key}：{message}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"台账定义文件 {path.name} 不是有效的TOML：{exc}") from None
    except OSError as exc:
        raise DefinitionError(f"无法读取台账定义文件 {path}：{exc}") from None


def _check_unknown(path: Path, where: str, data: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(path, where, f"不认识的设置项 {', '.join(unknown)}（可用的有：{', '.join(sorted(allowed))}）")


def _parse_column(path: Path, index: int, data: dict[str, Any]) -> Column:
    where = f"columns[{index}]"
    if not isinstance(data, dict):
        raise _fail(path, where, "每一列应是一个 [[columns]] 表")
    _check_unknown(path, where, data, _COLUMN_KEYS)
    for required in ("key", "header", "type"):
        if not isinstance(data.get(required), str) or not data[required].strip():
            raise _fail(path, f"{where}.{required}", "缺少或为空")
    key = data["key"]
    where = f"columns[{index}]（{data['header']}）"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise _fail(path, f"{where}.key", f"“{key}”应由小写英文字母、数字和下划线组成")
    ctype = data["type"]
    if ctype not in TYPES:
        raise _fail(path, f"{where}.type", f"未知的类型“{ctype}”（可用：{', '.join(TYPES)}）")
    values = data.get("values", [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise _fail(path, f"{where}.values", "应是文字列表")
    if ctype == "enum" and not values:
        raise _fail(path, f"{where}.values", "选项类型（enum）的列必须列出可选值")
    if ctype != "enum" and values:
        raise _fail(path, f"{where}.values", f"只有选项类型（enum）的列可以有 values，此列类型为 {ctype}")
    if len(set(values)) != len(values):
        raise _fail(path, f"{where}.values", "可选值有重复")
    default = data.get("default")
    if default is not None and ctype == "enum" and default not in values:
        raise _fail(path, f"{where}.default", f"默认值“{default}”不在可选值中")
    formula = data.get("formula", "")
    if formula and formula not in FORMULAS:
        raise _fail(path, f"{where}.formula", f"未知的公式“{formula}”（可用：{', '.join(FORMULAS)}）")
    for num_key in ("width", "height", "min", "max"):
        if num_key in data and not isinstance(data[num_key], (int, float)):
            raise _fail(path, f"{where}.{num_key}", "应是数字")
    for bool_key in ("required", "history"):
        if bool_key in data and not isinstance(data[bool_key], bool):
            raise _fail(path, f"{where}.{bool_key}", "应是 true 或 false")
    since = data.get("since", "")
    if since and (not isinstance(since, str) or version_key(since) is None):
        raise _fail(path, f"{where}.since", "应是模板版本号，例如“2026.1”")
    return Column(
        key=key,
        header=data["header"].strip(),
        type=ctype,
        required=bool(data.get("required", False)),
        values=tuple(v.strip() for v in values),
        default=default,
        width=float(data.get("width", 12)),
        help=str(data.get("help", "")),
        number_format=str(data.get("number_format", "")),
        history=bool(data.get("history", False)),
        formula=formula,
        height=float(data.get("height", 0)),
        min=data.get("min"),
        max=data.get("max"),
        since=since,
    )


def parse_ledger(path: Path, data: dict[str, Any]) -> Ledger:
    """Check and build one ledger definition from its TOML data."""
    _check_unknown(path, "顶层", data, _LEDGER_KEYS)
    for required in ("id", "sheet", "version"):
        if not isinstance(data.get(required), str) or not data[required].strip():
            raise _fail(path, required, "缺少或为空")
    sheet = data["sheet"].strip()
    if len(sheet) > 31 or _BAD_SHEET_CHARS.search(sheet):
        raise _fail(path, "sheet", f"“{sheet}”不能作为工作表名（最多31个字符，不能含 []:*?/\\）")
    kind = data.get("kind", "table")
    if kind not in KINDS:
        raise _fail(path, "kind", f"未知的类型“{kind}”（可用：{', '.join(KINDS)}）")
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise _fail(path, "columns", "至少要定义一列")
    columns = tuple(_parse_column(path, i, c) for i, c in enumerate(raw_columns))
    seen_headers: set[str] = set()
    seen_keys: set[str] = set()
    for i, col in enumerate(columns):
        if col.header in seen_headers:
            raise _fail(path, f"columns[{i}].header", f"表头“{col.header}”重复")
        if col.key in seen_keys:
            raise _fail(path, f"columns[{i}].key", f"key“{col.key}”重复")
        seen_headers.add(col.header)
        seen_keys.add(col.key)
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        raise _fail(path, "rules", "应是规则编号的列表")
    for rule_id in rules:
        if rule_id not in catalog.RULES:
            raise _fail(path, "rules", f"未知的规则编号“{rule_id}”")
    input_rows = data.get("input_rows", 50)
    if not isinstance(input_rows, int) or not 0 <= input_rows <= 5000:
        raise _fail(path, "input_rows", "应是0到5000之间的整数")
    since = data.get("since", "")
    if since and (not isinstance(since, str) or version_key(since) is None):
        raise _fail(path, "since", "应是模板版本号，例如“2026.1”")
    return Ledger(
        id=data["id"].strip(),
        sheet=sheet,
        version=data["version"].strip(),
        columns=columns,
        kind=kind,
        description=str(data.get("description", "")),
        input_rows=input_rows,
        rules=tuple(rules),
        source=str(path),
        since=since,
    )


def _parse_workbook(path: Path, data: dict[str, Any]) -> tuple[dict[str, Any], Instructions]:
    _check_unknown(path, "顶层", data, _WORKBOOK_KEYS)
    for required in ("id", "version", "title"):
        if not isinstance(data.get(required), str) or not data[required].strip():
            raise _fail(path, required, "缺少或为空")
    sheets = data.get("sheets")
    if not isinstance(sheets, list) or not sheets or not all(isinstance(s, str) for s in sheets):
        raise _fail(path, "sheets", "应列出工作表定义的 id")
    raw = data.get("instructions", {})
    if not isinstance(raw, dict):
        raise _fail(path, "instructions", "应是一个表")
    legend = raw.get("legend", [])
    if not all(isinstance(x, list) and len(x) == 2 for x in legend):
        raise _fail(path, "instructions.legend", "每一项应是 [颜色, 含义]")
    examples = raw.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(x, list) and len(x) == 2 for x in examples):
        raise _fail(path, "instructions.examples", "每一项应是 [工作表, 填写示例]")
    instructions = Instructions(
        sheet=str(raw.get("sheet", "填表说明")),
        how_to=tuple(str(x) for x in raw.get("how_to", [])),
        legend=tuple((str(a), str(b)) for a, b in legend),
        examples=tuple((str(a), str(b)) for a, b in examples),
    )
    return data, instructions


def load_definitions(workspace: Path | None = None) -> WorkbookDefinition:
    """Load the shipped definitions, then the workspace's overrides and additions.

    A workspace file whose `id` equals a shipped ledger's replaces it; a new id adds a ledger,
    placed where the workspace's workbook.toml lists it, or at the end.
    """
    dirs = [shipped_dir("workbook_templates")]
    if workspace is not None and (workspace / "workbook_templates").is_dir():
        dirs.append(workspace / "workbook_templates")
    workbook: tuple[Path, dict[str, Any]] | None = None
    ledgers: dict[str, Ledger] = {}
    for folder in dirs:
        for path in sorted(folder.glob("*.toml")):
            data = _read_toml(path)
            if path.name == "workbook.toml":
                workbook = (path, data)
                continue
            led = parse_ledger(path, data)
            if led.id in ledgers and Path(ledgers[led.id].source).parent == folder:
                raise _fail(path, "id", f"“{led.id}”已在 {Path(ledgers[led.id].source).name} 中定义")
            ledgers[led.id] = led
    if workbook is None:
        raise DefinitionError("缺少台账定义文件 workbook.toml")
    wb_path, wb_data = workbook
    wb_data, instructions = _parse_workbook(wb_path, wb_data)
    order: list[str] = list(wb_data["sheets"])
    for ledger_id in order:
        if ledger_id not in ledgers:
            raise _fail(wb_path, "sheets", f"列出的“{ledger_id}”没有对应的定义文件")
    order += [lid for lid in ledgers if lid not in order]
    sheet_names = [ledgers[lid].sheet for lid in order] + [instructions.sheet]
    dupes = {s for s in sheet_names if sheet_names.count(s) > 1}
    if dupes:
        raise _fail(wb_path, "sheets", f"工作表名重复：{', '.join(sorted(dupes))}")
    version = wb_data["version"].strip()
    local = [led for led in ledgers.values() if Path(led.source).parent != dirs[0]]
    if local and Path(wb_path).parent == dirs[0]:
        # Local changes without a local workbook.toml: mark the version so returns can tell.
        digest = hashlib.sha256("".join(led.version + led.id for led in local).encode()).hexdigest()
        version = f"{version}+本地{digest[:6]}"
    return WorkbookDefinition(
        id=wb_data["id"].strip(),
        version=version,
        title=wb_data["title"].strip(),
        ledgers=tuple(ledgers[lid] for lid in order),
        instructions=instructions,
    )
