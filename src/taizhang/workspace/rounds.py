"""The yearly round: one workspace carries an office from one year to the next.

`start_year` moves the workspace to a new ledger year (`taizhang year`): it sets the year and the
deadline in taizhang.toml (comments kept), remembers the deadline of the year it leaves (so that
a late return of that year is still judged 逾期 when it comes in), and keeps every earlier year's
returns in the store, where `--year` finds them. `deadline_for` is the deadline of any year.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from taizhang.errors import InputError
from taizhang.problems import Problem
from taizhang.safeio import atomic_write_text
from taizhang.workspace import Workspace, writes
from taizhang.workspace import config as config_mod


@dataclass
class YearChange:
    """What `start_year` did."""

    previous: int  # the year the workspace was on
    year: int  # the year it is on now
    deadline: date | None
    deadline_default: bool  # True: not given, moved on from the previous deadline
    previous_deadline: date | None
    returns: dict[int, int] = field(default_factory=dict)  # year -> branches with a current return
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the year changed (False: only the deadline was set, or nothing)."""
        return self.year != self.previous

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "previous": self.previous, "year": self.year, "changed": self.changed,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_default": self.deadline_default,
            "previous_deadline": self.previous_deadline.isoformat() if self.previous_deadline else None,
            "returns": {str(y): n for y, n in self.returns.items()},
            "warnings": [p.to_dict() for p in self.warnings],
        }


def moved_on(deadline: date | None, years: int, year: int) -> date:
    """The deadline `years` years after `deadline` (same month and day; 29 February becomes the
    28th), or the default deadline of `year` when there was none."""
    if deadline is None:
        return config_mod.default_deadline(year)
    target = deadline.year + years
    return date(target, deadline.month, min(deadline.day, calendar.monthrange(target, deadline.month)[1]))


@writes("taizhang year")
def start_year(ws: Workspace, year: int, *, deadline: date | None = None, force: bool = False) -> YearChange:
    """Move the workspace to the ledger year `year`.

    Sets `organisation.year` and `organisation.deadline` in taizhang.toml; without `deadline`,
    the previous deadline moved on by as many years (the same day and month one year on). The
    deadline of the year left behind is recorded in the store. Nothing in the store is removed:
    every earlier year's returns stay, and late ones can still be collected. InputError for a
    year earlier than the current one (unless `force`), an unreasonable year, or a deadline
    before the year.
    """
    from taizhang.workspace.store import Store

    settings = ws.settings
    current = settings.year
    if not 2000 <= year <= 2100:
        raise InputError(f"年度 {year} 不合理，请写四位年份，例如 {current + 1}。")
    if year < current and not force:
        raise InputError(
            f"工作区现在是{current}年度，{year}年早于它。回到以前的年度会让下发和收集按{year}年进行；"
            f"只是要查看或收集{year}年的台账，不需要切换，用 --year {year} 即可。确需切换请加 --force。")
    if deadline is not None and deadline.year < year:
        raise InputError(f"报送截止日期 {deadline.isoformat()} 早于{year}年，请核对（一般为次年1月）。")
    given = deadline is not None
    if deadline is None:
        deadline = settings.deadline if year == current else moved_on(settings.deadline, year - current, year)
    text = config_mod.read_text(ws.config_path)
    atomic_write_text(ws.config_path, config_mod.with_round(text, year, deadline))
    ws.__dict__.pop("settings", None)  # read again with the new year
    change = YearChange(previous=current, year=year, deadline=deadline, deadline_default=not given,
                        previous_deadline=settings.deadline)
    with Store.open(ws.store_path) as store:
        store.record_round(current, settings.deadline)
        store.record_round(year, deadline)
        for y in store.years():
            n = len(store.current(y))
            if n:
                change.returns[y] = n
    change.warnings = config_mod.round_warnings(ws.settings)
    return change


def deadline_for(ws: Workspace, year: int) -> date | None:
    """The deadline of the `year` round: the one in taizhang.toml for the workspace's year, the
    one recorded when the workspace moved on for an earlier year (None when none is known)."""
    if year == ws.settings.year:
        return ws.settings.deadline
    from taizhang.workspace.store import Store

    with Store.read(ws.store_path) as store:
        return store.rounds().get(year)


def record_current(ws: Workspace) -> None:
    """Remember the workspace's year and deadline in the store (issue and collect call it), so
    that they are known after the workspace moves on."""
    from taizhang.workspace.store import Store

    with Store.open(ws.store_path) as store:
        store.record_round(ws.settings.year, ws.settings.deadline)
