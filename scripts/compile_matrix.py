"""Regenerate rules/*.json, the compiled twins of the built-in matrices (see
``orglint.matrix.compiled_builtin``), after editing rules/*.yaml."""

from __future__ import annotations

from pathlib import Path

from orglint.matrix import compiled_builtin

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    for source in sorted((ROOT / "rules").glob("*.yaml")):
        target = source.with_suffix(".json")
        target.write_text(compiled_builtin(source), encoding="utf-8")
        print(f"wrote {target}")
