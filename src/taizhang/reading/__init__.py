"""Untrusted files in: what a returned file is, whether it is safe to read, its raw cells, and
those cells as typed ledger rows.

The modules, in the order a file meets them: `sniff` (what the bytes are), `guard` (size, zip
and XML limits, before any parser), `workbook` (the reader: calamine, with `xlsx`, `xls` and `ods`
bounding each sheet's extent first), `properties` (custom document properties), `normalise` (a
cell as a typed value, read the way people type) and `extract` (a sheet as typed rows, by header).

This package exports what the rest of taizhang uses to open a file.
"""

from taizhang.reading.base import (
    MB,
    READABLE_KINDS,
    ZIP_KINDS,
    RawSheet,
    ReadLimits,
    UnreadableFile,
    column_index,
    column_letter,
)
from taizhang.reading.guard import check_archive, read_bounded
from taizhang.reading.properties import read_properties
from taizhang.reading.sniff import sniff
from taizhang.reading.workbook import WorkbookReader, open_workbook

__all__ = [
    "MB",
    "READABLE_KINDS",
    "ZIP_KINDS",
    "RawSheet",
    "ReadLimits",
    "UnreadableFile",
    "WorkbookReader",
    "check_archive",
    "column_index",
    "column_letter",
    "open_workbook",
    "read_bounded",
    "read_properties",
    "sniff",
]
