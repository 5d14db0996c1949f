"""Policies (spec section 7): compile errors at their place, ORG903, targets, `orglint test`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orglint.codes import BUILTIN_CODES, PATTERN_CODES
from orglint.rules import PATTERN_CODES as REGISTRY_PATTERNS
from orglint.rules import REGISTRY
from tests.conftest import REPO, dedent

TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata:
  name: recsys
spec:
  maturity: production
  systems: [feature-store]
  members:
    - {id: ana, role: data-scientist, level: junior}
    - {id: bo, title: MLOps Engineer, owns: [model-rollback]}
"""


def policy(rules: str, tests: str = "") -> str:
    text = ("apiVersion: orglint/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  rules:\n"
            + "\n".join("    " + line for line in dedent(rules).splitlines()) + "\n")
    if tests:
        text += "  tests:\n" + "\n".join("    " + ln for ln in dedent(tests).splitlines()) + "\n"
    return text


def org(tmp_path: Path, rules: str, tests: str = "", team: str = TEAM) -> Path:
    (tmp_path / "team.yaml").write_text(team)
    (tmp_path / "acme.yaml").write_text(policy(rules, tests))
    (tmp_path / ".orglint.yaml").write_text("policies: [acme.yaml]\n")
    return tmp_path


def test_codes_module_matches_the_registry():
    assert frozenset(REGISTRY) == BUILTIN_CODES
    assert PATTERN_CODES == REGISTRY_PATTERNS


def test_matrix_no_longer_imports_rules():
    source = (REPO / "src/orglint/matrix.py").read_text()
    assert "orglint.rules" not in source


def test_team_rule_fires_at_its_at_path(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME010
          name: feature-store-needs-two-data-engineers
          severity: error
          target: team
          match: "'feature-store' in team.spec.systems"
          variables:
            - {name: des, expression: "team.spec.members.filter(m, m.role == 'data-engineer')"}
          expression: "variables.des.size() >= 2"
          messageExpression: "'only ' + string(variables.des.size()) + ' data engineer(s)'"
          at: spec.systems
        """)
    done = run_cli("check", "team.yaml", "--output-format", "json", "--select", "ACME010")
    assert done.code == 1, done.err
    found = json.loads(done.out)["findings"]
    assert [(f["line"], f["column"], f["code"], f["message"]) for f in found] == [
        (7, 12, "ACME010", "only 0 data engineer(s)")]


def test_member_rule_sees_the_role_inferred_from_the_title(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME011
          name: mlops-owns-rollback
          target: member
          match: "member.role == 'mlops-engineer'"
          expression: "!('model-rollback' in member.owns)"
          message: inferred
        """)
    done = run_cli("check", "team.yaml", "--select", "ACME011")
    assert "team.yaml:10:12: ACME011 [warning] inferred" in done.out
    # `at: role` where the role is inferred: at the title it was read from, as the
    # built-in rules point, not at the id.
    (tmp_path / "acme.yaml").write_text(policy("""\
        - code: ACME011
          name: mlops-owns-rollback
          target: member
          match: "member.role == 'mlops-engineer'"
          expression: "!('model-rollback' in member.owns)"
          message: inferred
          at: role
        """))
    done = run_cli("check", "team.yaml", "--select", "ACME011")
    assert "team.yaml:10:23: ACME011 [warning] inferred" in done.out, done.out


def test_rules_read_the_x_keys_of_a_team_and_its_members_as_written(tmp_path, run_cli):
    # Spec 1 allows x- keys; the team target is the document as written.  They were
    # left out, so a rule on them judged a team that has them as one that has not.
    team = """\
        apiVersion: orglint/v1
        kind: Team
        x-cost-center: "4711"
        metadata: {name: xt, x-owner: ana}
        spec:
          maturity: pilot
          x-tier: gold
          members:
            - {id: zed, role: ml-engineer, x-contractor: true}
            - {id: amy, role: ml-engineer}
        """
    org(tmp_path, """\
        - code: FX001
          name: a
          target: team
          expression: "'x-cost-center' in team && team.metadata['x-owner'] == 'ana'"
        - {code: FX002, name: b, target: member, expression: "!('x-contractor' in member)"}
        - code: FX003
          name: c
          target: team
          expression: "!team.spec['x-tier'].startsWith('gold')"
        - {code: FX004, name: d, target: org, expression: "org.teams.all(t, !('x-tier' in t.spec))"}
        - {code: FX005, name: e, target: person, expression: "person.teams.size() > 0"}
        """, team=dedent(team))
    done = run_cli("check", "--output-format", "json", "--select", "FX,ORG903")
    assert done.code == 0, done.err
    found = json.loads(done.out)["findings"]
    assert [(f["line"], f["column"], f["code"]) for f in found] == [
        (1, 1, "FX004"), (4, 18, "FX003"), (9, 12, "FX002")]


def test_x_keys_read_through_the_org_and_nul_characters_are_not_cut(tmp_path, run_cli):
    # Through org.teams an x- key was always null (the org view kept words, and x-tier
    # is no word); a NUL ended a string inside the engine ("alice\0mallory" == alice).
    team = """\
        apiVersion: orglint/v1
        kind: Team
        x-tier: gold
        x-tier.v2: gold
        x-owner: "alice\\0mallory"
        metadata: {name: xt}
        spec:
          maturity: pilot
          members:
            - {id: zed, role: ml-engineer}
        """
    org(tmp_path, """\
        - code: FX010
          name: gold-only
          target: org
          expression: >-
            org.teams.all(t, t['x-tier'].startsWith('gold')
                             && t['x-tier.v2'].startsWith('gold'))
        - code: FX011
          name: known-owner
          target: team
          expression: "team['x-owner'] in ['alice', 'bob']"
        """, team=dedent(team))
    done = run_cli("check", "--output-format", "json", "--select", "FX,ORG903")
    found = json.loads(done.out)["findings"]
    assert [(f["line"], f["code"]) for f in found] == [(6, "FX011")], done.out


def test_a_nul_in_a_text_field_is_no_end_of_its_string_to_a_policy(tmp_path, run_cli):
    # cel-cpp ends a string at a NUL: "ML Engineer\0 (intern)" read as "ML Engineer",
    # so a title rule that should fire passed, for a member, a team and a person alike.
    team = """\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: xt, title: "Search\\x00 Team", description: "d\\0x"}
        spec:
          maturity: pilot
          members:
            - {id: zed, role: ml-engineer, title: "ML Engineer\\0 (intern)"}
        """
    org(tmp_path, """\
        - {code: FX020, name: a, target: member, expression: "member.title != 'ML Engineer'"}
        - {code: FX021, name: b, target: team, expression: "team.metadata.title != 'Search'"}
        - {code: FX022, name: c, target: person, expression: "person.title != 'ML Engineer'"}
        - {code: FX023, name: d, target: team, expression: "team.metadata.description != 'd'"}
        """, team=dedent(team))
    done = run_cli("check", "--output-format", "json", "--select", "FX,ORG903")
    found = json.loads(done.out)["findings"]
    assert found == [], done.out


