"""The whole-org rules prepare their "did you mean" only when a hint is asked for."""

from __future__ import annotations

from orglint import schema
from orglint.rules import org


def test_the_vocabulary_is_prepared_at_the_first_hint_only(monkeypatch):
    made: list[int] = []
    real = schema.Vocabulary

    def counting(choices):
        made.append(len(choices))
        return real(choices)

    monkeypatch.setattr(schema, "Vocabulary", counting)
    hint = org._Hints({"ml-platform", "recsys", "search"})
    assert made == []
    assert hint("recsis") == " (did you mean 'recsys'?)"
    assert hint("serch") == " (did you mean 'search'?)" and hint("zzz") == ""
    assert made == [3]


def test_cycles_walked_from_the_reported_teams_are_the_whole_orgs():
    import random

    rng = random.Random(7)
    for _ in range(300):
        size = rng.randint(1, 30)
        ids = [f"t{i}" for i in range(size)]
        parent_of: dict[str, str | None] = {
            tid: rng.choice([None, "missing", *ids]) for tid in ids}
        whole = org._cycles(parent_of)
        starts = rng.sample(ids, rng.randint(0, size))
        through = org._cycles_through(parent_of, starts)
        assert set(through) == {s for s in starts if s in whole}
        for start, (loop, offset) in through.items():
            full, at = whole[start]
            assert loop[offset:] + loop[:offset] == full[at:] + full[:at]


def test_a_pre_commit_run_walks_only_from_its_own_teams(monkeypatch):
    from orglint.facts import FileFacts, Place, TeamFact

    files = {}
    for i in range(200):
        facts = FileFacts()
        place = Place(f"t{i}.yaml", 1, 1, 1, 5)
        facts.teams = [TeamFact(f"t{i}", place, f"t{(i + 1) % 200}", place)]
        files[f"t{i}.yaml"] = facts
    walked: list[int] = []
    real = org._cycles
    monkeypatch.setattr(org, "_cycles", lambda p: walked.append(len(p)) or real(p))
    found = list(org.UnknownParent().check_org(org.OrgContext(files, {"t3.yaml"})))
    assert walked == [] and [f.file for f in found] == ["t3.yaml"]
    assert "parents form a cycle: t3 -> t4 -> t5 -> t6 -> t7" in found[0].message
    everyone = list(org.UnknownParent().check_org(org.OrgContext(files, set(files))))
    assert walked == [200] and len(everyone) == 200


def test_the_orgs_teams_are_listed_once():
    from orglint.facts import FileFacts, Place, TeamFact

    facts = FileFacts()
    facts.teams = [TeamFact("a", Place("a.yaml", 1, 1, 1, 2), None, None)]
    context = org.OrgContext({"a.yaml": facts}, {"a.yaml"})
    assert context.teams is context.teams and [t.id for t in context.teams] == ["a"]


def test_duplicate_teams_are_found_for_the_reported_files_as_for_the_whole_org():
    from orglint.facts import FileFacts, Place, TeamFact

    files = {}
    for i in range(30):
        facts = FileFacts()
        facts.teams = [TeamFact(f"t{i % 7}", Place(f"f{i}.yaml", 1, 1, 1, 2), None, None),
                       TeamFact(f"u{i}", Place(f"f{i}.yaml", 5, 1, 5, 2), None, None)]
        files[f"f{i}.yaml"] = facts
    for named in ({"f3.yaml"}, {"f3.yaml", "f11.yaml"}, set(list(files)[:20])):
        few = [f for f in org.DuplicateTeam().check_org(org.OrgContext(files, named))
               if f.file in named]
        whole = [f for f in org.DuplicateTeam().check_org(org.OrgContext(files, set(files)))
                 if f.file in named]
        assert few == whole and few
