"""Shared fixtures: an in-process CLI runner and a yamllint-style rule checker."""

from __future__ import annotations

import io
import os
import signal
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orglint.cli import main
from orglint.config import Settings
from orglint.engine import Request, plan, run
from orglint.findings import Finding

REPO = Path(__file__).resolve().parent.parent

# An org's own matrix: the built-in one plus a system of its own.
ACME_MATRIX = """\
apiVersion: orglint/v1
kind: RoleMatrix
metadata: {name: acme}
spec:
  extends: ai-platform
  systems:
    llm-gateway: {requires: [serving-runtime]}
"""


@contextmanager
def no_hang(seconds: int = 20) -> Iterator[None]:
    """A safety net, not a timing assertion: code that wrongly opens a FIFO for reading
    would block for ever; this turns the hang into a failure."""
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError("blocked on a FIFO")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def lines_run(work: Callable[[], object], where: str) -> int:
    """How many lines ran, of the code in files whose path starts with ``where``:
    counts work, not time (for pinning that work grows linearly)."""
    count = 0

    def local(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return local

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(where) else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        work()
    finally:
        sys.settrace(previous)
    return count


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The cache's secret key lives in the user's cache folder: keep the suite's own."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run ``orglint ARGS`` in-process (exceptions are not caught by the fixture)."""
    monkeypatch.setenv("ORGLINT_CACHE_DIR", str(tmp_path / ".cache"))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def invoke(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        old_stdin = sys.stdin
        if stdin is not None:
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
        try:
            with chdir(cwd or tmp_path), redirect_stdout(out), redirect_stderr(err):
                code = main(list(args))
        finally:
            sys.stdin = old_stdin
        return CliResult(code, out.getvalue(), err.getvalue())

    return invoke


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


class Linter:
    """yamllint's RuleTestCase as a pytest fixture: inline YAML in, (line, col, code) out."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path

    def findings(self, source: str, *, select: list[str] | None = None,
                 files: dict[str, str] | None = None, name: str = "team.yaml",
                 rule_options: dict[str, dict[str, object]] | None = None,
                 settings: Settings | None = None) -> list[Finding]:
        folder = self.tmp_path / "org"
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(dedent(source), encoding="utf-8")
        others = []
        for other, text in (files or {}).items():
            path = folder / other
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dedent(text), encoding="utf-8")
            others.append(other)
        if settings is None:
            settings = Settings(root=folder, select=select or ["ALL"], cache=False,
                                rule_options=rule_options or {})
            settings.paths = others
        result = run(plan(settings), Request([name], cwd=folder))
        return result.findings

    def check(self, source: str, *, expected: list[tuple[int, int, str]],
              select: list[str] | None = None, **kwargs: object) -> list[Finding]:
        found = self.findings(source, select=select, **kwargs)  # type: ignore[arg-type]
        got = [(f.line, f.column, f.code) for f in found]
        assert got == sorted(expected), (
            "\n" + dedent(source) + "\nexpected: " + repr(sorted(expected)) + "\ngot:\n"
            + "\n".join(f"  {f.line}:{f.column} {f.code} {f.message}" for f in found))
        return found


@pytest.fixture
def lint(tmp_path: Path) -> Linter:
    return Linter(tmp_path)


def at(source: str, token: str, nth: int = 1) -> tuple[int, int]:
    """(line, column), 1-based, of the nth occurrence of ``token`` in the dedented source."""
    text = dedent(source)
    index = -1
    for _ in range(nth):
        index = text.index(token, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


# -- hermetic tests ---------------------------------------------------------------------
# A fresh clone must pass alone, so no test may read beside the repository (the old
# shared corpora).  Every open() of this process is audited; one that lands in the
# repository's parent folder, outside the repository, the interpreter and the temporary
# folder, fails the session (and tests/test_hermetic.py checks the hook itself).

OUTSIDE_READS: list[str] = []
PARENT = os.path.dirname(REPO)
# What stood beside the repository before the session: a folder made during the session
# (tempfile.mkdtemp() when the clone itself sits in /tmp) is the tests' own, not shared
# data.
try:
    _BESIDE = frozenset(os.listdir(PARENT))
except OSError:
    _BESIDE = frozenset()
# Not the whole temporary folder: a clone may itself sit in /tmp.  pytest's own folders
# (pytest-of-USER, or --basetemp once the session knows it) are allowed.
_ALLOWED = [os.path.abspath(p) + os.sep for p in {
    str(REPO), sys.prefix, sys.base_prefix, sys.exec_prefix, *(p for p in sys.path if p)}
    if os.path.abspath(p) != PARENT]
_ALLOWED.append(os.path.join(tempfile.gettempdir(), "pytest-of-"))


@pytest.fixture(autouse=True, scope="session")
def _allow_pytest_temporary_folders(tmp_path_factory: pytest.TempPathFactory) -> None:
    _ALLOWED.append(str(tmp_path_factory.getbasetemp().parent) + os.sep)


def reads_outside(path: str) -> bool:
    """Whether opening ``path`` would read beside the repository."""
    full = os.path.abspath(path) + os.sep
    if not full.startswith(PARENT + os.sep) or full.startswith(tuple(_ALLOWED)):
        return False
    return full[len(PARENT) + 1:].split(os.sep, 1)[0] in _BESIDE


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event != "open" or not args or not isinstance(args[0], str | bytes | os.PathLike):
        return
    path = os.fsdecode(args[0])
    if reads_outside(path):
        OUTSIDE_READS.append(path)


sys.addaudithook(_audit)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if OUTSIDE_READS:
        print("\ntests read outside the repository (copy what they need into tests/data/):",
              *sorted(set(OUTSIDE_READS)), sep="\n  ", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
