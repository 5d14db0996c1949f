"""Reporters: render a Result.  They never decide the exit code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from orglint.findings import Result, Severity
from orglint.ntuple import NamedTuple

if TYPE_CHECKING:
    from orglint.orgview import OrgView
    from orglint.rules.base import Rule


class ReportContext(NamedTuple):
    rules: dict[str, type[Rule]]
    fail_on: Severity = Severity.ERROR
    color: bool = False
    verbose: bool = False
    statistics: bool = False
    root: Path | None = None  # None: the working folder
    quiet: bool = False  # -q: the findings only, no summary
    org: OrgView | None = None  # the teams and people, for the formats in ORG_FORMATS


Reporter = Callable[[Result, ReportContext], str]
# The same report in pieces, to be written as they come: at 20,000 teams a report is
# tens of MB, and the whole string, its encoded bytes and the parts it was joined from
# held at once were the run's peak memory.
Streamer = Callable[[Result, ReportContext], Iterator[str]]


def get(name: str) -> Reporter:
    """The reporter for a format; only its module is imported."""
    import importlib

    module = importlib.import_module(f"orglint.reporters.{_MODULES[name]}")
    render: Reporter = module.render
    if name in _JSON:
        from orglint.escape import json_safe

        return lambda result, ctx: json_safe(render(result, ctx))
    return render


def stream(name: str) -> Streamer:
    """The format's report in pieces whose concatenation is ``get(name)``'s text."""
    import importlib

    module = importlib.import_module(f"orglint.reporters.{_MODULES[name]}")
    pieces: Streamer | None = getattr(module, "pieces", None)
    if pieces is None:
        render = get(name)
        return lambda result, ctx: iter((render(result, ctx),))
    if name in _JSON:
        from orglint.escape import json_safe

        # A piece holds whole JSON values: no string is cut between two.
        return lambda result, ctx: map(json_safe, pieces(result, ctx))
    return pieces


_MODULES = {"text": "text", "json": "json_", "sarif": "sarif", "github": "github",
            "gitlab": "gitlab", "junit": "junit", "html": "html", "markdown": "markdown"}
FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "html", "markdown")
# The JSON formats: content is escaped by JSON itself, and ``escape.json_safe`` then
# writes the '#' of any "##[" (a GitHub runner command anywhere in a line) as \u0023.
_JSON = frozenset({"json", "sarif", "gitlab"})
ORG_FORMATS = ("html", "markdown")  # reports that show the org, not only its findings
