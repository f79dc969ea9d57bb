"""Raw sheets → typed rows: find each ledger's sheet and header, normalise every cell.

Columns are found by header text, not position: a branch that inserts rows above the header,
reorders or inserts columns still gets read; a missing column is one COLUMN-MISSING problem;
columns the ledger does not know are ignored. A row is skipped as blank when every cell of the
ledger's columns is empty (or only "/", "—" …), not counting 序号 and the ledger's own formula
columns (全年实交), which the issued workbook fills in every input row.
Problems name the ledger's own sheet and column header (so feedback can place them) and the
Excel row and column letter where the cell really is in the returned file.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from taizhang import catalog
from taizhang.problems import Problem, ProblemBudget
from taizhang.reading.base import RawSheet, UnreadableFile, column_letter
from taizhang.reading.normalise import (
    MISS,
    PLACEHOLDERS,
    Cell,
    as_text,
    clean_text,
    normalise,
    plain_value,
)
from taizhang.reading.sheets import pick_sheet
from taizhang.records import BranchReturn, LedgerData, Row
from taizhang.workspace.definitions import Column, Ledger, WorkbookDefinition, added_after

HEADER_SCAN_ROWS = 15  # the header row is looked for among the first rows of a sheet
FORM_LABEL_COLUMNS = 5  # a form's label column is looked for among the first columns
SHOWN_VALUE_CHARS = 60  # a cell's text in a message is cut to this length
# Excel's own limit for one cell: a longer text cannot have been typed, only made by a program.
# It is cut here, so that nothing downstream (store, feedback, consolidated workbooks) holds it.
MAX_CELL_CHARS = 32767


def fold_header(value: Any) -> str:
    """A header as compared: full-width folded (NFKC), no whitespace, no "*"/"＊" marks."""
    if value is None:
        return ""
    return _fold_header(value)


# Header rows are the same in every return: fold each distinct cell value once.
@lru_cache(maxsize=8192, typed=True)
def _fold_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", as_text(value))
    return _WHITESPACE.sub("", text).replace("*", "")


_WHITESPACE = re.compile(r"\s+")


def fold_sheet_name(name: str) -> str:
    """A sheet name as compared when the exact name is not found: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def find_sheet(names: list[str], wanted: str) -> str | None:
    """The name in `names` of the sheet `wanted`: exact first, then after folding; None."""
    if wanted in names:
        return wanted
    target = fold_sheet_name(wanted)
    return next((name for name in names if fold_sheet_name(name) == target), None)


def _shown(raw: Any) -> str:
    text = clean_text(as_text(raw), single_line=True)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[: SHOWN_VALUE_CHARS - 1] + "…"


def _kept(raw: Any) -> str:
    """The raw cell as text, kept whole for feedback (the branch sees what it typed)."""
    return clean_text(as_text(raw), single_line=False)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not clean_text(raw))


def _nothing(raw: Any) -> bool:
    """Blank, or a placeholder such as "/" or "—" that people put in rows they leave unused."""
    return _blank(raw) or (isinstance(raw, str) and clean_text(raw) in PLACEHOLDERS)


