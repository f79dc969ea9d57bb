"""Members over time: who belongs to the branch on a day, who is a full member, the secretaries,
the 党小组, and whether the branch must have a committee.

Rules, each written once here (the pure functions take plain values, so the demo generator asks
the same questions of its own data):

- **In standing at the end of a day** (`standing_on`): a member belongs to the branch from the
  入党日期 (the day the 支部党员大会 admits them: 《中国共产党发展党员工作细则》第三十条, the
  probation is counted from that day), a 转入 member from the 变动日期, and a 转出/停止党籍/去世
  member up to the day before the 变动日期. Where the dates leave it open (no 入党日期, a 转入 or
  转出 without 变动日期) the answer is None; `counted_on` then takes what the roster says now
  (在册/转入 count, 转出/停止党籍/去世 do not) — the best the ledger can tell.
- **Expected at a meeting** (`before`): the members in standing at the start of the meeting's
  day, i.e. at the end of the day before. The 支部党员大会 that admits a 发展对象 is held before
  the resolution makes them a member: they are not among those entitled to attend and vote
  (《中国共产党发展党员工作细则》第二十三条), so 应到人数 does not count them.
- **Full member on a day** (`full_on`): from the 转正日期 when it is filled in (a 预备党员 becomes
  a full member on that day); where it is not, from 党员类别 (anyone not listed as
  预备党员 is taken as 正式党员). A 党员类别 that contradicts the 转正日期 (预备党员 with the date
  passed, 正式党员 with the date still to come) is reported once, by the validator
  (ROSTER-FULL-DATE), and the 转正日期 decides everywhere.
- **Committee required** (`committee_required`): a branch with at least
  `frequency.committee_min_full_members` (default 7) full members has a 支部委员会
  (3–5 members; 《中国共产党支部工作条例（试行）》, 2018); smaller branches have only a 书记 (and maybe a
  副书记), so the monthly 支委会 check does not apply to them.
- **Secretaries** (`Roster.secretaries`): the members whose 党内职务 is 书记, in standing on the
  day; when none is (the 书记 left during the year), every member recorded as 书记.
- **党小组** (`Roster.groups`): the distinct 所在党小组 of the members in standing, compared as
  names are (spaces and full-width forms folded).
- **Carried into the next year** (`carry_forward`): a branch's roster of one year is the start of
  the next year's: the members in standing at the end of 31 December (and anyone whose joining
  or 转入 is dated after it, recorded early), with their data; a 预备党员 whose 转正日期 has passed
  (by the day the new roster is made) as 正式党员 (《党章》第七条: full membership counts from
  the day the probation ends and the member is 转为正式党员); a 转入 of that year or before as 在册 (the transfer is that year's event); those who
  left (转出/停止党籍/去世) by 31 December are left out — they stay in that year's return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from taizhang.party.calendar import age_on, day_before
from taizhang.party.hosts import name_key
from taizhang.records import BranchReturn, Row, date_of, text_of

LEFT = ("转出", "停止党籍", "去世")
IN_STANDING = ("在册", "转入")
TRANSFERRED_IN = "转入"
FULL, PROBATIONARY = "正式党员", "预备党员"
MEMBER_TYPES = (FULL, PROBATIONARY)
SECRETARY = "书记"
DEFAULT_COMMITTEE_MIN = 7


# --- the rules, over plain values --------------------------------------------------------------
def standing_on(standing: str, join_date: date | None, change_date: date | None, day: date) -> bool | None:
    """Whether a member belonged to the branch at the end of `day` (None: the dates leave it open).

    `standing` is the roster's 党籍状态 (blank = 在册); see the module docstring for the rule."""
    standing = standing or "在册"
    if join_date is not None and join_date > day:
        return False
    if standing in LEFT:
        if change_date is None:
            return None
        if change_date <= day:
            return False
    elif standing == TRANSFERRED_IN:
        if change_date is None:
            return None
        if change_date > day:
            return False
    if join_date is None:
        return None
    return True


