"""GitHub Actions workflow commands: annotations on the pull request's files."""

from __future__ import annotations

from orglint.findings import Result, Severity
from orglint.reporters import ReportContext
from orglint.reporters.common import repo_path, repo_root

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: Result, ctx: ReportContext) -> str:
    root = repo_root(ctx.root)
    lines = []
    for f in result.findings:
        props = (f"file={_prop(repo_path(f.file, root))},line={f.line},col={f.column},"
                 f"endLine={f.end_line},endColumn={f.end_column},title={_prop(f.code)}")
        lines.append(f"::{COMMANDS[f.severity]} {props}::{_data(f'[{f.name}] {f.message}')}")
    return "\n".join(lines) + ("\n" if lines else "")
