"""What each report template is filled with: plain data built from the statistics and the returns.

Every figure comes from `statistics.Stats` (the same numbers as 统计表.xlsx and `taizhang stats`);
the narrative comes from the branches' 年度小结 sheets. Values are already written the way such
documents write them (counts as 12, money as 3,456.50, rates as 98.5%), so that a template holds
only plain placeholders a user can move around in Word. Where the ledgers have nothing to say a
sentence says so, and what a person must write is marked 【待补充】; nothing is invented.

The result of `branch_context` / `committee_context` is a dict of str, int, bool, lists and dicts,
plus `Chart` values (PNG bytes) that the renderer turns into pictures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from taizhang.party import frequency
from taizhang.party.calendar import cn_date
from taizhang.party.members import Roster, committee_min
from taizhang.party.periods import QUARTER, QUARTER_NAMES, YEAR, YEARS, Period
from taizhang.problems import Problem, Severity
from taizhang.records import BranchReturn
from taizhang.reports import charts
from taizhang.reports.kinds import ReportKind
from taizhang.statistics.model import (
    AGE_BANDS,
    PIPELINE,
    UNKNOWN,
    BranchStats,
    Compliance,
    Stats,
    percent_text,
)
from taizhang.vocabulary import LATE, LEFT_OUT, MISSING, NEEDS_FIX, RETURNED

TO_BE_FILLED = "【待补充】"
ZERO = Decimal(0)

# Characters that cannot appear in a Word document (XML 1.0), and those docxtpl would turn into
# breaks, tabs or page breaks; text from a branch never carries either into a report.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# A point's own numbering ("1.", "（一）", "一、") where it is quoted out of its list.
_LIST_MARK = re.compile(r"^\s*(?:\d+\s*[.．、]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*")


@dataclass
class Chart:
    """A picture for a report: PNG bytes and the width it is shown at."""

    png: bytes
    title: str
    width_mm: float = charts.WIDTH_MM

    def __bool__(self) -> bool:
        return bool(self.png)


@dataclass
class ReportInputs:
    """Everything the context builders read, gathered once per report run."""

    org: str
    stats: Stats
    returns: Mapping[str, dict[int, BranchReturn]]  # code -> year -> current return (loaded when asked)
    problems: dict[str, list[Problem]]  # code -> current problems of the period's last year
    branches: dict[str, Any]  # code -> branches.Branch (secretary, contact …)
    as_of: date
    report_date: date
    deadline: date | None = None
    settings: Any = None  # the workspace's Settings (the frequency requirements, the committee threshold)
    round_year: int | None = None  # the workspace's collection round
    contact: str = ""
    phone: str = ""
    unit_name: str = ""  # the unit of the tree the report is for ("" = the whole workspace)


# --- writing numbers and names ---------------------------------------------------------------
def clean_text(value: Any) -> str:
    """Text from a ledger made safe for a report: no control characters, no line breaks, trimmed."""
    text = "" if value is None else str(value)
    text = _ILLEGAL.sub("", text).replace("\t", " ")
    return _LINE_BREAKS.sub(" ", text).strip()


def paragraphs(value: Any) -> list[str]:
    """A 年度小结 cell split into paragraphs (one per line written), control characters removed."""
    text = "" if value is None else _ILLEGAL.sub("", str(value)).replace("\t", " ")
    return [p.strip() for p in _LINE_BREAKS.split(text) if p.strip()]


def money(value: Decimal | None) -> str:
    """3,456.50 (two decimals, thousands separated); "0.00" for None."""
    return f"{(value if value is not None else ZERO):,.2f}"


def rate(value: Decimal | None) -> str:
    """A rate as a document writes it: 100%, 98.5%, or 无应交 when nothing was due."""
    return percent_text(value, cap=True) if value is not None else "—"


def name_list(names: Sequence[str], *, limit: int = 8, unit: str = "") -> str:
    """Names joined with 、, shortened to the first `limit` and 等N个<unit> when longer."""
    names = [n for n in names if n]
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + f"等{len(names)}{unit}"


def _counted(items: Iterable[tuple[str, int]], unit: str) -> str:
    return "、".join(f"{label}{n}{unit}" for label, n in items if n)


def signer_of(name: str, has_committee: bool) -> str:
    """The signing body of a branch: 中共<支部名称>委员会 with a committee, 中共<支部名称> without."""
    body = name if name.startswith("中共") else f"中共{name}"
    if has_committee and not body.endswith("委员会"):
        body += "委员会"
    return body


# --- the period --------------------------------------------------------------------------------
def period_context(period: Period, snapshot: date) -> dict[str, Any]:
    """Words for the period: its label, its span (全年 / 本季度 / 三年来), its quarter and the next."""
    first = period.start.year
    data: dict[str, Any] = {
        "label": period.label, "kind": period.kind, "year": period.end.year, "first_year": first,
        "start": cn_date(period.start), "end": cn_date(period.end),
        "snapshot": cn_date(snapshot), "years": len(period.years),
        "next_year": period.end.year + 1, "quarter": "", "next_quarter": "",
    }
    if period.kind == QUARTER:
        q = (period.start.month + 2) // 3
        data["quarter"] = f"第{QUARTER_NAMES[q - 1]}季度"
        data["next_quarter"] = (f"第{QUARTER_NAMES[q]}季度" if q < 4
                                else f"{period.start.year + 1}年第一季度")
        data["span"] = "本季度"
    elif period.kind == YEARS:
        n = len(period.years)
        data["span"] = f"{'两' if n == 2 else _chinese_number(n)}年来"
    elif period.kind == YEAR:
        data["span"] = "全年"
    else:
        data["span"] = f"{period.label}"
    return data


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九十"
    if n <= 10:
        return digits[n]
    if n < 20:
        return "十" + digits[n - 10]
    return str(n)


# --- one branch's figures ----------------------------------------------------------------------
def _members(b: BranchStats) -> dict[str, Any]:
    m = b.membership
    if m is None:
        return {"total": 0, "full": 0, "probationary": 0, "male": 0, "female": 0,
                "age_text": "", "education_text": "", "unknown_gender": 0}
    age = _counted(((a, m.by_age.get(a, 0)) for a in AGE_BANDS), "名")
    edu = _counted(((e, n) for e, n in m.by_education.items() if e != UNKNOWN), "名")
    if m.by_education.get(UNKNOWN):
        edu += ("、" if edu else "") + f"学历未填{m.by_education[UNKNOWN]}名"
    return {"total": m.total, "full": m.full, "probationary": m.probationary,
            "male": m.by_gender.get("男", 0), "female": m.by_gender.get("女", 0),
            "unknown_gender": m.by_gender.get(UNKNOWN, 0), "age_text": age, "education_text": edu}


def _meetings(b: BranchStats, has_committee: bool) -> dict[str, Any]:
    me = b.meetings
    groups = b.rule("MEET-GROUP-M")
    has_groups = bool(me and me.group) or bool(groups and groups.applies)
    if me is None:
        return {"general": 0, "committee": 0, "committee_topics": 0, "group": 0, "lectures": 0,
                "secretary_lectures": 0, "attendance": "", "total": 0,
                "has_committee": has_committee, "has_groups": has_groups}
    return {"general": me.general, "committee": me.committee, "committee_topics": me.committee_topics,
            "group": me.group, "lectures": me.lectures, "secretary_lectures": me.secretary_lectures,
            "attendance": percent_text(me.attendance_rate) if me.attendance_rate is not None else "",
            "total": me.total, "has_committee": has_committee or me.committee > 0,
            "has_groups": has_groups}


_ACTIVITY_KEYS = {"主题党日": "theme", "组织生活会": "life_meeting", "民主评议党员": "review",
                  "谈心谈话": "talks", "集中学习研讨": "study", "参观见学": "visits",
                  "重温入党誓词": "oath", "政治生日": "birthday", "警示教育": "warning",
                  "志愿服务": "volunteer", "其他": "other"}


def _activities(b: BranchStats) -> dict[str, Any]:
    a = b.activities
    by_type = dict(a.by_type) if a else {}
    data: dict[str, Any] = {key: by_type.get(kind, 0) for kind, key in _ACTIVITY_KEYS.items()}
    talk_times = a.talk_person_times if a else 0
    parts = [f"{kind}{n}次" for kind, n in by_type.items() if n and kind not in ("谈心谈话", "其他")]
    if by_type.get("其他"):
        parts.append(f"其他活动{by_type['其他']}次")
    if talk_times:
        parts.append(f"谈心谈话{talk_times}人次")
    elif by_type.get("谈心谈话"):
        parts.append(f"谈心谈话{by_type['谈心谈话']}次")
    total = a.total if a else 0
    participants = a.participants if a else 0
    if parts:
        text = "开展" + "、".join(parts)
        if participants:
            text += f"，参加活动的党员共计{participants}人次"
        text += "。"
    else:
        text = "台账中没有组织生活的记录。"
    data.update(talk_times=talk_times, total=total, participants=participants, text=text)
    return data


def _dues(b: BranchStats, *, with_names: bool = True) -> dict[str, Any]:
    d = b.dues
    if d is None:
        return {"due": money(None), "paid": money(None), "rate": "—", "arrears_count": 0,
                "arrears_names": "", "members": 0, "full_rate": False, "any_due": False}
    return {"due": money(d.due), "paid": money(d.paid), "rate": d.rate_display if d.rate is not None else "—",
            "arrears_count": d.arrears_count,
            "arrears_names": name_list(d.arrears, limit=10, unit="名") if with_names else "",
            "members": d.members, "any_due": d.due_exact > 0,
            "full_rate": d.rate is not None and d.rate >= 100}


def _recruitment(b: BranchStats) -> dict[str, Any]:
    r = b.recruitment
    keys = ("applicants", "activists", "candidates", "probationary")
    if r is None:
        return {"applied": 0, "activists": 0, "candidates": 0, "admitted": 0, "confirmed": 0,
                "any": False, "pipeline": dict.fromkeys(keys, 0), "pipeline_any": False}
    pipe = {k: r.pipeline.get(stage, 0) for k, stage in zip(keys, PIPELINE)}
    steps = (r.applied, r.activists, r.candidates, r.admitted, r.confirmed)
    return {"applied": r.applied, "activists": r.activists, "candidates": r.candidates,
            "admitted": r.admitted, "confirmed": r.confirmed, "any": any(steps),
            "pipeline": pipe, "pipeline_any": any(pipe.values())}


def _verdict(c: Compliance) -> str:
    if not c.applies:
        return f"不适用（{c.reason}）" if c.reason else "不适用"
    if c.met:
        return "达标"
    return f"未达标（{_short_units(c.short)}）" if c.short else "未达标"


def _short_units(units: Sequence[str]) -> str:
    """"2025年1月、2025年3月" → "1月、3月" when all are in one year (shorter, as people write)."""
    years = {u[:5] for u in units if re.match(r"^\d{4}年", u)}
    if len(years) == 1 and all(re.match(r"^\d{4}年.+", u) for u in units):
        return "、".join(u[5:] for u in units)
    return "、".join(units)


def compliance_context(b: BranchStats) -> dict[str, Any]:
    """The frequency rules: a table row each, and what fell short in words."""
    rows = [{"title": c.title, "required": c.required if c.applies else "—",
             "held": c.held if c.applies else "—", "verdict": _verdict(c)} for c in b.compliance]
    short = [c for c in b.compliance if c.applies and not c.met]
    applying = [c for c in b.compliance if c.applies]
    if not applying:
        summary = "本期间还没有已结束的月份或季度，暂不评价组织生活次数。"
    elif not short:
        summary = f"对照规定的次数，{len(applying)}项组织生活制度均已落实。"
    else:
        summary = (f"对照规定的次数，{len(applying)}项组织生活制度中有{len(short)}项未达到要求："
                   + "、".join(c.title.split("（")[0] for c in short) + "。")
    return {"rows": rows, "summary": summary, "short_count": len(short), "met_all": bool(applying) and not short,
            "applies": bool(applying)}


def _shortfall_sentence(c: Compliance) -> str:
    name = c.title.split("（")[0]
    rule = c.title[len(name):].strip("（）")
    units = _short_units(c.short)
    if c.rule_id == "MEET-LECTURE-SEC":
        return f"{name}：按规定{rule}，台账中书记讲党课{c.held}次，未达到要求。"
    return f"{name}：按规定{rule}，应达到{c.required}次，实际{c.held}次，{units}未达到要求。"


def findings(b: BranchStats, problems: Sequence[Problem], *, current_round: bool, label: str = "") -> list[str]:
    """What the ledger itself shows needs improving: frequency shortfalls, dues in arrears, errors
    still open in the current return; each sentence starts with `label` (the year, in a term)."""
    out = [label + _shortfall_sentence(c) for c in b.short]
    d = b.dues
    if d is not None and d.arrears_count:
        names = name_list(d.arrears, limit=10, unit="名")
        out.append(f"{label}党费收缴：{d.arrears_count}名党员（{names}）有已到期的月份未交纳党费，收缴率{d.rate_display}。")
    if current_round and problems:
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
        if errors or warnings:
            parts = [f"{errors}处错误" if errors else "", f"{warnings}处警告" if warnings else ""]
            out.append(f"{label}台账填报：检查发现{'、'.join(p for p in parts if p)}，需要对照反馈表逐项核对改正。")
    return out


def summary_context(form: dict[str, Any] | None) -> dict[str, Any]:
    """The 年度小结: its three texts as paragraphs (【待补充】 where the branch wrote nothing)."""
    form = form or {}
    data: dict[str, Any] = {}
    for key in ("highlights", "problems", "plans"):
        paras = paragraphs(form.get(key))
        data[key] = paras or [TO_BE_FILLED]
        data[f"{key}_written"] = bool(paras)
    data["filler"] = clean_text(form.get("filler"))
    data["secretary"] = clean_text(form.get("secretary"))
    filled = form.get("filled_date")
    data["filled_date"] = cn_date(filled) if isinstance(filled, date) else ""
    return data


def _secretary(code: str, inputs: ReportInputs, b: BranchStats, year: int) -> str:
    """Who signs as 书记: the name the 年度小结 gives, else the roster's 书记, else the branch list's."""
    ret = inputs.returns.get(code, {}).get(year)
    if ret is not None:
        named = clean_text(ret.form("summary").get("secretary"))
        if named:
            return named
        found = Roster.build(ret).secretaries(min(inputs.stats.snapshot, date(year, 12, 31)))
        if found:
            return clean_text(found[0].name)
    branch = inputs.branches.get(code)
    return clean_text(getattr(branch, "secretary", "") or b.secretary)


def branch_figures(b: BranchStats, inputs: ReportInputs) -> dict[str, Any]:
    """The figures of one branch (or a total) in report wording."""
    has_committee = b.has_committee
    return {
        "members": _members(b), "meetings": _meetings(b, has_committee), "activities": _activities(b),
        "dues": _dues(b), "recruitment": _recruitment(b), "compliance": compliance_context(b),
        "has_committee": has_committee,
    }


def next_quarter_plan(period: Period, settings: Any, has_committee: bool, has_groups: bool) -> list[str]:
    """What the rules require in the quarter after `period`: the meetings to hold, in words."""
    q = (period.start.month + 2) // 3
    nxt = q + 1 if q < 4 else 1
    items = []

    def per(rule_id: str) -> int:
        return frequency.BY_ID[rule_id].per_unit(settings)

    gm, cm, gr, lec, theme = (per("MEET-GM-Q"), per("MEET-CMTE-M"), per("MEET-GROUP-M"), per("MEET-LECTURE-Q"),
                              per("LIFE-THEME-M"))
    parts = []
    if gm > 0:
        parts.append(f"支部党员大会至少{gm}次")
    if has_committee and cm > 0:
        parts.append(f"支委会至少{3 * cm}次（每月{cm}次）")
    if has_groups and gr > 0:
        parts.append(f"各党小组每月召开党小组会{gr}次")
    if lec > 0:
        parts.append(f"党课至少{lec}次")
    if parts:
        items.append("按照“三会一课”制度，召开" + "、".join(parts) + "。")
    if theme > 0:
        items.append(f"每月开展主题党日{theme}次，共{3 * theme}次。")
    if nxt == 4:
        yearly = []
        if per("LIFE-OLM-Y") > 0:
            yearly.append("组织生活会")
        if per("LIFE-REVIEW-Y") > 0:
            yearly.append("民主评议党员")
        if yearly:
            items.append("做好年底召开" + "和".join(yearly) + "的准备，按期完成。")
    if nxt == 1:
        items.append("年初核定党员的党费交纳基数，制定本年度支部工作计划和学习计划。")
    return items


# --- branch reports ----------------------------------------------------------------------------
def branch_context(inputs: ReportInputs, kind: ReportKind, code: str) -> dict[str, Any]:
    """The context of a branch report (annual, quarterly, term, secretary's) for branch `code`.

    Raises KeyError when the branch is not on the list; the caller checks that it returned."""
    stats = inputs.stats
    b = stats.branch(code)
    if b is None:
        raise KeyError(code)
    period = stats.period
    year = period.end.year
    last_year_with_return = max(b.years_returned) if b.years_returned else year
    ret = inputs.returns.get(code, {}).get(last_year_with_return)
    figures = branch_figures(b, inputs)
    secretary = _secretary(code, inputs, b, last_year_with_return)
    current_round = inputs.round_year in period.years
    superior = _superior(stats, b) or inputs.org
    ctx: dict[str, Any] = {
        "kind": kind.name,
        "org": clean_text(superior) or TO_BE_FILLED,
        "branch": {"code": code, "name": clean_text(b.name), "secretary": secretary or TO_BE_FILLED},
        "signer": signer_of(clean_text(b.name), figures["has_committee"]),
        "report_date": cn_date(inputs.report_date),
        "period": period_context(period, stats.snapshot),
        "summary": summary_context(ret.form("summary") if ret else None),
        "findings": findings(b, inputs.problems.get(code, []), current_round=current_round),
        "plan": [],
        "committee_min": committee_min(inputs.settings),
        **figures,
    }
    if period.kind == QUARTER:
        ctx["plan"] = next_quarter_plan(period, inputs.settings, figures["has_committee"],
                                        figures["meetings"]["has_groups"])
    ctx["years"] = _term_years(stats, code, inputs) if period.kind == YEARS else []
    ctx["term_total"] = _term_row("合计", b, inputs)
    ctx["missing_years"] = "、".join(f"{y}年" for y in period.years if y not in b.years_returned)
    if period.kind == YEARS:
        _term_context(ctx, stats, b, inputs)
    return ctx


def years_text(years: Sequence[int]) -> str:
    """"2025年", "2024年和2025年", "2021年、2022年和2024年"."""
    names = [f"{y}年" for y in sorted(years)]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "和" + names[-1]


def _term_context(ctx: dict[str, Any], stats: Stats, b: BranchStats, inputs: ReportInputs) -> None:
    """A term report's own words: the years its totals cover, the stocks labelled with the year
    they are from, and every compliance finding naming its year."""
    period = stats.period
    covered = [y for y in period.years if y in b.years_returned]
    if covered and len(covered) < len(period.years):
        ctx["period"]["span"] = years_text(covered)
    total = ctx["term_total"]
    if b.returned and b.stock_year is not None:
        snapshot = stats.per_year[b.stock_year].snapshot
        ctx["period"]["snapshot"] = cn_date(snapshot)
        when = f"{b.stock_year}年底" if snapshot == date(b.stock_year, 12, 31) else cn_date(snapshot)
        total["members"] = f"{total['members']}（{when}）"
        if any(isinstance(row["committee"], int) for row in ctx["years"]):
            total["committee"] = b.meetings.committee if b.meetings else 0
    parts, found = [], []
    for year in period.years:
        yb = stats.per_year[year].branch(b.code)
        if yb is None or not yb.returned:
            parts.append(f"{year}年未报送台账")
            continue
        applying = [c for c in yb.compliance if c.applies]
        short = [c.title.split("（")[0] for c in yb.short]
        if not applying:
            parts.append(f"{year}年还没有已结束的月份或季度，暂不评价")
        elif not short:
            parts.append(f"{year}年{len(applying)}项组织生活制度均已落实")
        else:
            parts.append(f"{year}年{len(applying)}项中有{len(short)}项未达到要求（{'、'.join(short)}）")
        last = year == period.years[-1]
        found += findings(yb, inputs.problems.get(b.code, []) if last else [],
                          current_round=last and inputs.round_year == year, label=f"{year}年")
    ctx["compliance"]["summary"] = "对照规定的次数，" + "；".join(parts) + "。"
    ctx["findings"] = found


_TERM_KEYS = ("members", "general", "committee", "group", "lectures", "theme", "life_meeting", "review",
              "talk_times", "due", "paid", "rate", "admitted", "confirmed")


def _superior(stats: Stats, b: BranchStats) -> str:
    """The name of the 党总支 (党委) a branch is directly under, "" when it is under the workspace."""
    if not b.parent:
        return ""
    if b.parent == stats.unit:
        return stats.unit_name
    return next((g.name for g in stats.groups if g.code == b.parent), "")


def _term_row(label: str, b: BranchStats | None, inputs: ReportInputs) -> dict[str, Any]:
    """One row of a term report's tables: a year (or the total) of one branch, flat."""
    if b is None or not b.returned:
        return {"year": label, "returned": False, **dict.fromkeys(_TERM_KEYS, "—"), "members": MISSING}
    f = branch_figures(b, inputs)
    me, ac, du, rc = f["meetings"], f["activities"], f["dues"], f["recruitment"]
    return {"year": label, "returned": True, "members": f["members"]["total"], "general": me["general"],
            "committee": me["committee"] if me["has_committee"] else "—", "group": me["group"],
            "lectures": me["lectures"], "theme": ac["theme"], "life_meeting": ac["life_meeting"],
            "review": ac["review"], "talk_times": ac["talk_times"], "due": du["due"], "paid": du["paid"],
            "rate": du["rate"], "admitted": rc["admitted"], "confirmed": rc["confirmed"]}


def _term_years(stats: Stats, code: str, inputs: ReportInputs) -> list[dict[str, Any]]:
    return [_term_row(f"{year}年", s.branch(code), inputs) for year, s in sorted(stats.per_year.items())]


# --- committee reports -------------------------------------------------------------------------
def _branch_row(index: int, b: BranchStats, inputs: ReportInputs) -> dict[str, Any]:
    row: dict[str, Any] = {"index": index, "name": clean_text(b.name), "code": b.code, "returned": b.returned}
    if not b.returned:
        note = LEFT_OUT if b.excluded else MISSING
        row.update(note=note, members=note)
        for key in ("general", "committee", "group", "lectures", "secretary_lectures", "theme",
                    "life_meeting", "review", "talk_times", "activities_total", "due", "paid", "rate",
                    "arrears", "applied", "activists", "candidates", "admitted", "confirmed", "verdict",
                    "short"):
            row[key] = "—"
        return row
    f = branch_figures(b, inputs)
    me, ac, du, rc = f["meetings"], f["activities"], f["dues"], f["recruitment"]
    short = [c.title.split("（")[0] for c in b.short]
    row.update(
        note="", members=f["members"]["total"], general=me["general"],
        committee=me["committee"] if me["has_committee"] else "—", group=me["group"],
        lectures=me["lectures"], secretary_lectures=me["secretary_lectures"], theme=ac["theme"],
        life_meeting=ac["life_meeting"], review=ac["review"], talk_times=ac["talk_times"],
        activities_total=ac["total"], due=du["due"], paid=du["paid"], rate=du["rate"],
        arrears=du["arrears_count"], applied=rc["applied"], activists=rc["activists"],
        candidates=rc["candidates"], admitted=rc["admitted"], confirmed=rc["confirmed"],
        verdict="达标" if not short and f["compliance"]["applies"] else (
            f"{len(short)}项未达标" if short else "—"),
        short="、".join(short),
    )
    return row


def _group_rows(stats: Stats, inputs: ReportInputs) -> list[dict[str, Any]]:
    """The 其中 rows under a table's 合计: the subtotal of every 党总支 (党委) below the report's
    unit, indented by depth."""
    rows = []
    for g in stats.groups:
        row = _branch_row(0, g.total, inputs)
        row.update(index="", name="其中：" + "　" * g.depth + clean_text(g.name))
        if g.total.returned:
            short = [b for b in stats.per_branch if b.code in g.branches and b.short]
            row["verdict"] = f"{len(short)}个支部未达标" if short else "均达标"
            row["members"] = g.total.membership.total if g.total.membership else 0
        rows.append(row)
    return rows


def _status_rows(stats: Stats, problems: dict[str, list[Problem]]) -> list[dict[str, Any]]:
    rows = []
    for i, b in enumerate(stats.per_branch, start=1):
        st = b.status
        returned = st.state != MISSING
        rows.append({
            "index": i, "name": clean_text(b.name), "code": b.code,
            "returned_at": _stamp_date(st.returned_at) if returned else "—",
            "timeliness": st.timeliness or ("—" if not returned else ""),
            "errors": st.errors if returned and st.errors is not None else "—",
            "warnings": st.warnings if returned and st.warnings is not None else "—",
            "state": st.state,
            "main": main_problems(problems.get(b.code, [])) if returned else "尚未报送台账",
        })
    return rows


def _stamp_date(stamp: str) -> str:
    try:
        return cn_date(date.fromisoformat(stamp[:10]))
    except ValueError:
        return clean_text(stamp)


def main_problems(problems: Sequence[Problem], limit: int = 3) -> str:
    """The most frequent kinds of errors and warnings of one return, in words (无 when none)."""
    from taizhang import catalog

    counts: dict[str, int] = {}
    for p in problems:
        if p.severity is Severity.INFO:
            continue
        counts[p.rule_id] = counts.get(p.rule_id, 0) + 1
    if not counts:
        return "未发现错误和警告"
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], _severity_rank(kv[0], problems), kv[0]))
    parts = []
    for rule_id, n in ranked[:limit]:
        title = catalog.RULES[rule_id].title if rule_id in catalog.RULES else rule_id
        parts.append(f"{title}{n}处")
    more = len(ranked) - limit
    return "；".join(parts) + (f"；另有其他{more}类问题" if more > 0 else "")


