"""The role matrix explorer (``orglint roles``) and the team composer (``orglint compose``).

Both answer from the same matrix data the rules use.  A custom matrix comes from the
repository, so every text it contributes goes through ``visible`` (spec §6.1): a title
holding ``\n::error::`` or ESC[2J is shown as an escape, never sent raw to a CI log or a
terminal.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orglint.escape import defused, visible
from orglint.matrix import AntiPattern, Matrix
from orglint.mix import MixSeat, Need, RuleRef
from orglint.ntuple import NamedTuple
from orglint.rules.coverage import recommended_mix
from orglint.rules.patterns import reason
from orglint.titles import Resolution
from orglint.wording import plural


def patterns_for(matrix: Matrix, role: str) -> list[AntiPattern]:
    return [p for p in matrix.spec.anti_patterns
            if role in p.roles or p.responsibilities_of == role
            or any(matrix.owner(r) == role for r in p.responsibilities)]


def role_json(matrix: Matrix, role_id: str,
              sizes: Mapping[str, int] | None = None) -> dict[str, Any]:
    """One role of the matrix as data; ``sizes``: the team sizes its holds-both rules
    run with (``engine.team_sizes``), named by their reasons."""
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
        # Another role's responsibilities that are this role's own work too (ORG102 and
        # ORG302 count them as this role's), and which of its own it shares.
        "shared": [{"id": r, "title": e.title, "owner": e.owner}
                   for r, e in matrix.responsibilities.items()
                   if role_id in e.shared_with and e.owner != role_id],
        "shares": {r: list(matrix.responsibilities[r].shared_with)
                   for r in matrix.owned_by(role_id) if matrix.responsibilities[r].shared_with},
        "anti_pattern": role.anti_pattern,
        "aliases": role.aliases,
        "anti_patterns": [{"code": p.code, "name": p.name, "severity": p.severity,
                           "kind": p.kind, "why": reason(p, (sizes or {}).get(p.code))}
                          for p in patterns_for(matrix, role_id)],
    }


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(visible(" ".join(text.split())), 88, initial_indent=indent,
                         subsequent_indent=indent)


def roles_text(matrix: Matrix) -> str:
    lines = [f"Roles of the '{visible(matrix.name)}' matrix:", ""]
    width = max(len(visible(r)) for r in matrix.roles)
    for role_id, role in matrix.roles.items():
        note = "" if role.in_matrix else "  (allowed, not checked)"
        lines.append(f"  {visible(role_id):<{width}}  {visible(role.summary)}{note}")
    lines += ["", "Show one with: orglint roles ROLE"]
    return defused("\n".join(lines)) + "\n"


def role_text(matrix: Matrix, role_id: str, sizes: Mapping[str, int] | None = None) -> str:
    data = role_json(matrix, role_id, sizes)
    lines = [f"{visible(data['title'])} ({visible(role_id)})", "", _wrap(data["summary"], "")]
    if not data["in_matrix"]:
        lines += ["", "Allowed on any team; not checked against the matrix."]
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
        lines += ["", "Core skills:"] + [f"  - {visible(skill)}" for skill in data["core_skills"]]
    if data["tools"]:
        lines += ["", "Tools expected:", _wrap(", ".join(data["tools"]))]
    if data["owns"]:
        shares = data["shares"]
        lines += ["", "Owns:"] + [
            f"  - {visible(r)}: {visible(t)}"
            + (f" (shared with {visible(', '.join(shares[r]))})" if r in shares else "")
            for r, t in data["owns"].items()]
    if data["shared"]:
        lines += ["", "Also its own work (shared by the matrix):"] + [
            f"  - {visible(s['id'])}: {visible(s['title'])} (owned by {visible(s['owner'])})"
            for s in data["shared"]]
    if data["anti_pattern"]:
        lines += ["", "Anti-pattern:", _wrap(data["anti_pattern"])]
    if data["anti_patterns"]:
        # One line a rule: a rule may be two patterns of the matrix (ORG107 speaks for
        # each direction of the MLOps and data engineering pair).
        rules = dict.fromkeys(f"  {visible(p['code'])} {visible(p['name'])} [{p['severity']}]"
                              for p in data["anti_patterns"])
        lines += ["", "Rules around this role:", *rules]
    if data["aliases"]:
        lines += ["", "Titles that map to it:", _wrap(", ".join(data["aliases"]))]
    return defused("\n".join(lines)) + "\n"


class StaffingGap(NamedTuple):
    """A role the mix lacks: the stage's advice about it, and the rules that will fire."""

    role: str
    advice: str
    needs: tuple[Need, ...]

    def rules(self) -> list[RuleRef]:
        return list(dict.fromkeys(n.rule for n in self.needs))

    def text(self, size: int) -> str:
        lead = visible(self.advice) or f"no {visible(self.role)} in a mix of {plural(size, 'head')}"
        if not self.needs:
            return lead
        parts = [f"{visible(rule.code)} {visible(rule.name)} [{rule.severity.label}] ("
                 + "; ".join(visible(n.detail) for n in self.needs if n.rule == rule) + ")"
                 for rule in self.rules()]
        return f"{lead}; orglint check reports " + " and ".join(parts)


def title_json(matrix: Matrix, title: str, read: Resolution) -> dict[str, Any]:
    """What a title resolves to; with the role's page when it names one role."""
    answer: dict[str, Any] = {
        "query": title, "normalised": read.normalised, "matched": read.phrase or None,
        "resolves_to": read.describe(), "candidates": list(read.candidates)}
    if read.role is None:
        return answer
    return {**role_json(matrix, read.role), "resolved_from": answer}


