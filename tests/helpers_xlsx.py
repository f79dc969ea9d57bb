"""Small workbook and container fixtures for the reading/extract tests (built in tmp, never committed)."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter

from taizhang.workspace.definitions import Ledger

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def new_workbook(path: Path) -> Any:
    """An xlsxwriter workbook that writes every string as text."""
    return xlsxwriter.Workbook(str(path), OPTIONS)


def write_cells(ws: Any, top: int, rows: list[list[Any]], date_format: Any = None) -> None:
    """Write rows of values from 0-based row `top`; None leaves a cell empty."""
    from datetime import date, datetime

    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (date, datetime)):
                ws.write_datetime(top + r, c, value if isinstance(value, datetime)
                                  else datetime(value.year, value.month, value.day), date_format)
            else:
                ws.write(top + r, c, value)


def ledger_sheet(wb: Any, ledger: Ledger, rows: list[dict[str, Any]], *, name: str | None = None,
                 above: int = 1, headers: list[str] | None = None, title: bool = True) -> Any:
    """A ledger sheet laid out like the issued one: a merged title in row 1 (plus `above` - 1
    more rows), the header row, then `rows` (header → value; headers as in `headers`, which
    defaults to the definition's with "*" on required columns)."""
    ws = wb.add_worksheet(name or ledger.sheet)
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    if headers is None:
        headers = [c.header + ("*" if c.required else "") for c in ledger.columns]
    if title:
        ws.merge_range(0, 0, 0, max(len(headers) - 1, 1), f"测试支部  2025年{ledger.sheet}")
    header_row = above
    write_cells(ws, header_row, [headers])
    plain = [h.rstrip("*") for h in headers]
    body = [[row.get(h) for h in plain] for row in rows]
    write_cells(ws, header_row + 1, body, date_format)
    return ws


def cfb(path: Path, streams: list[str] | dict[str, bytes]) -> Path:
    """A minimal OLE2 compound file (512-byte sectors) holding `streams` (name → bytes; a list
    of names makes empty streams): streams under 4096 bytes go to the mini stream, as in real
    files. Enough for sniffing an encrypted OOXML (EncryptionInfo/EncryptedPackage) or an .xls."""
    if isinstance(streams, list):
        streams = {name: b"" for name in streams}
    sector = 512
    free, end, fat_mark = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    body: list[bytes] = [b""]  # sector 0 holds the FAT
    fat: dict[int, int] = {0: fat_mark}

    def alloc(data: bytes) -> int:
        if not data:
            return end
        first = len(body)
        chunks = [data[i:i + sector].ljust(sector, b"\x00") for i in range(0, len(data), sector)]
        for i, chunk in enumerate(chunks):
            body.append(chunk)
            fat[first + i] = first + i + 1 if i + 1 < len(chunks) else end
        return first

    mini, minifat, placed = b"", [], {}
    for name, data in streams.items():
        if data and len(data) < 4096:
            first = len(mini) // 64
            count = -(-len(data) // 64)
            minifat += [first + i + 1 if i + 1 < count else end for i in range(count)]
            mini += data.ljust(count * 64, b"\x00")
            placed[name] = (first, len(data))
        else:
            placed[name] = (alloc(data), len(data))
    mini_start = alloc(mini)
    minifat_start = alloc(struct.pack(f"<{len(minifat)}I", *minifat)) if minifat else end
    entries = bytearray()
    for i, name in enumerate(["Root Entry", *streams]):
        entry = bytearray(128)
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry[0:len(raw)] = raw
        struct.pack_into("<HBB", entry, 64, len(raw), 5 if i == 0 else 2, 1)
        struct.pack_into("<III", entry, 68, free, free, 1 if i == 0 and streams else free)
        start, size = (mini_start, len(mini)) if i == 0 else placed[name]
        struct.pack_into("<II", entry, 116, start, size)
        entries += entry
    first_dir = alloc(bytes(entries))
    assert len(body) <= 128, "one FAT sector only"
    fat_sector = bytearray(b"\xff" * sector)
    for index, nxt in fat.items():
        struct.pack_into("<I", fat_sector, 4 * index, nxt)
    body[0] = bytes(fat_sector)
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 44, 1, first_dir, 0, 4096)  # FAT sectors, directory, -, cutoff
    struct.pack_into("<IIII", header, 60, minifat_start, 1 if minifat else 0, end, 0)  # mini FAT, DIFAT
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0]: the FAT is sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, free)
    path.write_bytes(bytes(header) + b"".join(body))
    return path


