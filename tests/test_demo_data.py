"""The demo's branch data: deterministic, realistic, consistent across sheets, mistakes where recorded."""

from __future__ import annotations

import copy
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.demo import data as demo_data
from taizhang.demo import dues as demo_dues
from taizhang.demo import organisation, people
from taizhang.demo.organisation import BranchFill
from taizhang.party.calendar import day_before, months_elapsed
from taizhang.party.hosts import name_key
from taizhang.party.members import counted_on
from taizhang.workspace import config
from taizhang.workspace.definitions import load_definitions

YEAR = 2025
AS_OF = date(2026, 1, 10)  # collected early next year: the whole year has passed
SEED = 2025

from taizhang.party.dues import expected_monthly_due


@pytest.fixture(scope="module")
def data() -> demo_data.DemoData:
    return demo_data.build_dataset(SEED, YEAR, AS_OF)


@pytest.fixture(scope="module")
def clean() -> dict[str, BranchFill]:
    """The fills before any mistake is planted."""
    import random

    rng = random.Random(SEED)
    branches = organisation.demo_branches(rng)
    return {b.code: demo_data.generate_branch(rng, b, YEAR, AS_OF) for b in branches}


_TEXT_DATE = re.compile(r"^(\d{4})[.年](\d{1,2})[.月](\d{1,2})日?$")


def as_date(value: object) -> date:
    """A date cell as the reader would read it (a date, or text such as 2025.3.5 / 2025年3月5日)."""
    if isinstance(value, date):
        return value
    match = _TEXT_DATE.match(str(value))
    assert match, f"unreadable date text {value!r}"
    return date(*(int(g) for g in match.groups()))


def as_money(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value).replace(",", ""))


def roster_names(fill: BranchFill) -> dict[str, dict]:
    return {name_key(r["name"]): r for r in fill.ledgers["roster"]}


def in_standing(row: dict, day: date) -> bool:
    """A roster row ({key: value}) in standing at the end of `day`, by party.members."""
    return counted_on(row.get("standing") or "在册", row.get("join_date"), row.get("change_date"), day)


def full_in_standing(fill: BranchFill, day: date) -> int:
    return sum(1 for r in fill.ledgers["roster"] if r["member_type"] == "正式党员" and in_standing(r, day))


# --- branches and organisation -------------------------------------------------------------


def test_organisation_is_fictional_and_complete():
    org = organisation.demo_organisation()
    assert org["name"] == "中共青禾市交通运输局机关委员会"
    assert set(org) == {"name", "code", "contact", "phone"} and all(org.values())


def test_twelve_branches_with_unique_codes_and_names(data):
    branches = data.branches
    assert len(branches) == 12
    assert [b.code for b in branches] == [f"{i:03d}" for i in range(1, 13)]
    assert len({b.name for b in branches}) == 12
    assert all(b.parent == organisation.ORG_CODE for b in branches)
    names = [b.name for b in branches]
    assert "离退休干部党支部" in names and any("学生党支部" in n for n in names)
    # The row is exactly the columns of 支部名单.xlsx.
    assert set(branches[0].as_row()) == {"code", "name", "full_name", "parent", "secretary", "contact", "phone"}
    assert branches[0].to_branch().secretary == branches[0].secretary


def test_secretary_and_contact_of_the_list_are_on_the_roster(data):
    for b in data.branches:
        roster = roster_names(data.fills[b.code])
        assert roster[b.secretary]["party_post"] == "书记"
        assert b.contact in roster
        secretaries = [r for r in data.fills[b.code].ledgers["roster"] if r["party_post"] == "书记"]
        assert len(secretaries) == 1


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_same_data():
    a = demo_data.build_dataset(7, YEAR, AS_OF)
    b = demo_data.build_dataset(7, YEAR, AS_OF)
    assert a == b
    c = demo_data.build_dataset(8, YEAR, AS_OF)
    assert [x.secretary for x in a.branches] != [x.secretary for x in c.branches]


def test_generate_branch_accepts_a_branch_read_from_the_list(data):
    """demo.py reads 支部名单.xlsx back and passes `branches.Branch` objects: same profiles."""
    import random

    b = data.branches[6].to_branch()
    fill = demo_data.generate_branch(random.Random(1), b, YEAR, AS_OF)
    assert fill.profile == "big" and len(fill.ledgers["roster"]) >= 58


