"""发展党员: age, the intervals between the steps (to the day), order, sponsors and stage."""

from __future__ import annotations

from datetime import date

import pytest
from builders import build, only, recruit, run, settings

from taizhang.problems import Severity

D = date


def problems(*rows, rules: tuple[str, ...], cfg=None):
    return only(run(build(recruitment=list(rows)), cfg=cfg), *rules)


def fires(rule: str, cfg=None, **dates) -> bool:
    return bool(problems(recruit(**dates), rules=(rule,), cfg=cfg))


# --- REC-AGE ---------------------------------------------------------------------------------------


def test_age_eighteen_to_the_day() -> None:
    assert not fires("REC-AGE", birth=D(2007, 3, 1), applied=D(2025, 3, 1))
    [p] = problems(recruit(birth=D(2007, 3, 1), applied=D(2025, 2, 28)), rules=("REC-AGE",))
    assert (p.severity, p.column, p.value) == (Severity.ERROR, "递交申请书日期", "2025-02-28")
    assert p.message == "递交入党申请书时（2025年2月28日）年龄为17周岁，未满18周岁，不能作为入党申请人。"


def test_age_born_on_the_29th_of_february() -> None:
    assert fires("REC-AGE", birth=D(2004, 2, 29), applied=D(2022, 2, 28))
    assert not fires("REC-AGE", birth=D(2004, 2, 29), applied=D(2022, 3, 1))
    assert not fires("REC-AGE", birth=D(2004, 2, 29), applied=D(2024, 2, 29), stage="入党申请人")


# --- REC-TALK-1M -------------------------------------------------------------------------------------


def test_talk_within_one_month_to_the_day() -> None:
    assert not fires("REC-TALK-1M", applied=D(2025, 3, 15), talked=D(2025, 4, 15))
    [p] = problems(recruit(applied=D(2025, 3, 15), talked=D(2025, 4, 16)), rules=("REC-TALK-1M",))
    assert (p.severity, p.column) == (Severity.WARNING, "谈话日期")
    assert p.message == "收到入党申请书（2025年3月15日）后应在1个月内谈话，实际谈话日期为2025年4月16日。"
    # 31 January + 1 month is 28 February.
    assert not fires("REC-TALK-1M", applied=D(2025, 1, 31), talked=D(2025, 2, 28))
    assert fires("REC-TALK-1M", applied=D(2025, 1, 31), talked=D(2025, 3, 1))


# --- REC-ORDER -----------------------------------------------------------------------------------------


def test_dates_run_forward() -> None:
    assert not fires("REC-ORDER", applied=D(2024, 1, 5), talked=D(2024, 1, 5), activist=D(2024, 3, 1),
                     candidate=D(2025, 3, 1), stage="发展对象")
    [p] = problems(recruit(applied=D(2024, 5, 1), activist=D(2024, 3, 1), stage="入党积极分子"), rules=("REC-ORDER",))
    assert (p.severity, p.column, p.column_letter) == (Severity.ERROR, "确定积极分子日期", "J")
    assert p.message == ("“确定积极分子日期”（2024年3月1日）早于“递交申请书日期”（2024年5月1日）。"
                         "各环节日期应按先后顺序填写，请核对。")


def test_a_training_after_admission_is_reported_once() -> None:
    row = recruit(applied=D(2023, 1, 5), activist=D(2023, 3, 1), candidate=D(2024, 4, 1), trained=D(2024, 6, 20),
                  admitted=D(2024, 6, 1), sponsors="王建国、李红", stage="预备党员")
    found = problems(row, rules=("REC-ORDER", "REC-TRAINING"))
    assert [(p.rule_id, p.column) for p in found] == [("REC-TRAINING", "集中培训日期")]
    assert "集中培训日期（2024年6月20日）晚于接收预备党员日期（2024年6月1日）" in found[0].message
    off = settings(rules={"severity": {"REC-TRAINING": "关闭"}})
    [p] = problems(row, rules=("REC-ORDER", "REC-TRAINING"), cfg=off)
    assert (p.rule_id, p.column) == ("REC-ORDER", "接收预备党员日期")


# --- REC-ACTIVIST-1Y, REC-PROBATION-1Y, REC-APPROVE-3M: to the day ---------------------------------


