"""Team size, small teams, shared responsibilities and saying one thing once (issue 12)."""

from __future__ import annotations

import pytest

from orglint.findings import Severity
from tests.conftest import at


def team(maturity: str, members: list[str], systems: str = "[]", extra: str = "") -> str:
    return ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
            f"  maturity: {maturity}\n  systems: {systems}\n{extra}  members:\n"
            + "".join(f"    - {m}\n" for m in members))


def loud(found):
    return [(f.line, f.column, f.code) for f in found if f.severity >= Severity.WARNING]


# -- 1. one size, counted once: the members who hold matrix roles -------------------------

CONFLATED = "{id: mei, role: mlops-engineer, owns: [training-pipelines, training-code]}"


def test_size_counts_matrix_roles_not_managers_nor_spec_size(lint):
    # Five matrix roles, a manager, a product manager and a planned size of 12: size 5.
    members = [CONFLATED, *[f"{{id: s{n}, role: data-scientist}}" for n in range(4)],
               "{id: boss, role: manager}", "{id: pm, role: product-manager}"]
    lint.check(team("pilot", members, extra="  size: 12\n"), select=["ORG102", "ORG109"],
               expected=[])


def test_size_counts_a_title_that_could_mean_two_matrix_roles(lint):
    # Found by review: "Software Engineer" holds a matrix role, whichever it is; left
    # out, the team looked five strong and p0's conflation (ORG109) went unreported.
    members = [CONFLATED, *[f"{{id: s{n}, role: data-scientist}}" for n in range(4)],
               "{id: eng, title: Software Engineer}"]
    lint.check(team("pilot", members, extra="  size: 6\n"),
               select=["ORG109", "ORG303"], expected=[(9, 12, "ORG109")])


def test_org109_never_flags_a_manager_or_other(lint):
    # Spec section 2: manager, product-manager and other are never flagged.
    both = "owns: [training-pipelines, training-code]"
    members = [CONFLATED, *[f"{{id: s{n}, role: data-scientist}}" for n in range(5)],
               f"{{id: boss, title: Head of ML, {both}}}", f"{{id: o1, role: other, {both}}}",
               f"{{id: pm, role: product-manager, {both}}}"]
    lint.check(team("pilot", members), select=["ORG109"], expected=[(8, 12, "ORG109")])


def test_size_counts_a_person_listed_twice_once(lint):
    members = [CONFLATED, *[f"{{id: s{n}, role: data-scientist}}" for n in range(4)],
               "{id: s0, role: data-scientist}"]
    lint.check(team("pilot", members), select=["ORG102", "ORG109"], expected=[])


def test_org109_message_uses_the_counted_size(lint):
    members = [CONFLATED, *[f"{{id: s{n}, role: data-scientist}}" for n in range(5)],
               "{id: boss, role: manager}"]
    found = lint.check(team("pilot", members, extra="  size: 40\n"),
                       select=["ORG102", "ORG109"], expected=[(9, 12, "ORG109")])
    assert "on a team of 6" in found[0].message


# -- 2. small teams: one person doing both is fine up to five ----------------------------

def test_two_person_exploring_team_is_silent(lint):
    source = team("exploring", [
        "{id: lena, role: ml-engineer, owns: [training-code, training-pipelines,"
        " model-registry-contract]}",
        "{id: priya, role: data-scientist, owns: [model-design]}"])
    assert loud(lint.findings(source, select=["ALL"])) == []
    lint.check(source, select=["ORG102", "ORG109"], expected=[])


def test_five_person_production_team_is_silent(lint):
    source = team("production", [
        "{id: kofi, role: platform-engineer, owns: [serving-runtime, on-call]}",
        "{id: mei, role: mlops-engineer, owns: [training-pipelines, promotion-gates,"
        " model-rollback, eval-gate, training-code, inference-handlers]}",
        "{id: lena, role: ml-engineer, owns: [inference-handlers, evaluation-harness]}",
        "{id: priya, role: data-scientist, owns: [model-design]}",
        "{id: jon, role: mlops-engineer, owns: [model-rollback, training-code]}"],
        systems="[model-serving]", extra="  practices: [eval-gate]\n")
    assert loud(lint.findings(source, select=["ALL"])) == []
    lint.check(source, select=["ORG102", "ORG109"], expected=[])


