"""What a rule is, and what it is given to look at."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, Generic, TypeVar, overload

from orglint.findings import Finding, Fix, Location, Severity
from orglint.lazyre import deferred
from orglint.loader import Document
from orglint.matrix import AntiPattern, Matrix
from orglint.memo import remember
from orglint.model import Member, Person, Team
from orglint.ntuple import NamedTuple
from orglint.source import MovedSource, Path


class NoOptions(NamedTuple):
    """A rule without options: any configured value is an unknown key."""


class Rule:
    """A rule: metadata, options, and a generator of findings.

    ``scope`` says where findings come from: ``input`` (the loader and schema step),
    ``team`` (one team document at a time), ``org`` (every file of the org at once),
    ``catalog`` (the org's Backstage entities, with ``backstage: true``) or
    ``suppression`` (the suppression pass).  The docstring is the rule's documentation,
    in ruff's layout.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    scope: ClassVar[str] = "team"
    fixable: ClassVar[bool] = False
    Options: ClassVar[type[Any]] = NoOptions  # a NamedTuple; see orglint.options

    def __init__(self, options: Any = None) -> None:
        self._options = options

    @property
    def options(self) -> Any:
        """The configured options, else the defaults (built only when a rule asks)."""
        if self._options is None:
            self._options = self.Options()
        return self._options

    @classmethod
    def docs(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        return iter(())

    def check_org(self, org: Any) -> Iterator[Finding]:
        return iter(())


class _Census(NamedTuple):
    size: int  # people holding matrix roles
    held: list[bool]  # per member
    counts: dict[str, int]  # people per role
    # Member index -> the matrix roles its unclear title could mean (held: they count).
    unclear: dict[int, tuple[str, ...]]


class RoleInfo(NamedTuple):
    """A member's role as the rules see it, and where it came from."""

    role: str | None  # canonical id, or None when it cannot be told
    raw: str | None  # what was written in ``role`` (member or People file)
    source: str  # "role", "title", "people" or "none"
    title: str | None
    title_role: str | None  # the role the title maps to, if exactly one


def finding_in(doc: Document, file: str, rule: type[Rule] | AntiPattern, path: Path,
               message: str, *, entity: str | None, detail: str | None = None,
               key: bool = False, fix: Fix | None = None,
               related: tuple[Location, ...] = ()) -> Finding:
    """A finding at ``path`` of a document: the one place rules turn paths into spans."""
    line, column, end_line, end_column = doc.source.span(path, key=key)
    if fix is not None and type(doc.source) is MovedSource:
        # Items were left out of a list (``schema.recover``): the fix edits the item
        # where it is written, as the span points there.
        fix = fix._replace(path=doc.source.path(fix.path))
    if isinstance(rule, AntiPattern):
        text = rule.severity
        severity = _SEVERITIES.get(text) or Severity.parse(text)
        code, name = rule.code, rule.name
    else:
        code, name, severity = rule.code, rule.name, rule.severity
    # Finding's generated __new__ is a Python frame taking keywords: one per finding.
    finding: Finding = _tuple_new(Finding, (code, name, severity, message, file, line, column,
                                            end_line, end_column, entity, detail, related,
                                            fix))
    return finding


_tuple_new = tuple.__new__


# A matrix writes severities in lower case; Severity.parse (an Enum lookup) is the
# fallback for any other spelling.
_SEVERITIES = {severity.name.lower(): severity for severity in Severity}

_T = TypeVar("_T")


class lazy(Generic[_T]):
    """``functools.cached_property`` without its lock: Python 3.11 takes an RLock on each
    first access, and a team's context computes several values once per team (a context
    belongs to one thread)."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> lazy[_T]: ...

    @overload
    def __get__(self, obj: object, owner: type[Any] | None = None) -> _T: ...

    def __get__(self, obj: object | None, owner: type[Any] | None = None) -> lazy[_T] | _T:
        if obj is None:
            return self
        value = self.func(obj)
        obj.__dict__[self.name] = value  # later reads find it there, not here
        return value


_PLACEHOLDER = deferred(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill a matrix message template's ``{name}`` placeholders.

    Templates come from an organisation's matrix file, so they are text, not format
    strings: str.format would evaluate ``{member.attr}`` or ``{0}`` and fail inside a
    rule.  Anything but a known ``{name}`` stays as written.
    """
    def fill(match: re.Match[str]) -> str:
        name = match[1]
        return str(values[name]) if name in values else match[0]

    return _PLACEHOLDER.sub(fill, template)


class TeamContext:
    """One team document, with what its rules share: the matrix, the org's people, and
    each member's role, worked out once."""

    def __init__(self, team: Team, doc: Document, file: str, matrix: Matrix,
                 people: Mapping[str, Person] | None = None,
                 enabled: frozenset[str] | None = None, *, people_lost: bool = False,
                 both_sizes: Mapping[str, int] | None = None) -> None:
        self.team = team
        self.doc = doc
        self.file = file
        self.matrix = matrix
        self.people: Mapping[str, Person] = people if people is not None else {}
        # Read by nearly every rule, many times per team: a plain attribute.
        self.members: list[Member] = team.spec.members
        # Codes that run on this team (None: all); a rule may leave to another rule what
        # that rule says, but only when that rule is on.
        self.enabled = enabled
        # Part of a People file could not be read: a member in no entry of ``people``
        # may be described there, so nothing is said of what such a member lacks.
        self.people_lost = people_lost
        # Holds-both pattern code -> its configured team size (``patterns.both_sizes``).
        self.both_sizes: Mapping[str, int] = both_sizes or {}

    def runs(self, code: str) -> bool:
        return self.enabled is None or code in self.enabled

    def finding(self, rule: type[Rule] | AntiPattern, path: Path, message: str, *,
                entity: str | None = None, detail: str | None = None, key: bool = False,
                fix: Fix | None = None, related: tuple[Location, ...] = ()) -> Finding:
        return finding_in(self.doc, self.file, rule, path, message,
                          entity=entity or self.team.id, detail=detail, key=key, fix=fix,
                          related=related)

    @lazy
    def roles(self) -> list[RoleInfo]:
        # A member's RoleInfo depends on three strings only, and an org repeats a few
        # hundred combinations: each is worked out once (memo bounded like the matrix's).
        memo = self.matrix.prepared(_ROLE_MEMO, _new_memo)
        people = self.people
        out: list[RoleInfo] = []
        for member in self.members:
            raw, title, own = member.role, member.title, True
            if raw is None or title is None:
                person = people.get(member.id)
                if person is not None:
                    if raw is None:
                        raw, own = person.role, False
                    if title is None:
                        title = person.title
            key = (raw, title, own)
            info = memo.get(key)
            out.append(remember(memo, key, self._role_of(member)) if info is None else info)
        return out

    @lazy
    def owned(self) -> frozenset[str]:
        """Every responsibility some member owns."""
        return frozenset(r for m in self.members for r in m.owns)

    @lazy
    def size(self) -> int:
        """The team's size for every rule that uses one: the people holding matrix roles.

        Managers, product managers and members with no role to tell do not count, nor
        does ``spec.size`` (a plan, which ORG303 compares with this); a person listed
        twice counts once.  A member whose title could mean two matrix roles
        ("Software Engineer") holds one of them, whichever: they count.
        """
        return self._census.size

    @lazy
    def _census(self) -> _Census:
        """The size, who holds a matrix role and the count per role, in one pass over
        the members (each on its own cost a pass of its own per team)."""
        matrix = self.matrix
        matrix_roles = matrix.matrix_roles
        held: list[bool] = []
        counts: dict[str, int] = {}
        ids: set[str] = set()
        counted: set[str] = set()
        unclear: dict[int, tuple[str, ...]] = {}
        repeated = False
        for i, (m, info) in enumerate(zip(self.members, self.roles, strict=True)):
            role = info.role
            if role is not None or info.title is None:
                holds = role in matrix_roles
            else:
                read = matrix.resolve_title(info.title)
                holds = read.ambiguous and all(r in matrix_roles for r in read.candidates)
                if holds:
                    unclear[i] = read.candidates
            held.append(holds)
            pid = m.id
            if pid in ids:
                repeated = True
            else:
                ids.add(pid)
                if role is not None:
                    counts[role] = counts.get(role, 0) + 1
            if holds:
                counted.add(pid)
        if repeated:  # rare: each person in their first entry's matrix role, else first
            first: dict[str, str | None] = {}
            for m, info, holds in zip(self.members, self.roles, held, strict=True):
                if m.id not in first or (holds and first[m.id] not in matrix_roles):
                    first[m.id] = info.role
            counts = {}
            for role in first.values():
                if role is not None:
                    counts[role] = counts.get(role, 0) + 1
        return _Census(len(counted), held, counts, unclear)

    @property
    def role_counts(self) -> dict[str, int]:
        """Members per role, each person once, as the size counts them: in the role of
        their first entry that holds a matrix role, else of their first entry."""
        return self._census.counts

    @property
    def in_matrix_roles(self) -> list[bool]:
        """Per member, whether they hold a matrix role (see ``size``)."""
        return self._census.held

    @lazy
    def seat_candidates(self) -> list[tuple[Member, tuple[str, ...]]]:
        """Each person whose title could mean several matrix roles (counted in the size,
        see ``in_matrix_roles``), with those roles; a person listed twice once."""
        unclear = self._census.unclear
        if not unclear:
            return []  # the usual team: every role told
        # A person whose entries tell a matrix role is seated in it (``role_counts``),
        # whatever another entry's title says; the others, by their first unclear entry.
        matrix_roles = self.matrix.matrix_roles
        told = {m.id for m, info in zip(self.members, self.roles, strict=True)
                if info.role in matrix_roles}
        out: list[tuple[Member, tuple[str, ...]]] = []
        seen: set[str] = set()
        for i, roles in unclear.items():
            m = self.members[i]
            if m.id not in seen and m.id not in told:
                seen.add(m.id)
                out.append((m, roles))
        return out

    def _role_of(self, member: Member) -> RoleInfo:
        person = self.people.get(member.id)
        raw = member.role if member.role is not None else (person.role if person else None)
        title = member.title if member.title is not None else (person.title if person else None)
        title_role = self.matrix.role_for_title(title) if title else None
        if raw is not None:
            source = "role" if member.role is not None else "people"
            if raw in self.matrix.roles:
                return RoleInfo(raw, raw, source, title, title_role)
            # A title alias given as the role ('SRE') is that role; anything else is an
            # invalid role (ORG004), read as none: the title tells it, as when it is absent.
            alias = self.matrix.role_for_title(raw)
            return RoleInfo(alias if alias is not None else title_role, raw, source, title,
                            title_role)
        if title_role is not None:
            return RoleInfo(title_role, None, "title", title, title_role)
        return RoleInfo(None, None, "none", title, None)

    def role_path(self, index: int) -> Path:
        """Where a finding about a member's role points: ``role``, else ``title``, else id."""
        member = self.members[index]
        if member.role is not None:
            return member.at("role")
        if member.title is not None:
            return member.at("title")
        return member.at("id")

    @lazy
    def owns_pattern_hits(self) -> set[tuple[int, int]]:
        """(member, owns item) pairs that a specific ``owns`` anti-pattern matches."""
        return {(i, j) for hits in self.owns_hits.values() for i, j, _ in hits}

    @lazy
    def owns_hits(self) -> dict[AntiPattern, list[tuple[int, int, str]]]:
        """What each ``owns`` anti-pattern matches: (member, item, responsibility), in
        the order of the members and their items.  One pass serves every pattern rule."""
        index = self.matrix.prepared(_OWNS_INDEX, _OwnsIndex)
        found: dict[AntiPattern, list[tuple[int, int, str]]] = {}
        for i, (member, info) in enumerate(zip(self.members, self.roles, strict=True)):
            role = info.role
            if role not in index.roles or index.items.isdisjoint(member.owns):
                continue  # most members: no pattern names their role and their work
            for j, responsibility in enumerate(member.owns):
                for pattern in index.matching(role, responsibility):
                    found.setdefault(pattern, []).append((i, j, responsibility))
        return found


_OWNS_INDEX = "base.owns"


class _OwnsIndex:
    """The matrix's ``owns`` patterns, and which of them each (role, item) pair matches.

    Pairs are looked up as members use them, not multiplied out: a pattern may name
    thousands of roles and items, and their product would be quadratic in the matrix.
    A pattern written twice, equal field for field, is one entry (it matches the same
    pairs, and each copy reports them)."""

    def __init__(self, matrix: Matrix) -> None:
        self._patterns: list[tuple[AntiPattern, frozenset[str], frozenset[str]]] = []
        seen: set[AntiPattern] = set()
        for pattern in matrix.spec.anti_patterns:
            if pattern.kind == "owns" and pattern not in seen:
                seen.add(pattern)
                self._patterns.append((pattern, frozenset(pattern.roles),
                                       matrix.pattern_responsibilities(pattern)))
        self.roles = frozenset(r for _, roles, _ in self._patterns for r in roles)
        self.items = frozenset(i for _, _, items in self._patterns for i in items)
        self._memo: dict[tuple[str, str], tuple[AntiPattern, ...]] = {}

    def matching(self, role: str, item: str) -> tuple[AntiPattern, ...]:
        key = (role, item)
        found = self._memo.get(key)
        return remember(self._memo, key, tuple(
            p for p, roles, items in self._patterns if role in roles and item in items)) \
            if found is None else found


_ROLE_MEMO = "base.roles"


def _new_memo(matrix: Matrix) -> dict[tuple[str | None, str | None, bool], RoleInfo]:
    return {}


def owns_matches(pattern: AntiPattern, ctx: TeamContext) -> Iterator[tuple[int, int, str]]:
    return iter(ctx.owns_hits.get(pattern, ()))


def is_senior(level: str | None) -> bool | None:
    from orglint.model import LEVEL_RANK

    if level is None:
        return None
    return LEVEL_RANK[level] >= LEVEL_RANK["senior"]
