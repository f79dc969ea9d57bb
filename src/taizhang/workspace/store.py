"""The store: SQLite in the workspace. Every issue, every file seen, every submission with its
typed rows and problems; nothing is overwritten. A new return from a branch supersedes the
previous one, and both stay.

Each return is written in one transaction, so a collect killed at any moment leaves the store
consistent and a re-run completes the batch.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from taizhang import clock
from taizhang.errors import StoreError
from taizhang.problems import Problem, Severity
from taizhang.records import BranchReturn, LedgerData, Row, decode_value, encode_value

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS issued (
    id INTEGER PRIMARY KEY,
    branch_code TEXT NOT NULL,
    branch_name TEXT NOT NULL,
    year INTEGER NOT NULL,
    template_id TEXT NOT NULL,
    template_version TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issued_branch ON issued (branch_code, year);
CREATE TABLE IF NOT EXISTS rounds (
    year INTEGER PRIMARY KEY,       -- a ledger year this workspace has run a round for
    deadline TEXT NOT NULL DEFAULT '',  -- its deadline (ISO date; '' = none set), kept after the year moves on
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    first_path TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    outcome TEXT NOT NULL,          -- stored / refused / unreadable / not_workbook
    message TEXT NOT NULL DEFAULT '',
    submission_id INTEGER REFERENCES submissions(id)
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    branch_code TEXT NOT NULL,
    branch_name TEXT NOT NULL,
    year INTEGER NOT NULL,
    template_id TEXT NOT NULL DEFAULT '',
    template_version TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL,
    source_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    submitted_at TEXT NOT NULL,     -- when the branch sent it (file time), orders supersession
    received_at TEXT NOT NULL,      -- when it was collected
    verified INTEGER NOT NULL,      -- 1 when the signature checked out
    origin TEXT NOT NULL DEFAULT 'branch',  -- branch / rollup:<unit code>
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    infos INTEGER NOT NULL DEFAULT 0,
    is_current INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS submissions_branch ON submissions (branch_code, year);
-- A return stored but kept from becoming current until the office accepts it (issue 13): an
-- unverified return after a verified one, a blank workbook after a filled one.
CREATE TABLE IF NOT EXISTS holds (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    reason TEXT NOT NULL,           -- unverified / blank
    accepted_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS rows (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    ledger TEXT NOT NULL,
    excel_row INTEGER NOT NULL,
    data TEXT NOT NULL,
    invalid TEXT NOT NULL DEFAULT '[]',
    raw TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS rows_submission ON rows (submission_id, ledger);
CREATE TABLE IF NOT EXISTS ledgers (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    ledger TEXT NOT NULL,
    sheet TEXT NOT NULL,
    present INTEGER NOT NULL,
    letters TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER REFERENCES submissions(id),
    file_sha256 TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    sheet TEXT NOT NULL DEFAULT '',
    row INTEGER,
    column_header TEXT NOT NULL DEFAULT '',
    column_letter TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS problems_submission ON problems (submission_id);
CREATE TABLE IF NOT EXISTS rollups (
    id INTEGER PRIMARY KEY,
    unit_code TEXT NOT NULL,        -- the lower unit (党总支/党委) that signed it
    unit_name TEXT NOT NULL,
    year INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    source_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,           -- the roll-up file as received (archive/<sha256>)
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL,       -- when the lower level made it (orders roll-ups of a unit)
    received_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL,      -- of the link key that signed it
    units TEXT NOT NULL,            -- JSON: the lower level's units (code, name, parent, kind, ...)
    is_current INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS rollups_unit ON rollups (unit_code, year);
CREATE TABLE IF NOT EXISTS rollup_returns (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    rollup_id INTEGER NOT NULL REFERENCES rollups(id),
    original_file TEXT NOT NULL,    -- the branch's own file, as the lower level received it
    original_sha256 TEXT NOT NULL,
    lower_received_at TEXT NOT NULL,
    via TEXT NOT NULL DEFAULT '[]'  -- JSON: the units it passed through below the sender
);
"""

TABLES = tuple(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA))


@dataclass
class Submission:
    """One stored return (current or superseded)."""

    id: int
    branch_code: str
    branch_name: str
    year: int
    template_id: str
    template_version: str
    file_name: str
    source_path: str
    sha256: str
    submitted_at: str
    received_at: str
    verified: bool
    origin: str
    errors: int
    warnings: int
    infos: int
    is_current: bool

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class FileRecord:
    """A file seen by collect, by content hash."""

    sha256: str
    size: int
    first_path: str
    first_seen: str
    outcome: str
    message: str
    submission_id: int | None