def counted_on(standing: str, join_date: date | None, change_date: date | None, day: date) -> bool:
    """`standing_on`, where the dates leave it open decided by the roster's present 党籍状态."""
    known = standing_on(standing, join_date, change_date, day)
    return (standing or "在册") not in LEFT if known is None else known


def full_on(member_type: str, full_date: date | None, day: date) -> bool:
    """Whether a member was a full member (正式党员) on `day`: from the 转正日期 when there is one,
    else from the 党员类别 (anything but 预备党员 counts as full)."""
    if full_date is not None:
        return full_date <= day
    return member_type != PROBATIONARY


def type_contradiction(member_type: str, full_date: date | None, day: date) -> str | None:
    """The type the 转正日期 gives on `day` when the roster's 党员类别 says otherwise, else None."""
    if full_date is None or member_type not in MEMBER_TYPES:
        return None
    by_date = FULL if full_date <= day else PROBATIONARY
    return by_date if by_date != member_type else None


def committee_min(settings: Any) -> int:
    """The number of full members from which a branch has a committee (`frequency.committee_min_full_members`)."""
    try:
        return int(settings.frequency.get("committee_min_full_members", DEFAULT_COMMITTEE_MIN))
    except (TypeError, ValueError, AttributeError):
        return DEFAULT_COMMITTEE_MIN


def committee_required(full_members: int, settings: Any) -> bool:
    """Whether a branch with `full_members` full members must have a committee (and monthly 支委会)."""
    return full_members >= committee_min(settings)


# --- a roster row ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    """One roster row, read once."""

    row: Row
    name: str
    key: str
    gender: str
    birth_date: date | None
    education: str
    member_type: str
    standing: str
    join_date: date | None
    full_date: date | None
    change_date: date | None
    party_post: str
    group: str
    note: str

    @classmethod
    def from_row(cls, row: Row) -> Member:
        """The member described by a roster row."""
        name = text_of(row, "name")
        return cls(
            row=row, name=name, key=name_key(name), gender=text_of(row, "gender"),
            birth_date=date_of(row, "birth_date"), education=text_of(row, "education"),
            member_type=text_of(row, "member_type"), standing=text_of(row, "standing") or "在册",
            join_date=date_of(row, "join_date"), full_date=date_of(row, "full_date"),
            change_date=date_of(row, "change_date"), party_post=text_of(row, "party_post"),
            group=text_of(row, "group"), note=text_of(row, "note"),
        )

    @property
    def current(self) -> bool:
        """Whether the roster lists the member as in standing now (在册/转入)."""
        return self.standing not in LEFT

    def standing_on(self, day: date) -> bool | None:
        """In standing at the end of `day` (None when the dates leave it open)."""
        return standing_on(self.standing, self.join_date, self.change_date, day)

    def counted_on(self, day: date) -> bool:
        """In standing at the end of `day`, open cases decided by the present 党籍状态."""
        return counted_on(self.standing, self.join_date, self.change_date, day)

    def before(self, day: date) -> bool | None:
        """In standing at the start of `day` (expected at a meeting held that day)."""
        return self.standing_on(day_before(day))

    def full_on(self, day: date) -> bool:
        """A full member on `day`."""
        return full_on(self.member_type, self.full_date, day)

    def contradiction(self, day: date) -> str | None:
        """The 党员类别 the 转正日期 gives on `day` when the roster says the other, else None."""
        return type_contradiction(self.member_type, self.full_date, day)

    def age_on(self, day: date) -> int | None:
        """Age in whole years on `day` (None without a 出生日期)."""
        return age_on(self.birth_date, day) if self.birth_date is not None else None


