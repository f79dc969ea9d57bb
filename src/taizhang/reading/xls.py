"""Legacy .xls (OLE2/BIFF): just enough of the container and records to bound each sheet's extent
and to see a password before calamine opens the file."""


from __future__ import annotations

import struct

from taizhang.reading.base import CELLS_PER_ROW, ReadLimits, UnreadableFile
from taizhang.reading.sniff import OLE_MAGIC

# --------------------------------------------------------------------------------------------
# xls: the OLE2 container and the BIFF records, just enough to bound each sheet's extent
# --------------------------------------------------------------------------------------------

_END_OF_CHAIN = 0xFFFFFFFA  # sector numbers from here up are markers, not sectors


def ole_stream(data: bytes, wanted: tuple[str, ...]) -> bytes | None:
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


def xls_extents(data: bytes) -> list[tuple[str, int, int]]:
    """(sheet name, rows, columns) of the rectangle from A1 to each sheet's last value, from the
    BIFF records (a Python loop over records: under 1 ms for a ledger-sized .xls)."""
    stream = ole_stream(data, ("Workbook", "Book"))
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


def check_xls(data: bytes, limits: ReadLimits) -> None:
    """Refuse an .xls whose sheets span more cells than the budget, before calamine (which
    builds every sheet when it opens the file) sees it: a 6 KB .xls with values in A1 and
    IV65536 made it allocate 1 GB. A long but narrow sheet is read and capped as usual."""
    budget = max(limits.max_rows, 1000) * CELLS_PER_ROW
    for name, rows, cols in xls_extents(data):
        if rows * cols > budget:
            raise UnreadableFile(
                "FILE-TOO-LARGE",
                f"“{name}”工作表的数据区域过大（{rows}行×{cols}列），请删除表格下方和右侧多余的内容后另存为.xlsx")
