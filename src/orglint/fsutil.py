"""Every write to a file the user sees (``--fix``, ``--write-baseline``, ``--output-file``)
goes through here (spec §6.1).

A repository may be written by someone hostile, so a write never follows a symbolic
link, never replaces anything but a regular file with a single link, keeps the file's
mode and owner (or refuses and says why), and goes through a temporary file in the same
folder and a rename, so an interrupted run leaves the old file whole.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from orglint.errors import OrglintError

# For the open that follows an lstat: should the path be swapped meanwhile, these flags
# keep the open from following a link or blocking on a FIFO, and fstat refuses it.
_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0))
_TEMP_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_CLOEXEC", 0))
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


class Refused(OrglintError):
    """orglint will not write this path; the message says why, without the path."""


class Changed(Refused):
    """The file is no longer the content orglint checked."""

    def __init__(self) -> None:
        super().__init__("it changed while orglint ran; run again")


def lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a special file"


def _writable(path: Path, info: os.stat_result) -> bool:
    # os.access answers yes to root for any file; a file nobody may write was made
    # read-only on purpose, and orglint respects that even when it runs as root.
    if info.st_mode & 0o222 == 0:
        return False
    return os.access(path, os.W_OK)


def refusal(path: Path, info: os.stat_result, *, fixing: bool = False) -> str | None:
    """Why an existing ``path`` (its lstat ``info``) must not be replaced, or None."""
    if stat.S_ISLNK(info.st_mode):
        target = os.path.realpath(path)
        if fixing:
            return f"it is a symbolic link; fix the target {target} instead"
        return f"it is a symbolic link (to {target}); orglint never writes through one"
    if not stat.S_ISREG(info.st_mode):
        return f"it is {_kind(info.st_mode)}, not a regular file"
    if info.st_nlink > 1:
        return (f"it has {info.st_nlink} hard links, and replacing it would break them;"
                " edit it by hand")
    if not _writable(path, info):
        return "it is read-only"
    return None


def check(path: Path, *, fixing: bool = False) -> os.stat_result | None:
    """The lstat of ``path`` if it may be replaced, None if it does not exist yet."""
    info = lstat(path)
    if info is not None:
        reason = refusal(path, info, fixing=fixing)
        if reason is not None:
            raise Refused(reason)
    return info


def folder_link(path: Path) -> str | None:
    """Why a folder on the way to ``path`` makes it unsafe to write as an output, or None.

    A committed folder link (``reports -> ../../elsewhere``) would carry
    ``--output-file reports/x.sarif`` anywhere.  The folders inside the repository (the
    nearest folder above the current one holding ``.git``, or the current folder) are
    looked at, by a relative path or an absolute one (``$GITHUB_WORKSPACE/reports/x``
    from a subfolder): those may come from the repository, while a path named outside
    it (``/tmp/x``, a link on some systems) is the user's own choice.
    """
    from orglint.confine import boundary

    here = Path.cwd()
    base = boundary(here)
    full = path if path.is_absolute() else here / path
    try:
        parts = full.parent.relative_to(base).parts
    except ValueError:
        return None
    folder = base
    for part in parts:
        folder = folder / part
        if os.path.islink(folder):
            return (f"its folder {folder} is a symbolic link (to {os.path.realpath(folder)});"
                    " orglint never writes through one")
    return None


def read_regular(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file, never through a symbolic link."""
    # lstat first: some devices act on open (a tape rewinds), whatever the flags.
    first = os.lstat(path)
    if not stat.S_ISREG(first.st_mode):
        raise Refused(f"it is {_kind(first.st_mode)}, not a regular file")
    fd = os.open(path, _READ_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"it is {_kind(info.st_mode)}, not a regular file")
        chunks = []
        left = min(info.st_size, limit) + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def inside(path: Path, roots: Iterable[Path]) -> bool:
    """Whether ``path`` lies in one of ``roots`` (folders, or files named exactly).

    The folders are resolved, the file name is not: a symbolic link is refused on its
    own, and a folder link that leads out of the project must count as outside.
    """
    real = os.path.join(os.path.realpath(path.parent), path.name)
    for root in roots:
        whole = os.path.realpath(root)
        if real == os.path.join(os.path.realpath(root.parent), root.name):
            return True
        if os.path.commonpath([real, whole]) == whole and real != whole:
            return True
    return False