def test_person_and_org_rules(tmp_path, run_cli):
    other = TEAM.replace("recsys", "search").replace("ana, role", "ana, allocation: 10, role")
    (tmp_path / "other.yaml").write_text(other)
    org(tmp_path, """\
        - code: ACME012
          name: one-team-each
          target: person
          expression: "person.teams.size() <= 1"
          messageExpression: "person.id + ' on ' + string(person.teams.size())"
        - code: ACME013
          name: few-teams
          target: org
          expression: "org.teams.size() < 2 && org.people.size() > 0"
          message: too many teams
        """)
    (tmp_path / ".orglint.yaml").write_text("policies: [acme.yaml]\npaths: [other.yaml]\n")
    done = run_cli("check", "team.yaml", "--select", "ACME")
    lines = done.out.splitlines()
    assert done.code == 0, done.err
    assert any(line.startswith("team.yaml:9:12: ACME012 [warning] ana ") for line in lines)
    # The org rule's place is line 1 of the first file of the org in path order (spec
    # section 7), other.yaml, whichever file is named: not reported, as it is not.
    assert not any(line.startswith("other.yaml") or "ACME013" in line for line in lines)
    both = run_cli("check", "team.yaml", "other.yaml", "--select", "ACME")
    assert "other.yaml:1:1: ACME013 [warning] too many teams" in both.out.splitlines()
    assert "team.yaml:1:1: ACME013" not in both.out


def test_run_time_error_is_org903_never_a_pass(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME014
          name: has-size
          target: team
          expression: "team.spec.members[5].level == 'staff'"
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 1
    assert "team.yaml:4:9: ORG903 [error] policy rule ACME014 (has-size) failed" in done.out


@pytest.mark.parametrize(("expression", "where", "what"), [
    ('"team.spec.members.size( > 2"', "acme.yaml:9:44", "Syntax error"),
    ('"teem.spec.size() > 2"', "acme.yaml:9:24", "undeclared reference to 'teem.spec'"),
    ('"team.spec.members.size() + 1"', "acme.yaml:9:20", "must be a bool, not int"),
    ('"variables.nope > 1"', "acme.yaml:9:30", "unknown variable 'variables.nope'"),
    ('"team.spec.sytems.size() > 0"', "acme.yaml:9:30", "no document has a field 'sytems'"),
    ('"team.spec.size"', "acme.yaml:9:20", "expression must be a bool, not int"),
    # In a branch the sample never takes (it has fewer than 100 members, and one
    # evaluation on it never read the right-hand side): found by what is selected.
    ('"team.spec.members.size() > 100 && team.spec.sytems.size() > 0"', "acme.yaml:9:64",
     "no document has a field 'sytems'"),
    ('"team.spec.members.size() <= 8 || team.spec.members.exists(m, m.rol == \'x\')"',
     "acme.yaml:9:83", "no document has a field 'rol'"),
])
def test_broken_policies_exit_2_at_their_place(tmp_path, run_cli, expression, where, what):
    org(tmp_path, f"""\
        - code: ACME015
          name: broken
          target: team
          expression: {expression}
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 2
    assert f"orglint: error: {where}: ACME015: " in done.err and what in done.err, done.err


def test_variables_named_inside_a_string_or_comment_are_text(tmp_path, run_cli):
    # The unknown-variable check read the expression's text, string literals included:
    # a message about "variables.foo" refused a valid policy.
    org(tmp_path, """\
        - code: ACME018
          name: named-in-text
          target: team
          variables: [{name: s, expression: "team.metadata.name"}]
          expression: |
            variables.s == '' // not variables.other
          messageExpression: "'see variables.foo: ' + variables.s"
        """)
    done = run_cli("check", "team.yaml", "--select", "ACME018")
    assert done.code == 0, done.err  # a warning
    assert "ACME018 [warning] see variables.foo: recsys" in done.out


def test_errors_in_block_and_folded_scalars_point_into_the_file(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME016
          name: block
          target: team
          expression: |
            team.spec.members.size() > 1
              && nope.x
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 2
    assert "acme.yaml:11:18: ACME016: undeclared reference to 'nope.x'" in done.err
    org(tmp_path, """\
        - code: ACME016
          name: folded
          target: team
          expression: >-
            team.spec.members.size() > 1 &&
            nope.x
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 2
    assert "acme.yaml:11:13: ACME016: undeclared reference to 'nope.x'" in done.err
    # An indentation indicator: its first line more indented than the rest, which the
    # header's digit says are content too (the error was put at the header).
    for header in ("|2", "|-2", ">2-"):
        org(tmp_path, f"""\
            - code: ACME016
              name: indented
              target: team
              expression: {header}
                  team.spec.members.size() > 1
                && nope.x
            """)
        done = run_cli("check", "team.yaml")
        assert done.code == 2
        assert "acme.yaml:11:16: ACME016: undeclared reference to 'nope.x'" in done.err, (
            header, done.err)
    # The expression the first key of its rule, after the sequence's "- ".
    org(tmp_path, """\
        - expression: |1
              team.spec.members.size() > 1
             && nope.x
          code: ACME016
          name: first
          target: team
        """)
    done = run_cli("check", "team.yaml")
    assert "acme.yaml:8:17: ACME016: undeclared reference to 'nope.x'" in done.err, done.err


def test_policy_rules_are_selected_suppressed_and_explained(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME017
          name: no-juniors
          severity: info
          target: member
          expression: "member.level != 'junior'"
          message: a junior
          docs: {why: Juniors need a mentor on the team.}
        """, team=TEAM.replace("level: junior}", "level: junior}  # orglint: ignore[ACME017] ok"))
    assert "ACME017" not in run_cli("check", "team.yaml").out
    (tmp_path / "team.yaml").write_text(TEAM)
    assert "ACME017 [info] a junior" in run_cli("check", "team.yaml").out
    assert "ACME017" not in run_cli("check", "team.yaml", "--ignore", "no-juniors").out
    sarif = json.loads(run_cli("check", "team.yaml", "--output-format", "sarif").out)
    ids = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert "ACME017" in ids
    explained = run_cli("rule", "ACME017")
    assert explained.code == 0 and "Juniors need a mentor" in explained.out
    # Listed with every rule too, after the built-in ones.
    every = run_cli("rule", "--all")
    assert every.code == 0 and "Juniors need a mentor" in every.out
    codes = [r["code"] for r in json.loads(run_cli("rule", "--all", "--output-format",
                                                   "json").out)]
    assert codes[-1] == "ACME017" and codes[0] == "ORG001"


def test_an_expression_cannot_close_its_code_block_in_the_rule_docs(tmp_path, run_cli):
    # Found by the security review: a line of three backticks inside a CEL string ended
    # a fixed fence, and what followed rendered as Markdown in SARIF's help.markdown.
    org(tmp_path, """\
        - code: ACME019
          name: fenced
          target: team
          expression: |
            team.metadata.name == \'\'\'
            ```
            # Security notice [Click](https://evil.example)
            \'\'\'
        """)
    sarif = json.loads(run_cli("check", "team.yaml", "--output-format", "sarif").out)
    [rule] = [r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "ACME019"]
    # A policy's docs are the repository's words: SARIF gives them as text only, which a
    # viewer shows as written (as Markdown, links and images would render on the alert).
    assert "markdown" not in rule["help"]
    text = rule["help"]["text"]
    block = re.search(r"^(`{4,})\n(.*?)\n\1$", text, re.MULTILINE | re.DOTALL)
    assert block is not None, text
    assert "```\n# Security notice" in block.group(2)  # inside the block, as code
    explained = run_cli("rule", "ACME019").out
    assert "````\n" in explained
    builtin = [r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "ORG104"]
    assert all("## Why is this bad?" in r["help"]["markdown"] for r in builtin)
    # A policy rule has no page of orglint's docs to link to; a built-in rule does.
    assert "helpUri" not in rule
    builtin = [r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "ORG104"]
    assert all(r["helpUri"].endswith("/docs/rules/devops-runs-model-lifecycle.md")
               for r in builtin)


def test_rule_explains_a_custom_matrix_code(tmp_path, run_cli):
    (tmp_path / "matrix.yaml").write_text(dedent("""\
        apiVersion: orglint/v1
        kind: RoleMatrix
        metadata: {name: acme}
        spec:
          extends: ai-platform
          anti-patterns:
            - {code: ACME900, name: scientist-runs-gpus, severity: warning, kind: owns,
               roles: [data-scientist], responsibilities: [gpu-operator],
               message: "{member} runs GPUs", why: scientists should not run clusters}
        """))
    (tmp_path / ".orglint.yaml").write_text("matrix: matrix.yaml\n")
    done = run_cli("rule", "ACME900")
    assert done.code == 0 and "scientists should not run clusters" in done.out


def test_an_org_rule_past_the_engines_budget_says_how_to_write_it(tmp_path, run_cli):
    # The CEL engine allows about 10,000 comprehension steps per evaluation, and an org
    # rule is one evaluation: over 1,800 teams of six, a right rule cannot pass.  ORG903
    # (never a pass) says so and what to do.
    docs = [f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: t{t}}}\nspec:\n"
            "  maturity: pilot\n  members:\n"
            + "".join(f"    - {{id: p{t}-{m}, role: ml-engineer}}\n" for m in range(6))
            for t in range(1800)]
    (tmp_path / "teams.yaml").write_text("---\n".join(docs))
    (tmp_path / "acme.yaml").write_text(policy("""\
        - code: ACME031
          name: allocations
          target: org
          expression: "org.teams.all(t, t.spec.members.all(m, m.allocation <= 100))"
        """))
    done = run_cli("check", "--no-config", "--no-cache", "--select", "ACME031,ORG903",
                   "teams.yaml", "acme.yaml")
    assert done.code == 1
    assert "teams.yaml:1:1: ORG903" in done.out
    assert "an org rule is one evaluation over all 1800 teams" in done.out, done.out


