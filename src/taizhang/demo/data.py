"""Realistic data for the demo: a fictional 机关党委, its branches, and a year of each branch's ledgers.

Everything here is plain data and deterministic for a seed: every random choice is drawn from the
`random.Random` passed in, nothing reads the clock or global state. `generate_branch` returns what a
branch would type into its workbook (`BranchFill`), consistent across the sheets: the people on the
dues sheet are the people on the roster, those admitted this year are 预备党员 on the roster, the
attendance of every 支部党员大会 matches the members in standing that day, and so on. A few cells are
typed the way people really type them (dates as "2025.3.5" or "2025年3月5日", money as "6,842.50",
names with full-width spaces): the reader accepts them with a 提示.

`plant_mistakes` then puts a handful of realistic mistakes into three or four branches and records
exactly where, so that tests can check the validator finds exactly those."""


from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from taizhang.demo.dues import dues_rows
from taizhang.demo.events import activity_rows, meeting_rows, summary_form
from taizhang.demo.mistakes import PlantedMistake, make_messy, plant_mistakes
from taizhang.demo.organisation import (
    BranchFill,
    BranchRow,
    branch_profile,
    demo_branches,
    demo_organisation,
)
from taizhang.demo.people import (
    Ctx,
    NameSource,
    assign_posts,
    build_core,
    build_transfers,
    roster_rows,
)
from taizhang.demo.recruits import build_recruits, fill_recruit_people, recruitment_rows
from taizhang.demo.themes import add_themes
from taizhang.party.hosts import name_key

# --------------------------------------------------------------------------------------------
# A branch's year
# --------------------------------------------------------------------------------------------


def generate_branch(rng: random.Random, branch: Any, year: int, as_of: date, *,
                    size: int | None = None, profile: str | None = None) -> BranchFill:
    """One branch's filled ledgers for `year` as known on `as_of`.

    `branch` is a `BranchRow` or a `branches.Branch` (code, name, secretary, contact). Events lie
    within `year` and on or before `as_of`. `size` (roster rows) and `profile` (regular, small,
    big, retired, student) override what `branch_profile` gives for the branch's name; the
    benchmarks use them to generate committees of any size. Returns a `BranchFill` keyed by
    ledger id (roster, meetings, activities, dues, recruitment) with the 年度小结 in `summary`.
    """
    return branch_fill(start_branch(rng, branch, year, as_of, size=size, profile=profile))


def start_branch(rng: random.Random, branch: Any, year: int, as_of: date, *,
                 size: int | None = None, profile: str | None = None) -> Ctx:
    """A branch's people in its first demo year: established members, the recruitment pipeline
    (dates filled in backwards from the stage reached), transfers and posts. `branch_fill` turns
    it into the year's ledgers; `demo.years.next_year` carries it into the next year."""
    profile_of_name, size_range, lazy = branch_profile(branch)
    profile = profile or profile_of_name
    if size is not None:
        size_range = (size, size)
    secretary = name_key(branch.secretary) or "王建国"
    contact = name_key(branch.contact) or secretary
    ctx = Ctx(
        rng=rng, code=branch.code, name=branch.name, year=year, as_of=as_of, profile=profile,
        lazy=lazy, names=NameSource(rng, [secretary, contact]), secretary=secretary, contact=contact,
    )
    size = rng.randint(*size_range)
    build_recruits(ctx)
    build_transfers(ctx)
    admitted = [r for r in ctx.recruits if r.get("admitted") is not None]
    build_core(ctx, max(size - len(admitted) - len(ctx.transfers), 3))
    fill_recruit_people(ctx)  # established members first, then those admitted through the pipeline
    ctx.members.extend(ctx.transfers)
    assign_posts(ctx)
    return ctx


def branch_fill(ctx: Ctx) -> BranchFill:
    """What the branch of `ctx` types into its workbook for `ctx.year`: every ledger's rows,
    consistent across the sheets, and the 年度小结; a few cells typed the way people type."""
    meetings = meeting_rows(ctx)
    activities = activity_rows(ctx)
    roster = roster_rows(ctx)
    dues = dues_rows(ctx)
    recruitment = recruitment_rows(ctx)
    summary = summary_form(ctx, meetings, activities, recruitment)
    fill = BranchFill(
        ledgers={
            "roster": roster, "meetings": meetings, "activities": activities,
            "dues": dues, "recruitment": recruitment,
        },
        summary=summary, code=ctx.code, year=ctx.year, as_of=ctx.as_of, profile=ctx.profile, lazy=ctx.lazy,
    )
    add_themes(ctx, fill)  # template 2026.1's additions, from a generator of their own
    make_messy(ctx, fill)
    return fill


# --------------------------------------------------------------------------------------------
# Everything at once
# --------------------------------------------------------------------------------------------


@dataclass
class DemoData:
    """The whole demo dataset for one seed."""

    organisation: dict[str, str]
    branches: list[BranchRow]
    fills: dict[str, BranchFill]
    mistakes: list[PlantedMistake]


def build_dataset(seed: int, year: int, as_of: date) -> DemoData:
    """Organisation, branches, every branch's fill and the planted mistakes for `seed`."""
    rng = random.Random(seed)
    branches = demo_branches(rng)
    fills = {b.code: generate_branch(rng, b, year, as_of) for b in branches}
    mistakes = plant_mistakes(rng, fills, year)
    return DemoData(demo_organisation(), branches, fills, mistakes)
