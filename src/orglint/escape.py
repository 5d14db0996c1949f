"""Content is data in every output: the one place that escapes it (spec §6.1).

Ids, names, titles, role values, messages, rule texts of a custom matrix and file paths
all come from the repository, which may be hostile.  Written raw, a line break starts a
new line that a CI runner reads as a workflow command (``::error ...``,
``::stop-commands::``), ESC and OSC sequences drive the terminal, bidi overrides reorder
what a reviewer sees, and C0 controls make XML ill-formed.  Every reporter passes
content through these functions; none writes content any other way.
"""

from __future__ import annotations

import re
from typing import Any, cast


class _Compiled:
    """A pattern compiled at its first use, which then takes this stand-in's place as
    the module's global: these two classes cost 7 M instructions to compile, at every
    start, and a warm run served from its kept report escapes nothing."""

    def __init__(self, name: str, pattern: str) -> None:
        self.name = name
        self.pattern = pattern

    def __getattr__(self, attribute: str) -> Any:
        compiled = self.__dict__.get("compiled")
        if compiled is None:  # a caller holding the stand-in compiles it once too
            compiled = self.__dict__["compiled"] = re.compile(self.pattern)
            globals()[self.name] = compiled
        return getattr(compiled, attribute)


# C0 and C1 controls, DEL, line and paragraph separators, bidi controls (the "Trojan
# Source" set), lone surrogates (undecodable bytes of a file name), the BOM, the
# noncharacters XML 1.0 forbids, and the characters that show nothing at all (Unicode's
# default-ignorable code points): variation selectors, the zero width space, the word
# joiner and invisible operators, Hangul fillers, interlinear annotations and the tag
# characters, with which a whole sentence can be hidden from a reviewer and read by a
# bot.  The joiners some scripts and emoji need (U+200C, U+200D), the emoji presentation
# selector (U+FE0F of ❤️) and the soft hyphen stay: alone, each can hide no text.
# Of these, the ones str.isprintable takes (combining marks, Hangul fillers): printable
# text is looked at for them alone, and only when it is not ASCII.
_PRINTABLE_INVISIBLE = ("\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u3164"
                        "\ufe00-\ufe0e\uffa0\U000e0100-\U000e01ef")
_INVISIBLE = ("\u180e\u200b\u2060-\u2065\u206a-\u206f\ufff0-\ufffb"
              "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e00ff"
              f"\U000e01f0-\U000e0fff{_PRINTABLE_INVISIBLE}")
_HIDDEN: re.Pattern[str] = cast("re.Pattern[str]", _Compiled(
    "_HIDDEN", f"[{_PRINTABLE_INVISIBLE}]"))
_UNSAFE: re.Pattern[str] = cast("re.Pattern[str]", _Compiled("_UNSAFE", (
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    f"\ud800-\udfff\ufeff\ufffe\uffff{_INVISIBLE}]")))
_UNSAFE_BUT_NEWLINE: re.Pattern[str] = cast("re.Pattern[str]", _Compiled(
    "_UNSAFE_BUT_NEWLINE",
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    f"\ud800-\udfff\ufeff\ufffe\uffff{_INVISIBLE}]"))
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# A line that starts (after blanks) with one of these is a command to the GitHub runner.
_RUNNER_COMMANDS = ("::", "##[")
# The runner's older command syntax, which it finds anywhere in a line of a step's
# output (actions/runner, ActionCommand.TryParse: ``IndexOf("##[")``): escaped wherever
# content holds it, in every format, since every line a step prints is read.
_LEGACY_COMMAND = "##["
_LEGACY_SHOWN = "#\\x23["


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    point = ord(char)
    if point > 0xFFFF:
        return f"\\U{point:08x}"
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


# What a YAML writer writes raw though no one sees it: the set ``visible`` escapes, but
# for the line breaks, tab and controls YAML writers escape themselves.
_UNSEEN: re.Pattern[str] = cast("re.Pattern[str]", _Compiled("_UNSEEN", (
    f"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff{_INVISIBLE}]")))


