"""The role matrix explorer (``orglint roles``) and the team composer (``orglint compose``).

Both answer from the same matrix data the rules use.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from orglint.matrix import AntiPattern, Matrix
from orglint.rules.coverage import recommended_mix
from orglint.wording import plural


def patterns_for(matrix: Matrix, role: str) -> list[AntiPattern]:
    return [p for p in matrix.spec.anti_patterns
            if role in p.roles or p.responsibilities_of == role
            or any(matrix.owner(r) == role for r in p.responsibilities)]


def role_json(matrix: Matrix, role_id: str) -> dict[str, Any]:
    role = matrix.roles[role_id]
    return {
        "id": role_id,
        "title": role.title,
        "summary": role.summary,
        "in_matrix": role.in_matrix,
        "job": role.job,
        "success": role.success,
        "skill_bar": role.skill_bar._asdict() if role.skill_bar else None,
        "core_skills": role.core_skills,
        "tools": role.tools,
        "day_one_skills": role.day_one_skills,
        "owns": {r: matrix.responsibilities[r].title for r in matrix.owned_by(role_id)},
        "anti_pattern": role.anti_pattern,
        "aliases": role.aliases,
        "anti_patterns": [{"code": p.code, "name": p.name, "severity": p.severity,
                           "kind": p.kind, "why": p.why}
                          for p in patterns_for(matrix, role_id)],
    }


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(" ".join(text.split()), 88, initial_indent=indent,
                         subsequent_indent=indent)


def roles_text(matrix: Matrix) -> str:
    lines = [f"Roles of the '{matrix.name}' matrix:", ""]
    width = max(len(r) for r in matrix.roles)
    for role_id, role in matrix.roles.items():
        note = "" if role.in_matrix else "  (allowed, not checked)"
        lines.append(f"  {role_id:<{width}}  {role.summary}{note}")
    lines += ["", "Show one with: orglint roles ROLE"]
    return "\n".join(lines) + "\n"


def role_text(matrix: Matrix, role_id: str) -> str:
    data = role_json(matrix, role_id)
    lines = [f"{data['title']} ({role_id})", "", _wrap(data["summary"], "")]
    if data["job"]:
        lines += ["", "Job to be done:", _wrap(data["job"])]
    if data["success"]:
        lines += ["", "Measure of success:", _wrap(data["success"])]
    if data["skill_bar"]:
        bar = data["skill_bar"]
        lines += ["", "Skill bar:", "  Day one:", _wrap(bar["day_one"], "    "),
                  "  Month three:", _wrap(bar["month_three"], "    "),
                  "  Senior:", _wrap(bar["senior"], "    ")]
    if data["core_skills"]:
        lines += ["", "Core skills:"] + [f"  - {s}" for s in data["core_skills"]]
    if data["tools"]:
        lines += ["", "Tools expected:", _wrap(", ".join(data["tools"]))]
    if data["owns"]:
        lines += ["", "Owns:"] + [f"  - {r}: {t}" for r, t in data["owns"].items()]
    if data["anti_pattern"]:
        lines += ["", "Anti-pattern:", _wrap(data["anti_pattern"])]
    if data["anti_patterns"]:
        lines += ["", "Rules around this role:"] + [
            f"  {p['code']} {p['name']} [{p['severity']}]" for p in data["anti_patterns"]]
    if data["aliases"]:
        lines += ["", "Titles that map to it:", _wrap(", ".join(data["aliases"]))]
    return "\n".join(lines) + "\n"


@dataclass
class Composition:
    size: int
    maturity: str
    systems: list[str]
    seats: list[tuple[str, str]] = field(default_factory=list)
    practices: list[tuple[str, str]] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "maturity": self.maturity,
            "systems": self.systems,
            "seats": [{"role": r, "reason": why} for r, why in self.seats],
            "mix": {r: sum(1 for x, _ in self.seats if x == r)
                    for r in dict.fromkeys(r for r, _ in self.seats)},
            "practices": [{"id": p, "why": why} for p, why in self.practices],
            "gaps": self.gaps,
        }


def compose(matrix: Matrix, size: int, maturity: str, systems: list[str]) -> Composition:
    stage = matrix.spec.maturity[maturity]
    seats = list(recommended_mix(matrix, maturity, size))
    # Past the stage's list, grow in the same order again.
    while len(seats) < size and stage.seats:
        seats.extend((s.role, s.reason) for s in stage.seats[: size - len(seats)])
    result = Composition(size, maturity, systems, seats)
    for practice_id in stage.practices:
        practice = matrix.practices[practice_id]
        result.practices.append((practice_id, practice.description or practice.title))
    roles_in_mix = {r for r, _ in seats}
    flagged: set[str] = set()
    for gap in stage.gaps:
        if gap.role in roles_in_mix:
            continue
        if gap.when_systems and not set(gap.when_systems) & set(systems):
            continue
        result.gaps.append(gap.message)
        flagged.add(gap.role)
    for system_id in systems:
        for need in matrix.systems[system_id].requires:
            owner = matrix.owner(need)
            if owner and owner not in roles_in_mix and owner not in flagged:
                flagged.add(owner)
                result.gaps.append(f"{system_id} requires {need}, which is {owner} work,"
                                   f" and this mix has no {owner}")
    return result


def compose_text(result: Composition, matrix: Matrix) -> str:
    stage = matrix.spec.maturity[result.maturity]
    lines = [f"Recommended mix for {plural(result.size, 'head')} at {result.maturity}"
             f" ({stage.description.rstrip('.')})"
             + (f", running {', '.join(result.systems)}" if result.systems else "") + ":", ""]
    width = max((len(r) for r, _ in result.seats), default=0)
    for n, (role, reason) in enumerate(result.seats, start=1):
        lines.append(f"  {n:>2}. {role:<{width}}  {reason}")
    if result.practices:
        lines += ["", "Practices:"] + [f"  - {p}: {why}" for p, why in result.practices]
    lines += ["", "Staffing gaps:"]
    lines += [f"  - {gap}" for gap in result.gaps] or ["  none flagged"]
    return "\n".join(lines) + "\n"
