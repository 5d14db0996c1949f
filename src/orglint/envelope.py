"""A document's envelope (``apiVersion`` and ``kind``) as orglint reads it, for the
modules that ask before validating (which files the org depends on, which documents are
ours) and for validation itself: one reading, so they cannot disagree."""

from __future__ import annotations

from typing import Any


def written_key(data: dict[Any, Any], key: str) -> Any:
    """The key under which ``data`` holds ``key``: itself, else the same written in
    another case ("Kind", "apiversion"), else None."""
    if key in data:
        return key
    folded = key.casefold()
    return next((k for k in data if isinstance(k, str) and k.casefold() == folded), None)


def value(data: dict[Any, Any], key: str) -> Any:
    """``data[key]``, or the value of that key written in another case."""
    found = written_key(data, key)
    return data[found] if found is not None else None


def names_orglint(api: object) -> bool:
    """An apiVersion of orglint's, misspelt or not (``orglint.dev/v1``): not Kyverno's
    or the Kubernetes audit log's, whose documents have a `kind: Policy` too."""
    return isinstance(api, str) and "orglint" in api.casefold()
