"""Several levels through the CLI: the tree in 支部名单, link keys, roll-ups collected upward,
figures for any node, and refusals of forged or altered roll-ups.

The organisation used: 党委 "T01" (the top workspace) with a 党支部 of its own (001) and a 党总支
"Z1" that keeps its own workspace; Z1 has a 党支部 directly (Z1-01) and a 党总支 without a
workspace of its own (Z1-G) with one 党支部 (Z1-G1). Each return is filled with known figures, so
the expected totals are computed here from what was typed, independently of taizhang.statistics.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import invoke, make_workspace
from returns import issued_path, write_form, write_rows

from taizhang import workspace
from taizhang.workspace import branches as branches_mod
from taizhang.workspace.store import Store

AS_OF = "2026-01-10"
TOP_LIST = [
    {"code": "001", "name": "机关第一党支部", "secretary": "甲一"},
    {"code": "Z1", "name": "机关第一党总支", "kind": "党总支", "secretary": "乙一"},
]
MID_LIST = [
    {"code": "Z1-01", "name": "总支直属党支部", "parent": "Z1", "secretary": "丙一"},
    {"code": "Z1-G", "name": "总支下设党总支", "kind": "党总支", "parent": "Z1"},
    {"code": "Z1-G1", "name": "下设党总支第一党支部", "parent": "Z1-G", "secretary": "丁一"},
]


@dataclass(frozen=True)
class Spec:
    """What one branch typed: members, 支部党员大会 held, 月应交 per member, months paid."""

    code: str
    names: str  # one character per member: the member is named secretary's surname + it
    meetings: int
    due: int
    paid_months: int
    sent: datetime

    @property
    def members(self) -> int:
        return len(self.names)


SPECS = {
    "001": Spec("001", "甲乙丙丁", 4, 40, 12, datetime(2026, 1, 6, 9)),
    "Z1-01": Spec("Z1-01", "丙丁戊", 2, 25, 10, datetime(2026, 1, 5, 9)),
    "Z1-G1": Spec("Z1-G1", "丁戊己庚辛", 3, 12, 12, datetime(2026, 1, 4, 9)),
}


def expected(codes: list[str], specs: dict[str, Spec] | None = None) -> dict[str, object]:
    """The figures of these branches, from what was typed (every member in standing all year)."""
    specs = specs or SPECS
    items = [specs[c] for c in codes]
    due = sum(s.members * s.due * 12 for s in items)
    paid = sum(s.members * s.due * s.paid_months for s in items)
    return {"members": sum(s.members for s in items), "general": sum(s.meetings for s in items),
            "due": f"{due:.2f}", "paid": f"{paid:.2f}"}


def figures(total: dict) -> dict[str, object]:
    return {"members": total["membership"]["total"], "general": total["meetings"]["general"],
            "due": total["dues"]["due"], "paid": total["dues"]["paid"]}


def fill(ws, spec: Spec, target: Path) -> Path:
    """The branch's issued workbook filled with `spec`, saved to `target` and dated `spec.sent`."""
    shutil.copy(issued_path(ws, spec.code), target)
    wb = openpyxl.load_workbook(target)
    secretary = f"王{spec.names[0]}"
    people = [f"王{c}" for c in spec.names]
    write_rows(wb["党员名册"], [
        {"姓名": p, "性别": "男", "出生日期": date(1980, 1, 1 + i), "入党日期": date(2005, 7, 1),
         "转正日期": date(2006, 7, 1), "党员类别": "正式党员", "人员类别": "在职",
         "党内职务": "书记" if p == secretary else "党员"} for i, p in enumerate(people)])
    write_rows(wb["三会一课"], [
        {"日期": date(2025, 1 + 3 * q, 10), "会议类型": "支部党员大会", "主题或议题": f"第{q + 1}季度党员大会",
         "主持人或授课人": secretary, "应到人数": spec.members, "实到人数": spec.members}
        for q in range(spec.meetings)])
    write_rows(wb["党费收缴"], [
        {"姓名": p, "人员类别": "在职", "月计算基数(元)": spec.due * 100, "交纳比例": "1%", "月应交(元)": spec.due,
         **{f"{m}月": spec.due for m in range(1, spec.paid_months + 1)}} for p in people])
    write_form(wb["年度小结"], {"工作亮点和特色做法": "1. 坚持“三会一课”。", "填报人": secretary, "支部书记": secretary,
                              "填报日期": date(2026, 1, 5)})
    wb.save(target)
    stamp = spec.sent.timestamp()
    os.utime(target, (stamp, stamp))
    return target


