"""Org facts: the little each file tells the cross-file rules.

Per-file work (parse, schema, model, team rules) can run in a worker process or come
from the cache; what the org-wide rules need from each file travels as these small
values, so they always run fresh on the whole org and never go stale.  They are built
straight from the loaded data and its source map: twenty thousand members make a
hundred thousand places, so each must be cheap to make and to pickle.
"""

from __future__ import annotations

from collections.abc import Mapping
from sys import intern
from typing import Any

from orglint.findings import Location
from orglint.loader import Document
from orglint.model import whole
from orglint.ntuple import NamedTuple
from orglint.source import Marked, NestedPath, Span, Spans


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


def pack(raw: tuple[int, int, int, int]) -> int:
    """A 0-based span as one int (line, column, end column): a person fact holds four
    positions, and twenty thousand people make the tuples add up to hundreds of MB."""
    line, column, end_line, end_column = raw
    if end_line != line:
        end_column = column + 1
    return (line << 40) | (min(column, 0xFFFFF) << 20) | min(end_column, 0xFFFFF)


def unpack(file: str, packed: int, doc: int) -> Place:
    line = (packed >> 40) + 1
    column = ((packed >> 20) & 0xFFFFF) + 1
    end_column = (packed & 0xFFFFF) + 1
    return Place(file, line, column, line, end_column, doc)


class FieldFact(NamedTuple):
    name: str
    value: str
    place: Place


class TeamFact(NamedTuple):
    """A team, or a group (``kind: Group``): both are parents, and they share one id space."""

    id: str
    place: Place
    parent: str | None
    parent_place: Place | None
    kind: str = "Team"
    # What the team's members are and do, for a related team's coverage findings
    # (``rules.lineage``): the codes of its members' roles, of the work they own and of
    # its practices that a finding can ask about, space-separated, in the matrix's
    # codebook (``lineage._codebook``).  Empty for a group and for a team whose members
    # could not be read.
    cover: str = ""


class PersonFact(NamedTuple):
    """A person as one place describes them: a People entry or a team's member entry.

    Stored flat, positions packed (see ``pack``); the properties rebuild places.
    """

    id: str
    file: str
    doc: int
    at: int
    team: str | None  # None for a People entry
    allocation: int
    allocation_at: int  # -1 when the entry does not set it
    has_name: bool
    detail: tuple[str | int, ...]  # name, value, packed position, name, value, ...
    # The roles whose work this membership owns, space-separated, as ORG302 counts them
    # on its team (their union across teams is ORG302's too); "" for a People entry, a
    # member who owns nothing, or a run without ORG302.
    work: str = ""

    @property
    def place(self) -> Place:
        return unpack(self.file, self.at, self.doc)

    @property
    def allocation_place(self) -> Place | None:
        return None if self.allocation_at < 0 else unpack(self.file, self.allocation_at,
                                                          self.doc)

    @property
    def fields(self) -> list[FieldFact]:
        d = self.detail
        return [FieldFact(str(d[i]), str(d[i + 1]), unpack(self.file, int(d[i + 2]), self.doc))
                for i in range(0, len(d), 3)]


class FileFacts:
    """What the org rules need to know of one file; kept in the cache between runs."""

    __slots__ = ("has_people", "persons", "teams")

    def __init__(self) -> None:
        self.teams: list[TeamFact] = []
        self.persons: list[PersonFact] = []
        self.has_people = False


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


def _packed(values: Spans, nested: NestedPath) -> int:
    """``pack`` of the span at ``nested``, inlined: it runs five times per person."""
    if type(values) is Marked:
        # The loader's marks read here: through Marked.get, a frame more per lookup.
        found = dict.get(values, nested)
        if found is None:
            return 1  # pack((0, 0, 0, 1)): the start of the file
        start = found[-2]
        end = found[-1]
        line: int = start.line
        column: int = start.column
        end_line: int = end.line
        end_column: int = end.column
    else:
        raw = values.get(nested)
        if raw is None:
            return 1
        line, column, end_line, end_column = raw
    if end_line != line:
        end_column = column + 1
    if column > 0xFFFFF:
        column = 0xFFFFF
    if end_column > 0xFFFFF:
        end_column = 0xFFFFF
    return (line << 40) | (column << 20) | end_column


