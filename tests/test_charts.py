"""Charts: PNGs that decode, fit the page, and draw Chinese with the shipped font."""

from __future__ import annotations

import itertools
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

import taizhang
from taizhang.reports import charts

BRANCH_NAME_CHARS = (
    "党支部委员会机关第一二三四五六七八九十离退休干部办公室综合财务人事组织宣传纪检监察后勤保障"
    "服务中心研究所学院医院社区街道村镇乡企业公司分局科处室联合临时功能型教工学生在职老年退役军人"
    "总支基层党委工作站区县市省直属单位教育卫生健康农业农村水利交通运输住房城乡建设生态环境"
    "（）·、—０１２３４５６７８９0123456789ABC"
)


def _decode(png: bytes) -> Image.Image:
    image = Image.open(BytesIO(png))
    image.load()
    return image.convert("RGB")


def _dark(image: Image.Image, below: int) -> int:
    """How many pixels of `image` are darker than `below` (grey level)."""
    return sum(1 for b in image.convert("L").tobytes() if b < below)


def _runs(image: Image.Image, x: int, colour: tuple[int, int, int]) -> int:
    """How many separate vertical runs of `colour` the pixel column x has."""
    runs, inside = 0, False
    for y in range(image.height):
        hit = image.getpixel((x, y)) == colour
        if hit and not inside:
            runs += 1
        inside = hit
    return runs


def test_bar_chart_png_fits_the_text_width():
    png = charts.bar_chart("各支部召开支委会次数", ["第一党支部", "第二党支部", "第三党支部"], [12, 10, 3], unit="次")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    raw = Image.open(BytesIO(png))
    assert raw.size[0] == 921  # 156 mm at 150 dpi
    assert 300 <= raw.size[1] <= 1329  # at most 225 mm
    assert round(raw.info["dpi"][0]) == 150


def test_the_font_is_the_shipped_subset():
    path = charts.font_path()
    assert path.is_file()
    assert Path(taizhang.__file__).parent in path.parents
    assert ImageFont.truetype(str(path), 20).getname() == ("Taizhang Sans SC", "Regular")
    assert (path.parent / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE Version 1.1") == 1
    assert path.stat().st_size < 5_000_000


def test_font_covers_gb2312_and_branch_name_characters():
    covered = charts.font_coverage()
    missing = [c for c in BRANCH_NAME_CHARS if ord(c) not in covered]
    assert missing == []
    hanzi = [bytes([hi, lo]).decode("gb2312") for hi in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF)
             if (hi, lo) < (0xD7, 0xFA) or hi > 0xD7]
    assert len(hanzi) == 6763
    assert all(ord(c) in covered for c in hanzi)
    assert ord("𠀀") not in covered  # CJK extension B is not in the subset


def test_cmap_reader_agrees_with_fonttools():
    ttlib = pytest.importorskip("fontTools.ttLib")
    font = ttlib.TTFont(str(charts.font_path()))
    assert charts.font_coverage() == frozenset(font.getBestCmap())


def _glyph(text: str) -> Image.Image:
    face = charts._face(40)
    image = Image.new("L", (60, 60), 255)
    face.draw(ImageDraw.Draw(image), 5, 30, text, 0)
    return image


def test_chinese_renders_as_glyphs_not_boxes(monkeypatch):
    monkeypatch.setattr(charts, "_system_font", lambda: None)
    charts._face.cache_clear()
    try:
        dang, zhi, box = _glyph("党"), _glyph("支"), _glyph("\U00020000")
        assert _dark(dang, 128) > 100 and _dark(zhi, 128) > 100
        assert dang.tobytes() != zhi.tobytes()
        assert dang.tobytes() != box.tobytes()  # 党 is a real glyph, not the missing-glyph box
    finally:
        charts._face.cache_clear()


def test_chart_does_not_depend_on_machine_fonts(monkeypatch):
    labels, values = ["机关第一党支部", "办公室党支部"], [5, 7]
    with_machine = charts.bar_chart("党费收缴率", labels, values, unit="%")
    monkeypatch.setattr(charts, "_system_font", lambda: None)
    charts._face.cache_clear()
    try:
        without = charts.bar_chart("党费收缴率", labels, values, unit="%")
    finally:
        charts._face.cache_clear()
    # Every character is in the shipped font, so the machine's fonts change nothing.
    assert _decode(with_machine).tobytes() == _decode(without).tobytes()


