"""The context of a branch report: 年度工作报告, 季度工作情况报告, 换届工作报告 and 书记述职报告.

The figures come from `figures`, the narrative from the branch's own records (`narrative`) and
from what the branch wrote (年度小结, 季度小结). Each kind tells its own story:

- the annual report: the branch's year by theme, its 年度小结's highlights, problems and plans;
- the quarterly report: the quarter's records and 季度小结; the next quarter's plan from what fell
  short in the quarter, then what the branch planned, then what the rules require;
- the term report: each year of the term by its highlights, thanks to the members, and
  suggestions to the next committee drawn from the term's shortfalls;
- the secretary's report: in the first person, from the secretary's own record (书记本人履职情况,
  讲党课, 谈心谈话, the meetings the secretary hosted), its problems and plans from the shortfalls
  the secretary answers for — never the annual report's text again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from taizhang.party import frequency
from taizhang.party.calendar import cn_date
from taizhang.party.members import Roster, committee_min
from taizhang.party.periods import QUARTER, QUARTER_NAMES, YEARS, Period
from taizhang.problems import Problem, Severity
from taizhang.records import BranchReturn
from taizhang.reports import narrative as nar
from taizhang.reports.figures import branch_figures, findings, rule_name, rule_text, short_units
from taizhang.reports.inputs import ReportInputs
from taizhang.reports.kinds import ReportKind
from taizhang.reports.words import (
    TO_BE_FILLED,
    clean_text,
    ordinal_points,
    paragraphs,
    percent,
    period_context,
    points,
    quarter_of,
    years_text,
)
from taizhang.statistics.model import BranchStats, Stats
from taizhang.vocabulary import MISSING

# --- the signing body ----------------------------------------------------------------------------
_ORG_SUFFIXES = ("机关委员会", "机关党委", "党工委", "工作委员会", "总支部委员会", "委员会", "党委", "党总支")


def unit_of(org: str) -> str:
    """The unit a committee belongs to: "中共青禾市交通运输局机关委员会" → "青禾市交通运输局"."""
    text = clean_text(org).removeprefix("中共")
    for suffix in _ORG_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def default_full_name(name: str, org: str, has_committee: bool) -> str:
    """The registered name a branch signs with when 支部名单 gives no 全称:
    中共<单位><支部名称，党支部→支部>委员会 with a committee, 中共<单位><支部名称> without."""
    base = clean_text(name).removeprefix("中共")
    unit = unit_of(org)
    if unit and not base.startswith(unit):
        base = unit + base
    if has_committee:
        base = base.replace("党支部", "支部")
        if not base.endswith("委员会"):
            base += "委员会"
    return "中共" + base


def signer_of(branch: Any, name: str, org: str, has_committee: bool) -> str:
    """The 落款: the branch's 全称 from 支部名单, else `default_full_name`."""
    full = clean_text(getattr(branch, "full_name", "") or "")
    return full or default_full_name(name, org, has_committee)


# --- what a branch wrote ---------------------------------------------------------------------------
def summary_context(form: dict[str, Any] | None) -> dict[str, Any]:
    """The 年度小结: its three texts as points (【待补充】 where the branch wrote nothing)."""
    form = form or {}
    data: dict[str, Any] = {}
    for key in ("highlights", "problems", "plans"):
        paras = points(form.get(key))
        data[key] = paras or [TO_BE_FILLED]
        data[f"{key}_written"] = bool(paras)
    data["filler"] = clean_text(form.get("filler"))
    data["secretary"] = clean_text(form.get("secretary"))
    filled = form.get("filled_date")
    data["filled_date"] = cn_date(filled) if isinstance(filled, date) else ""
    return data


