"""orglint.conform: its "valid" is always jsonschema-rs's, and it says so for real files.

A True that jsonschema-rs would call invalid is a missed finding, so the differential
tests mutate real documents (types swapped, keys dropped, added and misspelt, odd
strings and numbers) and hold every True and False to jsonschema-rs's verdict.
"""

from __future__ import annotations

import copy
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orglint import schema as schema_module
from orglint.conform import Refused, compile_schema, vetted
from orglint.loader import load
from orglint.memo import MEMO_LIMIT
from orglint.resources import SCHEMA_FILES, schema
from orglint.schema import document_kind
from tests.conftest import REPO, lines_run

KINDS = tuple(SCHEMA_FILES)


def _bench_teams(count: int) -> list[str]:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from bench import team_yaml
    finally:
        sys.path.pop(0)
    rng = random.Random(11)
    return [team_yaml(i, rng) for i in range(count)]


def _documents() -> Iterator[tuple[str, str, Any]]:
    """(where, kind, data) of every orglint document in examples/, tests/data/, rules/,
    and of a small bench org."""
    files = sorted({*REPO.glob("examples/**/*.yaml"), *REPO.glob("tests/data/**/*.yaml"),
                    *REPO.glob("tests/data/**/.orglint.yaml"), *REPO.glob("rules/*.yaml")})
    texts = [(str(f.relative_to(REPO)), f.read_bytes()) for f in files]
    texts += [(f"bench team {i}", text.encode()) for i, text in enumerate(_bench_teams(60))]
    for where, raw in texts:
        for doc in load(raw, where).documents:
            if where.endswith(".orglint.yaml"):
                yield where, "Config", doc.data
                continue
            kind = document_kind(doc.data)
            if kind in SCHEMA_FILES:
                yield where, kind, doc.data


def _people(team: dict[str, Any]) -> dict[str, Any]:
    fields = ("id", "name", "title", "role", "level", "skills", "email")
    return {"apiVersion": "orglint/v1", "kind": "People",
            "metadata": {"name": "registry"},
            "spec": {"people": [{k: v for k, v in m.items() if k in fields}
                                for m in team["spec"]["members"]]}}


HANDMADE = [
    ("Group", {"apiVersion": "orglint/v1", "kind": "Group",
               "metadata": {"name": "ml-division", "title": "ML", "parent": "eng",
                            "labels": {"a": 1}, "x-owner": [1, 2]}}),
    ("Config", {"paths": ["teams/*.yaml"], "select": ["ALL"], "ignore": ["ORG101"],
                "severity": {"ORG301": "warning"}, "per-file-ignores": {"a/*": ["ORG1"]},
                "fail-on": "info", "rules": {"too-many-roles": {"max-roles": 4}},
                "max-file-size": 1000, "max-depth": 10, "max-alias-nodes": 0,
                "cache": False, "backstage": True, "policies": ["p.yaml"],
                "matrix": "m.yaml", "exclude": [], "extend-select": ["ORG2"]}),
    ("Config", {}),
]

CORPUS: dict[str, list[Any]] = {kind: [] for kind in KINDS}
for _where, _kind, _data in _documents():
    CORPUS[_kind].append(_data)
for _kind, _data in HANDMADE:
    CORPUS[_kind].append(_data)
CORPUS["People"] += [_people(team) for team in CORPUS["Team"]
                     if jsonschema_rs.Draft202012Validator(schema("Team")).is_valid(team)]

CHECKS = {kind: compile_schema(schema(kind)) for kind in KINDS}
VALIDATORS = {kind: jsonschema_rs.Draft202012Validator(schema(kind)) for kind in KINDS}


def _rs(kind: str, data: Any) -> bool:
    try:
        return bool(VALIDATORS[kind].is_valid(data))
    except Exception:  # a key it cannot read: not valid, and no finding would be lost
        return False


