"""Whole-org rules (ORG008–ORG011, ORG301): they see every file of the org at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from itertools import compress
from operator import itemgetter
from typing import TYPE_CHECKING

from orglint.facts import FileFacts, PersonFact, Place, TeamFact
from orglint.findings import Finding, Location, Severity
from orglint.rules.base import Rule
from orglint.titles import same_words

if TYPE_CHECKING:
    from orglint.matrix import Matrix
    from orglint.schema import Vocabulary


def unnamed(team: TeamFact) -> bool:
    """A team the schema step named by its file and document (``schema.recovered``): it
    shares its id with no other team and is no one's parent, whatever they write."""
    from orglint.schema import unnamed_team

    return team.id == unnamed_team(team.place.file, team.place.doc)


class OrgContext:
    def __init__(self, files: dict[str, FileFacts], named: set[str] | None = None,
                 lost: list[str] | None = None, people_lost: bool = False,
                 matrix: Matrix | None = None) -> None:
        self.files = files
        self.matrix = matrix  # the run's, for its title synonyms (ORG009)
        self.named = named if named is not None else set()
        # A People file lost a document: "in no People file" may be wrong (ORG008).
        self.people_lost = people_lost
        # Files a YAML error kept orglint from reading in full: what they hold past it
        # (a group, a team) is not in ``files``.
        self.lost = lost or []
        self._persons: list[PersonFact] | None = None
        self._named: list[PersonFact] | None = None
        self._teams: list[TeamFact] | None = None

    @property
    def teams(self) -> list[TeamFact]:
        # Listed once: two rules and ``unresolved`` ask, and an org has thousands.
        if self._teams is None:
            self._teams = [t for facts in self.files.values() for t in facts.teams]
        return self._teams

    @property
    def persons(self) -> list[PersonFact]:
        # Made once: several rules read every record of the org (not to be changed).
        if self._persons is None:
            self._persons = [p for facts in self.files.values() for p in facts.persons]
        return self._persons

    def persons_named(self) -> list[PersonFact]:
        """The records of every person who appears in a file being reported.

        A rule that reports at each record of a person finds nothing to report about
        anyone else: in a pre-commit run (one file of thousands named) that is a few
        records, not the whole org.  (Made once, for ORG009 and ORG301; not to be
        changed.)
        """
        if self._named is None:
            named = [self.files[name] for name in self.named if name in self.files]
            if not self.named or 2 * len(named) > len(self.files):
                self._named = self.persons  # nearly everyone: filtering costs more
            else:
                ids = {p.id for facts in named for p in facts.persons}
                self._named = [p for facts in self.files.values() for p in facts.persons
                               if p.id in ids]
        return self._named

    @property
    def has_people(self) -> bool:
        return any(facts.has_people for facts in self.files.values())

    def unresolved(self) -> int:
        """References from the named files to persons or parent teams the org lacks.

        Counted whether or not a People file exists (ORG008 is silent without one): a
        run that saw only some files cannot tell a typo from a file it was not given.
        """
        people = {p.id for p in self.persons if p.team is None}
        teams = {t.id for t in self.teams}
        persons = sum(1 for p in self.persons
                      if p.team is not None and not p.has_name and p.id not in people
                      and p.file in self.named)
        parents = sum(1 for t in self.teams
                      if t.parent is not None and t.parent not in teams
                      and t.place.file in self.named)
        return persons + parents


def org_finding(rule: type[Rule], place: Place, message: str, *, entity: str | None,
                detail: str | None = None, severity: Severity | None = None,
                related: tuple[Location, ...] = ()) -> Finding:
    span = place.span
    return Finding(rule.code, rule.name, severity or rule.severity, message, place.file,
                   span.line, span.column, span.end_line, span.end_column, entity=entity,
                   detail=detail, related=related)


def where_is(place: Place, here: Place) -> str:
    return f"line {place.span.line}" if place.file == here.file else str(place)


