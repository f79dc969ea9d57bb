"""Year after year through the CLI: `taizhang year`, issuing a new year with the last year's rosters
carried, late returns of an earlier year collected under their own year, `--year` everywhere, and
term figures that add up each year's own return.

The multi-year set of returns is built here, not taken from the demo: two branches over
2024–2026, one of which returns its 2024 ledger late, after the office has moved on to 2025, and
misses 2025 altogether."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import invoke, make_workspace
from returns import columns, write_form, write_rows

from taizhang.issue.workbook import workbook_name
from taizhang.workspace import Workspace
from taizhang.workspace.branches import Branch

BRANCHES = [
    {"code": "001", "name": "机关第一党支部", "secretary": "王建国", "contact": "李红", "phone": "010-1"},
    {"code": "002", "name": "办公室党支部", "secretary": "赵红", "contact": "钱芳", "phone": "010-2"},
]


def run(runner, ws: Workspace, *args: Any) -> Any:
    result = invoke(runner, "-w", ws.root, *args)
    assert "Traceback" not in result.output, result.output
    return result


def run_json(runner, ws: Workspace, *args: Any) -> Any:
    result = run(runner, ws, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def issued(ws: Workspace, code: str, year: int) -> Path:
    b = next(b for b in BRANCHES if b["code"] == code)
    return ws.root / "outbox" / workbook_name(Branch(b["code"], b["name"]), year)


def person(name: str, *, join: date, full: date | None, post: str = "党员", standing: str = "在册",
           change: date | None = None, category: str = "在职", note: str | None = None) -> dict[str, Any]:
    row = {"姓名": name, "性别": "男", "出生日期": date(1980, 5, 1), "入党日期": join, "转正日期": full,
           "党员类别": "正式党员" if full is not None and full <= date(2024, 12, 31) else "预备党员",
           "人员类别": category, "党内职务": post, "党籍状态": standing, "变动日期": change, "备注": note}
    return {k: v for k, v in row.items() if v is not None}


def gm(day: date, host: str = "王建国", n: int = 4) -> dict[str, Any]:
    return {"日期": day, "会议类型": "支部党员大会", "主题或议题": "学习", "主持人或授课人": host, "应到人数": n, "实到人数": n}


def dues(name: str, base: int, due: float, months: range, category: str = "在职") -> dict[str, Any]:
    return {"姓名": name, "人员类别": category, "月计算基数(元)": base, "月应交(元)": due,
            **{f"{m}月": due for m in months}}


def fill(source: Path, target: Path, *, sent: datetime, roster: list[dict] | None = None,
         meetings: list[dict] = (), dues_rows: list[dict] = (), recruits: list[dict] | None = None,
         filled: date) -> Path:
    """A branch fills its issued workbook (rows written from the first input row: a prefilled
    sheet is kept where `roster`/`recruits` is None) and sends it at `sent`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    wb = openpyxl.load_workbook(target)
    if roster is not None:
        write_rows(wb["党员名册"], roster)
    write_rows(wb["三会一课"], list(meetings))
    write_rows(wb["党费收缴"], list(dues_rows))
    if recruits is not None:
        write_rows(wb["发展党员"], recruits)
    write_form(wb["年度小结"], {"工作亮点和特色做法": "1. 坚持“三会一课”。", "填报人": "李红", "支部书记": "王建国",
                              "填报日期": filled})
    wb.save(target)
    os.utime(target, (sent.timestamp(), sent.timestamp()))
    return target


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """The filled rows of a sheet of a workbook, header text -> value."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    cols = columns(ws)
    out = []
    for r in range(3, ws.max_row + 1):
        row = {h: ws.cell(r, c).value for h, c in cols.items()}
        if row.get("姓名"):
            out.append({k: v.date() if isinstance(v, datetime) else v for k, v in row.items() if v not in (None, "")})
    return out


ROSTER_2024 = [
    person("王建国", join=date(2000, 7, 1), full=date(2001, 7, 1), post="书记"),
    person("李红", join=date(2008, 6, 1), full=date(2009, 6, 1)),
    person("张强", join=date(2015, 5, 1), full=date(2016, 5, 1)),
    person("刘新", join=date(2024, 6, 12), full=None, note="2024年6月12日接收为预备党员"),
    person("陈调离", join=date(2010, 7, 1), full=date(2011, 7, 1), standing="转出", change=date(2024, 9, 20)),
]
PIPELINE_2024 = [
    {"姓名": "刘新", "性别": "男", "出生日期": date(1998, 2, 1), "递交申请书日期": date(2021, 3, 1),
     "谈话日期": date(2021, 3, 15), "确定积极分子日期": date(2022, 3, 1), "确定发展对象日期": date(2023, 4, 1),
     "入党介绍人": "王建国、李红", "集中培训日期": date(2024, 5, 10), "接收预备党员日期": date(2024, 6, 12),
     "上级党委审批日期": date(2024, 7, 20), "当前阶段": "预备党员"},
    {"姓名": "周申请", "性别": "女", "出生日期": date(2000, 8, 1), "递交申请书日期": date(2024, 4, 1),
     "谈话日期": date(2024, 4, 20), "当前阶段": "入党申请人"},
    {"姓名": "吴积极", "性别": "女", "出生日期": date(1999, 1, 1), "递交申请书日期": date(2022, 10, 1),
     "谈话日期": date(2022, 10, 10), "确定积极分子日期": date(2023, 5, 1), "培养联系人": "李红",
     "当前阶段": "入党积极分子"},
]


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Workspace:
    """An office through 2024 and 2025, all through the CLI: 2024 issued and collected (002 did
    not return), the workspace moved to 2025, 2025 issued with 001's roster carried, then 002's
    late 2024 return and 001's 2025 return collected together."""
    from typer.testing import CliRunner

    runner = CliRunner()
    root = tmp_path_factory.mktemp("years") / "ws"
    ws = make_workspace(root, BRANCHES, year=2024)
    assert run(runner, ws, "issue").exit_code == 0
    fill(issued(ws, "001", 2024), ws.root / "inbox" / "2024" / "一支部2024.xlsx", sent=datetime(2025, 1, 10, 9),
         roster=ROSTER_2024, recruits=PIPELINE_2024, filled=date(2025, 1, 8),
         meetings=[gm(date(2024, 3, 5)), gm(date(2024, 6, 12), n=3), gm(date(2024, 9, 5)), gm(date(2024, 12, 5))],
         dues_rows=[dues("王建国", 6000, 90, range(1, 13)), dues("李红", 4000, 40, range(1, 13)),
                    dues("张强", 3000, 15, range(1, 13)), dues("刘新", 2800, 14, range(6, 13)),
                    dues("陈调离", 5000, 50, range(1, 10))])
    assert run(runner, ws, "collect", "--as-of", "2025-01-20", ws.root / "inbox" / "2024").exit_code == 0
    office_2024 = run_json(runner, ws, "status")
    switched = run_json(runner, ws, "year", "2025")
    issued_2025 = run_json(runner, ws, "issue")
    # 002's 2024 return comes late, after the switch; 001 returns its prefilled 2025 workbook
    fill(issued(ws, "002", 2024), ws.root / "inbox" / "2025" / "办公室2024（补报）.xlsx", sent=datetime(2025, 3, 1, 9),
         roster=[person("赵红", join=date(2005, 7, 1), full=date(2006, 7, 1), post="书记"),
                 person("钱芳", join=date(2012, 7, 1), full=date(2013, 7, 1))],
         meetings=[gm(date(2024, 5, 8), "赵红", 2)], dues_rows=[dues("赵红", 5000, 50, range(1, 13)),
                                                               dues("钱芳", 4000, 40, range(1, 13))],
         filled=date(2025, 2, 28))
    fill(issued(ws, "001", 2025), ws.root / "inbox" / "2025" / "一支部2025.xlsx", sent=datetime(2026, 1, 12, 9),
         filled=date(2026, 1, 10),
         meetings=[gm(date(2024, 12, 20)),  # dated in the wrong year: CELL-YEAR, counted nowhere
                   gm(date(2025, 3, 5)), gm(date(2025, 6, 6)), gm(date(2025, 9, 5))],
         dues_rows=[dues("王建国", 6000, 90, range(1, 13)), dues("李红", 4000, 40, range(1, 13)),
                    dues("张强", 3000, 15, range(1, 13)), dues("刘新", 2800, 14, range(1, 13))])
    collected = run(runner, ws, "collect", "--as-of", "2026-01-20", ws.root / "inbox" / "2025", "--json")
    ws.results = {"status_2024": office_2024, "year": switched, "issue_2025": issued_2025,  # type: ignore[attr-defined]
                  "collect_2025": json.loads(collected.stdout)}
    return ws


