"""Real org data nobody here wrote: other tools' YAML is skipped cleanly and quickly."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import REPO

CORPORA = REPO / "tests" / "data" / "corpora"  # each with its SOURCE.txt


@pytest.mark.parametrize("corpus", ["backstage-acme", "kubernetes-org"])
def test_foreign_org_yaml_is_skipped_not_reported(run_cli, corpus):
    folder = CORPORA / corpus
    assert folder.is_dir(), f"missing corpus {folder}"
    start = time.perf_counter()
    result = run_cli("check", str(folder), "--output-format", "json", "-v", "--no-cache")
    elapsed = time.perf_counter() - start
    body = json.loads(result.out)
    assert result.code == 0, result.err
    assert body["findings"] == []
    assert body["summary"]["documents"] == 0
    files = {s["file"] for s in body["summary"]["skipped"]}
    assert len(files) == body["summary"]["files"] > 5
    assert all("not an orglint document" in s["reason"] for s in body["summary"]["skipped"])
    assert elapsed < 30
