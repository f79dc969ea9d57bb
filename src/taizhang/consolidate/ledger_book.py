"""汇总台账.xlsx: one sheet per ledger with every branch's rows (branch code and name in front,
an autofilter), and a sheet of every problem found; written row by row in constant memory."""


from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from taizhang import catalog
from taizhang.problems import Problem, Severity
from taizhang.records import BranchReturn
from taizhang.safeio import atomic_path, new_xlsx
from taizhang.xlsx import (
    FORM_WIDTH,
    MESSAGE_WIDTH,
    Formats,
    fit_widths,
    print_setup,
    text_width,
    wrapped_height,
    write_value,
)

PROBLEM_SHEET = "问题清单"


# --- 汇总台账 -------------------------------------------------------------------------------------
class _LedgerSheet:
    """One sheet of 汇总台账 being written row by row (the workbook is in constant-memory mode:
    a row is written out when the next one starts), with the widths seen so far."""

    def __init__(self, wb: Any, f: Formats, ledger: Any, *, groups: Mapping[str, str] | None = None,
                 row_numbers: bool = False):
        self.ledger = ledger
        self.groups = groups
        self.row_numbers = row_numbers
        self.sheet = wb.add_worksheet(ledger.sheet)
        self.front = ["支部编码", "支部名称"] + (["所属组织"] if groups is not None else []) + (
            ["原表行号"] if row_numbers else [])
        self.headers = self.front + [c.header for c in ledger.columns]
        self.widths = [text_width(h) for h in self.headers]
        self.cap = FORM_WIDTH if ledger.kind == "form" else 40  # the widest a column is shown
        self.row = 1
        for c, h in enumerate(self.headers):
            self.sheet.write_string(0, c, h, f.head)

    def add(self, ret: BranchReturn, f: Formats) -> None:
        """Write the return's rows of this ledger (a form: its one row)."""
        ledger, sh, widths = self.ledger, self.sheet, self.widths
        rows = ret.rows(ledger.id)
        if ledger.kind == "form":
            rows = rows[:1]
        cap = self.cap
        for row in rows:
            r = self.row
            wrapped: list[tuple[int, str]] = []
            lead: list[Any] = [ret.branch_code, ret.branch_name]
            if self.groups is not None:
                lead.append(self.groups.get(ret.branch_code, ""))
            if self.row_numbers:
                lead.append(row.excel_row)
            for c, value in enumerate(lead):
                widths[c] = max(widths[c], write_value(sh, r, c, value, f, wide=widths[c]))
            for c, col in enumerate(ledger.columns, start=len(self.front)):
                if col.key in row.invalid:
                    raw = row.raw.get(col.key, "")
                    if raw:
                        sh.write_string(r, c, str(raw), f.invalid)
                        widths[c] = max(widths[c], text_width(raw))
                    continue
                kind = "wrap" if ledger.kind == "form" else col.type
                value = row.values.get(col.key)
                # A column already as wide as it may be shown needs no more measuring.
                wide = widths[c] if widths[c] < cap else float("inf")
                widths[c] = max(widths[c], write_value(sh, r, c, value, f, kind=kind, wide=wide))
                if kind == "wrap" and isinstance(value, str):
                    wrapped.append((c, value))
            if wrapped:
                sh.set_row(r, wrapped_height(wrapped, FORM_WIDTH))
            self.row += 1

    def finish(self) -> int:
        """Widths, frozen header, autofilter, print setup; return the number of data rows."""
        sh = self.sheet
        fitted = fit_widths(self.widths, hi=self.cap)
        for c, w in enumerate(fitted):
            sh.set_column(c, c, w)
        sh.freeze_panes(1, 2)
        sh.autofilter(0, 0, max(self.row - 1, 1), len(self.headers) - 1)
        print_setup(sh, header_rows=(0, 0), widths=fitted, key_columns=2)
        return self.row - 1


PROBLEM_HEADERS = ["级别", "工作表", "行", "列", "单元格", "值", "问题", "规则", "规则编号"]


