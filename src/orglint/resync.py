"""Reading a YAML text again past a syntax error.

libyaml stops at the first error, but a file holds documents, and one broken document
must not hide the others: reading starts again at the first document marker (``---`` at
the start of a line) at or after the place of the error, so never at the broken
document's own marker when the error is on that line (``--- !!python/object``).  What
comes before is blanked, not cut, so that libyaml's marks in what is read again are the
file's own lines and columns.  Each reading costs up to the file's length, so a file is
read again at most ``MAX_RESUMES`` times; the loader (documents) and the comment scanner
(suppressions) resume at the same places.
"""

from __future__ import annotations

import bisect
import re
import sys
from functools import cache
from typing import Any

from orglint.lazyre import deferred
from orglint.ntuple import NamedTuple

MAX_RESUMES = 16

# libyaml's line breaks; str.splitlines() splits on more (form feed, \x1c...) and would
# number lines differently from the findings.
BREAK = deferred("\r\n|[\r\n\x85\u2028\u2029]")


# The patterns below are compiled at their first use: only a file with a YAML error
# needs them, and a check of good files starts without compiling them.
@cache
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(*_PATTERNS[name])


_PATTERNS: dict[str, tuple[str, int]] = {
    # The breaks other than "\n" and "\r\n", each one character: written as "\n", a
    # text keeps its length and every index, and "\n" alone then numbers its lines as
    # libyaml does.
    "other-break": ("\r(?!\n)|[\x85\u2028\u2029]", 0),
    "document-start": ("^---(?=[ \t\r\n\x85\u2028\u2029]|$)", re.MULTILINE),
    "document-end": (r"^\.\.\.(?=[ \t\r\n]|$)[^\n]*", re.MULTILINE),
    "not-break": ("[^\r\n\x85\u2028\u2029]", 0),
    "newline": ("\n", 0),
    "separator": ("[\x85\u2028\u2029]", 0),
    # What libyaml's reader refuses (YAML 1.1's printable set, as PyYAML's reader has it).
    "refused": ("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", 0),
}


def resume_at(text: str, position: int, after: int) -> int | None:
    """The index of the first document marker that starts a line (git's: after "\n")
    at or after index ``position`` and past index ``after``; None if there is none."""
    found = _pattern("document-start").search(shown(text), max(position, after + 1))
    return found.start() if found is not None else None


def position(text: str, line: int, column: int) -> int:
    """The index of (``line``, ``column``), both 1-based, lines counted at "\n"."""
    return min(len(text), _line_start(shown(text), line) + column - 1)


def rest(text: str, at: int) -> tuple[str, int]:
    """``text`` from index ``at`` (a line's start), preceded by as many blank lines as
    come before it, and that count: what libyaml reads again, positions unchanged."""
    seen = shown(text)
    lines = seen.count("\n", 0, at)
    # A classic Mac OS file's own break: with "\n"s before them, its "\r"s would be
    # breaks git does not count (``other_breaks``).
    return ("\n" if seen is text else "\r") * lines + text[at:], lines


def shown(text: str) -> str:
    """``text`` with the line breaks git and editors show written "\n", every index
    kept: itself, or for a file whose only breaks are "\r" (classic Mac OS), those."""
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text


def other_breaks(text: str) -> bool:
    """Whether libyaml numbers the lines of ``text`` otherwise than git does: it holds
    a lone "\r", a NEL or a Unicode line or paragraph separator."""
    if ("\r" not in text and "\x85" not in text and "\u2028" not in text
            and "\u2029" not in text):
        return False  # most files: four searches in C, no pattern
    return first_other_break(text) >= 0


def first_other_break(text: str) -> int:
    """The index of the first line break libyaml counts and git does not, or -1 (a
    classic Mac OS file's "\r"s are its lines, not such breaks)."""
    found = _pattern("separator" if "\n" not in text else "other-break").search(text)
    return found.start() if found is not None else -1


