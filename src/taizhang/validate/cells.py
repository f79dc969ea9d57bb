"""Cell checks that follow from the ledger definitions alone, run on every ledger.

CELL-REQUIRED, CELL-ENUM, CELL-NEGATIVE, CELL-RANGE (a number outside the column's `min`/`max`:
an amount with digits too many), CELL-YEAR (a date of a table ledger — a meeting, an activity —
outside the ledger's year) and CELL-NEXT-YEAR (a history date — 出生日期, 入党日期, the 发展党员
stage dates — later than the ledger's year: those before it are the person's history and may lie
in any earlier year; the 年度小结's 填报日期 is naturally in the next January). Neither kind of date is counted in any year's figures (`statistics`). A cell the reader could not read
(`row.invalid`) was reported already (CELL-TYPE / CELL-AMBIGUOUS / CELL-FORMULA) and is skipped;
a column missing from the sheet was reported as COLUMN-MISSING and is skipped too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from taizhang import catalog
from taizhang.problems import Problem, ProblemBudget
from taizhang.records import FIGURE_LIMIT, BranchReturn
from taizhang.validate.context import Context
from taizhang.workspace.definitions import Column, WorkbookDefinition

CELL_RULES = ("CELL-REQUIRED", "CELL-ENUM", "CELL-NEGATIVE", "CELL-RANGE", "CELL-YEAR", "CELL-NEXT-YEAR")


def check_cells(ctx: Context, budget: ProblemBudget | None = None) -> Iterator[Problem]:
    """Every cell-level problem of every ledger present in the return (with `budget`: those of a
    rule it has room for; the others are only counted, never made). CELL-RANGE is found before,
    by `bound_numbers`, which takes such a cell out of the row (`row.invalid`)."""
    on = {rule_id: ctx.enabled(rule_id) for rule_id in CELL_RULES}
    severity = {rule_id: catalog.get(rule_id).severity for rule_id in CELL_RULES}

    def fire(rule_id: str) -> bool:
        """Whether to make the problem: the budget has room for it (else it is only counted)."""
        if budget is None or budget.room(severity[rule_id]):
            return True
        budget.take(severity[rule_id])
        return False

    for ledger in ctx.definition.ledgers:
        if not ctx.present(ledger.id):
            continue
        # What each column is checked for, worked out once per ledger (not once per cell).
        plans = [_plan(col, ledger.kind, on, ctx.year) for col in ledger.columns if ctx.found(ledger.id, col.key)]
        for row in ctx.rows(ledger.id):
            values = row.values
            invalid = row.invalid
            for col, required, check in plans:
                key = col.key
                if key in invalid:
                    continue
                value = values.get(key)
                # Where the cell is is only worked out for a problem: most cells have none.
                if value is None or (type(value) is str and not value.strip()):
                    if required and fire("CELL-REQUIRED"):
                        yield catalog.make("CELL-REQUIRED", **ctx.where(ledger.id, row, key))
                    continue
                if check is not None:
                    found = check(value)
                    if found is not None and fire(found[0]):
                        rule_id, fields = found
                        yield catalog.make(rule_id, **fields, **ctx.where(ledger.id, row, key))


def _plan(col: Column, kind: str, on: dict[str, bool], year: int) -> tuple[Column, bool, Any]:
    """(the column, whether an empty cell is CELL-REQUIRED, the check of a filled cell or None).
    A check returns (rule id, fields) for a problem, None for a good value."""
    required = bool(col.required and not col.formula and on["CELL-REQUIRED"])
    if col.type in ("enum", "bool"):
        if not on["CELL-ENUM"]:
            return col, required, None
        choices = col.choices
        joined = "、".join(col.choices)

        def enum(value: Any) -> tuple[str, dict[str, Any]] | None:
            if (value if type(value) is str else str(value)).strip() in choices:
                return None
            return "CELL-ENUM", {"value": value, "choices": joined}
        return col, required, enum
    if col.type in ("int", "money"):
        if not on["CELL-NEGATIVE"]:
            return col, required, None

        def number(value: Any) -> tuple[str, dict[str, Any]] | None:
            if type(value) is bool or not isinstance(value, (int, Decimal)):
                return None
            return ("CELL-NEGATIVE", {"value": value}) if value < 0 else None
        return col, required, number
    if col.type == "date":
        if not col.history and on["CELL-YEAR"]:
            def in_year(value: Any) -> tuple[str, dict[str, Any]] | None:
                if isinstance(value, date) and value.year != year:
                    return "CELL-YEAR", {"value": value, "year": year}
                return None
            return col, required, in_year
        if col.history and on["CELL-NEXT-YEAR"] and kind != "form":
            def not_later(value: Any) -> tuple[str, dict[str, Any]] | None:
                if isinstance(value, date) and value.year > year:
                    return "CELL-NEXT-YEAR", {"value": value, "year": year, "next": year + 1}
                return None
            return col, required, not_later
    return col, required, None


def bound_numbers(ret: BranchReturn, definition: WorkbookDefinition) -> list[Problem]:
    """CELL-RANGE (错误) for every number outside its column's `min`/`max` (a column without a
    `max` is held to FIGURE_LIMIT), and the cell taken out of every figure: it joins
    `row.invalid`, its text kept in `row.raw` for feedback. Runs before any check or figure sees
    the return, so an amount of 1e26 never reaches money arithmetic (Decimal.quantize)."""
    problems: list[Problem] = []
    for ledger in definition.ledgers:
        data = ret.ledgers.get(ledger.id)
        if data is None or not data.present:
            continue
        numeric = [col for col in ledger.columns if col.type in ("int", "money")]
        if not numeric:
            continue
        for row in data.rows:
            for col in numeric:
                value = row.values.get(col.key)  # a cell the reader could not read is None
                if value is None:
                    continue
                high = col.max if col.max is not None else FIGURE_LIMIT
                if not _outside(value, col.min, high):
                    continue
                row.invalid.add(col.key)
                row.raw[col.key] = _number_text(value)
                problems.append(catalog.make(
                    "CELL-RANGE", value=_number_text(value), range=_range(col.min, high),
                    sheet=ledger.sheet, row=row.excel_row if ledger.kind != "form" else None,
                    column=col.header, column_letter=data.letters.get(col.key, "")))
    return problems


def _number_text(value: object) -> str:
    """A number as people read it: 1E+26 written out, at most 30 characters."""
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    return text if len(text) <= 30 else f"{value:.3e}"


def _outside(value: object, low: float | None, high: float | None) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return False
    return (low is not None and value < Decimal(str(low))) or (high is not None and value > Decimal(str(high)))


def _range(low: float | None, high: float | None) -> str:
    def n(x: float) -> str:
        return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"

    if low is not None and high is not None:
        return f"{n(low)}至{n(high)}"
    return f"不大于{n(high)}" if high is not None else f"不小于{n(low)}"  # type: ignore[arg-type]
