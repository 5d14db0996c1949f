"""GitLab Code Quality report: a JSON array of issues."""

from __future__ import annotations

from orglint.escape import visible
from orglint.findings import Result, Severity
from orglint.reporters import ReportContext
from orglint.reporters.common import dump, occurrences, repo_path, repo_root

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(result: Result, ctx: ReportContext) -> str:
    root = repo_root(ctx.root)
    issues = [
        dump({
            "description": visible(f"{f.code} {f.message}"),
            "check_name": visible(f"{f.code} {f.name}"),
            "fingerprint": fingerprint,
            "severity": SEVERITIES[f.severity],
            "location": {"path": visible(repo_path(f.file, root)),
                         "lines": {"begin": f.line, "end": f.end_line}},
        })
        for f, fingerprint in zip(result.findings, occurrences(result.findings, root),
                                  strict=True)
    ]
    return "[" + ",\n".join(issues) + "]\n"
