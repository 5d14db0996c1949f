"""Where libyaml's or the schema's words are obscure, the message adds the usual cause."""

from __future__ import annotations

import pytest

from orglint.loader import load


@pytest.mark.parametrize(("text", "where", "hint"), [
    ("a: b\n  c: d\n", (2, 4), "quote a value that contains ': ', or check this line's"),
    ("title: Engineer: ML\n", (1, 16), "quote a value that contains ': '"),
    ("spec:\n  members:\n    - id: a\n    name: b\n", (4, 5),
     "items of a list start with '- '"),
    ("a: [b\n", (2, 1), "a '[' list is not closed"),
    # An unclosed quote is reported where it opens (the end is where libyaml noticed).
    ('a: "x\n', (1, 4), "a quoted scalar is never closed"),
    ("key: @x\n", (1, 6), "quote a value that starts with '@'"),
])
def test_yaml_errors_carry_a_hint(text, where, hint):
    finding = load(text.encode(), "t.yaml").findings[0]
    assert finding.code == "ORG001"
    assert (finding.line, finding.column) == where
    assert hint in finding.message, finding.message


def test_a_top_level_spec_key_asks_whether_it_belongs_under_spec(lint):
    found = lint.check("""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: a}
        spec:
          maturity: pilot
        members:
          - {id: a, name: A, role: ml-engineer}
        """, expected=[(4, 1, "ORG003"), (6, 1, "ORG003")], select=["ORG003"])
    assert found[1].message == "unknown key 'members' (did you mean to indent it under spec?)"
