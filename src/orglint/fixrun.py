"""``--fix`` over a run: which of the files named orglint may rewrite, and rewriting them.

``fixer`` computes a file's fixed text; this module decides whether the file may be
written at all (spec §6.1) and writes it through ``fsutil``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from orglint import fsutil
from orglint.escape import line_start, visible
from orglint.files import Entry, Gathered, content_digest
from orglint.findings import YAML_ERRORS, Finding, Result
from orglint.fixer import diff, fixes_for, plan_file
from orglint.ntuple import NamedTuple


class Fixed(NamedTuple):
    findings: int = 0  # fixes of reported findings
    roles: int = 0  # roles inferred from titles and written
    stdin: bytes | None = None  # the fixed standard input, when it had fixes
    # Files with a fix that could not be applied (each said why on stderr): what they
    # still report is not fixable with --fix, and no "[*]" may say otherwise.
    refused: frozenset[str] = frozenset()


def _not_fixed(display: str, reason: str, refused: set[str]) -> None:
    refused.add(display)
    print(f"{line_start(display)}: not fixed: {visible(reason)}", file=sys.stderr)


def apply_fixes(result: Result, gathered: Gathered, *, roots: list[Path], diff_only: bool,
                unsafe: bool, verbose: bool, limit: int) -> Fixed:
    """Apply (or, with --diff, show) the fixes of the files named.

    Standard input is fixed to standard output, never on disk (ruff's behaviour): with
    ``-`` among the paths, only the standard input entry is looked at, even when a file
    of the name it borrows exists.
    """
    by_file: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_file.setdefault(finding.file, []).append(finding)
    stdin_mode = any(e.source.path is None for e in gathered.entries)
    findings_fixed = roles = 0
    fixed_stdin = None
    refused: set[str] = set()
    for entry in gathered.entries:
        source = entry.source
        if source.display not in result.files or stdin_mode != (source.path is None):
            continue
        findings = by_file.get(source.display, [])
        extra = result.extra_fixes.get(source.display, [])
        fixes = fixes_for(findings, extra, unsafe)
        if not fixes:
            continue
        if any(f.code in YAML_ERRORS for f in findings):
            _not_fixed(source.display, "it has YAML errors (ORG001/ORG002) to repair by hand"
                       " first", refused)
            continue
        if source.path is None:
            raw: bytes | None = entry.stdin or b""
        else:
            raw = _checked_bytes(entry, source.path, roots, limit, refused)
        if raw is None:
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            _not_fixed(source.display, "it is not UTF-8", refused)
            continue
        planned = plan_file(source.display, text, fixes)
        if planned.problem is not None:
            _not_fixed(source.display, planned.problem, refused)
        if planned.new_text is None:
            continue
        new = planned.new_text.encode("utf-8")
        if len(new) > limit:
            # Written, it would be a file the next run does not read (ORG001).
            _not_fixed(source.display, f"the fixed file would be {len(new):,} bytes, over"
                       f" the max-file-size of {limit:,}", refused)
            continue
        if diff_only:
            sys.stdout.write(diff(source.display, text, planned.new_text))
        elif source.path is None:
            fixed_stdin = new
        else:
            try:
                fsutil.replace(source.path, new, expect=raw)
            except fsutil.Refused as exc:
                _not_fixed(source.display, str(exc), refused)
                continue
            except OSError as exc:
                _not_fixed(source.display, f"cannot write it: {exc.strerror or exc}", refused)
                continue
        if verbose and not diff_only:
            for fix in planned.fixed:
                print(f"{line_start(source.display)}: fixed: {visible(fix.description)}",
                      file=sys.stderr)
        inferred = {id(fix) for fix in extra}
        # A role written into an entry that a fix of the same run removed (a duplicate
        # member, with --unsafe-fixes) is not in the file: not counted as written.
        removed = {(fix.doc, fix.path) for fix in planned.fixed if fix.action == "remove-item"}
        applied = [fix for fix in planned.fixed if id(fix) in inferred]
        roles += sum(1 for fix in applied
                     if not any((fix.doc, fix.path[:n]) in removed
                                for n in range(1, len(fix.path))))
        findings_fixed += len(planned.fixed) - len(applied)
    return Fixed(findings_fixed, roles, fixed_stdin, frozenset(refused))


def _checked_bytes(entry: Entry, path: Path, roots: list[Path], limit: int,
                   refused: set[str]) -> bytes | None:
    """The bytes of ``path`` (``entry``'s file) to fix, if orglint may rewrite it and
    they are the bytes it checked."""
    source = entry.source
    if not fsutil.inside(path, roots):
        _not_fixed(source.display, "it is outside the project (the configuration's folder"
                   " and the paths named); name it on the command line to fix it", refused)
        return None
    # A folder named on the command line is resolved by ``inside``: one that is a
    # committed link (``teams -> ../elsewhere``) must not carry the rewrite out of it.
    linked = fsutil.folder_link(path)
    if linked is not None:
        _not_fixed(source.display, linked, refused)
        return None
    try:
        if fsutil.check(path, fixing=True) is None:
            raise fsutil.Changed
        raw = fsutil.read_regular(path, limit)
    except fsutil.Refused as exc:
        _not_fixed(source.display, str(exc), refused)
        return None
    except OSError as exc:
        _not_fixed(source.display, f"cannot read it: {exc.strerror or exc}", refused)
        return None
    # The fixes were computed on the bytes checked; on other bytes they would edit by
    # position whatever is there now (another member, after a reorder).
    if content_digest(raw) != entry.digest:
        _not_fixed(source.display, str(fsutil.Changed()), refused)
        return None
    return raw
