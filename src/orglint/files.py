"""Which files make up the org: the paths named, and the configuration's ``paths``."""

from __future__ import annotations

import fnmatch
import functools
import os
import posixpath
import re
import stat
import struct
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

from orglint import envelope, hashing
from orglint.confine import OUTSIDE_FILE, OUTSIDE_FOLDER, Fence
from orglint.errors import PathError
from orglint.findings import unread
from orglint.lazyre import deferred
from orglint.ntuple import NamedTuple
from orglint.wording import plural

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from orglint.cache import CacheDir
    from orglint.config import Settings
    from orglint.loader import Limits

YAML_SUFFIXES = (".yaml", ".yml")
# Folders no one keeps an org in; walking them is slow and finds other tools' YAML.
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__",
                       ".tox", ".nox", ".mypy_cache", ".ruff_cache", ".pytest_cache",
                       ".orglint_cache"})
CONFIG_FILES = frozenset({".orglint.yaml", ".orglint.yml"})
# posixpath's isabs, split and dirname are Python functions called once per file of the
# org; on POSIX each is one string method.
_POSIX = os.path is posixpath


class Source(NamedTuple):
    path: Path | None  # None for standard input
    display: str  # how findings name it


@functools.lru_cache(maxsize=8)
def _base(cwd: Path) -> str:
    return os.path.join(os.path.abspath(cwd), "")


def display_name(path: Path, cwd: Path) -> str:
    return _display(identity(path), cwd)


def _display(text: str, cwd: Path, base: str | None = None) -> str:
    """``display_name`` of the file whose identity is ``text`` (``base``: ``_base(cwd)``,
    when the caller has it: looking it up hashes and compares ``cwd``)."""
    base = _base(cwd) if base is None else base
    if text.startswith(base):
        text = text[len(base):]
    elif os.path.commonpath((text, base)) != os.path.dirname(os.path.abspath(os.sep)):
        # Beside the current folder: '../x/team.yaml', as the user would type it.  A
        # path sharing nothing but the root with it stays absolute.
        text = os.path.relpath(text, base)
    return text.replace(os.sep, "/")


def excluded(path: Path, root: Path, patterns: list[str]) -> bool:
    if not patterns:
        return False
    rel, parts = placed(path, root)
    return any(matches(rel, parts, pattern) for pattern in patterns)


