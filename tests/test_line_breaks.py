"""Lines as git, editors and GitHub's annotations count them (``resync``): at "\n", or at
"\r" in a file with no "\n".  libyaml also breaks at a lone "\r" among "\n"s, NEL and
U+2028/U+2029; such a break moves no finding off its line, and is itself an ORG001,
since what follows it on a line a reviewer sees is read as YAML."""

from __future__ import annotations

import gc
import time

from orglint.comments import comments
from orglint.loader import load

LS, NEL = "\u2028", "\x85"

TEAM = (
    "apiVersion: orglint/v1\n"
    "kind: Team\n"
    "metadata:\n"
    "  name: recsys\n"
    '  title: "Recs{brk}ML"\n'
    "spec:\n"
    "  maturity: pilot\n"
    "  members:\n"
    "    - {{id: ana, title: DevOps Engineer, owns: [training-pipelines]}}\n"
)


def findings(lint, text: str, select=("ORG001", "ORG104")):
    assert text == text.lstrip("\n") and "\n " not in text[:3]  # as dedent leaves it
    return lint.findings(text, select=list(select))


def got(found):
    return [(f.line, f.column, f.code) for f in found]


def test_a_separator_above_moves_no_finding_off_its_line(lint):
    for brk in (LS, "\u2029", NEL):
        assert got(findings(lint, TEAM.format(brk=brk))) == [
            (5, 15, "ORG001"), (9, 48, "ORG104")], repr(brk)


def test_a_separator_on_the_line_moves_no_column(lint):
    text = TEAM.format(brk="").replace("{id: ana,", '{id: ana, name: "A' + LS + 'B",')
    assert got(findings(lint, text)) == [(9, 25, "ORG001"), (9, 61, "ORG104")]


def test_a_lone_carriage_return_among_line_feeds(lint):
    text = TEAM.format(brk="").replace("kind: Team\n", "kind: Team\r\n").replace(
        "metadata:\n", "# x\rmetadata:\n")
    assert got(findings(lint, text)) == [(3, 4, "ORG001"), (9, 48, "ORG104")]


def test_a_classic_mac_file_keeps_its_lines_and_no_error(lint):
    text = TEAM.format(brk="").replace("\n", "\r")
    assert got(findings(lint, text)) == [(9, 48, "ORG104")]


def test_yaml_hidden_after_a_separator_in_a_comment_is_reported(lint):
    # Shown as one comment line by editors and in review; YAML reads `role: manager`,
    # which would silence the ORG104 below.
    text = (
        "apiVersion: orglint/v1\nkind: Team\nmetadata:\n  name: recsys\nspec:\n"
        "  maturity: pilot\n  members:\n    - id: ana\n"
        f"      title: DevOps Engineer  # reviewed by infra{LS}      role: manager\n"
        "      owns: [training-pipelines]\n")
    assert got(findings(lint, text)) == [(9, 50, "ORG001")]


def test_a_syntax_error_after_a_separator_is_inside_the_file():
    text = f"apiVersion: orglint/v1\nkind: Team\n# c{NEL}x\nmetadata:\n  name: r\n"
    loaded = load(text.encode(), "t.yaml")
    lines = text.count("\n") + 1
    assert loaded.findings and all(f.line <= lines for f in loaded.findings)
    assert {(f.line, f.column) for f in loaded.findings} >= {(3, 4)}  # the NEL itself


def test_comments_are_numbered_as_the_findings():
    text = f"a: 1  # one{LS}b: 2\n# two\r\nc: 3  # three\n"
    assert [(c.line, c.column) for c in comments(text)] == [(1, 7), (2, 1), (3, 7)]


def test_a_suppression_below_a_separator_still_matches(lint):
    text = TEAM.format(brk=LS).replace(
        "[training-pipelines]}\n", "[training-pipelines]}  # orglint: ignore[ORG104]\n")
    assert got(findings(lint, text, select=("ORG104", "ORG901"))) == [(5, 15, "ORG001")]


# -- found by the fuzzing review of the change above --------------------------------------

H = ("apiVersion: orglint/v1\nkind: Team\nmetadata:\n  name: recsys\nspec:\n"
     "  maturity: pilot\n  members:\n    - id: ana\n      title: DevOps Engineer\n")
OWNS = "      owns: [training-pipelines]\n"
SUPPRESS = "# orglint: ignore[ORG104]"
CHOSEN = ("ORG001", "ORG104", "ORG901")


