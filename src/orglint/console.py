"""The ``orglint`` command as a process: the console script and ``python -m orglint``.

``orglint.cli.main`` is the same command for callers in a process that goes on after
it (tests, tools); what is here is only for a process that ends with the command.
"""

from __future__ import annotations

import gc
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
