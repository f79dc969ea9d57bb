"""The context of the committee's reports: 党委年度党建工作总结 and 台账检查情况通报.

The 总结 puts the committee's own work first, from its own ledger (党委工作台账.xlsx: 党委会议
and their 第一议题, 理论学习中心组学习, 书记讲党课, 意识形态研判, 制度建设, 重点任务, 荣誉), then
what the branches did in sums and per member, a few branches' practices chosen by a stated rule,
the problems the ledgers show, and only plans the committee recorded (its 重点任务 not finished);
the per-branch tables and charts go to the 附件 after the signature. The 通报 lists every kind
of problem found, by severity then count, so its totals equal what it lists, and gives the
重新报送 deadline from the settings ([reports] resubmit_days).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from taizhang.party.calendar import cn_date
from taizhang.party.members import committee_min
from taizhang.problems import Problem, Severity
from taizhang.reports import charts
from taizhang.reports import narrative as nar
from taizhang.reports.figures import branch_figures, dues, rule_name, rule_text
from taizhang.reports.inputs import Chart, ReportInputs
from taizhang.reports.kinds import ReportKind
from taizhang.reports.words import (
    TO_BE_FILLED,
    clean_text,
    name_list,
    ordinal_points,
    per_member,
    percent,
    period_context,
    points,
)
from taizhang.statistics.model import PIPELINE, BranchStats, Stats
from taizhang.vocabulary import LATE, LEFT_OUT, MISSING, NEEDS_FIX, RETURNED

DEFAULT_RESUBMIT_DAYS = 10
PRACTICES_SHOWN = 3


# --- the committee's own ledger -------------------------------------------------------------------
def _of(obj: Any, name: str, default: Any = "") -> Any:
    value = getattr(obj, name, default)
    return default if value is None else value


def _month(day: Any) -> str:
    return f"{day.month}月" if isinstance(day, date) else ""


_LEVELS = ("党委书记", "党委副书记", "党委委员", "党总支书记", "支部书记")
BRANCH_SECRETARY = "支部书记"


def _lectures(lectures: list[Any], stats: Stats) -> list[str]:
    """书记讲党课 at every level: the committee's own from its ledger (by the level in 备注), the
    支部书记's from the branches' ledgers (where each is recorded; the committee ledger's 支部书记
    rows are not counted again)."""
    own = [m for m in lectures if clean_text(_of(m, "note")) != BRANCH_SECRETARY]
    by_level: dict[str, list[Any]] = {}
    for m in own:
        by_level.setdefault(clean_text(_of(m, "note")) or "书记", []).append(m)
    branch = stats.total.meetings.secretary_lectures if stats.total.meetings else 0
    if not own and not branch:
        return []
    order = {level: i for i, level in enumerate(_LEVELS)}
    parts = [f"{level}讲党课{len(ms)}次" for level, ms in sorted(by_level.items(), key=lambda kv: order.get(kv[0], 9))]
    if branch:
        parts.append(f"各支部书记讲党课{branch}次")
    text = f"坚持书记讲党课制度，各级党组织书记累计讲授党课{len(own) + branch}次，其中" + "、".join(parts)
    head = next((m for m in by_level.get("党委书记", []) if clean_text(_of(m, "topic"))), None)
    if head is not None:
        text += f"；党委书记{_month(_of(head, 'date', None))}讲授了{nar.quoted(clean_text(_of(head, 'topic')))}"
    return [text + "。"]


def doc_title(title: str) -> str:
    """A document's title in 书名号 (书名号 inside it become 〈〉)."""
    t = title.strip()
    if t.startswith("《") and t.endswith("》") and t.count("《") == 1:
        return t
    return "《" + t.replace("《", "〈").replace("》", "〉") + "》"


