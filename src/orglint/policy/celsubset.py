"""A parser for the part of CEL that ``fastpath`` evaluates in Python.

It reads an expression that the engine has already compiled and type-checked, so it
never reports an error: anything outside the subset (a float, an escape in a string, a
function it does not know, a nesting past ``MAX_DEPTH``) gives None, and that rule is
then evaluated by the engine alone.  The grammar is CEL's own (cel-spec, "Syntax"),
with the same precedence and associativity, so a tree here means what the engine's
tree means; ``tests/test_policy_fastpath.py`` compares the two on generated expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from orglint.ntuple import NamedTuple

MAX_DEPTH = 40  # levels of a tree: past them, the engine alone (see ``_deeper``)
MAX_INT = (1 << 63) - 1


class Node(NamedTuple):
    """``kind`` and its parts: ``lit`` (value), ``list`` (items), ``map`` (keys, values),
    ``ident`` (name), ``select`` (operand, field), ``has`` (operand, field), ``index``
    (operand, index), ``call`` (name, receiver or None, args), ``macro`` (name, range,
    variable, args), ``bind`` (variable, init, body), ``unary`` (op, operand), ``binary``
    (op, left, right), ``cond`` (test, then, else)."""

    kind: str
    parts: tuple[Any, ...]


_TOKEN = re.compile(r"""
    (?P<space>[ \t\n\r\f]+|//[^\n]*)
  | (?P<number>[0-9][0-9a-zA-Z_.]*)
  | (?P<ident>[_a-zA-Z][_a-zA-Z0-9]*)
  | (?P<string>'[^'\\\n]*'|"[^"\\\n]*")
  | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%!<>?:.,()\[\]{}])
""", re.VERBOSE)

_RESERVED = frozenset({
    "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let",
    "loop", "package", "namespace", "return", "var", "void", "while"})
MACROS = {"exists": 2, "all": 2, "exists_one": 2, "filter": 2}  # and map: 2 or 3
METHODS = {"size": 0, "contains": 1, "startsWith": 1, "endsWith": 1}


class _Unsupported(Exception):
    pass


def _tokens(source: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(source):
        found = _TOKEN.match(source, pos)
        if found is None:
            raise _Unsupported
        pos = found.end()
        kind = found.lastgroup or ""
        if kind != "space":
            out.append((kind, found.group()))
    out.append(("end", ""))
    return out


def parse(source: str) -> Node | None:
    """The tree of ``source``, or None when it is outside the subset."""
    try:
        parser = _Parser(_tokens(source))
        tree = parser.expr(0)
    except (_Unsupported, RecursionError):
        return None
    if parser.peek()[0] != "end" or _deeper(tree, MAX_DEPTH):
        return None
    return tree


def _deeper(tree: Node, limit: int) -> bool:
    """Whether ``tree`` nests more than ``limit`` levels: a chain of operators (``!!!x``,
    ``a && b && ...``, which the engine folds or balances) nests without parentheses, and
    the translation recurses once a level."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children(node))
    return False


