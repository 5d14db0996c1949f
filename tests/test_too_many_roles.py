"""ORG302 too-many-roles: one person's responsibilities span three or more roles, on one
team or across the teams of the org (spec section 3)."""

from __future__ import annotations

from pathlib import Path

TEAM_A = """\
    apiVersion: orglint/v1
    kind: Team
    metadata: {name: team-a}
    spec:
      maturity: pilot
      members:
        - {id: alex, title: ML Engineer, allocation: 50, owns: [training-code, data-pipelines]}
    """

TEAM_B = """\
    apiVersion: orglint/v1
    kind: Team
    metadata: {name: team-b}
    spec:
      maturity: pilot
      members:
        - {id: alex, title: ML Engineer, allocation: 50, owns: [training-code, model-design]}
    """


def many_roles(folder: Path, roles: list[str]) -> Path:
    """A matrix of one's own with ``roles``, each owning one responsibility (w + id)."""
    matrix = folder / "matrix.yaml"
    matrix.write_text(
        "apiVersion: orglint/v1\nkind: RoleMatrix\nmetadata: {name: many}\nspec:\n"
        "  extends: ai-platform\n  roles:\n"
        + "".join(f"    {r}: {{title: Role {r}}}\n" for r in roles)
        + "  responsibilities:\n"
        + "".join(f"    w{r}: {{owner: {r}, title: Work {r}}}\n" for r in roles),
        encoding="utf-8")
    return matrix


def test_one_membership_spanning_three_roles(lint):
    lint.check("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: solo}
        spec:
          maturity: pilot
          members:
            - id: alex
              role: ml-engineer
              owns: [training-code, gpu-cluster-ops, data-pipelines]
        """, expected=[(7, 11, "ORG302")], select=["ORG302"])


def test_a_manager_or_product_manager_is_never_flagged(lint):
    # Spec §2: the non-matrix roles are allowed and never flagged; a head of ML platform
    # owning gates, on-call and fairness is not one person standing in for a team.
    lint.check("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: lead}
        spec:
          maturity: production
          members:
            - id: boss
              title: Head of ML Platform
              owns: [promotion-gates, on-call, gpu-fairness, data-quality-contracts]
            - id: pm
              role: product-manager
              owns: [training-code, training-pipelines, data-pipelines]
            - id: alex
              role: ml-engineer
              owns: [training-code, gpu-cluster-ops, data-pipelines]
        """, expected=[(13, 11, "ORG302")], select=["ORG302"])
    # Across teams too: the manager's membership holds no work to count.
    lint.check(TEAM_A, files={"b.yaml": TEAM_B.replace("title: ML Engineer",
                                                       "role: manager")},
               expected=[], select=["ORG302"])


def test_work_spread_over_two_teams_is_counted_together(lint):
    found = lint.check(TEAM_A, files={"b.yaml": TEAM_B}, expected=[(7, 12, "ORG302")],
                       select=["ORG302"])
    assert found[0].message == (
        "alex owns the work of 3 roles across teams (data-engineer, data-scientist,"
        " ml-engineer); here data-engineer, ml-engineer, also on team-b (b.yaml:7):"
        " one person is standing in for a team")
    assert [(r.file, r.line, r.column) for r in found[0].related] == [("b.yaml", 7, 12)]


def test_two_teams_within_two_roles_are_silent(lint):
    lint.check(TEAM_A, files={"b.yaml": TEAM_B.replace("model-design", "data-pipelines")},
               expected=[], select=["ORG302"])


def test_a_membership_that_spans_them_alone_is_the_team_rules(lint):
    crowded = TEAM_B.replace("[training-code, model-design]",
                             "[training-code, model-design, data-pipelines]")
    # b.yaml's own team finding stands, once; a.yaml, two roles alone, is reported for
    # the person's work across the teams.
    lint.check(crowded, files={"a.yaml": TEAM_A}, expected=[(7, 12, "ORG302")],
               select=["ORG302"])
    found = lint.check(TEAM_A, files={"b.yaml": crowded}, expected=[(7, 12, "ORG302")],
                       select=["ORG302"])
    assert "across teams" in found[0].message


