"""The console script ends without the interpreter's teardown (issue 14), yet exits as
Python would: its output complete, its exit code, ``atexit`` functions run, and Python's
own exit whenever a flush fails or another thread is alive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: t}
spec:
  maturity: pilot
  members:
    - {id: a, role: no-such-role}
"""

PROBE = """\
import atexit, sys, threading, time
from orglint.console import run

class Teardown:
    def __del__(self):
        print("torn down", file=sys.stderr)

kept = Teardown()
atexit.register(lambda: print("atexit ran", file=sys.stderr))
if sys.argv[1] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), print("thread done",
                                                            file=sys.stderr))).start()
sys.argv[1:] = ["check", "--no-cache", "--no-config", "--output-format", "json",
                "t.yaml"]
run()
"""


def _probe(tmp_path: Path, mode: str, **kwargs) -> subprocess.CompletedProcess[str]:
    (tmp_path / "t.yaml").write_text(TEAM)
    return subprocess.run([sys.executable, "-c", PROBE, mode], cwd=tmp_path, text=True,
                          capture_output=True, timeout=60, **kwargs)


def test_the_report_is_whole_the_code_kept_and_atexit_run_without_a_teardown(
        tmp_path: Path) -> None:
    done = _probe(tmp_path, "plain")
    assert done.returncode == 1  # an error finding (ORG004)
    assert done.stdout.startswith('{"findings":[{"code":"ORG004"')
    assert done.stdout.endswith("}\n")
    assert "atexit ran" in done.stderr
    assert "torn down" not in done.stderr  # the teardown was skipped


def test_with_another_thread_alive_the_exit_is_pythons_own(tmp_path: Path) -> None:
    done = _probe(tmp_path, "thread")
    assert done.returncode == 1
    assert "thread done" in done.stderr  # waited for, as Python's exit does
    assert "torn down" in done.stderr


def test_python_m_orglint_takes_the_same_exit(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TEAM)
    done = subprocess.run([sys.executable, "-m", "orglint", "check", "--no-cache",
                           "--no-config", "t.yaml"], cwd=tmp_path, text=True,
                          capture_output=True, timeout=60)
    assert done.returncode == 1 and "ORG004" in done.stdout


def test_a_closed_pipe_exits_as_before(tmp_path: Path) -> None:
    # The reader gone: main says nothing and returns 2; the flush at exit fails again,
    # and Python's own exit handles it as it did.
    (tmp_path / "t.yaml").write_text(TEAM)
    reader = subprocess.Popen([sys.executable, "-m", "orglint", "check", "--no-cache",
                               "--no-config", "t.yaml"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None
    reader.stdout.close()
    _, err = reader.communicate(timeout=60)
    assert reader.returncode in (1, 2, 120)
    assert b"Traceback" not in err
