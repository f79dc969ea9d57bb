"""Collect: find every returned file, read, identify, normalise, validate and store it.

Files come from folders and zip files (bounded); each is processed by `process_file`, a pure
function of the file and a `CollectContext` (so that it can run in a worker process), and the
result is written to the store by one process, one transaction per return. Input files are never
modified, moved or deleted; the received bytes are kept in archive/ by their SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator

from . import catalog
from .branches import Branch
from .config import Settings
from .definitions import WorkbookDefinition
from .problems import Problem, Severity, count_by_severity
from .records import BranchReturn

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".et"}
SKIP_NAMES = {"thumbs.db", ".ds_store", "desktop.ini"}

# Outcomes shown to the user, one per file.
ACCEPTED = "已接收"
NEEDS_FIX = "需修改"
UNIDENTIFIED = "无法识别"
UNREADABLE = "无法读取"
NOT_WORKBOOK = "不是工作簿"
DUPLICATE = "已收过"
FAILED_OUTCOMES = {UNIDENTIFIED, UNREADABLE, NOT_WORKBOOK}
FEEDBACK_FAILED = ("已接收，但反馈表未能写入feedback文件夹（原来的反馈表可能正在Excel或WPS中打开）。"
                   "问题可用 taizhang problems 查看。")


@dataclass
class Candidate:
    """A file to collect: a real path on disk, and how to show where it came from."""

    path: Path
    display: str
    submitted_at: str  # the file's own time (mtime or zip entry time), orders returns of a branch
    problems: list[Problem] = field(default_factory=list)  # problems found while unpacking


@dataclass(frozen=True)
class CollectContext:
    """Everything `process_file` needs; picklable."""

    definition: WorkbookDefinition
    settings: Settings
    branches: dict[str, Branch]
    key: bytes
    as_of: date
    links: dict[str, Any] = field(default_factory=dict)  # unit code -> links.LinkKey (roll-ups)


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
    rollup: Any = None  # rollup_format.RollupContent of a verified roll-up (then `ret` is None)
    feedback_tmp: str = ""  # the feedback workbook, written under a temporary name
    feedback_failed: bool = False  # the feedback workbook could not be written


@dataclass
class FileResult:
    """What collect did with one file."""

    file: str
    outcome: str
    branch_code: str = ""
    branch_name: str = ""
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


@dataclass
class CollectReport:
    """The outcome of one collect run."""

    files: list[FileResult]
    as_of: str

    @property
    def failed(self) -> list[FileResult]:
        """Files that could not be read or identified."""
        return [f for f in self.files if f.outcome in FAILED_OUTCOMES]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        counts: dict[str, int] = {}
        for f in self.files:
            counts[f.outcome] = counts.get(f.outcome, 0) + 1
        return {"as_of": self.as_of, "counts": counts, "files": [f.to_dict() for f in self.files]}


def sha256_bytes(data: bytes) -> str:
    """The hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def _mtime(path: Path) -> str:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).isoformat(timespec="seconds")
    except OSError:
        return datetime.now().isoformat(timespec="seconds")


def find_candidates(paths: list[Path], settings: Settings, scratch: Path) -> Iterator[Candidate]:
    """Every file under `paths` (folders walked, zips unpacked into `scratch`, bounded).

    Non-workbooks are yielded too (they are reported as such). Hidden files and Office lock
    files (~$name.xlsx) are skipped.
    """
    for root in paths:
        root = Path(root)
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file())
        elif root.is_file():
            files = [root]
        else:
            continue
        for path in files:
            name = path.name
            if name.startswith((".", "~$")) or name.lower() in SKIP_NAMES:
                continue
            if path.suffix.lower() == ".zip":
                yield from _unzip(path, str(path), settings, scratch, depth=1)
            else:
                yield Candidate(path, str(path), _mtime(path))


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author wrote it. Without the UTF-8 flag zipfile decodes names as
    cp437; the Chinese edition of Windows writes them in GBK and macOS in UTF-8 (flag unset)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unsafe_member(name: str) -> str:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or (len(name) > 1 and name[1] == ":"):
        return "的路径指向压缩包以外"
    return ""


