"""The cache folder: per-file results, the stat index, settings snapshots, run reports.

Everything in a repository may be hostile, the cache folder included (``git add -f``
commits it), so:

* every file is JSON behind a header naming the format, its version and its layout,
  and a keyed hash (blake2b) under a secret kept in the user's own cache folder
  (``$XDG_CACHE_HOME/orglint/secret``): a file this user's orglint did not write, or
  another version wrote, is ignored and rebuilt.  Nothing read back can run code.
* every path is opened component by component from the cache folder with
  ``O_NOFOLLOW``: a symbolic link anywhere inside is never followed, for reading,
  writing or deleting, and only regular files with names orglint gives are deleted.
* a cache folder that is a symbolic link, not a folder, owned by another user, or a
  folder orglint did not create (no ``CACHEDIR.TAG`` of its own) is not used: the run
  goes on uncached with a warning.  An unwritable one is skipped quietly.

Entries are written atomically (a temporary file, then a rename), so several pre-commit
processes can share the cache: the worst a race costs is a duplicate computation.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orglint import __version__, hashing
from orglint.errors import OrglintError
from orglint.lazyre import deferred
from orglint.ntuple import NamedTuple
from orglint.reading import read_capped
from orglint.replay import code_files, read_secret, user_folder
from orglint.trust import euid, warn

if TYPE_CHECKING:
    from orglint.fileresult import FileResult

CACHE_DIR_NAME = ".orglint_cache"
FORMAT = b"orglint-cache"
VERSION = 3
MAX_READ = 256 * 1024 * 1024  # no cache file is read past this (a pack of 50,000 files)
TAG_TEXT = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
            b"# This file is a cache directory tag created by orglint.\n"
            b"# For information about cache directory tags see https://bford.info/cachedir/\n")
GITIGNORE_TEXT = b"# Created by orglint\n*\n"
_MARKERS = {".gitignore": GITIGNORE_TEXT, "CACHEDIR.TAG": TAG_TEXT}

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_READ = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC
_DIR = os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
# Without *at() calls and O_NOFOLLOW (Windows), paths cannot be walked without
# following links: such a platform runs uncached.
SAFE_PLATFORM = bool(_NOFOLLOW and _DIRECTORY and os.scandir in os.supports_fd and all(
    f in os.supports_dir_fd for f in (os.open, os.stat, os.unlink, os.mkdir, os.rename,
                                      os.rmdir, os.link)))

# The names orglint gives, by folder; ``clean`` deletes nothing else.  Compiled when
# first used (deleting, pruning, cleaning): 2.8 M instructions a run otherwise.
_TMP = r"\.[^/]+\.tmp"
OWN_FILES = deferred(rf"""(?:
    index/stat-index\.(?:json|pickle)
  | settings/[0-9a-f]{{32}}(?:\.json)?
  | runs/[0-9a-f]{{40}}(?:\.json|\.seal)?
  | v[23]-[0-9a-f]{{16}}/(?:pack|delta-\d+-\d+)(?:\.json|\.pickle)?
  | (?:[^/]+/)?{_TMP}
)""", re.VERBOSE)
OWN_DIRS = deferred(r"index|settings|runs|v[23]-[0-9a-f]{16}")
_RESULTS = deferred(r"v[23]-[0-9a-f]{16}")


@functools.cache
def code_digest() -> str:
    """orglint's own code and data and the packages it checks with, by name, size and
    mtime.

    The version alone is not enough: an editable install changes code without changing
    the version, and a result written by other code must never be read back.
    """
    parts: list[str] = [__version__]
    for path, folder in code_files():
        if not folder and path.endswith((".py", ".json", ".yaml", ".so", ".pyd")):
            try:
                info = os.stat(path)
            except OSError:
                continue
            parts.append(f"{path}:{info.st_size}:{info.st_mtime_ns}")
    return hashing.blake2b("\n".join(parts).encode(), digest_size=8).hexdigest()


def default_dir(root: Path) -> Path:
    """The cache folder of a project rooted at ``root`` (ORGLINT_CACHE_DIR overrides)."""
    env = os.environ.get("ORGLINT_CACHE_DIR")
    return Path(env) if env else root / CACHE_DIR_NAME


# -- the secret -------------------------------------------------------------------------


def secret_path() -> Path | None:
    folder = user_folder()
    return None if folder is None else Path(folder) / "secret"


def secret() -> bytes | None:
    """The key of this user's cache files, made on first use; None without a home."""
    path = secret_path()
    return None if path is None else _secret(str(path))