def test_a_message_names_a_few_roles_and_places_whatever_the_org(lint, tmp_path):
    # A matrix of many roles and one person on many teams, each team's work another
    # role's: the messages stay short (they grew with roles x places).
    from orglint.config import Settings

    matrix = many_roles(tmp_path, [f"r{k:02d}" for k in range(40)])
    teams = {f"t{k:02d}.yaml": TEAM_B.replace("team-b", f"team-{k:02d}").replace(
        "title: ML Engineer, allocation: 50, owns: [training-code, model-design]",
        f"role: r{k:02d}, allocation: 1, owns: [wr{k:02d}]") for k in range(1, 40)}
    source = TEAM_B.replace("title: ML Engineer, allocation: 50, owns: [training-code,"
                            " model-design]", "role: r00, allocation: 1, owns: [wr00]")
    settings = Settings(root=tmp_path / "org", select=["ORG302"], cache=False,
                        matrix=matrix, paths=list(teams))
    found = lint.check(source, files=teams, settings=settings, expected=[(7, 12, "ORG302")])
    assert "owns the work of 40 roles across teams (r00, r01, r02, r03, r04 and 35 more)" \
        in found[0].message
    assert "and 34 more" in found[0].message and len(found[0].message) < 400


def test_max_roles_counts_across_teams_too(lint):
    lint.check(TEAM_A, files={"b.yaml": TEAM_B}, expected=[], select=["ORG302"],
               rule_options={"ORG302": {"max-roles": 4}})


def test_a_person_file_entry_adds_no_work(lint):
    people = """\
        apiVersion: orglint/v1
        kind: People
        spec:
          people:
            - {id: alex, name: Alex, title: ML Engineer}
        """
    lint.check(TEAM_A, files={"people.yaml": people}, expected=[], select=["ORG302"])


def test_shared_work_counts_as_the_members_own_role(lint):
    # on-call is shared with the platform engineer's role: two roles in all, not three
    # (counted as the SRE's work it would be three).
    other = TEAM_B.replace(
        "{id: alex, title: ML Engineer, allocation: 50, owns: [training-code, model-design]}",
        "{id: alex, role: platform-engineer, allocation: 50, owns: [gpu-operator, on-call]}")
    lint.check(TEAM_A.replace(", data-pipelines", ""), files={"b.yaml": other},
               expected=[], select=["ORG302"])


def test_the_work_table_grows_with_the_matrix_not_its_square(tmp_path):
    # One entry per role and responsibility made a matrix of one's own of a megabyte
    # (the repository's) cost gigabytes: the table holds owners and shares only.
    from orglint.matrix import load_matrix
    from orglint.rules.people import _work_tables

    matrix = many_roles(tmp_path, [f"r{k:03d}" for k in range(300)])
    loaded = load_matrix(matrix)
    owners, shares = _work_tables(loaded)
    entries = len(owners) + sum(map(len, shares.values()))
    assert entries <= 2 * (len(loaded.roles) + len(loaded.responsibilities)), entries


def test_a_person_listed_twice_on_a_team_holds_the_work_of_both_entries(lint):
    # ORG007 is the repeat's; the work of both entries counts toward ORG302 across teams.
    twice = TEAM_A.replace(
        "{id: alex, title: ML Engineer, allocation: 50, owns: [training-code, data-pipelines]}",
        "{id: alex, title: ML Engineer, allocation: 25, owns: [training-code]}\n"
        "        - {id: alex, title: ML Engineer, allocation: 25, owns: [data-pipelines]}")
    lint.check(twice, files={"b.yaml": TEAM_B}, select=["ORG302"],
               expected=[(7, 12, "ORG302")])


def test_an_ambiguous_title_holds_what_either_role_it_could_mean_shares(lint):
    # "MLOps/ML Engineer" is ORG004 (no role); on-call is shared with both roles it
    # could mean, so it is no third role's work.
    lint.check("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: theo, title: MLOps/ML Engineer, owns: [model-rollback, training-code, on-call]}
        """, expected=[], select=["ORG302"])


def test_a_person_listed_twice_on_one_team_only_is_counted_over_both_entries(lint):
    # ORG007 is the repeat's; neither entry spans three roles alone, both together do.
    lint.check("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: p, role: data-engineer, owns: [data-pipelines]}
            - {id: p, role: data-engineer, owns: [ci-runners, training-pipelines]}
        """, expected=[(7, 12, "ORG302")], select=["ORG302"])


def test_a_shared_item_counts_as_a_role_the_member_already_holds(lint):
    # "Platform/ML Engineer" could be either; on call beside GPU work, they are a
    # platform engineer on call, not an ML engineer as well (a third role).
    lint.check("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: p, title: Platform/ML Engineer, owns: [on-call, gpu-operator, ci-runners]}
        """, expected=[], select=["ORG302"])
