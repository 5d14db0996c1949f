"""The command line: exit codes, formats, selection, stdin, colour, subcommands."""

from __future__ import annotations

import io
import json
import re

import pytest

from orglint import __version__
from tests.conftest import ACME_MATRIX, REPO, dedent

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


def test_unknown_selector_is_exit_2_naming_the_flag_or_the_key(run_cli, org):
    result = run_cli("check", "bad.yaml", "--select", "ORG999")
    assert result.code == 2
    assert "--select: unknown" in result.err and "ORG999" in result.err
    assert "key 'select'" not in result.err
    (org / ".orglint.yaml").write_text("select: [ORG999]\n")
    result = run_cli("check", "bad.yaml")
    assert result.code == 2 and "key 'select'" in result.err


def test_stdin(run_cli, org):
    result = run_cli("check", "-", "--stdin-filename", "teams/infra.yaml",
                     stdin=dedent(BAD).encode())
    assert result.code == 1
    assert "\nteams/infra.yaml:7:54: ORG104" in result.out


class _Terminal:
    def isatty(self) -> bool:
        return True


def test_colour_on_a_terminal_unless_no_color_is_set_and_non_empty(monkeypatch):
    from orglint.cli import _color

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _color(_Terminal()) and not _color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value counts
    assert _color(_Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not _color(_Terminal())
    assert _color(_Terminal(), "always") and not _color(io.StringIO(), "never")


def test_force_color_and_the_color_flag(run_cli, org, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert "\x1b[" not in run_cli("check", "bad.yaml").out  # not a terminal
    assert "\x1b[31mORG104" in run_cli("check", "bad.yaml", "--color", "always").out
    monkeypatch.setenv("FORCE_COLOR", "")
    assert "\x1b[" not in run_cli("check", "bad.yaml").out
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run_cli("check", "bad.yaml").out
    assert "\x1b[" not in run_cli("check", "bad.yaml", "--color", "never").out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" in run_cli("check", "bad.yaml", "--color", "always").out


def test_statistics_prints_the_counts_not_the_findings(run_cli, org):
    result = run_cli("check", "bad.yaml", "--statistics")
    lines = result.out.splitlines()
    assert "    1  ORG104        devops-runs-model-lifecycle" in lines
    assert not any(line.startswith("bad.yaml:") for line in lines)
    assert lines[-1] == "Found 1 error, 1 warning, 1 info in 1 file."
    assert result.code == 1


def test_statistics_in_json(run_cli, org):
    result = run_cli("check", "bad.yaml", "--statistics", "--output-format", "json")
    body = json.loads(result.out)
    assert {"code": "ORG104", "name": "devops-runs-model-lifecycle", "count": 1,
            "fixable": 0} in body["statistics"]
    assert len(body["findings"]) == 3  # the findings stay: JSON is for programs


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
    assert len(every) == 37  # ORG012, ORG013 and ORG903 included
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
    # How the file in use was chosen, never "default".
    assert data["config-file"]["from"] == "found"
    assert data["root"] == {"value": str(org), "from": "the configuration's folder"}
    named = json.loads(run_cli("check", "--show-settings", "--config", ".orglint.yaml").out)
    assert named["config-file"]["from"] == "--config"
    bare = json.loads(run_cli("check", "--show-settings", "--no-config").out)
    assert bare["config-file"] == {"value": None, "from": "default"}
    assert bare["root"]["from"] == "the current folder"


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


def _actions(parser):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((f"{name} {opt}", act) for opt, act in _actions(sub))
        else:
            yield (action.option_strings or [action.dest])[0], action


def _subparsers(parser):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.values()


def test_every_option_of_every_subcommand_has_a_description():
    from orglint.cli import build_parser

    missing = [name for name, action in _actions(build_parser())
               if not (action.help or "").strip()]
    assert missing == []
    for parser in _subparsers(build_parser()):
        assert parser.description, parser.prog
    check = {name: action for name, action in _actions(build_parser())}
    assert "default: error" in check["check --fail-on"].help
    assert "sarif" in check["check --output-format"].help
    # Help that matches what happens: under Actions the default adds annotations, and
    # check finds each file's nearest configuration, not only the current folder's.
    assert "GitHub Actions" in check["check --output-format"].help
    assert "each file named" in check["check --config"].help


def test_compose_help_lists_the_stages_and_the_systems():
    import argparse

    from orglint.cli import build_parser

    subparsers = next(a for a in build_parser()._actions
                      if isinstance(a, argparse._SubParsersAction))
    text = subparsers.choices["compose"].format_help()
    assert "stages (built-in matrix): exploring, pilot, production, scale" in text
    assert "feature-store" in text and "multi-node-training" in text


@pytest.mark.parametrize(("kind", "an_id"), [
    ("responsibilities", "training-pipelines"), ("systems", "feature-store"),
    ("practices", "eval-gate"), ("roles", "devops-sre"), ("stages", "production")])
def test_roles_list_prints_the_ids_of_a_kind(run_cli, kind, an_id):
    result = run_cli("roles", "--list", kind)
    assert result.code == 0
    assert any(line.split()[0] == an_id for line in result.out.splitlines()[2:])
    listed = json.loads(run_cli("roles", "--list", kind, "--output-format", "json").out)
    assert an_id in [item["id"] for item in listed]


def test_roles_list_includes_the_orgs_own_matrix(run_cli, tmp_path):
    (tmp_path / "matrix.yaml").write_text(ACME_MATRIX)
    (tmp_path / ".orglint.yaml").write_text("matrix: matrix.yaml\n")
    assert "llm-gateway" in run_cli("roles", "--list", "systems").out
    schema = json.loads(run_cli("schema", "Team").out)
    systems = schema["$defs"]["teamSpec"]["properties"]["systems"]["items"]
    assert "llm-gateway" in systems["examples"]


def test_schema_offers_matrix_ids_to_editors_and_enums_for_stages_and_levels(run_cli):
    schema = json.loads(run_cli("schema", "Team").out)
    member = schema["$defs"]["member"]["properties"]
    assert "devops-sre" in member["role"]["examples"]
    assert "training-pipelines" in member["owns"]["items"]["examples"]
    assert schema["$defs"]["teamSpec"]["properties"]["maturity"]["enum"] == [
        "exploring", "pilot", "production", "scale"]
    assert "senior" in schema["$defs"]["level"]["enum"]
    people = json.loads(run_cli("schema", "people").out)
    assert "examples" in json.dumps(people)


def test_schema_without_a_kind_prints_one_schema_for_every_kind(run_cli):
    # Spec section 4: `orglint schema [KIND]` prints the JSON Schema.  Without a kind,
    # one schema that applies each kind's by the document's `kind`.
    import jsonschema_rs
    import yaml

    result = run_cli("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert jsonschema_rs.meta.is_valid(schema)
    validator = jsonschema_rs.Draft202012Validator(schema)
    assert schema["properties"]["kind"]["enum"] == ["Team", "People", "RoleMatrix", "Group",
                                                    "Policy"]
    for name in ("examples/good/recsys-production.yaml", "examples/bad/people.yaml",
                 "examples/policies/staffing.yaml"):
        for doc in yaml.safe_load_all((REPO / name).read_text()):
            assert not list(validator.iter_errors(doc)), name
    team = next(yaml.safe_load_all((REPO / "examples/good/recsys-production.yaml").read_text()))
    team["spec"]["maturity"] = "prod"
    assert [list(e.instance_path) for e in validator.iter_errors(team)] == [
        ["spec", "maturity"]]
    assert list(validator.iter_errors({"apiVersion": "orglint/v1", "kind": "Teem"}))


FIXABLE = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: fx}
spec:
  maturity: exploring
  members:
    - {id: sam, name: S, role: SRE, owns: [ci-runners]}
    - {id: kim, name: K, role: ml-engineer, owns: [trainng-code]}
"""


def test_fixable_findings_are_marked_and_counted(run_cli, tmp_path):
    (tmp_path / "fx.yaml").write_text(dedent(FIXABLE))
    result = run_cli("check", "fx.yaml", "--select", "ORG004,ORG005")
    lines = result.out.splitlines()
    # Spec section 4's format, the mark after the message: a parser of
    # PATH:LINE:COL: CODE [severity] message reads a fixable finding too.
    assert re.fullmatch(r"fx\.yaml:7:32: ORG004 \[error\] .+ \[\*\]", lines[0]), lines[0]
    assert lines[1].startswith("fx.yaml:8:52: ORG005 [error]")  # an unsafe fix: no mark
    assert lines[-2] == "Found 2 errors, 0 warnings, 0 info in 1 file."
    assert lines[-1] == ("[*] 1 fixable with --fix (1 hidden fix can be enabled with"
                         " --unsafe-fixes).")
    result = run_cli("check", "fx.yaml", "--select", "ORG005")
    assert result.out.splitlines()[-1] == ("No fixes available (1 hidden fix can be"
                                           " enabled with --unsafe-fixes).")
    stats = run_cli("check", "fx.yaml", "--select", "ORG004,ORG005", "--statistics").out
    assert "    1  ORG004   [*]  unknown-role" in stats.splitlines()


def test_quiet_prints_the_findings_only_and_silent_nothing(run_cli, org):
    quiet = run_cli("check", "bad.yaml", "-q")
    assert quiet.code == 1
    assert [line.split(":")[0] for line in quiet.out.splitlines()] == ["bad.yaml"] * 3
    assert run_cli("check", "clean.yaml", "--quiet").out == ""
    silent = run_cli("check", "bad.yaml", "-s", "--output-file", "report.txt")
    assert (silent.code, silent.out, silent.err) == (1, "", "")
    assert "ORG104" in (org / "report.txt").read_text()
    quiet = run_cli("check", "bad.yaml", "-q", "--output-file", "quiet.txt")
    assert (quiet.code, quiet.out, quiet.err) == (1, "", "")
    assert "Found" not in (org / "quiet.txt").read_text()


def test_verbose_says_what_the_run_used(run_cli, org):
    result = run_cli("check", "bad.yaml", "-v")
    assert "orglint: configuration: none found (defaults)" in result.err
    assert "orglint: 1 org file loaded, 1 named for reporting" in result.err
    assert "orglint: cache: 0 files served from the cache, 1 checked" in result.err
    result = run_cli("check", "bad.yaml", "clean.yaml", "-v")  # clean.yaml is new
    assert "orglint: cache: 1 file served from the cache, 1 checked" in result.err
    result = run_cli("check", "bad.yaml", "clean.yaml", "-v")
    assert "the whole report reused" in result.err
    (org / ".orglint.yaml").write_text("fail-on: error\n")
    result = run_cli("check", "bad.yaml", "-v", "--no-cache")
    assert f"orglint: configuration: {org / '.orglint.yaml'}" in result.err
    assert "orglint: cache: off" in result.err


def test_output_file_dash_is_standard_output(run_cli, org):
    result = run_cli("check", "bad.yaml", "--output-file", "-", "--output-format", "json")
    assert json.loads(result.out)["summary"]["errors"] == 1
    assert not (org / "-").exists()


def test_select_all_in_any_case(run_cli, org):
    upper = run_cli("check", "bad.yaml", "--select", "ALL").out
    assert run_cli("check", "bad.yaml", "--select", "all").out == upper
    assert run_cli("check", "bad.yaml", "--select", "org104,All", "--ignore", "ORG2").code == 1


def test_clean_says_when_there_was_nothing_to_remove(run_cli, org):
    folder = org / ".cache"  # ORGLINT_CACHE_DIR, set by run_cli
    first = run_cli("clean")
    assert first.out == f"nothing to remove at {folder}\n"
    run_cli("check", "bad.yaml")
    assert run_cli("clean").out == f"removed {folder}\n"
    folder.mkdir()  # an empty folder holds nothing of orglint's
    assert run_cli("clean").out == f"nothing to remove at {folder}\n"


def test_a_path_beside_the_current_folder_is_printed_relative(run_cli, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "here").mkdir()
    (tmp_path / "x" / "team.yaml").write_text(dedent(BAD))
    for given in ("../x/team.yaml", str(tmp_path / "x" / "team.yaml")):
        result = run_cli("check", given, "--select", "ORG104", cwd=tmp_path / "here")
        assert result.out.startswith("../x/team.yaml:7:54: ORG104"), result.out


def test_rule_option_errors_name_the_file_and_line_and_suggest(run_cli, org):
    config = org / ".orglint.yaml"
    config.write_text("fail-on: error\nrules:\n  too-many-roles:\n    max-rolse: 4\n")
    result = run_cli("check", "bad.yaml")
    assert result.code == 2
    assert result.err == (f"orglint: error: {config}:4:5: key 'rules.too-many-roles.max-rolse':"
                          " unknown option (did you mean 'max-roles'?); its options:"
                          " max-roles\n")
    config.write_text("rules:\n  too-many-roles: {max-roles: 1}\n")
    result = run_cli("check", "bad.yaml")
    assert f"{config}:2:31: key 'rules.too-many-roles.max-roles': must be at least 2" in result.err
    config.write_text("rules:\n  ORG999: {}\n")
    assert f"{config}:2:3: key 'rules.ORG999': unknown rule" in run_cli("check", "bad.yaml").err


class _Full(io.TextIOBase):
    """Standard output on a full disk (``> /dev/full``), text and bytes alike."""

    def write(self, text: object) -> int:
        raise OSError(28, "No space left on device")

    @property
    def buffer(self) -> _Full:
        return self


MISSPELT = BAD.replace("role: mlops-engineer", "role: mlops-enginer")


@pytest.mark.parametrize("args", [
    ["check", "--no-cache", "t.yaml"], ["check", "--no-cache", "t.yaml", "-o", "sarif"],
    ["check", "--no-cache", "-", "--diff", "--unsafe-fixes"], ["rule", "--all"], ["roles"],
    ["schema", "Team"]])
@pytest.mark.parametrize(("stdout", "why"), [(_Full(), "No space left on device"),
                                             (None, "it is closed")])
def test_a_full_or_closed_standard_output_is_a_clear_error(tmp_path, monkeypatch, args,
                                                           stdout, why):
    import sys
    from contextlib import redirect_stderr

    from orglint.cli import main

    (tmp_path / "t.yaml").write_text(dedent(MISSPELT))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(dedent(MISSPELT).encode())))
    monkeypatch.setattr(sys, "stdout", stdout)
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["--output-format" if a == "-o" else a for a in args])
    assert code == 2
    assert err.getvalue().splitlines()[-1] == \
        f"orglint: error: cannot write to standard output: {why}"


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_jobs_below_one_is_a_usage_error(run_cli, org, jobs):
    result = run_cli("check", "bad.yaml", "--jobs", jobs)
    assert result.code == 2
    assert f"argument --jobs: '{jobs}' is not a whole number of processes, 1 or more" \
        in result.err


def test_jobs_one_or_more_runs(run_cli, org):
    assert run_cli("check", "bad.yaml", "--jobs", "1").code == 1


@pytest.mark.parametrize(("args", "helped"), [
    (["rule", "--all", "--bogus"], "orglint rule --help"),
    (["check", "--selct", "ORG1"], "orglint check --help"),
    (["--bogus"], "orglint --help"),
])
def test_an_unknown_option_points_at_the_help_of_its_subcommand(run_cli, args, helped):
    result = run_cli(*args)
    assert result.code == 2
    assert "unrecognized arguments" in result.err and f"see '{helped}'" in result.err


def test_a_check_runs_without_the_cyclic_collector_and_gives_it_back(run_cli, org,
                                                                     monkeypatch):
    import gc

    from orglint import files

    seen = []
    gather = files.gather

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())  # before engine.run turns it off for the run
        return gather(*args, **kwargs)

    monkeypatch.setattr(files, "gather", spy)
    assert gc.isenabled()
    assert run_cli("check", "clean.yaml").code == 0
    assert seen == [False] and gc.isenabled()
    assert run_cli("roles", "--list", "stages").code == 0 and gc.isenabled()


def test_a_check_builds_the_check_parser_alone_and_the_same_one():
    from orglint.cli import build_parser

    def subcommands(parser):
        return next(a for a in parser._actions if a.dest == "command").choices

    alone, whole = subcommands(build_parser("check")), subcommands(build_parser())
    assert list(alone) == ["check"] and len(whole) > 1
    assert alone["check"].format_help() == whole["check"].format_help()
    assert alone["check"].parse_args(["-v", "x.yaml"]) == whole["check"].parse_args(
        ["-v", "x.yaml"])
    assert len(subcommands(build_parser("rule"))) == len(whole)


def test_compose_says_when_the_matrix_recommends_no_mix(run_cli, tmp_path):
    (tmp_path / "m.yaml").write_text(
        "apiVersion: orglint/v1\nkind: RoleMatrix\nmetadata: {name: tiny}\nspec:\n"
        "  roles: {solo: {title: Solo}}\n  responsibilities: {x: {owner: solo}}\n")
    (tmp_path / "c.yaml").write_text("matrix: m.yaml\n")
    result = run_cli("compose", "--config", str(tmp_path / "c.yaml"), "--size", "3",
                     "--maturity", "pilot")
    assert result.code == 2 and "recommends no mix for any maturity stage" in result.err
