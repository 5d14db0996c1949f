"""Hostile shapes stay bounded (spec §6): every step linear or n log n, every read capped.

No timing assertions: each test counts work (trace events, difflib calls, bytes
allocated) or runs a shape that the old code could not finish, in a subprocess with a
timeout where a hang or a crash of the interpreter is the failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orglint.facts import FileFacts, PersonFact, Place, TeamFact, pack
from orglint.rules import org
from orglint.rules.org import (
    ConflictingPerson,
    DuplicateTeam,
    OrgContext,
    OverAllocated,
    UnknownParent,
    UnknownPerson,
)
from tests.conftest import lines_run

REPO = Path(__file__).resolve().parent.parent
TEAM = "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n  maturity: pilot\n"


def _orglint(args: list[str], cwd: Path, *, memory: int | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """orglint in a child process: an abort (exit 134) or a hang cannot take pytest down."""
    def limit() -> None:
        if memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "ORGLINT_CACHE_DIR": str(cwd / ".cache")}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "orglint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout,
                          preexec_fn=limit if memory is not None else None, check=False)


# -- 1. a huge scalar named by thousands of aliases ------------------------------------


def test_alias_of_a_huge_scalar_is_refused_before_the_schema_step(tmp_path):
    # jsonschema-rs copies each failing value into its error: 9,000 copies of 2 MB made
    # it allocate 18 GB and abort the interpreter (exit 134).
    members = "".join(f"    - {{id: p{i}, name: P, role: *k}}\n" for i in range(9000))
    (tmp_path / "t.yaml").write_text(
        TEAM + "  x-k: &k " + "x" * 2_000_000 + "\n  members:\n" + members)
    result = _orglint(["check", "--no-cache", "--output-format", "json", "t.yaml"], tmp_path,
                      memory=1_500_000_000)
    assert result.returncode == 1, result.stderr[-2000:]
    findings = json.loads(result.stdout)["findings"]
    assert [f["code"] for f in findings] == ["ORG001"]
    assert "characters of text" in findings[0]["message"]


def test_text_budget_counts_every_alias(lint):
    # Within the limit, aliases of text still load (8 MiB default: 4 copies of 1 MB).
    source = TEAM + "  x-k: &k " + "x" * 1_000_000 + "\n  x-a: [*k, *k, *k, *k]\n  members: []\n"
    assert lint.findings(source, select=["ORG001"]) == []
    over = TEAM + "  x-k: &k " + "x" * 1_000_000 + "\n  x-a: [" + "*k, " * 9 + "*k]\n"
    found = lint.findings(over, select=["ORG001"])
    assert [f.code for f in found] == ["ORG001"]
    assert "aliases expand to more than 8,388,608 characters" in found[0].message


def test_an_alias_written_as_a_key_counts_against_the_alias_limits(lint):
    # Found by review: `*k : 1` as a mapping key skipped the limits, and 2,000 members
    # keyed by a 100 KB scalar made a 200 MB report (each one's ORG003 named the key).
    members = "".join(f"    - {{id: a{i}, role: ml-engineer, *k : 1}}\n" for i in range(100))
    source = TEAM + "  x-k: &k " + "k" * 100_000 + "\n  members:\n" + members
    found = lint.findings(source, select=["ORG001", "ORG003"])
    assert [f.code for f in found] == ["ORG001"], [f.message[:100] for f in found]
    assert "aliases expand to more than 8,388,608 characters" in found[0].message
    # Within the limits, such a key is read, and its message names it cut short.
    few = TEAM + "  x-k: &k " + "k" * 1000 + "\n  members:\n" + "".join(
        members.splitlines(keepends=True)[:5])
    found = lint.findings(few, select=["ORG001", "ORG003"])
    assert {f.code for f in found} == {"ORG003"}
    assert all(len(f.message) < 200 for f in found), found[0].message


def test_schema_messages_never_carry_a_huge_value():
    from orglint.schema import _clip

    assert len(_clip("x" * 2_000_000)) == 200


# -- 2. org rules linear on hostile orgs ------------------------------------------------


def _trace_events(work: Callable[[], Any]) -> int:
    """How many lines of orglint.rules.org ran: counts work, not time."""
    return lines_run(work, org.__file__)


def _place(i: int) -> Place:
    return Place("org.yaml", i + 1, 1, i + 1, 5)


def _person(i: int, pid: str = "kim", level: str = "mid") -> PersonFact:
    at = pack((i, 0, i, 4))
    return PersonFact(pid, "org.yaml", 0, at, f"t{i}", 10, at, True,
                      ("level", level, at))


def _org(teams: list[TeamFact], persons: list[PersonFact]) -> OrgContext:
    facts = FileFacts()
    facts.teams = teams
    facts.persons = persons
    facts.has_people = True
    return OrgContext({"org.yaml": facts}, {"org.yaml"})


@pytest.mark.parametrize("rule", [DuplicateTeam, OverAllocated, ConflictingPerson])
def test_org_rules_do_linear_work(rule):
    # One team id in n places, one person in n teams with n conflicting levels: the old
    # DuplicateTeam and OverAllocated listed every other place for every place (n²).
    def events(n: int) -> int:
        context = _org([TeamFact("same", _place(i), None, None) for i in range(n)],
                       [_person(i, level=f"l{i % 3}") for i in range(n)])
        return _trace_events(lambda: list(rule().check_org(context)))

    small, large = events(200), events(2000)
    assert large < 15 * small, (small, large)


def test_duplicate_team_messages_name_a_few_and_count_the_rest():
    n = 20_000
    context = _org([TeamFact("same", _place(i), None, None) for i in range(n)], [])
    found = list(DuplicateTeam().check_org(context))
    assert len(found) == n
    assert all(len(f.message) < 200 and len(f.related) == org.MAX_NAMED for f in found)
    assert found[0].message.endswith(f"line 6 and {n - 1 - org.MAX_NAMED} more")
    assert "line 1," in found[-1].message


def test_parent_cycle_takes_linear_memory():
    # The old code kept a copy of the cycle rotated to start at each of its teams:
    # 20,000 teams took 3.4 GB.
    n = 4000
    context = _org([TeamFact(f"t{i}", _place(i), f"t{(i + 1) % n}", _place(i))
                    for i in range(n)], [])
    tracemalloc.start()
    try:
        found = list(UnknownParent().check_org(context))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(found) == n
    assert peak < 20_000_000, peak
    assert found[1].message == (
        "parents form a cycle: t1 -> t2 -> t3 -> t4 -> t5 -> ... 3990 more ... -> t3996"
        " -> t3997 -> t3998 -> t3999 -> t0 -> t1")


def test_unknown_person_hints_are_bounded(monkeypatch):
    calls = _count_difflib(monkeypatch)
    n = 5000
    registry = [PersonFact(f"person{i}", "org.yaml", 0, pack((i, 0, i, 4)), None, 100, -1,
                           True, ()) for i in range(n)]
    members = [PersonFact(f"nobody{i}", "org.yaml", 0, pack((i, 0, i, 4)), "t", 10, -1,
                          False, ()) for i in range(n)]
    found = list(UnknownPerson().check_org(_org([], registry + members)))
    assert len(found) == n
    assert len(calls) <= org.MAX_HINTS
    assert max(calls) <= 400


# -- 3. "did you mean" bounded -----------------------------------------------------------


def _count_difflib(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each difflib.get_close_matches call, as the number of choices it compared."""
    import difflib

    calls: list[int] = []
    real = difflib.get_close_matches

    def counted(word: Any, possibilities: Any, *args: Any, **kwargs: Any) -> Any:
        possibilities = list(possibilities)
        calls.append(len(possibilities))
        return real(word, possibilities, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counted)
    return calls


