"""Org facts: the little each file tells the cross-file rules.

Per-file work (parse, schema, model, team rules) can run in a worker process or come
from the cache; what the org-wide rules need from each file travels as these small
values, so they always run fresh on the whole org and never go stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orglint.findings import Location
from orglint.source import Span


@dataclass(frozen=True, slots=True)
class Place:
    file: str
    span: Span
    doc: int = 0

    @property
    def location(self) -> Location:
        return Location(self.file, self.span.line, self.span.column)

    def __str__(self) -> str:
        return f"{self.file}:{self.span.line}"


@dataclass(frozen=True, slots=True)
class TeamFact:
    id: str
    place: Place
    parent: str | None
    parent_place: Place | None


@dataclass(frozen=True, slots=True)
class FieldFact:
    name: str
    value: str
    place: Place


@dataclass(frozen=True, slots=True)
class PersonFact:
    """A person as one place describes them: a People entry or a team's member entry."""

    id: str
    place: Place
    fields: tuple[FieldFact, ...]
    team: str | None = None  # None for a People entry
    allocation: int = 100
    allocation_place: Place | None = None
    has_name: bool = False


@dataclass
class FileFacts:
    teams: list[TeamFact] = field(default_factory=list)
    persons: list[PersonFact] = field(default_factory=list)
    has_people: bool = False
