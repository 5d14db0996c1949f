"""Which org a run sees (issue 13, "pre-commit and the org"): dependents of a changed
People file, matrix or configuration; a partial org said aloud; the nearest
configuration for each file; --force-exclude; YAML that is not orglint's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import dedent

PEOPLE = """\
apiVersion: orglint/v1
kind: People
spec:
  people:
    - {id: alice, name: Alice Chen, title: Senior ML Engineer, level: senior}
    - {id: bo, name: Bo Li, title: MLOps Engineer, level: mid}
"""
TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: vision}
spec:
  maturity: exploring
  members:
    - {id: alice, role: ml-engineer, owns: [training-code]}
    - {id: bo, role: mlops-engineer, owns: [training-pipelines]}
"""
CONFIG = "paths: ['people.yaml', 'teams/*.yaml']\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return root


def _codes(out: str) -> list[tuple[str, str]]:
    return [(f["file"], f["code"]) for f in json.loads(out)["findings"]]


@pytest.fixture
def org(tmp_path: Path) -> Path:
    return _write(tmp_path / "repo", {".orglint.yaml": CONFIG, "people.yaml": PEOPLE,
                                      "teams/vision.yaml": TEAM})


# -- 1. a change to what every file depends on re-checks the org ------------------------


@pytest.mark.parametrize("kind", ["kind: People", "kind: !!str People", "kind: &k People",
                                  "kind: people"])
def test_a_changed_people_file_reports_the_team_files_it_breaks(run_cli, org, kind):
    # However its kind is written, as the check reads it (a tag, an anchor, another case).
    (org / "people.yaml").write_text(PEOPLE.replace("    - {id: bo,", "    - {id: bob,")
                                     .replace("kind: People", kind))
    result = run_cli("check", "people.yaml", "-v", "--output-format", "json", cwd=org)
    assert result.code == 1, result.err
    assert ("teams/vision.yaml", "ORG008") in _codes(result.out)
    assert ("people.yaml changed: every file of the org may depend on it, so the org's 1"
            " other file is checked and reported too") in result.err


@pytest.mark.parametrize("text", [
    "apiVersion: kyverno.io/v1\nkind: Policy\nmetadata: {name: x}\nspec: {rules: []}\n",
    # With a YAML error, what its bytes declare decides: no orglint apiVersion.
    "apiVersion: kyverno.io/v1\nkind: Policy\nmetadata:\n  annotations: {bad\n",
    # Another tool's resource of a kind called `people` (the check skips it).
    "apiVersion: hr.example.com/v1\nkind: people\nmetadata: {name: directory}\n",
])
def test_another_tools_policy_changed_is_no_file_the_org_depends_on(run_cli, org, text):
    # Kyverno's `kind: Policy` matched the People-or-Policy prefilter: staging it made
    # every file of the org reported, as for a People file.
    (org / "kyverno.yaml").write_text(text)
    result = run_cli("check", "kyverno.yaml", "-v", "--output-format", "json", cwd=org)
    assert "every file of the org may depend on it" not in result.err, result.err
    assert not [f for f, _ in _codes(result.out) if f != "kyverno.yaml"]


@pytest.mark.parametrize("changed", [".orglint.yaml", "matrix.yaml"])
def test_a_changed_configuration_or_matrix_reports_the_org(run_cli, org, changed):
    from orglint.resources import builtin_matrix_path

    builtin = builtin_matrix_path("ai-platform")
    assert builtin is not None
    (org / "matrix.yaml").write_bytes(builtin.read_bytes())  # the same matrix, as a file
    (org / ".orglint.yaml").write_text(CONFIG + "matrix: matrix.yaml\n")
    (org / "teams" / "vision.yaml").write_text(TEAM.replace("ml-engineer", "ml-enginer"))
    result = run_cli("check", changed, "--output-format", "json", cwd=org)
    assert ("teams/vision.yaml", "ORG004") in _codes(result.out), result.err
    assert ".orglint.yaml" not in {f for f, _ in _codes(result.out)}


def test_a_changed_team_file_does_not_name_the_others(run_cli, org):
    _write(org, {"teams/other.yaml": TEAM.replace("vision", "other").replace("ml-engineer",
                                                                              "ml-enginer")})
    result = run_cli("check", "teams/vision.yaml", "--output-format", "json", cwd=org)
    assert {f for f, _ in _codes(result.out)} <= {"teams/vision.yaml"}


