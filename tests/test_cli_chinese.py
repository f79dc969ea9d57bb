"""The command line speaks Chinese: every command's help and Typer's parsing errors, scanned over
the whole app (commands added later are covered without touching this file); global options are
accepted after every subcommand."""

from __future__ import annotations

import json
import re

import pytest
import typer.main
from conftest import invoke

from taizhang.cli import app
from taizhang.cli.chinese import ChineseCommand, ChineseGroup, value_word
from taizhang.cli.common import GLOBAL_PANEL


def _commands() -> list[tuple[tuple[str, ...], object]]:
    """(path, click command) of every command and group under the app, the app itself first."""
    out = []

    def visit(path: tuple[str, ...], cmd: object) -> None:
        out.append((path, cmd))
        for name in getattr(cmd, "commands", {}) or {}:
            visit((*path, name), cmd.commands[name])  # type: ignore[attr-defined]

    visit((), typer.main.get_command(app))
    return out


ALL = _commands()
LEAVES = [(path, cmd) for path, cmd in ALL if not hasattr(cmd, "commands")]
IDS = [" ".join(p) or "taizhang" for p, _ in ALL]
LEAF_IDS = [" ".join(p) for p, _ in LEAVES]

# What Click and Typer print in English, and must never reach a user.
ENGLISH = ["Usage", "Options", "Arguments", "Commands", "Show this message", "[required]", "default:",
           "<bool>", "<int", "<str", "<path", "<list", "<float", "range", "x>=", "Missing", "No such",
           "Error", "Try '", "for help", "Invalid value", "Got unexpected", "Did you mean", "Aborted",
           "requires an argument", "is not a valid", "Input should"]
# English words that may appear on purpose (names of programs, formats and folders; option names
# and paths are removed before the check).
ALLOWED = {"taizhang", "json", "word", "excel", "wps", "inbox", "outbox", "output", "feedback", "archive",
           "reports", "xlsx", "docx", "zip", "toml", "report_templates", "workbook_templates", "error",
           "warning", "info", "cpu", "meet-quorum", "rollup", "link", "import", "status", "branches",
           "init", "issue", "collect", "validate", "consolidate", "stats", "report", "problems",
           "templates", "demo", "remove", "list", "add", "members", "check", "year", "committee", "template"}


def english_words(text: str) -> list[str]:
    """The English words left in `text` once option names, paths and allowed words are removed."""
    text = re.sub(r"(?<![\w-])--?[\w-]+", " ", text)  # --workspace, -w
    text = re.sub(r"[\w./\\-]*[/\\][\w./\\-]*", " ", text)  # output/统计表.xlsx, report_templates/
    words = re.findall(r"[A-Za-z][A-Za-z_-]{2,}", text)
    return [w for w in words if w.lower() not in ALLOWED]


def _assert_chinese(output: str, typed: tuple[str, ...] = ()) -> None:
    for phrase in ENGLISH:
        assert phrase not in output, f"English text {phrase!r} in:\n{output}"
    left = [w for w in english_words(output) if w not in typed]
    assert not left, f"English words {left} in:\n{output}"


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=IDS)
def test_help_is_all_chinese(runner, path) -> None:
    result = invoke(runner, *path, "--help")
    assert result.exit_code == 0
    assert "用法：taizhang" in result.output
    _assert_chinese(result.output)


@pytest.mark.parametrize("path,cmd", LEAVES, ids=LEAF_IDS)
def test_every_option_and_argument_says_what_it_takes(path, cmd) -> None:
    for param in cmd.params:
        if getattr(param, "is_flag", False) or param.name == "help":
            continue
        word = value_word(param)
        assert re.search(r"[\u4e00-\u9fff]", word), f"{' '.join(path)} {param.opts}: {word!r}"
        if param.param_type_name == "argument" or (word == "文字"):
            assert param.metavar, f"{' '.join(path)} {param.opts}: give it a metavar saying what to write"
        assert (param.help or "").strip(), f"{' '.join(path)} {param.opts} has no help"


