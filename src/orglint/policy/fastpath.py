"""Team and member policy rules evaluated in Python, where that is certain to agree.

Converting a team into the engine's values and walking its program costs about 50 µs
a team for twenty rules (80 µs within a run, the engine's code and data evicting
orglint's from the caches); the same rules as Python cost about 10 µs.  So the rules
of a batch whose every expression is in ``celsubset`` are also translated into Python,
and a team is asked there first.

The translation is never trusted to know CEL's corners.  Each operation checks the
types it is given and raises ``Unsure`` for anything but the plain cases whose CEL
result is pinned by ``tests/test_policy_fastpath.py`` (a string equals only a string;
arithmetic on ints within 64 bits; bools only where CEL wants a bool); an error, a
value of an unexpected type, an integer overflow or more than ``BUDGET`` comprehension
steps all raise.  Then the team goes to the engine, which decides exactly as it does
without this module: errors, ORG903 and messages are always the engine's.  Only "every
rule passed, failed or did not match" is answered here.  It relies on what ``views``
promise of every view, matrix included: no string holds a NUL (the engine would end it
there) and no int is past 64 bits (the engine would refuse the whole input).

The generated source holds none of the policy's text: variables are renamed, and every
string of the expression is a constant passed by name (``k0``, ``k1``...), so the
expression's bytes never reach Python's compiler.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

from orglint.policy.celsubset import Node, children, parse

BUDGET = 4000  # comprehension steps a team: the engine allows 10,000 per evaluation
_INT_MIN, _INT_MAX = -(1 << 63), (1 << 63) - 1
NoneType = type(None)


class Unsure(Exception):
    """The engine decides this team."""


_steps = [0]


def _bad(*_: Any) -> Any:
    raise Unsure


def _b(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise Unsure


def _false(value: Any) -> bool:
    if value is False:
        return False
    raise Unsure


# Types whose CEL equality with a value of another of them is false (heterogeneous
# equality); a float is left to the engine (``1 == 1.0`` is true there, by its rules).
_PLAIN = frozenset({str, int, bool, NoneType, list, dict, bytes})
_SCALAR = frozenset({str, int, bool, NoneType, bytes})


def _eq(a: Any, b: Any) -> bool:
    kind = type(a)
    if kind is type(b):
        if kind in _SCALAR:
            return bool(a == b)
        raise Unsure  # lists and maps: element by element, by the engine
    if kind in _PLAIN and type(b) in _PLAIN:
        return False
    raise Unsure


def _int(value: Any) -> int:
    if type(value) is int and _INT_MIN <= value <= _INT_MAX:
        return value
    raise Unsure


def _ordered(a: Any, b: Any) -> None:
    """Raise unless CEL orders ``a`` and ``b`` as Python does: two strings (by code
    point, as the engine's UTF-8 bytes), or two ints (an int and a uint the engine
    compares by value, as here; the views hold none past 64 bits, see ``views._scalar``)."""
    kind = type(a)
    if kind is not type(b) or (kind is not int and kind is not str):
        raise Unsure


def _lt(a: Any, b: Any) -> bool:
    _ordered(a, b)
    return bool(a < b)


def _le(a: Any, b: Any) -> bool:
    _ordered(a, b)
    return bool(a <= b)


def _gt(a: Any, b: Any) -> bool:
    _ordered(a, b)
    return bool(a > b)


def _ge(a: Any, b: Any) -> bool:
    _ordered(a, b)
    return bool(a >= b)


def _in(item: Any, container: Any) -> bool:
    kind = type(container)
    if type(item) is str and (kind is list or kind is dict):
        return item in container  # a string equals strings only, in CEL as here
    raise Unsure


def _checked(value: int) -> int:
    if _INT_MIN <= value <= _INT_MAX:
        return value
    raise Unsure  # the engine's "integer overflow"


def _add(a: Any, b: Any) -> int:
    return _checked(_int(a) + _int(b))


def _sub(a: Any, b: Any) -> int:
    return _checked(_int(a) - _int(b))


def _mul(a: Any, b: Any) -> int:
    return _checked(_int(a) * _int(b))


def _div(a: Any, b: Any) -> int:
    x, y = _int(a), _int(b)
    if y == 0:
        raise Unsure
    quotient = abs(x) // abs(y)  # CEL truncates toward zero
    return _checked(quotient if (x < 0) == (y < 0) else -quotient)


def _mod(a: Any, b: Any) -> int:
    x, y = _int(a), _int(b)
    if y == 0:
        raise Unsure
    return x - y * _div(x, y)


def _neg(a: Any) -> int:
    return _checked(-_int(a))


def _size(value: Any) -> int:
    kind = type(value)
    if kind is list or kind is dict or kind is str:  # a string's code points, as in CEL
        return len(value)
    raise Unsure


def _has(value: Any, field: str) -> bool:
    if type(value) is dict:
        return field in value
    raise Unsure


def _index(value: Any, key: Any) -> Any:
    kind = type(value)
    if kind is list and type(key) is int and 0 <= key < len(value):
        return value[key]
    if kind is dict and type(key) is str:
        return value[key]
    raise Unsure


def _strings(a: Any, b: Any) -> tuple[str, str]:
    if type(a) is str and type(b) is str:
        return a, b
    raise Unsure


def _contains(a: Any, b: Any) -> bool:
    x, y = _strings(a, b)
    return y in x


def _starts(a: Any, b: Any) -> bool:
    x, y = _strings(a, b)
    return x.startswith(y)


def _ends(a: Any, b: Any) -> bool:
    x, y = _strings(a, b)
    return x.endswith(y)


def _range(value: Any) -> list[Any]:
    """A comprehension's list, its steps counted against ``BUDGET`` (a map's keys are
    left to the engine, whose order of iteration this module does not promise)."""
    if type(value) is not list:
        raise Unsure
    _steps[0] += len(value)
    if _steps[0] > BUDGET:
        raise Unsure
    return value


def _exists(values: Any, test: Callable[[Any], Any]) -> bool:
    return any(_b(test(value)) for value in _range(values))


def _all(values: Any, test: Callable[[Any], Any]) -> bool:
    return all(_b(test(value)) for value in _range(values))


def _exists_one(values: Any, test: Callable[[Any], Any]) -> bool:
    return sum(_b(test(value)) for value in _range(values)) == 1


# The same, for a body that gives a bool or raises (``boolean``): no check.
def _exists_b(values: Any, test: Callable[[Any], bool]) -> bool:
    return any(map(test, _range(values)))


def _all_b(values: Any, test: Callable[[Any], bool]) -> bool:
    return all(map(test, _range(values)))


def _exists_one_b(values: Any, test: Callable[[Any], bool]) -> bool:
    return sum(map(test, _range(values))) == 1


def _filter_b(values: Any, test: Callable[[Any], bool]) -> list[Any]:
    return list(filter(test, _range(values)))


def _filter(values: Any, test: Callable[[Any], Any]) -> list[Any]:
    return [value for value in _range(values) if _b(test(value))]


def _map(values: Any, make: Callable[[Any], Any]) -> list[Any]:
    return [make(value) for value in _range(values)]


def _map_where(values: Any, test: Callable[[Any], Any],
               make: Callable[[Any], Any]) -> list[Any]:
    return [make(value) for value in _range(values) if _b(test(value))]


_HELPERS: dict[str, Any] = {
    name: value for name, value in globals().items()
    if name.startswith("_") and callable(value) and not name.startswith("__")}
_MACRO = {"exists": "_exists", "all": "_all", "exists_one": "_exists_one",
          "filter": "_filter", "map": "_map"}
_METHOD = {"contains": "_contains", "startsWith": "_starts", "endsWith": "_ends"}
_BINARY = {"<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge", "in": "_in", "+": "_add",
           "-": "_sub", "*": "_mul", "/": "_div", "%": "_mod"}


class _Untranslatable(Exception):
    pass


class _Writer:
    """Python source for trees of ``celsubset``; strings become named constants."""

    def __init__(self) -> None:
        self.constants: dict[str, Any] = {}
        self.count = 0

    def constant(self, value: str | frozenset[str]) -> str:
        name = f"k{len(self.constants)}"
        self.constants[name] = value
        return name

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def write(self, node: Node, scope: dict[str, str]) -> str:
        kind, parts = node.kind, node.parts
        if kind == "lit":
            value = parts[0]
            return self.constant(value) if type(value) is str else repr(value)
        if kind == "ident":
            if parts[0] not in scope:
                raise _Untranslatable
            return scope[parts[0]]
        if kind == "list":
            return "[" + "".join(self.write(item, scope) + ", " for item in parts[0]) + "]"
        if kind == "map":
            keys, values = parts
            return "{" + "".join(f"{self.constant(k)}: {self.write(v, scope)}, "
                                 for k, v in zip(keys, values, strict=True)) + "}"
        if kind == "select":
            # A field of anything but a map is a TypeError, a missing one a KeyError:
            # both end this team here, as the engine's error would there.
            return f"({self.write(parts[0], scope)})[{self.constant(parts[1])}]"
        if kind == "has":
            return f"_has({self.write(parts[0], scope)}, {self.constant(parts[1])})"
        if kind == "index":
            return f"_index({self.write(parts[0], scope)}, {self.write(parts[1], scope)})"
        if kind == "call":
            name, receiver, args = parts
            target = self.write(receiver, scope)
            if name == "size":
                temp = self.fresh("t")
                return f"(len({temp}) if type({temp} := {target}) is list else _size({temp}))"
            return f"{_METHOD[name]}({target}, {self.write(args[0], scope)})"
        if kind == "macro":
            return self.macro(parts, scope)
        if kind == "bind":
            variable, init, body = parts
            local = self.fresh("c")
            inner = {**scope, variable: local}
            return f"(lambda {local}: {self.write(body, inner)})({self.write(init, scope)})"
        if kind == "unary":
            op, operand = parts
            if op == "!":
                return f"(not {self.truth(operand, scope)})"
            return f"_neg({self.write(operand, scope)})"
        if kind == "cond":
            test, then, other = parts
            return (f"(({self.write(then, scope)}) if {self.truth(test, scope)}"
                    f" else ({self.write(other, scope)}))")
        return self.binary(parts, scope)

    def truth(self, node: Node, scope: dict[str, str]) -> str:
        """``node`` where CEL wants a bool: checked at run time unless it is one."""
        text = self.write(node, scope)
        return text if boolean(node) else f"_b({text})"

    def macro(self, parts: tuple[Any, ...], scope: dict[str, str]) -> str:
        name, source, variable, args = parts
        values = self.write(source, scope)
        local = self.fresh("c")
        inner = {**scope, variable: local}
        bodies = [f"lambda {local}: {self.write(arg, inner)}" for arg in args]
        helper = "_map_where" if name == "map" and len(args) == 2 else _MACRO[name]
        if name != "map" and boolean(args[0]):
            helper += "_b"  # the body gives a bool or raises: no check of each
        return f"{helper}({values}, {', '.join(bodies)})"

    def binary(self, parts: tuple[Any, ...], scope: dict[str, str]) -> str:
        op, left_node, right_node = parts
        if op in ("&&", "||"):
            # CEL's && and || are commutative over errors: only a bool on the left
            # decides here, and anything else is the engine's to settle.
            right = self.truth(right_node, scope)
            left = self.write(left_node, scope)
            if boolean(left_node):
                return f"({left} {'and' if op == '&&' else 'or'} {right})"
            temp = self.fresh("t")
            if op == "&&":
                return f"({right} if ({temp} := {left}) is True else _false({temp}))"
            return (f"(True if ({temp} := {left}) is True else {right}"
                    f" if {temp} is False else _bad())")
        if op == "in" and _is_strings(right_node):
            # A literal list of strings: a set, for the strings that can be in it.
            strings = self.constant(frozenset(item.parts[0] for item in right_node.parts[0]))
            temp = self.fresh("t")
            return (f"(({temp} in {strings}) if type({temp} := {self.write(left_node, scope)})"
                    f" is str else _in({temp}, {self.write(right_node, scope)}))")
        left, right = self.write(left_node, scope), self.write(right_node, scope)
        if op == "in" and _is_string(left_node):
            temp = self.fresh("t")
            return (f"(({left} in {temp}) if type({temp} := {right}) is list"
                    f" else _in({left}, {temp}))")
        if op in ("==", "!="):
            if _is_string(left_node) or _is_string(right_node):
                # A string equals only an equal string, in CEL as in Python.
                return f"(({left}) {op} ({right}))"
            return f"({'not ' if op == '!=' else ''}_eq({left}, {right}))"
        if op in _ORDER and right_node.kind == "lit" and type(right_node.parts[0]) in (int, str):
            # Against a literal, the plain case inline (see ``_ordered``).
            temp = self.fresh("t")
            kind = "int" if type(right_node.parts[0]) is int else "str"
            return (f"(({temp} {op} {right}) if type({temp} := {left}) is {kind}"
                    f" else {_BINARY[op]}({temp}, {right}))")
        return f"{_BINARY[op]}({left}, {right})"


_ORDER = frozenset({"<", "<=", ">", ">="})
_BOOLEAN_OPS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "&&", "||"})


def boolean(node: Node) -> bool:
    """Whether ``node``'s translation gives a Python bool whenever it does not raise."""
    kind, parts = node.kind, node.parts
    if kind == "binary":
        return parts[0] in _BOOLEAN_OPS
    if kind == "unary":
        return bool(parts[0] == "!")
    if kind == "macro":
        return bool(parts[0] != "filter" and parts[0] != "map")
    if kind == "call":
        return bool(parts[0] != "size")
    if kind == "lit":
        return type(parts[0]) is bool
    if kind == "cond":
        return boolean(parts[1]) and boolean(parts[2])
    return kind == "has"