def _json(result):
    assert "Traceback" not in result.output
    return json.loads(result.stdout)


def cli(runner, ws, *args):
    return invoke(runner, "-w", ws.root, *args)


@dataclass
class Org:
    top: workspace.Workspace
    mid: workspace.Workspace
    rollup: Path  # the mid level's roll-up, already in the top's inbox
    fingerprint: str


def build_org(runner, root: Path) -> Org:
    """Both workspaces, linked; the mid level collected and rolled up; the top's inbox holds 001's
    return and the roll-up (not yet collected)."""
    top = make_workspace(root / "top", TOP_LIST)
    mid = workspace.init(root / "mid", org="中共测试局机关第一总支部委员会", year=2025, code="Z1")
    branches_mod.write_template(mid.branches_path, MID_LIST)
    added = _json(cli(runner, top, "link", "add", "Z1", "--json"))
    imported = _json(cli(runner, mid, "link", "import", added["key_file"], "--json"))
    assert imported["fingerprint"] == added["fingerprint"]
    for code in ("Z1-01", "Z1-G1"):
        fill(mid, SPECS[code], mid.root / "inbox" / f"{code}.xlsx")
    assert cli(runner, mid, "collect", "--as-of", AS_OF).exit_code == 0
    made = _json(cli(runner, mid, "rollup", "--as-of", AS_OF, "--json"))
    rollup = top.root / "inbox" / Path(made["path"]).name
    shutil.copy(made["path"], rollup)
    fill(top, SPECS["001"], top.root / "inbox" / "001.xlsx")
    return Org(top, mid, rollup, added["fingerprint"])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from typer.testing import CliRunner

    return build_org(CliRunner(), tmp_path_factory.mktemp("org"))


@pytest.fixture
def org(built: Org, tmp_path: Path) -> Org:
    """A fresh copy of the built organisation for each test."""
    shutil.copytree(built.top.root, tmp_path / "top")
    shutil.copytree(built.mid.root, tmp_path / "mid")
    top, mid = workspace.Workspace(tmp_path / "top"), workspace.Workspace(tmp_path / "mid")
    return Org(top, mid, top.root / "inbox" / built.rollup.name, built.fingerprint)


# --- the tree in 支部名单 -------------------------------------------------------------------------
def test_branches_shows_the_tree_and_json_nests_it(runner, tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws", [*TOP_LIST, {"code": "Z1-01", "name": "总支直属党支部", "parent": "Z1"}])
    result = cli(runner, ws, "branches")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("中共测试局机关委员会（T01）")
    assert any(line.startswith("└── Z1  机关第一党总支  （党总支，书记 乙一）") for line in lines)
    assert any("    └── Z1-01  总支直属党支部" in line for line in lines)
    assert "共2个党支部、1个党总支（党委）。" in result.stdout
    data = _json(cli(runner, ws, "branches", "--json"))
    assert [u["code"] for u in data["units"]] == ["001", "Z1"]
    assert [c["code"] for c in data["units"][1]["children"]] == ["Z1-01"]
    assert data["units"][1]["kind"] == "党总支" and data["organisation"]["code"] == "T01"
    assert [b["code"] for b in data["branches"]] == ["001", "Z1", "Z1-01"]  # the list as it is, too


def test_branches_reports_a_cycle_and_a_missing_parent(runner, tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws", [
        {"code": "A", "name": "甲党总支", "parent": "B"},
        {"code": "B", "name": "乙党总支", "parent": "A"},
        {"code": "C", "name": "丙党支部", "parent": "A"},
        {"code": "D", "name": "丁党支部", "parent": "X9"},
        {"code": "E", "name": "戊党支部", "parent": "T01"},  # the workspace's own code: fine
        {"code": "F", "name": "己党支部", "kind": "党支部"},
        {"code": "G", "name": "庚党支部", "parent": "F", "kind": "支部"},
    ])
    result = cli(runner, ws, "branches", "--json")
    assert result.exit_code == 1
    data = _json(result)
    rules = sorted(p["rule_id"] for p in data["problems"])
    assert rules == ["BR-CYCLE", "BR-KIND", "BR-KIND", "BR-PARENT"]
    cycle = next(p for p in data["problems"] if p["rule_id"] == "BR-CYCLE")
    assert "甲党总支（A） → 乙党总支（B） → 甲党总支（A）" in cycle["message"]
    parent = next(p for p in data["problems"] if p["rule_id"] == "BR-PARENT")
    assert parent["row"] == 6 and "“X9”既不是名单中的编码" in parent["message"]
    kinds = sorted(p["message"] for p in data["problems"] if p["rule_id"] == "BR-KIND")
    assert "“支部”不是可选项" in kinds[0] or "“支部”不是可选项" in kinds[1]
    assert any("是党支部，但名单中有下级组织（庚党支部）" in m for m in kinds)
    # The tree is still shown, the cycle cut and the unknown parent taken as directly under us.
    top = [u["code"] for u in data["units"]]
    assert top == ["A", "D", "E", "F"] and data["units"][0]["children"][0]["code"] == "B"
    human = cli(runner, ws, "branches")
    assert "上级组织关系出现循环" in human.stdout and "Traceback" not in human.output