def placed(path: Path, root: Path) -> tuple[str, list[str]]:
    """``path`` as the configuration's globs (``exclude``, ``per-file-ignores``) see
    it: below ``root`` where it is, and its parts."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return rel, rel.split("/")


def matches(rel: str, parts: list[str], pattern: str) -> bool:
    """Whether a configuration glob names the path ``placed`` gave: the whole of it, or
    one of its parts (``archive`` leaves out every ``archive`` folder)."""
    match = _glob(pattern.rstrip("/"))
    return match(rel) or any(match(part) for part in parts)


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str) -> Callable[[str], bool]:
    """``fnmatch.fnmatch(name, pattern)``, the pattern compiled once: every file is
    matched against every glob of the configuration."""
    match = re.compile(fnmatch.translate(os.path.normcase(pattern))).match
    return lambda name: match(os.path.normcase(name)) is not None


def _skip_reason(path: Path, root: Path, exclude: list[str]) -> str | None:
    if path.name in CONFIG_FILES:
        return "the orglint configuration file"
    if excluded(path, root, exclude):
        return "excluded by the configuration"
    return None


def _walk(folder: Path, root: Path, exclude: list[str], skipped: list[tuple[str, str]],
          cwd: Path, stats: dict[str, os.stat_result] | None = None,
          fence: Fence | None = None) -> list[Path]:
    found: list[Path] = []
    # Links that stay in the walked folder are read even when it is not in the
    # repository: the user named it.
    top = os.path.realpath(folder) if fence is not None else None
    # Imported here: a run that only globs (a pre-commit run) never walks a folder.
    from orglint.fsutil import walk

    # The walk does not follow links to folders, so a symlink loop cannot trap it.
    for current, dirs, names in walk(folder):
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
                # lstat first: for the usual regular file it is the only system call.
                info = os.lstat(path)
                if stat.S_ISLNK(info.st_mode):
                    if fence is not None and not fence.holds(os.path.realpath(path), top):
                        skipped.append((display_name(path, cwd), OUTSIDE_FILE))
                        continue
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
           stats: dict[str, os.stat_result] | None = None,
           fence: Fence | None = None) -> list[Path]:
    """Named paths → files; a missing path, or a folder without YAML, is an error.

    A file named is read wherever it is; in a folder named, a link to a file outside
    both the folder and ``fence`` is not (the user named the folder, not the link)."""
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
            files = _walk(path, root, exclude, skipped, cwd, stats, fence)
            if not files:
                raise PathError(f"{text}: no YAML files (*.yaml, *.yml) found in this folder")
            out.extend(files)
        elif stat.S_ISREG(info.st_mode):
            out.append(path)
            if stats is not None:
                stats[identity(path)] = info
        else:
            raise PathError(f"{text}: not a regular file")
    return _dedupe(out, stats)


def configured(globs: list[str], *, root: Path, exclude: list[str],
               skipped: list[tuple[str, str]], cwd: Path,
               stats: dict[str, os.stat_result] | None = None,
               fence: Fence | None = None) -> list[Path]:
    """The files the configuration's ``paths`` globs name (relative to its folder).

    ``stats``, when given, receives each file's stat by its identity, so that the stat
    index need not ask the file system a second time.  ``fence``, when given, keeps
    out what lies outside the repository (``confine.Fence.refuse``).
    """
    return _configured(globs, root, exclude, skipped, cwd, stats, fence)[0]


def _configured(globs: list[str], root: Path, exclude: list[str],
                skipped: list[tuple[str, str]], cwd: Path,
                stats: dict[str, os.stat_result] | None,
                fence: Fence | None) -> tuple[list[Path], list[str]]:
    """``configured``, with each file's identity beside it (worked out once per file)."""
    import glob

    out: list[Path] = []
    keys: list[str | None] = []  # None: a file of a folder walked, worked out later
    seen: set[str] = set()
    inodes: set[tuple[int, int]] = set()  # _dedupe_keyed's second test, for the files here
    walked = False
    parents: dict[str, Path] = {}
    held: dict[str, bool] = {}  # each folder's answer from the fence, asked once
    base = str(root)
    is_reg, is_dir, is_link = stat.S_ISREG, stat.S_ISDIR, stat.S_ISLNK
    lstat = os.lstat
    tree = Tree()  # each folder listed once, whatever the globs
    for pattern in globs:
        if fence is not None:
            fence.check_glob(base, pattern)
            outside = fence.walks_outside(base, pattern)
            if outside is not None:
                skipped.append((display_name(Path(outside), cwd), OUTSIDE_FOLDER))
                continue
        # Strings, not pathlib: pathlib's glob and Path sorting cost several times more,
        # and a warm pre-commit run is mostly this walk.
        for name in sorted(set(glob_files(base, pattern, tree))):
            # One stat per name, and the duplicates dropped by name before any Path is
            # made: a warm run on a large org is mostly this loop.
            try:
                info = lstat(name)
                mode = info.st_mode
                link = is_link(mode)
                if link:
                    info = os.stat(name)
                    mode = info.st_mode
            except OSError:
                continue
            yaml = name.endswith(YAML_SUFFIXES)
            path: Path | None = None
            if (_POSIX and yaml and not link and is_reg(mode) and fence is not None
                    and not exclude and "/." not in name and "//" not in name
                    and name[:1] == "/"):
                # The usual match, a plain YAML file in a folder, its name absolute and
                # normal (its own identity): the general path below in line, with the
                # fence's answer asked once per folder.
                parent, _, leaf = name.rpartition("/")
                folder_held = held.get(parent)
                if folder_held is None:
                    folder_held = held[parent] = fence.folder_holds(parent or "/")
                if leaf and folder_held and leaf not in CONFIG_FILES:
                    if name in seen:
                        continue
                    seen.add(name)
                    key = name
                    path = _file_path(name, key, parents)
            if path is None:
                folder = is_dir(mode)
                if folder and glob.has_magic(pattern) and link:
                    # A wildcard does not go through a link to a folder (see glob_files).
                    skipped.append((display_name(Path(name), cwd),
                                    "a symbolic link to a folder, not followed"))
                    continue
                if not folder and not (yaml and fence is not None) and not (
                        yaml and is_reg(mode)):
                    continue  # never read: nothing to fence
                key = _identity_text(name) if yaml and not folder else ""
                # The usual match, a plain file in a folder: the fence's answer for its
                # folder, worked out once per folder (Fence.refuse does the same).
                parent, _, leaf = (name.rpartition("/") if _POSIX and key == name
                                   else ("", "", ""))
                if (fence is not None and (folder or link or not leaf
                                           or not fence.folder_holds(parent or "/"))):
                    refused = fence.refuse(name, pattern, folder=folder, link=link)
                    if refused is not None:
                        skipped.append((display_name(Path(name), cwd), refused))
                        continue
                if folder:
                    more = _walk(Path(name), root, exclude, skipped, cwd, stats, fence)
                    out.extend(more)
                    keys.extend(None for _ in more)
                    walked = walked or bool(more)
                    continue
                if not yaml or not is_reg(mode):
                    continue
                if key in seen:
                    continue
                seen.add(key)
                path = _file_path(name, key, parents)
                # _skip_reason, without its pathlib calls: this loop runs once per file.
                reason = ("the orglint configuration file"
                          if (leaf or os.path.basename(name)) in CONFIG_FILES
                          else _skip_reason(path, root, exclude) if exclude else None)
                if reason is not None:
                    skipped.append((_display(key, cwd), reason))
                    continue
            if stats is not None:
                stats[key] = info
                if info.st_ino:
                    # What _dedupe_keyed would drop, dropped here, so that it need not run.
                    inode = (info.st_dev, info.st_ino)
                    if inode in inodes:
                        continue
                    inodes.add(inode)
            out.append(path)
            keys.append(key)
    if walked or stats is None:
        return _dedupe_keyed(out, stats, keys)
    # Every file here has its identity, and each name and inode was kept once, in order:
    # what _dedupe_keyed gives.
    return out, cast("list[str]", keys)


