"""Statistics periods: a year, a quarter, a range of months, or a term of several years.

`parse_period` reads what a user types on the command line:

    2025                  a year                 → 2025年
    2025Q3 / 2025q3 / 2025-Q3                    → 2025年第三季度
    2025-01..2025-06      a range of months      → 2025年1—6月  (one month: 2025-03)
    2021-2023             several years (a term) → 2021—2023年

The Chinese labels themselves ("2025年第三季度", "2025年1—6月", "2021—2023年") are read too, so
that a label can always be typed back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from taizhang.errors import InputError
from taizhang.party.calendar import QUARTER_NAMES, month_end

YEAR = "year"
QUARTER = "quarter"
MONTHS = "months"
YEARS = "years"
KINDS = (YEAR, QUARTER, MONTHS, YEARS)

MIN_YEAR, MAX_YEAR = 1900, 2200

HELP = (
    "统计期间：年度写 2025；季度写 2025Q3；连续几个月写 2025-01..2025-06（单月写 2025-03）；"
    "跨年度（如一届任期）写 2021-2023。"
)


def month_label(year: int, month: int) -> str:
    """"2025年3月"."""
    return f"{year}年{month}月"


def quarter_label(year: int, quarter: int) -> str:
    """"2025年第三季度"."""
    return f"{year}年第{QUARTER_NAMES[quarter - 1]}季度"


@dataclass(frozen=True)
class Period:
    """A span of whole months: its first and last day, its Chinese label and its kind."""

    start: date
    end: date
    label: str
    kind: str

    # --- constructors ----------------------------------------------------------------------
    @classmethod
    def year(cls, year: int) -> Period:
        """The calendar year `year`."""
        _check_year(year)
        return cls(date(year, 1, 1), date(year, 12, 31), f"{year}年", YEAR)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Quarter 1–4 of `year`."""
        _check_year(year)
        if not 1 <= quarter <= 4:
            raise InputError(f"季度应为1至4，不能是{quarter}。")
        first = 3 * quarter - 2
        return cls(date(year, first, 1), month_end(year, first + 2), quarter_label(year, quarter), QUARTER)

    @classmethod
    def months_between(cls, first: tuple[int, int], last: tuple[int, int]) -> Period:
        """The months from `first` to `last` inclusive, each given as (year, month)."""
        (y1, m1), (y2, m2) = first, last
        for y, m in (first, last):
            _check_year(y)
            if not 1 <= m <= 12:
                raise InputError(f"月份应为1至12，不能是{m}。")
        if (y1, m1) > (y2, m2):
            raise InputError(f"月份范围的起点（{month_label(y1, m1)}）晚于终点（{month_label(y2, m2)}），请对调。")
        if (y1, m1) == (y2, m2):
            label = month_label(y1, m1)
        elif y1 == y2:
            label = f"{y1}年{m1}—{m2}月"
        else:
            label = f"{month_label(y1, m1)}—{month_label(y2, m2)}"
        return cls(date(y1, m1, 1), month_end(y2, m2), label, MONTHS)

    @classmethod
    def years_between(cls, first: int, last: int) -> Period:
        """The calendar years `first` to `last` inclusive (one year gives a year period)."""
        _check_year(first)
        _check_year(last)
        if first > last:
            raise InputError(f"年度范围的起点（{first}年）晚于终点（{last}年），请对调。")
        if first == last:
            return cls.year(first)
        return cls(date(first, 1, 1), date(last, 12, 31), f"{first}—{last}年", YEARS)

    # --- properties ------------------------------------------------------------------------
    @property
    def years(self) -> tuple[int, ...]:
        """The calendar years the period touches, in order."""
        return tuple(range(self.start.year, self.end.year + 1))

    @property
    def spec(self) -> str:
        """The period written the way `parse_period` reads it (2025, 2025Q3, 2025-01..2025-06, 2021-2023)."""
        if self.kind == YEAR:
            return str(self.start.year)
        if self.kind == QUARTER:
            return f"{self.start.year}Q{(self.start.month + 2) // 3}"
        if self.kind == YEARS:
            return f"{self.start.year}-{self.end.year}"
        first = f"{self.start.year}-{self.start.month:02d}"
        last = f"{self.end.year}-{self.end.month:02d}"
        return first if first == last else f"{first}..{last}"

    def months(self) -> list[tuple[int, int]]:
        """Every (year, month) of the period, in order."""
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def quarters(self) -> list[tuple[int, int]]:
        """Every (year, quarter) lying wholly inside the period."""
        months = set(self.months())
        out = []
        for y in self.years:
            for q in range(1, 5):
                if all((y, m) in months for m in range(3 * q - 2, 3 * q + 1)):
                    out.append((y, q))
        return out

    def whole_years(self) -> list[int]:
        """Every calendar year lying wholly inside the period."""
        months = set(self.months())
        return [y for y in self.years if all((y, m) in months for m in range(1, 13))]

    def part(self, year: int) -> Period:
        """The part of the period that lies in calendar year `year` (the period itself when it lies
        in that year only; a whole year for a term)."""
        if year not in self.years:
            raise ValueError(f"{year} is not in {self.label}")
        if len(self.years) == 1:
            return self
        months = [(y, m) for y, m in self.months() if y == year]
        if len(months) == 12:
            return Period.year(year)
        return Period.months_between(months[0], months[-1])

    def contains(self, day: date | None) -> bool:
        """Whether `day` falls in the period (False for None)."""
        return isinstance(day, date) and self.start <= day <= self.end

    def clip(self, as_of: date) -> Period | None:
        """The part of the period that has passed at `as_of`: its months that ended before that
        day (a month counts once `as_of` is later than its last day). Returns the period itself
        when all of it has passed, None when none of it has."""
        passed = [(y, m) for y, m in self.months() if month_end(y, m) < as_of]
        if not passed:
            return None
        if len(passed) == len(self.months()):
            return self
        return Period.months_between(passed[0], passed[-1])

    def __str__(self) -> str:
        return self.label


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"年份 {year} 不合理，请写四位年份，例如 2025。")


