"""Writes to user files (spec §6.1): each attack of issue 11 on --fix, --write-baseline
and --output-file, reproduced, and shown to do no harm."""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest

from tests.conftest import REPO, no_hang

FIXES = REPO / "tests" / "fixes"
FLOW = (FIXES / "flow.yaml").read_bytes()
FLOW_FIXED = (FIXES / "flow.fixed.yaml").read_bytes()
# Two members swapped: the same findings, at other members.
SWAPPED = FLOW.replace(b"{id: ed, name: Ed, title: Data Scientist, owns: [model-design]}",
                       b"{id: fi, name: Fi, role: ml-engineer}").replace(
                       b"{id: fi, name: Fi, role: SRE}", b"{id: ed, name: Ed, role: SRE}")


@pytest.fixture
def flow(tmp_path):
    target = tmp_path / "flow.yaml"
    target.write_bytes(FLOW)
    return target


def _open_fifo(path):
    """A FIFO with a reader already open: a writer would not block, so a test that
    wrongly writes to it fails instead of hanging."""
    os.mkfifo(path)
    return os.open(path, os.O_RDONLY | os.O_NONBLOCK)


# -- --fix -------------------------------------------------------------------------------


def test_fix_refuses_a_symlinked_team_file_and_leaves_link_and_target(run_cli, tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "flow.yaml"
    target.write_bytes(FLOW)
    (tmp_path / "link.yaml").symlink_to("real/flow.yaml")
    result = run_cli("check", "--no-config", "link.yaml", "--fix")
    assert (f"link.yaml: not fixed: it is a symbolic link; fix the target {target} instead"
            in result.err)
    assert (tmp_path / "link.yaml").is_symlink()
    assert target.read_bytes() == FLOW
    assert result.code == 1


def test_fix_refuses_a_hard_linked_file_and_keeps_the_link(run_cli, tmp_path, flow):
    os.link(flow, tmp_path / "other.yaml")
    result = run_cli("check", "--no-config", "flow.yaml", "--fix")
    assert "flow.yaml: not fixed: it has 2 hard links, and replacing it would break them" \
        in result.err
    assert os.stat(flow).st_ino == os.stat(tmp_path / "other.yaml").st_ino
    assert flow.read_bytes() == FLOW


def test_fix_refuses_a_read_only_file(run_cli, flow):
    os.chmod(flow, 0o444)
    result = run_cli("check", "--no-config", "flow.yaml", "--fix")
    assert "flow.yaml: not fixed: it is read-only" in result.err
    assert flow.read_bytes() == FLOW
    assert stat.S_IMODE(os.stat(flow).st_mode) == 0o444


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_fix_keeps_the_owner(run_cli, flow):
    os.chown(flow, 65534, 65534)
    run_cli("check", "--no-config", "flow.yaml", "--fix")
    assert flow.read_bytes() == FLOW_FIXED
    info = os.stat(flow)
    assert (info.st_uid, info.st_gid) == (65534, 65534)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_fix_refuses_when_the_owner_cannot_be_kept(run_cli, tmp_path, flow, monkeypatch):
    import orglint.fsutil

    os.chown(flow, 65534, 65534)

    def denied(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(orglint.fsutil.os, "fchown", denied)
    result = run_cli("check", "--no-config", "flow.yaml", "--fix")
    assert ("flow.yaml: not fixed: it belongs to uid 65534 gid 65534, and orglint cannot"
            " give the new file that owner") in result.err
    assert flow.read_bytes() == FLOW
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["flow.yaml"]


def _outside_project(tmp_path):
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "flow.yaml").write_bytes(FLOW)
    return project, outside


def test_fix_never_rewrites_a_file_a_glob_reaches_outside_the_project(run_cli, tmp_path):
    project, outside = _outside_project(tmp_path)
    (project / ".orglint.yaml").write_text('paths: ["../outside/*.yaml"]\n')
    # Named with --config: a discovered one may not reach outside at all (test_links.py).
    result = run_cli("check", "--fix", "--config", ".orglint.yaml", cwd=project)
    assert "flow.yaml: not fixed: it is outside the project" in result.err
    assert (outside / "flow.yaml").read_bytes() == FLOW
    # Named on the command line, it is the user's choice.
    run_cli("check", "--fix", "--config", ".orglint.yaml", "../outside/flow.yaml", cwd=project)
    assert (outside / "flow.yaml").read_bytes() == FLOW_FIXED


def test_fix_never_rewrites_through_a_folder_link_that_leaves_the_project(run_cli, tmp_path):
    project, outside = _outside_project(tmp_path)
    (project / "teams").symlink_to(outside)
    (project / ".orglint.yaml").write_text('paths: ["teams/*.yaml", "*.yaml"]\n')
    (project / "own.yaml").write_bytes(FLOW)
    result = run_cli("check", "--fix", "-v", cwd=project)
    # Not even read (spec §6.1, test_links.py), so never a candidate for a fix.
    assert ("teams/flow.yaml: skipped: in a symbolic link to a folder outside the"
            " repository: not read" in result.out)
    assert (outside / "flow.yaml").read_bytes() == FLOW
    assert (project / "own.yaml").read_bytes() == FLOW_FIXED


def test_fix_never_rewrites_through_a_named_folder_that_is_a_committed_link(run_cli,
                                                                             tmp_path):
    # An autofix bot runs `orglint check --fix teams/`; the pull request commits
    # teams -> ../outside.  Named, the folder counts as the project: its link does not.
    project, outside = _outside_project(tmp_path)
    (project / "teams").symlink_to(outside)
    result = run_cli("check", "--fix", "--no-config", "teams/", cwd=project)
    assert (f"teams/flow.yaml: not fixed: its folder {project / 'teams'} is a symbolic"
            " link") in result.err
    assert (outside / "flow.yaml").read_bytes() == FLOW


def test_an_absolute_output_path_from_a_subfolder_is_checked_from_the_repository(
        run_cli, tmp_path):
    # The Action's working-directory is a subfolder; the workflow names
    # $GITHUB_WORKSPACE/reports/x.json, and the pull request commits reports -> ../victim.
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    (repo / "sub" / "flow.yaml").write_bytes(FLOW)
    (tmp_path / "victim").mkdir()
    (repo / "reports").symlink_to("../victim")
    target = repo / "reports" / "x.json"
    result = run_cli("check", "--no-config", "flow.yaml", "--output-file", str(target),
                     cwd=repo / "sub")
    assert result.code == 2
    assert f"its folder {repo / 'reports'} is a symbolic link" in result.err
    assert not list((tmp_path / "victim").iterdir())


def test_fix_of_standard_input_goes_to_standard_output_never_to_disk(run_cli, tmp_path):
    (tmp_path / "teams").mkdir()
    on_disk = tmp_path / "teams" / "flow.yaml"
    on_disk.write_bytes(SWAPPED)
    (tmp_path / ".orglint.yaml").write_text('paths: ["teams/*.yaml"]\n')
    result = run_cli("check", "-", "--stdin-filename", "teams/flow.yaml", "--fix",
                     stdin=FLOW)
    assert result.out == FLOW_FIXED.decode()
    assert on_disk.read_bytes() == SWAPPED
    # The report (on stderr) is about the text given, not the file of that name.
    assert "Fixed 1 finding. Wrote 1 role inferred from titles." in result.err
    diff = run_cli("check", "-", "--stdin-filename", "teams/flow.yaml", "--diff", stdin=FLOW)
    assert diff.code == 1
    assert diff.out.startswith("--- a/teams/flow.yaml\n+++ b/teams/flow.yaml\n")
    assert "+  members: [{id: ed, name: Ed, title: Data Scientist, role: data-scientist" \
        in diff.out
    assert on_disk.read_bytes() == SWAPPED


def test_standard_input_is_reported_instead_of_the_file_it_names(run_cli, tmp_path):
    # A regression guard for the fix above: findings, like fixes, are the text's.
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "flow.yaml").write_bytes(SWAPPED)
    (tmp_path / ".orglint.yaml").write_text('paths: ["teams/*.yaml"]\n')
    result = run_cli("check", "-", "--stdin-filename", "teams/flow.yaml",
                     "--output-format", "json", stdin=FLOW)
    entities = sorted(f["entity"] for f in json.loads(result.out)["findings"]
                      if f["code"] == "ORG004")
    assert entities == ["fi"]  # in the text given; on disk it is ed


