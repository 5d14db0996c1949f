"""ORG903: a policy rule of the org's own that could not be evaluated on a target."""

from __future__ import annotations

from orglint.findings import Severity
from orglint.rules.base import Rule


class PolicyErrorRule(Rule):
    """## What it does
    Reports a target (a team, a member, a person or the org) on which a policy rule of
    the organisation's own (`kind: Policy`) failed to evaluate: a missing key, a type
    error, a value of the wrong type, or the CEL engine's iteration budget exceeded.

    ## Why is this bad?
    A rule that cannot be evaluated has not checked anything. Counting it as a pass would
    hide exactly the teams the rule was written for.

    ## Example
    ```yaml
    # policy: expression: "team.spec.members.all(m, m.level.startsWith('s'))"
    members:
      - {id: ana, title: Data Scientist}   # no level anywhere: m.level is null, and
                                           # null has no startsWith
    ```

    Use instead:
    Guard optional fields in the policy (`m.level != null && ...`), or give the field a
    value in the team file.
    """

    code = "ORG903"
    name = "policy-error"
    severity = Severity.ERROR
    summary = "A policy rule of the org's own failed to evaluate on a target"
    scope = "policy"