def _severity_rank(rule_id: str, problems: Sequence[Problem]) -> int:
    return min((p.severity.rank for p in problems if p.rule_id == rule_id), default=9)


def rule_summary(problems: dict[str, list[Problem]], stats: Stats, limit: int = 8) -> list[dict[str, Any]]:
    """The kinds of problems found over all current returns, most frequent first: title, count,
    severity and the branches concerned."""
    from taizhang import catalog

    names = {b.code: clean_text(b.name) for b in stats.per_branch}
    by_rule: dict[str, dict[str, Any]] = {}
    for code, items in problems.items():
        for p in items:
            if p.severity is Severity.INFO:
                continue
            entry = by_rule.setdefault(p.rule_id, {"count": 0, "branches": [], "rank": p.severity.rank})
            entry["count"] += 1
            entry["rank"] = min(entry["rank"], p.severity.rank)
            name = names.get(code, code)
            if name not in entry["branches"]:
                entry["branches"].append(name)
    ranked = sorted(by_rule.items(), key=lambda kv: (kv[1]["rank"], -kv[1]["count"], kv[0]))
    out = []
    for rule_id, e in ranked[:limit]:
        rule = catalog.RULES.get(rule_id)
        out.append({"rule_id": rule_id, "title": rule.title if rule else rule_id,
                    "severity": "错误" if e["rank"] == 0 else "警告", "count": e["count"],
                    "branches": name_list(e["branches"], unit="个支部"),
                    "source": rule.source if rule else ""})
    return out