@pytest.mark.parametrize("foreign", [
    "apiVersion: kyverno.io/v1\nkind: Policy\nmetadata: {name: require-labels}\n"
    "spec: {validationFailureAction: Enforce, rules: []}\n",
    "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n",
    "apiVersion: kyverno.io/v1\nkind: Policy\nspec: {rules: [ {name: x\n",  # broken too
    "kind: Policy\nmetadata: {name: x}\nspec: {statement: [{Effect: Allow}]}\n",  # no apiVersion
])
def test_another_tools_policy_among_the_files_is_not_obeyed(tmp_path, run_cli, foreign):
    # Kyverno's and the Kubernetes audit log's documents are `kind: Policy` too: named
    # with the org (`orglint check .`), they stopped the run with exit 2 and no finding.
    (tmp_path / "team.yaml").write_text(TEAM)
    (tmp_path / "kyverno.yaml").write_text(foreign)
    done = run_cli("check", "--no-config", "--no-cache", ".", cwd=tmp_path)
    assert done.code in (0, 1) and "kyverno" not in done.err, done.err
    assert "team.yaml" in done.out
    assert run_cli("test", "kyverno.yaml", cwd=tmp_path).code == 2  # no policy of ours


def test_orglint_test_without_a_path_runs_the_policies_check_obeys(tmp_path, run_cli):
    # A Policy file among the files `paths:` names is obeyed by check, so `orglint test`
    # with no path runs its tests too (it said "no policy file found", exit 2).
    org(tmp_path, """\
        - code: ACME019
          name: small-team
          target: team
          expression: "team.spec.members.size() <= 1"
        """, """\
        - name: two is too many
          rule: ACME019
          team: {metadata: {name: t}, spec: {maturity: pilot, members: [{id: a}, {id: b}]}}
          expect: fail
        """)
    (tmp_path / ".orglint.yaml").write_text("paths: ['*.yaml']\n")
    assert "ACME019" in run_cli("check").out
    done = run_cli("test")
    assert done.code == 0 and "1 test, 1 passed, 0 failed" in done.out, done.err
    # `rule` knows it too, as `check` does.
    assert run_cli("rule", "ACME019").code == 0
    assert "ACME019" in run_cli("rule", "--all").out
    # With no configuration, `check` reads the current folder, and so does `test`, which
    # writes no cache there (nor does `rule`).
    (tmp_path / ".orglint.yaml").unlink()
    cache = tmp_path / ".cache"  # where run_cli points ORGLINT_CACHE_DIR
    shutil.rmtree(cache, ignore_errors=True)
    done = run_cli("test")
    assert done.code == 0 and "1 test, 1 passed, 0 failed" in done.out, done.err
    assert run_cli("rule", "--all").code == 0
    assert not cache.exists()
    (tmp_path / ".orglint.yaml").write_text("paths: ['team.yaml']\n")
    assert run_cli("test").code == 2  # none configured: nothing to test
    # `paths:` matching nothing costs the policies found there, not the configured ones.
    (tmp_path / ".orglint.yaml").write_text("paths: ['none/*.yaml']\npolicies: [acme.yaml]\n")
    done = run_cli("test")
    assert done.code == 0 and "1 test, 1 passed" in done.out, done.err
    # A configuration that cannot be read costs `rule --all` the org's rules only.
    (tmp_path / ".orglint.yaml").write_text("policies: ['none/*.yaml']\n")
    done = run_cli("rule", "--all")
    assert done.code == 0 and "ORG001" in done.out and "not listed" in done.err


def test_orglint_test_reports_each_test_and_fails_on_a_wrong_expectation(tmp_path, run_cli):
    rules = """\
        - code: ACME018
          name: small
          target: team
          expression: "team.spec.members.size() <= 1"
        """
    tests = """\
        - name: two is too many
          rule: ACME018
          team: {metadata: {name: t}, spec: {maturity: pilot, members: [{id: a}, {id: b}]}}
          expect: {expect}
        """
    org(tmp_path, rules, tests.replace("{expect}", "fail"))
    done = run_cli("test")
    assert done.code == 0 and "1 test, 1 passed, 0 failed" in done.out
    org(tmp_path, rules, tests.replace("{expect}", "pass"))
    done = run_cli("test", "acme.yaml")
    assert done.code == 1 and "FAIL" in done.out and "expected pass, got fail" in done.out
    junit = run_cli("test", "--output-format", "junit").out
    assert 'failures="1"' in junit and "<failure" in junit
    body = json.loads(run_cli("test", "--output-format", "json").out)
    assert body["summary"] == {"tests": 1, "passed": 0, "failed": 1}
    # Spec section 7: --require-coverage fails on a rule that no test expects to pass
    # and none to fail; a rule tested one way only is a note, not a failure.
    org(tmp_path, rules, tests.replace("{expect}", "fail"))
    covered = run_cli("test", "--require-coverage")
    assert covered.code == 0, covered.out
    assert "note: ACME018 has no test expecting pass" in covered.out
    assert "UNCOVERED" not in covered.out
    untested = rules.rstrip(" ") + """\
        - code: ACME017
          name: untested
          target: team
          expression: "true"
        """
    org(tmp_path, untested, tests.replace("{expect}", "fail"))
    covered = run_cli("test", "--require-coverage")
    assert covered.code == 1 and "UNCOVERED ACME017" in covered.out
    assert "UNCOVERED ACME018" not in covered.out
    # Every output says why the run failed: JUnit counts the rule as a failed case.
    junit = run_cli("test", "--require-coverage", "--output-format", "junit")
    assert junit.code == 1
    assert 'tests="2" failures="1"' in junit.out, junit.out
    assert '<testcase classname="ACME017" name="--require-coverage"><failure' in junit.out
    body = json.loads(run_cli("test", "--require-coverage", "--output-format", "json").out)
    assert body["uncovered"] == ["ACME017"]
    assert body["one_sided"] == [{"rule": "ACME018", "untested": "pass"}]
    # Without the flag nothing is said of coverage.
    plain = run_cli("test", "--output-format", "junit")
    assert plain.code == 0 and 'tests="1" failures="0"' in plain.out


