"""Configuration: discovery, precedence, and every error path naming its key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import dedent

TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: t}
spec:
  maturity: pilot
  size: 3
  members:
    - {id: a, name: A, role: devops-sre, owns: [training-pipelines]}
"""


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "teams" / "sub").mkdir(parents=True)
    (tmp_path / "teams" / "t.yaml").write_text(dedent(TEAM))
    return tmp_path


def codes(result) -> list[str]:
    return [f["code"] for f in json.loads(result.out)["findings"]]


def test_discovered_from_a_subfolder(run_cli, repo):
    (repo / ".orglint.yaml").write_text("ignore: [ORG206, ORG303]\n")
    result = run_cli("check", "../t.yaml", "--output-format", "json", cwd=repo / "teams" / "sub")
    assert codes(result) == ["ORG104"]


def test_pyproject_table(run_cli, repo):
    (repo / "pyproject.toml").write_text('[tool.orglint]\nselect = ["ORG303"]\n')
    assert codes(run_cli("check", "teams/t.yaml", "--output-format", "json", cwd=repo)) == [
        "ORG303"]


def test_config_paths_make_the_org_and_no_path_checks_them(run_cli, repo):
    (repo / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\nselect: [ORG104]\n")
    result = run_cli("check", "--output-format", "json", cwd=repo)
    assert [f["file"] for f in json.loads(result.out)["findings"]] == ["teams/t.yaml"]


def test_severity_per_file_ignores_fail_on_and_options(run_cli, repo):
    (repo / ".orglint.yaml").write_text(dedent("""\
        select: [ORG104, ORG303, ORG109]
        severity: {ORG104: warning, size-mismatch: off}
        fail-on: warning
        rules:
          mlops-ml-conflated: {team-size: 2}
        """))
    result = run_cli("check", "teams/t.yaml", "--output-format", "json", cwd=repo)
    found = json.loads(result.out)["findings"]
    assert [(f["code"], f["severity"]) for f in found] == [("ORG104", "warning")]
    assert result.code == 1
    (repo / ".orglint.yaml").write_text("per-file-ignores: {'teams/*.yaml': [ORG1]}\n"
                                        "select: [ORG104]\n")
    assert codes(run_cli("check", "teams/t.yaml", "--output-format", "json", cwd=repo)) == []


def test_cli_overrides_file(run_cli, repo):
    (repo / ".orglint.yaml").write_text("select: [ORG303]\n")
    result = run_cli("check", "teams/t.yaml", "--select", "ORG104", "--output-format", "json",
                     cwd=repo)
    assert codes(result) == ["ORG104"]
    assert codes(run_cli("check", "teams/t.yaml", "--no-config", "--select", "ORG303",
                         "--output-format", "json", cwd=repo)) == ["ORG303"]


@pytest.mark.parametrize(("text", "expected"), [
    ("selct: [ORG1]\n", "key 'selct': unknown key 'selct' (did you mean 'select'?)"),
    ("select: ORG1\n", "key 'select': select must be a list"),
    ("fail-on: never\n", "key 'fail-on': fail-on must be one of error, warning, info"),
    ("severity: {ORG104: loud}\n", "key 'severity.ORG104'"),
    ("severity: {ORG999: error}\n", "key 'severity.ORG999': unknown rule 'ORG999'"),
    ("select: [ORG999]\n", "key 'select': unknown rule, prefix or name 'ORG999'"),
    ("ignore: [ORG1O4]\n", "key 'ignore': unknown rule, prefix or name 'ORG1O4'"),
    ("per-file-ignores: {'*.yaml': [BOGUS9]}\n", "key 'per-file-ignores.*.yaml'"),
    ("rules: {ORG109: {team-sise: 3}}\n", "key 'rules.ORG109.team-sise'"),
    ("rules: {ORG109: {team-size: -1}}\n", "key 'rules.ORG109.team-size'"),
    ("rules: {ORG999: {}}\n", "key 'rules.ORG999': unknown rule"),
    ("rules: {ORG206: {stages: [a]}}\n", "key 'rules.ORG206.stages'"),  # a rule with no options
    ("rules: {too-many-roles: {max-roles: many}}\n", "key 'rules.too-many-roles.max-roles'"),
    ("rules: {too-many-roles: {max-roles: 1}}\n",
     "key 'rules.too-many-roles.max-roles': must be at least 2"),
    ("rules: {ORG207: {stages: production}}\n", "key 'rules.ORG207.stages'"),
    ("matrix: nowhere.yaml\n", "key 'matrix': no such file"),
    ("max-depth: 1\n", "key 'max-depth'"),
    # A repository's configuration cannot lift the limits past what one run can bear:
    # without a ceiling, an alias bomb of 615 bytes grew to 8 GB and the process aborted.
    ("max-alias-nodes: 1000000000000000\n", "key 'max-alias-nodes'"),
    ("max-file-size: 1000000000000000\n", "key 'max-file-size'"),
    # Every file is matched against every glob: the lists are bounded too.
    ("per-file-ignores: {" + ", ".join(f"'g{i}/*': [ORG1]" for i in range(1001)) + "}\n",
     "key 'per-file-ignores'"),
    ("exclude: [" + ", ".join(f"'g{i}/*'" for i in range(1001)) + "]\n", "key 'exclude'"),
    ("max-file-size: 1.5\n", "key 'max-file-size': max-file-size must be an integer"),
    ("max-file-size: .inf\n", "key 'max-file-size': max-file-size must be an integer"),
    ("- a list\n", "the configuration must be a mapping"),
    ("a: [unclosed\n", "invalid YAML"),
])
def test_every_config_mistake_is_exit_2_naming_the_key(run_cli, repo, text, expected):
    (repo / ".orglint.yaml").write_text(text)
    result = run_cli("check", "teams/t.yaml", cwd=repo)
    assert result.code == 2, result.out
    assert expected in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(("text", "where"), [
    ("select: [ORG0, ORG999]\n", ":1:16: key 'select'"),
    ("extend-select: [ORG1]\nignore: [orgx]\n", ":2:10: key 'ignore'"),
    ("severity:\n  ORG104: error\n  ORG999: off\n", ":3:3: key 'severity.ORG999'"),
    ("per-file-ignores:\n  'teams/*': [ORG101, ORG999]\n",
     ":2:23: key 'per-file-ignores.teams/*'"),
])
def test_an_unknown_rule_in_the_configuration_is_named_with_its_place(run_cli, repo, text,
                                                                       where):
    # As the README promises, and as `rules:` did already (found by review).
    (repo / ".orglint.yaml").write_text(text)
    result = run_cli("check", "teams/t.yaml", cwd=repo)
    assert result.code == 2 and f".orglint.yaml{where}" in result.err, result.err


def test_policies_that_match_nothing_name_the_configuration_like_matrix_does(run_cli, repo):
    (repo / ".orglint.yaml").write_text("policies: ['policies/*.yaml']\n")
    result = run_cli("check", "teams/t.yaml", cwd=repo)
    assert result.code == 2
    assert ".orglint.yaml: key 'policies': no file matched policies/*.yaml" in result.err


def test_pyproject_errors_name_the_key(run_cli, repo):
    (repo / "pyproject.toml").write_text('[tool.orglint]\nfail-on = "never"\n')
    result = run_cli("check", "teams/t.yaml", cwd=repo)
    assert result.code == 2 and "key 'fail-on'" in result.err
    (repo / "pyproject.toml").write_text("[tool.orglint\n")
    assert run_cli("check", "teams/t.yaml", cwd=repo).code == 2


def test_explicit_config_missing(run_cli, repo):
    result = run_cli("check", "teams/t.yaml", "--config", "nope.yaml", cwd=repo)
    assert result.code == 2 and "configuration file not found" in result.err


def test_configuration_file_and_excluded_files_are_skipped_with_a_reason(run_cli, repo):
    (repo / ".orglint.yaml").write_text("paths: ['.orglint.yaml', 'teams/*.yaml']\n"
                                        "exclude: ['teams/old.yaml']\nselect: [ORG104]\n")
    (repo / "teams" / "old.yaml").write_text(dedent(TEAM))
    result = run_cli("check", "-v", cwd=repo)
    assert ".orglint.yaml: skipped: the orglint configuration file" in result.out
    assert "teams/old.yaml: skipped: excluded by the configuration" in result.out
    assert "teams/t.yaml:8:" in result.out and "teams/old.yaml:8" not in result.out


def test_rule_options_are_parsed_into_the_rules_dataclass():
    from orglint.options import keys, parse
    from orglint.rules.coverage import StageOptions
    from orglint.rules.people import MaxRolesOptions

    assert parse(StageOptions, {"stages": ["pilot"]}, "rules.ORG207") == StageOptions(("pilot",))
    assert parse(MaxRolesOptions, {"max_roles": 4}, "r").max_roles == 4  # underscores too
    assert parse(MaxRolesOptions, {}, "r") == MaxRolesOptions()
    assert keys(MaxRolesOptions) == ["max-roles"]


def test_every_key_of_the_config_schema_reaches_the_settings():
    from orglint.config import FILE_KEYS
    from orglint.resources import schema

    assert set(schema("Config")["properties"]) == FILE_KEYS


def test_a_full_configuration_sets_every_setting(repo):
    from orglint.config import load_settings

    (repo / "matrix.yaml").write_text(
        "apiVersion: orglint/v1\nkind: RoleMatrix\nmetadata: {name: m}\n"
        "spec: {extends: ai-platform}\n")
    (repo / ".orglint.yaml").write_text(dedent("""\
        paths: ['teams/*.yaml']
        exclude: ['teams/old/*']
        select: [ORG1]
        extend-select: [ORG4]
        ignore: [ORG104]
        severity: {ORG401: warning}
        per-file-ignores: {'teams/legacy.yaml': [ORG2]}
        matrix: matrix.yaml
        fail-on: warning
        rules: {ORG109: {team-size: 5}}
        max-file-size: 1000
        max-depth: 10
        max-alias-nodes: 0
        cache: false
        backstage: true
        policies: ['policies/*.yaml']
        """))
    settings = load_settings(cwd=repo)
    assert settings.policies == ["policies/*.yaml"]
    assert (settings.paths, settings.exclude) == (["teams/*.yaml"], ["teams/old/*"])
    assert (settings.select, settings.extend_select, settings.ignore) == (
        ["ORG1"], ["ORG4"], ["ORG104"])
    assert settings.severity == {"ORG401": "warning"}
    assert settings.per_file_ignores == {"teams/legacy.yaml": ["ORG2"]}
    assert settings.matrix == (repo / "matrix.yaml").resolve()
    assert settings.fail_on.label == "warning"
    assert settings.rule_options == {"ORG109": {"team-size": 5}}
    assert tuple(settings.limits) == (1000, 10, 0)
    assert settings.cache is False
    assert settings.backstage is True
    shown = settings.shown()
    assert all(v["from"] != "default" for k, v in shown.items() if k not in ("root", "config-file"))


def test_the_settings_snapshot_is_reused_only_for_the_same_file_and_code(
        repo, tmp_path, monkeypatch):
    from orglint import cache, config

    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(tmp_path / "cache"))
    (repo / ".orglint.yaml").write_text("select: [ORG1]\n")
    first = config.load_settings(cwd=repo)
    snapshots = list((tmp_path / "cache" / "settings").iterdir())
    assert len(snapshots) == 1

    read = []
    monkeypatch.setattr(config, "_read", lambda path: read.append(path) or {"select": ["X"]})
    again = config.load_settings(cwd=repo)
    assert read == [] and again.select == first.select == ["ORG1"]  # from the snapshot

    (repo / ".orglint.yaml").write_text("select: [ORG2]\n")  # an edit: parsed again
    assert config.load_settings(cwd=repo).select == ["X"] and len(read) == 1

    monkeypatch.setattr(cache, "code_digest", lambda: "other code")
    (repo / ".orglint.yaml").write_text("select: [ORG1]\n")  # same bytes, other code
    config.load_settings(cwd=repo)
    assert len(read) == 2


