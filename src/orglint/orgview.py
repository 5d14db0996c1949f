"""The org as the reports show it: teams, their people and roles, and what is spread thin.

The check itself keeps only findings and small org facts (the cache and worker processes
carry nothing more), so the HTML and Markdown reports read the org's files once more,
through the same loader, schema recovery, model and role resolution the rules use.  A
team's roles here are therefore exactly the roles the rules saw.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from orglint.errors import OrglintError
from orglint.files import Entry, Gathered
from orglint.loader import Document, Limits, load
from orglint.matrix import Matrix
from orglint.model import Person, build_people, build_team
from orglint.ntuple import NamedTuple
from orglint.rules.base import TeamContext
from orglint.schema import document_kind, recovered, validate

MANY_TEAMS = 3  # a person on this many teams or more is spread thin, whatever the sum


class MemberView(NamedTuple):
    id: str
    name: str | None
    role: str | None  # as the rules resolve it: written, from People, or from the title
    allocation: int
    owns: tuple[str, ...]


NO_STAGE = "no valid stage"  # shown for a team whose maturity is missing or unknown

class TeamView(NamedTuple):
    id: str
    title: str | None
    file: str
    line: int  # metadata.name
    lines: tuple[int, int]  # the document's first and last line
    maturity: str | None  # None: missing or not a stage
    size: int | None  # spec.size, the plan
    systems: tuple[str, ...]
    members: tuple[MemberView, ...]
    headcount: int  # people holding matrix roles: the size every rule uses
    named: bool  # in a file the run reports on
    # Role -> members who do its work beside their own (a small team's MLOps and ML
    # engineer, the article's "one person does both"): ORG206 counts them for a seat.
    both: tuple[tuple[str, int], ...] = ()

    # Headcount per role, as the rules count it (``TeamContext.role_counts``).
    counts: tuple[tuple[str, int], ...] = ()
    # Other places that are this team's alone to report on: a Backstage team's members
    # are User entities, written apart from its Group (file, first line, last line).
    elsewhere: tuple[tuple[str, int, int], ...] = ()

    def role_counts(self) -> Counter[str]:
        """Headcount per role, a person listed twice counted once, as ORG206 counts."""
        return Counter(dict(self.counts))


class SinglePoint(NamedTuple):
    team: str
    system: str
    responsibility: str
    person: str


class Allocation(NamedTuple):
    person: str
    name: str | None
    total: int
    teams: tuple[str, ...]


class OrgView(NamedTuple):
    matrix: Matrix
    teams: list[TeamView]  # every team of the org, in file order
    # Holds-both pattern code -> the team size its rule runs with (as configured).
    sizes: Mapping[str, int] = {}

    @property
    def shown(self) -> list[TeamView]:
        """The teams of the files the run reports on."""
        return [t for t in self.teams if t.named]


def single_points(view: OrgView, stages: tuple[str, ...] = ("production", "scale")
                  ) -> list[SinglePoint]:
    """Responsibilities a team's systems require that exactly one person holds, at the
    stages ORG207 checks (its default).  The page lists every one: where the one owner
    holds the work outside their role, ORG207 leaves the finding to ORG102 (move it),
    but a manager's picture of who the team depends on still shows the person."""
    found: list[SinglePoint] = []
    for team in view.shown:
        if team.maturity not in stages:
            continue
        holders: dict[str, set[str]] = {}
        for m in team.members:
            for item in m.owns:
                holders.setdefault(item, set()).add(m.id)
        told: set[str] = set()
        for system_id in team.systems:
            system = view.matrix.systems.get(system_id)
            for need in system.requires if system else ():
                people = holders.get(need, set())
                if len(people) == 1 and need not in told:
                    told.add(need)
                    found.append(SinglePoint(team.id, system_id, need, next(iter(people))))
    return found


def allocations(view: OrgView) -> list[Allocation]:
    """People over 100% across the whole org, or on ``MANY_TEAMS`` teams or more, who are
    on a team of the files reported on."""
    total: Counter[str] = Counter()
    teams: dict[str, list[str]] = {}
    names: dict[str, str | None] = {}
    for team in view.teams:
        for m in {m.id: m for m in team.members}.values():
            total[m.id] += m.allocation
            teams.setdefault(m.id, []).append(team.id)
            names.setdefault(m.id, m.name)
    shown = {m.id for t in view.shown for m in t.members}
    out = [Allocation(pid, names[pid], total[pid], tuple(teams[pid]))
           for pid in sorted(shown)
           if total[pid] > 100 or len(teams[pid]) >= MANY_TEAMS]
    out.sort(key=lambda a: (-a.total, a.person))
    return out


