"""Acceptance: orglint on examples/ gives exactly these findings (code, line, column)."""

from __future__ import annotations

import json

from orglint.cli import main
from tests.conftest import REPO, chdir

EXPECTED = {
    # ACME codes: the example policies of examples/policies/, which are among the files
    # named, so part of the org and obeyed (spec sections 1 and 7).
    "examples/bad/coverage.yaml": [
        (1, 1, "ACME005"), (7, 13, "ACME002"),
        (7, 13, "ORG203"), (7, 13, "ORG204"), (7, 13, "ORG205"), (7, 13, "ORG206"),
        (9, 7, "ORG201"), (10, 7, "ORG202"), (17, 29, "ORG207")],
    "examples/bad/input.yaml": [
        (7, 13, "ORG206"), (8, 13, "ORG006"), (9, 15, "ORG006"), (14, 13, "ORG004"),
        (15, 14, "ORG005"), (18, 13, "ORG004"), (20, 11, "ORG007"), (27, 14, "ORG004"),
        (34, 3, "ORG003"), (36, 13, "ORG003"), (41, 19, "ORG003"), (42, 7, "ORG003"),
        (44, 7, "ORG002")],
    "examples/bad/people-ltv.yaml": [(18, 19, "ORG301")],
    "examples/bad/people.yaml": [
        (7, 13, "ORG206"), (8, 9, "ORG303"), (16, 19, "ORG301"), (19, 11, "ACME006"),
        (19, 11, "ORG302"), (24, 29, "ORG102"), (24, 45, "ORG102"), (31, 14, "ORG402"),
        (32, 7, "ORG401")],
    "examples/bad/role-fit.yaml": [
        (8, 13, "ORG206"), (13, 11, "ACME006"), (13, 11, "ORG302"), (18, 26, "ORG104"),
        (18, 46, "ORG106"), (19, 11, "ACME006"), (24, 45, "ORG103"), (25, 11, "ACME006"),
        (30, 34, "ORG105"), (31, 11, "ACME006"), (31, 11, "ORG109"), (31, 11, "ORG302"),
        (36, 56, "ORG107"), (37, 11, "ACME006"), (42, 30, "ORG107"), (43, 11, "ACME006"),
        (43, 11, "ORG302"), (48, 28, "ORG108"), (48, 46, "ORG102"), (52, 13, "ORG101")],
    "examples/bad/syntax.yaml": [(5, 10, "ORG001")],  # at the quote never closed
    "examples/policies/teams/hub.yaml": [
        (8, 13, "ACME002"), (8, 13, "ORG206"), (11, 12, "ACME004"), (16, 45, "ORG207"),
        (17, 12, "ORG301"), (17, 62, "ORG207"), (18, 42, "ORG207"), (24, 13, "ACME002"),
        (24, 13, "ORG203"), (24, 13, "ORG204"), (24, 13, "ORG206"), (26, 12, "ACME004"),
        (27, 12, "ACME003"), (28, 12, "ACME006"), (28, 53, "ORG104"), (35, 18, "ACME004"),
        (42, 18, "ACME004")],
    "examples/policies/teams/nine-no-manager.yaml": [
        (4, 9, "ACME001"), (6, 13, "ORG206"), (8, 12, "ORG301")],
}


def _run(*args: str, capsys) -> tuple[int, dict]:
    with chdir(REPO):
        code = main(["check", *args, "--output-format", "json", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def test_examples_give_exactly_the_expected_findings(capsys):
    code, body = _run("examples/", capsys=capsys)
    assert code == 1
    got: dict[str, list[tuple[int, int, str]]] = {}
    for f in body["findings"]:
        got.setdefault(f["file"], []).append((f["line"], f["column"], f["code"]))
    assert got == EXPECTED


def test_the_healthy_team_passes_clean(capsys):
    code, body = _run("examples/good/", capsys=capsys)
    assert code == 0
    assert body["findings"] == []
    assert body["summary"]["documents"] == 1


def test_every_rule_family_has_a_bad_example():
    codes = {code for found in EXPECTED.values() for _, _, code in found}
    for family in ("ORG0", "ORG1", "ORG2", "ORG3", "ORG4"):
        assert any(c.startswith(family) for c in codes), family
    for code in ("ORG101", "ORG102", "ORG103", "ORG104", "ORG105", "ORG106", "ORG107",
                 "ORG108", "ORG109", "ORG201", "ORG202", "ORG203", "ORG204", "ORG205",
                 "ORG206", "ORG207", "ORG301", "ORG302", "ORG303", "ORG401", "ORG402"):
        assert code in codes, code