MAX_NAMED = 5  # places named in one message; an org of thousands must not make O(n²) text
MAX_HINTS = 200  # "did you mean" searches per rule and run; each scans the whole org


def others_text(shown: list[str], total: int) -> str:
    text = ", ".join(shown)
    return text + (f" and {total - len(shown)} more" if total > len(shown) else "")


class _Hints:
    """Memoised, bounded "did you mean" over a large vocabulary."""

    def __init__(self, choices: set[str]) -> None:
        self.choices = choices
        # Prepared at the first hint asked for: sorting every id of the org three ways
        # cost each pre-commit run on 2,000 teams 5 M instructions, for no hint at all.
        self.vocabulary: Vocabulary | None = None
        self.known: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        if word not in self.known:
            if self.vocabulary is None:
                from orglint.schema import Vocabulary

                self.vocabulary = Vocabulary(self.choices)
            best = self.vocabulary.best(word) if len(self.known) < MAX_HINTS else None
            self.known[word] = f" (did you mean '{best}'?)" if best else ""
        return self.known[word]


class UnknownPerson(Rule):
    """## What it does
    When the org has People files, reports a member who has no person details anywhere:
    no `name` inline on any team of the org, and an id in no People file.

    ## Why is this bad?
    A member id that matches nobody is usually a typo or a person who has left; their
    level, title and default role are unknown, so several rules cannot check them.

    ## Example
    ```yaml
    # people.yaml lists alice and bo
    members:
      - {id: alcie, role: ml-engineer}
    ```

    Use instead:
    ```yaml
    members:
      - {id: alice, role: ml-engineer}
    ```
    """

    code = "ORG008"
    name = "unknown-person"
    severity = Severity.ERROR
    summary = "A member has no person details anywhere"
    scope = "org"

    def check_org(self, org: OrgContext) -> Iterator[Finding]:
        if not org.has_people or org.people_lost:
            return
        registry = {p.id for p in org.persons if p.team is None}
        hint = _Hints(registry)
        unknown = [p for p in org.persons if p.team is not None and not p.has_name
                   and p.id not in registry and p.file in org.named]
        if not unknown:
            return  # most orgs: nobody to look up on the other teams
        # Named on another team (spec: "no person details anywhere"): someone the org
        # knows, whose details live in a team file rather than a People file.
        named = {p.id for p in org.persons if p.has_name}
        for person in unknown:
            if person.id in named:
                continue
            yield org_finding(
                UnknownPerson, person.place,
                f"{person.id} is in no People file and has no 'name' on any team"
                f"{hint(person.id)}",
                entity=person.id, detail=person.team)


class ConflictingPerson(Rule):
    """## What it does
    Reports a person whose `name`, `title` or `level` differs between two places: a
    People file and a team's member entry, or two teams.  Points at the field in each
    record that differs, the reference (the People entry, else the first team in path
    order) included, and names the other places.  Which record the other rules read is
    the member's own value, else the first People entry in path order, else a Backstage
    user's (README, "The file format").  Values that say the same words are
    the same: case, spacing, punctuation, "Sr." for "Senior", and in a title the long
    and short forms the matrix reads as one ("Machine Learning" is "ML").

    ## Why is this bad?
    Two records of one person that disagree mean one of them is stale, and rules that
    read the title or level give different answers depending on which file they see.

    ## Example
    ```yaml
    # people.yaml
    - {id: alice, level: senior}
    # teams/recsys.yaml
    - {id: alice, level: mid}
    ```

    Use instead:
    ```yaml
    # teams/recsys.yaml: keep the details in the People file only
    - {id: alice}
    ```
    """

    code = "ORG009"
    name = "conflicting-person"
    severity = Severity.WARNING
    summary = "The same person has different details in two places"
    scope = "org"

    def check_org(self, org: OrgContext) -> Iterator[Finding]:
        return _conflicts(repeated(org.persons_named()),
                          org.matrix.synonymous if org.matrix is not None else None)


