"""Backstage hierarchy and membership (ORG012, ORG013): what Backstage leaves unchecked.

They run only with ``backstage: true``, on the whole catalog at once (scope
``catalog``), and point at the ``spec.parent``, ``spec.children``, ``spec.members`` or
``spec.memberOf`` item that disagrees.
"""

from __future__ import annotations

from collections.abc import Iterator

from orglint.catalog import NOTE_PREFIX, Catalog, Entity
from orglint.findings import Finding, Location, Severity
from orglint.rules.base import Rule
from orglint.source import Path

Key = tuple[str, str, str]


def _finding(rule: type[Rule], entity: Entity, path: Path, message: str, detail: str,
             related: Entity | None = None, *, key: bool = False) -> Finding:
    span = entity.span(path, key=key)
    where: tuple[Location, ...] = ()
    if related is not None:
        other = related.span(("metadata", "name"))
        where = (Location(related.file, other.line, other.column),)
    return Finding(rule.code, rule.name, rule.severity, message, entity.file, span.line,
                   span.column, span.end_line, span.end_column, entity=entity.id,
                   detail=detail, related=where)


# "Did you mean" for this many annotations of a run: each compares the name with every
# group of the user (found by review: 40 users of 1,000 groups with 200 such annotations
# each took 14 s).
_MAX_HINTS = 200


def _notes_of_other_groups(org: Catalog, user: Entity, listing: list[Entity],
                           hints: list[int]) -> Iterator[Finding]:
    """A user's ``orglint.dev/owns.GROUP`` or ``allocation.GROUP`` that names no group the
    user is a member of: read for no team (``allocation.featurs`` leaves the team its
    default share, and nothing says so)."""
    from orglint.schema import Vocabulary, did_you_mean

    notes = [key for key in user.annotations()
             if key.startswith((NOTE_PREFIX + "owns.", NOTE_PREFIX + "allocation."))]
    if not notes:
        return
    groups = [org.get(user.ref(ref, "group")) for _, ref in user.strings("memberOf")]
    groups += listing
    names = {n for g in groups if g is not None and g.kind == "Group" for n in (g.name, g.id)}
    vocabulary = None  # the user's groups as a hint's choices, made once per user
    for key in notes:
        name = key[len(NOTE_PREFIX):].partition(".")[2]
        if name in names or not name:  # no name at all is ORG003's (``catalog``)
            continue
        hint = ""
        if hints[0] > 0:
            hints[0] -= 1
            if vocabulary is None:
                vocabulary = Vocabulary(sorted(names))
            hint = did_you_mean(name, vocabulary)
        yield _finding(InconsistentMembership, user, ("metadata", "annotations", key),
                       f"{user.id}'s {key} names '{name}', which is no group {user.id} is a"
                       f" member of{hint}: it is read for no team", key, key=True)


def _listed(entity: Entity, key: str, default_kind: str) -> set[Key]:
    return {entity.ref(ref, default_kind) for _, ref in entity.strings(key)}


class InconsistentHierarchy(Rule):
    """## What it does
    With `backstage: true`, reports a Backstage group whose `spec.children` names a
    group whose `spec.parent` names another group, a child that does not exist, or a
    group whose `spec.parent` names a group whose `spec.children` lists children but
    leaves it out.  It points at the `spec.children` or `spec.parent` item.  An empty
    `children` list (Backstage requires the key) says nothing and is not compared; a
    parent that does not exist is ORG011's.

    ## Why is this bad?
    Backstage records the hierarchy on both sides and does not check that they agree.
    Which parent a team has then depends on the side a tool reads: the org chart, the
    ownership roll-ups and orglint's own rules about parents disagree.

    ## Example
    ```yaml
    kind: Group
    metadata: {name: boxoffice}
    spec: {type: sub-department, children: [team-c, team-d]}
    ---
    kind: Group
    metadata: {name: team-e}
    spec: {type: team, parent: boxoffice, children: []}
    ```

    Use instead:
    ```yaml
    kind: Group
    metadata: {name: boxoffice}
    spec: {type: sub-department, children: [team-c, team-d, team-e]}
    ```
    """

    code = "ORG012"
    name = "inconsistent-hierarchy"
    severity = Severity.WARNING
    summary = "A Backstage group's parent and its parent's children disagree"
    scope = "catalog"

    def check_org(self, org: Catalog) -> Iterator[Finding]:
        children: dict[Key, set[Key]] = {}
        for group in org.of_kind("Group"):
            children[group.key] = _listed(group, "children", "group")
        for group in org.of_kind("Group"):
            for i, ref in group.strings("children"):
                child = org.get(group.ref(ref, "group"))
                if child is None or child.kind != "Group":
                    yield _finding(InconsistentHierarchy, group, ("spec", "children", i),
                                   f"{group.id} lists '{ref}' as a child, and the org has no"
                                   " such group", ref)
                    continue
                parent = child.spec("parent")
                if isinstance(parent, str) and parent and \
                        child.ref(parent, "group") != group.key:
                    yield _finding(InconsistentHierarchy, group, ("spec", "children", i),
                                   f"{group.id} lists {child.id} as a child, but"
                                   f" {child.id}'s spec.parent is '{parent}'", child.id,
                                   related=child)
            parent = group.spec("parent")
            if not isinstance(parent, str) or not parent:
                continue
            above = org.get(group.ref(parent, "group"))
            if above is None or above.kind != "Group":
                continue
            listed = children.get(above.key, set())
            if listed and group.key not in listed:
                yield _finding(InconsistentHierarchy, group, ("spec", "parent"),
                               f"{group.id}'s parent is {above.id}, but {above.id}'s"
                               " spec.children leaves it out", above.id, related=above)


