"""ORG001–ORG007."""

from __future__ import annotations

import json

import pytest

from tests.conftest import at, dedent


def test_org001_syntax_error_at_parser_position(lint):
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t
        spec: {}
        """, expected=[(4, 5, "ORG001")])


def test_org001_in_one_document_keeps_the_documents_around_it(lint):
    # Reading starts again at the next '---' after the error: the first team (with its
    # duplicate key) and the third are still checked, each finding where it is written.
    source = """
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t1}
        spec:
          maturity: pilot
          members:
            - {id: a, name: A, role: devops-sre, owns: [training-pipelines]}
          maturity: pilot
        ---
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: "t2
        spec: {maturity: pilot, members: []}
        ---
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t3}
        spec:
          maturity: pilot
          members:
            - {id: b, name: B, role: devops-sre, owns: [training-pipelines]}
        """
    lint.check(source, select=["ORG0", "ORG104"], expected=[
        (*at(source, "training-pipelines"), "ORG104"), (*at(source, "maturity", 2), "ORG002"),
        (*at(source, '"t2'), "ORG001"), (*at(source, "training-pipelines", 2), "ORG104")])


def test_org001_in_the_first_document_keeps_the_next_one(lint):
    source = """
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t1
        spec: {maturity: pilot, members: []}
        ---
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t2}
        spec:
          maturity: pilot
          members:
            - {id: b, role: devops-sre, owns: [training-pipelines]}  # orglint: ignore[ORG104]
            - {id: c, name: C, role: devops-sre, owns: [training-pipelines]}
        """
    lint.check(source, select=["ORG0", "ORG104", "ORG9"], expected=[
        (4, 5, "ORG001"), (*at(source, "training-pipelines", 2), "ORG104")])


def test_a_suppression_in_the_part_an_error_left_unread_is_not_unused(lint):
    # What it would suppress was never checked: neither applied nor reported (ORG901).
    source = """
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t1}
        spec:
          maturity: pilot
          members:
            - {id: a, role: devops-sre, owns: [training-pipelines]}  # orglint: ignore[ORG104]
            - {id: b, name: "B}
        ---
        apiVersion: orglint/v1
        kind: Group
        metadata: {name: g}
        """
    lint.check(source, select=["ORG0", "ORG104", "ORG9"], expected=[
        (*at(source, '"B}'), "ORG001")])


def test_org001_every_broken_document_is_read_past_a_bounded_number_of_times(lint):
    from orglint.resync import MAX_RESUMES

    good = "---\napiVersion: orglint/v1\nkind: Group\nmetadata: {name: g%d}\n"
    bad = "---\napiVersion: orglint/v1\nkind: Group\nmetadata: {name: \"g\n"
    source = "".join(good % i + bad for i in range(MAX_RESUMES + 5))
    found = lint.findings(source, select=["ORG001"])
    assert len(found) == MAX_RESUMES + 1
    # Each at its unclosed quote, the last line of each broken document.
    assert [f.line for f in found] == [8 * i + 8 for i in range(MAX_RESUMES + 1)]


# A team whose one member has a role the matrix does not know (ORG004 at 6:28 for a
# two-character id): the finding a document around a broken one must keep.
ROGUE = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: %s}\nspec:\n"
         "  maturity: exploring\n  members: [{id: %s, role: bogus-role}]\n")
TEAM_C = ROGUE % ("c", "c1")


def test_org001_reading_resumes_whatever_breaks_the_lines_before(lint):
    # Found by a review: libyaml counts U+2028, NEL and a lone CR as line breaks, and a
    # resume that counted only "\n" started past the next document and lost it.
    for newline, extra in (("\n", "\u2028"), ("\n", "\x85"), ("\r", "")):
        source = (f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: a, title: \"A{extra}B\"}}"
                  "\nspec:\n  maturity: exploring\n  members: [{id: a1, role: data-scientist}]"
                  "\n---\na: \"unclosed\n---\n" + TEAM_C).replace("\n", newline)
        found = lint.findings(source, select=["ORG001", "ORG004"])
        # The separator is an ORG001 of its own (tests/test_line_breaks.py).
        expected = ["ORG001", "ORG001", "ORG004"] if extra else ["ORG001", "ORG004"]
        assert [f.code for f in found] == expected, (repr(newline), found)
        assert (found[-1].line, found[-1].column) == (15, 28)  # git's line and column


def test_org001_on_a_documents_own_marker_reads_it_once(lint):
    # Found by a review: an error on the '---' line itself resumed at that same marker,
    # reading the document twice, numbering the next ones wrong and spending resumes.
    tagged = "--- !!python/object:x\na: 1\n"
    team = ("---\napiVersion: orglint/v1\nkind: Team\nmetadata: {name: t%d}\nspec:\n"
            "  maturity: exploring\n  members: [{id: m%d, role: data-scientist}]\n")
    source = "".join(team % (i, i) + tagged for i in range(9)) + "---\n" + TEAM_C
    found = lint.findings(source, select=["ORG001", "ORG004"])
    assert [f.code for f in found] == ["ORG001"] * 9 + ["ORG004"]
    assert len({(f.line, f.column) for f in found}) == 10
    from orglint.loader import load

    loaded = load(b"--- !!python/object:x\na: 1\n---\nb: 2\n", "x.yaml")
    assert [d.index for d in loaded.documents] == [1]


def test_org001_a_limit_is_reported_in_any_file_with_other_documents(lint):
    # Found by a review: someone else's file (no orglint kind) passed silently once a
    # document of it could be read; a limit hit is ours to report whatever the file.
    source = "a: " + "[" * 70 + "]" * 70 + "\n---\nb: 1\n"
    found = lint.findings(source, select=["ORG001"])
    assert [(f.code, f.line) for f in found] == [("ORG001", 1)]
    assert "nesting is deeper than the limit" in found[0].message


def test_org001_a_character_yaml_refuses_costs_its_own_document_only(lint):
    # The reader refuses the whole stream for one control character (pasted into a
    # title): found by a review, every document was lost and ORG001 pointed at 1:1.
    team = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: %s}\nspec:\n"
            "  maturity: pilot\n  members:\n"
            "    - {id: %s, role: devops-sre, owns: [training-pipelines]}\n")
    source = (team % ("t1", "a") + "---\n" + team % ('"t2\x01"', "b") + "---\n"
              + team % ("t3", "c") + "---\n" + team % ('"t4\x7f"', "d"))
    found = lint.findings(source, select=["ORG0", "ORG104"])
    assert [(f.line, f.column, f.code) for f in found] == [
        (7, 40, "ORG104"), (11, 21, "ORG001"), (23, 40, "ORG104"), (27, 21, "ORG001")]
    assert "unacceptable character #x0001" in found[1].message


def test_org001_refused_characters_are_blanked_in_one_pass_a_bounded_number_of_times(lint):
    from orglint.resync import MAX_RESUMES

    good = "---\napiVersion: orglint/v1\nkind: Group\nmetadata: {name: g%d}\n"
    bad = "---\napiVersion: orglint/v1\nkind: Group\nmetadata: {name: \"b\x02\"}\n"
    source = "".join(good % i + bad for i in range(MAX_RESUMES + 5)) + "---\nkind: Teem\n"
    found = lint.findings(source, select=["ORG001", "ORG003"])
    # One per document up to the budget, the rest blanked as one (the Teem past it too).
    assert [f.code for f in found] == ["ORG001"] * (MAX_RESUMES + 1)
    assert [f.line for f in found] == [8 * i + 8 for i in range(MAX_RESUMES + 1)]


def test_org001_a_refused_character_blanks_its_own_document_not_its_neighbours(lint):
    # Found by a review: after a '...' line the document before was blanked too, and a
    # document's %YAML directive was left behind to give a second ORG001.
    after_end = ROGUE % ("t1", "a") + "...\n# note \x01\n---\n" + ROGUE % ("t3", "c")
    found = lint.findings(after_end, select=["ORG001", "ORG004"])
    assert [(f.line, f.code) for f in found] == [(6, "ORG004"), (8, "ORG001"),
                                                 (15, "ORG004")]
    directive = (ROGUE % ("t1", "a") + "...\n%YAML 1.1\n---\n"
                 + (ROGUE % ("t2", "b")).replace("{name: t2}", "{name: t2, title: \"A\x01\"}"))
    found = lint.findings(directive, select=["ORG001", "ORG004"])
    assert [(f.line, f.code) for f in found] == [(6, "ORG004"), (12, "ORG001")]
    # Directives at the very start of the file go with the first document.
    from orglint.resync import blank_refused

    blanked, [refused] = blank_refused("%YAML 1.1\n%TAG ! x\n---\na: \x01\n---\nb: 1\n")
    assert blanked == " " * 9 + "\n" + " " * 8 + "\n   \n    \n---\nb: 1\n"
    assert (refused.line, refused.column, refused.first_line, refused.end_line) == (4, 4, 1, 5)


def test_a_suppression_before_a_blanked_document_targets_what_the_file_says(lint):
    # Its next line with content is the blanked document's '---', not a line past it.
    source = (ROGUE % ("t1", "a") + "# orglint: ignore[ORG004]\n---\n"
              + (ROGUE % ("t2", "b")).replace("{name: t2}", "{name: t2, title: \"A\x01\"}")
              + "--- " + "{apiVersion: orglint/v1, kind: Team, metadata: {name: t3}, spec:"
              " {maturity: exploring, members: [{id: c, role: bogus-role}]}}\n")
    found = lint.findings(source, select=["ORG001", "ORG004", "ORG901"])
    assert [(f.line, f.code) for f in found] == [(6, "ORG004"), (7, "ORG901"),
                                                 (11, "ORG001"), (15, "ORG004")]


def test_org001_someone_elses_file_reports_a_limit_only(lint):
    # Found by a review: with no document read, a CI file's own syntax error came too.
    source = "on: [push\n---\n" + "a: " + "[" * 70 + "]" * 70 + "\n"
    found = lint.findings(source, select=["ORG001"], name="ci.yaml")
    assert [f.message for f in found] == ["nesting is deeper than the limit of 64 levels"]


def test_org002_of_a_document_an_error_cut_short_goes_with_it(lint):
    # The document is not read, so neither is its duplicate key (whose suppression is in
    # the part left unread): only the ORG001.
    source = """
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: a}
        spec: {maturity: exploring, members: [{id: a1, role: data-scientist}]}
        ---
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: b}
        metadata: {name: b}  # orglint: ignore[ORG002]
        spec: {maturity: "oops}
        """
    lint.check(source, select=["ORG0", "ORG9"], expected=[(*at(source, '"oops}'), "ORG001")])


def test_a_file_level_suppression_is_not_unused_where_part_of_the_file_went_unread(lint):
    source = """
        # orglint: ignore-file[ORG206]
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: a}
        spec:
          maturity: exploring
          members: [{id: a1, role: data-scientist}]
        ---
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: b}
        spec:
          maturity: production
          members: [{id: b1, role: data-scientist, title: "oops}]
        """
    found = lint.findings(source, select=["ORG001", "ORG206", "ORG9"])
    assert [f.code for f in found] == ["ORG001"]


def test_org001_tab_indentation(lint):
    found = lint.check("apiVersion: orglint/v1\nkind: Team\nmetadata:\n\tname: t\n",
                       expected=[(4, 1, "ORG001")])
    assert "tab" in found[0].message


def test_org002_duplicate_key_at_second_occurrence(lint):
    found = lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata:
          name: t
        spec:
          maturity: pilot
          maturity: exploring
          members: []
        """, select=["ORG002"], expected=[(7, 3, "ORG002")])
    assert (found[0].end_line, found[0].end_column) == (7, 11)  # the whole key


def test_org003_unknown_key_with_did_you_mean(lint):
    found = lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - id: a
              role: ml-engineer
              owsn: [training-code]
              allocation: lots
        """, expected=[(9, 7, "ORG003"), (10, 19, "ORG003")])
    assert found[0].message == "unknown key 'owsn' (did you mean 'owns'?)"
    assert found[1].message == "allocation must be an integer from 1 to 100, got 'lots'"


def test_org003_on_a_field_keeps_checking_the_member(lint):
    # Only the invalid level is dropped: the member's ORG104 is still found.
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, role: devops-sre, owns: [training-pipelines], level: 7}
        """, select=["ORG0", "ORG1"], expected=[(7, 40, "ORG104"), (7, 68, "ORG003")])


