"""Suppressions: ``# orglint:`` comments, applied after every rule has run.

Accepted forms:

* ``# orglint: ignore[ORG104]`` and ``# orglint: ignore[ORG104, ORG102] reason text``
  on the finding's line; alone on a line, it applies to the next line that has content;
* ``until=YYYY-MM-DD`` anywhere after the brackets: the suppression expires after that
  day (ORG902 then reports it, and the finding comes back);
* ``# orglint: ignore-file[ORG206]`` anywhere in the file: for the whole file.

Codes may also be rule names or ``ALL``.  A comment that starts with ``orglint:`` but
is not one of these forms (no brackets, no code, an unknown code or option, a date that
is not a date) suppresses nothing and is reported as ORG901.  ORG001 is never
suppressed: a file orglint could not read must not pass.

Comments are found by :mod:`orglint.comments`, from the parser's scalar spans, so a
``#`` inside any scalar is content, never a directive.
"""

from __future__ import annotations

import datetime as dt
import re

from orglint.comments import Comment, comments
from orglint.findings import POLICY_ERROR, Finding
from orglint.lazyre import deferred
from orglint.ntuple import NamedTuple
from orglint.resync import shown
from orglint.rules.base import Rule

_PREFIX = re.compile(r"#\s*orglint\s*:", re.IGNORECASE)
_KIND = deferred(r"\s*([A-Za-z][\w-]*)")
_OPTION = deferred(r"(?<!\S)([A-Za-z][\w-]*)=(\S*)")
_DATE = deferred(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
KINDS = ("ignore", "ignore-file")
UNSUPPRESSIBLE = "ORG001"
_MAX_HINTS = 64  # distinct misspelt codes per file that get a "did you mean"
_MAX_WORD = 64  # longer "codes" are not typos of a code; no hint
_MAX_LISTED = 5  # unknown codes named in one message


class Directive(NamedTuple):
    """One ``# orglint:`` comment.  Plain values only: the cache stores it as data."""

    line: int  # where the comment is
    column: int
    target: int  # the line it applies to (0 for file level)
    codes: tuple[str, ...]  # as written
    until: dt.date | None
    file_level: bool
    problem: str | None  # why it is malformed (it then suppresses nothing)


def scan(text: str) -> list[Directive]:
    # Most files have no directive: skip the second parse that finding comments costs
    # (every file says "orglint/v1", so look for the directive's own prefix).
    if _PREFIX.search(text) is None:
        return []
    found: list[Directive] = []
    following: list[int] | None = None
    every = comments(text)
    for comment in every:
        prefix = _PREFIX.match(comment.text)
        if prefix is None:
            continue
        kind, codes, until, problem = parse(comment.text[prefix.end():])
        file_level = kind == "ignore-file"
        target = comment.line
        if comment.alone and not file_level:
            if following is None:
                following = _next_content_lines(text, every)
            target = following[comment.line - 1] or comment.line
        found.append(Directive(comment.line, comment.column, 0 if file_level else target,
                               codes, until, file_level, problem))
    return found


def parse(body: str) -> tuple[str, tuple[str, ...], dt.date | None, str | None]:
    """(kind, codes, until, problem) of what follows ``orglint:`` in a comment."""
    kind_match = _KIND.match(body)
    if kind_match is None:
        return "", (), None, "expected 'ignore[CODES]' or 'ignore-file[CODES]' after 'orglint:'"
    kind = kind_match[1].lower()
    if kind not in KINDS:
        from orglint.schema import did_you_mean

        return "", (), None, (f"unknown directive '{_short(kind_match[1])}'"
                              f"{did_you_mean(kind_match[1][:_MAX_WORD], KINDS)}")
    rest = body[kind_match.end():].lstrip()
    example = f"'# orglint: {kind}[ORG104] reason'"
    if not rest.startswith("["):
        return kind, (), None, f"'{kind}' needs the codes in brackets, as in {example}"
    close = rest.find("]")
    if close < 0:
        return kind, (), None, f"the '[' after '{kind}' is never closed"
    codes = tuple(c.strip() for c in rest[1:close].split(",") if c.strip())
    if not codes:
        return kind, (), None, f"'{kind}[]' names no code, as in {example}"
    until: dt.date | None = None
    for option in _OPTION.finditer(rest[close + 1:]):  # ']until=' starts a word too
        key, value = option[1].lower(), option[2]
        if key != "until":
            return kind, codes, None, (f"unknown option '{_short(option[1])}='"
                                       " (only until=YYYY-MM-DD is known)")
        if until is not None:
            return kind, codes, None, "until= is given twice"
        until = _date(value)
        if until is None:
            what = f"'{_short(value)}' is not a date" if value else "has no date"
            return kind, codes, None, f"until= {what} (write until=YYYY-MM-DD)"
    return kind, codes, until, None


def _date(text: str) -> dt.date | None:
    if not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _short(text: str) -> str:
    return text if len(text) <= _MAX_WORD else text[:_MAX_WORD] + "..."


def _next_content_lines(text: str, every: list[Comment]) -> list[int]:
    """For each line, the number of the first later line with content (0: none).

    Content is anything but blanks and comments; a line of a block scalar that starts
    with '#' is content.  One backward pass, linear in the text.
    """
    own_line = {c.line for c in every if c.alone}
    lines = shown(text).split("\n")  # git's lines, as the findings' (see ``resync``)
    out = [0] * len(lines)
    upcoming = 0
    for index in range(len(lines) - 1, -1, -1):
        out[index] = upcoming
        if lines[index].strip() and index + 1 not in own_line:
            upcoming = index + 1
    return out


class _Codes:
    """Resolves the codes written in directives to rule codes, with bounded hints."""

    def __init__(self, known: dict[str, type[Rule]]) -> None:
        self.names: dict[str, str] = {}
        for code, rule in known.items():
            self.names[code.upper()] = code
            self.names[rule.name.lower()] = code
        self.choices = [*known, *(rule.name for rule in known.values()), "ALL"]
        self.prefixes = {code[:i].upper() for code in known for i in range(1, len(code))}
        self.hints: dict[str, str] = {}

    def resolve(self, written: str) -> str | None:
        """The rule code (or ``ALL``) a written code means; None if it means nothing."""
        if written.upper() == "ALL":
            return "ALL"
        return self.names.get(written.upper()) or self.names.get(written.lower())

    def unknown(self, written: str) -> str:
        upper = written.upper()
        if upper in self.prefixes:
            return f"'{written}' is a prefix; suppressions name whole codes or rule names"
        return f"unknown code '{_short(written)}'{self._hint(written)}"

    def _hint(self, written: str) -> str:
        if written in self.hints:
            return self.hints[written]
        hint = ""
        # Bounded: a hostile file may hold thousands of distinct misspellings.
        if len(self.hints) < _MAX_HINTS and len(written) <= _MAX_WORD:
            from orglint.schema import did_you_mean

            hint = did_you_mean(written, self.choices)
        self.hints[written] = hint
        return hint


def apply(findings: list[Finding], directives: list[Directive], today: dt.date,
          enabled: dict[str, type[Rule]], file: str,
          known: dict[str, type[Rule]] | None = None, *, partial: bool = False
          ) -> list[Finding]:
    """Drop suppressed findings; add ORG901/ORG902 for unused, malformed and expired ones.

    ``known`` is every rule that exists (a code of a rule that is not enabled is not
    unknown); it defaults to ``enabled``.  ``partial``: part of the file went unread (an
    ORG001), so what a file-level suppression would have ignored there was never found,
    and its use cannot be judged.  Linear in findings plus directives: each
    directive is filed under (target line or 0, code or ALL), and a finding looks up
    its four possible keys; each key marks its directives as used once.
    """
    if not directives:
        return findings
    from orglint.rules.suppression import ExpiredSuppression, UnusedSuppression

    codes = _Codes(known if known is not None else enabled)
    buckets: dict[tuple[int, str], list[int]] = {}
    resolved: list[tuple[str, ...]] = []
    extra: list[Finding] = []
    for index, d in enumerate(directives):
        canon = tuple(codes.resolve(c) or "" for c in d.codes)
        resolved.append(canon)
        problem = d.problem
        if problem is None and "" in canon:
            bad = [c for c, r in zip(d.codes, canon, strict=True) if not r]
            problem = "; ".join(codes.unknown(c) for c in bad[:_MAX_LISTED])
            if len(bad) > _MAX_LISTED:
                problem += f"; and {len(bad) - _MAX_LISTED:,} more unknown codes"
        if problem is not None:
            if UnusedSuppression.code in enabled:
                extra.append(_at(UnusedSuppression, d, file,
                                 f"malformed suppression, it suppresses nothing: {problem}"))
            continue
        if d.until is not None and d.until < today:
            if ExpiredSuppression.code in enabled:
                extra.append(_at(ExpiredSuppression, d, file,
                                 f"suppression of {', '.join(d.codes)} expired on"
                                 f" {d.until.isoformat()}"))
            continue
        for code in set(canon):
            buckets.setdefault((d.target, code), []).append(index)
    used: dict[int, set[str]] = {}
    marked: set[tuple[int, str]] = set()
    kept: list[Finding] = []
    for finding in findings:
        hit = False
        if finding.code != UNSUPPRESSIBLE:
            keys = [(0, finding.code), (0, "ALL"), (finding.line, finding.code),
                    (finding.line, "ALL")]
            if finding.code == POLICY_ERROR and finding.detail:
                # A policy rule's error where that rule is suppressed: the rule is off
                # there, as a built-in rule a suppression turns off says nothing.
                keys += [(0, finding.detail), (finding.line, finding.detail)]
            for key in keys:
                bucket = buckets.get(key)
                if bucket is None:
                    continue
                hit = True
                if key not in marked:
                    marked.add(key)
                    for index in bucket:
                        used.setdefault(index, set()).add(key[1])
        if not hit:
            kept.append(finding)
    if UnusedSuppression.code in enabled:
        for index, d in enumerate(directives):
            if d.problem is not None or "" in resolved[index] or (
                    d.until is not None and d.until < today) or (partial and d.file_level):
                continue
            spent = used.get(index, set())
            unused = [c for c, r in zip(d.codes, resolved[index], strict=True)
                      if r not in spent and (r == "ALL" or r in enabled)]
            if unused:
                why = ("nothing to ignore" + (" in this file" if d.file_level
                                               else f" on line {d.target}"))
                if UNSUPPRESSIBLE in resolved[index]:
                    # "Nothing to ignore" would read as if it could work elsewhere.
                    why = (f"{UNSUPPRESSIBLE} is never suppressed (a file orglint could not"
                           " read, or read only past a line break git does not count, never"
                           " passes); " + why)
                extra.append(_at(UnusedSuppression, d, file,
                                 f"unused suppression of {', '.join(unused)}: {why}"))
    return kept + extra


def _at(rule: type[Rule], d: Directive, file: str, message: str) -> Finding:
    return Finding(rule.code, rule.name, rule.severity, message, file, d.line, d.column,
                   d.line, d.column + 1, detail=",".join(d.codes))
