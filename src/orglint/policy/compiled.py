"""Policy rules compiled, and evaluated on one target.

A rule's variables are bound with ``cel.bind`` inside one expression, so a variable's
value never leaves the engine: a comprehension's result is not copied into Python
between variables (a hostile one could be far larger than its input), and the inputs of
a target are converted once and shared by every rule (``cel.activation``).
"""

from __future__ import annotations

import re
from typing import Any

from orglint.ntuple import NamedTuple
from orglint.policy.cel import CompileError, Program, activation, compile_expression, spent
from orglint.policy.load import Expr, PolicyError, RuleSpec

NAMES = {
    "team": ("team", "org", "matrix", "variables"),
    "member": ("member", "team", "org", "matrix", "variables"),
    "person": ("person", "org", "matrix", "variables"),
    "org": ("org", "matrix", "variables"),
}
TIME_BUDGET = 120.0  # seconds of policy evaluation per run and process (spec section 6)

_VARIABLE_REF = re.compile(r"\bvariables\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_WORD = {"matrix": re.compile(r"\bmatrix\b"), "org": re.compile(r"\borg\b")}


class Verdict(NamedTuple):
    outcome: str  # pass | fail | skip | error
    message: str


class Compiled(NamedTuple):
    spec: RuleSpec
    match: Program | None
    expression: Program
    message: Program | None
    uses: frozenset[str]  # "matrix", "org": the inputs it names (as words)

    @property
    def scope(self) -> str:
        """``team`` when it runs one file at a time, else ``org`` (after every file: a
        team or member rule that names ``org`` needs every file's teams)."""
        return "org" if self.spec.target in ("person", "org") or "org" in self.uses else "team"


_EXPLICIT_BIND = re.compile(r"\bcel\s*\.\s*bind\s*\(")


def explicit_bind(rule: Compiled) -> bool:
    """Whether the rule's own text calls ``cel.bind`` (``bound`` writes its variables'
    apart).  cel-expr-python 0.1 initialises such a variable lazily, in a slot that a
    comprehension which stopped early may leave holding its last element, also across
    rules put into one expression: such rules are evaluated one by one, as ``orglint
    test`` evaluates them, never in a batch with others."""
    spec = rule.spec
    written = [spec.expression, spec.match, *(e for _, e in spec.variables)]
    return any(e is not None and _EXPLICIT_BIND.search(e.source) for e in written)


def _compile(expr: Expr, names: tuple[str, ...], code: str) -> Program:
    try:
        return compile_expression(expr.source, names)
    except CompileError as exc:
        raise PolicyError(f"{expr.where(exc.line, exc.column)}: {code}: {exc.message}") from None


def _inner(source: str, index: int) -> tuple[int, int]:
    line = source.count("\n", 0, index) + 1
    return line, index - (source.rfind("\n", 0, index) + 1) + 1


def code_only(source: str) -> str:
    """``source`` with the text of its string literals and comments blanked (same
    length, line breaks kept): ``'see variables.foo'`` names no variable."""
    out = list(source)
    i, end = 0, len(source)
    while i < end:
        char = source[i]
        if char == "/" and source.startswith("//", i):
            while i < end and source[i] != "\n":
                out[i] = " "
                i += 1
            continue
        if char not in "'\"":
            i += 1
            continue
        raw = i > 0 and source[i - 1] in "rR" and (
            i < 2 or not (source[i - 2].isalnum() or source[i - 2] == "_"))
        quote = source[i:i + 3] if source[i:i + 3] in ("'''", '"""') else char
        i += len(quote)
        while i < end and not source.startswith(quote, i):
            if source[i] == "\\" and not raw:
                out[i] = " "
                i += 1
                if i >= end:
                    break
            if source[i] != "\n":
                out[i] = " "
            i += 1
        i += len(quote)
    return "".join(out)


def _check_refs(expr: Expr, known: list[str], code: str) -> None:
    for found in _VARIABLE_REF.finditer(code_only(expr.source)):
        if found[1] not in known:
            line, column = _inner(expr.source, found.start(1))
            hint = f" (defined: {', '.join(known)})" if known else " (the rule defines none)"
            raise PolicyError(f"{expr.where(line, column)}: {code}: unknown variable"
                              f" 'variables.{found[1]}'{hint}")


def bound(spec: RuleSpec, body: str) -> str:
    """``body`` with the rule's variables bound, each seeing the ones before it."""
    names = [name for name, _ in spec.variables]
    text = f"({body})"
    for k in range(len(names) - 1, -1, -1):
        earlier = ", ".join(f"'{n}': variables.{n}" for n in names[:k])
        value = f"({spec.variables[k][1].source})"
        entries = f"{earlier}, '{names[k]}': {value}" if earlier else f"'{names[k]}': {value}"
        text = f"cel.bind(variables, {{{entries}}}, {text})"
    return text


MAX_GROWTH = 64  # how many copies of its inputs a rule's variables may build


def _check_growth(spec: RuleSpec) -> None:
    """Refuse variables that copy each other into exponentially large values.

    ``b: variables.a + variables.a`` doubles ``a``; sixteen such variables would build a
    string of gigabytes from one line.  Each variable's growth is the sum, over the
    variables it uses, of uses times their growth; no expression may exceed MAX_GROWTH.
    """
    growth: dict[str, int] = {}
    exprs = [*spec.variables, *(("", e) for e in (spec.expression, spec.message_expression)
                                if e is not None)]
    for name, expr in exprs:
        uses: dict[str, int] = {}
        for found in _VARIABLE_REF.finditer(code_only(expr.source)):
            uses[found[1]] = uses.get(found[1], 0) + 1
        total = max(1, sum(count * growth.get(var, 1) for var, count in uses.items()))
        if total > MAX_GROWTH:
            raise PolicyError(f"{expr.where()}: {spec.code}: {name or 'the expression'} may"
                              f" copy its inputs {total} times over (variables used again and"
                              f" again); at most {MAX_GROWTH}")
        if name:
            growth[name] = total


def compile_rule(spec: RuleSpec) -> Compiled:
    names = NAMES[spec.target]
    known: list[str] = []
    for name, expr in spec.variables:
        _check_refs(expr, known, spec.code)
        _compile(expr, names, spec.code)
        if name in known:
            raise PolicyError(f"{expr.where()}: {spec.code}: variable '{name}' defined twice")
        known.append(name)
    match = None
    if spec.match is not None:
        _check_refs(spec.match, [], spec.code)
        match = _compile(spec.match, names, spec.code)
        _want(match, spec.match, ("bool",), spec.code, "match")
    _check_refs(spec.expression, known, spec.code)
    checked = _compile(spec.expression, names, spec.code)
    _check_growth(spec)
    _want(checked, spec.expression, ("bool",), spec.code, "expression")
    message = None
    if spec.message_expression is not None:
        _check_refs(spec.message_expression, known, spec.code)
        _want(_compile(spec.message_expression, names, spec.code), spec.message_expression,
              ("string",), spec.code, "messageExpression")
        message = _whole(spec, spec.message_expression, names)
    expression = _whole(spec, spec.expression, names) if spec.variables else checked
    sources = [e.source for e in (spec.expression, spec.match, spec.message_expression) if e]
    sources += [e.source for _, e in spec.variables]
    uses = frozenset(w for w, pattern in _WORD.items() if any(pattern.search(s) for s in sources))
    if "org" in uses and spec.target in _WRAPS:
        wrapped: list[tuple[Program | None, Expr | None]] = [
            (match, spec.match), (expression, spec.expression),
            (message, spec.message_expression)]
        for program, written in wrapped:
            if program is not None and written is not None:
                _check_wrapped(spec, written, program.source)
    return Compiled(spec, match, expression, message, uses)


# How a team, member or person rule that names ``org`` reads its target from the shared
# org (``orgteams``, ``orgpass``): the same nesting, so what compiles here compiles there.
_WRAPS = {"team": "cel.bind(team, org, ({body}))",
          "member": "cel.bind(team, org, cel.bind(member, org, ({body})))",
          "person": "cel.bind(person, org, ({body}))"}


def _check_wrapped(spec: RuleSpec, expr: Expr, source: str) -> None:
    try:
        compile_expression(_WRAPS[spec.target].format(body=source),
                           ("org", "matrix", "variables"), limit=None)
    except CompileError as exc:
        raise PolicyError(f"{expr.where()}: {spec.code}: a {spec.target} rule that names"
                          " org is evaluated inside orglint's own binding of its target,"
                          f" and there it does not compile: {exc.message} (nest it less"
                          " deeply)") from None


def _whole(spec: RuleSpec, expr: Expr, names: tuple[str, ...]) -> Program:
    try:
        return compile_expression(bound(spec, expr.source), names)
    except CompileError as exc:
        raise PolicyError(f"{expr.where()}: {spec.code}: with its variables the expression"
                          f" does not compile: {exc.message}") from None


def _want(program: Program, expr: Expr, types: tuple[str, ...], code: str, what: str) -> None:
    found = program.result_type
    if found != "dyn" and found not in types:
        raise PolicyError(f"{expr.where()}: {code}: {what} must be a {types[0]},"
                          f" not {found}")


class Clock:
    """The run's time budget for policy evaluation: a hostile policy ends the run with
    a clear message instead of running for hours (each evaluation is itself bounded by
    the engine's iteration budget, so the check between evaluations is enough).

    Only the time spent evaluating rules counts (``cel.spent``, the engine's and the
    Python translation's): the rest of a run on a large org, or on a slow machine, is
    not the policies' doing."""

    def __init__(self, budget: float | None = None) -> None:
        self.budget = TIME_BUDGET if budget is None else budget
        self.base = spent()

    def check(self, what: str) -> None:
        if spent() - self.base > self.budget:
            raise PolicyError(f"policy evaluation stopped: the policies' evaluations took"
                              f" more than {self.budget:g} s on this org (at {what});"
                              " simplify the rule or narrow its match")


def inputs(names: tuple[str, ...], data: dict[str, Any]) -> Any:
    return activation(names, data)


def evaluate(rule: Compiled, act: Any, clock: Clock | None = None) -> Verdict:
    spec = rule.spec
    if clock is not None:
        clock.check(f"rule {spec.code}")
    if rule.match is not None:
        matched = rule.match.evaluate(act)
        if matched.error is not None:
            return Verdict("error", f"match: {matched.error}")
        if not isinstance(matched.value, bool):
            return Verdict("error", f"match gave {type(matched.value).__name__}, not a bool")
        if not matched.value:
            return Verdict("skip", "")
    result = rule.expression.evaluate(act)
    if result.error is not None:
        return Verdict("error", result.error)
    if not isinstance(result.value, bool):
        return Verdict("error", f"expression gave {type(result.value).__name__}, not a bool")
    if result.value:
        return Verdict("pass", "")
    return Verdict("fail", message_of(rule, act))


def message_of(rule: Compiled, act: Any) -> str:
    if rule.message is not None:
        text = rule.message.evaluate(act)
        if text.error is None and isinstance(text.value, str) and text.value:
            return text.value[:1000]
    return fallback_message(rule)


def fallback_message(rule: Compiled) -> str:
    """The static message, or one made of the rule's name: a message that cannot be
    evaluated must not hide the finding."""
    spec = rule.spec
    return spec.message or f"{spec.name.replace('-', ' ')} (policy rule {spec.code})"
