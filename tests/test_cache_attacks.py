"""Hostile caches and configurations (issue 11): each attack reproduced, none doing harm.

A pull request can commit anything, the cache folder included (``git add -f``), and a
shared folder above a checkout can hold another user's files.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orglint import cache, trust
from orglint.cli import main
from tests.conftest import dedent, no_hang

BAD_TEAM = dedent("""\
    apiVersion: orglint/v1
    kind: Team
    metadata: {name: a}
    spec:
      maturity: exploring
      members:
        - {id: kim, name: Kim, role: data-scientst}
    """)


def _runs_code(marker: Path) -> bytes:
    """A pickle (protocol 0, written by hand, so no module of the project imports pickle)
    whose loading calls ``os.mkdir(marker)``: code run by data."""
    return b"cos\nmkdir\n(V" + str(marker).encode("raw_unicode_escape") + b"\ntR."


def _give_away(path: Path) -> None:
    """Make ``path`` another user's (nobody's); only root can, so others skip."""
    try:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    except PermissionError:
        pytest.skip("playing another user needs root")


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "team.yaml").write_text(BAD_TEAM)
    return repo


def _codes(run_cli, repo: Path, *args: str) -> list[str]:
    result = run_cli("check", "team.yaml", "--output-format", "json", "--select", "ORG004",
                     *args, cwd=repo)
    assert result.code in (0, 1), result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    return [f["code"] for f in json.loads(result.out)["findings"]]


@pytest.fixture
def in_repo_cache(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache where a fresh clone has it: in the repository (not the suite's .cache,
    which ``run_cli`` sets up first)."""
    monkeypatch.delenv("ORGLINT_CACHE_DIR", raising=False)


# -- code execution ---------------------------------------------------------------------


@pytest.mark.usefixtures("in_repo_cache")
def test_a_committed_pickle_in_the_cache_runs_no_code(run_cli, tmp_path):
    repo = _repo(tmp_path)
    marker = tmp_path / "pwned"
    payload = _runs_code(marker)
    folder = repo / ".orglint_cache"
    for name in ("index/stat-index.pickle", "index/stat-index.json", "runs/" + "0" * 40,
                 "v2-0123456789abcdef/pack.pickle", "settings/" + "0" * 32):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(payload)
    (folder / ".gitignore").write_text("# Created by orglint\n*\n")
    assert _codes(run_cli, repo) == ["ORG004"]
    assert _codes(run_cli, repo) == ["ORG004"]
    assert not marker.exists()


@pytest.mark.usefixtures("in_repo_cache")
def test_a_forged_cache_cannot_hide_findings(run_cli, tmp_path):
    # The attacker can compute every key and write well-formed JSON of the right
    # layout; without this user's secret the files are ignored and rebuilt.
    repo = _repo(tmp_path)
    assert _codes(run_cli, repo) == ["ORG004"]
    folder = repo / ".orglint_cache"
    forged_key = b"k" * 32
    reports = [p for p in (folder / "runs").iterdir() if "." not in p.name]
    assert reports
    for path in reports:
        # The report is its head line, then its text as it is, not JSON.
        assert path.read_bytes().split(b" ")[2] == b"report-bytes"
        path.write_bytes(cache.frame_bytes(forged_key, "report-bytes",
                                           b'[0,"All checks passed!"]\n'))
    for path in folder.rglob("*.json"):
        raw = path.read_bytes()
        head, _, body = raw.partition(b"\n")
        layout = head.split(b" ")[2].decode()
        data = json.loads(body)
        if layout == "report":
            data = ["", 0, "All checks passed!"]
        elif layout.startswith("results"):
            for entry in data.values():
                entry[1] = []  # no findings
        path.write_bytes(cache.frame(forged_key, layout, data))
    assert _codes(run_cli, repo) == ["ORG004"]


