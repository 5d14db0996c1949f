"""Hostile input: a finding or exit 2 with a clear message, fast, never a traceback."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import orglint
from tests.conftest import lines_run

ORGLINT_CODE = str(Path(orglint.__file__).parent)

BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
        for i in range(8)
    )
)

CASES = {
    "alias-bomb": (BOMB.encode(), "aliases expand to more than"),
    "deep-nesting": (b"[" * 50_000 + b"]" * 50_000, "nesting is deeper than"),
    "binary": (bytes(range(256)) * 4, "not valid UTF-8"),
    "latin-1": ("name: José\n".encode("latin-1"), "not valid UTF-8"),
    "python-tag": (b"apiVersion: orglint/v1\nkind: !!python/object:os.system Team\n",
                   "python tags are refused"),
    "tabs": (b"apiVersion: orglint/v1\nkind: Team\nmetadata:\n\tname: t\n", "tab character"),
    # A blank line holding a tab: libyaml refuses it, but it is no indentation.
    "tab-on-a-blank-line": (b"apiVersion: orglint/v1\nkind: Team\n\t\nmetadata: {}\n",
                            "a tab on a line that is otherwise blank"),
    "unclosed-quote": (b'apiVersion: orglint/v1\nkind: "Team\n', "invalid YAML"),
    "huge-int": (b"apiVersion: orglint/v1\nkind: Team\nspec: {size: " + b"9" * 5000 + b"}\n",
                 "5000 digits"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file_is_org001(run_cli, tmp_path, case):
    raw, message = CASES[case]
    (tmp_path / "in.yaml").write_bytes(raw)
    start = time.perf_counter()
    result = run_cli("check", "in.yaml", "--output-format", "json")
    assert time.perf_counter() - start < 5
    assert result.code == 1, result.err
    assert "Traceback" not in result.out + result.err
    findings = json.loads(result.out)["findings"]
    assert [f["code"] for f in findings] == ["ORG001"]
    assert message in findings[0]["message"]


def test_30mb_file_is_refused_without_reading_it_all(run_cli, tmp_path):
    with open(tmp_path / "big.yaml", "wb") as handle:
        handle.write(b"apiVersion: orglint/v1\nkind: Team\n")
        handle.write(b"# padding\n" * 3_000_000)
    result = run_cli("check", "big.yaml")
    assert result.code == 1
    assert "over the 8,388,608-byte limit" in result.out


def _stacked(count: int) -> str:
    return ("# orglint: ignore[ORG104]\n" * count
            + "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\n"
              "spec: {maturity: pilot, members: [{id: a, role: ml-engineer}]}\n")


def test_thousands_of_stacked_suppression_comments_are_each_reported(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(_stacked(30_000))
    result = run_cli("check", "t.yaml", "--select", "ORG104,ORG9", "--output-format", "json")
    found = json.loads(result.out)["findings"]
    # Nothing to ignore: every directive is unused, each at its own comment, each
    # naming the line it would apply to.
    assert [(f["code"], f["line"], f["column"]) for f in found] == [
        ("ORG901", line, 1) for line in range(1, 30_001)]
    assert found[0]["message"].endswith("on line 30001")


def test_stacked_suppression_comments_cost_linear_work(run_cli, tmp_path):
    # Each own-line directive applies to the next line with content; found by looking
    # ahead from every directive, this took 38 s for 20,000 lines. Twice the directives
    # must cost about twice the work (quadratic would be four times).
    work = []
    for count in (1_000, 2_000):
        (tmp_path / "t.yaml").write_text(_stacked(count))
        work.append(lines_run(lambda: run_cli("check", "t.yaml", "--no-cache", "--select",
                                               "ORG104,ORG9", "--output-format", "json"),
                              ORGLINT_CODE))
    assert work[1] < 2.3 * work[0], work


def test_size_limit_is_configurable(run_cli, tmp_path):
    (tmp_path / ".orglint.yaml").write_text("max-file-size: 10\n")
    (tmp_path / "t.yaml").write_text("apiVersion: orglint/v1\nkind: Team\n")
    assert "10-byte limit" in run_cli("check", "t.yaml").out


@pytest.mark.parametrize(("text", "code"), [
    ("", 0),
    ("just a scalar\n", 0),
    ("- a\n- list\n", 0),
    ("apiVersion: orglint/v1\nkind: Teem\n", 1),
    ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec: {size: [1]}\n", 1),
])
def test_odd_documents(run_cli, tmp_path, text, code):
    (tmp_path / "t.yaml").write_text(text)
    result = run_cli("check", "t.yaml", "-v")
    assert result.code == code
    assert "Traceback" not in result.out + result.err


def test_empty_and_non_orglint_files_are_skipped_with_a_reason(run_cli, tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "ci.yaml").write_text("jobs: {build: {runs-on: ubuntu}}\n")
    result = run_cli("check", ".", "-v")
    assert result.code == 0
    assert "ci.yaml: skipped: document 1: not an orglint document" in result.out
    # The summary promises that -v says why each file was skipped: the empty one too.
    assert "empty.yaml: skipped: empty (no YAML document)" in result.out


def test_fifo_in_a_folder_is_skipped(run_cli, tmp_path):
    (tmp_path / "team.yaml").write_text("a: 1\n")
    os.mkfifo(tmp_path / "pipe.yaml")
    result = run_cli("check", ".", "-v")
    assert result.code == 0
    assert "pipe.yaml: skipped: not a regular file" in result.out
    named = run_cli("check", "pipe.yaml")
    assert named.code == 2 and "not a regular file" in named.err


def test_symlink_loop(run_cli, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "t.yaml").write_text("a: 1\n")
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    os.symlink(tmp_path / "x.yaml", tmp_path / "y.yaml")
    os.symlink(tmp_path / "y.yaml", tmp_path / "x.yaml")
    assert run_cli("check", "d").code == 0
    result = run_cli("check", "x.yaml")
    assert result.code == 2 and "x.yaml" in result.err


def test_missing_path_and_folder_without_yaml(run_cli, tmp_path):
    result = run_cli("check", "nope.yaml")
    assert result.code == 2
    assert result.err.strip() == "orglint: error: nope.yaml: no such file or folder"
    (tmp_path / "empty").mkdir()
    result = run_cli("check", "empty")
    assert result.code == 2 and "no YAML files" in result.err


def test_unreadable_file(run_cli, tmp_path, monkeypatch):
    import os

    (tmp_path / "t.yaml").write_text("a: 1\n")
    target = (tmp_path / "t.yaml").stat().st_ino
    real_read = os.read

    def denied(fd, size):  # CI runs as root, which chmod cannot stop
        if os.fstat(fd).st_ino == target:  # opened, then refused at the read
            raise PermissionError(13, "Permission denied")
        return real_read(fd, size)

    monkeypatch.setattr(os, "read", denied)
    result = run_cli("check", "t.yaml")
    assert result.code == 2
    assert "t.yaml: cannot read: Permission denied" in result.err


POLICY_WITH_INPUT = """\
apiVersion: orglint/v1
kind: Policy
metadata: {name: p}
spec:
  rules:
    - {code: ACME010, name: r, target: team, expression: 'true'}
  tests:
    - {name: t, rule: ACME010, expect: pass, team: {file: %s}}
