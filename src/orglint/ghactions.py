"""Running under GitHub Actions: the step summary, and annotations that fit GitHub's limits.

GitHub shows at most ten annotations of each severity per step, so a pull request
touching one team of a large org could show ten findings about files it never changed.
The annotations of the changed files come first; the ones past the limit are printed
as plain log lines (still in the log, not wasted as annotations nobody sees), and a
last notice says how many were not shown and where the whole summary is.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from orglint.errors import OrglintError
from orglint.findings import Finding, Result, Severity
from orglint.lazyre import deferred
from orglint.reporters import ReportContext
from orglint.reporters.common import repo_path, repo_root

LIMIT = 10  # annotations GitHub shows per severity and step
_APPEND = (os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
           | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
_REF = deferred(r"[A-Za-z0-9._/][A-Za-z0-9._/-]*")


def active(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true"


def summary_file(env: Mapping[str, str]) -> Path | None:
    """``$GITHUB_STEP_SUMMARY`` under GitHub Actions (empty: no summary wanted)."""
    path = env.get("GITHUB_STEP_SUMMARY", "")
    return Path(path) if active(env) and path else None


def append(path: Path, text: str) -> None:
    """Append to ``path``, never through a symbolic link and only to a regular file."""
    try:
        fd = os.open(path, _APPEND, 0o644)
    except OSError as exc:
        raise OrglintError(f"cannot append the summary to {path}: "
                           f"{exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OrglintError(f"cannot append the summary to {path}: not a regular file")
        data = text.encode("utf-8")
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def changed_files(env: Mapping[str, str], root: Path, named: list[str]) -> set[str]:
    """Repository paths the change touched: ``git diff`` against the pull request's base
    branch when there is one and git can tell, else the files named on the command line."""
    base = env.get("GITHUB_BASE_REF", "")
    if base and _REF.fullmatch(base) and ".." not in base:
        # Imported here: every check imports this module, and subprocess (with its
        # threading, signal and selectors) is a tenth of a one-file run's imports.
        import subprocess

        for ref in (f"origin/{base}", base):
            try:
                # -z: without it git quotes a name that is not plain ASCII
                # ("teams/\303\251quipe.yaml"), and it would match no file of the run.
                # The bytes as the file system gives names (os.fsdecode), as the run
                # got its own paths.
                done = subprocess.run(
                    ["git", "-C", str(root), "diff", "-z", "--name-only", "--no-ext-diff",
                     "--no-textconv", f"{ref}...HEAD", "--"],
                    capture_output=True, timeout=30, check=False)
            except (OSError, subprocess.SubprocessError):
                break
            if done.returncode == 0:
                return {os.fsdecode(name) for name in done.stdout.split(b"\0") if name}
    return {repo_path(name, root) for name in named if name != "-"}


def github_text(result: Result, ctx: ReportContext, paths: list[str],
                summary: Path | None) -> str:
    """The annotations of a run under GitHub Actions (see ``annotations``)."""
    named = [p for p in paths if p != "-" and Path(p).is_file()]
    return annotate(result, ctx, changed_files(os.environ, repo_root(ctx.root), named),
                       summary)


def annotate(result: Result, ctx: ReportContext, changed: set[str],
                summary: Path | None) -> str:
    """The ``github`` format, changed files first, capped per severity, then the notice."""
    from orglint.reporters.github import render

    root = repo_root(ctx.root)
    ordered = sorted(result.findings,
                     key=lambda f: (repo_path(f.file, root) not in changed, f.sort_key()))
    counts = {s: 0 for s in Severity}
    for f in ordered:
        counts[f.severity] += 1
    hidden = sum(max(0, n - LIMIT) for n in counts.values())
    # The closing notice is a notice too: it must be among the ten GitHub shows.
    limits = {s: LIMIT for s in Severity}
    if hidden:
        limits[Severity.INFO] = LIMIT - 1
        hidden = sum(max(0, n - limits[s]) for s, n in counts.items())
    shown: list[Finding] = []
    rest: list[Finding] = []
    used = {s: 0 for s in Severity}
    for f in ordered:
        if used[f.severity] < limits[f.severity]:
            used[f.severity] += 1
            shown.append(f)
        else:
            rest.append(f)
    out = render(_only(result, shown), ctx)
    if rest:
        # Still in the log, as plain lines: an annotation past the limit is just lost.
        plain = render(_only(result, rest), ctx).splitlines()
        out += "".join(f"orglint (not annotated): {line.lstrip(':')}\n" for line in plain)
        where = f" in the job summary ({summary.name})" if summary else " in the log above"
        out += (f"::notice title=orglint::{hidden} more finding{'s' if hidden != 1 else ''}"
                f" not shown as annotations (GitHub shows {LIMIT} per severity); all"
                f" {len(ordered)} are{where}\n")
    return out


def _only(result: Result, findings: list[Finding]) -> Result:
    out = Result(findings, result.files_checked)
    out.files = result.files
    return out