def _unzip(path: Path, display: str, settings: Settings, scratch: Path, depth: int) -> Iterator[Candidate]:
    max_files = settings.limit("max_zip_files")
    budget = settings.limit("max_unpacked_mb") * 1024 * 1024
    max_ratio = settings.limit("max_ratio")
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        yield Candidate(path, display, _mtime(path), [catalog.make(
            "FILE-UNREADABLE", reason=f"压缩包已损坏（{exc}）")])
        return
    with zf:
        members = [i for i in infos if not i.is_dir()]
        if len(members) > max_files:
            yield Candidate(path, display, _mtime(path), [catalog.make(
                "FILE-TOO-LARGE", reason=f"压缩包中有{len(members)}个文件，超过上限{max_files}个")])
            return
        total = sum(i.file_size for i in members)
        if total > budget:
            yield Candidate(path, display, _mtime(path), [catalog.make(
                "FILE-TOO-LARGE", reason=f"解压后共{total // (1024 * 1024)}MB，超过上限{budget // (1024 * 1024)}MB")])
            return
        for n, info in enumerate(members):
            name = _member_name(info)
            shown = f"{display}/{name}"
            base = PurePosixPath(name.replace("\\", "/")).name
            if base.startswith((".", "~$")) or base.lower() in SKIP_NAMES or name.startswith("__MACOSX/"):
                continue
            unsafe = _unsafe_member(name)
            if unsafe:
                yield Candidate(path, shown, _mtime(path), [catalog.make("FILE-ZIP-UNSAFE", member=name, reason=unsafe)])
                continue
            if info.compress_size and info.file_size / max(info.compress_size, 1) > max_ratio and info.file_size > 1_000_000:
                yield Candidate(path, shown, _mtime(path), [catalog.make(
                    "FILE-TOO-LARGE", reason=f"压缩比超过{max_ratio}倍，疑似“压缩炸弹”")])
                continue
            if info.flag_bits & 0x1:
                yield Candidate(path, shown, _mtime(path), [catalog.make("FILE-ENCRYPTED")])
                continue
            suffix = PurePosixPath(base).suffix.lower()
            target = scratch / f"{depth}-{n}{suffix if len(suffix) <= 5 else ''}"
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
                yield Candidate(path, shown, _mtime(path), [catalog.make(
                    "FILE-UNREADABLE", reason=f"无法从压缩包中取出（{exc}）")])
                continue
            when = datetime(*info.date_time).isoformat(timespec="seconds") if info.date_time[0] >= 1980 else _mtime(path)
            if suffix == ".zip":
                if depth >= settings.limit("max_zip_depth"):
                    yield Candidate(target, shown, when, [catalog.make(
                        "FILE-ZIP-UNSAFE", member=name, reason=f"是第{depth + 1}层压缩包，超过允许的层数")])
                    continue
                yield from _unzip(target, shown, settings, scratch, depth + 1)
            else:
                yield Candidate(target, shown, when)


def process_file(candidate: Candidate, ctx: CollectContext) -> Processed:
    """Read, identify, extract and validate one file. Never raises for a bad file."""
    from . import reading
    from .extract import extract_return
    from .identify import identify
    from .validate import validate

    try:
        data = candidate.path.read_bytes() if not candidate.problems else b""
    except OSError as exc:
        data = b""
        candidate.problems.append(catalog.make("FILE-UNREADABLE", reason=f"无法打开文件（{exc.strerror}）"))
    sha = _content_id(data, candidate)
    base = Processed(candidate.display, sha, len(data), candidate.submitted_at, UNREADABLE,
                     suffix=candidate.path.suffix.lower() or ".xlsx")
    if candidate.problems:
        base.problems = candidate.problems
        base.outcome = NOT_WORKBOOK if candidate.problems[0].rule_id == "FILE-NOT-WORKBOOK" else UNREADABLE
        return base
    limits = reading.ReadLimits.from_settings(ctx.settings)
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
        from .rollup_format import is_rollup

        if is_rollup(reader):
            return _process_rollup(candidate, ctx, base, limits)
        ident = identify(
            reader, properties=properties, file_name=Path(candidate.display).name, branches=ctx.branches,
            key=ctx.key, year=ctx.settings.year, instructions_sheet=ctx.definition.instructions.sheet,
            current_version=ctx.definition.version, unverified=str(ctx.settings.collect.get("unverified")),
        )
        if not ident.accepted:
            base.problems = ident.problems
            base.outcome = UNIDENTIFIED
            return base
        assert ident.branch is not None
        identity = ident.identity
        if identity is not None and ident.verified:
            base.signed = (identity, ident.signature)
        ret, problems = extract_return(
            ctx.definition, reader, branch_code=ident.branch.code, branch_name=ident.branch.name,
            year=ctx.settings.year,
            template_id=identity.template_id if identity else "",
            template_version=identity.template_version if identity else "",
        )
        problems = ident.problems + problems + validate(ret, ctx.definition, ctx.settings, as_of=ctx.as_of)
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
    base.outcome = NEEDS_FIX if any(p.severity is Severity.ERROR for p in problems) else ACCEPTED
    return base


