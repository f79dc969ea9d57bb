"""Status of a collection round: per branch, issued / returned (on time or late) / problems / missing,
and the reminder list (催报名单.xlsx)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from taizhang import clock
from taizhang.problems import Problem, Severity
from taizhang.safeio import atomic_path, new_xlsx
from taizhang.vocabulary import LATE, MISSING, NEEDS_FIX, RETURNED
from taizhang.workspace import Workspace, writes
from taizhang.workspace import branches as branches_mod
from taizhang.workspace.store import Store, Submission


@dataclass
class BranchStatus:
    """Where one branch stands in the round."""

    code: str
    name: str
    secretary: str
    contact: str
    phone: str
    issued_at: str = ""
    returned_at: str = ""  # when the branch sent its current return
    state: str = MISSING  # 未报送 / 已报送 / 逾期报送 / 需修改
    on_time: bool | None = None
    errors: int = 0
    warnings: int = 0
    verified: bool | None = None
    submissions: int = 0
    submission_id: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    parent: str = ""  # the 党总支 (党委) it is under ("" = directly under this workspace)
    group: str = ""  # the names of the nodes above it, "／"-joined
    via: str = ""  # the lower unit whose roll-up listed it ("" = on this workspace's own list)
    source: str = ""  # how the current return came: 直接报送 / 经“…”汇总
    conflict: str = ""  # a return came by two ways: which one counts and why

    @property
    def missing(self) -> str:
        """What the branch still owes, in words (for the reminder list)."""
        if self.state == MISSING:
            return "尚未报送台账"
        if self.state == "未报送汇总":
            return "尚未报送下级汇总，请在其工作区运行 taizhang rollup 后报送生成的汇总文件"
        if self.state == NEEDS_FIX:
            return f"报送的台账有{self.errors}处错误，请按反馈表修改后重新报送"
        return ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class UnitStatus:
    """A lower unit that rolls up to this workspace: its latest roll-up, or none yet."""

    code: str
    name: str
    received_at: str = ""  # when its current roll-up was collected
    created_at: str = ""  # when the lower level made it
    file: str = ""
    branches: int = 0  # 党支部 it listed
    fingerprint: str = ""
    rollups: int = 0  # roll-ups collected from it this year

    @property
    def missing(self) -> bool:
        """Whether no roll-up has come from it yet."""
        return not self.received_at

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {**self.__dict__, "missing": self.missing}


@dataclass
class RoundStatus:
    """Every branch's status, and the round's figures."""

    year: int
    deadline: str
    branches: list[BranchStatus]
    unknown: list[Submission] = field(default_factory=list)  # returns of codes no longer listed
    units: list[UnitStatus] = field(default_factory=list)  # lower units that roll up to us
    reminders: str = ""  # the reminder list written for this status (status --remind), if any
    current: bool = True  # the workspace's own year (False: an earlier or later year looked back at)
    warnings: list[Problem] = field(default_factory=list)  # about the round's settings (a stale deadline)

    def count(self, state: str) -> int:
        """How many branches are in `state`."""
        return sum(1 for b in self.branches if b.state == state)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "year": self.year, "deadline": self.deadline, "current": self.current,
            "counts": {s: self.count(s) for s in (RETURNED, LATE, NEEDS_FIX, MISSING)},
            "branches": [b.to_dict() for b in self.branches],
            "units": [u.to_dict() for u in self.units],
            "reminders": self.reminders,
            "warnings": [p.to_dict() for p in self.warnings],
        }


def round_status(ws: Workspace, year: int | None = None) -> RoundStatus:
    """The status of every 党支部 of the workspace's tree for `year` (default: the workspace's
    year; those listed in lower units' roll-ups included), and of every lower unit that rolls up
    to it. An earlier year's returns are judged 按时/逾期 by the deadline that year's round had
    (`workspace.rounds.deadline_for`), however late they were collected."""
    from taizhang.levels import hierarchy
    from taizhang.levels.receive import find_conflict, origin_text, unit_names
    from taizhang.workspace.config import round_warnings
    from taizhang.workspace.rounds import deadline_for

    settings = ws.settings
    year = settings.year if year is None else year
    deadline = deadline_for(ws, year)
    tree = hierarchy.load(ws, year=year)
    with Store.read(ws.store_path) as store:
        issued = store.last_issued(year)
        subs = store.submissions(year=year)
        rollups = store.rollups(year)
        names = unit_names(store, year)
    names.update({u.code: u.name for u in tree.units.values() if not u.is_branch})
    by_branch: dict[str, list[Submission]] = {}
    for s in subs:
        by_branch.setdefault(s.branch_code, []).append(s)
    result = []
    for b in tree.branches():
        st = BranchStatus(b.code, b.name, b.secretary, b.contact, b.phone, parent=b.parent,
                          group="／".join(u.name for u in tree.group_path(b.code)), via=b.source)
        if b.code in issued:
            st.issued_at = issued[b.code].issued_at
        history = by_branch.get(b.code, [])
        st.submissions = len(history)
        st.history = [
            {"id": s.id, "file": s.file_name, "submitted_at": s.submitted_at, "received_at": s.received_at,
             "errors": s.errors, "warnings": s.warnings, "current": s.is_current,
             "origin": s.origin, "source": origin_text(s.origin, names, short=True)}
            for s in history
        ]
        current = next((s for s in history if s.is_current), None)
        if current is not None:
            st.submission_id = current.id
            st.returned_at = current.submitted_at
            st.errors, st.warnings, st.verified = current.errors, current.warnings, current.verified
            st.source = origin_text(current.origin, names, short=True)
            first = min(history, key=lambda s: s.submitted_at)
            st.on_time = deadline is None or _day(first.submitted_at) <= deadline
            if current.errors:
                st.state = NEEDS_FIX
            else:
                st.state = RETURNED if st.on_time else LATE
            conflict = find_conflict(history)
            if conflict is not None:
                st.conflict = (f"另有{origin_text(conflict.other.origin, names)}（{conflict.other.submitted_at[:16].replace('T', ' ')}），"
                               f"采用报送时间较新的{origin_text(current.origin, names)}")
        result.append(st)
    listed = {b.code for b in tree.branches()}
    unknown = [s for s in subs if s.is_current and s.branch_code not in listed]
    units = []
    for u in tree.units.values():
        if not u.linked:
            continue
        mine = [r for r in rollups if r.unit_code == u.code]
        current_rollup = next((r for r in mine if r.is_current), None)
        us = UnitStatus(u.code, u.name, rollups=len(mine))
        if current_rollup is not None:
            us.received_at, us.created_at = current_rollup.received_at, current_rollup.created_at
            us.file, us.fingerprint = current_rollup.file_name, current_rollup.fingerprint
            us.branches = sum(1 for x in current_rollup.units if (x.get("kind") or "党支部") == branches_mod.BRANCH)
        units.append(us)
    current = year == settings.year
    return RoundStatus(year, deadline.isoformat() if deadline else "", result, unknown, units, current=current,
                       warnings=round_warnings(settings) if current else [])



def _day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).date()


@writes("taizhang status --remind")
def write_reminders(ws: Workspace, status: RoundStatus) -> Path:
    """Write output/催报名单.xlsx: the branches still missing or needing fixes; return its path
    (also kept in `status.reminders`)."""
    path = ws.folder("output") / "催报名单.xlsx"
    todo = [b for b in status.branches if b.state in (MISSING, NEEDS_FIX)]
    # A lower unit that has not rolled up yet: its branches are not known here, so it is chased itself.
    todo += [BranchStatus(u.code, u.name, "", "", "", state="未报送汇总") for u in status.units if u.missing]
    headers = ["支部编码", "支部名称", "支部书记", "联系人", "联系电话", "状态", "需要做什么"]
    widths = [10, 28, 10, 10, 16, 10, 50]
    with atomic_path(path) as tmp:
        wb = new_xlsx(tmp)
        sh = wb.add_worksheet("催报名单")
        title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
        head = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "align": "center"})
        cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
        sh.merge_range(0, 0, 0, len(headers) - 1, f"{status.year}年党建工作台账催报名单", title)
        dl = f"（报送截止日期：{status.deadline}；制表日期：{clock.today().isoformat()}）" if status.deadline else ""
        sh.merge_range(1, 0, 1, len(headers) - 1, dl, wb.add_format({"align": "center"}))
        for c, (h, w) in enumerate(zip(headers, widths)):
            sh.set_column(c, c, w)
            sh.write_string(2, c, h, head)
        for r, b in enumerate(todo, start=3):
            for c, v in enumerate([b.code, b.name, b.secretary, b.contact, b.phone, b.state, b.missing]):
                sh.write_string(r, c, str(v or ""), cell)
        if not todo:
            sh.merge_range(3, 0, 3, len(headers) - 1, "所有支部均已按要求报送。", cell)
        sh.freeze_panes(3, 0)
        sh.set_landscape()
        sh.set_paper(9)
        sh.repeat_rows(2)
        sh.fit_to_pages(1, 0)
        wb.close()
    status.reminders = str(path)
    return path


def current_problems(ws: Workspace, code: str | None = None,
                     year: int | None = None) -> list[tuple[Submission, list[Problem]]]:
    """The problems of every current return of `year` (default: the workspace's year), or of one
    branch's, with the submission they belong to."""
    year = ws.settings.year if year is None else year
    with Store.read(ws.store_path) as store:
        subs = store.submissions(year=year, branch_code=code, current_only=True)
        return [(s, store.problems(s.id)) for s in subs]


@dataclass
class ReturnProblems:
    """One branch's current return and its problems, the most serious first."""

    submission: Submission
    problems: list[Problem]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        s = self.submission
        return {"branch_code": s.branch_code, "branch_name": s.branch_name, "file": s.file_name,
                "submitted_at": s.submitted_at, "problems": [p.to_dict() for p in self.problems]}


@dataclass
class ProblemList:
    """The problems of the round's current returns (one branch's, one severity's when asked)."""

    year: int
    branch: str  # "" = every branch
    severity: str  # "" = every severity
    returns: list[ReturnProblems]

    @property
    def total(self) -> int:
        """How many problems are listed."""
        return sum(len(r.problems) for r in self.returns)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        counts = {sev.value: sum(1 for r in self.returns for p in r.problems if p.severity == sev)
                  for sev in Severity}
        return {"year": self.year, "branch": self.branch, "severity": self.severity, "counts": counts,
                "returns": [r.to_dict() for r in self.returns]}


def problem_list(ws: Workspace, code: str | None = None, severity: Severity | None = None,
                 year: int | None = None) -> ProblemList:
    """The problems of the current returns of `year` (default: the workspace's year), 错误 first,
    then 警告, then 提示; only branch `code`'s (InputError naming the branches there are when it
    is not one) and only of `severity` when given."""
    from taizhang.levels import hierarchy

    year = ws.settings.year if year is None else year
    if code:
        code = hierarchy.load(ws, year=year).branch(code).code
    returns = []
    for sub, problems in current_problems(ws, code, year):
        chosen = [p for p in problems if severity is None or p.severity == severity]
        returns.append(ReturnProblems(sub, sorted(chosen, key=lambda p: p.severity.rank)))
    return ProblemList(year, code or "", severity.value if severity else "", returns)


def statuses(ws: Workspace, years: Iterable[int]) -> dict[int, Any]:
    """Year → where each branch's return of that year stands (`round_status`, judged by that
    year's deadline). What the statistics are handed."""
    return {year: round_status(ws, year) for year in years}
