"""Reading the files that steer a run (configuration, matrix, baseline) with a size cap.

Every one of them comes from the repository, so from someone who may be hostile: a
6 GB sparse file must not take 6 GB of memory, and a FIFO must not hang the run.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from orglint.errors import ConfigError, OrglintError

CONFIG_LIMIT_ENV = "ORGLINT_MAX_CONFIG_SIZE"
DEFAULT_CONFIG_LIMIT = 8 * 1024 * 1024


def config_limit() -> int:
    """The cap for configuration files, which cannot set their own limit."""
    text = os.environ.get(CONFIG_LIMIT_ENV)
    if not text:
        return DEFAULT_CONFIG_LIMIT
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 1:
        raise ConfigError(f"{CONFIG_LIMIT_ENV} must be a whole number of bytes, got '{text}'")
    return value


def read_capped(path: Path, limit: int, what: str,
                error: type[OrglintError] = ConfigError) -> bytes:
    """The bytes of the regular file ``path``; ``error`` naming ``what`` and the file
    when it is missing, not a regular file, unreadable or over ``limit`` bytes."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise error(f"{what} {path} is not a regular file")
        # O_NONBLOCK: a regular file swapped for a FIFO after the check cannot block.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise error(f"{what} {path} is not a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise error(f"{what} {path} is larger than the {limit:,}-byte limit")
    return b"".join(chunks)