def test_orglint_test_is_exit_2_for_a_broken_policy(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME019
          name: broken
          target: team
          expression: "team.spec.members.size( > 1"
        """)
    assert run_cli("test").code == 2
    # A rule named as a built-in rule is as broken to test as to check.
    org(tmp_path, """\
        - code: ACME019
          name: over-allocated
          target: team
          expression: "true"
        """)
    done = run_cli("test")
    assert done.code == 2 and "already the name of rule ORG301" in done.err, done.err


def test_the_examples_pass_their_tests(run_cli):
    done = run_cli("test", str(REPO / "examples" / "policies"), "--require-coverage")
    assert done.code == 0, done.out


def test_time_budget_ends_a_run_with_a_clear_message(tmp_path, run_cli, monkeypatch):
    from orglint.policy import compiled

    monkeypatch.setattr(compiled, "TIME_BUDGET", -1.0)
    org(tmp_path, """\
        - code: ACME020
          name: any
          target: member
          expression: "true"
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 2 and "policy evaluation stopped" in done.err


def test_time_budget_counts_the_policies_not_the_run_around_them(tmp_path, run_cli,
                                                               monkeypatch):
    # A large org on a slow runner: checking the files takes longer than the budget,
    # the policies' evaluations do not.  Only the evaluations count.
    import time

    from orglint.policy import compiled
    from orglint.rules import REGISTRY

    monkeypatch.setattr(compiled, "TIME_BUDGET", 0.3)
    slow = REGISTRY["ORG104"]
    check_team = slow.check_team

    def sleepy(self, ctx):  # type: ignore[no-untyped-def]
        time.sleep(0.2)
        return check_team(self, ctx)

    monkeypatch.setattr(slow, "check_team", sleepy)
    org(tmp_path, """\
        - code: ACME027
          name: any
          target: member
          expression: "true"
        """)
    for k in range(3):
        (tmp_path / f"team{k}.yaml").write_text(TEAM.replace("recsys", f"recsys{k}"))
    done = run_cli("check", ".", "--no-cache", "--jobs", "1")
    assert done.code != 2, done.err
    assert "policy evaluation stopped" not in done.err


def test_iteration_budget_bounds_a_giant_comprehension(tmp_path, run_cli):
    # 300 x 300 x 300 steps would take minutes; the engine stops at its budget.
    org(tmp_path, """\
        - code: ACME021
          name: hostile
          target: team
          variables:
            - {name: xs, expression: "[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10])"}
          expression: >-
            variables.xs.map(a, variables.xs.map(b, variables.xs.map(c,
            variables.xs.map(d, 'x' + 'y')))).size() > 0
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 1 and "ORG903" in done.out and "iteration budget" in done.out


def test_expression_length_is_capped(tmp_path, run_cli):
    org(tmp_path, f"""\
        - code: ACME022
          name: long
          target: team
          expression: "{' || '.join(['true'] * 900)}"
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 2 and "ORG003" not in done.err


def test_a_check_without_policies_imports_no_cel(tmp_path):
    probe = ("import sys, json\nfrom orglint.cli import main\nmain(sys.argv[1:])\n"
             "sys.stderr.write(json.dumps(sorted(sys.modules)))")
    good = REPO / "examples" / "good" / "recsys-production.yaml"
    done = subprocess.run([sys.executable, "-c", probe, "check", "--no-config", str(good)],
                          cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "", "ORGLINT_CACHE_DIR": str(tmp_path / "c")})
    modules = json.loads(done.stderr.splitlines()[-1])
    assert "orglint.engine" in modules
    assert not [m for m in modules if m.startswith("cel_expr_python")]
    assert "orglint.policy.cel" not in modules


def test_a_policy_among_the_orgs_files_is_obeyed_even_warm(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME023
          name: tiny-teams
          target: team
          expression: "team.spec.members.size() < 2"
          message: not tiny
        """)
    (tmp_path / ".orglint.yaml").write_text("paths: ['*.yaml']\n")
    for _ in range(2):  # cold, then from the stat index and the cache
        done = run_cli("check", "team.yaml")
        assert "team.yaml:4:9: ACME023 [warning] not tiny" in done.out
    # The whole org, as a plain run or a CI step checks it: the policy file is named too,
    # and `paths:` makes it part of the org, so it is obeyed.
    for args in ((), ("team.yaml", "acme.yaml"), (".",)):
        done = run_cli("check", *args)
        assert "team.yaml:4:9: ACME023 [warning] not tiny" in done.out, args
    # Named on the command line only, a policy file is part of the org too (spec
    # section 1): it is obeyed, and left out, it is not.
    (tmp_path / ".orglint.yaml").write_text("cache: false\n")
    done = run_cli("check", "team.yaml", "acme.yaml")
    assert "team.yaml:4:9: ACME023 [warning] not tiny" in done.out and done.code == 1
    done = run_cli("check", "team.yaml")
    assert "ACME023" not in done.out


def test_one_members_error_leaves_the_rest_of_the_batch_reported(tmp_path, run_cli):
    team = TEAM.replace("level: junior}", "level: junior, allocation: 50}")
    org(tmp_path, """\
        - code: ACME024
          name: odd-allocation
          target: member
          expression: "100 / (member.allocation - 50) > 5"
          message: too much
        - code: ACME025
          name: no-team-is-big
          target: team
          expression: "team.spec.members.size() > 5"
          message: small team
        """, team=team)
    done = run_cli("check", "team.yaml", "--select", "ACME,ORG903")
    lines = done.out.splitlines()
    assert any(line.startswith("team.yaml:9:12: ORG903 [error] policy rule ACME024")
               and "divide by zero" in line for line in lines), done.out
    assert "team.yaml:10:12: ACME024 [warning] too much" in lines
    assert "team.yaml:4:9: ACME025 [warning] small team" in lines


def test_policy_findings_are_baselined_and_reconfigured(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME026
          name: no-juniors-here
          target: member
          expression: "member.level != 'junior'"
        """)
    assert run_cli("check", "team.yaml", "--write-baseline", "base.json").code == 0
    assert "ACME026" not in run_cli("check", "team.yaml", "--baseline", "base.json").out
    (tmp_path / ".orglint.yaml").write_text(
        "policies: [acme.yaml]\nseverity: {no-juniors-here: error}\n")
    assert "ACME026 [error]" in run_cli("check", "team.yaml").out
    (tmp_path / ".orglint.yaml").write_text(
        "policies: [acme.yaml]\nper-file-ignores: {'team.yaml': [ACME]}\n")
    assert "ACME026" not in run_cli("check", "team.yaml").out


def test_an_org_rules_baseline_entry_survives_a_file_that_sorts_first(tmp_path, run_cli):
    # Its finding is at line 1 of the org's first file in path order: a new file that
    # sorts first moved it, and the baseline entry, keyed by file, no longer matched.
    org(tmp_path, """\
        - code: ACME030
          name: two-teams-at-least
          target: org
          expression: "org.teams.size() >= 2"
        """)
    (tmp_path / ".orglint.yaml").write_text("policies: [acme.yaml]\npaths: ['*.yaml']\n")
    assert run_cli("check", "--write-baseline", "base.json").code == 0
    entries = json.loads((tmp_path / "base.json").read_text())["entries"]
    assert {"code": "ACME030", "file": "", "entity": "", "detail": "(org)",
            "count": 1} in entries
    (tmp_path / "aaa.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Group\nmetadata: {name: aaa-division}\n")
    done = run_cli("check", "--baseline", "base.json")
    assert "ACME030" not in done.out and "no longer match" not in done.err + done.out, done.out
    assert "aaa.yaml:1:1: ACME030" in run_cli("check", "--select", "ACME").out


def test_an_org_rules_finding_is_the_orgs_in_every_output(tmp_path, run_cli):
    # The JSON fingerprint still named the file, and the Markdown and HTML reports put
    # the org's verdict under the team that starts at line 1 of the org's first file.
    org(tmp_path, """\
        - code: ACME031
          name: two-teams-at-least
          target: org
          expression: "org.teams.size() >= 2"
        """)
    found = json.loads(run_cli("check", "team.yaml", "--output-format", "json",
                               "--select", "ACME").out)["findings"]
    assert [f["fingerprint"] for f in found] == ["ACME031|||(org)"]
    markdown = run_cli("check", "team.yaml", "--output-format", "markdown").out
    team_part = markdown.split("recsys (team.yaml)", 1)[1].split("</details>", 1)[0]
    assert "ACME031" not in team_part and "ACME031" in markdown, markdown


def test_editing_a_policy_is_seen_by_a_warm_run(tmp_path, run_cli):
    rule = """\
        - code: ACME027
          name: size-limit
          target: team
          expression: "team.spec.members.size() <= LIMIT"
        """
    org(tmp_path, rule.replace("LIMIT", "1"))
    assert "ACME027" in run_cli("check", "team.yaml").out
    assert "ACME027" in run_cli("check", "team.yaml").out  # from the cache
    (tmp_path / "acme.yaml").write_text(policy(rule.replace("LIMIT", "5")))
    assert "ACME027" not in run_cli("check", "team.yaml").out


@pytest.mark.parametrize(("rules", "message"), [
    ("- {code: ACME028, name: policy-error, target: team, expression: 'true'}",
     "rule name 'policy-error' is already the name of rule ORG903"),
    ("- {code: ACME028, name: a, target: team, expression: 'true'}\n"
     "- {code: ACME028, name: b, target: team, expression: 'true'}",
     "rule code ACME028 is already defined at acme.yaml:6:14"),
    ("- {code: ACME028, name: a, target: team, expresion: 'true'}", "acme.yaml:6:"),
    ("- {code: ORG999, name: a, target: team, expression: 'true'}", "acme.yaml:6:"),
    # The schema's words for a pattern, not the pattern (^(?!ORG)[A-Z]+[0-9]{3}$).
    ("- {code: acme028, name: a, target: team, expression: 'true'}",
     "acme.yaml:6:14: code must be upper-case letters then three digits, not starting"
     " with ORG (ACME010), got 'acme028'"),
    ("- {code: ACME028, name: Bad_Name, target: team, expression: 'true'}",
     "name must be kebab-case, got 'Bad_Name'"),
    ("- {code: ACME028, name: a, target: team, expression: "
     "'variables.x', variables: [{name: x, expression: 'team.spec.members.size()'}]}",
     "expression must be a bool, not int"),
])
def test_bad_policy_files_are_exit_2(tmp_path, run_cli, rules, message):
    org(tmp_path, rules)
    done = run_cli("check", "team.yaml")
    assert done.code == 2 and message in done.err, done.err


def test_free_form_maps_read_with_in_pass_the_sample_check(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME029
          name: labelled
          target: team
          expression: "'owner' in team.metadata.labels"
          message: no owner label
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 1 and "ACME029 [warning] no owner label" in done.out


def test_a_failing_message_expression_keeps_the_finding(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME030
          name: tiny
          target: team
          expression: "team.spec.members.size() < 2"
          messageExpression: "'first is ' + team.spec.members[9].id"
          message: fallback text
        """)
    assert "team.yaml:4:9: ACME030 [warning] fallback text" in run_cli("check", "team.yaml").out


def test_show_settings_lists_the_policies(tmp_path, run_cli):
    org(tmp_path, "- {code: ACME031, name: a, target: team, expression: 'true'}")
    shown = json.loads(run_cli("check", "--show-settings").out)
    assert shown["policies"] == {"value": ["acme.yaml"], "from": str(tmp_path / ".orglint.yaml")}


def test_deep_nesting_in_a_policy_is_exit_2_not_a_crash(tmp_path, run_cli):
    org(tmp_path, f"""\
        - code: ACME032
          name: deep
          target: team
          expression: "{'(' * 200}true{')' * 200}"
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 2 and "ACME032" in done.err and "recursion" in done.err.lower()


@pytest.mark.parametrize(("given", "message"), [
    ("team: {metadata: {name: t}}", "is not a valid Team"),
    ("org: {teams: 5}", "an org is {teams"),
    ("person: {id: a}", "gives no team"),
    ("member: {role: x}\n  team: {metadata: {name: t}, spec: {maturity: pilot, members: []}}",
     "needs an 'id'"),
])
def test_orglint_test_explains_a_malformed_input(tmp_path, run_cli, given, message):
    org(tmp_path, "- {code: ACME033, name: a, target: team, expression: 'true'}",
        f"- name: t\n  rule: ACME033\n  expect: pass\n  {given}\n")
    done = run_cli("test")
    assert done.code == 2 and message in done.err, done.err


def test_variables_that_double_each_other_are_refused(tmp_path, run_cli):
    chain = [f"    - {{name: v{i}, expression: 'variables.v{i - 1} + variables.v{i - 1}'}}"
             for i in range(1, 16)]
    rule = ["- code: ACME034", "  name: doubling", "  target: team", "  variables:",
            f"    - {{name: v0, expression: \"'{'x' * 1000}'\"}}", *chain,
            "  expression: \"size(variables.v15) > 0\""]
    org(tmp_path, "\n".join(rule) + "\n")
    done = run_cli("check", "team.yaml")
    assert done.code == 2 and "ACME034: v7 may copy its inputs 128 times" in done.err, done.err


def test_orglint_schema_prints_the_policy_schema(run_cli):
    done = run_cli("schema", "Policy")
    assert done.code == 0 and json.loads(done.out)["title"] == "orglint Policy"


def test_member_rule_at_points_at_the_named_field(lint, tmp_path):
    from orglint.config import Settings

    acme = policy("""\
        - code: ACME035
          name: owns-little
          target: member
          expression: "member.owns.size() < 1"
          at: owns.0
        """)
    settings = Settings(root=tmp_path / "org", select=["ACME"], cache=False,
                        policies=["acme.yaml"])
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "acme.yaml").write_text(acme)
    lint.check(TEAM, expected=[(10, 46, "ACME035")], settings=settings)


def test_an_at_the_target_does_not_write_points_at_its_own_place(lint, tmp_path):
    # Found by review: a member rule pointed at the member's whole mapping (its end a
    # line past the file), a team rule at the nearest key; both now at their default.
    from orglint.config import Settings

    acme = policy("""\
        - {code: ACME036, name: m, target: member, expression: "false", at: email}
        - {code: ACME037, name: t, target: team, expression: "false", at: spec.description}
        - {code: ACME038, name: w, target: member, expression: "false", at: owns.0}
        """)
    settings = Settings(root=tmp_path / "org", select=["ACME"], cache=False,
                        policies=["acme.yaml"])
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "acme.yaml").write_text(acme)
    lint.check(TEAM, expected=[(4, 9, "ACME037"), (9, 12, "ACME036"), (9, 12, "ACME038"),
                               (10, 12, "ACME036"), (10, 46, "ACME038")], settings=settings)


def test_person_rules_read_the_org_converted_once(tmp_path, run_cli, monkeypatch):
    from orglint.policy import cel

    org(tmp_path, """\
        - code: ACME040
          name: everyone-counted
          target: person
          expression: "org.people.size() == 2 && org.teams.size() == 1"
        - code: ACME041
          name: seniors-only
          target: person
          expression: "person.level != 'junior'"
          messageExpression: "person.id + ' of ' + string(org.people.size())"
        - code: ACME042
          name: some-team
          target: org
          expression: "org.teams.size() > 0"
        """)
    monkeypatch.setattr(cel.Shared, "conversions", 0)
    done = run_cli("check", "team.yaml", "--select", "ACME", "--no-cache")
    assert done.out.splitlines()[0] == "team.yaml:9:12: ACME041 [warning] ana of 2", done.out
    assert "ACME040" not in done.out and "ORG903" not in done.out
    assert cel.Shared.conversions == 1  # one org for every person and org rule


def test_team_and_member_rules_read_the_org_once_per_run(tmp_path, run_cli, monkeypatch):
    from orglint.policy import cel

    for n in range(3):  # the teams of other files are in the org, seen by every team
        (tmp_path / f"other{n}.yaml").write_text(TEAM.replace("recsys", f"t{n}").replace(
            "ana", f"ana{n}").replace("bo,", f"bo{n},"))
    org(tmp_path, """\
        - code: ACME043
          name: not-alone
          target: team
          expression: "org.teams.size() > 4"
          messageExpression: "'one of ' + string(org.teams.size()) + ' teams'"
          at: spec.systems
        - code: ACME044
          name: owner-known
          target: member
          expression: "member.owns.all(r, org.people.exists(p, p == member.id))"
        - code: ACME045
          name: broken
          target: member
          match: "member.id == 'bo'"
          expression: "org.teams[9].id == 'x'"
        """)
    (tmp_path / ".orglint.yaml").write_text("policies: [acme.yaml]\npaths: ['other*.yaml']\n")
    conversions = []
    for cache in ("--no-cache", None, None):  # cold, then written, then from the cache
        monkeypatch.setattr(cel.Shared, "conversions", 0)
        done = run_cli("check", "team.yaml", "--select", "ACME,ORG903", *([cache] if cache else []))
        lines = done.out.splitlines()
        assert lines[0] == "team.yaml:7:12: ACME043 [warning] one of 4 teams", done.out
        assert lines[1].startswith("team.yaml:10:12: ORG903 [error] policy rule ACME045"), done.out
        assert "ACME044" not in done.out and "other" not in done.out
        conversions.append(cel.Shared.conversions)
    assert conversions[0] == 1 and max(conversions) == 1  # whatever the number of teams


def test_a_policy_test_of_a_team_rule_sees_an_empty_org(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME046
          name: first-team
          target: team
          expression: "org.teams.size() == 0"
        """, """\
        - name: alone
          rule: ACME046
          team: {metadata: {name: t}, spec: {maturity: pilot, members: []}}
          expect: pass
        """)
    done = run_cli("test")
    assert done.code == 0, done.out + done.err


def test_fields_no_rule_names_are_not_converted_but_keep_their_keys():
    from orglint.policy.views import pruned, readable

    words = readable(["org.teams.size() > 0", "team.metadata['title'] != null"])
    assert words is None  # != compares whole values
    words = readable(["org.teams.all(t, t.metadata.size() > 5 && t.spec.members[0].id > '')"])
    assert words is not None and {"metadata", "spec", "members", "id"} <= words
    team = {"id": "t", "metadata": {"name": "t", "labels": {"a": "b"}},
            "spec": {"members": [{"id": "x", "owns": ["r"]}], "systems": ["s"]}}
    assert pruned(team, words) == {"id": "t", "metadata": {"name": None, "labels": None},
                                   "spec": {"members": [{"id": "x", "owns": None}],
                                            "systems": None}}
    for whole in ("a == b", "'x' in t.owns", "t[k] > 1", "t.metadata[name] > ''"):
        assert readable([whole]) is None, whole


def test_an_org_rule_sees_every_key_of_a_pruned_org(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME047
          name: full-keys
          target: org
          expression: "org.teams.all(t, t.size() > 4 && t.metadata.size() > 5)"
        - code: ACME048
          name: named-field-read
          target: org
          expression: "org.teams.all(t, t.spec.maturity > 'zzz')"
          messageExpression: "org.teams[0].spec.maturity"
        """)
    done = run_cli("check", "team.yaml", "--select", "ACME,ORG903")
    assert done.out.splitlines()[0] == "team.yaml:1:1: ACME048 [warning] production", done.out
    assert "ACME047" not in done.out


def test_a_member_rule_reads_the_pruned_org(tmp_path, run_cli):
    org(tmp_path, """\
        - code: ACME049
          name: owns-less-than-teams
          target: member
          expression: "member.owns.size() < org.teams.size()"
        """)
    done = run_cli("check", "team.yaml", "--select", "ACME,ORG903")
    assert done.out.splitlines()[0].startswith("team.yaml:10:12: ACME049 [warning]"), done.out
    assert len(done.out.splitlines()) == 2


@pytest.mark.parametrize("name", ["teams/a.yaml", "./teams/a.yaml"])
def test_standard_input_named_as_a_file_of_the_org_stands_for_it(tmp_path, run_cli, name):
    # Read from disk too, the file was in the org twice: p1 "on two teams".  Found by
    # the trust review.
    (tmp_path / "teams").mkdir()
    team = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: a}\nspec:\n"
            "  maturity: pilot\n  members: [{id: p1, role: ml-engineer}]\n")
    (tmp_path / "teams" / "a.yaml").write_text(team)
    (tmp_path / "acme.yaml").write_text(policy("""\
    - code: ACME001
      name: one-team
      target: person
      expression: "person.teams.size() < 2"
    - code: ACME002
      name: one-org-team
      target: org
      expression: "org.teams.size() < 2"
    """))
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\npolicies: [acme.yaml]\n")
    done = run_cli("check", "--no-cache", "--select", "ACME", "-", "--stdin-filename", name,
                   stdin=team.encode())
    assert done.code == 0 and "ACME" not in done.out, done.out + done.err


