"""A team built with only what its rules can observe (``policy.teamview``): the same
value as the whole view projected, and what the per-file batch converts."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.test_policy import TEAM, org


def _team() -> tuple[Any, list[str | None], dict[str, Any], dict[str, Any]]:
    from orglint.model import Person, build_team

    raw = {
        "apiVersion": "orglint/v1", "kind": "Team", "x-cost": "4711",
        "metadata": {"name": "recsys", "title": "Recommendations", "parent": "ml",
                     "labels": {"tier": "1", "cost": "x"}, "annotations": {"a": "b"},
                     "x-k": 1},
        "spec": {"maturity": "production", "size": 3, "systems": ["feature-store"],
                 "practices": ["on-call"], "description": "d", "x-tier": "gold",
                 "members": [{"id": "ana", "role": "data-scientist", "level": "junior",
                              "email": "ana@x", "skills": ["python", "go"],
                              "x-c": True},
                             {"id": "bo", "title": "MLOps Engineer", "owns": ["rollback"],
                              "allocation": 50},
                             {"id": "cy"}]}}
    team = build_team(raw)
    people = {"cy": Person("cy", name="Cy", title="SRE", level="staff", skills=["k8s"]),
              "bo": Person("bo", name="Bo", level="senior")}
    return team, ["data-scientist", "mlops-engineer", None], people, raw


USES = [
    "team.id == ''", "team.apiVersion == ''", "team.kind == ''", "team.metadata.name == ''",
    "has(team.metadata.title)", "team.metadata.labels.tier == '1'",
    "team.metadata.labels.size() > 0", "'a' in team.metadata.annotations",
    "team.metadata.size() > 0", "team.metadata == {}", "team.spec.maturity == ''",
    "team.spec.size == 1", "team.spec.description == ''", "'x' in team.spec.systems",
    "team.spec.systems.size() > 0", "team.spec.practices[0] == ''",
    "team.spec.members.size() > 8", "team.spec.members[0].id == ''",
    "team.spec.members.exists(m, m.role == 'x')", "team.spec.members.all(m, m.size() > 0)",
    "team.spec.members.all(m, m.allocation >= 10)", "team.spec.members.all(m, m.email != '')",
    "team.spec.members.exists(m, 'r' in m.owns)", "team.spec.members.all(m, m.name != '')",
    "team.spec.members.all(m, m.title != '')", "team.spec.members.all(m, m.level != '')",
    "team.spec.members.all(m, m.skills.size() > 0)", "team.spec.members.all(m, 'go' in m.skills)",
    "team.spec.members.all(m, m.id != '')", "team.spec.members == []", "team.spec.other == 1",
    "team.spec.size() > 0", "team.size() > 0", "team.spec.members.map(m, m).size() > 0",
    # The x- keys a Team may have anywhere (spec section 1), read as written.
    "'x-cost' in team", "team.spec['x-tier'] == 'gold'", "'x-k' in team.metadata",
    "team.spec.members.exists(m, 'x-c' in m)", "team.spec.members.exists(m, m['x-c'])",
]


def test_a_team_built_shaped_is_the_whole_view_projected():
    from orglint.policy.shape import projector, shape
    from orglint.policy.teamview import _extended, team_builder
    from orglint.policy.views import team_view

    src = _team()
    full = team_view(*src)
    assert full["x-cost"] == "4711" and full["spec"]["x-tier"] == "gold"
    assert full["metadata"]["x-k"] == 1 and full["spec"]["members"][0]["x-c"] is True
    rnd = random.Random(15)
    picks = [[u] for u in USES] + [rnd.sample(USES, rnd.randint(2, 7)) for _ in range(400)]
    smaller = plain = 0
    for picked in picks:
        found = shape(picked, ("team",))
        assert found is not None, picked
        node = found["team"]
        built = team_builder(node)(src)
        # An x- key read anywhere: the whole view (the builder knows only the model's
        # fields), which has everything the projection has.
        extended = _extended(node)
        assert built == (full if extended else projector(node)(full)), picked
        smaller += built != full
        plain += not extended
    assert smaller > 0.75 * plain
    assert team_builder(None)(src) == full


def test_the_batch_converts_only_what_its_rules_observe(tmp_path, run_cli, monkeypatch):
    from orglint.policy import cel, teamrules

    # What the engine is given: with ``fastpath`` these rules never reach it.
    monkeypatch.setattr(teamrules, "translate", lambda *args: None)

    org(tmp_path, """\
    - code: ACME080
      name: small
      target: team
      expression: "team.spec.members.size() <= 1"
    - code: ACME081
      name: leveled
      target: member
      expression: "member.level != 'junior'"
      messageExpression: "member.id + ' is junior'"
    """, team=TEAM)
    seen: list[Any] = []
    evaluate = cel.Program.evaluate

    def spy(self: cel.Program, data: Any) -> Any:
        if isinstance(data, dict) and "team" in data:
            seen.append(data["team"])
        return evaluate(self, data)

    monkeypatch.setattr(cel.Program, "evaluate", spy)
    done = run_cli("check", ".", "--select", "ACME,ORG903", "--no-cache")
    assert "ACME080" in done.out and "ana is junior" in done.out, done.out + done.err
    assert "ORG903" not in done.out
    members = [{"id": "ana", "level": "junior"}, {"id": "bo", "level": None}]
    assert seen and all(t == {"spec": {"members": members}} for t in seen), seen


ORG_RULES = """\
- code: ACME090
  name: few-teams
  target: person
  expression: "person.teams.size() <= 1"
  messageExpression: "person.id + ' (' + person.teams[0].role + ') is on two teams'"