# --- rosters --------------------------------------------------------------------------------


def test_roster_sizes_and_profiles(clean):
    sizes = {code: len(f.ledgers["roster"]) for code, f in clean.items()}
    assert all(8 <= n <= 60 for n in sizes.values()), sizes
    profiles = Counter(f.profile for f in clean.values())
    assert profiles == {"regular": 8, "small": 1, "big": 1, "retired": 1, "student": 1}


def test_small_branch_has_no_committee(clean):
    small = next(f for f in clean.values() if f.profile == "small")
    assert full_in_standing(small, date(YEAR, 12, 31)) < 7
    # even counting those transferred out
    assert sum(1 for r in small.ledgers["roster"] if r["member_type"] == "正式党员") < 7
    assert [r["party_post"] for r in small.ledgers["roster"] if r["party_post"] != "党员"] == ["书记"]
    assert not any(r["meeting_type"] == "支委会" for r in small.ledgers["meetings"])


def test_big_branch_has_groups_with_leaders(clean):
    big = next(f for f in clean.values() if f.profile == "big")
    roster = big.ledgers["roster"]
    assert 58 <= len(roster) <= 60
    groups = Counter(r["group"] for r in roster)
    assert set(groups) == {"第一党小组", "第二党小组", "第三党小组", "第四党小组"}
    assert all(n >= 12 for n in groups.values())
    leaders = [r for r in roster if r["note"] and r["note"].endswith("组长")]
    assert len(leaders) == 4
    held = Counter(r["host"] for r in big.ledgers["meetings"] if r["meeting_type"] == "党小组会")
    assert sorted(held.values()) == [12, 12, 12, 12]


def test_committees_where_seven_full_members(clean):
    for f in clean.values():
        full = full_in_standing(f, date(YEAR, 12, 31))
        posts = {r["party_post"] for r in f.ledgers["roster"]}
        if full >= 7:
            assert {"书记", "组织委员", "宣传委员"} <= posts, f.code
        else:
            assert posts == {"书记", "党员"}, f.code


def test_person_categories(clean):
    retired = next(f for f in clean.values() if f.profile == "retired")
    assert {r["person_category"] for r in retired.ledgers["roster"]} == {"离退休"}
    student = next(f for f in clean.values() if f.profile == "student")
    cats = Counter(r["person_category"] for r in student.ledgers["roster"])
    assert cats["学生"] >= 8 and cats["在职"] >= 1
    regular = [f for f in clean.values() if f.profile in ("regular", "small", "big")]
    assert all(r["person_category"] == "在职" for f in regular for r in f.ledgers["roster"])


def test_roster_dates_are_consistent(clean):
    for f in clean.values():
        for r in f.ledgers["roster"]:
            assert r["birth_date"] < r["join_date"]
            assert (r["join_date"] - r["birth_date"]).days >= 18 * 365
            if r["member_type"] == "正式党员":
                assert r["full_date"] == people.add_years(r["join_date"], 1)
            else:
                assert r["full_date"] is None
            assert (r["standing"] == "在册") == (r["change_date"] is None)
            if r["standing"] != "在册":
                assert r["change_date"].year == YEAR and r["note"]


def test_transfers_out_and_in_happen(clean):
    standing = Counter(r["standing"] for f in clean.values() for r in f.ledgers["roster"])
    assert standing["转出"] >= 2 and standing["转入"] >= 2


def test_ethnicity_mostly_han(clean):
    eth = Counter(r["ethnicity"] for f in clean.values() for r in f.ledgers["roster"])
    total = sum(eth.values())
    assert eth["汉族"] / total > 0.85 and len(eth) > 1


# --- 三会一课 and 组织生活 -------------------------------------------------------------------


def test_event_dates_within_year_and_before_as_of(clean):
    for f in clean.values():
        for ledger in ("meetings", "activities"):
            for r in f.ledgers[ledger]:
                d = as_date(r["date"])
                assert d.year == YEAR and d <= AS_OF