class _Builder:
    """Reads the cells of one ledger sheet, collecting problems."""

    def __init__(self, ledger: Ledger, sheet: RawSheet, version: str | None = None,
                 budget: ProblemBudget | None = None):
        self.ledger = ledger
        self.sheet = sheet
        self.version = version
        self.problems: list[Problem] = []
        self.defaults: dict[str, Any] = {}
        self.budget = budget  # the file's one cap on problems (issue 13): beyond it, only counted

    def room(self, rule_id: str) -> bool:
        """Whether to make a problem of `rule_id`: the file's budget keeps it (else it is counted)."""
        return self.budget is None or self.budget.take(catalog.get(rule_id).severity)

    def cell(self, col: Column, r: int, c: int, row: Row, *, apply_default: bool) -> None:
        """Normalise cell (r, c) into `row` as column `col`."""
        sheet = self.sheet
        raw = sheet.value(r, c)
        if raw is None and not sheet.uncached:  # the common empty cell, quickly
            row.values[col.key] = self._default(col) if apply_default else None
            return
        if (r, c) in sheet.uncached and _blank(raw):
            row.values[col.key] = None
            if not col.formula:  # the ledger's own formula column is recomputed by the validator
                formula = sheet.formulas.get((r, c), "=（公式）")
                if self.room("CELL-FORMULA"):
                    self.problems.append(catalog.make("CELL-FORMULA", value=formula, **self._where(col, r, c)))
                row.invalid.add(col.key)
                row.raw[col.key] = formula
            return
        if isinstance(raw, str) and len(raw) > MAX_CELL_CHARS:
            if self.room("CELL-TOO-LONG"):
                self.problems.append(catalog.make("CELL-TOO-LONG", value=_shown(raw), length=len(raw),
                                                  limit=MAX_CELL_CHARS, **self._where(col, r, c)))
            raw = raw[:MAX_CELL_CHARS]
        if apply_default and col.default is not None and _blank(raw):
            row.values[col.key] = self._default(col)
            return
        result: Cell = normalise(col, raw)
        row.values[col.key] = result.value
        if isinstance(raw, str) and col.type in ("int", "money") and result.value is not None:
            row.text_cells.add(col.key)  # Excel's SUM leaves it out (DUES-TOTAL says so)
        if result.issue is not None:
            if self.room(result.issue.rule_id):
                self.problems.append(catalog.make(result.issue.rule_id, value=_shown(raw), **self._where(col, r, c),
                                                  **result.issue.fields))
            if result.invalid:
                row.invalid.add(col.key)
                row.raw[col.key] = _kept(raw)

    def empty_value(self, col: Column) -> Any:
        """What an empty cell of `col` reads as (its default; None without one)."""
        return self._default(col)

    def _default(self, col: Column) -> Any:
        """The column's default value, normalised (None when it has none)."""
        if col.default is None:
            return None
        if col.key not in self.defaults:
            self.defaults[col.key] = normalise(col, col.default).value
        return self.defaults[col.key]

    def _where(self, col: Column, r: int, c: int) -> dict[str, Any]:
        return {"sheet": self.ledger.sheet, "row": r + 1, "column": col.header, "column_letter": column_letter(c)}

    def merged(self, first_row: int, columns: dict[str, int]) -> None:
        """One SHEET-MERGED per merged range spanning more than one input row of our columns."""
        by_index = {c: key for key, c in columns.items()}
        for r0, c0, r1, c1 in self.sheet.merged:
            if r1 - max(r0, first_row) < 1:
                continue
            hit = sorted(c for c in by_index if c0 <= c <= c1)
            if not hit:
                continue
            if not self.room("SHEET-MERGED"):
                continue
            cells = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
            self.problems.append(catalog.make(
                "SHEET-MERGED", sheet=self.ledger.sheet, row=r0 + 1,
                column=self.ledger.column(by_index[hit[0]]).header, column_letter=column_letter(c0),
                range=cells,
            ))

    def missing(self, keys: set[str]) -> None:
        """One COLUMN-MISSING for every column (or form field) not found, except a column that
        the workbook's older template did not have yet (`Column.since`): it is read as empty."""
        for col in self.ledger.columns:
            if col.key not in keys and not (self.version is not None and added_after(col.since, self.version)):
                self.problems.append(catalog.make(
                    "COLUMN-MISSING", sheet=self.ledger.sheet, column=col.header))

    def too_many_rows(self) -> None:
        if self.sheet.truncated:
            self.problems.append(catalog.make(
                "SHEET-TOO-MANY-ROWS", sheet=self.ledger.sheet, rows=self.sheet.total_rows,
                limit=self.sheet.limit or len(self.sheet.cells)))


def find_header(ledger: Ledger, sheet: RawSheet,
                scan_rows: int = HEADER_SCAN_ROWS) -> tuple[int, dict[str, int]]:
    """(0-based header row, column key → 0-based column) for a table ledger; (-1, {}) when no
    row of the first `scan_rows` holds any of the headers. The row matching most headers wins;
    the leftmost of repeated headers is used."""
    wanted = {fold_header(col.header): col.key for col in ledger.columns}
    best_row, best = -1, dict[str, int]()
    for r, cells in enumerate(sheet.cells[:scan_rows]):
        found: dict[str, int] = {}
        for c, value in enumerate(cells):
            if value is None:
                continue
            key = wanted.get(fold_header(value))
            if key is not None and key not in found:
                found[key] = c
        if len(found) > len(best):
            best_row, best = r, found
    return best_row, best


def extract_ledger(ledger: Ledger, sheet: RawSheet | None, sheet_name: str, *,
                   version: str | None = None,
                   budget: ProblemBudget | None = None) -> tuple[LedgerData, list[Problem]]:
    """The typed rows of one ledger and the problems found reading them.

    `sheet` is None when the workbook has no such sheet (SHEET-MISSING, `present=False`).
    `version` is the template version the workbook was issued with ("" when unknown, None for
    the current one): a sheet or column added in a later version (`since`) may be missing
    without a problem, and is read as empty.
    `sheet_name` is the sheet's name in the file; problems and the result carry the ledger's own
    sheet name (`ledger.sheet`), which is what the feedback workbook and reports use.
    """
    if sheet is None:
        if version is not None and added_after(ledger.since, version):
            return LedgerData(ledger.id, ledger.sheet, present=False), []
        problem = catalog.make("SHEET-MISSING", sheet=ledger.sheet)
        return LedgerData(ledger.id, ledger.sheet, present=False), [problem]
    if ledger.kind == "form":
        return _extract_form(ledger, sheet, version, budget)
    return _extract_table(ledger, sheet, version, budget)


