"""issue: the workbooks a branch receives, read back as the branch's Excel would see them."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import invoke, needs_soffice, soffice

from taizhang.signing import Identity
from taizhang.workspace.definitions import load_definitions
from taizhang.workspace.store import Store

NAME_001 = "001_机关第一党支部_2025年党建工作台账.xlsx"


def _meta(wb: openpyxl.Workbook) -> tuple[Identity, str]:
    values = {row[0].value: row[1].value for row in wb["_meta"].iter_rows(min_col=1, max_col=2)}
    identity = Identity.from_mapping(values)
    assert identity is not None
    return identity, values["signature"]


def _validation_for(ws, col_letter: str, row: int = 3):
    for dv in ws.data_validations.dataValidation:
        if f"{col_letter}{row}" in dv.sqref:
            return dv
    return None


def test_issue_writes_a_signed_workbook_per_branch(runner, ws) -> None:
    result = invoke(runner, "-w", ws.root, "issue")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (ws.root / "outbox").glob("*.xlsx"))
    assert files == [NAME_001, "002_办公室党支部_2025年党建工作台账.xlsx", "003_离退休干部党支部_2025年党建工作台账.xlsx"]
    assert (ws.root / "outbox" / "关于报送2025年党建工作台账的通知.docx").is_file()
    with Store.open(ws.store_path) as store:
        issued = store.issued(2025)
    assert [i.branch_code for i in issued] == ["001", "002", "003"]
    assert all(len(i.sha256) == 64 for i in issued)


def test_issued_workbook_reads_back_as_specified(runner, ws) -> None:
    invoke(runner, "-w", ws.root, "issue", "--branch", "001")
    wb = openpyxl.load_workbook(ws.root / "outbox" / NAME_001)
    definition = load_definitions()
    assert wb.sheetnames[0] == "填表说明"
    assert wb.sheetnames[1 : 1 + len(definition.ledgers)] == [led.sheet for led in definition.ledgers]
    intro = "\n".join(str(c.value) for row in wb["填表说明"].iter_rows() for c in row if c.value)
    for text in ("中共测试局机关委员会", "机关第一党支部", "2026年1月15日", "2026.1", "不要修改工作表名称"):
        assert text in intro
    for led in definition.ledgers:
        ws_ = wb[led.sheet]
        assert ws_.protection.sheet  # protected: headers locked
        if led.kind == "form":
            labels = [ws_.cell(3 + i, 1).value.rstrip("*") for i in range(len(led.columns))]
            assert labels == led.headers
            continue
        headers = [c.value for c in ws_[2]]
        assert [h.rstrip("*") for h in headers] == led.headers
        for col, header in zip(led.columns, headers):
            assert header.endswith("*") == col.required
        assert ws_.freeze_panes in ("A3", "C3")
        assert ws_.protection.insertRows is False and ws_.protection.sort is False  # allowed
        for i, col in enumerate(led.columns, start=1):
            letter = openpyxl.utils.get_column_letter(i)
            cell = ws_[f"{letter}3"]
            dv = _validation_for(ws_, letter)
            if col.type in ("enum", "bool"):
                assert dv is not None and dv.type == "list", (led.sheet, col.header)
                listed = dv.formula1.strip('"').split(",") if dv.formula1.startswith('"') else None
                if listed is not None:
                    assert listed == list(col.choices)
            if col.type == "date":
                assert dv is not None and dv.type == "date", (led.sheet, col.header)
                assert cell.number_format == "yyyy-mm-dd"
            if col.help and not col.formula:
                assert dv is not None and dv.promptTitle == col.header[:32]
                assert col.help[:40] in dv.prompt
            if not col.formula:
                assert cell.protection.locked is False, (led.sheet, col.header)
    # the very hidden identity, and the same fields as document properties
    assert wb["_meta"].sheet_state == "veryHidden"
    identity, signature = _meta(wb)
    assert (identity.branch_code, identity.branch_name, identity.year) == ("001", "机关第一党支部", 2025)
    assert identity.template_version == definition.version
    assert identity.verify(ws.key, signature)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["taizhang.branch_code"] == "001" and props["taizhang.signature"] == signature


@pytest.mark.parametrize("field", ["template_id", "template_version", "org", "branch_code", "branch_name", "year", "issued_at"])
def test_signature_fails_when_any_field_is_altered(runner, ws, field: str) -> None:
    invoke(runner, "-w", ws.root, "issue", "--branch", "001")
    identity, signature = _meta(openpyxl.load_workbook(ws.root / "outbox" / NAME_001))
    values = dict(identity.items())
    values[field] = "2026" if field == "year" else values[field] + "x"
    altered = Identity.from_mapping(values)
    assert altered is not None and not altered.verify(ws.key, signature)
    assert not identity.verify(b"another key" * 3, signature)


def test_issue_refuses_to_overwrite_without_force(runner, ws) -> None:
    invoke(runner, "-w", ws.root, "issue")
    path = ws.root / "outbox" / NAME_001
    before = path.read_bytes()
    inode = path.stat().st_ino
    result = invoke(runner, "-w", ws.root, "issue", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {r["status"] for r in data["results"]} == {"已存在"}
    assert "--force" in data["results"][0]["message"]
    assert path.read_bytes() == before and path.stat().st_ino == inode
    result = invoke(runner, "-w", ws.root, "issue", "--force", "--branch", "001", "--json")
    assert [r["status"] for r in json.loads(result.stdout)["results"]] == ["已下发"]
    assert path.stat().st_ino != inode  # written anew (atomically replaced)
    with Store.open(ws.store_path) as store:
        assert [i.branch_code for i in store.issued(2025)] == ["001", "002", "003", "001"]


def test_issue_to_chosen_branches_and_unknown_code(runner, ws) -> None:
    result = invoke(runner, "-w", ws.root, "issue", "-b", "002", "-b", "003", "--json")
    assert [r["code"] for r in json.loads(result.stdout)["results"]] == ["002", "003"]
    result = invoke(runner, "-w", ws.root, "issue", "--branch", "999")
    assert result.exit_code == 1 and "没有编码为“999”的支部" in result.output and "001 机关第一党支部" in result.output


def test_issue_with_an_empty_branch_list(runner, tmp_path: Path) -> None:
    from conftest import make_workspace

    ws = make_workspace(tmp_path / "ws", [])
    result = invoke(runner, "-w", ws.root, "issue")
    assert result.exit_code == 1 and "还没有支部" in result.output


def test_issue_prefills_rosters_from_a_member_list(runner, ws, tmp_path: Path) -> None:
    import xlsxwriter

    members = tmp_path / "党员信息.xlsx"
    wb = xlsxwriter.Workbook(members)
    sh = wb.add_worksheet("党员")
    sh.write_row(0, 0, ["姓名", "性别", "出生日期", "入党日期", "党员类别", "人员类别", "所在支部", "身份证号"])
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    rows = [
        ["张伟", "男", datetime(1980, 5, 1), "2005年7月1日", "正式党员", "在职", "机关第一党支部"],
        ["李娜", "女", "1990.3.8", datetime(2015, 6, 30), "正式党员", "在职", "001"],
        ["王芳", "女", datetime(1955, 1, 1), datetime(1980, 1, 1), "正式党员", "离退休", "离退休干部党支部"],
        ["赵六", "男", datetime(1985, 1, 1), datetime(2010, 1, 1), "正式党员", "在职", "不存在的支部"],
    ]
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            sh.write_datetime(r, c, v, date_fmt) if isinstance(v, datetime) else sh.write(r, c, v)
    wb.close()
    result = invoke(runner, "-w", ws.root, "issue", "--roster", members, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["roster"]["members"] == {"001": 2, "003": 1}
    assert data["roster"]["unmatched"] == ["不存在的支部"]
    sheet = openpyxl.load_workbook(ws.root / "outbox" / NAME_001)["党员名册"]
    assert [sheet.cell(r, 2).value for r in (3, 4, 5)] == ["张伟", "李娜", None]
    assert sheet.cell(3, 7).value == datetime(2005, 7, 1)  # 入党日期 read from text
    assert sheet.cell(4, 5).value == datetime(1990, 3, 8)
    assert sheet.cell(3, 10).value == "在职"


@needs_soffice
def test_libreoffice_resave_keeps_data_meta_and_signature(runner, ws, tmp_path: Path) -> None:
    invoke(runner, "-w", ws.root, "issue", "--branch", "001")
    src = tmp_path / "in" / "return.xlsx"
    src.parent.mkdir()
    shutil.copy(ws.root / "outbox" / NAME_001, src)
    wb = openpyxl.load_workbook(src)
    wb["三会一课"]["B3"] = datetime(2025, 3, 5)
    wb["三会一课"]["C3"] = "支部党员大会"
    wb.save(src)
    out = tmp_path / "out"
    subprocess.run(
        [soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)],
        check=True, capture_output=True, timeout=180,
    )
    back = openpyxl.load_workbook(out / "return.xlsx")
    assert back["三会一课"]["C3"].value == "支部党员大会"
    assert back["三会一课"]["B3"].value == datetime(2025, 3, 5)
    assert back["_meta"].sheet_state in ("hidden", "veryHidden")
    identity, signature = _meta(back)
    assert identity.verify(ws.key, signature)
    assert any(dv.type == "list" for dv in back["三会一课"].data_validations.dataValidation)