def test_org003_on_an_item_of_systems_or_practices_keeps_the_team(lint):
    # One item that is not an id (or a list that is not one) is left out: the team and
    # every other item are still checked, each finding where it is written.
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: production
          systems: [feature-store, Model Serving, model-serving]
          practices: eval-gate
          members:
            - {id: d, name: D, role: devops-sre, owns: [training-pipelines, gpu-scheduling]}
        """, select=["ORG0", "ORG104", "ORG201", "ORG202"], expected=[
        (6, 13, "ORG201"), (6, 28, "ORG003"),
        (6, 43, "ORG202"), (6, 43, "ORG202"), (6, 43, "ORG202"),
        (7, 14, "ORG003"), (9, 49, "ORG104")])


def test_org003_on_an_item_of_owns_keeps_the_other_items(lint):
    # A non-id item drops itself only: ORG103 stays, ORG202 does not fire for the
    # serving-runtime that is owned, and ORG005 points at the item after it (with no fix:
    # none is offered in a document with a schema error).
    found = lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          systems: [model-serving]
          members:
            - id: k
              name: K
              role: platform-engineer
              owns: [training-code, Model Rollback, 42, serving-runtime, trainng-pipelines]
              skills: [kubernetes, {x: 1}, terraform]
        """, select=["ORG0", "ORG103", "ORG202"], expected=[
        (6, 13, "ORG202"), (6, 13, "ORG202"),
        (11, 14, "ORG103"), (11, 29, "ORG003"), (11, 45, "ORG003"),
        (11, 66, "ORG005"), (12, 28, "ORG003")])
    unknown = next(f for f in found if f.code == "ORG005")
    assert unknown.fix is None and unknown.detail == "trainng-pipelines"
    assert {f.detail for f in found if f.code == "ORG202"} == {
        "model-serving:inference-handlers", "model-serving:model-rollback"}


