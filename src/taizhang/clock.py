"""The library's clock. Every date and time the library records (when a round was issued, a
roll-up made, a return received, a list drawn up) comes from `now()`, which is the real time unless
a caller fixes it for a while with `fixed(...)`: the demo runs a whole year of work on the days
its story says, so that what it writes is dated consistently."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

_fixed: datetime | None = None


def now() -> datetime:
    """The current time (local, to the second), or the fixed one."""
    return (_fixed or datetime.now()).replace(microsecond=0)


def today() -> date:
    """The current date, or the fixed one's."""
    return now().date()


def stamp() -> str:
    """now() as an ISO string, as the store and the workbooks record it."""
    return now().isoformat(timespec="seconds")


@contextmanager
def fixed(moment: datetime) -> Iterator[None]:
    """Within the block, now() is `moment`."""
    global _fixed
    before, _fixed = _fixed, moment
    try:
        yield
    finally:
        _fixed = before
