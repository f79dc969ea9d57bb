"""`taizhang check`: is the workspace's own state sound? The settings, the signing key, the
store (SQLite's integrity check, the schema, one current return per branch and year) and the
archive against the store (every stored return's received file is in archive/ with the SHA-256
the store recorded). Read-only: nothing is written, so a backup copy can be checked too."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taizhang.errors import TaizhangError
from taizhang.safeio import sha256_file
from taizhang.workspace import Workspace
from taizhang.workspace.store import CHECK_HINT, RESTORE_ADVICE, SCHEMA, SCHEMA_VERSION, Store

ERROR, WARNING, INFO = "错误", "警告", "提示"
# At most this many findings of one kind are listed one by one; the rest are counted.
MAX_LISTED = 50


@dataclass
class Finding:
    """One thing found wrong (or worth knowing), with what to do about it."""

    severity: str  # 错误 / 警告 / 提示
    part: str  # 设置 / 密钥 / 数据库 / 原件
    message: str
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class CheckReport:
    """What `check` looked at and found."""

    workspace: str
    store: str
    findings: list[Finding] = field(default_factory=list)
    submissions: int = 0
    rollups: int = 0
    archived_checked: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def ok(self) -> bool:
        """No errors (warnings and notes may remain)."""
        return self.errors == 0

    @property
    def restore(self) -> str:
        """How to restore the store, said whenever something is wrong with it or the archive."""
        return RESTORE_ADVICE if any(f.severity == ERROR and f.part == "数据库" for f in self.findings) else ""

    def add(self, severity: str, part: str, message: str, path: Path | str = "") -> None:
        self.findings.append(Finding(severity, part, message, str(path)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"workspace": self.workspace, "store": self.store, "ok": self.ok, "errors": self.errors,
                "warnings": self.warnings, "submissions": self.submissions, "rollups": self.rollups,
                "archived_checked": self.archived_checked, "restore": self.restore,
                "findings": [f.to_dict() for f in self.findings]}


def check(ws: Workspace) -> CheckReport:
    """Check the workspace's settings, key, store and archive; never writes anything."""
    report = CheckReport(workspace=str(ws.root), store=str(ws.store_path))
    _check_settings(ws, report)
    _check_key(ws, report)
    _check_branches(ws, report)
    try:
        store = Store.read(ws.store_path)
    except TaizhangError as exc:
        report.add(ERROR, "数据库", _said_once(exc), ws.store_path)
        return report
    with store:
        if _check_integrity(store, report) and _check_schema(store, report):
            _check_current(store, report)
            _check_archive(ws, store, report)
    return report


def _check_settings(ws: Workspace, report: CheckReport) -> None:
    if not ws.config_path.is_file():
        report.add(ERROR, "设置", f"找不到设置文件 {ws.config_path}。请从备份恢复；没有备份时运行 "
                   "taizhang init 文件夹 --org 单位名称 --year 年度，只会重新生成设置文件，"
                   "不改动工作区中的其他内容。", ws.config_path)
        return
    try:
        ws.settings  # noqa: B018 - read and checked
    except TaizhangError as exc:
        report.add(ERROR, "设置", str(exc), ws.config_path)


def _check_branches(ws: Workspace, report: CheckReport) -> None:
    """The 支部名单 can be read (what is on it is `taizhang branches`'s to check)."""
    from taizhang.workspace import branches as branches_mod

    try:
        branches_mod.read(ws.branches_path)
    except TaizhangError as exc:
        report.add(ERROR, "支部名单", f"{exc}也可从备份中恢复该文件。", ws.branches_path)


def _check_key(ws: Workspace, report: CheckReport) -> None:
    try:
        key = ws.key
    except TaizhangError as exc:
        report.add(ERROR, "密钥", str(exc), ws.key_path)
        return
    if len(key) < 16:
        report.add(ERROR, "密钥", f"密钥文件 {ws.key_path} 的内容太短，已损坏。请从备份中恢复该文件。", ws.key_path)


def _check_integrity(store: Store, report: CheckReport) -> bool:
    """SQLite's own check of every page and index; False when the store cannot be trusted."""
    try:
        rows = [r[0] for r in store.conn.execute("PRAGMA integrity_check(100)").fetchall()]
    except TaizhangError as exc:
        report.add(ERROR, "数据库", "SQLite 的完整性检查无法完成：" + _said_once(exc), store.path)
        return False
    if rows == ["ok"]:
        return True
    shown = "；".join(str(r) for r in rows[:5]) + ("……" if len(rows) > 5 else "")
    report.add(ERROR, "数据库", f"数据库 {store.path} 已损坏，SQLite 的完整性检查发现{len(rows)}处问题"
               f"（{shown}）。在恢复之前不要再运行 collect 等写入数据库的命令。", store.path)
    return False


def _said_once(exc: Exception) -> str:
    """A store error's message without the advice `check` gives once at the end."""
    return str(exc).replace(CHECK_HINT, "").replace(RESTORE_ADVICE, "").strip()