def test_every_command_is_built_from_the_chinese_classes() -> None:
    for path, cmd in ALL:
        assert isinstance(cmd, ChineseGroup if hasattr(cmd, "commands") else ChineseCommand), path


@pytest.mark.parametrize("path,cmd", LEAVES, ids=LEAF_IDS)
def test_parsing_errors_are_chinese(runner, path, cmd) -> None:
    unknown = invoke(runner, *path, "--no-such-thing")
    assert unknown.exit_code == 2
    assert "没有 --no-such-thing 这个选项" in unknown.output
    _assert_chinese(unknown.output)
    for param in cmd.params:
        if param.param_type_name == "option" and not getattr(param, "is_flag", False) and param.name != "help":
            missing_value = invoke(runner, *path, param.opts[0])
            assert missing_value.exit_code == 2
            assert "后面要写" in missing_value.output or "缺少" in missing_value.output
            _assert_chinese(missing_value.output)
    if any(p.param_type_name == "argument" and p.required for p in cmd.params):
        missing = invoke(runner, *path)
        assert missing.exit_code == 2 and "缺少" in missing.output
        _assert_chinese(missing.output)


def test_group_errors_and_bad_values_are_chinese(runner) -> None:
    cases = [
        (["statu"], "没有 statu 这个命令"),
        (["report", "通报", "多余"], "多写了 多余"),
        (["collect", "-j", "0"], "不能小于 1"),
        (["consolidate", "--year", "abc"], "“abc”不是年度"),
        (["link"], "用法：taizhang link"),
    ]
    for args, expected in cases:
        result = invoke(runner, *args)
        assert expected in result.output, result.output
        _assert_chinese(result.output, tuple(args))
    assert "错误" in invoke(runner, "statu").output  # the panel's title


@pytest.mark.parametrize("path", [p for p, _ in LEAVES], ids=LEAF_IDS)
def test_workspace_option_after_every_subcommand(runner, path, tmp_path) -> None:
    result = invoke(runner, *path, "-w", tmp_path, "--debug", "--help")
    assert result.exit_code == 0, result.output
    assert GLOBAL_PANEL in result.output and "-w, --workspace" in result.output


WORKSPACE_COMMANDS = [p for p, c in LEAVES if not any(x.required for x in c.params)
                      and p not in (("demo",), ("collect",))]


@pytest.mark.parametrize("path", WORKSPACE_COMMANDS, ids=[" ".join(p) for p in WORKSPACE_COMMANDS])
def test_workspace_option_after_the_subcommand_is_used(runner, path, tmp_path) -> None:
    result = invoke(runner, *path, "--workspace", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert "不是 taizhang 工作区" in result.output


def test_options_before_and_after_the_subcommand_agree(runner, ws) -> None:
    after = invoke(runner, "status", "-w", ws.root, "--json")
    before = invoke(runner, "-w", ws.root, "--json", "status")
    assert after.exit_code == before.exit_code == 0
    assert json.loads(after.stdout) == json.loads(before.stdout)


def test_json_before_a_command_without_json_is_refused(runner, tmp_path) -> None:
    from taizhang.cli import common

    def plain_command() -> None:
        """没有 JSON 输出的命令。"""

    wrapped = common.accepting_global_options(plain_command)
    common.state.json = True
    try:
        with pytest.raises(Exception, match="没有 JSON 输出"):
            wrapped()
    finally:
        common.state.json = False


def test_report_help_lists_every_kind_and_its_short_name(runner) -> None:
    import os

    from taizhang.reports.kinds import KINDS

    old = os.environ["TAIZHANG_WIDTH"]
    os.environ["TAIZHANG_WIDTH"] = "80"
    try:
        out = invoke(runner, "report", "--help").output
    finally:
        os.environ["TAIZHANG_WIDTH"] = old
    flat = re.sub(r"[\s│]", "", out)
    for kind in KINDS:
        assert f"{kind.name}（{kind.short}）" in flat
    assert "…" not in out.replace("[文件或文件夹…]", "")
