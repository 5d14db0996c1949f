"""The command line: argv → settings → engine → reporter → exit code.

Heavy modules (PyYAML, jsonschema-rs, pydantic for rule options) are imported only by the
subcommands that need them, so ``orglint --version`` and ``orglint schema`` start instantly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from orglint import __version__
from orglint.errors import OrglintError, UsageError
from orglint.reporters import FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="orglint", description="Lint AI platform team definitions against "
                     "a role matrix.")
    parser.add_argument("--version", action="version", version=f"orglint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="check team, people and matrix files")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="files or folders ('-' reads standard input)")
    check.add_argument("--output-format", choices=FORMATS, default=None)
    check.add_argument("--output-file", type=Path, metavar="PATH")
    check.add_argument("--select", type=_codes, action="append", metavar="CODES",
                       help="codes, prefixes (ORG1), rule names or ALL, comma-separated")
    check.add_argument("--extend-select", type=_codes, action="append", metavar="CODES")
    check.add_argument("--ignore", type=_codes, action="append", metavar="CODES")
    check.add_argument("--fail-on", choices=("error", "warning", "info"))
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are findings")
    check.add_argument("--statistics", action="store_true", help="count findings per rule")
    check.add_argument("--config", type=Path, metavar="PATH")
    check.add_argument("--no-config", action="store_true")
    check.add_argument("--stdin-filename", metavar="NAME")
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
    check.add_argument("--no-cache", action="store_true")
    check.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: cores)")
    check.add_argument("-v", "--verbose", action="store_true")
    check.add_argument("--version", action="version", version=f"orglint {__version__}")

    rule = sub.add_parser("rule", help="explain a rule")
    rule.add_argument("rule", nargs="?", metavar="CODE|NAME")
    rule.add_argument("--all", action="store_true")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")

    roles = sub.add_parser("roles", help="explore the role matrix")
    roles.add_argument("role", nargs="?")
    roles.add_argument("--output-format", choices=("text", "json"), default="text")
    roles.add_argument("--config", type=Path, metavar="PATH")
    roles.add_argument("--no-config", action="store_true")

    compose = sub.add_parser("compose", help="recommend a team mix and flag staffing gaps")
    compose.add_argument("--size", type=int, required=True)
    compose.add_argument("--maturity", required=True)
    compose.add_argument("--systems", nargs="*", default=[], type=_codes, action="extend",
                         metavar="SYSTEM", help="systems the team runs, comma- or"
                         " space-separated")
    compose.add_argument("--output-format", choices=("text", "json"), default="text")
    compose.add_argument("--config", type=Path, metavar="PATH")
    compose.add_argument("--no-config", action="store_true")

    schema = sub.add_parser("schema", help="print a JSON Schema")
    schema.add_argument("kind", nargs="?", default="Team",
                        help="Team (default), People, Group, RoleMatrix, Config or Policy")

    test = sub.add_parser("test", help="run the tests of the org's policies")
    test.add_argument("paths", nargs="*", metavar="PATH",
                      help="policy files or folders (default: the configured policies)")
    test.add_argument("--output-format", choices=("text", "json", "junit"), default="text")
    test.add_argument("--require-coverage", action="store_true",
                      help="also fail when a rule lacks a test expecting pass and one"
                      " expecting fail")
    test.add_argument("--config", type=Path, metavar="PATH")
    test.add_argument("--no-config", action="store_true")

    clean = sub.add_parser("clean", help="remove the result cache")
    clean.add_argument("--config", type=Path, metavar="PATH")
    clean.add_argument("--no-config", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(args_list)
        if args.command is None:
            parser.print_help()
            return EXIT_ERROR
        handler = {"check": _check, "rule": _rule, "roles": _roles, "compose": _compose,
                   "schema": _schema, "clean": _clean, "test": _test}[args.command]
        return handler(args)
    except OrglintError as exc:
        print(f"orglint: error: {exc}", file=sys.stderr)
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
        print(f"orglint: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("ORGLINT_DEBUG"):
            raise
        return EXIT_ERROR


def _settings(args: argparse.Namespace, overrides: dict[str, Any] | None = None) -> Any:
    from orglint.config import load_settings

    return load_settings(cwd=Path.cwd(), config=getattr(args, "config", None),
                         no_config=getattr(args, "no_config", False), overrides=overrides)


def _flat(groups: list[list[str]] | None) -> list[str]:
    return [code for group in groups or [] for code in group]


def _color(stream: TextIO) -> bool:
    if "NO_COLOR" in os.environ:
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _check(args: argparse.Namespace) -> int:
    import datetime as dt

    for flag, value in (("--select", args.select), ("--extend-select", args.extend_select),
                        ("--ignore", args.ignore)):
        if value is not None and not _flat(value):
            raise UsageError(f"{flag} needs at least one code, prefix, name or ALL")

    from orglint import cache
    from orglint.files import Request, gather
    from orglint.policy.find import configured_digest as policy_digest

    settings = _settings(args, {
        "select": _flat(args.select) if args.select is not None else None,
        "extend_select": _flat(args.extend_select),
        "ignore": _flat(args.ignore), "fail_on": args.fail_on, "no_cache": args.no_cache,
    })
    if args.show_settings:
        print(json.dumps(settings.shown(), indent=2))
        return EXIT_OK
    if args.output_file is not None and str(args.output_file) == "-":
        args.output_file = None  # ruff's convention: '-' is standard output
    fixing = args.fix or args.unsafe_fixes or args.diff
    if fixing and "-" in args.paths and any(p != "-" for p in args.paths):
        raise UsageError("--fix and --diff on standard input print the fixed text to"
                         " standard output: name no other path with '-'")
    stdin = None
    if "-" in args.paths:
        stdin = sys.stdin.buffer.read(settings.limits.max_file_size + 1)
    today = dt.date.today()
    request = Request(paths=args.paths, cwd=Path.cwd(), stdin=stdin,
                      stdin_name=args.stdin_filename, baseline=args.baseline, jobs=args.jobs,
                      today=today)
    gathered = gather(settings, args.paths, cwd=request.cwd, stdin=stdin,
                      stdin_name=args.stdin_filename)
    _guard_outputs(args, settings, gathered)

    fmt = args.output_format
    also_github = fmt is None and os.environ.get("GITHUB_ACTIONS") == "true"
    fmt = fmt or "text"
    color = fmt == "text" and args.output_file is None and _color(sys.stdout)
    # A warm rerun with nothing changed reads back its report: the cache key covers the
    # version, the settings, the matrix and every file's content (see cache.run_key).
    key = folder = None
    if settings.cache and stdin is None and args.write_baseline is None and not fixing:
        baseline_bytes = (args.baseline.read_bytes()
                          if args.baseline is not None and args.baseline.is_file() else None)
        folder = cache.default_dir(settings.root)
        key = cache.run_key(settings, gathered, (
            today.isoformat(), args.paths, str(args.baseline), baseline_bytes, fmt,
            also_github, color, args.verbose, args.statistics, args.exit_zero,
            str(Path.cwd()), policy_digest(settings)))
        report = cache.load_report(folder, key)
        if report is not None:
            return _emit(report, args)

    from orglint.engine import plan, run

    the_plan = plan(settings, gathered)
    result = run(the_plan, request, gathered)
    stream = None
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
                              stdin_name=args.stdin_filename)
            result = run(the_plan, request, gathered)
            result.fixed, result.roles_written = done.findings, done.roles
    if args.write_baseline is not None:
        from orglint import baseline

        count = baseline.write(args.write_baseline, result.findings)
        print(f"Wrote {count} finding(s) to {args.write_baseline}; later runs with"
              f" --baseline {args.write_baseline} report only new ones.",
              file=stream or sys.stdout)
        return EXIT_OK

    from orglint.reporters import ReportContext, get
    from orglint.reporters.text import summary_line

    ctx = ReportContext(rules=the_plan.rules, fail_on=settings.fail_on, color=color,
                        verbose=args.verbose, statistics=args.statistics, root=Path.cwd())
    text = get(fmt)(result, ctx)
    if also_github:
        text = get("github")(result, ctx) + text
    report = cache.Report(text, result.exit_code(settings.fail_on, args.exit_zero),
                          summary_line(result))
    # A run with notes is not kept: a warm rerun must say them again.
    if key is not None and folder is not None and not result.notes:
        cache.save_report(folder, key, report)
    code = _emit(report, args, stream)
    for note in result.notes:
        print(f"orglint: note: {note}", file=sys.stderr)
    return code


def _guard_outputs(args: argparse.Namespace, settings: Any, gathered: Any) -> None:
    """Refuse, before any work, an output path whose replacement would destroy something."""
    from orglint import fsutil
    from orglint.baseline import foreign

    for flag, path in (("--output-file", args.output_file),
                       ("--write-baseline", args.write_baseline)):
        if path is None:
            continue
        try:
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
            fsutil.replace(args.output_file, report.text.encode("utf-8"))
        except fsutil.Refused as exc:
            raise OrglintError(f"cannot write {args.output_file}: {exc}") from None
        except OSError as exc:
            raise OrglintError(f"cannot write {args.output_file}: {exc.strerror}") from None
        print(report.summary, file=sys.stderr)
    else:
        out = stream or sys.stdout
        out.write(report.text)
        out.flush()
    code: int = report.exit_code
    return code


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
        rules = list(RULES)
    elif args.rule:
        try:
            rules = [get(args.rule)]
        except UnknownRuleError:
            # An org's own codes: its matrix's anti-patterns and its policies.
            from orglint.engine import plan
            from orglint.schema import did_you_mean

            known = plan(_settings(args)).rules
            try:
                rules = [get(args.rule, known)]
            except UnknownRuleError:
                pass
            else:
                print(rule_page(rules[0]) if args.output_format == "text"
                      else json.dumps(rule_json(rules[0]), indent=2), end="")
                return EXIT_OK
            choices = [r.code for r in known.values()] + [r.name for r in known.values()]
            raise UsageError(f"no such rule: {args.rule}{did_you_mean(args.rule, choices)}"
                             " (see 'orglint rule --all')") from None
    else:
        raise UsageError("give a rule code or name, or --all")
    if args.output_format == "json":
        data: Any = [rule_json(r) for r in rules] if args.all else rule_json(rules[0])
        print(json.dumps(data, indent=2))
    else:
        print("\n---\n\n".join(rule_page(r) for r in rules), end="")
    return EXIT_OK


def _matrix(args: argparse.Namespace) -> Any:
    from orglint.matrix import load_matrix

    return load_matrix(_settings(args).matrix)


def _roles(args: argparse.Namespace) -> int:
    from orglint.explore import role_json, role_text, roles_text

    matrix = _matrix(args)
    if args.role is None:
        if args.output_format == "json":
            print(json.dumps([role_json(matrix, r) for r in matrix.roles], indent=2))
        else:
            print(roles_text(matrix), end="")
        return EXIT_OK
    if args.role in matrix.roles:
        if args.output_format == "json":
            print(json.dumps(role_json(matrix, args.role), indent=2))
        else:
            print(role_text(matrix, args.role), end="")
        return EXIT_OK
    from orglint.explore import title_json, title_text
    from orglint.schema import closest, did_you_mean

    read = matrix.resolve_title(args.role)
    # One word close to a role id is a mistyped id, not a title to read.
    if read.role is None and not read.ambiguous and len(args.role.split()) == 1 and closest(
            args.role, list(matrix.roles)):
        raise UsageError(f"no such role: {args.role}{did_you_mean(args.role, matrix.roles)}")
    if args.output_format == "json":
        print(json.dumps(title_json(matrix, args.role, read), indent=2))
    else:
        print(title_text(matrix, args.role, read), end="")
    return EXIT_OK


def _compose(args: argparse.Namespace) -> int:
    from orglint.explore import compose, compose_text
    from orglint.schema import did_you_mean

    matrix = _matrix(args)
    if args.size < 1 or args.size > 1000:
        raise UsageError("--size must be from 1 to 1000")
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
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(compose_text(result, matrix), end="")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from orglint.resources import SCHEMA_FILES, schema_text

    kinds = {k.lower().replace("-", ""): k for k in SCHEMA_FILES}
    kind = kinds.get(args.kind.lower().replace("-", ""))
    if kind is None:
        raise UsageError(f"unknown kind '{args.kind}'; one of {', '.join(SCHEMA_FILES)}")
    sys.stdout.write(schema_text(kind))
    return EXIT_OK


def _test(args: argparse.Namespace) -> int:
    from orglint.matrix import load_matrix
    from orglint.policy.testing import files_under, load_for_test, report, run_tests, uncovered

    settings = _settings(args)
    if args.paths:
        files = files_under(args.paths, Path.cwd(), settings.limits.max_file_size)
    else:
        from orglint.policy.find import policy_files

        files = policy_files(settings, None)
    policies = load_for_test(files, load_matrix(settings.matrix), settings.limits)
    results = run_tests(policies)
    missing = uncovered(policies) if args.require_coverage else []
    sys.stdout.write(report(results, missing, args.output_format))
    return EXIT_FINDINGS if missing or any(not r.ok for r in results) else EXIT_OK


def _clean(args: argparse.Namespace) -> int:
    from orglint.cache import clean, default_dir

    folder = default_dir(_settings(args).root)
    removed = clean(folder)
    print(f"removed {folder}" if removed else f"no cache at {folder}")
    return EXIT_OK