def test_general_meeting_attendance_matches_roster(clean):
    for f in clean.values():
        for r in f.ledgers["meetings"]:
            assert 0 < r["present"] <= r["expected"]
            assert r["topic_count"] == len(r["topic"].split("；"))
            names = roster_names(f)
            assert name_key(r["host"]) in names and name_key(r["recorder"]) in names
            if r["meeting_type"] == "支部党员大会":
                day = as_date(r["date"])
                # expected: the members in standing when the meeting began (not those it admits)
                assert r["expected"] == sum(1 for m in f.ledgers["roster"] if in_standing(m, day_before(day)))
                assert r["present"] >= r["expected"] // 2 + 1  # quorum: more than half
            if r["expected"] > r["present"]:
                assert r["absentees"].count("（") == r["expected"] - r["present"]


def _by_period(rows: list[dict], kind: str, key: str, period) -> Counter:
    return Counter(period(as_date(r["date"])) for r in rows if r[key] == kind)


def test_regular_frequencies_for_every_branch_but_the_lazy_one(clean):
    quarter = lambda d: (d.month - 1) // 3  # noqa: E731
    for f in clean.values():
        meetings, activities = f.ledgers["meetings"], f.ledgers["activities"]
        gm = _by_period(meetings, "支部党员大会", "meeting_type", quarter)
        lectures = _by_period(meetings, "党课", "meeting_type", quarter)
        committee = _by_period(meetings, "支委会", "meeting_type", lambda d: d.month)
        theme = _by_period(activities, "主题党日", "activity_type", lambda d: d.month)
        kinds = Counter(r["activity_type"] for r in activities)
        secretary = next(r["name"] for r in f.ledgers["roster"] if r["party_post"] == "书记")
        by_secretary = [r for r in meetings if r["meeting_type"] == "党课" and r["host"] == secretary]
        assert kinds["组织生活会"] == 1 and kinds["民主评议党员"] == 1 and kinds["谈心谈话"] >= 1
        assert by_secretary
        if f.lazy:
            assert len(gm) < 4 and sum(committee.values()) < 12 and len(lectures) < 4 and len(theme) < 12
            continue
        assert len(gm) == 4 and len(lectures) == 4 and len(theme) == 12, f.code
        if f.profile != "small":
            assert sorted(committee) == list(range(1, 13)), f.code
            assert all(1 <= r["topic_count"] <= 4 for r in meetings if r["meeting_type"] == "支委会")


def test_exactly_one_lazy_branch(clean):
    assert [f.code for f in clean.values() if f.lazy] == ["005"]


def test_activity_participants_are_plausible(clean):
    for f in clean.values():
        size = len(f.ledgers["roster"])
        for r in f.ledgers["activities"]:
            assert r["participants"] >= 1
            if r["activity_type"] != "谈心谈话":
                assert r["participants"] <= size


# --- 党费 -----------------------------------------------------------------------------------


def test_dues_rows_match_the_roster(clean):
    for f in clean.values():
        roster = roster_names(f)
        dues = [name_key(r["name"]) for r in f.ledgers["dues"]]
        assert all(name in roster for name in dues), f.code
        assert sorted(dues) == sorted(roster), f.code  # in standing, and the one transferred out
        for r in f.ledgers["dues"]:
            assert r["person_category"] == roster[name_key(r["name"])]["person_category"]


def test_monthly_due_follows_the_rules(clean):
    settings = config.defaults(YEAR)
    for f in clean.values():
        for r in f.ledgers["dues"]:
            base = as_money(r["base"])
            low, high = expected_monthly_due(r["person_category"], base, settings)
            assert low <= r["monthly_due"] <= high
            if r["person_category"] == "学生":
                assert base == 0 and r["rate"] == "定额"
            else:  # the 交纳比例 shown is the one the amount was computed with
                rate = Decimal(r["rate"].rstrip("%")) / 100
                assert abs(base * rate - r["monthly_due"]) <= Decimal("0.005")


def test_dues_bases_spread_over_every_bracket(clean):
    brackets = Counter(r["rate"] for f in clean.values() for r in f.ledgers["dues"])
    assert {"0.5%", "1%", "1.5%", "2%", "定额"} <= set(brackets)
    retired = next(f for f in clean.values() if f.profile == "retired")
    assert all(3000 <= as_money(r["base"]) <= 8000 for r in retired.ledgers["dues"])