class InconsistentMembership(Rule):
    """## What it does
    With `backstage: true`, reports a Backstage user whose `spec.memberOf` names a group
    whose `spec.members` lists members but leaves the user out, a group whose
    `spec.members` names a user whose `spec.memberOf` lists groups but leaves the group
    out, either naming an entity that does not exist, and a user's
    `orglint.dev/owns.GROUP` or `orglint.dev/allocation.GROUP` naming a group the user is
    not a member of.  It points at the `spec.memberOf` or `spec.members` item, or at the
    annotation.  An empty list says nothing and is not
    compared.

    ## Why is this bad?
    Backstage joins both lists without checking them.  A membership written on one side
    only, or to a group that was renamed, makes a person count on a team in one view and
    not in another, and orglint's team rules then see a different team than the org
    chart shows.

    ## Example
    ```yaml
    kind: Group
    metadata: {name: team-a}
    spec: {type: team, children: [], members: [jdoe]}
    ---
    kind: User
    metadata: {name: asmith}
    spec: {memberOf: [team-a]}
    ```

    Use instead:
    ```yaml
    kind: Group
    metadata: {name: team-a}
    spec: {type: team, children: [], members: [jdoe, asmith]}
    ```
    """

    code = "ORG013"
    name = "inconsistent-membership"
    severity = Severity.WARNING
    summary = "A Backstage user's memberOf and a group's members disagree"
    scope = "catalog"

    def check_org(self, org: Catalog) -> Iterator[Finding]:
        members = {g.key: _listed(g, "members", "user") for g in org.of_kind("Group")}
        groups_of = {u.key: _listed(u, "memberOf", "group") for u in org.of_kind("User")}
        for user in org.of_kind("User"):
            for i, ref in user.strings("memberOf"):
                group = org.get(user.ref(ref, "group"))
                path = ("spec", "memberOf", i)
                if group is None or group.kind != "Group":
                    yield _finding(InconsistentMembership, user, path,
                                   f"{user.id} is a member of '{ref}', and the org has no"
                                   " such group", ref)
                elif members[group.key] and user.key not in members[group.key]:
                    yield _finding(InconsistentMembership, user, path,
                                   f"{user.id} is a member of {group.id}, but {group.id}'s"
                                   " spec.members leaves them out", group.id, related=group)
        listing: dict[Key, list[Entity]] = {}  # user -> the groups whose members list them
        for group in org.of_kind("Group"):
            for key in members[group.key]:
                listing.setdefault(key, []).append(group)
        hints = [_MAX_HINTS]  # a spelling hint costs a pass over the user's groups
        for user in org.of_kind("User"):
            yield from _notes_of_other_groups(org, user, listing.get(user.key, []), hints)
        for group in org.of_kind("Group"):
            for i, ref in group.strings("members"):
                member = org.get(group.ref(ref, "user"))
                path = ("spec", "members", i)
                if member is None or member.kind != "User":
                    yield _finding(InconsistentMembership, group, path,
                                   f"{group.id} lists '{ref}' as a member, and the org has"
                                   " no such user", ref)
                elif groups_of[member.key] and group.key not in groups_of[member.key]:
                    yield _finding(InconsistentMembership, group, path,
                                   f"{group.id} lists {member.id} as a member, but"
                                   f" {member.id}'s spec.memberOf leaves it out", member.id,
                                   related=member)
