"""Coverage and staffing (ORG2xx): what the team runs against who it has."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Iterator

from orglint.findings import Finding, Severity, covered
from orglint.matrix import Matrix
from orglint.memo import Memo
from orglint.mix import Mix, MixSeat, RuleRef, build, seat_roles
from orglint.ntuple import NamedTuple
from orglint.rules.base import Rule, TeamContext
from orglint.rules.patterns import PatternRule, doing_both, left_to_missing_role
from orglint.rules.rolefit import misplaced
from orglint.wording import plural


class FeatureStoreWithoutDataEngineer(PatternRule):
    """## What it does
    Reports a team that runs a `feature-store` and has no member with role
    `data-engineer`.  The finding points at the `feature-store` item of `systems`, and
    its message names the data-engineering work the feature store requires that nobody
    owns (ORG202 then leaves that work to this rule).

    A data engineer on a related team counts: the nearest team above or below, through
    `metadata.parent` (groups passed through), as a platform team and the teams that use it.

    ## Why is this bad?
    Without a data engineer the ML team rebuilds data pipelines ad hoc, and the feature
    store has no schema contract or SLA that its consumers can rely on.

    ## Example
    ```yaml
    spec:
      systems: [feature-store]
      members:
        - {id: lena, role: ml-engineer}
    ```

    Use instead:
    ```yaml
    spec:
      systems: [feature-store]
      members:
        - {id: lena, role: ml-engineer}
        - {id: omar, role: data-engineer, owns: [feature-store-population]}
    ```
    """

    code = "ORG201"
    name = "feature-store-without-data-engineer"
    severity = Severity.ERROR
    summary = "The team runs a feature store and has no data engineer"


class UnownedSystemResponsibility(Rule):
    """## What it does
    For each system the team runs, checks that every responsibility the matrix says it
    requires is owned by some member.  The finding points at the system.  What a missing
    role already explains is left to that rule: with no data engineer on a feature-store
    team, ORG201 names the unowned feature-store work and this rule stays silent on it
    (ORG205 likewise for serving and GPU work at production with no platform engineer).
    Where that finding is suppressed (a comment, `ignore-file`, `per-file-ignores`), this
    rule reports the work again: accepting "no data engineer yet" is not accepting
    "nobody populates the feature store".

    Work that a related team owns counts: the nearest team above or below, through
    `metadata.parent` (groups passed through).  A platform team's serving runtime answers the
    teams that deploy onto it, and their rollback and inference handlers answer the
    platform team's serving stack.

    ## Why is this bad?
    A system with an unowned responsibility fails in exactly that place: a model serving
    stack with nobody on rollback cannot take back a bad model.

    ## Example
    ```yaml
    systems: [model-serving]
    members:
      - {id: lena, role: ml-engineer, owns: [inference-handlers]}
    ```

    Use instead:
    ```yaml
    systems: [model-serving]
    members:
      - {id: lena, role: ml-engineer, owns: [inference-handlers]}
      - {id: kofi, role: platform-engineer, owns: [serving-runtime]}
      - {id: mei, role: mlops-engineer, owns: [model-rollback]}
    ```
    """

    code = "ORG202"
    name = "unowned-system-responsibility"
    severity = Severity.WARNING
    summary = "A system the team runs requires a responsibility that no member owns"

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        owned = ctx.owned
        # Worked out only for a team with a gap.
        said: dict[tuple[str, str], tuple[str, str, tuple[str | int, ...]]] | None = None
        for k, system_id in enumerate(ctx.team.spec.systems):
            system = ctx.matrix.systems.get(system_id)
            if system is None:
                continue
            for need in system.requires:
                if need in owned:
                    continue
                if said is None:
                    said = left_to_missing_role(ctx)
                detail = f"{system_id}:{need}"
                by = said.get((system_id, need))
                if by is not None:
                    # Left to that finding, unless it is suppressed (findings.needed).
                    code, by_detail, by_path = by
                    detail = covered(detail, code, by_detail, ctx.doc.source.span(by_path).line)
                owner = ctx.matrix.owner(need)
                yield ctx.finding(
                    UnownedSystemResponsibility, ("spec", "systems", k),
                    f"{ctx.team.id} runs {system_id}, which requires {need}, and no member"
                    f" owns it (usually {owner} work)", detail=detail)


class ProductionWithoutLifecycleOwner(PatternRule):
    """## What it does
    At maturity `production` or `scale`, reports a team where nobody owns
    `model-rollback` or `promotion-gates`.  Points at `spec.maturity`.  A team that
    does no model work is not reported: it lists systems the matrix knows, none of
    which needs MLOps work, and no member is an MLOps or ML engineer or owns their work
    (a GPU platform team with only `gpu-cluster`, a data team with a feature store).  A
    team that lists no systems is judged by its maturity alone.

    An owner on a related team counts: the nearest team above or below, through
    `metadata.parent` (groups passed through): a platform team's users own its models'
    rollback.

    ## Why is this bad?
    Live models need a way to be stopped before they ship and taken back after.  With
    neither a promotion gate nor a rollback path, a bad model reaches users and stays.

    ## Example
    ```yaml
    spec:
      maturity: production
      members:
        - {id: lena, role: ml-engineer, owns: [training-code]}
    ```

    Use instead:
    ```yaml
    spec:
      maturity: production
      members:
        - {id: lena, role: ml-engineer, owns: [training-code]}
        - {id: mei, role: mlops-engineer, owns: [promotion-gates, model-rollback]}
    ```
    """

    code = "ORG203"
    name = "production-without-lifecycle-owner"
    severity = Severity.ERROR
    summary = "A production team has nobody on rollback or promotion gates"


class ProductionWithoutEvalGate(PatternRule):
    """## What it does
    At maturity `production` or `scale`, reports a team that neither lists the
    `eval-gate` practice nor has a member who owns `eval-gate`.  As for ORG203, a team
    that does no model work (only `gpu-cluster` and platform engineers, say) is not
    reported.

    A related team's gate counts: the nearest team above or below, through
    `metadata.parent` (groups passed through), that lists the practice or has a member who
    owns it.

    ## Why is this bad?
    An eval-in-the-loop gate before every deployment is the quality gate of a production
    team; without it each deployment is judged by its users.

    ## Example
    ```yaml
    spec:
      maturity: production
      practices: []
    ```

    Use instead:
    ```yaml
    spec:
      maturity: production
      practices: [eval-gate]
    ```
    """

    code = "ORG204"
    name = "production-without-eval-gate"
    severity = Severity.WARNING
    summary = "A production team has no eval-in-the-loop gate"


class ProductionWithoutSubstrateOwner(PatternRule):
    """## What it does
    At maturity `production` or `scale`, reports a team that runs `gpu-cluster` or
    `model-serving` and has no member with role `platform-engineer`.  Points at
    `spec.maturity`; the message names the platform work those systems require that
    nobody owns (ORG202 then leaves that work to this rule).

    A platform engineer on a related team counts: the nearest team above or below, through
    `metadata.parent` (groups passed through), such as the platform team whose cluster a team
    deploys onto.

    ## Why is this bad?
    Under live traffic the GPU and serving substrate needs on-call owners with
    GPU-specific depth; a general SRE or an ML engineer covering it part-time is how
    outages last.

    ## Example
    ```yaml
    spec:
      maturity: production
      systems: [model-serving]
      members:
        - {id: sam, role: devops-sre}
    ```

    Use instead:
    ```yaml
    spec:
      maturity: production
      systems: [model-serving]
      members:
        - {id: kofi, role: platform-engineer, owns: [serving-runtime]}
    ```
    """

    code = "ORG205"
    name = "production-without-substrate-owner"
    severity = Severity.WARNING
    summary = "A production team runs GPU or serving substrate without a platform engineer"


_UNOWNED = RuleRef(UnownedSystemResponsibility.code, UnownedSystemResponsibility.name,
                   UnownedSystemResponsibility.severity)


def recommended_mix(matrix: Matrix, stage: str, size: int,
                    systems: Iterable[str] = ()) -> Mix:
    """The mix for a team of ``size`` at ``stage`` running ``systems``: the composer's
    seats and the needs it could not seat (see ``orglint.mix``)."""
    return build(matrix, stage, size, systems, _UNOWNED)


def recommended_seats(matrix: Matrix, stage: str, size: int,
                      systems: Iterable[str] = ()) -> list[MixSeat]:
    """The seats of ``recommended_mix`` without what each owns."""
    return seat_roles(matrix, stage, size, systems, _UNOWNED)


class RoleMixGap(Rule):
    """## What it does
    Compares the team's roles with the recommended mix for its size, maturity and
    systems (exactly the seats of `orglint compose --size N --maturity STAGE --systems
    ...`) and says which seats are missing.  The size is the number of members who
    hold matrix roles.  On a team no larger than five, a member who does MLOps and
    ML-engineering work (one role, and owning the other's responsibilities) fills a
    seat of each: in a small team one person does both.  Points at `spec.maturity`.

    A gap every role of which a related team has (the nearest team above or below, through
    `metadata.parent`, groups passed through) is not reported; one the related teams answer in
    part is reported whole.

    ## Why is this bad?
    Each stage needs a different mix: exploring needs data science, production needs
    substrate and lifecycle owners first.  A missing seat is usually covered by someone
    hired for another role, which the ORG1xx rules then report one symptom at a time.

    ## Example
    ```yaml
    spec:
      maturity: production
      size: 4
      members: [{id: a, role: ml-engineer}, {id: b, role: ml-engineer},
                {id: c, role: ml-engineer}, {id: d, role: data-scientist}]
    ```

    Use instead:
    ```yaml
    spec:
      maturity: production
      size: 4
      members: [{id: a, role: platform-engineer}, {id: b, role: mlops-engineer},
                {id: c, role: ml-engineer}, {id: d, role: data-scientist}]
    ```
    """

    code = "ORG206"
    name = "role-mix-gap"
    severity = Severity.INFO
    summary = "The team differs from the recommended mix for its size and maturity"

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        size = ctx.size
        maturity = ctx.team.spec.maturity
        if maturity is None:
            return  # no stage, no recommended mix (its ORG003 says why)
        key = (maturity, size, frozenset(ctx.team.spec.systems).intersection(ctx.matrix.systems))
        seats = _SEATS.get(ctx.matrix, key)
        if seats is None:
            seats = _SEATS.put(key, _seat_counts(ctx.matrix, *key))
        if not seats:
            return
        # Each person once, as the size counts them.  A title that could mean several
        # roles fills no seat: which it is stays unknown, as for ORG201 and ORG205, and
        # the finding says who could fill it once their role is set (ORG004).
        counts = ctx.role_counts
        have = {role: counts.get(role, 0) for role, _, _ in seats}
        short = [(role, wanted - have[role], reasons) for role, wanted, reasons in seats
                 if wanted > have[role]]
        missing: list[tuple[str, int, str]] = []
        if short:  # a small team's member may do a missing role's work beside their own
            also = doing_both(ctx, [role for role, _, _ in short])
            # The reason of the first seat not filled, not of the role's first seat (the
            # team's MLOps engineer fills "the production lifecycle"; the second seat is
            # "the lifecycle's on-call without a single point of failure").
            missing = [(role, count - also.get(role, 0),
                        reasons[min(have[role] + also.get(role, 0), len(reasons) - 1)])
                       for role, count, reasons in short if count > also.get(role, 0)]
        if not missing:
            return
        parts = [f"{plural(count, 'more ' + role)} ({reason})" for role, count, reason in missing]
        could = [m.id for m, roles in ctx.seat_candidates
                 if any(role in roles for role, _, _ in missing)]
        note = ""
        if could:
            # A role written but no role of the matrix (ORG004) is to be corrected, not
            # set (found by review: "once their role is set" of a misspelt role).
            written = {m.id: info.raw for m, info in zip(ctx.members, ctx.roles, strict=True)
                       if info.raw is not None and info.raw not in ctx.matrix.roles}
            what = "it" if len(missing) == 1 else "one of these"
            clauses = []
            titled = [pid for pid in could if pid not in written]
            if titled:
                whose = "their role is" if len(titled) == 1 else "their roles are"
                clauses.append(
                    f"{_names(titled)}, whose {'title' if len(titled) == 1 else 'titles'}"
                    f" could mean more than one role, could{_each(titled)} fill {what} once"
                    f" {whose} set")
            wrong = [pid for pid in could if pid in written]
            if wrong:
                roles = ", ".join(f"'{written[pid]}'" for pid in wrong[:3])
                clauses.append(
                    f"{_names(wrong)}, whose {'role' if len(wrong) == 1 else 'roles'}"
                    f" ({roles}) {'is' if len(wrong) == 1 else 'are'} no role of the matrix,"
                    f" could{_each(wrong)} fill {what} once that is corrected")
            note = "; " + "; ".join(clauses)
        yield ctx.finding(
            RoleMixGap, ("spec", "maturity"),
            f"the recommended mix for a team of {size} at {maturity} has "
            + "; ".join(parts) + note, detail=",".join(role for role, _, _ in missing))


# A team's mix depends on its stage, size and systems only: thousands of teams share a
# few hundred of them.
def _names(ids: list[str]) -> str:
    return (ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]
            if len(ids) <= 3 else ", ".join(ids[:3]) + f" and {len(ids) - 3} more")


def _each(ids: list[str]) -> str:
    return "" if len(ids) == 1 else " each"


_SEATS: Memo[tuple[str, int, frozenset[str]],
             tuple[tuple[str, int, tuple[str, ...]], ...]] = Memo()


def _seat_counts(matrix: Matrix, stage: str, size: int, systems: frozenset[str]
                 ) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """Each role of the recommended mix: its seats, and the reason each of them gives
    in order (as a clause: lower-case, no full stop)."""
    seats = recommended_seats(matrix, stage, size, systems)
    wanted = Counter(seat.role for seat in seats)
    reasons: dict[str, list[str]] = {}
    for seat in seats:
        reasons.setdefault(seat.role, []).append(_clause(seat.reason))
    return tuple((role, count, tuple(reasons[role])) for role, count in wanted.items())


@functools.cache
def _clause(reason: str) -> str:
    """A seat's reason as a clause (lower-case, no full stop): a matrix has a few dozen."""
    return f"{reason[0].lower()}{reason[1:].rstrip('.')}" if reason else reason


class StageOptions(NamedTuple):
    stages: tuple[str, ...] = ("production", "scale")


class SinglePointOfFailure(Rule):
    """## What it does
    At maturity `production` or `scale`, reports a responsibility that a system of the
    team requires and exactly one person owns, at that item of their `owns`: one
    finding per responsibility, so that a suppression written beside one item stays
    with it whatever happens to the others.

    Work that ORG102 or an owns pattern (ORG103 to ORG108) says is in the wrong hands
    is left to that finding: it is to move to its role, not to gain a second owner.
    Where that finding is switched off or suppressed, this rule reports the item.

    ## Why is this bad?
    A production system whose rollback, serving runtime or data contract depends on one
    person stops being operable when that person is on holiday, ill or gone.

    ## Example
    ```yaml
    systems: [model-serving]
    members:
      - {id: mei, role: mlops-engineer, owns: [model-rollback]}
    ```

    Use instead:
    ```yaml
    systems: [model-serving]
    members:
      - {id: mei, role: mlops-engineer, owns: [model-rollback]}
      - {id: jon, role: mlops-engineer, owns: [model-rollback]}
    ```

    ## Options
    - `stages`: the maturity stages checked (default `[production, scale]`).
    """

    code = "ORG207"
    name = "single-point-of-failure"
    severity = Severity.INFO
    summary = "A responsibility a production system requires has exactly one owner"
    Options = StageOptions

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        if ctx.team.spec.maturity not in self.options.stages:
            return
        required: dict[str, str] = {}
        for system_id in ctx.team.spec.systems:
            system = ctx.matrix.systems.get(system_id)
            for need in system.requires if system else ():
                required.setdefault(need, system_id)
        if not required:
            return
        # By person: someone listed twice (ORG007) is still one owner.
        holders: dict[str, dict[str, tuple[int, int]]] = {}
        for i, member in enumerate(ctx.members):
            for j, item in enumerate(member.owns):
                if item in required:
                    holders.setdefault(item, {}).setdefault(member.id, (i, j))
        # One finding per responsibility, at its item: "a finding about a responsibility
        # a member owns points at that item of owns" (spec), and a suppression beside
        # one item must not go unused, or apply elsewhere, when another item changes.
        alone = sorted(next(iter(places.values())) for places in holders.values()
                       if len(places) == 1)
        # Work in the wrong hands (ORG102, an owns pattern such as ORG104) is to move to
        # its role, not to be shared with a second owner: left to that finding where it
        # is shown, reported here where it is not (switched off, suppressed).
        wrong = misplaced(ctx) if alone else {}
        for i, j in alone:
            member = ctx.members[i]
            name = member.owns[j]
            yield ctx.finding(
                SinglePointOfFailure, member.at("owns", j),
                f"{member.id} is the only owner of {name} ({required[name]}), needed at"
                f" {ctx.team.spec.maturity}; name a second owner", entity=member.id,
                detail=name if (i, j) not in wrong else covered(
                    name, wrong[(i, j)], name,
                    ctx.doc.source.span(member.at("owns", j)).line))
