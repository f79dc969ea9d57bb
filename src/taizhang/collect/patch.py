"""The feedback workbook made from the branch's own returned package (xlsx/xlsm).

Nothing the branch typed is written again: every part of the returned zip is copied as it is,
except that
- a first sheet 问题清单 is added (inline strings, its own few styles, links to the cells),
- each problem cell gets a style cloned from its own with the fill changed (so its number format,
  alignment and font stay), and a comment (a comments part and a legacy VML drawing, the two
  parts Excel, WPS and LibreOffice read comments from; comments already in the sheet are kept),
- the other sheets are no longer selected, and defined names local to a sheet are shifted by one.

A package whose structure is not the plain one (namespace prefixes, strict OOXML, cells without
references) raises CannotPatch; the caller then rebuilds the workbook instead.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from taizhang.reading.base import column_index, column_letter

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
T_SHEET = REL_NS + "/worksheet"
T_COMMENTS = REL_NS + "/comments"
T_VML = REL_NS + "/vmlDrawing"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
AUTHOR = "taizhang"
PROBLEM_FILL = "FFF8CBAD"  # the 浅红色底纹 of 填表说明's legend
MAX_COMMENT = 2000
MAX_PART = 64 * 1024 * 1024  # a part bigger than this is not patched (the reader's limits are lower)


class CannotPatch(Exception):
    """The package is not one this module can patch safely; rebuild the workbook instead."""


@dataclass
class ListLine:
    """One line of 问题清单 (all text; `target` is "'sheet'!A1" or "")."""

    severity: str
    sheet: str
    row: str
    column: str
    value: str
    problem: str
    fix: str
    rule: str
    target: str = ""


@dataclass
class ListSheet:
    """What 问题清单 shows."""

    title: str
    note: str
    headers: list[str]
    widths: list[float]
    lines: list[ListLine]
    name: str = "问题清单"


@dataclass
class _Setup:
    """Records what xlsx.print_setup asks of a worksheet, to be written as XML."""

    landscape: bool = True
    paper: int = 9
    margins: dict[str, float] = field(default_factory=dict)
    repeat: tuple[int, int] | None = None
    fit: tuple[int, int] | None = None
    scale: int | None = None
    v_breaks: list[int] = field(default_factory=list)
    repeat_cols: tuple[int, int] | None = None
    centered: bool = False
    footer: str = ""

    def set_landscape(self) -> None:
        self.landscape = True

    def set_portrait(self) -> None:
        self.landscape = False

    def set_paper(self, n: int) -> None:
        self.paper = n

    def set_margins(self, **m: float) -> None:
        self.margins = m

    def repeat_rows(self, first: int, last: int | None = None) -> None:
        self.repeat = (first, first if last is None else last)

    def fit_to_pages(self, w: int, h: int) -> None:
        self.fit = (w, h)

    def set_print_scale(self, scale: int) -> None:
        self.scale = scale

    def set_v_pagebreaks(self, breaks: list[int]) -> None:
        self.v_breaks = list(breaks)

    def repeat_columns(self, first: int, last: int | None = None) -> None:
        self.repeat_cols = (first, first if last is None else last)

    def center_horizontally(self) -> None:
        self.centered = True

    def set_footer(self, text: str) -> None:
        self.footer = text


# --- small XML helpers ------------------------------------------------------------------------
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """Text safe inside an XML element or a double-quoted attribute."""
    text = _BAD_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_ATTRS: dict[bytes, re.Pattern[bytes]] = {}


def _attr(tag: bytes, name: bytes) -> bytes | None:
    pat = _ATTRS.get(name)
    if pat is None:
        pat = _ATTRS[name] = re.compile(rb"\s" + name + rb'="([^"]*)"')
    m = pat.search(tag)
    return m.group(1) if m else None


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """A start tag with attribute `name` set to `value` (added before the tag's end)."""
    pat = re.compile(rb"(\s" + name + rb'=")[^"]*(")')
    if pat.search(tag):
        return pat.sub(lambda m: m.group(1) + value + m.group(2), tag, count=1)
    end = -2 if tag.endswith(b"/>") else -1
    return tag[:end] + b" " + name + b'="' + value + b'"' + tag[end:]


def _unprefixed(xml: bytes, root: bytes) -> None:
    """Raise CannotPatch unless the part's root element is `root` in the default namespace."""
    m = re.search(rb"<([\w:.-]+)[\s>/]", xml[: 4096].split(b"?>")[-1])
    if not m or m.group(1) != root:
        raise CannotPatch(f"{root.decode()}: unexpected root")


def _rels(xml: bytes) -> list[tuple[str, str, str, bytes]]:
    """(Id, Type, Target, the element's bytes) of each relationship."""
    out = []
    for m in re.finditer(rb"<Relationship\b[^>]*?/?>", xml):
        tag = m.group(0)
        out.append(((_attr(tag, b"Id") or b"").decode(), (_attr(tag, b"Type") or b"").decode(),
                    (_attr(tag, b"Target") or b"").decode(), tag))
    return out


def _new_id(used: set[str]) -> str:
    n = 1
    while f"rIdTz{n}" in used:
        n += 1
    used.add(f"rIdTz{n}")
    return f"rIdTz{n}"


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target))


def _rels_name(part: str) -> str:
    d, f = posixpath.split(part)
    return posixpath.join(d, "_rels", f + ".rels")


