"""JSON: ``{"findings": [...], "summary": {...}}``."""

from __future__ import annotations

import json
from collections import Counter

from orglint.findings import Result
from orglint.reporters import ReportContext
from orglint.reporters.common import rule_statistics


def render(result: Result, ctx: ReportContext) -> str:
    counts = result.counts()
    summary: dict[str, object] = {
        "files": result.files_checked,
        "documents": result.documents_checked,
        "findings": len(result.findings),
        "errors": counts["error"],
        "warnings": counts["warning"],
        "infos": counts["info"],
        "fixed": result.fixed,
        "roles_written": result.roles_written,
        "baseline_hidden": result.baseline_hidden,
        "baseline_stale": len(result.stale_baseline),
        "fail_on": ctx.fail_on.label,
    }
    if ctx.statistics:
        summary["statistics"] = dict(sorted(Counter(f.code for f in result.findings).items()))
    if ctx.verbose:
        summary["skipped"] = [{"file": f, "reason": r} for f, r in result.skipped]
        summary["stale_entries"] = result.stale_baseline
    body: dict[str, object] = {"findings": [f.to_dict() for f in result.findings],
                               "summary": summary}
    if ctx.statistics:
        body["statistics"] = [row.to_dict() for row in rule_statistics(result.findings)]
    # Compact: the C encoder is used only without indentation, five times faster on an
    # org with thousands of findings.  Pipe through `python -m json.tool` to read it.
    return json.dumps(body, separators=(",", ":")) + "\n"
