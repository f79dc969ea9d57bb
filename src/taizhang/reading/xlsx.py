"""The sheet XML of xlsx/xlsm, scanned without a full parse: a sheet's extent (so calamine never
allocates a huge rectangle), the formulas and whether they have cached results, merged ranges."""


from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache
from typing import Any

from defusedxml import ElementTree as DET

from taizhang.reading.base import (
    CELLS_PER_ROW,
    SMALL_PART,
    Pos,
    ReadLimits,
    column_index,
    local_name,
    read_small,
    split_ref,
)


def workbook_part(zf: zipfile.ZipFile) -> str:
    """The workbook part's name (normally xl/workbook.xml), from the package relationships."""
    try:
        rels = DET.fromstring(read_small(zf, "_rels/.rels", SMALL_PART))
        for el in rels:
            if el.get("Type", "").endswith("/officeDocument"):
                return el.get("Target", "xl/workbook.xml").lstrip("/")
    except Exception:
        pass
    return "xl/workbook.xml"


# --------------------------------------------------------------------------------------------
# xlsx sheet XML: extent, formulas, merged ranges
# --------------------------------------------------------------------------------------------

_WIDE_REF = re.compile(rb'r="([A-Z]{2,3})\d')
# The fast path (calamine) is taken only for a sheet whose every cell reference is in the one
# form Excel, WPS, LibreOffice and openpyxl write: <c r="AB12" ...>, upper-case letters, the
# reference the first attribute. Anything else -- a lower-case reference (r="xfd1048576", which
# calamine reads but our scan for large references would not see), a <c> without r, spaces or
# single quotes around the value, a character reference, a second r -- sends the sheet to the
# streaming reader, which bounds rows and columns itself. Calamine allocates the rectangle up
# to the last cell present, so a reference we cannot bound must never reach it.
CELL_WITHOUT_REF = re.compile(rb'<(?:[\w.-]+:)?c(?! r="[A-Z]{1,3}[0-9]{1,7}"[\s/>])[\s/>]')
# An r attribute (on <c> or <row>) anywhere that is not an upper-case reference or a row number.
ODD_REF = re.compile(rb'\sr\s*=\s*(?!"(?:[A-Z]{1,3})?[0-9]{1,7}")["\']')
_ROOT_PREFIX = re.compile(rb"<(\w+):worksheet\b")


@lru_cache(maxsize=8)
def _big_ref(digits: int) -> re.Pattern[bytes]:
    """A cell reference with at least `digits` digits in its row number, and what follows it."""
    return re.compile(rb'r=["\'][A-Za-z]{1,3}(\d{%d,})["\'][^>]*?(/?)>(</)?' % digits)


def xlsx_extent(xml: bytes, limits: ReadLimits) -> tuple[int, bool]:
    """(the last row holding a value, as far as the cheap scan can tell; whether calamine may
    read the sheet without allocating more than the budget).

    Only references with as many digits as max_rows are looked at (rows below are harmless), so
    this costs a few literal searches; it errs on the side of "not safe" (the streaming reader
    then reads the sheet, correctly and more slowly).
    """
    digits = len(str(limits.max_rows))
    big = _big_ref(digits)
    last = 0
    for m in big.finditer(xml):
        if m.group(2) or m.group(3):  # <c r=".." s="1"/> or <c ...></c>: no value
            continue
        last = max(last, int(m.group(1)))
    rows = last if last else 10 ** (digits - 1) - 1
    safe = rows * xlsx_columns(xml) <= max(limits.max_rows, 1000) * CELLS_PER_ROW
    # Cells without an r="" reference are placed one after another, and a reference in any other
    # form is not seen by the scans above: we cannot bound such a sheet here.
    if not canonical_refs(xml):
        safe = False
    return last, safe


def canonical_refs(xml: bytes) -> bool:
    """Whether every cell reference in the sheet XML has the form the cheap scans bound
    (upper-case letters, the first attribute, double quotes): see CELL_WITHOUT_REF."""
    return CELL_WITHOUT_REF.search(xml) is None and ODD_REF.search(xml) is None


def xlsx_columns(xml: bytes) -> int:
    """How many columns the sheet's cell references reach (at least 26: a cheap scan that only
    looks at two- and three-letter columns)."""
    cols = 26
    for m in _WIDE_REF.finditer(xml):
        cols = max(cols, column_index(m.group(1).decode()) + 1)
    return cols


def xlsx_formulas(xml: bytes) -> tuple[dict[Pos, str], set[Pos]]:
    """Formula cells of a sheet: (row0, col0) → text, and those without a cached value."""
    prefix = _ROOT_PREFIX.search(xml[:2000])
    if prefix:  # <x:worksheet ...>: elements carry a namespace prefix
        return formulas_full(xml) if b"<" + prefix.group(1) + b":f" in xml else ({}, set())
    if b"<f" not in xml:
        return {}, set()
    try:
        return _formulas_by_fragment(xml)
    except _NeedFullScan:
        return formulas_full(xml)


class _NeedFullScan(Exception):
    pass


_F_START = re.compile(rb"<f[ >/]")


