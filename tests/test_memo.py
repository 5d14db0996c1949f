"""Work the team rules share or skip: per-matrix memo tables (reused across teams,
bounded, never stale), and what a team without a gap does not need."""

from __future__ import annotations

import itertools

from orglint import mix
from orglint.loader import load
from orglint.matrix import load_matrix
from orglint.memo import Memo
from orglint.model import build_team
from orglint.rules import coverage
from orglint.rules.base import TeamContext
from orglint.rules.coverage import RoleMixGap, recommended_mix, recommended_seats


def _team(name: str, maturity: str = "production", systems: str = "[model-serving]") -> str:
    return (f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: {name}}}\n"
            f"spec:\n  maturity: {maturity}\n  systems: {systems}\n  members:\n"
            "    - {id: a, role: ml-engineer}\n    - {id: b, role: ml-engineer}\n")


def _context(source: str, matrix: object) -> TeamContext:
    doc = load(source.encode(), "t.yaml").documents[0]
    return TeamContext(build_team(doc.data), doc, "t.yaml", matrix)  # type: ignore[arg-type]


def test_a_table_holds_at_most_its_limit_and_belongs_to_one_owner():
    memo: Memo[int, int] = Memo(limit=3)
    owner, other = object(), object()
    for key in range(10):
        assert memo.get(owner, key) is None
        memo.put(key, key * 2)
        assert len(memo) <= 3
    assert memo.get(owner, 9) == 18
    assert memo.get(other, 9) is None  # another matrix: nothing carries over
    assert len(memo) == 0


def test_role_mix_gap_works_out_each_stage_size_and_systems_once():
    matrix = load_matrix()
    rule = RoleMixGap()
    before_rule, before_plan = coverage._SEATS.misses, mix._PLANS.misses
    found = [list(rule.check_team(_context(_team(f"t{k}"), matrix))) for k in range(20)]
    assert all(len(f) == 1 for f in found)
    assert coverage._SEATS.misses - before_rule == 1
    assert mix._PLANS.misses - before_plan == 1
    # The same key under another matrix is worked out again: answers follow the matrix.
    list(rule.check_team(_context(_team("x"), load_matrix())))
    assert coverage._SEATS.misses - before_rule == 2


def test_the_seats_org206_counts_are_the_composers_seats():
    matrix = load_matrix()
    systems = list(matrix.systems)
    for stage, size, count in itertools.product(matrix.spec.maturity, (1, 3, 7, 12, 30), (0, 1, 3)):
        chosen = systems[:count] if count else []
        mixed = recommended_mix(matrix, stage, size, chosen)
        seats = recommended_seats(matrix, stage, size, chosen)
        assert [(s.role, s.reason, s.moved_for) for s in seats] == \
            [(s.role, s.reason, s.moved_for) for s in mixed.seats]
        # Asked again (from the memo), the answer is the same and a copy of its own.
        again = recommended_mix(matrix, stage, size, chosen)
        assert again == mixed and again.seats is not mixed.seats


def test_big_teams_are_not_memoised():
    matrix = load_matrix()
    stage = next(iter(matrix.spec.maturity))
    before = mix._SEATS.misses
    recommended_seats(matrix, stage, mix._MEMO_SIZE + 1, [])
    assert mix._SEATS.misses == before


def test_unowned_responsibility_asks_the_missing_role_rules_only_for_a_team_with_a_gap(
        monkeypatch):
    calls: list[str] = []
    real = coverage.left_to_missing_role

    def counting(ctx: TeamContext) -> set[tuple[str, str]]:
        calls.append(ctx.team.id)
        return real(ctx)

    monkeypatch.setattr(coverage, "left_to_missing_role", counting)
    matrix = load_matrix()
    rule = coverage.UnownedSystemResponsibility()
    assert list(rule.check_team(_context(_team("idle", systems="[]"), matrix))) == []
    gap = list(rule.check_team(_context(_team("gap"), matrix)))
    assert gap and calls == ["gap"]
