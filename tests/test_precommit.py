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


def test_try_repo_fails_on_a_bad_team_and_passes_on_a_clean_one(tmp_path, pre_commit_home):
    source, _ = _source_repo(tmp_path)
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


def test_readme_pre_commit_snippet_works(tmp_path, pre_commit_home):
    source, sha = _source_repo(tmp_path)
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


def test_hook_file_filters():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"orglint", "orglint-org"}
    assert hooks["orglint-org"]["pass_filenames"] is False
    pattern = re.compile(hooks["orglint"]["files"])
    for path in ("teams/recsys.yaml", "org/people.yaml", "people.yml", "my-team.yaml",
                 "platform/teams/a/b.yaml", "orglint/matrix.yaml"):
        assert pattern.search(path), path
    for path in (".github/workflows/ci.yaml", ".gitlab-ci.yml", "charts/app/values.yaml",
                 "charts/app/templates/svc.yaml", "docker-compose.yaml", "mkdocs.yml"):
        assert not pattern.search(path), path
