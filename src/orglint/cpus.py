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
from collections.abc import Callable

_LIMIT = 1 << 20  # bytes read of a /proc or cgroup file: a mountinfo of thousands of mounts
_MAX_DEPTH = 64  # cgroup levels walked up: the kernel nests at most a few dozen


def usable() -> int:
    """The CPUs this process may use: its affinity, and no more than its CPU quota."""
    count = _affinity()
    quota = cgroup_quota()
    return max(1, min(count, quota) if quota is not None else count)


def _affinity() -> int:
    if hasattr(os, "sched_getaffinity"):
        try:
            return len(os.sched_getaffinity(0)) or 1
        except OSError:
            pass
    return os.cpu_count() or 1


def cgroup_quota(proc: str = "/proc/self") -> int | None:
    """Whole CPUs the quota of this process's cgroups allows (the tightest level of
    each hierarchy that limits the CPU), or None when none sets one."""
    text = _read(os.path.join(proc, "cgroup"))
    mounts = _read(os.path.join(proc, "mountinfo"))
    if text is None or mounts is None:
        return None
    found: list[int] = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":  # "0::/path": the unified (v2) hierarchy
            where = _mount(mounts, path, lambda kind, _: kind == "cgroup2")
            quota = _walk(where, _v2) if where else None
        elif "cpu" in controllers.split(","):
            where = _mount(mounts, path,
                           lambda kind, options: kind == "cgroup" and "cpu" in options)
            quota = _walk(where, _v1) if where else None
        else:
            continue
        if quota is not None:
            found.append(quota)
    return min(found) if found else None


def _mount(mounts: str, path: str, wanted: Callable[[str, list[str]], bool]
           ) -> tuple[str, str] | None:
    """The folder of the cgroup ``path`` in a mount whose file system type and options
    are ``wanted``, and that mount's point (the walk up stops there)."""
    for line in mounts.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        tail = line.split(" - ", 1)[1].split()
        if len(tail) < 3 or not wanted(tail[0], tail[2].split(",")):
            continue
        root, point = _unescape(fields[3]), _unescape(fields[4])
        # The mount shows the hierarchy from its root down: a cgroup outside it (a
        # container's own cgroup namespace shows "/" for both) is not under this mount.
        if root == "/":
            relative = path
        elif path == root or path.startswith(root.rstrip("/") + "/"):
            relative = path[len(root.rstrip("/")):]
        else:
            continue
        folder = os.path.normpath(point + "/" + relative.lstrip("/"))
        if folder == point or folder.startswith(point.rstrip("/") + "/"):
            return folder, point
    return None


def _walk(where: tuple[str, str], quota_of: Callable[[str], int | None]) -> int | None:
    """The smallest quota from ``folder`` up to the mount point: a parent's limit
    bounds its children."""
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
    """The quota in whole CPUs (at least one); None when it is not a limit (-1)."""
    if not (quota.isdigit() and period.isdigit()) or int(period) == 0:
        return None
    return max(1, int(quota) // int(period))


def _unescape(field: str) -> str:
    # mountinfo writes a space, tab, newline and backslash in a path as octal escapes.
    return re.sub(r"\\([0-3][0-7]{2})", lambda m: chr(int(m.group(1), 8)), field)


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(_LIMIT)
    except (OSError, ValueError):
        return None
    return data.decode("utf-8", "replace")
