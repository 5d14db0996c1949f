"""The example policies: their seeded teams, silence on examples/good, and the four
built-in anti-pattern kinds written as policies giving the built-in rules' findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO

POLICIES = REPO / "examples" / "policies"
# The four built-in kinds as policies: test material, kept out of examples/ so that
# `orglint check examples/` does not report each of those findings twice.
PATTERNS = REPO / "tests" / "data" / "policies" / "patterns.yaml"

SEEDED = [
    ("teams/hub.yaml", 1, 1, "ACME005"), ("teams/hub.yaml", 8, 13, "ACME002"),
    ("teams/hub.yaml", 11, 12, "ACME004"), ("teams/hub.yaml", 24, 13, "ACME002"),
    ("teams/hub.yaml", 26, 12, "ACME004"),
    ("teams/hub.yaml", 27, 12, "ACME003"), ("teams/hub.yaml", 28, 12, "ACME006"),
    ("teams/hub.yaml", 35, 18, "ACME004"),
    ("teams/hub.yaml", 42, 18, "ACME004"), ("teams/nine-no-manager.yaml", 4, 9, "ACME001"),
]


def _json(done) -> list[dict]:
    findings: list[dict] = json.loads(done.out)["findings"]
    return findings


def test_example_policies_fire_on_their_seeded_teams(run_cli):
    done = run_cli("check", "--output-format", "json", "--select", "ACME", cwd=POLICIES)
    assert done.code == 1, done.err
    got = [(f["file"], f["line"], f["column"], f["code"]) for f in _json(done)]
    assert got == SEEDED
    # every target is covered by the six ACME rules
    assert {code for *_, code in got if code.startswith("ACME")} == {
        f"ACME00{n}" for n in range(1, 7)}


def test_example_policies_stay_silent_on_the_good_example(run_cli, tmp_path):
    (tmp_path / "cfg.yaml").write_text(f"policies: ['{POLICIES}/*.yaml', '{PATTERNS}']\n")
    done = run_cli("check", "--config", str(tmp_path / "cfg.yaml"), "--output-format", "json",
                   "--select", "ACME,PAT", str(REPO / "examples" / "good"))
    assert done.code == 0 and _json(done) == [], done.err


def test_orglint_check_examples_obeys_the_example_policies_it_names(run_cli):
    # The policy files are among the files named, so they are part of the org (spec
    # sections 1 and 7), and a policy that errors on the broken examples would show.
    done = run_cli("check", "examples/", "--no-config", "--output-format", "json", cwd=REPO)
    assert done.code == 1
    found = {(f["file"], f["line"], f["column"], f["code"]) for f in _json(done)}
    assert ("examples/policies/teams/nine-no-manager.yaml", 4, 9, "ACME001") in found
    assert ("examples/bad/coverage.yaml", 7, 13, "ACME002") in found
    assert not [f for f in found if f[3] == "ORG903"]


@pytest.mark.parametrize(("builtin", "policy"), [
    ("ORG104", "PAT104"), ("ORG109", "PAT109"), ("ORG201", "PAT201"), ("ORG203", "PAT203")])
def test_each_builtin_pattern_kind_written_as_a_policy_finds_the_same(
        run_cli, tmp_path, builtin, policy):
    (tmp_path / "cfg.yaml").write_text(f"policies: ['{PATTERNS}']\n")
    done = run_cli("check", "--config", str(tmp_path / "cfg.yaml"), "--output-format", "json",
                   "--select", f"{builtin},{policy}", "examples/bad", "examples/good",
                   "examples/policies/teams", cwd=REPO)
    found = _json(done)

    def where(code: str) -> set[tuple[str, str]]:
        return {(f["file"], f["entity"]) for f in found if f["code"] == code}

    assert where(builtin), f"{builtin} should fire on the examples"
    assert where(policy) == where(builtin)


def test_the_readme_policy_section_names_every_target():
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Policies"):]
    for target in ("`team`", "`member`", "`person`", "`org`", "`matrix`"):
        assert target in section


def test_seeded_test_input_files_exist():
    assert (Path(POLICIES) / "teams" / "nine-no-manager.yaml").is_file()


def test_the_readme_worked_examples_compile_for_their_targets():
    from orglint.policy.cel import compile_expression
    from orglint.policy.compiled import NAMES

    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Policies"):readme.index("## Configuration")]
    rows = [line for line in section.splitlines()
            if line.startswith("| `") and line.count("|") >= 5]
    assert len(rows) == 4
    for row in rows:
        target = row.split("`")[1]
        expression = row.rsplit("`", 2)[-2].replace("\\|", "|")
        program = compile_expression(expression, NAMES[target])
        assert program.result_type in ("bool", "dyn"), (target, expression)
