"""Realistic mistakes planted into a few demo branches, recorded exactly where, and messy typing
that the reader accepts with a 提示."""


from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from taizhang.demo.organisation import BranchFill
from taizhang.demo.people import Ctx, add_months, text_date
from taizhang.party.calendar import months_elapsed as months_passed
from taizhang.party.hosts import name_key


@dataclass(frozen=True)
class PlantedMistake:
    """A mistake put into a branch's data on purpose, and exactly where it is."""

    branch_code: str
    ledger_id: str
    row_index: int  # 0-based index into BranchFill.ledgers[ledger_id]
    key: str  # column key
    rule_id: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Messy input
# --------------------------------------------------------------------------------------------


def make_messy(ctx: Ctx, fill: BranchFill) -> None:
    """Type a few cells the way people do: dates and amounts as text, names with full-width spaces."""
    rng = ctx.rng
    if rng.random() < 0.4:
        return
    events = [("meetings", i) for i in range(len(fill.ledgers["meetings"]))]
    events += [("activities", i) for i in range(len(fill.ledgers["activities"]))]
    for ledger_id, i in rng.sample(events, min(len(events), rng.randint(1, 2))):
        row = fill.ledgers[ledger_id][i]
        row["date"] = text_date(row["date"], rng.randint(0, 1))
    dues = [r for r in fill.ledgers["dues"] if isinstance(r["base"], Decimal) and r["base"] >= 1000]
    if dues:
        row = rng.choice(dues)
        row["base"] = f"{row['base']:,.2f}"
    plain = [
        r for r in fill.ledgers["roster"]
        if r["party_post"] == "党员" and r["name"] not in ctx.referenced and not r.get("note")
        and not any(r["name"] in str(x.get("contact") or "") + str(x.get("sponsors") or "")
                    for x in fill.ledgers["recruitment"])
        and not any(r["name"] == x["name"] for x in fill.ledgers["recruitment"])
    ]
    if not plain:
        return
    trailing = rng.choice(plain)
    trailing["name"] = trailing["name"] + "\u3000"  # pasted from another document
    two = [r for r in plain if len(r["name"]) == 2 and r is not trailing]
    if two:
        # Aligned the way people align two-character names; the dues sheet was copied from it.
        row = rng.choice(two)
        spaced = row["name"][0] + "\u3000" + row["name"][1]
        for due in fill.ledgers["dues"]:
            if due["name"] == row["name"]:
                due["name"] = spaced
        row["name"] = spaced


# --------------------------------------------------------------------------------------------
# Planted mistakes
# --------------------------------------------------------------------------------------------

_GROUPS: tuple[tuple[str, ...], ...] = (
    ("DUES-RATE", "CELL-ENUM"),
    ("DUES-6M", "MEET-ATTEND", "CELL-REQUIRED"),
    ("MEET-QUORUM", "CELL-YEAR"),
    ("REC-ACTIVIST-1Y", "REC-PROBATION-1Y"),
)


def _candidates(fill: BranchFill, rule: str) -> list[tuple[str, int]]:
    """(ledger id, row index) of the rows where `rule`'s mistake could be planted cleanly."""
    led = fill.ledgers
    out: list[tuple[str, int]] = []

    def typed_date(row: dict[str, Any], key: str) -> bool:
        return isinstance(row.get(key), date)

    if rule == "DUES-RATE":
        out = [("dues", i) for i, r in enumerate(led.get("dues", []))
               if r["person_category"] == "在职" and isinstance(r["base"], Decimal)
               and Decimal("5000") < r["base"] <= Decimal("10000") and not r.get("note")]
    elif rule == "DUES-6M":
        if fill.as_of is not None and months_passed(fill.year, fill.as_of) >= 8:
            out = [("dues", i) for i, r in enumerate(led.get("dues", []))
                   if not r.get("note") and r["person_category"] in ("在职", "离退休")
                   and all(isinstance(r[f"m{k}"], Decimal) for k in range(1, 9))]
    elif rule in ("MEET-QUORUM", "MEET-ATTEND", "CELL-REQUIRED", "CELL-YEAR"):
        for i, r in enumerate(led.get("meetings", [])):
            if not typed_date(r, "date"):
                continue
            kind = r["meeting_type"]
            if rule == "MEET-QUORUM" and kind == "支部党员大会" and r["expected"] >= 6 and "预备党员" not in r["topic"]:
                out.append(("meetings", i))
            elif rule == "MEET-ATTEND" and kind == "党课" and r.get("note") != "书记讲党课":
                out.append(("meetings", i))
            elif rule == "CELL-REQUIRED" and kind == "支委会" and r["date"].month > 1:
                out.append(("meetings", i))
            elif rule == "CELL-YEAR" and kind == "支委会" and r["date"].month == 1:
                out.append(("meetings", i))
    elif rule == "CELL-ENUM":
        out = [("roster", i) for i, r in enumerate(led.get("roster", []))
               if r.get("education") == "大学本科" and r["name"] == name_key(r["name"])]
    elif rule == "REC-ACTIVIST-1Y":
        out = [("recruitment", i) for i, r in enumerate(led.get("recruitment", []))
               if r["stage"] == "发展对象" and typed_date(r, "activist") and typed_date(r, "candidate")]
    elif rule == "REC-PROBATION-1Y":
        out = [("recruitment", i) for i, r in enumerate(led.get("recruitment", []))
               if r["stage"] == "正式党员" and typed_date(r, "admitted") and typed_date(r, "confirmed")]
    return out