def _add_rel(xml: bytes | None, rid: str, rtype: str, target: str) -> bytes:
    rel = f'<Relationship Id="{rid}" Type="{rtype}" Target="{_x(target)}"/>'.encode()
    if xml is None:
        return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<Relationships xmlns="' + PKG_REL_NS.encode() + b'">' + rel + b"</Relationships>")
    i = xml.rfind(b"</Relationships>")
    if i < 0:
        if re.search(rb"<Relationships\b[^>]*/>", xml):
            return re.sub(rb"<Relationships\b([^>]*)/>", lambda m: b"<Relationships" + m.group(1) + b">" + rel
                          + b"</Relationships>", xml, count=1)
        raise CannotPatch("rels")
    return xml[:i] + rel + xml[i:]


# --- styles ---------------------------------------------------------------------------------------
_FONT = ('<font>{b}{u}<sz val="{sz}"/><color rgb="{color}"/><name val="{name}"/><family val="3"/>'
         '<charset val="134"/></font>')
_THIN = ('<border><left style="thin"><color rgb="FF808080"/></left><right style="thin"><color rgb="FF808080"/>'
         '</right><top style="thin"><color rgb="FF808080"/></top><bottom style="thin"><color rgb="FF808080"/>'
         '</bottom><diagonal/></border>')


def _fill(rgb: str) -> str:
    return f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/><bgColor indexed="64"/></patternFill></fill>'


class _Styles:
    """styles.xml, patched: new fonts, fills, borders and cell formats appended to its lists."""

    def __init__(self, xml: bytes):
        _unprefixed(xml, b"styleSheet")
        self.xml = xml
        self.xfs = self._items(b"cellXfs", b"xf")
        self.added: dict[str, list[str]] = {"fonts": [], "fills": [], "borders": [], "cellXfs": []}
        self.counts = {name: len(self._items(name.encode(), child))
                       for name, child in (("fonts", b"font"), ("fills", b"fill"), ("borders", b"border"))}
        self.counts["cellXfs"] = len(self.xfs)
        self.cloned: dict[int, int] = {}

    def _section(self, name: bytes) -> tuple[int, int, int]:
        """(start of the open tag, end of the open tag, start of the close tag)."""
        m = re.search(rb"<" + name + rb"\b[^>]*?(/?)>", self.xml)
        if not m:
            raise CannotPatch(f"styles: no {name.decode()}")
        if m.group(1):
            return m.start(), m.end(), -1
        close = self.xml.find(b"</" + name + b">", m.end())
        if close < 0:
            raise CannotPatch("styles")
        return m.start(), m.end(), close

    def _items(self, name: bytes, child: bytes) -> list[bytes]:
        _s, open_end, close = self._section(name)
        if close < 0:
            return []
        inner = self.xml[open_end:close]
        return re.findall(rb"<" + child + rb"\b[^>]*?/>|<" + child + rb"\b[^>]*?[^/]>.*?</" + child + rb">|<"
                          + child + rb">.*?</" + child + rb">", inner, flags=re.DOTALL)

    def add(self, section: str, xml: str) -> int:
        self.added[section].append(xml)
        return self.counts[section] + len(self.added[section]) - 1

    def clone_with_fill(self, style: int, fill_id: int) -> int:
        """A cell format like `style` with the fill `fill_id` (number format, font, alignment kept)."""
        if style in self.cloned:
            return self.cloned[style]
        base = self.xfs[style] if 0 <= style < len(self.xfs) else (self.xfs[0] if self.xfs else b"<xf/>")
        m = re.match(rb"<xf\b[^>]*?/?>", base)
        assert m is not None
        tag = _set_attr(_set_attr(m.group(0), b"fillId", str(fill_id).encode()), b"applyFill", b"1")
        for need in (b"numFmtId", b"fontId", b"borderId"):
            if _attr(tag, need) is None:
                tag = _set_attr(tag, need, b"0")
        new = self.add("cellXfs", (tag + base[m.end():]).decode())
        self.cloned[style] = new
        return new

    def unmarked(self) -> dict[int, int]:
        """For every cell format with the problem fill (an earlier feedback's marks), the format
        it was cloned from (one identical but for the fill), or a copy without a fill."""
        fills = self._items(b"fills", b"fill")
        ours = {i for i, f in enumerate(fills) if PROBLEM_FILL[2:].encode() in f.upper() and b"solid" in f}
        if not ours:
            return {}

        def fill_of(xf: bytes) -> int:
            v = _attr(xf, b"fillId")
            return int(v) if v and v.isdigit() else 0

        def plain(xf: bytes) -> bytes:
            return re.sub(rb'\s(?:fillId|applyFill)="[^"]*"', b"", xf)

        by_shape = {}
        for j, xf in enumerate(self.xfs):
            if fill_of(xf) not in ours:
                by_shape.setdefault(plain(xf), j)
        out = {}
        for i, xf in enumerate(self.xfs):
            if fill_of(xf) in ours:
                j = by_shape.get(plain(xf))
                out[i] = j if j is not None else self.clone_with_fill(i, 0)
        return out

    def result(self) -> bytes:
        xml = self.xml
        # later sections first, so that earlier offsets stay valid
        order = sorted(self.added, key=lambda name: self._section(name.encode())[0], reverse=True)
        for name in order:
            items = self.added[name]
            if not items:
                continue
            self.xml = xml
            start, open_end, close = self._section(name.encode())
            total = str(self.counts[name] + len(items)).encode()
            open_tag = xml[start:open_end]
            body = "".join(items).encode()
            if close < 0:
                open_tag = open_tag[:-2] + b">"
                xml = xml[:start] + _set_attr(open_tag, b"count", total) + body + b"</" + name.encode() + b">" \
                    + xml[open_end:]
            else:
                xml = xml[:start] + _set_attr(open_tag, b"count", total) + xml[open_end:close] + body + xml[close:]
        return xml


