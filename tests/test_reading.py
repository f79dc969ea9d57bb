"""Reading returned files: sniffing, the archive budget, raw cells, formulas, merges, properties."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from conftest import needs_soffice, soffice
from helpers_xlsx import (
    biff_workbook,
    cfb,
    new_workbook,
    ods_cell,
    ods_row,
    rezip,
    set_declared_size,
    write_cells,
    write_ods,
    zip_bomb,
)

from taizhang import reading
from taizhang.reading import workbook as reading_workbook
from taizhang.reading import xls, xlsx
from taizhang.reading.base import RawSheet, ReadLimits, UnreadableFile
from taizhang.workspace import config

MACRO_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SHEET_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


@pytest.fixture
def simple_xlsx(tmp_path: Path) -> Path:
    """Three sheets (visible, hidden, very hidden), a merge, a cached formula, custom properties."""
    path = tmp_path / "simple.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("数据")
    ws.merge_range(0, 0, 0, 2, "标题")
    write_cells(ws, 1, [["姓名", "人数", "日期"], ["王建国", 3, date(2025, 3, 5)]], wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_formula(3, 1, "=B3*2", None, 6)
    wb.add_worksheet("隐藏").hide()
    meta = wb.add_worksheet("_meta")
    meta.write(0, 0, "branch_code")
    meta.write(0, 1, "001")
    meta.very_hidden()
    wb.set_custom_property("taizhang.branch_code", "001")
    wb.set_custom_property("taizhang.year", "2025")
    wb.close()
    return path


def refused(path: Path, limits: ReadLimits | None = None) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as info:
        reading.open_workbook(path, limits or ReadLimits())
    return info.value


# --- limits ------------------------------------------------------------------------------------

def test_read_limits_defaults_and_settings() -> None:
    assert ReadLimits() == ReadLimits(30 * 2**20, 200 * 2**20, 200, 20000)
    custom = ReadLimits.from_settings(SimpleNamespace(collect={
        "max_file_mb": 5, "max_unpacked_mb": 50, "max_ratio": 100, "max_rows_per_sheet": 300}))
    assert (custom.max_file_bytes, custom.max_unpacked_bytes, custom.max_ratio, custom.max_rows) == (
        5 * 2**20, 50 * 2**20, 100, 300)
    # absent or nonsense values keep the defaults
    assert ReadLimits.from_settings(SimpleNamespace(collect={"max_rows_per_sheet": "many", "max_ratio": -1})) == ReadLimits()
    assert ReadLimits.from_settings(config.defaults(2025)) == ReadLimits()


# --- sniff -------------------------------------------------------------------------------------

def test_sniff_tells_files_by_their_bytes(tmp_path: Path, simple_xlsx: Path) -> None:
    import docx

    as_xls = tmp_path / "really_xlsx.xls"
    as_xls.write_bytes(simple_xlsx.read_bytes())
    xlsm = rezip(simple_xlsx, tmp_path / "macro.xlsx",
                 {"[Content_Types].xml": lambda b: b.replace(SHEET_TYPE, MACRO_TYPE)})
    word = tmp_path / "台账.docx"
    docx.Document().save(str(word))
    renamed = tmp_path / "台账.xlsx"
    renamed.write_bytes(word.read_bytes())
    other_zip = tmp_path / "files.xlsx"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("readme.txt", "hello")
    cases = {
        simple_xlsx: "xlsx", as_xls: "xlsx", xlsm: "xlsm", renamed: "docx", other_zip: "zip",
        write_ods(tmp_path / "a.ods", {"S": [ods_row(["x"])]}): "ods",
        cfb(tmp_path / "enc.xlsx", ["EncryptionInfo", "EncryptedPackage"]): "encrypted",
        cfb(tmp_path / "old.xls", ["Workbook", "\x05SummaryInformation"]): "xls",
        cfb(tmp_path / "word.xls", ["WordDocument"]): "doc",
    }
    texts = {
        "empty.xlsx": (b"", "empty"),
        "data.xlsx": ("姓名,性别\n王建国,男\n".encode("gb18030"), "csv"),
        "notes.xls": ("这是说明文字。\n第二行".encode(), "text"),
        "web.xls": (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "html"),
        "scan.xlsx": (b"%PDF-1.7\n...", "pdf"),
        "photo.xlsx": (b"\xff\xd8\xff\xe0" + bytes(100), "image"),
        "noise.xlsx": (bytes(range(256)) * 4, "unknown"),
        "broken.xlsx": (simple_xlsx.read_bytes()[:2000], "damaged"),
    }
    for name, (data, _) in texts.items():
        (tmp_path / name).write_bytes(data)
    cases.update({tmp_path / name: kind for name, (_, kind) in texts.items()})
    assert {p.name: reading.sniff(p) for p in cases} == {p.name: kind for p, kind in cases.items()}


def test_refusals_name_the_rule_and_a_chinese_reason(tmp_path: Path, simple_xlsx: Path) -> None:
    import docx

    renamed = tmp_path / "台账.xlsx"
    docx.Document().save(str(renamed))
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    csv = tmp_path / "data.xlsx"
    csv.write_text("姓名,性别\n王建国,男\n", encoding="utf-8")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(simple_xlsx.read_bytes()[:3000])
    encrypted = cfb(tmp_path / "pw.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    hollow = cfb(tmp_path / "hollow.xls", ["Workbook"])  # an OLE file calamine opens with no sheets
    got = {p.name: (e.rule_id, e.reason) for p in (renamed, empty, csv, truncated, encrypted, hollow)
           for e in [refused(p)]}
    assert got == {
        "台账.xlsx": ("FILE-NOT-WORKBOOK", "是Word文档"),
        "empty.xlsx": ("FILE-UNREADABLE", "文件是空的（0字节）"),
        "data.xlsx": ("FILE-NOT-WORKBOOK", "是CSV文本文件"),
        "truncated.xlsx": ("FILE-UNREADABLE", "文件已损坏或不完整，可能是没有下载或复制完整"),
        "pw.xlsx": ("FILE-ENCRYPTED", "文件设置了打开密码"),
        "hollow.xls": ("FILE-UNREADABLE", "工作簿中没有任何工作表，文件可能已损坏"),
    }
    missing = refused(tmp_path / "nope.xlsx")
    assert (missing.rule_id, missing.reason) == ("FILE-UNREADABLE", "无法打开文件")


def test_broken_sheet_xml_becomes_unreadable_not_a_traceback(tmp_path: Path, simple_xlsx: Path) -> None:
    broken = rezip(simple_xlsx, tmp_path / "broken.xlsx",
                   {"xl/worksheets/sheet1.xml": lambda b: b[: len(b) // 2]})
    with pytest.raises(UnreadableFile) as info:
        reader = reading.open_workbook(broken)
        reader.rows("数据")
    assert info.value.rule_id == "FILE-UNREADABLE"


# --- the archive budget --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "台账.xlsx", megabytes=300)


def test_zip_bomb_is_refused_before_any_parser(bomb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert bomb.stat().st_size < 2 * 2**20
    opened = []

    class Spy:
        @staticmethod
        def from_filelike(*args: object) -> None:
            opened.append(args)

    monkeypatch.setattr(reading_workbook, "CalamineWorkbook", Spy)
    with pytest.raises(UnreadableFile) as info:
        reading.check_archive(bomb, ReadLimits())
    assert (info.value.rule_id, info.value.reason) == ("FILE-TOO-LARGE", "解压后约300MB，超过200MB的上限")
    with pytest.raises(UnreadableFile) as info:
        reading.check_archive(bomb, ReadLimits(max_unpacked_bytes=10**12))
    assert (info.value.rule_id, info.value.reason) == ("FILE-TOO-LARGE", "压缩比超过200倍")
    assert refused(bomb).rule_id == "FILE-TOO-LARGE"
    assert opened == []


def test_archive_lying_about_sizes_is_caught_by_inflating(tmp_path: Path, simple_xlsx: Path) -> None:
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(simple_xlsx.read_bytes())
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(liar) as zf:
        real = zf.getinfo(member).file_size
    set_declared_size(liar, member, real // 3)
    with pytest.raises(UnreadableFile) as info:
        reading.check_archive(liar)
    assert info.value.rule_id == "FILE-UNREADABLE"
    assert "实际大小与记录不符" in info.value.reason
    reading.check_archive(simple_xlsx)  # the honest original passes


def test_archive_limits_on_members_names_and_size(tmp_path: Path, simple_xlsx: Path) -> None:
    def reason(path: Path, limits: ReadLimits | None = None) -> tuple[str, str]:
        with pytest.raises(UnreadableFile) as info:
            reading.check_archive(path, limits or ReadLimits())
        return info.value.rule_id, info.value.reason

    with zipfile.ZipFile(simple_xlsx) as zf:
        members = len(zf.infolist())
    assert reason(simple_xlsx, ReadLimits(max_members=members - 1)) == (
        "FILE-TOO-LARGE", f"工作簿内部有{members}个文件，超过{members - 1}个的上限")
    assert reason(simple_xlsx, ReadLimits(max_file_bytes=1000)) == (
        "FILE-TOO-LARGE", f"文件大小为{round(simple_xlsx.stat().st_size / 1024)}KB，超过1KB的上限")
    assert reason(simple_xlsx, ReadLimits(max_file_bytes=1024)) == reason(simple_xlsx, ReadLimits(max_file_bytes=1000))
    for bad in ("../../evil.xml", "/etc/evil.xml", "C:/evil.xml", "xl/..\\..\\evil.xml"):
        path = rezip(simple_xlsx, tmp_path / "bad.xlsx", add={bad: b"<x/>"})
        assert reason(path) == ("FILE-UNREADABLE", f"工作簿内部含有不安全的文件路径“{bad}”"), bad


# --- the reader ------------------------------------------------------------------------------------

def test_reader_gives_raw_cells_visibility_merges_and_formulas(simple_xlsx: Path) -> None:
    with reading.open_workbook(simple_xlsx) as reader:
        assert reader.kind == "xlsx"
        assert reader.sheet_names == ["数据", "隐藏", "_meta"]
        assert [reader.visibility(n) for n in reader.sheet_names] == ["visible", "hidden", "veryhidden"]
        sheet = reader.rows("数据")
        assert sheet.cells == [
            ["标题", None, None],
            ["姓名", "人数", "日期"],
            ["王建国", 3.0, date(2025, 3, 5)],
            [None, 6.0, None],
        ]
        assert (sheet.total_rows, sheet.truncated) == (4, False)
        assert sheet.merged == [(0, 0, 0, 2)]
        assert sheet.formulas == {(3, 1): "=B3*2"}
        assert sheet.uncached == set()  # xlsxwriter stored the result 6
        assert reader.rows("_meta").cells == [["branch_code", "001"]]
        with pytest.raises(KeyError):
            reader.rows("不存在")


def test_formula_without_saved_result_is_told_apart_from_an_empty_cell(tmp_path: Path) -> None:
    path = tmp_path / "openpyxl.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    ws["A1"], ws["B1"], ws["C1"] = 1, 2, "=A1+B1"  # openpyxl never stores a result
    ws["C3"] = "=SUM(A1:B1)"
    wb.save(path)
    sheet = reading.open_workbook(path).rows("表")
    assert sheet.cells == [[1.0, 2.0]]  # to calamine the formula cells are simply empty
    assert sheet.formulas == {(0, 2): "=A1+B1", (2, 2): "=SUM(A1:B1)"}
    assert sheet.uncached == {(0, 2), (2, 2)}


def test_shared_and_prefixed_formulas_are_found(tmp_path: Path, simple_xlsx: Path) -> None:
    def shared(xml: bytes) -> bytes:
        row = (b'<row r="6"><c r="A6"><f t="shared" ref="A6:A7" si="0">B6*2</f><v>4</v></c></row>'
               b'<row r="7"><c r="A7"><f t="shared" si="0"/></c></row>')
        return xml.replace(b"</sheetData>", row + b"</sheetData>")

    path = rezip(simple_xlsx, tmp_path / "shared.xlsx", {"xl/worksheets/sheet1.xml": shared})
    sheet = reading.open_workbook(path).rows("数据")
    assert sheet.formulas == {(3, 1): "=B3*2", (5, 0): "=B6*2", (6, 0): "=B6*2"}
    assert sheet.uncached == {(6, 0)}
    # The same through the general scan (used for namespace prefixes, cells without references).
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert xlsx.formulas_full(xml) == (sheet.formulas, sheet.uncached)
    prefixed = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
                b'<x:row r="2"><x:c r="B2"><x:f>A2+1</x:f></x:c></x:row></x:sheetData>'
                b'<x:mergeCells count="1"><x:mergeCell ref="A3:A5"/></x:mergeCells></x:worksheet>')
    assert xlsx.xlsx_formulas(prefixed) == ({(1, 1): "=A2+1"}, {(1, 1)})
    assert xlsx.xlsx_merged(prefixed) == [(2, 0, 4, 0)]


def test_rows_are_capped_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("表")
    write_cells(ws, 0, [[f"第{i}行", i] for i in range(1, 151)])
    wb.close()
    sheet = reading.open_workbook(path, ReadLimits(max_rows=100)).rows("表")
    assert (len(sheet.cells), sheet.total_rows, sheet.truncated) == (100, 150, True)
    assert sheet.cells[99] == ["第100行", 100.0]


def test_a_stray_value_in_the_last_row_does_not_allocate_a_million_rows(tmp_path: Path) -> None:
    path = tmp_path / "stray.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("表")
    write_cells(ws, 0, [["姓名", "人数"], ["王建国", 3]])
    ws.write(1048575, 30, "误输入")
    wb.close()
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert xlsx.xlsx_extent(xml, ReadLimits()) == (1048576, False)  # calamine is not asked
    sheet = reading.open_workbook(path, ReadLimits(max_rows=50)).rows("表")
    assert sheet.cells == [["姓名", "人数"], ["王建国", 3]]
    assert (sheet.total_rows, sheet.truncated) == (1048576, True)
    # styled empty cells far below do not count as data
    styled = (b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
              b'<row r="1048576"><c r="A1048576" s="1"/></row></sheetData>')
    assert xlsx.xlsx_extent(styled, ReadLimits()) == (0, True)


def test_a_reference_in_any_other_form_never_reaches_calamine() -> None:
    """Issue 13 (1): calamine reads r="xfd1048576" too and allocates the rectangle up to it; only
    references in Excel's own form (upper case, first attribute, double quotes) are bounded by the
    cheap scan, anything else is streamed. Large rows are found in any case."""
    def sheet(cell: bytes) -> bytes:
        return b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">' + cell + b'</row></sheetData>'

    for cell in (b'<c r="xfd1048576"><v>1</v></c>', b'<c r="ax1048576"><v>1</v></c>',
                 b"<c r='XFD1048576'><v>1</v></c>", b'<c r = "XFD1048576"><v>1</v></c>',
                 b'<c\tr="XFD1048576"><v>1</v></c>', b'<c r="&#88;FD1048576"><v>1</v></c>',
                 b'<c s="1" r="xfd1048576"><v>1</v></c>', b'<c r="A1" r="xfd1048576"><v>1</v></c>',
                 b'<x:c r="xfd1048576"><x:v>1</x:v></x:c>', b'<c r="Xfd1048576"><v>1</v></c>'):
        assert not xlsx.canonical_refs(sheet(cell)), cell
        assert xlsx.xlsx_extent(sheet(cell), ReadLimits())[1] is False, cell
    assert xlsx.xlsx_extent(sheet(b'<c r="xfd1048576"><v>1</v></c>'), ReadLimits())[0] == 1048576
    assert xlsx.canonical_refs(sheet(b'<c r="XFD1048576" s="2"><v>1</v></c>'))


def test_a_shared_string_table_that_lies_about_its_size_never_reaches_calamine(tmp_path: Path) -> None:
    """Found checking issue 13 on hostile files: <sst uniqueCount="4000000000"> in a 6 KB file made
    calamine ask for 96 GB at open, and the process died."""
    import re

    from taizhang.reading import guard

    path = tmp_path / "sst.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("表")
    write_cells(ws, 0, [["甲"], ["乙"]])
    wb.close()
    items = {i.filename: zipfile.ZipFile(path).read(i) for i in zipfile.ZipFile(path).infolist()}
    guard.check_declared_counts(path.read_bytes())  # an honest table passes
    items["xl/sharedStrings.xml"] = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"',
                                           items["xl/sharedStrings.xml"])
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in items.items():
            zf.writestr(name, body)
    with pytest.raises(UnreadableFile) as caught:
        guard.check_declared_counts(lying.read_bytes())
    assert "共享文字表" in caught.value.reason
    with pytest.raises(UnreadableFile):
        reading.open_workbook(lying)


def test_read_properties_from_xlsx_ods_and_nothing_else(tmp_path: Path, simple_xlsx: Path) -> None:
    assert reading.read_properties(simple_xlsx) == {"taizhang.branch_code": "001", "taizhang.year": "2025"}
    ods = write_ods(tmp_path / "a.ods", {"S": [ods_row(["x"])]}, {"taizhang.branch_code": "002"})
    assert reading.read_properties(ods) == {"taizhang.branch_code": "002"}
    assert reading.read_properties(cfb(tmp_path / "old.xls", ["Workbook"])) == {}
    assert reading.read_properties(tmp_path / "missing.xlsx") == {}
    # an entity bomb in custom.xml is refused by defusedxml: no properties, no hang
    laughs = (b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
              b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">'
              b'<property name="x" fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2"><lpwstr>&b;</lpwstr>'
              b"</property></Properties>")
    bad = rezip(simple_xlsx, tmp_path / "laughs.xlsx", {"docProps/custom.xml": lambda _: laughs})
    assert reading.read_properties(bad) == {}


def test_ods_cells_merges_formulas_and_an_oversized_table(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "a.ods", {
        "表": [
            ods_row(["姓名", "人数"]),
            ods_row([ods_cell(date(2025, 3, 5), span=(2, 1)), ods_cell(6, formula="[.B1]*2")]),
            ods_row(["第一行\n第二行", ods_cell(True)]),
        ],
        "大表": [ods_row(["开头"]), ods_row([None], repeat=999_998), ods_row(["最后"])],
    })
    reader = reading.open_workbook(path, ReadLimits(max_rows=40))
    assert reader.kind == "ods"
    sheet = reader.rows("表")
    assert sheet.cells == [["姓名", "人数"], [date(2025, 3, 5), 6.0], ["第一行\n第二行", True]]
    assert (sheet.formulas, sheet.uncached, sheet.merged) == ({(1, 1): "=[.B1]*2"}, set(), [(1, 0, 2, 0)])
    big = reader.rows("大表")  # read by the streaming scan, not calamine
    assert big.cells[0] == ["开头"] and all(row == [] for row in big.cells[1:])
    assert (len(big.cells), big.total_rows, big.truncated) == (40, 1_000_000, True)


def test_input_file_is_never_modified(simple_xlsx: Path) -> None:
    before = (simple_xlsx.read_bytes(), simple_xlsx.stat().st_mtime_ns)
    reader = reading.open_workbook(simple_xlsx)
    for name in reader.sheet_names:
        reader.rows(name)
    reading.read_properties(simple_xlsx)
    reader.close()
    assert (simple_xlsx.read_bytes(), simple_xlsx.stat().st_mtime_ns) == before


def test_raw_sheet_value_outside_the_read_area_is_none() -> None:
    sheet = RawSheet([["a"], ["b", "c"]])
    assert [sheet.value(0, 0), sheet.value(0, 1), sheet.value(1, 1), sheet.value(5, 0), sheet.value(-1, 0)] == [
        "a", None, "c", None, None]
    assert [reading.column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert [reading.column_index(s) for s in ("A", "Z", "AA", "ZZ", "AAA")] == [0, 25, 26, 701, 702]


def test_datetime_cells_come_back_as_dates(tmp_path: Path) -> None:
    path = tmp_path / "dt.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("表")
    ws.write_datetime(0, 0, datetime(2025, 3, 5, 14, 30), wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}))
    ws.write_number(0, 1, 45721)  # a serial number without a date format stays a number
    wb.close()
    assert reading.open_workbook(path).rows("表").cells == [[datetime(2025, 3, 5, 14, 30), 45721.0]]


# --- xls: the extent is bounded before calamine (which builds every sheet when it opens a file) ---

def test_ole_streams_are_read_from_regular_sectors_and_the_mini_stream(tmp_path: Path) -> None:
    big, small = bytes(range(256)) * 20, "支部".encode() * 30
    data = cfb(tmp_path / "c.bin", {"Workbook": big, "Small": small}).read_bytes()
    assert xls.ole_stream(data, ("Book", "Workbook")) == big
    assert xls.ole_stream(data, ("small",)) == small
    assert xls.ole_stream(data, ("Missing",)) is None
    assert xls.ole_stream(b"not an ole file" * 100, ("Workbook",)) is None


def test_xls_whose_cells_span_too_much_is_refused_before_calamine(tmp_path: Path, monkeypatch) -> None:
    stream = biff_workbook({"党员名册": [(0, 0), (4, 14)], "大表": [(0, 0), (65535, 255)]})
    path = cfb(tmp_path / "bomb.xls", {"Workbook": stream})
    assert path.stat().st_size < 10_000
    assert xls.xls_extents(path.read_bytes()) == [("党员名册", 5, 15), ("大表", 65536, 256)]
    opened = []

    class Spy:
        @staticmethod
        def from_filelike(*args: object) -> None:
            opened.append(args)

    monkeypatch.setattr(reading_workbook, "CalamineWorkbook", Spy)
    error = refused(path)
    assert (error.rule_id, error.reason) == (
        "FILE-TOO-LARGE", "“大表”工作表的数据区域过大（65536行×256列），请删除表格下方和右侧多余的内容后另存为.xlsx")
    assert opened == []
    # long and narrow is fine: it is read and capped like any other sheet
    narrow = cfb(tmp_path / "narrow.xls", {"Workbook": biff_workbook({"长表": [(0, 0), (65535, 3)]})})
    xls.check_xls(narrow.read_bytes(), ReadLimits())
    password = cfb(tmp_path / "pw.xls", {"Workbook": biff_workbook({"表": [(0, 0)]}, password=True)})
    assert (refused(password).rule_id, refused(password).reason) == ("FILE-ENCRYPTED", "文件设置了密码")


@needs_soffice
def test_xls_saved_by_libreoffice_extent_matches_calamine(tmp_path: Path) -> None:
    import subprocess

    from python_calamine import CalamineWorkbook

    normal, stray = tmp_path / "normal.xlsx", tmp_path / "stray.xlsx"
    for path, far in ((normal, False), (stray, True)):
        wb = new_workbook(path)
        ws = wb.add_worksheet("表")
        write_cells(ws, 0, [["姓名", "人数", None, "备注"], ["王建国", 3, None, "=不是公式"]])
        ws.write_formula(3, 1, "=B2*2", None, 6)
        wb.add_worksheet("空表")
        if far:
            ws.write(65535, 200, "误输入")
        wb.close()
    subprocess.run([soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "xls", "--outdir", str(tmp_path / "xls"), str(normal), str(stray)],
                   check=True, capture_output=True, timeout=180)
    path = tmp_path / "xls" / "normal.xls"
    book = CalamineWorkbook.from_path(str(path))
    ends = []
    for name in book.sheet_names:
        end = book.get_sheet_by_name(name).end
        ends.append((name, end[0] + 1, end[1] + 1) if end else (name, 0, 0))
    assert xls.xls_extents(path.read_bytes()) == ends == [("表", 4, 4), ("空表", 0, 0)]
    reader = reading.open_workbook(path)
    assert reader.kind == "xls"
    assert reader.rows("表").cells == [["姓名", "人数", None, "备注"], ["王建国", 3.0, None, "=不是公式"],
                                       [None, None, None, None], [None, 6.0, None, None]]
    assert refused(tmp_path / "xls" / "stray.xls").rule_id == "FILE-TOO-LARGE"