def _plant(rng: random.Random, code: str, fill: BranchFill, rule: str, ledger_id: str, index: int) -> PlantedMistake:
    row = fill.ledgers[ledger_id][index]
    year = fill.year
    if rule == "DUES-RATE":
        base: Decimal = row["base"]
        right = row["monthly_due"]
        wrong = (base * Decimal("0.01")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        row["monthly_due"] = wrong
        for k in range(1, 13):
            if row[f"m{k}"] is not None:
                row[f"m{k}"] = wrong
        _retotal(row)
        return PlantedMistake(code, ledger_id, index, "monthly_due", rule,
                              f"{name_key(row['name'])}月计算基数{base}元，应按1.5%交纳{right}元，台账按1%算成{wrong}元")
    if rule == "DUES-6M":
        last = months_passed(year, fill.as_of or date(year, 12, 31))
        start = rng.randint(2, max(2, min(last - 6, 6)))
        for k in range(start, start + 6):
            row[f"m{k}"] = None
        _retotal(row)
        return PlantedMistake(code, ledger_id, index, f"m{start}", rule,
                              f"{name_key(row['name'])}{start}月至{start + 5}月连续6个月未交党费，支部未作处理")
    if rule == "MEET-QUORUM":
        expected = row["expected"]
        row["present"] = expected // 2
        row["absentees"] = f"{expected - expected // 2}名党员因参加全市交通运输安全大检查请假"
        return PlantedMistake(code, ledger_id, index, "present", rule,
                              f"{row['date']}支部党员大会应到{expected}人、实到{expected // 2}人，未超过半数")
    if rule == "MEET-ATTEND":
        extra = rng.randint(1, 3)
        row["present"] = row["expected"] + extra
        row["absentees"] = None
        return PlantedMistake(code, ledger_id, index, "present", rule,
                              f"{row['date']}党课实到{row['present']}人，多于应到{row['expected']}人（把列席人员也算进了实到人数）")
    if rule == "CELL-REQUIRED":
        row["host"] = None
        return PlantedMistake(code, ledger_id, index, "host", rule, f"{row['date']}支委会没有填写主持人")
    if rule == "CELL-YEAR":
        right = row["date"]
        row["date"] = right.replace(year=right.year - 1)
        return PlantedMistake(code, ledger_id, index, "date", rule,
                              f"{right}的支委会日期误写成{row['date']}（年初沿用了上一年的年份）")
    if rule == "CELL-ENUM":
        row["education"] = "本科"
        return PlantedMistake(code, ledger_id, index, "education", rule,
                              f"{row['name']}的学历手工填成“本科”，不是下拉选项中的“大学本科”")
    if rule == "REC-ACTIVIST-1Y":
        activist: date = row["activist"]
        row["candidate"] = add_months(activist, 10) + timedelta(days=rng.randint(0, 15))
        return PlantedMistake(code, ledger_id, index, "candidate", rule,
                              f"{row['name']}{activist}确定为入党积极分子，{row['candidate']}即确定为发展对象，培养不满一年")
    if rule == "REC-PROBATION-1Y":
        admitted: date = row["admitted"]
        early = add_months(admitted, 11) + timedelta(days=rng.randint(0, 15))
        for roster_row in fill.ledgers.get("roster", []):
            if name_key(roster_row["name"]) == name_key(row["name"]) and roster_row.get("full_date") == row["confirmed"]:
                roster_row["full_date"] = early
        row["confirmed"] = early
        return PlantedMistake(code, ledger_id, index, "confirmed", rule,
                              f"{row['name']}{admitted}接收为预备党员，{early}即转正，预备期不满一年")
    raise KeyError(rule)  # pragma: no cover


def _retotal(row: dict[str, Any]) -> None:
    paid = [row[f"m{k}"] for k in range(1, 13) if isinstance(row[f"m{k}"], Decimal)]
    row["total"] = sum(paid, Decimal("0")) if paid else None


def plant_mistakes(rng: random.Random, fills: dict[str, BranchFill], year: int) -> list[PlantedMistake]:
    """Put realistic mistakes into three or four branches (in place) and return where they are.

    The mistakes come in groups, one group per branch, never in the lazy branch: a wrong 月应交
    and an education typed by hand; six unpaid months, 实到 above 应到 and an empty 主持人;
    a 支部党员大会 below quorum and a meeting dated in the previous year; an activist made a
    发展对象 too early and a 转正 before the year of probation is over. A mistake that no branch's
    data allows (for example six unpaid months early in the year) is left out.
    """
    for fill in fills.values():
        fill.year = fill.year or year
    codes = sorted(code for code, f in fills.items() if not f.lazy)
    used: list[str] = []
    planted: list[PlantedMistake] = []
    for group in _GROUPS:
        eligible = [c for c in codes if c not in used and all(_candidates(fills[c], r) for r in group)]
        if eligible:
            code = rng.choice(eligible)
            assignments = [(rule, code) for rule in group]
        else:
            assignments = []
            for rule in group:
                options = [c for c in codes if _candidates(fills[c], rule)]
                preferred = [c for c in options if c in used] or options
                if preferred:
                    assignments.append((rule, rng.choice(preferred)))
        for rule, code in assignments:
            ledger_id, index = rng.choice(_candidates(fills[code], rule))
            planted.append(_plant(rng, code, fills[code], rule, ledger_id, index))
            if code not in used:
                used.append(code)
    return planted
