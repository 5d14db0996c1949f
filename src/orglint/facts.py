"""Org facts: the little each file tells the cross-file rules.

Per-file work (parse, schema, model, team rules) can run in a worker process or come
from the cache; what the org-wide rules need from each file travels as these small
values, so they always run fresh on the whole org and never go stale.  They are built
straight from the loaded data and its source map: twenty thousand members make a
hundred thousand places, so each must be cheap to make and to pickle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from orglint.findings import Location
from orglint.loader import Document
from orglint.source import NestedPath, Span


class Place(NamedTuple):
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    doc: int = 0

    @property
    def span(self) -> Span:
        return Span(self.line, self.column, self.end_line, self.end_column)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class FieldFact(NamedTuple):
    name: str
    value: str
    place: Place


class TeamFact(NamedTuple):
    id: str
    place: Place
    parent: str | None
    parent_place: Place | None


class PersonFact(NamedTuple):
    """A person as one place describes them: a People entry or a team's member entry."""

    id: str
    place: Place
    fields: tuple[FieldFact, ...]
    team: str | None = None  # None for a People entry
    allocation: int = 100
    allocation_place: Place | None = None
    has_name: bool = False


@dataclass(slots=True)
class FileFacts:
    teams: list[TeamFact] = field(default_factory=list)
    persons: list[PersonFact] = field(default_factory=list)
    has_people: bool = False


_PERSON_FIELDS = ("name", "title", "level")


class _Places:
    def __init__(self, doc: Document, file: str) -> None:
        self.values = doc.source.values
        self.file = file
        self.index = doc.index

    def at(self, nested: NestedPath) -> Place | None:
        raw = self.values.get(nested)
        if raw is None:
            return None
        return Place(self.file, raw[0] + 1, raw[1] + 1, raw[2] + 1, raw[3] + 1, self.index)


def _person(places: _Places, base: NestedPath, entry: dict[str, Any], team: str | None
            ) -> PersonFact:
    fields = tuple(
        FieldFact(name, str(entry[name]), places.at((base, name)) or _missing(places))
        for name in _PERSON_FIELDS if entry.get(name) is not None)
    has_allocation = "allocation" in entry
    return PersonFact(
        entry["id"], places.at((base, "id")) or _missing(places), fields, team=team,
        allocation=entry.get("allocation", 100) if team is not None else 100,
        allocation_place=places.at((base, "allocation")) if has_allocation else None,
        has_name=entry.get("name") is not None)


def _missing(places: _Places) -> Place:
    return Place(places.file, 1, 1, 1, 1, places.index)


def team_facts(doc: Document, file: str, facts: FileFacts) -> None:
    """Facts of a schema-valid Team document."""
    data = doc.data
    places = _Places(doc, file)
    meta: NestedPath = ((), "metadata")
    team_id = data["metadata"]["name"]
    parent = data["metadata"].get("parent")
    facts.teams.append(TeamFact(team_id, places.at((meta, "name")) or _missing(places), parent,
                                places.at((meta, "parent")) if parent is not None else None))
    members: NestedPath = (((), "spec"), "members")
    for index, entry in enumerate(data["spec"]["members"]):
        facts.persons.append(_person(places, (members, index), entry, team_id))


def people_facts(doc: Document, file: str, facts: FileFacts) -> None:
    """Facts of a schema-valid People document."""
    facts.has_people = True
    places = _Places(doc, file)
    people: NestedPath = (((), "spec"), "people")
    for index, entry in enumerate(doc.data["spec"]["people"]):
        facts.persons.append(_person(places, (people, index), entry, None))
