"""The policies of a run: read, compiled, checked on a schema sample, made into rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orglint.loader import Limits
from orglint.matrix import Matrix
from orglint.model import Team, build_team
from orglint.policy.compiled import NAMES, Clock, Compiled, Verdict, compile_rule, evaluate
from orglint.policy.compiled import inputs as make_inputs
from orglint.policy.load import PolicyError, PolicyFile, digest, read_policy_file
from orglint.policy.views import matrix_view, org_view, person_views, team_view
from orglint.rules.base import Rule, TeamContext

_MISSING_KEY = re.compile(r"""(?:Key not found in map|No such key)\s*:?\s*['"]?([^'"]+)""")


class PolicySet:
    def __init__(self, files: list[PolicyFile], matrix: Matrix) -> None:
        self.files = files
        self.matrix = matrix
        self.rules: list[Compiled] = []
        self.digest = digest(files)
        self.clock = Clock()
        self._matrix_view: dict[str, Any] | None = None
        seen: dict[str, str] = {}
        for f in files:
            for spec in f.rules:
                if spec.code in seen:
                    raise PolicyError(f"{spec.place}: rule code {spec.code} is already"
                                      f" defined at {seen[spec.code]}")
                seen[spec.code] = spec.place
                self.rules.append(compile_rule(spec))
        sample: Sample | None = None
        for rule in self.rules:
            if sample is None:  # made once, for the first rule, whose place it names
                sample = Sample(self, rule.spec.place)
            check_on_sample(self, rule, sample)

    @property
    def matrix_data(self) -> dict[str, Any]:
        if self._matrix_view is None:
            self._matrix_view = matrix_view(self.matrix)
        return self._matrix_view

    def by_code(self) -> dict[str, Compiled]:
        return {rule.spec.code: rule for rule in self.rules}

    def activation(self, rule: Compiled, data: dict[str, Any]) -> Any:
        if "matrix" in rule.uses:
            data = {**data, "matrix": self.matrix_data}
        return make_inputs(NAMES[rule.spec.target], data)

    def verdict(self, rule: Compiled, data: dict[str, Any]) -> Verdict:
        """One rule on one target, on its own (batches are in ``teamrules``)."""
        return evaluate(rule, self.activation(rule, data), self.clock)


def load_policies(paths: list[tuple[Path, str]], matrix: Matrix, limits: Limits,
                  *, tests: bool = False) -> PolicySet:
    """The policies of ``paths``; with ``tests`` (``orglint test``), each file's test
    inputs read as the file is (a check never reads them)."""
    from orglint.policy.watchdog import supervise

    supervise()  # from here on the process runs under hard limits (see watchdog)
    return PolicySet([read_policy_file(path, name, limits, tests=tests)
                      for path, name in paths], matrix)


# -- the inputs of each target, for a team document ----------------------------------------


def team_data(team: Team, roles: list[str | None], people: Any,
              raw: Any = None) -> dict[str, Any]:
    return team_view(team, roles, people, raw)


def target_inputs(target: str, team: dict[str, Any] | None = None,
                  member: dict[str, Any] | None = None, person: dict[str, Any] | None = None,
                  org: dict[str, Any] | None = None) -> dict[str, Any]:
    values = {"team": team, "member": member, "person": person, "org": org}
    return {name: values[name] for name in NAMES[target] if values.get(name) is not None}


def resolve_team(data: dict[str, Any], matrix: Matrix, where: str) -> dict[str, Any]:
    """A test's or the sample's team, as a team rule sees it (roles from titles too)."""
    from orglint.loader import Document
    from orglint.schema import explain
    from orglint.source import SourceMap

    if not isinstance(data, dict):
        raise PolicyError(f"{where}: a team must be a mapping")
    full = {"apiVersion": "orglint/v1", "kind": "Team", **data}
    for path, message, _ in explain(full, "Team")[:1]:
        name = ".".join(str(p) for p in path) or "(top level)"
        raise PolicyError(f"{where}: the test's team is not a valid Team: {name}: {message}")
    try:
        team = build_team(full)
        ctx = TeamContext(team, Document(full, SourceMap({}, {}), 0), "", matrix, {})
        return team_view(team, [info.role for info in ctx.roles], {}, full)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise PolicyError(f"{where}: the test's team is not a Team document ({exc!r}"
                          " is missing or wrong)") from None


class Sample:
    """The schema's sample team and its persons, as each target's variable sees them,
    every key in them, and their inputs converted once per target (and matrix or not):
    made once for every rule of the run (they are read, never changed)."""

    def __init__(self, policies: PolicySet, where: str) -> None:
        from orglint.policy.sample import sample
        from orglint.resources import schema

        team = resolve_team(sample(schema("Team")), policies.matrix, where)
        persons = person_views([team], {})
        self.views = {"team": team, "member": team["spec"]["members"][0],
                      "person": next(iter(persons.values())),
                      "org": org_view([team], persons)}
        self.known = _all_keys(self.views.values())
        self.inputs: dict[tuple[str, bool], Any] = {}