def build(matrix: Matrix, gathered: Gathered, limits: Limits, *, whole: bool = True,
          backstage: bool = False, both_sizes: Mapping[str, int] | None = None) -> OrgView:
    """The org's teams; with ``whole`` False only those of the files named (and the
    People files their roles may come from): enough for everything but allocation.
    With ``backstage``, the teams its Groups make (spec §8.1) too, after the team files,
    and its Users give roles as the check has them (after the People files).
    ``both_sizes``: the team sizes the run's holds-both rules are configured with
    (``engine.team_sizes``), so that a seat the findings count as filled by a member
    who does both is filled in the report too."""
    named = {s.display for s in gathered.named}
    # People first (a member's role may come from them), then each team file in turn:
    # only one file's documents and source map are held at a time.
    people: dict[str, Person] = {}
    # In path order, as the check reads them: where two People entries describe one
    # person, the report shows the one the findings used, whatever the run names.
    for entry in sorted(gathered.entries, key=lambda e: e.source.display):
        if entry.people:
            for kind, _, data in _read(gathered, entry, limits):
                if kind == "People":
                    for person in build_people(data).spec.people:
                        people.setdefault(person.id, person)
    catalog: list[tuple[str, bytes]] = []
    if backstage:
        from orglint import backstage as read_in_place

        catalog = read_in_place.catalog_files(gathered, limits.max_file_size)
        for pid, person in read_in_place.people(catalog, limits).items():
            people.setdefault(pid, person)
    teams: list[TeamView] = []
    for entry in gathered.entries:
        file = entry.source.display
        if not (whole or file in named):
            continue
        for kind, doc, data in _read(gathered, entry, limits):
            if kind == "Team":
                whole_doc = doc.source.span(())
                teams.append(_team(matrix, doc, data, people, file, file in named,
                                   doc.source.span(("metadata", "name")).line,
                                   (whole_doc.line, whole_doc.end_line), both_sizes))
    if catalog:
        for group, doc, data, users in read_in_place.teams(catalog, limits):
            if not (whole or group.file in named):
                continue
            # Where the Group is written: the team's document has no lines of its own.
            where = group.doc.source
            entity = where.span(())
            teams.append(_team(matrix, doc, data, people, group.file, group.file in named,
                               where.span(("metadata", "name")).line,
                               (entity.line, entity.end_line), both_sizes)._replace(
                                   elsewhere=users))
    return OrgView(matrix, teams, dict(both_sizes or {}))


def _read(gathered: Gathered, entry: Entry, limits: Limits
          ) -> list[tuple[str, Document, dict[str, Any]]]:
    try:
        raw = gathered.read(entry, limits.max_file_size)
    except (OSError, OrglintError):
        return []  # the check has reported it; the report shows what it can
    return _documents(load(raw, entry.source.display, limits).documents,
                      entry.source.display)


def _documents(documents: Iterable[Document], file: str
               ) -> list[tuple[str, Document, dict[str, Any]]]:
    out = []
    for doc in documents:
        kind = document_kind(doc.data)
        if kind not in ("Team", "People"):
            continue
        problems = validate(doc, kind, file)
        # As the check reads it (``schema.recovered``): the same members, numeric ids
        # included, so the coverage tables and the findings count the same heads.
        doc, kept = recovered(doc, kind, file) if problems else (doc, doc.data)
        if kept is not None:
            out.append((kind, doc, kept))
    return out


def _team(matrix: Matrix, doc: Document, data: dict[str, Any], people: dict[str, Person],
          file: str, named: bool, line: int, lines: tuple[int, int],
          both_sizes: Mapping[str, int] | None) -> TeamView:
    team = build_team(data)
    ctx = TeamContext(team, doc, file, matrix, people, both_sizes=both_sizes)
    members = tuple(
        MemberView(m.id, m.name or (people[m.id].name if m.id in people else None),
                   info.role, m.allocation if isinstance(m.allocation, int) else 0,
                   tuple(m.owns))
        for m, info in zip(team.spec.members, ctx.roles, strict=True))
    from orglint.rules.patterns import doing_both, holds_both_pairs

    paired = sorted({role for pair in holds_both_pairs(matrix) for role in pair})
    both = tuple(sorted(doing_both(ctx, paired).items())) if paired else ()
    return TeamView(team.id, team.metadata.title, file, line, lines, team.spec.maturity,
                    team.spec.size, tuple(team.spec.systems), members, ctx.size, named,
                    both, tuple(sorted(ctx.role_counts.items())))