def _committee_findings(stats: Stats, problems: dict[str, list[Problem]], current_round: bool) -> list[str]:
    out = []
    total = stats.total
    for c in total.compliance:
        if not c.applies or c.met:
            continue
        name, rule = c.title.split("（")[0], c.title[len(c.title.split("（")[0]):].strip("（）")
        branches = name_list(c.short, unit="个支部")
        out.append(f"{name}未全部落实。按规定{rule}，{branches}未达到要求。")
    arrears = [b for b in stats.returned if b.dues and b.dues.arrears_count]
    if arrears:
        people = sum(b.dues.arrears_count for b in arrears if b.dues)
        out.append(f"党费收缴不够及时。{name_list([clean_text(b.name) for b in arrears], unit='个支部')}"
                   f"共有{people}名党员有已到期的月份未交纳党费。")
    counts = stats.status_counts
    if current_round:
        late_or_missing = []
        if counts.get(MISSING):
            missing = [clean_text(b.name) for b in stats.per_branch if b.status.state == MISSING]
            late_or_missing.append(f"{name_list(missing, unit='个支部')}未报送台账")
        late = [clean_text(b.name) for b in stats.per_branch if b.status.on_time is False]
        if late:
            late_or_missing.append(f"{name_list(late, unit='个支部')}逾期报送")
        if late_or_missing:
            out.append("台账报送不够及时。" + "，".join(late_or_missing) + "。")
        errors = sum(1 for items in problems.values() for p in items if p.severity is Severity.ERROR)
        fix = [clean_text(b.name) for b in stats.per_branch if b.status.state == NEEDS_FIX]
        if errors:
            top = rule_summary(problems, stats, limit=3)
            kinds = "、".join(f"{r['title']}（{r['count']}处）" for r in top)
            out.append(f"台账填报质量有待提高。检查发现错误{errors}处，主要是{kinds}；"
                       f"{name_list(fix, unit='个支部')}的台账需要修改后重新报送。" if fix else
                       f"台账填报质量有待提高。检查发现错误{errors}处，主要是{kinds}。")
    return out


