"""Person and org policy rules, and team and member rules that name ``org``: they run
once every file of the org is known, on one org converted once (``cel.Shared``).

Each file's check keeps its teams as policy rules see them (``FileResult.views``) when
such a rule is on; a result that has none (from a cache written without them) is read
again here.  Where a person rule points comes from the files' facts: each membership's
``id`` in the files being checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from orglint.facts import FileFacts, PersonFact, Place
from orglint.files import Gathered
from orglint.findings import ORG_WIDE, Finding
from orglint.loader import load
from orglint.model import Person, build_team
from orglint.policy.cel import (
    CompileError,
    Program,
    Shared,
    activation,
    compile_expression,
    compile_shared,
    compile_wrapped,
)
from orglint.policy.compiled import (
    Compiled,
    Verdict,
    evaluate,
    explicit_bind,
    fallback_message,
    message_of,
)
from orglint.policy.orgteams import ORG_NAMES, OrgTeamRules
from orglint.policy.policyset import team_data
from orglint.policy.shape import Node, projector, shape
from orglint.policy.teamrules import OUTCOMES, outcome_item, passes, policy_error, report
from orglint.policy.views import (
    org_view,
    person_views,
    pruned_org,
    pruned_persons,
    readable,
    shaped_persons,
)
from orglint.rules.base import TeamContext
from orglint.schema import document_kind, recovered, validate


def _read_views(plan: Any, gathered: Gathered, entry: Any, people: Mapping[str, Person]
                ) -> list[dict[str, Any]]:
    return [team_data(ctx.team, [info.role for info in ctx.roles], people, ctx.doc.data)
            for ctx in _contexts(plan, gathered, entry, people)]


def _contexts(plan: Any, gathered: Gathered, entry: Any, people: Mapping[str, Person]
              ) -> list[TeamContext]:
    """The Team documents of a file, read again, as the file's check saw them."""
    file = entry.source.display
    loaded = load(gathered.read(entry, plan.settings.limits.max_file_size), file,
                  plan.settings.limits)
    contexts: list[TeamContext] = []
    for doc in loaded.documents:
        if document_kind(doc.data) != "Team":
            continue
        doc, data = (recovered(doc, "Team", file) if validate(doc, "Team", file)
                      else (doc, doc.data))
        if data is None:
            continue
        contexts.append(TeamContext(build_team(data), doc, file, plan.matrix, people))
    return contexts


