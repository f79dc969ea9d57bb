"""Carried forward: a new year's workbooks start from the branch's return of the year before.

For each branch, its current return of the latest earlier year (the year before, or its latest
return when it missed a year) gives the new workbook's prefilled rows:

- 党员名册: the members `party.members.carry_forward` hands on, with their data (the 备注 of
  last year's 转入, now 在册, is left out with the 变动日期: it explained the transfer);
- 发展党员: everyone `party.recruitment.still_in_pipeline` at the end of that year, dates kept and
  当前阶段 set by the latest date;
- 党费收缴: one row per member carried, with the name, 人员类别 and 月计算基数 (from last year's
  dues sheet); 交纳比例, 月应交 and the months are left for the new year.

Prefilled rows are written as ordinary input rows: the branch edits them like anything it typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from taizhang.party.hosts import name_key
from taizhang.party.members import Roster, carry_forward
from taizhang.party.recruitment import stage_on, still_in_pipeline
from taizhang.records import BranchReturn, Row, text_of

if TYPE_CHECKING:
    from taizhang.workspace.store import Store

ROSTER, RECRUITMENT, DUES = "roster", "recruitment", "dues"
SERIAL = "seq"


@dataclass
class Carried:
    """What one branch's new workbook starts with, and the return it came from."""

    year: int  # the year of the return carried from
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # ledger id -> rows
    last_dues: list[Row] = field(default_factory=list, repr=False)  # that return's 党费收缴 rows

    @property
    def members(self) -> int:
        """Members carried into 党员名册."""
        return len(self.rows.get(ROSTER, []))

    @property
    def recruits(self) -> int:
        """People carried into 发展党员."""
        return len(self.rows.get(RECRUITMENT, []))


def _values(row: Row) -> dict[str, Any]:
    """A row's values as typed in: typed values, and the text of cells that could not be read
    (the branch sees what it wrote last year and corrects it)."""
    out = {k: v for k, v in row.values.items() if v not in (None, "") and k not in row.invalid}
    out.update({k: row.raw[k] for k in row.invalid if row.raw.get(k)})
    out.pop(SERIAL, None)
    return out


def _numbered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{SERIAL: i, **r} for i, r in enumerate(rows, start=1)]


def carried_rows(ret: BranchReturn, on: date) -> Carried:
    """The prefilled rows a branch's return of one year gives the next year's workbook; `on` is
    the day the new workbook is made (a 转正日期 passed by then makes a 正式党员)."""
    year_end = date(ret.year, 12, 31)
    roster = Roster.build(ret)
    members = carry_forward(roster, ret.year, on) if roster.present else []
    roster_rows = []
    for c in members:
        values = _values(c.member.row)
        values["member_type"] = c.member_type
        values["standing"] = c.standing
        if c.change_date is None:
            values.pop("change_date", None)
        if c.member.standing != c.standing:  # last year's 转入, 在册 now: its 备注 explained the transfer
            values.pop("note", None)
        roster_rows.append(values)
    recruits = []
    for row in ret.rows(RECRUITMENT):
        if not text_of(row, "name") or not still_in_pipeline(row, year_end):
            continue
        values = _values(row)
        found = stage_on(row)
        if found is not None:
            values["stage"] = found[1]
        recruits.append(values)
    return Carried(ret.year, {ROSTER: _numbered(roster_rows), RECRUITMENT: _numbered(recruits),
                              DUES: dues_rows(roster_rows, ret.rows(DUES))}, ret.rows(DUES))


def dues_rows(roster_rows: list[dict[str, Any]], last_dues: list[Row]) -> list[dict[str, Any]]:
    """党费收缴 rows for the members of a new roster: the name, the 人员类别 (the roster's, else
    last year's dues row's) and last year's 月计算基数, matched by name; nothing else."""
    by_name: dict[str, Row] = {}
    for row in last_dues:
        by_name.setdefault(name_key(text_of(row, "name")), row)
    out = []
    for member in roster_rows:
        name = member.get("name")
        if not name:
            continue
        values: dict[str, Any] = {"name": name}
        last = by_name.get(name_key(str(name)))
        last_values = _values(last) if last is not None else {}
        category = member.get("person_category") or last_values.get("person_category")
        if category:
            values["person_category"] = category
        if "base" in last_values:
            values["base"] = last_values["base"]
        out.append(values)
    return _numbered(out)


def from_store(store: Store, codes: set[str], year: int, on: date) -> dict[str, Carried]:
    """For each branch in `codes`, the rows its current return of the latest year before `year`
    gives the `year` workbook (branches that never returned are left out)."""
    latest: dict[str, Any] = {}
    for sub in store.submissions(current_only=True):
        if sub.year < year and sub.branch_code in codes:
            known = latest.get(sub.branch_code)
            if known is None or sub.year > known.year:
                latest[sub.branch_code] = sub
    return {code: carried_rows(store.load_return(sub.id), on) for code, sub in sorted(latest.items())}