@dataclass
class Issued:
    """One issued workbook."""

    branch_code: str
    branch_name: str
    year: int
    template_id: str
    template_version: str
    path: str
    sha256: str
    issued_at: str


@dataclass
class NewSubmission:
    """What collect hands the store for one return."""

    ret: BranchReturn
    file_name: str
    source_path: str
    sha256: str
    size: int
    submitted_at: str
    verified: bool
    problems: list[Problem] = field(default_factory=list)
    origin: str = "branch"
    carried: Carried | None = None  # for a return that came in a lower level's roll-up
    held: str = ""  # why the return is kept from becoming current ("" for none): see `holds`


@dataclass
class Carried:
    """Where a return that came in a roll-up started: the branch's own file at the lower level."""

    original_file: str
    original_sha256: str
    lower_received_at: str
    via: list[str] = field(default_factory=list)


@dataclass
class NewRollup:
    """What collect hands the store for a lower level's roll-up (its returns come separately)."""

    unit_code: str
    unit_name: str
    year: int
    file_name: str
    source_path: str
    sha256: str
    size: int
    created_at: str
    fingerprint: str
    units: list[dict[str, Any]]


@dataclass
class Rollup(NewRollup):
    """A stored roll-up."""

    id: int = 0
    received_at: str = ""
    is_current: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (units counted, not listed)."""
        data = {k: v for k, v in self.__dict__.items() if k != "units"}
        data["units"] = len(self.units)
        return data


@dataclass
class RollupSource:
    """Where a stored return came from when it came in a roll-up."""

    submission_id: int
    rollup_id: int
    unit_code: str
    unit_name: str
    original_file: str
    original_sha256: str
    lower_received_at: str
    via: list[str]


def _now() -> str:
    return clock.stamp()


# --- what goes wrong with the store file, in words -------------------------------------------------
RESTORE_ADVICE = (
    "恢复方法：先把整个工作区文件夹复制一份留底；再用最近的备份替换 .taizhang/store.sqlite3"
    "（备份要与 .taizhang/secret.key 出自同一个工作区），然后运行 taizhang check 核对。"
    "没有备份时，把损坏的 store.sqlite3 改名保留（如改为 store-损坏.sqlite3），运行 "
    "taizhang init 工作区文件夹 --org 单位名称 --year 年度 重建一个空数据库（设置、密钥和其他文件都不改动），"
    "再把 archive/ 中保存的各支部原件复制到 inbox/，运行 taizhang collect 重新收集。"
)
CHECK_HINT = "请先运行 taizhang check 查看损坏情况。"
SQLITE_HEADER = b"SQLite format 3\x00"


def _check_file(path: Path) -> None:
    """StoreError unless `path` looks like a store: it exists, is not empty, starts as SQLite."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise StoreError(
            f"找不到工作区的数据库 {path}。如是误删，请从备份恢复该文件；"
            "没有备份时运行 taizhang init 重建一个空数据库，再把 archive/ 中的原件复制到 inbox/ 重新收集。"
        ) from None
    except IsADirectoryError:
        raise StoreError(f"{path} 应是工作区的数据库文件，现在却是一个文件夹。{RESTORE_ADVICE}") from None
    except OSError as exc:
        raise StoreError(f"无法读取工作区的数据库 {path}：{exc.strerror or exc}。"
                         "请检查文件的访问权限，或该文件是否正被其他程序（如杀毒软件）占用。") from None
    if not head:
        raise StoreError(
            f"工作区的数据库 {path} 是空文件（0字节），里面的记录已经丢失（常见于磁盘写满或复制中断）。"
            f"程序不会把它当作新数据库使用，以免掩盖数据丢失。{RESTORE_ADVICE}")
    if head != SQLITE_HEADER:
        raise StoreError(
            f"工作区的数据库 {path} 已损坏（文件开头不是 SQLite 数据库的格式，可能被截断或被其他内容覆盖）。"
            f"{RESTORE_ADVICE}")


# Stores this process found sound before writing to them (path → size and time when checked).
_CHECKED: dict[Path, tuple[int, int]] = {}