def org_policy_findings(plan: Any, gathered: Gathered, results: Mapping[str, Any],
                        people: Mapping[str, Person], named: set[str],
                        org_facts: Mapping[str, FileFacts] | None = None,
                        in_place: Any = None) -> Iterator[Finding]:
    """The findings of the rules that run on the whole org.  ``org_facts``: its facts
    by file, when Backstage added to them; ``in_place``: what Backstage read in place (a
    ``backstage.Run``), whose teams are the org's too."""
    policies = plan.policies
    rules = [plan.enabled[r.spec.code] for r in policies.rules
             if r.scope == "org" and r.spec.code in plan.enabled]
    if not rules:
        return
    person_rules = [rule for rule in rules if rule.policy.spec.target == "person"]
    teams: list[dict[str, Any]] = []
    # Each team's file entry and its index there, or (None, its context) for a team
    # Backstage read in place.
    owners: list[tuple[Any, Any]] = []
    with_owners = any(rule.policy.spec.target in ("team", "member") for rule in rules)
    # The facts of the files checked: a person's memberships there are gathered, and
    # their places unpacked, only for a person some rule reports (most pass).
    checked_facts: list[list[PersonFact]] = []
    for entry in sorted(gathered.entries, key=lambda e: e.source.display):
        file = entry.source.display
        result = results.get(file)
        views = result.views if result is not None else None
        views = views if views is not None else _read_views(plan, gathered, entry, people)
        teams.extend(views)
        if with_owners:
            owners.extend((entry, k) for k in range(len(views)))
        known = org_facts.get(file) if org_facts is not None else None
        if known is None and result is not None:
            known = result.facts
        if person_rules and file in named and known is not None:
            checked_facts.append(known.persons)  # with Backstage's memberships there
    for ctx in in_place.teams if in_place is not None else ():
        teams.append(team_data(ctx.team, [info.role for info in ctx.roles], people,
                               ctx.doc.data))
        if with_owners:
            owners.append((None, ctx))
    from_org = any(_names(rule.policy, "org") for rule in person_rules)
    persons, shaped = _persons(rules, person_rules, from_org, teams, people)
    # The org is converted into the engine's values once and read by every rule that
    # names it: converting it per rule, team or person would make a run quadratic.  A
    # half no rule names (as a word, in any of its expressions) stays empty: it cannot
    # be read.
    org = org_view(teams if _needs(rules, "teams", "team", "member") else [],
                   persons if from_org or _needs(rules, "people") else {})
    served = [r.policy for r in rules if r.policy.spec.target != "person" or from_org]
    if served and all(c.spec.target == "org" for c in served):
        # Org rules alone read the shared org (team, member and person rules index it
        # by target, which ``shape`` does not follow): it is converted with only what
        # they can observe, e.g. the length of ``org.teams`` for ``org.teams.size()``.
        # Projected first, so that what is pruned below is that much (not every team).
        observed = shape([p.source for c in served for p in (c.match, c.expression, c.message)
                           if p is not None], ("org",))
        if observed is not None:
            org = projector(observed["org"])(org)
    words = readable(source for compiled in served for source in _sources(compiled))
    if words is not None:
        if any(c.spec.target in ("team", "member") for c in served):
            words |= {"spec", "members"}  # orgteams reads a member at team.spec.members[i]
        org = pruned_org(org, words)
    data: dict[str, Any] = {"org": org}
    if any("matrix" in r.policy.uses for r in rules):
        data["matrix"] = policies.matrix_data
    shared = Shared(ORG_NAMES, data)
    # An org rule's finding is at line 1 of the first file of the org in path order
    # (spec section 7), whatever the run names: reported when that file is, and the
    # same finding, baseline key and suppressions as in the whole org's run.
    # A file with no orglint document (a CI workflow the globs also match) is no file
    # of the org: it is skipped, and nothing is reported on it.
    first = min((name for name in (e.source.display for e in gathered.entries)
                 if _holds_org(results.get(name), org_facts, name)), default=None)
    for rule in rules:
        compiled = rule.policy
        if compiled.spec.target == "org":
            verdict = evaluate(compiled, shared.on(None), policies.clock)
            if verdict.outcome == "error" and "iteration budget" in verdict.message:
                # The engine's budget is per evaluation, and an org rule is one over the
                # whole org: past about 10,000 steps in all it cannot pass, however right.
                verdict = verdict._replace(message=(
                    f"{verdict.message}; an org rule is one evaluation over all"
                    f" {len(teams)} teams of the org: write it per team or per person"
                    " (target: team, member or person)"))
            if first is not None and first in named:
                yield from _emit(rule, verdict, [Place(first, 1, 1, 1, 1)], None,
                                 ORG_WIDE)
    yield from _team_findings(plan, gathered, shared, rules, teams, owners, named, people,
                              in_place)
    compiled = [rule.policy for rule in person_rules]
    source = _Persons(policies, shared, compiled, persons, from_org, shaped)
    members = {fact.id for facts in checked_facts for fact in facts if fact.team is not None}
    # A person of a People file who is on no team of the org ("on the bench") is a
    # person too: found at their People entry, where there is no membership to point at.
    entries = {fact.id for facts in checked_facts for fact in facts if fact.team is None}
    on_a_team = ({m.get("id") for team in teams for m in team["spec"]["members"] if m}
                 if entries else set())
    benched = entries - on_a_team - members
    checked = [pid for pid in persons if pid in members or pid in benched]
    failing = list(person_verdicts(policies, source, compiled, checked))
    if not failing:
        return
    memberships: dict[str, list[PersonFact]] = {pid: [] for pid, _ in failing}
    for facts in checked_facts:
        for fact in facts:
            if fact.id in memberships and (fact.team is not None) != (fact.id in benched):
                memberships[fact.id].append(fact)
    for pid, verdicts in failing:
        # One finding per place: a Backstage user's memberships all point at the user.
        places = list(dict.fromkeys(fact.place for fact in memberships[pid]))
        for rule, verdict in zip(person_rules, verdicts, strict=True):
            yield from _emit(rule, verdict, places, pid)



