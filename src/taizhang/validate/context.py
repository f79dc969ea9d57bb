"""What every check receives: the return, its definition, the settings, and the roster indexed.

The `Context` is built once per return. Checks read values through `taizhang.records`' accessors
(None for an empty cell, a cell the reader could not read, or a value of the wrong type), so that
no check crashes on a missing sheet, a missing column or a bad cell; and they ask `taizhang.party`
every question of the party's rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from taizhang.party.calendar import months_elapsed
from taizhang.party.members import Roster
from taizhang.party.periods import Period
from taizhang.problems import Problem
from taizhang.records import BranchReturn, Row
from taizhang.workspace.config import Settings
from taizhang.workspace.definitions import Ledger, WorkbookDefinition

Check = Callable[["Context"], Iterable[Problem]]
CHECKS: dict[str, Check] = {}


def check(rule_id: str) -> Callable[[Check], Check]:
    """Register the decorated generator as the check for `rule_id`."""

    def register(func: Check) -> Check:
        if rule_id in CHECKS:  # pragma: no cover - a programming error
            raise ValueError(f"two checks for {rule_id}")
        CHECKS[rule_id] = func
        return func

    return register


# --- the context ---------------------------------------------------------------------------
@dataclass
class Context:
    """Everything a check needs, built once per return."""

    ret: BranchReturn
    definition: WorkbookDefinition
    settings: Settings
    as_of: date
    year: int
    roster: Roster
    months_passed: int
    elapsed: Period | None  # the part of the ledger year that has passed at `as_of`
    # What several checks work out for the same row, worked out once (key: what, id(row)).
    memo: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, ret: BranchReturn, definition: WorkbookDefinition, settings: Settings, as_of: date) -> Context:
        """The context of one return checked at `as_of`."""
        return cls(ret=ret, definition=definition, settings=settings, as_of=as_of, year=ret.year,
                   roster=Roster.build(ret), months_passed=months_elapsed(ret.year, as_of),
                   elapsed=Period.year(ret.year).clip(as_of))

    @property
    def snapshot(self) -> date:
        """The day the roster is taken to describe: the end of the ledger year, or `as_of` when
        that is earlier (the same day the statistics count members at)."""
        return min(self.as_of, date(self.year, 12, 31))

    def ledger(self, ledger_id: str) -> Ledger | None:
        """The ledger's definition, or None when the workbook has no such ledger."""
        try:
            return self.definition.ledger(ledger_id)
        except KeyError:
            return None

    def present(self, ledger_id: str) -> bool:
        """Whether the return has this ledger's sheet (and the definition knows it)."""
        data = self.ret.ledgers.get(ledger_id)
        return data is not None and data.present and self.ledger(ledger_id) is not None

    def rows(self, ledger_id: str) -> list[Row]:
        """The ledger's rows ([] when the sheet is missing)."""
        return self.ret.rows(ledger_id) if self.present(ledger_id) else []

    def found(self, ledger_id: str, key: str) -> bool:
        """Whether column `key` was found on the ledger's sheet."""
        return bool(self.ret.letter(ledger_id, key))

    def sheet(self, ledger_id: str) -> str:
        """The ledger's sheet name as the definition gives it."""
        led = self.ledger(ledger_id)
        if led is not None:
            return led.sheet
        data = self.ret.ledgers.get(ledger_id)
        return data.sheet if data else ledger_id

    def header(self, ledger_id: str, key: str) -> str:
        """The header users see for column `key` (the key itself when unknown)."""
        led = self.ledger(ledger_id)
        if led is not None and led.has(key):
            return led.column(key).header
        return key

    def where(self, ledger_id: str, row: Row | None = None, key: str = "") -> dict[str, Any]:
        """The location fields of `catalog.make` for a cell (or a row, or the whole sheet)."""
        led = self.ledger(ledger_id)
        is_form = led is not None and led.kind == "form"
        return {
            "sheet": self.sheet(ledger_id),
            "row": row.excel_row if row is not None and not is_form else None,
            "column": self.header(ledger_id, key) if key else "",
            "column_letter": self.ret.letter(ledger_id, key) if key else "",
        }

    def enabled(self, rule_id: str) -> bool:
        """Whether the workspace has this rule switched on."""
        return self.settings.rule_severity(rule_id) is not None

    @property
    def year_over(self) -> bool:
        """Whether the whole ledger year has passed at `as_of` (yearly checks wait for it)."""
        return self.months_passed >= 12

    def in_year(self, day: date | None) -> bool:
        """Whether `day` lies in the ledger's year."""
        return day is not None and day.year == self.year
