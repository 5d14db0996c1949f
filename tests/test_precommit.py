"""The hook, for real: pre-commit builds orglint in its own isolated venv from this repo.

These tests install orglint with pip the way pre-commit does (a non-editable build),
so they also prove that the schemas and the matrix ship inside the wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.test_scopes import PEOPLE, TEAM

BAD = (REPO / "examples" / "bad" / "role-fit.yaml").read_text()
GOOD = (REPO / "examples" / "good" / "recsys-production.yaml").read_text()
HELM = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n"
CI = "jobs:\n  build:\n\truns-on: ubuntu-latest\n"  # invalid YAML (a tab): must not be linted


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def _repo(tmp_path: Path, team: str) -> Path:
    work = tmp_path / "work"
    (work / "teams").mkdir(parents=True)
    (work / "charts" / "templates").mkdir(parents=True)
    (work / ".github" / "workflows").mkdir(parents=True)
    (work / "teams" / "vision.yaml").write_text(team)
    (work / "charts" / "templates" / "svc.yaml").write_text(HELM)
    (work / ".github" / "workflows" / "ci.yaml").write_text(CI)
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    return work


def _pre_commit(work: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("ORGLINT_CACHE_DIR", None)
    return subprocess.run(["pre-commit", *args], cwd=work, env=env, capture_output=True,
                          text=True, timeout=900)


def _source_repo(tmp_path: Path) -> tuple[Path, str]:
    """A committed copy of this working tree, so uncommitted edits are tested too."""
    clone = tmp_path / "orglint-src"
    shutil.copytree(REPO, clone, ignore=shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "__pycache__", ".orglint_cache", ".pytest_cache",
        ".mypy_cache", ".ruff_cache", ".hypothesis", "build", "dist"))
    _git(clone, "init", "-q")
    _git(clone, "add", "-A")
    _git(clone, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "snapshot")
    return clone, _git(clone, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One snapshot for the session: pre-commit builds its venv once per repo and rev."""
    return _source_repo(tmp_path_factory.mktemp("source"))


