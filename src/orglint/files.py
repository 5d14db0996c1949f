"""Which files make up the org: the paths named, and the configuration's ``paths``."""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import os
import re
import stat
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from orglint.errors import PathError

if TYPE_CHECKING:
    from orglint.config import Settings

YAML_SUFFIXES = (".yaml", ".yml")
# Folders no one keeps an org in; walking them is slow and finds other tools' YAML.
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__",
                       ".tox", ".nox", ".mypy_cache", ".ruff_cache", ".pytest_cache",
                       ".orglint_cache"})
CONFIG_FILES = frozenset({".orglint.yaml", ".orglint.yml"})


class Source(NamedTuple):
    path: Path | None  # None for standard input
    display: str  # how findings name it


@functools.lru_cache(maxsize=8)
def _base(cwd: Path) -> str:
    return os.path.join(os.path.abspath(cwd), "")


def display_name(path: Path, cwd: Path) -> str:
    text = identity(path)
    base = _base(cwd)
    if text.startswith(base):
        text = text[len(base):]
    return text.replace(os.sep, "/")


def excluded(path: Path, root: Path, patterns: list[str]) -> bool:
    if not patterns:
        return False
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    parts = rel.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pattern) or any(fnmatch.fnmatch(p, pattern) for p in parts):
            return True
    return False


def _skip_reason(path: Path, root: Path, exclude: list[str]) -> str | None:
    if path.name in CONFIG_FILES:
        return "the orglint configuration file"
    if excluded(path, root, exclude):
        return "excluded by the configuration"
    return None


