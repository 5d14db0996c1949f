"""A fresh clone's tests pass alone: nothing a test reads lies beside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import conftest
from tests.conftest import REPO

# Spelled in pieces so that this file does not match itself.
_FORBIDDEN = re.compile("|".join((
    r"REPO\s*\.\s*parent", r"\.\./" + "shared", r"parent\s*/\s*['\"]" + "shared",
    r"['\"]/work" + "/", r"parents\s*\[\s*[1-9]")))


def test_no_test_names_a_path_beside_the_repository():
    offenders = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        if path.name == "test_hermetic.py":  # it names them to test the pattern
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_pattern_catches_the_old_reads():
    old = "CORPORA = REPO.parent / \"" + "shared\" / \"corpora\""  # in pieces, as above
    assert _FORBIDDEN.search(old)
    assert _FORBIDDEN.search("open('../" + "shared/spec/orglint.md')")
    assert not _FORBIDDEN.search('REPO / "tests" / "data" / "corpora"')


def test_the_audit_hook_records_a_read_beside_the_repository(tmp_path):
    # Inside something that stood beside the repository before the session (CI puts
    # the shared folder there); the repository's own folder stands in when alone.
    neighbour = min(conftest._BESIDE - {REPO.name}, default=None)
    if neighbour is None:
        pytest.skip("nothing stands beside the repository")
    beside = Path(conftest.PARENT) / neighbour / "no-such-orglint-test-file"
    assert conftest.reads_outside(str(beside))
    assert not conftest.reads_outside(str(Path(conftest.PARENT) / "made-during-the-run"))
    assert not conftest.reads_outside(str(REPO / "tests" / "data" / "sarif"))
    assert not conftest.reads_outside(str(tmp_path / "team.yaml"))
    before = len(conftest.OUTSIDE_READS)
    with pytest.raises(OSError):
        beside.read_bytes()  # the audit event fires before the open fails
    assert conftest.OUTSIDE_READS[before:] == [str(beside)]
    del conftest.OUTSIDE_READS[before:]  # a planted read, not a test's
