"""Every rule has ruff-style docs, its options exist, and docs/rules/ matches them."""

from __future__ import annotations

import re

import pytest

from orglint.docs import REQUIRED_SECTIONS, generate, rule_sections
from orglint.options import keys as option_keys
from orglint.rules import RULES
from tests.conftest import REPO


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_has_docs_sections(rule):
    sections = rule_sections(rule)
    for heading in REQUIRED_SECTIONS:
        assert sections.get(heading), f"{rule.code} lacks '## {heading}'"
    assert "Use instead:" in sections["Example"], f"{rule.code} lacks 'Use instead:'"
    assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", rule.name)
    assert re.fullmatch(r"ORG\d{3}", rule.code)
    if rule.fixable:
        assert "Fix safety" in sections, f"{rule.code} is fixable but has no '## Fix safety'"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_documented_options_exist(rule):
    options = rule_sections(rule).get("Options", "")
    documented = re.findall(r"^- `([a-z-]+)`", options, re.MULTILINE)
    fields = set(option_keys(rule.Options))
    assert set(documented) == fields, rule.code


def test_registry_is_complete_and_ordered():
    codes = [r.code for r in RULES]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes) == 37
    assert len({r.name for r in RULES}) == len(RULES)


def test_docs_folder_is_generated_from_the_docstrings():
    folder = REPO / "docs" / "rules"
    expected = generate(folder, list(RULES))
    on_disk = {p: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    assert set(on_disk) == set(expected), "run: python scripts/generate_docs.py"
    for path, text in expected.items():
        assert on_disk[path] == text, f"{path.name} drifted; run: python scripts/generate_docs.py"
