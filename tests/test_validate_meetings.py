"""三会一课 and 组织生活: attendance, quorum, 应到人数 against the roster, and the frequencies."""

from __future__ import annotations

from datetime import date

import pytest
from builders import AFTER_YEAR, MEMBERS, activity, build, meeting, member, only, run, settings

from taizhang.problems import Severity

D = date
MEETING_RULES = ("MEET-GM-Q", "MEET-CMTE-M", "MEET-GROUP-M", "MEET-LECTURE-Q", "MEET-LECTURE-SEC")
LIFE_RULES = ("LIFE-THEME-M", "LIFE-OLM-Y", "LIFE-REVIEW-Y", "LIFE-TALK-Y")


def found(rules, *, roster=MEMBERS, meetings=(), activities=(), as_of=AFTER_YEAR, cfg=None, **kw):
    ret = build(roster=[dict(m) for m in roster], meetings=list(meetings), activities=list(activities), **kw)
    return only(run(ret, as_of=as_of, cfg=cfg), *rules)


# --- per meeting -----------------------------------------------------------------------------------


def test_present_above_expected() -> None:
    [p] = found(("MEET-ATTEND",), meetings=[meeting(D(2025, 3, 1), "党课", expected=3, present=4)])
    assert (p.severity, p.row, p.column) == (Severity.ERROR, 3, "实到人数")
    assert p.message == "实到人数4人多于应到人数3人。请核对人数。"
    assert found(("MEET-ATTEND",), meetings=[meeting(D(2025, 3, 1), "党课", expected=3, present=3)]) == []


@pytest.mark.parametrize("expected, present, ok", [
    (6, 3, False),   # exactly half: no quorum
    (6, 4, True),    # half + 1
    (5, 2, False),
    (5, 3, True),
    (1, 1, True),
    (1, 0, False),
])
def test_quorum(expected: int, present: int, ok: bool) -> None:
    problems = found(("MEET-QUORUM",), meetings=[meeting(D(2025, 3, 1), "支部党员大会", expected=expected, present=present)])
    assert (problems == []) is ok


def test_quorum_message_and_other_meetings() -> None:
    [p] = found(("MEET-QUORUM",), meetings=[meeting(D(2025, 3, 1), "支部党员大会", expected=6, present=3)])
    assert (p.severity, p.column, p.value) == (Severity.ERROR, "实到人数", "3")
    assert p.message == ("支部党员大会应到6人、实到3人，未超过半数（至少应有4人到会），会议不能作出决定。"
                         "请核对人数；如确实不足，应另行召开会议。")
    assert found(("MEET-QUORUM",), meetings=[meeting(D(2025, 3, 1), "党课", expected=6, present=2)]) == []


ROSTER = [
    member("王建国", post="书记", join=D(2000, 7, 1)),
    member("李红", join=D(2008, 6, 1)),
    member("张强", join=D(2015, 5, 1)),
    member("赵新", member_type="预备党员", join=D(2025, 6, 15)),
    member("钱多", standing="转出", change=D(2025, 3, 10)),
    member("孙立", standing="转入", join=D(2012, 1, 1), change=D(2025, 5, 1)),
]


@pytest.mark.parametrize("day, expected, ok", [
    (D(2025, 3, 10), 4, True),    # 钱多 leaves that day and still counts
    (D(2025, 3, 11), 4, False),   # … and not the day after
    (D(2025, 3, 11), 3, True),
    (D(2025, 7, 1), 5, True),     # 赵新 admitted 15 June, 孙立 transferred in 1 May
    (D(2025, 6, 14), 5, False),
])
def test_expected_against_the_roster(day: date, expected: int, ok: bool) -> None:
    problems = found(("MEET-EXPECTED",), roster=ROSTER,
                     meetings=[meeting(day, "支部党员大会", expected=expected, present=expected)])
    assert (problems == []) is ok


def test_expected_message_and_an_uncertain_member() -> None:
    [p] = found(("MEET-EXPECTED",), roster=ROSTER, meetings=[meeting(D(2025, 3, 11), "支部党员大会", expected=4, present=4)])
    assert (p.severity, p.column) == (Severity.WARNING, "应到人数")
    assert p.message == "支部党员大会应到人数填4人，但党员名册中2025年3月11日在册的党员有3人。请核对应到人数或党员名册。"
    unsure = [*ROSTER, member("周五", standing="转入", join=D(2010, 1, 1))]  # no 变动日期
    for expected, ok in ((5, True), (6, True), (7, False)):
        problems = found(("MEET-EXPECTED",), roster=unsure,
                         meetings=[meeting(D(2025, 7, 1), "支部党员大会", expected=expected, present=expected)])
        assert (problems == []) is ok
    [p] = found(("MEET-EXPECTED",), roster=unsure,
                meetings=[meeting(D(2025, 7, 1), "支部党员大会", expected=7, present=7)])
    assert "在册的党员有5至6人" in p.message
    assert found(("MEET-EXPECTED",), roster=[], meetings=[meeting(D(2025, 7, 1), "支部党员大会", expected=7)]) == []


