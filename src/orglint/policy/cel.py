"""The one module that knows the CEL engine (``cel-expr-python``, Google's cel-cpp).

The rest of orglint sees ``compile_expression``, ``Program``, ``activation`` and
``Shared`` only, so another engine can replace this one.  What orglint relies on is pinned by
``tests/test_policy_cel.py``: errors as ``<input>:LINE:COL: message``, a type checker that
knows a bool from an int, run-time errors as values (never a pass), ``cel.bind`` for
rule variables, and the engine's own bounds (nesting depth 32, an iteration budget per
evaluation).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from functools import cache
from typing import Any

from orglint.ntuple import NamedTuple

MAX_EXPRESSION = 4000  # characters: a policy is reviewed by people, not generated

_POSITION = re.compile(r"<input>:(-?\d+):(-?\d+): (.*)")


class CompileError(Exception):
    """An expression that does not compile; ``line``/``column`` are 1-based, inside it."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class Outcome(NamedTuple):
    value: Any  # a plain Python value when ``error`` is None
    error: str | None


def _extensions() -> list[Any]:
    """``cel.bind``, and the string functions Kubernetes' CEL has (``lowerAscii``,
    ``split``, ``join``, ``replace``, ``trim``, ``indexOf``, ``substring``...)."""
    from cel_expr_python.ext.ext_bindings import ExtBindings  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from cel_expr_python.ext.ext_strings import ExtStrings  # type: ignore[import-untyped, import-not-found, unused-ignore]

    return [ExtBindings(), ExtStrings()]


@cache
def _env(names: tuple[str, ...]) -> Any:
    from cel_expr_python import cel  # type: ignore[import-untyped, import-not-found, unused-ignore]

    return cel.NewEnv(variables={name: cel.Type.DYN for name in names},
                      extensions=_extensions())


def activation(names: tuple[str, ...], data: Mapping[str, Any]) -> Any:
    """The inputs converted once, to be shared by every rule of one target."""
    return _env(names).Activation(data=data)


# What ``orglint.target()`` returns in the evaluation under way.  The engine converts an
# activation's inputs on first use and keeps them, but a converted value cannot be put
# into another activation: so the org is given once, and each evaluation learns which
# part of it it is about from this function (a few keys), instead of from a new input.
_TARGET: list[Any] = [None]


@cache
def _shared_env(names: tuple[str, ...]) -> Any:
    from cel_expr_python import cel  # type: ignore[import-untyped, import-not-found, unused-ignore]

    # Declared here only: a policy's own expressions cannot call it.
    target = cel.FunctionDecl("orglint.target", [cel.Overload(
        "orglint_target", cel.Type.DYN, [], False, impl=lambda: _TARGET[0])])
    return cel.NewEnv(variables={name: cel.Type.DYN for name in names},
                      extensions=_extensions(), functions=[target])


class OnTarget(NamedTuple):
    """A shared activation and what one evaluation on it is about."""

    shared: Shared
    target: Any


class Shared:
    """Inputs converted once and read by many evaluations of programs compiled with
    ``compile_shared``, each told its target (``orglint.target()``) by ``on``."""

    conversions = 0  # how many were built: a test counts them, not time

    def __init__(self, names: tuple[str, ...], data: Mapping[str, Any]) -> None:
        Shared.conversions += 1
        self.activation = _shared_env(names).Activation(data=data)

    def on(self, target: Any) -> OnTarget:
        return OnTarget(self, target)


def compile_shared(source: str, names: tuple[str, ...]) -> Program:
    """Compile an expression orglint put together from checked ones, for ``Shared``."""
    return _compile(_shared_env(names), source)


def compile_wrapped(source: str, names: tuple[str, ...]) -> Program:
    """``compile_shared`` of a checked rule that orglint wrapped in its own bindings:
    one nested near the engine's limit may not compile once wrapped, and then each of
    its evaluations is that error (ORG903 on each target), never a crash or a pass."""
    try:
        return compile_shared(source, names)
    except CompileError as exc:
        return Failing(source, "once orglint binds the rule's target around it, the"
                       f" expression does not compile: {exc.message}")


