"""Counted nouns are said properly: "1 member", "2 members", never "member(s)"."""

from __future__ import annotations

import re

import pytest

from orglint.wording import plural
from tests.conftest import REPO


@pytest.mark.parametrize(("count", "noun", "said"), [
    (1, "orglint document", "1 orglint document"), (2, "orglint document", "2 orglint documents"),
    (0, "file", "0 files"), (1, "baseline entry", "1 baseline entry"),
    (3, "baseline entry", "3 baseline entries"), (2, "hidden fix", "2 hidden fixes"),
    (2, "more data-scientist", "2 more data-scientists"), (1, "head", "1 head"),
    (2, "day", "2 days")])
def test_plural(count, noun, said):
    assert plural(count, noun) == said


def test_no_message_hedges_its_plural():
    hedged = re.compile(r"""["'][^"']*[a-z]\((?:s|es|ies)\)""")  # inside a string
    offenders = [f"{path.relative_to(REPO)}:{n}" for path in (REPO / "src").rglob("*.py")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if hedged.search(line)]
    assert offenders == []


TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: solo, parent: nowhere}
spec:
  maturity: production
  size: 1
  members:
    - {id: a, name: A, role: devops-sre, owns: [on-call]}
    - {id: b, name: B, role: devops-sre, owns: [ci-runners]}
"""


def test_rule_messages_count_properly(lint):
    found = {f.code: f.message for f in lint.findings(TEAM, select=["ORG303", "ORG011",
                                                                    "ORG206"])}
    assert found["ORG303"].startswith("solo plans 1 head and lists 2 members")
    assert found["ORG011"].startswith("parent 'nowhere' of solo is not a team or group in the org")
    assert re.search(r"has 1 more [a-z-]+ \(", found["ORG206"])
    assert "1 more" in found["ORG206"] and not re.search(r"\b1 more [a-z-]+s \(",
                                                         found["ORG206"])


def test_an_all_clear_with_one_document_is_singular(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(TEAM.replace("production", "exploring")
                                     .replace(", parent: nowhere", "").replace("  size: 1\n", ""))
    result = run_cli("check", "t.yaml", "--select", "ORG104")
    assert result.out == "All checks passed (1 file, 1 orglint document).\n"
