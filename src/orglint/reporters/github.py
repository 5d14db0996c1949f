"""GitHub Actions workflow commands: annotations on the pull request's files."""

from __future__ import annotations

from collections.abc import Iterator

from orglint.escape import github_data, github_property
from orglint.findings import Result, Severity
from orglint.reporters import ReportContext
from orglint.reporters.common import batches, joined, repo_path, repo_root

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def pieces(result: Result, ctx: ReportContext) -> Iterator[str]:
    root = repo_root(ctx.root)
    for batch in batches(result.findings):
        lines = []
        for f in batch:
            props = (f"file={github_property(repo_path(f.file, root))},line={f.line},"
                     f"col={f.column},endLine={f.end_line},endColumn={f.end_column},"
                     f"title={github_property(f.code)}")
            lines.append(f"::{COMMANDS[f.severity]} {props}::"
                         f"{github_data(f'[{f.name}] {f.message}')}\n")
        yield "".join(lines)


render = joined(pieces)
