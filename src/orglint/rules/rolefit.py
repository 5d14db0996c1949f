"""Role fit (ORG1xx): people hired for one role and used as another."""

from __future__ import annotations

from collections.abc import Iterator

from orglint.findings import Finding, Severity
from orglint.rules.base import Rule, TeamContext
from orglint.rules.patterns import (
    PatternRule,
    TeamSizeOptions,
    holds_both_pairs,
    second_roles,
)


class TitleRoleMismatch(Rule):
    """## What it does
    Compares the title a person was hired under with the `role` they hold on the team.
    Fires when the title maps to exactly one matrix role (`orglint roles TITLE` shows
    how a title is read) and `role` names another matrix role.  Points at the `role`
    value.  It never fires for an ambiguous title ("Platform Engineer" could be a
    platform engineer or an SRE), nor when either side is a role outside the matrix
    (`manager`, `product-manager`, `other`): a manager who keeps an IC title is fine.
    Nor for MLOps and ML engineering on a team of five or fewer (ORG109's `team-size`)
    when the person owns work of both: there one person does both, whichever of the two
    their title or role names.

    ## Why is this bad?
    Hiring for one role and using the person as another is the root of every role-fit
    anti-pattern: the skills they were hired for go unused and the new job is done by
    someone who was never assessed for it.

    ## Example
    ```yaml
    - id: dmitri
      title: Senior DevOps Engineer
      role: mlops-engineer
    ```

    Use instead:
    ```yaml
    - id: dmitri
      title: Senior DevOps Engineer
      role: devops-sre
    ```
    or change the title when the person has really moved into the role.
    """

    code = "ORG101"
    name = "title-role-mismatch"
    severity = Severity.WARNING
    summary = "The title maps to one role, and 'role' says another"

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        for i, member in enumerate(ctx.members):
            info = ctx.roles[i]
            if info.source not in ("role", "people") or info.role is None:
                continue
            hired = info.title_role
            if (hired is None or hired == info.role or not ctx.matrix.in_matrix(hired)
                    or not ctx.matrix.in_matrix(info.role)
                    or second_roles(ctx).get(i) == hired):
                # The last: a small team's MLOps engineer who also does the ML
                # engineering their title names (or the reverse) does both, as the
                # article says one person does there; one who does only the role
                # written was repurposed, and is reported.
                continue
            text = (f"{member.id} was hired as '{info.title}' ({hired}) but holds role"
                    f" {info.role} on {ctx.team.id}")
            why = _misfit(ctx, hired, info.role)
            if why:
                text += f": {why}"
            yield ctx.finding(TitleRoleMismatch, ctx.role_path(i), text, entity=member.id)


def _misfit(ctx: TeamContext, hired: str, held: str) -> str:
    """Why the matrix warns against a ``hired`` person doing ``held`` work, if it does.

    Only an ``owns`` anti-pattern about this very pair is quoted (a DevOps hire running
    MLOps work is ORG104's story); a role's general warning may be about another role.
    """
    matrix = ctx.matrix
    for pattern in matrix.spec.anti_patterns:
        if pattern.kind == "owns" and hired in pattern.roles and pattern.why and any(
                matrix.owner(r) == held for r in matrix.pattern_responsibilities(pattern)):
            return pattern.why
    return ""


class ResponsibilityOutsideRole(Rule):
    """## What it does
    Reports a responsibility that the matrix gives to another role than the member's,
    when no more specific rule (ORG103 to ORG108, or an anti-pattern of your own matrix)
    covers it.  Members with roles outside the matrix (`manager`, `product-manager`,
    `other`) are not checked.  A responsibility the matrix shares with the member's role
    (`shared-with`, such as `on-call` for a platform engineer) is their own work.  MLOps
    and ML-engineering work held by one person is left to ORG109: fine on a team of five
    or fewer, reported once by ORG109 above that.

    ## Why is this bad?
    Each role is a different optimisation function.  Work owned outside its role is
    done by someone who was not hired or assessed for it, and it is the first thing to
    slip when they are busy with their real job.

    ## Example
    ```yaml
    - id: priya
      role: data-scientist
      owns: [model-design, data-pipelines]
    ```

    Use instead:
    ```yaml
    - id: priya
      role: data-scientist
      owns: [model-design]
    - id: omar
      role: data-engineer
      owns: [data-pipelines]
    ```
    """

    code = "ORG102"
    name = "responsibility-outside-role"
    severity = Severity.WARNING
    summary = "A member owns a responsibility the matrix gives to another role"

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        matrix = ctx.matrix
        for i, j, role, owner in outside_role(ctx):
            member = ctx.members[i]
            responsibility = member.owns[j]
            summary = matrix.roles[owner].summary.strip()
            # A matrix of one's own may give a role no summary.
            about = f": {summary[0].lower()}{summary[1:].rstrip('.')}" if summary else ""
            yield ctx.finding(
                ResponsibilityOutsideRole, member.at("owns", j),
                f"{member.id} ({role}) owns {responsibility}, which the matrix gives to"
                f" {owner}{about}", entity=member.id, detail=responsibility)


