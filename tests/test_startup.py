"""Start-up budget, checked by what a run imports rather than by timing it.

A pre-commit run on one file is mostly interpreter start-up and imports, so the check
path must not import what it does not use: pydantic (the schema has already validated
every document; pydantic is for configuration and rule options), dataclasses (it pulls in
inspect, ast and dis), ruamel.yaml (only --fix), the jsonschema package, the HTML and
Markdown reports, Backstage, policies, importers, or subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

NEVER_ON_THE_CHECK_PATH = ["pydantic", "dataclasses", "inspect", "ruamel", "jsonschema",
                           "orglint.fixer", "difflib",
                           # Other outputs and inputs: a plain check renders text.
                           "orglint.reporters.html", "orglint.reporters.markdown",
                           "orglint.backstage", "orglint.policy", "cel_expr_python",
                           "orglint.importers",
                           # Only git under GitHub Actions needs it (10 ms of imports).
                           "subprocess",
                           # OpenSSL (orglint.hashing has blake2b and sha256 without it),
                           # the terminal's width (argparse asks for it only for help),
                           # and random numbers for temporary names (os.urandom is enough).
                           "hashlib", "_hashlib", "shutil", "secrets",
                           # 12-19 ms: orglint.conform judges valid documents; only an
                           # invalid one needs jsonschema-rs's errors (test_conform.py).
                           "jsonschema_rs",
                           # The worker pool and its signal handling (enum classes, 5 M
                           # instructions): only runs that check many files use them.
                           "orglint.pool", "signal",
                           # Baselines, only with --baseline or --write-baseline.
                           "orglint.baseline"]
# Which files hold policies is asked on every check; the package's docstring and this
# finder are all it loads until a policy is found.
LIGHT = {"orglint.policy", "orglint.policy.find"}

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


def _heavy(modules: set[str], *needed: str) -> list[str]:
    """What a check imported that it should not have, but for what it ``needed``."""
    modules = modules - LIGHT
    return [name for name in NEVER_ON_THE_CHECK_PATH if name not in needed
            and (name in modules or any(m.startswith(name + ".") for m in modules))]


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


def test_the_pre_commit_run_in_a_configured_org_stays_light(tmp_path):
    # The hook's case: one file named in an org whose other files come from the cache.
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\n")
    (tmp_path / "teams").mkdir()
    for name in ("good/recsys-production.yaml", "bad/role-fit.yaml"):
        target = tmp_path / "teams" / Path(name).name
        target.write_bytes((REPO / "examples" / name).read_bytes())
    _imported("check", cwd=tmp_path)
    (tmp_path / "teams" / "role-fit.yaml").write_text(
        (REPO / "examples" / "bad" / "role-fit.yaml").read_text() + "# edited\n")
    modules = _imported("check", "teams/role-fit.yaml", cwd=tmp_path)
    assert "orglint.engine" in modules and "orglint.cache" in modules
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


def test_pyyaml_is_imported_without_compiling_the_pattern_only_its_python_reader_uses(
        tmp_path):
    probe = PROBE.replace("sys.stderr.write(json.dumps(sorted(sys.modules)))", """
import yaml
deferred = yaml.reader.Reader.NON_PRINTABLE
sys.stderr.write(json.dumps([type(deferred).__name__, deferred._compiled is None]))
""")
    good = REPO / "examples" / "good" / "recsys-production.yaml"
    done = subprocess.run([sys.executable, "-c", probe, "check", "--no-config", str(good)],
                          cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "", "ORGLINT_CACHE_DIR": str(tmp_path / "cache")})
    assert json.loads(done.stderr.splitlines()[-1]) == ["Deferred", True]


def test_pyyamls_python_reader_still_refuses_what_is_not_printable():
    import re

    import pytest
    import yaml

    from orglint.pyyaml import NON_PRINTABLE, Deferred, import_yaml

    assert import_yaml() is yaml
    deferred = Deferred(NON_PRINTABLE)
    for text in ("plain", "a\x01b", "tab\tok", "\ufffe", "\U0001f600"):
        got, want = deferred.search(text), re.compile(NON_PRINTABLE).search(text)
        assert (got and got.span()) == (want and want.span())
    with pytest.raises(yaml.reader.ReaderError):
        yaml.load("key: a\x01b", Loader=yaml.SafeLoader)  # the pure-Python reader
