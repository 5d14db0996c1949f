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
from typing import Any

from orglint.model import Person, Team
from orglint.policy.views import _held, free, member_view, opaque, team_view, text, texts

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
    if keys.keys() == {"id"}:  # whose memberships: what a person rule's count needs
        return lambda src: [{"id": text(m.id)} for m in src[0].spec.members]
    want_id, want_role, want_alloc, want_email = (
        k in keys for k in ("id", "role", "allocation", "email"))
    name, title, level = (k in keys for k in ("name", "title", "level"))
    owns, skills = _list_mode(keys.get("owns")), _list_mode(keys.get("skills"))
    person_read = name or title or level or skills != ABSENT

    def build(src: TeamSource) -> list[Any]:
        team, roles, people, _ = src
        out: list[Any] = []
        for m, role in zip(team.spec.members, roles, strict=True):
            row: dict[str, Any] = {}
            person = people.get(m.id) if person_read else None
            if want_id:
                row["id"] = text(m.id)
            if want_role:
                row["role"] = text(role)
            if want_alloc:
                row["allocation"] = m.allocation or None  # as member_view: refused, null
            if owns:
                row["owns"] = list(m.owns) if owns == VALUE else [None] * len(m.owns)
            if want_email:
                row["email"] = text(m.email)
            if person is None:
                if name:
                    row["name"] = text(m.name)
                if title:
                    row["title"] = text(m.title)
                if level:
                    row["level"] = m.level
                values = m.skills
            else:  # the member's own values first, as ``member_view`` fills them
                if name:
                    row["name"] = text(m.name if m.name is not None else person.name)
                if title:
                    row["title"] = text(m.title if m.title is not None else person.title)
                if level:
                    row["level"] = m.level if m.level is not None else person.level
                values = m.skills if m.skills is not None else person.skills
            if skills:
                row["skills"] = ([] if not values else texts(values) if skills == VALUE
                                 else [None] * len(values))
            out.append(row)
        return out
    return build


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
    "apiVersion": lambda t: _held(t.api_version), "kind": lambda t: t.kind,
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
