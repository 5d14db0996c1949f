"""The exception tree: every error that ends a run with exit code 2."""

from __future__ import annotations


class OrglintError(Exception):
    """orglint could not do its job (exit 2)."""


class UsageError(OrglintError):
    """A command-line mistake."""


class ConfigError(OrglintError):
    """A bad configuration file or value; the message names the key."""


class PathError(OrglintError):
    """A missing or unreadable path, or nothing to check."""


class MatrixError(OrglintError):
    """A role matrix that cannot be loaded or contradicts itself."""
