"""A cold run in one process reads and hashes each file once (issue 14): the bytes
hashed while gathering are the bytes checked, kept within a bound."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orglint import engine, files
from orglint.config import load_settings
from orglint.engine import Request, plan, run

TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata: {{name: t{n}}}
spec:
  maturity: poc
  members:
    - {{id: p{n}, role: ml-engineer}}
"""
PEOPLE = """\
apiVersion: orglint/v1
kind: People
metadata: {name: everyone}
spec:
  people:
    - {id: p0, name: Pat}
"""


def _org(root: Path, teams: int, cache: bool) -> None:
    (root / "teams").mkdir()
    for n in range(teams):
        (root / "teams" / f"t{n:02}.yaml").write_text(TEAM.format(n=n))
    (root / "teams" / "people.yaml").write_text(PEOPLE)
    (root / ".orglint.yaml").write_text(
        f"paths: ['teams/*.yaml']\ncache: {'true' if cache else 'false'}\n")


def _counting(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, int], dict[str, int]]:
    """Opens for reading and hashes of whole files, by file name."""
    opened: dict[str, int] = {}
    hashed: dict[str, int] = {}
    real_open, real_digest = os.open, files.content_digest

    def counted_open(path, flags, *args, **kwargs):
        name = os.fspath(path)
        if name.endswith(".yaml") and not flags & (os.O_WRONLY | os.O_RDWR):
            opened[Path(name).name] = opened.get(Path(name).name, 0) + 1
        return real_open(path, flags, *args, **kwargs)

    def counted_digest(raw: bytes) -> bytes:
        hashed[raw.decode()] = hashed.get(raw.decode(), 0) + 1
        return real_digest(raw)

    monkeypatch.setattr(os, "open", counted_open)
    monkeypatch.setattr(files, "content_digest", counted_digest)
    monkeypatch.setattr(engine, "content_digest", counted_digest)
    return opened, hashed


@pytest.mark.parametrize("cache", [False, True])
def test_a_cold_run_in_one_process_reads_and_hashes_each_file_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: bool) -> None:
    _org(tmp_path, 6, cache)
    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(tmp_path / "cache"))
    settings = load_settings(cwd=tmp_path, config=None, no_config=False)
    request = Request(paths=[], cwd=tmp_path, jobs=1)
    plan_ = plan(settings)
    expected = run(plan_, request)  # without counting: what the run reports
    if cache:
        import shutil

        shutil.rmtree(tmp_path / "cache")  # cold again
    opened, hashed = _counting(monkeypatch)
    gathered = files.gather(settings, [], cwd=tmp_path)
    result = run(plan(settings, gathered), request, gathered)
    assert [f.to_dict() for f in result.findings] == \
        [f.to_dict() for f in expected.findings]
    assert result.findings  # the org has something to say: the bytes were checked
    teams = {name: count for name, count in opened.items() if name.startswith("t")}
    assert teams == {f"t{n:02}.yaml": 1 for n in range(6)}
    # (A People file is also read by the search for Policy documents: policy/find.py.)
    assert [count for text, count in hashed.items() if "kind: Team" in text] == [1] * 6
    assert gathered.held == {}  # every file's bytes given up when it was checked


