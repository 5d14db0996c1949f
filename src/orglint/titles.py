"""Title inference: the one role a free-text job title names, if it names exactly one.

The knowledge is data (the matrix's role ``aliases``, ``seniority-words`` and ``titles``
section); this module is the small normaliser that applies it, the same way to the
aliases and to the titles people write:

1. Unicode-normalise and case-fold.  A title longer than ``MAX_TITLE_LENGTH`` names no
   role: that is no title a person was hired under, and it bounds the work.
2. Split at the first separator (a comma, a bracket, a colon, a spaced or long dash,
   ``@``, or the word "of") into the *head* and a *qualifier*.  The head names the
   role; the qualifier usually names the team ("MLOps Engineer (Search)").
3. Words are runs of letters and digits.  ``synonyms`` rewrite long forms to short
   ones ("machine learning" -> "ml"), then seniority words and bare numbers go.
4. The longest alias that ends the head wins: the more specific phrase beats the
   generic one ("data platform engineer" beats "platform engineer").
5. When that alias is a ``generic`` head ("Software Engineer", "Engineer"), the
   qualifier names the discipline instead of the team: "Software Engineer, Machine
   Learning" is read as "ml software engineer", then as "ml engineer".  If the
   qualifier names nothing the matrix knows, the head's own reading stands.
6. An alias two roles claim, or one the ``ambiguous`` table lists, is ambiguous: it
   names no role, only candidates.  A one-word ambiguous title ("Engineer") counts only
   on its own, so "Hardware Engineer" is not a candidate for every engineering role.

Each step looks at each word a bounded number of times (at most the word count of the
longest alias or synonym), so the work is linear in the title's length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping

from orglint.lazyre import deferred
from orglint.ntuple import NamedTuple

MAX_TITLE_LENGTH = 200
"""The schema's limit for ``title``; titles reach here from ``role`` values too."""

Words = tuple[str, ...]

_WORD = re.compile(r"[^\W_]+")
_WORD_OR_MARK = re.compile(r"[^\W_]+|[/&+]")
# Two or more single letters, each followed by a dot: "m.l.", "s.r.e".
_INITIALS = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.){1,}[^\W\d_]\.?(?![^\W_])")
_SEPARATOR = re.compile(r"[,()\[\]{}:;|@\u2013\u2014]|\s-+\s|\bof\b")
# Between two roles in one head: "ML Engineer / Data Scientist", "DevOps & MLOps Engineer".
# Compiled at its first use: most runs read no title that holds one of them.
_ALTERNATIVE = deferred(r"/|&|\+|\band\b")
# A head of more alternatives than this names no role ("q/q/q/.../z Engineer"), and the
# ending they share is a few words at most: each piece is read against a few endings, not
# every ending of every piece (a 200-character title took milliseconds).
_MAX_PIECES = 4
# Heads that say "leads engineers" and nothing of which, once "Lead" is dropped: the
# qualifier names the discipline ("Tech Lead, MLOps").  Not generic heads of the matrix:
# "VP Engineering, Data" is no data engineer.
_LEAD_HEADS = frozenset({("tech",), ("technical",), ("engineering",)})
_SHARED_WORDS = 3


def words(text: str) -> Words:
    """The words of ``text``: letters and digits, Unicode-normalised and case-folded;
    initials written with dots are one word ("M.L. Engineer" is "ml engineer")."""
    return tuple(_WORD.findall(_folded(text)))


