"""PyYAML, imported without compiling the patterns orglint never uses.

``yaml.reader`` compiles, at import, a character class spanning all of Unicode for its
pure-Python reader: 57 M instructions, more than half of PyYAML's import and an eighth of
a one-file run.  Its resolver and constructor compile nine more (the implicit tags, the
timestamp: 11 M).  orglint parses with libyaml's bare parser and its own builder, which
use none of them; a PyYAML loader that does use one compiles it then (``lazyre``).
"""

from __future__ import annotations

from types import ModuleType

from orglint import lazyre
from orglint.lazyre import Deferred

__all__ = ["NON_PRINTABLE", "PATTERNS", "Deferred", "import_yaml"]

# Exactly the strings PyYAML 6 compiles (the same escapes, in non-raw literals), with
# their flags; tests/test_startup.py checks them against the installed PyYAML.
NON_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]"
_X = 64  # re.X, as re's cache keys it
PATTERNS = (
    (NON_PRINTABLE, 0),
    # yaml.constructor.SafeConstructor.timestamp_regexp
    ("^(?P<year>[0-9][0-9][0-9][0-9])\n                -(?P<month>[0-9][0-9]?)\n"
     "                -(?P<day>[0-9][0-9]?)\n                (?:(?:[Tt]|[ \\t]+)\n"
     "                (?P<hour>[0-9][0-9]?)\n                :(?P<minute>[0-9][0-9])\n"
     "                :(?P<second>[0-9][0-9])\n                (?:\\.(?P<fraction>[0-9]*))?\n"
     "                (?:[ \\t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)\n"
     "                (?::(?P<tz_minute>[0-9][0-9]))?))?)?$", _X),
    # yaml.resolver.Resolver's implicit resolvers: bool, float, int, merge, null,
    # timestamp, value, yaml.
    ("^(?:yes|Yes|YES|no|No|NO\n                    |true|True|TRUE|false|False|FALSE\n"
     "                    |on|On|ON|off|Off|OFF)$", _X),
    ("^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?\n"
     "                    |\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?\n"
     "                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*\n"
     "                    |[-+]?\\.(?:inf|Inf|INF)\n                    |\\.(?:nan|NaN|NAN))$",
     _X),
    ("^(?:[-+]?0b[0-1_]+\n                    |[-+]?0[0-7_]+\n"
     "                    |[-+]?(?:0|[1-9][0-9_]*)\n                    |[-+]?0x[0-9a-fA-F_]+\n"
     "                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$", _X),
    ("^(?:<<)$", 0),
    ("^(?: ~\n                    |null|Null|NULL\n                    | )$", _X),
    ("^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]\n"
     "                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?\n"
     "                     (?:[Tt]|[ \\t]+)[0-9][0-9]?\n"
     "                     :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?\n"
     "                     (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$", _X),
    ("^(?:=)$", 0),
    ("^(?:!|&|\\*)$", 0),
)


def import_yaml() -> ModuleType:
    """The ``yaml`` module, its unused patterns deferred if it is imported now."""
    return lazyre.import_deferring("yaml", PATTERNS)