# What of a file's name its temporary name keeps: with the dot before it and the 21
# bytes after it, the 255 bytes a name may have (a longer one could not be fixed).
_NAME_ROOM = 255 - 22


def _temporary(folder: Path, name: str, mode: int) -> tuple[int, Path]:
    # Cut at a character: half of a UTF-8 sequence would make a name some file systems
    # refuse (APFS, ZFS with utf8only); bytes that were never UTF-8 are left out.
    kept = os.fsencode(name)[:_NAME_ROOM].decode("utf-8", "ignore")
    for _ in range(16):
        tmp = folder / f".{kept}.{os.urandom(4).hex()}.orglint-tmp"
        try:
            return os.open(tmp, _TEMP_FLAGS, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(17, "no free temporary name", str(folder))


def _same_file(a: os.stat_result, b: os.stat_result | None) -> bool:
    return b is not None and (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _keep_owner(fd: int, info: os.stat_result) -> None:
    if not hasattr(os, "fchown") or (info.st_uid, info.st_gid) == (os.geteuid(),
                                                                    os.getegid()):
        return  # no owners to keep (Windows), or already ours
    try:
        os.fchown(fd, info.st_uid, info.st_gid)
    except OSError:
        raise Refused(f"it belongs to uid {info.st_uid} gid {info.st_gid}, and orglint"
                      " cannot give the new file that owner") from None


def replace(path: Path, data: bytes | Iterable[bytes], *,
            expect: bytes | None = None) -> None:
    """Write ``data`` (bytes, or pieces of them) as ``path``: a new file, or a
    replacement for a regular one.

    With ``expect``, the file must still hold exactly those bytes when it is replaced
    (they are what orglint checked and fixed); otherwise :class:`Changed` is raised.
    Raises :class:`Refused` for what must not be replaced, ``OSError`` for failures.
    """
    info = check(path)
    if expect is not None and info is None:
        raise Changed
    # A new file gets the usual mode less the umask; a replacement gets the old one.
    fd, tmp = _temporary(path.parent, path.name, 0o600 if info is not None else 0o666)
    try:
        try:
            # A streamed report comes in pieces, made while they are written.
            for piece in (data,) if isinstance(data, bytes) else data:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view):]
            if info is not None:
                _keep_owner(fd, info)  # before the mode: chown clears set-id bits
                os.fchmod(fd, stat.S_IMODE(info.st_mode))
            os.fsync(fd)
        finally:
            os.close(fd)
        # The last look: what is replaced must be what was checked, and still be safe.
        now = lstat(path)
        if info is None:
            if now is not None:
                raise Refused("it appeared while orglint ran; run again")
        elif not _same_file(info, now):
            raise Changed
        else:
            check(path)
            if expect is not None and read_regular(path, len(expect)) != expect:
                raise Changed
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def walk(top: str | os.PathLike[str]) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top)`` (top-down, the same order, links to folders listed among the
    folders but not followed, unreadable folders skipped) without recursion: before
    Python 3.12 os.walk recursed once per level, and a committed tree a thousand
    folders deep ended the run with "nested too deeply".  The caller may prune the
    folder list it is given, as with os.walk."""
    stack = [os.fspath(top)]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except OSError:
            continue
        dirs: list[str] = []
        names: list[str] = []
        real: set[str] = set()
        for entry in entries:
            try:
                folder = entry.is_dir()
            except OSError:
                folder = False
            if not folder:
                names.append(entry.name)
                continue
            dirs.append(entry.name)
            try:
                if not entry.is_symlink():
                    real.add(entry.name)
            except OSError:
                pass
        yield current, dirs, names
        stack.extend(os.path.join(current, d) for d in reversed(dirs) if d in real)
