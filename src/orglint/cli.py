"""The command line: argv → settings → engine → reporter → exit code.

Heavy modules (PyYAML, jsonschema-rs, pydantic for rule options) are imported only by the
subcommands that need them, so ``orglint --version`` and ``orglint schema`` start instantly.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, cast

from orglint import __version__
from orglint.errors import OrglintError, UsageError
from orglint.escape import json_text
from orglint.ntuple import NamedTuple
from orglint.reporters import FORMATS
from orglint.wording import plural

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    # Set on a subcommand whose help names matrix ids: the matrix is read only when the
    # help is shown, so that parsing stays free of YAML.
    epilog_from: Callable[[], str] | None = None

    def error(self, message: str) -> Any:
        raise UsageError(f"{message} (see '{self.prog} --help')")

    _checking = False

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        self._checking = True
        try:
            return super().add_argument(*args, **kwargs)
        finally:
            self._checking = False

    def add_subparsers(self, **kwargs: Any) -> Any:
        self._checking = True
        try:
            return super().add_subparsers(**kwargs)
        finally:
            self._checking = False

    def _get_formatter(self) -> argparse.HelpFormatter:
        # add_argument makes a formatter only to check a metavar, add_subparsers only to
        # write "orglint" before each subcommand's name: the terminal's width matters to
        # help text alone, and asking for it imports shutil (bz2, lzma) at every start.
        if self._checking:
            make = cast(type[argparse.HelpFormatter], self.formatter_class)
            return make(prog=self.prog, width=80)
        return super()._get_formatter()

    def format_help(self) -> str:
        if self.epilog_from is not None and self.epilog is None:
            self.epilog = self.epilog_from()
        return super().format_help()


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _jobs(text: str) -> int:
    # Zero or a negative count used to be taken as "one" without a word: say so instead.
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of processes, 1"
                                         " or more")
    return value


def _config_options(parser: argparse.ArgumentParser,
                    found: str = "the current folder") -> None:
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="use this .orglint.yaml or pyproject.toml (default: the nearest"
                        f" one above {found})")
    parser.add_argument("--no-config", action="store_true",
                        help="ignore every configuration file; use the defaults")


def _compose_epilog() -> str:
    from orglint.matrix import load_matrix

    matrix = load_matrix(None)
    return ("stages (built-in matrix): " + ", ".join(matrix.spec.maturity)
            + "\nsystems (built-in matrix): " + ", ".join(matrix.systems)
            + "\n\nA matrix named by the configuration may add stages and systems;"
            " 'orglint roles --list systems' lists them.")


LIST_KINDS = ("roles", "responsibilities", "systems", "practices", "stages")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``command`` "check", the parser of that subcommand
    alone (every run of the hook is one: the others' arguments cost it 8 M instructions,
    and a check parses none of them)."""
    parser = _Parser(prog="orglint", description="Lint AI platform team definitions against "
                     "a role matrix.")
    parser.add_argument("--version", action="version", version=f"orglint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="check team, people and matrix files",
                           description="Check team, people and matrix files against the"
                           " role matrix. Exit 0: nothing at or above --fail-on; 1: findings"
                           " at or above it; 2: orglint could not do its job.")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="files or folders ('-' reads standard input; default: the"
                       " configured paths, else the current folder)")
    check.add_argument("--output-format", choices=FORMATS, default=None, metavar="FORMAT",
                       help="one of " + ", ".join(FORMATS) + " (default: text; under"
                       " GitHub Actions, annotations, then the text)")
    check.add_argument("--output-file", type=Path, metavar="PATH",
                       help="write the report to PATH ('-': standard output); the summary"
                       " still goes to standard error")
    check.add_argument("--select", type=_codes, action="append", metavar="CODES",
                       help="codes, prefixes (ORG1), rule names or ALL, comma-separated;"
                       " replaces the configuration's select")
    check.add_argument("--extend-select", type=_codes, action="append", metavar="CODES",
                       help="add to the selected rules (comma-separated)")
    check.add_argument("--ignore", type=_codes, action="append", metavar="CODES",
                       help="rules to skip, comma-separated (codes, prefixes, names)")
    check.add_argument("--fail-on", choices=("error", "warning", "info"),
                       help="the lowest severity that makes the exit code 1"
                       " (default: error, or the configuration's fail-on)")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are findings")
    check.add_argument("--statistics", action="store_true",
                       help="print the number of findings per rule instead of each finding")
    _config_options(check, "each file named, else the current folder")
    check.add_argument("--stdin-filename", metavar="NAME",
                       help="the file name to report (and match excludes against) for '-'")
    check.add_argument("--show-settings", action="store_true",
                       help="print the resolved settings and where each came from")
    check.add_argument("--baseline", type=Path, metavar="FILE",
                       help="hide the findings recorded in FILE")
    check.add_argument("--write-baseline", type=Path, metavar="FILE",
                       help="record the current findings in FILE and exit 0")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="also apply unsafe fixes (implies --fix)")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes as a unified diff and write nothing")
    check.add_argument("--no-cache", action="store_true",
                       help="neither read nor write the result cache (.orglint_cache/)")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply exclude: (and paths:, when set) to files named too")
    check.add_argument("--jobs", type=_jobs, metavar="N",
                       help="worker processes (default: the CPUs orglint may use, its affinity and"
                       " CPU quota; at most 4 per core, 64)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour the text report: auto (default) colours a terminal unless"
                       " NO_COLOR is set, or FORCE_COLOR forces it")
    loud = check.add_mutually_exclusive_group()
    loud.add_argument("-v", "--verbose", action="store_true",
                      help="also say which configuration and files were used, what was"
                      " skipped and why, and what the cache served")
    loud.add_argument("-q", "--quiet", action="store_true",
                      help="print the findings only: no summary line")
    loud.add_argument("-s", "--silent", action="store_true",
                      help="print nothing; only the exit code tells")
    check.add_argument("--version", action="version", version=f"orglint {__version__}",
                       help="print orglint's version and exit")

    if command == "check":
        return _described(parser, sub)

    rule = sub.add_parser("rule", help="explain a rule")
    rule.add_argument("rule", nargs="?", metavar="CODE|NAME",
                      help="a rule code (ORG104) or name (devops-runs-model-lifecycle)")
    rule.add_argument("--all", action="store_true", help="explain every rule")
    rule.add_argument("--output-format", choices=("text", "json"), default="text",
                      help="text (default) or json")

    roles = sub.add_parser("roles", help="explore the role matrix",
                           description="Explore the role matrix: the roles, one role in"
                           " full, or the ids a team file may use.")
    roles.add_argument("role", nargs="?", metavar="ROLE|TITLE",
                       help="a role id, or a job title to see which role it maps to")
    roles.add_argument("--list", choices=LIST_KINDS, metavar="KIND",
                       help="list the ids of one kind: " + ", ".join(LIST_KINDS))
    roles.add_argument("--output-format", choices=("text", "json"), default="text",
                       help="text (default) or json")
    _config_options(roles)

    compose = sub.add_parser("compose", help="recommend a team mix and flag staffing gaps",
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    compose.epilog_from = _compose_epilog
    compose.add_argument("--size", type=int, required=True, metavar="N",
                         help="the team's headcount (1 to 1000)")
    compose.add_argument("--maturity", required=True, metavar="STAGE",
                         help="the team's stage (see the list below)")
    compose.add_argument("--systems", nargs="*", default=[], type=_codes, action="extend",
                         metavar="SYSTEM", help="systems the team runs, comma- or"
                         " space-separated (see the list below)")
    compose.add_argument("--output-format", choices=("text", "json"), default="text",
                         help="text (default) or json")
    _config_options(compose)

    schema = sub.add_parser("schema", help="print a JSON Schema for editors")
    schema.add_argument("kind", nargs="?", default=None, metavar="KIND",
                        help="Team, People, Group, RoleMatrix, Config or Policy (without"
                        " one: list them)")
    _config_options(schema)

    imports = sub.add_parser("import", help="write Team and People files from Backstage,"
                             " an HR export (CSV) or SCIM")
    imports.add_argument("source", choices=("backstage", "csv", "scim"),
                         help="what the files are: Backstage entities, a CSV HR export,"
                         " or a SCIM 2.0 JSON document")
    imports.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                         help="the source's files (Backstage: files or folders)")
    imports.add_argument("--output", type=Path, required=True, metavar="DIR",
                         help="where the Team files and people.yaml go (merged if there)")
    imports.add_argument("--maturity", default=None,
                         choices=("exploring", "pilot", "production", "scale"),
                         help="the stage of a team the source gives none (default exploring)")
    imports.add_argument("--column", action="append", default=[], metavar="FIELD=HEADER",
                         help="CSV: read FIELD (id, name, email, title, team, allocation,"
                         " level, role) from the column HEADER")
    _config_options(imports)

    test = sub.add_parser("test", help="run the tests of the org's policies")
    test.add_argument("paths", nargs="*", metavar="PATH",
                      help="policy files or folders (default: the configured policies)")
    test.add_argument("--output-format", choices=("text", "json", "junit"), default="text",
                      help="text (default), json or junit")
    test.add_argument("--require-coverage", action="store_true",
                      help="also fail when a rule has no test expecting pass and none"
                      " expecting fail (one tested one way only gets a note)")
    _config_options(test)

    clean = sub.add_parser("clean", help="remove the result cache")
    _config_options(clean)
    return _described(parser, sub)


