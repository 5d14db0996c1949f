"""Backstage catalog entities (spec §8.1): Group and User entities read where they live.

This module only reads: it finds the ``backstage.io/`` Group and User entities among
loaded documents, checks them against Backstage's own JSON Schemas (vendored in
``schemas/backstage/``) and resolves entity references.  Turning groups into teams is
``orglint.backstage``; the importer reads the same entities through here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from orglint.findings import Finding, Severity
from orglint.loader import Document
from orglint.ntuple import NamedTuple
from orglint.source import Path, Span, nest

API_PREFIX = "backstage.io/"
KINDS = ("Group", "User")
MARKER = b"backstage.io/"  # a file without it holds no Backstage entity
_SCHEMAS = {"Group": "Group.v1alpha1", "User": "User.v1alpha1"}
_BASE = "https://backstage.io/schemas/"  # the $ids are relative; nothing is fetched


class Entity:
    """One Group or User entity: its data as written and where it was written."""

    __slots__ = ("_notes", "data", "doc", "file", "kind", "name", "namespace")

    def __init__(self, kind: str, namespace: str, name: str, doc: Document, file: str
                 ) -> None:
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.doc = doc
        self.file = file
        self.data: dict[str, Any] = doc.data
        self._notes: dict[str, str] | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind.lower(), self.namespace.lower(), self.name.lower())

    @property
    def entity_ref(self) -> str:
        """How Backstage names it: ``user:default/jdoe``."""
        return f"{self.kind.lower()}:{self.namespace}/{self.name}"

    @property
    def id(self) -> str:
        """The orglint id: the name, prefixed by a namespace other than ``default`` (two
        users called ``guest`` in two namespaces are two people)."""
        if self.namespace.lower() == "default":
            return self.name
        return f"{self.namespace}.{self.name}"

    def spec(self, key: str) -> Any:
        spec = self.data.get("spec")
        return spec.get(key) if isinstance(spec, dict) else None

    def strings(self, key: str) -> list[tuple[int, str]]:
        """The string items of the list ``spec.KEY``, with their indexes."""
        value = self.spec(key)
        if not isinstance(value, list):
            return []
        out = []
        for i, item in enumerate(value):
            if type(item) is int:
                item = self.digits(item, ("spec", key, i))
            if isinstance(item, str) and item:
                out.append((i, item))
        return out

    def digits(self, value: Any, path: Path) -> str | None:
        """A whole number written as its digits (``10042``, YAML's number for the text
        an employee id is) as that text, as a team member's ``id: 2024`` is read; None
        for anything else (``0x10``, ``1_000``)."""
        return _digits(value, self.doc.source, path)

    def annotations(self) -> dict[str, str]:
        """The text annotations, read once: a user on thousands of groups is asked for
        them once per group (a user with 8,000 groups and as many annotations took 28 s
        when each call copied them all).  Callers read it and never change it."""
        if self._notes is None:
            meta = self.data.get("metadata")
            notes = meta.get("annotations") if isinstance(meta, dict) else None
            self._notes = ({k: v for k, v in notes.items() if isinstance(v, str)}
                           if isinstance(notes, dict) else {})
        return self._notes

    def profile(self, key: str) -> str | None:
        profile = self.spec("profile")
        value = profile.get(key) if isinstance(profile, dict) else None
        return value if isinstance(value, str) and value else None

    def title(self) -> str | None:
        """The display name: ``spec.profile.displayName``, else ``metadata.title``."""
        meta = self.data.get("metadata")
        value = meta.get("title") if isinstance(meta, dict) else None
        return self.profile("displayName") or (value if isinstance(value, str) and value
                                               else None)

    def span(self, path: Path, *, key: bool = False) -> Span:
        return self.doc.source.span(path, key=key)

    def ref(self, text: str, default_kind: str) -> tuple[str, str, str]:
        """The key an entity reference names, read as Backstage reads it: ``[kind:]
        [namespace/]name``, case-insensitive, the namespace defaulting to this entity's."""
        kind, sep, rest = text.partition(":")
        if not sep:
            kind, rest = default_kind, text
        namespace, sep, name = rest.partition("/")
        if not sep:
            namespace, name = self.namespace, rest
        return (kind.strip().lower(), namespace.strip().lower(), name.strip().lower())


