"""Configuration: discovery, validation, and the resolved settings of a run.

Precedence, lowest first: built-in defaults, the configuration file (``.orglint.yaml``
or ``[tool.orglint]`` in ``pyproject.toml``, found by searching upward from the current
folder, or named by ``--config``), then command-line flags.  ``--select`` replaces the
file's ``select``; ``--extend-select`` and ``--ignore`` add to the file's lists.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orglint.confine import boundary, inside
from orglint.errors import ConfigError
from orglint.findings import Severity
from orglint.loader import Limits
from orglint.trust import foreign, warn

if TYPE_CHECKING:
    from orglint.cache import CacheDir

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
                 backstage: bool = False, policies: list[str] | None = None,
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
        self.backstage = backstage  # read Backstage Group and User entities (spec §8.1)
        self.policies = policies if policies is not None else []  # globs of Policy files
        self.origins = origins if origins is not None else {}
        # Found by discovery, not named with --config: its paths must stay in the
        # repository (spec §6.1, ``confine``).
        self.confined = True

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
            "backstage": self.backstage,
            "policies": self.policies,
        }
        return {k: {"value": v, "from": self.origins.get(k, "default")} for k, v in values.items()}


def find_config(start: Path) -> Path | None:
    """The nearest ``.orglint.yaml`` (or ``pyproject.toml`` with ``[tool.orglint]``).

    The search stops at the repository root (the nearest folder holding ``.git``): a
    folder above a clone is not the project's to configure.  A file another user could
    have put there (``trust.foreign``) is skipped with a warning, as git skips a
    repository it does not trust.  A file that is a symbolic link leaving the repository
    is an error (``confine``): what it points to is not the project's, and reading it
    would quote it.
    """
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if _is_file(candidate) and _trusted(candidate):
                return _contained(candidate)
        pyproject = folder / "pyproject.toml"
        if _is_file(pyproject) and _has_tool_table(pyproject) and _trusted(pyproject):
            return _contained(pyproject)
        if os.path.lexists(folder / ".git"):
            break
    return None


def _is_file(path: Path) -> bool:
    """``path.is_file()``, but a folder that may not be searched is said, not an
    internal error: whether it holds a configuration cannot be told."""
    try:
        return path.is_file()
    except OSError as exc:
        raise ConfigError(f"cannot look for a configuration in {path.parent}:"
                          f" {exc.strerror or exc}") from None


def _contained(path: Path) -> Path:
    top = boundary(path.parent)
    if not inside(path, top):
        raise ConfigError(f"{path}: a symbolic link to a file outside the repository ({top}):"
                          " not read; name the file it points to with --config to use it")
    return path


def _trusted(path: Path) -> bool:
    if not foreign(path):
        return True
    warn(f"ignoring {path}: it belongs to another user and its folder is writable by"
         " others (name it with --config to use it)")
    return False


def _has_tool_table(path: Path) -> bool:
    from orglint.reading import config_limit, read_capped

    limit = config_limit()
    try:
        if os.stat(path).st_size > limit:
            return True  # found, so that reading it fails with a message naming it
        text = read_capped(path, limit, "configuration").decode("utf-8")
    except (OSError, ConfigError, UnicodeDecodeError):
        return False
    return "[tool.orglint" in text  # a broken header still means "configure orglint"


def _read(path: Path) -> dict[str, Any]:
    from orglint.reading import config_limit, read_capped

    raw = read_capped(path, config_limit(), "configuration")
    if path.name == "pyproject.toml":
        import tomllib

        try:
            table = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        except RecursionError:  # tomllib recurses into nested arrays
            raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
        except ValueError:  # int() past Python's 4,300 digits
            raise ConfigError(f"{path}: invalid TOML: a number too long to read") from None
        tools = table.get("tool")
        tool = tools.get("orglint") if isinstance(tools, dict) else None
        try:
            tool = _plain(tool)
        except RecursionError:
            raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: no [tool.orglint] table")
        return tool
    return _read_yaml(path, raw)


def _plain(value: Any) -> Any:
    """TOML's dates and times as the text they were written as: the schema check knows
    JSON's types only (a date was an internal error there), and it then reports the
    value like any other of the wrong type."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):  # date, time, datetime
        return value.isoformat()
    return value


def _read_yaml(path: Path, raw: bytes) -> dict[str, Any]:
    from orglint.loader import load
    from orglint.schema import explain

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
    for path_parts, message, key in explain(doc.data, "Config", len(doc.source.values)):
        span = doc.source.span(path_parts, key=key)
        name = ".".join(str(p) for p in path_parts) or "(top level)"
        raise ConfigError(f"{path}:{span.line}:{span.column}: key '{name}': {message}")
    data: dict[str, Any] = doc.data
    return data