def test_a_cache_file_of_another_layout_or_version_is_ignored_and_rebuilt(tmp_path):
    store = cache.CacheDir.open(tmp_path / "c")
    assert store is not None
    assert store.write(("runs", "x.json"), "report", ["text", 1, "s"])
    assert store.read(("runs", "x.json"), "report") == ["text", 1, "s"]
    assert store.read(("runs", "x.json"), "results-other") is None
    path = tmp_path / "c" / "runs" / "x.json"
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"orglint-cache 3 ", b"orglint-cache 2 ", 1))
    assert store.read(("runs", "x.json"), "report") is None
    path.write_bytes(raw[:-3])  # torn
    assert store.read(("runs", "x.json"), "report") is None
    path.write_bytes(raw)
    assert store.read(("runs", "x.json"), "report") == ["text", 1, "s"]


def _read(folder, key):
    """The report kept under ``key``, as its text, exit code and summary."""
    kept = cache.load_report(folder, key)
    return None if kept is None else cache.Report(kept.text, kept.exit_code, kept.summary)


def test_a_kept_report_comes_back_byte_for_byte_and_not_once_altered(tmp_path):
    # Kept as raw text after a JSON head (a warm run decodes no JSON string), with the
    # surrogates of a file name that is not UTF-8 kept as rendered.
    text = 'teams/\udcff.yaml:1:1: ORG004 "quoted" \\ \u00fcn\u00efcode\n\nFound 1 error.\n'
    report = cache.Report(text, 1, "Found 1 error.")
    key = "a" * 40
    cache.save_report(tmp_path / "c", key, report)
    assert _read(tmp_path / "c", key) == report
    path = tmp_path / "c" / "runs" / key
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"quoted", b"QUOTED"))
    assert cache.load_report(tmp_path / "c", key) is None
    path.write_bytes(raw.replace(b"[1,", b"[0,"))
    assert cache.load_report(tmp_path / "c", key) is None
    path.write_bytes(raw)
    assert _read(tmp_path / "c", key) == report


def _sealed(tmp_path, monkeypatch, text="teams/a.yaml:1:1: ORG004 x\n"):
    """A report kept, read once with its MAC checked (which seals it); its path."""
    monkeypatch.setattr(cache, "SEAL_MARGIN_NS", 0)
    report = cache.Report(text, 1, "Found 1 error.")
    key = "b" * 40
    cache.save_report(tmp_path / "c", key, report)
    assert _read(tmp_path / "c", key) == report
    assert (tmp_path / "c" / "runs" / f"{key}.seal").is_file()
    return tmp_path / "c" / "runs" / key, report


def test_a_sealed_report_is_read_back_without_hashing_it_again(tmp_path, monkeypatch):
    path, report = _sealed(tmp_path, monkeypatch)
    checked = []
    real = cache._signed
    monkeypatch.setattr(cache, "_signed", lambda *a: checked.append(a[1]) or real(*a))
    assert _read(tmp_path / "c", path.name) == report
    assert checked == ["report-seal"]  # the seal's own MAC only, not the report's


def test_a_report_without_a_seal_or_too_recent_to_seal_is_checked_and_not_sealed(
        tmp_path, monkeypatch):
    report = cache.Report("x\n", 0, "All checks passed!")
    key = "c" * 40
    cache.save_report(tmp_path / "c", key, report)
    # Written just now: a write within the clock's granularity could pass for it.
    monkeypatch.setattr(cache, "SEAL_MARGIN_NS", 3600 * 10**9)
    for _ in range(2):
        assert _read(tmp_path / "c", key) == report
    assert not (tmp_path / "c" / "runs" / f"{key}.seal").exists()


@pytest.mark.parametrize("how", ["in place", "renamed over", "linked"])
def test_a_sealed_report_changed_in_any_way_is_checked_again_and_refused(
        tmp_path, monkeypatch, how):
    # Same size, same modification time put back, even the same inode: the change
    # time moves, so the seal no longer holds and the MAC refuses the forged text.
    path, _ = _sealed(tmp_path, monkeypatch, "teams/a.yaml:1:1: ORG004 x\n")
    before = os.stat(path)
    forged = path.read_bytes().replace(b"ORG004 x", b"ORG999 y")
    if how == "in place":
        with open(path, "r+b") as handle:
            handle.write(forged)
    elif how == "renamed over":
        other = path.with_name("other")
        other.write_bytes(forged)
        os.rename(other, path)
    else:  # the sealed file itself, under a second name: its link count and ctime move
        os.link(path, path.with_name("kept"))
        forged = path.read_bytes()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    checked = []
    real = cache._signed
    monkeypatch.setattr(cache, "_signed", lambda *a: checked.append(a[1]) or real(*a))
    got = cache.load_report(tmp_path / "c", path.name)
    assert "report-bytes" in checked  # hashed again
    if how == "linked":
        assert got is not None and "ORG004" in got.text  # still ours, checked
    else:
        assert got is None


