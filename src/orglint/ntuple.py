"""``typing.NamedTuple`` without its cost at import.

Under ``from __future__ import annotations`` every field's annotation is a string, and
``typing.NamedTuple`` turns each into a ``ForwardRef``, which compiles it: about 20 µs a
field, and orglint's check path defines nearly 300 fields, so 6 ms of every run's start
(a one-file check takes about 80 ms).  Nothing at run time reads those ForwardRefs:
``typing.get_type_hints`` (rule options) evaluates plain strings the same way.  So the
classes are made as ``typing.NamedTuple`` makes them, by ``collections.namedtuple``
with the class body's methods and attributes added, minus that step; the annotations
stay the strings the class body wrote.  Type checkers see ``typing.NamedTuple`` itself.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    # The names typing.NamedTuple refuses or keeps for itself (CPython 3.11-3.13).
    _PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__",
                             "_fields", "_field_defaults", "_make", "_replace", "_asdict",
                             "_source"})
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _Maker(type):
        def __new__(cls, typename: str, bases: tuple[type, ...],
                    ns: dict[str, Any]) -> type:
            if bases != (_Base,):
                raise TypeError("a NamedTuple can only inherit from NamedTuple")
            fields = ns.get("__annotations__", {})
            defaults: list[str] = []
            for name in fields:
                if name in ns:
                    defaults.append(name)
                elif defaults:
                    raise TypeError(f"Non-default namedtuple field {name} cannot follow"
                                    f" the default field {defaults[-1]}")
            made = collections.namedtuple(typename, list(fields),  # type: ignore[misc]
                                          defaults=[ns[n] for n in defaults],
                                          module=ns["__module__"])
            made.__annotations__ = made.__new__.__annotations__ = dict(fields)
            for key, value in ns.items():
                if key in _PROHIBITED:
                    raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
                if key not in _SPECIAL and key not in made._fields:
                    setattr(made, key, value)
            return made

    _Base = type.__new__(_Maker, "NamedTuple", (), {})

    def NamedTuple(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("orglint's NamedTuple is used as a base class only")

    NamedTuple.__mro_entries__ = lambda bases: (_Base,)