- code: ACME091
  name: named
  target: person
  expression: "person.name != null"
- code: ACME092
  name: many-teams
  target: org
  expression: "org.teams.size() > 1 && org.teams.all(t, t.spec.maturity != 'production')"
"""
SECOND = TEAM.replace("name: recsys", "name: search").replace("production", "exploring")


def _org_run(tmp_path: Any, run_cli: Any, monkeypatch: Any, rules: str) -> tuple[str, list[Any]]:
    from orglint.policy import orgviews

    org(tmp_path, rules, team=TEAM)
    (tmp_path / "search.yaml").write_text(SECOND)
    seen: list[Any] = []
    view = orgviews.OrgViews.view

    def spy(self: Any, ctx: Any) -> Any:
        seen.append(view(self, ctx))
        return seen[-1]

    monkeypatch.setattr(orgviews.OrgViews, "view", spy)
    done = run_cli("check", ".", "--select", "ACME,ORG903", "--no-cache", "--jobs", "1")
    assert done.code == 0 and "ORG903" not in done.out, done.out + done.err
    return done.out, seen


def test_the_org_pass_keeps_only_what_person_and_org_rules_read(tmp_path, run_cli,
                                                               monkeypatch):
    out, seen = _org_run(tmp_path, run_cli, monkeypatch, ORG_RULES)
    assert "ACME090" in out and "ana (data-scientist) is on two teams" in out
    assert "ACME092" in out and "ACME091" in out
    member = {"id", "role", "allocation", "owns", "name"}
    assert len(seen) == 2
    for view in seen:
        assert set(view) == {"id", "spec"} and set(view["spec"]) == {"members", "maturity"}
        assert all(set(m) == member for m in view["spec"]["members"])


def test_the_org_pass_gives_the_same_findings_with_the_whole_views(tmp_path, run_cli,
                                                                   monkeypatch):
    from orglint.policy import orgviews

    rules = ORG_RULES + """\
- code: ACME093
  name: titled
  target: org
  expression: "org.teams.exists(t, t.spec.members.exists(m, m.title == 'x'))"
  messageExpression: "string(org.teams.map(t, t.spec.members.size())[0])"
"""
    shaped, _ = _org_run(tmp_path, run_cli, monkeypatch, rules)
    monkeypatch.setattr(orgviews, "team_needs", lambda policies: None)
    whole, seen = _org_run(tmp_path, run_cli, monkeypatch, rules)
    assert shaped == whole and "ACME093" in whole
    assert "email" in seen[0]["spec"]["members"][0]  # the whole views, this time


def test_what_the_org_pass_cannot_follow_keeps_the_whole_view(tmp_path, run_cli,
                                                               monkeypatch):
    _, seen = _org_run(tmp_path, run_cli, monkeypatch, """\
- code: ACME094
  name: people-count
  target: org
  expression: "org.people.size() > 0"
- code: ACME095
  name: org-aware
  target: team
  expression: "org.teams.size() > 0 && team.id != ''"
