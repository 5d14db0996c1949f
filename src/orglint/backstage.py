"""Backstage read in place (spec §8.1): Groups with ``orglint.dev/maturity`` become teams.

A Backstage team is spread over several entities, often in several files: the Group
holds the team's annotations, each User its own.  Rather than teach every rule about
that, each team is written as the Team document the rules already read, with a source
map whose spans point into the Backstage files.  Rules report against one file name, so
the spans live in one *virtual* file (``orglint.stitch``), which maps each finding back
to its own file and line.  Every team rule thus works unchanged,
and a member finding lands on the user's annotation or entity, a team finding on the
group.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from orglint.catalog import MARKER, Catalog, Entity, collect
from orglint.facts import FileFacts, PersonFact, Place, TeamFact, pack
from orglint.files import Gathered
from orglint.findings import Finding
from orglint.loader import Document, Limits, load
from orglint.membership import PREFIX, Org, note, number, split
from orglint.model import LEVEL_RANK, Person, build_team
from orglint.ntuple import NamedTuple
from orglint.rules.base import Rule, TeamContext
from orglint.rules.input import UnknownRole
from orglint.rules.lineage import cover_of
from orglint.rules.patterns import both_sizes
from orglint.rules.people import work_facts
from orglint.schema import looks_like_orglint, recovered, validate
from orglint.source import Path, nest
from orglint.stitch import VIRTUAL, SpanMap, Stitch


def read(files: Iterable[tuple[str, bytes]], limits: Limits
         ) -> tuple[Catalog, dict[str, str]]:
    """The catalog of the org's files (name and bytes), and the text of each that has
    Backstage entities."""
    catalog = Catalog()
    texts: dict[str, str] = {}
    for file, raw in files:
        if MARKER not in raw:
            continue
        loaded = load(raw, file, limits)
        if loaded.failed and not loaded.documents:
            continue  # the file's own check reports ORG001
        # A YAML error costs its own document only, as in a team file (loader.load_text).
        texts[file] = loaded.text
        before = len(catalog.entities)
        collect(catalog, loaded.documents, file)
        if loaded.findings and len(catalog.entities) > before and not looks_like_orglint(raw):
            # Its entities are read: what the loader found (a hidden line break, a
            # duplicate key, a broken document) is reported with them, where the file's
            # own check does not (a User file does not look like orglint's).
            catalog.findings.extend(loaded.findings)
    return catalog, texts


def team_document(org: Org, group: Entity, stitch: Stitch) -> tuple[Document, dict[str, str]]:
    """The Team document a Backstage team reads as, with spans into its files, and the
    annotation each field came from."""
    notes = group.annotations()
    where = SpanMap(stitch)
    where.put((), group, ())
    for part in ("apiVersion", "kind", "metadata", "spec"):
        where.put((part,), group, (part,))
    where.put(("metadata", "name"), group, ("metadata", "name"))
    metadata: dict[str, Any] = {"name": group.id}
    title = group.profile("displayName")
    if title is not None:
        metadata["title"] = title
        where.put(("metadata", "title"), group, ("spec", "profile", "displayName"))
    parent, owner, parent_path = org.parent_of(group)
    if parent is not None:
        metadata["parent"] = parent
        where.put(("metadata", "parent"), owner, parent_path)
    spec: dict[str, Any] = {"maturity": notes[PREFIX + "maturity"].strip()}
    where.put(("spec", "maturity"), group, note("maturity"))
    if PREFIX + "size" in notes:
        spec["size"] = number(notes[PREFIX + "size"])
        where.put(("spec", "size"), group, note("size"))
    for field in ("systems", "practices"):
        if PREFIX + field in notes:
            spec[field] = split(notes[PREFIX + field])
            where.put_items(("spec", field), group, note(field), spec[field])
    where.put(("spec", "members"), group, ("spec", "members"))
    spec["members"] = [_member(org, user, group, where, i)
                       for i, user in enumerate(org.members[group.key])]
    data = {"apiVersion": "orglint/v1", "kind": "Team", "metadata": metadata, "spec": spec}
    return Document(data, where.source(), 0), where.labels


def _member(org: Org, user: Entity, group: Entity, where: SpanMap, index: int) -> dict[str, Any]:
    notes = user.annotations()
    base: Path = ("spec", "members", index)
    where.put(base, user, ())
    where.put((*base, "id"), user, ("metadata", "name"))
    member: dict[str, Any] = {"id": user.id}
    for field, profile in (("name", "displayName"), ("email", "email")):
        value = user.profile(profile)
        if value is not None:
            member[field] = value
            where.put((*base, field), user, ("spec", "profile", profile))
    for field in ("role", "title", "level"):
        if PREFIX + field in notes:
            member[field] = notes[PREFIX + field].strip()
            where.put((*base, field), user, note(field))
    if "title" not in member and user.profile("jobTitle") is not None:
        member["title"] = user.profile("jobTitle")
        where.put((*base, "title"), user, ("spec", "profile", "jobTitle"))
    allocation, allocation_at = org.allocation(user, group)
    member["allocation"] = allocation
    if allocation_at is not None:
        where.put((*base, "allocation"), user, allocation_at)
    owns, owns_at = org.owns(user, group)
    if owns_at is not None:
        member["owns"] = owns
        where.put_items((*base, "owns"), user, owns_at, owns)
    return member


def catalog_files(gathered: Gathered, limit: int) -> list[tuple[str, bytes]]:
    """The org's files that may hold Backstage entities, name and bytes, in path order
    whatever the run names: where two entities share a key, the first read is the one
    the org keeps, and named files come first in ``gathered``."""
    out = []
    for entry in sorted(gathered.entries, key=lambda e: e.source.display):
        raw = gathered.read(entry, limit)
        if MARKER in raw:
            out.append((entry.source.display, raw))
    return out


Lines = tuple[tuple[str, int, int], ...]  # (file, first line, last line) of entities


def teams(files: Iterable[tuple[str, bytes]], limits: Limits
          ) -> Iterator[tuple[Entity, Document, dict[str, Any], Lines]]:
    """Each Backstage team of the org (spec §8.1): its Group, the Team document it reads
    as (positions in ``stitch.VIRTUAL``), that document's data as the rules take it
    (the schema's recovery applied), and where its members' User entities are written
    (their findings point there); a team with nothing safe to check is left out."""
    catalog, texts = read(files, limits)
    org = Org(catalog)
    for group, doc, data, _ in _documents(org, Stitch(texts)):
        if data is not None:
            users = []
            for user in org.members[group.key]:
                span = user.doc.source.span(())
                users.append((user.file, span.line, span.end_line))
            yield group, doc, data, tuple(users)


def _documents(org: Org, stitch: Stitch
               ) -> Iterator[tuple[Entity, Document, dict[str, Any] | None, list[Finding]]]:
    """Each team of ``org``: its Group, its Team document, that document's data as the
    rules take it (None: nothing safe to check) and its schema findings, each naming
    the annotation it is about."""
    for group in org.teams:
        doc, labels = team_document(org, group, stitch)
        problems = [_named(p, labels) for p in validate(doc, "Team", VIRTUAL)]
        doc, data = recovered(doc, "Team") if problems else (doc, doc.data)
        yield group, doc, data, problems


def people(files: Iterable[tuple[str, bytes]], limits: Limits) -> dict[str, Person]:
    """The org's Backstage users as People entries (values, no place): a member of an
    orglint Team with a user's id takes the user's title, role and level where the
    member gives none, as from a People file.  Only what the Team schema allows is
    taken (a level outside the five is left out; its annotation's schema finding says
    why)."""
    catalog, _ = read(files, limits)
    out: dict[str, Person] = {}
    for user in catalog.of_kind("User"):
        notes = user.annotations()
        level = notes.get(PREFIX + "level", "").strip()
        role = notes.get(PREFIX + "role", "").strip() or None
        title = notes.get(PREFIX + "title", "").strip() or user.profile("jobTitle")
        out.setdefault(user.id, Person(
            user.id, user.profile("displayName"), title, role,
            level if level in LEVEL_RANK else None, None,  # type: ignore[arg-type]
            user.profile("email")))
    return out


class Run(NamedTuple):
    """What reading Backstage in place adds to a run."""

    catalog: Catalog
    findings: dict[str, list[Finding]]  # by file: schema errors and team rule findings
    facts: dict[str, FileFacts]  # by file: the groups and memberships the org rules see
    teams: list[TeamContext]  # the teams the rules checked, for the org's policy rules
    stitch: Stitch  # from a team's positions (``VIRTUAL``) to its Backstage files'


def check(files: Iterable[tuple[str, bytes]], limits: Limits, rules: list[Rule], matrix: Any,
          people: Mapping[str, Person], codes: frozenset[str] | None) -> Run:
    """Read the org's Backstage entities (from each file's name and bytes) and run the
    team rules on its teams."""
    catalog, texts = read(files, limits)
    stitch = Stitch(texts)
    org = Org(catalog)
    findings: dict[str, list[Finding]] = {}
    for finding in catalog.findings:
        findings.setdefault(finding.file, []).append(finding)
    facts: dict[str, FileFacts] = {}
    teams: list[TeamContext] = []
    team_keys = {g.key for g in org.teams}
    # Where each team's fact is, to give it its cover once its members are read.
    placed: dict[int, tuple[list[TeamFact], int]] = {}
    for group in catalog.of_kind("Group"):
        _group_fact(org, group, facts, "Team" if group.key in team_keys else "Group")
        listed = facts[group.file].teams
        placed[id(group)] = (listed, len(listed) - 1)
    for user in catalog.of_kind("User"):
        _user_fact(user, facts)
    sizes = both_sizes(rules)
    told: set[tuple[str, str, int, int]] = set()  # _USER_LEVEL findings reported
    for group, doc, data, problems in _documents(org, stitch):
        found = list(problems)
        if data is not None:
            ctx = TeamContext(build_team(data), doc, VIRTUAL, matrix, people, codes,
                              both_sizes=sizes)
            teams.append(ctx)
            for rule in rules:
                found.extend(rule.check_team(ctx))
            # What each member's owned work spans, for ORG302 across the org's teams.
            _member_facts(org, group, data, facts, work_facts(ctx, codes) or {})
            where = placed.get(id(group))
            if where is not None:
                # What its members are and do, for its related teams (rules.lineage).
                listed, k = where
                listed[k] = listed[k]._replace(cover=cover_of(ctx))
        # A finding at a User on more than one team: their entity is every one of those
        # teams' place for them, so the message says which team it is about.
        shared = {u.id for u in org.members[group.key] if len(org.teams_of.get(u.key, ())) > 1}
        whole = group.doc.source.span(())
        for finding in found:
            real = stitch.finding(finding)
            if real.code == UnknownRole.code:
                real = real._replace(message=_in_backstage_words(real.message))
            if real.code in _USER_LEVEL:
                # A title against the role annotation is the user's, whichever team reads
                # it: reported once, at the first team, not once per team.
                place = (real.code, real.file, real.line, real.column)
                if place in told:
                    continue
                told.add(place)
                # About the user, not the team: "holds role X", without "on <team>".
                real = real._replace(message=real.message.replace(f" on {group.id}", "", 1))
            if real.code.startswith("ORG00"):
                # What a User's annotation says is the same whichever team reads it: about
                # the user, and once (the run drops findings equal in every field).
                real = real._replace(entity=_member_of(doc.data, real) or real.entity)
            elif real.code not in _USER_LEVEL and real.entity in shared and (
                    real.file != group.file
                    or not whole.line <= real.line <= whole.end_line):
                real = real._replace(message=f"{real.message} (team {group.id})")
            findings.setdefault(real.file, []).append(real)
    return Run(catalog, findings, facts, teams, stitch)


def _member_of(data: Any, finding: Finding) -> str | None:
    """The id of the member a schema finding's path (``spec.members.N...``) is about."""
    parts = (finding.detail or "").split(".")
    if finding.code != "ORG003" or len(parts) < 3 or parts[:2] != ["spec", "members"] \
            or not parts[2].isdecimal():
        return None
    spec = data.get("spec") if isinstance(data, dict) else None
    members = spec.get("members") if isinstance(spec, dict) else None
    index = int(parts[2])
    if not isinstance(members, list) or index >= len(members) or \
            not isinstance(members[index], dict):
        return None
    member_id = members[index].get("id")
    return member_id if isinstance(member_id, str) else None