# -- 2. without paths:, the cross-file rules see only the files named ---------------------


def test_a_partial_org_gets_a_hint_when_references_go_unresolved(run_cli, tmp_path):
    repo = _write(tmp_path / "repo", {"people.yaml": PEOPLE, "teams/vision.yaml": TEAM})
    result = run_cli("check", "teams/vision.yaml", cwd=repo)
    assert result.err.count("\n") == 1
    assert ("hint: cross-file rules saw only the files named; set `paths:` in .orglint.yaml"
            " to check against the whole org") in result.err
    again = run_cli("check", "teams/vision.yaml", cwd=repo)  # a warm run says it again
    assert again.err == result.err
    quiet = run_cli("check", "teams/vision.yaml", "-q", cwd=repo)  # the findings only
    assert quiet.err == "" and quiet.out.strip() and quiet.code == result.code
    verbose = run_cli("check", "teams/vision.yaml", "-v", cwd=repo)
    assert "no 'paths:' (no configuration): the cross-file rules" in verbose.err
    people = run_cli("check", "people.yaml", "-v", cwd=repo)
    assert "people.yaml: every file may depend on it, but with no 'paths:'" in people.err


def test_no_hint_when_everything_resolves_or_paths_are_set(run_cli, tmp_path, org):
    repo = _write(tmp_path / "other", {"teams/vision.yaml": TEAM.replace(
        "{id: alice,", "{id: alice, name: A,").replace("{id: bo,", "{id: bo, name: B,")})
    assert "hint" not in run_cli("check", "teams/vision.yaml", cwd=repo).err
    assert "hint" not in run_cli("check", "teams/vision.yaml", cwd=org).err


def test_a_partial_org_with_unknown_parent_gets_the_hint(run_cli, tmp_path):
    named = TEAM.replace("{name: vision}", "{name: vision, parent: ml-division}")
    repo = _write(tmp_path / "repo", {"teams/vision.yaml": named.replace(
        "{id: alice,", "{id: alice, name: A,").replace("{id: bo,", "{id: bo, name: B,")})
    assert "hint: cross-file rules" in run_cli("check", "teams/vision.yaml", cwd=repo).err


# -- 3. the nearest configuration governs each file --------------------------------------


def test_the_configuration_of_a_subfolder_org_is_found_from_the_file(run_cli, tmp_path):
    repo = tmp_path / "repo"
    _write(repo / "org", {".orglint.yaml": CONFIG, "people.yaml": PEOPLE.replace(
        "    - {id: bo,", "    - {id: bob,"), "teams/vision.yaml": TEAM})
    result = run_cli("check", "org/teams/vision.yaml", "--output-format", "json", cwd=repo)
    # ORG008 needs org/people.yaml, which only org/.orglint.yaml names.
    assert ("org/teams/vision.yaml", "ORG008") in _codes(result.out), result.err
    # The orglint-org hook with `args: [org]`, as the README suggests.
    folder = run_cli("check", "--force-exclude", "org", "--output-format", "json", cwd=repo)
    assert ("org/teams/vision.yaml", "ORG008") in _codes(folder.out), folder.err


def test_files_under_two_configurations_are_checked_each_with_its_own(run_cli, tmp_path):
    repo = tmp_path / "repo"
    bad = TEAM.replace("ml-engineer", "ml-enginer")
    _write(repo / "a", {".orglint.yaml": "ignore: [ORG004]\n", "team.yaml": bad})
    _write(repo / "b", {".orglint.yaml": "select: [ORG004]\n", "team.yaml": bad})
    result = run_cli("check", "a/team.yaml", "b/team.yaml", "--output-format", "json",
                     cwd=repo)
    found = _codes(result.out)
    assert ("b/team.yaml", "ORG004") in found and ("a/team.yaml", "ORG004") not in found
    assert {c for f, c in found if f == "b/team.yaml"} == {"ORG004"}
    assert json.loads(result.out)["summary"]["files"] == 2
    refused = run_cli("check", "a/team.yaml", "b/team.yaml", "--fix", cwd=repo)
    assert refused.code == 2 and "different configurations" in refused.err


