"""Which sheet of a returned workbook is a ledger's: the one the reviewer sees in Excel.

A sheet is matched by its exact name, else by its name folded (NFKC, no whitespace: "三会一课 "
with a trailing space). A visible sheet always wins over a hidden one, even a hidden one with the
exact name (issue 13: a hidden 三会一课 with 65 meetings behind a visible "三会一课 " with 5);
a hidden ledger sheet is a problem either way (SHEET-HIDDEN), a name that is not exact is said
(SHEET-NAME)."""


from __future__ import annotations

import re
import unicodedata
from typing import Any

from taizhang import catalog
from taizhang.problems import Problem


def fold_sheet_name(name: str) -> str:
    """A sheet name as compared when the exact name is not found: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def _visible(reader: Any, name: str) -> bool:
    try:
        return reader.visibility(name) == "visible"
    except (AttributeError, KeyError):
        return True


def pick_sheet(reader: Any, wanted: str) -> tuple[str | None, list[Problem]]:
    """(the name in the file of the sheet read as ledger sheet `wanted`, or None; problems)."""
    names = list(reader.sheet_names)
    target = fold_sheet_name(wanted)
    matches = [n for n in names if n == wanted or fold_sheet_name(n) == target]
    if not matches:
        return None, []
    visible = [n for n in matches if _visible(reader, n)]
    hidden = [n for n in matches if n not in visible]
    pool = visible or hidden
    chosen = wanted if wanted in pool else pool[0]
    problems: list[Problem] = []
    if hidden:
        if visible:
            detail = (f"工作簿中还有隐藏的“{hidden[0]}”工作表，它的内容没有读取，读取的是能看到的“{chosen}”。"
                      "请删除隐藏的工作表，确认能看到的工作表内容完整后重新报送")
        else:
            detail = (f"“{chosen}”工作表被隐藏了，在Excel中看不到，已照常读取。"
                      "请取消隐藏（右键单击工作表标签→取消隐藏），核对内容后重新报送")
        problems.append(catalog.make("SHEET-HIDDEN", sheet=wanted, detail=detail))
    if chosen != wanted:
        problems.append(catalog.make("SHEET-NAME", sheet=wanted, found=chosen))
    return chosen, problems
