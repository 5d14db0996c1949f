"""A file orglint could not read never passes: ORG001 escapes every filter."""

from __future__ import annotations

import json

import pytest

BROKEN = 'apiVersion: orglint/v1\nkind: "Team\n'  # an unclosed quote


def _codes(result) -> list[tuple[str, str]]:
    return [(f["code"], f["severity"]) for f in json.loads(result.out)["findings"]]


@pytest.mark.parametrize("args", [
    ["--ignore", "ORG0"], ["--ignore", "ORG001"], ["--ignore", "ALL", "--select", "ORG104"],
    ["--select", "ORG1"], ["--ignore", "yaml-syntax-error"]])
def test_the_command_line_cannot_hide_it(run_cli, tmp_path, args):
    (tmp_path / "t.yaml").write_text(BROKEN)
    result = run_cli("check", "t.yaml", "--output-format", "json", *args)
    assert result.code == 1, result.err
    assert _codes(result) == [("ORG001", "error")]


@pytest.mark.parametrize("config", [
    "ignore: [ORG001, ORG003]\n",
    "select: [ORG2]\n",
    "per-file-ignores: {'*.yaml': [ALL]}\n",
    "severity: {ORG001: off}\n",
    "severity: {yaml-syntax-error: info}\n",
])
def test_the_configuration_cannot_hide_it(run_cli, tmp_path, config):
    (tmp_path / ".orglint.yaml").write_text(config)
    (tmp_path / "t.yaml").write_text(BROKEN)
    result = run_cli("check", "t.yaml", "--output-format", "json")
    assert result.code == 1, result.err
    assert _codes(result) == [("ORG001", "error")]


def test_a_baseline_cannot_hide_it(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(BROKEN)
    assert run_cli("check", "t.yaml", "--write-baseline", "base.json").code == 0
    # It is not recorded, and an entry written by hand does not hide it either.
    assert json.loads((tmp_path / "base.json").read_text())["entries"] == []
    (tmp_path / "base.json").write_text(json.dumps({"tool": "orglint", "version": 1, "entries": [
        {"code": "ORG001", "file": "t.yaml", "entity": "", "detail": "", "count": 1}]}))
    result = run_cli("check", "t.yaml", "--baseline", "base.json", "--output-format", "json")
    assert result.code == 1
    assert _codes(result) == [("ORG001", "error")]


@pytest.mark.parametrize("raw", [
    b"# orglint: ignore-file[ALL]\n" + BROKEN.encode(),
    b"# orglint: ignore-file[ORG001]\napiVersion: orglint/v1\nname: \xff\n",
    b"# orglint: ignore-file[ALL]\n" + b"[" * 200 + b"]" * 200 + b"\n",
    b"# orglint: ignore-file[ALL]\n" + b"# padding\n" * 200,
])
def test_a_directive_cannot_hide_it(run_cli, tmp_path, raw):
    (tmp_path / ".orglint.yaml").write_text("max-file-size: 1000\nignore: [ORG0]\n")
    (tmp_path / "t.yaml").write_bytes(raw)
    result = run_cli("check", "t.yaml", "--output-format", "json")
    assert result.code == 1, result.err
    assert _codes(result) == [("ORG001", "error")]
