"""Whose files orglint may believe: git's ``safe.directory`` rule, for one file.

A configuration or a cache that another user can have put in place (they own it, and
its folder lets others create files) could hide every finding, so it is ignored with a
warning.  A file of another user in a folder only they can write is no more dangerous
than reading their repository, and is used.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from orglint.escape import visible

_warned: set[str] = set()


def euid() -> int:
    """The user orglint runs as (tests replace it to play another user)."""
    return os.geteuid() if hasattr(os, "geteuid") else 0


def foreign(path: Path) -> bool:
    """Owned by another user, in a folder that others can write."""
    try:
        info = os.lstat(path)
        folder = os.lstat(path.parent)
    except OSError:
        return False
    if info.st_uid == euid():
        return False
    return bool(stat.S_IMODE(folder.st_mode) & 0o022)


def warn(message: str) -> None:
    """Once per process: several steps of a run may hit the same folder."""
    if message in _warned:
        return
    _warned.add(message)
    # Warnings name paths, which a checkout's folder names can make hostile.
    print(f"orglint: warning: {visible(message)}", file=sys.stderr)
