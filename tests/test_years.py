"""Year after year, the library's side: taizhang.toml's round edited in place, what a roster and a
发展党员 sheet hand on to the next year, term figures added up year by year, and the checks of a
blank return."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from builders import build, dues_row, meeting, member, only, recruit, run, settings

from taizhang.errors import ConfigError
from taizhang.issue.carry import carried_rows
from taizhang.party.members import Roster, carry_forward
from taizhang.party.periods import Period
from taizhang.party.recruitment import pipeline_stage, still_in_pipeline
from taizhang.records import Row
from taizhang.statistics.compute import compute
from taizhang.workspace import config
from taizhang.workspace.branches import Branch
from taizhang.workspace.rounds import moved_on

# --- taizhang.toml ---------------------------------------------------------------------------


def test_the_round_is_set_in_place_keeping_every_comment() -> None:
    text = config.default_text(org="中共某局机关委员会", year=2025)
    out = config.with_round(text, 2026, date(2027, 1, 15))
    changed = [(a, b) for a, b in zip(text.splitlines(), out.splitlines()) if a != b]
    assert changed == [
        ("year = 2025             # 台账年度", "year = 2026             # 台账年度"),
        ("deadline = 2026-01-15     # 报送截止日期，迟于此日期收到的标为“逾期”",
         "deadline = 2027-01-15     # 报送截止日期，迟于此日期收到的标为“逾期”"),
    ]
    parsed = config.parse(config.tomllib.loads(out))
    assert parsed.year == 2026 and parsed.deadline == date(2027, 1, 15) and parsed.org_name == "中共某局机关委员会"


def test_a_missing_key_is_added_and_a_missing_table_is_an_error() -> None:
    out = config.with_round('[organisation]\nname = "甲"\n\n[dues]\nrounding = "0.1"\n', 2026, None)
    parsed = config.tomllib.loads(out)
    assert parsed["organisation"] == {"name": "甲", "year": 2026, "deadline": ""}
    assert parsed["dues"] == {"rounding": "0.1"}
    with pytest.raises(ConfigError, match="organisation"):
        config.with_round('[dues]\nrounding = "0.1"\n', 2026, None)


def test_the_deadline_moves_on_by_the_years_moved() -> None:
    assert moved_on(date(2026, 1, 15), 1, 2026) == date(2027, 1, 15)
    assert moved_on(date(2024, 2, 29), 1, 2025) == date(2025, 2, 28)
    assert moved_on(None, 1, 2026) == date(2027, 1, 15)


@pytest.mark.parametrize(("deadline", "stale"), [
    (date(2026, 1, 15), True),  # last year's deadline left in place
    (date(2026, 12, 30), True),
    (date(2026, 12, 31), False),
    (date(2027, 1, 15), False),
    (None, False),
])
def test_a_deadline_before_the_year_is_over_is_stale(deadline, stale) -> None:
    s = config.parse({"organisation": {"year": 2026, "deadline": deadline.isoformat() if deadline else ""}})
    warnings = config.round_warnings(s)
    assert bool(warnings) is stale
    if stale:
        assert warnings[0].rule_id == "CONFIG-DEADLINE"
        assert "taizhang year 2026 --deadline 2027-01-15" in warnings[0].message


# --- carried into the next year ---------------------------------------------------------------

def _rows(items: list[dict]) -> list[Row]:
    return [Row(excel_row=3 + i, values=v) for i, v in enumerate(items)]


def test_the_members_in_standing_on_31_december_are_carried_with_their_data() -> None:
    roster = Roster.of_rows(_rows([
        member("王建国", post="书记"),
        member("李红", member_type="预备党员", join=date(2025, 3, 10), full_date=date(2026, 3, 10)),
        member("赵新", member_type="预备党员", join=date(2024, 11, 5), full_date=date(2025, 11, 5)),
        member("钱转出", standing="转出", change=date(2025, 9, 1)),
        member("孙去世", standing="去世", change=date(2025, 4, 2)),
        member("周转入", standing="转入", change=date(2025, 3, 1), note="3月由外单位转入"),
        member("吴一月", standing="转出", change=date(2026, 1, 8)),
        member("郑无日期", standing="停止党籍"),
    ]))
    carried = {c.member.name: c for c in carry_forward(roster, 2025, date(2026, 1, 20))}
    assert list(carried) == ["王建国", "李红", "赵新", "周转入", "吴一月"]
    # 转正日期 passed by the day the new roster is made: a full member; still to come: 预备党员
    assert carried["赵新"].member_type == "正式党员" and carried["李红"].member_type == "预备党员"
    assert carried["李红"].member.full_date == date(2026, 3, 10)
    # last year's 转入 is 在册 now; a change dated in the new year is kept
    assert (carried["周转入"].standing, carried["周转入"].change_date) == ("在册", None)
    assert (carried["吴一月"].standing, carried["吴一月"].change_date) == ("转出", date(2026, 1, 8))
    # made after 李红's 转正日期: a full member
    later = {c.member.name: c.member_type for c in carry_forward(roster, 2025, date(2026, 4, 1))}
    assert later["李红"] == "正式党员"


def test_the_pipeline_at_the_year_end_is_carried_and_the_stage_follows_the_dates() -> None:
    people = _rows([
        recruit("甲", applied=date(2025, 3, 1)),
        recruit("乙", stage="入党积极分子", applied=date(2023, 3, 1), activist=date(2023, 9, 1)),
        recruit("丙", stage="正式党员", applied=date(2020, 3, 1), admitted=date(2024, 5, 1),
                confirmed=date(2025, 5, 1)),
        recruit("丁", stage="预备党员", applied=date(2021, 3, 1), admitted=date(2025, 6, 1),
                confirmed=date(2026, 6, 1)),
    ])
    day = date(2025, 12, 31)
    assert [still_in_pipeline(r, day) for r in people] == [True, True, False, True]
    assert [pipeline_stage(r, day) for r in people] == ["入党申请人", "入党积极分子", None, "预备党员"]


def test_a_return_hands_on_roster_pipeline_and_the_dues_names() -> None:
    ret = build(
        roster=[member("王建国", post="书记"), member("李红", category="离退休"),
                member("钱转出", standing="转出", change=date(2025, 9, 1)),
                member("周转入", standing="转入", change=date(2025, 3, 1), note="3月由外单位转入，1—2月党费已在原单位交纳")],
        dues=[dues_row("王建国", base=6000, due=90), dues_row("李　红", base=3000, due=15, category="离退休"),
              dues_row("钱转出", base=5000, due=50)],
        recruitment=[recruit("甲", applied=date(2025, 3, 1), talked=date(2025, 3, 20), stage="入党积极分子"),
                     recruit("丙", stage="正式党员", applied=date(2020, 3, 1), admitted=date(2024, 5, 1),
                             confirmed=date(2025, 5, 1))],
    )
    c = carried_rows(ret, date(2026, 1, 20))
    assert (c.year, c.members, c.recruits) == (2025, 3, 1)
    assert [(r["seq"], r["name"], r["member_type"], r["standing"], r["party_post"]) for r in c.rows["roster"]] == [
        (1, "王建国", "正式党员", "在册", "书记"), (2, "李红", "正式党员", "在册", "党员"),
        (3, "周转入", "正式党员", "在册", "党员")]
    moved = c.rows["roster"][2]
    assert "change_date" not in moved and "note" not in moved  # the transfer was last year's
    pipeline = c.rows["recruitment"][0]
    assert (pipeline["name"], pipeline["applied"], pipeline["talked"]) == ("甲", date(2025, 3, 1), date(2025, 3, 20))
    assert pipeline["stage"] == "入党申请人"  # the stage the dates give, not the one typed last year
    assert c.rows["dues"] == [
        {"seq": 1, "name": "王建国", "person_category": "在职", "base": Decimal(6000)},
        {"seq": 2, "name": "李红", "person_category": "离退休", "base": Decimal(3000)},
        {"seq": 3, "name": "周转入", "person_category": "在职"},  # no dues row last year: no base
    ]


# --- every event in its own year -----------------------------------------------------------------

BRANCH = [Branch("001", "机关第一党支部")]


def _year(year: int, *, admitted_before: bool = False) -> dict:
    """One year of a branch: two 支部党员大会, one applicant of that year; the later return also
    shows last year's applicant made an activist, its 2024 application date kept as history."""
    recruitment = [recruit("甲", applied=date(year, 3, 1), talked=date(year, 3, 20))]
    if admitted_before:
        recruitment.append(recruit("乙", stage="入党积极分子", applied=date(year - 1, 3, 1),
                                   talked=date(year - 1, 3, 20), activist=date(year, 4, 1)))
    return {"roster": [member("王建国", post="书记"), member("李红"), member("张强")],
            "meetings": [meeting(date(year, 3, 5), "支部党员大会"), meeting(date(year, 6, 5), "支部党员大会")],
            "recruitment": recruitment}


