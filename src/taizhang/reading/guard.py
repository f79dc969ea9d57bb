"""Limits checked before any parser sees a file: the size, every zip member inflated against a
byte budget (zip bombs), and no DTD in any XML part (entity bombs, external entities)."""


from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path

from taizhang.reading.base import (
    DAMAGED,
    MB,
    RATIO_FLOOR,
    SIZE_MISMATCH,
    ReadLimits,
    UnreadableFile,
)

# --------------------------------------------------------------------------------------------
# check_archive
# --------------------------------------------------------------------------------------------

def _size(n: float) -> str:
    """A byte count as people say it: "800KB", "1.5MB", "30MB"."""
    if n < MB:
        return f"{max(n / 1024, 1):.0f}KB"
    value = n / MB
    return f"{value:.0f}MB" if value >= 10 or value.is_integer() else f"{value:.1f}MB"


def too_big(size: int, limits: ReadLimits) -> UnreadableFile:
    return UnreadableFile("FILE-TOO-LARGE",
                          f"文件大小为{_size(size)}，超过{_size(limits.max_file_bytes)}的上限")


_DEFAULT_LIMITS = ReadLimits()


def read_bounded(path: str | Path, limits: ReadLimits = _DEFAULT_LIMITS) -> bytes:
    """The bytes of a returned file, read only after `stat` shows it is within the size limit
    (a 3 GB file is refused without being read). Raises `UnreadableFile` (FILE-TOO-LARGE, or
    FILE-UNREADABLE when it cannot be opened or is not a regular file)."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise UnreadableFile("FILE-UNREADABLE", "无法打开文件", str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile("FILE-UNREADABLE", "不是普通文件（可能是文件夹、设备或管道）")
    if st.st_size > limits.max_file_bytes:
        raise too_big(st.st_size, limits)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)  # a file that grew since stat is cut here
    except OSError as exc:
        raise UnreadableFile("FILE-UNREADABLE", "无法打开文件", str(exc)) from None
    if len(data) > limits.max_file_bytes:
        raise too_big(len(data), limits)
    return data


def check_archive(path: str | Path, limits: ReadLimits = ReadLimits()) -> None:
    """Check a zip-based file against the byte budget before any parser sees it.

    Returns None when the file is within the limits; raises `UnreadableFile` (FILE-TOO-LARGE for
    size, ratio and member count; FILE-UNREADABLE for unsafe member names, a broken or lying
    archive; FILE-UNSAFE for an XML part with a DTD, i.e. entity declarations). Every member is inflated here with zlib, bounded, so a member whose real size
    differs from its declared size is caught too.
    """
    check_zip(read_bounded(path, limits), limits)


def check_zip(data: bytes, limits: ReadLimits) -> None:
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



# calamine reserves room for the shared strings a workbook declares (<sst uniqueCount="...">)
# before reading one: a 6 KB file declaring four billion asked for 96 GB and the process died.
# Every string takes at least a few bytes of the part ("<si/>"), so a count beyond the part's
# size is a lie; such a file is refused before calamine sees it.
_SST_TAG = re.compile(rb'<(?:\w+:)?sst\b[^>]*>')
_SST_COUNT = re.compile(rb'\b(?:uniqueCount|count)\s*=\s*["\']\s*(\d+)')
MIN_STRING_BYTES = 5
SST_HEAD = 64 * 1024
_SST_START = re.compile(rb'<(?:\w+:)?sst\b')


def check_declared_counts(data: bytes) -> None:
    """Refuse (FILE-UNREADABLE) an xlsx whose shared-string table declares more strings than
    its bytes can hold (see `_SST_COUNT`)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:  # check_zip has said what is wrong with the archive
        return
    for info in infos:
        if not info.filename.lower().endswith(".xml"):
            continue
        try:
            with zf.open(info) as member:
                head = member.read(SST_HEAD)
        except Exception:
            continue
        if not _SST_START.search(head):
            continue
        tag = _SST_TAG.search(head)
        if tag is None:  # a start tag longer than any workbook writes: padded to hide the count
            raise UnreadableFile("FILE-UNREADABLE", "工作簿内部的共享文字表格式异常，文件可能被篡改或是恶意构造的")
        for m in _SST_COUNT.finditer(tag.group()):
            if int(m.group(1)) > info.file_size // MIN_STRING_BYTES + 1:
                raise UnreadableFile("FILE-UNREADABLE", "工作簿内部的共享文字表声称的条数远多于它实际能容纳的，"
                                     "文件可能被篡改或是恶意构造的")
