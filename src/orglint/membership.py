"""Who is on which Backstage team, and with what: the annotations read as an org.

Shared by checking in place (``orglint.backstage``) and by ``orglint import backstage``,
so both read membership, parents, ``owns`` and allocations the same way (spec §8.1).
"""

from __future__ import annotations

from orglint.catalog import NOTE_PREFIX, Catalog, Entity
from orglint.schema import percent_of
from orglint.source import Path

PREFIX = NOTE_PREFIX


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def number(value: str) -> int | str:
    """An annotation is a string; a number in it is read as one, anything else is left
    as written so the Team schema reports it where it was written."""
    text = value.strip()
    # ASCII digits only: str.isdigit takes '²' and '¹', which int() refuses.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else text


def note(name: str) -> Path:
    return ("metadata", "annotations", PREFIX + name)


class Org:
    """The catalog read as an org: teams, structure, membership, per-user allocation."""

    def __init__(self, catalog: Catalog, *, every_team: bool = False) -> None:
        """``every_team``: every group with members is a team (``orglint import`` writes
        each as one), not only those annotated with a maturity (read in place)."""
        self.catalog = catalog
        groups = list(catalog.of_kind("Group"))
        self.members: dict[tuple[str, str, str], list[Entity]] = {g.key: [] for g in groups}
        seen: set[tuple[tuple[str, str, str], tuple[str, str, str]]] = set()

        def join(group: Entity, user: Entity) -> None:
            if (group.key, user.key) not in seen:
                seen.add((group.key, user.key))
                self.members[group.key].append(user)

        for group in groups:
            for _, ref in group.strings("members"):
                user = catalog.get(group.ref(ref, "user"))
                if user is not None and user.kind == "User":
                    join(group, user)
        for user in catalog.of_kind("User"):
            for _, ref in user.strings("memberOf"):
                target = catalog.get(user.ref(ref, "group"))
                if target is not None and target.kind == "Group":
                    join(target, user)
        self.teams = [g for g in groups if (self.members[g.key] if every_team else
                                            (PREFIX + "maturity") in g.annotations())]
        self.teams_of: dict[tuple[str, str, str], list[Entity]] = {}  # by user
        for group in self.teams:
            for user in self.members[group.key]:
                self.teams_of.setdefault(user.key, []).append(group)
        self._shares: dict[tuple[str, str, str], int] = {}
        # A child's parent is its spec.parent, else the group that lists it as a child.
        self.parent: dict[tuple[str, str, str], tuple[Entity, Path] | None] = {}
        for group in groups:
            for i, ref in group.strings("children"):
                child = catalog.get(group.ref(ref, "group"))
                if child is not None:
                    self.parent.setdefault(child.key, (group, ("spec", "children", i)))

    def parent_of(self, group: Entity) -> tuple[str | None, Entity, Path]:
        """The parent's id, and where it is written."""
        ref = group.spec("parent")
        if isinstance(ref, str) and ref:
            target = self.catalog.get(group.ref(ref, "group"))
            return (target.id if target is not None else group.ref(ref, "group")[2],
                    group, ("spec", "parent"))
        listed = self.parent.get(group.key)
        if listed is not None:
            owner, path = listed
            return owner.id, owner, path
        return None, group, ("spec", "parent")

    def allocation(self, user: Entity, group: Entity) -> tuple[int | str, Path | None]:
        given = self._given(user, group)
        if given is not None:
            return given
        return self._share(user), None

    def _given(self, user: Entity, group: Entity) -> tuple[int | str, Path] | None:
        notes = user.annotations()
        for name in (group.name, group.id):
            key = f"{PREFIX}allocation.{name}"
            if key in notes:
                return number(notes[key]), ("metadata", "annotations", key)
        return None

    def _share(self, user: Entity) -> int:
        """A team's share of a user who gives it none: what the allocations the user
        does give leave of 100 %, split evenly over the other teams (50 % on one of
        three teams leaves 25 % to each of the others, not a third: 116 % in all)."""
        share = self._shares.get(user.key)
        if share is None:
            given, rest = 0, 0
            for team in self.teams_of.get(user.key, ()):
                value = self._given(user, team)
                if value is None:
                    rest += 1
                elif isinstance(value[0], int):
                    given += value[0]
                else:
                    # A text the schema step reports but counts as the number it says
                    # ("40.0", "50%": ``schema.percent_of``) is given, not left out.
                    given += percent_of(value[0]) or 0
            share = self._shares[user.key] = max((100 - given) // max(rest, 1), 1)
        return share

    def owns(self, user: Entity, group: Entity) -> tuple[list[str], Path | None]:
        notes = user.annotations()
        for key in (f"{PREFIX}owns.{group.name}", f"{PREFIX}owns.{group.id}", PREFIX + "owns"):
            if key in notes:
                return split(notes[key]), ("metadata", "annotations", key)
        return [], None
