"""What every command shares: the workspace option, error handling, JSON and Rich output."""

from __future__ import annotations

import functools
import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Callable, Iterable, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from taizhang.errors import TaizhangError
from taizhang.problems import Problem
from taizhang.safeio import strip_control

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    workspace: Path | None = None
    debug: bool = False


state = State()
# TAIZHANG_WIDTH fixes the width (tests set it so that tables are not folded).
_WIDTH = int(os.environ["TAIZHANG_WIDTH"]) if os.environ.get("TAIZHANG_WIDTH", "").isdigit() else None
console = Console(highlight=False, soft_wrap=False, width=_WIDTH)
err_console = Console(stderr=True, highlight=False, width=_WIDTH)

JsonOpt = Annotated[bool, typer.Option("--json", help="以JSON格式输出结果，供脚本使用。")]


class Markup(str):
    """Text that carries Rich markup on purpose (the styles we add). Any other text, above all
    file names, branch names and cell values from returns, is shown exactly as it is."""


def plain(value: Any) -> str:
    """User text made safe inside a markup string: "[/]" shows as typed instead of breaking
    the output, and control characters (terminal escape sequences) are dropped."""
    return escape(strip_control("" if value is None else str(value)))


def _cell(value: Any) -> Text:
    if isinstance(value, Text):
        return value
    if isinstance(value, Markup):
        return Text.from_markup(value)
    return Text(strip_control("" if value is None else str(value)))


def global_options(
    workspace: Annotated[
        Path | None,
        typer.Option("-w", "--workspace", help="工作区文件夹（默认从当前文件夹向上查找）。", show_default=False),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示程序内部的详细信息。")] = False,
) -> None:
    """党建工作台账：下发台账、收集报送、校验问题、汇总统计、生成报告。"""
    state.workspace = workspace
    state.debug = debug or bool(os.environ.get("TAIZHANG_DEBUG"))


def find_workspace() -> Any:
    """The workspace named by -w, or found from the current folder upwards."""
    from taizhang import workspace

    return workspace.find(explicit=state.workspace)


def handle_errors(fn: F) -> F:
    """Turn a TaizhangError into `错误：…` on stderr and exit status 1 (a traceback only with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TaizhangError as exc:
            if state.debug:
                raise
            err_console.print(f"[bold red]错误：[/]{plain(exc)}")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]已中断。[/]")
            raise typer.Exit(130) from None
        except OSError as exc:
            if state.debug:
                raise
            err_console.print(f"[bold red]错误：[/]无法读写文件：{plain(exc)}")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def parse_date(text: str | None, what: str, example: str = "2026-01-10") -> date | None:
    """The date typed for an option (None when not given); InputError naming `what` otherwise."""
    from taizhang.errors import InputError

    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what}“{text}”不是日期，请写成 {example} 的格式。") from None


def parse_as_of(text: str | None) -> date | None:
    """The date of an --as-of option (None when not given); InputError when it is not a date."""
    return parse_date(text, "--as-of")


def print_json(data: Any) -> None:
    """Print `data` as JSON (UTF-8, Chinese unescaped)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def table(title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]], *,
          justify: dict[str, str] | None = None) -> Table:
    """A Rich table with Chinese headers. Cells and the title are shown as they are (a `Markup`
    value is styled)."""
    t = Table(title=_cell(title), title_justify="left", header_style="bold", show_lines=False)
    for col in columns:
        t.add_column(col, justify=(justify or {}).get(col, "left"), overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        t.add_row(*(_cell(v) for v in row))
    return t


def severity_style(text: str) -> str:
    """Rich markup for a severity word."""
    styles = {"错误": "[bold red]错误[/]", "警告": "[yellow]警告[/]", "提示": "[cyan]提示[/]"}
    return Markup(styles[text]) if text in styles else text


def problems_table(title: str, problems: list[Problem], *, with_file: str | None = None) -> Table:
    """A table of problems (severity, where, rule, message)."""
    rows = []
    for p in problems:
        rows.append([severity_style(p.severity.value), p.sheet, p.row or "", p.column, p.rule_id, p.message])
    return table(title, ["级别", "工作表", "行", "列", "规则", "问题和修改方法"], rows)


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