def test_taizhang_year_moves_the_round_on_and_keeps_the_old_deadline(office) -> None:
    switched = office.results["year"]
    assert (switched["previous"], switched["year"], switched["changed"]) == (2024, 2025, True)
    assert (switched["deadline"], switched["deadline_default"]) == ("2026-01-15", True)
    assert switched["previous_deadline"] == "2025-01-15" and switched["returns"] == {"2024": 1}
    assert office.settings.year == 2025  # (after the fixture moved on)
    text = office.config_path.read_text(encoding="utf-8")
    assert "year = 2025             # 台账年度" in text and "# 报送截止日期，迟于此日期收到的标为“逾期”" in text


def test_the_new_year_is_issued_with_last_years_roster_pipeline_and_dues_names(office) -> None:
    by_code = {r["code"]: r for r in office.results["issue_2025"]["results"]}
    assert (by_code["001"]["carried_from"], by_code["001"]["roster_rows"], by_code["001"]["recruits"]) == (2024, 4, 3)
    assert (by_code["002"]["carried_from"], by_code["002"]["roster_rows"]) == (None, 0)  # nothing returned yet
    path = issued(office, "001", 2025)
    roster = sheet_rows(path, "党员名册")
    assert [(r["序号"], r["姓名"], r["党员类别"], r["党籍状态"]) for r in roster] == [
        (1, "王建国", "正式党员", "在册"), (2, "李红", "正式党员", "在册"), (3, "张强", "正式党员", "在册"),
        (4, "刘新", "预备党员", "在册")]  # 陈调离 transferred out in 2024: left in 2024's return
    assert roster[3]["入党日期"] == date(2024, 6, 12) and roster[3]["备注"] == "2024年6月12日接收为预备党员"
    pipeline = sheet_rows(path, "发展党员")
    assert [(r["姓名"], r["当前阶段"]) for r in pipeline] == [
        ("刘新", "预备党员"), ("周申请", "入党申请人"), ("吴积极", "入党积极分子")]
    assert pipeline[0]["接收预备党员日期"] == date(2024, 6, 12) and pipeline[0]["入党介绍人"] == "王建国、李红"
    dues_sheet = sheet_rows(path, "党费收缴")
    assert [(r["姓名"], r["人员类别"], r["月计算基数(元)"]) for r in dues_sheet] == [
        ("王建国", "在职", 6000), ("李红", "在职", 4000), ("张强", "在职", 3000), ("刘新", "在职", 2800)]
    assert not any(k.endswith("月") or k == "月应交(元)" for r in dues_sheet for k in r)
    # prefilled cells are ordinary input cells: unlocked, with the sheet's input format
    wb = openpyxl.load_workbook(path)
    cell = wb["党员名册"]["B3"]
    assert cell.value == "王建国" and not cell.protection.locked
    assert cell.fill.fgColor.rgb == wb["党员名册"]["B40"].fill.fgColor.rgb


