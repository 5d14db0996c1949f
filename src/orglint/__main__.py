"""Entry point for ``python -m orglint``."""

from __future__ import annotations

import sys

from orglint.console import main

sys.exit(main())