def test_above_five_org109_alone_says_it(lint):
    members = ["{id: mei, role: mlops-engineer, owns: [training-pipelines, training-code,"
               " inference-handlers]}",
               *[f"{{id: s{n}, role: data-scientist}}" for n in range(5)]]
    found = lint.check(team("pilot", members), select=["ORG1"], expected=[(8, 12, "ORG109")])
    assert "training-code, inference-handlers" in found[0].message


def test_org109_counts_the_role_as_one_half(lint):
    # An ML engineer who owns MLOps work holds both, though no ML item is listed.
    members = ["{id: lena, role: ml-engineer, owns: [training-pipelines]}",
               *[f"{{id: s{n}, role: data-scientist}}" for n in range(5)]]
    found = lint.check(team("pilot", members), select=["ORG1"], expected=[(8, 12, "ORG109")])
    assert "role ml-engineer" in found[0].message


def test_org102_still_reports_other_pairs_on_small_teams(lint):
    lint.check(team("pilot", ["{id: lena, role: ml-engineer, owns: [model-design]}"]),
               select=["ORG102", "ORG109"], expected=[(8, 44, "ORG102")])


# -- 3. shared responsibilities ---------------------------------------------------------

def test_platform_engineer_on_call_is_their_own_work(lint):
    lint.check(team("production", [
        "{id: kofi, role: platform-engineer, owns: [on-call, incident-response]}",
        "{id: mei, role: mlops-engineer, owns: [on-call]}"]),
        select=["ORG102"], expected=[])


def test_on_call_is_not_shared_with_every_role(lint):
    lint.check(team("production", ["{id: priya, role: data-scientist, owns: [on-call]}"]),
               select=["ORG102"], expected=[(8, 48, "ORG102")])


def test_a_matrix_of_your_own_can_share_a_responsibility(lint, tmp_path):
    from orglint.config import Settings

    matrix = tmp_path / "matrix.yaml"
    matrix.write_text(
        "apiVersion: orglint/v1\nkind: RoleMatrix\nmetadata: {name: acme}\nspec:\n"
        "  extends: ai-platform\n  responsibilities:\n"
        "    model-design: {owner: data-scientist, shared-with: [ml-engineer]}\n",
        encoding="utf-8")
    settings = Settings(root=tmp_path / "org", select=["ORG102"], cache=False, matrix=matrix)
    found = lint.findings(team("pilot", ["{id: lena, role: ml-engineer, owns: [model-design]}"]),
                          settings=settings)
    assert found == []


def test_shared_with_an_unknown_role_is_a_broken_matrix():
    from orglint.errors import MatrixError
    from orglint.matrix import MatrixSpec, _build

    spec = {"roles": {"a": {}}, "responsibilities": {"x": {"owner": "a", "shared-with": ["b"]}}}
    try:
        _build("m", spec, ["m.yaml"], b"")
    except MatrixError as exc:
        assert "shared with unknown role 'b'" in str(exc)
    else:
        raise AssertionError("accepted")
    assert MatrixSpec.from_dict(spec).responsibilities["x"].shared_with == ("b",)


# -- 4. say one thing once ---------------------------------------------------------------

FEATURE_TEAM = team("pilot", ["{id: lena, role: ml-engineer, owns: [training-code]}"],
                    systems="[feature-store]")


def test_missing_data_engineer_is_one_finding_naming_the_unowned_work(lint):
    found = lint.check(FEATURE_TEAM, select=["ORG201", "ORG202"],
                       expected=[(*at(FEATURE_TEAM, "feature-store"), "ORG201")])
    assert found[0].message.endswith(
        "nobody owns feature-store-population, data-quality-contracts")


