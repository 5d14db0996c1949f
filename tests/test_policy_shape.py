"""What a rule can observe of its input (``policy.shape``): a projection that leaves the
rest out must give every expression the value it gives on the whole input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_policy import TEAM, org

PERSON = {"id": "ana", "name": "Ana", "title": None, "role": "ml-engineer", "level": "senior",
          "email": "ana@x", "skills": ["python", "go"],
          "teams": [{"team": "t1", "role": "ml-engineer", "allocation": 50, "owns": ["a"]},
                    {"team": "t2", "role": None, "allocation": 50, "owns": []}]}
OTHER = {**PERSON, "id": "bo", "level": "junior", "skills": [], "teams": PERSON["teams"][:1]}

# Each is evaluated as ``persons.map(person, EXPR)`` on the whole and on the projection.
OBSERVING = [
    "person.teams.size() <= 1",
    "person.level != 'junior' || person.teams.all(t, t.allocation >= 50)",
    "person.size()",  # a map sized: every key
    "person.all(k, k != 'email')",  # a map iterated: every key
    "has(person.title) && has(person.skills)",
    "person.teams.exists(t, 'a' in t.owns)",
    "person.teams[0].role == 'ml-engineer'",
    "person['level'] == 'senior'",
    "person == person",
    "[person].size() == 1 && [person][0].email == 'ana@x'",
    "person.teams.filter(t, t.role == null).size() == 0",
    "person.teams.map(t, t).size() > 0 && person.teams.map(t, t)[0].team == 't1'",
    "'person.email' != '' && person.skills.size() > 0",  # a string names no field
    "person.teams.size() > 0 // person.email\n",
    "cel.bind(p, person, p.email == 'ana@x')",
    "person.teams.map(t, t.owns).exists(o, o.size() > 0)",
    "person.skills.exists(s, s.startsWith('py'))",
    "person.teams.all(person, person.allocation > 0)",  # the name rebound
]


def _both(expr: str) -> tuple[Any, Any, Any]:
    from orglint.policy.cel import compile_expression
    from orglint.policy.shape import projector, shape

    source = f"persons.map(person, {expr})"
    program = compile_expression(source, ("persons",), limit=None)
    whole = [PERSON, OTHER]
    found = shape([source], ("persons",))
    projected = projector(found["persons"])(whole) if found is not None else whole
    return (program.evaluate({"persons": whole}), program.evaluate({"persons": projected}),
            projected)


@pytest.mark.parametrize("expr", OBSERVING)
def test_the_projection_gives_the_same_value(expr):
    whole, projected, _ = _both(expr)
    assert whole == projected


def test_what_is_left_out():
    _, _, projected = _both("person.teams.size() <= 3")
    assert projected == [{"teams": [None, None]}, {"teams": [None]}]
    _, _, projected = _both("person.level != 'junior' || person.teams.all(t, t.allocation > 1)")
    assert projected[1] == {"level": "junior", "teams": [{"allocation": 50}]}
    _, _, projected = _both("person.size() > 1")
    assert projected == [PERSON, OTHER]


@pytest.mark.parametrize("expr", [
    "person.teams[size(person.skills) - 2].role == ''",  # a computed index
    "person.teams.filter(t, true)[0].team == 't1'",  # filtered elements used
    "person.`level` == ''",  # a back-quoted field
])
def test_syntax_it_does_not_follow_keeps_everything(expr):
    from orglint.policy.shape import shape

    assert shape([f"persons.map(person, {expr})"], ("persons",)) is None


def test_strings_and_comments_name_no_variable():
    from orglint.policy.shape import _tokens

    src = r"""'a\\' + "q\"person.z" + r'd\' + '''e'f''' + person.y // person.w"""
    ids = [text for kind, text in _tokens(src) if kind == "id"]
    assert ids == ["person", "y"]


