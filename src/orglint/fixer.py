"""``--fix``: comment-preserving edits with ruamel.yaml round-trip, written atomically.

A file is fixed only when every guard holds:

* it has no ORG001/ORG002 finding (an unreadable or ambiguous file is never rewritten);
* ruamel.yaml reproduces the file byte for byte before any edit, with some indentation
  style it can detect; if none does, the file is reported as not fixed, with the reason;
* after the edits, the file still parses to the same data except at the edited paths,
  and every comment line of the original is still there.

Nothing is written here: the caller writes the fixed text through ``fsutil.replace``
(a temporary file and a rename; symbolic links, hard links and read-only files refused).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from orglint.findings import Finding, Fix

# (mapping, sequence, offset) indentation styles tried, most common first.
_STYLES = ((2, 2, 0), (2, 4, 2), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 3, 1), (3, 3, 1))


@dataclass
class FileFix:
    file: str
    fixed: list[Fix] = field(default_factory=list)
    new_text: str | None = None
    problem: str | None = None  # why the file was not fixed


def _yaml(style: tuple[int, int, int], explicit_start: bool) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # a fresh instance per attempt: YAML() keeps state between calls
    yaml.preserve_quotes = True
    yaml.indent(mapping=style[0], sequence=style[1], offset=style[2])
    yaml.width = 1 << 16  # never re-wrap long lines
    yaml.explicit_start = explicit_start
    return yaml


def _dump(yaml: Any, docs: list[Any]) -> str:
    out = io.StringIO()
    yaml.dump_all(docs, out)
    return out.getvalue()


def _round_trip(text: str) -> tuple[Any, list[Any]] | str:
    """A YAML instance and the documents that reproduce ``text`` exactly, or why not."""
    explicit = text.lstrip().startswith("---")
    last_error = "ruamel.yaml does not reproduce this file's layout exactly"
    for style in _STYLES:
        try:
            yaml = _yaml(style, explicit)
            docs = list(yaml.load_all(text))
            if _dump(_yaml(style, explicit), docs) == text:
                return yaml, docs
        except Exception as exc:  # ruamel raises many types; any of them means "not safe"
            last_error = f"ruamel.yaml cannot round-trip it ({type(exc).__name__})"
    return last_error


def _navigate(docs: list[Any], fix: Fix) -> tuple[Any, Any]:
    node = docs[fix.doc]
    for part in fix.path[:-1]:
        node = node[part]
    return node, fix.path[-1]


def _apply(docs: list[Any], fix: Fix) -> None:
    from ruamel.yaml.scalarstring import ScalarString

    parent, key = _navigate(docs, fix)
    if fix.action == "set":
        old = parent[key]
        parent[key] = type(old)(fix.value) if isinstance(old, ScalarString) else fix.value
    elif fix.action == "insert":
        # A new key right after `title:` (the member's role), in the mapping's own style,
        # else right before it.  Never right after a key followed by comment lines: a
        # comment line belongs to the line below it (a suppression applies there), and
        # ruamel writes the new key between them.
        if key in parent:
            raise _Unsafe(f"'{key}' is already set")
        keys = list(parent.keys())
        title = keys.index("title") if "title" in keys else -1
        spots = [title + 1, title] if title >= 0 else [len(keys)]
        for position in spots:
            if position > 0 and not _comment_lines_after(parent, keys[position - 1]):
                parent.insert(position, key, fix.value)
                break
        else:
            raise _Unsafe("a comment line would no longer be above the line it is about")
    elif fix.action == "remove-item":
        item_comments = getattr(parent, "ca", None)
        if item_comments is not None and item_comments.items.get(key):
            raise _Unsafe("the entry to remove carries a comment")
        if _has_comments(parent[key]):
            raise _Unsafe("the entry to remove carries a comment")
        del parent[key]
    else:  # pragma: no cover - every action is listed above
        raise _Unsafe(f"unknown fix action {fix.action}")


def _comment_lines_after(mapping: Any, key: Any) -> bool:
    """Whether comment lines follow ``key``'s value in ruamel's record of ``mapping``
    (its end-of-line comment, on the key's own line, is not one)."""
    comments = getattr(mapping, "ca", None)
    slot = comments.items.get(key) if comments is not None else None
    token = slot[2] if slot and len(slot) > 2 else None
    text = getattr(token, "value", None)
    return isinstance(text, str) and "#" in text.partition("\n")[2]


def _has_comments(node: Any) -> bool:
    comments = getattr(node, "ca", None)
    if comments is not None and (comments.comment or any(comments.items.values())):
        return True
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    return any(_has_comments(child) for child in children)


class _Unsafe(Exception):
    pass


def _comment_lines(text: str) -> list[str]:
    from orglint.comments import comments

    return [comment.strip() for _, _, comment, _ in comments(text)]


def _order(fixes: Iterable[Fix]) -> list[Fix]:
    # Removals last and from the end, so earlier indexes stay valid.
    sets = [f for f in fixes if f.action != "remove-item"]
    removals = sorted((f for f in fixes if f.action == "remove-item"),
                      key=lambda f: (f.doc, f.path), reverse=True)
    return sets + removals


def plan_file(file: str, text: str, fixes: list[Fix]) -> FileFix:
    """Compute the fixed text of one file (nothing is written here)."""
    result = FileFix(file)
    if not fixes:
        return result
    newline = "\r\n" if "\r\n" in text else "\n"
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    written = body  # with its own line ends, which each line kept keeps (_line_ends)
    if newline == "\r\n":
        body = body.replace("\r\n", "\n")
    # Many editors save without a final line break, which ruamel.yaml always writes:
    # added for the round trip and taken off again, so such a file can be fixed too.
    unterminated = bool(body) and not body.endswith("\n")
    if unterminated:
        body += "\n"
    trip = _round_trip(body)
    if isinstance(trip, str):
        result.problem = trip
        return result
    yaml, docs = trip
    applied: list[Fix] = []
    seen: set[tuple[int, tuple[str | int, ...]]] = set()
    for fix in _order(fixes):
        marker = (fix.doc, fix.path)
        if marker in seen:
            continue
        seen.add(marker)
        try:
            _apply(docs, fix)
            applied.append(fix)
        except (_Unsafe, KeyError, IndexError, TypeError, ValueError) as exc:
            result.problem = f"skipped '{fix.description}': {exc}"
    if not applied:
        return result
    try:
        new_body = _dump(yaml, docs)
    except Exception as exc:  # ruamel can fail to emit what it read; then leave the file
        result.problem = f"ruamel.yaml cannot write the fixed file ({type(exc).__name__})"
        return result
    from orglint.comments import keep_gaps

    new_body = keep_gaps(body, new_body)
    problem = _verify(body, new_body, applied)
    if problem is not None:
        result.problem = problem
        return result
    if unterminated and new_body.endswith("\n"):
        new_body = new_body[:-1]
    if newline == "\r\n":
        mixed = written.count("\r\n") != written.count("\n")
        new_body = _line_ends(written, new_body) if mixed else new_body.replace("\n", "\r\n")
    result.new_text = ("\ufeff" if bom else "") + new_body
    result.fixed = applied
    return result


def _line_ends(before: str, after: str) -> str:
    """``after`` (its lines ending in LF) with the line ends ``before`` had, in a file
    that mixes CRLF and LF (found by review: every line became CRLF).  A line kept keeps
    its end, a line changed takes the end of the line it replaces, and one inserted the
    end of the line before it (``_kept`` matches the lines)."""
    old = before.split("\n")
    plain = [line[:-1] if line.endswith("\r") else line for line in old]
    crlf = [line.endswith("\r") for line in old]
    new = after.split("\n")
    last = crlf[0] if crlf else False
    out: list[str] = []
    for line, kept in zip(new[:-1], _kept(plain, new), strict=False):
        if kept is not None:
            last = crlf[kept]
        out.append(line + ("\r\n" if last else "\n"))
    return "".join(out) + new[-1]


def _kept(old: list[str], new: list[str]) -> list[int | None]:
    """For each line of ``new``, the line of ``old`` it keeps or replaces, or None for
    one inserted.  As patience diff does: the lines found once in each are matched first
    (in order: the longest increasing run, n log n), then ``_between`` the lines
    between two such anchors."""
    from bisect import bisect_left

    in_old, in_new = Counter(old), Counter(new)
    where = {line: i for i, line in enumerate(old) if in_old[line] == 1}
    pairs = [(where[line], j) for j, line in enumerate(new)
             if in_new[line] == 1 and line in where]
    # The longest run of pairs increasing in both (pairs are in new's order).
    tails: list[int] = []  # the old index ending a run of each length
    ends: list[int] = []  # which pair that is
    before: list[int] = [-1] * len(pairs)
    for k, (i, _) in enumerate(pairs):
        n = bisect_left(tails, i)
        if n == len(tails):
            tails.append(i)
            ends.append(k)
        else:
            tails[n] = i
            ends[n] = k
        before[k] = ends[n - 1] if n else -1
    anchors: list[tuple[int, int]] = []
    k = ends[-1] if ends else -1
    while k >= 0:
        anchors.append(pairs[k])
        k = before[k]
    anchors.reverse()
    kept: list[int | None] = [None] * len(new)
    i0 = j0 = 0
    for i, j in [*anchors, (len(old), len(new))]:
        _between(old, new, i0, i, j0, j, kept)
        if j < len(new):
            kept[j] = i
        i0, j0 = i + 1, j + 1
    return kept


_WINDOW = 32  # lines a run of inserted or removed lines may span between two kept ones


def _between(old: list[str], new: list[str], i: int, i_end: int, j: int, j_end: int,
             kept: list[int | None]) -> None:
    """Match ``old[i:i_end]`` and ``new[j:j_end]`` (no line found once in both) in one
    pass: a line equal to the next old one is kept; else the nearest of a few lines
    inserted or removed (within ``_WINDOW``) is taken; else it replaces the old line.
    Linear, whatever the lines repeat (a diff there was quadratic: minutes, by review)."""
    while j < j_end:
        if i < i_end and new[j] == old[i]:
            kept[j] = i
            i, j = i + 1, j + 1
            continue
        inserted = next((d for d in range(1, min(_WINDOW, j_end - j)) if
                         i < i_end and new[j + d] == old[i]), None)
        removed = next((d for d in range(1, min(_WINDOW, i_end - i)) if
                        old[i + d] == new[j]), None)
        if inserted is not None and (removed is None or inserted <= removed):
            j += inserted  # those lines are new: kept stays None
        elif removed is not None:
            i += removed
        else:  # a line changed in place, or one more new line past the old ones
            if i < i_end:
                kept[j] = i
                i += 1
            j += 1


def _verify(before: str, after: str, applied: list[Fix]) -> str | None:
    """The guard against ruamel surprises: same data elsewhere, every comment kept."""
    from orglint.loader import load_text

    old = load_text(before, "before")
    new = load_text(after, "after")
    if new.findings or len(old.documents) != len(new.documents):
        return "the fixed file would not parse the same way"
    # Counted, not just looked up: two identical comments are two comments to keep.
    missing = Counter(_comment_lines(before)) - Counter(_comment_lines(after))
    if missing:
        return f"a comment would be lost ({next(iter(missing))!r})"
    if _comment_moved(before, after):
        return "a comment line would no longer be above the line it is about"
    edited = {(f.doc, f.path) for f in applied}
    for index, (a, b) in enumerate(zip(old.documents, new.documents, strict=True)):
        if _strip(a.data, (), index, edited) != _strip(b.data, (), index, edited):
            return "the fix would change more than the reported values"
    return None


def _comment_moved(before: str, after: str) -> bool:
    """Whether a comment line is no longer above the line it was above: a suppression
    applies to the next line with content, and ruamel writes a key it inserts right
    below a comment line.  Lines are told apart by their key (``role``, ``- id``), so a
    value a fix changed in place is still the same line.  Linear in the text."""
    return _comment_targets(before) != _comment_targets(after)


def _comment_targets(text: str) -> list[tuple[str, str | None]]:
    """Each comment line, with the key of the next line that has content."""
    out: list[tuple[str, str | None]] = []
    below: str | None = None
    for line in reversed(text.split("\n")):
        stripped = line.strip()
        if stripped.startswith("#"):
            out.append((stripped, below))
        elif stripped:
            below = _line_key(stripped)
    out.reverse()
    return out


def _line_key(stripped: str) -> str:
    """``- id: a`` -> ``- id``, ``role: x`` -> ``role``, ``- item`` -> ``- ``."""
    head = ""
    while stripped.startswith("- ") or stripped == "-":
        head += "- "
        stripped = stripped[2:].lstrip()
    key, colon, _ = stripped.partition(":")
    return head + (key.strip() if colon and not key.startswith(("{", "[", "'", '"')) else "")


def _strip(value: Any, path: tuple[Any, ...], doc: int, edited: set[Any]) -> Any:
    """The data with edited places masked out, for comparison."""
    if isinstance(value, dict):
        return {k: _strip(v, (*path, k), doc, edited) for k, v in value.items()
                if (doc, (*path, k)) not in edited}
    if isinstance(value, list):
        parent_edited = any(d == doc and p[:-1] == path for d, p in edited)
        if parent_edited:
            return "<edited list>"
        return [_strip(v, (*path, i), doc, edited) for i, v in enumerate(value)]
    return "<edited>" if (doc, path) in edited else value


def diff(file: str, before: str, after: str) -> str:
    """A unified diff for the terminal or a CI log: file names and content escaped
    (``escape.diff_line``), since both come from the repository.  Each line keeps its
    own ending, as ``git diff`` shows it: a CRLF line ends in CR, and a last line with
    no line break is followed by ``\\ No newline at end of file``, so that the diff
    of a plain file applies (``git apply``, ``patch``) and gives what ``--fix`` writes."""
    a, b = _lines(before), _lines(after)
    if a == b:
        return ""
    # difflib's hunks and format, on an alignment made in one pass (``_opcodes``): its
    # own matcher is quadratic on a file of many alike lines (thousands of members).
    out = [f"--- a/{_shown(file)}\n", f"+++ b/{_shown(file)}\n"]
    for group in _grouped(_opcodes(a, b)):
        (_, i1, _, j1, _), (_, _, i2, _, j2) = group[0], group[-1]
        out.append(f"@@ -{_span(i1, i2)} +{_span(j1, j2)} @@\n")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out.extend(_diff_line(" ", line) for line in a[a1:a2])
                continue
            out.extend(_diff_line("-", line) for line in a[a1:a2])
            out.extend(_diff_line("+", line) for line in b[b1:b2])
    return "".join(out)


def _shown(file: str) -> str:
    from orglint.escape import diff_line

    return diff_line(file)


def _diff_line(mark: str, line: str) -> str:
    from orglint.escape import diff_line

    if not line.endswith("\n"):
        return diff_line(mark + line) + "\n\\ No newline at end of file\n"
    body = line[:-1]
    if body.endswith("\r"):
        # The CR of a CRLF line, kept: escaped, the diff would not apply to the file.
        # At the end of a line it moves the cursor to where the next line starts anyway.
        return diff_line(mark + body[:-1]) + "\r\n"
    return diff_line(mark + body) + "\n"


_WINDOW = 64  # lines looked ahead for the next common line: a fix changes a few


def _opcodes(a: list[str], b: list[str]) -> list[Opcode]:
    """difflib's opcodes for ``a`` -> ``b``, aligned greedily: equal runs, and between
    them the nearest pair of common lines (two in a row where there are two) within
    ``_WINDOW`` lines; past that, the rest is one replacement.  Linear in the lines."""
    ops: list[Opcode] = []
    i = j = 0
    n, m = len(a), len(b)
    while i < n and j < m:
        if a[i] == b[j]:
            i0, j0 = i, j
            while i < n and j < m and a[i] == b[j]:
                i += 1
                j += 1
            ops.append(("equal", i0, i, j0, j))
            continue
        step = _resync(a, b, i, j)
        if step is None:
            break
        di, dj = step
        ops.append(("replace" if di and dj else "delete" if di else "insert",
                    i, i + di, j, j + dj))
        i, j = i + di, j + dj
    if i < n or j < m:
        ops.append(("replace" if i < n and j < m else "delete" if i < n else "insert",
                    i, n, j, m))
    return ops


def _resync(a: list[str], b: list[str], i: int, j: int) -> tuple[int, int] | None:
    n, m = len(a), len(b)
    for total in range(1, 2 * _WINDOW + 1):
        for di in range(max(0, total - _WINDOW), min(total, _WINDOW) + 1):
            x, y = i + di, j + total - di
            if x < n and y < m and a[x] == b[y] and (
                    x + 1 >= n or y + 1 >= m or a[x + 1] == b[y + 1]):
                return di, total - di
    return None


Opcode = tuple[str, int, int, int, int]


def _grouped(codes: list[Opcode], context: int = 3) -> Iterator[list[Opcode]]:
    """The opcodes in hunks with ``context`` lines around each change
    (``difflib.SequenceMatcher.get_grouped_opcodes``, on opcodes given)."""
    codes = list(codes)
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _span(start: int, stop: int) -> str:
    """A hunk's range as unified diffs write it (difflib's ``_format_range_unified``)."""
    length = stop - start
    first = start + 1 if length else start
    return str(first) if length == 1 else f"{first},{length}"


def _lines(text: str) -> list[str]:
    # Lines as the file has them, each with its own ending (at "\n" only: splitlines
    # would also cut at U+2028 or a form feed, and hide them from the diff).
    lines = text.split("\n")
    last = lines.pop()
    out = [line + "\n" for line in lines]
    if last:
        out.append(last)  # the last line, with no line break
    return out


def fixes_for(findings: list[Finding], extra: list[Fix], unsafe: bool) -> list[Fix]:
    out = [f.fix for f in findings if f.fix is not None and (f.fix.safe or unsafe)]
    out += [fix for fix in extra if fix.safe or unsafe]
    return out
