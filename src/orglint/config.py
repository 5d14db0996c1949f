"""Configuration: discovery, validation, and the resolved settings of a run.

Precedence, lowest first: built-in defaults, the configuration file (``.orglint.yaml``
or ``[tool.orglint]`` in ``pyproject.toml``, found by searching upward from the current
folder, or named by ``--config``), then command-line flags.  ``--select`` replaces the
file's ``select``; ``--extend-select`` and ``--ignore`` add to the file's lists.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from orglint.errors import ConfigError
from orglint.findings import Severity
from orglint.loader import Limits

CONFIG_NAMES = (".orglint.yaml", ".orglint.yml")

class Settings:
    """The resolved settings of a run; ``origins`` says where each key came from."""

    def __init__(self, root: Path, *, config_file: Path | None = None,
                 paths: list[str] | None = None, exclude: list[str] | None = None,
                 select: list[str] | None = None, extend_select: list[str] | None = None,
                 ignore: list[str] | None = None, severity: dict[str, str] | None = None,
                 per_file_ignores: dict[str, list[str]] | None = None,
                 matrix: Path | None = None, fail_on: Severity = Severity.ERROR,
                 rule_options: dict[str, dict[str, Any]] | None = None,
                 limits: Limits | None = None, cache: bool = True,
                 policies: list[str] | None = None,
                 origins: dict[str, str] | None = None) -> None:
        self.root = root
        self.config_file = config_file
        self.paths = paths if paths is not None else []
        self.exclude = exclude if exclude is not None else []
        self.select = select if select is not None else ["ALL"]
        self.extend_select = extend_select if extend_select is not None else []
        self.ignore = ignore if ignore is not None else []
        self.severity = severity if severity is not None else {}
        self.per_file_ignores = per_file_ignores if per_file_ignores is not None else {}
        self.matrix = matrix
        self.fail_on = fail_on
        self.rule_options = rule_options if rule_options is not None else {}
        self.limits = limits if limits is not None else Limits()
        self.cache = cache
        self.policies = policies if policies is not None else []  # globs of Policy files
        self.origins = origins if origins is not None else {}

    def shown(self) -> dict[str, Any]:
        """The resolved settings, for ``--show-settings``."""
        values: dict[str, Any] = {
            "config-file": str(self.config_file) if self.config_file else None,
            "root": str(self.root),
            "paths": self.paths,
            "exclude": self.exclude,
            "select": self.select,
            "extend-select": self.extend_select,
            "ignore": self.ignore,
            "severity": self.severity,
            "per-file-ignores": self.per_file_ignores,
            "matrix": str(self.matrix) if self.matrix else "ai-platform (built in)",
            "fail-on": self.fail_on.label,
            "rules": self.rule_options,
            "max-file-size": self.limits.max_file_size,
            "max-depth": self.limits.max_depth,
            "max-alias-nodes": self.limits.max_alias_nodes,
            "cache": self.cache,
            "policies": self.policies,
        }
        return {k: {"value": v, "from": self.origins.get(k, "default")} for k, v in values.items()}


def find_config(start: Path) -> Path | None:
    """The nearest ``.orglint.yaml`` (or ``pyproject.toml`` with ``[tool.orglint]``)."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "[tool.orglint" in text  # a broken header still means "configure orglint"


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc.strerror or exc}") from None
    if path.name == "pyproject.toml":
        import tomllib

        try:
            table = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        tool = table.get("tool", {}).get("orglint")
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: no [tool.orglint] table")
        return tool
    return _read_yaml(path, raw)


def _read_yaml(path: Path, raw: bytes) -> dict[str, Any]:
    from orglint.loader import load
    from orglint.resources import schema
    from orglint.schema import explain_all

    loaded = load(raw, str(path))
    problems = loaded.findings
    if problems:
        first = problems[0]
        raise ConfigError(f"{path}:{first.line}:{first.column}: {first.message}")
    if not loaded.documents or loaded.documents[0].data is None:
        return {}
    if len(loaded.documents) > 1:
        raise ConfigError(f"{path}: a configuration file holds one YAML document")
    doc = loaded.documents[0]
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of keys")
    for path_parts, message, key in explain_all(doc.data, schema("Config")):
        span = doc.source.span(path_parts, key=key)
        name = ".".join(str(p) for p in path_parts) or "(top level)"
        raise ConfigError(f"{path}:{span.line}:{span.column}: key '{name}': {message}")
    data: dict[str, Any] = doc.data
    return data


def _check_table(data: dict[str, Any], origin: str) -> None:
    """The JSON Schema check for TOML tables (YAML files get it with positions)."""
    from orglint.resources import schema
    from orglint.schema import explain_all

    for path_parts, message, _ in explain_all(data, schema("Config")):
        name = ".".join(str(p) for p in path_parts) or "(top level)"
        raise ConfigError(f"{origin}: key '{name}': {message}")


