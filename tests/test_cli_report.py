"""taizhang report through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import DEMO_AS_OF, invoke

from taizhang.consolidate import figures
from taizhang.party.periods import Period
from taizhang.reports.generate import generate

AS_OF = DEMO_AS_OF.isoformat()


def test_report_all_branches_writes_one_per_returned_branch(runner, demo_ws) -> None:
    result = invoke(runner, "-w", demo_ws.root, "report", "支部年度工作报告", "--all", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    returned = len(figures(demo_ws, Period.year(2025), as_of=DEMO_AS_OF).returned)
    assert returned >= 11
    assert f"2025年支部年度工作报告：已生成{returned}份" in result.stdout
    assert "未生成：" in result.stdout and "未报送2025年的台账" in result.stdout
    folder = demo_ws.root / "output" / "reports" / "支部年度工作报告"
    assert len(list(folder.glob("*.docx"))) == returned
    assert not demo_ws.lock_path.exists()


def test_report_json_equals_the_library_result(runner, demo_ws) -> None:
    result = invoke(runner, "-w", demo_ws.root, "report", "年度", "-b", "003", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == generate(demo_ws, "年度", branches=["003"], as_of=DEMO_AS_OF).to_dict()


def test_report_for_a_quarter_a_term_and_the_committee(runner, demo_ws) -> None:
    for args, name in ((["季度", "-b", "001", "-p", "2025Q2"], "001_机关第一党支部_2025年第二季度支部季度工作情况报告.docx"),
                       (["换届", "-b", "001", "-p", "2025"], "001_机关第一党支部_2025年支部换届工作报告.docx"),
                       (["总结"], "2025年党委年度党建工作总结.docx"),
                       (["通报", "--date", "2026-01-22"], "2025年台账检查情况通报.docx")):
        result = invoke(runner, "-w", demo_ws.root, "report", *args, "--as-of", AS_OF, "--json")
        assert result.exit_code == 0, result.output
        written = json.loads(result.stdout)["written"]
        assert [Path(w["path"]).name for w in written] == [name]


def test_report_refuses_what_cannot_be_written(runner, demo_ws) -> None:
    cases = [
        (["月报"], "可以生成的报告有"),
        (["年度", "-p", "2025Q3"], "统计期间应为一个年度"),
        (["季度", "-p", "2025"], "统计期间应为一个季度"),
        (["总结", "-b", "001"], "是全单位的一份报告"),
        (["年度", "-b", "999"], "没有编码为“999”的支部"),
        (["年度", "-b", "001", "--all"], "只能选一个"),
        (["年度", "--template", "不存在.docx"], "找不到报告模板文件"),
        (["年度", "--as-of", "明天"], "不是日期"),
    ]
    for args, message in cases:
        result = invoke(runner, "-w", demo_ws.root, "report", *args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output


def test_report_for_a_branch_that_has_not_returned(runner, demo_ws) -> None:
    missing = next(b for b in generate(demo_ws, "年度", as_of=DEMO_AS_OF).skipped)
    result = invoke(runner, "-w", demo_ws.root, "report", "年度", "-b", missing["code"], "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "还没有报送2025年的台账，无法生成报告" in result.stderr


def test_fields_lists_the_placeholders_with_values(runner, demo_ws) -> None:
    result = invoke(runner, "-w", demo_ws.root, "report", "年度", "--fields", "-b", "001", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    values = json.loads(result.stdout)
    assert values["branch.code"] == "001" and "meetings.general" in values and "dues.paid" in values
    table = invoke(runner, "-w", demo_ws.root, "report", "总结", "--fields", "--as-of", AS_OF)
    assert "counts.branches" in table.stdout and "rows[0].name" in table.stdout


def test_help_lists_the_kinds(runner) -> None:
    result = invoke(runner, "report", "--help")
    assert result.exit_code == 0
    for word in ("支部年度工作报告", "台账检查情况通报", "--template", "--period"):
        assert word in result.stdout


def test_report_for_a_unit_of_the_tree(runner, demo_ws) -> None:
    result = invoke(runner, "-w", demo_ws.root, "report", "通报", "--unit", "Z2", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    [written] = json.loads(result.stdout)["written"]
    assert Path(written["path"]).name.endswith("_2025年台账检查情况通报.docx")
    unknown = invoke(runner, "-w", demo_ws.root, "report", "通报", "--unit", "ZZ9", "--as-of", AS_OF)
    assert unknown.exit_code == 1 and "ZZ9" in unknown.stderr
