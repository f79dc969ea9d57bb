"""The figures the statistics workbook and every report state, computed once, as plain data.

`compute` turns the branches' returns into `Stats` for a period: per branch (in the order of the
branch list; a branch without a return is present with ``returned=False`` and no figures), the
total over branches, and for a term of several years the same per year. `load_stats` reads the
current returns from a workspace's store and calls `compute`.

Counting rules, in one place:

- Membership is counted at the snapshot day: the period's end, or `as_of` when that is earlier
  (the roster cannot know the future), by `party.members` (who is in standing, who is full).
- Each year's figures come from that year's return only: meetings, activities and recruitment
  steps are counted when their date falls in the part of the period in that year, so a date
  outside the ledger's year (reported by CELL-YEAR for the meetings and activities, by
  CELL-NEXT-YEAR for a later 发展党员 or 党员名册 date) is counted in no year, and the earlier stage
  dates on a 发展党员 row are history that year's own return counted. Stocks — the members in
  standing and the recruitment pipeline (`party.recruitment.pipeline_stage`) — are taken at the
  snapshot day from the same return.
- Over several years (a term) the flows are the sum of the years' figures and the stocks are the
  last returned year's (`BranchStats.stock_year` says which); a year without a return adds
  nothing and is listed as not returned.
- Compliance with the meeting frequencies is `party.frequency.assess` over the part of the
  period that has passed at `as_of` — the very answer the validator words as problems.
- 党费 应交 is 月应交 × the months of the period the member owed, 实交 the sum of the month
  columns of the period, arrears the members with an owed, ended month unpaid — all `party.dues`.
  Money is summed exactly and rounded once, to 0.01 元, when it is shown."""


from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from taizhang.errors import TaizhangError
from taizhang.party import dues, frequency
from taizhang.party.hosts import hosted_by
from taizhang.party.members import Roster
from taizhang.party.periods import Period
from taizhang.party.recruitment import COUNTED_STEPS, pipeline_stage
from taizhang.records import BranchReturn, Row, date_of, int_of, text_of
from taizhang.statistics.model import (
    ACTIVITY_TYPES,
    AGE_BANDS,
    EDUCATION,
    GENDERS,
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
)
from taizhang.vocabulary import MISSING, RETURNED


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


# --- one branch, one year: every rule asked of party/ -----------------------------------------
def _membership(roster: Roster, day: date, vocab: Vocabulary) -> Membership:
    m = Membership(
        by_gender={g: 0 for g in (*GENDERS, UNKNOWN)},
        by_age={a: 0 for a in (*AGE_BANDS, UNKNOWN)},
        by_education={e: 0 for e in (*vocab.education, UNKNOWN)},
    )
    for member in roster.on(day):
        m.total += 1
        if member.full_on(day):
            m.full += 1
        else:
            m.probationary += 1
        m.by_gender[member.gender if member.gender in m.by_gender else UNKNOWN] += 1
        age = member.age_on(day)
        m.by_age[age_band(age) if age is not None else UNKNOWN] += 1
        edu = member.education
        if edu and edu not in m.by_education:
            m.by_education[edu] = 0
        m.by_education[edu or UNKNOWN] += 1
    return m


def _meetings(rows: list[Row], period: Period, secretaries: set[str]) -> Meetings:
    m = Meetings()
    for row in rows:
        if not period.contains(date_of(row, "date")):
            continue
        kind = text_of(row, "meeting_type")
        if kind == "支部党员大会":
            m.general += 1
            present, expected = int_of(row, "present"), int_of(row, "expected")
            if present is not None and expected is not None and expected > 0:
                m.general_present += present
                m.general_expected += expected
        elif kind == "支委会":
            m.committee += 1
            topics = int_of(row, "topic_count")
            m.committee_topics += max(topics if topics is not None else 1, 0)
        elif kind == "党小组会":
            m.group += 1
        elif kind == "党课":
            m.lectures += 1
            if hosted_by(text_of(row, "host"), secretaries):
                m.secretary_lectures += 1
    return m


def _activities(rows: list[Row], period: Period, vocab: Vocabulary) -> Activities:
    a = Activities(by_type={t: 0 for t in vocab.activity_types})
    for row in rows:
        if not period.contains(date_of(row, "date")):
            continue
        kind = text_of(row, "activity_type") or "其他"
        a.by_type[kind] = a.by_type.get(kind, 0) + 1
        people = max(int_of(row, "participants") or 0, 0)
        a.participants += people
        if kind == "谈心谈话":
            a.talk_person_times += people
    return a


def _dues(ret: BranchReturn, roster: Roster, months: list[int], as_of: date, settings: Any) -> Dues:
    d = Dues()
    year = ret.year
    columns = [m for m in range(1, 13) if ret.letter("dues", f"m{m}")]
    for row in ret.rows("dues"):
        name = text_of(row, "name")
        member = roster.find(name) if roster.present else None
        d.members += 1
        d.due_exact += dues.due_in(row, member, year, settings, months)
        d.paid_exact += dues.paid_in(row, months)
        if dues.unpaid_months(row, member, year, as_of, settings, columns=columns, within=months):
            d.arrears.append(name or f"第{row.excel_row}行")
    d.arrears_count = len(d.arrears)
    return d