def biff_workbook(sheets: dict[str, list[tuple[int, int]]], *, password: bool = False) -> bytes:
    """A BIFF8 Workbook stream: globals (BOUNDSHEETs) then each sheet with a NUMBER record at
    every (row0, col0) given. Only what an extent scan looks at; calamine cannot open it."""
    def record(kind: int, data: bytes = b"") -> bytes:
        return struct.pack("<HH", kind, len(data)) + data

    def bof(dt: int) -> bytes:
        return record(0x0809, struct.pack("<HH", 0x0600, dt) + bytes(12))

    def boundsheet(offset: int, name: str) -> bytes:
        return record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 1) + name.encode("utf-16-le"))

    names = list(sheets)
    globals_len = len(bof(5)) + sum(len(boundsheet(0, n)) for n in names) + len(record(0x000A))
    if password:
        globals_len += len(record(0x002F, bytes(6)))
    bodies = [bof(0x10) + b"".join(record(0x0203, struct.pack("<HHHd", r, c, 15, 1.0)) for r, c in cells)
              + record(0x000A) for cells in sheets.values()]
    offsets, at = [], globals_len
    for b in bodies:
        offsets.append(at)
        at += len(b)
    head = bof(5) + (record(0x002F, bytes(6)) if password else b"")
    head += b"".join(boundsheet(o, n) for o, n in zip(offsets, names)) + record(0x000A)
    return head + b"".join(bodies)


_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')


def ods_cell(value: Any = None, *, formula: str = "", span: tuple[int, int] | None = None, repeat: int = 1) -> str:
    """One <table:table-cell> for `write_ods`."""
    attrs = ""
    body = ""
    if isinstance(value, bool):
        attrs = f' office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
    elif isinstance(value, (int, float)):
        attrs = f' office:value-type="float" office:value="{value}"'
        body = f"<text:p>{value}</text:p>"
    elif value is not None and hasattr(value, "isoformat"):
        attrs = f' office:value-type="date" office:date-value="{value.isoformat()}"'
        body = f"<text:p>{value.isoformat()}</text:p>"
    elif value is not None:
        attrs = ' office:value-type="string"'
        body = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
    if formula:
        attrs += f' table:formula="of:{escape(formula)}"'
    if span:
        attrs += f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
    if repeat > 1:
        attrs += f' table:number-columns-repeated="{repeat}"'
    return f"<table:table-cell{attrs}>{body}</table:table-cell>"


def ods_row(cells: list[str], repeat: int = 1) -> str:
    """One <table:table-row> of cells from `ods_cell` (or plain values)."""
    attr = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    inner = "".join(c if isinstance(c, str) and c.startswith("<table:") else ods_cell(c) for c in cells)
    return f"<table:table-row{attr}>{inner or '<table:table-cell/>'}</table:table-row>"


def write_ods(path: Path, tables: dict[str, list[str]], properties: dict[str, str] | None = None) -> Path:
    """A minimal .ods: tables of rows from `ods_row`, and user-defined properties in meta.xml."""
    body = "".join(f'<table:table table:name="{escape(name)}">{"".join(rows)}</table:table>'
                   for name, rows in tables.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    user = "".join(f'<meta:user-defined meta:name="{escape(k)}">{escape(v)}</meta:user-defined>'
                   for k, v in (properties or {}).items())
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODS_NS} office:version="1.2">'
            f"<office:meta>{user}</office:meta></office:document-meta>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("meta.xml", meta, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def rezip(src: Path, dst: Path, change: dict[str, Callable[[bytes], bytes]] | None = None,
          add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip, passing members named in `change` through a function and adding `add`."""
    change = change or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in change:
                data = change[info.filename](data)
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def zip_bomb(path: Path, megabytes: int = 300, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """An xlsx-shaped zip whose one sheet member inflates to `megabytes` MB of zeros (~1 KB per MB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        with zf.open(member, "w") as fh:
            block = bytes(1 << 20)
            for _ in range(megabytes):
                fh.write(block)
    return path


def set_declared_size(path: Path, member: str, size: int) -> Path:
    """Rewrite a member's uncompressed size in both of its zip headers (a lying archive)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    pos = 0
    while True:
        local = data.find(b"PK\x03\x04", pos)
        if local < 0:
            break
        n = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30:local + 30 + n]) == name:
            struct.pack_into("<I", data, local + 22, size)
        pos = local + 4
    pos = 0
    while True:
        central = data.find(b"PK\x01\x02", pos)
        if central < 0:
            break
        n = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46:central + 46 + n]) == name:
            struct.pack_into("<I", data, central + 24, size)
        pos = central + 4
    path.write_bytes(bytes(data))
    return path