def test_a_file_written_to_while_it_is_read_is_not_used(tmp_path, monkeypatch):
    # Its status before the read is what a seal records and is compared with: bytes
    # written during the read would otherwise pass as the file sealed.
    path, _ = _sealed(tmp_path, monkeypatch)
    original = path.read_bytes()

    class Racing:
        def __init__(self, handle, mode):
            self.file = open(handle, mode)  # noqa: SIM115 - closed by __exit__

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def read(self, size):
            data = self.file.read(size)
            if data == original:  # the report, as sealed: now someone rewrites it
                path.write_bytes(original.replace(b"ORG004", b"ORG005"))
            return data

    monkeypatch.setattr(cache, "open", Racing, raising=False)
    assert cache.load_report(tmp_path / "c", path.name) is None
    monkeypatch.delattr(cache, "open")
    assert cache.load_report(tmp_path / "c", path.name) is None  # its MAC fails now


def test_a_signed_file_moved_to_another_name_is_refused(tmp_path):
    # The MAC covers where a file lives: the user's own report for one run, copied under
    # another run's key, or a file of one settings' folder copied into another's, is
    # not that run's answer.
    one, other = "c" * 40, "d" * 40
    cache.save_report(tmp_path / "c", one, cache.Report("old findings\n", 0, "old"))
    cache.save_report(tmp_path / "c", other, cache.Report("new findings\n", 1, "new"))
    runs = tmp_path / "c" / "runs"
    (runs / other).write_bytes((runs / one).read_bytes())
    assert cache.load_report(tmp_path / "c", other) is None
    assert _read(tmp_path / "c", one) == cache.Report("old findings\n", 0, "old")
    store = cache.CacheDir.open(tmp_path / "c")
    assert store is not None
    assert store.write(("v3-" + "a" * 16, "pack.json"), "results", {"k": 1})
    assert store.read(("v3-" + "a" * 16, "pack.json"), "results") == {"k": 1}
    moved = tmp_path / "c" / ("v3-" + "b" * 16)
    moved.mkdir()
    (moved / "pack.json").write_bytes((tmp_path / "c" / ("v3-" + "a" * 16) / "pack.json")
                                      .read_bytes())
    assert store.read(("v3-" + "b" * 16, "pack.json"), "results") is None


def test_a_forged_seal_is_ignored(tmp_path, monkeypatch):
    path, _ = _sealed(tmp_path, monkeypatch)
    seal = path.with_name(f"{path.name}.seal")
    body = seal.read_bytes().partition(b"\n")[2]
    seal.write_bytes(cache.frame_bytes(b"k" * 32, "report-seal", body))
    path.write_bytes(path.read_bytes().replace(b"ORG004", b"ORG999"))
    info = os.stat(path)
    # Even a seal naming the forged file's own status: it is not under this user's key.
    seal.write_bytes(cache.frame(b"k" * 32, "report-seal",
                                 [info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                  info.st_ino, info.st_dev]))
    assert cache.load_report(tmp_path / "c", path.name) is None


def test_old_reports_go_with_their_seals(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "SEAL_MARGIN_NS", 0)
    folder = tmp_path / "c"
    keys = [f"{i:040x}" for i in range(cache.RUNS_KEPT + 2)]
    for i, key in enumerate(keys):
        cache.save_report(folder, key, cache.Report(f"{i}\n", 0, "s"))
        os.utime(folder / "runs" / key, ns=(i * 10**9, i * 10**9))  # oldest first
        assert cache.load_report(folder, key) is not None  # sealed
    names = sorted(p.name for p in (folder / "runs").iterdir())
    assert names == sorted([*keys[2:], *(f"{k}.seal" for k in keys[2:])])
    assert "removed" in cache.clean(folder).message
    assert not folder.exists()


