"""Reading returned workbooks: file → raw cells, behind one small interface.

`open_workbook` finds out what a file really is from its bytes (`sniff`), checks a zip-based
file's members against a byte budget before any parser sees it (`check_archive`), and opens it
with python-calamine. `WorkbookReader.rows(name)` gives a sheet's raw cells (capped at
`ReadLimits.max_rows`), the formulas we can see, and the merged ranges.

Measured facts this module is built on (python-calamine 0.9):
- calamine returns empty cells as "" (we return None), whole numbers as floats, date cells as
  `date`/`datetime`; it skips a formula cell without a cached value as if it were empty, so for
  xlsx we find formulas with a small scan of the sheet XML (`<f>` elements only, ~0.1 ms a sheet).
- calamine allocates the whole rectangle from A1 to the last cell holding a value: a 5 KB xlsx
  with one value in row 1,048,576 took 1 GB, an .ods likewise. Before calamine sees a sheet we
  bound its extent from the XML; a sheet that is too large is read by a streaming reader
  (openpyxl read-only for xlsx, our own scan for ods), capped at `max_rows` rows.
- No reader stops a zip bomb, so `check_archive` inflates every member itself (zlib, bounded)
  and compares against the declared sizes and the budget; on the way it refuses any XML part
  that declares a DTD (entity bombs, external entities), which calamine and openpyxl would see.
Every exception a parser raises becomes `UnreadableFile`; the caller turns it into a Problem.
All XML is parsed with defusedxml."""


from __future__ import annotations

import io
import posixpath
import zipfile
from datetime import date, time
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as DET
from python_calamine import CalamineWorkbook

from taizhang.reading.base import (
    CELLS_PER_ROW,
    MAX_COLS,
    SMALL_PART,
    ZIP_KINDS,
    RawSheet,
    ReadLimits,
    UnreadableFile,
    local_name,
    read_small,
)
from taizhang.reading.guard import check_declared_counts, check_zip, read_bounded
from taizhang.reading.ods import OdsTable, scan_ods
from taizhang.reading.sniff import refuse_kind, sniff_stream
from taizhang.reading.xls import check_xls
from taizhang.reading.xlsx import (
    canonical_refs,
    odd_serials,
    workbook_part,
    xlsx_columns,
    xlsx_extent,
    xlsx_formulas,
    xlsx_merged,
)

# --------------------------------------------------------------------------------------------
# open_workbook and the reader
# --------------------------------------------------------------------------------------------

def open_workbook(path: str | Path, limits: ReadLimits = ReadLimits()) -> WorkbookReader:
    """Sniff, check and open a returned file; return a `WorkbookReader`.

    Raises `UnreadableFile` (never anything else) when the file is not a workbook we read, is
    over the limits, is password-protected or is broken. The file is never modified.
    """
    path = Path(path)
    data = read_bounded(path, limits)
    kind = sniff_stream(io.BytesIO(data))
    refuse_kind(kind)
    if kind in ZIP_KINDS:
        check_zip(data, limits)
        if kind != "ods":
            check_declared_counts(data)
    elif kind in ("xls", "et"):
        check_xls(data, limits)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = list(workbook.sheets_metadata)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's Rust panics arrive as BaseException
        raise _parser_error(exc) from None
    if not metadata:
        raise UnreadableFile("FILE-UNREADABLE", "工作簿中没有任何工作表，文件可能已损坏")
    return WorkbookReader(path, kind, data, workbook, metadata, limits)


_FEB_28_1900 = date(1900, 2, 28)


def _restore_odd_dates(cells: list[list[Any]], xml: bytes) -> None:
    """Put back the stored number where calamine made a date cell's 0 or negative number the
    time 00:00, or 60 the date 1900-02-28 (see `xlsx.odd_serials`), so that the message says
    what the branch sees in Excel."""
    for (r, c), number in odd_serials(xml).items():
        if r < len(cells) and c < len(cells[r]):
            value = cells[r][c]
            if type(value) is time or (type(value) is date and value == _FEB_28_1900):
                cells[r][c] = number


def _parser_error(exc: BaseException) -> UnreadableFile:
    if type(exc).__name__ == "PasswordError" or "password" in str(exc).lower():
        return UnreadableFile("FILE-ENCRYPTED", "文件设置了密码", str(exc))
    detail = f"{type(exc).__name__}: {exc}"
    return UnreadableFile("FILE-UNREADABLE", "文件内容已损坏，无法解析", detail)