def test_fix_of_standard_input_with_nothing_to_fix_echoes_it(run_cli, tmp_path):
    result = run_cli("check", "--no-config", "-", "--fix", stdin=FLOW_FIXED)
    assert result.out == FLOW_FIXED.decode()
    assert result.err.endswith("Found 0 errors, 0 warnings, 1 info in 1 file.\n")
    assert result.code == 0


def test_fix_of_standard_input_with_other_paths_is_a_usage_error(run_cli, flow):
    result = run_cli("check", "--no-config", "-", "flow.yaml", "--fix", stdin=FLOW)
    assert result.code == 2
    assert "name no other path with '-'" in result.err
    assert flow.read_bytes() == FLOW


def test_fix_skips_a_file_changed_after_it_was_checked(run_cli, flow, monkeypatch):
    import orglint.engine

    real_run = orglint.engine.run
    calls = []

    def run_then_reorder(*args, **kwargs):
        result = real_run(*args, **kwargs)
        if not calls:  # another process reorders the members while orglint runs
            flow.write_bytes(SWAPPED)
        calls.append(1)
        return result

    monkeypatch.setattr(orglint.engine, "run", run_then_reorder)
    result = run_cli("check", "--no-config", "flow.yaml", "--fix")
    assert "flow.yaml: not fixed: it changed while orglint ran; run again" in result.err
    assert flow.read_bytes() == SWAPPED