def test_label_region_has_ink():
    image = _decode(charts.bar_chart("标题", ["党支部甲", "党支部乙"], [3, 4], horizontal=True))
    # Labels sit left of the plot; the strip left of x=200 below the title must contain dark text.
    strip = image.crop((0, 100, 200, image.height - 50))
    assert _dark(strip, 100) > 200


def test_sixty_bars_with_long_names_fit_one_page():
    labels = [f"机关第{i}党支部综合办公室联合党支部"[:20] for i in range(1, 61)]
    values = [100 - i % 7 for i in range(60)]
    png = charts.bar_chart("各支部党费收缴率", labels, values, unit="%", highlight=[0, 5, labels[9]])
    image = _decode(png)
    assert image.width == 921 and image.height <= charts.MAX_HEIGHT_PX
    # A column just right of the value axis crosses every bar: 57 blue ones and 3 red ones.
    x = _first_bar_column(image)
    assert _runs(image, x, charts.BAR) == 57
    assert _runs(image, x, charts.HIGHLIGHT) == 3


def _first_bar_column(image: Image.Image) -> int:
    y = image.height // 2
    for x in range(image.width):
        if image.getpixel((x, y)) in (charts.BAR, charts.HIGHLIGHT):
            return x + 2
    raise AssertionError("no bar found")


def test_orientation_follows_bar_count_and_label_length():
    short = charts.bar_chart("t", ["一支部", "二支部", "三支部"], [1, 2, 3])
    many = charts.bar_chart("t", [f"{i}支部" for i in range(12)], list(range(12)))
    # Vertical: the bars are columns, so a horizontal line through the plot crosses 3 bars.
    image = _decode(short)
    y = image.height - 120
    row = [image.getpixel((x, y)) == charts.BAR for x in range(image.width)]
    assert sum(1 for a, b in itertools.pairwise(row) if b and not a) == 3
    assert _runs(_decode(many), _first_bar_column(_decode(many)), charts.BAR) == 11  # 0 has no bar


def test_values_may_be_missing_zero_decimal_or_all_zero():
    png = charts.bar_chart("收缴率", ["甲", "乙", "丙", "丁"], [None, 0, Decimal("87.25"), 100.0], unit="%")
    assert _decode(png).width == 921
    assert _decode(charts.bar_chart("全零", ["甲", "乙"], [0, 0])).width == 921


def test_empty_chart_says_no_data():
    image = _decode(charts.bar_chart("各支部召开支委会次数", [], []))
    assert image.size == (921, 300)
    assert _dark(image, 200) > 100


def test_rare_characters_do_not_crash():
    png = charts.bar_chart("稀有字\U00020000测试 😀", ["王堃", "李\U00020000", "\u3400支部"], [1, 2, 3])
    assert _decode(png).width == 921


def test_mismatched_lengths_are_a_programming_error():
    with pytest.raises(ValueError):
        charts.bar_chart("t", ["a"], [1, 2])
    with pytest.raises(ValueError):
        charts.pipeline_chart(["a"], [])


def test_pipeline_bars_are_proportional():
    stages = ["入党申请人", "入党积极分子", "发展对象", "预备党员"]
    image = _decode(charts.pipeline_chart(stages, [24, 12, 6, 3]))
    widths = []
    for i, colour in enumerate(charts.PIPELINE[:4]):
        xs = [x for x in range(image.width) for y in range(0, image.height, 4)
              if image.getpixel((x, y)) == colour]
        widths.append(max(xs) - min(xs) + 1)
    assert widths[0] / widths[1] == pytest.approx(2, rel=0.03)
    assert widths[1] / widths[2] == pytest.approx(2, rel=0.05)
    assert widths[2] / widths[3] == pytest.approx(2, rel=0.1)


@pytest.mark.parametrize(
    ("maximum", "integer", "ticks"),
    [(13, False, [0, 5, 10, 15]), (100, False, [0, 20, 40, 60, 80, 100]), (2, True, [0, 1, 2]),
     (0, False, [0, 1]), (0.9, False, [0, 0.2, 0.4, 0.6, 0.8, 1.0])],
)
def test_nice_ticks(maximum, integer, ticks):
    assert charts._nice_ticks(maximum, integer=integer) == pytest.approx(ticks)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(98.5, "%", "98.5%"), (12, "次", "12次"), (None, "", "—"), (Decimal("87.250"), "%", "87.25%"),
     (12345, "元", "12,345元"), (100.0, "%", "100%")],
)
def test_value_labels(value, unit, text):
    assert charts._format_value(value, unit) == text