def _process_rollup(candidate: Candidate, ctx: CollectContext, base: Processed, limits: Any) -> Processed:
    """A lower level's roll-up: read again with the roll-up's row limits, verify, check."""
    from . import reading
    from .collect_rollup import process_rollup
    from .rollup_format import rollup_limits

    try:
        with reading.open_workbook(candidate.path, rollup_limits(limits)) as reader:
            return process_rollup(reader, ctx, base)
    except reading.UnreadableFile as exc:
        base.problems = [catalog.make(exc.rule_id, reason=exc.reason)]
        return base


def _result(p: Processed) -> FileResult:
    counts = count_by_severity(p.problems)
    ret = p.ret
    first = next((x.message for x in p.problems if x.severity is Severity.ERROR), "")
    return FileResult(
        file=p.display, outcome=p.outcome,
        branch_code=ret.branch_code if ret else "", branch_name=ret.branch_name if ret else "",
        rows={led.sheet: len(led.rows) for led in ret.ledgers.values()} if ret else {},
        errors=counts["错误"], warnings=counts["警告"], infos=counts["提示"],
        message=first if p.outcome in FAILED_OUTCOMES else "",
        problems=p.problems,
    )


# Below this many files to process, starting worker processes costs more than it saves.
MIN_POOL_FILES = 8
WORKER_MODULES = ("taizhang.collect", "taizhang.reading", "taizhang.extract", "taizhang.identify",
                  "taizhang.validate", "taizhang.feedback")


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
    from .feedback import write_feedback_file

    assert job.feedback_dir is not None and processed.ret is not None
    fd, name = tempfile.mkstemp(prefix=".~tz-feedback-", suffix=".xlsx", dir=job.feedback_dir)
    os.close(fd)
    try:
        write_feedback_file(Path(name), definition=ctx.definition, settings=ctx.settings, key=ctx.key,
                            ret=processed.ret, problems=processed.problems, original=job.candidate.path,
                            identity=processed.signed)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def collect(
    ws: "Any",
    paths: list[Path] | None = None,
    *,
    as_of: date | None = None,
    write_feedback: bool = True,
    progress: Callable[[str, int | None], None] | None = None,
    workers: int | None = None,
) -> CollectReport:
    """Collect every file under `paths` (default inbox/) into the workspace's store.

    Files are read, identified and validated by `workers` processes (default: the number of
    cores; 1, or fewer than MIN_POOL_FILES files, runs them in this process). This process alone
    writes the store, one transaction per return, in the order the files were found; results
    come in that order too, whatever order the workers finish in. A file whose processing fails,
    even by its worker dying, is reported as 无法读取 and the others are collected.
    `progress(display, total)` is called once with the total (display "") and after each file.
    """
    from . import branches as branches_mod
    from . import links
    from .pool import Failed, ordered_map
    from .store import Store

    settings = ws.settings
    as_of = as_of or date.today()
    branch_list, _problems = branches_mod.read(ws.branches_path)
    ctx = CollectContext(
        definition=ws.definitions, settings=settings,
        branches={b.code: b for b in branches_mod.usable(branch_list)}, key=ws.key, as_of=as_of,
        links=links.verification_keys(ws),
    )
    sources = [Path(p) for p in (paths or [ws.folder("inbox")])]
    feedback_dir = ws.folder("feedback") if write_feedback else None
    workers = default_workers() if workers is None else max(1, int(workers))
    results: list[FileResult] = []
    with tempfile.TemporaryDirectory(prefix="taizhang-") as tmp:
        candidates = list(find_candidates(sources, settings, Path(tmp)))
        if progress:
            progress("", len(candidates))
        with Store.open(ws.store_path) as store:
            # Files stored by an earlier run are not processed again.
            known = [_already_stored(cand, store) for cand in candidates]
        todo = [_Job(cand, feedback_dir) for cand, seen in zip(candidates, known) if seen is None]
        n_workers = min(workers, len(todo)) if len(todo) >= MIN_POOL_FILES else 1
        done = ordered_map(_work, todo, workers=n_workers, initializer=_set_context, initargs=(ctx,),
                           preload=WORKER_MODULES)
        try:
            with Store.open(ws.store_path) as store:
                for cand, seen in zip(candidates, known):
                    if seen is None:
                        _job, out = next(done)
                        processed = _failed(cand, out) if isinstance(out, Failed) else out
                    else:
                        processed = seen
                    results.append(store_processed(ws, store, cand, processed, write_feedback=write_feedback))
                    if progress:
                        progress(cand.display, None)
        finally:
            done.close()
            _set_context(None)  # set here too when the files were processed in this process
            if feedback_dir is not None:  # feedback of files not stored (an interrupted run)
                for stray in feedback_dir.glob(".~tz-feedback-*.xlsx"):
                    stray.unlink(missing_ok=True)
    return CollectReport(files=results, as_of=as_of.isoformat())


