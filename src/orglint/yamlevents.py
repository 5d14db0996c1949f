"""libyaml's events as argument tuples: PyYAML's C parser, without a Python frame per event.

PyYAML's C parser (``yaml._yaml.CParser``) builds each event by calling the class its module
globals name, ``ScalarEvent(anchor, tag, implicit, value, start_mark, end_mark, style)`` and
so on, always positionally.  Those classes (``yaml.events``) have a Python ``__init__``: a
frame and seven attribute stores for each of the 300 events of a team file, about a fifth of
parsing it.  Classes whose constructor is C do the same job: a ``BaseException`` subclass
with no ``__init__`` of its own keeps its arguments in ``args``.  So for the time of one
parse, and only then, :func:`events` puts such classes in the parser module's globals, and
the builder reads each event's fields by position from ``args``.

Why the swap is safe: the globals are put back in a ``finally`` (an exception, a refusal or a
KeyboardInterrupt included) before ``events`` returns or raises, and nothing else parses YAML
while it runs, since orglint's check path is single-threaded.  The only threads orglint ever
starts are a worker's parent watch (``pool.die_with_parent``, where ``prctl`` is missing),
which only sleeps, and, where ``fork`` is missing, the executor's result thread in the main
process, which unpickles results and parses nothing.  A program that embeds orglint and
parses YAML on another thread while a check runs must not: say so to whoever does.

If the C module is missing, if its globals are not PyYAML's event classes, or if a probe parse
does not give the expected arguments (another PyYAML calling differently), nothing is swapped:
PyYAML's own events are read and turned into the same tuples, slower but the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from types import ModuleType
from typing import Any

from orglint.resync import GitLines, other_breaks

# Each kind of event, and the fields of PyYAML's event class in the order the C parser
# passes them: ``args`` of the classes below holds them in this order.
FIELDS: dict[str, tuple[str, ...]] = {
    "StreamStartEvent": ("start_mark", "end_mark", "encoding"),
    "StreamEndEvent": ("start_mark", "end_mark"),
    "DocumentStartEvent": ("start_mark", "end_mark", "explicit", "version", "tags"),
    "DocumentEndEvent": ("start_mark", "end_mark", "explicit"),
    "AliasEvent": ("anchor", "start_mark", "end_mark"),
    "ScalarEvent": ("anchor", "tag", "implicit", "value", "start_mark", "end_mark", "style"),
    "SequenceStartEvent": ("anchor", "tag", "implicit", "start_mark", "end_mark",
                           "flow_style"),
    "MappingStartEvent": ("anchor", "tag", "implicit", "start_mark", "end_mark",
                          "flow_style"),
    "SequenceEndEvent": ("start_mark", "end_mark"),
    "MappingEndEvent": ("start_mark", "end_mark"),
}


class Event(BaseException):
    """An event's arguments in ``args``, made in C.  Never raised."""

    __slots__ = ()


class StreamStart(Event):
    __slots__ = ()


class StreamEnd(Event):
    __slots__ = ()


class DocumentStart(Event):
    __slots__ = ()


class DocumentEnd(Event):
    __slots__ = ()


class Alias(Event):
    __slots__ = ()


class Scalar(Event):
    __slots__ = ()


class SequenceStart(Event):
    __slots__ = ()


class MappingStart(Event):
    __slots__ = ()


class SequenceEnd(Event):
    __slots__ = ()


class MappingEnd(Event):
    __slots__ = ()


OURS: dict[str, type[Event]] = {
    "StreamStartEvent": StreamStart,
    "StreamEndEvent": StreamEnd,
    "DocumentStartEvent": DocumentStart,
    "DocumentEndEvent": DocumentEnd,
    "AliasEvent": Alias,
    "ScalarEvent": Scalar,
    "SequenceStartEvent": SequenceStart,
    "MappingStartEvent": MappingStart,
    "SequenceEndEvent": SequenceEnd,
    "MappingEndEvent": MappingEnd,
}