def test_a_cache_file_past_the_size_limit_is_not_read(tmp_path, monkeypatch):
    store = cache.CacheDir.open(tmp_path / "c")
    assert store is not None and store.write(("index", "stat-index.json"), "x", [1] * 100)
    monkeypatch.setattr(cache, "MAX_READ", 64)
    assert store.read(("index", "stat-index.json"), "x") is None


# -- writes and deletes -----------------------------------------------------------------


@pytest.mark.usefixtures("in_repo_cache")
def test_a_symlinked_runs_folder_never_loses_the_victim_files(run_cli, tmp_path):
    repo = _repo(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    names = [f"{i:040x}.json" for i in range(20)] + ["notes.txt"]
    for name in names:
        (victim / name).write_text("precious")
    _codes(run_cli, repo)  # a real cache, then the attack
    runs = repo / ".orglint_cache" / "runs"
    for old in runs.iterdir():
        old.unlink()
    runs.rmdir()
    runs.symlink_to(os.path.relpath(victim, runs.parent))
    for fmt in ("json", "text", "github", "gitlab", "junit", "sarif", "json"):
        run_cli("check", "team.yaml", "--output-format", fmt, cwd=repo)
    assert sorted(p.name for p in victim.iterdir()) == sorted(names)
    assert all(p.read_text() == "precious" for p in victim.iterdir())
    assert runs.is_symlink()


@pytest.mark.usefixtures("in_repo_cache")
def test_a_link_in_place_of_a_cache_file_is_left_as_it_is(run_cli, tmp_path):
    # Spec 6.1: orglint "never replaces a file that is not a regular file".  A link
    # a committed cache holds under one of orglint's names was renamed over.
    repo = _repo(tmp_path)
    victim = tmp_path / "victim.json"
    victim.write_text("precious")
    _codes(run_cli, repo)  # a real cache, then the attack
    cache = repo / ".orglint_cache"
    links = []
    for path in sorted(cache.rglob("*")):
        if path.is_file() and path.name not in ("CACHEDIR.TAG", ".gitignore"):
            path.unlink()
            path.symlink_to(victim)
            links.append(path)
    assert links
    (repo / "team.yaml").write_text((repo / "team.yaml").read_text() + "# edited\n")
    for fmt in ("json", "text", "json"):
        run_cli("check", "team.yaml", "--output-format", fmt, cwd=repo)
    assert all(path.is_symlink() for path in links), [p for p in links if not p.is_symlink()]
    assert victim.read_text() == "precious"


@pytest.mark.usefixtures("in_repo_cache")
def test_a_dangling_gitignore_symlink_creates_nothing_where_it_points(run_cli, tmp_path):
    repo = _repo(tmp_path)
    target = tmp_path / "created-by-orglint"
    folder = repo / ".orglint_cache"
    folder.mkdir()
    (folder / ".gitignore").symlink_to(target)
    assert _codes(run_cli, repo) == ["ORG004"]
    assert not target.exists() and not target.is_symlink()
    # The same with the folder marked as orglint's: the .gitignore is created with
    # O_EXCL, which fails on any existing name, a dangling link included.
    assert cache.clean(folder).refused
    tagged = tmp_path / "tagged"
    tagged.mkdir()
    (tagged / "CACHEDIR.TAG").write_bytes(cache.TAG_TEXT)
    (tagged / ".gitignore").symlink_to(target)
    assert cache.CacheDir.open(tagged) is not None
    assert not target.exists()


def test_clean_of_a_folder_orglint_did_not_create_deletes_nothing(run_cli, tmp_path,
                                                                  monkeypatch):
    home = tmp_path / "home"
    (home / "runs").mkdir(parents=True)
    (home / "notes.txt").write_text("mine")
    (home / "runs" / ("0" * 40)).write_text("mine too")
    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(home))
    result = run_cli("clean", "--no-config")
    assert result.code == 2
    assert "not a cache orglint created" in result.err and "nothing removed" in result.err
    assert (home / "notes.txt").read_text() == "mine"
    assert (home / "runs" / ("0" * 40)).read_text() == "mine too"
    # Nor does a check turn it into one.
    run_cli("check", "--no-config", "-", stdin=BAD_TEAM.encode())
    assert sorted(p.name for p in home.rglob("*")) == ["0" * 40, "notes.txt", "runs"]


