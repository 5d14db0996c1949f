"""The run: files → per-file checks (possibly in worker processes, possibly cached) →
org-wide rules → selection, severities, suppressions, baseline → a Result."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sys
from collections import ChainMap
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from orglint import hashing as hashlib  # blake2b without OpenSSL
from orglint.cache import Cache, code_digest, default_dir
from orglint.config import Settings, locate
from orglint.errors import ConfigError, OrglintError, PathError
from orglint.facts import FileFacts, group_facts, people_facts, team_facts
from orglint.fileresult import FileResult, from_worker, to_worker
from orglint.files import (
    PEOPLE_KEY,
    Entry,
    Gathered,
    Request,
    Source,
    content_digest,
    gather,
    matches,
    placed,
    read_limited,
)
from orglint.findings import (
    HIDDEN_BREAK,
    POLICY_ERROR,
    SORT_KEY,
    Finding,
    Fix,
    Result,
    Severity,
    needed,
    offerable,
    split_covered,
    unread,
)
from orglint.lazyre import deferred
from orglint.loader import Document, Limits, load
from orglint.matrix import Matrix, load_matrix
from orglint.model import People, Person, Team, build_people, build_team
from orglint.ntuple import NamedTuple
from orglint.options import OptionError
from orglint.options import parse as parse_options
from orglint.reading import read_capped
from orglint.rules import REGISTRY
from orglint.rules.base import Rule, TeamContext
from orglint.rules.input import UnknownRole, YamlSyntaxError
from orglint.rules.lineage import answered, cover_of, roles_around
from orglint.rules.org import OrgContext
from orglint.rules.patterns import both_sizes, custom_rules
from orglint.rules.people import work_facts
from orglint.schema import (
    declares_orglint,
    document_kind,
    expect,
    looks_like_orglint,
    new_hint_scope,
    placed_unit,
    recovered,
    validate,
)
from orglint.selection import check_selectors, is_enabled, names_rule, rule_for
from orglint.suppress import scan
from orglint.wording import plural

POOL_THRESHOLD = 50  # below this, a fork costs about what a second process saves (performance.md)


class InternalError(OrglintError):
    """A rule crashed: reported with the rule and the file, exit 2."""


class Job(NamedTuple):
    """What every per-file check shares: inherited by a forked worker, sent once to a
    spawned one."""

    matrix: Matrix
    rules: list[Rule]
    limits: Limits
    people: dict[str, Person]  # the org's People files, read before the teams
    codes: frozenset[str] | None = None  # the codes of ``rules``
    views: Any = None  # a policy.orgviews.OrgViews: keep each team's view (FileResult.views)
    # A People file lost a document to a YAML error: a member found in no People entry
    # may be described in the part that could not be read.
    people_lost: bool = False
    both_sizes: Mapping[str, int] | None = None  # patterns.both_sizes of ``rules``


class Plan(NamedTuple):
    settings: Settings
    matrix: Matrix
    rules: dict[str, type[Rule]]  # every rule known (built-in and the matrix's own)
    enabled: dict[str, type[Rule]]
    options: dict[str, Any]  # rule code -> its configured options (a NamedTuple)
    severities: dict[str, Severity]  # rule code -> the severity the configuration sets
    policies: Any = None  # a policy.policyset.PolicySet, when any policy is configured
    policy_digest: str = ""
    searched: bool = False  # the org's files were searched for Policy documents


def team_sizes(plan_: Plan) -> dict[str, int]:
    """``patterns.both_sizes`` of the run's enabled team rules, as configured."""
    return both_sizes(rule(plan_.options.get(code)) for code, rule in plan_.enabled.items()
                      if rule.scope == "team")


def _overrides(settings: Settings, known: Mapping[str, type[Rule]]) -> dict[str, str]:
    """Rule code -> the severity the configuration sets it to (``off`` included)."""
    return {code: value for code, rule in known.items()
            for key, value in settings.severity.items()
            if names_rule(key, rule.code, rule.name)}


def enabled_rules(settings: Settings,
                  known: Mapping[str, type[Rule]]) -> dict[str, type[Rule]]:
    """The rules of ``known`` a run with ``settings`` runs: selected, not ignored, not
    set to severity ``off``."""
    overrides = _overrides(settings, known)
    selectors = [*settings.select, *settings.extend_select]
    out = {code: rule for code, rule in known.items()
           if is_enabled(rule, selectors, settings.ignore) and overrides.get(code) != "off"}
    # A policy rule that cannot be evaluated on a target is ORG903 there, never a pass
    # (spec section 7): selecting the policy rule alone (`--select ACME020`) selects its
    # errors too, unless ORG903 is ignored or turned off by name.
    errors = known.get(POLICY_ERROR)
    if (errors is not None and POLICY_ERROR not in out and overrides.get(POLICY_ERROR) != "off"
            and is_enabled(errors, ["ALL"], settings.ignore)
            and any(getattr(rule, "policy", None) is not None for rule in out.values())):
        out[POLICY_ERROR] = errors
    return out


