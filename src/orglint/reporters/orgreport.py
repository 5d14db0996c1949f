"""What the HTML and Markdown reports both show: coverage cells and findings by team."""

from __future__ import annotations

import bisect
import functools
from collections import Counter
from collections.abc import Callable

from orglint.explore import compose
from orglint.findings import Finding, Result, org_wide
from orglint.matrix import Matrix
from orglint.ntuple import NamedTuple
from orglint.orgview import OrgView, TeamView

# Cell states against the recommended mix; "none" is a role neither had nor wanted.
MISSING, THIN, OK, OVER, NONE = "missing", "thin", "as-recommended", "over", "none"
STATE_LABELS = {MISSING: "missing", THIN: "thin", OK: "as recommended", OVER: "over",
                NONE: "not needed"}


class Cell(NamedTuple):
    role: str
    have: int  # the team's headcount in the role (spec section 9: the cell's number)
    want: int
    state: str
    # Seats of the role filled by members who hold another role and also do this one's
    # work (in a small team one person does both): the colour counts them, the
    # headcount does not (a team of three never reads as four people).
    shared: int = 0
    # The team is short of the role, and the nearest team above or below holds it: the
    # check counts that (``rules.lineage``), and so does the colour.
    related: bool = False


class Row(NamedTuple):
    team: TeamView
    size: int  # the size the mix is for
    cells: list[Cell]


def matrix_roles(matrix: Matrix) -> list[str]:
    return [r for r in matrix.roles if matrix.in_matrix(r)]


def state(have: int, want: int) -> str:
    if have == want:
        return OK if want else NONE
    if have > want:
        return OVER
    return MISSING if have == 0 else THIN


def coverage(view: OrgView, related: Callable[[str], frozenset[str]] | None = None
             ) -> list[Row]:
    """Each team's headcount per matrix role against the composer's mix for its size
    (the size every rule uses, never the plan: a team with no one in a matrix role is
    no mix's), maturity and systems: ORG206's comparison, cell by cell.  ``related``: a
    team id -> the roles its lineage holds (``Result.related_roles``)."""
    matrix = view.matrix
    roles = matrix_roles(matrix)
    mix = functools.lru_cache(maxsize=4096)(
        lambda size, maturity, systems: compose(matrix, size, maturity, list(systems)).mix())
    rows = []
    for team in view.shown:
        size = team.headcount
        systems = tuple(s for s in team.systems if s in matrix.systems)
        staged = team.maturity in matrix.spec.maturity
        wanted: dict[str, int] = mix(size, team.maturity, systems) if size and staged else {}
        have = team.role_counts()
        # A seat a member fills beside their own role (ORG206 counts it) is filled here
        # too, so the table never shows a gap the check does not report; shown apart
        # from the headcount.
        shared = {role: min(extra, max(0, wanted.get(role, 0) - have[role]))
                  for role, extra in team.both}
        around = related(team.id) if related is not None and staged else frozenset()
        # As ORG206 withdraws its gap: only when the lineage holds every role it is
        # short of (a gap answered in part is reported whole, and shown so).
        short = {r for r in roles if have[r] + shared.get(r, 0) < wanted.get(r, 0)}
        answered = bool(short) and short <= around
        cells = []
        for r in roles:
            want, filled = wanted.get(r, 0), have[r] + shared.get(r, 0)
            near = answered and r in short
            # No stage, no recommendation: no cell is "over" or "missing" (ORG206 is
            # silent).
            cells.append(Cell(r, have[r], want, NONE if not staged
                              else state(want if near else filled, want),
                              shared.get(r, 0), near))
        rows.append(Row(team, size, cells))
    return rows


class Group(NamedTuple):
    """The findings of one team, or of a file's lines outside any team."""

    team: TeamView | None
    file: str
    findings: list[Finding]


def by_team(result: Result, view: OrgView | None) -> list[Group]:
    """Findings grouped by the team document they fall in; the rest by file."""
    teams: dict[str, list[TeamView]] = {}
    for team in view.shown if view else ():
        teams.setdefault(team.file, []).append(team)
    groups: dict[tuple[str, int], Group] = {}
    order: list[tuple[str, int]] = []
    for file, found in teams.items():
        for k, team in enumerate(found):
            groups[(file, k)] = Group(team, file, [])
            order.append((file, k))
    # Documents of a file come in line order: a bisection, not a scan, finds the one a
    # finding falls in (a file may hold thousands of teams).
    starts = {file: [t.lines[0] for t in found] for file, found in teams.items()}
    apart = _apart(teams)
    for f in result.findings:
        key = (f.file, -1)
        k = bisect.bisect_right(starts.get(f.file, []), f.line) - 1
        if org_wide(f):
            pass  # about the whole org, at line 1 of its first file: under no team there
        elif k >= 0 and f.line <= teams[f.file][k].lines[1]:
            key = (f.file, k)
        elif f.file in apart:
            key = _owner(apart[f.file], f.line) or key
        if key not in groups:
            groups[key] = Group(None, f.file, [])
            order.append(key)
        groups[key].findings.append(f)
    return [groups[k] for k in order]


Apart = tuple[list[int], list[tuple[int, tuple[str, int] | None]]]


def _apart(teams: dict[str, list[TeamView]]) -> dict[str, Apart]:
    """By file, the places written apart from their team's document (a Backstage team's
    User entities) as sorted starts, each with its end and its team's group key, or None
    for a place that belongs to several teams (a User in two Groups: its findings name
    the team in their message, and are left under their file)."""
    owners: dict[tuple[str, int, int], set[tuple[str, int]]] = {}
    for file, found in teams.items():
        for k, team in enumerate(found):
            for place in team.elsewhere:
                owners.setdefault(place, set()).add((file, k))
    out: dict[str, Apart] = {}
    for (file, first, last), keys in sorted(owners.items()):
        starts, ends = out.setdefault(file, ([], []))
        starts.append(first)
        ends.append((last, next(iter(keys)) if len(keys) == 1 else None))
    return out


def _owner(apart: Apart, line: int) -> tuple[str, int] | None:
    starts, ends = apart
    k = bisect.bisect_right(starts, line) - 1
    if k < 0 or line > ends[k][0]:
        return None
    return ends[k][1]


def counts_by_rule(result: Result) -> list[tuple[str, str, str, int]]:
    """(code, name, severity, count), most frequent first."""
    seen: Counter[tuple[str, str, str]] = Counter(
        (f.code, f.name, f.severity.label) for f in result.findings)
    return [(code, name, sev, n) for (code, name, sev), n
            in sorted(seen.items(), key=lambda item: (-item[1], item[0][0]))]
