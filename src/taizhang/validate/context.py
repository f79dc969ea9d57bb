"""What every check receives: the return, its definition, the settings, and the roster indexed.

The `Context` is built once per return. Checks read values through the small helpers here, which
return None for an empty cell, a cell the reader could not read (`row.invalid`) or a value of the
wrong type, so that no check crashes on a missing sheet, a missing column or a bad cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from taizhang.party.calendar import months_elapsed
from taizhang.problems import Problem
from taizhang.records import BranchReturn, Row
from taizhang.workspace.config import Settings
from taizhang.workspace.definitions import Ledger, WorkbookDefinition

LEFT = ("转出", "停止党籍", "去世")
IN_STANDING = ("在册", "转入")
FULL, PROBATIONARY = "正式党员", "预备党员"
SECRETARY = "书记"
CENT = Decimal("0.01")

Check = Callable[["Context"], Iterable[Problem]]
CHECKS: dict[str, Check] = {}

_SPACE = re.compile(r"\s+")
_NAME_SEPARATORS = re.compile(r"[、,，;；/／]+")


def check(rule_id: str) -> Callable[[Check], Check]:
    """Register the decorated generator as the check for `rule_id`."""

    def register(func: Check) -> Check:
        if rule_id in CHECKS:  # pragma: no cover - a programming error
            raise ValueError(f"two checks for {rule_id}")
        CHECKS[rule_id] = func
        return func

    return register


# --- reading values ------------------------------------------------------------------------
def date_of(row: Row, key: str) -> date | None:
    """The date in column `key`, or None (empty, unreadable or not a date)."""
    value = row.values.get(key)
    return value if isinstance(value, date) and key not in row.invalid else None


def int_of(row: Row, key: str) -> int | None:
    """The whole number in column `key`, or None."""
    value = row.values.get(key)
    if key in row.invalid or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return None


def money_of(row: Row, key: str) -> Decimal | None:
    """The amount in column `key` as Decimal, or None."""
    value = row.values.get(key)
    if key in row.invalid or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    return None


def text_of(row: Row, key: str) -> str:
    """The text in column `key`, stripped ("" when empty or unreadable)."""
    value = row.values.get(key)
    if value is None or key in row.invalid:
        return ""
    return str(value).strip()


def name_key(text: str) -> str:
    """A name as compared across sheets: full-width folded, every whitespace removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def split_names(text: str) -> list[str]:
    """The names in a cell that may hold several, separated by 、 , ， ; ； / or spaces.

    Spaces separate names only when every piece is at least two characters long, so that a name
    spaced out for alignment ("王 红", "欧阳 修") stays one name.
    """
    names: list[str] = []
    for part in _NAME_SEPARATORS.split(unicodedata.normalize("NFKC", text or "")):
        words = part.split()
        if len(words) > 1 and all(len(w) >= 2 for w in words):
            names += words
        elif words:
            names.append("".join(words))
    return names


def money_text(value: Decimal) -> str:
    """An amount as written in a message, never rounded: 40 → "40", 0.20 → "0.2", 12.35 → "12.35",
    3000.005 → "3000.005"."""
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --- the roster ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    """One roster row, read once."""

    row: Row
    name: str
    key: str
    member_type: str
    standing: str
    join_date: date | None
    full_date: date | None
    change_date: date | None
    party_post: str
    group: str
    note: str

    @classmethod
    def from_row(cls, row: Row) -> Member:
        """The member described by a roster row."""
        name = text_of(row, "name")
        return cls(
            row=row, name=name, key=name_key(name), member_type=text_of(row, "member_type"),
            standing=text_of(row, "standing") or "在册", join_date=date_of(row, "join_date"),
            full_date=date_of(row, "full_date"), change_date=date_of(row, "change_date"),
            party_post=text_of(row, "party_post"), group=text_of(row, "group"), note=text_of(row, "note"),
        )

    @property
    def current(self) -> bool:
        """Whether the member is in standing now (在册/转入, not left the branch)."""
        return self.standing not in LEFT

    @property
    def full(self) -> bool:
        """Whether the roster lists the member as a full member (正式党员)."""
        return self.member_type == FULL

    def on(self, day: date) -> bool | None:
        """Whether the member belonged to the branch on `day`: joined on or before it, transferred
        in on or before it, not left before it. None when the roster cannot tell (a date missing)."""
        if self.standing in LEFT:
            if self.change_date is None:
                return None
            if self.change_date < day:
                return False
        if self.join_date is not None and self.join_date > day:
            return False
        if self.standing == "转入":
            if self.change_date is None:
                return None
            if self.change_date > day:
                return False
        if self.join_date is None:
            return None
        return True


@dataclass
class Roster:
    """The roster's members, indexed by name."""

    present: bool
    members: list[Member] = field(default_factory=list)
    by_key: dict[str, list[Member]] = field(default_factory=dict)

    @classmethod
    def build(cls, ret: BranchReturn) -> Roster:
        """The roster of a return (present=False when the sheet is missing)."""
        data = ret.ledgers.get("roster")
        if data is None or not data.present:
            return cls(present=False)
        roster = cls(present=True)
        for row in data.rows:
            member = Member.from_row(row)
            roster.members.append(member)
            if member.key:
                roster.by_key.setdefault(member.key, []).append(member)
        return roster

    @property
    def usable(self) -> bool:
        """True when the roster is there and has at least one member to compare with."""
        return self.present and bool(self.members)

    def find(self, name: str) -> Member | None:
        """The member called `name` (the one in standing first), or None."""
        found = self.by_key.get(name_key(name), [])
        return next((m for m in found if m.current), found[0] if found else None)

    def has(self, name: str) -> bool:
        """Whether someone called `name` is on the roster (in any standing)."""
        return name_key(name) in self.by_key

    def secretaries(self) -> list[Member]:
        """The members whose 党内职务 is 书记 and who are in standing now."""
        return [m for m in self.members if m.party_post == SECRETARY and m.current and m.name]


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
    # What several checks work out for the same row, worked out once (key: what, id(row)).
    memo: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, ret: BranchReturn, definition: WorkbookDefinition, settings: Settings, as_of: date) -> Context:
        """The context of one return checked at `as_of`."""
        return cls(ret=ret, definition=definition, settings=settings, as_of=as_of, year=ret.year,
                   roster=Roster.build(ret), months_passed=months_elapsed(ret.year, as_of))

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

    def frequency(self, name: str, default: int = 1) -> int:
        """A `[frequency]` setting as an int."""
        try:
            return int(self.settings.frequency.get(name, default))
        except (TypeError, ValueError):
            return default

    @property
    def year_over(self) -> bool:
        """Whether the whole ledger year has passed at `as_of` (yearly checks wait for it)."""
        return self.months_passed >= 12

    def in_year(self, day: date | None) -> bool:
        """Whether `day` lies in the ledger's year."""
        return day is not None and day.year == self.year
