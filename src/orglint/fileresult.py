"""What checking one file found, and its plain-data form for the cache.

The cache is written by whoever can write the repository, so a result read back is
rebuilt field by field from JSON values whose every type is checked: a value of the
wrong shape raises ``ValueError`` and the caller treats the entry as missing.  Nothing
read back can name a class or a function, so nothing read back can run code.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Set
from sys import intern as _intern
from typing import Any

from orglint import hashing
from orglint.facts import FileFacts, PersonFact, Place, TeamFact
from orglint.findings import Finding, Fix, Location, Severity
from orglint.model import Person
from orglint.suppress import Directive


class FileResult:
    """What checking one file found; kept in the cache, sent back by worker processes."""

    __slots__ = ("directives", "documents", "facts", "file", "findings", "fixes", "people",
                 "skipped", "stale", "teams", "views")

    def __init__(self, file: str) -> None:
        self.file = file
        self.findings: list[Finding] = []
        self.facts = FileFacts()
        self.directives: list[Directive] = []
        self.skipped: list[str] = []
        self.documents = 0
        self.people: dict[str, Person] = {}
        self.fixes: list[Fix] = []  # fixes not tied to a finding
        self.teams = 0  # Team documents checked
        # Each team as policy rules see it, kept only when person or org policy rules
        # run (they need the whole org); None when not kept.  Never stored: a result
        # read back from the cache has none, and the org pass reads the file again.
        self.views: list[dict[str, Any]] | None = None
        # The file's bytes changed between hashing and checking: this result belongs to
        # no digest, so it must not be cached.  Never stored.
        self.stale = False


# Any change to these classes changes the layout name, so a cache written for other
# fields is ignored rather than misread.
# ENTRY names how ``to_entry`` splits a result; changing it must change the layout too.
ENTRY = ("codes, ids (each one space-separated string where unambiguous), head values in"
         " the index (places in the file itself without its name);"
         " persons, rest texts end to end, a MAC each")
LAYOUT = "results-" + hashing.blake2b(repr([
    Finding._fields, Fix._fields, Location._fields, Place._fields, TeamFact._fields,
    PersonFact._fields, Person._fields, Directive._fields, FileResult.__slots__, ENTRY,
]).encode(), digest_size=6).hexdigest()

_SEVERITIES = {int(s): s for s in Severity}


def _str(value: object) -> str:
    if type(value) is not str:
        raise ValueError("not a string")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _int(value: object) -> int:
    if type(value) is not int:
        raise ValueError("not an integer")
    return value


def _bool(value: object) -> bool:
    if type(value) is not bool:
        raise ValueError("not a boolean")
    return value


def _list(value: object) -> list[Any]:
    if type(value) is not list:
        raise ValueError("not a list")
    return value


def _path(value: object) -> tuple[str | int, ...]:
    items = _list(value)
    for item in items:
        if type(item) is not str and type(item) is not int:
            raise ValueError("not a path")
    return tuple(items)


def _strings(value: object) -> list[str]:
    items = _list(value)
    # Every item's type in C: the codes and ids of each file of an org are read back
    # at every pre-commit run.
    if items and set(map(type, items)) != _STR:
        raise ValueError("not a string")
    return items


_STR = {str}


# -- to plain data ----------------------------------------------------------------------


def _fix_out(fix: Fix) -> list[Any]:
    return [fix.doc, list(fix.path), fix.action, fix.value, fix.safe, fix.description]


def _finding_out(f: Finding) -> list[Any]:
    return [f.code, f.name, int(f.severity), f.message, f.file, f.line, f.column,
            f.end_line, f.end_column, f.entity, f.detail,
            [list(r) for r in f.related], None if f.fix is None else _fix_out(f.fix)]


def _plain_out(value: object) -> object:
    # Directive fields are plain values; lists are tagged so they come back as the
    # type they were (a tuple, a set or a date).
    if isinstance(value, tuple):
        return ["t", [_plain_out(v) for v in value]]
    if isinstance(value, (set, frozenset)):
        return ["s", sorted(_plain_out(v) for v in value)]  # type: ignore[type-var]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise TypeError(f"cannot store {type(value).__name__}")


def encode(result: FileResult) -> list[Any]:
    """``result`` as JSON values (lists, not dicts: a pack holds thousands)."""
    facts = result.facts
    return [
        result.file,
        [_finding_out(f) for f in result.findings],
        [[t.id, list(t.place), t.parent, None if t.parent_place is None
          else list(t.parent_place), t.kind, t.cover] for t in facts.teams],
        [[p.id, p.file, p.doc, p.at, p.team, p.allocation, p.allocation_at, p.has_name,
          list(p.detail), p.work] for p in facts.persons],
        facts.has_people,
        [{k: _plain_out(v) for k, v in d._asdict().items()} for d in result.directives],
        list(result.skipped),
        result.documents,
        [[p.id, p.name, p.title, p.role, p.level, p.skills, p.email, list(p.path)]
         for p in result.people.values()],
        [_fix_out(f) for f in result.fixes],
        result.teams,
    ]


# -- from plain data --------------------------------------------------------------------


def _fix_in(row: object) -> Fix:
    doc, path, action, value, safe, description = _list(row)
    return Fix(_int(doc), _path(path), _str(action), _opt_str(value), _bool(safe),
               _str(description))


def _finding_in(row: object) -> Finding:
    (code, name, severity, message, file, line, column, end_line, end_column, entity,
     detail, related, fix) = _list(row)
    if type(severity) is not int or severity not in _SEVERITIES:
        raise ValueError("not a severity")
    places = []
    for item in _list(related):
        r_file, r_line, r_column = _list(item)
        places.append(Location(_str(r_file), _int(r_line), _int(r_column)))
    # A finding decoded holds new strings where a finding made here shares its rule's
    # code and name and its file's name: at 20,000 files, 60 MB more in the main
    # process of a pooled run.  Interned, they are shared again.
    return Finding(_intern(_str(code)), _intern(_str(name)), _SEVERITIES[severity],
                   _str(message), _intern(_str(file)),
                   _int(line), _int(column), _int(end_line), _int(end_column),
                   _opt_str(entity), _opt_str(detail), tuple(places),
                   None if fix is None else _fix_in(fix))


# Rows are checked by the list of their item types, in C: a warm run on a large org
# reads back a hundred thousand of them.
_PLACE = [str, int, int, int, int, int]
_PLACE_HERE = _PLACE[1:]
_PERSON_FACT = [str, str, int, int, str, int, int, bool, list, str]
_DETAIL = [str, str, int]


def _place_in(row: object, file: str) -> Place:
    if type(row) is not list:
        raise ValueError("not a place")
    if len(row) == 5:  # a place in ``file`` itself, whose name ``to_entry`` leaves out
        if list(map(type, row)) != _PLACE_HERE:
            raise ValueError("not a place")
        return _new_tuple(Place, [file, *row])  # a new list: ``row`` stays as stored
    if list(map(type, row)) != _PLACE:
        raise ValueError("not a place")
    row[0] = _intern(row[0])
    return _new_tuple(Place, row)  # every field checked: made in C, as below


# The type lists of details by length (a person has up to three), made once.
_DETAILS = {n: _DETAIL * (n // 3) for n in range(0, 3 * 4, 3)}
_new_tuple = tuple.__new__


def _person_fact_in(row: object) -> PersonFact:
    if type(row) is not list or len(row) != len(_PERSON_FACT):
        raise ValueError("not a person")
    types = list(map(type, row))
    if row[4] is None:
        types[4] = str
    detail = row[8]
    if types != _PERSON_FACT or list(map(type, detail)) != (
            _DETAILS.get(len(detail)) or _DETAIL * (len(detail) // 3)) or len(detail) % 3:
        raise ValueError("not a person")
    # Every field checked: the tuple is made in C, without PersonFact's Python __new__.
    # Names, files, teams and the detail's words (keys, titles, levels) are interned, as
    # the strings of a fact made here are shared: decoded, they took 40 % more memory.
    row[1] = _intern(row[1])
    if row[4] is not None:
        row[4] = _intern(row[4])
    detail[0::3] = map(_intern, detail[0::3])
    detail[1::3] = map(_intern, detail[1::3])
    row[8] = tuple(detail)
    row[9] = _intern(row[9])  # a few role lists, repeated across the org
    return _new_tuple(PersonFact, row)


def _plain_in(value: object) -> object:
    if type(value) is list:
        tag, items = value
        if tag == "d":
            return dt.date.fromisoformat(_str(items))
        if tag == "t":
            return tuple(_plain_in(v) for v in _list(items))
        if tag == "s":
            return {_plain_in(v) for v in _list(items)}
        raise ValueError("not a tagged value")
    if value is None or type(value) in (bool, int, str):
        return value
    raise ValueError("not a plain value")


def _codes(value: object) -> tuple[str, ...]:
    if type(value) is not tuple or not all(type(v) is str for v in value):
        raise ValueError("not a list of codes")
    return value


def _opt_date(value: object) -> dt.date | None:
    if value is not None and type(value) is not dt.date:
        raise ValueError("not a date")
    return value


# The types of the fields ``apply`` computes with; a field added later only has to be a
# plain value (checked by ``_plain_in``).
_DIRECTIVE_FIELDS = {"line": _int, "column": _int, "target": _int, "codes": _codes,
                     "until": _opt_date, "problem": _opt_str, "file_level": _bool}


def _directive_in(row: object) -> Directive:
    if type(row) is not dict or set(row) != set(Directive._fields):
        raise ValueError("not a directive")
    values: dict[str, Any] = {}
    for key, raw in row.items():
        value = _plain_in(raw)
        check = _DIRECTIVE_FIELDS.get(key)
        values[key] = check(value) if check is not None else value
    return Directive(**values)


def _person_in(row: object) -> Person:
    pid, name, title, role, level, skills, email, path = _list(row)
    return Person(_str(pid), _opt_str(name), _opt_str(title), _opt_str(role),
                  _opt_str(level),  # type: ignore[arg-type]  # the schema checked it once
                  None if skills is None else _strings(skills), _opt_str(email), _path(path))


def _team_fact_in(row: object, file: str) -> TeamFact:
    # The teams of every file of an org are read back at each pre-commit run: checked
    # and made in C where it can be, as person facts are.
    if type(row) is not list or len(row) != 6:
        raise ValueError("not a team")
    tid, place, parent, parent_place, kind, cover = row
    if type(tid) is not str or type(kind) is not str or type(cover) is not str or (
            parent is not None and type(parent) is not str):
        raise ValueError("not a team")
    return _new_tuple(TeamFact, (tid, _place_in(place, file), parent,
                                 None if parent_place is None
                                 else _place_in(parent_place, file), kind, cover))


def _teams_here(rows: list[Any], file: str) -> list[TeamFact]:
    """``_team_fact_in`` of each row, the usual shape (places in ``file`` itself) checked
    in line: the teams of every file of the org are read back at each pre-commit run,
    and three frames a team were 5 M instructions of it.  Any other row takes the
    general path, which refuses what is foreign."""
    out = []
    for row in rows:
        if type(row) is list and len(row) == 6:
            tid, place, parent, parent_place, kind, cover = row
            if (type(tid) is str and type(kind) is str and type(cover) is str
                    and (parent is None or type(parent) is str)
                    and type(place) is list and list(map(type, place)) == _PLACE_HERE
                    and (parent_place is None or (type(parent_place) is list and list(
                        map(type, parent_place)) == _PLACE_HERE))):
                # New lists, not ``insert``: the rows belong to the cache's entries, and
                # a run that folds its deltas writes them to the new pack as they are.
                # (Rows that had gained their file name took the slow path below in
                # every later run.)
                out.append(_new_tuple(TeamFact, (
                    tid, _new_tuple(Place, [file, *place]), parent,
                    None if parent_place is None
                    else _new_tuple(Place, [file, *parent_place]), kind, cover)))
                continue
        out.append(_team_fact_in(row, file))
    return out


def _facts_in(facts: FileFacts, teams: object, persons: object, has_people: object,
              file: str) -> None:
    facts.teams = _teams_here(_list(teams), file)
    facts.persons = [_person_fact_in(row) for row in _list(persons)]
    facts.has_people = _bool(has_people)


def decode(data: object) -> FileResult:
    """The result ``encode`` gave, checked field by field; ``ValueError`` if foreign."""
    try:
        (file, findings, teams, persons, has_people, directives, skipped, documents,
         people, fixes, team_count) = _list(data)
        result = FileResult(_str(file))
        result.findings = [_finding_in(row) for row in _list(findings)]
        _facts_in(result.facts, teams, persons, has_people, result.file)
        result.directives = [_directive_in(row) for row in _list(directives)]
        result.skipped = _strings(skipped)
        result.documents = _int(documents)
        for row in _list(people):
            person = _person_in(row)
            result.people[person.id] = person
        result.fixes = [_fix_in(row) for row in _list(fixes)]
        result.teams = _int(team_count)
    except (TypeError, ValueError, RecursionError) as exc:  # a wrong length: ValueError
        raise ValueError(f"not a cached result: {exc}") from None
    return result


# -- across the pool's pipe -------------------------------------------------------------
#
# A worker's result reaches the main process as JSON (``pool.py``), over a pipe between
# orglint and its own fork that nothing else can write and that never touches the disk:
# so it is rebuilt as it was sent, without the cache's field-by-field checks, which
# guard against bytes an attacker wrote.  NamedTuples go as plain tuples (arrays), a
# severity as its int, a date as its ordinal; the tuples among a result's fields are
# made tuples again.


def _finding_wire(f: Finding) -> tuple[Any, ...]:
    # Most findings point at no other place and carry no fix: sent without those two.
    if not f.related and f.fix is None:
        return (f.code, f.name, f.severity.value, *f[3:11])
    return (f.code, f.name, f.severity.value, *f[3:11], tuple(map(tuple, f.related)),
            None if f.fix is None else tuple(f.fix))


def _directive_wire(d: Directive) -> tuple[Any, ...]:
    return (*d[:4], None if d.until is None else d.until.toordinal(), *d[5:])


def to_worker(result: FileResult) -> tuple[Any, ...]:
    """``result`` as JSON values, for the pipe from a worker process to the main one
    (``pool.run``'s ``send``), run-only fields included."""
    facts = result.facts
    return (result.file, list(map(_finding_wire, result.findings)),
            [(t.id, tuple(t.place), t.parent,
              None if t.parent_place is None else tuple(t.parent_place), t.kind, t.cover)
             for t in facts.teams],
            list(map(tuple, facts.persons)), facts.has_people,
            list(map(_directive_wire, result.directives)), result.skipped,
            result.documents, list(map(tuple, result.people.values())),
            list(map(tuple, result.fixes)), result.teams, result.views, result.stale)


def _finding_back(row: tuple[Any, ...]) -> Finding:
    # Code and name interned, as ``_finding_in`` does and for the same reason: a finding
    # made here shares its rule's strings.
    if len(row) == 11:
        return _new_tuple(Finding, (_intern(row[0]), _intern(row[1]), _SEVERITIES[row[2]],
                                    *row[3:], (), None))
    related, fix = row[11:]
    return _new_tuple(Finding, (
        _intern(row[0]), _intern(row[1]), _SEVERITIES[row[2]], *row[3:11],
        tuple(_new_tuple(Location, r) for r in related),
        None if fix is None else _fix_back(fix)))


def _fix_back(row: list[Any]) -> Fix:
    return _new_tuple(Fix, (row[0], tuple(row[1]), *row[2:]))


def _person_back(row: tuple[Any, ...]) -> PersonFact:
    # Its strings interned, as ``_person_fact_in`` does: at 20,000 teams the main process
    # holds every person fact.
    pid, file, doc, at, team, allocation, allocation_at, has_name, detail, work = row
    words = list(detail)
    words[0::3] = map(_intern, words[0::3])
    words[1::3] = map(_intern, words[1::3])
    return _new_tuple(PersonFact, (pid, _intern(file), doc, at,
                                   None if team is None else _intern(team), allocation,
                                   allocation_at, has_name, tuple(words), _intern(work)))


def _directive_back(row: tuple[Any, ...]) -> Directive:
    return _new_tuple(Directive, (*row[:3], tuple(row[3]), None if row[4] is None
                                  else dt.date.fromordinal(row[4]), *row[5:]))


def from_worker(data: Any) -> FileResult:
    """The result ``to_worker`` sent, rebuilt."""
    (file, findings, teams, persons, has_people, directives, skipped, documents, people,
     fixes, team_count, views, stale) = data
    result = FileResult(file)
    result.findings = list(map(_finding_back, findings))
    facts = result.facts
    facts.teams = [_new_tuple(TeamFact, (tid, _new_tuple(Place, place), parent,
                                         None if at is None else _new_tuple(Place, at),
                                         kind, cover))
                   for tid, place, parent, at, kind, cover in teams]
    facts.persons = list(map(_person_back, persons))
    facts.has_people = has_people
    result.directives = list(map(_directive_back, directives))
    result.skipped = skipped
    result.documents = documents
    result.people = {p[0]: _new_tuple(Person, (*p[:7], tuple(p[7]))) for p in people}
    result.fixes = list(map(_fix_back, fixes))
    result.teams = team_count
    result.views = views
    result.stale = stale
    return result


# -- cache entries ----------------------------------------------------------------------
#
# A pre-commit run in an org reads back every file's result but needs all of it for the
# files named only: of the others, the cross-file rules need the facts.  So an entry
# keeps its parts as JSON texts, decoded when asked for: reading a pack decodes only its
# index (see ``cache._pack``), and a file not named costs the decoding of its facts alone.

_FACTS = slice(2, 5)  # teams, persons, has_people in ``encode``'s list


def _text(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()


def to_entry(result: FileResult) -> list[Any]:
    """``result`` as a cache entry: [finding codes, person ids, [the file, its teams,
    has_people], then as JSON texts (UTF-8) the person facts and the rest].  Raises
    TypeError for a value JSON cannot hold.

    The head is a value, not a text: it sits in the pack's index, which a run decodes
    whole anyway, so the teams of a file not named cost no decoding and no MAC of
    their own (they were a third of a pre-commit run's reading of the cache)."""
    data = encode(result)
    teams, persons, has_people = data[_FACTS]
    del data[_FACTS]
    file = data[0]
    # A place in the file itself without its name: a pre-commit run decodes the teams
    # of every file of the org from the index.
    for team in teams:
        for at in (1, 3):
            if team[at] is not None and team[at][0] == file:
                team[at] = team[at][1:]
    try:
        return [_joined(sorted({f.code for f in result.findings})),
                _joined(sorted({p.id for p in result.facts.persons})),
                [data[0], teams, has_people], _text(persons), _text(data)]
    except ValueError as exc:
        raise TypeError(str(exc)) from None


def _joined(items: list[str]) -> str | list[str]:
    """``items`` as one string, space-separated, where that reads back the same (no
    item empty or holding a space), else as they are.  A space, not a newline: JSON
    escapes a newline, and an escape sends the decoder down its slow path for the
    whole string (5 M instructions for an org's 2,000 entries).  A pre-commit run decodes the
    codes and ids of every file of the org from the pack's index: one JSON string
    costs a fraction of ten."""
    if all(items) and " " not in "".join(items):
        return " ".join(items)
    return items


def _split(value: object) -> list[str]:
    """The items ``_joined`` gave."""
    if type(value) is str:
        return value.split(" ") if value else []
    return _strings(value)


def _bytes(item: object) -> bytes:
    if type(item) is not bytes:
        raise ValueError("not a JSON text")
    return item


def _load(text: Callable[[object], bytes], item: object) -> list[Any]:
    try:
        return _list(json.loads(text(item)))
    except RecursionError:
        raise ValueError("too deep") from None


def from_entry(entry: object, keep: Set[str] | None = None,
               people: Set[str] | None = None,
               text: Callable[[object], bytes] = _bytes) -> FileResult:
    """The result ``to_entry`` stored; ``ValueError`` if foreign.

    With ``keep``, a result whose findings have none of those codes comes back with its
    facts only (no findings, directives or people): what the cross-file rules need of a
    file that is not reported.  With ``people`` too, its person facts only if it names
    one of them or is a People file (whose entries every reference is checked against).
    ``text`` gives the bytes of each text decoded (the cache checks its MAC there).
    """
    try:
        codes, ids, head, persons, rest = _list(entry)
        file, teams, has_people = _list(head)
        if keep is not None and keep.isdisjoint(
                codes.split(" ") if type(codes) is str and codes else _split(codes)):
            # ``_facts_in`` written out, each value checked in line: a pre-commit run
            # comes here for every file of the org but the one named (80 M instructions
            # for 2,000 files through the helpers).
            if type(file) is not str or type(teams) is not list \
                    or type(has_people) is not bool:
                raise ValueError("not a head")
            file = _intern(file)
            result = FileResult(file)
            facts = result.facts
            facts.teams = _teams_here(teams, file)
            if people is None or has_people or not people.isdisjoint(_split(ids)):
                facts.persons = [_person_fact_in(row) for row in _load(text, persons)]
            facts.has_people = has_people
            return result
        data = _load(text, rest)
        data[_FACTS.start:_FACTS.start] = [teams, _load(text, persons), has_people]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a cached result: {exc}") from None
    return decode(data)
