"""The default report: ``PATH:LINE:COL: CODE [severity] message``, then a summary.

A finding that ``--fix`` can fix is marked `` [*]`` at the end of its line, and a last line
counts the fixes on offer, as ruff does.  The mark goes after the message, not before the
code as ruff puts it, so that every line keeps the format of spec section 4 that outside
tools and tests parse.
"""

from __future__ import annotations

from collections.abc import Iterator

from orglint.escape import line_start, visible
from orglint.findings import Result, Severity
from orglint.reporters import ReportContext
from orglint.reporters.common import batches, joined, rule_statistics
from orglint.wording import plural

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def summary_line(result: Result) -> str:
    counts = result.counts()
    files = plural(result.files_checked, "file")
    if not result.findings:
        documents = plural(result.documents_checked, "orglint document")
        line = f"All checks passed ({files}, {documents})."
        if result.files_checked and not result.documents_checked:
            line += " No file held an orglint document; -v says why each was skipped."
    else:
        parts = [plural(counts["error"], "error"), plural(counts["warning"], "warning"),
                 f"{counts['info']} info"]
        line = f"Found {', '.join(parts)} in {files}."
    if result.baseline_hidden:
        line += (f" {plural(result.baseline_hidden, 'known finding')} hidden by the"
                 " baseline.")
    if result.stale_baseline:
        stale = len(result.stale_baseline)
        line += (f" {plural(stale, 'baseline entry')} no longer"
                 f" {'matches' if stale == 1 else 'match'}.")
    if result.fixed:
        # Roles inferred from titles are counted apart: no finding reported them.
        line += f" Fixed {plural(result.fixed, 'finding')}."
    if result.roles_written:
        line += f" Wrote {plural(result.roles_written, 'role')} inferred from titles."
    return line


def fixable_line(result: Result) -> str | None:
    """ruff's "[*] N fixable with --fix", with the unsafe fixes it holds back."""
    safe = sum(1 for f in result.findings if f.fix is not None and f.fix.safe)
    unsafe = sum(1 for f in result.findings if f.fix is not None and not f.fix.safe)
    hidden = (f"({plural(unsafe, 'hidden fix')} can be enabled with --unsafe-fixes)"
              if unsafe else "")
    if safe:
        return f"[*] {safe} fixable with --fix" + (f" {hidden}" if hidden else "") + "."
    if unsafe:
        return f"No fixes available {hidden}."
    return None


def statistics(result: Result) -> list[str]:
    return [f"{row.total:5d}  {visible(row.code):<7}  {'[*]' if row.fixable else '   '}"
            f"  {visible(row.name)}" for row in rule_statistics(result.findings)]


def pieces(result: Result, ctx: ReportContext) -> Iterator[str]:
    """Each line ends with a newline: the same text as the lines joined by newlines
    with one at the end (nothing at all when there is no line)."""
    color = ctx.color
    lines: list[str] = []
    if ctx.statistics:
        lines.extend(line + "\n" for line in statistics(result))
    else:
        for batch in batches(result.findings):
            for f in batch:
                where = _paint(f"{line_start(f.file)}:{f.line}:{f.column}:", "1", color)
                code = _paint(visible(f.code), _COLORS[f.severity], color)
                mark = " [*]" if f.fix is not None and f.fix.safe else ""
                lines.append(f"{where} {code} [{f.severity.label}]"
                             f" {visible(f.message)}{mark}\n")
            yield "".join(lines)
            lines.clear()
    if ctx.verbose:
        for file, reason in result.skipped:
            lines.append(f"{line_start(file)}: skipped: {visible(reason)}\n")
        for entry in result.stale_baseline:
            lines.append(f"baseline entry no longer matches: {visible(entry)}\n")
    if not ctx.quiet:
        lines.append(summary_line(result) + "\n")
        fixable = fixable_line(result)
        if fixable is not None:
            lines.append(fixable + "\n")
    if lines:
        yield "".join(lines)


render = joined(pieces)
