"""JSON: ``{"findings": [...], "summary": {...}, "notes": [...]}``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from json.encoder import encode_basestring_ascii as _string  # what json.dumps calls, in C

from orglint.findings import ORG_WIDE, Finding, Result, Severity, org_wide
from orglint.reporters import ReportContext
from orglint.reporters.common import batches, dump, joined, rule_statistics

_SEVERITIES = {severity: _string(severity.label) for severity in Severity}
# Finding.to_dict's keys in its order, as json.dumps(separators=(",", ":")) writes them.
_FINDING = ('{"code":%s,"name":%s,"severity":%s,"message":%s,"file":%s,"line":%s,'
            '"column":%s,"end_line":%s,"end_column":%s,"entity":%s,"fingerprint":%s}')


def findings_json(findings: list[Finding]) -> str:
    """``dump([f.to_dict() for f in findings])[1:-1]``, byte for byte, without a dict per
    finding: the encoder escaped eleven keys and walked a dict for each of a large org's
    fifteen thousand findings, a few percent of a cold run.  A finding with related
    places or a fix, or a field not of the type written (an int that is not exactly an
    int, a string that is not a string), goes through ``to_dict``."""
    out: list[str] = []
    add = out.append
    for finding in findings:
        (code, name, severity, message, file, line, column, end_line, end_column, entity,
         detail, related, fix) = finding
        if (related or fix is not None or type(line) is not int or type(column) is not int
                or type(end_line) is not int or type(end_column) is not int):
            add(dump(finding.to_dict()))
            continue
        try:
            add(_FINDING % (_string(code), _string(name), _SEVERITIES[severity],
                            _string(message), _string(file), line, column, end_line,
                            end_column, "null" if entity is None else _string(entity),
                            # The marker first: a call per finding costs this loop.
                            _string("|".join((code, "" if detail == ORG_WIDE
                                              and org_wide(finding) else file,
                                              entity or "", detail or "")))))
        except (TypeError, KeyError):
            add(dump(finding.to_dict()))  # as json.dumps takes (or refuses) it
    return ",".join(out)


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
        yield comma + findings_json(batch)
        comma = ","
    yield '],"summary":' + dump(summary) + ',"notes":' + dump(list(result.notes))
    if ctx.statistics:
        yield ',"statistics":' + dump([row.to_dict() for row in
                                       rule_statistics(result.findings)])
    yield "}\n"


render = joined(pieces)