def committee_work(ledger: Any, stats: Stats) -> dict[str, Any]:
    """The committee's own work in sentences, one per kind of record ([] when nothing recorded)."""
    meetings = list(_of(ledger, "meetings", []) or [])
    documents = list(_of(ledger, "documents", []) or [])
    tasks = list(_of(ledger, "tasks", []) or [])
    honours = list(_of(ledger, "honours", []) or [])

    def kind(name: str) -> list[Any]:
        return sorted((m for m in meetings if clean_text(_of(m, "kind")) == name),
                      key=lambda m: _of(m, "date", None) or date.min)

    out: list[str] = []
    party = kind("党委会议")
    if party:
        firsts = [m for m in party if clean_text(_of(m, "first_topic"))]
        text = f"全面落实“第一议题”制度，全年召开党委会议{len(party)}次"
        if firsts:
            shown = firsts[-2:]
            text += (f"，学习“第一议题”{len(firsts)}项，如" + "、".join(
                _month(_of(m, "date", None)) + nar.quoted(clean_text(_of(m, "first_topic"))) for m in shown))
        out.append(text + "。")
    centre = kind("理论学习中心组学习")
    if centre:
        distinct: dict[str, Any] = {}
        for m in centre:  # a topic studied at several sessions: named once, at its latest
            if clean_text(_of(m, "topic")):
                distinct[clean_text(_of(m, "topic"))] = m
        topics = sorted(distinct.values(), key=lambda m: _of(m, "date", None) or date.min)[-2:]
        text = f"严格执行理论学习中心组学习制度，中心组集中学习{len(centre)}次"
        if topics:
            text += "，围绕" + "、".join(_month(_of(m, "date", None)) + nar.quoted(clean_text(_of(m, "topic")))
                                       for m in topics) + "等专题开展研讨"
        out.append(text + "。")
    out += _lectures(kind("书记讲党课"), stats)
    ideology = kind("意识形态研判")
    if ideology:
        out.append(f"落实意识形态工作责任制，专题研究、分析研判意识形态工作{len(ideology)}次。")
    if documents:
        titles = [clean_text(_of(d, "title")) for d in documents if clean_text(_of(d, "title"))]
        shown = "".join(doc_title(t) for t in titles[:3])
        out.append(f"加强制度建设，制定印发{shown}等{len(documents)}项制度文件。" if shown else
                   f"加强制度建设，制定印发制度文件{len(documents)}项。")
    if tasks:
        done = [t for t in tasks if _of(t, "progress", None) == 100]
        names = "、".join(nar.quoted(clean_text(_of(t, "name"))) for t in tasks[:3] if clean_text(_of(t, "name")))
        text = f"推进年度重点任务{len(tasks)}项" + (f"（{names}{'等' if len(tasks) > 3 else ''}）" if names else "")
        with_progress = [t for t in tasks if isinstance(_of(t, "progress", None), int)]
        if with_progress:
            avg = Decimal(sum(_of(t, "progress", 0) for t in with_progress)) / len(with_progress)
            text += f"，已完成{len(done)}项，平均完成进度{percent(avg)}"
        out.append(text + "。")
    honour_items = [nar.HonourItem(_of(h, "date", None) or None, clean_text(_of(h, "name")), clean_text(_of(h, "level")),
                                   clean_text(_of(h, "awarded_by")), clean_text(_of(h, "recipient")))
                    for h in honours if clean_text(_of(h, "name"))]
    if honour_items:
        out.append(nar.honours_sentence(honour_items))
    plans = []
    for t in tasks:
        progress = _of(t, "progress", None)
        name = clean_text(_of(t, "name"))
        if name and progress != 100:
            measures = clean_text(_of(t, "measures"))
            left = f"（目前完成{progress}%）" if isinstance(progress, int) else ""
            plans.append(f"继续推进{nar.quoted(name)}{left}" + (f"：{measures.rstrip('。')}" if measures else "") + "。")
    recorded = bool(meetings or documents or tasks or honours)
    return {"sentences": out, "text": ordinal_points(out), "recorded": recorded, "plans": plans}


# --- the branches' work, compared per member ---------------------------------------------------------
def _activity_count(b: BranchStats) -> int:
    """三会一课 and 组织生活 held."""
    return (b.meetings.total if b.meetings else 0) + (b.activities.total if b.activities else 0)


def _members(b: BranchStats) -> int:
    return b.membership.total if b.membership else 0


