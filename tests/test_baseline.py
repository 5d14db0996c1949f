"""Baselines: adopt orglint on an org with findings, fail only on new ones."""

from __future__ import annotations

import json

import pytest

from tests.conftest import dedent

TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: infra}
spec:
  maturity: pilot
  members:
    - {id: dmitri, name: D, role: devops-sre, owns: [training-pipelines, model-rollback]}
    - {id: sam, name: S, role: devops-sre, owns: [promotion-gates]}
"""


def test_baseline_hides_known_and_survives_reordering(run_cli, tmp_path):
    (tmp_path / "team.yaml").write_text(dedent(TEAM))
    written = run_cli("check", "team.yaml", "--select", "ORG104", "--write-baseline", "base.json")
    assert written.code == 0
    data = json.loads((tmp_path / "base.json").read_text())
    keys = [(e["code"], e["entity"], e["detail"]) for e in data["entries"]]
    assert keys == sorted(keys) and len(keys) == 3
    assert all(e["file"] == "team.yaml" for e in data["entries"])
    # Reorder members (every line moves) and add one new problem.
    moved = dedent(TEAM).splitlines()
    moved[6], moved[7] = moved[7], moved[6]
    moved.append("    - {id: new, name: N, role: devops-sre, owns: [drift-detection]}")
    (tmp_path / "team.yaml").write_text("\n".join(moved) + "\n")
    after = run_cli("check", "team.yaml", "--select", "ORG104", "--baseline", "base.json",
                    "--output-format", "json")
    assert after.code == 1
    body = json.loads(after.out)
    assert [f["entity"] for f in body["findings"]] == ["new"]
    assert body["summary"]["baseline_hidden"] == 3


def test_stale_entries_are_counted_and_listed(run_cli, tmp_path):
    (tmp_path / "team.yaml").write_text(dedent(TEAM))
    run_cli("check", "team.yaml", "--select", "ORG104", "--write-baseline", "base.json")
    (tmp_path / "team.yaml").write_text(dedent(TEAM).replace("model-rollback", "ci-runners"))
    result = run_cli("check", "team.yaml", "--select", "ORG104", "--baseline", "base.json", "-v")
    assert result.code == 0
    assert "ORG104 team.yaml dmitri model-rollback" in result.out
    assert "1 baseline entry no longer matches." in result.out


def test_baseline_errors_are_exit_2(run_cli, tmp_path):
    (tmp_path / "team.yaml").write_text(dedent(TEAM))
    assert run_cli("check", "team.yaml", "--baseline", "missing.json").code == 2
    (tmp_path / "bad.json").write_text("{not json")
    result = run_cli("check", "team.yaml", "--baseline", "bad.json")
    assert result.code == 2 and "bad.json" in result.err


def test_malformed_baseline_entries_are_exit_2_naming_the_entry(run_cli, tmp_path):
    (tmp_path / "team.yaml").write_text(dedent(TEAM))
    for entries in ('[{"file": "team.yaml"}]', '["ORG104"]',
                    '[{"code": "ORG104", "file": "team.yaml", "count": 1e999}]',
                    # Of another type, a field was turned into text and matched nothing.
                    '[{"code": ["ORG104"], "file": "team.yaml"}]',
                    '[{"code": "ORG104", "file": {}}]',
                    '[{"code": "ORG104", "file": "team.yaml", "entity": [1]}]',
                    '[{"code": "ORG104", "file": "team.yaml", "count": true}]'):
        (tmp_path / "b.json").write_text('{"entries": ' + entries + "}")
        result = run_cli("check", "team.yaml", "--baseline", "b.json")
        assert result.code == 2, result.err
        assert "b.json: entry 1 needs 'code' and 'file'" in result.err
        assert "internal error" not in result.err


def test_a_deeply_nested_baseline_is_exit_2_naming_it(run_cli, tmp_path):
    (tmp_path / "team.yaml").write_text(dedent(TEAM))
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    result = run_cli("check", "team.yaml", "--baseline", "deep.json")
    assert result.code == 2 and "deep.json" in result.err, result.err
    assert "internal error" not in result.err


def test_a_baseline_written_when_org207_named_several_items_still_hides_them(run_cli,
                                                                              tmp_path):
    # ORG207 gave one finding per person ("model-rollback,inference-handlers"); it now
    # gives one per responsibility: such an entry hides each of them, and none is stale.
    (tmp_path / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
        "  maturity: production\n  systems: [model-serving]\n  members:\n"
        "    - {id: alice, role: mlops-engineer, owns: [model-rollback, inference-handlers]}\n"
        "    - {id: bob, role: platform-engineer, owns: [serving-runtime]}\n")
    (tmp_path / "old.json").write_text(json.dumps({"version": 1, "entries": [
        {"code": "ORG207", "file": "t.yaml", "entity": "alice",
         "detail": "model-rollback,inference-handlers", "count": 1},
        {"code": "ORG207", "file": "t.yaml", "entity": "bob", "detail": "serving-runtime",
         "count": 1}]}))
    result = run_cli("check", "--no-config", "--no-cache", "--select", "ORG207",
                     "--baseline", "old.json", "t.yaml")
    assert result.code == 0 and "ORG207" not in result.out, result.out + result.err
    assert "no longer match" not in result.out + result.err


@pytest.mark.parametrize(("body", "said"), [
    ('{"version": "1", "entries": []}', "baseline 'version' must be 1"),
    ('{"version": true, "entries": []}', "writes), got true"),
    ('{"version": 2, "entries": []}', "got 2"),
    ('{"version": 1, "entries": [{"code": "ORG1", "file": "a", "count": 1'
     + "1" * 5000 + '}]}', "a number of more than 4,300 digits"),
])
def test_a_baseline_of_another_form_is_a_clear_error(run_cli, tmp_path, body, said):
    # Found by review: Python's own "Exceeds the limit (4300 digits)...
    # sys.set_int_max_str_digits()", and a version "1" or true taken for 1.
    (tmp_path / "t.yaml").write_text("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\n"
                                     "spec:\n  maturity: pilot\n  members: []\n")
    (tmp_path / "b.json").write_text(body)
    done = run_cli("check", "t.yaml", "--baseline", "b.json")
    assert done.code == 2 and said in done.err, done.err
    assert "sys.set_int_max_str_digits" not in done.err
