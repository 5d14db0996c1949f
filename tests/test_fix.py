"""--fix: golden files, idempotence, safety labels, atomic writes, and a property test."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO

FIXES = REPO / "tests" / "fixes"
CASES = sorted(p.stem for p in FIXES.glob("*.yaml") if not p.stem.endswith(".fixed"))


def _flags(case: str) -> list[str]:
    return ["--unsafe-fixes"] if case.startswith("unsafe") else ["--fix"]


@pytest.mark.parametrize("case", CASES)
def test_golden(run_cli, tmp_path, case):
    target = tmp_path / f"{case}.yaml"
    shutil.copyfile(FIXES / f"{case}.yaml", target)
    run_cli("check", "--no-config", target.name, *_flags(case))
    expected = (FIXES / f"{case}.fixed.yaml").read_bytes()
    assert target.read_bytes() == expected
    # A second run changes nothing, and --diff has nothing to show.
    run_cli("check", "--no-config", target.name, *_flags(case))
    assert target.read_bytes() == expected
    again = run_cli("check", "--no-config", target.name, "--diff", *_flags(case)[:1])
    assert again.code == 0 and again.out == ""


@pytest.mark.parametrize("case", CASES)
def test_every_comment_survives(case):
    from orglint.suppress import comments

    before = [c[2].strip() for c in comments((FIXES / f"{case}.yaml").read_text())]
    after = [c[2].strip() for c in comments((FIXES / f"{case}.fixed.yaml").read_text())]
    assert before == after


def test_safe_fix_leaves_unsafe_ones(run_cli, tmp_path):
    target = tmp_path / "u.yaml"
    shutil.copyfile(FIXES / "unsafe.yaml", target)
    result = run_cli("check", "--no-config", "u.yaml", "--fix")
    assert target.read_bytes() == (FIXES / "unsafe.yaml").read_bytes()
    assert result.code == 1
    diff = run_cli("check", "--no-config", "u.yaml", "--unsafe-fixes", "--diff")
    assert diff.code == 1
    assert "+  systems: [feature-store]" in diff.out
    assert target.read_bytes() == (FIXES / "unsafe.yaml").read_bytes()


def test_fix_reports_what_was_fixed_and_what_remains(run_cli, tmp_path):
    shutil.copyfile(FIXES / "unsafe.yaml", tmp_path / "u.yaml")
    result = run_cli("check", "--no-config", "u.yaml", "--unsafe-fixes", "-v")
    assert "u.yaml: fixed: replace 'featurestore' with 'feature-store'" in result.err
    assert "Fixed 5 findings." in result.out
    assert "ORG005" not in result.out


def test_diff_writes_nothing_and_exits_1(run_cli, tmp_path):
    target = tmp_path / "c.yaml"
    shutil.copyfile(FIXES / "comments-everywhere.yaml", target)
    result = run_cli("check", "--no-config", "c.yaml", "--diff")
    assert result.code == 1
    assert result.out.startswith("--- a/c.yaml\n+++ b/c.yaml\n")
    assert target.read_bytes() == (FIXES / "comments-everywhere.yaml").read_bytes()


def test_never_fixes_a_file_with_yaml_errors(run_cli, tmp_path):
    target = tmp_path / "d.yaml"
    text = (FIXES / "comments-everywhere.yaml").read_text().replace(
        "  maturity: pilot\n", "  maturity: pilot\n  maturity: pilot\n")
    target.write_text(text)
    result = run_cli("check", "--no-config", "d.yaml", "--fix")
    assert "not fixed: it has YAML errors" in result.err
    assert target.read_text() == text


def test_a_file_with_yaml_errors_promises_no_fix(run_cli, tmp_path):
    # --fix leaves it alone, so the report marks nothing [*] and counts nothing fixable.
    text = (FIXES / "comments-everywhere.yaml").read_text()
    (tmp_path / "d.yaml").write_text(text)
    assert "fixable with --fix" in run_cli("check", "--no-config", "d.yaml").out
    (tmp_path / "d.yaml").write_text(text.replace("  maturity: pilot\n",
                                                  "  maturity: pilot\n  maturity: pilot\n"))
    result = run_cli("check", "--no-config", "d.yaml")
    assert "ORG002" in result.out
    assert "[*]" not in result.out and "fixable" not in result.out
    assert "hidden fix" not in result.out


def test_refuses_what_ruamel_cannot_round_trip(run_cli, tmp_path):
    target = tmp_path / "a.yaml"
    text = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: a}\nspec:\n"
            "  maturity: pilot\n  members:\n    - &x {id: a, name: A, role: SRE}\n")
    target.write_text(text)
    result = run_cli("check", "--no-config", "a.yaml", "--fix")
    assert "a.yaml: not fixed: ruamel.yaml does not reproduce this file's layout" in result.err
    assert target.read_text() == text
    # What was just refused is not offered again in the same run's report.
    assert "[*]" not in result.out and "fixable with --fix" not in result.out, result.out
    assert "ORG004" in result.out


def test_mode_is_kept(run_cli, tmp_path):
    target = tmp_path / "m.yaml"
    shutil.copyfile(FIXES / "flow.yaml", target)
    os.chmod(target, 0o640)
    run_cli("check", "--no-config", "m.yaml", "--fix")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert target.read_bytes() == (FIXES / "flow.fixed.yaml").read_bytes()


def test_interrupted_write_leaves_the_original_whole(run_cli, tmp_path, monkeypatch):
    import orglint.fsutil

    target = tmp_path / "i.yaml"
    shutil.copyfile(FIXES / "flow.yaml", target)

    def interrupted(src, dst):  # the moment between the temporary file and the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(orglint.fsutil.os, "replace", interrupted)
    result = run_cli("check", "--no-config", "i.yaml", "--fix")
    assert result.code == 130
    assert target.read_bytes() == (FIXES / "flow.yaml").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["i.yaml"]


ALIASES = ["SRE", "MLOps", "ML Engineer", "Data Scientist", "Data Engineer", "ml-engineer"]
COMMENTS = st.sampled_from(["", "  # note", "  # owner: x", "   # 'quoted' # twice"])


@st.composite
def team_files(draw):
    lines = [f"# header{draw(COMMENTS)}", "apiVersion: orglint/v1", "kind: Team",
             "metadata:", "  name: t" + draw(COMMENTS), "spec:",
             "  maturity: pilot" + draw(COMMENTS), "  members:"]
    for i in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            lines.append(f"    # member {i}")
        lines.append(f"    - id: p{i}{draw(COMMENTS)}")
        lines.append(f"      name: P{i}")
        if draw(st.booleans()):
            lines.append(f"      role: {draw(st.sampled_from(ALIASES))}{draw(COMMENTS)}")
        else:
            lines.append(f"      title: Senior {draw(st.sampled_from(ALIASES[1:5]))}"
                         + draw(COMMENTS))
        lines.append(f"      owns: [{draw(st.sampled_from(['ci-runners', 'training-code']))}]")
    if draw(st.booleans()):
        lines.append("# trailing")
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(team_files())
def test_fix_keeps_comments_and_is_idempotent(run_cli, tmp_path, text):
    from orglint.suppress import comments

    target = tmp_path / "h.yaml"
    target.write_text(text)
    run_cli("check", "--no-config", "--no-cache", "h.yaml", "--fix")
    once = target.read_text()
    assert [c[2].strip() for c in comments(once)] == [c[2].strip() for c in comments(text)]
    run_cli("check", "--no-config", "--no-cache", "h.yaml", "--fix")
    assert target.read_text() == once
    assert run_cli("check", "--no-config", "--no-cache", "h.yaml", "--select", "ORG004").code == 0


def test_unwritable_folder_is_reported_not_a_crash(run_cli, tmp_path, monkeypatch):
    import orglint.fsutil

    target = tmp_path / "w.yaml"
    shutil.copyfile(FIXES / "flow.yaml", target)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(orglint.fsutil, "_temporary", denied)
    result = run_cli("check", "--no-config", "w.yaml", "--fix")
    assert "w.yaml: not fixed: cannot write it: Permission denied" in result.err
    assert result.code in (0, 1)
    assert target.read_bytes() == (FIXES / "flow.yaml").read_bytes()


def test_the_guard_counts_comments_not_just_their_texts():
    from orglint.fixer import _verify

    before = "a: 1  # same\nb: 2  # same\n"
    assert _verify(before, "a: 1  # same\nb: 2  # same\n", []) is None
    assert _verify(before, "a: 1  # same\nb: 2\n", []) == "a comment would be lost ('# same')"


def test_a_role_is_not_written_between_a_comment_line_and_its_line(run_cli, tmp_path):
    # Comment lines on both sides of the title: wherever the role went, a comment line
    # would end up above it instead of above the line it is about, so it is not written.
    text = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
            "  maturity: pilot\n  members:\n    - id: e2\n"
            "      # hired in May\n      title: DevOps Engineer\n"
            "      # orglint: ignore[ORG104] handing over in Q4\n"
            "      owns: [training-pipelines]\n")
    (tmp_path / "t.yaml").write_text(text)
    result = run_cli("check", "--no-config", "--no-cache", "--fix", "t.yaml")
    assert (tmp_path / "t.yaml").read_text() == text
    assert "a comment line would no longer be above the line it is about" in result.err


def test_the_guard_refuses_a_line_added_below_a_comment_line():
    from orglint.fixer import _comment_moved

    before = "a: 1\n# about b\nb: 2\n"
    assert _comment_moved(before, "a: 1\n# about b\nc: 3\nb: 2\n")
    assert not _comment_moved(before, "a: 1\nc: 3\n# about b\nb: 2\n")
    assert not _comment_moved(before, "a: 1  # eol\nc: 3\n# about b\nb: 2\n")


def _apply_unified(before: list[str], text: str) -> list[str]:
    """The lines a unified diff of ``before`` gives (its hunks replayed)."""
    lines, out, pos, i = text.splitlines(), [], 0, 2
    while i < len(lines):
        first, _, length = lines[i].split()[1][1:].partition(",")
        start = int(first) - 1 if length != "0" else int(first)
        out.extend(before[pos:start])
        pos, i = start, i + 1
        while i < len(lines) and not lines[i].startswith("@@"):
            kind, body = lines[i][0], lines[i][1:]
            if kind in " -":
                assert before[pos] == body, (before[pos], body)
                pos += 1
            if kind in " +":
                out.append(body)
            i += 1
    return out + before[pos:]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["x: 1", "y: 2", "- a", "- b", "z"]), max_size=40),
       st.lists(st.tuples(st.sampled_from("ids"), st.integers(0, 50),
                          st.sampled_from(["role: r", "x: 1", "- c", "changed"])),
                min_size=1, max_size=4))
def test_the_diff_of_a_fix_replays_to_the_fixed_text(before, edits):
    # --diff aligns in one pass (difflib's matcher was quadratic on alike lines): its
    # hunks, replayed on the file, must give the fixed text exactly.
    from orglint.fixer import diff

    after = list(before)
    for kind, at, line in edits:
        k = min(at, len(after))
        if kind == "i":
            after.insert(k, line)
        elif after and kind == "s":
            after[min(k, len(after) - 1)] = line
        elif after:
            del after[min(k, len(after) - 1)]
    text = diff("f", "".join(f"{x}\n" for x in before), "".join(f"{x}\n" for x in after))
    assert (text == "") == (before == after)
    if text:
        assert text.startswith("--- a/f\n+++ b/f\n@@ ")
        assert _apply_unified(before, text) == after


def test_a_file_mixing_crlf_and_lf_keeps_each_lines_end(run_cli, tmp_path):
    # Found by review: every line became CRLF.  A line kept keeps its end; a line
    # inserted takes the end of the line above it.
    text = ("apiVersion: orglint/v1\r\nkind: Team\r\nmetadata:\r\n  name: recsys\r\nspec:\r\n"
            "  maturity: pilot\n  members:\n    - id: ben\n      title: MLOps Engineer\r\n"
            "    - id: al\n      title: Data Scientist\n")
    (tmp_path / "t.yaml").write_bytes(text.encode())
    run_cli("check", "t.yaml", "--fix", "--no-cache")
    fixed = (tmp_path / "t.yaml").read_bytes().decode()
    assert fixed == text.replace("MLOps Engineer\r\n", "MLOps Engineer\r\n"
                                 "      role: mlops-engineer\r\n").replace(
        "Data Scientist\n", "Data Scientist\n      role: data-scientist\n")
    assert run_cli("check", "t.yaml", "--fix", "--no-cache").code == 0
    assert (tmp_path / "t.yaml").read_bytes().decode() == fixed


@given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=40),
       st.data())
@settings(max_examples=200, deadline=None)
def test_line_ends_follow_lines_kept_through_any_edit(lines, data):
    # Found by the review of the first version: it looked one line ahead, and lost its
    # place after two lines removed or inserted together.
    from orglint.fixer import _line_ends

    text = [f"line {n}" for n, _ in lines]
    before = "".join(t + ("\r\n" if crlf else "\n") for t, (_, crlf) in
                     zip(text, lines, strict=True))
    keep = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    after_lines: list[str] = []
    for t, k in zip(text, keep, strict=True):
        if k:
            after_lines.append(t)
        else:
            after_lines += ["      role: inserted", "      level: inserted"]
    after = _line_ends(before, "".join(line + "\n" for line in after_lines))
    got = after.split("\n")
    assert [line.rstrip("\r") for line in got] == [*after_lines, ""]
    # Every distinct line kept once keeps its end.
    once = {t for t in text if text.count(t) == 1}
    for line in got[:-1]:
        bare = line.rstrip("\r")
        if bare in once:
            index = text.index(bare)
            assert line.endswith("\r") == lines[index][1], (bare, before, after)


@given(st.lists(st.booleans(), min_size=11, max_size=11))
@settings(max_examples=60, deadline=None)
def test_line_ends_follow_their_lines_whatever_the_mix(ends):
    from orglint.fixer import _line_ends

    lines = ["apiVersion: orglint/v1", "kind: Team", "metadata:", "  name: recsys", "spec:",
             "  maturity: pilot", "  members:", "    - id: ben", "      title: MLOps Engineer",
             "    - id: al", "      title: Data Scientist"]
    before = "".join(line + ("\r\n" if crlf else "\n")
                     for line, crlf in zip(lines, ends, strict=True))
    after_lines = [*lines[:9], "      role: mlops-engineer", *lines[9:]]
    after = _line_ends(before, "".join(line + "\n" for line in after_lines))
    got = after.split("\n")
    assert [line.rstrip("\r") for line in got] == [*after_lines, ""]
    kept = [line for line in got[:-1] if line.rstrip("\r") != "      role: mlops-engineer"]
    assert [line.endswith("\r") for line in kept] == ends
    assert got[9].endswith("\r") == ends[8]


def test_a_fix_that_would_pass_the_size_limit_is_not_written(run_cli, tmp_path):
    # Found by review: the role was written, and the file, 170 bytes over a limit of 150,
    # was then an ORG001.
    text = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
            "  maturity: pilot\n  members:\n    - {id: ben, title: Senior MLOps Engineer}\n")
    (tmp_path / "t.yaml").write_text(text)
    (tmp_path / ".orglint.yaml").write_text(f"max-file-size: {len(text) + 5}\n")
    result = run_cli("check", "t.yaml", "--fix", "--no-cache")
    assert "over the max-file-size of" in result.err, result.err
    assert (tmp_path / "t.yaml").read_text() == text


def test_line_ends_are_matched_in_linear_time_whatever_the_lines_repeat():
    # Found by review: a file of members whose ids repeat has no line found once, and the
    # diff between anchors took minutes.  Counted, not timed (every Python line run,
    # difflib's included): twice the members, about twice the work.
    from functools import partial

    from orglint.fixer import _line_ends
    from tests.conftest import lines_run

    def case(members: int) -> tuple[str, str, list[str]]:
        head = ["apiVersion: orglint/v1", "kind: Team", "metadata:", "  name: t", "spec:",
                "  maturity: pilot", "  members:"]
        lines, after = list(head), list(head)
        for i in range(members):
            lines += [f"    - id: m{i % 150}", "      title: ML Engineer"]
            after += [f"    - id: m{i % 150}", "      title: ML Engineer",
                      "      role: ml-engineer"]
        before = "".join(line + ("\r\n" if k % 2 else "\n") for k, line in enumerate(lines))
        return before, "".join(line + "\n" for line in after), lines

    work = []
    for members in (1_000, 2_000):
        before, after, lines = case(members)
        out: list[str] = []
        work.append(lines_run(partial(lambda o, b, a: o.append(_line_ends(b, a)),
                                      out, before, after), "/"))
        kept = [line for line in out[0].split("\n")[:-1] if "role:" not in line]
        assert [line.endswith("\r") for line in kept] == [k % 2 == 1 for k in
                                                         range(len(lines))]
    assert work[1] < 2.3 * work[0], work


_ENDINGS = {
    "lf": "apiVersion: orglint/v1\nkind: Team\nmetadata:\n  name: recsys\nspec:\n"
          "  maturity: pilot\n  members:\n    - id: bob\n      name: Bob\n"
          "      owns: [training-code]\n      role: ML Engineer\n",
}
_ENDINGS["no final newline"] = _ENDINGS["lf"][:-1]
_ENDINGS["crlf"] = _ENDINGS["lf"].replace("\n", "\r\n")
_ENDINGS["crlf, no final newline"] = _ENDINGS["crlf"][:-2]
_ENDINGS["mixed"] = _ENDINGS["lf"].replace("kind: Team\n", "kind: Team\r\n").replace(
    "role: ML Engineer\n", "role: ML Engineer\r\n")


@pytest.mark.parametrize("ending", list(_ENDINGS))
@pytest.mark.parametrize("tool", ["git", "patch"])
def test_the_diff_applies_to_the_file_and_gives_what_fix_writes(run_cli, tmp_path, ending,
                                                                tool):
    # Found by review: a file with no final newline got a hunk without git's "\ No
    # newline at end of file", and a CRLF file a diff with every CR taken off: neither
    # git apply nor patch would take it.
    import subprocess

    if shutil.which(tool) is None:
        pytest.skip(f"needs {tool}")
    text = _ENDINGS[ending].encode()
    (tmp_path / "t.yaml").write_bytes(text)
    shown = run_cli("check", "--no-config", "--no-cache", "t.yaml", "--diff")
    assert shown.code == 1 and shown.out.startswith("--- a/t.yaml\n"), shown.err
    run_cli("check", "--no-config", "--no-cache", "t.yaml", "--fix")
    fixed = (tmp_path / "t.yaml").read_bytes()
    assert fixed != text and fixed.count(b"\r") >= text.count(b"\r")
    (tmp_path / "t.yaml").write_bytes(text)
    (tmp_path / "d.patch").write_text(shown.out, newline="")
    command = (["git", "apply", "--unsafe-paths", "d.patch"] if tool == "git"
               else ["patch", "-p1", "--quiet", "-i", "d.patch"])
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "t.yaml").read_bytes() == fixed
