"""A team's policy rules run as one batch expression (``teamrules.make_batch``): each
rule's failure is a bit of an int, eight rules an int.  Whatever the rules, matches and
errors, the batch must report exactly what the rules give one by one."""

from __future__ import annotations

import tempfile
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
]
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
            teamrules.translate = lambda *args: None  # type: ignore[assignment]
            alone_calls.clear()
            batched = _findings(folder)
            fell_back = bool(alone_calls)
            teamrules.compile_expression = refuse  # type: ignore[assignment]
            alone = _findings(folder)
        finally:
            teamrules.make_batch, teamrules.compile_expression = original_batch, original
            teamrules._one_by_one, teamrules.translate = original_alone, original_translate
    # Every rule here is in the subset ``fastpath`` translates; the second run's batch
    # compiled (else both runs went rule by rule), the third's not, and the batch's value
    # was read unless a rule failed to evaluate.
    assert made[0].fast is not None and made[1].fast is None
    assert made[1].program() is not None and made[-1].program() is None
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


@pytest.mark.parametrize(("member_test", "compiled"), [
    ("member.level != 'junior'", 0),  # the translation answers for the team
    ("100 / (member.allocation - 50) > 5", 1),  # it is unsure (a division by zero)
])
def test_the_batch_is_compiled_only_for_a_team_the_translation_leaves(member_test, compiled):
    # The engine's batch is compiled when first needed: before the pool forks, that was
    # serial time on every run with policies, for a program most runs never evaluate.
    rules = [("team", "team.spec.members.size() > 2", None),
             ("member", member_test, None)]
    sources: list[str] = []
    original = teamrules.compile_expression

    def counted(source: str, *args: object, **kwargs: object) -> object:
        sources.append(source)
        return original(source, *args, **kwargs)  # type: ignore[arg-type]

    teamrules.compile_expression = counted  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "team.yaml").write_text(TEAM)
            (folder / "acme.yaml").write_text(_policy(rules))
            found = _findings(folder)
    finally:
        teamrules.compile_expression = original
    assert len(sources) == compiled
    # ana is the one junior; she has the allocation of 50 that the division trips on.
    assert [code for code, *_ in found] == (["ACME001"] if compiled == 0 else
                                            ["ACME001", "ACME001", "ORG903"])