def _agrees(kind: str, data: Any) -> None:
    verdict = CHECKS[kind](data)
    if verdict is True:
        assert _rs(kind, data), f"a missed finding: {kind} {data!r}"[:2000]
        assert list(VALIDATORS[kind].iter_errors(data)) == []
    elif verdict is False:
        assert not _rs(kind, data), f"called invalid: {kind} {data!r}"[:2000]
    else:
        assert verdict is None


# -- the fast path is taken --------------------------------------------------------------


def test_every_kind_compiles_so_none_falls_back_wholesale():
    for kind in KINDS:
        assert callable(compile_schema(schema(kind)))


def test_the_corpus_covers_every_kind():
    assert {kind for kind, docs in CORPUS.items() if docs} == set(KINDS)
    assert len(CORPUS["Team"]) > 60


def test_every_valid_document_of_the_corpus_is_certainly_valid():
    valid = 0
    for kind, documents in CORPUS.items():
        for data in documents:
            if _rs(kind, data):
                valid += 1
                assert CHECKS[kind](data) is True, f"{kind}: {json.dumps(data)[:300]}"
            else:
                assert CHECKS[kind](data) is not True
    assert valid > 70


# -- differential: mutated documents ------------------------------------------------------

ODD_STRINGS = ["", "a", "A-1", "x-note", "orglint/v1", "Team", "mid", "production", "ORG101",
               "error", "ALL", "a" * 100, "a" * 101, "é", "ID-é", "a\n", "\na", "ab\nc",
               "tab\t", "\x00", "\x7f", "\ud800", "a\udfff", "😀" * 100, "😀" * 101, "٣",
               "-lead", ".dot", "ab_c", "ABC123", "ORG123", "AB12", "kebab-case",
               "Kebab", "spec.systems", "owns.0", "owns..0", "ALL\n", " ALL"]
KEYS = ["apiVersion", "kind", "metadata", "spec", "name", "title", "description", "parent",
        "labels", "annotations", "maturity", "size", "systems", "practices", "members", "id",
        "role", "level", "skills", "email", "allocation", "owns", "people", "rules", "tests",
        "code", "target", "expression", "paths", "select", "severity", "max-depth",
        "x-", "x-extra", "X-extra", "x", "membres", "nmae", "é", "x-é", "x-\n", "\ud800",
        1, True, None, 2.5]

_scalars = (st.none() | st.booleans()
            | st.integers(min_value=-3, max_value=120)
            | st.sampled_from([0, 1, 100, 101, 100000, 100001, 2 ** 63 - 1, 2 ** 63, 2 ** 64,
                               -(2 ** 63) - 1, 10 ** 30])
            | st.floats(allow_nan=True, allow_infinity=True)
            | st.sampled_from([1.0, 50.0, 0.5, 100.0, 1e3, -0.0])
            | st.sampled_from(ODD_STRINGS)
            | st.text(max_size=12))
JUNK = st.recursive(
    _scalars,
    lambda inner: (st.lists(inner, max_size=4)
                   | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
    max_leaves=8)


def _places(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _places(value, (*path, index))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> Any:
    data = copy.deepcopy(draw(st.sampled_from(CORPUS[kind])))
    for _ in range(draw(st.integers(1, 3))):
        places = list(_places(data))
        path = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "drop", "add", "rename", "duplicate"]))
        if not path:
            if action == "replace" and draw(st.booleans()):
                data = draw(JUNK)
            continue
        parent, last = _parent(data, path), path[-1]
        if action == "replace":
            parent[last] = draw(JUNK)
        elif action == "drop":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = draw(JUNK)
        elif action == "add":
            parent.insert(draw(st.integers(0, len(parent))), draw(JUNK))
        elif action == "rename" and isinstance(parent, dict) and isinstance(last, str):
            value = parent.pop(last)
            cut = draw(st.integers(0, len(last)))
            parent[last[:cut] + draw(st.sampled_from(["", "s", "_", "-", "é", "\n"]))
                   + last[cut + 1:]] = value
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return data


FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("kind", KINDS)
def test_a_certain_verdict_is_jsonschema_rs_s_verdict_on_mutated_documents(kind):
    @FUZZ
    @given(mutated(kind))
    def check(data: Any) -> None:
        _agrees(kind, data)

    check()


@FUZZ
@given(JUNK, st.sampled_from(KINDS))
def test_a_certain_verdict_is_jsonschema_rs_s_verdict_on_junk(data, kind):
    _agrees(kind, data)


MICRO = [
    {"type": "object"}, {"type": "array"}, {"type": "string"}, {"type": "boolean"},
    {"type": "null"}, {"type": "integer", "minimum": 0}, {"maximum": 3},
    {"enum": ["a", "é", "1"]}, {"const": "x-"}, {"minLength": 1, "maxLength": 2},
    {"type": "array", "uniqueItems": True, "items": {"type": "string", "maxLength": 3}},
    {"minItems": 1, "maxItems": 2, "items": {"type": "object"}},
    {"pattern": "^[a-z]+(-[a-z0-9]+)*$"},
    {"type": "object", "properties": {"a": {"type": "integer"}, "x-a": {"type": "string"}},
     "patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False,
     "required": ["a"]},
    {"additionalProperties": {"type": "array"}}, {"patternProperties": {"^x-": False}},
    True, {"title": "annotations only"},
    {"type": "string", "maxLength": 3, "required": ["a"], "items": {"type": "null"}},
    {"type": "object", "maxLength": 1, "maxItems": 1, "minimum": 2},
    {"$ref": "#/$defs/a", "$defs": {"a": {"type": "array", "items": {"$ref": "#/$defs/a"}}}},
]


@pytest.mark.parametrize("node", MICRO, ids=[json.dumps(n) for n in MICRO])
def test_a_certain_verdict_is_jsonschema_rs_s_verdict_for_each_keyword(node):
    check, validator = compile_schema(node), jsonschema_rs.Draft202012Validator(node)

    @FUZZ
    @given(JUNK | st.dictionaries(st.sampled_from(KEYS), JUNK, max_size=4)
           | st.sampled_from([b"x", (1,), {"a": b"x"}, [(1,)], "\ud800", {"\ud800": 1}]))
    def agree(data: Any) -> None:
        verdict = check(data)
        try:
            valid = validator.is_valid(data)
        except ValueError:
            valid = None  # it raises: a True here would hide that
        if verdict is True:
            assert valid is True, data
        elif verdict is False:
            assert valid is not True, data

    agree()


# -- the semantics that differ between Python and JSON ---------------------------------------

INTEGER = {"type": "integer", "minimum": 1, "maximum": 100}


@pytest.mark.parametrize(("value", "verdict"), [
    (5, True), (0, False), (101, False), (True, False), (False, False), ("5", False),
    (None, False), (5.0, None), (5.5, None), (float("nan"), None), (float("inf"), None),
    (2 ** 63, None), (2 ** 64, None), (-(2 ** 63) - 1, None), (10 ** 30, None),
])
def test_integers_are_json_integers_not_python_ones(value, verdict):
    assert compile_schema(INTEGER)(value) is verdict
    if verdict is not None:
        assert jsonschema_rs.Draft202012Validator(INTEGER).is_valid(value) is verdict


def test_enums_and_consts_take_strings_only_and_compare_as_json_does():
    check = compile_schema({"enum": ["a", "b"]})
    assert check("a") is True and check("c") is False
    assert check(True) is False and check(1) is False and check(None) is False
    for refused in ({"enum": [1, "a"]}, {"enum": [True]}, {"const": 1}, {"enum": []},
                    {"const": "a", "enum": ["a"]}):
        with pytest.raises(Refused):
            compile_schema(refused)


