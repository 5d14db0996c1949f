"""A warm rerun that nothing could have changed, answered from a record of the last one.

A warm ``orglint check`` with nothing changed reads its report back from the cache
(``cache.load_report``), but only after importing most of orglint, reading the
configuration and listing and stating every file of the org: 50 ms of a 2,000-file
org's run, most of it before the first file is looked at.  This module answers the same
rerun before any of that is imported.

**What a record is.**  When a check serves its whole report from the cache, its process
has watched every path it asked the file system about (``capture``: every ``stat``,
``lstat``, ``open``, folder listing), and it keeps a *record* (``keep``): the status of
each of those paths (type, size, modification and change times in nanoseconds, inode,
device, owner; or that it was missing), the status of every file of orglint's own code,
the report's bytes and the exit code.  The record is filed under the *ask*: the
arguments, the current folder, the environment variables orglint reads, the date,
whether standard output is a terminal and its encoding, and the Python that runs.

**When it is replayed.**  ``serve``, the first thing a ``check`` process does, finds
the record of the same ask and states every path again; if every status is the one
recorded, the run would read the same bytes, list the same folders and find the same
configuration, so it writes the recorded report and exits with the recorded code.  Any
difference (a file edited, added, removed, renamed, its mode or owner changed, a folder
listing changed, a configuration file appearing in a parent folder, orglint upgraded)
and the run goes the usual way.  Watching the process, rather than listing what each
step reads, is what makes the record complete: a new kind of input cannot be
forgotten here.

**Why statuses can be trusted.**  As git's index and the stat index (``files.StatIndex``)
do: no one can set a change time, and any write, rename, ``chmod`` or ``chown`` gives a
newer one.  A record is only kept if every path it names last changed at least
``MARGIN_NS`` before the recording run started, so a change within the clock's
granularity of that run, or during it, is never taken for the state it read.

**Why a record can be trusted.**  Records live in this user's own cache folder (beside
the secret of ``cache``), not in the repository's.  Each has a seal, a small file
signed with that secret naming the record's exact status (as ``cache.load_report``
does), which lets a later run trust it without hashing megabytes.  A record this user's
orglint did not write is never replayed.  Only the newest ``KEPT`` records are kept.

Only runs whose whole output is the report on standard output are recorded: no
``--verbose``, no report file, nothing said on standard error (a note, a warning).
"""

from __future__ import annotations

import os
import sys

# Not ``typing``'s: importing typing costs a replay a tenth of its time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

LAYOUT = b"orglint-replay 1"
# As the stat index's margin: older than the coarsest clock a file system keeps (FAT's
# two seconds), so a write in the same tick as the recording run cannot go unseen.
MARGIN_NS = 2_000_000_000
KEPT = 8
MAX_RECORD = 32 * 1024 * 1024  # a record is the report and a few hundred KB of statuses
FOLDER = "replay"
# The environment a run reads: its own settings, GitHub Actions' variables, colour, and
# where the user's cache is.  A test checks that every name orglint's code reads is here.
ENV_PREFIXES = ("ORGLINT_", "GITHUB_")
ENV_NAMES = frozenset({"NO_COLOR", "FORCE_COLOR", "XDG_CACHE_HOME", "HOME"})

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_READ = (os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
         | getattr(os, "O_CLOEXEC", 0))
_CREATE = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
# Seven numbers per path: mode, size, mtime, ctime (ns), inode, device, owner.
_STAMP = "<QQqqQQQ"
_STAMP_SIZE = 56
_MISSING = b"\xff" * _STAMP_SIZE


def user_folder() -> str | None:
    """This user's own orglint folder (``$XDG_CACHE_HOME/orglint``), where the cache's
    secret and the records are; None without a home."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home == "~":
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "orglint")


def _private(info: os.stat_result) -> bool:
    """A file or folder of this user's that no one else can write."""
    return info.st_uid == os.geteuid() and not info.st_mode & 0o022


def _secret(home: str) -> bytes | None:
    return read_secret(os.path.join(home, "secret"), os.geteuid())


