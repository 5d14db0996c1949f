"""``orglint import`` (spec §8.2): Team and People files from where org data already lives.

Each source (``backstage``, ``csv``, ``scim``) reads into the same small model below:
teams, people, and for each the fields *the source carries*.  Only those are written,
and on a second import only those are updated (``writer``); every other field, and every
comment, belongs to the people who edit the files.  A value a source cannot give in a
form the schema accepts is left out with a note, so the files written always pass it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from orglint.errors import OrglintError
from orglint.escape import unseen

SOURCES = ("backstage", "csv", "scim")
LEVELS = ("junior", "mid", "senior", "staff", "principal")
MAX_INPUT = 64 * 1024 * 1024  # an HR export of a very large company is a few MB
_NOT_ID = re.compile(r"[^A-Za-z0-9._-]+")
_SAME_NAME = re.compile(r"[\s._-]+")  # what two spellings of one name may differ in


class ImportFailed(OrglintError):
    """The import cannot be done: exit 2 with the message."""


class Member:
    __slots__ = ("fields", "id", "origin")

    def __init__(self, person_id: str, origin: str) -> None:
        self.id = person_id
        self.origin = origin
        self.fields: dict[str, Any] = {}  # role, allocation, owns: what the source carries


class Team:
    __slots__ = ("_index", "id", "kind", "members", "metadata", "origin", "spec")

    def __init__(self, team_id: str, origin: str, kind: str = "Team") -> None:
        self.id = team_id
        self.origin = origin
        self.kind = kind  # "Team", or "Group" for structure without members
        self.metadata: dict[str, Any] = {}  # title, parent
        self.spec: dict[str, Any] = {}  # maturity, size, systems, practices
        self.members: list[Member] = []
        self._index: dict[str, Member] = {}

    def member(self, person_id: str, origin: str) -> Member:
        """The team's entry for a person, made on first sight (a person is listed once)."""
        found = self._index.get(person_id)
        if found is None:
            found = self._index[person_id] = Member(person_id, origin)
            self.members.append(found)
        return found


class Person:
    __slots__ = ("fields", "id", "origin")

    def __init__(self, person_id: str, origin: str) -> None:
        self.id = person_id
        self.origin = origin
        self.fields: dict[str, Any] = {}  # name, title, email, level, role


