"""Collecting a lower level's roll-up: verify it, read and check the returns it carries, store
each as a submission of its branch (traceable to the roll-up), and say what happened to each.

Which return of a branch counts: the one the branch sent last. Every return keeps the time the
branch sent it (its file's time where it was first collected, carried unchanged through every
roll-up), and the store makes the latest of them current whatever way it came, so a branch
collected directly and also in a roll-up is never counted twice; the conflict is reported
(ROLLUP-CONFLICT) in the collect result and in `status`. Equal times: the one collected later.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taizhang import catalog
from taizhang.problems import Problem, Severity, count_by_severity
from taizhang.vocabulary import ACCEPTED, NEEDS_FIX, UNIDENTIFIED
from taizhang.workspace.store import Carried, NewRollup, NewSubmission, Submission

BRANCH_ORIGIN = "branch"
ROLLUP_ORIGIN = "rollup:"
UNCHANGED = "未变化"
REFUSED = "未接收"


def origin_of(unit_code: str) -> str:
    """The `origin` stored with a return taken from `unit_code`'s roll-up."""
    return ROLLUP_ORIGIN + unit_code


def origin_text(origin: str, names: dict[str, str], *, short: bool = False) -> str:
    """An origin in words: 直接报送的台账 / “某党总支”汇总中的台账 (short: 直接报送 / 经“某党总支”汇总)."""
    if origin.startswith(ROLLUP_ORIGIN):
        code = origin[len(ROLLUP_ORIGIN):]
        name = names.get(code, code)
        return f"经“{name}”汇总" if short else f"“{name}”汇总中的台账"
    return "直接报送" if short else "直接报送的台账"


@dataclass
class Conflict:
    """A branch with returns that came two ways: which one counts, and the newest other one."""

    code: str
    name: str
    kept: Submission
    other: Submission

    def problem(self, names: dict[str, str]) -> Problem:
        """The ROLLUP-CONFLICT problem describing it."""
        first, second = sorted((self.kept, self.other), key=lambda s: (s.submitted_at, s.id))
        return catalog.make(
            "ROLLUP-CONFLICT", branch=f"{self.code} {self.name}",
            first=origin_text(first.origin, names), first_time=_stamp(first.submitted_at),
            second=origin_text(second.origin, names), second_time=_stamp(second.submitted_at),
            kept=origin_text(self.kept.origin, names),
        )


def _stamp(text: str) -> str:
    return text[:16].replace("T", " ")


def find_conflict(history: list[Submission]) -> Conflict | None:
    """For one branch's submissions of a year: the conflict when they came by more than one way."""
    current = next((s for s in history if s.is_current), None)
    if current is None:
        return None
    others = [s for s in history if s.origin != current.origin]
    if not others:
        return None
    other = max(others, key=lambda s: (s.submitted_at, s.id))
    return Conflict(current.branch_code, current.branch_name, current, other)


def unit_names(store: Any, year: int) -> dict[str, str]:
    """Lower unit code → name, from the roll-ups stored for a year."""
    return {r.unit_code: r.unit_name for r in store.rollups(year)}


def conflict_problem(store: Any, code: str, year: int) -> Problem | None:
    """ROLLUP-CONFLICT for a branch whose stored returns came by more than one way, else None."""
    found = find_conflict(store.submissions(year=year, branch_code=code))
    return found.problem(unit_names(store, year)) if found else None


# --- processing (may run in a worker process) ----------------------------------------------------
def process_rollup(reader: Any, ctx: Any, base: Any) -> Any:
    """Verify a roll-up with the registered links and read its returns, each checked by this
    level's rules; `base` is the collect.Processed to fill in. Never raises for a bad file."""
    from taizhang.levels.rollup_format import RollupIdentity, meta, read_content, verify
    from taizhang.validate import validate

    claimed = RollupIdentity.from_mapping(meta(reader))
    if claimed is not None and ctx.settings.org_code and claimed.unit_code == ctx.settings.org_code:
        base.problems = [catalog.make("ROLLUP-OWN", upper=claimed.upper_name)]
        base.outcome = UNIDENTIFIED
        return base
    identity, problems = verify(reader, ctx.links, year=ctx.settings.year, years=ctx.years)
    if identity is not None and identity.unit_code not in ctx.branches:
        problems = [catalog.make("ROLLUP-UNREGISTERED", unit=identity.unit_name, code=identity.unit_code,
                                 reason="它已不在本单位的支部名单中")]
        identity = None
    if identity is None:
        base.problems = problems
        base.outcome = UNIDENTIFIED
        return base
    try:
        content = read_content(reader, identity, ctx.definition)
    except Exception as exc:  # signed by a registered unit, but not in a layout this version reads
        base.problems = [catalog.make("ROLLUP-BROKEN", reason=f"内容无法按本版本的格式读取（{type(exc).__name__}）")]
        base.outcome = UNIDENTIFIED
        return base
    for item in content.returns:
        item.problems = item.problems + validate(item.ret, ctx.definition, ctx.settings, as_of=ctx.as_of)
    base.rollup = content
    errors = any(p.severity is Severity.ERROR for item in content.returns for p in item.problems)
    base.outcome = NEEDS_FIX if errors else ACCEPTED
    base.verified = True
    return base


