"""Worker processes: a bounded number, that die with the run, and that say which file
they were checking when one of them dies.

Each worker writes the name of the file it is checking into its own slot of a small
shared array, and clears it when done; when the pool breaks (a worker killed, or out of
memory), the slots still set name the files.  The pool stops the other workers with
SIGTERM, and their handler clears their slots first, so only the culprit is named.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from orglint.errors import OrglintError

MAX_WORKERS = 64
SLOT_BYTES = 512
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

T = TypeVar("T")
R = TypeVar("R")


class WorkerError(OrglintError):
    """A worker process died: exit 2, naming the file it was checking."""


def worker_cap() -> int:
    """The most worker processes a run starts, whatever --jobs asks for."""
    return min(MAX_WORKERS, 4 * (os.cpu_count() or 1))


def die_with_parent(parent: int) -> None:
    """Make this process end when ``parent`` does, even if it is killed with SIGKILL."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # it died before the request took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    import threading

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="orglint-parent-watch", daemon=True).start()


_slots: Any = None
_slot = -1


def _start(parent: int, slots: Any, counter: Any, init: Callable[..., None],
           initargs: tuple[Any, ...]) -> None:
    global _slots, _slot
    die_with_parent(parent)
    with counter.get_lock():
        _slot = counter.value
        counter.value += 1
    # Written through a memoryview: a ctypes array assigns a slice byte by byte in
    # Python objects, which cost more per file than some rules do.
    _slots = memoryview(slots).cast("B")
    signal.signal(signal.SIGTERM, _stopped)
    init(*initargs)


def _stopped(signum: int, frame: Any) -> None:
    checking("")
    os._exit(128 + signum)


def checking(name: str) -> None:
    """Record, in a worker, the file it starts checking ("" when it is done)."""
    if _slots is None or _slot < 0:
        return
    data = name.encode("utf-8", "replace")[:SLOT_BYTES - 1] + b"\0"
    start = _slot * SLOT_BYTES
    # Readers stop at the first NUL, so what lies past it need not be cleared.
    _slots[start:start + len(data)] = data


def _in_progress(slots: Any, count: int) -> list[str]:
    names = []
    for i in range(count):
        raw = bytes(slots[i * SLOT_BYTES:(i + 1) * SLOT_BYTES]).split(b"\0", 1)[0]
        if raw:
            names.append(raw.decode("utf-8", "replace"))
    return names


def run(work: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int,
        init: Callable[..., None], initargs: tuple[Any, ...]) -> list[R]:
    """``[work(item) for item in items]`` in ``workers`` processes (at most
    ``worker_cap()``), ``init(*initargs)`` run once in each."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    workers = max(1, min(workers, worker_cap()))
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    slots = context.RawArray("c", workers * SLOT_BYTES)
    counter = context.Value("i", 0)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start,
                               initargs=(os.getpid(), slots, counter, init, initargs))
    try:
        return list(pool.map(work, items, chunksize=chunksize))
    except BrokenProcessPool:
        names = _in_progress(slots, workers)
        where = f" while checking {', '.join(names)}" if names else ""
        raise WorkerError(f"a worker process died (killed, or out of memory){where};"
                          " run with --jobs 1 to check the file in this process") from None
    finally:
        # After a failure, the files not yet started are not worth waiting for.
        pool.shutdown(wait=True, cancel_futures=True)
