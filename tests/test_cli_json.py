"""`--json` prints exactly the library's result: for every command that has the option, the JSON on
stdout equals `to_dict()` of the value the library call returned (recorded by wrapping the call
where the command looks it up). A command with --json that is not listed here fails the first test."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import typer.main
from conftest import DEMO_AS_OF, invoke, make_workspace
from memberlists import national

from taizhang.cli import app

AS_OF = DEMO_AS_OF.isoformat()
NODE_LIST = [{"code": "001", "name": "机关第一党支部", "secretary": "甲一"},
             {"code": "Z1", "name": "机关第一党总支", "kind": "党总支", "secretary": "乙一"}]


def _json_commands() -> set[str]:
    out = set()

    def visit(path: str, cmd: Any) -> None:
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            visit(f"{path} {name}".strip(), sub)
        if not hasattr(cmd, "commands") and any("--json" in p.opts for p in cmd.params):
            out.add(path)

    visit("", typer.main.get_command(app))
    return out


def _as_json(value: Any) -> Any:
    data = value.to_dict() if hasattr(value, "to_dict") else value
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


class Recorder:
    """Wraps a library function where the CLI looks it up and keeps what it returned."""

    def __init__(self, monkeypatch, target: str) -> None:
        module_name, attr = target.split(":")
        module = importlib.import_module(module_name)
        original = getattr(module, attr)
        self.results: list[Any] = []

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            self.results.append(result)
            return result

        monkeypatch.setattr(module, attr, wrapper)


def _demo_copy(demo_ws, tmp_path: Path) -> Path:
    root = tmp_path / "演示"
    shutil.copytree(demo_ws.root, root, ignore=shutil.ignore_patterns("*.lock"))
    return root


def _fresh(tmp_path: Path, branches: list[dict[str, str]] | None = None) -> Path:
    return make_workspace(tmp_path / "ws", branches).root


def _link_file(tmp_path: Path) -> tuple[Path, Path]:
    """A top workspace that made a link for Z1, the key file, and an empty lower workspace."""
    from taizhang import workspace
    from taizhang.levels import links

    top = make_workspace(tmp_path / "top", NODE_LIST)
    added = links.add(top, "Z1")
    lower = workspace.init(tmp_path / "lower", org="机关第一党总支", year=2025)
    return added.path, lower.root


# command → (how to prepare: returns (workspace root, extra args)), the library function the
# command calls, and how the printed JSON is made from what it returned.
def _many(results: list[Any]) -> Any:
    return [_as_json(r) for r in results]


def _last(results: list[Any]) -> Any:
    return _as_json(results[-1])


CONTRACTS: dict[str, tuple[Callable[..., tuple[Path | None, list[str]]], str, Callable[[list[Any]], Any]]] = {
    "init": (lambda d, t: (None, ["init", str(t / "新工作区"), "--org", "中共某局机关委员会", "--year", "2025"]),
             "taizhang.workspace:init", _last),
    "branches": (lambda d, t: (d.root, ["branches"]), "taizhang.levels.hierarchy:load", _last),
    "templates": (lambda d, t: (d.root, ["templates"]), "taizhang.workspace:templates", _last),
    "check": (lambda d, t: (d.root, ["check"]), "taizhang.cli.workspace_cmds:check_workspace", _last),
    "issue": (lambda d, t: (_fresh(t), ["issue"]), "taizhang.issue:issue_workspace", _last),
    "collect": (lambda d, t: (_demo_copy(d, t), ["collect", "--as-of", AS_OF, "--no-feedback"]),
                "taizhang.cli.collect_cmds:collect_files", _last),
    "status": (lambda d, t: (_demo_copy(d, t), ["status", "--remind"]), "taizhang.cli.collect_cmds:round_status", _last),
    "problems": (lambda d, t: (d.root, ["problems", "--severity", "warning"]),
                 "taizhang.cli.collect_cmds:problem_list", _last),
    "validate": (lambda d, t: (d.root, ["validate", "--as-of", AS_OF,
                                        *sorted(str(p) for p in (d.root / "inbox").rglob("*台账（报送）.xlsx"))[:2]]),
                 "taizhang.cli.validate_cmd:check_file", _many),
    "consolidate": (lambda d, t: (_demo_copy(d, t), ["consolidate", "--as-of", AS_OF]),
                    "taizhang.consolidate:consolidate", _last),
    "stats": (lambda d, t: (d.root, ["stats", "--as-of", AS_OF]), "taizhang.consolidate:figures", _last),
    "report": (lambda d, t: (_demo_copy(d, t), ["report", "通报", "--as-of", AS_OF, "--date", "2026-01-25"]),
               "taizhang.reports.generate:generate", _last),
    "rollup": (lambda d, t: (next(p.parent for p in (d.root / "下级党总支").rglob("taizhang.toml")),
                             ["rollup", "--as-of", AS_OF]), "taizhang.levels.send:rollup", _last),
    "demo": (lambda d, t: (None, ["demo", str(t / "演示")]), "taizhang.cli.demo_cmd:build_demo", _last),
    "members import": (lambda d, t: (_fresh(t), ["members", "import", str(national(t / "党员信息.xlsx"))]),
                       "taizhang.issue:member_preview", _last),
    "year": (lambda d, t: (_fresh(t), ["year", "2026"]), "taizhang.cli.year_cmd:start_year", _last),
    "committee check": (lambda d, t: (d.root, ["committee", "check", "--year", "2025"]),
                        "taizhang.committee:load", _last),
    "link add": (lambda d, t: (make_workspace(t / "top", NODE_LIST).root, ["link", "add", "Z1"]),
                 "taizhang.levels.links:add", _last),
    "link import": (lambda d, t: (lambda f, low: (low, ["link", "import", str(f)]))(*_link_file(t)),
                    "taizhang.levels.links:import_link", _last),
    "link list": (lambda d, t: (d.root, ["link", "list"]), "taizhang.levels.links:overview", _last),
    "link remove": (lambda d, t: (lambda f, low: (f.parent.parent, ["link", "remove", "Z1"]))(*_link_file(t)),
                    "taizhang.levels.links:remove", _last),
}


def test_every_json_command_has_a_contract() -> None:
    assert _json_commands() <= set(CONTRACTS), sorted(_json_commands() - set(CONTRACTS))


@pytest.mark.parametrize("command", sorted(CONTRACTS))
def test_json_is_the_library_result(runner, monkeypatch, demo_ws, tmp_path, request, command) -> None:
    prepare, target, expected = CONTRACTS[command]
    if command == "demo":  # the whole demo takes half a minute: the session's one run is checked
        _ws, output, returned = request.getfixturevalue("demo_cli")
        assert output == expected([returned])
        return
    recorder = Recorder(monkeypatch, target)
    root, args = prepare(demo_ws, tmp_path)
    result = invoke(runner, *(["-w", str(root)] if root else []), *args, "--json")
    assert result.exit_code in (0, 1), result.output
    assert recorder.results, f"{command} did not call {target}"
    assert json.loads(result.stdout) == expected(recorder.results)


def test_report_fields_json_is_the_library_dict(runner, monkeypatch, demo_ws) -> None:
    recorder = Recorder(monkeypatch, "taizhang.reports.generate:fields")
    result = invoke(runner, "-w", demo_ws.root, "report", "年度", "--fields", "--branch", "001",
                    "--as-of", AS_OF, "--json")
    assert json.loads(result.stdout) == _as_json(recorder.results[-1])