def test_activist_one_year_to_the_day() -> None:
    assert not fires("REC-ACTIVIST-1Y", applied=D(2023, 9, 1), activist=D(2024, 3, 1), candidate=D(2025, 3, 1))
    [p] = problems(recruit(applied=D(2023, 9, 1), activist=D(2024, 3, 1), candidate=D(2025, 2, 28),
                           stage="发展对象"), rules=("REC-ACTIVIST-1Y",))
    assert (p.severity, p.column) == (Severity.ERROR, "确定发展对象日期")
    assert p.message == ("确定为入党积极分子（2024年3月1日）后须经过一年以上培养考察才能确定为发展对象，"
                         "最早为2025年3月1日（满一年之日），实际为2025年2月28日。")
    # A 29 February activist has served a year on 28 February of the next year.
    assert not fires("REC-ACTIVIST-1Y", applied=D(2023, 9, 1), activist=D(2024, 2, 29), candidate=D(2025, 2, 28))
    assert fires("REC-ACTIVIST-1Y", applied=D(2023, 9, 1), activist=D(2024, 2, 29), candidate=D(2025, 2, 27))


def test_probation_one_year_to_the_day() -> None:
    assert not fires("REC-PROBATION-1Y", admitted=D(2024, 6, 15), confirmed=D(2025, 6, 15), stage="正式党员")
    [p] = problems(recruit(admitted=D(2024, 6, 15), confirmed=D(2025, 6, 14), stage="正式党员"),
                   rules=("REC-PROBATION-1Y",))
    assert (p.severity, p.column) == (Severity.ERROR, "转正日期")
    assert p.message == ("预备期从支部大会通过之日（2024年6月15日）算起为1年，最早应在2025年6月15日转正，"
                         "台账填写的转正日期为2025年6月14日。")


@pytest.mark.parametrize("approved, severity", [
    (D(2025, 4, 30), None),               # 31 January + 3 months = 30 April: in time
    (D(2025, 5, 1), Severity.WARNING),
    (D(2025, 7, 31), Severity.WARNING),   # + 6 months = 31 July: late, but within the longest limit
    (D(2025, 8, 1), Severity.ERROR),
])
def test_approval_three_and_six_months_to_the_day(approved: date, severity: Severity | None) -> None:
    found = problems(recruit(admitted=D(2025, 1, 31), approved=approved, stage="预备党员"), rules=("REC-APPROVE-3M",))
    assert [p.severity for p in found] == ([severity] if severity else [])


def test_approval_message() -> None:
    [p] = problems(recruit(admitted=D(2025, 1, 31), approved=D(2025, 8, 1), stage="预备党员"), rules=("REC-APPROVE-3M",))
    assert p.message == ("支部大会接收预备党员（2025年1月31日）后，上级党委应在3个月内审批（最长不超过6个月），"
                         "实际审批日期为2025年8月1日，已超过6个月的最长期限。")
    # Lowering the rule to 提示 keeps the late one one step more serious.
    cfg = settings(rules={"severity": {"REC-APPROVE-3M": "提示"}})
    rows = [recruit(admitted=D(2025, 1, 31), approved=D(2025, 5, 1), stage="预备党员"),
            recruit(admitted=D(2025, 1, 31), approved=D(2025, 8, 1), stage="预备党员")]
    assert [p.severity for p in problems(*rows, rules=("REC-APPROVE-3M",), cfg=cfg)] == [Severity.INFO, Severity.WARNING]


# --- REC-TRAINING, REC-SPONSORS --------------------------------------------------------------------


def test_training_date_before_admission() -> None:
    assert not fires("REC-TRAINING", candidate=D(2025, 3, 1), trained=D(2025, 4, 1), admitted=D(2025, 6, 1))
    assert not fires("REC-TRAINING", candidate=D(2025, 3, 1), stage="发展对象")  # not admitted yet
    [p] = problems(recruit(candidate=D(2025, 3, 1), admitted=D(2025, 6, 1), stage="预备党员"), rules=("REC-TRAINING",))
    assert (p.severity, p.column) == (Severity.WARNING, "集中培训日期")
    assert p.message == ("发展对象在接收为预备党员前应参加集中培训（不少于3天或24学时），"
                         "没有填写集中培训日期。请补填培训日期。")


@pytest.mark.parametrize("sponsors, ok", [
    ("王建国、李红", True),
    ("王建国，李红", True),
    ("王建国,李红", True),
    ("王建国 李红", True),
    ("王建国/李红", True),
    ("王建国", False),
    (None, False),
])
def test_two_sponsors(sponsors: str | None, ok: bool) -> None:
    found = problems(recruit(admitted=D(2025, 6, 1), sponsors=sponsors, stage="预备党员"), rules=("REC-SPONSORS",))
    assert (found == []) is ok


