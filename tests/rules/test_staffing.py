"""ORG205 and ORG206 against the team's stage, size and systems, and the mix they share
with the composer."""

from __future__ import annotations

import pytest

from orglint.errors import MatrixError
from orglint.explore import compose
from orglint.matrix import load_matrix


def team(maturity: str, roles: list[str], systems: str = "[]", size: str = "") -> str:
    return ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
            f"  maturity: {maturity}\n  systems: {systems}\n{size}  members:\n"
            + "".join(f"    - {{id: m{i}, role: {r}}}\n" for i, r in enumerate(roles)))


def test_org205_names_the_teams_own_stage(lint):
    (found,) = lint.check(team("scale", ["mlops-engineer"], "[model-serving]"),
                          select=["ORG205"], expected=[(5, 13, "ORG205")])
    assert "is at scale" in found.message
    assert "production" not in found.message


def test_org206_counts_members_with_matrix_roles(lint):
    """A manager is not a seat: platform + MLOps + a manager is the mix for two."""
    lint.check(team("production", ["platform-engineer", "mlops-engineer", "manager"]),
               select=["ORG206"], expected=[])


def test_org206_ignores_a_planned_size(lint):
    lint.check(team("production", ["platform-engineer", "mlops-engineer"], size="  size: 6\n"),
               select=["ORG206"], expected=[])


def test_org206_message_says_team_of(lint):
    (found,) = lint.check(team("pilot", ["data-scientist"]), select=["ORG206"],
                          expected=[(5, 13, "ORG206")])
    assert found.message.startswith("the recommended mix for a team of 1 at pilot has"
                                    " 1 more ml-engineer")


def test_org206_compares_every_seat_of_a_large_team(lint):
    """Sixteen heads are not the eight-seat list twice: model code grows fastest."""
    eight = ["platform-engineer", "mlops-engineer", "ml-engineer", "data-scientist",
             "ml-engineer", "mlops-engineer", "data-engineer", "platform-engineer"]
    (found,) = lint.check(team("production", eight * 2), select=["ORG206"],
                          expected=[(5, 13, "ORG206")])
    assert "more ml-engineer" in found.message
    matrix = load_matrix()
    seats = [s.role for s in compose(matrix, 16, "production", []).seats]
    lint.check(team("production", seats), select=["ORG206"], expected=[])


def test_org206_uses_the_systems_the_team_runs(lint):
    """With a feature store the mix seats a data engineer (as `compose` does)."""
    article = ["platform-engineer", "mlops-engineer", "ml-engineer", "data-scientist",
               "ml-engineer", "mlops-engineer"]
    lint.check(team("production", article), select=["ORG206"], expected=[])
    (found,) = lint.check(team("production", article, "[feature-store]"),
                          select=["ORG206"], expected=[(5, 13, "ORG206")])
    assert "1 more data-engineer" in found.message


MATRIX = """\
apiVersion: orglint/v1
kind: RoleMatrix
metadata: {name: acme}
spec:
  extends: ai-platform
  maturity:
    pilot:
      seats:
        - {role: ml-engineer, reason: Model code., owns: [training-code]}
        - {role: ml-engineer, reason: More model code.}
        - {role: data-scientist, reason: The model decision.}
"""


def test_a_stage_without_growth_grows_by_its_lists_counts(tmp_path):
    (tmp_path / "m.yaml").write_text(MATRIX)
    matrix = load_matrix(tmp_path / "m.yaml")
    result = compose(matrix, 30, "pilot", [])
    assert result.mix() == {"ml-engineer": 20, "data-scientist": 10}
    assert result.seats[0].owns == ("training-code",)


@pytest.mark.parametrize(("patch", "message"), [
    ("owns: [training-code]", "owning unknown responsibility 'traning-code'"),
    ("role: data-scientist", "a seat for unknown role 'data-scientst'"),
])
def test_a_stage_seat_must_name_known_roles_and_responsibilities(tmp_path, patch, message):
    wrong = patch.replace("training", "traning").replace("scientist", "scientst")
    (tmp_path / "m.yaml").write_text(MATRIX.replace(patch, wrong))
    with pytest.raises(MatrixError, match=message):
        load_matrix(tmp_path / "m.yaml")


def test_a_stage_without_seats_composes_gaps_and_no_mix(tmp_path, run_cli):
    (tmp_path / "m.yaml").write_text(MATRIX.split("      seats:")[0] + "      title: Pilot\n")
    (tmp_path / "c.yaml").write_text("matrix: m.yaml\n")
    result = run_cli("compose", "--size", "3", "--maturity", "pilot", "--systems",
                     "feature-store", "--config", "c.yaml", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "Mix: stage pilot lists no seats" in result.out
    assert "no data-engineer in a mix of 3 heads; orglint check reports ORG201" in result.out