@functools.lru_cache(maxsize=4)
def _secret(path: str) -> bytes | None:
    key = _read_secret(path)
    if key is not None:
        return key
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        tmp = os.path.join(folder, f".secret.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        fd = os.open(tmp, _CREATE, 0o600)
        try:
            os.write(fd, os.urandom(32))
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic, and never over an existing name
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            os.unlink(tmp)
    except OSError:
        return None
    return _read_secret(path)


def _read_secret(path: str) -> bytes | None:
    return read_secret(path, euid())


# -- framing ----------------------------------------------------------------------------


def _mac(key: bytes, layout: bytes, body: bytes | memoryview, where: str = "") -> bytes:
    # ``where``, the file's path in the cache, is signed too: a file the user's own run
    # signed, copied under another run's key or into another settings' folder, is
    # refused, not served as that run's answer.
    digest = hashing.blake2b(key=key, digest_size=16)
    digest.update(b"%d %s %s\n" % (VERSION, layout, os.fsencode(where)))
    digest.update(body)
    return digest.hexdigest().encode()


def frame(key: bytes, layout: str, data: object, where: str = "") -> bytes:
    """``data`` as one cache file at ``where``: header line, then JSON.  Raises
    TypeError/ValueError for a value JSON cannot hold."""
    return frame_bytes(key, layout,
                       json.dumps(data, separators=(",", ":"), allow_nan=False).encode(),
                       where=where)


def frame_bytes(key: bytes, layout: str, body: bytes, signed: int | None = None,
                where: str = "") -> bytes:
    """``body`` as one cache file at ``where``: header line (with the MAC of ``body``, or
    of its first ``signed`` bytes), then ``body``."""
    name = layout.encode()
    covered = body if signed is None else body[:signed]
    return b"%s %d %s %s\n%s" % (FORMAT, VERSION, name, _mac(key, name, covered, where),
                                 body)


def unframe_bytes(key: bytes, layout: str, raw: bytes, where: str = "") -> bytes | None:
    """The body ``frame_bytes`` stored at ``where``, or None for anything else."""
    head, _, body = raw.partition(b"\n")
    return body if _signed(key, layout, head, body, where) else None


def _signed(key: bytes, layout: str, head: bytes, covered: bytes | memoryview,
            where: str = "") -> bool:
    """``head`` is the header line of ``layout`` at ``where`` whose MAC is that of
    ``covered``."""
    parts = head.split(b" ")
    name = layout.encode()
    if len(parts) != 4 or parts[:3] != [FORMAT, b"%d" % VERSION, name]:
        return False
    return hashing.compare_digest(parts[3], _mac(key, name, covered, where))


def text_mac(key: bytes, text: bytes | memoryview) -> str:
    """The MAC of one text of a pack (a layout of its own: no file's MAC is a text's)."""
    return _mac(key, b"text", text).decode()


def unframe(key: bytes, layout: str, raw: bytes, where: str = "") -> Any:
    """What ``frame`` stored at ``where``, or None for anything else (never an
    exception)."""
    body = unframe_bytes(key, layout, raw, where)
    if body is None:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


# -- the folder -------------------------------------------------------------------------


def _is_ours(fd: int, name: str, text: bytes) -> bool:
    """``name`` in the folder ``fd`` is a regular file of ours holding exactly ``text``."""
    try:
        handle = os.open(name, _READ, dir_fd=fd)
    except OSError:
        return False
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != euid():
            return False
        return info.st_size == len(text) and os.read(handle, len(text) + 1) == text
    except OSError:
        return False
    finally:
        os.close(handle)


def _marked(fd: int) -> bool:
    # The .gitignore alone marks a cache written before CACHEDIR.TAG existed.
    return _is_ours(fd, "CACHEDIR.TAG", TAG_TEXT) or _is_ours(fd, ".gitignore", GITIGNORE_TEXT)


def _create(fd: int, name: str, text: bytes) -> None:
    """Create ``name`` unless something (even a dangling symlink) has that name."""
    try:
        handle = os.open(name, _CREATE, 0o644, dir_fd=fd)
    except FileExistsError:
        return
    try:
        os.write(handle, text)
    finally:
        os.close(handle)


def _mark(fd: int) -> None:
    tmp = f".CACHEDIR.TAG.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    _create(fd, tmp, TAG_TEXT)
    try:
        # A link, not a rename: it never replaces a tag another process wrote first,
        # and a reader never sees half a tag.
        os.link(tmp, "CACHEDIR.TAG", src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp, dir_fd=fd)
    # As ruff does: the cache ignores itself, so no one has to add it to .gitignore.
    _create(fd, ".gitignore", GITIGNORE_TEXT)


def _problem(info: os.stat_result) -> str | None:
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "is not a folder"
    if info.st_uid != euid():
        return f"is owned by another user (uid {info.st_uid})"
    return None


class CacheDir:
    """One cache folder, opened safely; every path below it is a tuple of names."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self.key = key

    @classmethod
    def open(cls, path: Path, create: bool = True) -> CacheDir | None:
        """The cache folder at ``path``, created if missing (and ``create``); None if it
        must not or cannot be used (with a warning when that is not just a read-only
        checkout)."""
        key = secret() if SAFE_PLATFORM else None
        if key is None:
            return None
        try:
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                if not create:
                    return None
                path.parent.mkdir(parents=True, exist_ok=True)
                with suppress(FileExistsError):
                    os.mkdir(path, 0o755)
                info = os.lstat(path)
            problem = _problem(info)
            if problem is None:
                fd = os.open(path, _DIR)
                try:
                    if not _marked(fd):
                        # Another process's temporary tag means it is marking the
                        # folder right now: the folder is still empty for this purpose.
                        # A tag another process linked between the check and the
                        # listing is listed: checked again, it is ours.
                        if (any(not re.fullmatch(_TMP, e.name) for e in os.scandir(fd))
                                and not _marked(fd)):
                            problem = ("holds files orglint did not create"
                                       " (it has no CACHEDIR.TAG of orglint's)")
                        else:
                            _mark(fd)
                finally:
                    os.close(fd)
        except OSError:
            return None  # a read-only checkout, a vanished folder: quietly uncached
        if problem is not None:
            warn(f"cache folder {path} {problem}; running without the cache")
            return None
        return cls(path, key)

    @contextmanager
    def _folder(self, parts: tuple[str, ...], create: bool = False) -> Iterator[int]:
        """A descriptor of the folder ``parts`` below the cache, never through a link."""
        fd = os.open(self.path, _DIR)
        try:
            for name in ("", *parts):
                if name:
                    if create:
                        with suppress(FileExistsError):
                            os.mkdir(name, 0o755, dir_fd=fd)
                    sub = os.open(name, _DIR, dir_fd=fd)
                    os.close(fd)
                    fd = sub
                if os.fstat(fd).st_uid != euid():
                    raise PermissionError(f"{self.path}/{name}: owned by another user")
            yield fd
        finally:
            os.close(fd)

    def read(self, parts: tuple[str, ...], layout: str) -> Any:
        """The data stored at ``parts`` under ``layout``, or None."""
        raw = self._raw(parts)
        return None if raw is None else unframe(self.key, layout, raw, "/".join(parts))

    def read_pack(self, parts: tuple[str, ...], layout: str
                  ) -> tuple[bytes, Texts] | None:
        """The index and the texts stored at ``parts`` by ``write_pack``, or None.  Only
        the index is checked here: the texts are the caller's to check, with the MACs
        the index gives them.  Only the header and the index are read now, the texts
        from the same open file when the first is asked for: a pre-commit run needs the
        index of a pack and hardly any of its texts (8 MB of a 2,000-file org's 9 MB,
        3 ms of system time)."""
        try:
            with self._folder(parts[:-1]) as fd:
                handle = os.open(parts[-1], _READ, dir_fd=fd)
        except OSError:
            return None
        try:
            info = os.fstat(handle)
            if (not stat.S_ISREG(info.st_mode) or info.st_uid != euid()
                    or info.st_size > MAX_READ):
                os.close(handle)
                return None
            # Not a with block: the file stays open for the texts (``Texts``, closed by
            # ``Cache.close``).  Opened once it is known to be a regular file: a folder
            # put in its place would make ``open`` raise.
            file = open(handle, "rb", buffering=0)  # noqa: SIM115
        except OSError:
            os.close(handle)
            return None
        try:
            # One read holds the index of an org of a few thousand files; a larger one
            # is read again by doubling (linear in the index).
            raw = file.read(min(info.st_size, 1 << 20))
            first = raw.find(b"\n")
            second = raw.find(b"\n", first + 1) if first >= 0 else -1
            while second < 0 and len(raw) < info.st_size:
                scanned = len(raw)
                more = file.read(len(raw))
                if not more:
                    break
                raw += more
                if first < 0:
                    first = raw.find(b"\n", scanned)
                if first >= 0:
                    second = raw.find(b"\n", max(first + 1, scanned))
        except OSError:
            file.close()
            return None
        end = len(raw) if second < 0 else second
        index = raw[first + 1:end]
        if first < 0 or not _signed(self.key, layout, raw[:first], index, "/".join(parts)):
            file.close()
            return None
        return index, Texts(file, end + 1, info.st_size - end - 1, raw)

    def _raw(self, parts: tuple[str, ...]) -> bytes | None:
        got = self.read_with_stat(parts)
        return None if got is None else got[0]

    def read_with_stat(self, parts: tuple[str, ...], settled: bool = False
                       ) -> tuple[bytes, os.stat_result] | None:
        """The bytes at ``parts`` (unchecked) and the status of the file they were read
        from, taken on the same descriptor before the read; None if it is no regular file
        of ours, or, when ``settled``, if its status changed while it was read (for a
        file trusted by its status: a MAC would catch the change anyway, and a file
        another run replaces by rename meanwhile would be refused for nothing)."""
        try:
            with self._folder(parts[:-1]) as fd:
                handle = os.open(parts[-1], _READ, dir_fd=fd)
                with open(handle, "rb") as file:
                    info = os.fstat(handle)
                    if (not stat.S_ISREG(info.st_mode) or info.st_uid != euid()
                            or info.st_size > MAX_READ):
                        return None
                    raw = file.read(info.st_size + 1)
                    after = os.fstat(handle) if settled else info
        except OSError:
            return None
        if (after.st_ctime_ns, after.st_mtime_ns, after.st_size) != (
                info.st_ctime_ns, info.st_mtime_ns, info.st_size):
            return None  # written to while read: its seal may not vouch for these bytes
        return None if len(raw) > MAX_READ else (raw, info)

    def read_bytes(self, parts: tuple[str, ...], layout: str) -> bytes | None:
        """The body stored at ``parts`` by ``write_bytes`` under ``layout``, or None."""
        raw = self._raw(parts)
        return None if raw is None else unframe_bytes(self.key, layout, raw,
                                                      "/".join(parts))

    def write_bytes(self, parts: tuple[str, ...], layout: str, body: bytes) -> bool:
        """Store ``body`` at ``parts`` atomically; False if it cannot be (quietly)."""
        return self._write(parts, frame_bytes(self.key, layout, body,
                                              where="/".join(parts)))

    def write(self, parts: tuple[str, ...], layout: str, data: object) -> bool:
        """Store ``data`` at ``parts`` atomically; False if it cannot be (quietly)."""
        try:
            raw = frame(self.key, layout, data, "/".join(parts))
        except (TypeError, ValueError, RecursionError):
            return False
        return self._write(parts, raw)

    def write_pack(self, parts: tuple[str, ...], layout: str, index: bytes,
                   texts: bytes) -> bool:
        """Store a one-line ``index``, MAC'ed, then ``texts`` (which the index must cover
        with MACs of its own), atomically, for ``read_pack``.  A run reads every index of
        a pack but few of its texts: each is checked when used, not all at every read."""
        if b"\n" in index:
            raise ValueError("an index is one line")
        return self._write(parts, frame_bytes(self.key, layout, index + b"\n" + texts,
                                              len(index), "/".join(parts)))

    def _write(self, parts: tuple[str, ...], raw: bytes) -> bool:
        name = parts[-1]
        tmp = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        try:
            with self._folder(parts[:-1], create=True) as fd:
                handle = os.open(tmp, _CREATE, 0o644, dir_fd=fd)
                try:
                    with open(handle, "wb", closefd=False) as file:
                        file.write(raw)
                finally:
                    os.close(handle)
                try:
                    # Never in place of what is not a regular file (a link, a folder, a
                    # FIFO a committed cache holds): that is not orglint's to replace.
                    with suppress(FileNotFoundError):
                        there = os.stat(name, dir_fd=fd, follow_symlinks=False)
                        if not stat.S_ISREG(there.st_mode):
                            raise IsADirectoryError(name)
                    # A rename is atomic on POSIX, as os.replace is.
                    os.rename(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
                except OSError:
                    os.unlink(tmp, dir_fd=fd)
                    raise
        except OSError:
            return False
        return True

    def files(self, folder: tuple[str, ...]) -> list[tuple[str, os.stat_result]]:
        """The regular files in ``folder`` (symbolic links are not files here)."""
        out = []
        try:
            with self._folder(folder) as fd:
                for entry in os.scandir(fd):
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode):
                        out.append((entry.name, info))
        except OSError:
            return []
        return out

    def prune_results(self, current: str, kept: int) -> None:
        """Delete the result folders of all but the ``kept`` newest settings besides
        ``current``: each configuration, matrix and orglint version has its own folder
        (megabytes for a large org), and a CI cache restored run after run would
        otherwise grow with every upgrade.  Only folders named as orglint names them,
        only orglint's files in them, never through a link (as ``orglint clean``)."""
        try:
            with self._folder(()) as fd:
                folders = [(entry.name, entry.stat(follow_symlinks=False))
                           for entry in os.scandir(fd)
                           if entry.name != current and _RESULTS.fullmatch(entry.name)]
                folders = [(name, info) for name, info in folders
                           if stat.S_ISDIR(info.st_mode) and info.st_uid == euid()]
                folders.sort(key=lambda f: f[1].st_mtime_ns, reverse=True)
                for name, _ in folders[kept:]:
                    sub = os.open(name, _DIR, dir_fd=fd)
                    try:
                        _, left = _empty(sub, name + "/")
                    finally:
                        os.close(sub)
                    if not left:
                        with suppress(OSError):
                            os.rmdir(name, dir_fd=fd)
        except OSError:
            return  # another run pruning too, a read-only folder: next time

    def delete(self, parts: tuple[str, ...]) -> None:
        """Unlink ``parts`` if it is a regular file named as orglint names its own."""
        if not OWN_FILES.fullmatch("/".join(parts)):
            return
        with suppress(OSError), self._folder(parts[:-1]) as fd:
            info = os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                os.unlink(parts[-1], dir_fd=fd)