def test_a_hostile_rule_set_gets_no_projection():
    from orglint.policy.shape import MAX_NODES, shape

    chain = ".".join(f"f{k}" for k in range(MAX_NODES + 1))
    assert shape([f"person.{chain} == 1"], ("person",)) is None


def test_person_chunks_are_converted_projected(tmp_path, run_cli, monkeypatch):
    from orglint.policy import orgpass

    org(tmp_path, """\
    - code: ACME060
      name: few-teams
      target: person
      expression: "person.teams.size() <= 3"
    """, team=TEAM)
    seen: list[Any] = []
    activation = orgpass.activation

    def spy(names: tuple[str, ...], data: Any) -> Any:
        seen.append(data.get("persons"))
        return activation(names, data)

    monkeypatch.setattr(orgpass, "activation", spy)
    done = run_cli("check", ".", "--select", "ACME,ORG903", "--no-cache")
    assert done.code == 0, done.out + done.err
    persons = [p for chunk in seen if chunk for p in chunk]
    assert persons and all(set(p) == {"teams"} and set(p["teams"]) == {None} for p in persons)


def test_a_filter_followed_by_an_empty_string_is_still_read():
    from orglint.policy.shape import shape

    assert shape(["persons.map(person, person.teams.filter(t, t.role != '')[0].team == '')"],
                 ("persons",)) is None


def test_an_org_read_for_its_size_is_converted_as_a_length(tmp_path, run_cli, monkeypatch):
    from orglint.policy import cel

    org(tmp_path, """\
    - code: ACME070
      name: some-teams
      target: org
      expression: "org.teams.size() > 1"
    """, team=TEAM)
    seen: list[Any] = []
    init = cel.Shared.__init__

    def spy(self: cel.Shared, names: tuple[str, ...], data: Any) -> None:
        seen.append(data["org"])
        init(self, names, data)

    monkeypatch.setattr(cel.Shared, "__init__", spy)
    done = run_cli("check", ".", "--select", "ACME,ORG903", "--no-cache")
    assert "ACME070" in done.out, done.out + done.err  # one team: the rule fails
    assert seen == [{"teams": [None]}]


def test_persons_built_shaped_are_person_views_projected():
    import random

    from orglint.model import Person
    from orglint.policy.shape import projector, shape
    from orglint.policy.views import person_views, shaped_persons

    people = {"ana": Person("ana", name="Ana", level="senior", skills=["python"]),
              "cy": Person("cy", title="SRE", role="devops-sre")}

    def member(pid: str, **fields: object) -> dict[str, object]:
        base: dict[str, object] = dict.fromkeys(
            ("id", "role", "allocation", "owns", "email", "name", "title", "level", "skills"))
        return {**base, "id": pid, "owns": [], "skills": [], **fields}

    teams = [{"id": "t1", "spec": {"members": [
                 member("ana", role="ml-engineer", allocation=50, owns=["r", "s"]),
                 member("bo", name="Bo", title="MLOps Engineer", skills=["k8s"])]}},
             {"id": "t2", "spec": {"members": [
                 member("bo", level="staff", role="mlops-engineer", allocation=50),
                 member("cy", email="cy@x.org", name="Cy", owns=["q"])]}}]
    full = person_views(teams, people)
    uses = ["person.id == ''", "person.name == ''", "person.title == ''", "person.role == ''",
            "person.level == ''", "person.email == ''", "person.skills.size() > 0",
            "'x' in person.skills", "person.teams.size() > 0", "person.teams == []",
            "person.teams.all(t, t.role == '')", "person.teams.all(t, t.team == '')",
            "person.teams.all(t, t.allocation > 0)", "person.teams.all(t, t.owns.size() > 0)",
            "person.teams.all(t, 'q' in t.owns)", "person.teams.all(t, t.size() > 0)",
            "person.teams[0].owns.size() > 0", "person.other == 1", "person.size() > 0"]
    rnd = random.Random(15)
    picks = [[u] for u in uses] + [rnd.sample(uses, rnd.randint(2, 6)) for _ in range(300)]
    built_some = 0
    for picked in picks:
        found = shape([f"persons.map(person, {u})" for u in picked], ("persons",))
        assert found is not None, picked
        node = found["persons"].elem
        assert node is not None
        built = shaped_persons(teams, people, node)
        expected = {pid: projector(node)(person) for pid, person in full.items()}
        if built is None:
            assert "person.size() > 0" in picked
            continue
        built_some += 1
        assert built == expected, picked
    assert built_some > 250


