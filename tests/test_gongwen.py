"""The 公文 format layer: read saved documents back and compare with GB/T 9704-2012."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from taizhang import gongwen

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _saved(doc, tmp_path: Path, name: str = "doc.docx"):
    path = tmp_path / name
    doc.save(str(path))
    return docx.Document(str(path)), path


def _rfonts(style_or_el):
    el = getattr(style_or_el, "element", style_or_el)
    return el.find(f"{W}rPr/{W}rFonts")


def _style_size(style) -> str:
    return style.element.find(f"{W}rPr/{W}sz").get(f"{W}val")


def _png(width: int, height: int) -> bytes:
    buf = BytesIO()
    Image.new("RGB", (width, height), (255, 255, 255)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def doc(tmp_path: Path):
    d = gongwen.new_document()
    gongwen.add_title(d, "关于报送2025年党建工作台账的通知")
    gongwen.add_addressee(d, "各党支部：")
    for level in range(5):
        gongwen.add_paragraph(d, f"第{level}级文字", level=level)
    gongwen.add_signature(d, "中共某某委员会", dt.date(2025, 12, 31))
    saved, _ = _saved(d, tmp_path)
    return saved


def test_page_is_a4_with_gbt9704_margins(doc):
    sect = doc.sections[0]
    pg_sz = sect._sectPr.find(f"{W}pgSz")
    pg_mar = sect._sectPr.find(f"{W}pgMar")
    # 210 × 297 mm; 37/35/28/26 mm margins, in twips (mm × 1440 / 25.4, rounded down).
    assert (pg_sz.get(f"{W}w"), pg_sz.get(f"{W}h")) == ("11906", "16838")
    assert {k: pg_mar.get(f"{W}{k}") for k in ("top", "bottom", "left", "right")} == {
        "top": "2098", "bottom": "1984", "left": "1587", "right": "1474",
    }
    width_mm = (11906 - 1587 - 1474) * 25.4 / 1440
    height_mm = (16838 - 2098 - 1984) * 25.4 / 1440
    assert abs(width_mm - 156) < 0.05 and abs(height_mm - 225) < 0.05


def test_document_grid_is_22_lines_of_28_characters(doc):
    grid = doc.sections[0]._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "linesAndChars"
    pitch = int(grid.get(f"{W}linePitch"))
    char_space = int(grid.get(f"{W}charSpace"))
    assert (pitch, char_space) == (579, -842)
    # 22 lines fit in the 12756-twip text block, 23 do not.
    assert 22 * pitch <= 12756 < 23 * pitch
    # Character pitch = Normal's 16 pt + charSpace/4096: 28 fit in 442.25 pt, 29 do not.
    char_pitch = 16 + char_space / 4096
    assert 28 * char_pitch <= 8845 / 20 < 29 * char_pitch
    # Body lines are exactly one grid line.
    spacing = doc.styles["Normal"].element.find(f"{W}pPr/{W}spacing")
    assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == ("579", "exact")


def test_without_char_grid_28_characters_still_fit(tmp_path):
    d, _ = _saved(gongwen.new_document(char_grid=False), tmp_path)
    grid = d.sections[0]._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "lines" and grid.get(f"{W}charSpace") is None
    spacing = d.styles["Normal"].element.find(f"{W}rPr/{W}spacing")
    advance = 16 + int(spacing.get(f"{W}val")) / 20  # 15.75 pt
    assert 28 * advance <= 8845 / 20 < 29 * advance


@pytest.mark.parametrize(
    ("style", "east_asia", "half_points"),
    [
        ("Normal", "仿宋_GB2312", "32"),
        ("公文标题", "方正小标宋简体", "44"),
        ("一级标题", "黑体", "32"),
        ("二级标题", "楷体_GB2312", "32"),
        ("三级标题", "仿宋_GB2312", "32"),
        ("四级标题", "仿宋_GB2312", "32"),
        ("附件标识", "黑体", "32"),
        ("表格文字", "仿宋_GB2312", "24"),
        ("页码", "宋体", "28"),
        ("公文表格", "仿宋_GB2312", "24"),
    ],
)
def test_styles_set_east_asian_fonts_and_sizes(doc, style, east_asia, half_points):
    s = doc.styles[style]
    fonts = _rfonts(s)
    assert fonts.get(f"{W}eastAsia") == east_asia
    assert fonts.get(f"{W}ascii") in ("Times New Roman", "宋体")
    # Theme attributes would override the explicit names in Word.
    assert not [a for a in fonts.attrib if "Theme" in a or "theme" in a]
    assert _style_size(s) == half_points


def test_document_defaults_are_chinese_fangsong(doc):
    rpr = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert rpr.find(f"{W}rFonts").get(f"{W}eastAsia") == "仿宋_GB2312"
    assert rpr.find(f"{W}lang").get(f"{W}eastAsia") == "zh-CN"


def test_body_and_title_paragraph_layout(doc):
    normal = doc.styles["Normal"].paragraph_format
    assert normal.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    ind = doc.styles["Normal"].element.find(f"{W}pPr/{W}ind")
    assert (ind.get(f"{W}firstLineChars"), ind.get(f"{W}firstLine")) == ("200", "640")
    title = doc.paragraphs[0]
    assert title.style.name == "公文标题"
    assert title.text == "关于报送2025年党建工作台账的通知"
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert doc.paragraphs[1].style.name == "主送机关"


def test_paragraph_levels_use_heading_styles(doc):
    names = [p.style.name for p in doc.paragraphs[2:7]]
    assert names == ["公文正文", "一级标题", "二级标题", "三级标题", "四级标题"]
    assert doc.styles["一级标题"].element.find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") == "0"
    with pytest.raises(ValueError):
        gongwen.add_paragraph(gongwen.new_document(), "x", level=5)


def _footer_info(footer):
    p = footer.paragraphs[0]
    instr = "".join(el.text for el in p._p.iter(f"{W}instrText"))
    kinds = [el.get(f"{W}fldCharType") for el in p._p.iter(f"{W}fldChar")]
    fonts = {(r.find(f"{W}rFonts").get(f"{W}eastAsia"), r.find(f"{W}rFonts").get(f"{W}ascii"),
              r.find(f"{W}sz").get(f"{W}val")) for r in p._p.iter(f"{W}rPr")}
    return p, instr, kinds, fonts


def test_page_numbers_are_dash_page_dash_in_songti_4hao(doc):
    assert doc.settings.odd_and_even_pages_header_footer
    sect = doc.sections[0]
    for footer, align in ((sect.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sect.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p, instr, kinds, fonts = _footer_info(footer)
        assert instr.strip() == "PAGE"
        assert kinds == ["begin", "separate", "end"]
        assert p.text == "— 1 —"  # the cached field result between the dashes
        assert fonts == {("宋体", "宋体", "28")}
        assert p.alignment == align
    # Odd pages one character in from the right, even pages from the left.
    odd_ind = sect.footer.paragraphs[0]._p.find(f"{W}pPr/{W}ind")
    even_ind = sect.even_page_footer.paragraphs[0]._p.find(f"{W}pPr/{W}ind")
    assert odd_ind.get(f"{W}right") == "280" and even_ind.get(f"{W}left") == "280"


def test_signature_places_date_two_characters_right_of_the_body(doc):
    org, date = doc.paragraphs[-2], doc.paragraphs[-1]
    assert (org.text, date.text) == ("中共某某委员会", "2025年12月31日")
    assert org.style.name == date.style.name == "落款"
    assert doc.styles["落款"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # 7 characters each (the date: 8 half-width digits + 年月日): the date is 2 characters in and
    # the body 4, so the date starts 2 characters right of the body's first character.
    rights = [p._p.find(f"{W}pPr/{W}ind").get(f"{W}rightChars") for p in (org, date)]
    assert rights == ["400", "200"]
    assert doc.paragraphs[-3].text == ""  # one blank line above


def test_signature_with_long_body(tmp_path):
    d = gongwen.new_document()
    gongwen.add_signature(d, "中共某某市直机关工作委员会", dt.date(2025, 1, 5))
    d, _ = _saved(d, tmp_path)
    org, date = d.paragraphs[-2:]
    assert date.text == "2025年1月5日"
    # body 13 chars, 2 in → starts 15 from the right; date (6 chars) starts 13 → 7 in.
    assert [p._p.find(f"{W}pPr/{W}ind").get(f"{W}rightChars") for p in (org, date)] == ["200", "700"]


@settings(max_examples=60, deadline=None)
@given(org=st.text(alphabet="中共某市委员会党支部机关第一二三ABC1", min_size=1, max_size=20),
       day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_signature_rule_holds_for_any_body_and_date(org, day):
    d = gongwen.new_document()
    org_p, date_p = gongwen.add_signature(d, org, day)
    r_org = int(org_p._p.find(f"{W}pPr/{W}ind").get(f"{W}rightChars")) / 100
    r_date = int(date_p._p.find(f"{W}pPr/{W}ind").get(f"{W}rightChars")) / 100
    start_org = r_org + gongwen.text_width_chars(org)
    start_date = r_date + gongwen.text_width_chars(date_p.text)
    assert min(r_org, r_date) == pytest.approx(2.0, abs=0.01)
    assert start_org - start_date == pytest.approx(2.0, abs=0.02)


def test_table_layout(tmp_path):
    d = gongwen.new_document()
    gongwen.add_table(
        d, ["支部", "党员数", "党费（元）"],
        [["机关第一党支部", 12, Decimal("3456.5")], ["办公室党支部", "8", "100%"]],
        widths=[76, 40, 40], total_row=["合计", 20, Decimal("3456.50")],
    )
    d, _ = _saved(d, tmp_path)
    table = d.tables[0]
    assert table.style.name == "公文表格"
    borders = d.styles["公文表格"].element.find(f"{W}tblPr/{W}tblBorders")
    assert {b.tag.replace(W, ""): b.get(f"{W}val") for b in borders} == {
        e: "single" for e in ("top", "left", "bottom", "right", "insideH", "insideV")
    }
    header, first, second, total = table.rows
    assert header._tr.find(f"{W}trPr/{W}tblHeader") is not None
    assert first._tr.find(f"{W}trPr/{W}tblHeader") is None
    assert all(r.bold for c in header.cells for r in c.paragraphs[0].runs)
    assert [c.text for c in first.cells] == ["机关第一党支部", "12", "3,456.50"]
    assert [c.paragraphs[0].alignment for c in first.cells] == [
        WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.RIGHT]
    assert [c.paragraphs[0].alignment for c in second.cells][1:] == [WD_ALIGN_PARAGRAPH.RIGHT] * 2
    assert [c.text for c in total.cells] == ["合计", "20", "3,456.50"]
    assert all(r.bold for c in total.cells for r in c.paragraphs[0].runs)
    assert all(c.paragraphs[0].style.name == "表格文字" for row in table.rows for c in row.cells)
    grid = [int(g.get(f"{W}w")) for g in table._tbl.tblGrid.findall(f"{W}gridCol")]
    assert grid == [int(Mm(76).twips), int(Mm(40).twips), int(Mm(40).twips)]


def test_table_rejects_ragged_rows():
    with pytest.raises(ValueError):
        gongwen.add_table(gongwen.new_document(), ["a", "b"], [["1"]])


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""), (True, "是"), (False, "否"), (Decimal("3456.5"), "3,456.50"),
        (Decimal(0), "0.00"), (12, "12"), (dt.date(2025, 3, 5), "2025年3月5日"), ("文字", "文字"),
    ],
)
def test_cell_text(value, text):
    assert gongwen.cell_text(value) == text


def test_picture_is_scaled_to_fit_the_text_block(tmp_path):
    d = gongwen.new_document()
    gongwen.add_picture(d, _png(921, 544), 156)
    gongwen.add_picture(d, _png(100, 400), 156)  # 624 mm tall at full width: must shrink
    gongwen.add_picture(d, _png(300, 100), 500)  # wider than the text block
    d, _ = _saved(d, tmp_path)
    shapes = d.inline_shapes
    assert shapes[0].width == Mm(156)
    assert shapes[1].height <= Mm(225) and shapes[1].width < Mm(156)
    assert shapes[2].width == Mm(156)
    pic_para = d.paragraphs[0]
    assert pic_para.style.name == "图片"
    # The picture paragraph must not have an exact line height (it would crop the image).
    spacing = d.styles["图片"].element.find(f"{W}pPr/{W}spacing")
    assert spacing.get(f"{W}lineRule") == "auto"


def test_run_font_override_sets_east_asia(tmp_path):
    d = gongwen.new_document()
    p = gongwen.add_paragraph(d, "")
    gongwen.set_run_font(p.add_run("（一）"), gongwen.FONT_KAITI, size_pt=16, bold=True)
    d, _ = _saved(d, tmp_path)
    rpr = d.paragraphs[0].runs[0]._r.find(f"{W}rPr")
    assert rpr.find(f"{W}rFonts").get(f"{W}eastAsia") == "楷体_GB2312"
    assert rpr.find(f"{W}sz").get(f"{W}val") == "32"
    # Schema order: rFonts before b before sz.
    tags = [c.tag.replace(W, "") for c in rpr]
    assert tags.index("rFonts") < tags.index("b") < tags.index("sz")


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice and pdftotext are needed for the round trip")
def test_libreoffice_renders_22_lines_a_page(tmp_path):
    d = gongwen.new_document(char_grid=False)
    for i in range(30):
        gongwen.add_paragraph(d, f"第{i + 1}行" + "测" * 20)
    path = tmp_path / "lines.docx"
    d.save(str(path))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    page1 = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(tmp_path / "lines.pdf"), "-"],
                           check=True, capture_output=True, text=True).stdout
    lines = [ln.replace(" ", "") for ln in page1.splitlines() if ln.strip()]
    body = [ln for ln in lines if ln.startswith("第")]
    assert [ln[:4] for ln in body][:1] == ["第1行测"]
    assert len(body) == 22  # 22 lines on the first page
    assert body[-1].startswith("第22行")
    assert lines[-1] == "—1—"
