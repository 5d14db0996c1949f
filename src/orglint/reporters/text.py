"""The default report: ``PATH:LINE:COL: CODE [severity] message``, then a summary."""

from __future__ import annotations

from collections import Counter

from orglint.escape import line_start, visible
from orglint.findings import Result, Severity
from orglint.reporters import ReportContext

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def summary_line(result: Result) -> str:
    counts = result.counts()
    files = f"{result.files_checked} file{'s' if result.files_checked != 1 else ''}"
    if not result.findings:
        line = f"All checks passed ({files}, {result.documents_checked} orglint documents)."
        if result.files_checked and not result.documents_checked:
            line += " No file held an orglint document; -v says why each was skipped."
    else:
        parts = [f"{counts['error']} error{'s' if counts['error'] != 1 else ''}",
                 f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}",
                 f"{counts['info']} info"]
        line = f"Found {', '.join(parts)} in {files}."
    if result.baseline_hidden:
        line += f" {result.baseline_hidden} known finding(s) hidden by the baseline."
    if result.stale_baseline:
        line += f" {len(result.stale_baseline)} baseline entr(ies) no longer match."
    if result.fixed:
        line += f" Fixed {result.fixed} finding(s)."
    if result.roles_written:
        n = result.roles_written
        line += f" Wrote {n} role{'s' if n != 1 else ''} inferred from titles."
    return line


def statistics(result: Result) -> list[str]:
    counts = Counter((f.code, f.name) for f in result.findings)
    return [f"{n:5d}  {visible(code)}  {visible(name)}" for (code, name), n in
            sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render(result: Result, ctx: ReportContext) -> str:
    color = ctx.color
    lines = []
    for f in result.findings:
        where = _paint(f"{line_start(f.file)}:{f.line}:{f.column}:", "1", color)
        code = _paint(visible(f.code), _COLORS[f.severity], color)
        lines.append(f"{where} {code} [{f.severity.label}] {visible(f.message)}")
    if ctx.verbose:
        for file, reason in result.skipped:
            lines.append(f"{line_start(file)}: skipped: {visible(reason)}")
        for entry in result.stale_baseline:
            lines.append(f"baseline entry no longer matches: {visible(entry)}")
    if ctx.statistics:
        lines.extend(statistics(result))
    if ctx.fixes_available:
        lines.append(f"{ctx.fixes_available} finding(s) can be fixed with --fix"
                     " (or --unsafe-fixes).")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"