def locate(config_file: Path | None, parts: tuple[str | int, ...], key: bool = True) -> str:
    """``FILE:LINE:COL: `` of a key in the configuration, for an error found after the
    file was read (rule options); only that error pays for reading it again."""
    if config_file is None:
        return ""
    if config_file.name == "pyproject.toml":
        return f"{config_file}: "
    from orglint.loader import load

    try:
        loaded = load(config_file.read_bytes(), str(config_file))
    except OSError:
        return f"{config_file}: "
    if loaded.findings or not loaded.documents:
        return f"{config_file}: "
    span = loaded.documents[0].source.span(parts, key=key)
    return f"{config_file}:{span.line}:{span.column}: "


def _check_table(data: dict[str, Any], origin: str) -> None:
    """The JSON Schema check for TOML tables (YAML files get it with positions)."""
    from orglint.schema import explain

    for path_parts, message, _ in explain(data, "Config"):
        name = ".".join(str(p) for p in path_parts) or "(top level)"
        raise ConfigError(f"{origin}: key '{name}': {message}")


def load_settings(
    *,
    cwd: Path,
    config: Path | None = None,
    no_config: bool = False,
    overrides: dict[str, Any] | None = None,
    found: bool = False,
) -> Settings:
    """The settings of a run.  ``found``: ``config`` was discovered (``scopes``), not
    named by the user, so it is held to the repository as a discovered one is."""
    overrides = overrides or {}
    path = None if no_config else (config or find_config(cwd))
    if config is not None and not no_config and not config.is_file():
        raise ConfigError(f"configuration file not found: {config}")
    confined = found or config is None
    settings = Settings(root=cwd)
    if path is not None:
        # Not resolved: the project is where the file is found, not where a link to it
        # points (its folder is the base of 'paths:' and the limit of --fix).
        path = Path(os.path.abspath(path))
        use_cache = not overrides.get("no_cache") and not os.environ.get("ORGLINT_NO_CACHE")
        remembered = _remembered(path) if use_cache else None
        if remembered is not None:
            return _finish(remembered, overrides, confined)
        data = _read(path)
        origin = str(path)
        if path.name == "pyproject.toml":
            _check_table(data, origin)
        settings.config_file = path
        settings.root = path.parent
        _apply_file(settings, data, origin)
        if use_cache and settings.cache:
            _remember(path, settings)
    return _finish(settings, overrides, confined)


def _finish(settings: Settings, overrides: dict[str, Any], confined: bool) -> Settings:
    # Checked here, not when the file is read: settings remembered from a run that named
    # the file with --config must not carry its trust to a run that found it.
    if confined and settings.matrix is not None and settings.config_file is not None:
        top = boundary(settings.config_file.parent)
        if not inside(settings.matrix, top):
            raise ConfigError(f"{settings.config_file}: key 'matrix': {settings.matrix} is"
                              f" outside the repository ({top}); name the configuration"
                              " with --config to use it")
    settings.confined = confined
    # --show-settings says how the file was chosen, not "default" for a file in use.
    if settings.config_file is not None:
        settings.origins["config-file"] = "found" if confined else "--config"
        settings.origins["root"] = "the configuration's folder"
    else:
        settings.origins["root"] = "the current folder"
    _apply_overrides(settings, overrides)
    return settings


def _snapshot(path: Path, create: bool) -> tuple[CacheDir, tuple[str, str]] | None:
    """Where the settings resolved from this exact configuration file are kept."""
    from orglint import hashing
    from orglint.cache import CacheDir, code_digest, default_dir
    from orglint.reading import config_limit, read_capped

    try:
        raw = read_capped(path, config_limit(), "configuration")
    except ConfigError:
        return None  # reading it again reports why
    # The code digest, not only the version: a snapshot written by other code (an
    # editable install between two edits) must never be read back into these classes.
    key = hashing.blake2b(code_digest().encode() + b"\0" + str(path).encode() + b"\0" + raw,
                          digest_size=16).hexdigest()
    store = CacheDir.open(default_dir(path.parent), create)
    return None if store is None else (store, ("settings", f"{key}.json"))


def _remembered(path: Path) -> Settings | None:
    """The settings of an unchanged configuration file, without parsing it again."""
    # Not created for a look: a configuration may turn the cache off.
    snapshot = _snapshot(path, create=False)
    if snapshot is None:
        return None
    store, name = snapshot
    try:
        return _from_data(store.read(name, _LAYOUT))
    except (TypeError, ValueError, KeyError):
        return None  # foreign or damaged: the file is read again