# --- frequencies ---------------------------------------------------------------------------------


def test_general_meeting_every_quarter() -> None:
    only_q1 = [meeting(D(2025, 2, 10), "支部党员大会")]
    [p] = found(("MEET-GM-Q",), meetings=only_q1, as_of=D(2025, 7, 1))
    assert (p.severity, p.sheet, p.row) == (Severity.WARNING, "三会一课", None)
    assert p.message == "支部党员大会一般每季度召开1次，截至2025年6月30日应至少召开2次，台账登记1次（第二季度没有）。"
    assert found(("MEET-GM-Q",), meetings=only_q1, as_of=D(2025, 6, 30)) == []  # the 2nd quarter has not ended
    [p] = found(("MEET-GM-Q",), meetings=[*only_q1, meeting(D(2025, 11, 3), "支部党员大会")])
    assert "应至少召开4次，台账登记2次（第二、三季度没有）" in p.message
    # Two in one quarter do not make up for none in the next.
    [p] = found(("MEET-GM-Q",), meetings=[*only_q1, meeting(D(2025, 3, 3), "支部党员大会")], as_of=D(2025, 7, 1))
    assert "应至少召开2次，台账登记2次（第二季度没有）" in p.message
    # A meeting dated in another year does not count.
    assert found(("MEET-GM-Q",), meetings=[meeting(D(2024, 5, 3), "支部党员大会"), *only_q1], as_of=D(2025, 7, 1))


def test_nothing_is_counted_before_the_first_month_ends() -> None:
    assert found(MEETING_RULES + LIFE_RULES, as_of=D(2025, 1, 31)) == []


def test_lectures_every_quarter() -> None:
    lectures = [meeting(D(2025, m, 5), "党课") for m in (1, 2, 7, 8)]
    [p] = found(("MEET-LECTURE-Q",), meetings=lectures, as_of=D(2025, 10, 1))
    assert p.message == "党课一般每季度至少1次，截至2025年9月30日应至少3次，台账登记4次（第二季度没有）。"


def full_members(n: int, **last) -> list[dict]:
    people = [member("王建国", post="书记")] + [member(f"党员{i}") for i in range(1, n)]
    if last:
        people[-1] = member(people[-1]["name"], **last)
    return people


def test_committee_meetings_only_with_seven_full_members() -> None:
    assert found(("MEET-CMTE-M",), roster=full_members(6)) == []
    assert found(("MEET-CMTE-M",), roster=full_members(7, member_type="预备党员", join=D(2024, 12, 1))) == []
    assert found(("MEET-CMTE-M",), roster=full_members(7, standing="转出", change=D(2025, 3, 1))) == []
    [p] = found(("MEET-CMTE-M",), roster=full_members(7))
    assert p.message == "支委会一般每月召开1次，截至2025年12月31日应至少召开12次，台账登记0次（1—12月没有）。"
    monthly = [meeting(D(2025, m, 8), "支委会") for m in range(1, 13) if m != 11]
    [p] = found(("MEET-CMTE-M",), roster=full_members(7), meetings=monthly)
    assert p.message.endswith("应至少召开12次，台账登记11次（11月没有）。")


def test_group_meetings_each_group_every_month() -> None:
    roster = [member("王建国", post="书记", group="第一党小组"), member("李红", group="第二党小组"),
              member("张强", group="第二党小组")]
    groups = [meeting(D(2025, 1, 5), "党小组会"), meeting(D(2025, 1, 6), "党小组会"), meeting(D(2025, 2, 5), "党小组会")]
    [p] = found(("MEET-GROUP-M",), roster=roster, meetings=groups, as_of=D(2025, 3, 1))
    assert p.message == ("每个党小组一般每月召开1次党小组会，本支部有2个党小组，截至2025年2月28日应至少召开4次，"
                         "台账登记3次（2月只有1次）。")
    assert found(("MEET-GROUP-M",), roster=roster, meetings=[*groups, meeting(D(2025, 2, 9), "党小组会")],
                 as_of=D(2025, 3, 1)) == []
    assert found(("MEET-GROUP-M",), meetings=[], as_of=D(2025, 3, 1)) == []  # no groups on the roster


