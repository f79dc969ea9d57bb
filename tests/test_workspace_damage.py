"""The workspace's own files in trouble (issue 13, groups 6, 7, 8 and 11): a read-only workspace
(a backup copy, a read-only share), a full disk, a damaged, truncated or emptied store, a
taizhang.toml with wrong values or lost, a damaged lock file, an interrupted `report`, and
`taizhang check`. Every case ends in a Chinese message that names the file and says what to do,
never a traceback, and nothing in the workspace is lost or half-written.

The corpus of these cases is `WORKSPACE_CASES` below (the branch-file corpus is tests/corpus.py).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import invoke, make_workspace
from returns import fill_return

from taizhang import clock
from taizhang.collect import collect
from taizhang.issue import issue_workspace
from taizhang.workspace import Workspace
from taizhang.workspace.store import Store

AS_OF = "2026-01-20"


# --- a small workspace with two returns collected, built once ----------------------------------
@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("damage") / "ws"
    ws = make_workspace(root)
    # Issued in January of the year, sent back (SENT) and collected before the deadline: the time a
    # return counts as sent is bounded by the issue time and the collection (issue 13).
    with clock.fixed(datetime(2025, 1, 21, 9, 0)):
        issue_workspace(ws)
    fill_return(ws, "001", ws.root / "inbox" / "机关第一党支部台账.xlsx")
    fill_return(ws, "003", ws.root / "inbox" / "离退休干部党支部台账.xlsx")
    with clock.fixed(datetime(2026, 1, 12, 15, 0)):
        collect(ws)
    return root


@pytest.fixture
def ws(collected: Path, tmp_path: Path) -> Workspace:
    """A copy of the collected workspace to damage."""
    root = tmp_path / "工作区"
    shutil.copytree(collected, root)
    return Workspace(root)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(root: Path) -> dict[str, str]:
    """Every file of the workspace by relative path → sha256 (the lock aside, and the empty WAL
    files SQLite makes beside the store when it reads it where it could write)."""
    return {p.relative_to(root).as_posix(): _sha(p) for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "lock" and not p.name.endswith(("-wal", "-shm"))}


def _no_traceback(result: Any) -> None:
    text = result.output + (result.stderr if hasattr(result, "stderr") else "")
    assert "Traceback" not in text and "Error:" not in text, text


def _submissions(ws: Workspace) -> int:
    with Store.read(ws.store_path) as store:
        return len(store.submissions())


def _new_return(ws: Workspace) -> Path:
    return fill_return(ws, "002", ws.root / "inbox" / "办公室党支部台账.xlsx")


# --- group 6: a read-only workspace --------------------------------------------------------------
class ReadOnly:
    """Runs the CLI in a subprocess on a copy of a workspace that the process cannot write: as
    an ordinary user with every file and folder made read-only, or — when the tests run as root,
    whom permissions do not stop — as user `nobody` on a copy owned by root (exactly a read-only
    share)."""

    def __init__(self, source: Path) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="taizhang-ro-"))
        os.chmod(self.base, 0o755)
        self.root = self.base / "工作区"
        shutil.copytree(source, self.root)
        self.as_root = os.geteuid() == 0 if hasattr(os, "geteuid") else False
        for path in [self.root, *self.root.rglob("*")]:  # readable by its user, writable by nobody
            os.chmod(path, 0o555 if path.is_dir() else 0o444)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "TAIZHANG_WIDTH": "3000", "NO_COLOR": "1", "PYTHONPATH": os.pathsep.join(sys.path)}
        prefix = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups"] if self.as_root else []
        return subprocess.run(
            [*prefix, sys.executable, "-c", "from taizhang.cli import main; main()", "-w", str(self.root), *args],
            check=False, capture_output=True, text=True, env=env, timeout=300, cwd=str(self.base))

    def close(self) -> None:
        for path in [self.root, *self.root.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        shutil.rmtree(self.base, ignore_errors=True)


SETPRIV = shutil.which("setpriv") or ""


@pytest.fixture
def read_only(collected: Path):
    if os.name == "nt":  # pragma: no cover
        pytest.skip("POSIX permissions")
    if os.geteuid() == 0 and not SETPRIV:  # pragma: no cover
        pytest.skip("root is not stopped by permissions, and setpriv is not there to run as nobody")
    ro = ReadOnly(collected)
    try:
        yield ro
    finally:
        ro.close()


def test_reading_commands_work_on_a_read_only_workspace(read_only: ReadOnly) -> None:
    before = _snapshot(read_only.root)
    for args in (["status"], ["problems"], ["stats", "--as-of", AS_OF], ["check"]):
        done = read_only.run(*args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
    assert "已报送2个" in read_only.run("status").stdout
    assert _snapshot(read_only.root) == before
    assert not list(read_only.root.glob(".taizhang/*-wal")) and not list(read_only.root.glob(".taizhang/*-shm"))


@pytest.mark.parametrize("args", [["collect"], ["consolidate", "--as-of", AS_OF], ["issue", "--force"],
                                  ["report", "通报", "--as-of", AS_OF]], ids=lambda a: a[0])
def test_writing_commands_say_the_workspace_is_read_only(read_only: ReadOnly, args: list[str]) -> None:
    before = _snapshot(read_only.root)
    done = read_only.run(*args)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "只读" in done.stderr and "复制到可写的位置" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert _snapshot(read_only.root) == before


def test_the_read_only_store_is_never_written(ws: Workspace) -> None:
    before = _sha(ws.store_path)
    with Store.read(ws.store_path) as store:
        assert len(store.submissions()) == 2
        with pytest.raises(Exception, match="只读"):
            store.record_round(2025, None)
    assert _sha(ws.store_path) == before


# --- group 7: a full disk ----------------------------------------------------------------------
@pytest.fixture
def store_full(monkeypatch):
    """SQLite's own "database or disk is full": the store may not grow by a single page."""
    original = Store._connect.__func__

    def limited(cls, path):
        store = original(cls, path)
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        return store

    monkeypatch.setattr(Store, "_connect", classmethod(limited))