def test_a_file_with_no_configuration_above_it_takes_the_current_folders(run_cli, tmp_path):
    repo = _write(tmp_path / "repo", {".orglint.yaml": "ignore: [ORG004]\n"})
    _write(tmp_path / "elsewhere", {"team.yaml": TEAM.replace("ml-engineer", "ml-enginer")})
    result = run_cli("check", str(tmp_path / "elsewhere" / "team.yaml"), "--output-format",
                     "json", cwd=repo)
    assert "ORG004" not in {c for _, c in _codes(result.out)}, result.out


# -- 4. the org is the same however it is reached ----------------------------------------


def test_force_exclude_holds_named_files_to_the_configured_org(run_cli, org):
    _write(org, {"recsys.yaml": TEAM.replace("vision", "recsys").replace("ml-engineer",
                                                                          "ml-enginer")})
    whole = run_cli("check", "--output-format", "json", cwd=org)
    named = run_cli("check", "--force-exclude", "recsys.yaml", "teams/vision.yaml",
                    "people.yaml", "--output-format", "json", cwd=org)
    assert _codes(named.out) == _codes(whole.out)
    verbose = run_cli("check", "--force-exclude", "recsys.yaml", "-v", cwd=org)
    assert "recsys.yaml: skipped: not among the configuration's paths" in verbose.out


def test_yaml_that_is_not_orglint_is_skipped_even_when_broken(run_cli, tmp_path, monkeypatch):
    import orglint.engine

    def never(*args: object) -> object:
        raise AssertionError("a non-orglint document reached the schema check")

    monkeypatch.setattr(orglint.engine, "validate", never)
    repo = _write(tmp_path / "repo", {
        "ci.yaml": "jobs:\n  build:\n\truns-on: ubuntu-latest\n",
        "svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n",
        "values.yaml": "replicas: 3\nimage: {tag: latest}\nreplicas: 4\n"})
    result = run_cli("check", "ci.yaml", "svc.yaml", "values.yaml", "-v", cwd=repo)
    assert result.code == 0, result.out  # not even ORG002 for values.yaml's duplicate key
    assert result.out.count("not an orglint document") == 3


def test_orglint_files_and_limits_are_still_reported(run_cli, tmp_path):
    repo = _write(tmp_path / "repo", {
        "team.yaml": "kind: Team\nmetadata: {name: [\n",
        "dup.yaml": TEAM.replace("metadata: {name: vision}", "metadata: {name: v, name: w}"),
        "deep.yaml": "a: " + "[" * 200 + "]" * 200 + "\n"})
    result = run_cli("check", "team.yaml", "dup.yaml", "deep.yaml", "--output-format",
                     "json", cwd=repo)
    found = _codes(result.out)
    assert ("team.yaml", "ORG001") in found and ("dup.yaml", "ORG002") in found
    assert ("deep.yaml", "ORG001") in found  # over the nesting limit: reported anyway


# -- 5. --force-exclude ------------------------------------------------------------------


def test_force_exclude_skips_excluded_files_named(run_cli, org):
    (org / ".orglint.yaml").write_text(CONFIG + "exclude: ['teams/archive/*']\n")
    _write(org, {"teams/archive/old.yaml": TEAM.replace("vision", "old").replace(
        "ml-engineer", "ml-enginer")})
    assert run_cli("check", "teams/archive/old.yaml", cwd=org).code == 1
    forced = run_cli("check", "teams/archive/old.yaml", "--force-exclude", "-v", cwd=org)
    assert forced.code == 0, forced.out
    assert "teams/archive/old.yaml: skipped: excluded by the configuration" in forced.out


# -- 6. an apiVersion that looks like orglint's -------------------------------------------


@pytest.mark.parametrize("api", ["orglint.dev/v1", "Orglint/v1", "orglint/v2"])
def test_an_api_version_like_orglints_is_org003_with_did_you_mean(lint, api):
    found = lint.check(f"""
        apiVersion: {api}
        kind: Team
        metadata: {{name: t}}
        spec: {{maturity: exploring, members: []}}
        """, expected=[(1, 13, "ORG003")])
    assert "did you mean 'orglint/v1'" in found[0].message


def test_other_api_versions_are_still_skipped(lint):
    lint.check("apiVersion: backstage.io/v1alpha1\nkind: Group\n", expected=[])