class Imported:
    """What one import read: teams and people by id, and notes for the user."""

    def __init__(self, source: str, inputs: list[str]) -> None:
        self.source = source
        self.inputs = inputs
        self.teams: dict[str, Team] = {}
        self.people: dict[str, Person] = {}
        self.notes: list[str] = []
        # (what, id) -> the name it was made from, and where: two names one id stands for.
        self._named: dict[tuple[str, str], tuple[str, str, str]] = {}

    def ident(self, what: str, name: str, origin: str) -> str:
        """The id of a team or person the source names ``name`` (a person's own when it
        is one, else ``slug``); refused when another name of the source became the same id
        ("C++ Tools", "C Tools" and "C# Tools" are all c-tools: one team, silently).
        Names that differ only in case, spaces, '-', '_' or '.' are one name."""
        made = name if what == "person" and is_id(name) else slug(name)
        if not made:
            return made
        same = _SAME_NAME.sub("", name.casefold())  # "R&D" and "R & D" are one name
        seen = self._named.setdefault((what, made), (same, name, origin))
        if seen[0] != same:
            raise ImportFailed(f"{origin}: {what} '{name[:80]}' and '{seen[1][:80]}'"
                               f" ({seen[2]}) would both be the {what} id '{made}'; rename"
                               " one of them in the source")
        return made

    def team(self, team_id: str, origin: str, kind: str = "Team") -> Team:
        found = self.teams.get(team_id)
        if found is None:
            found = self.teams[team_id] = Team(team_id, origin, kind)
        return found

    def unallocated(self, listed: int = 5) -> None:
        """A note for each person on several teams for whom the source gives no
        allocation on some of them: a member's allocation is 100 % by default, so such a
        person is over-allocated (ORG301) until the files say how their time is split.
        Notes, not guesses: a split the source does not give would read as its data."""
        teams_of: dict[str, list[str]] = {}
        short: set[str] = set()
        for team in self.teams.values():
            for member in team.members:
                teams_of.setdefault(member.id, []).append(team.id)
                if "allocation" not in member.fields:
                    short.add(member.id)
        over = [pid for pid, teams in teams_of.items() if len(teams) > 1 and pid in short]
        for pid in over[:listed]:
            teams = teams_of[pid]
            self.notes.append(
                f"{pid} is on {len(teams)} teams ({', '.join(teams[:3])}"
                f"{', ...' if len(teams) > 3 else ''}) and {self.source} gives no"
                " allocation on some of them: each of those counts 100% until the files set"
                " one (ORG301)")
        if len(over) > listed:
            self.notes.append(f"and {len(over) - listed:,} more people on several teams"
                              " without an allocation")

    def case_twins(self, listed: int = 5) -> None:
        """A note for each set of person ids that differ only in case (Jefftree and
        jefftree): ids are case-sensitive, so each is a person of its own in the files,
        with allocations and roles counted apart.  A note, not a merge: they may be two
        people."""
        by_folded: dict[str, list[Person]] = {}
        for person in self.people.values():
            by_folded.setdefault(person.id.casefold(), []).append(person)
        twins = [group for group in by_folded.values() if len(group) > 1]
        for group in twins[:listed]:
            shown = [f"{p.id} ({p.origin})" for p in group[:3]]
            if len(group) > 3:
                shown.append(f"{len(group) - 3} more")
            named = ", ".join(shown[:-1]) + " and " + shown[-1]
            self.notes.append(
                f"person ids {named} differ only in case: each is a person of its"
                f" own in the files; if they are one person, use one spelling in the"
                f" {self.source} source")
        if len(twins) > listed:
            self.notes.append(f"and {len(twins) - listed:,} more person ids that differ"
                              " only in case")

    def person(self, person_id: str, origin: str) -> Person:
        found = self.people.get(person_id)
        if found is None:
            found = self.people[person_id] = Person(person_id, origin)
        return found

    # -- values in the form the schema accepts, or a note -----------------------------

    def text(self, target: dict[str, Any], field: str, value: Any, who: str,
             limit: int = 200) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        text = value.strip()
        if len(text) > limit:
            self.notes.append(f"{who}: {field} is longer than {limit} characters; not written")
            return
        hidden = unseen(text)
        if hidden:
            # Written raw by the YAML writer: a reviewer of the file would see nothing.
            self.notes.append(f"{who}: {field} holds a character that shows nothing"
                              f" (U+{ord(hidden[0]):04X}); not written")
            return
        target[field] = text

    def title(self, team: Team, name: str, who: str) -> None:
        """A team's title from the name the source gives it, if none is set yet."""
        if name != team.id and "title" not in team.metadata:
            self.text(team.metadata, "title", name[:200], who)

    def level(self, target: dict[str, Any], value: Any, who: str) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        level = value.strip().lower()
        if level in LEVELS:
            target["level"] = level
        else:
            self.notes.append(f"{who}: level '{value.strip()}' is not one of"
                              f" {', '.join(LEVELS)}; not written")

    def allocation(self, target: dict[str, Any], value: Any, who: str) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        text = str(value).strip().rstrip("%").strip()
        try:
            number = float(text)
        except ValueError:
            number = -1.0
        if number.is_integer() and 1 <= number <= 100:
            target["allocation"] = int(number)
        else:
            self.notes.append(f"{who}: allocation '{value}' is not a percentage from 1 to"
                              " 100; not written")

    def ids(self, target: dict[str, Any], field: str, values: list[str], who: str) -> None:
        good = []
        for value in values:
            if is_id(value):
                if value not in good:
                    good.append(value)
            else:
                self.notes.append(f"{who}: '{value}' in {field} is not an id; not written")
        target[field] = good


def is_id(text: str) -> bool:
    return bool(text) and len(text) <= 100 and _NOT_ID.search(text) is None and \
        text[0].isascii() and text[0].isalnum()


def slug(text: str) -> str:
    """An id from free text ("ML Platform" -> "ml-platform"); empty when nothing is left."""
    out = _NOT_ID.sub("-", text.strip().lower()).strip("-._")
    return out[:100].rstrip("-._")


def read_input(path: Path) -> bytes:
    from orglint import fsutil

    try:
        raw = fsutil.read_regular(path, MAX_INPUT)
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file") from None
    except fsutil.Refused as exc:
        raise ImportFailed(f"{path}: not read: {exc}") from None
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_INPUT:
        raise ImportFailed(f"{path}: larger than {MAX_INPUT:,} bytes")
    return raw


def decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")  # spreadsheets write a byte-order mark
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{path}: byte {exc.start} is not UTF-8; export as UTF-8") from None
