"""The benchmark script runs (on a small org); its numbers live in docs/performance.md."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_bench_runs_on_a_small_org():
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench.py"), "--teams", "25",
                           "--rounds", "1", "--no-peers", "--scaling", "--policies"],
                          capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "orglint cold / floor" in done.stdout
    assert "orglint warm / orglint cold" in done.stdout
    assert "orglint one file, cold cache" in done.stdout
    assert "scaling: 250 teams cold" in done.stdout
    assert "peak memory of one orglint process" in done.stdout
    assert "orglint cold with policies / without" in done.stdout
    assert "policies (CPU): cold without" in done.stdout


def test_the_process_pool_gives_the_same_findings(tmp_path):
    """Above the pool threshold the work is split across processes; nothing changes."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from bench import generate
    finally:
        sys.path.pop(0)
    from orglint.engine import POOL_THRESHOLD

    org = generate(tmp_path / "org", POOL_THRESHOLD + 20)
    outputs = []
    for jobs in ("1", "2"):
        done = subprocess.run([sys.executable, "-m", "orglint", "check", "--no-cache",
                               "--output-format", "json", "--jobs", jobs], cwd=org,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


def test_the_report_benchmark_runs_on_a_small_org():
    done = subprocess.run([sys.executable, str(REPO / "bench" / "render.py"), "--teams", "20",
                           "--rounds", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "org: 20 teams; HTML report" in done.stdout
    assert "Markdown summary:" in done.stdout and "under 1 MiB" in done.stdout
