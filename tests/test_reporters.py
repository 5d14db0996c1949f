"""CI formats: SARIF against the official schema, the others against their shapes."""

from __future__ import annotations

import json
import subprocess
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import REPO, dedent

SARIF_SCHEMA = REPO / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"

A = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: a}
spec:
  maturity: pilot
  members:
    - {id: kim, name: Kim, role: ml-engineer, allocation: 60, owns: [training-code]}
    - {id: dmitri, name: D, role: devops-sre, owns: [training-pipelines, model-rollback]}
"""
B = A.replace("name: a}", "name: b}").replace("    - {id: dmitri", "    # moved\n    - {id: dmitri")


@pytest.fixture
def repo(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "a.yaml").write_text(dedent(A))
    (tmp_path / "teams" / "b.yaml").write_text(dedent(B))
    return tmp_path


def test_sarif_validates_against_the_official_schema(run_cli, repo):
    import jsonschema_rs

    result = run_cli("check", ".", "--output-format", "sarif", cwd=repo / "teams")
    log = json.loads(result.out)
    schema = json.loads(SARIF_SCHEMA.read_text())
    errors = [e.message for e in jsonschema_rs.validator_for(schema).iter_errors(log)]
    assert errors == []
    run = log["runs"][0]
    results = run["results"]
    first = results[0]
    assert {"ruleId", "level", "message", "locations", "partialFingerprints"} <= set(first)
    region = first["locations"][0]["physicalLocation"]["region"]
    assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
    # Paths are relative to the repository root, not to the working folder.
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"teams/a.yaml", "teams/b.yaml"}
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {r["ruleId"] for r in results}
    for rule in rules.values():
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"]
    over = [r for r in results if r["ruleId"] == "ORG301"]
    assert len(over) == 4 and all(r["relatedLocations"] for r in over)
    # Columns are characters, as orglint counts them everywhere (not UTF-16 units).
    assert run["columnKind"] == "unicodeCodePoints"


def test_fingerprints_survive_line_moves(run_cli, repo):
    def prints() -> dict[str, str]:
        log = json.loads(run_cli("check", "teams/a.yaml", "--output-format", "sarif",
                                 cwd=repo).out)
        return {r["message"]["text"]: r["partialFingerprints"]["orglintFingerprint/v1"]
                for r in log["runs"][0]["results"]}

    before = prints()
    text = (repo / "teams" / "a.yaml").read_text()
    (repo / "teams" / "a.yaml").write_text("# a new first line\n" + text)
    assert prints() == before
    assert len(set(before.values())) == len(before)


def test_github_annotations(run_cli, repo):
    out = run_cli("check", "teams/a.yaml", "--output-format", "github", cwd=repo).out
    lines = out.splitlines()
    assert lines[0].startswith("::")
    error = next(line for line in lines if line.startswith("::error "))
    assert error.startswith("::error file=teams/a.yaml,line=")
    assert ",col=" in error and ",endLine=" in error and ",title=ORG" in error
    assert any(line.startswith("::notice ") for line in lines)


def test_gitlab_code_quality(run_cli, repo):
    issues = json.loads(run_cli("check", "teams", "--output-format", "gitlab", cwd=repo).out)
    assert issues
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity",
                              "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["location"]["path"].startswith("teams/")
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_junit(run_cli, repo):
    out = run_cli("check", "teams", "--output-format", "junit", "--fail-on", "error",
                  cwd=repo).out
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["teams/a.yaml", "teams/b.yaml"]
    failures = [f for c in cases for f in c.findall("failure")]
    assert len(failures) == int(suite.get("failures")) > 0
    assert all(f.get("type").startswith("ORG") for f in failures)
    # Warnings and infos are not failures at --fail-on error.
    errors = json.loads(run_cli("check", "teams", "--output-format", "json", cwd=repo).out)
    assert len(failures) == errors["summary"]["errors"]


def test_notes_about_unreadable_org_files_reach_json_and_sarif(run_cli, repo):
    import jsonschema_rs

    (repo / ".orglint.yaml").write_text("paths: [people.yaml]\n")
    (repo / "people.yaml").write_text("apiVersion: orglint/v1\nkind: People\nspec:\n"
                                      "  people: [{id: a\n")
    data = json.loads(run_cli("check", "teams/a.yaml", "--output-format", "json",
                              cwd=repo).out)
    assert len(data["notes"]) == 1
    assert data["notes"][0].startswith("people.yaml (part of the org) could not be read:"
                                       " ORG001 at")
    log = json.loads(run_cli("check", "teams/a.yaml", "--output-format", "sarif",
                             cwd=repo).out)
    schema = json.loads(SARIF_SCHEMA.read_text())
    assert [e.message for e in jsonschema_rs.validator_for(schema).iter_errors(log)] == []
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["warning"]
    assert notes[0]["message"]["text"] == data["notes"][0]
    assert log["runs"][0]["results"]  # the findings are still there
    # A sound org: an empty list in JSON, no invocation in SARIF.
    (repo / "people.yaml").write_text("apiVersion: orglint/v1\nkind: People\nspec:\n"
                                      "  people: []\n")
    assert json.loads(run_cli("check", "teams/a.yaml", "--output-format", "json",
                              cwd=repo).out)["notes"] == []
    log = json.loads(run_cli("check", "teams/a.yaml", "--output-format", "sarif",
                             cwd=repo).out)
    assert "invocations" not in log["runs"][0]
