"""Package data: the JSON Schemas and the built-in role matrices.

In a wheel they sit in ``orglint/data/`` (copied there by the build from the top-level
``schemas/`` and ``rules/``, which are the source).  From a source checkout or an
editable install the top-level folders are read directly.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent

SCHEMA_FILES = {
    "Team": "team.schema.json",
    "People": "people.schema.json",
    "RoleMatrix": "role-matrix.schema.json",
    "Group": "group.schema.json",
    "Config": "config.schema.json",
    "Policy": "policy.schema.json",
}


@cache
def data_dir(name: str) -> Path:
    packaged = _PACKAGE / "data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent.parent / name


@cache
def schema_text(kind: str) -> str:
    return (data_dir("schemas") / SCHEMA_FILES[kind]).read_text(encoding="utf-8")


@cache
def schema(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text(kind))
    return loaded


def builtin_matrix_path(name: str) -> Path | None:
    path = data_dir("rules") / f"{name}.yaml"
    return path if path.is_file() else None
