"""Plain data that flows between stages: a branch's return as typed rows.

The reader and normaliser produce a `BranchReturn`; the validator, the store, statistics and
reports consume it. Values are typed: `date`, `int`, `Decimal` (money), `str`, `bool` or None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Iterator

Value = Any  # date | int | Decimal | str | bool | None


@dataclass
class Row:
    """One data row of a ledger sheet, with the Excel row number it came from."""

    excel_row: int
    values: dict[str, Value]
    # Keys whose cell held something that could not be read as the column's type; the raw
    # text is kept in `raw` so that feedback can show it and later checks skip the cell.
    invalid: set[str] = field(default_factory=set)
    raw: dict[str, str] = field(default_factory=dict)
    # Keys of number columns whose cell held the number as text ("20" typed into a text-formatted
    # cell): read as the number, but Excel's own SUM leaves such cells out.
    text_cells: set[str] = field(default_factory=set, compare=False)

    def get(self, key: str, default: Value = None) -> Value:
        """The typed value of column `key`, or `default` when empty or absent."""
        value = self.values.get(key)
        return default if value is None or value == "" else value


@dataclass
class LedgerData:
    """The rows read from one ledger sheet, and where each column was found."""

    ledger_id: str
    sheet: str
    rows: list[Row] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)  # column key -> Excel column letter
    present: bool = True  # False when the sheet was missing from the file

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class BranchReturn:
    """A branch's return: who it is from, and its ledgers as typed rows."""

    branch_code: str
    branch_name: str
    year: int
    template_id: str = ""
    template_version: str = ""
    ledgers: dict[str, LedgerData] = field(default_factory=dict)

    def rows(self, ledger_id: str) -> list[Row]:
        """The rows of a ledger ([] when the ledger is absent)."""
        data = self.ledgers.get(ledger_id)
        return data.rows if data else []

    def letter(self, ledger_id: str, key: str) -> str:
        """The Excel column letter where `key` was found in that ledger ("" if not found)."""
        data = self.ledgers.get(ledger_id)
        return data.letters.get(key, "") if data else ""

    def form(self, ledger_id: str = "summary") -> dict[str, Value]:
        """The values of a form ledger (年度小结) as one dict."""
        rows = self.rows(ledger_id)
        return dict(rows[0].values) if rows else {}


# --- reading typed values -------------------------------------------------------------------
# Every reader of rows (the checks, the statistics, the reports, the roll-ups) goes through these:
# a cell the reader could not read (`row.invalid`) or a value of another type is None, so that no
# figure ever uses a cell that a problem says is wrong.

# No figure of a ledger comes near this: a number beyond it (a stored return of an older version
# that took 1e26 with a warning) is left out of every figure, as a cell the reader could not read
# is, so that sums, rates and Decimal.quantize never meet it. New returns are held to their
# column's `max` when they are checked (validate.cells.bound_numbers, CELL-RANGE).
FIGURE_LIMIT = 10 ** 12


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
        return value if -FIGURE_LIMIT <= value <= FIGURE_LIMIT else None
    if (isinstance(value, Decimal) and value.is_finite() and abs(value) <= FIGURE_LIMIT
            and value == value.to_integral_value()):
        return int(value)
    return None


def money_of(row: Row, key: str) -> Decimal | None:
    """The amount in column `key` as Decimal, or None."""
    value = row.values.get(key)
    if key in row.invalid or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() and abs(value) <= FIGURE_LIMIT else None
    if isinstance(value, int):
        return Decimal(value) if -FIGURE_LIMIT <= value <= FIGURE_LIMIT else None
    return None


def text_of(row: Row, key: str) -> str:
    """The text in column `key`, stripped ("" when empty or unreadable)."""
    value = row.values.get(key)
    if value is None or key in row.invalid:
        return ""
    return str(value).strip()


def encode_value(value: Value) -> Any:
    """A JSON-safe form of a typed value (dates as ISO text, money as a string)."""
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"m": str(value)}
    return value


def decode_value(value: Any) -> Value:
    """The inverse of `encode_value`."""
    if isinstance(value, dict):
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "m" in value:
            return Decimal(value["m"])
    return value
