"""Across sheets: roster ↔ dues, people named at meetings, recruits on the roster, one 书记."""

from __future__ import annotations

from datetime import date

import pytest
from builders import MEMBERS, build, dues_row, meeting, member, only, recruit, run

from taizhang.party.hosts import name_key, split_names
from taizhang.problems import Severity

D = date


def found(rules, *, roster=MEMBERS, **ledgers):
    return only(run(build(roster=[dict(m) for m in roster], **ledgers)), *rules)


@pytest.mark.parametrize("text, names", [
    ("王建国、李红", ["王建国", "李红"]),
    ("王建国，李红;张强", ["王建国", "李红", "张强"]),
    ("王建国 李红", ["王建国", "李红"]),
    ("王 红", ["王红"]),           # spaced out for alignment: one name
    ("欧阳 修、李红", ["欧阳修", "李红"]),
    ("王　红", ["王红"]),          # a full-width space
    ("", []),
])
def test_split_names(text: str, names: list[str]) -> None:
    assert split_names(text) == names


def test_name_key_removes_every_space() -> None:
    assert name_key(" 李\u3000红 ") == name_key("李 红") == "李红"


# --- roster ↔ dues -----------------------------------------------------------------------------


def test_dues_row_not_on_the_roster() -> None:
    rows = [dues_row("王建国"), dues_row("李\u3000红"), dues_row("张强"), dues_row("陈路")]
    [p] = found(("CROSS-DUES-ROSTER",), dues=rows)
    assert (p.severity, p.sheet, p.row, p.column, p.value) == (Severity.WARNING, "党费收缴", 6, "姓名", "陈路")
    assert p.message == "党费收缴表中的“陈路”不在党员名册中。请核对姓名，或在党员名册中补登。"


def test_member_in_standing_without_a_dues_row() -> None:
    roster = [*MEMBERS, member("赵新", member_type="预备党员", join=D(2025, 6, 1)),
              member("钱多", standing="转出", change=D(2025, 3, 1)),
              member("孙立", standing="转入", change=D(2025, 5, 1))]
    dues = [dues_row("王建国"), dues_row("李红")]
    problems = found(("CROSS-ROSTER-DUES",), roster=roster, dues=dues)
    assert [(p.row, p.value) for p in problems] == [(5, "张强"), (6, "赵新"), (8, "孙立")]
    assert problems[1].message == "党员名册中的预备党员“赵新”在党费收缴表中没有记录。请补充一行。"
    assert problems[1].sheet == "党员名册" and problems[1].column == "姓名"
    assert found(("CROSS-ROSTER-DUES",), roster=roster, missing=("dues",)) == []


def test_roster_checks_wait_for_a_roster() -> None:
    assert found(("CROSS-DUES-ROSTER", "CROSS-SECRETARY", "CROSS-PERSON"), missing=("roster",),
                 dues=[dues_row("陈路")], meetings=[meeting(D(2025, 3, 1), "党课", host="外人")]) == []


# --- people at meetings ------------------------------------------------------------------------


def test_host_and_recorder_on_the_roster() -> None:
    meetings = [
        meeting(D(2025, 3, 1), "党课", host="王建国、李红", recorder="张强"),
        meeting(D(2025, 3, 2), "党课", host="王建国、刘教授", recorder="李 红"),
        meeting(D(2025, 3, 3), "党课", host="刘教授", recorder="周记", note="刘教授为市委党校外请教师"),
    ]
    problems = found(("CROSS-PERSON",), meetings=meetings)
    assert [(p.row, p.column, p.column_letter) for p in problems] == [(4, "主持人或授课人", "F"), (5, "记录人", "G")]
    assert problems[0].message == ("“主持人或授课人”填写的“刘教授”不在本支部党员名册中。"
                                   "如是上级领导或外请人员，请在备注中说明。")
    assert problems[0].value == "王建国、刘教授"
    assert "“周记”" in problems[1].message
    assert found(("CROSS-PERSON",), roster=[], meetings=meetings) == []  # an empty roster: nothing to compare


