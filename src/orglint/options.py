"""Rule options: frozen dataclasses with defaults, checked by pydantic only when configured.

A rule's ``Options`` is a plain frozen dataclass, so a run that configures no option
(nearly every pre-commit run) never imports pydantic.  When ``rules.<name>`` in the
configuration gives values, :func:`parse` builds a pydantic model from the dataclass (once
per class) and validates them strictly: unknown keys, wrong types and out-of-range values
are configuration errors that name the key.  In the configuration, an option's key is its
field name with hyphens (``max-roles``); the underscore spelling is accepted too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from orglint.errors import ConfigError


def option(default: Any, *, ge: int | None = None) -> Any:
    """A dataclass field for an option; ``ge`` is the smallest value allowed."""
    return dataclasses.field(default=default, metadata={"ge": ge} if ge is not None else {})


def key(name: str) -> str:
    return name.replace("_", "-")


def keys(cls: type[Any]) -> list[str]:
    """The configuration keys of an options class."""
    return [key(f.name) for f in dataclasses.fields(cls)]


_MODELS: dict[type[Any], Any] = {}


def _model(cls: type[Any]) -> Any:
    if cls in _MODELS:
        return _MODELS[cls]
    import typing

    from pydantic import ConfigDict, Field, create_model

    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {
        f.name: (hints[f.name], Field(f.default, alias=key(f.name), **f.metadata))
        for f in dataclasses.fields(cls)}
    model = _MODELS[cls] = create_model(cls.__name__, __config__=ConfigDict(
        extra="forbid", populate_by_name=True, frozen=True), **fields)
    return model


def parse(cls: type[Any], values: Mapping[str, Any], where: str) -> Any:
    """Validate configured ``values`` for ``cls``; errors name ``where.<key>``."""
    from pydantic import ValidationError

    try:
        model = _model(cls).model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"key '{where}.{name}': {err['msg']}") from None
    return cls(**{f.name: getattr(model, f.name) for f in dataclasses.fields(cls)})