def _outside_role(ctx: TeamContext) -> Iterator[tuple[int, int, str, str]]:
    """(member index, owns index, the member's role, the work's role) of each item
    ORG102 reports: work another role owns, which no holds-both pattern, no second
    role the member does in a small team, and no owns pattern already speaks for."""
    matrix = ctx.matrix
    pairs = holds_both_pairs(matrix)
    owner_of, holders = matrix.owner, matrix.holders
    hits: set[tuple[int, int]] | None = None  # worked out at the first item to report
    second: dict[int, str] | None = None  # likewise
    for i, member in enumerate(ctx.members):
        role = ctx.roles[i].role
        if not member.owns or role is None or not matrix.in_matrix(role):
            continue
        for j, responsibility in enumerate(member.owns):
            owner = owner_of(responsibility)
            if owner is None or role in holders(responsibility):
                continue
            if frozenset((role, owner)) in pairs:
                continue
            if second is None:
                second = second_roles(ctx)
            if second.get(i) in holders(responsibility):
                continue  # shared with the role this member also does (small team)
            if hits is None:
                hits = ctx.owns_pattern_hits
            if (i, j) in hits:
                continue
            yield i, j, role, owner


def outside_role(ctx: TeamContext) -> list[tuple[int, int, str, str]]:
    """``_outside_role``, worked out once per team: ORG102 and ORG207 both ask."""
    # Kept in the context's own dict, as its lazy values are: the context is one team's.
    memo = ctx.__dict__
    found: list[tuple[int, int, str, str]] | None = memo.get("_outside_role")
    if found is None:
        found = memo["_outside_role"] = list(_outside_role(ctx))
    return found


def misplaced(ctx: TeamContext) -> dict[tuple[int, int], str]:
    """(member index, owns index) of each item a rule says is in the wrong hands, and
    that rule's code: ORG102, or an owns pattern (a DevOps engineer on the MLOps
    pipeline, ORG104).  Their findings are at the item, about the member, with the
    responsibility as detail."""
    out: dict[tuple[int, int], str] = {}
    for pattern, hits in ctx.owns_hits.items():
        for i, j, _ in hits:
            out.setdefault((i, j), pattern.code)
    for i, j, _, _ in outside_role(ctx):
        out.setdefault((i, j), ResponsibilityOutsideRole.code)
    return out


class PlatformWritesTrainingCode(PatternRule):
    """## What it does
    Reports a platform engineer who owns model code: training code, inference
    handlers, evaluation harnesses, distributed training or training optimisation.
    The list is the matrix anti-pattern ORG103.

    ## Why is this bad?
    A platform engineer is hired for the Kubernetes-and-GPU substrate.  Asked to write
    training code, they leave, or they write model code of the quality you would expect
    from someone who was never hired to write it.

    ## Example
    ```yaml
    - id: kofi
      role: platform-engineer
      owns: [gpu-operator, training-code]
    ```

    Use instead:
    ```yaml
    - id: kofi
      role: platform-engineer
      owns: [gpu-operator]
    - id: lena
      role: ml-engineer
      owns: [training-code]
    ```
    """

    code = "ORG103"
    name = "platform-writes-training-code"
    severity = Severity.ERROR
    summary = "A platform engineer owns model code"


class DevopsRunsModelLifecycle(PatternRule):
    """## What it does
    Reports a DevOps engineer or SRE who owns model lifecycle work: any responsibility
    the matrix gives to the MLOps engineer (training pipelines, promotion gates,
    rollback, drift detection, ...).

    ## Why is this bad?
    A DevOps engineer asked to "also handle MLOps" runs a model lifecycle on top of a
    general infrastructure job, and one of the two halves rots.

    ## Example
    ```yaml
    - id: dmitri
      role: devops-sre
      owns: [ci-runners, training-pipelines]
    ```

    Use instead:
    ```yaml
    - id: dmitri
      role: devops-sre
      owns: [ci-runners]
    - id: mei
      role: mlops-engineer
      owns: [training-pipelines]
    ```
    """

    code = "ORG104"
    name = "devops-runs-model-lifecycle"
    severity = Severity.ERROR
    summary = "A DevOps/SRE owns model lifecycle work"