def check_on_sample(policies: PolicySet, rule: Compiled, sample: Sample) -> None:
    """Exit 2 for a field no document can have, or a result of the wrong type, found by
    evaluating the rule once on a document generated from the schemas."""
    views = sample.views
    spec = rule.spec
    # Every field each expression selects, in every branch (``shape``): evaluated once,
    # the sample only meets the branches it takes ('a || b.sytems' never reads b).
    key = _unknown_field(rule, views, sample.known)
    if key is not None:
        place = _field_place(rule, key)
        if place is not None:
            raise PolicyError(f"{place}: {spec.code}: no document has a field '{key}'"
                              " (checked on a sample with every field of the schema)")
    slot = (spec.target, "matrix" in rule.uses)
    act = sample.inputs.get(slot)
    if act is None:
        act = sample.inputs[slot] = policies.activation(rule,
                                                        target_inputs(spec.target, **views))
    programs = [("expression", rule.expression, spec.expression)]
    if rule.match is not None and spec.match is not None:
        programs.insert(0, ("match", rule.match, spec.match))
    for what, program, expr in programs:
        out = program.evaluate(act)
        if out.error is not None:
            missing = _MISSING_KEY.search(out.error)
            if missing is None:
                continue  # a run-time error on made-up data is not a mistake of the rule
            key = missing[1].strip()
            place = _field_place(rule, key)
            if place is not None:
                raise PolicyError(f"{place}: {spec.code}: no document has a field '{key}'"
                                  " (checked on a sample with every field of the schema)")
        elif not isinstance(out.value, bool):
            raise PolicyError(f"{expr.where()}: {spec.code}: {what} must be a bool, not"
                              f" {type(out.value).__name__}")


def _unknown_field(rule: Compiled, views: dict[str, Any], known: set[str]) -> str | None:
    """A field the rule's expressions select that the sample's ``views`` do not have
    (``known``: every key in them), or None (also when ``shape`` does not follow the
    syntax: the evaluation still checks)."""
    from orglint.policy.shape import shape

    spec = rule.spec
    sources = [e.source for _, e in spec.variables]
    sources += [e.source for e in (spec.match, spec.expression, spec.message_expression)
                if e is not None]
    found = shape(sources, tuple(views))
    if found is None:
        return None
    # ``shape`` follows comprehension variables by name, not by scope: 'm' bound over
    # members in one place and over org.teams in another reads as one variable.  So a
    # key counts as misspelt only if no view has it anywhere: 'rol', 'sytems'.
    for root, node in found.items():
        for key in _missing(node, views[root], False):
            if key not in known:
                return key
    return None


def _all_keys(values: Any) -> set[str]:
    """Every key of every map in ``values`` (nested), the sample's views being small."""
    out: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            out.update(str(k) for k in value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return out


def _missing(node: Any, value: Any, by_id: bool, depth: int = 0) -> Iterator[str]:
    """Each key ``node`` selects that ``value`` (the sample's view there) lacks;
    ``by_id``: ``value`` maps ids to persons (``org.people``), so any key is one."""
    if depth > 32:
        return
    if isinstance(value, dict):
        if not value:
            return  # a map of free keys (labels, annotations)
        for key, sub in node.keys.items():
            if by_id:
                child = next(iter(value.values()))
            elif key not in value:
                yield str(key)
                continue
            else:
                child = value[key]
            people = depth == 0 and key == "people" and not by_id and _org_root(value)
            yield from _missing(sub, child, people, depth + 1)
    elif isinstance(value, list) and value and node.elem is not None:
        yield from _missing(node.elem, value[0], False, depth + 1)


def _org_root(value: dict[str, Any]) -> bool:
    return set(value) == {"teams", "people"}


def _field_place(rule: Compiled, key: str) -> str | None:
    spec = rule.spec
    pattern = re.compile(rf"\.\s*{re.escape(key)}\b")
    exprs = [e for _, e in spec.variables] + [e for e in (spec.match, spec.expression) if e]
    for expr in exprs:
        found = pattern.search(expr.source)
        if found is not None:
            index = found.end() - len(key)
            line = expr.source.count("\n", 0, index) + 1
            column = index - (expr.source.rfind("\n", 0, index) + 1) + 1
            return expr.where(line, column)
    return None  # an index lookup (m['key']) into a map of free keys: fine


def reserved_codes(policies: PolicySet, known: dict[str, type[Rule]]) -> None:
    """A policy rule may not take the code or name of a built-in or matrix rule."""
    names = {rule.name: rule.code for rule in known.values()}
    for rule in policies.rules:
        spec = rule.spec
        if spec.code in known:
            raise PolicyError(f"{spec.place}: rule code {spec.code} is already the code of"
                              f" rule '{known[spec.code].name}'")
        if spec.name in names:
            raise PolicyError(f"{spec.place}: rule name '{spec.name}' is already the name"
                              f" of rule {names[spec.name]}")
