"""A branch's self-check before returning: the same reading and checks as collect, nothing stored.

Works without a workspace: the definitions are the shipped ones (or the workspace's when run
inside one), the settings the defaults (or the workspace's), and the year and branch come from
the workbook's own identity, which cannot be verified without the committee's key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from taizhang import catalog
from taizhang.problems import Problem, Severity, count_by_severity
from taizhang.records import BranchReturn
from taizhang.workspace import config
from taizhang.workspace.definitions import WorkbookDefinition, load_definitions


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


def check_file(path: Path, *, workspace: Any | None = None, as_of: date | None = None,
               feedback: bool = False) -> SelfCheck:
    """Read and check one returned workbook as collect would; optionally write feedback beside it."""
    from taizhang import reading
    from taizhang.collect.identify import read_identity
    from taizhang.levels.rollup_format import is_rollup, meta
    from taizhang.reading.extract import extract_return
    from taizhang.validate import validate

    as_of = as_of or date.today()
    result = SelfCheck(file=str(path))
    try:
        reader = reading.open_workbook(path)
        properties = reading.read_properties(path)
    except reading.UnreadableFile as exc:
        result.problems = [catalog.make(exc.rule_id, reason=exc.reason)]
        return result
    if is_rollup(reader):
        unit = str(meta(reader).get("unit_name") or "下级单位").strip()
        result.branch_name = unit
        result.problems = [catalog.make("ID-ROLLUP-FILE", unit=unit)]
        return result
    identity, signature = read_identity(reader, properties)
    definition: WorkbookDefinition = workspace.definitions if workspace else load_definitions()
    year = identity.year if identity else (workspace.settings.year if workspace else as_of.year - (as_of.month == 1))
    settings = workspace.settings if workspace else config.defaults(year)
    if workspace is not None and identity is not None:
        result.verified = identity.verify(workspace.key, signature)
    problems: list[Problem] = []
    if identity is None:
        problems.append(catalog.make("ID-UNVERIFIED", how="文件内容", branch=path.stem, severity=Severity.WARNING))
    elif identity.template_id != definition.id:
        problems.append(catalog.make("ID-OLD-TEMPLATE", version=f"{identity.template_id} {identity.template_version}",
                                     current=f"{definition.id} {definition.version}"))
    elif identity.template_version != definition.version:
        problems.append(catalog.make("ID-OLD-TEMPLATE", version=identity.template_version, current=definition.version))
    ret, extracted = extract_return(
        definition, reader, branch_code=identity.branch_code if identity else "",
        branch_name=identity.branch_name if identity else path.stem, year=year,
        template_id=identity.template_id if identity else "",
        template_version=identity.template_version if identity else "",
    )
    problems += extracted + validate(ret, definition, settings, as_of=as_of)
    result.branch_code, result.branch_name, result.year = ret.branch_code, ret.branch_name, year
    result.rows = {led.sheet: len(led.rows) for led in ret.ledgers.values()}
    result.problems = problems
    if feedback and problems:
        result.feedback = str(_write_feedback(path, ret, problems, definition, settings, identity, signature))
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
                          signed=signed)
