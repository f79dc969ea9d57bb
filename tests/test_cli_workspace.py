"""init, finding the workspace, branches, templates — through the CLI."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import openpyxl
from conftest import invoke, make_workspace

from taizhang.workspace import branches as branches_mod
from taizhang.workspace import config


def test_init_creates_the_layout(runner, tmp_path: Path) -> None:
    root = tmp_path / "机关党委"
    result = invoke(runner, "init", root, "--org", "中共某局机关委员会", "--year", "2025", "--deadline", "2026-01-20")
    assert result.exit_code == 0, result.output
    assert "已创建工作区" in result.output
    for name in ("outbox", "inbox", "archive", "feedback", "output", "workbook_templates"):
        assert (root / name).is_dir()
    assert (root / ".taizhang" / "store.sqlite3").is_file()
    key = root / ".taizhang" / "secret.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key.read_text().strip())) == 32
    settings = config.load(root / "taizhang.toml")
    assert settings.org_name == "中共某局机关委员会"
    assert settings.year == 2025 and str(settings.deadline) == "2026-01-20"
    text = (root / "taizhang.toml").read_text(encoding="utf-8")
    assert "# 在职党员" in text and "arrears_months = 6" in text  # defaults written out, commented
    wb = openpyxl.load_workbook(root / "支部名单.xlsx")
    ws = wb["支部名单"]
    assert [c.value for c in ws[2]] == ["支部编码*", "支部名称*", "全称", "上级组织", "组织类别", "支部书记", "联系人", "联系电话"]
    assert any(dv.type == "list" for dv in ws.data_validations.dataValidation)
    assert any(dv.promptTitle == "支部编码" for dv in ws.data_validations.dataValidation)


def test_init_refuses_an_existing_workspace(runner, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert invoke(runner, "init", root, "--org", "甲", "--year", "2025").exit_code == 0
    before = (root / "taizhang.toml").read_bytes()
    key_before = (root / ".taizhang" / "secret.key").read_bytes()
    result = invoke(runner, "init", root, "--org", "乙", "--year", "2026")
    assert result.exit_code == 1
    assert "已经是一个 taizhang 工作区" in result.output
    assert (root / "taizhang.toml").read_bytes() == before
    assert (root / ".taizhang" / "secret.key").read_bytes() == key_before


def test_init_rejects_a_bad_deadline(runner, tmp_path: Path) -> None:
    result = invoke(runner, "init", tmp_path / "x", "--org", "甲", "--year", "2025", "--deadline", "1月15日")
    assert result.exit_code == 1
    assert "不是日期" in result.output
    assert "Traceback" not in result.output


def test_commands_find_the_workspace_upwards_or_by_option(runner, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    sub = ws.root / "inbox"
    result = invoke(runner, "branches", "--json", cwd=sub)
    assert result.exit_code == 0, result.output
    assert [b["code"] for b in json.loads(result.stdout)["branches"]] == ["001", "002", "003"]
    result = invoke(runner, "-w", ws.root, "branches", "--json", cwd=tmp_path)
    assert result.exit_code == 0


def test_no_workspace_is_a_clear_message(runner, tmp_path: Path) -> None:
    result = invoke(runner, "branches", cwd=tmp_path)
    assert result.exit_code == 1
    assert "不是 taizhang 工作区" in result.output and "taizhang init" in result.output
    result = invoke(runner, "-w", tmp_path / "nowhere", "branches", cwd=tmp_path)
    assert result.exit_code == 1 and "-w" in result.output


def test_branches_reports_each_problem(runner, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", [
        {"code": "001", "name": "第一党支部"},
        {"code": "001", "name": "第二党支部"},
        {"code": "", "name": "没有编码的支部"},
        {"code": "004", "name": ""},
        {"code": "005", "name": "第一党支部"},
        {"code": "006", "name": "../../x"},
        {"code": "007", "name": "CON"},
        {"code": "008", "name": 'a/b\\c:d*e?f"g<h>i|j'},
    ])
    result = invoke(runner, "-w", ws.root, "branches", "--json")
    assert result.exit_code == 1  # errors in the list
    data = json.loads(result.stdout)
    rules = sorted(p["rule_id"] for p in data["problems"])
    assert rules == sorted([
        "BR-CODE-DUP", "BR-CODE-EMPTY", "BR-NAME-EMPTY", "BR-NAME-DUP",
        "BR-NAME-CHARS", "BR-NAME-CHARS", "BR-NAME-CHARS",
    ])
    dup = next(p for p in data["problems"] if p["rule_id"] == "BR-CODE-DUP")
    assert "“001”出现了多次（第3、4行）" in dup["message"]
    human = invoke(runner, "-w", ws.root, "branches")
    assert "支部编码“001”出现了多次" in human.output and "Traceback" not in human.output


def test_branch_codes_typed_as_numbers_are_read_as_text(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "list.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("支部名单")
    ws.write_row(1, 0, ["支部编码", "支部名称"])
    ws.write_row(2, 0, [12, "  第一　党支部 "])
    wb.close()
    items, problems = branches_mod.read(path)
    assert [(b.code, b.name) for b in items] == [("12", "第一 党支部")]
    assert problems == []


def test_templates_lists_and_exports(runner, ws) -> None:
    result = invoke(runner, "-w", ws.root, "templates", "--json")
    data = json.loads(result.stdout)
    assert [led["sheet"] for led in data["ledgers"]][:2] == ["党员名册", "三会一课"]
    result = invoke(runner, "-w", ws.root, "templates", "--export", "--json")
    assert "meetings.toml" in json.loads(result.stdout)["exported"]
    assert (ws.root / "workbook_templates" / "meetings.toml").is_file()
