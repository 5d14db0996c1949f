"""What of an input an expression can observe, so that the rest is not converted.

The engine converts every value of an input, about 1,200 instructions each, keys
included.  ``shape`` reads the expressions orglint evaluates on an input and returns a
``Node`` tree of what they can observe: a field is kept only if some chain of field
selections from the input (or from a comprehension variable over a part of it) names
it; a list read only through ``.size()`` keeps its length, not its elements; anything
used in any other way (compared, passed to a function, bound with ``cel.bind``, a map
sized or iterated) is kept whole.  ``projector`` then builds the value with only that.

Any syntax this reader does not follow (a computed index, ``.?``, a back-quoted field,
a ``filter`` whose result is used for more than its size) makes ``shape`` return None:
the input is then converted whole.  ``tests/test_policy_shape.py`` evaluates
expressions on both and compares.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
MAX_NODES = 10_000  # a hostile rule set gets no projection, not a quadratic one
MAX_WORK = 1_000_000  # nodes visited in all passes, for the same reason
MAX_PASSES = 8  # rounds to follow comprehension variables bound over each other

_TOKEN = re.compile(r"""
    (?P<skip>\s+|//[^\n]*)
  | (?P<str>[rRbB]{0,2}(?:'''|\"\"\"|'|"))
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[uU]?|0[xX][0-9a-fA-F]+[uU]?)
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>.)
""", re.VERBOSE | re.DOTALL)


class Refused(Exception):
    """Syntax the projection does not follow: the input is converted whole."""


class Node:
    """What is observed of one place of a view (and, through ``keys``/``elem``, of
    the places under it)."""

    __slots__ = ("elem", "iterated", "keys", "size", "whole")

    def __init__(self) -> None:
        self.whole = False  # used as a value: kept as it is
        self.size = False  # ``.size()``: a list's length, a map's keys
        self.iterated = False  # a comprehension over it: a map's keys
        self.keys: dict[str, Node] = {}
        self.elem: Node | None = None  # a list's elements


def _tokens(source: str) -> list[tuple[str, str]]:
    """(kind, text) for each token; a string literal's text is its value when it has
    no escape, else None-like '' with kind 'esc' (never a usable key)."""
    out: list[tuple[str, str]] = []
    pos, end = 0, len(source)
    while pos < end:
        found = _TOKEN.match(source, pos)
        assert found is not None  # the last alternative matches any character
        kind = found.lastgroup or "op"
        if kind == "str":
            opener = found.group()
            prefix = opener.rstrip("'\"")
            quote = opener[len(prefix):]
            raw = "r" in prefix.lower()
            close = source.find(quote, found.end())
            start = found.end()
            if not raw:  # an escaped quote does not close the literal
                k = start
                while True:
                    close = source.find(quote, k)
                    if close < 0:
                        break
                    slashes = len(source[k:close]) - len(source[k:close].rstrip("\\"))
                    if slashes % 2 == 0:
                        break
                    k = close + 1
            if close < 0:
                raise Refused
            text = source[start:close]
            out.append(("esc" if "\\" in text else "str", text))
            pos = close + len(quote)
            continue
        if kind != "skip":
            out.append((kind, found.group()))
        pos = found.end()
    return out


class _Reader:
    def __init__(self, roots: dict[str, Node]) -> None:
        self.roots = roots
        self.bound: dict[str, list[Node]] = {}
        self._bound_ids: dict[str, set[int]] = {}
        self.nodes = len(roots)
        self.work = 0

    def _new(self) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Refused
        return Node()

    def child(self, node: Node, key: str) -> Node:
        found = node.keys.get(key)
        if found is None:
            found = node.keys[key] = self._new()
        return found

    def elem(self, node: Node) -> Node:
        if node.elem is None:
            node.elem = self._new()
        return node.elem

    def bind(self, name: str, nodes: list[Node]) -> bool:
        have = self.bound.setdefault(name, [])
        ids = self._bound_ids.setdefault(name, set())
        added = False
        for node in nodes:
            if id(node) not in ids:
                ids.add(id(node))
                have.append(node)
                added = True
        return added

    def scan(self, toks: list[tuple[str, str]], closing: dict[int, int]) -> bool:
        """Record every use of a tracked name; True if a new binding was found
        (``closing``: the index of the bracket that closes each opening one)."""
        added = False
        n = len(toks)

        def at(k: int) -> tuple[str, str]:
            return toks[k] if k < n else ("end", "")

        for i, (kind, text) in enumerate(toks):
            if kind != "id" or (text not in self.roots and text not in self.bound):
                continue
            if at(i - 1)[1] == "." and i > 0:
                continue  # a field name, not the variable
            if (i >= 3 and at(i - 1)[1] == "(" and at(i - 2)[1] in MACROS
                    and at(i - 3)[1] == "." and at(i + 1)[1] == ","):
                continue  # a comprehension declaring its variable
            nodes = ([self.roots[text]] if text in self.roots else []) + \
                self.bound.get(text, [])
            self.work += len(nodes)
            if self.work > MAX_WORK:
                raise Refused
            j = i + 1
            while True:
                tok = at(j)
                if tok[1] == "." and at(j + 1)[0] == "id":
                    name = at(j + 1)[1]
                    if at(j + 2)[1] != "(":
                        nodes = [self.child(node, name) for node in nodes]
                        j += 2
                        continue
                    if name == "size" and at(j + 3)[1] == ")":
                        for node in nodes:
                            node.size = True
                        break
                    if name in MACROS:
                        var = at(j + 3)
                        if var[0] != "id" or at(j + 4)[1] != ",":
                            raise Refused
                        for node in nodes:
                            node.iterated = True
                        added |= self.bind(var[1], [self.elem(node) for node in nodes])
                        if name == "filter":  # gives elements: only its size may be read
                            end = closing.get(j + 2, n)
                            if [t[1] for t in toks[end + 1:end + 5]] != [".", "size", "(", ")"]:
                                raise Refused
                        break
                    for node in nodes:  # another method: its receiver is read whole
                        node.whole = True
                    break
                if tok[1] == ".":
                    raise Refused  # ``.?``, a back-quoted field
                if tok[1] == "[":
                    index = at(j + 1)
                    if at(j + 2)[1] == "]" and index[0] == "num" and index[1].isdigit():
                        nodes = [self.elem(node) for node in nodes]
                    elif at(j + 2)[1] == "]" and index[0] == "str":
                        nodes = [self.child(node, index[1]) for node in nodes]
                    else:
                        raise Refused
                    j += 3
                    continue
                for node in nodes:
                    node.whole = True
                break
        return added

def _closing(toks: list[tuple[str, str]]) -> dict[int, int]:
    """Where each bracket closes, in one pass."""
    out: dict[int, int] = {}
    stack: list[int] = []
    for k, (kind, text) in enumerate(toks):
        if kind != "op":
            continue
        if text in "([{":
            stack.append(k)
        elif text in ")]}" and stack:
            out[stack.pop()] = k
    return out


def shape(sources: list[str], roots: tuple[str, ...]) -> dict[str, Node] | None:
    """What ``sources`` can observe of each input named in ``roots``; None when they
    use syntax this reader does not follow."""
    try:
        streams = [(toks, _closing(toks)) for toks in map(_tokens, sources)]
        reader = _Reader({root: Node() for root in roots})
        for _ in range(MAX_PASSES):
            # Marks are idempotent: a pass that binds no new variable saw every use
            # with every binding, so the tree is complete.
            added = False
            for toks, closing in streams:
                added |= reader.scan(toks, closing)
            if not added:
                return reader.roots
    except Refused:
        return None
    return None


def _same(value: Any) -> Any:
    return value


def projector(node: Node) -> Callable[[Any], Any]:
    """A function giving a value with only what ``node`` says can be observed of it,
    worked out once per run (it runs on every chunk of persons); a node kept whole
    costs no call."""
    if node.whole:
        return _same
    plan = [(key, None if child.whole else projector(child)) for key, child in node.keys.items()]
    elem = None if node.elem is None or node.elem.whole else projector(node.elem)
    keeps_map = node.size or node.iterated or node.elem is not None
    keeps_list = bool(node.keys)
    whole_elems = node.elem is not None and node.elem.whole

    def apply(value: Any) -> Any:
        kind = type(value)
        if kind is dict:
            if keeps_map:
                return value  # its keys are observed (or it is indexed by a number)
            out = {}
            for key, inner in plan:
                if key in value:
                    item = value[key]
                    out[key] = item if inner is None else inner(item)
            return out
        if kind is list:
            if keeps_list or whole_elems:
                return value  # a field of a list is an error, whose text must not change
            if elem is None:
                return [None] * len(value)  # only its length is read
            return [elem(item) for item in value]
        return value

    return apply
