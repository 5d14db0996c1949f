"""The configuration file's typed model (``schemas/config.schema.json`` is the contract).

Kept apart from ``config`` so that a run whose configuration has not changed since the
last one never imports pydantic: ``config`` reuses the settings it resolved then.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["error", "warning", "info"]


class ConfigModel(BaseModel):
    """The configuration file's keys (``schemas/config.schema.json`` is the contract)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    paths: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    select: list[str] | None = None
    extend_select: list[str] = Field(default_factory=list, alias="extend-select")
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Literal["error", "warning", "info", "off"]] = Field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-file-ignores")
    matrix: str | None = None
    fail_on: Level | None = Field(default=None, alias="fail-on")
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    max_file_size: int | None = Field(default=None, alias="max-file-size")
    max_depth: int | None = Field(default=None, alias="max-depth")
    max_alias_nodes: int | None = Field(default=None, alias="max-alias-nodes")
    cache: bool | None = None
