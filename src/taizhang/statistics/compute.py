"""The figures the statistics workbook and every report state, computed once, as plain data.

`compute` turns the branches' returns into `Stats` for a period: per branch (in the order of the
branch list; a branch without a return is present with ``returned=False`` and no figures), the
total over branches, and for a term of several years the same per year. `load_stats` reads the
current returns from a workspace's store and calls `compute`.

Counting rules, in one place:

- Membership is counted at the snapshot day: the period's end, or `as_of` when that is earlier
  (the roster cannot know the future). A member counts from the 入党日期; a 转入 member from the
  变动日期; a 转出/停止党籍/去世 member until the day before the 变动日期. 正式 or 预备 at that
  day from the 转正日期 (the 党员类别 column when there is no date).
- Meetings, activities and recruitment steps are counted when their date falls in the period.
- Compliance with the meeting frequencies (`settings.frequency`) is counted over the part of the
  period that has passed at `as_of` (whole months, quarters and years only), unit by unit: a rule
  is met when every passed month (quarter, year) had at least the required number.
- 党费 应交 is 月应交 × the months of the period the member owed (a member admitted, or
  transferred in, during the year from that month; one transferred out, 停止党籍 or deceased
  until that month); 实交 is the sum of the month columns of the period. Money is summed exactly
  and rounded once, to 0.01 元, when it is shown."""


from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from taizhang.errors import TaizhangError
from taizhang.party.periods import Period, month_label, quarter_label
from taizhang.records import BranchReturn, Row
from taizhang.statistics.model import (
    _UNIT_NAME,
    _UNIT_WORD,
    ACTIVITY_TYPES,
    AGE_BANDS,
    EDUCATION,
    FULL,
    GENDERS,
    LEFT,
    MISSING,
    PROBATIONARY,
    RETURNED,
    RULES,
    SECRETARY,
    UNKNOWN,
    Activities,
    BranchStats,
    Compliance,
    Dues,
    ExcludedReturn,
    Meetings,
    Membership,
    Recruitment,
    ReturnStatus,
    Stats,
    _Rule,
)


# --- helpers over rows -----------------------------------------------------------------------
def _date(row: Row, key: str) -> date | None:
    v = row.get(key)
    return v if isinstance(v, date) else None


def _int(row: Row, key: str, default: int = 0) -> int:
    v = row.get(key)
    if isinstance(v, bool):
        return default
    if isinstance(v, int):
        return v
    if isinstance(v, Decimal) and v == v.to_integral_value():
        return int(v)
    return default


