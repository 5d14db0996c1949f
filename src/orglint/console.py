"""The ``orglint`` command as a process: the console script and ``python -m orglint``.

``orglint.cli.main`` is the same command for callers in a process that goes on after
it (tests, tools); what is here is only for a process that ends with the command.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys

from orglint import lazyre

# gettext's plural-forms tokenizer, which argparse's import compiles (2.8 M instructions)
# and only a translation catalog with plural forms uses.
GETTEXT = (("\n        (?P<WHITESPACES>[ \\t]+)                    | # spaces and horizontal"
            " tabs\n        (?P<NUMBER>[0-9]+\\b)                       | # decimal integer\n"
            "        (?P<NAME>n\\b)                              | # only n is allowed\n"
            "        (?P<PARENTHESIS>[()])                      |\n"
            "        (?P<OPERATOR>[-*/%+?:]|[><!]=?|==|&&|\\|\\|) | # !, *, /, %, +, -, <, >,\n"
            "                                                     # <=, >=, ==, !=, &&, ||,\n"
            "                                                     # ? :\n"
            "                                                     # unary and bitwise ops\n"
            "                                                     # not allowed\n"
            "        (?P<INVALID>\\w+|.)                           # invalid token\n    ",
            80),)  # re.VERBOSE | re.DOTALL


def main() -> int:
    # The imports make tens of thousands of objects that live as long as the process:
    # the cyclic collector would only scan them again.  A check runs without it from
    # here (``cli`` turns it off for the check itself; the argument parsing and the exit
    # around it made nine collections more); other commands get it back after the imports.
    enabled = gc.isenabled()
    gc.disable()
    try:
        lazyre.import_deferring("gettext", GETTEXT)
        from orglint.cli import main as command
    finally:
        if enabled and sys.argv[1:2] != ["check"]:  # the subcommand comes first (cli.main)
            gc.enable()
    try:
        return command()
    finally:
        # The process ends here: a collection at exit would only free what the OS takes
        # back anyway (5 M instructions after a check).
        gc.disable()


def run() -> None:
    """The console script and ``python -m orglint``: ``main``, then the end of the
    process (see ``_end``)."""
    # First of all: a warm check that nothing could have changed is answered from its
    # record before anything else is imported (``replay``); otherwise this run is
    # watched, so that it can leave such a record.
    from orglint import replay

    replay.serve()
    replay.capture()
    # A process that ends with the command may fork to bound a run with policies
    # (``policy.watchdog``); set here, where importing it costs nothing it would not.
    from orglint.policy import watchdog

    watchdog.arm()
    # Standard output in an encoding that is not UTF-8 (a Windows pipe's cp1252, an
    # ASCII locale) cannot hold every character of the content, nor the report's own
    # symbols: such a character is written as an escape (\xe9, \U0001f7e5) instead of
    # ending the run with the report half written.  (Standard error already does so.)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="backslashreplace")
    code = main()
    _end(code)
    sys.exit(code)


def _end(code: int) -> None:
    """End the process as interpreter exit would once it has flushed the standard
    streams and run the exit handlers, but without freeing every object first: 27 M
    instructions after a pre-commit check on 2,000 files (the cached results, the
    modules), all memory the OS takes back anyway.  Every file orglint writes is
    written through a descriptor it closes (``fsutil``, ``cache``), never a buffer left
    to the teardown.  Returns (for the usual exit) when another thread is alive, which
    exit would wait for, when an executor (a platform without fork) may still have work to
end, or when a stream cannot be flushed, which exit reports."""
    threading = sys.modules.get("threading")
    if ((threading is not None and threading.active_count() > 1)
            or "concurrent.futures" in sys.modules or "multiprocessing" in sys.modules):
        return  # an executor's exit hooks run in threading's shutdown, not atexit's
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        return
    os._exit(code)
