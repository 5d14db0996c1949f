"""A team as policy rules see it, built with only what they can observe.

``team_builder`` gives what ``shape.projector`` would leave of ``views.team_view``, but
builds it straight from the model: a field no rule can observe is neither built in
Python nor converted by the engine (about 1,200 instructions a value).  Which fields
to build is worked out once per run; the per-member code is a row of flag tests, as
cheap as ``views.member_view`` itself.  ``tests/test_policy_teamview.py`` compares the
two on made-up shapes and on the bench's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter
from typing import Any

from orglint.model import Person, Team
from orglint.policy.views import free, held, member_view, opaque, team_view, text, texts

# The team, each member's role, the org's people, and the document's data as written
# (whose ``x-`` keys the model does not keep).
TeamSource = tuple[Team, list[str | None], Mapping[str, Person], Any]
Builder = Callable[[TeamSource], dict[str, Any]]

# What is built of a field: not at all, its value, or (a list) only its length.
ABSENT, VALUE, LENGTH = 0, 1, 2


def _list_mode(node: Any) -> int:
    """A list of strings under ``node``: its elements, projected, are the strings, so
    only a list read for nothing but its length is built as one."""
    if node is None:
        return ABSENT
    return LENGTH if not node.whole and not node.keys and node.elem is None else VALUE


def _labels(node: Any) -> list[str] | None:
    """The keys kept of a map of free keys (labels, annotations); None, all of them."""
    return None if opaque(node) else list(node.keys)


def _members(node: Any) -> Callable[[TeamSource], list[Any]]:
    """``team.spec.members`` as ``projector(node)`` leaves it."""
    elem = node.elem
    if node.whole or node.keys or (elem is not None and elem.whole) or (
            elem is not None and opaque(elem)):
        return lambda src: [member_view(m, role, src[2].get(m.id), src[3])
                            for m, role in zip(src[0].spec.members, src[1], strict=True)]
    if elem is None:
        return lambda src: [None] * len(src[0].spec.members)
    keys = elem.keys
    owns, skills = _list_mode(keys.get("owns")), _list_mode(keys.get("skills"))
    return _member_rows([k for k in _MEMBER_KEYS if k in keys], owns, skills)


# A member's fields in ``member_view``'s order, each as an expression of the member
# ``m``, its role ``role`` and its People entry ``p`` (None when it has none or no field
# of it is read): the member's own value first.
_MEMBER_KEYS = ("id", "role", "allocation", "owns", "email", "name", "title", "level",
                "skills")
_OWN_FIRST = "m.{0} if p is None or m.{0} is not None else p.{0}"
_FIELDS = {
    "id": "text(m.id)", "role": "text(role)",
    "allocation": "m.allocation or None",  # as member_view: a refused value is null
    "email": "text(m.email)", "name": f"text({_OWN_FIRST.format('name')})",
    "title": f"text({_OWN_FIRST.format('title')})", "level": _OWN_FIRST.format("level")}
_LISTS = {("owns", VALUE): "list(m.owns)", ("owns", LENGTH): "[None] * len(m.owns)",
          ("skills", VALUE): f"texts(v) if (v := ({_OWN_FIRST.format('skills')})) else []",
          ("skills", LENGTH):
              f"[None] * len(v) if (v := ({_OWN_FIRST.format('skills')})) else []"}


def _member_rows(wanted: list[str], owns: int, skills: int
                 ) -> Callable[[TeamSource], list[Any]]:
    """The members' rows with only the ``wanted`` fields, as one comprehension written
    for them (a row of tests per field and member cost twice as much).  Its text is
    made of the constants above only: nothing of a policy or a document is in it."""
    modes = {"owns": owns, "skills": skills}
    items = [f"{key!r}: {_LISTS[key, modes[key]] if key in modes else _FIELDS[key]}"
             for key in wanted]
    person = any(key in ("name", "title", "level", "skills") for key in wanted)
    rows = ("zip(members, roles, map(people.get, map(_ID, members)), strict=True)"
            if person else "zip(members, roles, strict=True)")
    names = "m, role, p" if person else "m, role"
    source = ("def rows(src):\n"
              "    members, roles, people = src[0].spec.members, src[1], src[2]\n"
              f"    return [{{{', '.join(items)}}} for {names} in {rows}]\n")
    namespace: dict[str, Any] = {"__builtins__": {}, "zip": zip, "map": map, "len": len,
                                 "list": list, "text": text, "texts": texts,
                                 "_ID": attrgetter("id")}
    exec(compile(source, "<orglint member rows>", "exec"), namespace)
    rows_of: Callable[[TeamSource], list[Any]] = namespace["rows"]
    return rows_of


def _length(get: Callable[[Team], Sequence[str]]) -> Callable[[Team], Any]:
    return lambda t: [None] * len(get(t))


def _copy(get: Callable[[Team], Sequence[str]]) -> Callable[[Team], Any]:
    return lambda t: list(get(t))


def _some(get: Callable[[Team], Mapping[str, str] | None],
          kept: list[str] | None) -> Callable[[Team], Any]:
    if kept is None:
        return lambda t: free(get(t))
    return lambda t: free({k: v for k, v in (get(t) or {}).items() if k in kept})


def _scalars(node: Any, table: dict[str, Callable[[Team], Any]],
             lists: dict[str, Callable[[Team], Sequence[str]]],
             maps: dict[str, Callable[[Team], Mapping[str, str] | None]]
             ) -> list[tuple[str, Callable[[Team], Any]]]:
    """A getter for each field of ``node`` found in the tables, in ``node``'s order."""
    plan: list[tuple[str, Callable[[Team], Any]]] = []
    for key, child in node.keys.items():
        if key in table:
            plan.append((key, table[key]))
        elif key in lists:
            plan.append((key, (_length if _list_mode(child) == LENGTH else _copy)(lists[key])))
        elif key in maps:
            plan.append((key, _some(maps[key], _labels(child))))
    return plan