def _committee_plans(stats: Stats, findings_: list[str]) -> list[str]:
    plans = []
    short = stats.short_branches()
    if short:
        plans.append(f"抓好组织生活制度落实。对{name_list([clean_text(b.name) for b in short], unit='个支部')}"
                     "加强督促指导，按月检查“三会一课”和主题党日开展情况，确保达到规定次数。")
    if any(b.dues and b.dues.arrears_count for b in stats.returned):
        plans.append("加强党费收缴管理。督促欠交党费的党员按月足额交纳，对连续未交的及时谈话提醒、依规处理。")
    recruitment = stats.total.recruitment
    if recruitment is not None and any(recruitment.pipeline.values()):
        a, b, c, d = (recruitment.pipeline.get(s, 0) for s in PIPELINE)
        plans.append(f"做好发展党员工作。现有入党申请人{a}名、入党积极分子{b}名、发展对象{c}名、预备党员{d}名，"
                     "按照发展党员工作细则的程序和时限做好培养、考察、接收和转正。")
    plans.append("规范党建工作台账。按月登记会议、活动和党费收缴情况，年底前对照反馈意见完成整改。")
    return plans


# Up to this many branches a chart has a bar for each; beyond, only the lowest are drawn (a chart
# of hundreds of bars cannot be read; the tables list every branch).
CHART_ALL_UP_TO = 40
CHART_LOWEST = 30


