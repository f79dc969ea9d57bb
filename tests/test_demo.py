"""taizhang demo end to end: every stage runs, every planted mistake is found where it was put,
the clean returns have no error, and every output is there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import invoke

from taizhang.issue.workbook import HEADER_ROW
from taizhang.problems import Severity
from taizhang.workspace import Workspace
from taizhang.workspace.definitions import load_definitions
from taizhang.workspace.store import Store

FIRST_DATA_ROW = HEADER_ROW + 2  # Excel row of a table ledger's first data row


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-demo") / "台账演示"
    from typer.testing import CliRunner

    result = invoke(CliRunner(), "demo", root, "--json")
    assert result.exit_code == 0, result.output
    return Workspace(root), json.loads(result.stdout)


def _current_problems(ws: Workspace) -> dict[str, list]:
    with Store.open(ws.store_path) as store:
        return {code: store.problems(sub.id) for code, sub in store.current(2025).items()}


def test_every_planted_mistake_is_found_with_its_rule_sheet_row_and_column(demo) -> None:
    ws, report = demo
    assert len(report["mistakes"]) >= 6
    definitions = load_definitions()
    problems = _current_problems(ws)
    for m in report["mistakes"]:
        ledger = definitions.ledger(m["ledger_id"])
        column = ledger.column(m["key"]).header
        row = FIRST_DATA_ROW + m["row_index"]
        found = [p for p in problems[m["branch_code"]]
                 if p.rule_id == m["rule_id"] and p.sheet == ledger.sheet and p.row == row and p.column == column]
        assert found, (m, [(p.rule_id, p.sheet, p.row, p.column) for p in problems[m["branch_code"]]])
        assert found[0].severity is Severity.ERROR


def test_clean_returns_have_no_errors(demo) -> None:
    ws, report = demo
    planted = {m["branch_code"] for m in report["mistakes"]}
    problems = _current_problems(ws)
    clean = set(problems) - planted
    assert len(clean) >= 5
    for code in clean:
        errors = [p for p in problems[code] if p.severity is Severity.ERROR]
        assert not errors, (code, errors)


def test_every_stage_left_its_files(demo) -> None:
    ws, report = demo
    root = ws.root
    assert len(report["issued"]) == report["branches"] == 12
    assert (root / "outbox" / "关于报送2025年党建工作台账的通知.docx").exists()
    assert len(report["returns"]) == 11 and len(report["withheld"]) == 1
    lower = [b for su in report["sub_units"] for b in su["branches"]]
    assert len(report["sub_units"]) == 2 and len(lower) == 6
    # 11 branch returns and 2 roll-ups; the four with planted mistakes need fixing.
    assert report["collect"] == {"已接收": 9, "需修改": 4}
    assert all(Path(f).exists() for f in report["feedback"])
    assert {Path(p).name for p in report["outputs"]} == {"汇总台账.xlsx", "统计表.xlsx"}
    with Store.open(ws.store_path) as store:
        current = store.current(2025)
        assert len(current) == 11 + 6 and set(lower) <= set(current)
        for sub in current.values():
            ret = store.load_return(sub.id)
            assert len(ret.rows("roster")) >= 8 and ret.rows("meetings") and ret.rows("dues")
    assert len(report["reports"]) == 4 * len(current) + 2 and all(Path(p).exists() for p in report["reports"])


def test_collecting_the_demo_again_changes_nothing(demo, runner) -> None:
    ws, report = demo
    with Store.open(ws.store_path) as store:
        before = [s.id for s in store.submissions()]
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", "2026-01-20", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"] == {"已收过": len(report["returns"]) + len(report["sub_units"])}
    with Store.open(ws.store_path) as store:
        assert [s.id for s in store.submissions()] == before


def test_the_demo_refuses_an_existing_workspace(demo, runner) -> None:
    ws, _ = demo
    result = invoke(runner, "demo", ws.root)
    assert result.exit_code == 1 and "已经是一个工作区" in result.stderr