def test_a_term_adds_up_each_years_own_return_and_takes_stocks_from_the_last() -> None:
    returns = {"001": [build(2024, **_year(2024)), build(2025, **_year(2025, admitted_before=True))]}
    stats = compute(returns, BRANCH, Period.years_between(2023, 2025), settings(), as_of=date(2026, 1, 20))
    years = {y: s.branch("001") for y, s in stats.per_year.items()}
    assert not years[2023].returned
    assert [years[y].recruitment.applied for y in (2024, 2025)] == [1, 1]  # 2024's date in the 2025 sheet: not counted
    assert [years[y].recruitment.activists for y in (2024, 2025)] == [0, 1]
    term = stats.branch("001")
    assert term.meetings.general == years[2024].meetings.general + years[2025].meetings.general == 4
    assert (term.recruitment.applied, term.recruitment.activists) == (2, 1)
    assert term.recruitment.pipeline == years[2025].recruitment.pipeline == {
        "入党申请人": 1, "入党积极分子": 1, "发展对象": 0, "预备党员": 0}
    assert term.stock_year == 2025 and term.membership.total == years[2025].membership.total == 3
    assert term.years_returned == [2024, 2025]


def test_a_missing_last_year_leaves_the_stocks_of_the_last_year_returned() -> None:
    returns = {"001": [build(2024, **_year(2024))]}
    stats = compute(returns, BRANCH, Period.years_between(2024, 2025), settings(), as_of=date(2026, 1, 20))
    assert stats.branch("001").stock_year == 2024
    assert not stats.per_year[2025].branch("001").returned


