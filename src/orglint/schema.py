"""Validate: a loaded document against its JSON Schema, with errors in plain words.

The schemas in ``schemas/`` are the contract.  jsonschema-rs checks them on the hot path
(about 80 times faster than the jsonschema package on this corpus: 0.09 s against 7 s
for 2,000 teams); only invalid documents pay for the slower error walk below, which
turns each error into an ORG003 finding at the exact node.  A run's first documents are
first offered to ``orglint.conform``, whose certain "valid" spares a short run (one
file, the pre-commit case) the import of jsonschema-rs; anything else goes to it.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import Any

from orglint import envelope
from orglint.findings import Finding, Severity
from orglint.lazyre import deferred
from orglint.loader import Document
from orglint.model import whole
from orglint.resources import schema
from orglint.source import MovedSource, Path, SourceMap, nest
from orglint.wording import plural

API_VERSION = "orglint/v1"
KINDS = ("Team", "People", "RoleMatrix", "Group", "Policy")


MAX_COMPARED = 400  # candidates one hint compares, the nearest in length first
MAX_HINTED = 200  # distinct words one file gets hints for; later ones are plainly unknown
MAX_WORD = 128  # longer words get no spelling hint: difflib is quadratic in the length
_MEMO_SIZE = 50_000


class Vocabulary:
    """The choices of "did you mean", prepared once, with each word's answer memoised.

    difflib compares a word with every choice: 800,000 unknown ids against a matrix, or
    one unknown role against a matrix of 60,000 roles, took minutes.  Here a word costs
    at most ``MAX_COMPARED`` comparisons, with the choices nearest in length (the only
    ones that can reach the cutoff), and a word seen before costs a lookup.
    """

    def __init__(self, choices: Any) -> None:
        self.options = sorted({str(c) for c in choices})
        self.by_length: dict[int, list[str]] = {}
        for option in self.options:
            self.by_length.setdefault(len(option), []).append(option)
        self.lengths = sorted(self.by_length)
        self.lowered = sorted(o.lower() for o in self.options)
        self.original = {o.lower(): o for o in self.options}
        self.memo: dict[tuple[str, float], str | None] = {}

    def best(self, word: str, cutoff: float = 0.6) -> str | None:
        """The one choice a typo most likely meant: a close spelling, else a unique
        prefix."""
        key = (word, cutoff)
        if key in self.memo:
            return self.memo[key]
        found = self._close(word, cutoff) or self._prefixed(word)
        plain = word.casefold().replace("_", "-").replace(" ", "-")
        if found is None and plain != word:
            # Ids are lower-case kebab: "TRAINING_CODE" is two steps from training-code,
            # too far for a spelling match, and one obvious slip.
            found = self._close(plain, cutoff) or self._prefixed(plain)
        if len(self.memo) < _MEMO_SIZE:
            self.memo[key] = found
        return found

    def _close(self, word: str, cutoff: float) -> str | None:
        import bisect
        import difflib

        size = len(word)
        if size > MAX_WORD:
            return None
        # difflib's ratio is 2M/(a+b) with M at most the shorter length, so lengths
        # outside this window can never reach the cutoff.
        low = size * cutoff / (2 - cutoff)
        high = size * (2 - cutoff) / max(cutoff, 0.01)
        lengths = self.lengths
        above = bisect.bisect_left(lengths, size)
        below = above - 1
        candidates: list[str] = []
        while len(candidates) < MAX_COMPARED:
            up = lengths[above] if above < len(lengths) and lengths[above] <= high else None
            down = lengths[below] if below >= 0 and lengths[below] >= low else None
            if up is None and down is None:
                break
            if down is None or (up is not None and up - size <= size - down):
                candidates.extend(self.by_length[lengths[above]])
                above += 1
            else:
                candidates.extend(self.by_length[lengths[below]])
                below -= 1
        close = difflib.get_close_matches(word, candidates[:MAX_COMPARED], n=1,
                                          cutoff=cutoff)
        return close[0] if close else None

    def _prefixed(self, word: str) -> str | None:
        import bisect

        lowered = word.lower()
        if len(lowered) < 3:
            return None
        start = bisect.bisect_left(self.lowered, lowered)
        matching = [h for h in self.lowered[start:start + 2] if h.startswith(lowered)]
        return self.original[matching[0]] if len(matching) == 1 else None


_VOCABULARIES: dict[int, tuple[Any, int, Vocabulary]] = {}
_hinted: set[str] = set()


def new_hint_scope() -> None:
    """Start counting distinct hinted words afresh (once per file checked), so a file's
    hints depend on that file alone, whichever worker process checks it."""
    _hinted.clear()


def _vocabulary(choices: Any) -> Vocabulary:
    if isinstance(choices, Vocabulary):
        return choices
    if not isinstance(choices, (dict, tuple, frozenset)):
        return Vocabulary(choices)
    # Keyed by identity, holding the object so the id cannot be reused: the matrix's
    # tables are passed again for every unknown id of every file.
    known = _VOCABULARIES.get(id(choices))
    if known is not None and known[0] is choices and known[1] == len(choices):
        return known[2]
    if len(_VOCABULARIES) >= 32:
        _VOCABULARIES.pop(next(iter(_VOCABULARIES)))
    vocabulary = Vocabulary(choices)
    _VOCABULARIES[id(choices)] = (choices, len(choices), vocabulary)
    return vocabulary


def closest(word: str, choices: Any, cutoff: float = 0.6) -> str | None:
    """The one choice a typo most likely meant: a close spelling, else a unique prefix.

    Past ``MAX_HINTED`` distinct words in one file, None: a file of a million distinct
    typos gets its findings without a hint for each.
    """
    word = str(word)
    if word not in _hinted:
        if len(_hinted) >= MAX_HINTED:
            return None
        _hinted.add(word)
    return _vocabulary(choices).best(word, cutoff)


def did_you_mean(word: str, choices: Any, cutoff: float = 0.6) -> str:
    best = closest(word, choices, cutoff)
    return f" (did you mean '{best}'?)" if best else ""


@cache
def _validator(kind: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(schema(kind))


# Nodes (keys, values, items) a process judges in Python (``orglint.conform``) while
# jsonschema-rs is not imported.  Importing it costs 12-19 ms of a run's start (48 M
# instructions, and mapping a large library), after which it judges a bench team (150
# nodes) in about 86 K instructions against the Python walk's 415 K: on 2,000 teams,
# jsonschema-rs is cheaper.  A pre-commit run names a few files; past this many nodes
# (about 13 bench teams, or one large file) the run is taken for a bulk one, which then
# pays at most this much walking (about 6 M instructions) on top of the import.
PYTHON_NODES = 2_000
_judged = 0
_kinds_judged: set[str] = set()


def _before_fork() -> None:
    # Only the pool forks, to check many files, and it checks one before forking so
    # that what a check loads is loaded once: jsonschema-rs and the validators of the
    # kinds seen are that, or each process would import its own after its share.
    if _kinds_judged and "jsonschema_rs" not in sys.modules:
        for kind in sorted(_kinds_judged):
            _validator(kind)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork)


# A run that is about to check more files than this is a bulk one from its first file.
BULK_FILES = 12


def expect(files: int) -> None:
    """Told that this process is about to check ``files`` files: past ``BULK_FILES``,
    jsonschema-rs judges from the first (walking the first few in Python would only add
    to the import it is going to pay anyway)."""
    global _judged
    if files > BULK_FILES:
        _judged = max(_judged, PYTHON_NODES)


@cache
def _python_check(kind: str) -> Any:
    from orglint.conform import Refused, compile_schema

    try:
        return compile_schema(schema(kind))
    except Refused:
        return None  # a keyword it cannot judge exactly: jsonschema-rs judges this kind


def conforms(data: Any, kind: str, nodes: int = 1) -> bool | None:
    """True when ``data`` (of ``nodes`` nodes) is certainly valid against ``kind``'s
    schema without asking jsonschema-rs; otherwise (invalid, unsure, or past
    ``PYTHON_NODES``) None, and jsonschema-rs decides and explains, so every finding is
    what it always was."""
    global _judged
    if _judged + nodes > PYTHON_NODES or "jsonschema_rs" in sys.modules:
        return None
    _judged += nodes
    _kinds_judged.add(kind)
    check = _python_check(kind)
    if check is None:
        return None
    try:
        return True if check(data) is True else None
    except RecursionError:
        return None


def explain(data: Any, kind: str, nodes: int = 1) -> list[tuple[Path, str, bool]]:
    """``explain_all`` against orglint's schema of ``kind``; jsonschema-rs is imported
    only for a document that is not certainly valid."""
    if conforms(data, kind, nodes):
        return []
    return explain_all(data, schema(kind))


# Anything that names orglint (an apiVersion, a suppression comment) or one of its kinds,
# in block, flow or JSON style.
_OURS_RE = deferred(
    rb"""(?i:orglint)|\bkind['"]?\s*:\s*['"]?(?:Team|People|RoleMatrix|Group)\b""")