def test_org202_speaks_when_org201_is_off(lint):
    lint.check(FEATURE_TEAM, select=["ORG202"],
               expected=[(*at(FEATURE_TEAM, "feature-store"), "ORG202")] * 2)


def test_org202_still_reports_what_the_missing_role_does_not_explain(lint):
    source = team("pilot", ["{id: omar, role: data-engineer, owns: [data-quality-contracts]}"],
                  systems="[feature-store, model-registry]")
    found = lint.check(source, select=["ORG201", "ORG202"], expected=[
        (*at(source, "feature-store"), "ORG202"), (*at(source, "model-registry"), "ORG202"),
        (*at(source, "model-registry"), "ORG202")])
    assert "feature-store-population" in found[0].message


def test_org207_one_finding_per_responsibility_at_its_item(lint):
    # A suppression beside model-registry-contract must stay with it: one finding per
    # item, each at its item, not one per person at their first.
    source = team("production", [
        "{id: mei, role: mlops-engineer, owns: [model-rollback, model-registry-contract]}",
        "{id: kofi, role: platform-engineer, owns: [serving-runtime, model-registry-deployment]}",
        "{id: lena, role: ml-engineer, owns: [inference-handlers]}"],
        systems="[model-serving, model-registry]")
    found = lint.check(source, select=["ORG207"], expected=[
        (*at(source, "model-rollback"), "ORG207"),
        (*at(source, "model-registry-contract"), "ORG207"),
        (*at(source, "serving-runtime"), "ORG207"),
        (*at(source, "model-registry-deployment"), "ORG207"),
        (*at(source, "inference-handlers", 1), "ORG207")])
    assert found[1].message == ("mei is the only owner of model-registry-contract"
                                " (model-registry), needed at production; name a second owner")
    assert all(not f.related for f in found)


# -- the same team at 2, 5, 6 and 30 people (the table in the note for the lead) ----------

BASE = ["{id: mei, role: mlops-engineer, owns: [training-pipelines, training-code,"
        " model-rollback]}",
        "{id: kofi, role: platform-engineer, owns: [serving-runtime, on-call]}",
        "{id: lena, role: ml-engineer, owns: [inference-handlers]}"]


@pytest.mark.parametrize(("size", "expected"), [
    (2, ["ORG201", "ORG202", "ORG207", "ORG207"]),
    (5, ["ORG201", "ORG207", "ORG207", "ORG207"]),
    (6, ["ORG109", "ORG201", "ORG207", "ORG207", "ORG207"]),
    (30, ["ORG109", "ORG201", "ORG207", "ORG207", "ORG207"]),
])
def test_what_each_rule_says_by_team_size(lint, size, expected):
    members = BASE[:size] + [f"{{id: s{n}, role: data-scientist, owns: [model-design]}}"
                             for n in range(size - len(BASE[:size]))]
    source = team("production", [*members, "{id: boss, role: manager}"],
                  systems="[feature-store, model-serving]", extra="  practices: [eval-gate]\n")
    found = lint.findings(source, select=["ORG102", "ORG109", "ORG201", "ORG202", "ORG207"])
    assert sorted(f.code for f in found) == expected


def test_org207_a_person_listed_twice_is_still_the_only_owner(lint):
    # d appears twice (ORG007), each time owning streaming-pipelines: one person, so
    # still a single point of failure, reported once at the first place.
    source = team("production", [
        "{id: d, role: data-engineer, owns: [streaming-pipelines]}",
        "{id: d, role: data-engineer, owns: [streaming-pipelines]}"],
        systems="[streaming]")
    lint.check(source, select=["ORG207"],
               expected=[(*at(source, "streaming-pipelines"), "ORG207")])


