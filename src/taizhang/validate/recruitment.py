"""发展党员: the dates of each person's way into the Party, row by row.

The stages and intervals are `party.recruitment`'s (how months are counted, which day is "one
year on"); the checks here word what it answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from taizhang import catalog
from taizhang.party import recruitment as rules
from taizhang.party.calendar import add_months, age_on, cn_date, months_and_days, span_text
from taizhang.party.hosts import split_names
from taizhang.party.recruitment import STEP_KEYS
from taizhang.problems import Problem, Severity
from taizhang.records import date_of, text_of
from taizhang.validate.context import Context, check

RECRUITMENT = "recruitment"
def _step_keys(ctx: Context) -> list[str]:
    led = ctx.ledger(RECRUITMENT)
    if led is None:
        return list(STEP_KEYS)
    return [col.key for col in led.columns if col.key in STEP_KEYS]


def _header(ctx: Context, key: str) -> str:
    return ctx.header(RECRUITMENT, key).rstrip("*")


@check("REC-AGE")
def check_age(ctx: Context) -> Iterator[Problem]:
    """Younger than `min_age` (18) on the day of 递交申请书; the 18th birthday itself is fine."""
    minimum = rules.setting(ctx.settings, "min_age")
    for row in ctx.rows(RECRUITMENT):
        birth, applied = date_of(row, "birth_date"), date_of(row, "applied")
        if birth is None or applied is None or applied < birth:
            continue
        age = age_on(birth, applied)
        if age < minimum:
            yield catalog.make("REC-AGE", value=applied, applied=cn_date(applied), age=age, min_age=minimum,
                               **ctx.where(RECRUITMENT, row, "applied"))


@check("REC-TALK-1M")
def check_talk(ctx: Context) -> Iterator[Problem]:
    """谈话 later than `talk_within_months` after 递交申请书 (the day the month ends is in time)."""
    months = rules.setting(ctx.settings, "talk_within_months")
    for row in ctx.rows(RECRUITMENT):
        applied, talked = date_of(row, "applied"), date_of(row, "talked")
        if applied is None or talked is None or talked < applied:
            continue  # a talk before the application is REC-ORDER's
        if talked > rules.talk_deadline(applied, ctx.settings):
            yield catalog.make("REC-TALK-1M", value=talked, applied=cn_date(applied), months=months,
                               talked=cn_date(talked), **ctx.where(RECRUITMENT, row, "talked"))


@check("REC-ORDER")
def check_order(ctx: Context) -> Iterator[Problem]:
    """A filled date earlier than the filled date before it in column order (equal is fine).

    While REC-TRAINING is on, a 集中培训日期 after 接收预备党员 is left to it: the training date
    is compared with the dates before it but does not serve as the earlier date of the next.
    """
    keys = _step_keys(ctx)
    training_rule = ctx.enabled("REC-TRAINING")
    for row in ctx.rows(RECRUITMENT):
        previous: tuple[str, date] | None = None
        for key in keys:
            day = date_of(row, key)
            if day is None:
                continue
            if previous is not None and day < previous[1]:
                yield catalog.make(
                    "REC-ORDER", value=day, later=_header(ctx, key), later_date=cn_date(day),
                    earlier=_header(ctx, previous[0]), earlier_date=cn_date(previous[1]),
                    **ctx.where(RECRUITMENT, row, key),
                )
            if key == "trained" and training_rule:
                continue
            previous = (key, day)


@check("REC-ACTIVIST-1Y")
def check_activist_year(ctx: Context) -> Iterator[Problem]:
    """发展对象 before one year (`activist_to_candidate_months`) of training as an activist."""
    for row in ctx.rows(RECRUITMENT):
        activist, candidate = date_of(row, "activist"), date_of(row, "candidate")
        if activist is None or candidate is None or candidate < activist:
            continue
        earliest = rules.earliest_candidate(activist, ctx.settings)
        if candidate < earliest:
            yield catalog.make("REC-ACTIVIST-1Y", value=candidate, activist=cn_date(activist),
                               earliest=cn_date(earliest), candidate=cn_date(candidate),
                               **ctx.where(RECRUITMENT, row, "candidate"))


@check("REC-TRAINING")
def check_training(ctx: Context) -> Iterator[Problem]:
    """接收预备党员 filled in without a 集中培训日期, or with a training after the admission."""
    for row in ctx.rows(RECRUITMENT):
        admitted, trained = date_of(row, "admitted"), date_of(row, "trained")
        if admitted is None or "trained" in row.invalid:
            continue
        if trained is None:
            detail = "没有填写集中培训日期。请补填培训日期。"
        elif trained > admitted:
            detail = (f"集中培训日期（{cn_date(trained)}）晚于接收预备党员日期（{cn_date(admitted)}）。"
                      "请核对日期。")
        else:
            continue
        yield catalog.make("REC-TRAINING", value=trained or "", detail=detail,
                           **ctx.where(RECRUITMENT, row, "trained"))


@check("REC-SPONSORS")
def check_sponsors(ctx: Context) -> Iterator[Problem]:
    """接收预备党员 filled in with fewer than two names under 入党介绍人."""
    for row in ctx.rows(RECRUITMENT):
        if date_of(row, "admitted") is None or "sponsors" in row.invalid:
            continue
        text = text_of(row, "sponsors")
        names = split_names(text)
        if len(names) >= 2:
            continue
        shown = "没有填写" if not names else f"只填写了“{text}”"
        yield catalog.make("REC-SPONSORS", value=text, sponsors=shown, **ctx.where(RECRUITMENT, row, "sponsors"))


@check("REC-APPROVE-3M")
def check_approval(ctx: Context) -> Iterator[Problem]:
    """上级党委审批 later than 3 months after 接收预备党员 (警告), later than 6 months (错误)."""
    warn, error = rules.setting(ctx.settings, "approve_warn_months"), rules.setting(ctx.settings, "approve_error_months")
    for row in ctx.rows(RECRUITMENT):
        admitted, approved = date_of(row, "admitted"), date_of(row, "approved")
        if admitted is None or approved is None:
            continue
        in_time, at_most = rules.approval_limits(admitted, ctx.settings)
        if approved <= in_time:
            continue
        late = approved > at_most
        detail = f"，已超过{error}个月的最长期限" if late else f"，超过了{warn}个月"
        yield catalog.make(
            "REC-APPROVE-3M", value=approved, severity=Severity.ERROR if late else None, admitted=cn_date(admitted),
            warn=warn, error=error, approved=cn_date(approved), detail=detail,
            **ctx.where(RECRUITMENT, row, "approved"),
        )


@check("REC-PROBATION-1Y")
def check_probation(ctx: Context) -> Iterator[Problem]:
    """转正 before one year (`probation_months`) after 接收预备党员."""
    months = rules.setting(ctx.settings, "probation_months")
    years = str(months // 12) if months % 12 == 0 else format((Decimal(months) / 12).normalize(), "f")
    for row in ctx.rows(RECRUITMENT):
        admitted, confirmed = date_of(row, "admitted"), date_of(row, "confirmed")
        if admitted is None or confirmed is None or confirmed < admitted:
            continue
        earliest = rules.earliest_confirmation(admitted, ctx.settings)
        if confirmed < earliest:
            yield catalog.make("REC-PROBATION-1Y", value=confirmed, admitted=cn_date(admitted), years=years,
                               earliest=cn_date(earliest), confirmed=cn_date(confirmed),
                               **ctx.where(RECRUITMENT, row, "confirmed"))


@check("REC-STAGE")
def check_stage(ctx: Context) -> Iterator[Problem]:
    """当前阶段 different from the stage of the most advanced date filled in."""
    led = ctx.ledger(RECRUITMENT)
    choices = led.column("stage").choices if led is not None and led.has("stage") else ()
    for row in ctx.rows(RECRUITMENT):
        stage = text_of(row, "stage")
        found = rules.stage_on(row)
        if not stage or found is None or (choices and stage not in choices):
            continue
        key, expected = found
        if stage != expected:
            yield catalog.make("REC-STAGE", value=stage, stage=stage, expected_field=_header(ctx, key),
                               expected=expected, **ctx.where(RECRUITMENT, row, "stage"))


def _resolve(ctx: Context, name: str) -> str | None:
    """A date column named by key or by header (with or without "*"), or None."""
    led = ctx.ledger(RECRUITMENT)
    if led is None:
        return None
    wanted = name.strip().rstrip("*").strip()
    for col in led.columns:
        if col.type == "date" and wanted in (col.key, col.header.rstrip("*")):
            return col.key
    return None


@check("REC-LOCAL")
def check_local(ctx: Context) -> Iterator[Problem]:
    """Each local interval of `[[recruitment.intervals]]`: at least `min_months` between two dates."""
    for interval in ctx.settings.intervals:
        start_key, end_key = _resolve(ctx, interval.start), _resolve(ctx, interval.end)
        if start_key is None or end_key is None or interval.min_months <= 0:
            continue
        for row in ctx.rows(RECRUITMENT):
            start, end = date_of(row, start_key), date_of(row, end_key)
            if start is None or end is None or end < start:
                continue
            if end < add_months(start, interval.min_months):
                yield catalog.make(
                    "REC-LOCAL", value=end, severity=interval.severity, start=_header(ctx, start_key),
                    start_date=cn_date(start), end=_header(ctx, end_key), end_date=cn_date(end),
                    minimum=span_text(interval.min_months), actual=span_text(*months_and_days(start, end)),
                    **ctx.where(RECRUITMENT, row, end_key),
                )
