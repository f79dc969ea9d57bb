"""A member list (an export of the office's member register) read and shared out to the branches'
党员名册 when the workbooks are issued."""


from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taizhang.errors import InputError
from taizhang.problems import Problem
from taizhang.workspace.branches import Branch
from taizhang.workspace.definitions import Ledger

if TYPE_CHECKING:
    pass


@dataclass
class RosterImport:
    """Members read from a member list for pre-filling rosters."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # branch code -> roster rows
    unmatched: list[str] = field(default_factory=list)  # 所在支部 values that match no branch
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "members": {code: len(rows) for code, rows in self.rows.items()},
            "unmatched": self.unmatched,
            "problems": [p.to_dict() for p in self.problems],
        }


BRANCH_COLUMN = "所在支部"


def read_member_list(path: Path, roster: Ledger, branches: list[Branch]) -> RosterImport:
    """Members from a member list (the roster's headers plus 所在支部, naming the branch by name or
    code), grouped by branch code, as rows for pre-filling 党员名册."""
    from taizhang import reading
    from taizhang.reading.extract import extract_ledger, find_header, fold_header

    if not Path(path).is_file():
        raise InputError(f"找不到党员信息表 {path}。")
    try:
        reader = reading.open_workbook(path)
    except reading.UnreadableFile as exc:
        raise InputError(f"无法读取党员信息表 {Path(path).name}：{exc.reason}。") from None
    best: tuple[int, str, Any] | None = None
    for name in reader.sheet_names:
        sheet = reader.rows(name)
        header_row, found = find_header(roster, sheet)
        if header_row >= 0 and (best is None or len(found) > best[0]):
            best = (len(found), name, sheet)
    if best is None:
        raise InputError(f"党员信息表 {Path(path).name} 中找不到党员名册的表头（姓名、性别、出生日期……）。")
    _, name, sheet = best
    header_row, _ = find_header(roster, sheet)
    header = sheet.cells[header_row]
    branch_col = next((c for c, v in enumerate(header) if fold_header(v) == BRANCH_COLUMN), None)
    if branch_col is None:
        raise InputError(f"党员信息表 {Path(path).name} 中没有“{BRANCH_COLUMN}”列，无法分到各支部。")
    data, problems = extract_ledger(roster, sheet, name)
    by_key: dict[str, Branch] = {}
    for b in branches:
        by_key[fold_header(b.name)] = b
        by_key[fold_header(b.code)] = b
    report = RosterImport(problems=[p for p in problems if p.rule_id != "COLUMN-MISSING"])
    for row in data.rows:
        cells = sheet.cells[row.excel_row - 1]
        which = fold_header(cells[branch_col] if branch_col < len(cells) else "")
        branch = by_key.get(which)
        if branch is None:
            if which and which not in report.unmatched:
                report.unmatched.append(which)
            continue
        values = {k: v for k, v in row.values.items() if v not in (None, "") and k not in row.invalid}
        values.update({k: row.raw[k] for k in row.invalid if k in row.raw})
        report.rows.setdefault(branch.code, []).append(values)
    return report