def _conflicts(by_id: dict[str, list[PersonFact]],
               synonyms: Callable[[tuple[str, ...]], list[str]] | None = None
               ) -> Iterator[Finding]:
    """ORG009 for each person of ``by_id`` (their records, two or more); ``synonyms``,
    the matrix's for titles ("Machine Learning" is "ML")."""
    for pid, records in by_id.items():
        # The People entry, where there is one, is the reference record.
        records.sort(key=lambda r: (r.team is not None, r.file, r.at))
        for name in ("name", "title", "level"):
            values = [(f, r) for r in records for f in r.fields if f.name == name]
            if len({f.value for f, _ in values}) < 2:
                continue
            ref_field, _ = values[0]
            alike = synonyms if name == "title" else None
            ref = same_words(ref_field.value, alike)
            differing = [fact for fact, _ in values[1:]
                         if same_words(fact.value, alike) != ref]
            if not differing:
                continue  # written differently, said the same: "Sr. X" is "Senior X"
            for fact in differing:
                yield org_finding(
                    ConflictingPerson, fact.place,
                    f"{pid}'s {name} is '{fact.value}' here but '{ref_field.value}' at"
                    f" {where_is(ref_field.place, fact.place)}", entity=pid, detail=name,
                    related=(ref_field.place.location,))
            # And at the reference record, which is a place of the conflict too (spec
            # §4: each place in the files being checked): a pre-commit run that names
            # only the People file said nothing of it.
            # Each place once: a Backstage user is a record per group it is a member of,
            # all at the user.
            here = ref_field.place
            places = list(dict.fromkeys((f.value, f.place) for f in differing))
            shown = [f"'{value}' at {where_is(place, here)}" for value, place in places[:MAX_NAMED]]
            yield org_finding(
                ConflictingPerson, here,
                f"{pid}'s {name} is '{ref_field.value}' here but {others_text(shown, len(places))}",
                entity=pid, detail=name,
                related=tuple(place.location for _, place in places[:MAX_NAMED]))


class DuplicateTeam(Rule):
    """## What it does
    Reports two teams with the same `metadata.name`, at each of them in the files being
    checked.  Groups (`kind: Group`) share the id space: a group and a team, or two
    groups, with one id are reported too.

    ## Why is this bad?
    Team ids are how parents, allocations and reports refer to a team; with two teams of
    one id, every reference is ambiguous.

    ## Example
    ```yaml
    # teams/recsys.yaml and teams/recsys-v2.yaml
    metadata: {name: recsys}
    ```

    Use instead:
    ```yaml
    # teams/recsys-v2.yaml
    metadata: {name: recsys-v2}
    ```
    """

    code = "ORG010"
    name = "duplicate-team"
    severity = Severity.ERROR
    summary = "Two teams have the same id"
    scope = "org"

    def check_org(self, org: OrgContext) -> Iterator[Finding]:
        teams = [t for t in org.teams if "#" not in t.id or not unnamed(t)]
        if org.named and 2 * len(org.named) <= len(org.files):
            # Reported at each team of an id: only the ids of the files reported can
            # give a finding that is shown (a pre-commit run names one file of many).
            ids = {t.id for t in teams if t.place.file in org.named}
            teams = [t for t in teams if t.id in ids]
        by_id: dict[str, list[TeamFact]] = {}
        for team in teams:
            by_id.setdefault(team.id, []).append(team)
        for tid, teams in by_id.items():
            if len(teams) < 2:
                continue
            # In path order, so that the places a message names do not depend on the
            # order the files were read (the cache, the files named).
            teams.sort(key=_team_order)
            # Each message names the first few others and counts the rest: a team id
            # used in 40,000 places made 40,000 lists of 40,000 names (28 s).
            first = teams[:MAX_NAMED + 1]
            for team in teams:
                others = [t for t in first if t is not team][:MAX_NAMED]
                yield org_finding(
                    DuplicateTeam, team.place,
                    f"{team.kind.lower()} id '{tid}' is also defined at "
                    + others_text([where_is(o.place, team.place) for o in others], len(teams) - 1),
                    entity=tid, related=tuple(o.place.location for o in others))