def per_member_ranking(stats: Stats) -> dict[str, str]:
    """Branches ranked by 三会一课 and 组织生活 held per member (a large branch is not ahead for its size)."""
    rated = [(clean_text(b.name), Decimal(_activity_count(b)) / _members(b))
             for b in stats.returned if _members(b)]
    if len(rated) < 2:
        return {"most": "", "least": ""}
    rated.sort(key=lambda x: (-x[1], x[0]))

    def text(items: Sequence[tuple[str, Decimal]]) -> str:
        return "、".join(f"{n}（人均{v.quantize(Decimal('0.1'))}次）" for n, v in items)

    k = min(3, len(rated) // 2) or 1
    return {"most": text(rated[:k]), "least": text(rated[::-1][:k])}


def _practice_score(b: BranchStats, items: list[nar.Item]) -> tuple[int, int, Decimal]:
    themes = nar.themes(items)
    kinds = sum(1 for t in themes if t in nar.THEME_KINDS)
    named = sum(1 for its in themes.values() if any(i.named for i in its))
    rate = Decimal(_activity_count(b)) / _members(b) if _members(b) else Decimal(0)
    return (kinds, named, rate)


def practices(stats: Stats, inputs: ReportInputs) -> list[dict[str, str]]:
    """A few branches' practices, chosen by rule: the branches whose records cover the most 专题类别
    (then the most themes named, then the most 三会一课 and 组织生活 per member)."""
    scored = []
    for b in stats.returned:
        returns = {y: r for y in stats.period.years if (r := inputs.returns.get(b.code, {}).get(y)) is not None}
        items = nar.items_for(returns, stats.period)
        scored.append((_practice_score(b, items), b, items, returns.get(stats.period.end.year)))
    scored.sort(key=lambda x: (x[0][0], x[0][1], x[0][2]), reverse=True)
    leads: dict[str, int] = {}
    for _, _, _, ret in scored:
        for point in (points(ret.form("summary").get("highlights")) if ret else []):
            lead = point.split("。")[0]
            leads[lead] = leads.get(lead, 0) + 1
    out = []
    used: set[str] = set()  # a title is named for one branch only
    for _, b, items, ret in scored[:PRACTICES_SHOWN]:
        sentences = []
        for section in ("study", "clean", "service", "team"):
            sentences += nar.section_sentences(items, section, n=1, used=used, named_only=True)
        written = points(ret.form("summary").get("highlights")) if ret else []
        own = [p for p in written if leads.get(p.split("。")[0], 0) == 1]  # what no other branch wrote
        parts = [s.rstrip("。") for s in sentences[:3]]
        if own:
            parts.append(own[0].rstrip("。"))
        if not parts:
            continue
        out.append({"name": clean_text(b.name), "text": "；".join(parts) + "。"})
    return out


# --- problems -------------------------------------------------------------------------------------------
def _committee_findings(stats: Stats, problems: dict[str, list[Problem]], current_round: bool) -> list[str]:
    out = []
    for c in stats.total.compliance:
        if not c.applies or c.met:
            continue
        out.append(f"{rule_name(c)}未全部落实，按规定{rule_text(c)}，{name_list(c.short, unit='个支部')}未达到要求。")
    arrears = [b for b in stats.returned if b.dues and b.dues.arrears_count]
    if arrears:
        people = sum(b.dues.arrears_count for b in arrears if b.dues)
        out.append(f"党费收缴不够及时。{name_list([clean_text(b.name) for b in arrears], unit='个支部')}"
                   f"共有{people}名党员有已到期的月份未交纳党费。")
    if current_round:
        late_or_missing = []
        missing = [clean_text(b.name) for b in stats.per_branch if b.status.state == MISSING]
        if missing:
            late_or_missing.append(f"{name_list(missing, unit='个支部')}未报送台账")
        late = [clean_text(b.name) for b in stats.per_branch if b.status.on_time is False]
        if late:
            late_or_missing.append(f"{name_list(late, unit='个支部')}逾期报送")
        if late_or_missing:
            out.append("台账报送不够及时。" + "，".join(late_or_missing) + "。")
        errors = sum(1 for items in problems.values() for p in items if p.severity is Severity.ERROR)
        if errors:
            top = rule_summary(problems, stats)[:3]
            kinds = "、".join(f"{r['title']}（{r['count']}处）" for r in top)
            out.append(f"台账填报质量有待提高。检查发现错误{errors}处，主要是{kinds}。")
    return out


# Among problems of one severity and count, those about party rules come before those about filling in.
_SUBSTANCE = ("DUES-", "REC-", "ROSTER-", "MEET-", "LIFE-", "CROSS-", "CELL-", "SHEET-", "COLUMN-")


def substance(rule_id: str) -> int:
    """How much a rule is about the party's rules rather than the form (lower first): 党费, 发展党员,
    名册, 三会一课, 组织生活, 跨表核对, then cells and sheets."""
    return next((i for i, prefix in enumerate(_SUBSTANCE) if rule_id.startswith(prefix)), len(_SUBSTANCE))


def rule_summary(problems: dict[str, list[Problem]], stats: Stats) -> list[dict[str, Any]]:
    """Every kind of problem found over the current returns (information notes left out): errors
    before warnings, then the most frequent first; title, count, severity and branches concerned."""
    from taizhang import catalog

    names = {b.code: clean_text(b.name) for b in stats.per_branch}
    by_rule: dict[tuple[str, int], dict[str, Any]] = {}
    for code, items in problems.items():
        for p in items:
            if p.severity is Severity.INFO:
                continue
            entry = by_rule.setdefault((p.rule_id, p.severity.rank), {"count": 0, "branches": []})
            entry["count"] += 1
            name = names.get(code, code)
            if name not in entry["branches"]:
                entry["branches"].append(name)
    ranked = sorted(by_rule.items(), key=lambda kv: (kv[0][1], -kv[1]["count"], substance(kv[0][0]), kv[0][0]))
    out = []
    for (rule_id, rank), e in ranked:
        rule = catalog.RULES.get(rule_id)
        out.append({"rule_id": rule_id, "title": rule.title if rule else rule_id,
                    "severity": "错误" if rank == Severity.ERROR.rank else "警告", "count": e["count"],
                    "branches": name_list(e["branches"], unit="个支部"),
                    "source": rule.source if rule else ""})
    return out


def main_problems(problems: Sequence[Problem], limit: int = 3) -> str:
    """The kinds of errors and warnings of one return, errors first then the most frequent."""
    from taizhang import catalog

    counts: dict[tuple[int, str], int] = {}
    for p in problems:
        if p.severity is Severity.INFO:
            continue
        counts[(p.severity.rank, p.rule_id)] = counts.get((p.severity.rank, p.rule_id), 0) + 1
    if not counts:
        return "未发现错误和警告"
    ranked = sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1], substance(kv[0][1]), kv[0][1]))
    parts = []
    for (_, rule_id), n in ranked[:limit]:
        title = catalog.RULES[rule_id].title if rule_id in catalog.RULES else rule_id
        parts.append(f"{title}{n}处")
    more = len(ranked) - limit
    return "；".join(parts) + (f"；另有其他{more}类问题" if more > 0 else "")