def test_months_paid_and_totals(clean):
    for f in clean.values():
        roster = roster_names(f)
        for r in f.ledgers["dues"]:
            months = [r[f"m{k}"] for k in range(1, 13)]
            paid = [m for m in months if m is not None]
            assert all(m == r["monthly_due"] for m in paid)
            assert r["total"] == (sum(paid, Decimal("0")) if paid else None)
            member = roster[name_key(r["name"])]
            first = [k for k in range(1, 13) if months[k - 1] is not None]
            if member["member_type"] == "预备党员" and member["join_date"].year == YEAR:
                assert first[0] == member["join_date"].month  # from the month of admission
            if member["standing"] == "转出":
                assert first[-1] == member["change_date"].month  # paid until the month of leaving
            if member["standing"] == "转入":
                assert first[0] == member["change_date"].month  # and here from the month of arrival
            # never six months in a row without a payment
            run = longest = 0
            for m in months:
                run = run + 1 if m is None else 0
                longest = max(longest, run)
            assert longest < 6, (f.code, r["name"])


def test_mid_year_returns_only_hold_the_past():
    as_of = date(YEAR, 6, 15)
    d = demo_data.build_dataset(3, YEAR, as_of)
    for f in d.fills.values():
        for ledger in ("meetings", "activities"):
            for r in f.ledgers[ledger]:
                got = as_date(r["date"])
                assert got <= as_of and got.year in (YEAR, YEAR - 1)
        for r in f.ledgers["dues"]:
            assert all(r[f"m{k}"] is None for k in range(7, 13))
    assert demo_dues.paid_through(YEAR, as_of) == 6
    assert demo_dues.paid_through(YEAR, date(YEAR, 6, 9)) == 5
    assert months_elapsed(YEAR, as_of) == 5


# --- 发展党员 -------------------------------------------------------------------------------


def test_recruitment_pipelines(clean):
    order = ("applied", "talked", "activist", "candidate", "trained", "admitted", "approved", "confirmed")
    stage_of = {"applied": "入党申请人", "talked": "入党申请人", "activist": "入党积极分子",
                "candidate": "发展对象", "trained": "发展对象", "admitted": "预备党员",
                "approved": "预备党员", "confirmed": "正式党员"}
    for f in clean.values():
        rows = f.ledgers["recruitment"]
        if f.profile == "retired":
            assert rows == []
            continue
        assert 3 <= len(rows) <= 8, f.code
        roster = roster_names(f)
        for r in rows:
            dates = [(k, r[k]) for k in order if r.get(k) is not None]
            assert [d for _, d in dates] == sorted(d for _, d in dates), r
            assert r["stage"] == stage_of[dates[-1][0]]
            assert all(d <= AS_OF for _, d in dates)
            assert people.add_years(r["birth_date"], 18) <= r["applied"]
            if r.get("talked"):
                assert r["talked"] <= people.add_months(r["applied"], 1)
            if r.get("candidate"):
                assert r["candidate"] > people.add_years(r["activist"], 1)
                sponsors = r["sponsors"].split("、")
                assert len(sponsors) == 2 and all(roster[s]["member_type"] == "正式党员" for s in sponsors)
            if r.get("admitted"):
                assert r["trained"] is not None
                if r.get("approved"):
                    assert r["approved"] <= people.add_months(r["admitted"], 3)
            if r.get("confirmed"):
                assert r["confirmed"] >= people.add_years(r["admitted"], 1)


def test_those_admitted_this_year_are_probationary_members_on_the_roster(clean):
    admitted = 0
    for f in clean.values():
        roster = roster_names(f)
        for r in f.ledgers["recruitment"]:
            if r.get("admitted") and r["admitted"].year == YEAR:
                admitted += 1
                member = roster[r["name"]]
                assert member["member_type"] == "预备党员" and member["join_date"] == r["admitted"]
                assert (member["gender"], member["birth_date"]) == (r["gender"], r["birth_date"])
                vote = [m for m in f.ledgers["meetings"] if r["name"] in m["topic"]]
                assert vote and as_date(vote[0]["date"]) == r["admitted"]
                assert vote[0]["meeting_type"] == "支部党员大会"
            if r.get("confirmed"):
                member = roster[r["name"]]
                assert member["member_type"] == "正式党员" and member["full_date"] == r["confirmed"]
    assert admitted >= 8


