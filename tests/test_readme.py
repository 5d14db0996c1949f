"""The README's CI snippets are the commands these tests run."""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import yaml

from orglint import __version__
from tests.conftest import REPO


def _block(marker: str) -> dict:
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    return yaml.safe_load(next(b for b in blocks if marker in b))


def _orglint_commands(lines: list[str]) -> list[list[str]]:
    out = []
    for line in lines:
        line = line.split("||")[0].strip()
        if line.startswith("orglint "):
            out.append(shlex.split(line))
    return out


def _run(command: list[str], cwd) -> None:
    subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def _org(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "teams").mkdir()
    bad = (REPO / "examples" / "bad" / "role-fit.yaml").read_text()
    (tmp_path / "teams" / "vision.yaml").write_text(bad)
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\n")


def test_github_actions_snippet(tmp_path):
    _org(tmp_path)
    workflow = _block(".github/workflows/orglint.yml")
    steps = workflow["jobs"]["orglint"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert f"pip install orglint=={__version__}" in runs
    commands = _orglint_commands(runs)
    assert commands
    for command in commands:
        _run(command, tmp_path)
    sarif = json.loads((tmp_path / "orglint.sarif").read_text())
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"] == "teams/vision.yaml"
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "orglint.sarif"


def test_gitlab_snippet(tmp_path):
    _org(tmp_path)
    job = _block(".gitlab-ci.yml")["orglint"]
    assert f"pip install orglint=={__version__}" in job["script"]
    for command in _orglint_commands(job["script"]):
        _run(command, tmp_path)
    report = job["artifacts"]["reports"]["codequality"]
    issues = json.loads((tmp_path / report).read_text())
    assert issues and issues[0]["location"]["path"] == "teams/vision.yaml"
