"""ORG302, ORG303, ORG401, ORG402."""

from __future__ import annotations


def team(members: list[str], extra: str = "") -> str:
    return ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
            f"  maturity: pilot\n{extra}  members:\n"
            + "".join(f"    - {m}\n" for m in members))


def test_org302_three_roles_at_member_id(lint):
    lint.check(team(["{id: a, role: ml-engineer, owns: [training-code, training-pipelines,"
                     " data-pipelines]}"]), select=["ORG302"], expected=[(7, 12, "ORG302")])


def test_org302_two_roles_is_fine_and_option(lint):
    source = team(["{id: a, role: ml-engineer, owns: [training-code, training-pipelines]}"])
    lint.check(source, select=["ORG302"], expected=[])
    lint.check(source, select=["ORG302"], expected=[(7, 12, "ORG302")],
               rule_options={"too-many-roles": {"max-roles": 2}})


def test_org303_size_mismatch_at_size(lint):
    lint.check(team(["{id: a, role: ml-engineer}"], extra="  size: 3\n"),
               select=["ORG303"], expected=[(6, 9, "ORG303")])
    lint.check(team(["{id: a, role: ml-engineer}"], extra="  size: 1\n"),
               select=["ORG303"], expected=[])


def test_org401_skills_without_day_one_bar(lint):
    lint.check(team(["{id: a, role: platform-engineer, skills: [excel]}",
                     "{id: b, role: platform-engineer, skills: [Kubernetes, excel]}",
                     "{id: c, role: platform-engineer}"]),
               select=["ORG401"], expected=[(7, 40, "ORG401")])


def test_org402_senior_work_held_only_by_juniors(lint):
    lint.check(team(["{id: a, role: mlops-engineer, level: junior, owns: [eval-gate]}",
                     "{id: b, role: mlops-engineer, level: mid, owns: [eval-gate]}"]),
               select=["ORG402"], expected=[(7, 59, "ORG402"), (8, 56, "ORG402")])


def test_org402_silent_with_a_senior_holder_or_unknown_level(lint):
    lint.check(team(["{id: a, role: mlops-engineer, level: junior, owns: [eval-gate]}",
                     "{id: b, role: mlops-engineer, level: staff, owns: [eval-gate]}"]),
               select=["ORG402"], expected=[])
    lint.check(team(["{id: a, role: platform-engineer, owns: [gpu-fairness]}"]),
               select=["ORG402"], expected=[])
