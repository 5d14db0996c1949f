"""The result cache never serves a stale result, and is safe to share."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import dedent


def team(name: str, allocation: int) -> str:
    return dedent(f"""\
        apiVersion: orglint/v1
        kind: Team
        metadata: {{name: {name}}}
        spec:
          maturity: exploring
          members:
            - {{id: kim, name: Kim, role: data-scientist, allocation: {allocation}}}
        """)


def _org(tmp_path):
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "a.yaml").write_text(team("a", 60))
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 30))
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\nselect: [ORG301]\n")


def findings(run_cli, tmp_path, *args):
    result = run_cli("check", "teams/a.yaml", "--output-format", "json", *args, cwd=tmp_path)
    return [f["message"] for f in json.loads(result.out)["findings"]]


def test_editing_another_file_changes_the_cross_file_finding(run_cli, tmp_path):
    _org(tmp_path)
    assert findings(run_cli, tmp_path) == []
    assert findings(run_cli, tmp_path) == []  # served from the cache
    cache = tmp_path / ".cache"
    assert any(cache.rglob("*")), "the first run filled the cache"
    # b.yaml is not named on the command line, but it is part of the org.
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    assert findings(run_cli, tmp_path) == [
        "kim is allocated 110%: 60% here, 50% in teams/b.yaml:7"]
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 40))
    assert findings(run_cli, tmp_path) == []
    # Same bytes as before: a cache hit, and still the right answer.
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    assert len(findings(run_cli, tmp_path)) == 1


def test_configuration_and_matrix_changes_invalidate(run_cli, tmp_path):
    _org(tmp_path)
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    assert len(findings(run_cli, tmp_path)) == 1
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\nselect: [ORG303]\n")
    assert findings(run_cli, tmp_path) == []
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/a.yaml']\nselect: [ORG301]\n")
    assert findings(run_cli, tmp_path) == []


def test_no_cache_and_clean(run_cli, tmp_path, monkeypatch):
    _org(tmp_path)
    monkeypatch.delenv("ORGLINT_CACHE_DIR")
    findings(run_cli, tmp_path, "--no-cache")
    assert not (tmp_path / ".orglint_cache").exists()
    findings(run_cli, tmp_path)
    folder = tmp_path / ".orglint_cache"
    assert folder.is_dir()
    assert (folder / ".gitignore").read_text().strip().endswith("*")
    cleaned = run_cli("clean", cwd=tmp_path)
    assert cleaned.code == 0 and not folder.exists()


def test_concurrent_processes_share_the_cache(tmp_path):
    _org(tmp_path)
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    env = {**os.environ, "ORGLINT_CACHE_DIR": str(tmp_path / "shared-cache")}

    def once(_: int) -> tuple[int, str, str]:
        done = subprocess.run([sys.executable, "-m", "orglint", "check", "teams/a.yaml"],
                              cwd=tmp_path, env=env, capture_output=True, text=True)
        return done.returncode, done.stdout, done.stderr

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(once, range(12)))
    assert {code for code, _, _ in results} == {1}
    assert len({out for _, out, _ in results}) == 1
    assert {err for _, _, err in results} == {""}  # no process found the cache half-made
    assert "kim is allocated 110%" in results[0][1]
    assert not list((tmp_path / "shared-cache").rglob("*.tmp"))


def test_stat_index_skips_unchanged_files_and_notices_changes(run_cli, tmp_path, monkeypatch):
    import orglint.files

    _org(tmp_path)
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    old = 1_600_000_000
    for path in (tmp_path / "teams").iterdir():
        os.utime(path, (old, old))
    assert len(findings(run_cli, tmp_path)) == 1
    reads: list[str] = []
    real = orglint.files.read_limited

    def counting(path, limit):
        reads.append(str(path))
        return real(path, limit)

    monkeypatch.setattr(orglint.files, "read_limited", counting)
    assert len(findings(run_cli, tmp_path)) == 1
    assert reads == []  # sizes, inodes and old mtimes unchanged: nothing read
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 40))
    os.utime(tmp_path / "teams" / "b.yaml", (old + 10, old + 10))
    assert findings(run_cli, tmp_path) == []
    assert reads == [str(tmp_path / "teams" / "b.yaml")]


def test_a_file_rewritten_while_it_is_read_is_read_again_next_run(tmp_path, monkeypatch):
    # The stat index records the stat taken before a file is read.  Recorded after the
    # read, it would describe the rewritten file beside the old content's digest, and
    # the next run would trust that digest.
    import time

    from orglint import files
    from orglint.config import Settings

    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "a.yaml"
    target.write_text(team("a", 60))
    old = time.time() - 200
    os.utime(target, (old, old))
    settings = Settings(root=tmp_path, paths=["*.yaml"])
    real_read = files.read_limited

    def read_then_rewrite(path: Path, limit: int) -> bytes:
        raw = real_read(path, limit)
        path.write_text(team("a", 70))  # the same size, other content
        os.utime(path, (old + 100, old + 100))  # old enough to pass the racy-git margin
        return raw

    monkeypatch.setattr(files, "read_limited", read_then_rewrite)
    first = files.gather(settings, [], cwd=tmp_path).entries[0].digest
    monkeypatch.setattr(files, "read_limited", real_read)
    second = files.gather(settings, [], cwd=tmp_path).entries[0].digest
    assert second != first
    assert files.gather(settings, [], cwd=tmp_path).entries[0].digest == second


def test_a_same_size_edit_with_the_mtime_put_back_is_seen(run_cli, tmp_path):
    # `touch -r`: size, mtime and inode unchanged.  The change time is not settable, so
    # the stat index, keyed on it as git's index is, reads the file again.
    _org(tmp_path)
    b = tmp_path / "teams" / "b.yaml"
    b.write_text(team("b", 50))
    old = 1_600_000_000
    for path in (tmp_path / "teams").iterdir():
        os.utime(path, (old, old))
    assert len(findings(run_cli, tmp_path)) == 1
    b.write_text(team("b", 30))  # the same number of bytes
    os.utime(b, (old, old))
    assert findings(run_cli, tmp_path) == []


@pytest.mark.parametrize("held", [False, True])
def test_a_file_edited_during_the_run_leaves_no_wrong_result(tmp_path, monkeypatch, held):
    # The digest is taken when the files are gathered.  Bytes gathering kept are checked
    # as they were hashed (issue 14); a file it did not keep (past files.HOLD_BYTES) is
    # read again by the check: then what was checked is not what was hashed, so the
    # result must not be kept under that digest (nor the run's report).
    from orglint import files
    from orglint.config import Settings
    from orglint.engine import Request, plan, run
    from orglint.files import gather

    if not held:
        monkeypatch.setattr(files, "HOLD_BYTES", 0)
    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(tmp_path / "cache"))
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(team("a", 60))
    b.write_text(team("b", 50))
    settings = Settings(root=tmp_path, paths=["*.yaml"], select=["ORG301"])
    the_plan = plan(settings)
    request = Request(["a.yaml"], cwd=tmp_path)
    gathered = gather(settings, ["a.yaml"], cwd=tmp_path)  # b.yaml: 50%
    b.write_text(team("b", 40))  # edited after hashing, before checking
    during = run(the_plan, request, gathered)
    if held:
        assert [f.code for f in during.findings] == ["ORG301"] and during.changed == []
        assert findings_of(run(the_plan, request)) == []  # 40% now: not 50%'s result
    else:
        assert during.findings == [] and during.changed == ["b.yaml"]
    b.write_text(team("b", 50))  # back to the bytes hashed: must not hit 40%'s result
    after = run(the_plan, request)
    assert [f.code for f in after.findings] == ["ORG301"]


def findings_of(result):
    return [f.code for f in result.findings]


def _full_result():
    import datetime as dt

    from orglint.facts import PersonFact, Place, TeamFact
    from orglint.fileresult import FileResult
    from orglint.findings import Finding, Fix, Location, Severity
    from orglint.model import Person
    from orglint.suppress import Directive

    fix = Fix(0, ("spec", "members", 2, "role"), "set", "ml-engineer", False, "set it")
    result = FileResult("teams/é.yaml")
    result.findings = [
        Finding("ORG101", "title-role-mismatch", Severity.WARNING, "msg \u2028 \x1b", "t.yaml",
                1, 2, 3, 4, "kim", "detail", (Location("o.yaml", 5, 6),), fix),
        Finding("ORG001", "yaml-syntax", Severity.ERROR, "bad", "t.yaml", 1, 1, 1, 2)]
    result.facts.teams = [TeamFact("a", Place("t.yaml", 1, 2, 1, 5, 0), "p",
                                   Place("t.yaml", 2, 2, 2, 5, 1)),
                          TeamFact("b", Place("t.yaml", 1, 2, 1, 5, 0), None, None),
                          TeamFact("g", Place("t.yaml", 9, 2, 9, 5, 2), "b", None, "Group")]
    result.facts.persons = [PersonFact("kim", "t.yaml", 0, 1 << 40, "a", 60, 7, True,
                                       ("title", "ML Engineer", 12)),
                            PersonFact("lee", "t.yaml", 1, 3, None, 100, -1, False, ())]
    result.facts.has_people = True
    result.directives = [Directive(3, 5, 4, ("ORG104", "ALL"), dt.date(2030, 1, 2), False,
                                   None),
                         Directive(9, 1, 0, (), None, True, "until= needs a date")]
    result.skipped = ["document 2: empty"]
    result.documents = 2
    result.teams = 1
    result.people = {"kim": Person("kim", "Kim", None, "ml-engineer", "senior", ["py"], None,
                                   ("spec", "people", 0))}
    result.fixes = [fix]
    return result


def test_results_survive_the_round_trip_through_json():
    from orglint.fileresult import FileResult, decode, encode

    result = _full_result()
    back = decode(json.loads(json.dumps(encode(result))))
    slots = [name for name in FileResult.__slots__ if name != "facts"]
    assert [getattr(back, name) for name in slots] == [getattr(result, name) for name in slots]
    assert (back.facts.teams, back.facts.persons, back.facts.has_people) == \
        (result.facts.teams, result.facts.persons, result.facts.has_people)


def test_results_read_back_share_their_repeated_strings():
    # A pooled run at 20,000 files held 60 MB more in its main process when every
    # decoded code, rule name, file name, team and title was a string of its own.
    from orglint.fileresult import decode, encode

    one, two = (decode(json.loads(json.dumps(encode(_full_result())))) for _ in range(2))
    assert one.findings[0].code is two.findings[0].code
    assert one.findings[0].name is two.findings[0].name
    assert one.findings[0].file is two.findings[0].file
    assert one.facts.teams[0].place.file is two.facts.persons[1].file
    kim, kim_too = one.facts.persons[0], two.facts.persons[0]
    assert kim.file is kim_too.file and kim.team is kim_too.team
    assert kim.detail[0] is kim_too.detail[0] and kim.detail[1] is kim_too.detail[1]


def test_a_cache_entry_comes_back_whole_or_as_the_facts_of_a_file_not_reported():
    from orglint.fileresult import FileResult, encode, from_entry, to_entry

    result = _full_result()
    entry = to_entry(result)
    assert encode(from_entry(entry)) == encode(result)
    # Findings with a code asked for: the whole result.
    assert encode(from_entry(entry, {"ORG001"})) == encode(result)
    facts = from_entry(entry, {"ORG002"})
    assert isinstance(facts, FileResult) and facts.file == result.file
    assert (facts.facts.teams, facts.facts.persons, facts.facts.has_people) == \
        (result.facts.teams, result.facts.persons, result.facts.has_people)
    assert (facts.findings, facts.directives, facts.people) == ([], [], {})
    # Of a team file's people, only those asked for; a People file keeps them all.
    assert from_entry(entry, {"ORG002"}, {"nobody"}).facts.persons == result.facts.persons
    result.facts.has_people = False
    entry = to_entry(result)
    assert from_entry(entry, {"ORG002"}, {"nobody"}).facts.persons == []
    assert from_entry(entry, {"ORG002"}, {"lee"}).facts.persons == result.facts.persons
    assert from_entry(entry, None, {"nobody"}).facts.persons == result.facts.persons


def test_reading_an_entry_back_leaves_it_as_stored():
    # The entries of a pack stay in the run's hands until a run that folds its deltas
    # writes them all to a new pack.  Decoding a file's teams once gave each place its
    # file name in place: the next pack held the longer rows, and every later run
    # decoded every team of the org on the slow path.
    import copy

    from orglint.fileresult import from_entry, to_entry

    result = _full_result()
    result.file = "t.yaml"  # its teams' places in the file itself: stored without its name
    entry = to_entry(result)
    assert entry[2][1][0][1] == [1, 2, 1, 5, 0]
    stored = copy.deepcopy(entry)
    for keep in ({"ORG002"}, None, {"ORG002"}):
        assert from_entry(entry, keep).facts.teams == result.facts.teams
        assert entry == stored


def test_the_codes_and_ids_of_an_entry_are_checked_strings_in_c():
    import pytest

    from orglint.fileresult import _strings, from_entry, to_entry

    assert _strings([]) == [] and _strings(["a", "b"]) == ["a", "b"]
    for bad in (["a", 1], [None], ["a", ["b"]], "ab", [True, "a"]):
        with pytest.raises(ValueError):
            _strings(bad)
    # In the index, codes and ids are one string where that reads back the same.
    from orglint.fileresult import _joined, _split

    for items in ([], ["ORG001"], ["a", "b.c"], [""], ["a", ""], ["a\nb"], ["a", "b\n"],
                  ["a b"], ["a", "b "], [" "]):
        assert _split(_joined(items)) == items
        assert type(_joined(items)) is (str if all(items) and " " not in "".join(items)
                                        else list)
    result = _full_result()
    result.facts.has_people = False  # so that its ids are read
    entry = to_entry(result)
    assert type(entry[0]) is str and type(entry[1]) is str
    # Joined by a character JSON writes as it is: an escape costs the decoder its fast
    # path for the whole string.
    assert "\\" not in json.dumps(entry[:2]) and " " in entry[0]
    for at in (0, 1):  # a foreign code or id is a foreign entry, never a crash
        forged = [*entry]
        forged[at] = [*forged[at], ["not", "a", "string"]]
        with pytest.raises(ValueError):
            from_entry(forged, {"ORG002"}, {"nobody"})


def test_the_teams_of_a_file_not_reported_come_from_the_index_without_a_text():
    from orglint.fileresult import from_entry, to_entry

    def refuse(item):
        raise AssertionError("a text was decoded (and its MAC computed)")

    result = _full_result()
    result.facts.has_people = False
    entry = to_entry(result)
    back = from_entry(entry, {"ORG002"}, {"nobody"}, text=refuse)
    assert (back.file, back.facts.teams, back.facts.persons) == \
        (result.file, result.facts.teams, [])
    # A place in the file itself is stored without the file's name; elsewhere, with it.
    assert {len(team[1]) for team in entry[2][1]} == {6}
    result.file = result.facts.teams[0].place.file
    entry = to_entry(result)
    assert [len(team[1]) for team in entry[2][1]] == \
        [5 if t.place.file == result.file else 6 for t in result.facts.teams]
    assert 5 in [len(team[1]) for team in entry[2][1]]
    for keep in ({"ORG002"}, None):  # the facts alone, and the whole result
        back = from_entry(to_entry(result), keep, None)
        assert back.facts.teams == result.facts.teams


def test_a_file_not_reported_is_checked_value_by_value_like_any_entry():
    import pytest

    from orglint.fileresult import from_entry, to_entry

    result = _full_result()
    result.facts.has_people = False
    entry = to_entry(result)
    back = from_entry(entry, {"ORG002"}, None)  # every person fact wanted
    assert back.facts.persons == result.facts.persons and back.findings == []
    assert back.facts.has_people is False and back.people == {}
    head = entry[2]
    for at, foreign in ((0, 7), (0, None), (1, "teams"), (1, {}), (2, 0), (2, None),
                        (2, "false")):
        forged_head = [*head]
        forged_head[at] = foreign
        with pytest.raises(ValueError):
            from_entry([*entry[:2], forged_head, *entry[3:]], {"ORG002"}, {"nobody"})
    for forged in ([*entry[:2], [*head, 1], *entry[3:]], [*entry[:2], head[:2], *entry[3:]],
                   [*entry[:2], [head[0], [[1, 2]], False], *entry[3:]], entry[:4]):
        with pytest.raises(ValueError):
            from_entry(forged, {"ORG002"}, {"nobody"})


def test_a_pack_keeps_its_texts_end_to_end_each_with_its_mac():
    import io

    import pytest

    from orglint.cache import LazyText, Texts, _pack, _unpack, text_mac
    from orglint.fileresult import encode, from_entry, to_entry

    key = b"k" * 32

    def read(texts):  # the texts of a pack as a reader holds them, all read already
        return Texts(io.BytesIO(), 0, len(texts), texts)

    def checked(item):
        if text_mac(key, item.text()) != item.mac:
            raise ValueError("tampered")
        return item.text()

    result = _full_result()
    entries = {"a": to_entry(result), "b": [[], ["x"], ["b.yaml", [], False], b"[1]", b"{}"]}
    index, texts = _pack(key, entries)
    back = _unpack(index, read(texts))
    assert {k: [v.text() if isinstance(v, LazyText) else v for v in e]
            for k, e in back.items()} == entries
    assert encode(from_entry(back["a"], text=checked)) == encode(result)
    assert _pack(key, back) == (index, texts)  # folding keeps every text and its MAC
    # Only the index is JSON to the reader: the texts are not escaped inside it.
    assert texts.count(b"\n") == 3 and b'\\"' not in index
    # A text changed after it was written fails its own MAC when it is decoded.
    tampered = _unpack(index, read(texts.replace(b'"a",', b'"b",', 1)))
    with pytest.raises(ValueError):
        from_entry(tampered["a"], text=checked)
    row = b'["b",[],["x"],["b.yaml",[],false],3,2,'
    assert row in index
    for wrong in (index.replace(row, b'["b",[],["x"],["b.yaml",[],false],3,3,'),
                  index.replace(row, b'["b",[],["x"],["b.yaml",[],false],-3,8,'),
                  index.replace(row, b'["b",[],["x"],["b.yaml",[],false],3,"2",'), b"{}",
                  b"[[1]]", b"["):
        assert wrong != index and _unpack(wrong, read(texts)) == {}


def test_a_pre_commit_run_decodes_no_result_of_a_file_it_does_not_report(
        run_cli, tmp_path, monkeypatch):
    from orglint import fileresult

    _org(tmp_path)
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    (tmp_path / "teams" / "c.yaml").write_text("apiVersion: orglint/v1\nkind: [Team\n")
    (tmp_path / "teams" / "d.yaml").write_text(team("d", 90).replace("kim", "lee"))
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\nselect: [ORG301]\n")
    first = run_cli("check", "teams/a.yaml", cwd=tmp_path)
    whole = []
    real = fileresult.decode
    monkeypatch.setattr(fileresult, "decode", lambda data: whole.append(1) or real(data))
    people = []
    read_person = fileresult._person_fact_in
    monkeypatch.setattr(fileresult, "_person_fact_in",
                        lambda row: people.append(row[0]) or read_person(row))
    (tmp_path / "teams" / "a.yaml").write_text(team("a", 60) + "# edited\n")
    again = run_cli("check", "teams/a.yaml", cwd=tmp_path)
    # b's facts still make the cross-file finding, c's input error still makes its note,
    # and neither file's whole result was decoded.
    assert "kim is allocated 110%" in again.out
    assert "teams/c.yaml (part of the org) could not be read" in again.err
    assert (again.code, again.out, again.err) == (first.code, first.out, first.err)
    assert whole == [1]  # c's: its ORG001 is what the note names
    assert people == ["kim"]  # b's kim, whom a names too; not d's lee
    run_cli("check", "teams/b.yaml", cwd=tmp_path)
    assert len(whole) == 3  # b, named, whole; c again


def test_the_cache_the_configuration_and_the_files_import_one_way():
    # cache, config, engine and files once imported each other (some lazily): a cycle
    # makes every one of them load the others.  Every import statement counts here,
    # lazy and type-only ones included.
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "src" / "orglint"
    graph: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        name = ".".join(("orglint", *path.relative_to(package).with_suffix("").parts))
        name = name.removesuffix(".__init__")
        deps = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                deps.add(node.module)
                deps.update(f"{node.module}.{a.name}" for a in node.names)

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for dep in graph.get(todo.pop(), ()):
                if dep in graph and dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        return seen

    layers = ["orglint.engine", "orglint.files", "orglint.config", "orglint.cache",
              "orglint.fileresult", "orglint.trust"]
    for i, module in enumerate(layers):
        above = set(layers[:i + 1])
        assert not reach(module) & above, f"{module} imports {reach(module) & above}"


def test_no_module_imports_a_code_carrying_format():
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "src" / "orglint"
    banned = {"pickle", "marshal", "shelve", "dill", "cloudpickle"}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            used = {n.split(".")[0] for n in names} & banned
            assert not used, path


def test_clean_says_when_there_is_nothing_to_remove(run_cli, tmp_path):
    result = run_cli("clean", "--no-config")
    assert result.code == 0 and "nothing to remove" in result.out


def test_clean_twice_in_a_configured_project_removes_then_finds_nothing(run_cli, tmp_path):
    # Reading the configuration must not write a settings snapshot into the cache that
    # clean is about to remove.
    _org(tmp_path)
    findings(run_cli, tmp_path)
    assert "removed" in run_cli("clean", cwd=tmp_path).out
    assert "nothing to remove" in run_cli("clean", cwd=tmp_path).out
    assert not (tmp_path / ".cache").exists()


def test_a_warm_run_served_from_its_report_loads_no_rule(tmp_path):
    # The results' classes bring in every rule; a run served whole from its report
    # needs none of them (the pre-commit case with nothing changed).
    _org(tmp_path)
    probe = ("import sys\nfrom orglint.cli import main\nmain(['check', 'teams/a.yaml'])\n"
             "print(sorted(m for m in sys.modules if m.startswith('orglint')))")
    env = {**os.environ, "ORGLINT_CACHE_DIR": str(tmp_path / "c")}
    runs = [subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                           capture_output=True, text=True) for _ in range(2)]
    cold, warm = (run.stdout.splitlines()[-1] for run in runs)
    assert "orglint.engine" in cold
    assert "orglint.engine" not in warm and "orglint.fileresult" not in warm


def test_a_configuration_that_turns_the_cache_off_leaves_no_cache_folder(run_cli, tmp_path):
    _org(tmp_path)
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\ncache: false\n")
    findings(run_cli, tmp_path)
    assert not (tmp_path / ".cache").exists()


def test_a_folder_another_process_marks_while_it_is_listed_is_used(tmp_path, monkeypatch):
    import os

    from orglint import cache

    folder = tmp_path / "fresh-cache"
    folder.mkdir()
    listing = os.scandir

    def scandir(fd):
        cache._mark(fd)  # the other process links its tag between the check and the listing
        return listing(fd)

    monkeypatch.setattr(cache.os, "scandir", scandir)
    assert cache.CacheDir.open(folder) is not None


def test_a_team_read_back_is_checked_field_by_field():
    import pytest

    from orglint.facts import Place, TeamFact
    from orglint.fileresult import from_entry, to_entry

    result = _full_result()
    entry = to_entry(result)
    assert all(type(t) is TeamFact and type(t.place) is Place
               for t in from_entry(entry, {"ORG002"}).facts.teams)
    good = entry[2][1][0]
    for bad in ([1, *good[1:]], [*good[:2], 3, *good[3:]], [*good[:4], None], good[:4],
                [good[0], [*good[1][:5], "0"], *good[2:]], [*good[:3], [1], good[4]]):
        entry[2][1][0] = bad
        with pytest.raises(ValueError):
            from_entry(entry, {"ORG002"})


_CROSS_FILE_ORG = {
    "people.yaml": """\
        apiVersion: orglint/v1
        kind: People
        spec: {people: [{id: kim, name: Kim}, {id: lee, name: Lee Park}, {id: ann, name: Ann}]}
        """,
    # ORG008 (alcie), ORG009 (Lee's name), ORG011 (no such parent), ORG301 (kim), and
    # ORG010 with b.yaml (the same team id).
    "a.yaml": """\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: alpha, parent: nowhere}
        spec:
          maturity: exploring
          members:
            - {id: kim, role: data-scientist, allocation: 60}
            - {id: alcie, role: ml-engineer}
            - {id: lee, name: Lee Smith, role: ml-engineer}
        """,
    "b.yaml": """\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: alpha}
        spec:
          maturity: exploring
          members:
            - {id: kim, role: data-scientist, allocation: 50}
            - {id: ann, role: ml-engineer}
        """,
    "c.yaml": """\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: gamma, parent: alpha}
        spec:
          maturity: exploring
          members:
            - {id: ann, role: ml-engineer, allocation: 30}
            - {id: lee, name: Lee Park, role: ml-engineer}
        """,
}


def test_a_pre_commit_run_reports_of_each_file_what_the_whole_org_uncached_run_does(
        run_cli, tmp_path):
    # Each file named alone, the org cached (then with that file just edited, the
    # pre-commit case), against the findings an uncached run of the whole org gives it.
    org = tmp_path / "org"
    (org / "teams").mkdir(parents=True)
    for name, text in _CROSS_FILE_ORG.items():
        (org / "teams" / name).write_text(dedent(text))
    (org / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\n")

    def by_file(*args: str) -> dict[str, list[dict[str, object]]]:
        result = run_cli("check", "--output-format", "json", *args, cwd=org)
        assert result.code in (0, 1), result.err
        out: dict[str, list[dict[str, object]]] = {}
        for finding in json.loads(result.out)["findings"]:
            out.setdefault(str(finding["file"]), []).append(finding)
        return out

    whole = by_file("--no-cache")
    codes = {str(f["code"]) for found in whole.values() for f in found}
    assert {"ORG008", "ORG009", "ORG010", "ORG011", "ORG301"} <= codes
    run_cli("check", cwd=org)  # every file's result cached
    for name in _CROSS_FILE_ORG:
        file = f"teams/{name}"
        # A People file named brings in the whole org (every file may depend on it).
        expected = whole if name == "people.yaml" else {file: whole.get(file, [])}
        expected = {k: v for k, v in expected.items() if v}
        assert by_file(file) == expected, file
        (org / file).write_text((org / file).read_text() + "# edited\n")
        assert by_file(file) == expected, file
        assert by_file(file) == expected, file  # and served whole from its report


def test_a_warm_run_writes_its_kept_report_as_the_same_bytes(tmp_path):
    # A whole process (a real stdout with a buffer), so that the kept bytes are written
    # as they are: the same bytes as the run that rendered them, to stdout and to a file.
    _org(tmp_path)
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    (tmp_path / "teams" / "\ud55c.yaml").write_text(team("c", 10))  # Hangul: 0xED...
    env = {**os.environ, "ORGLINT_CACHE_DIR": str(tmp_path / "c"), "PYTHONUTF8": "1"}
    env.pop("GITHUB_ACTIONS", None)

    def run(*args: str) -> tuple[int, bytes]:
        done = subprocess.run([sys.executable, "-m", "orglint", "check", *args], cwd=tmp_path,
                              env=env, capture_output=True)
        return done.returncode, done.stdout

    for args in (("--output-format", "json"), ("teams/a.yaml",), ("teams/\ud55c.yaml",)):
        cold = run("--no-cache", *args)
        assert cold[0] == 1 and b"ORG301" in cold[1], args
        assert [run(*args) for _ in range(3)] == [cold] * 3, args
        out = tmp_path / "report.out"
        run("--no-cache", "--output-file", str(out), *args)
        expected = out.read_bytes()
        for _ in range(2):
            out.unlink()
            run("--output-file", str(out), *args)
            assert out.read_bytes() == expected


def test_a_kept_report_is_written_as_bytes_only_where_they_are_what_its_text_gives():
    import io

    from orglint import cache
    from orglint.cli import _as_written

    kept = cache.KeptReport(b"head\ntext \xc3\xa9\n", 5, 1, "s")
    assert kept.text == "text \u00e9\n"

    class Stream(io.TextIOWrapper):
        pass

    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert bytes(_as_written(kept, utf8)) == "text \u00e9\n".encode()
    assert _as_written(kept, io.TextIOWrapper(io.BytesIO(), encoding="latin-1")) is None
    assert _as_written(kept, io.StringIO()) is None  # no buffer: written as text
    assert _as_written(cache.Report("x", 0, "s"), utf8) is None
    surrogate = cache.KeptReport(b"h\n" + "\udcff".encode("utf-8", "surrogatepass"), 2, 1, "s")
    assert surrogate.utf8() is None and surrogate.text == "\udcff"


def test_old_settings_leave_the_cache_and_nothing_else_does(run_cli, tmp_path):
    # Every configuration (and every orglint version) has a results folder of its own;
    # past a few, the oldest go, with only orglint's files in them, never through a link.
    _org(tmp_path)
    cache = tmp_path / ".cache"
    made: list[tuple[Path, int]] = []
    for n, code in enumerate(["ORG301", "ORG101", "ORG102", "ORG103", "ORG104", "ORG105"]):
        (tmp_path / ".orglint.yaml").write_text(f"paths: ['teams/*.yaml']\nselect: [{code}]\n")
        findings(run_cli, tmp_path)
        new = [f for f in cache.glob("v3-*") if f not in {m for m, _ in made}]
        assert len(new) == 1
        when = 10**9 * (1000 + n)  # mtimes in the order the folders were made
        os.utime(new[0], ns=(when, when))
        made.append((new[0], when))
    # The sixth configuration's first run removed the first's folder: four others kept.
    assert not made[0][0].exists() and len(list(cache.glob("v3-*"))) == 5
    second = made[1][0]
    (second / "notes.txt").write_text("someone else's")
    os.utime(second, ns=(made[1][1],) * 2)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "pack").write_text("not orglint's to delete")
    os.utime(outside, ns=(1, 1))
    (cache / "v3-0123456789abcdef").symlink_to(outside)
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\nselect: [ORG106]\n")
    findings(run_cli, tmp_path)
    assert sorted(os.listdir(second)) == ["notes.txt"]  # its pack gone, the rest kept
    assert (outside / "pack").read_text() == "not orglint's to delete"
    real = [f for f in cache.glob("v3-*") if not f.is_symlink()]
    assert len(real) == 1 + 4 + 1  # the run's, the four newest others, the one kept
    # The newest settings still answer from the cache.
    assert findings(run_cli, tmp_path) == []


def test_the_run_key_hashes_each_file_as_before():
    # One update of the joined bytes: the same key as an update per part, so a report
    # kept before is still found.
    from orglint import hashing
    from orglint.cache import code_digest, run_key

    files = [(True, "a.yaml", b"\x01" * 16), (False, "b/\udcff.yaml", b"\x02" * 16)]
    digest = hashing.blake2b(digest_size=20)
    digest.update(repr((code_digest(), ("f",))).encode())
    for named, display, content in files:
        digest.update(b"\0N" if named else b"\0O")
        digest.update(display.encode("utf-8", "surrogateescape"))
        digest.update(content)
    assert run_key(("f",), [], iter(files), 100) == digest.hexdigest()


def test_the_usual_team_rows_read_in_line_are_the_general_paths():
    import copy

    import pytest

    from orglint.fileresult import _team_fact_in, _teams_here

    here = [1, 2, 1, 9, 0]
    rows = [["a", here, None, None, "Team", "@ml-engineer training-code"],
            ["b", here, "p", here, "Group", ""],
            ["c", ["x.yaml", 1, 2, 1, 9, 0], "p", here, "Team", ""],  # a place elsewhere
            ["d", here, "p", ["y.yaml", 3, 1, 3, 2, 1], "Team", "+eval-gate"]]
    assert _teams_here(copy.deepcopy(rows), "t.yaml") == \
        [_team_fact_in(row, "t.yaml") for row in copy.deepcopy(rows)]
    for foreign in (["a", here, None, None, ""], ["a", here, 7, None, "Team", ""],
                    ["a", [1, 2, 1, 9], None, None, "Team", ""],
                    [1, here, None, None, "Team", ""],
                    ["a", here, None, [1, 2, "x", 9, 0], "Team", ""], "a",
                    ["a", [1, 2, 1, 9, True], None, None, "Team", ""],
                    ["a", here, None, None, "Team"],  # the layout before the team's cover
                    ["a", here, None, None, "Team", ["@ml-engineer"]]):
        with pytest.raises(ValueError):
            _teams_here([copy.deepcopy(foreign)], "t.yaml")


def test_a_pack_is_read_up_to_its_index_and_its_texts_only_when_one_is_decoded(
        tmp_path, monkeypatch):
    from orglint import cache
    from orglint.fileresult import LAYOUT, encode, to_entry

    monkeypatch.setattr(cache, "secret", lambda: b"k" * 32)
    folder = tmp_path / "cache"
    results = {}
    for i in range(3):
        result = _full_result()
        result.file = f"t{i}.yaml"
        result.facts.has_people = False  # its person facts wanted only if named
        result.skipped = ["x" * 700_000]  # in the rest text: a pack of 2 MB
        results[f"k{i}"] = result
    writer = cache.Cache.open(folder, "d")
    writer.put_many(results.items())
    writer.close()
    pack = next(folder.glob("v3-d/pack"))
    assert pack.stat().st_size > 2_000_000
    preads: list[int] = []
    real = os.pread
    monkeypatch.setattr(cache.os, "pread", lambda fd, n, at: preads.append(n) or real(fd, n, at))

    def reader() -> cache.Cache:
        return cache.Cache.open(folder, "d")

    # The facts of a file not reported: the index alone, no text read.
    store = reader()
    facts = store.get("k2", frozenset({"ORG002"}), {"nobody"})
    assert facts is not None and facts.facts.teams == results["k2"].facts.teams
    assert preads == []
    # A whole result: the rest of the file read once, each text checked by its MAC.
    assert encode(store.get("k2")) == encode(results["k2"])
    assert encode(store.get("k0")) == encode(results["k0"])
    assert len(preads) == 1 and preads[0] < pack.stat().st_size
    store.close()
    # A text changed in place after the index was read fails its MAC: the entry is
    # refused (checked again), never served.
    store = reader()
    assert store.get("k1", frozenset({"ORG002"}), {"nobody"}) is not None
    raw = pack.read_bytes()
    with open(pack, "r+b") as handle:
        handle.seek(len(raw) - 10)
        handle.write(b"y" * 10)
    assert store.get("k2") is None
    store.close()
    # A pack folded again reads its texts first: the new pack serves every entry.
    pack.write_bytes(raw)
    store = reader()
    store.entries = None
    store._entries()
    store.added = {"k9": to_entry(_full_result())}
    store.deltas = ["x"] * cache.Cache.DELTAS  # past the deltas: a new pack
    store._close()
    for texts in store._texts:
        texts.close()
    assert encode(reader().get("k1")) == encode(results["k1"])
    assert LAYOUT.startswith("results-")


POLICY = """\
apiVersion: orglint/v1
kind: Policy
metadata: {{name: p}}
spec:
  rules:
    - code: ACME001
      name: small-teams
      target: team
      expression: "team.spec.members.size() < {limit}"