def test_a_late_return_of_the_year_before_is_stored_under_its_year_and_is_late(runner, office) -> None:
    files = {Path(f["file"]).name: f for f in office.results["collect_2025"]["files"]}
    late = files["办公室2024（补报）.xlsx"]
    assert (late["outcome"], late["branch_code"], late["year"]) == ("已接收", "002", 2024)
    other = [p for p in late["problems"] if p["rule_id"] == "ID-OTHER-YEAR"]
    assert [p["severity"] for p in other] == ["提示"] and "已作为2024年度的报送接收" in other[0]["message"]
    assert files["一支部2025.xlsx"]["year"] == 2025
    before = {b["code"]: b["state"] for b in office.results["status_2024"]["branches"]}
    assert before == {"001": "已报送", "002": "未报送"}
    y2024 = run_json(runner, office, "status", "--year", "2024")
    assert (y2024["year"], y2024["deadline"], y2024["current"]) == (2024, "2025-01-15", False)
    assert {b["code"]: (b["state"], b["on_time"]) for b in y2024["branches"]} == {
        "001": ("已报送", True), "002": ("逾期报送", False)}
    y2025 = run_json(runner, office, "status")
    assert {b["code"]: b["state"] for b in y2025["branches"]} == {"001": "需修改", "002": "未报送"}
    table = run(runner, office, "status", "--year", "2024").stdout
    assert "2024年台账报送情况（截止日期 2025-01-15）（工作区现在是2025年度）" in table
    problems = run_json(runner, office, "problems", "--year", "2024", "--branch", "002")
    assert "ID-OTHER-YEAR" in [p["rule_id"] for p in problems["returns"][0]["problems"]]
    # feedback for the late return is named with its year, beside 2025's
    assert (office.root / "feedback" / "001_机关第一党支部_反馈.xlsx").exists()
    assert (office.root / "feedback" / "002_办公室党支部_2024年_反馈.xlsx").exists()


