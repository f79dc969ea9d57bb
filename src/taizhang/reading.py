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
All XML is parsed with defusedxml.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from defusedxml import ElementTree as DET
from python_calamine import CalamineWorkbook

MB = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_KINDS = ("xlsx", "xlsm", "ods")
READABLE_KINDS = ("xlsx", "xlsm", "ods", "xls", "et")
# A sheet read by calamine may allocate at most max_rows * CELLS_PER_ROW cells (~32 bytes each).
CELLS_PER_ROW = 64
# The streaming fallback reads at most this many columns (the ledgers have about 20).
MAX_COLS = 100
# Members smaller than this are not held to the compression-ratio limit.
RATIO_FLOOR = 1 * MB
# Small XML parts (content types, properties, workbook.xml) are read up to this size.
SMALL_PART = 4 * MB
DAMAGED = "文件已损坏或不完整，可能是没有下载或复制完整"
SIZE_MISMATCH = "工作簿内部文件的实际大小与记录不符，文件可能被篡改或已损坏"

Pos = tuple[int, int]


@dataclass(frozen=True)
class ReadLimits:
    """The byte and row budget for reading one returned file."""

    max_file_bytes: int = 30 * MB
    max_unpacked_bytes: int = 200 * MB
    max_ratio: float = 200
    max_rows: int = 20000
    max_members: int = 10000

    @classmethod
    def from_settings(cls, settings: Any) -> ReadLimits:
        """The limits from `settings.collect` (max_file_mb, max_unpacked_mb, max_ratio,
        max_rows_per_sheet); a key that is absent or not a positive number keeps its default."""
        collect = getattr(settings, "collect", None) or {}
        base = cls()

        def number(key: str, default: float) -> float:
            try:
                value = float(collect.get(key, default))
            except (TypeError, ValueError):
                return default
            return value if value > 0 else default

        return cls(
            max_file_bytes=int(number("max_file_mb", base.max_file_bytes / MB) * MB),
            max_unpacked_bytes=int(number("max_unpacked_mb", base.max_unpacked_bytes / MB) * MB),
            max_ratio=number("max_ratio", base.max_ratio),
            max_rows=int(number("max_rows_per_sheet", base.max_rows)),
        )


class UnreadableFile(Exception):
    """A file that cannot be read as a workbook: `rule_id` (FILE-UNREADABLE, FILE-NOT-WORKBOOK,
    FILE-TOO-LARGE, FILE-ENCRYPTED or FILE-UNSAFE) and a short Chinese `reason` for the message."""

    def __init__(self, rule_id: str, reason: str, detail: str = ""):
        super().__init__(f"{rule_id}: {reason}" + (f" ({detail})" if detail else ""))
        self.rule_id = rule_id
        self.reason = reason
        self.detail = detail  # the parser's own (English) words, for logs only


