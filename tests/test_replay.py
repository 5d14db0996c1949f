"""A warm rerun answered from its record (``orglint.replay``): only while nothing the run
read has changed, and only from a record this user's orglint wrote.

Each test runs orglint as a process, as users do: the record is made and replayed by
the console script's own start.  Whether a run was replayed shows in the repository's
cache folder: removed before the run, a replay does not make it again.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orglint import replay
from tests.test_cache import team

REPO = Path(__file__).resolve().parent.parent


# Kim is on two teams at 60 % and 50 %: ORG301 (over-allocated) at teams/b.yaml.
ORGS = ("hit", "edit", "add", "remove", "config", "nested", "link", "named", "env",
        "spoken", "forged", "copied", "clean", "file", "gone", "dangling", "dotdot",
        "probe-open", "probe-eloop", "probe-ok")


def _org(root: Path) -> None:
    (root / "teams").mkdir()
    if root.name.startswith("replay-dangling"):
        (root / "teams" / "README").symlink_to("nowhere")  # an editor's lock file, say
    if root.name.startswith("replay-probe"):
        (root / "q").mkdir()
        (root / "q" / "f.yaml").write_text(team("f", 10))
        (root / "lnk.yaml").symlink_to("teams/a.yaml")
        (root / "dangling.yaml").symlink_to("nowhere")
    if root.name.startswith("replay-dotdot"):
        (root / "e" / "d").mkdir(parents=True)
        (root / "link").symlink_to("e/d")
        (root / "e" / ".orglint_cache").write_text(team("z", 60))
    (root / "teams" / "a.yaml").write_text(team("a", 60))
    (root / "teams" / "b.yaml").write_text(team("b", 50))
    (root / "people").mkdir()
    (root / "people" / "b30.yaml").write_text(team("b", 30))
    (root / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\nselect: [ORG301]\n")


@pytest.fixture(scope="module")
def orgs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made = {}
    for name in ORGS:
        root = tmp_path_factory.mktemp(f"replay-{name}")
        _org(root)
        made[name] = root
    # A record is only kept for files older than the margin: no change can hide in the
    # clock's granularity.
    time.sleep(replay.MARGIN_NS / 1e9 + 0.2)
    return made


def check(root: Path, *args: str, cwd: Path | None = None,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    # A replay is told from a run by whether the project's cache folder was made again:
    # a cache folder set in the developer's environment would hide that.
    base = {k: v for k, v in os.environ.items() if k != "ORGLINT_CACHE_DIR"}
    return subprocess.run([sys.executable, "-m", "orglint", "check", "--output-format",
                           "json", *args], cwd=cwd or root, capture_output=True,
                          env={**base, **(env or {})}, check=False)


def replayed(root: Path, *args: str, **kw: object) -> tuple[
        subprocess.CompletedProcess[bytes], bool]:
    """A run, and whether it was a replay (it did not make the cache folder again)."""
    cache = root / ".orglint_cache"
    subprocess.run(["rm", "-rf", str(cache)], check=True)
    done = check(root, *args, **kw)  # type: ignore[arg-type]
    return done, not cache.exists()


def recorded(root: Path, *args: str, settle: bool = False, **kw: object
             ) -> subprocess.CompletedProcess[bytes]:
    """Run twice: the report is kept, then served from the cache, which records it.
    ``settle``: wait between the two, for a run that lists the folder where the first
    one makes the cache folder."""
    first = check(root, *args, **kw)  # type: ignore[arg-type]
    if settle:
        time.sleep(replay.MARGIN_NS / 1e9 + 0.2)
    second = check(root, *args, **kw)  # type: ignore[arg-type]
    assert (second.stdout, second.returncode) == (first.stdout, first.returncode)
    return second


def fresh(root: Path, *args: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
    """What the run says with no cache at all."""
    env = {**(kw.pop("env", None) or {}), "ORGLINT_NO_CACHE": "1"}  # type: ignore[dict-item]
    return check(root, *args, env=env, **kw)  # type: ignore[arg-type]


def test_an_unchanged_rerun_is_replayed_byte_for_byte(orgs: dict[str, Path]) -> None:
    root = orgs["hit"]
    before = recorded(root)
    assert b'"ORG301"' in before.stdout and before.returncode == 1
    again, was = replayed(root)
    assert was
    assert (again.stdout, again.stderr, again.returncode) == (before.stdout, b"", 1)
    assert again.stdout == fresh(root).stdout


def test_the_report_is_written_whole_to_a_file_too(orgs: dict[str, Path],
                                                     tmp_path: Path) -> None:
    root = orgs["file"]
    before = recorded(root)
    cache = root / ".orglint_cache"
    subprocess.run(["rm", "-rf", str(cache)], check=True)
    out = tmp_path / "out.json"
    with out.open("wb") as sink:
        code = subprocess.run([sys.executable, "-m", "orglint", "check", "--output-format",
                               "json"], cwd=root, stdout=sink, check=False).returncode
    assert not cache.exists()  # replayed, through a file rather than a pipe
    assert (out.read_bytes(), code) == (before.stdout, before.returncode)


def test_a_file_edited_to_the_same_size_is_read_again(orgs: dict[str, Path]) -> None:
    root = orgs["edit"]
    before = recorded(root)
    b = root / "teams" / "b.yaml"
    b.write_text(b.read_text().replace("allocation: 50", "allocation: 30"))
    after, was = replayed(root)
    assert not was
    assert b'"ORG301"' in before.stdout and b'"ORG301"' not in after.stdout
    assert (after.stdout, after.returncode) == (fresh(root).stdout, 0)


@pytest.mark.parametrize("change", ["add", "remove"])
def test_a_file_added_or_removed_is_seen(orgs: dict[str, Path], change: str) -> None:
    root = orgs[change]
    before = recorded(root)
    if change == "add":
        (root / "teams" / "c.yaml").write_text(team("c", 10))
    else:
        (root / "teams" / "b.yaml").unlink()
    after, was = replayed(root)
    assert not was
    assert after.stdout != before.stdout
    assert after.stdout == fresh(root).stdout


def test_the_configuration_edited_is_seen(orgs: dict[str, Path]) -> None:
    root = orgs["config"]
    before = recorded(root)
    (root / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\nselect: [ORG3]\n"
                                        "ignore: [ORG301]\n")
    after, was = replayed(root)
    assert not was
    assert b'"ORG301"' in before.stdout and b'"ORG301"' not in after.stdout


def test_a_configuration_appearing_nearer_is_seen(orgs: dict[str, Path]) -> None:
    # Run from teams/: the configuration is found in the folder above.  A new one in
    # teams/ itself governs the next run, though nothing the last run read changed.
    root = orgs["nested"]
    teams = root / "teams"
    before = recorded(root, cwd=teams)
    assert b'"ORG301"' in before.stdout
    (teams / ".orglint.yaml").write_text("paths: ['*.yaml']\nignore: [ORG301]\n")
    after = check(root, cwd=teams)
    assert b'"ORG301"' not in after.stdout
    assert after.stdout == fresh(root, cwd=teams).stdout


def test_a_link_pointed_elsewhere_is_seen(orgs: dict[str, Path]) -> None:
    root = orgs["link"]
    b = root / "teams" / "b.yaml"
    (root / "people" / "b50.yaml").write_bytes(b.read_bytes())
    b.unlink()
    b.symlink_to("../people/b50.yaml")
    os.utime(b.parent, ns=(1, 1))  # folder times put back: only the link tells
    time.sleep(replay.MARGIN_NS / 1e9 + 0.2)
    before = recorded(root)
    assert b'"ORG301"' in before.stdout
    b.unlink()
    b.symlink_to("../people/b30.yaml")
    after, was = replayed(root)
    assert not was
    assert b'"ORG301"' not in after.stdout


def test_a_file_the_run_did_not_name_still_counts(orgs: dict[str, Path]) -> None:
    # pre-commit names the files changed; the org's other files are read too.
    root = orgs["named"]
    before = recorded(root, "teams/a.yaml")
    assert b'"ORG301"' in before.stdout
    b = root / "teams" / "b.yaml"
    b.write_text(b.read_text().replace("allocation: 50", "allocation: 30"))
    after, was = replayed(root, "teams/a.yaml")
    assert not was
    assert b'"ORG301"' not in after.stdout


def test_other_arguments_or_environment_are_another_run(orgs: dict[str, Path]) -> None:
    root = orgs["env"]
    recorded(root)
    assert replayed(root)[1]
    assert not replayed(root, "--select", "ORG301")[1]
    assert not replayed(root, env={"NO_COLOR": "1"})[1]
    assert not replayed(root, env={"ORGLINT_MAX_CONFIG_SIZE": "99999"})[1]


def test_a_run_that_says_something_on_stderr_is_not_recorded(orgs: dict[str, Path]
                                                              ) -> None:
    root = orgs["spoken"]
    before = recorded(root, "--verbose")
    assert b"whole report reused" in before.stderr
    after, was = replayed(root, "--verbose")
    assert not was
    assert after.stderr  # said again, as a replay could not


def _record(root: Path) -> Path:
    """The newest record in the user's folder: the one just made for ``root``."""
    folder = Path(replay.user_folder() or "") / replay.FOLDER
    records = [p for p in folder.iterdir() if len(p.name) == 32]
    return max(records, key=lambda p: p.stat().st_mtime_ns)