def _file_path(name: str, key: str, parents: dict[str, Path]) -> Path:
    """``Path(name)``, made as a child of its folder's Path, its text given.

    ``Path(name)`` parses every component of the name, and its first ``str()`` joins
    them again: 30 M instructions for the 2,000 files of an org, for each run.  When
    ``name`` is already absolute and normal (``key``, its identity, is the same text),
    pathlib's own child constructor (the one its glob uses) gives the same Path.
    """
    child = _CHILD
    if name != key or child is None:
        return Path(name)
    if _POSIX:
        folder, _, base = name.rpartition("/")
        folder = folder or "/"
    else:
        folder, base = os.path.split(name)
    if not base:
        return Path(name)
    parent = parents.get(folder)
    if parent is None:
        parent = parents[folder] = Path(folder)
    path: Path = child(parent, base)
    if str(parent) != folder:
        return Path(name)
    object.__setattr__(path, "_str", name)  # what str() would compute: name
    return path


_CHILD = getattr(Path, "_make_child_relpath", None)


# Folders and names the globs of one gathering may visit.  Each `**` lists a folder's
# whole subtree, for every folder the parts before it matched: without a bound, a 1 KB
# configuration of `**/a/**/a/**` over a deep tree was minutes of work.  Each folder is
# listed once (``Tree``), so the bound counts entries looked at, not system calls: a
# few seconds of work at most, and five '**' globs over a million files within it.
MAX_GLOB_STEPS = 20_000_000


class Tree:
    """The folders globbing has listed, each once, and the work done: one per run."""

    def __init__(self) -> None:
        self._listed: dict[str, list[tuple[str, bool]]] = {}
        self._below: dict[str, list[str]] = {}
        self.steps = 0

    def below(self, folder: str) -> list[str]:
        """The folders in ``folder`` a '**' goes into: not links, not hidden, sorted."""
        found = self._below.get(folder)
        if found is None:
            found = self._below[folder] = sorted(
                name for name, real in self.listing(folder)
                if real and not name.startswith("."))
        else:
            self.spend(len(found) + 1)
        return found

    def listing(self, folder: str) -> list[tuple[str, bool]]:
        """(name, is a folder that is not a link) of each entry of ``folder``."""
        found = self._listed.get(folder)
        if found is None:
            try:
                with os.scandir(folder) as entries:
                    listed = list(entries)
            except OSError:
                listed = []
            try:  # in line: one call per entry costs more than the listing itself
                found = [(e.name, e.is_dir(follow_symlinks=False)) for e in listed]
            except OSError:
                found = [(e.name, _real_folder(e)) for e in listed]
            self._listed[folder] = found
        self.spend(len(found) + 1)
        return found

    def spend(self, count: int) -> None:
        self.steps += count
        if self.steps > MAX_GLOB_STEPS:
            raise PathError(f"the globs visit more than {MAX_GLOB_STEPS:,} folders and"
                            " names; narrow them (a '**' lists a whole subtree for each"
                            " folder the parts before it match)")


def _real_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def glob_files(base: str, pattern: str, tree: Tree | None = None) -> list[str]:
    """``glob.glob(base/pattern, recursive=True)``, except that a wildcard never goes
    through a symbolic link to a folder.

    The glob module follows them: two links to ``..`` made ``**/*.yaml`` run for ever,
    and one link made it list every file forty times under different names.  Literal
    parts of the pattern are followed, like a path named on the command line.
    """
    import glob

    tree = tree if tree is not None else Tree()
    if os.path.isabs(pattern):
        base = os.sep
    current = [base]
    parts = [p for p in pattern.replace(os.sep, "/").split("/") if p not in ("", ".")]
    # '**/**' matches what '**' does.
    parts = [p for i, p in enumerate(parts) if p != "**" or i == 0 or parts[i - 1] != "**"]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        found: list[str] = []
        for folder in current:
            if part == "**" and last:
                found.append(folder)  # the caller walks each folder it gets
            elif part == "**":
                found.extend(_real_folders(folder, tree))
            elif glob.has_magic(part):
                found.extend(_matching(folder, part, tree, folders_only=not last))
            else:
                path = os.path.join(folder, part)
                if os.path.isdir(path) if not last else os.path.lexists(path):
                    found.append(path)
        tree.spend(len(found))
        current = list(dict.fromkeys(found))
    return current if parts else []


