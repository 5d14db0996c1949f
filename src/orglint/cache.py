"""The result cache: per-file results keyed by content, version, settings and matrix.

Only per-file work is cached (parse, schema, model, team rules, suppression comments,
org facts).  The org-wide rules always run again on the facts of every file, so a
change in one file can never leave a stale cross-file finding in another.

Entries are separate files written atomically (a temporary file, then a rename), so
several pre-commit processes can share the cache: the worst a race costs is a
duplicate computation.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from orglint import __version__

if TYPE_CHECKING:
    from orglint.config import Settings
    from orglint.engine import FileResult, Plan
    from orglint.files import Gathered

CACHE_DIR_NAME = ".orglint_cache"


@functools.cache
def code_digest() -> str:
    """orglint's own code and data, by name, size and mtime.

    The version alone is not enough: an editable install changes code without changing
    the version, and a result pickled by other code must never be read back.
    """
    from orglint.resources import data_dir

    package = Path(__file__).resolve().parent
    parts: list[str] = [__version__]
    for folder in (package, package / "rules", package / "reporters", data_dir("schemas"),
                   data_dir("rules")):
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith((".py", ".json", ".yaml")):
                info = entry.stat()
                parts.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=8).hexdigest()


def prepare(folder: Path) -> None:
    """Create a folder inside the cache, and the cache's own ``.gitignore``.

    As ruff does: the cache ignores itself, so no one has to add it to .gitignore.
    Raises OSError for a read-only checkout; callers then run uncached.
    """
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder.parent / ".gitignore"
    if not marker.exists():
        marker.write_text("# Created by orglint\n*\n", encoding="utf-8")


def default_dir(root: Path) -> Path:
    """The cache folder of a project rooted at ``root`` (ORGLINT_CACHE_DIR overrides)."""
    env = os.environ.get("ORGLINT_CACHE_DIR")
    return Path(env) if env else root / CACHE_DIR_NAME


def load_pickle(path: Path) -> Any:
    """What is pickled at ``path``, or None when it is missing or cannot be read back.

    Every failure means "not cached": a torn write, a file from other code, or a file
    someone else wrote.  Unpickling a damaged file can raise almost anything, so this
    catches every Exception: a cache must never be the reason a run fails.
    """
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:
        return None


def dump_pickle(path: Path, value: Any) -> bool:
    """Pickle ``value`` to ``path`` atomically (a temporary file, then a rename), so a
    concurrent reader sees the old file or the new one, never half of one.

    False when it cannot be written (a read-only checkout, a full disk): the run then
    goes on uncached, quietly.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        prepare(path.parent)
        with open(tmp, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


def _settings_digest(settings: Settings, plan: Plan) -> str:
    parts: list[Any] = [
        code_digest(),
        plan.matrix.digest,
        sorted(plan.enabled),
        sorted((k, repr(v)) for k, v in plan.options.items()),
        settings.limits,
        plan.policy_digest,  # policy rules run per file: their text is part of the key
    ]
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


class Cache:
    """Per-file results of one settings digest: a pack file plus small delta files.

    A pre-commit run on a large org reads back thousands of results: one read of a
    pack is several times faster than thousands of opens.  A run that adds a few
    entries writes them as a delta instead of rewriting the pack (pickling thousands
    of results costs more than the check itself); past ``DELTAS`` deltas, the next run
    folds them into a new pack.  Every file is written atomically, and a run deletes
    only the deltas it has read, so concurrent runs never lose each other's work.
    """

    PACK_LIMIT = 50_000
    DELTAS = 16

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writable = True
        self.entries: dict[str, FileResult] | None = None
        self.added: dict[str, FileResult] = {}
        self.used: set[str] = set()
        self.deltas: list[Path] = []

    @classmethod
    def open(cls, settings: Settings, plan: Plan, folder: Path | None = None) -> Cache:
        base = folder or default_dir(settings.root)
        return cls(base / f"v2-{_settings_digest(settings, plan)}")

    @property
    def pack(self) -> Path:
        return self.folder / "pack.pickle"

    @staticmethod
    def _read(path: Path) -> dict[str, FileResult]:
        loaded = load_pickle(path)
        return loaded if isinstance(loaded, dict) else {}

    def _entries(self) -> dict[str, FileResult]:
        if self.entries is None:
            self.entries = self._read(self.pack)
            try:
                self.deltas = sorted(self.folder.glob("delta-*.pickle"))
            except OSError:
                self.deltas = []
            for delta in self.deltas:
                self.entries.update(self._read(delta))
        return self.entries

    def get(self, key: str) -> FileResult | None:
        value = self._entries().get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put_many(self, items: Iterable[tuple[str, FileResult]]) -> None:
        entries = self._entries()
        for key, value in items:
            self.used.add(key)
            if key not in entries:
                self.added[key] = value

    def close(self) -> None:
        if not self.added or not self.writable:
            return
        entries = self._entries()
        if entries and len(self.deltas) < self.DELTAS:
            import time

            name = f"delta-{time.time_ns():020d}-{os.getpid()}.pickle"
            self.writable = dump_pickle(self.folder / name, self.added)
            return
        merged = dict(entries)
        merged.update(self.added)
        if len(merged) > self.PACK_LIMIT:
            merged = {k: v for k, v in merged.items() if k in self.used}
        # The deltas are deleted only once the pack that holds them is written.
        self.writable = dump_pickle(self.pack, merged)
        if self.writable:
            for delta in self.deltas:
                with contextlib.suppress(OSError):
                    delta.unlink(missing_ok=True)


RUNS_KEPT = 8


def run_key(settings: Settings, gathered: Gathered, extra: tuple[object, ...]) -> str:
    """The key of a whole run: version, settings, matrix, and every file's content.

    Content, not modification times: a checkout or a rebase rewrites mtimes, and a
    stale result is worse than a slow one.
    """
    from orglint.resources import builtin_matrix_path

    digest = hashlib.blake2b(digest_size=20)
    fields = {k: v for k, v in vars(settings).items() if k != "origins"}
    digest.update(repr((code_digest(), sorted(fields.items()), extra)).encode())
    for matrix in (builtin_matrix_path("ai-platform"), settings.matrix):
        if matrix is not None:
            digest.update(matrix.read_bytes())
    names = {source.display for source in gathered.named}
    for entry in gathered.entries:
        digest.update(b"\0N" if entry.source.display in names else b"\0O")
        digest.update(entry.source.display.encode())
        digest.update(entry.digest)
    return digest.hexdigest()


class Report(NamedTuple):
    """A rendered report and what the run exits with."""

    text: str
    exit_code: int
    summary: str


def load_report(folder: Path, key: str) -> Report | None:
    value = load_pickle(folder / "runs" / key)
    return value if isinstance(value, Report) else None


def save_report(folder: Path, key: str, report: Report) -> None:
    runs = folder / "runs"
    if not dump_pickle(runs / key, report):
        return  # a read-only checkout runs uncached
    try:
        entries = sorted(runs.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[RUNS_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # another run pruned them first


def clean(folder: Path) -> bool:
    if folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        return True
    return False
