"""Statistics from a workspace: the current returns of a period's years, loaded from the store one
branch at a time, handed to `compute`, and placed in the organisation tree."""


from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from taizhang.party.periods import Period
from taizhang.records import BranchReturn
from taizhang.statistics.compute import by_year, compute, total_of, total_status
from taizhang.statistics.model import ExcludedReturn, GroupStats, NoReturns, Stats

if TYPE_CHECKING:
    from taizhang.workspace import Workspace


class StoredReturns(Mapping[str, list[BranchReturn]]):
    """Branch code → that branch's current returns (one per year), loaded from the store each
    time they are asked for and not kept: iterating over thousands of branches holds one at a
    time. The store connection stays open until `close()` (or until garbage collection)."""

    def __init__(self, store_path: Any, ids: dict[str, list[int]]):
        self._path = store_path
        self._ids = ids  # code -> submission ids, oldest year first
        self._store: Any = None
        self._last: tuple[str, list[BranchReturn]] | None = None  # asking twice in a row loads once

    def __getitem__(self, code: str) -> list[BranchReturn]:
        ids = self._ids[code]
        if self._last is not None and self._last[0] == code:
            return self._last[1]
        if self._store is None:
            from taizhang.workspace.store import Store

            self._store = Store.read(self._path)
        rets = [self._store.load_return(sid) for sid in ids]
        self._last = (code, rets)
        return rets

    def __iter__(self) -> Any:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, code: object) -> bool:
        return code in self._ids

    def only(self, codes: set[str]) -> StoredReturns:
        """The same, for the branches in `codes` only (nothing is loaded)."""
        return StoredReturns(self._path, {c: ids for c, ids in self._ids.items() if c in codes})

    def close(self) -> None:
        """Close the store connection (it is opened again when needed)."""
        if self._store is not None:
            self._store.close()
            self._store = None


class ReturnsByYear(Mapping[str, dict[int, BranchReturn]]):
    """Branch code → year → return, over a mapping of code → returns, converted on each access
    (so over `StoredReturns` it loads one branch at a time too)."""

    def __init__(self, returns: Mapping[str, Sequence[BranchReturn]]):
        self._returns = returns

    def __getitem__(self, code: str) -> dict[int, BranchReturn]:
        return by_year(self._returns[code])

    def __iter__(self) -> Any:
        return iter(self._returns)

    def __len__(self) -> int:
        return len(self._returns)

    def __contains__(self, code: object) -> bool:
        return code in self._returns


@dataclass
class Loaded:
    """The current returns of a period's years, as found in the store: `returns` loads a
    branch's returns when asked for (see `StoredReturns`); the rest is small per branch."""

    returns: Mapping[str, list[BranchReturn]]
    submissions: dict[tuple[str, int], Any]  # (code, year) -> store.Submission
    excluded: list[ExcludedReturn]
    statuses: dict[int, Any]


def load_current(ws: Workspace, period: Period, *, strict: bool = False,
                 statuses: Mapping[int, Any] | None = None) -> Loaded:
    """The current return of every branch for each year of `period`; with `strict`, the returns
    with errors are listed as excluded (they are still there). `statuses` (year → the return
    status of each branch, from `collect.status.statuses`) is handed in by the caller: the
    statistics count figures, they do not decide where a return stands.

    Returns are read from the store only when `Loaded.returns[code]` is asked for, so memory does
    not grow with the number of branches. Raises NoReturns when no return of the period's years
    has been collected.
    """
    from taizhang.workspace.store import Store

    ids: dict[str, list[int]] = {}
    loaded = Loaded(StoredReturns(ws.store_path, ids), {}, [], dict(statuses or {}))
    with Store.read(ws.store_path) as store:
        for year in period.years:
            for code, sub in sorted(store.current(year).items()):
                ids.setdefault(code, []).append(sub.id)
                loaded.submissions[(code, year)] = sub
                if strict and sub.errors:
                    loaded.excluded.append(ExcludedReturn(code, sub.branch_name, year, sub.errors))
    if not ids:
        years = "、".join(f"{y}年" for y in period.years)
        raise NoReturns(f"还没有收集到{years}的任何台账，无法统计。请先把报回的台账放进 inbox 文件夹，"
                        "运行 taizhang collect 收集。")
    return loaded


def load_stats(ws: Workspace, period: Period, *, as_of: date | None = None, strict: bool = False,
               loaded: Loaded | None = None, unit: str | None = None,
               statuses: Mapping[int, Any] | None = None) -> Stats:
    """The figures of `period` from the workspace's current returns (every year of the period),
    for every 党支部 of the workspace's tree — or, with `unit` (the code of any unit of the tree:
    a 党总支, a 党委 below, or one 党支部), for the 党支部 under it only.

    Branches come in tree order, each with its `parent` and `group`; `Stats.groups` holds every
    党总支 (党委) below the unit with its subtotal; `Stats.unit`/`unit_name` name the unit.
    `strict` leaves out returns with errors (listed in `Stats.excluded`). Raises NoReturns when no
    return of the period's years has been collected (under the unit), InputError for an unknown
    unit.
    """
    from taizhang.levels import hierarchy

    as_of = as_of or date.today()
    tree = hierarchy.load(ws, year=period.years[-1])
    node = tree.unit(unit) if unit else None
    items = tree.branches(node.code if node else "")
    loaded = loaded or load_current(ws, period, strict=strict, statuses=statuses)
    returns, excluded = loaded.returns, loaded.excluded
    if node is not None:
        codes = {u.code for u in items}
        returns = (returns.only(codes) if isinstance(returns, StoredReturns)
                   else {c: r for c, r in returns.items() if c in codes})
        excluded = [e for e in excluded if e.code in codes]
        if not returns:
            years = "、".join(f"{y}年" for y in period.years)
            raise NoReturns(f"“{node.name}”所属的支部还没有报送{years}的台账，无法统计。")
    stats = compute(returns, items, period, ws.settings, as_of=as_of, statuses=loaded.statuses,
                    excluded=excluded, definitions=ws.definitions)
    group_by_tree(stats, tree, node.code if node else "")
    stats.strict = strict
    for s in stats.per_year.values():
        s.strict = strict
    return stats


def group_by_tree(stats: Stats, tree: Any, unit: str = "") -> Stats:
    """Place the branches of `stats` in `tree` (a hierarchy.Tree) below `unit`: each branch's
    `parent` and `group`, and `stats.groups` with the subtotal of every node below `unit` (for
    every year of a term too). Returns `stats`."""
    by_code = {b.code: b for b in stats.per_branch}
    for b in stats.per_branch:
        u = tree.get(b.code)
        b.parent = u.parent if u is not None else ""
        b.group = "／".join(x.name for x in tree.group_path(b.code, unit))
    stats.groups = []
    for node in tree.nodes(unit):
        members = [by_code[u.code] for u in tree.branches(node.code) if u.code in by_code]
        total = total_of(members, total_status(members))
        total.name = node.name
        stats.groups.append(GroupStats(node.code, node.name, node.kind, node.parent if node.parent != unit else "",
                                       len(tree.group_path(node.code, unit)), [m.code for m in members], total))
    top = tree.get(unit) if unit else None
    stats.unit, stats.unit_name = (top.code, top.name) if top is not None else ("", "")
    for s in stats.per_year.values():
        group_by_tree(s, tree, unit)
    return stats