def _int(form: dict[str, Any], key: str) -> int | None:
    value = form.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def committee_build(form: dict[str, Any], label: str = "") -> str:
    """支委会建设 from the 年度小结: the election held and the posts filled ("" when not given)."""
    parts = []
    election = clean_text(form.get("committee_election"))
    if election:
        parts.append(election.rstrip("。"))
    posts, filled = _int(form, "committee_posts"), _int(form, "committee_filled")
    if posts:
        if filled is not None and filled >= posts:
            parts.append(f"支委会职数{posts}名，已全部配齐")
        elif filled is not None:
            parts.append(f"支委会职数{posts}名，实配{filled}名，尚缺{posts - filled}名")
        else:
            parts.append(f"支委会职数{posts}名")
    return (label + "，".join(parts) + "。") if parts else ""


def quarterly_rows(ret: BranchReturn | None, quarter: int) -> dict[str, list[str]]:
    """The 季度小结 of one quarter: work, problems and plans as points ([] when not written)."""
    out: dict[str, list[str]] = {"work": [], "problems": [], "plans": []}
    if ret is None:
        return out
    name = f"第{QUARTER_NAMES[quarter - 1]}季度"
    for row in ret.rows("quarterly"):
        if clean_text(row.get("quarter")) != name:
            continue
        for key in out:
            out[key] += points(row.get(key))
    return out


# --- the secretary ---------------------------------------------------------------------------------
def secretary_name(code: str, inputs: ReportInputs, b: BranchStats, year: int) -> str:
    """Who is the 书记: the name the 年度小结 gives, else the roster's 书记, else the branch list's."""
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


def _first_person(b: BranchStats) -> tuple[list[str], list[str]]:
    """The shortfalls a secretary answers for, in the first person, and what the secretary will
    do about each: (problems, plans)."""
    problems, plans = [], []
    for c in b.short:
        if c.rule_id == "MEET-LECTURE-SEC":
            problems.append(f"带头讲党课不够，按规定{rule_text(c)}，我讲党课{c.held}次，未达到要求")
            plans.append(f"带头讲党课，按{rule_text(c)}的要求为支部党员讲好党课")
        else:
            problems.append(f"对{rule_name(c)}制度落实督促不够，{short_units(c.short)}未达到{rule_text(c)}的要求")
            plans.append(f"把{rule_name(c)}排进每月工作计划，按{rule_text(c)}的要求按时召开、及时记录")
    d = b.dues
    if d is not None and d.arrears_count:
        problems.append(f"对党费收缴提醒不够及时，{d.arrears_count}名党员有已到期的月份未交纳党费，"
                        f"收缴率{percent(d.rate)}")
        plans.append("每月提醒党员按时足额交纳党费，对未交的党员逐一谈话了解原因")
    return problems, plans


_LED = {"第一议题": "学习“第一议题”", "专题学习研讨": "开展专题学习研讨", "廉政教育": "接受廉政教育",
        "警示教育": "接受警示教育", "我为群众办实事": "推进“我为群众办实事”项目", "结对共建": "与共建单位结对共建",
        "青年宣讲": "开展青年宣讲", "志愿服务": "参加志愿服务", "急难险重任务": "参与急难险重任务",
        "参观见学": "参观见学"}