def _real_folders(folder: str, tree: Tree) -> list[str]:
    """``folder`` and every folder below it, in the order os.walk gives them, skipping
    hidden ones as glob does, never through a symbolic link."""
    out = []
    stack = [folder]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(os.path.join(current, name) for name in reversed(tree.below(current)))
    return out


def _matching(folder: str, part: str, tree: Tree, *, folders_only: bool) -> list[str]:
    names = tree.listing(folder)
    hidden = part.startswith(".")
    # fnmatchcase's own test, compiled once rather than looked up for every name.
    match = _translated(part)
    prefix = os.path.join(folder, "")
    return [prefix + name for name, is_dir in names
            if (is_dir or not folders_only) and (hidden or not name.startswith("."))
            and match(name) is not None]


@functools.lru_cache(maxsize=256)
def _translated(part: str) -> Callable[[str], re.Match[str] | None]:
    return re.compile(fnmatch.translate(part)).match


def identity(path: Path) -> str:
    """The same file named two ways (``./a.yaml``, ``a.yaml``) gives one key.

    ``os.path.abspath`` rather than ``Path.resolve``: resolving symlinks costs a system
    call per path component, which on thousands of files is most of the walk.
    """
    return _identity_text(str(path))


def _identity_text(text: str) -> str:
    # Globbed paths are absolute and normal already; only the others need the work.
    absolute = text.startswith("/") if _POSIX else os.path.isabs(text)
    if absolute and "/." not in text and "//" not in text:
        return text
    return os.path.abspath(text)



def _dedupe(paths: list[Path],
            stats: dict[str, os.stat_result] | None = None) -> list[Path]:
    """Each file once, however it was reached: by two names, a symbolic link or a hard
    link (the same device and inode)."""
    return _dedupe_keyed(paths, stats)[0]


def _dedupe_keyed(paths: list[Path], stats: dict[str, os.stat_result] | None = None,
                  known: list[str | None] | None = None) -> tuple[list[Path], list[str]]:
    """``_dedupe``, with the identity of each file kept (``known``: those already
    worked out, None where not)."""
    seen: set[object] = set()
    out: list[Path] = []
    keys: list[str] = []
    for i, path in enumerate(paths):
        key = known[i] if known is not None else None
        if key is None:
            key = identity(path)
        info = stats.get(key) if stats is not None else None
        inode = (info.st_dev, info.st_ino) if info is not None and info.st_ino else None
        if key in seen or (inode is not None and inode in seen):
            continue
        seen.add(key)
        if inode is not None:
            seen.add(inode)
        out.append(path)
        keys.append(key)
    return out, keys


def file_id(info: os.stat_result) -> tuple[int, int] | None:
    """(device, inode) where the file system gives one (Windows may give 0)."""
    return (info.st_dev, info.st_ino) if info.st_ino else None


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
# The parts of a file's bytes in which a word is not YAML: a comment ('#' first on its
# line or after a blank) and a quoted value (a quote first on its line, after a flow
# indicator or ':', or after '-' or '?' and a blank: not one inside a plain value, "rock
# 'n roll"), each to its end or to the end of its line (a value quoted over several
# lines is taken as plain text after its first line).
_INERT = deferred(
    rb"""(?:(?<=[ \t\r\n])|(?<![\s\S]))#[^\r\n]*"""
    rb"""|(?:(?:(?<=[\r\n])|(?<![\s\S]))[ \t]*|[\[{,:][ \t]*|[?-][ \t]+)"""
    rb"""(?P<q>'(?:[^'\r\n]|'')*'?|"(?:[^"\\\r\n]|\\[^\r\n])*"?)""")


@functools.cache
def _kind_key(name: bytes) -> re.Pattern[bytes]:
    """``kind: NAME``, its key quoted or not, its value on the next line or not (where it
    stands is checked apart)."""
    return re.compile(rb"""(?P<q>['"]?)(?P<k>kind)(?P=q)[ \t]*:\s*['"]?""" + name + rb"\b")


