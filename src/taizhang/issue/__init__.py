"""Issue: write one ledger workbook per branch from the definitions, signed with the workspace key.

Layout of every workbook (the reader relies on headers, not on this, but feedback reuses it):
填表说明 first; then one sheet per ledger with a title in row 1, headers in row 2 and input rows
from row 3; a hidden `_lists` sheet for long drop-down lists; the very hidden `_meta` sheet and
custom document properties with the signed identity."""


from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from taizhang import clock
from taizhang.errors import InputError
from taizhang.problems import Problem
from taizhang.signing import Identity
from taizhang.workspace.branches import Branch

if TYPE_CHECKING:
    from taizhang.workspace import Workspace
from taizhang.issue.memberlist import MemberImport, import_member_list
from taizhang.issue.workbook import IssueRound, workbook_name, write_workbook
from taizhang.safeio import sha256_file
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
    roster_rows: int = 0  # 党员名册 rows prefilled (carried, or from --roster)
    recruits: int = 0  # 发展党员 rows prefilled (carried)
    carried_from: int | None = None  # the year of the return the workbook was prefilled from
    roster_from: str = ""  # where the 党员名册 rows came from: 上年台账 / 党员信息表 / ""
    replaced: str = ""  # with --force: what changed in the workbook it replaced

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class IssueReport:
    """The outcome of one issue run."""

    results: list[IssueResult]
    branch_problems: list[Problem]
    roster: MemberImport | None = None
    notice: str = ""
    year: int = 0
    warnings: list[Problem] = field(default_factory=list)  # about the round's settings (a stale deadline)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "year": self.year,
            "results": [r.to_dict() for r in self.results],
            "branch_problems": [p.to_dict() for p in self.branch_problems],
            "roster": self.roster.to_dict() if self.roster else None,
            "notice": self.notice,
            "warnings": [p.to_dict() for p in self.warnings],
        }



def issue_branches(
    rnd: IssueRound,
    branches: Iterable[Branch],
    outbox: Path,
    *,
    force: bool = False,
    prefill: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
    record: Callable[[IssueResult, Identity], None] | None = None,
    progress: Callable[[IssueResult], None] | None = None,
    sources: dict[str, tuple[int | None, str]] | None = None,
    keep_issued: bool = True,
) -> list[IssueResult]:
    """Write a workbook per branch into `outbox`; skip existing files unless `force`.

    `prefill` maps branch code → ledger id → rows; `sources` maps branch code → (the year the
    rows were carried from, where the 党员名册 came from) for the summary; `record` is called for
    each workbook written (the store records it); `progress` after each branch. Returns one
    result per branch.
    """
    results: list[IssueResult] = []
    for branch in branches:
        path = outbox / workbook_name(branch, rnd.year)
        rows = (prefill or {}).get(branch.code, {})
        carried_from, roster_from = (sources or {}).get(branch.code, (None, ""))
        replaced = ""
        if path.exists() and force:
            rows, replaced = _keep_issued(path, rnd, rows, keep=keep_issued)
            if replaced.startswith("党员名册保留"):
                roster_from = "已下发的台账"
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
                                     roster_rows=n_roster, recruits=len(rows.get("recruitment", [])),
                                     carried_from=carried_from, roster_from=roster_from if n_roster else "",
                                     replaced=replaced, message=replaced)
                if record:
                    record(result, identity)
        results.append(result)
        if progress:
            progress(result)
    return results


PREFILLED = ("roster", "recruitment", "dues")


def _keep_issued(path: Path, rnd: IssueRound, rows: dict[str, list[dict[str, Any]]], *, keep: bool = True
                 ) -> tuple[dict[str, list[dict[str, Any]]], str]:
    """The rows for a workbook that replaces the issued one at `path`, and what changes, in
    Chinese. With `keep` a prefilled sheet that would be empty now keeps the issued workbook's
    rows: an issued roster is never replaced by an empty one unless blank workbooks are asked
    for (--no-carry)."""
    issued = issued_rows(path, rnd)
    kept = dict(rows)
    said = []
    for ledger_id in PREFILLED:
        try:
            sheet = rnd.definition.ledger(ledger_id).sheet
        except KeyError:
            continue
        old, new = issued.get(ledger_id, []), rows.get(ledger_id, [])
        if old and not new and keep:
            kept[ledger_id] = old
            said.append(f"{sheet}保留原有{len(old)}行")
        elif old and not new:
            said.append(f"{sheet}清空（原有{len(old)}行）")
        elif ledger_id == "roster" and new:
            before = [str(r.get("name", "")) for r in old]
            after = [str(r.get("name", "")) for r in new]
            added = [n for n in after if n not in before]
            gone = [n for n in before if n not in after]
            diff = "".join([f"，新增{_names(added)}" if added else "", f"，去掉{_names(gone)}" if gone else ""])
            said.append(f"{sheet}原{len(old)}人，现{len(new)}人{diff or '，姓名未变'}")
    return kept, "重新生成：" + ("；".join(said) if said else "原台账没有预填内容")


def _names(names: list[str], limit: int = 5) -> str:
    return "、".join(names[:limit]) + (f"等{len(names)}人" if len(names) > limit else "")