@dataclass
class RawSheet:
    """One sheet as read: cells[row0][col0] (None = empty), capped at the row limit.

    `total_rows` is the 1-based number of the last row holding a value (what Ctrl+End shows),
    `truncated` says rows beyond the limit were not read. `formulas` maps (row0, col0) to the
    formula text where the format lets us see it (xlsx, ods); `uncached` holds the formula cells
    that have no saved result (xlsx only: .xls and LibreOffice's .ods always store results).
    `merged` lists merged ranges as (r0, c0, r1, c1), inclusive.
    """

    cells: list[list[Any]]
    total_rows: int = 0
    truncated: bool = False
    formulas: dict[Pos, str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    uncached: set[Pos] = field(default_factory=set)

    def value(self, row0: int, col0: int) -> Any:
        """The cell's value (None when empty or outside what was read)."""
        if 0 <= row0 < len(self.cells):
            row = self.cells[row0]
            if 0 <= col0 < len(row):
                return row[col0]
        return None


def column_letter(col0: int) -> str:
    """The Excel column letter of a 0-based column index (0 → "A", 26 → "AA")."""
    out = ""
    n = col0 + 1
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_index(letters: str) -> int:
    """The 0-based index of an Excel column letter ("A" → 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _split_ref(ref: str) -> Pos | None:
    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})", ref.strip())
    if not m:
        return None
    return int(m.group(2)) - 1, column_index(m.group(1))


# --------------------------------------------------------------------------------------------
# sniff
# --------------------------------------------------------------------------------------------

def sniff(path: str | Path) -> str:
    """What the file really is, from its bytes: "xlsx", "xlsm", "ods", "xls", "encrypted"
    (a password-protected OOXML or .ods), "xlsb", "docx", "pptx", "doc", "ppt", "zip" (another zip),
    "damaged" (a zip whose directory cannot be read), "csv", "text", "html", "xml", "pdf",
    "image", "archive" (rar/7z), "empty" or "unknown". Never raises for the file's content."""
    with open(path, "rb") as fh:
        return _sniff_stream(fh)


def _sniff_stream(fh: IO[bytes]) -> str:
    head = fh.read(64 * 1024)
    if not head:
        return "empty"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        fh.seek(0)
        return _sniff_zip(fh)
    if head.startswith(OLE_MAGIC):
        fh.seek(0)
        return _sniff_ole(fh.read())
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")):
        return "image"
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c")):
        return "archive"
    return _sniff_text(head)


def _sniff_zip(fh: IO[bytes]) -> str:
    try:
        zf = zipfile.ZipFile(fh)
        names = set(zf.namelist())
        if "mimetype" in names:
            mime = _read_small(zf, "mimetype", 200).decode("ascii", "replace").strip()
            if mime.startswith("application/vnd.oasis.opendocument.spreadsheet"):
                # A password-protected .ods is an ordinary zip whose parts are encrypted; the
                # manifest says so (LibreOffice writes <manifest:encryption-data> per part).
                if "META-INF/manifest.xml" in names and b"encryption-data" in _read_small(
                        zf, "META-INF/manifest.xml", SMALL_PART):
                    return "encrypted"
                return "ods"
            return "zip"
        types = ""
        if "[Content_Types].xml" in names:
            root = DET.fromstring(_read_small(zf, "[Content_Types].xml", SMALL_PART))
            types = " ".join(el.get("ContentType", "") for el in root)
    except Exception:
        return "damaged"
    if "ms-excel.sheet.binary" in types or "xl/workbook.bin" in names:
        return "xlsb"
    if "ms-excel.sheet.macroEnabled.main" in types or "template.macroEnabled.main" in types:
        return "xlsm"
    if "spreadsheetml.sheet.main" in types or "spreadsheetml.template.main" in types:
        return "xlsx"
    if "wordprocessingml" in types or "word/document.xml" in names:
        return "docx"
    if "presentationml" in types or "ppt/presentation.xml" in names:
        return "pptx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _read_small(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most `limit` bytes of a member (zipfile never inflates beyond what is read)."""
    with zf.open(name) as member:
        return member.read(limit)


def _ole_streams(data: bytes, names: tuple[str, ...]) -> set[str]:
    """Which of `names` are entries of the OLE2 directory (entries are 128-byte aligned)."""
    found: set[str] = set()
    for name in names:
        pattern = name.encode("utf-16-le") + b"\x00\x00"
        start = 0
        while True:
            i = data.find(pattern, start)
            if i < 0:
                break
            start = i + 1
            if i % 128 or i < 512 or i + 68 > len(data):
                continue
            (length,) = struct.unpack_from("<H", data, i + 64)
            if length == len(pattern) and data[i + 66] in (1, 2):
                found.add(name)
                break
    return found


def _sniff_ole(data: bytes) -> str:
    streams = _ole_streams(data, ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book",
                                  "WordDocument", "PowerPoint Document"))
    if {"EncryptionInfo", "EncryptedPackage"} & streams:
        return "encrypted"
    if {"Workbook", "Book"} & streams:
        # WPS .et files are OLE2 containers with a BIFF Workbook stream, read like .xls.
        return "xls"
    if "WordDocument" in streams:
        return "doc"
    if "PowerPoint Document" in streams:
        return "ppt"
    return "unknown"


def _sniff_text(head: bytes) -> str:
    text = None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "ignore")
    elif b"\x00" in head:
        return "unknown"
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                # final=False: the 64 KB cut may split the last character
                text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        return "unknown"
    if any(ord(ch) < 32 and ch not in "\r\n\t\f" for ch in text[:4096]):
        return "unknown"
    lower = text.lstrip("\ufeff \r\n\t").lower()
    if lower.startswith("mime-version") or "<html" in lower[:4096] or "<table" in lower[:4096]:
        return "html"
    if lower.startswith("<"):
        return "xml"
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if lines and all(("," in line or "\t" in line or "，" in line) for line in lines):
        return "csv"
    return "text"