# --- 年度小结 -------------------------------------------------------------------------------


def test_summary_is_written_out(clean):
    for f in clean.values():
        s = f.summary
        for key in ("highlights", "problems", "plans"):
            lines = s[key].split("\n")
            assert 3 <= len(lines) <= 4
            assert [line.split(".")[0] for line in lines] == [str(i) for i in range(1, len(lines) + 1)]
        secretary = next(r["name"] for r in f.ledgers["roster"] if r["party_post"] == "书记")
        assert s["secretary"] == secretary and s["filler"] in roster_names(f)
        assert isinstance(s["filled_date"], date)
        gm = sum(1 for r in f.ledgers["meetings"] if r["meeting_type"] == "支部党员大会")
        assert f"支部党员大会{gm}次" in s["highlights"]
    lazy = next(f for f in clean.values() if f.lazy)
    assert "次数未达到规定要求" in lazy.summary["problems"]


# --- messy input ----------------------------------------------------------------------------


def test_some_cells_typed_the_way_people_type(clean):
    text_dates = [r["date"] for f in clean.values() for led in ("meetings", "activities")
                  for r in f.ledgers[led] if isinstance(r["date"], str)]
    assert text_dates and all(_TEXT_DATE.match(t) for t in text_dates)
    money = [r["base"] for f in clean.values() for r in f.ledgers["dues"] if isinstance(r["base"], str)]
    assert money and all(re.fullmatch(r"\d{1,3}(,\d{3})+\.\d{2}", m) for m in money)
    spaced = [r["name"] for f in clean.values() for r in f.ledgers["roster"] if "\u3000" in r["name"]]
    assert spaced


# --- planted mistakes -----------------------------------------------------------------------

ALL_RULES = {"DUES-RATE", "DUES-6M", "MEET-QUORUM", "MEET-ATTEND", "REC-ACTIVIST-1Y",
             "REC-PROBATION-1Y", "CELL-REQUIRED", "CELL-YEAR", "CELL-ENUM"}


def test_mistakes_cover_every_kind_in_three_or_four_branches(data):
    assert {m.rule_id for m in data.mistakes} == ALL_RULES
    assert len(data.mistakes) == len(ALL_RULES)
    branches = {m.branch_code for m in data.mistakes}
    assert 3 <= len(branches) <= 4
    assert "005" not in branches  # the lazy branch shows only its shortfalls
    assert all(m.description for m in data.mistakes)


def test_every_mistake_points_at_an_existing_row(data):
    definition = load_definitions()
    for m in data.mistakes:
        rows = data.fills[m.branch_code].ledgers[m.ledger_id]
        assert 0 <= m.row_index < len(rows)
        assert m.key in rows[m.row_index]
        assert definition.ledger(m.ledger_id).has(m.key)


def test_each_mistake_is_really_there(data):
    definition = load_definitions()
    settings = config.defaults(YEAR)
    for m in data.mistakes:
        row = data.fills[m.branch_code].ledgers[m.ledger_id][m.row_index]
        if m.rule_id == "DUES-RATE":
            assert row["monthly_due"] < expected_monthly_due("在职", row["base"], settings)[0]
        elif m.rule_id == "DUES-6M":
            start = int(m.key[1:])
            assert [row[f"m{k}"] for k in range(start, start + 6)] == [None] * 6
            assert row[f"m{start + 6}"] is not None and row[f"m{start - 1}"] is not None
        elif m.rule_id == "MEET-QUORUM":
            assert row["meeting_type"] == "支部党员大会" and row["present"] * 2 <= row["expected"]
        elif m.rule_id == "MEET-ATTEND":
            assert row["present"] > row["expected"]
        elif m.rule_id == "CELL-REQUIRED":
            assert row[m.key] is None and definition.ledger(m.ledger_id).column(m.key).required
        elif m.rule_id == "CELL-YEAR":
            assert row["date"].year == YEAR - 1
        elif m.rule_id == "CELL-ENUM":
            assert row[m.key] not in definition.ledger(m.ledger_id).column(m.key).values
        elif m.rule_id == "REC-ACTIVIST-1Y":
            assert row["activist"] < row["candidate"] < people.add_years(row["activist"], 1)
        elif m.rule_id == "REC-PROBATION-1Y":
            assert row["confirmed"] < people.add_years(row["admitted"], 1)
            assert roster_names(data.fills[m.branch_code])[row["name"]]["full_date"] == row["confirmed"]


