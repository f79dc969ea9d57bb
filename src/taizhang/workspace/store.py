"""The store: SQLite in the workspace. Every issue, every file seen, every submission with its
typed rows and problems; nothing is overwritten. A new return from a branch supersedes the
previous one, and both stay.

Each return is written in one transaction, so a collect killed at any moment leaves the store
consistent and a re-run completes the batch.
"""

from __future__ import annotations

import json
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


class Store:
    """Access to the workspace's SQLite store."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @classmethod
    def create(cls, path: Path) -> Store:
        """Create the store with its schema (idempotent); return it open."""
        path.parent.mkdir(parents=True, exist_ok=True)
        store = cls._connect(path)
        with store.conn:
            store.conn.executescript(SCHEMA)
            store.conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        return store

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open an existing store (creating missing tables of the current schema)."""
        if not path.exists():
            raise StoreError(f"找不到工作区的数据库 {path}。如是误删，请从备份恢复；新工作区请用 taizhang init。")
        return cls.create(path)

    @classmethod
    def _connect(cls, path: Path) -> Store:
        try:
            conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise StoreError(f"无法打开数据库 {path}：{exc}") from None
        conn.row_factory = sqlite3.Row
        conn.isolation_level = "DEFERRED"
        return cls(conn, path)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic transaction (IMMEDIATE, so writers queue rather than fail)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
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
        " WHERE branch_code = ? AND year = ? ORDER BY submitted_at DESC, id DESC LIMIT 1)",
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
