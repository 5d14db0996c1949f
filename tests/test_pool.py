"""The worker pool: what it costs, and that it changes nothing but where files are checked.

Timings are not asserted (the machine is shared); what is pinned is the work done:
processes forked, modules imported, Python calls made per result sent back.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from orglint import pool
from orglint.facts import PersonFact, Place, TeamFact
from orglint.fileresult import FileResult, from_worker, to_worker
from orglint.findings import Finding, Fix, Location, Severity
from orglint.model import Person
from orglint.suppress import Directive

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the forked pool")


def _tagged(item: int) -> tuple[int, int]:
    return item, os.getpid()


def _no_init() -> None:
    pass


def test_the_main_process_is_one_of_the_workers(monkeypatch):
    forks: list[int] = []
    real = os.fork

    def fork() -> int:
        forks.append(1)
        return real()

    monkeypatch.setattr(os, "fork", fork)
    out = pool.run(_tagged, range(40), workers=3, chunksize=1, init=_no_init, initargs=())
    assert [item for item, _ in out] == list(range(40))  # in order, whoever checked what
    assert len(forks) == 2
    assert len({pid for _, pid in out}) <= 3


def test_the_first_item_is_checked_before_the_fork(monkeypatch):
    # What a first check loads is then loaded once, not once per process.
    events: list[object] = []
    real = os.fork

    def fork() -> int:
        events.append("fork")
        return real()

    def work(item: int) -> tuple[int, int]:
        events.append(item)  # seen by the main process only for its own items
        return _tagged(item)

    monkeypatch.setattr(os, "fork", fork)
    out = pool.run(work, range(20), workers=2, chunksize=1, init=_no_init, initargs=())
    assert events[:2] == [0, "fork"]
    assert out[0] == (0, os.getpid())


def test_one_chunk_is_checked_in_the_main_process_alone(monkeypatch):
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked for one chunk"))
    out = pool.run(_tagged, range(5), workers=2, chunksize=10, init=_no_init, initargs=())
    assert out == [(i, os.getpid()) for i in range(5)]


def _fails_on_odd(item: int) -> int:
    if item % 2:
        raise ValueError(f"item {item}")
    return item


def test_the_error_raised_is_that_of_the_first_item_that_failed():
    for _ in range(3):  # whichever process fails first
        with pytest.raises(ValueError, match=r"^item 1$"):
            pool.run(_fails_on_odd, range(30), workers=2, chunksize=1, init=_no_init,
                     initargs=())


def _big(item: int) -> bytes:
    return bytes([item % 256]) * 300_000  # more than a pipe holds: the reader must drain


def _refused(value: Any) -> Any:
    raise ValueError("not a result")


def test_a_result_the_main_process_cannot_read_back_is_worked_out_again():
    # A value that does not survive the trip (a codec mismatch) costs time, never a
    # result and never a traceback: the main process checks that chunk itself.
    out = pool.run(_slow_in_main, range(20), workers=2, chunksize=1, init=_no_init,
                   initargs=(), receive=_refused)
    assert out == list(range(20))


def _slow_in_main(item: int) -> int:
    if os.getpid() == _MAIN:
        time.sleep(0.01)  # so that the worker takes chunks too
    return item


def test_results_larger_than_a_pipe_come_back_whole():
    out = pool.run(_big, range(12), workers=2, chunksize=2, init=_no_init, initargs=(),
                   send=bytes.hex, receive=bytes.fromhex)
    assert out == [_big(i) for i in range(12)]


def test_a_file_name_replaces_a_longer_one_in_its_slot(monkeypatch):
    slots = bytearray(2 * pool.SLOT_BYTES)
    monkeypatch.setattr(pool, "_slots", memoryview(slots))
    monkeypatch.setattr(pool, "_slot", 1)
    pool.checking("teams/a-rather-long-name.yaml")
    pool.checking("t.yaml")
    assert pool._in_progress(slots, 2) == ["t.yaml"]
    pool.checking("x" * 2000)
    assert pool._in_progress(slots, 2) == ["x" * (pool.SLOT_BYTES - 1)]
    pool.checking("")
    assert pool._in_progress(slots, 2) == []


def _result() -> FileResult:
    result = FileResult("teams/a.yaml")
    fix = Fix(0, ("spec", "members", 0, "role"), "insert", "ml-engineer", True, "write it")
    result.findings = [
        Finding("ORG102", "responsibility-outside-role", Severity.WARNING, "m",
                "teams/a.yaml", 3, 4, 3, 9, "p1", "serving"),
        Finding("ORG206", "role-mix-gap", Severity.INFO, "n", "teams/a.yaml", 1, 1, 1, 5,
                None, None, (Location("teams/b.yaml", 2, 3),), fix),
    ]
    result.facts.persons = [PersonFact("p1", "teams/a.yaml", 0, 5 << 40, "a", 50, -1, True,
                                       ("name", "P", 6 << 40))]
    result.facts.has_people = True
    result.fixes = [fix]
    result.documents = 1
    result.teams = 1
    result.skipped = ["document 2: empty"]
    result.directives = [
        Directive(4, 3, 5, ("ORG102",), dt.date(2027, 1, 31), False, None),
        Directive(1, 1, 0, ("ORG2", "X"), None, True, "unknown code X"),
    ]
    result.people = {"p1": Person("p1", "P", "ML Engineer", "ml-engineer", "senior",
                                  ["python"], None, ("people", 0))}
    result.facts.teams = [TeamFact("a", Place("teams/a.yaml", 2, 3, 2, 4), "g",
                                   Place("teams/a.yaml", 5, 6, 5, 9), "Team",
                                   "@ml-engineer +eval-gate training-code")]
    result.stale = True
    return result


def _across_the_pipe(result: FileResult) -> FileResult:
    return from_worker(json.loads(json.dumps(to_worker(result))))


def test_a_result_crosses_the_pipe_unchanged():
    sent = _result()
    sent.views = [{"metadata": {"name": "a"}, "spec": {"members": [{"id": "p1"}]}}]
    back = _across_the_pipe(sent)
    for name in FileResult.__slots__:
        if name != "facts":
            assert getattr(back, name) == getattr(sent, name), name
    assert [type(f) for f in back.findings] == [Finding, Finding]
    assert [type(f.severity) for f in back.findings] == [Severity, Severity]
    assert back.facts.persons == sent.facts.persons
    assert type(back.facts.persons[0]) is PersonFact
    assert back.facts.teams == sent.facts.teams
    assert [type(x) for x in (back.facts.teams[0], *back.facts.teams[0][1:4:2])] == [
        TeamFact, Place, Place]
    assert back.facts.has_people is True
    assert [type(d) for d in back.directives] == [Directive, Directive]
    assert type(back.directives[0].until) is dt.date
    assert type(back.people["p1"]) is Person
    assert [type(f.fix) for f in back.findings] == [type(None), Fix]
    assert [type(r) for r in back.findings[1].related] == [Location]
    # Interned as a finding made in this process shares its rule's strings.
    assert back.findings[0].name is sys.intern("responsibility-outside-role")


def _fails_in_a_worker(item: int) -> int:
    # Fails in every forked worker, saying so in a file: the main process, doing each
    # such chunk again, succeeds.
    if os.getpid() != _MAIN:
        with open(os.environ["ORGLINT_TEST_FAILED"], "a") as handle:
            handle.write(f"{item}\n")
        raise ValueError("worker only")
    time.sleep(0.01)  # so that the workers take chunks too
    return item


_MAIN = os.getpid()


def test_nothing_crosses_the_pipe_as_a_pickle(monkeypatch, tmp_path):
    # A worker sends JSON; an exception it raises is not sent at all: the main process
    # does that chunk again, so the error raised is the work's own (or its result).
    import pickle

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("pickled")

    monkeypatch.setattr(pickle, "dumps", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setenv("ORGLINT_TEST_FAILED", str(tmp_path / "failed"))
    out = pool.run(_fails_in_a_worker, range(40), workers=2, chunksize=1, init=_no_init,
                   initargs=())
    assert out == list(range(40))
    assert (tmp_path / "failed").read_text()  # a worker did fail, and nothing was lost


PROBE = """
import json, sys
from orglint import engine
from orglint.cli import main
engine.POOL_THRESHOLD = 1
try:
    main(["check", "--no-cache", "--jobs", "2", *sys.argv[1:]])
except SystemExit:
    pass
sys.stderr.write(json.dumps(sorted(sys.modules)))
"""


def test_the_pool_imports_no_executor(tmp_path: Path):
    from tests.test_bounds import _org_of

    names = _org_of(tmp_path, 20)
    done = subprocess.run([sys.executable, "-c", PROBE, *names], cwd=tmp_path,
                          capture_output=True, text=True,
                          env={**os.environ, "ORGLINT_CACHE_DIR": str(tmp_path / "cache")})
    modules = set(json.loads(done.stderr.splitlines()[-1]))
    assert "orglint.pool" in modules  # the pool did run
    assert not {"multiprocessing", "concurrent.futures", "threading"} & modules


def test_without_fork_an_executor_of_spawned_processes_does_the_same():
    out = pool._executor(_tagged, range(6), 2, 1, _no_init, ())
    assert [item for item, _ in out] == list(range(6))
    assert os.getpid() not in {pid for _, pid in out}
