"""Model: typed views of valid documents, each node knowing where it was written.

Documents reach this module only after they pass their JSON Schema (jsonschema-rs), or
after ``schema.recover`` dropped what did not (a member or person it dropped is ``None``
in its list), so the model trusts the shape and only gives it types: the builders copy
fields and do not validate again.  That is why these are NamedTuples and not pydantic
models: a second validation would repeat the schema's work, and importing pydantic costs
a one-file pre-commit run about 0.1 s, half of what yamllint takes in total.  NamedTuples rather
than dataclasses because their class statements cost a tenth as much at start-up, and a
view of a checked document never changes.  Unknown keys (the schema allows ``x-``
extensions) are ignored.  Every node keeps its path in the document, so a rule can ask
the source map for the exact span of any field.  ``tests/test_schema.py`` checks that
these classes and the schemas name the same fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from orglint.ntuple import NamedTuple
from orglint.source import Path

Level = Literal["junior", "mid", "senior", "staff", "principal"]
Maturity = Literal["exploring", "pilot", "production", "scale"]
LEVEL_RANK = {"junior": 0, "mid": 1, "senior": 2, "staff": 3, "principal": 4}


class Metadata(NamedTuple):
    name: str
    title: str | None = None
    description: str | None = None
    parent: str | None = None
    labels: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = None
    path: Path = ()


class Person(NamedTuple):
    id: str
    name: str | None = None
    title: str | None = None
    role: str | None = None
    level: Level | None = None
    skills: list[str] | None = None
    email: str | None = None
    path: Path = ()

    def at(self, *sub: str | int) -> Path:
        """The path of a field below this one: what rules hand to the source map."""
        return self.path + sub

    def values(self) -> tuple[Any, ...]:
        """The person as written, without its place: what another file may contradict."""
        return self[:-1]


class Member(NamedTuple):
    """A person as a member of a team: the fields of :class:`Person`, and two more.

    NamedTuples cannot inherit fields, so Person's are written again here;
    ``tests/test_schema.py`` holds both lists to the schema, so they cannot drift apart.
    """

    id: str
    name: str | None = None
    title: str | None = None
    role: str | None = None
    level: Level | None = None
    skills: list[str] | None = None
    email: str | None = None
    allocation: int = 100
    owns: Sequence[str] = ()
    path: Path = ()

    def at(self, *sub: str | int) -> Path:
        return self.path + sub


class TeamSpec(NamedTuple):
    maturity: Maturity | None  # None: missing or not a stage (ORG003), so no stage rule runs
    members: list[Member]
    size: int | None = None
    description: str | None = None
    systems: Sequence[str] = ()
    practices: Sequence[str] = ()
    path: Path = ()


class Team(NamedTuple):
    api_version: Literal["orglint/v1"]
    kind: Literal["Team"]
    metadata: Metadata
    spec: TeamSpec
    path: Path = ()

    @property
    def id(self) -> str:
        return self.metadata.name

    @property
    def size(self) -> int:
        return self.spec.size if self.spec.size is not None else len(self.spec.members)


class Group(NamedTuple):
    """A division or department: only a name that teams and groups name as parent."""

    api_version: Literal["orglint/v1"]
    kind: Literal["Group"]
    metadata: Metadata
    path: Path = ()

    @property
    def id(self) -> str:
        return self.metadata.name


class PeopleSpec(NamedTuple):
    people: list[Person]
    path: Path = ()


class People(NamedTuple):
    api_version: Literal["orglint/v1"]
    kind: Literal["People"]
    spec: PeopleSpec
    metadata: Metadata | None = None
    path: Path = ()


# The schema's key for each field whose Python name differs.
ALIASES = {"api_version": "apiVersion"}

_PERSON_KEYS = ("name", "title", "role", "level", "skills", "email")
_META_KEYS = ("title", "description", "parent", "labels", "annotations")


def written_at(data: Any, path: Path) -> Any:
    """The value at ``path`` in a document's data as written (before the schema step
    kept what it could), or None: what the model does not keep (``x-`` keys, a refused
    field) read back from the place a node knows."""
    for part in path:
        if type(data) is dict:
            data = data.get(part)
        elif type(data) is list and type(part) is int and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def whole(value: Any) -> Any:
    """An integral float as the int it is: JSON Schema counts ``5.0`` (and YAML's ``1e3``)
    as an integer, and a size or allocation is used to slice, index and print."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _metadata(data: dict[str, Any]) -> Metadata:
    get = data.get
    return Metadata(path=("metadata",), name=data["name"],
                    **{k: get(k) for k in _META_KEYS})


# Twenty thousand members make NamedTuple's generated ``__new__`` (a Python frame, and
# keywords) a measurable part of a run: members are built by tuple's own, field order
# as declared.
_tuple_new = tuple.__new__


def _member(data: dict[str, Any], path: Path) -> Member:
    get = data.get
    allocation = get("allocation", 100)
    member: Member = _tuple_new(Member, (
        data["id"], get("name"), get("title"), get("role"), get("level"), get("skills"),
        get("email"), int(allocation) if type(allocation) is float and allocation.is_integer()
        else allocation, get("owns") or (), path))
    return member


def _person(data: dict[str, Any], path: Path) -> Person:
    get = data.get
    return Person(path=path, id=data["id"], **{k: get(k) for k in _PERSON_KEYS})


def build_team(data: dict[str, Any]) -> Team:
    spec = data["spec"]
    get = spec.get
    # An entry the schema step dropped is None, so every other keeps its index (its path).
    members = [_member(m, ("spec", "members", i)) for i, m in enumerate(spec["members"])
               if m is not None]
    return Team(api_version=data["apiVersion"], kind=data["kind"],
                metadata=_metadata(data["metadata"]),
                spec=TeamSpec(path=("spec",), maturity=get("maturity"), members=members,
                              size=whole(get("size")), description=get("description"),
                              systems=get("systems") or (),
                              practices=get("practices") or ()))


def build_people(data: dict[str, Any]) -> People:
    spec = data["spec"]
    people = [_person(p, ("spec", "people", i)) for i, p in enumerate(spec["people"])
              if p is not None]
    meta = data.get("metadata")
    return People(api_version=data["apiVersion"], kind=data["kind"],
                  spec=PeopleSpec(path=("spec",), people=people),
                  metadata=_metadata(meta) if meta is not None else None)
