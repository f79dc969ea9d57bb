"""The workspace lock: every writing command takes it, a second one says who holds it, a lock
left by a killed command is recognised, and partial files of a killed command are cleaned up."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import invoke

from taizhang.errors import WorkspaceLocked
from taizhang.workspace import lock

WRITING = [
    ("issue",), ("collect",), ("consolidate",), ("status", "--remind"), ("templates", "--export"),
]


@contextlib.contextmanager
def held_elsewhere(ws, command: str = "taizhang collect"):
    """The lock file of another live command (this process's id and start time, so never stale),
    without this process counting itself as the holder."""
    _holder(ws, command=command)
    try:
        yield
    finally:
        ws.lock_path.unlink(missing_ok=True)


@pytest.mark.parametrize("command", WRITING, ids=[" ".join(c) for c in WRITING])
def test_a_second_writing_command_says_who_holds_the_lock(runner, ws, command) -> None:
    with held_elsewhere(ws):
        result = invoke(runner, "-w", ws.root, *command)
    assert result.exit_code == 1, result.output
    assert "工作区正被另一个 taizhang 命令使用（taizhang collect" in result.stderr
    assert f"进程 {os.getpid()}" in result.stderr and socket.gethostname() in result.stderr
    assert "Traceback" not in result.output


def test_reading_commands_do_not_wait_for_the_lock(runner, ws) -> None:
    with held_elsewhere(ws):
        for command in (("status",), ("problems",), ("branches",)):
            result = invoke(runner, "-w", ws.root, *command)
            assert result.exit_code == 0, (command, result.output)


def test_the_lock_is_released_after_a_command_and_after_an_error(runner, ws) -> None:
    assert invoke(runner, "-w", ws.root, "status", "--remind").exit_code == 0
    assert not ws.lock_path.exists()
    with pytest.raises(RuntimeError):
        with ws.lock("taizhang issue"):
            raise RuntimeError("boom")
    assert not ws.lock_path.exists()


def test_python_callers_of_the_library_take_the_lock_too(ws) -> None:
    from taizhang.collect import collect
    from taizhang.consolidate import consolidate

    with held_elsewhere(ws), pytest.raises(WorkspaceLocked, match="taizhang collect"):
        collect(ws)
    with held_elsewhere(ws, "taizhang issue"), pytest.raises(WorkspaceLocked, match="taizhang issue"):
        consolidate(ws)


def test_use_cases_called_under_the_lock_go_on_under_it(ws) -> None:
    from taizhang.collect import collect

    with ws.lock("taizhang demo"):
        collect(ws)  # re-entrant: the same process already holds the lock
        assert json.loads(ws.lock_path.read_text(encoding="utf-8"))["command"] == "taizhang demo"
    assert not ws.lock_path.exists()


def _holder(ws, **changes) -> None:
    info = lock.holder_info("taizhang collect")
    info.update(changes)
    ws.state.mkdir(exist_ok=True)
    ws.lock_path.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")


def test_a_lock_left_by_a_killed_command_is_taken_over(runner, ws) -> None:
    code = ("import sys, time; from taizhang import workspace\n"
            "ws = workspace.find(explicit=sys.argv[1])\n"
            "with ws.lock('taizhang collect'):\n"
            "    (ws.root / 'archive' / '.~tz-half.xlsx').write_bytes(b'PK half')\n"
            "    print('locked', flush=True); time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(ws.root)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        held = invoke(runner, "-w", ws.root, "collect")
        assert held.exit_code == 1 and f"进程 {proc.pid}" in held.stderr
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert ws.lock_path.exists()  # a killed process cannot clean up
    result = invoke(runner, "-w", ws.root, "collect")
    assert result.exit_code == 0, result.output
    assert not ws.lock_path.exists()
    assert not (ws.root / "archive" / ".~tz-half.xlsx").exists()  # its partial file is gone


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_process_id_reused_by_another_process_is_not_a_holder(ws) -> None:
    _holder(ws, pid=os.getpid(), process_start=1)  # our pid, but not our process
    with ws.lock("taizhang issue"):
        assert json.loads(ws.lock_path.read_text(encoding="utf-8"))["command"] == "taizhang issue"
    _holder(ws, pid=os.getpid(), boot_id="another-boot")  # written before the computer restarted
    with ws.lock("taizhang issue"):
        pass


def test_a_lock_of_another_computer_is_respected(ws) -> None:
    _holder(ws, host="另一台电脑", pid=1)
    with pytest.raises(WorkspaceLocked, match="另一台电脑"):
        with ws.lock("taizhang issue"):
            pass


def test_an_unreadable_lock_is_respected_until_it_is_old(ws) -> None:
    ws.lock_path.write_bytes(b"")
    with pytest.raises(WorkspaceLocked, match="删除 .taizhang/lock"):
        with ws.lock("taizhang issue"):
            pass
    old = time.time() - 2 * lock.UNREADABLE_LOCK_SECONDS
    os.utime(ws.lock_path, (old, old))
    with ws.lock("taizhang issue"):
        pass
    assert not ws.lock_path.exists()


def test_the_lock_never_leaves_a_partial_lock_file(ws, monkeypatch) -> None:
    def no_links(*args):
        raise OSError("no hard links here")

    monkeypatch.setattr(os, "link", no_links)  # FAT: the exclusive-create fallback
    with ws.lock("taizhang issue"):
        assert json.loads(ws.lock_path.read_text(encoding="utf-8"))["command"] == "taizhang issue"
        assert [p.name for p in ws.state.iterdir() if p.name.startswith(".~tz-")] == []
    assert not ws.lock_path.exists()


def test_init_refuses_an_existing_workspace_and_leaves_no_lock(runner, tmp_path: Path) -> None:
    first = invoke(runner, "init", tmp_path / "w", "--org", "中共测试局机关委员会", "--year", "2025")
    assert first.exit_code == 0, first.output
    assert not (tmp_path / "w" / ".taizhang" / "lock").exists()
    again = invoke(runner, "init", tmp_path / "w", "--org", "x", "--year", "2025")
    assert again.exit_code == 1 and "已经是一个 taizhang 工作区" in again.stderr
