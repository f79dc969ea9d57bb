"""The 公文 page and style sheet (GB/T 9704-2012): A4 with the standard margins, a document grid of
22 lines of 28 characters, the named styles (title, body, headings, tables, signature) with their
official fonts written as w:eastAsia, and page numbers in the form "— 1 —". `new_document()`."""


from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Twips
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


def twips(mm: float) -> int:
    return int(Mm(mm).twips)


TEXT_HEIGHT_TWIPS = twips(PAGE_HEIGHT_MM) - twips(MARGIN_TOP_MM) - twips(MARGIN_BOTTOM_MM)
TEXT_WIDTH_TWIPS = twips(PAGE_WIDTH_MM) - twips(MARGIN_LEFT_MM) - twips(MARGIN_RIGHT_MM)
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

STYLE_IDS = {
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

NUMBER_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*(%|‰|元|万元|人|次|个|名|项|篇|天)?$")


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


def set_ind(ppr: Any, *, first_chars: int = 0, left_chars: int = 0, right_chars: int = 0,
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
    style.style_id = STYLE_IDS[name]
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
    set_ind(ppr, first_chars=200)
    _set_jc(ppr, "both")

    body = _paragraph_style(doc, STYLE_BODY)
    body.element.get_or_add_pPr()

    title = _paragraph_style(doc, STYLE_TITLE)
    _style_fonts(title, FONT_XIAOBIAOSONG, TITLE_SIZE_PT)
    ppr = title.element.get_or_add_pPr()
    # A 22 pt character would snap to two 15.8 pt grid cells; the title keeps its own spacing.
    _set_on(ppr, "w:snapToGrid", False)
    _set_spacing(ppr, line=LINE_PITCH_TWIPS, exact=True, after=LINE_PITCH_TWIPS, after_lines=100)
    set_ind(ppr)
    _set_jc(ppr, "center")
    _set_on(ppr, "w:keepNext", True)

    addressee = _paragraph_style(doc, STYLE_ADDRESSEE)
    ppr = addressee.element.get_or_add_pPr()
    set_ind(ppr)
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
    set_ind(ppr, right_chars=200)
    _set_jc(ppr, "right")

    # The name under the title of a 述职报告 (centred, 楷体_GB2312, one blank line after it).
    byline = _paragraph_style(doc, STYLE_BYLINE)
    _style_fonts(byline, FONT_KAITI, BODY_SIZE_PT)
    ppr = byline.element.get_or_add_pPr()
    _set_spacing(ppr, line=LINE_PITCH_TWIPS, exact=True, after=LINE_PITCH_TWIPS, after_lines=100)
    set_ind(ppr)
    _set_jc(ppr, "center")

    attachment = _paragraph_style(doc, STYLE_ATTACHMENT)
    _style_fonts(attachment, FONT_HEITI, BODY_SIZE_PT)
    ppr = attachment.element.get_or_add_pPr()
    set_ind(ppr)
    _set_jc(ppr, "left")

    table_text = _paragraph_style(doc, STYLE_TABLE_TEXT)
    _style_fonts(table_text, FONT_FANGSONG, TABLE_SIZE_PT)
    ppr = table_text.element.get_or_add_pPr()
    _set_on(ppr, "w:snapToGrid", False)
    _set_spacing(ppr, line=240, exact=False, before=30, after=30)
    set_ind(ppr)
    _set_jc(ppr, "center")

    figure = _paragraph_style(doc, STYLE_FIGURE)
    ppr = figure.element.get_or_add_pPr()
    # An exact line height would crop an inline picture to one line.
    _set_on(ppr, "w:snapToGrid", False)
    _set_spacing(ppr, line=240, exact=False)
    set_ind(ppr)
    _set_jc(ppr, "center")
    _set_on(ppr, "w:keepNext", True)

    page_number = _paragraph_style(doc, STYLE_PAGE_NUMBER)
    _style_fonts(page_number, FONT_SONGTI, PAGE_NUMBER_SIZE_PT, latin=FONT_SONGTI)
    ppr = page_number.element.get_or_add_pPr()
    _set_on(ppr, "w:snapToGrid", False)
    _set_spacing(ppr, line=240, exact=False)
    set_ind(ppr)

    table = doc.styles.add_style(STYLE_TABLE, WD_STYLE_TYPE.TABLE)
    table.style_id = STYLE_IDS[STYLE_TABLE]
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
        set_ind(ppr, right_chars=100, char_twips=one_char)
        _set_jc(ppr, "right")
    else:
        set_ind(ppr, left_chars=100, char_twips=one_char)
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
def style_of(doc: Document, name: str) -> Any:
    return doc.styles[name]