def test_a_suppression_and_its_finding_on_one_visible_line(lint):
    # The comment ends at the hidden break, and the value after it is on its line.
    text = H + f"      {SUPPRESS}{LS}" + OWNS
    assert got(findings(lint, text, CHOSEN)) == [(10, 32, "ORG001")]
    # Only a hidden break before the comment: alone on its line, for the next one.
    text = H + f"      {LS}{SUPPRESS}\n" + OWNS
    assert got(findings(lint, text, CHOSEN)) == [(10, 7, "ORG001")]


def test_a_suppression_on_the_line_a_broken_document_starts_is_kept(lint):
    text = H + f"      owns: [training-pipelines]  {SUPPRESS}{LS}---\ntitle: [broken\n"
    assert got(findings(lint, text, CHOSEN)) == [(10, 60, "ORG001"), (12, 1, "ORG001")]


def test_reading_resumes_at_a_marker_a_hidden_break_follows(lint):
    broken = H.replace("  name: recsys\n", "  name: broken\n  title: [unclosed\n") + OWNS
    text = broken + f"---{LS}\n" + H.replace("recsys", "second") + OWNS
    assert got(findings(lint, text, CHOSEN)) == [
        (6, 5, "ORG001"), (12, 4, "ORG001"), (22, 14, "ORG104")]


def test_a_classic_mac_file_past_the_nesting_limit_points_at_the_bracket(lint):
    text = ("apiVersion: orglint/v1\rkind: Team\rmetadata:\r  name: x\r  title: "
            + "[" * 1100 + "]" * 1100 + "\r")
    assert got(findings(lint, text, ("ORG001",))) == [(5, 74, "ORG001")]


def test_an_error_at_the_end_of_a_file_without_a_last_break_is_inside_it():
    loaded = load(b"apiVersion: orglint/v1\nkind: Team\n{", "t.yaml")
    assert [(f.line, f.column) for f in loaded.findings] == [(3, 2)]


def test_a_classic_mac_backstage_file_is_read_as_its_lf_twin(tmp_path, run_cli):
    catalog = (
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: recsys\n"
        "  annotations:\n    orglint.dev/maturity: production\n"
        "    orglint.dev/systems: model-registry, model-serving\nspec:\n  type: team\n"
        "  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n"
        "  name: dmitri\n  annotations:\n    orglint.dev/title: Senior DevOps Engineer\n"
        "    orglint.dev/owns: model-registry-deployment, serving-runtime, model-rollback\n"
        "    orglint.dev/allocation.recsys: \"50\"\nspec:\n"
        "  profile: {displayName: Dmitri Ivanov, email: dmitri@example.com}\n"
        "  memberOf: [recsys]\n")
    (tmp_path / ".orglint.yaml").write_text("backstage: true\n")
    outs = []
    for newline in ("\n", "\r"):
        (tmp_path / "catalog-info.yaml").write_bytes(catalog.replace("\n", newline).encode())
        done = run_cli("check", "--no-cache", "catalog-info.yaml", "--select",
                       "ORG104,ORG202", cwd=tmp_path)
        assert done.code == 1, done.out + done.err
        outs.append(done.out)
    assert outs[0] == outs[1] and "catalog-info.yaml:18:67: ORG104" in outs[0]


# -- found by the second fuzzing review ---------------------------------------------------

def test_a_hidden_break_says_nothing_was_left_unread(tmp_path, run_cli):
    # The file was read whole: its People entries still hold, so the team's ORG008 and
    # ORG004 stay, and no note says part of the org could not be read.
    (tmp_path / "people.yaml").write_text(
        "apiVersion: orglint/v1\nkind: People\nmetadata: {name: p}\nspec:\n  people:\n"
        f"    - {{id: ana, name: Ana, title: Data Engineer}}  # hr{LS}\n")
    (tmp_path / "team.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata:\n  name: t\nspec:\n"
        "  maturity: pilot\n  members:\n    - id: ana\n    - id: nobody\n"
        "      role: data-engineer\n    - id: zed\n")
    (tmp_path / ".orglint.yaml").write_text('paths: ["*.yaml"]\n')
    done = run_cli("check", "--no-cache", "team.yaml", "--select", "ORG001,ORG004,ORG008",
                   cwd=tmp_path)
    assert [line.split(" [")[0] for line in done.out.splitlines()[:-1]] == [
        "team.yaml:9:11: ORG008", "team.yaml:11:11: ORG004", "team.yaml:11:11: ORG008"]
    assert "could not be read" not in done.err


def test_an_unused_file_suppression_is_reported_beside_a_hidden_break(lint):
    text = ("# orglint: ignore-file[ORG105]\n" + H.replace("name: recsys\n",
                                                       f"name: recsys  # note{LS}\n") + OWNS)
    assert got(findings(lint, text, ("ORG001", "ORG104", "ORG105", "ORG901"))) == [
        (1, 1, "ORG901"), (5, 23, "ORG001"), (11, 14, "ORG104")]


