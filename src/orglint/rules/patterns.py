"""Anti-patterns written as matrix data, and the rules that apply them.

A pattern is one of four kinds (see ``schemas/role-matrix.schema.json``):

* ``owns``: a member in one of ``roles`` owns one of ``responsibilities``;
* ``holds-both``: on a team larger than ``team-size``, one member holds the work of both
  ``roles`` (has one of them as role, or owns its responsibilities, and owns some of the
  other's);
* ``missing-role``: the team runs one of ``systems`` (at one of ``maturity``, if given)
  and no member has the role; the message names the responsibilities of those systems
  that nobody owns, and ORG202 leaves them to it;
* ``missing-owner``: at one of ``maturity``, nobody owns any of ``responsibilities`` (and
  ``practice``, if given, is not listed).

No role or responsibility name appears in this module: it all comes from the matrix.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from orglint.findings import Finding, Severity
from orglint.matrix import AntiPattern, Matrix
from orglint.ntuple import NamedTuple
from orglint.options import Ge
from orglint.rules.base import Rule, TeamContext, owns_matches, render


class TeamSizeOptions(NamedTuple):
    team_size: Annotated[int | None, Ge(0)] = None


def apply(pattern: AntiPattern, ctx: TeamContext, options: Any = None) -> Iterator[Finding]:
    if pattern.kind == "owns" and (not ctx.owns_hits or pattern not in ctx.owns_hits):
        return  # most teams: nothing to render (and no pattern to hash, a 15-field tuple)
    team = ctx.team
    values: dict[str, Any] = {"team": team.id, "why": pattern.why,
                              "maturity": team.spec.maturity, "size": ctx.size}
    if pattern.kind == "owns":
        for i, j, responsibility in owns_matches(pattern, ctx):
            member = ctx.members[i]
            owner = ctx.matrix.owner(responsibility) or ""
            text = render(pattern.message, {
                **values, "member": member.id, "role": ctx.roles[i].role,
                "responsibility": responsibility, "owner": owner,
                "owner_work": ctx.matrix.work(owner)})
            yield ctx.finding(pattern, member.at("owns", j), text, entity=member.id,
                              detail=responsibility)
        return
    if pattern.maturity and team.spec.maturity not in pattern.maturity:
        return
    if pattern.kind == "holds-both":
        yield from _holds_both(pattern, ctx, options, values)
    elif pattern.kind == "missing-role":
        yield from _missing_role(pattern, ctx, values)
    elif pattern.kind == "missing-owner":
        yield from _missing_owner(pattern, ctx, values)


def _holds_both(pattern: AntiPattern, ctx: TeamContext, options: Any,
                values: dict[str, Any]) -> Iterator[Finding]:
    limit = _limit(pattern, options)
    if ctx.size <= limit:
        return
    first, second = pattern.roles
    owned = ctx.matrix.prepared(_OWNED_SETS, _owned_sets)
    first_set = owned.get(first, frozenset())
    second_set = owned.get(second, frozenset())
    matrix_roles = ctx.matrix.matrix_roles
    for i, member in enumerate(ctx.members):
        role = ctx.roles[i].role
        if role is not None and role not in matrix_roles:
            continue  # a manager, a product manager, `other`: never flagged (spec, 2)
        owns = member.owns
        has_a = not first_set.isdisjoint(owns)
        has_b = not second_set.isdisjoint(owns)
        # The role is half of the pair too: an ML engineer who owns the training
        # pipelines holds both, though no ML-engineering item is listed.
        if (has_a or role == first) and (has_b or role == second) and (has_a or has_b):
            a = [r for r in owns if r in first_set]
            b = [r for r in owns if r in second_set]
            work = f"{_held(ctx, first, a)} and {_held(ctx, second, b)}"
            text = render(pattern.message, {**values, "member": member.id, "roles_work": work,
                                            "limit": limit, "why": reason(pattern, limit)})
            yield ctx.finding(pattern, member.at("id"), text, entity=member.id)


def doing_both(ctx: TeamContext, roles: Iterable[str]) -> dict[str, int]:
    """Per role of ``roles``, how many members of the team do that role's work beside
    their own role's: the other half of a holds-both pair (MLOps and ML engineering), on
    a team no larger than the pattern's size.  There one person does both (the
    article), so the staffing rules count such a person for both roles."""
    out: dict[str, int] = {}
    paired = holds_both_pairs(ctx.matrix)
    if not any(role in pair for pair in paired for role in roles):
        return out  # the usual gap (a data engineer, a platform engineer): no pair
    for _, other in _doubles(ctx):
        out[other] = out.get(other, 0) + 1
    return out


def second_roles(ctx: TeamContext) -> dict[int, str]:
    """Member index -> the other role of a holds-both pair that member does beside
    their own (``doing_both``'s members): in a small team one person does both, so a
    responsibility the matrix shares with that role is theirs too (ORG102, ORG302)."""
    out: dict[int, str] = {}
    for i, other in _doubles(ctx):
        out.setdefault(i, other)
    return out


def _doubles(ctx: TeamContext) -> list[tuple[int, str]]:
    """(member index, the other role they do) for each holds-both pattern the team is
    small enough for; worked out once per team."""
    cached: list[tuple[int, str]] | None = ctx.__dict__.get("_doubles")
    if cached is not None:
        return cached
    out: list[tuple[int, str]] = []
    if holds_both_pairs(ctx.matrix):
        owned = ctx.matrix.prepared(_OWNED_SETS, _owned_sets)
        for pattern in ctx.matrix.spec.anti_patterns:
            if pattern.kind != "holds-both" or ctx.size > _shared_limit(pattern, ctx):
                continue
            first, second = pattern.roles
            seen: set[tuple[str, str]] = set()  # a person listed twice does it once
            for i, member in enumerate(ctx.members):
                role = ctx.roles[i].role
                other = second if role == first else first if role == second else None
                if other is not None and (member.id, other) in seen:
                    continue
                if other is not None and not owned.get(other, frozenset()).isdisjoint(
                        member.owns):
                    seen.add((member.id, other))
                    out.append((i, other))
    ctx.__dict__["_doubles"] = out
    return out


def both_sizes(rules: Iterable[Any]) -> dict[str, int]:
    """Holds-both pattern code -> the team size its rule is configured with: where the
    pattern stops speaking, the staffing rules count one person for both roles, at the
    same size (ORG109 `team-size: 3` and ORG206 must not disagree about a team of 4)."""
    out: dict[str, int] = {}
    for rule in rules:
        size = getattr(getattr(rule, "options", None), "team_size", None)
        if isinstance(size, int):
            out[rule.code] = size
    return out


def reason(pattern: AntiPattern, limit: int | None = None) -> str:
    """A pattern's ``why``, where it may name the team size a holds-both rule runs with
    ("past a team size of {limit}"): ``limit``, else the pattern's own."""
    if pattern.kind != "holds-both" or "{" not in pattern.why:
        return pattern.why
    return render(pattern.why, {"limit": limit if limit is not None else _limit(pattern, None)})


def _shared_limit(pattern: AntiPattern, ctx: TeamContext) -> int:
    size = ctx.both_sizes.get(pattern.code)
    return size if size is not None else _limit(pattern, None)


def _limit(pattern: AntiPattern, options: Any) -> int:
    """The largest team on which a holds-both pattern stays silent."""
    limit: int | None = getattr(options, "team_size", None)
    if limit is None:
        limit = pattern.team_size if pattern.team_size is not None else 5
    return limit


_OWNED_SETS = "patterns.owned-sets"


def _owned_sets(matrix: Matrix) -> dict[str, frozenset[str]]:
    return {role: frozenset(matrix.owned_by(role)) for role in matrix.roles}


def _held(ctx: TeamContext, role: str, items: list[str]) -> str:
    return f"{ctx.matrix.work(role)} ({', '.join(items) if items else f'role {role}'})"


def holds_both_pairs(matrix: Matrix) -> frozenset[frozenset[str]]:
    """The role pairs a holds-both pattern speaks for: above its size it reports the
    person once, below it the pairing is fine, so ORG102 leaves such work alone."""
    return matrix.prepared(_PAIRS, _holds_both_pairs)


_PAIRS = "patterns.holds-both-pairs"


def _holds_both_pairs(matrix: Matrix) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(p.roles) for p in matrix.spec.anti_patterns
                     if p.kind == "holds-both")


