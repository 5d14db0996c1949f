"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orglint import __version__
from orglint.codes import BUILTIN_CODES
from orglint.docs import rule_sections
from orglint.escape import uri, visible
from orglint.findings import Result, Severity
from orglint.reporters import ReportContext
from orglint.reporters.common import batches, dump, joined, occurrences, repo_path, repo_root

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
INFO_URI = "https://github.com/orglint/orglint"


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    region = {"startLine": line, "startColumn": column}
    if (end_line, end_column) > (line, column):
        region.update({"endLine": end_line, "endColumn": end_column})
    return region


def pieces(result: Result, ctx: ReportContext) -> Iterator[str]:
    root = repo_root(ctx.root)
    fired = sorted({f.code for f in result.findings})
    index = {code: i for i, code in enumerate(fired)}
    rules: list[dict[str, Any]] = []
    for code in fired:
        rule = ctx.rules.get(code)
        if rule is None:
            rules.append({"id": visible(code)})
            continue
        # A custom matrix's rules are repository content like the rest.
        sections = rule_sections(rule)
        summary = visible(rule.summary)
        entry: dict[str, Any] = {
            "id": visible(rule.code),
            "name": visible(rule.name),
            "shortDescription": {"text": summary},
            "fullDescription": {"text": visible(sections.get("What it does", summary),
                                                newlines=True)},
            "help": {"text": visible(sections.get("Why is this bad?", summary), newlines=True)},
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
        }
        if rule.code in BUILTIN_CODES:
            # Only orglint's own rules have a page: a policy's or a custom matrix's rule
            # is explained in its help, not behind a link that leads nowhere.
            entry["helpUri"] = f"{INFO_URI}/blob/main/docs/rules/{uri(rule.name)}.md"
            entry["help"]["markdown"] = visible(rule.docs(), newlines=True)
        else:
            # Its docs are the repository's words (a policy from a pull request): as text,
            # which a viewer shows as written, not as Markdown, where links, images and
            # mentions would render on the alert's page.
            entry["help"]["text"] = visible(rule.docs(), newlines=True)
        rules.append(entry)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "orglint", "version": __version__,
                            "semanticVersion": __version__, "informationUri": INFO_URI,
                            "rules": rules}},
        "originalUriBaseIds": {"SRCROOT": {"uri": root.as_uri() + "/"}},
        # Columns count characters, as every other format does; SARIF's default is
        # UTF-16 code units, which would put a finding after an emoji one column off.
        "columnKind": "unicodeCodePoints",
    }
    if result.notes:
        # A file of the org that could not be read is about the run, not a result:
        # code scanning shows these as the tool's own warnings.
        run["invocations"] = [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": visible(note)}}
                for note in result.notes]}]
    run["results"] = []  # last: the results are written into it below
    log = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [run]}
    head = dump(log)
    # The results go into the empty list at the end of the log, as they are made: a
    # 20,000-team org has 150,000 of them (a gigabyte as nested dicts, 75 MB as text).
    marker = '"results":[]}]}'
    assert head.endswith(marker)
    yield head[: -len(marker)] + '"results":['
    prints = occurrences(result.findings, root)
    comma = ""
    for batch in batches(result.findings):
        results: list[str] = []
        for finding in batch:
            fingerprint = next(prints)
            item: dict[str, Any] = {
                "ruleId": visible(finding.code),
                "ruleIndex": index[finding.code],
                "level": LEVELS[finding.severity],
                "message": {"text": visible(finding.message)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri(repo_path(finding.file, root)),
                                         "uriBaseId": "SRCROOT"},
                    "region": _region(finding.line, finding.column, finding.end_line,
                                      finding.end_column)}}],
                "partialFingerprints": {"orglintFingerprint/v1": fingerprint},
            }
            if finding.related:
                item["relatedLocations"] = [
                    {"id": n + 1,
                     "physicalLocation": {
                         "artifactLocation": {"uri": uri(repo_path(r.file, root)),
                                              "uriBaseId": "SRCROOT"},
                         "region": {"startLine": r.line, "startColumn": r.column}},
                     "message": {"text": visible(f"also at {repo_path(r.file, root)}:{r.line}")}}
                    for n, r in enumerate(finding.related)]
            results.append(dump(item))
        yield comma + ",".join(results)
        comma = ","
    yield "]}]}\n"


render = joined(pieces)
