"""The demo's second level: two 党总支 keep their own workspaces and roll up into the committee."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import copy_demo

from taizhang import workspace
from taizhang.collect import collect
from taizhang.consolidate import figures
from taizhang.demo.organisation import demo_sub_units
from taizhang.levels import hierarchy
from taizhang.party.periods import Period

AS_OF = date(2026, 1, 10)


def test_two_general_branches_roll_up_into_the_committee(demo_returns, tmp_path: Path) -> None:
    top, report = copy_demo(demo_returns, tmp_path / "demo")
    assert [(u["code"], u["branches"]) for u in report["sub_units"]] == [
        ("Z1", ["Z1-01", "Z1-02", "Z1-03"]), ("Z2", ["Z2-01", "Z2-02", "Z2-03"])]
    for unit in report["sub_units"]:
        lower = Path(unit["workspace"])
        assert lower.parent == top.root / "下级党总支" and workspace.is_workspace(lower)
        assert Path(unit["rollup"]).parent == top.root / "inbox" / "2025年" and Path(unit["rollup"]).is_file()
        assert not list((top.root / "output").glob("*密钥*"))  # handed over, then deleted
        # the 党总支 ran three years' rounds too, each year's roll-up in the committee's inbox
        assert sorted(p.name[-18:] for p in top.root.glob(f"inbox/*年/{unit['code']}_*汇总.xlsx")) == [
            f"{y}年党建工作台账汇总.xlsx" for y in (2023, 2024, 2025)]
    # The committee issued ledgers to its own 12 branches only, not to the 党总支, every year.
    assert len(list((top.root / "outbox").glob("*2025年党建工作台账.xlsx"))) == 12
    assert len(list((top.root / "outbox").glob("*.xlsx"))) == 3 * 12
    collected = collect(top, as_of=AS_OF)
    assert not collected.failed
    rollups = [f for f in collected.files if f.rollup]
    assert [(f.branch_code, len(f.rollup)) for f in rollups] == [("Z1", 3), ("Z2", 3)]
    tree = hierarchy.load(top)
    assert [u.code for u in tree.branches("Z2")] == ["Z2-01", "Z2-02", "Z2-03"] and len(tree.branches()) == 18
    stats = figures(top, Period.year(2025), as_of=AS_OF)
    for unit in report["sub_units"]:
        own = figures(workspace.Workspace(Path(unit["workspace"])), Period.year(2025), as_of=AS_OF)
        group = next(g for g in stats.groups if g.code == unit["code"])
        assert group.total.membership.to_dict() == own.total.membership.to_dict()
        assert group.total.dues.to_dict() == own.total.dues.to_dict()
        assert group.total.meetings.to_dict() == own.total.meetings.to_dict()


def test_the_second_level_is_the_same_for_a_seed() -> None:
    import random

    first, again = demo_sub_units(random.Random("7-党总支")), demo_sub_units(random.Random("7-党总支"))
    assert first == again
    assert first != demo_sub_units(random.Random("8-党总支"))
    assert all(b.parent == su.row.code for su in first for b in su.branches)
