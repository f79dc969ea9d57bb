"""The files a collection run looks at: workbooks in inbox/ or named on the command line, and the
workbooks inside zip files (names decoded, paths kept inside, nesting bounded)."""


from __future__ import annotations

import hashlib
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Iterator

from taizhang import catalog, clock
from taizhang.problems import Problem
from taizhang.workspace.config import Settings

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".et"}
SKIP_NAMES = {"thumbs.db", ".ds_store", "desktop.ini"}


@dataclass
class Candidate:
    """A file to collect: a real path on disk, and how to show where it came from."""

    path: Path
    display: str
    submitted_at: str  # the file's own time (mtime or zip entry time), orders returns of a branch
    problems: list[Problem] = field(default_factory=list)  # problems found while unpacking


def candidate_for(path: Path) -> Candidate:
    """The candidate for one file named by the user (the self-check)."""
    return Candidate(path, str(path), _mtime(path))


def sha256_bytes(data: bytes) -> str:
    """The hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def _mtime(path: Path) -> str:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).isoformat(timespec="seconds")
    except OSError:
        return clock.stamp()


def noise(name: str) -> bool:
    """A file no branch sends: an Office lock file (~$name.xlsx, 165 bytes while Excel has the
    workbook open), a system file (Thumbs.db, .DS_Store, desktop.ini), a macOS "._" companion."""
    return name.startswith(("~$", "._")) or name.lower() in SKIP_NAMES


def hidden(name: str) -> bool:
    """A hidden file (name starting with "."): skipped in a folder, but said (FILE-HIDDEN)."""
    return name.startswith(".") and not noise(name)


def find_candidates(paths: list[Path], settings: Settings, scratch: Path,
                    skipped: list[str] | None = None) -> Iterator[Candidate]:
    """Every file under `paths` (folders walked, zips unpacked into `scratch`, bounded).

    Non-workbooks are yielded too (they are reported as such). A file named in `paths` is never
    skipped, whatever its name. In a folder or a zip, Office lock files and system files are
    skipped, and hidden files (".name") too, their shown paths added to `skipped` (collect says
    so once).
    """
    for root in paths:
        root = Path(root)
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file())
        elif root.exists():  # named on the command line: never skipped, whatever its name
            if root.is_file() and root.suffix.lower() == ".zip":
                yield from _unzip(root, str(root), settings, scratch, depth=1, skipped=skipped)
            else:  # a device or a pipe is refused by process_file, not read
                yield Candidate(root, str(root), _mtime(root))
            continue
        else:
            continue
        for path in files:
            name = path.name
            if noise(name):
                continue
            if hidden(name) or any(part.startswith(".") for part in path.relative_to(root).parts[:-1]):
                if skipped is not None and not noise(name):
                    skipped.append(str(path))
                continue
            if path.suffix.lower() == ".zip":
                yield from _unzip(path, str(path), settings, scratch, depth=1, skipped=skipped)
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


def _unzip(path: Path, display: str, settings: Settings, scratch: Path, depth: int,
           skipped: list[str] | None = None) -> Iterator[Candidate]:
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
            if noise(base) or name.startswith("__MACOSX/"):
                continue
            if hidden(base):
                if skipped is not None:
                    skipped.append(shown)
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
                yield from _unzip(target, shown, settings, scratch, depth + 1, skipped)
            else:
                yield Candidate(target, shown, when)


def content_id(data: bytes, cand: Candidate) -> str:
    """The SHA-256 a file is known by: of its bytes, or of its name when it has none."""
    return sha256_bytes(data) if data else sha256_bytes(cand.display.encode("utf-8"))
