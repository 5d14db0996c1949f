"""The result cache never serves a stale result, and is safe to share."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import dedent


def team(name: str, allocation: int) -> str:
    return dedent(f"""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {{name: {name}}}
        spec:
          maturity: exploring
          members:
            - {{id: kim, name: Kim, role: data-scientist, allocation: {allocation}}}
        """)


def _org(tmp_path):
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "a.yaml").write_text(team("a", 60))
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 30))
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\nselect: [ORG301]\n")


def findings(run_cli, tmp_path, *args):
    result = run_cli("check", "teams/a.yaml", "--output-format", "json", *args, cwd=tmp_path)
    return [f["message"] for f in json.loads(result.out)["findings"]]


def test_editing_another_file_changes_the_cross_file_finding(run_cli, tmp_path):
    _org(tmp_path)
    assert findings(run_cli, tmp_path) == []
    assert findings(run_cli, tmp_path) == []  # served from the cache
    cache = tmp_path / ".cache"
    assert any(cache.rglob("*")), "the first run filled the cache"
    # b.yaml is not named on the command line, but it is part of the org.
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    assert findings(run_cli, tmp_path) == [
        "kim is allocated 110%: 60% here, 50% in teams/b.yaml:7"]
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 40))
    assert findings(run_cli, tmp_path) == []
    # Same bytes as before: a cache hit, and still the right answer.
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    assert len(findings(run_cli, tmp_path)) == 1


def test_configuration_and_matrix_changes_invalidate(run_cli, tmp_path):
    _org(tmp_path)
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    assert len(findings(run_cli, tmp_path)) == 1
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\nselect: [ORG303]\n")
    assert findings(run_cli, tmp_path) == []
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/a.yaml']\nselect: [ORG301]\n")
    assert findings(run_cli, tmp_path) == []


def test_no_cache_and_clean(run_cli, tmp_path, monkeypatch):
    _org(tmp_path)
    monkeypatch.delenv("ORGLINT_CACHE_DIR")
    findings(run_cli, tmp_path, "--no-cache")
    assert not (tmp_path / ".orglint_cache").exists()
    findings(run_cli, tmp_path)
    folder = tmp_path / ".orglint_cache"
    assert folder.is_dir()
    assert (folder / ".gitignore").read_text().strip().endswith("*")
    cleaned = run_cli("clean", cwd=tmp_path)
    assert cleaned.code == 0 and not folder.exists()


def test_concurrent_processes_share_the_cache(tmp_path):
    _org(tmp_path)
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    env = {**os.environ, "ORGLINT_CACHE_DIR": str(tmp_path / "shared-cache")}

    def once(_: int) -> tuple[int, str]:
        done = subprocess.run([sys.executable, "-m", "orglint", "check", "teams/a.yaml"],
                              cwd=tmp_path, env=env, capture_output=True, text=True)
        return done.returncode, done.stdout

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(once, range(12)))
    assert {code for code, _ in results} == {1}
    assert len({out for _, out in results}) == 1
    assert "kim is allocated 110%" in results[0][1]
    assert not list((tmp_path / "shared-cache").rglob("*.tmp"))


def test_stat_index_skips_unchanged_files_and_notices_changes(run_cli, tmp_path, monkeypatch):
    import orglint.files

    _org(tmp_path)
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    old = 1_600_000_000
    for path in (tmp_path / "teams").iterdir():
        os.utime(path, (old, old))
    assert len(findings(run_cli, tmp_path)) == 1
    reads: list[str] = []
    real = orglint.files.read_limited

    def counting(path, limit):
        reads.append(str(path))
        return real(path, limit)

    monkeypatch.setattr(orglint.files, "read_limited", counting)
    assert len(findings(run_cli, tmp_path)) == 1
    assert reads == []  # sizes, inodes and old mtimes unchanged: nothing read
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 40))
    os.utime(tmp_path / "teams" / "b.yaml", (old + 10, old + 10))
    assert findings(run_cli, tmp_path) == []
    assert reads == [str(tmp_path / "teams" / "b.yaml")]


def test_a_file_rewritten_while_it_is_read_is_read_again_next_run(tmp_path, monkeypatch):
    # The stat index records the stat taken before a file is read.  Recorded after the
    # read, it would describe the rewritten file beside the old content's digest, and
    # the next run would trust that digest.
    import time
    from pathlib import Path

    from orglint import files
    from orglint.config import Settings

    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "a.yaml"
    target.write_text(team("a", 60))
    old = time.time() - 200
    os.utime(target, (old, old))
    settings = Settings(root=tmp_path, paths=["*.yaml"])
    real_read = files.read_limited

    def read_then_rewrite(path: Path, limit: int) -> bytes:
        raw = real_read(path, limit)
        path.write_text(team("a", 70))  # the same size, other content
        os.utime(path, (old + 100, old + 100))  # old enough to pass the racy-git margin
        return raw

    monkeypatch.setattr(files, "read_limited", read_then_rewrite)
    first = files.gather(settings, [], cwd=tmp_path).entries[0].digest
    monkeypatch.setattr(files, "read_limited", real_read)
    second = files.gather(settings, [], cwd=tmp_path).entries[0].digest
    assert second != first
    assert files.gather(settings, [], cwd=tmp_path).entries[0].digest == second