def _quick_check(store: Store) -> None:
    """StoreError when SQLite's quick check finds the store damaged: a command never writes into
    a damaged store (that could spread the damage). Done once per process and store (tens of
    milliseconds for a store of ten megabytes)."""
    try:
        st = store.path.stat()
        key = store.path.resolve()
    except OSError:
        return
    if _CHECKED.get(key) == (st.st_size, st.st_mtime_ns):
        return
    rows = [r[0] for r in store.conn.execute("PRAGMA quick_check(20)").fetchall()]
    if rows != ["ok"]:
        shown = "；".join(str(r) for r in rows[:3])
        raise StoreError(f"工作区的数据库 {store.path} 已损坏（{shown}），为免损坏扩大，本命令没有写入。"
                         f"{CHECK_HINT}{RESTORE_ADVICE}")
    st = store.path.stat()
    _CHECKED[key] = (st.st_size, st.st_mtime_ns)


def _uri(path: Path) -> str:
    """An SQLite file URI for `path` with an empty authority, so that a Windows network share
    (\\\\server\\share\\…, which Path.as_uri writes as file://server/…) opens too."""
    from urllib.parse import quote

    posix = path.resolve().as_posix()
    return "file://" + ("" if posix.startswith("/") else "/") + quote(posix, safe="/:")


def _code(exc: sqlite3.Error) -> str:
    """The SQLite error's name (SQLITE_FULL …), from the code where Python gives it."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name:
        return name
    text = str(exc).lower()
    for words, code in (("disk is full", "SQLITE_FULL"), ("malformed", "SQLITE_CORRUPT"),
                        ("not a database", "SQLITE_NOTADB"), ("readonly", "SQLITE_READONLY"),
                        ("unable to open", "SQLITE_CANTOPEN"), ("locked", "SQLITE_BUSY"),
                        ("disk i/o", "SQLITE_IOERR")):
        if words in text:
            return code
    return ""


def store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """A StoreError saying in Chinese what `exc` (raised on the store at `path`) means and what to do."""
    if isinstance(exc, StoreError):  # pragma: no cover - already said
        return exc
    code = _code(exc)
    detail = str(exc)
    if code.startswith("SQLITE_FULL"):
        msg = (f"磁盘空间已满，工作区的数据库 {path} 写不进去。这一步没写完的内容已全部撤销，数据库仍是上一步的样子。"
               "请清理该磁盘（删除不需要的文件、清空回收站）腾出空间后，重新运行这个命令。")
    elif code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        msg = f"工作区的数据库 {path} 已损坏（{detail}），无法读写。{CHECK_HINT}{RESTORE_ADVICE}"
    elif code.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")) or (
            code.startswith("SQLITE_CANTOPEN") and not _writable(path.parent)):
        msg = readonly_message(path)
    elif code.startswith("SQLITE_CANTOPEN"):
        msg = (f"无法打开工作区的数据库 {path}（{detail}）。请检查该文件和 .taizhang 文件夹是否存在、是否有访问权限，"
               "网络共享文件夹是否已连接。")
    elif code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        msg = (f"工作区的数据库 {path} 正被另一个程序长时间占用（{detail}）。"
               "请关闭正在使用该工作区的其他 taizhang 命令或程序后再试。")
    elif code.startswith("SQLITE_IOERR"):
        msg = (f"读写工作区的数据库 {path} 时磁盘出错（{detail}）。请检查磁盘空间、U盘或网络共享是否仍然连接，"
               f"然后重试；如仍出错，请运行 taizhang check。")
    else:
        msg = f"工作区的数据库 {path} 出错：{detail}。请运行 taizhang check 检查数据库。"
    err = StoreError(msg)
    err.sqlite_error = exc  # type: ignore[attr-defined]
    return err


def readonly_message(where: Path | str, command: str = "这个命令") -> str:
    """Why a command that writes cannot run on a read-only workspace (or store), and what to do."""
    return (f"{where} 是只读的（例如备份副本、只读的共享文件夹或光盘），{command}需要写入工作区，无法进行。"
            "查看类命令（status、problems、stats、check）仍可使用；要收集、下发、汇总或生成报告，"
            "请把工作区复制到可写的位置再运行，或请管理员开放写入权限。")


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK)


class _Cursor(sqlite3.Cursor):
    """A cursor whose SQLite errors are StoreErrors in Chinese (see store_error)."""

    def _fail(self, exc: sqlite3.Error) -> StoreError:
        return store_error(exc, getattr(self.connection, "store_path", Path("store.sqlite3")))

    def execute(self, sql: str, parameters: Any = ()) -> _Cursor:  # type: ignore[override]
        try:
            return super().execute(sql, parameters)  # type: ignore[return-value]
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def executemany(self, sql: str, seq: Any) -> _Cursor:  # type: ignore[override]
        try:
            return super().executemany(sql, seq)  # type: ignore[return-value]
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def executescript(self, script: str) -> _Cursor:  # type: ignore[override]
        try:
            return super().executescript(script)  # type: ignore[return-value]
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        try:
            return super().fetchmany(self.arraysize if size is None else size)
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as exc:
            raise self._fail(exc) from None


class _Connection(sqlite3.Connection):
    """The store's connection: statements run on _Cursor, so every SQLite error is a StoreError."""

    store_path: Path

    def cursor(self, factory: Any = None) -> _Cursor:  # type: ignore[override]
        return super().cursor(factory or _Cursor)  # type: ignore[return-value]

    def execute(self, sql: str, parameters: Any = ()) -> _Cursor:  # type: ignore[override]
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq: Any) -> _Cursor:  # type: ignore[override]
        return self.cursor().executemany(sql, seq)

    def executescript(self, script: str) -> _Cursor:  # type: ignore[override]
        return self.cursor().executescript(script)

    def commit(self) -> None:
        try:
            super().commit()
        except sqlite3.Error as exc:
            raise store_error(exc, self.store_path) from None