def declares(raw: bytes, name: bytes) -> bool:
    """Whether the bytes of a file that lost a document to a YAML error may have held a
    document of kind ``name`` (``b"People"``): a top-level key ``kind: People`` (first
    on its line, or after '{' or ',' in flow style and JSON) outside comments and quoted
    values.  The kind named in a comment, a value, a block of text or another key
    (``policy-kind``) declares nothing; a quoted key (JSON's ``"kind": "People"``) does.

    Linear: each candidate is looked back at no further than the one before it, and
    only the lines that hold one are scanned for comments and quoted values (which end
    with their line), each once, left to right."""
    floor = 0  # where the previous candidate ended: no look back goes past it
    line = -1  # the start of the line the scan for inert parts is on
    inert: Iterator[re.Match[bytes]] = iter(())
    part: re.Match[bytes] | None = None
    for match in _kind_key(name).finditer(raw):
        at = match.start()
        low = max(line, floor)  # no line break before here is new
        floor = match.end()
        if at > 0 and raw[at - 1] not in b"\r\n" and not (at == 3 and raw[:3] == _BOM):
            i = at - 1
            while i >= low and raw[i] in b" \t\r\n":
                i -= 1
            if i < 0 or raw[i] not in b"{,":
                continue  # indented (a block of text, a nested key), or within a value
        start = match.start("k")
        # The start of the candidate's line, looked for back to what is known.
        found = max(raw.rfind(b"\n", low, at), raw.rfind(b"\r", low, at))
        if found >= 0 or line < 0:
            line = found + 1 if found >= 0 else 0
            inert = _INERT.finditer(raw, line)
            part = next(inert, None)
        while part is not None and part.end() <= start:
            part = next(inert, None)
        if part is None or part.start() >= start:
            return True
        # In a quoted key: the quote opens just before the word and closes just after.
        opened = part.start("q")  # -1 for a comment (not its text: a copy of the line)
        if 0 <= opened == start - 1 and raw[start + 4:start + 5] == raw[opened:opened + 1]:
            return True
    return False


_BOM = b"\xef\xbb\xbf"


# `kind:` and what may come before its value, for the patterns that look for a kind in a
# file's bytes.  A tag or an anchor holds no ':' (``!kind:`` is no tag: with it, each
# `kind` of a run of them scanned all those after it, quadratic), but a verbatim tag
# (``!<tag:yaml.org,2002:str>``), which never crosses another '!'; the two forms are
# exclusive and the run possessive (tried both ways, a run of them was exponential).
KIND_VALUE = rb"""\bkind['"]?\s*:\s*(?:(?:!<!?[^>\s!]*>|[!&](?!<)[^\s:]*)\s+)*+['"]?"""
# In any case ("kind: people", "Kind: People"): the check reads those as People too; and
# a `people:` key, for a People document whose kind is misspelt or missing, which the
# check tells by its `spec.people` (``schema.document_kind``; ``org_kinds`` decides).
PEOPLE_KEY = rb"""(?:^|[{,])[ \t]*['"]?people['"]?[ \t]*:"""
PEOPLE_RE = deferred(rb"(?im)" + KIND_VALUE + rb"(?:People|Policy)\b|" + PEOPLE_KEY)


class Entry(NamedTuple):
    """One file of the run, by content digest; the bytes are read again when needed.

    Holding every file's bytes for the whole run would double the memory of a large
    org; re-reading a file the OS has just cached costs microseconds.
    """

    source: Source
    digest: bytes
    people: bool  # declares `kind: People` or `Policy` (processed first: others use it)
    stdin: bytes | None = None

    def read(self, limit: int) -> tuple[bytes, bool]:
        """The file's bytes now, and whether they are still the bytes hashed: a file
        edited since must not have its result cached under the old digest."""
        if self.stdin is not None or self.source.path is None:
            return self.stdin or b"", True
        raw = read_limited(self.source.path, limit)
        return raw, content_digest(raw) == self.digest


_new_tuple = tuple.__new__


class Gathered(NamedTuple):
    """The files of a run: those named (reported) and the rest of the org (facts only)."""

    named: list[Source]
    entries: list[Entry]
    skipped: list[tuple[str, str]]
    notes: tuple[str, ...] = ()  # what -v says about how the org was put together
    # Files were named and the configuration has no ``paths:``: the cross-file rules see
    # only the files named, so a reference to anything else cannot be resolved.
    partial: bool = False
    # Bytes read while gathering, by display name and digest (the digest of those very
    # bytes, so whichever entry takes them gets what its digest says: standard input
    # may bear an org file's name): the check takes them (``dict.pop``) instead of
    # reading and hashing the file a second time.  At most ``HOLD_BYTES`` in all, so a
    # large org's memory stays that of its results; a file not held is read again.
    held: dict[tuple[str, bytes], bytes] | None = None
    # The files read again after gathering (policies, Backstage, the org's view, the
    # org pass's positions) whose bytes were no longer those hashed: the run used
    # content its key does not describe, so neither its results nor its report may be
    # kept.  (Each check uses the bytes hashed; these readers cannot.)
    drift: set[str] | None = None

    def read(self, entry: Entry, limit: int) -> bytes:
        """``entry``'s bytes now, a change since gathering recorded in ``drift``."""
        raw, same = entry.read(limit)
        if not same and self.drift is not None:
            self.drift.add(entry.source.display)
        return raw


# What ``gather`` keeps of the bytes it reads (``Gathered.held``): all of a 2,000-team
# org (6 MB); of 20,000 teams, the first files, each given up when it is checked.
HOLD_BYTES = 16 * 1024 * 1024


def content_digest(raw: bytes) -> bytes:
    return hashing.blake2b(raw, digest_size=16).digest()