def test_many_unknown_ids_in_one_file_get_a_bounded_number_of_hints(lint, monkeypatch):
    from orglint.schema import MAX_HINTED

    calls = _count_difflib(monkeypatch)
    owns = ", ".join(f"unknown-{i}" for i in range(3000))
    found = lint.findings(TEAM + "  members:\n    - {id: a, name: A, role: ml-engineer,"
                          f" owns: [trainng-pipelines, {owns}]}}\n", select=["ORG005"])
    assert len(found) == 3001
    # The old code compared each of 3,001 words with every responsibility, twice.
    assert len(calls) <= MAX_HINTED
    assert "did you mean" in found[0].message
    assert "did you mean" not in found[-1].message  # past the file's hint budget


def test_hints_compare_a_bounded_number_of_choices(monkeypatch):
    from orglint.schema import MAX_COMPARED, closest, new_hint_scope

    calls = _count_difflib(monkeypatch)
    new_hint_scope()
    roles = {f"role-{i:05d}": i for i in range(60_000)}
    assert closest("role-0O001", roles) is not None
    assert closest("role-0O001", roles) is not None  # memoised: no second search
    assert calls == [MAX_COMPARED]
    assert closest("feature-store", {"feature-store": 1, "featurestore": 2}) == "feature-store"
    assert closest("mlops", ("mlops-engineer", "ml-engineer")) == "mlops-engineer"
    assert closest("x" * 100_000, roles) is None


