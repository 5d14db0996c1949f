"""Conform: a quick, certain "valid" for documents of orglint's own JSON Schemas.

Importing jsonschema-rs costs 12-19 ms of a run's start (its extension module imports
``email.utils``, ``socket``, ``decimal``...), most of a one-file run's margin over
yamllint.  Nearly every document checked is valid, and proving that needs only a small
subset of JSON Schema.  So each of orglint's schemas (trusted: read from the package) is
compiled once into closures (no code generation) that answer True only when the document
is certainly valid, False when it is certainly invalid, None when unsure.  Anything but
True goes to jsonschema-rs, which explains every error: a True that jsonschema-rs would
call invalid is a missed finding, so this module errs towards None:

* a keyword it does not implement exactly refuses the whole schema (``Refused``);
* only exact ``dict``/``list``/``str``/``int``/``float``/``bool``/``None`` are judged:
  a ``bool`` is not a JSON integer, a ``float`` under ``integer`` (1.0 is one in JSON
  Schema) and an int outside 64 bits are unsure, as is any other type;
* ``enum``/``const`` take strings only, so Python's ``True == 1`` never matters;
* ``uniqueItems`` judges lists of strings only;
* a mapping key that is not a ``str`` (jsonschema-rs raises on it) or a string holding a
  lone surrogate (it cannot be encoded) is unsure;
* a pattern must use a small syntax that means the same in Python's ``re`` and in
  jsonschema-rs's engine (``vetted``), and a string it is applied to must be printable
  ASCII (no ``$``-before-newline, no Unicode classes): anything else is unsure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from orglint.lazyre import deferred
from orglint.memo import MEMO_LIMIT

Verdict = bool | None
Check = Callable[[Any], Verdict]

_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description",
                          "examples", "default"})
_TYPES = frozenset({"object", "array", "string", "integer", "boolean", "null"})
_PLAIN = frozenset({dict, list, str, int, float, bool, type(None)})
_INT_LOW, _INT_HIGH = -(2 ** 63), 2 ** 63 - 1
# Only a text that is not ASCII is searched: compiled then (2 M instructions).
_SURROGATE = deferred("[\ud800-\udfff]")


class Refused(Exception):
    """A schema (or pattern) this module cannot judge exactly: use jsonschema-rs."""


# -- patterns ---------------------------------------------------------------------------

# One token of the pattern syntax whose meaning is the same in Python's re and in
# jsonschema-rs (ECMA-262 / Rust regex) on printable ASCII text: literal letters, digits,
# '_' and '-'; an escaped '.'; classes of such literals and ranges (no negation); groups,
# negative lookahead, alternation; greedy quantifiers; '^' first and '$' last.
_TOKEN = re.compile(r"""
    [A-Za-z0-9_-]                                   # a literal
  | \\\.                                            # an escaped dot
  | \[(?:[A-Za-z0-9](?:-[A-Za-z0-9])?|\\\.|[._])+-?\]   # a class, '-' last is literal
  | \(\?!|\(\?:|\((?!\?)|\)|\|                     # groups and alternation
  | [*+?](?![?+])|\{[0-9]+(?:,[0-9]*)?\}(?![?+])    # greedy quantifiers
""", re.VERBOSE)
_RANGE = re.compile(r"([A-Za-z0-9])-([A-Za-z0-9])")


def vetted(pattern: str) -> str:
    """``pattern`` if its meaning is the same in both engines, else ``Refused``."""
    body = pattern[1:] if pattern.startswith("^") else pattern
    body = body[:-1] if body.endswith("$") and not body.endswith("\\$") else body
    position = 0
    while position < len(body):
        token = _TOKEN.match(body, position)
        if token is None:
            raise Refused(f"pattern {pattern!r}: unsupported syntax at {position}")
        for low, high in _RANGE.findall(token.group()) if token.group()[0] == "[" else ():
            # 'a-z', 'A-Z', '0-9' and their parts: a range across kinds ('A-z') takes
            # punctuation in, which is still the same in both engines, but say no.
            if not (low <= high and (low + high).isalnum()
                    and (low.isdigit() == high.isdigit())
                    and (low.isupper() == high.isupper())):
                raise Refused(f"pattern {pattern!r}: range {low}-{high}")
        position = token.end()
    try:
        re.compile(pattern)
    except re.error as error:  # "a**", "(": tokens in an order neither engine reads
        raise Refused(f"pattern {pattern!r}: {error}") from None
    return pattern


def _matcher(pattern: str) -> Callable[[str], object]:
    return re.compile(vetted(pattern)).search  # JSON Schema searches, as re.search does


def _judged_text(text: str) -> bool:
    """Whether a pattern means the same on ``text`` in both engines."""
    return text.isascii() and text.isprintable()


# -- the compiler -------------------------------------------------------------------------


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.done: dict[str, Check] = {}
        self.busy: dict[str, list[Check]] = {}

    def ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            raise Refused(f"$ref {ref!r}")
        name = ref[len("#/$defs/"):]
        if name in self.done:
            return self.done[name]
        if name in self.busy:  # a recursive definition: look it up when called
            cell = self.busy[name]
            return lambda value: cell[0](value)
        defs = self.root.get("$defs")
        if not isinstance(defs, dict) or name not in defs or "/" in name or "~" in name:
            raise Refused(f"$ref {ref!r}")
        cell = self.busy[name] = []
        check = self.compile(defs[name])
        cell.append(check)
        del self.busy[name]
        self.done[name] = check
        return check

    def compile(self, node: Any) -> Check:
        if node is True:
            return _always
        if node is False:
            return _never
        if not isinstance(node, dict):
            raise Refused(f"schema {node!r}")
        keys = set(node) - _ANNOTATIONS
        unknown = keys - _KEYWORDS
        if unknown:
            raise Refused(f"keywords {sorted(unknown)}")
        kind = node.get("type")
        if "type" in node and (not isinstance(kind, str) or kind not in _TYPES):
            # A list of types, "number": not needed by orglint's schemas, so not judged.
            raise Refused(f"type {kind!r}")
        checks: list[Check] = []
        if "$ref" in node:
            checks.append(self.ref(node["$ref"]))
        if "const" in node or "enum" in node:
            checks.append(_choices(node))
        # The type is checked by the check of that type's keywords when there is one:
        # one call per value instead of two.
        typed = False
        if keys & _STRING_KEYWORDS:
            typed |= kind == "string"
            checks.append(_string(node, kind == "string"))
        if keys & _NUMBER_KEYWORDS:
            checks.append(_number(node))
        if keys & _OBJECT_KEYWORDS:
            typed |= kind == "object"
            checks.append(self.object(node, kind == "object"))
        if keys & _ARRAY_KEYWORDS:
            typed |= kind == "array"
            checks.append(self.array(node, kind == "array"))
        if kind is not None and not typed:
            checks.append(_type(kind))
        return _all(checks)

    def object(self, node: dict[str, Any], typed: bool) -> Check:
        patterns = [(_matcher(name), self.compile(sub))
                    for name, sub in _mapping(node.get("patternProperties", {})).items()]
        properties: dict[str, Check] = {}
        for name, sub in _mapping(node.get("properties", {})).items():
            if not (isinstance(name, str) and _judged_text(name)):
                raise Refused(f"property {name!r}")
            # The patterns a property's name matches are known now, not at each key.
            properties[name] = _all([self.compile(sub),
                                     *(check for match, check in patterns if match(name))])
        extra = node.get("additionalProperties", True)
        additional = None if extra is True else self.compile(extra)
        required = node.get("required", [])
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise Refused(f"required {required!r}")
        most = _count(node, "maxProperties", None)

        def check(value: Any) -> Verdict:
            if type(value) is not dict:
                return _other(value, typed)
            for name in required:
                if name not in value:
                    return False
            sure = True
            for key, item in value.items():
                if type(key) is not str:
                    sure = False  # jsonschema-rs raises on it
                    continue
                sub = properties.get(key)
                if sub is not None:
                    verdict = sub(item)
                    if verdict is not True:
                        if verdict is False:
                            return False
                        sure = False
                    continue
                if patterns:
                    if not (key.isascii() and key.isprintable()):  # _judged_text
                        sure = False
                        continue
                elif not key.isascii() and _SURROGATE.search(key):
                    sure = False  # jsonschema-rs cannot encode it
                    continue
                matched = False
                for match, pattern_check in patterns:
                    if match(key):
                        matched = True
                        verdict = pattern_check(item)
                        if verdict is not True:
                            if verdict is False:
                                return False
                            sure = False
                if not matched and additional is not None:
                    verdict = additional(item)
                    if verdict is not True:
                        if verdict is False:
                            return False
                        sure = False
            if most is not None and len(value) > most:
                return False if sure else None
            return True if sure else None

        return check

    def array(self, node: dict[str, Any], typed: bool) -> Check:
        items = self.compile(node["items"]) if "items" in node else None
        low = _count(node, "minItems", 0) or 0
        high = _count(node, "maxItems", None)
        unique = node.get("uniqueItems", False)
        if not isinstance(unique, bool):
            raise Refused(f"uniqueItems {unique!r}")

        def check(value: Any) -> Verdict:
            if type(value) is not list:
                return _other(value, typed)
            if len(value) < low or (high is not None and len(value) > high):
                return False
            sure = True
            if items is not None:
                for item in value:
                    verdict = items(item)
                    if verdict is not True:
                        if verdict is False:
                            return False
                        sure = False
            if unique:
                if not all(type(item) is str for item in value):
                    return None
                if len(set(value)) != len(value):
                    return False
            return True if sure else None

        return check


_STRING_KEYWORDS = frozenset({"pattern", "minLength", "maxLength"})
_NUMBER_KEYWORDS = frozenset({"minimum", "maximum"})
_OBJECT_KEYWORDS = frozenset({"properties", "patternProperties", "additionalProperties",
                              "required", "maxProperties"})
_ARRAY_KEYWORDS = frozenset({"items", "minItems", "maxItems", "uniqueItems"})
_KEYWORDS = (_STRING_KEYWORDS | _NUMBER_KEYWORDS | _OBJECT_KEYWORDS | _ARRAY_KEYWORDS
             | {"$ref", "type", "const", "enum"})


def _always(value: Any) -> Verdict:
    return True


def _never(value: Any) -> Verdict:
    return False


# The fold below (False wins, None makes the answer unsure) is also written out in the
# object and array checks' loops, to spare a call per key or item on the walk's hottest
# path.
def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> Verdict:
        sure = True
        for one in checks:
            verdict = one(value)
            if verdict is not True:
                if verdict is False:
                    return False
                sure = False
        return True if sure else None

    return check


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Refused(f"not a mapping: {value!r}")
    return value


def _count(node: dict[str, Any], key: str, default: int | None) -> int | None:
    value = node.get(key, default)
    if value is not None and (type(value) is not int or value < 0):
        raise Refused(f"{key} {value!r}")
    return value


def _other(value: Any, typed: bool) -> Verdict:
    """The verdict on a value of another type than the keywords' own: they do not apply
    to it, but ``type`` (when ``typed``) refuses it."""
    if type(value) in _PLAIN:
        return not typed
    return None


def _type(name: str) -> Check:
    if name == "integer":
        def integer(value: Any) -> Verdict:
            kind = type(value)
            if kind is int:
                return True if _INT_LOW <= value <= _INT_HIGH else None
            if kind is float:
                return None  # 1.0 is an integer in JSON Schema; NaN and inf are not
            return False if kind in _PLAIN else None
        return integer
    if name == "object":
        def mapping(value: Any) -> Verdict:
            kind = type(value)
            if kind is dict:
                # jsonschema-rs raises on a key that is not a string (at the top level
                # even when no keyword reads the keys).
                return True if all(type(key) is str for key in value) else None
            return False if kind in _PLAIN else None
        return mapping
    wanted = {"array": list, "string": str, "boolean": bool, "null": type(None)}[name]

    def typed(value: Any) -> Verdict:
        kind = type(value)
        if kind is wanted:
            return True
        return False if kind in _PLAIN else None

    return typed


def _choices(node: dict[str, Any]) -> Check:
    if "const" in node and "enum" in node:
        raise Refused("const with enum")
    values = [node["const"]] if "const" in node else node["enum"]
    if not isinstance(values, list) or not values or not all(type(v) is str for v in values):
        raise Refused(f"enum {values!r}")  # strings only: True == 1 in Python, not in JSON
    allowed = frozenset(values)

    def check(value: Any) -> Verdict:
        kind = type(value)
        if kind is str:
            return value in allowed
        return False if kind in _PLAIN else None

    return check


def _string(node: dict[str, Any], typed: bool) -> Check:
    low = _count(node, "minLength", 0) or 0
    high = _count(node, "maxLength", None)
    pattern = node.get("pattern")
    if pattern is not None and not isinstance(pattern, str):
        raise Refused(f"pattern {pattern!r}")
    match = None if pattern is None else _matcher(pattern)
    # The same ids come back in every team (roles, systems, responsibilities); a string
    # seen valid costs a lookup.  Bounded: a hostile file's millions of strings stop it.
    passed: set[str] = set()

    def check(value: Any) -> Verdict:
        if type(value) is not str:
            return _other(value, typed)
        if value in passed:
            return True
        if match is not None:
            if not (value.isascii() and value.isprintable()):  # _judged_text, inlined
                return None
        elif not value.isascii() and _SURROGATE.search(value):
            return None
        size = len(value)  # code points, as jsonschema-rs counts them
        if size < low or (high is not None and size > high):
            return False
        if match is not None and match(value) is None:
            return False
        if len(passed) < MEMO_LIMIT:
            passed.add(value)
        return True

    return check


def _number(node: dict[str, Any]) -> Check:
    low, high = node.get("minimum"), node.get("maximum")
    if not all(bound is None or type(bound) is int for bound in (low, high)):
        raise Refused(f"bounds {low!r}, {high!r}")

    def check(value: Any) -> Verdict:
        kind = type(value)
        if kind is int:
            if not _INT_LOW <= value <= _INT_HIGH:
                return None
            return (low is None or value >= low) and (high is None or value <= high)
        if kind is float:
            return None
        return True if kind in _PLAIN else None

    return check


def compile_schema(root: dict[str, Any]) -> Check:
    """The check of a whole schema; ``Refused`` if any part of it cannot be judged."""
    try:
        check = _Compiler(root).compile(root)
    except (TypeError, ValueError, KeyError) as error:  # a shape not foreseen: not judged
        raise Refused(f"schema: {error!r}") from None

    def document(value: Any) -> Verdict:
        # jsonschema-rs converts the document itself (not what it holds) before any
        # keyword runs, and raises on a key that is not a string, a string it cannot
        # encode, or a type it does not know, whatever the schema says.
        kind = type(value)
        if kind is dict:
            for key in value:
                if type(key) is not str or (not key.isascii() and _SURROGATE.search(key)):
                    return None
        elif kind is str:
            if not value.isascii() and _SURROGATE.search(value):
                return None
        elif kind not in _PLAIN:
            return None
        return check(value)

    return document
