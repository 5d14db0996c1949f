"""The command as a process (``orglint.console``): patterns that libraries compile at
import and a check never uses are compiled at their first use, and the cyclic collector
does not run at all, imports and exit included."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from orglint.lazyre import Deferred, import_deferring
from tests.conftest import REPO

GOOD = REPO / "examples" / "good" / "recsys-production.yaml"

PROBE = """
import gc, json, sys
sys.argv = ["orglint", *sys.argv[1:]]
from orglint.console import main
collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info))
code = main()
import gettext, yaml
from orglint.pyyaml import PATTERNS
deferred = [type(gettext._token_pattern).__name__]
deferred += [type(regexp).__name__ + (":used" if regexp._compiled is not None else "")
             for resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.values()
             for _, regexp in resolvers]
deferred.append(type(yaml.constructor.SafeConstructor.timestamp_regexp).__name__)
deferred.append(type(yaml.reader.Reader.NON_PRINTABLE).__name__)
sys.stderr.write(json.dumps([code, len(collections), sorted(set(deferred))]))
"""


def _probe(tmp_path, *args: str) -> list[object]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tmp_path,
                          capture_output=True, text=True,
                          env={"PATH": "", "ORGLINT_CACHE_DIR": str(tmp_path / "cache")})
    result: list[object] = json.loads(done.stderr.splitlines()[-1])
    return result


def test_a_check_compiles_none_of_the_library_patterns_it_never_uses(tmp_path):
    code, _, kinds = _probe(tmp_path, "check", "--no-config", str(GOOD))
    assert code == 0
    assert kinds == ["Deferred"]  # gettext's, the resolver's, the constructor's, the reader's


def test_the_cyclic_collector_never_runs_in_a_check(tmp_path):
    # Imports (before the check turns it off) and interpreter exit included.
    assert _probe(tmp_path, "check", "--no-config", str(GOOD))[1] == 0


def test_the_deferred_patterns_are_the_installed_librarys():
    # In a process that imports PyYAML and gettext plainly: what they compile is what
    # orglint defers (a changed library would silently compile its own again).
    probe = """
import json, re, sys, gettext, yaml
got = [[r.pattern, r.flags & ~re.UNICODE]
       for rs in yaml.resolver.Resolver.yaml_implicit_resolvers.values() for _, r in rs]
got += [[p.pattern, p.flags & ~re.UNICODE] for p in (
    yaml.constructor.SafeConstructor.timestamp_regexp, yaml.reader.Reader.NON_PRINTABLE,
    gettext._token_pattern)]
print(json.dumps(got))
"""
    from orglint.console import GETTEXT
    from orglint.pyyaml import PATTERNS

    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    installed = {tuple(item) for item in json.loads(done.stdout)}
    assert installed == set(PATTERNS) | set(GETTEXT)


def test_a_deferred_pattern_behaves_as_the_pattern_and_leaves_no_stand_in_behind(tmp_path,
                                                                                 monkeypatch):
    pattern, flags = r"^(?: a | b+ )$", re.X
    deferred = Deferred(pattern, flags)
    for text in ("a", "bbb", "ab", ""):
        got, want = deferred.match(text), re.compile(pattern, flags).match(text)
        assert (got and got.span()) == (want and want.span())
    # A module imported with a pattern deferred gets the stand-in, compiled at its first
    # use; re.compile after the import compiles the real pattern.
    fresh = r"^(?: c | d+ )$"
    (tmp_path / "lazyre_probe.py").write_text(f"import re\nP = re.compile({fresh!r}, re.X)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lazyre_probe", raising=False)
    module = import_deferring("lazyre_probe", [(fresh, int(re.X))])
    assert import_deferring("lazyre_probe", [(fresh, int(re.X))]) is module
    assert type(module.P) is Deferred and module.P._compiled is None
    assert type(re.compile(fresh, re.X)) is re.Pattern
    assert module.P.match("dd") is not None and module.P._compiled is not None
    assert module.P.match("cd") is None


def test_other_commands_keep_the_cyclic_collector(tmp_path):
    probe = PROBE.split("import gettext")[0] + "sys.stderr.write(json.dumps(gc.isenabled()))"
    probe = probe.replace("code = main()", "code = main(); sys.stderr.write('x\\n')")
    probe = probe.replace("from orglint.console import main", """
from orglint import console, cli
enabled = []
cli._roles = lambda args: enabled.append(gc.isenabled()) or 0
from orglint.console import main""")
    probe = probe.replace("sys.stderr.write(json.dumps(gc.isenabled()))",
                          "sys.stderr.write(json.dumps(enabled))")
    done = subprocess.run([sys.executable, "-c", probe, "roles"], cwd=tmp_path,
                          capture_output=True, text=True, env={"PATH": ""})
    assert json.loads(done.stderr.splitlines()[-1]) == [True]


END_PROBE = """
import atexit, sys, threading
class Noisy:
    def __del__(self):
        sys.stderr.write("torn down\\n")