def secretary_context(ret: BranchReturn | None, items: Sequence[nar.Item], secretary: str,
                      b: BranchStats) -> dict[str, Any]:
    """The secretary's own record for the 述职, in the first person."""
    form = ret.form("summary") if ret else {}
    account = paragraphs(form.get("secretary_account"))
    mine = nar.hosted(items, secretary)
    lectures = [i for i in mine if i.kind == "党课"]
    lessons = _int(form, "secretary_lessons")
    if lessons is None:
        lessons = b.meetings.secretary_lectures if b.meetings else len(lectures)
    talks = _int(form, "secretary_talks")
    used: set[str] = set()
    chosen = nar.pick(lectures, 3, used=used)
    lessons_text = ""
    if lessons:
        lessons_text = f"我为支部党员讲党课{lessons}次"
        if chosen:
            lessons_text += "，讲授了" + nar.mentions(chosen) + "等内容"
        lessons_text += "。"
    hosted_kinds = [(k, [i for i in mine if i.kind == k]) for k in ("支委会", "支部党员大会", "党小组会")]
    hosted_parts = [f"{k}{len(v)}次" for k, v in hosted_kinds if v]
    hosted_text = ""
    if hosted_parts:
        topics = nar.pick([i for _, v in hosted_kinds for i in v], 3, used=used)
        hosted_text = "我主持召开" + "、".join(hosted_parts)
        if topics:
            hosted_text += "，研究和学习了" + nar.mentions(topics) + "等议题"
        hosted_text += "。"
    talks_text = f"我与支部党员谈心谈话{talks}人次，了解思想动态，帮助解决实际困难。" if talks else ""
    # What the secretary led the branch in: one item per 专题类别, the secretary's own first, then
    # the earliest of the year (the annual report names the most recent).
    prefer_mine = {id(i) for i in mine}
    led = []
    for theme, group in nar.themes(items).items():
        if theme not in nar.THEME_KINDS:
            continue
        ordered = sorted(group, key=lambda i: (id(i) not in prefer_mine, i.day))
        chosen = next((i for i in ordered if i.named), None)
        verb = _LED.get(theme, "开展" + theme)
        led.append(f"{verb}（{chosen.mention()}）" if chosen else verb)
    problems, plans = _first_person(b)
    return {
        "account": account or [TO_BE_FILLED], "account_written": bool(account),
        "lessons": lessons, "lessons_text": lessons_text, "hosted_text": hosted_text, "talks_text": talks_text,
        "led_text": ("我带领支部党员" + "，".join(led) + "。") if led else "",
        "problems": problems, "plans": plans,
    }


# --- remedies: what fell short, as next steps ----------------------------------------------------
def _open_problems(problems: Sequence[Problem]) -> int:
    """The errors and warnings of a return (information notes are not problems to correct)."""
    return sum(1 for p in problems if p.severity is not Severity.INFO)


def remedies(b: BranchStats, problems_count: int = 0) -> list[str]:
    """The next period's steps drawn from what fell short (shortfalls, arrears, ledger errors)."""
    out = []
    meetings = [c for c in b.short if c.rule_id != "MEET-LECTURE-SEC"]
    if meetings:
        which = "、".join(f"{rule_name(c)}（{short_units(c.short)}）" for c in meetings)
        out.append(f"补上本季度的不足：{which}未达到规定次数，要排进计划、按时召开、及时记录。")
    if any(c.rule_id == "MEET-LECTURE-SEC" for c in b.short):
        out.append("支部书记带头为党员讲党课，补上书记讲党课的不足。")
    d = b.dues
    if d is not None and d.arrears_count:
        out.append(f"督促{d.arrears_count}名有欠交月份的党员补交党费，做到按月足额交纳。")
    if problems_count:
        out.append(f"对照反馈表改正台账中的{problems_count}处问题，按时重新报送。")
    return out


def required_next_quarter(period: Period, settings: Any, has_committee: bool, has_groups: bool) -> list[str]:
    """What the rules require in the quarter after `period`: the meetings to hold, in words."""
    q = quarter_of(period)
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


# --- the term ----------------------------------------------------------------------------------
_TERM_KEYS = ("members", "general", "committee", "group", "lectures", "theme", "life_meeting", "review",
              "talk_times", "due", "paid", "rate", "admitted", "confirmed")


def _term_row(label: str, b: BranchStats | None) -> dict[str, Any]:
    """One row of a term report's tables: a year (or the total) of one branch, flat."""
    if b is None or not b.returned:
        return {"year": label, "returned": False, **dict.fromkeys(_TERM_KEYS, "—"), "members": MISSING}
    f = branch_figures(b)
    me, ac, du, rc = f["meetings"], f["activities"], f["dues"], f["recruitment"]
    return {"year": label, "returned": True, "members": f["members"]["total"], "general": me["general"],
            "committee": me["committee"] if me["has_committee"] else "—", "group": me["group"],
            "lectures": me["lectures"], "theme": ac["theme"], "life_meeting": ac["life_meeting"],
            "review": ac["review"], "talk_times": ac["talk_times"], "due": du["due"], "paid": du["paid"],
            "rate": du["rate"], "admitted": rc["admitted"], "confirmed": rc["confirmed"]}