def test_a_line_of_comments_a_hidden_break_splits_is_a_comment_line(lint):
    text = H + f"      {SUPPRESS}{LS}# note\n" + OWNS
    assert got(findings(lint, text, CHOSEN)) == [(10, 32, "ORG001")]
    text = H + f"      {SUPPRESS}\n      # reviewed{LS}# by infra\n" + OWNS
    assert got(findings(lint, text, CHOSEN)) == [(11, 17, "ORG001")]


def test_many_comments_on_one_visible_line_stay_linear():
    from orglint.comments import comments

    def seconds(n: int) -> float:
        # The best of three: a growth check, not a timing, and a busy neighbour on a
        # shared CI machine can double one round.
        text = "a: 1\n" + f"#a{LS}" * n + "\n"
        best = float("inf")
        # Without the cyclic collector: its passes over the whole test session's heap
        # grow with what the session holds, not with ``n`` (this failed once, late in
        # a full run, and never alone).
        gc.collect()
        gc.disable()
        try:
            for _ in range(3):
                start = time.process_time()
                assert len(comments(text)) == n
                best = min(best, time.process_time() - start)
        finally:
            gc.enable()
        return best

    seconds(1000)  # warm
    small, large = seconds(20_000), seconds(80_000)
    assert large < 8 * max(small, 0.005), (small, large)


def test_a_suppression_on_a_documents_end_marker_line_is_read(lint):
    # `...` ends the document on its own line: that line was read (before, a broken
    # document after it left its suppression unread).
    text = H + OWNS + "...  # orglint: ignore-file[ORG104]\n---\ntitle: [broken\n"
    assert got(findings(lint, text, ("ORG001", "ORG104"))) == [(14, 1, "ORG001")]


def test_a_tab_in_a_classic_mac_file_is_named(lint):
    found = findings(lint, "apiVersion: orglint/v1\rkind: Team\rmetadata:\r\tname: x\r",
                     ("ORG001",))
    assert got(found) == [(4, 1, "ORG001")] and "tab character" in found[0].message


# -- found by the third review --------------------------------------------------------------

USERS = ("apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: dmitri\nspec:\n"
         f"  profile: {{displayName: Dmitri}}  # joins later{LS}  memberOf: [recsys]\n")
GROUPS = ("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: recsys\n"
          "  annotations:\n    orglint.dev/maturity: pilot\nspec:\n  type: team\n"
          "  children: []\n")


def test_a_hidden_break_in_a_backstage_user_file_is_reported(tmp_path, run_cli):
    (tmp_path / ".orglint.yaml").write_text('backstage: true\npaths: ["*.yaml"]\n')
    (tmp_path / "groups.yaml").write_text(GROUPS)
    (tmp_path / "users.yaml").write_text(USERS)
    done = run_cli("check", "--no-cache", "--select", "ORG001", "users.yaml", cwd=tmp_path)
    assert done.code == 1 and "users.yaml:6:48: ORG001" in done.out, done.out + done.err


def test_import_refuses_yaml_behind_a_hidden_break(tmp_path, run_cli):
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "catalog.yaml").write_text(GROUPS + "---\n" + USERS)
    done = run_cli("import", "backstage", "cat", "--output", "out", cwd=tmp_path)
    assert done.code == 2 and "catalog.yaml:16:48: LINE SEPARATOR" in done.err, done.err
    assert not (tmp_path / "out").exists()


def test_import_writes_hidden_breaks_escaped(tmp_path, run_cli):
    (tmp_path / "hr.csv").write_text(
        f"id,name,title,team\nbob,Bob,ML{NEL}Engineer,recsys\nann,Ann,Data{LS}Engineer,recsys\n")
    assert run_cli("import", "csv", "hr.csv", "--output", "o", cwd=tmp_path).code == 0
    text = (tmp_path / "o" / "people.yaml").read_text()
    assert 'title: "ML\\NEngineer"' in text and 'title: "Data\\LEngineer"' in text
    done = run_cli("check", "--no-cache", "--select", "ORG001", "o", cwd=tmp_path)
    assert done.code == 0, done.out
    again = run_cli("import", "csv", "hr.csv", "--output", "o", cwd=tmp_path)
    assert "0 written" in again.out


def test_an_org001_suppression_beside_a_hidden_break_is_worded_for_it(lint):
    text = "# orglint: ignore-file[ORG001]\n" + H.replace(
        "name: recsys\n", f"name: recsys  # x{LS}\n")
    found = findings(lint, text, ("ORG001", "ORG901"))
    assert "line break git does not count" in found[0].message
