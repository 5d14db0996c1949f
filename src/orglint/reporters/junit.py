"""JUnit XML: one test case per checked file, one failure per finding at or above
``--fail-on``; GitLab and Jenkins read it."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from orglint.escape import visible
from orglint.findings import Finding, Result
from orglint.reporters import ReportContext


def render(result: Result, ctx: ReportContext) -> str:
    by_file: dict[str, list[Finding]] = {name: [] for name in result.files}
    for finding in result.findings:
        if finding.severity >= ctx.fail_on:
            by_file.setdefault(finding.file, []).append(finding)
    suites = ET.Element("testsuites", name="orglint")
    failures_total = 0
    suite = ET.SubElement(suites, "testsuite", name="orglint")
    for file, failing in by_file.items():
        # XML 1.0 cannot hold most control characters at all, escaped or not.
        case = ET.SubElement(suite, "testcase", classname="orglint", name=visible(file))
        for f in failing:
            failures_total += 1
            failure = ET.SubElement(
                case, "failure", type=visible(f.code),
                message=visible(f"{f.code} [{f.severity.label}] {f.message}"))
            failure.text = visible(f"{f.file}:{f.line}:{f.column}: {f.code} {f.name}:"
                                   f" {f.message}")
    suite.set("tests", str(len(by_file)))
    suite.set("failures", str(failures_total))
    suite.set("errors", "0")
    suites.set("tests", str(len(by_file)))
    suites.set("failures", str(failures_total))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
