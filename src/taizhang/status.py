"""Status of a collection round: per branch, issued / returned (on time or late) / problems / missing,
and the reminder list (催报名单.xlsx)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import branches as branches_mod
from .problems import Problem
from .safeio import atomic_path, new_xlsx
from .store import Store, Submission

RETURNED = "已报送"
LATE = "逾期报送"
MISSING = "未报送"
NEEDS_FIX = "需修改"


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

    @property
    def missing(self) -> str:
        """What the branch still owes, in words (for the reminder list)."""
        if self.state == MISSING:
            return "尚未报送台账"
        if self.state == NEEDS_FIX:
            return f"报送的台账有{self.errors}处错误，请按反馈表修改后重新报送"
        return ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class RoundStatus:
    """Every branch's status, and the round's figures."""

    year: int
    deadline: str
    branches: list[BranchStatus]
    unknown: list[Submission] = field(default_factory=list)  # returns of codes no longer listed

    def count(self, state: str) -> int:
        """How many branches are in `state`."""
        return sum(1 for b in self.branches if b.state == state)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "year": self.year, "deadline": self.deadline,
            "counts": {s: self.count(s) for s in (RETURNED, LATE, NEEDS_FIX, MISSING)},
            "branches": [b.to_dict() for b in self.branches],
        }


def round_status(ws: Any) -> RoundStatus:
    """The status of every branch on the list for the workspace's year."""
    settings = ws.settings
    year = settings.year
    deadline = settings.deadline
    items, _ = branches_mod.read(ws.branches_path)
    with Store.open(ws.store_path) as store:
        issued = store.last_issued(year)
        subs = store.submissions(year=year)
    by_branch: dict[str, list[Submission]] = {}
    for s in subs:
        by_branch.setdefault(s.branch_code, []).append(s)
    result = []
    for b in items:
        st = BranchStatus(b.code, b.name, b.secretary, b.contact, b.phone)
        if b.code in issued:
            st.issued_at = issued[b.code].issued_at
        history = by_branch.get(b.code, [])
        st.submissions = len(history)
        st.history = [
            {"id": s.id, "file": s.file_name, "submitted_at": s.submitted_at, "received_at": s.received_at,
             "errors": s.errors, "warnings": s.warnings, "current": s.is_current}
            for s in history
        ]
        current = next((s for s in history if s.is_current), None)
        if current is not None:
            st.submission_id = current.id
            st.returned_at = current.submitted_at
            st.errors, st.warnings, st.verified = current.errors, current.warnings, current.verified
            first = min(history, key=lambda s: s.submitted_at)
            st.on_time = deadline is None or _day(first.submitted_at) <= deadline
            if current.errors:
                st.state = NEEDS_FIX
            else:
                st.state = RETURNED if st.on_time else LATE
        result.append(st)
    listed = {b.code for b in items}
    unknown = [s for s in subs if s.is_current and s.branch_code not in listed]
    return RoundStatus(year, deadline.isoformat() if deadline else "", result, unknown)


def _day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).date()


def write_reminders(ws: Any, status: RoundStatus) -> Path:
    """Write output/催报名单.xlsx: the branches still missing or needing fixes; return its path."""
    path = ws.folder("output") / "催报名单.xlsx"
    todo = [b for b in status.branches if b.state in (MISSING, NEEDS_FIX)]
    headers = ["支部编码", "支部名称", "支部书记", "联系人", "联系电话", "状态", "需要做什么"]
    widths = [10, 28, 10, 10, 16, 10, 50]
    with atomic_path(path) as tmp:
        wb = new_xlsx(tmp)
        sh = wb.add_worksheet("催报名单")
        title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
        head = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "align": "center"})
        cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
        sh.merge_range(0, 0, 0, len(headers) - 1, f"{status.year}年党建工作台账催报名单", title)
        dl = f"（报送截止日期：{status.deadline}；制表日期：{date.today().isoformat()}）" if status.deadline else ""
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
    return path


def current_problems(ws: Any, code: str | None = None) -> list[tuple[Submission, list[Problem]]]:
    """The problems of every current return (or one branch's), with the submission they belong to."""
    year = ws.settings.year
    with Store.open(ws.store_path) as store:
        subs = store.submissions(year=year, branch_code=code, current_only=True)
        return [(s, store.problems(s.id)) for s in subs]