"""


@pytest.mark.parametrize("edited", ["policy", "team"])
def test_a_file_read_again_after_gathering_and_edited_keeps_no_report(
        run_cli, tmp_path, monkeypatch, edited):
    # Each check uses the bytes gathering hashed, but the policies, the org's view (the
    # markdown and HTML reports) and Backstage read their files again.  A file edited in
    # between must not leave a report kept under the digest of what it was before: put
    # back, that report would be served for content it was not made from.
    from orglint import files

    _org(tmp_path)
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\n")
    policy = tmp_path / "teams" / "policy.yaml"
    policy.write_text(POLICY.format(limit=1))  # every team fails
    args = ["check", ".", "--output-format", "markdown" if edited == "team" else "json"]
    target = policy if edited == "policy" else tmp_path / "teams" / "b.yaml"
    before = target.read_text()
    after = (POLICY.format(limit=9) if edited == "policy"
             else team("b", 30).replace("data-scientist", "platform-engineer"))
    truth = run_cli(*args, "--no-cache").out
    real = files.gather

    def gather_then_edit(*a: object, **k: object) -> files.Gathered:
        gathered = real(*a, **k)  # type: ignore[arg-type]
        target.write_text(after)
        return gathered

    monkeypatch.setattr(files, "gather", gather_then_edit)
    run_cli(*args)  # gathered the old text, read the new one
    monkeypatch.setattr(files, "gather", real)
    target.write_text(before)
    assert run_cli(*args).out == truth


def test_a_folder_in_place_of_a_pack_is_ignored(run_cli, tmp_path):
    # A pack's file is opened before it is known to be a regular file: a folder there
    # must read as no pack, not end the run.
    _org(tmp_path)
    (tmp_path / "teams" / "b.yaml").write_text(team("b", 50))
    truth = findings(run_cli, tmp_path, "--no-cache")
    assert findings(run_cli, tmp_path) == truth
    packs = [p for p in (tmp_path / ".cache").rglob("pack") if p.is_file()]
    assert packs, "the first run wrote a pack"
    for pack in packs:
        pack.unlink()
        pack.mkdir()
    (tmp_path / "teams" / "a.yaml").write_text(team("a", 61))  # not the kept report
    assert len(findings(run_cli, tmp_path)) == 1


def test_a_configured_policy_edited_during_the_run_keeps_no_report(run_cli, tmp_path,
                                                                   monkeypatch):
    # The run's key takes the configured policy files' text before the plan reads them:
    # a file edited in between must not leave its report kept under the text before.
    from orglint import cache

    _org(tmp_path)
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\npolicies: [acme.yaml]\n")
    policy = tmp_path / "acme.yaml"
    policy.write_text(POLICY.format(limit=1))
    args = ["check", "teams", "--output-format", "json"]
    truth = run_cli(*args, "--no-cache").out
    assert "ACME001" in truth
    real = cache.run_key

    def key_then_edit(*a: object, **k: object) -> str:
        key = real(*a, **k)  # type: ignore[arg-type]
        policy.write_text(POLICY.format(limit=9))
        return key

    monkeypatch.setattr(cache, "run_key", key_then_edit)
    assert "ACME001" not in run_cli(*args).out  # keyed by limit=1, run with limit=9
    monkeypatch.setattr(cache, "run_key", real)
    policy.write_text(POLICY.format(limit=1))
    assert run_cli(*args).out == truth


@pytest.mark.parametrize("package", ["yaml", "jsonschema_rs", "cel_expr_python"])
def test_an_upgrade_of_a_package_orglint_checks_with_is_a_new_cache(tmp_path, monkeypatch,
                                                                     package):
    # PyYAML, jsonschema-rs or the policy engine upgraded in place (the same folder, the
    # same orglint) may say other things: results and replays of the old one are not
    # served.  The package is found as Python would import it, without importing it.
    from orglint.cache import code_digest
    from orglint.replay import code_files

    fake = tmp_path / package
    fake.mkdir()
    if package != "cel_expr_python":  # that one is a namespace package
        (fake / "__init__.py").write_text("")
    (fake / "cel.so").write_bytes(b"\0" * 10)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert (str(fake / "cel.so"), False) in code_files()
    code_digest.cache_clear()  # worked out once per process
    before = code_digest()
    (fake / "cel.so").write_bytes(b"\0" * 11)
    code_digest.cache_clear()
    assert code_digest() != before
    code_digest.cache_clear()


def test_a_stray_folder_named_like_a_namespace_package_is_not_walked(tmp_path, monkeypatch):
    # cel_expr_python has no __init__.py: a folder of that name anywhere on sys.path (the
    # current folder under `python -m`) is part of it, but only the one holding the
    # module orglint imports counts, and a big stray one is never walked at each run.
    from orglint.replay import code_files

    stray = tmp_path / "cel_expr_python"
    stray.mkdir()
    (stray / "notes.txt").write_text("not the engine\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not any(path.startswith(str(stray)) for path, _ in code_files())
