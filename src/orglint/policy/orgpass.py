"""Person and org policy rules: they run once every file of the org is known.

The per-file results carry only small facts, so the teams are read again here, and
only when such a rule is on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from orglint.files import Gathered
from orglint.findings import Finding
from orglint.loader import load
from orglint.model import Person, build_team
from orglint.policy.policyset import policy_error, target_inputs, team_data
from orglint.policy.views import org_view, person_views
from orglint.rules.base import TeamContext
from orglint.schema import document_kind, recover, validate


def org_policy_findings(plan: Any, gathered: Gathered, people: Mapping[str, Person],
                        named: set[str]) -> Iterator[Finding]:
    policies = plan.policies
    rules = [plan.enabled[r.spec.code] for r in policies.rules
             if r.scope == "org" and r.spec.code in plan.enabled]
    if not rules:
        return
    limit = plan.settings.limits.max_file_size
    teams: list[dict[str, Any]] = []
    # person id -> (file, span) of each membership in the files named
    places: dict[str, list[tuple[str, Any]]] = {}
    for entry in sorted(gathered.entries, key=lambda e: e.source.display):
        file = entry.source.display
        loaded = load(entry.read(limit), file, plan.settings.limits)
        for doc in loaded.documents:
            if document_kind(doc.data) != "Team":
                continue
            problems = validate(doc, "Team", file)
            data = recover(doc.data, "Team") if problems else doc.data
            if data is None:
                continue
            team = build_team(data)
            ctx = TeamContext(team, doc, file, plan.matrix, people)
            teams.append(team_data(team, [info.role for info in ctx.roles], people))
            if file in named:
                for member in team.spec.members:
                    places.setdefault(member.id, []).append(
                        (file, doc.source.span(member.at("id"))))
    persons = person_views(teams, people)
    first = min(named) if named else None
    for rule in rules:
        compiled = rule.policy
        spec = compiled.spec
        if spec.target == "org":
            verdict = policies.verdict(compiled, target_inputs(
                "org", org=org_view(teams, persons)))
            if first is not None:
                yield from _emit(rule, verdict, [(first, None)], None)
            continue
        for pid, person in persons.items():
            where = places.get(pid)
            if not where:
                continue
            verdict = policies.verdict(compiled, target_inputs("person", person=person))
            yield from _emit(rule, verdict, where, pid)


def _emit(rule: Any, verdict: Any, where: list[tuple[str, Any]],
          entity: str | None) -> Iterator[Finding]:
    if verdict.outcome not in ("fail", "error"):
        return
    spec = rule.policy.spec
    for file, span in where:
        line, column, end_line, end_column = (span if span is not None else (1, 1, 1, 1))
        if verdict.outcome == "error":
            yield policy_error(spec.code, spec.name, verdict.message, file=file, line=line,
                               column=column, end_line=end_line, end_column=end_column,
                               entity=entity)
        else:
            yield Finding(rule.code, rule.name, rule.severity, verdict.message, file, line,
                          column, end_line, end_column, entity=entity)
