"""GB/T 9704-2012 (党政机关公文格式) layout for python-docx documents.

`new_document()` returns a document whose page, document grid and style sheet follow the standard;
the helpers add titles, body paragraphs, headings, tables, pictures and the signature using those
named styles, so a user who edits the result in Word or WPS keeps the format.

Numbers used below (A4, margins rounded to whole twips as Word stores them):
- page 210 × 297 mm = 11906 × 16838 twips; top 37 mm = 2098, bottom 35 mm = 1984,
  left 28 mm = 1587, right 26 mm = 1474 → text block 8845 × 12756 twips (156 × 225 mm);
- 22 lines: line pitch = floor(12756 / 22) = 579 twips = 28.95 pt (580 would leave room for 21);
- 28 characters of 3号 (16 pt): pitch = 8845 / 20 / 28 = 15.795 pt, so the grid's charSpace is
  floor((15.795 − 16) × 4096) = −842 (ECMA-376 17.6.5: 4096ths of a point added to the Normal
  style's font size).

Font names are the official ones (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体, 宋体), which is
what users' Word has; they are always written as ``w:eastAsia`` in ``w:rFonts`` (theme font
attributes are removed because they would take precedence). A machine without those fonts
(e.g. LibreOffice on Linux) substitutes its own CJK font when rendering; the file is unchanged.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image as DocxImage
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

# --- page geometry (twips) -------------------------------------------------------------------
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 156, 225
HEADER_DISTANCE_MM = 15
# The page number's dash sits about 7 mm below the text block (GB/T 9704 7.5): a 14 pt line whose
# bottom is 25 mm above the page edge has its middle ≈ 27.5 mm up, i.e. ≈ 7.5 mm below 35 mm.
FOOTER_DISTANCE_MM = 25

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BODY_SIZE_PT = 16  # 3号
TITLE_SIZE_PT = 22  # 2号
PAGE_NUMBER_SIZE_PT = 14  # 4号
TABLE_SIZE_PT = 12  # 小四


def _twips(mm: float) -> int:
    return int(Mm(mm).twips)


TEXT_HEIGHT_TWIPS = _twips(PAGE_HEIGHT_MM) - _twips(MARGIN_TOP_MM) - _twips(MARGIN_BOTTOM_MM)
TEXT_WIDTH_TWIPS = _twips(PAGE_WIDTH_MM) - _twips(MARGIN_LEFT_MM) - _twips(MARGIN_RIGHT_MM)
LINE_PITCH_TWIPS = TEXT_HEIGHT_TWIPS // LINES_PER_PAGE  # 579 = 28.95 pt
CHAR_SPACE = math.floor((TEXT_WIDTH_TWIPS / 20 / CHARS_PER_LINE - BODY_SIZE_PT) * 4096)  # -842
CHAR_TWIPS = BODY_SIZE_PT * 20  # one 3号 character, for indents given in twips
NO_GRID_CHAR_SPACING = -5  # twentieths of a point (−0.25 pt), used only without a character grid

# --- fonts and style names -------------------------------------------------------------------
FONT_FANGSONG = "仿宋_GB2312"
FONT_HEITI = "黑体"
FONT_KAITI = "楷体_GB2312"
FONT_XIAOBIAOSONG = "方正小标宋简体"
FONT_SONGTI = "宋体"
FONT_LATIN = "Times New Roman"

STYLE_BODY = "公文正文"
STYLE_TITLE = "公文标题"
STYLE_ADDRESSEE = "主送机关"
STYLE_HEADINGS = {1: "一级标题", 2: "二级标题", 3: "三级标题", 4: "四级标题"}
STYLE_SIGNATURE = "落款"
STYLE_BYLINE = "署名"
STYLE_ATTACHMENT = "附件标识"
STYLE_TABLE = "公文表格"
STYLE_TABLE_TEXT = "表格文字"
STYLE_FIGURE = "图片"
STYLE_PAGE_NUMBER = "页码"

_STYLE_IDS = {
    STYLE_BODY: "GongwenBody",
    STYLE_TITLE: "GongwenTitle",
    STYLE_ADDRESSEE: "GongwenAddressee",
    STYLE_HEADINGS[1]: "GongwenHeading1",
    STYLE_HEADINGS[2]: "GongwenHeading2",
    STYLE_HEADINGS[3]: "GongwenHeading3",
    STYLE_HEADINGS[4]: "GongwenHeading4",
    STYLE_SIGNATURE: "GongwenSignature",
    STYLE_BYLINE: "GongwenByline",
    STYLE_ATTACHMENT: "GongwenAttachment",
    STYLE_TABLE: "GongwenTable",
    STYLE_TABLE_TEXT: "GongwenTableText",
    STYLE_FIGURE: "GongwenFigure",
    STYLE_PAGE_NUMBER: "GongwenPageNumber",
}

_NUMBER_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*(%|‰|元|万元|人|次|个|名|项|篇|天)?$")


# --- low-level XML helpers -------------------------------------------------------------------
def _set_rfonts(rpr: Any, east_asia: str, latin: str | None = None) -> None:
    """Set w:rFonts on an rPr: eastAsia plus ascii/hAnsi/cs, dropping theme attributes."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    latin = latin or FONT_LATIN
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)
    # Quotation marks, dashes and ellipses take the East Asian font, as in Chinese Word templates.
    rfonts.set(qn("w:hint"), "eastAsia")