def load_settings(
    *,
    cwd: Path,
    config: Path | None = None,
    no_config: bool = False,
    overrides: dict[str, Any] | None = None,
) -> Settings:

    overrides = overrides or {}
    path = None if no_config else (config or find_config(cwd))
    if config is not None and not no_config and not config.is_file():
        raise ConfigError(f"configuration file not found: {config}")
    settings = Settings(root=cwd)
    if path is not None:
        path = path.resolve()
        use_cache = not overrides.get("no_cache") and not os.environ.get("ORGLINT_NO_CACHE")
        remembered = _remembered(path) if use_cache else None
        if remembered is not None:
            _apply_overrides(remembered, overrides)
            return remembered
        data = _read(path)
        origin = str(path)
        if path.name == "pyproject.toml":
            _check_table(data, origin)
        settings.config_file = path
        settings.root = path.parent
        _apply_file(settings, data, origin)
        if use_cache and settings.cache:
            _remember(path, settings)
    _apply_overrides(settings, overrides)
    return settings


def _snapshot(path: Path) -> Path | None:
    """Where the settings resolved from this exact configuration file are kept."""
    import hashlib

    from orglint.cache import code_digest, default_dir

    try:
        raw = path.read_bytes()
    except OSError:
        return None
    # The code digest, not only the version: a snapshot pickled by other code (an
    # editable install between two edits) must never be read back into these classes.
    key = hashlib.blake2b(code_digest().encode() + b"\0" + str(path).encode() + b"\0" + raw,
                          digest_size=16).hexdigest()
    return default_dir(path.parent) / "settings" / key


def _remembered(path: Path) -> Settings | None:
    """The settings of an unchanged configuration file, without parsing it again."""
    from orglint.cache import load_pickle

    snapshot = _snapshot(path)
    settings = load_pickle(snapshot) if snapshot is not None else None
    return settings if isinstance(settings, Settings) else None


def _remember(path: Path, settings: Settings) -> None:
    from orglint.cache import dump_pickle

    snapshot = _snapshot(path)
    if snapshot is None:
        return
    dump_pickle(snapshot, settings)  # if it cannot be written, the file is parsed each run


# The configuration file's keys and the Settings attribute each one sets; the rest are
# handled below.  tests/test_config.py checks that this and the schema name the same keys.
_SIMPLE_KEYS = {"paths": "paths", "exclude": "exclude", "select": "select",
                "extend-select": "extend_select", "ignore": "ignore",
                "severity": "severity", "per-file-ignores": "per_file_ignores",
                "rules": "rule_options", "cache": "cache",
                "policies": "policies"}
_LIMIT_KEYS = {"max-file-size": "max_file_size", "max-depth": "max_depth",
               "max-alias-nodes": "max_alias_nodes"}
FILE_KEYS = frozenset((*_SIMPLE_KEYS, *_LIMIT_KEYS, "matrix", "fail-on"))


def _apply_file(settings: Settings, data: dict[str, Any], origin: str) -> None:
    """Settings from a configuration that has passed ``schemas/config.schema.json``.

    The schema is the whole check (with positions, in ``_read_yaml``), so this only
    copies: a second validation here, by pydantic, cost every run that could not reuse
    its settings snapshot a tenth of a second of start-up.
    """
    for key, attribute in _SIMPLE_KEYS.items():
        if key in data:
            value = data[key]
            setattr(settings, attribute, dict(value) if isinstance(value, dict) else value)
            settings.origins[key] = origin
    if "matrix" in data:
        matrix = (settings.root / data["matrix"]).resolve()
        if not matrix.is_file():
            raise ConfigError(f"{origin}: key 'matrix': no such file: {matrix}")
        settings.matrix = matrix
        settings.origins["matrix"] = origin
    if "fail-on" in data:
        settings.fail_on = Severity.parse(data["fail-on"])
        settings.origins["fail-on"] = origin
    limits = {attribute: data[key] for key, attribute in _LIMIT_KEYS.items() if key in data}
    if limits:
        settings.limits = settings.limits._replace(**limits)
        settings.origins.update((key, origin) for key in _LIMIT_KEYS if key in data)


def _apply_overrides(settings: Settings, overrides: dict[str, Any]) -> None:
    cli = "command line"
    if overrides.get("select") is not None:
        settings.select = overrides["select"]
        settings.origins["select"] = cli
    if overrides.get("extend_select"):
        settings.extend_select = [*settings.extend_select, *overrides["extend_select"]]
        settings.origins["extend-select"] = cli
    if overrides.get("ignore"):
        settings.ignore = [*settings.ignore, *overrides["ignore"]]
        settings.origins["ignore"] = cli
    if overrides.get("fail_on") is not None:
        settings.fail_on = Severity.parse(overrides["fail_on"])
        settings.origins["fail-on"] = cli
    if overrides.get("no_cache"):
        settings.cache = False
        settings.origins["cache"] = cli
    if os.environ.get("ORGLINT_NO_CACHE"):
        settings.cache = False
        settings.origins["cache"] = "ORGLINT_NO_CACHE"
