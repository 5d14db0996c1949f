"""Speed work may not change a single byte of what orglint reports.

The benchmark's generated org (bench/bench.py, seeded) is checked in every output format,
with and without the twenty policy rules the benchmark times, in one process and in the
pool; each output's SHA-256 is held in tests/data/golden/bench-org.json. A change that
alters any of them fails here. When a change to a rule or a reporter is meant to alter
output, regenerate the digests with ``ORGLINT_REGENERATE_GOLDEN=1 python -m pytest
tests/test_golden.py`` and say why in the commit.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

GOLDEN = REPO / "tests" / "data" / "golden" / "bench-org.json"
TEAMS = 300  # above the pool threshold, so the pooled run really uses the pool
FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "markdown")


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from bench import generate, policies_yaml
    finally:
        sys.path.pop(0)
    folder = generate(tmp_path_factory.mktemp("golden") / "org", TEAMS)
    (folder / "bench-policies.yaml").write_text(policies_yaml())
    (folder / "with-policies.orglint.yaml").write_text(
        "paths: ['teams/*.yaml']\npolicies: [bench-policies.yaml]\n")
    return folder


def _run(org: Path, *args: str, start: tuple[str, ...] = ("-m", "orglint")) -> str:
    env = {**os.environ, "ORGLINT_CACHE_DIR": str(org.parent / "cache")}
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run([sys.executable, *start, "check", "--no-cache", *args],
                          cwd=org, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr
    # SARIF names the folder it ran in; the digest must not depend on where that is.
    return done.stdout.replace(org.as_uri(), "file:///ORG").replace(str(org), "/ORG")


def _outputs(org: Path) -> dict[str, str]:
    out = {f"{fmt}, --jobs 1": _run(org, "--jobs", "1", "--output-format", fmt)
           for fmt in FORMATS}
    out["json, --jobs 2"] = _run(org, "--jobs", "2", "--output-format", "json")
    out["json, policies, --jobs 1"] = _run(org, "--jobs", "1", "--output-format", "json",
                                          "--config", "with-policies.orglint.yaml")
    out["json, policies, --jobs 2"] = _run(org, "--jobs", "2", "--output-format", "json",
                                          "--config", "with-policies.orglint.yaml")
    return out


def _codes(output: str) -> dict[str, int]:
    return dict(sorted(collections.Counter(
        f["code"] for f in json.loads(output)["findings"]).items()))


def test_the_benchmark_org_reports_exactly_what_it_did(org: Path) -> None:
    outputs = _outputs(org)
    digests = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in outputs.items()}
    codes = {name: _codes(text) for name, text in outputs.items() if name.startswith("json")}
    if os.environ.get("ORGLINT_REGENERATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps({"teams": TEAMS, "sha256": digests, "codes": codes},
                                     indent=1, sort_keys=True) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert codes == golden["codes"]  # the clearer message when findings come or go
    assert digests == golden["sha256"]
    # Pooled or not, with or without a cache of policies, one answer.
    assert outputs["json, --jobs 1"] == outputs["json, --jobs 2"]
    assert outputs["json, policies, --jobs 1"] == outputs["json, policies, --jobs 2"]
    assert len(json.loads(outputs["json, policies, --jobs 1"])["findings"]) > len(
        json.loads(outputs["json, --jobs 1"])["findings"])


NO_FORK = """
import os, sys
del os.fork  # as on Windows: the pool spawns its workers
if __name__ == "__main__":
    from orglint.cli import main
    sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("name", ["json, --jobs 2", "json, policies, --jobs 2"])
def test_without_fork_the_pool_reports_exactly_the_same(org: Path, tmp_path: Path,
                                                        name: str) -> None:
    # Where there is no fork (Windows), the pool spawns its workers and sends them the
    # job.  Policy rules hold compiled CEL programs, which cannot be sent: such a run
    # ended in an internal error (PicklingError) before they were kept in this process.
    script = tmp_path / "nofork.py"
    script.write_text(NO_FORK)
    config = ("--config", "with-policies.orglint.yaml") if "policies" in name else ()
    out = _run(org, "--jobs", "2", "--output-format", "json", *config,
               start=(str(script),))
    golden = json.loads(GOLDEN.read_text())["sha256"]
    assert hashlib.sha256(out.encode()).hexdigest() == golden[name]
