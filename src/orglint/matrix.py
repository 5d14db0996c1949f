"""The role matrix: roles, responsibilities, systems, practices, stages, anti-patterns.

It is data (``rules/ai-platform.yaml``), validated by ``schemas/role-matrix.schema.json``.
An organisation's own ``kind: RoleMatrix`` with ``spec.extends: ai-platform`` is merged
on top: roles merge field by field (aliases add up), responsibilities, systems, practices
and stages are replaced by id, anti-patterns with a code already defined replace the
built-in ones with that code, and the ``titles`` and ``skills`` tables merge by key (their
lists add up).  Reading titles and skills is ``orglint.titles`` and ``orglint.skills``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path as FsPath
from types import MappingProxyType
from typing import Any, TypeVar

from orglint import hashing
from orglint.errors import MatrixError
from orglint.memo import remember
from orglint.ntuple import NamedTuple
from orglint.skills import SkillIndex
from orglint.titles import Resolution, TitleIndex, words

DEFAULT_LIMIT = 8 * 1024 * 1024  # bytes; Limits().max_file_size, without importing the loader

"""Most answers a matrix remembers per memo of free text (titles, skills).  Orgs repeat a
few hundred titles and skills; a hostile file can hold millions of distinct ones, which
are worked out each time once a memo is full, so memory stays bounded and work linear."""

_T = TypeVar("_T")

# The matrix is validated by its JSON Schema before it is built, so its values are plain
# NamedTuples: pydantic would validate the same shape twice, and importing it costs a
# tenth of a second at every start-up.  NamedTuple over frozen dataclasses because the
# class statement is ten times cheaper, and these classes are built at every start-up.


def _kw(cls: type[Any], data: dict[str, Any], **nested: Any) -> Any:
    """Build ``cls`` from schema-valid data whose keys are kebab-case field names."""
    values: dict[str, Any] = {}
    for name in cls._fields:
        key = name.replace("_", "-")
        if name in nested:
            if key in data:
                values[name] = nested[name](data[key])
        elif key in data:
            value = data[key]
            values[name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


class SkillBar(NamedTuple):
    day_one: str
    month_three: str
    senior: str


class Role(NamedTuple):
    title: str = ""
    summary: str = ""
    work: str = ""
    job: str = ""
    success: str = ""
    skill_bar: SkillBar | None = None
    core_skills: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    day_one_skills: tuple[str, ...] = ()
    anti_pattern: str = ""
    aliases: tuple[str, ...] = ()
    in_matrix: bool = True


class Responsibility(NamedTuple):
    owner: str
    title: str = ""
    senior: bool = False
    shared_with: tuple[str, ...] = ()  # other roles whose own work this also is


class System(NamedTuple):
    requires: tuple[str, ...]
    title: str = ""


class Practice(NamedTuple):
    title: str = ""
    description: str = ""
    responsibility: str | None = None


class Seat(NamedTuple):
    role: str
    reason: str
    owns: tuple[str, ...] = ()


class Growth(NamedTuple):
    """A role's share of the seats past a stage's list (a relative weight)."""

    role: str
    share: int
    reason: str
    owns: tuple[str, ...] = ()


class Gap(NamedTuple):
    role: str
    message: str
    when_systems: tuple[str, ...] = ()


class Stage(NamedTuple):
    title: str = ""
    description: str = ""
    seats: tuple[Seat, ...] = ()
    growth: tuple[Growth, ...] = ()
    practices: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()


class AntiPattern(NamedTuple):
    code: str
    name: str
    severity: str  # error | warning | info
    kind: str  # owns | holds-both | missing-role | missing-owner
    message: str
    summary: str = ""
    roles: tuple[str, ...] = ()
    responsibilities: tuple[str, ...] = ()
    responsibilities_of: str | None = None
    systems: tuple[str, ...] = ()
    maturity: tuple[str, ...] = ()
    practice: str | None = None
    at: str = "team"
    team_size: int | None = None
    why: str = ""


_EMPTY: Mapping[str, Any] = MappingProxyType({})


class TitleSpec(NamedTuple):
    """How titles are read (see ``orglint.titles``)."""

    synonyms: Mapping[str, str] = _EMPTY
    ambiguous: Mapping[str, list[str]] = _EMPTY
    generic: tuple[str, ...] = ()
    junior_words: tuple[str, ...] = ()


class SkillSpec(NamedTuple):
    """How skills are compared (see ``orglint.skills``)."""

    aliases: Mapping[str, str] = _EMPTY
    vendor_prefixes: tuple[str, ...] = ()


class MatrixSpec(NamedTuple):
    seniority_words: tuple[str, ...]
    titles: TitleSpec
    skills: SkillSpec
    roles: dict[str, Role]
    responsibilities: dict[str, Responsibility]
    systems: dict[str, System]
    practices: dict[str, Practice]
    maturity: dict[str, Stage]
    anti_patterns: tuple[AntiPattern, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatrixSpec:
        def each(kind: type[Any], **nested: Any) -> Any:
            return lambda table: {k: _kw(kind, v or {}, **nested) for k, v in table.items()}

        stage = each(Stage, seats=lambda items: tuple(_kw(Seat, x) for x in items),
                     growth=lambda items: tuple(_kw(Growth, x) for x in items),
                     gaps=lambda items: tuple(_kw(Gap, x) for x in items))
        # Every section may be absent from an extending matrix; each gets its own empty
        # table here rather than a shared mutable default on the class.
        empty: dict[str, Any] = {
            "seniority-words": [], "titles": {}, "skills": {}, "roles": {},
            "responsibilities": {}, "systems": {}, "practices": {}, "maturity": {},
            "anti-patterns": []}
        spec: MatrixSpec = _kw(
                   cls, {**empty, **data},
                   titles=lambda d: _kw(TitleSpec, d), skills=lambda d: _kw(SkillSpec, d),
                   roles=each(Role, skill_bar=lambda bar: _kw(SkillBar, bar)),
                   responsibilities=each(Responsibility), systems=each(System),
                   practices=each(Practice), maturity=stage,
                   anti_patterns=lambda items: tuple(_kw(AntiPattern, x) for x in items))
        return spec


class Matrix:
    """A built matrix, with the lookups rules make on every team worked out once."""

    def __init__(self, name: str, spec: MatrixSpec, digest: str,
                 sources: list[str] | None = None) -> None:
        self.name = name
        self.spec = spec
        self.digest = digest
        self.sources = sources if sources is not None else []
        titles = spec.titles
        # A role's display title is no alias: it may carry a qualifier ("Platform
        # Engineer (AI Platform)").
        self._title_index = TitleIndex(
            [(role_id, alias) for role_id, role in spec.roles.items() for alias in role.aliases],
            role_ids=spec.roles, seniority=spec.seniority_words, synonyms=titles.synonyms,
            ambiguous=titles.ambiguous, generic=titles.generic, junior=titles.junior_words)
        self._title_cache: dict[str, Resolution] = {}
        owned: dict[str, list[str]] = {role: [] for role in self.spec.roles}
        for rid, entry in self.spec.responsibilities.items():
            owned.setdefault(entry.owner, []).append(rid)
        self._owned = owned
        # Keyed by the pattern's value, not its id(): a matrix sent to a spawned worker
        # process is a copy whose patterns have other ids.  Equal patterns want the same.
        self._pattern_sets: dict[AntiPattern, frozenset[str]] = {}
        for pattern in self.spec.anti_patterns:
            wanted = set(pattern.responsibilities)
            if pattern.responsibilities_of:
                wanted.update(owned.get(pattern.responsibilities_of, []))
            self._pattern_sets[pattern] = frozenset(wanted)
        self._skills = SkillIndex(spec.skills.aliases, spec.skills.vendor_prefixes)
        self._skill_cache: dict[str, frozenset[str]] = {}
        # ORG401's bar: a role's day-one skills and the tools the article expects of it.
        self.skill_bar = {role: self._skills.bar((*entry.day_one_skills, *entry.tools))
                          for role, entry in spec.roles.items()}
        # The per-member lookups (is a role in the matrix, who owns or holds an item) run
        # tens of thousands of times per org: plain dict and set lookups, made once here.
        self._matrix_roles = frozenset(r for r, e in spec.roles.items() if e.in_matrix)
        self._owners = {r: e.owner for r, e in spec.responsibilities.items()}
        self._holders = {r: (e.owner, *e.shared_with)
                         for r, e in spec.responsibilities.items()}
        self._by_code: dict[str, list[AntiPattern]] = {}
        for pattern in spec.anti_patterns:
            self._by_code.setdefault(pattern.code, []).append(pattern)
        self._prepared: dict[str, Any] = {}

    # -- vocabulary ------------------------------------------------------------------
    @property
    def roles(self) -> dict[str, Role]:
        return self.spec.roles

    @property
    def responsibilities(self) -> dict[str, Responsibility]:
        return self.spec.responsibilities

    @property
    def systems(self) -> dict[str, System]:
        return self.spec.systems

    @property
    def practices(self) -> dict[str, Practice]:
        return self.spec.practices

    def in_matrix(self, role: str | None) -> bool:
        return role in self._matrix_roles

    @property
    def matrix_roles(self) -> frozenset[str]:
        """The roles of the matrix proper (not manager, product-manager, other)."""
        return self._matrix_roles

    def owner(self, responsibility: str) -> str | None:
        return self._owners.get(responsibility)

    def holders(self, responsibility: str) -> tuple[str, ...]:
        """Every role whose work a responsibility is: its owner, then ``shared-with``."""
        return self._holders.get(responsibility, ())

    def owned_by(self, role: str) -> list[str]:
        return self._owned.get(role, [])

    def pattern_responsibilities(self, pattern: AntiPattern) -> frozenset[str]:
        return self._pattern_sets[pattern]

    def prepared(self, key: str, build: Callable[[Matrix], _T]) -> _T:
        """A table that a rule derives from this matrix alone, built on first use.

        The matrix does not change during a run, so per-member verdicts that depend on it
        only (role x responsibility) are worked out once, not once per member.  ``key`` is
        a constant of the calling module.  A table keyed by the matrix's own ids is
        bounded by the matrix; one keyed by text from the files stops growing at
        ``MEMO_LIMIT`` entries, whatever the input.
        """
        memo = self._prepared
        if key not in memo:
            memo[key] = build(self)
        table: _T = memo[key]
        return table

    def work(self, role: str) -> str:
        entry = self.roles.get(role)
        return entry.work if entry is not None and entry.work else f"{role} work"

    # -- titles ----------------------------------------------------------------------
    def resolve_title(self, title: str) -> Resolution:
        """What a title resolves to: one role, several candidates, or nothing."""
        # Orgs repeat a handful of titles thousands of times: remember each answer.
        cache = self._title_cache
        found = cache.get(title)
        return remember(cache, title, self._title_index.resolve(title)) \
            if found is None else found

    def synonymous(self, ws: tuple[str, ...]) -> list[str]:
        """Title words with this matrix's synonyms applied (``titles.same_words``)."""
        return self._title_index.synonymous(ws)

    def role_for_title(self, title: str) -> str | None:
        """The one role a title maps to (None when it maps to none, or to several)."""
        return self.resolve_title(title).role

    def title_says_junior(self, title: str) -> bool:
        """A junior word in an IC title ("Associate Director" is no junior)."""
        role = self.role_for_title(title)
        return (role is None or self.in_matrix(role)) and self._title_index.says_junior(title)

    def skill_keys(self, skill: str) -> frozenset[str]:
        """The canonical keys of a skill as written (see ``orglint.skills``)."""
        # Every member lists a few skills from a vocabulary of a few hundred.
        cache = self._skill_cache
        found = cache.get(skill)
        return remember(cache, skill, frozenset(self._skills.keys(skill))) \
            if found is None else found

    def patterns(self, code: str) -> list[AntiPattern]:
        return list(self._by_code.get(code, ()))