def test_a_corrupt_settings_snapshot_is_ignored(repo, tmp_path, monkeypatch):
    from orglint import config

    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(tmp_path / "cache"))
    (repo / ".orglint.yaml").write_text("select: [ORG1]\n")
    config.load_settings(cwd=repo)
    for snapshot in (tmp_path / "cache" / "settings").iterdir():
        snapshot.write_bytes(b"\x80\x05not a pickle")
    assert config.load_settings(cwd=repo).select == ["ORG1"]


def test_per_file_ignores_resolve_a_file_once_whatever_the_number_of_globs(tmp_path,
                                                                         monkeypatch):
    # Two resolve() calls (system calls per path component) for every glob of every
    # file: 5,000 globs on 500 files took 484 s.  Now once per file, globs compiled.
    from orglint import engine
    from orglint.config import Settings
    from orglint.files import Source
    from orglint.findings import Finding, Severity

    (tmp_path / "legacy").mkdir()
    team = tmp_path / "legacy" / "t.yaml"
    team.write_text("kind: Team\n")
    settings = Settings(root=tmp_path)
    settings.per_file_ignores = {f"other-{i}/*.yaml": ["ORG1"] for i in range(300)}
    settings.per_file_ignores["legacy"] = ["ORG2"]  # a folder of the path
    settings.per_file_ignores["*/t.yaml"] = ["ORG105"]  # the path from the root
    findings = [Finding(code, "x", Severity.ERROR, "m", "legacy/t.yaml", 1, 1, 1, 2)
                for code in ("ORG101", "ORG201", "ORG105", "ORG301")]
    calls = []
    resolve = Path.resolve

    def counted(self, *args, **kwargs):
        calls.append(self)
        return resolve(self, *args, **kwargs)

    monkeypatch.setattr(Path, "resolve", counted)
    kept, _ = engine._per_file_ignores(findings, Source(team, "legacy/t.yaml"), settings,
                                       tmp_path, {})
    assert [f.code for f in kept] == ["ORG101", "ORG301"]
    assert len(calls) == 2  # the file and the root, once