def test_org003_on_the_maturity_keeps_the_team_and_silences_stage_rules(lint):
    # 'Production' is not a stage: the team is still checked (ORG201 and ORG104, which
    # hold at every stage, and priya's 160% across files), but no rule that needs a
    # stage speaks (ORG206's mix, ORG207 at production).
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: a}
        spec:
          maturity: Production
          systems: [feature-store]
          members:
            - {id: priya, name: Priya, title: ML Platform Engineer, allocation: 80,
               owns: [serving-runtime]}
            - {id: tom, name: Tom, title: DevOps Engineer, owns: [training-pipelines]}
        """, files={"b.yaml": """
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: b}
        spec:
          maturity: pilot
          members:
            - {id: priya, name: Priya, title: ML Platform Engineer, allocation: 80}
        """}, expected=[(5, 13, "ORG003"), (6, 13, "ORG201"), (8, 73, "ORG301"),
                        (10, 59, "ORG104")])


def test_org003_on_a_missing_maturity_keeps_the_team(lint):
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          members:
            - {id: a, role: devops-sre, owns: [training-pipelines]}
        """, expected=[(4, 1, "ORG003"), (6, 40, "ORG104")])


def test_a_team_name_that_is_not_an_id_is_reported_and_the_team_still_checked(lint):
    # "Recsys Team" hid the DevOps engineer running the model lifecycle (ORG104).
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: Recsys Team}
        spec:
          maturity: pilot
          members:
            - {id: a, role: devops-sre, owns: [training-pipelines]}
        """, expected=[(3, 18, "ORG003"), (7, 40, "ORG104")], select=["ORG003", "ORG104"])


def test_org003_where_nothing_is_safe_skips_the_document(lint):
    # Members that are not a list: nothing else can be said of the team safely.
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: recsys}
        spec:
          maturity: pilot
          members: {id: a, role: devops-sre, owns: [training-pipelines]}
        """, expected=[(6, 12, "ORG003")], select=["ORG003", "ORG104"])
    # A team with no name is still checked (test_recovery.py): its members' findings do
    # not depend on it.
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {title: Recsys}
        spec:
          maturity: pilot
          members:
            - {id: a, role: devops-sre, owns: [training-pipelines]}
        """, expected=[(3, 1, "ORG003"), (7, 40, "ORG104")], select=["ORG003", "ORG104"])


@pytest.mark.parametrize(("envelope", "level", "expected"), [
    ("        apiVersion: orglint.dev/v1\n        kind: Team\n", "stafff",
     [(1, 13, "ORG003"), (7, 40, "ORG104"), (7, 68, "ORG003")]),
    ("        kind: Team\n", "staff", [(1, 1, "ORG003"), (6, 40, "ORG104")]),
    # No apiVersion and a typo inside: still an orglint Team (it has only a Team's
    # keys), every error reported and the rest checked.
    ("        kind: Team\n", "stafff", [(1, 1, "ORG003"), (6, 40, "ORG104"),
                                      (6, 68, "ORG003")]),
])
def test_a_misspelt_or_missing_api_version_still_checks_the_team(lint, envelope, level,
                                                                 expected):
    # ORG003 on the envelope, and the rest read as the Team it says it is: the ORG104
    # underneath was hidden, and so was a second schema error.
    lint.check(envelope + f"""\
        metadata: {{name: t}}
        spec:
          maturity: pilot
          members:
            - {{id: a, role: devops-sre, owns: [training-pipelines], level: {level}}}
        """, expected=expected, select=["ORG003", "ORG104"])


def test_a_kind_in_another_case_is_reported_and_the_team_still_checked(lint):
    lint.check("""\
        apiVersion: orglint/v1
        kind: team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, role: devops-sre, owns: [training-pipelines]}
        """, expected=[(2, 7, "ORG003"), (7, 40, "ORG104")], select=["ORG003", "ORG104"])


@pytest.mark.parametrize(("envelope", "expected"), [
    ("apiVersion: orglint/v1\nKind: Team\n", [(2, 1, "ORG003")]),
    ("apiversion: orglint/v1\nkind: Team\n", [(1, 1, "ORG003")]),
    ("apiversion: orglint/v1\nkind: team\n", [(1, 1, "ORG003"), (2, 7, "ORG003")]),
    ("ApiVersion: orglint/v1\nKind: Team\n", [(1, 1, "ORG003"), (2, 1, "ORG003")]),
])
def test_an_envelope_key_in_another_case_is_reported_and_read(lint, envelope, expected):
    found = lint.check(envelope + dedent("""\
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, role: devops-sre, owns: [training-pipelines]}
        """), expected=[*expected, (7, 40, "ORG104")], select=["ORG003", "ORG104"])
    assert any("keys are case-sensitive" in f.message or "must be 'Team'" in f.message
               for f in found)


def test_an_envelope_key_in_another_case_leaves_the_rest_validated(lint):
    # Reported once, and the document's other schema errors are reported too.
    lint.check("""\
        ApiVersion: orglint/v1
        Kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          systems: [3]
          members:
            - {id: a, role: devops-sre, owns: [training-pipelines]}
        """, expected=[(1, 1, "ORG003"), (2, 1, "ORG003"), (6, 13, "ORG003"),
                       (8, 40, "ORG104")], select=["ORG003", "ORG104"])


def test_a_stray_api_version_key_does_not_make_a_team_another_tools(lint):
    # `apiversion: v1` beside `kind: Team`: the team is reported and checked, not
    # skipped as foreign (a team file could opt out of checking that way).
    lint.check("""\
        apiversion: v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, role: devops-sre, owns: [training-pipelines]}
        """, expected=[(1, 1, "ORG003"), (1, 13, "ORG003"), (7, 40, "ORG104")],
        select=["ORG003", "ORG104"])


def test_another_tools_document_with_kind_in_another_case_is_not_ours(lint):
    lint.check("Name: admins\nKind: Group\n", expected=[])


VALID_A = """\
    apiVersion: orglint/v1
    kind: Team
    metadata: {name: a}
    spec:
      maturity: pilot
      members:
        - {id: alex, role: ml-engineer, allocation: 30}
    """


def test_a_document_with_another_tools_keys_and_no_api_version_joins_nothing(lint):
    foreign = """\
        kind: Team
        owner: someone
        metadata: {name: payments}
        spec:
          maturity: production
          members:
            - {id: alex, allocation: 90}
        """
    lint.check(VALID_A, files={"foreign.yaml": foreign}, expected=[],
               select=["ORG301", "ORG302"])


def test_another_tools_team_without_members_gives_the_org_no_id(lint):
    # Its members unreadable, a team keeps its id and parent in the org: not another
    # tool's document, whose id clashed with the real team's (a false ORG010).
    foreign = """\
        kind: Team
        metadata: {name: a, parent: nowhere}
        owner: platform
        slack: "#a"
        """
    lint.check(VALID_A, files={"foreign.yaml": foreign}, expected=[],
               select=["ORG010", "ORG011"])


def test_a_team_with_no_api_version_and_a_typo_inside_still_joins_the_org(lint):
    # It has a Team's keys only: orglint's, reported (ORG003) and checked, so its
    # people count where they are listed too (the typo hid this over-allocation).
    ours = """\
        kind: Team
        metadata: {name: payments, owner: someone}
        spec:
          maturity: production
          members:
            - {id: alex, allocation: 90}
        """
    lint.check(VALID_A, files={"ours.yaml": ours}, expected=[(*at(VALID_A, "30"), "ORG301")],
               select=["ORG301"])


def test_another_tools_kind_group_without_an_api_version_is_one_finding(lint):
    lint.check("""\
        kind: Group
        metadata: {name: admins}
        permissions: [read, write]
        users: [a, b]
        """, expected=[(1, 1, "ORG003")])


def test_org003_unknown_kind_and_api_version(lint):
    found = lint.check("""
        apiVersion: orglint/v1
        kind: Teem
        ---
        apiVersion: orglint/v2
        kind: Team
        ---
        apiVersion: orglint/v1
        kind: Tim
        """, expected=[(1, 1, "ORG003"), (1, 1, "ORG003"), (2, 7, "ORG003"), (4, 1, "ORG003"),
                       (4, 1, "ORG003"), (4, 13, "ORG003"), (8, 7, "ORG003")])
    # The envelope's error does not stop the check of the kind it names (a misspelling
    # close enough to mean only Team): neither Team has metadata or spec.
    assert {f.message for f in found[3:5]} == {f.message for f in found[0:2]} == {
        "the document is missing the required key 'metadata'",
        "the document is missing the required key 'spec'"}
    assert found[2].message == "kind must be 'Team', got 'Teem'"
    assert found[6].message.startswith("unknown kind 'Tim'")


def test_org003_x_keys_labels_and_annotations_are_free(lint):
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        x-owner: platform-team
        metadata:
          name: t
          labels: {anything: [goes, here]}
          annotations: {"example.com/x": 1}
        spec:
          maturity: exploring
          x-notes: free
          members:
            - {id: a, name: A, role: data-scientist, x-pronouns: they}
        """, select=["ORG0"], expected=[])


