"""One writing command at a time per workspace: a lock file naming who holds it (computer, process,
command, start time), created atomically, and recognised as stale when its process is gone."""


from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
from datetime import datetime
from pathlib import Path


def holder_info(command: str) -> dict[str, object]:
    pid = os.getpid()
    info: dict[str, object] = {
        "pid": pid,
        "host": socket.gethostname(),
        "command": command,
        "started": datetime.now().isoformat(timespec="seconds"),
    }
    ticks, boot = _process_start(pid), _boot_id()
    if ticks is not None and boot:
        info["process_start"] = ticks
        info["boot_id"] = boot
    return info


def create_lock(path: Path, info: dict[str, object]) -> bool:
    """Create the lock file holding `info`, atomically; False when it exists already.

    The content is written to a temporary file first and hard-linked into place, so a process
    killed at any moment leaves either no lock or a complete one. Where the file system has no
    hard links (FAT on a USB stick), the file is created exclusively and then written.
    """
    data = json.dumps(info, ensure_ascii=False).encode("utf-8")
    from taizhang.safeio import TEMP_PREFIX

    tmp = path.with_name(f"{TEMP_PREFIX}{path.name}-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            os.link(tmp, path)
            return True
        except FileExistsError:
            return False
        except OSError:  # no hard links here
            pass
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return True


# Process ids are at most 2**22 on Linux and below 2**32 on Windows; anything else in a lock file
# was not written by taizhang.
MAX_PID = 2**32 - 1


def read_lock(path: Path) -> dict[str, object] | None:
    """What the lock file says about its holder; None when it cannot be read or was not written
    by taizhang (not JSON, not an object, no plausible process id): a damaged lock."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or _pid(data) is None:
        return None
    return data


def _pid(holder: dict[str, object]) -> int | None:
    """The holder's process id, or None when the lock does not hold a plausible one."""
    pid = holder.get("pid")
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid <= MAX_PID:
        return None
    return pid


# A lock file that cannot be read and is older than this was left half-written (only possible
# where the lock could not be created atomically) or damaged.
UNREADABLE_LOCK_SECONDS = 60


def is_stale(holder: dict[str, object] | None, path: Path) -> bool:
    """Whether the lock's holder is certainly gone (a killed command); False when unsure."""
    if holder is None:
        try:
            age = datetime.now().timestamp() - path.stat().st_mtime
        except OSError:
            return True  # removed meanwhile
        return age > UNREADABLE_LOCK_SECONDS
    if holder.get("host") != socket.gethostname():
        return False  # another computer sharing the folder: we cannot tell
    pid = _pid(holder)
    if pid is None or not _pid_alive(pid):
        return True
    if holder.get("boot_id") and holder.get("boot_id") != _boot_id():
        return True  # the computer was restarted since: the process id is someone else's now
    started = holder.get("process_start")
    return started is not None and started != _process_start(pid)


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this computer."""
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, ValueError, OSError):  # not a process id this system can have
        return False
    return True


def _process_start(pid: int) -> int | None:
    """When the process started, in clock ticks since boot (Linux; None elsewhere)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def locked_message(holder: dict[str, object] | None) -> str:
    if not holder:
        return ("工作区正被另一个 taizhang 命令使用，或它的锁文件 .taizhang/lock 已损坏（内容无法识别）。"
                f"锁文件在{UNREADABLE_LOCK_SECONDS}秒后自动失效，请稍候再试；"
                "如确认没有命令在运行，也可直接删除 .taizhang/lock 文件。")
    return (
        f"工作区正被另一个 taizhang 命令使用（{holder.get('command')}，"
        f"计算机 {holder.get('host')}，进程 {holder.get('pid')}，开始于 {holder.get('started')}）。"
        "请等它结束后再试；如确认该命令已不在运行，可删除 .taizhang/lock 文件。"
    )
