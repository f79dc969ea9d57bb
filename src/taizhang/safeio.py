"""Safe output: atomic writes, file names from user data, and Excel writers that never emit a
formula from user text."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import xlsxwriter

_RESERVED = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
# C0 and C1 control characters but tab and line breaks: XML 1.0, Word and a terminal cannot
# take them (python-docx raises, a terminal obeys escape sequences).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Most file systems allow 255 bytes in a file name; the part from user text leaves room for the
# code, the suffix and the words around it.
MAX_NAME_BYTES = 150
_UMASK = os.umask(0)
os.umask(_UMASK)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Temporary files of atomic writes start with this; a killed command may leave one behind.
TEMP_PREFIX = ".~tz-"

# Options for every xlsxwriter workbook we write: user text stays text.
XLSX_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def strip_control(text: str) -> str:
    """`text` without control characters (tab and line breaks are kept)."""
    return _CONTROL.sub("", text)


# Characters that reorder what a terminal shows (right-to-left override, isolates, marks): a file
# named "台账\u202exslx.exe" would show as "台账exe.xlsx". Never shown, and escaped in JSON.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# C1 controls and bidi characters in JSON text (json.dumps escapes only C0 controls).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def terminal_text(text: str) -> str:
    """`text` as it may reach a terminal: no control characters (escape sequences), no
    characters that reorder the line (bidi overrides); tab and line breaks kept."""
    return BIDI.sub("", _CONTROL.sub("", text))


def json_text(text: str) -> str:
    """JSON text with C1 controls and bidi characters written as \\uXXXX escapes: the same
    JSON value, harmless on a terminal."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def safe_filename(text: str, *, fallback: str = "未命名", max_len: int = 80,
                  max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file-name part made from user text: no path separators, reserved names (CON, NUL …),
    control characters or leading dots; at most `max_len` characters and `max_bytes` bytes of
    UTF-8; never empty."""
    text = unicodedata.normalize("NFC", str(text))
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    text = re.sub(r"\.{2,}", "_", text)
    if not text or set(text) <= {"_"}:
        text = fallback
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    if len(text) > max_len:
        text = text[:max_len].rstrip(" .")
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1].rstrip(" .")
    return text or fallback


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    """A new temporary file beside `target` (so a rename onto it is atomic). On an exception in
    the block it is removed and the error is named after `target`, never the temporary name."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix or ".tmp", dir=target.parent)
    except OSError as exc:
        _name_target(exc, target)
        raise
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        _name_target(exc, target)
        raise


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` atomically.

    On an exception the temporary file is removed and `target` is left as it was.
    """
    target = Path(target)
    with _temporary_beside(target) as tmp_path:
        yield tmp_path
        # mkstemp creates 0600; an output should get the usual permissions of a new file.
        os.chmod(tmp_path, 0o666 & ~_UMASK)
        os.replace(tmp_path, target)


class AtomicBatch:
    """Atomic writes of a set of files that appear together: each is written to a temporary file
    beside its target, and the targets are replaced only when the whole set is written (see
    `atomic_batch`). A run killed before then leaves every old file as it was (and temporary
    files that the next writing command removes)."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    @contextlib.contextmanager
    def path(self, target: Path) -> Iterator[Path]:
        """Yield a temporary path beside `target`; it replaces `target` when the batch is done."""
        target = Path(target)
        with _temporary_beside(target) as tmp_path:
            yield tmp_path
            os.chmod(tmp_path, 0o666 & ~_UMASK)
        self._pending.append((tmp_path, target))

    def commit(self) -> None:
        """Put every written file in place (renames only: no data is written any more)."""
        while self._pending:
            tmp, target = self._pending[0]
            try:
                os.replace(tmp, target)
            except OSError as exc:
                _name_target(exc, target)
                raise
            self._pending.pop(0)

    def discard(self) -> None:
        """Remove the temporary files of the files not put in place."""
        for tmp, _target in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._pending.clear()


@contextlib.contextmanager
def atomic_batch() -> Iterator[AtomicBatch]:
    """A set of atomic writes (`batch.path(target)`) put in place together when the block ends
    without an exception; on an exception (or a kill) none of them replaces its target."""
    batch = AtomicBatch()
    try:
        yield batch
        batch.commit()
    finally:
        batch.discard()


def _name_target(exc: BaseException, target: Path) -> None:
    """Make an OS error (or xlsxwriter's FileCreateError wrapping one) about the temporary file
    of an atomic write name the file the user asked for: that is the one the message shows."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
    if not isinstance(inner, OSError):
        return
    # a full or read-only disk is about the file being written, whatever the error names (shutil
    # names the source of a copy)
    if inner.errno in _FULL or inner.errno == errno.EROFS or not inner.filename \
            or Path(str(inner.filename)).name.startswith(TEMP_PREFIX) or Path(str(inner.filename)) == target.parent:
        with contextlib.suppress(AttributeError, TypeError):
            inner.filename = str(target)


# errno values that mean "no room left": the disk, or the user's quota on it
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), getattr(errno, "EFBIG", errno.ENOSPC)}


def os_error_message(exc: BaseException) -> str:
    """What an OS error while reading or writing a file means for the user, in Chinese, naming
    the file and saying what to do: a full disk, a read-only folder (a backup copy, a read-only
    share), a file open in Excel or WPS, a missing file. Also takes xlsxwriter's FileCreateError,
    which wraps the OS error."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
    if not isinstance(inner, OSError):
        return f"无法写入文件：{exc}"
    name = inner.filename or ""
    where = f"“{name}”" if name else "文件"
    code = inner.errno
    if code in _FULL:
        return (f"磁盘空间已满，{where}没能写入。已写了一半的文件已删除，原有的文件保持不变。"
                "请清理该磁盘（删除不需要的文件、清空回收站）腾出空间后，重新运行这个命令。")
    if code == errno.EROFS:
        return (f"{where}所在的磁盘是只读的（例如光盘、写保护的U盘或只读挂载的共享），无法写入。"
                "请把工作区复制到可写的位置再运行。")
    if isinstance(inner, PermissionError):
        if name and read_only_folder(Path(name)):
            folder = Path(name) if Path(name).is_dir() else Path(name).parent
            return (f"文件夹“{folder}”是只读的（例如备份副本或只读的共享文件夹），无法在其中写入{where}。"
                    "请把工作区复制到可写的位置再运行，或请管理员开放写入权限。")
        return (f"{where}无法写入：它可能正在Excel或WPS中打开，或被设为只读。"
                "请关闭打开它的程序（或取消只读属性）后重新运行这个命令。")
    if isinstance(inner, FileNotFoundError):
        return f"找不到{where}，请检查文件或文件夹是否存在、是否已被移走或改名。"
    return f"读写{where}时出错：{inner.strerror or inner}。请检查磁盘、U盘或网络共享是否正常，然后重试。"


def read_only_folder(path: Path) -> bool:
    """Whether `path` (a file, or a file to be made) is in a folder this process cannot write
    to (read-only permissions or a read-only file system), as opposed to a file locked by
    another program in a writable folder."""
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return not os.access(folder, os.W_OK)


def atomic_write_bytes(target: Path, data: bytes) -> Path:
    """Write `data` to `target` atomically; return `target`."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def atomic_write_text(target: Path, text: str) -> Path:
    """Write UTF-8 `text` to `target` atomically; return `target`."""
    return atomic_write_bytes(target, text.encode("utf-8"))


def new_xlsx(path: Path, *, constant_memory: bool = False) -> xlsxwriter.Workbook:
    """An xlsxwriter Workbook with user text never turned into formulas, URLs or numbers.

    The workbook's parts are assembled in memory (no temporary files: 10–15% faster for a ledger
    workbook). `constant_memory` instead writes each row out to a temporary file when the next one
    starts (rows must then be written in order, sheet by sheet), for workbooks with many rows."""
    mode = {"constant_memory": True} if constant_memory else {"in_memory": True}
    import xlsxwriter  # only where a workbook is written (start-up of other commands stays light)

    return xlsxwriter.Workbook(str(path), {**XLSX_OPTIONS, **mode})


def is_formula_like(text: Any) -> bool:
    """Whether a string would be taken as a formula by a spreadsheet if written naively."""
    return isinstance(text, str) and text.startswith(FORMULA_PREFIXES)


def set_text_cell(cell: Any, text: str) -> None:
    """Put `text` in an openpyxl cell as a string even if it starts with '=' (openpyxl would
    otherwise store it as a formula)."""
    cell.value = text
    if isinstance(text, str):
        cell.data_type = "s"


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
