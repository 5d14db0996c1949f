"""Write an import as Team, Group and People files, merging into what is already there.

A file that exists is read with ruamel.yaml round-trip and only the fields the source
carries are touched: a value that is already right is left as it is (so importing the
same source twice changes no byte), a field the source does not carry is never read or
written, and comments stay where people put them.  Every file is worked out in memory
first, so a refusal (a symbolic link, a file that is not orglint's) stops the import
before anything is written; each write is atomic (``fsutil.replace``).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ruamel.yaml.scalarbool import ScalarBoolean

from orglint import fsutil
from orglint.escape import unseen
from orglint.importers import MAX_INPUT, Imported, ImportFailed, Member, Person, Team
from orglint.ntuple import NamedTuple

# (mapping, sequence, offset) indentations tried on an existing file; the first is ours.
_STYLES = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0))
_TEAM_META = ("title", "parent")
_TEAM_SPEC = ("maturity", "size", "systems", "practices")
_MEMBER = ("role", "allocation", "owns")
_PERSON = ("name", "email", "title", "level", "role")
# As the loader's max-alias-nodes: what aliases may add to a file, in nodes, when the
# merge reads the document as plain data (a nine-level alias bomb is 9**9 lists).
_ALIAS_NODES = 10_000
_IN_PROGRESS = -1


class Output(NamedTuple):
    path: Path
    text: str | None  # None: unchanged
    original: bytes | None


class Report(NamedTuple):
    written: list[Path]
    unchanged: int
    notes: list[str]
    worklist: list[tuple[str, str, list[str]]]  # title, what it reads as, who holds it


def _yaml(style: tuple[int, int, int] = _STYLES[0]) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=style[0], sequence=style[1], offset=style[2])
    yaml.width = 1 << 16  # never re-wrap a long title
    return yaml


def _dump(yaml: Any, doc: Any) -> str:
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _load(path: Path, text: str) -> tuple[Any, Any]:
    """The ruamel instance that reproduces ``text`` (else ours) and its one document."""
    chosen = None
    for style in _STYLES:
        try:
            docs = list(_yaml(style).load_all(text))
        except Exception as exc:  # ruamel raises many types; all mean "cannot merge"
            raise ImportFailed(f"{path}: cannot be read as YAML ({type(exc).__name__});"
                               " fix it or move it away") from None
        if len(docs) != 1:
            raise ImportFailed(f"{path}: holds {len(docs)} YAML documents; orglint import"
                               " writes one per file, so it will not merge into it")
        if chosen is None:
            chosen = (_yaml(style), docs[0])
        if _dump(_yaml(style), docs[0]) == text:
            return _yaml(style), docs[0]
    assert chosen is not None
    return chosen


def _expanded(node: Any, memo: dict[int, int]) -> int:
    """How many mappings and sequences ``node`` is once every alias is copied; -1 for a
    document that contains itself."""
    if not isinstance(node, (dict, list)):
        return 0
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = _IN_PROGRESS
    total = 1
    for child in node.values() if isinstance(node, dict) else node:
        size = _expanded(child, memo)
        if size == _IN_PROGRESS:
            return _IN_PROGRESS
        total += size
    memo[key] = total
    return total


def _check_aliases(path: Path, doc: Any) -> None:
    # Shared, not copied, when ruamel reads it; _plain and the schema copy every alias.
    memo: dict[int, int] = {}
    size = _expanded(doc, memo)
    if size == _IN_PROGRESS or size - len(memo) > _ALIAS_NODES:
        raise ImportFailed(f"{path}: its aliases expand to more than {_ALIAS_NODES:,} nodes"
                           " (or to themselves); orglint import will not merge into it")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if value is None or type(value) in (bool, int, float):
        return value
    # ruamel's own numbers (an anchored 2, 0x3C, 6_0, 60.0) and an anchored boolean are
    # subclasses of int and float, which the schema's validator refuses by type: the
    # number, or the boolean, as read.
    if isinstance(value, ScalarBoolean):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    # A date, a set, a '!tag'ged scalar: the schema's validator takes only JSON's types.
    return str(getattr(value, "value", value))


def _node(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    if isinstance(value, list):
        seq = CommentedSeq([_node(v) for v in value])
        seq.fa.set_flow_style()  # ids fit on one line, as people write them
        return seq
    if isinstance(value, str) and any(c in value for c in _HIDDEN):
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        # Written raw (ruamel does so in a plain or single-quoted scalar), each would be
        # a line break YAML folds away and git does not show: escaped (\N, \L, \P,
        # \r), the value reads back as the source gave it.
        return DoubleQuotedScalarString(value)
    return value


_HIDDEN = ("\x85", "\u2028", "\u2029", "\r")


def _items(current: list[Any], value: list[Any]) -> bool:
    """Both lists of scalars (ids, names): items that can be kept one by one."""
    return all(isinstance(v, (str, int, float, bool)) for v in (*_plain(current), *value))


# A line break as ruamel counts them (YAML 1.2: not U+0085, U+2028 or U+2029).
_BREAK = re.compile("\r\n|[\r\n]")


def _edit(mapping: Any, key: str, current: Any, value: list[Any],
          have: Counter[Any], dropped: list[str]) -> None:
    """``mapping[key]``, the list ``current``, made to hold the items of ``value`` (as a
    multiset) in one pass: an item that stays keeps its place and its comments, one
    removed takes only its own end-of-line comment with it, the new ones go at the end.

    ruamel keeps the comment lines after an item with that item, so they belong to what
    follows it: the lines after an item removed go after the item kept before it (or
    before the first item kept), and the lines after the last item close the list
    whatever is added.  Not ``del`` item by item: ruamel renumbers every comment of the
    list at each (a list of 16,000 items took seconds)."""
    extra = have - Counter(value)
    doomed = [False] * len(current)
    for index in range(len(current) - 1, -1, -1):  # the last ones of a repeated item go
        item = _plain(current[index])
        if extra[item] > 0:
            extra[item] -= 1
            doomed[index] = True
    ca = getattr(current, "ca", None)
    old: dict[int, Any] = dict(ca.items) if ca is not None else {}
    tail = _split_off(old, len(current) - 1)
    # The lines moved, joined once each: appended one by one, the text after an item
    # kept grew by a copy per item removed (quadratic).
    lead: list[str] = []
    moved: dict[int, list[str]] = {}
    kept: list[Any] = []
    slots: dict[int, Any] = {}
    for index, item in enumerate(list(current)):
        if not doomed[index]:
            if index in old:
                slots[len(kept)] = old[index]
            kept.append(item)
            continue
        lines = _split_off(old, index)
        if lines:
            (moved.setdefault(len(kept) - 1, []) if kept else lead).append(lines)
        own = old[index][0] if old.get(index) else None
        if own is not None and own.value.strip():
            dropped.append(own.value.strip())
    for at, pieces in moved.items():
        _follow(slots, at, "".join(pieces))
    list.clear(current)  # not ruamel's: the comments are renumbered here, once
    list.extend(current, kept)
    if ca is not None:
        ca.items.clear()
        ca.items.update(slots)
    current.extend(item for item in value if _take(have, item))
    if ca is None:
        return
    if len(current):
        if lead:
            _lead(current, "".join(lead), mapping, key)
        if tail:
            _follow(ca.items, len(current) - 1, tail)
        return
    # Written `[]`, the list holds no comment line of its own: the lines before its
    # items and after them close it, after the key's own comment if it has one (both
    # where ruamel keeps a flow list's end-of-line comment).
    before = ca.comment[1] if ca.comment is not None and ca.comment[1] else []
    lines = "".join([*(" " * (token.column or 0) + token.value.lstrip(" ")
                       for token in before), *lead, tail])
    slot = mapping.ca.items.setdefault(key, [None, None, None, None])
    slot[3] = ca.comment = None
    current.fa.set_flow_style()  # `[]` on its key's line, whatever comes after it
    if lines:
        _put_lines(slot, 2, lines)
    if slot[2] is not None:
        ca.comment = [slot[2], None]


def _first_places(root: Any) -> dict[int, tuple[int, Any]]:
    """Each collection of ``root`` (by id) -> where it is first written, in document order
    (its parent's id and its key there): an anchored node is written there, and only an
    alias elsewhere."""
    first: dict[int, tuple[int, Any]] = {}
    start: list[tuple[Any, Any, Any]] = [(None, None, root)]
    stack = [iter(start)]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        parent, key, node = step
        if not isinstance(node, (dict, list)) or id(node) in first:
            continue
        first[id(node)] = (id(parent), key)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        stack.append(iter([(node, k, v) for k, v in items]))
    return first


def _last_slot(node: Any, root: Any = None) -> tuple[Any, int] | None:
    """The comment slot after the last scalar of ``node`` (a mapping or a list, nested as
    deep as its last values are, in the document ``root``): the slot list and the index
    in it of the comment that follows that scalar."""
    first = _first_places(root) if root is not None else {}
    while isinstance(node, (dict, list)) and len(node) and hasattr(node, "ca"):
        last: Any = list(node)[-1] if isinstance(node, dict) else len(node) - 1
        value = node[last]
        style: Any = getattr(value, "fa", None)  # ruamel's, on the nodes it made
        anchor: Any = getattr(value, "anchor", None)
        # Not into an alias: the node and its comments are written at its anchor.
        here = first.get(id(value), (id(node), last)) == (id(node), last) \
            if getattr(anchor, "value", None) else True
        if isinstance(value, (dict, list)) and len(value) and style is not None \
                and not style.flow_style() and here:
            node = value
            continue
        return node.ca.items.setdefault(last, [None, None, None, None]), \
            2 if isinstance(node, dict) else 0
    return None


def _detach_tail(node: Any, root: Any = None) -> str:
    """The comment lines after the last scalar of ``node``, taken from it."""
    found = _last_slot(node, root)
    return _take_lines(*found) if found is not None else ""


def _attach_tail(node: Any, lines: str, root: Any = None) -> None:
    """Put comment ``lines`` after the last scalar of ``node``, after its own comment."""
    found = _last_slot(node, root)
    if found is not None:
        _put_lines(*found, lines)


def _put_lines(slot: list[Any], at: int, lines: str) -> None:
    """Comment ``lines`` in ``slot[at]``, after the comment there (a token made by
    ruamel's ``yaml_add_eol_comment`` has no line break at its end); a token of its
    own, opened by a line break, where there is none."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    token = slot[at]
    if token is None:
        slot[at] = CommentToken("\n" + lines, CommentMark(0), None)
        return
    if not token.value.endswith(("\n", "\r")):
        token.value += "\n"
    token.value += lines


def _split_off(slots: dict[int, Any], index: int) -> str:
    """The comment lines (and blank lines) after item ``index``, taken from its slot;
    its own end-of-line comment stays."""
    slot: Any = slots.get(index) if index >= 0 else None
    return _take_lines(slot, 0) if slot else ""


def _take_lines(slot: list[Any], at: int) -> str:
    """The lines after the first of the comment token ``slot[at]``, taken from it: what
    follows a value, not its own end-of-line comment."""
    token = slot[at]
    if token is None:
        return ""
    found = _BREAK.search(token.value)
    if found is None or found.end() == len(token.value):
        return ""
    rest = token.value[found.end():]
    if found.start():
        token.value = token.value[:found.end()]
    else:  # no comment of its own: only the lines after it
        slot[at] = None
    return str(rest)


def _follow(slots: dict[int, Any], index: int, lines: str) -> None:
    """Put comment ``lines`` after item ``index``, after its own comment."""
    _put_lines(slots.setdefault(index, [None, None, None, None]), 0, lines)


def _lead(node: Any, lines: str, mapping: Any, key: str) -> None:
    """Put comment ``lines`` before the first item of ``node`` (``mapping[key]``), after
    the comment lines already there.  ruamel shares that list with the key above
    ``node``: it is written from there."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    pieces = _BREAK.split(lines)
    if pieces and not pieces[-1]:
        pieces.pop()  # what follows the last break
    tokens = []
    for line in pieces:
        body = line.lstrip(" ")
        tokens.append(CommentToken(body + "\n" if body.strip() else "\n",
                                   CommentMark(len(line) - len(body)), None))
    comment = node.ca.comment
    if comment is None:
        node.ca.comment = comment = [None, tokens]
    elif comment[1] is None:
        comment[1] = tokens
    else:
        comment[1].extend(tokens)
    slot = mapping.ca.items.setdefault(key, [None, None, None, None])
    slot[3] = comment[1]


def _take(have: Counter[Any], item: Any) -> bool:
    """Whether ``item`` is still to be added: not among those ``have`` counts (taken)."""
    if have[item] > 0:
        have[item] -= 1
        return False
    return True


class _Merge:
    """Puts the source's values into a document, counting what really changed."""

    def __init__(self, roled: set[str]) -> None:
        self.changed = False
        self.roled = roled  # people with a role in the files, by the source or by hand
        # The end-of-line comments of the items removed from lists, which go with them:
        # the only comments the file written may lack.
        self.dropped: list[str] = []
        self.root: Any = None  # the document merged into, when it was read from a file
        # Where each mapping and list the merge reached is, as ``_unintended`` names
        # places (an entry of members or people by its id), and the places it changed.
        # A place changed holds the value the source gives there (checked after: a list
        # shared with another entry is not that entry's to change), or _WHOLE: anything
        # (an entry or a section the merge made).
        self.where: dict[int, tuple[str, ...]] = {}
        self.intended: dict[tuple[str, ...], Any] = {}

    def _at(self, node: Any) -> tuple[str, ...]:
        return self.where.get(id(node), ("?",))

    def put(self, mapping: Any, key: str, value: Any) -> None:
        # Recorded even when it already holds it: through an anchor, another entry's
        # edit may change it, and it must still hold it then.
        self.intended[(*self._at(mapping), key)] = value
        current = mapping.get(key)
        if key in mapping and _plain(current) == value:
            return
        if isinstance(current, list) and isinstance(value, list) and _items(current, value):
            # Systems, owns, skills: sets, in whatever order the file keeps them.  Item
            # by item, in place: an item that stays keeps its comment, and a comment
            # after a flow list belongs to the list, not to the key.
            have = Counter(_plain(current))
            want = Counter(value)
            if have == want:
                return
            _edit(mapping, key, current, value, have, self.dropped)
        else:
            mapping[key] = _node(value)
        self.changed = True

    def section(self, parent: Any, key: str) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        node = parent.get(key)
        wanted = CommentedSeq if key in ("members", "people") else CommentedMap
        path = (*self._at(parent), key)
        if not isinstance(node, wanted):
            parent[key] = node = wanted()
            self.changed = True
            self.intended[path] = _WHOLE
        self.where[id(node)] = path
        return node

    def entries(self, seq: Any, items: Iterable[Member | Person], fields: tuple[str, ...],
                notes: list[str], where: str) -> None:
        from ruamel.yaml.comments import CommentedMap

        index = {str(e["id"]): e for e in seq if isinstance(e, dict) and "id" in e}
        # An entry is named by its id and, for an id listed again, which of them it is.
        named: dict[int, str] = {}
        seen_ids: Counter[str] = Counter()
        for e in seq:
            if isinstance(e, dict) and "id" in e:
                seen_ids[str(e["id"])] += 1
                named[id(e)] = _entry_name(str(e["id"]), seen_ids[str(e["id"])])
        # The comment lines after the last entry close the list: an entry added goes
        # before them (ruamel keeps them with the last value of the last entry).
        tail = _detach_tail(seq[-1], self.root) if len(seq) else ""
        for item in items:
            entry = index.get(item.id)
            path = (*self._at(seq), named.get(id(entry), _entry_name(item.id, 1)))
            if entry is None:
                entry = CommentedMap()
                entry["id"] = item.id
                if seq.fa.flow_style():
                    # An entry of a list written in flow style is written so too, with no
                    # comment: one inside a flow list ends the line, and the list with it
                    # (found by review: "[{id: a}, id: b  # from hr.csv row 3\n]}").
                    entry.fa.set_flow_style()
                else:
                    entry.yaml_add_eol_comment(f"from {printable(item.origin)}", "id")
                seq.append(entry)
                index[item.id] = entry
                self.changed = True
                self.intended[path] = _WHOLE
            self.where[id(entry)] = path
            for field in fields:
                if field in item.fields:
                    self.put(entry, field, item.fields[field])
        if tail:
            _attach_tail(seq[-1], tail, self.root)
        seen = {item.id for item in items}
        self.roled.update(person_id for person_id, entry in index.items() if "role" in entry)
        for person_id in index:
            if person_id not in seen:
                notes.append(f"{where}: {person_id} is in the file but not in the source;"
                             " left as it is")


_ENTRY = "#id="  # a place's part naming an entry of members or people by its id
_WHOLE = object()  # an intended place whose every value is the merge's


def _entry_name(entry_id: str, occurrence: int) -> str:
    return _ENTRY + entry_id + (f" (#{occurrence})" if occurrence > 1 else "")


def _holds(value: Any, expected: Any) -> bool:
    """Whether ``value`` (read back) is what the source gives: a list of ids or names
    as a multiset, in whatever order the file keeps it."""
    if isinstance(value, list) and isinstance(expected, list):
        try:
            return Counter(map(str, value)) == Counter(map(str, expected))
        except TypeError:
            return value == expected
    return _same(value, expected)


def _same(old: Any, new: Any) -> bool:
    # A NaN (".nan" in a label) is the value it was, though it equals nothing.
    return bool(old == new) or (isinstance(old, float) and isinstance(new, float)
                                and old != old and new != new)


def _unintended(old: Any, new: Any, intended: dict[tuple[str, ...], Any],
                path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The first place where ``new`` differs from ``old`` (both as orglint reads them:
    aliases and merge keys resolved) and is not what the merge meant, or None: a place
    outside those the merge changed, or one of them that does not hold the value the
    source gives (an edit through another entry's anchor).  Entries of members and
    people are matched by id, in order when an id is listed twice."""
    if path in intended:
        expected = intended[path]
        return None if expected is _WHOLE or _holds(new, expected) else path
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            if key not in old or key not in new:
                here = (*path, str(key))
                if here not in intended or (key in new and intended[here] is not _WHOLE
                                            and not _holds(new[key], intended[here])):
                    return here
                continue
            found = _unintended(old[key], new[key], intended, (*path, str(key)))
            if found is not None:
                return found
        return None
    if (isinstance(old, list) and isinstance(new, list) and path[-1:] in (("members",),
                                                                          ("people",))):
        olds: dict[str, list[Any]] = {}
        for e in old:
            if isinstance(e, dict) and "id" in e:
                olds.setdefault(str(e["id"]), []).append(e)
        taken: Counter[str] = Counter()
        for k, entry in enumerate(new):
            if not (isinstance(entry, dict) and "id" in entry):
                if k >= len(old) or not _same(old[k], entry):
                    return (*path, str(k))
                continue
            pid = str(entry["id"])
            taken[pid] += 1
            where = (*path, _entry_name(pid, taken[pid]))
            if taken[pid] > len(olds.get(pid, ())):
                if where not in intended:
                    return where
                continue
            found = _unintended(olds[pid][taken[pid] - 1], entry, intended, where)
            if found is not None:
                return found
        return None if len(new) >= len(old) else (*path, str(len(new)))
    return None if _same(old, new) else path


def _read_back(text: str, path: Path) -> Any:
    """``text``'s one document as the check reads it (aliases and merge keys resolved);
    refused when the check cannot read it, as no change to it could then be checked."""
    from orglint.loader import Limits, load

    loaded = load(text.encode("utf-8"), str(path), Limits(max_file_size=MAX_INPUT))
    if loaded.failed or len(loaded.documents) != 1:
        problem = next((f.message for f in loaded.findings), "it holds no one document")
        raise ImportFailed(f"{path}: not written: orglint's check cannot read it as one"
                           f" document ({problem}); fix that first")
    return loaded.documents[0].data


def printable(text: str) -> str:
    """Text for a comment: a file name or a source value must not end the comment line,
    nor hide in it (a character that shows nothing is escaped too)."""
    hidden = set(unseen(text))
    return "".join(c if c.isprintable() and c not in hidden else _escaped(ord(c))
                   for c in text)


def _escaped(point: int) -> str:
    # Four or eight digits past U+00FF: "\x202e" would read as a space and "2e".
    if point < 0x100:
        return f"\\x{point:02x}"
    return f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"


def _header(imported: Imported, what: str) -> str:
    return (f"{what}, imported by 'orglint import {imported.source}' from"
            f" {printable(', '.join(imported.inputs))}.\n"
            "Fields the source carries are updated by the next import; every other field"
            " and every comment is yours.")


def _team_doc(team: Team, doc: Any, imported: Imported, maturity: str | None,
              merge: _Merge, notes: list[str]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    if doc is None:
        doc = CommentedMap()
        doc["apiVersion"] = "orglint/v1"
        doc["kind"] = team.kind
        doc.yaml_set_start_comment(_header(imported, f"{team.kind} {team.id}"))
        merge.changed = True
    meta = merge.section(doc, "metadata")
    merge.put(meta, "name", team.id)
    for key in _TEAM_META:
        if key in team.metadata:
            merge.put(meta, key, team.metadata[key])
    if team.kind == "Group":
        if doc.get("kind") == "Team":
            notes.append(f"team {team.id}: {imported.source} gives it no member now; its file"
                         " keeps the members it has")
        return doc
    spec = merge.section(doc, "spec")
    if "maturity" in team.spec:
        merge.put(spec, "maturity", team.spec["maturity"])
    elif "maturity" not in spec:
        # The comment says where the stage came from: the stage asked for, or the
        # option's default, which no one chose.
        spec["maturity"] = maturity or DEFAULT_MATURITY
        said = (f"from --maturity {maturity}" if maturity is not None
                else f"--maturity default ({DEFAULT_MATURITY})")
        spec.yaml_add_eol_comment(f"{said}: {imported.source} gives no maturity; set the"
                                  " team's real stage", "maturity")
        merge.changed = True
    for key in _TEAM_SPEC[1:]:
        if key in team.spec:
            merge.put(spec, key, team.spec[key])
    members = merge.section(spec, "members")
    merge.entries(members, team.members, _MEMBER, notes, f"team {team.id}")
    return doc


def _people_doc(imported: Imported, doc: Any, merge: _Merge, notes: list[str]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    if doc is None:
        doc = CommentedMap()
        doc["apiVersion"] = "orglint/v1"
        doc["kind"] = "People"
        doc.yaml_set_start_comment(_header(imported, "People"))
        merge.changed = True
    spec = merge.section(doc, "spec")
    people = merge.section(spec, "people")
    merge.entries(people, imported.people.values(), _PERSON, notes, "people.yaml")
    return doc


def _existing(path: Path) -> tuple[str | None, bytes | None]:
    info = fsutil.lstat(path)
    if info is None:
        return None, None
    reason = fsutil.refusal(path, info)
    if reason is not None:
        raise ImportFailed(f"{path}: not written: {reason}")
    raw = fsutil.read_regular(path, MAX_INPUT)
    try:
        return raw.decode("utf-8"), raw
    except UnicodeDecodeError:
        raise ImportFailed(f"{path}: is not UTF-8; orglint import will not merge into it"
                           ) from None


# A group of the source that gained its first member is a team now, and a team that lost
# its last one keeps its file (and the members written there) as it is: both are one id's
# file of the org, written by an earlier import (found by review: a normal org change was
# refused until the file was deleted by hand).
_BECOMES = {("Group", "Team"), ("Team", "Group")}


def _check_kind(path: Path, doc: Any, kind: str, name: str | None) -> None:
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    ok = isinstance(doc, dict) and (doc.get("kind") == kind or (
        doc.get("kind"), kind) in _BECOMES) and (
        name is None or (isinstance(meta, dict) and meta.get("name") == name))
    if not ok:
        what = f"{kind} {name}" if name else kind
        raise ImportFailed(f"{path}: exists and is not the {what} document this import"
                           " writes; move it away or choose another --output")


def _output(path: Path, build: Any, kind: str, name: str | None, roled: set[str]) -> Output:
    text, original = _existing(path)
    # A byte order mark is kept, and out of the way while the file is merged: read with
    # it, no indentation style reproduced the file, which came back re-indented.
    bom = text is not None and text.startswith("\ufeff")
    if bom:
        assert text is not None
        text = text[1:]
    # A file with CRLF line ends is read and merged with '\n' ones, which ruamel writes,
    # and written back with its own: read as they are, its style was never recognised
    # (the file came back re-indented) and its comments kept their '\r'.
    crlf = text is not None and "\r\n" in text and text.count("\r\n") == text.count("\n")
    if crlf:
        assert text is not None
        text = text.replace("\r\n", "\n")
    merge = _Merge(roled)
    if text is None:
        yaml, doc = _yaml(), None
    else:
        yaml, doc = _load(path, text)
        _check_aliases(path, doc)
        _check_kind(path, doc, kind, name)
    merge.root = doc
    if doc is not None:
        merge.where[id(doc)] = ()
        if (doc.get("kind"), kind) == ("Group", "Team"):
            doc["kind"] = "Team"
            merge.intended[("kind",)] = "Team"
            merge.changed = True
    doc = build(doc, merge)
    if not merge.changed:
        return Output(path, None, original)
    # A team that lost its last member keeps its file, a Team (``_BECOMES``).
    _validate(path, doc, doc.get("kind") if doc.get("kind") in ("Team", "Group") else kind)
    new = _dump(yaml, doc)
    if text is not None:
        from orglint.comments import keep_gaps

        new = keep_gaps(text, new)  # each end-of-line comment as far from its line
        _kept_comments(path, text, new, merge.dropped)
        more = Counter(unseen(new)) - Counter(unseen(text))
        if more:
            # ruamel writes such a character raw, even in a value the file escapes
            # ("\u202e"): a change no reviewer could see in the diff.  Counted by
            # character: one removed must not make room for another.
            raise ImportFailed(
                f"{path}: not written: the YAML writer would write a character that shows"
                f" nothing (U+{ord(next(iter(more))):04X}) raw where the file escapes it;"
                " write that value without it, then import again")
        # What the file says must change only where the source says so: a value shared
        # through an anchor, or inherited through a merge key ('<<'), would otherwise
        # change with the one the source gives (found by review: a person's owns
        # rewritten through another's alias, and a title through '<<: *b').  Read back
        # only for a file that changes: an import again of an unchanged org parses none.
        where = _unintended(_read_back(text, path), _read_back(new, path), merge.intended)
        if where is not None:
            shown = ".".join(p.replace(_ENTRY, "id=") for p in where)
            raise ImportFailed(
                f"{path}: not written: merging would also change {shown}, which the"
                " source does not give (a value shared through a YAML anchor or taken"
                " through a merge key '<<' changes with the one the source gives, and the"
                " YAML writer may rewrite a tagged value); write that value out in its"
                " entry, then import again")
        if crlf:
            new = new.replace("\n", "\r\n")
        if bom:
            new = "\ufeff" + new
    return Output(path, new, original)


def _kept_comments(path: Path, before: str, after: str, dropped: list[str]) -> None:
    """Refuse a file written without a comment of it, but those of the items removed.
    ruamel, which writes the files, keeps no comment inside a list or mapping written in
    flow style over several lines: such a file is not written, rather than written
    without the comment."""
    from orglint.comments import comments

    missing = (Counter(c.text.strip() for c in comments(before))
               - Counter(c.text.strip() for c in comments(after)) - Counter(dropped))
    if missing:
        lost = next(iter(missing))
        raise ImportFailed(
            f"{path}: not written: a comment would be lost ({printable(lost)!r}); the YAML"
            " writer cannot keep it where it is (inside a list or mapping written in flow"
            " style over several lines, between a key and its value, around '---' or"
            " '...'): move it, or write that list in block style")


def _validate(path: Path, doc: Any, kind: str) -> None:
    from orglint.resources import schema
    from orglint.schema import explain_all

    problems = explain_all(_plain(doc), schema(kind))
    if problems:
        where, message, _ = problems[0]
        raise ImportFailed(f"{path}: would not pass the {kind} schema"
                           f" ({'.'.join(str(p) for p in where)}: {message}); fix that"
                           " field by hand and import again")


def team_file(team_id: str) -> str:
    """A team's file name, one per team: a team called "people" must not take
    people.yaml, and then a team called "people.team" must not take its file (any id
    ending in ".team" gets the suffix too, which keeps the names distinct)."""
    lower = team_id.lower()
    special = lower == "people" or lower.endswith(".team")
    return f"{team_id}.team.yaml" if special else f"{team_id}.yaml"


DEFAULT_MATURITY = "exploring"


def write(imported: Imported, output: Path, maturity: str | None, matrix: Any) -> Report:
    """``maturity``: the stage of a team the source gives none; None, the default."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise ImportFailed(f"--output {output}: not a folder orglint can write into")
    # A committed link above it (``org -> /elsewhere``, then ``--output org/teams``)
    # would carry every file written, and the folders made, to where it points.
    linked = fsutil.folder_link(output / "team.yaml")
    if linked is not None:
        raise ImportFailed(f"--output {output}: not written: {linked}")
    notes = list(imported.notes)
    roled: set[str] = set()
    outputs: list[Output] = []
    for team in sorted(imported.teams.values(), key=lambda t: t.id):
        def build(doc: Any, merge: _Merge, team: Team = team) -> Any:
            return _team_doc(team, doc, imported, maturity, merge, notes)

        outputs.append(_output(output / team_file(team.id), build, team.kind, team.id, roled))
    if imported.people:
        def people(doc: Any, merge: _Merge) -> Any:
            return _people_doc(imported, doc, merge, notes)

        outputs.append(_output(output / "people.yaml", people, "People", None, roled))
    # Two outputs on one file would leave only the last (and a file system that folds
    # case would merge names that differ in case): refused before anything is written.
    taken: dict[str, Path] = {}
    for out in outputs:
        other = taken.setdefault(out.path.name.casefold(), out.path)
        if other is not out.path:
            raise ImportFailed(f"{out.path}: two of the imported teams would be written to"
                               f" {other.name}: rename one in the source")
    written = []
    try:
        output.mkdir(parents=True, exist_ok=True)
        for out in outputs:
            if out.text is None:
                continue
            fsutil.replace(out.path, out.text.encode("utf-8"), expect=out.original)
            written.append(out.path)
    except fsutil.Refused as exc:
        raise ImportFailed(f"{out.path}: not written: {exc}") from None
    except OSError as exc:
        raise ImportFailed(f"{exc.filename or output}: cannot write:"
                           f" {exc.strerror or exc}") from None
    unchanged = sum(1 for out in outputs if out.text is None)
    return Report(written, unchanged, notes, worklist(imported, matrix, roled))


def worklist(imported: Imported, matrix: Any, with_role: set[str]
             ) -> list[tuple[str, str, list[str]]]:
    """Titles that name no role, with who holds them and has no ``role`` anywhere in the
    files: the roles left to set by hand."""
    holders: dict[str, list[str]] = {}
    for person in imported.people.values():
        title = person.fields.get("title")
        if person.id in with_role or not isinstance(title, str):
            continue
        if matrix.role_for_title(title) is None:
            holders.setdefault(title, []).append(person.id)
    out = []
    for title in sorted(holders, key=str.lower):
        read = matrix.resolve_title(title)
        what = (f"could be {' or '.join(read.candidates)}" if read.ambiguous
                else "maps to no role")
        out.append((title, what, sorted(holders[title])))
    return out