def _persons(places: _Places, base: NestedPath, entries: list[Any], team: str | None,
             out: list[PersonFact], work: Mapping[int, str] | None = None) -> None:
    """A fact per entry of a team's members (``team`` set) or of a People list."""
    values = places.values
    file = places.file
    index = places.index
    for i, entry in enumerate(entries):
        if entry is None:
            continue
        at: NestedPath = (base, i)
        detail: list[str | int] = []
        get = entry.get
        for name in _PERSON_FIELDS:
            value = get(name)
            if value is not None:
                # Titles and levels repeat across thousands of people: share one string.
                detail += [name, intern(value if type(value) is str else str(value)),
                           _packed(values, (at, name))]
        if team is not None:
            allocation = get("allocation")
            if allocation is None and "allocation" not in entry:
                allocation, allocation_at = 100, -1
            else:
                allocation_at = _packed(values, (at, "allocation"))
                allocation = whole(allocation)
        else:
            allocation, allocation_at = 100, -1
        # PersonFact's generated __new__ is a Python frame: one per member of the org.
        id_at = _packed(values, (at, "id"))
        if id_at == 1:  # no id written (``schema.recover`` named them): at their entry
            id_at = _packed(values, at)
        out.append(_tuple_new(PersonFact, (entry["id"], file, index,
                                           id_at, team, allocation,
                                           allocation_at, get("name") is not None,
                                           tuple(detail),
                                           work.get(i, "") if work is not None else "")))


_tuple_new = tuple.__new__


def _missing(places: _Places) -> Place:
    return Place(places.file, 1, 1, 1, 1, places.index)


def _unit(data: dict[str, Any], places: _Places, facts: FileFacts, kind: str,
          cover: str = "") -> str:
    meta: NestedPath = ((), "metadata")
    unit_id: str = data["metadata"]["name"]
    parent = data["metadata"].get("parent")
    # No name written (``schema.recover`` named the team): at its metadata, if any.
    where = places.at((meta, "name")) or places.at(meta) or _missing(places)
    facts.teams.append(TeamFact(unit_id, where, parent,
                                places.at((meta, "parent")) if parent is not None else None,
                                kind, cover))
    return unit_id


def team_facts(doc: Document, file: str, facts: FileFacts, data: Any = None,
               work: Mapping[int, str] | None = None, cover: str = "") -> None:
    """Facts of a Team document: ``data`` is what the schema step kept of it (a dropped
    member is None), by default the document as written; ``work``, by member index, the
    roles whose work each member owns (``PersonFact.work``); ``cover``, ``TeamFact``'s."""
    data = doc.data if data is None else data
    places = _Places(doc, file)
    team_id = _unit(data, places, facts, "Team", cover)
    _persons(places, (((), "spec"), "members"), data["spec"]["members"], team_id,
             facts.persons, work)


def group_facts(doc: Document, file: str, facts: FileFacts, data: Any = None,
                kind: str = "Group") -> None:
    """Facts of a Group document (``data`` as for ``team_facts``), or of a Team whose
    members cannot be read (``kind``): its place in the org, and nothing of its people."""
    _unit(doc.data if data is None else data, _Places(doc, file), facts, kind)


def people_facts(doc: Document, file: str, facts: FileFacts, data: Any = None) -> None:
    """Facts of a People document (``data`` as for ``team_facts``)."""
    data = doc.data if data is None else data
    facts.has_people = True
    places = _Places(doc, file)
    _persons(places, (((), "spec"), "people"), data["spec"]["people"], None, facts.persons)
