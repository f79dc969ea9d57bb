"""Member lists as the common systems export them: `taizhang members import` previews and writes
nothing, `taizhang issue --roster` fills the rosters with the same importer."""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from conftest import invoke, make_workspace, needs_soffice, soffice
from memberlists import LAYOUTS, UNKNOWN_BRANCH, id_number

from taizhang.issue.memberlist import placing, values
from taizhang.issue.memberlist.table import load

NAME_001 = "001_机关第一党支部_2025年党建工作台账.xlsx"
ROSTER_COLUMNS = ["seq", "name", "gender", "ethnicity", "birth_date", "education", "join_date", "full_date",
                  "member_type", "person_category", "party_post", "group", "standing", "change_date", "note"]


def _preview(runner, ws, path: Path, *extra: str) -> tuple[int, dict]:
    result = invoke(runner, "-w", ws.root, "members", "import", path, "--json", *extra)
    return result.exit_code, json.loads(result.stdout)


def _roster(path: Path) -> dict[str, dict[str, object]]:
    """The issued roster's rows by name (column key → value)."""
    sheet = openpyxl.load_workbook(path)["党员名册"]
    out = {}
    for row in sheet.iter_rows(min_row=3, values_only=True):
        if row[1]:
            out[row[1]] = dict(zip(ROSTER_COLUMNS, row))
    return out