class _ProblemSheet:
    """问题清单 of 汇总台账, written row by row (with 所属组织 after the branch when `groups`)."""

    def __init__(self, wb: Any, f: Formats, name: str, *, groups: Mapping[str, str] | None = None):
        self.sheet = wb.add_worksheet(name)
        self.groups = groups
        self.headers = ["支部编码", "支部名称"] + (["所属组织"] if groups is not None else []) + PROBLEM_HEADERS
        self.level = self.headers.index("级别")
        self.message = self.headers.index("问题")
        self.widths = [text_width(h) for h in self.headers]
        self.row = 1
        for c, h in enumerate(self.headers):
            self.sheet.write_string(0, c, h, f.head)
        self.sev_fmt = {Severity.ERROR: f.error, Severity.WARNING: f.warning, Severity.INFO: f.center}

    def add(self, sub: Any, problems: list[Problem], f: Formats) -> None:
        sh, widths = self.sheet, self.widths
        for p in problems:
            r = self.row
            values: list[Any] = [sub.branch_code, sub.branch_name]
            if self.groups is not None:
                values.append(self.groups.get(sub.branch_code, ""))
            rule = catalog.RULES.get(p.rule_id)
            values += [None, p.sheet, p.row, p.column, p.cell, p.value, p.message,
                       rule.title if rule else "", p.rule_id]
            for c, v in enumerate(values):
                if c == self.level:
                    sh.write_string(r, c, p.severity.value, self.sev_fmt[p.severity])
                    continue
                widths[c] = max(widths[c], write_value(sh, r, c, v, f, kind="wrap" if c == self.message else ""))
            sh.set_row(r, wrapped_height([(self.message, p.message)], MESSAGE_WIDTH))
            self.row += 1

    def finish(self, f: Formats) -> int:
        sh = self.sheet
        n = self.row - 1
        if not n:
            sh.write_string(1, 0, "当前各支部的报送中没有发现问题。", f.note)
        fitted = fit_widths(self.widths)
        fitted[self.message] = MESSAGE_WIDTH
        for c, w in enumerate(fitted):
            sh.set_column(c, c, w)
        sh.freeze_panes(1, 2)
        sh.autofilter(0, 0, max(n, 1), len(self.headers) - 1)
        print_setup(sh, header_rows=(0, 0), widths=fitted, key_columns=2)
        return n


def write_ledger_workbook(path: Path, definitions: Any,
                          branches: Iterable[tuple[BranchReturn | None, Any, list[Problem]]], *,
                          groups: Mapping[str, str] | None = None) -> dict[str, int]:
    """Write 汇总台账.xlsx from (return, submission, problems) per branch, in order (a return of
    None is left out of the ledger sheets; its problems are still listed). Each branch is written
    to every sheet as it comes, so only one branch is held at a time. `groups` maps a branch code
    to the 党总支 it belongs to (a 所属组织 column is added when given). Returns the number of
    data rows per sheet."""
    with atomic_path(path) as tmp:
        wb = new_xlsx(tmp, constant_memory=True)
        wb.set_properties({"title": "党建工作台账汇总", "comments": "由 taizhang 生成"})
        f = Formats(wb)
        sheets = [_LedgerSheet(wb, f, ledger, groups=groups) for ledger in definitions.ledgers]
        taken = {led.sheet for led in definitions.ledgers}
        listing = _ProblemSheet(wb, f, PROBLEM_SHEET if PROBLEM_SHEET not in taken else f"{PROBLEM_SHEET}（汇总）",
                                groups=groups)
        for ret, sub, problems in branches:
            if ret is not None:
                for sheet in sheets:
                    sheet.add(ret, f)
            listing.add(sub, problems, f)
        counts = {sheet.ledger.sheet: sheet.finish() for sheet in sheets}
        counts[PROBLEM_SHEET] = listing.finish(f)
        wb.close()
    return counts


def write_ledger_sheet(wb: Any, f: Formats, ledger: Any, returns: Iterable[tuple[BranchReturn, Any]], *,
                       groups: Mapping[str, str] | None = None, row_numbers: bool = False) -> tuple[Any, int]:
    """One ledger's sheet with every branch's rows: 支部编码, 支部名称 (and 所属组织 with `groups`,
    原表行号 with `row_numbers`) in front, then the ledger's columns with typed cells. Returns the
    sheet and the number of data rows."""
    sheet = _LedgerSheet(wb, f, ledger, groups=groups, row_numbers=row_numbers)
    for ret, _sub in returns:
        sheet.add(ret, f)
    return sheet.sheet, sheet.finish()