class GitLines:
    """libyaml's marks in ``text`` moved to git's lines (see the module).  A mark's
    ``index`` counts characters from the start of the text libyaml read, so it places
    the mark whatever libyaml counted as a break."""

    def __init__(self, text: str) -> None:
        self.newlines = [m.start() for m in _pattern("newline").finditer(shown(text))]
        self.bom = 1 if text.startswith("\ufeff") else 0  # libyaml skips it

    def mark(self, mark: Any) -> Any:
        if mark is None:
            return None
        at = mark.index + self.bom
        line = bisect.bisect_left(self.newlines, at)
        start = self.newlines[line - 1] + 1 if line else 0
        return type(mark)(mark.name, mark.index, line, at - start, None, None)


def _plain_breaks(text: str) -> str:
    # Most files have none of the other breaks: four searches in C, no copy.
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        return _pattern("other-break").sub("\n", text)
    return text


def _line_start(text: str, line: int) -> int:
    """Where ``line`` (1-based, counting newlines) starts.  A bisection whose every step
    counts the newlines of the half it keeps: linear, in C, however many lines."""
    need = line - 1
    lo, hi, before = 0, len(text), 0  # ``before``: the newlines in text[:lo]
    while lo < hi:
        mid = (lo + hi) // 2
        seen = before + text.count("\n", lo, mid)
        if seen >= need:
            hi = mid
        else:
            before = seen + (text[mid] == "\n")
            lo = mid + 1
    return lo


class Refused(NamedTuple):
    """A document blanked for a character YAML refuses: where the character is (index,
    line and column, 1-based, as git counts), and what was blanked, as indexes and
    as lines (ends excluded)."""

    at: int
    line: int
    column: int
    start: int
    end: int
    first_line: int
    end_line: int


def blank_refused(text: str) -> tuple[str, list[Refused]]:
    """``text`` with every document that holds a character YAML refuses blanked (every
    character but the line breaks a space, so every index and position stays), and
    each of those documents.  libyaml's reader refuses the whole stream for one such
    character; after ``MAX_RESUMES`` documents, the rest of the text is blanked as one.
    A document runs from its directives (``%YAML``) or its ``---`` to the next ``---``,
    or to its ``...`` line.  One pass over the text, line numbers counted as it goes."""
    plain = _plain_breaks(text)
    seen = shown(text)
    found: list[Refused] = []
    pieces: list[str] = []
    done, lines = 0, 1  # the text before ``done`` is settled; its line
    starts, ends = _pattern("document-start"), _pattern("document-end")
    while True:
        bad = _pattern("refused").search(text, done)
        if bad is None:
            break
        at = bad.start()
        start = done
        for marker in starts.finditer(plain, done, at + 1):
            start = marker.start()
        for marker in ends.finditer(plain, start, at + 1):  # the document ended before
            start = marker.end() + 1
        if plain.startswith("---", start):
            while start > done:  # its directives go with it
                previous = plain.rfind("\n", done, start - 1) + 1
                if previous < done or previous >= start or not plain.startswith(
                        "%", previous):
                    break
                start = previous
        start = min(start, at)
        following = starts.search(plain, at + 1)
        end = following.start() if following is not None else len(text)
        closing = ends.search(plain, at + 1, end)
        if closing is not None:
            end = min(len(text), closing.end() + 1)
        if len(found) == MAX_RESUMES:
            end = len(text)
        # Lines as git counts them; the documents' bounds as libyaml reads them.
        first_line = lines + seen.count("\n", done, start)
        line = first_line + seen.count("\n", start, at)
        column = at - seen.rfind("\n", 0, at)
        lines = line + seen.count("\n", at, end)
        pieces += [text[done:start], _pattern("not-break").sub(" ", text[start:end])]
        found.append(Refused(at, line, column, start, end, first_line,
                             lines if end < len(text) else sys.maxsize))
        done = end
    pieces.append(text[done:])
    return "".join(pieces), found