class UnknownParent(Rule):
    """## What it does
    Reports a `metadata.parent` that names no team or group (`kind: Group`) of the org
    (a warning), and parents that form a cycle through teams and groups (an error).
    Points at `metadata.parent`.

    ## Why is this bad?
    A dangling parent usually means a renamed or deleted team; a cycle makes the org
    chart a loop that no report can walk.

    ## Example
    ```yaml
    metadata: {name: recsys, parent: ml-divison}
    ```

    Use instead:
    ```yaml
    metadata: {name: recsys, parent: ml-division}
    ---
    apiVersion: orglint/v1
    kind: Group
    metadata: {name: ml-division, title: ML Division}
    ```
    """

    code = "ORG011"
    name = "unknown-parent"
    severity = Severity.WARNING
    summary = "metadata.parent names no team or group of the org, or parents form a cycle"
    scope = "org"

    def check_org(self, org: OrgContext) -> Iterator[Finding]:
        teams = org.teams
        # A team with no name is nobody's parent: its placeholder is no name to write.
        parents = [t for t in teams if "#" not in t.id or not unnamed(t)]
        parent_of = {t.id: t.parent for t in parents}
        # Each team that shares its id with one later in path order (ORG010), and the
        # cycle its own parent closes, when it closes one.
        shadowed: set[int] = set()
        own_cycles: dict[int, tuple[list[str], int]] = {}
        if len(parent_of) < len(parents):
            # Two teams share an id (ORG010): the one last in path order gives its
            # parent, not the one read last, so that a run naming a few files (read
            # first) finds the cycles the whole org's run does.
            ordered = sorted(parents, key=lambda t: (t.place.file, t.place.line,
                                                    t.place.column))
            last = {t.id: t for t in ordered}
            parent_of = {i: t.parent for i, t in last.items()}
            # The others' parents are written too, and a cycle through one of them (a
            # second `t1` whose parent's parent is `t1`) is as real: each is walked
            # from its own parent, a bounded number of walks as for a few files.
            shadowed = {id(t) for t in ordered if last[t.id] is not t}
            walks = [t for t in ordered if id(t) in shadowed and t.parent is not None
                     and t.parent_place is not None and t.parent_place.file in org.named]
            for team in walks[:_FEW_WALKS]:
                loop = _walk_back(parent_of, team.id, team.parent)
                if loop is not None:
                    own_cycles[id(team)] = (loop, 0)
        hint = _Hints(set(parent_of))
        # Only a reported team's cycle is reported: with a few files named (a
        # pre-commit run), walking from their teams alone costs a few steps where
        # the whole org's walk cost 6 M instructions on 2,000 teams.
        reported = [t.id for t in teams if t.parent is not None
                    and t.parent_place is not None and t.parent_place.file in org.named]
        cycles = (_cycles_through(parent_of, reported) if len(reported) <= _FEW_WALKS
                  else _cycles(parent_of))
        unread = ""
        if org.lost:
            files = ", ".join(org.lost[:MAX_NAMED])
            more = len(org.lost) - MAX_NAMED
            unread = (f" read so far: a YAML error left part of {files}"
                      f"{f' and {more} more' if more > 0 else ''} unread, and it may be"
                      " there")
        for team in teams:
            if team.parent is None or team.parent_place is None:
                continue
            if team.parent_place.file not in org.named:
                continue
            if team.parent not in parent_of:
                yield org_finding(
                    UnknownParent, team.parent_place,
                    f"parent '{team.parent}' of {team.id} is not a team or group in the org"
                    f"{hint(team.parent)}{unread}", entity=team.id, detail="parent")
            elif (id(team) in own_cycles if id(team) in shadowed else team.id in cycles):
                loop, offset = own_cycles.get(id(team)) or cycles[team.id]
                size = len(loop)
                if size <= 2 * MAX_NAMED:
                    shown = loop[offset:] + loop[:offset]
                else:
                    shown = [*(loop[(offset + i) % size] for i in range(MAX_NAMED)),
                             f"... {size - 2 * MAX_NAMED} more ...",
                             *(loop[(offset + i) % size] for i in range(size - MAX_NAMED, size))]
                yield org_finding(
                    UnknownParent, team.parent_place,
                    "parents form a cycle: " + " -> ".join([*shown, team.id]),
                    entity=team.id, detail="cycle", severity=Severity.ERROR)


