"""Rule options: NamedTuples with defaults, checked by pydantic only when configured.

A rule's ``Options`` is a NamedTuple whose defaults are the rule's defaults, so a run that
configures no option (nearly every pre-commit run) never imports pydantic.  When
``rules.<name>`` in the configuration gives values, :func:`parse` builds a pydantic model
from the NamedTuple (once per class) and validates them strictly: unknown keys, wrong
types and out-of-range values are configuration errors that name the key.  A lower bound
is written ``Annotated[int, Ge(2)]`` with this module's :class:`Ge`, which becomes
pydantic's ``Field(ge=2)`` only when the model is built.  In the configuration, an
option's key is its field name with hyphens (``max-roles``); the underscore spelling is
accepted too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orglint.errors import ConfigError
from orglint.ntuple import NamedTuple


class Ge(NamedTuple):
    """The smallest value an option accepts (``Annotated[int, Ge(2)]``)."""

    value: int


def key(name: str) -> str:
    return name.replace("_", "-")


def keys(cls: type[Any]) -> list[str]:
    """The configuration keys of an options class."""
    return [key(name) for name in cls._fields]


_MODELS: dict[type[Any], Any] = {}


def _model(cls: type[Any]) -> Any:
    if cls in _MODELS:
        return _MODELS[cls]
    import typing

    from pydantic import ConfigDict, Field, create_model

    fields: dict[str, Any] = {}
    for name, hint in typing.get_type_hints(cls, include_extras=True).items():
        minimum: int | None = None
        if typing.get_origin(hint) is typing.Annotated:
            hint, *extras = typing.get_args(hint)
            minimum = next((e.value for e in extras if isinstance(e, Ge)), None)
        fields[name] = (hint, Field(cls._field_defaults[name], alias=key(name), ge=minimum))
    model = _MODELS[cls] = create_model(cls.__name__, __config__=ConfigDict(
        extra="forbid", populate_by_name=True, frozen=True), **fields)
    return model


class OptionError(ConfigError):
    """A configured rule option is wrong; ``parts`` is its key path in the configuration."""

    def __init__(self, message: str, parts: tuple[str, ...], key: bool) -> None:
        super().__init__(message)
        self.parts = parts
        self.key = key  # whether the key itself is wrong (else its value)


def _explain(err: Mapping[str, Any], name: str, choices: list[str]) -> str:
    """pydantic's error in the configuration's words."""
    kind, context = err.get("type", ""), err.get("ctx") or {}
    if kind == "extra_forbidden":
        from orglint.schema import did_you_mean

        known = f"its options: {', '.join(choices)}" if choices else "the rule has no options"
        return f"unknown option{did_you_mean(name, choices)}; {known}"
    if kind == "greater_than_equal":
        return f"must be at least {context.get('ge')}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind in ("string_type", "list_type", "tuple_type"):
        return f"must be a {kind.removesuffix('_type').replace('tuple', 'list')}"
    message = str(err.get("msg", "invalid value"))
    return message[:1].lower() + message[1:]


def parse(cls: type[Any], values: Mapping[str, Any], where: str) -> Any:
    """Validate configured ``values`` for ``cls``; errors name ``where.<key>``."""
    from pydantic import ValidationError

    try:
        model = _model(cls).model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        name = ".".join(loc)
        raise OptionError(f"key '{where}.{name}': {_explain(err, name, keys(cls))}",
                          (*where.split(".", 1), *loc),
                          err.get("type") == "extra_forbidden") from None
    return cls(**{name: getattr(model, name) for name in cls._fields})