# An orglint apiVersion as a document's own key: at the start of a line (after a BOM, a
# `---`, a flow brace or a JSON object's indentation), or quoted in a line that opens a
# JSON or flow object; its value naming orglint (`orglint/v1`, `acme.orglint.dev/v1`).
# Not a key indented in a block of text, a heredoc or a Helm ConfigMap's data, nor one
# in a comment or a shell line.
_API_RE = deferred(
    rb"""(?im)(?:^(?:\xef\xbb\xbf)?(?:---[ \t]+)?(?:\{[ \t]*)?apiVersion"""
    rb"""|^[ \t]*["']apiVersion["']|^[ \t]*\{[^\n#]*?["']apiVersion["'])"""
    rb"""[ \t]*:[ \t]*['"]?(?:[\w-]+\.)*orglint\b""")
# A line that opens a template directive (Helm's `{{- if ...}}`, `{{ .Values.x }}`):
# the file is YAML only once rendered.
_TEMPLATE_RE = deferred(rb"(?m)^[ \t]*\{\{")


def declares_orglint(raw: bytes) -> bool:
    """Whether the file says it holds an orglint document (an orglint ``apiVersion``): a
    stricter test than ``looks_like_orglint``, for a file nobody named (a CI workflow
    that mentions orglint in a comment, a Backstage ``kind: Group``, is not one), nor a
    template, which is YAML only once rendered."""
    return _API_RE.search(raw) is not None and _TEMPLATE_RE.search(raw) is None