def _entry(source: Source, raw: bytes, stdin: bool) -> Entry:
    # The substring test first: a multiline regex over every byte of a large org costs
    # more than the rest of a warm run.
    # "eople" and "olicy": People and Policy in title or lower case, as the check reads
    # them ("kind: people"); two scans of the file, as for the exact words.
    people = (b"eople" in raw or b"olicy" in raw) and PEOPLE_RE.search(raw) is not None
    return Entry(source, content_digest(raw), people, raw if stdin else None)


def read_limited(path: Path | str, limit: int) -> bytes:
    """A file's bytes, never more than one past the size limit (the loader reports it)."""
    try:
        # O_NONBLOCK: a file swapped for a FIFO since it was listed cannot hang the run.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise PathError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        # The descriptor read as it is: a file object would stat it once more, a system
        # call per file of the org, and read it with the same single read(2).
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PathError(f"{path}: not a regular file")
        # Ask for the file's size, not the limit: read(n) allocates n bytes first, and
        # 8 MB per small team file adds up over an org.
        return os.read(fd, min(info.st_size, limit) + 1)
    except OSError as exc:
        raise PathError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def gather(settings: Settings, paths: list[str], *, cwd: Path, stdin: bytes | None = None,
           stdin_name: str | None = None, force_exclude: bool = False) -> Gathered:
    """The run's files.  ``force_exclude`` (``--force-exclude``) holds files named on the
    command line to the configured org too: ``exclude:`` applies to them, and so does
    ``paths:`` when it is set, so the org is the same whichever files a hook passes."""
    skipped: list[tuple[str, str]] = []
    named: list[Source] = []
    # Each file's stat, taken once while listing it: the stat index needs it too.
    stats: dict[str, os.stat_result] = {}
    fence = Fence(settings.root, config=settings.config_file, confined=settings.confined)
    org_paths, org_idents = _configured(settings.paths, settings.root, settings.exclude,
                                        skipped, cwd, stats, fence)
    changed: list[str] = []  # named inputs every file of the org depends on
    if paths:
        org_keys = ({k for p in org_paths for k in _keys(p, stats)} if force_exclude
                    else set())
        own = _own_inputs(settings)
        for path in expand([p for p in paths if p != "-"], cwd=cwd, root=settings.root,
                           exclude=settings.exclude, skipped=skipped, stats=stats,
                           fence=fence):
            display = display_name(path, cwd)
            keys = _keys(path, stats)
            what = next((own[k] for k in keys if k in own), None)
            if what is not None:
                changed.append(display)
                if what == "config":
                    skipped.append((display, "the orglint configuration file"))
                    continue
            elif force_exclude:
                reason = _forced_out(path, settings, not keys.isdisjoint(org_keys))
                if reason is not None:
                    skipped.append((display, reason))
                    continue
            named.append(Source(path, display))
    if "-" in paths or (stdin is not None and not paths):
        named.append(Source(None, stdin_name or "<stdin>"))
    named_idents: list[str | None] | None = None  # when known: each named file's identity
    if not paths and not named:
        if settings.paths:
            base = _base(cwd)
            named = [Source(p, _display(k, cwd, base))
                     for p, k in zip(org_paths, org_idents, strict=True)]
            named_idents = list(org_idents)
        else:
            named = [Source(p, display_name(p, cwd)) for p in
                     expand(["."], cwd=cwd, root=settings.root, exclude=settings.exclude,
                            skipped=skipped, stats=stats, fence=fence)]
        if not named:
            raise PathError("no files matched the configuration's 'paths'")
    if paths:
        # A link the globs left out but the user named is read: do not say otherwise.
        shown = {s.display for s in named}
        skipped[:] = [(d, why) for d, why in skipped if d not in shown]
    if named_idents is None:
        named_idents = [None if s.path is None else identity(s.path) for s in named]
    named_keys: set[object] = set()
    for key in named_idents:
        if key is not None:
            named_keys.add(key)
            info = stats.get(key)
            if info is not None and file_id(info) is not None:
                named_keys.add(file_id(info))
    # Each file's identity worked out once: a pre-commit run in an org does this for
    # every file of it.
    extra: list[Source] = []
    extra_keys: list[str] = []
    base = _base(cwd)
    cut = len(base)
    posix = os.sep == "/"
    # Standard input named as a file of the org (``--stdin-filename``) stands for it:
    # read from disk too, that file was in the org twice (its team "not unique", its
    # people on one team more, for the policies and Backstage).
    stdin_keys = {_identity_text(os.path.join(cwd, s.display)) for s in named
                  if s.path is None}
    for p, key in zip(org_paths, org_idents, strict=True):
        if key in named_keys or key in stdin_keys:
            continue
        info = stats.get(key)
        # file_id, in line: named_keys holds no None.
        if info is not None and info.st_ino and (info.st_dev, info.st_ino) in named_keys:
            continue
        # _display's usual case (a file under the current folder) in line, and the
        # Source made in C: 6 M instructions of a pre-commit run on 2,000 files.
        display = (key[cut:] if posix and key.startswith(base)
                   else _display(key, cwd, base))
        extra.append(_new_tuple(Source, (p, display)))
        extra_keys.append(key)
    identities: list[str | None] = [*named_idents, *extra_keys]
    limit = settings.limits.max_file_size
    index = StatIndex.open(settings) if settings.cache else None
    entries = []
    held: dict[tuple[str, bytes], bytes] = {}
    room = HOLD_BYTES
    for source, ident in zip([*named, *extra], identities, strict=True):
        if source.path is None or ident is None:
            entries.append(_entry(source, stdin or b"", True))
            continue
        if index is None:
            raw = read_limited(source.path, limit)
            read = _entry(source, raw, False)
            entries.append(read)
            if len(raw) <= room:
                held[source.display, read.digest] = raw
                room -= len(raw)
            continue
        # Stat before reading, as git does: a file changed after the stat has a newer
        # mtime than the one recorded with its digest, so the next run reads it again.
        # (Recorded after the read, the stat could describe content never hashed.)
        info = stats.get(ident) or _stat(ident)
        known = index.lookup(source, ident, info) if info is not None else None
        if known is None:
            raw = read_limited(source.path, limit)
            known = _entry(source, raw, False)
            if info is not None:
                index.record(ident, info, known)
            if len(raw) <= room:
                held[source.display, known.digest] = raw
                room -= len(raw)
        entries.append(known)
    if index is not None:
        index.save()
    if paths:
        changed += [e.source.display for e in entries[:len(named)]
                    if e.people and e.source.path is not None
                    and org_kinds(read_limited(e.source.path, limit), settings.limits)]
    notes = _dependents(changed, named, extra, settings)
    partial = bool(paths) and not settings.paths
    if partial:
        where = settings.config_file.name if settings.config_file else "no configuration"
        notes.append(f"no 'paths:' ({where}): the cross-file rules (ORG008-ORG011, ORG301,"
                     f" ORG302) see only the {plural(len(named), 'file')} named")
    return Gathered(named, entries, skipped, tuple(notes), partial, held, set())


