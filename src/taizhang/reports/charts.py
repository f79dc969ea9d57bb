"""Bar charts as PNG pictures for the Word reports, drawn with Pillow.

Chinese text is drawn with the CJK font shipped in ``taizhang/fonts`` (a subset of Noto Sans CJK
SC covering all GB 2312 characters, see ``fonts/README.md``), so a chart looks the same on every
machine. A character the subset lacks (a rare name character) is drawn with a CJK font found on the
machine if there is one, else as the font's empty box; it never raises.

Pictures are 150 dpi and 156 mm wide (the 公文 text width), at most 225 mm tall, so
``gongwen.add_picture(doc, png, 156)`` places them at their natural size.
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DPI = 150
WIDTH_MM = 156
MAX_HEIGHT_MM = 225
WIDTH_PX = round(WIDTH_MM / 25.4 * DPI)  # 921
MAX_HEIGHT_PX = round(MAX_HEIGHT_MM / 25.4 * DPI)  # 1329

FONT_FILE = "TaizhangSansSC-Regular.otf"

BACKGROUND = (255, 255, 255)
TEXT = (34, 34, 34)
MUTED = (110, 110, 110)
GRID = (221, 221, 221)
AXIS = (120, 120, 120)
BAR = (79, 129, 189)
HIGHLIGHT = (192, 0, 0)
PIPELINE = [(198, 40, 40), (229, 115, 0), (46, 125, 50), (21, 101, 192), (106, 27, 154)]

NO_DATA = "暂无数据"
MISSING_VALUE = "—"

# Candidate CJK fonts of the machine, for characters outside the shipped subset: (path, face index).
_SYSTEM_CJK_FONTS: list[tuple[str, int]] = [
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
    ("/System/Library/Fonts/Hiragino Sans GB.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc", 0),
]


# --- fonts -----------------------------------------------------------------------------------
def font_path() -> Path:
    """Return the path of the CJK font shipped with the package (used for all chart text)."""
    return Path(str(resources.files("taizhang").joinpath("fonts").joinpath(FONT_FILE)))


def _read_cmap(data: bytes, face_offset: int = 0) -> set[int]:
    """The code points a TrueType/OpenType face maps (cmap formats 4 and 12)."""
    num_tables = struct.unpack_from(">H", data, face_offset + 4)[0]
    cmap_offset = None
    for i in range(num_tables):
        tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, face_offset + 12 + 16 * i)
        if tag == b"cmap":
            cmap_offset = offset
            break
    if cmap_offset is None:
        return set()
    _version, count = struct.unpack_from(">HH", data, cmap_offset)
    subtables = []
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap_offset + 4 + 8 * i)
        fmt = struct.unpack_from(">H", data, cmap_offset + offset)[0]
        subtables.append((platform, encoding, fmt, cmap_offset + offset))
    codepoints: set[int] = set()
    for _platform, _encoding, fmt, start in subtables:
        if fmt == 12:
            n_groups = struct.unpack_from(">I", data, start + 12)[0]
            for g in range(n_groups):
                first, last, _glyph = struct.unpack_from(">III", data, start + 16 + 12 * g)
                codepoints.update(range(first, last + 1))
        elif fmt == 4:
            seg_x2 = struct.unpack_from(">H", data, start + 6)[0]
            seg = seg_x2 // 2
            ends = struct.unpack_from(f">{seg}H", data, start + 14)
            starts = struct.unpack_from(f">{seg}H", data, start + 16 + seg_x2)
            deltas = struct.unpack_from(f">{seg}h", data, start + 16 + 2 * seg_x2)
            range_base = start + 16 + 3 * seg_x2
            range_offsets = struct.unpack_from(f">{seg}H", data, range_base)
            for k in range(seg):
                for c in range(starts[k], ends[k] + 1):
                    if c == 0xFFFF:
                        continue
                    if range_offsets[k] == 0:
                        glyph = (c + deltas[k]) & 0xFFFF
                    else:
                        addr = range_base + 2 * k + range_offsets[k] + 2 * (c - starts[k])
                        glyph = struct.unpack_from(">H", data, addr)[0]
                        if glyph:
                            glyph = (glyph + deltas[k]) & 0xFFFF
                    if glyph:
                        codepoints.add(c)
    return codepoints


@functools.lru_cache(maxsize=1)
def font_coverage() -> frozenset[int]:
    """Return the set of code points the shipped font has glyphs for."""
    return frozenset(_read_cmap(font_path().read_bytes()))


@functools.lru_cache(maxsize=1)
def _system_font() -> tuple[str, int] | None:
    """A CJK font of this machine (path, face index), or None."""
    for path, index in _SYSTEM_CJK_FONTS:
        if Path(path).is_file():
            try:
                ImageFont.truetype(path, 12, index=index)
            except OSError:
                continue
            return path, index
    return None


@dataclass
class _Face:
    """Chart text at one pixel size: the shipped font plus a machine font for what it lacks."""

    size: int

    def __post_init__(self) -> None:
        self.main = ImageFont.truetype(str(font_path()), self.size, layout_engine=ImageFont.Layout.BASIC)
        system = _system_font()
        self.fallback = (
            ImageFont.truetype(system[0], self.size, index=system[1], layout_engine=ImageFont.Layout.BASIC)
            if system else None
        )
        self.covered = font_coverage()
        self.ascent, self.descent = self.main.getmetrics()

    @property
    def height(self) -> int:
        return self.ascent + self.descent

    def runs(self, text: str) -> list[tuple[ImageFont.FreeTypeFont, str]]:
        """Split text into runs drawn with the shipped font or the fallback."""
        out: list[tuple[ImageFont.FreeTypeFont, str]] = []
        for ch in text:
            font = self.main
            if ord(ch) not in self.covered and self.fallback is not None and not ch.isspace():
                font = self.fallback
            if out and out[-1][0] is font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        return out

    def width(self, text: str) -> int:
        return math.ceil(sum(font.getlength(part) for font, part in self.runs(text)))

    def draw(self, draw: ImageDraw.ImageDraw, x: float, y: float, text: str, fill: tuple[int, int, int],
             anchor: str = "l") -> None:
        """Draw text with its vertical middle at y; anchor l/m/r is where x is horizontally."""
        w = self.width(text)
        if anchor == "m":
            x -= w / 2
        elif anchor == "r":
            x -= w
        baseline = y + (self.ascent - self.descent) / 2
        for font, part in self.runs(text):
            draw.text((x, baseline), part, font=font, fill=fill, anchor="ls")
            x += font.getlength(part)

    def fit(self, text: str, max_width: int) -> str:
        """Text shortened with … so it fits max_width."""
        if self.width(text) <= max_width:
            return text
        while text and self.width(text + "…") > max_width:
            text = text[:-1]
        return text + "…"

    def wrap(self, text: str, max_width: int, max_lines: int) -> list[str]:
        """Text broken into at most max_lines lines of max_width (the last one shortened)."""
        lines: list[str] = []
        current = ""
        for ch in text:
            if self.width(current + ch) <= max_width or not current:
                current += ch
            else:
                lines.append(current)
                current = ch
        if current:
            lines.append(current)
        if len(lines) > max_lines:
            rest = "".join(lines[max_lines - 1:])
            lines = lines[: max_lines - 1] + [self.fit(rest, max_width)]
        return lines or [""]


@functools.lru_cache(maxsize=32)
def _face(size: int) -> _Face:
    return _Face(size)


# --- numbers ---------------------------------------------------------------------------------
Number = int | float | Decimal


def _as_float(value: Number | None) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _format_value(value: Number | None, unit: str) -> str:
    if value is None:
        return MISSING_VALUE
    f = float(value)
    if not math.isfinite(f):
        return MISSING_VALUE
    if isinstance(value, int) or f.is_integer():
        text = f"{int(f):,}" if abs(f) >= 10000 else str(int(f))
    else:
        text = f"{f:.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def _nice_ticks(maximum: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """0 and round steps (whole numbers when `integer`) up to at least `maximum`."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1.0, float(math.ceil(step)))
    top = math.ceil(maximum / step - 1e-9) * step
    n = round(top / step)
    return [i * step for i in range(n + 1)]