# --- tables and charts (the 附件) ----------------------------------------------------------------------
def _branch_row(index: int, b: BranchStats) -> dict[str, Any]:
    row: dict[str, Any] = {"index": index, "name": clean_text(b.name), "code": b.code, "returned": b.returned}
    keys = ("general", "committee", "group", "lectures", "secretary_lectures", "theme", "life_meeting", "review",
            "talk_times", "activities_total", "due", "paid", "rate", "arrears", "applied", "activists",
            "candidates", "admitted", "confirmed", "verdict", "short", "per_member")
    if not b.returned:
        note = LEFT_OUT if b.excluded else MISSING
        row.update(note=note, members=note, **dict.fromkeys(keys, "—"))
        return row
    f = branch_figures(b)
    me, ac, du, rc = f["meetings"], f["activities"], f["dues"], f["recruitment"]
    short = [rule_name(c) for c in b.short]
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
        short="、".join(short), per_member=per_member(_activity_count(b), _members(b)),
    )
    return row


def _group_rows(stats: Stats) -> list[dict[str, Any]]:
    """The 其中 rows under a table's 合计: the subtotal of every 党总支 (党委) below the unit."""
    rows = []
    for g in stats.groups:
        row = _branch_row(0, g.total)
        row.update(index="", name="其中：" + "　" * g.depth + clean_text(g.name))
        if g.total.returned:
            short = [b for b in stats.per_branch if b.code in g.branches and b.short]
            row["verdict"] = f"{len(short)}个支部未达标" if short else "均达标"
            row["members"] = g.total.membership.total if g.total.membership else 0
        rows.append(row)
    return rows


def _stamp_date(stamp: str) -> str:
    try:
        return cn_date(date.fromisoformat(stamp[:10]))
    except ValueError:
        return clean_text(stamp)


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


# Up to this many branches a chart has a bar for each; beyond, only the lowest are drawn.
CHART_ALL_UP_TO = 40
CHART_LOWEST = 30


def _bars(stats: Stats, value: Any) -> tuple[list[str], list[Any], str]:
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


def resubmit_by(inputs: ReportInputs) -> str:
    """The 重新报送 deadline of the 通报: the report date plus [reports] resubmit_days."""
    settings = inputs.settings
    days = DEFAULT_RESUBMIT_DAYS
    raw = getattr(settings, "reports", None) or {}
    if isinstance(raw, dict) and isinstance(raw.get("resubmit_days"), int):
        days = raw["resubmit_days"]
    return cn_date(inputs.report_date + timedelta(days=days))


def committee_signer(org: str) -> str:
    """The committee's signing body: its name as set (with 中共 … 委员会 when only a unit is given)."""
    if org.startswith(("中共", TO_BE_FILLED)):
        return org
    if org.endswith(("委员会", "党委", "党工委", "党总支", "党支部")):
        return f"中共{org}"
    return f"中共{org}委员会"


