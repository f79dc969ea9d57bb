"""taizhang demo end to end: every stage runs, every planted mistake is found where it was put,
the clean returns have no error, and every output is there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import invoke

from taizhang.issue.workbook import HEADER_ROW
from taizhang.party.hosts import name_key
from taizhang.problems import Severity
from taizhang.workspace import Workspace
from taizhang.workspace.definitions import load_definitions
from taizhang.workspace.store import Store

FIRST_DATA_ROW = HEADER_ROW + 2  # Excel row of a table ledger's first data row


@pytest.fixture
def demo(demo_cli):
    """The demo made through the CLI (`taizhang demo DIR --json`, shared by the session)."""
    ws, output, _returned = demo_cli
    return ws, output


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
    # 11 branch returns and 2 roll-ups; those with planted mistakes need fixing.
    fix = len({m["branch_code"] for m in report["mistakes"]})
    assert fix >= 3 and report["collect"] == {"已接收": 13 - fix, "需修改": fix}
    assert all(Path(f).exists() for f in report["feedback"])
    assert {Path(p).name for p in report["outputs"]} == {"汇总台账.xlsx", "统计表.xlsx"}
    with Store.open(ws.store_path) as store:
        current = store.current(2025)
        assert len(current) == 11 + 6 and set(lower) <= set(current)
        for sub in current.values():
            ret = store.load_return(sub.id)
            assert len(ret.rows("roster")) >= 8 and ret.rows("meetings") and ret.rows("dues")
        term = {code for y in (2023, 2024, 2025) for code in store.current(y)}  # returned in any year of the term
    assert len(term) == len(current) + 1  # the branch that has not sent 2025's yet has its 换届 report
    assert len(report["reports"]) == 3 * len(current) + len(term) + 2
    assert all(Path(p).exists() for p in report["reports"])


def test_collecting_the_demo_again_changes_nothing(demo, runner) -> None:
    ws, report = demo
    with Store.open(ws.store_path) as store:
        before = [s.id for s in store.submissions()]
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", "2026-01-20", "--json")
    assert result.exit_code == 0, result.output
    every = len(list((ws.root / "inbox").rglob("*.xlsx")))  # every year's returns and roll-ups
    assert every == sum(r["returns"] for r in report["rounds"]) + 3 * len(report["sub_units"])
    assert json.loads(result.stdout)["counts"] == {"已收过": every}
    with Store.open(ws.store_path) as store:
        assert [s.id for s in store.submissions()] == before


def test_the_demo_refuses_an_existing_workspace(demo, runner) -> None:
    ws, _ = demo
    result = invoke(runner, "demo", ws.root)
    assert result.exit_code == 1 and "已经是一个工作区" in result.stderr


# --- three years, the same people ----------------------------------------------------------------

def _stored(ws: Workspace, year: int) -> dict:
    with Store.open(ws.store_path) as store:
        return {code: store.load_return(sub.id) for code, sub in store.current(year).items()}


def test_the_demo_runs_three_years_with_the_same_people(demo) -> None:
    ws, report = demo
    assert report["years"] == [2023, 2024, 2025] and [r["year"] for r in report["rounds"]] == [2023, 2024, 2025]
    assert ws.settings.year == 2025 and ws.settings.deadline.isoformat() == "2026-01-15"
    returns = {y: _stored(ws, y) for y in (2023, 2024, 2025)}
    direct = {b for b in returns[2023] if not b.startswith("Z")}
    assert len(direct) == 12 and "003" not in returns[2024]  # one branch misses a year
    assert report["rounds"][1]["missing"] == ["办公室党支部"]
    assert report["rounds"][2]["carried_from"]["003"] == 2023  # its 2025 workbook: from its latest return
    assert report["rounds"][2]["carried_from"]["001"] == 2024
    names = {y: {code: {name_key(r.values["name"]): r for r in ret.rows("roster")}
                 for code, ret in returns[y].items()} for y in returns}
    moved = confirmed = advanced = 0
    for code in direct - {"003"}:
        before, after = names[2023][code], names[2024][code]
        kept = [n for n, r in before.items() if r.values["standing"] in ("在册", "转入")]
        assert set(kept) <= set(after), code  # everyone in standing at the end of 2023 is still there
        moved += sum(1 for n in kept if after[n].values["standing"] == "转出")
        for n, r in before.items():
            if r.values["member_type"] == "预备党员" and after.get(n) is not None \
                    and after[n].values["member_type"] == "正式党员":
                assert after[n].values["full_date"].year == 2024
                confirmed += 1
        stages = {y: {r.values["name"]: r.values["stage"] for r in returns[y][code].rows("recruitment")}
                  for y in (2023, 2024)}
        order = ("入党申请人", "入党积极分子", "发展对象", "预备党员", "正式党员")
        for n, stage in stages[2023].items():
            if n in stages[2024] and order.index(stages[2024][n]) == order.index(stage) + 1:
                advanced += 1
    assert moved and confirmed and advanced  # members leave, 预备党员 become 正式, recruits move on


def _numbers(text: str) -> list[str]:
    return re.findall(r"[\d,]+(?:\.\d+)?", text)


def test_the_term_reports_rows_are_each_years_annual_report_and_the_total_their_sum(demo, runner) -> None:
    import docx

    ws, _report = demo
    for year in (2023, 2024):
        result = invoke(runner, "-w", ws.root, "report", "年度", "--year", year, "--as-of", "2026-01-20")
        assert result.exit_code == 0, result.output
    folder = ws.root / "output" / "reports"
    checked = 0
    for term in sorted((folder / "支部换届工作报告").glob("*.docx")):
        assert term.name.endswith("_2023—2025年支部换届工作报告.docx")
        code = term.name.split("_")[0]
        tables = [[[c.text for c in r.cells] for r in t.rows] for t in docx.Document(str(term)).tables]
        meetings, money = (t for t in tables if t[0][0] == "年度")
        assert [r[0] for r in meetings] == ["年度", "2023年", "2024年", "2025年", "合计"]
        for row, mrow in zip(meetings[1:4], money[1:4]):
            annual = folder / "支部年度工作报告" / term.name.replace("2023—2025年支部换届工作报告", f"{row[0]}支部年度工作报告")
            if not annual.exists():
                assert mrow[1] == "未报送" and set(row[1:]) == {"—"}
                continue
            text = "\n".join(p.text for p in docx.Document(str(annual)).paragraphs)
            assert f"全年召开支部党员大会{row[1]}次" in text
            assert (f"召开支委会{row[2]}次" in text) if row[2] != "—" else "不设支部委员会" in text
            assert f"讲党课{row[4]}次" in text and f"共有党员{mrow[1]}名" in text
            if row[5] != "0":
                assert f"主题党日{row[5]}次" in text
            assert f"全年应交党费{mrow[2]}元，实交{mrow[3]}元，收缴率{mrow[4]}" in text
            if f"接收预备党员{mrow[5]}名，预备党员转正{mrow[6]}名" not in text:
                assert (mrow[5], mrow[6]) == ("0", "0") and "没有新的发展党员工作记录" in text
            checked += 1
        returned = [r for r in meetings[1:4] if r[1] != "—"]
        for col in range(1, 9):
            if meetings[4][col] != "—":
                assert int(meetings[4][col]) == sum(int(r[col]) for r in returned if r[col] != "—"), (code, col)
        money_rows = [r for r in money[1:4] if r[1] != "未报送"]
        for col in (2, 3):
            total = sum(float(r[col].replace(",", "")) for r in money_rows)
            assert abs(float(money[4][col].replace(",", "")) - total) < 0.005, (code, col)
        for col in (5, 6):
            assert int(money[4][col]) == sum(int(r[col]) for r in money_rows)
        last = money_rows[-1]
        assert money[4][1] == f"{last[1]}（{last[0]}底）"  # a stock: the last year's, labelled
    assert checked >= 3 * 15