def left_to_missing_role(ctx: TeamContext
                         ) -> dict[tuple[str, str], tuple[str, str, tuple[str | int, ...]]]:
    """(system, responsibility) pairs that a firing missing-role pattern already names,
    each with the code, ``detail`` and place of that pattern's finding (see
    ``findings.covered``: the pair is reported all the same if that finding is
    suppressed)."""
    out: dict[tuple[str, str], tuple[str, str, tuple[str | int, ...]]] = {}
    for pattern in ctx.matrix.prepared(_MISSING_ROLE, _missing_role_patterns):
        if ctx.runs(pattern.code):
            for system, needs in _missing_role_gaps(pattern, ctx).items():
                # The detail and place _missing_role gives its finding.
                path: tuple[str | int, ...]
                if pattern.at == "system":
                    by, path = system, ("spec", "systems", ctx.team.spec.systems.index(system))
                else:
                    by = pattern.roles[0]
                    path = (("spec", "maturity") if pattern.at == "maturity"
                            else ("metadata", "name"))
                for need in needs:
                    out.setdefault((system, need), (pattern.code, by, path))
    return out


_MISSING_ROLE = "patterns.missing-role"


def _missing_role_patterns(matrix: Matrix) -> tuple[AntiPattern, ...]:
    return tuple(p for p in matrix.spec.anti_patterns if p.kind == "missing-role")