def issued_rows(path: Path, rnd: IssueRound) -> dict[str, list[dict[str, Any]]]:
    """The rows of the prefilled sheets of an issued workbook (what the branch would start from),
    {} when it cannot be read."""
    from taizhang import reading
    from taizhang.issue.carry import SERIAL
    from taizhang.reading.extract import extract_ledger, find_sheet

    out: dict[str, list[dict[str, Any]]] = {}
    try:
        with reading.open_workbook(path) as reader:
            for ledger_id in PREFILLED:
                try:
                    ledger = rnd.definition.ledger(ledger_id)
                except KeyError:
                    continue
                name = find_sheet(list(reader.sheet_names), ledger.sheet)
                if name is None:
                    continue
                data, _ = extract_ledger(ledger, reader.rows(name), name)
                rows = []
                for row in data.rows:
                    values = {k: val for k, val in row.values.items() if val not in (None, "") and k not in row.invalid}
                    values.update({k: row.raw[k] for k in row.invalid if row.raw.get(k)})
                    if values.get("name"):
                        rows.append(values)
                out[ledger_id] = [{**{k: val for k, val in r.items() if k != SERIAL}, SERIAL: i}
                                  for i, r in enumerate(rows, start=1)]
    except reading.UnreadableFile:
        return {}
    return out


@writes("taizhang issue")
def issue_workspace(
    ws: Workspace,
    *,
    codes: list[str] | None = None,
    roster_file: Path | None = None,
    force: bool = False,
    progress: Callable[[IssueResult], None] | None = None,
    carry: bool = True,
    on: date | None = None,
) -> IssueReport:
    """Issue workbooks to the workspace's branches (all, or `codes`), recording each in the store.

    With `carry` (the default) each workbook starts from the branch's latest return of an earlier
    year (`issue.carry`: 党员名册, 发展党员, 党费收缴 prefilled as of `on`, default today);
    `roster_file` (a member list with 所在支部) replaces the 党员名册 of the branches it lists."""
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
    from taizhang.issue import carry as carry_mod
    from taizhang.workspace.rounds import record_current

    prefill: dict[str, dict[str, list[dict[str, Any]]]] = {}
    sources: dict[str, tuple[int | None, str]] = {}
    carried: dict[str, carry_mod.Carried] = {}
    if carry:
        with Store.read(ws.store_path) as store:
            carried = carry_mod.from_store(store, {b.code for b in chosen}, settings.year, on or clock.today())
        for code, c in carried.items():
            prefill[code] = dict(c.rows)
            sources[code] = (c.year, "上年台账" if c.year == settings.year - 1 else f"{c.year}年台账")
    roster_report: MemberImport | None = None
    if roster_file is not None:
        roster_report = member_preview(ws, roster_file, usable)
        chosen_codes = {b.code for b in chosen}
        placed = {code: rows for code, rows in roster_report.rows.items() if code in chosen_codes}
        if not placed:
            raise InputError(nothing_placed(roster_report, Path(roster_file).name))
        for code, rows in placed.items():
            numbered = [{**r, "seq": i} for i, r in enumerate(rows, start=1)]
            last = carried[code].last_dues if code in carried else []
            prefill.setdefault(code, {}).update(roster=numbered, dues=carry_mod.dues_rows(numbered, last))
            sources[code] = (sources.get(code, (None, ""))[0], "党员信息表")
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

        results = issue_branches(rnd, chosen, outbox, force=force, prefill=prefill, record=record, keep_issued=carry,
                                 progress=progress, sources=sources)
    record_current(ws)
    notice = None
    if any(r.status == ISSUED for r in results):
        notice = write_round_notice(ws, rnd, usable)
    from taizhang.workspace.config import round_warnings

    return IssueReport(results=results, branch_problems=list_problems, roster=roster_report,
                       notice=str(notice) if notice else "", year=settings.year, warnings=round_warnings(settings))


def member_preview(ws: Workspace, path: Path, branches: list[Branch] | None = None) -> MemberImport:
    """What the member list at `path` gives each branch's 党员名册 (the branches to which workbooks
    are issued, or `branches`), read with the workspace's roster definition, organisation name
    and 党员信息表列名.toml. Writes nothing."""
    if branches is None:
        from taizhang.levels import links
        from taizhang.workspace import branches as branches_mod

        branch_list, _ = branches_mod.load(ws)
        branches = branches_mod.issuable(branch_list, links.linked_codes(ws))
    return import_member_list(path, ws.definitions.ledger("roster"), branches, org=ws.settings.org_name,
                              workspace_root=ws.root)


def nothing_placed(report: MemberImport, file_name: str) -> str:
    """Why a member list gave no branch any member, in Chinese."""
    said = [f"党员信息表 {file_name} 中读到{report.members_read}名党员，没有一名能分到要下发的支部，未生成任何台账。"]
    if report.unplaced:
        shown = "、".join(f"“{u.value}”（{len(u.rows)}人）" for u in report.unplaced[:5])
        said.append(f"对不上支部名单的所在支部：{shown}{'等' if len(report.unplaced) > 5 else ''}。")
    if report.blank_branch:
        said.append(f"{len(report.blank_branch)}行的所在支部为空。")
    said.append(f"请用 taizhang members import {file_name} 查看详情，在支部名单的“全称”列填写登记全称后重试。")
    return "".join(said)


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