def _located(settings: Settings, parts: tuple[str | int, ...], key: bool,
             check: Callable[[], object]) -> None:
    """``check()``, its ConfigError named with the place of ``parts`` in the
    configuration file (found again only for an error)."""
    try:
        check()
    except ConfigError as exc:
        raise ConfigError(f"{locate(settings.config_file, parts, key)}{exc}") from None


def plan(settings: Settings, gathered: Gathered | None = None) -> Plan:
    matrix = load_matrix(settings.matrix, settings.limits.max_file_size)
    known: dict[str, type[Rule]] = dict(REGISTRY)
    for rule in custom_rules(matrix, set(REGISTRY)):
        known[rule.code] = rule
    policies = None
    from orglint.policy.find import policy_files

    files = policy_files(settings, gathered)
    if files:
        # Imported only now: a run without policies never loads the CEL engine.
        from orglint.policy.policyset import load_policies, reserved_codes
        from orglint.policy.teamrules import rule_classes

        policies = load_policies(files, matrix, settings.limits)
        reserved_codes(policies, known)
        for rule in rule_classes(policies):
            known[rule.code] = rule
    table = list(known.values())
    for key, selectors in (("select", settings.select),
                           ("extend-select", settings.extend_select),
                           ("ignore", settings.ignore)):
        # A flag's mistake is named as the flag the user typed; a file's, with its place.
        if settings.origins.get(key) == "command line":
            check_selectors(f"--{key}", selectors, table)
            continue
        for i, selector in enumerate(selectors):
            _located(settings, (key, i), False, partial(check_selectors, key, [selector], table))
    for glob, selectors in settings.per_file_ignores.items():
        for i, selector in enumerate(selectors):
            _located(settings, ("per-file-ignores", glob, i), False,
                     partial(check_selectors, f"per-file-ignores.{glob}", [selector], table))
    for name in settings.severity:
        _located(settings, ("severity", name), True,
                 partial(rule_for, f"severity.{name}", name, table))
    options: dict[str, Any] = {}
    for name, values in settings.rule_options.items():
        try:
            rule = rule_for(f"rules.{name}", name, table)
            options[rule.code] = parse_options(rule.Options, values, f"rules.{name}")
        except ConfigError as exc:
            # Named with the file and line, found again only now that it is needed.
            parts = exc.parts if isinstance(exc, OptionError) else ("rules", name)
            at_key = not isinstance(exc, OptionError) or exc.key
            raise ConfigError(f"{locate(settings.config_file, parts, at_key)}{exc}") from None
    overrides = _overrides(settings, known)
    enabled = enabled_rules(settings, known)
    severities = {code: Severity.parse(value) for code, value in overrides.items()
                  if value != "off"}
    return Plan(settings, matrix, known, enabled, options, severities, policies,
                policies.digest if policies is not None else "", gathered is not None)


# -- one file ---------------------------------------------------------------------------


