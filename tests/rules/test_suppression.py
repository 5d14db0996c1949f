"""Suppression comments, ORG901 and ORG902."""

from __future__ import annotations

import datetime as dt

from orglint.config import Settings
from orglint.engine import Request, plan, run
from orglint.suppress import comments, scan
from tests.conftest import at, dedent

BAD = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: t}
spec:
  maturity: pilot
  members:
    - id: dmitri
      role: devops-sre
      owns:
        - training-pipelines{comment}
"""


def check(tmp_path, source: str, today: str = "2026-01-01", select=("ORG104", "ORG9")):
    (tmp_path / "t.yaml").write_text(dedent(source))
    settings = Settings(root=tmp_path, cache=False, select=list(select))
    result = run(plan(settings), Request(["t.yaml"], cwd=tmp_path,
                                         today=dt.date.fromisoformat(today)))
    return [(f.line, f.column, f.code) for f in result.findings]


def test_inline_suppression(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG104] handing over to MLOps in Q3")
    assert check(tmp_path, source) == []


def test_suppression_by_name_and_several_codes(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG102, devops-runs-model-lifecycle]")
    # ORG104 (by name) is suppressed; ORG102 never fires there, so that part is unused.
    assert check(tmp_path, source, select=("ORG104", "ORG102", "ORG9")) == [
        (*at(source, "# orglint"), "ORG901")]


def test_own_line_comment_applies_to_next_line(tmp_path):
    source = BAD.replace("        - training-pipelines{comment}",
                         "        # orglint: ignore[ORG104] reason\n\n        - training-pipelines")
    assert check(tmp_path, source) == []


def test_unused_suppression_is_org901(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG104]")
    source = source.replace("devops-sre", "mlops-engineer")
    assert check(tmp_path, source) == [(*at(source, "# orglint"), "ORG901")]


def test_expired_suppression_is_org902_and_the_finding_returns(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG104] until=2025-12-31 hiring")
    assert check(tmp_path, source) == [(*at(source, "training-pipelines"), "ORG104"),
                                       (*at(source, "# orglint"), "ORG902")]
    assert check(tmp_path, source, today="2025-12-31") == []


def test_a_malformed_until_date_is_org902_and_suppresses_nothing(tmp_path):
    from orglint.suppress import scan

    source = BAD.replace("{comment}", "  # orglint: ignore[ORG104] until=soon")
    assert check(tmp_path, source) == [(*at(source, "training-pipelines"), "ORG104"),
                                       (*at(source, "# orglint"), "ORG902")]
    assert [d.bad_date for d in scan(dedent(source))] == ["soon"]


def test_file_level_suppression(tmp_path):
    source = "# orglint: ignore-file[ORG104]\n" + BAD.replace("{comment}", "")
    assert check(tmp_path, source) == []


def test_suppression_on_a_multi_line_flow_mapping(tmp_path):
    source = """\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: dmitri, role: devops-sre,
               owns: [ci-runners, training-pipelines]}  # orglint: ignore[ORG104]
            - {id: sam,
               role: devops-sre, owns: [model-rollback]}
        """
    assert check(tmp_path, source) == [(*at(source, "model-rollback"), "ORG104")]


def test_hash_inside_quotes_and_block_scalars_is_not_a_directive():
    text = dedent("""\
        a: "# orglint: ignore[ORG104]"
        b: 'it''s # orglint: ignore[ORG101]'
        c: |
          # orglint: ignore[ORG102]
          more text
        d: >-
          # orglint: ignore[ORG103]
        e: "multi
          line # orglint: ignore[ORG105]"
        f: x  # orglint: ignore[ORG106]
        g: a#b  # plain comment
        """)
    found = scan(text)
    assert [(d.line, d.codes) for d in found] == [(10, ("ORG106",))]
    assert [c[0] for c in comments(text)] == [10, 11]