# --- worksheet cells --------------------------------------------------------------------------------
_ROW = re.compile(rb"<row\b[^>]*?(/?)>")
_CELL = re.compile(rb"<c\b[^>]*?(/?)>")


def _row_spans(xml: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """(row number, start, end) of every <row> element between `start` and `end`."""
    out = []
    pos = start
    while True:
        m = _ROW.search(xml, pos, end)
        if not m:
            return out
        r = _attr(m.group(0), b"r")
        if r is None or not r.isdigit():
            raise CannotPatch("row without r")
        if m.group(1):
            stop = m.end()
        else:
            close = xml.find(b"</row>", m.end(), end)
            if close < 0:
                raise CannotPatch("row")
            stop = close + 6
        out.append((int(r), m.start(), stop))
        pos = stop


def _col_styles(xml: bytes) -> list[tuple[int, int, int]]:
    out = []
    for m in re.finditer(rb"<col\b[^>]*?/?>", xml[: xml.find(b"<sheetData")]):
        lo, hi, s = _attr(m.group(0), b"min"), _attr(m.group(0), b"max"), _attr(m.group(0), b"style")
        if lo and hi and s and lo.isdigit() and hi.isdigit() and s.isdigit():
            out.append((int(lo), int(hi), int(s)))
    return out


def _patch_row(row_xml: bytes, rownum: int, cols: dict[int, int], styles: _Styles, fill_id: int,
               col_styles: list[tuple[int, int, int]]) -> bytes:
    """The row with each cell of `cols` (0-based column → unused) given the problem fill."""
    m = _ROW.match(row_xml)
    assert m is not None
    head = m.group(0)
    if m.group(1):  # <row .../>: no cells yet
        head = head[:-2] + b">"
        body, tail = b"", b"</row>"
    else:
        body, tail = row_xml[m.end():-6], b"</row>"
    row_style = None
    if _attr(head, b"customFormat") in (b"1", b"true") and (_attr(head, b"s") or b"").isdigit():
        row_style = int(_attr(head, b"s") or b"0")
    todo = set(cols)
    pieces: list[bytes] = []
    pos = 0
    for cm in _CELL.finditer(body):
        ref = _attr(cm.group(0), b"r")
        if ref is None:
            raise CannotPatch("cell without r")
        letters = re.match(rb"[A-Z]+", ref)
        if not letters:
            raise CannotPatch("cell ref")
        c = column_index(letters.group(0).decode())
        for missing in sorted(x for x in todo if x < c):
            pieces.append(body[pos:cm.start()])
            pos = cm.start()
            pieces.append(_new_cell(rownum, missing, row_style, styles, fill_id, col_styles))
            todo.discard(missing)
        if c in todo:
            old = _attr(cm.group(0), b"s")
            style = int(old) if old and old.isdigit() else 0
            new_tag = _set_attr(cm.group(0), b"s", str(styles.clone_with_fill(style, fill_id)).encode())
            pieces.append(body[pos:cm.start()])
            pieces.append(new_tag)
            pos = cm.end()
            todo.discard(c)
    pieces.append(body[pos:])
    for missing in sorted(todo):
        pieces.append(_new_cell(rownum, missing, row_style, styles, fill_id, col_styles))
    return head + b"".join(pieces) + tail


def _new_cell(rownum: int, c: int, row_style: int | None, styles: _Styles, fill_id: int,
              col_styles: list[tuple[int, int, int]]) -> bytes:
    style = row_style
    if style is None:
        style = next((s for lo, hi, s in col_styles if lo <= c + 1 <= hi), 0)
    new = styles.clone_with_fill(style, fill_id)
    return f'<c r="{column_letter(c)}{rownum}" s="{new}"/>'.encode()


def _restyle(xml: bytes, styles: dict[int, int]) -> bytes:
    """The sheet XML with every cell of a style in `styles` given the style it maps to."""
    def one(m: re.Match[bytes]) -> bytes:
        tag = m.group(0)
        s = _attr(tag, b"s")
        if s and s.isdigit() and int(s) in styles:
            return _set_attr(tag, b"s", str(styles[int(s)]).encode())
        return tag
    return _CELL.sub(one, xml)


def _set_heights(xml: bytes, heights: dict[int, float]) -> bytes:
    """The sheet XML with each row of `heights` at least that high (rows of text that wraps:
    neither Excel nor LibreOffice grows a row when opening a file)."""
    m = re.search(rb"<sheetData\b[^>]*?(/?)>", xml)
    if not m or m.group(1):
        return xml
    end = xml.find(b"</sheetData>", m.end())
    out: list[bytes] = []
    pos = m.end()
    for rownum, start, _stop in _row_spans(xml, m.end(), end):
        want = heights.get(rownum)
        if want is None:
            continue
        tag = _ROW.match(xml, start)
        assert tag is not None
        old = _attr(tag.group(0), b"ht")
        try:
            have = float(old) if old else 0.0
        except ValueError:
            have = 0.0
        if have >= want:
            continue
        new = _set_attr(_set_attr(tag.group(0), b"ht", f"{want:g}".encode()), b"customHeight", b"1")
        out += [xml[pos:start], new]
        pos = tag.end()
    out.append(xml[pos:])
    return xml[:m.end()] + b"".join(out)


def _mark_cells(xml: bytes, cells: set[tuple[int, int]], styles: _Styles, fill_id: int) -> bytes:
    """The sheet XML with the problem fill on every (row 1-based, col 0-based) of `cells`."""
    m = re.search(rb"<sheetData\b[^>]*?(/?)>", xml)
    if not m:
        raise CannotPatch("no sheetData")
    col_styles = _col_styles(xml)
    if m.group(1):
        xml = xml[:m.start()] + b"<sheetData></sheetData>" + xml[m.end():]
        m = re.search(rb"<sheetData\b[^>]*?>", xml)
        assert m is not None
    end = xml.find(b"</sheetData>", m.end())
    if end < 0:
        raise CannotPatch("sheetData")
    by_row: dict[int, dict[int, int]] = {}
    for r, c in cells:
        by_row.setdefault(r, {})[c] = 0
    spans = _row_spans(xml, m.end(), end)
    out: list[bytes] = []
    pos = m.end()
    pending = sorted(by_row)
    for rownum, start, stop in spans:
        while pending and pending[0] < rownum:
            new = pending.pop(0)
            out.append(xml[pos:start])
            pos = start
            out.append(_patch_row(f'<row r="{new}"/>'.encode(), new, by_row[new], styles, fill_id, col_styles))
        if pending and pending[0] == rownum:
            pending.pop(0)
            out.append(xml[pos:start])
            out.append(_patch_row(xml[start:stop], rownum, by_row[rownum], styles, fill_id, col_styles))
            pos = stop
    out.append(xml[pos:end])
    for new in pending:
        out.append(_patch_row(f'<row r="{new}"/>'.encode(), new, by_row[new], styles, fill_id, col_styles))
    return xml[:m.end()] + b"".join(out) + xml[end:]


# The elements that follow <legacyDrawing> in CT_Worksheet (it goes before the first present).
_AFTER_LEGACY = (b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
                 b"tableParts", b"extLst")


def _insert_legacy(xml: bytes, rid: str, prefix: bytes) -> bytes:
    tag = b"<legacyDrawing " + prefix + b':id="' + rid.encode() + b'"/>'
    for name in _AFTER_LEGACY:
        m = re.search(rb"<" + name + rb"[\s>/]", xml)
        if m:
            return xml[:m.start()] + tag + xml[m.start():]
    i = xml.rfind(b"</worksheet>")
    if i < 0:
        raise CannotPatch("worksheet end")
    return xml[:i] + tag + xml[i:]


def _rel_prefix(xml: bytes, root: bytes) -> tuple[bytes, bytes]:
    """(the prefix bound to the relationships namespace, the XML with it declared if it was not)."""
    start = re.search(rb"<" + root + rb"\b[^>]*>", xml)
    if not start:
        raise CannotPatch("root")
    m = re.search(rb'xmlns:([\w.-]+)="' + REL_NS.encode() + b'"', start.group(0))
    if m:
        return m.group(1), xml
    j = start.start() + len(root) + 1
    return b"tzr", xml[:j] + b' xmlns:tzr="' + REL_NS.encode() + b'"' + xml[j:]


# --- comments -------------------------------------------------------------------------------------
def _comment_text(text: str) -> str:
    return ('<r><rPr><sz val="10"/><color indexed="81"/><rFont val="宋体"/><family val="3"/><charset val="134"/>'
            f'</rPr><t xml:space="preserve">{_x(text[:MAX_COMMENT])}</t></r>')


def _comments_part(existing: bytes | None, ours: dict[tuple[int, int], str]) -> tuple[bytes, list[tuple[int, int]]]:
    """The comments part: the sheet's own comments (except an earlier feedback's) and ours; and
    every commented cell (row0, col0) for the VML drawing."""
    authors = [AUTHOR]
    entries: dict[tuple[int, int], str] = {}
    if existing is not None:
        _unprefixed(existing, b"comments")
        old_authors = [a.decode("utf-8", "replace") if a is not None else ""
                       for a in [m.group(1) for m in re.finditer(rb"<author>(.*?)</author>|<author/>", existing,
                                                                 flags=re.DOTALL)]]
        for m in re.finditer(rb"<comment\b([^>]*)>(.*?)</comment>", existing, flags=re.DOTALL):
            ref = (_attr(b" " + m.group(1), b"ref") or b"").decode()
            aid = _attr(b" " + m.group(1), b"authorId")
            author = old_authors[int(aid)] if aid and aid.isdigit() and int(aid) < len(old_authors) else ""
            if author == AUTHOR:
                continue  # an earlier feedback's comment: replaced by this one's
            lm = re.match(r"([A-Z]+)(\d+)$", ref)
            if not lm:
                continue
            where = (int(lm.group(2)) - 1, column_index(lm.group(1)))
            body = m.group(2).decode("utf-8", "replace")
            tm = re.match(r"\s*<text>(.*)</text>\s*$", body, flags=re.DOTALL)
            inner = tm.group(1) if tm else ""
            if inner.lstrip().startswith("<t"):
                inner = f"<r>{inner}</r>"
            if author not in authors:
                authors.append(author)
            entries[where] = f'<comment ref="{ref}" authorId="{authors.index(author)}"><text>{inner}</text></comment>'
    for where, text in ours.items():
        ref = f"{column_letter(where[1])}{where[0] + 1}"
        before = entries.get(where)
        inner = _comment_text(text)
        if before is not None:  # the branch's own comment stays, after ours
            old = re.search(r"<text>(.*)</text>", before, flags=re.DOTALL)
            inner += _comment_text("\n（原批注）") + (old.group(1) if old else "")
        entries[where] = f'<comment ref="{ref}" authorId="0"><text>{inner}</text></comment>'
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors>'
           + "".join(f"<author>{_x(a)}</author>" for a in authors) + "</authors><commentList>"
           + "".join(entries[k] for k in sorted(entries)) + "</commentList></comments>")
    return xml.encode(), sorted(entries)