def _walk(folder: Path, root: Path, exclude: list[str], skipped: list[tuple[str, str]],
          cwd: Path, stats: dict[str, os.stat_result] | None = None) -> list[Path]:
    found: list[Path] = []
    # os.walk does not follow directory symlinks, so a symlink loop cannot trap it.
    for current, dirs, names in os.walk(folder, onerror=None):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                         and not excluded(here / d, root, exclude))
        for name in sorted(names):
            if not name.endswith(YAML_SUFFIXES):
                continue
            path = here / name
            reason = _skip_reason(path, root, exclude)
            if reason is not None:
                skipped.append((display_name(path, cwd), reason))
                continue
            try:
                info = os.stat(path)
            except OSError as exc:
                skipped.append((display_name(path, cwd),
                                f"cannot be read: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(info.st_mode):
                skipped.append((display_name(path, cwd), "not a regular file"))
                continue
            found.append(path)
            if stats is not None:
                stats[identity(path)] = info
    return found


def expand(paths: list[str], *, cwd: Path, root: Path, exclude: list[str],
           skipped: list[tuple[str, str]],
           stats: dict[str, os.stat_result] | None = None) -> list[Path]:
    """Named paths → files; a missing path, or a folder without YAML, is an error."""
    out: list[Path] = []
    for text in paths:
        path = Path(text)
        path = path if path.is_absolute() else cwd / path
        try:
            info = os.stat(path)
        except FileNotFoundError:
            raise PathError(f"{text}: no such file or folder") from None
        except OSError as exc:
            raise PathError(f"{text}: {exc.strerror or exc}") from None
        if stat.S_ISDIR(info.st_mode):
            files = _walk(path, root, exclude, skipped, cwd, stats)
            if not files:
                raise PathError(f"{text}: no YAML files (*.yaml, *.yml) found in this folder")
            out.extend(files)
        elif stat.S_ISREG(info.st_mode):
            out.append(path)
            if stats is not None:
                stats[identity(path)] = info
        else:
            raise PathError(f"{text}: not a regular file")
    return _dedupe(out)


def configured(globs: list[str], *, root: Path, exclude: list[str],
               skipped: list[tuple[str, str]], cwd: Path,
               stats: dict[str, os.stat_result] | None = None) -> list[Path]:
    """The files the configuration's ``paths`` globs name (relative to its folder).

    ``stats``, when given, receives each file's stat by its identity, so that the stat
    index need not ask the file system a second time.
    """
    import glob

    out: list[Path] = []
    seen: set[str] = set()
    base = str(root)
    for pattern in globs:
        # The glob module on strings: pathlib's glob and Path sorting cost several times
        # more, and a warm pre-commit run is mostly this walk.
        for name in sorted(glob.glob(os.path.join(glob.escape(base), pattern),
                                     recursive=True)):
            # One stat per name, and the duplicates dropped by name before any Path is
            # made: a warm run on a large org is mostly this loop.
            try:
                info = os.stat(name)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                out.extend(_walk(Path(name), root, exclude, skipped, cwd, stats))
                continue
            if not name.endswith(YAML_SUFFIXES) or not stat.S_ISREG(info.st_mode):
                continue
            key = _identity_text(name)
            if key in seen:
                continue
            seen.add(key)
            path = Path(name)
            reason = _skip_reason(path, root, exclude)
            if reason is not None:
                skipped.append((display_name(path, cwd), reason))
                continue
            out.append(path)
            if stats is not None:
                stats[key] = info
    return _dedupe(out)


def identity(path: Path) -> str:
    """The same file named two ways (``./a.yaml``, ``a.yaml``) gives one key.

    ``os.path.abspath`` rather than ``Path.resolve``: resolving symlinks costs a system
    call per path component, which on thousands of files is most of the walk.
    """
    return _identity_text(str(path))


def _identity_text(text: str) -> str:
    # Globbed paths are absolute and normal already; only the others need the work.
    if os.path.isabs(text) and "/." not in text and "//" not in text:
        return text
    return os.path.abspath(text)


def _dedupe(paths: list[Path]) -> list[Path]:
    seen: set[str] = set()
    out: list[Path] = []
    for path in paths:
        key = identity(path)
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


class Request(NamedTuple):
    paths: list[str]
    cwd: Path
    stdin: bytes | None = None
    stdin_name: str | None = None
    today: date | None = None
    baseline: Path | None = None
    jobs: int | None = None


# `kind: People` in block style, flow style or JSON (`"kind": "People"`).  A false match
# only costs a file its cache entry and a place in the serial pass before the others.
# `kind: Policy` too: the run must know an org's policies before it checks any team.
PEOPLE_RE = re.compile(rb"""\bkind['"]?\s*:\s*['"]?(?:People|Policy)\b""")


class Entry(NamedTuple):
    """One file of the run, by content digest; the bytes are read again when needed.

    Holding every file's bytes for the whole run would double the memory of a large
    org; re-reading a file the OS has just cached costs microseconds.
    """

    source: Source
    digest: bytes
    people: bool  # declares `kind: People` or `Policy` (processed first: others use it)
    stdin: bytes | None = None

    def read(self, limit: int) -> bytes:
        if self.stdin is not None or self.source.path is None:
            return self.stdin or b""
        return read_limited(self.source.path, limit)


class Gathered(NamedTuple):
    """The files of a run: those named (reported) and the rest of the org (facts only)."""

    named: list[Source]
    entries: list[Entry]
    skipped: list[tuple[str, str]]


def digest(raw: bytes) -> bytes:
    """The content digest an entry carries (``--fix`` compares it before writing)."""
    return hashlib.blake2b(raw, digest_size=16).digest()


def _entry(source: Source, raw: bytes, stdin: bool) -> Entry:
    # The substring test first: a multiline regex over every byte of a large org costs
    # more than the rest of a warm run.
    people = (b"People" in raw or b"Policy" in raw) and PEOPLE_RE.search(raw) is not None
    return Entry(source, digest(raw), people, raw if stdin else None)


def read_limited(path: Path | str, limit: int) -> bytes:
    """A file's bytes, never more than one past the size limit (the loader reports it)."""
    try:
        with open(path, "rb", buffering=0) as handle:
            # Ask for the file's size, not the limit: read(n) allocates n bytes first,
            # and 8 MB per small team file adds up over an org.
            size = os.fstat(handle.fileno()).st_size
            return handle.read(min(size, limit) + 1)
    except OSError as exc:
        raise PathError(f"{path}: cannot read: {exc.strerror or exc}") from None


def gather(settings: Settings, paths: list[str], *, cwd: Path, stdin: bytes | None = None,
           stdin_name: str | None = None) -> Gathered:
    skipped: list[tuple[str, str]] = []
    named: list[Source] = []
    # Each file's stat, taken once while listing it: the stat index needs it too.
    stats: dict[str, os.stat_result] = {}
    if paths:
        for path in expand([p for p in paths if p != "-"], cwd=cwd, root=settings.root,
                           exclude=settings.exclude, skipped=skipped, stats=stats):
            named.append(Source(path, display_name(path, cwd)))
    if "-" in paths or (stdin is not None and not paths):
        named.append(Source(None, stdin_name or "<stdin>"))
    org_paths = configured(settings.paths, root=settings.root, exclude=settings.exclude,
                           skipped=skipped, cwd=cwd, stats=stats)
    if not paths and not named:
        if settings.paths:
            named = [Source(p, display_name(p, cwd)) for p in org_paths]
        else:
            named = [Source(p, display_name(p, cwd)) for p in
                     expand(["."], cwd=cwd, root=settings.root, exclude=settings.exclude,
                            skipped=skipped, stats=stats)]
        if not named:
            raise PathError("no files matched the configuration's 'paths'")
    named_keys = {identity(s.path) for s in named if s.path is not None}
    extra = [Source(p, display_name(p, cwd)) for p in org_paths
             if identity(p) not in named_keys]
    limit = settings.limits.max_file_size
    index = StatIndex.open(settings) if settings.cache else None
    entries = []
    for source in [*named, *extra]:
        if source.path is None:
            entries.append(_entry(source, stdin or b"", True))
            continue
        if index is None:
            entries.append(_entry(source, read_limited(source.path, limit), False))
            continue
        # Stat before reading, as git does: a file changed after the stat has a newer
        # mtime than the one recorded with its digest, so the next run reads it again.
        # (Recorded after the read, the stat could describe content never hashed.)
        key = identity(source.path)
        info = stats.get(key) or _stat(key)
        known = index.lookup(source, key, info) if info is not None else None
        if known is None:
            known = _entry(source, read_limited(source.path, limit), False)
            if info is not None:
                index.record(key, info, known)
        entries.append(known)
    if index is not None:
        index.save()
    return Gathered(named, entries, skipped)


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


class StatIndex:
    """What git's index does for ``git status``: a file whose size, inode and
    modification time are unchanged since they were recorded keeps the content digest
    recorded then, so a warm run need not read and hash every file of the org.

    An entry is trusted only if the file's mtime is older than the moment the index
    was written, less a margin: a file changed within the clock's granularity of a
    run ("racy git") is always read again.
    """

    MARGIN_NS = 2_000_000_000

    def __init__(self, path: Path, entries: dict[str, tuple[int, int, int, bytes, bool]],
                 written_ns: int) -> None:
        self.path = path
        self.entries = entries
        self.written_ns = written_ns
        self.changed = False

    @classmethod
    def open(cls, settings: Settings) -> StatIndex:
        from orglint.cache import default_dir, load_pickle

        path = default_dir(settings.root) / "index" / "stat-index.pickle"
        loaded = load_pickle(path)
        if (not isinstance(loaded, tuple) or len(loaded) != 2
                or not isinstance(loaded[0], int) or not isinstance(loaded[1], dict)):
            return cls(path, {}, 0)
        return cls(path, loaded[1], loaded[0])

    def lookup(self, source: Source, key: str, info: os.stat_result) -> Entry | None:
        """The recorded entry of ``source`` (identity ``key``) if ``info`` shows it
        unchanged."""
        known = self.entries.get(key)
        if known is None or info.st_mtime_ns > self.written_ns - self.MARGIN_NS:
            return None
        size, mtime, inode, digest, people = known
        if (size, mtime, inode) != (info.st_size, info.st_mtime_ns, info.st_ino):
            return None
        return Entry(source, digest, people)

    def record(self, key: str, info: os.stat_result, entry: Entry) -> None:
        """Remember ``entry``'s digest under ``info``, a stat taken before it was read."""
        self.entries[key] = (info.st_size, info.st_mtime_ns, info.st_ino, entry.digest,
                             entry.people)
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        import time

        from orglint.cache import dump_pickle

        dump_pickle(self.path, (time.time_ns(), self.entries))  # else: hashed again next run
