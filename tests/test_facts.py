"""Org facts are built with an inlined ``pack``: it must agree with ``pack`` everywhere."""

from __future__ import annotations

from orglint.facts import FileFacts, _packed, pack, team_facts
from orglint.loader import load


def test_the_inlined_pack_is_pack():
    spans = [(0, 0, 0, 1), (3, 4, 3, 9), (3, 4, 5, 2), (7, 0xFFFFF + 9, 7, 0xFFFFF + 20),
             (2, 5, 2, 0xFFFFF + 1)]
    values = {("k", n): span for n, span in enumerate(spans)}
    for n, span in enumerate(spans):
        assert _packed(values, ("k", n)) == pack(span)
    assert _packed(values, ("missing",)) == pack((0, 0, 0, 1))


def test_a_member_without_allocation_and_one_with_an_explicit_one():
    source = ("apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
              "  maturity: pilot\n  members:\n    - {id: a, title: 7}\n"
              "    - {id: b, allocation: 50.0, level: senior}\n")
    doc = load(source.encode(), "t.yaml").documents[0]
    facts = FileFacts()
    team_facts(doc, "t.yaml", facts)
    a, b = facts.persons
    assert (a.allocation, a.allocation_at, a.has_name, a.detail[:2]) == (100, -1, False,
                                                                        ("title", "7"))
    assert (b.allocation, type(b.allocation), b.allocation_place is not None) == (50, int, True)
    assert b.place.line == 8 and [f.name for f in b.fields] == ["level"]


def test_a_findings_dict_carries_its_fingerprint():
    from orglint.findings import Finding, Severity

    for entity, detail in ((None, None), ("ana", None), ("ana", "on-call")):
        finding = Finding("ORG102", "x", Severity.WARNING, "m", "t.yaml", 1, 2, 1, 3,
                          entity=entity, detail=detail)
        assert finding.to_dict()["fingerprint"] == finding.fingerprint


def test_packing_reads_the_loaders_marks_as_it_reads_plain_spans():
    from orglint.facts import _packed
    from orglint.loader import load

    doc = load(b"a: 1\nb:\n  - {c: dd, e: [f, g]}\nh: |\n  x\n  y\n", "t").documents[0]
    marked = doc.source.values
    plain = {path: marked.get(path) for path in marked}
    for path in [*marked, ((), "missing")]:
        assert _packed(marked, path) == _packed(plain, path)  # type: ignore[arg-type]
    assert _packed(marked, ((), "a")) == (0 << 40) | (3 << 20) | 4
