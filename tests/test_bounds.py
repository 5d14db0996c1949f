"""Hostile shapes stay bounded (spec §6): every step linear or n log n, every read capped.

No timing assertions: each test counts work (trace events, difflib calls, bytes
allocated) or runs a shape that the old code could not finish, in a subprocess with a
timeout where a hang or a crash of the interpreter is the failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEAM = "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t}\nspec:\n  maturity: pilot\n"


def _orglint(args: list[str], cwd: Path, *, memory: int | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """orglint in a child process: an abort (exit 134) or a hang cannot take pytest down."""
    def limit() -> None:
        if memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "ORGLINT_CACHE_DIR": str(cwd / ".cache")}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "orglint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout,
                          preexec_fn=limit if memory is not None else None, check=False)


# -- 1. a huge scalar named by thousands of aliases ------------------------------------


def test_alias_of_a_huge_scalar_is_refused_before_the_schema_step(tmp_path):
    # jsonschema-rs copies each failing value into its error: 9,000 copies of 2 MB made
    # it allocate 18 GB and abort the interpreter (exit 134).
    members = "".join(f"    - {{id: p{i}, name: P, role: *k}}\n" for i in range(9000))
    (tmp_path / "t.yaml").write_text(
        TEAM + "  x-k: &k " + "x" * 2_000_000 + "\n  members:\n" + members)
    result = _orglint(["check", "--no-cache", "--output-format", "json", "t.yaml"], tmp_path,
                      memory=1_500_000_000)
    assert result.returncode == 1, result.stderr[-2000:]
    findings = json.loads(result.stdout)["findings"]
    assert [f["code"] for f in findings] == ["ORG001"]
    assert "characters of text" in findings[0]["message"]


def test_text_budget_counts_every_alias(lint):
    # Within the limit, aliases of text still load (8 MiB default: 4 copies of 1 MB).
    source = TEAM + "  x-k: &k " + "x" * 1_000_000 + "\n  x-a: [*k, *k, *k, *k]\n  members: []\n"
    assert lint.findings(source, select=["ORG001"]) == []
    over = TEAM + "  x-k: &k " + "x" * 1_000_000 + "\n  x-a: [" + "*k, " * 9 + "*k]\n"
    found = lint.findings(over, select=["ORG001"])
    assert [f.code for f in found] == ["ORG001"]
    assert "aliases expand to more than 8,388,608 characters" in found[0].message
