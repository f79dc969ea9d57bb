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
  and rounded once, to 0.01 元, when it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .errors import TaizhangError
from .periods import Period, month_label, quarter_label
from .records import BranchReturn, Row

# --- vocabulary ------------------------------------------------------------------------------
UNKNOWN = "未填"
GENDERS = ("男", "女")
AGE_BANDS = ("30岁及以下", "31至40岁", "41至50岁", "51至60岁", "61岁及以上")
EDUCATION = ("研究生", "大学本科", "大学专科", "中等专科", "高中", "初中及以下")
ACTIVITY_TYPES = ("主题党日", "组织生活会", "民主评议党员", "谈心谈话", "集中学习研讨", "参观见学",
                  "重温入党誓词", "政治生日", "警示教育", "志愿服务", "其他")
MEETING_TYPES = ("支部党员大会", "支委会", "党小组会", "党课")
PIPELINE = ("入党申请人", "入党积极分子", "发展对象", "预备党员")
LEFT = ("转出", "停止党籍", "去世")
SECRETARY = "书记"
FULL, PROBATIONARY = "正式党员", "预备党员"

RETURNED, LATE, NEEDS_FIX, MISSING = "已报送", "逾期报送", "需修改", "未报送"
STATES = (RETURNED, LATE, NEEDS_FIX, MISSING)

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)


class NoReturns(TaizhangError):
    """No return has been collected for the period asked about."""


@dataclass(frozen=True)
class _Rule:
    rule_id: str
    name: str
    unit: str  # month / quarter / year
    setting: str
    source: str  # meetings / activities
    kind: str  # meeting type or activity type
    default: int = 1


RULES: tuple[_Rule, ...] = (
    _Rule("MEET-GM-Q", "支部党员大会", "quarter", "general_meeting_per_quarter", "meetings", "支部党员大会"),
    _Rule("MEET-CMTE-M", "支委会", "month", "committee_per_month", "meetings", "支委会"),
    _Rule("MEET-GROUP-M", "党小组会", "month", "group_per_month", "meetings", "党小组会"),
    _Rule("MEET-LECTURE-Q", "党课", "quarter", "lecture_per_quarter", "meetings", "党课"),
    _Rule("MEET-LECTURE-SEC", "书记讲党课", "year", "secretary_lectures_per_year", "meetings", "党课"),
    _Rule("LIFE-THEME-M", "主题党日", "month", "theme_day_per_month", "activities", "主题党日"),
    _Rule("LIFE-OLM-Y", "组织生活会", "year", "life_meeting_per_year", "activities", "组织生活会"),
    _Rule("LIFE-REVIEW-Y", "民主评议党员", "year", "review_per_year", "activities", "民主评议党员"),
    _Rule("LIFE-TALK-Y", "谈心谈话", "year", "talk_per_year", "activities", "谈心谈话"),
)
RULE_IDS = tuple(r.rule_id for r in RULES)
_UNIT_WORD = {"month": "月", "quarter": "季度", "year": "年"}
_UNIT_NAME = {"month": "月份", "quarter": "季度", "year": "年度"}


