"""What every command shares: the workspace option, error handling, JSON and Rich output."""

from __future__ import annotations

import functools
import inspect
import json
import os
import re
import sqlite3
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Callable, Iterable, TypeVar

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from taizhang.errors import TaizhangError
from taizhang.problems import Problem, Severity
from taizhang.safeio import BIDI, json_text, os_error_message, terminal_text

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    workspace: Path | None = None
    debug: bool = False
    json: bool = False


state = State()

JsonOpt = Annotated[bool, typer.Option("--json", help="以JSON格式输出结果，供脚本使用。")]
# Options several commands share, each with the kind of value it takes in words.
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="日期", show_default=False,
    help="按哪一天计算“已过去的月份”和在册党员（默认今天），如 2026-01-20 或 2026年1月20日。")]
BranchOpt = Annotated[str | None, typer.Option(
    "--branch", "-b", metavar="支部编码", show_default=False, help="只看这个支部。")]
UnitOpt = Annotated[str | None, typer.Option(
    "--unit", "-u", metavar="单位编码", show_default=False,
    help="只统计组织中的这个单位（党总支、党委或支部的编码）所属的支部。")]
YearOpt = Annotated[int | None, typer.Option(
    "--year", metavar="年度", show_default=False, help="哪一年的台账（默认工作区设置的年度）。")]


class Markup(str):
    """Text that carries Rich markup on purpose (the styles we add). Any other text, above all
    file names, branch names and cell values from returns, is shown exactly as it is."""


def plain(value: Any) -> str:
    """User text made safe inside a markup string: "[/]" shows as typed instead of breaking
    the output, and control characters (terminal escape sequences) are dropped."""
    return escape(terminal_text("" if value is None else str(value)))


def _cell(value: Any) -> Text:
    if isinstance(value, Text):
        return value
    if isinstance(value, Markup):
        return Text.from_markup(value)
    return Text(terminal_text("" if value is None else str(value)))


GLOBAL_PANEL = "通用选项（写在子命令前后均可）"
WorkspaceOpt = Annotated[Path | None, typer.Option(
    "-w", "--workspace", metavar="文件夹", show_default=False, rich_help_panel=GLOBAL_PANEL,
    help="工作区文件夹（默认从当前文件夹向上查找）。")]
DebugOpt = Annotated[bool, typer.Option(
    "--debug", rich_help_panel=GLOBAL_PANEL, help="出错时显示程序内部的详细信息。")]


def global_options(
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="以JSON格式输出结果（用于有 --json 选项的命令，写在命令后也可以）。")] = False,
) -> None:
    """党建工作台账：下发台账、收集报送、校验问题、汇总统计、生成报告。"""
    state.workspace = workspace
    state.debug = debug or bool(os.environ.get("TAIZHANG_DEBUG"))
    state.json = as_json


def _declares(param: inspect.Parameter, flag: str) -> bool:
    """Whether a callback parameter is a Typer option declared with `flag`."""
    for meta in getattr(param.annotation, "__metadata__", ()):
        # In Annotated, Typer keeps the first name given to typer.Option(...) as its "default".
        names = [*(getattr(meta, "param_decls", None) or ()), getattr(meta, "default", None)]
        if flag in names:
            return True
    return False


def accepting_global_options(fn: F) -> F:
    """`fn` (a command's callback) also taking -w/--workspace and --debug, so that they can be
    written after the subcommand as well as before it; a `--json` given before the subcommand
    turns on the command's own --json."""
    if getattr(fn, "_global_options", False):
        return fn
    sig = inspect.signature(fn, eval_str=True)
    params = list(sig.parameters.values())
    json_name = next((p.name for p in params if _declares(p, "--json")), None)
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
             for name, default, annotation, flag in (("tz_workspace", None, WorkspaceOpt, "-w"),
                                                     ("tz_debug", False, DebugOpt, "--debug"))
             if not any(_declares(p, flag) for p in params)]

    @functools.wraps(fn)
    def wrapper(*args: Any, tz_workspace: Path | None = None, tz_debug: bool = False, **kwargs: Any) -> Any:
        if tz_workspace is not None:
            state.workspace = tz_workspace
        state.debug = state.debug or tz_debug
        if state.json:
            if json_name is None:
                raise typer.BadParameter("这个命令没有 JSON 输出，请去掉 --json。", param_hint="--json")
            kwargs[json_name] = True
        return fn(*args, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*params, *extra])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in [*params, *extra]}
    wrapper._global_options = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def find_workspace(*, lost_config_ok: bool = False) -> Any:
    """The workspace named by -w, or found from the current folder upwards (one that lost its
    taizhang.toml too, with `lost_config_ok`)."""
    from taizhang import workspace

    return workspace.find(explicit=state.workspace, lost_config_ok=lost_config_ok)