def _all_integers(values: Sequence[Number | None]) -> bool:
    return all(v is None or isinstance(v, int) or float(v).is_integer() for v in values)


def _png(image: Image.Image) -> bytes:
    buf = BytesIO()
    image.save(buf, "PNG", dpi=(DPI, DPI), optimize=True)
    return buf.getvalue()


def _highlighted(index: int, label: str, highlight: Collection[int | str] | None) -> bool:
    if not highlight:
        return False
    return index in highlight or label in highlight


# --- charts ----------------------------------------------------------------------------------
MARGIN = 24
TITLE_SIZE = 30
LABEL_SIZE = 20
MIN_LABEL_SIZE = 14
VALUE_SIZE = 18


def _title_block(title: str) -> tuple[list[str], _Face]:
    face = _face(TITLE_SIZE)
    return face.wrap(title, WIDTH_PX - 2 * MARGIN, 2), face


def bar_chart(title: str, labels: Sequence[str], values: Sequence[Number | None], *, unit: str = "",
              horizontal: bool | None = None,
              highlight: Collection[int | str] | None = None) -> bytes:
    """Return a PNG (150 dpi, 156 mm wide) of a bar chart with Chinese title and labels.

    `values` may hold None (shown as "—", no bar); `unit` is appended to the value labels (次, %,
    元); `highlight` marks bars by index or label (drawn red, e.g. branches that fell short).
    Bars are horizontal when `horizontal` is None and there are more than 8 of them or a label is
    too long to sit under its bar; up to ~60 bars fit on one page with labels of 20 characters."""
    labels = [str(label) for label in labels]
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    if horizontal is None:
        horizontal = _prefer_horizontal(labels)
    if horizontal:
        return _horizontal(title, labels, list(values), unit, highlight)
    return _vertical(title, labels, list(values), unit, highlight)