def _extract_table(ledger: Ledger, sheet: RawSheet, version: str | None = None,
                   budget: ProblemBudget | None = None) -> tuple[LedgerData, list[Problem]]:
    b = _Builder(ledger, sheet, version, budget)
    header_row, columns = find_header(ledger, sheet)
    b.missing(set(columns))
    letters = {key: column_letter(c) for key, c in columns.items()}
    data = LedgerData(ledger.id, ledger.sheet, letters=letters)
    if header_row < 0:
        return data, b.problems
    first = header_row + 1
    # Cells that decide whether a row is blank: not 序号, not the ledger's formula columns.
    deciding = [(c, col) for col in ledger.columns if (c := columns.get(col.key)) is not None
                and col.type != "serial" and not col.formula]
    # Per column, once: whether a formula without a saved result is in it (then each of its cells
    # is looked at by b.cell), and the value of an empty cell (the column's default).
    slow_cols = {c for _r, c in sheet.uncached}
    mapped = [(ledger.column(key), key, c, c in slow_cols) for key, c in columns.items()]
    empties = {key: b.empty_value(ledger.column(key)) for key in columns}
    template = {col.key: None for col in ledger.columns}
    deciding_cols = [c for c, _ in deciding]
    cells_of = sheet.cells
    for r in range(first, len(cells_of)):
        cells = cells_of[r]
        width = len(cells)
        if all(c >= width or _nothing(cells[c]) for c in deciding_cols):
            continue
        values = dict(template)
        row = Row(excel_row=r + 1, values=values)
        for col, key, c, slow in mapped:
            raw = cells[c] if c < width else None
            if not slow:
                # A plain cell is read here, the rest (and text beyond Excel's cell limit) by b.cell.
                if raw is None:
                    values[key] = empties[key]
                    continue
                if type(raw) is not str or len(raw) <= MAX_CELL_CHARS:
                    value = plain_value(col, raw)
                    if value is not MISS:
                        values[key] = value
                        continue
            b.cell(col, r, c, row, apply_default=True)
        data.rows.append(row)
    b.merged(first, columns)
    b.too_many_rows()
    return data, b.problems


def _extract_form(ledger: Ledger, sheet: RawSheet, version: str | None = None,
                  budget: ProblemBudget | None = None) -> tuple[LedgerData, list[Problem]]:
    b = _Builder(ledger, sheet, version, budget)
    labels = {fold_header(col.header): col for col in ledger.columns}
    # The label column: the one (of the first few) where most labels are found; normally A.
    best_c, best_found = 0, dict[str, int]()
    width = max((len(row) for row in sheet.cells), default=0)
    for c in range(min(FORM_LABEL_COLUMNS, max(width, 1))):
        found: dict[str, int] = {}
        for r in range(len(sheet.cells)):
            col = labels.get(fold_header(sheet.value(r, c)))
            if col is not None and col.key not in found:
                found[col.key] = r
        if len(found) > len(best_found):
            best_c, best_found = c, found
    b.missing(set(best_found))
    value_c = best_c + 1
    letters = {key: column_letter(value_c) for key in best_found}
    data = LedgerData(ledger.id, ledger.sheet, letters=letters)
    if best_found:
        row = Row(excel_row=min(best_found.values()) + 1,
                  values={col.key: None for col in ledger.columns})
        for col in ledger.columns:
            if col.key in best_found:
                b.cell(col, best_found[col.key], value_c, row, apply_default=True)
        data.rows.append(row)
        b.merged(min(best_found.values()), {key: value_c for key in best_found})
    b.too_many_rows()
    return data, b.problems


def extract_return(
    definition: WorkbookDefinition,
    reader: Any,
    *,
    branch_code: str,
    branch_name: str,
    year: int,
    template_id: str,
    template_version: str,
    budget: ProblemBudget | None = None,
) -> tuple[BranchReturn, list[Problem]]:
    """The branch's return as typed rows (every ledger of the definition, present or not) and
    every problem found reading it (those `budget`, the file's one cap, keeps). A sheet the parser
    cannot read is a FILE-UNREADABLE problem for that sheet, not an exception. A sheet or column added
    after the workbook's `template_version` (or any, when the version is unknown) may be missing: it is
    read as empty."""
    ret = BranchReturn(branch_code=branch_code, branch_name=branch_name, year=year,
                       template_id=template_id, template_version=template_version)
    problems: list[Problem] = []
    for ledger in definition.ledgers:
        name, picked = pick_sheet(reader, ledger.sheet)  # visible first; hidden or renamed is said
        problems += picked
        sheet: RawSheet | None = None
        if name is not None:
            try:
                sheet = reader.rows(name)
            except UnreadableFile as exc:
                problems.append(catalog.make(
                    exc.rule_id if exc.rule_id != "FILE-NOT-WORKBOOK" else "FILE-UNREADABLE",
                    sheet=ledger.sheet, reason=f"“{name}”工作表无法读取（{exc.reason}）"))
                ret.ledgers[ledger.id] = LedgerData(ledger.id, ledger.sheet, present=False)
                continue
        data, found = extract_ledger(ledger, sheet, name or ledger.sheet, version=template_version, budget=budget)
        ret.ledgers[ledger.id] = data
        problems += found
    return ret, problems
