"""The codes of the built-in rules, as plain data.

The role matrix must refuse an anti-pattern that takes a built-in rule's code, but it
must not import the rules to know them: the rules import the matrix.  These sets are
held equal to the registry by ``tests/test_policy.py``.
"""

from __future__ import annotations

PATTERN_CODES: frozenset[str] = frozenset({
    "ORG103", "ORG104", "ORG105", "ORG106", "ORG107", "ORG108", "ORG109", "ORG201",
    "ORG203", "ORG204", "ORG205",
})

BUILTIN_CODES: frozenset[str] = PATTERN_CODES | frozenset({
    "ORG001", "ORG002", "ORG003", "ORG004", "ORG005", "ORG006", "ORG007", "ORG008",
    "ORG009", "ORG010", "ORG011", "ORG012", "ORG013", "ORG101", "ORG102", "ORG202",
    "ORG206", "ORG207",
    "ORG301", "ORG302", "ORG303", "ORG401", "ORG402", "ORG901", "ORG902", "ORG903",
})
