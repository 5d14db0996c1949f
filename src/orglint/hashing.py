"""blake2b, sha256 and a constant-time compare, without ``import hashlib``.

hashlib loads OpenSSL (``_hashlib``) to offer every algorithm it has: 10 M instructions,
a fortieth of a one-file run, spent at every start for two algorithms CPython builds
in.  These are the very functions hashlib hands out for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import blake2b, sha256
    from hmac import compare_digest
else:
    try:
        from _blake2 import blake2b
    except ImportError:  # a Python without the builtin module
        from hashlib import blake2b
    try:
        from _sha2 import sha256  # Python 3.12 and later
    except ImportError:
        try:
            from _sha256 import sha256
        except ImportError:
            from hashlib import sha256
    try:
        from _operator import _compare_digest as compare_digest
    except ImportError:
        from hmac import compare_digest

__all__ = ["blake2b", "compare_digest", "sha256"]