def _keys(path: Path, stats: dict[str, os.stat_result]) -> set[object]:
    """A file's name key and, where known, its (device, inode): a file is the same one
    however it is named (``_dedupe`` does the same)."""
    key = identity(path)
    info = stats.get(key) or _stat(key)
    inode = file_id(info) if info is not None else None
    return {key} if inode is None else {key, inode}


def _own_inputs(settings: Settings) -> dict[object, str]:
    """The configuration and the matrix: every team file depends on them."""
    own: dict[object, str] = {}
    for path, what in ((settings.config_file, "config"), (settings.matrix, "matrix")):
        if path is not None:
            own.update((key, what) for key in _keys(path, {}))
    return own


def _forced_out(path: Path, settings: Settings, in_org: bool) -> str | None:
    if excluded(path, settings.root, settings.exclude):
        return "excluded by the configuration (--force-exclude)"
    if settings.paths and not in_org:
        return "not among the configuration's paths (--force-exclude)"
    return None


def org_kinds(raw: bytes, limits: Limits) -> frozenset[str]:
    """Of People and Policy, the kinds of orglint document a file holds, read as the
    check reads them (loaded: any style, tags, anchors): a People document in any case,
    with an orglint apiVersion or none; a Policy with an orglint apiVersion (not
    Kyverno's or the Kubernetes audit log's, `kind: Policy` too).  Where a YAML error
    lost a document, what its bytes declare (``declares``)."""
    from orglint.loader import load
    from orglint.schema import document_kind

    loaded = load(raw, "", limits)
    found: set[str] = set()
    for doc in loaded.documents:
        data = doc.data
        if not isinstance(data, dict):
            continue
        if document_kind(data) == "People":
            # In any case, misspelt, or told by its `people:`; under an orglint
            # apiVersion, or none when its kind is written right.
            found.add("People")
        if data.get("kind") == "Policy" and envelope.names_orglint(data.get("apiVersion")):
            found.add("Policy")
    if not found and any(map(unread, loaded.findings)):
        if declares(raw, b"People"):
            found.add("People")
        if declares(raw, b"Policy") and b"orglint" in raw.lower():
            found.add("Policy")
    return frozenset(found)


def _dependents(changed: list[str], named: list[Source], extra: list[Source],
                settings: Settings) -> list[str]:
    """Name the whole org when a named file is one the whole org depends on.

    A People file, the matrix or the configuration: a person removed from a People file
    breaks team files that were not changed, and the new content cannot say which
    files used to refer to the person, so every file of the org is checked and reported.
    """
    if not changed:
        return []
    shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3
                                      else "")
    if not settings.paths:
        return [f"{shown}: every file may depend on it, but with no 'paths:' configured"
                " orglint cannot tell which; only the files named are checked"]
    if not extra:
        return []
    named.extend(extra)  # the entries already hold them, in this order
    verb = "is" if len(extra) == 1 else "are"
    return [f"{shown} changed: every file of the org may depend on it, so the org's"
            f" {plural(len(extra), 'other file')} {verb} checked and reported too"]