def _described(parser: argparse.ArgumentParser, sub: Any) -> argparse.ArgumentParser:
    # 'orglint X --help' opens with what X does, as 'orglint --help' lists it.
    for listed in sub._choices_actions:
        chosen = sub.choices[listed.dest]
        if chosen.description is None and listed.help:
            chosen.description = listed.help[0].upper() + listed.help[1:] + "."
    return parser


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            chosen: argparse.ArgumentParser = action.choices[command]
            return chosen
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(args_list[0] if args_list else None)
        args, extra = parser.parse_known_args(args_list)
        if extra:
            # Point at the subcommand's help, which lists what it does take.
            _subparser(parser, args.command).error(
                "unrecognized arguments: " + " ".join(extra))
        if args.command is None:
            parser.print_help()
            return EXIT_ERROR
        handler = {"check": _check, "rule": _rule, "roles": _roles, "compose": _compose,
                   "schema": _schema, "clean": _clean, "import": _import,
                   "test": _test}[args.command]
        from orglint.streams import guarded

        with guarded(sys), _no_cyclic_gc(args.command == "check"):
            return handler(args)
    except OrglintError as exc:
        _say("error", str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("orglint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except RecursionError:
        print("orglint: internal error: input nested too deeply", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # the promise: never a traceback
        from orglint.escape import visible

        print(f"orglint: internal error: {type(exc).__name__}: {visible(str(exc))}",
              file=sys.stderr)
        if os.environ.get("ORGLINT_DEBUG"):
            raise
        return EXIT_ERROR


@contextmanager
def _no_cyclic_gc(off: bool) -> Iterator[None]:
    """The cyclic garbage collector off (``off``) while a check runs: from its imports to
    its report, it makes hundreds of thousands of objects that reference counting frees,
    and the collector only rescans them (engine.run turns it off for the run alone;
    before it, the collector still cost a pre-commit run 2% of its instructions)."""
    import gc

    enabled = gc.isenabled()
    if off:
        gc.disable()
    try:
        yield
    finally:
        if off and enabled:
            gc.enable()


def _cwd() -> Path:
    try:
        return Path.cwd()
    except OSError as exc:  # the folder was deleted under the shell
        raise OrglintError(f"cannot use the current folder: {exc.strerror or exc};"
                           " cd to an existing folder") from None


def _settings(args: argparse.Namespace, overrides: dict[str, Any] | None = None) -> Any:
    from orglint.config import load_settings

    return load_settings(cwd=_cwd(), config=getattr(args, "config", None),
                         no_config=getattr(args, "no_config", False), overrides=overrides)


def _flat(groups: list[list[str]] | None) -> list[str]:
    return [code for group in groups or [] for code in group]


def _color(stream: TextIO, choice: str = "auto") -> bool:
    """--color, else NO_COLOR and FORCE_COLOR (set and non-empty, as no-color.org and
    force-color.org define them), else whether the stream is a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def _check(args: argparse.Namespace) -> int:
    import datetime as dt

    for flag, value in (("--select", args.select), ("--extend-select", args.extend_select),
                        ("--ignore", args.ignore)):
        if value is not None and not _flat(value):
            raise UsageError(f"{flag} needs at least one code, prefix, name or ALL")

    if args.output_file is not None and str(args.output_file) == "-":
        args.output_file = None  # '-' is standard output, as for the paths
    from orglint import cache
    from orglint.files import Request, gather
    from orglint.policy.find import configured_digest as policy_digest

    if args.jobs is not None:
        from orglint.pool import worker_cap

        if args.jobs > worker_cap():
            print(f"orglint: note: --jobs {args.jobs} is more than this machine can use;"
                  f" using {worker_cap()}", file=sys.stderr)
            args.jobs = worker_cap()

    scoped = _scoped_settings(args, {
        "select": _flat(args.select) if args.select is not None else None,
        "extend_select": _flat(args.extend_select),
        "ignore": _flat(args.ignore), "fail_on": args.fail_on, "no_cache": args.no_cache,
    })
    if len(scoped) > 1:
        return _check_scopes(args, scoped)
    settings = scoped[0][0]
    if args.show_settings:
        print(json_text(settings.shown()))
        return EXIT_OK
    fixing = args.fix or args.unsafe_fixes or args.diff
    if fixing and "-" in args.paths and any(p != "-" for p in args.paths):
        raise UsageError("--fix and --diff on standard input print the fixed text to"
                         " standard output: name no other path with '-'")
    stdin = None
    if "-" in args.paths:
        stdin = sys.stdin.buffer.read(settings.limits.max_file_size + 1)
    today = dt.date.today()
    request = Request(paths=args.paths, cwd=_cwd(), stdin=stdin,
                      stdin_name=args.stdin_filename, baseline=args.baseline, jobs=args.jobs,
                      today=today)
    gathered = gather(settings, args.paths, cwd=request.cwd, stdin=stdin,
                      stdin_name=args.stdin_filename, force_exclude=args.force_exclude)
    _guard_outputs(args, settings, gathered)
    _notes(args, gathered)

    fmt, also_github, color = _format(args)
    # A warm rerun with nothing changed reads back its report: the cache key covers the
    # version, the settings, the matrix and every file's content (see cache.run_key).
    key = folder = None
    from orglint import ghactions

    # Under GitHub Actions every run appends its summary and orders its annotations by
    # the change: nothing to read back from a cached report.
    if settings.cache and stdin is None and args.write_baseline is None and not fixing \
            and not ghactions.active(os.environ):
        from orglint.resources import builtin_matrix_path

        baseline_bytes = None
        if args.baseline is not None:
            from orglint.baseline import read_bytes

            baseline_bytes = read_bytes(args.baseline, settings.limits.max_file_size)
        folder = cache.default_dir(settings.root)
        names = {source.display for source in gathered.named}
        fields = sorted((k, v) for k, v in vars(settings).items() if k != "origins")
        policies_then = policy_digest(settings)
        key = cache.run_key(
            (fields, today.isoformat(), args.paths, str(args.baseline), baseline_bytes, fmt,
             also_github, color, args.verbose, args.statistics, args.exit_zero,
             str(request.cwd), args.quiet, policies_then),
            (builtin_matrix_path("ai-platform"), settings.matrix),
            ((e.source.display in names, e.source.display, e.digest)
             for e in gathered.entries), settings.limits.max_file_size)
        report = cache.load_report(folder, key)
        if report is not None:
            if args.verbose:
                _say_settings(settings, gathered)
                print("orglint: cache: the whole report reused (nothing changed)",
                      file=sys.stderr)
            code = _deliver(report, args)
            kept = (_as_written(report, sys.stdout)
                    if args.output_file is None and not args.silent else None)
            if kept is not None:
                # The same rerun, while nothing it read changes, is answered before
                # orglint is even imported (``replay``).
                from orglint import replay

                replay.keep(kept, code, [str(folder)])
            return code

    from orglint.engine import plan, run

    the_plan = plan(settings, gathered)
    result = run(the_plan, request, gathered)
    stream = None
    if args.verbose:
        _say_settings(settings, gathered)
        print(f"orglint: cache: {_cache_note(settings, result)}", file=sys.stderr)
        for files, processes, why in result.processes:
            print(f"orglint: checked {plural(files, 'file')} in"
                  f" {plural(processes, 'process')} ({why})", file=sys.stderr)
    if fixing:
        # Only what orglint may touch (spec §6.1): the configuration's folder (or the
        # current one) and the paths named on the command line.
        from orglint.fixrun import apply_fixes

        roots = [settings.root, *(request.cwd / p for p in args.paths if p != "-")]
        done = apply_fixes(result, gathered, roots=roots, diff_only=args.diff,
                           unsafe=args.unsafe_fixes, verbose=args.verbose,
                           limit=settings.limits.max_file_size)
        if args.diff:
            changed = done.findings or done.roles
            return EXIT_FINDINGS if changed and not args.exit_zero else EXIT_OK
        if stdin is not None:
            # The fixed document goes to standard output, so the report goes to stderr.
            stdin = done.stdin if done.stdin is not None else stdin
            _write_stdout(stdin)
            stream = sys.stderr
            request = request._replace(stdin=stdin)
        if done.findings or done.roles:
            gathered = gather(settings, args.paths, cwd=request.cwd, stdin=stdin,
                              stdin_name=args.stdin_filename,
                              force_exclude=args.force_exclude)
            result = run(the_plan, request, gathered)
            result.fixed, result.roles_written = done.findings, done.roles
        if done.refused:
            result.findings = [f._replace(fix=None) if f.fix is not None
                               and f.file in done.refused else f for f in result.findings]
    if args.write_baseline is not None:
        from orglint import baseline

        # ORG001 cannot be baselined (it is reported whatever the baseline says).
        count = baseline.write(args.write_baseline,
                               [f for f in result.findings if f.code != "ORG001"])
        print(f"Wrote {plural(count, 'finding')} to {args.write_baseline}; later runs with"
              f" --baseline {args.write_baseline} report only new ones.",
              file=stream or sys.stdout)
        return EXIT_OK

    def view(whole: bool) -> Any:
        from orglint.engine import team_sizes
        from orglint.orgview import build

        return build(the_plan.matrix, gathered, settings.limits, whole=whole,
                     backstage=settings.backstage, both_sizes=team_sizes(the_plan))

    # A report that is not cached is written as it is made (see reporters.stream).
    report = _render(args, result, the_plan.rules, settings.fail_on,
                     result.exit_code(settings.fail_on, args.exit_zero), view,
                     streamed=key is None)
    # A run with notes or a hint is not kept (a warm rerun must say them again), nor one
    # that saw a file change under it.
    if (key is not None and folder is not None and not result.notes and not result.changed
            and not gathered.drift and policy_digest(settings) == policies_then
            and not _hinted(gathered, result)):
        cache.save_report(folder, key, report)
    code = _deliver(report, args, stream)
    _after(args, gathered, result)
    return code


def _format(args: argparse.Namespace) -> tuple[str, bool, bool]:
    """The output format, whether GitHub annotations go with it, and colour."""
    fmt = args.output_format
    also_github = fmt is None and os.environ.get("GITHUB_ACTIONS") == "true"
    fmt = fmt or "text"
    color = fmt == "text" and args.output_file is None and _color(sys.stdout, args.color)
    return fmt, also_github, color


class _Streamed(NamedTuple):
    """A report whose text is made while it is written (``cache.Report`` holds it all)."""

    pieces: Iterator[str]
    exit_code: int
    summary: str


def _render(args: argparse.Namespace, result: Any, rules: Any, fail_on: Any,
            exit_code: int, view: Callable[[bool], Any] | None = None, *,
            streamed: bool = False) -> Any:
    """The report of a run; under GitHub Actions, also its summary, appended to
    ``$GITHUB_STEP_SUMMARY``.  ``streamed``: a ``_Streamed`` report where the format
    allows it."""
    from orglint import cache, ghactions
    from orglint.reporters import ORG_FORMATS, ReportContext, get, stream
    from orglint.reporters.text import summary_line

    fmt, also_github, color = _format(args)
    summary = ghactions.summary_file(os.environ)
    org = None
    if view is not None and (fmt in ORG_FORMATS or summary is not None):
        # Only the HTML page shows allocation across the org: the rest needs the teams
        # of the files named.
        org = view(fmt == "html")
    ctx = ReportContext(rules=rules, fail_on=fail_on, color=color,
                        verbose=args.verbose, statistics=args.statistics, root=_cwd(),
                        quiet=args.quiet, org=org)
    annotated = ghactions.active(os.environ)
    pieces: Iterator[str] | None = None
    text = ""
    if streamed and not also_github and not (fmt == "github" and annotated):
        pieces = stream(fmt)(result, ctx)
    else:
        text = get(fmt)(result, ctx)
        if fmt == "github" or also_github:
            annotations = ghactions.github_text(result, ctx, args.paths, summary) \
                if annotated else get("github")(result, ctx)
            text = annotations if fmt == "github" else annotations + text
    if summary is not None:
        try:
            ghactions.append(summary, get("markdown")(result, ctx))
        except OrglintError as exc:  # the check itself is done: say it, keep its verdict
            _say("warning", str(exc))
    if pieces is not None:
        return _Streamed(pieces, exit_code, summary_line(result))
    return cache.Report(text, exit_code, summary_line(result))


def _scoped_settings(args: argparse.Namespace,
                     overrides: dict[str, Any]) -> list[tuple[Any, list[str]]]:
    """The settings for each group of paths named: the configuration nearest each file
    governs it, unless --config or --no-config names one for all."""
    if args.config is not None or args.no_config or all(p == "-" for p in args.paths):
        return [(_settings(args, overrides), args.paths)]
    from orglint.config import load_settings
    from orglint.scopes import scopes

    cwd = _cwd()
    return [(load_settings(cwd=cwd, config=scope.config, no_config=scope.config is None,
                           overrides=overrides, found=True), scope.paths)
            for scope in scopes(args.paths, cwd, stdin_name=args.stdin_filename)]


def _check_scopes(args: argparse.Namespace, scoped: list[tuple[Any, list[str]]]) -> int:
    """Files under several configurations: each group is checked with its own settings
    and org, and the findings are reported together."""
    import datetime as dt

    from orglint.files import Request
    from orglint.scopes import run_scopes

    if (args.fix or args.unsafe_fixes or args.diff or args.show_settings
            or args.write_baseline is not None):
        configs = ", ".join(str(s.config_file or "no configuration") for s, _ in scoped)
        raise UsageError("the paths named fall under different configurations ("
                         f"{configs}): use --fix, --diff, --show-settings and"
                         " --write-baseline on one of them at a time")
    stdin = None
    if "-" in args.paths:
        stdin = sys.stdin.buffer.read(max(s.limits.max_file_size for s, _ in scoped) + 1)
    request = Request(paths=args.paths, cwd=_cwd(), stdin=stdin,
                      stdin_name=args.stdin_filename, baseline=args.baseline, jobs=args.jobs,
                      today=dt.date.today())

    def guard(settings: Any, gathered: Any) -> None:
        _guard_outputs(args, settings, gathered)
        _notes(args, gathered)
        if args.verbose:
            _say_settings(settings, gathered)

    done = run_scopes(scoped, request, force_exclude=args.force_exclude, guard=guard)
    rules: dict[str, Any] = {}
    for run in done.runs:
        rules.update(run.plan.rules)
    exit_code = max(run.result.exit_code(run.plan.settings.fail_on, args.exit_zero)
                    for run in done.runs)
    code = _deliver(_render(args, done.result, rules, scoped[0][0].fail_on, exit_code), args)
    for run in done.runs:
        _after(args, run.gathered, run.result)
    return code


def _say(level: str, message: str) -> None:
    """``orglint: LEVEL: MESSAGE`` on standard error.  Messages name paths, keys and
    values from the repository: one line, every control character escaped."""
    from orglint.escape import visible

    print(f"orglint: {level}: {visible(message)}", file=sys.stderr)


def _notes(args: argparse.Namespace, gathered: Any) -> None:
    """What -v says about how the org was put together, before the work starts."""
    if args.verbose:
        for note in gathered.notes:
            _say("note", note)


def _hinted(gathered: Any, result: Any) -> bool:
    """Whether the run saw only the files named and they refer to what it did not see."""
    return bool(gathered.partial and result.unresolved)


def _after(args: argparse.Namespace, gathered: Any, result: Any) -> None:
    """What stderr says after the report: the org's unreadable files, a partial org."""
    if args.silent:
        return
    for note in result.notes:
        _say("note", note)
    # -q prints the findings only: a hint is advice, where a note says what was not read.
    if _hinted(gathered, result) and not args.quiet:
        print("orglint: hint: cross-file rules saw only the files named; set `paths:` in"
              " .orglint.yaml to check against the whole org", file=sys.stderr)


def _say_settings(settings: Any, gathered: Any) -> None:
    """-v: what the run was made of, on standard error (the report stays parseable)."""
    from orglint.escape import visible

    config = settings.config_file
    print(f"orglint: configuration: {visible(str(config))}" if config is not None else
          "orglint: configuration: none found (defaults)", file=sys.stderr)
    named = len(gathered.named)
    print(f"orglint: {plural(len(gathered.entries), 'org file')} loaded,"
          f" {named} named for reporting", file=sys.stderr)


def _cache_note(settings: Any, result: Any) -> str:
    if not settings.cache:
        return "off"
    return (f"{plural(result.cache_hits, 'file')} served from the cache,"
            f" {result.cache_misses} checked")


def _deliver(report: Any, args: argparse.Namespace, stream: TextIO | None = None) -> int:
    quiet_file = args.quiet and args.output_file is not None
    if not args.silent and not quiet_file:
        return _emit(report, args, stream)
    import contextlib
    import io

    # -s: the report file (if any) is still written, nothing is printed; -q with a report
    # file: no summary on standard error either.
    with contextlib.redirect_stderr(io.StringIO()):
        if not args.silent:
            return _emit(report, args, stream)
        with contextlib.redirect_stdout(io.StringIO()):
            return _emit(report, args, stream)


def _guard_outputs(args: argparse.Namespace, settings: Any, gathered: Any) -> None:
    """Refuse, before any work, an output path whose replacement would destroy something."""
    if args.output_file is None and args.write_baseline is None:
        return  # nothing to guard, nor the modules that guard it to import
    from orglint import fsutil
    from orglint.baseline import foreign

    for flag, path in (("--output-file", args.output_file),
                       ("--write-baseline", args.write_baseline)):
        if path is None:
            continue
        try:
            linked = fsutil.folder_link(path)
            if linked is not None:
                raise OrglintError(f"{flag} {path}: will not write it: {linked}")
            info = fsutil.lstat(path)
            if info is None:
                continue
            reason = fsutil.refusal(path, info) or _input_file(info, args, settings, gathered)
            if reason is None and flag == "--write-baseline":
                reason = foreign(path)
        except OSError as exc:
            raise OrglintError(f"{flag} {path}: {exc.strerror or exc}") from None
        if reason is not None:
            raise OrglintError(f"{flag} {path}: will not replace it: {reason}")


def _input_file(info: os.stat_result, args: argparse.Namespace, settings: Any,
                gathered: Any) -> str | None:
    """What ``info`` is if orglint reads it in this run: an output must not destroy it."""
    inputs = [(entry.source.path, f"{entry.source.display}, one of the org's files")
              for entry in gathered.entries if entry.source.path is not None]
    inputs += [(settings.config_file, "the configuration file"),
               (settings.matrix, "the role matrix"),
               (args.baseline, "the baseline given with --baseline")]
    for path, what in inputs:
        if path is None:
            continue
        try:
            other = os.stat(path)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino):
            return f"it is {what}"
    return None


def _emit(report: Any, args: argparse.Namespace, stream: TextIO | None = None) -> int:
    if args.output_file is not None:
        from orglint import fsutil

        try:
            reason = fsutil.folder_link(args.output_file)
            if reason is not None:
                raise fsutil.Refused(reason)
            from orglint.cache import KeptReport

            kept = report.utf8() if isinstance(report, KeptReport) else None
            fsutil.replace(args.output_file, (bytes(kept),) if kept is not None else
                           (piece.encode("utf-8") for piece in _texts(report)))
        except fsutil.Refused as exc:
            raise OrglintError(f"cannot write {args.output_file}: {exc}") from None
        except OSError as exc:
            raise OrglintError(f"cannot write {args.output_file}: {exc.strerror}") from None
        print(report.summary, file=sys.stderr)
    else:
        out = stream or sys.stdout
        kept = _as_written(report, out)
        if kept is not None:
            out.flush()
            out.buffer.write(kept)
        else:
            for piece in _texts(report):
                out.write(piece)
        out.flush()
    code: int = report.exit_code
    return code


def _as_written(report: Any, out: TextIO) -> memoryview | None:
    """A kept report's bytes where writing its text to ``out`` would give just those
    bytes (a UTF-8 stream that does not translate newlines): a warm run then neither
    decodes nor encodes its megabytes."""
    import codecs

    from orglint.cache import KeptReport

    if not isinstance(report, KeptReport) or os.linesep != "\n" \
            or getattr(out, "buffer", None) is None:
        return None
    try:
        if codecs.lookup(out.encoding).name != "utf-8":
            return None
    except (LookupError, TypeError):
        return None
    return report.utf8()


def _texts(report: Any) -> Iterable[str]:
    return report.pieces if isinstance(report, _Streamed) else (report.text,)


def _write_stdout(data: bytes) -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # a text-only stream (tests, embedding)
        sys.stdout.write(data.decode("utf-8", "replace"))
        sys.stdout.flush()


def _rule(args: argparse.Namespace) -> int:
    from orglint.docs import rule_json, rule_page
    from orglint.rules import RULES, UnknownRuleError, get

    if args.all:
        # The built-in rules, then the org's own: its matrix's anti-patterns and its
        # policies, documented like built-in rules (spec section 7).  A configuration
        # that cannot be read costs the org's own rules, not the built-in ones' pages.
        try:
            own = _org_rules(args)
        except OrglintError as exc:
            _say("note", f"the org's own rules are not listed: {exc}")
            own = {}
        rules = list(RULES) + sorted((r for code, r in own.items()
                                      if code not in {b.code for b in RULES}),
                                     key=lambda r: r.code)
    elif args.rule:
        try:
            rules = [get(args.rule)]
        except UnknownRuleError:
            # An org's own codes: its matrix's anti-patterns and its policies.
            from orglint.schema import did_you_mean

            known = _org_rules(args)
            try:
                rules = [get(args.rule, known)]
            except UnknownRuleError:
                pass
            else:
                print(_shown(rule_page(rules[0])) if args.output_format == "text"
                      else json_text(rule_json(rules[0])), end="")
                return EXIT_OK
            choices = [r.code for r in known.values()] + [r.name for r in known.values()]
            raise UsageError(f"no such rule: {args.rule}{did_you_mean(args.rule, choices)}"
                             " (see 'orglint rule --all')") from None
    else:
        raise UsageError("give a rule code or name, or --all")
    if args.output_format == "json":
        data: Any = [rule_json(r) for r in rules] if args.all else rule_json(rules[0])
        print(json_text(data))
    else:
        print(_shown("\n---\n\n".join(rule_page(r) for r in rules)), end="")
    return EXIT_OK


def _org_rules(args: argparse.Namespace) -> dict[str, Any]:
    """Every rule ``check`` would run in this org, the org's own included: the policies
    of the configuration's `policies:` and those among the files a plain `check` reads."""
    from orglint.engine import plan

    # Only read: a command that explains rules writes no cache into the folder.
    settings = _settings(args, {"no_cache": True})
    return plan(settings, _configured_org(settings)).rules


def _configured_org(settings: Any) -> Any:
    """The files a plain `orglint check` checks, gathered (those `paths:` names, else
    the current folder's), or None when there are none: the configuration's `policies:`
    still count."""
    from orglint.errors import ConfigError, PathError
    from orglint.files import gather

    try:
        return gather(settings, [], cwd=_cwd())
    except (ConfigError, PathError):
        return None


def _shown(page: str) -> str:
    """A rule page for the terminal: an org's own rules are documented from its matrix
    and policy files, whose text must not reach the terminal or a CI log as escapes or
    workflow commands."""
    from orglint.escape import defused, visible

    return defused(visible(page, newlines=True))


def _matrix(args: argparse.Namespace) -> Any:
    from orglint.matrix import load_matrix

    settings = _settings(args)
    return load_matrix(settings.matrix, settings.limits.max_file_size)


def _team_sizes(args: argparse.Namespace, matrix: Any) -> dict[str, int]:
    """The team sizes the enabled holds-both rules run with (``team-size:``), their
    options parsed as a check parses them.  Explaining a role checks nothing else (no
    plan, no policy loaded): an option a check would refuse is left to that check."""
    settings = _settings(args)
    if not settings.rule_options:
        return {}
    from orglint.engine import enabled_rules
    from orglint.errors import ConfigError
    from orglint.options import parse as parse_options
    from orglint.rules import REGISTRY
    from orglint.rules.patterns import both_sizes, custom_rules
    from orglint.selection import names_rule

    known = {**REGISTRY, **{r.code: r for r in custom_rules(matrix, set(REGISTRY))}}
    rules = []
    for rule in enabled_rules(settings, known).values():
        for name, values in settings.rule_options.items():
            if names_rule(name, rule.code, rule.name):
                with contextlib.suppress(ConfigError):
                    rules.append(rule(parse_options(rule.Options, values, f"rules.{name}")))
    return both_sizes(rules)


def _roles(args: argparse.Namespace) -> int:
    from orglint.explore import role_json, role_text, roles_text

    matrix = _matrix(args)
    sizes = _team_sizes(args, matrix)
    if args.list is not None:
        from orglint.ids import ids_json, ids_text

        if args.role is not None:
            raise UsageError("give a ROLE or --list KIND, not both")
        if args.output_format == "json":
            print(json_text(ids_json(matrix, args.list)))
        else:
            print(ids_text(matrix, args.list), end="")
        return EXIT_OK
    if args.role is None:
        if args.output_format == "json":
            print(json_text([role_json(matrix, r, sizes) for r in matrix.roles]))
        else:
            print(roles_text(matrix), end="")
        return EXIT_OK
    if args.role in matrix.roles:
        if args.output_format == "json":
            print(json_text(role_json(matrix, args.role, sizes)))
        else:
            print(role_text(matrix, args.role, sizes), end="")
        return EXIT_OK
    from orglint.explore import title_json, title_text
    from orglint.schema import closest, did_you_mean

    read = matrix.resolve_title(args.role)
    # One word close to a role id is a mistyped id, not a title to read.
    if read.role is None and not read.ambiguous and len(args.role.split()) == 1 and closest(
            args.role, list(matrix.roles)):
        raise UsageError(f"no such role: {args.role}{did_you_mean(args.role, matrix.roles)}")
    if args.output_format == "json":
        print(json_text(title_json(matrix, args.role, read)))
    else:
        print(title_text(matrix, args.role, read), end="")
    return EXIT_OK


def _compose(args: argparse.Namespace) -> int:
    from orglint.explore import COMPOSE_MAX, compose, compose_text
    from orglint.schema import did_you_mean

    matrix = _matrix(args)
    if args.size < 1 or args.size > COMPOSE_MAX:
        raise UsageError(f"--size must be from 1 to {COMPOSE_MAX}")
    if not matrix.spec.maturity:
        raise UsageError(f"the matrix '{matrix.name}' recommends no mix for any maturity stage"
                         " (its `maturity:` is empty): nothing to compose")
    if args.maturity not in matrix.spec.maturity:
        raise UsageError(f"unknown maturity '{args.maturity}'"
                         f"{did_you_mean(args.maturity, matrix.spec.maturity)}; one of "
                         + ", ".join(matrix.spec.maturity))
    systems = list(dict.fromkeys(s for group in args.systems for s in group))
    for system in systems:
        if system not in matrix.systems:
            raise UsageError(f"unknown system '{system}'{did_you_mean(system, matrix.systems)}")
    result = compose(matrix, args.size, args.maturity, systems)
    if args.output_format == "json":
        print(json_text(result.to_json()))
    else:
        print(compose_text(result, matrix), end="")
    return EXIT_OK


_KIND_NOTES = {
    "Team": "a team: its stage, systems, practices and members",
    "People": "a registry of persons that team files refer to",
    "RoleMatrix": "an organisation's own role matrix",
    "Group": "a division or department that teams and groups name as parent",
    "Config": ".orglint.yaml (and [tool.orglint] in pyproject.toml)",
    "Policy": "an organisation's own rules, in CEL, with their tests",
}


def _schema(args: argparse.Namespace) -> int:
    from orglint.resources import SCHEMA_FILES, schema_text

    if args.kind is None:
        # One schema for a document of any kind, chosen by its `kind` (what an editor
        # given no hint of the kind needs); the kinds are listed on a terminal.
        print(json_text(_any_kind_schema(args)))
        if sys.stderr.isatty():
            width = max(len(k) for k in SCHEMA_FILES)
            print("\norglint: every kind in one schema; 'orglint schema KIND' prints one:",
                  file=sys.stderr)
            for name in SCHEMA_FILES:
                print(f"  {name:<{width}}  {_KIND_NOTES.get(name, '')}".rstrip(),
                      file=sys.stderr)
        return EXIT_OK
    kinds = {k.lower().replace("-", ""): k for k in SCHEMA_FILES}
    kind = kinds.get(args.kind.lower().replace("-", ""))
    if kind is None:
        raise UsageError(f"unknown kind '{args.kind}'; one of {', '.join(SCHEMA_FILES)}")
    if kind not in ("Team", "People"):
        sys.stdout.write(schema_text(kind))
        return EXIT_OK
    from orglint.ids import with_matrix_ids
    from orglint.resources import schema as schema_data

    # The ids the configured matrix knows, for editors to complete.
    print(json_text(with_matrix_ids(schema_data(kind), _matrix(args))))
    return EXIT_OK


def _any_kind_schema(args: argparse.Namespace) -> dict[str, Any]:
    """The schema of an orglint document of any kind: each kind's schema embedded (its
    own ``$id``, so its references stay its own) and applied when ``kind`` names it."""
    from orglint.ids import with_matrix_ids
    from orglint.resources import SCHEMA_FILES
    from orglint.resources import schema as schema_data

    kinds = [k for k in SCHEMA_FILES if k != "Config"]  # .orglint.yaml has no kind
    matrix = _matrix(args)
    defs = {k: with_matrix_ids(schema_data(k), matrix) if k in ("Team", "People")
            else schema_data(k) for k in kinds}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://orglint.dev/schemas/orglint.schema.json",
        "title": "orglint document",
        "description": "Any orglint document, checked by the schema of the kind it names.",
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {"kind": {"enum": kinds}},
        "allOf": [{"if": {"properties": {"kind": {"const": k}}, "required": ["kind"]},
                   "then": {"$ref": defs[k]["$id"]}} for k in kinds],
        "$defs": defs,
    }


def _test(args: argparse.Namespace) -> int:
    from orglint.matrix import load_matrix
    from orglint.policy.testing import (
        NO_COVERAGE,
        coverage,
        files_under,
        load_for_test,
        report,
        run_tests,
    )

    settings = _settings(args, {"no_cache": True})  # tests write no cache into the folder
    if args.paths:
        files = files_under(args.paths, Path.cwd(), settings.limits.max_file_size)
    else:
        from orglint.policy.find import policy_files

        # The policies `check` obeys: the `policies:` globs, and Policy files among the
        # files `paths:` names.
        files = policy_files(settings, _configured_org(settings))
    policies = load_for_test(files, load_matrix(settings.matrix), settings.limits)
    results = run_tests(policies)
    covered = coverage(policies) if args.require_coverage else NO_COVERAGE
    sys.stdout.write(report(results, covered, args.output_format))
    return EXIT_FINDINGS if covered.missing or any(not r.ok for r in results) else EXIT_OK


def _clean(args: argparse.Namespace) -> int:
    from orglint import replay
    from orglint.cache import clean, default_dir

    # A record names no project: all of them go, to be made again.
    _, kept = replay.forget()
    # No settings snapshot: it would be written into the cache about to be removed.
    done = clean(default_dir(_settings(args, {"no_cache": True}).root))
    if done.refused:
        raise OrglintError(done.message)
    print(done.message)
    if kept is not None:
        # A record left could still answer a rerun: say so, rather than exit 0.
        raise OrglintError(f"could not remove every replay record ({kept})")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from orglint.importers.command import print_report, run

    report = run(args.source, list(args.paths), args.output, maturity=args.maturity,
                 columns=args.column, matrix=_matrix(args))
    print_report(report, sys.stdout, sys.stderr)
    return EXIT_OK
