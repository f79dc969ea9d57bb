"""Across sheets: the roster against the dues sheet, the meetings and the recruitment sheet.

Names are compared after removing every space (full-width ones too). A check that needs the
roster does nothing when the roster sheet is missing (SHEET-MISSING says so); CROSS-PERSON and
CROSS-REC-ROSTER also wait while the roster has no rows, where every name would be reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from taizhang import catalog
from taizhang.party.calendar import cn_date
from taizhang.party.hosts import name_key, split_names
from taizhang.party.members import FULL, PROBATIONARY, SECRETARY
from taizhang.problems import Problem
from taizhang.records import date_of, text_of
from taizhang.validate.context import Context, check

ROSTER, DUES, MEETINGS, RECRUITMENT = "roster", "dues", "meetings", "recruitment"


@check("CROSS-DUES-ROSTER")
def check_dues_on_roster(ctx: Context) -> Iterator[Problem]:
    """A person on the dues sheet who is not on the roster (an empty roster reports every one)."""
    if not ctx.roster.present:
        return
    for row in ctx.rows(DUES):
        name = text_of(row, "name")
        if name and not ctx.roster.has(name):
            yield catalog.make("CROSS-DUES-ROSTER", value=name, name=name, **ctx.where(DUES, row, "name"))


@check("CROSS-ROSTER-DUES")
def check_roster_in_dues(ctx: Context) -> Iterator[Problem]:
    """A member in standing (在册/转入, 正式 or 预备) without a row on the dues sheet."""
    if not ctx.present(DUES) or not ctx.roster.present:
        return
    paying = {name_key(text_of(row, "name")) for row in ctx.rows(DUES)}
    for member in ctx.roster.members:
        if (member.key and member.current and member.member_type in (FULL, PROBATIONARY)
                and member.key not in paying):
            yield catalog.make("CROSS-ROSTER-DUES", value=member.name, name=member.name,
                               member_type=member.member_type, **ctx.where(ROSTER, member.row, "name"))


@check("CROSS-PERSON")
def check_people(ctx: Context) -> Iterator[Problem]:
    """主持人或授课人 and 记录人 not on the roster; several names in one cell are each checked, and a
    name that the row's 备注 mentions (上级领导, 外请人员 …) counts as explained."""
    if not ctx.roster.usable:
        return
    for row in ctx.rows(MEETINGS):
        note = name_key(text_of(row, "note"))
        for key in ("host", "recorder"):
            for name in split_names(text_of(row, key)):
                if ctx.roster.has(name) or (note and name_key(name) in note):
                    continue
                yield catalog.make("CROSS-PERSON", value=text_of(row, key), name=name,
                                   **ctx.where(MEETINGS, row, key))


@check("CROSS-REC-ROSTER")
def check_recruits_on_roster(ctx: Context) -> Iterator[Problem]:
    """Admitted this year → on the roster as 预备党员 (正式党员 once confirmed); confirmed this
    year → on the roster as 正式党员."""
    if not ctx.roster.usable:
        return
    for row in ctx.rows(RECRUITMENT):
        name = text_of(row, "name")
        admitted, confirmed = date_of(row, "admitted"), date_of(row, "confirmed")
        if not name:
            continue
        if ctx.in_year(confirmed):
            want, key = FULL, "confirmed"
            what = f"于{cn_date(confirmed)}转为正式党员"  # type: ignore[arg-type]
        elif ctx.in_year(admitted):
            want, key = (FULL, "confirmed") if confirmed is not None else (PROBATIONARY, "admitted")
            what = f"于{cn_date(admitted)}接收为预备党员"  # type: ignore[arg-type]
        else:
            continue
        member = ctx.roster.find(name)
        if member is None:
            roster = "没有此人"
        elif member.member_type == want:
            continue
        elif member.member_type:
            roster = f"登记为“{member.member_type}”，应为“{want}”"
        else:
            roster = f"没有填写党员类别，应为“{want}”"
        yield catalog.make("CROSS-REC-ROSTER", value=name, name=name, what=what, roster=roster,
                           **ctx.where(RECRUITMENT, row, key))


@check("CROSS-SECRETARY")
def check_secretary(ctx: Context) -> Iterator[Problem]:
    """Not exactly one 书记 among the members in standing, and no 备注 on the roster mentions 书记."""
    if not ctx.roster.present:
        return
    secretaries = ctx.roster.secretaries(ctx.snapshot, strict=True)
    if len(secretaries) == 1:
        return
    if any(SECRETARY in m.note for m in ctx.roster.members):
        return  # the branch explains (书记空缺、新任书记待选举 …)
    if secretaries:
        hint = (f"现登记为书记的是{'、'.join(m.name for m in secretaries)}，请核对党内职务（副书记请选择“副书记”）；"
                "确有特殊情况的，请在备注中说明。")
        where = ctx.where(ROSTER, secretaries[1].row, "party_post")
    else:
        hint = "请在书记的“党内职务”中选择“书记”；书记空缺的，请在备注中说明。"
        where = ctx.where(ROSTER, None, "party_post")
    yield catalog.make("CROSS-SECRETARY", count=len(secretaries), hint=hint, **where)