# -- per-file results -------------------------------------------------------------------


class Cache:
    """Per-file results of one settings digest: a pack file plus small delta files.

    A pre-commit run on a large org reads back thousands of results: one read of a
    pack is several times faster than thousands of opens.  A run that adds a few
    entries writes them as a delta instead of rewriting the pack; past ``DELTAS``
    deltas, the next run folds them into a new pack.  A run deletes only the deltas it
    has read, so concurrent runs never lose each other's work.  Entries stay in their
    JSON form (texts inside the pack's JSON) until asked for, so folding never decodes
    what no one asked for, and reading a pack decodes little more than its strings.
    """

    PACK_LIMIT = 50_000
    DELTAS = 16
    SETTINGS_KEPT = 4  # besides the run's own: a few configurations used in turn

    def __init__(self, store: CacheDir | None, name: str) -> None:
        self.store = store
        self.name = name
        self.entries: dict[str, Any] | None = None
        self.added: dict[str, Any] = {}
        self.used: set[str] = set()
        self.deltas: list[str] = []
        self._from_entry: Callable[..., FileResult] | None = None
        self._texts: list[Texts] = []  # each pack's and delta's, their files open

    @classmethod
    def open(cls, folder: Path, digest: str) -> Cache:
        return cls(CacheDir.open(folder), f"v3-{digest}")

    def _read(self, name: str) -> dict[str, Any]:
        # Imported here: a warm run served whole from its report never needs the rules
        # that the results' classes bring in.
        from orglint.fileresult import LAYOUT

        assert self.store is not None
        pack = self.store.read_pack((self.name, name), LAYOUT)
        if pack is None:
            return {}
        self._texts.append(pack[1])
        return _unpack(*pack)

    def _entries(self) -> dict[str, Any]:
        if self.entries is None:
            self.entries = {}
            if self.store is not None:
                self.entries = self._read("pack")
                self.deltas = sorted(name for name, _ in self.store.files((self.name,))
                                     if re.fullmatch(r"delta-\d+-\d+", name))
                for delta in self.deltas:
                    self.entries.update(self._read(delta))
        return self.entries

    def get(self, key: str, keep: AbstractSet[str] | None = None,
            people: AbstractSet[str] | None = None) -> FileResult | None:
        """The result stored under ``key``; with ``keep``, only its facts unless it has
        findings with those codes, and of its people only ``people`` (see
        ``fileresult.from_entry``)."""
        raw = (self.entries if self.entries is not None else self._entries()).get(key)
        if raw is None:
            return None
        if self._from_entry is None:
            # Imported at the first result asked for, not per result (2,000 of them in
            # a pre-commit run), nor with this module (see ``_read``).
            from orglint.fileresult import from_entry

            self._from_entry = from_entry
        try:
            value = self._from_entry(raw, keep, people, self._checked)
        except ValueError:
            del self._entries()[key]  # foreign: rebuilt, and dropped from the next pack
            return None
        self.used.add(key)
        return value

    def _checked(self, item: object) -> bytes:
        """The bytes of a text about to be decoded, if its MAC holds."""
        if type(item) is bytes:
            return item  # written by this run
        assert self.store is not None
        if type(item) is not LazyText:
            raise ValueError("not a text")
        text = item.text()
        if not hashing.compare_digest(item.mac, text_mac(self.store.key, text)):
            raise ValueError("a text its MAC does not match")
        return text

    def put_many(self, items: Iterable[tuple[str, FileResult]]) -> None:
        from orglint.fileresult import to_entry

        entries = self._entries()
        for key, value in items:
            self.used.add(key)
            if key not in entries:
                try:
                    self.added[key] = to_entry(value)
                except TypeError:
                    continue  # a value JSON cannot hold: checked again next run

    def close(self) -> None:
        try:
            self._close()
        finally:
            for texts in self._texts:  # after any new pack is written: it reads them
                texts.close()

    def _close(self) -> None:
        from orglint.fileresult import LAYOUT

        if not self.added or self.store is None:
            return
        entries = self._entries()
        if entries and len(self.deltas) < self.DELTAS:
            import time

            name = f"delta-{time.time_ns():020d}-{os.getpid()}"
            if not self.store.write_pack((self.name, name), LAYOUT,
                                         *_pack(self.store.key, self.added)):
                self.store = None
            return
        merged = dict(entries)
        merged.update(self.added)
        if len(merged) > self.PACK_LIMIT:
            merged = {k: v for k, v in merged.items() if k in self.used}
        # The deltas are deleted only once the pack that holds them is written.
        if self.store.write_pack((self.name, "pack"), LAYOUT,
                                 *_pack(self.store.key, merged)):
            for delta in self.deltas:
                self.store.delete((self.name, delta))
            if not entries:  # a folder's first pack: new settings, so maybe old ones
                self.store.prune_results(self.name, self.SETTINGS_KEPT)