# --- storing (in the collecting process) ---------------------------------------------------------
def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def store_rollup(store: Any, tree: Any, processed: Any, *, display: str, year: int) -> dict[str, Any]:
    """Store a verified roll-up and the returns it carries (one transaction). Returns the parts of
    collect's FileResult: unit code and name, per-branch `lines`, `problems` about the roll-up
    as a whole (clashes, places, conflicts), rows per sheet and the stored submissions' counts."""
    content = processed.rollup
    ident = content.identity
    owner = tree.get(ident.unit_code)
    owner_name = owner.name if owner is not None else ident.unit_name
    others: dict[str, str] = {}
    for code, r in store.current_rollups(year).items():
        if code != ident.unit_code:
            for u in r.units:
                others.setdefault(str(u.get("code", "")), r.unit_name)
    sources = store.rollup_sources(year)
    history: dict[str, list[Submission]] = {}
    for s in store.submissions(year=year):
        history.setdefault(s.branch_code, []).append(s)
    lines: list[dict[str, Any]] = []
    problems: list[Problem] = []
    accepted: list[tuple[dict[str, Any], NewSubmission]] = []
    for item in content.returns:
        ret = item.ret
        code, label = ret.branch_code, f"{ret.branch_code} {ret.branch_name}"
        line: dict[str, Any] = {"code": code, "name": ret.branch_name, "outcome": REFUSED, "errors": 0,
                                "warnings": 0, "message": "", "submission_id": None}
        lines.append(line)
        listed = tree.get(code)
        listed = listed if listed is not None and not listed.source else None
        clash = ""
        if code in others:
            clash = f"也在“{others[code]}”的汇总中"
        elif code == ident.unit_code or (listed is not None and not listed.is_branch):
            clash = "与本单位支部名单中一个党总支（党委）的编码相同"
        elif listed is not None and _fold(listed.name) != _fold(ret.branch_name):
            clash = f"与本单位支部名单中的“{listed.code} {listed.name}”编码相同、名称不同"
        if clash:
            problem = catalog.make("ROLLUP-CLASH", branch=label, reason=clash, code=ident.unit_code)
            problems.append(problem)
            line["message"] = problem.message
            continue
        if listed is not None and not tree.contains(ident.unit_code, code):
            parent = tree.get(listed.parent) if listed.parent else None
            where = f"属于“{parent.name}”" if parent is not None else "直属本单位"
            problems.append(catalog.make("ROLLUP-PLACE", branch=label, where=where))
        # The same return already stored: from this unit's earlier roll-up, or the very file directly.
        same = [s for s in history.get(code, [])
                if (s.id in sources and sources[s.id].unit_code == ident.unit_code
                    and sources[s.id].original_sha256 == item.sha256 and s.submitted_at == item.submitted_at)
                or (s.origin == BRANCH_ORIGIN and s.sha256 == item.sha256)]
        if same:
            line.update(outcome=UNCHANGED, submission_id=same[-1].id,
                        message="与已收到的台账相同，未重复接收。")
            continue
        accepted.append((line, NewSubmission(
            ret=ret, file_name=Path(display).name, source_path=display, sha256=processed.sha256,
            size=processed.size, submitted_at=item.submitted_at, verified=item.verified,
            problems=item.problems, origin=origin_of(ident.unit_code),
            carried=Carried(item.file_name, item.sha256, item.received_at, list(item.via)),
        )))
    _rollup, stored = store.add_rollup(NewRollup(
        unit_code=ident.unit_code, unit_name=owner_name, year=year, file_name=Path(display).name,
        source_path=display, sha256=processed.sha256, size=processed.size, created_at=ident.created_at,
        fingerprint=ident.fingerprint, units=content.units,
    ), [new for _line, new in accepted])
    rows: dict[str, int] = {}
    for (line, new), sub in zip(accepted, stored, strict=True):
        counts = count_by_severity(new.problems)
        line.update(outcome=NEEDS_FIX if sub.errors else ACCEPTED, errors=counts["错误"],
                    warnings=counts["警告"], submission_id=sub.id)
        for led in new.ret.ledgers.values():
            rows[led.sheet] = rows.get(led.sheet, 0) + len(led.rows)
        conflict = conflict_problem(store, sub.branch_code, year)
        if conflict is not None:
            problems.append(conflict)
            line["message"] = conflict.message
    return {"branch_code": ident.unit_code, "branch_name": owner_name, "lines": lines, "problems": problems,
            "rows": rows, "errors": sum(x["errors"] for x in lines), "warnings": sum(x["warnings"] for x in lines)}
