"""Loading: positions, YAML 1.1/1.2 pins, and agreement with ruamel.yaml (used by --fix)."""

from __future__ import annotations

import io

import pytest

from orglint.loader import load

TEXT = """\
---
a: 1
b:
  - x
  - {c: d, e: [f, g]}
"""


def test_positions_of_keys_values_and_items():
    doc = load(TEXT.encode(), "t").documents[0]
    src = doc.source
    assert src.span(("a",)).line == 2 and src.span(("a",)).column == 4
    assert src.span(("a",), key=True)[:2] == (2, 1)
    assert src.span(("b", 0))[:2] == (4, 5)
    assert src.span(("b", 1, "e", 1))[:2] == (5, 19)
    assert src.span(("b", 1, "c"), key=True)[:2] == (5, 6)
    assert src.span(("b", 1, "missing"))[:2] == (5, 5)  # nearest written ancestor


def test_multi_document_crlf_and_bom():
    raw = b"\xef\xbb\xbfa: 1\r\n---\r\nb:\r\n  - x\r\n"
    docs = load(raw, "t").documents
    assert [d.data for d in docs] == [{"a": 1}, {"b": ["x"]}]
    assert docs[1].source.span(("b", 0))[:2] == (4, 5)


SCALARS = ["yes", "no", "on", "off", "y", "n", "true", "False", "~", "null", "", "010", "0o17",
           "0x1f", "1_000", "1:30", "2024-01-01", "2024-01-01T10:00:00Z", "1.5", ".inf", "-.inf",
           "1e3", "+12", "-7", "=", "<<x", "abc", "0b101"]


@pytest.mark.parametrize("scalar", SCALARS)
def test_plain_scalars_resolve_as_ruamel_round_trip_does(scalar):
    from ruamel.yaml import YAML

    text = f"k: {scalar}\n"
    ours = load(text.encode(), "t").documents[0].data["k"]
    theirs = YAML().load(io.StringIO(text))["k"]
    if hasattr(theirs, "isoformat") or type(theirs).__name__ == "TimeStamp":
        theirs = scalar  # ruamel builds a timestamp; orglint keeps the text (no dates needed)
    if isinstance(theirs, bool) or theirs is None:
        assert ours is theirs, (scalar, ours, theirs)
    elif isinstance(theirs, (int, float)):
        kind = int if isinstance(theirs, int) else float
        assert ours == theirs and type(ours) is kind, (scalar, ours, theirs)
    else:
        assert ours == str(theirs), (scalar, ours, theirs)


def test_merge_keys():
    doc = load(b"base: &b {level: senior, role: ml-engineer}\nm:\n  <<: *b\n  role: x\n",
               "t").documents[0]
    assert doc.data["m"] == {"role": "x", "level": "senior"}


def test_keys_are_strings_as_written():
    doc = load(b"on: 1\n1: 2\nnull: 3\n", "t").documents[0]
    assert list(doc.data) == ["on", "1", "null"]


def test_libyamls_own_nesting_limit_reads_like_ours():
    # PyYAML 6.0.4 bundles a libyaml that refuses 1,000 levels of flow nesting itself,
    # while scanning ahead; PyYAML 6.0.3 leaves it to the builder's limit.  Either way
    # the finding is the same.
    import yaml

    from orglint.loader import _syntax_finding

    mark = yaml.error.Mark("in.yaml", 0, 0, 1000, None, None)
    exc = yaml.scanner.ScannerError("while increasing flow level", mark,
                                    "exceeded maximum nesting depth", mark)
    finding = _syntax_finding(exc, "in.yaml", "[" * 2000, 64)
    # At the bracket that crosses the limit (the 65th), not where libyaml gave up.
    assert (finding.code, finding.line, finding.column) == ("ORG001", 1, 65)
    assert finding.message == "nesting is deeper than the limit of 64 levels"


@pytest.mark.parametrize(("text", "where"), [
    ("[" * 1500 + "]" * 1500, (1, 65)),
    # Past libyaml's own limit of 1,000 flow levels (it gives up near column 1,001), and
    # below it (the builder's limit): the 65th bracket; brackets in quotes and comments
    # are not counted.
    ("# {{{\n" + "[" * 1500 + "]" * 1500, (2, 65)),
    ("x: '[[[' # {{{\ny: " + "[" * 1500 + "]" * 1500, (2, 4 + 64)),
    ("['[[', " + "[" * 1500, (1, 7 + 64)),
    ("# {{{\n" + "['[[', " * 100 + "]" * 100, (2, 64 * 7 + 1)),
])
def test_a_nesting_error_points_at_the_bracket_past_the_limit(text, where):
    finding = load(text.encode(), "deep.yaml").findings[0]
    assert "nesting is deeper than the limit of 64 levels" in finding.message
    assert (finding.line, finding.column) == where


@pytest.mark.parametrize("text", ["0x_", "0b_", "0o_", "._", "-0x__", "+._"])
def test_number_like_scalars_without_digits_are_strings(text):
    # They match the underscore-tolerant number patterns but hold no digit; they had
    # crashed the loader with ValueError (ruamel.yaml raises on them too).
    loaded = load(f"a: {text}\n".encode(), "t.yaml")
    assert loaded.findings == []
    assert loaded.documents[0].data == {"a": text}


def test_spans_are_kept_as_marks_and_read_only_when_asked_for():
    from orglint.source import Marked

    doc = load(TEXT.encode(), "t").documents[0]
    values = doc.source.values
    assert isinstance(values, Marked)
    # As the parser gave them: the key's marks, then the value's.
    key_start, key_end, start, end = dict.__getitem__(values, ((), "a"))
    assert (start.line, start.column, end.line, end.column) == (1, 3, 1, 4)
    assert (key_start.line, key_start.column, key_end.line, key_end.column) == (1, 0, 1, 1)
    item = dict.__getitem__(values, (((((), "b"), 1), "e"), 0))
    assert len(item) == 2 and doc.source.keys.get((((((), "b"), 1), "e"), 0)) is None
    assert values.get(((), "a")) == (1, 3, 1, 4)
    assert values.get(((), "missing")) is None
    assert doc.source.keys.get(((), "b")) == (2, 0, 2, 1)
    assert doc.source.span(("b", 1, "e")) == (5, 15, 5, 21)
    # The keys are the mapping values' entries only: list items have no key.
    assert len(doc.source.keys) == len(list(doc.source.keys)) < len(values)
    assert len(doc.source.keys) == sum(len(v) == 4 for v in dict.values(values))