def test_a_record_changed_in_place_is_not_believed(orgs: dict[str, Path]) -> None:
    root = orgs["forged"]
    before = recorded(root)
    record = _record(root)
    forged = record.read_bytes().replace(b'"ORG301"', b'"ORG999"')
    assert forged != record.read_bytes()
    record.write_bytes(forged)  # same length, but a new change time: the seal fails
    after, was = replayed(root)
    assert not was
    assert after.stdout == before.stdout


def test_a_record_copied_over_is_not_believed(orgs: dict[str, Path]) -> None:
    root = orgs["copied"]
    before = recorded(root)
    record = _record(root)
    copy = record.with_name(".copy.tmp")
    copy.write_bytes(record.read_bytes().replace(b'"ORG301"', b'"ORG999"'))
    os.rename(copy, record)  # another file (inode) under the record's name
    after, was = replayed(root)
    assert not was
    assert after.stdout == before.stdout


def test_files_changed_within_the_margin_are_not_recorded(tmp_path: Path) -> None:
    _org(tmp_path)  # just written: a change in the same clock tick could go unseen
    recorded(tmp_path)
    assert not replayed(tmp_path)[1]


def test_clean_forgets_every_record(orgs: dict[str, Path]) -> None:
    root = orgs["clean"]
    recorded(root)
    assert replayed(root)[1]
    subprocess.run([sys.executable, "-m", "orglint", "clean"], cwd=root, check=True,
                   capture_output=True)
    folder = Path(replay.user_folder() or "") / replay.FOLDER
    assert not [p for p in folder.iterdir() if len(p.name) == 32]
    assert not replayed(root)[1]


