"""Bounded memo tables: answers that depend only on the matrix and a small key.

Thousands of teams share a handful of stages, sizes and sets of systems, so a rule can
work out what the matrix says for each combination once.  A table belongs to one matrix
(a different matrix empties it) and holds at most ``limit`` answers: past that it starts
again, so hostile input with endlessly many distinct keys costs what it would without
the table, and never more memory.
"""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


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