def test_clean_removes_only_what_orglint_wrote_and_follows_no_link(run_cli, tmp_path):
    (tmp_path / "team.yaml").write_text(BAD_TEAM)
    run_cli("check", "--no-config", "team.yaml")
    folder = tmp_path / ".cache"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "pack.json").write_text("precious")
    results = next(folder.glob("v3-*"))
    (results / "pack").unlink(missing_ok=True)
    (results / "pack").symlink_to(victim / "pack.json")
    (folder / "index-link").symlink_to(victim, target_is_directory=True)
    (folder / "mine.txt").write_text("user file")
    result = run_cli("clean", "--no-config")
    assert result.code == 0, result.err
    assert "kept 3" in result.out
    assert (victim / "pack.json").read_text() == "precious"
    assert (folder / "mine.txt").read_text() == "user file"
    assert not (folder / "CACHEDIR.TAG").exists() and not list(folder.glob("runs/*"))


@pytest.mark.parametrize("kind", ["symlink", "file", "fifo", "foreign"])
def test_an_unusable_cache_folder_means_an_uncached_run_with_a_warning(
        run_cli, tmp_path, monkeypatch, kind):
    (tmp_path / "team.yaml").write_text(BAD_TEAM)
    folder = tmp_path / ".cache"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if kind == "symlink":
        folder.symlink_to(elsewhere, target_is_directory=True)
    elif kind == "file":
        folder.write_text("not a folder")
    elif kind == "fifo":
        os.mkfifo(folder)
    else:
        folder.mkdir()
        _give_away(folder)
    errors = []
    for _ in range(2):
        result = run_cli("check", "--no-config", "team.yaml", "--output-format", "json",
                         "--select", "ORG004")
        assert result.code == 1 and "internal error" not in result.err
        assert [f["code"] for f in json.loads(result.out)["findings"]] == ["ORG004"]
        errors.append(result.err)
    assert f"cache folder {folder} " in errors[0] and "running without the cache" in errors[0]
    assert list(elsewhere.iterdir()) == []
    if kind == "foreign":
        assert list(folder.iterdir()) == []
    cleaned = run_cli("clean", "--no-config")
    assert cleaned.code == 2 and "not removing" in cleaned.err


def test_the_warning_names_the_cache_folder_and_why(tmp_path, capsys):
    folder = tmp_path / "c"
    folder.write_text("x")
    assert cache.CacheDir.open(folder) is None
    assert f"cache folder {folder} is not a folder; running without the cache" in \
        capsys.readouterr().err


def test_an_unwritable_cache_runs_uncached_quietly(run_cli, tmp_path, monkeypatch):
    (tmp_path / "team.yaml").write_text(BAD_TEAM)
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    result = run_cli("check", "--no-config", "team.yaml")
    assert result.code == 1 and result.err == ""


def test_a_deleted_working_folder_is_a_clear_error(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    old = Path.cwd()
    out, err = io.StringIO(), io.StringIO()
    os.chdir(gone)
    try:
        gone.rmdir()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["check", "team.yaml"])
    finally:
        os.chdir(old)
    assert code == 2
    assert err.getvalue().startswith("orglint: error: cannot use the current folder")


# -- discovery --------------------------------------------------------------------------


def test_discovery_stops_at_the_repository_root(run_cli, tmp_path):
    (tmp_path / ".orglint.yaml").write_text("ignore: [ALL]\n")  # above the clone
    repo = _repo(tmp_path)
    (repo / "sub").mkdir()
    (repo / "sub" / "team.yaml").write_text(BAD_TEAM)
    assert _codes(run_cli, repo) == ["ORG004"]
    result = run_cli("check", "team.yaml", "--show-settings", cwd=repo / "sub")
    assert json.loads(result.out)["config-file"]["value"] is None
    (repo / ".git").rmdir()
    (repo / ".git").write_text("gitdir: elsewhere\n")  # a worktree: .git is a file
    assert _codes(run_cli, repo) == ["ORG004"]