class MlEngineerRunsCluster(PatternRule):
    """## What it does
    Reports an ML engineer who owns the GPU and cluster substrate: the GPU operator,
    GPU scheduling, cluster operations, cluster networking or GPU fairness.

    ## Why is this bad?
    An ML engineer running the cluster spends on driver versions and network policy the
    attention that model architecture needs, and the cluster gets a part-time owner.

    ## Example
    ```yaml
    - id: lena
      role: ml-engineer
      owns: [training-code, gpu-operator]
    ```

    Use instead:
    ```yaml
    - id: lena
      role: ml-engineer
      owns: [training-code]
    - id: kofi
      role: platform-engineer
      owns: [gpu-operator]
    ```
    """

    code = "ORG105"
    name = "ml-engineer-runs-cluster"
    severity = Severity.ERROR
    summary = "An ML engineer owns the GPU/cluster substrate"


class DevopsOwnsGpuSubstrate(PatternRule):
    """## What it does
    Reports a DevOps engineer or SRE who owns GPU substrate work that needs GPU depth:
    the GPU operator, GPU scheduling or GPU fairness.

    ## Why is this bad?
    DevOps and AI platform engineering are confused because both run Kubernetes, but the
    GPU resource model (device plugin, MIG, gang scheduling, fair sharing) is a depth a
    general SRE is not hired for.

    ## Example
    ```yaml
    - id: sam
      role: devops-sre
      owns: [gpu-scheduling]
    ```

    Use instead:
    ```yaml
    - id: kofi
      role: platform-engineer
      owns: [gpu-scheduling]
    ```
    """

    code = "ORG106"
    name = "devops-owns-gpu-substrate"
    severity = Severity.WARNING
    summary = "A DevOps/SRE owns GPU substrate work that needs GPU-specific depth"


class PipelineRoleConflation(PatternRule):
    """## What it does
    Reports an MLOps engineer who owns data pipelines (data-engineer responsibilities),
    or a data engineer who owns model lifecycle work (MLOps responsibilities).

    ## Why is this bad?
    Both roles run pipelines, which is why they are confused, but one ships models and
    the other ships data.  The person holding both lets the data contracts or the model
    lifecycle go unowned.

    ## Example
    ```yaml
    - id: mei
      role: mlops-engineer
      owns: [training-pipelines, feature-store-population]
    ```

    Use instead:
    ```yaml
    - id: mei
      role: mlops-engineer
      owns: [training-pipelines]
    - id: omar
      role: data-engineer
      owns: [feature-store-population]
    ```
    """

    code = "ORG107"
    name = "pipeline-role-conflation"
    severity = Severity.WARNING
    summary = "MLOps and data engineering are conflated in one person"


class ScientistOwnsProduction(PatternRule):
    """## What it does
    Reports a data scientist who owns production model work: inference handlers, the
    serving runtime, model deployment, promotion gates or rollback.

    ## Why is this bad?
    A data scientist's job ends with a sound model decision and a hand-over to ML
    engineering or MLOps.  Production duties pull them into on-call work they were not
    hired for, and the production path gets an owner who is not fluent in it.

    ## Example
    ```yaml
    - id: priya
      role: data-scientist
      owns: [model-design, model-deployment]
    ```

    Use instead:
    ```yaml
    - id: priya
      role: data-scientist
      owns: [model-design]
    - id: mei
      role: mlops-engineer
      owns: [model-deployment]
    ```
    """

    code = "ORG108"
    name = "scientist-owns-production"
    severity = Severity.WARNING
    summary = "A data scientist owns production model work"


class MlopsMlConflated(PatternRule):
    """## What it does
    On a team larger than `team-size` (default 5), reports a person who holds both MLOps
    and ML-engineering work: who owns responsibilities of both, or has one of the two
    roles and owns responsibilities of the other.  The team's size is the number of
    members who hold matrix roles (managers, product managers and `spec.size` do not
    count).  On a smaller team no rule reports the pairing, ORG102 included.

    ## Why is this bad?
    MLOps and ML engineering are the most often conflated pair.  In a small team one
    person does both; past five people, splitting them is what makes both halves work.

    ## Example
    ```yaml
    spec:
      members:  # six people in matrix roles
        - id: mei
          role: mlops-engineer
          owns: [training-pipelines, training-code]
        # ... five more
    ```

    Use instead:
    ```yaml
    spec:
      members:
        - id: mei
          role: mlops-engineer
          owns: [training-pipelines]
        - id: lena
          role: ml-engineer
          owns: [training-code]
        # ... four more
    ```

    ## Options
    - `team-size`: the largest team on which holding both is fine (default 5, from the
      matrix).
    """

    code = "ORG109"
    name = "mlops-ml-conflated"
    severity = Severity.WARNING
    summary = "On a team larger than five, one person holds both MLOps and ML engineering"
    Options = TeamSizeOptions