def test_keywords_of_another_type_than_the_schema_s_do_not_refuse_its_values():
    check = compile_schema({"type": "string", "maxLength": 3, "required": ["a"],
                            "maxItems": 0, "minimum": 5})
    assert check("ab") is True and check("abcd") is False and check({"a": 1}) is False


def test_unique_items_judges_lists_of_strings_only():
    check = compile_schema({"type": "array", "uniqueItems": True})
    assert check(["a", "b"]) is True and check(["a", "a"]) is False
    assert check([1, True]) is None and check([0, False]) is None  # True == 1 in Python
    assert check([[1], [1.0]]) is None and check([{"a": 1}, {"a": 1}]) is None


def test_keys_jsonschema_rs_cannot_read_are_unsure():
    node = {"type": "object", "properties": {"1": {"type": "string"}},
            "additionalProperties": False}
    check, validator = compile_schema(node), jsonschema_rs.Draft202012Validator(node)
    for data in ({1: "x"}, {True: "x"}, {None: "x"}, {"\ud800": 1}):
        assert check(data) is None
        with pytest.raises(ValueError):  # UnicodeEncodeError is one
            validator.is_valid(data)
    free = {"type": "object"}  # no keyword reads the keys, yet jsonschema-rs raises
    assert compile_schema(free)({1: 2}) is None
    with pytest.raises(ValueError):
        jsonschema_rs.Draft202012Validator(free).is_valid({1: 2})


def test_a_pattern_judges_printable_ascii_only():
    check = compile_schema({"type": "string", "pattern": "^[a-z]+$"})
    assert check("abc") is True and check("ab1") is False
    # Python's '$' matches before a final newline; ECMA's and Rust's do not.
    for unsure in ("abc\n", "é", "a\tb", "\x7f", "٣"):
        assert check(unsure) is None


def test_lengths_count_code_points_as_jsonschema_rs_does():
    node = {"type": "string", "minLength": 2, "maxLength": 3}
    check, validator = compile_schema(node), jsonschema_rs.Draft202012Validator(node)
    for text in ("😀", "😀😀", "😀😀😀", "😀😀😀😀", "e\u0301", "é"):
        assert check(text) is validator.is_valid(text)
    assert check("a\ud800") is None  # a lone surrogate cannot be encoded


@pytest.mark.parametrize("node", [
    {"type": "object", "minProperties": 1}, {"oneOf": [{"type": "string"}]},
    {"anyOf": [True]}, {"allOf": [True]}, {"not": True}, {"if": True}, {"format": "email"},
    {"type": ["string", "null"]}, {"type": "number"}, {"items": [{"type": "string"}]},
    {"prefixItems": [True]}, {"$ref": "https://example.com/x.json"}, {"$ref": "#/$defs/no"},
    {"minimum": 1.5}, {"maxLength": -1}, {"contains": True}, {"dependentRequired": {}},
    {"propertyNames": True}, {"unevaluatedProperties": False}, {"exclusiveMinimum": 1},
    {"multipleOf": 2}, {"pattern": "\\d+"}, {"patternProperties": {"^\\w": True}},
    {"properties": {"é": True}},
])
def test_a_keyword_not_implemented_exactly_refuses_the_schema(node):
    with pytest.raises(Refused):
        compile_schema(node)


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        yield from node.get("patternProperties", {})
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


SCHEMA_PATTERNS = sorted({p for kind in KINDS for p in _patterns(schema(kind))})


def test_every_pattern_of_the_schemas_uses_syntax_both_engines_read_alike():
    assert len(SCHEMA_PATTERNS) >= 6
    for pattern in SCHEMA_PATTERNS:
        assert vetted(pattern) == pattern