def test_collect_on_a_full_disk_says_so_and_stores_nothing(runner, ws: Workspace, store_full, monkeypatch) -> None:
    _new_return(ws)
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF)
    assert result.exit_code == 1, result.output
    assert "磁盘空间已满" in result.stderr and "store.sqlite3" in result.stderr and "腾出空间" in result.stderr
    _no_traceback(result)
    assert _submissions(ws) == 2
    monkeypatch.undo()  # space freed: the same command completes the batch
    again = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF)
    assert again.exit_code == 0, again.output
    assert _submissions(ws) == 3


@pytest.fixture
def disk_full_on_write(monkeypatch):
    """A full disk for every zip written (xlsx and docx are zips): the first member fails with
    ENOSPC after part of the file is on disk."""
    def writestr(self, name, data, *args, **kwargs):
        self.fp.write(b"PK partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)


@pytest.mark.parametrize("args,target", [
    (["consolidate", "--as-of", AS_OF], ".xlsx"),
    (["issue", "--force"], "台账.xlsx"),
    (["report", "通报", "--as-of", AS_OF, "--date", "2026-01-25"], ".docx"),
    (["report", "年度", "--as-of", AS_OF], ".docx"),
], ids=["consolidate", "issue", "report-committee", "report-branches"])
def test_a_full_disk_while_writing_an_output(runner, ws: Workspace, disk_full_on_write, args, target) -> None:
    before = _snapshot(ws.root)
    result = invoke(runner, "-w", ws.root, *args)
    assert result.exit_code == 1, result.output
    assert "磁盘空间已满" in result.stderr and target in result.stderr.replace("\n", ""), result.stderr
    assert ".~tz-" not in result.stderr
    _no_traceback(result)
    after = _snapshot(ws.root)
    assert not [p for p in after if ".~tz-" in p]  # nothing half-written left behind
    assert {p: h for p, h in after.items() if p in before and not p.startswith(".taizhang/")} == \
        {p: h for p, h in before.items() if not p.startswith(".taizhang/")}


def test_a_full_disk_while_archiving_a_return(runner, ws: Workspace, monkeypatch) -> None:
    _new_return(ws)

    def copyfile(src, dst, *args, **kwargs):
        Path(dst).write_bytes(b"PK partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(src))

    monkeypatch.setattr(shutil, "copyfile", copyfile)
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF)
    assert result.exit_code == 1
    said = result.stderr.replace("\n", "")
    assert "磁盘空间已满" in said and "archive" in said and "inbox" not in said, said
    _no_traceback(result)
    assert not list((ws.root / "archive").glob(".~tz-*"))
    assert _submissions(ws) == 2


# --- group 7: a damaged store -------------------------------------------------------------------
def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _damaged_page(path: Path) -> None:
    """Overwrite the b-tree page header of the submissions table (a bad sector, a bad copy)."""
    conn = sqlite3.connect(path)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'submissions'").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * size
    data[start:start + 16] = b"\xab" * 16
    path.write_bytes(bytes(data))


WORKSPACE_CASES = {
    "store-0-bytes": (_empty, ("0字节", "恢复方法")),
    "store-garbage": (_garbage, ("已损坏", "恢复方法")),
    "store-truncated": (_truncated, ("已损坏", "恢复方法")),
    "store-damaged-page": (_damaged_page, ("已损坏", "恢复方法", "taizhang check")),
}


@pytest.mark.parametrize("case", sorted(WORKSPACE_CASES))
@pytest.mark.parametrize("args", [["status"], ["problems"], ["collect", "--as-of", AS_OF],
                                  ["consolidate", "--as-of", AS_OF]], ids=lambda a: a[0])
def test_a_damaged_store_is_said_with_how_to_restore(runner, ws: Workspace, case: str, args: list[str]) -> None:
    damage, words = WORKSPACE_CASES[case]
    damage(ws.store_path)
    kept = ws.store_path.read_bytes()
    result = invoke(runner, "-w", ws.root, *args)
    assert result.exit_code == 1, result.output
    said = result.stderr.replace("\n", "")
    assert str(ws.store_path) in said, said
    assert all(w in said for w in words), said
    _no_traceback(result)
    assert ws.store_path.read_bytes() == kept  # never replaced by a new, empty store


# --- group 8: taizhang.toml --------------------------------------------------------------------
CONFIG_CASES = [
    ("max_problems_per_file = 500", "max_problems_per_file = 0", ("max_problems_per_file", "= 0", "1 到")),
    ("max_file_mb = 30", 'max_file_mb = "30"', ("max_file_mb", '"30"', "整数")),
    ("max_rows_per_sheet = 20000", "max_rows_per_sheet = -5", ("max_rows_per_sheet", "-5")),
    ("max_zip_depth = 2", "max_zip_depth = 2.5", ("max_zip_depth", "2.5", "整数")),
    ("max_problems_per_file = 500", "max_problem_per_file = 50", ("max_problem_per_file", "是不是想写 max_problems_per_file")),
    ("talk_per_year = 1", "talk_per_yaer = 2", ("talk_per_yaer", "是不是想写 talk_per_year")),
    ("[frequency]", "[frequncy]", ("[frequncy]", "是不是想写 frequency")),
    ("arrears_months = 6", "arrears_months = 0", ("arrears_months", "= 0")),
    ('rounding = "0.01"', 'rounding = "一分"', ("rounding", "一分", "数字")),
    ("probation_from_admission = true", 'probation_from_admission = "是"', ("probation_from_admission", "true 或 false")),
    ('unverified = "warn"', 'unverified = "warning"', ("unverified", '"warn" 或 "refuse"')),
    ('[3000, "0.005"]', '[3000, "-0.005"]', ("dues.working", "0到1之间")),
    ('"学生" = ["0.2", "0.2"]', '"学生" = ["5", "0.2"]', ("dues.fixed", "最低不大于最高")),
]


@pytest.mark.parametrize("old,new,words", CONFIG_CASES, ids=[c[1] for c in CONFIG_CASES])
def test_a_wrong_setting_is_named_with_what_is_expected(runner, ws: Workspace, old: str, new: str, words) -> None:
    text = ws.config_path.read_text(encoding="utf-8")
    assert old in text
    ws.config_path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = invoke(runner, "-w", ws.root, "status")
    assert result.exit_code == 1, result.output
    said = result.stderr.replace("\n", "")
    assert "taizhang.toml" in said and all(w in said for w in words), said
    _no_traceback(result)


def test_a_deadline_written_as_a_number_is_not_silently_dropped(runner, ws: Workspace) -> None:
    text = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(text.replace("deadline = 2026-01-15", "deadline = 20260115"), encoding="utf-8")
    result = invoke(runner, "-w", ws.root, "status")
    assert result.exit_code == 1
    said = result.stderr.replace("\n", "")
    assert "deadline = 20260115" in said and "2026-01-15" in said and "日期" in said, said


def test_a_lost_taizhang_toml_is_made_again_by_init_and_nothing_else_changes(runner, ws: Workspace) -> None:
    ws.config_path.unlink()
    before = _snapshot(ws.root)
    result = invoke(runner, "-w", ws.root, "status")
    assert result.exit_code == 1
    said = result.stderr.replace("\n", "")
    assert "taizhang.toml 不见了" in said and "taizhang init" in said and "不改动" in said, said
    checked = invoke(runner, "-w", ws.root, "check")
    assert checked.exit_code == 1 and "找不到设置文件" in checked.output and "taizhang init" in checked.output
    made = invoke(runner, "init", ws.root, "--org", "中共测试局机关委员会", "--year", "2025")
    assert made.exit_code == 0, made.output
    assert "taizhang.toml" in made.output and "其他内容未改动" in made.output
    after = _snapshot(ws.root)
    assert {k: v for k, v in after.items() if k != "taizhang.toml"} == before
    assert invoke(runner, "-w", ws.root, "status").exit_code == 0
    again = invoke(runner, "init", ws.root, "--org", "x", "--year", "2025")
    assert again.exit_code == 1 and "已经是一个 taizhang 工作区" in again.stderr


def test_init_makes_a_new_store_only_where_the_damaged_one_was_moved_away(runner, ws: Workspace) -> None:
    _garbage(ws.store_path)
    refused = invoke(runner, "init", ws.root, "--org", "中共测试局机关委员会", "--year", "2025")
    assert refused.exit_code == 1  # a damaged store is never replaced without the user moving it
    ws.store_path.rename(ws.store_path.with_name("store-损坏.sqlite3"))
    made = invoke(runner, "init", ws.root, "--org", "中共测试局机关委员会", "--year", "2025")
    assert made.exit_code == 0 and "archive/" in made.output
    assert _submissions(ws) == 0
    for path in (ws.root / "archive").iterdir():
        shutil.copy2(path, ws.root / "inbox" / path.name)
    assert invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF).exit_code == 0
    assert _submissions(ws) == 2


