"""Reports are written while they are made (issue 14: peak memory at 20,000 teams).

Each streamed format's pieces must join to exactly the text the format renders, at
every batch boundary, and ``check`` must write them one by one rather than join them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from typing import Any

import pytest

from orglint.findings import Finding, Location, Result, Severity
from orglint.reporters import ReportContext, common, get, stream
from orglint.rules import REGISTRY
from tests.conftest import REPO
from tests.test_reporters import A

STREAMED = ("text", "json", "sarif", "github", "gitlab", "html")


def _result(n: int) -> Result:
    findings = [Finding("ORG104", "skill-bar-unmet", Severity(1 + i % 3), f"message {i % 2}",
                        f"teams/t{i // 2}.yaml", i + 1, 3, i + 1, 9, entity="kim",
                        detail="gpu", related=(Location("teams/x.yaml", 4, 5),) if i % 2
                        else ())
                for i in range(n)]
    result = Result(findings, files_checked=max(1, n))
    result.notes = ["a note"]
    return result


@pytest.mark.parametrize("fmt", STREAMED)
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5])
def test_pieces_join_to_the_whole_report_at_every_batch_boundary(
        fmt: str, n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "BATCH", 8 if fmt == "html" else 2)  # html: a file a piece
    ctx = ReportContext(rules=dict(REGISTRY), root=REPO, statistics=fmt == "json")
    pieces = list(stream(fmt)(_result(n), ctx))
    text = "".join(pieces)
    assert text == get(fmt)(_result(n), ctx)
    # More findings, more pieces: never the whole report in one string.
    assert len(pieces) >= (n + 1) // 2
    if fmt == "json":
        body = json.loads(text)
        assert [f["line"] for f in body["findings"]] == list(range(1, n + 1))
        assert list(body) == ["findings", "summary", "notes", "statistics"]
        # The same bytes json.dumps gives for the document built whole.
        assert text == json.dumps(body, separators=(",", ":")) + "\n"
    elif fmt == "sarif":
        results = json.loads(text)["runs"][0]["results"]
        assert [r["locations"][0]["physicalLocation"]["region"]["startLine"]
                for r in results] == list(range(1, n + 1))
        prints = [r["partialFingerprints"]["orglintFingerprint/v1"] for r in results]
        assert len(set(prints)) == n  # repeats of one key are counted apart
    elif fmt == "gitlab":
        assert len(json.loads(text)) == n
    elif fmt == "github":
        assert len(text.splitlines()) == n


TEAM = A  # a team with findings of several codes


class _Recorder(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@pytest.mark.parametrize("fmt", STREAMED)
def test_check_writes_an_uncached_report_piece_by_piece(
        fmt: str, run_cli, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "teams").mkdir()
    for name in "ab":
        (tmp_path / "teams" / f"{name}.yaml").write_text(TEAM.replace("name: a}",
                                                                      f"name: {name}}}"))
    # Cached: rendered whole, as the report cache stores it.
    whole = run_cli("check", "teams", "--output-format", fmt).out
    monkeypatch.setattr(common, "BATCH", 1)
    from orglint.cli import main

    out = _Recorder()
    monkeypatch.chdir(tmp_path)
    with redirect_stdout(out):
        main(["check", "teams", "--no-cache", "--output-format", fmt])
    assert out.getvalue() == whole
    assert out.writes > 3  # one per finding at least, with a batch of one
    main(["check", "teams", "--no-cache", "--output-format", fmt, "--output-file", "r.out"])
    assert (tmp_path / "r.out").read_text() == whole


def test_html_coverage_table_comes_a_batch_of_rows_at_a_time(
        run_cli, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from orglint.reporters import html

    (tmp_path / "teams").mkdir()
    for name in "ab":
        (tmp_path / "teams" / f"{name}.yaml").write_text(TEAM.replace("name: a}",
                                                                      f"name: {name}}}"))
    seen: list[str] = []
    original = html._coverage

    def spy(*args: Any) -> Iterator[str]:
        for piece in original(*args):
            seen.append(piece)
            yield piece

    monkeypatch.setattr(html, "_coverage", spy)
    monkeypatch.setattr(common, "BATCH", 8)  # a row per piece
    out = run_cli("check", "teams", "--no-cache", "--output-format", "html").out
    assert len(seen) == 3 and [p.count("<tr data-team=") for p in seen] == [1, 1, 0]
    assert "".join(seen) in out
