"""统计表.xlsx: 表1–表5, one row per branch, 合计 and subtotals, native charts, print setup."""


from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from taizhang.party.calendar import cn_date
from taizhang.safeio import atomic_path, new_xlsx
from taizhang.statistics.model import PIPELINE, BranchStats, Compliance, Stats
from taizhang.vocabulary import MISSING, RETURNED, STATES
from taizhang.xlsx import Formats, PrintPlan, print_setup, text_width

NOT_RETURNED = MISSING
LEFT_OUT = "有错误，未纳入汇总"

SHEET_MEETINGS = "表1 三会一课开展情况"
SHEET_ACTIVITIES = "表2 组织生活开展情况"
SHEET_DUES = "表3 党费收缴情况"
SHEET_RECRUITMENT = "表4 发展党员情况"
SHEET_STATUS = "表5 台账报送情况"
STATS_SHEETS = (SHEET_MEETINGS, SHEET_ACTIVITIES, SHEET_DUES, SHEET_RECRUITMENT, SHEET_STATUS)


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
KEY_COLUMNS = 3  # 序号, 支部编码, 支部名称: repeated on every printed part of a wide table
NAME_WIDTH, GROUP_WIDTH = 24, 16  # longer 支部名称 / 所属组织 wrap onto two lines


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
        f = Formats(wb)
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
                    [f"期末队伍情况按各环节日期推算截至{cn_date(stats.snapshot)}所处的阶段。", *common[1:]])
        _chart_pipeline(wb, t4)
        _table(wb, f, stats, SHEET_STATUS, f"{label}党建工作台账报送情况", _status_cols(), org,
               _status_notes(stats, deadline), status=True)
        wb.close()
    return path


def _compliance_notes(stats: Stats) -> list[str]:
    if stats.elapsed is None:
        return [f"截至{cn_date(stats.as_of)}统计期间内还没有已结束的月份，未计算达标情况。"]
    end = stats.elapsed.end
    text = (f"达标情况按截至{end.year}年{end.month}月已结束的月份、季度和年度计算，每个月（季度、年度）"
            "都达到规定次数才算达标；“不适用”指支部未设支委会、没有党小组或统计期间不含完整的季度（年度）等情况。")
    return [text]


def _common_notes(stats: Stats) -> list[str]:
    """[党员人数 note, strict note if any]: the first is left out where no membership is shown."""
    notes = [f"党员人数按截至{cn_date(stats.snapshot)}在册的党员计算。"]
    if stats.excluded:
        names = "、".join(e.name for e in stats.excluded)
        notes.append(f"按严格汇总的要求，以下支部的台账有错误，未纳入本表：{names}。")
    return notes


def _status_notes(stats: Stats, deadline: date | None) -> list[str]:
    counts = stats.status_counts
    notes = ["，".join(f"{s}{counts.get(s, 0)}个" for s in STATES) + "。"]
    if deadline:
        notes.append(f"报送截止日期：{cn_date(deadline)}；以首次报送时间判断是否逾期。")
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
    returned: list[int]  # rows of branches with figures
    last_col: int
    plan: PrintPlan  # how the table prints
    workbook: Any = None
    fixed: int = 3  # columns before the figures: 序号, 支部编码, 支部名称 (, 所属组织)

    def col(self, header: str, group: str | None = None) -> int:
        for i, c in enumerate(self.cols):
            if c.header == header and (group is None or c.group == group):
                return self.fixed + i
        raise KeyError(header)