def test_a_rule_that_reads_the_org_points_at_a_kept_item_where_it_is_written(tmp_path, run_cli):
    # Found by a review: after an invalid item of owns was left out, a member rule
    # that reads `org` (evaluated in the org pass) pointed its `at` at the item before.
    team = TEAM.replace("owns: [model-rollback]}",
                        'owns: [ci-runners, "Not An Id", training-pipelines]}')
    org(tmp_path, """\
        - code: ACME001
          name: here
          target: member
          expression: "member.owns.size() < 2"
          at: owns.1
        - code: ACME002
          name: there
          target: member
          expression: "org.teams.size() < 0 || member.owns.size() < 2"
          at: owns.1
        """, team=team)
    out = run_cli("check", "team.yaml", "--select", "ACME").out
    places = {line.split(" ")[1]: line.split(":")[1:3] for line in out.splitlines()
              if "ACME00" in line}
    column = str(team.splitlines()[9].index("training-pipelines") + 1)
    assert places == {"ACME001": ["10", column], "ACME002": ["10", column]}, out


def test_a_refused_allocation_is_null_to_a_policy_not_zero_percent(tmp_path, run_cli):
    # The schema refuses "most": the model counts it as 0% (nothing for ORG301), but a
    # policy must not judge that 0%: the rule on it fails to evaluate (ORG903) instead
    # of a false "below 20%", in the batch and one by one alike.  (A number past 100 is
    # counted, and seen, as written.)
    team = TEAM.replace("{id: ana, role: data-scientist, level: junior}",
                        "{id: ana, role: data-scientist, level: junior, allocation: most}")
    org(tmp_path, """\
        - code: ACME011
          name: low-allocation
          target: member
          expression: "member.allocation >= 20"
        - code: ACME012
          name: low-allocation-or-bad
          target: member
          expression: "member.allocation == null || member.allocation >= 20"
        """, team=team)
    out = run_cli("check", "team.yaml", "--select", "ACME,ORG903").out
    assert re.findall(r":\d+:\d+: (\w+) \[", out) == ["ORG903"], out
    assert "policy rule ACME011 (low-allocation) failed to evaluate" in out


