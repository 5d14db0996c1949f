"""Markdown: a summary for pull requests and ``$GITHUB_STEP_SUMMARY``.

GitHub refuses a step summary over 1 MiB, so the text is built against a byte budget:
the counts always fit, the coverage table takes at most half of what is left, and the
findings the rest; whatever does not fit is counted in a closing note.  Content is
escaped so that a name or message can neither break the tables nor inject HTML.
"""

from __future__ import annotations

import html
import re

from orglint.escape import visible
from orglint.findings import Finding, Result
from orglint.orgview import NO_STAGE
from orglint.reporters import ReportContext
from orglint.reporters.orgreport import by_team, counts_by_rule, coverage
from orglint.wording import plural

MAX_BYTES = 1024 * 1024
# "$" too: GitHub renders $...$ and $$...$$ as math (large text that can imitate the
# report's own words), and a backslash keeps a dollar sign a dollar sign.
_SPECIAL = re.compile(r"([\\`*_\[\]!|~$])")
# '@name', '#12', 'GH-12', 'owner/repo#12', 'www.' and 'scheme://' become links on GitHub.
_AUTOLINK = re.compile(r"(@|#(?=\d)|\bGH-(?=\d)|:(?=//)|\bwww(?=\.))", re.IGNORECASE)
_MARKS = {"missing": "🟥", "thin": "🟧", "as-recommended": "✅", "over": "🟦", "none": ""}


def md(value: object) -> str:
    """Text as inert Markdown on one line: HTML and Markdown syntax escaped, and what
    GitHub links by itself (an @-mention, an issue's #1, a bare URL) broken with a
    zero-width space, as bots posting content do (a summary is often a PR comment)."""
    text = visible(str(value))  # escapes shown as everywhere else, on one line
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return _AUTOLINK.sub(r"\1&#8203;", text)


def _html(value: object) -> str:
    """Text inside the report's own HTML (a ``<summary>``): GitHub links an @-mention,
    an issue's #1 or a bare URL there too, so they are broken as ``md`` breaks them."""
    text = _AUTOLINK.sub(r"\1&#8203;", html.escape(visible(str(value))))
    return text.replace("$", "&#36;")  # no math there either (after: "#3" is an issue)


class _Budget:
    def __init__(self, cap: int) -> None:
        self.left = cap
        self.parts: list[str] = []

    def add(self, text: str, reserve: int = 0) -> bool:
        size = len(text.encode("utf-8"))
        if size > self.left - reserve:
            return False
        self.parts.append(text)
        self.left -= size
        return True


def render(result: Result, ctx: ReportContext) -> str:
    return render_capped(result, ctx, MAX_BYTES)


def render_capped(result: Result, ctx: ReportContext, cap: int) -> str:
    note_room = 400  # for the closing note, so it always fits
    out = _Budget(cap - note_room)
    counts = result.counts()
    files = result.files_checked
    out.add(f"## orglint: {plural(counts['error'], 'error')},"
            f" {plural(counts['warning'], 'warning')}, {counts['info']} info in"
            f" {plural(files, 'file')}\n\n")
    rules = counts_by_rule(result)
    if rules:
        out.add("| Rule | Name | Severity | Findings |\n|---|---|---|---:|\n")
        for code, name, sev, n in rules:
            out.add(f"| {md(code)} | {md(name)} | {sev} | {n} |\n")
        out.add("\n")
    cut_teams = _coverage(result, ctx, out)
    cut = _findings(result, ctx, out)
    text = "".join(out.parts)
    notes = []
    if cut_teams:
        notes.append(f"{cut_teams} more team{'s' if cut_teams != 1 else ''} in the coverage"
                     " table")
    if cut:
        notes.append(f"{cut} more finding{'s' if cut != 1 else ''}")
    if notes:
        text += (f"\n> Cut to stay under {cap // 1024} KiB: {' and '.join(notes)} not shown."
                 " Run `orglint check` (or `--output-format html`) for everything.\n")
    return text


def _coverage(result: Result, ctx: ReportContext, out: _Budget) -> int:
    if ctx.org is None:
        return 0
    rows = coverage(ctx.org, result.related_roles)
    if not rows:
        return 0
    roles = [c.role for c in rows[0].cells]
    head = ("### Coverage\n\nHeadcount / recommended mix per role (🟥 missing, 🟧 thin, "
            "✅ as recommended, 🟦 over; +N: a seat filled by a member of another role who"
            " also does this one's work; ↕: the role is on the nearest team above or below,"
            " which counts for this one).\n\n| Team | Maturity | Size | "
            + " | ".join(md(r) for r in roles) + " |\n|---|---|---:|"
            + "---:|" * len(roles) + "\n")
    # Half of what is left: the findings must not be pushed out by a large org's table.
    table = _Budget(out.left // 2)
    if not table.add(head):
        return len(rows)
    shown = 0
    for row in rows:
        cells = " | ".join(
            f"{c.have}{f' +{c.shared}' if c.shared else ''}{' ↕' if c.related else ''}"
            f"/{c.want} {_MARKS[c.state]}".rstrip()
            for c in row.cells)
        stage = md(row.team.maturity or NO_STAGE)
        line = f"| {md(row.team.id)} | {stage} | {row.size} | {cells} |\n"
        if not table.add(line):
            break
        shown += 1
    table.add("\n")
    out.add("".join(table.parts))
    return len(rows) - shown


def _findings(result: Result, ctx: ReportContext, out: _Budget) -> int:
    if not result.findings:
        out.add("No findings.\n")
        return 0
    out.add("### Findings by team\n\n")
    done = 0
    for group in by_team(result, ctx.org):
        if not group.findings:
            continue
        # An HTML block: Markdown escapes would show there, HTML ones do not.
        name = (f"{_html(group.team.id)} ({_html(group.file)})" if group.team
                else f"{_html(group.file)} (outside any team)")
        n = len(group.findings)
        closing = "\n</details>\n\n"
        if not out.add(f"<details><summary>{name}: {n} finding{'s' if n != 1 else ''}"
                       f"</summary>\n\n", reserve=len(closing)):
            break
        for f in group.findings:
            if not out.add(_line(f), reserve=len(closing)):
                break
            done += 1
        out.add(closing)
    return len(result.findings) - done


def _line(f: Finding) -> str:
    return (f"- {md(f.file)}:{f.line}:{f.column} **{md(f.code)}** \\[{f.severity.label}\\]"
            f" {md(f.message)}\n")
