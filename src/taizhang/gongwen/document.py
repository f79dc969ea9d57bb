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
(e.g. LibreOffice on Linux) substitutes its own CJK font when rendering; the file is unchanged."""


from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image as DocxImage
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table
from docx.text.paragraph import Paragraph

from taizhang.gongwen.page import (
    NUMBER_TEXT,
    STYLE_ADDRESSEE,
    STYLE_ATTACHMENT,
    STYLE_BODY,
    STYLE_BYLINE,
    STYLE_FIGURE,
    STYLE_HEADINGS,
    STYLE_IDS,
    STYLE_SIGNATURE,
    STYLE_TABLE,
    STYLE_TABLE_TEXT,
    STYLE_TITLE,
    TEXT_HEIGHT_MM,
    TEXT_WIDTH_MM,
    TEXT_WIDTH_TWIPS,
    set_ind,
    style_of,
    twips,
)
from taizhang.party.calendar import cn_date


def add_title(doc: Document, text: str) -> Paragraph:
    """Add the document title (公文标题, 2号 方正小标宋简体, centred); a newline in `text` breaks
    the title into lines. Return the paragraph."""
    p = doc.add_paragraph(style=style_of(doc, STYLE_TITLE))
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
    return doc.add_paragraph(str(text), style=style_of(doc, name))


def add_addressee(doc: Document, text: str) -> Paragraph:
    """Add the 主送机关 line (flush left, e.g. "各党支部："). Return the paragraph."""
    return doc.add_paragraph(str(text), style=style_of(doc, STYLE_ADDRESSEE))


def add_blank_line(doc: Document) -> Paragraph:
    """Add an empty body line (one grid line). Return the paragraph."""
    return doc.add_paragraph(style=style_of(doc, STYLE_BODY))


def add_attachment_label(doc: Document, text: str = "附件", *, new_page: bool = True) -> Paragraph:
    """Add the 附件 mark that heads an attachment (黑体, flush left), by default on a new page.
    Return the paragraph."""
    p = doc.add_paragraph(str(text), style=style_of(doc, STYLE_ATTACHMENT))
    if new_page:
        p.paragraph_format.page_break_before = True
    return p


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
        return cn_date(value.date())
    if isinstance(value, dt.date):
        return cn_date(value)
    return str(value)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal)):
        return True
    return isinstance(value, str) and bool(NUMBER_TEXT.match(value.strip()))


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
    style = style_of(doc, STYLE_TABLE_TEXT)
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
        widths_twips = [twips(w) for w in widths]
    table = doc.add_table(rows=0, cols=n)
    table.style = style_of(doc, STYLE_TABLE)
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
    p = doc.add_paragraph(style=style_of(doc, STYLE_FIGURE))
    p.add_run().add_picture(BytesIO(png_bytes), width=Mm(width))
    return p


def text_width_chars(text: str) -> float:
    """Width in 3号 characters: full-width characters count 1, others (digits, Latin) ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.5 for c in text)


def _signature_indents(org: str, date_text: str) -> tuple[float, float]:
    """Right indents (in characters) of the signing body and the date, per GB/T 9704 7.3.5.2."""
    w_org, w_date = text_width_chars(org), text_width_chars(date_text)
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
        set_ind(p._p.get_or_add_pPr(), right_chars=round(right * 100))


def fix_signatures(doc: Document) -> int:
    """Re-place every signature block of `doc` (two consecutive 落款 paragraphs: body, date);
    return how many were placed."""
    # Compared by style id on the XML: looking each paragraph's style up by name is slow.
    wanted = STYLE_IDS[STYLE_SIGNATURE]

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
    return doc.add_paragraph(str(text), style=style_of(doc, STYLE_BYLINE))


def add_signature(doc: Document, org: str, date: dt.date | str) -> list[Paragraph]:
    """Add the signature block after one blank line: the signing body, and below it the date in
    Arabic digits (2025年12月31日), per GB/T 9704 7.3.5.2 — the body two characters in from the
    right, the date starting two characters right of the body's first character (or, when the date
    is the longer, the date two characters in and the body moved left). Return [body, date]."""
    date_text = cn_date(date) if isinstance(date, dt.date) else str(date)
    _keep_last_text_with_next(doc)
    add_blank_line(doc).paragraph_format.keep_with_next = True
    style = style_of(doc, STYLE_SIGNATURE)
    body = doc.add_paragraph(str(org), style=style)
    body.paragraph_format.keep_with_next = True
    day = doc.add_paragraph(date_text, style=style)
    place_signature(body, day)
    return [body, day]


def _keep_last_text_with_next(doc: Document) -> None:
    """Keep the end of the text (its last paragraph, and the 附件 note and blank lines after it)
    on the page of the signature that follows: a signature never stands alone on a page."""
    from docx.oxml.ns import qn

    for element in reversed(list(doc.element.body.iterchildren())):
        if element.tag == qn("w:sectPr"):
            continue
        if element.tag != qn("w:p"):
            break  # a table: the signature follows it directly
        paragraph = Paragraph(element, doc._body)
        paragraph.paragraph_format.keep_with_next = True
        text = paragraph.text.strip()
        if text and not text.startswith("附件"):
            break