_SHAPETYPE = ('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
              '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def _note_shape(shape_id: int, row0: int, col0: int) -> str:
    top = max(row0 - 1, 0)
    return (f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;'
            f'margin-left:{(col0 + 1) * 54 + 12}pt;margin-top:{top * 15 + 7.5}pt;width:288pt;height:138.75pt;'
            'z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f'<x:Anchor>{col0 + 1}, 15, {top}, 10, {col0 + 6}, 15, {top + 9}, 4</x:Anchor>'
            f'<x:AutoFill>False</x:AutoFill><x:Row>{row0}</x:Row><x:Column>{col0}</x:Column></x:ClientData>'
            '</v:shape>')


def _vml(existing: bytes | None, cells: list[tuple[int, int]], block: int) -> bytes:
    """The VML drawing: one note per comment. An existing drawing is replaced when it holds only
    notes (the comments part lists them all); one with other shapes (form controls) is not
    patched."""
    if existing is not None:
        text = existing.decode("utf-8", "replace")
        shapes = len(re.findall(r"<(?:[\w.-]+:)?shape\b", text))
        notes = len(re.findall(r"ObjectType=\"Note\"", text))
        if shapes != notes:
            raise CannotPatch("vml with other shapes")
        idmap = re.search(r"idmap\b[^>]*\bdata=\"(\d+)", text)
        if idmap:
            block = int(idmap.group(1))
    shapes_xml = "".join(_note_shape(1024 * block + 1 + i, r, c) for i, (r, c) in enumerate(cells))
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            f'<o:idmap v:ext="edit" data="{block}"/></o:shapelayout>{_SHAPETYPE}{shapes_xml}</xml>').encode()


