"""OpenDocument spreadsheets: a streaming scan of content.xml for each table's extent, formulas,
merged ranges and, for oversized tables, the cells themselves."""


from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from defusedxml import ElementTree as DET

from taizhang.reading.base import MAX_COLS, Pos, ReadLimits, local_name

# --------------------------------------------------------------------------------------------
# ods content.xml scan
# --------------------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _t(name: str) -> str:
    return f"{{{_TABLE}}}{name}"


def _o(name: str) -> str:
    return f"{{{_OFFICE}}}{name}"


@dataclass
class OdsTable:
    last_row: int = 0  # 1-based last row holding a value
    last_col: int = 0  # 1-based last column holding a value
    cells: list[list[Any]] = field(default_factory=list)  # the first max_rows × MAX_COLS
    formulas: dict[Pos, str] = field(default_factory=dict)
    uncached: set[Pos] = field(default_factory=set)  # stays empty: ods stores formula results
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


def _ods_text(cell: Any) -> str:
    """The text of an ods cell: its paragraphs joined by line breaks, <text:s/> as spaces."""
    return "\n".join("".join(_ods_walk(p, [])) for p in cell if p.tag == f"{{{_TEXT}}}p")


def _ods_walk(el: Any, parts: list[str]) -> list[str]:
    if el.text:
        parts.append(el.text)
    for ch in el:
        local = local_name(ch.tag)
        if local == "s":
            parts.append(" " * int(ch.get(f"{{{_TEXT}}}c", "1") or 1))
        elif local == "tab":
            parts.append("\t")
        elif local == "line-break":
            parts.append("\n")
        else:
            _ods_walk(ch, parts)
        if ch.tail:
            parts.append(ch.tail)
    return parts


def _ods_value(cell: Any) -> Any:
    kind = cell.get(_o("value-type"))
    if kind is None:
        return None
    try:
        if kind in ("float", "percentage", "currency"):
            return float(cell.get(_o("value"), "nan"))
        if kind == "date":
            text = cell.get(_o("date-value"), "")
            value = datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
            if isinstance(value, datetime) and value.time() == datetime.min.time():
                return value.date()
            return value
        if kind == "boolean":
            return cell.get(_o("boolean-value"), "false") == "true"
    except ValueError:
        pass
    return _ods_text(cell) or None


def scan_ods(zf: zipfile.ZipFile, limits: ReadLimits) -> dict[str, OdsTable]:
    """Every table's extent, formulas and merged ranges, and its first rows' values."""
    tables: dict[str, OdsTable] = {}
    table: OdsTable | None = None
    row0 = 0
    col0 = 0
    row_repeat = 1
    row_values: list[Any] = []
    with zf.open("content.xml") as fh:
        for event, el in DET.iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == _t("table"):
                    table = OdsTable()
                    tables[el.get(_t("name"), "")] = table
                    row0 = 0
                elif tag == _t("table-row") and table is not None:
                    row_repeat = max(1, int(el.get(_t("number-rows-repeated"), "1") or 1))
                    col0 = 0
                    row_values = []
                continue
            if table is None:
                continue
            if tag in (_t("table-cell"), _t("covered-table-cell")):
                repeat = max(1, int(el.get(_t("number-columns-repeated"), "1") or 1))
                value = _ods_value(el) if tag == _t("table-cell") else None
                formula = el.get(_t("formula"))
                if value is not None or formula:
                    table.last_row = max(table.last_row, row0 + row_repeat)
                    table.last_col = max(table.last_col, col0 + repeat)
                if formula and col0 < MAX_COLS * 10:
                    if formula.startswith(("of:", "oooc:", "msoxl:")):
                        formula = formula.split(":", 1)[1]
                    text = formula if formula.startswith("=") else "=" + formula
                    for rr in range(min(row_repeat, 10)):
                        for cc in range(min(repeat, 10)):
                            table.formulas[(row0 + rr, col0 + cc)] = text
                rows_span = int(el.get(_t("number-rows-spanned"), "1") or 1)
                cols_span = int(el.get(_t("number-columns-spanned"), "1") or 1)
                if rows_span > 1 or cols_span > 1:
                    table.merged.append((row0, col0, row0 + rows_span - 1, col0 + cols_span - 1))
                if col0 < MAX_COLS:
                    row_values.extend([value] * min(repeat, MAX_COLS - col0))
                col0 += repeat
                el.clear()
            elif tag == _t("table-row"):
                while row_values and row_values[-1] is None:
                    row_values.pop()
                room = limits.max_rows - len(table.cells)
                for _ in range(min(row_repeat, room)):
                    table.cells.append(list(row_values))
                row0 += row_repeat
                el.clear()
            elif tag == _t("table"):
                del table.cells[table.last_row:]
                table = None
    return tables