_NOT_WORKBOOK = {
    "docx": "是Word文档", "doc": "是Word文档",
    "pptx": "是PowerPoint演示文稿", "ppt": "是PowerPoint演示文稿",
    "zip": "是压缩包或其他类型的文件", "archive": "是RAR或7z压缩包",
    "csv": "是CSV文本文件", "text": "是文本文件", "html": "是网页格式（HTML）的文件",
    "xml": "是XML格式的文件", "pdf": "是PDF文件", "image": "是图片文件",
    "unknown": "无法识别文件格式",
}


def _refuse_kind(kind: str) -> None:
    if kind in READABLE_KINDS:
        return
    if kind == "empty":
        raise UnreadableFile("FILE-UNREADABLE", "文件是空的（0字节）")
    if kind == "encrypted":
        raise UnreadableFile("FILE-ENCRYPTED", "文件设置了打开密码")
    if kind == "damaged":
        raise UnreadableFile("FILE-UNREADABLE", DAMAGED)
    if kind == "xlsb":
        raise UnreadableFile("FILE-UNREADABLE",
                             "文件是Excel二进制工作簿（.xlsb）格式，本工具不读取这种格式")
    raise UnreadableFile("FILE-NOT-WORKBOOK", _NOT_WORKBOOK.get(kind, _NOT_WORKBOOK["unknown"]))


# --------------------------------------------------------------------------------------------
# check_archive
# --------------------------------------------------------------------------------------------

def _size(n: float) -> str:
    """A byte count as people say it: "800KB", "1.5MB", "30MB"."""
    if n < MB:
        return f"{max(n / 1024, 1):.0f}KB"
    value = n / MB
    return f"{value:.0f}MB" if value >= 10 or value.is_integer() else f"{value:.1f}MB"


def _too_big(size: int, limits: ReadLimits) -> UnreadableFile:
    return UnreadableFile("FILE-TOO-LARGE",
                          f"文件大小为{_size(size)}，超过{_size(limits.max_file_bytes)}的上限")