def test_every_event_is_counted_in_its_own_year_from_its_own_return(runner, office) -> None:
    term = run_json(runner, office, "stats", "--period", "2024-2025", "--branch", "001")
    years = term["per_year"]
    assert [years[y]["branches"][0]["meetings"]["general"] for y in ("2024", "2025")] == [4, 3]
    assert term["branches"][0]["meetings"]["general"] == 7  # the 2024-dated row in 2025's sheet: nowhere
    rec = {y: years[y]["branches"][0]["recruitment"] for y in ("2024", "2025")}
    assert (rec["2024"]["admitted"], rec["2024"]["applied"], rec["2025"]["admitted"], rec["2025"]["applied"]) == (1, 1, 0, 0)
    assert term["branches"][0]["recruitment"]["admitted"] == 1  # 2024's admission, history in the 2025 sheet
    assert term["branches"][0]["stock_year"] == 2025
    assert term["branches"][0]["membership"] == years["2025"]["branches"][0]["membership"]
    assert term["branches"][0]["recruitment"]["pipeline"] == rec["2025"]["pipeline"]
    shown = run(runner, office, "stats", "--period", "2024-2025").stdout
    assert "逐年情况（每年的数字取自当年的台账）" in shown and "（2025年底）" not in shown  # branches' latest years differ
    one = run_json(runner, office, "stats", "--year", "2024")
    assert one["period"]["label"] == "2024年" and one["status_counts"]["逾期报送"] == 1


