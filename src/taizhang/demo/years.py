"""The demo over several years: the same branch, its people carried from one year to the next.

`next_year` starts a branch's year from the one before, asking `party/` the questions the office
asks when it issues the new year's workbooks: who is carried on the roster
(`party.members.carry_forward`), who is still in the pipeline (`party.recruitment.still_in_pipeline`),
when a 预备党员 may become a full member and an activist a 发展对象 (`party.recruitment`). Then the
year moves on the way a branch's does: 预备党员 are confirmed a year after their admission,
发展对象 are admitted, activists of more than a year become 发展对象, applicants become
activists, new people apply, one member leaves and another transfers in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from taizhang.demo.data import branch_fill, start_branch
from taizhang.demo.organisation import BranchFill
from taizhang.demo.people import (
    Ctx,
    Member,
    add_months,
    assign_posts,
    build_transfers,
    has_committee,
    roster_rows,
)
from taizhang.demo.recruits import name_recruits
from taizhang.party import recruitment as rules
from taizhang.party.members import Roster, carry_forward, committee_required, full_on
from taizhang.party.recruitment import stage_on, still_in_pipeline
from taizhang.records import Row
from taizhang.workspace import config

GROUPS_OF_BIG = ("第一党小组", "第二党小组", "第三党小组", "第四党小组")


def _row(values: dict[str, Any]) -> Row:
    return Row(excel_row=0, values=values)


def next_year(prev: Ctx, as_of: date) -> Ctx:
    """The branch of `prev` in the year after, as known on `as_of` (see the module docstring)."""
    year = prev.year + 1
    ctx = Ctx(rng=prev.rng, code=prev.code, name=prev.name, year=year, as_of=as_of, profile=prev.profile,
              lazy=prev.lazy, names=prev.names, secretary=prev.secretary, contact=prev.contact)
    year_end = date(prev.year, 12, 31)
    by_name = {m.name: m for m in prev.members}
    roster = Roster.of_rows([_row(r) for r in roster_rows(prev)])
    for carried in carry_forward(roster, prev.year, date(year, 1, 20)):
        m = by_name[carried.member.name]
        moved_in = m.standing == "转入" and carried.standing == "在册"
        ctx.members.append(dataclasses.replace(
            m, standing=carried.standing, change=carried.change_date, core=True,
            note="" if moved_in else m.note))
    ctx.recruits = [dict(r) for r in prev.recruits if still_in_pipeline(_row(r), year_end)]
    settings = config.defaults(year)
    new: list[dict[str, Any]] = []
    for rec in ctx.recruits:
        _advance(ctx, rec, settings)
    for _ in range(_applicants(ctx)):
        applied = ctx.workday(ctx.end - timedelta(days=200), ctx.end - timedelta(days=5))
        if applied is not None:
            rec = {"stage": "入党申请人", "applied": applied, "_id": f"r{year}-{len(new)}"}
            talked = applied + timedelta(days=ctx.rng.randint(6, 25))
            if talked <= ctx.end:
                rec["talked"] = talked
            new.append(rec)
    name_recruits(ctx, new, _full_members(ctx, ctx.end))
    ctx.recruits += new
    named = _named(ctx) | {ctx.secretary, ctx.contact}
    leaving = [m for m in ctx.members if m.core and m.post == "党员" and m.standing == "在册" and m.full is not None
               and m.join < date(prev.year - 1, 1, 1) and not m.note.endswith("组长") and m.name not in named]
    build_transfers(ctx, leaving)
    ctx.members += ctx.transfers
    _posts(ctx)
    return ctx


def _full_members(ctx: Ctx, day: date) -> list[Member]:
    return [m for m in ctx.roster_at(day) if full_on(m.member_type, m.full, day) and m.standing == "在册"]


def _named(ctx: Ctx) -> set[str]:
    """Members named in the pipeline as 培养联系人 or 入党介绍人 (they stay in the branch)."""
    out: set[str] = set()
    for rec in ctx.recruits:
        for key in ("contact", "sponsors"):
            out.update(str(rec.get(key) or "").split("、"))
    return out


def _applicants(ctx: Ctx) -> int:
    if ctx.profile == "retired":
        return 0
    return 1 if ctx.lazy else ctx.rng.randint(1, 2)


def _advance(ctx: Ctx, rec: dict[str, Any], settings: Any) -> None:
    """Take one person of the pipeline a stage further this year, where the rules allow it."""
    rng, y, end = ctx.rng, ctx.year, ctx.end
    found = stage_on(_row(rec))
    stage = found[1] if found else "入党申请人"
    if stage == "预备党员":
        confirmed = rules.earliest_confirmation(rec["admitted"], settings)
        if confirmed <= end - timedelta(days=3):
            rec.update(confirmed=confirmed, stage="正式党员")
            member = next(m for m in ctx.members if m.name == rec["name"])
            member.full = confirmed
            ctx.confirmations.append((confirmed, rec["name"]))
        return
    if stage == "发展对象":
        lo = max(rec["candidate"] + timedelta(days=75), date(y, 3, 1))
        day = ctx.workday(lo, min(date(y, 6, 30), end - timedelta(days=7)), ctx.busy)
        if day is None or rng.random() < 0.2:
            return
        ctx.busy.add(day)
        trained = max(rec["candidate"] + timedelta(days=5), day - timedelta(days=rng.randint(15, 50)))
        rec.update(admitted=day, trained=rec.get("trained") or trained, stage="预备党员")
        approved = day + timedelta(days=rng.randint(20, 75))
        if approved <= end:
            rec["approved"] = approved
        category = "学生" if ctx.profile == "student" else "在职"
        ctx.members.append(Member(
            name=rec["name"], gender=rec["gender"], birth=rec["birth_date"], education=rec["education"],
            join=day, full=None, category=category, ethnicity=rec["ethnicity"], core=False,
            group=GROUPS_OF_BIG[len(ctx.members) % len(GROUPS_OF_BIG)] if ctx.profile == "big" else ""))
        for admitted_on, names in ctx.admissions:
            if admitted_on == day:
                names.append(rec["name"])
                break
        else:
            ctx.admissions.append((day, [rec["name"]]))
        return
    if stage == "入党积极分子":
        earliest = rules.earliest_candidate(rec["activist"], settings)
        day = ctx.workday(max(earliest, date(y, 1, 5)), min(date(y, 11, 30), end - timedelta(days=10)))
        full = _full_members(ctx, day) if day is not None else []
        if day is None or len(full) < 2 or rng.random() < 0.3:
            return
        rec.update(candidate=day, stage="发展对象", sponsors="、".join(m.name for m in rng.sample(full, 2)))
        return
    talked = rec.get("talked") or rec["applied"] + timedelta(days=rng.randint(6, 25))
    if talked <= end:
        rec["talked"] = talked
    day = ctx.workday(max(add_months(rec["applied"], 4), date(y, 1, 5)), end - timedelta(days=20))
    full = _full_members(ctx, day) if day is not None else []
    if day is None or not full or rng.random() < 0.4 or "talked" not in rec:
        return
    people = rng.sample(full, min(2 if rng.random() < 0.6 else 1, len(full)))
    rec.update(activist=day, stage="入党积极分子", contact="、".join(m.name for m in people))


def _posts(ctx: Ctx) -> None:
    """Posts stay as they were; only when the branch has grown into (or out of) needing a
    committee (`party.members.committee_required`) are they given out again."""
    end = ctx.end
    full = [m for m in ctx.roster_at(end) if full_on(m.member_type, m.full, end)]
    if committee_required(len(full), config.defaults(ctx.year)) != has_committee(ctx):
        for m in ctx.members:
            m.post = "党员"
        assign_posts(ctx)


def years_of(branch: Any, years: list[int], as_of: Callable[[int], date], *, rng: Any,
             size: int | None = None, profile: str | None = None) -> dict[int, tuple[Ctx, BranchFill]]:
    """One branch's people and filled ledgers for each of `years` (consecutive), the first year
    started afresh (`data.start_branch`) and every later one carried from the year before;
    `as_of(year)` is the day each year's ledgers are known on."""
    ctx = start_branch(rng, branch, years[0], as_of(years[0]), size=size, profile=profile)
    out = {years[0]: (ctx, branch_fill(ctx))}
    for year in years[1:]:
        ctx = next_year(ctx, as_of(year))
        out[year] = (ctx, branch_fill(ctx))
    return out
