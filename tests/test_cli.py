"""The command line: exit codes, formats, selection, stdin, colour, subcommands."""

from __future__ import annotations

import json

import pytest

from orglint import __version__
from tests.conftest import dedent

BAD = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: infra}
spec:
  maturity: pilot
  members:
    - {id: dmitri, name: D, role: devops-sre, owns: [training-pipelines]}
    - {id: sam, name: S, title: SRE, role: mlops-engineer, owns: [model-rollback]}
"""
CLEAN = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: ok}
spec:
  maturity: exploring
  members:
    - {id: nia, name: N, role: data-scientist, owns: [model-design]}
"""


@pytest.fixture
def org(tmp_path):
    (tmp_path / "bad.yaml").write_text(dedent(BAD))
    (tmp_path / "clean.yaml").write_text(dedent(CLEAN))
    return tmp_path


def test_text_output_and_exit_1(run_cli, org):
    result = run_cli("check", "bad.yaml")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith("bad.yaml:5:13: ORG206 [info] the recommended mix")
    assert lines[1].startswith("bad.yaml:7:54: ORG104 [error] dmitri (devops-sre) owns")
    assert lines[-1] == "Found 1 error, 1 warning, 1 info in 1 file."
    assert "\x1b[" not in result.out


def test_clean_file_exit_0(run_cli, org):
    result = run_cli("check", "clean.yaml")
    assert result.code == 0
    assert result.out.startswith("All checks passed (1 file")


def test_fail_on_and_exit_zero(run_cli, org):
    assert run_cli("check", "bad.yaml", "--select", "ORG101").code == 0
    assert run_cli("check", "bad.yaml", "--select", "ORG101", "--fail-on", "warning").code == 1
    assert run_cli("check", "bad.yaml", "--exit-zero").code == 0


def test_json_output_keys(run_cli, org):
    result = run_cli("check", "bad.yaml", "--output-format", "json")
    body = json.loads(result.out)
    first = body["findings"][1]
    for key in ("code", "name", "severity", "message", "file", "line", "column", "end_line",
                "end_column", "entity"):
        assert key in first
    assert (first["code"], first["line"], first["column"], first["entity"]) == (
        "ORG104", 7, 54, "dmitri")
    assert first["end_column"] == 54 + len("training-pipelines")
    assert body["summary"]["errors"] == 1


@pytest.mark.parametrize(("flags", "codes"), [
    (["--select", "ORG104"], {"ORG104"}),
    (["--select", "ORG1", "--ignore", "ORG104"], {"ORG101"}),
    (["--select", "ORG104", "--ignore", "ORG1"], {"ORG104"}),
    (["--select", "title-role-mismatch"], {"ORG101"}),
    (["--select", "ORG101", "--extend-select", "ORG104"], {"ORG101", "ORG104"}),
    (["--select", "ALL", "--ignore", "ORG1"], {"ORG206"}),
])
def test_selection(run_cli, org, flags, codes):
    result = run_cli("check", "bad.yaml", "--output-format", "json", *flags)
    found = {f["code"] for f in json.loads(result.out)["findings"]}
    assert found == codes


def test_unknown_selector_is_exit_2_naming_the_key(run_cli, org):
    result = run_cli("check", "bad.yaml", "--select", "ORG999")
    assert result.code == 2
    assert "key 'select'" in result.err and "ORG999" in result.err


def test_stdin(run_cli, org):
    result = run_cli("check", "-", "--stdin-filename", "teams/infra.yaml",
                     stdin=dedent(BAD).encode())
    assert result.code == 1
    assert "\nteams/infra.yaml:7:54: ORG104" in result.out


def test_colour_only_on_a_terminal_and_never_with_no_color(run_cli, org, monkeypatch):
    import orglint.cli

    monkeypatch.setattr(orglint.cli, "_color", lambda stream: True)
    assert "\x1b[" in run_cli("check", "bad.yaml").out
    monkeypatch.undo()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not orglint.cli._color(type("T", (), {"isatty": lambda self: True})())


def test_statistics(run_cli, org):
    result = run_cli("check", "bad.yaml", "--statistics")
    assert "    1  ORG104  devops-runs-model-lifecycle" in result.out


def test_version_and_usage_errors(run_cli, org):
    assert run_cli("check", "--bogus").code == 2
    assert run_cli("check", "--fail-on", "never").code == 2
    assert run_cli().code == 2
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        from orglint.cli import build_parser

        build_parser().parse_args(["--version"])
    assert out.getvalue().strip() == f"orglint {__version__}"


def test_output_file(run_cli, org):
    result = run_cli("check", "bad.yaml", "--output-format", "json", "--output-file", "o.json")
    assert result.code == 1
    assert json.loads((org / "o.json").read_text())["summary"]["errors"] == 1


def test_github_annotations_added_under_actions(run_cli, org, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli("check", "bad.yaml")
    assert "::error file=bad.yaml,line=7,col=54,endLine=7,endColumn=72,title=ORG104::" in result.out
    assert "bad.yaml:7:54: ORG104" in result.out


def test_rule_command(run_cli):
    result = run_cli("rule", "ORG104")
    assert result.code == 0
    assert "## What it does" in result.out and "## Why is this bad?" in result.out
    by_name = run_cli("rule", "devops-runs-model-lifecycle", "--output-format", "json")
    assert json.loads(by_name.out)["code"] == "ORG104"
    every = json.loads(run_cli("rule", "--all", "--output-format", "json").out)
    assert len(every) == 35  # ORG903 policy-error included
    missing = run_cli("rule", "ORG1O4")
    assert missing.code == 2 and "did you mean 'ORG104'" in missing.err


def test_schema_command(run_cli):
    for kind in ("Team", "People", "RoleMatrix", "Config", "team", "role-matrix"):
        result = run_cli("schema", kind)
        assert result.code == 0
        assert json.loads(result.out)["$schema"].endswith("2020-12/schema")
    assert run_cli("schema", "Nope").code == 2


def test_show_settings(run_cli, org):
    (org / ".orglint.yaml").write_text("fail-on: warning\nignore: [ORG206]\n")
    result = run_cli("check", "--show-settings", "--ignore", "ORG207")
    data = json.loads(result.out)
    assert data["fail-on"] == {"value": "warning", "from": str(org / ".orglint.yaml")}
    assert data["ignore"] == {"value": ["ORG206", "ORG207"], "from": "command line"}
    assert data["select"]["from"] == "default"


def test_flag_mistakes_are_usage_errors(run_cli, org):
    assert run_cli("check", "bad.yaml", "--select", "").code == 2
    assert run_cli("check", "bad.yaml", "--ignore", ",").code == 2
    result = run_cli("check", "bad.yaml", "--write-baseline", "missing/dir/b.json")
    assert result.code == 2
    assert "cannot write baseline" in result.err


def test_select_can_be_repeated(run_cli, org):
    result = run_cli("check", "bad.yaml", "--select", "ORG101", "--select", "ORG104",
                     "--output-format", "json")
    assert {f["code"] for f in json.loads(result.out)["findings"]} == {"ORG101", "ORG104"}
