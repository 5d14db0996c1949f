"""Rule documentation: the docstrings, split into ruff's sections, and rendered pages.

``orglint rule`` and ``docs/rules/*.md`` come from the same text; a test regenerates
the pages and fails when they drift.
"""

from __future__ import annotations

import re
from pathlib import Path

from orglint.rules.base import Rule

REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example")
_HEADING = re.compile(r"^## (.+)$", re.MULTILINE)


def rule_sections(rule: type[Rule]) -> dict[str, str]:
    text = rule.docs()
    out: dict[str, str] = {}
    matches = list(_HEADING.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        out[match.group(1).strip()] = text[match.end():end].strip()
    return out


def rule_page(rule: type[Rule]) -> str:
    fix = "Fix is available with `--fix`." if rule.fixable else ""
    header = (f"# {rule.name} ({rule.code})\n\n"
              f"Default severity: **{rule.severity.label}**."
              f"{' ' + fix if fix else ''}\n\n{rule.summary}.\n\n")
    return header + rule.docs().strip() + "\n"


def rule_json(rule: type[Rule]) -> dict[str, object]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.label,
        "summary": rule.summary,
        "fixable": rule.fixable,
        "scope": rule.scope,
        "sections": rule_sections(rule),
        "docs": rule.docs(),
    }


def index_page(rules: list[type[Rule]]) -> str:
    lines = ["# Rules", "", "Generated from the rule docstrings by `orglint rule --all`;"
             " do not edit by hand (`python scripts/generate_docs.py`).", "",
             "| code | name | severity | summary |", "|---|---|---|---|"]
    for rule in rules:
        lines.append(f"| {rule.code} | [{rule.name}]({rule.name}.md) | {rule.severity.label} |"
                     f" {rule.summary} |")
    return "\n".join(lines) + "\n"


def generate(folder: Path, rules: list[type[Rule]]) -> dict[Path, str]:
    pages = {folder / f"{rule.name}.md": rule_page(rule) for rule in rules}
    pages[folder / "README.md"] = index_page(rules)
    return pages
