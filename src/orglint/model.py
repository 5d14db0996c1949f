"""Model: typed views of valid documents, each node knowing where it was written.

Documents reach this module only after they pass their JSON Schema, so the models trust
the shape and only give it types.  ``extra="ignore"`` lets ``x-`` keys through, which the
schema already allows.  Every node keeps its path in the document, so a rule can ask the
source map for the exact span of any field.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orglint.source import Path

Level = Literal["junior", "mid", "senior", "staff", "principal"]
Maturity = Literal["exploring", "pilot", "production", "scale"]
LEVEL_RANK = {"junior": 0, "mid": 1, "senior": 2, "staff": 3, "principal": 4}


class Node(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=False,
                              defer_build=True)

    # The path is kept in the instance dict, not as a pydantic private attribute: those
    # cost a dictionary per node at construction, a third of the model's build time.
    @property
    def path(self) -> Path:
        path: Path = self.__dict__.get("_path", ())
        return path

    def at(self, *sub: str | int) -> Path:
        return self.path + sub


def _place(node: Node, path: Path) -> None:
    object.__setattr__(node, "_path", path)


class Metadata(Node):
    name: str
    title: str | None = None
    description: str | None = None
    parent: str | None = None
    labels: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = None


class Person(Node):
    id: str
    name: str | None = None
    title: str | None = None
    role: str | None = None
    level: Level | None = None
    skills: list[str] | None = None
    email: str | None = None


class Member(Person):
    allocation: int = 100
    owns: list[str] = Field(default_factory=list)


class TeamSpec(Node):
    maturity: Maturity
    size: int | None = None
    description: str | None = None
    systems: list[str] = Field(default_factory=list)
    practices: list[str] = Field(default_factory=list)
    members: list[Member]


class Team(Node):
    api_version: Literal["orglint/v1"] = Field(alias="apiVersion")
    kind: Literal["Team"]
    metadata: Metadata
    spec: TeamSpec

    @property
    def id(self) -> str:
        return self.metadata.name

    @property
    def size(self) -> int:
        return self.spec.size if self.spec.size is not None else len(self.spec.members)


class PeopleSpec(Node):
    people: list[Person]


class People(Node):
    api_version: Literal["orglint/v1"] = Field(alias="apiVersion")
    kind: Literal["People"]
    metadata: Metadata | None = None
    spec: PeopleSpec


def build_team(data: dict[str, Any]) -> Team:
    team = Team.model_validate(data)
    _place(team.metadata, ("metadata",))
    _place(team.spec, ("spec",))
    for index, member in enumerate(team.spec.members):
        _place(member, ("spec", "members", index))
    return team


def build_people(data: dict[str, Any]) -> People:
    people = People.model_validate(data)
    _place(people.spec, ("spec",))
    for index, person in enumerate(people.spec.people):
        _place(person, ("spec", "people", index))
    return people