_PACK = struct.Struct("<qqqQQ").pack
_STAMP_LENGTH = 2 * struct.calcsize("<qqqQQ")
_STAMPED = _STAMP_LENGTH + 33  # the digest's 32 hex digits and the People flag


def _stamp(info: os.stat_result) -> str | None:
    """What the stat index compares of a file's status: size, modification and change
    times in nanoseconds, inode and device, packed as five 64-bit numbers and written in
    hex (no decimal conversion either way); None for a status that does not fit."""
    try:
        return _PACK(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino,
                     info.st_dev).hex()
    except struct.error:
        return None


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


class StatIndex:
    """What git's index does for ``git status``: a file whose size, modification and
    change times (in nanoseconds), inode and device are unchanged since they were
    recorded keeps the content digest recorded then, so a warm run need not read and
    hash every file of the org.  The change time is what catches an edit that keeps
    the size and puts the modification time back (``touch -r``): no one can set it.

    An entry is trusted only if the file's mtime is older than the moment the index
    was written, less a margin: a file changed within the clock's granularity of a
    run ("racy git") is always read again.  The index is read back as plain data and
    each entry checked when used: a foreign entry only costs a read.
    """

    MARGIN_NS = 2_000_000_000
    # An entry is one string: the status packed in hex (``_stamp``), the digest in hex
    # and the People flag, read back, compared and written in C.  A list of seven
    # values cost a pre-commit run on 2,000 files 64 M instructions to read, look up
    # and write again, mostly parsing and printing the nanosecond times as decimals.
    # 3: the People flag also marks a `people:` key (a People file whose kind is
    # misspelt or missing): an index of the earlier flag would keep its stale answer.
    LAYOUT = "stat-index-3"
    NAME = ("index", "stat-index.json")
    # About what one entry takes in the written index (a path and 113 characters).
    ENTRY_BYTES = 128

    def __init__(self, store: CacheDir | None, entries: dict[str, object],
                 written_ns: int) -> None:
        self.store = store
        self.entries = entries
        self.written_ns = written_ns
        self.changed = False
        self.read_bytes = 0  # the size of the files recorded since the index was read

    @classmethod
    def open(cls, settings: Settings) -> StatIndex:
        from orglint.cache import CacheDir, default_dir

        store = CacheDir.open(default_dir(settings.root))
        loaded = store.read(cls.NAME, cls.LAYOUT) if store is not None else None
        if (type(loaded) is not list or len(loaded) != 2 or type(loaded[0]) is not int
                or type(loaded[1]) is not dict):
            return cls(store, {}, 0)
        return cls(store, loaded[1], loaded[0])

    def lookup(self, source: Source, key: str, info: os.stat_result) -> Entry | None:
        """The recorded entry of ``source`` (identity ``key``) if ``info`` shows it
        unchanged."""
        known = self.entries.get(key)
        if type(known) is not str or info.st_mtime_ns > self.written_ns - self.MARGIN_NS:
            return None
        try:  # _stamp, inlined: once per file of the org
            stamp = _PACK(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino,
                          info.st_dev).hex()
        except struct.error:
            return None
        if len(known) != _STAMPED or not known.startswith(stamp):
            return None
        people = known[-1]
        if people not in ("0", "1"):
            return None
        try:
            digest = bytes.fromhex(known[_STAMP_LENGTH:-1])
        except ValueError:
            return None
        if len(digest) != 16:  # fromhex skips blanks
            return None
        # Made in C (NamedTuple's __new__ is a Python frame): once per file of the org.
        return _new_tuple(Entry, (source, digest, people == "1", None))

    def record(self, key: str, info: os.stat_result, entry: Entry) -> None:
        """Remember ``entry``'s digest under ``info``, a stat taken before it was read."""
        stamp = _stamp(info)
        if stamp is not None:
            self.entries[key] = f"{stamp}{entry.digest.hex()}{int(entry.people)}"
            self.changed = True
            self.read_bytes += info.st_size

    def save(self) -> None:
        """Write the index again, unless what it would spare the next run, reading and
        hashing the files recorded since it was read, costs less than writing it: a
        pre-commit run on one edited file of a 2,000-file org wrote 270 KB (19 M
        instructions, encoding and MAC) to spare the next run reading 3 KB.  Skipped,
        those files are only read again (their entries, old or missing, never match)."""
        if not self.changed or self.store is None \
                or self.read_bytes < self.ENTRY_BYTES * len(self.entries):
            return
        import time

        # If it cannot be written, the files are hashed again next run.
        self.store.write(self.NAME, self.LAYOUT, [time.time_ns(), self.entries])
