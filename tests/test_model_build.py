"""The fast paths of the per-file pipeline give what the plain code gives."""

from __future__ import annotations

from orglint.loader import load
from orglint.model import Member, _member, whole


def test_a_member_built_by_tuple_new_is_the_namedtuple_with_those_fields():
    data = {"id": "a", "name": "A", "title": "T", "role": "r", "level": "senior",
            "skills": ["s"], "email": "a@x", "allocation": 50.0, "owns": ["o"], "x-y": 1}
    path = ("spec", "members", 0)
    built = _member(data, path)
    assert type(built) is Member
    assert built == Member(id="a", name="A", title="T", role="r", level="senior",
                           skills=["s"], email="a@x", allocation=50, owns=["o"], path=path)
    assert type(built.allocation) is int
    bare = _member({"id": "b", "allocation": 12.5}, path)
    assert (bare.allocation, bare.owns, bare.name) == (whole(12.5), (), None)
    assert _member({"id": "c"}, path).allocation == 100


def test_plain_numbers_resolve_as_the_yaml_1_2_core_schema_says():
    source = ("a: 010\nb: 7\nc: 1_000\nd: 0x1F\ne: 12٣\nf: '7'\ng: -3\nh: 3.0\n"
              f"i: {'9' * 4301}\n")
    loaded = load(source.encode(), "t.yaml")
    assert loaded.findings and loaded.findings[0].code == "ORG001"  # too many digits
    data = load(source.rsplit("i:", 1)[0].encode(), "t.yaml").documents[0].data
    assert data == {"a": 10, "b": 7, "c": 1000, "d": 31, "e": "12٣", "f": "7", "g": -3,
                    "h": 3.0}
    assert all(type(data[k]) is int for k in "abcdg")