def _holds_org(result: Any, org_facts: Mapping[str, FileFacts] | None, name: str) -> bool:
    """Whether a file holds a team, group or person of the org (its facts say so)."""
    facts = org_facts.get(name) if org_facts is not None else None
    if facts is None and result is not None:
        facts = result.facts
    return facts is not None and bool(facts.teams or facts.persons or facts.has_people)


def _persons(rules: list[Any], person_rules: list[Any], from_org: bool,
             teams: list[dict[str, Any]], people: Mapping[str, Person]
             ) -> tuple[dict[str, dict[str, Any]], bool]:
    """The persons of the org as the rules read them, and whether they were built with
    only what the person rules can observe (``shape``)."""
    if not _needs(rules, "people", "person"):
        return {}, False
    if from_org or _needs(rules, "people"):
        return person_views(teams, people), False  # in the org too, pruned with it
    # Read by the person rules alone: what none of them can observe is not built
    # (``shape``), or failing that, what none of them names.
    node = _person_shape([rule.policy for rule in person_rules])
    shaped = shaped_persons(teams, people, node) if node is not None else None
    if shaped is not None:
        return shaped, True
    words = readable(source for rule in person_rules for source in _sources(rule.policy))
    return (person_views(teams, people) if words is None else pruned_persons(
        teams, people, words)), False


def _person_shape(rules: list[Compiled]) -> Node | None:
    """What every evaluation on a person of ``_Persons`` can observe of it: the batch,
    the probe, each rule alone (the same expressions) and their messages."""
    items = ", ".join(outcome_item(c) for c in rules)
    sources = [f"persons.map(person, [{items}])",
               "persons.all(person, " + " && ".join(passes(c) for c in rules) + ")"]
    sources += [f"persons.map(person, ({c.message.source}))" for c in rules if c.message]
    found = shape(sources, ("persons",))
    return found["persons"].elem if found is not None else None


def _needs(rules: list[Any], word: str, *targets: str) -> bool:
    return any(r.policy.spec.target in targets or _names(r.policy, word) for r in rules)


def _team_findings(plan: Any, gathered: Gathered, shared: Shared, rules: list[Any],
                   teams: list[dict[str, Any]],
                   owners: list[tuple[Any, Any]], named: set[str],
                   people: Mapping[str, Person], in_place: Any) -> Iterator[Finding]:
    """Team and member rules that read ``org``, on the teams of the files checked; a
    file is read again for its positions only when one of its teams has a finding.  A
    team Backstage read in place has its context at hand, and its findings are moved
    to its Backstage files (``in_place.stitch``)."""
    mine = [rule for rule in rules if rule.policy.spec.target in ("team", "member")]
    if not mine:
        return
    runner = OrgTeamRules([rule.policy for rule in mine], shared, plan.policies.clock)
    contexts: dict[str, list[TeamContext]] = {}
    for index, (team, (entry, k)) in enumerate(zip(teams, owners, strict=True)):
        if entry is None:
            reports = runner.reports(index, team)
            for rule in mine if reports else ():
                for finding in report(rule, k, reports.get(rule.policy.spec.code, ())):
                    real = in_place.stitch.finding(finding)
                    if real.file in named:
                        yield real
            continue
        file = entry.source.display
        if file not in named:
            continue
        reports = runner.reports(index, team)
        if not reports:
            continue
        if file not in contexts:
            contexts[file] = _contexts(plan, gathered, entry, people)
        found = contexts[file]
        ctx = found[k] if k < len(found) and found[k].team.id == team["id"] else None
        if ctx is None:
            continue  # the file changed since it was checked
        for rule in mine:
            yield from report(rule, ctx, reports.get(rule.policy.spec.code, ()))


