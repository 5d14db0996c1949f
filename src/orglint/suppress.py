"""Suppressions: ``# orglint:`` comments, applied after every rule has run.

Accepted forms (one regular expression, ``DIRECTIVE``):

* ``# orglint: ignore[ORG104]`` and ``# orglint: ignore[ORG104, ORG102] reason text``
  on the finding's line; alone on a line, it applies to the next line that has content;
* ``until=YYYY-MM-DD`` anywhere after the brackets: the suppression expires after that
  day (ORG902 then reports it, and the finding comes back);
* ``# orglint: ignore-file[ORG206]`` anywhere in the file: for the whole file.

Codes may also be rule names or ``ALL``.  PyYAML's C parser drops comments, so
directives come from a scan of the text that skips ``#`` inside quoted strings and
block scalars.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from orglint.findings import Finding
from orglint.rules.base import Rule
from orglint.selection import names_rule

DIRECTIVE = re.compile(
    r"#\s*orglint:\s*(?P<kind>ignore-file|ignore)\s*\[(?P<codes>[^\]]*)\](?P<rest>.*)$"
)
_UNTIL = re.compile(r"\buntil=(?P<date>\S+)")
_BLOCK_START = re.compile(r"(?:^|[\s:-])[|>][-+0-9]*\s*$")


class Directive(NamedTuple):
    line: int  # where the comment is
    column: int
    target: int  # the line it applies to (0 for file level)
    codes: tuple[str, ...]
    until: dt.date | None
    bad_date: str | None
    file_level: bool
    used: set[str]  # the codes it suppressed in this run, filled in by apply()


def comments(text: str) -> list[tuple[int, int, str, bool]]:
    """(line, column, comment text, alone on its line) for every real comment.

    Quote-aware and block-scalar-aware: a ``#`` inside ``'...'``, ``"..."`` (also across
    lines) or inside a ``|``/``>`` block is content, not a comment.
    """
    out: list[tuple[int, int, str, bool]] = []
    quote: str | None = None
    block_indent: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped.strip() or indent > block_indent:
                continue
            block_indent = None
        i = 0
        n = len(line)
        comment_at = -1
        prev = " "
        while i < n:
            ch = line[i]
            if quote == '"':
                if ch == "\\":
                    i += 2
                    continue
                if ch == '"':
                    quote = None
            elif quote == "'":
                if ch == "'":
                    if i + 1 < n and line[i + 1] == "'":
                        i += 2
                        continue
                    quote = None
            elif (ch in "\"'" and prev in " \t[{,:-") or (ch in "\"'" and i == indent):
                quote = ch
            elif ch == "#" and (i == 0 or prev in " \t"):
                comment_at = i
                break
            prev = ch
            i += 1
        code_part = line if comment_at < 0 else line[:comment_at]
        if comment_at >= 0:
            out.append((number, comment_at + 1, line[comment_at:], not code_part.strip()))
        if quote is None and _BLOCK_START.search(code_part.rstrip()):
            block_indent = indent
    return out


def scan(text: str) -> list[Directive]:
    if "orglint:" not in text:
        return []
    found: list[Directive] = []
    lines = text.splitlines()
    following: list[int] | None = None
    for number, column, comment, alone in comments(text):
        match = DIRECTIVE.match(comment)
        if match is None:
            continue
        codes = tuple(c.strip() for c in match["codes"].split(",") if c.strip())
        until = None
        bad = None
        when = _UNTIL.search(match["rest"])
        if when:
            try:
                until = dt.date.fromisoformat(when["date"])
            except ValueError:
                bad = when["date"]
        file_level = match["kind"] == "ignore-file"
        target = number
        if alone and not file_level:
            if following is None:
                following = _next_content_lines(lines)
            target = following[number - 1] or number
        found.append(Directive(number, column, 0 if file_level else target, codes, until, bad,
                               file_level, set()))
    return found


def _next_content_lines(lines: list[str]) -> list[int]:
    """For each line, the number of the first later line with content (0: none).

    One backward pass: looking forward from each own-line directive instead costs the
    product of directives and comment lines, minutes on a file of stacked comments.
    """
    out = [0] * len(lines)
    upcoming = 0
    for index in range(len(lines) - 1, -1, -1):
        out[index] = upcoming
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            upcoming = index + 1
    return out


def _matches(code: str, finding: Finding) -> bool:
    return code == "ALL" or names_rule(code, finding.code, finding.name)


def apply(findings: list[Finding], directives: list[Directive], today: dt.date,
          enabled: dict[str, type[Rule]], file: str) -> list[Finding]:
    """Drop suppressed findings; add ORG901/ORG902 for unused and expired directives."""
    if not directives:
        return findings
    from orglint.rules.suppression import ExpiredSuppression, UnusedSuppression

    live = [d for d in directives if d.bad_date is None and (d.until is None or d.until >= today)]
    # Indexed by line: a hostile file with thousands of comments and findings would
    # otherwise cost their product.
    by_line: dict[int, list[Directive]] = {}
    for d in live:
        if not d.file_level:
            by_line.setdefault(d.target, []).append(d)
    file_level = [d for d in live if d.file_level]
    kept: list[Finding] = []
    for finding in findings:
        hit = False
        for d in (*file_level, *by_line.get(finding.line, ())):
            for code in d.codes:
                if _matches(code, finding):
                    d.used.add(code)
                    hit = True
        if not hit:
            kept.append(finding)
    extra: list[Finding] = []
    for d in directives:
        if d.bad_date is not None or (d.until is not None and d.until < today):
            if ExpiredSuppression.code in enabled:
                what = (f"'until={d.bad_date}' is not a date (YYYY-MM-DD)" if d.bad_date
                        else f"expired on {d.until.isoformat() if d.until else ''}")
                extra.append(_at(ExpiredSuppression, d, file,
                                 f"suppression of {', '.join(d.codes)} {what}"))
            continue
        if UnusedSuppression.code not in enabled:
            continue
        unused = [c for c in d.codes if c not in d.used and _known_enabled(c, enabled)]
        if not d.codes:
            unused = ["(no codes)"]
        if unused:
            extra.append(_at(UnusedSuppression, d, file,
                             f"unused suppression of {', '.join(unused)}: nothing to ignore"
                             + (" in this file" if d.file_level else f" on line {d.target}")))
    return kept + extra


def _known_enabled(code: str, enabled: dict[str, type[Rule]]) -> bool:
    if code == "ALL":
        return True
    return any(names_rule(code, r.code, r.name) for r in enabled.values())


def _at(rule: type[Rule], d: Directive, file: str, message: str) -> Finding:
    return Finding(rule.code, rule.name, rule.severity, message, file, d.line, d.column,
                   d.line, d.column + 1, detail=",".join(d.codes))
