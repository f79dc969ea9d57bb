"""The hostile-returns corpus: every kind of bad, odd or malicious file an office receives.

Each `Case` is a small record: an id, a Chinese description, how to build its file(s) from the
real issued workbooks of a test workspace, and what `taizhang collect` must say about each file
(the outcome, a rule id among its problems, words its message must contain). Nothing here is a
committed binary: every file is made from a workspace by code.

    python tests/corpus.py OUTDIR     # writes OUTDIR/工作区 and every case under OUTDIR/cases/<id>/

Branch roles in every case: 002 (办公室党支部) is the branch whose file is bad; the batch also holds
a good return of 001, and 003 was collected before the batch (its submission must survive).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from returns import SENT, fill_return, write_rows  # noqa: E402

from taizhang.safeio import set_text_cell
from taizhang.signing import META_SHEET, PROPERTY_PREFIX, Identity

ACCEPTED, NEEDS_FIX, UNIDENTIFIED = "已接收", "需修改", "无法识别"
UNREADABLE, NOT_WORKBOOK, DUPLICATE = "无法读取", "不是工作簿", "已收过"
FAILED = {UNIDENTIFIED, UNREADABLE, NOT_WORKBOOK}
BAD = "002"  # the branch whose files the cases are
GOOD = "001"  # a clean return in the same batch
EARLIER = "003"  # collected before the batch
BAD_NAME = "办公室党支部"
# Text cells a branch (or an attacker) may type that a spreadsheet would take for a formula.
FORMULA_TEXTS = [
    "=1+1", "+8613800000000", "-拒不参加", "@SUM(A1:A9)", '=HYPERLINK("http://example.com/x","点这里")',
    "=cmd|' /C calc'!A0", "\t=1+2",
]


@dataclass(frozen=True)
class Expect:
    """What collect must say about one file: `file` is the end of its shown path."""

    file: str
    outcome: str
    rule: str = ""
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """One hostile return (or a few files that belong together)."""

    id: str
    title: str
    build: Callable[["Kit", Path], None]
    expect: tuple[Expect, ...]
    needs: str = ""  # "soffice" when LibreOffice must be installed
    check: Callable[["Kit", Path, dict[str, Any]], None] | None = None  # extra checks after collect


# --------------------------------------------------------------------------------------------
# the kit: a workspace, its issued workbooks, and ways to bend them
# --------------------------------------------------------------------------------------------

@dataclass
class Kit:
    """What cases are built from: a workspace with every branch's workbook issued."""

    ws: Any
    scratch: Path
    cache: dict[Any, bytes] = field(default_factory=dict)  # may be shared by kits of copied workspaces

    def filled(self, code: str = BAD, edit: Callable[[openpyxl.Workbook], None] | None = None,
               key: str = "") -> bytes:
        """A return of `code` filled the way a branch fills it, with `edit` applied (cached by `key`)."""
        cache_key = (code, key)
        if key and cache_key in self.cache:
            return self.cache[cache_key]
        fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=self.scratch)
        os.close(fd)
        data = fill_return(self.ws, code, Path(tmp), edit).read_bytes()
        os.unlink(tmp)
        if key:
            self.cache[cache_key] = data
        return data

    def issued(self, code: str = BAD) -> bytes:
        """The workbook issued to `code`, as it left the office (an empty return)."""
        from returns import issued_path

        return issued_path(self.ws, code).read_bytes()

    def good(self, code: str = BAD) -> bytes:
        """A clean filled return of `code`."""
        return self.filled(code, key="good")

    def converted(self, data: bytes, fmt: str) -> bytes:
        """`data` re-saved by LibreOffice as `fmt` ("xls", "ods", "xlsx")."""
        cache_key = ("soffice", hashlib.sha256(data).hexdigest(), fmt)
        if cache_key not in self.cache:
            self.cache[cache_key] = soffice_convert(data, fmt, self.scratch)
        return self.cache[cache_key]

    def resign(self, wb: openpyxl.Workbook, key: bytes | None = None, **changes: Any) -> None:
        """Change identity fields in `_meta` and the document properties, signing them again with
        `key` (default: the workspace's own key, i.e. an identity this office really issued)."""
        meta = wb[META_SHEET]
        fields = {str(r[0].value): r[1] for r in meta.iter_rows() if r[0].value}
        data = {k: fields[k].value for k in fields if k != "signature"}
        data.update({k: str(v) for k, v in changes.items()})
        identity = Identity.from_mapping(data)
        assert identity is not None
        signature = identity.sign(self.ws.key if key is None else key)
        for k, v in [*identity.items(), ("signature", signature)]:
            set_text_cell(fields[k], v)
        props = wb.custom_doc_props
        for k, v in [*identity.items(), ("signature", signature)]:
            name = PROPERTY_PREFIX + k
            if name in props.names:
                del props[name]
            from openpyxl.packaging.custom import StringProperty

            props.append(StringProperty(name=name, value=v))


def put(folder: Path, name: str, data: bytes, when: float = SENT) -> Path:
    """Write a file into the batch with the file time a branch's mail would give it."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when, when))
    return path


def soffice_binary() -> str | None:
    """LibreOffice, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_convert(data: bytes, fmt: str, scratch: Path) -> bytes:
    """Convert workbook bytes with LibreOffice (headless, its own profile)."""
    work = Path(tempfile.mkdtemp(dir=scratch))
    src = work / "in.xlsx"
    src.write_bytes(data)
    filters = {"xls": "xls:MS Excel 97", "ods": "ods:calc8", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
    out = work / "out"
    subprocess.run([soffice_binary() or "soffice", "--headless", "--norestore",
                    f"-env:UserInstallation=file://{work}/profile", "--convert-to", filters[fmt],
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=240)
    return (out / f"in.{fmt}").read_bytes()


# --------------------------------------------------------------------------------------------
# zip and sheet-XML surgery (test code: the inputs are our own files)
# --------------------------------------------------------------------------------------------

def members(data: bytes) -> dict[str, bytes]:
    """A zip's members in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def make_zip(items: dict[str, bytes], *, stored: tuple[str, ...] = ("mimetype",)) -> bytes:
    """A zip of `items` (deflated, except the names in `stored`)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in items.items():
            zf.writestr(name, body, compress_type=zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def sheet_part(data: bytes, sheet: str) -> str:
    """The member holding `sheet` in an xlsx (from workbook.xml and its relationships)."""
    from xml.etree import ElementTree as ET  # our own files, not a return

    items = members(data)
    rels = ET.fromstring(items["xl/_rels/workbook.xml.rels"])
    targets = {el.get("Id"): el.get("Target", "") for el in rels}
    root = ET.fromstring(items["xl/workbook.xml"])
    for el in root.iter():
        if el.tag.endswith("}sheet") and el.get("name") == sheet:
            rid = next(v for k, v in el.attrib.items() if k.endswith("}id"))
            target = targets[rid]
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(sheet)


def change_member(data: bytes, name: str, fn: Callable[[bytes], bytes]) -> bytes:
    """`data` with member `name` passed through `fn`."""
    items = members(data)
    items[name] = fn(items[name])
    return make_zip(items)


def change_sheet(data: bytes, sheet: str, fn: Callable[[bytes], bytes]) -> bytes:
    """`data` with the XML of `sheet` passed through `fn`."""
    return change_member(data, sheet_part(data, sheet), fn)


def inline_row(r: int, values: list[Any]) -> bytes:
    """One <row> of inline-string and number cells."""
    cells = []
    for c, v in enumerate(values):
        ref = f"{chr(65 + c)}{r}"
        if isinstance(v, (int, float)):
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
    return f'<row r="{r}">{"".join(cells)}</row>'.encode()


def append_rows(xml: bytes, rows: bytes) -> bytes:
    """Sheet XML with `rows` added at the end of <sheetData>."""
    if b"<sheetData/>" in xml:
        return xml.replace(b"<sheetData/>", b"<sheetData>" + rows + b"</sheetData>")
    return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)


def set_cell_xml(xml: bytes, ref: str, cell: str) -> bytes:
    """Sheet XML with the cell `ref` replaced by the XML `cell` (which must exist in that row)."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
    new, n = pattern.subn(cell.encode(), xml, count=1)
    assert n == 1, ref
    return new


def deflate_bomb(megabytes: int, byte: bytes = b" ") -> tuple[bytes, int, int]:
    """(raw deflate data, crc, size) of `megabytes` MB of one byte: a few hundred KB at most."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = byte * (1 << 20)
    crc = 0
    parts = []
    for _ in range(megabytes):
        parts.append(comp.compress(block))
        crc = zlib.crc32(block, crc)
    parts.append(comp.flush())
    return b"".join(parts), crc, megabytes << 20


def zip_with_raw_member(items: dict[str, bytes], name: str, raw: bytes, crc: int, size: int) -> bytes:
    """A zip of `items` plus a member whose deflated bytes are given (the bomb)."""
    buf = io.BytesIO(make_zip(items))
    with zipfile.ZipFile(buf, "a") as zf:
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 8, 10, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        # zipfile cannot take pre-compressed data: write the member by hand.
        zf.fp.seek(zf.start_dir)
        offset = zf.fp.tell()
        encoded = name.encode()
        zf.fp.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0x5000, 0x5C28, crc, len(raw), size,
                                len(encoded), 0) + encoded + raw)
        info.header_offset = offset
        info.CRC, info.compress_size, info.file_size = crc, len(raw), size
        info.create_version = info.extract_version = 20
        zf.start_dir = zf.fp.tell()
        zf.filelist.append(info)
        zf.NameToInfo[name] = info
        zf._didModify = True
    return buf.getvalue()


