"""Work a related team does: a coverage finding that the team's parent teams or its
sub-teams answer is withdrawn.

The article separates platform capability providers from platform users (hub and
spoke): a platform team runs the GPU cluster and the serving runtime that its users'
teams deploy onto, and those teams do the model work the platform team does not.  Judged
alone, each is told what the other does: the platform team that nobody owns
model-rollback, the user's team that it has no platform engineer.  So a team's
*lineage*, the nearest team above it through ``metadata.parent`` and the nearest teams
below it (groups passed through, a team ending the way), is asked before such a finding
is reported:

* ORG202 (a system's responsibility nobody owns): a member of the lineage owns it;
* a matrix ``missing-role`` pattern (ORG201, ORG205): a member of the lineage has the
  role;
* a matrix ``missing-owner`` pattern (ORG203, ORG204): a member of the lineage owns one
  of its responsibilities, or a team of the lineage lists its practice;
* ORG206 (the recommended mix): every role it asks for is in the lineage.

Groups pass the hierarchy on and have no members of their own; siblings are not
related, nor is a team two teams away (a division's head team does not staff every team
under its sub-teams).  Each team's members are kept in its facts (``TeamFact.cover``), so a run that
names one file sees the whole org's lineage from the cache.  Linear in the org and in
the tokens the findings ask about (a bit each).
"""

from __future__ import annotations

from collections.abc import Iterable

from orglint.facts import TeamFact
from orglint.findings import COVERED_BY, Finding
from orglint.matrix import Matrix
from orglint.rules.base import TeamContext
from orglint.rules.coverage import RoleMixGap, UnownedSystemResponsibility

ROLE = "@"
PRACTICE = "+"


def cover_of(ctx: TeamContext) -> str:
    """``TeamFact.cover`` of the team checked in ``ctx``."""
    tokens = {ROLE + info.role for info in ctx.roles if info.role is not None}
    tokens.update(ctx.owned)
    tokens.update(PRACTICE + practice for practice in ctx.team.spec.practices)
    # A token is one word of the string: a responsibility written with a blank in it
    # (a schema error already) answers nothing.
    return " ".join(sorted(t for t in tokens if " " not in t))


class _Ask:
    """What answers one finding: any of ``tokens`` (``every``: all of them)."""

    __slots__ = ("every", "tokens")

    def __init__(self, tokens: tuple[str, ...], every: bool = False) -> None:
        self.tokens = tokens
        self.every = every


def _asks(matrix: Matrix) -> dict[str, tuple[str, object]]:
    """Code → how its finding's question is read: ("need", None) for ORG202, ("mix",
    None) for ORG206, ("tokens", _Ask) for a matrix pattern."""
    out: dict[str, tuple[str, object]] = {
        UnownedSystemResponsibility.code: ("need", None), RoleMixGap.code: ("mix", None)}
    for pattern in matrix.spec.anti_patterns:
        if pattern.kind == "missing-role" and pattern.roles:
            out[pattern.code] = ("tokens", _Ask((ROLE + pattern.roles[0],)))
        elif pattern.kind == "missing-owner":
            practice = (PRACTICE + pattern.practice,) if pattern.practice else ()
            out[pattern.code] = ("tokens", _Ask((*pattern.responsibilities, *practice)))
    return out


def _question(finding: Finding, how: tuple[str, object]) -> _Ask | None:
    kind, ask = how
    if kind == "tokens":
        assert isinstance(ask, _Ask)
        return ask
    detail = (finding.detail or "").split(COVERED_BY)[0]
    if kind == "need":
        need = detail.partition(":")[2]
        return _Ask((need,)) if need else None
    roles = tuple(ROLE + role for role in detail.split(",") if role)
    return _Ask(roles, every=True) if roles else None


def answered(findings: Iterable[Finding], teams: Iterable[TeamFact], matrix: Matrix
             ) -> set[int]:
    """The ``id()`` of each of ``findings`` that its team's lineage answers: one pass
    for the whole run (the org's tree is built once, for the tokens asked about)."""
    asks = _asks(matrix)
    questions: list[tuple[Finding, _Ask]] = []
    for finding in findings:
        how = asks.get(finding.code)
        if how is None or finding.entity is None:
            continue
        ask = _question(finding, how)
        if ask is not None:
            questions.append((finding, ask))
    if not questions:
        return set()
    bits: dict[str, int] = {}
    for _, ask in questions:
        for token in ask.tokens:
            bits.setdefault(token, 1 << len(bits))
    tree = _Tree(teams, bits)
    gone: set[int] = set()
    for finding, ask in questions:
        assert finding.entity is not None
        have = tree.lineage(finding.entity)
        if not have:
            continue
        wanted = [bits[t] for t in ask.tokens]
        if all(have & b for b in wanted) if ask.every else any(have & b for b in wanted):
            gone.add(id(finding))
    return gone


class _Tree:
    """The org's parent links and each team's own tokens as bits; what lies above and
    below each team, worked out once per node asked about (iteratively: a chain of
    20,000 groups is no recursion)."""

    def __init__(self, teams: Iterable[TeamFact], bits: dict[str, int]) -> None:
        self.own: dict[str, int] = {}
        self.teams: set[str] = set()
        self.parents: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        for team in teams:
            tid, parent, cover = team.id, team.parent, team.cover
            mask = 0
            if cover:
                for token in cover.split(" "):
                    mask |= bits.get(token, 0)
            self.own[tid] = self.own.get(tid, 0) | mask
            if team.kind == "Team":
                self.teams.add(tid)
            if parent is not None and parent != tid:
                self.parents.setdefault(tid, []).append(parent)
                self.children.setdefault(parent, []).append(tid)
        self._above: dict[str, int] = {}
        self._below: dict[str, int] = {}

    def lineage(self, tid: str) -> int:
        return (self._closure(tid, self.parents, self._above)
                | self._closure(tid, self.children, self._below))

    def _closure(self, start: str, links: dict[str, list[str]], memo: dict[str, int]) -> int:
        """The bits of the nearest teams from ``start`` through ``links``: a team met
        ends the way (its own bits), a group is passed through.  A node met again on
        the walk (a cycle, ORG011) adds nothing."""
        if start in memo:
            return memo[start]
        own, teams = self.own, self.teams
        open_: set[str] = {start}
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            node, at = stack[-1]
            nexts = links.get(node, ())
            if at < len(nexts):
                stack[-1] = (node, at + 1)
                following = nexts[at]
                if (following not in teams and following not in memo
                        and following not in open_):
                    open_.add(following)
                    stack.append((following, 0))
                continue
            stack.pop()
            mask = 0
            for following in nexts:
                mask |= own.get(following, 0) if following in teams \
                    else memo.get(following, 0)
            memo[node] = mask
            open_.discard(node)
        return memo[start]