def test_org004_unknown_role_and_alias(lint):
    found = lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, role: ml-engneer}
            - {id: b, role: SRE}
            - {id: c, role: ml-engineer}
        """, select=["ORG004"], expected=[(7, 21, "ORG004"), (8, 21, "ORG004")])
    assert "did you mean 'ml-engineer'" in found[0].message
    assert "write 'devops-sre'" in found[1].message
    assert found[1].fix is not None and found[1].fix.safe


def test_org004_a_misspelt_role_is_read_from_the_title(lint):
    # An invalid role is dropped like any invalid optional field: the title gives the
    # role, so the rules judge ravi as a platform engineer (ORG103) and dan fills the
    # data-engineer seat (no ORG201), instead of each typo hiding one finding and making
    # up another.
    source = """
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          systems: [feature-store]
          members:
            - {id: ravi, title: Senior ML Platform Engineer, role: platform-enginer,
               owns: [training-code]}
            - {id: dan, title: Data Engineer, role: data-engneer, owns: [data-pipelines]}
        """
    lint.check(source, select=["ORG004", "ORG103", "ORG201", "ORG205"], expected=[
        (*at(source, "platform-enginer"), "ORG004"), (*at(source, "training-code"), "ORG103"),
        (*at(source, "data-engneer"), "ORG004")])


def test_org004_says_nothing_of_members_a_broken_people_file_may_describe(lint):
    # One YAML error in the People file must not give every member defined there a
    # false "no role and no title" (its ORG001 is the finding).  Read in full, a People
    # file that does not describe a member (b) leaves the finding as it was.
    source = """
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: tom, owns: [training-pipelines]}
            - {id: priya}
        """
    people = """
        apiVersion: orglint/v1
        kind: People
        spec:
          people:
            - {id: tom, name: Tom, title: DevOps Engineer}
            - {id: priya, name: Priya, title: ML Platform Engineer}
        """
    lint.check(source, files={"people.yaml": people}, select=["ORG004", "ORG104"],
               expected=[(7, 24, "ORG104")])
    found = lint.check(source, files={"people.yaml": people + '    - {id: broken, name: "x\n'},
                       select=["ORG004", "ORG104"], expected=[(7, 26, "ORG001")])
    assert found[0].file == "people.yaml"  # the file that hides them is named instead
    lint.check(source.replace("priya", "b"),
               files={"people.yaml": people.replace("- {id: priya", "- {id: p")},
               select=["ORG004"], expected=[(8, 12, "ORG004")])
    # Nor does ORG008 say tom is in no People file when the document that lists him is
    # the one lost (another document of the file, priya's, was read).
    split = ("apiVersion: orglint/v1\nkind: People\nspec:\n  people:\n"
             "    - {id: priya, name: Priya, title: ML Platform Engineer}\n---\n"
             "apiVersion: orglint/v1\nkind: People\nspec:\n  people:\n"
             "    - {id: tom, name: Tom, title: DevOps Engineer}\n"
             '    - {id: broken, name: "x\n')
    lint.check(source, files={"people.yaml": split}, select=["ORG004", "ORG008"],
               expected=[(12, 26, "ORG001")])


def test_org004_title_that_maps_to_no_role(lint):
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, title: Chief Wizard}
            - {id: b, title: Senior DevOps Engineer}
            - {id: c, title: Jr. Machine Learning Engineer}
        """, select=["ORG004"], expected=[(7, 22, "ORG004")])


