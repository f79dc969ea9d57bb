"""consolidate and stats through the CLI."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from conftest import invoke, make_workspace
from test_consolidate import store_returns, stored_workspace
from test_statistics import return_001_2023, return_001_2024, return_002_2024

from taizhang.consolidate import figures
from taizhang.party.periods import Period

AS_OF = "2026-01-10"


def test_consolidate_writes_the_files_and_summarises(runner, tmp_path: Path) -> None:
    ws = stored_workspace(tmp_path / "ws")
    result = invoke(runner, "-w", ws.root, "consolidate", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "汇总台账.xlsx" in out and "统计表.xlsx" in out
    assert "支部名单共3个支部，2个支部的台账纳入汇总" in out
    assert "未报送：离退休干部党支部" in out
    assert "应交党费3,884.08元、实交3,823.58元，收缴率98.4%" in out
    assert (ws.root / "output" / "统计表.xlsx").exists() and (ws.root / "output" / "汇总台账.xlsx").exists()
    assert not ws.lock_path.exists()  # the lock was released


def test_consolidate_json_and_strict(runner, tmp_path: Path) -> None:
    ws = stored_workspace(tmp_path / "ws")
    result = invoke(runner, "-w", ws.root, "consolidate", "--strict", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["strict"] is True and data["included"] == ["001"]
    assert data["excluded"] == [{"code": "002", "name": "办公室党支部", "year": 2025, "errors": 1, "reason": "有错误"}]
    assert data["missing"] == [{"code": "003", "name": "离退休干部党支部"}]
    assert [Path(p).name for p in data["files"]] == ["汇总台账.xlsx", "统计表.xlsx"]
    text = invoke(runner, "-w", ws.root, "consolidate", "--strict", "--as-of", AS_OF).stdout
    assert "有错误、未纳入汇总（--strict）：办公室党支部（1处错误）" in text


def test_consolidate_refuses_when_the_workspace_is_locked(runner, tmp_path: Path) -> None:
    from taizhang.workspace import lock

    ws = stored_workspace(tmp_path / "ws")
    ws.lock_path.write_text(json.dumps(lock.holder_info("taizhang collect")), encoding="utf-8")
    result = invoke(runner, "-w", ws.root, "consolidate", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "工作区正被另一个 taizhang 命令使用" in result.stderr


def test_nothing_collected_exits_1_with_a_chinese_message(runner, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    for args in (["consolidate"], ["stats"], ["stats", "--json"]):
        result = invoke(runner, "-w", ws.root, *args, "--as-of", AS_OF)
        assert result.exit_code == 1, args
        assert "错误：还没有收集到2025年的任何台账" in result.stderr
        assert "taizhang collect" in result.stderr
        assert result.stdout == ""


def test_stats_json_equals_stats_to_dict(runner, tmp_path: Path) -> None:
    ws = stored_workspace(tmp_path / "ws")
    result = invoke(runner, "-w", ws.root, "stats", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    expected = figures(ws, Period.year(2025), as_of=date(2026, 1, 10)).to_dict()
    assert json.loads(result.stdout) == expected
    assert expected["total"]["dues"]["due"] == "3884.08"
    assert expected["branches"][1]["status"]["state"] == "需修改"  # handed in from collect.status


def test_stats_for_a_quarter_and_one_branch(runner, tmp_path: Path) -> None:
    ws = stored_workspace(tmp_path / "ws")
    result = invoke(runner, "-w", ws.root, "stats", "--period", "2025Q3", "--branch", "001",
                    "--as-of", "2025-10-15", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = figures(ws, Period.quarter(2025, 3), as_of=date(2025, 10, 15)).only("001").to_dict()
    assert data == expected
    assert data["period"]["label"] == "2025年第三季度"
    assert [b["code"] for b in data["branches"]] == ["001"]
    assert data["total"]["dues"] == {"due": "753.52", "paid": "738.02", "rate": "97.9", "rate_display": "97.9%",
                                     "arrears_count": 1, "arrears": ["刘洋"], "members": 9}


def test_stats_for_a_term_reads_every_year(runner, tmp_path: Path) -> None:
    ws = stored_workspace(tmp_path / "ws")
    store_returns(ws, [(return_001_2023(), "2024-01-05T10:00:00", []),
                       (return_001_2024(), "2025-01-05T10:00:00", []),
                       (return_002_2024(), "2025-01-06T10:00:00", [])])
    result = invoke(runner, "-w", ws.root, "stats", "--period", "2023-2025", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"]["label"] == "2023—2025年"
    assert sorted(data["per_year"]) == ["2023", "2024", "2025"]
    one = data["branches"][0]
    assert one["years_returned"] == [2023, 2024, 2025] and one["meetings"]["general"] == 12
    assert data["per_year"]["2023"]["branches"][1]["returned"] is False
    assert data["per_year"]["2024"]["branches"][0]["status"]["state"] == "已报送"
    assert data["total"]["dues"]["due"] == "6474.08"


def test_stats_tables(runner, tmp_path: Path) -> None:
    ws = stored_workspace(tmp_path / "ws")
    result = invoke(runner, "-w", ws.root, "stats", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2025年党员情况" in out and "2025年三会一课" in out and "2025年发展党员" in out
    assert re.search(r"离退休干部党支部\s*│\s*未报送\s*│\s*│", out)  # not zeros
    assert re.search(r"机关第一党支部\s*│\s*4\s*│\s*90\.6%\s*│\s*11\s*│\s*13\s*│\s*23\s*│\s*4\s*│\s*2\s*│", out)
    assert re.search(r"合计.*│\s*3,884\.08\s*│\s*3,823\.58\s*│\s*98\.4%", out)
    assert "支委会（每月至少1次）" in out and "2025年11月" in out  # 001 fell short in November


def test_stats_bad_period_and_unknown_branch(runner, tmp_path: Path) -> None:
    ws = stored_workspace(tmp_path / "ws")
    bad = invoke(runner, "-w", ws.root, "stats", "--period", "2025Q5")
    assert bad.exit_code == 1 and "看不懂统计期间“2025Q5”" in bad.stderr and "2025Q3" in bad.stderr
    unknown = invoke(runner, "-w", ws.root, "stats", "--branch", "999", "--as-of", AS_OF)
    assert unknown.exit_code == 1 and "没有编码为“999”的支部" in unknown.stderr
    date_bad = invoke(runner, "-w", ws.root, "stats", "--as-of", "明天")
    assert date_bad.exit_code == 1 and "不是日期" in date_bad.stderr


def test_help_documents_the_period_syntax(runner) -> None:
    result = invoke(runner, "stats", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for spelling in ("2025Q3", "2025-01..2025-06", "2021-2023"):
        assert spelling in text.replace("│", "").replace(" ", "") or spelling in text
