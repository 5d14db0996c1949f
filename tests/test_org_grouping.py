"""ORG009 and ORG301 group only the people with more than one record (counted in C
first): the same findings, in the same order, as grouping everyone."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from orglint.facts import FileFacts, PersonFact, pack
from orglint.findings import Finding
from orglint.rules import org as org_rules
from orglint.rules.org import (
    ConflictingPerson,
    OrgContext,
    OverAllocated,
    _allocations,
    _conflicts,
)


def _conflicting_everyone(org: OrgContext) -> Iterator[Finding]:
    """ORG009 as it was: every person grouped, those with one record skipped after."""
    by_id: dict[str, list[PersonFact]] = {}
    for person in org.persons_named():
        by_id.setdefault(person.id, []).append(person)
    return _conflicts({pid: records for pid, records in by_id.items() if len(records) > 1})


def _over_allocated_everyone(org: OrgContext) -> Iterator[Finding]:
    """ORG301 as it was: every team record grouped (each person's total is summed)."""
    by_id: dict[str, list[PersonFact]] = {}
    for person in org.persons_named():
        if person.team is not None:
            by_id.setdefault(person.id, []).append(person)
    return _allocations(by_id)


records = st.tuples(
    st.sampled_from(["ana", "bo", "cy", "di", "ed"]),  # id
    st.sampled_from(["a.yaml", "b.yaml", "c.yaml"]),  # file
    st.integers(0, 1),  # document
    st.integers(0, 30),  # line
    st.one_of(st.none(), st.sampled_from(["t1", "t2", "t3"])),  # team
    st.integers(1, 150),  # allocation (a cached or recovered one may be anything)
    st.sampled_from(["", "Ana", "Bo"]),  # name
    st.sampled_from(["", "mid", "senior"]),  # level
)


def _org(rows: list[tuple[str, str, int, int, str | None, int, str, str]],
         named: set[str]) -> OrgContext:
    files: dict[str, FileFacts] = {}
    for pid, file, doc, line, team, allocation, name, level in rows:
        detail: tuple[str | int, ...] = ()
        if name:
            detail += ("name", name, pack((line, 4, line, 9)))
        if level:
            detail += ("level", level, pack((line + 1, 4, line + 1, 9)))
        facts = files.setdefault(file, FileFacts())
        facts.persons.append(PersonFact(pid, file, doc, pack((line, 2, line, 5)), team,
                                        allocation if team else 100,
                                        pack((line + 2, 4, line + 2, 7)) if team else -1,
                                        bool(name), detail))
    return OrgContext(files, named)


@settings(max_examples=300, deadline=None)
@given(st.lists(records, max_size=25), st.sets(st.sampled_from(["a.yaml", "b.yaml",
                                                                "c.yaml"])))
def test_the_same_findings_as_grouping_everyone(rows, named) -> None:
    for rule, reference in ((ConflictingPerson, _conflicting_everyone),
                            (OverAllocated, _over_allocated_everyone)):
        assert list(rule().check_org(_org(rows, named))) == \
            list(reference(_org(rows, named)))


def test_people_with_one_record_each_are_not_grouped(monkeypatch) -> None:
    # The usual org: nobody on two teams.  No list per person is made for them.
    made: list[object] = []
    real = org_rules.repeated

    def counted(persons):
        found = real(persons)
        made.append(found)
        return found

    monkeypatch.setattr(org_rules, "repeated", counted)
    rows = [(f"p{i}", "a.yaml", 0, i, "t1", 60, "", "") for i in range(50)]
    org = _org(rows, {"a.yaml"})
    assert list(ConflictingPerson().check_org(org)) == []
    assert list(OverAllocated().check_org(org)) == []
    assert made == [{}, {}]