# -- 4. every file read has a size cap ----------------------------------------------------


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        handle.truncate(size)


def test_a_huge_matrix_file_is_refused_without_reading_it(tmp_path):
    from orglint.errors import MatrixError
    from orglint.matrix import load_matrix

    matrix = tmp_path / "m.yaml"
    _sparse(matrix, 200_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(MatrixError, match=r"role matrix .*m\.yaml is larger than the"
                                              r" 8,388,608-byte limit"):
            load_matrix(matrix)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, peak


def test_matrix_limit_is_max_file_size(run_cli, tmp_path):
    (tmp_path / "m.yaml").write_text("apiVersion: orglint/v1\nkind: RoleMatrix\n"
                                     + "# padding\n" * 200)
    (tmp_path / ".orglint.yaml").write_text("matrix: m.yaml\nmax-file-size: 1000\n")
    (tmp_path / "t.yaml").write_text(TEAM + "  members: []\n")
    result = run_cli("check", "t.yaml")
    assert result.code == 2
    assert "m.yaml is larger than the 1,000-byte limit" in result.err


@pytest.mark.parametrize("name", [".orglint.yaml", "pyproject.toml"])
def test_a_huge_configuration_is_refused_without_reading_it(run_cli, tmp_path, name):
    _sparse(tmp_path / name, 200_000_000)
    (tmp_path / "t.yaml").write_text(TEAM + "  members: []\n")
    tracemalloc.start()
    try:
        result = run_cli("check", "--config", name, "t.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.code == 2
    assert f"{name} is larger than the 8,388,608-byte limit" in result.err
    assert peak < 20_000_000, peak


def test_configuration_cap_is_configurable(run_cli, tmp_path, monkeypatch):
    (tmp_path / ".orglint.yaml").write_text("select: [ALL]\n" + "# padding\n" * 20)
    (tmp_path / "t.yaml").write_text(TEAM + "  members: []\n")
    monkeypatch.setenv("ORGLINT_MAX_CONFIG_SIZE", "100")
    result = run_cli("check", "--no-cache", "t.yaml")
    assert result.code == 2 and ".orglint.yaml is larger than the 100-byte limit" in result.err
    monkeypatch.setenv("ORGLINT_MAX_CONFIG_SIZE", "lots")
    result = run_cli("check", "--no-cache", "t.yaml")
    assert result.code == 2 and "ORGLINT_MAX_CONFIG_SIZE must be a whole number" in result.err


def test_baseline_on_a_fifo_is_refused_not_waited_on(tmp_path):
    (tmp_path / "t.yaml").write_text(TEAM + "  members: []\n")
    os.mkfifo(tmp_path / "base.json")
    for flags in ([], ["--no-cache"]):
        result = _orglint(["check", *flags, "--baseline", "base.json", "t.yaml"], tmp_path,
                          timeout=60)
        assert result.returncode == 2
        assert "baseline file base.json is not a regular file" in result.stderr


def test_a_matrix_that_is_a_fifo_is_refused_not_waited_on(tmp_path):
    # With the cache on, the run key hashes the matrix before anything else reads it.
    (tmp_path / "t.yaml").write_text(TEAM + "  members: []\n")
    os.mkfifo(tmp_path / "m.yaml")
    (tmp_path / ".orglint.yaml").write_text("matrix: m.yaml\n")
    for flags in ([], ["--no-cache"]):
        result = _orglint(["check", *flags, "t.yaml"], tmp_path, timeout=60)
        assert result.returncode == 2, result.stderr
        assert "m.yaml" in result.stderr


def test_a_huge_baseline_is_refused(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(TEAM + "  members: []\n")
    _sparse(tmp_path / "base.json", 200_000_000)
    for flags in ([], ["--no-cache"]):
        result = run_cli("check", *flags, "--baseline", "base.json", "t.yaml")
        assert result.code == 2
        assert "base.json is larger than the 8,388,608-byte limit" in result.err


# -- 5. globbing and walking never follow folder links; each file once ---------------------


def _team(path: Path, name: str) -> None:
    path.write_text(f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: {name}}}\n"
                    "spec: {maturity: pilot, members: [{id: a, name: A, role: nope}]}\n")


def test_recursive_glob_does_not_follow_links_to_folders(tmp_path):
    teams = tmp_path / "teams"
    teams.mkdir()
    _team(teams / "a.yaml", "a")
    # Two links to '..' made the glob module recurse for ever (each path a new name).
    os.symlink("..", teams / "up")
    os.symlink("..", teams / "up2")
    (tmp_path / ".orglint.yaml").write_text('paths: ["**/*.yaml"]\n')
    result = _orglint(["check", "--no-cache", "--output-format", "json"], tmp_path,
                      timeout=60)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert {f["file"] for f in report["findings"]} == {"teams/a.yaml"}
    assert report["summary"]["files"] == 1


@pytest.mark.parametrize("paths", [["**/*.yaml"], ["*/*.yaml"], ["*"], ["teams"]])
def test_a_file_reached_twice_is_checked_once(run_cli, tmp_path, paths):
    teams = tmp_path / "teams"
    teams.mkdir()
    _team(teams / "a.yaml", "a")
    os.symlink("a.yaml", teams / "b.yaml")  # a link to a file
    os.link(teams / "a.yaml", teams / "c.yaml")  # a hard link
    os.symlink("teams", tmp_path / "mirror")  # a link to a folder
    (tmp_path / ".orglint.yaml").write_text(f"paths: {json.dumps(paths)}\n")
    result = run_cli("check", "--output-format", "json")
    report = json.loads(result.out)
    assert report["summary"]["files"] == 1, report
    assert "ORG010" not in {f["code"] for f in report["findings"]}  # no duplicate team


def test_a_linked_file_named_twice_on_the_command_line_is_checked_once(run_cli, tmp_path):
    _team(tmp_path / "a.yaml", "a")
    os.symlink("a.yaml", tmp_path / "b.yaml")
    result = run_cli("check", "--output-format", "json", "b.yaml", "a.yaml")
    report = json.loads(result.out)
    assert report["summary"]["files"] == 1
    assert {f["file"] for f in report["findings"]} == {"b.yaml"}  # a named link is read


def test_glob_files_matches_like_glob(tmp_path):
    import glob

    from orglint.files import glob_files

    for rel in ("a.yaml", "x/b.yaml", "x/y/c.yml", ".hidden/d.yaml", "x/.e.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("a: 1\n")
    for pattern in ("*.yaml", "**/*.yaml", "x/**/*.y*ml", "x/*", "*/b.yaml", "x/y/c.yml",
                    "[ax]*", ".hidden/*.yaml", "x/.*.yaml", "nothing/*", "**/**/*.yaml",
                    "**/x/**/*.yml", "*/**/y/*"):
        # As sets: glob lists a file twice for '**/**'.
        expected = sorted(set(glob.glob(os.path.join(glob.escape(str(tmp_path)), pattern),
                                        recursive=True)))
        assert sorted(set(glob_files(str(tmp_path), pattern))) == expected, pattern


def _chain(top, depth: int):
    folder = top
    for _ in range(depth):
        folder = folder / "a"
        folder.mkdir()
    (folder / "t.yaml").write_text("apiVersion: orglint/v1\nkind: Team\n")


def test_stacked_double_stars_over_a_deep_tree_list_each_folder_once(run_cli, tmp_path):
    # Each '**' lists a subtree for every folder matched before it: 200 stacked ones over
    # a chain 100 deep took 26 s, listing the same folders again and again.
    import time

    _chain(tmp_path, 100)
    (tmp_path / ".orglint.yaml").write_text(
        "paths: ['" + "/".join(["**"] * 200) + "/*.yaml', '**/a/**/a/**/t.yaml']\n")
    start = time.monotonic()
    result = run_cli("check", "--no-cache")
    assert result.code == 1 and "ORG003" in result.out, result.err
    assert time.monotonic() - start < 10


def test_globs_past_the_work_bound_are_refused(run_cli, tmp_path, monkeypatch):
    from orglint import files

    monkeypatch.setattr(files, "MAX_GLOB_STEPS", 500)
    _chain(tmp_path, 60)
    (tmp_path / ".orglint.yaml").write_text("paths: ['**/a/**/a/**/*.yaml']\n")
    result = run_cli("check", "--no-cache")
    assert result.code == 2 and "the globs visit more than 500" in result.err, result.err


@pytest.mark.parametrize("glob", ["/**/x.yaml", "../*.yaml", "*/../../x/*.yaml",
                                  "**/../**/../**/*.yaml"])
def test_a_glob_that_leaves_the_repository_is_refused_before_any_listing(
        run_cli, tmp_path, monkeypatch, glob):
    from orglint import files

    def listed(*args):  # pragma: no cover - what must not happen
        raise AssertionError("a folder was listed")

    monkeypatch.setattr(files.Tree, "listing", listed)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / ".orglint.yaml").write_text(f"paths: ['{glob}']\n")
    result = run_cli("check", "--no-cache", cwd=tmp_path / "repo")
    assert result.code == 2 and "leaves the repository" in result.err, result.err


# -- 7. configuration value types -------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("max-file-size: 1e6\n", "file is over the 1,000,000-byte limit"),
    ("max-file-size: 1000000.0\n", "file is over the 1,000,000-byte limit"),
])
def test_integral_float_limits_are_accepted(run_cli, tmp_path, text, expected):
    (tmp_path / ".orglint.yaml").write_text(text)
    (tmp_path / "big.yaml").write_text(TEAM + "#" * 1_100_000 + "\n")
    result = run_cli("check", "--no-cache", "big.yaml")
    assert result.code == 1, result.err
    assert expected in result.out


