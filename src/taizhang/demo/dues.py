"""A demo branch's dues sheet: bases, the amount due from the official brackets, payments month by month."""


from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from taizhang.demo.people import Ctx, Member
from taizhang.party.dues import expected_monthly_due, rate_of
from taizhang.workspace import config

# --------------------------------------------------------------------------------------------
# 党费收缴
# --------------------------------------------------------------------------------------------


def _base(ctx: Ctx, m: Member) -> Decimal:
    rng = ctx.rng
    if m.category == "学生":
        return Decimal("0.00")
    if m.category == "离退休":
        value = rng.uniform(3000, 8000)
    else:
        age = ctx.year - m.birth.year
        weights = [0.25, 0.5, 0.25, 0.0] if age < 30 else [0.05, 0.3, 0.5, 0.15] if age < 45 else [0.0, 0.15, 0.55, 0.3]
        tier = rng.choices(range(4), weights)[0]
        lo, hi = [(2900, 3000), (3000.01, 5000), (5000.01, 10000), (10000.01, 15000)][tier]
        if tier == 0 and rng.random() < 0.5:
            return Decimal("3000.00")
        value = rng.uniform(lo, hi)
    step = rng.choice([Decimal("1"), Decimal("0.5"), Decimal("0.01")])
    return (Decimal(str(value)) / step).quantize(Decimal("1"), ROUND_HALF_UP) * step + Decimal("0.00")


def paid_through(year: int, as_of: date) -> int:
    """The last month of `year` whose dues are collected by `as_of` (0–12).

    Branches collect dues in the first ten days of a month.
    """
    if as_of > date(year, 12, 31):
        return 12
    if as_of < date(year, 1, 1):
        return 0
    return as_of.month if as_of.day >= 10 else as_of.month - 1


def dues_rows(ctx: Ctx) -> list[dict[str, Any]]:
    settings = config.defaults(ctx.year)
    last = paid_through(ctx.year, ctx.as_of)
    rows = []
    boundary_done = False
    for m in ctx.members:
        if m.base is None:  # set in the member's first year and kept
            m.base = _base(ctx, m)
            if ctx.profile == "big" and not boundary_done and m.category == "在职" and m.core and m.post == "党员":
                m.base, boundary_done = Decimal("5000.00"), True  # a bracket boundary: 含 → 1%
        base = m.base
        due = expected_monthly_due(m.category, base, settings)[0]  # type: ignore[index]
        first, final = 1, last
        if m.join >= ctx.start:
            first = m.join.month  # 预备党员 pay from the month of the 支部大会
        if m.standing == "转入" and m.change is not None:
            first = max(first, m.change.month)  # from the month of the transfer, as statistics counts
        if m.standing == "转出" and m.change is not None:
            final = min(final, m.change.month)
        row: dict[str, Any] = {
            "name": m.name, "person_category": m.category, "base": base,
            "rate": rate_of(m.category, base, settings), "monthly_due": due,
        }
        for month in range(1, 13):
            row[f"m{month}"] = due if first <= month <= final else None
        paid = [row[f"m{k}"] for k in range(1, 13) if row[f"m{k}"] is not None]
        row["total"] = sum(paid, Decimal("0")) if paid else None
        note = None
        if m.standing == "转出" and m.change is not None:
            note = f"{m.change.month}月转出，党费交至{m.change.month}月"
        elif m.standing == "转入" and m.change is not None:
            note = f"{m.change.month}月转入，此前党费在原党支部交纳"
        elif m.join >= ctx.start:
            note = f"{m.join.month}月{m.join.day}日接收为预备党员，当月起交纳"
        row["note"] = note
        rows.append(row)
    return [{"seq": i, **r} for i, r in enumerate(rows, start=1)]