@pytest.mark.parametrize("name", [".orglint.yaml", "pyproject.toml"])
def test_another_users_configuration_in_a_shared_folder_is_ignored(run_cli, tmp_path, name):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # like /tmp
    config = shared / name
    config.write_text("ignore: [ALL]\n" if name == ".orglint.yaml"
                      else "[tool.orglint]\nignore = ['ALL']\n")
    _give_away(config)
    work = shared / "work"
    work.mkdir()
    (work / "team.yaml").write_text(BAD_TEAM)
    result = run_cli("check", "team.yaml", cwd=work)
    assert result.code == 1 and "ORG004" in result.out
    assert re.search(rf"warning: ignoring {re.escape(str(config))}: it belongs to another"
                     " user", result.err)
    # Named on the command line, it is the user's choice.
    assert run_cli("check", "team.yaml", "--config", str(config), cwd=work).code == 0
    # In a folder only its owner can write, another user's file is used.
    os.chmod(shared, 0o755)
    assert run_cli("check", "team.yaml", cwd=work).code == 0


def test_the_uid_check_is_the_one_orglint_uses(tmp_path, monkeypatch):
    # Played the other way round: the files are the runner's, orglint runs as another.
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / ".orglint.yaml").write_text("ignore: [ALL]\n")
    os.chmod(folder, 0o777)
    monkeypatch.setattr(trust, "euid", lambda: 4242)
    assert trust.foreign(folder / ".orglint.yaml")
    os.chmod(folder, 0o755)
    assert not trust.foreign(folder / ".orglint.yaml")


# -- fuzz -------------------------------------------------------------------------------

GOOD_TEAM = BAD_TEAM.replace("data-scientst", "data-scientist").replace("name: a", "name: b")
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=25)
config_keys = st.sampled_from(["paths", "exclude", "select", "ignore", "extend-select",
                               "severity", "per-file-ignores", "cache", "fail-on",
                               "max-file-size", "max-depth", "rules", "matrix", "bogus"])
configs = st.one_of(
    st.none(),
    st.binary(max_size=60),
    st.dictionaries(config_keys, json_values, max_size=4).map(
        lambda d: json.dumps(d).encode()),
    st.sampled_from([b"select: [ORG0]\n", b"paths: ['*.yaml']\n", b"cache: false\n",
                     b"ignore: [ALL]\n", b"paths: ['../*.yaml']\n"]))
damage = st.lists(st.tuples(
    st.integers(0, 50),  # which cache file
    st.sampled_from(["bytes", "json", "foreign-key", "old-version", "keyed-json"]),
    st.one_of(st.binary(max_size=40), json_values.map(lambda v: json.dumps(v).encode()))),
    min_size=1, max_size=4)


def _cli(cwd: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["check", "--output-format", "json", *args])
    finally:
        os.chdir(old)
    assert code in (0, 1, 2), err.getvalue()
    assert "internal error" not in err.getvalue() and "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def _spoil(path: Path, how: str, blob: bytes) -> None:
    raw = path.read_bytes()
    head = raw.partition(b"\n")[0].split(b" ")
    layout = head[2].decode("latin-1") if len(head) == 4 else "report"
    key = cache.secret()
    assert key is not None
    try:
        data = json.loads(blob if how == "keyed-json" else raw.partition(b"\n")[2])
        json.dumps(data, allow_nan=False)  # b"Infinity" loads, but no cache file holds it
    except ValueError:
        data = blob.decode("latin-1")
    if how == "bytes":
        path.write_bytes(blob)
    elif how == "json":  # the genuine header over other data
        path.write_bytes(raw.partition(b"\n")[0] + b"\n" + blob)
    elif how == "foreign-key":
        path.write_bytes(cache.frame(b"f" * 32, layout, data))
    elif how == "old-version":
        path.write_bytes(raw.replace(b"orglint-cache 3", b"orglint-cache 4", 1))
    else:  # well signed, but of any shape: must be checked, not trusted to be ours
        where = path.relative_to(os.environ["ORGLINT_CACHE_DIR"]).as_posix()
        path.write_bytes(cache.frame(key, layout, data, where))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs, spoils=damage)