def test_org102_names_a_role_of_ones_own_that_has_no_summary(lint, tmp_path):
    # The message quoted the owner's summary by its first letter: a role with none made
    # ORG102 fail on every team (exit 2).
    from orglint.config import Settings

    matrix = tmp_path / "matrix.yaml"
    matrix.write_text(
        "apiVersion: orglint/v1\nkind: RoleMatrix\nmetadata: {name: acme}\nspec:\n"
        "  extends: ai-platform\n  roles:\n    r1: {title: R1}\n  responsibilities:\n"
        "    w1: {owner: r1, title: W1}\n", encoding="utf-8")
    settings = Settings(root=tmp_path / "org", select=["ORG102"], cache=False, matrix=matrix)
    found = lint.findings(team("pilot", ["{id: x, name: X, role: ml-engineer, owns: [w1]}"]),
                          settings=settings)
    assert [f.message for f in found] == ["x (ml-engineer) owns w1, which the matrix gives to r1"]


# -- the coverage table and ORG206 count seats alike (found by review) --------------------

def _table_row(run_cli, tmp_path, source: str) -> str:
    (tmp_path / "t.yaml").write_text(source)
    out = run_cli("check", "--no-cache", "t.yaml", "--output-format", "markdown",
                  cwd=tmp_path).out
    return next(line for line in out.splitlines() if line.startswith("| t |"))


def test_an_ambiguous_title_fills_no_seat_and_the_gap_says_who_could(lint, run_cli,
                                                                    tmp_path):
    # Its role unknown (ORG004), it fills no seat, as ORG201 and ORG205 see it too (a
    # first version seated it, and the second review found ORG201 contradicting the
    # table); the gap names who could fill it.
    members = ["{id: pat, title: ML Platform Engineer, owns: [serving-runtime]}",
               "{id: mo, title: MLOps Engineer, owns: [model-rollback]}",
               "{id: ml, title: Machine Learning Engineer, owns: [inference-handlers]}",
               "{id: ds, title: Data Scientist, owns: [model-design]}",
               "{id: kim, title: Software Engineer, owns: [evaluation-harness]}"]
    source = team("production", members, "[model-serving]")
    found = lint.check(source, select=["ORG206"], expected=[(5, 13, "ORG206")])
    assert found[0].message.endswith(
        "; kim, whose title could mean more than one role, could fill it once their role"
        " is set")
    assert "| 1/2 🟧 |" in _table_row(run_cli, tmp_path, source)  # ml-engineer, alike
    swapped = team("production", [*members[:3], members[4], members[3]], "[model-serving]")
    assert [f.detail for f in lint.findings(swapped, select=["ORG206"])] == [found[0].detail]


def test_a_person_listed_first_as_a_manager_counts_in_their_matrix_role(lint):
    members = ["{id: lee, title: Engineering Manager}", "{id: bo, role: mlops-engineer}",
               "{id: cy, role: data-scientist}", "{id: lee, role: ml-engineer}"]
    found = lint.findings(team("pilot", members, extra="  size: 4\n"),
                          select=["ORG206", "ORG303"])
    assert [f.code for f in found] == ["ORG303"]
    assert "lee" not in found[0].message  # lee holds a matrix role: not "no matrix role"


def test_a_person_listed_twice_does_both_once(lint):
    mo = "{id: mo, role: mlops-engineer, owns: [training-pipelines, training-code]}"
    members = ["{id: pia, role: platform-engineer}", "{id: dan, role: data-scientist}", mo,
               "{id: xi, role: mlops-engineer}", "{id: sy, role: devops-sre}", mo]
    found = lint.findings(team("production", members), select=["ORG206"])
    assert found and "ml-engineer" in found[0].detail


def test_a_person_listed_twice_fills_one_seat_in_both(lint, run_cli, tmp_path):
    members = ["{id: pat, role: platform-engineer}", "{id: mo, role: mlops-engineer}",
               "{id: ml, role: ml-engineer}", "{id: ds, role: data-scientist}",
               "{id: de, role: data-engineer}", "{id: ml, role: ml-engineer}"]
    source = team("production", members, "[model-serving]")
    found = lint.findings(source, select=["ORG206"])
    assert [f.detail for f in found] == ["ml-engineer"]
    assert "| 1/2 🟧 |" in _table_row(run_cli, tmp_path, source)


