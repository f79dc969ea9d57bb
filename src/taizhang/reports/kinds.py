"""The six report kinds: what each covers, which periods it takes, its template and its file name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taizhang.errors import InputError
from taizhang.party.periods import QUARTER, YEAR, YEARS, Period

BRANCH, COMMITTEE = "branch", "committee"


@dataclass(frozen=True)
class ReportKind:
    """One kind of report: its name (also the template's file name), scope and periods."""

    id: str
    name: str
    scope: str  # BRANCH: one report per branch; COMMITTEE: one report for the whole workspace
    periods: tuple[str, ...]  # the period kinds it accepts (periods.YEAR, QUARTER, YEARS)
    aliases: tuple[str, ...]
    description: str

    @property
    def short(self) -> str:
        """The shortest name it can be written as (年度, 季度, 换届, 述职, 总结, 通报)."""
        return min(self.aliases, key=len)

    @property
    def template_name(self) -> str:
        """The template's file name in report_templates/."""
        return f"{self.name}.docx"

    def default_period(self, year: int, as_of: date) -> Period:
        """The period used when none is given: the workspace's year; for the quarterly report the
        last quarter of that year that has ended by `as_of` (the first quarter when none has);
        for the term report the three years ending with the workspace's year."""
        if self.periods[0] == QUARTER:
            ended = [q for q in range(1, 5) if Period.quarter(year, q).end < as_of]
            return Period.quarter(year, ended[-1] if ended else 1)
        if self.periods[0] == YEARS:
            return Period.years_between(year - 2, year)
        return Period.year(year)

    def check_period(self, period: Period) -> None:
        """Raise InputError when this kind cannot cover `period`."""
        if period.kind in self.periods:
            return
        wanted = {YEAR: "一个年度（如 2025）", QUARTER: "一个季度（如 2025Q3）",
                  YEARS: "几个年度（如 2023-2025）"}
        allowed = "或".join(wanted[k] for k in self.periods)
        raise InputError(f"{self.name}的统计期间应为{allowed}，不能是“{period.label}”。")


KINDS: tuple[ReportKind, ...] = (
    ReportKind("branch-annual", "支部年度工作报告", BRANCH, (YEAR,), ("年度报告", "年度", "年报"),
               "每个支部一份：全年“三会一课”、组织生活、党费、发展党员情况，问题和打算。"),
    ReportKind("branch-quarterly", "支部季度工作情况报告", BRANCH, (QUARTER,), ("季度报告", "季度", "季报"),
               "每个支部一份：本季度工作情况、存在问题和下季度工作计划。"),
    ReportKind("branch-term", "支部换届工作报告", BRANCH, (YEARS, YEAR), ("换届报告", "换届"),
               "每个支部一份：任期内逐年和合计的工作情况，供换届选举时审议。"),
    ReportKind("secretary", "支部书记抓党建工作述职报告", BRANCH, (YEAR,), ("述职报告", "述职"),
               "每个支部书记一份：抓党建工作的情况、问题和打算。"),
    ReportKind("committee-annual", "党委年度党建工作总结", COMMITTEE, (YEAR,),
               ("党委总结", "年度总结", "总结", "党建工作总结"),
               "全单位一份：各支部汇总的数字、分支部表格和图表、存在问题和下一年计划。"),
    ReportKind("inspection", "台账检查情况通报", COMMITTEE, (YEAR,), ("检查通报", "通报"),
               "全单位一份：按时、逾期、未报送的支部，检查发现的主要问题。"),
)


def find_kind(text: str) -> ReportKind:
    """The kind named by `text` (its Chinese name, an alias such as 年度/季度/换届/述职/总结/通报,
    or its id); InputError listing the kinds otherwise."""
    key = str(text).strip().removesuffix(".docx")
    for kind in KINDS:
        if key in (kind.name, kind.id, *kind.aliases):
            return kind
    raise InputError(f"没有“{text}”这种报告。可以生成的报告有：{kinds_text()}。")


def kinds_text() -> str:
    """Every kind with its short name: "支部年度工作报告（年度）、…"."""
    return "、".join(f"{k.name}（{k.short}）" for k in KINDS)