def _table(wb: Any, f: Formats, stats: Stats, name: str, title: str, cols: list[_Col], org: str,
           notes: list[str], *, status: bool = False) -> _Table:
    sh = wb.add_worksheet(name)
    grouped = any(b.group for b in stats.per_branch)  # an all-empty 所属组织 column would only take room
    front = ("序号", "支部编码", "支部名称") + (("所属组织",) if grouped else ())
    fixed = len(front)
    ncols = fixed + len(cols)
    last_col = ncols - 1
    sh.set_row(0, 30)
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
        # Long names wrap onto two lines rather than widen the column on every printed part.
        long_name = text_width(b.name) > NAME_WIDTH or (grouped and text_width(b.group) > GROUP_WIDTH)
        sh.write_string(r, 2, b.name, f.name if long_name else f.text)
        if long_name:
            sh.set_row(r, 27)
        widths[1] = max(widths[1], text_width(b.code))
        widths[2] = min(max(widths[2], text_width(b.name)), NAME_WIDTH)
        if grouped:
            if b.group:
                sh.write_string(r, 3, b.group, f.name if long_name else f.text)
            else:
                sh.write_blank(r, 3, None, f.text)
            widths[3] = min(max(widths[3], text_width(b.group)), GROUP_WIDTH)
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
    # Print: a table too wide to print legibly on one page is split into parts, each repeating
    # 序号/编码/名称, never inside a group of columns; the title, the line under it and the notes
    # span the first part only, so that no page break cuts them.
    final = [min(w + 1.5, 40) for w in widths]
    for c, w in enumerate(final):
        sh.set_column(c, c, w)
    sh.freeze_panes(FIRST, fixed)
    plan = print_setup(sh, header_rows=(HEAD_TOP, HEAD_BOTTOM), widths=final, font_size=10,
                       key_columns=KEY_COLUMNS, keep_together=_group_spans(cols, fixed))
    # The title and the line under it print as the page header of every page (of every part):
    # cells merged across the columns repeated on each part would print cut. On screen they are
    # the sheet's first two rows; the notes start after the repeated columns when it is split.
    heading = f"{name.split(' ', 1)[0]}  {title}"
    sh.merge_range(0, 0, 0, last_col, heading, f.title)
    info = f"制表单位：{org or '（未设置）'}    统计期间：{stats.period.label}    制表日期：{cn_date(stats.as_of)}"
    sh.merge_range(1, 0, 1, last_col, info, f.info)
    sh.set_header(f'&C&"黑体,Bold"&14{_header_text(heading)}\n&"宋体,Regular"&9{_header_text(info)}',
                  {"margin": 0.3})
    sh.set_margins(left=0.5, right=0.5, top=1.0, bottom=0.6)  # room for the two lines of the header
    start = KEY_COLUMNS if plan.breaks else 0
    span_end = plan.first_part_end if plan.breaks else last_col
    # Notes.
    r += 1
    per_line = max(40, int(sum(final[start:span_end + 1])) - 4)
    for n, text in enumerate(notes, start=1):
        text = f"注{n}：{text}" if len(notes) > 1 else f"注：{text}"
        sh.merge_range(r, start, r, span_end, text, f.note)
        sh.set_row(r, 14 * max(1, -(-text_width(text) // per_line)) + 2)
        r += 1
    sh.print_area(HEAD_TOP, 0, max(r - 1, total_row), last_col)
    return _Table(sh, name, cols, FIRST, last, total_row, returned_rows, last_col, plan, wb, fixed=fixed)


def _header_text(text: str) -> str:
    """Text safe inside a page header (an "&" starts a header code)."""
    return text.replace("&", "&&")


def _group_spans(cols: list[_Col], fixed: int) -> list[tuple[int, int]]:
    """The sheet columns of each group of figure columns under one header."""
    spans, k = [], 0
    while k < len(cols):
        j = k
        while cols[k].group and j + 1 < len(cols) and cols[j + 1].group == cols[k].group:
            j += 1
        if j > k:
            spans.append((fixed + k, fixed + j))
        k = j + 1
    return spans


def _sum_row(sh: Any, f: Formats, row: int, label: str, total: BranchStats, states: list[str], cols: list[_Col],
             fixed: int, widths: list[float], *, status: bool, rows: tuple[int, int] | None = None) -> None:
    """A 合计 (with `rows`: SUM formulas over those rows, cached with the figures) or 其中 row."""
    # The label stays within the columns repeated on every printed part (it wraps if it must).
    sh.merge_range(row, 0, row, KEY_COLUMNS - 1, label, f.t_text)
    for c in range(KEY_COLUMNS, fixed):
        sh.write_blank(row, c, None, f.t_text)
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


def _write_cell(sh: Any, r: int, c: int, col: _Col, value: Any, f: Formats) -> float:
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
        fmt = f.center if text == RETURNED else f.bad
    sh.write_string(r, c, text, fmt)
    return text_width(text)


def _chart_meetings(wb: Any, t: _Table) -> None:
    if not t.returned:
        return
    chart = wb.add_chart({"type": _chart_type(t)})
    names = [t.name, t.first, 2, t.last, 2]
    for group, header in (("支部党员大会", "次数"), ("支委会", "次数"), ("党小组会", "次数"), ("党课", "次数")):
        c = t.col(header, group)
        chart.add_series({"name": group, "categories": names, "values": [t.name, t.first, c, t.last, c],
                          "gap": 80})
    _style_chart(chart, "各支部三会一课开展次数", t, y_title="次数")
    _place_chart(t, chart, name="图1 三会一课开展次数")


def _chart_dues(wb: Any, t: _Table) -> None:
    if not t.returned:
        return
    chart = wb.add_chart({"type": _chart_type(t)})
    c = t.col("收缴率")
    chart.add_series({"name": "党费收缴率", "categories": [t.name, t.first, 2, t.last, 2],
                      "values": [t.name, t.first, c, t.last, c],
                      "data_labels": {"value": True, "num_format": "0.0%"}, "gap": 80})
    _style_chart(chart, "各支部党费收缴率", t, y_title="收缴率", legend=False,
                 value_axis={"max": 1, "num_format": "0%"})
    _place_chart(t, chart, name="图2 党费收缴率")


def _chart_pipeline(wb: Any, t: _Table) -> None:
    if not t.returned:
        return
    chart = wb.add_chart({"type": "column"})
    first, last = t.col(PIPELINE[0]), t.col(PIPELINE[-1])
    chart.add_series({"name": "人数", "categories": [t.name, HEAD_BOTTOM, first, HEAD_BOTTOM, last],
                      "values": [t.name, t.total, first, t.total, last],
                      "data_labels": {"value": True}, "gap": 60, "fill": {"color": "#C00000"}})
    _style_chart(chart, "期末发展党员队伍情况（合计）", t, y_title="人数", legend=False)
    _place_chart(t, chart, name="图3 发展党员队伍")


HORIZONTAL_FROM = 7  # from this many branches on, bars run across the page with the names beside them
PORTRAIT_FROM = 24  # from this many branches on, a chart page is upright: the bars need the height


def _chart_type(t: _Table) -> str:
    return "bar" if t.last - t.first + 1 >= HORIZONTAL_FROM else "column"


def _style_chart(chart: Any, title: str, t: _Table, *, y_title: str, legend: bool = True,
                 value_axis: dict[str, Any] | None = None) -> None:
    font = {"name": "宋体", "size": 10}
    chart.set_title({"name": title, "name_font": {"name": "黑体", "size": 13, "bold": True}})
    values = {"name": y_title, "name_font": font, "num_font": font, "min": 0,
              "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}, **(value_axis or {})}
    if _chart_type(t) == "bar" and chart.__class__.__name__ == "ChartBar":
        # Branches down the page in table order (the first at the top), the value axis below.
        chart.set_y_axis({"num_font": font, "reverse": True, "crossing": "max"})
        chart.set_x_axis(values)
    else:
        chart.set_x_axis({"num_font": font})
        chart.set_y_axis(values)
    if legend:
        chart.set_legend({"position": "top", "font": font})
    else:
        chart.set_legend({"none": True})


def _place_chart(t: _Table, chart: Any, *, name: str) -> None:
    """Put the chart on a chart sheet of its own right after its table: it prints as one whole
    A4 page (landscape; portrait when the branches are so many that their bars need the height),
    so no page break can cut it and no table header stands above it."""
    sheet = t.workbook.add_chartsheet(name)
    sheet.set_chart(chart)
    if t.last - t.first + 1 > PORTRAIT_FROM:
        sheet.set_portrait()
    else:
        sheet.set_landscape()
    sheet.set_paper(9)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer(f"&C{name}")