def _compile(env: Any, source: str) -> Program:
    try:
        compiled = env.compile(source)
    except RuntimeError as exc:
        message, line, column = _first_error(str(exc))
        raise CompileError(message, line, column) from None
    return Program(compiled, source)


def _first_error(text: str) -> tuple[str, int, int]:
    for line in text.splitlines():
        found = _POSITION.search(line)
        if found is not None:
            return found[3].strip(), max(1, int(found[1])), max(1, int(found[2]))
    return _clean(text), 1, 1


def _clean(text: str) -> str:
    """The engine's status text without its code prefix and suffix."""
    text = text.strip().splitlines()[0] if text.strip() else text
    text = re.sub(r"^[A-Z_]+: ", "", text)
    text = re.sub(r" \[[A-Z_]+\]$", "", text)
    text = text.replace("ERROR: ", "")
    # The engine's words can quote a whole value (an org of 20,000 teams): a finding's
    # message stays a line, and a run's output linear in the org.
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " ..."


MAX_MESSAGE = 300


# Seconds this process has spent in the engine's evaluations and in ``fastpath``'s
# (``charge``): the policies' time budget (``compiled.Clock``) counts these, not the
# rest of the run around them.
_SPENT = [0.0]


def spent() -> float:
    return _SPENT[0]


def charge(seconds: float) -> None:
    """Count evaluations made without the engine (``fastpath``) in the same budget."""
    _SPENT[0] += seconds


class Program:
    """A compiled expression."""

    def __init__(self, compiled: Any, source: str) -> None:
        self._compiled = compiled
        self.source = source

    @property
    def result_type(self) -> str:
        """``bool``, ``string``, ``int``, ... or ``dyn`` when only a run can tell."""
        name: str = self._compiled.return_type().name()
        return name.lower()

    def evaluate(self, inputs: Any) -> Outcome:
        """Evaluate on an ``activation``, a mapping of inputs, or ``Shared.on(target)``."""
        start = time.monotonic()
        try:
            return self._evaluate(inputs)
        finally:
            _SPENT[0] += time.monotonic() - start

    def _evaluate(self, inputs: Any) -> Outcome:
        try:
            if isinstance(inputs, OnTarget):
                _TARGET[0] = inputs.target
                try:
                    value = self._compiled.eval(activation=inputs.shared.activation)
                finally:
                    _TARGET[0] = None
            elif isinstance(inputs, Mapping):
                value = self._compiled.eval(data=inputs)
            else:
                value = self._compiled.eval(activation=inputs)
            if value.type().name() == "ERROR":
                return Outcome(None, _clean(str(value.value())))
            # A value the engine built but Python cannot take (a string of gigabytes):
            # copying it out fails, as its building might have.
            return Outcome(value.plain_value(), None)
        except RuntimeError as exc:  # the engine's bounds: iteration budget, nesting
            return Outcome(None, _limit_message(str(exc)))
        except MemoryError:  # past the process's limit (``watchdog``): this target only
            return Outcome(None, "the evaluation needed more memory than a run allows")
        except TypeError:  # pybind11 could not convert the value (out of memory there)
            return Outcome(None, "the engine could not hand the evaluation's value back (a"
                           " value too large for memory?)")


class Failing(Program):
    """An expression the engine refused to compile, whose every evaluation is that."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(None, source)
        self.message = message

    @property
    def result_type(self) -> str:
        return "dyn"

    def _evaluate(self, inputs: Any) -> Outcome:
        return Outcome(None, self.message)


def _limit_message(text: str) -> str:
    cleaned = _clean(text)
    if "Iteration budget" in text:
        return ("the evaluation exceeded the CEL engine's iteration budget (about 10,000"
                " comprehension steps per evaluation)")
    return cleaned


def compile_expression(source: str, names: tuple[str, ...],
                       limit: int | None = MAX_EXPRESSION) -> Program:
    """Compile and type-check ``source`` with ``names`` declared as ``dyn`` variables
    (``limit=None``: an expression orglint put together from checked ones)."""
    if limit is not None and len(source) > limit:
        raise CompileError(f"expression too long ({len(source)} characters; at most"
                           f" {MAX_EXPRESSION})", 1, 1)
    return _compile(_env(names), source)
