"""Collect: find every returned file, read, identify, normalise, validate and store it.

Files come from folders and zip files (bounded); each is processed by `process_file`, a pure
function of the file and a `CollectContext` (so that it can run in a worker process), and the
result is written to the store by one process, one transaction per return. Input files are never
modified, moved or deleted; the received bytes are kept in archive/ by their SHA-256."""


from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from taizhang import catalog
from taizhang.collect import arrival
from taizhang.collect.files import Candidate, content_id, find_candidates, sha256_bytes
from taizhang.collect.process import (
    CollectContext,
    FileResult,
    Processed,
    file_result,
    process_file,
)
from taizhang.problems import Problem, Severity
from taizhang.vocabulary import (
    ACCEPTED,
    DUPLICATE,
    FAILED_OUTCOMES,
    NEEDS_FIX,
    UNIDENTIFIED,
    UNREADABLE,
)
from taizhang.workspace import Workspace, writes


@dataclass
class CollectReport:
    """The outcome of one collect run."""

    files: list[FileResult]
    as_of: str
    year: int = 0  # the workspace's year when collected (returns of other issued years are stored under theirs)
    warnings: list[Problem] = field(default_factory=list)  # about the round's settings (a stale deadline)
    accepted: list[str] = field(default_factory=list)  # what `--accept` did with files already stored

    @property
    def failed(self) -> list[FileResult]:
        """Files that could not be read or identified."""
        return [f for f in self.files if f.outcome in FAILED_OUTCOMES]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        counts: dict[str, int] = {}
        for f in self.files:
            counts[f.outcome] = counts.get(f.outcome, 0) + 1
        return {"as_of": self.as_of, "year": self.year, "counts": counts, "files": [f.to_dict() for f in self.files],
                "warnings": [p.to_dict() for p in self.warnings], "accepted": self.accepted}


# Below this many files to process, starting worker processes costs more than it saves.
MIN_POOL_FILES = 8
WORKER_MODULES = ("taizhang.collect", "taizhang.reading", "taizhang.reading.extract", "taizhang.collect.identify",
                  "taizhang.validate", "taizhang.collect.feedback")


@dataclass(frozen=True)
class _Job:
    """What a worker gets for one file: the file, and where to put its feedback workbook."""

    candidate: Candidate
    feedback_dir: Path | None  # None: no feedback wanted


_WORKER_CTX: CollectContext | None = None


def _set_context(ctx: CollectContext | None) -> None:
    global _WORKER_CTX
    _WORKER_CTX = ctx


def _work(job: _Job) -> Processed:
    """Process one file in a worker (the context was set by `_set_context`), and write its
    feedback workbook under a temporary name that the caller renames when it stores the return."""
    assert _WORKER_CTX is not None
    processed = process_file(job.candidate, _WORKER_CTX)
    if job.feedback_dir is not None and processed.ret is not None and any(
            p.severity in (Severity.ERROR, Severity.WARNING) for p in processed.problems):
        try:
            processed.feedback_tmp = str(_write_feedback_tmp(job, processed, _WORKER_CTX))
        except OSError:  # a full disk, a read-only folder: the return is collected all the same
            processed.feedback_failed = True
    return processed


def _write_feedback_tmp(job: _Job, processed: Processed, ctx: CollectContext) -> Path:
    from taizhang.collect.feedback import write_feedback_file

    assert job.feedback_dir is not None and processed.ret is not None
    fd, name = tempfile.mkstemp(prefix=".~tz-feedback-", suffix=".xlsx", dir=job.feedback_dir)
    os.close(fd)
    try:
        write_feedback_file(Path(name), definition=ctx.definition, settings=ctx.settings, key=ctx.key,
                            ret=processed.ret, problems=processed.problems, original=job.candidate.path,
                            identity=processed.signed, deadlines=ctx.years)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