def _missing_role_gaps(pattern: AntiPattern, ctx: TeamContext) -> dict[str, list[str]]:
    """System → its unowned requirements of the missing role, when the pattern fires."""
    if pattern.maturity and ctx.team.spec.maturity not in pattern.maturity:
        return {}
    wanted = pattern.roles[0]
    if any(info.role == wanted for info in ctx.roles):
        return {}
    owned = ctx.owned
    gaps: dict[str, list[str]] = {}
    for system in ctx.team.spec.systems:
        entry = ctx.matrix.systems.get(system)
        if system in pattern.systems and entry is not None:
            gaps[system] = [need for need in entry.requires if need not in owned
                            and ctx.matrix.owner(need) == wanted]
    return gaps


def _unowned(needs: list[str]) -> str:
    return f"; nobody owns {', '.join(needs)}" if needs else ""


def _missing_role(pattern: AntiPattern, ctx: TeamContext,
                  values: dict[str, Any]) -> Iterator[Finding]:
    wanted = pattern.roles[0]
    systems = ctx.team.spec.systems
    hits = [(k, s) for k, s in enumerate(systems) if s in pattern.systems]
    if not hits or any(info.role == wanted for info in ctx.roles):
        return
    gaps = _missing_role_gaps(pattern, ctx)
    values = {**values, "missing": wanted}
    if pattern.at == "system":
        for k, system in hits:
            yield ctx.finding(pattern, ("spec", "systems", k),
                              render(pattern.message, {**values, "system": system})
                              + _unowned(gaps.get(system, [])), detail=system)
        return
    text = render(pattern.message, {**values, "system": " and ".join(s for _, s in hits)})
    text += _unowned([need for _, s in hits for need in gaps.get(s, [])])
    path = ("spec", "maturity") if pattern.at == "maturity" else ("metadata", "name")
    yield ctx.finding(pattern, path, text, detail=wanted)


def _missing_owner(pattern: AntiPattern, ctx: TeamContext,
                   values: dict[str, Any]) -> Iterator[Finding]:
    if pattern.practice and pattern.practice in ctx.team.spec.practices:
        return
    wanted = set(pattern.responsibilities)
    if any(r in wanted for m in ctx.members for r in m.owns):
        return
    text = render(pattern.message, {**values, "missing": " or ".join(pattern.responsibilities)})
    path = ("metadata", "name") if pattern.at == "team" else ("spec", "maturity")
    yield ctx.finding(pattern, path, text, detail=",".join(pattern.responsibilities))


class PatternRule(Rule):
    """Base of the built-in rules whose knowledge is a matrix anti-pattern."""

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        # Seven or more of these run on every team, and on most teams none fires: the
        # cheap tests of each pattern come first, so that such a team costs no generator
        # and no message values.
        gates = ctx.matrix.prepared(_GATES, _gates).get(self.code)
        if gates is None:
            return iter(())
        found: list[Finding] = []
        maturity = ctx.team.spec.maturity
        for gate in gates:
            pattern = gate.pattern
            kind = pattern.kind
            if kind == "owns":
                hits = ctx.owns_hits
                if not hits or pattern not in hits:
                    continue
            elif gate.maturity is not None and maturity not in gate.maturity:
                continue
            elif kind == "missing-role":
                if gate.systems.isdisjoint(ctx.team.spec.systems) or any(
                        info.role == pattern.roles[0] for info in ctx.roles):
                    continue
            elif kind == "missing-owner":
                if ((pattern.practice and pattern.practice in ctx.team.spec.practices)
                        or not gate.wanted.isdisjoint(ctx.owned)):
                    continue
                if gate.systems and _no_model(ctx, gate):
                    continue  # it runs systems, none of which needs that role's work
            elif kind == "holds-both" and ctx.size <= _limit(pattern, self.options):
                continue
            found.extend(apply(pattern, ctx, self.options))
        return iter(found)


class _Gate(NamedTuple):
    """A pattern with what decides, without its message, that it cannot fire."""

    pattern: AntiPattern
    maturity: frozenset[str] | None  # None: any maturity
    systems: frozenset[str]  # missing-owner: the systems that need its work
    wanted: frozenset[str]  # a missing-owner pattern's responsibilities
    roles: frozenset[str]  # missing-owner: the roles whose work it is about
    work: frozenset[str]  # missing-owner: everything those roles own


