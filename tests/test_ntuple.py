"""orglint.ntuple.NamedTuple makes the classes typing.NamedTuple makes, minus the
ForwardRef each string annotation cost at import."""

from __future__ import annotations

import subprocess
import sys
import typing
from typing import Annotated

import pytest

from orglint.ntuple import NamedTuple
from orglint.options import Ge


class Ours(NamedTuple):
    """A span."""

    line: int
    name: str | None = None
    limit: Annotated[int, Ge(1)] = 3
    KIND = "span"

    @property
    def twice(self) -> int:
        return self.line * 2

    def shifted(self, by: int) -> Ours:
        return self._replace(line=self.line + by)


class Theirs(typing.NamedTuple):
    """A span."""

    line: int
    name: str | None = None
    limit: Annotated[int, Ge(1)] = 3
    KIND = "span"

    @property
    def twice(self) -> int:
        return self.line * 2

    def shifted(self, by: int) -> Theirs:
        return self._replace(line=self.line + by)


def test_the_class_is_what_typing_makes():
    ours, theirs = Ours(2), Theirs(2)
    assert Ours._fields == Theirs._fields == ("line", "name", "limit")
    assert Ours._field_defaults == Theirs._field_defaults == {"name": None, "limit": 3}
    assert tuple(ours) == tuple(theirs) == (2, None, 3)
    assert ours.twice == theirs.twice == 4 and ours.KIND == theirs.KIND == "span"
    assert ours.shifted(1) == Ours(3) and type(ours.shifted(1)) is Ours
    assert ours._asdict() == theirs._asdict() and Ours._make([1, "a", 2]) == (1, "a", 2)
    assert (Ours.__module__, Ours.__qualname__, Ours.__doc__) == (
        Theirs.__module__, "Ours", Theirs.__doc__)
    assert Ours.__mro__[1:] == Theirs.__mro__[1:] == (tuple, object)
    assert repr(ours) == "Ours(line=2, name=None, limit=3)"
    # Rule options are read through the type hints, Annotated extras included.
    assert typing.get_type_hints(Ours, include_extras=True) == typing.get_type_hints(
        Theirs, include_extras=True)


def test_what_typing_refuses_is_refused():
    with pytest.raises(TypeError, match="cannot follow"):
        class Bad(NamedTuple):
            a: int = 1
            b: int
    with pytest.raises(AttributeError, match="_replace"):
        class Worse(NamedTuple):
            a: int

            def _replace(self) -> None: ...
    with pytest.raises(TypeError):
        class Mixed(NamedTuple, dict):  # type: ignore[misc]
            a: int


def test_the_check_path_compiles_no_annotation_at_import():
    # Each ForwardRef compiled its string: about 6 ms of every run's start.
    probe = """
import typing
made = []
init = typing.ForwardRef.__init__
typing.ForwardRef.__init__ = lambda self, *a, **k: (made.append(a[0]), init(self, *a, **k))[1]
import orglint.cli, orglint.engine, orglint.fileresult, orglint.cache, orglint.reporters.text
import orglint.reporters.json_, orglint.reporters.sarif, orglint.policy.compiled
print(made)
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_new_is_renamed_from_one_template_per_field_count():
    # collections.namedtuple compiles a __new__ from source for each class (36 µs of
    # its 61); the classes here share one compiled template per number of fields.
    from orglint import ntuple

    class Two(NamedTuple):
        left: int
        right: str = "r"

    class AlsoTwo(NamedTuple):
        up: int
        down: int

    assert ntuple._TEMPLATES[2].co_varnames == ("_cls", "_0", "_1")
    assert Two.__new__.__code__.co_varnames == ("_cls", "left", "right")
    assert Two(1) == (1, "r") and Two(right="x", left=2) == (2, "x")
    assert AlsoTwo(down=4, up=3) == (3, 4) and type(AlsoTwo(1, 2)) is AlsoTwo
    assert Two.__new__.__qualname__ == "Two.__new__" and Two.__new__.__defaults__ == ("r",)
    with pytest.raises(TypeError, match="unexpected keyword argument 'middle'"):
        Two(1, middle=2)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'up'"):
        AlsoTwo(down=1)