# --- links ---------------------------------------------------------------------------------------
def test_link_add_import_list_and_remove(runner, tmp_path) -> None:
    top = make_workspace(tmp_path / "top", TOP_LIST)
    result = cli(runner, top, "link", "add", "Z1")
    assert result.exit_code == 0, result.output
    key_file = top.root / "output" / "Z1_机关第一党总支_汇总报送密钥.txt"
    text = key_file.read_text(encoding="utf-8")
    fingerprint = next(line.split("=")[1].strip().strip('"') for line in text.splitlines() if line.startswith("fingerprint"))
    assert f"密钥指纹：{fingerprint}" in result.stdout and "不要用邮件或微信转发" in result.stdout
    assert "请当面或用U盘交给对方" in text and oct(key_file.stat().st_mode & 0o777) == "0o600"
    again = cli(runner, top, "link", "add", "Z1")
    assert again.exit_code == 1 and "已为“机关第一党总支”（Z1）建立过上报链接" in again.stderr
    for code, words in (("001", "组织类别是党支部"), ("Z9", "支部名单中没有编码为“Z9”的单位")):
        refused = cli(runner, top, "link", "add", code)
        assert refused.exit_code == 1 and words in refused.stderr
    # The lower level: its own code must be the one the key was made for.
    other = workspace.init(tmp_path / "other", org="别的党总支", year=2025, code="Z2")
    wrong = cli(runner, other, "link", "import", key_file)
    assert wrong.exit_code == 1 and "为编码“Z1”（机关第一党总支）生成的" in wrong.stderr
    mid = workspace.init(tmp_path / "mid", org="中共测试局机关第一总支部委员会", year=2025)
    imported = cli(runner, mid, "link", "import", key_file)
    assert imported.exit_code == 0 and fingerprint in imported.stdout
    assert "已在 taizhang.toml 中设为 Z1" in imported.stdout and workspace.Workspace(mid.root).settings.org_code == "Z1"
    assert _json(cli(runner, mid, "link", "list", "--json"))["upper"]["fingerprint"] == fingerprint
    listed = _json(cli(runner, top, "link", "list", "--json"))
    assert [(x["unit_code"], x["fingerprint"]) for x in listed["lower"]] == [("Z1", fingerprint)]
    assert "key" not in json.dumps(listed).replace("key_", "")  # the key itself is never printed
    broken = tmp_path / "broken.txt"
    broken.write_text(text.replace(fingerprint, "0000:0000:0000:0000"), encoding="utf-8")
    assert "密钥与指纹不符" in cli(runner, mid, "link", "import", broken).stderr
    renewed = _json(cli(runner, top, "link", "add", "Z1", "--renew", "--json"))
    assert renewed["replaced"] == fingerprint and renewed["fingerprint"] != fingerprint
    assert cli(runner, top, "link", "remove", "Z1").exit_code == 0
    assert _json(cli(runner, top, "link", "list", "--json"))["lower"] == []