def test_a_person_rule_runs_on_a_person_of_a_people_file_on_no_team(tmp_path, run_cli):
    # "Nobody on the bench" could never fire: only people with a membership in the
    # files checked were evaluated.  Such a person is found at their People entry, and
    # a run-time error on them is ORG903, never a pass.
    (tmp_path / "people.yaml").write_text(
        "apiVersion: orglint/v1\nkind: People\nspec:\n  people:\n"
        "    - {id: ana, name: Ana}\n    - {id: ben, name: Ben}\n")
    (tmp_path / "team.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: ml}\nspec:\n"
        "  maturity: pilot\n  members:\n    - {id: ana, role: ml-engineer, level: senior}\n")
    (tmp_path / "acme.yaml").write_text(policy("""\
        - {code: PPL001, name: on-a-team, target: person,
           expression: "person.teams.size() > 0"}
        - {code: PPL003, name: first-allocation, target: person,
           expression: "person.teams[0].allocation >= 10"}
        """))
    (tmp_path / ".orglint.yaml").write_text(
        "paths: [people.yaml, team.yaml]\npolicies: [acme.yaml]\n")
    out = run_cli("check", "--no-cache", "--select", "PPL,ORG903").out
    found = re.findall(r"^(\S+):(\d+):\d+: (\w+)", out, re.MULTILINE)
    assert found == [("people.yaml", "6", "ORG903"), ("people.yaml", "6", "PPL001")], out