@writes("taizhang collect")
def collect(
    ws: Workspace,
    paths: list[Path] | None = None,
    *,
    as_of: date | None = None,
    write_feedback: bool = True,
    progress: Callable[[str, int | None], None] | None = None,
    workers: int | None = None,
    accept: list[Path] | None = None,
) -> CollectReport:
    """Collect every file under `paths` (default inbox/) into the workspace's store.

    Files are read, identified and validated by `workers` processes (default: the number of
    cores; 1, or fewer than MIN_POOL_FILES files, runs them in this process). This process alone
    writes the store, one transaction per return, in the order the files were found; results
    come in that order too, whatever order the workers finish in. A file whose processing fails,
    even by its worker dying, is reported as 无法读取 and the others are collected.
    `progress(display, total)` is called once with the total (display "") and after each file.
    `accept`: files the office accepts although they would be held (an unverified return after
    a verified one, a blank one after a filled one, content that contradicts the signature);
    they are collected too, and one already stored and held becomes usable (`arrival`).
    """
    from taizhang.collect.pool import Failed, ordered_map
    from taizhang.levels import links
    from taizhang.workspace import branches as branches_mod
    from taizhang.workspace.store import Store

    settings = ws.settings
    as_of = as_of or date.today()
    branch_list, _problems = branches_mod.read(ws.branches_path)
    ctx = CollectContext(
        definition=ws.definitions, settings=settings,
        branches={b.code: b for b in branches_mod.usable(branch_list)}, key=ws.key, as_of=as_of,
        links=links.verification_keys(ws), years=_other_rounds(ws), rosters=_rosters(ws),
    )
    sources = [Path(p) for p in (paths or [ws.folder("inbox")])]
    accept = [Path(p) for p in accept or []]
    sources += [p for p in accept if not any(_within(p, src) for src in sources)]
    feedback_dir = ws.folder("feedback") if write_feedback else None
    workers = default_workers() if workers is None else max(1, int(workers))
    results: list[FileResult] = []
    from taizhang.reading import ReadLimits

    max_bytes = ReadLimits.from_settings(settings).max_file_bytes
    with tempfile.TemporaryDirectory(prefix="taizhang-") as tmp:
        skipped: list[str] = []
        candidates = list(find_candidates(sources, settings, Path(tmp), skipped))
        if progress:
            progress("", len(candidates))
        with Store.open(ws.store_path) as store:
            accepted, notes = arrival.accept_files(store, accept, max_bytes)
            hidden_notes = _hidden_once(store, skipped)
            arrived = _Arrival(arrival.run_moment(as_of), arrival.previous_run(store), accepted)
            # Files stored by an earlier run are not processed again.
            known = [_already_stored(cand, store, max_bytes) for cand in candidates]
        todo = [_Job(cand, feedback_dir) for cand, seen in zip(candidates, known) if seen is None]
        n_workers = min(workers, len(todo)) if len(todo) >= MIN_POOL_FILES else 1
        done = ordered_map(_work, todo, workers=n_workers, initializer=_set_context, initargs=(ctx,),
                           preload=WORKER_MODULES)
        try:
            with Store.open(ws.store_path) as store:
                for cand, seen in zip(candidates, known):
                    if seen is None:
                        _job, out = next(done)
                        processed = _failed(cand, out, max_bytes) if isinstance(out, Failed) else out
                    else:
                        processed = seen
                    results.append(store_processed(ws, store, cand, processed, write_feedback=write_feedback,
                                                   arrived=arrived))
                    if progress:
                        progress(cand.display, None)
        finally:
            done.close()
            _set_context(None)  # set here too when the files were processed in this process
            if feedback_dir is not None:  # feedback of files not stored (an interrupted run)
                for stray in feedback_dir.glob(".~tz-feedback-*.xlsx"):
                    stray.unlink(missing_ok=True)
    from taizhang.workspace.config import round_warnings
    from taizhang.workspace.rounds import record_current

    record_current(ws)
    with Store.open(ws.store_path) as store:
        arrival.record_run(store, arrival.run_start(as_of))
    return CollectReport(files=results, as_of=as_of.isoformat(), year=settings.year,
                         warnings=round_warnings(settings) + hidden_notes, accepted=notes)


def _within(path: Path, source: Path) -> bool:
    """Whether `path` is `source` or lies in the folder `source` (it is collected anyway)."""
    try:
        path.resolve().relative_to(source.resolve())
    except (ValueError, OSError):
        return False
    return True


def _hidden_once(store: Any, skipped: list[str]) -> list[Problem]:
    """FILE-HIDDEN for each hidden file skipped in a folder, the first time it is seen only."""
    import json

    try:
        said = set(json.loads(store.meta_value("hidden_files_said") or "[]"))
    except ValueError:
        said = set()
    new = [path for path in skipped if path not in said]
    if new:
        store.set_meta_value("hidden_files_said", json.dumps(sorted(said | set(new)), ensure_ascii=False))
    return [catalog.make("FILE-HIDDEN", file=path) for path in new]


def _rosters(ws: Workspace) -> dict[str, frozenset[str]]:
    """Each branch's member names as it last sent them (ID-CONTENT compares a return with them)."""
    from taizhang.workspace.store import Store

    with Store.open(ws.store_path) as store:
        return arrival.reference_rosters(store, ws.settings.year)