def _set_size(rpr: Any, size_pt: float) -> None:
    half_points = str(round(size_pt * 2))
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), half_points)
    _reorder(rpr)


# rPr children must follow the schema order (Word rejects files otherwise).
_RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
    "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath",
]
_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange",
]


def _reorder(parent: Any) -> None:
    order = _RPR_ORDER if parent.tag == qn("w:rPr") else _PPR_ORDER
    rank = {qn("w:" + name): i for i, name in enumerate(order)}
    children = list(parent)
    children.sort(key=lambda el: rank.get(el.tag, len(rank)))
    for el in children:
        parent.append(el)


def _ppr_child(ppr: Any, tag: str) -> Any:
    el = ppr.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        ppr.append(el)
        _reorder(ppr)
    return el


def _set_on(ppr_or_rpr: Any, tag: str, on: bool) -> None:
    el = ppr_or_rpr.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        ppr_or_rpr.append(el)
    el.set(qn("w:val"), "1" if on else "0")
    _reorder(ppr_or_rpr)


def _set_spacing(ppr: Any, *, line: int | None, exact: bool, before: int = 0, after: int = 0,
                 after_lines: int | None = None) -> None:
    sp = _ppr_child(ppr, "w:spacing")
    for attr in list(sp.attrib):
        del sp.attrib[attr]
    sp.set(qn("w:before"), str(before))
    sp.set(qn("w:after"), str(after))
    if after_lines is not None:
        sp.set(qn("w:afterLines"), str(after_lines))
    if line is not None:
        sp.set(qn("w:line"), str(line))
        sp.set(qn("w:lineRule"), "exact" if exact else "auto")


