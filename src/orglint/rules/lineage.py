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
under its sub-teams), nor a repeated id (ORG010) or a team on a parent cycle (ORG011).
What each team's members are and do is kept in its facts (``TeamFact.cover``, in the
matrix's short codes), so a run that names one file sees the whole org's lineage from
the cache.  Linear in the org and in the tokens the findings ask about (a bit each).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from orglint.facts import TeamFact
from orglint.findings import COVERED_BY, Finding
from orglint.matrix import AntiPattern, Matrix
from orglint.rules.base import TeamContext
from orglint.rules.coverage import RoleMixGap, UnownedSystemResponsibility

ROLE = "@"
PRACTICE = "+"


def cover_of(ctx: TeamContext) -> str:
    """``TeamFact.cover`` of the team checked in ``ctx``: its members' roles, and of the
    work they own and its practices only what a finding can ask about (``_askable``),
    each as its short code in the matrix's codebook (``_codebook``): every team's cover
    is kept in the cache and read back by each pre-commit run, 14 M instructions on
    2,000 teams as words.  A code repeated or out of order is the same cover, so
    nothing is sorted; a code holds no blank, whatever the document held."""
    code = ctx.matrix.prepared(_CODEBOOK, _codebook)
    roles = {ROLE + info.role for info in ctx.roles if info.role}
    owned = ctx.owned
    practices = ctx.team.spec.practices
    found = [code[t] for t in roles if t in code]
    found += [code[t] for t in owned if t in code]
    found += [code[PRACTICE + p] for p in practices if PRACTICE + p in code]
    return " ".join(found)


def encode_cover(matrix: Matrix, tokens: Iterable[str]) -> str:
    """A cover of ``tokens`` ("@role", work, "+practice"), as ``cover_of`` writes one."""
    code = matrix.prepared(_CODEBOOK, _codebook)
    return " ".join(code[t] for t in tokens if t in code)


_CODEBOOK = "lineage.codebook"


def _codebook(matrix: Matrix) -> dict[str, str]:
    """Each token a finding can ask about (a matrix role, an askable work or practice)
    -> a short code: its place in their sorted list, in base 36.  The cache is keyed by
    the matrix, so a cover is only ever read with the codebook it was written with."""
    tokens = sorted({ROLE + role for role in matrix.roles} | _askable(matrix))
    return {token: _base36(i) for i, token in enumerate(tokens)}


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


_ASKABLE = "lineage.askable"


def _askable(matrix: Matrix) -> frozenset[str]:
    """The work and practices a withdrawn finding can be asked about: what a system
    requires (ORG202) and what a missing-owner pattern names."""
    out: set[str] = set()
    for system in matrix.systems.values():
        out.update(system.requires)
    for pattern in matrix.spec.anti_patterns:
        if pattern.kind == "missing-owner":
            out.update(pattern.responsibilities)
            if pattern.practice:
                out.add(PRACTICE + pattern.practice)
    return frozenset(out)


# A question: the tokens that answer a finding, and whether all of them must be there
# (ORG206's roles) or any one (the rest).
Question = tuple[tuple[str, ...], bool]


class _Shared:
    """Patterns that share one code, each with its question (None: an owns or
    holds-both pattern, which nothing answers)."""

    __slots__ = ("patterns",)

    def __init__(self, patterns: tuple[tuple[AntiPattern, Question | None], ...]) -> None:
        self.patterns = patterns


# How to read a finding's question: the question itself, "need" (ORG202's detail),
# "mix" (ORG206's), or the patterns that share its code, told apart by the detail.
How = Question | str | _Shared


def _asks(matrix: Matrix) -> dict[str, How]:
    """Code → how its finding's question is read.  A custom matrix may give several
    patterns one code (one name): each finding is then matched to its pattern by what
    it names, and one that matches none or several is asked nothing."""
    out: dict[str, How] = {UnownedSystemResponsibility.code: "need", RoleMixGap.code: "mix"}
    by_code: dict[str, list[AntiPattern]] = {}
    for pattern in matrix.spec.anti_patterns:
        by_code.setdefault(pattern.code, []).append(pattern)
    for code, patterns in by_code.items():
        questions = tuple((p, _pattern_question(p)) for p in patterns)
        if len(questions) == 1:
            if questions[0][1] is not None:
                out[code] = questions[0][1]
        elif any(q is not None for _, q in questions):
            out[code] = _Shared(questions)
    return out