def looks_like_orglint(raw: bytes) -> bool:
    """Whether a file that does not load as YAML may still be meant for orglint.

    pre-commit passes every YAML file of the repository; a broken CI config or a Helm
    template (``{{ .Values.x }}``) is someone else's to report.
    """
    return _OURS_RE.search(raw) is not None


def document_kind(data: Any) -> str | None:
    """The orglint kind a document claims, or None when it is not an orglint document.

    Other YAML (CI configs, Backstage entities, Helm values) is skipped, not reported.
    A document that names an orglint kind but forgot ``apiVersion`` is ours, and so is
    one whose ``apiVersion`` mentions orglint at all (``orglint.dev/v1``, ``Orglint/v1``):
    skipping a typo silently would leave a team file unchecked.
    """
    if not isinstance(data, dict):
        return None
    api = data.get("apiVersion")
    if api is None:
        # In another case ("apiversion:"), only an orglint one makes the document ours:
        # a stray key must not make a Team another tool's.
        variant = envelope.value(data, "apiVersion")
        if envelope.names_orglint(variant):
            api = variant
    kind = data.get("kind")
    written = kind is not None  # by its own key, not one in another case
    if kind is None:
        kind = envelope.value(data, "kind")
    if envelope.names_orglint(api):
        if not isinstance(kind, str):
            return shaped_kind(data) or ""
        # `kind: team` or `kind: Teem` is a Team written in another case or misspelt,
        # and a kind missing or unknown is told by the spec's list (`members:`, a Team):
        # reported (ORG003), and checked as one, as a misspelt apiVersion is.
        return meant_kind(kind) or shaped_kind(data) or kind
    if written and kind in KINDS and (api is None or _blank_api(api)):
        # `apiVersion: ""` or a list: broken, not another tool's (which names its own).
        return str(kind)
    return None


def _blank_api(api: Any) -> bool:
    return not isinstance(api, str) or not api.strip()


def shaped_kind(data: dict[str, Any]) -> str | None:
    """The data kind an orglint document's spec says it is (``members:`` a Team,
    ``people:`` People), for one whose ``kind`` is missing or names no kind."""
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return None
    if isinstance(spec.get("members"), list):
        return "Team"
    if isinstance(spec.get("people"), list):
        return "People"
    return None


_KINDS_FOLDED = {k.casefold(): k for k in KINDS}
# The kinds of the org's own data, which a misspelt kind is read as: a policy is obeyed
# only when its kind is written right.
_DATA_KINDS = ("Team", "People", "Group")


def meant_kind(kind: str) -> str | None:
    """The orglint kind ``kind`` is, written in another case, or misspelt so closely that
    it can mean no other (``Teem``, ``Peopel``); None if none."""
    if kind in KINDS:
        return kind
    folded = _KINDS_FOLDED.get(kind.casefold())
    if folded is not None or len(kind) > 64:
        return folded
    return _vocabulary(_DATA_KINDS).best(kind, 0.75)


