"""Start-up budget, checked by what a run imports rather than by timing it.

A pre-commit run on one file is mostly interpreter start-up and imports, so the check
path must not import what it does not use: pydantic (the schema has already validated
every document; pydantic is for configuration and rule options), dataclasses (it pulls in
inspect, ast and dis), ruamel.yaml (only --fix), or the jsonschema package.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

NEVER_ON_THE_CHECK_PATH = ["pydantic", "dataclasses", "inspect", "ruamel", "jsonschema",
                           "orglint.fixer", "difflib"]

PROBE = """
import json, sys
from orglint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stderr.write(json.dumps(sorted(sys.modules)))
"""


def _imported(*args: str, cwd: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True,
                          text=True, env={"PATH": "", "ORGLINT_CACHE_DIR": str(cwd / "cache")})
    return set(json.loads(done.stderr.splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return [name for name in NEVER_ON_THE_CHECK_PATH
            if name in modules or any(m.startswith(name + ".") for m in modules)]


def test_a_one_file_check_imports_nothing_it_does_not_use(tmp_path):
    good = REPO / "examples" / "good" / "recsys-production.yaml"
    modules = _imported("check", "--no-config", str(good), cwd=tmp_path)
    assert "orglint.engine" in modules and "yaml" in modules  # the probe did run a check
    assert _heavy(modules) == []


def test_a_file_with_findings_and_a_cold_cache_stays_light(tmp_path):
    bad = REPO / "examples" / "bad" / "role-fit.yaml"
    modules = _imported("check", "--no-config", str(bad), cwd=tmp_path)
    assert "orglint.cache" in modules
    assert _heavy(modules) == []


def test_configured_rule_options_do_bring_in_pydantic(tmp_path):
    # The other side of the budget: validation still happens when there is something
    # to validate.
    (tmp_path / ".orglint.yaml").write_text("rules: {too-many-roles: {max-roles: 4}}\n")
    good = REPO / "examples" / "good" / "recsys-production.yaml"
    modules = _imported("check", "--no-cache", str(good), cwd=tmp_path)
    assert "pydantic" in modules


def test_reading_a_configuration_file_does_not_import_pydantic(tmp_path):
    # The schema validates the configuration; with no rule options there is nothing
    # left for pydantic, even when no settings snapshot can be reused.
    (tmp_path / ".orglint.yaml").write_text("select: [ORG1, ORG2]\nfail-on: warning\n")
    good = REPO / "examples" / "good" / "recsys-production.yaml"
    modules = _imported("check", "--no-cache", str(good), cwd=tmp_path)
    assert "orglint.config" in modules
    assert _heavy(modules) == []
