"""The whole-org rules prepare their "did you mean" only when a hint is asked for."""

from __future__ import annotations

from orglint import schema
from orglint.rules import org


def test_the_vocabulary_is_prepared_at_the_first_hint_only(monkeypatch):
    made: list[int] = []
    real = schema.Vocabulary

    def counting(choices):
        made.append(len(choices))
        return real(choices)

    monkeypatch.setattr(schema, "Vocabulary", counting)
    hint = org._Hints({"ml-platform", "recsys", "search"})
    assert made == []
    assert hint("recsis") == " (did you mean 'recsys'?)"
    assert hint("serch") == " (did you mean 'search'?)" and hint("zzz") == ""
    assert made == [3]