# --- plain data ------------------------------------------------------------------------------
def _dec(value: Decimal | None, unit: Decimal) -> str | None:
    return None if value is None else str(value.quantize(unit, rounding=ROUND_HALF_UP))


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """`part` / `whole` as a percent rounded to one decimal (None when `whole` is 0)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def percent_text(value: Decimal | None, *, cap: bool = False) -> str:
    """"98.5%", "100%" (capped at 100% when `cap`), or "—" for no figure."""
    if value is None:
        return "—"
    if cap and value > HUNDRED:
        value = HUNDRED
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


@dataclass
class Membership:
    """Members in standing at the snapshot day."""

    total: int = 0
    full: int = 0
    probationary: int = 0
    by_gender: dict[str, int] = field(default_factory=dict)
    by_age: dict[str, int] = field(default_factory=dict)
    by_education: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"total": self.total, "full": self.full, "probationary": self.probationary,
                "by_gender": dict(self.by_gender), "by_age": dict(self.by_age),
                "by_education": dict(self.by_education)}


@dataclass
class Meetings:
    """三会一课 held in the period."""

    general: int = 0
    committee: int = 0
    committee_topics: int = 0
    group: int = 0
    lectures: int = 0
    secretary_lectures: int = 0
    general_present: int = 0  # sums over the 支部党员大会 with both figures
    general_expected: int = 0

    @property
    def total(self) -> int:
        """All 三会一课 meetings."""
        return self.general + self.committee + self.group + self.lectures

    @property
    def attendance_rate(self) -> Decimal | None:
        """Average attendance of the 支部党员大会 (实到/应到) in percent, one decimal."""
        return percent(self.general_present, self.general_expected)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"general": self.general, "committee": self.committee,
                "committee_topics": self.committee_topics, "group": self.group,
                "lectures": self.lectures, "secretary_lectures": self.secretary_lectures,
                "total": self.total, "general_present": self.general_present,
                "general_expected": self.general_expected,
                "attendance_rate": _dec(self.attendance_rate, TENTH)}


@dataclass
class Activities:
    """组织生活 in the period."""

    by_type: dict[str, int] = field(default_factory=dict)
    talk_person_times: int = 0  # 谈心谈话 人次
    participants: int = 0  # 参加人数 summed over every activity

    @property
    def total(self) -> int:
        """All activities."""
        return sum(self.by_type.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"by_type": dict(self.by_type), "total": self.total,
                "talk_person_times": self.talk_person_times, "participants": self.participants}


@dataclass
class Dues:
    """党费 of the period; amounts kept exact, rounded when read through `due`/`paid`."""

    due_exact: Decimal = Decimal(0)
    paid_exact: Decimal = Decimal(0)
    arrears: list[str] = field(default_factory=list)  # names of members in arrears
    arrears_count: int = 0
    members: int = 0  # rows on the dues sheet

    @property
    def due(self) -> Decimal:
        """应交, in 元 to the 分."""
        return self.due_exact.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def paid(self) -> Decimal:
        """实交, in 元 to the 分."""
        return self.paid_exact.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def rate(self) -> Decimal | None:
        """收缴率 (实交/应交) in percent, one decimal, not capped (None when nothing was due)."""
        return percent(self.paid_exact, self.due_exact)

    @property
    def rate_display(self) -> str:
        """收缴率 as shown: capped at 100% (paying ahead or making up is not over-collection)."""
        return percent_text(self.rate, cap=True)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (money and rates as decimal strings)."""
        return {"due": _dec(self.due, CENT), "paid": _dec(self.paid, CENT),
                "rate": _dec(self.rate, TENTH), "rate_display": self.rate_display,
                "arrears_count": self.arrears_count, "arrears": list(self.arrears),
                "members": self.members}


@dataclass
class Recruitment:
    """发展党员: steps taken in the period, and the pipeline at the snapshot day."""

    applied: int = 0
    activists: int = 0
    candidates: int = 0
    admitted: int = 0
    confirmed: int = 0
    pipeline: dict[str, int] = field(default_factory=lambda: {s: 0 for s in PIPELINE})

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"applied": self.applied, "activists": self.activists, "candidates": self.candidates,
                "admitted": self.admitted, "confirmed": self.confirmed, "pipeline": dict(self.pipeline)}


@dataclass
class Compliance:
    """One frequency rule over the passed part of the period: required, held, met.

    `applies` is False when the rule does not apply (no committee, no groups, switched off, or no
    month/quarter/year of the period has passed yet); `reason` then says why. `short` lists the
    months/quarters/years that fell short (for the total: the branches that fell short).
    """

    rule_id: str
    title: str
    required: int
    held: int
    met: bool
    applies: bool
    reason: str = ""
    short: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """达标 / 未达标 / 不适用."""
        if not self.applies:
            return "不适用"
        return "达标" if self.met else "未达标"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"rule_id": self.rule_id, "title": self.title, "required": self.required,
                "held": self.held, "met": self.met, "applies": self.applies,
                "verdict": self.verdict, "reason": self.reason, "short": list(self.short)}


@dataclass
class ReturnStatus:
    """Where the branch's return stands (from `status.round_status` when given)."""

    state: str = MISSING
    on_time: bool | None = None
    returned_at: str = ""
    errors: int | None = None
    warnings: int | None = None
    verified: bool | None = None
    submissions: int = 0
    included: bool = True  # False when left out by strict consolidation

    @property
    def timeliness(self) -> str:
        """按时 / 逾期 / "" (unknown or not returned)."""
        if self.on_time is None:
            return ""
        return "按时" if self.on_time else "逾期"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"state": self.state, "on_time": self.on_time, "timeliness": self.timeliness,
                "returned_at": self.returned_at, "errors": self.errors, "warnings": self.warnings,
                "verified": self.verified, "submissions": self.submissions, "included": self.included}


