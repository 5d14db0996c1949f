"""ORG207 single-point-of-failure, in the style of yamllint's rule tests."""

from __future__ import annotations

from tests.conftest import at

TEAM = """\
    apiVersion: orglint/v1
    kind: Team
    metadata: {name: ads}
    spec:
      maturity: production
      systems: [feature-store, model-serving]
      members:
        - {id: f1, role: platform-engineer, owns: [serving-runtime]}
        - {id: f2, role: mlops-engineer, owns: [model-rollback, promotion-gates]}
        - {id: f3, role: ml-engineer, owns: [inference-handlers, feature-store-population]}
    """


def test_one_owner_of_required_work_is_reported_at_the_item(lint):
    lint.check(TEAM, select=["ORG207"], expected=[
        (*at(TEAM, "serving-runtime"), "ORG207"), (*at(TEAM, "model-rollback"), "ORG207"),
        (*at(TEAM, "inference-handlers"), "ORG207"),
        (*at(TEAM, "feature-store-population"), "ORG207")])


def test_work_in_the_wrong_hands_is_left_to_that_finding(lint):
    # Found by review: f3 (ml-engineer) owns feature-store-population, which ORG102 says
    # is a data engineer's; ORG207 asked at the same item for a second owner of it.
    lint.check(TEAM, select=["ORG102", "ORG207"], expected=[
        (*at(TEAM, "serving-runtime"), "ORG207"), (*at(TEAM, "model-rollback"), "ORG207"),
        (*at(TEAM, "inference-handlers"), "ORG207"),
        (*at(TEAM, "feature-store-population"), "ORG102")])
    # A DevOps engineer on the MLOps pipeline (ORG104): the same.
    devops = TEAM.replace("{id: f2, role: mlops-engineer", "{id: f2, role: devops-sre")
    lint.check(devops, select=["ORG104", "ORG207"], expected=[
        (*at(devops, "serving-runtime"), "ORG207"), (*at(devops, "model-rollback"), "ORG104"),
        (*at(devops, "promotion-gates"), "ORG104"), (*at(devops, "inference-handlers"), "ORG207"),
        # ORG102 not selected here: f3's item is a single point nothing else reports.
        (*at(devops, "feature-store-population"), "ORG207")])


def test_work_in_the_wrong_hands_is_a_single_point_where_that_finding_is_not_shown(lint):
    # Found by review: ORG207 deferred to ORG102 even when ORG102 was switched off or
    # suppressed, and then nothing at all pointed at the item.
    suppressed = TEAM.replace("feature-store-population]}",
                              "feature-store-population]}  # orglint: ignore[ORG102]")
    lint.check(suppressed, select=["ORG102", "ORG207"], expected=[
        (*at(suppressed, "serving-runtime"), "ORG207"),
        (*at(suppressed, "model-rollback"), "ORG207"),
        (*at(suppressed, "inference-handlers"), "ORG207"),
        (*at(suppressed, "feature-store-population"), "ORG207")])