def _other_rounds(ws: Workspace) -> dict[int, date | None]:
    """The years other than the workspace's that it has run a round for (recorded by `taizhang
    year`, issue or collect, or with workbooks issued), with their deadlines when known."""
    from taizhang.workspace.store import Store

    with Store.open(ws.store_path) as store:
        known: dict[int, date | None] = {year: None for year in store.years()}
        known.update(store.rounds())
    known.pop(ws.settings.year, None)
    return known


def _failed(cand: Candidate, failure: Any, max_bytes: int = 30 * 1024 * 1024) -> Processed:
    """The result for a file whose processing raised or whose worker process died."""
    if failure.crashed:
        reason = "读取时处理程序意外退出，文件可能已损坏或结构异常（其余文件已照常收集）"
    else:
        reason = f"处理时出现程序错误（{failure.detail}），其余文件已照常收集；如另存后仍出错，请把文件发给技术支持人员"
    from taizhang.reading import ReadLimits, UnreadableFile, read_bounded

    try:
        data = read_bounded(cand.path, ReadLimits(max_file_bytes=max_bytes))
    except UnreadableFile:
        data = b""
    return Processed(cand.display, content_id(data, cand), len(data), cand.submitted_at, UNREADABLE,
                     problems=[catalog.make("FILE-UNREADABLE", reason=reason)],
                     suffix=cand.path.suffix.lower() or ".xlsx")


@dataclass(frozen=True)
class _Arrival:
    """What decides when a return counts as sent and whether it may become current."""

    run_at: datetime
    previous_run: str = ""
    accepted: frozenset[str] | set[str] = frozenset()


def _arrive(store: Any, processed: Processed, arrived: _Arrival) -> None:
    """Bound the return's time (FILE-TIME) and hold it when the office should decide first
    (RETURN-HELD); both said among its problems."""
    assert processed.ret is not None
    ret = processed.ret
    issued_at = processed.claimed[0].issued_at if processed.signed is not None and processed.claimed else ""
    if not issued_at:
        issued = store.last_issued(ret.year).get(ret.branch_code)
        issued_at = issued.issued_at if issued is not None else ""
    processed.submitted_at, moved = arrival.bound_time(
        processed.submitted_at, issued_at=issued_at, previous_run=arrived.previous_run, run_at=arrived.run_at)
    if moved is not None:
        processed.problems = [*processed.problems, moved]
    contradicted = any(p.rule_id == "ID-CONTENT" for p in processed.problems)
    if contradicted and processed.sha256 in arrived.accepted:  # the office has looked: it is theirs
        processed.problems = [p for p in processed.problems if p.rule_id != "ID-CONTENT"]
        if processed.outcome == NEEDS_FIX and not any(p.severity is Severity.ERROR for p in processed.problems):
            processed.outcome = ACCEPTED
    processed.held, held = arrival.hold_reason(
        store, ret, verified=processed.verified, submitted_at=processed.submitted_at, sha256=processed.sha256,
        display=processed.display, accepted=arrived.accepted, contradicted=contradicted)
    if held is not None:
        processed.problems = [*processed.problems, held]


def store_processed(ws: Workspace, store: Any, cand: Candidate, processed: Processed, *,
                    write_feedback: bool = True, arrived: _Arrival | None = None) -> FileResult:
    """Record what became of one processed file (one transaction): a return or a roll-up stored
    and the received bytes archived, its feedback put in place, or the file recorded as refused
    or unreadable. Returns its FileResult."""
    from taizhang.safeio import atomic_path
    from taizhang.workspace.store import NewSubmission

    if processed.ret is not None or processed.rollup is not None:
        # The same bytes may come twice in one batch: the first is stored, the second is not.
        seen = store.file(processed.sha256)
        if seen is not None and seen.outcome == "stored":
            _discard(processed)
            processed = Processed(processed.display, processed.sha256, processed.size, processed.submitted_at,
                                  DUPLICATE, problems=[catalog.make("FILE-DUPLICATE", first=seen.first_path)])
    if processed.ret is not None and processed.outcome != DUPLICATE:
        _arrive(store, processed, arrived or _Arrival(arrival.run_moment(date.today())))
    result = file_result(processed)
    if processed.held:
        result.message = next(p.message for p in processed.problems if p.rule_id in ("RETURN-HELD", "ID-CONTENT"))
    if processed.outcome == DUPLICATE:
        result.message = processed.problems[0].message if processed.problems else ""
        return result
    if processed.ret is None and processed.rollup is None:
        store.record_file(processed.sha256, processed.size, processed.display,
                          "refused" if processed.outcome == UNIDENTIFIED else "unreadable",
                          result.message, processed.problems)
        return result
    arch = ws.folder("archive") / f"{processed.sha256}{processed.suffix}"
    if not arch.exists():
        with atomic_path(arch) as t:
            shutil.copyfile(cand.path, t)
    if processed.rollup is not None:
        return _store_rollup(ws, store, processed, result)
    assert processed.ret is not None
    # Feedback in place before the store: a run killed in between stores the return on the next
    # run and puts its feedback in place again. Only the branch's current return gets feedback
    # (an older return later in the batch must not replace it); a clean current return removes
    # the feedback on the one it supersedes.
    if write_feedback and _will_be_current(store, processed):
        if processed.feedback_tmp:
            result.feedback = _place_feedback(ws, processed)
            processed.feedback_failed = not result.feedback
        if processed.feedback_failed:
            from taizhang.collect.feedback import failed_message

            result.message = failed_message(ws.folder("feedback"))
        if not (result.errors or result.warnings):
            _remove_feedback(ws, processed)
    else:
        _discard(processed)
    sub = store.add_submission(NewSubmission(
        ret=processed.ret, file_name=Path(cand.display).name, source_path=cand.display,
        sha256=processed.sha256, size=processed.size, submitted_at=processed.submitted_at,
        verified=processed.verified, problems=processed.problems, held=processed.held,
    ))
    result.submission_id = sub.id
    from taizhang.levels.receive import conflict_problem

    conflict = conflict_problem(store, sub.branch_code, sub.year)
    if conflict is not None:
        result.problems = [*result.problems, conflict]
        result.infos += 1
    return result


