"""No output ever holds a live formula that came from a branch's text (a feedback workbook holds the
branch's own formulas as they were, and nothing else).

Returns whose text cells begin with =, +, -, @, =HYPERLINK(...), =cmd|... (typed as text, or the
cached result of a formula), and branch names and secretaries like that on 支部名单, go through
collect, consolidate and status --remind; every output workbook is then read back cell by cell.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
from conftest import BRANCHES, invoke, make_workspace
from corpus import FORMULA_TEXTS, change_sheet, set_cell_xml
from returns import columns, fill_return, write_form, write_rows

from taizhang.safeio import set_text_cell

AS_OF = "2026-01-10"
# What the branch list says: branches that never return appear in 统计表 and 催报名单.
LISTED = BRANCHES + [
    {"code": "004", "name": '=HYPERLINK("http://example.com/x","点我")', "secretary": "=cmd|' /C calc'!A0",
     "contact": "+8613800000000", "phone": "-1"},
    {"code": "005", "name": "@SUM(A1)党支部", "secretary": "=1+1", "contact": "@李明", "phone": "=2*3"},
]
CACHED = "=2+2"  # the saved result of a real formula in a return, which looks like a formula itself


def _texts(wb) -> None:
    meetings = wb["三会一课"]
    rows = [{"日期": date(2025, 3 + i, 5), "会议类型": "支部党员大会", "主题或议题": "x", "主持人或授课人": "王建国",
             "记录人": "李红", "应到人数": 3, "实到人数": 3} for i in range(len(FORMULA_TEXTS))]
    write_rows(meetings, rows)
    cols = columns(meetings)
    for i, text in enumerate(FORMULA_TEXTS):
        set_text_cell(meetings.cell(3 + i, cols["主题或议题"]), text)
        set_text_cell(meetings.cell(3 + i, cols["形成决议或主要内容"]), text)
    set_text_cell(meetings.cell(3, cols["缺席人员及原因"]), "=cmd|' /C notepad'!A0")
    set_text_cell(meetings.cell(4, cols["日期"]), "=HYPERLINK(\"http://example.com/d\")")  # a bad date
    roster = wb["党员名册"]
    set_text_cell(roster.cell(3, columns(roster)["备注"]), "@SUM(1+1)*cmd|' /C calc'!A0")
    dues = wb["党费收缴"]
    set_text_cell(dues.cell(3, columns(dues)["备注"]), "-2+3")
    wb["年度小结"]  # the form
    write_form(wb["年度小结"], {"工作亮点和特色做法": "=HYPERLINK(\"http://example.com/h\",\"亮点\")",
                              "存在的问题和不足": "+不足"})


def _cached_formula(path: Path) -> None:
    """Put a real formula with the cached result "=2+2" in the 记录人 cell of the first meeting."""
    wb = openpyxl.load_workbook(path)
    letter = openpyxl.utils.get_column_letter(columns(wb["三会一课"])["记录人"])
    data = change_sheet(path.read_bytes(), "三会一课", lambda xml: set_cell_xml(
        xml, f"{letter}3", f'<c r="{letter}3" t="str"><f>"="&amp;"2+2"</f><v>{CACHED}</v></c>'))
    path.write_bytes(data)


def _outputs(ws) -> list[Path]:
    return [*sorted((ws.root / "output").glob("*.xlsx")), *sorted((ws.root / "feedback").glob("*.xlsx"))]


def test_no_output_holds_a_formula_from_branch_text(runner, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", LISTED)
    for code in ("001", "002"):
        path = fill_return(ws, code, ws.root / "inbox" / f"{code}.xlsx", _texts)
        if code == "002":
            _cached_formula(path)
    collected = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF, "--json")
    assert collected.exit_code == 0, collected.output
    files = json.loads(collected.stdout)["files"]
    assert all(f["feedback"] for f in files)  # the bad date makes feedback for both
    assert invoke(runner, "-w", ws.root, "consolidate", "--as-of", AS_OF).exit_code == 0
    assert invoke(runner, "-w", ws.root, "status", "--remind").exit_code == 0
    outputs = _outputs(ws)
    assert {p.name for p in outputs} >= {"汇总台账.xlsx", "统计表.xlsx", "催报名单.xlsx",
                                         "001_机关第一党支部_反馈.xlsx", "002_办公室党支部_反馈.xlsx"}

    payloads = [t.strip() for t in FORMULA_TEXTS] + [CACHED, "=cmd|' /C notepad'!A0", "-2+3",
                                                      "@SUM(1+1)*cmd|' /C calc'!A0", "+不足"]
    listed = [v for b in LISTED[3:] for v in b.values() if v[0] in "=+-@"]
    # A feedback workbook is the branch's own workbook, marked: the formulas the branch wrote are
    # in it as they were (and only those); its text stays text like everywhere else.
    own = {}
    for code, name in (("001", "001_机关第一党支部_反馈.xlsx"), ("002", "002_办公室党支部_反馈.xlsx")):
        returned = openpyxl.load_workbook(ws.root / "inbox" / f"{code}.xlsx")
        own[name] = {(sh.title, c.coordinate): c.value for sh in returned.worksheets
                     for row in sh.iter_rows() for c in row if c.data_type == "f"}
    assert ("三会一课", "G3") in own["002_办公室党支部_反馈.xlsx"]
    strings: dict[str, set[str]] = {}
    for path in outputs:
        wb = openpyxl.load_workbook(path)
        found = strings.setdefault(path.name, set())
        for sheet in wb.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        formula = str(cell.value)
                        if own.get(path.name, {}).get((sheet.title, cell.coordinate)) == cell.value:
                            continue  # the branch's own formula, sent back to it unchanged
                        assert not any(p.lstrip("=+-@\t") in formula for p in payloads + listed
                                       if len(p) > 3), (path.name, sheet.title, cell.coordinate, formula)
                    elif isinstance(cell.value, str):
                        found.add(cell.value)
    # ... and the branch's text is there, as the text it was
    for name in ("汇总台账.xlsx", "001_机关第一党支部_反馈.xlsx", "002_办公室党支部_反馈.xlsx"):
        # only 002 had the cached result; its feedback holds the formula itself (checked above)
        expected = [p for p in payloads if p != CACHED or name == "汇总台账.xlsx"]
        # the feedback keeps the text as typed ("\t=1+2"); the 汇总台账 as read ("=1+2")
        shown = {t.strip() for t in strings[name]} if name != "汇总台账.xlsx" else strings[name]
        assert [p for p in expected if p not in shown] == [], name
    for text in ('=HYPERLINK("http://example.com/x","点我")', "@SUM(A1)党支部"):
        assert text in strings["统计表.xlsx"] and text in strings["催报名单.xlsx"]
    assert {"=cmd|' /C calc'!A0", "=1+1", "+8613800000000", "@李明", "=2*3", "-1"} <= strings["催报名单.xlsx"]
    assert any("=HYPERLINK(\"http://example.com/d\")" in s for s in strings["汇总台账.xlsx"])  # its problem
