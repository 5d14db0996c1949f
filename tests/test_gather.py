"""Gathering an org's files: the Paths made for them are pathlib's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from orglint.files import _file_path, configured


def test_a_globbed_file_is_the_path_pathlib_would_make(tmp_path):
    parents: dict[str, Path] = {}
    for name in (f"{tmp_path}/teams/a.yaml", f"{tmp_path}/teams/b.yaml", "/top.yaml",
                 f"{tmp_path}//teams/c.yaml", f"{tmp_path}/teams/../d.yaml"):
        key = name if "//" not in name and "/." not in name else "not the same text"
        made, plain = _file_path(name, key, parents), Path(name)
        assert (made, str(made), made.parts, hash(made), made.parent, made.name) == \
            (plain, str(plain), plain.parts, hash(plain), plain.parent, plain.name)
    assert list(parents) == [f"{tmp_path}/teams", "/"]  # one folder Path made per folder


def test_configured_gives_each_file_once_as_pathlib_names_it(tmp_path):
    (tmp_path / "teams").mkdir()
    for name in ("b.yaml", "a.yaml", "c.yml", "notes.txt"):
        (tmp_path / "teams" / name).write_text("kind: Team\n")
    found = configured(["teams/*.yaml", "teams/*", "teams/a.yaml"], root=tmp_path,
                       exclude=[], skipped=[], cwd=tmp_path)
    assert [str(p) for p in found] == [str(tmp_path / "teams" / n)
                                       for n in ("a.yaml", "b.yaml", "c.yml")]
    assert found == [tmp_path / "teams" / n for n in ("a.yaml", "b.yaml", "c.yml")]


def test_gathering_an_org_works_out_each_identity_once_and_lists_it_as_before(
        tmp_path, monkeypatch):
    # A warm run is mostly this walk: per file, one identity and no posixpath call, no
    # fnmatch lookup per name, the fence asked once per folder.  (isabs is not counted:
    # the suite's audit hook calls it at every open.)  Counted on 30 files,
    # then 60: what does not grow is not done per file.
    import fnmatch
    import posixpath

    from orglint import confine, files
    from orglint.config import load_settings

    (tmp_path / "teams").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "teams" / ".hidden.yaml").write_text("kind: Team\n")
    (tmp_path / "teams" / "notes.txt").write_text("")
    (tmp_path / ".orglint.yaml").write_text("paths: ['teams/*.yaml']\ncache: false\n")
    settings = load_settings(cwd=tmp_path, config=None, no_config=False)
    calls: dict[str, int] = {}

    def counted(owner, name):
        real = getattr(owner, name)

        def wrapper(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return real(*args, **kwargs)
        monkeypatch.setattr(owner, name, wrapper)

    for owner, name in ((files, "_identity_text"), (files, "identity"),
                        (posixpath, "split"),
                        (posixpath, "dirname"), (posixpath, "basename"),
                        (fnmatch, "fnmatchcase"), (confine.Fence, "refuse"),
                        (confine.Fence, "holds")):
        counted(owner, name)
    counts = []
    for size in (30, 60):
        for i in range(size):
            (tmp_path / "teams" / f"t{i:02}.yaml").write_text("kind: Team\n")
        calls.clear()
        gathered = files.gather(settings, [], cwd=tmp_path)
        assert [s.display for s in gathered.named] == [f"teams/t{i:02}.yaml"
                                                      for i in range(size)]
        counts.append(dict(calls))
    # At most once per file (a plain file's absolute, normal name is its identity, seen
    # in line), and nothing else grows with the org.
    assert counts[0].pop("_identity_text", 0) <= 30
    assert counts[1].pop("_identity_text", 0) <= 60
    assert counts[0] == counts[1]
    named = files.gather(settings, ["teams/t03.yaml"], cwd=tmp_path)
    assert [s.display for s in named.named] == ["teams/t03.yaml"]
    assert [e.source.display for e in named.entries][:4] == \
        ["teams/t03.yaml", "teams/t00.yaml", "teams/t01.yaml", "teams/t02.yaml"]
    assert len(named.entries) == 60


def test_the_stat_index_gives_back_the_entry_it_recorded(tmp_path):
    import os

    from orglint.files import Entry, Source, StatIndex, content_digest

    path = tmp_path / "a.yaml"
    path.write_text("kind: Team\n")
    old = 10**9
    os.utime(path, ns=(old, old))
    info = os.stat(path)
    index = StatIndex(None, {}, 10**18)
    source = Source(path, "a.yaml")
    entry = Entry(source, content_digest(path.read_bytes()), True)
    index.record(str(path), info, entry)
    back = index.lookup(source, str(path), info)
    assert back == entry and type(back) is Entry and back.stdin is None
    times = {f: getattr(info, f) for f in ("st_atime_ns", "st_mtime_ns", "st_ctime_ns")}
    for at in (6, 1, 2):  # size, inode, device
        values = list(info[:10])
        values[at] += 1
        assert index.lookup(source, str(path), os.stat_result(values, times)) is None, at
    for field in ("st_mtime_ns", "st_ctime_ns"):
        moved = os.stat_result(list(info[:10]), {**times, field: times[field] + 1})
        assert index.lookup(source, str(path), moved) is None, field


def test_a_stat_index_entry_is_one_string_and_anything_else_only_costs_a_read(tmp_path):
    import os
    import struct

    from orglint.files import Entry, Source, StatIndex, content_digest

    path = tmp_path / "a.yaml"
    path.write_text("kind: Team\n")
    os.utime(path, ns=(10**9, 10**9))
    info = os.stat(path)
    source = Source(path, "a.yaml")
    entry = Entry(source, content_digest(path.read_bytes()), False)
    index = StatIndex(None, {}, 10**18)
    index.record("a", info, entry)
    good = index.entries["a"]
    assert type(good) is str and good.endswith(entry.digest.hex() + "0")
    assert index.lookup(source, "a", info) == entry
    # The status is packed, not printed: no decimal conversion either way. (A
    # substring test on the decimal is not enough: hex digits can spell it by chance.)
    packed = struct.pack("<qqqQQ", info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                         info.st_ino, info.st_dev)
    assert good == packed.hex() + entry.digest.hex() + "0"
    stamp, digest = good[:-33], good[-33:-1]
    for foreign in (good[:-1] + "2", good + "0", good[:-2], stamp + " " * 30 + "ab0",
                    stamp + digest[:-2] + " a0", stamp + "zz" + digest[2:] + "0",
                    [1, 2, 3], None, 7):
        index.entries["a"] = foreign
        assert index.lookup(source, "a", info) is None, foreign
    # A status that does not fit five 64-bit numbers is never recorded nor trusted.
    huge = os.stat_result(list(info[:10]), {"st_atime_ns": 0, "st_mtime_ns": 2**70,
                                            "st_ctime_ns": 0})
    index = StatIndex(None, {}, 2**80)
    index.record("a", huge, entry)
    assert index.entries == {} and not index.changed
    index.entries["a"] = good
    assert index.lookup(source, "a", huge) is None


def test_the_stat_index_is_written_again_only_when_that_spares_more_than_it_costs(
        tmp_path, monkeypatch):
    import os
    import time

    from orglint import files
    from orglint.config import Settings

    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(tmp_path / "cache"))
    org = tmp_path / "org"
    org.mkdir()
    old = time.time() - 200
    for i in range(40):
        (org / f"t{i:02}.yaml").write_text(f"kind: Team\n# {'x' * 300}\n")
        os.utime(org / f"t{i:02}.yaml", (old, old))
    settings = Settings(root=org, paths=["*.yaml"])
    reads: list[str] = []
    real = files.read_limited

    def counting(path, limit):
        reads.append(Path(path).name)
        return real(path, limit)

    monkeypatch.setattr(files, "read_limited", counting)
    writes: list[int] = []
    monkeypatch.setattr(files.StatIndex, "save", lambda self, real=files.StatIndex.save: (
        writes.append(self.read_bytes), real(self))[1])
    index = tmp_path / "cache" / "index" / "stat-index.json"

    def gathered() -> list[bytes]:
        reads.clear()
        return [e.digest for e in files.gather(settings, [], cwd=org).entries]

    first = gathered()
    assert len(reads) == 40 and index.exists()
    written = index.read_bytes()
    assert gathered() == first and reads == []
    # One small file edited: rewriting 40 entries would cost more than reading it again.
    (org / "t07.yaml").write_text(f"kind: Team\n# {'y' * 300}\n")
    os.utime(org / "t07.yaml", (old + 1, old + 1))
    second = gathered()
    assert reads == ["t07.yaml"] and second != first and index.read_bytes() == written
    assert gathered() == second and reads == ["t07.yaml"]  # read again, nothing else
    # Most of the org edited (a checkout): written again, and trusted next run.
    for i in range(30):
        (org / f"t{i:02}.yaml").write_text(f"kind: Team\n# {'z' * 300}\n")
        os.utime(org / f"t{i:02}.yaml", (old + 2, old + 2))
    third = gathered()
    assert len(reads) == 30 and index.read_bytes() != written
    assert gathered() == third and reads == []
    assert writes[0] == 40 * len(f"kind: Team\n# {'x' * 300}\n")


@pytest.mark.parametrize("paths", [["teams/*.yaml"], ["teams/*.yaml", "more"],
                                   ["more", "teams/*.yaml"]])
def test_a_file_reached_twice_is_gathered_once_in_the_first_place_it_was_found(
        tmp_path, paths):
    # A hard link and a symbolic link to one file, beside it and in a folder walked: the
    # first name in the order the globs give is the file's, whichever path found it.
    import os

    from orglint.config import load_settings
    from orglint.files import gather

    (tmp_path / "teams").mkdir()
    (tmp_path / "more").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("a", "d"):
        (tmp_path / "teams" / f"{name}.yaml").write_text("kind: Team\n")
    os.link(tmp_path / "teams" / "a.yaml", tmp_path / "teams" / "b.yaml")
    (tmp_path / "teams" / "c.yaml").symlink_to(tmp_path / "teams" / "a.yaml")
    os.link(tmp_path / "teams" / "d.yaml", tmp_path / "more" / "d2.yaml")
    (tmp_path / "more" / "e.yaml").write_text("kind: Team\n")
    (tmp_path / ".orglint.yaml").write_text(f"paths: {paths}\ncache: false\n")
    settings = load_settings(cwd=tmp_path, config=None, no_config=False)
    got = [s.display for s in gather(settings, [], cwd=tmp_path).named]
    if paths[0] == "more":
        assert got == ["more/d2.yaml", "more/e.yaml", "teams/a.yaml"]
    else:
        assert got == ["teams/a.yaml", "teams/d.yaml", *(["more/e.yaml"] if
                                                        len(paths) > 1 else [])]


@pytest.mark.parametrize(("raw", "declared"), [
    (b"kind: People\n", True),
    (b"# kind: People\n", False),
    (b"kind: Team  # its people are in people.yaml (kind: People)\n", False),
    (b"#kind: People\n", False),
    (b"  # kind: People\nkind: Team\n", False),
    (b'{"apiVersion": "orglint/v1", "kind": "People"}\n', True),
    (b'{\n  "kind": "People",\n', True),
    (b'{metadata: {title: "team #1"}, kind: People, spec: {people: [\n', True),
    (b"# the org's people\rapiVersion: orglint/v1\rkind: People\rspec:\r", True),
    (b"description: 'kind: People is elsewhere'\nkind: Team\n", False),
    (b'description: "kind: People \\" x"\nkind: Team\n', False),
    (b"title: Ann's team  # kind: People\n", False),
    (b"title: 'Ann''s # x'\nkind: People\n", True),
    (b"a: b#c kind: People\n", False),
    (b"kind: 'People'\n", True),
    (b"- 'kind': People\n", False),
    (b"x: 'never closed, kind: People\nkind: Team\n", False),
    # Found by review: a quote inside a plain value opens nothing, and only a key
    # declares (not a word of a block of text, a value, or another key).
    (b"{spec: {m: rock 'n roll}, kind: People}\n", True),
    (b"a: x-'y kind: People\n", False),
    (b"metadata:\n  description: |\n    See the docs; kind: People files live here.\n", False),
    (b"labels: {policy-kind: People}\n", False),
    (b"title: follows the kind: People of the org\n", False),
    # Of a file that lost a document, only a top-level key counts: an indented one may
    # be a line of a block of text (found by review), and a file read whole is judged
    # by what it holds, not by this.
    (b"---\n  apiVersion: orglint/v1\n  kind: People\n", False),
    (b"metadata:\n  labels:\n    note: |\n      kind: People\nspec: [\n", False),
    (b"\xef\xbb\xbfkind: People\n", True),
    (b"kind:\n  People\n", True),
    (b'{"metadata":{"title":"team #1"},"kind":"People"}', True),
    (b'{"a":"x, \'y","kind":"People"}', True),
    (b"[{kind: People}]\n", True),
])
def test_a_kind_is_declared_outside_comments_and_quoted_values(raw, declared):
    from orglint.files import declares

    assert declares(raw, b"People") is declared


@pytest.mark.parametrize("raw", [
    b'"\\' * 1_000_000 + b"kind: People", b"#" * 2_000_000 + b"\nkind: People",
    b"kind: People # " * 150_000, b"'" * 2_000_000 + b" kind: People",
    b"{kind: People, " * 150_000, b"\n  kind: Team" * 150_000 + b"\nkind: People",
    # Many candidates on one line inside a comment or a quote left open (found by review:
    # each looked back to the start of the line, and copied the rest of it).
    b"# " + b",kind: People" * 150_000, b"a: '" + b",kind: People" * 150_000,
    b'"kind: People" ' * 150_000, b"\n# kind: People" * 150_000,
])
def test_looking_for_a_declared_kind_is_linear_on_hostile_bytes(raw):
    # Each byte is looked at a bounded number of times: these 2 MB files take a few
    # hundredths of a second each (a quadratic scan, hours).
    import time

    from orglint.files import declares

    started = time.process_time()
    declares(raw, b"People")
    assert time.process_time() - started < 2.0


def test_the_kind_prefilters_are_linear_on_a_run_of_tags():
    # A tag or an anchor may come before the kind's value; '!kind:' is no tag (found by
    # review: each `kind` of a run of them scanned all those after it, and a 112 KB file
    # took 20 s).
    import time

    from orglint.files import PEOPLE_RE
    from orglint.policy.find import POLICY_RE

    for raw in (b"kind: " + b"!kind: " * 150_000, b"kind: " + b"!<-kind:" * 150_000,
                # A verbatim tag is also a tag of the other form: tried both ways at
                # each, a run of them was exponential.
                b"kind: " + b"!<a> " * 200_000 + b"x"):
        for pattern in (PEOPLE_RE, POLICY_RE):
            started = time.process_time()
            assert pattern.search(raw) is None
            assert time.process_time() - started < 2.0
    assert PEOPLE_RE.search(b"kind: !!str People") and POLICY_RE.search(b"kind: &k Policy")
    assert POLICY_RE.search(b"kind: !<tag:yaml.org,2002:str> Policy")
