"""What each policy target sees: plain data for the CEL variables (spec section 7).

``team`` is the Team document, with each member's role, title, name and level resolved
(inline, from People, or the role inferred from the title) and allocation defaulted;
``person`` gathers a person's memberships; ``org`` holds every team and person;
``matrix`` is the resolved role matrix, keyed as a RoleMatrix ``spec`` is.  Views are
built from the model, so a field the schema step dropped is absent here too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from operator import itemgetter
from typing import Any

from orglint.matrix import Matrix
from orglint.model import Member, Person, Team, written_at


def text(value: Any) -> Any:
    """A text field as the engine can hold it: cel-cpp ends a string at a NUL, so
    "ML Engineer\0 (intern)" would read as "ML Engineer"; written out as a backslash and
    a 0 instead, it equals neither.  A lone surrogate (``"\\ud800"`` in a double-quoted
    scalar, which only PyYAML's pure-Python parser lets through) has no UTF-8 at all: the
    engine would refuse the whole input; it is written out as its escape."""
    if type(value) is not str:
        return value
    if "\0" in value:
        value = value.replace("\0", "\\0")
    if not value.isascii() and not _encodable(value):
        value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def texts(values: Iterable[Any]) -> list[Any]:
    """A list of text fields (skills) as ``text`` makes each."""
    out = list(values)
    try:
        joined = "".join(out)
        clean = "\0" not in joined and (joined.isascii() or _encodable(joined))
    except TypeError:  # not all strings: each looked at
        clean = False
    return out if clean else [text(value) for value in out]


def extensions(raw: Any) -> dict[str, Any]:
    """The ``x-`` keys of a mapping as written (spec section 1 allows them anywhere a
    team or member has keys): a policy reads the document as written, these included."""
    if type(raw) is not dict:
        return {}
    return {text(k): held(v) for k, v in raw.items() if type(k) is str and k.startswith("x-")}


def member_view(member: Member, role: str | None, person: Person | None,
                raw: Any = None) -> dict[str, Any]:
    """``raw``: the document's data as written, whose ``x-`` keys of this member are
    kept (the model reads none)."""
    # Spelt out field by field: it runs for every member of every team.
    name, title, level, skills = member.name, member.title, member.level, member.skills
    if person is not None:
        name = name if name is not None else person.name
        title = title if title is not None else person.title
        level = level if level is not None else person.level
        skills = skills if skills is not None else person.skills
    # An allocation the schema refused is 0 in the model (it adds nothing to ORG301): a
    # policy sees null, so a rule on it errs (ORG903) instead of judging 0%.
    out = {"id": text(member.id), "role": text(role), "allocation": member.allocation or None,
           "owns": list(member.owns), "email": text(member.email), "name": text(name),
           "title": text(title), "level": level, "skills": texts(skills) if skills else []}
    if raw is not None:
        out.update(extensions(written_at(raw, member.path)))
    return out


def free(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """A free-form map (labels, annotations) as the engine can hold it: an integer past
    64 bits, which the engine refuses (and with it the whole org it is part of, for every
    rule that reads the org), is read as the digits written."""
    if not values:
        return {}
    if all(type(k) is str and type(v) is str and text(k) is k and text(v) is v
           for k, v in values.items()):
        return dict(values)
    return {text(k): held(v) for k, v in values.items()}


def held(value: Any) -> Any:
    """``value`` as the engine can hold it (see ``free``), built without recursion: the
    configured ``max-depth`` admits documents 1,000 levels deep, past Python's own
    limit for a recursive copy (a RecursionError that ended the run)."""
    return _rebuilt(value, _shell, _held_items, _scalar)


def _rebuilt(value: Any, shell: Callable[[Any], Any], items: Callable[[Any], Any],
             leaf: Callable[[Any], Any]) -> Any:
    """``value`` copied without recursion: each list or map as ``shell`` makes it, filled
    with the (index or key, item) pairs ``items`` gives of it; any other value as
    ``leaf`` makes it, and a ``_Kept`` one as it is."""
    if not isinstance(value, list | dict):
        return leaf(value)
    top = shell(value)
    # Each collection still to fill: (its copy, the pairs left); filled in order.
    # iter(): a map's items() view would start again at each resumption.
    stack: list[tuple[Any, Any]] = [(top, iter(items(value)))]
    while stack:
        copy, pending = stack[-1]
        for where, item in pending:
            if isinstance(item, list | dict):
                inner = shell(item)
                _put(copy, where, inner)
                stack.append((inner, iter(items(item))))
                break
            _put(copy, where, item.value if type(item) is _Kept else leaf(item))
        else:
            stack.pop()
    return top


def _shell(value: list[Any] | dict[str, Any]) -> Any:
    return [] if isinstance(value, list) else {}


def _all_items(value: list[Any] | dict[str, Any]) -> Any:
    return enumerate(value) if isinstance(value, list) else value.items()


def _held_items(value: list[Any] | dict[str, Any]) -> Any:
    if isinstance(value, list):
        return enumerate(value)
    return ((text(key), item) for key, item in value.items())


class _Kept:
    """A value ``_rebuilt`` keeps as it is (a free-form map under a named key)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _put(copy: Any, where: Any, item: Any) -> None:
    if isinstance(copy, list):
        copy.append(item)
    else:
        copy[where] = item


def _scalar(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return text(value)  # "alice\0mallory" must not read as "alice"
    if kind is int:
        return value if -(1 << 63) <= value < 1 << 63 else str(value)
    return value


def team_view(team: Team, roles: Iterable[str | None],
              people: Mapping[str, Person], raw: Any = None) -> dict[str, Any]:
    """``raw``: the document's data as written, for its ``x-`` keys."""
    meta = team.metadata
    members = [member_view(m, role, people.get(m.id), raw)
               for m, role in zip(team.spec.members, roles, strict=True)]
    spec = team.spec
    metadata: dict[str, Any] = {
        # A name the schema refused is kept (it is the team's id): a NUL in it too.
        "name": text(meta.name), "title": text(meta.title),
        "description": text(meta.description),
        "parent": text(meta.parent), "labels": free(meta.labels),
        "annotations": free(meta.annotations)}
    inner: dict[str, Any] = {
        "maturity": spec.maturity, "size": team.size, "description": text(spec.description),
        "systems": list(spec.systems), "practices": list(spec.practices),
        "members": members}
    # apiVersion is checked as written, whatever it is: held as the engine can hold it.
    out: dict[str, Any] = {"apiVersion": held(team.api_version), "kind": team.kind,
                           "id": text(team.id),
                           "metadata": metadata, "spec": inner}
    if type(raw) is dict:
        out.update(extensions(raw))
        metadata.update(extensions(raw.get("metadata")))
        inner.update(extensions(raw.get("spec")))
    return out


def person_views(teams: Iterable[Mapping[str, Any]],
                 people: Mapping[str, Person]) -> dict[str, dict[str, Any]]:
    """Every person of the org: People entries and team members, with their teams."""
    out: dict[str, dict[str, Any]] = {}
    for pid, person in people.items():
        out[pid] = {"id": pid, "name": text(person.name), "title": text(person.title),
                    "role": text(person.role), "level": person.level,
                    "email": text(person.email), "skills": texts(person.skills or []),
                    "teams": []}
    for team in teams:
        tid = team["id"]
        for member in team["spec"]["members"]:
            get = member.get
            role = get("role")
            mid = member["id"]
            entry = out.get(mid)
            if entry is None:  # a member's own values: nothing earlier to fill in
                entry = out[mid] = {"id": get("id"), "name": get("name"),
                                    "title": get("title"), "role": role,
                                    "level": get("level"), "email": get("email"),
                                    "skills": list(get("skills") or []), "teams": []}
            else:
                for name in ("name", "title", "level", "role"):
                    if entry[name] is None:
                        entry[name] = get(name)
            entry["teams"].append({"team": tid, "role": role,
                                   "allocation": get("allocation", 100),
                                   "owns": list(get("owns") or [])})
    return out


_PERSON_KEYS = ("id", "name", "title", "role", "level", "email", "skills", "teams")


def pruned_persons(teams: Iterable[Mapping[str, Any]], people: Mapping[str, Person],
                   keep: frozenset[str]) -> dict[str, dict[str, Any]]:
    """``person_views`` with every field no word of ``keep`` names set to null, as
    ``pruned`` makes it, built without those fields: a person rule that reads a person's
    teams need not convert (nor copy) their skills and names."""
    fields = [key for key in ("name", "title", "role", "level", "email") if key in keep]
    filled = [key for key in ("name", "title", "level", "role") if key in keep]
    with_id, skills, with_teams = "id" in keep, "skills" in keep, "teams" in keep
    team_key, role_key = "team" in keep, "role" in keep
    allocation_key, owns_key = "allocation" in keep, "owns" in keep
    blank: dict[str, Any] = dict.fromkeys(_PERSON_KEYS)
    out: dict[str, dict[str, Any]] = {}
    for pid, person in people.items():
        entry = out[pid] = blank.copy()
        if with_id:
            entry["id"] = pid
        for key in fields:
            entry[key] = text(getattr(person, key))
        if skills:
            entry["skills"] = texts(person.skills or [])
        if with_teams:
            entry["teams"] = []
    for team in teams:
        tid = team["id"] if team_key else None
        for member in team["spec"]["members"]:
            get = member.get
            mid = member["id"]
            found = out.get(mid)
            if found is None:
                entry = out[mid] = blank.copy()
                if with_id:
                    entry["id"] = get("id")
                for key in fields:
                    entry[key] = get(key)
                if skills:
                    entry["skills"] = list(get("skills") or [])
                if with_teams:
                    entry["teams"] = []
            else:
                entry = found
                for key in filled:
                    if entry[key] is None:
                        entry[key] = get(key)
            if with_teams:
                entry["teams"].append({
                    "team": tid, "role": get("role") if role_key else None,
                    "allocation": get("allocation", 100) if allocation_key else None,
                    "owns": list(get("owns") or []) if owns_key else None})
    return out


def org_view(teams: list[dict[str, Any]],
             persons: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    return {"teams": teams, "people": dict(persons)}


def matrix_view(matrix: Matrix) -> dict[str, Any]:
    spec = _plain(matrix.spec)
    return spec if isinstance(spec, dict) else {}


def _plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {key.replace("_", "-"): _plain(item) for key, item in value._asdict().items()
                if key != "path"}
    if isinstance(value, Mapping):
        return {text(str(key)): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, bool | float):
        return value
    # As in a document: a NUL written out, an int past 64 bits as its digits (the engine
    # would refuse the whole matrix, and every rule that reads it).
    return _scalar(value if isinstance(value, int | str) else str(value))


# -- what no rule can read is not converted -------------------------------------------

# A view compared whole, or read at a computed key, could show any of its fields.
_WHOLE = re.compile(r"==|!=|\bin\b|[\w)\]]\s*\[(?!\s*(?:\d+|'[^'\]]*'|\"[^\"\]]*\")\s*\])")
_FREE = frozenset({"labels", "annotations"})  # keys people chose: kept as they are


def readable(sources: Iterable[str]) -> frozenset[str] | None:
    """The words of ``sources``, among them every field name they can read; None when
    one of them may observe a view whole (``==``, ``!=``, ``in``, a computed index)."""
    words: set[str] = set()
    for source in sources:
        if _WHOLE.search(source) or "\\" in source or "//" in source:
            # An escape in a string (what it reads is not what is written), or a
            # comment (whose quotes would pair with a string's): read whole.
            return None
        words.update(re.findall(r"\w+", source))
        # A key with a hyphen or a dot, read by index (`t['x-tier.v2']`): the whole
        # word too (the words of a subtraction as well, which only keeps a field more).
        words.update(re.findall(r"\w[\w.-]*", source))
        # Any key read by index, whatever it holds (`t['a b']`, `t['x/y']`): every
        # string of the expression, as written.
        for single, double in re.findall(r"'([^']*)'|\"([^\"]*)\"", source):
            words.add(single or double)
    return frozenset(words)


def pruned(value: Any, words: frozenset[str]) -> Any:
    """``value`` with every field that no word names set to null.  The keys stay, so
    sizes and key iteration are unchanged; reading a field's value needs its name,
    ``==``/``in`` or a computed index, which ``readable`` refuses.  Built without
    recursion, as ``held``: an ``x-`` value may be 1,000 levels deep."""
    return _rebuilt(value, _pruned_shell,
                    lambda collection: _pruned_items(collection, words), _same)


def _same(value: Any) -> Any:
    return value


def _pruned_shell(value: list[Any] | dict[str, Any]) -> Any:
    return [] if isinstance(value, list) else dict.fromkeys(value)


def _pruned_items(value: list[Any] | dict[str, Any], words: frozenset[str]) -> Any:
    """The items of ``value`` that ``pruned`` copies: a list's all, a map's named ones
    (a free-form map's value as it is, never pruned)."""
    if isinstance(value, list):
        return enumerate(value)
    return ((key, _Kept(value[key]) if key in _FREE else value[key])
            for key in words.intersection(value))


def pruned_org(org: Mapping[str, Any], words: frozenset[str]) -> dict[str, Any]:
    """``org`` for ``pruned``: the keys of ``people`` are person ids, not field names (a
    half a projection left out stays out)."""
    out: dict[str, Any] = {}
    if "teams" in org:
        out["teams"] = pruned(org["teams"], words)
    if "people" in org:
        people = org["people"]
        out["people"] = ({pid: pruned(person, words) for pid, person in people.items()}
                         if type(people) is dict else pruned(people, words))
    return out


def _length_only(node: Any) -> bool:
    """A list of which only the length is read (``shape``: ``.size()`` and nothing
    else)."""
    return not node.whole and not node.keys and node.elem is None


def opaque(node: Any) -> bool:
    """A map read whole: sized, iterated or indexed by a number (see ``projector``)."""
    return bool(node.whole or node.size or node.iterated or node.elem is not None)


def shaped_persons(teams: Iterable[Mapping[str, Any]], people: Mapping[str, Person],
                   node: Any) -> dict[str, dict[str, Any]] | None:
    """Every person as ``projector(node)`` makes ``person_views`` (``node``: a
    ``shape.Node`` of one person), built without the rest, or None when ``node`` reads
    a person whole."""
    if opaque(node):
        return None
    keys = node.keys
    fields = [key for key in ("name", "title", "role", "level", "email") if key in keys]
    filled = [key for key in ("name", "title", "level", "role") if key in keys]
    with_id = "id" in keys
    skills = keys.get("skills")
    skills_length = skills is not None and _length_only(skills)
    memberships = keys.get("teams")
    # How each membership is kept: "none" (only their number is read), "whole", or
    # "some" (``entry_keys``, with ``owns`` as its length when only that is read).
    how = "none"
    entry_keys = ["team", "role", "allocation", "owns"]
    owns_length = False
    if memberships is not None and not _length_only(memberships):
        elem = memberships.elem
        if memberships.whole or memberships.keys or elem is None or opaque(elem):
            how = "whole"
        else:
            how = "some"
            entry_keys = [key for key in entry_keys if key in elem.keys]
            owns = elem.keys.get("owns")
            owns_length = owns is not None and _length_only(owns)
    if memberships is not None and how == "none" and not fields and not with_id \
            and skills is None:
        return _counted(teams, people)
    out: dict[str, dict[str, Any]] = {}
    for pid, person in people.items():
        entry = out[pid] = {key: text(getattr(person, key)) for key in fields}
        if with_id:
            entry["id"] = pid
        if skills is not None:
            values = texts(person.skills or [])
            entry["skills"] = [None] * len(values) if skills_length else values
        if memberships is not None:
            entry["teams"] = []
    for team in teams:
        tid = team["id"]
        for member in team["spec"]["members"]:
            get = member.get
            mid = member["id"]
            found = out.get(mid)
            if found is None:
                entry = out[mid] = {key: get(key) for key in fields}
                if with_id:
                    entry["id"] = get("id")
                if skills is not None:
                    values = list(get("skills") or [])
                    entry["skills"] = [None] * len(values) if skills_length else values
                if memberships is not None:
                    entry["teams"] = []
            else:
                entry = found
                for key in filled:
                    if entry[key] is None:
                        entry[key] = get(key)
            if memberships is None:
                continue
            if how == "none":
                entry["teams"].append(None)
                continue
            full = {"team": tid, "role": get("role"), "allocation": get("allocation", 100),
                    "owns": list(get("owns") or [])}
            if how == "some":
                full = {key: full[key] for key in entry_keys}
                if owns_length:
                    full["owns"] = [None] * len(full["owns"])
            entry["teams"].append(full)
    return out


def _counted(teams: Iterable[Mapping[str, Any]], people: Mapping[str, Person]
             ) -> dict[str, dict[str, Any]]:
    """``shaped_persons`` when only the number of a person's teams can be read ("nobody
    on more than three teams"): persons on as many teams share one value, which the
    org pass then evaluates once (``orgpass.person_verdicts``)."""
    # Iterated in C: an org's every membership (20,000 in the benchmark's).
    counts: dict[str, int] = Counter(map(itemgetter("id"), chain.from_iterable(
        team["spec"]["members"] for team in teams)))
    if people:  # the People entries come first, on no team unless a team names them
        counts = {**dict.fromkeys(people, 0), **counts}
    # One value per distinct count: their lengths sum to at most the memberships.
    shared = {count: {"teams": [None] * count} for count in set(counts.values())}
    return {pid: shared[count] for pid, count in counts.items()}
