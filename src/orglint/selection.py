"""Which rules run: ``select``/``extend-select``/``ignore`` resolved as ruff and flake8 do.

A selector is ``ALL``, a code (``ORG104``), a code prefix (``ORG1``) or a rule name
(``devops-runs-model-lifecycle``).  For each rule the most specific matching selector
wins; between a select and an ignore of equal specificity, the ignore wins.
"""

from __future__ import annotations

from collections.abc import Iterable

from orglint.errors import ConfigError
from orglint.rules.base import Rule


def names_rule(key: str, code: str, name: str) -> bool:
    """Whether ``key`` is exactly this rule's code (in any case) or its name."""
    return key.upper() == code or key.lower() == name


def specificity(selector: str, code: str, name: str) -> int | None:
    """How specifically ``selector`` names the rule ``code``/``name`` (None: not at all)."""
    if selector.upper() == "ALL":  # codes are case-insensitive, so is ALL
        return 0
    if selector.lower() == name:
        return 1000
    upper = selector.upper()
    if code == upper:
        return 999
    if code.startswith(upper):
        return len(upper)
    return None


def _best(selectors: Iterable[str], rule: type[Rule]) -> int | None:
    scores = [s for sel in selectors if (s := specificity(sel, rule.code, rule.name)) is not None]
    return max(scores) if scores else None


def is_enabled(rule: type[Rule], select: list[str], ignore: list[str]) -> bool:
    chosen = _best(select, rule)
    if chosen is None:
        return False
    dropped = _best(ignore, rule)
    return dropped is None or chosen > dropped


def check_selectors(key: str, selectors: Iterable[str], rules: Iterable[type[Rule]]) -> None:
    table = list(rules)
    for selector in selectors:
        if not any(specificity(selector, r.code, r.name) is not None for r in table):
            from orglint.schema import did_you_mean

            choices = [r.code for r in table] + [r.name for r in table]
            where = key if key.startswith("--") else f"key '{key}'"
            raise ConfigError(f"{where}: unknown rule, prefix or name '{selector}'"
                              f"{did_you_mean(selector, choices)}")


def rule_for(key: str, name: str, rules: Iterable[type[Rule]]) -> type[Rule]:
    for rule in rules:
        if names_rule(name, rule.code, rule.name):
            return rule
    raise ConfigError(f"key '{key}': unknown rule '{name}'")