def read_secret(path: str, uid: int) -> bytes | None:
    """The key ``cache.secret`` made at ``path``, if it is a 32-byte regular file of
    user ``uid``'s that only they can read, in a folder of theirs that only they can
    write; else None."""
    import stat

    try:
        folder = os.lstat(os.path.dirname(path))
        fd = os.open(path, _READ)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        mine = info.st_uid == uid and folder.st_uid == uid
        private = not (stat.S_IMODE(info.st_mode) & 0o077
                       or stat.S_IMODE(folder.st_mode) & 0o022)
        if not (stat.S_ISREG(info.st_mode) and mine and private and info.st_size == 32):
            return None
        key = os.read(fd, 33)
    except OSError:
        return None
    finally:
        os.close(fd)
    return key if len(key) == 32 else None


_ASKED: list[str] = []  # this process's ask, worked out once (``serve``, ``capture``)


def _ask(stdout: Any) -> str:
    """The name of a run's record: everything a run reads besides the file system."""
    if _ASKED:
        return _ASKED[0]
    import time
    from _blake2 import blake2b

    env = os.environ
    try:
        tty = os.isatty(1)
    except OSError:
        tty = False
    # Which orglint answers, too: another checkout or install run by the same command
    # (PYTHONPATH, ``pip install -e`` elsewhere) is another program.
    parts = [sys.version, sys.executable, os.path.realpath(os.path.dirname(__file__)),
             *sys.path, "", *sys.argv, "", os.getcwd(), time.strftime("%Y-%m-%d"),
             str(tty), str(getattr(stdout, "encoding", None)), os.linesep,
             # Whom the run is for: what it may read depends on the groups too.
             str(os.getegid()), *map(str, sorted(os.getgroups())), ""]
    for name in sorted(env):
        if name.startswith(ENV_PREFIXES) or name in ENV_NAMES:
            parts += (name, env[name])
    text = "\0".join(parts).encode("utf-8", "surrogateescape")
    _ASKED.append(blake2b(text, digest_size=16).hexdigest())
    return _ASKED[0]


def _mac(key: bytes, what: bytes, name: str, body: bytes | memoryview) -> bytes:
    from _blake2 import blake2b

    digest = blake2b(key=key, digest_size=16)
    digest.update(b"%s %s %s\n" % (LAYOUT, what, name.encode()))
    digest.update(body)
    return digest.hexdigest().encode()


def _identity(info: os.stat_result) -> bytes:
    return b"%d %d %d %d %d" % (info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                info.st_ino, info.st_dev)


def _stamps(probes: dict[tuple[str, str], None], limit: int
            ) -> tuple[bytes, list[str]] | None:
    """The statuses that vouch for ``probes`` (each a kind and a path: ``l`` for an
    ``lstat``, ``s`` for a ``stat``, ``L`` for an open or a listing), and the marked
    paths ``_restamp`` states again.  An opened or listed path that is a link is also
    stated through it (marked ``S``).  None if a status does not fit, or if one changed
    after ``limit`` (nanoseconds since the epoch)."""
    import stat

    marks: dict[str, None] = {}
    for kind, path in probes:
        marks[kind + path] = None
        if kind != "L":
            continue
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                marks["S" + path] = None
                info = os.stat(path)
            if not stat.S_ISDIR(info.st_mode):
                continue
            # What a listing's entries say of themselves without a call that can be
            # watched (``DirEntry.is_dir()`` follows a link in C): each entry is
            # stated too, and a link through it.
            with os.scandir(path) as entries:
                for entry in entries:
                    marks["l" + entry.path] = None
                    if entry.is_symlink():
                        marks["s" + entry.path] = None
        except (OSError, ValueError):
            continue
    names = list(marks)
    stamps = _restamp(names, limit)
    return None if stamps is None else (stamps, names)


def _restamp(names: list[str], limit: int | None = None,
             against: bytes | None = None) -> bytes | None:
    """The status of each marked path: ``l``/``L`` without following a link, ``s``/``S``
    through it.  A folder's size and times change with its entries, which only a
    listing (``L``, ``S``) reads: for ``l`` and ``s`` they are left out, so a file
    made beside a path that was only stated does not count as a change.  None for a
    status that does not fit, (with ``limit``) one that changed after ``limit``, or
    (with ``against``, statuses recorded) the first that is not the one recorded."""
    from struct import Struct, error

    pack = Struct(_STAMP).pack
    out: list[bytes] = []
    append = out.append
    lstat, follow = os.lstat, os.stat
    at = 0
    for name in names:
        mark = name[:1]
        try:
            info = (lstat if mark in "lL" else follow)(name[1:])
        except (OSError, ValueError):
            stamp = _MISSING
        else:
            mode = info.st_mode
            try:
                if mark in "ls" and mode & 0o170000 == 0o040000:  # a folder only stated
                    stamp = pack(mode, 0, 0, 0, info.st_ino, info.st_dev, info.st_uid)
                else:
                    stamp = pack(mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                 info.st_ino, info.st_dev, info.st_uid)
                    if limit is not None and max(info.st_mtime_ns,
                                                 info.st_ctime_ns) > limit:
                        return None
            except error:
                return None
        if against is not None:
            if against[at:at + _STAMP_SIZE] != stamp:
                return None
            at += _STAMP_SIZE
        append(stamp)
    return b"".join(out)


