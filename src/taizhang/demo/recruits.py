"""The demo's recruitment pipeline: people at every stage, with dates that follow the rules."""


from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from taizhang.demo.people import (
    Ctx,
    Member,
    add_months,
    add_years,
    between,
    pick_education,
    pick_ethnicity,
    pick_workday,
)

# --------------------------------------------------------------------------------------------
# 发展党员
# --------------------------------------------------------------------------------------------

_JOBS = ("科员", "办事员", "工程师", "助理工程师", "统计员", "技术员", "会计", "文秘")


def _stages(ctx: Ctx) -> list[str]:
    rng = ctx.rng
    if ctx.profile == "retired":
        return []
    if ctx.profile == "small":
        return ["预备党员", "预备党员", "入党申请人"]
    if ctx.lazy:
        return ["入党申请人", "入党积极分子", "发展对象"]
    if ctx.profile == "big":
        return ["入党申请人"] * 2 + ["入党积极分子"] * 2 + ["发展对象", "预备党员", "预备党员", "正式党员"]
    if ctx.profile == "student":
        return ["入党申请人"] * 2 + ["入党积极分子"] * 2 + ["发展对象", "预备党员", "正式党员"]
    stages = ["入党申请人"] * rng.randint(1, 2) + ["入党积极分子"] * rng.randint(1, 2)
    stages += ["发展对象"] * rng.randint(0, 1) + ["预备党员"] + ["正式党员"] * rng.randint(0, 1)
    return stages


def build_recruits(ctx: Ctx) -> None:
    """The people in the recruitment pipeline; those admitted join the members as 预备/正式党员."""
    rng, y, end = ctx.rng, ctx.year, ctx.end
    admit_day: date | None = None  # several admitted by one 支部大会 in the small branch
    for stage in _stages(ctx):
        rec: dict[str, Any] = {"stage": stage}
        if stage == "入党申请人":
            rec["applied"] = between(rng, *ctx.clip(end - timedelta(days=200), end - timedelta(days=5)))
            if rec["applied"] is None:
                continue
        elif stage == "入党积极分子":
            activist = between(rng, end - timedelta(days=330), end - timedelta(days=15))
            assert activist is not None
            rec["activist"] = activist
        elif stage == "发展对象":
            candidate = between(rng, *ctx.clip(end - timedelta(days=240), end - timedelta(days=10)))
            if candidate is None:
                continue
            rec["candidate"] = candidate
        elif stage == "预备党员":
            if admit_day is None:
                lo, hi = ctx.clip(date(y, 3, 1), min(date(y, 6, 30), end - timedelta(days=7)))
                admit_day = pick_workday(rng, lo, hi, ctx.busy) if lo <= hi else None
                if admit_day is None:
                    # Too early in the year: a member admitted late last year, still on probation.
                    lo2, hi2 = add_years(end, -1) + timedelta(days=1), date(y - 1, 12, 31)
                    admit_day = pick_workday(rng, lo2, hi2) or hi2
                else:
                    ctx.busy.add(admit_day)
            rec["admitted"] = admit_day
        else:  # 正式党员: admitted last year, probation ended this year
            lo, hi = ctx.clip(date(y, 1, 5), end - timedelta(days=21))
            anniversary = pick_workday(rng, lo, hi) if lo <= hi else None
            if anniversary is None:
                continue
            rec["admitted"] = add_years(anniversary, -1)
            rec["confirmed"] = anniversary
        _complete_dates(ctx, rec)
        ctx.recruits.append(rec)
    for rec in ctx.recruits:
        if rec.get("admitted") is not None:
            if rec["admitted"] >= ctx.start:
                # admitted this year: the admission 支部大会 is in this year's ledger
                for day, names in ctx.admissions:
                    if day == rec["admitted"]:
                        names.append(rec["_id"])
                        break
                else:
                    ctx.admissions.append((rec["admitted"], [rec["_id"]]))
            if rec.get("confirmed") is not None:
                ctx.confirmations.append((rec["confirmed"], rec["_id"]))