def test_fix_never_opens_a_team_file_swapped_for_a_fifo(run_cli, tmp_path, flow,
                                                      monkeypatch):
    import orglint.engine

    real_run = orglint.engine.run
    readers = []

    def run_then_swap(*args, **kwargs):
        result = real_run(*args, **kwargs)
        if not readers:
            flow.unlink()
            readers.append(_open_fifo(flow))
        return result

    monkeypatch.setattr(orglint.engine, "run", run_then_swap)
    try:
        with no_hang():
            result = run_cli("check", "--no-config", "flow.yaml", "--fix")
        assert "flow.yaml: not fixed: it is a FIFO, not a regular file" in result.err
        assert stat.S_ISFIFO(os.lstat(flow).st_mode)
        assert os.read(readers[0], 100) == b""
    finally:
        os.close(readers[0])


def test_fix_skips_a_file_changed_between_the_plan_and_the_write(run_cli, flow, monkeypatch):
    import orglint.fixrun

    real_plan = orglint.fixrun.plan_file

    def plan_then_reorder(*args, **kwargs):
        planned = real_plan(*args, **kwargs)
        flow.write_bytes(SWAPPED)
        return planned

    monkeypatch.setattr(orglint.fixrun, "plan_file", plan_then_reorder)
    result = run_cli("check", "--no-config", "flow.yaml", "--fix")
    assert "flow.yaml: not fixed: it changed while orglint ran; run again" in result.err
    assert flow.read_bytes() == SWAPPED


