"""The matrix is data: an org extends it, adds its own anti-patterns, and is checked."""

from __future__ import annotations

import json

import pytest

from orglint.errors import MatrixError
from orglint.matrix import load_matrix
from tests.conftest import at, dedent

ORG_MATRIX = """\
apiVersion: orglint/v1
kind: RoleMatrix
metadata: {name: acme}
spec:
  extends: ai-platform
  roles:
    devops-sre:
      aliases: [Production Engineer]
    research-engineer:
      title: Research Engineer
      summary: Turns papers into prototypes.
      aliases: [Research Engineer]
  responsibilities:
    paper-reproduction: {owner: research-engineer, title: Reproducing papers}
  systems:
    feature-store: {requires: [feature-store-population]}
    llm-gateway: {requires: [serving-runtime]}
  practices:
    red-teaming: {title: Red teaming}
  anti-patterns:
    - code: ACME001
      name: sre-populates-features
      severity: warning
      kind: owns
      summary: An SRE populates the feature store
      roles: [devops-sre]
      responsibilities: [feature-store-population]
      message: "{member} ({role}) fills the feature store: {why}"
      why: at ACME the data team owns every feature contract
"""

TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: t}
spec:
  maturity: pilot
  systems: [feature-store, llm-gateway]
  practices: [red-teaming]
  members:
    - {id: pat, name: P, title: Production Engineer, owns: [feature-store-population]}
    - {id: rae, name: R, role: research-engineer, owns: [paper-reproduction]}
    - {id: dee, name: D, role: data-engineer, owns: [data-quality-contracts]}
    - {id: kai, name: K, role: platform-engineer, owns: [serving-runtime]}
"""


@pytest.fixture
def acme(tmp_path):
    (tmp_path / "matrix.yaml").write_text(dedent(ORG_MATRIX))
    (tmp_path / ".orglint.yaml").write_text("matrix: matrix.yaml\nignore: [ORG206]\n")
    (tmp_path / "team.yaml").write_text(dedent(TEAM))
    return tmp_path


def test_extended_matrix_merges(acme):
    matrix = load_matrix(acme / "matrix.yaml")
    assert matrix.role_for_title("Senior Production Engineer") == "devops-sre"
    assert matrix.role_for_title("DevOps Engineer") == "devops-sre"  # built-in alias kept
    assert matrix.systems["feature-store"].requires == ("feature-store-population",)
    assert "model-serving" in matrix.systems
    assert matrix.owner("paper-reproduction") == "research-engineer"
    assert len(matrix.patterns("ORG104")) == 1


def test_custom_anti_pattern_is_reported_like_any_rule(run_cli, acme):
    result = run_cli("check", "team.yaml", "--output-format", "json")
    found = json.loads(result.out)["findings"]
    where = at(TEAM, "feature-store-population")
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("ACME001", *where)]
    assert found[0]["name"] == "sre-populates-features"
    assert found[0]["message"] == (
        "pat (devops-sre) fills the feature store: at ACME the data team owns every feature"
        " contract")
    assert found[0]["severity"] == "warning"
    # Selectable by code, prefix and name; it stands in for the generic ORG102.
    assert run_cli("check", "team.yaml", "--ignore", "ACME").code == 0
    assert json.loads(run_cli("check", "team.yaml", "--select", "sre-populates-features",
                              "--output-format", "json").out)["summary"]["warnings"] == 1


def test_a_custom_owns_rule_is_documented_with_an_example_from_its_ids(run_cli, acme):
    page = run_cli("rule", "ACME001", cwd=acme).out
    assert "## Example\n```yaml\n- {id: ana, role: devops-sre, owns:" \
           " [feature-store-population]}\n```" in page
    assert "Use instead:\n```yaml\n- {id: ana, role: data-engineer, owns:" \
           " [feature-store-population]}\n```" in page


def test_a_message_template_is_text_not_code(run_cli, acme):
    # Only {name} placeholders are filled; format syntax such as attribute access, which
    # str.format would evaluate (and crash on), is left as written.
    matrix = (acme / "matrix.yaml").read_text().replace(
        'message: "{member} ({role}) fills the feature store: {why}"',
        'message: "{member.nope} {role!r} {0} {member} fills the feature store"')
    (acme / "matrix.yaml").write_text(matrix)
    result = run_cli("check", "team.yaml", "--output-format", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)["findings"]
    assert [(f["code"], f["line"], f["column"]) for f in found] == [
        ("ACME001", *at(TEAM, "feature-store-population"))]
    assert found[0]["message"] == "{member.nope} {role!r} {0} pat fills the feature store"


def test_custom_rules_are_in_sarif(run_cli, acme):
    sarif = json.loads(run_cli("check", "team.yaml", "--output-format", "sarif").out)
    assert sarif["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "ACME001"


@pytest.mark.parametrize(("patch", "message"), [
    ("    paper-reproduction: {owner: research-engineer, title: Reproducing papers}\n",
     "    paper-reproduction: {owner: researcher, title: Reproducing papers}\n"),
    ("    llm-gateway: {requires: [serving-runtime]}\n",
     "    llm-gateway: {requires: [servng-runtime]}\n"),
    ("      roles: [devops-sre]\n", "      roles: [sre]\n"),
    ("    - code: ACME001\n", "    - code: ORG101\n"),
])
def test_a_matrix_that_contradicts_itself_is_exit_2(run_cli, acme, patch, message):
    (acme / "matrix.yaml").write_text(dedent(ORG_MATRIX).replace(patch, message))
    result = run_cli("check", "team.yaml")
    assert result.code == 2
    assert "contradicts itself" in result.err


def test_matrix_schema_errors_are_exit_2_with_position(run_cli, acme):
    (acme / "matrix.yaml").write_text(dedent(ORG_MATRIX).replace("severity: warning",
                                                                 "severity: loud"))
    result = run_cli("check", "team.yaml")
    assert result.code == 2
    assert "matrix.yaml:23:17: severity must be one of error, warning, info" in result.err


def test_unknown_extends(tmp_path):
    (tmp_path / "m.yaml").write_text(dedent(ORG_MATRIX).replace("extends: ai-platform",
                                                                "extends: ai-platfrom"))
    with pytest.raises(MatrixError, match="names no built-in matrix"):
        load_matrix(tmp_path / "m.yaml")


def test_no_rule_hard_codes_matrix_vocabulary():
    """Role and responsibility ids live in rules/ai-platform.yaml, not in the rule code."""
    from tests.conftest import REPO

    matrix = load_matrix()
    vocabulary = set(matrix.roles) | set(matrix.responsibilities) | set(matrix.systems)
    for path in (REPO / "src" / "orglint" / "rules").glob("*.py"):
        code = "\n".join(line for line in path.read_text().splitlines()
                         if not line.strip().startswith(("-", "#", "`", "owns:", "role:"))
                         and '"""' not in line)
        strings = {part for part in code.split('"')[1::2]}
        assert not strings & vocabulary, (path.name, strings & vocabulary)