def check_archive(path: str | Path, limits: ReadLimits = ReadLimits()) -> None:
    """Check a zip-based file against the byte budget before any parser sees it.

    Returns None when the file is within the limits; raises `UnreadableFile` (FILE-TOO-LARGE for
    size, ratio and member count; FILE-UNREADABLE for unsafe member names, a broken or lying
    archive; FILE-UNSAFE for an XML part with a DTD, i.e. entity declarations). Every member is inflated here with zlib, bounded, so a member whose real size
    differs from its declared size is caught too.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFile("FILE-UNREADABLE", "无法打开文件", str(exc)) from None
    if size > limits.max_file_bytes:
        raise _too_big(size, limits)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile("FILE-UNREADABLE", "无法打开文件", str(exc)) from None
    _check_zip(data, limits)


def _check_zip(data: bytes, limits: ReadLimits) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as exc:  # BadZipFile, struct.error, ValueError ...
        raise UnreadableFile("FILE-UNREADABLE", DAMAGED, str(exc)) from None
    if len(infos) > limits.max_members:
        raise UnreadableFile("FILE-TOO-LARGE",
                             f"工作簿内部有{len(infos)}个文件，超过{limits.max_members}个的上限")
    declared = 0
    for info in infos:
        name = info.orig_filename if hasattr(info, "orig_filename") else info.filename
        parts = re.split(r"[/\\]", name)
        if ("\x00" in name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name)
                or ".." in parts):
            shown = name if len(name) <= 40 else name[:37] + "..."
            raise UnreadableFile("FILE-UNREADABLE", f"工作簿内部含有不安全的文件路径“{shown}”")
        if info.flag_bits & 0x1:
            raise UnreadableFile("FILE-UNREADABLE", "工作簿内部的文件被加密，无法读取")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableFile("FILE-UNREADABLE", "工作簿使用了不常见的压缩方式，无法读取")
        declared += info.file_size
    if declared > limits.max_unpacked_bytes:
        raise UnreadableFile("FILE-TOO-LARGE",
                             f"解压后约{_size(declared)}，超过{_size(limits.max_unpacked_bytes)}的上限")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            raise UnreadableFile("FILE-TOO-LARGE", f"压缩比超过{limits.max_ratio:g}倍")
    # The declared sizes may lie: inflate every member ourselves, never past the budget.
    total = 0
    for info in infos:
        real = _inflated_size(data, info, limits.max_unpacked_bytes - total)
        if real != info.file_size:
            raise UnreadableFile("FILE-UNREADABLE", SIZE_MISMATCH)
        total += real
    if total > limits.max_unpacked_bytes:  # pragma: no cover - caught by the declared sizes
        raise UnreadableFile("FILE-TOO-LARGE",
                             f"解压后超过{_size(limits.max_unpacked_bytes)}的上限")


def _inflated_size(data: bytes, info: zipfile.ZipInfo, budget: int) -> int:
    """The real size of a member's data, inflating at most `budget` + 1 bytes. An XML member is
    scanned on the way for a document type declaration (see `_DTD_MARKS`)."""
    offset = info.header_offset
    if data[offset:offset + 4] != b"PK\x03\x04":
        raise UnreadableFile("FILE-UNREADABLE", DAMAGED)
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise UnreadableFile("FILE-UNREADABLE", DAMAGED)
    scan = _DtdScan() if _is_xml_part(info.filename) else None
    if info.compress_type == zipfile.ZIP_STORED:
        if scan is not None:
            scan.feed(bytes(raw))
        return len(raw)
    inflater = zlib.decompressobj(-15)
    produced = 0
    chunk = 256 * 1024
    try:
        for i in range(0, len(raw), chunk):
            pending: bytes | memoryview = raw[i:i + chunk]
            while pending:
                out = inflater.decompress(pending, 1024 * 1024)
                produced += len(out)
                if produced > budget:
                    raise UnreadableFile("FILE-TOO-LARGE", "解压后超过大小上限，可能是“压缩炸弹”")
                if produced > info.file_size:
                    raise UnreadableFile("FILE-UNREADABLE", SIZE_MISMATCH)
                if scan is not None:
                    scan.feed(out)
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
        tail = inflater.flush()
        produced += len(tail)
        if scan is not None:
            scan.feed(tail)
    except zlib.error as exc:
        raise UnreadableFile("FILE-UNREADABLE", DAMAGED, str(exc)) from None
    return produced


# No workbook written by Excel, WPS or LibreOffice declares a document type: a DTD inside a
# workbook exists only to define entities (an "entity bomb" that expands to gigabytes, or an
# external entity that reads a file of this computer). defusedxml refuses them in our own
# parsing, but calamine and openpyxl parse the sheets too, so such a file is refused here,
# before any parser sees it. UTF-16 parts are scanned in both byte orders.
_DTD_MARKS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY")
                   for enc in ("utf-8", "utf-16-le", "utf-16-be"))
_DTD_OVERLAP = max(len(m) for m in _DTD_MARKS) - 1
_XML_SUFFIXES = (".xml", ".rels", ".vml")
UNSAFE_XML = "工作簿内部的XML含有DTD或实体声明，正常保存的工作簿不会有，可能是恶意构造的文件"


def _is_xml_part(name: str) -> bool:
    return name.lower().endswith(_XML_SUFFIXES)


class _DtdScan:
    """Looks for a DTD across the chunks of one member (a mark may span two chunks)."""

    def __init__(self) -> None:
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        window = self._tail + chunk
        if any(mark in window for mark in _DTD_MARKS):
            raise UnreadableFile("FILE-UNSAFE", UNSAFE_XML)
        self._tail = window[-_DTD_OVERLAP:]


# --------------------------------------------------------------------------------------------
# open_workbook and the reader
# --------------------------------------------------------------------------------------------

def open_workbook(path: str | Path, limits: ReadLimits = ReadLimits()) -> WorkbookReader:
    """Sniff, check and open a returned file; return a `WorkbookReader`.

    Raises `UnreadableFile` (never anything else) when the file is not a workbook we read, is
    over the limits, is password-protected or is broken. The file is never modified.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise _too_big(size, limits)
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile("FILE-UNREADABLE", "无法打开文件", str(exc)) from None
    kind = _sniff_stream(io.BytesIO(data))
    _refuse_kind(kind)
    if kind in ZIP_KINDS:
        _check_zip(data, limits)
    elif kind in ("xls", "et"):
        _check_xls(data, limits)
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
        self._ods: dict[str, _OdsTable] | None = None
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
                self._cache[name] = self._read(name)
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
        last_row, safe = _xlsx_extent(xml, self.limits) if part else (0, False)
        if safe:
            cells, total, _ = self._calamine_cells(name)
        else:
            width = MAX_COLS if _CELL_WITHOUT_REF.search(xml) else _xlsx_columns(xml)
            cells, total = self._openpyxl_cells(name, min(width, MAX_COLS))
            total = max(total, last_row)
        formulas, uncached = _xlsx_formulas(xml)
        merged = _xlsx_merged(xml)
        return RawSheet(cells, total, total > self.limits.max_rows, formulas, merged, uncached)

    def _sheet_part(self, name: str) -> str | None:
        """The zip member holding a sheet's XML, from workbook.xml and its relationships."""
        if self._parts is None:
            self._parts = {}
            try:
                assert self._zip is not None
                workbook = _workbook_part(self._zip)
                rels_name = posixpath.join(posixpath.dirname(workbook), "_rels",
                                           posixpath.basename(workbook) + ".rels")
                rels = DET.fromstring(_read_small(self._zip, rels_name, SMALL_PART))
                targets = {el.get("Id"): el.get("Target", "") for el in rels}
                root = DET.fromstring(_read_small(self._zip, workbook, SMALL_PART))
                for el in root.iter():
                    if _local(el.tag) != "sheet":
                        continue
                    rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
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
            self._ods = _scan_ods(self._zip, self.limits)
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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag.rsplit(":", 1)[-1]


