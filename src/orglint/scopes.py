"""Which configuration governs each path named: the nearest one above it, as ruff does.

pre-commit runs from the repository root, so an org kept in a subfolder with its own
``.orglint.yaml`` would never get it if the search started from the current folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from orglint.findings import Finding, Result
from orglint.ntuple import NamedTuple

if TYPE_CHECKING:
    from orglint.config import Settings
    from orglint.engine import Plan
    from orglint.files import Gathered, Request


class Scope(NamedTuple):
    """Paths named (as given) that share one configuration file (None: no configuration)."""

    config: Path | None
    paths: list[str]


def scopes(paths: list[str], cwd: Path, *, stdin_name: str | None = None) -> list[Scope]:
    """The paths named, grouped by the configuration nearest to each, in first-seen order.

    A file with no configuration above it takes the one found from the current folder
    (``orglint check /elsewhere/team.yaml`` keeps the project's rules).
    Standard input belongs where ``--stdin-filename`` puts it, else to the current folder.
    A path that does not exist is grouped with the current folder, so the error that
    names it comes from the usual place.
    """
    from orglint.config import find_config

    here = find_config(cwd)
    # Absolute, not resolved: a configuration linked from elsewhere in the repository
    # governs the folder of the link (``config.load_settings``).
    fallback = Path(os.path.abspath(here)) if here is not None else None
    found: dict[Path | None, list[str]] = {}
    # Folder → its configuration: one search per folder (each may warn about a file).
    starts: dict[Path, Path | None] = {Path(os.path.abspath(cwd)): fallback}
    for text in paths:
        if text == "-":
            start = (cwd / stdin_name).parent if stdin_name else cwd
        else:
            path = Path(text) if os.path.isabs(text) else cwd / text
            start = path if path.is_dir() else path.parent
            if not start.is_dir():
                start = cwd
        start = Path(os.path.abspath(start))
        if start not in starts:
            config = find_config(start)
            starts[start] = Path(os.path.abspath(config)) if config is not None else fallback
        found.setdefault(starts[start], []).append(text)
    return [Scope(config, named) for config, named in found.items()]


class ScopeRun(NamedTuple):
    plan: Plan
    gathered: Gathered
    result: Result


class ScopesDone(NamedTuple):
    runs: list[ScopeRun]
    result: Result  # every run's findings and counts together


def run_scopes(scoped: list[tuple[Settings, list[str]]], request: Request, *,
               force_exclude: bool,
               guard: Callable[[Settings, Gathered], None]) -> ScopesDone:
    """Check each group of paths with its own settings and org; ``guard`` sees each
    group's files before any work is done on them."""
    from orglint.engine import plan, run
    from orglint.files import gather

    runs = []
    for settings, paths in scoped:
        stdin = request.stdin if "-" in paths else None
        here = request._replace(paths=paths, stdin=stdin)
        gathered = gather(settings, paths, cwd=request.cwd, stdin=stdin,
                          stdin_name=request.stdin_name, force_exclude=force_exclude)
        guard(settings, gathered)
        the_plan = plan(settings)
        runs.append(ScopeRun(the_plan, gathered, run(the_plan, here, gathered)))
    return ScopesDone(runs, merge([r.result for r in runs]))


def merge(results: list[Result]) -> Result:
    out = Result()
    for result in results:
        out.findings.extend(result.findings)
        out.files_checked += result.files_checked
        out.files.extend(result.files)
        out.extra_fixes.update(result.extra_fixes)
        out.documents_checked += result.documents_checked
        out.skipped.extend(result.skipped)
        out.baseline_hidden += result.baseline_hidden
        out.stale_baseline.extend(result.stale_baseline)
        out.unresolved += result.unresolved
        out.notes.extend(result.notes)
    out.findings.sort(key=Finding.sort_key)
    return out