def test_fix_writes_no_role_inferred_from_a_people_files_title(run_cli, tmp_path):
    # The title lives in the People file: pinned into the team as `role:`, the next
    # change of that title (a promotion into another role) would be a false ORG101.
    (tmp_path / ".orglint.yaml").write_text("paths: [people.yaml]\n")
    (tmp_path / "people.yaml").write_text(
        "apiVersion: orglint/v1\nkind: People\nspec:\n  people:\n"
        "    - {id: tom, name: Tom, title: ML Platform Engineer}\n")
    team = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
            "  maturity: pilot\n  members:\n    - {id: tom}\n"
            "    - {id: kai, name: Kai, title: Data Scientist}\n")
    (tmp_path / "t.yaml").write_text(team)
    result = run_cli("check", "--fix", "t.yaml")
    assert "Wrote 1 role inferred from titles." in result.out
    assert (tmp_path / "t.yaml").read_text() == team.replace(
        "title: Data Scientist}", "title: Data Scientist, role: data-scientist}")


def test_fix_counts_inferred_roles_apart_from_fixed_findings(run_cli, flow):
    result = run_cli("check", "--no-config", "flow.yaml", "--fix")
    assert "Fixed 1 finding. Wrote 1 role inferred from titles." in result.out
    assert flow.read_bytes() == FLOW_FIXED
    flow.write_bytes(FLOW)
    data = json.loads(run_cli("check", "--no-config", "flow.yaml", "--fix",
                              "--output-format", "json").out)
    assert (data["summary"]["fixed"], data["summary"]["roles_written"]) == (1, 1)


def test_diff_with_exit_zero_exits_0(run_cli, flow):
    result = run_cli("check", "--no-config", "flow.yaml", "--diff", "--exit-zero")
    assert result.code == 0
    assert result.out.startswith("--- a/flow.yaml")
    assert flow.read_bytes() == FLOW


# -- --write-baseline and --output-file ---------------------------------------------------


@pytest.mark.parametrize("flag", ["--write-baseline", "--output-file"])
def test_output_refuses_a_fifo_without_writing_to_it(run_cli, tmp_path, flow, flag):
    reader = _open_fifo(tmp_path / "out")
    try:
        with no_hang():
            result = run_cli("check", "--no-config", "flow.yaml", flag, "out")
        assert result.code == 2
        assert f"{flag} out: will not replace it: it is a FIFO, not a regular file" \
            in result.err
        assert stat.S_ISFIFO(os.lstat(tmp_path / "out").st_mode)
        assert os.read(reader, 100) == b""
    finally:
        os.close(reader)


@pytest.mark.parametrize("flag", ["--write-baseline", "--output-file"])
def test_output_refuses_a_symlink_to_a_device(run_cli, tmp_path, flow, flag):
    (tmp_path / "out").symlink_to("/dev/null")
    result = run_cli("check", "--no-config", "flow.yaml", flag, "out")
    assert result.code == 2
    assert ("will not replace it: it is a symbolic link (to /dev/null); orglint never writes"
            " through one") in result.err
    assert os.readlink(tmp_path / "out") == "/dev/null"


@pytest.mark.parametrize("flag", ["--write-baseline", "--output-file"])
def test_output_refuses_a_device_node(run_cli, tmp_path, flow, flag):
    try:
        os.mknod(tmp_path / "out", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (OSError, AttributeError):
        pytest.skip("cannot create a device node here")
    result = run_cli("check", "--no-config", "flow.yaml", flag, "out")
    assert result.code == 2
    assert "will not replace it: it is a device, not a regular file" in result.err
    assert stat.S_ISCHR(os.lstat(tmp_path / "out").st_mode)


@pytest.mark.parametrize("flag", ["--write-baseline", "--output-file"])
def test_output_refuses_a_folder_and_a_socket(run_cli, tmp_path, flow, flag):
    import socket

    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "keep").write_text("x")
    result = run_cli("check", "--no-config", "flow.yaml", flag, "dir")
    assert result.code == 2
    assert "will not replace it: it is a folder, not a regular file" in result.err
    assert (tmp_path / "dir" / "keep").read_text() == "x"
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.bind(str(tmp_path / "s"))
        except OSError:
            pytest.skip("cannot bind a socket here")
        result = run_cli("check", "--no-config", "flow.yaml", flag, "s")
        assert result.code == 2
        assert "will not replace it: it is a socket, not a regular file" in result.err
        assert stat.S_ISSOCK(os.lstat(tmp_path / "s").st_mode)


