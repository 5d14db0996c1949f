"""Standard output that fails with a clear message (issue 11).

A full disk (``> /dev/full``) or a closed descriptor (``>&-``) used to surface as an
"internal error" naming an ``OSError`` or an ``AttributeError``: the report was lost and
the message said nothing about why.  While a command runs, standard output is wrapped so
that a failed write says what failed.  A broken pipe stays a ``BrokenPipeError``: ``|
head`` closing early is no error worth a message.
"""

from __future__ import annotations

import errno
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from orglint.errors import OrglintError


class StdoutError(OrglintError):
    def __init__(self, exc: OSError) -> None:
        super().__init__(f"cannot write to standard output: {exc.strerror or exc}")


class _Closed(io.TextIOBase):
    """What ``sys.stdout`` is when the process started with descriptor 1 closed: Python
    leaves ``None``, and ``print`` to ``None`` silently writes nothing."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "it is closed")


class _Guarded:
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, data: Any) -> int:
        try:
            written: int = self._stream.write(data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutError(exc) from None
        return written

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutError(exc) from None

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # bytes written through it fail the same way
            return _Guarded(self._stream.buffer)
        return getattr(self._stream, name)


@contextmanager
def guarded(module: Any) -> Iterator[None]:
    """``module.stdout`` (``sys``) wrapped for the time of the block."""
    old = module.stdout
    module.stdout = _Guarded(_Closed() if old is None else old)
    try:
        yield
    finally:
        module.stdout = old
