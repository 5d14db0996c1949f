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
from collections import deque

from orglint.lazyre import deferred
from orglint.ntuple import NamedTuple
from orglint.resync import BREAK, MAX_RESUMES, blank_refused, rest, resume_at, shown

__all__ = ["BREAK", "Comment", "comments", "line_starts"]

# A '#' that can start a comment: first in the text, or after a blank or a line break.
_NEWLINE = deferred("\n")
_CANDIDATE = deferred("(?<![^ \t\r\n\x85\u2028\u2029])#")


class Comment(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based, of the '#'
    text: str  # from the '#' to the end of the line
    alone: bool  # nothing but blanks before it on its line


def line_starts(text: str) -> list[int]:
    """The index in ``text`` where each line begins, lines numbered as git and the
    findings number them (at "\n": see ``resync``)."""
    return [0, *(m.end() for m in _NEWLINE.finditer(shown(text)))]


def _scalar_spans(text: str) -> tuple[list[int], list[int], list[tuple[int, int]]]:
    """(starts, ends, unread) of the parts of scalars that cannot hold a comment.

    Spans come in text order and never overlap: scalars do not nest.  ``unread`` are the
    (start, end) index ranges a parse error left unread, from where the broken construct
    began to where reading started again (``resync``, as the loader does): nothing is
    known there, so no comment is reported there.
    """
    import yaml
    from yaml.events import ScalarEvent

    starts: list[int] = []
    ends: list[int] = []
    unread: list[tuple[int, int]] = []
    part, shift, after = text, 0, -1  # shift: an index in ``part`` + shift = in ``text``
    refused = False
    for _ in range(MAX_RESUMES + 2):
        parser = yaml.CSafeLoader(part)
        try:
            for event in iter(parser.get_event, None):
                if event.__class__ is not ScalarEvent:
                    continue
                assert event.start_mark is not None and event.end_mark is not None
                start = event.start_mark.index + shift
                end = event.end_mark.index + shift
                if event.style in ("|", ">"):
                    # The header line (indicator, then maybe a comment) is not content.
                    header = BREAK.search(text, start, end)
                    start = header.end() if header else end
                if end > start:
                    starts.append(start)
                    ends.append(end)
            return starts, ends, sorted(unread)
        except yaml.MarkedYAMLError as exc:
            # An error is found where the broken construct ends (the end of the text, for
            # an unclosed quote); it began at the context mark.
            marks = [m for m in (exc.problem_mark, exc.context_mark) if m is not None]
            stop = max(after, min((m.index + shift for m in marks), default=0))
            at = marks[0].index + shift if marks else len(text)
        except yaml.YAMLError as exc:  # a reader error: a character YAML refuses
            if not refused and type(getattr(exc, "position", None)) is int:
                # Blanked as the loader blanks them (``resync.blank_refused``): the
                # other documents' comments are still found, at their own places.
                refused = True
                text, spans = blank_refused(text)
                starts, ends = [], []  # read again from the start
                unread = [(r.start, r.end) for r in spans]
                part, shift, after = text, 0, -1
                continue
            unread.append((max(after, 0), len(text)))
            return starts, ends, sorted(unread)
        finally:
            parser.dispose()
        resume = resume_at(text, at, after)
        unread.append((stop, len(text) if resume is None else resume))
        if resume is None:
            return starts, ends, sorted(unread)
        part, blanked = rest(text, resume)
        shift = resume - blanked
        after = resume
    unread[-1] = (unread[-1][0], len(text))
    return starts, ends, sorted(unread)


def comments(text: str) -> list[Comment]:
    """Every real comment of ``text``, in order.  Linear in the text (plus a log factor)."""
    if "#" not in text:
        return []
    starts, ends, unread = _scalar_spans(text)
    lines = line_starts(text)
    found: list[tuple[int, int, int]] = []  # (line index, start, end) of each comment
    after = 0  # a '#' inside the previous comment is part of it
    gaps = iter(unread)
    gap = next(gaps, None)
    for match in _CANDIDATE.finditer(text):
        at = match.start()
        if at < after:
            continue
        while gap is not None and at >= gap[1]:
            gap = next(gaps, None)
        if gap is not None and at >= gap[0]:
            continue
        span = bisect.bisect_right(starts, at) - 1
        if span >= 0 and at < ends[span]:
            continue
        brk = BREAK.search(text, at)
        after = brk.start() if brk else len(text)
        found.append((bisect.bisect_right(lines, at) - 1, at, after))
    # A comment is alone when its line, as a reviewer sees it, holds nothing but
    # comments: a hidden line break (NEL, U+2028, U+2029, a lone CR) can put two on one
    # line, or text after one.  Each stretch of a line between its comments is searched
    # once, so this stays linear however many share a line.
    out: list[Comment] = []
    i = 0
    while i < len(found):
        line = found[i][0]
        j = i
        while j < len(found) and found[j][0] == line:
            j += 1
        start = lines[line]
        stop = lines[line + 1] if line + 1 < len(lines) else len(text)
        position = start
        content = False
        for _, at, end in found[i:j]:
            if _CONTENT.search(text, position, at) is not None:
                content = True
                break
            position = end
        content = content or _CONTENT.search(text, position, stop) is not None
        out += [Comment(line + 1, at - start + 1, text[at:end], not content)
                for _, at, end in found[i:j]]
        i = j
    return out


def keep_gaps(before: str, after: str) -> str:
    """``after`` with each end-of-line comment as far from its line's text as it was in
    ``before``: ruamel writes a flow mapping it re-emits with one space before its
    comment, and a file kept to two (yamllint's default) would then warn.  For
    ``--fix`` and ``import``, which both write YAML through ruamel."""
    if any(c in before or c in after for c in _OTHER_BREAKS):
        return after  # lines as libyaml counts them are not the "\n" lines below
    old_lines = before.split("\n")
    want: dict[str, deque[int]] = {}
    for c in comments(before):
        if not c.alone:
            head = old_lines[c.line - 1][:c.column - 1]
            want.setdefault(c.text, deque()).append(len(head) - len(head.rstrip(" ")))
    if not want:
        return after
    lines = after.split("\n")
    for c in comments(after):
        gaps = want.get(c.text)
        if c.alone or not gaps:
            continue
        gap = gaps.popleft()  # a list's pop(0): quadratic over a thousand equal comments
        line = lines[c.line - 1]
        head = line[:c.column - 1].rstrip(" ")
        if head and gap >= 1:
            lines[c.line - 1] = head + " " * gap + line[c.column - 1:]
    return "\n".join(lines)


# Line breaks libyaml counts besides "\n" (the fixer's text has CRLF made "\n" already).
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_CONTENT = deferred("[^ \t\r\n\x85\u2028\u2029]")  # text on a line, not a blank
