"""Template 2026.1: the new sheets and columns as issued (drop-downs and help read back with
openpyxl), the checks they bring, and a return on the older 2025.1 template still collected."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import openpyxl
from builders import build, run
from conftest import invoke
from returns import fill_return, issued_path, write_form, write_rows

from taizhang import vocabulary
from taizhang.issue.workbook import IssueRound, write_workbook
from taizhang.workspace.branches import Branch
from taizhang.workspace.definitions import added_after
from taizhang.workspace.store import Store


def _validations(sheet) -> dict[str, object]:
    """Header text -> the data validation that covers the column's first input cell."""
    headers = {c.value.rstrip("*"): c.column_letter for c in sheet[2] if c.value}
    found = {}
    for header, letter in headers.items():
        for dv in sheet.data_validations.dataValidation:
            if f"{letter}3" in dv.sqref:
                found[header] = dv
    return found


def _issue(runner, ws) -> openpyxl.Workbook:
    result = invoke(runner, "-w", ws.root, "issue", "--branch", "001")
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(issued_path(ws, "001"))


def test_issued_workbook_has_the_new_sheets_with_drop_downs_and_help(runner, ws) -> None:
    wb = _issue(runner, ws)
    assert wb.sheetnames.index("荣誉和成果") < wb.sheetnames.index("季度小结") < wb.sheetnames.index("年度小结")
    for sheet in ("三会一课", "组织生活"):
        dv = _validations(wb[sheet])["专题类别"]
        assert dv.type == "list" and dv.formula1.strip('"').split(",") == list(vocabulary.THEME_KINDS)
        assert "第一议题" in dv.prompt or "我为群众办实事" in dv.prompt
    progress = _validations(wb["组织生活"])["完成进度（%）"]
    # "between" is Excel's default operator, left out of the file
    assert (progress.type, progress.operator or "between", progress.formula1, progress.formula2) == (
        "whole", "between", "0", "100")
    assert "0至100" in progress.prompt
    quarter = _validations(wb["季度小结"])["季度"]
    assert quarter.formula1.strip('"').split(",") == list(vocabulary.QUARTERS)
    honours = wb["荣誉和成果"]
    assert [c.value for c in honours[2]][:4] == ["序号", "授予日期", "荣誉或成果名称*", "级别"]
    level = _validations(honours)["级别"]
    assert level.formula1.strip('"').split(",") == list(vocabulary.HONOUR_LEVELS)
    summary = wb["年度小结"]
    labels = [summary.cell(row=r, column=1).value for r in range(3, summary.max_row + 1)]
    assert "支委会职数" in labels and "实配支委人数" in labels
    assert any(str(x).startswith("书记本人履职情况") for x in labels)
    account_row = next(r for r in range(3, summary.max_row + 1)
                       if str(summary.cell(row=r, column=1).value).startswith("书记本人履职情况"))
    account = [dv for dv in summary.data_validations.dataValidation if f"B{account_row}" in dv.sqref]
    assert account and "第一人称" in account[0].prompt
    intro = "\n".join(str(c.value) for row in wb["填表说明"].iter_rows() for c in row if c.value)
    assert "填写示例" in intro and "我为群众办实事" in intro and "2026.1" in intro


def test_new_sheets_and_columns_read_back_from_a_filled_return(runner, ws) -> None:
    _issue(runner, ws)

    def edit(wb: openpyxl.Workbook) -> None:
        write_rows(wb["组织生活"], [
            {"日期": date(2025, 5, 20), "活动类型": "主题党日", "活动名称或主题": "“我为群众办实事”：增设候车亭",
             "参加人数": 3, "专题类别": "我为群众办实事", "完成进度（%）": 60},
        ])
        write_rows(wb["荣誉和成果"], [{"授予日期": date(2025, 6, 28), "荣誉或成果名称": "“五好党支部”", "级别": "本单位",
                                     "授予单位": "局机关党委", "获得者（支部或党员姓名）": "本支部"}])
        write_rows(wb["季度小结"], [{"季度": "第一季度", "本季度主要工作": "召开支部党员大会1次。"},
                                  {"季度": "第一季度", "本季度主要工作": "又写了一次。"}])
        write_form(wb["年度小结"], {"支委会职数": 3, "实配支委人数": 4, "书记本人履职情况（一岗双责、讲党课、谈心谈话、主持支委会等）":
                                   "我全年主持支委会12次。"})

    fill_return(ws, "001", ws.root / "inbox" / "一支部.xlsx", edit)
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", "2026-01-10", "--json")
    data = json.loads(result.stdout)
    rules = {p["rule_id"] for p in data["files"][0]["problems"]}
    assert {"SUM-CMTE-FILLED", "QUARTER-REPEATED"} <= rules
    assert not rules & {"SHEET-MISSING", "COLUMN-MISSING"}
    with Store.open(ws.store_path) as store:
        ret = store.load_return(store.current(2025)["001"].id)
    [activity] = ret.rows("activities")
    assert (activity.values["theme_kind"], activity.values["progress"]) == ("我为群众办实事", 60)
    assert ret.rows("honours")[0].values["level"] == "本单位"
    assert [r.values["quarter"] for r in ret.rows("quarterly")] == ["第一季度", "第一季度"]
    form = ret.form()
    assert (form["committee_posts"], form["committee_filled"]) == (3, 4)
    assert form["secretary_account"] == "我全年主持支委会12次。"


