"""Reporters: render a Result.  They never decide the exit code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orglint.findings import Result, Severity
from orglint.rules.base import Rule


@dataclass
class ReportContext:
    rules: dict[str, type[Rule]]
    fail_on: Severity = Severity.ERROR
    color: bool = False
    verbose: bool = False
    statistics: bool = False
    root: Path = field(default_factory=Path.cwd)
    fixes_available: int = 0


Reporter = Callable[[Result, ReportContext], str]


def get(name: str) -> Reporter:
    from orglint.reporters import github, gitlab, json_, junit, sarif, text

    table: dict[str, Reporter] = {
        "text": text.render,
        "json": json_.render,
        "sarif": sarif.render,
        "github": github.render,
        "gitlab": gitlab.render,
        "junit": junit.render,
    }
    return table[name]


FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
