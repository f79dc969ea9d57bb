"""Issue 13, bad input second round: what the corpus cases (tests/corpus.py, the section marked
"Issue 13") cannot show by one collect — the commands after it, memory, time, the order of
returns, the office's decision on an unverified return. Every test here failed before the fix."""

from __future__ import annotations

import json
import os
import shutil
import time
import tracemalloc
from pathlib import Path
from typing import Any

import corpus
import pytest
from conftest import invoke, make_workspace
from corpus import BAD, GOOD, Kit, put

from taizhang.issue import issue_workspace
from taizhang.workspace import Workspace
from taizhang.workspace.store import Store

AS_OF = "2026-01-10"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[Any, bytes]]:
    root = tmp_path_factory.mktemp("bad13")
    ws = make_workspace(root / "ws")
    issue_workspace(ws)
    return ws.root, {}


@pytest.fixture
def kit(template: tuple[Path, dict[Any, bytes]], tmp_path: Path) -> Kit:
    root, cache = template
    ws = Workspace(tmp_path / "ws")
    shutil.copytree(root, ws.root)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return Kit(ws, scratch, cache)


def _json(result: Any) -> Any:
    assert "Traceback" not in result.output, result.output
    return json.loads(result.stdout)


def _collect(runner: Any, kit: Kit, *more: str) -> dict[str, Any]:
    return _json(invoke(runner, "-w", kit.ws.root, "collect", "--as-of", AS_OF, "--json", *more))


def _one(files: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [hit] = [f for f in files if Path(f["file"]).name == name]
    return hit


# --- (2) a money cell of 1e26 -------------------------------------------------------------------

def _huge_amounts(wb: Any) -> None:
    sheet = wb["党费收缴"]
    cols = {str(c.value).rstrip("*"): c.column for c in sheet[2] if c.value}
    sheet.cell(4, cols["4月"]).value = 1e26
    sheet = wb["三会一课"]
    cols = {str(c.value).rstrip("*"): c.column for c in sheet[2] if c.value}
    sheet.cell(3, cols["应到人数"]).value = 1e26
    sheet.cell(3, cols["实到人数"]).value = 1e26


def _every_figure(runner: Any, kit: Kit) -> None:
    """consolidate (also --strict), stats, a report and a roll-up: none crashes."""
    ws = kit.ws.root
    for args in (["consolidate"], ["consolidate", "--strict"], ["stats"], ["report", "年度", "--all"]):
        result = invoke(runner, "-w", ws, *args, "--as-of", AS_OF)
        assert result.exit_code == 0 and "Traceback" not in result.output, (args, result.output)
    top = make_workspace(kit.scratch / "top", [{"code": "T01", "name": "测试局机关党委", "kind": "党委"}])
    added = _json(invoke(runner, "-w", top.root, "link", "add", "T01", "--json"))
    assert invoke(runner, "-w", ws, "link", "import", added["key_file"]).exit_code == 0
    result = invoke(runner, "-w", ws, "rollup", "--as-of", AS_OF)
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output


def test_an_amount_of_1e26_is_an_error_and_no_figure_takes_it(runner, kit: Kit) -> None:
    put(kit.ws.root / "inbox", "a.xlsx", kit.filled(BAD, _huge_amounts))
    f = _one(_collect(runner, kit)["files"], "a.xlsx")
    assert f["outcome"] == "需修改"
    ranges = [p for p in f["problems"] if p["rule_id"] == "CELL-RANGE"]
    assert {p["column"] for p in ranges} >= {"4月", "应到人数"} and all(p["severity"] == "错误" for p in ranges)
    assert any("100000000000000004764729344" in p["message"] and "不计入" in p["message"] for p in ranges)
    _every_figure(runner, kit)
    stats = _json(invoke(runner, "-w", kit.ws.root, "stats", "--json", "--as-of", AS_OF))
    assert "E+" not in json.dumps(stats) and "1000000000000000" not in json.dumps(stats)


def test_a_huge_value_stored_by_an_older_version_is_left_out_not_a_crash(runner, kit: Kit) -> None:
    """A return stored before the fix held 1e26 as a plain value (only a warning then)."""
    put(kit.ws.root / "inbox", "a.xlsx", kit.good(BAD))
    _collect(runner, kit)
    with Store.open(kit.ws.store_path) as store:
        rows = store.conn.execute("SELECT rowid, ledger, data FROM rows").fetchall()
        for rowid, ledger, data in rows:
            values = json.loads(data)
            if ledger == "dues" and values.get("m4") is not None:
                values["m4"] = {"m": "1E+26"}
            if ledger == "meetings" and values.get("expected") is not None:
                values["expected"] = values["present"] = 10 ** 26
            store.conn.execute("UPDATE rows SET data = ? WHERE rowid = ?", (json.dumps(values), rowid))
        store.conn.commit()
    _every_figure(runner, kit)


# --- (5) a huge file is measured before it is read ----------------------------------------------

def test_a_3gb_file_is_refused_without_being_read(runner, kit: Kit) -> None:
    corpus.too_large_sparse(kit, kit.ws.root / "inbox", 3 * 1024 ** 3)
    put(kit.ws.root / "inbox", "good.xlsx", kit.good(GOOD))
    tracemalloc.start()
    try:
        files = _collect(runner, kit)["files"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    big = _one(files, "办公室党支部台账.xlsx")
    assert big["outcome"] == "无法读取" and "3072MB" in big["message"], big
    assert _one(files, "good.xlsx")["outcome"] == "已接收"
    assert peak < 200 * 1024 ** 2, peak  # 3 GB before (read whole, then measured)