# -- replaying --------------------------------------------------------------------------


def serve() -> None:
    """Answer this ``check`` from its record and end the process, if nothing it read has
    changed since; return (having changed nothing) otherwise."""
    if sys.argv[1:2] != ["check"] or not _NOFOLLOW or sys.stdout is None \
            or not hasattr(os, "geteuid"):
        return
    try:
        _serve()
    except KeyboardInterrupt:  # as ``cli`` says it
        os.write(2, b"orglint: interrupted\n")
        os._exit(130)
    except Exception:  # whatever went wrong, the usual run answers
        return


def _serve() -> None:
    home = user_folder()
    key = _secret(home) if home is not None else None
    if home is None or key is None:
        return
    folder = os.path.join(home, FOLDER)
    name = _ask(sys.stdout)
    # Opened as ``forget`` opens it: a record ``orglint clean`` cannot remove (a folder
    # it cannot list) is never served.
    where = _folder(home, create=False)
    if where is None:
        return
    try:
        fd = os.open(name, _READ, dir_fd=where)
    except OSError:
        return
    finally:
        os.close(where)
    try:
        got = _read(fd, os.path.join(folder, name + ".seal"), name, key)
        if got is None:
            return
        names, stamps, code, start, size = got
        if _restamp(names, against=stamps) is None:
            return  # something changed: the first difference is enough
        _write(fd, start, size)
    finally:
        os.close(fd)
    os._exit(code)


def _read(fd: int, seal: str, name: str, key: bytes
          ) -> tuple[list[str], bytes, int, int, int] | None:
    """Of the record open as ``fd``, if the seal at ``seal`` vouches for it: the paths
    and statuses, the exit code, and where its report starts and how long it is."""
    import stat
    from _operator import _compare_digest

    try:
        info = os.fstat(fd)
        if not (stat.S_ISREG(info.st_mode) and _private(info)
                and info.st_size <= MAX_RECORD):
            return None
        sealed = _small(seal)
        if sealed is None or not _compare_digest(sealed, _mac(key, b"seal", name,
                                                              _identity(info))):
            return None
        head = os.pread(fd, 64, 0).partition(b"\n")[0]
        fields = head.split(b" ")
        if len(fields) != 4 or not all(f.isdigit() and len(f) < 12 for f in fields):
            return None
        code, count, listed, size = (int(f) for f in fields)
        begin = len(head) + 1
        length = count * _STAMP_SIZE + listed
        if code > 255 or begin + length + size != info.st_size:
            return None
        raw = _pread(fd, length, begin)
    except OSError:
        return None
    names = raw[count * _STAMP_SIZE:].decode("utf-8", "surrogateescape").split("\0")
    if len(raw) != length or len(names) != count:
        return None
    return names, raw[:count * _STAMP_SIZE], code, begin + length, size


def _pread(fd: int, size: int, offset: int) -> bytes:
    """``size`` bytes at ``offset`` (fewer at the end of the file)."""
    parts = []
    while size > 0:
        part = os.pread(fd, size, offset)
        if not part:
            break
        parts.append(part)
        size -= len(part)
        offset += len(part)
    return b"".join(parts)


def _small(path: str) -> bytes | None:
    try:
        fd = os.open(path, _READ)
    except OSError:
        return None
    try:
        return os.read(fd, 64)
    except OSError:
        return None
    finally:
        os.close(fd)


