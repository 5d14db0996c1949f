"""``typing.NamedTuple`` without its cost at import.

Under ``from __future__ import annotations`` every field's annotation is a string, and
``typing.NamedTuple`` turns each into a ``ForwardRef``, which compiles it: about 20 µs a
field, and orglint's check path defines nearly 300 fields, so 6 ms of every run's start
(a one-file check takes about 80 ms).  Nothing at run time reads those ForwardRefs:
``typing.get_type_hints`` (rule options) evaluates plain strings the same way.  So the
classes are made as ``typing.NamedTuple`` makes them, as ``collections.namedtuple`` does,
with the class body's methods and attributes added, minus that step; the annotations
stay the strings the class body wrote.  Type checkers see ``typing.NamedTuple`` itself.

``collections.namedtuple`` compiles a small ``__new__`` from source for each class
(36 µs of its 61, for the 23 classes a pre-commit run defines); ``_namedtuple`` makes
the same class with the ``__new__`` of a template compiled once per number of fields,
its parameters renamed.
"""

from __future__ import annotations

import sys
from keyword import iskeyword
from operator import itemgetter
from types import CodeType, FunctionType
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
            made = _namedtuple(typename, tuple(fields), tuple(ns[n] for n in defaults),
                               ns["__module__"])
            made.__annotations__ = made.__new__.__annotations__ = dict(fields)
            for key, value in ns.items():
                if key in _PROHIBITED:
                    raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
                if key not in _SPECIAL and key not in made._fields:
                    setattr(made, key, value)
            return made

    _Base = type.__new__(_Maker, "NamedTuple", (), {})

    try:
        from _collections import _tuplegetter
    except ImportError:  # pragma: no cover - CPython has it; as collections falls back
        def _tuplegetter(index: int, doc: str) -> Any:
            return property(itemgetter(index), doc=doc)

    _GLOBALS = {"_tuple_new": tuple.__new__, "__builtins__": {}}
    _TEMPLATES: dict[int, CodeType] = {}

    def _new_code(count: int) -> CodeType:
        """``lambda _cls, _0, ..., _{count-1}: _tuple_new(_cls, (_0, ...))``, compiled
        once per count: only the parameters' names differ between classes."""
        code = _TEMPLATES.get(count)
        if code is None:
            names = ", ".join(f"_{i}" for i in range(count))
            params = f", {names}" if count else ""
            items = names + ("," if count == 1 else "")
            # The text is orglint's own, made of the count alone.
            code = _TEMPLATES[count] = eval(
                f"lambda _cls{params}: _tuple_new(_cls, ({items}))", _GLOBALS).__code__
        return code

    def _namedtuple(typename: str, fields: tuple[str, ...], defaults: tuple[Any, ...],
                    module: str) -> Any:
        """``collections.namedtuple(typename, fields, defaults=defaults,
        module=module)`` (CPython 3.11-3.13), its ``__new__`` renamed from a template."""
        seen: set[str] = set()
        for name in (typename, *fields):
            if type(name) is not str or not name.isidentifier() or iskeyword(name):
                raise ValueError("Type names and field names must be valid identifiers:"
                                 f" {name!r}")
        for name in fields:
            if name.startswith("_"):
                raise ValueError(f"Field names cannot start with an underscore: {name!r}")
            if name in seen:
                raise ValueError(f"Encountered duplicate field name: {name!r}")
            seen.add(name)
        if len(defaults) > len(fields):
            raise TypeError("Got more default values than field names")
        typename = sys.intern(typename)
        fields = tuple(map(sys.intern, fields))
        count = len(fields)
        arg_list = ", ".join(fields) + ("," if count == 1 else "")
        field_defaults = dict(zip(fields[count - len(defaults):], defaults, strict=True))
        new = FunctionType(
            _new_code(count).replace(co_varnames=("_cls", *fields), co_name="__new__",
                                     co_qualname=f"{typename}.__new__"),
            {**_GLOBALS, "__name__": f"namedtuple_{typename}"}, "__new__",
            defaults or None)
        new.__doc__ = f"Create new instance of {typename}({arg_list})"
        tuple_new, repr_fmt = tuple.__new__, "(" + ", ".join(f"{n}=%r" for n in fields) + ")"

        def _make(cls: type, iterable: Any) -> Any:
            result = tuple_new(cls, iterable)
            if len(result) != count:
                raise TypeError(f"Expected {count} arguments, got {len(result)}")
            return result

        def _replace(self: Any, /, **kwds: Any) -> Any:
            result = self._make(map(kwds.pop, fields, self))
            if kwds:
                raise ValueError(f"Got unexpected field names: {list(kwds)!r}")
            return result

        def __repr__(self: Any) -> str:
            return self.__class__.__name__ + repr_fmt % self

        def _asdict(self: Any) -> dict[str, Any]:
            return dict(zip(self._fields, self, strict=True))

        def __getnewargs__(self: Any) -> tuple[Any, ...]:
            return tuple(self)

        _make.__doc__ = f"Make a new {typename} object from a sequence or iterable"
        _replace.__doc__ = (f"Return a new {typename} object replacing specified fields"
                            " with new values")
        __repr__.__doc__ = "Return a nicely formatted representation string"
        _asdict.__doc__ = "Return a new dict which maps field names to their values."
        __getnewargs__.__doc__ = "Return self as a plain tuple.  Used by copy and pickle."
        for method in (new, _make, _replace, __repr__, _asdict, __getnewargs__):
            method.__qualname__ = f"{typename}.{method.__name__}"
        namespace: dict[str, Any] = {
            "__doc__": f"{typename}({arg_list})", "__slots__": (), "_fields": fields,
            "_field_defaults": field_defaults, "__new__": new,
            "_make": classmethod(_make), "_replace": _replace, "__repr__": __repr__,
            "_asdict": _asdict, "__getnewargs__": __getnewargs__, "__match_args__": fields,
            "__module__": module,
        }
        for index, name in enumerate(fields):
            namespace[name] = _tuplegetter(index, sys.intern(f"Alias for field number {index}"))
        return type(typename, (tuple,), namespace)

    def NamedTuple(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("orglint's NamedTuple is used as a base class only")

    NamedTuple.__mro_entries__ = lambda bases: (_Base,)
