"""Backstage read in place (spec §8.1): Groups with ``orglint.dev/maturity`` become teams.

A Backstage team is spread over several entities, often in several files: the Group
holds the team's annotations, each User its own.  Rather than teach every rule about
that, each team is written as the Team document the rules already read, with a source
map whose spans point into the Backstage files.  Rules report against one file name, so
the spans live in one *virtual* file, the Backstage files laid end to end; ``Stitch``
maps each finding back to its own file and line.  Every team rule thus works unchanged,
and a member finding lands on the user's annotation or entity, a team finding on the
group.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from orglint.catalog import MARKER, Catalog, Entity, collect
from orglint.facts import FileFacts, PersonFact, Place, TeamFact, pack
from orglint.findings import Finding, Location
from orglint.loader import Document, Limits, load
from orglint.model import Person, build_team
from orglint.rules.base import Rule, TeamContext
from orglint.schema import recover, validate
from orglint.source import NestedPath, Path, SourceMap, nest

PREFIX = "orglint.dev/"
VIRTUAL = "<backstage>"
Raw = tuple[int, int, int, int]


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
        if loaded.failed:
            continue  # the file's own check reports ORG001
        texts[file] = loaded.text
        collect(catalog, loaded.documents, file)
    return catalog, texts


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _number(value: str) -> int | str:
    """An annotation is a string; a number in it is read as one, anything else is left
    as written so the Team schema reports it where it was written."""
    text = value.strip()
    return int(text) if text.isdigit() and len(text) < 10 else text


class Stitch:
    """The Backstage files end to end: real (file, span) ↔ one virtual span."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.lines: dict[str, list[str]] = {}
        self.offset: dict[str, int] = {}
        self.starts: list[int] = []
        self.files: list[str] = []
        at = 0
        for file, text in texts.items():
            lines = text.split("\n")
            self.lines[file] = lines
            self.offset[file] = at
            self.starts.append(at + 1)  # 1-based, as findings count
            self.files.append(file)
            at += len(lines) + 1

    def raw(self, entity: Entity, path: Path, *, key: bool = False) -> Raw | None:
        source = entity.doc.source
        nested = nest(path)
        found = source.keys.get(nested) if key else source.values.get(nested)
        if found is None:
            return None
        off = self.offset[entity.file]
        return (found[0] + off, found[1], found[2] + off, found[3])

    def items(self, entity: Entity, path: Path, items: list[str]) -> list[Raw | None]:
        """Where each item of a comma-separated scalar is: its own columns when the
        scalar sits on one line, else the whole scalar."""
        whole = self.raw(entity, path)
        if whole is None:
            return [None] * len(items)
        line0 = whole[0] - self.offset[entity.file]
        if whole[0] != whole[2]:
            return [whole] * len(items)
        text = self.lines[entity.file][line0][whole[1]:whole[3]]
        out: list[Raw | None] = []
        cursor = 0
        for item in items:
            index = text.find(item, cursor)
            if index < 0:
                out.append(whole)
                continue
            cursor = index + len(item)
            out.append((whole[0], whole[1] + index, whole[0], whole[1] + cursor))
        return out

    def real(self, line: int) -> tuple[str, int]:
        index = max(bisect.bisect_right(self.starts, line) - 1, 0)
        return self.files[index], line - self.starts[index] + 1

    def finding(self, finding: Finding) -> Finding:
        if finding.file != VIRTUAL:
            return finding
        file, line = self.real(finding.line)
        _, end_line = self.real(finding.end_line)
        related = tuple(self.location(r) for r in finding.related)
        return finding._replace(file=file, line=line, end_line=max(end_line, line),
                                related=related, fix=None)

    def location(self, location: Location) -> Location:
        if location.file != VIRTUAL:
            return location
        file, line = self.real(location.line)
        return Location(file, line, location.column)


class _Map:
    """The source map of one synthetic Team document, filled path by path."""

    def __init__(self, stitch: Stitch) -> None:
        self.stitch = stitch
        self.values: dict[NestedPath, Raw] = {}
        self.keys: dict[NestedPath, Raw] = {}
        # The annotation a field of the Team document came from, by its dotted path: a
        # schema message names the field people wrote, not the document they never see.
        self.labels: dict[str, str] = {}

    def put(self, path: Path, entity: Entity, source: Path) -> None:
        if source[:2] == ("metadata", "annotations"):
            self.labels[".".join(str(p) for p in path)] = str(source[-1])
        value = self.stitch.raw(entity, source)
        if value is None:
            return
        self.values[nest(path)] = value
        key = self.stitch.raw(entity, source, key=True)
        if key is not None:
            self.keys[nest(path)] = key

    def put_items(self, path: Path, entity: Entity, source: Path, items: list[str]) -> None:
        self.put(path, entity, source)
        for i, raw in enumerate(self.stitch.items(entity, source, items)):
            if raw is not None:
                self.values[nest((*path, i))] = raw

    def source(self) -> SourceMap:
        return SourceMap(self.values, self.keys)


def _note(name: str) -> Path:
    return ("metadata", "annotations", PREFIX + name)