def test_an_org_rule_is_never_reported_on_a_file_that_holds_no_org_document(
        tmp_path, run_cli):
    # A CI workflow the globs also match is skipped, not a file of the org: an org
    # rule's finding (at line 1 of the org's first file) must not land there.
    org(tmp_path, """\
        - code: ACM001
          name: two-or-more
          target: org
          expression: "org.teams.all(t, t.spec.members.size() >= 3)"
        """)
    (tmp_path / ".orglint.yaml").write_text("paths: ['*.yaml']\npolicies: [acme.yaml]\n")
    (tmp_path / "0-ci.yaml").write_text("on: push\njobs: {lint: {runs-on: ubuntu-latest}}\n")
    out = run_cli("check", "--no-cache", "--select", "ACM").out
    assert re.findall(r"^(\S+):1:1: ACM001", out, re.MULTILINE) == ["team.yaml"], out


def test_orglint_test_sees_a_person_as_check_does(tmp_path, run_cli):
    # A test's person is the org's person of that id (their teams gathered from the
    # org given), and a membership written in the test is filled in (allocation 100),
    # as check sees them: both verdicts were the opposite of check's.
    rules = """\
        - {code: ALC001, name: fair-share, target: person,
           expression: "person.teams.all(t, t.allocation >= 20)"}
        - {code: ALC002, name: three-teams, target: person,
           expression: "person.teams.size() <= 3"}
        """
    four = ", ".join(f"{{metadata: {{name: t{k}}}, spec: {{maturity: pilot,"
                     f" members: [{{id: a}}]}}}}" for k in range(4))
    tests = f"""\
        - name: on four teams
          rule: ALC002
          org: {{teams: [{four}]}}
          person: {{id: a}}
          expect: fail
        - name: the README's shape
          rule: ALC001
          person: {{id: a, teams: [{{team: x}}, {{team: y}}]}}
          expect: pass
        """
    org(tmp_path, rules, tests)
    done = run_cli("test")
    assert done.code == 0 and "2 tests, 2 passed, 0 failed" in done.out, done.out


@pytest.mark.parametrize(("target", "at", "why"), [
    ("team", "spec.membrs", "'membrs' is not a key there"),
    ("member", "ownz.0", "'ownz' is not a key there")])
