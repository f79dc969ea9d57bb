"""Which column of a member list is used for what.

A header names its uses through the synonym table. A header that several systems use for
different things (人员类别: 正式党员/预备党员 in the national system, 在职/离退休 elsewhere, 普通编制
in a university's; 党籍状态: 正常 or 正式党员) is decided by its values: the use whose options most
of them are; a column whose values fit none is not used, and the preview says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from taizhang import catalog
from taizhang.issue.memberlist.header import Header
from taizhang.issue.memberlist.table import SynonymTable
from taizhang.issue.memberlist.values import fits, text
from taizhang.problems import Problem
from taizhang.reading.base import RawSheet, column_letter
from taizhang.workspace.definitions import Ledger

FIT = 0.6  # a column is taken for a use when this share of its values are that use's options
SAMPLE_ROWS = 500

# Uses that are not a roster column, and what they are for.
HELPERS = {
    "person_status": "人员类别（按在职/离退休）",
    "retired": "人员类别（按是否退休）",
    "work_post": "人员类别（按工作岗位）",
    "id_number": "核对出生日期、性别",
    "branch": "所在支部（分到哪个支部）",
    "branch_code": "所在支部（按支部编码）",
}


@dataclass
class ColumnUse:
    """One header cell of the member list and what it is used for ("" = not used)."""

    col: int  # 0-based
    letter: str
    header: str  # as shown: "入党情况/入党日期" for a two-level header
    use: str = ""  # a roster column key or a HELPERS key
    target: str = ""  # what it fills, in Chinese
    note: str = ""  # why it is not used, or how it was decided

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


def target_of(use: str, roster: Ledger) -> str:
    """What a use fills, in Chinese (the roster's header, or the helper's purpose)."""
    if use in HELPERS:
        return HELPERS[use]
    return f"党员名册“{roster.column(use).header}”"


def _choices(use: str, roster: Ledger) -> tuple[str, ...]:
    if use in HELPERS:
        return roster.column("person_category").choices if use == "person_status" else ()
    return roster.column(use).choices


def _known_use(use: str, roster: Ledger) -> bool:
    return use in HELPERS or any(c.key == use for c in roster.columns)


def recognise(sheet: RawSheet, sheet_name: str, head: Header, roster: Ledger,
              table: SynonymTable) -> tuple[list[ColumnUse], list[Problem]]:
    """Every header cell with its use, and the problems (a column named like ours whose values
    are not ours)."""
    problems: list[Problem] = []
    out: dict[int, ColumnUse] = {}
    taken: dict[str, int] = {}
    pending: list[tuple[int, list[str]]] = []
    for c in sorted(head.labels):
        use = ColumnUse(c, column_letter(c), head.shown(c))
        out[c] = use
        label = head.labels[c]
        uses = table.uses(label) or table.uses(head.groups.get(c, "") + label)
        uses = [u for u in uses if _known_use(u, roster)]
        if not uses:
            use.note = "未使用（不在党员名册中）"
        elif len(uses) == 1:
            _take(use, uses[0], taken, roster)
        else:
            pending.append((c, uses))
    for c, uses in pending:
        use = out[c]
        values = [text(sheet.value(r, c)) for r in range(head.first_data, min(len(sheet.cells),
                                                                               head.first_data + SAMPLE_ROWS))]
        values = [v for v in values if v]
        scored = []
        for u in uses:
            choices = _choices(u, roster)
            if u in taken or not choices or not values:
                continue
            share = sum(fits(u if u != "person_status" else "person_category", v, choices, table)
                        for v in values) / len(values)
            scored.append((share, -uses.index(u), u))
        best = max(scored, default=None)
        if best is not None and best[0] >= FIT:
            _take(use, best[2], taken, roster)
            use.note = f"按取值认定为{use.target}"
            continue
        targets = "或".join(target_of(u, roster) for u in uses)
        example = next(iter(dict.fromkeys(v for v in values if not any(
            fits(u, v, _choices(u, roster), table) for u in uses if _choices(u, roster)))), values[0] if values else "")
        use.note = f"未使用：取值不是{targets}的选项" if values else "未使用：没有内容"
        if values:
            problems.append(catalog.make("LIST-COLUMN-UNUSED", sheet=sheet_name, row=head.row + 1,
                                         column=use.header, column_letter=use.letter, value=example,
                                         targets=targets))
    return [out[c] for c in sorted(out)], problems


def _take(use: ColumnUse, key: str, taken: dict[str, int], roster: Ledger) -> None:
    if key in taken:
        use.note = f"未使用：与{column_letter(taken[key])}列重复（用前面的一列）"
        return
    taken[key] = use.col
    use.use = key
    use.target = target_of(key, roster)