def _is_string(node: Node) -> bool:
    return node.kind == "lit" and type(node.parts[0]) is str


def _is_strings(node: Node) -> bool:
    return node.kind == "list" and all(_is_string(item) for item in node.parts[0])


class Rules:
    """A batch's team and member rules as two Python functions, each giving a tuple of
    ``ok`` bools (true: the rule passed or did not match), one a rule."""

    def __init__(self, team: Callable[..., tuple[bool, ...]],
                 member: Callable[..., tuple[bool, ...]] | None, source: str) -> None:
        self.team = team
        self.member = member  # None: no member rule (the team is built without members)
        self.source = source  # for the tests: what was compiled

    def run(self, team: Any, matrix: Any) -> tuple[tuple[bool, ...], list[tuple[bool, ...]]]:
        """Each rule's ``ok`` on ``team`` and on each of its members; ``Unsure`` when
        the engine must decide."""
        _steps[0] = 0
        try:
            teams = self.team(team, matrix)
            member = self.member
            members = [] if member is None else [
                member(team, m, matrix) for m in _range(team["spec"]["members"])]
        except Unsure:
            raise
        except Exception as exc:  # a TypeError, KeyError, RecursionError...: unsure too
            raise Unsure from exc
        return teams, members


def translate(team_rules: Sequence[tuple[str, str | None]],
              member_rules: Sequence[tuple[str, str | None]]) -> Rules | None:
    """``Rules`` for rules given as (expression, match or None), each in CEL as the
    batch evaluates it; None when one of them is outside the subset."""
    writer = _Writer()
    try:
        team_items = [_rule(writer, rule, {"team": "v_team", "matrix": "v_matrix"})
                      for rule in team_rules]
        member_items = [_rule(writer, rule, {"team": "v_team", "member": "v_member",
                                             "matrix": "v_matrix"})
                        for rule in member_rules]
    except (_Untranslatable, RecursionError):
        return None
    source = (f"def team_rules(v_team, v_matrix):\n    return ({_items(team_items)})\n"
              f"def member_rules(v_team, v_member, v_matrix):\n"
              f"    return ({_items(member_items)})\n")
    namespace: dict[str, Any] = {"__builtins__": {}, "type": type, "len": len, "list": list,
                                 "str": str, "int": int,
                                 **_HELPERS, **writer.constants}
    try:
        with warnings.catch_warnings():
            # ``null.a`` compiles to ``(None)[k0]``, which the compiler remarks on: the
            # engine's error at run time, and nothing the user should see on stderr.
            warnings.simplefilter("ignore")
            exec(compile(source, "<orglint policy rules>", "exec"), namespace)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None  # past the compiler's own nesting limits: the engine alone
    return Rules(namespace["team_rules"], namespace["member_rules"] if member_rules else None,
                 source)


