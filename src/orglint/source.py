"""Positions: where each node of a loaded document sits in its file.

The loader records 1-based spans keyed by *nested* paths, ``((((), "spec"), "members"), 0)``,
because extending a nested tuple costs one small allocation per node, where a flat tuple
would copy the whole path.  Rules and the schema step ask with flat paths and never do
``+ 1`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orglint.ntuple import NamedTuple

Path = tuple[str | int, ...]
NestedPath = tuple[Any, ...]


class Span(NamedTuple):
    line: int
    column: int
    end_line: int
    end_column: int


def nest(path: Path) -> NestedPath:
    out: NestedPath = ()
    for part in path:
        out = (out, part)
    return out


Raw = tuple[int, int, int, int]  # 0-based, as the parser's marks give them


class Marked(dict[NestedPath, tuple[Any, ...]]):
    """Spans as the loader keeps them: the parser's marks, read as ``Raw`` tuples by
    ``get``.

    A span's four numbers are four attribute reads of two libyaml marks, each a Python
    int made on the spot: for the four hundred spans of a team file, about a twentieth
    of checking it.  Rules, facts and the schema step ask for a few dozen of them, so
    the marks are kept as they come and read when a span is asked for.  An item's entry
    is (start, end); a mapping value's is (key start, key end, start, end), so that one
    entry serves both the value and its key (``MarkedKeys``): one insertion per key
    where two dictionaries took two.  Anything else than ``get`` (indexing, iterating)
    sees the marks.
    """

    __slots__ = ()

    def get(self, key: NestedPath, default: Any = None) -> Raw | None:  # type: ignore[override]
        found = dict.get(self, key)
        if found is None:
            return default  # type: ignore[no-any-return]
        start = found[-2]
        end = found[-1]
        return (start.line, start.column, end.line, end.column)


class MarkedKeys:
    """The key spans of a ``Marked``: the first two marks of a mapping value's entry."""

    __slots__ = ("spans",)

    def __init__(self, spans: Marked) -> None:
        self.spans = spans

    def get(self, key: NestedPath, default: Any = None) -> Raw | None:
        found = dict.get(self.spans, key)
        if found is None or len(found) != 4:
            return default  # type: ignore[no-any-return]
        start = found[0]
        end = found[1]
        return (start.line, start.column, end.line, end.column)

    def __iter__(self) -> Iterator[NestedPath]:
        return (key for key, found in dict.items(self.spans) if len(found) == 4)

    def __len__(self) -> int:
        return sum(1 for _ in self)


Spans = dict[NestedPath, Raw] | Marked | MarkedKeys


class SourceMap:
    __slots__ = ("keys", "values")

    def __init__(self, values: Spans, keys: Spans) -> None:
        self.values = values
        self.keys = keys

    def span(self, path: Path, *, key: bool = False) -> Span:
        """The span of the value at ``path`` (or of its key), else of the nearest ancestor.

        A path can be missing when a value came in through an alias or a merge key, or
        when a finding is about a field that is absent: the nearest written node is then
        the most useful place to point at.
        """
        # nest() written out: one call fewer for each of the run's findings.
        nested: NestedPath = ()
        for part in path:
            nested = (nested, part)
        found = (self.keys if key else self.values).get(nested)
        if found is None and key:
            found = self.values.get(nested)
        if found is None:
            if not path:
                return Span(1, 1, 1, 1)
            # For a missing child, the parent's key is the best anchor; but a parent
            # whose value is one token on one line is a better one: an alias (`owns:
            # *shared`, whose items are written at the anchor), a flow list or mapping.
            parent = self.values.get(nested[0])
            if parent is not None and parent[0] == parent[2]:
                line, column, end_line, end_column = parent
                return _tuple_new(Span, (line + 1, column + 1, end_line + 1, end_column + 1))
            return self.span(path[:-1], key=True)
        line, column, end_line, end_column = found
        span: Span = _tuple_new(Span, (line + 1, column + 1, end_line + 1, end_column + 1))
        return span

    def written(self, path: Path) -> bool:
        """Whether a value is written at ``path`` (``span`` points at it, not at an
        ancestor)."""
        return self.values.get(nest(path)) is not None


# Every finding asks for a span: Span's generated ``__new__`` is a Python frame.
_tuple_new = tuple.__new__


class MovedSource(SourceMap):
    """A document's spans once ``schema.recover`` has left invalid items out of some of
    its lists: a path through such a list names the item by its index in the list kept,
    and is asked here by the index it has in the file."""

    __slots__ = ("inner", "lengths", "moves")

    def __init__(self, inner: SourceMap, moves: dict[Path, list[int]]) -> None:
        super().__init__(inner.values, inner.keys)
        self.inner = inner
        self.moves = moves
        # The lists moved are found by a path's prefix of each of these lengths (two or
        # three of them), not by trying every list: a team of thousands of members with
        # a list each written wrong made every lookup of every finding linear.
        self.lengths = sorted({len(where) for where in moves})

    def path(self, path: Path) -> Path:
        """``path`` with the index of a kept item turned into its index in the file (-1:
        the item is the scalar written where the list should be, ``systems: x``)."""
        for n in self.lengths:
            if len(path) <= n:
                break
            where = path[:n]
            kept = self.moves.get(where)
            if kept is not None:
                at = path[n]
                if type(at) is int and 0 <= at < len(kept):
                    index = kept[at]
                    return (*where, *path[n + 1:]) if index < 0 else \
                        (*where, index, *path[n + 1:])
        return path

    def span(self, path: Path, *, key: bool = False) -> Span:
        return self.inner.span(self.path(path), key=key)

    def written(self, path: Path) -> bool:
        return self.inner.written(self.path(path))
