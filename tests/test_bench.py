"""The benchmark script runs (on a small org); its numbers live in docs/performance.md."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_bench_runs_on_a_small_org():
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench.py"), "--teams", "25",
                           "--rounds", "1", "--no-peers", "--scaling", "--formats",
                           "json,sarif", "--policies"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for line in ("orglint cold / floor ", "orglint cold / floor, as many processes",
                 "orglint cold --jobs 1 / floor", "orglint warm / orglint cold",
                 "orglint cold, pinned to one CPU", "orglint cold pinned / --jobs 1",
                 "orglint one file, cold cache", "orglint one edited, org cached",
                 "scaling: 250 teams cold", "peak memory of one orglint process",
                 "orglint cold with policies / without, cpu"):
        assert line in done.stdout, line
    # Wall and CPU time side by side, and memory in each format asked for.
    assert "CPU median/best" in done.stdout and "wall median/best" in done.stdout
    assert "  sarif " in done.stdout and "  json " in done.stdout


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


def test_cached_runs_on_the_benchmark_org_report_what_uncached_runs_do(run_cli, tmp_path,
                                                                     monkeypatch):
    """The pre-commit case the benchmark times: byte for byte what --no-cache reports."""
    from orglint import cache

    monkeypatch.setattr(cache, "SEAL_MARGIN_NS", 0)  # every report read back is sealed
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from bench import generate
    finally:
        sys.path.pop(0)

    org = generate(tmp_path / "org", 40)
    edited, unchanged = org / "teams" / "team-00021.yaml", "teams/team-00007.yaml"

    def both(*args: str) -> list[tuple[int, str]]:
        cold = run_cli("check", "--no-cache", "--output-format", "json", *args, cwd=org)
        warm = run_cli("check", "--output-format", "json", *args, cwd=org)
        assert cold.err == warm.err
        return [(cold.code, cold.out), (warm.code, warm.out)]

    run_cli("check", cwd=org)  # every file's result cached
    whole = both()
    assert whole[0] == whole[1] and json.loads(whole[0][1])["findings"]
    # The report read back (its MAC checked, then sealed), then read back unhashed.
    assert both() == whole
    assert list((tmp_path / ".cache" / "runs").glob("*.seal"))
    assert both() == whole
    edited.write_text(edited.read_text() + "# edited\n")
    for args in (("teams/team-00021.yaml",), (unchanged,), ("teams/team-00021.yaml", unchanged)):
        cold, warm = both(*args)
        assert cold == warm, args