""")
    assert seen and all("apiVersion" in view for view in seen)


def test_the_org_views_cross_to_a_spawned_worker():
    import pickle

    from orglint.loader import Document
    from orglint.matrix import load_matrix
    from orglint.policy.orgviews import OrgViews
    from orglint.policy.shape import shape
    from orglint.rules.base import TeamContext
    from orglint.source import SourceMap

    team, _, people, _ = _team()
    ctx = TeamContext(team, Document({}, SourceMap({}, {}), 0), "", load_matrix(), people)
    found = shape(["team.spec.members.all(m, m.name != '' && m.skills.size() > 0)"],
                  ("team",))
    assert found is not None
    views = OrgViews(found["team"])
    built = views.view(ctx)  # the main process has made its builder: a closure
    assert built["spec"]["members"][2] == {"name": "Cy", "skills": [None]}
    again = pickle.loads(pickle.dumps(views))  # as a Job crosses to a spawned worker
    assert again.view(ctx) == built


def _held_recursively(value: Any) -> Any:
    """What ``views.held`` gives, written the obvious way (fine for shallow values)."""
    from orglint.policy.views import text

    if type(value) is str:
        return text(value)
    if type(value) is int:
        return value if -(1 << 63) <= value < 1 << 63 else str(value)
    if type(value) is list:
        return [_held_recursively(v) for v in value]
    if type(value) is dict:
        return {text(k): _held_recursively(v) for k, v in value.items()}
    return value


def test_free_values_are_copied_as_the_recursive_definition_copies_them():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from orglint.policy.views import held

    leaves = st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=4) \
        | st.integers(min_value=-(1 << 70), max_value=1 << 70)
    values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=3), inner, max_size=4),
                          max_leaves=30)

    @settings(max_examples=300, deadline=None)
    @given(values)
    def same(value: Any) -> None:
        assert held(value) == _held_recursively(value)

    same()


def test_pruning_is_the_recursive_definition():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from orglint.policy.views import _FREE, pruned

    def recursively(value: Any, words: frozenset[str]) -> Any:
        if isinstance(value, list):
            return [recursively(item, words) for item in value]
        if not isinstance(value, dict):
            return value
        out = dict.fromkeys(value)
        for key in words.intersection(value):
            item = value[key]
            out[key] = item if key in _FREE else recursively(item, words)
        return out

    keys = st.sampled_from(["a", "b", "labels", "annotations", "spec"])
    leaves = st.none() | st.integers() | st.text(max_size=3)
    values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(keys, inner, max_size=4), max_leaves=25)

    @settings(max_examples=300, deadline=None)
    @given(values, st.frozensets(keys))
    def same(value: Any, words: frozenset[str]) -> None:
        assert pruned(value, words) == recursively(value, words)

    same()


@pytest.mark.parametrize(("target", "expression", "codes"), [
    # max-depth admits 1,000 levels; a recursive copy of the x- key for the engine
    # ended the whole run with a RecursionError (exit 2, every finding lost).
    ("team", "team['x-deep'].size() == 2", (0, 1)),
    # Found by review: the org pass prunes what no rule names, recursively too.
    ("org", "org.teams.all(t, t['x-deep'].size() > 1)", (1,)),
])
def test_a_deeply_nested_x_key_is_read_not_a_crash(tmp_path, run_cli, target, expression,
                                                   codes):
    depth = 900
    team = TEAM.replace("kind: Team\n", "kind: Team\nx-deep: " + "[" * depth + "1"
                        + "]" * depth + "\n")
    org(tmp_path, f"""\
        - code: ACME010
          name: deep-is-two-levels
          target: {target}
          expression: "{expression}"
        """, team=team)
    (tmp_path / ".orglint.yaml").write_text("max-depth: 1000\npolicies: [acme.yaml]\n")
    done = run_cli("check", "--no-cache", "team.yaml")
    assert done.code in codes, done.err
    assert "ACME010" in done.out, done.out


@pytest.mark.parametrize("source", [
    "org.teams[0]['x-weird']['a b'].size() > 5",
    'org.teams[0]["x-weird"]["x/y"].size() > 5',
])
def test_a_key_read_by_index_is_never_pruned_whatever_it_holds(source):
    # Pruning nulls what no word of the rules names: a key with a space or a slash,
    # read by index, is a word as written (it read as null, and the rule as ORG903).
    from orglint.policy.views import pruned, readable

    words = readable([source])
    assert words is not None
    key = "a b" if "a b" in source else "x/y"
    value = {"x-weird": {key: {"c": 1}, "other": {"c": 1}}}
    kept = pruned(value, words)["x-weird"]
    assert kept[key] == {"c": None} and kept["other"] is None  # its size: its keys
    assert readable(["t['a b'] // it's"]) is None and readable(["t['a\\\\'b']"]) is None
