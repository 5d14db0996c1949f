"""Bounded memo tables: answers that depend only on the matrix and a small key.

Two forms, one bound on memory.  ``remember`` fills a plain dict that belongs to one
matrix (or one rule's table of it) until it holds ``MEMO_LIMIT`` answers, then stops
growing: titles and skills, keyed by text from the files.  ``Memo`` is a module's table
of answers about a few hundred combinations.

Thousands of teams share a handful of stages, sizes and sets of systems, so a rule can
work out what the matrix says for each combination once.  A ``Memo`` belongs to one
matrix (a different matrix empties it) and holds at most ``limit`` answers: past that it
starts again, so hostile input with endlessly many distinct keys costs what it would
without the table, and never more memory.
"""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

# Answers kept per table, whatever the input: text keys from hostile files (a million
# distinct titles) cost what they would without the table, and no more memory.
MEMO_LIMIT = 4096


def remember(table: dict[K, V], key: K, value: V) -> V:
    """``value``, kept in ``table`` under ``key`` while it holds fewer than
    ``MEMO_LIMIT`` answers."""
    if len(table) < MEMO_LIMIT:
        table[key] = value
    return value


class Memo(Generic[K, V]):
    __slots__ = ("_owner", "_table", "limit", "misses")

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self._owner: object = None
        self._table: dict[K, V] = {}
        self.misses = 0  # answers worked out (tests pin the reuse with it)

    def get(self, owner: object, key: K) -> V | None:
        """The answer for ``key`` under ``owner``, if it was worked out."""
        if owner is not self._owner:
            self._owner = owner
            self._table = {}
        return self._table.get(key)

    def put(self, key: K, value: V) -> V:
        """Remember an answer for the owner of the last ``get``; past the limit, start
        a new table."""
        if len(self._table) >= self.limit:
            self._table = {}
        self._table[key] = value
        self.misses += 1
        return value

    def __len__(self) -> int:
        return len(self._table)
