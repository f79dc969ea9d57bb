"""Consolidation: the committee's two workbooks from the current returns of a year.

- ``output/汇总台账.xlsx``: one sheet per ledger with every branch's rows (支部编码 and 支部名称
  in front, typed cells, an autofilter), and 问题清单 with every problem of the current returns.
- ``output/统计表.xlsx``: 表1 三会一课开展情况 … 表5 台账报送情况, one row per branch plus a 合计
  row, with native Excel charts, ready to print (A4 landscape, title rows repeated).

Every figure comes from `statistics` (computed once); this module only lays them out. Both files
are written to a temporary file and renamed into place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from .periods import Period
from .problems import Problem, Severity, sort_key
from .records import BranchReturn
from .safeio import atomic_path, new_xlsx, safe_filename
from .statistics import (
    MISSING,
    PIPELINE,
    STATES,
    BranchStats,
    Compliance,
    ExcludedReturn,
    Stats,
    load_current,
    load_stats,
)
from .store import Store

LEDGER_FILE = "汇总台账.xlsx"
STATS_FILE = "统计表.xlsx"
PROBLEM_SHEET = "问题清单"
NOT_RETURNED = "未报送"
LEFT_OUT = "有错误，未纳入汇总"

SHEET_MEETINGS = "表1 三会一课开展情况"
SHEET_ACTIVITIES = "表2 组织生活开展情况"
SHEET_DUES = "表3 党费收缴情况"
SHEET_RECRUITMENT = "表4 发展党员情况"
SHEET_STATUS = "表5 台账报送情况"
STATS_SHEETS = (SHEET_MEETINGS, SHEET_ACTIVITIES, SHEET_DUES, SHEET_RECRUITMENT, SHEET_STATUS)


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
        }


def output_names(unit_name: str = "") -> tuple[str, str]:
    """The file names of 汇总台账 and 统计表: 汇总台账.xlsx, or 汇总台账_<单位>.xlsx for one unit."""
    if not unit_name:
        return LEDGER_FILE, STATS_FILE
    tail = f"_{safe_filename(unit_name)}.xlsx"
    return LEDGER_FILE.replace(".xlsx", tail), STATS_FILE.replace(".xlsx", tail)


def consolidate(ws: Any, *, year: int | None = None, strict: bool = False,
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
    loaded = load_current(ws, period, strict=strict)
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
        with Store.open(ws.store_path) as store:
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
    write_stats_workbook(result.stats_path, stats, org=ws.settings.org_name,
                         deadline=ws.settings.deadline if year == ws.settings.year else None)
    return result


# --- shared formatting -------------------------------------------------------------------------
def text_width(text: Any) -> int:
    """The display width of text in a spreadsheet cell: a CJK character counts as two."""
    s = "" if text is None else str(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _fit(widths: list[int], lo: int = 6, hi: int = 50) -> list[float]:
    return [min(max(w + 2, lo), hi) for w in widths]


FORM_WIDTH = 60
MESSAGE_WIDTH = 70


def _wrapped_height(cells: list[tuple[int, str]], width: int) -> float:
    """A row height (points) that shows wrapped text of about `width` characters per line:
    neither Excel nor LibreOffice grows a row for wrapped text written by xlsxwriter."""
    lines = 1
    for _c, text in cells:
        n = sum(max(1, -(-text_width(line) // (width - 2))) for line in text.splitlines() or [""])
        lines = max(lines, n)
    return min(409, 14 * lines + 2)


class _Formats:
    """The cell formats of one workbook, created once."""

    def __init__(self, wb: Any):
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        cell = {**base, "border": 1}

        def fmt(**extra: Any) -> Any:
            return wb.add_format({**cell, **extra})

        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center",
                                    "font_name": "黑体"})
        self.info = wb.add_format({**base, "align": "left"})
        self.note = wb.add_format({**base, "align": "left", "text_wrap": True, "valign": "top"})
        self.head = fmt(bold=True, align="center", text_wrap=True, bg_color="#D9E1F2")
        self.text = fmt()
        self.wrap = fmt(text_wrap=True, valign="top")
        self.center = fmt(align="center")
        self.int = fmt(num_format="0", align="center")
        self.money = fmt(num_format="#,##0.00")
        self.pct = fmt(num_format="0.0%", align="center")
        self.date = fmt(num_format="yyyy-mm-dd", align="center")
        self.datetime = fmt(num_format="yyyy-mm-dd hh:mm", align="center")
        self.bad = fmt(align="center", font_color="#C00000", bold=True)
        self.invalid = fmt(bg_color="#FFC7CE")
        self.missing = fmt(align="center", font_color="#7F7F7F", italic=True)
        total = {"bold": True, "bg_color": "#F2F2F2"}
        self.t_text = fmt(**total, align="center", text_wrap=True)
        self.t_int = fmt(**total, num_format="0", align="center")
        self.t_money = fmt(**total, num_format="#,##0.00")
        self.t_pct = fmt(**total, num_format="0.0%", align="center")
        self.error = fmt(font_color="#C00000", bold=True, align="center")
        self.warning = fmt(font_color="#9C5700", align="center")


def _write_value(sh: Any, r: int, c: int, value: Any, f: _Formats, *, kind: str = "", wide: float = 0) -> int:
    """Write a typed value (an empty cell keeps its border); return its display width (0 for text
    that cannot be wider than `wide`, the widest seen so far: measuring is what costs)."""
    if value is None or value == "":
        sh.write_blank(r, c, None, f.text)
        return 0
    if isinstance(value, bool):
        sh.write_string(r, c, "是" if value else "否", f.center)
        return 2
    if isinstance(value, datetime):
        sh.write_datetime(r, c, value, f.datetime)
        return 16
    if isinstance(value, date):
        sh.write_datetime(r, c, datetime.combine(value, time()), f.date)
        return 10
    if isinstance(value, Decimal):
        sh.write_number(r, c, float(value), f.money)
        return len(f"{value:,.2f}")
    if isinstance(value, int):
        sh.write_number(r, c, value, f.int)
        return len(str(value))
    if isinstance(value, float):
        sh.write_number(r, c, value, f.money if kind == "money" else f.text)
        return len(str(value))
    text = str(value)
    sh.write_string(r, c, text, f.wrap if kind == "wrap" else f.text)
    if 2 * len(text) <= wide:
        return 0
    return max((text_width(line) for line in text.splitlines()), default=0)


# Shared with the roll-up workbook (rollup.py), which lays out the same kinds of cells.
Formats = _Formats
write_value = _write_value


# --- 汇总台账 -------------------------------------------------------------------------------------
class _LedgerSheet:
    """One sheet of 汇总台账 being written row by row (the workbook is in constant-memory mode:
    a row is written out when the next one starts), with the widths seen so far."""

    def __init__(self, wb: Any, f: _Formats, ledger: Any, *, groups: Mapping[str, str] | None = None,
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

    def add(self, ret: BranchReturn, f: _Formats) -> None:
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
                widths[c] = max(widths[c], _write_value(sh, r, c, value, f, wide=widths[c]))
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
                widths[c] = max(widths[c], _write_value(sh, r, c, value, f, kind=kind, wide=wide))
                if kind == "wrap" and isinstance(value, str):
                    wrapped.append((c, value))
            if wrapped:
                sh.set_row(r, _wrapped_height(wrapped, FORM_WIDTH))
            self.row += 1

    def finish(self) -> int:
        """Widths, frozen header, autofilter, print setup; return the number of data rows."""
        sh = self.sheet
        for c, w in enumerate(_fit(self.widths, hi=self.cap)):
            sh.set_column(c, c, w)
        sh.freeze_panes(1, 2)
        sh.autofilter(0, 0, max(self.row - 1, 1), len(self.headers) - 1)
        _print_setup(sh, header_rows=(0, 0))
        return self.row - 1


PROBLEM_HEADERS = ["级别", "工作表", "行", "列", "单元格", "值", "问题", "规则编号"]


class _ProblemSheet:
    """问题清单 of 汇总台账, written row by row (with 所属组织 after the branch when `groups`)."""

    def __init__(self, wb: Any, f: _Formats, name: str, *, groups: Mapping[str, str] | None = None):
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

    def add(self, sub: Any, problems: list[Problem], f: _Formats) -> None:
        sh, widths = self.sheet, self.widths
        for p in problems:
            r = self.row
            values: list[Any] = [sub.branch_code, sub.branch_name]
            if self.groups is not None:
                values.append(self.groups.get(sub.branch_code, ""))
            values += [None, p.sheet, p.row, p.column, p.cell, p.value, p.message, p.rule_id]
            for c, v in enumerate(values):
                if c == self.level:
                    sh.write_string(r, c, p.severity.value, self.sev_fmt[p.severity])
                    continue
                widths[c] = max(widths[c], _write_value(sh, r, c, v, f, kind="wrap" if c == self.message else ""))
            sh.set_row(r, _wrapped_height([(self.message, p.message)], MESSAGE_WIDTH))
            self.row += 1

    def finish(self, f: _Formats) -> int:
        sh = self.sheet
        n = self.row - 1
        if not n:
            sh.write_string(1, 0, "当前各支部的报送中没有发现问题。", f.note)
        fitted = _fit(self.widths)
        fitted[self.message] = MESSAGE_WIDTH
        for c, w in enumerate(fitted):
            sh.set_column(c, c, w)
        sh.freeze_panes(1, 2)
        sh.autofilter(0, 0, max(n, 1), len(self.headers) - 1)
        _print_setup(sh, header_rows=(0, 0))
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
        f = _Formats(wb)
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


def write_ledger_sheet(wb: Any, f: _Formats, ledger: Any, returns: Iterable[tuple[BranchReturn, Any]], *,
                       groups: Mapping[str, str] | None = None, row_numbers: bool = False) -> tuple[Any, int]:
    """One ledger's sheet with every branch's rows: 支部编码, 支部名称 (and 所属组织 with `groups`,
    原表行号 with `row_numbers`) in front, then the ledger's columns with typed cells. Returns the
    sheet and the number of data rows."""
    sheet = _LedgerSheet(wb, f, ledger, groups=groups, row_numbers=row_numbers)
    for ret, _sub in returns:
        sheet.add(ret, f)
    return sheet.sheet, sheet.finish()


def _print_setup(sh: Any, *, header_rows: tuple[int, int]) -> None:
    sh.set_landscape()
    sh.set_paper(9)  # A4
    sh.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sh.repeat_rows(*header_rows)
    sh.fit_to_pages(1, 0)
    sh.center_horizontally()
    sh.set_footer("&C第 &P 页，共 &N 页")


print_setup = _print_setup


# --- 统计表 ---------------------------------------------------------------------------------------
@dataclass
class _Col:
    """One figure column of a statistics table."""

    group: str  # the upper header ("" when the header spans both header rows)
    header: str
    kind: str  # int / money / pct / text / verdict
    get: Callable[[BranchStats], Any]
    total: str = "sum"  # sum: SUM formula with the computed total as cached value; value; none
    width: float = 0


HEAD_TOP, HEAD_BOTTOM, FIRST = 2, 3, 4  # 0-based rows: header rows, first branch row


def _pct_value(p: Decimal | None, *, cap: bool = False) -> float | None:
    if p is None:
        return None
    if cap and p > 100:
        p = Decimal(100)
    return float(p / 100)


def _compliance_cols(rule_id: str, name: str, did: str = "开") -> list[_Col]:
    def c(b: BranchStats) -> Compliance | None:
        return b.rule(rule_id)

    def required(b: BranchStats) -> Any:
        x = c(b)
        return x.required if x and x.applies else None

    def held(b: BranchStats) -> Any:
        x = c(b)
        return x.held if x and x.applies else None

    def verdict(b: BranchStats) -> Any:
        x = c(b)
        if x is None:
            return None
        if b.code == "":  # the total row: how many branches fell short
            if not x.applies:
                return "不适用"
            return "全部达标" if x.met else f"{len(x.short)}个未达标"
        return x.verdict

    return [
        _Col(f"{name}达标情况", f"应{did}", "int", required),
        _Col(f"{name}达标情况", f"实{did}", "int", held),
        _Col(f"{name}达标情况", "是否达标", "verdict", verdict, total="value"),
    ]


def _meeting_cols() -> list[_Col]:
    def m(attr: str) -> Callable[[BranchStats], Any]:
        return lambda b: getattr(b.meetings, attr) if b.meetings else None

    return [
        _Col("", "党员人数", "int", lambda b: b.membership.total if b.membership else None),
        _Col("支部党员大会", "次数", "int", m("general")),
        _Col("支部党员大会", "平均出席率", "pct",
             lambda b: _pct_value(b.meetings.attendance_rate) if b.meetings else None, total="value"),
        _Col("支委会", "次数", "int", m("committee")),
        _Col("支委会", "议题数", "int", m("committee_topics")),
        _Col("党小组会", "次数", "int", m("group")),
        _Col("党课", "次数", "int", m("lectures")),
        _Col("党课", "其中书记讲", "int", m("secretary_lectures")),
        *_compliance_cols("MEET-GM-Q", "支部党员大会"),
        *_compliance_cols("MEET-CMTE-M", "支委会"),
        *_compliance_cols("MEET-GROUP-M", "党小组会"),
        *_compliance_cols("MEET-LECTURE-Q", "党课"),
        *_compliance_cols("MEET-LECTURE-SEC", "书记讲党课", "讲"),
    ]


def _activity_cols(stats: Stats) -> list[_Col]:
    types: list[str] = []
    for b in [*stats.per_branch, stats.total]:
        for t in (b.activities.by_type if b.activities else {}):
            if t not in types:
                types.append(t)

    def count(t: str) -> Callable[[BranchStats], Any]:
        return lambda b: b.activities.by_type.get(t, 0) if b.activities else None

    return [
        *[_Col("各类活动次数", t, "int", count(t)) for t in types],
        _Col("各类活动次数", "合计", "int", lambda b: b.activities.total if b.activities else None),
        _Col("", "谈心谈话人次", "int", lambda b: b.activities.talk_person_times if b.activities else None),
        _Col("", "参加人次合计", "int", lambda b: b.activities.participants if b.activities else None),
        *_compliance_cols("LIFE-THEME-M", "主题党日"),
        *_compliance_cols("LIFE-OLM-Y", "组织生活会"),
        *_compliance_cols("LIFE-REVIEW-Y", "民主评议党员"),
        *_compliance_cols("LIFE-TALK-Y", "谈心谈话"),
    ]


def _dues_cols() -> list[_Col]:
    return [
        _Col("", "党员人数", "int", lambda b: b.membership.total if b.membership else None),
        _Col("", "应交党费（元）", "money", lambda b: b.dues.due if b.dues else None),
        _Col("", "实交党费（元）", "money", lambda b: b.dues.paid if b.dues else None),
        _Col("", "收缴率", "pct", lambda b: _pct_value(b.dues.rate, cap=True) if b.dues else None, total="value"),
        _Col("", "欠交人数", "int", lambda b: b.dues.arrears_count if b.dues else None),
        _Col("", "欠交党员", "text", lambda b: "、".join(b.dues.arrears) if b.dues else None,
             total="none", width=30),
    ]


def _recruitment_cols() -> list[_Col]:
    def r(attr: str) -> Callable[[BranchStats], Any]:
        return lambda b: getattr(b.recruitment, attr) if b.recruitment else None

    def stage(s: str) -> Callable[[BranchStats], Any]:
        return lambda b: b.recruitment.pipeline.get(s, 0) if b.recruitment else None

    return [
        _Col("本期发展情况（人）", "递交入党申请书", "int", r("applied")),
        _Col("本期发展情况（人）", "确定为入党积极分子", "int", r("activists")),
        _Col("本期发展情况（人）", "确定为发展对象", "int", r("candidates")),
        _Col("本期发展情况（人）", "接收为预备党员", "int", r("admitted")),
        _Col("本期发展情况（人）", "预备党员转正", "int", r("confirmed")),
        *[_Col("期末队伍情况（人）", s, "int", stage(s)) for s in PIPELINE],
    ]


def _status_cols() -> list[_Col]:
    def when(b: BranchStats) -> Any:
        if not b.status.returned_at:
            return None
        try:
            return datetime.fromisoformat(b.status.returned_at).replace(tzinfo=None, microsecond=0)
        except ValueError:
            return b.status.returned_at

    def included(b: BranchStats) -> Any:
        if b.status.state == MISSING:
            return "—"
        return "纳入" if b.status.included else "未纳入（有错误）"

    def state(b: BranchStats) -> Any:
        if b.code == "":
            return None
        return b.status.state

    def num(attr: str) -> Callable[[BranchStats], Any]:
        return lambda b: getattr(b.status, attr)

    return [
        _Col("", "支部书记", "text", lambda b: b.secretary or None, total="none"),
        _Col("", "报送时间", "datetime", when, total="none", width=16),
        _Col("", "报送状态", "state", state, total="none"),
        _Col("", "按时/逾期", "text", lambda b: b.status.timeliness or None, total="none"),
        _Col("", "错误", "int", num("errors")),
        _Col("", "警告", "int", num("warnings")),
        _Col("", "报送次数", "int", num("submissions")),
        _Col("", "是否纳入汇总", "text", included, total="none"),
    ]


def write_stats_workbook(path: Path, stats: Stats, *, org: str = "", deadline: date | None = None) -> Path:
    """Write 统计表.xlsx (表1–表5 with charts) from `stats`; return its path."""
    with atomic_path(path) as tmp:
        wb = new_xlsx(tmp)
        wb.set_properties({"title": f"{stats.period.label}党建工作统计表", "comments": "由 taizhang 生成"})
        f = _Formats(wb)
        label = stats.period.label + stats.unit_name
        common = _common_notes(stats)
        compliance = _compliance_notes(stats)
        t1 = _table(wb, f, stats, SHEET_MEETINGS, f"{label}各支部三会一课开展情况",
                    _meeting_cols(), org, compliance + common)
        _chart_meetings(wb, t1)
        _table(wb, f, stats, SHEET_ACTIVITIES, f"{label}各支部组织生活开展情况",
               _activity_cols(stats), org, compliance + common[1:])
        t3 = _table(wb, f, stats, SHEET_DUES, f"{label}各支部党费收缴情况", _dues_cols(), org,
                    ["收缴率＝实交÷应交；超过100%（补交或预交）的按100%显示。",
                     ("应交按各支部报送的“月应交”和党员应交纳的月份计算：当年入党的从接收之月起，"
                      "转出、停止党籍或去世的到当月止。欠交人数为已过去的月份中有未交月份的党员人数。"),
                     *common])
        _chart_dues(wb, t3)
        t4 = _table(wb, f, stats, SHEET_RECRUITMENT, f"{label}各支部发展党员情况",
                    _recruitment_cols(), org,
                    [f"期末队伍情况按各环节日期推算截至{_cn_date(stats.snapshot)}所处的阶段。", *common[1:]])
        _chart_pipeline(wb, t4)
        _table(wb, f, stats, SHEET_STATUS, f"{label}党建工作台账报送情况", _status_cols(), org,
               _status_notes(stats, deadline), status=True)
        wb.close()
    return path


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _compliance_notes(stats: Stats) -> list[str]:
    if stats.elapsed is None:
        return [f"截至{_cn_date(stats.as_of)}统计期间内还没有已结束的月份，未计算达标情况。"]
    end = stats.elapsed.end
    text = (f"达标情况按截至{end.year}年{end.month}月已结束的月份、季度和年度计算，每个月（季度、年度）"
            "都达到规定次数才算达标；“不适用”指支部未设支委会、没有党小组或统计期间不含完整的季度（年度）等情况。")
    return [text]


def _common_notes(stats: Stats) -> list[str]:
    """[党员人数 note, strict note if any]: the first is left out where no membership is shown."""
    notes = [f"党员人数按截至{_cn_date(stats.snapshot)}在册的党员计算。"]
    if stats.excluded:
        names = "、".join(e.name for e in stats.excluded)
        notes.append(f"按严格汇总的要求，以下支部的台账有错误，未纳入本表：{names}。")
    return notes


def _status_notes(stats: Stats, deadline: date | None) -> list[str]:
    counts = stats.status_counts
    notes = ["，".join(f"{s}{counts.get(s, 0)}个" for s in STATES) + "。"]
    if deadline:
        notes.append(f"报送截止日期：{_cn_date(deadline)}；以首次报送时间判断是否逾期。")
    if stats.excluded:
        for e in stats.excluded:
            notes.append(f"{e.name}（{e.code}）的台账有{e.errors}处错误，按严格汇总的要求未纳入汇总，"
                         "请督促其按反馈表修改后重新报送。")
    if stats.unlisted:
        names = "、".join(f"{u['name']}（{u['code']}）" for u in stats.unlisted)
        notes.append(f"以下报送的支部不在支部名单中，未纳入统计：{names}。请核对支部名单。")
    return notes


@dataclass
class _Table:
    """Where a written statistics table is, for its chart."""

    sheet: Any
    name: str
    cols: list[_Col]
    first: int  # first branch row (0-based)
    last: int  # last branch row
    total: int  # the 合计 row
    chart_row: int
    returned: list[int]  # rows of branches with figures
    last_col: int
    width_px: float  # the table's width and height as printed at 100%
    height_px: float
    fixed: int = 3  # columns before the figures: 序号, 支部编码, 支部名称 (, 所属组织)

    def col(self, header: str, group: str | None = None) -> int:
        for i, c in enumerate(self.cols):
            if c.header == header and (group is None or c.group == group):
                return self.fixed + i
        raise KeyError(header)


def _table(wb: Any, f: _Formats, stats: Stats, name: str, title: str, cols: list[_Col], org: str,
           notes: list[str], *, status: bool = False) -> _Table:
    sh = wb.add_worksheet(name)
    grouped = bool(stats.groups)
    front = ("序号", "支部编码", "支部名称") + (("所属组织",) if grouped else ())
    fixed = len(front)
    ncols = fixed + len(cols)
    last_col = ncols - 1
    sh.merge_range(0, 0, 0, last_col, f"{name.split(' ', 1)[0]}  {title}", f.title)
    sh.set_row(0, 30)
    info = f"制表单位：{org or '（未设置）'}    统计期间：{stats.period.label}    制表日期：{_cn_date(stats.as_of)}"
    sh.merge_range(1, 0, 1, last_col, info, f.info)
    sh.set_row(1, 20)
    # Header rows: fixed columns, then grouped figure columns.
    for c, h in enumerate(front):
        sh.merge_range(HEAD_TOP, c, HEAD_BOTTOM, c, h, f.head)
    widths = [3.0, 4.0, 8.0, 8.0][:fixed] + [0.0] * len(cols)
    i = 0
    while i < len(cols):
        col = cols[i]
        c = fixed + i
        if not col.group:
            sh.merge_range(HEAD_TOP, c, HEAD_BOTTOM, c, col.header, f.head)
            i += 1
            continue
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == col.group:
            j += 1
        if j > i:
            sh.merge_range(HEAD_TOP, c, HEAD_TOP, fixed + j, col.group, f.head)
        else:
            sh.write_string(HEAD_TOP, c, col.group, f.head)
        for k in range(i, j + 1):
            sh.write_string(HEAD_BOTTOM, fixed + k, cols[k].header, f.head)
        i = j + 1
    sh.set_row(HEAD_TOP, 30)
    sh.set_row(HEAD_BOTTOM, 30)
    # Header cells wrap onto two lines, so a column need only be half as wide as its header;
    # a group header spreads over its columns.
    for k, col in enumerate(cols):
        members = sum(1 for x in cols if x.group == col.group) if col.group else 1
        group_share = -(-text_width(col.group) // 2) / members if col.group else 0
        widths[fixed + k] = max(col.width, -(-text_width(col.header) // 2), group_share, 4)
    # Branch rows.
    r = FIRST
    returned_rows = []
    for n, b in enumerate(stats.per_branch, start=1):
        sh.write_number(r, 0, n, f.int)
        sh.write_string(r, 1, b.code, f.center)
        sh.write_string(r, 2, b.name, f.text)
        widths[1] = max(widths[1], text_width(b.code))
        widths[2] = max(widths[2], text_width(b.name))
        if grouped:
            widths[3] = max(widths[3], _write_value(sh, r, 3, b.group, f))
        if not status and not b.returned:
            label = LEFT_OUT if b.excluded else NOT_RETURNED
            if len(cols) > 1:
                sh.merge_range(r, fixed, r, last_col, label, f.missing)
            else:
                sh.write_string(r, fixed, label, f.missing)
        else:
            if b.returned:
                returned_rows.append(r)
            for k, col in enumerate(cols):
                widths[fixed + k] = max(widths[fixed + k], _write_cell(sh, r, fixed + k, col, col.get(b), f))
        r += 1
    last = r - 1
    # The 合计 row: sums as formulas with the figures from statistics as their cached values;
    # then "其中" one subtotal row per 党总支 (党委), with the figures from statistics.
    total_row = r
    _sum_row(sh, f, total_row, "合计", stats.total, [b.status.state for b in stats.per_branch], cols, fixed,
             widths, status=status, rows=(FIRST, last))
    r = total_row + 1
    members = {b.code: b for b in stats.per_branch}
    for g in stats.groups:
        label = "　" * g.depth + f"其中：{g.name}（{len(g.branches)}个支部）"
        _sum_row(sh, f, r, label, g.total, [members[c].status.state for c in g.branches if c in members],
                 cols, fixed, widths, status=status)
        r += 1
    # Notes.
    r += 1
    note_pt = 0
    per_line = max(40, int(sum(min(w + 1.5, 40) for w in widths)) - 4)
    for n, text in enumerate(notes, start=1):
        text = f"注{n}：{text}" if len(notes) > 1 else f"注：{text}"
        sh.merge_range(r, 0, r, last_col, text, f.note)
        height = 14 * max(1, -(-text_width(text) // per_line)) + 2
        sh.set_row(r, height)
        note_pt += height
        r += 1
    chart_row = r + 1
    final = [min(w + 1.5, 40) for w in widths]
    for c, w in enumerate(final):
        sh.set_column(c, c, w)
    sh.freeze_panes(FIRST, fixed)
    _print_setup(sh, header_rows=(HEAD_TOP, HEAD_BOTTOM))
    sh.print_area(0, 0, max(r - 1, total_row), last_col)
    height_pt = 30 + 20 + 30 + 30 + 15 * (total_row - FIRST + 1) + 28 * (1 + len(stats.groups)) + note_pt + 15
    return _Table(sh, name, cols, FIRST, last, total_row, chart_row, returned_rows, last_col,
                  width_px=sum(int(w * 7 + 5) for w in final), height_px=height_pt * 4 / 3, fixed=fixed)


def _sum_row(sh: Any, f: _Formats, row: int, label: str, total: BranchStats, states: list[str], cols: list[_Col],
             fixed: int, widths: list[float], *, status: bool, rows: tuple[int, int] | None = None) -> None:
    """A 合计 (with `rows`: SUM formulas over those rows, cached with the figures) or 其中 row."""
    sh.merge_range(row, 0, row, fixed - 1, label, f.t_text)
    sh.set_row(row, 28)
    for k, col in enumerate(cols):
        c = fixed + k
        value = col.get(total) if (total.returned or status) else None
        if col.total == "none":
            sh.write_blank(row, c, None, f.t_text)
        elif (col.kind in ("int", "money") and col.total == "sum" and value is not None and rows is not None
              and rows[1] >= rows[0]):
            rng = f"{xl_rowcol_to_cell(rows[0], c)}:{xl_rowcol_to_cell(rows[1], c)}"
            fmt = f.t_money if col.kind == "money" else f.t_int
            sh.write_formula(row, c, f"=SUM({rng})", fmt, float(value) if col.kind == "money" else value)
        elif value is None:
            sh.write_string(row, c, "—", f.t_text)
        elif col.kind == "pct":
            sh.write_number(row, c, value, f.t_pct)
        elif col.kind in ("int", "money"):
            sh.write_number(row, c, float(value), f.t_money if col.kind == "money" else f.t_int)
        else:
            sh.write_string(row, c, str(value), f.t_text)
    if status:
        counts = {s: states.count(s) for s in STATES}
        c = fixed + next(k for k, col in enumerate(cols) if col.kind == "state")
        summary = "、".join(f"{s}{counts.get(s, 0)}" for s in STATES if counts.get(s))
        sh.write_string(row, c, summary, f.t_text)
        widths[c] = max(widths[c], text_width(summary) * 0.8)


def _write_cell(sh: Any, r: int, c: int, col: _Col, value: Any, f: _Formats) -> float:
    if value is None:
        sh.write_blank(r, c, None, f.center)
        return 0
    if col.kind == "pct":
        sh.write_number(r, c, value, f.pct)
        return 6
    if col.kind == "money":
        sh.write_number(r, c, float(value), f.money)
        return len(f"{value:,.2f}")
    if col.kind == "int":
        sh.write_number(r, c, value, f.int)
        return len(str(value))
    if col.kind == "datetime" and isinstance(value, datetime):
        sh.write_datetime(r, c, value, f.datetime)
        return 16
    text = str(value)
    fmt = f.text
    if col.kind == "verdict":
        fmt = f.bad if text == "未达标" else f.center
    elif col.kind == "state":
        fmt = f.center if text in ("已报送",) else f.bad
    sh.write_string(r, c, text, fmt)
    return text_width(text)


def _chart_size(t: _Table) -> dict[str, int]:
    n = max(1, t.last - t.first + 1)
    return {"width": min(1400, max(720, 60 * n)), "height": 380}


def _chart_meetings(wb: Any, t: _Table) -> None:
    if not t.returned:
        return
    chart = wb.add_chart({"type": "column"})
    names = [t.name, t.first, 2, t.last, 2]
    for group, header in (("支部党员大会", "次数"), ("支委会", "次数"), ("党小组会", "次数"), ("党课", "次数")):
        c = t.col(header, group)
        chart.add_series({"name": group, "categories": names, "values": [t.name, t.first, c, t.last, c],
                          "gap": 80})
    _style_chart(chart, "各支部三会一课开展次数", t, y_title="次数")
    _place_chart(t, chart, **_chart_size(t))


def _chart_dues(wb: Any, t: _Table) -> None:
    if not t.returned:
        return
    chart = wb.add_chart({"type": "column"})
    c = t.col("收缴率")
    chart.add_series({"name": "党费收缴率", "categories": [t.name, t.first, 2, t.last, 2],
                      "values": [t.name, t.first, c, t.last, c],
                      "data_labels": {"value": True, "num_format": "0.0%"}, "gap": 80})
    _style_chart(chart, "各支部党费收缴率", t, y_title="收缴率", legend=False)
    chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%", "name": "收缴率",
                      "name_font": {"name": "宋体", "size": 10}, "num_font": {"name": "宋体", "size": 10},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    _place_chart(t, chart, **_chart_size(t))


def _chart_pipeline(wb: Any, t: _Table) -> None:
    if not t.returned:
        return
    chart = wb.add_chart({"type": "column"})
    first, last = t.col(PIPELINE[0]), t.col(PIPELINE[-1])
    chart.add_series({"name": "人数", "categories": [t.name, HEAD_BOTTOM, first, HEAD_BOTTOM, last],
                      "values": [t.name, t.total, first, t.total, last],
                      "data_labels": {"value": True}, "gap": 60, "fill": {"color": "#C00000"}})
    _style_chart(chart, "期末发展党员队伍情况（合计）", t, y_title="人数", legend=False)
    _place_chart(t, chart, width=640, height=360)


def _style_chart(chart: Any, title: str, t: _Table, *, y_title: str, legend: bool = True) -> None:
    font = {"name": "宋体", "size": 10}
    chart.set_title({"name": title, "name_font": {"name": "黑体", "size": 13, "bold": True}})
    rotate = {"rotation": -45} if t.last - t.first >= 6 else {}
    chart.set_x_axis({"num_font": {**font, **rotate}})
    chart.set_y_axis({"name": y_title, "name_font": font, "num_font": font, "min": 0,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    if legend:
        chart.set_legend({"position": "top", "font": font})
    else:
        chart.set_legend({"none": True})


# A4 landscape with the margins of _print_setup, in pixels at 96 dpi.
PAGE_WIDTH_PX = (11.69 - 1.0) * 96
PAGE_HEIGHT_PX = (8.27 - 1.2) * 96 - 10
MIN_CHART_HEIGHT = 240
MIN_CHART_WIDTH = 480


def _place_chart(t: _Table, chart: Any, *, width: int, height: int) -> None:
    """Insert the chart below the table's notes, on a new page when it would be cut by the page
    end, and widen the print area to include it."""
    width = int(max(MIN_CHART_WIDTH, min(width, t.width_px - 20)))  # no wider than the table
    scale = min(1.0, PAGE_WIDTH_PX / max(t.width_px, width + 20))
    used = (t.height_px * scale) % PAGE_HEIGHT_PX
    room = (PAGE_HEIGHT_PX - used) / scale - 30  # what is left on the page, at 100%
    if room >= MIN_CHART_HEIGHT:
        height = int(min(height, room))
    else:
        t.sheet.set_h_pagebreaks([t.chart_row])
    chart.set_size({"width": width, "height": height})
    t.sheet.insert_chart(t.chart_row, 0, chart, {"x_offset": 10, "y_offset": 5})
    rows = -(-(height + 30) // 20) + 1
    t.sheet.print_area(0, 0, t.chart_row + rows, t.last_col)

