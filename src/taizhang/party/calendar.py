"""Calendar arithmetic the party rules are counted in: month ends, whole months passed, month
addition, ages, and dates and months written the way Chinese documents write them.

A month (quarter) counts as passed once `as_of` is later than its last day, the same rule as
`party.periods.Period.clip`: on 31 March, March has not ended yet.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

QUARTER_NAMES = ("一", "二", "三", "四")


def month_end(year: int, month: int) -> date:
    """The last day of `month` in `year`."""
    return date(year, month, calendar.monthrange(year, month)[1])


def day_before(day: date) -> date:
    """The day before `day`."""
    return day - timedelta(days=1)


def months_elapsed(year: int, as_of: date) -> int:
    """How many complete months of `year` have passed at `as_of` (0–12; a past year gives 12,
    a future year 0; the month `as_of` falls in does not count, even on its last day)."""
    if as_of.year > year:
        return 12
    if as_of.year < year:
        return 0
    return as_of.month - 1


def quarters_elapsed(year: int, as_of: date) -> int:
    """How many complete quarters of `year` have passed at `as_of` (0–4)."""
    return months_elapsed(year, as_of) // 3


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months, the day clamped to the target month's length
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_and_days(start: date, end: date) -> tuple[int, int]:
    """The gap from `start` to `end` as (whole calendar months, remaining days); (0, 0) when
    `end` is not after `start`."""
    if end <= start:
        return 0, 0
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months, (end - add_months(start, months)).days


def age_on(birth: date, day: date) -> int:
    """Age in whole years (周岁) on `day`. A birthday on 29 February is reached on 1 March in a
    common year: the birthday has not come while (month, day) is still before (2, 29)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def cn_date(day: date) -> str:
    """"2025年3月5日"."""
    return f"{day.year}年{day.month}月{day.day}日"


def span_text(months: int, days: int = 0) -> str:
    """"6个月", "4个月12天", "12天", "0天"."""
    if months and days:
        return f"{months}个月{days}天"
    if months:
        return f"{months}个月"
    return f"{days}天"


def months_text(months: list[int]) -> str:
    """Months as users write them, runs joined: [1, 3, 4, 5] → "1月、3—5月"."""
    runs: list[list[int]] = []
    for m in sorted(set(months)):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    parts = [f"{r[0]}月" if len(r) == 1 else f"{r[0]}—{r[-1]}月" for r in runs]
    return "、".join(parts)


def quarters_text(quarters: list[int]) -> str:
    """Quarters in Chinese: [2, 3] → "第二、三季度", [4] → "第四季度"."""
    names = [QUARTER_NAMES[q - 1] for q in sorted(set(quarters))]
    return f"第{'、'.join(names)}季度" if names else ""
