"""Safe output: atomic writes, file names from user data, and Excel writers that never emit a
formula from user text."""

from __future__ import annotations

import contextlib
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
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` atomically.

    On an exception the temporary file is removed and `target` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix or ".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates 0600; an output should get the usual permissions of a new file.
        os.chmod(tmp_path, 0o666 & ~_UMASK)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


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