def test_a_message_reads_what_the_expression_does_not(tmp_path, run_cli):
    org(tmp_path, """\
    - code: ACME071
      name: no-teams
      target: person
      expression: "person.teams.size() == 0"
      messageExpression: "person.id + ' is on ' + string(person.teams.size()) + ' team(s) as '
        + person.teams[0].role"
    """, team=TEAM)
    done = run_cli("check", ".", "--select", "ACME,ORG903", "--no-cache")
    assert "ana is on 1 team(s) as data-scientist" in done.out, done.out + done.err
    assert "ORG903" not in done.out


def test_the_work_of_reading_a_hostile_rule_set_is_bounded(monkeypatch):
    from orglint.policy import shape as module

    # Every use of ``m`` is followed through every place ``m`` was bound to.
    uses = " && ".join(f"person.f{k}.all(m, m.g == 1)" for k in range(60))
    assert module.shape([uses], ("person",)) is not None
    monkeypatch.setattr(module, "MAX_WORK", 500)
    assert module.shape([uses], ("person",)) is None


def test_where_a_filter_ends_is_found_once(monkeypatch):
    from orglint.policy import shape as module

    calls: list[int] = []
    closing = module._closing

    def counted(toks: list[tuple[str, str]]) -> dict[int, int]:
        calls.append(len(toks))
        return closing(toks)

    monkeypatch.setattr(module, "_closing", counted)
    many = " && ".join("person.teams.filter(t, t.role == 'x').size() > 0" for _ in range(200))
    assert module.shape([many], ("person",)) is not None
    assert len(calls) == 1


def test_persons_on_as_many_teams_are_evaluated_once_and_each_reported(tmp_path, run_cli,
                                                                       monkeypatch):
    # "Nobody on more than one team": only the number of teams is read, so the persons
    # share one value per number and the engine sees each value once.
    from orglint.policy import orgpass

    def team(name: str, *members: str) -> str:
        rows = "".join(f"    - {{id: {m}, role: ml-engineer}}\n" for m in members)
        return ("apiVersion: orglint/v1\nkind: Team\nmetadata:\n  name: " + name
                + "\nspec:\n  maturity: exploring\n  members:\n" + rows)

    org(tmp_path, """\
    - code: ACME072
      name: one-team-each
      target: person
      expression: "person.teams.size() <= 1"
    """, team=team("t1", "ana", "bo", "cy", "di"))
    (tmp_path / "t2.yaml").write_text(team("t2", "bo", "di", "ed"))
    (tmp_path / "t3.yaml").write_text(team("t3", "di", "fi"))
    converted: list[Any] = []
    activation = orgpass.activation

    def spy(names: tuple[str, ...], data: Any) -> Any:
        converted.append(data["persons"])
        return activation(names, data)

    monkeypatch.setattr(orgpass, "activation", spy)
    done = run_cli("check", ".", "--select", "ACME", "--no-cache", "--output-format", "json")
    import json

    found = sorted((f["entity"], f["file"], f["line"])
                   for f in json.loads(done.out)["findings"])
    assert found == [("bo", "t2.yaml", 8), ("bo", "team.yaml", 9),
                     ("di", "t2.yaml", 9), ("di", "t3.yaml", 8), ("di", "team.yaml", 11)]
    # Six persons, three values (on 1, 2 and 3 teams): each converted once.
    assert len(converted) == 1
    assert sorted(len(person["teams"]) for person in converted[0]) == [1, 2, 3]
