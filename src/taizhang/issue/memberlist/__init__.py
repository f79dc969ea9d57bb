"""Member lists as offices have them: an export of the national 党员管理信息系统, a university's
or an enterprise's system, shared out to the branches' 党员名册.

`import_member_list` reads one file and says what would go to which branch; it writes nothing.
The modules, in the order a list meets them: `table` (the synonym table: which headers and values
mean what, shipped as columns.toml and extended in the workspace), `header` (where the header is,
under title rows and notes, in one row or two), `columns` (which column is used for what, by
header and, where systems differ, by the values), `values` (options, dates, 身份证号) and
`placing` (which branch a 所在支部 means).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taizhang.errors import InputError
from taizhang.issue.memberlist import header as header_mod
from taizhang.issue.memberlist import table as table_mod
from taizhang.issue.memberlist.columns import ColumnUse, recognise
from taizhang.issue.memberlist.placing import Matcher
from taizhang.issue.memberlist.rows import Part, read_rows
from taizhang.problems import Problem
from taizhang.reading.base import UnreadableFile
from taizhang.workspace.branches import Branch
from taizhang.workspace.definitions import Ledger

WORKSPACE_FILE = table_mod.WORKSPACE_FILE


@dataclass
class BranchShare:
    """The members that go to one branch."""

    code: str
    name: str
    rows: list[dict[str, Any]]  # roster rows (column key → value)
    excel_rows: list[int]  # where they are in the member list
    matched_by: list[str]  # how the 所在支部 values were matched: 编码 / 名称 / 全称
    written: list[str]  # the 所在支部 values as written in the list
    problems: int = 0  # problems in its rows

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"code": self.code, "name": self.name, "members": len(self.rows), "excel_rows": self.excel_rows,
                "matched_by": self.matched_by, "written": self.written, "problems": self.problems}


@dataclass
class Unplaced:
    """A 所在支部 value that could not be matched, and the rows that hold it."""

    value: str
    rows: list[int]
    candidates: list[str]  # "编码 名称" of the branches it may mean (ambiguous), [] when none

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"value": self.value, "rows": self.rows, "candidates": self.candidates}


@dataclass
class Mapping:
    """Values of one column written otherwise than the roster's option, and how often."""

    column: str  # the member list's header
    target: str  # the roster's header
    written: str
    option: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class MemberImport:
    """What a member list gives the rosters (nothing is written by reading it)."""

    file: str
    sheet: str = ""
    header_rows: list[int] = field(default_factory=list)  # 1-based
    notes: list[str] = field(default_factory=list)  # the texts above the header
    columns: list[ColumnUse] = field(default_factory=list)  # every header cell, used or not
    shares: list[BranchShare] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    blank_branch: list[int] = field(default_factory=list)  # rows with no 所在支部
    mappings: list[Mapping] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    members_read: int = 0
    synonym_files: list[str] = field(default_factory=list)
    sheet_branches: dict[str, str] = field(default_factory=dict)  # one sheet per branch: sheet → branch as written

    @property
    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """Branch code → its roster rows."""
        return {s.code: s.rows for s in self.shares}

    @property
    def placed(self) -> int:
        """Members placed in a branch."""
        return sum(len(s.rows) for s in self.shares)

    @property
    def unmatched(self) -> list[str]:
        """The 所在支部 values that match no branch, or several."""
        return [u.value for u in self.unplaced]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "header_rows": self.header_rows,
            "notes": self.notes,
            "members_read": self.members_read,
            "placed": self.placed,
            "members": {s.code: len(s.rows) for s in self.shares},
            "branches": [s.to_dict() for s in self.shares],
            "unmatched": self.unmatched,
            "unplaced": [u.to_dict() for u in self.unplaced],
            "blank_branch_rows": self.blank_branch,
            "columns": [c.to_dict() for c in self.columns],
            "mappings": [m.to_dict() for m in self.mappings],
            "problems": [p.to_dict() for p in self.problems],
            "synonym_files": self.synonym_files,
            "sheet_branches": self.sheet_branches,
        }