def _bars(stats: Stats, value: Any) -> tuple[list[str], list[Any], str]:
    """Labels and values for a per-branch chart, and a note for the title: every branch, or the
    CHART_LOWEST with the lowest values (branches without a return left out) when there are many."""
    items = [(clean_text(b.name), value(b) if b.returned else None) for b in stats.per_branch]
    if len(items) <= CHART_ALL_UP_TO:
        return [n for n, _ in items], [v for _, v in items], "各支部"
    lowest = sorted((x for x in items if x[1] is not None), key=lambda x: x[1])[:CHART_LOWEST]
    return [n for n, _ in lowest], [v for _, v in lowest], f"{len(items)}个支部中最低的{len(lowest)}个支部"


def _chart_meetings(stats: Stats) -> Chart:
    short = {clean_text(b.name) for b in stats.returned if any(c.rule_id.startswith("MEET-") for c in b.short)}
    labels, values, which = _bars(stats, lambda b: b.meetings.total if b.meetings else None)
    title = f"{stats.period.label}{which}“三会一课”次数（红色：未达到规定次数）"
    highlight = [i for i, name in enumerate(labels) if name in short]
    return Chart(charts.bar_chart(title, labels, values, unit="次", highlight=highlight), title)


def _chart_dues(stats: Stats) -> Chart:
    def capped(b: BranchStats) -> Decimal | None:
        r = b.dues.rate if b.dues else None
        return min(r, Decimal(100)) if r is not None else None

    labels, values, which = _bars(stats, capped)
    low = [i for i, v in enumerate(values) if v is not None and v < 100]
    title = f"{stats.period.label}{which}党费收缴率（红色：未达到100%）"
    return Chart(charts.bar_chart(title, labels, values, unit="%", highlight=low), title)


