"""Issue 13, bad input second round: what the corpus cases (tests/corpus.py, the section marked
"Issue 13") cannot show by one collect — the commands after it, memory, time, the order of
returns, the office's decision on an unverified return. Every test here failed before the fix."""

from __future__ import annotations

import json
import shutil
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


# --- (9) the branch's own file time does not decide alone ---------------------------------------

def _at(day: str, hour: int = 10) -> float:
    from datetime import datetime

    return datetime.fromisoformat(day).replace(hour=hour).timestamp()


def _current(kit: Kit, code: str = BAD) -> Any:
    with Store.open(kit.ws.store_path) as store:
        return store.current(2025).get(code)


def _meetings(n: int):
    from datetime import date

    from corpus import _meeting
    from returns import write_rows

    def edit(wb: Any) -> None:
        write_rows(wb["三会一课"], [_meeting(日期=date(2025, 1 + i, 5), 主题或议题=f"第{i + 1}次") for i in range(n)])
    return edit


def test_a_file_dated_2099_gives_way_to_a_later_correction(runner, kit: Kit) -> None:
    inbox = kit.ws.root / "inbox"
    put(inbox, "a.xlsx", kit.filled(BAD, _meetings(1)), when=_at("2099-01-01"))
    first = _one(_collect(runner, kit)["files"], "a.xlsx")
    assert any(p["rule_id"] == "FILE-TIME" and "2099年" in p["message"] for p in first["problems"])
    put(inbox, "b.xlsx", kit.filled(BAD, _meetings(2)), when=_at("2026-01-11"))
    result = _json(invoke(runner, "-w", kit.ws.root, "collect", "--as-of", "2026-01-12", "--json"))
    assert _one(result["files"], "b.xlsx")["outcome"] == "已接收"
    assert _current(kit).file_name == "b.xlsx"  # before: a.xlsx stayed current "until 2099"


def test_backdating_does_not_hide_that_a_return_was_late(runner, kit: Kit) -> None:
    inbox = kit.ws.root / "inbox"
    put(inbox, "good.xlsx", kit.good(GOOD), when=_at("2026-01-14"))
    _collect(runner, kit)  # as of 2026-01-10
    assert _json(invoke(runner, "-w", kit.ws.root, "collect", "--as-of", "2026-01-16", "--json"))["files"]
    # 002 sends after the run of the 16th, its file dated the 14th (before the deadline, the 15th)
    put(inbox, "late.xlsx", kit.good(BAD), when=_at("2026-01-14"))
    files = _json(invoke(runner, "-w", kit.ws.root, "collect", "--as-of", "2026-01-20", "--json"))["files"]
    late = _one(files, "late.xlsx")
    assert any(p["rule_id"] == "FILE-TIME" and "上次收集" in p["message"] for p in late["problems"]), late["problems"]
    status = _json(invoke(runner, "-w", kit.ws.root, "status", "--json"))
    state = {b["code"]: b["state"] for b in status["branches"]}
    assert state[BAD] == "逾期报送" and state[GOOD] == "已报送", state


def test_a_blank_workbook_sent_again_is_held_until_the_office_accepts_it(runner, kit: Kit) -> None:
    inbox = kit.ws.root / "inbox"
    put(inbox, "filled.xlsx", kit.good(BAD), when=_at("2026-01-08"))
    _collect(runner, kit)
    blank = put(inbox, "blank.xlsx", kit.issued(BAD), when=_at("2026-01-09"))
    f = _one(_collect(runner, kit)["files"], "blank.xlsx")
    assert "空白" in f["message"] and "--accept" in f["message"], f
    assert _current(kit).file_name == "filled.xlsx"  # before: the blank one became current
    text = invoke(runner, "-w", kit.ws.root, "collect", "--as-of", AS_OF, "--accept", blank)
    assert text.exit_code == 0 and "已确认接收" in text.output, text.output
    assert _current(kit).file_name == "blank.xlsx"


# --- (4) an unverified return never replaces a verified one without the office -----------------

def test_an_unverified_return_is_held_until_accepted(runner, kit: Kit) -> None:
    from corpus import drop_identity

    inbox = kit.ws.root / "inbox"
    put(inbox, "signed.xlsx", kit.good(BAD), when=_at("2026-01-08"))
    _collect(runner, kit)
    loose = put(inbox, "unsigned.xlsx", kit.filled(BAD, drop_identity), when=_at("2026-01-09"))
    f = _one(_collect(runner, kit)["files"], "unsigned.xlsx")
    assert f["outcome"] == "已接收" and "没有可核实的身份签名" in f["message"]
    assert _current(kit).file_name == "signed.xlsx"
    accepted = _json(invoke(runner, "-w", kit.ws.root, "collect", "--as-of", AS_OF, "--accept", loose, "--json"))
    assert any("已确认接收" in note for note in accepted["accepted"])
    assert _current(kit).file_name == "unsigned.xlsx"


def test_copied_identity_is_accepted_only_by_the_office(runner, kit: Kit) -> None:
    """(4b) With the content check the copy is held; `--accept` is how the office overrides it."""
    inbox = kit.ws.root / "inbox"
    put(inbox, "003.xlsx", kit.good(corpus.EARLIER), when=_at("2026-01-08"))
    _collect(runner, kit)
    copy = put(inbox, "copy.xlsx", corpus._copied_identity(kit), when=_at("2026-01-09"))
    f = _one(_collect(runner, kit)["files"], "copy.xlsx")
    assert f["outcome"] == "需修改" and any(p["rule_id"] == "ID-CONTENT" for p in f["problems"])
    assert _current(kit, corpus.EARLIER).file_name == "003.xlsx"
    invoke(runner, "-w", kit.ws.root, "collect", "--as-of", AS_OF, "--accept", copy)
    assert _current(kit, corpus.EARLIER).file_name == "copy.xlsx"


# --- (11) a file named on the command line is never skipped -------------------------------------

def test_a_file_named_on_the_command_line_is_collected_whatever_its_name(runner, kit: Kit) -> None:
    named = put(kit.scratch, ".办公室党支部台账.xlsx", kit.good(BAD))
    lock = put(kit.scratch, "~$办公室党支部台账.xlsx", b"\x00" * 165)
    files = _json(invoke(runner, "-w", kit.ws.root, "collect", "--as-of", AS_OF, "--json", named, lock))["files"]
    assert _one(files, named.name)["outcome"] == "已接收"
    assert _one(files, lock.name)["outcome"] in ("不是工作簿", "无法读取")


def test_hidden_files_in_inbox_are_said_once(runner, kit: Kit) -> None:
    put(kit.ws.root / "inbox", ".办公室党支部台账.xlsx", kit.good(BAD))
    first = invoke(runner, "-w", kit.ws.root, "collect", "--as-of", AS_OF)
    assert "隐藏文件" in first.output and ".办公室党支部台账.xlsx" in first.output, first.output
    again = invoke(runner, "-w", kit.ws.root, "collect", "--as-of", AS_OF)
    assert "隐藏文件" not in again.output
