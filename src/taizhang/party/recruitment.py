"""发展党员: the stage of a person on a day, and the intervals between the stages.

《中国共产党发展党员工作细则》(2014): five stages — 入党申请人 → 入党积极分子 → 发展对象 → 预备党员 →
正式党员 — each entered on the date its column records. The intervals (all parameters in
`[recruitment]` of taizhang.toml):

- at least `min_age` (18) years old on the day of 递交申请书 (第五条);
- 谈话 within `talk_within_months` (1) of 递交申请书 (第八条);
- 发展对象 only after `activist_to_candidate_months` (12) as an activist (第十五条, 一年以上);
- 上级党委审批 within `approve_warn_months` (3) of 接收预备党员, at most `approve_error_months` (6)
  (第二十八条);
- 转正 not before `probation_months` (12) after 接收预备党员 (第三十条).

A person is in the pipeline (`pipeline_stage`) from the 递交申请书 until the 转正: at the end of a
day they are at the stage of the latest date filled in on or before it, and counted as 入党申请人,
入党积极分子, 发展对象 or 预备党员 until a 转正日期 on or before that day makes them a full member.
The next year's 发展党员 sheet starts with everyone still in it at the end of the year
(`still_in_pipeline`, all their dates kept).

Periods are counted in calendar months with the day clamped (`calendar.add_months`); "一年以上"
and "满一年" include the day one year on (《民法典》第一千二百五十九条: 以上、以下、以内、届满
包括本数), so an activist of 2024-03-01 may become a 发展对象 on 2025-03-01.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from taizhang.party.calendar import add_months
from taizhang.records import Row, date_of, text_of

# The dates of the pipeline, in the order of the columns of the shipped definition.
STEP_KEYS = ("applied", "talked", "activist", "candidate", "trained", "admitted", "approved", "confirmed")
# The date that puts a person at each stage, most advanced first.
STAGES = (("confirmed", "正式党员"), ("admitted", "预备党员"), ("candidate", "发展对象"),
          ("activist", "入党积极分子"), ("applied", "入党申请人"))
# The stages still in the pipeline (not yet full members), in order.
PIPELINE = ("入党申请人", "入党积极分子", "发展对象", "预备党员")
# The steps the statistics count when their date falls in a period: (date key, figure name).
COUNTED_STEPS = (("applied", "applied"), ("activist", "activists"), ("candidate", "candidates"),
                 ("admitted", "admitted"), ("confirmed", "confirmed"))

DEFAULTS = {"min_age": 18, "talk_within_months": 1, "activist_to_candidate_months": 12,
            "approve_warn_months": 3, "approve_error_months": 6, "probation_months": 12}


def setting(settings: Any, name: str) -> int:
    """A `[recruitment]` interval of taizhang.toml, as an int (its default when unreadable)."""
    try:
        return int(settings.recruitment.get(name, DEFAULTS[name]))
    except (TypeError, ValueError, AttributeError):
        return DEFAULTS[name]


def stage_on(row: Row, day: date | None = None) -> tuple[str, str] | None:
    """(date key, stage) of the most advanced stage whose date is filled in — and on or before
    `day` when given (the stage that person was at on that day); None before the application."""
    for key, stage in STAGES:
        d = date_of(row, key)
        if d is not None and (day is None or d <= day):
            return key, stage
    return None


def pipeline_stage(row: Row, day: date) -> str | None:
    """The pipeline stage (入党申请人 … 预备党员) a person was at at the end of `day`; None before
    the application or once a full member."""
    found = stage_on(row, day)
    return found[1] if found is not None and found[1] in PIPELINE else None


def still_in_pipeline(row: Row, day: date) -> bool:
    """Whether a 发展党员 row is still on the way in after `day` (31 December, when the row is
    carried into the next year): not confirmed as a full member on or before `day`, and some
    stage date filled in (an application dated after `day`, recorded early, counts)."""
    confirmed = date_of(row, "confirmed")
    if confirmed is not None and confirmed <= day:
        return False
    return stage_on(row) is not None


def talk_deadline(applied: date, settings: Any) -> date:
    """The last day for the 谈话 after an application of `applied`."""
    return add_months(applied, setting(settings, "talk_within_months"))


def earliest_candidate(activist: date, settings: Any) -> date:
    """The first day an activist of `activist` may be made a 发展对象."""
    return add_months(activist, setting(settings, "activist_to_candidate_months"))


def approval_limits(admitted: date, settings: Any) -> tuple[date, date]:
    """(last day in time, last day at all) for the 上级党委审批 of an admission on `admitted`."""
    return (add_months(admitted, setting(settings, "approve_warn_months")),
            add_months(admitted, setting(settings, "approve_error_months")))


def earliest_confirmation(admitted: date, settings: Any) -> date:
    """The first day a 预备党员 admitted on `admitted` may become a full member."""
    return add_months(admitted, setting(settings, "probation_months"))


def person_key(row: Row) -> tuple[str, str]:
    """Who a 发展党员 row is about, across years: the name and the 出生日期 (or, lacking it, the
    递交申请书日期)."""
    born = date_of(row, "birth_date") or date_of(row, "applied")
    return text_of(row, "name"), born.isoformat() if born else ""
