"""Consolidation: the committee's two workbooks from the current returns of a year.

- ``output/汇总台账.xlsx``: one sheet per ledger with every branch's rows (支部编码 and 支部名称
  in front, typed cells, an autofilter), and 问题清单 with every problem of the current returns.
- ``output/统计表.xlsx``: 表1 三会一课开展情况 … 表5 台账报送情况, one row per branch plus a 合计
  row, with native Excel charts, ready to print (A4 landscape, title rows repeated).

Every figure comes from `statistics` (computed once); this module only lays them out. Both files
are written to a temporary file and renamed into place."""


from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from taizhang.collect.status import statuses
from taizhang.consolidate.ledger_book import write_ledger_workbook
from taizhang.consolidate.stats_book import write_stats_workbook
from taizhang.party.periods import Period
from taizhang.problems import Problem, Severity, sort_key
from taizhang.records import BranchReturn
from taizhang.safeio import safe_filename
from taizhang.statistics.load import load_current, load_stats
from taizhang.statistics.model import ExcludedReturn, Stats
from taizhang.vocabulary import MISSING
from taizhang.workspace import Workspace, writes
from taizhang.workspace.store import Store

LEDGER_FILE = "汇总台账.xlsx"
STATS_FILE = "统计表.xlsx"


@dataclass
class ConsolidateResult:
    """What consolidation wrote, and the figures it wrote them from."""

    year: int
    as_of: date
    strict: bool
    ledger_path: Path
    stats_path: Path
    stats: Stats
    branches: int = 0
    included: list[str] = field(default_factory=list)  # codes whose returns are in the figures
    missing: list[dict[str, str]] = field(default_factory=list)  # listed branches without a return
    excluded: list[ExcludedReturn] = field(default_factory=list)
    unlisted: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # sheet -> rows written to 汇总台账
    problems: dict[str, int] = field(default_factory=dict)  # severity word -> count
    unit: str = ""  # the tree node consolidated ("" = the whole workspace)
    unit_name: str = ""
    warnings: list[Problem] = field(default_factory=list)  # about the round's settings (a stale deadline)

    @property
    def paths(self) -> list[Path]:
        """The files written."""
        return [self.ledger_path, self.stats_path]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (without the figures: `taizhang stats --json` gives those)."""
        return {
            "year": self.year, "as_of": self.as_of.isoformat(), "strict": self.strict,
            "files": [str(p) for p in self.paths],
            "ledger_path": str(self.ledger_path), "stats_path": str(self.stats_path),
            "branches": self.branches, "included": list(self.included),
            "missing": list(self.missing), "excluded": [e.to_dict() for e in self.excluded],
            "unlisted": list(self.unlisted), "rows": dict(self.rows), "problems": dict(self.problems),
            "status_counts": self.stats.status_counts,
            "unit": {"code": self.unit, "name": self.unit_name} if self.unit else None,
            "groups": [{"code": g.code, "name": g.name, "branches": list(g.branches)} for g in self.stats.groups],
            "warnings": [p.to_dict() for p in self.warnings],
        }


def figures(ws: Workspace, period: Period, *, as_of: date | None = None, strict: bool = False,
            unit: str | None = None) -> Stats:
    """The statistics of `period` (`taizhang stats`): the current returns' figures, with where each
    branch's return stands."""
    return load_stats(ws, period, as_of=as_of, strict=strict, unit=unit, statuses=statuses(ws, period.years))


def output_names(unit_name: str = "") -> tuple[str, str]:
    """The file names of 汇总台账 and 统计表: 汇总台账.xlsx, or 汇总台账_<单位>.xlsx for one unit."""
    if not unit_name:
        return LEDGER_FILE, STATS_FILE
    tail = f"_{safe_filename(unit_name)}.xlsx"
    return LEDGER_FILE.replace(".xlsx", tail), STATS_FILE.replace(".xlsx", tail)


@writes("taizhang consolidate")
def consolidate(ws: Workspace, *, year: int | None = None, strict: bool = False,
                as_of: date | None = None, unit: str | None = None) -> ConsolidateResult:
    """Write output/汇总台账.xlsx and output/统计表.xlsx for `year` (default: the workspace's year).

    With `unit` (the code of a 党总支, 党委 or 党支部 of the tree) only the branches under it, into
    output/汇总台账_<单位名称>.xlsx and output/统计表_<单位名称>.xlsx. Branches are in tree order,
    with a 所属组织 column and a subtotal per 党总支 where there are any. `strict` leaves out
    returns with errors (both workbooks say which). Returns what was written; raises
    statistics.NoReturns when no return of the year has been collected (under the unit).
    """
    year = year or ws.settings.year
    as_of = as_of or date.today()
    period = Period.year(year)
    loaded = load_current(ws, period, strict=strict, statuses=statuses(ws, period.years))
    stats = load_stats(ws, period, as_of=as_of, strict=strict, loaded=loaded, unit=unit)
    left_out = {(e.code, e.year) for e in loaded.excluded}
    listed = [b.code for b in stats.per_branch]
    on_list = set(listed)
    order = [c for c in listed if c in loaded.returns]
    if not stats.unit:
        order += sorted(c for c in loaded.returns if c not in on_list)
    out = ws.folder("output")
    ledger_name, stats_name = output_names(stats.unit_name)
    result = ConsolidateResult(
        year=year, as_of=as_of, strict=strict, ledger_path=out / ledger_name, stats_path=out / stats_name,
        stats=stats, branches=len(stats.per_branch),
        included=[c for c in order if (c, year) not in left_out and c in on_list],
        missing=[{"code": b.code, "name": b.name} for b in stats.per_branch
                 if b.status.state == MISSING],
        excluded=list(stats.excluded), unlisted=list(stats.unlisted),
        unit=stats.unit, unit_name=stats.unit_name,
    )
    counts = {s: 0 for s in Severity}

    def branches() -> Iterator[tuple[BranchReturn | None, Any, list[Problem]]]:
        """Branch by branch, in tree order: its return (None when left out), submission and
        problems, read from the store when needed and not kept."""
        with Store.read(ws.store_path) as store:
            for code in order:
                sub = loaded.submissions[(code, year)]
                ret = store.load_return(sub.id) if (code, year) not in left_out else None
                problems = sorted(store.problems(sub.id), key=sort_key)
                for p in problems:
                    counts[p.severity] += 1
                yield ret, sub, problems

    groups = {b.code: b.group for b in stats.per_branch} if stats.groups else None
    result.rows = write_ledger_workbook(result.ledger_path, ws.definitions, branches(), groups=groups)
    result.problems = {s.value: n for s, n in counts.items()}
    from taizhang.workspace.config import round_warnings
    from taizhang.workspace.rounds import deadline_for

    write_stats_workbook(result.stats_path, stats, org=ws.settings.org_name, deadline=deadline_for(ws, year))
    if year == ws.settings.year:
        result.warnings = round_warnings(ws.settings)
    return result