def test_rollup_without_an_imported_key_says_what_to_do(runner, tmp_path) -> None:
    mid = workspace.init(tmp_path / "mid", org="党总支", year=2025, code="Z1")
    result = cli(runner, mid, "rollup")
    assert result.exit_code == 1 and "taizhang link import" in result.stderr and "Traceback" not in result.output


# --- rolling up and collecting upward --------------------------------------------------------------
def test_three_levels_top_figures_equal_the_sum_of_every_branch_return(runner, org: Org) -> None:
    result = cli(runner, org.top, "collect", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    files = {Path(f["file"]).name: f for f in _json(result)["files"]}
    rolled = files[org.rollup.name]
    assert (rolled["outcome"], rolled["branch_code"], rolled["branch_name"]) == ("已接收", "Z1", "机关第一党总支")
    assert [(x["code"], x["outcome"]) for x in rolled["rollup"]] == [("Z1-01", "已接收"), ("Z1-G1", "已接收")]
    assert rolled["rows"]["党员名册"] == 3 + 5
    stats = _json(cli(runner, org.top, "stats", "--as-of", AS_OF, "--json"))
    assert [b["code"] for b in stats["branches"]] == ["001", "Z1-01", "Z1-G1"]
    assert figures(stats["total"]) == expected(["001", "Z1-01", "Z1-G1"])
    groups = {g["code"]: g for g in stats["groups"]}
    assert list(groups) == ["Z1", "Z1-G"] and groups["Z1-G"]["depth"] == 1
    assert figures(groups["Z1"]["total"]) == expected(["Z1-01", "Z1-G1"])
    assert figures(groups["Z1-G"]["total"]) == expected(["Z1-G1"])
    assert [b["group"] for b in stats["branches"]] == ["", "机关第一党总支", "机关第一党总支／总支下设党总支"]
    # Any node: the 党总支, the one below it, a single 党支部.
    for unit, codes in (("Z1", ["Z1-01", "Z1-G1"]), ("Z1-G", ["Z1-G1"]), ("001", ["001"])):
        part = _json(cli(runner, org.top, "stats", "--unit", unit, "--as-of", AS_OF, "--json"))
        assert [b["code"] for b in part["branches"]] == codes
        assert figures(part["total"]) == expected(codes), unit
    # The mid level's own figures, in its roll-up, agree with the top's figures for its node.
    mid_stats = _json(cli(runner, org.mid, "stats", "--as-of", AS_OF, "--json"))
    assert figures(mid_stats["total"]) == expected(["Z1-01", "Z1-G1"])
    status = _json(cli(runner, org.top, "status", "--json"))
    by_code = {b["code"]: b for b in status["branches"]}
    assert by_code["Z1-G1"]["source"] == "经“机关第一党总支”汇总" and by_code["001"]["source"] == "直接报送"
    assert by_code["Z1-G1"]["group"] == "机关第一党总支／总支下设党总支" and by_code["Z1-G1"]["via"] == "Z1"
    assert [(u["code"], u["branches"], u["missing"]) for u in status["units"]] == [("Z1", 2, False)]
    with Store.open(org.top.store_path) as store:
        sources = store.rollup_sources(2025)
        sub = store.current(2025)["Z1-G1"]
        assert sub.origin == "rollup:Z1" and sub.file_name == org.rollup.name
        assert sources[sub.id].original_file == "Z1-G1.xlsx" and sub.submitted_at == "2026-01-04T09:00:00"
    again = _json(cli(runner, org.top, "collect", "--as-of", AS_OF, "--json"))
    assert {f["outcome"] for f in again["files"]} == {"已收过"}


def test_collect_shows_what_became_of_each_branch_of_a_rollup(runner, org: Org) -> None:
    result = cli(runner, org.top, "collect", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Z1 机关第一党总支（下级汇总，2个支部）" in out
    assert "“机关第一党总支”汇总中的2个支部" in out
    assert any("Z1-G1 下设党总支第一党支部" in line and "已接收" in line for line in out.splitlines())
    status = cli(runner, org.top, "status")
    assert "下级党总支（党委）的汇总报送" in status.stdout and "机关第一党总支／总支下设党总支" in status.stdout


def test_consolidate_and_stats_for_one_unit(runner, org: Org) -> None:
    cli(runner, org.top, "collect", "--as-of", AS_OF)
    result = cli(runner, org.top, "consolidate", "--unit", "Z1", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    data = _json(result)
    assert [Path(p).name for p in data["files"]] == ["汇总台账_机关第一党总支.xlsx", "统计表_机关第一党总支.xlsx"]
    assert data["unit"] == {"code": "Z1", "name": "机关第一党总支"} and data["included"] == ["Z1-01", "Z1-G1"]
    ledger = openpyxl.load_workbook(data["ledger_path"])
    rows = list(ledger["三会一课"].iter_rows(min_row=2, values_only=True))
    assert [r[:3] for r in rows] == [("Z1-01", "总支直属党支部", None)] * 2 + [("Z1-G1", "下设党总支第一党支部", "总支下设党总支")] * 3
    table = openpyxl.load_workbook(data["stats_path"])["表3 党费收缴情况"]
    cells = {r[0]: r for r in table.iter_rows(min_row=5, values_only=True) if r[0]}
    total = next(r for r in table.iter_rows(min_row=5, values_only=True) if r[0] == "合计")
    assert "2025年机关第一党总支各支部党费收缴情况" in table["A1"].value
    sub = next(r for r in table.iter_rows(min_row=5, values_only=True) if str(r[0]).strip().startswith("其中：总支下设党总支"))
    assert cells[1][3] is None and cells[2][3] == "总支下设党总支"  # 所属组织 below the unit asked for
    heads = [c.value for c in table[3]]  # merged over both header rows: the value is in the upper one
    due = heads.index("应交党费（元）")
    assert sub[due] == float(expected(["Z1-G1"])["due"])
    assert total[due] == f"=SUM({chr(65 + due)}5:{chr(65 + due)}6)"  # over the branch rows only
    whole = _json(cli(runner, org.top, "consolidate", "--as-of", AS_OF, "--json"))
    assert [g["code"] for g in whole["groups"]] == ["Z1", "Z1-G"] and whole["branches"] == 3
    unknown = cli(runner, org.top, "stats", "--unit", "Z9", "--as-of", AS_OF)
    assert unknown.exit_code == 1 and "组织中没有编码为“Z9”的单位（党总支（党委）有：Z1 机关第一党总支" in unknown.stderr


def test_an_altered_rollup_is_refused_naming_the_file_and_the_reason(runner, org: Org) -> None:
    wb = openpyxl.load_workbook(org.rollup)
    sheet = wb["党费收缴"]
    heads = [c.value for c in sheet[1]]
    sheet.cell(2, heads.index("1月") + 1).value = 999  # someone "corrects" a figure
    altered = org.rollup.with_name("改过的汇总.xlsx")
    wb.save(altered)
    org.rollup.unlink()
    result = cli(runner, org.top, "collect", "--as-of", AS_OF)
    assert result.exit_code == 2
    line = next(line for line in result.stdout.splitlines() if "改过的汇总.xlsx" in line)
    assert "无法识别" in line and "汇总在生成后被改动过（表格内容与签名时不一致），不能接收" in line
    data = _json(cli(runner, org.top, "status", "--json", "--remind"))
    assert [b["code"] for b in data["branches"]] == ["001"] and data["units"][0]["missing"]
    reminders = openpyxl.load_workbook(data["reminders"])["催报名单"]
    row = next(r for r in reminders.iter_rows(min_row=4, values_only=True) if r[0] == "Z1")
    assert row[5] == "未报送汇总" and "taizhang rollup" in row[6]


def test_a_signed_rollup_this_version_cannot_read_is_refused_not_a_crash(runner, org: Org) -> None:
    from taizhang import reading
    from taizhang.levels import links
    from taizhang.levels.rollup_format import RollupIdentity, content_digest, meta

    wb = openpyxl.load_workbook(org.rollup)
    wb["_returns"]["B1"].value = "{not json"  # what another version might have written
    wb.save(org.rollup)
    with reading.open_workbook(org.rollup) as reader:
        digest, fields = content_digest(reader), meta(reader)
    identity = RollupIdentity.from_mapping({**fields, "digest": digest})
    key = links.uplink(org.mid).key
    rows = {r[0].value: r for r in wb["_meta"].iter_rows()}
    rows["digest"][1].value, rows["signature"][1].value = digest, identity.sign(key)
    wb.save(org.rollup)
    result = cli(runner, org.top, "collect", org.rollup, "--as-of", AS_OF, "--json")
    assert result.exit_code == 2
    [f] = _json(result)["files"]
    assert f["problems"][0]["rule_id"] == "ROLLUP-BROKEN" and "内容无法按本版本的格式读取" in f["message"]


def test_a_rollup_collected_where_it_was_made_says_to_send_it_up(runner, org: Org) -> None:
    [f] = _json(cli(runner, org.mid, "collect", org.rollup, "--as-of", AS_OF, "--json"))["files"]
    assert f["outcome"] == "无法识别" and "要报送给“中共测试局机关委员会”的汇总文件，不在本单位收集" in f["message"]


def test_a_rollup_from_an_unregistered_or_forged_unit_is_refused(runner, org: Org, tmp_path) -> None:
    # Another committee, which never linked Z1, receives the roll-up.
    stranger = make_workspace(tmp_path / "stranger", TOP_LIST)
    result = _json(cli(runner, stranger, "collect", org.rollup, "--as-of", AS_OF, "--json"))
    [f] = result["files"]
    assert f["outcome"] == "无法识别" and f["problems"][0]["rule_id"] == "ROLLUP-UNREGISTERED"
    assert "本单位没有为它建立上报链接" in f["message"] and "taizhang link add Z1" in f["message"]
    # It links Z1 itself, but the roll-up was signed with the key the real upper level handed out.
    cli(runner, stranger, "link", "add", "Z1")
    [f] = _json(cli(runner, stranger, "collect", org.rollup, "--as-of", AS_OF, "--json"))["files"]
    assert f["problems"][0]["rule_id"] == "ROLLUP-SIGNATURE"
    assert f"签名用的密钥（指纹 {org.fingerprint}）不是本单位发给它的" in f["message"]
    # The real upper level renews Z1's key: a roll-up signed with the old key is refused as such.
    cli(runner, org.top, "link", "add", "Z1", "--renew")
    [f] = [x for x in _json(cli(runner, org.top, "collect", "--as-of", AS_OF, "--json"))["files"]
           if Path(x["file"]).name == org.rollup.name]
    assert "已作废的旧密钥" in f["message"] and f["outcome"] == "无法识别"


def test_a_branch_returned_directly_and_in_a_rollup_counts_once_the_newer_wins(runner, org: Org) -> None:
    # The committee also lists Z1's two branches (it issued to them before Z1 had a workspace).
    rows = [*TOP_LIST, {"code": "Z1-01", "name": "总支直属党支部", "parent": "Z1"},
            {"code": "Z1-G1", "name": "下设党总支第一党支部", "parent": "Z1"}]
    branches_mod.write_template(org.top.branches_path, rows)
    newer = Spec("Z1-01", "丙丁戊己", 4, 30, 12, datetime(2026, 1, 8, 15))  # after the mid level's copy
    older = Spec("Z1-G1", "丁戊", 1, 10, 6, datetime(2026, 1, 2, 8))  # before the mid level's copy
    fill(org.top, newer, org.top.root / "inbox" / "直接报送的Z1-01.xlsx")
    fill(org.top, older, org.top.root / "inbox" / "直接报送的Z1-G1.xlsx")
    result = cli(runner, org.top, "collect", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    files = _json(result)["files"]
    conflicts = [p["message"] for f in files for p in f["problems"] if p["rule_id"] == "ROLLUP-CONFLICT"]
    assert len(conflicts) == 2
    assert any("“Z1-01 总支直属党支部”同时有“机关第一党总支”汇总中的台账（报送时间2026-01-05 09:00）和直接报送的台账"
               "（报送时间2026-01-08 15:00），按报送时间采用较新的直接报送的台账" in m for m in conflicts)
    assert any("“Z1-G1 下设党总支第一党支部”同时有直接报送的台账（报送时间2026-01-02 08:00）和“机关第一党总支”"
               "汇总中的台账（报送时间2026-01-04 09:00），按报送时间采用较新的“机关第一党总支”汇总中的台账" in m
               for m in conflicts)
    status = {b["code"]: b for b in _json(cli(runner, org.top, "status", "--json"))["branches"]}
    assert status["Z1-01"]["source"] == "直接报送" and "采用报送时间较新的直接报送的台账" in status["Z1-01"]["conflict"]
    assert status["Z1-G1"]["source"] == "经“机关第一党总支”汇总" and status["Z1-G1"]["submissions"] == 2
    human = cli(runner, org.top, "status")
    assert "Z1-01 总支直属党支部：另有“机关第一党总支”汇总中的台账（2026-01-05 09:00）" in human.stdout
    stats = _json(cli(runner, org.top, "stats", "--as-of", AS_OF, "--json"))
    specs = {**SPECS, "Z1-01": newer}
    assert figures(stats["total"]) == expected(["001", "Z1-01", "Z1-G1"], specs)


def test_a_new_rollup_with_the_same_returns_changes_nothing_and_a_refill_supersedes(runner, org: Org) -> None:
    cli(runner, org.top, "collect", "--as-of", AS_OF)
    refill = Spec("Z1-01", "丙丁", 3, 20, 12, datetime(2026, 1, 9, 11))
    fill(org.mid, refill, org.mid.root / "inbox" / "Z1-01（修改后）.xlsx")
    cli(runner, org.mid, "collect", "--as-of", AS_OF)
    made = _json(cli(runner, org.mid, "rollup", "--as-of", AS_OF, "--json"))
    shutil.copy(made["path"], org.top.root / "inbox" / "第二次汇总.xlsx")
    [f] = [x for x in _json(cli(runner, org.top, "collect", "--as-of", AS_OF, "--json"))["files"]
           if x["file"].endswith("第二次汇总.xlsx")]
    assert [(x["code"], x["outcome"]) for x in f["rollup"]] == [("Z1-01", "已接收"), ("Z1-G1", "未变化")]
    stats = _json(cli(runner, org.top, "stats", "--as-of", AS_OF, "--json"))
    assert figures(stats["total"]) == expected(["001", "Z1-01", "Z1-G1"], {**SPECS, "Z1-01": refill})
    status = _json(cli(runner, org.top, "status", "--json"))
    assert status["units"][0]["rollups"] == 2
    assert {b["code"]: b["submissions"] for b in status["branches"]} == {"001": 1, "Z1-01": 2, "Z1-G1": 1}


def test_a_rollup_branch_whose_code_belongs_to_another_branch_is_refused(runner, org: Org) -> None:
    # The committee's own 001 is another branch than the one the 党总支 calls "Z1-01": give it that code.
    branches_mod.write_template(org.top.branches_path, [
        {"code": "Z1-01", "name": "机关第一党支部"}, TOP_LIST[1]])
    result = _json(cli(runner, org.top, "collect", org.rollup, "--as-of", AS_OF, "--json"))
    [f] = result["files"]
    lines = {x["code"]: x for x in f["rollup"]}
    assert lines["Z1-01"]["outcome"] == "未接收" and lines["Z1-G1"]["outcome"] == "已接收"
    assert "与本单位支部名单中的“Z1-01 机关第一党支部”编码相同、名称不同" in lines["Z1-01"]["message"]
    with Store.open(org.top.store_path) as store:
        assert "Z1-01" not in store.current(2025)


def test_the_self_check_says_a_rollup_is_not_a_branch_ledger(runner, org: Org) -> None:
    result = invoke(runner, "validate", org.rollup, "--json")
    assert result.exit_code == 0, result.output
    [checked] = _json(result)
    assert [p["rule_id"] for p in checked["problems"]] == ["ID-ROLLUP-FILE"]
    assert "这是机关第一党总支报送上级的汇总文件" in checked["problems"][0]["message"]
    assert "taizhang collect" in checked["problems"][0]["message"]