def test_a_team_with_no_one_in_a_matrix_role_shows_no_gap_it_does_not_report(
        lint, run_cli, tmp_path):
    members = ["{id: lee, title: Head of Machine Learning}", "{id: tom, title: Tech Lead}"]
    source = team("pilot", members, extra="  size: 3\n")
    lint.check(source, select=["ORG206"], expected=[])
    assert "🟥" not in _table_row(run_cli, tmp_path, source)


def test_the_gap_names_who_could_fill_it_once_each(lint):
    # Found by the third review: seated by a later entry, a person is no candidate; one
    # whose only matrix entry is unclear is one; names are joined as a list is written.
    members = ["{id: alice, title: Software Engineer}",
               "{id: alice, title: Software Engineer, role: ml-engineer}",
               "{id: bob, role: mlops-engineer}", "{id: cy, role: data-scientist}"]
    found = lint.findings(team("production", members), select=["ORG206"])
    assert found and "alice" not in found[0].message
    members = ["{id: a, title: Platform Engineer}", "{id: b, title: Platform Engineer}",
               "{id: m, role: mlops-engineer}"]
    found = lint.findings(team("production", members), select=["ORG206"])
    assert "; a and b, whose titles could mean more than one role, could each fill" in (
        found[0].message)
    members = ["{id: al, title: Engineering Manager, role: manager}",
               "{id: al, title: Platform Engineer}", "{id: bo, role: mlops-engineer}",
               "{id: cy, role: ml-engineer}"]
    found = lint.findings(team("production", members), select=["ORG206"])
    assert "platform-engineer" in found[0].detail and "; al, whose title" in found[0].message


def test_org302_counts_the_small_teams_pair_as_one_role(lint):
    # Found by the last review: ML and MLOps work on a team of three is one person's
    # job (the article); with a data engineer's item too, that is two roles, not three.
    priya = "{id: priya, role: ml-engineer, owns: [training-code, training-pipelines," \
            " data-quality-contracts]}"
    members = [priya, "{id: ines, role: data-scientist}", "{id: tom, role: platform-engineer}"]
    lint.check(team("pilot", members), select=["ORG302"], expected=[])
    six = [priya, *[f"{{id: s{n}, role: data-scientist}}" for n in range(5)]]
    assert [f.code for f in lint.findings(team("pilot", six), select=["ORG302"])] == [
        "ORG302"]


def test_a_plan_that_counts_every_person_listed_is_no_mismatch(lint):
    members = ["{id: m, title: Engineering Manager}", "{id: a, role: ml-engineer}",
               "{id: b, role: mlops-engineer}"]
    for size in (2, 3):
        lint.check(team("pilot", members, extra=f"  size: {size}\n"), select=["ORG303"],
                   expected=[])
    assert lint.findings(team("pilot", members, extra="  size: 5\n"), select=["ORG303"])


def test_the_small_teams_pair_is_one_role_across_teams_and_entries(lint):
    # Found by the last review: across teams ORG302 counted the pair as two (and landed
    # on the other team), and a second entry of the same person had no allowance.
    pat = "{{id: pat, name: Pat, role: ml-engineer, allocation: 50, owns: [{owns}]}}"
    alpha = team("pilot", [pat.format(owns="training-code, training-pipelines"),
                           "{id: bo, role: data-scientist}"])
    beta = team("pilot", [pat.format(owns="data-pipelines"), "{id: di, role: data-scientist}"])
    lint.check(alpha, select=["ORG302"], files={"b.yaml": beta}, expected=[])
    dup = team("pilot", ["{id: pat, role: ml-engineer, owns: [training-pipelines]}",
                         "{id: bo, role: data-scientist}",
                         "{id: pat, role: ml-engineer, owns: [training-code, model-rollback,"
                         " data-pipelines]}"])
    lint.check(dup, select=["ORG302"], expected=[])
