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
def demo_returns(tmp_path_factory) -> tuple[Path, dict]:
    """The demo built up to its last year's returns (inbox/2025年/, not collected yet; 2023 and
    2024 collected), and the demo's report. Built once: tests that change it copy the folder
    (`copy_demo`)."""
    from taizhang.demo import build_demo

    root = tmp_path_factory.mktemp("demo-returns") / "台账演示"
    report = build_demo(root, stages="returns")
    return root, report.to_dict()


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