def _pattern_question(pattern: AntiPattern) -> Question | None:
    if pattern.kind == "missing-role" and pattern.roles:
        return (ROLE + pattern.roles[0],), False
    if pattern.kind == "missing-owner":
        practice = (PRACTICE + pattern.practice,) if pattern.practice else ()
        return (*pattern.responsibilities, *practice), False
    return None  # an owns or holds-both pattern: nothing a related team answers


def _names(pattern: AntiPattern, detail: str) -> bool:
    """Whether a finding of ``pattern`` has ``detail`` (``patterns.apply``'s)."""
    if pattern.kind == "missing-role":
        return detail in pattern.systems if pattern.at == "system" \
            else detail == pattern.roles[0]
    if pattern.kind == "missing-owner":
        return detail == ",".join(pattern.responsibilities)
    return False


def _question(finding: Finding, how: How) -> Question | None:
    if isinstance(how, _Shared):
        detail = finding.detail or ""
        found = {q for p, q in how.patterns if _names(p, detail)}
        return found.pop() if len(found) == 1 else None
    if isinstance(how, tuple):
        return how
    detail = (finding.detail or "").split(COVERED_BY, 1)[0]
    if how == "need":
        need = detail.partition(":")[2]
        return ((need,), False) if need else None
    roles = tuple(ROLE + role for role in detail.split(",") if role)
    return (roles, True) if roles else None


def answered(findings: Iterable[Finding], teams: Iterable[TeamFact], matrix: Matrix
             ) -> set[int]:
    """The ``id()`` of each of ``findings`` that its team's lineage answers: one pass
    for the whole run (the org's tree is built once, for the tokens asked about)."""
    asks = matrix.prepared(_ASKS, _asks)
    by_team: dict[str, list[tuple[Finding, How]]] = {}
    get = asks.get
    for finding in findings:
        how = get(finding.code)
        if how is not None and finding.entity is not None:
            by_team.setdefault(finding.entity, []).append((finding, how))
    if not by_team:
        return set()
    tree = _Tree(teams)
    bits: dict[str, int] = {}
    asked: list[tuple[Finding, str, int, bool]] = []  # finding, its team, mask, every
    for team_id, found in by_team.items():
        # Most teams have no team above or below them: nothing to ask of their findings.
        if not tree.related(team_id):
            continue
        for finding, how in found:
            question = _question(finding, how)
            if question is None:
                continue
            mask = 0
            for token in question[0]:
                bit = bits.get(token)
                if bit is None:
                    bit = bits[token] = 1 << len(bits)
                mask |= bit
            asked.append((finding, team_id, mask, question[1]))
    if not asked:
        return set()
    code = matrix.prepared(_CODEBOOK, _codebook)
    # A token no cover can hold (no code) is never answered: its bit is never set.
    tree.bits = {code[token]: bit for token, bit in bits.items() if token in code}
    gone: set[int] = set()
    lineages: dict[str, int] = {}
    for finding, team_id, mask, every in asked:
        have = lineages.get(team_id)
        if have is None:
            have = lineages[team_id] = tree.lineage(team_id)
        if (have & mask == mask) if every else (have & mask):
            gone.add(id(finding))
    return gone


_ASKS = "lineage.asks"


def roles_around(teams: list[TeamFact], matrix: Matrix) -> Callable[[str], frozenset[str]]:
    """For the reports' coverage table: a team id -> the roles its lineage holds.  The
    tree is built at the first question, so a run whose report shows no table pays
    nothing."""
    bits = {ROLE + role: 1 << k for k, role in enumerate(matrix.roles)}
    code = matrix.prepared(_CODEBOOK, _codebook)
    built: list[_Tree] = []

    def ask(team_id: str) -> frozenset[str]:
        if not built:
            tree = _Tree(teams)
            tree.bits = {code[token]: bit for token, bit in bits.items() if token in code}
            built.append(tree)
        tree = built[0]
        if not tree.related(team_id):
            return frozenset()
        have = tree.lineage(team_id)
        return frozenset(token[1:] for token, bit in bits.items() if have & bit)

    return ask


