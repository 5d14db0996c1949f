"""Patterns a library compiles when it is imported and a run seldom uses, compiled at
their first use instead.

``re.compile`` looks a pattern up in ``re``'s cache by (type, text, flags) before it
compiles.  Before such an import, the cache is given, under each known pattern's key, a
stand-in that compiles the real pattern on first use; after it, the keys are taken back
out, so a later ``re.compile`` of the same text compiles it for real.  A library that
changes its pattern only misses the stand-in and compiles as before.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any, AnyStr, cast

Key = tuple[type, str | bytes, int]


class Deferred:
    """``re.compile(pattern, flags)``, compiled when first used."""

    # No __slots__: each attribute asked for (``match``, ``search``) is kept on the
    # instance once compiled, so later uses find it without ``__getattr__``.

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[Any] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            forget([(type(self._pattern), self._pattern, self._flags)])
            compiled = self._compiled = re.compile(self._pattern, self._flags)
        value = getattr(compiled, name)
        self.__dict__[name] = value
        return value


def deferred(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """A module's own pattern that few runs use, compiled when first used."""
    return cast("re.Pattern[AnyStr]", Deferred(pattern, flags))


def _caches() -> list[dict[Any, Any]]:
    # re._cache (and re._cache2 from Python 3.12) map (type, pattern, flags) to a pattern.
    found = [vars(re).get(name) for name in ("_cache", "_cache2")]
    return [cache for cache in found if isinstance(cache, dict)]


def forget(keys: Iterable[Key]) -> None:
    """Take the stand-ins under ``keys`` out of ``re``'s cache (not real patterns)."""
    for cache in _caches():
        for key in keys:
            if isinstance(cache.get(key), Deferred):
                del cache[key]


def import_deferring(name: str, patterns: Iterable[tuple[str, int]]) -> ModuleType:
    """Module ``name``, imported (if it is not yet) with ``patterns`` deferred."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    keys = [(str, pattern, flags) for pattern, flags in patterns]
    caches = _caches()
    if caches:
        for key in keys:
            caches[0].setdefault(key, Deferred(key[1], key[2]))
    try:
        __import__(name)
    finally:
        forget(keys)
    return sys.modules[name]
