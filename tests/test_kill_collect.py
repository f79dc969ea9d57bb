"""Killing `collect` part-way (SIGKILL) leaves the store and the archive consistent, and a clean
re-run completes the batch with every return stored exactly once."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import make_workspace

from taizhang import reading
from taizhang.collect.feedback import feedback_name
from taizhang.demo.data import generate_branch
from taizhang.issue.workbook import IssueRound, write_workbook
from taizhang.workspace.branches import Branch

BRANCHES = 12
VERSIONS = 3  # each branch sends its ledger three times, with more meetings each time
SENT = datetime(2026, 1, 8, 10, 0).timestamp()

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("taizhang")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from taizhang.cli import main; main()"]


def _batch(tmp_path: Path):
    """A workspace and 36 returns in its inbox: three versions from each of 12 branches, sent one
    day apart; for half the branches the latest version sorts first in the folder."""
    listed = [{"code": f"{100 + i}", "name": f"第{i + 1}党支部", "secretary": "王建国", "contact": "李明"}
              for i in range(BRANCHES)]
    ws = make_workspace(tmp_path / "ws", listed)
    rnd = IssueRound(definition=ws.definitions, org=ws.settings.org_name, year=2025, deadline=None,
                     contact="", phone="", key=ws.key)
    expected = {}
    for i, row in enumerate(listed):
        branch = Branch(code=row["code"], name=row["name"], secretary="王建国", contact="李明")
        fill = generate_branch(random.Random(i), branch, 2025, date(2026, 1, 5))
        meetings = fill.ledgers["meetings"]
        for v in range(VERSIONS):
            ledgers = {**fill.ledgers, "meetings": meetings[: len(meetings) * (v + 1) // VERSIONS]}
            order = v if i % 2 else VERSIONS - 1 - v
            path = ws.root / "inbox" / f"{branch.code}_{'abc'[order]}_第{v + 1}次报送.xlsx"
            write_workbook(path, rnd, branch, issued_at="2025-01-05T09:00:00",
                           prefill={**ledgers, "summary": [fill.summary]})
            os.utime(path, (SENT + v * 86400, SENT + v * 86400))
            expected[hashlib.sha256(path.read_bytes()).hexdigest()] = (branch.code, v, {
                led: len(rows) for led, rows in ledgers.items()})
    return ws, expected


def _stored(ws) -> int:
    try:
        with sqlite3.connect(f"file:{ws.store_path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    except sqlite3.Error:
        return 0


def _check_consistent(ws, expected) -> list[str]:
    """Every stored submission is whole; every archived file is a complete copy of a return.
    Returns the sha256 of the stored submissions."""
    conn = sqlite3.connect(ws.store_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        subs = conn.execute("SELECT id, sha256, branch_code, errors + warnings + infos FROM submissions").fetchall()
        for sid, sha, code, counted in subs:
            assert sha in expected and expected[sha][0] == code
            rows = dict(conn.execute("SELECT ledger, COUNT(*) FROM rows WHERE submission_id = ? GROUP BY ledger",
                                     (sid,)).fetchall())
            wanted = {led: n for led, n in expected[sha][2].items() if n}
            assert {led: rows.get(led, 0) for led in wanted} == wanted, (code, rows, wanted)
            ledgers = conn.execute("SELECT COUNT(*) FROM ledgers WHERE submission_id = ?", (sid,)).fetchone()[0]
            assert ledgers == len(ws.definitions.ledgers)
            problems = conn.execute("SELECT COUNT(*) FROM problems WHERE submission_id = ?", (sid,)).fetchone()[0]
            assert problems == counted
            assert conn.execute("SELECT outcome, submission_id FROM files WHERE sha256 = ?", (sha,)).fetchone() == (
                "stored", sid)
        currents = conn.execute("SELECT branch_code, COUNT(*) FROM submissions WHERE is_current = 1"
                                " GROUP BY branch_code").fetchall()
        assert all(n == 1 for _, n in currents)
    finally:
        conn.close()
    for path in (ws.root / "archive").iterdir():
        if path.name.startswith(".~tz-"):
            continue  # a copy that was being written: not an archived file (removed by the next run)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.stem, path
        assert path.stem in expected
    return [sha for _, sha, _, _ in subs]


def _descendants(pid: int) -> list[int]:
    """The processes below `pid` (Linux /proc; [] elsewhere)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent has not read its status yet


def test_collect_killed_part_way_then_rerun(tmp_path: Path) -> None:
    ws, expected = _batch(tmp_path)
    inbox_before = {p.name: p.read_bytes() for p in (ws.root / "inbox").iterdir()}
    env = {**os.environ, "TAIZHANG_WIDTH": "200"}
    proc = subprocess.Popen([*_cli(), "-w", str(ws.root), "collect", "--as-of", "2026-01-10"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        while _stored(ws) == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        helpers = _descendants(proc.pid)  # the worker processes of collect's pool
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "collect finished before it could be killed"
    # The workers of a killed collect end by themselves; none is left waiting for work.
    deadline = time.monotonic() + 15
    while [pid for pid in helpers if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in helpers if _alive(pid)], "worker processes outlived the killed collect"
    stored = _check_consistent(ws, expected)
    assert 1 <= len(stored) < len(expected)
    assert ws.lock_path.exists()  # left by the killed process

    rerun = subprocess.run([*_cli(), "-w", str(ws.root), "collect", "--as-of", "2026-01-10", "--json"],
                           capture_output=True, text=True, env=env, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert "Traceback" not in rerun.stderr
    final = _check_consistent(ws, expected)
    assert sorted(final) == sorted(expected)  # every return stored exactly once
    assert sorted(p.stem for p in (ws.root / "archive").iterdir()) == sorted(expected)
    assert not ws.lock_path.exists()
    assert not [p for p in ws.root.rglob(".~tz-*")]
    assert {p.name: p.read_bytes() for p in (ws.root / "inbox").iterdir()} == inbox_before
    # each branch's current return is its latest, and its feedback shows that return
    conn = sqlite3.connect(ws.store_path)
    current = conn.execute("SELECT branch_code, branch_name, sha256, errors + warnings FROM submissions"
                           " WHERE is_current = 1").fetchall()
    conn.close()
    assert len(current) == BRANCHES
    for code, name, sha, flagged in current:
        assert expected[sha][1] == VERSIONS - 1
        path = ws.root / "feedback" / feedback_name(code, name)
        assert path.is_file() == bool(flagged)
        if flagged:
            with reading.open_workbook(path) as reader:
                meetings = reader.rows("三会一课").cells[2:]
            shown = sum(1 for row in meetings if any(v not in (None, "") for v in row[1:4]))
            assert shown == expected[sha][2]["meetings"], code