def import_member_list(path: Path, roster: Ledger, branches: list[Branch], *, org: str = "",
                       workspace_root: Path | None = None) -> MemberImport:
    """What the member list at `path` gives each of `branches`' 党员名册 (`roster` is the roster
    ledger, whose columns and lists the values are mapped to; `org` the organisation's name,
    left out when matching branch names; `workspace_root` where 党员信息表列名.toml may be).

    Raises InputError when the file cannot be read, has no member table (姓名 and at least one
    other known column) or no column naming the branch; problems in its rows are values."""
    from taizhang import reading

    path = Path(path)
    if not path.is_file():
        raise InputError(f"找不到党员信息表 {path}。")
    table = table_mod.load(workspace_root)
    try:
        with reading.open_workbook(path) as reader:
            found = _sheets(reader, table)
    except reading.UnreadableFile as exc:
        raise InputError(f"无法读取党员信息表 {path.name}：{exc.reason}。"
                         "请用Excel或WPS打开后另存为.xlsx再导入。") from None
    if not found:
        raise InputError(f"党员信息表 {path.name} 中找不到表头（姓名、性别、出生日期……）。"
                         f"请确认这是党员名单；列名与常见系统不同的，在工作区的 {WORKSPACE_FILE} 中写明（见 README）。")
    parts: list[Part] = []
    problems: list[Problem] = []
    for sheet_name, sheet, head in found:
        columns, found_problems = recognise(sheet, sheet_name, head, roster, table)
        if any(c.use == "name" for c in columns):
            parts.append(Part(sheet_name, sheet, head, columns))
            problems += found_problems
    if not parts:
        raise InputError(f"党员信息表 {path.name} 中没有“姓名”列。")
    with_branch = [p for p in parts if any(c.use in ("branch", "branch_code") for c in p.columns)]
    if with_branch:
        parts = with_branch[:1]  # the sheet that names the most known columns and the branches
    else:
        parts = _one_sheet_per_branch(parts, branches, org)
        if not parts:
            head = found[0][2]
            shown = "、".join(head.shown(c) for c in sorted(head.labels))
            raise InputError(
                f"党员信息表 {path.name} 中没有写明所在支部的列（如“所在党支部”“所属党支部”），工作表名称和标题也对不上"
                f"支部名单，无法分到各支部。表头是：{shown}。请加上所在党支部列，或每个支部一张工作表、以支部名称命名；"
                f"如果是别的列名，请在工作区的 {WORKSPACE_FILE} 的 [columns] branch 中加上它。")
    first = parts[0]
    report = MemberImport(file=str(path), sheet="、".join(p.name for p in parts),
                          header_rows=list(range(first.head.top + 1, first.head.row + 2)), notes=first.head.notes,
                          columns=first.columns, synonym_files=list(table.sources),
                          sheet_branches={p.name: p.branch or "" for p in parts if p.branch is not None})
    report.problems += [p for p in problems if p.sheet in {part.name for part in parts}]
    read_rows(report, parts, roster, table, branches, org)
    return report


_TITLE_WORDS = re.compile(r"(\d{4}年度?|党员名册|党员花名册|花名册|党员信息表?|党员名单|名册|名单|信息表|一览表|汇总表)")


def _one_sheet_per_branch(parts: list[Part], branches: list[Branch], org: str) -> list[Part]:
    """A list kept one sheet per branch: the sheets whose name (or title, without 党员名册 …)
    names a branch, each standing for it; [] when no sheet does."""
    matcher = Matcher(branches, org)
    out = []
    for part in parts:
        said = [part.name] + [_TITLE_WORDS.sub("", n).strip() for n in part.head.notes[:1]]
        written = next((w for w in said if w and matcher.name(w).branch is not None), None)
        out.append(Part(part.name, part.sheet, part.head, part.columns, written or part.name))
    return out if any(matcher.name(p.branch or "").branch is not None for p in out) else []


def _sheets(reader: Any, table: table_mod.SynonymTable) -> list[tuple[str, Any, header_mod.Header]]:
    """The sheets with a header, the one naming the most known columns first."""
    found = []
    for name in reader.sheet_names:
        try:
            sheet = reader.rows(name)
        except (UnreadableFile, KeyError):  # a sheet that cannot be read is not a member table
            continue
        head = header_mod.find(sheet, table)
        if head is not None:
            known = len({table_mod.fold(v) for v in head.labels.values() if table.uses(v)})
            found.append((known, name, sheet, head))
    found.sort(key=lambda f: -f[0])
    return [f[1:] for f in found]


__all__ = ["WORKSPACE_FILE", "BranchShare", "MemberImport", "Unplaced", "import_member_list"]