def test_an_at_that_names_no_place_is_exit_2_at_its_line(tmp_path, run_cli, target, at, why):
    # A misspelt key pointed the finding at the nearest key above it, silently.
    org(tmp_path, f"""\
        - code: ACME030
          name: here
          target: {target}
          expression: "true"
          at: {at}
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 2 and why in done.err and "acme.yaml:10:" in done.err, done.err


def test_an_at_into_a_list_or_a_free_map_is_accepted(tmp_path, run_cli):
    # And on a person rule, whose findings have their own place, it is left as it was.
    org(tmp_path, """\
        - {code: ACME031, name: a, target: team, expression: "true", at: spec.systems.0}
        - {code: ACME032, name: b, target: team, expression: "true",
           at: metadata.labels.owner}
        - {code: ACME033, name: c, target: member, expression: "true", at: owns.1}
        - {code: ACME034, name: d, target: person, expression: "true", at: teams}
        """)
    assert run_cli("check", "team.yaml").code in (0, 1)


@pytest.mark.parametrize("expression", [
    "person.teams.all(t, t.allocation <= 100) && org.teams.all(t, t.spec.members.size() > 0)",
    "team.spec.members.exists(m, m.role == 'manager')"
    " || org.teams.exists(m, m.id == team.metadata.parent)",
    "team.spec.members.all(person, person.allocation <= 100)",
    "person.teams.all(team, team.allocation <= 100)"])
def test_a_comprehension_variable_used_twice_is_no_misspelt_field(tmp_path, run_cli,
                                                                    expression):
    # The field check follows comprehension variables by name: 't' over memberships
    # and over teams, or a variable named like an input, must not read as a typo.
    target = "person" if expression.startswith("person") else "member"
    org(tmp_path, f"""\
        - code: ACME035
          name: reused
          target: {target}
          expression: "{expression}"
        """)
    assert run_cli("check", "team.yaml").code in (0, 1)


def test_a_misspelt_field_is_found_behind_a_reused_variable(tmp_path, run_cli):
    # 'm' reads members in one place and teams in the other; 'spec' missing from a
    # member is no typo (teams have it), but 'rol' is one wherever it is read.
    org(tmp_path, """\
        - code: ACME036
          name: reused-and-misspelt
          target: member
          expression: >-
            org.teams.exists(m, m.spec.maturity == 'scale')
            || team.spec.members.exists(m, m.rol == 'x')
        """)
    done = run_cli("check", "team.yaml")
    assert done.code == 2 and "no document has a field 'rol'" in done.err, done.err


@pytest.mark.parametrize("mention", [
    "# the org's rules are in rules.yaml (kind: Policy)\n",
    "  # kind: Policy lives elsewhere\n",
    "#kind: Policy\n",
])
def test_a_broken_team_file_that_mentions_policies_in_a_comment_is_its_own_org001(
        tmp_path, run_cli, mention):
    # A file of the org that holds a policy is loaded as one, and a YAML error in it is
    # exit 2.  A team file that only names the kind in a comment is a team file: its
    # error is its ORG001, and the rest of the org is still checked.
    (tmp_path / ".orglint.yaml").write_text("paths: ['*.yaml']\n")
    (tmp_path / "team.yaml").write_text(TEAM)
    (tmp_path / "broken.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\n" + mention
        + "metadata:\n  name: broken\n  title: \"unclosed\nspec: {}\n")
    done = run_cli("check", "--output-format", "json")
    assert done.code == 1, done.err
    found = {(f["file"], f["code"]) for f in json.loads(done.out)["findings"]}
    assert ("broken.yaml", "ORG001") in found
    assert any(file == "team.yaml" for file, _ in found), found
    # A file that does declare the kind, broken, still stops the run at its place.
    (tmp_path / "rules.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Policy  # ours\nmetadata: {name: p\n")
    done = run_cli("check")
    assert done.code == 2 and "rules.yaml:" in done.err, done.err


@pytest.mark.parametrize("text", [
    # One line of flow style with a quoted '#' before the kind, and CR line ends: found
    # by the review of the comment check, which took both for comments.
    '{apiVersion: orglint/v1, metadata: {name: p, title: "rules #1"}, kind: Policy, spec:'
    ' {rules: [{code: ACME009, name: always, target: team, expression: "false",'
    ' message: always fires}]}}\n',
    # A quote inside a plain value: it opens no quoted value (found by review).
    "{apiVersion: orglint/v1, metadata: {name: p}, spec: {rules: [{code: ACME009, name:"
    " always, target: team, expression: 'false', message: always fires, docs: {why: rock"
    " 'n roll}}]}, kind: Policy}\n",
    "# the org's rules\rapiVersion: orglint/v1\rkind: Policy\rmetadata:\r  name: p\rspec:\r"
    "  rules:\r    - code: ACME009\r      name: always\r      target: team\r"
    '      expression: "false"\r      message: always fires\r',
    # A file that loads whole is judged by what it holds (found by review: the byte
    # check missed these): a BOM, the value on the next line, a complex key, a tag, and
    # compact JSON with a '#' in a value before the kind.
    "\ufeffkind: Policy\napiVersion: orglint/v1\nmetadata: {name: p}\nspec:\n  rules:\n"
    "    - {code: ACME009, name: always, target: team, expression: 'false',"
    " message: always fires}\n",
    "kind:\n  Policy\napiVersion: orglint/v1\nmetadata: {name: p}\nspec:\n  rules:\n"
    "    - {code: ACME009, name: always, target: team, expression: 'false',"
    " message: always fires}\n",
    "? kind\n: Policy\napiVersion: orglint/v1\nmetadata: {name: p}\nspec:\n  rules:\n"
    "    - {code: ACME009, name: always, target: team, expression: 'false',"
    " message: always fires}\n",
    "!!str kind: Policy\napiVersion: orglint/v1\nmetadata: {name: p}\nspec:\n  rules:\n"
    "    - {code: ACME009, name: always, target: team, expression: 'false',"
    " message: always fires}\n",
    '{"apiVersion":"orglint/v1","metadata":{"name":"p"},"spec":{"rules":[{"code":"ACME009",'
    '"name":"always","target":"team","expression":"false","message":"always fires",'
    '"docs":{"why":"rule #1"}}]},"kind":"Policy"}\n',
    # A tag or an anchor on the kind's value (found by the third review).
    "kind: !!str Policy\napiVersion: orglint/v1\nmetadata: {name: p}\nspec:\n  rules:\n"
    "    - {code: ACME009, name: always, target: team, expression: 'false',"
    " message: always fires}\n",
    "kind: &k Policy\napiVersion: orglint/v1\nmetadata: {name: p}\nspec:\n  rules:\n"
    "    - {code: ACME009, name: always, target: team, expression: 'false',"
    " message: always fires}\n",
    "kind: !<tag:yaml.org,2002:str> Policy\napiVersion: orglint/v1\nmetadata: {name: p}\n"
    "spec:\n  rules:\n    - {code: ACME009, name: always, target: team,"
    " expression: 'false', message: always fires}\n",
])
def test_a_policy_file_of_the_org_is_found_in_any_style(tmp_path, run_cli, text):
    (tmp_path / ".orglint.yaml").write_text("paths: ['*.yaml']\n")
    (tmp_path / "team.yaml").write_text(TEAM)
    (tmp_path / "pol.yaml").write_text(text, newline="")
    done = run_cli("check", "--no-cache")
    assert "team.yaml:4:9: ACME009 [warning] always fires" in done.out, done.out + done.err


def test_a_duplicate_key_in_a_team_file_that_names_policies_is_its_own_finding(tmp_path,
                                                                              run_cli):
    # A duplicate key (ORG002) loses no document: the file is judged by what it holds,
    # a Team, not by its bytes (found by the third review: exit 2, all findings hidden).
    (tmp_path / ".orglint.yaml").write_text("paths: ['*.yaml']\n")
    (tmp_path / "team.yaml").write_text(TEAM)
    (tmp_path / "a.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata:\n  name: a\n"
        "  labels: {kind: Policy}\nspec:\n  maturity: pilot\n  maturity: pilot\n"
        "  members:\n    - {id: ana, role: ml-engineer}\n")
    done = run_cli("check", "--no-cache", "--output-format", "json")
    assert done.code == 1, done.err
    found = {(f["file"], f["code"]) for f in json.loads(done.out)["findings"]}
    assert ("a.yaml", "ORG002") in found and any(f == "team.yaml" for f, _ in found)