class WorkbookReader:
    """An open workbook: sheet names, their visibility, and each sheet's raw cells."""

    def __init__(self, path: Path, kind: str, data: bytes, workbook: Any, metadata: list[Any],
                 limits: ReadLimits):
        self.path = path
        self.kind = kind
        self.limits = limits
        self._data = data
        self._workbook = workbook
        self._metadata = {m.name: m for m in metadata}
        self.sheet_names: list[str] = [m.name for m in metadata]
        self._zip = zipfile.ZipFile(io.BytesIO(data)) if kind in ZIP_KINDS else None
        self._parts: dict[str, str] | None = None
        self._ods: dict[str, OdsTable] | None = None
        self._cache: dict[str, RawSheet] = {}

    # -- public ---------------------------------------------------------------------------------
    def visibility(self, name: str) -> str:
        """"visible", "hidden" or "veryhidden" (KeyError for an unknown sheet)."""
        visible = str(getattr(self._metadata[name], "visible", "Visible"))
        if "VeryHidden" in visible:
            return "veryhidden"
        if "Hidden" in visible:
            return "hidden"
        return "visible"

    def rows(self, name: str) -> RawSheet:
        """The sheet's raw cells, formulas and merged ranges (KeyError for an unknown sheet;
        UnreadableFile when the sheet cannot be parsed)."""
        if name not in self._metadata:
            raise KeyError(name)
        if name not in self._cache:
            try:
                sheet = self._read(name)
                sheet.limit = self.limits.max_rows
                self._cache[name] = sheet
            except (UnreadableFile, KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # calamine's Rust panics arrive as BaseException
                raise _parser_error(exc) from None
        return self._cache[name]

    def close(self) -> None:
        """Release the parsers (the reader cannot be used afterwards)."""
        try:
            self._workbook.close()
        except Exception:
            pass
        if self._zip is not None:
            self._zip.close()
        self._cache.clear()

    def __enter__(self) -> WorkbookReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------------------
    def _read(self, name: str) -> RawSheet:
        if "ChartSheet" in str(getattr(self._metadata[name], "typ", "")):
            return RawSheet([])
        if self.kind in ("xlsx", "xlsm"):
            return self._read_xlsx(name)
        if self.kind == "ods":
            return self._read_ods(name)
        return self._read_calamine(name)  # xls: its extent was checked before calamine opened it

    def _calamine_cells(self, name: str) -> tuple[list[list[Any]], int, Any]:
        sheet = self._workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False, nrows=self.limits.max_rows)
        end = sheet.end
        total = end[0] + 1 if end else 0
        cells = [[None if v == "" else v for v in row] for row in rows]
        return cells, total, sheet

    def _read_calamine(self, name: str) -> RawSheet:
        cells, total, sheet = self._calamine_cells(name)
        merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        return RawSheet(cells, total, total > self.limits.max_rows, {}, merged)

    def _read_xlsx(self, name: str) -> RawSheet:
        part = self._sheet_part(name)
        xml = b""
        if part is not None:
            try:
                xml = self._zip.read(part) if self._zip else b""
            except KeyError:
                part = None
        last_row, safe = xlsx_extent(xml, self.limits) if part else (0, False)
        if safe:
            cells, total, _ = self._calamine_cells(name)
            _restore_odd_dates(cells, xml)
        else:
            width = xlsx_columns(xml) if canonical_refs(xml) else MAX_COLS
            cells, total = self._openpyxl_cells(name, min(width, MAX_COLS))
            total = max(total, last_row)
        formulas, uncached = xlsx_formulas(xml)
        merged = xlsx_merged(xml)
        return RawSheet(cells, total, total > self.limits.max_rows, formulas, merged, uncached)

    def _sheet_part(self, name: str) -> str | None:
        """The zip member holding a sheet's XML, from workbook.xml and its relationships."""
        if self._parts is None:
            self._parts = {}
            try:
                assert self._zip is not None
                workbook = workbook_part(self._zip)
                rels_name = posixpath.join(posixpath.dirname(workbook), "_rels",
                                           posixpath.basename(workbook) + ".rels")
                rels = DET.fromstring(read_small(self._zip, rels_name, SMALL_PART))
                targets = {el.get("Id"): el.get("Target", "") for el in rels}
                root = DET.fromstring(read_small(self._zip, workbook, SMALL_PART))
                for el in root.iter():
                    if local_name(el.tag) != "sheet":
                        continue
                    rid = next((v for k, v in el.attrib.items() if local_name(k) == "id"), None)
                    target = targets.get(rid, "")
                    if not target:
                        continue
                    if target.startswith("/"):
                        resolved = target.lstrip("/")
                    else:
                        base = posixpath.dirname(workbook)
                        resolved = posixpath.normpath(posixpath.join(base, target))
                    self._parts[el.get("name", "")] = resolved
            except Exception:
                pass
        return self._parts.get(name)

    def _openpyxl_cells(self, name: str, max_col: int = MAX_COLS) -> tuple[list[list[Any]], int]:
        """Stream the first max_rows rows (and `max_col` columns) of an oversized xlsx sheet."""
        import openpyxl  # only for the rare oversized sheet

        wb = openpyxl.load_workbook(io.BytesIO(self._data), read_only=True, data_only=True)
        try:
            ws = wb[name]
            cells: list[list[Any]] = []
            last = 0
            for i, row in enumerate(ws.iter_rows(min_row=1, max_row=self.limits.max_rows,
                                                 max_col=max_col, values_only=True)):
                values = [None if v == "" else v for v in row]
                while values and values[-1] is None:
                    values.pop()
                if values:
                    last = i + 1
                cells.append(values)
            del cells[last:]
            return cells, last
        finally:
            wb.close()

    def _read_ods(self, name: str) -> RawSheet:
        if self._ods is None:
            assert self._zip is not None
            self._ods = scan_ods(self._zip, self.limits)
        table = self._ods.get(name)
        if table is None:
            cells, total, _ = self._calamine_cells(name)
            return RawSheet(cells, total, total > self.limits.max_rows)
        budget = max(self.limits.max_rows, 1000) * CELLS_PER_ROW
        if table.last_row * max(table.last_col, 1) <= budget:
            cells, total, _ = self._calamine_cells(name)
        else:
            cells, total = table.cells, table.last_row
        return RawSheet(cells, total, total > self.limits.max_rows, table.formulas, table.merged,
                        table.uncached)