def set_flag(data: bytes, name: str, bit: int) -> bytes:
    """A zip with a general-purpose flag bit set on member `name` (both headers)."""
    out = bytearray(data)
    encoded = name.encode()
    for sig, name_at, flag_at, len_at in ((b"PK\x03\x04", 30, 6, 26), (b"PK\x01\x02", 46, 8, 28)):
        pos = 0
        while (i := out.find(sig, pos)) >= 0:
            n = struct.unpack_from("<H", out, i + len_at)[0]
            if bytes(out[i + name_at:i + name_at + n]) == encoded:
                struct.pack_into("<H", out, i + flag_at, struct.unpack_from("<H", out, i + flag_at)[0] | bit)
            pos = i + 4
    return bytes(out)


def raw_name_zip(entries: list[tuple[bytes, bytes]]) -> bytes:
    """A zip whose member names are the given raw bytes with no UTF-8 flag (as the Chinese
    edition of Windows writes them: GBK)."""
    placeholders = [f"{i:0{len(raw)}d}".encode() for i, (raw, _) in enumerate(entries)]
    data = make_zip({p.decode(): body for p, (_, body) in zip(placeholders, entries)})
    for p, (raw, _) in zip(placeholders, entries):  # same length: the headers stay valid
        data = data.replace(p, raw)
    return data


# --------------------------------------------------------------------------------------------
# workbook edits (openpyxl, as a branch's Excel would save them)
# --------------------------------------------------------------------------------------------

def _meeting(**overrides: Any) -> dict[str, Any]:
    row = {"日期": date(2025, 3, 5), "会议类型": "支部党员大会", "主题或议题": "学习全国两会精神",
           "主持人或授课人": "王建国", "记录人": "李红", "应到人数": 3, "实到人数": 3}
    row.update(overrides)
    return row


def _header_cell(sheet: Any, header: str) -> Any:
    for cell in sheet[2]:
        if str(cell.value or "").rstrip("*") == header:
            return cell
    raise KeyError(header)


def drop_meta(wb: openpyxl.Workbook) -> None:
    del wb[META_SHEET]


def drop_identity(wb: openpyxl.Workbook) -> None:
    del wb[META_SHEET]
    for name in list(wb.custom_doc_props.names):
        del wb.custom_doc_props[name]


def unhide_and_edit_meta(wb: openpyxl.Workbook) -> None:
    meta = wb[META_SHEET]
    meta.sheet_state = "visible"
    for row in meta.iter_rows():
        if row[0].value == "branch_code":
            set_text_cell(row[1], GOOD)
        if row[0].value == "branch_name":
            set_text_cell(row[1], "机关第一党支部")


def claim_other_branch(wb: openpyxl.Workbook) -> None:
    for row in wb["填表说明"].iter_rows():
        if row[0].value and "支部名称" in str(row[0].value):
            set_text_cell(row[1], "机关第一党支部")


def reorder_columns(wb: openpyxl.Workbook) -> None:
    sheet = wb["三会一课"]
    a, b = _header_cell(sheet, "应到人数"), _header_cell(sheet, "实到人数")
    a.value, b.value = "实到人数*", "应到人数*"
    sheet.cell(3, a.column).value, sheet.cell(3, b.column).value = 2, 3


def rename_column(wb: openpyxl.Workbook) -> None:
    _header_cell(wb["三会一课"], "主持人或授课人").value = "主持人"


def delete_column(wb: openpyxl.Workbook) -> None:
    sheet = wb["组织生活"]
    sheet.delete_cols(_header_cell(sheet, "地点").column)


def rename_sheet(wb: openpyxl.Workbook) -> None:
    wb["党费收缴"].title = "党费"


def delete_sheet(wb: openpyxl.Workbook) -> None:
    del wb["组织生活"]


def extra_sheets(wb: openpyxl.Workbook) -> None:
    notes = wb.create_sheet("我们的说明", 0)
    notes["A1"] = "本表由办公室党支部填写。"
    wb.create_sheet("Sheet1")["B2"] = 123
    copy = wb.copy_worksheet(wb["三会一课"])
    copy.title = "三会一课（草稿）"


def merge_input_rows(wb: openpyxl.Workbook) -> None:
    sheet = wb["三会一课"]
    write_rows(sheet, [_meeting(), _meeting(日期=date(2025, 6, 5), 主题或议题="党纪学习")])
    col = _header_cell(sheet, "主持人或授课人").column
    sheet.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)


def text_formulas(wb: openpyxl.Workbook) -> None:
    sheet = wb["三会一课"]
    write_rows(sheet, [_meeting(日期=date(2025, 3 + i, 5), 主题或议题="x") for i in range(len(FORMULA_TEXTS))])
    col = _header_cell(sheet, "主题或议题").column
    for i, text in enumerate(FORMULA_TEXTS):
        set_text_cell(sheet.cell(3 + i, col), text)
    roster = wb["党员名册"]
    set_text_cell(roster.cell(3, _header_cell(roster, "备注").column), "=HYPERLINK(\"http://example.com\")")


def impossible_dates(wb: openpyxl.Workbook) -> None:
    write_rows(wb["三会一课"], [_meeting(日期="2025-02-30"), _meeting(日期="1900-01-00", 主题或议题="乙")])


def bad_amounts(wb: openpyxl.Workbook) -> None:
    sheet = wb["党费收缴"]
    cols = {str(c.value).rstrip("*"): c.column for c in sheet[2] if c.value}
    sheet.cell(3, cols["3月"]).value = -40
    sheet.cell(4, cols["4月"]).value = 1e12
    sheet.cell(5, cols["月计算基数(元)"]).value = "九千万"