def test_random_caches_and_configurations_never_crash_a_run(config, spoils):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        (root / "a.yaml").write_text(BAD_TEAM)
        (root / "b.yaml").write_text(GOOD_TEAM)
        if config is not None:
            (root / ".orglint.yaml").write_bytes(config)
        os.environ["ORGLINT_CACHE_DIR"] = str(root / "cache")
        try:
            fresh = _cli(root, "--no-cache", "a.yaml")
            assert _cli(root, "a.yaml")[:2] == fresh[:2]
            files = sorted(p for p in (root / "cache").rglob("*.json"))
            signed = False
            for index, how, blob in spoils:
                if files:
                    _spoil(files[index % len(files)], how, blob)
                    signed = signed or how == "keyed-json"
            again = _cli(root, "a.yaml")
            if not signed:  # only this user's own key can make a file be believed
                assert again[:2] == fresh[:2]
            assert _cli(root, "a.yaml")[0] in (0, 1, 2)
        finally:
            os.environ.pop("ORGLINT_CACHE_DIR", None)


def _encoded_result() -> list[object]:
    from orglint.engine import Job, check_bytes
    from orglint.fileresult import encode
    from orglint.loader import Limits
    from orglint.matrix import load_matrix
    from orglint.rules import RULES

    text = BAD_TEAM.replace("    - {id: kim", "    # orglint: ignore[ORG004] until=2030-01-01\n"
                            "    - {id: kim") + "# orglint: ignore-file[ORG1]\n"
    job = Job(load_matrix(), [r() for r in RULES if r.scope == "team"], Limits(), {})
    return encode(check_bytes("a.yaml", text.encode(), job))


ENCODED = _encoded_result()