_TEXTS = 2  # the JSON texts that end an entry (see ``fileresult.to_entry``)


class Texts:
    """The texts of a pack, after its index: from ``offset`` of the open ``file``, the
    part already read in ``head`` (the bytes read with the index), read when a text is
    first asked for.
    Each text is still checked against its MAC by whoever decodes it; texts that cannot
    be read back whole (the file changed in place) read as empty, so none passes."""

    __slots__ = ("_data", "_file", "_head", "_offset", "_size")

    def __init__(self, file: Any, offset: int, size: int, head: bytes) -> None:
        self._file = file
        self._offset = offset
        self._size = max(size, 0)
        self._head = head
        self._data: bytes | None = None

    def __len__(self) -> int:
        return self._size

    def data(self) -> bytes:
        if self._data is None:
            data = self._head[self._offset:]
            try:
                if len(data) < self._size:
                    data += os.pread(self._file.fileno(), self._size - len(data),
                                     self._offset + len(data))
            except (OSError, ValueError):
                data = b""
            self._data = data if len(data) == self._size else b""
            self.close()
        return self._data

    def close(self) -> None:
        self._file.close()


class LazyText(NamedTuple):
    """A text of a pack whose bytes are still in its file (``Texts``), and the MAC its
    index gives it, read when decoded."""

    texts: Texts
    start: int
    stop: int
    mac: str

    def text(self) -> bytes:
        return self.texts.data()[self.start:self.stop]