def test_what_gathering_keeps_is_bounded(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Past HOLD_BYTES a file is not kept, and is read again (and its digest compared)
    # when it is checked, as before: the findings are the same.
    _org(tmp_path, 6, False)
    settings = load_settings(cwd=tmp_path, config=None, no_config=False)
    request = Request(paths=[], cwd=tmp_path, jobs=1)
    expected = run(plan(settings), request)
    size = len(TEAM.format(n=10))
    monkeypatch.setattr(files, "HOLD_BYTES", 2 * size)
    opened, _ = _counting(monkeypatch)
    gathered = files.gather(settings, [], cwd=tmp_path)
    assert sum(len(raw) for raw in (gathered.held or {}).values()) <= 2 * size
    assert len(gathered.held or {}) == 2
    result = run(plan(settings, gathered), request, gathered)
    assert [f.to_dict() for f in result.findings] == \
        [f.to_dict() for f in expected.findings]
    teams = sorted(count for name, count in opened.items() if name.startswith("t"))
    assert teams == [1] + [2] * 5  # people.yaml (listed first) and t00.yaml were kept


def test_a_file_edited_after_gathering_is_checked_as_it_was_hashed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The bytes kept are those of the digest: an edit in between is seen by the next run
    # (its digest differs), never checked under the old digest.
    _org(tmp_path, 1, True)
    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(tmp_path / "cache"))
    settings = load_settings(cwd=tmp_path, config=None, no_config=False)
    request = Request(paths=[], cwd=tmp_path, jobs=1)
    gathered = files.gather(settings, [], cwd=tmp_path)
    (tmp_path / "teams" / "t00.yaml").write_text("kind: Team\nnot: [valid\n")
    result = run(plan(settings, gathered), request, gathered)
    assert not [f for f in result.findings if f.code == "ORG001"]
    assert result.changed == []
    again = run(plan(settings), request)
    assert [f.code for f in again.findings if f.file.endswith("t00.yaml")] == ["ORG001"]


def test_read_limited_reads_what_a_file_object_did(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    for body in (b"", b"kind: Team\n", b"x" * 5000):
        path.write_bytes(body)
        assert files.read_limited(path, 8 * 1024 * 1024) == body
        assert files.read_limited(path, 10) == body[:11]  # one past the limit, at most
    with pytest.raises(files.PathError, match="not a regular file"):
        files.read_limited(tmp_path, 100)
    with pytest.raises(files.PathError, match="cannot read"):
        files.read_limited(tmp_path / "missing.yaml", 100)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the forked pool")
def test_a_pooled_run_reads_and_hashes_each_file_once(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The pool's processes are forked after gathering: they find the bytes kept in the
    # items they inherit (they used to read and hash every file a second time).
    teams = engine.POOL_THRESHOLD + 8
    _org(tmp_path, teams, False)
    settings = load_settings(cwd=tmp_path, config=None, no_config=False)
    expected = run(plan(settings), Request(paths=[], cwd=tmp_path, jobs=1))
    log = tmp_path / "reads.log"
    real_open, real_digest = os.open, files.content_digest

    def note(what: str) -> None:  # every process appends here, forks included
        fd = real_open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, what.encode() + b"\n")
        finally:
            os.close(fd)

    def counted_open(path, flags, *args, **kwargs):
        name = os.fspath(path)
        if name.endswith(".yaml") and Path(name).name.startswith("t") \
                and not flags & (os.O_WRONLY | os.O_RDWR):
            note("open " + Path(name).name)
        return real_open(path, flags, *args, **kwargs)

    def counted_digest(raw: bytes) -> bytes:
        if b"kind: Team" in raw:
            note("hash")
        return real_digest(raw)

    monkeypatch.setattr(os, "open", counted_open)
    monkeypatch.setattr(files, "content_digest", counted_digest)
    monkeypatch.setattr(engine, "content_digest", counted_digest)
    workers: list[int] = []
    from orglint import pool

    original = pool.run

    def counted_run(*args, **kwargs):
        workers.append(kwargs["workers"])
        return original(*args, **kwargs)

    monkeypatch.setattr(pool, "run", counted_run)
    monkeypatch.setattr(pool, "worker_cap", lambda: 2)
    gathered = files.gather(settings, [], cwd=tmp_path)
    result = run(plan(settings, gathered), Request(paths=[], cwd=tmp_path, jobs=2), gathered)
    assert workers == [2]  # the pool did run
    assert [f.to_dict() for f in result.findings] == \
        [f.to_dict() for f in expected.findings]
    lines = log.read_text().splitlines()
    assert sorted(line for line in lines if line.startswith("open")) == \
        sorted(f"open t{n:02}.yaml" for n in range(teams))
    assert lines.count("hash") == teams