# --- 问题清单 -----------------------------------------------------------------------------------------
def _inline(ref: str, text: str, style: int) -> str:
    if text == "":
        return f'<c r="{ref}" s="{style}"/>'
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{_x(text)}</t></is></c>'


def _list_sheet_xml(spec: ListSheet, st: dict[str, int], heights: list[float], setup: _Setup) -> bytes:
    ncol = len(spec.headers)
    last = column_letter(ncol - 1)
    n = len(spec.lines)
    rows = [f'<row r="1" ht="30" customHeight="1">{_inline("A1", spec.title, st["title"])}</row>',
            f'<row r="2" ht="{heights[0]}" customHeight="1">{_inline("A2", spec.note, st["note"])}</row>',
            '<row r="3" ht="22" customHeight="1">'
            + "".join(_inline(f"{column_letter(c)}3", h, st["head"]) for c, h in enumerate(spec.headers)) + "</row>"]
    links = []
    for i, line in enumerate(spec.lines):
        r = 4 + i
        sev = {"错误": st["error"], "警告": st["warning"]}.get(line.severity, st["center"])
        link = st["link"] if line.target else st["center"]
        cells = [(line.severity, sev), (line.sheet, link), (line.row, link if line.row else st["center"]),
                 (line.column, link if line.row else st["center"]),
                 (line.value, st["cell"]), (line.problem, st["cell"]), (line.fix, st["cell"]), (line.rule, st["small"])]
        rows.append(f'<row r="{r}" ht="{heights[1 + i]}" customHeight="1">'
                    + "".join(_inline(f"{column_letter(c)}{r}", text, s) for c, (text, s) in enumerate(cells))
                    + "</row>")
        if line.target:
            for c in (1, 2, 3):
                if cells[c][0]:
                    links.append(f'<hyperlink ref="{column_letter(c)}{r}" location="{_x(line.target)}" '
                                 f'display="{_x(cells[c][0])}"/>')
    cols = "".join(f'<col min="{c + 1}" max="{c + 1}" width="{w}" customWidth="1"/>'
                   for c, w in enumerate(spec.widths))
    margins = setup.margins or {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.6}
    page = f'<pageSetup paperSize="{setup.paper}" orientation="{"landscape" if setup.landscape else "portrait"}"'
    if setup.fit:
        page += f' fitToWidth="{setup.fit[0]}" fitToHeight="{setup.fit[1]}"'
    elif setup.scale:
        page += f' scale="{setup.scale}"'
    page += "/>"
    fit = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if setup.fit else ""
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           f'xmlns:r="{REL_NS}">{fit}<dimension ref="A1:{last}{3 + n}"/>'
           '<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="3" topLeftCell="A4" '
           'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A4" sqref="A4"/>'
           '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
           f'<cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData>'
           f'<autoFilter ref="A3:{last}{3 + max(n, 1)}"/>'
           f'<mergeCells count="2"><mergeCell ref="A1:{last}1"/><mergeCell ref="A2:{last}2"/></mergeCells>'
           + (f'<hyperlinks>{"".join(links)}</hyperlinks>' if links else "")
           + ('<printOptions horizontalCentered="1"/>' if setup.centered else "")
           + f'<pageMargins left="{margins["left"]}" right="{margins["right"]}" top="{margins["top"]}" '
           f'bottom="{margins["bottom"]}" header="0.3" footer="0.3"/>' + page
           + (f'<headerFooter><oddFooter>{_x(setup.footer)}</oddFooter></headerFooter>' if setup.footer else "")
           + "</worksheet>")
    return xml.encode()