def unseen(text: str) -> list[str]:
    """The characters of ``text`` that show nothing (bidi controls, zero-width ones, a
    BOM inside it), which a YAML writer would write raw: a reviewer cannot see them."""
    return _UNSEEN.findall(text) if not text.isascii() else []


def plain(text: str) -> bool:
    """Whether ``text`` holds no control or invisible-formatting character: ``visible``
    leaves it as it is, but for a ``##[`` (which ``json_safe`` guards in JSON exactly)."""
    return text.isprintable() and (text.isascii() or _HIDDEN.search(text) is None)


def visible(text: str, *, newlines: bool = False) -> str:
    """``text`` with every control and invisible-formatting character written as an
    escape (``\\x1b``, ``\\u2028``, ``\\n``); ``newlines`` keeps line feeds (for
    multi-line Markdown fields of a JSON document)."""
    # Every character the patterns match is one str.isprintable refuses (a control, a
    # format or separator character, a surrogate, a noncharacter): printable text needs
    # neither pattern, and a report of printable messages compiles neither (4 M
    # instructions each).
    if plain(text):
        return text if _LEGACY_COMMAND not in text else _defang(text)
    pattern = _UNSAFE_BUT_NEWLINE if newlines else _UNSAFE
    if pattern.search(text) is not None:
        text = pattern.sub(_escape, text)
    return text if _LEGACY_COMMAND not in text else _defang(text)


def json_safe(text: str) -> str:
    """A JSON text with no ``##[`` left for the runner to read as a command: the '#'
    before '[' written ``\\u0023``, so every string decodes exactly as it was.  ('#'
    only occurs inside strings, never after an escaping backslash.)"""
    return text if _LEGACY_COMMAND not in text else text.replace(_LEGACY_COMMAND,
                                                                  "#\\u0023[")


def json_text(value: object, *, indent: int | None = 2) -> str:
    """``json.dumps(value, indent=indent)`` with no ``##[`` left (``json_safe``): for the
    JSON that a command other than ``check`` prints."""
    import json

    return json_safe(json.dumps(value, indent=indent))


def _defang(text: str) -> str:
    # One pass is enough: the replacement holds no '#' before a '#', nor one before '['.
    return text.replace(_LEGACY_COMMAND, _LEGACY_SHOWN)


def line_start(text: str) -> str:
    """``visible(text)`` made safe to start a line of output: a path such as
    ``::error::x.yaml`` would otherwise be a workflow command.  ``./`` names the same
    file."""
    shown = visible(text)
    # The runner strips Unicode blanks before looking for a command.
    if shown.lstrip() != shown or shown.startswith(_RUNNER_COMMANDS):
        return "./" + shown
    return shown


def defused(text: str) -> str:
    """``text`` (already made ``visible``, so its line breaks are orglint's own) with
    every line that the GitHub runner would read as a command defused: its first
    character written as an escape (``\\x3a:error::``).  For prose, where a word of
    content can start a line once it is wrapped."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        rest = line.lstrip()
        if rest.startswith(_RUNNER_COMMANDS):
            lines[index] = line[: len(line) - len(rest)] + f"\\x{ord(rest[0]):02x}" + rest[1:]
    return "\n".join(lines)


def diff_line(line: str) -> str:
    """A line of a unified diff of repository content (its line break taken off), shown
    as ``visible`` shows content, its tabs kept, and ``defused``: a context line is the
    file's own line after a blank, which the runner would strip."""
    return defused("\t".join(map(visible, line.split("\t"))))


def github_data(text: str) -> str:
    """The message part of a GitHub workflow command (after the second ``::``)."""
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property value of a GitHub workflow command (``file=``, ``title=``)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def uri(path: str) -> str:
    """A POSIX path as an RFC 3986 relative reference: everything but unreserved
    characters and ``/`` percent-encoded as UTF-8 (a ``:`` in the first segment would
    otherwise read as a scheme).  Undecodable bytes of a file name come back as the
    bytes they were."""
    from urllib.parse import quote

    return quote(path, safe="/", errors="surrogateescape")