DATE_SPELLINGS = ["2025-3-5", "2025/03/05", "2025.3.5", "2025年3月5日", "20250305", "２０２５－０３－０５",
                  "2025-03-05 00:00", "2025年3月5号"]


def text_dates(wb: openpyxl.Workbook) -> None:
    write_rows(wb["三会一课"], [_meeting(日期=text, 主题或议题=f"会议{i}") for i, text in enumerate(DATE_SPELLINGS)])


def full_width_digits(wb: openpyxl.Workbook) -> None:
    write_rows(wb["三会一课"], [_meeting(应到人数="３", 实到人数="３")])
    sheet = wb["党费收缴"]
    cols = {str(c.value).rstrip("*"): c.column for c in sheet[2] if c.value}
    sheet.cell(3, cols["月计算基数(元)"]).value = "４，０００．００元"
    for m in range(1, 13):
        sheet.cell(3, cols[f"{m}月"]).value = "４０"


CONTROL_MARK = "ZZCTRLZZ"


def control_and_emoji(wb: openpyxl.Workbook) -> None:
    roster = wb["党员名册"]
    name_col = _header_cell(roster, "姓名").column
    roster.cell(2 + 2, name_col).value = f"李{CONTROL_MARK}红"  # control character put in below
    roster.cell(2 + 3, name_col).value = "张强😀"
    sheet = wb["三会一课"]
    write_rows(sheet, [_meeting(主题或议题=f"学习{CONTROL_MARK}贯彻🇨🇳精神\u200b", 记录人="李红")])


def with_control_characters(data: bytes) -> bytes:
    """Replace the marker with the escapes Excel writes for control characters (_x0007_, _x001B_)."""
    items = members(data)
    for name in items:
        if name.endswith(".xml"):
            items[name] = items[name].replace(CONTROL_MARK.encode(), b"_x0007__x001B_[2J")
    return make_zip(items)


def _huge_cells(kit: Kit) -> bytes:
    """Two members whose 姓名 and 备注 hold more than a cell can (openpyxl and Excel would cut the
    text on saving: the XML is written directly, as a program would)."""
    base = kit.good()
    sheet = openpyxl.load_workbook(io.BytesIO(base))["党员名册"]
    name, note = (_header_cell(sheet, h).column_letter for h in ("姓名", "备注"))

    def add(xml: bytes) -> bytes:
        r = max(int(n) for n in re.findall(rb'<row r="(\d+)"', xml)) + 1
        cells = [(name, r, "名" * 40_000), (note, r, "长" * 200_000), (name, r + 1, "王长")]
        rows = {}
        for col, row, text in cells:
            rows.setdefault(row, []).append(f'<c r="{col}{row}" t="inlineStr"><is><t>{text}</t></is></c>')
        return append_rows(xml, "".join(f'<row r="{row}">{"".join(c)}</row>' for row, c in rows.items()).encode())
    return change_sheet(base, "党员名册", add)


def old_template(kit: Kit) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        kit.resign(wb, template_version="2024.1")
        sheet = wb["三会一课"]
        sheet.delete_cols(_header_cell(sheet, "记录人").column)
    return edit


# --------------------------------------------------------------------------------------------
# the cases
# --------------------------------------------------------------------------------------------

def _one(name: str, data_of: Callable[[Kit], bytes]) -> Callable[[Kit, Path], None]:
    def build(kit: Kit, folder: Path) -> None:
        put(folder, name, data_of(kit))
    return build


def _edited(edit: Callable[[openpyxl.Workbook], None], name: str = "办公室党支部台账.xlsx") -> Callable[[Kit, Path], None]:
    return _one(name, lambda kit: kit.filled(BAD, edit))


def _not_zip(kit: Kit) -> bytes:
    rng = random.Random(7)
    return b"\x13\x37" + bytes(rng.getrandbits(8) for _ in range(4096))


def _truncated(kit: Kit) -> bytes:
    data = kit.good()
    return data[: len(data) // 2]


def _bomb_size(kit: Kit) -> bytes:
    raw, crc, size = deflate_bomb(260)
    return zip_with_raw_member(members(kit.good()), "xl/media/image1.png", raw, crc, size)


def _bomb_ratio(kit: Kit) -> bytes:
    raw, crc, size = deflate_bomb(40)
    return zip_with_raw_member(members(kit.good()), "xl/worksheets/sheet99.xml", raw, crc, size)


def _bomb_lying(kit: Kit) -> bytes:
    raw, crc, size = deflate_bomb(150)
    data = zip_with_raw_member(members(kit.good()), "xl/printerSettings/printerSettings1.bin", raw, crc, size)
    out = bytearray(data)
    # declare 1 KB in both headers: only inflating the member shows how big it is
    for sig, size_at, name_at, len_at in ((b"PK\x03\x04", 22, 30, 26), (b"PK\x01\x02", 24, 46, 28)):
        pos = 0
        while (i := out.find(sig, pos)) >= 0:
            n = struct.unpack_from("<H", out, i + len_at)[0]
            if out[i + name_at:i + name_at + n] == b"xl/printerSettings/printerSettings1.bin":
                struct.pack_into("<I", out, i + size_at, 1024)
            pos = i + 4
    return bytes(out)


def _bomb_in_zip(kit: Kit, folder: Path) -> None:
    raw, crc, size = deflate_bomb(300)
    inner = zip_with_raw_member({"说明.txt": "各支部台账".encode()}, "大文件.xlsx", raw, crc, size)
    put(folder, "党总支报送.zip", make_zip({"内层.zip": inner}))


LAUGHS = ('<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">' + "".join(
    f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>")


def _entity_bomb(kit: Kit) -> bytes:
    def poison(xml: bytes) -> bytes:
        head, _, rest = xml.partition(b"?>")
        return head + b"?>" + LAUGHS.encode() + rest.replace(b"<t>", b"<t>&i;", 1)
    # the issued workbook (written by xlsxwriter) has a sharedStrings.xml; openpyxl's saves do not
    return change_member(kit.issued(BAD), "xl/sharedStrings.xml", poison)


def _external_entity(kit: Kit) -> bytes:
    def poison(xml: bytes) -> bytes:
        head, _, rest = xml.partition(b"?>")
        dtd = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        return head + b"?>" + dtd + rest.replace(b"</sheetData>", b'<row r="90"><c r="A90" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>', 1)
    return change_sheet(kit.good(), "党员名册", poison)


def _encrypted_xlsx(kit: Kit) -> bytes:
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:  # the same container, built by hand
        from helpers_xlsx import cfb

        path = kit.scratch / "enc.bin"
        cfb(path, {"EncryptionInfo": b"\x04\x00\x04\x00" + bytes(200), "EncryptedPackage": bytes(5000)})
        return path.read_bytes()
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(kit.good())).encrypt("dangjian2025", out)
    return out.getvalue()


def _encrypted_xls(kit: Kit) -> bytes:
    from helpers_xlsx import biff_workbook, cfb

    path = kit.scratch / "enc.xls"
    cfb(path, {"Workbook": biff_workbook({"党员名册": [(0, 0), (2, 1)]}, password=True)})
    return path.read_bytes()


def _encrypted_ods(kit: Kit) -> bytes:
    rng = random.Random(3)
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="5210"><manifest:'
        'encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" '
        'manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/'
        'xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/><manifest:key-derivation manifest:key-'
        'derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="AAAA"/>'
        "</manifest:encryption-data></manifest:file-entry></manifest:manifest>")
    return make_zip({
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": bytes(rng.getrandbits(8) for _ in range(5216)),
        "META-INF/manifest.xml": manifest.encode(),
    })


def _encrypted_in_zip(kit: Kit, folder: Path) -> None:
    data = make_zip({"办公室党支部台账.xlsx": kit.good()})
    put(folder, "加密的压缩包.zip", set_flag(data, "办公室党支部台账.xlsx", 0x1))


def _docx(kit: Kit) -> bytes:
    import docx

    doc = docx.Document()
    doc.add_paragraph("办公室党支部2025年党建工作总结")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _xlsb(kit: Kit) -> bytes:
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.'
             'binary.macroEnabled.main"/></Types>')
    return make_zip({"[Content_Types].xml": types.encode(), "xl/workbook.bin": bytes(300)})


