"""Worker processes: a bounded number, that die with the run, and that say which file
they were checking when one of them dies.

Each worker writes the name of the file it is checking into its own slot of a small
shared array, and clears it when done; when the pool breaks (a worker killed, or out of
memory), the slots still set name the files.  The pool stops the other workers with
SIGTERM, and their handler clears their slots first, so only the culprit is named.

Where ``os.fork`` exists the pool is a few forked processes and pipes, and the main
process checks files too: no executor, no threads, no ``multiprocessing`` (whose
imports alone cost a tenth of a second of CPU, serial, before the first fork).  The
chunks are numbered in a pipe written before the fork; each process reads the next
number (a pipe read of four bytes is atomic), so faster processes take more chunks.
Elsewhere it is a ``ProcessPoolExecutor`` with spawned workers.

A forked worker's results come back as JSON, never a code-carrying format (no module
imports ``pickle`` or ``marshal``: ``tests/test_cache.py``).  An anonymous pipe made
before the fork joins orglint to its own child, so the values are rebuilt as sent,
without the checks a cache entry read from disk goes through (``fileresult.from_worker``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterable
from functools import partial
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
    with counter.get_lock():
        slot = counter.value
        counter.value += 1
    _enter(parent, slots, slot, init, initargs)


def _enter(parent: int, slots: Any, slot: int, init: Callable[..., None],
           initargs: tuple[Any, ...]) -> None:
    global _slots, _slot
    die_with_parent(parent)
    _slot = slot
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


def _died(names: list[str]) -> WorkerError:
    where = f" while checking {', '.join(names)}" if names else ""
    return WorkerError(f"a worker process died (killed, or out of memory){where};"
                       " run with --jobs 1 to check the file in this process")


def _same(value: Any) -> Any:
    return value


def run(work: Callable[[T], R], items: Iterable[T], *, workers: int, chunksize: int,
        init: Callable[..., None], initargs: tuple[Any, ...],
        send: Callable[[R], Any] = _same, receive: Callable[[Any], R] = _same) -> list[R]:
    """``[work(item) for item in items]`` in ``workers`` processes (at most
    ``worker_cap()``; the main process is one of them where ``os.fork`` exists),
    ``init(*initargs)`` run once in each.  A forked worker's results cross as
    ``receive(json.loads(json.dumps(send(result))))``."""
    workers = max(1, min(workers, worker_cap()))
    if hasattr(os, "fork"):
        return _forked(work, list(items), workers, max(1, chunksize), init, initargs,
                       send, receive)
    return _executor(work, items, workers, chunksize, init, initargs)


# -- forked processes ---------------------------------------------------------------------

MAX_CHUNKS = 1024  # chunk numbers are 4 bytes: 4 KiB fits any pipe's buffer unread
_FRAME = 8  # bytes of a frame's length, before its JSON
_PIPE_BYTES = 1 << 20  # room for a chunk's results while the main process checks a file


def _forked(work: Callable[[T], R], items: list[T], workers: int, chunksize: int,
            init: Callable[..., None], initargs: tuple[Any, ...],
            send: Callable[[R], Any], receive: Callable[[Any], R]) -> list[R]:
    import mmap

    init(*initargs)
    if not items:
        return []
    # The first item is checked before the fork: what a first check loads (modules, a
    # schema's validator, caches) is then loaded once, and every fork starts with it.
    first = work(items[0])
    chunksize = max(chunksize, -(-len(items) // MAX_CHUNKS))
    chunks = [(0, 1)] + [(start, min(start + chunksize, len(items)))
                         for start in range(1, len(items), chunksize)]
    forks = min(workers, len(chunks) - 1) - 1
    if forks <= 0:
        return [first] + [work(item) for item in items[1:]]
    slots = mmap.mmap(-1, forks * SLOT_BYTES)  # anonymous and shared: forks write, we read
    tasks, feed = os.pipe()
    os.write(feed, b"".join(i.to_bytes(4, "little") for i in range(1, len(chunks))))
    os.close(feed)  # the pipe is full and closed: a read of it never blocks, "" at the end
    out: list[list[R] | None] = [[first]] + [None] * (len(chunks) - 1)
    # The chunks that failed: the main process's own exception, or None for a worker's
    # chunk, done again here at the end so that its exception is raised as it was.
    errors: dict[int, BaseException | None] = {}
    pool = _Forks(slots, receive)
    parent = os.getpid()
    try:
        for slot in range(forks):
            pool.fork(partial(_worker, parent, slot, slots, tasks, work, items, chunks,
                              send))
        # The main process takes chunks like the others, and reads what the workers sent
        # after each file, so that a worker never waits long on a full pipe.  A chunk
        # that fails does not stop the others: the error raised is that of the first
        # item that failed, whichever process was quicker.
        while True:
            index = _next(tasks)
            if index is None:
                break
            start, end = chunks[index]
            done: list[R] = []
            for i in range(start, end):
                try:
                    done.append(work(items[i]))
                except Exception as exc:  # raised below, in the order of the items
                    errors[index] = exc
                    break
                pool.read(out, errors, wait=False)
            else:
                out[index] = done
        while pool.open:
            pool.read(out, errors, wait=True)
    finally:
        os.close(tasks)
        pool.stop()
    for index in sorted(errors):  # the first item that fails raises, as --jobs 1 would
        error = errors[index]
        if error is not None:
            raise error
        start, end = chunks[index]
        out[index] = [work(items[i]) for i in range(start, end)]
    results: list[R] = []
    for part in out:
        if part is None:  # cannot happen unless a worker exited without a word
            raise _died([])
        results.extend(part)
    return results


def _next(tasks: int) -> int | None:
    raw = os.read(tasks, 4)
    return int.from_bytes(raw, "little") if raw else None


def _worker(parent: int, slot: int, slots: Any, tasks: int, work: Callable[[T], R],
            items: list[T], chunks: list[tuple[int, int]], send: Callable[[R], Any],
            out: int) -> None:
    import json

    _enter(parent, slots, slot, lambda: None, ())  # the job came with the fork
    while True:
        index = _next(tasks)
        if index is None:
            return
        start, end = chunks[index]
        try:
            done = [send(work(items[i])) for i in range(start, end)]
            frame = json.dumps([index, done], separators=(",", ":"),
                               check_circular=False).encode()  # plain trees
        except Exception:  # the main process does the chunk again, and raises
            frame = json.dumps([index, None]).encode()
        _write(out, len(frame).to_bytes(_FRAME, "little") + frame)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Forks:
    """The forked workers: their pids, the read ends of their pipes, and what each has
    sent so far."""

    def __init__(self, slots: Any, receive: Callable[[Any], Any]) -> None:
        self.slots = slots
        self.receive = receive
        self.pids: dict[int, int] = {}  # read end -> pid
        self.buffers: dict[int, bytearray] = {}
        self.open: list[int] = []
        self.count = 0

    def fork(self, body: Callable[[int], None]) -> None:
        import fcntl

        read, write = os.pipe()
        with contextlib.suppress(OSError):  # a smaller pipe makes a worker wait more
            fcntl.fcntl(write, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
        pid = os.fork()
        if pid == 0:  # the worker: it never returns into the main process's code
            code = 1
            try:
                os.close(read)
                for other in self.open:
                    os.close(other)
                body(write)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        os.set_blocking(read, False)
        self.count += 1
        self.pids[read] = pid
        self.buffers[read] = bytearray()
        self.open.append(read)

    def read(self, out: list[Any], errors: dict[int, BaseException | None], *,
             wait: bool) -> None:
        """Take in what the workers have sent; with ``wait``, wait until one sends."""
        import json
        import select

        ready, _, _ = select.select(self.open, [], [], None if wait else 0)
        for fd in ready:
            buffer = self.buffers[fd]
            while True:
                try:
                    data = os.read(fd, _PIPE_BYTES)
                except BlockingIOError:
                    break
                if not data:
                    self._ended(fd)
                    break
                buffer += data
            while len(buffer) >= _FRAME:
                size = int.from_bytes(buffer[:_FRAME], "little")
                if len(buffer) < _FRAME + size:
                    break
                index, done = json.loads(bytes(buffer[_FRAME:_FRAME + size]))
                del buffer[:_FRAME + size]
                try:
                    out[index] = list(map(self.receive, done))
                except (TypeError, ValueError):  # None, or a value the codec refuses:
                    errors[index] = None  # the main process does the chunk itself

    def _ended(self, fd: int) -> None:
        self.open.remove(fd)
        os.close(fd)
        pid = self.pids.pop(fd)
        _, status = os.waitpid(pid, 0)
        if status != 0:  # killed, or out of memory: stop the others, then name its file
            self.stop()
            raise _died(_in_progress(self.slots, self.count))

    def stop(self) -> None:
        """End the workers still running (their handler clears their slots) and reap
        them."""
        for pid in self.pids.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in self.pids.values():
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.pids.clear()
        for fd in self.open:
            os.close(fd)
        self.open.clear()


# -- spawned processes --------------------------------------------------------------------


def _executor(work: Callable[[T], R], items: Iterable[T], workers: int, chunksize: int,
              init: Callable[..., None], initargs: tuple[Any, ...]) -> list[R]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")
    slots = context.RawArray("c", workers * SLOT_BYTES)
    counter = context.Value("i", 0)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start,
                               initargs=(os.getpid(), slots, counter, init, initargs))
    try:
        return list(pool.map(work, items, chunksize=chunksize))
    except BrokenProcessPool:
        raise _died(_in_progress(slots, workers)) from None
    finally:
        # After a failure, the files not yet started are not worth waiting for.
        pool.shutdown(wait=True, cancel_futures=True)