def _workbook_part(zf: zipfile.ZipFile) -> str:
    """The workbook part's name (normally xl/workbook.xml), from the package relationships."""
    try:
        rels = DET.fromstring(_read_small(zf, "_rels/.rels", SMALL_PART))
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
# A <c> start tag whose first attribute is not r="..." (Excel, WPS, LibreOffice and openpyxl all
# write r first; anything else is read by the streaming reader, which places such cells itself).
_CELL_WITHOUT_REF = re.compile(rb'<c(?! r=")[ >/]')
_ROOT_PREFIX = re.compile(rb"<(\w+):worksheet\b")


@lru_cache(maxsize=8)
def _big_ref(digits: int) -> re.Pattern[bytes]:
    """A cell reference with at least `digits` digits in its row number, and what follows it."""
    return re.compile(rb'r="[A-Z]{1,3}(\d{%d,})"[^>]*?(/?)>(</)?' % digits)


def _xlsx_extent(xml: bytes, limits: ReadLimits) -> tuple[int, bool]:
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
    safe = rows * _xlsx_columns(xml) <= max(limits.max_rows, 1000) * CELLS_PER_ROW
    # Cells without an r="" reference are placed one after another: we cannot bound them here.
    if _CELL_WITHOUT_REF.search(xml):
        safe = False
    return last, safe


def _xlsx_columns(xml: bytes) -> int:
    """How many columns the sheet's cell references reach (at least 26: a cheap scan that only
    looks at two- and three-letter columns)."""
    cols = 26
    for m in _WIDE_REF.finditer(xml):
        cols = max(cols, column_index(m.group(1).decode()) + 1)
    return cols


def _xlsx_formulas(xml: bytes) -> tuple[dict[Pos, str], set[Pos]]:
    """Formula cells of a sheet: (row0, col0) → text, and those without a cached value."""
    prefix = _ROOT_PREFIX.search(xml[:2000])
    if prefix:  # <x:worksheet ...>: elements carry a namespace prefix
        return _formulas_full(xml) if b"<" + prefix.group(1) + b":f" in xml else ({}, set())
    if b"<f" not in xml:
        return {}, set()
    try:
        return _formulas_by_fragment(xml)
    except _NeedFullScan:
        return _formulas_full(xml)


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
        where = _split_ref(cell.get("r", ""))
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
        tag = _local(ch.tag)
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


def _formulas_full(xml: bytes) -> tuple[dict[Pos, str], set[Pos]]:
    """The slow, general scan (namespace prefixes, cells without references)."""
    formulas: dict[Pos, str] = {}
    uncached: set[Pos] = set()
    shared: dict[str, str] = {}
    children: list[tuple[Pos, str]] = []
    row0, col0 = -1, -1
    try:
        for event, el in DET.iterparse(io.BytesIO(xml), events=("start", "end")):
            tag = _local(el.tag)
            if event == "start":
                if tag == "row":
                    r = el.get("r")
                    row0 = int(r) - 1 if r and r.isdigit() else row0 + 1
                    col0 = -1
                elif tag == "c":
                    where = _split_ref(el.get("r", ""))
                    if where is not None:
                        row0, col0 = where
                    else:
                        col0 += 1
                continue
            if tag == "c":
                f = next((ch for ch in el if _local(ch.tag) == "f"), None)
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


