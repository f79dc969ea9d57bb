"""Issue: write one ledger workbook per branch from the definitions, signed with the workspace key.

Layout of every workbook (the reader relies on headers, not on this, but feedback reuses it):
填表说明 first; then one sheet per ledger with a title in row 1, headers in row 2 and input rows
from row 3; a hidden `_lists` sheet for long drop-down lists; the very hidden `_meta` sheet and
custom document properties with the signed identity."""


from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from taizhang import clock
from taizhang.errors import InputError
from taizhang.problems import Problem
from taizhang.signing import Identity
from taizhang.workspace.branches import Branch

if TYPE_CHECKING:
    from taizhang.workspace import Workspace
from taizhang.issue.members import RosterImport, read_member_list
from taizhang.issue.workbook import IssueRound, workbook_name, write_workbook
from taizhang.vocabulary import EXISTS, FAILED, ISSUED
from taizhang.workspace import Workspace, writes


@dataclass
class IssueResult:
    """The outcome for one branch."""

    code: str
    name: str
    status: str  # 已下发 / 已存在 / 失败
    path: str = ""
    sha256: str = ""
    message: str = ""
    roster_rows: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class IssueReport:
    """The outcome of one issue run."""

    results: list[IssueResult]
    branch_problems: list[Problem]
    roster: RosterImport | None = None
    notice: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "results": [r.to_dict() for r in self.results],
            "branch_problems": [p.to_dict() for p in self.branch_problems],
            "roster": self.roster.to_dict() if self.roster else None,
            "notice": self.notice,
        }


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def issue_branches(
    rnd: IssueRound,
    branches: Iterable[Branch],
    outbox: Path,
    *,
    force: bool = False,
    prefill: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
    record: Callable[[IssueResult, Identity], None] | None = None,
    progress: Callable[[IssueResult], None] | None = None,
) -> list[IssueResult]:
    """Write a workbook per branch into `outbox`; skip existing files unless `force`.

    `prefill` maps branch code → ledger id → rows; `record` is called for each workbook written
    (the store records it); `progress` after each branch. Returns one result per branch.
    """
    results: list[IssueResult] = []
    for branch in branches:
        path = outbox / workbook_name(branch, rnd.year)
        rows = (prefill or {}).get(branch.code, {})
        n_roster = len(rows.get("roster", []))
        if path.exists() and not force:
            result = IssueResult(branch.code, branch.name, EXISTS, str(path),
                                 message="已下发过，未覆盖（如需重新生成请加 --force）")
        else:
            issued_at = clock.stamp()
            try:
                identity = write_workbook(path, rnd, branch, issued_at=issued_at, prefill=rows)
            except OSError as exc:
                result = IssueResult(branch.code, branch.name, FAILED, str(path), message=f"无法写入：{exc}")
            else:
                result = IssueResult(branch.code, branch.name, ISSUED, str(path), sha256_file(path),
                                     roster_rows=n_roster)
                if record:
                    record(result, identity)
        results.append(result)
        if progress:
            progress(result)
    return results



@writes("taizhang issue")
def issue_workspace(
    ws: Workspace,
    *,
    codes: list[str] | None = None,
    roster_file: Path | None = None,
    force: bool = False,
    progress: Callable[[IssueResult], None] | None = None,
) -> IssueReport:
    """Issue workbooks to the workspace's branches (all, or `codes`), recording each in the store."""
    from taizhang.workspace import branches as branches_mod
    from taizhang.workspace.store import Issued, Store

    settings = ws.settings
    from taizhang.levels import links

    branch_list, list_problems = branches_mod.load(ws)
    usable = branches_mod.issuable(branch_list, links.linked_codes(ws))
    if not branch_list:
        raise InputError(f"支部名单 {ws.branches_path.name} 中还没有支部。请先填写支部编码和支部名称。")
    if codes:
        known = {b.code: b for b in usable}
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise branches_mod.not_listed(unknown, [(b.code, b.name) for b in usable])
        chosen = [known[c] for c in codes]
    else:
        chosen = usable
    prefill: dict[str, dict[str, list[dict[str, Any]]]] = {}
    roster_report: RosterImport | None = None
    if roster_file is not None:
        roster_report = read_member_list(roster_file, ws.definitions.ledger("roster"), chosen)
        prefill = {code: {"roster": rows} for code, rows in roster_report.rows.items()}
    rnd = IssueRound(
        definition=ws.definitions, org=settings.org_name, year=settings.year, deadline=settings.deadline,
        contact=settings.contact, phone=settings.phone, key=ws.key,
    )
    outbox = ws.folder("outbox")
    with Store.open(ws.store_path) as store:
        def record(result: IssueResult, identity: Identity) -> None:
            store.record_issue(Issued(
                branch_code=identity.branch_code, branch_name=identity.branch_name, year=identity.year,
                template_id=identity.template_id, template_version=identity.template_version,
                path=result.path, sha256=result.sha256, issued_at=identity.issued_at,
            ))

        results = issue_branches(rnd, chosen, outbox, force=force, prefill=prefill, record=record,
                                 progress=progress)
    notice = None
    if any(r.status == ISSUED for r in results):
        notice = write_round_notice(ws, rnd, usable)
    return IssueReport(results=results, branch_problems=list_problems, roster=roster_report,
                       notice=str(notice) if notice else "")


def notice_name(year: int) -> str:
    """The file name of a round's notice."""
    return f"关于报送{year}年党建工作台账的通知.docx"


def write_round_notice(ws: Workspace, rnd: IssueRound, branches: list[Branch]) -> Path:
    """Write the round's notice (公文 format) into outbox/ beside the workbooks; return its path."""
    from taizhang.issue.notice import write_notice

    path = ws.folder("outbox") / notice_name(rnd.year)
    return write_notice(
        path, org=rnd.org, year=rnd.year, deadline=rnd.deadline, contact=rnd.contact, phone=rnd.phone,
        branches=[(b.code, b.name) for b in branches],
        sheets=[led.sheet for led in rnd.definition.ledgers], issued_on=clock.today(),
        descriptions={led.sheet: led.description for led in rnd.definition.ledgers},
    )
