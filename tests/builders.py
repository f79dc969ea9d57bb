"""Build `BranchReturn` fixtures directly (no workbook): rows as dicts of typed values.

`build(roster=[...], meetings=[...], ...)` gives a return whose every ledger of the shipped
definition is present (empty unless rows are given), rows numbered from Excel row 3 and columns
lettered in definition order. `missing=("dues",)` marks a sheet as missing; `drop={"dues": {"m3"}}`
leaves a column out as if the header had not been found. A row dict may carry `_invalid`, a set
of keys whose cells could not be read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from taizhang.records import BranchReturn, LedgerData, Row
from taizhang.validate import validate
from taizhang.workspace import config
from taizhang.workspace.definitions import WorkbookDefinition, load_definitions

YEAR = 2025
AFTER_YEAR = date(2026, 1, 10)  # a collection in January: the whole year has passed
FIRST_ROW = 3


@lru_cache(maxsize=1)
def definition() -> WorkbookDefinition:
    """The shipped ledger definitions."""
    return load_definitions()


def settings(**sections: Any) -> config.Settings:
    """Default settings for YEAR with `sections` (TOML tables as dicts) laid over them."""
    return config.parse({"organisation": {"year": YEAR}, **sections})


def _letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def build(year: int = YEAR, *, missing: Iterable[str] = (), drop: dict[str, set[str]] | None = None,
          **ledgers: list[dict[str, Any]]) -> BranchReturn:
    """A return with the given rows per ledger id (roster=, meetings=, activities=, dues=, …)."""
    defn = definition()
    unknown = set(ledgers) - {led.id for led in defn.ledgers}
    assert not unknown, unknown
    ret = BranchReturn(branch_code="001", branch_name="机关第一党支部", year=year,
                       template_id=defn.id, template_version=defn.version)
    missing = set(missing)
    drop = drop or {}
    for led in defn.ledgers:
        if led.id in missing:
            ret.ledgers[led.id] = LedgerData(led.id, led.sheet, present=False)
            continue
        gone = drop.get(led.id, set())
        if led.kind == "form":
            letters = {col.key: "B" for col in led.columns if col.key not in gone}
        else:
            letters = {col.key: _letter(i) for i, col in enumerate(led.columns) if col.key not in gone}
        data = LedgerData(led.id, led.sheet, letters=letters)
        for i, given in enumerate(ledgers.get(led.id, [])):
            given = dict(given)
            invalid = set(given.pop("_invalid", set()))
            extra = set(given) - {col.key for col in led.columns}
            assert not extra, f"{led.id}: unknown keys {extra}"
            values = {col.key: None for col in led.columns if col.key not in gone}
            values.update({k: v for k, v in given.items() if k not in gone})
            data.rows.append(Row(excel_row=FIRST_ROW + i, values=values, invalid=invalid))
        ret.ledgers[led.id] = data
    return ret


def run(ret: BranchReturn, as_of: date = AFTER_YEAR, cfg: config.Settings | None = None, **kw: Any):
    """validate() with the shipped definition and (by default) the default settings."""
    return validate(ret, definition(), cfg or settings(), as_of=as_of, **kw)


def only(problems: list, *rule_ids: str) -> list:
    """The problems of the given rules."""
    return [p for p in problems if p.rule_id in rule_ids]


# --- rows ------------------------------------------------------------------------------------
def member(name: str, *, member_type: str = "正式党员", post: str = "党员", join: date = date(2010, 7, 1),
           category: str = "在职", standing: str = "在册", group: str | None = None,
           change: date | None = None, note: str | None = None, **more: Any) -> dict[str, Any]:
    """A roster row."""
    row = {"name": name, "gender": "男", "birth_date": date(1980, 1, 1), "join_date": join,
           "full_date": None if member_type == "预备党员" else date(join.year + 1, join.month, 1),
           "member_type": member_type, "person_category": category, "party_post": post, "group": group,
           "standing": standing, "change_date": change, "note": note}
    row.update(more)
    return row


def meeting(day: date, kind: str, *, host: str = "王建国", recorder: str | None = "李红", expected: int = 3,
            present: int = 3, **more: Any) -> dict[str, Any]:
    """A 三会一课 row."""
    row = {"date": day, "meeting_type": kind, "topic": "学习", "topic_count": 1, "host": host,
           "recorder": recorder, "expected": expected, "present": present}
    row.update(more)
    return row


def activity(day: date, kind: str, participants: int = 3, **more: Any) -> dict[str, Any]:
    """A 组织生活 row."""
    row = {"date": day, "activity_type": kind, "title": kind, "participants": participants}
    row.update(more)
    return row


def money(value: Any) -> Decimal | None:
    """An amount as Decimal (None stays None)."""
    return None if value is None else Decimal(str(value))


def dues_row(name: str, base: Any = 4000, due: Any = 40, *, category: str = "在职",
             paid: dict[int, Any] | Any = "due", total: Any = None, note: str | None = None,
             **more: Any) -> dict[str, Any]:
    """A 党费收缴 row; `paid` is {month: amount}, or "due" for the monthly amount in all 12 months."""
    months = {m: due for m in range(1, 13)} if paid == "due" else dict(paid)
    row = {"name": name, "person_category": category, "base": money(base), "monthly_due": money(due),
           **{f"m{m}": money(months.get(m)) for m in range(1, 13)}, "total": money(total), "note": note}
    row.update(more)
    return row


def recruit(name: str = "赵新", *, birth: date = date(1995, 5, 1), stage: str = "入党申请人",
            **dates: Any) -> dict[str, Any]:
    """A 发展党员 row; the dates are given by key (applied=, talked=, activist=, …)."""
    row = {"name": name, "gender": "女", "birth_date": birth, "stage": stage}
    row.update(dates)
    return row


MEMBERS = [
    member("王建国", post="书记", join=date(2000, 7, 1)),
    member("李红", join=date(2008, 6, 1)),
    member("张强", join=date(2015, 5, 1)),
]


def clean_year(year: int = YEAR) -> dict[str, list[dict[str, Any]]]:
    """The ledgers of a small branch (three full members, no committee, no groups) that kept
    every rule for the whole year: validate finds nothing in it."""
    meetings = []
    for q in range(4):
        meetings.append(meeting(date(year, 3 * q + 2, 10), "支部党员大会"))
        meetings.append(meeting(date(year, 3 * q + 2, 20), "党课", host="王建国" if q == 0 else "李红"))
    activities = [activity(date(year, m, 15), "主题党日") for m in range(1, 13)]
    activities += [activity(date(year, 12, 20), kind)
                   for kind in ("组织生活会", "民主评议党员", "谈心谈话")]
    return {
        "roster": [dict(m) for m in MEMBERS],
        "meetings": meetings,
        "activities": activities,
        "dues": [dues_row(m["name"], total=480) for m in MEMBERS],
        "recruitment": [recruit(applied=date(year, 3, 1), talked=date(year, 3, 20), stage="入党申请人")],
        "summary": [{"filler": "李红", "secretary": "王建国", "filled_date": date(year + 1, 1, 5)}],
    }