def _folded(text: str) -> str:
    """``text`` Unicode-normalised and case-folded, dotted initials joined ("m.l." is
    "ml"): what every reading of a title starts from."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _INITIALS.sub(lambda m: m[0].replace(".", ""), text) if "." in text else text


# Abbreviations a title may use for the same word.
_SAME_WORD = {"sr": "senior", "snr": "senior", "jr": "junior", "mgr": "manager",
              "eng": "engineer", "engr": "engineer", "mgmt": "management"}


def same_words(value: str, synonyms: Callable[[Words], list[str]] | None = None) -> Words:
    """What a name or title says, as ORG009 compares them: case, spacing, punctuation
    and common abbreviations aside ("Bo  Kim" is "Bo Kim", "Sr. MLOps Engineer" is
    "Senior MLOps engineer"), and for a title the matrix's ``synonyms`` ("Machine
    Learning Engineer" is "ML Engineer"); a different word is a different value."""
    text = _folded(value)
    # The marks the title reader reads stay: "ML/DevOps Engineer" is two roles and "ML
    # DevOps Engineer" one; "Engineering Manager, MLOps" a manager and "Engineering
    # Manager MLOps" an MLOps engineer.  How a qualifier is set off is one mark:
    # "Data Engineer, Search" is "Data Engineer (Search)" and "Data Engineer - Search".
    out: list[str] = []
    for part in _SEPARATOR.split(text):
        found = [_SAME_WORD.get(w, w) for w in _WORD_OR_MARK.findall(part)]
        if synonyms is not None and found:
            found = synonyms(tuple(found))  # a mark ("/") is no synonym's word: it stays
        if found:
            out += [",", *found] if out else found
    return tuple(out)


class Resolution(NamedTuple):
    """What a title resolves to."""

    role: str | None  # the one role, or None
    candidates: tuple[str, ...]  # the roles it could mean: one, several, or none
    normalised: str  # the title as matched: head words, then ", " and the qualifier's
    phrase: str = ""  # the alias that decided, in normalised words

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    def describe(self) -> str:
        """``platform-engineer``, ``ambiguous: a or b``, or ``no role``."""
        if self.role is not None:
            return self.role
        if self.ambiguous:
            return "ambiguous: " + or_list(self.candidates)
        return "no role"