def _chart_pipeline(stats: Stats) -> Chart:
    r = stats.total.recruitment
    counts = [r.pipeline.get(s, 0) for s in PIPELINE] if r else [0] * len(PIPELINE)
    title = f"发展党员工作情况（截至{cn_date(stats.snapshot)}）"
    return Chart(charts.pipeline_chart(list(PIPELINE), counts, title=title), title)


HIGHLIGHTS_SHOWN = 10


def _highlights(stats: Stats, inputs: ReportInputs) -> tuple[list[dict[str, str]], str]:
    """The first point of each branch's 工作亮点 (most active branches first, at most ten), and a
    note naming how many more branches wrote one."""
    items = []
    for b in sorted(stats.returned, key=_activity_count, reverse=True):
        ret = inputs.returns.get(b.code, {}).get(stats.period.end.year)
        paras = paragraphs(ret.form("summary").get("highlights")) if ret else []
        if paras:
            items.append({"name": clean_text(b.name), "text": _LIST_MARK.sub("", paras[0], count=1)})
    shown, rest = items[:HIGHLIGHTS_SHOWN], len(items) - HIGHLIGHTS_SHOWN
    more = f"其余{rest}个支部的做法见各支部的年度工作报告。" if rest > 0 else ""
    return shown, more


def _activity_count(b: BranchStats) -> int:
    """三会一课 and 组织生活 held: how branches are ranked in the committee report."""
    return (b.meetings.total if b.meetings else 0) + (b.activities.total if b.activities else 0)


