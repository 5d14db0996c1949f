"""Each team as the org pass reads it (``FileResult.views``), built per file.

Person and org rules read the teams only through the org pass (``orgpass``): the
persons it builds with ``views.shaped_persons`` and the org converted with
``shape.projector``.  ``team_needs`` works out, once per run and from every org-scope
rule of the policy set, what of a team those can read, so each file's check builds
only that (``teamview``), and a pool's worker sends back only that.  Anything this does
not follow (a team or member rule naming ``org``, a person rule reading ``org``, a rule
reading ``org.people``, a shape refused or read whole) keeps the whole view.
"""

from __future__ import annotations

from typing import Any

from orglint.policy.orgpass import _names, _person_shape
from orglint.policy.policyset import PolicySet
from orglint.policy.shape import Node, shape
from orglint.policy.teamview import Builder, team_builder
from orglint.policy.views import opaque
from orglint.rules.base import TeamContext


def merge(into: Node, other: Node) -> None:
    """``into`` observes what ``other`` observes too."""
    into.whole |= other.whole
    into.size |= other.size
    into.iterated |= other.iterated
    for key, child in other.keys.items():
        merge(into.keys.setdefault(key, Node()), child)
    if other.elem is not None:
        if into.elem is None:
            into.elem = Node()
        merge(into.elem, other.elem)


def _whole() -> Node:
    node = Node()
    node.whole = True
    return node


def team_needs(policies: PolicySet) -> Node | None:
    """What the org pass can read of one team's view; None, all of it."""
    rules = [r for r in policies.rules if r.scope == "org"]
    if any(r.spec.target in ("team", "member") for r in rules):
        return None  # they read the org's teams at their own index (``orgteams``)
    if any(_names(r, "people") for r in rules):
        return None  # the org's persons, built from the whole views
    persons = [r for r in rules if r.spec.target == "person"]
    if any(_names(r, "org") for r in persons):
        return None
    team = Node()
    if persons:
        team.keys["id"] = _whole()  # every person's memberships, by team and member id
        member = Node()
        member.keys["id"] = _whole()
        team.keys["spec"] = Node()
        team.keys["spec"].keys["members"] = Node()
        team.keys["spec"].keys["members"].elem = member
        person = _person_shape(persons)
        if person is None or opaque(person):
            return None  # ``shaped_persons`` declines: persons from the whole views
        for key in ("name", "title", "role", "level", "email", "skills"):
            if key in person.keys:
                member.keys[key] = _whole()
        memberships = person.keys.get("teams")
        if memberships is not None and (memberships.whole or memberships.keys
                                        or memberships.elem is not None):
            for key in ("role", "allocation", "owns"):
                member.keys[key] = _whole()
    orgs = [r for r in rules if r.spec.target == "org"]
    if any(_names(r, "teams") for r in orgs):
        observed = shape([p.source for c in orgs for p in (c.match, c.expression, c.message)
                          if p is not None], ("org",))
        if observed is None or opaque(observed["org"]):
            return None
        teams = observed["org"].keys.get("teams")
        if teams is not None and (teams.whole or teams.keys or teams.elem is not None):
            elem = teams.elem
            if teams.whole or teams.keys or elem is None or opaque(elem):
                return None
            merge(team, elem)
    return team


class OrgViews:
    """What the org pass reads of each team, and the views built with only that: a
    ``Job`` carries it to the workers (a spawned one gets the ``Node`` tree by pickle,
    as the rest of the job, and makes its builder again)."""

    def __init__(self, needs: Node | None) -> None:
        self.needs = needs
        self._build: Builder | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"needs": self.needs}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.needs, self._build = state["needs"], None

    def view(self, ctx: TeamContext) -> dict[str, Any]:
        """The team of ``ctx`` as the org pass reads it."""
        if self._build is None:
            self._build = team_builder(self.needs)
        return self._build((ctx.team, [info.role for info in ctx.roles], ctx.people,
                            ctx.doc.data))


def org_views(policies: PolicySet) -> OrgViews:
    return OrgViews(team_needs(policies))
