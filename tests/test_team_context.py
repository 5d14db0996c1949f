"""TeamContext's per-team values are worked out once, on first use, without a lock,
and a finding's severity comes out as Severity.parse would say it."""

from __future__ import annotations

from orglint.findings import Severity
from orglint.loader import load
from orglint.matrix import load_matrix
from orglint.model import build_team
from orglint.rules import base
from orglint.rules.base import TeamContext

_TEAM = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\n"
         "spec:\n  maturity: pilot\n  members:\n"
         "    - {id: a, role: ml-engineer, owns: [training-code]}\n"
         "    - {id: b, title: Senior MLOps Engineer}\n")


def _context() -> TeamContext:
    doc = load(_TEAM.encode(), "t.yaml").documents[0]
    return TeamContext(build_team(doc.data), doc, "t.yaml", load_matrix())


def test_lazy_values_are_computed_once_and_kept_on_the_instance(monkeypatch):
    calls: list[str] = []
    real = TeamContext._role_of

    def counted(self, member):  # type: ignore[no-untyped-def]
        calls.append(member.id)
        return real(self, member)

    monkeypatch.setattr(TeamContext, "_role_of", counted)
    ctx = _context()
    assert "roles" not in vars(ctx)  # nothing worked out before a rule asks
    first = ctx.roles
    worked_out = len(calls)  # at most one per member (the matrix's memo may know them)
    assert worked_out <= 2
    assert ctx.roles is first and vars(ctx)["roles"] is first
    assert len(calls) == worked_out
    assert [info.role for info in first] == ["ml-engineer", "mlops-engineer"]
    assert ctx.size == 2 and ctx.owned == frozenset({"training-code"})
    assert ctx.members is ctx.team.spec.members
    assert isinstance(TeamContext.__dict__["roles"], base.lazy)


def test_a_patterns_severity_is_read_as_severity_parse_reads_it():
    for severity in Severity:
        for text in (severity.name.lower(), severity.name, severity.name.title()):
            assert (base._SEVERITIES.get(text) or Severity.parse(text)) is severity