def test_planting_changes_nothing_else(clean):
    import random

    before = copy.deepcopy(clean)
    after = copy.deepcopy(clean)
    rng = random.Random(99)
    mistakes = demo_data.plant_mistakes(rng, after, YEAR)
    allowed = {(m.branch_code, m.ledger_id, m.row_index) for m in mistakes}
    for m in mistakes:  # 转正 is also corrected on the roster, as a branch would
        if m.rule_id == "REC-PROBATION-1Y":
            name = after[m.branch_code].ledgers["recruitment"][m.row_index]["name"]
            idx = next(i for i, r in enumerate(after[m.branch_code].ledgers["roster"]) if r["name"] == name)
            allowed.add((m.branch_code, "roster", idx))
    changed = {
        (code, led, i)
        for code in before
        for led in before[code].ledgers
        for i, (x, y) in enumerate(zip(before[code].ledgers[led], after[code].ledgers[led]))
        if x != y
    }
    assert changed == allowed
    assert all(before[c].summary == after[c].summary for c in before)


def test_clean_branches_stay_clean_of_mistake_patterns(data):
    """Outside the planted rows, none of the planted patterns occurs anywhere."""
    planted = {(m.branch_code, m.ledger_id, m.row_index) for m in data.mistakes}
    definition = load_definitions()
    for code, f in data.fills.items():
        for ledger_id, rows in f.ledgers.items():
            ledger = definition.ledger(ledger_id)
            for i, row in enumerate(rows):
                if (code, ledger_id, i) in planted:
                    continue
                for col in ledger.columns:
                    value = row.get(col.key)
                    if col.required and col.type != "serial":
                        assert value not in (None, ""), (code, ledger_id, i, col.key)
                    if col.type == "enum" and value is not None:
                        assert value in col.values, (code, ledger_id, i, col.key, value)
                    if col.type == "date" and value is not None and not col.history:
                        assert as_date(value).year == YEAR
                if ledger_id == "meetings":
                    assert row["present"] <= row["expected"]


def test_mistakes_that_need_a_past_are_left_out_early_in_the_year():
    d = demo_data.build_dataset(SEED, YEAR, date(YEAR, 6, 15))
    rules = {m.rule_id for m in d.mistakes}
    assert "DUES-6M" not in rules  # only five months have passed
    assert {"MEET-QUORUM", "CELL-YEAR", "DUES-RATE", "CELL-ENUM"} <= rules


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), day=st.integers(0, 380))
def test_any_seed_and_date_gives_consistent_data(seed, day):
    as_of = date(YEAR, 1, 1) + timedelta(days=day)
    d = demo_data.build_dataset(seed, YEAR, as_of)
    assert len(d.branches) == 12
    for f in d.fills.values():
        roster = roster_names(f)
        assert 8 <= len(roster) <= 60
        assert {name_key(r["name"]) for r in f.ledgers["dues"]} == set(roster)
        for r in f.ledgers["recruitment"]:
            if r.get("admitted") and r["admitted"].year == YEAR:
                assert roster[r["name"]]["member_type"] == "预备党员"
        for m in f.ledgers["meetings"]:
            if m["meeting_type"] == "支部党员大会" and not any(
                x.branch_code == f.code and x.ledger_id == "meetings" and x.row_index == f.ledgers["meetings"].index(m)
                for x in d.mistakes
            ):
                assert m["present"] * 2 > m["expected"]
    for m in d.mistakes:
        rows = d.fills[m.branch_code].ledgers[m.ledger_id]
        assert 0 <= m.row_index < len(rows) and m.key in rows[m.row_index]
