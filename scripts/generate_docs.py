"""Regenerate docs/rules/ from the rule docstrings."""

from __future__ import annotations

from pathlib import Path

from orglint.docs import generate
from orglint.rules import RULES

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    folder = ROOT / "docs" / "rules"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.md"):
        stale.unlink()
    for path, text in generate(folder, list(RULES)).items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(RULES) + 1} pages to {folder}")
