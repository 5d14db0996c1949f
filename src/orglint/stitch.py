"""The Backstage files end to end, so one Team document can point into several files.

A Backstage team is spread over several entities, often in several files, but a rule
reports against one file name.  The spans of a team's synthetic Team document therefore
live in one *virtual* file, the Backstage files laid end to end; ``Stitch`` maps every
finding back to its own file and line.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping

from orglint.catalog import Entity
from orglint.findings import Finding, Location, moved_mark
from orglint.resync import shown
from orglint.source import NestedPath, Path, SourceMap, nest

VIRTUAL = "<backstage>"
Raw = tuple[int, int, int, int]


class Stitch:
    """The Backstage files end to end: real (file, span) ↔ one virtual span."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.lines: dict[str, list[str]] = {}
        self.offset: dict[str, int] = {}
        self.starts: list[int] = []
        self.files: list[str] = []
        at = 0
        for file, text in texts.items():
            lines = shown(text).split("\n")  # as the marks count them (``resync``)
            self.lines[file] = lines
            self.offset[file] = at
            self.starts.append(at + 1)  # 1-based, as findings count
            self.files.append(file)
            at += len(lines) + 1

    def raw(self, entity: Entity, path: Path, *, key: bool = False) -> Raw | None:
        source = entity.doc.source
        nested = nest(path)
        found = source.keys.get(nested) if key else source.values.get(nested)
        if found is None:
            return None
        off = self.offset[entity.file]
        return (found[0] + off, found[1], found[2] + off, found[3])

    def items(self, entity: Entity, path: Path, items: list[str]) -> list[Raw | None]:
        """Where each item of a comma-separated scalar is: its own columns, found in
        order line by line (a folded or block scalar spreads them over several), else
        the whole scalar."""
        whole = self.raw(entity, path)
        if whole is None:
            return [None] * len(items)
        off = self.offset[entity.file]
        lines = self.lines[entity.file]
        first, last = whole[0] - off, min(whole[2] - off, len(lines) - 1)
        out: list[Raw | None] = []
        row, cursor = first, 0
        if lines[first][whole[1]:whole[1] + 1] in ("|", ">") and first < last:
            row = first + 1  # a block scalar: its header line (and comment) is no item
        for placed, item in enumerate(items):
            if row > last:
                out.extend([whole] * (len(items) - placed))
                break
            found = None
            # Linear overall: each line is searched from where the last item ended.
            for k in range(row, last + 1):
                start = whole[1] if k == first else 0
                end = whole[3] if k == last else len(lines[k])
                index = lines[k].find(item, max(cursor, start) if k == row else start, end)
                if index >= 0:
                    found = (k, index)
                    break
            if found is None:
                # Written otherwise (an escape): the rest are not placed either, each
                # search past this one would read to the end again (quadratic).
                out.extend([whole] * (len(items) - placed))
                break
            row, cursor = found[0], found[1] + len(item)
            out.append((row + off, found[1], row + off, cursor))
        return out

    def real(self, line: int) -> tuple[str, int]:
        index = max(bisect.bisect_right(self.starts, line) - 1, 0)
        return self.files[index], line - self.starts[index] + 1

    def finding(self, finding: Finding) -> Finding:
        if finding.file != VIRTUAL:
            return finding
        file, line = self.real(finding.line)
        _, end_line = self.real(finding.end_line)
        related = tuple(self.location(r) for r in finding.related)
        return finding._replace(file=file, line=line, end_line=max(end_line, line),
                                related=related, fix=None,
                                detail=moved_mark(finding, lambda at: self.real(at)[1]))

    def location(self, location: Location) -> Location:
        if location.file != VIRTUAL:
            return location
        file, line = self.real(location.line)
        return Location(file, line, location.column)


class SpanMap:
    """The source map of one synthetic Team document, filled path by path."""

    def __init__(self, stitch: Stitch) -> None:
        self.stitch = stitch
        self.values: dict[NestedPath, Raw] = {}
        self.keys: dict[NestedPath, Raw] = {}
        # The annotation a field of the Team document came from, by its dotted path: a
        # schema message names the field people wrote, not the document they never see.
        self.labels: dict[str, str] = {}

    def put(self, path: Path, entity: Entity, source: Path) -> None:
        if source[:2] == ("metadata", "annotations"):
            self.labels[".".join(str(p) for p in path)] = str(source[-1])
        value = self.stitch.raw(entity, source)
        if value is None:
            return
        self.values[nest(path)] = value
        key = self.stitch.raw(entity, source, key=True)
        if key is not None:
            self.keys[nest(path)] = key

    def put_items(self, path: Path, entity: Entity, source: Path, items: list[str]) -> None:
        self.put(path, entity, source)
        for i, raw in enumerate(self.stitch.items(entity, source, items)):
            if raw is not None:
                self.values[nest((*path, i))] = raw

    def source(self) -> SourceMap:
        return SourceMap(self.values, self.keys)