def _html_xls(kit: Kit) -> bytes:
    return ('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head><body>'
            "<table><tr><td>姓名</td><td>性别</td></tr><tr><td>张三</td><td>男</td></tr></table></body></html>"
            ).encode()


def _xlsm(kit: Kit) -> bytes:
    items = members(kit.good())
    items["[Content_Types].xml"] = items["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    items["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)
    return make_zip(items)


def _formula_cells(cached: bool) -> Callable[[Kit], bytes]:
    def data_of(kit: Kit) -> bytes:
        def edit(wb: openpyxl.Workbook) -> None:
            write_rows(wb["三会一课"], [_meeting(), _meeting(日期=date(2025, 6, 5), 主题或议题="党纪学习")])

        base = kit.filled(BAD, edit, key="two-meetings")
        sheet = openpyxl.load_workbook(io.BytesIO(base))["三会一课"]
        col = _header_cell(sheet, "应到人数").column_letter
        value = "<v>3</v>" if cached else ""
        cell = f'<c r="{col}4"><f>1+2</f>{value}</c>'
        text_col = _header_cell(sheet, "记录人").column_letter
        text = f'<c r="{text_col}4" t="str"><f>"李"&amp;"红"</f><v>李红</v></c>' if cached else \
            f'<c r="{text_col}4" t="str"><f>"李"&amp;"红"</f></c>'
        return change_sheet(base, "三会一课", lambda xml: set_cell_xml(set_cell_xml(xml, f"{col}4", cell),
                                                                       f"{text_col}4", text))
    return data_of


def _many_rows(kit: Kit) -> bytes:
    def add(xml: bytes) -> bytes:
        start = max(int(n) for n in re.findall(rb'<row r="(\d+)"', xml)) + 1
        rows = b"".join(inline_row(r, [r - 2, f"党员{r}", "男", "汉族"]) for r in range(start, 100_006))
        return append_rows(xml, rows)
    return change_sheet(kit.good(), "党员名册", add)


