"""party/: each rule on its own, and the validator and the statistics telling the same story.

The named tests are the cases where the two used to disagree (a branch's feedback said 没有问题
while its 统计表 said 未达标 or 欠交) and the two rules that misread the regulations. The property
test generates returns and checks, rule by rule, that what the validator reports and what the
statistics count agree.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from builders import (
    MEMBERS,
    YEAR,
    activity,
    build,
    clean_year,
    dues_row,
    meeting,
    member,
    only,
    recruit,
    run,
    settings,
)
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from taizhang.party import dues, frequency, hosts, members, recruitment
from taizhang.party.members import Member, Roster
from taizhang.party.periods import Period
from taizhang.records import Row
from taizhang.statistics.compute import compute
from taizhang.workspace.branches import Branch

D = date
AFTER = D(YEAR + 1, 1, 10)
BRANCH = [Branch("001", "机关第一党支部", secretary="王建国")]


def stats_of(ret, as_of: date = AFTER, cfg=None):
    """The statistics of one return for its year, as 统计表 and the reports compute them."""
    return compute({"001": ret}, BRANCH, Period.year(ret.year), cfg or settings(), as_of=as_of).branch("001")


def row(**values: Any) -> Row:
    return Row(3, values)


def m(**values: Any) -> Member:
    return Member.from_row(row(**values))


# --- members over time -----------------------------------------------------------------------------
def test_standing_follows_join_transfer_and_change_dates() -> None:
    out = m(join_date=D(2005, 7, 1), standing="转出", change_date=D(2025, 8, 15))
    assert out.counted_on(D(2025, 8, 14)) and not out.counted_on(D(2025, 8, 15))
    came = m(join_date=D(2010, 7, 1), standing="转入", change_date=D(2025, 3, 10))
    assert not came.counted_on(D(2025, 3, 9)) and came.counted_on(D(2025, 3, 10))
    new = m(join_date=D(2025, 5, 20), standing="在册")
    assert not new.counted_on(D(2025, 5, 19)) and new.counted_on(D(2025, 5, 20))
    assert not m(join_date=D(2000, 1, 1), standing="去世").counted_on(D(2025, 1, 1))  # no date: gone


def test_open_dates_are_unknown_and_counted_by_the_present_standing() -> None:
    no_join = m(standing="在册")
    assert no_join.standing_on(D(2025, 6, 1)) is None and no_join.counted_on(D(2025, 6, 1))
    came = m(join_date=D(2001, 1, 1), standing="转入")
    assert came.standing_on(D(2025, 6, 1)) is None and came.counted_on(D(2025, 6, 1))
    left = m(join_date=D(2001, 1, 1), standing="转出")
    assert left.standing_on(D(2025, 6, 1)) is None and not left.counted_on(D(2025, 6, 1))


def test_a_member_admitted_at_a_meeting_is_not_expected_at_it() -> None:
    """细则第二十三条: the 支部党员大会 that admits a 发展对象 is held among the members before it."""
    roster = Roster.of_rows([row(name="甲", join_date=D(2001, 1, 1)), row(name="乙", join_date=D(2025, 6, 20))])
    assert roster.expected(D(2025, 6, 20)) == (1, 0)
    assert roster.expected(D(2025, 6, 21)) == (2, 0)
    assert len(roster.on(D(2025, 6, 20))) == 2  # at the end of the day both are members


def test_full_member_from_the_date_else_from_the_type_and_the_contradiction() -> None:
    late = m(member_type="预备党员", full_date=D(2025, 3, 1))
    assert late.full_on(D(2025, 3, 1)) and not late.full_on(D(2025, 2, 28))
    assert late.contradiction(D(2025, 12, 31)) == "正式党员"
    early = m(member_type="正式党员", full_date=D(2026, 3, 1))
    assert not early.full_on(D(2025, 12, 31)) and early.contradiction(D(2025, 12, 31)) == "预备党员"
    assert m(member_type="正式党员").full_on(D(2025, 1, 1)) and not m(member_type="预备党员").full_on(D(2025, 1, 1))
    assert m(member_type="预备党员", full_date=D(2026, 3, 1)).contradiction(D(2025, 12, 31)) is None


def test_the_committee_threshold_is_one_setting() -> None:
    assert members.committee_required(7, settings()) and not members.committee_required(6, settings())
    five = settings(frequency={"committee_min_full_members": 5})
    assert members.committee_min(five) == 5 and members.committee_required(5, five)


def test_secretaries_in_standing_else_every_recorded_one() -> None:
    roster = Roster.of_rows([row(name="王建国", party_post="书记", join_date=D(2000, 1, 1), standing="转出",
                                 change_date=D(2025, 9, 1)),
                             row(name="李红", party_post="党员", join_date=D(2001, 1, 1))])
    assert [x.name for x in roster.secretaries(D(2025, 12, 31))] == ["王建国"]
    assert roster.secretaries(D(2025, 12, 31), strict=True) == []


def test_groups_are_compared_as_names() -> None:
    roster = Roster.of_rows([row(name="甲", group="第一党小组", join_date=D(2001, 1, 1)),
                             row(name="乙", group="第一 党小组", join_date=D(2001, 1, 1)),
                             row(name="丙", group="第一党小组　", join_date=D(2001, 1, 1))])
    assert len(roster.groups(D(2025, 6, 1))) == 1


# --- hosts -----------------------------------------------------------------------------------------
def test_names_split_on_the_usual_separators() -> None:
    assert hosts.split_names("王建国、李红") == ["王建国", "李红"]
    assert hosts.split_names("王建国，李红/张强 赵敏") == ["王建国", "李红", "张强", "赵敏"]
    assert hosts.split_names("王 红") == ["王红"]  # spaced for alignment
    assert hosts.hosted_by("王建国、李红", {hosts.name_key("王 建国")})
    assert not hosts.hosted_by("李红", {"王建国"}) and not hosts.hosted_by("王建国", set())


# --- dues ------------------------------------------------------------------------------------------
def test_owed_span_from_admission_and_until_leaving() -> None:
    cfg = settings()
    assert dues.owed_span(m(join_date=D(2025, 5, 20)), 2025, cfg) == (5, 12)
    assert dues.owed_span(m(join_date=D(2024, 11, 1)), 2025, cfg) == (1, 12)
    assert dues.owed_span(m(join_date=D(2005, 7, 1), standing="转出", change_date=D(2025, 8, 15)), 2025, cfg) == (1, 8)
    assert dues.owed_span(m(join_date=D(2010, 1, 1), standing="转入", change_date=D(2025, 3, 10)), 2025, cfg) == (3, 12)
    assert dues.owed_span(m(join_date=D(2005, 7, 1), standing="转出", change_date=D(2024, 8, 15)), 2025, cfg) is None
    assert dues.owed_span(None, 2025, cfg) == (1, 12)  # not on the roster: every month


def test_schedules_from_the_note() -> None:
    assert dues.schedule_of("按季交纳") == dues.schedule_of("每季度交一次") == dues.QUARTERLY
    assert dues.schedule_of("经支部同意按半年交纳") == dues.HALF_YEARLY
    assert dues.schedule_of("") == dues.schedule_of("第四季度工资调整") == dues.MONTHLY


def test_a_quarterly_payer_is_checked_by_whole_quarters() -> None:
    cfg = settings()
    r = row(name="甲", monthly_due=Decimal(40), note="按季交纳", m3=Decimal(120), m6=Decimal(120))
    assert dues.unpaid_months(r, None, 2025, D(2025, 8, 10), cfg) == []  # July is not a whole quarter yet
    assert dues.unpaid_months(r, None, 2025, D(2025, 10, 10), cfg) == [7, 8, 9]
    monthly = row(name="乙", monthly_due=Decimal(40), m3=Decimal(120), m6=Decimal(120))
    assert dues.unpaid_months(monthly, None, 2025, D(2025, 7, 10), cfg) == [1, 2, 4, 5]


def test_arrears_runs() -> None:
    assert dues.arrears_runs([1, 2, 3, 5, 6, 7, 8, 9, 10], 6) == [[5, 6, 7, 8, 9, 10]]
    assert dues.arrears_runs([1, 2], 0) == []


# --- recruitment -----------------------------------------------------------------------------------
def test_stage_is_derived_from_the_dates_not_the_stage_column() -> None:
    r = row(applied=D(2023, 3, 1), activist=D(2023, 9, 1), candidate=D(2024, 10, 1), admitted=D(2025, 11, 10),
            stage="预备党员")
    assert recruitment.stage_on(r, D(2023, 1, 1)) is None
    assert recruitment.stage_on(r, D(2023, 6, 30)) == ("applied", "入党申请人")
    assert recruitment.stage_on(r, D(2024, 12, 31)) == ("candidate", "发展对象")
    assert recruitment.stage_on(r) == ("admitted", "预备党员")


def test_intervals_include_the_day_one_year_on() -> None:
    cfg = settings()
    assert recruitment.earliest_candidate(D(2024, 3, 1), cfg) == D(2025, 3, 1)
    assert recruitment.earliest_confirmation(D(2024, 2, 29), cfg) == D(2025, 2, 28)
    assert recruitment.approval_limits(D(2025, 1, 31), cfg) == (D(2025, 4, 30), D(2025, 7, 31))
    strict = settings(recruitment={"activist_to_candidate_months": 18})
    assert recruitment.earliest_candidate(D(2024, 3, 1), strict) == D(2025, 9, 1)


# --- the three cases where feedback and 统计表 used to disagree --------------------------------------
def _frequency_problems(problems) -> set[str]:
    return {p.rule_id for p in problems if p.rule_id in frequency.RULE_IDS}


def _short(b) -> set[str]:
    return {c.rule_id for c in b.short}


def test_probationary_members_whose_date_passed_count_as_full_everywhere() -> None:
    """4 正式 and 3 listed as 预备党员 whose 转正日期 has passed: 7 full members, so a committee
    and monthly 支委会 are required — by the validator and by the statistics."""
    data = clean_year()
    roster = [member(f"正式{i}", join=D(2010, 1, 1)) for i in range(3)] + [dict(MEMBERS[0])]
    roster += [member(f"预备{i}", member_type="预备党员", join=D(2024, 3, 1), full_date=D(2025, 3, 1))
               for i in range(3)]
    data["roster"] = roster
    data["dues"] = [dues_row(r["name"], total=480) for r in roster]
    ret = build(**data)
    problems = run(ret)
    assert _frequency_problems(problems) == {"MEET-CMTE-M"}
    assert len(only(problems, "ROSTER-FULL-DATE")) == 3
    b = stats_of(ret)
    assert _short(b) == {"MEET-CMTE-M"} and b.has_committee and b.membership.full == 7


def test_a_lecture_taught_jointly_by_the_secretary_counts_for_the_secretary() -> None:
    data = clean_year()
    data["meetings"] = [x for x in data["meetings"] if x["meeting_type"] != "党课"]
    data["meetings"] += [meeting(D(YEAR, 3 * q + 2, 20), "党课", host="王建国、李红" if q == 0 else "李红")
                         for q in range(4)]
    ret = build(**data)
    assert _frequency_problems(run(ret)) == set()
    b = stats_of(ret)
    assert b.meetings.secretary_lectures == 1 and _short(b) == set()


def test_a_quarterly_payer_is_not_in_arrears_anywhere() -> None:
    data = clean_year()
    paid = {3: 120, 6: 120, 9: 120, 12: 120}
    data["dues"][1] = dues_row("李红", total=480, paid=paid, note="按季交纳")
    ret = build(**data)
    problems = run(ret)
    assert only(problems, "DUES-UNPAID", "DUES-6M", "DUES-TOTAL") == []
    assert stats_of(ret).dues.arrears == []


# --- the two rules that misread the regulations -----------------------------------------------------
def test_the_meeting_that_admits_a_member_expects_only_the_members_before_it() -> None:
    data = clean_year()
    data["roster"].append(member("赵新", member_type="预备党员", join=D(YEAR, 6, 20)))
    data["dues"].append(dues_row("赵新", paid={m: 40 for m in range(6, 13)}, total=280))
    data["meetings"].append(meeting(D(YEAR, 6, 20), "支部党员大会", expected=3, present=3))
    admitting = 3 + len(data["meetings"]) - 1  # its Excel row

    def on_that_meeting(problems):
        return [p for p in only(problems, "MEET-EXPECTED") if p.row == admitting]

    assert on_that_meeting(run(build(**data))) == []
    data["meetings"][-1] = meeting(D(YEAR, 6, 20), "支部党员大会", expected=4, present=4)
    [p] = on_that_meeting(run(build(**data)))
    assert "2025年6月20日在册的党员有3人" in p.message


def test_a_total_off_by_months_typed_as_text_says_to_make_them_numbers() -> None:
    data = clean_year()
    ret = build(**data)
    dues_rows = ret.ledgers["dues"].rows
    dues_rows[0].values["total"] = Decimal(400)  # Excel's SUM left out March and April
    dues_rows[0].text_cells |= {"m3", "m4"}
    [p] = only(run(ret), "DUES-TOTAL")
    assert "3—4月的金额是以文本形式填写的" in p.message and "转换为数字" in p.message
    assert "恢复合计公式" not in p.message
    dues_rows[0].values["total"] = Decimal(300)  # wrong for another reason
    [p] = only(run(ret), "DUES-TOTAL")
    assert "请改为480元或恢复合计公式" in p.message


# --- agreement, by construction and by test ---------------------------------------------------------
NAMES = ["王建国", "李红", "张强", "赵敏", "孙涛", "周平", "吴迪", "郑洁", "冯军", "陈静"]
MEETING_KINDS = ["支部党员大会", "支委会", "党小组会", "党课"]
ACTIVITY_KINDS = ["主题党日", "组织生活会", "民主评议党员", "谈心谈话", "集中学习研讨"]


def _day(draw, lo: date, hi: date) -> date:
    return lo + timedelta(days=draw(st.integers(0, (hi - lo).days)))


@st.composite
def returns(draw) -> tuple[Any, date, Any]:
    """A return of YEAR: members joining, leaving, with type/date contradictions, 党小组 spelled
    several ways, 7-member thresholds; meetings with joint hosts; dues by month, quarter and
    half-year; recruits at every stage; and a collection date in or after the year."""
    n = draw(st.integers(2, len(NAMES)))
    roster = []
    for i, name in enumerate(NAMES[:n]):
        join = _day(draw, D(1990, 1, 1), D(YEAR, 12, 31)) if draw(st.booleans()) else D(2005, 7, 1)
        mtype = draw(st.sampled_from(["正式党员", "预备党员"]))
        full = draw(st.one_of(st.none(), st.just(join + timedelta(days=365)),
                              st.builds(lambda d: d, st.dates(D(YEAR - 1, 1, 1), D(YEAR + 1, 6, 30)))))
        standing = draw(st.sampled_from(["在册", "在册", "在册", "转入", "转出", "去世"]))
        change = _day(draw, D(YEAR - 1, 6, 1), D(YEAR, 12, 31)) if standing != "在册" and draw(st.booleans()) else None
        group = draw(st.sampled_from([None, None, "第一党小组", "第一 党小组", "第二党小组"]))
        roster.append(member(name, member_type=mtype, post="书记" if i == 0 else "党员", join=join, full_date=full,
                             standing=standing, change=change, group=group))
    meetings = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(MEETING_KINDS))
        host = draw(st.sampled_from([NAMES[0], NAMES[1], f"{NAMES[1]}、{NAMES[0]}", f"{NAMES[2]} {NAMES[1]}"]))
        meetings.append(meeting(_day(draw, D(YEAR, 1, 1), D(YEAR, 12, 31)), kind, host=host, expected=5, present=4))
    activities = [activity(_day(draw, D(YEAR, 1, 1), D(YEAR, 12, 31)), draw(st.sampled_from(ACTIVITY_KINDS)))
                  for _ in range(draw(st.integers(0, 25)))]
    dues_rows = []
    for r in roster:
        note = draw(st.sampled_from([None, "按季交纳", "经支部同意按半年交纳"]))
        paid = {mo: 40 for mo in range(1, 13) if draw(st.integers(0, 4))}
        dues_rows.append(dues_row(r["name"], paid=paid, note=note))
    recruits = []
    for k in range(draw(st.integers(0, 4))):
        applied = _day(draw, D(YEAR - 3, 1, 1), D(YEAR, 6, 30))
        dates: dict[str, date] = {"applied": applied}
        day = applied
        for key in ("activist", "candidate", "admitted", "confirmed"):
            if not draw(st.booleans()):
                break
            day = day + timedelta(days=draw(st.integers(30, 400)))
            if day > D(YEAR, 12, 31):
                break
            dates[key] = day
        stage = draw(st.sampled_from(["入党申请人", "入党积极分子", "发展对象", "预备党员", "正式党员"]))
        recruits.append(recruit(f"积极{k}", stage=stage, **dates))
    as_of = draw(st.one_of(st.just(AFTER), st.dates(D(YEAR, 2, 1), D(YEAR, 12, 31))))
    cfg = settings(frequency={"committee_min_full_members": draw(st.sampled_from([3, 5, 7]))})
    ret = build(roster=roster, meetings=meetings, activities=activities, dues=dues_rows, recruitment=recruits)
    return ret, as_of, cfg


@given(returns())
@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_validator_and_the_statistics_tell_the_same_story(case) -> None:
    ret, as_of, cfg = case
    problems = run(ret, as_of, cfg)
    b = stats_of(ret, as_of, cfg)
    # Frequencies: a problem exactly where the statistics say 未达标, with the same figures.
    assert _frequency_problems(problems) == _short(b)
    for p in problems:
        if p.rule_id in frequency.RULE_IDS and frequency.BY_ID[p.rule_id].unit != frequency.YEAR:
            c = b.rule(p.rule_id)
            assert f"应至少召开{c.required}次" in p.message or f"应至少{c.required}次" in p.message
            assert f"台账登记{c.held}次" in p.message
    # Dues: the members reported unpaid are exactly the members the statistics list in arrears.
    dues_by_row = {r.excel_row: r.values["name"] for r in ret.rows("dues")}
    unpaid = {dues_by_row[p.row] for p in problems if p.rule_id in ("DUES-UNPAID", "DUES-6M")}
    assert unpaid == set(b.dues.arrears)
    # Recruitment: where the validator accepts the 当前阶段, the statistics count it in that stage.
    flagged = {p.row for p in problems if p.rule_id == "REC-STAGE"}
    snapshot = min(as_of, D(YEAR, 12, 31))
    accepted = [r for r in ret.rows("recruitment") if r.excel_row not in flagged
                and recruitment.stage_on(r) == recruitment.stage_on(r, snapshot)
                and recruitment.stage_on(r) is not None]
    wrote = Counter(r.values["stage"] for r in accepted if r.values["stage"] in recruitment.PIPELINE)
    counted = Counter(recruitment.stage_on(r, snapshot)[1] for r in accepted)
    assert +Counter({k: v for k, v in counted.items() if k in recruitment.PIPELINE}) == +wrote
    # Membership: ROSTER-FULL-DATE names exactly the members whose type the statistics override.
    day = snapshot
    overridden = {x.name for x in Roster.build(ret).members
                  if x.current and x.full_date is not None and x.contradiction(day)}
    assert {p.message.split("的党员类别")[0] for p in problems if p.rule_id == "ROSTER-FULL-DATE"} == overridden