def test_issuing_2026_carries_each_branch_from_its_latest_return(runner, office, tmp_path) -> None:
    ws = Workspace(tmp_path / "copy")
    shutil.copytree(office.root, ws.root)
    assert run_json(runner, ws, "year", "2026")["deadline"] == "2027-01-15"
    report = run_json(runner, ws, "issue")
    by_code = {r["code"]: r for r in report["results"]}
    assert (by_code["001"]["carried_from"], by_code["002"]["carried_from"]) == (2025, 2024)  # 002 missed 2025
    roster = sheet_rows(issued(ws, "001", 2026), "党员名册")
    assert [(r["姓名"], r["党员类别"]) for r in roster][-1] == ("刘新", "预备党员")  # no 转正日期 was filled in
    assert [r["姓名"] for r in sheet_rows(issued(ws, "002", 2026), "党员名册")] == ["赵红", "钱芳"]
    text = run(runner, ws, "issue", "--branch", "001", "--force").stdout
    assert "预填自" in text and "2025年台账" in text


def test_roster_file_still_overrides_and_no_carry_issues_blank(runner, office, tmp_path) -> None:
    ws = Workspace(tmp_path / "copy")
    shutil.copytree(office.root, ws.root)
    run_json(runner, ws, "year", "2026")
    members = tmp_path / "党员信息.xlsx"
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["所在支部", "姓名", "性别", "出生日期", "入党日期", "党员类别", "人员类别", "党籍状态"])
    sheet.append(["机关第一党支部", "李红", "女", date(1985, 6, 1), date(2008, 6, 1), "正式党员", "在职", "在册"])
    wb.save(members)
    report = run_json(runner, ws, "issue", "--roster", members)
    first = next(r for r in report["results"] if r["code"] == "001")
    assert (first["roster_rows"], first["roster_from"], first["recruits"]) == (1, "党员信息表", 3)
    path = issued(ws, "001", 2026)
    assert [r["姓名"] for r in sheet_rows(path, "党员名册")] == ["李红"]
    assert [(r["姓名"], r["月计算基数(元)"]) for r in sheet_rows(path, "党费收缴")] == [("李红", 4000)]
    blank = run_json(runner, ws, "issue", "--no-carry", "--force", "--branch", "002")
    assert blank["results"][0]["roster_rows"] == 0 and not sheet_rows(issued(ws, "002", 2026), "党员名册")