# --- recruits on the roster ----------------------------------------------------------------------


ADMITTED = {"applied": D(2023, 1, 5), "activist": D(2023, 4, 1), "candidate": D(2024, 5, 1),
            "trained": D(2024, 6, 1), "admitted": D(2025, 6, 15), "sponsors": "王建国、李红", "stage": "预备党员"}


@pytest.mark.parametrize("roster_type, ok", [("预备党员", True), ("正式党员", False), (None, False)])
def test_admitted_this_year_is_a_probationary_member(roster_type: str | None, ok: bool) -> None:
    roster = [*MEMBERS] + ([member("赵新", member_type=roster_type, join=D(2025, 6, 15))] if roster_type else [])
    problems = found(("CROSS-REC-ROSTER",), roster=roster, recruitment=[recruit("赵新", **ADMITTED)])
    assert (problems == []) is ok


def test_recruit_messages() -> None:
    [missing] = found(("CROSS-REC-ROSTER",), recruitment=[recruit("赵新", **ADMITTED)])
    assert (missing.sheet, missing.column, missing.severity) == ("发展党员", "接收预备党员日期", Severity.WARNING)
    assert missing.message == "“赵新”于2025年6月15日接收为预备党员，但党员名册中没有此人。请同步更新党员名册。"
    confirmed = dict(ADMITTED, admitted=D(2024, 5, 10), approved=D(2024, 6, 1), confirmed=D(2025, 5, 10),
                     stage="正式党员")
    roster = [*MEMBERS, member("赵新", member_type="预备党员", join=D(2024, 5, 10))]
    [p] = found(("CROSS-REC-ROSTER",), roster=roster, recruitment=[recruit("赵新", **confirmed)])
    assert p.column == "转正日期"
    assert p.message == ("“赵新”于2025年5月10日转为正式党员，但党员名册中登记为“预备党员”，应为“正式党员”。"
                         "请同步更新党员名册。")
    roster[-1] = member("赵新", join=D(2024, 5, 10))
    assert found(("CROSS-REC-ROSTER",), roster=roster, recruitment=[recruit("赵新", **confirmed)]) == []


def test_earlier_admissions_and_people_still_in_the_pipeline_are_not_compared() -> None:
    earlier = dict(ADMITTED, admitted=D(2024, 6, 15))
    pipeline = {"applied": D(2025, 1, 5), "stage": "入党申请人"}
    assert found(("CROSS-REC-ROSTER",), recruitment=[recruit("赵新", **earlier), recruit("钱七", **pipeline)]) == []


# --- one 书记 --------------------------------------------------------------------------------------


def test_one_secretary() -> None:
    assert found(("CROSS-SECRETARY",)) == []
    [none] = found(("CROSS-SECRETARY",), roster=[member("李红"), member("张强")])
    assert (none.severity, none.sheet, none.row, none.column) == (Severity.WARNING, "党员名册", None, "党内职务")
    assert none.message == ("党员名册中党内职务为“书记”的有0人，应为1人。"
                            "请在书记的“党内职务”中选择“书记”；书记空缺的，请在备注中说明。")
    [two] = found(("CROSS-SECRETARY",), roster=[*MEMBERS, member("赵红", post="书记")])
    assert two.row == 6
    assert two.message.startswith("党员名册中党内职务为“书记”的有2人，应为1人。现登记为书记的是王建国、赵红")


def test_secretary_explained_or_left() -> None:
    explained = [member("李红", post="副书记", note="书记空缺，由副书记主持工作"), member("张强")]
    assert found(("CROSS-SECRETARY",), roster=explained) == []
    former = [*MEMBERS, member("老书记", post="书记", standing="转出", change=D(2025, 4, 1))]
    assert found(("CROSS-SECRETARY",), roster=former) == []