def _suggestions(stats: Stats, b: BranchStats, inputs: ReportInputs, forms: dict[int, dict[str, Any]]) -> list[str]:
    """对下一届支部委员会的建议, each drawn from a shortfall of the term."""
    period = stats.period
    short_by_rule: dict[str, tuple[str, str, list[int]]] = {}
    arrears_years: list[int] = []
    for year in period.years:
        yb = stats.per_year[year].branch(b.code)
        if yb is None or not yb.returned:
            continue
        for c in yb.short:
            entry = short_by_rule.setdefault(c.rule_id, (rule_name(c), rule_text(c), []))
            entry[2].append(year)
        if yb.dues is not None and yb.dues.arrears_count:
            arrears_years.append(year)
    out = []
    lecture = short_by_rule.pop("MEET-LECTURE-SEC", None)
    if short_by_rule:
        by_years: dict[tuple[int, ...], list[str]] = {}  # rules that fell short in the same years, together
        for name, _, years in short_by_rule.values():
            by_years.setdefault(tuple(years), []).append(name)
        which = "，".join(f"{years_text(list(years))}{'、'.join(names)}" for years, names in by_years.items())
        out.append(f"严格落实“三会一课”等组织生活制度。任期内{which}未达到规定次数，建议新一届支委会每年年初"
                   "排出计划，按月对照台账检查落实。")
    if lecture:
        out.append(f"坚持书记带头讲党课。任期内{years_text(lecture[2])}书记讲党课未达到{lecture[1]}的要求，"
                   "建议新一届支委会年初排定书记讲党课的时间和题目。")
    if arrears_years:
        out.append(f"加强党费收缴管理。任期内{years_text(arrears_years)}有党员未按月交纳党费，建议明确专人按月提醒、"
                   "按季公示收缴情况。")
    r = b.recruitment
    if r is not None:
        if not r.applied and not any(r.pipeline.values()):
            out.append("重视发展党员工作。任期内没有收到入党申请书，也没有入党积极分子和发展对象，建议新一届支委会"
                       "主动做好业务骨干的培养引导工作。")
        elif r.applied and not r.admitted and not r.pipeline.get("发展对象"):
            out.append(f"做好发展党员的培养考察。任期内收到入党申请书{r.applied}份，但没有接收预备党员，建议按照发展党员"
                       "工作细则的程序和时限加强培养考察。")
    last = max(forms) if forms else None
    if last is not None:
        posts, filled = _int(forms[last], "committee_posts"), _int(forms[last], "committee_filled")
        if posts and filled is not None and filled < posts:
            out.append(f"配齐配强支委会。支委会职数{posts}名、实配{filled}名，建议在换届选举中选齐支部委员，"
                       "明确分工。")
    problems = _open_problems(inputs.problems.get(b.code, []))
    if inputs.round_year in period.years and problems:
        out.append(f"规范党建工作台账。{period.years[-1]}年台账检查发现{problems}处问题，建议按月登记、"
                   "专人审核，做到一事一记。")
    return out


def _no_shortfalls(b: BranchStats) -> BranchStats:
    """A branch's figures without its shortfalls and arrears (to ask `findings` for the rest)."""
    from dataclasses import replace

    return replace(b, compliance=[c for c in b.compliance if c.met or not c.applies], dues=None)


def _when(year: int, c: Any) -> str:
    """"（第四季度未达到）" — nothing for a yearly rule, whose only period is the year itself."""
    units = short_units(c.short)
    return "" if not units or units == f"{year}年" else f"（{units}未达到）"