"""


@pytest.mark.parametrize("where", ["../../secret.yaml", "SECRET_ABSOLUTE", "link.yaml"])
def test_policy_test_input_outside_the_repository_is_not_read(run_cli, tmp_path, where):
    # A policy from a fork's pull request must not make an error quote ~/.ssh or /etc.
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "policies").mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text("TOKEN_VALUE: hunter2\n")
    (repo / "policies" / "link.yaml").symlink_to(secret)
    where = str(secret) if where == "SECRET_ABSOLUTE" else where
    (repo / "policies" / "p.yaml").write_text(POLICY_WITH_INPUT % where)
    (repo / ".orglint.yaml").write_text("policies: ['policies/p.yaml']\n")
    result = run_cli("test", cwd=repo)
    assert result.code == 2, result.err
    assert "not a file inside the repository" in result.err
    assert "TOKEN_VALUE" not in result.out + result.err
    # A check never reads a test's input: only `orglint test` does.
    result = run_cli("check", "policies", cwd=repo)
    assert result.code == 0, result.err
    assert "TOKEN_VALUE" not in result.out + result.err


def test_a_check_does_not_read_the_policies_test_inputs(run_cli, tmp_path):
    # Its report cannot depend on them: the whole-run cache and a replayed rerun are
    # keyed by what a check reads, and a broken test input is `orglint test`'s error.
    (tmp_path / ".git").mkdir()
    (tmp_path / "policies" / "inputs").mkdir(parents=True)
    (tmp_path / "policies" / "inputs" / "t.yaml").write_text("a: [\n")
    (tmp_path / "policies" / "p.yaml").write_text(POLICY_WITH_INPUT % "inputs/t.yaml")
    (tmp_path / ".orglint.yaml").write_text("policies: ['policies/p.yaml']\n")
    (tmp_path / "team.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\n"
        "spec: {maturity: pilot, members: [{id: a, role: ml-engineer}]}\n")
    assert run_cli("check", "team.yaml").code != 2
    result = run_cli("test")
    assert result.code == 2
    assert "inputs/t.yaml" in result.err


def test_policy_test_input_inside_the_repository_is_read(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "policies" / "inputs").mkdir(parents=True)
    (tmp_path / "policies" / "inputs" / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\n"
        "spec: {maturity: pilot, members: [{id: a, role: ml-engineer}]}\n")
    (tmp_path / "policies" / "p.yaml").write_text(POLICY_WITH_INPUT % "inputs/t.yaml")
    result = run_cli("test", "policies/p.yaml")
    assert result.code == 0, result.err


@pytest.mark.parametrize(("files", "args", "message"), [
    ({"policies/p.yaml": POLICY_WITH_INPUT % '"a\\0b"'}, ("test", "policies/p.yaml"),
     "test input: a path cannot hold a NUL character"),
    ({".orglint.yaml": 'matrix: "m\\0.yaml"\n'}, ("roles",),
     "key 'matrix': a path cannot hold a NUL character"),
])
def test_a_nul_in_a_path_from_a_file_is_exit_2_not_an_internal_error(run_cli, tmp_path, files,
                                                                       args, message):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = run_cli(*args)
    assert result.code == 2
    assert "internal error" not in result.err
    assert message in result.err, result.err


def test_orglint_test_walks_no_link_out_of_the_repository(run_cli, tmp_path):
    # As 'check' does (spec 6.1): a folder's link to a policy elsewhere is not read.
    outside = tmp_path / "outside.yaml"
    outside.write_text(POLICY_WITH_INPUT.replace("team: {file: %s}",
                                                 "team: {metadata: {name: t}, spec:"
                                                 " {maturity: pilot, members: []}}"))
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "policies").mkdir()
    (repo / "policies" / "p.yaml").symlink_to(outside)
    result = run_cli("test", "policies", cwd=repo)
    assert result.code == 2 and "no policy file found" in result.err, result.out + result.err
    named = run_cli("test", "policies/p.yaml", cwd=repo)  # named: the user's choice
    assert named.code == 0 and "ACME010" in named.out, named.err


def test_a_folder_that_may_not_be_searched_is_said_not_an_internal_error(
        run_cli, tmp_path, monkeypatch):
    # As another user would see it (root may search any folder): stat inside it fails.
    import errno

    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.stat

    def stat(path, *args, **kwargs):
        if str(path).startswith(str(locked) + os.sep):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    result = run_cli("check", "locked")
    assert result.code == 2
    assert "internal error" not in result.err
    assert "cannot look for a configuration in" in result.err, result.err


_INPUT_FIRST = (
    "apiVersion: orglint/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  rules:\n"
    "    - {code: ACME001, name: small, target: team,\n"
    "       expression: 'team.spec.members.size() <= 1'}\n"
    "  tests:\n")


@pytest.mark.parametrize(("tests", "later"), [
    # a later test of the same document names no rule of the policies
    ("    - {name: first, rule: ACME999, expect: pass,\n"
     "       team: {metadata: {name: t}, spec: {maturity: pilot, members: [{id: a}]}}}\n"
     "    - {name: from file, rule: ACME001, team: {file: nope.yaml}, expect: fail}\n",
     "ACME999"),
    # a later document of the same file has a key the schema does not know
    ("    - {name: from file, rule: ACME001, team: {file: nope.yaml}, expect: fail}\n"
     "---\napiVersion: orglint/v1\nkind: Policy\nmetadata: {name: q}\nspec:\n"
     "  bogus: 1\n  rules: []\n", "bogus"),
])
def test_orglint_test_says_a_broken_input_where_it_always_did(run_cli, tmp_path, tests,
                                                              later):
    # `orglint test` reads a test's file input where the test is, so a missing input
    # is said before a later problem, as it always was (a check never reads it).
    (tmp_path / ".git").mkdir()
    (tmp_path / "pol").mkdir()
    (tmp_path / "pol" / "p.yaml").write_text(_INPUT_FIRST + tests)
    result = run_cli("test", "pol")
    assert result.code == 2
    assert "nope.yaml" in result.err and later not in result.err, result.err


def test_a_team_with_no_name_in_a_file_named_in_no_encoding(run_cli, tmp_path):
    # The team is known by its file's name (schema.unnamed_team), here bytes that are not
    # UTF-8: the validator takes no surrogate, and the run used to stop (exit 2).
    name = os.fsdecode(b"team-\xff.yaml")
    (tmp_path / name).write_text("apiVersion: orglint/v1\nkind: Team\nmetadata: {}\n"
                                 "spec:\n  maturity: pilot\n  members:\n"
                                 "    - {id: a, role: ml-engineer}\n")
    done = run_cli("check", "--no-config", "--output-format", "json", ".")
    assert done.code == 1, done
    found = json.loads(done.out)["findings"]
    assert [(f["code"], f["line"]) for f in found] == [("ORG003", 3)]