# One text that makes every kind of event, to check how the installed parser calls them.
_PROBE = "%YAML 1.1\n--- &a\nk: !!str v\nl: [&b x, *b]\n...\n"
_PROBE_KINDS = ["StreamStartEvent", "DocumentStartEvent", "MappingStartEvent", "ScalarEvent",
                "ScalarEvent", "ScalarEvent", "SequenceStartEvent", "ScalarEvent",
                "AliasEvent", "SequenceEndEvent", "MappingEndEvent", "DocumentEndEvent",
                "StreamEndEvent"]

# None until the first parse; then whether the swap is used in this process.
_swappable: bool | None = None


def events(yaml: ModuleType, text: str, build: Callable[[Iterator[Event]], None], *,
           hidden: bool = True) -> None:
    """``build`` the events of ``text``, each an :class:`Event` whose ``args`` are the
    fields of ``FIELDS``, their marks on git's lines; PyYAML's parser errors propagate.
    ``hidden=False``: the caller knows ``text`` has no line break git does not count."""
    global _swappable
    if _swappable is None:
        _swappable = _probe(yaml)
    if hidden and other_breaks(text):
        build = partial(_build_moved, build, GitLines(text))
    module = getattr(yaml, "_yaml", None)
    if not _swappable or module is None:
        build(_converted(yaml, text))
        return
    names = vars(module)
    saved = {name: names[name] for name in OURS}
    try:
        names.update(OURS)
        parser = module.CParser(text)
        # get_event returns None once the stream has ended: a C-level iterator, where
        # yaml.parse() would resume a Python generator for every event.
        build(iter(parser.get_event, None))
    finally:
        names.update(saved)


# Where each kind of event has its marks, by position in ``args``.
_MARKS: dict[type[Event], tuple[int, ...]] = {
    cls: tuple(i for i, field in enumerate(FIELDS[name]) if field.endswith("_mark"))
    for name, cls in OURS.items()}


def _build_moved(build: Callable[[Iterator[Event]], None], lines: GitLines,
                 found: Iterator[Event]) -> None:
    build(_moved(found, lines))


def _moved(found: Iterator[Event], lines: GitLines) -> Iterator[Event]:
    """The events with their marks on git's lines (``resync.GitLines``): only for a
    text with a line break git does not count, so never on the usual path."""
    for event in found:
        args = list(event.args)
        for i in _MARKS[type(event)]:
            args[i] = lines.mark(args[i])
        yield type(event)(*args)


def _converted(yaml: ModuleType, text: str) -> Iterator[Event]:
    """PyYAML's own events, as :class:`Event` tuples: the path without the swap."""
    module = getattr(yaml, "_yaml", None)
    parser = module.CParser(text) if module is not None else yaml.SafeLoader(text)
    for event in iter(parser.get_event, None):
        name = type(event).__name__
        yield OURS[name](*[getattr(event, field) for field in FIELDS[name]])


def _probe(yaml: ModuleType) -> bool:
    """Whether the installed PyYAML can take the swap: its C module names PyYAML's own
    event classes, and a parse with ours in their place gives the expected arguments."""
    module = getattr(yaml, "_yaml", None)
    if module is None or not hasattr(module, "CParser"):
        return False
    names = vars(module)
    original = vars(yaml.events)
    if any(names.get(name) is not original.get(name) or name not in names for name in OURS):
        return False
    try:
        found: list[Event] = []
        saved = {name: names[name] for name in OURS}
        try:
            names.update(OURS)
            found = list(iter(module.CParser(_PROBE).get_event, None))
        finally:
            names.update(saved)
        kinds = [type(event).__name__ for event in found]
        if kinds != [OURS[kind].__name__ for kind in _PROBE_KINDS]:
            return False
        plain = list(iter(module.CParser(_PROBE).get_event, None))
        return all(_same(ours, theirs) for ours, theirs in zip(found, plain, strict=True))
    except Exception:  # anything unexpected: the plain path
        return False


def _same(ours: Event, theirs: Any) -> bool:
    fields = FIELDS[type(theirs).__name__]
    if len(ours.args) != len(fields):
        return False
    for value, field in zip(ours.args, fields, strict=True):
        expected = getattr(theirs, field)
        if field.endswith("_mark"):
            if (value.line, value.column) != (expected.line, expected.column):
                return False
        elif value != expected:
            return False
    return True