def _term_findings(by_rule: dict[str, list[tuple[int, Any]]], arrears: list[tuple[int, BranchStats]]) -> list[str]:
    """A term's shortfalls, one point per rule with each year's figures, and one for the dues."""
    out = []
    for rule_id, items in by_rule.items():
        c0 = items[0][1]
        if rule_id == "MEET-LECTURE-SEC":
            years = "；".join(f"{y}年书记讲党课{c.held}次" for y, c in items)
            out.append(f"{rule_name(c0)}：按规定{rule_text(c0)}，{years}，未达到要求。")
        else:
            years = "；".join(f"{y}年应达到{c.required}次、实际{c.held}次" + _when(y, c) for y, c in items)
            out.append(f"{rule_name(c0)}：按规定{rule_text(c0)}，{years}。")
    if arrears:
        years = "；".join(f"{y}年{yb.dues.arrears_count}名党员有已到期的月份未交纳党费，收缴率{percent(yb.dues.rate)}"
                         for y, yb in arrears if yb.dues)
        out.append(f"党费收缴：{years}。")
    return out


def _new_point(written: Sequence[str], shown: set[str]) -> str:
    """The first point whose lead sentence no earlier year has shown ("" when none is new)."""
    for point in written:
        lead = point.split("。")[0]
        if lead not in shown:
            shown.add(lead)
            return point
    return ""


def _term_context(ctx: dict[str, Any], stats: Stats, b: BranchStats, inputs: ReportInputs,
                  returns: dict[int, BranchReturn]) -> None:
    """A term report's own words: the years its totals cover, each year's highlights, the stocks
    labelled with their year, every finding naming its year, suggestions from the shortfalls."""
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
    parts, yearly, builds, highlights = [], [], [], []
    by_rule: dict[str, list[tuple[int, Any]]] = {}
    arrears: list[tuple[int, BranchStats]] = []
    ledger_errors: list[str] = []
    used: set[str] = set()
    shown: set[str] = set()
    forms: dict[int, dict[str, Any]] = {}
    for year in period.years:
        yb = stats.per_year[year].branch(b.code)
        ret = returns.get(year)
        if yb is None or not yb.returned:
            parts.append(f"{year}年未报送台账")
            continue
        form = ret.form("summary") if ret else {}
        forms[year] = form
        applying = [c for c in yb.compliance if c.applies]
        short = [rule_name(c) for c in yb.short]
        if not applying:
            parts.append(f"{year}年还没有已结束的月份或季度，暂不评价")
        elif not short:
            parts.append(f"{year}年{len(applying)}项组织生活制度均已落实")
        else:
            parts.append(f"{year}年{len(applying)}项中有{len(short)}项未达到要求（{'、'.join(short)}）")
        last = year == period.years[-1]
        for c in yb.short:
            by_rule.setdefault(c.rule_id, []).append((year, c))
        if yb.dues is not None and yb.dues.arrears_count:
            arrears.append((year, yb))
        if last:
            errors = findings(_no_shortfalls(yb), inputs.problems.get(b.code, []),
                              current_round=inputs.round_year == year, label=f"{year}年")
            ledger_errors = [f for f in errors if "台账填报" in f]
        items = nar.items_of(ret, period.part(year))
        sentences = []
        for section in ("study", "clean", "service", "team"):
            sentences += nar.section_sentences(items, section, n=1, used=used, named_only=True)
        if sentences:
            yearly.append(f"{year}年，" + nar.joined(sentences[:4]))
        build = committee_build(form, f"{year}年，")
        if build:
            builds.append(build)
        point = _new_point(points(form.get("highlights")), shown)
        if point:
            # the branch wrote of its own year: inside a term its "全年" is that year
            highlights.append(f"{year}年：{point.replace('全年', '当年')}")
    ctx["compliance"]["summary"] = "对照规定的次数，" + "；".join(parts) + "。"
    ctx["findings"] = _term_findings(by_rule, arrears) + ledger_errors
    ctx["term"] = {
        "yearly": yearly, "builds": builds, "highlights": highlights,
        "suggestions": _suggestions(stats, b, inputs, forms),
        "honours": nar.honours_sentence([h for y in period.years for h in nar.honours_of(returns.get(y), period)]),
    }


