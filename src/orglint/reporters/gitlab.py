"""GitLab Code Quality report: a JSON array of issues."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from orglint.escape import json_safe, plain, visible
from orglint.findings import Result, Severity
from orglint.reporters import ReportContext
from orglint.reporters.common import batches, dump, joined, occurrences, repo_path, repo_root

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def pieces(result: Result, ctx: ReportContext) -> Iterator[str]:
    root = repo_root(ctx.root)
    prints = occurrences(result.findings, root)
    yield "["
    comma = ""
    for batch in batches(result.findings):
        issues = [
            json_safe(dump({
                "description": visible(f"{f.code} {f.message}"),
                "check_name": visible(f"{f.code} {f.name}"),
                "fingerprint": fingerprint,
                "severity": SEVERITIES[f.severity],
                "location": {"path": _path(repo_path(f.file, root)),
                             "lines": {"begin": f.line, "end": f.end_line}},
            }))
            for f, fingerprint in zip(batch, islice(prints, len(batch)), strict=True)
        ]
        yield comma + ",\n".join(issues)
        comma = ",\n"
    yield "]\n"


def _path(path: str) -> str:
    """The path exactly, as GitLab needs it to find the file (``##[`` included: the JSON
    text guards it, ``json_safe``), unless it holds a control or invisible character
    (then escaped, as everywhere: such a name is an attack, not a team's file)."""
    return path if plain(path) else visible(path)


render = joined(pieces)
