"""What the org pass of policy rules leaves out, counted (not timed): the findings are
the same, the work is not."""

from __future__ import annotations

import random

import pytest

from tests.test_policy import TEAM, org


def _team(n: int, level: str = "senior") -> str:
    return (TEAM.replace("recsys", f"t{n}").replace("ana", f"ana{n}").replace("bo,", f"bo{n},")
            .replace("level: junior", f"level: {level}"))


def _sources(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from orglint.policy import cel

    seen: list[str] = []
    evaluate = cel.Program.evaluate

    def counted(self: cel.Program, inputs: object) -> cel.Outcome:
        seen.append(self.source)
        return evaluate(self, inputs)

    monkeypatch.setattr(cel.Program, "evaluate", counted)
    return seen


PERSON_RULES = """\
    - code: ACME060
      name: few-teams
      target: person
      expression: "person.teams.size() <= 3"
    - code: ACME061
      name: not-junior
      target: person
      expression: "person.level != 'junior'"
    """


def test_a_chunk_of_passing_persons_is_not_mapped(tmp_path, run_cli, monkeypatch):
    org(tmp_path, PERSON_RULES, team=_team(0))
    for n in range(1, 4):
        (tmp_path / f"t{n}.yaml").write_text(_team(n))
    seen = _sources(monkeypatch)
    done = run_cli("check", ".", "--select", "ACME,ORG903", "--no-cache")
    assert done.code == 0 and done.out.startswith("All checks passed"), done.out + done.err
    probes = [s for s in seen if s.startswith("persons.all(")]
    assert len(probes) == 1 and not [s for s in seen if s.startswith("persons.map(")]


def test_a_failing_person_is_found_after_the_probe(tmp_path, run_cli, monkeypatch):
    org(tmp_path, PERSON_RULES, team=_team(0, level="junior"))
    (tmp_path / "t1.yaml").write_text(_team(1))
    seen = _sources(monkeypatch)
    done = run_cli("check", ".", "--select", "ACME,ORG903", "--no-cache")
    assert done.out.splitlines()[0].startswith("team.yaml:9:12: ACME061 [warning]"), done.out
    assert len(done.out.splitlines()) == 2, done.out  # the finding and the summary
    assert [s.split("(")[0] for s in seen if s.startswith("persons.")] == [
        "persons.all", "persons.map"]


def test_the_probe_hides_no_error(tmp_path, run_cli):
    """One rule errs on a person where another is false: the conjunction is false, not
    an error, so the probe must send the chunk on to be evaluated rule by rule."""
    org(tmp_path, """\
        - code: ACME062
          name: level-known
          target: person
          expression: "person.level.startsWith('s')"
        - code: ACME063
          name: many-teams
          target: person
          expression: "person.teams.size() > 3"
        """, team=TEAM.replace(", level: junior", ""))
    done = run_cli("check", "team.yaml", "--select", "ACME,ORG903", "--no-cache")
    lines = done.out.splitlines()
    assert "team.yaml:9:12: ORG903 [error] policy rule ACME062" in done.out, done.out
    assert sum("ACME063" in line for line in lines) == 2, done.out  # ana and bo


def test_places_are_unpacked_for_reported_persons_only(tmp_path, run_cli, monkeypatch):
    from orglint.facts import PersonFact

    org(tmp_path, PERSON_RULES, team=_team(0, level="junior"))
    for n in range(1, 6):
        (tmp_path / f"t{n}.yaml").write_text(_team(n))
    unpacked: list[str] = []
    place = PersonFact.place

    def counted(self: PersonFact) -> object:
        unpacked.append(self.id)
        return place.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(PersonFact, "place", property(counted))
    done = run_cli("check", ".", "--select", "ACME", "--no-cache", "--jobs", "1")
    assert "ACME061" in done.out, done.out
    assert unpacked == ["ana0"]  # of twelve persons, the one reported


def test_persons_built_pruned_are_person_views_pruned():
    from orglint.model import Person
    from orglint.policy.views import person_views, pruned, pruned_persons

    people = {"ana": Person("ana", name="Ana", level="senior", skills=["python"]),
              "cy": Person("cy", title="SRE", role="devops-sre")}

    def member(pid: str, **fields: object) -> dict[str, object]:
        base: dict[str, object] = dict.fromkeys(
            ("id", "role", "allocation", "owns", "email", "name", "title", "level", "skills"))
        return {**base, "id": pid, "owns": [], "skills": [], **fields}

    teams = [{"id": "t1", "spec": {"members": [
                 member("ana", role="ml-engineer", allocation=50, owns=["r"]),
                 member("bo", name="Bo", title="MLOps Engineer", skills=["k8s"])]}},
             {"id": "t2", "spec": {"members": [
                 member("bo", level="staff", role="mlops-engineer", allocation=50),
                 member("cy", email="cy@x.org", name="Cy")]}}]
    full = person_views(teams, people)
    names = ["id", "name", "title", "role", "level", "email", "skills", "teams", "team",
             "allocation", "owns", "other"]
    rnd = random.Random(15)
    keeps = [frozenset(), frozenset(names)] + [
        frozenset(rnd.sample(names, rnd.randint(1, len(names)))) for _ in range(200)]
    for keep in keeps:
        built = pruned_persons(teams, people, keep)
        expected = {pid: pruned(person, keep) for pid, person in full.items()}
        assert built == expected, sorted(keep)
        assert [list(p) for p in built.values()] == [list(p) for p in expected.values()]


def test_the_schema_sample_is_made_once_for_every_rule(tmp_path, run_cli, monkeypatch):
    from orglint.policy import policyset

    org(tmp_path, PERSON_RULES.rstrip(" ") + """\
    - code: ACME065
      name: has-systems
      target: team
      expression: "team.spec.systems.size() > 0"
    """)
    made: list[str] = []
    resolve = policyset.resolve_team

    def counted(*args: object, **kwargs: object) -> object:
        made.append(str(args[2]))
        return resolve(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(policyset, "resolve_team", counted)
    done = run_cli("check", "team.yaml", "--select", "ACME", "--no-cache")
    assert "ACME061" in done.out, done.out + done.err
    assert len(made) == 1  # three rules, one sample
