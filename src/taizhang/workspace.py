"""The workspace: one folder per committee office, like a git repository.

    taizhang.toml  支部名单.xlsx  workbook_templates/  outbox/ inbox/ archive/ feedback/ output/
    .taizhang/  store.sqlite3  secret.key  lock  taizhang.log
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Iterator

from . import config as config_mod
from .definitions import WorkbookDefinition, load_definitions
from .errors import ConfigError, WorkspaceExists, WorkspaceLocked, WorkspaceNotFound

CONFIG_NAME = "taizhang.toml"
BRANCHES_NAME = "支部名单.xlsx"
STATE_DIR = ".taizhang"
FOLDERS = ("workbook_templates", "outbox", "inbox", "archive", "feedback", "output")


@dataclass
class Workspace:
    """A workspace folder and lazily loaded settings, definitions and key."""

    root: Path
    _overrides: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def branches_path(self) -> Path:
        return self.root / BRANCHES_NAME

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    @property
    def store_path(self) -> Path:
        return self.state / "store.sqlite3"

    @property
    def key_path(self) -> Path:
        return self.state / "secret.key"

    @property
    def lock_path(self) -> Path:
        return self.state / "lock"

    def folder(self, name: str) -> Path:
        """A workspace sub-folder (outbox, inbox, archive, feedback, output, …), created on demand."""
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @cached_property
    def definitions(self) -> WorkbookDefinition:
        """The ledger definitions in force: shipped ones with this workspace's overrides."""
        return load_definitions(self.root)

    @cached_property
    def settings(self) -> config_mod.Settings:
        """The typed settings from taizhang.toml."""
        headers: dict[str, str] = {}
        try:
            rec = self.definitions.ledger("recruitment")
            headers = {c.header: c.key for c in rec.columns if c.type == "date"}
        except KeyError:
            pass
        return config_mod.load(self.config_path, headers)

    @cached_property
    def key(self) -> bytes:
        """The workspace's secret signing key."""
        try:
            data = self.key_path.read_bytes().strip()
        except OSError:
            raise ConfigError(
                f"找不到工作区的密钥文件 {self.key_path}。密钥丢失后已下发的台账无法核验，"
                "请从备份中恢复该文件。"
            ) from None
        try:
            return bytes.fromhex(data.decode("ascii"))
        except ValueError:
            raise ConfigError(f"密钥文件 {self.key_path} 已损坏，请从备份中恢复。") from None

    @contextlib.contextmanager
    def lock(self, command: str) -> Iterator[None]:
        """Hold the workspace lock for the duration of a writing command."""
        self.state.mkdir(exist_ok=True)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": command,
            "started": datetime.now().isoformat(timespec="seconds"),
        }
        for _attempt in range(2):
            try:
                fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                holder = _read_lock(self.lock_path)
                if holder is not None and _is_stale(holder):
                    with contextlib.suppress(OSError):
                        self.lock_path.unlink()
                    continue
                raise WorkspaceLocked(_locked_message(holder)) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(info, fh, ensure_ascii=False)
            break
        else:  # pragma: no cover - a race with another process taking the stale lock
            raise WorkspaceLocked(_locked_message(_read_lock(self.lock_path)))
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                self.lock_path.unlink()


def _read_lock(path: Path) -> dict[str, object] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _is_stale(holder: dict[str, object]) -> bool:
    if holder.get("host") != socket.gethostname():
        return False
    try:
        pid = int(holder.get("pid", 0))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _locked_message(holder: dict[str, object] | None) -> str:
    if not holder:
        return "工作区正被另一个 taizhang 命令使用，请等它结束后再试。"
    return (
        f"工作区正被另一个 taizhang 命令使用（{holder.get('command')}，"
        f"计算机 {holder.get('host')}，进程 {holder.get('pid')}，开始于 {holder.get('started')}）。"
        "请等它结束后再试；如确认该命令已不在运行，可删除 .taizhang/lock 文件。"
    )


def is_workspace(path: Path) -> bool:
    """Whether `path` holds a workspace."""
    return (path / CONFIG_NAME).is_file() and (path / STATE_DIR).is_dir()


def find(start: Path | None = None, explicit: Path | None = None) -> Workspace:
    """The workspace at `explicit`, or the first one from `start` (default: cwd) upwards."""
    if explicit is not None:
        root = Path(explicit).expanduser().resolve()
        if not is_workspace(root):
            raise WorkspaceNotFound(
                f"{root} 不是 taizhang 工作区（没有 {CONFIG_NAME}）。"
                "请用 taizhang init 创建，或用 -w 指定正确的文件夹。"
            )
        return Workspace(root)
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_workspace(folder):
            return Workspace(folder)
    raise WorkspaceNotFound(
        f"当前文件夹（{here}）及其上级都不是 taizhang 工作区。"
        "请先进入工作区文件夹，或用 -w 指定，或用 taizhang init 创建一个。"
    )


def init(
    root: Path,
    *,
    org: str,
    year: int,
    deadline: date | None = None,
    code: str = "",
) -> Workspace:
    """Create a workspace in `root` (created if needed). Refuses a folder that holds one already."""
    from . import branches, store  # imported here: both build on this module

    root = Path(root).expanduser().resolve()
    if (root / CONFIG_NAME).exists() or (root / STATE_DIR).exists():
        raise WorkspaceExists(f"{root} 已经是一个 taizhang 工作区，未做任何改动。")
    if not org.strip():
        raise ConfigError("请用 --org 写明本单位名称。")
    if not 2000 <= year <= 2100:
        raise ConfigError(f"年度 {year} 不合理，请写四位年份，例如 2025。")
    if deadline is not None and deadline.year < year:
        raise ConfigError(f"报送截止日期 {deadline} 早于台账年度 {year} 年，请核对。")
    root.mkdir(parents=True, exist_ok=True)
    for name in FOLDERS:
        (root / name).mkdir(exist_ok=True)
    state = root / STATE_DIR
    state.mkdir()
    key_path = state / "secret.key"
    fd = os.open(key_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    os.chmod(key_path, 0o600)
    (root / CONFIG_NAME).write_text(
        config_mod.default_text(org=org.strip(), code=code.strip(), year=year, deadline=deadline),
        encoding="utf-8",
    )
    (root / "workbook_templates" / "README.txt").write_text(
        "在这里放置本单位修改或新增的台账定义（.toml），会覆盖或补充程序自带的定义。\n"
        "可先用 taizhang templates --export 把程序自带的定义复制到这里，再修改。\n",
        encoding="utf-8",
    )
    ws = Workspace(root)
    branches.write_template(ws.branches_path)
    store.Store.create(ws.store_path)
    return ws