@pytest.mark.parametrize("value", ["8388608.5", ".inf", ".nan"])
def test_fractional_limits_are_a_configuration_error(run_cli, tmp_path, value):
    (tmp_path / ".orglint.yaml").write_text(f"max-file-size: {value}\n")
    (tmp_path / "t.yaml").write_text(TEAM + "  members: []\n")
    result = run_cli("check", "t.yaml")
    assert result.code == 2
    assert "key 'max-file-size'" in result.err and "internal error" not in result.err


def test_integral_float_limits_in_pyproject(run_cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.orglint]\nmax-file-size = 1e6\n")
    (tmp_path / "big.yaml").write_text(TEAM + "#" * 1_100_000 + "\n")
    result = run_cli("check", "--no-cache", "big.yaml")
    assert result.code == 1, result.err
    assert "over the 1,000,000-byte limit" in result.out


# -- 6. worker processes --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_jobs_must_be_a_positive_number(run_cli, tmp_path, value):
    (tmp_path / "t.yaml").write_text(TEAM + "  members: []\n")
    result = run_cli("check", "--jobs", value, "t.yaml")
    assert result.code == 2
    assert "argument --jobs" in result.err and "Traceback" not in result.err


def test_jobs_is_capped(run_cli, tmp_path, monkeypatch):
    from orglint import engine, pool

    seen: list[int] = []
    monkeypatch.setattr(engine, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(pool, "run", lambda work, items, **kw: (
        seen.append(kw["workers"]), [work(item) for item in items])[1])
    monkeypatch.setattr(engine, "_JOB", None)
    monkeypatch.setattr(engine, "_work", lambda item: engine.check_file(
        item[0], Path(item[1]), _job(), digest=item[2]))
    (tmp_path / "t.yaml").write_text(TEAM + "  members: []\n")
    result = run_cli("check", "--no-cache", "--jobs", "100000", "t.yaml")
    assert result.code == 0, result.err
    assert f"--jobs 100000 is more than this machine can use; using {pool.worker_cap()}" \
        in result.err
    assert seen == [pool.worker_cap()]
    assert pool.worker_cap() <= pool.MAX_WORKERS


def _job() -> Any:
    from orglint.engine import Job
    from orglint.loader import Limits
    from orglint.matrix import load_matrix

    return Job(load_matrix(), [], Limits(), {})


def _org_of(folder: Path, count: int) -> list[str]:
    names = []
    for i in range(count):
        _team(folder / f"t{i}.yaml", f"t{i}")
        names.append(f"t{i}.yaml")
    return names


@pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGKILL")
def test_a_worker_killed_is_reported_with_its_file(run_cli, tmp_path, monkeypatch):
    import signal
    import time

    from orglint import engine

    names = _org_of(tmp_path, 6)
    marks = tmp_path / "marks"
    marks.mkdir()
    real = engine.check_bytes
    main = os.getpid()

    # The main process checks files too: the worker is killed on the first file it
    # takes, and the main process waits for that before going on.
    def check(file: str, raw: bytes, job: Any) -> Any:
        if os.getpid() != main:
            (marks / file).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        for _ in range(600):
            if any(marks.iterdir()):
                break
            time.sleep(0.1)
        return real(file, raw, job)

    monkeypatch.setattr(engine, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(engine, "check_bytes", check)  # the workers are forked with it
    result = run_cli("check", "--no-cache", "--jobs", "2", *names)
    killed = [p.name for p in marks.iterdir()]
    assert result.code == 2
    assert len(killed) == 1
    assert f"a worker process died (killed, or out of memory) while checking {killed[0]};" \
        in result.err, result.err


@pytest.mark.parametrize("error", [MemoryError, KeyError])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_crash_while_checking_names_the_file(run_cli, tmp_path, monkeypatch, error, jobs):
    from orglint import engine

    names = _org_of(tmp_path, 4)
    real = engine.check_bytes

    def check(file: str, raw: bytes, job: Any) -> Any:
        if file == "t2.yaml":
            raise error("boom")
        return real(file, raw, job)

    monkeypatch.setattr(engine, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(engine, "check_bytes", check)
    result = run_cli("check", "--no-cache", "--jobs", jobs, *names)
    assert result.code == 2
    expected = ("ran out of memory while checking t2.yaml" if error is MemoryError
                else "checking t2.yaml failed: KeyError")
    assert expected in result.err, result.err
    assert "internal error" not in result.err


WATCHED = """
import os, sys, time
from orglint import engine, cli

real = engine.check_bytes

def check(file, raw, job):
    open(os.path.join(sys.argv[1], f"worker-{os.getpid()}"), "w").close()
    if file == sys.argv[2]:  # the first file is checked before the workers are forked
        return real(file, raw, job)
    time.sleep(600)

engine.POOL_THRESHOLD = 1
engine.check_bytes = check
sys.exit(cli.main(["check", "--no-cache", "--jobs", "2", *sys.argv[2:]]))
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", ["SIGTERM", "SIGKILL"])
def test_workers_die_with_the_main_process(tmp_path, signum):
    import signal
    import time

    marks = tmp_path / "marks"
    marks.mkdir()
    names = _org_of(tmp_path, 4)
    env = {**os.environ, "ORGLINT_CACHE_DIR": str(tmp_path / ".cache")}
    main = subprocess.Popen([sys.executable, "-c", WATCHED, str(marks), *names], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # until both workers are inside a file (at most a minute)
            workers = [int(p.name.split("-")[1]) for p in marks.iterdir()]
            if len(workers) == 2 or main.poll() is not None:
                break
            time.sleep(0.1)
        assert len(workers) == 2, "the workers never started"
        main.send_signal(getattr(signal, signum))
        main.wait(timeout=60)
        for _ in range(300):
            if not any(_alive(pid) for pid in workers):
                break
            time.sleep(0.1)
        left = [pid for pid in workers if _alive(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert left == [], "workers outlived the main process"
    finally:
        if main.poll() is None:
            main.kill()
            main.wait()


def test_a_file_swapped_for_a_fifo_is_not_waited_on(tmp_path):
    # Listed as a regular file, then replaced: opening it used to wait for a writer.
    os.mkfifo(tmp_path / "t.yaml")
    code = ("import sys\nfrom orglint.errors import PathError\n"
            "from orglint.files import read_limited\n"
            "try:\n    read_limited(sys.argv[1], 1000)\n"
            "except PathError as exc:\n    print(exc)\n")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.yaml")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert "not a regular file" in result.stdout, result.stderr


def test_the_glob_bound_counts_a_folder_listing_once_per_walk(tmp_path):
    # Five '**' globs over a large tree of other files must stay far within the bound:
    # a '**' reads each folder's subfolders from the listing kept, not its whole listing.
    from orglint.files import Tree, glob_files

    for k in range(20):
        folder = tmp_path / "vendor" / f"pkg{k}"
        folder.mkdir(parents=True)
        for n in range(100):
            (folder / f"f{n}.js").write_text("")
    tree = Tree()
    for suffix in ("team", "people", "matrix", "policy", "group"):
        assert glob_files(str(tmp_path), f"**/*-{suffix}.yaml", tree) == []
    # Listing every file once, then looking at each once per glob for its name.
    assert tree.steps <= 7 * 2000, tree.steps


def test_a_double_star_below_a_link_out_of_the_repository_walks_nothing(
        run_cli, tmp_path, monkeypatch):
    # 'teams/up/**' with teams/up -> / walked the whole file system to refuse each file.
    from orglint import files

    def listed(self, folder):
        assert not folder.startswith(str(tmp_path / "repo" / "teams" / "up")), folder
        return original(self, folder)

    original = files.Tree.listing
    monkeypatch.setattr(files.Tree, "listing", listed)
    (tmp_path / "repo" / "teams").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.yaml").write_text("apiVersion: orglint/v1\nkind: Team\n")
    (tmp_path / "repo" / "teams" / "up").symlink_to(tmp_path / "outside")
    (tmp_path / "repo" / "teams" / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\n"
        "spec: {maturity: pilot, members: []}\n")
    (tmp_path / "repo" / ".orglint.yaml").write_text(
        "paths: ['teams/*.yaml', 'teams/up/**/*.yaml']\n")
    result = run_cli("check", "--no-cache", "-v", cwd=tmp_path / "repo")
    assert result.code == 0, result.out + result.err
    assert "teams/up: skipped: a symbolic link to a folder outside the repository" in (
        result.out + result.err)



def test_unknown_keys_without_values_are_linear_work(lint, monkeypatch):
    # Found by review: the comma hint listed a mapping's keys again for each of its
    # unknown keys (in C: no line of Python to count), and 60,000 of them took 51 s.
    # Pinned as the key orders built: once per mapping, whatever its unknown keys.
    from orglint import schema

    built: list[int] = []
    real = schema._CommaHint.__call__

    def counting(self: Any, path: Any, key: str) -> str:
        before = len(self.before)
        out = real(self, path, key)
        built.append(len(self.before) - before)
        return out

    monkeypatch.setattr(schema._CommaHint, "__call__", counting)
    keys = "".join(f"  k{i}:\n" for i in range(4000))
    source = ("apiVersion: orglint/v1\nkind: Team\nmetadata:\n  name: x\n  title: T\n"
              + keys + "spec: {maturity: pilot, members: []}\n")
    assert len(lint.findings(source, select=["ORG003"])) == 4000
    assert len(built) == 4000 and sum(built) == 1
