"""kind: Group (spec §1): divisions and departments as parents, in ORG010 and ORG011."""

from __future__ import annotations

import json

from tests.conftest import at


def group(name: str, parent: str | None = None, extra: str = "") -> str:
    meta = f"{{name: {name}" + (f", parent: {parent}" if parent else "") + "}"
    return f"apiVersion: orglint/v1\nkind: Group\nmetadata: {meta}\n{extra}"


def team(name: str, parent: str) -> str:
    return (f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: {name}, parent: {parent}}}\n"
            "spec:\n  maturity: pilot\n  members: [{id: a, role: ml-engineer}]\n")


def test_the_readme_parent_is_known_once_the_group_exists(lint):
    source = team("recsys", "ml-division")
    lint.check(source, select=["ORG0"], expected=[(*at(source, "ml-division"), "ORG011")])
    lint.check(source, select=["ORG0"], files={"org/ml-division.yaml": group("ml-division")},
               expected=[])


def test_a_group_in_the_same_file_and_a_group_parent_of_a_group(lint):
    source = team("recsys", "ml") + "---\n" + group("ml", "eng") + "---\n" + group("eng")
    lint.check(source, select=["ALL"], expected=[])


def test_a_group_with_an_unknown_parent(lint):
    source = group("ml", "engineerin")
    found = lint.check(source, select=["ORG011"], files={"eng.yaml": group("engineering")},
                       expected=[(*at(source, "engineerin"), "ORG011")])
    assert "not a team or group in the org (did you mean 'engineering'?)" in found[0].message


def test_parents_cycle_through_groups_and_teams(lint):
    source = group("ml", "recsys")
    found = lint.check(source, select=["ORG011"], files={"t.yaml": team("recsys", "ml")},
                       expected=[(*at(source, "recsys"), "ORG011")])
    assert found[0].severity.label == "error"
    assert "ml -> recsys -> ml" in found[0].message


def test_a_group_and_a_team_with_one_id_are_duplicates(lint):
    source = group("recsys")
    found = lint.check(source, select=["ORG010"], files={"t.yaml": team("recsys", "x")},
                       expected=[(*at(source, "recsys"), "ORG010")])
    assert found[0].message == "group id 'recsys' is also defined at t.yaml:3"
    lint.check(source + "---\n" + group("recsys"), select=["ORG010"],
               expected=[(3, 18, "ORG010"), (7, 18, "ORG010")])


def test_a_group_needs_no_spec_and_takes_no_unknown_key(lint):
    source = group("ml", extra="spec: {maturity: pilot}\n")
    found = lint.check(source, select=["ALL"], expected=[(*at(source, "spec"), "ORG003")])
    assert "unknown key 'spec'" in found[0].message


def test_orglint_schema_group(run_cli):
    result = run_cli("schema", "Group")
    assert result.code == 0
    assert json.loads(result.out)["properties"]["kind"] == {"const": "Group"}
