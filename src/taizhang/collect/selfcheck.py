"""A branch's self-check before returning: the same reading and checks as collect, nothing stored.

Works without a workspace: the definitions are the shipped ones (or the workspace's when run
inside one), the settings the defaults (or the workspace's), and the year and branch come from
the workbook's own identity, which cannot be verified without the committee's key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taizhang.problems import Problem, count_by_severity
from taizhang.records import BranchReturn
from taizhang.workspace import config
from taizhang.workspace.definitions import WorkbookDefinition, load_definitions

if TYPE_CHECKING:
    from taizhang.workspace import Workspace


@dataclass
class SelfCheck:
    """The result of checking one file."""

    file: str
    branch_code: str = ""
    branch_name: str = ""
    year: int | None = None
    verified: bool | None = None  # None: no key to check with
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    feedback: str = ""

    @property
    def readable(self) -> bool:
        """False when the file could not be read at all."""
        return not any(p.rule_id.startswith("FILE-") for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data = {k: v for k, v in self.__dict__.items() if k != "problems"}
        data["counts"] = count_by_severity(self.problems)
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


def check_file(path: Path, *, workspace: Workspace | None = None, as_of: date | None = None,
               feedback: bool = False) -> SelfCheck:
    """Read and check one returned workbook exactly as collect does (`collect.process.process_file`,
    in self-check mode: no store, no branch list); optionally write the feedback workbook beside it."""
    from taizhang.collect.files import candidate_for
    from taizhang.collect.process import CollectContext, process_file

    as_of = as_of or date.today()
    default_year = workspace.settings.year if workspace else as_of.year - (as_of.month == 1)
    settings = workspace.settings if workspace else config.defaults(default_year)
    definition: WorkbookDefinition = workspace.definitions if workspace else load_definitions()
    ctx = CollectContext(definition=definition, settings=settings, branches={},
                         key=workspace.key if workspace else b"", as_of=as_of, self_check=True)
    done = process_file(candidate_for(path), ctx)
    result = SelfCheck(file=str(path), problems=done.problems)
    ret = done.ret
    if ret is None:
        return result
    identity, signature = done.claimed if done.claimed is not None else (None, "")
    result.branch_code, result.branch_name, result.year = ret.branch_code, ret.branch_name, ret.year
    result.verified = done.verified if workspace is not None and identity is not None else None
    result.rows = {led.sheet: len(led.rows) for led in ret.ledgers.values()}
    if feedback and done.problems:
        result.feedback = str(_write_feedback(path, ret, done.problems, definition, settings, identity, signature))
    return result


def _write_feedback(path: Path, ret: BranchReturn, problems: list[Problem], definition: WorkbookDefinition,
                    settings: config.Settings, identity: Any, signature: str) -> Path:
    from taizhang.collect.feedback import build_feedback, feedback_name
    from taizhang.issue.workbook import IssueRound
    from taizhang.workspace.branches import Branch

    rnd = IssueRound(definition=definition, org=identity.org if identity else settings.org_name,
                     year=ret.year, deadline=settings.deadline, contact=settings.contact,
                     phone=settings.phone, key=b"")
    target = path.with_name(feedback_name(ret.branch_code or "自查", ret.branch_name))
    signed = (identity, signature) if identity is not None else None
    return build_feedback(target, definition=definition, rnd=rnd,
                          branch=Branch(ret.branch_code, ret.branch_name), ret=ret, problems=problems,
                          signed=signed, original=path)