# --- group 11: a damaged lock, an interrupted report set, feedback in a read-only folder --------
@pytest.mark.parametrize("content", [
    {"pid": 10**30}, {"pid": -5}, {"pid": "abc"}, {"pid": True}, [1, 2], "garbage{",
], ids=["pid-10e30", "pid-negative", "pid-text", "pid-bool", "list", "not-json"])
def test_a_lock_file_with_nonsense_is_stale_or_unknown_never_a_traceback(runner, ws: Workspace, content) -> None:
    import socket

    if isinstance(content, dict):
        content = {"host": socket.gethostname(), "command": "taizhang collect", "started": "2026-01-01T00:00:00",
                   **content}
    ws.lock_path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    fresh = invoke(runner, "-w", ws.root, "consolidate", "--as-of", AS_OF)
    assert fresh.exit_code == 1, fresh.output
    said = fresh.stderr.replace("\n", "")
    assert ".taizhang/lock" in said and "已损坏" in said, said
    _no_traceback(fresh)
    old = time.time() - 600
    os.utime(ws.lock_path, (old, old))
    later = invoke(runner, "-w", ws.root, "consolidate", "--as-of", AS_OF)
    assert later.exit_code == 0, later.output
    assert not ws.lock_path.exists()


def test_an_interrupted_report_set_leaves_the_old_set_whole(runner, ws: Workspace, monkeypatch) -> None:
    from taizhang.reports import generate as gen

    first = invoke(runner, "-w", ws.root, "report", "年度", "--all", "--as-of", AS_OF, "--date", "2026-01-25")
    assert first.exit_code == 0, first.output
    folder = ws.root / "output" / "reports"
    old = {p: _sha(p) for p in folder.rglob("*.docx")}
    assert len(old) == 2
    original, calls = gen.render, []

    def render(*args: Any, **kwargs: Any) -> Path:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # killed while writing the second branch's report
        return original(*args, **kwargs)

    monkeypatch.setattr(gen, "render", render)
    killed = invoke(runner, "-w", ws.root, "report", "年度", "--all", "--as-of", AS_OF, "--date", "2026-01-26")
    assert killed.exit_code == 130
    assert {p: _sha(p) for p in folder.rglob("*.docx")} == old  # not one new report among the old
    assert not list(folder.rglob(".~tz-*"))