def _pack(key: bytes, entries: dict[str, Any]) -> tuple[bytes, bytes]:
    """Entries (JSON values, then ``_TEXTS`` texts, as bytes or as read) as a pack: one
    JSON line of (key, values, the texts' lengths and MACs), then the texts end to end.

    Not the texts as JSON strings: decoding a string full of escaped quotes costs
    nearly what decoding its content does, and a run needs few of the texts.
    """
    index = []
    texts: list[bytes] = []
    for name, entry in entries.items():
        row = [name, *entry[:-_TEXTS]]
        macs = []
        for item in entry[-_TEXTS:]:
            if type(item) is LazyText:
                text, mac = item.text(), item.mac  # read now: this pack is being replaced
            else:
                text, mac = item, text_mac(key, item)
            texts.append(text)
            row.append(len(text))
            macs.append(mac)
        index.append(row + macs)
    return json.dumps(index, separators=(",", ":")).encode(), b"\n".join(texts)


def _unpack(index_line: bytes, texts: Texts) -> dict[str, Any]:
    """The entries of a pack, each text a ``LazyText``; a malformed index gives none."""
    try:
        index = json.loads(index_line)
    except (ValueError, RecursionError):
        return {}
    entries: dict[str, Any] = {}
    at = 0
    # The rows of an org's every file: unrolled for the two texts of ``to_entry``, each
    # LazyText made without NamedTuple's Python __new__.
    for row in index if type(index) is list else ():
        if type(row) is not list or len(row) != 4 + 2 * _TEXTS:
            return {}
        key, codes, ids, head, persons, rest, persons_mac, rest_mac = row
        if (type(key) is not str or type(persons) is not int or type(rest) is not int
                or persons < 0 or rest < 0 or type(persons_mac) is not str
                or type(rest_mac) is not str):
            return {}
        # Each text is followed by a newline but the last.
        middle = at + persons + 1
        entries[key] = [codes, ids, head,
                        _new_tuple(LazyText, (texts, at, middle - 1, persons_mac)),
                        _new_tuple(LazyText, (texts, middle, middle + rest, rest_mac))]
        at = middle + rest + 1
    return entries if at == len(texts) + 1 or (at == 0 and not texts) else {}


