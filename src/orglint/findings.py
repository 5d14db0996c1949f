"""The one value type every check produces, and the result of a run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from enum import IntEnum
from operator import itemgetter

from orglint.ntuple import NamedTuple


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {Severity.INFO: "info", Severity.WARNING: "warning", Severity.ERROR: "error"}


class Location(NamedTuple):
    """Another place a finding is about (named in the message, SARIF relatedLocations)."""

    file: str
    line: int
    column: int


class Fix(NamedTuple):
    """A replacement of the scalar at ``path`` in document ``doc`` (applied by the fixer)."""

    doc: int
    path: tuple[str | int, ...]
    action: str  # "set" (write ``value``) or "remove-item"
    value: str | None
    safe: bool
    description: str


# The ``detail`` of the ORG001 a line break git does not count gets (``loader``): the
# file was read whole, so unlike every other ORG001 it says nothing of what was unread.
HIDDEN_BREAK = "hidden-line-break"
# A policy rule's run-time error: its ``detail`` is the code of the rule it is about, which
# its selection, per-file ignores and suppressions follow.
POLICY_ERROR = "ORG903"


# A finding that another rule's finding makes redundant (ORG202 on feature-store work
# that ORG201's "no data engineer" names) is made all the same, its ``detail`` followed by
# this separator, the covering finding's code, its detail and its line: it is dropped
# only if that finding is still there once the suppressions and per-file ignores have run
# (``split_covered``, ``needed``), so silencing the one never silences the other.  Only
# the codes of COVERABLE carry marks: a detail another rule takes from a file (a key
# holding the separator) is never read as one.
COVERED_BY = "\x1f"
COVERABLE = frozenset({"ORG202", "ORG207"})


# The ``detail`` of an org rule's finding (a policy with ``target: org``): one verdict
# about the whole org, placed at line 1 of the org's first file in path order, so its
# baseline key and fingerprint name no file (a file sorting first moved it).  No id
# has parentheses.
ORG_WIDE = "(org)"


def org_wide(finding: Finding) -> bool:
    """An org rule's finding: its marker, no entity, and a code of the org's own (a
    role or team name a user writes can be "(org)", and is a built-in rule's detail)."""
    return (finding.detail == ORG_WIDE and finding.entity is None
            and not finding.code.startswith("ORG"))


def covered(detail: str, code: str, by_detail: str, line: int) -> str:
    """``detail`` marked as covered by the finding of ``code`` with ``by_detail`` at
    ``line`` (two teams of one id in a file are two covers)."""
    return f"{detail}{COVERED_BY}{code}{COVERED_BY}{by_detail}{COVERED_BY}{line}"


def _mark(finding: Finding) -> list[str] | None:
    """The parts of a mark (its own detail, the cover's code, detail and line), or None."""
    if finding.code not in COVERABLE or finding.detail is None \
            or COVERED_BY not in finding.detail:
        return None
    parts = finding.detail.split(COVERED_BY)
    return parts if len(parts) == 4 else None


def moved_mark(finding: Finding, line: Callable[[int], int]) -> str | None:
    """``finding``'s detail with its cover's line moved by ``line`` (Backstage's stitch:
    its finding is moved so, and the cover must still be found), else as it is."""
    parts = _mark(finding)
    if parts is None or not parts[3].isdigit():
        return finding.detail
    return covered(parts[0], parts[1], parts[2], line(int(parts[3])))


def split_covered(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """``findings`` as (those with no mark, those with one)."""
    # One pass of a separator test: the run's every finding comes through here, and
    # almost none is marked.
    marked = [f for f in findings if f.detail is not None and COVERED_BY in f.detail
              and _mark(f) is not None]
    if not marked:
        return findings, marked
    taken = set(map(id, marked))
    return [f for f in findings if id(f) not in taken], marked


def needed(marked: list[Finding], shown: list[Finding]) -> list[Finding]:
    """The ``marked`` findings whose covering finding is not among ``shown`` (what is
    left once suppressions ran), their marks taken off: what a report shows."""
    there = {(f.code, f.entity, f.file, f.detail, f.line) for f in shown}
    out = []
    for f in marked:
        parts = _mark(f)
        assert parts is not None
        detail, code, by, line = parts
        if (code, f.entity, f.file, by, int(line) if line.isdigit() else -1) not in there:
            out.append(f._replace(detail=detail))
    return out


def unread(finding: Finding) -> bool:
    """Whether ``finding`` says part of its file could not be read: an ORG001 other than
    a hidden line break's."""
    return finding.code == "ORG001" and finding.detail != HIDDEN_BREAK


class Finding(NamedTuple):
    """One problem at one place.

    A NamedTuple rather than a dataclass: findings cross process boundaries and the
    cache by the thousand, and tuples pickle in C where slotted dataclasses run a
    Python-level ``__setstate__`` per object.
    """

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    entity: str | None = None
    # What the finding is about beyond the entity (a responsibility, a key): with code,
    # file and entity it forms the line-independent key of baselines and fingerprints.
    detail: str | None = None
    related: tuple[Location, ...] = ()
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)

    def key(self, file: str | None = None) -> tuple[str, str, str, str]:
        """The line-independent identity of a finding, with ``file`` as given or rebased
        (the baseline is relative to its own folder, SARIF to the repository)."""
        where = "" if org_wide(self) else self.file if file is None else file
        return (self.code, where, self.entity or "", self.detail or "")

    @property
    def fingerprint(self) -> str:
        return "|".join(self.key())

    def to_dict(self) -> dict[str, object]:
        # One unpacking instead of a field read each (the JSON report makes one dict
        # per finding); the fingerprint written out as ``fingerprint`` makes it.
        (code, name, severity, message, file, line, column, end_line, end_column, entity,
         _, related, fix) = self
        out: dict[str, object] = {
            "code": code,
            "name": name,
            "severity": _LABELS[severity],
            "message": message,
            "file": file,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "entity": entity,
            "fingerprint": "|".join(self.key()),
        }
        if related:
            out["related"] = [
                {"file": r.file, "line": r.line, "column": r.column} for r in related
            ]
        if fix is not None:
            out["fix"] = {"safe": fix.safe, "description": fix.description}
        return out


# ``Finding.sort_key`` made in C: a run sorts every finding it reports by it.
SORT_KEY = itemgetter(4, 5, 6, 0)
_SEVERITY = itemgetter(2)

# --fix leaves a file with these alone (its YAML must be repaired by hand first).
YAML_ERRORS = frozenset({"ORG001", "ORG002"})


def offerable(findings: list[Finding]) -> list[Finding]:
    """The findings without the fixes --fix would refuse to apply: no ``[*]`` and no
    "N fixable" may promise a fix in a file with YAML errors."""
    broken = {f.file for f in findings if f.code in YAML_ERRORS}
    if not broken:
        return findings
    return [f._replace(fix=None) if f.fix is not None and f.file in broken else f
            for f in findings]


def _no_roles(team: str) -> frozenset[str]:
    return frozenset()


class Result:
    """Everything a reporter needs; the exit code is derived here, never in a reporter."""

    def __init__(self, findings: list[Finding] | None = None, files_checked: int = 0) -> None:
        self.findings: list[Finding] = findings if findings is not None else []
        self.files_checked = files_checked
        self.files: list[str] = []
        self.extra_fixes: dict[str, list[Fix]] = {}
        self.documents_checked = 0
        self.skipped: list[tuple[str, str]] = []
        self.fixed = 0  # findings fixed by --fix
        self.roles_written = 0  # roles --fix inferred from titles and wrote
        self.baseline_hidden = 0
        self.stale_baseline: list[str] = []
        # References the named files make that the org could not resolve, counted only
        # when the cross-file rules saw nothing but the files named (Gathered.partial).
        self.unresolved = 0
        self.notes: list[str] = []  # about the org beyond the files named (to stderr)
        self.cache_hits = 0  # files whose per-file results the cache served (for -v)
        self.cache_misses = 0
        # Each batch of files checked: how many, in how many processes, and why (for -v).
        self.processes: list[tuple[int, int, str]] = []
        # Files edited while orglint ran: checked as they are now, but not cached.
        self.changed: list[str] = []
        # A team id -> the matrix roles its lineage holds (``rules.lineage``), for the
        # reports' coverage table: asked only by a report that shows one.
        self.related_roles: Callable[[str], frozenset[str]] = _no_roles

    def counts(self) -> dict[str, int]:
        # Counted in C by severity (a label is a Python property call per finding).
        tally = Counter(map(_SEVERITY, self.findings))
        return {"error": tally[Severity.ERROR], "warning": tally[Severity.WARNING],
                "info": tally[Severity.INFO]}

    def exit_code(self, fail_on: Severity, exit_zero: bool = False) -> int:
        if exit_zero:
            return 0
        return 1 if any(f.severity >= fail_on for f in self.findings) else 0