def test_every_environment_variable_orglint_reads_is_in_the_ask() -> None:
    read = set()
    for path in (REPO / "src" / "orglint").rglob("*.py"):
        text = path.read_text()
        read |= set(re.findall(r"""environ(?:\.get)?\(\s*["']([A-Z_]+)["']""", text))
        read |= set(re.findall(r"""environ\[["']([A-Z_]+)["']\]""", text))
        read |= set(re.findall(r"""getenv\(\s*["']([A-Z_]+)["']""", text))
        for constant in re.findall(r"""^([A-Z_]+_ENV) = ["']([A-Z_]+)["']""", text, re.M):
            read.add(constant[1])
    assert {"NO_COLOR", "ORGLINT_CACHE_DIR", "GITHUB_ACTIONS"} <= read
    missing = {name for name in read
               if not name.startswith(replay.ENV_PREFIXES) and name not in replay.ENV_NAMES}
    assert not missing


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=400), head=st.sampled_from(
    [b"", b"0 1 5 3\n", b"1 2 10 0\n", b"1 1 3 4\n", b"x y z w\n", b"9 9 9 9 9\n"]))
def test_a_hostile_record_under_a_valid_seal_is_refused_or_read(
        tmp_path: Path, body: bytes, head: bytes) -> None:
    # Past the seal, a record is this user's own; still, no bytes may raise.
    key = b"k" * 32
    path = tmp_path / "record"
    path.write_bytes(head + body)
    fd = os.open(path, os.O_RDONLY)
    try:
        seal = tmp_path / "record.seal"
        seal.write_bytes(replay._mac(key, b"seal", "record", replay._identity(os.fstat(fd))))
        got = replay._read(fd, str(seal), "record", key)
    finally:
        os.close(fd)
    if got is not None:
        names, stamps, code, start, size = got
        assert len(stamps) == len(names) * replay._STAMP_SIZE
        assert start + size == len(head + body) and 0 <= code <= 255