def _sources(compiled: Any) -> list[str]:
    spec = compiled.spec
    sources = [e.source for e in (spec.match, spec.expression, spec.message_expression) if e]
    return sources + [e.source for _, e in spec.variables]


def _names(compiled: Any, word: str) -> bool:
    return any(re.search(rf"\b{word}\b", source) for source in _sources(compiled))


# Persons per batch: the engine builds a map's result by appending to a copy, so one
# batch costs the square of its length (5,000 persons: 1 s; 50: 0.2 ms).
CHUNK = 50
_PERSON = "cel.bind(person, org.people[{key}], {body})"
_OWN_NAMES = ("persons", "person", "matrix", "variables")


class _Persons:
    """How person rules get their person: from the shared org when one of them names
    ``org`` (``org.people[id]``, converted once with it), else converted chunk by chunk
    (the org then need not carry its people)."""

    def __init__(self, policies: Any, shared: Shared, rules: list[Compiled],
                 persons: Mapping[str, dict[str, Any]], from_org: bool,
                 shaped: bool = False) -> None:
        self.policies, self.shared, self.persons = policies, shared, persons
        self.from_org = from_org
        self.matrix = ({"matrix": policies.matrix_data}
                       if any("matrix" in c.uses for c in rules) else {})
        self._alone: dict[str, Compiled] = {}
        items = ", ".join(outcome_item(c) for c in rules)
        # A rule calling cel.bind is evaluated alone on each person (``explicit_bind``).
        batched = not any(explicit_bind(c) for c in rules)
        self.batch = self._compile("map", f"[{items}]") if batched else None
        # Most persons pass every rule: one bool per chunk says so without building a
        # row per person (a row is copied into the map's result, then into Python).
        self.probe = (self._compile("all", " && ".join(passes(c) for c in rules))
                      if batched else None)
        # A chunk is converted for the probe and the batch only: what neither can
        # observe of a person is left out (a failure's message reads the whole person).
        self.project: Callable[[Any], Any] | None = None
        if not from_org and not shaped and self.batch is not None and self.probe is not None:
            found = shape([self.batch.source, self.probe.source], ("persons",))
            self.project = projector(found["persons"]) if found else None

    def _compile(self, macro: str, body: str) -> Program | None:
        try:
            if self.from_org:
                return compile_shared(f"orglint.target().{macro}(k, "
                                      + _PERSON.format(key="k", body=body) + ")", ORG_NAMES)
            return compile_expression(f"persons.{macro}(person, {body})", _OWN_NAMES,
                                      limit=None)
        except CompileError:
            return None  # e.g. past the engine's nesting limit: correct, only slower

    def chunk(self, pids: list[str]) -> Any:
        """The inputs of one chunk, converted once for the probe and the batch."""
        if self.from_org:
            return self.shared.on(pids)
        persons = [self.persons[pid] for pid in pids]
        if self.project is not None:
            persons = self.project(persons)
        return activation(_OWN_NAMES, {**self.matrix, "persons": persons})

    def alone(self, rule: Compiled) -> Compiled:
        """``rule`` as it reads its person (from the shared org: ``orglint.target()``)."""
        if not self.from_org:
            return rule
        found = self._alone.get(rule.spec.code)
        if found is None:
            def wrap(program: Program | None) -> Program | None:
                if program is None:
                    return None
                return compile_wrapped(_PERSON.format(key="orglint.target()",
                                                      body=f"({program.source})"), ORG_NAMES)
            expression = wrap(rule.expression)
            assert expression is not None
            found = self._alone[rule.spec.code] = rule._replace(
                match=wrap(rule.match), expression=expression, message=wrap(rule.message))
        return found

    def one(self, rule: Compiled, pid: str) -> Any:
        if self.from_org:
            return self.shared.on(pid)
        return self.policies.activation(rule, {"person": self.persons[pid]})

    def verdict(self, rule: Compiled, pid: str) -> Verdict:
        return evaluate(self.alone(rule), self.one(rule, pid), self.policies.clock)

    def failed(self, rule: Compiled, pid: str) -> Verdict:
        if rule.message is None:
            return Verdict("fail", fallback_message(rule))
        return Verdict("fail", message_of(self.alone(rule), self.one(rule, pid)))


