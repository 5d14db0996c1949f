"""orglint: a policy-as-code linter for AI platform team definitions."""

from __future__ import annotations

__version__ = "0.1.0"