@pytest.mark.parametrize("pattern", [
    "\\d", "\\w+", "\\s", "^a.b$", "[^a]", "a$b", "a^", "(?i)a", "a*?", "a+?", "\\bword",
    "[a-\\x7f]", "[A-z]", "[z-a]", "a{2}?", "\\p{L}", "(?<=a)b", "(?P<n>a)", "(?=a)", "\\1",
    "[[:alpha:]]", "\\u0041", "é", "(?:a", "a**", "a{,3}", "a{3,1}", "(?#c)", "[a-]]",
])
def test_pattern_syntax_whose_meaning_may_differ_is_refused(pattern):
    with pytest.raises(Refused):
        vetted(pattern)


@pytest.mark.parametrize("pattern", SCHEMA_PATTERNS)
def test_the_schemas_patterns_match_alike_in_python_and_jsonschema_rs(pattern):
    validator = jsonschema_rs.Draft202012Validator({"pattern": pattern})
    check = compile_schema({"pattern": pattern})
    printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(printable | st.sampled_from(ODD_STRINGS))
    def agree(text: str) -> None:
        verdict = check(text)
        if verdict is not None:
            assert verdict is validator.is_valid(text), text

    agree()


# -- bounds -------------------------------------------------------------------------------


def test_the_memo_of_strings_seen_valid_is_bounded():
    def cell(function: Any, name: str) -> Any:
        return function.__closure__[function.__code__.co_freevars.index(name)].cell_contents

    check = compile_schema({"type": "string", "pattern": "^[a-z0-9-]+$"})
    passed = cell(cell(check, "check"), "passed")
    for i in range(MEMO_LIMIT + 500):
        assert check(f"id-{i}") is True
    assert len(passed) == MEMO_LIMIT
    assert check("id-1") is True and check(f"id-{MEMO_LIMIT + 499}") is True
    assert check("Not-an-id") is False


def test_the_walk_grows_linearly_with_hostile_documents():
    import orglint.conform

    where = orglint.conform.__file__
    check = compile_schema(schema("Team"))

    def team(members: int) -> dict[str, Any]:
        return {"apiVersion": "orglint/v1", "kind": "Team", "metadata": {"name": "t"},
                "spec": {"maturity": "pilot", "members": [
                    {"id": f"p{i}", "owns": [f"r{i}-{j}" for j in range(5)],
                     "skills": ["é" * 50, f"s{i}"], f"x-{i}": {str(i): [i]}}
                    for i in range(members)]}}

    small, large = team(2000), team(4000)
    assert check(small) is True and check(large) is True
    ratio = lines_run(lambda: check(large), where) / lines_run(lambda: check(small), where)
    assert 1.8 < ratio < 2.2


def test_past_its_share_of_nodes_a_process_asks_jsonschema_rs(monkeypatch):
    team = next(d for d in CORPUS["Team"] if _rs("Team", d))
    share = schema_module.PYTHON_NODES
    monkeypatch.delitem(sys.modules, "jsonschema_rs")
    monkeypatch.setattr(schema_module, "_judged", 0)
    assert [schema_module.conforms(team, "Team", share // 4) for _ in range(5)] == [
        True, True, True, True, None]
    monkeypatch.setattr(schema_module, "_judged", 0)
    assert schema_module.conforms(team, "Team", share + 1) is None  # one huge file
    assert schema_module.conforms(team, "Team", share) is True
    monkeypatch.setattr(schema_module, "_judged", 0)
    monkeypatch.setitem(sys.modules, "jsonschema_rs", jsonschema_rs)
    assert schema_module.conforms(team, "Team") is None  # imported: it is the cheaper


def test_a_process_told_it_checks_many_files_asks_jsonschema_rs_from_the_first(monkeypatch):
    team = next(d for d in CORPUS["Team"] if _rs("Team", d))
    monkeypatch.delitem(sys.modules, "jsonschema_rs")
    monkeypatch.setattr(schema_module, "_judged", 0)
    schema_module.expect(schema_module.BULK_FILES)
    assert schema_module.conforms(team, "Team") is True  # a few files: walked in Python
    schema_module.expect(schema_module.BULK_FILES + 1)
    assert schema_module.conforms(team, "Team") is None


# -- whole runs ---------------------------------------------------------------------------

PROBE = """
import json, sys
import orglint.schema
if sys.argv[1] == "rs":
    orglint.schema.PYTHON_NODES = 0
from orglint.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
sys.stderr.write(json.dumps(["jsonschema_rs" in sys.modules, code]))
"""


def _check(how: str, *args: str, cwd: Path) -> tuple[str, str, bool, Any]:
    """(standard output, the rest of standard error, jsonschema_rs imported, exit code)."""
    done = subprocess.run([sys.executable, "-c", PROBE, how, "check", "--no-cache", *args],
                          cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "", "ORGLINT_CACHE_DIR": str(cwd / "cache")})
    *rest, last = done.stderr.splitlines()
    imported, code = json.loads(last)
    return done.stdout, "\n".join(rest), imported, code


