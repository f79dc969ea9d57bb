"""The 年度小结's 支委会 figures and the 季度小结's one row per quarter.

SUM-CMTE-FILLED: 实配支委人数 more than 支委会职数 (both given). QUARTER-REPEATED: a quarter
written on two rows of 季度小结 (the second and later rows are named; the quarterly report would
not know which to use). Both are silent when the sheet or column is absent (an older template).
"""

from __future__ import annotations

from collections.abc import Iterator

from taizhang import catalog
from taizhang.problems import Problem
from taizhang.records import int_of, text_of
from taizhang.validate.context import Context, check

SUMMARY = "summary"
QUARTERLY = "quarterly"


@check("SUM-CMTE-FILLED")
def check_committee_filled(ctx: Context) -> Iterator[Problem]:
    """实配支委人数 must not exceed 支委会职数."""
    rows = ctx.rows(SUMMARY)
    if not rows:
        return
    row = rows[0]
    posts, filled = int_of(row, "committee_posts"), int_of(row, "committee_filled")
    if posts is None or filled is None or filled <= posts:
        return
    yield catalog.make("SUM-CMTE-FILLED", value=filled, filled=filled, posts=posts,
                       **ctx.where(SUMMARY, row, "committee_filled"))


@check("QUARTER-REPEATED")
def check_quarter_once(ctx: Context) -> Iterator[Problem]:
    """Each quarter on one row of 季度小结."""
    first: dict[str, int] = {}
    for row in ctx.rows(QUARTERLY):
        quarter = text_of(row, "quarter")
        if not quarter:
            continue
        if quarter in first:
            yield catalog.make("QUARTER-REPEATED", value=quarter, quarter=quarter, first=first[quarter],
                               **ctx.where(QUARTERLY, row, "quarter"))
        else:
            first[quarter] = row.excel_row
