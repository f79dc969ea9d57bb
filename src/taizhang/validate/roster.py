"""党员名册: not empty, and member by member the 党员类别 against the 转正日期.

`party.members` decides who is a full member from the 转正日期 wherever one is filled in, so a
roster that still lists someone as 预备党员 after the date (or as 正式党员 before it) is counted
by the date everywhere; this check tells the branch once, so that the ledger says what the
statistics count.
"""

from __future__ import annotations

from collections.abc import Iterator

from taizhang import catalog
from taizhang.party.calendar import cn_date
from taizhang.problems import Problem
from taizhang.validate.context import Context, check

ROSTER = "roster"


@check("ROSTER-FULL-DATE")
def check_type_against_date(ctx: Context) -> Iterator[Problem]:
    """A 党员类别 contradicted by the 转正日期 at the roster's day (the year's end, or `as_of`)."""
    day = ctx.snapshot
    for member in ctx.roster.members:
        if not member.current or member.full_date is None:
            continue
        by_date = member.contradiction(day)
        if by_date is None:
            continue
        passed = "已过" if member.full_date <= day else "还未到"
        yield catalog.make(
            "ROSTER-FULL-DATE", value=member.member_type, name=member.name or f"第{member.row.excel_row}行的党员",
            member_type=member.member_type, full_date=cn_date(member.full_date), passed=passed,
            day=cn_date(day), expected=by_date, **ctx.where(ROSTER, member.row, "member_type"),
        )


@check("ROSTER-EMPTY")
def check_not_empty(ctx: Context) -> Iterator[Problem]:
    """A 党员名册 sheet with no member on it (a missing sheet is SHEET-MISSING's): every figure of
    the branch — members, committee, dues, 应到人数 — would be counted from nothing."""
    if ctx.present(ROSTER) and not ctx.rows(ROSTER):
        yield catalog.make("ROSTER-EMPTY", **ctx.where(ROSTER))