def _failed(cand: Candidate, failure: Any) -> Processed:
    """The result for a file whose processing raised or whose worker process died."""
    if failure.crashed:
        reason = "读取时处理程序意外退出，文件可能已损坏或结构异常（其余文件已照常收集）"
    else:
        reason = f"处理时出现程序错误（{failure.detail}），其余文件已照常收集；如另存后仍出错，请把文件发给技术支持人员"
    try:
        data = cand.path.read_bytes()
    except OSError:
        data = b""
    return Processed(cand.display, _content_id(data, cand), len(data), cand.submitted_at, UNREADABLE,
                     problems=[catalog.make("FILE-UNREADABLE", reason=reason)],
                     suffix=cand.path.suffix.lower() or ".xlsx")


def _content_id(data: bytes, cand: Candidate) -> str:
    """The SHA-256 a file is known by: of its bytes, or of its name when it has none."""
    return sha256_bytes(data) if data else sha256_bytes(cand.display.encode("utf-8"))


def store_processed(ws: Any, store: Any, cand: Candidate, processed: Processed, *,
                    write_feedback: bool = True) -> FileResult:
    """Record what became of one processed file (one transaction): a return or a roll-up stored
    and the received bytes archived, its feedback put in place, or the file recorded as refused
    or unreadable. Returns its FileResult."""
    from .safeio import atomic_path
    from .store import NewSubmission

    if processed.ret is not None or processed.rollup is not None:
        # The same bytes may come twice in one batch: the first is stored, the second is not.
        seen = store.file(processed.sha256)
        if seen is not None and seen.outcome == "stored":
            _discard(processed)
            processed = Processed(processed.display, processed.sha256, processed.size, processed.submitted_at,
                                  DUPLICATE, problems=[catalog.make("FILE-DUPLICATE", first=seen.first_path)])
    result = _result(processed)
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
            result.message = FEEDBACK_FAILED
        if not (result.errors or result.warnings):
            _remove_feedback(ws, processed)
    else:
        _discard(processed)
    sub = store.add_submission(NewSubmission(
        ret=processed.ret, file_name=Path(cand.display).name, source_path=cand.display,
        sha256=processed.sha256, size=processed.size, submitted_at=processed.submitted_at,
        verified=processed.verified, problems=processed.problems,
    ))
    result.submission_id = sub.id
    from .collect_rollup import conflict_problem

    conflict = conflict_problem(store, sub.branch_code, sub.year)
    if conflict is not None:
        result.problems = [*result.problems, conflict]
        result.infos += 1
    return result


def _store_rollup(ws: Any, store: Any, processed: Processed, result: FileResult) -> FileResult:
    from . import hierarchy
    from .collect_rollup import store_rollup

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
    current = store.submissions(year=processed.ret.year, branch_code=processed.ret.branch_code,
                                current_only=True)
    return not current or processed.submitted_at >= current[0].submitted_at


def _feedback_path(ws: Any, processed: Processed) -> Path:
    from .feedback import feedback_name

    assert processed.ret is not None
    return ws.folder("feedback") / feedback_name(processed.ret.branch_code, processed.ret.branch_name)


def _place_feedback(ws: Any, processed: Processed) -> str:
    """Move the feedback workbook the worker wrote into place; "" when it cannot be (the return
    is stored all the same: a feedback file open in Excel must not stop the batch)."""
    target = _feedback_path(ws, processed)
    try:
        os.replace(processed.feedback_tmp, target)
    except OSError:  # on Windows, typically: the old feedback is open in Excel
        _discard(processed)
        return ""
    return str(target)


def _remove_feedback(ws: Any, processed: Processed) -> None:
    try:
        _feedback_path(ws, processed).unlink()
    except OSError:  # gone already, or open in Excel (Windows): it stays
        pass


def _discard(processed: Processed) -> None:
    if processed.feedback_tmp:
        Path(processed.feedback_tmp).unlink(missing_ok=True)
        processed.feedback_tmp = ""


def _already_stored(cand: Candidate, store: Any) -> Processed | None:
    """A DUPLICATE result when these exact bytes were stored before; otherwise None."""
    if cand.problems:
        return None
    try:
        data = cand.path.read_bytes()
    except OSError:
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