_new_tuple = tuple.__new__


# -- whole-run reports ------------------------------------------------------------------

RUNS_KEPT = 8


def run_key(fields: object, matrices: Iterable[Path | None],
            files: Iterable[tuple[bool, str, bytes]], limit: int) -> str:
    """The key of a whole run: code, settings (``fields``, by repr), the matrices and
    every file's (named?, name, content digest).

    Content, not modification times: a checkout or a rebase rewrites mtimes, and a
    stale result is worse than a slow one.
    """
    digest = hashing.blake2b(digest_size=20)
    digest.update(repr((code_digest(), fields)).encode())
    for matrix in matrices:
        if matrix is not None:
            # Capped like every read: a matrix that is a FIFO or past the limit is
            # refused later, by the run that reports why.
            try:
                digest.update(read_capped(matrix, limit, "role matrix"))
            except OrglintError:
                digest.update(b"\0unreadable")
    # The same bytes as three updates per file, joined first: one call instead of six
    # thousand for a 2,000-file org, at every warm and pre-commit run.
    digest.update(b"".join([part for named, display, content in files for part in (
        b"\0N" if named else b"\0O", display.encode("utf-8", "surrogateescape"), content)]))
    return digest.hexdigest()


class Report(NamedTuple):
    """A rendered report and what the run exits with."""

    text: str
    exit_code: int
    summary: str


