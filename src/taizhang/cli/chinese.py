"""The command line in Chinese: help pages, usage lines and Typer's own error messages.

Typer (since 0.26) carries its own copy of Click, whose strings ("Usage:", "Options", "Missing
argument", "No such option" …) are written in English in the code, not looked up in a gettext
catalog. So instead of translating strings one by one, every command and group is built from the
two classes below (`install` sets them on a Typer app and everything registered under it):

- help is rendered here, in Chinese, from the parameters themselves (option names, a word for the
  kind of value, the help text, default and "必填");
- the usage line says 用法/选项/命令;
- a usage error (unknown option, missing argument, a value that is not a number …) is rebuilt from
  the exception's own fields (its class, parameter, value, Pydantic error type) into a Chinese
  sentence before Typer prints it; Typer's error panel title and "Try … for help" line are its
  module-level constants, set once here.
"""

from __future__ import annotations

import inspect
import os
import re
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, Union, get_args, get_origin

import typer
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer import rich_utils
from typer._click import exceptions as click_exc
from typer.core import TyperArgument, TyperCommand, TyperGroup
from typer.models import DefaultPlaceholder

from taizhang.cli.common import GLOBAL_PANEL, Prose

HELP_OPTION_TEXT = "显示本帮助并退出。"

# Typer's error panel (rich_utils.rich_format_error) reads these module constants when it prints.
_TYPER_TEXTS = {
    "ERRORS_PANEL_TITLE": "错误",
    "RICH_HELP": "运行 [bold]{command_path} {help_option}[/] 查看用法。",
    "ABORTED_TEXT": "已中止。",
}

_TYPE_WORDS: dict[Any, str] = {
    int: "整数", float: "数字", str: "文字", bool: "是或否", date: "日期", datetime: "日期时间",
    Path: "路径",
}


class ChineseUsageError(click_exc.UsageError):
    """A usage error whose message is already in Chinese."""


# ---------------------------------------------------------------------------------------------
# Words for parameters
# ---------------------------------------------------------------------------------------------


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the base type, whether it is a list) of a parameter annotation."""
    is_list = False
    while True:
        origin = get_origin(annotation)
        if origin is Union or (origin is not None and str(origin) == "<class 'types.UnionType'>"):
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else str
        elif origin in (list, tuple):
            is_list = True
            args = get_args(annotation)
            annotation = args[0] if args else str
        else:
            return annotation, is_list


def is_flag(param: Any) -> bool:
    """Whether an option is a switch that takes no value."""
    return bool(getattr(param, "is_flag", False)) or bool(getattr(param, "count", False))


def value_word(param: Any) -> str:
    """The kind of value a parameter takes, in words ("日期", "支部编码", "整数，至少 1" …): the
    parameter's metavar when it has one, else a word for its type."""
    if param.metavar:
        return str(param.metavar)
    desc = getattr(param, "type_descriptor", None)
    annotation = getattr(desc, "annotation", str)
    base, _ = _unwrap(annotation)
    info = getattr(desc, "parameter_info", None)
    if isinstance(base, type) and issubclass(base, Enum):
        return "、".join(str(m.value) for m in base)
    if desc is not None and getattr(desc, "is_path", False) or base is Path:
        file_ok, dir_ok = getattr(info, "file_okay", True), getattr(info, "dir_okay", True)
        return "文件" if file_ok and not dir_ok else "文件夹" if dir_ok and not file_ok else "文件或文件夹"
    word = _TYPE_WORDS.get(base, "文字")
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    if low is not None and high is not None:
        word += f"，{low}至{high}"
    elif low is not None:
        word += f"，至少 {low}"
    elif high is not None:
        word += f"，至多 {high}"
    return word


def _repeats(param: Any) -> bool:
    return bool(getattr(param, "multiple", False)) or getattr(param, "nargs", 1) == -1


def _usage_piece(param: Any) -> str:
    word = value_word(param) + ("…" if _repeats(param) else "")
    return word if param.required else f"[{word}]"


