"""三会一课, meeting by meeting: attendance, quorum, and 应到人数 against the roster.

How often each kind of meeting was held is `validate.frequency`'s (over `party.frequency`).
"""

from __future__ import annotations

from collections.abc import Iterator

from taizhang import catalog
from taizhang.party.calendar import cn_date
from taizhang.problems import Problem
from taizhang.records import date_of, int_of, text_of
from taizhang.validate.context import Context, check

MEETINGS = "meetings"
GENERAL = "支部党员大会"


@check("MEET-NONE-Y")
def check_none(ctx: Context) -> Iterator[Problem]:
    """A year that is over with not one 三会一课 recorded: a blank return, not a branch that held
    none (the frequency rules count the shortfall of a branch that recorded some)."""
    if ctx.present(MEETINGS) and ctx.year_over and not ctx.rows(MEETINGS):
        yield catalog.make("MEET-NONE-Y", year=ctx.year, **ctx.where(MEETINGS))


@check("MEET-ATTEND")
def check_attend(ctx: Context) -> Iterator[Problem]:
    """实到人数 above 应到人数."""
    for row in ctx.rows(MEETINGS):
        expected, present = int_of(row, "expected"), int_of(row, "present")
        if expected is None or present is None or expected < 0 or present < 0:
            continue  # a negative count is CELL-NEGATIVE's
        if present > expected:
            yield catalog.make("MEET-ATTEND", value=present, expected=expected, present=present,
                               **ctx.where(MEETINGS, row, "present"))


@check("MEET-QUORUM")
def check_quorum(ctx: Context) -> Iterator[Problem]:
    """A 支部党员大会 attended by no more than half of those expected (exactly half fails)."""
    for row in ctx.rows(MEETINGS):
        if text_of(row, "meeting_type") != GENERAL:
            continue
        expected, present = int_of(row, "expected"), int_of(row, "present")
        if expected is None or present is None or expected <= 0:
            continue
        needed = expected // 2 + 1
        if present < needed:
            yield catalog.make("MEET-QUORUM", value=present, expected=expected, present=present, needed=needed,
                               **ctx.where(MEETINGS, row, "present"))


@check("MEET-EXPECTED")
def check_expected(ctx: Context) -> Iterator[Problem]:
    """应到人数 of a 支部党员大会 differs from the members in standing when the meeting began
    (`Roster.expected`: a 发展对象 admitted at the meeting is not yet among them).

    Members whose dates leave it open (no 入党日期, a 转入/转出 without 变动日期) make the count
    a range; only an 应到人数 outside the range is reported.
    """
    if not ctx.roster.usable:
        return
    for row in ctx.rows(MEETINGS):
        day = date_of(row, "date")
        expected = int_of(row, "expected")
        if text_of(row, "meeting_type") != GENERAL or day is None or expected is None:
            continue
        sure, unsure = ctx.roster.expected(day)
        if sure <= expected <= sure + unsure:
            continue
        count = str(sure) if not unsure else f"{sure}至{sure + unsure}"
        yield catalog.make("MEET-EXPECTED", value=expected, expected=expected, date=cn_date(day), roster=count,
                           **ctx.where(MEETINGS, row, "expected"))
