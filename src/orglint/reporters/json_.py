"""JSON: ``{"findings": [...], "summary": {...}, "notes": [...]}``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from orglint.findings import Result
from orglint.reporters import ReportContext
from orglint.reporters.common import batches, dump, joined, rule_statistics


def pieces(result: Result, ctx: ReportContext) -> Iterator[str]:
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
    # Notes (files of the org that could not be read in full) are on stderr too, but a
    # CI job that keeps only this document must see that the org was checked in part.
    # Written as json.dumps writes {"findings": [...], "summary": ..., "notes": ...,
    # "statistics": ...}, the findings a batch at a time: as one dict, 150,000 findings
    # took more memory than the rest of the run.  Compact: the C encoder is used only
    # without indentation.  Pipe through `python -m json.tool` to read it.
    yield '{"findings":['
    comma = ""
    for batch in batches(result.findings):
        yield comma + dump([f.to_dict() for f in batch])[1:-1]
        comma = ","
    yield '],"summary":' + dump(summary) + ',"notes":' + dump(list(result.notes))
    if ctx.statistics:
        yield ',"statistics":' + dump([row.to_dict() for row in
                                       rule_statistics(result.findings)])
    yield "}\n"


render = joined(pieces)
