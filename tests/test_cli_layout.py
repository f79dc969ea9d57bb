"""Output that fits the terminal: at 80 columns tables become one block per row, long Chinese text
wraps between characters, and no number is ever split across lines; at 200 columns the same data
is a grid."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import DEMO_AS_OF, invoke
from rich.cells import cell_len
from rich.text import Text

from taizhang.cli import common

NUMBER = re.compile(r"\d[\d,.:%-]*\d%?|\d%?")


def _run(runner, monkeypatch, width: int, *args: str) -> str:
    monkeypatch.setattr(common.console, "width", width)
    monkeypatch.setattr(common.err_console, "width", width)
    result = invoke(runner, *args)
    assert result.exit_code in (0, 1), result.output
    return result.output


COMMANDS = [
    ("status",),
    ("stats", "--as-of", DEMO_AS_OF.isoformat()),
    ("problems",),
    ("problems", "--ids"),
    ("branches",),
    ("templates",),
    ("consolidate", "--as-of", DEMO_AS_OF.isoformat()),
    ("report", "通报", "--as-of", DEMO_AS_OF.isoformat(), "--date", "2026-01-25"),
    ("report", "年度", "--fields", "--branch", "001", "--as-of", DEMO_AS_OF.isoformat()),
    ("collect", "--no-feedback", "--as-of", DEMO_AS_OF.isoformat()),
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a[:2]) for a in COMMANDS])
def test_no_number_is_split_at_80_columns(runner, monkeypatch, demo_ws, args) -> None:
    narrow = _run(runner, monkeypatch, 80, "-w", str(demo_ws.root), *args)
    wide = _run(runner, monkeypatch, 200, "-w", str(demo_ws.root), *args)
    assert all(cell_len(line) <= 80 for line in narrow.splitlines()), narrow
    missing = Counter(NUMBER.findall(wide)) - Counter(NUMBER.findall(narrow))
    assert not missing, f"numbers split at 80 columns: {sorted(missing)}\n{narrow}"


def test_wide_terminal_shows_grids(runner, monkeypatch, demo_ws) -> None:
    wide = _run(runner, monkeypatch, 200, "-w", str(demo_ws.root), "status")
    assert "┃ 编码" in wide and "▪" not in wide
    narrow = _run(runner, monkeypatch, 80, "-w", str(demo_ws.root), "status")
    assert "▪ 001  机关第一党支部" in narrow and "┃" not in narrow


def test_table_chooses_its_layout_by_width() -> None:
    rows = [["001", "机关第一党支部", "17,559.40", "99.9%", "日期2024-01-09不在2025年度内。本表只登记2025年的事项，请核对年份。" * 2]]
    heads = ["编码", "支部", "实交(元)", "收缴率", "说明"]
    grid = common.table("t", heads, rows, long=["说明"], width=200)
    blocks = common.table("t", heads, rows, long=["说明"], width=60)
    assert not isinstance(grid, common.Blocks) and isinstance(blocks, common.Blocks)
    from rich.console import Console

    console = Console(width=60, no_color=True, highlight=False)
    with console.capture() as cap:
        console.print(blocks)
    text = cap.get()
    assert "17,559.40" in text and "99.9%" in text and "2024-01-09" in text
    assert "说明：" in text  # the long column under the row


def test_prose_breaks_between_characters_not_inside_numbers() -> None:
    text = Text("“2025年4月9日”已识别为2025年4月9日。建议使用标准格式（2025-04-09）。应交党费339,694.20元")
    for width in range(16, 60):  # wider than the widest unbreakable run ("（2025-04-09）。")
        lines = [line.plain for line in common.wrap_lines(text, width)]
        assert "".join(lines) == text.plain
        assert all(cell_len(line) <= width for line in lines)
        joined = "\n".join(lines)
        for number in ("2025-04-09", "339,694.20"):
            assert number in joined
        assert not any(line.startswith(("。", "）", "，")) for line in lines)
