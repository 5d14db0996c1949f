"""Gathering an org's files: the Paths made for them are pathlib's own."""

from __future__ import annotations

from pathlib import Path

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
