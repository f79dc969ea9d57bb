"""statistics.compute on returns built by hand; every expected figure is worked out by hand here.

The fixture (also used by test_consolidate and test_cli_consolidate):

- 001 机关第一党支部, 2023–2025: 9 people on the 2025 roster — 赵敏 admitted 2025-05-20 (预备党员,
  owes dues from May), 吴迪 transferred in 2025-03-10 (owes from March), 孙涛 transferred out
  2025-08-15 (owes until August, not in standing at the year end); 7 full members, so the
  committee rule applies; two 党小组.
- 002 办公室党支部, 2024–2025: 4 members, no committee, no groups; 黄磊 becomes 正式 2025-11-05.
- 003 离退休干部党支部: never returned.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from taizhang.party.periods import Period
from taizhang.reading import column_letter
from taizhang.records import BranchReturn, LedgerData, Row
from taizhang.statistics.compute import age_band, compute
from taizhang.statistics.model import AGE_BANDS, ExcludedReturn, Stats
from taizhang.workspace import config
from taizhang.workspace.branches import Branch
from taizhang.workspace.definitions import load_definitions

D = date
M = Decimal
SETTINGS = config.defaults(2025)
DEFINITION = load_definitions()
BRANCHES = [
    Branch("001", "机关第一党支部", secretary="王建国"),
    Branch("002", "办公室党支部", secretary="赵红"),
    Branch("003", "离退休干部党支部", secretary="孙立"),
]
SHEETS = {"roster": "党员名册", "meetings": "三会一课", "activities": "组织生活", "dues": "党费收缴",
          "recruitment": "发展党员", "summary": "年度小结"}


# --- building returns ------------------------------------------------------------------------
def make_return(code: str, name: str, year: int, **ledgers: list[dict[str, Any]]) -> BranchReturn:
    """A BranchReturn with the given ledgers' rows ({key: value} each), Excel rows from 3, every
    column of the shipped definition found (as on a sheet read from an issued workbook)."""
    ret = BranchReturn(code, name, year, template_id="dangjian-taizhang", template_version="2025.1")
    for ledger_id, sheet in SHEETS.items():
        rows = ledgers.get(ledger_id, [])
        columns = DEFINITION.ledger(ledger_id).columns
        ret.ledgers[ledger_id] = LedgerData(
            ledger_id, sheet, [Row(excel_row=i, values=dict(v)) for i, v in enumerate(rows, start=3)],
            letters={col.key: column_letter(i) for i, col in enumerate(columns)},
        )
    return ret


def member(name, gender, birth, edu, join, full=None, *, post="党员", group=None, standing="在册",
           change=None, category="在职"):
    return {"name": name, "gender": gender, "birth_date": birth, "education": edu, "join_date": join,
            "full_date": full, "member_type": "正式党员" if full else "预备党员", "person_category": category,
            "party_post": post, "group": group, "standing": standing, "change_date": change}


def meeting(day, kind, host, expected=None, present=None, topics=None, topic="学习"):
    return {"date": day, "meeting_type": kind, "topic": topic, "topic_count": topics, "host": host,
            "expected": expected, "present": present}


def activity(day, kind, people, title="活动"):
    return {"date": day, "activity_type": kind, "title": title, "participants": people}


def dues(name, monthly, months, amount=None, *, extra=None):
    row = {"name": name, "person_category": "在职", "base": M("0"), "monthly_due": M(monthly)}
    for m in months:
        row[f"m{m}"] = M(amount or monthly)
    row.update(extra or {})
    return row


def person(name, birth, applied, activist=None, candidate=None, admitted=None, confirmed=None, stage="入党申请人"):
    return {"name": name, "gender": "女", "birth_date": birth, "applied": applied, "activist": activist,
            "candidate": candidate, "admitted": admitted, "confirmed": confirmed, "stage": stage}


ROSTER_001_CORE = [
    member("王建国", "男", D(1975, 3, 1), "大学本科", D(2000, 7, 1), D(2001, 7, 1), post="书记", group="第一党小组"),
    member("李红", "女", D(1985, 6, 1), "研究生", D(2008, 6, 1), D(2009, 6, 1), post="组织委员", group="第一党小组"),
    member("张强", "男", D(1990, 1, 1), "大学本科", D(2015, 5, 1), D(2016, 5, 1), post="宣传委员", group="第二党小组"),
    member("刘洋", "男", D(1995, 8, 20), "大学本科", D(2020, 6, 1), D(2021, 6, 1), group="第二党小组"),
    member("陈静", "女", D(1965, 2, 10), "大学专科", D(1990, 7, 1), D(1991, 7, 1), group="第一党小组",
           category="离退休"),
    member("周平", "男", D(1970, 5, 5), "高中", D(1995, 7, 1), D(1996, 7, 1), group="第一党小组"),
]
SUN_TAO = member("孙涛", "男", D(1980, 11, 30), "大学本科", D(2005, 7, 1), D(2006, 7, 1), group="第二党小组")

RECRUITS = {
    "冯雪": D(1996, 1, 1), "赵敏": D(1998, 4, 15), "何亮": D(1997, 7, 7), "钱多多": D(2001, 1, 1),
    "郑好": D(2003, 3, 3),
}


def return_001_2025() -> BranchReturn:
    roster = ROSTER_001_CORE + [
        member("赵敏", "女", D(1998, 4, 15), "研究生", D(2025, 5, 20), group="第二党小组"),
        {**SUN_TAO, "standing": "转出", "change_date": D(2025, 8, 15)},
        member("吴迪", "男", D(1988, 9, 9), "大学本科", D(2010, 7, 1), D(2011, 7, 1), standing="转入",
               change=D(2025, 3, 10)),
    ]
    meetings = [
        meeting(D(2025, 3, 5), "支部党员大会", "王建国", 8, 7),
        meeting(D(2025, 5, 20), "支部党员大会", "王建国", 8, 8),
        meeting(D(2025, 9, 10), "支部党员大会", "王建国", 8, 6),
        meeting(D(2025, 12, 15), "支部党员大会", "王建国", 8, 8),
        meeting(D(2025, 3, 20), "党课", "王建国"),
        meeting(D(2025, 6, 28), "党课", "李红"),
        meeting(D(2025, 9, 25), "党课", "张强"),
        meeting(D(2025, 11, 10), "党课", "王建国"),
    ]
    # 支委会 every month but November; three 议题 in January, the default (1) otherwise.
    meetings += [meeting(D(2025, m, 8), "支委会", "王建国", topics=3 if m == 1 else None)
                 for m in range(1, 13) if m != 11]
    # 党小组会: two groups, two a month, but only one in July.
    for m in range(1, 13):
        meetings.append(meeting(D(2025, m, 18), "党小组会", "李红"))
        if m != 7:
            meetings.append(meeting(D(2025, m, 19), "党小组会", "张强"))
    activities = [activity(D(2025, m, 1), "主题党日", 7) for m in range(1, 13) if m != 2]
    activities += [
        activity(D(2025, 12, 20), "组织生活会", 8),
        activity(D(2025, 12, 20), "民主评议党员", 8),
        activity(D(2025, 12, 5), "谈心谈话", 8),
        activity(D(2025, 6, 10), "谈心谈话", 3),
        activity(D(2025, 4, 15), "集中学习研讨", 7),
        activity(D(2025, 7, 1), "志愿服务", 5, title="=1+1"),
    ]
    all_months = range(1, 13)
    dues_rows = [
        dues("王建国", "60.00", all_months),
        dues("李红", "45.00", all_months),
        dues("张强", "30.00", range(1, 11)),  # November and December unpaid
        dues("刘洋", "15.50", [m for m in all_months if m != 9]),  # September unpaid
        dues("陈静", "20.00", all_months),
        dues("赵敏", "10.00", range(5, 13)),  # 预备党员 from May
        dues("孙涛", "50.00", range(1, 9)),  # transferred out in August
        dues("周平", "12.34", all_months),
        dues("吴迪", "25.00", range(3, 13)),  # transferred in in March
    ]
    recruitment = [
        person("赵敏", RECRUITS["赵敏"], D(2022, 3, 1), D(2022, 9, 1), D(2024, 3, 1), D(2025, 5, 20), stage="预备党员"),
        person("钱多多", RECRUITS["钱多多"], D(2024, 10, 10), D(2025, 7, 15), stage="入党积极分子"),
        person("郑好", RECRUITS["郑好"], D(2025, 2, 20)),
        person("冯雪", RECRUITS["冯雪"], D(2021, 5, 1), D(2021, 11, 1), D(2023, 1, 1), D(2023, 6, 1), D(2024, 6, 5),
               stage="正式党员"),
        person("何亮", RECRUITS["何亮"], D(2023, 3, 1), D(2023, 9, 1), D(2024, 10, 1), D(2025, 11, 10), stage="预备党员"),
    ]
    summary = [{"highlights": "坚持“三会一课”。", "problems": "@SUM(A1)", "filler": "李红", "secretary": "王建国",
                "filled_date": D(2026, 1, 5)}]
    return make_return("001", "机关第一党支部", 2025, roster=roster, meetings=meetings, activities=activities,
                       dues=dues_rows, recruitment=recruitment, summary=summary)


def _regular_year_001(year: int, recruitment: list[dict[str, Any]]) -> BranchReturn:
    """A plain year of 001 before 2025: 7 full members, every rule met, everyone paid 10 元 a month."""
    roster = ROSTER_001_CORE + [SUN_TAO]
    meetings = [meeting(D(year, 3 * q - 1, 10), "支部党员大会", "王建国", 7, 7) for q in range(1, 5)]
    meetings += [meeting(D(year, 3 * q, 20), "党课", "王建国" if q == 2 else "李红") for q in range(1, 5)]
    meetings += [meeting(D(year, m, 8), "支委会", "王建国") for m in range(1, 13)]
    meetings += [meeting(D(year, m, d), "党小组会", "李红") for m in range(1, 13) for d in (18, 19)]
    activities = [activity(D(year, m, 1), "主题党日", 7) for m in range(1, 13)]
    activities += [activity(D(year, 12, 20), kind, 7) for kind in ("组织生活会", "民主评议党员", "谈心谈话")]
    dues_rows = [dues(m["name"], "10.00", range(1, 13)) for m in roster]
    return make_return("001", "机关第一党支部", year, roster=roster, meetings=meetings, activities=activities,
                       dues=dues_rows, recruitment=recruitment)


def return_001_2023() -> BranchReturn:
    return _regular_year_001(2023, [
        person("冯雪", RECRUITS["冯雪"], D(2021, 5, 1), D(2021, 11, 1), D(2023, 1, 1), D(2023, 6, 1), stage="预备党员"),
        person("赵敏", RECRUITS["赵敏"], D(2022, 3, 1), D(2022, 9, 1), stage="入党积极分子"),
        person("何亮", RECRUITS["何亮"], D(2023, 3, 1), D(2023, 9, 1), stage="入党积极分子"),
    ])


def return_001_2024() -> BranchReturn:
    return _regular_year_001(2024, [
        person("冯雪", RECRUITS["冯雪"], D(2021, 5, 1), D(2021, 11, 1), D(2023, 1, 1), D(2023, 6, 1), D(2024, 6, 5),
               stage="正式党员"),
        person("赵敏", RECRUITS["赵敏"], D(2022, 3, 1), D(2022, 9, 1), D(2024, 3, 1), stage="发展对象"),
        person("何亮", RECRUITS["何亮"], D(2023, 3, 1), D(2023, 9, 1), D(2024, 10, 1), stage="发展对象"),
        person("钱多多", RECRUITS["钱多多"], D(2024, 10, 10)),
    ])


ROSTER_002 = [
    member("赵红", "女", D(1980, 1, 1), "大学本科", D(2005, 7, 1), D(2006, 7, 1), post="书记"),
    member("钱芳", "女", D(1992, 2, 2), "研究生", D(2016, 7, 1), D(2017, 7, 1)),
    member("马超", "男", D(1960, 6, 6), "初中及以下", D(1985, 7, 1), D(1986, 7, 1), category="离退休"),
]


def return_002_2025() -> BranchReturn:
    roster = ROSTER_002 + [member("黄磊", "男", D(2000, 12, 12), "大学本科", D(2024, 11, 1), D(2025, 11, 5))]
    meetings = [
        meeting(D(2025, 3, 10), "支部党员大会", "赵红", 4, 4),
        meeting(D(2025, 6, 10), "支部党员大会", "赵红", 4, 3),
        meeting(D(2025, 11, 5), "支部党员大会", "赵红", 4, 4),
        meeting(D(2025, 3, 15), "党课", "赵红"),
        meeting(D(2025, 9, 15), "党课", "钱芳"),
    ]
    activities = [activity(D(2025, m, 3), "主题党日", 4) for m in range(1, 13)]
    activities.append(activity(D(2025, 12, 28), "民主评议党员", 4))
    dues_rows = [
        dues("赵红", "40.00", range(1, 13)),
        dues("钱芳", "20.00", range(1, 13)),
        dues("马超", "15.00", range(1, 12), extra={"m12": M("30.00")}),  # paid January 2026 ahead
        dues("黄磊", "5.00", range(1, 13)),
    ]
    return make_return("002", "办公室党支部", 2025, roster=roster, meetings=meetings, activities=activities,
                       dues=dues_rows)


def return_002_2024() -> BranchReturn:
    roster = ROSTER_002 + [member("黄磊", "男", D(2000, 12, 12), "大学本科", D(2024, 11, 1))]
    meetings = [meeting(D(2024, 3 * q - 1, 10), "支部党员大会", "赵红", 3, 3) for q in range(1, 5)]
    meetings += [meeting(D(2024, 3 * q, 20), "党课", "赵红") for q in range(1, 5)]
    activities = [activity(D(2024, m, 3), "主题党日", 3) for m in range(1, 13)]
    activities += [activity(D(2024, 12, 20), kind, 4) for kind in ("组织生活会", "民主评议党员", "谈心谈话")]
    dues_rows = [dues("赵红", "40.00", range(1, 13)), dues("钱芳", "20.00", range(1, 13)),
                 dues("马超", "15.00", range(1, 13)), dues("黄磊", "5.00", [11, 12])]
    return make_return("002", "办公室党支部", 2024, roster=roster, meetings=meetings, activities=activities,
                       dues=dues_rows)


def returns_2025() -> dict[str, BranchReturn]:
    return {"001": return_001_2025(), "002": return_002_2025()}


def returns_term() -> dict[str, list[BranchReturn]]:
    return {"001": [return_001_2023(), return_001_2024(), return_001_2025()],
            "002": [return_002_2024(), return_002_2025()]}


def year_stats(**kw: Any) -> Stats:
    return compute(returns_2025(), BRANCHES, Period.year(2025), SETTINGS, as_of=D(2026, 1, 10), **kw)


def rule(bs, rule_id):
    c = bs.rule(rule_id)
    return (c.required, c.held, c.met, c.applies, c.short) if c.applies else ("不适用", c.reason)


# --- small pieces ------------------------------------------------------------------------------
def _row(**values: Any) -> Row:
    return Row(3, values)


@pytest.mark.parametrize("age, band", [(18, AGE_BANDS[0]), (30, AGE_BANDS[0]), (31, AGE_BANDS[1]),
                                       (40, AGE_BANDS[1]), (41, AGE_BANDS[2]), (50, AGE_BANDS[2]),
                                       (51, AGE_BANDS[3]), (60, AGE_BANDS[3]), (61, AGE_BANDS[4])])
def test_age_bands_have_inclusive_upper_bounds(age: int, band: str) -> None:
    assert age_band(age) == band


# --- a year -------------------------------------------------------------------------------------
def test_year_membership_at_the_year_end() -> None:
    s = year_stats()
    one = s.branch("001").membership
    # 9 on the roster, 孙涛 transferred out in August: 8; 赵敏 is 预备.
    assert (one.total, one.full, one.probationary) == (8, 7, 1)
    assert one.by_gender == {"男": 5, "女": 3, "未填": 0}
    assert one.by_age == {"30岁及以下": 2, "31至40岁": 3, "41至50岁": 1, "51至60岁": 2, "61岁及以上": 0, "未填": 0}
    assert (one.by_education["大学本科"], one.by_education["研究生"], one.by_education["大学专科"],
            one.by_education["高中"], one.by_education["未填"]) == (4, 2, 1, 1, 0)
    two = s.branch("002").membership
    assert (two.total, two.full, two.probationary) == (4, 4, 0)  # 黄磊 正式 since 2025-11-05
    assert two.by_age["61岁及以上"] == 1  # 马超, 65
    total = s.total.membership
    assert (total.total, total.full, total.probationary) == (12, 11, 1)
    assert total.by_gender == {"男": 7, "女": 5, "未填": 0}


def test_year_meetings_and_attendance() -> None:
    s = year_stats()
    m = s.branch("001").meetings
    assert (m.general, m.committee, m.committee_topics, m.group, m.lectures, m.secretary_lectures) == \
        (4, 11, 13, 23, 4, 2)
    assert m.attendance_rate == M("90.6")  # 29 / 32
    m2 = s.branch("002").meetings
    assert (m2.general, m2.committee, m2.group, m2.lectures, m2.secretary_lectures) == (3, 0, 0, 2, 1)
    assert m2.attendance_rate == M("91.7")  # 11 / 12
    t = s.total.meetings
    assert (t.general, t.committee, t.committee_topics, t.group, t.lectures, t.secretary_lectures) == \
        (7, 11, 13, 23, 6, 3)
    assert t.attendance_rate == M("90.9")  # 40 / 44, not the mean of the two rates


def test_year_activities_by_type_with_zeros_for_returned_branches() -> None:
    s = year_stats()
    a = s.branch("001").activities
    assert a.by_type["主题党日"] == 11 and a.by_type["谈心谈话"] == 2 and a.by_type["志愿服务"] == 1
    assert a.by_type["政治生日"] == 0 and a.by_type["其他"] == 0
    assert list(a.by_type)[:4] == ["主题党日", "组织生活会", "民主评议党员", "谈心谈话"]
    assert a.talk_person_times == 11
    assert a.participants == 77 + 8 + 8 + 8 + 3 + 7 + 5
    assert a.total == 17
    assert s.total.activities.by_type["主题党日"] == 23


def test_year_dues_owed_months_rate_and_arrears() -> None:
    s = year_stats()
    d = s.branch("001").dues
    # 720 + 540 + 360 + 186 + 240 + 10×8 (赵敏 from May) + 50×8 (孙涛 to August) + 148.08 + 25×10 (吴迪 from March)
    assert d.due == M("2924.08")
    assert d.paid == M("2848.58")  # 张强 short 60, 刘洋 short 15.50
    assert d.rate == M("97.4") and d.rate_display == "97.4%"
    assert d.arrears == ["张强", "刘洋"] and d.arrears_count == 2
    d2 = s.branch("002").dues
    assert (d2.due, d2.paid) == (M("960.00"), M("975.00"))
    assert d2.rate == M("101.6") and d2.rate_display == "100%"  # real figure kept, display capped
    assert d2.arrears_count == 0
    t = s.total.dues
    assert (t.due, t.paid, t.rate, t.arrears_count) == (M("3884.08"), M("3823.58"), M("98.4"), 2)


def test_year_recruitment_steps_and_pipeline() -> None:
    r = year_stats().branch("001").recruitment
    assert (r.applied, r.activists, r.candidates, r.admitted, r.confirmed) == (1, 1, 0, 2, 0)
    assert r.pipeline == {"入党申请人": 1, "入党积极分子": 1, "发展对象": 0, "预备党员": 2}


def test_year_compliance_per_rule() -> None:
    s = year_stats()
    one = s.branch("001")
    assert rule(one, "MEET-GM-Q") == (4, 4, True, True, [])
    assert rule(one, "MEET-CMTE-M") == (12, 11, False, True, ["2025年11月"])
    assert rule(one, "MEET-GROUP-M") == (24, 23, False, True, ["2025年7月"])  # two groups
    assert rule(one, "MEET-LECTURE-Q") == (4, 4, True, True, [])
    assert rule(one, "MEET-LECTURE-SEC") == (1, 2, True, True, [])
    assert rule(one, "LIFE-THEME-M") == (12, 11, False, True, ["2025年2月"])
    assert rule(one, "LIFE-OLM-Y") == (1, 1, True, True, [])
    assert rule(one, "LIFE-TALK-Y") == (1, 2, True, True, [])
    two = s.branch("002")
    assert rule(two, "MEET-CMTE-M") == ("不适用", "正式党员4人，不足7人，不设支委会")
    assert rule(two, "MEET-GROUP-M") == ("不适用", "党员名册中没有党小组")
    assert rule(two, "MEET-GM-Q") == (4, 3, False, True, ["2025年第三季度"])
    assert rule(two, "MEET-LECTURE-Q") == (4, 2, False, True, ["2025年第二季度", "2025年第四季度"])
    assert rule(two, "MEET-LECTURE-SEC") == (1, 1, True, True, [])
    assert rule(two, "LIFE-OLM-Y") == (1, 0, False, True, ["2025年"])
    # The total: summed over the branches the rule applies to; short names the branches.
    assert rule(s.total, "MEET-CMTE-M") == (12, 11, False, True, ["机关第一党支部"])
    assert rule(s.total, "MEET-GM-Q") == (8, 7, False, True, ["办公室党支部"])
    assert [b.code for b in s.short_branches("LIFE-OLM-Y")] == ["002"]


def test_a_switched_off_rule_does_not_apply() -> None:
    settings = config.parse({"organisation": {"year": 2025}, "rules": {"severity": {"LIFE-THEME-M": "关闭"}}})
    s = compute(returns_2025(), BRANCHES, Period.year(2025), settings, as_of=D(2026, 1, 10))
    c = s.branch("001").rule("LIFE-THEME-M")
    assert (c.applies, c.verdict) == (False, "不适用")


def test_branch_without_return_is_present_with_no_figures() -> None:
    s = year_stats()
    assert [b.code for b in s.per_branch] == ["001", "002", "003"]
    three = s.branch("003")
    assert three.returned is False and three.status.state == "未报送"
    assert (three.membership, three.meetings, three.activities, three.dues, three.recruitment) == \
        (None, None, None, None, None)
    assert three.compliance == []
    assert s.status_counts == {"已报送": 2, "逾期报送": 0, "需修改": 0, "未报送": 1}


def test_excluded_return_is_not_counted_but_listed() -> None:
    s = year_stats(excluded=[ExcludedReturn("002", "办公室党支部", 2025, 1)])
    assert s.branch("002").returned is False and s.branch("002").excluded is True
    assert s.total.meetings.general == 4 and s.total.dues.due == M("2924.08")
    assert [e.code for e in s.excluded] == ["002"]


def test_returns_of_branches_not_on_the_list_are_left_out_and_named() -> None:
    rets = returns_2025() | {"009": make_return("009", "已撤销党支部", 2025)}
    s = compute(rets, BRANCHES, Period.year(2025), SETTINGS, as_of=D(2026, 1, 10))
    assert s.unlisted == [{"code": "009", "name": "已撤销党支部", "year": 2025}]
    assert [b.code for b in s.per_branch] == ["001", "002", "003"]


def test_statuses_are_taken_from_round_status_entries() -> None:
    statuses = {"001": {"state": "逾期报送", "on_time": False, "returned_at": "2026-01-20T09:00:00",
                        "errors": 0, "warnings": 3, "submissions": 2}}
    s = year_stats(statuses=statuses)
    st = s.branch("001").status
    assert (st.state, st.timeliness, st.warnings, st.submissions) == ("逾期报送", "逾期", 3, 2)
    assert s.branch("003").status.state == "未报送"


def test_quarters_add_up_to_the_year() -> None:
    year = year_stats()
    quarters = [compute(returns_2025(), BRANCHES, Period.quarter(2025, q), SETTINGS, as_of=D(2026, 1, 10))
                for q in range(1, 5)]
    for code in ("001", "002"):
        y = year.branch(code)
        qs = [q.branch(code) for q in quarters]
        assert y.dues.due == sum(q.dues.due for q in qs) and y.dues.paid == sum(q.dues.paid for q in qs)
        assert y.meetings.to_dict()["total"] == sum(q.meetings.total for q in qs)
        assert y.activities.participants == sum(q.activities.participants for q in qs)
        assert y.recruitment.admitted == sum(q.recruitment.admitted for q in qs)
        for rule_id in ("MEET-GM-Q", "LIFE-THEME-M"):
            assert y.rule(rule_id).held == sum(q.rule(rule_id).held for q in qs)


def test_mid_year_compliance_counts_only_passed_months() -> None:
    s = compute(returns_2025(), BRANCHES, Period.year(2025), SETTINGS, as_of=D(2025, 7, 10))
    one = s.branch("001")
    assert s.elapsed is not None and s.elapsed.label == "2025年1—6月"
    assert rule(one, "MEET-CMTE-M") == (6, 6, True, True, [])
    assert rule(one, "MEET-GM-Q") == (2, 2, True, True, [])
    assert rule(one, "LIFE-OLM-Y")[0] == "不适用"  # the year has not ended
    # Membership is counted on the as-of day: 孙涛 (leaves in August) is still in.
    assert s.snapshot == D(2025, 7, 10) and one.membership.total == 9


# --- a quarter ----------------------------------------------------------------------------------
def test_quarter_figures() -> None:
    s = compute(returns_2025(), BRANCHES, Period.quarter(2025, 3), SETTINGS, as_of=D(2025, 10, 15))
    one = s.branch("001")
    assert (one.membership.total, one.membership.full, one.membership.probationary) == (8, 7, 1)
    m = one.meetings
    assert (m.general, m.committee, m.committee_topics, m.group, m.lectures, m.secretary_lectures) == \
        (1, 3, 3, 5, 1, 0)
    assert m.attendance_rate == M("75.0")
    # Q3 dues: 180 + 135 + 90 + 46.50 + 60 + 30 + 50×2 (孙涛 July–August) + 37.02 + 75
    assert one.dues.due == M("753.52") and one.dues.paid == M("738.02")
    assert one.dues.rate == M("97.9") and one.dues.arrears == ["刘洋"]
    r = one.recruitment
    assert (r.applied, r.activists, r.candidates, r.admitted, r.confirmed) == (0, 1, 0, 0, 0)
    assert r.pipeline == {"入党申请人": 1, "入党积极分子": 1, "发展对象": 1, "预备党员": 1}
    assert rule(one, "MEET-GROUP-M") == (6, 5, False, True, ["2025年7月"])
    assert rule(one, "MEET-CMTE-M") == (3, 3, True, True, [])
    assert rule(one, "MEET-LECTURE-SEC") == ("不适用", "统计期间不含完整的年度，不计算")
    assert rule(one, "LIFE-THEME-M") == (3, 3, True, True, [])
    two = s.branch("002")
    assert (two.membership.full, two.membership.probationary) == (3, 1)  # 黄磊 still 预备 on 09-30
    assert rule(two, "MEET-GM-Q") == (1, 0, False, True, ["2025年第三季度"])
    assert s.per_year == {}


def test_quarter_not_yet_passed_has_no_compliance() -> None:
    s = compute(returns_2025(), BRANCHES, Period.quarter(2025, 4), SETTINGS, as_of=D(2025, 10, 15))
    assert s.elapsed is None
    assert all(not c.applies for c in s.branch("001").compliance)
    assert s.branch("001").rule("MEET-GM-Q").reason == "统计期间内还没有已结束的月份"


# --- several years ------------------------------------------------------------------------------
def test_term_sums_years_and_keeps_each_year() -> None:
    s = compute(returns_term(), BRANCHES, Period.years_between(2023, 2025), SETTINGS, as_of=D(2026, 1, 10))
    assert sorted(s.per_year) == [2023, 2024, 2025]
    one = s.branch("001")
    assert one.years_returned == [2023, 2024, 2025]
    m = one.meetings
    assert (m.general, m.committee, m.committee_topics, m.group, m.lectures, m.secretary_lectures) == \
        (12, 35, 37, 71, 12, 4)
    assert (one.dues.due, one.dues.paid) == (M("4604.08"), M("4528.58"))
    assert one.dues.arrears_count == 2
    # Recruitment over the term, each person once (the latest year's row), dates in 2023–2025.
    r = one.recruitment
    assert (r.applied, r.activists, r.candidates, r.admitted, r.confirmed) == (3, 2, 3, 3, 1)
    assert r.pipeline == {"入党申请人": 1, "入党积极分子": 1, "发展对象": 0, "预备党员": 2}
    # Membership at the term's end is the 2025 figure.
    assert one.membership.total == 8
    assert rule(one, "MEET-CMTE-M") == (36, 35, False, True, ["2025年11月"])
    assert rule(one, "MEET-GM-Q") == (12, 12, True, True, [])
    # 002 returned 2024 and 2025 only.
    two = s.branch("002")
    assert two.years_returned == [2024, 2025]
    assert (two.meetings.general, two.dues.due, two.dues.paid) == (7, M("1870.00"), M("1885.00"))
    assert s.per_year[2023].branch("002").returned is False
    assert s.per_year[2023].branch("001").meetings.general == 4
    assert s.per_year[2024].branch("001").recruitment.confirmed == 1
    assert s.total.meetings.general == 19
    assert s.total.dues.due == M("6474.08")
    assert s.branch("003").returned is False


def test_to_dict_is_plain_json() -> None:
    s = compute(returns_term(), BRANCHES, Period.years_between(2023, 2025), SETTINGS, as_of=D(2026, 1, 10))
    data = s.to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["period"] == {"label": "2023—2025年", "kind": "years", "spec": "2023-2025",
                              "start": "2023-01-01", "end": "2025-12-31"}
    one = data["branches"][0]
    assert one["dues"]["due"] == "4604.08" and one["meetings"]["attendance_rate"] == "96.6"
    assert data["branches"][2]["membership"] is None
    assert set(data["per_year"]) == {"2023", "2024", "2025"}


def test_only_restricts_to_one_branch() -> None:
    s = year_stats().only("002")
    assert [b.code for b in s.per_branch] == ["002"] and s.total.code == "002"
    with pytest.raises(KeyError):
        year_stats().only("999")
