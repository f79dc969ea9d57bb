"""collect, status and problems through the CLI, on returns filled the way branches fill them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
from conftest import invoke, needs_soffice, soffice
from returns import columns, fill_return, write_rows

from taizhang import catalog
from taizhang.workspace.store import Store

AS_OF = "2026-01-10"


def _collect(runner, ws, *paths):
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF, "--json", *paths)
    assert "Traceback" not in result.output
    return result, json.loads(result.stdout)


def _rows(ws, code: str, ledger: str):
    with Store.open(ws.store_path) as store:
        sub = store.current(2025)[code]
        return store.load_return(sub.id).rows(ledger)


def test_collect_stores_a_clean_return_with_typed_rows(runner, ws) -> None:
    fill_return(ws, "001", ws.root / "inbox" / "一支部.xlsx")
    result, data = _collect(runner, ws)
    assert result.exit_code == 0, result.output
    [f] = data["files"]
    assert f["outcome"] == "已接收", f["problems"]
    assert (f["branch_code"], f["errors"]) == ("001", 0)
    assert f["rows"]["党员名册"] == 3 and f["rows"]["三会一课"] == 1
    [meeting] = _rows(ws, "001", "meetings")
    assert meeting.values["date"] == date(2025, 3, 5)
    assert meeting.values["present"] == 3 and isinstance(meeting.values["present"], int)
    assert meeting.values["topic_count"] == 1  # default applied
    dues = _rows(ws, "001", "dues")[0]
    assert dues.values["monthly_due"] == Decimal("40") and isinstance(dues.values["monthly_due"], Decimal)
    roster = _rows(ws, "001", "roster")
    assert roster[0].values["ethnicity"] == "汉族" and roster[0].values["standing"] == "在册"
    archived = list((ws.root / "archive").iterdir())
    assert len(archived) == 1 and len(archived[0].stem) == 64


def test_collect_again_changes_nothing(runner, ws) -> None:
    fill_return(ws, "001", ws.root / "inbox" / "一支部.xlsx")
    _collect(runner, ws)
    store_before = sorted(Store.open(ws.store_path).conn.execute("SELECT id, is_current FROM submissions").fetchall())
    result, data = _collect(runner, ws)
    assert result.exit_code == 0
    assert [f["outcome"] for f in data["files"]] == ["已收过"]
    with Store.open(ws.store_path) as store:
        assert sorted(store.conn.execute("SELECT id, is_current FROM submissions").fetchall()) == store_before


def test_a_refilled_return_supersedes_and_both_stay(runner, ws) -> None:
    first = fill_return(ws, "001", ws.root / "inbox" / "一支部.xlsx")
    _collect(runner, ws)
    second = fill_return(ws, "001", ws.root / "inbox" / "一支部（修改后）.xlsx", meetings=[
        {"日期": date(2025, 3, 5), "会议类型": "支部党员大会", "主题或议题": "学习", "主持人或授课人": "王建国",
         "应到人数": 3, "实到人数": 3},
        {"日期": date(2025, 6, 5), "会议类型": "支部党员大会", "主题或议题": "党纪学习", "主持人或授课人": "王建国",
         "应到人数": 3, "实到人数": 2},
    ])
    later = datetime(2026, 1, 9, 12).timestamp()
    os.utime(second, (later, later))
    os.utime(first, (later - 3600, later - 3600))
    result, data = _collect(runner, ws)
    assert [f["outcome"] for f in data["files"]] == ["已收过", "已接收"]
    with Store.open(ws.store_path) as store:
        subs = store.submissions(year=2025, branch_code="001")
        assert [s.is_current for s in subs] == [False, True]
        assert len(store.load_return(subs[1].id).rows("meetings")) == 2
        assert len(store.load_return(subs[0].id).rows("meetings")) == 1
    status = json.loads(invoke(runner, "-w", ws.root, "status", "--json").stdout)
    one = next(b for b in status["branches"] if b["code"] == "001")
    assert one["submissions"] == 2 and one["state"] == "已报送"


def test_each_spelling_of_dates_and_numbers_is_read(runner, ws) -> None:
    spellings = [
        ("2025-3-5", date(2025, 3, 5)), ("2025/03/05", date(2025, 3, 5)), ("2025.3.5", date(2025, 3, 5)),
        ("2025年3月5日", date(2025, 3, 5)), ("20250305", date(2025, 3, 5)), (45721, date(2025, 3, 5)),
        ("２０２５－０３－０５", date(2025, 3, 5)),
    ]

    def edit(wb):
        write_rows(wb["三会一课"], [
            {"日期": text, "会议类型": "支部党员大会", "主题或议题": f"会议{i}", "主持人或授课人": " 王建国　",
             "应到人数": "３", "实到人数": 3.0} for i, (text, _) in enumerate(spellings)
        ])
        write_rows(wb["党费收缴"], [
            {"姓名": "王建国", "人员类别": "在职", "月计算基数(元)": "4,000.00元", "交纳比例": "1%", "月应交(元)": "￥40",
             **{f"{k}月": "４０.００" for k in range(1, 13)}},
        ])

    fill_return(ws, "001", ws.root / "inbox" / "a.xlsx", edit)
    result, data = _collect(runner, ws)
    assert result.exit_code == 0
    meetings = _rows(ws, "001", "meetings")
    assert [m.values["date"] for m in meetings] == [d for _, d in spellings]
    assert {m.values["host"] for m in meetings} == {"王建国"}
    assert {m.values["expected"] for m in meetings} == {3}
    dues = _rows(ws, "001", "dues")[0]
    assert dues.values["base"] == Decimal("4000") and dues.values["monthly_due"] == Decimal("40")
    assert dues.values["m1"] == Decimal("40")
    problems = data["files"][0]["problems"]
    assert not [p for p in problems if p["rule_id"].startswith("CELL-TYPE")]
    assert any(p["rule_id"] == "CELL-READ-HINT" and p["sheet"] == "三会一课" for p in problems)


def test_ambiguous_and_impossible_values_are_problems_not_guesses(runner, ws) -> None:
    def edit(wb):
        write_rows(wb["三会一课"], [
            {"日期": "3/5/2025", "会议类型": "支部党员大会", "主题或议题": "甲", "主持人或授课人": "王建国", "应到人数": 3, "实到人数": 3},
            {"日期": "2025-02-30", "会议类型": "支部党员大会", "主题或议题": "乙", "主持人或授课人": "王建国", "应到人数": 3, "实到人数": 3},
            {"日期": date(2025, 4, 1), "会议类型": "支部党员大会", "主题或议题": "丙", "主持人或授课人": "王建国", "应到人数": "三", "实到人数": 3},
        ])

    fill_return(ws, "001", ws.root / "inbox" / "a.xlsx", edit)
    result, data = _collect(runner, ws)
    problems = data["files"][0]["problems"]
    by_row = {(p["row"], p["rule_id"]) for p in problems}
    assert (3, "CELL-AMBIGUOUS") in by_row
    assert (4, "CELL-TYPE") in by_row
    assert (5, "CELL-TYPE") in by_row
    assert data["files"][0]["outcome"] == "需修改"
    feedback = ws.root / "feedback" / "001_机关第一党支部_反馈.xlsx"
    assert feedback.is_file()


def test_reordered_inserted_and_missing_columns(runner, ws) -> None:
    def edit(wb):
        sheet = wb["三会一课"]
        sheet.insert_cols(3)  # an inserted column the branch added
        sheet.cell(2, 3).value = "我们自己加的列"
        cols = columns(sheet)
        # swap 应到人数 and 实到人数 headers and values: a reordered sheet
        a, b = cols["应到人数"], cols["实到人数"]
        sheet.cell(2, a).value, sheet.cell(2, b).value = "实到人数*", "应到人数*"
        sheet.cell(3, a).value, sheet.cell(3, b).value = 2, 3
        # delete 记录人 from 组织生活? no: delete 地点 from 组织生活
        act = wb["组织生活"]
        act.delete_cols(columns(act)["地点"])

    fill_return(ws, "001", ws.root / "inbox" / "a.xlsx", edit)
    result, data = _collect(runner, ws)
    [m] = _rows(ws, "001", "meetings")
    assert (m.values["expected"], m.values["present"]) == (3, 2)
    missing = [p for p in data["files"][0]["problems"] if p["rule_id"] == "COLUMN-MISSING"]
    assert [(p["sheet"], p["column"]) for p in missing] == [("组织生活", "地点")]


def test_zip_with_several_returns_and_a_zip_inside(runner, ws, tmp_path: Path) -> None:
    one = fill_return(ws, "001", tmp_path / "r" / "一支部.xlsx")
    two = fill_return(ws, "002", tmp_path / "r" / "办公室.xlsx")
    three = fill_return(ws, "003", tmp_path / "r" / "离退休.xlsx")
    inner = tmp_path / "r" / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.write(three, "离退休党支部/离退休.xlsx")
    outer = ws.root / "inbox" / "党总支报送.zip"
    with zipfile.ZipFile(outer, "w") as z:
        z.write(one, "一支部.xlsx")
        z.write(two, "材料/办公室.xlsx")
        z.write(inner, "inner.zip")
        z.writestr("说明.txt", "各支部台账")
    result, data = _collect(runner, ws)
    outcomes = {Path(f["file"]).name: f["outcome"] for f in data["files"]}
    assert outcomes == {"一支部.xlsx": "已接收", "办公室.xlsx": "已接收", "离退休.xlsx": "已接收", "说明.txt": "不是工作簿"}
    assert result.exit_code == 2  # a file was not a workbook
    assert outer.is_file()  # input never moved or deleted
    with Store.open(ws.store_path) as store:
        assert sorted(store.current(2025)) == ["001", "002", "003"]


def test_bad_files_do_not_stop_the_batch(runner, ws, tmp_path: Path) -> None:
    inbox = ws.root / "inbox"
    fill_return(ws, "001", inbox / "good.xlsx")
    (inbox / "empty.xlsx").write_bytes(b"")
    (inbox / "notes.docx").write_bytes(b"PK\x03\x04 not really")
    (inbox / "表.xlsx").write_text("姓名,性别\n张三,男\n", encoding="utf-8")
    result, data = _collect(runner, ws)
    assert result.exit_code == 2
    outcomes = {Path(f["file"]).name: f["outcome"] for f in data["files"]}
    assert outcomes["good.xlsx"] == "已接收"
    assert outcomes["empty.xlsx"] in ("无法读取", "不是工作簿")
    assert outcomes["表.xlsx"] == "不是工作簿"
    for f in data["files"]:
        if f["outcome"] != "已接收":
            assert f["message"], f
    human = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF)
    assert "Traceback" not in human.output and human.exit_code == 2


def _edit_meta(path: Path, field: str, value: str) -> None:
    wb = openpyxl.load_workbook(path)
    for row in wb["_meta"].iter_rows():
        if row[0].value == field:
            row[1].value = value
    wb.save(path)


def test_altered_signature_is_refused(runner, ws) -> None:
    path = fill_return(ws, "001", ws.root / "inbox" / "a.xlsx")
    _edit_meta(path, "branch_code", "002")
    result, data = _collect(runner, ws)
    [f] = data["files"]
    assert f["outcome"] == "无法识别" and result.exit_code == 2
    assert "身份信息已被改动" in f["message"]
    with Store.open(ws.store_path) as store:
        assert store.current(2025) == {}


def test_another_committees_workbook_is_refused(runner, ws, tmp_path: Path) -> None:
    from conftest import make_workspace

    other = make_workspace(tmp_path / "other")
    path = fill_return(other, "001", ws.root / "inbox" / "别的单位.xlsx")
    result, data = _collect(runner, ws)
    assert data["files"][0]["outcome"] == "无法识别"
    assert path.is_file()


def test_unknown_branch_and_wrong_year(runner, ws, tmp_path: Path) -> None:
    from conftest import make_workspace

    from taizhang.workspace import branches

    fill_return(ws, "003", ws.root / "inbox" / "离退休.xlsx")
    branches.write_template(ws.branches_path, [{"code": "001", "name": "机关第一党支部"}])
    result, data = _collect(runner, ws)
    assert "不在支部名单中" in data["files"][0]["message"]
    # a workbook of another year, signed with this workspace's key
    ws2025 = make_workspace(tmp_path / "y", year=2024)
    ws2025.key_path.write_bytes(ws.key_path.read_bytes())
    fill_return(ws2025, "001", ws.root / "inbox" / "去年的.xlsx")
    result, data = _collect(runner, ws)
    last = next(f for f in data["files"] if "去年的" in f["file"])
    assert "2024年度" in last["message"]


def test_missing_meta_is_stored_with_a_warning(runner, ws) -> None:
    def drop_meta(wb):
        del wb["_meta"]
        for name in list(wb.custom_doc_props.names):
            del wb.custom_doc_props[name]

    fill_return(ws, "002", ws.root / "inbox" / "办公室党支部台账.xlsx", drop_meta)
    result, data = _collect(runner, ws)
    [f] = data["files"]
    assert f["branch_code"] == "002"
    unverified = [p for p in f["problems"] if p["rule_id"] == "ID-UNVERIFIED"]
    assert unverified and unverified[0]["severity"] == "警告"
    with Store.open(ws.store_path) as store:
        assert store.current(2025)["002"].verified is False


def test_missing_meta_refused_when_configured(runner, ws) -> None:
    text = ws.config_path.read_text(encoding="utf-8").replace('unverified = "warn"', 'unverified = "refuse"')
    ws.config_path.write_text(text, encoding="utf-8")
    def drop_identity(wb):
        wb.remove(wb["_meta"])
        for name in list(wb.custom_doc_props.names):
            del wb.custom_doc_props[name]

    fill_return(ws, "002", ws.root / "inbox" / "x.xlsx", drop_identity)
    result, data = _collect(runner, ws)
    assert data["files"][0]["outcome"] == "无法识别" and result.exit_code == 2


@needs_soffice
def test_a_return_resaved_by_libreoffice(runner, ws, tmp_path: Path) -> None:
    src = fill_return(ws, "001", tmp_path / "src" / "一支部.xlsx")
    out = tmp_path / "lo"
    subprocess.run([soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/prof",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180)
    shutil.copy(out / "一支部.xlsx", ws.root / "inbox" / "一支部.xlsx")
    result, data = _collect(runner, ws)
    [f] = data["files"]
    assert f["outcome"] == "已接收", f["problems"]
    assert f["rows"]["党员名册"] == 3
    [m] = _rows(ws, "001", "meetings")
    assert m.values["date"] == date(2025, 3, 5)


def test_status_and_remind(runner, ws) -> None:
    fill_return(ws, "001", ws.root / "inbox" / "a.xlsx")
    _collect(runner, ws)
    result = invoke(runner, "-w", ws.root, "status", "--remind", "--json")
    data = json.loads(result.stdout)
    states = {b["code"]: b["state"] for b in data["branches"]}
    assert states == {"001": "已报送", "002": "未报送", "003": "未报送"}
    wb = openpyxl.load_workbook(data["reminders"])
    names = [wb.active.cell(r, 2).value for r in range(4, 6)]
    assert names == ["办公室党支部", "离退休干部党支部"]
    human = invoke(runner, "-w", ws.root, "status")
    assert "未报送" in human.output and "机关第一党支部" in human.output


def test_problems_command(runner, ws) -> None:
    def edit(wb):
        write_rows(wb["三会一课"], [{"日期": date(2025, 3, 5), "会议类型": "支部党员大会", "主题或议题": "x",
                                  "主持人或授课人": "王建国", "应到人数": 3, "实到人数": 1}])

    fill_return(ws, "001", ws.root / "inbox" / "a.xlsx", edit)
    _collect(runner, ws)
    data = json.loads(invoke(runner, "-w", ws.root, "problems", "--branch", "001", "--json").stdout)
    assert any(p["rule_id"] == "MEET-QUORUM" for p in data["returns"][0]["problems"])
    human = invoke(runner, "-w", ws.root, "problems", "--severity", "错误")
    assert catalog.RULES["MEET-QUORUM"].title in human.output and "MEET-QUORUM" not in human.output
    assert "MEET-QUORUM" in invoke(runner, "-w", ws.root, "problems", "--severity", "error", "--ids").output


def test_a_large_batch_lists_only_the_files_that_need_attention() -> None:
    from taizhang.cli import collect_cmds, common
    from taizhang.collect import CollectReport
    from taizhang.collect.process import FileResult

    files = [FileResult(file=f"/inbox/第{i}党支部.xlsx", outcome="已接收", branch_code=f"{i:03d}",
                        branch_name=f"第{i}党支部", rows={"党员名册": 10}) for i in range(150)]
    files[7] = FileResult(file="/inbox/第7党支部.xlsx", outcome="需修改", branch_code="007", branch_name="第7党支部",
                          errors=2)
    files[9].warnings = 1
    files.append(FileResult(file="/inbox/坏文件.xlsx", outcome="无法读取", message="文件无法作为Excel工作簿打开"))
    with common.console.capture() as captured:
        collect_cmds._render(CollectReport(files, AS_OF), False)
    text = captured.get()
    assert "以下是有问题或未接收的3个" in text
    assert "第7党支部.xlsx" in text and "第9党支部.xlsx" in text and "坏文件.xlsx" in text
    assert "第8党支部.xlsx" not in text
    assert "另有 148 个文件已接收、没有错误和警告，未逐一列出" in text