def _envelope_keys(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its envelope keys as the schema spells them: "Kind:" is reported
    (ORG003) and read as the kind it gives."""
    for key in ("apiVersion", "kind"):
        written = envelope.written_key(data, key)
        if written is not None and written != key:
            data = {**{k: v for k, v in data.items() if k != written}, key: data[written]}
    return data


def _finding(file: str, doc: Document, path: Path, message: str, entity: str | None,
             key: bool = False) -> Finding:
    span = doc.source.span(path, key=key)
    return Finding(
        "ORG003", "schema-violation", Severity.ERROR, message, file,
        span.line, span.column, span.end_line, span.end_column,
        entity=entity, detail=".".join(str(p) for p in path) or None,
    )


def validate(doc: Document, kind: str, file: str) -> list[Finding]:
    data = doc.data
    entity = _entity(data)
    head: list[Finding] = []
    for name in ("apiVersion", "kind"):
        written_as = envelope.written_key(data, name)
        if written_as is not None and written_as != name:
            head.append(_finding(file, doc, (written_as,), f"'{written_as}' must be written"
                                 f" '{name}' (keys are case-sensitive)", entity, key=True))
    at = envelope.written_key(data, "apiVersion")
    api = data[at] if at is not None else None
    written = api is not None  # under its key, or one in another case
    if not written:
        head.append(_finding(file, doc, (), f"missing 'apiVersion: {API_VERSION}'", entity))
    elif api != API_VERSION:
        head.append(_finding(file, doc, (at,), f"unknown apiVersion '{api}' (did you mean"
                             f" '{API_VERSION}'?)", entity))
    if head and kind in KINDS:
        # The rest is checked as the kind it names (and ``recover`` keeps it): a typo in
        # the envelope must not hide what the document says.
        data = {**_envelope_keys(data), "apiVersion": API_VERSION}
    elif head:
        return head
    if kind not in KINDS:
        if "kind" not in data:
            return [_finding(file, doc, (), f"missing 'kind' (one of {', '.join(KINDS)})",
                             entity)]
        return [_finding(file, doc, ("kind",),
                         f"unknown kind '{data.get('kind')}'{did_you_mean(str(kind), KINDS)};"
                         f" expected one of {', '.join(KINDS)}", entity)]
    if conforms(data, kind, len(doc.source.values)):
        return head
    validator = _validator(kind)
    if validator.is_valid(data):
        return head
    if not written and _foreign(data, kind):
        # No apiVersion and keys the kind does not have: likely another tool's `kind:
        # Group`, which one finding says enough about.
        return head
    out: list[Finding] = head
    seen: set[tuple[str, int, int]] = set()
    comma = _CommaHint(data, doc)
    for path, message, key in _explain_errors(validator, data, schema(kind)):
        if key and path and isinstance(path[-1], str) \
                and message == f"unknown key '{_clip(path[-1], 80)}'":
            message += comma(path, path[-1])
        finding = _finding(file, doc, path, message, entity, key=key)
        marker = (finding.message, finding.line, finding.column)
        if marker not in seen:
            seen.add(marker)
            out.append(finding)
    out.sort(key=Finding.sort_key)
    return out


# -- keeping what is valid -----------------------------------------------------------

_ENTRIES = {"Team": "members", "People": "people"}
# Optional fields no rule needs: an invalid one is dropped and the document still checked.
_OPTIONAL = {("metadata", "title"), ("metadata", "description"), ("metadata", "parent"),
             ("metadata", "labels"), ("metadata", "annotations"), ("spec", "size"),
             ("spec", "description")}
# Lists whose items are read one by one: an invalid item is dropped, the others kept.
_TEAM_LISTS = {("spec", "systems"), ("spec", "practices")}
_ENTRY_LISTS = {"owns", "skills"}
_ROUNDS = 3

# A list some of whose items ``recover`` dropped: its path, and for each item kept the
# index it has in the file, so that a finding on a kept item points where it is written.
Moves = dict[tuple[str | int, ...], list[int]]


def recover(data: dict[str, Any], kind: str, moves: Moves | None = None,
            source: SourceMap | None = None, unnamed: str | None = None
            ) -> dict[str, Any] | None:
    """What of an invalid Team, People or Group document can still be checked, or None.

    One misspelt key must not hide a whole team from the org: an unknown key is ignored
    (the model reads only its own), an invalid optional field is dropped, an invalid
    field of a member or person is dropped (an invalid ``allocation`` counts as 0%, so
    it adds nothing to ORG301, unless it says a whole number: ``150`` counts as written
    and a text such as ``50%`` as the number it says), an invalid item of ``systems``,
    ``practices``, ``owns`` or ``skills`` is dropped from its list (a list that is not
    one is dropped whole, one non-blank scalar is read as its one item), a team member
    without a valid ``id`` is known by its place (``unnamed`` and its number: it joins
    no one), and a person of a People file without one, or an entry that is no mapping,
    becomes None, so the others keep their index and place.  A team whose maturity is
    missing or not a stage is checked without one (no rule that needs a stage runs), and
    one whose ``apiVersion`` is wrong or missing, or whose name is a string but not an
    id, is checked as written. A team whose name is a number written as its digits
    (``name: 2024``) is known by those digits; one with no usable name at all (missing,
    empty, a list) is known by ``unnamed`` (its file and document), or left out when
    that is None: its members' anti-patterns do not depend on its name.  A Group keeps
    its id and valid parent (``_recover_group``).  A document with no apiVersion and
    top-level keys its kind does not have is another tool's (``_foreign``).  Anything
    else leaves nothing safe to check.  ``data`` is not changed; the lists whose items
    moved are put in ``moves``.
    """
    if "apiVersion" not in _envelope_keys(data) and _foreign(data, kind):
        return None  # its entries must not join the org's people (``validate``)
    if kind == "Group":
        return _recover_group(data, source)
    key = _ENTRIES.get(kind)
    spec = data.get("spec")
    if key is None or not isinstance(spec, dict):
        return None
    if key in spec and spec[key] is None:
        spec = {**spec, key: []}  # `members:` with nothing under it yet: none
    if not isinstance(spec.get(key), list):
        return None
    data = _envelope_keys(data)
    out = dict(data)
    out["spec"] = spec = dict(spec)
    spec[key] = entries = list(spec[key])
    if isinstance(out.get("metadata"), dict):
        out["metadata"] = dict(out["metadata"])
    validator = _validator(kind)
    moved: Moves = {} if moves is None else moves
    for _ in range(_ROUNDS):
        changed = False
        items: dict[tuple[str | int, ...], set[int]] = {}
        for error in list(validator.iter_errors(out)):
            name = type(error.kind).__name__
            path = tuple(error.instance_path)
            if name in ("AdditionalProperties", "UniqueItems"):
                continue  # unknown keys are not read; a repeated id changes no verdict
            if len(path) >= 3 and path[:2] == ("spec", key) and isinstance(path[2], int):
                if (len(path) > 4 and path[3] in _ENTRY_LISTS and isinstance(path[4], int)
                        and isinstance(entries[path[2]], dict)):
                    items.setdefault(path[:4], set()).add(path[4])
                elif (len(path) == 4 and path[3] in _ENTRY_LISTS and name == "Type"
                        and isinstance(entries[path[2]], dict)
                        and _one_item(entries[path[2]].get(path[3]))):
                    # `owns: training-code`: one item written without its brackets.
                    entries[path[2]] = {**entries[path[2]],
                                        path[3]: [entries[path[2]][path[3]]]}
                    moved[path] = [-1]  # its item is found where the scalar is written
                    changed = True
                else:
                    field = path[3] if len(path) > 3 else None
                    if field is None and name == "Required" \
                            and getattr(error.kind, "property", None) == "id":
                        field = "id"
                    changed |= _drop_field(entries, path[2], field,
                                           _written(source, (*path[:3], "id")),
                                           None if kind != "Team" or unnamed is None
                                           else f"{unnamed} member {path[2] + 1}")
            elif kind == "Team" and path[:2] in _TEAM_LISTS:
                if len(path) == 2 and name == "Type" and _one_item(spec.get(path[1])):
                    spec[path[1]] = [spec[path[1]]]  # `systems: feature-store`: one item
                    moved[path] = [-1]
                    changed = True
                elif len(path) > 2 and isinstance(path[2], int):
                    items.setdefault(path[:2], set()).add(path[2])
                else:
                    changed |= spec.pop(path[1], None) is not None
            elif path[:2] in _OPTIONAL:
                changed |= out[path[0]].pop(path[1], None) is not None
            elif kind == "Team" and _no_stage(name, path, error.kind):
                # Unknown or missing: the team is checked without a stage (the rules
                # that need one say nothing), not dropped with everything it holds.
                changed |= spec.pop("maturity", None) is not None
            elif kind == "People" and path[:1] == ("metadata",):
                changed |= out.pop("metadata", None) is not None  # optional, and unread
            elif _envelope_only(kind, path, name, error.kind, out):
                # Reported (ORG003), and nothing the rules read: a team named "Recsys
                # Team" or written with `apiVersion: orglint.dev/v1` is still checked,
                # not dropped with every anti-pattern it holds.
                if "apiVersion" not in out:
                    out["apiVersion"] = API_VERSION
                    changed = True
                if out.get("kind") != kind:
                    out["kind"] = kind  # missing, misspelt, or told by the spec
                    changed = True
            elif kind == "Team" and _no_name(name, path, error.kind):
                named = _team_name(out.get("metadata"), source, unnamed)
                if named is None:
                    return None
                changed |= named != out.get("metadata")
                out["metadata"] = named
            else:
                return None
        for where, drop in items.items():
            changed |= _drop_items(spec, entries, where, drop, moved)
        if not changed:
            return out
    return None


def _foreign(data: dict[str, Any], kind: str) -> bool:
    """Top-level keys the kind does not have (``x-`` ones aside): with no apiVersion,
    another tool's document that shares a kind's name, not an orglint one with a typo
    inside (whose every error is reported, and whose valid part is checked)."""
    known = schema(kind).get("properties", {})
    return any(not (isinstance(k, str) and (k in known or k.startswith("x-")
                                            or k.casefold() in ("apiversion", "kind")))
               for k in data)


def placed_unit(data: Any, source: SourceMap | None) -> dict[str, Any] | None:
    """A Team's id and parent, when they are valid though nothing else of it is (and
    the document is not another tool's: its id must not join the org)."""
    if not isinstance(data, dict) or (
            "apiVersion" not in _envelope_keys(data) and _foreign(data, "Team")):
        return None
    return _recover_group(data, source)


def _recover_group(data: dict[str, Any], source: SourceMap | None) -> dict[str, Any] | None:
    """What of an invalid Group the org can still use: its id and, when valid, its
    parent.  A wrong optional field (a number as ``title``) must not drop the group, or
    every team under it is told its parent does not exist, and a cycle or a repeated
    group id through it goes unreported."""
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        return None
    out = {**_envelope_keys(data), "apiVersion": API_VERSION, "kind": "Group"}
    meta = dict(meta)
    if not _is_id(meta.get("name")):
        named = _team_name(meta, source, None)
        if named is None:
            return None
        meta = named
    kept = {"name": meta["name"]}
    if _is_id(meta.get("parent")):
        kept["parent"] = meta["parent"]
    out["metadata"] = kept
    return out


def _is_id(value: Any) -> bool:
    """Whether ``value`` is an id as the schemas define one (their ``$defs.id``)."""
    rule = schema("Group")["$defs"]["id"]
    return (isinstance(value, str) and len(value) <= rule["maxLength"]
            and _id_pattern(rule["pattern"]).search(value) is not None)


@cache
def _id_pattern(pattern: str) -> Any:
    import re

    return re.compile(pattern)


MAX_LOOSE_NAME = 256  # characters of a team name kept though it is not an id


def _envelope_only(kind: str, path: tuple[str | int, ...], name: str, error: Any,
                   data: dict[str, Any]) -> bool:
    """The error is about the envelope alone: a wrong or missing ``apiVersion`` (the
    document names its kind), or a Team's ``metadata.name`` that is a string but not an
    id (the team is still known by it)."""
    if path == ("apiVersion",) or (path == () and name == "Required"
                                   and getattr(error, "property", None) == "apiVersion"):
        return True
    if path == ("kind",) or (path == () and name == "Required"
                             and getattr(error, "property", None) == "kind"):
        # Misspelt, or missing or unknown and told by the spec (``document_kind``).
        written = data.get("kind")
        meant = meant_kind(written) if isinstance(written, str) else None
        return (meant or shaped_kind(data)) == kind
    return _loose_name(kind, path, data)


def _loose_name(kind: str, path: tuple[str | int, ...], data: dict[str, Any]) -> bool:
    """A Team's ``metadata.name`` that is a string but not an id."""
    if kind == "Team" and path == ("metadata", "name"):
        team_name = data["metadata"].get("name")
        return isinstance(team_name, str) and len(team_name.strip()) > 0 \
            and len(team_name) <= MAX_LOOSE_NAME
    return False


def _one_item(value: Any) -> bool:
    """A scalar that can be the one item of a list written without its brackets (a
    blank one says no item: ``skills: ""`` declares no skill)."""
    return isinstance(value, str) and bool(value.strip())


def _no_name(name: str, path: tuple[str | int, ...], kind: Any) -> bool:
    """The error says the team has no usable name: ``metadata`` or its ``name`` is
    missing, or is not what it must be."""
    if path in (("metadata",), ("metadata", "name")):
        return name != "Required" or getattr(kind, "property", None) == "name"
    return path == () and name == "Required" and getattr(kind, "property", None) == "metadata"


def _team_name(meta: Any, source: SourceMap | None,
               unnamed: str | None) -> dict[str, Any] | None:
    """``metadata`` with a name the team can be known by (``recover``), or None."""
    out: dict[str, Any] = dict(meta) if isinstance(meta, dict) else {}
    value = out.get("name")
    if type(value) is int and value >= 0 \
            and _written(source, ("metadata", "name")) == len(str(value)):
        out["name"] = str(value)  # `name: 2024`, YAML's number for the text 2024
    elif unnamed is not None:
        out["name"] = unnamed
    else:
        return None
    return out


def _no_stage(name: str, path: tuple[str | int, ...], kind: Any) -> bool:
    """The error says the team's maturity is not a stage, or is missing."""
    if path == ("spec", "maturity"):
        return True
    return (path == ("spec",) and name == "Required"
            and getattr(kind, "property", None) == "maturity")


def unnamed_team(file: str, index: int) -> str:
    """The name a team with no usable name is known by: its file and document (1-based),
    which no id can be (``rules.org.unnamed`` tells it by this too).  A file name that is
    not UTF-8 (its bytes kept as surrogates) is written with its bytes escaped: the
    validator takes only text that UTF-8 can hold."""
    if not file.isascii():
        file = file.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return f"{file}#{index + 1}"


def recovered(doc: Document, kind: str, file: str | None = None
              ) -> tuple[Document, dict[str, Any] | None]:
    """``recover`` of an invalid document, and the document the rules then read: where
    items were left out of a list, its spans are asked by the index each item kept has
    in the file (``source.MovedSource``), so findings and fixes land on the right item.
    ``file``: where the document is, to name a team whose name is missing or unusable."""
    moves: Moves = {}
    unnamed = None if file is None else unnamed_team(file, doc.index)
    data = recover(doc.data, kind, moves, doc.source, unnamed)
    if moves:
        doc = Document(doc.data, MovedSource(doc.source, moves), doc.index)
    return doc, data


def _drop_items(spec: dict[str, Any], entries: list[Any], where: tuple[str | int, ...],
                drop: set[int], moves: Moves) -> bool:
    """The items ``drop`` of the list at ``where`` left out, and ``moves`` told where
    each item kept is in the file (through any earlier round's moves)."""
    if len(where) == 2:
        owner: dict[str, Any] = spec
    else:
        index = where[2]
        assert isinstance(index, int)
        entry = entries[index]
        if not isinstance(entry, dict):
            return False
        owner = entries[index] = dict(entry)
    field = where[-1]
    assert isinstance(field, str)
    values = owner.get(field)
    if not isinstance(values, list):
        return False
    before = moves.get(where, range(len(values)))
    owner[field] = [v for k, v in enumerate(values) if k not in drop]
    moves[where] = [before[k] for k in range(len(values)) if k not in drop]
    return True


def _written(source: SourceMap | None, path: tuple[str | int, ...]) -> int | None:
    """How many characters the scalar at ``path`` takes where it is written on one
    line, if known."""
    found = source.values.get(nest(path)) if source is not None else None
    if found is None or found[0] != found[2]:
        return None
    return int(found[3] - found[1])


def _drop_field(entries: list[Any], index: int, field: Any,
                id_width: int | None = None, placeholder: str | None = None) -> bool:
    """``entries[index]`` without the invalid ``field``; ``placeholder``: the id a team
    member with no usable id is known by, else such a member is dropped (None)."""
    entry = entries[index]
    if entry is None:
        return False
    if field == "id" and isinstance(entry, dict) and type(entry.get("id")) is int \
            and id_width == len(str(entry["id"])) and entry["id"] >= 0:
        # `id: 2024` is YAML's number for the text 2024: reported (ORG003), and the
        # member is still checked by the id its author meant.  Only when written as its
        # digits: `007`, `0x10` and `1_000` spell other ids than 7, 16 and 1000.
        entries[index] = {**entry, "id": str(entry["id"])}
        return True
    if field == "id" and isinstance(entry, dict) and placeholder is not None:
        # Still one of the team: dropped, they would leave its size, and the roles it
        # holds, one short (ORG109 on someone else, a false ORG205).  Known by their
        # place, which no other file's member can share, so they join no one.
        # An id that is not one ("open role", "Kim Lee") too: people are joined by id
        # across the org, and a placeholder written on several teams is nobody at 300%.
        if entry.get("id") == placeholder:
            return False
        entries[index] = {**entry, "id": placeholder}
        return True
    if field is None or field == "id" or not isinstance(entry, dict):
        entries[index] = None
        return True
    if field == "allocation":
        written = entry.get("allocation")
        # Out of range but a whole number (`150`, `150.0`): reported (ORG003), and
        # counted as written, so that the person is still over 100% across their teams
        # (ORG301); a text (`50%`) counts as the number it says.
        meant = (whole(written) if isinstance(written, (int, float))
                 and not isinstance(written, bool) and 100 < written <= MAX_ALLOCATION
                 else percent_of(written))
        if type(meant) is int and type(written) is int:
            return False  # already what it counts as
        if type(meant) is int:
            entries[index] = {**entry, "allocation": meant}
            return True
        if entry.get("allocation") == 0 and not isinstance(entry.get("allocation"), bool):
            return False
        entries[index] = {**entry, "allocation": 0}
        return True
    entries[index] = {k: v for k, v in entry.items() if k != field}
    return True


# The largest allocation past 100 still counted as written: beyond it a number is no
# percentage anyone meant (and one past 64 bits no policy engine takes).
MAX_ALLOCATION = 100_000

_PERCENT = deferred(r"(?a)\s*(\d{1,6})(?:\.0+)?\s*%?\s*\Z")  # ASCII digits only


def percent_of(value: Any) -> int | None:
    """The whole percentage a text allocation says (``"50%"``, ``"50 %"``, ``"40.0"``,
    ``"150"``), if it says one of at least 1."""
    if type(value) is not str:
        return None
    found = _PERCENT.match(value)
    number = int(found[1]) if found is not None else 0
    return number if 1 <= number <= MAX_ALLOCATION else None


def explain_all(data: Any, root: dict[str, Any]) -> list[tuple[Path, str, bool]]:
    """Every schema error of ``data``, in words, as (path, message, points-at-key)."""
    import jsonschema_rs

    return _explain_errors(jsonschema_rs.Draft202012Validator(root), data, root)


def _explain_errors(validator: Any, data: Any,
                    root: dict[str, Any]) -> list[tuple[Path, str, bool]]:
    out: list[tuple[Path, str, bool]] = []
    for error in validator.iter_errors(data):
        out.extend(_explain(error, data, root))
    return out


def _entity(data: dict[str, Any]) -> str | None:
    meta = data.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("name"), str):
        return str(meta["name"])
    return None