def _named(finding: Finding, labels: dict[str, str]) -> Finding:
    label = labels.get(finding.detail or "")
    if label is None:
        return finding
    return finding._replace(message=f"{label}: {finding.message}")


def _place(entity: Entity, path: Path) -> Place:
    span = entity.span(path)
    return Place(entity.file, span.line, span.column, span.end_line, span.end_column,
                 entity.doc.index)


# Member findings that read only what the User entity says (its title and its role
# annotation), never the group: the same on every team the user is on.
_USER_LEVEL = frozenset(("ORG101",))


def _in_backstage_words(message: str) -> str:
    """ORG004's "set 'role'" as a Backstage user sets it: there is no `role` key."""
    return message.replace(
        "no title to infer one from; set 'role'",
        f"no title to infer one from; set spec.profile.jobTitle or the {PREFIX}role"
        " annotation").replace("set 'role'", f"set the {PREFIX}role annotation")


def _group_fact(org: Org, group: Entity, facts: dict[str, FileFacts], kind: str) -> None:
    parent, owner, path = org.parent_of(group)
    fact = TeamFact(group.id, _place(group, ("metadata", "name")), parent,
                    _place(owner, path) if parent is not None else None, kind)
    facts.setdefault(group.file, FileFacts()).teams.append(fact)