@pytest.mark.parametrize("flag", ["--write-baseline", "--output-file"])
def test_output_refuses_a_symlink_to_a_file(run_cli, tmp_path, flow, flag):
    (tmp_path / "victim.txt").write_text("keep me\n")
    (tmp_path / "out").symlink_to("victim.txt")
    result = run_cli("check", "--no-config", "flow.yaml", flag, "out")
    assert result.code == 2
    assert (tmp_path / "out").is_symlink()
    assert (tmp_path / "victim.txt").read_text() == "keep me\n"


@pytest.mark.parametrize("flag", ["--write-baseline", "--output-file"])
@pytest.mark.parametrize("depth", ["reports", "reports/sub"])
def test_output_never_writes_through_a_committed_folder_link(run_cli, tmp_path, flow, flag,
                                                              depth):
    # CI names reports/orglint.sarif; the pull request commits reports -> ../victim.
    victim = tmp_path / "victim"
    (victim / "sub").mkdir(parents=True)
    (victim / "sub" / "out").write_text("precious")
    (tmp_path / "reports").symlink_to("victim")
    result = run_cli("check", "--no-config", "flow.yaml", flag, f"{depth}/out")
    assert result.code == 2
    assert (f"{flag} {depth}/out: will not write it: its folder {tmp_path / 'reports'} is a"
            " symbolic link") in result.err
    assert sorted(p.name for p in victim.rglob("*")) == ["out", "sub"]
    assert (victim / "sub" / "out").read_text() == "precious"


def test_outputs_refuse_a_folder_link_past_the_cli_guard(tmp_path):
    from orglint import baseline, fsutil
    from orglint.errors import ConfigError
    from tests.conftest import chdir

    (tmp_path / "victim").mkdir()
    (tmp_path / "reports").symlink_to("victim")
    (tmp_path / "real").mkdir()
    with chdir(tmp_path):
        with pytest.raises(ConfigError, match=r"its folder .* is a symbolic link"):
            baseline.write(tmp_path / "reports" / "b.json", [])
        assert fsutil.folder_link(tmp_path / "real" / "b.json") is None
        # Named from outside the current folder, the path is the user's own choice.
        assert fsutil.folder_link(tmp_path.parent / "b.json") is None
    assert list((tmp_path / "victim").iterdir()) == []


@pytest.mark.parametrize("flag", ["--write-baseline", "--output-file"])
def test_output_refuses_a_file_of_the_org(run_cli, flow, flag):
    result = run_cli("check", "--no-config", "flow.yaml", flag, "flow.yaml")
    assert result.code == 2
    assert f"{flag} flow.yaml: will not replace it: it is flow.yaml, one of the org's files" \
        in result.err
    assert flow.read_bytes() == FLOW


@pytest.mark.parametrize("flag", ["--write-baseline", "--output-file"])
def test_output_refuses_the_configuration_and_the_matrix(run_cli, tmp_path, flow, flag):
    config = "matrix: m.yaml\n"
    (tmp_path / ".orglint.yaml").write_text(config)
    matrix = (REPO / "rules" / "ai-platform.yaml").read_bytes()
    (tmp_path / "m.yaml").write_bytes(matrix)
    result = run_cli("check", "flow.yaml", flag, ".orglint.yaml")
    assert result.code == 2
    assert "will not replace it: it is the configuration file" in result.err
    result = run_cli("check", "flow.yaml", flag, "m.yaml")
    assert "will not replace it: it is the role matrix" in result.err
    assert (tmp_path / ".orglint.yaml").read_text() == config
    assert (tmp_path / "m.yaml").read_bytes() == matrix