def test_try_repo_fails_on_a_bad_team_and_passes_on_a_clean_one(tmp_path, pre_commit_home,
                                                                 source):
    source, _ = source
    work = _repo(tmp_path, BAD)
    bad = _pre_commit(work, pre_commit_home, "try-repo", str(source), "orglint", "--all-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "teams/vision.yaml:18:26: ORG104 [error]" in bad.stdout
    assert "charts/" not in bad.stdout and ".github/" not in bad.stdout
    (work / "teams" / "vision.yaml").write_text(GOOD)
    _git(work, "add", "-A")
    good = _pre_commit(work, pre_commit_home, "try-repo", str(source), "orglint", "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr


def _readme_block(marker: str) -> str:
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    return next(b for b in blocks if marker in b)


def test_readme_pre_commit_snippet_works(tmp_path, pre_commit_home, source):
    source, sha = source
    config = yaml.safe_load(_readme_block(".pre-commit-config.yaml"))
    config["repos"][0]["repo"] = str(source)
    config["repos"][0]["rev"] = sha
    config["repos"][0]["hooks"].append({"id": "orglint-org"})
    work = _repo(tmp_path, BAD)
    (work / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\n")
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git(work, "add", "-A")
    result = _pre_commit(work, pre_commit_home, "run", "--all-files")
    assert result.returncode == 1
    assert result.stdout.count("teams/vision.yaml:18:26: ORG104") == 2  # both hooks


def test_hooks_pass_every_yaml_file_and_force_exclude():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"orglint", "orglint-org"}
    assert hooks["orglint-org"]["pass_filenames"] is False
    assert hooks["orglint-org"]["always_run"] is True
    for hook in hooks.values():
        # orglint decides what is an orglint document (tests/test_scopes.py), so the org
        # does not depend on a file-name pattern.
        assert hook["types"] == ["yaml"] and "files" not in hook
        assert "--force-exclude" in hook["entry"].split()


def _hooked(tmp_path: Path, source: tuple[Path, str], files: dict[str, str],
            hooks: tuple[str, ...] = ("orglint",)) -> Path:
    """A repository with ``files`` committed and orglint's hooks configured."""
    work = tmp_path / "work"
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    config = {"repos": [{"repo": str(source[0]), "rev": source[1],
                         "hooks": [{"id": h} for h in hooks]}]}
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    _git(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "org")
    return work


def test_a_staged_people_change_fails_on_the_team_file_it_breaks(tmp_path, pre_commit_home,
                                                                  source):
    work = _hooked(tmp_path, source, {
        ".orglint.yaml": "paths: ['people.yaml', 'teams/*.yaml']\n",
        "people.yaml": PEOPLE, "teams/vision.yaml": TEAM})
    (work / "people.yaml").write_text(PEOPLE.replace("{id: bo,", "{id: bob,"))
    _git(work, "add", "people.yaml")
    result = _pre_commit(work, pre_commit_home, "run")  # the staged files only
    assert result.returncode == 1, result.stdout
    assert "teams/vision.yaml:8:12: ORG008 [error] bo is in no People file" in result.stdout


def test_the_org_hook_runs_on_a_commit_that_stages_no_yaml_file(tmp_path, pre_commit_home,
                                                                source):
    # Deleting the People file a team relies on stages no YAML file: the per-file hook
    # has nothing to check, and the org hook was skipped too.
    alice, bo = PEOPLE.splitlines(keepends=True)[-2:]
    work = _hooked(tmp_path, source, {
        ".orglint.yaml": "paths: ['people*.yaml', 'teams/*.yaml']\n",
        "people.yaml": PEOPLE.replace(bo, ""), "people2.yaml": PEOPLE.replace(alice, ""),
        "teams/vision.yaml": TEAM}, hooks=("orglint", "orglint-org"))
    _git(work, "rm", "-q", "people2.yaml")
    result = _pre_commit(work, pre_commit_home, "run")
    assert result.returncode == 1, result.stdout
    assert "ORG008 [error]" in result.stdout


def test_an_org_in_a_subfolder_gets_its_own_configuration(tmp_path, pre_commit_home, source):
    broken = PEOPLE.replace("{id: bo,", "{id: bob,")
    work = _hooked(tmp_path, source, {
        "org/.orglint.yaml": "paths: ['people.yaml', 'teams/*.yaml']\n",
        "org/people.yaml": broken, "org/teams/vision.yaml": TEAM,
        "lone/teams/solo.yaml": TEAM.replace("vision", "solo")})
    result = _pre_commit(work, pre_commit_home, "run", "--files", "org/teams/vision.yaml")
    assert "org/teams/vision.yaml:8:12: ORG008" in result.stdout, result.stdout
    # Without paths: the hook sees one file alone, and says so (pre-commit shows the
    # output of a hook that passes only with --verbose).
    alone = _pre_commit(work, pre_commit_home, "run", "--verbose", "--files",
                        "lone/teams/solo.yaml")
    assert alone.returncode == 0, alone.stdout
    assert "hint: cross-file rules saw only the files named" in alone.stdout


def _found(output: str) -> list[str]:
    return sorted(line for line in output.splitlines() if ": ORG" in line)


@pytest.mark.parametrize("config", ["paths: ['teams/*.yaml']\n", "select: [ALL]\n"])
def test_the_org_is_the_same_whichever_hook_reaches_it(tmp_path, pre_commit_home, source,
                                                      config):
    work = _hooked(tmp_path, source, {
        ".orglint.yaml": config, "teams/vision.yaml": BAD, "recsys.yaml": BAD.replace(
            "name: vision", "name: recsys"), "charts/templates/svc.yaml": HELM,
        ".github/workflows/ci.yaml": CI}, hooks=("orglint", "orglint-org"))
    result = _pre_commit(work, pre_commit_home, "run", "--all-files")
    assert result.returncode == 1, result.stdout
    found = _found(result.stdout)
    per_file = [line for line in found if line.startswith("teams/")]
    assert per_file and found.count(per_file[0]) == 2  # once per hook
    assert "charts/" not in result.stdout and ".github/" not in result.stdout
    at_root = [line for line in found if line.startswith("recsys.yaml")]
    if "paths" in config:
        assert at_root == []  # outside the org: neither hook checks it
    else:
        assert at_root and len(at_root) % 2 == 0  # the whole folder is the org: both do
    # The file at the root, committed alone: the same as under --all-files.
    (work / "recsys.yaml").write_text((work / "recsys.yaml").read_text() + "# touched\n")
    _git(work, "add", "recsys.yaml")
    alone = _pre_commit(work, pre_commit_home, "run", "orglint")
    assert (_found(alone.stdout) == []) == ("paths" in config), alone.stdout


def test_an_excluded_team_is_not_checked_when_touched(tmp_path, pre_commit_home, source):
    work = _hooked(tmp_path, source, {
        ".orglint.yaml": "exclude: ['teams/archive/*']\n", "teams/archive/old.yaml": BAD})
    result = _pre_commit(work, pre_commit_home, "run", "--files", "teams/archive/old.yaml")
    assert result.returncode == 0, result.stdout