# -- loading ----------------------------------------------------------------------------


def _merge_spec(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
        for k, v in base.items()}
    for key, value in override.items():
        if key == "extends":
            continue
        if key == "roles":
            roles = out.setdefault("roles", {})
            for role_id, fields in value.items():
                merged = dict(roles.get(role_id, {}))
                for name, item in fields.items():
                    if name == "aliases":
                        merged["aliases"] = [*merged.get("aliases", []), *item]
                    else:
                        merged[name] = item
                roles[role_id] = merged
        elif key == "seniority-words":
            out[key] = [*out.get(key, []), *value]
        elif key in ("titles", "skills"):
            out[key] = _merge_vocabulary(out.get(key, {}), value)
        elif key == "anti-patterns":
            codes = {p["code"] for p in value}
            out[key] = [p for p in out.get(key, []) if p["code"] not in codes] + list(value)
        elif isinstance(value, dict):
            section = out.setdefault(key, {})
            section.update(value)
        else:
            out[key] = value
    # An alias the organisation gives a role settles a title the base matrix calls
    # ambiguous: at that org, a "Platform Engineer" may well be an SRE.
    settled = {words(alias) for fields in override.get("roles", {}).values()
               for alias in fields.get("aliases", [])}
    ambiguous = out.get("titles", {}).get("ambiguous")
    if settled and ambiguous:
        out["titles"]["ambiguous"] = {title: roles for title, roles in ambiguous.items()
                                      if words(title) not in settled}
    return out


