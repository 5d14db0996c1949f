"""PyYAML's event classes swapped for the time of a parse (``orglint.yamlevents``): never
left swapped, and the same documents, spans and findings with or without the swap."""

from __future__ import annotations

import types
from typing import Any

import pytest
import yaml
import yaml.events

from orglint import loader, yamlevents
from orglint.loader import Limits, load

NAMES = list(yamlevents.OURS)

TEXTS = [
    "a: 1\nb:\n  - x\n  - {c: d, e: [f, g]}\n",
    "base: &b {x: 1, y: [2, 3]}\nother:\n  <<: *b\n  y: 4\n  k: *b\n",
    "%YAML 1.1\n--- !!map\na: !!str 1\n\"<<\": q\nb: !!int '0x10'\n...\n---\n- 2\n- ~\n",
    "a: 1\na: 2\n",  # a duplicate key: ORG002
    "a: [b\n",  # a syntax error
    "a: !!python/object:os.system x\n",  # refused by the builder
    "[" * 70 + "]" * 70 + "\n",  # past the nesting limit
    "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n",  # an alias bomb, small
    "",
    "# only a comment\n",
]
SAMPLE = "a: 1\nb: [x, {c: d}]\nc: &n {k: v}\nd: *n\n"


def originals() -> bool:
    names = vars(yaml._yaml)  # type: ignore[attr-defined]
    return all(names[name] is getattr(yaml.events, name) for name in NAMES)


def spans(found: Any) -> dict[Any, Any]:
    return {path: found.get(path) for path in found}


def outcome(text: str) -> Any:
    loaded = load(text.encode(), "t.yaml", Limits(max_alias_nodes=100))
    return ([(d.index, d.data, spans(d.source.values), spans(d.source.keys))
             for d in loaded.documents],
            loaded.findings, loaded.limited)


def test_the_swap_is_used_and_pyyamls_event_init_never_runs(monkeypatch):
    calls = []
    init = yaml.events.ScalarEvent.__init__

    def counted(self: Any, *args: Any) -> None:
        calls.append(args)
        init(self, *args)

    monkeypatch.setattr(yaml.events.ScalarEvent, "__init__", counted)
    monkeypatch.setattr(yamlevents, "_swappable", None)
    assert load(SAMPLE.encode(), "t.yaml").documents[0].data["d"] == {"k": "v"}
    assert yamlevents._swappable is True
    # The probe compares with PyYAML's own events once; the file's parse makes none.
    probed = len(calls)
    load(SAMPLE.encode(), "t.yaml")
    assert len(calls) == probed


@pytest.mark.parametrize("text", TEXTS)
def test_globals_are_pyyamls_own_after_every_outcome(text):
    assert originals()
    load(text.encode(), "t.yaml", Limits(max_alias_nodes=100))
    assert originals()
    assert yaml.safe_load(SAMPLE) == {"a": 1, "b": ["x", {"c": "d"}], "c": {"k": "v"},
                                      "d": {"k": "v"}}
    assert yaml.load(SAMPLE, Loader=yaml.CSafeLoader) == yaml.safe_load(SAMPLE)
    assert [type(e) for e in yaml.parse(SAMPLE, Loader=yaml.CSafeLoader)][1] \
        is yaml.events.DocumentStartEvent


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_globals_are_restored_when_the_build_is_interrupted(monkeypatch, error):
    def interrupted(events: Any, loaded: Any, limits: Any, first_index: int = 0) -> None:
        next(events)
        assert not originals()
        raise error

    monkeypatch.setattr(loader, "_build", interrupted)
    with pytest.raises(error):
        load(SAMPLE.encode(), "t.yaml")
    assert originals()


def test_same_outcome_without_the_swap(monkeypatch):
    swapped = [outcome(text) for text in TEXTS]
    monkeypatch.setattr(yamlevents, "_swappable", False)
    assert [outcome(text) for text in TEXTS] == swapped
    assert originals()


def test_unexpected_globals_mean_the_plain_path(monkeypatch):
    fake = types.ModuleType("_yaml")
    fake.CParser = yaml._yaml.CParser  # type: ignore[attr-defined]
    for name in NAMES[:-1]:  # one event class missing
        setattr(fake, name, getattr(yaml.events, name))
    monkeypatch.setattr(yaml, "_yaml", fake)
    assert yamlevents._probe(yaml) is False
    other = types.ModuleType("_yaml")
    vars(other).update(vars(fake))
    other.MappingEndEvent = type("MappingEndEvent", (), {})  # not PyYAML's own
    monkeypatch.setattr(yaml, "_yaml", other)
    assert yamlevents._probe(yaml) is False


def test_a_parser_calling_otherwise_means_the_plain_path(monkeypatch):
    class Keywords:
        """A C parser that passes an event's fields by keyword."""

        def __init__(self, text: str) -> None:
            self.events = iter(yaml.parse(text, Loader=yaml.CSafeLoader))

        def get_event(self) -> Any:
            event = next(self.events, None)
            if event is None:
                return None
            kind = vars(fake)[type(event).__name__]
            fields = yamlevents.FIELDS[type(event).__name__]
            return kind(**{field: getattr(event, field) for field in fields})

    fake = types.ModuleType("_yaml")
    fake.CParser = Keywords  # type: ignore[attr-defined]
    for name in NAMES:
        setattr(fake, name, getattr(yaml.events, name))
    monkeypatch.setattr(yaml, "_yaml", fake)
    assert yamlevents._probe(yaml) is False
    assert all(vars(fake)[name] is getattr(yaml.events, name) for name in NAMES)


def test_without_the_c_module_pyyamls_python_parser_gives_the_same_documents(monkeypatch):
    valid = [t for t in TEXTS if not outcome(t)[1]]
    swapped = [outcome(text) for text in valid]
    monkeypatch.delattr(yaml, "_yaml")
    monkeypatch.setattr(yamlevents, "_swappable", None)
    assert [outcome(text) for text in valid] == swapped
    assert yamlevents._swappable is False