def _formulas_by_fragment(xml: bytes) -> tuple[dict[Pos, str], set[Pos]]:
    """Parse only the <c> elements that contain an <f>, all in one small document."""
    fragments: list[bytes] = []
    pos = 0
    for m in _F_START.finditer(xml):
        i = m.start()
        if i < pos:
            continue
        # The cell's start tag is just before its <f>: look back a little, not to the start.
        window = max(pos, i - 1024)
        start = max(xml.rfind(b"<c ", window, i), xml.rfind(b"<c>", window, i))
        end = xml.find(b"</c>", i)
        if start < 0 or end < 0:
            raise _NeedFullScan
        fragments.append(xml[start:end + 4])
        pos = end + 4
    try:
        root = DET.fromstring(b"<x>" + b"".join(fragments) + b"</x>")
    except Exception:
        raise _NeedFullScan from None
    formulas: dict[Pos, str] = {}
    uncached: set[Pos] = set()
    shared: dict[str, str] = {}
    children: list[tuple[Pos, str]] = []
    for cell in root:
        where = split_ref(cell.get("r", ""))
        f = cell.find("f")
        if where is None or f is None:
            raise _NeedFullScan
        _record_formula(where, f.text or "", f.get("t"), f.get("si"), _cached(cell),
                        formulas, uncached, shared, children)
    for where, si in children:
        formulas[where] = shared.get(si, formulas[where])
    return formulas, uncached


def _cached(cell: Any) -> bool:
    """Whether a formula cell carries a saved result. An empty <v></v> is a result only in a
    text cell (Excel's ="" result); openpyxl and xlsxwriter write it for "no result"."""
    for ch in cell:
        tag = local_name(ch.tag)
        if tag == "is":
            return True
        if tag == "v":
            return bool(ch.text) or cell.get("t") in ("str", "s", "inlineStr")
    return False


def _record_formula(where: Pos, text: str, kind: str | None, si: str | None, cached: bool,
                    formulas: dict[Pos, str], uncached: set[Pos], shared: dict[str, str],
                    children: list[tuple[Pos, str]]) -> None:
    text = text.strip()
    if kind == "shared" and si is not None:
        if text:
            shared[si] = "=" + text
        else:
            children.append((where, si))
    formulas[where] = "=" + text if text else "=（公式）"
    if not cached:
        uncached.add(where)


def formulas_full(xml: bytes) -> tuple[dict[Pos, str], set[Pos]]:
    """The slow, general scan (namespace prefixes, cells without references)."""
    formulas: dict[Pos, str] = {}
    uncached: set[Pos] = set()
    shared: dict[str, str] = {}
    children: list[tuple[Pos, str]] = []
    row0, col0 = -1, -1
    try:
        for event, el in DET.iterparse(io.BytesIO(xml), events=("start", "end")):
            tag = local_name(el.tag)
            if event == "start":
                if tag == "row":
                    r = el.get("r")
                    row0 = int(r) - 1 if r and r.isdigit() else row0 + 1
                    col0 = -1
                elif tag == "c":
                    where = split_ref(el.get("r", ""))
                    if where is not None:
                        row0, col0 = where
                    else:
                        col0 += 1
                continue
            if tag == "c":
                f = next((ch for ch in el if local_name(ch.tag) == "f"), None)
                if f is not None:
                    _record_formula((row0, col0), f.text or "", f.get("t"), f.get("si"),
                                    _cached(el), formulas, uncached, shared, children)
                el.clear()
            elif tag == "row":
                el.clear()
    except Exception:
        return formulas, uncached
    for where, si in children:
        formulas[where] = shared.get(si, formulas[where])
    return formulas, uncached


def xlsx_merged(xml: bytes) -> list[tuple[int, int, int, int]]:
    """The merged ranges listed in the sheet's <mergeCells> element."""
    i = xml.find(b"mergeCells")
    if i < 0:
        return []
    start = xml.rfind(b"<", 0, i)
    close = xml.find(b"mergeCells>", i + 10)
    if start < 0 or close < 0:
        return []
    fragment = xml[start:close + len(b"mergeCells>")]
    prefix = re.match(rb"<(\w+):", fragment)
    if prefix:  # a namespace prefix: declare it so the fragment parses on its own
        p = prefix.group(1)
        fragment = b'<w xmlns:' + p + b'="urn:taizhang">' + fragment + b"</w>"
    try:
        root = DET.fromstring(fragment)
    except Exception:
        return []
    out = []
    for el in root.iter():
        if local_name(el.tag) != "mergeCell":
            continue
        ref = el.get("ref", "")
        a, _, b = ref.partition(":")
        first, last = split_ref(a), split_ref(b or a)
        if first and last:
            out.append((min(first[0], last[0]), min(first[1], last[1]),
                        max(first[0], last[0]), max(first[1], last[1])))
    return out



# A styled number cell holding 0, a negative number or 60: calamine turns a date-formatted one
# into the time 00:00 (Excel shows "1900-01-00" or "####") or 1900-02-28 (Excel shows 1900-02-29,
# a day that never was). Rare, and found by one scan of the XML.
_ODD_SERIAL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*? s="[0-9]+"[^>]*>\s*<v>(-[0-9.Ee+-]+|0|60)</v>')


def odd_serials(xml: bytes) -> dict[tuple[int, int], float]:
    """(row0, col0) → the number of every styled cell holding 0, a negative number or 60."""
    out: dict[tuple[int, int], float] = {}
    for m in _ODD_SERIAL.finditer(xml):
        try:
            out[(int(m.group(2)) - 1, column_index(m.group(1).decode()))] = float(m.group(3))
        except ValueError:
            continue
    return out
