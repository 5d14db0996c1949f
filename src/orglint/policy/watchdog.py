"""Hard bounds on a process that evaluates policies from the repository.

The CEL engine bounds the iterations of one evaluation, not what each step may cost: a
rule can double a string through nested ``cel.bind`` (gigabytes from one line), keep a
copy per comprehension step, or run an expensive pattern over a long annotation for
hours, all inside one call that orglint's own budget (``compiled.Clock``, checked
between evaluations) cannot interrupt.  So once policies are loaded, a process that
ends with the command forks: the child goes on with the run under kernel limits on CPU
time and address space, and the parent only waits for it.  If the child is stopped by a
limit, the parent says so and the command exits 2; otherwise it exits as the child did.
Output is the child's alone: the parent writes nothing else and ends with ``os._exit``.

Only ``orglint.console`` turns this on: a caller in a longer-lived process (tests, a
tool importing ``cli.main``) is not forked.
"""

from __future__ import annotations

import contextlib
import os
import sys

# A run's CPU, counted in each process from the fork (pool workers count their own):
# the policies' own budget is 120 s of evaluation, and an org of 20,000 teams takes
# about 15 s of CPU in all.  ``ORGLINT_MAX_CPU_SECONDS`` changes it (not the repository:
# the environment of the run).
CPU_SECONDS = 300
# Address space allowed above what the process had when the policies were loaded
# (``ORGLINT_MAX_MEMORY_MB`` changes it).
MEMORY_BYTES = 2 << 30


def cpu_seconds() -> int:
    return _setting("ORGLINT_MAX_CPU_SECONDS", CPU_SECONDS)


def memory_bytes() -> int:
    return _setting("ORGLINT_MAX_MEMORY_MB", MEMORY_BYTES >> 20) << 20


def _setting(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    ok = raw.isascii() and raw.isdigit() and len(raw) < 14
    return int(raw) if ok and 0 < int(raw) < 1 << 40 else default


_armed = [False]


def arm() -> None:
    """Let ``supervise`` fork (a process that ends with the command)."""
    _armed[0] = True


def supervise() -> None:
    """Fork once, where the platform allows, and wait in the parent (see the module)."""
    if not _armed[0] or not hasattr(os, "fork"):
        return
    try:
        import resource  # noqa: F401  (Unix only: without it, the policies' budget only)
        import signal
    except ImportError:  # pragma: no cover - Windows has no fork either
        return
    _armed[0] = False
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        with contextlib.suppress(OSError, ValueError):  # refused: the budget only
            _limit()
        # A parent killed outright (SIGKILL) cannot pass a signal on: without this the
        # run would go on unsupervised and could still write its outputs.
        from orglint.pool import die_with_parent

        die_with_parent(parent)
        return
    # The parent: Ctrl-C reaches the child too (one process group), which reports it; a
    # signal sent to this process alone (`timeout`, a CI runner stopping the step) is
    # passed on, so that the run stops as it would have.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def forward(number: int, frame: object) -> None:
        os.kill(pid, number)

    for name in ("SIGTERM", "SIGHUP", "SIGQUIT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), forward)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    os._exit(_verdict(status))


def _limit() -> None:
    from resource import (
        RLIM_INFINITY,
        RLIMIT_AS,
        RLIMIT_CORE,
        RLIMIT_CPU,
        getrlimit,
        setrlimit,
    )

    # Stopped by a limit, a process may dump core: into the working folder (the
    # repository, over any file named ``core``), with the run's memory in it.
    setrlimit(RLIMIT_CORE, (0, 0))
    soft, hard = getrlimit(RLIMIT_CPU)
    want = cpu_seconds()
    if hard == RLIM_INFINITY or hard > want + 5:
        setrlimit(RLIMIT_CPU, (want, want + 5))
    size = _address_space()
    if size is not None:
        soft, hard = getrlimit(RLIMIT_AS)
        want = size + memory_bytes()
        if (soft == RLIM_INFINITY or soft > want) and (hard == RLIM_INFINITY or hard >= want):
            setrlimit(RLIMIT_AS, (want, hard))


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _verdict(status: int) -> int:
    """The command's exit code from the child's ``status``."""
    import signal

    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    if number == signal.SIGINT:
        return 130
    limits = (f"{cpu_seconds()} s of CPU or {memory_bytes() >> 20} MB of memory more than"
              " it started with")
    if number == signal.SIGXCPU:
        why = f"it used more than {cpu_seconds()} s of CPU"
    elif number == signal.SIGKILL:
        why = f"it was killed, past {limits}"
    elif number == signal.SIGABRT:
        why = f"it aborted, likely past {limits}"
    else:
        why = f"it ended on signal {number}"
    sys.stderr.write(f"orglint: the run was stopped: {why}. A policy rule (spec section 7)"
                     " may build values too large or too slow to evaluate.\n")
    sys.stderr.flush()
    return 2
