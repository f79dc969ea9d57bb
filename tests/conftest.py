"""Shared fixtures: a CLI runner with stable output, and workspaces with branches."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

# Stable Rich output in tests: wide, no colour.
os.environ["TAIZHANG_WIDTH"] = "3000"
os.environ["NO_COLOR"] = "1"

from taizhang import workspace
from taizhang.cli import app
from taizhang.workspace import branches as branches_mod

BRANCHES = [
    {"code": "001", "name": "机关第一党支部", "secretary": "王建国", "contact": "李明", "phone": "010-1"},
    {"code": "002", "name": "办公室党支部", "secretary": "赵红", "contact": "钱芳", "phone": "010-2"},
    {"code": "003", "name": "离退休干部党支部", "secretary": "孙立", "contact": "周强", "phone": "010-3"},
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str, cwd: Path | None = None):
    """Run the CLI (optionally inside `cwd`) and return the result."""
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def make_workspace(root: Path, branches: list[dict[str, str]] | None = None, year: int = 2025) -> workspace.Workspace:
    """A fresh workspace with the given branch list filled in."""
    ws = workspace.init(root, org="中共测试局机关委员会", year=year, code="T01")
    branches_mod.write_template(ws.branches_path, BRANCHES if branches is None else branches)
    return ws


@pytest.fixture
def ws(tmp_path: Path) -> workspace.Workspace:
    return make_workspace(tmp_path / "ws")


def soffice() -> str | None:
    """The LibreOffice binary, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice 未安装")


DEMO_AS_OF = date(2026, 1, 20)


@pytest.fixture(scope="session")
def demo_returns(tmp_path_factory, demo_cli) -> tuple[Path, dict]:
    """The demo built up to its last year's returns (inbox/2025年/, not collected yet; 2023 and
    2024 collected), and the demo's report as `build_demo(stages="returns")` gives it: the
    snapshot the session's one demo run (`demo_cli`) took at that point. Tests that change it copy
    the folder (`copy_demo`)."""
    return _DEMO_SNAPSHOT["root"], _DEMO_SNAPSHOT["report"]


_DEMO_SNAPSHOT: dict = {}


def copy_demo(demo_returns: tuple[Path, dict], target: Path) -> tuple[workspace.Workspace, dict]:
    """A copy of the demo's returns stage in `target`, with the report's paths pointing into it."""
    import json

    root, report = demo_returns
    shutil.copytree(root, target)
    moved = json.loads(json.dumps(report, ensure_ascii=False).replace(str(root), str(target)))
    return workspace.Workspace(target), moved


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory, demo_returns) -> workspace.Workspace:
    """The demo workspace with its returns collected (as the demo does, on 2026-01-20); shared by
    the tests that only read it or write outputs."""
    from taizhang.collect import collect

    ws, _report = copy_demo(demo_returns, tmp_path_factory.mktemp("demo") / "台账演示")
    collect(ws, [ws.root / "inbox" / "2025年"], as_of=DEMO_AS_OF)
    return ws


@pytest.fixture(scope="session")
def demo_cli(tmp_path_factory) -> tuple[workspace.Workspace, dict, object]:
    """The whole demo as a user makes it (`taizhang demo DIR --json`), built once for the session:
    the workspace, the command's JSON output, and what the library's `build_demo` returned during
    that run (for the --json contract). Tests that share it may add outputs but must not change
    what is stored."""
    import json

    from taizhang.cli import demo_cmd

    root = tmp_path_factory.mktemp("cli-demo") / "台账演示"
    returned: list[object] = []
    original = demo_cmd.build_demo

    snapshot = tmp_path_factory.mktemp("demo-returns") / "台账演示"

    def at_returns(report) -> None:  # the "returns" stage, copied as the run passes it
        shutil.copytree(root, snapshot, ignore=shutil.ignore_patterns("lock"))
        moved = json.dumps(report.to_dict(), ensure_ascii=False).replace(str(root.resolve()), str(snapshot))
        _DEMO_SNAPSHOT.update(root=snapshot, report=json.loads(moved))

    def recording(*args, **kwargs):
        result = original(*args, on_returns=at_returns, **kwargs)
        returned.append(result)
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo_cmd, "build_demo", recording)
        result = invoke(CliRunner(), "demo", root, "--json")
    assert result.exit_code == 0, result.output
    assert returned and _DEMO_SNAPSHOT, "taizhang demo did not call build_demo"
    return workspace.Workspace(root), json.loads(result.stdout), returned[-1]