def handle_errors(fn: F) -> F:
    """Turn a TaizhangError into `错误：…` on stderr and exit status 1 (a traceback only with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TaizhangError as exc:
            if state.debug:
                raise
            err_console.print(Prose(Text("错误：", style="bold red") + Text(terminal_text(str(exc)))))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]已中断。[/]")
            raise typer.Exit(130) from None
        except _io_errors() as exc:
            if state.debug:
                raise
            err_console.print(Prose(Text("错误：", style="bold red") + Text(terminal_text(_describe(exc)))))
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _io_errors() -> tuple[type[BaseException], ...]:
    """OS and SQLite errors, and xlsxwriter's FileCreateError when xlsxwriter is loaded (it is
    imported only by commands that write workbooks, so the CLI starts without it)."""
    exceptions = sys.modules.get("xlsxwriter.exceptions")
    extra = getattr(exceptions, "FileCreateError", None)
    return (OSError, sqlite3.Error, extra) if extra is not None else (OSError, sqlite3.Error)


def _describe(exc: BaseException) -> str:
    """In words, an error no library code turned into a TaizhangError: an OS error (a full disk,
    a read-only folder, a file open in Excel), or an SQLite error from the store."""
    if isinstance(exc, sqlite3.Error):
        from taizhang.workspace.store import store_error

        try:
            path = find_workspace().store_path
        except TaizhangError:
            path = Path(".taizhang") / "store.sqlite3"
        return str(store_error(exc, path))
    return os_error_message(exc)


def parse_date(text: str | None, what: str) -> date | None:
    """The date typed for an option (None when not given), in any spelling a ledger accepts
    (2026-01-20, 2026/1/20, 2026.1.20, 2026年1月20日, 20260120 …); InputError naming `what`
    otherwise. The one date parser of the command line."""
    from taizhang.errors import InputError
    from taizhang.reading.normalise import read_date

    if text is None or not str(text).strip():
        return None
    value = read_date(str(text).strip()).value
    if not isinstance(value, date):
        raise InputError(f"{what}“{text}”不是日期，请写成 2026-01-20 或 2026年1月20日 这样的日期。")
    return value


def parse_as_of(text: str | None) -> date | None:
    """The date of an --as-of option (None when not given); InputError when it is not a date."""
    return parse_date(text, "--as-of")


def parse_severity(text: str | None) -> Severity | None:
    """The severity named by --severity (错误/警告/提示 or error/warning/info; None when not
    given); InputError listing the words otherwise."""
    from taizhang.errors import InputError

    if text is None or not text.strip():
        return None
    try:
        return Severity.parse(text)
    except ValueError:
        raise InputError(f"没有“{text}”这个级别。级别只能是：错误、警告、提示"
                         "（也可写 error、warning、info）。") from None


def print_json(data: Any) -> None:
    """Print `data` as JSON (UTF-8, Chinese unescaped)."""
    sys.stdout.write(json_text(json.dumps(data, ensure_ascii=False, indent=2, default=str)) + "\n")
    sys.stdout.flush()


# --- wrapping Chinese text ---------------------------------------------------------------------
# Rich wraps at spaces and folds a "word" anywhere; Chinese has no spaces, so a sentence is one
# word and a number inside it ("2025-04-09", "17,559.40") gets cut. Prose breaks between Chinese
# characters and at spaces instead, never inside a run of digits or Latin letters, never before
# closing punctuation or after opening punctuation.
_OPENING = "（“‘《〈【「『([{"
_CLOSING = "，。、；：！？）”’》〉】」』,.;:!?)]}%…—"


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _tokens(plain: str) -> list[str]:
    """`plain` cut where a line may break."""
    out, start = [], 0
    for i in range(1, len(plain)):
        a, b = plain[i - 1], plain[i]
        if b in _CLOSING or a in _OPENING or (b.isspace() and not a.isspace()):
            continue
        if a.isspace() or _wide(a) or _wide(b):
            out.append(plain[start:i])
            start = i
    out.append(plain[start:])
    return [t for t in out if t]


def wrap_lines(text: Text, width: int) -> list[Text]:
    """`text` cut into lines of at most `width` cells at the places Prose allows."""
    width = max(width, 4)
    offsets, used, pos = [], 0, 0
    for token in _tokens(text.plain):
        size = cell_len(token.rstrip())
        if used and used + size > width:
            offsets.append(pos)
            used = 0
        if size <= width:
            pos, used = pos + len(token), used + cell_len(token)
            continue
        for char in token:  # a token wider than a line (a long path): fold it
            if used + cell_len(char) > width:
                offsets.append(pos)
                used = 0
            pos, used = pos + 1, used + cell_len(char)
    lines = list(text.divide(offsets)) if offsets else [text.copy()]
    for line in lines:
        line.rstrip()
    return lines


class Prose:
    """Text that wraps the way Chinese text should (see wrap_lines), at any width it is given."""

    def __init__(self, text: Text | str, *, indent: int = 0) -> None:
        self.text = text if isinstance(text, Text) else Text(text)
        self.indent = indent

    def __rich_console__(self, console: Console, options: Any) -> Any:
        pad = " " * self.indent
        for line in wrap_lines(self.text, options.max_width - self.indent):
            yield Text(pad) + line

    def __rich_measure__(self, console: Console, options: Any) -> Measurement:
        widest = max((cell_len(t.rstrip()) for t in _tokens(self.text.plain)), default=1)
        return Measurement(min(widest, 24) + self.indent, cell_len(self.text.plain) + self.indent)


class ChineseConsole(Console):
    """A console whose plain lines (strings with markup, Text) wrap as Prose: between Chinese
    characters, never inside a number."""

    def print(self, *objects: Any, **kwargs: Any) -> None:  # type: ignore[override]
        markup = kwargs.get("markup")
        wrapped = [Prose(Text.from_markup(o) if markup is not False else Text(o)) if isinstance(o, str)
                   else Prose(o) if isinstance(o, Text) else o for o in objects]
        super().print(*wrapped, **kwargs)

    def _render_buffer(self, buffer: Any) -> str:
        # The last word on what reaches the terminal: no bidi override from any text (issue 13).
        return BIDI.sub("", super()._render_buffer(buffer))


# TAIZHANG_WIDTH fixes the width (tests set it so that tables are not folded).
_WIDTH = int(os.environ["TAIZHANG_WIDTH"]) if os.environ.get("TAIZHANG_WIDTH", "").isdigit() else None
console = ChineseConsole(highlight=False, soft_wrap=False, width=_WIDTH)
err_console = ChineseConsole(stderr=True, highlight=False, width=_WIDTH)


# --- tables ----------------------------------------------------------------------------------
# Below this width a long column (a message) is not squeezed into the table: the rows are shown
# as blocks instead.
LONG_COLUMN_MIN = 36
_NUMBER = re.compile(r"^[-+]?[\d,]*\.?\d+%?$")


@dataclass
class Blocks:
    """A table shown one block per row: the row's key on a line of its own, then "header value"
    pairs packed into lines without ever breaking a pair, then the long columns under it."""

    title: Text
    columns: list[str]
    rows: list[list[Text]]
    key: int
    long: set[int]

    def __rich_console__(self, console: Console, options: Any) -> Any:
        width = options.max_width
        yield Prose(self.title)
        for row in self.rows:
            head = Text("  ").join(c for c in row[:self.key] if c.plain)
            head.stylize("bold")
            yield Prose(Text("▪ ", style="dim") + head)
            line, lines = Text("    "), []
            for i in range(self.key, len(row)):
                if i in self.long or not row[i].plain:
                    continue
                pair = Text(self.columns[i], style="dim") + Text(" ") + row[i]
                if cell_len(line.plain) > 4 and cell_len(line.plain) + 3 + cell_len(pair.plain) > width:
                    lines.append(line)
                    line = Text("    ")
                if cell_len(line.plain) > 4:
                    line.append("   ")
                line.append_text(pair)
            if cell_len(line.plain) > 4:
                lines.append(line)
            for text in lines:
                yield Prose(text)
            for i in sorted(self.long):
                if row[i].plain:
                    yield Prose(Text(self.columns[i] + "：", style="dim") + row[i], indent=4)


def _is_number(cell: Text) -> bool:
    return bool(_NUMBER.match(cell.plain.strip()))


def table(title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]], *,
          justify: dict[str, str] | None = None, long: Iterable[str] = (), key: int = 1,
          width: int | None = None) -> Any:
    """A table with Chinese headers that fits the terminal: a grid when every column fits at its
    natural width (numbers and names never broken; the `long` columns, such as messages, may wrap
    when they still get LONG_COLUMN_MIN cells), otherwise one block per row (the first `key`
    columns as its heading, the rest as "header value" pairs, long columns under it). Cells and
    the title are shown as they are (a `Markup` value is styled). Every table of the command line
    goes through here."""
    heads = list(columns)
    cells = [[_cell(v) for v in row] for row in rows]
    long_idx = {i for i, h in enumerate(heads) if h in set(long)}
    natural = [max([cell_len(h)] + [cell_len(r[i].plain) for r in cells if i < len(r)]) for i, h in enumerate(heads)]
    available = width or console.width
    frame = 3 * len(heads) + 1
    fixed = frame + sum(w for i, w in enumerate(natural) if i not in long_idx)
    needed = fixed + sum(min(natural[i], LONG_COLUMN_MIN) for i in long_idx)
    if needed > available and cells:
        return Blocks(_cell(title), heads, cells, key, long_idx)
    t = Table(title=_cell(title), title_justify="left", header_style="bold", show_lines=False)
    for i, col in enumerate(heads):
        numeric = bool(cells) and all(_is_number(r[i]) or not r[i].plain for r in cells if i < len(r))
        align = (justify or {}).get(col, "right" if numeric and any(r[i].plain for r in cells) else "left")
        if i in long_idx:
            t.add_column(col, justify=align, overflow="fold", min_width=min(natural[i], LONG_COLUMN_MIN))  # type: ignore[arg-type]
        else:
            t.add_column(col, justify=align, no_wrap=True, min_width=natural[i])  # type: ignore[arg-type]
    for row in cells:
        t.add_row(*(Prose(c) if i in long_idx else c for i, c in enumerate(row)))
    return t


def severity_style(text: str) -> str:
    """Rich markup for a severity word."""
    styles = {"错误": "[bold red]错误[/]", "警告": "[yellow]警告[/]", "提示": "[cyan]提示[/]"}
    return Markup(styles[text]) if text in styles else text


def rule_title(rule_id: str) -> str:
    """A rule's Chinese name (its id when the catalog does not know it)."""
    from taizhang import catalog

    rule = catalog.RULES.get(rule_id)
    return rule.title if rule is not None else rule_id


def problems_table(title: str, problems: list[Problem], *, ids: bool = False) -> Any:
    """A table of problems, the most serious first: severity, where, the rule's Chinese name
    (and its id with `ids`), and the message saying what to do."""
    rows = []
    for p in sorted(problems, key=lambda p: p.severity.rank):
        where = "".join([p.sheet, f" 第{p.row}行" if p.row else "", f" {p.column}" if p.column else ""]).strip()
        rows.append([severity_style(p.severity.value), where, rule_title(p.rule_id),
                     *([p.rule_id] if ids else []), p.message])
    return table(title, ["级别", "位置", "规则", *(["规则编号"] if ids else []), "问题和修改方法"], rows,
                 long=["问题和修改方法"], key=2)


def print_warnings(problems: Iterable[Problem]) -> None:
    """Warnings about the command's own settings (a stale deadline …), one line each, on stdout
    after the command's result."""
    for p in problems:
        console.print(f"[yellow]注意：[/]{plain(p.message)}")


def progress_bar(description: str, total: int, *, enabled: bool = True) -> Progress:
    """A progress bar on stderr (hidden for --json or when there is little to do)."""
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[item]}", markup=False),
        console=err_console, transient=True, disable=not enabled,
    )
