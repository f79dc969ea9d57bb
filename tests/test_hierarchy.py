"""The tree of units: parents, cycles, kinds, units from roll-ups, and subtotals per node."""

from __future__ import annotations

from datetime import date

from test_statistics import SETTINGS, return_001_2025, return_002_2025

from taizhang.levels import hierarchy
from taizhang.party.periods import Period
from taizhang.statistics.compute import compute
from taizhang.statistics.load import group_by_tree
from taizhang.workspace.branches import Branch, find_cycles, issuable


def _tree(rows, **kw):
    return hierarchy.build([Branch(**r) for r in rows], org_code="T01", **kw)


def test_parents_kinds_and_tree_order() -> None:
    tree = _tree([
        {"code": "001", "name": "直属党支部"},
        {"code": "Z1", "name": "第一党总支"},
        {"code": "Z1-01", "name": "总支一支部", "parent": "Z1"},
        {"code": "W", "name": "外单位挂靠党支部", "parent": "T01"},  # the workspace's own code: directly under
        {"code": "Z2", "name": "第二党总支", "kind": "党总支"},  # no children yet: a node because it says so
        {"code": "Z1-02", "name": "总支二支部", "parent": "Z1"},
    ])
    assert list(tree.units) == ["001", "Z1", "Z1-01", "Z1-02", "W", "Z2"]
    assert [u.code for u in tree.branches()] == ["001", "Z1-01", "Z1-02", "W"]
    assert [u.code for u in tree.branches("Z1")] == ["Z1-01", "Z1-02"]
    assert tree.branches("Z2") == [] and [u.code for u in tree.branches("001")] == ["001"]
    assert (tree.units["Z1"].kind, tree.units["Z2"].kind, tree.units["W"].parent) == ("党总支", "党总支", "")
    assert [u.name for u in tree.ancestors("Z1-02")] == ["第一党总支"]
    nested = tree.to_dict()["units"]
    assert [u["code"] for u in nested] == ["001", "Z1", "W", "Z2"]
    assert [c["code"] for c in nested[1]["children"]] == ["Z1-01", "Z1-02"]


def test_a_cycle_is_cut_and_a_linked_unit_is_a_node() -> None:
    assert find_cycles({"A": "B", "B": "C", "C": "B", "D": "D", "E": ""}) == [["B", "C"], ["D"]]
    tree = _tree([
        {"code": "A", "name": "甲", "parent": "B"},
        {"code": "B", "name": "乙", "parent": "A"},
        {"code": "L", "name": "自有工作区的党总支"},
    ], linked={"L"})
    assert tree.units["A"].parent == "" and tree.units["B"].parent == "A"
    assert tree.units["L"].kind == "党总支" and tree.units["L"].linked
    assert [b.code for b in issuable([Branch("L", "自有工作区的党总支"), Branch("1", "一支部")], {"L"})] == ["1"]


def test_units_from_a_rollup_hang_under_their_unit_and_the_own_list_wins() -> None:
    rollup_units = [
        {"code": "G", "name": "下级的党总支", "parent": "", "kind": "党总支"},
        {"code": "G-1", "name": "下下级支部", "parent": "G", "kind": "党支部"},
        {"code": "L-1", "name": "下级直属支部", "parent": "", "kind": "党支部"},
        {"code": "001", "name": "直属党支部（下级名单里也有）", "parent": "", "kind": "党支部"},
        {"code": "X", "name": "上级不知道的上级", "parent": "nowhere", "kind": "党支部"},
    ]
    tree = _tree([{"code": "001", "name": "直属党支部"}, {"code": "L", "name": "党委", "kind": "党委"}],
                 linked={"L"}, rollups={"L": rollup_units})
    assert tree.units["001"].name == "直属党支部" and tree.units["001"].parent == "" and not tree.units["001"].source
    assert tree.units["G"].parent == "L" and tree.units["G-1"].parent == "G" and tree.units["X"].parent == "L"
    assert {u.source for u in tree.below("L")} == {"L"}
    assert [u.code for u in tree.branches("L")] == ["G-1", "L-1", "X"]
    assert [u.name for u in tree.group_path("G-1")] == ["党委", "下级的党总支"]
    assert [u.name for u in tree.group_path("G-1", "L")] == ["下级的党总支"]
    assert tree.contains("L", "G-1") and not tree.contains("G", "L-1")


def test_group_subtotals_are_the_sums_of_their_branches() -> None:
    tree = _tree([
        {"code": "Z", "name": "党总支", "kind": "党总支"},
        {"code": "001", "name": "机关第一党支部", "parent": "Z"},
        {"code": "002", "name": "办公室党支部"},
        {"code": "003", "name": "离退休干部党支部", "parent": "Z"},
    ])
    returns = {"001": return_001_2025(), "002": return_002_2025()}
    stats = compute(returns, tree.branches(), Period.year(2025), SETTINGS, as_of=date(2026, 1, 10))
    group_by_tree(stats, tree)
    [group] = stats.groups
    assert (group.code, group.branches, group.depth) == ("Z", ["001", "003"], 0)
    one = stats.branch("001")
    assert group.total.membership.total == one.membership.total  # 003 has not returned
    assert group.total.dues.paid == one.dues.paid and group.total.meetings.general == one.meetings.general
    assert (one.group, stats.branch("002").group) == ("党总支", "")
    assert stats.total.membership.total == one.membership.total + stats.branch("002").membership.total


def test_a_rollup_parent_that_is_another_unit_here_is_not_followed() -> None:
    # The upper level has its own "G" directly under it; the roll-up's "G" is another unit.
    tree = _tree([{"code": "G", "name": "本级的党总支", "kind": "党总支"}, {"code": "L", "name": "下级党委", "kind": "党委"}],
                 linked={"L"}, rollups={"L": [{"code": "G", "name": "下级的党总支", "kind": "党总支"},
                                              {"code": "G-1", "name": "下级的支部", "parent": "G"}]})
    assert tree.units["G-1"].parent == "L" and tree.units["G"].name == "本级的党总支"
    assert [u.code for u in tree.branches("G")] == [] and [u.code for u in tree.branches("L")] == ["G-1"]