def committee_context(inputs: ReportInputs, kind: ReportKind) -> dict[str, Any]:
    """The context of a committee report (年度党建工作总结, 台账检查情况通报)."""
    stats = inputs.stats
    period = stats.period
    total = stats.total
    figures = branch_figures(total, inputs)
    figures["dues"] = _dues(total, with_names=False)
    current_round = inputs.round_year in period.years
    counts = stats.status_counts
    listed = len(stats.per_branch)
    returned = [b for b in stats.per_branch if b.status.state != MISSING]
    on_time = [b for b in returned if b.status.on_time is True]
    late = [b for b in returned if b.status.on_time is False]
    missing = [b for b in stats.per_branch if b.status.state == MISSING]
    needs_fix = [b for b in stats.per_branch if b.status.state == NEEDS_FIX]
    errors = sum(1 for items in inputs.problems.values() for p in items if p.severity is Severity.ERROR)
    warnings = sum(1 for items in inputs.problems.values() for p in items if p.severity is Severity.WARNING)
    rows = [_branch_row(i, b, inputs) for i, b in enumerate(stats.per_branch, start=1)]
    total_row = _branch_row(0, total, inputs) if total.returned else {k: "—" for k in rows[0]} if rows else {}
    total_row.update(name="合计", index="")
    if total.returned:
        total_row["verdict"] = f"{len(stats.short_branches())}个支部未达标" if stats.short_branches() else "均达标"
    highlights, more = _highlights(stats, inputs)
    found = _committee_findings(stats, inputs.problems, current_round)
    rules = rule_summary(inputs.problems, stats)
    ranked = [clean_text(b.name) for b in sorted(stats.returned, key=_activity_count, reverse=True)]
    org = clean_text(inputs.unit_name or inputs.org) or TO_BE_FILLED
    ctx: dict[str, Any] = {
        "kind": kind.name,
        "org": org,
        "signer": org if org.startswith(("中共", TO_BE_FILLED)) else f"中共{org}委员会",
        "report_date": cn_date(inputs.report_date),
        "as_of": cn_date(inputs.as_of),
        "deadline": cn_date(inputs.deadline) if inputs.deadline else TO_BE_FILLED,
        "period": period_context(period, stats.snapshot),
        "counts": {
            "branches": listed, "returned": len(returned), "on_time": len(on_time), "late": len(late),
            "missing": len(missing), "needs_fix": len(needs_fix), "counted": len(stats.returned),
            "errors": errors, "warnings": warnings, "short": len(stats.short_branches()),
            "groups": sum(1 for g in stats.groups if g.depth == 0),
            "state": {k: counts.get(k, 0) for k in (RETURNED, LATE, NEEDS_FIX, MISSING)},
        },
        "names": {
            "on_time": name_list([clean_text(b.name) for b in on_time], limit=30) or "无",
            "late": name_list([clean_text(b.name) for b in late], limit=30) or "无",
            "missing": name_list([clean_text(b.name) for b in missing], limit=30) or "无",
            "needs_fix": name_list([clean_text(b.name) for b in needs_fix], limit=30) or "无",
            "short": name_list([clean_text(b.name) for b in stats.short_branches()], limit=30) or "无",
            "most_active": name_list(ranked[:3]),
            "least_active": name_list(ranked[-3:][::-1]) if len(ranked) > 3 else "",
        },
        "rows": rows,
        "total_row": total_row,
        "groups": _group_rows(stats, inputs),
        "groups_text": "、".join(f"{clean_text(g.name)}所属{len(g.branches)}个" for g in stats.groups
                                if g.depth == 0),
        "status_rows": _status_rows(stats, inputs.problems),
        "rules": rules,
        "highlights": highlights,
        "highlights_more": more,
        "findings": found,
        "plans": _committee_plans(stats, found),
        "charts": {"meetings": _chart_meetings(stats), "dues": _chart_dues(stats),
                   "pipeline": _chart_pipeline(stats)},
        "round": current_round,
        "contact": clean_text(inputs.contact) or TO_BE_FILLED,
        "phone": clean_text(inputs.phone) or TO_BE_FILLED,
        "committee_min": committee_min(inputs.settings),
        **figures,
    }
    return ctx
