"""Run a function over many items in worker processes, results in the items' order.

`ordered_map` keeps only a small window of items in flight (memory does not grow with the number
of items), yields each result as soon as it and every item before it are done, and never lets one
item stop the others: an exception in `fn` and a worker process that dies (a crash in a parser,
the operating system killing it) both become a `Failed` for that item. When a worker dies, every
item in flight loses its result; each is run again, and the item at the head is run alone first,
so that the one that kills a worker is found and the innocent ones are not blamed. When workers
cannot run at all (a fresh pool cannot even run an empty task), the rest is done in this process.

Workers are started with "forkserver" where the platform has it (a fresh process, not a copy of
the caller with its open database and threads), else with "spawn". They ignore Ctrl-C: the caller
handles it and shuts the pool down.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Items in flight per worker: enough to keep every worker busy while the caller handles results.
WINDOW_PER_WORKER = 4
# How often a worker looks whether the process that started it is still there.
WATCHDOG_SECONDS = 1.0


@dataclass(frozen=True)
class Failed:
    """An item whose function raised (`crashed` False) or whose worker process died."""

    crashed: bool
    detail: str  # the exception ("KeyError: 'x'"), or how the worker ended


def _quiet_init(initializer: Callable[..., None] | None, initargs: tuple[Any, ...],
                preload: tuple[str, ...], caller: int = 0) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if caller:
        threading.Thread(target=_exit_with, args=(caller,), daemon=True, name="taizhang-watchdog").start()
    for name in preload:
        __import__(name)
    if initializer is not None:
        initializer(*initargs)


def _exit_with(caller: int) -> None:
    """End this worker once the process that started the pool is gone (killed, not shut down):
    a worker of a forkserver pool would otherwise wait for work forever, and keep the forkserver
    alive with it."""
    parent = multiprocessing.parent_process()
    while True:
        time.sleep(WATCHDOG_SECONDS)
        if os.name == "nt":  # spawn: the caller is the parent; os.kill(pid, 0) would signal it
            gone = parent is not None and not parent.is_alive()
        else:
            try:
                os.kill(caller, 0)
                gone = False
            except ProcessLookupError:
                gone = True
            except PermissionError:  # the id now belongs to someone else's process
                gone = True
        if gone:
            os._exit(1)


def _context(preload: tuple[str, ...]) -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(preload))
        return ctx
    return multiprocessing.get_context("spawn")


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    preload: tuple[str, ...] = (),
) -> Iterator[tuple[T, R | Failed]]:
    """(item, fn(item) or Failed) for every item, in the order of `items`.

    With `workers` ≤ 1 everything runs in this process (`initializer(*initargs)` is called here
    once); otherwise in that many worker processes, each initialised once. `fn`, the items and
    the results must be picklable; `preload` names modules the workers import before starting.
    """
    if workers <= 1:
        if initializer is not None:
            initializer(*initargs)
        for item in items:
            try:
                yield item, fn(item)
            except Exception as exc:  # one item's error must not stop the batch
                yield item, Failed(False, _describe(exc))
        return
    window = workers * WINDOW_PER_WORKER
    source = iter(items)
    pending: deque[tuple[T, Future[R]]] = deque()

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=_context(preload), initializer=_quiet_init,
                                   initargs=(initializer, initargs, preload, os.getpid()))

    def here(rest: Iterable[T]) -> Iterator[tuple[T, R | Failed]]:
        """The items not yet given, in this process (the workers cannot run)."""
        return ordered_map(fn, rest, workers=1, initializer=initializer, initargs=initargs)

    try:
        pool = new_pool()
    except _CANNOT_START:  # no process pools on this system (no semaphores, no fork …)
        yield from here(source)
        return
    try:
        while True:
            while len(pending) < window:
                item = next(source, _END)
                if item is _END:
                    break
                try:
                    future = pool.submit(fn, item)  # type: ignore[arg-type]
                except _CANNOT_START:  # the processes could not be started
                    rest = [*(other for other, _f in pending), item]
                    pending.clear()
                    yield from here([*rest, *source])
                    return
                pending.append((item, future))
            if not pending:
                return
            item, future = pending.popleft()
            try:
                yield item, future.result()
                continue
            except BrokenProcessPool:
                pass
            except Exception as exc:
                yield item, Failed(False, _describe(exc))
                continue
            # A worker died. Find out in a fresh pool whether workers can run at all, then run the
            # head item alone to learn whether it was the cause; then send the others again.
            pool.shutdown(wait=True, cancel_futures=True)
            try:
                pool = new_pool()
                works = _pool_works(pool)
            except _CANNOT_START:
                works = False
            if not works:
                # Workers cannot be started here (not the files' fault): do the rest in this process.
                pool.shutdown(wait=True, cancel_futures=True)
                rest = [item, *(other for other, _f in pending)]
                pending.clear()
                yield from here([*rest, *source])
                return
            try:
                result: R | Failed = pool.submit(fn, item).result()
            except BrokenProcessPool:
                result = Failed(True, "处理这个文件的进程意外退出")
                pool.shutdown(wait=True, cancel_futures=True)
                pool = new_pool()
            except Exception as exc:
                result = Failed(False, _describe(exc))
            for i, (other, f) in enumerate(pending):  # all done: the old pool is shut down
                if f.cancelled() or isinstance(f.exception(), BrokenProcessPool):
                    pending[i] = (other, pool.submit(fn, other))
            yield item, result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# What starting worker processes raises where it cannot be done.
_CANNOT_START = (OSError, NotImplementedError, ImportError)


def _nothing() -> bool:
    return True


def _pool_works(pool: ProcessPoolExecutor) -> bool:
    try:
        return pool.submit(_nothing).result()
    except BrokenProcessPool:
        return False


_END: Any = object()