def test_per_file_ignores_are_relative_to_the_configuration_not_the_current_folder(
        run_cli, tmp_path):
    # Matched against the path as printed too, `x/*.yaml` silenced teams/x/a.yaml when
    # run from teams/, and standard input was never matched.  Found by the trust review.
    (tmp_path / "teams" / "x").mkdir(parents=True)
    team = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: {n}}}\nspec:\n"
            "  maturity: pilot\n  members: [{{id: p1, role: ml-engineer, allocation: 60}}]\n")
    (tmp_path / "teams" / "x" / "a.yaml").write_text(team.format(n="a"))
    (tmp_path / "teams" / "b.yaml").write_text(team.format(n="b"))
    (tmp_path / ".orglint.yaml").write_text(
        "paths: ['teams/**/*.yaml']\n"
        "per-file-ignores: {'x/*.yaml': [ORG301], 'teams/b.yaml': [ORG301]}\n")
    root = run_cli("check", "--no-cache", "--select", "ORG301", "teams/x/a.yaml")
    inside = run_cli("check", "--no-cache", "--select", "ORG301", "x/a.yaml",
                     cwd=tmp_path / "teams")
    assert "ORG301" in root.out and "ORG301" in inside.out, inside.out
    by_name = run_cli("check", "--no-cache", "--select", "ORG301", "teams/b.yaml")
    piped = run_cli("check", "--no-cache", "--select", "ORG301", "-", "--stdin-filename",
                    "teams/b.yaml", stdin=team.format(n="b").encode())
    assert "ORG301" not in by_name.out and "ORG301" not in piped.out, piped.out


