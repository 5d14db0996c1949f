"""How many CPUs this process may really use: the default number of processes a run
checks files in.

``os.cpu_count()`` counts the machine's CPUs, not the ones a process may run on.  A CI
job in a container limited to one CPU (``docker --cpus 1``, a Kubernetes limit) or
pinned to one (``taskset``, a cpuset) sees every CPU of the host, and a pool of that
many processes then only takes turns on the one it has: on the bench's org, 1.37 s of
wall time instead of 1.12 s with one process, and a fifth more CPU.  So the count is
the smallest of the affinity mask and the CPU quota of every cgroup above the process
(``cpu.max`` in cgroup v2, ``cpu.cfs_quota_us`` over ``cpu.cfs_period_us`` in v1),
rounded down and at least one, as Rust's ``available_parallelism`` counts them.

Everything read here is the kernel's, not the repository's; it is still read with a
size limit, and anything unexpected (no cgroup file system, a format not known, a
file that cannot be read) means no quota, never an error.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable

_LIMIT = 1 << 20  # bytes read of a /proc or cgroup file: a mountinfo of thousands of mounts
_MAX_DEPTH = 64  # cgroup levels walked up: the kernel nests at most a few dozen
_NUMBER = re.compile(r"[0-9]{1,18}")  # a quota or period in microseconds, as the kernel writes it
_ESCAPE = re.compile(r"\\([0-3][0-7]{2})")


def usable() -> int:
    """The CPUs this process may use: its affinity, and no more than its CPU quota."""
    return explained()[0]


def explained() -> tuple[int, str]:
    """``usable()``, and what it comes from (for ``check -v``)."""
    count = _affinity()
    quota = cgroup_quota()
    why = f"affinity {count}, " + ("no CPU quota" if quota is None else f"CPU quota {quota}")
    return (count if quota is None else min(count, quota)), why  # each at least one


def _affinity() -> int:
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13: the affinity, and
    if counted is not None:  # PYTHON_CPU_COUNT or -X cpu_count when set
        return int(counted() or 1)
    if hasattr(os, "sched_getaffinity"):
        try:
            return len(os.sched_getaffinity(0)) or 1
        except OSError:
            pass
    return os.cpu_count() or 1


def cgroup_quota(proc: str = "/proc/self") -> int | None:
    """Whole CPUs the quota of this process's cgroups allows (the tightest level, in
    the v2 hierarchy and in v1's ``cpu`` controller), or None when none sets one.

    Only what the kernel's files show is read: a cgroup the mounts do not show (a
    cgroup namespace entered without mounting its own cgroup file system: its
    mountinfo root reads "/.." ) gives no quota, as in Rust's count."""
    text = _read(os.path.join(proc, "cgroup"))
    mounts = _read(os.path.join(proc, "mountinfo"))
    if text is None or mounts is None:
        return None
    v2: str | None = None
    v1: str | None = None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        # A process has one line per hierarchy: the first of each kind is the one.
        if parts[1] == "" and v2 is None:
            v2 = parts[2]
        elif "cpu" in parts[1].split(",") and v1 is None:
            v1 = parts[2]
        if v1 is not None and v2 is not None:
            break
    if v1 is None and v2 is None:
        return None
    v2_mounts, v1_mounts = _cgroup_mounts(mounts)
    found = [quota for quota in (
        _walk(_folder(v2_mounts, v2), _v2) if v2 is not None else None,
        _walk(_folder(v1_mounts, v1), _v1) if v1 is not None else None,
    ) if quota is not None]
    return min(found) if found else None


def _cgroup_mounts(mounts: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (root, mount point) of each cgroup2 mount, and of each v1 mount of the
    ``cpu`` controller, read in one pass."""
    v2: list[tuple[str, str]] = []
    v1: list[tuple[str, str]] = []
    for line in mounts.splitlines():
        head, dash, tail = line.partition(" - ")
        fields, kind = head.split(), tail.split()
        if not dash or len(fields) < 5 or len(kind) < 3:
            continue
        root, point = _unescape(fields[3]), _unescape(fields[4])
        if not point.startswith("/"):
            continue  # the kernel writes absolute points; anything else is not its
        if kind[0] == "cgroup2":
            v2.append((root, os.path.normpath(point)))
        elif kind[0] == "cgroup" and "cpu" in kind[2].split(","):
            v1.append((root, os.path.normpath(point)))
    return v2, v1


def _folder(mounts: list[tuple[str, str]], path: str) -> tuple[str, str] | None:
    """The folder of the cgroup ``path`` in the first of ``mounts`` that shows it, and
    that mount's point (the walk up stops there)."""
    for root, point in mounts:
        # The mount shows the hierarchy from its root down: a cgroup outside it is not
        # under this mount (a container's own cgroup namespace shows "/" for both).
        if root == "/":
            relative = path
        elif path == root or path.startswith(root.rstrip("/") + "/"):
            relative = path[len(root.rstrip("/")):]
        else:
            continue
        top = point.rstrip("/") or "/"
        folder = os.path.normpath(top + "/" + relative.lstrip("/"))
        if folder == top or folder.startswith(top.rstrip("/") + "/"):
            return folder, top
    return None


def _walk(where: tuple[str, str] | None, quota_of: Callable[[str], int | None]
          ) -> int | None:
    """The smallest quota from the cgroup's folder up to the mount point: a parent's
    limit bounds its children."""
    if where is None:
        return None
    folder, point = where
    found: int | None = None
    for _ in range(_MAX_DEPTH):
        quota = quota_of(folder)
        if quota is not None:
            found = quota if found is None else min(found, quota)
        if folder == point or len(folder) <= len(point):
            break
        folder = os.path.dirname(folder)
    return found


def _v2(folder: str) -> int | None:
    text = _read(os.path.join(folder, "cpu.max"))
    fields = text.split() if text else []
    if len(fields) != 2 or fields[0] == "max":
        return None
    return _whole(fields[0], fields[1])


def _v1(folder: str) -> int | None:
    quota = _read(os.path.join(folder, "cpu.cfs_quota_us"))
    period = _read(os.path.join(folder, "cpu.cfs_period_us"))
    if quota is None or period is None:
        return None
    return _whole(quota.strip(), period.strip())


def _whole(quota: str, period: str) -> int | None:
    """The quota in whole CPUs, rounded down and at least one; None when it is not a
    limit (v1's -1) or not a number the kernel would write."""
    if not (_NUMBER.fullmatch(quota) and _NUMBER.fullmatch(period)) or int(period) == 0:
        return None
    return max(1, int(quota) // int(period))


def _unescape(field: str) -> str:
    # mountinfo writes a space, tab, newline and backslash in a path as octal escapes.
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


def _read(path: str) -> str | None:
    """The start of a regular file's text; None for anything else (a FIFO would block)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        parts: list[bytes] = []
        left = _LIMIT
        while left > 0:  # /proc gives a long file a few records a read
            part = os.read(fd, left)
            if not part:
                break
            parts.append(part)
            left -= len(part)
        data = b"".join(parts)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace")