def test_feedback_not_written_in_a_read_only_folder_says_so(runner, ws: Workspace, monkeypatch) -> None:
    _new_return(ws)
    feedback_dir = ws.root / "feedback"
    real_mkstemp, real_access = tempfile.mkstemp, os.access

    def mkstemp(*args: Any, **kwargs: Any):
        if Path(str(kwargs.get("dir", ""))) == feedback_dir:
            raise PermissionError(errno.EACCES, "Permission denied", str(feedback_dir / "x"))
        return real_mkstemp(*args, **kwargs)

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        return False if Path(path) == feedback_dir and mode == os.W_OK else real_access(path, mode, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(os, "access", access)
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF, "--json")
    files = json.loads(result.stdout)["files"]
    said = next(f for f in files if f["branch_code"] == "002")["message"]
    assert "只读" in said and "Excel" not in said, said


# --- taizhang check ----------------------------------------------------------------------------
def test_check_passes_a_sound_workspace(runner, ws: Workspace) -> None:
    before = _snapshot(ws.root)
    result = invoke(runner, "-w", ws.root, "check")
    assert result.exit_code == 0, result.output
    assert "工作区完好" in result.output and "2份报送记录" in result.output and "2个原件" in result.output
    assert _snapshot(ws.root) == before


def test_check_finds_a_changed_and_a_missing_original(runner, ws: Workspace) -> None:
    changed, missing = sorted((ws.root / "archive").iterdir())
    changed.write_bytes(changed.read_bytes() + b"x")
    missing.unlink()
    result = invoke(runner, "-w", ws.root, "check", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    messages = [f["message"] for f in data["findings"]]
    assert not data["ok"] and data["errors"] == 2
    assert any("已被改动" in m and changed.name in m for m in messages), messages
    assert any("不在 archive/" in m for m in messages), messages


@pytest.mark.parametrize("case", sorted(WORKSPACE_CASES))
def test_check_says_a_damaged_store_and_how_to_restore(runner, ws: Workspace, case: str) -> None:
    WORKSPACE_CASES[case][0](ws.store_path)
    result = invoke(runner, "-w", ws.root, "check")
    assert result.exit_code == 1, result.output
    said = result.output.replace("\n", "")
    assert "数据库" in said and "恢复方法" in said and "备份" in said, said


def test_check_finds_two_current_returns_of_one_branch(runner, ws: Workspace) -> None:
    conn = sqlite3.connect(ws.store_path)
    conn.execute("UPDATE submissions SET is_current = 1, branch_code = '001'")
    conn.commit()
    conn.close()
    result = invoke(runner, "-w", ws.root, "check")
    assert result.exit_code == 1
    assert "2份被标为当前有效" in result.output


def test_a_store_of_an_earlier_version_is_upgraded_before_it_is_read(runner, ws: Workspace) -> None:
    conn = sqlite3.connect(ws.store_path)
    conn.execute("DROP TABLE rollup_returns")
    conn.execute("DROP TABLE rollups")
    conn.commit()
    conn.close()
    result = invoke(runner, "-w", ws.root, "status")
    assert result.exit_code == 0, result.output
    with Store.read(ws.store_path) as store:
        assert store.rollups() == []


def test_os_errors_are_told_apart(tmp_path: Path, monkeypatch) -> None:
    from taizhang.safeio import os_error_message

    target = tmp_path / "output" / "汇总台账.xlsx"
    target.parent.mkdir()
    full = os_error_message(OSError(errno.ENOSPC, "No space left on device", str(target)))
    assert "磁盘空间已满" in full and str(target) in full
    locked = os_error_message(PermissionError(errno.EACCES, "Permission denied", str(target)))
    assert "Excel或WPS" in locked and "只读" not in locked.split("或被设为只读")[0]
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **k: False if Path(p) == target.parent else real_access(p, m, **k))
    folder = os_error_message(PermissionError(errno.EACCES, "Permission denied", str(target)))
    assert "是只读的" in folder and "Excel" not in folder
    assert "只读" in os_error_message(OSError(errno.EROFS, "Read-only file system", str(target)))