def test_a_link_among_walked_files_that_turns_into_a_file_is_seen(tmp_path: Path) -> None:
    # No `paths:`: the folder is walked, and a link to a folder among the files is taken
    # for a folder by a call made in C.  Its target becoming a file changes the org.
    (tmp_path / ".git" / "store.yaml").mkdir(parents=True)
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "a.yaml").write_text(team("a", 60))
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 30))
    (tmp_path / "teams" / "c.yaml").symlink_to("../.git/store.yaml")
    (tmp_path / ".orglint.yaml").write_text("select: [ORG301]\n")
    time.sleep(replay.MARGIN_NS / 1e9 + 0.2)
    before = recorded(tmp_path, settle=True)
    assert b'"ORG301"' not in before.stdout
    (tmp_path / ".git" / "store.yaml").rmdir()
    (tmp_path / ".git" / "store.yaml").write_text(team("c", 50))
    after = check(tmp_path)
    assert b'"ORG301"' in after.stdout
    assert after.stdout == fresh(tmp_path).stdout


def test_another_orglint_run_by_the_same_command_is_another_program(tmp_path: Path
                                                                    ) -> None:
    # A second checkout (PYTHONPATH, `pip install -e` elsewhere) answers for itself,
    # and so does an edit to its schemas, which a source checkout keeps beside the code.
    other = tmp_path / "other"
    other.mkdir()
    for part in ("src", "schemas", "rules"):
        subprocess.run(["cp", "-r", str(REPO / part), str(other / part)], check=True)
    org = tmp_path / "org"
    org.mkdir()
    _org(org)
    (org / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\n")  # every rule
    module = other / "src" / "orglint" / "rules"
    for path in module.rglob("*.py"):
        text = path.read_text()
        if "is allocated" in text:
            path.write_text(text.replace("is allocated", "IS-ALLOCATED"))
    time.sleep(replay.MARGIN_NS / 1e9 + 0.2)
    mine = recorded(org)
    assert b"is allocated" in mine.stdout
    theirs = check(org, env={"PYTHONPATH": str(other / "src")})
    assert b"IS-ALLOCATED" in theirs.stdout
    recorded(org, env={"PYTHONPATH": str(other / "src")})
    schema = other / "schemas" / "team.schema.json"
    schema.write_text(schema.read_text().replace('"exploring",', '"exploringX",'))
    edited = check(org, env={"PYTHONPATH": str(other / "src")})
    assert b'"ORG003"' not in theirs.stdout and b'"ORG003"' in edited.stdout


def test_clean_removes_nothing_through_a_link(tmp_path: Path) -> None:
    # $XDG_CACHE_HOME inside a checkout: the records' folder may be a committed link.
    victim = tmp_path / "victim"
    victim.mkdir()
    names = ["0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef.seal",
             ".1.0123456789ab.tmp", "keep.txt"]
    for name in names:
        (victim / name).write_text("mine\n")
    home = tmp_path / "xdg"
    (home / "orglint").mkdir(parents=True)
    (home / "orglint" / replay.FOLDER).symlink_to(victim)
    (tmp_path / "org").mkdir()
    subprocess.run([sys.executable, "-m", "orglint", "clean"], cwd=tmp_path / "org",
                   env={**os.environ, "XDG_CACHE_HOME": str(home)}, capture_output=True,
                   check=False)
    assert sorted(p.name for p in victim.iterdir()) == sorted(names)


def test_a_removed_current_folder_is_said_not_a_traceback(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]);"
         " sys.argv = ['orglint', 'check']; from orglint.console import run; run()",
         str(gone)], capture_output=True, check=False)
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert b"cannot use the current folder" in done.stderr


