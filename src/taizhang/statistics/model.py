"""The figures as plain data: membership, meetings, activities, dues, recruitment, compliance and
return status per branch, their totals, and `Stats` for a period. Every `to_dict()` is JSON-ready."""


from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from taizhang.errors import TaizhangError
from taizhang.party.periods import Period
from taizhang.party.recruitment import PIPELINE
from taizhang.vocabulary import MISSING, ON_TIME, OVERDUE, STATES

# --- vocabulary ------------------------------------------------------------------------------
UNKNOWN = "未填"
GENDERS = ("男", "女")
AGE_BANDS = ("30岁及以下", "31至40岁", "41至50岁", "51至60岁", "61岁及以上")
EDUCATION = ("研究生", "大学本科", "大学专科", "中等专科", "高中", "初中及以下")
ACTIVITY_TYPES = ("主题党日", "组织生活会", "民主评议党员", "谈心谈话", "集中学习研讨", "参观见学",
                  "重温入党誓词", "政治生日", "警示教育", "志愿服务", "其他")
MEETING_TYPES = ("支部党员大会", "支委会", "党小组会", "党课")


CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)


class NoReturns(TaizhangError):
    """No return has been collected for the period asked about."""




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
        return ON_TIME if self.on_time else OVERDUE

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
    has_committee: bool = False  # enough full members for a 支部委员会 (party.members)
    years_returned: list[int] = field(default_factory=list)
    stock_year: int | None = None  # the year whose return gave the members and the pipeline (its year end or snapshot)
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
                "returned": self.returned, "excluded": self.excluded, "has_committee": self.has_committee,
                "years_returned": list(self.years_returned), "stock_year": self.stock_year,
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
