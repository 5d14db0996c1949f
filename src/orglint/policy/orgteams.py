"""Team and member policy rules that read ``org`` (spec section 7: every target sees it).

They run once every file is known, on the org the person and org rules read, converted
once (``cel.Shared``): each evaluation picks its team from ``org.teams`` by index
(``orglint.target()``), so no team and no org is converted again.  As on a team file,
every such rule of a team is one batch expression, and a batch that fails in any way
sends that team through its rules one by one (an error is ORG903 where it is).
"""

from __future__ import annotations

from typing import Any

from orglint.policy.cel import Program, Shared, compile_shared, compile_wrapped
from orglint.policy.compiled import Clock, Compiled, Verdict, evaluate, message_of
from orglint.policy.teamrules import Batch, Reports, decode, make_batch

ORG_NAMES = ("org", "matrix", "variables")
_TEAM = "cel.bind(team, org.teams[{index}], {body})"
_MEMBER = "cel.bind(member, team.spec.members[{index}], {body})"


def _shared(source: str) -> Program:
    return compile_shared(source, ORG_NAMES)


class OrgTeamRules:
    """The team and member rules that name ``org``, on one shared org."""

    def __init__(self, rules: list[Compiled], shared: Shared, clock: Clock) -> None:
        self.batch: Batch = make_batch(rules, lambda body: _shared(
            _TEAM.format(index="orglint.target()", body=body)))
        self.shared = shared
        self.clock = clock
        self._alone: dict[str, Compiled] = {}

    def reports(self, index: int, team: dict[str, Any]) -> Reports:
        """The failures and errors of each rule on ``org.teams[index]`` (``team``)."""
        self.clock.check(f"team {team.get('id')}")
        members = len(team["spec"]["members"])
        program = self.batch.program()
        if program is not None:
            out = program.evaluate(self.shared.on(index))
            if out.error is None:
                decoded = decode(self.batch, out.value, members,
                                 lambda rule, m: self._failed(rule, index, m))
                if decoded is not None:
                    return decoded
        found: Reports = {}
        for rule in self.batch.team_rules:
            verdict = evaluate(self.alone(rule), self.shared.on([index, -1]), self.clock)
            if verdict.outcome in ("fail", "error"):
                found[rule.spec.code] = [(-1, verdict)]
        for rule in self.batch.member_rules:
            for m in range(members):
                verdict = evaluate(self.alone(rule), self.shared.on([index, m]), self.clock)
                if verdict.outcome in ("fail", "error"):
                    found.setdefault(rule.spec.code, []).append((m, verdict))
        return found

    def _failed(self, rule: Compiled, index: int, member: int) -> Verdict:
        fixed = self.batch.fixed.get(rule.spec.code)  # no message expression
        if fixed is not None:
            return fixed
        return Verdict("fail", message_of(self.alone(rule), self.shared.on([index, member])))

    def alone(self, rule: Compiled) -> Compiled:
        """``rule`` reading its team (and member) from the shared org: its target is
        ``[team index, member index]``."""
        found = self._alone.get(rule.spec.code)
        if found is not None:
            return found

        def wrap(program: Program | None) -> Program | None:
            if program is None:
                return None
            body = f"({program.source})"
            if rule.spec.target == "member":
                body = _MEMBER.format(index="orglint.target()[1]", body=body)
            return compile_wrapped(_TEAM.format(index="orglint.target()[0]", body=body),
                                   ORG_NAMES)

        expression = wrap(rule.expression)
        assert expression is not None
        found = self._alone[rule.spec.code] = rule._replace(
            match=wrap(rule.match), expression=expression, message=wrap(rule.message))
        return found