def person_verdicts(policies: Any, source: _Persons, rules: list[Compiled], pids: list[str]
                    ) -> Iterator[tuple[str, list[Verdict]]]:
    """Each person's verdict for every person rule, for the persons with a failure or an
    error: a chunk of persons the probe finds passing is done, another gets ``[...]``
    mapped over it, and a chunk whose batch fails in any way goes person by person,
    rule by rule."""
    if not rules or not pids:
        return
    if source.from_org:
        found = _verdicts(policies, source, rules, pids)
    else:
        # Persons that share one value (``views.shaped_persons``: as many teams, and
        # nothing else read) are evaluated once, for the first of them.
        persons = source.persons
        first = {id(persons[pid]): pid for pid in reversed(pids)}
        if len(first) == len(pids):
            found = _verdicts(policies, source, rules, pids)
        else:
            failing = {id(persons[pid]): verdicts for pid, verdicts in
                       _verdicts(policies, source, rules, list(first.values()))}
            found = ((pid, failing[id(persons[pid])]) for pid in pids
                     if id(persons[pid]) in failing) if failing else iter(())
    yield from found


def _verdicts(policies: Any, source: _Persons, rules: list[Compiled], pids: list[str]
              ) -> Iterator[tuple[str, list[Verdict]]]:
    for start in range(0, len(pids), CHUNK):
        chunk = pids[start:start + CHUNK]
        policies.clock.check(f"person {chunk[0]}")
        inputs = source.chunk(chunk) if source.batch or source.probe else None
        if source.probe is not None:
            out = source.probe.evaluate(inputs)
            if out.error is None and out.value is True:
                continue  # every rule true (or not matching) on every person of it
        rows = None
        if source.batch is not None:
            out = source.batch.evaluate(inputs)
            rows = out.value if out.error is None else None
        for k, pid in enumerate(chunk):
            row = rows[k] if isinstance(rows, list) and len(rows) == len(chunk) else None
            if isinstance(row, list) and len(row) == len(rules) and all(
                    code in OUTCOMES for code in row):
                if 0 not in row:
                    continue
                verdicts = [Verdict(OUTCOMES[code], "") if code else source.failed(c, pid)
                            for c, code in zip(rules, row, strict=True)]
            else:
                verdicts = [source.verdict(c, pid) for c in rules]
            if any(v.outcome in ("fail", "error") for v in verdicts):
                yield pid, verdicts


def _emit(rule: Any, verdict: Any, where: list[Place], entity: str | None,
          detail: str | None = None) -> Iterator[Finding]:
    if verdict.outcome not in ("fail", "error"):
        return
    spec = rule.policy.spec
    for place in where:
        if verdict.outcome == "error":
            yield policy_error(spec.code, spec.name, verdict.message, file=place.file,
                               line=place.line, column=place.column, end_line=place.end_line,
                               end_column=place.end_column, entity=entity)
        else:
            yield Finding(rule.code, rule.name, rule.severity, verdict.message, place.file,
                          place.line, place.column, place.end_line, place.end_column,
                          entity=entity, detail=detail)
