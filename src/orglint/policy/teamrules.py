"""Policy rules as the engine runs them: one Rule class per policy rule.

Team and member rules run per file.  Converting a team into the engine's values costs
more than evaluating a rule, so every team and member rule of a team is evaluated in
one batch expression, ``[team bits, ..., team.spec.members.map(member, member bits)]``:
each int is the sum of the bits of the rules of its chunk (up to eight) that fail, so
a team or member with no failure is a 0 that Python reads at a glance.  Any error in
the batch sends that team through the rules one by one, so an error is reported
exactly where it is, as ORG903, and never turns into a pass.

Before the engine, a batch asks ``fastpath``, its rules translated into Python, which
answers only when every rule plainly passed, failed or did not match, and otherwise
leaves the team to the engine as above.  Rules outside ``celsubset`` are a batch of
their own, which the engine evaluates for each team the translation answers for.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

from orglint.findings import POLICY_ERROR, Finding, Severity
from orglint.ntuple import NamedTuple
from orglint.policy.cel import CompileError, Program, charge, compile_expression
from orglint.policy.compiled import (
    Compiled,
    Verdict,
    bound,
    explicit_bind,
    fallback_message,
    message_of,
)
from orglint.policy.fastpath import Rules, Unsure, translate
from orglint.policy.policyset import PolicySet, target_inputs
from orglint.policy.shape import Node, shape
from orglint.policy.teamview import TeamSource, team_builder
from orglint.rules.base import Rule, TeamContext
from orglint.source import Path as NodePath
from orglint.source import SourceMap

OUTCOMES = {0: "fail", 1: "pass", 2: "skip"}
_BATCH_NAMES = ("team", "member", "matrix", "variables")


class Batch(NamedTuple):
    # The batch in the engine, compiled when first asked for (a batch ``fast`` answers
    # for every team is never compiled); None: it does not compile, rules run one by one.
    program: Callable[[], Program | None]
    team_rules: list[Compiled]
    member_rules: list[Compiled]
    uses_matrix: bool
    build: Callable[[TeamSource], dict[str, Any]]  # the team as these rules observe it
    # The failure of each rule with no message expression, the same on every target.
    fixed: dict[str, Verdict]
    # The rules in Python (``fastpath``), where they translate: all of them, or, when
    # some do not, those that do (``fast_rules``, team then member rules), the others
    # being a batch of their own (``rest``), which a team the translation answers for
    # meets alone: one rule the subset lacks costs that rule, not the whole batch.
    fast: Rules | None
    fast_rules: tuple[list[Compiled], list[Compiled]] = ([], [])
    rest: Batch | None = None


def _test(rule: Compiled) -> str:
    spec = rule.spec
    return bound(spec, spec.expression.source) if spec.variables else spec.expression.source


def _guarded(rule: Compiled, passed: str, failed: str, skipped: str) -> str:
    """``rule`` as one CEL value: ``passed``, ``failed``, or ``skipped`` when its match
    is false (errors propagate, and a value that is not a bool is an error of the
    conditional)."""
    item = f"(({_test(rule)}) ? {passed} : {failed})"
    match = rule.spec.match
    return item if match is None else f"(({match.source}) ? {item} : {skipped})"


def outcome_item(rule: Compiled) -> str:
    """A rule as one CEL value: 1 pass, 0 fail, 2 match false."""
    return _guarded(rule, "1", "0", "2")


def passes(rule: Compiled) -> str:
    """A rule as a bool that is true only when it passes or does not match: an error,
    a false or a value of another type anywhere makes a conjunction of them not true."""
    test, match = _test(rule), rule.spec.match
    if match is None:
        return f"(({test}) == true)"
    return f"(({match.source}) ? (({test}) == true) : true)"


# Rules per int of a batch: their bits are summed as a balanced tree, three levels
# deep, because the engine refuses an expression nested more than 32 levels.
CHUNK = 8


def fail_bit(rule: Compiled, bit: int) -> str:
    """``rule`` as one CEL int: ``bit`` when it fails, else 0."""
    return _guarded(rule, "0", str(bit), "0")


def _sum(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    half = len(items) // 2
    return f"({_sum(items[:half])} + {_sum(items[half:])})"


def fail_bits(rules: list[Compiled]) -> list[str]:
    """``rules`` as ints, one a chunk: the sum of the bits of its rules that fail."""
    return [_sum([fail_bit(rule, 1 << i) for i, rule in enumerate(rules[start:start + CHUNK])])
            for start in range(0, len(rules), CHUNK)]


def make_batch(rules: list[Compiled],
               compile_batch: Callable[[str], Program] | None = None, *,
               translated: bool = True) -> Batch:
    """The rules as one expression (``compile_batch``: how to compile it, when not on
    a ``team`` input of its own, as ``orgteams`` does, which has no use for ``fast``);
    ``translated=False``: rules known not to translate (``_translated``'s rest)."""
    team_rules = [r for r in rules if r.spec.target == "team"]
    member_rules = [r for r in rules if r.spec.target == "member"]
    items = fail_bits(team_rules)
    if member_rules:
        row = fail_bits(member_rules)
        items.append("team.spec.members.map(member, "
                     + (row[0] if len(row) == 1 else "[" + ", ".join(row) + "]") + ")")
    source = "[" + ", ".join(items) + "]"
    batched = len(rules) < 2 or not any(explicit_bind(r) for r in rules)  # explicit_bind

    @cache
    def program() -> Program | None:
        if batched:
            with contextlib.suppress(CompileError):  # e.g. past the engine's nesting limit
                return (compile_batch(source) if compile_batch is not None else
                        compile_expression(source, _BATCH_NAMES, limit=None))
        return None  # rule by rule: correct, only slower

    fast, fast_rules, rest = (None, (team_rules, member_rules), None) \
        if compile_batch is not None or not translated \
        else _translated(team_rules, member_rules)
    if fast is None:
        program()  # needed for every team: compiled before a pool's workers fork
    return Batch(program, team_rules, member_rules,
                 any("matrix" in r.uses for r in rules), team_builder(observed(rules)),
                 {r.spec.code: Verdict("fail", fallback_message(r)) for r in rules
                  if r.message is None}, fast, fast_rules, rest)


def _translated(team_rules: list[Compiled], member_rules: list[Compiled]
                ) -> tuple[Rules | None, tuple[list[Compiled], list[Compiled]], Batch | None]:
    """The rules ``fastpath`` answers for (all, else those that translate alone) with
    their translation, and a batch of the others (None: there are none)."""
    fast = translate([_written(r) for r in team_rules], [_written(r) for r in member_rules])
    if fast is not None or len(team_rules) + len(member_rules) < 2:
        return fast, (team_rules, member_rules), None
    teams = [r for r in team_rules if translate([_written(r)], []) is not None]
    members = [r for r in member_rules if translate([], [_written(r)]) is not None]
    if not teams and not members:
        return None, (team_rules, member_rules), None
    fast = translate([_written(r) for r in teams], [_written(r) for r in members])
    if fast is None:  # each alone but not together (past the compiler's limits)
        return None, (team_rules, member_rules), None
    answered = {r.spec.code for r in teams + members}
    rest = [r for r in team_rules + member_rules if r.spec.code not in answered]
    return fast, (teams, members), make_batch(rest, translated=False)


def _written(rule: Compiled) -> tuple[str, str | None]:
    """A rule as ``fastpath.translate`` takes it: as the batch evaluates it."""
    match = rule.spec.match
    return _test(rule), None if match is None else match.source


def observed(rules: list[Compiled]) -> Node | None:
    """What the team and member ``rules`` can observe of a team (``shape``): the batch,
    each rule alone (the same expressions) and their messages; None, all of it."""
    sources = [outcome_item(r) for r in rules if r.spec.target == "team"]
    members = [outcome_item(r) for r in rules if r.spec.target == "member"]
    for rule in rules:
        spec = rule.spec
        if spec.message_expression is None:
            continue
        text = bound(spec, spec.message_expression.source) if spec.variables else \
            spec.message_expression.source
        (sources if spec.target == "team" else members).append(f"({text})")
    sources += [f"team.spec.members.map(member, {item})" for item in members]
    found = shape(sources, ("team",))
    return found["team"] if found is not None else None


def _batch_for(policies: PolicySet, ctx: TeamContext) -> Batch:
    # Keyed by the codes that run (one frozenset per run, its hash kept by Python), not
    # worked out again for each team.
    batches: dict[frozenset[str] | None, Batch] = policies.__dict__.setdefault("_batches", {})
    batch = batches.get(ctx.enabled)
    if batch is None:
        rules = [r for r in policies.rules if r.scope == "team" and ctx.runs(r.spec.code)]
        batch = batches[ctx.enabled] = make_batch(rules)
    return batch


Reports = dict[str, list[tuple[int, Verdict]]]  # code -> (member index or -1, verdict)


def team_reports(policies: PolicySet, ctx: TeamContext) -> Reports:
    """Code -> the failures and errors of that rule on this team (member index, or -1
    for a team rule), for every policy rule that runs on it; worked out once per team.
    Passes and skips are not listed: most targets pass, and they cost nothing here."""
    cached: Reports | None = ctx.__dict__.get("_policy_reports")
    if cached is not None:
        return cached
    batch = _batch_for(policies, ctx)
    out: Reports = {}
    if batch.team_rules or batch.member_rules:
        policies.clock.check(f"team {ctx.team.id}")
        out = _answer(batch, (ctx.team, [info.role for info in ctx.roles], ctx.people,
                              ctx.doc.data), policies)
    ctx.__dict__["_policy_reports"] = out
    return out


def _answer(batch: Batch, source: TeamSource, policies: PolicySet) -> Reports:
    team = batch.build(source)
    decoded = _fast(batch, team, policies) if batch.fast is not None else None
    if decoded is None:  # the whole batch in the engine, else rule by rule
        decoded = _decode(batch, team, policies)
        return decoded if decoded is not None else _one_by_one(batch, team, policies)
    if batch.rest is not None:
        decoded.update(_answer(batch.rest, source, policies))
    return decoded


def _failed(batch: Batch, team: dict[str, Any],
            policies: PolicySet) -> Callable[[Compiled, int], Verdict]:
    """The verdict of a rule that failed on the team (index -1) or a member."""
    members = _members(batch, team)
    fixed = batch.fixed

    def failed(rule: Compiled, index: int) -> Verdict:
        verdict = fixed.get(rule.spec.code)
        if verdict is not None:
            return verdict
        # Only a failure needs its message, worked out on the rule's own inputs.
        given = {"team": team} if index < 0 else {"team": team, "member": members[index]}
        act = policies.activation(rule, target_inputs(rule.spec.target, **given))
        return Verdict("fail", message_of(rule, act))
    return failed


def _fast(batch: Batch, team: dict[str, Any], policies: PolicySet) -> Reports | None:
    """The batch's reports from ``fastpath``, or None when the engine must decide."""
    assert batch.fast is not None
    start = time.monotonic()
    try:
        teams, members = batch.fast.run(
            team, policies.matrix_data if batch.uses_matrix else None)
    except Unsure:
        return None
    finally:
        charge(time.monotonic() - start)
    out: Reports = {}
    if False not in teams and not any(False in row for row in members):
        return out
    failed = _failed(batch, team, policies)
    team_rules, member_rules = batch.fast_rules
    for rule, ok in zip(team_rules, teams, strict=True):
        if not ok:
            out[rule.spec.code] = [(-1, failed(rule, -1))]
    for i, row in enumerate(members):
        if False in row:
            for rule, ok in zip(member_rules, row, strict=True):
                if not ok:
                    out.setdefault(rule.spec.code, []).append((i, failed(rule, i)))
    return out


def _decode(batch: Batch, team: dict[str, Any], policies: PolicySet) -> Reports | None:
    program = batch.program()
    if program is None:
        return None
    data: dict[str, Any] = {"team": team}
    if batch.uses_matrix:
        data["matrix"] = policies.matrix_data
    result = program.evaluate(data)
    if result.error is not None:
        return None
    return decode(batch, result.value, len(_members(batch, team)),
                  _failed(batch, team, policies))


def _members(batch: Batch, team: dict[str, Any]) -> list[Any]:
    # A team no rule reads the members of is built without them (``teamview``).
    members: list[Any] = team["spec"]["members"] if batch.member_rules else []
    return members


# The rules' places in a chunk that each value of its int names, worked out once.
_SET = tuple(tuple(i for i in range(CHUNK) if bits >> i & 1) for bits in range(1 << CHUNK))


def _ints(values: list[Any]) -> bool:
    """Every item an int a chunk can sum to (a bool, a float or an error is not)."""
    return not values or (set(map(type, values)) == {int} and min(values) >= 0
                          and max(values) < 1 << CHUNK)


def _bits(value: Any, count: int) -> list[int] | None:
    """The ints of ``count`` rules as ``fail_bits`` gives them, or None if ``value`` is
    anything else."""
    if type(value) is not list or len(value) != -(-count // CHUNK) or not _ints(value):
        return None
    return value


def _failures(rules: list[Compiled], chunks: list[int]) -> list[Compiled]:
    return [rules[k * CHUNK + i] for k, bits in enumerate(chunks) if bits for i in _SET[bits]]


def decode(batch: Batch, value: Any, members: int,
           failed: Callable[[Compiled, int], Verdict]) -> Reports | None:
    """The batch's reports (``failed`` gives a failure's verdict, on member ``index`` or
    -1 for the team), or None when ``value`` is not what every rule passing, failing or
    skipping gives (then each rule is evaluated alone)."""
    n = -(-len(batch.team_rules) // CHUNK)
    if type(value) is not list or len(value) != n + (1 if batch.member_rules else 0):
        return None
    team = _bits(value[:n], len(batch.team_rules))
    if team is None:
        return None
    out: Reports = {}
    if any(team):
        for rule in _failures(batch.team_rules, team):
            out[rule.spec.code] = [(-1, failed(rule, -1))]
    if not batch.member_rules:
        return out
    rows = value[n]
    if type(rows) is not list or len(rows) != members:
        return None
    count = len(batch.member_rules)
    if count <= CHUNK:
        # The common case, one int a member: most are 0, and only they are looked at.
        if not _ints(rows):
            return None
        failing = [(i, [bits]) for i, bits in enumerate(rows) if bits]
    else:
        failing = []
        for i, item in enumerate(rows):
            row = _bits(item, count)
            if row is None:
                return None
            if any(row):
                failing.append((i, row))
    for i, row in failing:
        for rule in _failures(batch.member_rules, row):
            out.setdefault(rule.spec.code, []).append((i, failed(rule, i)))
    return out


def _one_by_one(batch: Batch, team: dict[str, Any], policies: PolicySet) -> Reports:
    out: Reports = {}
    for rule in batch.team_rules:
        verdict = policies.verdict(rule, target_inputs("team", team=team))
        if verdict.outcome in ("fail", "error"):
            out[rule.spec.code] = [(-1, verdict)]
    for rule in batch.member_rules:
        for i, member in enumerate(team["spec"]["members"]):
            verdict = policies.verdict(rule, target_inputs("member", team=team,
                                                           member=member))
            if verdict.outcome in ("fail", "error"):
                out.setdefault(rule.spec.code, []).append((i, verdict))
    return out


def node_path(base: NodePath, at: str | None, default: NodePath,
              source: SourceMap | None = None) -> NodePath:
    """Where a finding of a rule with ``at`` points: that path under ``base``, or
    ``default`` (the target's own place) when the target does not write it (``source``):
    a team and a member point alike, never at a whole member's mapping."""
    if at is None:
        return default
    path = base + tuple(int(p) if p.isdigit() else p for p in at.split("."))
    return path if source is None or source.written(path) else default


def policy_error(code: str, name: str, message: str, *, file: str, line: int, column: int,
                 end_line: int, end_column: int, entity: str | None) -> Finding:
    return Finding(POLICY_ERROR, "policy-error", Severity.ERROR,
                   f"policy rule {code} ({name}) failed to evaluate: {message}", file, line,
                   column, end_line, end_column, entity=entity, detail=code)


def _docs(compiled: Compiled) -> str:
    spec = compiled.spec
    docs = spec.docs
    a = "An" if spec.target == "org" else "A"
    return (f"## What it does\n{docs.get('what') or spec.summary} (policy rule from"
            f" {spec.file}, target `{spec.target}`).\n\n## Why is this bad?\n"
            f"{docs.get('why') or spec.message or spec.summary}\n\n## Example\n"
            f"{docs.get('example') or f'{a} {spec.target} for which this is false:'}\n\n"
            f"{_fenced(spec.expression.source)}\n\nUse instead:\n"
            f"{docs.get('instead') or f'{a} {spec.target} for which it holds.'}\n")


def _fenced(code: str) -> str:
    """``code`` as a Markdown code block whose fence no line of it can close: longer
    than its longest run of backticks (the expression comes from the repository, and a
    line of three backticks would end a fixed fence and let what follows render)."""
    longest = max((len(run) for run in re.findall("`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code}\n{fence}"


def report(cls: type[Rule], ctx: TeamContext,
           verdicts: Iterable[tuple[int, Verdict]]) -> Iterator[Finding]:
    """The findings of a team or member policy rule (``cls``) on the team of ``ctx``."""
    spec = cls.policy.spec  # type: ignore[attr-defined]
    for index, verdict in verdicts:
        if index < 0:
            path = node_path((), spec.at, ("metadata", "name"), ctx.doc.source)
            entity = ctx.team.id
        else:
            member = ctx.members[index]
            # `at: role` of a member whose role is inferred points where built-in rules
            # do: at the title it was read from.
            default = ctx.role_path(index) if spec.at == "role" else member.at("id")
            path = node_path(member.path, spec.at, default, ctx.doc.source)
            entity = member.id
        if verdict.outcome == "fail":
            yield ctx.finding(cls, path, verdict.message, entity=entity)
        elif verdict.outcome == "error":
            span = ctx.doc.source.span(path)
            yield policy_error(spec.code, spec.name, verdict.message, file=ctx.file,
                               line=span.line, column=span.column, end_line=span.end_line,
                               end_column=span.end_column, entity=entity)


class TeamPolicies(Rule):
    """Every per-file policy rule of a run as one entry of the engine's rule list: a
    team is asked once for its reports, not once per rule (most rules pass, and 18
    calls that find nothing cost a twentieth of the policies' time)."""

    code = "ORG-POLICIES"  # not a rule of its own: never reported, selected or listed
    name = "policy-rules"
    severity = Severity.ERROR
    summary = "the per-file policy rules"

    def __init__(self, policies: PolicySet, members: list[type[Rule]]) -> None:
        super().__init__()
        self.policies = policies
        self.members = {cls.code: cls for cls in members}  # in the order they ran alone
        self.order = {code: i for i, code in enumerate(self.members)}
        self.policy = members[0].policy  # type: ignore[attr-defined]

    def check_team(self, ctx: TeamContext) -> Iterable[Finding]:  # type: ignore[override]
        found = team_reports(self.policies, ctx)
        if not found:
            return ()
        out: list[Finding] = []
        for code in sorted(found, key=self.order.__getitem__) if len(found) > 1 else found:
            out.extend(report(self.members[code], ctx, found[code]))
        return out


def grouped(rules: list[Rule], policies: PolicySet | None) -> list[Rule]:
    """``rules`` with their per-file policy rules folded into one ``TeamPolicies``, in
    the place of the first of them (the findings come out in the same order)."""
    if policies is None:
        return rules
    members = [type(r) for r in rules if getattr(r, "policy", None) is not None
               and r.scope == "team"]
    if not members:
        return rules
    out: list[Rule] = []
    for rule in rules:
        if type(rule) in members:
            if type(rule) is members[0]:
                out.append(TeamPolicies(policies, members))
            continue
        out.append(rule)
    return out


def rule_classes(policies: PolicySet) -> list[type[Rule]]:
    """A Rule class for each policy rule, reported like the built-in ones."""
    return [rule_class(policies, rule) for rule in policies.rules]


def rule_class(policies: PolicySet, compiled: Compiled) -> type[Rule]:
    spec = compiled.spec

    per_file = compiled.scope == "team"
    code = spec.code

    # Called for every team and every policy rule, and most teams pass: no generator
    # unless there is something to report.
    def check_team(self: Rule, ctx: TeamContext) -> Iterable[Finding]:
        if not per_file:
            return ()
        found = team_reports(policies, ctx).get(code)
        return report(cls, ctx, found) if found else ()

    attrs: dict[str, Any] = {
        "__doc__": _docs(compiled), "code": spec.code, "name": spec.name,
        "severity": Severity.parse(spec.severity), "summary": spec.summary,
        "scope": compiled.scope, "check_team": check_team, "policy": compiled,
    }
    cls: type[Rule] = type(f"Policy{spec.code}", (Rule,), attrs)
    return cls