def _items(items: list[str]) -> str:
    return "".join(item + ", " for item in items)


def _rule(writer: _Writer, rule: tuple[str, str | None], scope: dict[str, str]) -> str:
    expression, match = rule
    test = parse(expression)
    if test is None or _stale_bind(test):
        raise _Untranslatable
    ok = writer.truth(test, scope)
    if match is None:
        return ok
    guard = parse(match)
    if guard is None or _stale_bind(guard):
        raise _Untranslatable
    return f"({ok} if {writer.truth(guard, scope)} else True)"


def _stale_bind(tree: Node) -> bool:
    """Whether ``tree`` has a ``cel.bind`` inside it (not one of the chain at its top, as
    ``compiled.bound`` writes a rule's variables) beside a macro.  cel-expr-python 0.1
    initialises a bound variable lazily in a slot that a comprehension which stopped
    early (``exists``, ``all``) may leave holding its last element: ``[5, 6].exists(x,
    x == 5) && cel.bind(z, 1, z == 1)`` is false there.  Such a rule is the engine's, so
    that a check and ``orglint test`` (which asks the engine) never disagree."""
    top = tree
    while top.kind == "bind":
        top = top.parts[2]
    macro = inner = False
    stack = [top]
    while stack:
        node = stack.pop()
        macro = macro or node.kind == "macro"
        inner = inner or node.kind == "bind"
        stack.extend(children(node))
    return macro and inner
