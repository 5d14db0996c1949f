"""Where a place inside an expression is in the policy file.

An error at line 2, column 5 of an expression is reported at the file's line and
column: the expression's own offset plus where its YAML scalar starts.  Plain, quoted,
literal (``|``) and folded (``>``) scalars all keep each source line's text as one run
of the value, so each line is found in the value in order and the offset is mapped
through the run that holds it.  In a quoted scalar each line is read as YAML reads it
(``\"`` and ``\\`` in double quotes, ``''`` in single quotes: common in CEL, whose
strings are quoted too), so a character of the value maps to the column it was written
at.  What the search cannot place falls back to the start of the scalar, never to a
wrong line.
"""

from __future__ import annotations

from orglint.ntuple import NamedTuple
from orglint.resync import shown


class Run(NamedTuple):
    offset: int  # where the run starts in the value
    line: int  # 1-based, in the file
    column: int  # 1-based, in the file
    length: int
    # Per character of the run, its column from ``column`` as written (a quoted
    # scalar's escapes take more than one); None, one each.
    columns: tuple[int, ...] | None = None


# Double-quoted YAML's one-character escapes, and those that give a code point in hex.
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t", " ": " ", "0": "\0",
            "a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "r": "\r", "v": "\v",
            "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029", "\t": "\t"}
_HEX = {"x": 2, "u": 4, "U": 8}


def _read(piece: str, quote: str) -> tuple[str, tuple[int, ...]]:
    """``piece`` of a scalar quoted with ``quote`` as YAML reads it, and where each of
    its characters was written in ``piece``."""
    out: list[str] = []
    columns: list[int] = []
    i = 0
    while i < len(piece):
        char, width = piece[i], 1
        if quote == "'" and char == "'" and piece.startswith("''", i):
            width = 2
        elif quote == '"' and char == "\\" and i + 1 < len(piece):
            code = piece[i + 1]
            digits = piece[i + 2:i + 2 + _HEX.get(code, 0)]
            if code in _ESCAPES:
                char, width = _ESCAPES[code], 2
            elif code in _HEX and len(digits) == _HEX[code] and all(
                    d in "0123456789abcdefABCDEF" for d in digits):
                point = int(digits, 16)
                if point <= 0x10FFFF:
                    char, width = chr(point), 2 + len(digits)
        out.append(char)
        columns.append(i)
        i += width
    return "".join(out), tuple(columns)


def _pieces(lines: list[str], line: int, column: int, end_line: int) -> list[tuple[int, int, str]]:
    """(line, column, text) of each source line of the scalar starting at line:column."""
    first = lines[line - 1] if 0 < line <= len(lines) else ""
    head = first[column - 1:column]
    if head in ("|", ">"):
        body: list[tuple[int, int, str]] = []
        indent: int | None = _explicit_indent(first, column)
        for number in range(line + 1, len(lines) + 1):
            text = lines[number - 1]
            if not text.strip():
                continue
            width = len(text) - len(text.lstrip(" "))
            if indent is None:
                indent = width
            if width < indent:
                break
            body.append((number, indent + 1, text[indent:].rstrip()))
        return body
    quoted = head in ("'", '"')
    out = [(line, column + (1 if quoted else 0), first[column - 1 + (1 if quoted else 0):])]
    for number in range(line + 1, min(end_line, len(lines)) + 1):
        text = lines[number - 1]
        stripped = text.lstrip()
        out.append((number, len(text) - len(stripped) + 1, stripped))
    return [(n, c, t.rstrip()) for n, c, t in out]


def _explicit_indent(first: str, column: int) -> int | None:
    """The content indentation a block scalar's header gives (``|2``, ``>-1``): the
    indentation of the mapping that holds it plus the digit; None when it has none (the
    first line's indentation then says it)."""
    header = first[column:].split("#", 1)[0].strip()
    digits = [c for c in header if c.isdigit()]
    if len(digits) != 1 or not set(header) <= {"+", "-", digits[0]}:
        return None
    # The mapping's indentation: where its key starts, after any "- " of a sequence.
    start = len(first) - len(first.lstrip(" "))
    while first[start:start + 1] == "-" and first[start + 1:start + 2] in (" ", "\t"):
        start += 1
        while first[start:start + 1] in (" ", "\t"):
            start += 1
    return start + int(digits[0])


def runs(text: str, line: int, column: int, end_line: int, value: str,
         end_column: int = 0) -> list[Run]:
    found: list[Run] = []
    position = 0
    lines = shown(text).replace("\r\n", "\n").split("\n")
    if end_column > 0 and end_line >= line and 0 < end_line <= len(lines):
        # The scalar's last line ends where it does: not its comment, nor the rest of a
        # flow mapping after it.
        lines[end_line - 1] = lines[end_line - 1][:end_column - 1]
    first = lines[line - 1] if 0 < line <= len(lines) else ""
    quote = first[column - 1:column] if first[column - 1:column] in ("'", '"') else ""
    for number, col, piece in _pieces(lines, line, column, end_line):
        for candidate in (piece, piece[:-1]):  # the last line may end with the quote
            if not candidate:
                continue
            columns: tuple[int, ...] | None = None
            if quote and ("\\" in candidate or "'" in candidate):
                candidate, columns = _read(candidate, quote)
            index = value.find(candidate, position)
            if index >= 0:
                found.append(Run(index, number, col, len(candidate), columns))
                position = index + len(candidate)
                break
    return found


def locate(text: str, line: int, column: int, end_line: int, value: str,
           inner_line: int, inner_column: int, end_column: int = 0) -> tuple[int, int]:
    """The file's (line, column) of ``inner_line:inner_column`` (1-based) of ``value``."""
    rows = value.split("\n")
    inner_line = min(max(inner_line, 1), len(rows))
    offset = sum(len(r) + 1 for r in rows[:inner_line - 1]) + max(inner_column, 1) - 1
    best: Run | None = None
    for run in runs(text, line, column, end_line, value, end_column):
        if run.offset <= offset:
            best = run
    if best is None:
        return line, column
    end = best.offset + best.length
    if offset > end and not (offset == end + 1 and offset >= len(value)):
        # Past the run that holds it, in a line of the scalar that could not be placed,
        # so not on this line (the end of a block scalar's value, after its last line
        # break, is that line's end).
        return line, column
    inside = min(offset - best.offset, best.length)
    if best.columns is None:
        return best.line, best.column + inside
    if inside < len(best.columns):
        return best.line, best.column + best.columns[inside]
    return best.line, best.column + (best.columns[-1] + 1 if best.columns else 0)