class Org:
    """The catalog read as an org: teams, structure, membership, per-user allocation."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        groups = list(catalog.of_kind("Group"))
        self.teams = [g for g in groups if (PREFIX + "maturity") in g.annotations()]
        team_keys = {g.key for g in self.teams}
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
        self.team_count: dict[tuple[str, str, str], int] = {}
        for group_key, users in self.members.items():
            if group_key in team_keys:
                for user in users:
                    self.team_count[user.key] = self.team_count.get(user.key, 0) + 1
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
        notes = user.annotations()
        for name in (group.name, group.id):
            key = f"{PREFIX}allocation.{name}"
            if key in notes:
                return _number(notes[key]), ("metadata", "annotations", key)
        share = max(100 // max(self.team_count.get(user.key, 1), 1), 1)
        return share, None

    def owns(self, user: Entity, group: Entity) -> tuple[list[str], Path | None]:
        notes = user.annotations()
        for key in (f"{PREFIX}owns.{group.name}", f"{PREFIX}owns.{group.id}", PREFIX + "owns"):
            if key in notes:
                return split(notes[key]), ("metadata", "annotations", key)
        return [], None


def team_document(org: Org, group: Entity, stitch: Stitch) -> tuple[Document, dict[str, str]]:
    """The Team document a Backstage team reads as, with spans into its files, and the
    annotation each field came from."""
    notes = group.annotations()
    where = _Map(stitch)
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
    where.put(("spec", "maturity"), group, _note("maturity"))
    if PREFIX + "size" in notes:
        spec["size"] = _number(notes[PREFIX + "size"])
        where.put(("spec", "size"), group, _note("size"))
    for field in ("systems", "practices"):
        if PREFIX + field in notes:
            spec[field] = split(notes[PREFIX + field])
            where.put_items(("spec", field), group, _note(field), spec[field])
    where.put(("spec", "members"), group, ("spec", "members"))
    spec["members"] = [_member(org, user, group, where, i)
                       for i, user in enumerate(org.members[group.key])]
    data = {"apiVersion": "orglint/v1", "kind": "Team", "metadata": metadata, "spec": spec}
    return Document(data, where.source(), 0), where.labels


def _member(org: Org, user: Entity, group: Entity, where: _Map, index: int) -> dict[str, Any]:
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
            where.put((*base, field), user, _note(field))
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


class Run(NamedTuple):
    """What reading Backstage in place adds to a run."""

    catalog: Catalog
    findings: dict[str, list[Finding]]  # by file: schema errors and team rule findings
    facts: dict[str, FileFacts]  # by file: the groups and memberships the org rules see


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
    team_keys = {g.key for g in org.teams}
    for group in catalog.of_kind("Group"):
        _group_fact(org, group, facts, "Team" if group.key in team_keys else "Group")
    for user in catalog.of_kind("User"):
        _user_fact(user, facts)
    for group in org.teams:
        doc, labels = team_document(org, group, stitch)
        problems = [_named(p, labels) for p in validate(doc, "Team", VIRTUAL)]
        data = recover(doc.data, "Team") if problems else doc.data
        found = list(problems)
        if data is not None:
            ctx = TeamContext(build_team(data), doc, VIRTUAL, matrix, people, codes)
            for rule in rules:
                found.extend(rule.check_team(ctx))
            _member_facts(org, group, data, facts)
        for finding in found:
            real = stitch.finding(finding)
            findings.setdefault(real.file, []).append(real)
    return Run(catalog, findings, facts)


def _named(finding: Finding, labels: dict[str, str]) -> Finding:
    label = labels.get(finding.detail or "")
    if label is None:
        return finding
    return finding._replace(message=f"{label}: {finding.message}")


def _place(entity: Entity, path: Path) -> Place:
    span = entity.span(path)
    return Place(entity.file, span.line, span.column, span.end_line, span.end_column,
                 entity.doc.index)


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
    title_at = _note("title") if PREFIX + "title" in notes else ("spec", "profile", "jobTitle")
    for name, value, path in (
            ("name", user.profile("displayName"), ("spec", "profile", "displayName")),
            ("title", notes.get(PREFIX + "title", user.profile("jobTitle")), title_at),
            ("level", notes.get(PREFIX + "level"), _note("level"))):
        if isinstance(value, str) and value.strip():
            detail += [name, value.strip(), _packed(user, path)]
    facts.setdefault(user.file, FileFacts()).persons.append(PersonFact(
        user.id, user.file, user.doc.index, _packed(user, ("metadata", "name")), None, 100,
        -1, True, tuple(detail)))


def _member_facts(org: Org, group: Entity, data: dict[str, Any],
                  facts: dict[str, FileFacts]) -> None:
    users = org.members[group.key]
    for index, entry in enumerate(data["spec"]["members"]):
        if entry is None:
            continue
        user = users[index]
        notes = user.annotations()
        detail: list[str | int] = []
        for name, path in (("name", ("spec", "profile", "displayName")),
                           ("title", _note("title")), ("level", _note("level"))):
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
            True, tuple(detail)))


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