def _remember(path: Path, settings: Settings) -> None:
    snapshot = _snapshot(path, create=True)
    if snapshot is None:
        return
    data = _to_data(settings)
    try:
        if _from_data(json.loads(json.dumps(data))).__dict__ != settings.__dict__:
            return  # a value JSON does not keep (a date, an int key): parsed each run
    except (TypeError, ValueError, KeyError):
        return
    store, name = snapshot
    store.write(name, _LAYOUT, data)  # if it cannot be written, the file is parsed each run


_LAYOUT = "settings"
_LISTS = ("paths", "exclude", "select", "extend_select", "ignore", "policies")


def _to_data(settings: Settings) -> dict[str, Any]:
    return {
        "root": str(settings.root),
        "config_file": None if settings.config_file is None else str(settings.config_file),
        **{name: getattr(settings, name) for name in _LISTS},
        "severity": settings.severity,
        "per_file_ignores": settings.per_file_ignores,
        "matrix": None if settings.matrix is None else str(settings.matrix),
        "fail_on": settings.fail_on.label,
        "rule_options": settings.rule_options,
        "limits": list(settings.limits),
        "cache": settings.cache,
        "backstage": settings.backstage,
        "origins": settings.origins,
    }


def _strings(value: object) -> list[str]:
    if type(value) is not list or not all(type(v) is str for v in value):
        raise ValueError("not a list of strings")
    return value


def _table(value: object) -> dict[str, Any]:
    if type(value) is not dict:
        raise ValueError("not a table")
    return value


def _from_data(data: object) -> Settings:
    """Settings from ``_to_data``'s form, every field checked (ValueError if not)."""
    table = _table(data)
    if set(table) != {"root", "config_file", *_LISTS, "severity", "per_file_ignores",
                      "matrix", "fail_on", "rule_options", "limits", "cache", "backstage",
                      "origins"}:
        raise ValueError("other fields")
    config_file, matrix = table["config_file"], table["matrix"]
    limits = table["limits"]
    if (type(table["root"]) is not str or type(table["cache"]) is not bool
            or type(table["backstage"]) is not bool
            or not all(v is None or type(v) is str for v in (config_file, matrix))
            or type(limits) is not list or len(limits) != len(Limits._fields)
            or not all(type(v) is int for v in limits)):
        raise ValueError("wrong types")
    severity = _table(table["severity"])
    origins = _table(table["origins"])
    _strings(list(severity.values()))
    _strings(list(origins.values()))
    per_file = _table(table["per_file_ignores"])
    for codes in per_file.values():
        _strings(codes)
    options = _table(table["rule_options"])
    for values in options.values():
        _table(values)
    return Settings(
        Path(table["root"]), config_file=None if config_file is None else Path(config_file),
        **{name: _strings(table[name]) for name in _LISTS},
        severity=severity, per_file_ignores=per_file,
        matrix=None if matrix is None else Path(matrix),
        fail_on=Severity.parse(_strings([table["fail_on"]])[0]),
        rule_options=options, limits=Limits(*limits), cache=table["cache"],
        backstage=table["backstage"], origins=origins)


# The configuration file's keys and the Settings attribute each one sets; the rest are
# handled below.  tests/test_config.py checks that this and the schema name the same keys.
_SIMPLE_KEYS = {"paths": "paths", "exclude": "exclude", "select": "select",
                "extend-select": "extend_select", "ignore": "ignore",
                "severity": "severity", "per-file-ignores": "per_file_ignores",
                "rules": "rule_options", "cache": "cache", "backstage": "backstage",
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
        if "\0" in data["matrix"]:  # the OS refuses it with a ValueError, not an OSError
            raise ConfigError(f"{origin}: key 'matrix': a path cannot hold a NUL character")
        matrix = (settings.root / data["matrix"]).resolve()
        if not matrix.is_file():
            raise ConfigError(f"{origin}: key 'matrix': no such file: {matrix}")
        settings.matrix = matrix
        settings.origins["matrix"] = origin
    if "fail-on" in data:
        settings.fail_on = Severity.parse(data["fail-on"])
        settings.origins["fail-on"] = origin
    # JSON Schema counts 1e6 and 64.0 as integers, and so does this: an int, whatever the
    # spelling, since the limits size reads and buffers.
    limits = {attribute: int(data[key]) for key, attribute in _LIMIT_KEYS.items()
              if key in data}
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
