"""The workspace: one folder per committee office, like a git repository.

taizhang.toml  支部名单.xlsx  workbook_templates/  outbox/ inbox/ archive/ feedback/ output/
.taizhang/  store.sqlite3  secret.key  lock  taizhang.log"""


from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from taizhang.errors import (
    ConfigError,
    TaizhangError,
    WorkspaceExists,
    WorkspaceLocked,
    WorkspaceNotFound,
    WorkspaceReadOnly,
)
from taizhang.safeio import atomic_write_text
from taizhang.workspace import config as config_mod
from taizhang.workspace.definitions import WorkbookDefinition, load_definitions
from taizhang.workspace.lock import create_lock, holder_info, is_stale, locked_message, read_lock

CONFIG_NAME = "taizhang.toml"
BRANCHES_NAME = "支部名单.xlsx"
STATE_DIR = ".taizhang"
FOLDERS = ("workbook_templates", "outbox", "inbox", "archive", "feedback", "output")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Workspace:
    """A workspace folder and lazily loaded settings, definitions and key."""

    root: Path
    _overrides: dict[str, object] = field(default_factory=dict, repr=False)
    # what `init` made again in an existing workspace that had lost it (taizhang.toml, the store)
    recreated: list[str] = field(default_factory=list, repr=False)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    def to_dict(self) -> dict[str, Any]:
        """Where the workspace and its two files a user edits are (`taizhang init --json`)."""
        return {"workspace": str(self.root), "config": str(self.config_path), "branches": str(self.branches_path),
                "recreated": list(self.recreated)}

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
        """Hold the workspace lock for the duration of a writing command.

        Every library use-case that writes (collect, consolidate, issue, rollup, report, link,
        reminders, template export) takes it itself, so Python callers are protected as the CLI
        is. Re-entrant within a process: a use-case called while this process holds the lock
        (the demo collecting, then consolidating) goes on under the same lock.

        Raises WorkspaceLocked, naming the holder, when another command holds it. A lock left by
        a command that was killed (its process is gone, or its process id now belongs to another
        process) is recognised and taken over. While the lock is held, no other taizhang command
        writes here, so partial files left by a killed command (`.~tz-*`) are removed.
        """
        try:
            self.state.mkdir(exist_ok=True)
        except OSError as exc:
            raise self._cannot_write(exc, command) from None
        key = self.lock_path.resolve()
        if _HELD.get(key, 0) > 0:
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        info = holder_info(command)
        for _attempt in range(3):
            try:
                created = create_lock(self.lock_path, info)
            except OSError as exc:
                raise self._cannot_write(exc, command) from None
            if created:
                break
            if self.lock_path.is_dir():
                raise WorkspaceLocked(f"{self.lock_path} 应是 taizhang 的锁文件，现在却是一个文件夹（可能是误建的）。"
                                      "请确认没有 taizhang 命令在运行后删除这个文件夹，再重新运行命令。")
            holder = read_lock(self.lock_path)
            if is_stale(holder, self.lock_path):
                with contextlib.suppress(OSError):
                    self.lock_path.unlink()
                continue
            raise WorkspaceLocked(locked_message(holder))
        else:  # pragma: no cover - a race with another process taking the stale lock
            raise WorkspaceLocked(locked_message(read_lock(self.lock_path)))
        _HELD[key] = 1
        try:
            self.remove_partial_files()
            yield
        finally:
            _HELD.pop(key, None)
            if read_lock(self.lock_path) == info:  # never release a lock that is not ours
                with contextlib.suppress(OSError):
                    self.lock_path.unlink()

    def _cannot_write(self, exc: OSError, command: str) -> TaizhangError:
        """Why `command` cannot take the lock: the workspace is read-only, or the disk is full."""
        from taizhang.safeio import os_error_message, read_only_folder

        if isinstance(exc, PermissionError | FileNotFoundError) and read_only_folder(self.state) or \
                exc.errno == errno.EROFS:
            from taizhang.workspace.store import readonly_message

            return WorkspaceReadOnly(readonly_message(f"工作区 {self.root}", command + " "))
        return TaizhangError(os_error_message(exc))

    def remove_partial_files(self) -> list[Path]:
        """Remove the temporary files of atomic writes that a killed command left behind (call
        only while holding the lock); return them."""
        from taizhang.safeio import TEMP_PREFIX

        removed = []
        # inbox/ is never touched: what is there was received, whatever its name
        for folder in (self.root, self.state, *(self.root / name for name in FOLDERS if name != "inbox")):
            if not folder.is_dir():
                continue
            paths = folder.rglob(TEMP_PREFIX + "*") if folder not in (self.root, self.state) \
                else folder.glob(TEMP_PREFIX + "*")
            for path in paths:
                if path.is_file() and not path.is_symlink():
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed.append(path)
        return removed


# Workspaces whose lock this process holds: lock path → depth (see Workspace.lock).
_HELD: dict[Path, int] = {}


