"""A team's policy rules run as one batch expression (``teamrules.make_batch``): each
rule's failure is a bit of an int, eight rules an int.  Whatever the rules, matches and
errors, the batch must report exactly what the rules give one by one."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orglint.config import Settings
from orglint.engine import Request, plan, run
from orglint.policy import teamrules
from orglint.policy.cel import CompileError

TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata:
  name: recsys
spec:
  maturity: production
  systems: [feature-store]
  members:
    - {id: ana, role: data-scientist, level: junior, allocation: 50, owns: []}
    - {id: bo, title: MLOps Engineer, level: mid, allocation: 80, owns: [model-rollback]}
    - {id: cy, role: data-engineer, level: senior, allocation: 100, owns: [data-pipelines]}
"""

TEAM_TESTS = [
    "team.spec.members.size() > 2",
    "team.spec.members.size() > 5",
    "team.spec.maturity == 'production'",
    "'gpu-cluster' in team.spec.systems",
    "team.spec.members.exists(m, m.role == 'data-scientist')",
    "team.spec.members.all(m, m.level == 'senior')",
    "team.metadata.name.matches('^rec')",  # outside the translated subset
]
ERRORS = [
    "team.spec.members[7].role == 'x'",  # no such member
    "team.metadata.name == 'recsys' ? team.spec.maturity : true",  # not a bool here
    "100 / (member.allocation - 50) > 5",  # divides by zero on ana
]
MEMBER_TESTS = [
    "member.level != 'junior'",
    "member.owns.size() < 1",
    "member.role == 'mlops-engineer'",
    "member.allocation >= 100",
    "member.id.startsWith('b')",
    "member.role.lowerAscii() == 'data-scientist'",  # outside the translated subset
]
UNTRANSLATED = {TEAM_TESTS[-1], MEMBER_TESTS[-1]}
MATCHES = [None, "true", "false", "team.spec.maturity == 'production'"]


def _policy(rules: list[tuple[str, str, str | None]]) -> str:
    lines = ["apiVersion: orglint/v1", "kind: Policy", "metadata: {name: p}", "spec:",
             "  rules:"]
    for i, (target, expression, match) in enumerate(rules):
        lines += [f"    - code: ACME{i:03d}", f"      name: rule-{i}",
                  f"      target: {target}", f"      expression: \"{expression}\""]
        if match is not None:
            lines.append(f"      match: \"{match}\"")
    return "\n".join(lines) + "\n"


def _findings(folder: Path) -> list[tuple[object, ...]]:
    settings_ = Settings(root=folder, select=["ACME", "ORG903"], cache=False,
                         policies=["acme.yaml"])
    result = run(plan(settings_), Request(["team.yaml"], cwd=folder))
    return sorted((f.code, f.line, f.column, f.entity, f.message) for f in result.findings)