# --- the context ---------------------------------------------------------------------------------
def _superior(stats: Stats, b: BranchStats) -> str:
    """The name of the 党总支 (党委) a branch is directly under, "" when it is under the workspace."""
    if not b.parent:
        return ""
    if b.parent == stats.unit:
        return stats.unit_name
    return next((g.name for g in stats.groups if g.code == b.parent), "")


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
    returns = {y: r for y in period.years if (r := inputs.returns.get(code, {}).get(y)) is not None}
    ret = returns.get(last_year_with_return)
    figures = branch_figures(b)
    secretary = secretary_name(code, inputs, b, last_year_with_return)
    current_round = inputs.round_year in period.years
    superior = _superior(stats, b) or inputs.org
    branch = inputs.branches.get(code)
    name = clean_text(b.name)
    items = nar.items_for(returns, period) if period.kind != YEARS else []
    form = ret.form("summary") if ret else {}
    used: set[str] = set()
    narrative = {section: nar.joined(nar.section_sentences(items, section, used=used))
                 for section in nar.SECTIONS}
    honours = [h for y in period.years for h in nar.honours_of(returns.get(y), period)]
    problems = inputs.problems.get(code, [])
    ctx: dict[str, Any] = {
        "kind": kind.name,
        "org": clean_text(superior) or TO_BE_FILLED,
        "branch": {"code": code, "name": name, "secretary": secretary or TO_BE_FILLED},
        # a committee by its full members, or by the 支委会职数 the branch registered
        "signer": signer_of(branch, name, inputs.org, figures["has_committee"] or bool(_int(form, "committee_posts"))),
        "report_date": cn_date(inputs.report_date),
        "period": period_context(period, stats.snapshot),
        "summary": summary_context(form),
        "findings": findings(b, problems, current_round=current_round),
        "narrative": narrative,
        "honours": nar.honours_sentence(honours),
        "committee_build": committee_build(form),
        "plan": [],
        "quarter": {"work": [], "problems": [], "plans": [], "written": False},
        "secretary": {},
        "term": {"yearly": [], "builds": [], "highlights": [], "suggestions": [], "honours": ""},
        "committee_min": committee_min(inputs.settings),
        **figures,
    }
    if kind.id == "secretary":
        ctx["secretary"] = secretary_context(ret, items, secretary, b)
    if period.kind == QUARTER:
        q = quarter_of(period)
        written = quarterly_rows(ret, q)
        found = ctx["findings"]
        ctx["quarter"] = {**written, "written": any(written.values()),
                          "issues": [f.rstrip("。") for f in found] + written["problems"]}
        errors = _open_problems(problems) if current_round else 0
        plan = remedies(b, errors) + written["plans"]
        plan += required_next_quarter(period, inputs.settings, figures["has_committee"],
                                      figures["meetings"]["has_groups"])
        ctx["plan"] = list(dict.fromkeys(plan))
    ctx["years"] = _years_rows(stats, code, period)
    ctx["term_total"] = _term_row("合计", b)
    ctx["missing_years"] = "、".join(f"{y}年" for y in period.years if y not in b.years_returned)
    written_problems = ctx["summary"]["problems"] if ctx["summary"]["problems_written"] else []
    if period.kind == YEARS:
        _term_context(ctx, stats, b, inputs, returns)
        # inside a term every point names its year: the ledger's findings, then what the branch
        # wrote in its last 年度小结
        ctx["issues"] = (ctx["findings"] + [f"{last_year_with_return}年：{p}" for p in written_problems]
                         or [TO_BE_FILLED])
        return ctx
    if period.kind == QUARTER:
        # a quarter's problems are the quarter's: its shortfalls and its 季度小结, never the year-end text
        ctx["issues"] = ctx["quarter"]["issues"] or [TO_BE_FILLED]
        ctx["quarter"]["issues_text"] = ordinal_points(ctx["quarter"]["issues"]) or TO_BE_FILLED
    else:
        ctx["issues"] = (written_problems + ctx["findings"]) or [TO_BE_FILLED]
    return ctx


def _years_rows(stats: Stats, code: str, period: Period) -> list[dict[str, Any]]:
    return ([_term_row(f"{y}年", s.branch(code)) for y, s in sorted(stats.per_year.items())]
            if period.kind == YEARS else [])