def _xlsx_merged(xml: bytes) -> list[tuple[int, int, int, int]]:
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
        if _local(el.tag) != "mergeCell":
            continue
        ref = el.get("ref", "")
        a, _, b = ref.partition(":")
        first, last = _split_ref(a), _split_ref(b or a)
        if first and last:
            out.append((min(first[0], last[0]), min(first[1], last[1]),
                        max(first[0], last[0]), max(first[1], last[1])))
    return out


# --------------------------------------------------------------------------------------------
# xls: the OLE2 container and the BIFF records, just enough to bound each sheet's extent
# --------------------------------------------------------------------------------------------

_END_OF_CHAIN = 0xFFFFFFFA  # sector numbers from here up are markers, not sectors


def _ole_stream(data: bytes, wanted: tuple[str, ...]) -> bytes | None:
    """The content of the first stream named in `wanted` in an OLE2 compound file, or None.
    Every chain is bounded by the file (cycles and stray sector numbers end it)."""
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        return None
    size = 1 << struct.unpack_from("<H", data, 30)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 32)[0]
    if size not in (512, 4096) or mini_size != 64:
        return None
    n_fat, first_dir = struct.unpack_from("<II", data, 44)
    cutoff, first_minifat, _, first_difat, n_difat = struct.unpack_from("<IIIII", data, 56)
    per_sector = size // 4
    n_sectors = (len(data) - size) // size

    def sector(i: int) -> bytes:
        return data[(i + 1) * size:(i + 2) * size] if 0 <= i < n_sectors else b""

    difat = list(struct.unpack_from("<109I", data, 76))
    nxt, seen = first_difat, set[int]()
    while nxt < _END_OF_CHAIN and nxt not in seen and len(seen) <= n_difat:
        seen.add(nxt)
        block = sector(nxt)
        if len(block) < size:
            break
        values = struct.unpack_from(f"<{per_sector}I", block)
        difat += values[:-1]
        nxt = values[-1]
    fat: list[int] = []
    for i in difat[:n_fat]:
        block = sector(i) if i < _END_OF_CHAIN else b""
        if len(block) == size:
            fat += struct.unpack_from(f"<{per_sector}I", block)

    def chain(start: int, table: list[int]) -> list[int]:
        out: list[int] = []
        seen_: set[int] = set()
        while start < min(len(table), _END_OF_CHAIN) and start not in seen_:
            seen_.add(start)
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(sector(i) for i in chain(first_dir, fat))
    entries = []
    for off in range(0, len(directory) - 127, 128):
        length = struct.unpack_from("<H", directory, off + 64)[0]
        name = directory[off:off + max(0, min(length, 64) - 2)].decode("utf-16-le", "replace")
        kind = directory[off + 66]
        start, stream_size = struct.unpack_from("<II", directory, off + 116)
        entries.append((name, kind, start, stream_size))
    if not entries:
        return None
    by_name = {entry[0].lower(): entry[1:] for entry in entries}
    for name in wanted:
        found = by_name.get(name.lower())
        if found is None or found[0] != 2:
            continue
        _, start, stream_size = found
        if stream_size >= cutoff:
            return b"".join(sector(i) for i in chain(start, fat))[:stream_size]
        root = entries[0]
        mini_stream = b"".join(sector(i) for i in chain(root[2], fat))
        minifat_bytes = b"".join(sector(i) for i in chain(first_minifat, fat))
        minifat = list(struct.unpack_from(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
        parts = [mini_stream[i * mini_size:(i + 1) * mini_size] for i in chain(start, minifat)]
        return b"".join(parts)[:stream_size]
    return None


# BIFF records that hold a value (calamine ignores BLANK/MULBLANK): row and column come first.
_BIFF_VALUE = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0205, 0x0006}
_BIFF_MULRK, _BIFF_BOF, _BIFF_BOUNDSHEET, _BIFF_FILEPASS = 0x00BD, 0x0809, 0x0085, 0x002F
_BIFF_CELLS = _BIFF_VALUE | {_BIFF_MULRK}


def _xls_extents(data: bytes) -> list[tuple[str, int, int]]:
    """(sheet name, rows, columns) of the rectangle from A1 to each sheet's last value, from the
    BIFF records (a Python loop over records: under 1 ms for a ledger-sized .xls)."""
    stream = _ole_stream(data, ("Workbook", "Book"))
    if not stream:
        return []
    sheets: list[tuple[int, str]] = []  # (offset of the sheet's BOF record, name)
    extents: dict[int, tuple[int, int]] = {}
    current: int | None = None
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        record, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if record == _BIFF_BOF:
            current = pos
            extents.setdefault(pos, (0, 0))
        elif record == _BIFF_FILEPASS:
            raise UnreadableFile("FILE-ENCRYPTED", "文件设置了密码")
        elif record == _BIFF_BOUNDSHEET and length >= 8:
            offset = struct.unpack_from("<I", stream, body)[0]
            cch, flags = stream[body + 6], stream[body + 7]
            raw = stream[body + 8:body + 8 + (2 * cch if flags & 1 else cch)]
            sheets.append((offset, raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")))
        elif current is not None and length >= 4 and record in _BIFF_CELLS:
            row, col = struct.unpack_from("<HH", stream, body)
            if record == _BIFF_MULRK and length >= 6:
                col = struct.unpack_from("<H", stream, body + length - 2)[0]
            rows, cols = extents[current]
            extents[current] = (max(rows, row + 1), max(cols, col + 1))
        pos = body + length
    return [(name, *extents.get(offset, (0, 0))) for offset, name in sheets]


def _check_xls(data: bytes, limits: ReadLimits) -> None:
    """Refuse an .xls whose sheets span more cells than the budget, before calamine (which
    builds every sheet when it opens the file) sees it: a 6 KB .xls with values in A1 and
    IV65536 made it allocate 1 GB. A long but narrow sheet is read and capped as usual."""
    budget = max(limits.max_rows, 1000) * CELLS_PER_ROW
    for name, rows, cols in _xls_extents(data):
        if rows * cols > budget:
            raise UnreadableFile(
                "FILE-TOO-LARGE",
                f"“{name}”工作表的数据区域过大（{rows}行×{cols}列），请删除表格下方和右侧多余的内容后另存为.xlsx")


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
class _OdsTable:
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
        local = _local(ch.tag)
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


def _scan_ods(zf: zipfile.ZipFile, limits: ReadLimits) -> dict[str, _OdsTable]:
    """Every table's extent, formulas and merged ranges, and its first rows' values."""
    tables: dict[str, _OdsTable] = {}
    table: _OdsTable | None = None
    row0 = 0
    col0 = 0
    row_repeat = 1
    row_values: list[Any] = []
    with zf.open("content.xml") as fh:
        for event, el in DET.iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == _t("table"):
                    table = _OdsTable()
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


# --------------------------------------------------------------------------------------------
# document properties
# --------------------------------------------------------------------------------------------

def read_properties(path: str | Path) -> dict[str, str]:
    """The custom document properties, name → text: docProps/custom.xml in xlsx/xlsm, the
    user-defined fields of meta.xml in ods; {} for xls, when absent, or when unreadable."""
    try:
        with open(path, "rb") as fh:
            kind = _sniff_stream(fh)
            if kind not in ZIP_KINDS:
                return {}
            fh.seek(0)
            zf = zipfile.ZipFile(fh)
            if kind == "ods":
                return _ods_properties(zf)
            return _ooxml_properties(zf)
    except Exception:
        return {}


def _ooxml_properties(zf: zipfile.ZipFile) -> dict[str, str]:
    name = "docProps/custom.xml"
    if name not in zf.namelist():
        return {}
    root = DET.fromstring(_read_small(zf, name, SMALL_PART))
    out: dict[str, str] = {}
    for prop in root:
        if _local(prop.tag) != "property" or not prop.get("name"):
            continue
        value = next(iter(prop), None)
        out[prop.get("name")] = (value.text or "") if value is not None else ""
    return out


def _ods_properties(zf: zipfile.ZipFile) -> dict[str, str]:
    if "meta.xml" not in zf.namelist():
        return {}
    root = DET.fromstring(_read_small(zf, "meta.xml", SMALL_PART))
    out: dict[str, str] = {}
    for el in root.iter():
        if _local(el.tag) == "user-defined":
            name = next((v for k, v in el.attrib.items() if _local(k) == "name"), None)
            if name:
                out[name] = el.text or ""
    return out