class KeptReport(NamedTuple):
    """A report read back from the cache: its text stays the UTF-8 bytes it was kept as
    (``raw`` from ``start``) until someone asks for it as text."""

    raw: bytes
    start: int
    exit_code: int
    summary: str

    @property
    def text(self) -> str:
        # surrogatepass: a file name that is not UTF-8 comes back as it was rendered.
        return self.raw[self.start:].decode("utf-8", "surrogatepass")

    def utf8(self) -> memoryview | None:
        """The text as strict UTF-8, as writing ``text`` would encode it, without a
        copy; None if it holds a surrogate (which a stream's error handler decides)."""
        # Every surrogate's encoding starts with 0xED; so does a little Hangul.
        if self.raw.find(b"\xed", self.start) >= 0:
            return None
        return memoryview(self.raw)[self.start:]


_REPORT = "report-bytes"
_SEAL = "report-seal"
SEAL_MARGIN_NS = 2_000_000_000  # as the stat index's: older than the clock's granularity


def _identity(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]


def load_report(folder: Path, key: str) -> KeptReport | None:
    """The report ``save_report`` kept under ``key``, or None.

    The report's text follows a one-line JSON head as raw UTF-8, not as a JSON string,
    whose escaped quotes cost a warm run more to decode (150 M instructions for the
    2,000-team org's JSON report) than all the rest of it.

    Its MAC (90 M instructions for those 6.5 MB) is checked once: a report whose MAC
    held and whose status was then at least ``SEAL_MARGIN_NS`` old gets a seal, a small
    file under its own MAC recording that status (size, modification and change times
    in nanoseconds, inode, device), and a later run that finds the report's status
    unchanged reads it without hashing it again, as git's index trusts an unchanged
    file.  No one can set a change time: any write to the report, a rename over it or
    a checkout of another file in its place gives it a newer one than the seal's, and
    the margin keeps a write within the same clock tick from passing for the file
    sealed.  A seal is this user's alone (its MAC), so a committed cache cannot forge
    one.
    """
    store = CacheDir.open(folder)
    if store is None:
        return None
    got = store.read_with_stat(("runs", key), settled=True)
    if got is None:
        return None
    raw, info = got
    seal = store.read(("runs", f"{key}.seal"), _SEAL)
    first = raw.find(b"\n")
    if first < 0:
        return None
    head = raw[:first]
    # Views, not slices: the report is megabytes, and every copy is as many page faults.
    body = memoryview(raw)[first + 1:]
    if seal == _identity(info) and head.split(b" ")[:3] == [
            FORMAT, b"%d" % VERSION, _REPORT.encode()]:
        pass  # the very file whose MAC was checked, unchanged since
    elif _signed(store.key, _REPORT, head, body, f"runs/{key}"):
        import time

        if info.st_ctime_ns <= time.time_ns() - SEAL_MARGIN_NS:
            store.write(("runs", f"{key}.seal"), _SEAL, _identity(info))
    else:
        return None
    return _report(raw, first + 1)


