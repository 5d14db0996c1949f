"""Reading a YAML text again past a syntax error.

libyaml stops at the first error, but a file holds documents, and one broken document
must not hide the others: reading starts again at the next document marker (``---`` at
the start of a line) at or after the error's line.  What comes before is blanked, not
cut, so that libyaml's marks in what is read again are the file's own lines and
columns.  Each reading costs up to the file's length, so a file is read again at most
``MAX_RESUMES`` times; the loader (documents) and the comment scanner (suppressions)
resume at the same places.
"""

from __future__ import annotations

import re

MAX_RESUMES = 16

# libyaml's line breaks; str.splitlines() splits on more (form feed, \x1c...) and would
# number lines differently from the findings.
BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)


def resume_at(text: str, line: int, after: int) -> int | None:
    """The index of the first document marker at or after ``line`` (1-based) and past
    index ``after``; None if there is none."""
    found = _DOCUMENT_START.search(text, max(_line_start(text, line), after + 1))
    return found.start() if found is not None else None


def rest(text: str, at: int) -> tuple[str, int]:
    """``text`` from index ``at``, preceded by as many blank lines as libyaml counts
    before it, and that count: what libyaml reads again, positions unchanged."""
    lines = sum(1 for _ in BREAK.finditer(text, 0, at))
    return "\n" * lines + text[at:], lines


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