def _names(param: Any) -> str:
    opts = sorted(param.opts, key=lambda o: (o.startswith("--"), o))
    return ", ".join(opts + list(param.secondary_opts))


def _default_text(param: Any) -> str | None:
    show = getattr(param, "show_default", True)
    if isinstance(show, str):
        return show
    default = param.default
    if isinstance(default, DefaultPlaceholder):
        default = default.value
    if show is False or is_flag(param) or callable(default) or default in (None, False, "", (), []):
        return None
    if isinstance(default, Enum):
        default = default.value
    if isinstance(default, (list, tuple)):
        return "、".join(str(d) for d in default)
    return str(default)


def _help_text(param: Any, ctx: Any) -> Text:
    if param.name == "help" or ("--help" in param.opts and not getattr(param, "help", None)):
        text = HELP_OPTION_TEXT
    else:
        text = inspect.cleandoc(getattr(param, "help", None) or "")
    extra = []
    if _repeats(param) and isinstance(param, typer.core.TyperOption):
        extra.append("可写多次")
    default = _default_text(param)
    if default is not None:
        extra.append(f"默认：{default}")
    if param.required:
        extra.append("必填")
    out = Text(" ".join(text.split("\n")))
    if extra:
        out.append(("" if not text else " ") + "［" + "；".join(extra) + "］", style="dim")
    return out


# ---------------------------------------------------------------------------------------------
# Help and usage
# ---------------------------------------------------------------------------------------------


def _console() -> Console:
    width = os.environ.get("TAIZHANG_WIDTH", "")
    return Console(highlight=False, width=int(width) if width.isdigit() else None)


def usage_line(command: Any, ctx: Any) -> str:
    """`taizhang collect [选项] [文件或文件夹]…` for a command, `… 命令 [参数]…` for a group."""
    pieces = [ctx.command_path]
    params = command.get_params(ctx)
    if any(not isinstance(p, TyperArgument) for p in params):
        pieces.append("[选项]")
    pieces += [_usage_piece(p) for p in params if isinstance(p, TyperArgument)]
    if isinstance(command, TyperGroup):
        pieces.append("命令 [参数]…")
    return " ".join(pieces)


def _first_paragraph(text: str | None) -> str:
    return inspect.cleandoc(text or "").split("\n\n")[0].replace("\n", "")


def _params_panel(title: str, rows: list[tuple[str, str, Text]]) -> Panel:
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(no_wrap=True, style="bold cyan")
    grid.add_column(no_wrap=True, style="yellow")
    grid.add_column(ratio=1, overflow="fold")
    for names, word, help_text in rows:
        grid.add_row(names, word, Prose(help_text))
    return Panel(grid, title=title, title_align="left", border_style="dim")


def render_help(command: Any, ctx: Any) -> None:
    """Print a command's (or group's) help in Chinese."""
    console = _console()
    parts: list[Any] = [Padding(Text("用法：" + usage_line(command, ctx), style="bold"), (1, 1, 1, 1))]
    if command.help:
        body = inspect.cleandoc(command.help).partition("\f")[0]
        parts.append(Padding(Prose(Text(body)), (0, 1, 1, 1)))
    panels: dict[str, list[tuple[str, str, Text]]] = {}
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if isinstance(param, TyperArgument):
            panel = "参数"
            names, word = value_word(param) + ("…" if _repeats(param) else ""), ""
        else:
            is_global = param.name == "help" or bool(getattr(param, "rich_help_panel", None))
            panel = (getattr(param, "rich_help_panel", None) or GLOBAL_PANEL) if is_global else "选项"
            names, word = _names(param), "" if is_flag(param) else value_word(param)
        panels.setdefault(panel, []).append((names, word, _help_text(param, ctx)))
    for title in ["参数", "选项", *[t for t in panels if t not in ("参数", "选项")]]:
        if panels.get(title):
            parts.append(_params_panel(title, panels[title]))
    if isinstance(command, TyperGroup):
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(no_wrap=True, style="bold cyan")
        grid.add_column(ratio=1, overflow="fold")
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                grid.add_row(name, Prose(_first_paragraph(sub.short_help or sub.help)))
        parts.append(Panel(grid, title="命令", title_align="left", border_style="dim"))
        parts.append(Padding(Text(f"每个命令的用法：{ctx.command_path} 命令 -h", style="dim"), (0, 1)))
    if command.epilog:
        parts.append(Padding(Text(inspect.cleandoc(command.epilog)), (1, 1)))
    console.print(Group(*parts))


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _param_label(param: Any) -> str:
    if param is None:
        return "参数"
    if isinstance(param, TyperArgument):
        return value_word(param)
    return "/".join(sorted(param.opts, key=lambda o: (not o.startswith("--"), o)))