class Store:
    """Access to the workspace's SQLite store.

    `Store.open` is for commands that write (it brings the schema up to date); `Store.read` opens
    the store read-only (a backup copy, a read-only share) and never writes to it. Every SQLite
    error, on any statement, comes out as a StoreError whose Chinese message names the file and
    says what to do (free disk space, restore from a backup, …)."""

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool = False):
        self.conn = conn
        self.path = path
        self.readonly = readonly

    @classmethod
    def create(cls, path: Path) -> Store:
        """Create the store with its schema (idempotent); return it open."""
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls._connect(path)._with_schema()

    def _with_schema(self) -> Store:
        """This store with the tables of the current schema (closed on failure)."""
        try:
            with self.conn:
                self.conn.executescript(SCHEMA)
                self.conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
        except BaseException:
            self.close()
            raise
        return self

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open an existing store for writing (creating missing tables of the current schema).
        StoreError when it is missing, empty (never silently made a new one), damaged, or cannot
        be written."""
        _check_file(path)
        store = cls._connect(path)
        try:
            _quick_check(store)
        except BaseException:
            store.close()
            raise
        return store._with_schema()

    @classmethod
    def read(cls, path: Path, *, upgrade: bool = True) -> Store:
        """Open an existing store read-only: nothing is written to it, so a backup copy or a store
        on a read-only share can be looked at. StoreError when it is missing, empty or damaged."""
        _check_file(path)
        uri = _uri(path)
        errors: list[sqlite3.Error] = []
        # A store in WAL mode needs its -shm file; where it cannot be made (a read-only folder)
        # the file is opened as immutable, which is what a read-only copy is.
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            try:
                conn = sqlite3.connect(uri + query, uri=True, timeout=30, isolation_level=None,
                                       factory=_Connection)
            except sqlite3.Error as exc:
                errors.append(exc)
                continue
            conn.store_path = path
            try:
                conn.execute("PRAGMA query_only=ON")
                names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            except StoreError as exc:
                conn.close()
                cause = getattr(exc, "sqlite_error", None)
                if cause is not None and _code(cause).startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY")):
                    errors.append(cause)
                    continue
                raise
            missing = {"meta", "issued", "files", "submissions", "rows", "problems"} - names
            if missing:
                conn.close()
                raise StoreError(
                    f"数据库 {path} 里缺少 taizhang 的数据表（{'、'.join(sorted(missing))}），"
                    f"不是本程序的数据库或已被改动。{RESTORE_ADVICE}")
            newer = set(TABLES) - names
            if newer:  # made by an earlier version: add the new tables when the store can be written
                conn.close()
                if upgrade and os.access(path, os.W_OK) and _writable(path.parent):
                    cls.open(path).close()
                    return cls.read(path, upgrade=False)
                raise StoreError(
                    f"数据库 {path} 是旧版本的 taizhang 建立的，缺少数据表 {'、'.join(sorted(newer))}，"
                    "而它所在的位置是只读的，无法升级。请在可写的工作区中运行一次写入的命令（如 taizhang collect）"
                    "升级数据库后再查看。")
            conn.row_factory = sqlite3.Row
            conn.isolation_level = "DEFERRED"
            return cls(conn, path, readonly=True)
        raise store_error(errors[-1], path)

    @classmethod
    def _connect(cls, path: Path) -> Store:
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, factory=_Connection)
            conn.store_path = path  # type: ignore[attr-defined]
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise store_error(exc, path) from None
        except StoreError:
            if conn is not None:
                conn.close()
            raise
        conn.row_factory = sqlite3.Row
        conn.isolation_level = "DEFERRED"
        return cls(conn, path)

    def close(self) -> None:
        """Close the connection (a store found sound stays so after this process's own writes:
        it is not checked again on the next open)."""
        self.conn.close()
        if not self.readonly:
            with contextlib.suppress(OSError):
                key = self.path.resolve()
                if key in _CHECKED:
                    st = self.path.stat()
                    _CHECKED[key] = (st.st_size, st.st_mtime_ns)

    # --- held returns and the time of the last collect run (issue 13) ---------------------------
    def accept(self, sha256: str) -> Submission | None:
        """The office accepts a held return (by its file's SHA-256): it may become current like any
        other (the latest wins). Returns the submission, or None when no held return has this file."""
        r = self.conn.execute(
            "SELECT s.id, s.branch_code, s.year FROM submissions s JOIN holds h ON h.submission_id = s.id"
            " WHERE s.sha256 = ? AND h.accepted_at = '' ORDER BY s.id DESC LIMIT 1", (sha256,)).fetchone()
        if r is None:
            return None
        with self.transaction() as c:
            c.execute("UPDATE holds SET accepted_at = ? WHERE submission_id = ?", (_now(), r["id"]))
            _refresh_current(c, r["branch_code"], r["year"])
        return self.submission(int(r["id"]))

    def meta_value(self, key: str) -> str:
        """A value of the store's meta table ("" when absent)."""
        r = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(r["value"]) if r else ""

    def set_meta_value(self, key: str, value: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic transaction (IMMEDIATE, so writers queue rather than fail)."""
        if self.readonly:
            raise StoreError(readonly_message(self.path))
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            # SQLite may have rolled back already (a full disk): the first error is the one to tell
            with contextlib.suppress(StoreError, sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # --- issue ---------------------------------------------------------------------------------
    def record_issue(self, item: Issued) -> None:
        """Record one issued workbook."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO issued (branch_code, branch_name, year, template_id, template_version, path,"
                " sha256, issued_at) VALUES (?,?,?,?,?,?,?,?)",
                (item.branch_code, item.branch_name, item.year, item.template_id, item.template_version,
                 item.path, item.sha256, item.issued_at),
            )

    def issued(self, year: int | None = None) -> list[Issued]:
        """Every issue record (latest last), optionally for one year."""
        sql = "SELECT * FROM issued"
        args: tuple[Any, ...] = ()
        if year is not None:
            sql += " WHERE year = ?"
            args = (year,)
        rows = self.conn.execute(sql + " ORDER BY id", args).fetchall()
        return [Issued(**{k: r[k] for k in Issued.__dataclass_fields__}) for r in rows]

    def record_round(self, year: int, deadline: date | None) -> None:
        """Remember the deadline of the `year` round, so that returns of that year collected
        after the workspace has moved on to a later year are still judged 按时 or 逾期."""
        with self.transaction() as c:
            c.execute("INSERT INTO rounds (year, deadline, recorded_at) VALUES (?,?,?) ON CONFLICT(year)"
                      " DO UPDATE SET deadline = excluded.deadline, recorded_at = excluded.recorded_at",
                      (year, deadline.isoformat() if deadline else "", _now()))

    def rounds(self) -> dict[int, date | None]:
        """Every year a round was recorded for, with its deadline (None when none was set)."""
        out: dict[int, date | None] = {}
        for r in self.conn.execute("SELECT year, deadline FROM rounds ORDER BY year"):
            try:
                out[r["year"]] = date.fromisoformat(r["deadline"]) if r["deadline"] else None
            except ValueError:
                out[r["year"]] = None
        return out

    def years(self) -> list[int]:
        """Every ledger year the store knows of: rounds recorded, workbooks issued, returns stored."""
        found = set(self.rounds())
        for table in ("issued", "submissions"):
            found.update(r[0] for r in self.conn.execute(f"SELECT DISTINCT year FROM {table}"))
        return sorted(found)

    def last_issued(self, year: int) -> dict[str, Issued]:
        """The latest issue record per branch code for a year."""
        return {i.branch_code: i for i in self.issued(year)}

    # --- files and submissions --------------------------------------------------------------------
    def file(self, sha256: str) -> FileRecord | None:
        """The record of a file already seen (by content hash), or None."""
        r = self.conn.execute("SELECT * FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        return FileRecord(**{k: r[k] for k in FileRecord.__dataclass_fields__}) if r else None

    def record_file(self, sha256: str, size: int, path: str, outcome: str, message: str = "",
                    problems: list[Problem] | None = None) -> None:
        """Record a file that was not stored as a return (refused or unreadable), with its problems."""
        with self.transaction() as c:
            # A refused file is tried again on every run (the branch list may have been fixed);
            # keep only the latest verdict and problems for it.
            c.execute(
                "INSERT INTO files (sha256, size, first_path, first_seen, outcome, message)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT(sha256) DO UPDATE SET outcome = excluded.outcome,"
                " message = excluded.message WHERE files.outcome != 'stored'",
                (sha256, size, path, _now(), outcome, message),
            )
            c.execute("DELETE FROM problems WHERE file_sha256 = ? AND submission_id IS NULL", (sha256,))
            for p in problems or []:
                _insert_problem(c, None, sha256, p)

    def add_submission(self, new: NewSubmission) -> Submission:
        """Store a return with its rows and problems in one transaction; make it current if it is
        the latest for its branch and year. Returns the stored submission."""
        received = _now()
        with self.transaction() as c:
            sid = _insert_submission(c, new, received)
        sub = self.submission(sid)
        assert sub is not None
        return sub

    def add_rollup(self, new: NewRollup, returns: list[NewSubmission]) -> tuple[Rollup, list[Submission]]:
        """Store a lower level's roll-up and the returns taken from it, all in one transaction; the
        roll-up becomes its unit's current one if it is the latest made, and each return becomes
        its branch's current one if it is the latest sent. Returns what was stored."""
        received = _now()
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO rollups (unit_code, unit_name, year, file_name, source_path, sha256, size, created_at,"
                " received_at, fingerprint, units) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (new.unit_code, new.unit_name, new.year, new.file_name, new.source_path, new.sha256, new.size,
                 new.created_at, received, new.fingerprint, json.dumps(new.units, ensure_ascii=False)),
            )
            rid = int(cur.lastrowid or 0)
            c.execute(
                "INSERT OR IGNORE INTO files (sha256, size, first_path, first_seen, outcome, message)"
                " VALUES (?,?,?,?,?,?)", (new.sha256, new.size, new.source_path, received, "stored", ""))
            c.execute("UPDATE files SET outcome = 'stored', message = '' WHERE sha256 = ?", (new.sha256,))
            c.execute("DELETE FROM problems WHERE file_sha256 = ? AND submission_id IS NULL", (new.sha256,))
            sids = [_insert_submission(c, item, received, rollup_id=rid) for item in returns]
            c.execute("UPDATE rollups SET is_current = 0 WHERE unit_code = ? AND year = ?", (new.unit_code, new.year))
            c.execute(
                "UPDATE rollups SET is_current = 1 WHERE id = (SELECT id FROM rollups WHERE unit_code = ?"
                " AND year = ? ORDER BY created_at DESC, id DESC LIMIT 1)", (new.unit_code, new.year))
        stored = [self.submission(sid) for sid in sids]
        rollup = self.rollup(rid)
        assert rollup is not None
        return rollup, [s for s in stored if s is not None]

    def rollup(self, rid: int) -> Rollup | None:
        """A roll-up by id."""
        r = self.conn.execute("SELECT * FROM rollups WHERE id = ?", (rid,)).fetchone()
        return _rollup(r) if r else None

    def rollups(self, year: int | None = None) -> list[Rollup]:
        """Every stored roll-up (of a year), oldest made first."""
        sql, args = "SELECT * FROM rollups", ()
        if year is not None:
            sql, args = sql + " WHERE year = ?", (year,)
        return [_rollup(r) for r in self.conn.execute(sql + " ORDER BY unit_code, created_at, id", args)]

    def current_rollups(self, year: int) -> dict[str, Rollup]:
        """The current roll-up of every lower unit for a year, by unit code."""
        return {r.unit_code: r for r in self.rollups(year) if r.is_current}

    def rollup_sources(self, year: int | None = None) -> dict[int, RollupSource]:
        """For every stored return that came in a roll-up (of a year): where it came from."""
        sql = ("SELECT rr.*, r.unit_code, r.unit_name FROM rollup_returns rr JOIN rollups r ON r.id = rr.rollup_id"
               " JOIN submissions s ON s.id = rr.submission_id")
        args: tuple[Any, ...] = ()
        if year is not None:
            sql, args = sql + " WHERE s.year = ?", (year,)
        return {r["submission_id"]: RollupSource(
            submission_id=r["submission_id"], rollup_id=r["rollup_id"], unit_code=r["unit_code"],
            unit_name=r["unit_name"], original_file=r["original_file"], original_sha256=r["original_sha256"],
            lower_received_at=r["lower_received_at"], via=json.loads(r["via"]),
        ) for r in self.conn.execute(sql, args)}

    def submission(self, sid: int) -> Submission | None:
        """A submission by id."""
        r = self.conn.execute("SELECT * FROM submissions WHERE id = ?", (sid,)).fetchone()
        return _submission(r) if r else None

    def submissions(self, *, year: int | None = None, branch_code: str | None = None,
                    current_only: bool = False) -> list[Submission]:
        """Submissions, oldest first, filtered by year, branch and currency."""
        sql, args = "SELECT * FROM submissions WHERE 1=1", []
        if year is not None:
            sql += " AND year = ?"
            args.append(year)
        if branch_code is not None:
            sql += " AND branch_code = ?"
            args.append(branch_code)
        if current_only:
            sql += " AND is_current = 1"
        sql += " ORDER BY branch_code, submitted_at, id"
        return [_submission(r) for r in self.conn.execute(sql, args).fetchall()]

    def current(self, year: int) -> dict[str, Submission]:
        """The current submission per branch code for a year."""
        return {s.branch_code: s for s in self.submissions(year=year, current_only=True)}

    def load_return(self, sid: int) -> BranchReturn:
        """The stored return of a submission, with typed values."""
        sub = self.submission(sid)
        if sub is None:
            raise StoreError(f"数据库中没有编号为 {sid} 的报送记录。")
        ret = BranchReturn(
            branch_code=sub.branch_code, branch_name=sub.branch_name, year=sub.year,
            template_id=sub.template_id, template_version=sub.template_version,
        )
        for r in self.conn.execute("SELECT * FROM ledgers WHERE submission_id = ?", (sid,)):
            ret.ledgers[r["ledger"]] = LedgerData(
                ledger_id=r["ledger"], sheet=r["sheet"], present=bool(r["present"]),
                letters=json.loads(r["letters"]),
            )
        for r in self.conn.execute(
            "SELECT ledger, excel_row, data, invalid, raw FROM rows WHERE submission_id = ? ORDER BY rowid", (sid,)
        ):
            led = ret.ledgers.setdefault(r["ledger"], LedgerData(ledger_id=r["ledger"], sheet=r["ledger"]))
            led.rows.append(Row(
                excel_row=r["excel_row"],
                values={k: decode_value(v) for k, v in json.loads(r["data"]).items()},
                invalid=set(json.loads(r["invalid"])),
                raw=json.loads(r["raw"]),
            ))
        return ret

    def problems(self, sid: int) -> list[Problem]:
        """The problems stored with a submission."""
        rows = self.conn.execute("SELECT * FROM problems WHERE submission_id = ? ORDER BY id", (sid,))
        return [_problem(r) for r in rows]

    def file_problems(self, sha256: str) -> list[Problem]:
        """The problems stored for a file (refused files have no submission)."""
        rows = self.conn.execute("SELECT * FROM problems WHERE file_sha256 = ? ORDER BY id", (sha256,))
        return [_problem(r) for r in rows]

    def files(self) -> list[FileRecord]:
        """Every file seen, oldest first."""
        rows = self.conn.execute("SELECT * FROM files ORDER BY first_seen, rowid").fetchall()
        return [FileRecord(**{k: r[k] for k in FileRecord.__dataclass_fields__}) for r in rows]


def _insert_submission(c: sqlite3.Connection, new: NewSubmission, received: str, *,
                       rollup_id: int | None = None) -> int:
    """Insert a return (rows, problems, the file record, where a carried one came from) and
    refresh which return of its branch is current; return its id."""
    ret = new.ret
    counts = {s: sum(1 for p in new.problems if p.severity is s) for s in Severity}
    cur = c.execute(
        "INSERT INTO submissions (branch_code, branch_name, year, template_id, template_version,"
        " file_name, source_path, sha256, submitted_at, received_at, verified, origin,"
        " errors, warnings, infos) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (ret.branch_code, ret.branch_name, ret.year, ret.template_id, ret.template_version,
         new.file_name, new.source_path, new.sha256, new.submitted_at, received,
         int(new.verified), new.origin, counts[Severity.ERROR], counts[Severity.WARNING],
         counts[Severity.INFO]),
    )
    sid = int(cur.lastrowid or 0)
    for led in ret.ledgers.values():
        c.execute(
            "INSERT INTO ledgers (submission_id, ledger, sheet, present, letters) VALUES (?,?,?,?,?)",
            (sid, led.ledger_id, led.sheet, int(led.present), json.dumps(led.letters)),
        )
        c.executemany(
            "INSERT INTO rows (submission_id, ledger, excel_row, data, invalid, raw) VALUES (?,?,?,?,?,?)",
            [
                (sid, led.ledger_id, row.excel_row, _VALUES.encode(row.values),
                 _TEXT.encode(sorted(row.invalid)) if row.invalid else "[]",
                 _TEXT.encode(row.raw) if row.raw else "{}")
                for row in led.rows
            ],
        )
    _insert_problems(c, sid, new.sha256, new.problems)
    c.execute(
        "INSERT OR IGNORE INTO files (sha256, size, first_path, first_seen, outcome, message,"
        " submission_id) VALUES (?,?,?,?,?,?,?)",
        (new.sha256, new.size, new.source_path, received, "stored", "", sid),
    )
    if new.carried is not None and rollup_id is not None:
        k = new.carried
        c.execute(
            "INSERT INTO rollup_returns (submission_id, rollup_id, original_file, original_sha256,"
            " lower_received_at, via) VALUES (?,?,?,?,?,?)",
            (sid, rollup_id, k.original_file, k.original_sha256, k.lower_received_at,
             json.dumps(k.via, ensure_ascii=False)),
        )
    if new.held:
        c.execute("INSERT INTO holds (submission_id, reason) VALUES (?,?)", (sid, new.held))
    _refresh_current(c, ret.branch_code, ret.year)
    return sid