def _merge_vocabulary(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge by key and lists add up, so an org adds words without repeating ours."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict):
            out[key] = {**out.get(key, {}), **value}
        elif isinstance(value, list):
            out[key] = [*out.get(key, []), *value]
        else:
            out[key] = value
    return out


def _read_matrix_file(path: FsPath, limit: int) -> tuple[dict[str, Any], bytes]:
    """The schema-valid RoleMatrix document of ``path``, and the bytes it was read from."""
    from orglint.loader import Limits, load
    from orglint.reading import read_capped
    from orglint.schema import validate

    raw = read_capped(path, limit, "role matrix", MatrixError)
    loaded = load(raw, str(path), Limits(max_file_size=limit))
    if loaded.findings:
        first = loaded.findings[0]
        raise MatrixError(f"{path}:{first.line}:{first.column}: {first.message}")
    docs = [d for d in loaded.documents if isinstance(d.data, dict)]
    if len(docs) != 1 or docs[0].data.get("kind") != "RoleMatrix":
        raise MatrixError(f"{path}: expected exactly one 'kind: RoleMatrix' document")
    problems = validate(docs[0], "RoleMatrix", str(path))
    if problems:
        first = problems[0]
        raise MatrixError(f"{path}:{first.line}:{first.column}: {first.message}")
    data: dict[str, Any] = docs[0].data
    return data, raw


# The built-in matrix is also shipped as JSON beside its YAML (``rules/NAME.json``, from
# ``compiled_builtin``): parsing the YAML, and compiling the RoleMatrix schema to check
# it, was a sixth of a one-file run.  The twin names the digest of the YAML it was made
# from, so a YAML edited without regenerating it is read as before, never misread.
COMPILED_FORMAT = "orglint-compiled-matrix 1"


def compiled_builtin(path: FsPath) -> str:
    """The JSON twin of the built-in matrix at ``path`` (what ``_builtin_data`` reads)."""
    import json

    data, raw = _read_matrix_file(path, DEFAULT_LIMIT)
    return json.dumps({"format": COMPILED_FORMAT, "sha256": hashing.sha256(raw).hexdigest(),
                       "data": data}, indent=1, ensure_ascii=False) + "\n"


def _builtin_data(path: FsPath) -> tuple[dict[str, Any], bytes]:
    """The built-in matrix's document and bytes: from its JSON twin when that was
    compiled from these very bytes, else read and checked as any matrix file is."""
    import json

    from orglint.reading import read_capped

    raw = read_capped(path, DEFAULT_LIMIT, "role matrix", MatrixError)
    try:
        twin = json.loads(path.with_suffix(".json").read_bytes())
    except (OSError, ValueError):
        twin = None
    if (type(twin) is dict and twin.get("format") == COMPILED_FORMAT
            and twin.get("sha256") == hashing.sha256(raw).hexdigest()
            and type(twin.get("data")) is dict):
        return twin["data"], raw
    return _read_matrix_file(path, DEFAULT_LIMIT)


def load_matrix(path: FsPath | None = None, limit: int = DEFAULT_LIMIT) -> Matrix:
    """The built-in matrix, or the org's matrix at ``path`` merged onto what it extends.

    ``limit`` caps the size of the org's matrix file (the configured max-file-size).
    """
    from orglint.resources import builtin_matrix_path

    builtin = builtin_matrix_path("ai-platform")
    if builtin is None:
        raise MatrixError("the built-in matrix 'ai-platform' is missing from the installation")
    if path is None:
        data, raw = _builtin_data(builtin)
        return _build(data["metadata"]["name"], data["spec"], [str(builtin)], raw)
    data, digest_input = _read_matrix_file(path, limit)
    spec = data["spec"]
    sources = [str(path)]
    parent = spec.get("extends")
    if parent is not None:
        base_path = builtin_matrix_path(str(parent))
        if base_path is None:
            raise MatrixError(f"{path}: spec.extends names no built-in matrix '{parent}'"
                              " (the built-in one is 'ai-platform')")
        base, base_raw = _builtin_data(base_path)
        spec = _merge_spec(base["spec"], spec)
        sources.insert(0, str(base_path))
        digest_input = base_raw + b"\0" + digest_input
    return _build(data["metadata"]["name"], spec, sources, digest_input)


def _build(name: str, spec: dict[str, Any], sources: list[str], raw: bytes) -> Matrix:
    model = MatrixSpec.from_dict(spec)
    problems = _problems(model)
    if problems:
        where = sources[-1]
        raise MatrixError(f"{where}: the role matrix contradicts itself:\n  - "
                          + "\n  - ".join(f"{_locate(sources, at)}: {message}"
                                           for at, message in problems))
    return Matrix(name, model, hashing.sha256(raw).hexdigest()[:16], sources)


# Where a contradiction is: (section, entry id or anti-pattern code, field).
Where = tuple[str, str, str]


def _locate(sources: list[str], at: Where) -> str:
    """``FILE:LINE:COL`` of the entry a contradiction is about: in the org's matrix if it
    writes that entry, else in the one it extends.  Read again on this error path only."""
    from orglint.loader import load

    section, ident, field = at
    for source in reversed(sources):
        try:
            loaded = load(FsPath(source).read_bytes(), source)
        except OSError:
            continue
        doc = next((d for d in loaded.documents if isinstance(d.data, dict)), None)
        spec = doc.data.get("spec") if doc is not None else None
        if doc is None or not isinstance(spec, dict):
            continue
        entries = spec.get(section)
        key: str | int | None = None
        if isinstance(entries, list):
            key = next((i for i, p in enumerate(entries)
                        if isinstance(p, dict) and p.get("code") == ident), None)
        elif isinstance(entries, dict) and ident in entries:
            key = ident
        if key is None:
            continue
        span = doc.source.span(("spec", section, key, field))
        return f"{source}:{span.line}:{span.column}"
    return sources[-1]


def _problems(spec: MatrixSpec) -> list[tuple[Where, str]]:
    from orglint.codes import BUILTIN_CODES, PATTERN_CODES

    problems: list[tuple[Where, str]] = []
    roles = spec.roles
    resp = spec.responsibilities
    for rid, entry in resp.items():
        if entry.owner not in roles:
            problems.append((("responsibilities", rid, "owner"),
                             f"responsibility '{rid}' has unknown owner role '{entry.owner}'"))
        problems += [(("responsibilities", rid, "shared-with"),
                      f"responsibility '{rid}' is shared with unknown role '{r}'")
                     for r in entry.shared_with if r not in roles]
    for sid, system in spec.systems.items():
        for r in system.requires:
            if r not in resp:
                problems.append((("systems", sid, "requires"),
                                 f"system '{sid}' requires unknown responsibility '{r}'"))
    for pid, practice in spec.practices.items():
        if practice.responsibility and practice.responsibility not in resp:
            problems.append((("practices", pid, "responsibility"),
                             f"practice '{pid}' names unknown responsibility "
                             f"'{practice.responsibility}'"))
    for title, candidates in spec.titles.ambiguous.items():
        problems += [(("titles", "ambiguous", title),
                      f"ambiguous title '{title}' names unknown role '{r}'")
                     for r in candidates if r not in roles]
    for stage_id, stage in spec.maturity.items():
        entries: list[Seat | Growth] = [*stage.seats, *stage.growth]
        for seat in entries:
            if seat.role not in roles:
                problems.append((("maturity", stage_id, "seats"),
                                 f"stage '{stage_id}' has a seat for unknown role '{seat.role}'"))
            problems += [(("maturity", stage_id, "seats"),
                          f"stage '{stage_id}' has a {seat.role} seat owning unknown"
                          f" responsibility '{r}'") for r in seat.owns if r not in resp]
        for gap in stage.gaps:
            if gap.role not in roles:
                problems.append((("maturity", stage_id, "gaps"),
                                 f"stage '{stage_id}' has a gap for unknown role '{gap.role}'"))
            problems += [(("maturity", stage_id, "gaps"),
                          f"stage '{stage_id}' gap names unknown system '{s}'")
                         for s in gap.when_systems if s not in spec.systems]
        problems += [(("maturity", stage_id, "practices"),
                      f"stage '{stage_id}' recommends unknown practice '{p}'")
                     for p in stage.practices if p not in spec.practices]
    names: dict[str, str] = {}
    for p in spec.anti_patterns:
        where = f"anti-pattern {p.code} ({p.name})"

        def at(field: str, code: str = p.code) -> Where:
            return ("anti-patterns", code, field)

        if p.code in BUILTIN_CODES and p.code not in PATTERN_CODES:
            problems.append((at("code"), f"{where}: code {p.code} belongs to a built-in rule"))
        if names.setdefault(p.code, p.name) != p.name:
            problems.append((at("name"), f"{where}: code {p.code} is also named"
                             f" '{names[p.code]}'"))
        problems += [(at("roles"), f"{where}: unknown role '{r}'")
                     for r in p.roles if r not in roles]
        problems += [(at("responsibilities"), f"{where}: unknown responsibility '{r}'")
                     for r in p.responsibilities if r not in resp]
        problems += [(at("systems"), f"{where}: unknown system '{s}'")
                     for s in p.systems if s not in spec.systems]
        problems += [(at("maturity"), f"{where}: unknown maturity stage '{m}'")
                     for m in p.maturity if m not in spec.maturity]
        if p.responsibilities_of is not None and p.responsibilities_of not in roles:
            problems.append((at("responsibilities-of"), f"{where}: responsibilities-of names"
                             f" unknown role '{p.responsibilities_of}'"))
        if p.practice is not None and p.practice not in spec.practices:
            problems.append((at("practice"), f"{where}: unknown practice '{p.practice}'"))
        if p.kind == "owns" and (not p.roles or not (p.responsibilities or p.responsibilities_of)):
            problems.append((at("kind"), f"{where}: kind 'owns' needs roles and"
                             " responsibilities (or responsibilities-of)"))
        if p.kind == "holds-both" and len(p.roles) != 2:
            problems.append((at("roles"), f"{where}: kind 'holds-both' needs exactly two roles"))
        if p.kind == "missing-role" and (len(p.roles) != 1 or not p.systems):
            problems.append((at("roles"),
                             f"{where}: kind 'missing-role' needs one role and some systems"))
        if p.kind == "missing-owner" and not p.responsibilities:
            problems.append((at("kind"),
                             f"{where}: kind 'missing-owner' needs responsibilities"))
    return problems