def check_bytes(file: str, raw: bytes, job: Job) -> FileResult:
    result = FileResult(file)
    new_hint_scope()
    loaded = load(raw, file, job.limits)
    # pre-commit passes every YAML file: a broken CI config or a Helm template is someone
    # else's to report, but a limit hit by any file is ours (the limits keep orglint safe).
    if loaded.failed and not loaded.documents:
        if looks_like_orglint(raw):
            result.findings.extend(loaded.findings)
        elif loaded.limited:  # someone else's file: its syntax is theirs, a limit ours
            result.findings.extend(loaded.limits)
        else:
            result.skipped.append("not an orglint document (not valid YAML, and it names"
                                  " neither orglint nor an orglint kind)")
        # Its only finding is ORG001, which nothing suppresses: every directive there
        # would be reported as unused.
        return result
    result.directives = scan(loaded.text) if loaded.text else []
    if loaded.broken and result.directives:
        # A comment in a part the YAML error left unread suppresses nothing there, and is
        # not reported as unused either: what it would suppress was never checked.
        result.directives = [d for d in result.directives
                             if not any(a <= d.line < b for a, b in loaded.broken)]
    if not loaded.documents:
        result.skipped.append("empty (no YAML document)")  # -v's reason, as the summary says
    teams: list[tuple[Document, dict[str, Any], bool]] = []
    for doc in loaded.documents:
        kind = document_kind(doc.data)
        if kind is None:
            what = type(doc.data).__name__ if not isinstance(doc.data, dict) else "mapping"
            reason = "empty" if doc.data is None else f"not an orglint document ({what})"
            result.skipped.append(f"document {doc.index + 1}: {reason}")
            continue
        result.documents += 1
        problems = validate(doc, kind, file)
        result.findings.extend(problems)
        doc, data = recovered(doc, kind, file) if problems else (doc, doc.data)
        if data is None:
            if kind == "Team":
                # No members to read (`member:` misspelt): its id and parent still take
                # part in the org's checks; no rule judges a team it cannot see.
                unit = placed_unit(doc.data, doc.source)
                if unit is not None:
                    group_facts(doc, file, result.facts, unit, "Team")
            continue
        if kind == "Team":
            teams.append((doc, data, not problems))
        elif kind == "People":
            first = len(result.findings)
            _check_people(build_people(data), doc, data, file, job, result)
            if problems:  # checked as recovered, not as written: no fix offered in it
                result.findings[first:] = [f._replace(fix=None) for f in
                                           result.findings[first:]]
        elif kind == "Group":
            group_facts(doc, file, result.facts, data)
    # A file's own People entries count for its teams, whatever the document order.
    people: Mapping[str, Person] = (ChainMap(job.people, result.people) if result.people
                                    else job.people)
    for doc, data, clean in teams:
        _check_team(build_team(data), doc, data, clean, file, job, people, result)
    result.teams = len(teams)
    if loaded.findings and (result.documents or looks_like_orglint(raw)):
        result.findings.extend(loaded.findings)  # duplicate keys (ORG002)
    elif loaded.limits:  # someone else's file, but a limit hit is ours whatever the file
        result.findings.extend(loaded.limits)
    return result


def _check_team(team: Team, doc: Document, data: dict[str, Any], clean: bool, file: str,
                job: Job, people: Mapping[str, Person], result: FileResult) -> None:
    ctx = TeamContext(team, doc, file, job.matrix, people, job.codes,
                      people_lost=job.people_lost, both_sizes=job.both_sizes)
    first = len(result.findings)
    for rule in job.rules:
        try:
            result.findings.extend(rule.check_team(ctx))
        except OrglintError:
            raise  # a policy's clear message (its time budget), not a crash
        except Exception as exc:  # a bug in a rule must not look like a clean file
            raise InternalError(f"rule {rule.code} failed on {file}: {exc!r}") from exc
    if not clean:
        # A document read past a schema error is checked as recovered, not as written
        # (a placeholder name, a scalar read as a list): no fix is offered in it.
        found = result.findings
        found[first:] = [f._replace(fix=None) if f.fix is not None else f
                         for f in found[first:]]
    # What each member's owned work spans, for ORG302 across the teams of the org.
    team_facts(doc, file, result.facts, data, work_facts(ctx, job.codes), cover_of(ctx))
    if job.views:
        result.views = result.views if result.views is not None else []
        result.views.append(job.views.view(ctx))
    if not clean:
        return  # an edit next to a field the schema rejected could duplicate a key
    if all(member.role is not None for member in team.spec.members):
        return  # no role to infer: the roles need not be worked out for this
    for i, info in enumerate(ctx.roles):
        member = team.spec.members[i]
        # Only from the member's own title: one from the People file stays there, and a
        # role pinned from it would turn the next change of that title into ORG101.
        if info.source == "title" and member.role is None and info.role is not None \
                and member.title is not None:
            result.fixes.append(Fix(doc.index, member.at("role"), "insert", info.role, True,
                                    f"write the role '{info.role}' inferred from the title"
                                    f" of {member.id}"))


def _check_people(people: People, doc: Document, data: dict[str, Any], file: str, job: Job,
                  result: FileResult) -> None:
    people_facts(doc, file, result.facts, data)
    check_roles = any(r.code == UnknownRole.code for r in job.rules)
    for person in people.spec.people:
        result.people.setdefault(person.id, person)
        if check_roles and person.role is not None and person.role not in job.matrix.roles:
            result.findings.append(UnknownRole.role_value(
                job.matrix, doc, file, person.role, person.at("role"), person.id))


# -- worker processes ------------------------------------------------------------------

_JOB: Job | None = None


def _init_worker(job: Job | None) -> None:
    global _JOB
    _JOB = job


def _work(item: tuple[str, str, bytes, bytes | None]) -> FileResult:
    from orglint import pool

    file, path, digest, raw = item
    assert _JOB is not None
    pool.checking(file)
    try:
        return _check_item(file, Path(path), digest, raw, _JOB)
    finally:
        pool.checking("")


