"""Where a member list's header is: under title rows and notes (导出时间 …), in one row or two.

Merged cells are read as if every cell of the range held the range's value, so a title merged
across the sheet is one repeated text (no header), a column merged down both rows of a two-level
header (序号, 姓名) has its name in the lower row too, and a group cell merged across its columns
(基本信息, 入党情况) is each column's group. The header is the row where most cells are known
column names; the row above is its group row when it holds merged groups over that row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from taizhang.issue.memberlist.table import SynonymTable, fold
from taizhang.reading.base import RawSheet

SCAN_ROWS = 30  # the header is looked for among the first rows
MIN_KNOWN = 2  # a header names at least this many known columns (姓名 and one more)


@dataclass
class Header:
    """A sheet's header: its 0-based last row, the first data row, each column's label (the lower
    header cell) and group (the merged cell above, "" for none)."""

    row: int  # 0-based, the last header row
    first_data: int  # 0-based
    labels: dict[int, str]  # column → header text as written
    groups: dict[int, str]  # column → group text as written ("" when none)
    top: int  # 0-based first header row (== row for a one-row header)
    notes: list[str]  # texts above the header (title, 导出时间 …), for the preview

    def shown(self, col: int) -> str:
        """The column's header as shown to the user: "入党情况/入党日期" or "姓名"."""
        group = self.groups.get(col, "")
        label = self.labels.get(col, "")
        return f"{group}/{label}" if group and group != label else label


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def filled(sheet: RawSheet, rows: int) -> list[list[str]]:
    """The first `rows` rows as text, every merged cell holding its range's value."""
    width = max((len(r) for r in sheet.cells[:rows]), default=0)
    grid = [[_text(sheet.value(r, c)) for c in range(width)] for r in range(min(rows, len(sheet.cells)))]
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(grid):
            continue
        value = _text(sheet.value(r0, c0))
        for r in range(r0, min(r1 + 1, len(grid))):
            for c in range(c0, min(c1 + 1, width)):
                grid[r][c] = value
    return grid


def _known(table: SynonymTable, cells: list[str]) -> int:
    return len({fold(v) for v in cells if v and table.uses(v)})


def find(sheet: RawSheet, table: SynonymTable) -> Header | None:
    """The sheet's header, or None when no row of the first SCAN_ROWS names two known columns."""
    grid = filled(sheet, SCAN_ROWS)
    best, best_known = -1, MIN_KNOWN - 1
    for r, cells in enumerate(grid):
        known = _known(table, cells)
        # A tie with the row just below goes to the lower row: the second row of a two-level
        # header repeats the vertically merged names and adds the grouped ones.
        if known > best_known or (known == best_known and r == best + 1):
            best, best_known = r, known
    if best < 0:
        return None
    labels = {c: v for c, v in enumerate(grid[best]) if v}
    groups: dict[int, str] = {}
    top = best
    if best > 0 and _is_group_row(sheet, grid, best - 1, best, labels):
        top = best - 1
        for c, v in enumerate(grid[best - 1]):
            if v and c in labels and v != labels[c]:
                groups[c] = v
    # A header cell merged down over more rows: data starts below the merge.
    first = best + 1
    for r0, c0, r1, c1 in sheet.merged:
        if r0 <= best <= r1 and r1 >= first and c0 in labels:
            first = max(first, r1 + 1)
    notes = [_note(row) for row in grid[:top] if _note(row)]
    return Header(best, first, labels, groups, top, notes)


def _is_group_row(sheet: RawSheet, grid: list[list[str]], upper: int, lower: int,
                  labels: dict[int, str]) -> bool:
    """Whether row `upper` is a group row over `lower`: a cell merged down from `upper` into
    `lower`, or merged cells across several columns holding at least two different groups (a
    title merged across the whole sheet is one text, not groups)."""
    across = False
    for r0, c0, r1, c1 in sheet.merged:
        if r0 == upper and r1 >= lower:
            return True
        if r0 == upper and r1 == upper and c1 > c0:
            across = True
    distinct = {grid[upper][c] for c in labels if c < len(grid[upper]) and grid[upper][c]}
    return across and len(distinct) >= 2


def _note(row: list[str]) -> str:
    return "  ".join(dict.fromkeys(v for v in row if v))
