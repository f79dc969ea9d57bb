"""What we write prints well: sheets fit the page width only while the text stays legible, wider
tables are split into parts with their key columns repeated, 填表说明 and 年度小结 take one page
each, and a 公文's signature never stands alone on its last page."""

from __future__ import annotations

import docx
import openpyxl
import pytest
from conftest import invoke

from taizhang.xlsx import MIN_PRINT_PT, PAGE_WIDTH_PT, column_points, plan_print


def test_a_narrow_table_is_fitted_upright() -> None:
    plan = plan_print([6, 10, 20, 8])
    assert plan.landscape is False and plan.scale is None and plan.breaks == []


def test_a_wide_table_is_fitted_to_the_width_while_legible() -> None:
    plan = plan_print([8] * 18, font_size=10)
    assert plan.landscape and plan.scale is None and plan.breaks == []


@pytest.mark.parametrize("count", [30, 45, 80])
def test_a_very_wide_table_is_split_into_legible_parts(count) -> None:
    widths = [4.0, 6.0, 20.0] + [7.0] * count
    plan = plan_print(widths, font_size=10, key_columns=3, keep_together=[(5, 6), (10, 12)])
    assert plan.landscape and plan.breaks
    assert plan.scale is not None and plan.scale * 10 / 100 >= MIN_PRINT_PT
    key = sum(column_points(w) for w in widths[:3])
    starts = [0, *plan.breaks]
    ends = [*plan.breaks, len(widths)]
    for n, (first, end) in enumerate(zip(starts, ends)):
        width = sum(column_points(w) for w in widths[first:end]) + (key if n else 0)
        assert width * plan.scale / 100 <= PAGE_WIDTH_PT[True]  # each part fits its page
    assert 6 not in plan.breaks and 11 not in plan.breaks and 12 not in plan.breaks  # spans kept whole
    assert all(b > 3 for b in plan.breaks)  # every part holds columns beyond the repeated ones


def test_issued_workbook_print_setup(runner, ws) -> None:
    assert invoke(runner, "-w", ws.root, "issue").exit_code == 0
    path = next((ws.root / "outbox").glob("001_*.xlsx"))
    wb = openpyxl.load_workbook(path)
    for name in ("填表说明", "年度小结"):
        sheet = wb[name]
        assert sheet.page_setup.orientation == "portrait" and sheet.page_setup.paperSize == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight in (None, 1)
    info = {wb["填表说明"].cell(r, 1).value: wb["填表说明"].cell(r, 2).value for r in range(3, 12)}
    assert info["台账版本"].startswith("党建工作台账") and "dangjian" not in str(info)
    steps = [c.value for c in wb["填表说明"]["A"] if isinstance(c.value, str) and c.value[:1].isdigit()]
    assert steps and all("．" in s for s in steps)  # the number and its text in one cell
    for name in ("党员名册", "三会一课", "组织生活", "党费收缴", "发展党员"):
        sheet = wb[name]
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.print_title_rows == "$1:$2"
        fitted = sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert fitted or (sheet.col_breaks.count and sheet.print_title_cols == "$A:$B")


def test_notice_signature_keeps_the_end_of_the_text(runner, ws) -> None:
    assert invoke(runner, "-w", ws.root, "issue").exit_code == 0
    doc = docx.Document(str(next((ws.root / "outbox").glob("*.docx"))))
    paragraphs = doc.paragraphs
    org = next(i for i, p in enumerate(paragraphs) if p.text.strip() == "中共测试局机关委员会")
    before = [p for p in paragraphs[:org] if p.text.strip()]
    assert before[-1].text.startswith("附件") and before[-2].text.startswith("联系人")
    start = paragraphs.index(before[-2])
    assert all(p.paragraph_format.keep_with_next for p in paragraphs[start:org + 1])