BAD_TEAM = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: bad team, title: 5}
spec:
  maturity: prod
  membres: []
  members:
    - {id: ok, allocation: 1.5, role: ml-engineer, owns: [a, a]}
    - {name: no-id, level: senior, x-extra: 1, 1: x}
"""


@pytest.mark.parametrize("output", ["text", "json"])
def test_a_valid_team_and_configuration_are_checked_without_jsonschema_rs(tmp_path, output):
    (tmp_path / ".orglint.yaml").write_text(
        "paths: ['*.yaml']\nselect: [ALL]\nfail-on: warning\nseverity: {ORG301: info}\n")
    good = (REPO / "examples" / "good" / "recsys-production.yaml").read_bytes()
    (tmp_path / "good.yaml").write_bytes(good)
    for args in (("good.yaml",), ("--no-config", "good.yaml")):
        fast = _check("fast", *args, "--output-format", output, cwd=tmp_path)
        slow = _check("rs", *args, "--output-format", output, cwd=tmp_path)
        assert fast[2] is False and slow[2] is True
        assert (fast[0], fast[1], fast[3]) == (slow[0], slow[1], slow[3])


def test_an_invalid_team_or_configuration_reports_what_it_always_did(tmp_path):
    (tmp_path / "bad.yaml").write_text(BAD_TEAM)
    fast = _check("fast", "--no-config", "bad.yaml", "--output-format", "json", cwd=tmp_path)
    slow = _check("rs", "--no-config", "bad.yaml", "--output-format", "json", cwd=tmp_path)
    assert fast == slow
    assert fast[2] is True and "ORG003" in fast[0]
    (tmp_path / ".orglint.yaml").write_text("paths: ['*.yaml']\nmax-depth: 1\n")
    fast = _check("fast", "bad.yaml", cwd=tmp_path)
    assert fast == _check("rs", "bad.yaml", cwd=tmp_path)
    assert fast[2] is True and fast[3] == 2 and "max-depth" in fast[1]


FORKED = """
import json, os, sys
from orglint.loader import load
from orglint.schema import conforms
team = load(open(sys.argv[1], "rb").read(), "t.yaml").documents[0].data
first = conforms(team, "Team")
before = "jsonschema_rs" in sys.modules
pid = os.fork()
if pid == 0:
    os.write(1, json.dumps(["jsonschema_rs" in sys.modules, conforms(team, "Team")]).encode())
    os._exit(0)
os.waitpid(pid, 0)
print()
print(json.dumps([first, before, "jsonschema_rs" in sys.modules, conforms(team, "Team")]))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the pool forks only where it can")
def test_a_process_that_forks_a_pool_imports_jsonschema_rs_once_before_the_fork(tmp_path):
    good = REPO / "examples" / "good" / "recsys-production.yaml"
    done = subprocess.run([sys.executable, "-c", FORKED, str(good)], capture_output=True,
                          text=True, check=True)
    child, parent = (json.loads(line) for line in done.stdout.splitlines())
    assert parent == [True, False, True, None]  # judged in Python until the fork
    assert child == [True, None]  # the fork starts with it, and uses it
