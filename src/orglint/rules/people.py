"""People (ORG302, ORG303) and the skill bar (ORG4xx); ORG301 is an org rule."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated

from orglint.facts import PersonFact
from orglint.findings import Finding, Severity
from orglint.matrix import Matrix
from orglint.model import Member
from orglint.ntuple import NamedTuple
from orglint.options import Ge
from orglint.rules.base import Rule, TeamContext, is_senior
from orglint.rules.org import (
    MAX_NAMED,
    OrgContext,
    org_finding,
    others_text,
    record_order,
    repeated,
    where_is,
)
from orglint.rules.patterns import second_roles
from orglint.wording import plural


class MaxRolesOptions(NamedTuple):
    max_roles: Annotated[int, Ge(2)] = 3


class TooManyRoles(Rule):
    """## What it does
    Reports a person whose responsibilities span `max-roles` (default three) or more
    roles of the matrix, on one team or across every team the person is on.  A
    responsibility the matrix shares with the member's own role (`shared-with`, such as
    `on-call` for a platform engineer) counts as that role's work, not its owner's.
    On a team small enough for one person to do both roles of a holds-both pair (the
    article: MLOps and ML engineering, ORG109's `max-team-size`), the work of the
    other role of the pair counts as the member's own: one role, not two.
    A member whose role is not a matrix role (a manager, a product manager, `other`)
    is never reported, and their work there is not counted.  Points at the member's
    `id`; across teams, at each of the person's memberships in the files being checked,
    naming the others.

    ## Why is this bad?
    Someone who owns the work of three roles is being used as a whole team; each of the
    roles gets a fraction of a person and none of them gets a specialist.

    ## Example
    ```yaml
    - id: alex
      role: ml-engineer
      owns: [training-code, data-pipelines, gpu-operator]
    ```

    Use instead:
    ```yaml
    - id: alex
      role: ml-engineer
      owns: [training-code, evaluation-harness]
    ```

    ## Options
    - `max-roles`: how many roles one person's responsibilities may span before this
      fires (default 3).
    """

    code = "ORG302"
    name = "too-many-roles"
    severity = Severity.WARNING
    summary = "One person's responsibilities span three or more roles"
    Options = MaxRolesOptions

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        limit = self.options.max_roles
        work = work_by_member(ctx)  # worked out once: the facts carry it too
        for i, member in enumerate(ctx.members):
            if len(member.owns) < limit:
                continue  # each item is one role's work: fewer items, fewer roles
            owners = work.get(int(member.path[-1]), "").split()
            if len(owners) >= limit:
                second = second_roles(ctx).get(i)
                both = (f"; {ctx.roles[i].role} counts the {second} work it does on a team"
                        " this small" if second is not None else "")
                yield ctx.finding(
                    TooManyRoles, member.at("id"),
                    f"{member.id} owns the work of {len(owners)} roles ({', '.join(owners)}"
                    f"{both}): one person is standing in for a team", entity=member.id)

    def check_org(self, org: OrgContext) -> Iterator[Finding]:
        """A person on several teams whose work spans ``max-roles`` roles only in all:
        reported at each of their memberships in the files being checked (a membership
        that spans them alone is the team rule's)."""
        limit = self.options.max_roles
        records = [p for p in org.persons_named() if p.work and p.team is not None]
        for pid, records_of in repeated(records).items():
            # A person listed twice on one team (ORG007) is one membership, holding the
            # work of both entries.
            merged: dict[tuple[str | None, str, int], tuple[PersonFact, set[str], int]] = {}
            for record in sorted(records_of, key=record_order):
                marker = (record.team, record.file, record.doc)
                work = record.work.split()
                if marker in merged:
                    first_record, held, alone = merged[marker]
                    held.update(work)
                    merged[marker] = (first_record, held, max(alone, len(work)))
                else:
                    merged[marker] = (record, set(work), len(work))
            entries = [record for record, _, _ in merged.values()]
            each = [sorted(work) for _, work, _ in merged.values()]
            roles = sorted(set().union(*each))
            if len(roles) < limit:
                continue
            # A matrix of one's own may have any number of roles: a message names a few
            # (one person on a thousand teams of a thousand roles made gigabytes).
            spans = others_text(roles[:MAX_NAMED], len(roles))
            first = entries[:MAX_NAMED + 1]
            for entry, own, (_, _, alone) in zip(entries, each, merged.values(), strict=True):
                if alone >= limit:
                    continue  # one entry spans them alone: the team rule's finding
                others = [e for e in first if e is not entry][:MAX_NAMED]
                if others:
                    where = others_text([f"{o.team} ({where_is(o.place, entry.place)})"
                                         for o in others], len(entries) - 1)
                    text = (f"{pid} owns the work of {len(roles)} roles across teams"
                            f" ({spans}); here {others_text(own[:MAX_NAMED], len(own))},"
                            f" also on {where}")
                else:  # listed twice on one team (ORG007), and on no other
                    text = (f"{pid} owns the work of {len(roles)} roles ({spans}) over"
                            f" their entries on {entry.team}")
                yield org_finding(
                    TooManyRoles, entry.place,
                    f"{text}: one person is standing in for a team",
                    entity=pid, detail=entry.team,
                    related=tuple(o.place.location for o in others))


_WORK_TABLES = "people.work-tables"
# Responsibility -> its owner; role -> the responsibilities the matrix shares with it.
# Sparse: a table of every role by every responsibility grew with the square of a
# matrix of one's own (the repository's), gigabytes for a matrix of a megabyte.
WorkTables = tuple[dict[str, str], dict[str, frozenset[str]]]


def _work_tables(matrix: Matrix) -> WorkTables:
    owners = {r: o for r in matrix.responsibilities if (o := matrix.owner(r)) is not None}
    shares: dict[str, set[str]] = {}
    for r in owners:
        for role in matrix.holders(r)[1:]:
            shares.setdefault(role, set()).add(r)
    return owners, {role: frozenset(rs) for role, rs in shares.items()}


def _work(tables: WorkTables, owns: Sequence[str], holders: Sequence[str]) -> set[str]:
    """The roles whose work ``owns`` is when a member of ``holders`` holds it: the first
    of them the matrix shares it with (the member's role, the role they do beside it on
    a small team, or each role an ambiguous title could mean), else its owner's."""
    if len(holders) == 1:
        return _own(tables, owns, holders[0])
    owners, shares = tables
    held = [(role, mine) for role in holders if (mine := shares.get(role))]
    if not held:  # most members: each item is its owner's work
        return {o for r in owns if (o := owners.get(r)) is not None}
    # What is no one's to share first; a shared item then counts as a role already
    # counted where one of those it is shared with is ("Platform/ML Engineer" on call
    # beside GPU work is a platform engineer on call, not a third role).
    out = {o for r in owns if (o := owners.get(r)) is not None
           and not any(r in mine for _, mine in held)}
    for r in owns:
        o = owners.get(r)
        if o is None:
            continue
        sharing = [role for role, mine in held if r in mine]
        if sharing:
            out.add(next((role for role in sharing if role in out), sharing[0]))
    return out


def _own(tables: WorkTables, owns: Sequence[str], role: str) -> set[str]:
    """``_work`` for a member of one role (most members): what the matrix shares with
    it is theirs, the rest its owner's."""
    owners, shares = tables
    mine = shares.get(role)
    if mine is None:
        return {o for r in owns if (o := owners.get(r)) is not None}
    return {role if r in mine else o for r in owns if (o := owners.get(r)) is not None}


def work_by_member(ctx: TeamContext) -> dict[int, str]:
    """The roles whose work each member who owns something owns, sorted and space-
    separated, as ORG302 counts them (a responsibility shared with the member's role, or
    with the role they do beside it on a small team, is that role's work), by the index
    of the member's entry in the document (``PersonFact.work``).  Worked out once per
    team, for every member of the org: from a table per role."""
    cached: dict[int, str] | None = ctx.__dict__.get("_work")
    if cached is not None:
        return cached
    tables = ctx.matrix.prepared(_WORK_TABLES, _work_tables)
    also = second_roles(ctx)
    # A person listed twice does both in each entry (``second_roles`` names the first).
    pair_of = {ctx.members[i].id: other for i, other in also.items()} if also else {}
    roles = ctx.roles
    out: dict[int, str] = {}
    matrix_roles = ctx.matrix.matrix_roles
    for i, member in enumerate(ctx.members):
        owns = member.owns
        if owns:
            info = roles[i]
            if info.role is not None and info.role not in matrix_roles:
                # A manager, a product manager or "other" is never flagged (spec §2): a
                # head of platform owning gates and on-call is not standing in for a team.
                continue
            second = (also.get(i) or pair_of.get(member.id)) if also else None
            if info.role is not None:
                # The usual member (one role) without a tuple.
                work = (_own(tables, owns, info.role) if second is None
                        else _work(tables, owns, (info.role, second)))
                if second is not None and second in work:
                    # On a small team one person does both (the article): MLOps and ML
                    # engineering are one job there, their own role's, counted once here,
                    # over their entries and across teams (spec, ORG109: "not reported by
                    # any rule").
                    work.discard(second)
                    work.add(info.role)
            else:
                # An ambiguous title ("MLOps/ML Engineer"): on-call, shared with either
                # role it could mean, is not the SRE's work (a third role, ORG302).
                work = _work(tables, owns, () if info.title is None else
                             ctx.matrix.resolve_title(info.title).candidates)
            if work:
                # A member's path ends with the index of its entry.
                out[member.path[-1]] = " ".join(sorted(work))  # type: ignore[index]
    ctx.__dict__["_work"] = out
    return out


def work_facts(ctx: TeamContext, codes: frozenset[str] | None) -> dict[int, str] | None:
    """``work_by_member`` for a team's facts when ORG302 runs (``codes``: the team
    rules that run, None for all), else None: nothing to carry."""
    return work_by_member(ctx) if codes is None or TooManyRoles.code in codes else None


class SizeMismatch(Rule):
    """## What it does
    Reports a team whose `spec.size` (its planned headcount) differs from its size as
    every other rule counts it: the members who hold matrix roles, each person once.
    Managers, product managers and members with no role to tell are not part of that
    size; a member whose title could mean several matrix roles ("Software Engineer")
    is: they hold one of them, whichever (ORG004 asks which).  A plan that counts every
    person listed, managers included (the default `size` the spec gives), is no mismatch
    either.  Points at `spec.size`.

    ## Why is this bad?
    `size` is the planned headcount, the number `orglint compose --size` takes.  When it
    drifts from the team, either the plan is stale or there are open seats that nobody
    is tracking; the staffing rules (ORG109, ORG206) judge the team as it is, not as it
    was planned.

    ## Example
    ```yaml
    spec:
      size: 6
      members: [{id: a, role: ml-engineer}, {id: b, role: mlops-engineer},
                {id: c, role: data-scientist}, {id: m, role: manager}]
    ```

    Use instead:
    ```yaml
    spec:
      size: 3
      members: [{id: a, role: ml-engineer}, {id: b, role: mlops-engineer},
                {id: c, role: data-scientist}, {id: m, role: manager}]
    ```
    """

    code = "ORG303"
    name = "size-mismatch"
    severity = Severity.INFO
    summary = "spec.size differs from the team's headcount in matrix roles"

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        planned = ctx.team.spec.size
        count = ctx.size
        # A lead may count the manager and the product manager, as the spec's default
        # for `size` (the number of members) does: either count is the team's.
        if (planned is not None and planned != count
                and planned != len({m.id for m in ctx.members})):
            gap = "open seats" if planned > count else "more members than planned"
            if planned > count:
                # A lead often counts the manager: say so rather than claim open seats.
                counted = {m.id for m, held in zip(ctx.members, ctx.in_matrix_roles,
                                                    strict=True) if held}
                others = list(dict.fromkeys(m.id for m in ctx.members if m.id not in counted))
                if others and planned <= count + len(others):
                    shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
                    # All of them would be the number of people listed: no finding.
                    some = planned - count
                    part = "" if some >= len(others) else (
                        "one of " if some == 1 else f"{some} of ")
                    gap = (f"open seats, or a plan that counts {part}{shown}, who"
                           f" {'holds' if len(others) == 1 else 'hold'} no matrix role")
            yield ctx.finding(SizeMismatch, ("spec", "size"),
                              f"{ctx.team.id} plans {plural(planned, 'head')} and has"
                              f" {plural(count, 'member')} in matrix roles"
                              f" ({gap})", detail="size")


class SkillBarUnmet(Rule):
    """## What it does
    When a member declares `skills`, checks that at least one of them is a day-one skill
    or an expected tool of their role (`orglint roles ROLE`).  Skills are compared as
    the matrix's `skills` section says: case, spaces and punctuation aside, without a
    vendor name in front ("NVIDIA GPU Operator" is `gpu-operator`) and through aliases
    ("W&B" is Weights & Biases).  Points at `skills`.

    ## Why is this bad?
    A person holding a role with none of its day-one skills was probably hired for
    something else; the role will be learnt on the job, on production systems.

    ## Example
    ```yaml
    - id: kofi
      role: platform-engineer
      skills: [pandas, scikit-learn]
    ```

    Use instead:
    ```yaml
    - id: kofi
      role: platform-engineer
      skills: [kubernetes, helm, cilium]
    ```
    """

    code = "ORG401"
    name = "skill-bar-unmet"
    severity = Severity.INFO
    summary = "A member's skills include none of the role's day-one skills or tools"

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        matrix = ctx.matrix
        bars = matrix.skill_bar
        people = ctx.people
        keys_of = matrix.skill_keys
        for member, info in zip(ctx.members, ctx.roles, strict=True):
            role = info.role
            if not matrix.in_matrix(role):
                continue
            assert role is not None
            skills = member.skills
            if skills is None:
                person = people.get(member.id)
                skills = person.skills if person else None
            wanted = bars[role]
            if not skills or not wanted:
                continue
            for skill in skills:
                if not wanted.isdisjoint(keys_of(skill)):
                    break
            else:
                yield _unmet(ctx, member, role)


def _unmet(ctx: TeamContext, member: Member, role: str) -> Finding:
    examples = ctx.matrix.prepared(_EXAMPLES, _examples_table)[role]
    path = member.at("skills") if member.skills is not None else member.at("id")
    return ctx.finding(
        SkillBarUnmet, path,
        f"{member.id} ({role}) lists none of the role's day-one skills or tools"
        f" ({examples}, ...; see 'orglint roles {role}')", entity=member.id,
        detail="skills", key=member.skills is not None)


_EXAMPLES = "people.skill-examples"


def _examples_table(matrix: Matrix) -> dict[str, str]:
    """Role -> the skills and tools ORG401's message shows for it."""
    return {role: ", ".join(_distinct(matrix, (*entry.day_one_skills, *entry.tools), 6))
            for role, entry in matrix.roles.items()}


def _distinct(matrix: Matrix, names: tuple[str, ...], most: int) -> list[str]:
    """The first ``most`` of ``names`` that are different skills: a skill and a tool
    spelt two ways (``argo-workflows``, ``Argo Workflows``) are shown once."""
    shown: list[str] = []
    seen: set[str] = set()
    for name in names:
        keys = matrix.skill_keys(name)
        if keys & seen:
            continue
        seen |= keys
        shown.append(name)
        if len(shown) == most:
            break
    return shown


class SeniorityRequired(Rule):
    """## What it does
    Reports a responsibility that the matrix marks as senior work (for example
    `gpu-fairness` or `eval-gate`) when everyone on the team who owns it is below
    `senior`.  A member with no `level` whose title says junior (Junior, Jr., Associate,
    Graduate, Intern: the matrix's `titles.junior-words`) counts as junior; other
    members whose level is not known are given the benefit of the doubt.  Points at
    each holder's item of `owns`.

    ## Why is this bad?
    Some work is the senior skill bar itself: designing fair sharing of a GPU pool, or
    building the eval-in-the-loop gate.  Left to juniors alone, it is learnt by breaking
    production.

    ## Example
    ```yaml
    - id: jo
      role: mlops-engineer
      level: junior
      owns: [eval-gate]
    ```

    Use instead:
    ```yaml
    - id: mei
      role: mlops-engineer
      level: senior
      owns: [eval-gate]
    - id: jo
      role: mlops-engineer
      level: junior
      owns: [eval-gate]
    ```
    """

    code = "ORG402"
    name = "seniority-required"
    severity = Severity.WARNING
    summary = "Senior work is held only by members below senior"

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        senior_work = ctx.matrix.prepared(_SENIOR, _senior_work)
        holders: dict[str, list[tuple[int, int, bool | None]]] = {}
        levels: dict[int, str] = {}
        for i, member in enumerate(ctx.members):
            if senior_work.isdisjoint(member.owns):
                continue
            level, label = _level(ctx, member)
            if label:
                levels[i] = label
            for j, item in enumerate(member.owns):
                if item in senior_work:
                    holders.setdefault(item, []).append((i, j, is_senior(level)))
        for item, places in holders.items():
            if any(senior is not False for _, _, senior in places):
                continue
            for i, j, _ in places:
                member = ctx.members[i]
                yield ctx.finding(
                    SeniorityRequired, member.at("owns", j),
                    f"{item} is senior work, and on {ctx.team.id} only members below senior"
                    f" hold it ({member.id} is {levels.get(i, 'below senior')})",
                    entity=member.id, detail=item)


_SENIOR = "people.senior-work"


def _senior_work(matrix: Matrix) -> frozenset[str]:
    return frozenset(r for r, e in matrix.responsibilities.items() if e.senior)


def _level(ctx: TeamContext, member: Member) -> tuple[str | None, str]:
    """The member's level (from the team, the People file, or a junior title), and how
    a message should say it."""
    person = ctx.people.get(member.id)
    level = member.level if member.level is not None else (person.level if person else None)
    if level is not None:
        return level, level
    title = member.title if member.title is not None else (person.title if person else None)
    if title and ctx.matrix.title_says_junior(title):
        return "junior", f"junior by title '{title}'"
    return None, ""