_GATES = "patterns.gates"


def _gates(matrix: Matrix) -> dict[str, tuple[_Gate, ...]]:
    """Code -> its patterns, in matrix order (bounded by the matrix)."""
    out: dict[str, list[_Gate]] = {}
    for pattern in matrix.spec.anti_patterns:
        if pattern.kind == "missing-owner":
            systems, roles, work = _model_work(matrix, pattern)
        else:
            systems, roles, work = frozenset(pattern.systems), frozenset(), frozenset()
        out.setdefault(pattern.code, []).append(_Gate(
            pattern, frozenset(pattern.maturity) if pattern.maturity else None,
            systems, frozenset(pattern.responsibilities), roles, work))
    return {code: tuple(gates) for code, gates in out.items()}


def _model_work(matrix: Matrix, pattern: AntiPattern
                ) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """What a missing-owner pattern's work is: (the systems that need it, the roles
    whose work it is, everything they own).  The roles own its responsibilities, with
    their holds-both partners (MLOps and ML engineering); model-serving and the registry
    need MLOps work, a GPU cluster does not.  A team that lists its systems, none of them
    one of these, and does none of that work, ships no model: the pattern says nothing
    of it (a central GPU platform team has no model to roll back).  A team that lists no
    systems is judged by its maturity alone; a pattern whose roles no system needs
    applies everywhere (no systems)."""
    owners = {matrix.owner(r) for r in pattern.responsibilities} - {None}
    systems = frozenset(name for name, system in matrix.spec.systems.items()
                        if any(matrix.owner(r) in owners for r in system.requires))
    roles = set(owners)
    for pair in holds_both_pairs(matrix):
        if not roles.isdisjoint(pair):
            roles |= pair
    work = frozenset(r for role in roles if role is not None for r in matrix.owned_by(role))
    return systems, frozenset(r for r in roles if r is not None), work


def _no_model(ctx: TeamContext, gate: _Gate) -> bool:
    """Whether the team does none of a missing-owner pattern's work: it lists systems
    the matrix knows, none of which needs that work, and no member holds one of its
    roles or owns any of it (a training team's ML engineers ship models too)."""
    known = [s for s in ctx.team.spec.systems if s in ctx.matrix.spec.systems]
    if not known or not gate.systems.isdisjoint(known):
        return False  # a misspelt system is no system: judged by maturity alone
    return gate.work.isdisjoint(ctx.owned) and not any(
        info.role in gate.roles for info in ctx.roles)


def custom_rules(matrix: Matrix, builtin: set[str]) -> list[type[Rule]]:
    """Rules for the anti-patterns an organisation added with codes of its own."""
    made: dict[str, type[Rule]] = {}
    for pattern in matrix.spec.anti_patterns:
        if pattern.code in builtin or pattern.code in made:
            continue
        summary = pattern.summary or pattern.name.replace("-", " ").capitalize()
        doc = (
            f"## What it does\n{summary} (an anti-pattern from the role matrix"
            f" '{matrix.name}').\n\n## Why is this bad?\n{pattern.why or summary}\n\n"
            + _custom_example(pattern, matrix)
        )
        attrs: dict[str, Any] = {
            "__doc__": doc, "code": pattern.code, "name": pattern.name,
            "severity": Severity.parse(pattern.severity), "summary": summary,
            "Options": TeamSizeOptions,
        }
        made[pattern.code] = type(f"Custom{pattern.code}", (PatternRule,), attrs)
    return list(made.values())




def _custom_example(pattern: AntiPattern, matrix: Matrix) -> str:
    """Example / Use instead for an org's own anti-pattern: a member for an ``owns``
    pattern (ruff's layout, from the pattern's own ids), prose for the other kinds."""
    wanted = sorted(matrix.pattern_responsibilities(pattern)) if pattern.kind == "owns" else []
    owner = matrix.owner(wanted[0]) if wanted else None
    if pattern.roles and wanted and owner is not None and owner not in pattern.roles:
        return (f"## Example\n```yaml\n- {{id: ana, role: {pattern.roles[0]},"
                f" owns: [{wanted[0]}]}}\n```\n\nUse instead:\n```yaml\n"
                f"- {{id: ana, role: {owner}, owns: [{wanted[0]}]}}\n```\n")
    return (f"## Example\nA team matching the '{pattern.kind}' pattern {pattern.code}.\n\n"
            "Use instead:\nA team that does not match it; see the matrix file"
            f" {matrix.sources[-1]}.\n")