def test_output_file_refuses_the_baseline_being_read(run_cli, tmp_path, flow):
    assert run_cli("check", "--no-config", "flow.yaml", "--write-baseline", "b.json").code == 0
    before = (tmp_path / "b.json").read_bytes()
    result = run_cli("check", "--no-config", "flow.yaml", "--baseline", "b.json",
                     "--output-file", "b.json")
    assert result.code == 2
    assert "it is the baseline given with --baseline" in result.err
    assert (tmp_path / "b.json").read_bytes() == before


def test_write_baseline_refuses_a_file_that_is_not_a_baseline(run_cli, tmp_path, flow):
    other = tmp_path / "package.json"
    other.write_text('{"name": "x"}\n')
    result = run_cli("check", "--no-config", "flow.yaml", "--write-baseline", "package.json")
    assert result.code == 2
    assert "it is not an orglint baseline" in result.err
    assert other.read_text() == '{"name": "x"}\n'


def test_write_baseline_replaces_a_baseline_or_an_empty_file(run_cli, tmp_path, flow):
    target = tmp_path / "b.json"
    target.write_text("")
    os.chmod(target, 0o640)
    assert run_cli("check", "--no-config", "flow.yaml", "--write-baseline", "b.json").code == 0
    first = json.loads(target.read_text())
    assert first["tool"] == "orglint" and first["entries"]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    flow.write_bytes(FLOW_FIXED)
    assert run_cli("check", "--no-config", "flow.yaml", "--write-baseline", "b.json").code == 0
    assert json.loads(target.read_text()) != first


def test_baseline_write_refuses_what_the_cli_guard_would(tmp_path):
    # The guard in baseline.write itself, for callers other than the CLI.
    from orglint import baseline
    from orglint.errors import ConfigError

    team = tmp_path / "team.yaml"
    team.write_bytes(FLOW)
    with pytest.raises(ConfigError, match="not an orglint baseline"):
        baseline.write(team, [])
    assert team.read_bytes() == FLOW


def test_output_file_dash_is_standard_output(run_cli, tmp_path, flow):
    result = run_cli("check", "--no-config", "flow.yaml", "--output-file", "-",
                     "--output-format", "json")
    assert json.loads(result.out)["summary"]["files"] == 1
    assert not (tmp_path / "-").exists()


def test_output_file_replaces_a_regular_file_keeping_its_mode(run_cli, tmp_path, flow):
    out = tmp_path / "report.txt"
    out.write_text("old\n")
    os.chmod(out, 0o600)
    run_cli("check", "--no-config", "flow.yaml", "--output-file", "report.txt")
    assert "flow.yaml:" in out.read_text()
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


# -- fsutil itself --------------------------------------------------------------------------


def test_replace_creates_a_new_file_with_the_umask_mode(tmp_path):
    from orglint import fsutil

    old = os.umask(0o027)
    try:
        fsutil.replace(tmp_path / "new.txt", b"data")
    finally:
        os.umask(old)
    assert (tmp_path / "new.txt").read_bytes() == b"data"
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o640


def test_replace_refuses_a_file_that_appears_meanwhile(tmp_path, monkeypatch):
    from orglint import fsutil

    real_fsync = os.fsync

    def fsync_then_plant_a_link(fd):
        real_fsync(fd)
        (tmp_path / "new.txt").symlink_to("/dev/null")

    monkeypatch.setattr(fsutil.os, "fsync", fsync_then_plant_a_link)
    with pytest.raises(fsutil.Refused, match="appeared while orglint ran"):
        fsutil.replace(tmp_path / "new.txt", b"data")
    monkeypatch.undo()
    assert (tmp_path / "new.txt").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.txt"]


def test_read_regular_never_opens_a_fifo_for_long(tmp_path):
    from orglint import fsutil

    reader = _open_fifo(tmp_path / "f")
    try:
        with no_hang(), pytest.raises(fsutil.Refused, match="a FIFO"):
            fsutil.read_regular(tmp_path / "f", 10)
    finally:
        os.close(reader)


