"""The pattern rules test each pattern's cheap conditions (kind, maturity, systems,
practice) before rendering anything: a team no pattern matches costs no ``apply``, and
what fires is what applying every pattern of the code finds."""

from __future__ import annotations

import itertools

import pytest

from orglint.loader import load
from orglint.matrix import Matrix, load_matrix
from orglint.model import build_team
from orglint.rules import REGISTRY, patterns
from orglint.rules.base import TeamContext
from orglint.rules.patterns import PatternRule, apply


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return load_matrix()


def _context(matrix: Matrix, maturity: str, systems: list[str], practices: list[str],
             members: str) -> TeamContext:
    text = (f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: t}}\n"
            f"spec:\n  maturity: {maturity}\n  systems: [{', '.join(systems)}]\n"
            f"  practices: [{', '.join(practices)}]\n  members:\n{members}")
    doc = load(text.encode(), "t.yaml").documents[0]
    return TeamContext(build_team(doc.data), doc, "t.yaml", matrix)


_MEMBERS = {
    "staffed": "    - {id: a, role: ml-engineer, owns: [training-code]}\n"
               "    - {id: b, role: mlops-engineer, owns: [promotion-gates, model-rollback]}\n"
               "    - {id: c, role: platform-engineer, owns: [serving-runtime]}\n"
               "    - {id: d, role: data-engineer}\n",
    "misfits": "    - {id: a, role: platform-engineer, owns: [training-code]}\n"
               "    - {id: b, role: devops-sre, owns: [gpu-scheduling, training-pipelines]}\n"
               "    - {id: c, role: data-scientist, owns: [model-deployment]}\n",
    "alone": "    - {id: a, role: ml-engineer}\n",
}


def _rules() -> list[PatternRule]:
    return [rule() for rule in REGISTRY.values() if issubclass(rule, PatternRule)]


def test_gated_rules_find_what_every_pattern_finds(matrix):
    stages = list(matrix.spec.maturity)
    systems = list(matrix.systems)
    checked = fired = 0
    for stage, count, practices, members in itertools.product(
            stages, (0, 1, len(systems)), ([], ["eval-gate"]), _MEMBERS.values()):
        for rule in _rules():
            ctx = _context(matrix, stage, systems[:count], practices, members)
            naive = [f for p in matrix.patterns(rule.code) for f in apply(p, ctx, rule.options)]
            assert list(rule.check_team(ctx)) == naive
            checked += 1
            fired += bool(naive)
    assert fired and fired < checked  # both sides of every gate were exercised


def test_a_team_no_pattern_matches_renders_nothing(matrix, monkeypatch):
    calls: list[str] = []

    def counted(pattern, ctx, options=None):  # type: ignore[no-untyped-def]
        calls.append(pattern.code)
        return apply(pattern, ctx, options)

    monkeypatch.setattr(patterns, "apply", counted)
    ctx = _context(matrix, "production", ["model-serving"], ["eval-gate"], _MEMBERS["staffed"])
    for rule in _rules():
        assert list(rule.check_team(ctx)) == []
    assert calls == []
    # A team that matches goes through apply, once per pattern that may fire.
    ctx = _context(matrix, "production", ["feature-store"], [], _MEMBERS["misfits"])
    found = [f for rule in _rules() for f in rule.check_team(ctx)]
    assert found and len(calls) >= len({f.code for f in found})


def test_org102_works_out_the_owns_pattern_hits_only_for_an_item_outside_a_role(matrix):
    from orglint.rules.rolefit import ResponsibilityOutsideRole

    rule = ResponsibilityOutsideRole()
    ctx = _context(matrix, "production", [], [], _MEMBERS["staffed"])
    assert list(rule.check_team(ctx)) == []
    assert "owns_pattern_hits" not in vars(ctx)
    ctx = _context(matrix, "production", [], [], _MEMBERS["misfits"])
    list(rule.check_team(ctx))
    assert "owns_pattern_hits" in vars(ctx)

