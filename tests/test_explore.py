"""The role matrix explorer and the team composer answer from the matrix."""

from __future__ import annotations

import json


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


def test_compose_production_six_with_feature_store(run_cli):
    result = run_cli("compose", "--size", "6", "--maturity", "production",
                     "--systems", "feature-store", "--output-format", "json")
    data = json.loads(result.out)
    assert data["mix"] == {"platform-engineer": 1, "mlops-engineer": 2, "ml-engineer": 2,
                           "data-scientist": 1}
    assert [p["id"] for p in data["practices"]] == ["eval-gate"]
    assert any(g.startswith("no dedicated data engineer") and "SLA" in g for g in data["gaps"])
    text = run_cli("compose", "--size", "6", "--maturity", "production",
                   "--systems", "feature-store").out
    assert "Staffing gaps:" in text and "eval-gate" in text


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
