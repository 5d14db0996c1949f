"""Which of the files orglint finds by itself it may read (spec §6.1).

A committed symbolic link can point anywhere: ``teams/x.yaml -> ~/.ssh/config`` or
``.orglint.yaml -> /proc/self/environ``.  Whatever orglint reads may be quoted in an
error or a finding, and CI logs of pull requests from forks are public, so a file found
by discovery, a glob or a folder walk is read only if it really lies (every link
resolved) inside the repository: the nearest folder above holding ``.git``, else the
configuration's folder.  What the user names on the command line is their choice and is
not checked here.
"""

from __future__ import annotations

import os
from pathlib import Path

from orglint.errors import ConfigError

OUTSIDE_FILE = "a symbolic link to a file outside the repository: not read"
OUTSIDE_FOLDER = "a symbolic link to a folder outside the repository: not read"
UNDER_OUTSIDE = "in a symbolic link to a folder outside the repository: not read"


def repository_root(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` holding ``.git``, as git finds it."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def boundary(folder: Path) -> Path:
    """The folder that files found from ``folder`` must stay inside."""
    folder = Path(os.path.abspath(folder))
    return repository_root(folder) or folder


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(os.path.join(folder, ""))


def inside(path: Path | str, folder: Path) -> bool:
    """Whether ``path``, every link resolved, is ``folder`` or below it."""
    return _under(os.path.realpath(path), os.path.realpath(folder))


class Fence:
    """The repository of one run, for the files its configuration's globs and its folder
    walks find.

    ``confined``: the configuration was discovered, not named with ``--config``, so a
    ``paths:`` glob that leaves the repository is its author's doing, not the user's,
    and is an error.
    """

    def __init__(self, root: Path, *, config: Path | None = None,
                 confined: bool = True, key: str = "paths") -> None:
        self.top = boundary(root)
        self._real = os.path.realpath(self.top)
        self._lexical = str(self.top)
        self.config = config
        self.confined = confined
        self.key = key  # the configuration key whose globs this fence guards
        self._folders: dict[str, bool] = {}  # one realpath per folder, not per file

    def holds(self, real: str, also: str | None = None) -> bool:
        """Whether the resolved path ``real`` is in the repository (or below ``also``)."""
        return _under(real, self._real) or (also is not None and _under(real, also))

    def folder_holds(self, folder: str) -> bool:
        known = self._folders.get(folder)
        if known is None:
            known = self._folders[folder] = self.holds(os.path.realpath(folder))
        return known

    def check_glob(self, base: str, pattern: str) -> None:
        """Refuse, before any folder is listed, a glob of a discovered configuration that
        leaves the repository by its own text (``/**/x.yaml``, ``../*``, ``*/../..``):
        otherwise the whole file system was walked before the first match was refused."""
        if not self.confined:
            return
        parts, first = _glob_parts(pattern)
        shown = ("/" if os.path.isabs(pattern) else "") + "/".join(
            "_" if k >= first and _magic(part) else part for k, part in enumerate(parts))
        # '**' may match no folder at all, so a '..' after a wildcard may climb past any
        # number of them.
        if (not _under(os.path.normpath(os.path.join(base, shown)), self._lexical)
                or ".." in parts[first:]):
            where = f"{self.config}: " if self.config is not None else ""
            raise ConfigError(
                f"{where}key '{self.key}': '{pattern}' leaves the repository ({self.top});"
                " name the configuration with --config to read outside it")

    def walks_outside(self, base: str, pattern: str) -> str | None:
        """The literal start of ``pattern`` when it is a link to a folder outside the
        repository and a '**' would walk all of it (``up/**`` with ``up -> /``): each
        file found there would be refused, after a walk of the whole file system."""
        parts, first = _glob_parts(pattern)
        if not first or "**" not in parts[first:]:
            return None
        prefix = os.path.join(base, *parts[:first])
        if os.path.lexists(prefix) and not self.holds(os.path.realpath(prefix)):
            return prefix
        return None

    def refuse(self, name: str, pattern: str, *, folder: bool, link: bool) -> str | None:
        """Why the match ``name`` of the ``paths:`` glob ``pattern`` is not read (None:
        it is read).  ``link``: ``name`` itself is a symbolic link."""
        if folder or link:
            ok = self.holds(os.path.realpath(name))
        else:
            ok = self.folder_holds(os.path.dirname(name))
        if ok:
            return None
        if not _under(os.path.normpath(name), self._lexical):
            # The glob itself leaves the repository (``../x/*.yaml``, ``/etc/*.yaml``).
            if not self.confined:
                return None
            where = f"{self.config}: " if self.config is not None else ""
            raise ConfigError(
                f"{where}key '{self.key}': '{pattern}' reaches {os.path.normpath(name)}, outside"
                f" the repository ({self.top}); name the configuration with --config to"
                " read it")
        return OUTSIDE_FOLDER if folder else OUTSIDE_FILE if link else UNDER_OUTSIDE


def _magic(part: str) -> bool:
    import glob

    return glob.has_magic(part)


def _glob_parts(pattern: str) -> tuple[list[str], int]:
    """A glob's parts (empty and '.' ones dropped, as ``files.glob_files`` reads it) and
    the index of its first wildcard part (their count when it has none)."""
    parts = [p for p in pattern.replace(os.sep, "/").split("/") if p not in ("", ".")]
    first = next((k for k, part in enumerate(parts) if _magic(part)), len(parts))
    return parts, first