def _pydantic_reason(cause: Any, param: Any) -> str | None:
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    try:
        first = errors()[0]
    except Exception:  # noqa: BLE001 - any shape we do not know falls back to the generic sentence
        return None
    kind, value, bounds = first.get("type", ""), first.get("input"), first.get("ctx") or {}
    shown = f"“{value}”"
    table = {
        "greater_than_equal": f"{shown}太小了，不能小于 {bounds.get('ge')}",
        "greater_than": f"{shown}太小了，要大于 {bounds.get('gt')}",
        "less_than_equal": f"{shown}太大了，不能大于 {bounds.get('le')}",
        "less_than": f"{shown}太大了，要小于 {bounds.get('lt')}",
        "enum": f"{shown}不是可选的值，可选：{bounds.get('expected', '')}",
        "literal_error": f"{shown}不是可选的值，可选：{bounds.get('expected', '')}",
    }
    if kind in table:
        return table[kind]
    return f"{shown}不是{value_word(param) if param is not None else '有效的值'}"


_PATH_PATTERNS = [
    (re.compile(r"'(?P<v>.*)' does not exist"), "找不到“{v}”"),
    (re.compile(r"(?P<v>\S+) is a file"), "“{v}”是文件，这里要写文件夹"),
    (re.compile(r"(?P<v>\S+) is a directory"), "“{v}”是文件夹，这里要写文件"),
    (re.compile(r"(?P<v>\S+) is not readable"), "没有权限读取“{v}”"),
    (re.compile(r"(?P<v>\S+) is not writable"), "没有权限写入“{v}”"),
    (re.compile(r"^'?(?P<v>.*?)'? is not one of (?P<c>.*)\.$"), "“{v}”不是可选的值，可选：{c}"),
    (re.compile(r"^Value '?(?P<v>.*?)'? is not a valid"), "“{v}”不是{word}"),
]


def _bad_value_reason(exc: click_exc.BadParameter) -> str:
    message = str(exc.message)
    if _CJK.search(message):
        return message.rstrip("。")
    reason = _pydantic_reason(exc.__cause__, exc.param)
    if reason:
        return reason
    for pattern, template in _PATH_PATTERNS:
        found = pattern.search(message)
        if found:
            groups = found.groupdict()
            if "c" in groups:
                groups["c"] = "、".join(c.strip(" '") for c in groups["c"].split(","))
            return template.format(word=value_word(exc.param) if exc.param else "有效的值", **groups)
    return f"值不对（{message}）"