def _list_styles(styles: _Styles) -> dict[str, int]:
    font = styles.add("fonts", _FONT.format(b="", u="", sz=10, color="FF000000", name="宋体"))
    bold = styles.add("fonts", _FONT.format(b="<b/>", u="", sz=10, color="FF000000", name="宋体"))
    title = styles.add("fonts", _FONT.format(b="<b/>", u="", sz=16, color="FF000000", name="黑体"))
    red = styles.add("fonts", _FONT.format(b="<b/>", u="", sz=10, color="FFC00000", name="宋体"))
    amber = styles.add("fonts", _FONT.format(b="<b/>", u="", sz=10, color="FF9C5700", name="宋体"))
    blue = styles.add("fonts", _FONT.format(b="", u="<u/>", sz=10, color="FF0563C1", name="宋体"))
    grey = styles.add("fonts", _FONT.format(b="", u="", sz=9, color="FF595959", name="宋体"))
    head_fill = styles.add("fills", _fill("FFD9D9D9"))
    border = styles.add("borders", _THIN)

    def xf(font_id: int, align: str, *, fill: int = 0, border_id: int = -1) -> int:
        b = border if border_id < 0 else border_id
        return styles.add("cellXfs", f'<xf numFmtId="0" fontId="{font_id}" fillId="{fill}" borderId="{b}" xfId="0" '
                          f'applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">{align}</xf>')

    center = '<alignment horizontal="center" vertical="center" wrapText="1"/>'
    left = '<alignment horizontal="left" vertical="center" wrapText="1"/>'
    return {
        "title": xf(title, '<alignment horizontal="center" vertical="center"/>', border_id=0),
        "note": xf(font, '<alignment horizontal="left" vertical="top" wrapText="1"/>', border_id=0),
        "head": xf(bold, center, fill=head_fill),
        "cell": xf(font, left),
        "center": xf(font, center),
        "error": xf(red, center),
        "warning": xf(amber, center),
        "link": xf(blue, center),
        "small": xf(grey, left),
    }


# --- the package --------------------------------------------------------------------------------------
@dataclass
class Marks:
    """Problem cells per sheet name (as in the file): (row 1-based, col 0-based) → comment text;
    and the rows whose wrapped text needs more than the height they have (row → points)."""

    cells: dict[str, dict[tuple[int, int], str]]
    heights: dict[str, dict[int, float]] = field(default_factory=dict)


def sheet_names(original: Path) -> list[str]:
    """The sheet names of an xlsx package, in workbook order (CannotPatch when it cannot be read)."""
    with _open(original) as zf:
        _part, wb_xml, _rels_xml = _workbook(zf)
        return [name for name, _rid, _tag in _sheets(wb_xml)]