def _write(fd: int, start: int, size: int) -> None:
    """The report (``size`` bytes at ``start`` of the record ``fd``) on standard output,
    as ``cli`` would write it, copied by the kernel where it can; the process ends with
    2 if it cannot be written (as ``streams`` says)."""
    import errno

    copy = True
    while size > 0:
        try:
            if copy:
                try:
                    done = os.sendfile(1, fd, start, size)
                except OSError as exc:
                    if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                        raise
                    copy = False  # a terminal, for one: written the usual way
                    continue
            else:
                done = os.write(1, os.pread(fd, min(size, 1 << 20), start))
            if done == 0:
                raise OSError(errno.EIO, "nothing written")
        except BrokenPipeError:
            os._exit(2)
        except InterruptedError:
            continue
        except OSError as exc:
            message = f"orglint: error: cannot write to standard output: {exc.strerror}\n"
            os.write(2, message.encode())
            os._exit(2)
        start += done
        size -= done


# -- recording --------------------------------------------------------------------------


class _Watch:
    """What this process asked the file system, and whether it said anything on
    standard error."""

    def __init__(self, ask: str, cwd: str) -> None:
        self.ask = ask  # taken when the run starts: the date it reads is that day's
        # The paths given to stat, to lstat, and to open or list (``_stamps``'s kinds
        # ``s``, ``l`` and ``L``); a descriptor given instead is left out later.
        self.stated: list[Any] = []
        self.lstated: list[Any] = []
        self.opened: list[Any] = []
        self.listed: list[Any] = []  # folders listed (``L`` too, never left out)
        # Of those, each that failed, once per failure: (went through a link?, was it
        # missing?, the path).
        self.failed: list[tuple[bool, bool, Any]] = []
        self.cwd = cwd
        self.start_ns = 0
        self.spoke = False


_watch: _Watch | None = None


class _Stderr:
    """Standard error, noting that something was written to it."""

    def __init__(self, stream: Any, watch: _Watch) -> None:
        self._stream = stream
        self._watch = watch

    def write(self, text: str) -> int:
        self._watch.spoke = True
        written: int = self._stream.write(text)
        return written

    def __getattr__(self, name: str) -> Any:
        if name not in ("flush", "isatty", "fileno", "encoding", "errors"):
            self._watch.spoke = True  # its buffer, for instance: written to, maybe
        return getattr(self._stream, name)