def test_sponsor_messages() -> None:
    one, none = problems(recruit(admitted=D(2025, 6, 1), sponsors="王建国", stage="预备党员"),
                         recruit(admitted=D(2025, 6, 1), stage="预备党员"), rules=("REC-SPONSORS",))
    assert one.message == "发展对象应有两名正式党员作入党介绍人，台账中只填写了“王建国”。请填写两名入党介绍人的姓名，用顿号隔开。"
    assert "台账中没有填写。" in none.message
    assert not fires("REC-SPONSORS", candidate=D(2025, 3, 1), stage="发展对象")  # checked from admission on


# --- REC-STAGE -------------------------------------------------------------------------------------


@pytest.mark.parametrize("dates, stage, ok", [
    ({"applied": D(2025, 1, 1)}, "入党申请人", True),
    ({"applied": D(2025, 1, 1), "talked": D(2025, 1, 20)}, "入党申请人", True),
    ({"applied": D(2024, 1, 1), "activist": D(2024, 4, 1)}, "入党积极分子", True),
    ({"applied": D(2024, 1, 1), "activist": D(2024, 4, 1)}, "入党申请人", False),
    ({"activist": D(2024, 4, 1), "candidate": D(2025, 5, 1)}, "入党积极分子", False),
    ({"candidate": D(2024, 5, 1), "admitted": D(2025, 5, 1)}, "预备党员", True),
    ({"admitted": D(2024, 5, 1), "confirmed": D(2025, 5, 1)}, "预备党员", False),
    ({"admitted": D(2024, 5, 1), "confirmed": D(2025, 5, 1)}, "正式党员", True),
])
def test_stage_agrees_with_the_latest_step(dates: dict, stage: str, ok: bool) -> None:
    found = problems(recruit(stage=stage, **dates), rules=("REC-STAGE",))
    assert (found == []) is ok


def test_stage_message() -> None:
    [p] = problems(recruit(activist=D(2024, 4, 1), candidate=D(2025, 5, 1), stage="入党积极分子"), rules=("REC-STAGE",))
    assert (p.severity, p.column, p.value) == (Severity.ERROR, "当前阶段", "入党积极分子")
    assert p.message == "当前阶段填写“入党积极分子”，但已填写的最后一个环节是“确定发展对象日期”，应为“发展对象”。请核对。"


# --- REC-LOCAL -------------------------------------------------------------------------------------


def test_local_interval_by_header_or_key() -> None:
    interval = {"from": "递交申请书日期", "to": "确定积极分子日期", "min_months": 6, "severity": "错误"}
    cfg = settings(recruitment={"intervals": [interval]})
    row = recruit(applied=D(2025, 1, 10), activist=D(2025, 7, 9), stage="入党积极分子")
    [p] = problems(row, rules=("REC-LOCAL",), cfg=cfg)
    assert (p.severity, p.column) == (Severity.ERROR, "确定积极分子日期")
    assert p.message == ("从“递交申请书日期”（2025年1月10日）到“确定积极分子日期”（2025年7月9日）应至少间隔6个月，"
                         "实际只有5个月29天。")
    ok = recruit(applied=D(2025, 1, 10), activist=D(2025, 7, 10), stage="入党积极分子")
    assert problems(ok, rules=("REC-LOCAL",), cfg=cfg) == []
    by_key = settings(recruitment={"intervals": [{"from": "applied", "to": "activist", "min_months": 6}]})
    assert [p.severity for p in problems(row, rules=("REC-LOCAL",), cfg=by_key)] == [Severity.WARNING]
    assert problems(row, rules=("REC-LOCAL",)) == []  # no local interval by default


def test_missing_recruitment_columns_and_sheet() -> None:
    row = recruit(applied=D(2025, 1, 10), activist=D(2024, 7, 9), admitted=D(2025, 3, 1), stage="入党申请人")
    keys = {"applied", "activist", "admitted", "stage", "sponsors", "trained"}
    assert [p for p in run(build(recruitment=[row], drop={"recruitment": keys})) if p.rule_id.startswith("REC")] == []
    assert [p for p in run(build(missing=("recruitment",))) if p.rule_id.startswith("REC")] == []