def _claimed_dimension(kit: Kit) -> bytes:
    def claim(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        return append_rows(xml, b'<row r="1048576" s="1" customFormat="1"><c r="A1048576" s="1"/>'
                                b'<c r="XFD1048576" s="1"/></row>')
    return change_sheet(kit.good(), "党员名册", claim)


def _stray_last_row(kit: Kit) -> bytes:
    return change_sheet(kit.good(), "党员名册", lambda xml: append_rows(
        xml, b'<row r="1048576"><c r="B1048576" t="inlineStr"><is><t>x</t></is></c></row>'))


def _wide(kit: Kit) -> bytes:
    return change_sheet(kit.good(), "三会一课", lambda xml: append_rows(
        xml, b'<row r="40"><c r="XFD40" t="inlineStr"><is><t>\xe5\xa4\x87\xe6\xb3\xa8</t></is></c></row>'))


def _control_chars(kit: Kit) -> bytes:
    return with_control_characters(kit.filled(BAD, control_and_emoji, key="control"))


def _same_twice(kit: Kit, folder: Path) -> None:
    data = kit.good()
    put(folder, "办公室党支部台账.xlsx", data)
    put(folder, "办公室党支部台账（再发一次）.xlsx", data)


def _two_of_one_branch(kit: Kit, folder: Path) -> None:
    first = kit.good()

    def more(wb: openpyxl.Workbook) -> None:
        write_rows(wb["三会一课"], [_meeting(), _meeting(日期=date(2025, 6, 5), 主题或议题="党纪学习")])

    second = kit.filled(BAD, more, key="two-meetings")
    # the corrected one sorts first but was sent later: time decides, not the order of the batch
    put(folder, "a_办公室党支部台账（修改后）.xlsx", second, when=SENT + 86400)
    put(folder, "b_办公室党支部台账.xlsx", first, when=SENT)


def _check_two_of_one_branch(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    from taizhang.workspace.store import Store

    with Store.open(kit_store(ws_root)) as store:
        subs = store.submissions(year=2025, branch_code=BAD)
        assert len(subs) == 2, subs
        current = [s for s in subs if s.is_current]
        assert [s.file_name for s in current] == ["a_办公室党支部台账（修改后）.xlsx"]
        assert len(store.load_return(current[0].id).rows("meetings")) == 2


def _zip_in_zip(kit: Kit, folder: Path) -> None:
    inner = make_zip({"办公室党支部/办公室党支部台账.xlsx": kit.good()})
    put(folder, "党总支报送.zip", make_zip({"说明.txt": "第一层".encode(), "下级/内层.zip": inner}))


def _zip_too_deep(kit: Kit, folder: Path) -> None:
    third = make_zip({"办公室党支部台账.xlsx": kit.good()})
    put(folder, "三层.zip", make_zip({"第二层.zip": make_zip({"第三层.zip": third})}))


EVIL_NAMES = ["../../evil.xlsx", "/tmp/evil.xlsx", "C:\\evil.xlsx", "材料/../../../evil.xlsx"]


def _traversal(kit: Kit, folder: Path) -> None:
    items = {name: kit.good() for name in EVIL_NAMES}
    items["办公室党支部台账.xlsx"] = kit.good()
    put(folder, "路径不安全.zip", make_zip(items))


def _check_traversal(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    top = ws_root.parent
    stray = [p for p in top.rglob("evil.xlsx")] + list(Path("/tmp").glob("evil.xlsx"))
    assert stray == [], stray


def _gbk_names(kit: Kit, folder: Path) -> None:
    def nameless(wb: openpyxl.Workbook) -> None:  # no identity: the file name has to tell the branch
        drop_identity(wb)
        for row in wb["填表说明"].iter_rows():
            if row[0].value and "支部名称" in str(row[0].value):
                row[1].value = None

    data = kit.filled(BAD, nameless, key="nameless")
    put(folder, "Windows压缩.zip", raw_name_zip([("材料/办公室党支部台账.xlsx".encode("gbk"), data)]))


# Rich markup and a terminal escape sequence: shown as typed, never styling or driving the terminal
ODD_NAME = "办公室[red]党支部[bold]\x1b[31m台账😀.xlsx"


def _odd_file_name(kit: Kit, folder: Path) -> None:
    put(folder, ODD_NAME, kit.good())


def _check_odd_file_name(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    shown = [f["file"] for f in data["files"] if f["branch_code"] == BAD]
    assert [Path(f).name for f in shown] == [ODD_NAME]


HOSTILE_BRANCHES = [
    {"code": "004", "name": "../../x"},
    {"code": "005", "name": "CON"},
    {"code": "006", "name": '/\\:*?"<>|'},
    {"code": "007", "name": "第七\x07党支部😀"},
    {"code": "008", "name": "中共某某省某某市某某区某某街道某某社区某某小区某某楼栋某某单元" * 3 + "党支部"},
    {"code": "../009", "name": "[/]党支部[bold]"},
]


def _hostile_branch_names(kit: Kit, folder: Path) -> None:
    from conftest import BRANCHES

    from taizhang.workspace import branches

    branches.write_template(kit.ws.branches_path, BRANCHES + HOSTILE_BRANCHES)
    for b in HOSTILE_BRANCHES:
        code = b["code"]

        def slip(wb: openpyxl.Workbook) -> None:  # one warning each, so that feedback is written
            write_rows(wb["三会一课"], [_meeting(实到人数=1)])

        put(folder, f"{re.sub(r'[^0-9]', '', code)}.xlsx", kit.filled(code, slip))


def _check_hostile_branch_names(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    produced = [Path(f["feedback"]) for f in data["files"] if f.get("feedback")]
    assert len(produced) >= len(HOSTILE_BRANCHES), produced
    for path in produced:
        assert path.parent == ws_root / "feedback", path
        assert path.is_file() and len(path.name.encode()) <= 255
    outbox = list((ws_root / "outbox").iterdir())
    assert all(p.parent == ws_root / "outbox" for p in outbox)
    assert not (ws_root.parent / "x").exists() and not list(ws_root.parent.glob("*x_*"))


def kit_store(ws_root: Path) -> Path:
    return ws_root / ".taizhang" / "store.sqlite3"


def _check_text_formulas(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    from taizhang.workspace.store import Store

    with Store.open(kit_store(ws_root)) as store:
        sub = store.current(2025)[BAD]
        topics = [r.values["topic"] for r in store.load_return(sub.id).rows("meetings")]
    assert topics == [t.strip() for t in FORMULA_TEXTS], topics


def _check_control(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    from taizhang.workspace.store import Store

    with Store.open(kit_store(ws_root)) as store:
        sub = store.current(2025)[BAD]
        ret = store.load_return(sub.id)
    names = [r.values["name"] for r in ret.rows("roster")]
    assert "李[2J红" in names and "张强😀" in names, names
    topic = ret.rows("meetings")[0].values["topic"]
    assert topic == "学习[2J贯彻🇨🇳精神", topic
    assert not any(ch in "\x07\x1b" for r in ret.rows("roster") for ch in str(r.values["name"]))


def _check_huge_cells(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    from taizhang.workspace.store import Store

    with Store.open(kit_store(ws_root)) as store:
        rows = store.load_return(store.current(2025)[BAD].id).rows("roster")
    huge = next(r for r in rows if r.values["name"] and r.values["name"].startswith("名名"))
    assert huge.values["name"] == "名" * 32767 and huge.values["note"] == "长" * 32767


def _check_many_rows(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    bad = next(f for f in data["files"] if f["branch_code"] == BAD)
    assert 3 < bad["rows"]["党员名册"] <= 20000 - 2, bad["rows"]


CASES: list[Case] = [
    Case("not-a-zip", "随机字节，扩展名是.xlsx", _one("办公室党支部台账.xlsx", _not_zip),
         (Expect("办公室党支部台账.xlsx", NOT_WORKBOOK, "FILE-NOT-WORKBOOK", ("不是Excel工作簿",)),)),
    Case("empty-file", "0字节的文件", _one("办公室党支部台账.xlsx", lambda kit: b""),
         (Expect("办公室党支部台账.xlsx", UNREADABLE, "FILE-UNREADABLE", ("空的",)),)),
    Case("truncated-zip", "只下载了一半的工作簿", _one("办公室党支部台账.xlsx", _truncated),
         (Expect("办公室党支部台账.xlsx", UNREADABLE, "FILE-UNREADABLE", ("不完整",)),)),
    Case("zip-bomb-size", "压缩炸弹：解压后260MB", _one("办公室党支部台账.xlsx", _bomb_size),
         (Expect("办公室党支部台账.xlsx", UNREADABLE, "FILE-TOO-LARGE", ("解压后", "上限")),)),
    Case("zip-bomb-ratio", "压缩炸弹：压缩比上千倍", _one("办公室党支部台账.xlsx", _bomb_ratio),
         (Expect("办公室党支部台账.xlsx", UNREADABLE, "FILE-TOO-LARGE", ("压缩比",)),)),
    Case("zip-bomb-lying", "压缩炸弹：记录的大小是假的", _one("办公室党支部台账.xlsx", _bomb_lying),
         (Expect("办公室党支部台账.xlsx", UNREADABLE, "FILE-UNREADABLE", ("实际大小与记录不符",)),)),
    Case("zip-bomb-in-zip", "压缩包里套着压缩炸弹", _bomb_in_zip,
         (Expect("党总支报送.zip/内层.zip", UNREADABLE, "FILE-TOO-LARGE", ("解压后",)),)),
    Case("xml-entity-bomb", "sharedStrings.xml里的实体炸弹（billion laughs）", _one("办公室党支部台账.xlsx", _entity_bomb),
         (Expect("办公室党支部台账.xlsx", UNREADABLE, "FILE-UNSAFE", ("不安全",)),)),
    Case("xml-external-entity", "工作表XML里引用外部实体（XXE）", _one("办公室党支部台账.xlsx", _external_entity),
         (Expect("办公室党支部台账.xlsx", UNREADABLE, "FILE-UNSAFE", ("不安全",)),)),
    Case("encrypted-xlsx", "设置了打开密码的工作簿", _one("办公室党支部台账.xlsx", _encrypted_xlsx),
         (Expect("办公室党支部台账.xlsx", UNREADABLE, "FILE-ENCRYPTED", ("密码",)),)),
    Case("encrypted-xls", "设置了密码的.xls", _one("办公室党支部台账.xls", _encrypted_xls),
         (Expect("办公室党支部台账.xls", UNREADABLE, "FILE-ENCRYPTED", ("密码",)),)),
    Case("encrypted-ods", "设置了密码的.ods", _one("办公室党支部台账.ods", _encrypted_ods),
         (Expect("办公室党支部台账.ods", UNREADABLE, "FILE-ENCRYPTED", ("密码",)),)),
    Case("encrypted-zip-member", "压缩包内的文件设置了密码", _encrypted_in_zip,
         (Expect("加密的压缩包.zip/办公室党支部台账.xlsx", UNREADABLE, "FILE-ENCRYPTED", ("密码",)),)),
    Case("csv-renamed", "改了扩展名的CSV", _one("办公室党支部台账.xlsx", lambda kit: "姓名,性别\n张三,男\n".encode("gbk")),
         (Expect("办公室党支部台账.xlsx", NOT_WORKBOOK, "FILE-NOT-WORKBOOK", ("CSV",)),)),
    Case("docx-renamed", "改了扩展名的Word文档", _one("办公室党支部台账.xlsx", _docx),
         (Expect("办公室党支部台账.xlsx", NOT_WORKBOOK, "FILE-NOT-WORKBOOK", ("Word",)),)),
    Case("html-as-xls", "网上系统导出的“.xls”（其实是网页）", _one("办公室党支部台账.xls", _html_xls),
         (Expect("办公室党支部台账.xls", NOT_WORKBOOK, "FILE-NOT-WORKBOOK", ("网页",)),)),
    Case("xlsb", "Excel二进制工作簿（.xlsb）改名为.xlsx", _one("办公室党支部台账.xlsx", _xlsb),
         (Expect("办公室党支部台账.xlsx", UNREADABLE, "FILE-UNREADABLE", (".xlsb",)),)),
    Case("et-renamed", "WPS的.et（与.xls同一种格式）改名为.xlsx",
         _one("办公室党支部台账.xlsx", lambda kit: kit.converted(kit.good(), "xls")),
         (Expect("办公室党支部台账.xlsx", ACCEPTED),), needs="soffice"),
    Case("legacy-xls", "另存为Excel 97-2003格式（.xls）", _one("办公室党支部台账.xls", lambda kit: kit.converted(kit.good(), "xls")),
         (Expect("办公室党支部台账.xls", ACCEPTED),), needs="soffice"),
    Case("ods", "用LibreOffice另存为.ods", _one("办公室党支部台账.ods", lambda kit: kit.converted(kit.good(), "ods")),
         (Expect("办公室党支部台账.ods", ACCEPTED),), needs="soffice"),
    Case("xlsm-with-macros", "带宏的工作簿（宏不会运行）", _one("办公室党支部台账.xlsm", _xlsm),
         (Expect("办公室党支部台账.xlsm", ACCEPTED),)),
    Case("meta-deleted", "删除了_meta工作表（文档属性还在）", _edited(drop_meta),
         (Expect("办公室党支部台账.xlsx", ACCEPTED),)),
    Case("identity-deleted", "删除了_meta工作表和文档属性", _edited(drop_identity),
         (Expect("办公室党支部台账.xlsx", ACCEPTED, "ID-UNVERIFIED", ("来源无法核实",)),)),
    Case("meta-edited", "取消隐藏_meta并改成别的支部", _edited(unhide_and_edit_meta),
         (Expect("办公室党支部台账.xlsx", UNIDENTIFIED, "ID-SIGNATURE", ("身份信息已被改动",)),)),
    Case("signature-forged", "用别的密钥伪造的签名",
         _one("办公室党支部台账.xlsx", lambda kit: kit.filled(BAD, lambda wb: kit.resign(
             wb, key=b"k" * 32, branch_code=GOOD, branch_name="机关第一党支部"))),
         (Expect("办公室党支部台账.xlsx", UNIDENTIFIED, "ID-SIGNATURE", ("不是本单位下发",)),)),
    Case("other-branch", "别的支部的工作簿，只改了填表说明上的支部名称", _edited(claim_other_branch),
         (Expect("办公室党支部台账.xlsx", UNIDENTIFIED, "ID-WRONG-BRANCH", ("机关第一党支部", BAD_NAME)),)),
    Case("other-year", "上一年度的台账", _one("办公室党支部台账.xlsx", lambda kit: kit.filled(
        BAD, lambda wb: kit.resign(wb, year=2024))),
         (Expect("办公室党支部台账.xlsx", UNIDENTIFIED, "ID-WRONG-YEAR", ("2024年度",)),)),
    Case("old-template", "旧版模板（缺少后来增加的列）", _one("办公室党支部台账.xlsx", lambda kit: kit.filled(BAD, old_template(kit))),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "ID-OLD-TEMPLATE", ("2024.1",)),
          Expect("办公室党支部台账.xlsx", NEEDS_FIX, "COLUMN-MISSING", ("记录人",)))),
    Case("columns-reordered", "调换了列的顺序", _edited(reorder_columns),
         (Expect("办公室党支部台账.xlsx", ACCEPTED),)),
    Case("column-renamed", "改了列名", _edited(rename_column),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "COLUMN-MISSING", ("主持人或授课人",)),)),
    Case("column-deleted", "删除了一列", _edited(delete_column),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "COLUMN-MISSING", ("地点",)),)),
    Case("sheet-renamed", "改了工作表名称", _edited(rename_sheet),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "SHEET-MISSING", ("党费收缴",)),)),
    Case("sheet-deleted", "删除了一个工作表", _edited(delete_sheet),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "SHEET-MISSING", ("组织生活",)),)),
    Case("extra-sheets", "多加了几个工作表", _edited(extra_sheets),
         (Expect("办公室党支部台账.xlsx", ACCEPTED),)),
    Case("merged-input-rows", "输入区合并了单元格", _edited(merge_input_rows),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "SHEET-MERGED", ("合并单元格",)),
          Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-REQUIRED", ("主持人或授课人",)))),
    Case("formulas-cached", "公式（保存了计算结果）", _one("办公室党支部台账.xlsx", _formula_cells(True)),
         (Expect("办公室党支部台账.xlsx", ACCEPTED),)),
    Case("formulas-uncached", "公式（没有计算结果）", _one("办公室党支部台账.xlsx", _formula_cells(False)),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-FORMULA", ("=1+2",)),)),
    Case("text-like-formulas", "以=、+、-、@开头的文字，=HYPERLINK(...)、=cmd|...", _edited(text_formulas),
         (Expect("办公室党支部台账.xlsx", ACCEPTED),), check=_check_text_formulas),
    Case("rows-100k", "党员名册有10万行", _one("办公室党支部台账.xlsx", _many_rows),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "SHEET-TOO-MANY-ROWS", ("100005", "20000")),), check=_check_many_rows),
    Case("dimension-1048576", "工作表范围声称有1048576行（整列设置了格式）", _one("办公室党支部台账.xlsx", _claimed_dimension),
         (Expect("办公室党支部台账.xlsx", ACCEPTED),)),
    Case("stray-last-row", "第1048576行误输入了一个字", _one("办公室党支部台账.xlsx", _stray_last_row),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "SHEET-TOO-MANY-ROWS", ("1048576",)),)),
    Case("wide-sheet", "XFD列（第16384列）有内容", _one("办公室党支部台账.xlsx", _wide),
         (Expect("办公室党支部台账.xlsx", ACCEPTED),)),
    Case("huge-cells", "单元格里有20万个字（超过Excel的上限32767）", _one("办公室党支部台账.xlsx", _huge_cells),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-TOO-LONG", ("200000", "32767")),
          Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-TOO-LONG", ("40000",))), check=_check_huge_cells),
    Case("impossible-dates", "不存在的日期（2025-02-30、1900-01-00）", _edited(impossible_dates),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-TYPE", ("2025-02-30",)),
          Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-TYPE", ("1900-01-00",)))),
    Case("bad-amounts", "负数、天文数字和汉字金额", _edited(bad_amounts),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-NEGATIVE", ("-40",)),
          Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-RANGE", ("1000000000000", "合理范围")),
          Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-TYPE", ("九千万",)))),
    Case("text-dates", "各种写法的文字日期", _edited(text_dates),
         (Expect("办公室党支部台账.xlsx", ACCEPTED, "CELL-READ-HINT", ("2025年3月5日",)),)),
    Case("full-width-digits", "全角数字", _edited(full_width_digits),
         (Expect("办公室党支部台账.xlsx", ACCEPTED, "CELL-READ-HINT"),)),
    Case("control-chars-emoji", "姓名和议题中有控制字符和表情符号", _one("办公室党支部台账.xlsx", _control_chars),
         (Expect("办公室党支部台账.xlsx", ACCEPTED),), check=_check_control),
    Case("hostile-branch-names", "支部名单中的名称像路径、设备名或含非法字符", _hostile_branch_names,
         tuple(Expect(f"{re.sub(r'[^0-9]', '', b['code'])}.xlsx", NEEDS_FIX, "MEET-QUORUM") for b in HOSTILE_BRANCHES),
         check=_check_hostile_branch_names),
    Case("same-return-twice", "同一个文件发了两次", _same_twice,
         (Expect("办公室党支部台账.xlsx", ACCEPTED),
          Expect("办公室党支部台账（再发一次）.xlsx", DUPLICATE, "FILE-DUPLICATE", ("内容完全相同",)))),
    Case("two-returns-one-branch", "同一支部的两份台账（后发的为准，两份都保留）", _two_of_one_branch,
         (Expect("a_办公室党支部台账（修改后）.xlsx", ACCEPTED), Expect("b_办公室党支部台账.xlsx", ACCEPTED)),
         check=_check_two_of_one_branch),
    Case("zip-in-zip", "压缩包里套压缩包", _zip_in_zip,
         (Expect("党总支报送.zip/下级/内层.zip/办公室党支部/办公室党支部台账.xlsx", ACCEPTED),
          Expect("党总支报送.zip/说明.txt", NOT_WORKBOOK, "FILE-NOT-WORKBOOK"))),
    Case("zip-too-deep", "压缩包套了三层", _zip_too_deep,
         (Expect("三层.zip/第二层.zip/第三层.zip", UNREADABLE, "FILE-ZIP-UNSAFE", ("层数",)),)),
    Case("zip-path-traversal", "压缩包内的路径指向包外（../../evil.xlsx）", _traversal,
         (*(Expect(f"路径不安全.zip/{name}", UNREADABLE, "FILE-ZIP-UNSAFE", ("压缩包以外",)) for name in EVIL_NAMES),
          Expect("路径不安全.zip/办公室党支部台账.xlsx", ACCEPTED)), check=_check_traversal),
    Case("zip-gbk-names", "中文Windows打的压缩包（文件名是GBK编码）", _gbk_names,
         (Expect("Windows压缩.zip/材料/办公室党支部台账.xlsx", ACCEPTED, "ID-UNVERIFIED", ("按文件名",)),)),
    Case("odd-file-name", "文件名里有方括号、终端控制字符和表情符号", _odd_file_name,
         (Expect(ODD_NAME, ACCEPTED),), check=_check_odd_file_name),
]



# ============================================================================================
# Issue 13, bad input second round (groups 1-5, 9, 10, part of 11). Each case failed before the
# fix: a crash, a figure that took a wrong value, or a message that was missing.
# ============================================================================================

def _set_cells(wb: openpyxl.Workbook, sheet_name: str, values: dict[tuple[int, str], Any]) -> None:
    """Set cells by (row, header) on a sheet whose header is in row 2."""
    sheet = wb[sheet_name]
    cols = {str(c.value).rstrip("*"): c.column for c in sheet[2] if c.value}
    for (row, header), value in values.items():
        sheet.cell(row, cols[header]).value = value


def _far_cell(ref: str) -> Callable[[Kit], bytes]:
    """A return with one text cell at `ref` (any spelling) in the last row of 党员名册."""
    def build(kit: Kit) -> bytes:
        row = f'<row r="1048576"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
        return change_sheet(kit.good(), "党员名册", lambda xml: append_rows(xml, row))
    return build


MANY_BAD_ROWS = 16000


def _many_bad_cells(kit: Kit) -> bytes:
    """党员名册 with 16,000 rows of five bad cells each (80,000 problems before the cap)."""
    def add(xml: bytes) -> bytes:
        start = max(int(n) for n in re.findall(rb'<row r="(\d+)"', xml)) + 1
        rows = b"".join(inline_row(r, [r - 2, f"党员{r}", "未知", "汉族", "不详", "大学", "某年", "某月", "正式",
                                       "在职", "", "", "正常"]) for r in range(start, start + MANY_BAD_ROWS))
        return append_rows(xml, rows)
    return change_sheet(kit.good(), "党员名册", add)


def _check_one_cap(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    bad = next(f for f in data["files"] if f["branch_code"] == BAD)
    limit = 500
    assert len(bad["problems"]) == limit + 1, len(bad["problems"])
    caps = [p for p in bad["problems"] if p["rule_id"] == "PROBLEM-CAP"]
    assert len(caps) == 1 and "只列出最严重的500条" in caps[0]["message"]
    total = int(re.search(r"共有(\d+)条", caps[0]["message"]).group(1))
    assert total >= 5 * MANY_BAD_ROWS, total
    assert all(p["severity"] == "错误" for p in bad["problems"][:-1])
    feedback = Path(bad["feedback"])
    assert feedback.stat().st_size < 2_000_000, feedback.stat().st_size  # 5 MB before: a sheet of problems


def too_large_sparse(kit: Kit, folder: Path, size: int = 40 * 1024 ** 2) -> Path:
    """A file over the 30 MB limit (sparse: it costs no disk), to be refused without being read
    (tests/test_bad_input_13.py makes a 3 GB one and measures the memory)."""
    path = folder / "办公室党支部台账.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(kit.good()[:4096])
        fh.truncate(size)
    os.utime(path, (SENT, SENT))
    return path


EARLIER_NAME = "离退休干部党支部"
STRANGERS = [{"姓名": n, "性别": "男", "出生日期": date(1980, 1, 1), "入党日期": date(2005, 7, 1),
              "转正日期": date(2006, 7, 1), "党员类别": "正式党员", "人员类别": "在职"}
             for n in ("刘一", "陈二", "杨三", "黄四")]


def _as_earlier(wb: openpyxl.Workbook) -> None:
    """填表说明 says 003 (the branch collected before the batch)."""
    for row in wb["填表说明"].iter_rows():
        if row[0].value and "支部名称" in str(row[0].value):
            set_text_cell(row[1], EARLIER_NAME)


def _impersonate_unverified(wb: openpyxl.Workbook) -> None:
    """(4a) no _meta, no properties, another branch's name on 填表说明."""
    drop_identity(wb)
    _as_earlier(wb)


def _copied_identity(kit: Kit) -> bytes:
    """(4b) 003's _meta and properties copied into 002's workbook, 填表说明 renamed, 002's members."""
    source = openpyxl.load_workbook(io.BytesIO(kit.issued(EARLIER)))
    meta = {str(r[0].value): r[1].value for r in source[META_SHEET].iter_rows() if r[0].value}
    props = {name: source.custom_doc_props[name].value for name in source.custom_doc_props.names}

    def copy(wb: openpyxl.Workbook) -> None:
        for row in wb[META_SHEET].iter_rows():
            if row[0].value in meta:
                set_text_cell(row[1], meta[row[0].value])
        from openpyxl.packaging.custom import StringProperty

        for name, value in props.items():
            if name in wb.custom_doc_props.names:
                del wb.custom_doc_props[name]
            wb.custom_doc_props.append(StringProperty(name=name, value=value))
        _as_earlier(wb)
        write_rows(wb["党员名册"], STRANGERS)

    return kit.filled(BAD, copy)


def _check_earlier_kept(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    """003's return collected before the batch is still its current one."""
    from taizhang.workspace.store import Store

    with Store.open(kit_store(ws_root)) as store:
        subs = store.submissions(year=2025, branch_code=EARLIER)
        assert len(subs) == 2, subs
        assert [s.is_current for s in subs] == [True, False], subs


def _from_2099(kit: Kit, folder: Path) -> None:
    put(folder, "办公室党支部台账.xlsx", kit.good(), when=datetime(2099, 1, 1, 8).timestamp())


def _check_2099(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    from taizhang.workspace.store import Store

    with Store.open(kit_store(ws_root)) as store:
        [sub] = store.submissions(year=2025, branch_code=BAD)
    assert sub.submitted_at <= "2026-01-10T23:59:59", sub.submitted_at


def _hidden_ledger(wb: openpyxl.Workbook) -> None:
    """(10) A hidden sheet named exactly 三会一课 with 65 meetings; the visible one is "三会一课 "."""
    visible = wb["三会一课"]
    write_rows(visible, [_meeting(日期=date(2025, m, 5), 主题或议题=f"第{m}次") for m in range(1, 6)])
    hidden = wb.copy_worksheet(visible)
    write_rows(hidden, [_meeting(日期=date(2025, 1 + i % 12, 1 + i // 12), 主题或议题=f"隐藏{i}") for i in range(65)])
    visible.title = "三会一课 "
    hidden.title = "三会一课"
    hidden.sheet_state = "hidden"


def _check_hidden_ledger(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    from taizhang.workspace.store import Store

    with Store.open(kit_store(ws_root)) as store:
        topics = [r.values["topic"] for r in store.load_return(store.current(2025)[BAD].id).rows("meetings")]
    assert topics == [f"第{m}次" for m in range(1, 6)], topics


def _hidden_in_inbox(kit: Kit, folder: Path) -> None:
    """(11) A return saved as a hidden file, and an Office lock file (noise, skipped silently)."""
    put(folder, ".办公室党支部台账.xlsx", kit.good())
    put(folder, "~$办公室党支部台账.xlsx", b"\x00" * 165)
    put(folder, "打包.zip", make_zip({"材料/.副本.xlsx": kit.good(), "材料/~$副本.xlsx": b"\x00" * 165}))


def _check_hidden_said(kit: Kit, ws_root: Path, data: dict[str, Any]) -> None:
    said = [w for w in data["warnings"] if w["rule_id"] == "FILE-HIDDEN"]
    assert len(said) == 2 and ".办公室党支部台账.xlsx" in said[0]["message"], data["warnings"]
    assert "打包.zip/材料/.副本.xlsx" in said[1]["message"], said
    assert not any("~$" in f["file"] for f in data["files"])


BIDI_NAME = "办公室党支部台账\u202exslx.exe"


def _bidi_text(wb: openpyxl.Workbook) -> None:
    write_rows(wb["三会一课"], [_meeting(主题或议题="学习\u202e党章\u2066精神\u2069", 日期="2025年3月5号")])


def _bidi_case(kit: Kit, folder: Path) -> None:
    put(folder, BIDI_NAME, kit.filled(BAD, _bidi_text))


def _odd_dates(wb: openpyxl.Workbook) -> None:
    sheet = wb["三会一课"]
    cols = {str(c.value).rstrip("*"): c.column for c in sheet[2] if c.value}
    for row, value in ((3, -1), (4, 60), (5, "9999-01-01")):
        for header, v in _meeting(日期=value).items():
            cell = sheet.cell(row, cols[header])
            cell.value = v
        sheet.cell(row, cols["日期"]).number_format = "yyyy-mm-dd"


CASES += [
    Case("lowercase-ref-xfd", "单元格引用写成小写（r=\"xfd1048576\"），以前会让程序申请512GB内存后崩溃",
         _one("办公室党支部台账.xlsx", _far_cell("xfd1048576")),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "SHEET-TOO-MANY-ROWS", ("1048576", "20000")),)),
    Case("lowercase-ref-ax", "单元格引用写成小写（r=\"ax1048576\"），以前要占用1.7GB内存",
         _one("办公室党支部台账.xlsx", _far_cell("ax1048576")),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "SHEET-TOO-MANY-ROWS", ("1048576",)),)),
    Case("money-1e26", "党费金额填了1e26（以前汇总、统计、报告都会崩溃）", _edited(lambda wb: _set_cells(wb, "党费收缴", {(4, "4月"): 1e26})),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-RANGE", ("不计入任何统计",)),)),
    Case("problems-80k", "1.6万行、8万个错误单元格（问题条数的上限以前不管读取时发现的问题）",
         _one("办公室党支部台账.xlsx", _many_bad_cells),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "PROBLEM-CAP", ("只列出最严重的500条",)),), check=_check_one_cap),
    Case("impersonate-unverified", "删除身份信息、填表说明写成已报送过的另一个支部（以前会顶替该支部签名核实过的台账）",
         _edited(_impersonate_unverified),
         (Expect("办公室党支部台账.xlsx", ACCEPTED, "RETURN-HELD", ("没有可核实的身份签名", "--accept")),
          Expect("办公室党支部台账.xlsx", ACCEPTED, "ID-UNVERIFIED", (EARLIER_NAME,))), check=_check_earlier_kept),
    Case("impersonate-copied-meta", "复制另一个支部的_meta和文档属性、改填表说明（以前作为该支部签名核实的台账接收）",
         _one("办公室党支部台账.xlsx", _copied_identity),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "ID-CONTENT", (EARLIER_NAME, "只有0人")),), check=_check_earlier_kept),
    Case("hidden-ledger-sheet", "隐藏的“三会一课”（65次会议）和能看到的“三会一课 ”（名称末尾有空格，5次会议）",
         _edited(_hidden_ledger),
         (Expect("办公室党支部台账.xlsx", ACCEPTED, "SHEET-HIDDEN", ("隐藏的“三会一课”", "没有读取")),
          Expect("办公室党支部台账.xlsx", ACCEPTED, "SHEET-NAME", ("“三会一课 ”",))), check=_check_hidden_ledger),
    Case("hidden-file-in-inbox", "以“.”开头的隐藏文件（以前不声不响地跳过）和Office的锁定文件~$…", _hidden_in_inbox,
         (), check=_check_hidden_said),
    Case("bidi-file-name", "文件名和议题里有从右到左的控制字符（U+202E）", _bidi_case,
         (Expect(BIDI_NAME, ACCEPTED, "CELL-READ-HINT"),)),
    Case("odd-date-numbers", "日期格式的单元格里是-1、60（Excel显示1900-02-29）和文字9999-01-01", _edited(_odd_dates),
         (Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-TYPE", ("-1", "####")),
          Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-TYPE", ("1900年2月29日", "并不存在")),
          Expect("办公室党支部台账.xlsx", NEEDS_FIX, "CELL-TYPE", ("年份9999超出了合理范围",)))),
    Case("file-from-2099", "文件修改时间是2099年（以前会一直作为当前台账，后来的更正不起作用）", _from_2099,
         (Expect("办公室党支部台账.xlsx", ACCEPTED, "FILE-TIME", ("2099年1月1日", "晚于这次收集的时间")),), check=_check_2099),
    Case("too-large", "40MB的文件（以前先整个读进内存再检查大小，3GB的文件会让程序因内存不足而退出）", too_large_sparse,
         (Expect("办公室党支部台账.xlsx", UNREADABLE, "FILE-TOO-LARGE", ("40MB", "30MB")),)),
]

def case(case_id: str) -> Case:
    """The case with this id."""
    return next(c for c in CASES if c.id == case_id)


def main(argv: list[str]) -> int:
    """Write the corpus for a person to look at: OUTDIR/工作区 and OUTDIR/cases/<id>/…"""
    if len(argv) != 2:
        print("usage: python tests/corpus.py OUTDIR", file=sys.stderr)
        return 2
    from conftest import make_workspace

    from taizhang.issue import issue_workspace

    out = Path(argv[1]).resolve()
    if out.exists() and any(out.iterdir()):
        print(f"{out} is not empty", file=sys.stderr)
        return 2
    ws = make_workspace(out / "工作区")
    issue_workspace(ws)
    scratch = out / ".scratch"
    scratch.mkdir(parents=True)
    kit = Kit(ws, scratch)
    lines = []
    for c in CASES:
        if c.needs == "soffice" and soffice_binary() is None:
            lines.append(f"{c.id}\t（跳过：没有安装LibreOffice）\t{c.title}")
            continue
        folder = out / "cases" / c.id
        folder.mkdir(parents=True)
        c.build(kit, folder)
        said = "；".join(f"{e.file}：{e.outcome}" + (f" {e.rule}" if e.rule else "") for e in c.expect)
        lines.append(f"{c.id}\t{c.title}\t{said}")
    shutil.rmtree(scratch)
    (out / "清单.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} cases in {out / 'cases'}; the workspace they belong to: {ws.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