def _open(original: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(original)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CannotPatch(str(exc)) from None


def _read(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART:
        raise CannotPatch(f"{name}: too large")
    try:
        return zf.read(info)
    except Exception as exc:  # noqa: BLE001 - a damaged member: rebuild instead
        raise CannotPatch(str(exc)) from None


def _workbook(zf: zipfile.ZipFile) -> tuple[str, bytes, bytes]:
    from taizhang.reading.xlsx import workbook_part

    part = workbook_part(zf)
    xml = _read(zf, part)
    rels = _read(zf, _rels_name(part))
    if xml is None or rels is None:
        raise CannotPatch("no workbook part")
    _unprefixed(xml, b"workbook")
    if MAIN_NS not in xml[:4096]:
        raise CannotPatch("not transitional OOXML")
    return part, xml, rels


def _sheets(wb_xml: bytes) -> list[tuple[str, str, bytes]]:
    """(name, relationship id, the <sheet> element) of every sheet."""
    import html

    out = []
    for m in re.finditer(rb"<sheet\b[^>]*?/?>", wb_xml):
        tag = m.group(0)
        name = _attr(tag, b"name")
        rid = re.search(rb'\s[\w.-]+:id="([^"]*)"', tag)
        if name is None or rid is None:
            raise CannotPatch("sheet element")
        out.append((html.unescape(name.decode("utf-8")), rid.group(1).decode(), tag))
    return out


def patch_workbook(original: Path, target: Path, spec: ListSheet, marks: Marks) -> None:
    """Write to `target` the returned package `original` with 问题清单 first, the problem cells of
    `marks` filled and commented. Raises CannotPatch (nothing useful written) when it cannot."""
    from taizhang.xlsx import print_setup, wrapped_height

    with _open(original) as zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        wb_part, wb_xml, wb_rels = _workbook(zf)
        wb_dir = posixpath.dirname(wb_part)
        rels = _rels(wb_rels)
        by_id = {rid: (rtype, target) for rid, rtype, target, _ in rels}
        sheets = _sheets(wb_xml)
        if any(name == spec.name for name, _rid, _tag in sheets):
            wb_xml, wb_rels, dropped = _drop_sheet(wb_xml, wb_rels, spec.name, wb_dir)
            sheets = _sheets(wb_xml)
            rels = _rels(wb_rels)
            by_id = {rid: (rtype, target) for rid, rtype, target, _ in rels}
        else:
            dropped = ""
        sheet_part = {}
        for name, rid, _tag in sheets:
            rtype, tgt = by_id.get(rid, ("", ""))
            if rtype.endswith(("/worksheet", "/chartsheet")):
                sheet_part[name] = _resolve(wb_dir, tgt)
        ct = _read(zf, "[Content_Types].xml")
        styles_name = next((_resolve(wb_dir, t) for _i, ty, t, _ in rels if ty.endswith("/styles")), None)
        styles_xml = _read(zf, styles_name) if styles_name else None
        if ct is None or styles_xml is None:
            raise CannotPatch("no content types or styles")
        styles = _Styles(styles_xml)
        fill_id = styles.add("fills", _fill(PROBLEM_FILL))
        st = _list_styles(styles)

        changed: dict[str, bytes] = {}
        added: dict[str, bytes] = {}
        if dropped:  # the branch sent a feedback workbook back: its old marks go
            restore = styles.unmarked()
            styles.cloned.clear()
            for part in sheet_part.values():
                xml = _read(zf, part) if restore else None
                if xml is not None:
                    changed[part] = _restyle(xml, restore)
        block = 100
        for sheet, heights in marks.heights.items():
            part = sheet_part.get(sheet)
            xml = (changed.get(part) or _read(zf, part)) if part is not None and heights else None
            if xml is not None:
                _unprefixed(xml, b"worksheet")
                changed[part] = _set_heights(xml, heights)
        for sheet, cells in marks.cells.items():
            part = sheet_part.get(sheet)
            if part is None or not cells:
                continue
            xml = changed.get(part) or _read(zf, part)
            if xml is None:
                continue
            _unprefixed(xml, b"worksheet")
            xml = _mark_cells(xml, set(cells), styles, fill_id)
            rels_name = _rels_name(part)
            srels_xml = _read(zf, rels_name)
            srels = _rels(srels_xml) if srels_xml is not None else []
            used = {rid for rid, *_ in srels}
            part_dir = posixpath.dirname(part)
            old_comments = next((_resolve(part_dir, t) for _i, ty, t, _ in srels if ty == T_COMMENTS), None)
            old_vml_rel = re.search(rb"<legacyDrawing\b[^>]*?:id=\"([^\"]*)\"", xml)
            old_vml = None
            if old_vml_rel:
                rid = old_vml_rel.group(1).decode()
                old_vml = next((_resolve(part_dir, t) for i, _ty, t, _ in srels if i == rid), None)
            ours = {(r - 1, c): text for (r, c), text in cells.items()}
            comments_xml, commented = _comments_part(_read(zf, old_comments) if old_comments else None, ours)
            block += 1
            vml_xml = _vml(_read(zf, old_vml) if old_vml else None, commented, block)
            stem = posixpath.basename(part).rsplit(".", 1)[0]
            if old_comments:
                changed[old_comments] = comments_xml
            else:
                cpath = _free(names | set(added), f"{wb_dir}/comments_tz_{stem}.xml")
                added[cpath] = comments_xml
                srels_xml = _add_rel(srels_xml, _new_id(used), T_COMMENTS,
                                     posixpath.relpath(cpath, part_dir))
                ct = _add_override(ct, cpath, CT_COMMENTS)
            if old_vml:
                changed[old_vml] = vml_xml
            else:
                vpath = _free(names | set(added), f"{wb_dir}/drawings/vmlDrawing_tz_{stem}.vml")
                added[vpath] = vml_xml
                rid = _new_id(used)
                srels_xml = _add_rel(srels_xml, rid, T_VML, posixpath.relpath(vpath, part_dir))
                prefix, xml = _rel_prefix(xml, b"worksheet")
                xml = _insert_legacy(xml, rid, prefix)
                if not re.search(rb'<Default\s+Extension="vml"', ct, flags=re.IGNORECASE):
                    ct = _add_default(ct, "vml", CT_VML)
            assert srels_xml is not None
            changed[rels_name] = srels_xml
            changed[part] = xml

        # 问题清单: its part, its relationship, first in <sheets>
        setup = _Setup()
        print_setup(setup, header_rows=(2, 2), widths=spec.widths, font_size=10)
        total_width = sum(spec.widths)
        heights = [max(30.0, wrapped_height([(0, spec.note)], int(total_width * 0.85)) + 6)]
        for line in spec.lines:
            texts = [line.severity, line.sheet, line.row, line.column, line.value, line.problem, line.fix, line.rule]
            heights.append(max(20.0, max(wrapped_height([(0, t)], int(w)) for t, w in zip(texts, spec.widths)) + 2))
        list_part = _free(names | set(added), f"{wb_dir}/worksheets/sheet_tz_list.xml")
        added[list_part] = _list_sheet_xml(spec, st, heights, setup)
        used_ids = {rid for rid, *_ in rels}
        list_rid = _new_id(used_ids)
        wb_rels = _add_rel(wb_rels, list_rid, T_SHEET, posixpath.relpath(list_part, wb_dir))
        ct = _add_override(ct, list_part, CT_SHEET)
        wb_xml = _first_sheet(wb_xml, spec, list_rid, len(spec.headers), len(spec.lines), setup)
        changed[wb_part] = wb_xml
        changed[_rels_name(wb_part)] = wb_rels
        changed["[Content_Types].xml"] = ct
        assert styles_name is not None
        changed[styles_name] = styles.result()
        # no other sheet selected (several selected sheets are grouped: edits would go to all)
        for part in sheet_part.values():
            if part == dropped:
                continue
            xml = changed.get(part) or _read(zf, part)
            if xml is not None and b'tabSelected="1"' in xml:
                changed[part] = xml.replace(b'tabSelected="1"', b'tabSelected="0"')

        for name in [n for n in changed if n not in names]:
            added[name] = changed.pop(name)
        from taizhang.safeio import atomic_path

        with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for info in infos:
                if dropped and info.filename in (dropped, _rels_name(dropped)):
                    continue
                data = changed.get(info.filename)
                if data is None:
                    data = _read(zf, info.filename)
                    if data is None:
                        continue
                out.writestr(_fresh(info.filename), data, compresslevel=1)
            for name, data in added.items():
                out.writestr(_fresh(name), data, compresslevel=1)


def _fresh(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _free(used: set[str], wanted: str) -> str:
    wanted = wanted.lstrip("/")
    if wanted not in used:
        return wanted
    stem, ext = wanted.rsplit(".", 1)
    n = 2
    while f"{stem}{n}.{ext}" in used:
        n += 1
    return f"{stem}{n}.{ext}"


def _add_override(ct: bytes, part: str, content_type: str) -> bytes:
    tag = f'<Override PartName="/{_x(part)}" ContentType="{content_type}"/>'.encode()
    i = ct.rfind(b"</Types>")
    if i < 0:
        raise CannotPatch("content types")
    return ct[:i] + tag + ct[i:]


def _add_default(ct: bytes, ext: str, content_type: str) -> bytes:
    tag = f'<Default Extension="{ext}" ContentType="{content_type}"/>'.encode()
    m = re.search(rb"<Types\b[^>]*>", ct)
    if not m:
        raise CannotPatch("content types")
    return ct[:m.end()] + tag + ct[m.end():]


def _drop_sheet(wb_xml: bytes, wb_rels: bytes, name: str, wb_dir: str) -> tuple[bytes, bytes, str]:
    """Remove an earlier feedback's 问题清单 (the branch sent the feedback file back)."""
    sheets = _sheets(wb_xml)
    index = next(i for i, (n, _r, _t) in enumerate(sheets) if n == name)
    _n, rid, tag = sheets[index]
    target = next((t for i, _ty, t, _ in _rels(wb_rels) if i == rid), "")
    rel_tag = next((el for i, _ty, _t, el in _rels(wb_rels) if i == rid), b"")
    wb_xml = wb_xml.replace(tag, b"", 1)
    wb_rels = wb_rels.replace(rel_tag, b"", 1) if rel_tag else wb_rels
    # names local to it go; those of later sheets move up by one
    def local(m: re.Match[bytes]) -> bytes:
        el = m.group(0)
        sid = _attr(el, b"localSheetId")
        if sid is None or not sid.isdigit():
            return el
        if int(sid) == index:
            return b""
        if int(sid) > index:
            return _set_attr(el, b"localSheetId", str(int(sid) - 1).encode())
        return el
    wb_xml = re.sub(rb"<definedName\b[^>]*?(?:/>|>.*?</definedName>)", local, wb_xml, flags=re.DOTALL)
    wb_xml = re.sub(rb"<definedNames>\s*</definedNames>", b"", wb_xml)
    return wb_xml, wb_rels, _resolve(wb_dir, target) if target else ""


def _first_sheet(wb_xml: bytes, spec: ListSheet, rid: str, ncol: int, nrows: int, setup: _Setup) -> bytes:
    """workbook.xml with 问题清单 first and active, local names shifted, its filter and print titles."""
    prefix, wb_xml = _rel_prefix(wb_xml, b"workbook")
    ids = [int(x) for x in re.findall(rb'<sheet\b[^>]*?\ssheetId="(\d+)"', wb_xml)]
    tag = f'<sheet name="{_x(spec.name)}" sheetId="{max(ids, default=0) + 1}" {prefix.decode()}:id="{rid}"/>'
    m = re.search(rb"<sheets\b[^>]*>", wb_xml)
    if not m:
        raise CannotPatch("sheets")
    wb_xml = wb_xml[:m.end()] + tag.encode() + wb_xml[m.end():]

    def shift(m: re.Match[bytes]) -> bytes:
        el = m.group(0)
        sid = _attr(el, b"localSheetId")
        return _set_attr(el, b"localSheetId", str(int(sid) + 1).encode()) if sid and sid.isdigit() else el
    wb_xml = re.sub(rb"<definedName\b[^>]*?>", shift, wb_xml)
    last = column_letter(ncol - 1)
    quoted = spec.name.replace("'", "''")
    names = (f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">\'{_x(quoted)}\'!$A$3:${last}'
             f'${3 + max(nrows, 1)}</definedName>')
    if setup.repeat:
        names += (f'<definedName name="_xlnm.Print_Titles" localSheetId="0">\'{_x(quoted)}\'!'
                  f'${setup.repeat[0] + 1}:${setup.repeat[1] + 1}</definedName>')
    if re.search(rb"<definedNames\b[^>]*/>", wb_xml):
        wb_xml = re.sub(rb"<definedNames\b[^>]*/>", b"<definedNames>" + names.encode() + b"</definedNames>",
                        wb_xml, count=1)
    elif b"<definedNames" in wb_xml:
        dm = re.search(rb"<definedNames\b[^>]*>", wb_xml)
        assert dm is not None
        wb_xml = wb_xml[:dm.end()] + names.encode() + wb_xml[dm.end():]
    else:
        i = wb_xml.find(b"</sheets>")
        if i < 0:
            raise CannotPatch("sheets end")
        i += len(b"</sheets>")
        # definedNames follows sheets/functionGroups/externalReferences
        for after in (b"</functionGroups>", b"</externalReferences>"):
            j = wb_xml.find(after)
            if j >= 0:
                i = max(i, j + len(after))
        wb_xml = wb_xml[:i] + b"<definedNames>" + names.encode() + b"</definedNames>" + wb_xml[i:]

    def view(m: re.Match[bytes]) -> bytes:
        return _set_attr(_set_attr(m.group(0), b"activeTab", b"0"), b"firstSheet", b"0")
    return re.sub(rb"<workbookView\b[^>]*?/?>", view, wb_xml)
