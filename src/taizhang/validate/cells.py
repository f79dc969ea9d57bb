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

from taizhang import catalog
from taizhang.problems import Problem, ProblemBudget
from taizhang.records import FIGURE_LIMIT, BranchReturn
from taizhang.validate.context import Context
from taizhang.workspace.definitions import WorkbookDefinition

CELL_RULES = ("CELL-REQUIRED", "CELL-ENUM", "CELL-NEGATIVE", "CELL-RANGE", "CELL-YEAR", "CELL-NEXT-YEAR")


def check_cells(ctx: Context, budget: ProblemBudget | None = None) -> Iterator[Problem]:
    """Every cell-level problem of every ledger present in the return (with `budget`: those of a
    rule it has room for; the others are only counted, never made)."""
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
        columns = [col for col in ledger.columns if ctx.found(ledger.id, col.key)]
        for row in ctx.rows(ledger.id):
            for col in columns:
                if col.key in row.invalid:
                    continue
                value = row.values.get(col.key)
                # Where the cell is is only worked out for a problem: most cells have none.
                if value is None or (isinstance(value, str) and not value.strip()):
                    if col.required and not col.formula and on["CELL-REQUIRED"] and fire("CELL-REQUIRED"):
                        yield catalog.make("CELL-REQUIRED", **ctx.where(ledger.id, row, col.key))
                    continue
                if col.type in ("enum", "bool") and on["CELL-ENUM"] and str(value).strip() not in col.choices:
                    if fire("CELL-ENUM"):
                        yield catalog.make("CELL-ENUM", value=value, choices="、".join(col.choices),
                                           **ctx.where(ledger.id, row, col.key))
                elif col.type in ("int", "money") and on["CELL-NEGATIVE"] and _negative(value):
                    if fire("CELL-NEGATIVE"):
                        yield catalog.make("CELL-NEGATIVE", value=value, **ctx.where(ledger.id, row, col.key))
                elif (col.type == "date" and not col.history and on["CELL-YEAR"]
                      and isinstance(value, date) and value.year != ctx.year):
                    if fire("CELL-YEAR"):
                        yield catalog.make("CELL-YEAR", value=value, year=ctx.year,
                                           **ctx.where(ledger.id, row, col.key))
                elif (col.type == "date" and col.history and on["CELL-NEXT-YEAR"] and ledger.kind != "form"
                      and isinstance(value, date) and value.year > ctx.year and fire("CELL-NEXT-YEAR")):
                    yield catalog.make("CELL-NEXT-YEAR", value=value, year=ctx.year, next=ctx.year + 1,
                                       **ctx.where(ledger.id, row, col.key))


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


def _negative(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, Decimal)) and value < 0