def title_text(matrix: Matrix, title: str, read: Resolution) -> str:
    lines = [f"Title:       {visible(title)}",
             f"Normalised:  {visible(read.normalised) or '(no words)'}"]
    if read.phrase:
        lines.append(f"Matched:     {visible(read.phrase)}")
    lines.append(f"Resolves to: {visible(read.describe())}")
    if read.ambiguous:
        lines += ["", _wrap("It could mean several roles, so it infers none: set 'role' on"
                            " the member, or add the title to one role's aliases in your"
                            " matrix.", "")]
    elif read.role is None:
        lines += ["", _wrap("No alias of the matrix matches it: set 'role' on the member,"
                            " or add the title to a role's aliases in your matrix.", "")]
    text = defused("\n".join(lines)) + "\n"
    return text + "\n" + role_text(matrix, read.role) if read.role else text


@dataclass
class Composition:
    size: int
    maturity: str
    systems: list[str]
    seats: list[MixSeat] = field(default_factory=list)
    listed: int = 0
    shares: dict[str, int] = field(default_factory=dict)
    practices: list[tuple[str, str]] = field(default_factory=list)
    gaps: list[StaffingGap] = field(default_factory=list)

    def mix(self) -> dict[str, int]:
        return dict(Counter(seat.role for seat in self.seats))

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "maturity": self.maturity,
            "systems": self.systems,
            "seats": [{"role": s.role, "reason": s.reason, "owns": list(s.owns),
                       "moved_for": list(s.moved_for)} for s in self.seats],
            "mix": self.mix(),
            "shares": self.shares,
            "practices": [{"id": p, "why": why} for p, why in self.practices],
            "gaps": [gap.text(self.size) for gap in self.gaps],
            "gap_details": [{"role": gap.role, "message": gap.text(self.size),
                             "rules": [{"code": r.code, "name": r.name,
                                        "severity": r.severity.label} for r in gap.rules()]}
                            for gap in self.gaps],
        }


COMPOSE_MAX = 1000  # the largest team `orglint compose --size` takes


def compose(matrix: Matrix, size: int, maturity: str, systems: list[str]) -> Composition:
    """The composer: ``recommended_mix`` plus the stage's practices and the gaps.

    Systems are taken in the matrix's order, so neither the mix nor the gaps depend on
    the order they were given in.
    """
    stage = matrix.spec.maturity[maturity]
    running = [s for s in matrix.systems if s in set(systems)]
    mix = recommended_mix(matrix, maturity, size, running)
    result = Composition(size, maturity, running, mix.seats, mix.listed, mix.shares)
    for practice_id in stage.practices:
        practice = matrix.practices[practice_id]
        result.practices.append((practice_id, practice.description or practice.title))
    in_mix = {seat.role for seat in mix.seats}
    advice: dict[str, str] = {}
    for gap in stage.gaps:
        if gap.role in in_mix or gap.role in advice:
            continue
        if gap.when_systems and not set(gap.when_systems) & set(running):
            continue
        advice[gap.role] = " ".join(gap.message.split())
    unmet: dict[str, list[Need]] = {}
    for need in mix.unmet:
        unmet.setdefault(need.role, []).append(need)
    result.gaps = [StaffingGap(role, advice.pop(role, ""), tuple(items))
                   for role, items in unmet.items()]
    result.gaps += [StaffingGap(role, text, ()) for role, text in advice.items()]
    return result


def _seat_lines(n: str, seat: MixSeat, width: int) -> list[str]:
    head = f"  {n:>5} {visible(seat.role):<{width}}  "
    lines = [head + visible(seat.reason)]
    pad = " " * len(head)
    if seat.moved_for:
        lines.append(f"{pad}moved up the stage's order for {visible(', '.join(seat.moved_for))}")
    if seat.owns:
        lines.append(f"{pad}owns: {visible(', '.join(seat.owns))}")
    return lines


def compose_text(result: Composition, matrix: Matrix) -> str:
    stage = matrix.spec.maturity[result.maturity]
    about = f" ({visible(stage.description.rstrip('.'))})" if stage.description else ""
    lines = [f"Recommended mix for {plural(result.size, 'head')} at {visible(result.maturity)}"
             f"{about}"
             + (f", running {visible(', '.join(result.systems))}" if result.systems else "")
             + ":", ""]
    width = max((len(visible(seat.role)) for seat in result.seats), default=0)
    for n, seat in enumerate(result.seats[: result.listed], start=1):
        lines += _seat_lines(f"{n}.", seat, width)
    extra = result.seats[result.listed:]
    if extra:
        ratio = " : ".join(f"{visible(role)} {share}" for role, share in result.shares.items())
        first = result.listed + 1
        span = f"{first}" if len(extra) == 1 else f"{first}-{result.size}"
        lines += ["", f"  Seats {span} follow the stage's shares ({ratio}):"]
        order = {role: k for k, role in enumerate(result.shares)}
        groups = sorted(Counter(extra).items(), key=lambda g: order.get(g[0].role, len(order)))
        for seat, count in groups:
            lines += _seat_lines(f"{count} x", seat, width)
    lines += ["", "Mix: " + (", ".join(plural(count, visible(role))
                                       for role, count in result.mix().items())
                             or f"stage {visible(result.maturity)} lists no seats")]
    if result.practices:
        lines += ["", "Practices:"] + [f"  - {visible(p)}: {visible(why)}"
                                       for p, why in result.practices]
    lines += ["", "Staffing gaps:"]
    lines += [f"  - {gap.text(result.size)}" for gap in result.gaps] or ["  none flagged"]
    return defused("\n".join(lines)) + "\n"
