"""Where the comments of a YAML text are, exactly.

libyaml drops comments, and a text scan cannot tell a comment from a ``#`` inside a
scalar: it would have to re-implement YAML's quoting rules (a plain scalar such as
``rock 'n roll`` holds an apostrophe that opens nothing).  So the parser decides: a
``#`` at the start of a line or after a blank is a comment unless it lies inside the
span of a scalar event.  The one exception is a block scalar's header line (``|-  # x``),
part of the scalar's span but able to hold a comment.

Line numbers count the line breaks libyaml counts (``\\r\\n``, ``\\r``, ``\\n``, NEL, LS,
PS), so a comment's line is the line findings use.
"""

from __future__ import annotations

import bisect
import re

from orglint.ntuple import NamedTuple

# libyaml's line breaks; str.splitlines() splits on more (form feed, \x1c...) and would
# number lines differently from the findings.
BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# A '#' that can start a comment: first in the text, or after a blank or a line break.
_CANDIDATE = re.compile("(?<![^ \t\r\n\x85\u2028\u2029])#")


class Comment(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based, of the '#'
    text: str  # from the '#' to the end of the line
    alone: bool  # nothing but blanks before it on its line


def line_starts(text: str) -> list[int]:
    """The index in ``text`` where each line begins, lines numbered as libyaml does."""
    return [0, *(m.end() for m in BREAK.finditer(text))]


def _scalar_spans(text: str) -> tuple[list[int], list[int], int]:
    """(starts, ends, parsed up to) of the parts of scalars that cannot hold a comment.

    Spans come in text order and never overlap: scalars do not nest.  ``parsed up to`` is
    the index where a parse error stopped the parser (the text's length if none): past
    it nothing is known, so no comment is reported there.
    """
    import yaml
    from yaml.events import ScalarEvent

    starts: list[int] = []
    ends: list[int] = []
    limit = len(text)
    parser = yaml.CSafeLoader(text)
    try:
        for event in iter(parser.get_event, None):
            if event.__class__ is not ScalarEvent:
                continue
            assert event.start_mark is not None and event.end_mark is not None  # C parser
            start = event.start_mark.index
            end = event.end_mark.index
            if event.style in ("|", ">"):
                # The header line (indicator, then maybe a comment) is not content.
                header = BREAK.search(text, start, end)
                start = header.end() if header else end
            if end > start:
                starts.append(start)
                ends.append(end)
    except yaml.MarkedYAMLError as exc:
        # An error is found where the broken construct ends (the end of the text, for
        # an unclosed quote); it began at the context mark.
        marks = [m.index for m in (exc.problem_mark, exc.context_mark) if m is not None]
        limit = min(marks, default=0)
    except yaml.YAMLError:
        limit = 0
    finally:
        parser.dispose()
    return starts, ends, limit


def comments(text: str) -> list[Comment]:
    """Every real comment of ``text``, in order.  Linear in the text (plus a log factor)."""
    if "#" not in text:
        return []
    starts, ends, limit = _scalar_spans(text)
    lines = line_starts(text)
    out: list[Comment] = []
    after = 0  # a '#' inside the previous comment is part of it
    for match in _CANDIDATE.finditer(text, 0, limit):
        at = match.start()
        if at < after:
            continue
        span = bisect.bisect_right(starts, at) - 1
        if span >= 0 and at < ends[span]:
            continue
        brk = BREAK.search(text, at)
        after = brk.start() if brk else len(text)
        line = bisect.bisect_right(lines, at) - 1
        before = text[lines[line]:at]
        out.append(Comment(line + 1, at - lines[line] + 1, text[at:after],
                           not before.strip(" \t")))
    return out