_FEW_WALKS = 64  # walks of at most the org's size each: linear in the org


def _walk_back(parent_of: dict[str, str | None], start: str,
               parent: str | None) -> list[str] | None:
    """The cycle ``start`` -> ``parent`` -> ... -> ``start`` if following the org's
    parents from ``parent`` comes back to ``start``; linear in the org."""
    walk = [start]
    seen = {start}
    current = parent
    while current is not None and current in parent_of and current not in seen:
        seen.add(current)
        walk.append(current)
        current = parent_of[current]
    return walk if current == start else None


def _cycles_through(parent_of: dict[str, str | None],
                    starts: list[str]) -> dict[str, tuple[list[str], int]]:
    """``_cycles``, for the teams ``starts`` only: each is on a cycle if following
    parents from it comes back to it (the cycle then starts with it)."""
    found: dict[str, tuple[list[str], int]] = {}
    for start in starts:
        # A team unnamed (not in parent_of) has no walk.
        loop = _walk_back(parent_of, start, parent_of[start]) if start in parent_of else None
        if loop is not None:
            found[start] = (loop, 0)
    return found


def _cycles(parent_of: dict[str, str | None]) -> dict[str, tuple[list[str], int]]:
    """Each team on a parent cycle → (the cycle, where the team is in it); linear in the
    org.  The cycle is one shared list: a copy rotated to start at each of its teams
    took 3.4 GB for a cycle of 20,000 teams."""
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    found: dict[str, tuple[list[str], int]] = {}
    for start in parent_of:
        walk: list[str] = []
        current: str | None = start
        while current is not None and current in parent_of and state.get(current) is None:
            state[current] = 1
            walk.append(current)
            current = parent_of[current]
        if current is not None and state.get(current) == 1:
            loop = walk[walk.index(current):]
            for i, member in enumerate(loop):
                found[member] = (loop, i)
        for member in walk:
            state[member] = 2
    return found


class OverAllocated(Rule):
    """## What it does
    Adds up each person's `allocation` across every team of the org and reports a total
    over 100%, at each of the person's entries in the files being checked.  The message
    names the other places.  An allocation past 100 is a schema error (ORG003) that
    still counts here, written as it is; on a person's only team it is that error
    alone.

    ## Why is this bad?
    Nobody works 120%.  An over-allocated person is a hidden single point of failure on
    every team that counts on them, and each team plans with time that does not exist.

    ## Example
    ```yaml
    # teams/recsys.yaml
    - {id: kim, role: ml-engineer, allocation: 60}
    # teams/ltv.yaml
    - {id: kim, role: ml-engineer, allocation: 60}
    ```

    Use instead:
    ```yaml
    # teams/recsys.yaml
    - {id: kim, role: ml-engineer, allocation: 50}
    # teams/ltv.yaml
    - {id: kim, role: ml-engineer, allocation: 50}
    ```
    """

    code = "ORG301"
    name = "over-allocated"
    severity = Severity.ERROR
    summary = "A person's allocations across the org add up to more than 100%"
    scope = "org"

    def check_org(self, org: OrgContext) -> Iterator[Finding]:
        persons = org.persons_named()
        # A record's team is an id (never empty) or None for a People entry.
        return _allocations(_over_allocated(list(compress(persons, map(_TEAM, persons)))))