# --- blank returns and dates of another year ----------------------------------------------------

def test_an_empty_roster_is_an_error() -> None:
    assert [p.severity.value for p in only(run(build()), "ROSTER-EMPTY")] == ["错误"]
    assert only(run(build(roster=[member("王建国", post="书记")])), "ROSTER-EMPTY") == []
    assert only(run(build(missing=("roster",))), "ROSTER-EMPTY") == []  # SHEET-MISSING says so


def test_a_year_over_without_any_meeting_is_flagged_but_not_a_year_under_way() -> None:
    ret = build(roster=[member("王建国", post="书记")])
    found = only(run(ret, as_of=date(2026, 1, 10)), "MEET-NONE-Y")
    assert [(p.severity.value, p.sheet) for p in found] == [("错误", "三会一课")]
    assert "2025年已经结束" in found[0].message
    assert only(run(ret, as_of=date(2025, 10, 1)), "MEET-NONE-Y") == []
    assert only(run(build(roster=[member("王建国")], meetings=[meeting(date(2025, 3, 5), "党课")])),
                "MEET-NONE-Y") == []


def test_a_history_date_after_the_year_is_reported_and_counted_in_no_year() -> None:
    row = recruit("甲", applied=date(2025, 3, 1), talked=date(2025, 3, 20), activist=date(2026, 1, 5),
                  stage="入党积极分子")
    ret = build(roster=[member("王建国", post="书记")], recruitment=[row])
    found = only(run(ret), "CELL-NEXT-YEAR")
    assert [(p.severity.value, p.column, p.value) for p in found] == [("警告", "确定积极分子日期", "2026-01-05")]
    stats = compute({"001": ret}, BRANCH, Period.year(2025), settings(), as_of=date(2026, 1, 20))
    r = stats.branch("001").recruitment
    assert (r.applied, r.activists, r.pipeline["入党申请人"], r.pipeline["入党积极分子"]) == (1, 0, 1, 0)
