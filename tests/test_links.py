"""Content from outside the repository never reaches the output through a link (spec §6.1).

Each test commits a link in a fake repository (a folder with ``.git``) to a secret file
beside it, as a fork's pull request could, and checks that the secret is never printed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import CliResult, dedent

SECRET = "hunter2"
TEAM = dedent("""
    apiVersion: orglint/v1
    kind: Team
    metadata: {name: core}
    spec:
      maturity: pilot
      members: [{id: ann, name: Ann, role: ml-engineer}]
    """)
# A team file whose values a finding would quote ('hunter2' is no role).
SECRET_TEAM = TEAM.replace("core", "leak").replace("ml-engineer", SECRET)
OUTSIDE = "a symbolic link to a file outside the repository: not read"


def _repo(tmp_path: Path, config: str | None = 'paths: ["teams/*.yaml"]\n') -> Path:
    """``tmp_path/repo`` (a repository, with one clean team) beside secret files."""
    (tmp_path / "secret.yaml").write_text(f"token: {SECRET}\nfail-on: {SECRET}\n")
    (tmp_path / "secret-team.yaml").write_text(SECRET_TEAM)
    (tmp_path / "secret-folder").mkdir()
    (tmp_path / "secret-folder" / "t.yaml").write_text(SECRET_TEAM)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "teams").mkdir()
    (repo / "teams" / "core.yaml").write_text(TEAM)
    if config is not None:
        (repo / ".orglint.yaml").write_text(config)
    return repo


def _no_secret(*results: CliResult) -> None:
    for result in results:
        assert SECRET not in result.out + result.err
        assert "token" not in result.out + result.err


@pytest.mark.parametrize("name", [".orglint.yaml", "sub/.orglint.yaml"])
def test_a_discovered_configuration_linked_outside_is_refused(run_cli, tmp_path, name):
    repo = _repo(tmp_path, config=None)
    (repo / "sub").mkdir()
    (repo / "sub" / "core.yaml").write_text(TEAM)
    link = repo / name
    link.symlink_to(tmp_path / "secret.yaml")
    # From the folder of the link, and from the root naming a file under it (scopes).
    for args, cwd in ((("check",), link.parent), (("check", "sub/core.yaml"), repo)):
        result = run_cli(*args, cwd=cwd)
        assert result.code == 2
        assert result.err == (f"orglint: error: {link}: a symbolic link to a file outside"
                              f" the repository ({repo}): not read; name the file it points"
                              " to with --config to use it\n")
        _no_secret(result)
    # Named by the user, it is their choice (and its content is theirs to see).
    named = run_cli("check", "--config", str(tmp_path / "secret.yaml"), cwd=repo)
    assert named.code == 2 and SECRET in named.err


def test_a_pyproject_linked_outside_is_refused(run_cli, tmp_path):
    repo = _repo(tmp_path, config=None)
    (tmp_path / "pyproject.toml").write_text(f'[tool.orglint]\nfail-on = "{SECRET}"\n')
    (repo / "pyproject.toml").symlink_to(tmp_path / "pyproject.toml")
    result = run_cli("check", cwd=repo)
    assert result.code == 2 and "outside the repository" in result.err
    _no_secret(result)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="no /proc")
def test_a_configuration_linked_to_the_environment_is_refused(run_cli, tmp_path):
    repo = _repo(tmp_path, config=None)
    (repo / ".orglint.yaml").symlink_to("/proc/self/environ")
    result = run_cli("check", cwd=repo)
    assert result.code == 2 and "outside the repository" in result.err
    assert "environ" not in result.err and "=" not in result.err


def test_a_configuration_linked_inside_the_repository_is_read_where_the_link_is(
        run_cli, tmp_path):
    repo = _repo(tmp_path, config=None)
    (repo / "conf").mkdir()
    (repo / "conf" / "orglint.yaml").write_text('paths: ["teams/*.yaml"]\n')
    (repo / ".orglint.yaml").symlink_to("conf/orglint.yaml")
    shown = json.loads(run_cli("check", "--show-settings", cwd=repo).out)
    # The project (base of 'paths:', limit of --fix) is the link's folder, not conf/.
    assert shown["root"]["value"] == str(repo)
    assert shown["config-file"]["value"] == str(repo / ".orglint.yaml")
    result = run_cli("check", "-v", cwd=repo)
    assert result.code == 0 and "1 org file loaded" in result.err
    # Found for a file named (scopes): the same root, so the same org.
    (repo / "teams" / "more.yaml").write_text(TEAM.replace("core", "more").replace("ann", "bo"))
    result = run_cli("check", "-v", "teams/core.yaml", cwd=repo)
    assert result.code == 0 and "2 org files loaded, 1 named" in result.err


@pytest.mark.parametrize("args", [(), ("teams",), (".",)])
@pytest.mark.parametrize("config", ['paths: ["teams/*.yaml"]\n', 'paths: ["**/*.yaml"]\n',
                                    'paths: ["teams"]\n', None])
def test_a_team_file_linked_outside_is_skipped(run_cli, tmp_path, config, args):
    repo = _repo(tmp_path, config)
    (repo / "teams" / "x.yaml").symlink_to(tmp_path / "secret-team.yaml")
    result = run_cli("check", "-v", *args, cwd=repo)
    assert result.code == 0
    assert f"teams/x.yaml: skipped: {OUTSIDE}" in result.out
    _no_secret(result)


def test_a_folder_linked_outside_is_not_read(run_cli, tmp_path):
    repo = _repo(tmp_path, 'paths: ["teams/*.yaml", "more", "other/*.yaml"]\n')
    (repo / "more").symlink_to(tmp_path / "secret-folder")
    (repo / "other").symlink_to(tmp_path / "secret-folder")
    result = run_cli("check", "-v", cwd=repo)
    assert result.code == 0
    assert ("more: skipped: a symbolic link to a folder outside the repository: not read"
            in result.out)
    assert ("other/t.yaml: skipped: in a symbolic link to a folder outside the repository:"
            " not read") in result.out
    _no_secret(result)


def test_links_inside_the_repository_are_read(run_cli, tmp_path):
    repo = _repo(tmp_path, 'paths: ["teams/*.yaml", "more"]\n')
    (repo / "common").mkdir()
    (repo / "common" / "bad.yaml").write_text(SECRET_TEAM)
    (repo / "teams" / "x.yaml").symlink_to("../common/bad.yaml")
    (repo / "more").symlink_to("common")
    result = run_cli("check", cwd=repo)
    assert result.code == 1 and SECRET in result.out
    assert "teams/x.yaml" in result.out


def test_a_link_named_by_the_user_is_read(run_cli, tmp_path):
    repo = _repo(tmp_path)
    (repo / "teams" / "x.yaml").symlink_to(tmp_path / "secret-team.yaml")
    result = run_cli("check", "-v", "teams/x.yaml", cwd=repo)
    assert result.code == 1 and SECRET in result.out
    assert "skipped" not in result.out  # the glob's refusal is not shown for it


def test_without_a_repository_the_configuration_folder_is_the_limit(run_cli, tmp_path):
    repo = _repo(tmp_path)
    os.rmdir(repo / ".git")
    (repo / "teams" / "x.yaml").symlink_to(tmp_path / "secret-team.yaml")
    result = run_cli("check", "-v", cwd=repo)
    assert f"teams/x.yaml: skipped: {OUTSIDE}" in result.out
    _no_secret(result)


def test_backstage_entities_linked_outside_are_skipped(run_cli, tmp_path):
    repo = _repo(tmp_path, 'paths: ["teams/*.yaml"]\nbackstage: true\n')
    (tmp_path / "users.yaml").write_text(dedent(f"""
        apiVersion: backstage.io/v1alpha1
        kind: User
        metadata: {{name: dana, annotations: {{orglint.dev/role: {SECRET}}}}}
        spec: {{memberOf: [core]}}
        """))
    (repo / "teams" / "users.yaml").symlink_to(tmp_path / "users.yaml")
    result = run_cli("check", "-v", cwd=repo)
    assert f"teams/users.yaml: skipped: {OUTSIDE}" in result.out
    _no_secret(result)


@pytest.mark.parametrize("matrix", ["../secret.yaml", "m.yaml"])
def test_a_matrix_outside_the_repository_is_a_configuration_error(run_cli, tmp_path,
                                                                   matrix):
    repo = _repo(tmp_path, f"matrix: {matrix}\n")
    (repo / "m.yaml").symlink_to(tmp_path / "secret.yaml")
    # Found from the current folder, and found for a file named (scopes).
    for args in ((), ("teams/core.yaml",)):
        result = run_cli("check", *args, cwd=repo)
        assert result.code == 2
        assert result.err == (f"orglint: error: {repo / '.orglint.yaml'}: key 'matrix':"
                              f" {tmp_path / 'secret.yaml'} is outside the repository"
                              f" ({repo}); name the configuration with --config to use it\n")
        _no_secret(result)
    # The same file named with --config: the user chose it, and it is read.
    named = run_cli("check", "--config", ".orglint.yaml", cwd=repo)
    assert named.code == 2 and "outside the repository" not in named.err
    # Settings remembered from that run do not carry its trust to a run that finds it.
    assert "key 'matrix'" in run_cli("check", cwd=repo).err


def test_a_paths_glob_leaving_the_repository_is_a_configuration_error(run_cli, tmp_path):
    repo = _repo(tmp_path, 'paths: ["teams/*.yaml", "../*.yaml"]\n')
    for args in ((), ("teams/core.yaml",)):
        result = run_cli("check", *args, cwd=repo)
        assert result.code == 2
        # Refused by its own text, before any folder is listed: no file outside named.
        assert result.err.startswith(f"orglint: error: {repo / '.orglint.yaml'}: key"
                                     f" 'paths': '../*.yaml' leaves the repository ({repo})")
        _no_secret(result)
    named = run_cli("check", "--config", ".orglint.yaml", cwd=repo)
    assert named.code == 1 and SECRET in named.out


def test_a_policies_glob_never_reads_outside_the_repository(run_cli, tmp_path):
    # A Policy file outside the repository would be parsed, and its broken expression
    # quoted with its position: a glob that leaves, or a link that does, reads nothing.
    (tmp_path / "secret-policy.yaml").write_text(
        f"apiVersion: orglint/v1\nkind: Policy\nmetadata: {{name: p}}\n"
        f"spec: {{rules: [{{code: ACME001, name: leak, target: team,"
        f" expression: '{SECRET} =='}}]}}\n")
    repo = _repo(tmp_path, 'paths: ["teams/*.yaml"]\npolicies: ["../*.yaml"]\n')
    leaving = run_cli("check", cwd=repo)
    assert leaving.code == 2 and "key 'policies'" in leaving.err
    (repo / "policies").mkdir()
    (repo / "policies" / "p.yaml").symlink_to(tmp_path / "secret-policy.yaml")
    (repo / ".orglint.yaml").write_text('paths: ["teams/*.yaml"]\npolicies: ["policies/*"]\n')
    linked = run_cli("check", cwd=repo)
    assert linked.code == 2 and "key 'policies': no file matched" in linked.err
    _no_secret(leaving, linked)


def test_a_folder_tree_deeper_than_the_interpreter_recurses_is_walked(run_cli, tmp_path):
    # Before Python 3.12 os.walk recursed once per level: a committed tree 1,100 deep
    # made every run that walks the repository end with "internal error".
    # Made and removed one level at a time: os.makedirs and shutil.rmtree recurse too.
    levels = [tmp_path]
    for _ in range(1100):
        levels.append(levels[-1] / "a")
        os.mkdir(levels[-1])
    (levels[-1] / "t.yaml").write_text("apiVersion: orglint/v1\nkind: Team\n")
    (tmp_path / ".orglint.yaml").write_text("paths: ['**/*.yaml']\n")
    try:
        for args in (("check", "--no-cache"), ("check", "--no-cache", "--no-config", ".")):
            result = run_cli(*args)
            assert result.code == 1 and "internal error" not in result.err, result.err
            assert "ORG003" in result.out
    finally:
        (levels[-1] / "t.yaml").unlink()
        for level in reversed(levels[1:]):
            os.rmdir(level)


def test_walk_lists_what_os_walk_lists_in_its_order(tmp_path):
    from orglint.fsutil import walk

    for path in ("a/b/c", "a/d", "e", ".h/i"):
        os.makedirs(tmp_path / path)
        (tmp_path / path / "f.yaml").write_text("x")
    os.symlink(tmp_path / "a", tmp_path / "link")  # listed as a folder, not followed
    (tmp_path / "z.yaml").write_text("x")

    def shape(rows):
        return [(current, sorted(dirs), sorted(names)) for current, dirs, names in rows]

    def pruned(rows):
        for current, dirs, names in rows:
            dirs.sort()
            yield current, dirs, names

    assert shape(pruned(walk(tmp_path))) == shape(pruned(os.walk(tmp_path)))