def test_the_secretary_gives_a_lecture_in_the_year() -> None:
    by_others = [meeting(D(2025, 3, 5), "党课", host="李红")]
    [p] = found(("MEET-LECTURE-SEC",), meetings=by_others)
    assert (p.severity, p.sheet) == (Severity.WARNING, "三会一课")
    assert p.message == "支部书记每年至少讲1次党课，台账中书记（王建国）没有讲党课的记录。"
    assert found(("MEET-LECTURE-SEC",), meetings=by_others, as_of=D(2025, 12, 31)) == []  # the year is not over
    assert found(("MEET-LECTURE-SEC",), meetings=[meeting(D(2025, 3, 5), "党课", host="王建国、李红")]) == []
    assert found(("MEET-LECTURE-SEC",), meetings=[meeting(D(2025, 3, 5), "党课", host="王 建国")]) == []
    no_secretary = [member("李红"), member("张强")]
    assert found(("MEET-LECTURE-SEC",), roster=no_secretary, meetings=by_others) == []
    cfg = settings(frequency={"secretary_lectures_per_year": 2})
    [p] = found(("MEET-LECTURE-SEC",), meetings=[meeting(D(2025, 3, 5), "党课")], cfg=cfg)
    assert p.message == "支部书记每年至少讲2次党课，台账中书记（王建国）讲党课只有1次。"


def test_a_frequency_set_to_zero_or_switched_off_is_not_checked() -> None:
    assert found(("MEET-GM-Q",), cfg=settings(frequency={"general_meeting_per_quarter": 0})) == []
    assert found(("MEET-GM-Q",), cfg=settings(rules={"severity": {"MEET-GM-Q": "关闭"}})) == []
    [p] = found(("MEET-GM-Q",), cfg=settings(rules={"severity": {"MEET-GM-Q": "提示"}}))
    assert p.severity is Severity.INFO


def test_missing_meetings_sheet() -> None:
    assert found(MEETING_RULES + ("MEET-ATTEND", "MEET-QUORUM", "MEET-EXPECTED"), missing=("meetings",)) == []


# --- 组织生活 -------------------------------------------------------------------------------------


def test_theme_day_every_month() -> None:
    days = [activity(D(2025, m, 15), "主题党日") for m in (1, 3, 4, 8, 9, 10, 11, 12)]
    days.append(activity(D(2024, 2, 15), "主题党日"))  # last year's February does not count
    [p] = found(("LIFE-THEME-M",), activities=days)
    assert (p.severity, p.sheet, p.row) == (Severity.WARNING, "组织生活", None)
    assert p.message == "主题党日每月1次，截至2025年12月31日应至少12次，台账登记8次（2月、5—7月没有）。"
    assert found(("LIFE-THEME-M",), activities=days, as_of=D(2025, 2, 1)) == []


@pytest.mark.parametrize("rule, kind, message", [
    ("LIFE-OLM-Y", "组织生活会", "组织生活会每年至少召开1次，台账中2025年没有组织生活会的记录。"),
    ("LIFE-REVIEW-Y", "民主评议党员", "民主评议党员一般每年开展1次，台账中2025年没有民主评议党员的记录。"),
    ("LIFE-TALK-Y", "谈心谈话", "谈心谈话每年至少开展1次，台账中2025年没有谈心谈话的记录。"),
])
def test_yearly_activities_once_the_year_is_over(rule: str, kind: str, message: str) -> None:
    [p] = found((rule,), activities=[activity(D(2025, 12, 20), "主题党日")])
    assert (p.severity, p.sheet, p.message) == (Severity.WARNING, "组织生活", message)
    assert found((rule,), activities=[], as_of=D(2025, 12, 31)) == []
    assert found((rule,), activities=[activity(D(2025, 12, 20), kind)]) == []
    assert found((rule,), activities=[activity(D(2024, 12, 20), kind)])  # last year's does not count


def test_yearly_count_above_one() -> None:
    cfg = settings(frequency={"life_meeting_per_year": 2})
    [p] = found(("LIFE-OLM-Y",), activities=[activity(D(2025, 6, 20), "组织生活会")], cfg=cfg)
    assert p.message == "组织生活会每年至少召开2次，台账中2025年只登记了1次。"


def test_missing_activities_sheet() -> None:
    assert found(LIFE_RULES, missing=("activities",)) == []