def writes(command: str) -> Callable[[F], F]:
    """Decorate a library use-case `fn(ws, ...)` so that it runs holding `ws.lock(command)`."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(ws: Workspace, *args: Any, **kwargs: Any) -> Any:
            with ws.lock(command):
                return fn(ws, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


@writes("taizhang templates --export")
def export_templates(ws: Workspace) -> list[str]:
    """Copy the shipped ledger definitions into the workspace's workbook_templates/ for editing;
    the names of the files copied (existing ones are kept)."""
    from taizhang.workspace.definitions import export_definitions

    return export_definitions(ws.folder("workbook_templates"))


@dataclass
class Templates:
    """The ledger definitions a workspace uses, and the files `templates --export` copied."""

    definition: Any  # definitions.WorkbookDefinition
    exported: list[str]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"id": self.definition.id, "version": self.definition.version, "exported": list(self.exported),
                "ledgers": [led.to_dict() for led in self.definition.ledgers]}


def templates(ws: Workspace, *, export: bool = False) -> Templates:
    """The workspace's ledger definitions (shipped, with its own overrides), after copying the
    shipped ones into workbook_templates/ when `export`."""
    from taizhang.workspace.definitions import load_definitions

    copied = export_templates(ws) if export else []
    return Templates(load_definitions(ws.root), copied)


def is_workspace(path: Path) -> bool:
    """Whether `path` holds a workspace."""
    return (path / CONFIG_NAME).is_file() and (path / STATE_DIR).is_dir()


def lost_config(path: Path) -> bool:
    """Whether `path` holds a workspace whose taizhang.toml is gone (its state is still there)."""
    return not (path / CONFIG_NAME).exists() and (path / STATE_DIR / "secret.key").is_file()


def _lost_config_message(root: Path) -> str:
    return (f"{root} 是 taizhang 工作区，但设置文件 {CONFIG_NAME} 不见了（数据库、密钥等其他内容还在）。"
            f"请从备份中恢复 {CONFIG_NAME}；没有备份时运行 taizhang init \"{root}\" --org 单位名称 --year 年度"
            "（可加 --deadline、--code），它只重新生成设置文件，不改动工作区中的其他内容；"
            "再按需修改联系人和各项规则设置。")


def find(start: Path | None = None, explicit: Path | None = None, *, lost_config_ok: bool = False) -> Workspace:
    """The workspace at `explicit`, or the first one from `start` (default: cwd) upwards. A
    workspace that lost its taizhang.toml is a WorkspaceNotFound saying how to make it again,
    unless `lost_config_ok` (for `check`, which reports it)."""
    if explicit is not None:
        root = Path(explicit).expanduser().resolve()
        if lost_config(root):
            if lost_config_ok:
                return Workspace(root)
            raise WorkspaceNotFound(_lost_config_message(root))
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
        if lost_config(folder):
            if lost_config_ok:
                return Workspace(folder)
            raise WorkspaceNotFound(_lost_config_message(folder))
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
    """Create a workspace in `root` (created if needed). Refuses a folder that holds one already,
    but for a workspace that lost its taizhang.toml or its store: only what is missing is made
    again (listed in `recreated`), nothing else is touched."""
    root = Path(root).expanduser().resolve()
    if (root / STATE_DIR).is_dir() and (root / STATE_DIR / "secret.key").is_file() and not (
            (root / CONFIG_NAME).exists() and (root / STATE_DIR / "store.sqlite3").exists()):
        _check_round(org, year, deadline)
        return _recreate(Workspace(root), org=org, code=code, year=year, deadline=deadline)
    if (root / CONFIG_NAME).exists() or (root / STATE_DIR).exists():
        raise WorkspaceExists(f"{root} 已经是一个 taizhang 工作区，未做任何改动。")
    _check_round(org, year, deadline)
    root.mkdir(parents=True, exist_ok=True)
    state = root / STATE_DIR
    try:
        state.mkdir()
    except FileExistsError:  # another init got here first
        raise WorkspaceExists(f"{root} 已经是一个 taizhang 工作区，未做任何改动。") from None
    ws = Workspace(root)
    with ws.lock("taizhang init"):
        _fill_new(ws, org=org, code=code, year=year, deadline=deadline)
    return ws


def _check_round(org: str, year: int, deadline: date | None) -> None:
    if not org.strip():
        raise ConfigError("请用 --org 写明本单位名称。")
    if not 2000 <= year <= 2100:
        raise ConfigError(f"年度 {year} 不合理，请写四位年份，例如 2025。")
    if deadline is not None and deadline.year < year:
        raise ConfigError(f"报送截止日期 {deadline} 早于台账年度 {year} 年，请核对。")


def _recreate(ws: Workspace, *, org: str, code: str, year: int, deadline: date | None) -> Workspace:
    """Make again the taizhang.toml and/or the store an existing workspace has lost; touch nothing
    else (a store that exists, even damaged, is left for the user to deal with)."""
    from taizhang.workspace import store

    with ws.lock("taizhang init"):
        if not ws.config_path.exists():
            atomic_write_text(ws.config_path, config_mod.default_text(
                org=org.strip(), code=code.strip(), year=year, deadline=deadline))
            ws.recreated.append(CONFIG_NAME)
        if not ws.store_path.exists():
            store.Store.create(ws.store_path).close()
            ws.recreated.append(f"{STATE_DIR}/store.sqlite3")
        for name in FOLDERS:
            (ws.root / name).mkdir(exist_ok=True)
    return ws


def _fill_new(ws: Workspace, *, org: str, code: str, year: int, deadline: date | None) -> None:
    """Write a new workspace's folders, key, settings, branch list and store."""
    from taizhang.workspace import branches, store

    root, state = ws.root, ws.state
    for name in FOLDERS:
        (root / name).mkdir(exist_ok=True)
    key_path = state / "secret.key"
    fd = os.open(key_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    os.chmod(key_path, 0o600)
    atomic_write_text(root / CONFIG_NAME, config_mod.default_text(
        org=org.strip(), code=code.strip(), year=year, deadline=deadline))
    atomic_write_text(
        root / "workbook_templates" / "README.txt",
        "在这里放置本单位修改或新增的台账定义（.toml），会覆盖或补充程序自带的定义。\n"
        "可先用 taizhang templates --export 把程序自带的定义复制到这里，再修改。\n",
    )
    branches.write_template(ws.branches_path)
    from taizhang.committee import FILE_NAME, write_template  # the committee's own ledger

    write_template(root / FILE_NAME, org=org.strip())
    store.Store.create(ws.store_path).close()