def _set_ind(ppr: Any, *, first_chars: int = 0, left_chars: int = 0, right_chars: int = 0,
             char_twips: int = CHAR_TWIPS) -> None:
    """Indents in hundredths of a character (Word's *Chars attributes) with twips beside them."""
    ind = _ppr_child(ppr, "w:ind")
    for attr in list(ind.attrib):
        del ind.attrib[attr]
    ind.set(qn("w:left"), str(left_chars * char_twips // 100))
    ind.set(qn("w:leftChars"), str(left_chars))
    ind.set(qn("w:right"), str(right_chars * char_twips // 100))
    ind.set(qn("w:rightChars"), str(right_chars))
    ind.set(qn("w:firstLine"), str(first_chars * char_twips // 100))
    ind.set(qn("w:firstLineChars"), str(first_chars))


def _set_jc(ppr: Any, value: str) -> None:
    _ppr_child(ppr, "w:jc").set(qn("w:val"), value)


def set_run_font(run: Run, east_asia: str, latin: str | None = None, *, size_pt: float | None = None,
                 bold: bool | None = None) -> Run:
    """Override a run's fonts (w:eastAsia and the Latin slots), size and weight; return the run."""
    rpr = run._r.get_or_add_rPr()
    _set_rfonts(rpr, east_asia, latin)
    if size_pt is not None:
        _set_size(rpr, size_pt)
    if bold is not None:
        run.bold = bold
    _reorder(rpr)
    return run


# --- styles ----------------------------------------------------------------------------------
def _paragraph_style(doc: Document, name: str, *, base: str | None = "Normal") -> Any:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = _STYLE_IDS[name]
    if base:
        style.base_style = doc.styles[base]
    style.quick_style = True
    style.hidden = False
    style.unhide_when_used = False
    return style


def _style_fonts(style: Any, east_asia: str, size_pt: float, latin: str | None = None) -> None:
    rpr = style.element.get_or_add_rPr()
    _set_rfonts(rpr, east_asia, latin)
    _set_size(rpr, size_pt)


def _define_styles(doc: Document, *, char_grid: bool) -> None:
    styles_el = doc.styles.element
    # Document defaults: 仿宋_GB2312 3号, Chinese language; no theme fonts.
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_rfonts(rpr, FONT_FANGSONG)
    _set_size(rpr, BODY_SIZE_PT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _set_spacing(ppr, line=LINE_PITCH_TWIPS, exact=True)

    normal = doc.styles["Normal"]
    _style_fonts(normal, FONT_FANGSONG, BODY_SIZE_PT)
    if not char_grid:
        # Without a character grid, 28 characters fit only if each is 0.25 pt narrower than 16 pt
        # (28 × 15.75 = 441 pt ≤ 442.25 pt; 29 would need 456.75 pt).
        rpr = normal.element.get_or_add_rPr()
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(NO_GRID_CHAR_SPACING))
        rpr.append(spacing)
        _reorder(rpr)
    ppr = normal.element.get_or_add_pPr()
    _set_spacing(ppr, line=LINE_PITCH_TWIPS, exact=True)
    _set_ind(ppr, first_chars=200)
    _set_jc(ppr, "both")

    body = _paragraph_style(doc, STYLE_BODY)
    body.element.get_or_add_pPr()

    title = _paragraph_style(doc, STYLE_TITLE)
    _style_fonts(title, FONT_XIAOBIAOSONG, TITLE_SIZE_PT)
    ppr = title.element.get_or_add_pPr()
    # A 22 pt character would snap to two 15.8 pt grid cells; the title keeps its own spacing.
    _set_on(ppr, "w:snapToGrid", False)
    _set_spacing(ppr, line=LINE_PITCH_TWIPS, exact=True, after=LINE_PITCH_TWIPS, after_lines=100)
    _set_ind(ppr)
    _set_jc(ppr, "center")
    _set_on(ppr, "w:keepNext", True)

    addressee = _paragraph_style(doc, STYLE_ADDRESSEE)
    ppr = addressee.element.get_or_add_pPr()
    _set_ind(ppr)
    _set_jc(ppr, "left")

    for level, font in ((1, FONT_HEITI), (2, FONT_KAITI), (3, FONT_FANGSONG), (4, FONT_FANGSONG)):
        st = _paragraph_style(doc, STYLE_HEADINGS[level])
        _style_fonts(st, font, BODY_SIZE_PT)
        ppr = st.element.get_or_add_pPr()
        if level <= 2:
            _set_on(ppr, "w:keepNext", True)
            _ppr_child(ppr, "w:outlineLvl").set(qn("w:val"), str(level - 1))

    signature = _paragraph_style(doc, STYLE_SIGNATURE)
    ppr = signature.element.get_or_add_pPr()
    _set_ind(ppr, right_chars=200)
    _set_jc(ppr, "right")

    # The name under the title of a 述职报告 (centred, 楷体_GB2312, one blank line after it).
    byline = _paragraph_style(doc, STYLE_BYLINE)
    _style_fonts(byline, FONT_KAITI, BODY_SIZE_PT)
    ppr = byline.element.get_or_add_pPr()
    _set_spacing(ppr, line=LINE_PITCH_TWIPS, exact=True, after=LINE_PITCH_TWIPS, after_lines=100)
    _set_ind(ppr)
    _set_jc(ppr, "center")

    attachment = _paragraph_style(doc, STYLE_ATTACHMENT)
    _style_fonts(attachment, FONT_HEITI, BODY_SIZE_PT)
    ppr = attachment.element.get_or_add_pPr()
    _set_ind(ppr)
    _set_jc(ppr, "left")

    table_text = _paragraph_style(doc, STYLE_TABLE_TEXT)
    _style_fonts(table_text, FONT_FANGSONG, TABLE_SIZE_PT)
    ppr = table_text.element.get_or_add_pPr()
    _set_on(ppr, "w:snapToGrid", False)
    _set_spacing(ppr, line=240, exact=False, before=30, after=30)
    _set_ind(ppr)
    _set_jc(ppr, "center")

    figure = _paragraph_style(doc, STYLE_FIGURE)
    ppr = figure.element.get_or_add_pPr()
    # An exact line height would crop an inline picture to one line.
    _set_on(ppr, "w:snapToGrid", False)
    _set_spacing(ppr, line=240, exact=False)
    _set_ind(ppr)
    _set_jc(ppr, "center")
    _set_on(ppr, "w:keepNext", True)

    page_number = _paragraph_style(doc, STYLE_PAGE_NUMBER)
    _style_fonts(page_number, FONT_SONGTI, PAGE_NUMBER_SIZE_PT, latin=FONT_SONGTI)
    ppr = page_number.element.get_or_add_pPr()
    _set_on(ppr, "w:snapToGrid", False)
    _set_spacing(ppr, line=240, exact=False)
    _set_ind(ppr)

    table = doc.styles.add_style(STYLE_TABLE, WD_STYLE_TYPE.TABLE)
    table.style_id = _STYLE_IDS[STYLE_TABLE]
    table.base_style = doc.styles["Normal Table"]
    table.quick_style = True
    table.hidden = False
    table.unhide_when_used = False
    _style_fonts(table, FONT_FANGSONG, TABLE_SIZE_PT)
    tbl_pr = table.element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        table.element.find(qn("w:rPr")).addnext(tbl_pr)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    tbl_pr.append(jc)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    tbl_pr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge, width in (("left", 85), ("right", 85)):
        m = OxmlElement(f"w:{edge}")
        m.set(qn("w:w"), str(width))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.append(margins)


# --- page setup and page numbers -------------------------------------------------------------
def _page_number_paragraph(paragraph: Paragraph, *, odd: bool) -> None:
    """Fill a footer paragraph with "— PAGE —" (odd pages right, even pages left, one char in)."""
    paragraph.style = STYLE_PAGE_NUMBER
    ppr = paragraph._p.get_or_add_pPr()
    one_char = PAGE_NUMBER_SIZE_PT * 20
    if odd:
        _set_ind(ppr, right_chars=100, char_twips=one_char)
        _set_jc(ppr, "right")
    else:
        _set_ind(ppr, left_chars=100, char_twips=one_char)
        _set_jc(ppr, "left")

    def run(text: str | None = None) -> Any:
        r = paragraph.add_run(text)
        set_run_font(r, FONT_SONGTI, FONT_SONGTI, size_pt=PAGE_NUMBER_SIZE_PT)
        return r._r

    run("— ")
    begin = run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "begin")
    begin.append(fld)
    instr_r = run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instr_r.append(instr)
    sep_r = run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    sep_r.append(sep)
    run("1")
    end_r = run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    end_r.append(end)
    run(" —")


def _setup_section(doc: Document, *, char_grid: bool) -> None:
    section = doc.sections[0]
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(HEADER_DISTANCE_MM)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    section.gutter = Twips(0)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    grid.set(qn("w:type"), "linesAndChars" if char_grid else "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    if char_grid:
        grid.set(qn("w:charSpace"), str(CHAR_SPACE))

    doc.settings.odd_and_even_pages_header_footer = True
    footer = section.footer
    footer.is_linked_to_previous = False
    _page_number_paragraph(footer.paragraphs[0], odd=True)
    even = section.even_page_footer
    even.is_linked_to_previous = False
    _page_number_paragraph(even.paragraphs[0], odd=False)
    # Empty headers (they exist so Word does not show the even-page header of a template).
    section.header.is_linked_to_previous = False
    section.even_page_header.is_linked_to_previous = False


def _setup_settings(doc: Document) -> None:
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def new_document(*, char_grid: bool = True) -> Document:
    """Return a new, empty python-docx Document laid out per GB/T 9704-2012 (A4, 22 lines × 28
    characters, page numbers "— n —" in the footer) with the 公文 styles defined in its style sheet.

    With ``char_grid`` (the default) the section has Word's 22 × 28 document grid, which Word and
    WPS honour exactly. LibreOffice (7.x) snaps each 16 pt character to whole 15.8 pt grid cells,
    i.e. two cells, and shows 14 characters a line; pass ``char_grid=False`` for a file meant to be
    rendered by LibreOffice (e.g. converted to PDF): a line grid only, with the body's characters
    0.25 pt narrower so that 28 fit in every program."""
    doc = docx.Document()
    _define_styles(doc, char_grid=char_grid)
    _setup_section(doc, char_grid=char_grid)
    _setup_settings(doc)
    props = doc.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.language = "zh-CN"
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    props.created = now  # the template's own date is 2013
    props.modified = now
    return doc


# --- content helpers -------------------------------------------------------------------------
def _style(doc: Document, name: str) -> Any:
    return doc.styles[name]


def add_title(doc: Document, text: str) -> Paragraph:
    """Add the document title (公文标题, 2号 方正小标宋简体, centred); a newline in `text` breaks
    the title into lines. Return the paragraph."""
    p = doc.add_paragraph(style=_style(doc, STYLE_TITLE))
    for i, line in enumerate(str(text).split("\n")):
        if i:
            p.add_run().add_break()
        p.add_run(line)
    return p


def add_paragraph(doc: Document, text: str, level: int = 0) -> Paragraph:
    """Add a body paragraph (level 0, 公文正文) or a heading of level 1-4 (一、 黑体; （一） 楷体;
    1. and （1） 仿宋). Return the paragraph."""
    if level == 0:
        name = STYLE_BODY
    elif level in STYLE_HEADINGS:
        name = STYLE_HEADINGS[level]
    else:
        raise ValueError(f"level must be 0-4, got {level}")
    return doc.add_paragraph(str(text), style=_style(doc, name))


def add_addressee(doc: Document, text: str) -> Paragraph:
    """Add the 主送机关 line (flush left, e.g. "各党支部："). Return the paragraph."""
    return doc.add_paragraph(str(text), style=_style(doc, STYLE_ADDRESSEE))


def add_blank_line(doc: Document) -> Paragraph:
    """Add an empty body line (one grid line). Return the paragraph."""
    return doc.add_paragraph(style=_style(doc, STYLE_BODY))


def add_attachment_label(doc: Document, text: str = "附件", *, new_page: bool = True) -> Paragraph:
    """Add the 附件 mark that heads an attachment (黑体, flush left), by default on a new page.
    Return the paragraph."""
    p = doc.add_paragraph(str(text), style=_style(doc, STYLE_ATTACHMENT))
    if new_page:
        p.paragraph_format.page_break_before = True
    return p


def chinese_date(day: dt.date) -> str:
    """Return `day` written with Arabic digits as 公文 dates are: 2025年12月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def cell_text(value: Any) -> str:
    """Return the text a table cell shows for a value: money (Decimal) as 3,456.50, dates as
    2025年3月5日, booleans as 是/否, None as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dt.datetime):
        return chinese_date(value.date())
    if isinstance(value, dt.date):
        return chinese_date(value)
    return str(value)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal)):
        return True
    return isinstance(value, str) and bool(_NUMBER_TEXT.match(value.strip()))


def _cell_width(cell: Any, twips: int) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_w = tc_pr.find(qn("w:tcW"))
    if tc_w is None:
        tc_w = OxmlElement("w:tcW")
        tc_pr.insert(0, tc_w)
    tc_w.set(qn("w:w"), str(twips))
    tc_w.set(qn("w:type"), "dxa")


def _row_flags(row: Any, *, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


_ALIGNMENTS = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _fill_row(row: Any, values: Sequence[Any], widths: list[int], *, header: bool, bold: bool,
              doc: Document, aligns: Sequence[str | None] | None = None) -> None:
    style = _style(doc, STYLE_TABLE_TEXT)
    for i, (cell, value) in enumerate(zip(row.cells, values)):
        _cell_width(cell, widths[i])
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        p.style = style
        text = cell_text(value)
        lines = text.split("\n")
        for j, line in enumerate(lines):
            if j:
                p.add_run().add_break()
            r = p.add_run(line)
            if bold:
                r.bold = True
        if header:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif aligns is not None and (align := aligns[i]) is not None:
            p.alignment = _ALIGNMENTS[align]
        elif _is_number(value):
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT


def add_table(doc: Document, headers: Sequence[str], rows: Iterable[Sequence[Any]],
              widths: Sequence[float] | None = None, total_row: Sequence[Any] | None = None, *,
              aligns: Sequence[str | None] | None = None, after: Iterable[Sequence[Any]] = ()) -> Table:
    """Add a bordered table in the 公文表格 style: a bold header row repeated on every page, rows
    that do not split across pages, numbers right-aligned and text left-aligned, an optional bold
    total row (合计) at the end, and `after` it plain rows (such as 其中 subtotals). `widths` are column widths in mm (default: the 156 mm text width
    shared equally); `aligns` may fix a column's alignment ("left"/"center"/"right"/None = by
    value). Values are shown by `cell_text`. Return the table."""
    n = len(headers)
    if n == 0:
        raise ValueError("a table needs at least one column")
    if aligns is not None and (len(aligns) != n or any(a not in (None, *_ALIGNMENTS) for a in aligns)):
        raise ValueError(f"aligns must give left/center/right/None for each of {n} columns")
    if widths is None:
        widths_twips = [TEXT_WIDTH_TWIPS // n] * n
    else:
        if len(widths) != n:
            raise ValueError(f"{len(widths)} widths for {n} columns")
        widths_twips = [_twips(w) for w in widths]
    table = doc.add_table(rows=0, cols=n)
    table.style = _style(doc, STYLE_TABLE)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(sum(widths_twips)))
    tbl_w.set(qn("w:type"), "dxa")
    for grid_col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_twips):
        grid_col.set(qn("w:w"), str(w))

    row = table.add_row()
    _row_flags(row, header=True)
    _fill_row(row, list(headers), widths_twips, header=True, bold=True, doc=doc)
    def body_row(values: Sequence[Any], *, bold: bool, what: str = "row") -> None:
        values = list(values)
        if len(values) != n:
            raise ValueError(f"{what} has {len(values)} values for {n} columns")
        row = table.add_row()
        _row_flags(row, header=False)
        _fill_row(row, values, widths_twips, header=False, bold=bold, doc=doc, aligns=aligns)

    for values in rows:
        body_row(values, bold=False)
    if total_row is not None:
        body_row(total_row, bold=True, what="total row")
    for values in after:
        body_row(values, bold=False)
    return table


def add_picture(doc: Document, png_bytes: bytes, width_mm: float = TEXT_WIDTH_MM) -> Paragraph:
    """Add a centred picture (PNG or JPEG bytes) `width_mm` wide, scaled down if needed so it fits
    the 156 × 225 mm text block. Return the paragraph holding it."""
    image = DocxImage.from_blob(png_bytes)
    width = min(float(width_mm), TEXT_WIDTH_MM)
    aspect = image.px_height / image.px_width if image.px_width else 1.0
    max_height = TEXT_HEIGHT_MM - 10  # leave a line for a caption or the text around it
    if width * aspect > max_height:
        width = max_height / aspect
    p = doc.add_paragraph(style=_style(doc, STYLE_FIGURE))
    p.add_run().add_picture(BytesIO(png_bytes), width=Mm(width))
    return p


def _text_width_chars(text: str) -> float:
    """Width in 3号 characters: full-width characters count 1, others (digits, Latin) ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.5 for c in text)


def _signature_indents(org: str, date_text: str) -> tuple[float, float]:
    """Right indents (in characters) of the signing body and the date, per GB/T 9704 7.3.5.2."""
    w_org, w_date = _text_width_chars(org), _text_width_chars(date_text)
    org_right, date_right = 2.0, 2.0 + w_org - 2.0 - w_date
    if date_right < 2.0:
        date_right = 2.0
        org_right = max(2.0 + w_date + 2.0 - w_org, 2.0)
    return org_right, date_right


def place_signature(body: Paragraph, date: Paragraph) -> None:
    """Set the right indents of a signature block from the texts it holds (after a template has
    been filled in, the texts are only known then)."""
    org_right, date_right = _signature_indents(body.text.strip(), date.text.strip())
    for p, right in ((body, org_right), (date, date_right)):
        _set_ind(p._p.get_or_add_pPr(), right_chars=round(right * 100))


def fix_signatures(doc: Document) -> int:
    """Re-place every signature block of `doc` (two consecutive 落款 paragraphs: body, date);
    return how many were placed."""
    # Compared by style id on the XML: looking each paragraph's style up by name is slow.
    wanted = _STYLE_IDS[STYLE_SIGNATURE]

    def is_signature(p: Paragraph) -> bool:
        ppr = p._p.pPr
        return ppr is not None and ppr.pStyle is not None and ppr.pStyle.val == wanted

    placed = 0
    for first, second in itertools.pairwise(doc.paragraphs):
        if is_signature(first) and is_signature(second):
            place_signature(first, second)
            placed += 1
    return placed


def add_byline(doc: Document, text: str) -> Paragraph:
    """Add the centred name line under a title (署名, 楷体_GB2312). Return the paragraph."""
    return doc.add_paragraph(str(text), style=_style(doc, STYLE_BYLINE))


def add_signature(doc: Document, org: str, date: dt.date | str) -> list[Paragraph]:
    """Add the signature block after one blank line: the signing body, and below it the date in
    Arabic digits (2025年12月31日), per GB/T 9704 7.3.5.2 — the body two characters in from the
    right, the date starting two characters right of the body's first character (or, when the date
    is the longer, the date two characters in and the body moved left). Return [body, date]."""
    date_text = chinese_date(date) if isinstance(date, dt.date) else str(date)
    add_blank_line(doc)
    style = _style(doc, STYLE_SIGNATURE)
    body = doc.add_paragraph(str(org), style=style)
    day = doc.add_paragraph(date_text, style=style)
    place_signature(body, day)
    return [body, day]