def test_org005_unknown_responsibility(lint):
    found = lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - id: a
              role: ml-engineer
              owns:
                - training-code
                - trainng-pipelines
        """, select=["ORG005"], expected=[(11, 11, "ORG005")])
    assert found[0].message == (
        "unknown responsibility 'trainng-pipelines' (did you mean 'training-pipelines'?)")


@pytest.mark.parametrize("written", ["TRAINING_CODE", "Training_Code", "training_code"])
def test_org005_hints_an_id_written_in_another_case_and_separator(lint, written):
    # Upper case and underscores at once were two slips too far for a spelling match.
    found = lint.check(f"""
        apiVersion: orglint/v1
        kind: Team
        metadata: {{name: t}}
        spec:
          maturity: pilot
          members:
            - {{id: a, role: ml-engineer, owns: [{written}]}}
        """, select=["ORG005"], expected=[(7, 41, "ORG005")])
    assert found[0].message.endswith("(did you mean 'training-code'?)")


def test_org006_unknown_system_and_practice(lint):
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          systems: [feature-store, featurestore]
          practices: [eval-gate, evals]
          members: []
        """, select=["ORG006"], expected=[(6, 28, "ORG006"), (7, 26, "ORG006")])


def test_org007_duplicate_member_at_second_entry(lint):
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, role: ml-engineer}
            - {id: b, role: ml-engineer}
            - {id: a, role: ml-engineer}
        """, select=["ORG007"], expected=[(9, 12, "ORG007")])


def test_clean_team_has_no_input_findings(lint):
    lint.check("""
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          systems: [model-serving]
          practices: [eval-gate]
          members:
            - {id: a, role: ml-engineer, owns: [training-code]}
        """, select=["ORG0"], expected=[])


def _members(titles: list[str]) -> str:
    head = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
            "  maturity: pilot\n  members:\n")
    # JSON strings are YAML scalars: titles with commas, colons or '@' stay one value.
    return head + "".join(f"    - {{id: m{i}, title: {json.dumps(t)}}}\n"
                          for i, t in enumerate(titles))


def test_org004_silent_on_real_titles(lint):
    """Every title of the table that names one role infers it: no ORG004."""
    from tests.test_titles import AMBIGUOUS, TITLES

    named = [t for t, role in TITLES if role not in (None, AMBIGUOUS)]
    assert len(named) > 120
    lint.check(_members(named), select=["ORG004"], expected=[])


def test_org004_ambiguous_title_names_the_candidates(lint):
    source = _members(["Platform Engineer", "Senior Software Engineer, Ranking", "Accountant"])
    found = lint.check(source, select=["ORG004"], expected=[
        (*at(source, '"Platform'), "ORG004"), (*at(source, '"Senior'), "ORG004"),
        (*at(source, '"Accountant'), "ORG004")])
    assert found[0].message == (
        "m0 has no role, and 'Platform Engineer' could be platform-engineer or devops-sre:"
        " set 'role'")
    assert found[1].message == (
        "m1 has no role, and 'Senior Software Engineer, Ranking' could be platform-engineer,"
        " mlops-engineer, ml-engineer, devops-sre or data-engineer: set 'role'")
    assert "the title 'Accountant' maps to no role" in found[2].message
    assert all(f.fix is None for f in found)


def test_org004_ambiguous_title_written_as_role(lint):
    source = _members([]) + "    - {id: a, role: Platform Engineer}\n"
    found = lint.check(source, select=["ORG004"],
                       expected=[(*at(source, "Platform Engineer"), "ORG004")])
    assert found[0].message == ("role 'Platform Engineer' is a title that could be"
                                " platform-engineer or devops-sre; write the role id")
    assert found[0].fix is None


def test_a_broken_policy_file_is_not_a_people_file_that_lost_a_document(run_cli, tmp_path):
    # Policy files are read first, with People files: one with a YAML error must not
    # silence the "no role and no title" of a member no People file describes.  Named,
    # it is part of the org and obeyed, so its YAML error stops the run (exit 2, at its
    # place), as a configured one does: never a pass.
    (tmp_path / "people.yaml").write_text(
        "apiVersion: orglint/v1\nkind: People\nspec:\n  people:\n    - {id: alice, name: A,"
        " title: ML Engineer}\n")
    (tmp_path / "team.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
        "  maturity: pilot\n  members:\n    - {id: alice}\n    - {id: bob, level: mid}\n")
    (tmp_path / "policy.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n"
        "  rules: [ {code: ACME001\n")
    result = run_cli("check", "--no-config", "--no-cache", ".", cwd=tmp_path)
    assert result.code == 2 and "policy.yaml:6:1: invalid YAML" in result.err, result.err
    result = run_cli("check", "--no-config", "--no-cache", "team.yaml", "people.yaml",
                     cwd=tmp_path)
    assert "bob has no role and no title" in result.out, result.out



@pytest.mark.parametrize(("name", "text", "may_hold_bob"), [
    # Only a file that says `kind: People` outside its comments may have lost people: a
    # team file with one YAML error and a comment naming the kind silenced the "no role
    # and no title" of every member of the org that no People file describes.
    ("broken.yaml", "apiVersion: orglint/v1\nkind: Team  # its people are in people.yaml"
     " (kind: People)\nmetadata: {name: u}\nspec:\n  members: [ {id: cy\n", False),
    # Its first line a comment, its line ends CRs: the comment check took the whole file
    # for one comment, and bob got a false "no role and no title".
    ("people.yaml", "# the org's people\rapiVersion: orglint/v1\rkind: People\rspec:\r"
     "  people:\r    - {id: bob, title: ML Engineer\r", True),
])
def test_a_file_that_lost_a_document_silences_no_title_only_if_it_holds_people(
        run_cli, tmp_path, name, text, may_hold_bob):
    (tmp_path / "team.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
        "  maturity: pilot\n  members:\n    - {id: bob, level: mid}\n")
    (tmp_path / name).write_text(text, newline="")
    result = run_cli("check", "--no-config", "--no-cache", ".", cwd=tmp_path)
    assert f"{name}:" in result.out and "ORG001" in result.out, result.out
    no_title = "team.yaml:7:12: ORG004 [error] bob has no role and no title"
    assert (no_title in result.out) is not may_hold_bob, result.out


def test_org004_an_id_written_another_way_is_not_called_a_title(lint):
    # data_scientist is the id misspelt, not a job title (found by review); a title
    # written as a role is still called one.
    source = """
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, role: data_scientist}
            - {id: b, role: MLOps Engineer}
        """
    found = lint.check(source, select=["ORG004"], expected=[
        (*at(source, "data_scientist"), "ORG004"), (*at(source, "MLOps Engineer"), "ORG004")])
    assert found[0].message == "role 'data_scientist' is not a role id; write 'data-scientist'"
    assert found[1].message == ("role 'MLOps Engineer' is a title, not a role id;"
                                " write 'mlops-engineer'")


def test_org004_on_a_title_that_is_not_text_says_so(lint):
    # "no title to infer one from" sent the reader looking for a title that is there.
    source = """\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: a, title: 2024}
            - {id: b}
        """
    found = lint.check(source, select=["ORG003", "ORG004"], expected=[
        (*at(source, "2024"), "ORG003"), (*at(source, "a,"), "ORG004"),
        (*at(source, "b}"), "ORG004")])
    assert "its title is not text" in found[0].message
    assert "no title to infer one from" in found[2].message
