"""Fill an issued ledger workbook the way a branch does, and save it as a return.

Used by the demo (and by tests) to turn an issued workbook from `outbox/` into a filled return.
The workbook is opened and saved with openpyxl, as a branch's Excel would: the `_meta` sheet,
document properties, drop-downs and sheet protection stay as issued; only the input cells change.

Columns are found by header text (like the reader does), so a workbook whose columns were
reordered, or that has rows inserted above the header, is still filled correctly.

The 全年实交 column: the issued workbook has a SUM formula there. openpyxl cannot calculate it,
and a formula saved by openpyxl has no cached result, so the reader would see an empty cell (or
a formula without a value). We therefore overwrite the formula in every filled row with the
numeric total, the way a branch that typed over the formula would; rows left empty keep their
formula.
"""

from __future__ import annotations

import unicodedata
import warnings
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.styles.numbers import is_date_format

from taizhang.demo.organisation import BranchFill
from taizhang.errors import InputError
from taizhang.safeio import atomic_path, set_text_cell
from taizhang.workspace.definitions import Ledger, WorkbookDefinition

if TYPE_CHECKING:
    from taizhang.workspace import Workspace

HEADER_SCAN_ROWS = 10
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "0.00"
MONTH_KEYS = tuple(f"m{m}" for m in range(1, 13))


def fill_workbook(issued: Path, out: Path, fill: BranchFill, definition: WorkbookDefinition) -> Path:
    """Write `fill` into a copy of the issued workbook and save it to `out` atomically.

    Table ledgers get their rows from the first row under the header (cells of the ledger's
    columns below the written rows are cleared, formulas excepted); the form ledger gets each
    field's value in column B of the row labelled with the field's header. Returns `out`.
    Raises InputError when a ledger's sheet or header row cannot be found in the workbook.
    """
    issued, out = Path(issued), Path(out)
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it does not model; they do not concern us.
        warnings.simplefilter("ignore", UserWarning)
        wb = openpyxl.load_workbook(issued)
    try:
        for ledger in definition.ledgers:
            if ledger.kind == "form":
                values = fill.summary if ledger.id == "summary" else _first(fill.ledgers.get(ledger.id))
                if values:
                    _fill_form(_sheet(wb, ledger, issued), ledger, values)
            elif ledger.id in fill.ledgers:
                _fill_table(_sheet(wb, ledger, issued), ledger, fill.ledgers[ledger.id], issued)
        with atomic_path(out) as tmp:
            wb.save(tmp)
    finally:
        wb.close()
    return out


def _first(rows: list[dict[str, Any]] | None) -> dict[str, Any]:
    return rows[0] if rows else {}


def _sheet(wb: Any, ledger: Ledger, path: Path) -> Any:
    if ledger.sheet not in wb.sheetnames:
        raise InputError(f"工作簿 {path.name} 中找不到“{ledger.sheet}”工作表，无法填写。")
    return wb[ledger.sheet]


def normalise_header(value: Any) -> str:
    """Header text as compared: no spaces (half- or full-width) and no trailing "*" mark."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = "".join(text.split())
    return text.rstrip("*")


def find_header(ws: Workspace, ledger: Ledger) -> tuple[int, dict[str, int]]:
    """The header row (1-based) among the first 10 rows, and column key -> 1-based column.

    The header row is the row that matches the most of the ledger's headers.
    """
    wanted = {normalise_header(col.header): col.key for col in ledger.columns}
    best_row = 0
    best: dict[str, int] = {}
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS), start=1):
        found: dict[str, int] = {}
        for cell in row:
            key = wanted.get(normalise_header(cell.value))
            if key is not None and key not in found:
                found[key] = cell.column
        if len(found) > len(best):
            best_row, best = r, found
    return best_row, best


def _fill_table(ws: Workspace, ledger: Ledger, rows: list[dict[str, Any]], path: Path) -> None:
    header_row, positions = find_header(ws, ledger)
    if not positions:
        raise InputError(f"工作簿 {path.name} 的“{ledger.sheet}”表中找不到表头，无法填写。")
    formulas = {col.key: col.formula for col in ledger.columns if col.formula}
    first = header_row + 1
    for i, values in enumerate(rows):
        r = first + i
        for key, c in positions.items():
            cell = ws.cell(row=r, column=c)
            if key in formulas:
                value = values.get(key)
                if value is None and formulas[key] == "sum_months":
                    value = month_total(values)
                _write(cell, value)
            elif key in values:
                _write(cell, values[key])
            elif cell.value is not None and cell.data_type != "f":
                cell.value = None
    # Whatever stood below (a pre-filled roster longer than ours) is not part of this return.
    for r in range(first + len(rows), ws.max_row + 1):
        for c in positions.values():
            cell = ws.cell(row=r, column=c)
            if cell.value is not None and cell.data_type != "f":
                cell.value = None


def _fill_form(ws: Workspace, ledger: Ledger, values: dict[str, Any]) -> None:
    labels = {normalise_header(col.header): col.key for col in ledger.columns}
    for row in ws.iter_rows(min_row=1, max_col=2):
        if len(row) < 2:
            continue
        key = labels.get(normalise_header(row[0].value))
        if key is not None and key in values:
            _write(row[1], values[key])


def _write(cell: Any, value: Any) -> None:
    """Put a typed value into a cell: dates as dates, money as numbers with two decimals."""
    if value is None or value == "":
        cell.value = None
    elif isinstance(value, bool):
        set_text_cell(cell, "是" if value else "否")
    elif isinstance(value, (date, datetime)):
        cell.value = value
        if not is_date_format(cell.number_format):
            cell.number_format = DATE_FORMAT
    elif isinstance(value, int):
        cell.value = value
    elif isinstance(value, (Decimal, float)):
        cell.value = float(value)
        if "0.00" not in cell.number_format:
            cell.number_format = MONEY_FORMAT
    else:
        set_text_cell(cell, str(value))


def month_total(values: dict[str, Any]) -> Decimal | None:
    """The sum of the 1–12月 amounts of a dues row (text amounts such as "1,234.50" included),
    or None when no month holds an amount."""
    total, seen = Decimal("0"), False
    for key in MONTH_KEYS:
        amount = _amount(values.get(key))
        if amount is not None:
            total += amount
            seen = True
    return total if seen else None


def _amount(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").replace("元", "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
