"""JUnit XML: one test case per checked file, one failure per finding at or above
``--fail-on``; GitLab and Jenkins read it."""

from __future__ import annotations

from xml.etree import ElementTree as ET

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
        case = ET.SubElement(suite, "testcase", classname="orglint", name=file)
        for f in failing:
            failures_total += 1
            failure = ET.SubElement(case, "failure", type=f.code,
                                    message=f"{f.code} [{f.severity.label}] {f.message}")
            failure.text = f"{f.file}:{f.line}:{f.column}: {f.code} {f.name}: {f.message}"
    suite.set("tests", str(len(by_file)))
    suite.set("failures", str(failures_total))
    suite.set("errors", "0")
    suites.set("tests", str(len(by_file)))
    suites.set("failures", str(failures_total))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