def _prefer_horizontal(labels: list[str]) -> bool:
    if len(labels) > 8:
        return True
    if not labels:
        return False
    slot = (WIDTH_PX - 2 * MARGIN - 60) / len(labels)
    face = _face(LABEL_SIZE)
    # Under a vertical bar a label may take two lines.
    return any(face.width(label) > 2 * (slot - 8) for label in labels)


def _empty_chart(title: str) -> bytes:
    height = 300
    image = Image.new("RGB", (WIDTH_PX, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    lines, face = _title_block(title)
    y = MARGIN + face.height / 2
    for line in lines:
        face.draw(draw, WIDTH_PX / 2, y, line, TEXT, "m")
        y += face.height + 4
    _face(LABEL_SIZE).draw(draw, WIDTH_PX / 2, (y + height) / 2, NO_DATA, MUTED, "m")
    return _png(image)


def _horizontal(title: str, labels: list[str], values: list[Number | None], unit: str,
                highlight: Collection[int | str] | None) -> bytes:
    n = len(labels)
    if n == 0:
        return _empty_chart(title)
    title_lines, title_face = _title_block(title)
    title_h = MARGIN + len(title_lines) * (title_face.height + 4) + 12
    axis_h = 64 if unit else 40
    # Row pitch: generous for a few bars, down to 18 px so ~60 bars stay within 225 mm.
    pitch = max(18, min(44, (MAX_HEIGHT_PX - title_h - axis_h - MARGIN) // n))
    label_size = max(MIN_LABEL_SIZE, min(LABEL_SIZE, int(pitch * 0.8)))
    label_face = _face(label_size)
    value_face = _face(max(MIN_LABEL_SIZE, min(VALUE_SIZE, int(pitch * 0.75))))
    max_label_w = int(WIDTH_PX * 0.42)
    label_w = min(max_label_w, max(label_face.width(label) for label in labels))
    shown = [label_face.fit(label, max_label_w) for label in labels]

    nums = [_as_float(v) for v in values]
    top = max([v for v in nums if v is not None] + [0.0])
    ticks = _nice_ticks(top, integer=_all_integers(values))
    value_w = max(value_face.width(_format_value(v, unit)) for v in values) + 8
    plot_x0 = MARGIN + label_w + 12
    plot_x1 = WIDTH_PX - MARGIN - value_w
    plot_y0 = title_h
    plot_y1 = plot_y0 + n * pitch
    height = plot_y1 + axis_h + MARGIN // 2

    image = Image.new("RGB", (WIDTH_PX, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = MARGIN + title_face.height / 2
    for line in title_lines:
        title_face.draw(draw, WIDTH_PX / 2, y, line, TEXT, "m")
        y += title_face.height + 4

    scale = (plot_x1 - plot_x0) / ticks[-1]
    tick_face = _face(MIN_LABEL_SIZE + 2)
    for t in ticks:
        x = plot_x0 + t * scale
        draw.line([(x, plot_y0), (x, plot_y1)], fill=GRID, width=1)
        tick_face.draw(draw, x, plot_y1 + 18, _format_value(t, ""), MUTED, "m")
    if unit:
        tick_face.draw(draw, WIDTH_PX - MARGIN, plot_y1 + 44, f"单位：{unit}", MUTED, "r")

    bar_h = max(8, int(pitch * 0.62))
    for i, (label, value) in enumerate(zip(shown, nums)):
        cy = plot_y0 + i * pitch + pitch / 2
        colour = HIGHLIGHT if _highlighted(i, labels[i], highlight) else BAR
        label_face.draw(draw, plot_x0 - 10, cy, label, HIGHLIGHT if colour == HIGHLIGHT else TEXT, "r")
        end = float(plot_x0)
        if value is not None and value > 0:
            end = plot_x0 + value * scale
            draw.rectangle([plot_x0, cy - bar_h / 2, end, cy + bar_h / 2], fill=colour)
        value_face.draw(draw, end + 6, cy, _format_value(values[i], unit), TEXT, "l")
    draw.line([(plot_x0, plot_y0), (plot_x0, plot_y1)], fill=AXIS, width=2)
    return _png(image)


def _vertical(title: str, labels: list[str], values: list[Number | None], unit: str,
              highlight: Collection[int | str] | None) -> bytes:
    n = len(labels)
    if n == 0:
        return _empty_chart(title)
    title_lines, title_face = _title_block(title)
    title_h = MARGIN + len(title_lines) * (title_face.height + 4) + 44
    label_face = _face(LABEL_SIZE)
    value_face = _face(VALUE_SIZE)
    tick_face = _face(MIN_LABEL_SIZE + 2)

    nums = [_as_float(v) for v in values]
    top = max([v for v in nums if v is not None] + [0.0])
    ticks = _nice_ticks(top, integer=_all_integers(values))
    tick_w = max(tick_face.width(_format_value(t, "")) for t in ticks) + 10
    plot_x0 = MARGIN + tick_w
    plot_x1 = WIDTH_PX - MARGIN
    slot = (plot_x1 - plot_x0) / n
    wrapped = [label_face.wrap(label, int(slot) - 8, 2) for label in labels]
    label_lines = max(len(w) for w in wrapped)
    plot_y0 = title_h
    plot_h = 380
    plot_y1 = plot_y0 + plot_h
    height = plot_y1 + 12 + label_lines * (label_face.height + 2) + MARGIN

    image = Image.new("RGB", (WIDTH_PX, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = MARGIN + title_face.height / 2
    for line in title_lines:
        title_face.draw(draw, WIDTH_PX / 2, y, line, TEXT, "m")
        y += title_face.height + 4
    if unit:
        tick_face.draw(draw, MARGIN, plot_y0 - 30, f"单位：{unit}", MUTED, "l")

    scale = plot_h / ticks[-1]
    for t in ticks:
        yy = plot_y1 - t * scale
        draw.line([(plot_x0, yy), (plot_x1, yy)], fill=GRID, width=1)
        tick_face.draw(draw, plot_x0 - 6, yy, _format_value(t, ""), MUTED, "r")

    bar_w = min(80, slot * 0.6)
    for i, value in enumerate(nums):
        cx = plot_x0 + slot * i + slot / 2
        colour = HIGHLIGHT if _highlighted(i, labels[i], highlight) else BAR
        top_y = float(plot_y1)
        if value is not None and value > 0:
            top_y = plot_y1 - value * scale
            draw.rectangle([cx - bar_w / 2, top_y, cx + bar_w / 2, plot_y1], fill=colour)
        value_face.draw(draw, cx, top_y - value_face.height / 2 - 2, _format_value(values[i], unit), TEXT, "m")
        ly = plot_y1 + 12 + label_face.height / 2
        for line in wrapped[i]:
            label_face.draw(draw, cx, ly, line, HIGHLIGHT if colour == HIGHLIGHT else TEXT, "m")
            ly += label_face.height + 2
    draw.line([(plot_x0, plot_y1), (plot_x1, plot_y1)], fill=AXIS, width=2)
    return _png(image)


def pipeline_chart(stages: list[str], counts: list[int], *, title: str = "发展党员工作情况",
                   unit: str = "人") -> bytes:
    """Return a PNG (150 dpi, 156 mm wide) of the recruitment pipeline: one centred bar per stage
    (入党申请人 → 入党积极分子 → 发展对象 → 预备党员), its width proportional to the count, the
    count written beside it."""
    if len(stages) != len(counts):
        raise ValueError(f"{len(stages)} stages for {len(counts)} counts")
    n = len(stages)
    if n == 0:
        return _empty_chart(title)
    title_lines, title_face = _title_block(title)
    title_h = MARGIN + len(title_lines) * (title_face.height + 4) + 16
    label_face = _face(LABEL_SIZE + 2)
    value_face = _face(LABEL_SIZE + 2)
    pitch = 64 if n <= 6 else max(24, (MAX_HEIGHT_PX - title_h - MARGIN) // n)
    label_w = min(int(WIDTH_PX * 0.3), max(label_face.width(s) for s in stages))
    value_w = max(value_face.width(_format_value(c, unit)) for c in counts) + 12
    plot_x0 = MARGIN + label_w + 16
    plot_x1 = WIDTH_PX - MARGIN - value_w
    centre = (plot_x0 + plot_x1) / 2
    top = max([c for c in counts if c is not None] + [0])
    scale = (plot_x1 - plot_x0) / top if top > 0 else 0.0
    height = title_h + n * pitch + MARGIN

    image = Image.new("RGB", (WIDTH_PX, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = MARGIN + title_face.height / 2
    for line in title_lines:
        title_face.draw(draw, WIDTH_PX / 2, y, line, TEXT, "m")
        y += title_face.height + 4
    bar_h = int(pitch * 0.7)
    for i, (stage, count) in enumerate(zip(stages, counts)):
        cy = title_h + i * pitch + pitch / 2
        label_face.draw(draw, plot_x0 - 12, cy, label_face.fit(stage, label_w), TEXT, "r")
        half = max(2.0, (count or 0) * scale / 2)
        colour = PIPELINE[i % len(PIPELINE)]
        draw.rectangle([centre - half, cy - bar_h / 2, centre + half, cy + bar_h / 2], fill=colour)
        value_face.draw(draw, centre + half + 8, cy, _format_value(count, unit), TEXT, "l")
    return _png(image)