def check_file(file: str, path: Path | None, job: Job, raw: bytes | None = None, *,
               digest: bytes | None = None) -> FileResult:
    """``check_bytes``, with any failure reported as orglint's, naming the file.

    ``stale`` if the bytes checked are not those whose ``digest`` keys the result (the
    file was edited since it was hashed): such a result must not be cached.
    """
    try:
        if raw is None:
            assert path is not None
            raw = read_limited(path, job.limits.max_file_size)
        result = check_bytes(file, raw, job)
    except OrglintError:
        raise
    except MemoryError:
        raise InternalError(f"ran out of memory while checking {file}") from None
    except Exception as exc:
        raise InternalError(f"checking {file} failed: {type(exc).__name__}: {exc}") from None
    if digest is not None:
        result.stale = content_digest(raw) != digest
    return result


def _check_item(name: str, path: Path, digest: bytes, raw: bytes | None,
                job: Job) -> FileResult:
    """One file checked: the bytes gathering hashed when it kept them (neither read nor
    hashed again), else read now and compared with ``digest``."""
    if raw is not None:
        return check_file(name, None, job, raw)
    return check_file(name, path, job, digest=digest)


def _check_here(items: list[tuple[str, Path, bytes, bytes | None]],
                job: Job) -> list[FileResult]:
    return [_check_item(*item, job) for item in items]


def _processes(files: int, job: Job, jobs: int | None) -> tuple[int, str]:
    """How many processes check ``files`` files, and why (``check -v`` says)."""
    if files < POOL_THRESHOLD:
        # Without the pool's module: its signal import alone is 3.5 M instructions, and a
        # pre-commit run checks one file.
        return 1, f"fewer than {POOL_THRESHOLD} files to check"
    from orglint import pool

    if jobs is None:
        from orglint.cpus import explained

        # A container's quota or a pinned CPU: os.cpu_count() would overstate them.
        jobs, why = explained()
        why = f"the CPUs it may use: {why}"
    else:
        why = f"--jobs {jobs}"
    if not hasattr(os, "fork") and any(getattr(r, "policy", None) is not None
                                       for r in job.rules):
        # A spawned worker gets the job by pickle, which a compiled CEL program does
        # not survive: without fork, per-file policy rules run in this process.
        return 1, "per-file policy rules run in this process where Python cannot fork"
    workers = min(jobs, pool.worker_cap())
    if workers < jobs:
        why += f", at most {workers} here"
    return max(1, workers), why


