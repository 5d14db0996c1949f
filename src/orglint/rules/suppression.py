"""Suppression rules (ORG9xx): reported by the suppression pass, not by a check."""

from __future__ import annotations

from orglint.findings import Severity
from orglint.rules.base import Rule


class UnusedSuppression(Rule):
    """## What it does
    Reports an `# orglint: ignore[...]` comment (or a code in it) that suppressed
    nothing.  Also reports a malformed one, which suppresses nothing: a comment starting
    with `orglint:` with an unknown directive, no brackets, empty brackets, an unknown
    code (with a "did you mean"), a code prefix, an unknown option, or an `until=` that
    is not a `YYYY-MM-DD` date.

    ## Why is this bad?
    A stale suppression hides the next real finding on that line, and tells readers
    there is a problem where there is none.  A malformed one looks like it hides a
    finding, or that it expires, when it does neither.

    ## Example
    ```yaml
    - id: alice   # orglint: ignore[ORG104] handing over in Q3
      role: ml-engineer
    ```

    Use instead:
    ```yaml
    - id: alice
      role: ml-engineer
    ```
    """

    code = "ORG901"
    name = "unused-suppression"
    severity = Severity.WARNING
    summary = "A suppression suppressed nothing"
    scope = "suppression"


class ExpiredSuppression(Rule):
    """## What it does
    Reports an `# orglint: ignore[...] until=YYYY-MM-DD` comment whose date has passed.
    The finding it suppressed is reported again as well.

    ## Why is this bad?
    A dated suppression is a promise to fix something by then.  Past the date the
    promise is broken, and the finding is back.

    ## Example
    ```yaml
    owns: [training-pipelines]  # orglint: ignore[ORG104] until=2024-01-31 hiring
    ```

    Use instead:
    ```yaml
    owns: [ci-runners]
    ```
    or a new date with a reason, if the plan has really changed.
    """

    code = "ORG902"
    name = "expired-suppression"
    severity = Severity.ERROR
    summary = "A suppression's expiry date has passed"
    scope = "suppression"