def children(node: Node) -> Iterator[Node]:
    """The nodes directly inside ``node`` (a part, or an item of a tuple part)."""
    for part in node.parts:
        if isinstance(part, Node):
            yield part
        elif isinstance(part, tuple):
            yield from (item for item in part if isinstance(item, Node))


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos]

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def accept(self, text: str) -> bool:
        kind, value = self.tokens[self.pos]
        if kind == "op" and value == text:
            self.pos += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise _Unsupported

    def expr(self, depth: int) -> Node:
        # Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
        if depth > MAX_DEPTH:
            raise _Unsupported
        test = self.logic(depth, "||")
        if not self.accept("?"):
            return test
        then = self.logic(depth, "||")
        self.expect(":")
        return Node("cond", (test, then, self.expr(depth + 1)))

    def logic(self, depth: int, op: str) -> Node:
        # ConditionalOr = [ConditionalOr "||"] ConditionalAnd, and && over Relation
        left = self.logic(depth, "&&") if op == "||" else self.binary(depth, 0)
        while self.accept(op):
            right = self.logic(depth, "&&") if op == "||" else self.binary(depth, 0)
            left = Node("binary", (op, left, right))
        return left

    _LEVELS = (("<", "<=", ">=", ">", "==", "!=", "in"), ("+", "-"), ("*", "/", "%"))

    def binary(self, depth: int, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary(depth)
        left = self.binary(depth, level + 1)
        ops = self._LEVELS[level]
        while True:
            kind, value = self.peek()
            if not ((kind == "op" or (kind == "ident" and value == "in")) and value in ops):
                return left
            self.take()
            left = Node("binary", (value, left, self.binary(depth, level + 1)))

    def unary(self, depth: int) -> Node:
        # Unary = Member | "!" {"!"} Member | "-" {"-"} Member
        for op in ("!", "-"):
            count = 0
            while self.accept(op):
                count += 1
            if count:
                node = self.member(depth)
                for _ in range(count):
                    node = Node("unary", (op, node))
                return node
        return self.member(depth)

    def member(self, depth: int) -> Node:
        node = self.primary(depth)
        while True:
            if self.accept("."):
                kind, name = self.take()
                if kind != "ident" or name in _RESERVED or name == "in":
                    raise _Unsupported
                if self.accept("("):
                    node = self.method(node, name, self.arguments(depth))
                else:
                    node = Node("select", (node, name))
            elif self.accept("["):
                index = self.expr(depth + 1)
                self.expect("]")
                node = Node("index", (node, index))
            else:
                return node

    def arguments(self, depth: int, close: str = ")") -> list[Node]:
        args: list[Node] = []
        if self.accept(close):
            return args
        while True:
            args.append(self.expr(depth + 1))
            if self.accept(close):
                return args
            self.expect(",")
            if close == "]" and self.accept(close):  # a trailing comma in a list
                return args

    def method(self, receiver: Node, name: str, args: list[Node]) -> Node:
        if receiver == Node("ident", ("cel",)) and name == "bind":
            if len(args) == 3 and args[0].kind == "ident":
                return Node("bind", (args[0].parts[0], args[1], args[2]))
            raise _Unsupported
        if name in MACROS or name == "map":
            counts = (2, 3) if name == "map" else (MACROS[name],)
            if len(args) not in counts or args[0].kind != "ident":
                raise _Unsupported
            return Node("macro", (name, receiver, args[0].parts[0], tuple(args[1:])))
        if METHODS.get(name) != len(args):
            raise _Unsupported
        return Node("call", (name, receiver, tuple(args)))

    def primary(self, depth: int) -> Node:
        kind, value = self.take()
        if kind == "number":
            if not value.isdigit():  # hex, a float, an unsigned or an exponent
                raise _Unsupported
            number = int(value)
            if number > MAX_INT:
                raise _Unsupported
            return Node("lit", (number,))
        if kind == "string":
            return Node("lit", (value[1:-1],))
        if kind == "ident":
            if value in ("true", "false", "null"):
                return Node("lit", ({"true": True, "false": False, "null": None}[value],))
            if value in _RESERVED or value == "in":
                raise _Unsupported
            if self.accept("("):
                return self.function(value, self.arguments(depth))
            return Node("ident", (value,))
        if kind == "op" and value == "(":
            inner = self.expr(depth + 1)
            self.expect(")")
            return inner
        if kind == "op" and value == "[":
            return Node("list", (tuple(self.arguments(depth, "]")),))
        if kind == "op" and value == "{":
            return self.map_literal(depth)
        raise _Unsupported

    def function(self, name: str, args: list[Node]) -> Node:
        if name == "has" and len(args) == 1 and args[0].kind == "select":
            operand, field = args[0].parts
            return Node("has", (operand, field))
        if name == "size" and len(args) == 1:
            return Node("call", ("size", args[0], ()))
        if name == "dyn" and len(args) == 1:  # only the type checker sees it
            return args[0]
        raise _Unsupported

    def map_literal(self, depth: int) -> Node:
        keys: list[str] = []
        values: list[Node] = []
        if self.accept("}"):
            return Node("map", ((), ()))
        while True:
            kind, value = self.take()
            if kind != "string" or value[1:-1] in keys:
                raise _Unsupported  # only distinct string keys
            keys.append(value[1:-1])
            self.expect(":")
            values.append(self.expr(depth + 1))
            if self.accept("}"):
                return Node("map", (tuple(keys), tuple(values)))
            self.expect(",")
            if self.accept("}"):
                return Node("map", (tuple(keys), tuple(values)))