# -- turning a jsonschema-rs error into words ------------------------------------------


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        node = root
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
    return node


def _walk(root: dict[str, Any], schema_path: list[Any]) -> Any:
    node: Any = root
    for part in schema_path:
        if part == "$ref":
            node = _resolve(node, root)
            continue
        node = node[part] if isinstance(node, dict) else node[int(part)]
    return _resolve(node, root)


def _get(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def show(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"'{text}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return text if len(text) <= 40 else f"a number with {len(text)} digits"


def describe(node: Any, root: dict[str, Any]) -> str:
    node = _resolve(node, root)
    if not isinstance(node, dict):
        return "valid"
    if "const" in node:
        return f"'{node['const']}'"
    if "enum" in node:
        return "one of " + ", ".join(str(v) for v in node["enum"])
    kind = node.get("type")
    if kind == "integer":
        lo, hi = node.get("minimum"), node.get("maximum")
        if lo is not None and hi is not None:
            return f"an integer from {lo} to {hi}"
        if lo is not None:
            return f"an integer of at least {lo}"
        return "an integer"
    if kind == "string":
        if node.get("pattern", "").startswith("^[A-Za-z0-9]"):
            return "an id (letters, digits, '.', '_' or '-', starting with a letter or digit)"
        if "pattern" in node:
            # The schema's own words for what the pattern asks ("kebab-case", "upper-case
            # letters then three digits..."): a regular expression is no help to a user.
            said = str(node.get("description", "")).rstrip(".")
            return said[:1].lower() + said[1:] if said else f"a string matching {node['pattern']}"
        if "maxLength" in node:
            return f"a string of at most {node['maxLength']} characters"
        return "a string"
    if kind == "array":
        items = _resolve(node.get("items", {}), root)
        if isinstance(items, dict) and items.get("type") == "string":
            return "a list of ids" if "pattern" in items else "a list of strings"
        return "a list"
    if kind == "object":
        return "a mapping"
    if kind == "boolean":
        return "true or false"
    return "valid"


def field_name(path: Path) -> str:
    if not path:
        return "the document"
    last = path[-1]
    if isinstance(last, int):
        parent = field_name(path[:-1]) if len(path) > 1 else "the document"
        return f"item {last + 1} of {parent}"
    return str(last)


def _misplaced(key: str, node: dict[str, Any], root: dict[str, Any]) -> str:
    """A hint for a key written one level too high (a top-level ``members:``): the
    sibling mapping whose schema has it."""
    for name, sub in node.get("properties", {}).items():
        resolved = _resolve(sub, root)
        if isinstance(resolved, dict) and key in resolved.get("properties", {}):
            return f" (did you mean to indent it under {name}?)"
    return ""


def _unknown_hint(key: str, allowed: list[str], node: dict[str, Any],
                  root: dict[str, Any]) -> str:
    return did_you_mean(key, allowed) or _misplaced(key, node, root)


class _CommaHint:
    """The hint for a key with no value right after a text value on the same line:
    ``{title: Product Manager, ML Platform}`` has a key 'ML Platform', since in
    ``{...}`` a comma ends a value.  Each mapping's key order is read once (a mapping of
    60,000 unknown keys is asked 60,000 times)."""

    def __init__(self, data: Any, doc: Document) -> None:
        self.data = data
        self.doc = doc
        self.before: dict[int, dict[str, str]] = {}

    def __call__(self, path: Path, key: str) -> str:
        try:
            mapping = _get(self.data, path[:-1])
        except (KeyError, IndexError, TypeError):
            return ""
        if not isinstance(mapping, dict) or mapping.get(key, "") is not None:
            return ""
        order = self.before.get(id(mapping))
        if order is None:
            keys = list(mapping)
            order = self.before[id(mapping)] = dict(zip(keys[1:], keys, strict=False))
        previous = order.get(key)
        value = mapping.get(previous) if previous is not None else None
        # A member's or a person's name is prose; a team's `metadata.name` is an id,
        # where a comma is no part of what anyone means.
        prose = previous in ("title", "description") or (
            previous == "name" and len(path) >= 2 and isinstance(path[-2], int))
        if previous is None or not prose or not isinstance(value, str) \
                or len(value) + len(key) > 200:
            return ""
        # Only where the two were written on one line: in a block mapping each key has
        # a line of its own, and no comma was written.
        value_end = self.doc.source.span((*path[:-1], previous))[2]
        if self.doc.source.span(path, key=True)[0] != value_end:
            return ""
        import json

        quoted = json.dumps(f"{value}, {key}", ensure_ascii=False)  # YAML reads it back
        return (f" (a comma ends a value inside {{...}}: if '{key}' belongs to {previous},"
                f" quote the whole value, {previous}: {quoted})")


def _explain(error: Any, data: Any, root: dict[str, Any]) -> list[tuple[Path, str, bool]]:
    path: Path = tuple(error.instance_path)
    kind = type(error.kind).__name__
    schema_path = list(error.schema_path)
    parent_schema = _walk(root, schema_path[:-1]) if schema_path else root
    try:
        value = _get(data, path)
    except (KeyError, IndexError, TypeError):
        value = None
    if kind == "AdditionalProperties":
        allowed = [k for k in parent_schema.get("properties", {})]
        # A key may be a megabyte long, written once: the message names it, cut.
        return [((*path, key), "unknown key '" + _clip(key, 80) + "'"
                 + _unknown_hint(key, allowed, parent_schema, root), True)
                for key in error.kind.unexpected]
    if kind == "Required":
        where = "the document" if not path else field_name(path)
        return [(path, f"{where} is missing the required key '{error.kind.property}'", True)]
    if kind == "UniqueItems" and isinstance(value, list):
        seen: set[Any] = set()
        out: list[tuple[Path, str, bool]] = []
        for index, item in enumerate(value):
            marker = repr(item)
            if marker in seen:
                out.append(((*path, index), f"{field_name(path)} lists {show(item)} twice", False))
            seen.add(marker)
        return out or [(path, f"{field_name(path)} has repeated items", False)]
    if kind in ("AnyOf", "OneOfNotValid"):
        return _best_match(parent_schema, schema_path[-1], value, path, root)
    if kind in ("Type", "Minimum", "Maximum", "ExclusiveMinimum", "ExclusiveMaximum", "Enum",
                "Constant", "Pattern", "MinLength", "MaxLength", "MultipleOf"):
        message = f"{field_name(path)} must be {describe(parent_schema, root)}, got {show(value)}"
        if kind == "Type" and parent_schema.get("type") == "string" and isinstance(
                value, (int, float)) and not isinstance(value, bool):
            # YAML reads `id: 2024` as a number: the fix is quotes, not other characters.
            message += ", a number: quote it to make it text"
        if kind == "Enum" and isinstance(value, str):
            message += did_you_mean(value, [str(v) for v in parent_schema.get("enum", [])])
        return [(path, message, False)]
    return [(path, f"{field_name(path)}: {_clip(error.message)}", False)]


def _clip(text: str, limit: int = 200) -> str:
    # jsonschema-rs puts the failing value in its messages, and a value can be megabytes.
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _best_match(node: dict[str, Any], keyword: str, value: Any, path: Path,
                root: dict[str, Any]) -> list[tuple[Path, str, bool]]:
    """Explain the alternative that came closest, as jsonschema's best_match does."""
    import jsonschema_rs

    best: list[tuple[Path, str, bool]] | None = None
    for alternative in node.get(keyword, []):
        sub = dict(_resolve(alternative, root))
        sub.setdefault("$defs", root.get("$defs", {}))
        errors = list(jsonschema_rs.Draft202012Validator(sub).iter_errors(value))
        explained: list[tuple[Path, str, bool]] = []
        for error in errors:
            for sub_path, message, key in _explain(error, value, sub):
                explained.append((path + sub_path, message, key))
        if best is None or len(explained) < len(best):
            best = explained
    if not best:
        return [(path, f"{field_name(path)} matches none of the allowed forms", False)]
    others = len(node.get(keyword, [])) - 1
    if others > 0:
        last = best[-1]
        best[-1] = (last[0], f"{last[1]} ({plural(others, 'other allowed form')} also"
                                f" {'fails' if others == 1 else 'fail'})", last[2])
    return best
