"""Periods: what users type, the Chinese labels, the months, and the part that has passed."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taizhang.errors import InputError
from taizhang.party.periods import MONTHS, QUARTER, YEAR, YEARS, Period, parse_period

years = st.integers(min_value=2000, max_value=2100)


@pytest.mark.parametrize("text", ["2025Q3", "2025q3", "2025-Q3", " 2025Q3 ", "２０２５Ｑ３", "2025年第三季度", "Q3"])
def test_quarter_spellings(text: str) -> None:
    p = parse_period(text, 2025)
    assert (p.start, p.end, p.label, p.kind) == (date(2025, 7, 1), date(2025, 9, 30), "2025年第三季度", QUARTER)


def test_year_and_default() -> None:
    p = parse_period("2025", 2024)
    assert (p.start, p.end, p.label, p.kind) == (date(2025, 1, 1), date(2025, 12, 31), "2025年", YEAR)
    assert parse_period("", 2024) == Period.year(2024)
    assert parse_period(None, 2024) == Period.year(2024)
    assert parse_period("2025年", 2024) == p


def test_month_range() -> None:
    p = parse_period("2025-01..2025-06", 2025)
    assert (p.start, p.end, p.label, p.kind) == (date(2025, 1, 1), date(2025, 6, 30), "2025年1—6月", MONTHS)
    assert parse_period("2025年1—6月", 2025) == p
    assert parse_period("2024-02", 2025).end == date(2024, 2, 29)  # a leap year
    assert parse_period("2024-02", 2025).label == "2024年2月"
    across = parse_period("2024-11..2025-02", 2025)
    assert across.label == "2024年11月—2025年2月" and across.years == (2024, 2025)
    assert across.months() == [(2024, 11), (2024, 12), (2025, 1), (2025, 2)]


def test_term() -> None:
    p = parse_period("2021-2023", 2025)
    assert (p.start, p.end, p.label, p.kind) == (date(2021, 1, 1), date(2023, 12, 31), "2021—2023年", YEARS)
    assert p.years == (2021, 2022, 2023)
    assert parse_period("2021—2023年", 2025) == p
    assert len(p.months()) == 36
    assert p.part(2022) == Period.year(2022)


@pytest.mark.parametrize("text, words", [
    ("2025Q5", "看不懂"),
    ("25", "看不懂"),
    ("下半年", "看不懂"),
    ("2025-13", "月份应为1至12"),
    ("2025-06..2025-01", "晚于终点"),
    ("2023-2021", "晚于终点"),
    ("1800", "年份"),
])
def test_bad_input_says_what_to_write(text: str, words: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_period(text, 2025)
    assert words in str(exc.value)
    assert text in str(exc.value) or words == "年份"


def test_clip_keeps_the_months_that_have_ended() -> None:
    year = Period.year(2025)
    assert year.clip(date(2026, 1, 1)) == year
    assert year.clip(date(2025, 12, 31)).label == "2025年1—11月"  # December has not ended yet
    assert year.clip(date(2025, 7, 1)).months()[-1] == (2025, 6)
    assert year.clip(date(2025, 1, 31)) is None
    assert Period.quarter(2025, 3).clip(date(2025, 10, 1)) == Period.quarter(2025, 3)


def test_whole_quarters_and_years_inside() -> None:
    p = Period.months_between((2025, 2), (2025, 12))
    assert p.quarters() == [(2025, 2), (2025, 3), (2025, 4)]
    assert p.whole_years() == []
    assert Period.years_between(2021, 2022).whole_years() == [2021, 2022]


@given(years, st.integers(min_value=1, max_value=4))
def test_every_quarter_round_trips(year: int, quarter: int) -> None:
    p = Period.quarter(year, quarter)
    assert parse_period(p.spec, 1999) == p
    assert parse_period(p.label, 1999) == p
    assert p.months() == [(year, m) for m in range(3 * quarter - 2, 3 * quarter + 1)]
    assert p.clip(p.end) == Period.months_between((year, 3 * quarter - 2), (year, 3 * quarter - 1))


@given(years)
def test_every_year_round_trips(year: int) -> None:
    p = Period.year(year)
    assert parse_period(p.spec, 1999) == p == parse_period(p.label, 1999)
    assert len(p.quarters()) == 4 and p.years == (year,)


@given(years, years)
def test_every_term_round_trips(a: int, b: int) -> None:
    first, last = min(a, b), max(a, b)
    p = Period.years_between(first, last)
    assert parse_period(p.spec, 1999) == p == parse_period(p.label, 1999)
    assert p.years == tuple(range(first, last + 1))


@given(years, st.integers(1, 12), st.integers(0, 30))
def test_every_month_range_round_trips(year: int, month: int, span: int) -> None:
    y2, m2 = divmod(year * 12 + month - 1 + span, 12)
    p = Period.months_between((year, month), (y2, m2 + 1))
    assert parse_period(p.spec, 1999) == p == parse_period(p.label, 1999)
    assert len(p.months()) == span + 1
