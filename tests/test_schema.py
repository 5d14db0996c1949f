"""The JSON Schemas are the contract: the model agrees with them, and errors read well."""

from __future__ import annotations

import json
from typing import get_args

import pytest
from pydantic import BaseModel

from orglint.loader import load
from orglint.model import (
    ALIASES,
    LEVEL_RANK,
    Group,
    Level,
    Maturity,
    Member,
    Metadata,
    People,
    PeopleSpec,
    Person,
    Team,
    TeamSpec,
)
from orglint.resources import SCHEMA_FILES, schema
from orglint.schema import validate

PAIRS = [
    (Team, "Team", None),
    (TeamSpec, "Team", "teamSpec"),
    (Member, "Team", "member"),
    (Metadata, "Team", "metadata"),
    (People, "People", None),
    (PeopleSpec, "People", "peopleSpec"),
    (Metadata, "People", "metadata"),
    (Person, "People", "person"),
    (Group, "Group", None),
    (Metadata, "Group", "metadata"),
]


def _fields(model: type) -> dict[str, bool]:
    """Schema key -> required, for a pydantic model or a NamedTuple of orglint.model."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        return {(f.alias or name): f.is_required() for name, f in model.model_fields.items()}
    return {ALIASES.get(name, name): name not in model._field_defaults
            for name in model._fields if name != "path"}


@pytest.mark.parametrize(("model", "kind", "definition"), PAIRS)
def test_model_and_schema_agree(model, kind, definition):
    root = schema(kind)
    node = root["$defs"][definition] if definition else root
    props = set(node["properties"])
    required = set(node.get("required", []))
    fields = _fields(model)
    assert set(fields) == props, f"{model.__name__} vs {kind}/{definition}"
    assert {k for k, req in fields.items() if req} == required


def test_enums_agree():
    team = schema("Team")
    assert team["$defs"]["teamSpec"]["properties"]["maturity"]["enum"] == list(
        get_args(Maturity))
    level = team["$defs"]["level"]["enum"]
    assert level == list(get_args(Level)) == list(LEVEL_RANK)
    assert schema("People")["$defs"]["level"] == team["$defs"]["level"]


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_schemas_are_valid_draft_2020_12(kind):
    import jsonschema_rs

    data = schema(kind)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema_rs.Draft202012Validator(data)
    json.dumps(data)


def test_matrix_file_validates_against_its_schema():
    from orglint.resources import builtin_matrix_path

    path = builtin_matrix_path("ai-platform")
    loaded = load(path.read_bytes(), str(path))
    assert not loaded.findings
    assert validate(loaded.documents[0], "RoleMatrix", str(path)) == []


def _messages(text: str) -> list[str]:
    doc = load(text.encode(), "t.yaml").documents[0]
    return [f.message for f in validate(doc, "Team", "t.yaml")]


def test_messages_read_well():
    assert _messages("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\n"
                     "spec: {maturity: prod, members: [{id: a, allocation: 0, level: 5}]}\n") == [
        "maturity must be one of exploring, pilot, production, scale, got 'prod'"
        " (did you mean 'production'?)",
        "allocation must be an integer from 1 to 100, got 0",
        "level must be one of junior, mid, senior, staff, principal, got 5",
    ]
    assert _messages("apiVersion: orglint/v1\nkind: Team\nmetadata: {}\n") == [
        "the document is missing the required key 'spec'",
        "metadata is missing the required key 'name'",
    ]
    assert _messages("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\n"
                     "spec: {maturity: pilot, members: [], systems: [a, a]}\n") == [
        "systems lists 'a' twice"]


def test_best_match_for_any_of():
    from orglint.schema import explain_all

    root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "anyOf": [{"type": "object", "required": ["id"],
                       "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}},
                      {"type": "string"}]}
    found = explain_all({"id": "x", "n": "two"}, root)
    assert len(found) == 1
    assert found[0][1].startswith("n must be an integer, got 'two'")