def _report(raw: bytes, start: int) -> KeptReport | None:
    """The report whose head line begins at ``start`` in ``raw``."""
    end = raw.find(b"\n", start)
    if end < 0:
        return None
    try:
        value = json.loads(raw[start:end])
    except (ValueError, RecursionError):
        return None
    if type(value) is list and len(value) == 2 and type(value[0]) is int \
            and type(value[1]) is str:
        return KeptReport(raw, end + 1, value[0], value[1])
    return None


def save_report(folder: Path, key: str, report: Report) -> None:
    store = CacheDir.open(folder)
    head = json.dumps([report.exit_code, report.summary]).encode()
    body = head + b"\n" + report.text.encode("utf-8", "surrogatepass")
    if store is None or not store.write_bytes(("runs", key), _REPORT, body):
        return  # a read-only checkout runs uncached
    files = store.files(("runs",))
    reports = sorted(((name, info) for name, info in files if "." not in name),
                     key=lambda e: e[1].st_mtime_ns, reverse=True)
    kept = {name for name, _ in reports[:RUNS_KEPT]}
    for name, _ in files:
        # A report past the newest few goes, and with it its seal (not another run's
        # temporary file: it is about to be renamed).
        if not name.startswith(".") and name.partition(".")[0] not in kept:
            store.delete(("runs", name))


# -- orglint clean ----------------------------------------------------------------------


class Cleaned(NamedTuple):
    message: str
    refused: bool


def clean(folder: Path) -> Cleaned:
    """Remove what orglint wrote in ``folder``, and the folder if that empties it.

    Only a folder marked as orglint's, only names orglint gives, only regular files,
    and never through a symbolic link: ``ORGLINT_CACHE_DIR=$HOME orglint clean``
    deletes nothing.
    """
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return Cleaned(f"nothing to remove at {folder}", False)
    except OSError as exc:
        return Cleaned(f"cannot clean {folder}: {exc.strerror or exc}", True)
    problem = _problem(info)
    if problem is not None:
        return Cleaned(f"not removing {folder}: it {problem}", True)
    if not SAFE_PLATFORM:
        return Cleaned(f"not removing {folder}: this platform cannot delete files without"
                       " following symbolic links; remove it by hand", True)
    try:
        fd = os.open(folder, _DIR)
    except OSError as exc:
        return Cleaned(f"cannot clean {folder}: {exc.strerror or exc}", True)
    try:
        if not _marked(fd):
            if not os.listdir(fd):
                return Cleaned(f"nothing to remove at {folder}", False)
            return Cleaned(f"not removing {folder}: it is not a cache orglint created"
                           " (no CACHEDIR.TAG of orglint's); nothing removed", True)
        removed, kept = _empty(fd, "")
        for name, text in _MARKERS.items():
            if _is_ours(fd, name, text):
                os.unlink(name, dir_fd=fd)
                removed += 1
    except OSError as exc:
        return Cleaned(f"cannot clean {folder}: {exc.strerror or exc}", True)
    finally:
        os.close(fd)
    if kept:
        return Cleaned(f"removed orglint's files from {folder}; kept {kept} it did not"
                       " create", False)
    with suppress(OSError):
        os.rmdir(folder)
    return Cleaned(f"removed {folder}" if removed else f"nothing to remove at {folder}",
                   False)


def _empty(fd: int, prefix: str) -> tuple[int, int]:
    """Delete orglint's files below ``fd``; (removed, kept) counts."""
    removed = kept = 0
    for entry in list(os.scandir(fd)):
        rel = prefix + entry.name
        info = entry.stat(follow_symlinks=False)
        if not prefix and entry.name in _MARKERS:
            if not _is_ours(fd, entry.name, _MARKERS[entry.name]):
                kept += 1
            continue  # removed last, once the rest is gone
        if stat.S_ISDIR(info.st_mode) and not prefix and OWN_DIRS.fullmatch(entry.name):
            sub = os.open(entry.name, _DIR, dir_fd=fd)
            try:
                got, left = _empty(sub, rel + "/")
            finally:
                os.close(sub)
            removed += got
            kept += left
            if not left:
                with suppress(OSError):
                    os.rmdir(entry.name, dir_fd=fd)
        elif stat.S_ISREG(info.st_mode) and OWN_FILES.fullmatch(rel):
            os.unlink(entry.name, dir_fd=fd)
            removed += 1
        else:
            kept += 1
    return removed, kept
