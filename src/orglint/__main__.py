"""Entry point for ``python -m orglint``."""

from __future__ import annotations

from orglint.console import run

run()
