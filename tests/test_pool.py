"""ordered_map: results in the items' order, one failing item never stops the others."""

from __future__ import annotations

import os
import time

from taizhang.collect.pool import Failed, ordered_map

_PREFIX = ""


def _set_prefix(prefix: str) -> None:
    global _PREFIX
    _PREFIX = prefix


def _label(n: int) -> str:
    # Early items take longest, so workers finish out of order.
    time.sleep(0.002 * (12 - n) if n < 12 else 0)
    return f"{_PREFIX}{n * n}"


def _fragile(n: int) -> str:
    if n == 4:
        raise ValueError("第4个坏了")
    if n == 7:
        os._exit(3)  # the worker process dies, as in a crash of a parser
    return f"{_PREFIX}{n}"


def test_results_come_in_the_order_of_the_items() -> None:
    out = list(ordered_map(_label, range(30), workers=2, initializer=_set_prefix, initargs=("#",)))
    assert [item for item, _ in out] == list(range(30))
    assert [r for _, r in out] == [f"#{n * n}" for n in range(30)]


def test_an_error_or_a_dying_worker_fails_only_its_own_item() -> None:
    out = dict(ordered_map(_fragile, range(12), workers=2, initializer=_set_prefix, initargs=("ok",)))
    assert out[4] == Failed(False, "ValueError: 第4个坏了")
    assert isinstance(out[7], Failed) and out[7].crashed
    assert {n: r for n, r in out.items() if n not in (4, 7)} == {n: f"ok{n}" for n in range(12) if n not in (4, 7)}


def test_one_worker_runs_in_this_process_and_still_contains_errors() -> None:
    out = list(ordered_map(_fragile, [1, 4, 5], workers=1, initializer=_set_prefix, initargs=("here",)))
    assert out == [(1, "here1"), (4, Failed(False, "ValueError: 第4个坏了")), (5, "here5")]
    assert _PREFIX == "here"  # the initializer ran in this process


def _only_here(prefix: str) -> None:
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        raise RuntimeError("workers cannot start here")
    _set_prefix(prefix)


def test_when_workers_cannot_start_everything_is_done_in_this_process() -> None:
    out = list(ordered_map(_label, range(10), workers=2, initializer=_only_here, initargs=("=",)))
    assert out == [(n, f"={n * n}") for n in range(10)]