class Catalog:
    """The Group and User entities of an org, by key, with their schema findings."""

    def __init__(self) -> None:
        self.entities: list[Entity] = []
        self.by_key: dict[tuple[str, str, str], Entity] = {}
        self.findings: list[Finding] = []

    def add(self, entity: Entity) -> None:
        self.entities.append(entity)
        self.by_key.setdefault(entity.key, entity)

    def of_kind(self, kind: str) -> Iterator[Entity]:
        return (e for e in self.entities if e.kind == kind)

    def get(self, key: tuple[str, str, str]) -> Entity | None:
        return self.by_key.get(key)


def _digits(value: Any, source: Any, path: Path) -> str | None:
    if type(value) is not int or value < 0:
        return None
    found = source.values.get(nest(path))
    if found is None or found[0] != found[2] or found[3] - found[1] != len(str(value)):
        return None
    return str(value)


def is_entity(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    api = data.get("apiVersion")
    return isinstance(api, str) and api.startswith(API_PREFIX) and data.get("kind") in KINDS


def collect(catalog: Catalog, documents: Iterable[Document], file: str) -> None:
    """Add the Group and User entities of one file's documents; other kinds are skipped."""
    for doc in documents:
        if not is_entity(doc.data):
            continue
        kind = str(doc.data["kind"])
        catalog.findings.extend(validate(doc, kind, file))
        meta = doc.data.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        if type(name) is int:  # reported (ORG003), and still the user the groups name
            name = _digits(name, doc.source, ("metadata", "name"))
        if not isinstance(name, str) or not name:
            continue  # the schema finding says why; there is nothing to refer to
        namespace = meta.get("namespace") if isinstance(meta, dict) else None
        if not isinstance(namespace, str) or not namespace:
            namespace = "default"
        catalog.add(Entity(kind, namespace, name, doc, file))


# -- Backstage's schemas ---------------------------------------------------------------


@cache
def _schema_file(name: str) -> dict[str, Any]:
    from orglint.resources import data_dir

    path = data_dir("schemas") / "backstage" / f"{name}.schema.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _retrieve(uri: str) -> dict[str, Any]:
    name = uri.rsplit("/", 1)[-1].split("#", 1)[0]
    if name not in ("Entity", "EntityMeta", "common"):
        raise ValueError(f"no vendored Backstage schema named {name!r}")
    return _schema_file(name)


@cache
def _validator(kind: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft7Validator(_schema_file(_SCHEMAS[kind]), retriever=_retrieve,
                                         base_uri=_BASE)


class _Problem(NamedTuple):
    path: Path
    message: str
    key: bool


def _explain(error: Any) -> _Problem:
    from orglint.schema import did_you_mean, field_name, show

    path: Path = tuple(error.instance_path)
    kind = type(error.kind).__name__
    if kind == "Required":
        where = "the entity" if not path else field_name(path)
        return _Problem(path, f"{where} is missing the required key '{error.kind.property}'"
                        " (Backstage's schema)", True)
    if kind == "AdditionalProperties":
        unexpected = list(error.kind.unexpected)
        name = str(unexpected[0]) if unexpected else "?"
        hint = did_you_mean(name, ("apiVersion", "kind", "metadata", "spec", "relations",
                                   "status")) if not path else ""
        return _Problem((*path, name), f"unknown key '{name}'{hint} (Backstage's schema)",
                        True)
    value = error.instance
    if kind == "Type":
        types = [_TYPE_WORDS.get(str(t), str(t)) for t in error.kind.types]
        text = f"must be {' or '.join(types)}"
    elif kind == "Enum":
        text = "must be one of " + ", ".join(str(o) for o in error.kind.options)
    else:
        text = {"MinLength": "must not be empty", "Pattern": "has the wrong form"}.get(kind, "")
    message = (f"{field_name(path)} {text}, got {show(value)}" if text
               else f"{field_name(path)}: {error.message}")
    return _Problem(path, f"{message} (Backstage's schema)", False)


_TYPE_WORDS = {"string": "a string", "object": "a mapping", "array": "a list",
               "integer": "an integer", "number": "a number", "boolean": "true or false",
               "null": "null"}


NOTE_PREFIX = "orglint.dev/"
# The annotations orglint reads (spec 8.1), by kind; a User's ``owns.GROUP`` and
# ``allocation.GROUP`` name a group after the dot (ORG013 checks that it is one of theirs).
NOTES = {"Group": ("maturity", "systems", "practices", "size"),
         "User": ("role", "title", "level", "owns", "owns.GROUP", "allocation.GROUP")}


def validate(doc: Document, kind: str, file: str) -> list[Finding]:
    """ORG003 findings for a Backstage entity, at the node each error is about: Backstage's
    schema, and an ``orglint.dev/`` annotation orglint does not read (a misspelt
    ``orglint.dev/maturty`` would leave a team out of every check, unsaid)."""
    notes = _unknown_notes(doc, kind, file)
    validator = _validator(kind)
    if validator.is_valid(doc.data):
        return notes
    meta = doc.data.get("metadata")
    entity = meta.get("name") if isinstance(meta, dict) else None
    out: list[Finding] = []
    seen: set[tuple[str, int, int]] = set()
    for error in validator.iter_errors(doc.data):
        problem = _explain(error)
        span = doc.source.span(problem.path, key=problem.key)
        marker = (problem.message, span.line, span.column)
        if marker in seen:
            continue
        seen.add(marker)
        out.append(Finding("ORG003", "schema-violation", Severity.ERROR, problem.message,
                           file, span.line, span.column, span.end_line, span.end_column,
                           entity=entity if isinstance(entity, str) else None,
                           detail=".".join(str(p) for p in problem.path) or None))
    out += notes
    out.sort(key=Finding.sort_key)
    return out


def _unknown_notes(doc: Document, kind: str, file: str) -> list[Finding]:
    meta = doc.data.get("metadata") if isinstance(doc.data, dict) else None
    notes = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(notes, dict):
        return []
    known = NOTES.get(kind, ())
    others = [n for k, names in NOTES.items() if k != kind for n in names]
    entity = meta.get("name") if isinstance(meta, dict) else None
    out: list[Finding] = []
    for key in notes:
        if not isinstance(key, str) or not key.startswith(NOTE_PREFIX):
            continue
        name = key[len(NOTE_PREFIX):]
        base, dot, group = name.partition(".")
        if name in known or (dot and group and f"{base}.GROUP" in known):
            continue
        from orglint.schema import did_you_mean

        if f"{base}.GROUP" in known:  # `allocation`, `owns.`: the group is left out
            where = f" (name the group: '{NOTE_PREFIX}{base}.GROUP')"
        elif name in others:
            where = f" (read on a {'Group' if kind == 'User' else 'User'}, not on a {kind})"
        else:
            where = did_you_mean(key, [NOTE_PREFIX + n.replace(".GROUP", "") for n in known])
        span = doc.source.span(("metadata", "annotations", key), key=True)
        out.append(Finding(
            "ORG003", "schema-violation", Severity.ERROR,
            f"unknown annotation '{key}'{where}: orglint reads "
            + ", ".join(f"{NOTE_PREFIX}{n}" for n in known) + f" on a {kind}",
            file, span.line, span.column, span.end_line, span.end_column,
            entity=entity if isinstance(entity, str) else None,
            detail=f"metadata.annotations.{key}"))
    return out
