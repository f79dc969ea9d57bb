"""What every workbook taizhang writes shares: cell formats, column widths that fit Chinese text,
row heights for wrapped text, values written safely (never as formulas), print setup, and the
signed `_meta` sheet. Used by issue, feedback, consolidate and roll-ups."""


from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from taizhang.signing import META_SHEET


# --- shared formatting -------------------------------------------------------------------------
def text_width(text: Any) -> int:
    """The display width of text in a spreadsheet cell: a CJK character counts as two."""
    s = "" if text is None else str(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def fit_widths(widths: list[int], lo: int = 6, hi: int = 50) -> list[float]:
    return [min(max(w + 2, lo), hi) for w in widths]


FORM_WIDTH = 60
MESSAGE_WIDTH = 70


def wrapped_height(cells: list[tuple[int, str]], width: int) -> float:
    """A row height (points) that shows wrapped text of about `width` characters per line:
    neither Excel nor LibreOffice grows a row for wrapped text written by xlsxwriter."""
    lines = 1
    for _c, text in cells:
        n = sum(max(1, -(-text_width(line) // (width - 2))) for line in text.splitlines() or [""])
        lines = max(lines, n)
    return min(409, 14 * lines + 2)


class Formats:
    """The cell formats of one workbook, created once."""

    def __init__(self, wb: Any):
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        cell = {**base, "border": 1}

        def fmt(**extra: Any) -> Any:
            return wb.add_format({**cell, **extra})

        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center",
                                    "font_name": "黑体"})
        self.info = wb.add_format({**base, "align": "left"})
        self.note = wb.add_format({**base, "align": "left", "text_wrap": True, "valign": "top"})
        self.head = fmt(bold=True, align="center", text_wrap=True, bg_color="#D9E1F2")
        self.text = fmt()
        self.wrap = fmt(text_wrap=True, valign="top")
        self.name = fmt(text_wrap=True)
        self.center = fmt(align="center")
        self.int = fmt(num_format="0", align="center")
        self.money = fmt(num_format="#,##0.00")
        self.pct = fmt(num_format="0.0%", align="center")
        self.date = fmt(num_format="yyyy-mm-dd", align="center")
        self.datetime = fmt(num_format="yyyy-mm-dd hh:mm", align="center")
        self.bad = fmt(align="center", font_color="#C00000", bold=True)
        self.invalid = fmt(bg_color="#FFC7CE")
        self.missing = fmt(align="center", font_color="#7F7F7F", italic=True)
        total = {"bold": True, "bg_color": "#F2F2F2"}
        self.t_text = fmt(**total, align="center", text_wrap=True)
        self.t_int = fmt(**total, num_format="0", align="center")
        self.t_money = fmt(**total, num_format="#,##0.00")
        self.t_pct = fmt(**total, num_format="0.0%", align="center")
        self.error = fmt(font_color="#C00000", bold=True, align="center")
        self.warning = fmt(font_color="#9C5700", align="center")


def write_value(sh: Any, r: int, c: int, value: Any, f: Formats, *, kind: str = "", wide: float = 0) -> int:
    """Write a typed value (an empty cell keeps its border); return its display width (0 for text
    that cannot be wider than `wide`, the widest seen so far: measuring is what costs)."""
    if value is None or value == "":
        sh.write_blank(r, c, None, f.text)
        return 0
    if isinstance(value, bool):
        sh.write_string(r, c, "是" if value else "否", f.center)
        return 2
    if isinstance(value, datetime):
        sh.write_datetime(r, c, value, f.datetime)
        return 16
    if isinstance(value, date):
        sh.write_datetime(r, c, datetime.combine(value, time()), f.date)
        return 10
    if isinstance(value, Decimal):
        sh.write_number(r, c, float(value), f.money)
        return len(f"{value:,.2f}")
    if isinstance(value, int):
        sh.write_number(r, c, value, f.int)
        return len(str(value))
    if isinstance(value, float):
        sh.write_number(r, c, value, f.money if kind == "money" else f.text)
        return len(str(value))
    text = str(value)
    sh.write_string(r, c, text, f.wrap if kind == "wrap" else f.text)
    if 2 * len(text) <= wide:
        return 0
    return max((text_width(line) for line in text.splitlines()), default=0)





# --- printing ----------------------------------------------------------------------------------
# A4 with 0.5" side margins, in points. A column of Excel width w prints 5.25·w + 3.75 points wide
# at 100% where the workbook's default font (Calibri) is installed; where it is not (LibreOffice or
# WPS on Linux without Carlito) a wider font stands in and the same column takes about 6.6·w + 7
# points (measured). Whether a table can be fitted to the page width legibly is judged with the
# first (fitting adapts to the real widths); where a split table's parts break is planned with the
# second, so that a part never spills over its page anywhere.
PAGE_WIDTH_PT = {True: 842 - 72, False: 595 - 72}  # landscape, portrait
MIN_PRINT_PT = 7.5  # the smallest font size a printed page may shrink to


def column_points(width: float, *, fallback_font: bool = True) -> float:
    """How wide a column of Excel width `width` prints at 100%, in points (where the default font
    is missing, or with Calibri)."""
    return 6.6 * width + 7 if fallback_font else 5.25 * width + 3.75


@dataclass
class PrintPlan:
    """How a sheet prints: orientation, scale (None: fit to the page width), the columns where a
    new printed part starts (a table too wide to shrink legibly is split rather than shrunk), and
    the width of each part at 100%."""

    landscape: bool
    scale: int | None
    breaks: list[int]
    part_widths: list[float]

    @property
    def first_part_end(self) -> int:
        """The last column of the first printed part (exclusive of the following ones); -1: all."""
        return self.breaks[0] - 1 if self.breaks else -1


def _parts(widths: list[float], atoms: list[tuple[int, int]], room: float, key: float,
           key_columns: int) -> tuple[list[int], list[float]]:
    """Where parts of at most `room` points start (each after the first carrying `key` points of
    repeated columns); a part always holds at least one column beyond the repeated ones."""
    breaks, parts, used, beyond = [], [], 0.0, 0
    for first, last in atoms:
        size = sum(widths[first:last + 1])
        if beyond and used + size > room:
            breaks.append(first)
            parts.append(used)
            used, beyond = key, 0
        used += size
        beyond += first >= key_columns
    parts.append(used)
    return breaks, parts


def plan_print(widths: list[float], *, font_size: float = 10, key_columns: int = 0,
               keep_together: list[tuple[int, int]] | None = None, landscape: bool | None = None) -> PrintPlan:
    """Plan a table's printing from its column widths: portrait when it fits, else landscape; fit to
    the page width when that keeps the text at MIN_PRINT_PT or more; otherwise split into parts
    (the first `key_columns` repeated on each, column spans in `keep_together` never cut) into as
    few parts as the smallest legible scale allows, at the scale that makes them about even."""
    points = [column_points(w) for w in widths]
    total = sum(points)
    ideal = sum(column_points(w, fallback_font=False) for w in widths)
    if landscape is None:
        landscape = ideal > PAGE_WIDTH_PT[False]
    page = PAGE_WIDTH_PT[landscape] * 0.96  # a little room: widths are estimates, a part must not spill
    lowest = -(-int(100 * MIN_PRINT_PT) // int(font_size))  # ceil(100 · 7.5 / size)
    if ideal * lowest / 100 <= page:
        return PrintPlan(landscape, None, [], [ideal])
    spans = sorted(keep_together or [])
    atoms: list[tuple[int, int]] = []
    c = key_columns
    for first, last in spans:
        atoms += [(i, i) for i in range(c, first)]
        if first >= c:
            atoms.append((first, last))
            c = last + 1
    atoms += [(i, i) for i in range(c, len(points))]
    key = sum(points[:key_columns])
    atoms = [(0, key_columns - 1)] + atoms if key_columns else atoms
    least, _ = _parts(points, atoms, page * 100 / lowest, key, key_columns)
    n = len(least) + 1
    # The scale at which n parts of equal width would fill their pages; the largest from there
    # down that still needs no more than n parts (so the parts come out about even).
    even = min(100, max(lowest, int(100 * (total + (n - 1) * key) / (n * page))))
    for scale in range(even, lowest - 1, -1):
        breaks, parts = _parts(points, atoms, page * 100 / scale, key, key_columns)
        if len(breaks) < n:
            return PrintPlan(landscape, scale, breaks, parts)
    breaks, parts = _parts(points, atoms, page * 100 / lowest, key, key_columns)
    return PrintPlan(landscape, lowest, breaks, parts)


def print_setup(sh: Any, *, header_rows: tuple[int, int] | None = None, widths: list[float] | None = None,
                font_size: float = 10, key_columns: int = 0, keep_together: list[tuple[int, int]] | None = None,
                landscape: bool | None = None, one_page: bool = False, footer: bool = True) -> PrintPlan:
    """Set up a sheet for printing on A4 (see plan_print), with `header_rows` repeated on every page
    and the page number in the footer; `one_page` fits the whole sheet on a single page. Returns
    the plan."""
    plan = (plan_print(widths, font_size=font_size, key_columns=key_columns, keep_together=keep_together,
                       landscape=landscape) if widths else PrintPlan(landscape is not False, None, [], []))
    if plan.landscape:
        sh.set_landscape()
    else:
        sh.set_portrait()
    sh.set_paper(9)  # A4
    sh.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    if header_rows is not None:
        sh.repeat_rows(*header_rows)
    if one_page:
        sh.fit_to_pages(1, 1)
    elif plan.scale is None:
        sh.fit_to_pages(1, 0)
    else:
        sh.set_print_scale(plan.scale)
        sh.set_v_pagebreaks(plan.breaks)
        if key_columns:
            sh.repeat_columns(0, key_columns - 1)
    if not one_page or len(plan.breaks) == 0:
        sh.center_horizontally()
    if footer:
        sh.set_footer("&C第 &P 页，共 &N 页")
    return plan


def write_title(sh: Any, plan: PrintPlan, row: int, last_col: int, text: str, fmt: Any) -> None:
    """The sheet's title merged across the columns of each printed part ("（续）" after it on the
    later parts), so that every part prints a whole title."""
    starts = [0, *plan.breaks]
    ends = [*(b - 1 for b in plan.breaks), last_col]
    for n, (first, last) in enumerate(zip(starts, ends)):
        title = text if n == 0 else f"{text}（续）"
        if last > first:
            sh.merge_range(row, first, row, last, title, fmt)
        else:
            sh.write_string(row, first, title, fmt)


def write_meta_sheet(wb: Any, identity: Any, signature: str) -> None:
    """The very hidden `_meta` sheet: the identity's (field, value) pairs and the signature."""
    ws = wb.add_worksheet(META_SHEET)
    for r, (k, v) in enumerate([*identity.items(), ("signature", signature)]):
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, v)
    ws.very_hidden()
    ws.protect()
