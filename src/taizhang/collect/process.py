"""One file, start to finish, without the store: read, identify, extract, validate. Collect runs it
in worker processes; the branch self-check (`taizhang validate FILE`) runs it with no workspace."""


from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from taizhang import catalog
from taizhang.collect.files import Candidate, content_id
from taizhang.problems import Problem, ProblemBudget, Severity, count_by_severity
from taizhang.records import BranchReturn
from taizhang.vocabulary import (
    ACCEPTED,
    FAILED_OUTCOMES,
    NEEDS_FIX,
    NOT_WORKBOOK,
    UNIDENTIFIED,
    UNREADABLE,
)
from taizhang.workspace.branches import Branch
from taizhang.workspace.config import Settings
from taizhang.workspace.definitions import WorkbookDefinition

FEEDBACK_FAILED = ("已接收，但反馈表未能写入feedback文件夹（原来的反馈表可能正在Excel或WPS中打开）。"
                   "问题可用 taizhang problems 查看。")


@dataclass(frozen=True)
class CollectContext:
    """Everything `process_file` needs; picklable."""

    definition: WorkbookDefinition
    settings: Settings
    branches: dict[str, Branch]
    key: bytes
    as_of: date
    links: dict[str, Any] = field(default_factory=dict)  # unit code -> links.LinkKey (roll-ups)
    # A branch's self-check (`taizhang validate FILE`): no branch list; the workbook's claimed
    # identity decides the branch and the year, verified only when `key` is not empty.
    self_check: bool = False
    # The other years this workspace has run a round for, with their deadlines: a return of one
    # of them is collected as that year's (`workspace.rounds`).
    years: dict[int, date | None] = field(default_factory=dict)
    # Branch code → member names as the branch last sent them (collect.arrival: ID-CONTENT).
    rosters: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class Processed:
    """The result of reading, identifying and validating one file (nothing stored yet)."""

    display: str
    sha256: str
    size: int
    submitted_at: str
    outcome: str
    ret: BranchReturn | None = None
    verified: bool = False
    problems: list[Problem] = field(default_factory=list)
    suffix: str = ".xlsx"
    signed: tuple[Any, str] | None = None  # (Identity, signature) of a verified return
    claimed: tuple[Any, str] | None = None  # (Identity, signature) the workbook claims, verified or not
    rollup: Any = None  # rollup_format.RollupContent of a verified roll-up (then `ret` is None)
    feedback_tmp: str = ""  # the feedback workbook, written under a temporary name
    feedback_failed: bool = False  # the feedback workbook could not be written
    held: str = ""  # kept from becoming current until the office accepts it (collect.arrival)


