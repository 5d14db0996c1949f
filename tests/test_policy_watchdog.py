"""A run with policies is bounded by the kernel as well as by orglint's own budget
(``policy/watchdog.py``): one evaluation the engine cannot interrupt, building values of
gigabytes or matching a costly pattern for hours, is stopped with a clear message.
Found by the security review: a 1.6 KB rule took 16 GB, another ran for 404 s and then
reported "All checks passed"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux",
                                reason="kernel limits on a forked process (Linux)")

TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata:
  name: t
  annotations:
    a: {text}
spec:
  maturity: exploring
  members:
    - {{id: ana, role: ml-engineer}}
"""


def _org(tmp_path: Path, expression: str, text: str = "x") -> Path:
    (tmp_path / "team.yaml").write_text(TEAM.format(text=text))
    (tmp_path / "policy.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  rules:\n"
        "    - code: ACME001\n      name: costly\n      target: team\n"
        f"      expression: \"{expression}\"\n")
    (tmp_path / ".orglint.yaml").write_text("paths: ['team.yaml']\npolicies: [policy.yaml]\n")
    return tmp_path


def _run(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "orglint", "check", "--no-cache"],
                          cwd=folder, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1", **env})


def test_a_value_doubled_past_the_memory_allowed_is_an_org903_not_a_crash(tmp_path):
    # Each cel.bind doubles the last: 1,000 characters times 2**22, 4 GB.
    body = "a22.size() > 0"
    for k in range(22, 0, -1):
        body = f"cel.bind(a{k}, a{k - 1} + a{k - 1}, {body})"
    folder = _org(tmp_path, f"cel.bind(a0, '{'x' * 1000}', {body})")
    done = _run(folder, ORGLINT_MAX_MEMORY_MB="512")
    assert done.returncode == 1, done.stderr
    assert "ORG903" in done.stdout and "more memory than a run allows" in done.stdout


def test_a_pattern_matched_for_longer_than_the_cpu_allowed_stops_the_run(tmp_path):
    # Seconds a match on this annotation, six of them: the engine's iteration budget
    # does not see it, and orglint's budget is only checked between evaluations.
    expression = ("[0,1,2,3,4,5].all(i, !team.metadata.annotations['a']"
                  ".matches('[^z]{1,1000}[^z]{1,1000}z'))")
    folder = _org(tmp_path, expression, "x" * 200_000)
    done = _run(folder, ORGLINT_MAX_CPU_SECONDS="2")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "the run was stopped: it used more than 2 s of CPU" in done.stderr
    assert "All checks passed" not in done.stdout


def test_a_run_within_the_limits_exits_as_it_would_without_them(tmp_path):
    folder = _org(tmp_path, "team.spec.members.size() > 1")
    done = _run(folder)
    assert done.returncode == 0 and "ACME001" in done.stdout, done.stderr  # a warning
    assert done.stdout.count("ACME001 [") == 1  # written once: only the child writes


def test_a_signal_to_the_command_reaches_the_run(tmp_path):
    # The waiting parent passes SIGTERM on (`timeout`, a CI runner stopping the step):
    # ignored, it would have left the run going.
    import signal
    import time

    expression = ("[0,1,2,3,4,5].all(i, !team.metadata.annotations['a']"
                  ".matches('[^z]{1,1000}[^z]{1,1000}z'))")
    folder = _org(tmp_path, expression, "x" * 200_000)
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "orglint", "check", "--no-cache"],
                               cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "NO_COLOR": "1"})
    time.sleep(1.5)  # the policies are loaded and the slow evaluation under way
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 20
    assert process.returncode == 2 and "signal 15" in err, (out, err)


def test_the_bounded_run_dumps_no_core():
    # A core file would land in the repository (over a file named core) with the run's
    # memory; found by the security review.
    probe = ("import resource\nfrom orglint.policy import watchdog\n"
             "resource.setrlimit(resource.RLIMIT_CORE, (1 << 20, resource.RLIM_INFINITY))\n"
             "watchdog._limit()\nprint(resource.getrlimit(resource.RLIMIT_CORE))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "(0, 0)"


def test_the_run_ends_when_the_command_is_killed_outright(tmp_path):
    # SIGKILL cannot be passed on: the run must not go on unsupervised (and write its
    # outputs later).  Found by the security review.
    import signal
    import time

    expression = ("[0,1,2,3,4,5].all(i, !team.metadata.annotations['a']"
                  ".matches('[^z]{1,1000}[^z]{1,1000}z'))")
    folder = _org(tmp_path, expression, "x" * 200_000)
    process = subprocess.Popen([sys.executable, "-m", "orglint", "check", "--no-cache"],
                               cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "NO_COLOR": "1"})
    time.sleep(1.5)  # the policies are loaded, the run forked and under way
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    assert children, "the command did not fork its run"
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    run = int(children[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(run):
        time.sleep(0.1)
    assert not _alive(run)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended (reaped by init in time)