def test_a_taizhang_toml_saved_by_notepad(runner, ws: Workspace) -> None:
    text = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # UTF-8 with a byte-order mark
    assert invoke(runner, "-w", ws.root, "status").exit_code == 0
    assert invoke(runner, "-w", ws.root, "year", "2026").exit_code == 0
    ws.config_path.write_bytes(text.encode("gbk"))  # 记事本 “ANSI” on Chinese Windows
    result = invoke(runner, "-w", ws.root, "status")
    assert result.exit_code == 1 and "不是 UTF-8 编码" in result.stderr and "另存为" in result.stderr
    _no_traceback(result)


@pytest.mark.parametrize("edit,words", [
    (lambda t: t.replace("[collect]\n", "[collect]\nmax_file_mb = 10\n"), ("写了两次",)),
    (lambda t: t.replace('unverified = "warn"', "unverified = “warn”"), ("中文引号", "unverified")),
    (lambda t: t.replace("max_ratio = 200", "max_ratio 200"), ("max_ratio 200", "=")),
], ids=["key-twice", "chinese-quotes", "no-equals"])
def test_a_taizhang_toml_that_is_not_toml_says_which_line(runner, ws: Workspace, edit, words) -> None:
    ws.config_path.write_text(edit(ws.config_path.read_text(encoding="utf-8")), encoding="utf-8")
    result = invoke(runner, "-w", ws.root, "status")
    assert result.exit_code == 1
    said = result.stderr.replace("\n", "")
    assert "行" in said and all(w in said for w in words), said
    _no_traceback(result)


@pytest.mark.parametrize("damage,part", [
    (lambda ws: ws.branches_path.unlink(), "支部名单"),
    (lambda ws: ws.key_path.write_text("zz\n"), "密钥"),
    (lambda ws: ws.config_path.write_text("[collect]\nmax_ratio = 0\n", encoding="utf-8"), "设置"),
], ids=["branch-list-lost", "key-damaged", "setting-wrong"])
def test_check_covers_the_other_files_of_the_workspace(runner, ws: Workspace, damage, part: str) -> None:
    damage(ws)
    result = invoke(runner, "-w", ws.root, "check", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [f["part"] for f in data["findings"]] == [part], data["findings"]
    assert data["submissions"] == 2 and data["archived_checked"] == 2