def _check_many(items: list[tuple[str, Path, bytes, bytes | None]], job: Job,
                jobs: int | None, said: Result | None = None) -> list[FileResult]:
    """Each item (name, path, digest, the bytes hashed when gathering kept them) checked;
    bytes kept are checked as they are, neither read nor hashed again.  ``said``: a
    result told how many processes checked them, and why."""
    expect(len(items))
    workers, why = _processes(len(items), job, jobs)
    if said is not None and items:
        said.processes.append((len(items), workers, why))
    if workers <= 1:
        return _check_here(items, job)
    from orglint import pool

    # One process per core, the main process one of them (it has no result thread to
    # compete with: see pool.py).  Small chunks balance the ends: one costs a pipe read
    # and a frame, and a process that ends first waits at most for one chunk of another.
    chunk = max(1, min(16, len(items) // (workers * 4)))
    try:
        # A forked worker finds the bytes kept in the items it inherits: no file is read
        # and hashed a second time (a spawned one gets them pickled, as a file's read).
        return pool.run(_work, [(name, str(path), digest, raw)
                                for name, path, digest, raw in items],
                        workers=workers, chunksize=chunk, init=_init_worker,
                        initargs=(job,), send=to_worker, receive=from_worker)
    finally:
        _init_worker(None)  # the job is the run's, not the process's


# -- the run ----------------------------------------------------------------------------


def run(plan_: Plan, request: Request, gathered: Gathered | None = None) -> Result:
    import gc

    # The run allocates millions of small objects and frees them by reference counting;
    # the cyclic collector would only rescan them (about a fifth of a cold run's time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(plan_, request, gathered)
    finally:
        if enabled:
            gc.enable()


def _run(plan_: Plan, request: Request, gathered: Gathered | None = None) -> Result:
    settings = plan_.settings
    result = Result()
    cwd = request.cwd
    if gathered is None:
        gathered = gather(settings, request.paths, cwd=cwd, stdin=request.stdin,
                          stdin_name=request.stdin_name)
    if not plan_.searched:
        from orglint.policy.find import policy_files

        known = {f.path for f in plan_.policies.files} if plan_.policies is not None else set()
        if {name for _, name in policy_files(settings, gathered)} - known:
            plan_ = plan(settings, gathered)  # the org holds Policy documents
    if settings.cache and plan_.policies is not None and gathered.drift is not None:
        # Only a run that may keep its report needs to know (its configured policy
        # files are read again for it).
        _policy_drift(plan_.policies.files, gathered, settings.limits.max_file_size)
    named = gathered.named
    skipped = gathered.skipped
    limit = settings.limits.max_file_size

    team_rules = [rule(plan_.options.get(code)) for code, rule in plan_.enabled.items()
                  if rule.scope == "team"]
    codes = frozenset(rule.code for rule in team_rules)
    if plan_.policies is not None:
        from orglint.policy.teamrules import grouped

        team_rules = grouped(team_rules, plan_.policies)
    job = Job(plan_.matrix, team_rules, settings.limits, {},
              codes, _wants_views(plan_), both_sizes=team_sizes(plan_))
    cache = Cache.open(default_dir(settings.root), settings_digest(plan_)) \
        if settings.cache else None

    results: dict[str, FileResult] = {}
    held = gathered.held if gathered.held is not None else {}
    # In path order, whatever the run names (named files come first in ``entries``):
    # where two People entries describe one person, the first in path order is the
    # org's, in a pre-commit run as in the whole org's.
    people_entries = sorted((entry for entry in gathered.entries if entry.people),
                            key=lambda entry: entry.source.display)
    for entry in people_entries:
        results[entry.source.display] = _check_entry(entry, job, limit, held)
    for res in results.values():
        for pid, person in res.people.items():
            job.people.setdefault(pid, person)
    if any(any(map(unread, results[entry.source.display].findings))
           and _declares_people(entry, limit) for entry in people_entries):
        job = job._replace(people_lost=True)
    catalog_files: list[tuple[str, bytes]] = []
    if settings.backstage:
        # A Backstage user is a person of the org as a People entry is, after them: a
        # Team member with the user's id and no title of its own takes the user's (it
        # was ORG004 "no title to infer a role from").
        from orglint import backstage

        catalog_files = backstage.catalog_files(gathered, limit)
        for pid, person in backstage.people(catalog_files, job.limits).items():
            job.people.setdefault(pid, person)
    if len(people_entries) > 1 or (settings.backstage and people_entries):
        # Teams in a People file were checked knowing that file's people only (and not
        # the Backstage users, read after them).
        for entry in people_entries:
            if results[entry.source.display].teams:
                results[entry.source.display] = _check_entry(entry, job, limit, held)

    salt = _people_digest(job.people) + (b"\0lost" if job.people_lost else b"")
    named_names = {s.display for s in named}
    keys: dict[str, str] = {}
    reported = [e for e in gathered.entries if e.source.display in named_names]
    _results_of(reported, None, None, job, cache, salt, keys, results, result, request.jobs,
                held)
    # Of a file not reported, the cross-file rules need the facts, and the notes its
    # input errors; of its people, only those a reported file names too (every record
    # of them: see OrgContext.persons_named).  The rest of its result is never decoded.
    # With Backstage read in place, a reported file's users are known only once it is
    # read, after this: every record of every person is decoded (a user's ORG301 with
    # a team file elsewhere was missed in a pre-commit run).
    others = [e for e in gathered.entries if e.source.display not in named_names]
    # A whole-org run names every file: no other is read, so no person need be listed
    # (20,000 ids at 2,000 teams).
    people = None if settings.backstage or not others else {
        p.id for name in named_names if name in results for p in results[name].facts.persons}
    _results_of(others, _INPUT_ERRORS, people, job, cache, salt, keys, results, result,
                request.jobs, held)
    result.changed = sorted({r.file for r in results.values() if r.stale}
                            | (gathered.drift or set()))
    if cache is not None:
        cache.put_many((keys[r.file], r) for r in results.values()
                       if r.file in keys and not r.stale)
        cache.close()

    result.notes = org_notes(results, named_names)
    facts = {name: res.facts for name, res in results.items()}
    org_findings: dict[str, list[Finding]] = {}
    read_in_place: dict[str, set[str]] = {}  # Backstage documents, as skip reasons name them
    in_place = None  # Backstage's teams, read in place
    if settings.backstage:
        facts, in_place = _backstage(catalog_files, job, plan_, named_names, facts,
                                     org_findings, read_in_place)
    # Most results hold no finding at all (a file not named, read from the cache).
    lost = sorted(name for name, res in results.items()
                  if res.findings and any(map(unread, res.findings)))
    org = OrgContext(facts, named_names, lost, people_lost=job.people_lost,
                     matrix=plan_.matrix)
    if gathered.partial:
        result.unresolved = org.unresolved()
    for code, rule in plan_.enabled.items():
        # A team rule may look across teams too (ORG302: one person's work on all of
        # them); the others' check_org is the base's, which finds nothing.
        if rule.scope not in ("org", "team"):
            continue
        for finding in rule(plan_.options.get(code)).check_org(org):
            if finding.file in named_names:
                org_findings.setdefault(finding.file, []).append(finding)

    if plan_.policies is not None:
        from orglint.policy.orgpass import org_policy_findings

        for finding in org_policy_findings(plan_, gathered, results, job.people,
                                           named_names, facts, in_place):
            org_findings.setdefault(finding.file, []).append(finding)

    # A coverage finding that a parent team or a sub-team answers (the platform team's
    # serving runtime, its users' rollback) is withdrawn: one pass over the run's.
    withdrawn = answered(
        itertools.chain.from_iterable(
            [*(results[name].findings for name in named_names if name in results),
             *org_findings.values()]),
        org.teams, plan_.matrix)
    if withdrawn:
        for name, found in org_findings.items():
            org_findings[name] = [f for f in found if id(f) not in withdrawn]
    result.related_roles = roles_around(org.teams, plan_.matrix)

    today = request.today or dt.date.today()
    from orglint.suppress import apply as apply_suppressions

    all_findings: list[Finding] = []
    unreadable: list[Finding] = []
    for source in named:
        res = results[source.display]
        result.files_checked += 1
        result.files.append(source.display)
        if res.fixes:
            result.extra_fixes[source.display] = res.fixes
        result.documents_checked += res.documents
        in_place = read_in_place.get(source.display, set())
        result.documents_checked += len(in_place)
        for reason in res.skipped:
            if reason.partition(":")[0] not in in_place:
                result.skipped.append((source.display, reason))
        # A file orglint could not read never passes: its ORG001 escapes selection,
        # per-file ignores, severity overrides, suppressions and the baseline.
        unreadable.extend(f._replace(severity=Severity.ERROR) for f in res.findings
                          if f.code == YamlSyntaxError.code)
        findings = [f for f in res.findings
                    if f.code in plan_.enabled and f.code != YamlSyntaxError.code
                    and id(f) not in withdrawn]
        findings += org_findings.get(source.display, [])
        findings, enabled = _per_file_ignores(findings, source, settings, request.cwd,
                                              plan_.enabled)
        # A code per-file-ignores drops here is off here: a suppression of it is no
        # more "unused" than one of a code ignored everywhere.
        partial = bool(res.directives) and any(map(unread, res.findings))
        findings, marked = split_covered(findings)
        if marked:
            # What a finding still shown makes redundant goes before the suppressions
            # run, so that it uses none of them up (an ignore[ORG202] beside a shown
            # ORG201 is unused); what only a suppressed one covered stays (ORG201
            # suppressed here: the feature-store work nobody owns is ORG202's).
            shown = apply_suppressions(findings, res.directives, today, enabled,
                                       source.display, plan_.rules, partial=partial)
            findings = findings + needed(marked, shown)
        findings = apply_suppressions(findings, res.directives, today, enabled,
                                      source.display, plan_.rules, partial=partial)
        # After the suppressions: the findings they make (ORG901, ORG902) take their
        # configured severity too.
        if plan_.severities:
            findings = [f._replace(severity=plan_.severities[f.code])
                        if f.code in plan_.severities else f for f in findings]
        all_findings.extend(f for f in findings if f.code in plan_.enabled)
    # A file of the org that could not be read, named or not: the cross-file rules saw
    # less of the org, and a verdict on the files named may miss what it held (a broken
    # People file hides the roles, so the anti-patterns, of the people it lists).  As
    # mypy reports a module it follows that does not parse, the run reports its ORG001
    # rather than pass; only of a file that says it is orglint's (an orglint apiVersion),
    # not someone else's YAML that `paths:` matched (a broken CI workflow naming orglint
    # in a comment, a Backstage Group, a Helm file past a limit).
    by_name: dict[str, Entry] | None = None
    for name in lost:
        if name in named_names:
            continue
        bad = [f._replace(severity=Severity.ERROR) for f in results[name].findings
               if f.code == YamlSyntaxError.code]
        if by_name is None:
            by_name = {e.source.display: e for e in gathered.entries}
        org_entry = by_name.get(name)
        if org_entry is not None and _says_orglint(org_entry, limit):
            unreadable.extend(bad)
    # The same finding twice, every field equal, says nothing more: a Backstage user on
    # two groups gave each ORG009 and each member rule's finding once per group, at the
    # same place with the same words.
    all_findings = list(dict.fromkeys(all_findings))
    result.skipped = skipped + result.skipped
    if request.baseline is not None:
        from orglint import baseline

        all_findings, hidden, stale = baseline.filter_new(request.baseline, all_findings,
                                                          named_names, limit)
        result.baseline_hidden = hidden
        result.stale_baseline = stale
    all_findings.extend(unreadable)
    all_findings.sort(key=SORT_KEY)
    result.findings = offerable(all_findings)
    return result


def _bytes_again(entry: Entry, limit: int) -> bytes | None:
    """A file's bytes read again (only a file that could not be read, and rarely), or
    None when it is gone or unreadable since: then it may say anything."""
    try:
        return entry.read(limit)[0]
    except PathError:
        return None


def _says_orglint(entry: Entry, limit: int) -> bool:
    """Whether a file of the org that could not be read says it is orglint's."""
    raw = _bytes_again(entry, limit)
    return raw is None or declares_orglint(raw)


_PEOPLE_KEY = deferred(rb"(?im)" + PEOPLE_KEY)


def _declares_people(entry: Entry, limit: int) -> bool:
    """Whether a file that lost a document to a YAML error says it holds People (outside
    its comments and quoted values, ``files.declares``: a team file that named the kind
    in a comment silenced ORG004 and ORG008 for the whole org): its bytes read again
    (only such a file, and rarely); unreadable, it may well."""
    from orglint.files import declares

    raw = _bytes_again(entry, limit)
    if raw is None:
        return True
    # Or an orglint document with a `people:` list under its spec, whose kind is
    # misspelt or missing (``schema.shaped_kind``): not a file that declares another
    # kind, whose `people:` is an annotation or a line of its description.
    return declares(raw, b"People") or (
        declares_orglint(raw) and _PEOPLE_KEY.search(raw) is not None
        and not any(declares(raw, kind) for kind in (b"Team", b"Group", b"Policy",
                                                     b"RoleMatrix")))


def _results_of(entries: list[Entry], keep: frozenset[str] | None, people: set[str] | None,
                job: Job, cache: Cache | None, salt: bytes, keys: dict[str, str],
                results: dict[str, FileResult], result: Result, jobs: int | None,
                held: dict[tuple[str, bytes], bytes]) -> None:
    """Each entry's result into ``results``: from the cache (as ``Cache.get`` gives it
    with ``keep`` and ``people``), else checked (from its bytes in ``held``, taken out,
    when gathering kept them)."""
    limit = job.limits.max_file_size
    todo: list[tuple[str, Path, bytes, bytes | None]] = []
    # Each key from a copy of one hash's state: blake2b's constructor parses eleven
    # keyword parameters, and this loop runs for every file of the org.
    fresh = hashlib.blake2b(digest_size=16).copy
    # os.fsencode, without its Python frames.
    encoding, errors = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
    take = held.pop
    for entry in entries:
        source = entry.source
        display = source.display
        if display in results:
            continue
        cached = None
        if cache is not None:
            # The name is part of the key: findings and facts carry it.  (Without a
            # cache no key is needed: it only files results away.)
            digest = fresh()
            digest.update(display.encode(encoding, errors) + b"\0" + entry.digest + salt)
            key = digest.hexdigest()
            keys[display] = key
            cached = cache.get(key, keep, people)
        if cached is not None:
            result.cache_hits += 1
            cached.file = display
            results[display] = cached
        elif source.path is None:
            results[display] = _check_entry(entry, job, limit, held)
        else:
            result.cache_misses += cache is not None
            todo.append((display, source.path, entry.digest,
                         take((display, entry.digest), None)))
    for res in _check_many(todo, job, jobs, result):
        results[res.file] = res


def _backstage(files: list[tuple[str, bytes]], job: Job, plan_: Plan, named: set[str],
               facts: dict[str, FileFacts], out: dict[str, list[Finding]],
               read: dict[str, set[str]]) -> tuple[dict[str, FileFacts], Any]:
    """Backstage read in place (spec §8.1) from ``files`` (``catalog_files``): its
    teams' findings and the catalog rules' go to ``out``, the documents it read to
    ``read``; the org facts come back with its groups and members added, beside what
    was read (a ``backstage.Run``)."""
    from orglint import backstage

    found = backstage.check(files, job.limits, job.rules, job.matrix, job.people, job.codes)
    for entity in found.catalog.entities:
        read.setdefault(entity.file, set()).add(f"document {entity.doc.index + 1}")
    for file, findings in found.findings.items():
        if file in named:
            out.setdefault(file, []).extend(findings)
    for code, rule in plan_.enabled.items():
        if rule.scope == "catalog":
            for finding in rule(plan_.options.get(code)).check_org(found.catalog):
                if finding.file in named:
                    out.setdefault(finding.file, []).append(finding)
    return backstage.merged(facts, found.facts), found


def _wants_views(plan_: Plan) -> Any:
    if plan_.policies is None:
        return None
    if not any(rule.scope == "org" and rule.spec.code in plan_.enabled
               for rule in plan_.policies.rules):
        return None
    from orglint.policy.orgviews import org_views

    return org_views(plan_.policies)


MAX_NOTES = 5
_INPUT_ERRORS = frozenset({"ORG001", "ORG002", "ORG003"})


def org_notes(results: dict[str, FileResult], named: set[str]) -> list[str]:
    """One line per file of the org, not named, that could not be read in full: its
    findings are not shown, but cross-file rules saw less of the org because of it."""
    notes: list[str] = []
    broken = 0
    for name in sorted(results.keys() - named):
        bad = [f for f in results[name].findings
               if f.code in _INPUT_ERRORS and f.detail != HIDDEN_BREAK]
        if not bad:
            continue
        broken += 1
        if len(notes) >= MAX_NOTES:
            continue
        first = min(bad, key=Finding.sort_key)
        what = ("could not be read" if first.code == "ORG001"
                else f"has {len(bad)} input error{'s' if len(bad) > 1 else ''}")
        shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)
        notes.append(f"{shown} (part of the org) {what}: {first.code} at {first.line}:"
                     f"{first.column}; cross-file rules may be incomplete")
    if broken > len(notes):
        more = broken - len(notes)
        notes.append(f"{plural(more, 'more file')} of the org"
                     f" {'has' if more == 1 else 'have'} input errors; check them by name")
    return notes
def _policy_drift(files: list[Any], gathered: Gathered, limit: int) -> None:
    """The policy files whose text, loaded by the plan, is not the text hashed when
    gathering (a file of the org) or is no longer the file's text (one the configuration
    names, whose text the run's key took before the plan read it: ``cli`` compares that
    with the text now): recorded in ``gathered.drift``."""
    digests = {entry.source.display: entry.digest for entry in gathered.entries
               if entry.people}  # a Policy document flags its file as it does People
    assert gathered.drift is not None
    for file in files:
        digest = digests.get(file.path)
        if digest is not None:
            if content_digest(file.raw) != digest:
                gathered.drift.add(file.path)
            continue
        try:
            now = read_capped(Path(file.path), limit, "policy file")
        except OrglintError:
            now = None
        if now != file.raw:
            gathered.drift.add(file.path)


def _check_entry(entry: Entry, job: Job, limit: int,
                 held: dict[tuple[str, bytes], bytes]) -> FileResult:
    raw = held.pop((entry.source.display, entry.digest), None)
    same = True  # bytes kept while gathering are those hashed
    if raw is None:
        raw, same = entry.read(limit)
    result = check_file(entry.source.display, None, job, raw)
    result.stale = not same
    return result


def settings_digest(plan_: Plan) -> str:
    """What per-file results depend on besides the file: code, matrix, rules, limits."""
    parts: list[Any] = [
        code_digest(),
        plan_.matrix.digest,
        sorted(plan_.enabled),
        sorted((k, repr(v)) for k, v in plan_.options.items()),
        plan_.settings.limits,
        plan_.policy_digest,  # policy rules run per file: their text is part of the key
    ]
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def _people_digest(people: dict[str, Person]) -> bytes:
    if not people:
        return b""
    text = "\n".join(f"{pid}\0{p.values()!r}" for pid, p in sorted(people.items()))
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def _per_file_ignores(findings: list[Finding], source: Source, settings: Settings,
                      cwd: Path, enabled: dict[str, type[Rule]]
                      ) -> tuple[list[Finding], dict[str, type[Rule]]]:
    """``findings`` without those the configuration's ``per-file-ignores`` drop for the
    file, and the rules still on for it: the globs are relative to the configuration's
    folder, as ``exclude``'s, never to the current folder (from ``teams/``, ``x/*.yaml``
    silenced ``teams/x/a.yaml``), and standard input is matched by the name it is given
    (``--stdin-filename``)."""
    if not settings.per_file_ignores:
        return findings, enabled
    from orglint.selection import specificity

    drop: list[str] = []
    # The file's place worked out once, not once per glob: two ``resolve`` calls (a
    # system call per path component each) for every glob of every file made a
    # configuration of many globs cost minutes.
    path = source.path if source.path is not None else cwd / source.display
    rel, parts = placed(path.resolve(), settings.root.resolve())
    for glob, selectors in settings.per_file_ignores.items():
        if matches(rel, parts, glob):
            drop.extend(selectors)
    if not drop:
        return findings, enabled
    on = {code: rule for code, rule in enabled.items()
          if not any(specificity(s, code, rule.name) is not None for s in drop)}
    # A policy rule's error (ORG903) goes with its rule: ignored for this file, the rule
    # says nothing here, as a built-in one would.
    return ([f for f in findings
             if not any(specificity(s, f.code, f.name) is not None for s in drop)
             and not (f.code == POLICY_ERROR and f.detail in enabled
                      and f.detail not in on)], on)