def _store_rollup(ws: Workspace, store: Any, processed: Processed, result: FileResult) -> FileResult:
    from taizhang.levels import hierarchy
    from taizhang.levels.receive import store_rollup

    year = processed.rollup.identity.year
    done = store_rollup(store, hierarchy.load(ws, year=year), processed, display=processed.display, year=year)
    result.branch_code, result.branch_name = done["branch_code"], done["branch_name"]
    result.rollup, result.rows = done["lines"], done["rows"]
    result.errors, result.warnings = done["errors"], done["warnings"]
    result.problems = done["problems"]
    result.infos = sum(1 for p in result.problems if p.severity is Severity.INFO)
    return result


def _will_be_current(store: Any, processed: Processed) -> bool:
    """Whether the return, once stored, supersedes the branch's current one (the later file time
    wins; on a tie, the one stored last)."""
    assert processed.ret is not None
    if processed.held:
        return False
    current = store.submissions(year=processed.ret.year, branch_code=processed.ret.branch_code,
                                current_only=True)
    return not current or processed.submitted_at >= current[0].submitted_at


def _feedback_path(ws: Workspace, processed: Processed) -> Path:
    from taizhang.collect.feedback import feedback_name

    assert processed.ret is not None
    ret = processed.ret
    return ws.folder("feedback") / feedback_name(ret.branch_code, ret.branch_name,
                                                 ret.year if ret.year != ws.settings.year else None)


def _place_feedback(ws: Workspace, processed: Processed) -> str:
    """Move the feedback workbook the worker wrote into place; "" when it cannot be (the return
    is stored all the same: a feedback file open in Excel must not stop the batch)."""
    target = _feedback_path(ws, processed)
    try:
        os.replace(processed.feedback_tmp, target)
    except OSError:  # on Windows, typically: the old feedback is open in Excel
        _discard(processed)
        return ""
    return str(target)


def _remove_feedback(ws: Workspace, processed: Processed) -> None:
    try:
        _feedback_path(ws, processed).unlink()
    except OSError:  # gone already, or open in Excel (Windows): it stays
        pass


def _discard(processed: Processed) -> None:
    if processed.feedback_tmp:
        Path(processed.feedback_tmp).unlink(missing_ok=True)
        processed.feedback_tmp = ""


def _already_stored(cand: Candidate, store: Any, max_bytes: int) -> Processed | None:
    """A DUPLICATE result when these exact bytes were stored before; otherwise None."""
    from taizhang.reading import ReadLimits, UnreadableFile, read_bounded

    if cand.problems:
        return None
    try:  # stat first: a file over the size limit is never read (process_file says why)
        data = read_bounded(cand.path, ReadLimits(max_file_bytes=max_bytes))
    except UnreadableFile:
        return None
    if not data:
        return None
    sha = sha256_bytes(data)
    seen = store.file(sha)
    if seen is not None and seen.outcome == "stored":
        return Processed(cand.display, sha, len(data), cand.submitted_at, DUPLICATE, problems=[
            catalog.make("FILE-DUPLICATE", first=seen.first_path)])
    return None


def default_workers() -> int:
    """The number of CPU cores this process may use (the default for --workers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
