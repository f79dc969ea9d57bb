"""The demo tells one story of dates, fixed by the ledger year and never by the day it is run:
issued in January of the ledger year, returns around the next January's deadline, roll-ups made
before the committee collects, reports dated after the deadline."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from taizhang import clock
from taizhang.demo import DemoClock
from taizhang.party.calendar import cn_date
from taizhang.workspace import Workspace
from taizhang.workspace.store import Store


def test_demo_clock_follows_the_ledger_year_only() -> None:
    for year in (2023, 2025, 2031):
        days = DemoClock(year)
        assert days.issued.year == year and days.issued.month == 1
        assert days.lower_issued > days.issued
        assert days.lower_deadline < days.rolled_up.date() < days.deadline < days.collected
        assert DemoClock(year - 1).collected < days.issued_on  # the year before collected, then issued
        assert days.deadline == date(year + 1, 1, 15)


def test_the_library_clock_can_be_fixed_for_a_while() -> None:
    moment = datetime(2025, 1, 8, 9, 0)
    with clock.fixed(moment):
        assert clock.now() == moment and clock.stamp() == "2025-01-08T09:00:00"
    assert clock.now() != moment


@pytest.fixture
def demo(demo_cli) -> Workspace:
    """The whole demo (built once for the session, through the CLI)."""
    return demo_cli[0]


def _text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_the_demo_dates_hold_together(demo) -> None:
    year = demo.settings.year
    days = DemoClock(year)
    with Store.open(demo.store_path) as store:
        issued = store.last_issued(year)
        subs = store.submissions(year=year, current_only=True)
        rollups = store.rollups(year)
    assert issued and all(i.issued_at.startswith(days.issued_on.isoformat()) for i in issued.values())
    sent = [datetime.fromisoformat(s.submitted_at) for s in subs]
    assert all(days.issued < t < days.at(days.collected) for t in sent)
    assert any(t.date() > days.deadline for t in sent), "one branch returns late"
    assert any(t.date() <= days.deadline for t in sent)
    assert all(s.received_at.startswith(days.collected.isoformat()) for s in subs if not s.origin)
    assert rollups and all(r.created_at < r.received_at for r in rollups)
    assert all(r.received_at.startswith(days.collected.isoformat()) for r in rollups)
    notice = next((demo.root / "outbox").glob("*.docx"))
    text = _text(notice)
    assert cn_date(days.issued_on) in text and f"{year + 1}年1月15日" in text
    bulletin = next((demo.root / "output" / "reports").glob("*台账检查情况通报.docx"))
    assert f"{year + 1}年1月20日" in _text(bulletin)


def test_demo_names_the_program_that_will_run(monkeypatch, tmp_path) -> None:
    from taizhang.cli import demo_cmd

    program = tmp_path / "bin" / "taizhang"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    monkeypatch.setattr(demo_cmd.sys, "argv", [str(program)])
    monkeypatch.setattr(demo_cmd.shutil, "which", lambda name: None)
    assert demo_cmd._program() == str(program.resolve())
    monkeypatch.setattr(demo_cmd.shutil, "which", lambda name: str(program))
    assert demo_cmd._program() == "taizhang"
