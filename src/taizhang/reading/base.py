"""What the reading package hands on: the read limits, the raw sheet, the error for a file that
cannot be read, and cell-reference arithmetic."""


from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

MB = 1024 * 1024
ZIP_KINDS = ("xlsx", "xlsm", "ods")
READABLE_KINDS = ("xlsx", "xlsm", "ods", "xls", "et")
# A sheet read by calamine may allocate at most max_rows * CELLS_PER_ROW cells (~32 bytes each).
CELLS_PER_ROW = 64
# The streaming fallback reads at most this many columns (the ledgers have about 20).
MAX_COLS = 100
# Members smaller than this are not held to the compression-ratio limit.
RATIO_FLOOR = 1 * MB
# Small XML parts (content types, properties, workbook.xml) are read up to this size.
SMALL_PART = 4 * MB
DAMAGED = "文件已损坏或不完整，可能是没有下载或复制完整"
SIZE_MISMATCH = "工作簿内部文件的实际大小与记录不符，文件可能被篡改或已损坏"

Pos = tuple[int, int]


@dataclass(frozen=True)
class ReadLimits:
    """The byte and row budget for reading one returned file."""

    max_file_bytes: int = 30 * MB
    max_unpacked_bytes: int = 200 * MB
    max_ratio: float = 200
    max_rows: int = 20000
    max_members: int = 10000

    @classmethod
    def from_settings(cls, settings: Any) -> ReadLimits:
        """The limits from `settings.collect` (max_file_mb, max_unpacked_mb, max_ratio,
        max_rows_per_sheet); a key that is absent or not a positive number keeps its default."""
        collect = getattr(settings, "collect", None) or {}
        base = cls()

        def number(key: str, default: float) -> float:
            try:
                value = float(collect.get(key, default))
            except (TypeError, ValueError):
                return default
            return value if value > 0 else default

        return cls(
            max_file_bytes=int(number("max_file_mb", base.max_file_bytes / MB) * MB),
            max_unpacked_bytes=int(number("max_unpacked_mb", base.max_unpacked_bytes / MB) * MB),
            max_ratio=number("max_ratio", base.max_ratio),
            max_rows=int(number("max_rows_per_sheet", base.max_rows)),
        )


class UnreadableFile(Exception):
    """A file that cannot be read as a workbook: `rule_id` (FILE-UNREADABLE, FILE-NOT-WORKBOOK,
    FILE-TOO-LARGE, FILE-ENCRYPTED or FILE-UNSAFE) and a short Chinese `reason` for the message."""

    def __init__(self, rule_id: str, reason: str, detail: str = ""):
        super().__init__(f"{rule_id}: {reason}" + (f" ({detail})" if detail else ""))
        self.rule_id = rule_id
        self.reason = reason
        self.detail = detail  # the parser's own (English) words, for logs only


@dataclass
class RawSheet:
    """One sheet as read: cells[row0][col0] (None = empty), capped at the row limit.

    `total_rows` is the 1-based number of the last row holding a value (what Ctrl+End shows),
    `truncated` says rows beyond the limit were not read. `formulas` maps (row0, col0) to the
    formula text where the format lets us see it (xlsx, ods); `uncached` holds the formula cells
    that have no saved result (xlsx only: .xls and LibreOffice's .ods always store results).
    `merged` lists merged ranges as (r0, c0, r1, c1), inclusive; `limit` is the row limit (max_rows).
    """

    cells: list[list[Any]]
    total_rows: int = 0
    truncated: bool = False
    formulas: dict[Pos, str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    uncached: set[Pos] = field(default_factory=set)
    limit: int = 0  # the row limit it was read with (0: not known)

    def value(self, row0: int, col0: int) -> Any:
        """The cell's value (None when empty or outside what was read)."""
        if 0 <= row0 < len(self.cells):
            row = self.cells[row0]
            if 0 <= col0 < len(row):
                return row[col0]
        return None


def column_letter(col0: int) -> str:
    """The Excel column letter of a 0-based column index (0 → "A", 26 → "AA")."""
    out = ""
    n = col0 + 1
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_index(letters: str) -> int:
    """The 0-based index of an Excel column letter ("A" → 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def split_ref(ref: str) -> Pos | None:
    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})", ref.strip())
    if not m:
        return None
    return int(m.group(2)) - 1, column_index(m.group(1))


def read_small(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most `limit` bytes of a member (zipfile never inflates beyond what is read)."""
    with zf.open(name) as member:
        return member.read(limit)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag.rsplit(":", 1)[-1]
