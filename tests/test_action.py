"""action.yml: its shell steps run with bash in a fake GitHub Actions environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
STEPS = {step["id"]: step for step in ACTION["runs"]["steps"] if "id" in step}
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def test_inputs_and_outputs_are_the_contract():
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    assert set(inputs) == {"args", "version", "sarif", "summary", "working-directory"}
    assert inputs["args"]["default"] == "check"
    assert inputs["version"]["default"] == "${{ github.action_ref }}"
    assert inputs["summary"]["default"] == "true"
    assert set(ACTION["outputs"]) == {"findings", "sarif-file"}
    # Inputs reach the scripts only through the environment, never as script text.
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", "")


def _expand(value: str, inputs: dict[str, str], github: dict[str, str]) -> str:
    """The few expressions the steps' env use: ${{ inputs.X }} and ${{ github.X }}."""
    for name, text in inputs.items():
        value = value.replace(f"${{{{ inputs.{name} }}}}", text)
    for name, text in github.items():
        value = value.replace(f"${{{{ github.{name} }}}}", text)
    return value


def _step(step_id: str, tmp: Path, inputs: dict[str, str], path: str,
          cwd: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    step = STEPS[step_id]
    defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    github = {"action_ref": "v9.9.9", "action_repository": "orglint/orglint"}
    defaults = {k: _expand(v, {}, github) for k, v in defaults.items()}
    values = {**defaults, **inputs}
    output, summary, gh_path = tmp / "output", tmp / "summary.md", tmp / "path"
    for f in (output, summary, gh_path):
        f.write_text("")
    env = {"PATH": path, "HOME": str(tmp), "GITHUB_ACTIONS": "true",
           "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_PATH": str(gh_path), "GITHUB_ACTION_PATH": str(REPO),
           "RUNNER_TEMP": str(tmp / "runner"), "ORGLINT_CACHE_DIR": str(tmp / "cache")}
    (tmp / "runner").mkdir(exist_ok=True)
    env.update({k: _expand(str(v), values, github) for k, v in step.get("env", {}).items()})
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
    return done, outputs


@pytest.fixture
def org(tmp_path):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    return tmp_path / "examples"


def _path() -> str:
    return f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"


def test_check_step_sets_outputs_writes_summary_and_sarif(tmp_path, org):
    done, outputs = _step("check", tmp_path, {"sarif": "true", "args": "check bad"},
                          _path(), org)
    assert done.returncode == 1, done.stderr
    assert "::error file=" in done.stdout
    assert outputs["findings"] == "20"  # errors, at the default --fail-on
    sarif = Path(outputs["sarif-file"])
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    summary = (tmp_path / "summary.md").read_text()
    assert summary.count("## orglint:") == 1  # the SARIF and count runs add none


def test_check_step_passes_arguments_as_written(tmp_path, org):
    args = "check good 'bad/role-fit.yaml' --fail-on warning --select ORG1"
    done, outputs = _step("check", tmp_path, {"args": args, "summary": "false"},
                          _path(), org)
    assert done.returncode == 1
    assert outputs == {"findings": "10", "sarif-file": ""}  # 3 errors, 7 warnings
    assert (tmp_path / "summary.md").read_text() == ""
    # A hostile input stays an argument: nothing is expanded or run.
    done, outputs = _step("check", tmp_path, {"args": "check $(touch pwned) `id` ;ls"},
                          _path(), org)
    assert done.returncode == 2 and not (org / "pwned").exists()
    assert outputs["findings"] == ""


def test_a_double_dash_in_args_keeps_the_outputs_and_the_sarif(tmp_path, org):
    # The action's options went after the user's arguments: after '--' they were
    # paths, so the count was empty and the SARIF run failed the step.
    done, outputs = _step("check", tmp_path, {"sarif": "true", "args": "check -- bad"},
                          _path(), org)
    assert done.returncode == 1, done.stdout + done.stderr
    assert outputs["findings"] == "20"
    assert json.loads(Path(outputs["sarif-file"]).read_text())["version"] == "2.1.0"


def test_the_users_own_options_do_not_change_the_actions_outputs(tmp_path, org):
    done, outputs = _step("check", tmp_path, {"sarif": "true",
                                              "args": "check bad --output-format github"},
                          _path(), org)
    assert done.returncode == 1
    assert outputs["findings"] == "20"
    assert json.loads(Path(outputs["sarif-file"]).read_text())["version"] == "2.1.0"


@pytest.mark.parametrize("sarif", ["true", "false"])
def test_args_that_cannot_be_split_are_a_clear_error(tmp_path, org, sarif):
    done, outputs = _step("check", tmp_path, {"sarif": sarif, "args": 'check "bad'},
                          _path(), org)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "::error::orglint: the action's 'args' input cannot be split" in done.stdout
    assert outputs == {"findings": "", "sarif-file": ""}


@pytest.mark.parametrize("sarif", ["true", "false"])
def test_a_run_that_cannot_start_says_why_and_sets_the_outputs_alike(tmp_path, org, sarif):
    # A missing path: orglint's own message, not "could not write SARIF", and the same
    # outputs whether SARIF was asked for or not.
    done, outputs = _step("check", tmp_path, {"sarif": sarif, "args": "check missing/"},
                          _path(), org)
    assert done.returncode == 2
    assert "could not write SARIF" not in done.stdout
    assert "missing" in done.stderr
    assert outputs == {"findings": "", "sarif-file": ""}


def test_a_sarif_run_that_fails_fails_the_step_even_with_findings(tmp_path, org):
    # Under bash -e (as GitHub runs it) the visible run's exit 1 ended the script
    # before the SARIF failure was said: the upload was skipped without a word.
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    fake = stubs / "orglint"
    fake.write_text(f"""#!/bin/sh
for a in "$@"; do
  if [ "$a" = sarif ]; then echo "orglint: error: cannot write the SARIF file" >&2; exit 2; fi
done
exec "{BIN / 'orglint'}" "$@"
""")
    fake.chmod(0o755)
    done, outputs = _step("check", tmp_path, {"sarif": "true", "args": "check bad"},
                          f"{stubs}{os.pathsep}{_path()}", org)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "::error::orglint could not write SARIF" in done.stdout
    assert "cannot write the SARIF file" in done.stderr
    assert outputs["sarif-file"] == "" and outputs["findings"] == "20"


def test_another_subcommand_runs_as_written(tmp_path, org):
    done, outputs = _step("check", tmp_path, {"sarif": "true", "args": "rule ORG104"},
                          _path(), org)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "could not write SARIF" not in done.stdout
    assert outputs == {"findings": "", "sarif-file": ""}


def test_working_directory_is_used(tmp_path, org):
    assert ACTION["runs"]["steps"][1]["working-directory"] == "${{ inputs.working-directory }}"
    done, outputs = _step("check", tmp_path, {"args": "check good"}, _path(), org)
    assert done.returncode == 0 and outputs["findings"] == "0"


def test_every_python_of_the_action_runs_isolated():
    # 'python -m X' and 'python -c' put the current folder, the checkout, first on
    # sys.path: without -I a committed venv/, pip/, shlex.py or json.py runs as code.
    import re

    calls = [line.strip() for step in ACTION["runs"]["steps"]
             for line in step.get("run", "").splitlines()
             if re.search(r"(python3?|/bin/python)\"? -", line)
             and not line.strip().startswith("#")]
    assert len(calls) == 4, calls
    assert all(re.search(r"python3?\"? -I -[mc]", call) for call in calls), calls


def test_check_step_imports_nothing_from_the_checkout(tmp_path, org):
    # A pull request's own shlex.py and json.py, where 'python3 -c' would import them.
    marker = tmp_path / "ran"
    for name in ("shlex", "json"):
        (org / f"{name}.py").write_text(
            f"open({str(marker)!r}, 'a').write({name!r})\n"
            "def split(text): return ['check', 'good']\n"
            "def load(f): return {'summary': {'fail_on': 'error'}, 'findings': []}\n")
    done, outputs = _step("check", tmp_path, {"args": "check bad"}, _path(), org)
    assert not marker.exists(), marker.read_text()
    assert done.returncode == 1, done.stdout + done.stderr
    assert outputs["findings"] not in ("", "0")


STUB = """#!/bin/sh
# python3 stand-in: '-I -m venv DIR' makes DIR/bin/python, itself this stub.
if [ "$1" = "-I" ] && [ "$2" = "-m" ] && [ "$3" = "venv" ]; then
  mkdir -p "$4/bin" && cp "$0" "$4/bin/python" && exit 0
fi
echo "$@" >> "{log}"
"""


@pytest.mark.parametrize(("version", "installs"), [
    ("", "{action}"),
    ("v9.9.9", "{action}"),  # the action's own ref: its own files
    # A release is a tag of the action's repository, never a name on a package index
    # (orglint is not on PyPI: 'orglint==0.1.0' there would be someone else's code).
    ("v0.1.0", "git+https://github.com/orglint/orglint@v0.1.0"),
    ("0.2", "git+https://github.com/orglint/orglint@0.2"),
    ("main", "git+https://github.com/orglint/orglint@main"),
])
def test_install_step_picks_what_to_install(tmp_path, version, installs):
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    log = tmp_path / "pip.log"
    stub = stubs / "python3"
    stub.write_text(STUB.replace("{log}", str(log)))
    stub.chmod(0o755)
    done, _ = _step("install", tmp_path, {"version": version},
                    f"{stubs}{os.pathsep}/usr/bin{os.pathsep}/bin", tmp_path)
    assert done.returncode == 0, done.stderr
    args = log.read_text().split()
    assert args[:4] == ["-I", "-m", "pip", "install"]
    assert args[-1] == installs.format(action=REPO)
    # Only the orglint command joins the job's PATH, not the venv's python and pip,
    # which would shadow the job's own in every later step.
    added = Path((tmp_path / "path").read_text().strip())
    assert added == tmp_path / "runner" / "orglint-bin"
    assert [p.name for p in added.iterdir()] == ["orglint"]
    assert os.readlink(added / "orglint") == str(
        tmp_path / "runner" / "orglint-venv" / "bin" / "orglint")


def test_readme_workflow_uses_the_actions_inputs_and_outputs():
    import re

    text = (REPO / "README.md").read_text()
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
                 if "with orglint's action" in b)
    steps = yaml.safe_load(block)["jobs"]["orglint"]["steps"]
    step = next(s for s in steps if s.get("uses", "").startswith("orglint/orglint@"))
    assert set(step["with"]) <= set(ACTION["inputs"])
    used = set(re.findall(r"steps\.orglint\.outputs\.([\w-]+)", block))
    assert used and used <= set(ACTION["outputs"])