@dataclass
class FileResult:
    """What collect did with one file."""

    file: str
    outcome: str
    branch_code: str = ""
    branch_name: str = ""
    year: int | None = None  # the ledger year it was stored under
    rows: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    message: str = ""
    submission_id: int | None = None
    feedback: str = ""
    problems: list[Problem] = field(default_factory=list)
    rollup: list[dict[str, Any]] = field(default_factory=list)  # a roll-up: what became of each branch

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (problems included)."""
        data = {k: v for k, v in self.__dict__.items() if k != "problems"}
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


def process_file(candidate: Candidate, ctx: CollectContext) -> Processed:
    """Read, identify, extract and validate one file. Never raises for a bad file."""
    from taizhang import reading
    from taizhang.collect.identify import identify, identify_claimed
    from taizhang.reading.extract import extract_return
    from taizhang.validate import validate

    limits = reading.ReadLimits.from_settings(ctx.settings)
    problems = list(candidate.problems)
    data = b""
    if not problems:
        try:  # the size is looked at before anything is read (a 3 GB file is never loaded)
            data = reading.read_bounded(candidate.path, limits)
        except reading.UnreadableFile as exc:
            problems.append(catalog.make(exc.rule_id, reason=exc.reason))
    sha = content_id(data, candidate)
    base = Processed(candidate.display, sha, len(data), candidate.submitted_at, UNREADABLE,
                     suffix=candidate.path.suffix.lower() or ".xlsx")
    if problems:
        base.problems = problems
        base.outcome = NOT_WORKBOOK if problems[0].rule_id == "FILE-NOT-WORKBOOK" else UNREADABLE
        return base
    try:
        reader = reading.open_workbook(candidate.path, limits)
        properties = reading.read_properties(candidate.path)
    except reading.UnreadableFile as exc:
        base.problems = [catalog.make(exc.rule_id, reason=exc.reason)]
        base.outcome = NOT_WORKBOOK if exc.rule_id == "FILE-NOT-WORKBOOK" else UNREADABLE
        return base
    # archived under what the file really is, never under a suffix taken from its name
    base.suffix = ".xls" if reader.kind == "et" else f".{reader.kind}"
    try:
        from taizhang.levels.rollup_format import is_rollup, meta

        if is_rollup(reader):
            if ctx.self_check:  # a roll-up is checked by the level above, not self-checked
                unit = str(meta(reader).get("unit_name") or "下级单位").strip()
                base.problems = [catalog.make("ID-ROLLUP-FILE", unit=unit)]
                base.outcome = UNIDENTIFIED
                return base
            return _process_rollup(candidate, ctx, base, limits)
        if ctx.self_check:
            ident = identify_claimed(
                reader, properties=properties, file_name=Path(candidate.display).name, key=ctx.key or None,
                default_year=ctx.settings.year, template_id=ctx.definition.id,
                current_version=ctx.definition.version,
            )
        else:
            ident = identify(
                reader, properties=properties, file_name=Path(candidate.display).name, branches=ctx.branches,
                key=ctx.key, year=ctx.settings.year, instructions_sheet=ctx.definition.instructions.sheet,
                current_version=ctx.definition.version, unverified=str(ctx.settings.collect.get("unverified")),
                years=ctx.years,
            )
        if not ident.accepted:
            base.problems = ident.problems
            base.outcome = UNIDENTIFIED
            return base
        assert ident.branch is not None
        identity = ident.identity
        if identity is not None:
            base.claimed = (identity, ident.signature)
            if ident.verified:
                base.signed = base.claimed
        # One cap on every problem of the file, passed down so that no stage makes more than it
        # keeps (issue 13: 80,000 CELL-TYPE problems from one file).
        budget = ProblemBudget(ctx.settings.limit("max_problems_per_file"))
        problems = []
        budget.keep(problems, ident.problems)
        ret, found = extract_return(
            ctx.definition, reader, branch_code=ident.branch.code, branch_name=ident.branch.name,
            year=ident.year or ctx.settings.year,
            template_id=identity.template_id if identity else "",
            template_version=identity.template_version if identity else "",
            budget=budget,
        )
        problems += found
        if ctx.rosters and not ctx.self_check:
            from taizhang.collect.arrival import content_problem

            mismatch = content_problem(ret, ident.branch.name, ctx.rosters,
                                       {code: b.name for code, b in ctx.branches.items()})
            if mismatch is not None:
                budget.keep(problems, [mismatch])
        problems += validate(ret, ctx.definition, ctx.settings, as_of=ctx.as_of, budget=budget)
        errors = budget.errors_dropped > 0 or any(p.severity is Severity.ERROR for p in problems)
        problems = budget.cap(problems)
    except reading.UnreadableFile as exc:
        base.problems = [catalog.make(exc.rule_id, reason=exc.reason)]
        return base
    finally:
        close = getattr(reader, "close", None)
        if close:
            close()
    base.ret = ret
    base.verified = ident.verified
    base.problems = problems
    base.outcome = NEEDS_FIX if errors else ACCEPTED
    return base


def _process_rollup(candidate: Candidate, ctx: CollectContext, base: Processed, limits: Any) -> Processed:
    """A lower level's roll-up: read again with the roll-up's row limits, verify, check."""
    from taizhang import reading
    from taizhang.levels.receive import process_rollup
    from taizhang.levels.rollup_format import rollup_limits

    try:
        with reading.open_workbook(candidate.path, rollup_limits(limits)) as reader:
            return process_rollup(reader, ctx, base)
    except reading.UnreadableFile as exc:
        base.problems = [catalog.make(exc.rule_id, reason=exc.reason)]
        return base


def file_result(p: Processed) -> FileResult:
    counts = count_by_severity(p.problems)
    ret = p.ret
    first = next((x.message for x in p.problems if x.severity is Severity.ERROR), "")
    return FileResult(
        file=p.display, outcome=p.outcome,
        branch_code=ret.branch_code if ret else "", branch_name=ret.branch_name if ret else "",
        year=ret.year if ret else None,
        rows={led.sheet: len(led.rows) for led in ret.ledgers.values()} if ret else {},
        errors=counts["错误"], warnings=counts["警告"], infos=counts["提示"],
        message=first if p.outcome in FAILED_OUTCOMES else "",
        problems=p.problems,
    )
