"""三会一课: attendance and quorum per meeting, and how often each kind of meeting was held.

Frequencies are counted per month or quarter over the part of the year that has passed at
`as_of` (a month or quarter not yet ended is never checked); each passed period needs at least
the number the settings require, and a shortfall names the periods that fell short. The
secretary's 党课 is a yearly check and waits until the year is over.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from taizhang import catalog
from taizhang.party.calendar import cn_date, month_end, months_text, quarters_text
from taizhang.problems import Problem
from taizhang.validate.context import (
    Context,
    check,
    date_of,
    int_of,
    name_key,
    split_names,
    text_of,
)

MEETINGS = "meetings"
GENERAL, COMMITTEE, GROUP, LECTURE = "支部党员大会", "支委会", "党小组会", "党课"


# --- per meeting ---------------------------------------------------------------------------
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
    """应到人数 of a 支部党员大会 differs from the members on the roster on that day.

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
        sure = unsure = 0
        for member in ctx.roster.members:
            state = member.on(day)
            if state is None:
                unsure += 1
            elif state:
                sure += 1
        if sure <= expected <= sure + unsure:
            continue
        count = str(sure) if not unsure else f"{sure}至{sure + unsure}"
        yield catalog.make("MEET-EXPECTED", value=expected, expected=expected, date=cn_date(day), roster=count,
                           **ctx.where(MEETINGS, row, "expected"))


# --- frequencies ---------------------------------------------------------------------------
def count_per_period(ctx: Context, rule_id: str, ledger_id: str, type_key: str, kind: str, unit: str,
                     per: int, *, extra: dict[str, Any] | None = None) -> Iterator[Problem]:
    """One problem for `rule_id` when a passed month (unit="month") or quarter (unit="quarter")
    of the year had fewer than `per` rows of type `kind`; nothing when no period has passed."""
    if per <= 0 or not ctx.present(ledger_id):
        return
    if unit == "month":
        periods = [(m, m, m) for m in range(1, ctx.months_passed + 1)]
    else:
        periods = [(q, 3 * q - 2, 3 * q) for q in range(1, ctx.months_passed // 3 + 1)]
    if not periods:
        return
    months: dict[int, int] = {}
    for row in ctx.rows(ledger_id):
        day = date_of(row, "date")
        if text_of(row, type_key) != kind or day is None or not ctx.in_year(day):
            continue
        months[day.month] = months.get(day.month, 0) + 1
    held = 0
    none: list[int] = []
    few: dict[int, list[int]] = {}
    for label, first, last in periods:
        n = sum(months.get(m, 0) for m in range(first, last + 1))
        held += n
        if n == 0:
            none.append(label)
        elif n < per:
            few.setdefault(n, []).append(label)
    if not none and not few:
        return
    text = months_text if unit == "month" else quarters_text
    parts = [f"{text(none)}没有"] if none else []
    parts += [f"{text(labels)}只有{n}次" for n, labels in sorted(few.items())]
    last_month = periods[-1][2]
    yield catalog.make(
        rule_id, sheet=ctx.sheet(ledger_id), until=cn_date(month_end(ctx.year, last_month)),
        required=per * len(periods), held=held, detail=f"（{'，'.join(parts)}）", **(extra or {}),
    )


@check("MEET-GM-Q")
def check_general_meetings(ctx: Context) -> Iterator[Problem]:
    """支部党员大会 in every passed quarter."""
    yield from count_per_period(ctx, "MEET-GM-Q", MEETINGS, "meeting_type", GENERAL, "quarter",
                                ctx.frequency("general_meeting_per_quarter"))


@check("MEET-CMTE-M")
def check_committee(ctx: Context) -> Iterator[Problem]:
    """支委会 in every passed month, for a branch with enough full members to have a committee."""
    if not ctx.roster.present:
        return
    full = sum(1 for m in ctx.roster.members if m.current and m.full)
    if full < ctx.frequency("committee_min_full_members", 7):
        return
    yield from count_per_period(ctx, "MEET-CMTE-M", MEETINGS, "meeting_type", COMMITTEE, "month",
                                ctx.frequency("committee_per_month"))


@check("MEET-GROUP-M")
def check_groups(ctx: Context) -> Iterator[Problem]:
    """党小组会 in every passed month, each 党小组 of the roster once (as statistics counts it)."""
    groups = {name_key(m.group) for m in ctx.roster.members if m.current and m.group}
    if not groups:
        return
    yield from count_per_period(ctx, "MEET-GROUP-M", MEETINGS, "meeting_type", GROUP, "month",
                                ctx.frequency("group_per_month") * len(groups), extra={"groups": len(groups)})


@check("MEET-LECTURE-Q")
def check_lectures(ctx: Context) -> Iterator[Problem]:
    """党课 in every passed quarter."""
    yield from count_per_period(ctx, "MEET-LECTURE-Q", MEETINGS, "meeting_type", LECTURE, "quarter",
                                ctx.frequency("lecture_per_quarter"))


@check("MEET-LECTURE-SEC")
def check_secretary_lecture(ctx: Context) -> Iterator[Problem]:
    """At least the required number of 党课 given by the roster's 书记, once the year is over."""
    required = ctx.frequency("secretary_lectures_per_year")
    if required <= 0 or not ctx.year_over or not ctx.present(MEETINGS):
        return
    secretaries = ctx.roster.secretaries()
    if not secretaries:  # no 书记 on the roster: CROSS-SECRETARY says so
        return
    keys = {m.key for m in secretaries}
    held = sum(
        1 for row in ctx.rows(MEETINGS)
        if text_of(row, "meeting_type") == LECTURE and ctx.in_year(date_of(row, "date"))
        and keys & {name_key(n) for n in split_names(text_of(row, "host"))}
    )
    if held >= required:
        return
    detail = "没有讲党课的记录" if held == 0 else f"讲党课只有{held}次"
    yield catalog.make("MEET-LECTURE-SEC", sheet=ctx.sheet(MEETINGS), required=required,
                       secretary="、".join(m.name for m in secretaries), detail=detail)

