"""Helpers shared by the CI reporters."""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from orglint import hashing
from orglint.findings import Finding, Result
from orglint.ntuple import NamedTuple

T = TypeVar("T")
BATCH = 1024  # items per piece of a streamed report: few writes, little held at once


def repo_root(start: Path | None) -> Path:
    """The repository root (the nearest folder with ``.git``), else ``start``."""
    if start is None:
        start = Path.cwd()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


@functools.lru_cache(maxsize=65536)
def repo_path(file: str, root: Path) -> str:
    """A finding's file relative to the repository root, in POSIX form.

    Memoised: a large org has many findings per file, and resolving a path is a system
    call per component.
    """
    if file in ("-", "<stdin>"):
        return file
    absolute = Path(file).resolve()
    try:
        return Path(os.path.relpath(absolute, root)).as_posix()
    except ValueError:
        return absolute.as_posix()


def dump(value: object) -> str:
    """Compact JSON with the C encoder (indentation switches to the slow Python one)."""
    import json

    return json.dumps(value, separators=(",", ":"))


def stable_hash(finding: Finding, root: Path, occurrence: int = 0) -> str:
    """Line-independent: the same key as the baseline, plus a counter for repeats."""
    key = "|".join((*finding.key(repo_path(finding.file, root)), str(occurrence)))
    # A file name that is not UTF-8 holds lone surrogates: hash the bytes it came from.
    return hashing.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def occurrences(findings: Iterable[Finding], root: Path) -> Iterator[str]:
    """Each finding's fingerprint, in order (a generator: a streamed report holds only
    the counts, not 150,000 hashes)."""
    seen: dict[str, int] = {}
    for finding in findings:
        base = stable_hash(finding, root)
        count = seen.get(base, 0)
        seen[base] = count + 1
        yield base if count == 0 else stable_hash(finding, root, count)


def batches(items: list[T]) -> Iterator[list[T]]:
    size = BATCH
    for start in range(0, len(items), size):
        yield items[start:start + size]


def joined(pieces: Callable[[Result, T], Iterable[str]]) -> Callable[[Result, T], str]:
    """A streamed reporter as one that returns its whole text."""
    def render(result: Result, ctx: T) -> str:
        return "".join(pieces(result, ctx))
    return render


class RuleCount(NamedTuple):
    """One line of ``--statistics`` (a NamedTuple: dataclasses is off the check path)."""

    code: str
    name: str
    total: int
    fixable: int  # how many of them --fix would fix (safe fixes only)

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "name": self.name, "count": self.total,
                "fixable": self.fixable}


def rule_statistics(findings: list[Finding]) -> list[RuleCount]:
    """Findings per rule, the most frequent first."""
    counts: Counter[tuple[str, str]] = Counter()
    fixable: Counter[str] = Counter()
    for finding in findings:
        counts[finding.code, finding.name] += 1
        if finding.fix is not None and finding.fix.safe:
            fixable[finding.code] += 1
    return [RuleCount(code, name, n, fixable[code]) for (code, name), n in
            sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