def _old_definition(ws):
    """The definitions as template 2025.1 had them: without what 2026.1 added."""
    current = ws.definitions
    ledgers = tuple(
        dataclasses.replace(led, version="2025.1", columns=tuple(c for c in led.columns if not c.since))
        for led in current.ledgers if not led.since
    )
    return dataclasses.replace(current, version="2025.1", ledgers=ledgers)


def test_a_return_on_the_2025_template_is_read_without_complaint(runner, ws) -> None:
    settings = ws.settings
    old = _old_definition(ws)
    assert [led.id for led in old.ledgers] == ["roster", "meetings", "activities", "dues", "recruitment", "summary"]
    rnd = IssueRound(definition=old, org=settings.org_name, year=2025, deadline=settings.deadline, contact="",
                     phone="", key=ws.key)
    path = ws.root / "inbox" / "旧版台账.xlsx"
    path.parent.mkdir(exist_ok=True)
    write_workbook(path, rnd, Branch("001", "机关第一党支部"), issued_at="2025-01-21T09:00:00")
    wb = openpyxl.load_workbook(path)
    assert "荣誉和成果" not in wb.sheetnames and "专题类别" not in [c.value for c in wb["三会一课"][2]]
    write_rows(wb["三会一课"], [{"日期": date(2025, 3, 5), "会议类型": "支部党员大会", "主题或议题": "学习全国两会精神",
                              "主持人或授课人": "王建国", "应到人数": 3, "实到人数": 3}])
    write_form(wb["年度小结"], {"工作亮点和特色做法": "1. 坚持“三会一课”。", "填报人": "李红", "支部书记": "王建国",
                              "填报日期": date(2026, 1, 5)})
    wb.save(path)
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", "2026-01-10", "--json")
    [f] = json.loads(result.stdout)["files"]
    rules = {p["rule_id"] for p in f["problems"]}
    assert f["outcome"] != "无法识别" and "ID-OLD-TEMPLATE" in rules
    assert not rules & {"SHEET-MISSING", "COLUMN-MISSING"}, f["problems"]
    with Store.open(ws.store_path) as store:
        ret = store.load_return(store.current(2025)["001"].id)
    assert ret.template_version == "2025.1"
    [meeting] = ret.rows("meetings")
    assert meeting.values["theme_kind"] is None and meeting.values["topic"] == "学习全国两会精神"
    assert ret.rows("honours") == [] and ret.rows("quarterly") == []
    assert ret.form()["secretary_account"] is None and ret.form()["highlights"] == "1. 坚持“三会一课”。"


def test_a_2026_return_missing_a_new_sheet_is_told(runner, ws) -> None:
    _issue(runner, ws)
    fill_return(ws, "001", ws.root / "inbox" / "一支部.xlsx", lambda wb: wb.remove(wb["季度小结"]))
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", "2026-01-10", "--json")
    [f] = json.loads(result.stdout)["files"]
    assert any(p["rule_id"] == "SHEET-MISSING" and p["sheet"] == "季度小结" for p in f["problems"])
    assert added_after("2026.1", "2025.1") and not added_after("2026.1", "2026.1")


def test_committee_posts_and_quarters_checks() -> None:
    ok = run(build(summary=[{"committee_posts": 5, "committee_filled": 5}],
                   quarterly=[{"quarter": "第一季度", "work": "a"}, {"quarter": "第二季度", "work": "b"}]))
    assert not {p.rule_id for p in ok} & {"SUM-CMTE-FILLED", "QUARTER-REPEATED"}
    bad = run(build(summary=[{"committee_posts": 3, "committee_filled": 5}],
                    quarterly=[{"quarter": "第一季度", "work": "a"}, {"quarter": "第二季度", "work": "b"},
                               {"quarter": "第一季度", "work": "c"}]))
    [filled] = [p for p in bad if p.rule_id == "SUM-CMTE-FILLED"]
    assert "5人" in filled.message and "3人" in filled.message and filled.column == "实配支委人数"
    [twice] = [p for p in bad if p.rule_id == "QUARTER-REPEATED"]
    assert twice.row == 5 and "第3行" in twice.message
    progress = run(build(activities=[{"date": date(2025, 5, 5), "activity_type": "主题党日", "title": "x",
                                      "participants": 3, "progress": 150, "theme_kind": "我为群众办实事"}]))
    assert any(p.rule_id == "CELL-RANGE" and p.column == "完成进度（%）" for p in progress)
    unnamed = run(build(honours=[{"level": "本单位", "awarded_by": "局机关党委"}]))
    assert any(p.rule_id == "CELL-REQUIRED" and p.column == "荣誉或成果名称" for p in unnamed)
