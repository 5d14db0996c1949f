"""The recommended role mix for a stage, a size and the systems a team runs.

One computation serves both the composer (``orglint compose``) and ORG206, so the two
cannot disagree.  It has three steps:

1. the stage's seats in order, then, past the list, each further seat to the role whose
   share of the seats so far is furthest below its ``share`` (the D'Hondt method, so a
   team of N+1 is a team of N plus one seat);
2. the roles the matrix's own checks need for this stage and these systems (its
   ``missing-owner`` and ``missing-role`` anti-patterns at error or warning level, and
   the owner of every responsibility a system requires).  A needed role missing from
   the seats takes the place of the latest seat that is needed less: a second seat of
   a role first, then a seat no rule needs, then one only a milder rule needs;
3. each seat owns what its entry says, plus the required responsibilities of its role
   (held by the first two seats of the role, so a production system has a second owner).

A need that no seat could take is returned unmet; the composer names its rule as a gap.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable

from orglint.findings import Severity
from orglint.matrix import Matrix, Stage
from orglint.memo import Memo
from orglint.ntuple import NamedTuple

_OWNERS_PER_REQUIREMENT = 2  # a second owner is what ORG207 asks for at production
# Seats of larger teams are worked out each time: a memo entry then costs as much memory
# as the team, and such teams are rare.
_MEMO_SIZE = 256


class RuleRef(NamedTuple):
    code: str
    name: str
    severity: Severity


class Need(NamedTuple):
    """A role that a rule reports missing for this stage and these systems."""

    role: str
    rule: RuleRef
    detail: str  # what the rule would say is missing, for the gap text
    responsibilities: tuple[str, ...]  # what a seat of the role must own to satisfy it
    rank: int  # 0 for the stage's own needs, 1 for a system's role, 2 for a requirement


class MixSeat(NamedTuple):
    role: str
    reason: str
    owns: tuple[str, ...]
    moved_for: tuple[str, ...] = ()  # the rule codes that moved this seat up, if any


class Mix(NamedTuple):
    seats: list[MixSeat]
    unmet: list[Need]
    listed: int  # how many seats came from the stage's list (the rest from its shares)
    shares: dict[str, int]


def shares(stage: Stage) -> dict[str, int]:
    """Each role's weight past the list: the stage's ``growth``, else its list's counts."""
    if stage.growth:
        return {g.role: max(1, int(g.share)) for g in stage.growth}
    return dict(Counter(seat.role for seat in stage.seats))


def _entries(stage: Stage, *, growth_first: bool) -> dict[str, MixSeat]:
    """Each role's seat entry: its first seat in the list, or its growth entry."""
    listed = {seat.role: MixSeat(seat.role, seat.reason, seat.owns)
              for seat in reversed(stage.seats)}
    grown = {g.role: MixSeat(g.role, g.reason, g.owns) for g in stage.growth}
    return {**listed, **grown} if growth_first else {**grown, **listed}


def stage_seats(stage: Stage, size: int) -> list[MixSeat]:
    """Step 1: the first ``size`` seats, growing past the list by the stage's shares."""
    seats = [MixSeat(s.role, s.reason, s.owns) for s in stage.seats[:size]]
    weights = shares(stage)
    if len(seats) >= size or not weights:
        return seats
    counts = Counter(seat.role for seat in seats)
    order = {role: k for k, role in enumerate(weights)}
    extra = _entries(stage, growth_first=True)
    # The next seat goes to the largest share / (seats + 1).  Floats decide it exactly:
    # equal quotients of small integers divide to the same float, and distinct ones
    # (shares up to 1000, counts up to millions) differ by far more than rounding.
    heap = [(-w / (counts[role] + 1), order[role], role) for role, w in weights.items()]
    heapq.heapify(heap)
    while len(seats) < size:
        _, k, role = heapq.heappop(heap)
        seats.append(extra[role])
        counts[role] += 1
        heapq.heappush(heap, (-weights[role] / (counts[role] + 1), k, role))
    return seats


def needs(matrix: Matrix, stage_id: str, systems: Iterable[str],
          unowned: RuleRef) -> list[Need]:
    """Step 2's input: what the checks need here, in a fixed order (not the caller's).

    Only matrix roles are needs: a seat of a manager would not count in the headcount
    ORG206 compares with, so the mix could never match a team built from it.
    """
    running = set(systems)
    found: list[Need] = []
    told: set[tuple[str, str]] = set()  # (system, role) a missing-role rule speaks for
    stage = matrix.spec.maturity.get(stage_id)
    practices = set(stage.practices) if stage else set()
    for p in matrix.spec.anti_patterns:
        severity = Severity.parse(p.severity)
        if severity < Severity.WARNING or (p.maturity and stage_id not in p.maturity):
            continue
        ref = RuleRef(p.code, p.name, severity)
        if p.kind == "missing-owner":
            if p.practice and p.practice in practices:
                continue
            owner = next((matrix.owner(r) for r in p.responsibilities
                          if matrix.in_matrix(matrix.owner(r))), None)
            if owner:
                mine = tuple(r for r in p.responsibilities if matrix.owner(r) == owner)
                found.append(Need(owner, ref, "nobody owns " + " or ".join(p.responsibilities),
                                  mine, 0))
        elif p.kind == "missing-role" and p.roles and matrix.in_matrix(p.roles[0]):
            role = p.roles[0]
            hits = [s for s in matrix.systems if s in running and s in p.systems]
            if hits:
                # The role's share of what these systems require is this rule's to say,
                # so it is not said again as ORG202 (and the seat owns it).
                work = [r for s in hits for r in matrix.systems[s].requires
                        if matrix.owner(r) == role]
                told.update((s, role) for s in hits)
                unowned_work = f": nobody owns {', '.join(work)}" if work else ""
                found.append(Need(role, ref, f"runs {' and '.join(hits)} without a {role}"
                                  + unowned_work, tuple(dict.fromkeys(work)), 1))
    for system_id, system in matrix.systems.items():
        if system_id not in running:
            continue
        by_owner: dict[str, list[str]] = {}
        for item in system.requires:
            owner = matrix.owner(item)
            if owner and matrix.in_matrix(owner) and (system_id, owner) not in told:
                by_owner.setdefault(owner, []).append(item)
        for owner, items in by_owner.items():
            found.append(Need(owner, unowned, f"{system_id} requires {' and '.join(items)}",
                              tuple(items), 2))
    return found