def translate(exc: click_exc.UsageError) -> str:
    """The Chinese sentence for a usage error raised while parsing a command line."""
    msg = str(getattr(exc, "message", "") or "")
    if isinstance(exc, click_exc.NoSuchOption):
        text = f"没有 {exc.option_name} 这个选项。"
        if exc.possibilities:
            text += f"是不是要写 {'、'.join(sorted(exc.possibilities))}？"
        return text
    if isinstance(exc, click_exc.MissingParameter):
        param = exc.param
        if isinstance(param, TyperArgument):
            return f"缺少{value_word(param)}：请在命令后面写上{value_word(param)}。"
        return f"缺少必填的选项 {_param_label(param)}（{value_word(param) if param else '值'}）。"
    if isinstance(exc, click_exc.BadParameter):
        label = exc.param_hint if isinstance(exc.param_hint, str) and exc.param is None else _param_label(exc.param)
        return f"{label} 的值不对：{_bad_value_reason(exc)}。"
    if isinstance(exc, click_exc.BadOptionUsage):
        found = re.search(r"requires (an argument|(\d+) arguments)", msg)
        if found:
            return f"选项 {exc.option_name} 后面要写{'一个值' if not found.group(2) else found.group(2) + '个值'}。"
        if "does not take a value" in msg:
            return f"选项 {exc.option_name} 是开关，后面不能写值。"
    found = re.match(r"Got unexpected extra argument\(s\) \((.*)\)", msg)
    if found:
        return f"多写了 {found.group(1)}：这个命令不需要这些参数（值里有空格时请加引号）。"
    found = re.match(r"No such command '(.*?)'\.(?: Did you mean (.*)\?)?", msg)
    if found:
        text = f"没有 {found.group(1)} 这个命令。"
        if found.group(2):
            text += f"是不是要用 {'、'.join(s.strip(' ' + chr(39)) for s in found.group(2).split(','))}？"
        return text
    if msg.startswith("Missing command"):
        return "缺少命令：请在后面写上要做什么（命令列表见帮助）。"
    if re.match(r"Argument '(.*)' takes (\d+) values", msg):
        return "参数的个数不对。"
    return msg


class _Translating:
    """Re-raise a usage error as a ChineseUsageError (once: an already translated one passes)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc is None or isinstance(exc, (ChineseUsageError, click_exc.NoArgsIsHelpError)):
            return False
        if isinstance(exc, click_exc.UsageError):
            raise ChineseUsageError(translate(exc), exc.ctx) from exc
        return False


def _translating() -> _Translating:
    return _Translating()


class _Chinese:
    """Help, usage line and parsing errors in Chinese (mixed into Typer's command and group)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        render_help(self, ctx)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        rest = usage_line(self, ctx)[len(ctx.command_path):].strip()
        formatter.write_usage(ctx.command_path, rest, prefix="用法：")

    def make_context(self, info_name: Any, args: list[str], parent: Any = None, **extra: Any) -> Any:
        with _translating():
            return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[misc]


class ChineseCommand(_Chinese, TyperCommand):
    """A Typer command whose help, usage and parsing errors are in Chinese."""


class ChineseGroup(_Chinese, TyperGroup):
    """A Typer group whose help, usage and parsing errors are in Chinese."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        with _translating():
            return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        with _translating():
            return super().invoke(ctx)


def _chinese(cls: Any, default: type) -> type:
    """`cls` (a command or group class, Typer's own when not set) with the Chinese layer mixed in."""
    if cls is None or isinstance(cls, DefaultPlaceholder):
        cls = default
    if issubclass(cls, _Chinese):
        return cls  # type: ignore[no-any-return]
    if cls is TyperCommand:
        return ChineseCommand
    if cls is TyperGroup:
        return ChineseGroup
    return type(f"Chinese{cls.__name__}", (_Chinese, cls), {})


def walk(app: typer.Typer) -> Iterator[Any]:
    """Every CommandInfo under `app`, in sub-apps too."""
    yield from app.registered_commands
    for group in app.registered_groups:
        if group.typer_instance is not None:
            yield from walk(group.typer_instance)


def install(app: typer.Typer) -> None:
    """Build `app`, its sub-apps and every command registered on them from the Chinese classes,
    and put Typer's own error texts into Chinese."""
    for name, text in _TYPER_TEXTS.items():
        setattr(rich_utils, name, text)
    app.info.cls = _chinese(app.info.cls, TyperGroup)
    for info in app.registered_commands:
        info.cls = _chinese(info.cls, TyperCommand)
    for group in app.registered_groups:
        group.cls = _chinese(group.cls, TyperGroup)
        if group.typer_instance is not None:
            install(group.typer_instance)