def _rollup(r: sqlite3.Row) -> Rollup:
    data = {k: r[k] for k in Rollup.__dataclass_fields__}
    data["units"] = json.loads(data["units"])
    data["is_current"] = bool(data["is_current"])
    return Rollup(**data)


# One encoder each, made once (json.dumps with options makes a new encoder on every call): typed
# values through `encode_value` (the C encoder calls it for dates and Decimals only).
def _typed(value: Any) -> Any:
    encoded = encode_value(value)
    if encoded is value:
        raise TypeError(f"cannot store a value of type {type(value).__name__}")
    return encoded


_VALUES = json.JSONEncoder(ensure_ascii=False, default=_typed)
_TEXT = json.JSONEncoder(ensure_ascii=False)


def _insert_problems(c: sqlite3.Connection, sid: int | None, sha: str, problems: list[Problem]) -> None:
    """Insert a return's problems in one statement."""
    c.executemany(
        "INSERT INTO problems (submission_id, file_sha256, rule_id, severity, sheet, row, column_header,"
        " column_letter, value, message) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(sid, sha, p.rule_id, p.severity.value, p.sheet, p.row, p.column, p.column_letter, p.value, p.message)
         for p in problems],
    )


def _insert_problem(c: sqlite3.Connection, sid: int | None, sha: str, p: Problem) -> None:
    c.execute(
        "INSERT INTO problems (submission_id, file_sha256, rule_id, severity, sheet, row, column_header,"
        " column_letter, value, message) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (sid, sha, p.rule_id, p.severity.value, p.sheet, p.row, p.column, p.column_letter, p.value, p.message),
    )


def _refresh_current(c: sqlite3.Connection, branch_code: str, year: int) -> None:
    c.execute("UPDATE submissions SET is_current = 0 WHERE branch_code = ? AND year = ?", (branch_code, year))
    c.execute(
        "UPDATE submissions SET is_current = 1 WHERE id = (SELECT id FROM submissions"
        " WHERE branch_code = ? AND year = ? AND id NOT IN (SELECT submission_id FROM holds"
        " WHERE accepted_at = '') ORDER BY submitted_at DESC, id DESC LIMIT 1)",
        (branch_code, year),
    )


def _submission(r: sqlite3.Row) -> Submission:
    data = {k: r[k] for k in Submission.__dataclass_fields__}
    data["verified"] = bool(data["verified"])
    data["is_current"] = bool(data["is_current"])
    return Submission(**data)


def _problem(r: sqlite3.Row) -> Problem:
    return Problem(
        rule_id=r["rule_id"], severity=Severity.parse(r["severity"]), message=r["message"],
        sheet=r["sheet"], row=r["row"], column=r["column_header"], column_letter=r["column_letter"],
        value=r["value"],
    )