def _packed(entity: Entity, path: Path) -> int:
    raw = entity.doc.source.values.get(nest(path))
    return pack(raw if raw is not None else (0, 0, 0, 1))


def _user_fact(user: Entity, facts: dict[str, FileFacts]) -> None:
    """A User is a person of the org, as a People entry is: a member of an orglint Team
    with the user's id is known (ORG008), and a People entry that disagrees with the
    user's name, title or level is a conflict (ORG009)."""
    notes = user.annotations()
    detail: list[str | int] = []
    title_at = note("title") if PREFIX + "title" in notes else ("spec", "profile", "jobTitle")
    for name, value, path in (
            ("name", user.profile("displayName"), ("spec", "profile", "displayName")),
            ("title", notes.get(PREFIX + "title", user.profile("jobTitle")), title_at),
            ("level", notes.get(PREFIX + "level"), note("level"))):
        if isinstance(value, str) and value.strip():
            detail += [name, value.strip(), _packed(user, path)]
    facts.setdefault(user.file, FileFacts()).persons.append(PersonFact(
        user.id, user.file, user.doc.index, _packed(user, ("metadata", "name")), None, 100,
        -1, True, tuple(detail)))


def _member_facts(org: Org, group: Entity, data: dict[str, Any],
                  facts: dict[str, FileFacts], work: Mapping[int, str]) -> None:
    users = org.members[group.key]
    for index, entry in enumerate(data["spec"]["members"]):
        if entry is None:
            continue
        user = users[index]
        notes = user.annotations()
        detail: list[str | int] = []
        for name, path in (("name", ("spec", "profile", "displayName")),
                           ("title", note("title")), ("level", note("level"))):
            if entry.get(name) is not None:
                if name == "title" and PREFIX + "title" not in notes:
                    path = ("spec", "profile", "jobTitle")
                detail += [name, str(entry[name]), _packed(user, path)]
        _, allocation_at = org.allocation(user, group)
        allocation = entry.get("allocation", 100)
        facts.setdefault(user.file, FileFacts()).persons.append(PersonFact(
            user.id, user.file, user.doc.index, _packed(user, ("metadata", "name")),
            group.id, allocation if isinstance(allocation, int) else 0,
            _packed(user, allocation_at) if allocation_at is not None else -1,
            True, tuple(detail), work.get(index, "")))


def merged(files: dict[str, FileFacts], extra: dict[str, FileFacts]) -> dict[str, FileFacts]:
    """The org's facts with Backstage's added; the cached per-file facts stay as they are."""
    out = dict(files)
    for file, more in extra.items():
        combined = FileFacts()
        known = files.get(file)
        if known is not None:
            combined.teams.extend(known.teams)
            combined.persons.extend(known.persons)
            combined.has_people = known.has_people
        combined.teams.extend(more.teams)
        combined.persons.extend(more.persons)
        out[file] = combined
    return out
