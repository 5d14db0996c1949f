"""Counted nouns, said properly: "1 member", "2 members", "1 entry", "3 entries"."""

from __future__ import annotations

# English plurals the messages need that do not just add an "s".
_IRREGULAR = {"entry": "entries", "info": "info", "person": "persons", "fix": "fixes",
              "anti-pattern": "anti-patterns"}


def plural_of(noun: str) -> str:
    """The plural of ``noun``; only its last word changes ("org file" → "org files")."""
    head, _, last = noun.rpartition(" ")
    word = _IRREGULAR.get(last)
    if word is None:
        if last.endswith(("s", "x", "sh", "ch")):
            word = last + "es"
        elif last.endswith("y") and last[-2:-1] not in "aeiou":
            word = last[:-1] + "ies"
        else:
            word = last + "s"
    return f"{head} {word}" if head else word


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun``, singular for exactly one."""
    return f"{count} {noun if count == 1 else plural_of(noun)}"
