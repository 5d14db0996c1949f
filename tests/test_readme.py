"""The README's snippets are the commands these tests run: the install line and .ci/run,
the newcomer's walk-through, the example finding, and the CI snippets."""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import pytest
import yaml
from packaging.requirements import Requirement

from tests.conftest import REPO

INSTALL = ("python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'"
           " && scripts/install-browser.sh && orglint check examples/")
PIN = '"orglint @ git+https://github.com/orglint/orglint@${ORGLINT_REF}"'


def _readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    text = _readme()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


def _consoles(text: str) -> list[str]:
    return re.findall(r"```console\n(.*?)```", text, re.DOTALL)


def _sessions(text: str) -> list[tuple[str, str]]:
    """(command, expected output) of each ``$ orglint ...`` console block."""
    out = []
    for block in _consoles(text):
        lines = block.rstrip("\n").split("\n")
        if lines[0].startswith("$ orglint "):
            out.append((lines[0][2:], "\n".join(lines[1:])))
    return out


@pytest.fixture
def plain(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("ORGLINT_CONFIG", raising=False)


def test_the_first_command_makes_a_venv_and_ci_runs_exactly_the_readmes_two():
    install = _section("Install and first run")
    commands = [block.strip() for block in _consoles(install)]
    assert commands[0] == INSTALL
    assert commands[1] == "python -m pytest"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert INSTALL in ci and "\npython -m pytest" in ci


def test_the_walk_through_runs_command_by_command(run_cli, tmp_path, plain):
    section = _section("Your first team")
    team = next(b for b in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
                if b.startswith("# teams/recsys.yaml\n"))
    (tmp_path / "teams").mkdir()
    path = tmp_path / "teams" / "recsys.yaml"
    # The block as a newcomer copies it, its first comment line included: the positions
    # the README prints must be the ones they see.
    path.write_text(team, encoding="utf-8")
    sessions = _sessions(section)
    assert len(sessions) == 3
    for step, (command, expected) in enumerate(sessions):
        if step == 2:  # the edit the README asks for: model-rollback moves to ben
            text = path.read_text(encoding="utf-8")
            text = text.replace("owns: [data-pipelines, model-rollback]",
                                "owns: [data-pipelines]")
            text = text.replace("owns: [model-registry-contract, training-pipelines]",
                                "owns: [model-registry-contract, training-pipelines,"
                                " model-rollback]")
            path.write_text(text, encoding="utf-8")
        result = run_cli(*shlex.split(command)[1:])
        assert result.out.rstrip("\n") == expected, (command, result.out, result.err)
    assert "role: mlops-engineer" in path.read_text(encoding="utf-8")


def test_what_a_finding_looks_like(run_cli, plain):
    [(command, expected)] = _sessions(_section("What a finding looks like"))
    result = run_cli(*shlex.split(command)[1:], cwd=REPO)
    assert result.out.rstrip("\n") == expected


def test_the_backstage_example_runs_as_written(run_cli, tmp_path, plain):
    section = _section("Where org data already lives: Backstage, HR exports, SCIM")
    catalog = next(b for b in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
                   if b.startswith("# catalog-info.yaml\n"))
    (tmp_path / "catalog-info.yaml").write_text(catalog, encoding="utf-8")
    assert "With `backstage: true` in `.orglint.yaml` beside it:" in section
    (tmp_path / ".orglint.yaml").write_text("backstage: true\n", encoding="utf-8")
    [(command, expected)] = _sessions(section)
    result = run_cli(*shlex.split(command)[1:])
    assert result.out.rstrip("\n") == expected, (result.out, result.err)


def test_the_install_from_the_repository_is_a_valid_pinned_requirement():
    install = _section("Install and first run")
    line = next(b.strip() for b in _consoles(install) if "git+" in b)
    requirement = Requirement(shlex.split(line)[2])
    assert requirement.name == "orglint"
    assert requirement.url == "git+https://github.com/orglint/orglint@main"


def _block(marker: str) -> dict:
    text = _readme()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    return yaml.safe_load(next(b for b in blocks if marker in b))


def _orglint_commands(lines: list[str]) -> list[list[str]]:
    out = []
    for line in lines:
        line = line.split("||")[0].strip()
        # An environment assignment before the command (`GITHUB_STEP_SUMMARY= orglint`)
        # is the environment of the run, not a word of it.
        while line.split(" ", 1)[0].endswith("=") and " " in line:
            line = line.split(" ", 1)[1]
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
    assert f"pip install {PIN}" in runs
    ref = workflow["env"]["ORGLINT_REF"]
    assert Requirement(PIN.strip('"').replace("${ORGLINT_REF}", ref)).name == "orglint"
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
    assert f"pip install {PIN}" in job["script"]
    assert job["variables"]["ORGLINT_REF"]
    for command in _orglint_commands(job["script"]):
        _run(command, tmp_path)
    report = job["artifacts"]["reports"]["codequality"]
    issues = json.loads((tmp_path / report).read_text())
    assert issues and issues[0]["location"]["path"] == "teams/vision.yaml"


def test_the_security_section_says_what_orglint_trusts_and_refuses():
    # Issue 11's "done when": a short section, one point per kind of attack.
    section = _section("Security")
    assert "trusts nothing in the repository" in section
    for point in ("JSON", "symbolic link", "repository root", "another user", "escaped"):
        assert point in section, point
    assert len(section.splitlines()) < 30


def test_every_orglint_document_in_the_readme_is_valid(run_cli, tmp_path, plain):
    # A newcomer copies these blocks as they are: none may hold a key the schema refuses.
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", _readme(), re.DOTALL)
              if "apiVersion: orglint/v1" in b]
    assert len(blocks) >= 4
    for k, block in enumerate(blocks):
        (tmp_path / f"doc{k}.yaml").write_text(block, encoding="utf-8")
        result = run_cli("check", f"doc{k}.yaml", "--no-config", "--select",
                         "ORG001,ORG002,ORG003", cwd=tmp_path)
        assert result.code == 0, (block, result.out, result.err)