_TOP: dict[str, Callable[[Team], Any]] = {
    "apiVersion": lambda t: held(t.api_version), "kind": lambda t: t.kind,
    "id": lambda t: text(t.id)}
_META: dict[str, Callable[[Team], Any]] = {
    "name": lambda t: text(t.metadata.name), "title": lambda t: text(t.metadata.title),
    "description": lambda t: text(t.metadata.description),
    "parent": lambda t: text(t.metadata.parent)}
_META_MAPS: dict[str, Callable[[Team], Mapping[str, str] | None]] = {
    "labels": lambda t: t.metadata.labels, "annotations": lambda t: t.metadata.annotations}
_SPEC: dict[str, Callable[[Team], Any]] = {
    "maturity": lambda t: t.spec.maturity, "size": lambda t: t.size,
    "description": lambda t: text(t.spec.description)}
_SPEC_LISTS: dict[str, Callable[[Team], Sequence[str]]] = {
    "systems": lambda t: t.spec.systems, "practices": lambda t: t.spec.practices}


def _extended(node: Any) -> bool:
    """Whether ``node`` or a node below it names an ``x-`` key."""
    stack = [node]
    while stack:
        current = stack.pop()
        if any(k.startswith("x-") for k in current.keys):
            return True
        stack.extend(current.keys.values())
        if current.elem is not None:
            stack.append(current.elem)
    return False


def team_builder(node: Any | None) -> Builder:
    """A function giving ``projector(node)(team_view(...))`` (``node``: a ``shape.Node``
    of one team; None, the whole view), worked out once per run."""
    if node is None or opaque(node) or _extended(node):
        # An ``x-`` key read anywhere: the whole view, which carries them as written.
        return lambda src: team_view(*src)
    top = _scalars(node, _TOP, {}, {})
    parts: list[tuple[str, Callable[[TeamSource], dict[str, Any]]]] = []
    meta = node.keys.get("metadata")
    if meta is not None:
        if opaque(meta):
            parts.append(("metadata", lambda src: team_view(*src)["metadata"]))
        else:
            fields = _scalars(meta, _META, {}, _META_MAPS)
            parts.append(("metadata", lambda src: {k: get(src[0]) for k, get in fields}))
    spec = node.keys.get("spec")
    if spec is not None:
        if opaque(spec):
            parts.append(("spec", lambda src: team_view(*src)["spec"]))
        else:
            inner = _scalars(spec, _SPEC, _SPEC_LISTS, {})
            members = spec.keys.get("members")
            build = _members(members) if members is not None else None

            def spec_of(src: TeamSource) -> dict[str, Any]:
                out = {k: get(src[0]) for k, get in inner}
                if build is not None:
                    out["members"] = build(src)
                return out
            parts.append(("spec", spec_of))

    def team_of(src: TeamSource) -> dict[str, Any]:
        out = {k: get(src[0]) for k, get in top}
        for key, make in parts:
            out[key] = make(src)
        return out
    return team_of
