"""The role matrix explorer and the team composer answer from the matrix."""

from __future__ import annotations

import json
from collections import Counter

import pytest


def test_roles_list_and_one_role(run_cli):
    listing = run_cli("roles")
    assert listing.code == 0
    for role in ("platform-engineer", "mlops-engineer", "ml-engineer", "data-scientist",
                 "devops-sre", "data-engineer"):
        assert role in listing.out
    one = run_cli("roles", "platform-engineer")
    assert "Job to be done:" in one.out and "Skill bar:" in one.out
    assert "ORG103 platform-writes-training-code" in one.out
    assert "gpu-operator" in one.out


def test_a_role_outside_the_matrix_says_not_checked_once(run_cli):
    listing = run_cli("roles").out
    manager = next(line for line in listing.splitlines() if line.strip().startswith("manager"))
    assert manager.count("not checked") == 1, manager
    assert "not checked against the matrix" in run_cli("roles", "manager").out


def test_roles_shows_the_responsibilities_shared_with_a_role(run_cli):
    # A platform engineer on call is doing its own work (ORG102, ORG302): the explorer
    # says so on both pages.
    platform = run_cli("roles", "platform-engineer").out
    assert "Also its own work (shared by the matrix):" in platform
    assert "  - on-call: On-call rotation (owned by devops-sre)" in platform
    devops = run_cli("roles", "devops-sre").out
    assert ("on-call: On-call rotation (shared with platform-engineer, mlops-engineer,"
            " ml-engineer, data-engineer)") in devops
    data = json.loads(run_cli("roles", "mlops-engineer", "--output-format", "json").out)
    assert {"id": "on-call", "title": "On-call rotation", "owner": "devops-sre"} in data["shared"]
    data = json.loads(run_cli("roles", "devops-sre", "--output-format", "json").out)
    assert data["shares"]["on-call"] == ["platform-engineer", "mlops-engineer", "ml-engineer",
                                         "data-engineer"]


def test_role_json_and_lookup_by_title(run_cli):
    data = json.loads(run_cli("roles", "Senior SRE", "--output-format", "json").out)
    assert data["id"] == "devops-sre"
    assert {p["code"] for p in data["anti_patterns"]} >= {"ORG104", "ORG106"}
    assert set(data["skill_bar"]) == {"day_one", "month_three", "senior"}
    assert data["resolved_from"] == {
        "query": "Senior SRE", "normalised": "sre", "matched": "sre",
        "resolves_to": "devops-sre", "candidates": ["devops-sre"]}


def test_roles_title_shows_how_it_resolves(run_cli):
    one = run_cli("roles", "Software Engineer, Machine Learning (Ranking)")
    assert one.code == 0
    assert one.out.startswith(
        "Title:       Software Engineer, Machine Learning (Ranking)\n"
        "Normalised:  software engineer, ml\n"
        "Matched:     ml software engineer\n"
        "Resolves to: ml-engineer\n")
    assert "Job to be done:" in one.out
    two = run_cli("roles", "Senior Platform Engineer")
    assert two.code == 0
    assert "Resolves to: ambiguous: platform-engineer or devops-sre\n" in two.out
    assert "Job to be done:" not in two.out
    none = run_cli("roles", "Chief Wizard")
    assert none.code == 0
    assert "Normalised:  chief wizard\nResolves to: no role\n" in none.out
    data = json.loads(run_cli("roles", "Platform Engineer", "--output-format", "json").out)
    assert data == {"query": "Platform Engineer", "normalised": "platform engineer",
                    "matched": "platform engineer",
                    "resolves_to": "ambiguous: platform-engineer or devops-sre",
                    "candidates": ["platform-engineer", "devops-sre"]}


def test_roles_mistyped_role_id_is_a_usage_error(run_cli):
    bad = run_cli("roles", "ml-engneer")
    assert bad.code == 2 and "did you mean 'ml-engineer'" in bad.err