def _problems(data: dict, rule_id: str) -> list[dict]:
    return [p for p in data["problems"] if p["rule_id"] == rule_id]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_layout_is_previewed_and_nothing_is_written(runner, ws, tmp_path: Path, layout: str) -> None:
    path = LAYOUTS[layout](tmp_path / f"{layout}.xlsx")
    code, data = _preview(runner, ws, path)
    assert code == 0
    assert data["members"] == {"001": 2, "002": 1, "003": 1}
    assert data["members_read"] == 6 and data["placed"] == 4
    unknown = "后勤党支部" if layout == "owip" else UNKNOWN_BRANCH
    assert [(u["value"], len(u["rows"])) for u in data["unplaced"]] == [(unknown, 1)]
    # 孙丽's row has no 所在支部: reported with its row, never silently dropped
    assert len(data["blank_branch_rows"]) == 1
    blank = _problems(data, "LIST-BRANCH-BLANK")
    assert [p["row"] for p in blank] == data["blank_branch_rows"] and "孙丽" in blank[0]["message"]
    assert not list((ws.root / "outbox").glob("*.xlsx"))  # a preview writes nothing
    text = invoke(runner, "-w", ws.root, "members", "import", path).output
    assert "分到各支部的党员" in text and "机关第一党支部" in text and "不能分到支部的党员" in text
    assert "没有写入任何文件" in text


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_layout_fills_the_rosters(runner, ws, tmp_path: Path, layout: str) -> None:
    path = LAYOUTS[layout](tmp_path / f"{layout}.xlsx")
    result = invoke(runner, "-w", ws.root, "issue", "--roster", path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["roster"]["members"] == {"001": 2, "002": 1, "003": 1}
    first = _roster(ws.root / "outbox" / NAME_001)
    retired = _roster(next((ws.root / "outbox").glob("003_*.xlsx")))["赵强"]
    office = _roster(next((ws.root / "outbox").glob("002_*.xlsx")))["王芳"]
    assert list(first) == ["张伟", "李娜"]
    assert first["李娜"]["education"] == "研究生"  # 硕士研究生 / 硕士 → 研究生
    assert first["张伟"]["education"] == "大学本科"
    assert first["李娜"]["member_type"] == "正式党员" and office["member_type"] == "预备党员"
    assert first["张伟"]["birth_date"] == datetime(1985, 3, 12)
    # 1988.01 is a month only; the 身份证号 gives the day
    assert first["李娜"]["birth_date"] == datetime(1988, 1, 5)
    assert retired["birth_date"] == datetime(1952, 2, 3)  # easypoi leaves it empty: from the 身份证号
    if layout != "easypoi":  # the easypoi list says nothing about 在职/离退休
        assert retired["person_category"] == "离退休" and first["张伟"]["person_category"] == "在职"
    if layout.startswith("national"):
        assert first["张伟"]["standing"] == "在册"  # 党籍状态 正常
        assert first["张伟"]["join_date"] == datetime(2008, 6, 30)
    if layout == "owip":
        assert first["张伟"]["party_post"] == "书记"


def test_national_dates_and_columns_are_said(runner, ws, tmp_path: Path) -> None:
    _, data = _preview(runner, ws, LAYOUTS["national"](tmp_path / "n.xlsx"))
    assert data["header_rows"] == [3] and any("导出时间" in n for n in data["notes"])
    uses = {c["header"]: c["use"] for c in data["columns"]}
    assert uses["人员类别"] == "member_type" and uses["党籍状态"] == "standing" and uses["工作岗位"] == "work_post"
    month = _problems(data, "LIST-DATE")
    assert [(p["row"], p["column"], p["value"]) for p in month] == [(6, "入党日期", "2024年11月")]
    assert "只写了年月（2024年11月）" in month[0]["message"]
    mapped = {(m["column"], m["written"]): m["option"] for m in data["mappings"]}
    assert mapped[("党籍状态", "正常")] == "在册" and mapped[("工作岗位", "离退休人员")] == "离退休"
    assert mapped[("学历", "硕士研究生")] == "研究生"


def test_two_level_header(runner, ws, tmp_path: Path) -> None:
    _, data = _preview(runner, ws, LAYOUTS["national_two_level"](tmp_path / "n2.xlsx"))
    assert data["header_rows"] == [3, 4]
    headers = [c["header"] for c in data["columns"]]
    assert "入党情况/入党日期" in headers and "基本信息/姓名" in headers and "序号" in headers
    assert _problems(data, "LIST-DATE")[0]["row"] == 7


def test_owip_columns_of_another_meaning_are_not_used(runner, ws, tmp_path: Path) -> None:
    _, data = _preview(runner, ws, LAYOUTS["owip"](tmp_path / "owip.xlsx"))
    uses = {c["header"]: c for c in data["columns"]}
    assert uses["人员类别"]["use"] == ""  # 普通编制: not ours
    unused = _problems(data, "LIST-COLUMN-UNUSED")
    assert unused[0]["value"] == "普通编制" and unused[0]["column"] == "人员类别"
    assert uses["党籍状态（正式党员或预备党员）"]["use"] == "member_type"
    assert uses["人员状态"]["use"] == "person_status"
    assert uses["所在党支部编码"]["use"] == "branch_code"  # its own codes: matched by name instead
    assert all(how == ["名称"] for how in (b["matched_by"] for b in data["branches"]))


def test_easypoi_values_that_could_be_two_options(runner, ws, tmp_path: Path) -> None:
    _, data = _preview(runner, ws, LAYOUTS["easypoi"](tmp_path / "e.xlsx"))
    value = _problems(data, "LIST-VALUE")
    assert [(p["column"], p["value"]) for p in value] == [("学历", "高中及以下")]
    assert "可能是“高中”或“初中及以下”" in value[0]["message"]


def test_nothing_placed_writes_nothing_and_fails(runner, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", [{"code": "101", "name": "后勤党支部", "secretary": "甲"}])
    path = LAYOUTS["national"](tmp_path / "n.xlsx")
    code, data = _preview(runner, ws, path)
    assert code == 1 and data["placed"] == 0
    result = invoke(runner, "-w", ws.root, "issue", "--roster", path)
    assert result.exit_code == 1 and "没有一名能分到" in result.output
    assert not list((ws.root / "outbox").glob("*.xlsx"))


def test_force_keeps_an_issued_roster_and_lists_changes(runner, ws, tmp_path: Path) -> None:
    path = LAYOUTS["national"](tmp_path / "n.xlsx")
    assert invoke(runner, "-w", ws.root, "issue", "--roster", path).exit_code == 0
    before = _roster(ws.root / "outbox" / NAME_001)
    result = invoke(runner, "-w", ws.root, "issue", "--force")  # nothing to carry, no --roster: kept
    assert result.exit_code == 0 and "党员名册保留原有2行" in result.output
    after = _roster(ws.root / "outbox" / NAME_001)
    kept = ("name", "gender", "birth_date", "education", "join_date", "full_date", "member_type", "person_category")
    assert {n: [r[k] for k in kept] for n, r in after.items()} == {n: [r[k] for k in kept] for n, r in before.items()}
    assert after["张伟"]["party_post"] == "党员"  # a blank cell read back with its default
    LAYOUTS["easypoi"](tmp_path / "e.xlsx")
    result = invoke(runner, "-w", ws.root, "issue", "--force", "--roster", tmp_path / "e.xlsx", "--json")
    changes = {r["code"]: r["replaced"] for r in json.loads(result.stdout)["results"]}
    assert changes["001"].startswith("重新生成：党员名册原2人，现2人，姓名未变")
    # blank workbooks asked for: the roster is emptied, and said so
    result = invoke(runner, "-w", ws.root, "issue", "--force", "--no-carry", "--branch", "001")
    assert "党员名册清空（原有2行）" in result.output and not _roster(ws.root / "outbox" / NAME_001)


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = xlsxwriter.Workbook(path)
    sheet = wb.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    wb.close()
    return path


def test_codes_ambiguous_names_and_contradictions(runner, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", [
        {"code": "101", "name": "第一党支部", "full_name": "中共测试局机关第一支部委员会", "secretary": "甲"},
        {"code": "201", "name": "第一党支部", "full_name": "中共测试局后勤第一支部委员会", "secretary": "乙"},
    ])
    path = _sheet(tmp_path / "l.xlsx", [
        ["姓名", "性别", "出生日期", "身份证号", "支部编码", "所在党支部"],
        ["甲", "男", "1980-01-01", id_number("19800101", True), "201", "第一党支部"],
        ["乙", "女", "1981-02-02", id_number("19810203", False), "", "第一党支部"],
        ["丙", "女", 1988.1, id_number("19881005", False), "", "中共测试局机关第一支部委员会"],
        ["丁", "男", "", "12345", "", "中共测试局后勤第一支部委员会"],
    ])
    _, data = _preview(runner, ws, path)
    assert data["members"] == {"101": 1, "201": 2}
    assert {b["code"]: b["matched_by"] for b in data["branches"]} == {"101": ["全称"], "201": ["编码", "全称"]}
    amb = _problems(data, "LIST-BRANCH-AMBIGUOUS")
    assert amb[0]["row"] == 3 and "101 第一党支部" in amb[0]["message"] and "201 第一党支部" in amb[0]["message"]
    mismatch = _problems(data, "LIST-ID-MISMATCH")
    assert [(p["row"], p["value"]) for p in mismatch] == [(3, "1981-02-02")]
    assert not _problems(data, "LIST-DATE")  # 1988.1 (January or October): the 身份证号 says October
    assert {(m["column"], m["option"]) for m in data["mappings"]} == {("出生日期", "按身份证号补全日")}
    assert _problems(data, "LIST-ID-INVALID")[0]["row"] == 5


def test_workspace_synonym_file_extends_the_table(runner, ws, tmp_path: Path) -> None:
    path = _sheet(tmp_path / "l.xlsx", [
        ["人员姓名", "党组织", "文化"], ["张伟", "机关第一党支部", "大学"]])
    result = invoke(runner, "-w", ws.root, "members", "import", path)
    assert result.exit_code == 1 and "找不到表头" in result.output
    (ws.root / "党员信息表列名.toml").write_text(
        '[columns]\nname = ["人员姓名"]\nbranch = ["党组织"]\neducation = ["文化"]\n'
        '[values.education]\n"大学" = "大学专科"\n', encoding="utf-8")
    code, data = _preview(runner, ws, path)
    assert code == 0 and data["members"] == {"001": 1}
    assert data["mappings"][0]["option"] == "大学专科"  # the workspace's entry wins
    assert data["synonym_files"][-1] == "党员信息表列名.toml"


def test_no_branch_column_is_explained(runner, ws, tmp_path: Path) -> None:
    path = _sheet(tmp_path / "l.xlsx", [["姓名", "性别", "出生日期"], ["张伟", "男", "1980-01-01"]])
    result = invoke(runner, "-w", ws.root, "members", "import", path)
    assert result.exit_code == 1 and "没有写明所在支部的列" in result.output and "姓名、性别、出生日期" in result.output


def test_names_are_compared_without_party_words() -> None:
    assert placing.core("中共 某局机关第一支部委员会") == placing.core("某局机关第一党支部")
    assert placing.core("中国共产党某局机关总支部委员会") == "某局机关总支"
    assert placing.org_prefixes("中共某局机关委员会") == ["某局机关", "某局"]


def test_dates_as_offices_write_them() -> None:
    assert values.a_date("1988-1-5").value == date(1988, 1, 5)
    assert values.a_date(32000.0).value == date(1987, 8, 11)  # an Excel serial
    for written in ("1988.01", "2024年11月", "１９８８－０１"):
        found = values.a_date(written)
        assert found.value == written and "只写了年月" in found.finding.fields["reason"]
    assert "只写了年份" in values.a_date("1988").finding.fields["reason"]
    assert "1988年1月" in values.a_date(1988.01).finding.fields["reason"]
    assert "也可能是1988年10月" in values.a_date(1988.1).finding.fields["reason"]
    assert values.id_number(id_number("19880105", True)).birth == date(1988, 1, 5)
    good = id_number("19880105", True)
    wrong = good[:-1] + ("1" if good[-1] != "1" else "2")
    assert not values.id_number(wrong).valid and values.id_number(good).sex == "男"


def test_shipped_table_is_package_data() -> None:
    table = load(None)
    assert "name" in table.uses("姓 名") and set(table.uses("人员类别")) == {"member_type", "person_category"}


def test_one_sheet_per_branch_without_a_branch_column(runner, ws, tmp_path: Path) -> None:
    path = tmp_path / "per_branch.xlsx"
    wb = xlsxwriter.Workbook(path)
    for sheet_name, title, people in (("Sheet1", "机关第一党支部党员名册", [("张三", "19800101")]),
                                      ("办公室党支部", "", [("王五", "19900303"), ("赵六", "19910404")])):
        sheet = wb.add_worksheet(sheet_name)
        if title:
            sheet.merge_range(0, 0, 0, 4, title)
        sheet.merge_range(1, 0, 2, 0, "序号")  # 序号 and 姓名 merged down a two-level header
        sheet.merge_range(1, 1, 2, 1, "姓名")
        sheet.merge_range(1, 2, 2, 2, "身份证号")
        sheet.merge_range(1, 3, 1, 4, "学历学位")
        sheet.write_row(2, 3, ["全日制教育", "在职教育"])
        for i, (name, born) in enumerate(people, start=1):
            sheet.write_row(2 + i, 0, [i, name, id_number(born, True), "大学本科", "硕士研究生"])
    wb.close()
    code, data = _preview(runner, ws, path)
    assert code == 0 and data["members"] == {"001": 1, "002": 2}
    assert data["sheet_branches"] == {"Sheet1": "机关第一党支部", "办公室党支部": "办公室党支部"}
    uses = {c["header"]: c["use"] for c in data["columns"]}
    assert uses["学历学位/全日制教育"] == "education" and uses["学历学位/在职教育"] == ""
    result = invoke(runner, "-w", ws.root, "issue", "--roster", path)
    assert result.exit_code == 0
    row = _roster(ws.root / "outbox" / NAME_001)["张三"]
    assert row["birth_date"] == datetime(1980, 1, 1) and row["gender"] == "男" and row["education"] == "大学本科"


def test_a_column_of_months_is_said_once(runner, ws, tmp_path: Path) -> None:
    rows = [["序号", "所在党组织", "党员姓名", "出生年月", "入党时间"]]
    rows += [[i, "机关第一党支部", f"党员{i}", f"19{70 + i}.0{i}", f"200{i}-07-01"] for i in range(1, 6)]
    rows += [["合计：5人"], ["制表人：李明"]]
    _, data = _preview(runner, ws, _sheet(tmp_path / "l.xlsx", rows))
    assert data["members_read"] == 5  # the 合计 and 制表人 lines are not members
    months = _problems(data, "LIST-MONTHS")
    assert [(p["row"], p["column"]) for p in months] == [(2, "出生年月")]
    assert "有5人只写了年月" in months[0]["message"] and "第2、3、4、5、6行" in months[0]["message"]
    assert not _problems(data, "LIST-DATE")


@needs_soffice
def test_an_old_xls_list(runner, ws, tmp_path: Path) -> None:
    """A list saved as .xls (Excel 97-2003), as older systems export."""
    src = LAYOUTS["national_two_level"](tmp_path / "n2.xlsx")
    subprocess.run([soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "xls", "--outdir", str(tmp_path / "xls"), str(src)],
                   check=True, capture_output=True, timeout=180)
    code, data = _preview(runner, ws, tmp_path / "xls" / "n2.xls")
    assert code == 0 and data["members"] == {"001": 2, "002": 1, "003": 1} and data["header_rows"] == [3, 4]


def test_a_branch_merged_down_over_its_members(runner, ws, tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    wb = xlsxwriter.Workbook(path)
    sheet = wb.add_worksheet()
    sheet.write_row(0, 0, ["所在党支部", "姓名", "性别"])
    sheet.merge_range(1, 0, 3, 0, "机关第一党支部")
    sheet.merge_range(4, 0, 5, 0, "办公室党支部")
    for r, name in enumerate(["甲", "乙", "丙", "丁", "戊"], start=1):
        sheet.write_row(r, 1, [name, "男"])
    wb.close()
    _, data = _preview(runner, ws, path)
    assert data["members"] == {"001": 3, "002": 2} and not data["blank_branch_rows"]
    merged = _problems(data, "LIST-MERGED")
    assert [(p["row"], p["value"]) for p in merged] == [(2, "机关第一党支部"), (5, "办公室党支部")]
    assert "A2:A4是合并单元格，第2至4行" in merged[0]["message"]
