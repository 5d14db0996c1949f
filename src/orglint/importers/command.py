"""``orglint import SOURCE PATH... --output DIR``: read a source, write the files, report."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from orglint.escape import visible
from orglint.importers import Imported
from orglint.importers.sources import parse_columns, read_backstage, read_csv, read_scim
from orglint.importers.writer import Report, write
from orglint.wording import plural


def run(source: str, paths: list[Path], output: Path, *, maturity: str | None = None,
        columns: list[str] | None = None, matrix: Any = None) -> Report:
    if matrix is None:
        from orglint.matrix import load_matrix

        matrix = load_matrix()
    imported = Imported(source, [p.name for p in paths])
    if source == "backstage":
        read_backstage(paths, imported)
    elif source == "csv":
        read_csv(paths, parse_columns(columns or []), imported)
        imported.unallocated()
    else:
        read_scim(paths, imported)
        imported.unallocated()
    imported.case_twins()
    return write(imported, output, maturity, matrix)


def print_report(report: Report, out: TextIO, err: TextIO) -> None:
    for path in report.written:
        print(f"wrote {visible(str(path))}", file=out)
    total = len(report.written) + report.unchanged
    print(f"Imported {plural(total, 'file')}: {len(report.written)} written,"
          f" {report.unchanged} unchanged.", file=out)
    for note in report.notes:
        print(f"orglint: note: {visible(note)}", file=err)
    if report.worklist:
        print("\nTitles that map to no role (set 'role' for these people, or add the title"
              " to your matrix's aliases):", file=out)
        for title, what, people in report.worklist:
            print(f"  '{visible(title)}' {what}: {visible(', '.join(people))}", file=out)