def test_a_suppression_of_a_code_per_file_ignores_drop_is_not_unused(run_cli, tmp_path):
    # With `ignore: [ORG2]` the suppression below was not reported; with the same code
    # dropped by per-file-ignores it was ORG901 "unused".  Found by the trust review.
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
        "  maturity: production  # orglint: ignore[ORG203]\n"
        "  systems: [feature-store, model-serving]\n"
        "  members:\n    - {id: p1, role: ml-engineer}\n")
    (tmp_path / ".orglint.yaml").write_text(
        "paths: ['teams/*.yaml']\nper-file-ignores: {'teams/*': [ORG2]}\n")
    done = run_cli("check", "--no-cache", "--select", "ORG2,ORG9")
    assert "ORG901" not in done.out and "ORG2" not in done.out, done.out
    (tmp_path / ".orglint.yaml").write_text(
        "paths: ['teams/*.yaml']\nper-file-ignores: {'teams/*': [ORG204]}\n")
    other = run_cli("check", "--no-cache", "--select", "ORG2,ORG9")
    assert "ORG203" not in other.out and "ORG901" not in other.out, other.out  # it is used


def test_a_pyproject_number_python_cannot_read_is_exit_2_naming_it(run_cli, tmp_path):
    # int() refuses more than 4,300 digits: a ValueError tomllib lets through.
    (tmp_path / "pyproject.toml").write_text("[tool.orglint]\nmax-depth = " + "9" * 5000
                                             + "\n")
    (tmp_path / "t.yaml").write_text("apiVersion: orglint/v1\nkind: Team\n")
    result = run_cli("check", "t.yaml")
    assert result.code == 2 and "pyproject.toml" in result.err, result.err
    assert "internal error" not in result.err


