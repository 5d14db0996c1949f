"""GitLab Code Quality report: a JSON array of issues."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from orglint.escape import visible
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
            dump({
                "description": visible(f"{f.code} {f.message}"),
                "check_name": visible(f"{f.code} {f.name}"),
                "fingerprint": fingerprint,
                "severity": SEVERITIES[f.severity],
                "location": {"path": visible(repo_path(f.file, root)),
                             "lines": {"begin": f.line, "end": f.end_line}},
            })
            for f, fingerprint in zip(batch, islice(prints, len(batch)), strict=True)
        ]
        yield comma + ",\n".join(issues)
        comma = ",\n"
    yield "]\n"


render = joined(pieces)