KEEP_AFTER = """
import os, sys
sys.argv = ["orglint", "check"]
from orglint import cache, replay
cache.secret()
replay.capture()
present, absent = os.environ["PRESENT"], os.environ["ABSENT"]
os.stat(present)
try:
    os.stat(absent)
except OSError:
    pass
if os.environ.get("REMOVE"):
    os.unlink(present)
replay.keep(memoryview(b"report"), 0, [])
"""


@pytest.mark.parametrize("remove", [False, True])
def test_a_path_removed_while_the_run_went_on_is_not_recorded_missing(
        orgs: dict[str, Path], tmp_path: Path, remove: bool) -> None:
    # Found when the run read it, gone when the run is recorded: the record would say
    # "missing" beside a report made with it.  A path missing all along is fine.
    root = orgs["gone"]
    present = root / "teams" / ("a.yaml" if remove else "b.yaml")
    home = tmp_path / "xdg"
    subprocess.run([sys.executable, "-c", KEEP_AFTER], cwd=root, check=True,
                   env={**os.environ, "XDG_CACHE_HOME": str(home), "PRESENT": str(present),
                        "ABSENT": str(root / "nowhere.yaml"), "REMOVE": "1" if remove else ""})
    folder = home / "orglint" / replay.FOLDER
    records = [p for p in folder.iterdir() if len(p.name) == 32] if folder.exists() else []
    assert len(records) == (0 if remove else 1)


def test_a_cache_folder_inside_the_walked_folder_hides_nothing(tmp_path: Path) -> None:
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "a.yaml").write_text(team("a", 60))
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 30))
    (tmp_path / ".orglint.yaml").write_text("select: [ORG301]\n")
    env = {"ORGLINT_CACHE_DIR": str(tmp_path / "cache")}
    time.sleep(replay.MARGIN_NS / 1e9 + 0.2)
    recorded(tmp_path, settle=True, env=env)
    recorded(tmp_path, settle=True, env=env)
    (tmp_path / "cache" / "x").mkdir(parents=True)
    (tmp_path / "cache" / "x" / "c.yaml").write_text(team("c", 50))
    after = check(tmp_path, env=env)
    assert b'"ORG301"' in after.stdout
    assert after.stdout == fresh(tmp_path, env=env).stdout


def test_an_interrupted_replay_says_so() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv = ['orglint', 'check'];"
         " from orglint import replay\n"
         "def stop():\n    raise KeyboardInterrupt\n"
         "replay._serve = stop; replay.serve()"], capture_output=True, check=False)
    assert (done.returncode, done.stderr) == (130, b"orglint: interrupted\n")


def test_old_temporary_files_are_pruned(tmp_path: Path) -> None:
    old, new = tmp_path / ".1.0123456789ab.tmp", tmp_path / ".2.0123456789ab.tmp"
    other = tmp_path / ".3.notours.tmp"
    for path in (old, new, other):
        path.write_text("x")
    os.utime(old, ns=(1, 1))
    os.utime(other, ns=(1, 1))
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        replay._prune(fd)
    finally:
        os.close(fd)
    assert (old.exists(), new.exists(), other.exists()) == (False, True, True)


def test_the_code_digest_covers_nested_schemas(tmp_path: Path) -> None:
    for part in ("src", "schemas", "rules"):
        subprocess.run(["cp", "-r", str(REPO / part), str(tmp_path / part)], check=True)
    nested = next((tmp_path / "schemas").glob("*/*.json"))
    show = [sys.executable, "-c", "from orglint.cache import code_digest; print(code_digest())"]
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    before = subprocess.run(show, env=env, capture_output=True, check=True).stdout
    nested.write_text(nested.read_text() + " ")
    after = subprocess.run(show, env=env, capture_output=True, check=True).stdout
    assert before != after


def test_a_dangling_link_beside_the_org_still_lets_a_rerun_be_replayed(
        orgs: dict[str, Path]) -> None:
    root = orgs["dangling"]
    before = recorded(root)
    again, was = replayed(root)
    assert was
    assert again.stdout == before.stdout