# --- the roster -----------------------------------------------------------------------------------
@dataclass
class Roster:
    """The roster's members, indexed by name."""

    present: bool
    members: list[Member] = field(default_factory=list)
    by_key: dict[str, list[Member]] = field(default_factory=dict)

    @classmethod
    def build(cls, ret: BranchReturn) -> Roster:
        """The roster of a return (present=False when the sheet is missing)."""
        data = ret.ledgers.get("roster")
        if data is None or not data.present:
            return cls(present=False)
        return cls.of_rows(data.rows)

    @classmethod
    def of_rows(cls, rows: list[Row]) -> Roster:
        """The roster of these roster rows."""
        roster = cls(present=True)
        for row in rows:
            member = Member.from_row(row)
            roster.members.append(member)
            if member.key:
                roster.by_key.setdefault(member.key, []).append(member)
        return roster

    @property
    def usable(self) -> bool:
        """True when the roster is there and has at least one member to compare with."""
        return self.present and bool(self.members)

    def find(self, name: str) -> Member | None:
        """The member called `name` (the one in standing first), or None."""
        found = self.by_key.get(name_key(name), [])
        return next((m for m in found if m.current), found[0] if found else None)

    def has(self, name: str) -> bool:
        """Whether someone called `name` is on the roster (in any standing)."""
        return name_key(name) in self.by_key

    def on(self, day: date) -> list[Member]:
        """The members counted as in standing at the end of `day`."""
        return [m for m in self.members if m.counted_on(day)]

    def expected(self, day: date) -> tuple[int, int]:
        """Members entitled to attend a meeting held on `day`: (certainly, possibly more) — the
        second counts those whose dates leave it open."""
        sure = unsure = 0
        for m in self.members:
            state = m.before(day)
            if state is None:
                unsure += 1
            elif state:
                sure += 1
        return sure, unsure

    def full_members(self, day: date) -> int:
        """Full members in standing at the end of `day`."""
        return sum(1 for m in self.on(day) if m.full_on(day))

    def has_committee(self, day: date, settings: Any) -> bool:
        """Whether the branch must have a committee, counted at `day`."""
        return self.present and committee_required(self.full_members(day), settings)

    def groups(self, day: date) -> set[str]:
        """The 党小组 of the members in standing at `day`, compared as names are."""
        return {name_key(m.group) for m in self.on(day) if m.group}

    def secretaries(self, day: date, *, strict: bool = False) -> list[Member]:
        """The 书记 in standing at `day`; when none is (and not `strict`), every member recorded
        as 书记 (a secretary who left during the year still gave that year's 党课)."""
        recorded = [m for m in self.members if m.party_post == SECRETARY and m.name]
        standing = [m for m in recorded if m.counted_on(day)]
        return standing if strict or standing else recorded

    def secretary_keys(self, day: date) -> set[str]:
        """The name keys of `secretaries(day)`."""
        return {m.key for m in self.secretaries(day)}


# --- into the next year ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CarriedMember:
    """A member handed on to the next year's roster: the member as last year's roster has them,
    and the 党员类别, 党籍状态 and 变动日期 the new roster starts with."""

    member: Member
    member_type: str
    standing: str
    change_date: date | None


def carry_forward(roster: Roster, year: int, on: date) -> list[CarriedMember]:
    """The members the roster of `year` hands on to the roster of the next year, in roster order
    (see the module docstring). `on` is the day the new roster is made (the 转正日期 is compared
    with it; never earlier than 31 December of `year`). Rows without a name are left out."""
    year_end = date(year, 12, 31)
    on = max(on, year_end)
    out = []
    for m in roster.members:
        if not m.name:
            continue
        later = ((m.join_date is not None and m.join_date > year_end)
                 or (m.standing == TRANSFERRED_IN and m.change_date is not None and m.change_date > year_end))
        if not m.counted_on(year_end) and not (later and m.current):
            continue
        member_type = FULL if m.full_on(on) else PROBATIONARY
        standing, change = m.standing, m.change_date
        if standing == TRANSFERRED_IN and (change is None or change <= year_end):
            standing, change = "在册", None
        elif standing in IN_STANDING:
            standing = standing or "在册"
        out.append(CarriedMember(m, member_type, standing, change))
    return out