@dataclass
class BranchStats:
    """Every figure of one branch for the period (or the total over branches: code "")."""

    code: str
    name: str
    secretary: str = ""
    returned: bool = False
    excluded: bool = False  # returned, but left out (strict: the return has errors)
    years_returned: list[int] = field(default_factory=list)
    membership: Membership | None = None
    meetings: Meetings | None = None
    activities: Activities | None = None
    dues: Dues | None = None
    recruitment: Recruitment | None = None
    compliance: list[Compliance] = field(default_factory=list)
    status: ReturnStatus = field(default_factory=ReturnStatus)
    parent: str = ""  # the code of the 党总支 (党委) it is directly under; "" = directly under the workspace
    group: str = ""  # the names of the nodes between the statistics' unit and the branch, "／"-joined

    def rule(self, rule_id: str) -> Compliance | None:
        """The compliance result for one rule id, or None."""
        return next((c for c in self.compliance if c.rule_id == rule_id), None)

    @property
    def short(self) -> list[Compliance]:
        """The rules that apply and were not met."""
        return [c for c in self.compliance if c.applies and not c.met]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (figures None when the branch has not returned)."""
        def opt(x: Any) -> Any:
            return None if x is None else x.to_dict()

        return {"code": self.code, "name": self.name, "secretary": self.secretary,
                "returned": self.returned, "excluded": self.excluded,
                "years_returned": list(self.years_returned),
                "membership": opt(self.membership), "meetings": opt(self.meetings),
                "activities": opt(self.activities), "dues": opt(self.dues),
                "recruitment": opt(self.recruitment),
                "compliance": [c.to_dict() for c in self.compliance],
                "status": self.status.to_dict(), "parent": self.parent, "group": self.group}


@dataclass
class GroupStats:
    """A 党总支 (党委) below the statistics' unit: the branches under it and their subtotal."""

    code: str
    name: str
    kind: str
    parent: str  # its own parent's code ("" = directly under the statistics' unit or workspace)
    depth: int  # 0 for a node directly under the statistics' unit
    branches: list[str]  # codes of the 党支部 under it (at any depth), in tree order
    total: BranchStats  # their sum (code "", name = the node's name)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"code": self.code, "name": self.name, "kind": self.kind, "parent": self.parent,
                "depth": self.depth, "branches": list(self.branches), "total": self.total.to_dict()}


