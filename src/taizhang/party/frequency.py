"""How often each meeting and activity is required, and how it is counted.

《中国共产党支部工作条例（试行）》(2018) 第十二条、第十六条 and widespread local rules (the design
notes on the rules, MEET-* and LIFE-*): 支部党员大会 and 党课 once a quarter; 支委会 once a month
where the branch has a committee; 党小组会 once a month for each 党小组; 主题党日 every month;
书记讲党课, 组织生活会, 民主评议党员 and 谈心谈话 at least once a year. Every number is a
`[frequency]` setting; a rule switched off in `[rules.severity]` is not counted.

A rule is counted unit by unit (month, quarter or year) over the part of the period that has
passed: a unit counts once it has ended (`Period.clip`), a quarter or year only when wholly
inside the period. It is met when every passed unit had at least the required number. Whether it
applies at all is decided on the roster at the end of the passed part: the 支委会 rule needs a
committee (`members.committee_required`), the 党小组会 rule needs 党小组 (and requires one meeting
per group), the 书记讲党课 rule needs a 书记 on the roster (CROSS-SECRETARY reports a missing one).

`assess` answers all of it once; the validator words a shortfall as a problem, the statistics as
a 达标/未达标 row, the reports as a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from taizhang.party.hosts import hosted_by
from taizhang.party.members import Roster, committee_min
from taizhang.party.periods import Period
from taizhang.records import Row, date_of, text_of

MONTH, QUARTER, YEAR = "month", "quarter", "year"
UNIT_WORD = {MONTH: "月", QUARTER: "季度", YEAR: "年"}
UNIT_NAME = {MONTH: "月份", QUARTER: "季度", YEAR: "年度"}


@dataclass(frozen=True)
class FrequencyRule:
    """One frequency requirement: which rows it counts and per what unit."""

    rule_id: str
    name: str  # what is counted, as a document names it (支部党员大会, 书记讲党课 …)
    unit: str  # month / quarter / year
    setting: str  # the `[frequency]` key of the number required per unit
    ledger: str  # meetings / activities
    type_key: str  # meeting_type / activity_type
    kind: str  # the type value counted
    per_group: bool = False  # required once per 党小组
    by_secretary: bool = False  # only those hosted (taught) by the branch's 书记
    needs_committee: bool = False  # only where the branch must have a committee
    default: int = 1

    def per_unit(self, settings: Any) -> int:
        """The number required per unit (per group for the 党小组 rule), from the settings."""
        try:
            return int(settings.frequency.get(self.setting, self.default))
        except (TypeError, ValueError, AttributeError):
            return self.default

    def title(self, settings: Any) -> str:
        """"支部党员大会（每季度至少1次）", "党小组会（每个党小组每月至少1次）"."""
        every = "每个党小组每月" if self.per_group else f"每{UNIT_WORD[self.unit]}"
        return f"{self.name}（{every}至少{self.per_unit(settings)}次）"

    def counts(self, row: Row, secretaries: set[str]) -> bool:
        """Whether a row of its ledger is one of the meetings (activities) this rule counts."""
        if text_of(row, self.type_key) != self.kind:
            return False
        return not self.by_secretary or hosted_by(text_of(row, "host"), secretaries)


_M, _A = ("meetings", "meeting_type"), ("activities", "activity_type")
RULES: tuple[FrequencyRule, ...] = (
    FrequencyRule("MEET-GM-Q", "支部党员大会", QUARTER, "general_meeting_per_quarter", *_M, "支部党员大会"),
    FrequencyRule("MEET-CMTE-M", "支委会", MONTH, "committee_per_month", *_M, "支委会", needs_committee=True),
    FrequencyRule("MEET-GROUP-M", "党小组会", MONTH, "group_per_month", *_M, "党小组会", per_group=True),
    FrequencyRule("MEET-LECTURE-Q", "党课", QUARTER, "lecture_per_quarter", *_M, "党课"),
    FrequencyRule("MEET-LECTURE-SEC", "书记讲党课", YEAR, "secretary_lectures_per_year", *_M, "党课",
                  by_secretary=True),
    FrequencyRule("LIFE-THEME-M", "主题党日", MONTH, "theme_day_per_month", *_A, "主题党日"),
    FrequencyRule("LIFE-OLM-Y", "组织生活会", YEAR, "life_meeting_per_year", *_A, "组织生活会"),
    FrequencyRule("LIFE-REVIEW-Y", "民主评议党员", YEAR, "review_per_year", *_A, "民主评议党员"),
    FrequencyRule("LIFE-TALK-Y", "谈心谈话", YEAR, "talk_per_year", *_A, "谈心谈话"),
)
BY_ID = {r.rule_id: r for r in RULES}
RULE_IDS = tuple(BY_ID)


def units(period: Period, unit: str) -> list[Period]:
    """The months, the quarters wholly inside, or the years wholly inside `period`, in order."""
    if unit == MONTH:
        return [Period.months_between((y, m), (y, m)) for y, m in period.months()]
    if unit == QUARTER:
        return [Period.quarter(y, q) for y, q in period.quarters()]
    return [Period.year(y) for y in period.whole_years()]


@dataclass
class Assessment:
    """One rule over the passed part of a period: whether it applies, and each passed unit with
    the number held in it."""

    rule: FrequencyRule
    title: str
    applies: bool
    reason: str = ""  # why it does not apply
    need: int = 0  # required per unit (per unit × groups for the 党小组 rule)
    held_per_unit: list[tuple[Period, int]] = field(default_factory=list)
    groups: int = 0
    secretaries: list[str] = field(default_factory=list)

    @property
    def required(self) -> int:
        """Required over the passed units."""
        return self.need * len(self.held_per_unit)

    @property
    def held(self) -> int:
        """Held over the passed units."""
        return sum(n for _, n in self.held_per_unit)

    @property
    def short(self) -> list[tuple[Period, int]]:
        """The passed units with fewer than required, with what they had."""
        return [(u, n) for u, n in self.held_per_unit if n < self.need]

    @property
    def met(self) -> bool:
        """True when it does not apply, or every passed unit had enough."""
        return not self.applies or not self.short


def assess(rule: FrequencyRule, rows: list[Row], roster: Roster, part: Period, elapsed: Period | None,
           settings: Any) -> Assessment:
    """`rule` over `rows` (the rows of its ledger) for the period `part`, of which `elapsed` has
    passed (None: nothing yet), the roster questions asked at the end of `elapsed`."""
    per = rule.per_unit(settings)
    out = Assessment(rule, rule.title(settings), applies=False)
    passed = units(elapsed, rule.unit) if elapsed is not None else []
    if settings.rule_severity(rule.rule_id) is None:
        out.reason = "本单位设置中已关闭此项检查"
    elif per <= 0:
        out.reason = "本单位设置为不检查次数"
    elif not units(part, rule.unit):
        out.reason = f"统计期间不含完整的{UNIT_NAME[rule.unit]}，不计算"
    elif elapsed is None:
        out.reason = "统计期间内还没有已结束的月份"
    elif not passed:
        out.reason = f"统计期间内还没有已结束的{UNIT_NAME[rule.unit]}"
    if out.reason:
        return out
    assert elapsed is not None
    day = elapsed.end
    if rule.needs_committee and not roster.has_committee(day, settings):
        out.reason = f"正式党员{roster.full_members(day)}人，不足{committee_min(settings)}人，不设支委会"
        return out
    need = per
    if rule.per_group:
        out.groups = len(roster.groups(day))
        if not out.groups:
            out.reason = "党员名册中没有党小组"
            return out
        need = per * out.groups
    keys: set[str] = set()
    if rule.by_secretary:
        found = roster.secretaries(day)
        if not found:
            out.reason = "党员名册中没有书记"
            return out
        out.secretaries = [m.name for m in found]
        keys = {m.key for m in found}
    dates = [d for row in rows if rule.counts(row, keys) and (d := date_of(row, "date")) is not None]
    out.applies, out.need = True, need
    out.held_per_unit = [(u, sum(1 for d in dates if u.contains(d))) for u in passed]
    return out