def _allocations(by_id: dict[str, list[PersonFact]]) -> Iterator[Finding]:
    """ORG301 for each person of ``by_id`` (their team records) over 100 % in all."""
    for pid, entries in by_id.items():
        if len(entries) > 1:  # in path order, as ORG010's (read order varies)
            entries = once(sorted(entries, key=record_order))
        total = sum(e.allocation for e in entries)
        if total <= 100 or len(entries) < 2:
            # One membership past 100 is a value out of range, which the schema step
            # reports where it is written (ORG003): nothing is added up across teams.
            continue
        first = entries[:MAX_NAMED + 1]
        for entry in entries:
            here = entry.allocation_place or entry.place
            others = [e for e in first if e is not entry][:MAX_NAMED]
            # An allocation no entry writes is the default (100 %, or for a Backstage
            # user what their other allocations leave, at least 1 %): said so, as a
            # number the file does not hold (found by review: "101%: 1% here").
            parts = [f"{entry.allocation}% here{_DEFAULT if entry.allocation_at < 0 else ''}"
                     ] + [f"{o.allocation}% in {where_is(o.allocation_place or o.place, here)}"
                          f"{_DEFAULT if o.allocation_at < 0 else ''}" for o in others]
            yield org_finding(
                OverAllocated, here,
                f"{pid} is allocated {total}%: " + others_text(parts, len(entries)),
                entity=pid, detail=entry.team,
                related=tuple((o.allocation_place or o.place).location for o in others))


_DEFAULT = " (not written: the default)"
_ID = itemgetter(0)  # PersonFact.id, read in C


def record_order(record: PersonFact) -> tuple[str, int, int]:
    return (record.file, record.doc, record.at)


def _team_order(team: TeamFact) -> tuple[str, int, int, int]:
    return (team.place.file, team.place.doc, team.place.line, team.place.column)


def repeated(persons: list[PersonFact]) -> dict[str, list[PersonFact]]:
    """The records of each person who has more than one, in the order of the first.

    Counted in C first: in most orgs most people have one record, and grouping each of
    them in a list of their own was most of ORG009 and ORG301 at 2,000 teams.
    """
    counts = Counter(map(_ID, persons))
    if len(counts) == len(persons):
        return {}
    by_id: dict[str, list[PersonFact]] = {}
    for person in persons:
        if counts[person.id] > 1:
            by_id.setdefault(person.id, []).append(person)
    return by_id


def _over_allocated(persons: list[PersonFact]) -> dict[str, list[PersonFact]]:
    """Of team records, those of each person who may be over 100%: who has several, or
    one over 100 (ORG301 adds them up), in the order of the first."""
    by_id = repeated(persons)
    single = [p for p in persons if p.allocation > 100 and p.id not in by_id] \
        if max(map(_ALLOCATION, persons), default=0) > 100 else []
    if not single:
        return by_id
    flagged = by_id.keys() | {p.id for p in single}
    out: dict[str, list[PersonFact]] = {}
    for person in persons:
        if person.id in flagged:
            out.setdefault(person.id, []).append(person)
    return out


_ALLOCATION = itemgetter(5)  # PersonFact.allocation
_TEAM = itemgetter(4)  # PersonFact.team


def once(entries: list[PersonFact]) -> list[PersonFact]:
    """A person's records less repeats on one team (ORG007's finding), counted once.

    Per person, not one set over the org: at 20,000 teams a set of every record's
    (id, team, file, document) held 25 MB at the run's peak for a few duplicates.
    """
    seen: set[tuple[str | None, str, int]] = set()
    out = []
    for entry in entries:
        marker = (entry.team, entry.file, entry.doc)
        if marker not in seen:
            seen.add(marker)
            out.append(entry)
    return out
