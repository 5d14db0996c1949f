"""Baselines: adopt orglint on an org that already has findings, and fail only on new ones.

The file is JSON, sorted, one entry per (rule, file, entity, detail) with a count::

    {
      "tool": "orglint",
      "version": 1,
      "entries": [
        {"code": "ORG104", "file": "teams/infra.yaml", "entity": "dmitri",
         "detail": "training-pipelines", "count": 1}
      ]
    }

``file`` is relative to the baseline file's folder, in POSIX form.  No line numbers:
entries survive edits that move lines, such as reordering members.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from orglint import fsutil
from orglint.errors import ConfigError
from orglint.findings import Finding

Key = tuple[str, str, str, str]


def _rel(file: str, base: Path) -> str:
    absolute = Path(file).resolve() if file not in ("-", "<stdin>") else Path(file)
    try:
        return Path(os.path.relpath(absolute, base)).as_posix()
    except ValueError:  # another drive on Windows
        return absolute.as_posix()


def _key(finding: Finding, base: Path) -> Key:
    return finding.key(_rel(finding.file, base))


# How every baseline orglint writes begins; a file that does not is someone else's.
_OURS = re.compile(rb'\A\s*\{\s*"tool"\s*:\s*"orglint"')


def foreign(path: Path) -> str | None:
    """Why the existing file ``path`` must not be replaced by a baseline, or None.

    Only an empty file or an orglint baseline may be: ``--write-baseline`` pointed at
    a team file, or any other file, by mistake or by a hostile script, destroys nothing.
    """
    info = fsutil.lstat(path)
    if info is None:
        return None
    reason = fsutil.refusal(path, info)
    if reason is not None:
        return reason
    head = fsutil.read_regular(path, 4096)
    if head.strip() and not _OURS.match(head):
        return ('it is not an orglint baseline (a JSON file that begins {"tool": "orglint"});'
                " remove it or choose another name")
    return None


def write(path: Path, findings: list[Finding]) -> int:
    base = path.resolve().parent
    counts = Counter(_key(f, base) for f in findings)
    entries = [
        {"code": c, "file": f, "entity": e, "detail": d, "count": n}
        for (c, f, e, d), n in sorted(counts.items())
    ]
    body = json.dumps({"tool": "orglint", "version": 1, "entries": entries}, indent=2)
    try:
        reason = fsutil.folder_link(path) or foreign(path)
        if reason is not None:
            raise fsutil.Refused(reason)
        fsutil.replace(path, (body + "\n").encode("utf-8"))
    except fsutil.Refused as exc:
        raise ConfigError(f"will not write baseline {path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
    return len(findings)


def read_bytes(path: Path, limit: int) -> bytes:
    """The baseline's bytes: a regular file of at most ``limit`` bytes (a FIFO would
    hang the run, a huge sparse file fill the memory)."""
    from orglint.reading import read_capped

    return read_capped(path, limit, "baseline file")


def read(path: Path, limit: int = 8 * 1024 * 1024) -> Counter[Key]:
    raw = read_bytes(path, limit)
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        if "integer string conversion" in str(exc):  # Python's own words, not JSON's
            raise ConfigError(f"cannot read baseline {path}: a number of more than 4,300"
                              " digits") from None
        raise ConfigError(f"cannot read baseline {path}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"cannot read baseline {path}: nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ConfigError(f"{path}: not an orglint baseline (no 'entries' list)")
    version = data.get("version", 1)
    if type(version) is not int or version != 1:
        # "1" or true read as 1 would let a baseline of another format pass as this one.
        raise ConfigError(f"{path}: baseline 'version' must be 1 (what --write-baseline"
                          f" writes), got {json.dumps(version)[:40]}")
    counts: Counter[Key] = Counter()
    for index, entry in enumerate(data["entries"]):
        # Each field what --write-baseline writes: a list or a map in its place was
        # turned into its text and matched nothing, silently.
        if (not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) for k in ("code", "file"))
                or not all(entry.get(k) is None or isinstance(entry[k], str)
                           for k in ("entity", "detail"))
                or type(entry.get("count", 1)) is not int or entry.get("count", 1) < 1):
            raise ConfigError(f"{path}: entry {index + 1} needs 'code' and 'file' as text,"
                              " 'entity' and 'detail' as text if given, and a whole number"
                              " of at least 1 as 'count'")
        key = (entry["code"], entry["file"], entry.get("entity") or "",
               entry.get("detail") or "")
        for part in _split_entry(key):
            counts[part] += entry.get("count", 1)
    return counts


def _split_entry(key: Key) -> list[Key]:
    """A baseline entry as the findings of today's rules would be keyed.  ORG207 once
    gave one finding per person naming each responsibility ("a,b"); it now gives one
    per responsibility, and a baseline written before must still hide them."""
    code, file, entity, detail = key
    if code != "ORG207" or "," not in detail:
        return [key]
    return [(code, file, entity, part) for part in detail.split(",") if part]


def filter_new(path: Path, findings: list[Finding], checked_files: set[str],
               limit: int = 8 * 1024 * 1024) -> tuple[list[Finding], int, list[str]]:
    """(new findings, how many the baseline hid, entries that no longer match)."""
    base = path.resolve().parent
    remaining = read(path, limit)
    new: list[Finding] = []
    hidden = 0
    for finding in findings:
        key = _key(finding, base)
        if remaining.get(key, 0) > 0:
            remaining[key] -= 1
            hidden += 1
        else:
            new.append(finding)
    checked = {_rel(f, base) for f in checked_files}
    stale = [
        f"{c} {f} {e} {d}".rstrip() + (f" (x{n})" if n > 1 else "")
        for (c, f, e, d), n in sorted(remaining.items())
        if n > 0 and f in checked
    ]
    return new, hidden, stale