def _expected_schema() -> dict[str, list[str]]:
    """The tables of the current schema with their columns (from the schema itself)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(SCHEMA)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in tables}
    finally:
        conn.close()


def _check_schema(store: Store, report: CheckReport) -> bool:
    """Every table and column of the schema present; False when the store is not usable."""
    ok = True
    for table, columns in _expected_schema().items():
        have = [r["name"] for r in store.conn.execute(f"PRAGMA table_info({table})").fetchall()]
        if not have:
            report.add(ERROR, "数据库", f"数据库中缺少数据表 {table}，它不是完整的 taizhang 数据库。", store.path)
            ok = False
            continue
        missing = [c for c in columns if c not in have]
        if missing:
            report.add(ERROR, "数据库", f"数据表 {table} 缺少列 {'、'.join(missing)}，数据库已被改动或损坏。", store.path)
            ok = False
    if ok:
        row = store.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = row["value"] if row else ""
        if version != str(SCHEMA_VERSION):
            report.add(WARNING, "数据库", f"数据库记录的结构版本是“{version or '无'}”，本程序的是“{SCHEMA_VERSION}”。"
                       "如是用其他版本的 taizhang 建立的，请用相同版本的程序查看。", store.path)
    return ok


def _check_current(store: Store, report: CheckReport) -> None:
    """Exactly one current return per branch and year, one current roll-up per unit and year."""
    subs = store.submissions()
    report.submissions = len(subs)
    counts: dict[tuple[str, int], int] = {}
    for s in subs:
        counts[(s.branch_code, s.year)] = counts.get((s.branch_code, s.year), 0) + int(s.is_current)
    for (code, year), n in sorted(counts.items()):
        if n != 1:
            report.add(ERROR, "数据库", f"支部 {code} 的{year}年台账有{n}份被标为当前有效（应为1份），"
                       "数据库记录不一致。", store.path)
    rollups = store.rollups()
    report.rollups = len(rollups)
    ucounts: dict[tuple[str, int], int] = {}
    for r in rollups:
        ucounts[(r.unit_code, r.year)] = ucounts.get((r.unit_code, r.year), 0) + int(r.is_current)
    for (code, year), n in sorted(ucounts.items()):
        if n != 1:
            report.add(ERROR, "数据库", f"下级单位 {code} 的{year}年汇总有{n}份被标为当前有效（应为1份），"
                       "数据库记录不一致。", store.path)



def _check_archive(ws: Workspace, store: Store, report: CheckReport) -> None:
    """Every received file the store holds a return or roll-up of is in archive/, unchanged."""
    expected: dict[str, str] = {}  # sha256 -> the file as received (its name when it came)
    for r in store.conn.execute("SELECT sha256, source_path FROM submissions UNION ALL"
                                " SELECT sha256, source_path FROM rollups ORDER BY 1"):
        expected.setdefault(r["sha256"], r["source_path"])
    archive = ws.root / "archive"
    present: dict[str, Path] = {}
    if archive.is_dir():
        for path in archive.iterdir():
            if path.is_file() and not path.name.startswith("."):
                present.setdefault(path.name.split(".", 1)[0].lower(), path)
    missing, changed = [], []
    for sha, source in expected.items():
        path = present.get(sha)
        if path is None:
            missing.append((sha, source))
            continue
        try:
            actual = sha256_file(path)
        except OSError as exc:
            report.add(ERROR, "原件", f"无法读取原件 {path}：{exc.strerror or exc}。", path)
            continue
        report.archived_checked += 1
        if actual != sha:
            changed.append((path, source))
    for sha, source in missing[:MAX_LISTED]:
        report.add(ERROR, "原件", f"收到的文件“{source}”的原件不在 archive/ 中（应为 {sha[:12]}…）。"
                   "请从备份中找回 archive/ 里的这个文件；数据库中的记录仍可使用，但无法再核对原件。",
                   archive / sha)
    if len(missing) > MAX_LISTED:
        report.add(ERROR, "原件", f"另有{len(missing) - MAX_LISTED}个原件不在 archive/ 中。", archive)
    for path, source in changed[:MAX_LISTED]:
        report.add(ERROR, "原件", f"原件 {path.name}（收到时为“{source}”）的内容已被改动，"
                   "与数据库记录的 SHA-256 不符。请从备份中恢复这个文件；不要把改动后的文件当作支部报送的原件。", path)
    if len(changed) > MAX_LISTED:
        report.add(ERROR, "原件", f"另有{len(changed) - MAX_LISTED}个原件的内容已被改动。", archive)
    unknown = sorted(p.name for sha, p in present.items() if sha not in expected and _is_sha(sha))
    if unknown:
        known_files = {r[0] for r in store.conn.execute("SELECT sha256 FROM files")}
        orphans = [n for n in unknown if n.split(".", 1)[0] not in known_files]
        if orphans:
            report.add(INFO, "原件", f"archive/ 中有{len(orphans)}个文件在数据库中没有对应的报送记录"
                       f"（如 {orphans[0]}），可能是从备份恢复的数据库比 archive/ 旧。"
                       "需要时可把它们复制到 inbox/ 重新收集。", archive)


def _is_sha(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
