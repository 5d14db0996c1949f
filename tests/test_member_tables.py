"""The member rules' per-matrix tables and memos: bounded, built once, and the same
answers as working each member out from scratch (tests/test_golden.py pins the bytes)."""

from __future__ import annotations

import pickle
import random

import pytest

from orglint.matrix import AntiPattern, Matrix, load_matrix
from orglint.memo import MEMO_LIMIT
from orglint.model import build_team
from orglint.rules.base import TeamContext, _OwnsIndex, owns_matches
from orglint.skills import SkillIndex
from tests.rules.test_people import team as team_text


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return load_matrix()


def _context(matrix: Matrix, members: list[dict[str, object]]) -> TeamContext:
    team = build_team({"apiVersion": "orglint/v1", "kind": "Team",
                       "metadata": {"name": "t"},
                       "spec": {"maturity": "pilot", "members": members}})
    return TeamContext(team, None, "t.yaml", matrix)  # type: ignore[arg-type]


def test_free_text_memos_stop_growing(matrix):
    fresh = load_matrix()
    index = SkillIndex(matrix.spec.skills.aliases, matrix.spec.skills.vendor_prefixes)
    texts = [f"NVIDIA tool {n} / W&B" for n in range(MEMO_LIMIT + 500)]
    for text in texts:
        assert fresh.skill_keys(text) == frozenset(index.keys(text))
        assert fresh.resolve_title(text) == matrix._title_index.resolve(text)
    assert len(fresh._skill_cache) == MEMO_LIMIT
    assert len(fresh._title_cache) == MEMO_LIMIT
    # Past the limit the answers are worked out each time, and still right.
    assert fresh.skill_keys(texts[-1]) == frozenset(index.keys(texts[-1]))


def test_role_memo_stops_growing(matrix):
    fresh = load_matrix()
    members = [{"id": f"p{n}", "title": f"Engineer {n}"} for n in range(MEMO_LIMIT + 100)]
    members.append({"id": "q", "role": "SRE"})
    ctx = _context(fresh, members)
    reference = [ctx._role_of(m) for m in ctx.members]
    assert ctx.roles == reference
    assert len(fresh.prepared("base.roles", dict)) == MEMO_LIMIT


def test_skill_keys_are_worked_out_once_per_distinct_skill(lint, monkeypatch):
    calls: list[str] = []
    keys = SkillIndex.keys

    def counting(self: SkillIndex, skill: str) -> set[str]:
        calls.append(skill)
        return keys(self, skill)

    monkeypatch.setattr(SkillIndex, "keys", counting)
    members = [f"{{id: m{n}, role: platform-engineer, skills: [abacus, quill, slide-rule]}}"
               for n in range(40)]
    found = lint.findings(team_text(members), select=["ORG401"])
    assert len(found) == 40
    member_skills = [c for c in calls if c in ("abacus", "quill", "slide-rule")]
    assert sorted(member_skills) == ["abacus", "quill", "slide-rule"]


def test_prepared_tables_are_built_once_per_matrix(matrix):
    fresh = load_matrix()
    built: list[Matrix] = []

    def build(m: Matrix) -> int:
        built.append(m)
        return len(built)

    assert [fresh.prepared("test.table", build) for _ in range(5)] == [1] * 5
    assert built == [fresh]


def test_a_pickled_matrix_still_finds_its_patterns(matrix):
    # A spawned worker process gets a copy of the matrix: its patterns have other ids.
    copy = pickle.loads(pickle.dumps(matrix))
    for pattern in copy.spec.anti_patterns:
        assert copy.pattern_responsibilities(pattern) == (
            matrix.pattern_responsibilities(pattern))


def _random_members(matrix: Matrix, rng: random.Random, n: int) -> list[dict[str, object]]:
    roles = [*matrix.roles, "SRE", "nonsense", None]
    items = [*matrix.responsibilities, "not-a-responsibility"]
    out: list[dict[str, object]] = []
    for k in range(n):
        member: dict[str, object] = {"id": f"m{k}",
                                     "owns": rng.sample(items, rng.randint(0, 6))}
        role = rng.choice(roles)
        if role is not None:
            member["role"] = role
        if rng.random() < 0.5:
            member["title"] = rng.choice(["Senior DevOps Engineer", "ML Engineer",
                                          "Platform Engineer", "Chef"])
        out.append(member)
    return out


def test_owns_hits_agree_with_working_each_member_out(matrix):
    rng = random.Random(14)
    for _ in range(200):
        ctx = _context(matrix, _random_members(matrix, rng, rng.randint(1, 12)))
        for pattern in matrix.spec.anti_patterns:
            if pattern.kind != "owns":
                continue
            wanted = matrix.pattern_responsibilities(pattern)
            naive = [(i, j, r) for i, m in enumerate(ctx.members)
                     if ctx.roles[i].role in pattern.roles
                     for j, r in enumerate(m.owns) if r in wanted]
            assert list(owns_matches(pattern, ctx)) == naive


def test_the_owns_index_is_never_multiplied_out(matrix):
    # A hostile matrix may name thousands of roles and items in one pattern: pairs are
    # worked out as members use them, and remembered up to the limit.
    roles = tuple(f"r{n}" for n in range(3000))
    items = tuple(f"i{n}" for n in range(3000))
    pattern = AntiPattern("ACME001", "wide", "error", "owns", "m", roles=roles,
                          responsibilities=items)
    spec = matrix.spec._replace(anti_patterns=(pattern,))
    wide = Matrix.__new__(Matrix)
    wide.spec = spec
    wide._pattern_sets = {pattern: frozenset(items)}
    index = _OwnsIndex(wide)
    assert index._memo == {}
    for n in range(MEMO_LIMIT + 10):
        assert index.matching(roles[n % 3000], items[n // 3000]) == (pattern,)
    assert len(index._memo) == MEMO_LIMIT
    assert index.matching("r1", "elsewhere") == ()


def test_an_owns_pattern_written_twice_reports_as_before():
    # Two equal patterns: each reports the member, as each did before the shared pass.
    base = load_matrix()
    pattern = next(p for p in base.spec.anti_patterns if p.code == "ORG103")
    twice = (*base.spec.anti_patterns, pattern)
    doubled = Matrix(base.name, base.spec._replace(anti_patterns=twice), base.digest)
    ctx = _context(doubled, [{"id": "a", "role": "platform-engineer",
                              "owns": ["training-code"]}])
    assert len(doubled.patterns("ORG103")) == 2
    assert [list(owns_matches(p, ctx)) for p in doubled.patterns("ORG103")] == [
        [(0, 0, "training-code")]] * 2
