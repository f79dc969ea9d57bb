"""组织生活: 主题党日 every passed month; 组织生活会, 民主评议党员 and 谈心谈话 once a year.

The yearly checks fire only when the whole ledger year has passed at `as_of` (a return collected
in January for the year before). Earlier in the year the branch still has time, and many
branches hold their 组织生活会 and 民主评议 in the fourth quarter.
"""

from __future__ import annotations

from collections.abc import Iterator

from taizhang import catalog
from taizhang.problems import Problem
from taizhang.validate.context import Context, check, date_of, text_of
from taizhang.validate.meetings import count_per_period

ACTIVITIES = "activities"


@check("LIFE-THEME-M")
def check_theme_day(ctx: Context) -> Iterator[Problem]:
    """主题党日 in every passed month."""
    yield from count_per_period(ctx, "LIFE-THEME-M", ACTIVITIES, "activity_type", "主题党日", "month",
                                ctx.frequency("theme_day_per_month"))


def _yearly(ctx: Context, rule_id: str, kind: str, setting: str) -> Iterator[Problem]:
    required = ctx.frequency(setting)
    if required <= 0 or not ctx.year_over or not ctx.present(ACTIVITIES):
        return
    held = sum(1 for row in ctx.rows(ACTIVITIES)
               if text_of(row, "activity_type") == kind and ctx.in_year(date_of(row, "date")))
    if held >= required:
        return
    detail = f"没有{kind}的记录" if held == 0 else f"只登记了{held}次"
    yield catalog.make(rule_id, sheet=ctx.sheet(ACTIVITIES), year=ctx.year, required=required, held=held,
                       detail=detail)


@check("LIFE-OLM-Y")
def check_life_meeting(ctx: Context) -> Iterator[Problem]:
    """组织生活会 in the year."""
    yield from _yearly(ctx, "LIFE-OLM-Y", "组织生活会", "life_meeting_per_year")


@check("LIFE-REVIEW-Y")
def check_review(ctx: Context) -> Iterator[Problem]:
    """民主评议党员 in the year."""
    yield from _yearly(ctx, "LIFE-REVIEW-Y", "民主评议党员", "review_per_year")


@check("LIFE-TALK-Y")
def check_talks(ctx: Context) -> Iterator[Problem]:
    """谈心谈话 in the year."""
    yield from _yearly(ctx, "LIFE-TALK-Y", "谈心谈话", "talk_per_year")