def _money(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _text(row: Row, key: str) -> str:
    v = row.get(key)
    return "" if v is None else str(v).strip()


def in_standing(row: Row, day: date) -> bool:
    """Whether the roster row's member belonged to the branch on `day`."""
    join = _date(row, "join_date")
    if join is not None and join > day:
        return False
    standing = _text(row, "standing") or "在册"
    change = _date(row, "change_date")
    if standing == "转入":
        return change is None or change <= day
    if standing in LEFT:
        return change is not None and change > day
    return True


def is_full(row: Row, day: date) -> bool:
    """Whether the member was a full member (正式党员) on `day`."""
    full = _date(row, "full_date")
    if full is not None:
        return full <= day
    return _text(row, "member_type") != PROBATIONARY


def age_at(birth: date, day: date) -> int:
    """Age in whole years on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_band(age: int) -> str:
    """The age band label of reports.md (≤30, 31–40, 41–50, 51–60, >60)."""
    if age <= 30:
        return AGE_BANDS[0]
    if age <= 40:
        return AGE_BANDS[1]
    if age <= 50:
        return AGE_BANDS[2]
    if age <= 60:
        return AGE_BANDS[3]
    return AGE_BANDS[4]


@dataclass(frozen=True)
class Vocabulary:
    """The enum values used as table columns (from the ledger definitions in force)."""

    activity_types: tuple[str, ...] = ACTIVITY_TYPES
    education: tuple[str, ...] = EDUCATION

    @classmethod
    def from_definitions(cls, definitions: Any) -> Vocabulary:
        """The vocabulary of a WorkbookDefinition (falling back to the shipped values)."""
        acts, edu = ACTIVITY_TYPES, EDUCATION
        try:
            acts = tuple(definitions.ledger("activities").column("activity_type").values) or acts
        except (KeyError, AttributeError):
            pass
        try:
            edu = tuple(definitions.ledger("roster").column("education").values) or edu
        except (KeyError, AttributeError):
            pass
        return cls(acts, edu)


@lru_cache(maxsize=1)
def _shipped_vocabulary() -> Vocabulary:
    from taizhang.workspace.definitions import load_definitions

    try:
        return Vocabulary.from_definitions(load_definitions())
    except TaizhangError:
        return Vocabulary()


# --- one branch, one year --------------------------------------------------------------------
def _membership(roster: list[Row], day: date, vocab: Vocabulary) -> Membership:
    m = Membership(
        by_gender={g: 0 for g in (*GENDERS, UNKNOWN)},
        by_age={a: 0 for a in (*AGE_BANDS, UNKNOWN)},
        by_education={e: 0 for e in (*vocab.education, UNKNOWN)},
    )
    for row in roster:
        if not in_standing(row, day):
            continue
        m.total += 1
        if is_full(row, day):
            m.full += 1
        else:
            m.probationary += 1
        gender = _text(row, "gender")
        m.by_gender[gender if gender in m.by_gender else UNKNOWN] += 1
        birth = _date(row, "birth_date")
        m.by_age[age_band(age_at(birth, day)) if birth else UNKNOWN] += 1
        edu = _text(row, "education")
        if edu and edu not in m.by_education:
            m.by_education[edu] = 0
        m.by_education[edu or UNKNOWN] += 1
    return m


def _secretaries(roster: list[Row], day: date, fallback: str) -> set[str]:
    posts = [r for r in roster if _text(r, "party_post") == SECRETARY and _text(r, "name")]
    current = {_text(r, "name") for r in posts if in_standing(r, day)}
    names = current or {_text(r, "name") for r in posts}
    if not names and fallback:
        names = {fallback.strip()}
    return names


def _meetings(rows: list[Row], period: Period, secretaries: set[str]) -> Meetings:
    m = Meetings()
    for row in rows:
        if not period.contains(_date(row, "date")):
            continue
        kind = _text(row, "meeting_type")
        if kind == "支部党员大会":
            m.general += 1
            present, expected = row.get("present"), row.get("expected")
            if isinstance(present, int) and isinstance(expected, int) and expected > 0:
                m.general_present += present
                m.general_expected += expected
        elif kind == "支委会":
            m.committee += 1
            m.committee_topics += max(_int(row, "topic_count", 1), 0) if "topic_count" not in row.invalid else 1
        elif kind == "党小组会":
            m.group += 1
        elif kind == "党课":
            m.lectures += 1
            if _text(row, "host") in secretaries:
                m.secretary_lectures += 1
    return m


def _activities(rows: list[Row], period: Period, vocab: Vocabulary) -> Activities:
    a = Activities(by_type={t: 0 for t in vocab.activity_types})
    for row in rows:
        if not period.contains(_date(row, "date")):
            continue
        kind = _text(row, "activity_type") or "其他"
        a.by_type[kind] = a.by_type.get(kind, 0) + 1
        people = max(_int(row, "participants"), 0)
        a.participants += people
        if kind == "谈心谈话":
            a.talk_person_times += people
    return a


def owed_months(roster_row: Row | None, year: int, settings: Any) -> tuple[int, int] | None:
    """The first and last month of `year` a member owed dues (None when none): from admission
    (or transfer in) during the year, until the month of leaving (转出, 停止党籍, 去世)."""
    first, last = 1, 12
    if roster_row is None:
        return first, last
    join = _date(roster_row, "join_date")
    if join is not None:
        if join.year > year:
            return None
        if join.year == year and settings.dues.get("probation_from_admission", True):
            first = join.month
    standing = _text(roster_row, "standing")
    change = _date(roster_row, "change_date")
    if change is not None and standing == "转入":
        if change.year > year:
            return None
        if change.year == year:
            first = max(first, change.month)
    if standing in LEFT and change is not None:
        if change.year < year:
            return None
        if change.year == year:
            last = change.month
    return (first, last) if first <= last else None


def _dues(rows: list[Row], roster: list[Row], year: int, months: list[int], passed: set[int],
          settings: Any) -> Dues:
    by_name: dict[str, Row] = {}
    for r in roster:
        by_name.setdefault(_text(r, "name"), r)
    d = Dues()
    arrears: list[str] = []
    for row in rows:
        name = _text(row, "name")
        d.members += 1
        span = owed_months(by_name.get(name), year, settings)
        owed = [m for m in months if span and span[0] <= m <= span[1]]
        monthly = _money(row.get("monthly_due")) if "monthly_due" not in row.invalid else None
        if monthly is not None and monthly > 0:
            d.due_exact += monthly * len(owed)
        paid = {m: _money(row.get(f"m{m}")) for m in months}
        for value in paid.values():
            if value is not None:
                d.paid_exact += value
        if any(m in passed and not paid.get(m) for m in owed) and (monthly is None or monthly > 0):
            arrears.append(name or f"第{row.excel_row}行")
    d.arrears = arrears
    d.arrears_count = len(arrears)
    return d


_STEPS = (("applied", "applied"), ("activist", "activists"), ("candidate", "candidates"),
          ("admitted", "admitted"), ("confirmed", "confirmed"))


def stage_at(row: Row, day: date) -> str | None:
    """The recruitment stage of a person on `day`, from the dates (None before applying)."""
    def on(key: str) -> bool:
        d = _date(row, key)
        return d is not None and d <= day

    if on("confirmed"):
        return FULL
    if on("admitted"):
        return "预备党员"
    if on("candidate"):
        return "发展对象"
    if on("activist"):
        return "入党积极分子"
    if on("applied"):
        return "入党申请人"
    return None


def _recruitment(rows: list[Row], period: Period, day: date) -> Recruitment:
    r = Recruitment()
    for row in rows:
        for key, attr in _STEPS:
            if period.contains(_date(row, key)):
                setattr(r, attr, getattr(r, attr) + 1)
        stage = stage_at(row, day)
        if stage in r.pipeline:
            r.pipeline[stage] += 1
    return r


def _person_key(row: Row) -> tuple[str, str]:
    birth = _date(row, "birth_date") or _date(row, "applied")
    return _text(row, "name"), birth.isoformat() if birth else ""


def _unit_periods(elapsed: Period, unit: str) -> list[tuple[str, Period]]:
    if unit == "month":
        return [(month_label(y, m), Period.months_between((y, m), (y, m))) for y, m in elapsed.months()]
    if unit == "quarter":
        return [(quarter_label(y, q), Period.quarter(y, q)) for y, q in elapsed.quarters()]
    return [(f"{y}年", Period.year(y)) for y in elapsed.whole_years()]


def _rule_title(rule: _Rule, per: int) -> str:
    every = "每个党小组每月" if rule.rule_id == "MEET-GROUP-M" else f"每{_UNIT_WORD[rule.unit]}"
    return f"{rule.name}（{every}至少{per}次）"


def _compliance(ret: BranchReturn, roster: list[Row], part: Period, elapsed: Period | None,
                settings: Any, secretaries: set[str]) -> list[Compliance]:
    out = []
    freq = settings.frequency
    day = elapsed.end if elapsed else None
    full_members = sum(1 for r in roster if day and in_standing(r, day) and is_full(r, day))
    groups = {_text(r, "group") for r in roster if day and in_standing(r, day) and _text(r, "group")}
    minimum = int(freq.get("committee_min_full_members", 7))
    for rule in RULES:
        per = int(freq.get(rule.setting, rule.default))
        title = _rule_title(rule, per)
        reason = ""
        if settings.rule_severity(rule.rule_id) is None:
            reason = "本单位设置中已关闭此项检查"
        elif per <= 0:
            reason = "本单位设置为不检查次数"
        elif not _unit_periods(part, rule.unit):
            reason = f"统计期间不含完整的{_UNIT_NAME[rule.unit]}，不计算"
        elif elapsed is None:
            reason = "统计期间内还没有已结束的月份"
        elif rule.rule_id == "MEET-CMTE-M" and full_members < minimum:
            reason = f"正式党员{full_members}人，不足{minimum}人，不设支委会"
        elif rule.rule_id == "MEET-GROUP-M" and not groups:
            reason = "党员名册中没有党小组"
        units = _unit_periods(elapsed, rule.unit) if elapsed and not reason else []
        if not reason and not units:
            reason = f"统计期间内还没有已结束的{_UNIT_NAME[rule.unit]}"
        if reason:
            out.append(Compliance(rule.rule_id, title, 0, 0, True, False, reason))
            continue
        need = per * (len(groups) if rule.rule_id == "MEET-GROUP-M" else 1)
        dates = []
        for row in ret.rows(rule.source):
            kind = _text(row, "meeting_type" if rule.source == "meetings" else "activity_type")
            if kind != rule.kind:
                continue
            if rule.rule_id == "MEET-LECTURE-SEC" and _text(row, "host") not in secretaries:
                continue
            d = _date(row, "date")
            if d is not None:
                dates.append(d)
        held, short = 0, []
        for label, unit in units:
            n = sum(1 for d in dates if unit.contains(d))
            held += n
            if n < need:
                short.append(label)
        out.append(Compliance(rule.rule_id, title, need * len(units), held, not short, True, "", short))
    return out


def _branch_year(ret: BranchReturn, branch: Any, part: Period, elapsed: Period | None,
                 snapshot: date, settings: Any, vocab: Vocabulary) -> BranchStats:
    roster = ret.rows("roster")
    fallback = getattr(branch, "secretary", "") or ""
    secretaries = _secretaries(roster, snapshot, fallback)
    year = ret.year
    months = [m for y, m in part.months() if y == year]
    passed = {m for y, m in (elapsed.months() if elapsed else []) if y == year}
    return BranchStats(
        code=branch.code, name=branch.name, secretary=fallback, returned=True,
        years_returned=[year],
        membership=_membership(roster, snapshot, vocab),
        meetings=_meetings(ret.rows("meetings"), part, secretaries),
        activities=_activities(ret.rows("activities"), part, vocab),
        dues=_dues(ret.rows("dues"), roster, year, months, passed, settings),
        recruitment=_recruitment(ret.rows("recruitment"), part, snapshot),
        compliance=_compliance(ret, roster, part, elapsed, settings, secretaries),
    )


# --- sums --------------------------------------------------------------------------------------
def _add_counts(target: dict[str, int], source: dict[str, int]) -> None:
    for k, v in source.items():
        target[k] = target.get(k, 0) + v


def _sum_membership(items: Iterable[Membership]) -> Membership:
    total = Membership()
    for m in items:
        total.total += m.total
        total.full += m.full
        total.probationary += m.probationary
        _add_counts(total.by_gender, m.by_gender)
        _add_counts(total.by_age, m.by_age)
        _add_counts(total.by_education, m.by_education)
    return total


def _sum_meetings(items: Iterable[Meetings]) -> Meetings:
    total = Meetings()
    for m in items:
        for f in ("general", "committee", "committee_topics", "group", "lectures",
                  "secretary_lectures", "general_present", "general_expected"):
            setattr(total, f, getattr(total, f) + getattr(m, f))
    return total


def _sum_activities(items: Iterable[Activities]) -> Activities:
    total = Activities()
    for a in items:
        _add_counts(total.by_type, a.by_type)
        total.talk_person_times += a.talk_person_times
        total.participants += a.participants
    return total


def _sum_dues(items: Iterable[Dues], *, distinct_names: bool) -> Dues:
    total = Dues()
    names: list[str] = []
    for d in items:
        total.due_exact += d.due_exact
        total.paid_exact += d.paid_exact
        total.members = max(total.members, d.members) if distinct_names else total.members + d.members
        total.arrears_count += d.arrears_count
        names.extend(n for n in d.arrears if n not in names)
    if distinct_names:  # the same branch over several years: a member counts once
        total.arrears = names
        total.arrears_count = len(names)
    # Over branches the count is the sum; names without their branch would mislead, so none.
    return total


def _sum_recruitment(items: Iterable[Recruitment]) -> Recruitment:
    total = Recruitment()
    for r in items:
        for _key, attr in _STEPS:
            setattr(total, attr, getattr(total, attr) + getattr(r, attr))
        _add_counts(total.pipeline, r.pipeline)
    return total


def _sum_compliance(groups: list[tuple[str, list[Compliance]]], *, by_branch: bool) -> list[Compliance]:
    """Combine rule results: over the years of one branch, or over branches (`short` then
    names the branches that fell short)."""
    out = []
    for rule in RULES:
        results = [(who, c) for who, cs in groups for c in cs if c.rule_id == rule.rule_id]
        if not results:
            continue
        applying = [(who, c) for who, c in results if c.applies]
        title = results[-1][1].title
        if not applying:
            out.append(Compliance(rule.rule_id, title, 0, 0, True, False, results[-1][1].reason))
            continue
        short: list[str] = []
        for who, c in applying:
            if not c.met:
                short.extend([who] if by_branch else c.short)
        out.append(Compliance(
            rule.rule_id, title, sum(c.required for _, c in applying), sum(c.held for _, c in applying),
            all(c.met for _, c in applying), True, "", short,
        ))
    return out


def _combine_years(code: str, name: str, secretary: str, items: list[BranchStats],
                   recruitment: Recruitment | None) -> BranchStats:
    """One branch over the years of a term (membership at the term's end: the last year's)."""
    returned = [b for b in items if b.returned]
    out = BranchStats(code=code, name=name, secretary=secretary, status=items[-1].status if items else ReturnStatus())
    out.excluded = any(b.excluded for b in items) and not returned
    if not returned:
        return out
    out.returned = True
    out.years_returned = [y for b in returned for y in b.years_returned]
    out.membership = returned[-1].membership
    out.meetings = _sum_meetings(b.meetings for b in returned if b.meetings)
    out.activities = _sum_activities(b.activities for b in returned if b.activities)
    out.dues = _sum_dues((b.dues for b in returned if b.dues), distinct_names=True)
    out.recruitment = recruitment
    out.compliance = _sum_compliance([(name, b.compliance) for b in returned], by_branch=False)
    return out


def total_of(items: list[BranchStats], status: ReturnStatus) -> BranchStats:
    returned = [b for b in items if b.returned]
    total = BranchStats(code="", name="合计", returned=bool(returned), status=status)
    if not returned:
        return total
    total.years_returned = sorted({y for b in returned for y in b.years_returned})
    total.membership = _sum_membership(b.membership for b in returned if b.membership)
    total.meetings = _sum_meetings(b.meetings for b in returned if b.meetings)
    total.activities = _sum_activities(b.activities for b in returned if b.activities)
    total.dues = _sum_dues((b.dues for b in returned if b.dues), distinct_names=False)
    total.recruitment = _sum_recruitment(b.recruitment for b in returned if b.recruitment)
    total.compliance = _sum_compliance([(b.name, b.compliance) for b in returned], by_branch=True)
    return total


def total_status(items: list[BranchStats]) -> ReturnStatus:
    returned = [b for b in items if b.status.state != MISSING]
    return ReturnStatus(
        state="", returned_at="",
        errors=sum(b.status.errors or 0 for b in returned),
        warnings=sum(b.status.warnings or 0 for b in returned),
        submissions=sum(b.status.submissions for b in items),
    )


# --- entry points ----------------------------------------------------------------------------
def _status_of(raw: Any, returned: bool) -> ReturnStatus:
    if raw is None:
        return ReturnStatus(state=RETURNED if returned else MISSING)
    get = raw.get if isinstance(raw, Mapping) else lambda k, d=None: getattr(raw, k, d)
    state = get("state", MISSING) or MISSING
    has = state != MISSING
    return ReturnStatus(
        state=state, on_time=get("on_time", None), returned_at=get("returned_at", "") or "",
        errors=get("errors", 0) if has else None, warnings=get("warnings", 0) if has else None,
        verified=get("verified", None), submissions=get("submissions", 0) or 0,
    )


def by_year(value: BranchReturn | Sequence[BranchReturn] | None) -> dict[int, BranchReturn]:
    """One branch's returns by year."""
    if value is None:
        return {}
    items = [value] if isinstance(value, BranchReturn) else list(value)
    return {ret.year: ret for ret in items}


def _statuses_by_year(statuses: Any, years: tuple[int, ...]) -> dict[int, Mapping[str, Any]]:
    if statuses is None:
        return {}
    if hasattr(statuses, "branches") and hasattr(statuses, "year"):  # a RoundStatus
        return {statuses.year: {b.code: b for b in statuses.branches}}
    if statuses and all(isinstance(k, int) for k in statuses):
        return {y: (_statuses_by_year(v, (y,)).get(y, {}) if not isinstance(v, Mapping) else v)
                for y, v in statuses.items()}
    return {years[-1]: statuses}


def compute(
    returns: Mapping[str, BranchReturn | Sequence[BranchReturn]],
    branches: Sequence[Any],
    period: Period,
    settings: Any,
    *,
    as_of: date,
    statuses: Any = None,
    excluded: Sequence[ExcludedReturn] = (),
    definitions: Any = None,
) -> Stats:
    """The figures of `period` for every branch on the list, their total, and per year for a
    period of several years.

    `returns` maps a branch code to its return (or to its returns of several years); it is read
    one branch at a time (`returns.get(code)`), so a mapping that loads each branch's returns when
    asked (`StoredReturns`) keeps only one branch in memory. `statuses` is a
    `status.RoundStatus`, a mapping code → BranchStatus (for the period's last year), or year →
    either; `excluded` lists returns left out on purpose (strict).
    Returns of codes not on the list are not counted; they are listed in `Stats.unlisted`.
    """
    vocab = Vocabulary.from_definitions(definitions) if definitions is not None else _shipped_vocabulary()
    status_map = _statuses_by_year(statuses, period.years)
    excluded_keys = {(e.code, e.year) for e in excluded}
    listed = {b.code for b in branches}
    unlisted = []
    for code in sorted(c for c in returns if c not in listed):
        for y, ret in sorted(by_year(returns.get(code)).items()):
            if y in period.years:
                unlisted.append({"code": code, "name": ret.branch_name, "year": y})
    elapsed_all = period.clip(as_of)
    years = period.years
    # What each year of the period needs: its part, the passed part of it, the snapshot day.
    frames: dict[int, tuple[Period, Period | None, date]] = {}
    for year in years:
        part = period.part(year)
        elapsed = None
        if elapsed_all is not None:
            months = [(y, m) for y, m in elapsed_all.months() if y == year]
            elapsed = part if len(months) == len(part.months()) else (
                Period.months_between(months[0], months[-1]) if months else None)
        frames[year] = (part, elapsed, min(part.end, as_of))
    items_by_year: dict[int, list[BranchStats]] = {year: [] for year in years}
    per_branch: list[BranchStats] = []
    term_snapshot = min(period.end, as_of)
    # Branch by branch: only this branch's returns are held while its figures are computed.
    for b in branches:
        rets = by_year(returns.get(b.code))
        yearly = []
        for year in years:
            part, elapsed, snapshot = frames[year]
            ret = rets.get(year)
            raw_status = status_map.get(year, {}).get(b.code) if year in status_map else None
            if ret is not None and (b.code, year) not in excluded_keys:
                bs = _branch_year(ret, b, part, elapsed, snapshot, settings, vocab)
            else:
                bs = BranchStats(code=b.code, name=b.name, secretary=getattr(b, "secretary", "") or "")
                bs.excluded = (b.code, year) in excluded_keys
            bs.status = _status_of(raw_status, ret is not None)
            bs.status.included = not bs.excluded
            items_by_year[year].append(bs)
            yearly.append(bs)
        if len(years) > 1:
            usable = {y: r for y, r in rets.items() if y in years and (b.code, y) not in excluded_keys}
            recruitment = None
            if usable:
                people: dict[tuple[str, str], Row] = {}
                for y in sorted(usable):  # a later year's row wins
                    for row in usable[y].rows("recruitment"):
                        people[_person_key(row)] = row
                recruitment = _recruitment(list(people.values()), period, term_snapshot)
            per_branch.append(_combine_years(b.code, b.name, getattr(b, "secretary", "") or "",
                                             yearly, recruitment))
        del rets
    per_year: dict[int, Stats] = {}
    for year in years:
        part, elapsed, snapshot = frames[year]
        items = items_by_year[year]
        per_year[year] = Stats(
            period=part, as_of=as_of, snapshot=snapshot, elapsed=elapsed, per_branch=items,
            total=total_of(items, total_status(items)),
            excluded=[e for e in excluded if e.year == year],
            unlisted=[u for u in unlisted if u["year"] == year],
            organisation=getattr(settings, "org_name", ""),
        )
    if len(years) == 1:
        stats = per_year[years[0]]
        stats.period = period
        return stats
    return Stats(
        period=period, as_of=as_of, snapshot=term_snapshot, elapsed=elapsed_all, per_branch=per_branch,
        total=total_of(per_branch, total_status(per_branch)), per_year=per_year,
        excluded=list(excluded), unlisted=unlisted, organisation=getattr(settings, "org_name", ""),
    )
