"""PyYAML, imported without compiling the one pattern of it orglint never uses.

``yaml.reader`` compiles, at import, a character class spanning all of Unicode for its
pure-Python reader: 57 M instructions, more than half of PyYAML's import and an eighth of
a one-file run.  orglint parses with libyaml (``CSafeLoader``), which never uses it.  So
before the first import, ``re``'s cache is given, under that pattern's key, a stand-in
that compiles the real pattern on first use: a Python reader that is used still gets it.
"""

from __future__ import annotations

import re
import sys
from types import ModuleType
from typing import Any

# Exactly the string yaml/reader.py compiles (the same escapes, in a non-raw literal).
NON_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]"
_KEY = (str, NON_PRINTABLE, 0)


class Deferred:
    """``re.compile(NON_PRINTABLE)``, compiled when first used."""

    __slots__ = ("_compiled",)

    def __init__(self) -> None:
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            _forget()
            compiled = self._compiled = re.compile(NON_PRINTABLE)
        return getattr(compiled, name)


def _caches() -> list[dict[Any, Any]]:
    # re._cache (and re._cache2 from Python 3.12) map (type, pattern, flags) to a pattern.
    found = [vars(re).get(name) for name in ("_cache", "_cache2")]
    return [cache for cache in found if isinstance(cache, dict)]


def _forget() -> None:
    for cache in _caches():
        if isinstance(cache.get(_KEY), Deferred):
            del cache[_KEY]


def import_yaml() -> ModuleType:
    """The ``yaml`` module, its unused pattern deferred if it is imported now."""
    if "yaml" not in sys.modules:
        caches = _caches()
        if caches:
            caches[0].setdefault(_KEY, Deferred())
        try:
            import yaml
        finally:
            _forget()  # a later re.compile of the same text compiles it for real
    import yaml

    return yaml