def compose_json(run_cli, *args: str) -> dict:
    result = run_cli("compose", *args, "--output-format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_compose_production_six_is_the_articles_mix_and_flags_the_data_engineer(run_cli):
    """The article's composer at 6 heads, production: no systems given, the gap is there."""
    data = compose_json(run_cli, "--size", "6", "--maturity", "production")
    assert data["mix"] == {"platform-engineer": 1, "mlops-engineer": 2, "ml-engineer": 2,
                           "data-scientist": 1}
    assert [p["id"] for p in data["practices"]] == ["eval-gate"]
    assert len(data["gaps"]) == 1 and data["gaps"][0].startswith("no dedicated data engineer")
    # No feature store is run, so the gap does not talk about one.
    assert "feature store" not in data["gaps"][0] and "feature-store" not in data["gaps"][0]
    assert data["gap_details"][0]["rules"] == []
    text = run_cli("compose", "--size", "6", "--maturity", "production").out
    assert "Staffing gaps:\n  - no dedicated data engineer" in text and "eval-gate" in text


def test_compose_seats_the_data_engineer_a_feature_store_needs(run_cli):
    """ORG201 is an error: with a feature store the data engineer moves up the order."""
    data = compose_json(run_cli, "--size", "6", "--maturity", "production",
                        "--systems", "feature-store")
    assert data["mix"] == {"platform-engineer": 1, "mlops-engineer": 1, "ml-engineer": 2,
                           "data-scientist": 1, "data-engineer": 1}
    seat = next(s for s in data["seats"] if s["role"] == "data-engineer")
    assert "ORG201" in seat["moved_for"]
    assert {"feature-store-population", "data-quality-contracts"} <= set(seat["owns"])
    assert data["gaps"] == []


def test_compose_names_the_rule_of_a_need_it_cannot_seat(run_cli):
    data = compose_json(run_cli, "--size", "1", "--maturity", "production",
                        "--systems", "feature-store")
    assert [s["role"] for s in data["seats"]] == ["mlops-engineer"]
    (gap,) = data["gap_details"]
    assert gap["role"] == "data-engineer"
    # One fact, said once: ORG201 names the feature-store work nobody owns.
    assert [r["code"] for r in gap["rules"]] == ["ORG201"]
    assert ("ORG201 feature-store-without-data-engineer [error] (runs feature-store without"
            " a data-engineer: nobody owns feature-store-population, data-quality-contracts)"
            in data["gaps"][0])


@pytest.mark.parametrize("stage", ["production", "scale"])
def test_compose_size_one_owns_the_lifecycle(run_cli, stage):
    """A team of one at production is an MLOps engineer on rollback and gates (ORG203)."""
    data = compose_json(run_cli, "--size", "1", "--maturity", stage)
    (seat,) = data["seats"]
    assert seat["role"] == "mlops-engineer" and "ORG203" in seat["moved_for"]
    assert {"promotion-gates", "model-rollback"} <= set(seat["owns"])
    assert not any("ORG203" in gap for gap in data["gaps"])


def test_compose_gaps_do_not_depend_on_the_order_of_systems(run_cli):
    systems = ["streaming", "model-serving", "feature-store", "gpu-cluster"]
    first = compose_json(run_cli, "--size", "2", "--maturity", "scale",
                         "--systems", *systems)
    again = compose_json(run_cli, "--size", "2", "--maturity", "scale",
                         "--systems", *reversed(systems))
    assert len(first["gaps"]) >= 2
    assert first == again


def test_compose_systems_comma_separated_like_select(run_cli):
    spaced = compose_json(run_cli, "--size", "3", "--maturity", "pilot",
                          "--systems", "feature-store", "model-serving")
    commas = compose_json(run_cli, "--size", "3", "--maturity", "pilot",
                          "--systems", "feature-store, model-serving")
    repeated = compose_json(run_cli, "--size", "3", "--maturity", "pilot", "--systems",
                            "model-serving", "--systems=feature-store,model-serving")
    assert spaced == commas == repeated
    assert spaced["systems"] == ["feature-store", "model-serving"]


def test_compose_text_uses_proper_plurals(run_cli):
    one = run_cli("compose", "--size", "1", "--maturity", "pilot").out
    assert one.startswith("Recommended mix for 1 head at pilot")
    assert "Mix: 1 ml-engineer\n" in one
    six = run_cli("compose", "--size", "6", "--maturity", "pilot").out
    assert six.startswith("Recommended mix for 6 heads at pilot")
    assert "2 ml-engineers" in six and "1 heads" not in one


def test_compose_large_teams_keep_the_stages_shares(run_cli):
    """Past the list, seats follow the shares; they never repeat the list."""
    data = compose_json(run_cli, "--size", "1000", "--maturity", "production")
    assert len(data["seats"]) == 1000
    total = sum(data["shares"].values())
    for role, share in data["shares"].items():
        assert abs(data["mix"][role] / 1000 - share / total) < 0.01, role
    text = run_cli("compose", "--size", "40", "--maturity", "production").out
    assert "Seats 9-40 follow the stage's shares" in text
    # Growing by one head adds a seat and takes none away, so ORG206 never asks a
    # growing team to give a role up.
    from orglint.explore import compose
    from orglint.matrix import load_matrix

    matrix = load_matrix()
    for stage in matrix.spec.maturity:
        for systems in ([], ["feature-store"], list(matrix.systems)):
            previous: Counter[str] = Counter()
            for size in range(1, 60):
                roles = Counter(s.role for s in compose(matrix, size, stage, systems).seats)
                assert previous <= roles and roles.total() == size, (stage, systems, size)
                previous = roles


def test_compose_cli_json_is_the_composition(run_cli):
    """The table-driven test below uses compose() directly: the CLI prints exactly that."""
    from orglint.explore import compose
    from orglint.matrix import load_matrix

    matrix = load_matrix()
    for size, stage, systems in [(1, "scale", ["gpu-cluster"]), (7, "exploring", []),
                                 (25, "production", ["feature-store", "model-serving"])]:
        data = compose_json(run_cli, "--size", str(size), "--maturity", stage,
                            "--no-config", *(["--systems", *systems] if systems else []))
        assert data == compose(matrix, size, stage, systems).to_json()


SYSTEM_SETS = [(), ("feature-store",), ("model-serving", "gpu-cluster"), None]  # None: all


def test_a_team_built_from_compose_passes_check_or_compose_names_the_rule(tmp_path):
    """Every size 1-40 x maturity x system set: the composer and the checker agree.

    Each team is built from compose's JSON (seats with what they own, the practices) and
    the whole lot is checked in one in-process run.  No error or warning may fire that
    compose did not name as a gap, every rule a gap names must fire, and ORG206 (which
    compares with the same mix) must stay silent.  A gap that names a missing-role rule
    (ORG201, ORG205) speaks for that role's unowned system work, so an ORG202 about that
    work is the same fact and is not named again.
    """
    from orglint.config import Settings
    from orglint.engine import Request, plan, run
    from orglint.explore import compose
    from orglint.matrix import load_matrix

    matrix = load_matrix()
    missing_role = {p.code for p in matrix.spec.anti_patterns if p.kind == "missing-role"}
    named: dict[str, set[str]] = {}
    told: dict[str, set[str]] = {}  # team -> roles whose gap names a missing-role rule
    for size in range(1, 41):
        for stage in matrix.spec.maturity:
            for k, systems in enumerate(SYSTEM_SETS):
                chosen = list(matrix.systems) if systems is None else list(systems)
                data = compose(matrix, size, stage, chosen).to_json()
                team = f"t{size}-{stage}-{k}"
                members = "".join(
                    f"    - {{id: {team}-{i}, name: M, role: {seat['role']},"
                    f" owns: [{', '.join(seat['owns'])}]}}\n"
                    for i, seat in enumerate(data["seats"]))
                (tmp_path / f"{team}.yaml").write_text(
                    f"apiVersion: orglint/v1\nkind: Team\nmetadata: {{name: {team}}}\n"
                    f"spec:\n  maturity: {stage}\n  size: {size}\n"
                    f"  systems: [{', '.join(data['systems'])}]\n"
                    f"  practices: [{', '.join(p['id'] for p in data['practices'])}]\n"
                    f"  members:\n{members}", encoding="utf-8")
                named[team] = {r["code"] for gap in data["gap_details"] for r in gap["rules"]}
                told[team] = {gap["role"] for gap in data["gap_details"]
                              if missing_role & {r["code"] for r in gap["rules"]}}
    assert len(named) == 40 * len(matrix.spec.maturity) * len(SYSTEM_SETS)
    settings = Settings(root=tmp_path, select=["ALL"], cache=False)
    result = run(plan(settings), Request([f"{t}.yaml" for t in named], cwd=tmp_path))
    fired: dict[str, set[str]] = {team: set() for team in named}
    problems = []
    for f in result.findings:
        team = f.file.rsplit("/", 1)[-1].removesuffix(".yaml")
        fired[team].add(f.code)
        if f.code == "ORG202" and matrix.owner((f.detail or "").split(":")[-1]) in told[team]:
            continue
        if f.code == "ORG206" or (f.severity.label != "info" and f.code not in named[team]):
            problems.append(f"{team}: {f.code} {f.message}")
    problems += [f"{team}: compose names {sorted(named[team] - fired[team])}, which did"
                 " not fire" for team in named if named[team] - fired[team]]
    assert not problems, "\n".join(problems[:20])
    # The gaps are not vacuous: some cells cannot be staffed without one.
    assert any(named.values())


def test_compose_agrees_with_org206(run_cli, tmp_path):
    """A team built from the composer's mix has no ORG206 finding."""
    data = json.loads(run_cli("compose", "--size", "5", "--maturity", "pilot",
                              "--output-format", "json").out)
    members = "".join(f"    - {{id: m{i}, name: M, role: {s['role']}}}\n"
                      for i, s in enumerate(data["seats"]))
    (tmp_path / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n"
        f"  maturity: pilot\n  members:\n{members}")
    assert run_cli("check", "t.yaml", "--select", "ORG206").code == 0
    assert "All checks passed" in run_cli("check", "t.yaml", "--select", "ORG206").out


def test_compose_usage_errors(run_cli):
    assert run_cli("compose", "--size", "0", "--maturity", "pilot").code == 2
    bad = run_cli("compose", "--size", "3", "--maturity", "prod")
    assert bad.code == 2 and "did you mean 'production'" in bad.err
    assert run_cli("compose", "--size", "3", "--maturity", "pilot", "--systems", "x").code == 2


@pytest.mark.parametrize("role", ["mlops-engineer", "data-engineer"])
def test_roles_lists_each_rule_once(run_cli, role):
    # ORG107 is two patterns of the matrix, one for each direction of the pair.
    out = run_cli("roles", role).out
    rules = out.split("Rules around this role:")[1].split("\n\n")[0].splitlines()
    assert "  ORG107 pipeline-role-conflation [warning]" in rules
    assert len(rules) == len(set(rules)), out


def test_roles_gives_a_reason_with_its_team_size_filled_in(run_cli):
    # ORG109's reason names the size its rule runs with; where no team is checked (the
    # role's page, its JSON), the pattern's own (found by review: '{limit}' shown raw).
    data = json.loads(run_cli("roles", "mlops-engineer", "--output-format", "json").out)
    [why] = [p["why"] for p in data["anti_patterns"] if p["code"] == "ORG109"]
    assert why.startswith("past a team size of 5,") and "{" not in why


def test_roles_gives_the_team_size_the_configuration_sets(run_cli, tmp_path):
    # ORG109 `team-size: 3`: its findings say 3, and so must the role's page and the
    # report's explorer (found by the third review: they said the matrix's 5).
    (tmp_path / ".orglint.yaml").write_text("rules:\n  ORG109: {team-size: 3}\n")
    data = json.loads(run_cli("roles", "mlops-engineer", "--output-format", "json",
                              cwd=tmp_path).out)
    [why] = [p["why"] for p in data["anti_patterns"] if p["code"] == "ORG109"]
    assert why.startswith("past a team size of 3,"), why
    (tmp_path / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n  maturity: pilot\n"
        "  members:\n    - {id: a, role: ml-engineer}\n")
    page = run_cli("check", "t.yaml", "--no-cache", "--output-format", "html",
                   cwd=tmp_path).out
    assert "past a team size of 3," in page and "past a team size of 5," not in page


def test_roles_reads_the_team_size_without_checking_the_rest(run_cli, tmp_path):
    # Explaining a role loads no policy and validates no selector: a configuration that
    # a check would refuse for those (here, policies matching nothing) still explains
    # roles, with the configured size (found by review: exit 2).
    (tmp_path / ".orglint.yaml").write_text(
        "rules: {ORG109: {team-size: 3}}\npolicies: ['nomatch/*.yaml']\n")
    done = run_cli("roles", "mlops-engineer", "--output-format", "json", cwd=tmp_path)
    assert done.code == 0, done.err
    [why] = [p["why"] for p in json.loads(done.out)["anti_patterns"] if p["code"] == "ORG109"]
    assert why.startswith("past a team size of 3,")
    assert run_cli("roles", "ML Engineer", cwd=tmp_path).code == 0


@pytest.mark.parametrize(("config", "size"), [
    ("rules: {ORG109: {team_size: 3}}\n", 3),
    ("rules: {mlops-ml-conflated: {team-size: '3'}}\n", 3),
    ("rules: {ORG109: {team-size: 3}}\nignore: [ORG109]\n", 5),
    ("rules: {ORG109: {team-size: 3}}\nseverity: {ORG109: 'off'}\n", 5),
])
def test_roles_reads_the_options_as_a_check_does(run_cli, tmp_path, config, size):
    # The options parsed as `check` parses them, for the rules it runs (found by review).
    (tmp_path / ".orglint.yaml").write_text(config)
    done = run_cli("roles", "mlops-engineer", "--output-format", "json", cwd=tmp_path)
    [why] = [p["why"] for p in json.loads(done.out)["anti_patterns"] if p["code"] == "ORG109"]
    assert why.startswith(f"past a team size of {size},"), why