@pytest.mark.parametrize(("patch", "message", "expected"), [
    ("{owner: research-engineer, title", "{owner: researcher, title",
     "matrix.yaml:14:33: responsibility 'paper-reproduction' has unknown owner role"
     " 'researcher'"),
    ("      roles: [devops-sre]\n", "      roles: [sre]\n",
     "matrix.yaml:26:14: anti-pattern ACME001 (sre-populates-features): unknown role 'sre'"),
])
def test_a_contradiction_names_the_file_and_line_of_the_entry(run_cli, acme, patch, message,
                                                               expected):
    (acme / "matrix.yaml").write_text(dedent(ORG_MATRIX).replace(patch, message))
    result = run_cli("check", "team.yaml")
    assert result.code == 2
    assert expected in result.err, result.err


def test_the_builtin_matrix_twin_is_compiled_from_its_yaml():
    from orglint.matrix import compiled_builtin
    from tests.conftest import REPO

    for source in sorted((REPO / "rules").glob("*.yaml")):
        twin = source.with_suffix(".json")
        assert twin.is_file(), "run: python scripts/compile_matrix.py"
        assert twin.read_text(encoding="utf-8") == compiled_builtin(source), \
            f"{twin.name} drifted; run: python scripts/compile_matrix.py"


def test_the_builtin_matrix_is_read_from_its_twin_without_parsing_yaml(monkeypatch):
    from orglint import matrix

    def refuse(*_args: object) -> None:
        raise AssertionError("the built-in matrix's YAML was parsed")

    expected = load_matrix()
    monkeypatch.setattr(matrix, "_read_matrix_file", refuse)
    got = load_matrix()
    assert (got.spec, got.digest, got.sources) == (expected.spec, expected.digest,
                                                   expected.sources)


def test_a_twin_not_compiled_from_the_yaml_beside_it_is_not_used(tmp_path):
    from orglint.matrix import _builtin_data, compiled_builtin
    from orglint.resources import builtin_matrix_path

    builtin = builtin_matrix_path("ai-platform")
    assert builtin is not None
    source = tmp_path / "ai-platform.yaml"
    source.write_bytes(builtin.read_bytes())
    twin = json.loads(compiled_builtin(source))
    twin["data"]["metadata"]["name"] = "from-the-twin"
    (tmp_path / "ai-platform.json").write_text(json.dumps(twin))
    assert _builtin_data(source)[0]["metadata"]["name"] == "from-the-twin"
    # The YAML edited since the twin was made: the YAML is what counts.
    source.write_bytes(builtin.read_bytes().replace(b"name: ai-platform", b"name: edited", 1))
    assert _builtin_data(source)[0]["metadata"]["name"] == "edited"
    (tmp_path / "ai-platform.json").write_text("{not json")
    assert _builtin_data(source)[0]["metadata"]["name"] == "edited"
