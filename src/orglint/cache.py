"""The result cache: per-file results keyed by content, version, settings and matrix.

Only per-file work is cached (parse, schema, model, team rules, suppression comments,
org facts).  The org-wide rules always run again on the facts of every file, so a
change in one file can never leave a stale cross-file finding in another.

Entries are separate files written atomically (a temporary file, then a rename), so
several pre-commit processes can share the cache: the worst a race costs is a
duplicate computation.
"""

from __future__ import annotations

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


def default_dir(settings: Settings) -> Path:
    env = os.environ.get("ORGLINT_CACHE_DIR")
    return Path(env) if env else settings.root / CACHE_DIR_NAME


def _settings_digest(settings: Settings, plan: Plan) -> str:
    parts: list[Any] = [
        __version__,
        plan.matrix.digest,
        sorted(plan.enabled),
        sorted((k, v.model_dump_json()) for k, v in plan.options.items()),
        settings.limits,
    ]
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writable = True

    @classmethod
    def open(cls, settings: Settings, plan: Plan, folder: Path | None = None) -> Cache:
        base = folder or default_dir(settings)
        return cls(base / f"v1-{_settings_digest(settings, plan)}")

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> FileResult | None:
        try:
            with open(self._path(key), "rb") as handle:
                value: FileResult = pickle.load(handle)
                return value
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                TypeError, ValueError):
            return None

    def put_many(self, items: Iterable[tuple[str, FileResult]]) -> None:
        if not self.writable:
            return
        for key, value in items:
            path = self._path(key)
            if path.exists():
                continue
            try:
                if not path.parent.exists():
                    self._prepare()
                    path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{key}.{os.getpid()}.tmp")
                with open(tmp, "wb") as handle:
                    pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except OSError:
                self.writable = False  # a read-only checkout: run uncached, quietly
                return

    def _prepare(self) -> None:
        base = self.folder.parent
        base.mkdir(parents=True, exist_ok=True)
        marker = base / ".gitignore"
        if not marker.exists():
            # As ruff does: the cache ignores itself, so no one has to add it to .gitignore.
            marker.write_text("# Created by orglint\n*\n", encoding="utf-8")

    def close(self) -> None:
        pass


RUNS_KEPT = 8


def run_key(settings: Settings, gathered: Gathered, extra: tuple[object, ...]) -> str:
    """The key of a whole run: version, settings, matrix, and every file's content.

    Content, not modification times: a checkout or a rebase rewrites mtimes, and a
    stale result is worse than a slow one.
    """
    from orglint.resources import builtin_matrix_path

    digest = hashlib.blake2b(digest_size=20)
    fields = {k: v for k, v in vars(settings).items() if k != "origins"}
    digest.update(repr((__version__, sorted(fields.items()), extra)).encode())
    for matrix in (builtin_matrix_path("ai-platform"), settings.matrix):
        if matrix is not None:
            digest.update(matrix.read_bytes())
    names = {source.display for source in gathered.named}
    for source, raw in gathered.contents:
        digest.update(b"\0N" if source.display in names else b"\0O")
        digest.update(source.display.encode())
        digest.update(len(raw).to_bytes(8, "little"))
        digest.update(raw)
    return digest.hexdigest()


class Report(NamedTuple):
    """A rendered report and what the run exits with."""

    text: str
    exit_code: int
    summary: str


def load_report(folder: Path, key: str) -> Report | None:
    try:
        with open(folder / "runs" / key, "rb") as handle:
            value = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
            TypeError, ValueError):
        return None
    return value if isinstance(value, Report) else None


def save_report(folder: Path, key: str, report: Report) -> None:
    runs = folder / "runs"
    try:
        if not runs.is_dir():
            Cache(folder / "unused")._prepare()
            runs.mkdir(parents=True, exist_ok=True)
        tmp = runs / f".{key}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            pickle.dump(report, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, runs / key)
        entries = sorted(runs.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[RUNS_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only checkout runs uncached


def clean(folder: Path) -> bool:
    if folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        return True
    return False