def _both(rules: list[tuple[str, str, str | None]]) -> tuple[list[object], list[object]]:
    """The findings with the batch, and with every rule alone (the batch refused); the
    batch's findings are the same with and without ``fastpath`` (checked here)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "team.yaml").write_text(TEAM)
        (folder / "acme.yaml").write_text(_policy(rules))
        made: list[teamrules.Batch] = []
        alone_calls: list[object] = []
        original_batch, original = teamrules.make_batch, teamrules.compile_expression
        original_alone, original_translate = teamrules._one_by_one, teamrules.translate

        def counted(*args: object) -> object:
            alone_calls.append(args)
            return original_alone(*args)  # type: ignore[arg-type]

        def recorded(*args: object, **kwargs: object) -> teamrules.Batch:
            made.append(original_batch(*args, **kwargs))  # type: ignore[arg-type]
            return made[-1]

        def refuse(*args: object, **kwargs: object) -> object:
            raise CompileError("off", 1, 1)

        teamrules.make_batch = recorded  # type: ignore[assignment]
        teamrules._one_by_one = counted  # type: ignore[assignment]
        try:
            fast = _findings(folder)
            first = made[-1]  # the run's batch (a batch of the rest is made before it)
            teamrules.translate = lambda *args: None  # type: ignore[assignment]
            alone_calls.clear()
            batched = _findings(folder)
            second = made[-1]
            fell_back = bool(alone_calls)
            teamrules.compile_expression = refuse  # type: ignore[assignment]
            alone = _findings(folder)
        finally:
            teamrules.make_batch, teamrules.compile_expression = original_batch, original
            teamrules._one_by_one, teamrules.translate = original_alone, original_translate
    # The first run's translation answers for every rule it can (those outside the
    # subset are a batch of their own); the second run's batch compiled (else both runs
    # went rule by rule), the third's not, and the batch's value was read unless a rule
    # failed to evaluate.
    outside = [e for _, e, _ in rules if e in UNTRANSLATED]
    assert (first.fast is not None) == (len(outside) < len(rules))
    assert (first.rest is not None) == (0 < len(outside) < len(rules))
    assert second.fast is None and second.rest is None
    assert second.program() is not None and made[-1].program() is None
    if not any(expression in ERRORS for _, expression, _ in rules):
        assert not fell_back
    assert fast == batched
    return batched, alone


rule = st.one_of(
    st.tuples(st.just("team"), st.sampled_from(TEAM_TESTS + ERRORS[:2]),
              st.sampled_from(MATCHES)),
    st.tuples(st.just("member"), st.sampled_from(MEMBER_TESTS + ERRORS[2:]),
              st.sampled_from(MATCHES)))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rule, min_size=1, max_size=20))
def test_the_batch_reports_what_the_rules_report_one_by_one(rules):
    batched, alone = _both(rules)
    assert batched == alone


@pytest.mark.parametrize(("teams", "members"), [(9, 0), (0, 9), (17, 17), (8, 8)])
def test_more_rules_than_one_int_holds(teams, members):
    # Every rule fails somewhere, so every bit of every chunk is read back.
    rules = ([("team", "team.spec.members.size() > 5", None)] * teams
             + [("member", "member.level != 'junior'", None)] * members)
    batched, alone = _both(rules)
    assert batched == alone
    assert len(batched) == teams + members  # ana is the one junior


def test_a_chunks_bits_are_summed_as_a_balanced_tree():
    # Summed in a row, eight rules would nest eight levels; the engine refuses 32.
    text = teamrules._sum([f"x{i}" for i in range(8)])
    assert text == "(((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)))"
    assert teamrules._sum(["x"]) == "x"


@contextlib.contextmanager
def _compiled() -> Iterator[list[str]]:
    """The sources ``teamrules`` compiles in the engine while in the block."""
    sources: list[str] = []
    original = teamrules.compile_expression

    def counted(source: str, *args: object, **kwargs: object) -> object:
        sources.append(source)
        return original(source, *args, **kwargs)  # type: ignore[arg-type]

    teamrules.compile_expression = counted  # type: ignore[assignment]
    try:
        yield sources
    finally:
        teamrules.compile_expression = original


@pytest.mark.parametrize(("member_test", "compiled"), [
    ("member.level != 'junior'", 0),  # the translation answers for the team
    ("100 / (member.allocation - 50) > 5", 1),  # it is unsure (a division by zero)
])
def test_the_batch_is_compiled_only_for_a_team_the_translation_leaves(member_test, compiled):
    # The engine's batch is compiled when first needed: before the pool forks, that was
    # serial time on every run with policies, for a program most runs never evaluate.
    rules = [("team", "team.spec.members.size() > 2", None),
             ("member", member_test, None)]
    with _compiled() as sources, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "team.yaml").write_text(TEAM)
        (folder / "acme.yaml").write_text(_policy(rules))
        found = _findings(folder)
    assert len(sources) == compiled
    # ana is the one junior; she has the allocation of 50 that the division trips on.
    assert [code for code, *_ in found] == (["ACME001"] if compiled == 0 else
                                            ["ACME001", "ACME001", "ORG903"])


def test_a_rule_outside_the_subset_is_a_batch_of_its_own():
    # One rule the translation lacks used to send every rule of every team to the
    # engine (a run with twenty rules, one of them `matches`: a quarter slower).
    rules = [("team", "team.spec.members.size() > 2", None),
             ("member", "member.level != 'junior'", None),
             ("member", "member.role.lowerAscii() == 'data-scientist'", None),
             ("team", "team.metadata.name.matches('^rec')", "true")]
    with _compiled() as sources:
        batched, alone = _both(rules)
    assert batched == alone
    # ana is junior; bo and cy are not data scientists.
    assert [(code, entity) for code, _, _, entity, _ in batched] == [
        ("ACME001", "ana"), ("ACME002", "bo"), ("ACME002", "cy")]
    # The first run compiled the batch of the two rules outside the subset, not the
    # batch of all four, which the second run (no translation) compiled.
    assert "lowerAscii" in sources[0] and "size() > 2" not in sources[0]
    assert "size() > 2" in sources[1]
