"""Load: bytes → documents with positions, or an ORG001/ORG002 finding.

The check path drives PyYAML's C-backed event parser (libyaml) and builds plain Python
data itself, iteratively.  That gives every key, value and item a 1-based span from the C
parser's marks, and bounds what hostile input can do:

* depth is checked on every collection start, so 50,000 nested brackets stop at the limit
  (PyYAML's own composer recurses in C and crashes the interpreter on such input);
* aliases are shared, not copied, and each alias adds the size of what it names (nodes
  and characters of text) to a budget, so a "billion laughs" is refused after a few
  thousand nodes, and a huge scalar named thousands of times past max-file-size;
* only the YAML core tags are accepted: no Python object construction, ever.

Plain scalars are resolved with the YAML 1.2 core schema, the schema that ruamel.yaml
(used by ``--fix``) applies, so both paths agree: ``yes``/``no``/``on``/``off`` are strings,
``2024-01-01`` is a string, ``010`` is ten.  Merge keys (``<<``) are honoured, as both
parsers do.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import partial
from types import ModuleType
from typing import Any

from orglint.findings import HIDDEN_BREAK, Finding, Severity, unread
from orglint.lazyre import deferred
from orglint.ntuple import NamedTuple
from orglint.resync import (
    MAX_RESUMES,
    GitLines,
    blank_refused,
    first_other_break,
    other_breaks,
    position,
    rest,
    resume_at,
    shown,
)
from orglint.source import Marked, MarkedKeys, NestedPath, SourceMap
from orglint.yamlevents import (
    Alias,
    DocumentEnd,
    DocumentStart,
    Event,
    MappingEnd,
    MappingStart,
    Scalar,
    SequenceEnd,
    SequenceStart,
    events,
)


class Limits(NamedTuple):
    max_file_size: int = 8 * 1024 * 1024
    max_depth: int = 64
    max_alias_nodes: int = 10_000


class Document:
    """One YAML document of a file: its data, where each node is, its place in the file."""

    __slots__ = ("data", "index", "source")

    def __init__(self, data: Any, source: SourceMap, index: int) -> None:
        self.data = data
        self.source = source
        self.index = index


class Loaded:
    __slots__ = ("broken", "documents", "file", "findings", "limits", "parsed_to", "settled",
                 "text")

    def __init__(self, file: str, text: str, findings: list[Finding] | None = None) -> None:
        self.file = file
        self.text = text
        self.documents: list[Document] = []
        self.findings: list[Finding] = findings if findings is not None else []
        # The ORG001s of a limit (size, encoding, nesting, aliases) rather than of the
        # syntax: reported for any file, since the limits are what keeps orglint safe.
        self.limits: list[Finding] = list(self.findings) if text == "" else []
        # The lines (1-based, end excluded) of each part that an ORG001 left unread, and
        # the line where the last document read ended.
        self.broken: list[tuple[int, int]] = []
        self.parsed_to = 1
        # How many findings belong to documents read in full (the others, of a document
        # an error then cut short, are dropped with it).
        self.settled = 0

    @property
    def limited(self) -> bool:
        return bool(self.limits)

    @property
    def failed(self) -> bool:
        return any(map(unread, self.findings))


class _Refused(Exception):
    def __init__(self, message: str, line: int, column: int, limit: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.limit = limit


_CORE = "tag:yaml.org,2002:"
# ruamel.yaml's YAML 1.2 forms, underscores included, so both parsers read one number.
_INT_RE = deferred(r"[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)\Z")
_FLOAT_RE = deferred(
    r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?)\Z")
_INF_RE = deferred(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN_RE = deferred(r"\.(?:nan|NaN|NAN)\Z")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
# The plain scalars that are not strings: these words, and numbers, which can only start
# with these characters.  Everything else (most ids and names) skips the expressions.
_WORDS: dict[str, Any] = {**dict.fromkeys(_NULLS), **dict.fromkeys(_TRUE, True),
                          **dict.fromkeys(_FALSE, False)}
_NUMERIC_FIRST = frozenset("-+0123456789.")
_COMPLEX_KEY = "mapping keys must be plain scalars, not collections"
_MAX_DIGITS = 4300  # CPython's int/str conversion limit


def _int(text: str, line: int, column: int) -> int:
    if len(text) > _MAX_DIGITS:
        raise _Refused(
            f"integer literal has {len(text)} digits, more than the {_MAX_DIGITS} allowed",
            line,
            column,
        )
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    body = digits.lstrip("+-")
    for prefix, base in (("0b", 2), ("0o", 8), ("0x", 16)):
        if body.startswith(prefix):
            return sign * int(body[2:], base)
    return int(digits)


def _resolve_plain(text: str, line: int, column: int) -> Any:
    if text in _WORDS:
        return _WORDS[text]
    if text[0] not in _NUMERIC_FIRST:
        return text
    if text.isdigit() and text.isascii() and len(text) <= _MAX_DIGITS:
        return int(text)  # the usual number (a size, an allocation): decimal digits only
    # The patterns accept underscores anywhere, as ruamel.yaml's do, so a few matches
    # have no digit at all ("0x_", "._"): those are strings, as YAML 1.2 core reads them.
    if _INT_RE.match(text):
        try:
            return _int(text, line, column)
        except ValueError:
            return text
    if _FLOAT_RE.match(text):
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    if _INF_RE.match(text):
        return float("-inf") if text[0] == "-" else float("inf")
    if _NAN_RE.match(text):
        return float("nan")
    return text


def _tagged_scalar(tag: str, text: str, line: int, column: int) -> Any:
    if not tag.startswith(_CORE):
        raise _Refused(f"unsupported tag '{tag}'", line, column)
    name = tag[len(_CORE) :]
    if name.startswith("python/"):
        raise _Refused(f"python tags are refused ('!!{name}')", line, column)
    if name in ("str", "timestamp", "binary"):
        return text
    if name == "null":
        return None
    if name == "bool":
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise _Refused(f"'{text}' is not a boolean", line, column)
    if name == "int":
        try:
            return _int(text, line, column)
        except ValueError:
            raise _Refused(f"'{text}' is not an integer", line, column) from None
    if name == "float":
        value = _resolve_plain(text, line, column)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise _Refused(f"'{text}' is not a number", line, column)
    raise _Refused(f"unsupported tag '!!{name}'", line, column)


def _check_collection_tag(tag: str | None, mapping: bool, line: int, column: int) -> None:
    if tag is None or tag == "!":
        return
    expected = _CORE + ("map" if mapping else "seq")
    if tag == expected:
        return
    if tag.startswith(_CORE + "python/"):
        raise _Refused(f"python tags are refused ('!!{tag[len(_CORE):]}')", line, column)
    raise _Refused(f"unsupported tag '{tag}'", line, column)


def _size(value: Any, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """(node count, characters of text) of a subtree, each shared object counted once
    per reference.

    Only aliases need it, so it is computed on demand; the memo makes a nine-level
    "billion laughs" cost a few dozen steps instead of nine to the ninth.  Text counts
    too: one 2 MB scalar named by 9,000 aliases is a single node each time, yet every
    copy a later step makes of it (jsonschema-rs copies each failing value into its
    error) is 2 MB.
    """
    kind = type(value)
    if kind is str:
        return 1, len(value)
    if kind is not dict and kind is not list:
        return 1, 0
    key = id(value)
    known = memo.get(key)
    if known is not None:
        return known
    memo[key] = (1, 0)  # a cycle cannot happen (aliases name finished nodes), but be safe
    nodes, text = 1, 0
    if kind is dict:
        for name, child in value.items():
            child_nodes, child_text = _size(child, memo)
            nodes += child_nodes
            text += child_text + len(name)
    else:
        for child in value:
            child_nodes, child_text = _size(child, memo)
            nodes += child_nodes
            text += child_text
    memo[key] = (nodes, text)
    return nodes, text


def finding_at(
    code: str, message: str, file: str, line: int, column: int, severity: Severity = Severity.ERROR
) -> Finding:
    name = "yaml-syntax-error" if code == "ORG001" else "duplicate-key"
    return Finding(code, name, severity, message, file, line, column, line, column + 1)


def decode(raw: bytes, file: str, limits: Limits) -> tuple[str | None, Finding | None]:
    """Bytes → text, refusing oversized files and bytes that are not UTF-8."""
    if len(raw) > limits.max_file_size:
        return None, finding_at(
            "ORG001",
            # Files are read to one byte past the limit: its size is not known here.
            f"file is over the {limits.max_file_size:,}-byte limit"
            " (raise max-file-size in the configuration to allow it)",
            file,
            1,
            1,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, finding_at(
            "ORG001",
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
            file,
            line,
            column,
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


def load(raw: bytes, file: str, limits: Limits | None = None) -> Loaded:
    limits = limits or Limits()
    text, problem = decode(raw, file, limits)
    if text is None:
        assert problem is not None
        return Loaded(file, "", findings=[problem])
    return load_text(text, file, limits)


_yaml: ModuleType | None = None  # PyYAML, imported by the first parse


def _import_yaml() -> ModuleType:
    global _yaml
    from orglint.pyyaml import import_yaml

    _yaml = import_yaml()
    return _yaml


def load_text(text: str, file: str, limits: Limits | None = None) -> Loaded:
    """The documents of ``text``.  A syntax error or a refusal is an ORG001, and reading
    starts again at the next ``---`` after it: the documents around a broken one are
    still read (one stray quote must not hide a file's other teams)."""
    hidden = other_breaks(text)
    loaded = _load_text(text, file, limits, hidden)
    if hidden:
        loaded.findings.append(_hidden_break(text, file))
    return loaded


_BREAK_NAMES = {"\r": "a carriage return (CR) not followed by a line feed",
                "\x85": "NEL (U+0085)", "\u2028": "LINE SEPARATOR (U+2028)",
                "\u2029": "PARAGRAPH SEPARATOR (U+2029)"}


def _hidden_break(text: str, file: str) -> Finding:
    """An ORG001 at the first line break that YAML reads and git, editors and GitHub do
    not show: what follows it on the same visible line (in a comment, say) is read as
    YAML, so a reviewer would not see what orglint checks.  The file is still read."""
    at = first_other_break(text)
    seen = shown(text)
    line = seen.count("\n", 0, at) + 1
    column = at - seen.rfind("\n", 0, at)
    return finding_at("ORG001", f"{_BREAK_NAMES[text[at]]} is a line break to YAML but"
                      " not to git, editors or code review: what follows it on this line"
                      " is read as a new line of YAML; use a plain line break, or write"
                      " the character escaped in a double-quoted string", file, line,
                      column)._replace(detail=HIDDEN_BREAK)


def _load_text(text: str, file: str, limits: Limits | None, hidden: bool) -> Loaded:
    """``load_text``; ``hidden``: whether ``text`` has a line break git does not count
    (without one, no part of it read again has one either)."""
    # Imported at the first parse, not with this module (commands that parse nothing
    # start without PyYAML), and kept: an import statement per file costs more.
    yaml = _yaml if _yaml is not None else _import_yaml()
    limits = limits or Limits()
    loaded = Loaded(file, text)
    part, offset, resumes, shift = text, -1, 0, 0  # shift: index in part + shift = in text
    refused: list[Finding] = []  # each document holding a character the reader refuses
    while True:
        first_index = len(loaded.documents) + resumes  # a broken document counts as one
        loaded.settled = len(loaded.findings)
        try:
            events(yaml, part, partial(_build, loaded=loaded, limits=limits,
                                       first_index=first_index), hidden=hidden)
            return loaded
        except _Refused as exc:
            finding = finding_at("ORG001", exc.message, file, exc.line, exc.column)
            at = position(text, exc.line, exc.column)
            if exc.limit:
                loaded.limits.append(finding)
        except yaml.MarkedYAMLError as exc:
            if hidden and other_breaks(part):  # its marks on git's lines, as events'
                lines = GitLines(part)
                moved = lines.mark(exc.problem_mark)
                exc.context_mark = (moved if exc.context_mark is exc.problem_mark
                                    else lines.mark(exc.context_mark))
                exc.problem_mark = moved
            finding = _syntax_finding(exc, file, part, limits.max_depth)
            mark = exc.problem_mark or exc.context_mark
            at = mark.index + shift if mark is not None else len(text)
            if (exc.problem or "").startswith("exceeded maximum nesting depth"):
                loaded.limits.append(finding)
        except yaml.YAMLError as exc:  # a reader error: no mark, perhaps a position
            if not refused and type(getattr(exc, "position", None)) is int:
                # The reader refuses the whole stream for one character (a control
                # character pasted into a title): each document holding one is blanked
                # and the text read again from the start, so the others are still read.
                cleared, spans = blank_refused(text)
                refused = [finding_at("ORG001", _refusal(text, r.at), file, r.line, r.column)
                           for r in spans]
                if refused:
                    # The file's own text is kept (the comment scanner blanks the same
                    # documents): what is read is the blanked one.
                    loaded = Loaded(file, text)
                    loaded.findings.extend(refused)
                    loaded.broken.extend((r.first_line, r.end_line) for r in spans)
                    text = part = cleared
                    offset, resumes, shift = -1, 0, 0
                    continue
            finding = finding_at("ORG001", _first_line(str(exc)), file, 1, 1)
            at = len(text)
        # What the broken document had found (a duplicate key) goes with it.
        del loaded.findings[loaded.settled:]
        if finding not in loaded.findings:
            loaded.findings.append(finding)
        resume = resume_at(text, at, offset) if resumes < MAX_RESUMES else None
        if resume is None:
            loaded.broken.append((loaded.parsed_to, sys.maxsize))
            return loaded
        part, blanked = rest(text, resume)
        loaded.broken.append((loaded.parsed_to, blanked + 1))
        loaded.parsed_to = blanked + 1
        resumes += 1
        offset = resume
        shift = resume - blanked


def _refusal(text: str, at: int) -> str:
    """The reader's words for the character at ``at``."""
    point = ord(text[at])
    what = "control characters are not allowed" if point < 0xA0 else "it is not printable"
    return f"unacceptable character #x{point:04x}: {what}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "invalid YAML"


def _syntax_finding(exc: Any, file: str, text: str, max_depth: int) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    if (exc.context or "").startswith("while scanning a quoted scalar") and \
            exc.context_mark is not None and problem.startswith("found unexpected"):
        # An unclosed quote: libyaml notices at the end of the document, lines below
        # it; the quote that was never closed is what to fix.
        end = f" at line {mark.line + 1}" if mark is not None else ""
        at = exc.context_mark
        return finding_at("ORG001", f"invalid YAML: a quoted scalar is never closed ({problem}"
                          f"{end})", file, at.line + 1, at.column + 1)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    seen = shown(text)
    last = seen.count("\n") + 1
    if line > last:  # libyaml's end of a stream with no final line break: a line past it
        line, column = last, len(seen) - seen.rfind("\n")
    if problem.startswith("exceeded maximum nesting depth"):
        # libyaml 0.2.6 and later (PyYAML 6.0.4 wheels) stop at 1,000 levels of flow
        # nesting while scanning ahead, before the builder sees level max_depth (at most
        # 1,000): the same refusal, so the same words whichever libyaml is installed.
        # Its mark is where libyaml gave up, a thousand brackets in: point instead at
        # the bracket that crossed our own limit, as the builder would have.
        line, column = _bracket_past(text, len(text), max_depth) or (line, column)
        return finding_at("ORG001", f"nesting is deeper than the limit of {max_depth} levels",
                          file, line, column)
    # libyaml does not name the character it choked on; look at it ourselves.
    lines = seen.split("\n", line)
    bad_line = lines[line - 1] if line - 1 < len(lines) else ""
    if bad_line[column - 1 : column] == "\t" and not bad_line.strip(" \t\r"):
        # A line of blanks with a tab in it: valid YAML 1.2, refused by libyaml (and so
        # by PyYAML and ruamel): say what to do about this line, not about indentation.
        message = ("a tab on a line that is otherwise blank, which the YAML parser"
                   " refuses; delete the tab")
    elif bad_line[column - 1 : column] == "\t":
        message = "tab character used for indentation; YAML indents with spaces only"
    else:
        message = problem
        if exc.context:
            message = f"{problem} ({exc.context}"
            if exc.context_mark is not None and exc.context_mark is not mark:
                message += f" at line {exc.context_mark.line + 1}"
            message += ")"
        hint = next((h for start, h in _HINTS if problem.startswith(start)), None)
        if hint is not None:
            message += f"; {hint}"
    return finding_at("ORG001", f"invalid YAML: {message}", file, line, column)


# libyaml's words say what the parser expected, not what the writer did: the usual causes.
_HINTS = (
    ("mapping values are not allowed", "quote a value that contains ': ', or check this"
     " line's indentation against the key above it"),
    ("did not find expected key", "this line is not indented like the keys of its mapping"),
    ("did not find expected '-' indicator", "items of a list start with '- ', all at the"
     " same indentation"),
    ("did not find expected ',' or ']'", "a '[' list is not closed, or an item needs"
     " quotes"),
    ("did not find expected ',' or '}'", "a '{' mapping is not closed, or a value needs"
     " quotes"),
    ("found unexpected end of stream", "a quote or bracket opened above is never closed"),
    ("found character that cannot start any token", "quote a value that starts with"
     " '@', '`', '%' or another reserved character"),
    ("found undefined alias", "an alias '*name' needs an anchor '&name' before it"),
)


def _bracket_past(text: str, end: int, max_depth: int) -> tuple[int, int] | None:
    """(line, column) of the first flow bracket opened at depth ``max_depth + 1`` before
    ``end``; quoted scalars and comments are skipped.  One pass, so linear."""
    text = shown(text)  # lines as the findings count them (a classic Mac OS file's)
    depth = line = 0
    line_start = 0
    i = 0
    quote = ""
    while i < end:
        char = text[i]
        if quote:
            if char == "\\" and quote == '"':
                i += 1
            elif char == quote:
                quote = ""
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return line + 1, i - line_start + 1
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char in "'\"" and (i == 0 or text[i - 1] in " \t\n[{,:"):
            quote = char
        elif char == "#" and (i == 0 or text[i - 1] in " \t\n"):
            newline = text.find("\n", i, end)
            i = end if newline < 0 else newline
            continue
        if char == "\n":
            line += 1
            line_start = i + 1
        i += 1
    return None


def _duplicate(loaded: Loaded, spans: Marked, key_start: Any, key_end: Any, key: str,
               path: NestedPath) -> None:
    first = spans[path][0].line + 1  # the start of the key written first
    found = finding_at(
        "ORG002", f"duplicate key '{key}': it is already defined at line {first};"
        " the later value wins", loaded.file, key_start.line + 1, key_start.column + 1)
    if key_end.line == key_start.line and key_end.column > key_start.column:
        found = found._replace(end_column=key_end.column + 1)  # the whole key
    loaded.findings.append(found)


def _build(events: Iterator[Event], loaded: Loaded, limits: Limits,
           first_index: int = 0) -> None:
    """Events → plain dicts and lists, with spans; the hot loop of the check path.

    Spans are stored as the parser's (start mark, end mark) and read as 0-based
    ``(line, column, end_line, end_column)`` tuples (``source.Marked``), turned into
    1-based ``Span`` values by ``SourceMap``, the one place that converts.
    Each event is read by position (``yamlevents.FIELDS``).  The open collection's state
    is kept in local variables, and its parent's pushed as one tuple, since locals cost
    a fraction of a list's item reads and writes, several per event.
    """
    max_depth = limits.max_depth
    max_alias = limits.max_alias_nodes
    max_text = limits.max_file_size
    values = Marked()
    anchors: dict[str, Any] = {}
    sizes: dict[int, tuple[int, int]] = {}
    # The parents of the open collection: (container, mapping, path, key, key start and
    # end, merge sources, anchor, start) each, as the locals below hold the open one's.
    stack: list[tuple[Any, ...]] = []
    container: Any = None  # None at the document's level, outside every collection
    mapping = False
    path: NestedPath = ()
    key: str | None = None  # a mapping's key waiting for its value
    key_start: Any = None  # the pending key's marks
    key_end: Any = None
    merges: list[tuple[Any, Any]] | None = None  # what `<<` keys name, once one is seen
    own_anchor: str | None = None
    start: Any = None  # the open collection's start mark
    root: Any = None
    alias_budget = 0
    alias_text = 0
    doc_index = first_index
    resolve = _resolve_plain
    words = _WORDS
    numeric = _NUMERIC_FIRST
    scalar_event = Scalar
    mapping_start = MappingStart
    sequence_start = SequenceStart
    mapping_end = MappingEnd
    sequence_end = SequenceEnd

    for event in events:
        cls = event.__class__
        if cls is scalar_event:
            # The value's marks: a span is made of them only when asked for (Marked).
            anchor, tag, implicit, text, sm, em, _ = event.args
            if mapping and key is None:
                # A mapping key: kept as written, so `on:` or `1:` stay strings.
                if tag is not None and tag != "!":
                    _tagged_scalar(tag, text, sm.line + 1, sm.column + 1)
                key = text
                key_start = sm
                key_end = em
                if text == "<<" and implicit[0] and merges is None:
                    merges = []
                if anchor is not None:
                    anchors[anchor] = text
                continue
            if tag is None or tag == "!":
                # Inlined for the common cases; numbers go to the resolver.
                if not implicit[0]:
                    value = text
                elif text in words:
                    value = words[text]
                elif text[0] in numeric:
                    value = resolve(text, sm.line + 1, sm.column + 1)
                else:
                    value = text
            else:
                value = _tagged_scalar(tag, text, sm.line + 1, sm.column + 1)
            if anchor is not None:
                anchors[anchor] = value
        elif cls is mapping_end or cls is sequence_end:
            em = event.args[1]
            sm = start
            value = container
            if merges:
                _merge(value, merges)
            if own_anchor is not None:
                anchors[own_anchor] = value
            (container, mapping, path, key, key_start, key_end, merges, own_anchor,
             start) = stack.pop()
        elif cls is mapping_start or cls is sequence_start:
            anchor, tag, implicit, sm, em, _ = event.args
            if mapping and key is None:
                raise _Refused(_COMPLEX_KEY, sm.line + 1, sm.column + 1)
            if len(stack) >= max_depth:
                raise _Refused(f"nesting is deeper than the limit of {max_depth} levels",
                               sm.line + 1, sm.column + 1, limit=True)
            is_mapping = cls is mapping_start
            if tag is not None:
                _check_collection_tag(tag, is_mapping, sm.line + 1, sm.column + 1)
            stack.append((container, mapping, path, key, key_start, key_end, merges,
                          own_anchor, start))
            if container is not None:
                path = (path, key if mapping else len(container))
            container = {} if is_mapping else []
            mapping = is_mapping
            key = key_start = key_end = merges = None
            own_anchor = anchor
            start = sm
            continue
        elif cls is Alias:
            name, sm, em = event.args
            line = sm.line + 1
            column = sm.column + 1
            if name not in anchors:
                raise _Refused(f"alias '*{name}' names no anchor", line, column)
            value = anchors[name]
            if mapping and key is None:
                if isinstance(value, (dict, list)):
                    raise _Refused(_COMPLEX_KEY, line, column)
                key = "" if value is None else str(value)
                key_start = sm
                key_end = em
                # A key is a copy of its text too: 4,000 members each keyed by an alias
                # of a 100 KB scalar made 400 MB of report, past every alias limit.
                alias_budget += 1
                alias_text += len(key)
                if alias_budget > max_alias or alias_text > max_text:
                    raise _alias_bomb(alias_budget > max_alias, max_alias, max_text,
                                      line, column)
                continue
            nodes, text_size = _size(value, sizes)
            alias_budget += nodes
            alias_text += text_size
            if alias_budget > max_alias or alias_text > max_text:
                raise _alias_bomb(alias_budget > max_alias, max_alias, max_text, line,
                                  column)
        elif cls is DocumentStart:
            values = Marked()
            anchors = {}
            sizes = {}
            root = None
            alias_budget = 0
            alias_text = 0
            continue
        elif cls is DocumentEnd:
            loaded.documents.append(Document(root, SourceMap(values, MarkedKeys(values)),
                                             doc_index))
            end = event.args[1]
            # Ended inside a line (``...``, or a ``---`` after a hidden line break, on
            # the line of the last value read): that line was read, the next was not.
            loaded.parsed_to = end.line + (2 if end.column > 0 else 1)
            loaded.settled = len(loaded.findings)
            doc_index += 1
            continue
        else:
            continue  # the stream's start and end
        # The value (a scalar, a finished collection, an alias's target), which starts at
        # sm and ends at em, goes in its place.
        if mapping:
            if key == "<<" and merges is not None:
                merges.append((value, (sm, em)))
            else:
                where = (path, key)
                if key in container:
                    _duplicate(loaded, values, key_start, key_end, key,  # type: ignore[arg-type]
                               where)
                values[where] = (key_start, key_end, sm, em)
                container[key] = value
            key = None
        elif container is not None:
            values[(path, len(container))] = (sm, em)
            container.append(value)
        else:
            root = value
            values[()] = (sm, em)


def _alias_bomb(nodes: bool, max_alias: int, max_text: int, line: int,
                column: int) -> _Refused:
    if nodes:
        return _Refused(f"aliases expand to more than {max_alias:,} nodes (an alias bomb?)",
                        line, column, limit=True)
    return _Refused(f"aliases expand to more than {max_text:,} characters of text, the"
                    " max-file-size limit (an alias bomb?)", line, column, limit=True)


def _merge(target: dict[str, Any], sources: list[tuple[Any, Any]]) -> None:
    """Apply ``<<`` merge keys: keys written in the mapping win, then earlier sources."""
    explicit = set(target)
    for source, span in sources:
        items = source if isinstance(source, list) else [source]
        for item in items:
            if not isinstance(item, dict):
                raise _Refused("a merge key ('<<') needs a mapping or a list of mappings",
                               span[0].line + 1, span[0].column + 1)
            for key, value in item.items():
                if key not in explicit and key not in target:
                    target[key] = value