class _Tree:
    """The org's parent links and each team's own tokens as bits; what lies above and
    below each team, worked out once per node asked about (iteratively: a chain of
    20,000 groups is no recursion).  Built with one pass over the org; the rest only
    for the teams asked about and those around them (a pre-commit run asks of one)."""

    def __init__(self, teams: Iterable[TeamFact]) -> None:
        facts: dict[str, TeamFact] = {}
        repeated: set[str] = set()
        kids: dict[str, list[str]] = {}
        for team in teams:
            tid = team.id
            if tid in facts:
                repeated.add(tid)
            facts[tid] = team
            if team.parent is not None:
                kids.setdefault(team.parent, []).append(tid)
        self.facts = facts
        self.repeated = repeated
        self.kids = kids
        self.own: dict[str, int] = {}
        self._cycle: dict[str, bool] = {}
        self._up_links: dict[str, list[str]] = {}
        self._down_links: dict[str, list[str]] = {}
        self._up: _Reach | None = None
        self._down: _Reach | None = None
        self.bits: dict[str, int] = {}  # the codes asked about: set before any lineage

    def left_out(self, tid: str) -> bool:
        """A repeated id (ORG010) or one on a parent cycle (ORG011): no relation anyone
        can rely on, neither asked nor answering, and no walk goes through it."""
        return tid in self.repeated or tid not in self.facts or self._on_cycle(tid)

    def _on_cycle(self, start: str) -> bool:
        known = self._cycle
        found = known.get(start)
        if found is not None:
            return found
        facts, repeated = self.facts, self.repeated
        path: list[str] = []
        at: dict[str, int] = {}
        current: str | None = start
        while (current is not None and current in facts and current not in repeated
               and current not in known and current not in at):
            at[current] = len(path)
            path.append(current)
            current = facts[current].parent
        loop = set(path[at[current]:]) if current is not None and current in at else set()
        for node in path:  # linear overall: each id is walked once
            known[node] = node in loop
        return known.get(start, False)

    def parents(self, tid: str) -> list[str]:
        found = self._up_links.get(tid)
        if found is None:
            parent = self.facts[tid].parent if tid in self.facts else None
            found = [parent] if (parent is not None and parent != tid
                                 and not self.left_out(tid)
                                 and not self.left_out(parent)) else []
            self._up_links[tid] = found
        return found

    def children(self, tid: str) -> list[str]:
        found = self._down_links.get(tid)
        if found is None:
            found = [] if self.left_out(tid) else [
                kid for kid in self.kids.get(tid, ()) if kid != tid and not self.left_out(kid)]
            self._down_links[tid] = found
        return found

    def related(self, tid: str) -> bool:
        """Whether ``tid`` has a parent or a child at all (a team or a group)."""
        return bool(self.parents(tid) or self.children(tid))

    def is_team(self, tid: str) -> bool:
        fact = self.facts.get(tid)
        return fact is not None and fact.kind == "Team"

    def own_bits(self, tid: str) -> int:
        """The bits of the tokens ``tid``'s members hold, of those asked about."""
        found = self.own.get(tid)
        if found is None:
            bits = self.bits
            found = 0
            fact = self.facts.get(tid)
            if fact is not None and fact.cover:
                for token in fact.cover.split(" "):
                    found |= bits.get(token, 0)
            self.own[tid] = found
        return found

    def lineage(self, tid: str) -> int:
        if self._up is None or self._down is None:
            self._up = _Reach(self.parents, self.is_team, self.own_bits)
            self._down = _Reach(self.children, self.is_team, self.own_bits)
        return self._up.nearest(tid) | self._down.nearest(tid)


class _Reach:
    """The bits of the nearest teams from a node through ``links``: a team met ends the
    way (its own bits), a group is passed through.  Each group's answer is worked out
    once, after those of the groups it leads to (iteratively).  The links have no cycle:
    ``_Tree`` leaves out every id on a parent cycle, and each id keeps one parent."""

    def __init__(self, links: Callable[[str], list[str]], is_team: Callable[[str], bool],
                 own: Callable[[str], int]) -> None:
        self.links = links
        self.is_team = is_team
        self.own = own
        self.done: dict[str, int] = {}  # a group's answer

    def nearest(self, start: str) -> int:
        mask = 0
        for following in self.links(start):
            mask |= self.own(following) if self.is_team(following) \
                else self.group(following)
        return mask

    def group(self, node: str) -> int:
        links, is_team, done = self.links, self.is_team, self.done
        stack = [node]
        while stack:
            group = stack[-1]
            if group in done:
                stack.pop()
                continue
            waiting = [g for g in links(group) if not is_team(g) and g not in done]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            done[group] = self.nearest(group)
        return done[node]