def build(matrix: Matrix, stage_id: str, size: int, systems: Iterable[str],
          unowned: RuleRef) -> Mix:
    placed = _place(matrix, stage_id, size, systems, unowned)
    if placed is None:
        return Mix([], [], 0, {})
    stage, seats, plan, unmet = placed
    return Mix(_assign(matrix, seats, plan.wanted), unmet, min(len(stage.seats), size),
               shares(stage))


def seat_roles(matrix: Matrix, stage_id: str, size: int, systems: Iterable[str],
               unowned: RuleRef) -> list[MixSeat]:
    """The seats of ``build`` without step 3 (what each seat owns): ORG206 counts roles."""
    placed = _place(matrix, stage_id, size, systems, unowned)
    return placed[1] if placed is not None else []


class _Plan(NamedTuple):
    """Step 2's part that depends on the stage and the systems only, not on the size."""

    wanted: list[Need]
    by_role: dict[str, list[Need]]
    weight: dict[str, Severity]
    order: list[str]  # the needed roles, the most needed first
    seat: dict[str, MixSeat]  # the seat that goes to each needed role


def _plan(matrix: Matrix, stage: Stage, stage_id: str, systems: frozenset[str],
          unowned: RuleRef) -> _Plan:
    wanted = needs(matrix, stage_id, systems, unowned)
    by_role: dict[str, list[Need]] = {}
    for need in wanted:
        by_role.setdefault(need.role, []).append(need)
    weight = {role: max(n.rule.severity for n in items) for role, items in by_role.items()}
    first = {role: min(n.rank for n in items) for role, items in by_role.items()}
    entries = _entries(stage, growth_first=False)
    seat = {role: (entries.get(role) or MixSeat(role, matrix.roles[role].summary, ()))
            ._replace(moved_for=tuple(dict.fromkeys(n.rule.code for n in items)))
            for role, items in by_role.items()}
    return _Plan(wanted, by_role, weight, sorted(by_role, key=lambda r: (-weight[r], first[r])),
                 seat)


# Thousands of teams share a hundred stages and sets of systems, and fifty stages and
# sizes: both are worked out once each.
_PLANS: Memo[tuple[str, frozenset[str], RuleRef], _Plan] = Memo()
_SEATS: Memo[tuple[str, int], tuple[MixSeat, ...]] = Memo()


def _place(matrix: Matrix, stage_id: str, size: int, systems: Iterable[str],
           unowned: RuleRef) -> tuple[Stage, list[MixSeat], _Plan, list[Need]] | None:
    """Steps 1 and 2: the stage, its seats with the needed roles in place, the plan they
    came from, and the needs no seat could take."""
    stage = matrix.spec.maturity.get(stage_id)
    if stage is None or size < 1:
        return None
    if size > _MEMO_SIZE:
        seats = stage_seats(stage, size)
    else:
        known = _SEATS.get(matrix, (stage_id, size))
        if known is None:
            known = _SEATS.put((stage_id, size), tuple(stage_seats(stage, size)))
        seats = list(known)
    running = frozenset(systems)
    plan = _PLANS.get(matrix, (stage_id, running, unowned))
    if plan is None:
        plan = _PLANS.put((stage_id, running, unowned),
                          _plan(matrix, stage, stage_id, running, unowned))
    counts = Counter(seat.role for seat in seats)
    weight = plan.weight
    unmet: list[Need] = []
    for role in plan.order:
        if counts[role]:
            continue
        victim = _victim(seats, counts, weight, weight[role])
        if victim is None:
            unmet.extend(plan.by_role[role])
            continue
        counts[seats[victim].role] -= 1
        counts[role] += 1
        seats[victim] = plan.seat[role]
    return stage, seats, plan, unmet


def _victim(seats: list[MixSeat], counts: Counter[str], weight: dict[str, Severity],
            severity: Severity) -> int | None:
    """The latest seat needed least, if it is needed less than ``severity``."""
    best: tuple[int, int] | None = None  # (how much it is needed, index)
    for i in range(len(seats) - 1, -1, -1):
        role = seats[i].role
        value = 0 if counts[role] > 1 else int(weight.get(role, 0))
        if value < severity and (best is None or value < best[0]):
            best = (value, i)
            if value == 0:
                break  # the latest seat nobody needs: none can be needed less
    return best[1] if best else None


def _assign(matrix: Matrix, seats: list[MixSeat], wanted: list[Need]) -> list[MixSeat]:
    owns = [list(dict.fromkeys(seat.owns)) for seat in seats]
    seats_of: dict[str, list[int]] = {}
    for i, seat in enumerate(seats):
        seats_of.setdefault(seat.role, []).append(i)
    for need in wanted:
        for item in need.responsibilities:
            for i in seats_of.get(matrix.owner(item) or "", [])[:_OWNERS_PER_REQUIREMENT]:
                if item not in owns[i]:
                    owns[i].append(item)
    return [seat if tuple(mine) == seat.owns else seat._replace(owns=tuple(mine))
            for seat, mine in zip(seats, owns, strict=True)]