def _leaves(value: object, path: tuple[int | str, ...] = ()) -> list[tuple[int | str, ...]]:
    if isinstance(value, list):
        return [path] + [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    if isinstance(value, dict):
        return [path] + [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    return [path]


@settings(max_examples=200, deadline=None)
@given(where=st.integers(0, 10_000), value=json_values)
def test_a_result_read_back_is_rebuilt_or_refused_never_half_trusted(where, value):
    import copy

    from orglint.fileresult import FileResult, decode

    data = copy.deepcopy(ENCODED)
    paths = _leaves(data)
    path = paths[where % len(paths)]
    if not path:
        data = value
    else:
        parent: object = data
        for step in path[:-1]:
            parent = parent[step]  # type: ignore[index]
        parent[path[-1]] = value  # type: ignore[index]
    try:
        result = decode(json.loads(json.dumps(data)))
    except ValueError:
        return
    assert isinstance(result, FileResult)
    for finding in result.findings:
        finding.sort_key()
        finding.to_dict()
    for directive in result.directives:
        assert all(isinstance(c, str) for c in directive.codes)
        assert isinstance(directive.line, int) and isinstance(directive.target, int)


def test_a_cache_file_of_another_user_is_not_believed(tmp_path):
    store = cache.CacheDir.open(tmp_path / "c")
    assert store is not None and store.write(("runs", "r.json"), "report", ["t", 0, "s"])
    _give_away(tmp_path / "c" / "runs" / "r.json")
    assert store.read(("runs", "r.json"), "report") is None
    os.chown(tmp_path / "c" / "runs" / "r.json", os.getuid(), os.getgid())
    _give_away(tmp_path / "c" / "runs")  # nor through their folder
    assert store.read(("runs", "r.json"), "report") is None


def test_clean_keeps_a_gitignore_orglint_did_not_write(tmp_path):
    folder = tmp_path / "c"
    assert cache.CacheDir.open(folder) is not None
    (folder / ".gitignore").write_text("node_modules/\n")
    done = cache.clean(folder)
    assert not done.refused and "kept 1" in done.message
    assert (folder / ".gitignore").read_text() == "node_modules/\n"
    assert not (folder / "CACHEDIR.TAG").exists()


@pytest.mark.parametrize("spoil", ["readable", "symlink", "short"])
def test_a_secret_others_could_read_or_swap_is_not_used(run_cli, tmp_path, monkeypatch, spoil):
    home = tmp_path / "xdg"
    (home / "orglint").mkdir(parents=True)
    secret = home / "orglint" / "secret"
    if spoil == "symlink":
        (tmp_path / "known").write_bytes(b"k" * 32)
        secret.symlink_to(tmp_path / "known")
    else:
        secret.write_bytes(b"k" * (32 if spoil == "readable" else 8))
        os.chmod(secret, 0o644 if spoil == "readable" else 0o600)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    (tmp_path / "team.yaml").write_text(BAD_TEAM)
    result = run_cli("check", "--no-config", "team.yaml", "--select", "ORG004")
    assert result.code == 1 and "ORG004" in result.out
    assert not (tmp_path / ".cache").exists()  # no key of its own: no cache at all


def test_the_secret_is_made_private_on_first_use(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    key = cache.secret()
    path = tmp_path / "xdg" / "orglint" / "secret"
    assert key is not None and len(key) == 32 and path.read_bytes() == key
    assert path.stat().st_mode & 0o077 == 0
    assert cache.secret() == key


def _replace(path: Path, how: str, victim: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
    else:
        path.unlink()
    if how == "link":
        # A report or an index linked to the victim's file, a pack to its folder.
        to_file = path.suffix == ".json" or path.parent.name == "runs"
        path.symlink_to(os.path.relpath(victim / "keep" if to_file else victim, path.parent))
    elif how == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
        (path / "inside").write_text("not orglint's")


@pytest.mark.usefixtures("in_repo_cache")
@pytest.mark.parametrize("how", ["link", "fifo", "folder"])
@pytest.mark.parametrize("which", ["v3-*", "index", "v3-*/pack",
                                   "index/stat-index.json", "runs/*", "CACHEDIR.TAG",
                                   ".gitignore"])
def test_any_cache_entry_swapped_for_a_link_a_fifo_or_a_folder_does_no_harm(
        run_cli, tmp_path, how, which):
    # The committed cache with one entry, at any level, replaced: the victim folder
    # keeps its files, nothing blocks on a FIFO, and the findings are the true ones.
    repo = _repo(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep").write_text("precious")
    _codes(run_cli, repo)
    target = next((repo / ".orglint_cache").glob(which))
    _replace(target, how, victim)
    with no_hang():
        for _ in range(2):  # the run that repairs, and the one after
            assert _codes(run_cli, repo) == ["ORG004"]
        cleaned = run_cli("clean", cwd=repo)
    assert cleaned.code in (0, 2) and "Traceback" not in cleaned.err
    assert "internal error" not in cleaned.err
    assert [p.name for p in victim.iterdir()] == ["keep"]
    assert (victim / "keep").read_text() == "precious"


@pytest.mark.parametrize("kind", ["fifo", "folder", "device-link", "dangling-link"])
def test_a_configuration_that_is_no_regular_file_blocks_and_hides_nothing(run_cli, tmp_path,
                                                                         kind):
    repo = _repo(tmp_path)
    config = repo / ".orglint.yaml"
    if kind == "fifo":
        os.mkfifo(config)
    elif kind == "folder":
        config.mkdir()
        (config / "x").write_text("ignore: [ALL]\n")
    else:
        config.symlink_to("/dev/zero" if kind == "device-link" else tmp_path / "gone")
    with no_hang():
        assert _codes(run_cli, repo) == ["ORG004"]
        named = run_cli("check", "team.yaml", "--config", ".orglint.yaml", cwd=repo)
    assert named.code == 2 and named.err.startswith("orglint: error: ")


def test_a_configuration_linked_to_a_system_file_is_a_clear_error(run_cli, tmp_path):
    repo = _repo(tmp_path)
    (repo / ".orglint.yaml").symlink_to("/etc/passwd")
    result = run_cli("check", "team.yaml", cwd=repo)
    assert result.code == 2
    assert result.err.startswith(f"orglint: error: {repo / '.orglint.yaml'}: a symbolic"
                                 " link to a file outside the repository")
    assert result.err.count("\n") == 1 and "root:" not in result.err