@pytest.mark.parametrize(("line", "code"), [
    ("fail-on = 1979-05-27", 2), ("severity = {ORG101 = 1979-05-27T07:32:00Z}", 2),
    ("exclude = [07:32:00]", 1)])
def test_a_toml_date_or_time_is_read_as_its_text(run_cli, tmp_path, line, code):
    # The schema check knows JSON's types: a TOML date reached it and was an internal
    # error.  Now it is its text: refused, naming the key, where a string is not what
    # the key takes, and a glob like any other where it is.
    (tmp_path / "pyproject.toml").write_text(f"[tool.orglint]\n{line}\n")
    (tmp_path / "t.yaml").write_text("apiVersion: orglint/v1\nkind: Team\n")
    result = run_cli("check", "t.yaml")
    assert result.code == code and "internal error" not in result.err, result.err
    if code == 2:
        assert "pyproject.toml" in result.err and line.split(" ")[0] in result.err


def test_a_pyproject_whose_tool_is_not_a_table(run_cli, tmp_path):
    # Found by discovery it configures nothing; named, it is refused (exit 2), never an
    # internal error.
    (tmp_path / "pyproject.toml").write_text("tool = 1\n")
    (tmp_path / "t.yaml").write_text("apiVersion: orglint/v1\nkind: Team\n")
    result = run_cli("check", "t.yaml")
    assert result.code == 1 and "ORG003" in result.out, result.err
    result = run_cli("check", "--config", "pyproject.toml", "t.yaml")
    assert result.code == 2 and "no [tool.orglint] table" in result.err, result.err


def test_a_deeply_nested_pyproject_is_exit_2_naming_it(run_cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.orglint]\nexclude = " + "[" * 50_000 + "]" * 50_000 + "\n")
    (tmp_path / "t.yaml").write_text("apiVersion: orglint/v1\nkind: Team\n")
    result = run_cli("check", "t.yaml")
    assert result.code == 2 and "pyproject.toml" in result.err, result.err
    assert "internal error" not in result.err