def capture() -> None:
    """Watch every path this ``check`` process asks the file system about, from now on.

    ``os.stat``, ``os.lstat``, ``os.open``, ``os.scandir``, ``os.listdir`` and ``open``
    are wrapped, so what any module asks (``os.path``, ``pathlib``, ``glob``) goes
    through them.  A call relative to a folder descriptor (``dir_fd``) is the cache's
    own, which a replay does not need.
    """
    global _watch
    if sys.argv[1:2] != ["check"] or not _NOFOLLOW or _watch is not None:
        return
    import builtins
    import io
    import time

    try:
        watch = _Watch(_ask(sys.stdout), os.getcwd())
    except OSError:  # the current folder was removed: the run says so, unrecorded
        return
    _watch = watch
    watch.start_ns = time.time_ns()
    # One small function per call, no tuple made: a pre-commit run asks some 2,000
    # of these, and a general wrapper cost it 1.5 % of its instructions.  A failure
    # is noted too, and whether the call went through a link: a path missing when the
    # run is recorded must have been missing each time the run asked, the same way.
    # (A try costs nothing unless it catches.)
    stated, lstated, opened = watch.stated.append, watch.lstated.append, watch.opened.append
    listed, failures = watch.listed.append, watch.failed.append
    stat_, lstat_, open_ = os.stat, os.lstat, os.open
    builtin_open = builtins.open

    def failed(path: Any, follows: bool, exc: OSError) -> None:
        failures((follows, isinstance(exc, FileNotFoundError), path))

    def stat(path: Any, *, dir_fd: int | None = None, follow_symlinks: bool = True) -> Any:
        if dir_fd is None:
            (stated if follow_symlinks else lstated)(path)
            try:
                return stat_(path, follow_symlinks=follow_symlinks)
            except OSError as exc:
                failed(path, follow_symlinks, exc)
                raise
        return stat_(path, dir_fd=dir_fd, follow_symlinks=follow_symlinks)

    def lstat(path: Any, *, dir_fd: int | None = None) -> Any:
        if dir_fd is None:
            lstated(path)
            try:
                return lstat_(path)
            except OSError as exc:
                failed(path, False, exc)
                raise
        return lstat_(path, dir_fd=dir_fd)

    def open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None
             ) -> int:
        if dir_fd is None:
            opened(path)
            try:
                return open_(path, flags, mode)
            except OSError as exc:
                failed(path, True, exc)
                raise
        return open_(path, flags, mode, dir_fd=dir_fd)

    def listing(call: Any) -> Any:
        def wrapped(path: Any = ".") -> Any:
            listed(path)
            try:
                return call(path)
            except OSError as exc:
                failed(path, True, exc)
                raise
        return wrapped

    def open_file(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened(file)
        try:
            return builtin_open(file, *args, **kwargs)
        except OSError as exc:
            failed(file, True, exc)
            raise

    scandir, listdir = listing(os.scandir), listing(os.listdir)
    for module, name, wrapped in ((os, "stat", stat), (os, "lstat", lstat),
                                  (os, "open", open), (os, "scandir", scandir),
                                  (os, "listdir", listdir), (builtins, "open", open_file),
                                  (io, "open", open_file)):
        call = getattr(module, name)
        # What a module asks of these before using a descriptor (``cache``, ``shutil``)
        # must still be answered yes.
        for support in (os.supports_fd, os.supports_dir_fd, os.supports_follow_symlinks):
            if call in support:
                support.add(wrapped)
        setattr(module, name, wrapped)
    if sys.stderr is None:
        watch.spoke = True  # where its messages go (standard output) is not recorded
    else:
        sys.stderr = _Stderr(sys.stderr, watch)


def keep(output: memoryview, code: int, skip: list[str]) -> None:
    """Record this run: its report is ``output`` (its whole standard output) and it
    exits with ``code``.  ``skip`` names the repository's cache folder, left out (see
    below).  Whatever goes wrong here, the run's report and exit code are already
    given: a record is only ever not made."""
    try:
        _keep(output, code, skip)
    except Exception:  # the report is out; an unrecorded run is only a slower rerun
        return


def _keep(output: memoryview, code: int, skip: list[str]) -> None:
    watch = _watch
    if watch is None or watch.spoke or not hasattr(os, "geteuid"):
        return
    # What the run asked, as it stands now: the statuses taken below go through the
    # same wrappers.
    asked = [("L", watch.opened[:]), ("D", watch.listed[:]), ("s", watch.stated[:]),
             ("l", watch.lstated[:])]
    failures = watch.failed[:]
    home = user_folder()
    key = _secret(home) if home is not None else None
    if home is None or key is None:
        return
    # Left out: the cache folder itself (written by every run; what is in it is read
    # by descriptor, unwatched, and only saves work) and the user's folder and secret
    # (the record's own signature).  Anything else below them is watched like any path,
    # and so is a listing of them (a walk of the org that goes through the cache folder
    # reads what is there).
    # Compared as the very names those steps use, not lexically: ``link/..`` may
    # lead elsewhere.
    skipped = {os.path.join(watch.cwd, p) for p in (*skip, home, os.path.join(home, "secret"))}
    limit = watch.start_ns - MARGIN_NS
    wanted: dict[tuple[str, str], None] = {}
    # How many times each path was asked about: through a link (stat, open, a
    # listing) and in all.
    follows: dict[str, int] = {}
    tries: dict[str, int] = {}
    # Opened and listed first: a few paths, among which any file the run had to read
    # again (the others came from the stat index), so that a run just after an edit
    # gives up before stating the whole org.
    for kind, given in asked:
        for raw in given:
            full = _full(raw, watch.cwd)
            if full is None:
                return  # something that is not a path: nothing to vouch for
            if not full or (kind != "D" and full in skipped):
                continue
            wanted["L" if kind == "D" else kind, full] = None
            tries[full] = tries.get(full, 0) + 1
            if kind != "l":
                follows[full] = follows.get(full, 0) + 1
        if kind == "D" and _restamp(["L" + path for _, path in wanted], limit) is None:
            return  # something it read changed too recently to be told from a later change
    wanted.update(dict.fromkeys(("L", path) for path, _ in code_files()))
    # Only if everything it read last changed at least the margin before the run began.
    found = _stamps(wanted, limit)
    if found is None or not _as_asked(found, failures, tries, follows, watch.cwd):
        return
    stamps, names = found
    listed = "\0".join(names).encode("utf-8", "surrogateescape")
    body = b"".join((b"%d %d %d %d\n" % (code, len(names), len(listed), len(output)),
                     stamps, listed, output))
    if len(body) > MAX_RECORD:
        return
    _save(home, watch.ask, key, body)


def _as_asked(found: tuple[bytes, list[str]], failures: list[tuple[bool, bool, Any]],
              tries: dict[str, int], follows: dict[str, int], cwd: str) -> bool:
    """Whether the statuses ``found`` (for ``names``) say of each path what the run
    found: a path missing now must have been missing (not refused for another reason)
    each time it was asked about the same way, through a link or not; and a path the
    run found missing must still be."""
    stamps, names = found
    lost: dict[str, int] = {}  # "missing" answers, in all and through a link
    lost_follow: dict[str, int] = {}
    absent: set[tuple[bool, str]] = set()
    for through, gone, raw in failures:
        full = _full(raw, cwd)
        if not full or not gone:
            continue
        lost[full] = lost.get(full, 0) + 1
        if through:
            lost_follow[full] = lost_follow.get(full, 0) + 1
        absent.add((through, full))
    for i, name in enumerate(names):
        mark, path = name[:1], name[1:]
        through = mark in "sS"
        stamp = stamps[i * _STAMP_SIZE:(i + 1) * _STAMP_SIZE]
        if stamp == _MISSING:
            # Found during the run (by a call of that kind), gone now: removed after
            # it was read.  A path no call asked about (a listing's entry, a link's
            # target) is vouched for by its folder's listing.
            asked, failed = ((follows.get(path, 0), lost_follow.get(path, 0)) if through
                             else (tries.get(path, 0), lost.get(path, 0)))
            if failed < asked:
                return False
        elif (through, path) in absent:
            return False  # missing when the run asked, there now: made while it ran
        elif not through and (True, path) in absent \
                and int.from_bytes(stamp[:8], "little") & 0o170000 != 0o120000:
            return False  # missing through it then, and no link now: made since
    return True


def _full(raw: Any, cwd: str) -> str | None:
    """The absolute name of a path given to a watched call; "" for a descriptor or a
    name that cannot be stated; None for something that is no path."""
    if isinstance(raw, int):
        return ""  # a descriptor: its path was seen when it was opened
    try:
        path = os.fsdecode(raw)
    except TypeError:
        return None
    if "\0" in path:
        return ""
    return os.path.join(cwd, path)  # as asked: ``..`` after a link is not lexical


def code_files() -> list[tuple[str, bool]]:
    """orglint's own modules and data (its schemas and matrices, which a source
    checkout keeps beside the package, at any depth), the packages it checks with
    (``_DEPENDENCIES``), and the folders that hold them, each with whether it is a
    folder: a file edited, added or removed (an editable install, an upgrade) changes
    what a run would say.  The cache's code digest (``cache.code_digest``) is made of
    the same files."""
    from orglint.resources import data_dir

    package = os.path.dirname(os.path.abspath(__file__))
    out: list[tuple[str, bool]] = []
    for top in (package, str(data_dir("schemas")), str(data_dir("rules")),
                *_dependencies()):
        for folder, folders, files in os.walk(top):
            folders[:] = sorted(f for f in folders if f != "__pycache__")
            out.append((folder, True))
            out += ((os.path.join(folder, f), False) for f in sorted(files))
    return out


# What a check's verdicts also depend on: the YAML parser, the schema validator, the
# policy engine (package, and for a namespace package the module orglint imports from
# it).  An upgrade in place (same folder, same orglint) changes their files.
_DEPENDENCIES = (("yaml", ""), ("jsonschema_rs", ""), ("cel_expr_python", "cel."))


def _dependencies() -> list[str]:
    """The folders of ``_DEPENDENCIES`` that this Python would import, found without
    importing them (the policy engine is imported only when a policy is configured)."""
    from importlib.machinery import PathFinder

    out: list[str] = []
    for name, module in _DEPENDENCIES:
        try:
            spec = PathFinder.find_spec(name)
        except (ImportError, ValueError, OSError):
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        places = [str(place) for place in spec.submodule_search_locations]
        if spec.origin is None:  # a namespace package: any folder of that name on
            # sys.path is part of it (one in the current folder too); only the first
            # that holds the module is what an import reads
            places = [place for place in places if _holds(place, module)][:1]
        out += places
    return out


def _holds(folder: str, prefix: str) -> bool:
    try:
        return any(name.startswith(prefix) for name in os.listdir(folder))
    except OSError:
        return False


_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
# The names orglint gives what it writes in the records' folder, and nothing else.
_OURS = r"[0-9a-f]{32}(?:\.seal)?|\.[0-9]+\.[0-9a-f]{12}\.tmp"


def _folder(home: str, create: bool) -> int | None:
    """A descriptor of the records' folder in ``home``, each of the two opened without
    following a link and only if it is a folder of this user's that no one else can
    write (made so when ``create``); None otherwise.  Everything written, renamed or
    removed there is named relative to it."""
    import contextlib

    try:
        top = os.open(home, _DIR)
    except OSError:
        return None
    try:
        if not _private(os.fstat(top)):
            return None
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(FOLDER, 0o700, dir_fd=top)
        fd = os.open(FOLDER, _DIR, dir_fd=top)
    except OSError:
        return None
    finally:
        os.close(top)
    try:
        if _private(os.fstat(fd)):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _save(home: str, name: str, key: bytes, body: bytes) -> None:
    """Write the record and its seal atomically, each through a new file of ours that
    is renamed into place; keep the newest ``KEPT`` records."""
    import contextlib

    folder = _folder(home, create=True)
    if folder is None:
        return
    made: list[str] = []  # temporary files not yet renamed: removed whatever happens
    try:
        tmp = _new(folder, body)
        if tmp is None:
            return
        made.append(tmp)
        inode = os.stat(tmp, dir_fd=folder, follow_symlinks=False).st_ino
        os.rename(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        made.remove(tmp)
        # The status after the rename, which gives the file a new change time; and
        # only if the file there is still the one written (not another run's).
        fd = os.open(name, _READ, dir_fd=folder)
        try:
            info = os.fstat(fd)
        finally:
            os.close(fd)
        if info.st_ino != inode:
            return
        seal = _new(folder, _mac(key, b"seal", name, _identity(info)))
        if seal is not None:
            made.append(seal)
            os.rename(seal, name + ".seal", src_dir_fd=folder, dst_dir_fd=folder)
            made.remove(seal)
        _prune(folder)
    except OSError:
        return
    finally:
        for leftover in made:
            with contextlib.suppress(OSError):
                os.unlink(leftover, dir_fd=folder)
        os.close(folder)


def _new(folder: int, data: bytes) -> str | None:
    """The name of a new file in the folder ``folder`` holding ``data``."""
    tmp = f".{os.getpid()}.{os.urandom(6).hex()}.tmp"
    fd = os.open(tmp, _CREATE, 0o600, dir_fd=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        os.close(fd)
        os.unlink(tmp, dir_fd=folder)
        return None
    os.close(fd)
    return tmp


def _ours(folder: int) -> list[tuple[str, int]]:
    """The regular files of ours in ``folder``: name and modification time."""
    import re
    import stat

    out = []
    for entry in os.scandir(folder):
        if re.fullmatch(_OURS, entry.name):
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # renamed or removed by another run meanwhile
                continue
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
                out.append((entry.name, info.st_mtime_ns))
    return out


def _prune(folder: int) -> None:
    """The newest ``KEPT`` records kept, and temporary files an interrupted run left
    (an hour old: another run may be writing one now)."""
    import contextlib
    import time

    ours = _ours(folder)
    records = sorted(((t, n) for n, t in ours if len(n) == 32), reverse=True)
    stale = [n for n, t in ours if n.endswith(".tmp") and t < time.time_ns() - 3600 * 10**9]
    for name in [*stale, *(n + s for _, n in records[KEPT:] for s in ("", ".seal"))]:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=folder)


def forget() -> tuple[int, str | None]:
    """Remove every record (``orglint clean``), and only what orglint wrote there: the
    number of records removed, and why some were not (None: all gone)."""
    home = user_folder()
    folder = _folder(home, create=False) if home is not None else None
    if folder is None:
        return 0, None  # no folder, or one no record is ever served from
    removed, failed = 0, None
    try:
        for name, _ in _ours(folder):
            try:
                os.unlink(name, dir_fd=folder)
                removed += len(name) == 32
            except FileNotFoundError:  # another `orglint clean` was first
                continue
            except OSError as exc:
                failed = failed or f"{os.path.join(home or '', FOLDER, name)}: {exc.strerror}"
    except OSError as exc:
        failed = f"{os.path.join(home or '', FOLDER)}: {exc.strerror}"
    finally:
        os.close(folder)
    return removed, failed