def test_inside(tmp_path):
    from orglint.fsutil import inside

    (tmp_path / "p" / "sub").mkdir(parents=True)
    (tmp_path / "p" / "out").symlink_to(tmp_path)
    root = tmp_path / "p"
    assert inside(root / "sub" / "a.yaml", [root])
    assert not inside(tmp_path / "a.yaml", [root])
    assert not inside(root / "out" / "a.yaml", [root])
    assert inside(tmp_path / "a.yaml", [root, tmp_path / "a.yaml"])
    assert inside(root / ".." / "p" / "x.yaml", [root])


def test_unchanged_flow_fixture_still_fixes(run_cli, tmp_path):
    # The attacks above refuse; an ordinary file is still fixed in place.
    target = tmp_path / "ok.yaml"
    shutil.copyfile(FIXES / "flow.yaml", target)
    run_cli("check", "--no-config", "ok.yaml", "--fix")
    assert target.read_bytes() == FLOW_FIXED


def test_read_regular_never_reads_through_a_symlink(tmp_path):
    from orglint import fsutil

    (tmp_path / "secret").write_text("x")
    (tmp_path / "link").symlink_to("secret")
    with pytest.raises(fsutil.Refused, match="it is a symbolic link, not a regular file"):
        fsutil.read_regular(tmp_path / "link", 10)


@pytest.mark.parametrize("name", ["L" * 245 + ".yaml", "\u00e9" * 120 + ".yaml"])
def test_fix_writes_a_file_whose_name_is_as_long_as_names_go(run_cli, tmp_path, name):
    # The temporary name beside it must fit the same 255 bytes (found by the security
    # review: "not fixed: cannot write it: File name too long"), even cut inside a
    # character of more than one byte.
    team = tmp_path / name
    team.write_text("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
                    "  maturity: exploring\n  members:\n"
                    "    - {id: a, name: A, title: Data Engineer}\n")
    result = run_cli("check", "--no-config", "--no-cache", "--fix", str(team))
    assert "not fixed" not in result.err, result.err
    assert "role: data-engineer" in team.read_text()
    assert sorted(os.listdir(tmp_path)) == [name]  # no temporary left behind


def test_a_temporary_name_is_cut_at_a_character(tmp_path, monkeypatch):
    # Half of a UTF-8 sequence makes a name some file systems refuse (found by a review).
    from orglint import fsutil

    made: list[str] = []
    real = fsutil._temporary

    def spy(folder, name, mode):
        fd, tmp = real(folder, name, mode)
        made.append(tmp.name)
        return fd, tmp

    monkeypatch.setattr(fsutil, "_temporary", spy)
    target = tmp_path / ("\u00e9" * 125 + ".yaml")  # 255 bytes: a cut inside an é
    target.write_text("a: 1\n")
    fsutil.replace(target, b"a: 2\n")
    assert target.read_bytes() == b"a: 2\n"
    [tmp] = made
    encoded = os.fsencode(tmp)
    assert len(encoded) <= 255 and encoded.decode("utf-8").startswith("." + "\u00e9" * 116 + ".")


def test_a_role_written_into_a_duplicate_removed_is_not_counted(run_cli, tmp_path):
    # --unsafe-fixes removes a member listed twice; the role inferred for the copy went
    # with it, and the summary counted it anyway (found by review).
    (tmp_path / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n  maturity: pilot\n"
        "  members:\n    - {id: a, name: A, title: Machine Learning Engineer}\n"
        "    - {id: d, name: D, title: Data Scientist}\n"
        "    - {id: d, name: D, title: Data Scientist}\n")
    result = run_cli("check", "--no-config", "--no-cache", "t.yaml", "--unsafe-fixes", "--fix",
                     cwd=tmp_path)
    text = (tmp_path / "t.yaml").read_text()
    assert text.count("role:") == 2 and text.count("id: d") == 1, text
    assert "Wrote 2 roles inferred from titles." in result.out, result.out