@dataclass
class ExcludedReturn:
    """A return left out of the figures (strict: it has errors)."""

    code: str
    name: str
    year: int
    errors: int
    reason: str = "有错误"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class Stats:
    """The figures for a period: per branch, the total, and per year for a term."""

    period: Period
    as_of: date
    snapshot: date  # the day membership and pipeline are counted at
    elapsed: Period | None  # the part of the period that has passed (compliance is over it)
    per_branch: list[BranchStats]
    total: BranchStats
    per_year: dict[int, Stats] = field(default_factory=dict)
    excluded: list[ExcludedReturn] = field(default_factory=list)
    unlisted: list[dict[str, Any]] = field(default_factory=list)  # returns of codes not on the list
    organisation: str = ""
    strict: bool = False
    unit: str = ""  # the code of the tree node the figures are for ("" = the whole workspace)
    unit_name: str = ""
    groups: list[GroupStats] = field(default_factory=list)  # the nodes below `unit`, in tree order

    def branch(self, code: str) -> BranchStats | None:
        """The figures of one branch (None when it is not on the list)."""
        return next((b for b in self.per_branch if b.code == code), None)

    @property
    def returned(self) -> list[BranchStats]:
        """The branches whose figures are counted."""
        return [b for b in self.per_branch if b.returned]

    @property
    def status_counts(self) -> dict[str, int]:
        """How many branches are 已报送 / 逾期报送 / 需修改 / 未报送."""
        counts = {s: 0 for s in STATES}
        for b in self.per_branch:
            counts[b.status.state] = counts.get(b.status.state, 0) + 1
        return counts

    def short_branches(self, rule_id: str | None = None) -> list[BranchStats]:
        """The returned branches that fell short of any rule (or of `rule_id`)."""
        out = []
        for b in self.returned:
            bad = [c for c in b.short if rule_id is None or c.rule_id == rule_id]
            if bad:
                out.append(b)
        return out

    def only(self, code: str) -> Stats:
        """The same figures restricted to one branch (its figures are also the total)."""
        b = self.branch(code)
        if b is None:
            raise KeyError(code)
        return Stats(
            period=self.period, as_of=self.as_of, snapshot=self.snapshot, elapsed=self.elapsed,
            per_branch=[b], total=b,
            per_year={y: s.only(code) for y, s in self.per_year.items()},
            excluded=[e for e in self.excluded if e.code == code],
            unlisted=[], organisation=self.organisation, strict=self.strict,
            unit=self.unit, unit_name=self.unit_name,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: plain str/int/bool/None, lists and dicts with text keys."""
        return {
            "organisation": self.organisation,
            "period": _period_dict(self.period),
            "as_of": self.as_of.isoformat(),
            "snapshot": self.snapshot.isoformat(),
            "elapsed": _period_dict(self.elapsed) if self.elapsed else None,
            "strict": self.strict,
            "status_counts": self.status_counts,
            "branches": [b.to_dict() for b in self.per_branch],
            "total": self.total.to_dict(),
            "per_year": {str(y): s.to_dict() for y, s in self.per_year.items()},
            "excluded": [e.to_dict() for e in self.excluded],
            "unlisted": [dict(u) for u in self.unlisted],
            "unit": {"code": self.unit, "name": self.unit_name} if self.unit else None,
            "groups": [g.to_dict() for g in self.groups],
        }


def _period_dict(p: Period) -> dict[str, Any]:
    return {"label": p.label, "kind": p.kind, "spec": p.spec, "start": p.start.isoformat(),
            "end": p.end.isoformat()}


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
    from .definitions import load_definitions

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


def _total(items: list[BranchStats], status: ReturnStatus) -> BranchStats:
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


def _total_status(items: list[BranchStats]) -> ReturnStatus:
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


def _by_year(value: BranchReturn | Sequence[BranchReturn] | None) -> dict[int, BranchReturn]:
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
        for y, ret in sorted(_by_year(returns.get(code)).items()):
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
        rets = _by_year(returns.get(b.code))
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
            total=_total(items, _total_status(items)),
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
        total=_total(per_branch, _total_status(per_branch)), per_year=per_year,
        excluded=list(excluded), unlisted=unlisted, organisation=getattr(settings, "org_name", ""),
    )


class StoredReturns(Mapping[str, list[BranchReturn]]):
    """Branch code → that branch's current returns (one per year), loaded from the store each
    time they are asked for and not kept: iterating over thousands of branches holds one at a
    time. The store connection stays open until `close()` (or until garbage collection)."""

    def __init__(self, store_path: Any, ids: dict[str, list[int]]):
        self._path = store_path
        self._ids = ids  # code -> submission ids, oldest year first
        self._store: Any = None
        self._last: tuple[str, list[BranchReturn]] | None = None  # asking twice in a row loads once

    def __getitem__(self, code: str) -> list[BranchReturn]:
        ids = self._ids[code]
        if self._last is not None and self._last[0] == code:
            return self._last[1]
        if self._store is None:
            from .store import Store

            self._store = Store.open(self._path)
        rets = [self._store.load_return(sid) for sid in ids]
        self._last = (code, rets)
        return rets

    def __iter__(self) -> Any:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, code: object) -> bool:
        return code in self._ids

    def only(self, codes: set[str]) -> StoredReturns:
        """The same, for the branches in `codes` only (nothing is loaded)."""
        return StoredReturns(self._path, {c: ids for c, ids in self._ids.items() if c in codes})

    def close(self) -> None:
        """Close the store connection (it is opened again when needed)."""
        if self._store is not None:
            self._store.close()
            self._store = None


class ReturnsByYear(Mapping[str, dict[int, BranchReturn]]):
    """Branch code → year → return, over a mapping of code → returns, converted on each access
    (so over `StoredReturns` it loads one branch at a time too)."""

    def __init__(self, returns: Mapping[str, Sequence[BranchReturn]]):
        self._returns = returns

    def __getitem__(self, code: str) -> dict[int, BranchReturn]:
        return _by_year(self._returns[code])

    def __iter__(self) -> Any:
        return iter(self._returns)

    def __len__(self) -> int:
        return len(self._returns)

    def __contains__(self, code: object) -> bool:
        return code in self._returns


@dataclass
class Loaded:
    """The current returns of a period's years, as found in the store: `returns` loads a
    branch's returns when asked for (see `StoredReturns`); the rest is small per branch."""

    returns: Mapping[str, list[BranchReturn]]
    submissions: dict[tuple[str, int], Any]  # (code, year) -> store.Submission
    excluded: list[ExcludedReturn]
    statuses: dict[int, Any]


def load_current(ws: Any, period: Period, *, strict: bool = False) -> Loaded:
    """The current return of every branch for each year of `period`, with statuses; with
    `strict`, the returns with errors are listed as excluded (they are still there).

    Returns are read from the store only when `Loaded.returns[code]` is asked for, so memory does
    not grow with the number of branches. Raises NoReturns when no return of the period's years
    has been collected.
    """
    from .status import round_status
    from .store import Store

    settings = ws.settings
    ids: dict[str, list[int]] = {}
    loaded = Loaded(StoredReturns(ws.store_path, ids), {}, [], {})
    with Store.open(ws.store_path) as store:
        for year in period.years:
            if year != settings.year:
                loaded.statuses[year] = _store_statuses(store, year)
            for code, sub in sorted(store.current(year).items()):
                ids.setdefault(code, []).append(sub.id)
                loaded.submissions[(code, year)] = sub
                if strict and sub.errors:
                    loaded.excluded.append(ExcludedReturn(code, sub.branch_name, year, sub.errors))
    if not ids:
        years = "、".join(f"{y}年" for y in period.years)
        raise NoReturns(f"还没有收集到{years}的任何台账，无法统计。请先把报回的台账放进 inbox 文件夹，"
                        "运行 taizhang collect 收集。")
    if settings.year in period.years:
        loaded.statuses[settings.year] = round_status(ws)
    return loaded


def load_stats(ws: Any, period: Period, *, as_of: date | None = None, strict: bool = False,
               loaded: Loaded | None = None, unit: str | None = None) -> Stats:
    """The figures of `period` from the workspace's current returns (every year of the period),
    for every 党支部 of the workspace's tree — or, with `unit` (the code of any unit of the tree:
    a 党总支, a 党委 below, or one 党支部), for the 党支部 under it only.

    Branches come in tree order, each with its `parent` and `group`; `Stats.groups` holds every
    党总支 (党委) below the unit with its subtotal; `Stats.unit`/`unit_name` name the unit.
    `strict` leaves out returns with errors (listed in `Stats.excluded`). Raises NoReturns when no
    return of the period's years has been collected (under the unit), InputError for an unknown
    unit.
    """
    from . import hierarchy

    as_of = as_of or date.today()
    tree = hierarchy.load(ws, year=period.years[-1])
    node = tree.unit(unit) if unit else None
    items = tree.branches(node.code if node else "")
    loaded = loaded or load_current(ws, period, strict=strict)
    returns, excluded = loaded.returns, loaded.excluded
    if node is not None:
        codes = {u.code for u in items}
        returns = (returns.only(codes) if isinstance(returns, StoredReturns)
                   else {c: r for c, r in returns.items() if c in codes})
        excluded = [e for e in excluded if e.code in codes]
        if not returns:
            years = "、".join(f"{y}年" for y in period.years)
            raise NoReturns(f"“{node.name}”所属的支部还没有报送{years}的台账，无法统计。")
    stats = compute(returns, items, period, ws.settings, as_of=as_of, statuses=loaded.statuses,
                    excluded=excluded, definitions=ws.definitions)
    group_by_tree(stats, tree, node.code if node else "")
    stats.strict = strict
    for s in stats.per_year.values():
        s.strict = strict
    return stats


def group_by_tree(stats: Stats, tree: Any, unit: str = "") -> Stats:
    """Place the branches of `stats` in `tree` (a hierarchy.Tree) below `unit`: each branch's
    `parent` and `group`, and `stats.groups` with the subtotal of every node below `unit` (for
    every year of a term too). Returns `stats`."""
    by_code = {b.code: b for b in stats.per_branch}
    for b in stats.per_branch:
        u = tree.get(b.code)
        b.parent = u.parent if u is not None else ""
        b.group = "／".join(x.name for x in tree.group_path(b.code, unit))
    stats.groups = []
    for node in tree.nodes(unit):
        members = [by_code[u.code] for u in tree.branches(node.code) if u.code in by_code]
        total = _total(members, _total_status(members))
        total.name = node.name
        stats.groups.append(GroupStats(node.code, node.name, node.kind, node.parent if node.parent != unit else "",
                                       len(tree.group_path(node.code, unit)), [m.code for m in members], total))
    top = tree.get(unit) if unit else None
    stats.unit, stats.unit_name = (top.code, top.name) if top is not None else ("", "")
    for s in stats.per_year.values():
        group_by_tree(s, tree, unit)
    return stats


def _store_statuses(store: Any, year: int) -> dict[str, dict[str, Any]]:
    """Statuses of a year other than the workspace's round (no deadline known: on time unknown)."""
    out: dict[str, dict[str, Any]] = {}
    for sub in store.submissions(year=year):
        entry = out.setdefault(sub.branch_code, {"submissions": 0})
        entry["submissions"] += 1
        if sub.is_current:
            entry.update(state=NEEDS_FIX if sub.errors else RETURNED, on_time=None,
                         returned_at=sub.submitted_at, errors=sub.errors, warnings=sub.warnings,
                         verified=sub.verified)
    return out