def _recruitment(rows: list[Row], period: Period, day: date) -> Recruitment:
    r = Recruitment()
    for row in rows:
        for key, attr in COUNTED_STEPS:
            if period.contains(date_of(row, key)):
                setattr(r, attr, getattr(r, attr) + 1)
        stage = pipeline_stage(row, day)
        if stage is not None:
            r.pipeline[stage] += 1
    return r


def _compliance(ret: BranchReturn, roster: Roster, part: Period, elapsed: Period | None,
                settings: Any) -> list[Compliance]:
    out = []
    for rule in frequency.RULES:
        a = frequency.assess(rule, ret.rows(rule.ledger), roster, part, elapsed, settings)
        out.append(Compliance(rule.rule_id, a.title, a.required, a.held, a.met, a.applies, a.reason,
                              [u.label for u, _ in a.short]))
    return out


def _branch_year(ret: BranchReturn, branch: Any, part: Period, elapsed: Period | None,
                 snapshot: date, as_of: date, settings: Any, vocab: Vocabulary) -> BranchStats:
    roster = Roster.build(ret)
    year = ret.year
    return BranchStats(
        code=branch.code, name=branch.name, secretary=getattr(branch, "secretary", "") or "", returned=True,
        years_returned=[year], stock_year=year, has_committee=roster.has_committee(snapshot, settings),
        membership=_membership(roster, snapshot, vocab),
        meetings=_meetings(ret.rows("meetings"), part, roster.secretary_keys(snapshot)),
        activities=_activities(ret.rows("activities"), part, vocab),
        dues=_dues(ret, roster, [m for y, m in part.months() if y == year], as_of, settings),
        recruitment=_recruitment(ret.rows("recruitment"), part, snapshot),
        compliance=_compliance(ret, roster, part, elapsed, settings),
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


def _sum_recruitment(items: Iterable[Recruitment], *, pipeline_of_last: bool = False) -> Recruitment:
    """The steps summed; the pipeline summed too (over branches), or — over the years of one
    branch, `pipeline_of_last` — the last year's (a stock, not a flow)."""
    total = Recruitment()
    last: Recruitment | None = None
    for r in items:
        for _key, attr in COUNTED_STEPS:
            setattr(total, attr, getattr(total, attr) + getattr(r, attr))
        _add_counts(total.pipeline, r.pipeline)
        last = r
    if pipeline_of_last and last is not None:
        total.pipeline = dict(last.pipeline)
    return total


def _sum_compliance(groups: list[tuple[str, list[Compliance]]], *, by_branch: bool) -> list[Compliance]:
    """Combine rule results: over the years of one branch, or over branches (`short` then
    names the branches that fell short)."""
    out = []
    for rule in frequency.RULES:
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


def _combine_years(code: str, name: str, secretary: str, items: list[BranchStats]) -> BranchStats:
    """One branch over the years of a term: the flows (meetings, activities, dues, recruitment
    steps) summed over the years returned; the stocks (members, pipeline) and the committee the
    last returned year's."""
    returned = [b for b in items if b.returned]
    out = BranchStats(code=code, name=name, secretary=secretary, status=items[-1].status if items else ReturnStatus())
    out.excluded = any(b.excluded for b in items) and not returned
    if not returned:
        return out
    out.returned = True
    out.years_returned = [y for b in returned for y in b.years_returned]
    out.stock_year = returned[-1].stock_year
    out.has_committee = returned[-1].has_committee
    out.membership = returned[-1].membership
    out.meetings = _sum_meetings(b.meetings for b in returned if b.meetings)
    out.activities = _sum_activities(b.activities for b in returned if b.activities)
    out.dues = _sum_dues((b.dues for b in returned if b.dues), distinct_names=True)
    out.recruitment = _sum_recruitment((b.recruitment for b in returned if b.recruitment), pipeline_of_last=True)
    out.compliance = _sum_compliance([(name, b.compliance) for b in returned], by_branch=False)
    return out


def total_of(items: list[BranchStats], status: ReturnStatus) -> BranchStats:
    returned = [b for b in items if b.returned]
    total = BranchStats(code="", name="合计", returned=bool(returned), status=status)
    if not returned:
        return total
    total.years_returned = sorted({y for b in returned for y in b.years_returned})
    stock_years = {b.stock_year for b in returned}
    total.stock_year = stock_years.pop() if len(stock_years) == 1 else None  # None: branches' latest years differ
    total.has_committee = any(b.has_committee for b in returned)
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
                bs = _branch_year(ret, b, part, elapsed, snapshot, as_of, settings, vocab)
            else:
                bs = BranchStats(code=b.code, name=b.name, secretary=getattr(b, "secretary", "") or "")
                bs.excluded = (b.code, year) in excluded_keys
            bs.status = _status_of(raw_status, ret is not None)
            bs.status.included = not bs.excluded
            items_by_year[year].append(bs)
            yearly.append(bs)
        if len(years) > 1:
            per_branch.append(_combine_years(b.code, b.name, getattr(b, "secretary", "") or "", yearly))
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