def committee_context(inputs: ReportInputs, kind: ReportKind) -> dict[str, Any]:
    """The context of a committee report (年度党建工作总结, 台账检查情况通报)."""
    stats = inputs.stats
    period = stats.period
    total = stats.total
    figures = branch_figures(total)
    figures["dues"] = dues(total, with_names=False)
    current_round = inputs.round_year in period.years
    counts = stats.status_counts
    returned = [b for b in stats.per_branch if b.status.state != MISSING]
    on_time = [b for b in returned if b.status.on_time is True]
    late = [b for b in returned if b.status.on_time is False]
    missing = [b for b in stats.per_branch if b.status.state == MISSING]
    needs_fix = [b for b in stats.per_branch if b.status.state == NEEDS_FIX]
    rules = rule_summary(inputs.problems, stats)
    errors = sum(r["count"] for r in rules if r["severity"] == "错误")
    warnings = sum(r["count"] for r in rules if r["severity"] == "警告")
    rows = [_branch_row(i, b) for i, b in enumerate(stats.per_branch, start=1)]
    total_row = _branch_row(0, total) if total.returned else ({k: "—" for k in rows[0]} if rows else {})
    total_row.update(name="合计", index="")
    if total.returned:
        total_row["verdict"] = f"{len(stats.short_branches())}个支部未达标" if stats.short_branches() else "均达标"
    found = _committee_findings(stats, inputs.problems, current_round)
    ranking = per_member_ranking(stats)
    org = clean_text(inputs.unit_name or inputs.org) or TO_BE_FILLED
    work = committee_work(inputs.committee, stats)
    members_total = _members(total)
    ctx: dict[str, Any] = {
        "kind": kind.name,
        "org": org,
        "signer": committee_signer(org),
        "report_date": cn_date(inputs.report_date),
        "as_of": cn_date(inputs.as_of),
        "deadline": cn_date(inputs.deadline) if inputs.deadline else TO_BE_FILLED,
        "resubmit_by": resubmit_by(inputs),
        "period": period_context(period, stats.snapshot),
        "counts": {
            "branches": len(stats.per_branch), "returned": len(returned), "on_time": len(on_time),
            "late": len(late), "missing": len(missing), "needs_fix": len(needs_fix), "counted": len(stats.returned),
            "errors": errors, "warnings": warnings, "kinds": len(rules), "short": len(stats.short_branches()),
            "groups": sum(1 for g in stats.groups if g.depth == 0),
            "state": {k: counts.get(k, 0) for k in (RETURNED, LATE, NEEDS_FIX, MISSING)},
        },
        "names": {
            "on_time": name_list([clean_text(b.name) for b in on_time], limit=30) or "无",
            "late": name_list([clean_text(b.name) for b in late], limit=30) or "无",
            "missing": name_list([clean_text(b.name) for b in missing], limit=30) or "无",
            "needs_fix": name_list([clean_text(b.name) for b in needs_fix], limit=30) or "无",
            "short": name_list([clean_text(b.name) for b in stats.short_branches()], limit=30) or "无",
            "most_active": ranking["most"],
            "least_active": ranking["least"],
        },
        "per_member": {
            "activities": per_member(_activity_count(total), members_total),
            "talks": per_member(figures["activities"]["talk_times"], members_total),
        },
        "work": work,
        "practices": practices(stats, inputs),
        # Chosen by the most 专题类别 recorded, then activity per member (the rule is in the README;
        # a report states only that some branches were chosen, as a writer would).
        "practices_rule": f"各支部结合自身实际，探索形成了一些特色做法，现选取{PRACTICES_SHOWN}个支部",
        "rows": rows,
        "total_row": total_row,
        "groups": _group_rows(stats),
        "groups_text": "、".join(f"{clean_text(g.name)}所属{len(g.branches)}个" for g in stats.groups
                                if g.depth == 0),
        "status_rows": _status_rows(stats, inputs.problems),
        "rules": rules,
        "findings": found,
        "plans": work["plans"],
        "charts": {"meetings": _chart_meetings(stats), "dues": _chart_dues(stats),
                   "pipeline": _chart_pipeline(stats)},
        "round": current_round,
        "contact": clean_text(inputs.contact) or TO_BE_FILLED,
        "phone": clean_text(inputs.phone) or TO_BE_FILLED,
        "committee_min": committee_min(inputs.settings),
        **figures,
    }
    return ctx
