"""Guards over the source: the ways untrusted input could get past the defences stay closed.

- Every XML the tool parses goes through defusedxml (reading/), or through calamine/openpyxl
  only after `reading.check_archive` has refused any part with a DTD.
- Every Excel workbook is created by `safeio.new_xlsx` (user text never becomes a formula).
- openpyxl opens a returned file only in reading/workbook.py (after the archive check); demo/fill.py opens the
  office's own issued workbooks for the demo.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "taizhang"
MODULES = sorted(SRC.rglob("*.py"))


def _code(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(SRC)) for p in MODULES])
def test_no_module_parses_xml_without_defusedxml(path: Path) -> None:
    unsafe = re.findall(r"^\s*(?:from|import)\s+(xml\.(?:etree|dom|sax|parsers)\S*|lxml\S*|minidom|pyexpat)",
                        _code(path), re.M)
    assert unsafe == [], f"{path.name}: use defusedxml instead of {unsafe}"


def test_workbooks_are_created_only_with_the_formula_safe_options() -> None:
    creators = [p.name for p in MODULES if re.search(r"xlsxwriter\.Workbook\(", _code(p))]
    assert creators == ["safeio.py"]
    for p in MODULES:
        assert not re.search(r"strings_to_formulas\W+True", _code(p)), p.name


def test_openpyxl_opens_files_only_where_they_were_checked_or_are_our_own() -> None:
    openers = sorted(str(p.relative_to(SRC)) for p in MODULES if "load_workbook(" in _code(p))
    assert openers == ["demo/fill.py", "reading/workbook.py"]


@pytest.mark.parametrize("name", ["../../x", "CON", "con.txt", "NUL", "COM1", '/\\:*?"<>|', "第七\x07党支部😀",
                                  "..", " . ", "\x00", "中共某某省某某市某某区某某街道党支部" * 20, "a/../../b"])
def test_a_file_name_from_user_text_stays_where_it_is_put(name: str) -> None:
    from taizhang.safeio import safe_filename

    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\" not in safe and ".." not in safe
    assert not any(ord(ch) < 32 for ch in safe) and not safe.startswith(".")
    assert safe.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    assert len(f"001_{safe}_2025年党建工作台账.xlsx".encode()) <= 255