def test_a_name_through_a_link_is_not_taken_for_the_cache_folder(orgs: dict[str, Path]
                                                                  ) -> None:
    # `link/../.orglint_cache` reads like the cache folder, and is e/.orglint_cache.
    root = orgs["dotdot"]
    args = ("link/../.orglint_cache", "teams/b.yaml")
    before = recorded(root, *args)
    assert b'"ORG301"' in before.stdout
    odd = root / "e" / ".orglint_cache"
    odd.write_text(odd.read_text().replace("allocation: 60", "allocation: 10"))
    after = check(root, *args)
    assert b"10% here" in after.stdout and after.stdout != before.stdout
    assert after.stdout == fresh(root, *args).stdout


PROBES = {
    # An open told "missing", then a folder holding an old file of that name moved in.
    "probe-open": """
try:
    os.open("p/f.yaml", os.O_RDONLY | os.O_NOFOLLOW)
except OSError:
    pass
os.rename("q", "p")
""",
    # An open refused for another reason (a link, with O_NOFOLLOW), then removed.
    "probe-eloop": """
try:
    os.open("lnk.yaml", os.O_RDONLY | os.O_NOFOLLOW)
except OSError:
    pass
os.unlink("lnk.yaml")
""",
    # What stays as the run found it: a file, a dangling link, a missing name.
    "probe-ok": """
os.close(os.open("teams/a.yaml", os.O_RDONLY))
os.lstat("dangling.yaml")
for name in ("dangling.yaml", "missing.yaml"):
    try:
        os.stat(name)
    except OSError:
        pass
""",
}


@pytest.mark.parametrize("case", sorted(PROBES))
def test_a_record_says_of_each_path_what_the_run_found(orgs: dict[str, Path],
                                                       tmp_path: Path, case: str) -> None:
    driver = ("import os, sys\nsys.argv = ['orglint', 'check']\n"
              "from orglint import cache, replay\ncache.secret()\nreplay.capture()\n"
              + PROBES[case] + "replay.keep(memoryview(b'report'), 0, [])\n")
    home = tmp_path / "xdg"
    subprocess.run([sys.executable, "-c", driver], cwd=orgs[case], check=True,
                   env={**os.environ, "XDG_CACHE_HOME": str(home)})
    folder = home / "orglint" / replay.FOLDER
    made = [p for p in folder.iterdir() if len(p.name) == 32] if folder.exists() else []
    assert len(made) == (1 if case == "probe-ok" else 0)


def test_a_failure_while_recording_changes_nothing_of_the_run(tmp_path: Path) -> None:
    # The report is out when the run is recorded: no error there may reach the user.
    driver = ("import sys\nsys.argv = ['orglint', 'check']\nfrom orglint import replay\n"
              "replay.capture()\n"
              "def broken(*args):\n    raise RuntimeError('boom')\n"
              "replay._stamps = broken\nreplay.user_folder = lambda: '/'\n"
              "replay._secret = lambda home: b'k' * 32\n"
              "replay.keep(memoryview(b'report'), 0, [])\nprint('ok')\n")
    done = subprocess.run([sys.executable, "-c", driver], cwd=tmp_path,
                          capture_output=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"ok\n", b"")


def test_clean_says_so_when_a_record_cannot_be_removed(tmp_path: Path, run_cli,
                                                       monkeypatch) -> None:
    # A record left behind could still answer a rerun: `orglint clean` must not say
    # all is clean (exit 0) then.  (Root removes files in a read-only folder, so the
    # refusal is made here, as the kernel would make it for another user.)
    home = tmp_path / "xdg"
    records = home / "orglint" / replay.FOLDER
    records.mkdir(parents=True)
    os.chmod(home / "orglint", 0o700)
    os.chmod(records, 0o700)
    name = "0123456789abcdef0123456789abcdef"
    (records / name).write_text("record\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    unlink = os.unlink

    def refuse(path: object, *args: object, **kwargs: object) -> None:
        if path == name:
            raise PermissionError(13, "Permission denied")
        unlink(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "unlink", refuse)
    done = run_cli("clean")
    assert done.code == 2, done
    assert "could not remove every replay record" in done.err and name in done.err
    assert (records / name).exists()