keep = Noisy()  # freed only by the interpreter's teardown
atexit.register(lambda: sys.stdout.write("exit handler ran\\n"))
if sys.argv[-1] == "thread":
    stop = threading.Event()
    threading.Thread(target=stop.wait, args=(0.5,)).start()
sys.argv = ["orglint", *sys.argv[1:-1]]
from orglint.console import run
run()
"""


def test_the_process_ends_without_tearing_the_interpreter_down(tmp_path):
    done = subprocess.run([sys.executable, "-c", END_PROBE, "check", "--no-config", str(GOOD),
                           "-"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "", "ORGLINT_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0
    # The report and the exit handlers' output are all there; no object was freed.
    assert done.stdout.startswith("All checks passed")
    assert done.stdout.endswith("exit handler ran\n") and "torn down" not in done.stderr
    bad = REPO / "examples" / "bad" / "role-fit.yaml"
    done = subprocess.run([sys.executable, "-c", END_PROBE, "check", "--no-config", str(bad),
                           "-"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "", "ORGLINT_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 1 and "exit handler ran" in done.stdout


def test_another_thread_alive_gets_the_usual_exit(tmp_path):
    done = subprocess.run([sys.executable, "-c", END_PROBE, "check", "--no-config", str(GOOD),
                           "thread"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "", "ORGLINT_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0 and "exit handler ran" in done.stdout
    assert "torn down" in done.stderr


def test_a_check_leaves_the_patterns_only_cleaning_or_other_text_use_uncompiled(tmp_path):
    probe = PROBE.split("import gettext")[0] + """
from orglint import cache, comments, conform, files, ghactions, loader, resync, schema
from orglint import suppress
from orglint.rules import base
# (cache._RESULTS is used here: a new cache folder's first pack prunes old settings.)
patterns = [cache.OWN_FILES, cache.OWN_DIRS, conform._SURROGATE,
            # numbers other than plain digits, lines of a file with a suppression or a
            # YAML error, comments to keep, templated messages, the kinds a file
            # that fails to load or holds People may be
            loader._INT_RE, loader._FLOAT_RE, loader._INF_RE, loader._NAN_RE, resync.BREAK,
            comments._CANDIDATE, schema._OURS_RE, ghactions._REF, base._PLACEHOLDER,
            suppress._KIND, suppress._OPTION, suppress._DATE, files.PEOPLE_RE,
            files._INERT]
sys.stderr.write(json.dumps([[type(p).__name__, p._compiled is None] for p in patterns]))
"""
    done = subprocess.run([sys.executable, "-c", probe, "check", "--no-config", str(GOOD)],
                          cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "", "ORGLINT_CACHE_DIR": str(tmp_path / "cache")})
    assert json.loads(done.stderr.splitlines()[-1]) == [["Deferred", True]] * 17
    # Used, they are the patterns, and keep what they were asked for: a second use
    # goes straight to the compiled pattern's method.
    from orglint import cache, conform

    assert cache.OWN_FILES.fullmatch("index/stat-index.json") is not None
    assert cache.OWN_FILES.fullmatch("index/other.json") is None
    assert conform._SURROGATE.search("caf\udce9") is not None
    assert vars(conform._SURROGATE)["search"] == re.compile("[\ud800-\udfff]").search


@pytest.mark.parametrize(("encoding", "fmt"), [
    ("cp1252", "markdown"), ("ascii", "text"), ("ascii", "github"), ("ascii", "junit"),
    ("latin-1", "html")])
def test_an_output_encoding_that_is_not_utf8_escapes_what_it_cannot_hold(tmp_path, encoding,
                                                                          fmt):
    # Found by the security review: an internal error, exit 2, the report half written.
    (tmp_path / "t.yaml").write_text(
        "apiVersion: orglint/v1\nkind: Team\nmetadata: {name: t, title: \"\u00c9quipe"
        " \U0001f680\"}\nspec:\n  maturity: pilot\n  members:\n"
        "    - {id: a, name: Ren, title: \"Sorc\u00e9r \u6f22\"}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "orglint", "check", "--no-cache",
                           "--no-config", "--output-format", fmt, "t.yaml"], cwd=tmp_path,
                          capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": encoding, "NO_COLOR": "1"})
    assert done.returncode == 1, done.stderr
    assert b"internal error" not in done.stderr and b"Traceback" not in done.stderr
    out = done.stdout.decode(encoding)
    assert "\\u6f22" in out or "&#" in out or "\u6f22" in out  # escaped, or held
