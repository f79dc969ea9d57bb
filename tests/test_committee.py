"""The committee's own ledger 党委工作台账.xlsx: made by init and by `committee template`, its
drop-downs, a round trip through the reading layer, bad rows as problems, one file for all years."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
from conftest import invoke

from taizhang import committee
from taizhang.committee.definition import LEDGERS


def _rows() -> dict[str, list[dict]]:
    return {
        "meetings": [
            {"date": date(2025, 3, 12), "kind": "党委会议", "topic": "研究年度党建工作要点；研究发展党员计划",
             "first_topic": "学习习近平总书记在全国两会期间的重要讲话精神", "speaker": "周振华"},
            {"date": date(2025, 6, 27), "kind": "书记讲党课", "topic": "弘扬伟大建党精神", "speaker": "周振华",
             "note": "党委书记"},
            {"date": date(2025, 4, 20), "kind": "理论学习中心组学习", "topic": "学习《中国共产党章程》"},
            {"date": date(2024, 12, 20), "kind": "意识形态研判", "topic": "2024年下半年意识形态研判"},
            {"date": date(2025, 5, 8), "kind": "座谈会", "topic": "不在列表中的类别"},
            {"kind": "党委会议", "topic": "没有日期"},
        ],
        "documents": [{"date": date(2025, 4, 8), "doc_no": "青交机党〔2025〕3号", "title": "关于规范“三会一课”的实施办法"},
                      {"date": date(2025, 5, 8), "doc_no": "=1+1", "title": "=HYPERLINK(\"x\")"}],
        "tasks": [{"year": 2025, "name": "推进支部标准化建设", "measures": "开展互查互评", "progress": 85},
                  {"year": 2024, "name": "去年的任务", "progress": 100},
                  {"year": 2025, "name": "进度写错", "progress": 180}],
        "honours": [{"date": date(2025, 6, 28), "name": "市直机关先进基层党组织", "level": "市厅级",
                     "awarded_by": "市直机关工委", "recipient": "机关第一党支部"}],
    }


def test_template_has_drop_downs_help_and_instructions(tmp_path) -> None:
    path = committee.write_template(tmp_path / committee.FILE_NAME, org="中共测试局机关委员会")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:5] == ["填表说明", "会议和学习", "制度建设", "重点任务", "荣誉"]
    sheet = wb["会议和学习"]
    assert [c.value for c in sheet[2]] == ["序号", "日期*", "类别*", "主题或议题*", "第一议题", "主持人或主讲人", "备注"]
    kinds = [dv for dv in sheet.data_validations.dataValidation if "C3" in dv.sqref]
    assert kinds and kinds[0].formula1.strip('"').split(",") == list(committee.COMMITTEE_MEETING_KINDS)
    first = [dv for dv in sheet.data_validations.dataValidation if "E3" in dv.sqref]
    assert first and "第一议题" in first[0].prompt
    progress = [dv for dv in wb["重点任务"].data_validations.dataValidation if "E3" in dv.sqref]
    assert progress and (progress[0].formula1, progress[0].formula2) == ("0", "100")
    intro = "\n".join(str(c.value) for row in wb["填表说明"].iter_rows() for c in row if c.value)
    assert "中共测试局机关委员会" in intro and "逐年续填" in intro and "填写示例" in intro


def test_round_trip_keeps_the_year_and_reports_bad_rows(tmp_path) -> None:
    path = committee.write_template(tmp_path / committee.FILE_NAME, org="中共测试局机关委员会", rows=_rows())
    ledger = committee.read(path, 2025)
    assert ledger.found and ledger.year == 2025
    assert [m.kind for m in ledger.meetings] == ["党委会议", "理论学习中心组学习", "书记讲党课"]  # by date
    [meeting] = ledger.by_kind(committee.COMMITTEE_MEETING)
    assert meeting.first_topic.startswith("学习习近平总书记") and meeting.date == date(2025, 3, 12)
    assert ledger.first_topics == [meeting]
    [lecture] = ledger.by_kind(committee.SECRETARY_LECTURE)
    assert (lecture.speaker, lecture.note) == ("周振华", "党委书记")
    assert [d.doc_no for d in ledger.documents] == ["青交机党〔2025〕3号", "=1+1"]  # text, never a formula
    assert ledger.documents[1].title == "=HYPERLINK(\"x\")"
    assert [(t.name, t.progress) for t in ledger.tasks] == [("推进支部标准化建设", 85), ("进度写错", None)]
    assert ledger.honours[0].level == "市厅级"
    rules = sorted((p.rule_id, p.row) for p in ledger.problems)
    assert rules == [("CELL-ENUM", 7), ("CELL-RANGE", 5), ("CELL-REQUIRED", 8)], ledger.problems
    assert ledger.counts()["第一议题"] == 1 and ledger.counts()["重点任务"] == 2
    last_year = committee.read(path, 2024)
    assert [m.kind for m in last_year.meetings] == ["意识形态研判"]
    assert [t.name for t in last_year.tasks] == ["去年的任务"]
    # the undated row belongs to no year: it is reported in every year it is read for
    assert [p.rule_id for p in last_year.problems] == ["CELL-REQUIRED"]
    data = json.loads(json.dumps(ledger.to_dict(), ensure_ascii=False))
    assert data["meetings"][0]["date"] == "2025-03-12" and data["counts"]["书记讲党课"] == 1


def test_missing_or_broken_file_is_a_value_not_an_error(tmp_path) -> None:
    missing = committee.read(tmp_path / "none.xlsx", 2025)
    assert not missing.found and missing.empty and not missing.problems
    broken = tmp_path / committee.FILE_NAME
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    ledger = committee.read(broken, 2025)
    assert ledger.empty and ledger.problems and ledger.problems[0].rule_id.startswith("FILE-")
    wb = openpyxl.Workbook()
    wb.active.title = "别的表"
    wb.save(broken)
    ledger = committee.read(broken, 2025)
    assert sorted(p.sheet for p in ledger.problems if p.rule_id == "SHEET-MISSING") == sorted(
        led.sheet for led in LEDGERS)


def test_init_makes_it_and_the_commands_use_it(runner, ws) -> None:
    path = committee.path_of(ws)
    assert path.exists()  # made by init
    path.unlink()
    result = invoke(runner, "-w", ws.root, "issue", "--branch", "001")
    assert result.exit_code == 0 and "taizhang committee template" in result.output  # an older workspace is told
    result = invoke(runner, "-w", ws.root, "committee", "check")
    assert result.exit_code == 0 and "committee template" in result.output
    result = invoke(runner, "-w", ws.root, "committee", "template")
    assert result.exit_code == 0 and path.exists()
    stamp = path.stat().st_mtime_ns
    result = invoke(runner, "-w", ws.root, "committee", "template")
    assert "已经存在" in result.output and path.stat().st_mtime_ns == stamp  # never overwritten
    committee.write_template(path, org="中共测试局机关委员会", rows=_rows())
    result = invoke(runner, "-w", ws.root, "committee", "check")
    assert result.exit_code == 1  # a 类别 not in the list is an error
    assert "党委会议" in result.output and "不是“类别”的可选项" in result.output
    result = invoke(runner, "-w", ws.root, "committee", "check", "--year", "2024", "--json")
    data = json.loads(result.stdout)
    assert data["year"] == 2024 and data["counts"]["意识形态研判"] == 1
    loaded = committee.load(ws)
    assert loaded.year == 2025 and len(loaded.meetings) == 3