def test_year_refuses_going_back_without_force_and_a_deadline_before_the_year(runner, tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws", BRANCHES, year=2025)
    result = run(runner, ws, "year", "2024")
    assert result.exit_code == 1 and "--force" in result.stderr and "--year 2024" in result.stderr
    result = run(runner, ws, "year", "2026", "--deadline", "2025-12-01")
    assert result.exit_code == 1 and "早于2026年" in result.stderr
    assert ws.settings.year == 2025
    back = run_json(runner, ws, "year", "2024", "--force", "--deadline", "2025-01-10")
    assert (back["year"], back["deadline"]) == (2024, "2025-01-10")
    shown = run(runner, ws, "year", "2026").stdout
    assert "已切换到2026年度（原为2024年度）" in shown and "2027年1月10日" in shown and "taizhang issue" in shown


def test_a_stale_deadline_is_a_warning_wherever_it_is_used(runner, tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws", BRANCHES, year=2025)
    # the year changed by hand, the old deadline (2026-01-15) left in place
    ws.config_path.write_text(ws.config_path.read_text(encoding="utf-8").replace("year = 2025", "year = 2026"),
                              encoding="utf-8")
    for args in (("issue",), ("status",), ("collect",)):
        result = run(runner, ws, *args)
        assert "注意：taizhang.toml 中的报送截止日期是2026年1月15日，早于2026年年底" in result.stdout, args
    data = run_json(runner, ws, "issue", "--force")
    assert [w["rule_id"] for w in data["warnings"]] == ["CONFIG-DEADLINE"]
    assert [w["rule_id"] for w in run_json(runner, ws, "status")["warnings"]] == ["CONFIG-DEADLINE"]
    fixed = run_json(runner, ws, "year", "2026", "--deadline", "2027-01-15")
    assert fixed["warnings"] == [] and run_json(runner, ws, "status")["warnings"] == []


def test_the_term_report_adds_up_real_years_and_names_the_years_it_covers(runner, office) -> None:
    import docx

    def tables(path: Path) -> list[list[list[str]]]:
        return [[[c.text for c in r.cells] for r in t.rows] for t in docx.Document(str(path)).tables]

    result = run_json(runner, office, "report", "换届", "--period", "2024-2025", "--as-of", "2026-01-20")
    paths = {w["branch_code"]: Path(w["path"]) for w in result["written"]}
    # 001: both years returned; the rows are each year's, the 合计 their sum, the members the last year's
    meetings, money = (t for t in tables(paths["001"]) if t[0][0] == "年度")
    assert [r[0] for r in meetings] == ["年度", "2024年", "2025年", "合计"]
    assert [r[1] for r in meetings[1:]] == ["4", "3", "7"]
    assert [r[1] for r in money[1:]] == ["4", "4", "4（2025年底）"]
    assert [r[5] for r in money[1:]] == ["1", "0", "1"]  # 接收预备党员: 2024's admission counted once, in 2024
    text = "\n".join(p.text for p in docx.Document(str(paths["001"])).paragraphs)
    assert "两年来共召开支部党员大会7次" in text
    assert "对照规定的次数，2024年7项中有6项未达到要求（党课、" in text and "；2025年7项中有7项未达到要求" in text
    # one point per rule, with each year's figures
    assert "支部党员大会：按规定每季度至少1次，2025年应达到4次、实际3次（第四季度未达到）。" in text
    assert "组织生活会：按规定每年至少1次，2024年应达到1次、实际0次；2025年应达到1次、实际0次。" in text
    # 002: 2025 not returned — 未报送, and the text says its totals are 2024's
    meetings, money = (t for t in tables(paths["002"]) if t[0][0] == "年度")
    assert [r[:2] for r in meetings[1:]] == [["2024年", "1"], ["2025年", "—"], ["合计", "1"]]
    assert money[2][1] == "未报送" and money[3][1] == "2（2024年底）"
    text = "\n".join(p.text for p in docx.Document(str(paths["002"])).paragraphs)
    assert "2025年的台账未收集" in text and "2024年共召开支部党员大会1次" in text
    assert "截至2024年12月31日，支部共有党员2名" in text
    assert "；2025年未报送台账。" in text
    shortfalls = text.split("二、存在的不足")[1].split("三、")[0]
    found = [line for line in shortfalls.splitlines() if re.match(r"\d+\.\S", line)]  # 1.… 2.…, each with its year
    assert found and all("2024年" in line and "2025年" not in line for line in found)


def test_consolidate_and_report_of_a_past_year_and_the_stale_deadline_warning(runner, office, tmp_path) -> None:
    ws = Workspace(tmp_path / "copy")
    shutil.copytree(office.root, ws.root)
    past = run_json(runner, ws, "consolidate", "--year", "2024", "--as-of", "2026-01-20")
    assert past["year"] == 2024 and past["status_counts"]["逾期报送"] == 1 and past["warnings"] == []
    book = openpyxl.load_workbook(past["stats_path"])
    notes = [str(c.value) for row in book["表5 台账报送情况"].iter_rows() for c in row if c.value]
    assert any("报送截止日期：2025年1月15日" in n for n in notes)
    ws.config_path.write_text(ws.config_path.read_text(encoding="utf-8").replace(
        "deadline = 2026-01-15", "deadline = 2025-01-15"), encoding="utf-8")  # 2025 with 2024's deadline
    for args in (("consolidate", "--as-of", "2026-01-20"), ("report", "通报", "--as-of", "2026-01-20")):
        data = run_json(runner, ws, *args)
        assert [w["rule_id"] for w in data["warnings"]] == ["CONFIG-DEADLINE"], args
    assert run_json(runner, ws, "report", "通报", "--year", "2024", "--as-of", "2026-01-20")["warnings"] == []