def or_list(items: Iterable[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


class _Entry(NamedTuple):
    roles: tuple[str, ...]  # one role, or the candidates of an ambiguous title, or none
    generic: bool  # a head whose qualifier names the discipline (step 5)
    whole_only: bool  # a one-word ambiguous title counts only as the whole head (step 6)


class _Match(NamedTuple):
    start: int
    phrase: Words
    entry: _Entry


class TitleIndex:
    """Aliases, synonyms and the ambiguous table of one matrix, ready for lookups."""

    def __init__(self, aliases: Iterable[tuple[str, str]], *, role_ids: Iterable[str],
                 seniority: Iterable[str] = (), synonyms: Mapping[str, str] | None = None,
                 ambiguous: Mapping[str, Iterable[str]] | None = None,
                 generic: Iterable[str] = (), junior: Iterable[str] = ()) -> None:
        self._synonyms: dict[Words, Words] = {}
        for long, short in (synonyms or {}).items():
            if key := words(long):
                self._synonyms[key] = words(short)
        self._synonym_length = max(map(len, self._synonyms), default=0)
        self._junior = frozenset(w for j in junior for w in self._rewrite(words(j)))
        # Junior words are seniority words too: "Associate ML Engineer" is an ML engineer.
        self._drop = frozenset(w for s in seniority for w in self._rewrite(words(s)))
        self._drop |= self._junior
        self._ids = {r.casefold(): r for r in role_ids}
        claimed: dict[Words, list[str]] = {}
        for role, alias in aliases:
            if key := self.phrase(alias):
                roles = claimed.setdefault(key, [])
                if role not in roles:
                    roles.append(role)
        for title, candidates in (ambiguous or {}).items():
            if key := self.phrase(title):
                claimed[key] = list(dict.fromkeys(candidates))
        # A role's id reads as a title too ("ml engineer"), unless an alias or the
        # ambiguous table already says what those words mean.
        for role in self._ids.values():
            if (key := self.phrase(role.replace("-", " "))) and key not in claimed:
                claimed[key] = [role]
        generic_keys = {key for g in generic if (key := self.phrase(g))}
        self._phrases: dict[Words, _Entry] = {}
        for key in claimed.keys() | generic_keys:
            found = tuple(claimed.get(key, ()))
            self._phrases[key] = _Entry(found, key in generic_keys,
                                        len(key) == 1 and len(found) > 1)
        self._longest = max(map(len, self._phrases), default=0)

    def _rewrite(self, ws: Words) -> list[str]:
        """Apply the synonyms, longest first, left to right."""
        out: list[str] = []
        i, n = 0, len(ws)
        while i < n:
            for k in range(min(self._synonym_length, n - i), 0, -1):
                short = self._synonyms.get(ws[i:i + k])
                if short is not None:
                    out.extend(short)
                    i += k
                    break
            else:
                out.append(ws[i])
                i += 1
        return out

    def synonymous(self, ws: Words) -> list[str]:
        """``ws`` with the synonyms applied ("machine learning" is "ml"), nothing else."""
        return self._rewrite(ws)

    def phrase(self, text: str) -> Words:
        """The words of ``text`` as titles are compared: synonyms applied, seniority gone."""
        return tuple(w for w in self._rewrite(words(text))
                     if w not in self._drop and not w.isdigit())

    def _parts(self, title: str) -> list[Words]:
        text = unicodedata.normalize("NFKC", title).casefold()
        return [p for part in _SEPARATOR.split(text) if (p := self.phrase(part))]

    def _ending(self, ws: Words) -> _Match | None:
        """The longest alias that ends ``ws``."""
        n = len(ws)
        for start in range(max(0, n - self._longest), n):
            entry = self._phrases.get(ws[start:])
            if entry is not None and not (entry.whole_only and start > 0):
                return _Match(start, ws[start:], entry)
        return None

    def resolve(self, title: str) -> Resolution:
        if len(title) > MAX_TITLE_LENGTH:
            return Resolution(None, (), "")
        role = self._ids.get(title.strip().casefold())
        if role is not None:
            return Resolution(role, (role,), role, role)
        parts = self._parts(title)
        if not parts:
            return Resolution(None, (), "")
        head = parts[0]
        qualifier = parts[1] if len(parts) > 1 else ()
        normalised = " ".join(head) + (", " + " ".join(qualifier) if qualifier else "")
        both = self._alternatives(title)
        if len(both) > 1:
            # A head that names two roles ("ML Engineer / Data Scientist") names neither:
            # its last role is not the one meant any more than its first.
            return Resolution(None, both, normalised)
        found = self._ending(head)
        if found is None and both:  # "ML Engineer / Tech Lead": the one role it names
            return Resolution(both[0], both, normalised)
        if found is not None and found.entry.generic and qualifier:
            # The qualifier must contribute to the match: "Software Engineer, Ranking"
            # still reads "software engineer", not a discipline called ranking.
            for combined in (qualifier + found.phrase, qualifier + found.phrase[-1:]):
                better = self._ending(combined)
                if better is not None and better.start < len(qualifier):
                    found = better
                    break
            else:
                # Or the qualifier is a discipline whole, one of the roles the head can
                # mean: "Software Engineer, SRE", "Software Engineer, Data Engineering"
                # (not "Software Engineer, Data Science", nor "Infrastructure Engineer,
                # ML Engineering": no data scientist, no ML engineer).
                found = self._discipline(qualifier, found.entry.roles) or found
        if found is None and qualifier and head in _LEAD_HEADS and self._led(title):
            # "Tech Lead, MLOps", "Engineering Lead, ML Platform": an engineer who leads.
            found = self._discipline(qualifier, self._engineers)
        if found is None and len(head) > 1 and self._led(title):
            # "ML Platform Lead": the lead of that discipline's engineers.  One word is
            # too broad to tell ("Data Lead", "AI Lead" often lead data scientists).
            found = self._discipline(head, self._engineers)
        if found is None:
            return Resolution(None, (), normalised)
        roles = found.entry.roles
        return Resolution(roles[0] if len(roles) == 1 else None, roles, normalised,
                          " ".join(found.phrase))

    @property
    def _engineers(self) -> tuple[str, ...]:
        """The roles a bare "Engineer" could mean (the matrix's ambiguous table)."""
        entry = self._phrases.get(("engineer",))
        return entry.roles if entry is not None else ()

    def _discipline(self, ws: Words, allowed: tuple[str, ...]) -> _Match | None:
        """What ``ws`` names as a whole, read as a discipline: an alias ("sre"), its
        "engineering" as "engineer" ("data engineering"), or with "engineer" after it
        ("ml platform"); one role, and one of ``allowed``."""
        readings = [ws, (*ws, "engineer")]
        if ws[-1:] == ("engineering",):
            readings.insert(1, (*ws[:-1], "engineer"))
        for reading in readings:
            entry = self._phrases.get(reading)
            if entry is not None and len(entry.roles) == 1 and not entry.generic \
                    and entry.roles[0] in allowed:
                return _Match(0, reading, entry)
        return None

    def _led(self, title: str) -> bool:
        """Whether the head of ``title`` ends in "lead" (a seniority word, dropped)."""
        text = unicodedata.normalize("NFKC", title).casefold()
        head = next((part for part in _SEPARATOR.split(text) if self.phrase(part)), "")
        return self._rewrite(words(head))[-1:] == ["lead"]

    def _alternatives(self, title: str) -> tuple[str, ...]:
        """The roles the alternatives of the head name ("ML Engineer / Data Scientist",
        "DevOps / MLOps Engineer"), each read as a head of its own."""
        text = unicodedata.normalize("NFKC", title).casefold()
        if not any(mark in text for mark in ("/", "&", "+", "and")) or \
                _ALTERNATIVE.search(text) is None:  # most titles: no second reading
            return ()
        head = next((part for part in _SEPARATOR.split(text) if self.phrase(part)), "")
        pieces = [p for part in _ALTERNATIVE.split(head) if (p := self.phrase(part))]
        roles: list[str] = []
        last = pieces[-1] if pieces else ()
        generic: tuple[str, ...] = ()
        for piece in pieces:
            # Each alternative as written: "AI/ML Platform Engineer" is no AI engineer.
            found = self._ending(piece)
            if found is None and piece is not last and len(pieces) <= _MAX_PIECES:
                # A piece that is no title alone shares the last one's ending: "ML/DevOps
                # Engineer" is an ML engineer or a DevOps engineer (read as "DevOps
                # Engineer" alone, the ML engineer's work was an SRE's anti-pattern).
                # The piece must be part of what matches: "AI/ML Platform Engineer" is
                # no "AI Platform Engineer" choice.  A generic reading is none:
                # "Software/ML Engineer" is an ML engineer.
                found = next((f for k in range(max(1, len(last) - _SHARED_WORDS), len(last))
                              if (f := self._ending(piece + last[k:])) is not None
                              and f.start < len(piece)), None)
                if found is not None and found.entry.generic:
                    # "Platform Engineer" (a platform engineer or an SRE) is a reading
                    # beside the other pieces'; "Software Engineer" (any engineer) none.
                    if len(found.entry.roles) == 2:
                        generic += tuple(r for r in found.entry.roles if r not in generic)
                    continue
            if found is not None and found.entry.generic:
                # A generic head ("Platform Engineer") is no role of its own when it is
                # the only one: "AI/ML Platform Engineer" is one platform engineer, not
                # a choice of two.
                generic += tuple(r for r in found.entry.roles if r not in generic)
                continue
            if found is not None:
                roles.extend(r for r in found.entry.roles if r not in roles)
        if roles and generic:
            # Beside a role of its own ("MLOps/Platform Engineer"), it is one more reading.
            roles.extend(r for r in generic if r not in roles)
        return tuple(roles)

    def says_junior(self, title: str) -> bool:
        """Whether a title carries a junior word (Junior, Jr., Associate, Intern, ...)."""
        if len(title) > MAX_TITLE_LENGTH:
            return False
        return any(w in self._junior for w in self._rewrite(words(title)))