_DASH = r"[-–—~～至到]"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\d{4})年?"), "year"),
    (re.compile(r"(\d{4})[-/]?Q([1-4])", re.IGNORECASE), "quarter"),
    (re.compile(r"Q([1-4])", re.IGNORECASE), "bare_quarter"),
    (re.compile(r"(\d{4})年第([一二三四1-4])季度"), "quarter"),
    (re.compile(r"(\d{4})[-/.](\d{1,2})"), "month"),
    (re.compile(r"(\d{4})年(\d{1,2})月"), "month"),
    (re.compile(r"(\d{4})[-/.](\d{1,2})(?:\.\.|" + _DASH + r")(\d{4})[-/.](\d{1,2})"), "month_range"),
    (re.compile(r"(\d{4})年(\d{1,2})" + _DASH + r"(\d{1,2})月"), "month_range_short"),
    (re.compile(r"(\d{4})年(\d{1,2})月" + _DASH + r"(\d{4})年(\d{1,2})月"), "month_range"),
    (re.compile(r"(\d{4})年?(?:\.\.|" + _DASH + r")(\d{4})年?"), "years"),
]


def parse_period(text: str | None, default_year: int) -> Period:
    """The period described by `text` (the workspace year `default_year` when empty).

    Raises InputError with a Chinese message saying what can be written when `text` cannot be read.
    """
    if text is None or not str(text).strip():
        return Period.year(default_year)
    raw = str(text)
    norm = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(norm)
        if not match:
            continue
        g = match.groups()
        try:
            if kind == "year":
                return Period.year(int(g[0]))
            if kind == "quarter":
                q = g[1]
                return Period.quarter(int(g[0]), QUARTER_NAMES.index(q) + 1 if q in QUARTER_NAMES else int(q))
            if kind == "bare_quarter":
                return Period.quarter(default_year, int(g[0]))
            if kind == "month":
                return Period.months_between((int(g[0]), int(g[1])), (int(g[0]), int(g[1])))
            if kind == "month_range":
                return Period.months_between((int(g[0]), int(g[1])), (int(g[2]), int(g[3])))
            if kind == "month_range_short":
                return Period.months_between((int(g[0]), int(g[1])), (int(g[0]), int(g[2])))
            if kind == "years":
                return Period.years_between(int(g[0]), int(g[1]))
        except InputError as exc:
            raise InputError(f"统计期间“{raw}”有误：{exc}") from None
    raise InputError(f"看不懂统计期间“{raw}”。{HELP}")