def _complete_dates(ctx: Ctx, rec: dict[str, Any]) -> None:
    """Fill in the earlier stage dates backwards from the stage reached, by the rules' intervals."""
    rng = ctx.rng
    rec["_id"] = f"r{len(ctx.recruits)}"
    if "admitted" in rec:
        admitted: date = rec["admitted"]
        rec["trained"] = admitted - timedelta(days=rng.randint(15, 50))
        rec["candidate"] = rec["trained"] - timedelta(days=rng.randint(20, 60))
        gap = min(rng.randint(20, 75), max((ctx.end - admitted).days, 0))
        if gap >= 15:
            rec["approved"] = admitted + timedelta(days=gap)
    if "candidate" in rec:
        rec["activist"] = add_months(rec["candidate"], -rng.randint(13, 18)) - timedelta(days=rng.randint(0, 20))
        if "admitted" not in rec and rng.random() < 0.5:
            trained = rec["candidate"] + timedelta(days=rng.randint(20, 50))
            if trained <= ctx.end:
                rec["trained"] = trained
    if "activist" in rec:
        rec["applied"] = add_months(rec["activist"], -rng.randint(4, 10)) - timedelta(days=rng.randint(0, 20))
    rec["talked"] = rec["applied"] + timedelta(days=rng.randint(6, 25))
    if rec["talked"] > ctx.end:
        del rec["talked"]


def fill_recruit_people(ctx: Ctx) -> None:
    """Names, sponsors and contacts for the pipeline, once the established members are known."""
    full = [m for m in ctx.members if m.core and m.full is not None and m.standing == "在册"]
    name_recruits(ctx, ctx.recruits, full)
    _admit_members(ctx)


def name_recruits(ctx: Ctx, recruits: list[dict[str, Any]], full: list[Member]) -> None:
    """A name, birth, job, 培养联系人 and 入党介绍人 (from the full members `full`) for each of
    `recruits`, by the stage their dates reach."""
    rng = ctx.rng
    student = ctx.profile == "student"
    for rec in recruits:
        sex = "男" if rng.random() < (0.65 if student else 0.5) else "女"
        age = rng.randint(18, 19) if student else rng.randint(23, 33)
        birth = between(rng, add_years(rec["applied"], -age - 1) + timedelta(days=1), add_years(rec["applied"], -age))
        assert birth is not None
        rec.update(name=ctx.names.make(sex, birth.year), gender=sex, birth_date=birth,
                   ethnicity=pick_ethnicity(rng), education=pick_education(rng, "学生" if student else "在职", birth.year))
        if student:
            # Students apply in their first year: the grade is the autumn they enrolled.
            grade = rec["applied"].year if rec["applied"].month >= 9 else rec["applied"].year - 1
            rec["job"] = f"{grade}级汽车运用与维修专业学生"
        else:
            rec["job"] = rng.choice(("执法队员", "科员", "办事员") if "执法" in ctx.name else _JOBS)
        if "activist" in rec and full:
            people = rng.sample(full, min(2 if rng.random() < 0.6 else 1, len(full)))
            rec["contact"] = "、".join(p.name for p in people)
        if "candidate" in rec and len(full) >= 2:
            sponsors = rng.sample(full, 2)
            rec["sponsors"] = "、".join(p.name for p in sponsors)


def _admit_members(ctx: Ctx) -> None:
    """The members admitted through the pipeline join the branch's members."""
    for rec in ctx.recruits:
        if rec.get("admitted") is None:
            continue
        category = "学生" if ctx.profile == "student" else "在职"
        m = Member(
            name=rec["name"], gender=rec["gender"], birth=rec["birth_date"], education=rec["education"],
            join=rec["admitted"], full=rec.get("confirmed"), category=category, ethnicity=rec["ethnicity"],
            core=False,
        )
        ctx.members.append(m)
    # Replace recruit ids in the admissions list by names.
    names = {rec["_id"]: rec["name"] for rec in ctx.recruits}
    ctx.admissions = [(day, [names[i] for i in ids]) for day, ids in ctx.admissions]
    ctx.confirmations = [(day, names[i]) for day, i in ctx.confirmations]


def recruitment_rows(ctx: Ctx) -> list[dict[str, Any]]:
    keys = ("name", "gender", "birth_date", "ethnicity", "education", "job", "applied", "talked",
            "activist", "contact", "candidate", "sponsors", "trained", "admitted", "approved",
            "confirmed", "stage")
    order = {"正式党员": 0, "预备党员": 1, "发展对象": 2, "入党积极分子": 3, "入党申请人": 4}
    rows = []
    for rec in sorted(ctx.recruits, key=lambda r: (order[r["stage"]], r["applied"])):
        row = {k: rec.get(k) for k in keys}
        if rec["stage"] == "预备党员" and rec.get("approved") is None and rec["admitted"] >= ctx.start:
            row["note"] = "已报机关党委审批"
        elif rec["stage"] == "入党申请人" and rec.get("talked") is None:
            row["note"] = "拟近期安排谈话"
        else:
            row["note"] = None
        rows.append(row)
    for i, row in enumerate(rows, start=1):
        row = {"seq": i, **row}
        rows[i - 1] = row
    return rows
