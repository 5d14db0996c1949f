"""Policy files: read, checked against ``schemas/policy.schema.json``, turned into rules.

Every mistake in a policy is exit 2 (``PolicyError``) with the file, line and column,
for the expression errors the place inside the expression (see ``positions``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orglint.errors import OrglintError
from orglint.hashing import blake2b
from orglint.loader import Document, Limits, load
from orglint.ntuple import NamedTuple

TARGETS = ("team", "member", "person", "org")


class PolicyError(OrglintError):
    """A policy that orglint cannot use: exit 2 with its place."""


class Expr(NamedTuple):
    """One CEL expression of a policy file and where its scalar is."""

    source: str
    file: str
    line: int
    column: int
    end_line: int
    text: str  # the whole policy file, to map places inside the expression
    end_column: int = 0  # where the scalar ends on ``end_line`` (0: unknown)

    def where(self, inner_line: int = 1, inner_column: int = 1) -> str:
        from orglint.policy.positions import locate

        line, column = locate(self.text, self.line, self.column, self.end_line, self.source,
                              inner_line, inner_column, self.end_column)
        return f"{self.file}:{line}:{column}"


class RuleSpec(NamedTuple):
    code: str
    name: str
    severity: str
    target: str
    expression: Expr
    match: Expr | None
    variables: tuple[tuple[str, Expr], ...]
    message: str | None
    message_expression: Expr | None
    at: str | None
    docs: dict[str, str]
    summary: str
    file: str
    place: str  # file:line:col of the rule's code


class TestSpec(NamedTuple):
    name: str
    rule: str
    expect: str
    inputs: dict[str, Any]
    file: str
    place: str


class PolicyFile(NamedTuple):
    path: str
    rules: list[RuleSpec]
    tests: list[TestSpec]
    raw: bytes


def _expr(doc: Document, text: str, file: str, path: tuple[str | int, ...],
          value: str) -> Expr:
    span = doc.source.span(path)
    return Expr(value, file, span.line, span.column, span.end_line, text, span.end_column)


def _at_problem(target: str, at: str) -> str | None:
    """Why ``at`` names no place a finding of a ``target`` rule can point at, or None:
    a misspelt key pointed the finding at the nearest key above it, silently."""
    from orglint.resources import schema

    if target not in ("team", "member"):
        return None  # a person's or the org's finding has its own place (README)
    root = schema("Team")
    defs = root.get("$defs", {})
    node: Any = defs.get("member", {}) if target == "member" else root
    for part in at.split("."):
        while isinstance(node, dict) and "$ref" in node:
            node = defs.get(str(node["$ref"]).rsplit("/", 1)[-1], {})
        if not isinstance(node, dict):
            return None  # past what the schema describes: nothing to hold it to
        properties = node.get("properties")
        if part.isdigit() and "items" in node:
            node = node["items"]
        elif properties is not None and part in properties:
            node = properties[part]
        elif properties is None and "items" not in node:
            return None  # a map of free keys (labels, annotations), or a scalar's end
        elif node.get("additionalProperties") not in (None, False):
            node = node["additionalProperties"]
        elif part.startswith("x-") and "patternProperties" in node:
            node = {}  # an extension key: free
        else:
            return f"'at: {at}' names no place of a {target} ('{part}' is not a key there)"
    return None


def _place(doc: Document, file: str, path: tuple[str | int, ...]) -> str:
    span = doc.source.span(path)
    return f"{file}:{span.line}:{span.column}"


def read_policy_file(path: Path, display: str, limits: Limits, *,
                     tests: bool = False) -> PolicyFile:
    """The policies of one file; with ``tests`` (``orglint test``), each test's file
    inputs read where the test is (a check never reads them)."""
    from orglint.files import read_limited
    from orglint.schema import validate

    raw = read_limited(path, limits.max_file_size)
    loaded = load(raw, display, limits)
    if loaded.findings:
        first = loaded.findings[0]
        raise PolicyError(f"{display}:{first.line}:{first.column}: {first.message}")
    result = PolicyFile(display, [], [], raw)
    for doc in loaded.documents:
        if not isinstance(doc.data, dict) or doc.data.get("kind") != "Policy":
            continue
        problems = validate(doc, "Policy", display)
        if problems:
            first = problems[0]
            raise PolicyError(f"{display}:{first.line}:{first.column}: {first.message}")
        _read_document(doc, loaded.text, display, path, limits, result, tests)
    return result


def _read_document(doc: Document, text: str, file: str, path: Path, limits: Limits,
                   out: PolicyFile, tests: bool = False) -> None:
    spec = doc.data["spec"]
    for i, rule in enumerate(spec["rules"]):
        base: tuple[str | int, ...] = ("spec", "rules", i)

        def expr(key: str, rule: dict[str, Any] = rule,
                 base: tuple[str | int, ...] = base) -> Expr | None:
            value = rule.get(key)
            return None if value is None else _expr(doc, text, file, (*base, key), value)

        expression = expr("expression")
        assert expression is not None  # required by the schema
        variables = tuple((v["name"], _expr(doc, text, file, (*base, "variables", j,
                                                              "expression"), v["expression"]))
                          for j, v in enumerate(rule.get("variables", [])))
        docs = dict(rule.get("docs", {}))
        at = rule.get("at")
        if at is not None:
            wrong = _at_problem(rule["target"], at)
            if wrong is not None:
                raise PolicyError(f"{_place(doc, file, (*base, 'at'))}: {wrong}")
        out.rules.append(RuleSpec(
            rule["code"], rule["name"], rule.get("severity", "warning"), rule["target"],
            expression, expr("match"), variables, rule.get("message"),
            expr("messageExpression"), rule.get("at"), docs,
            _sentence(rule.get("summary") or rule.get("message")
                      or rule["name"].replace("-", " ")),
            file, _place(doc, file, (*base, "code"))))
    for i, test in enumerate(spec.get("tests", [])):
        base = ("spec", "tests", i)
        inputs: dict[str, Any] = {}
        for target in TARGETS:
            if target in test:
                value = test[target]
                # A file is read when the tests run (``resolved``), never by a check:
                # a check's report must not depend on what only ``orglint test`` reads.
                if set(value) == {"file"} and isinstance(value["file"], str):
                    value = FileInput(value, path, limits,
                                      _place(doc, file, (*base, target)))
                inputs[target] = resolved(value) if tests else value
        out.tests.append(TestSpec(test["name"], test["rule"], test["expect"], inputs, file,
                                  _place(doc, file, (*base, "name"))))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class FileInput(NamedTuple):
    """A test input given as ``{file: PATH}`` (relative to the policy file): its first
    document is the input."""

    value: dict[str, Any]
    policy: Path
    limits: Limits
    where: str


def resolved(value: Any) -> Any:
    """A test input as the test sees it: a ``FileInput`` read now."""
    return _input(*value) if isinstance(value, FileInput) else value


def _input(value: dict[str, Any], policy: Path, limits: Limits, where: str) -> Any:
    from orglint.confine import boundary, inside
    from orglint.files import read_limited

    if "\0" in value["file"]:  # the OS refuses it with a ValueError, not an OSError
        raise PolicyError(f"{where}: test input: a path cannot hold a NUL character")
    target = (policy.parent / value["file"])
    # A policy file comes from the repository, maybe from a fork's pull request: what
    # it names must be the repository's too, or an error could quote /etc or ~/.ssh.
    top = boundary(policy.parent)
    if not inside(target, top):
        raise PolicyError(f"{where}: test input {value['file']}: not a file inside the"
                          f" repository ({top}); not read")
    try:
        raw = read_limited(target, limits.max_file_size)
    except OrglintError as exc:
        raise PolicyError(f"{where}: {exc}") from None
    loaded = load(raw, str(target), limits)
    if loaded.findings or not loaded.documents:
        first = loaded.findings[0] if loaded.findings else None
        at = f":{first.line}:{first.column}" if first is not None else ""
        why = first.message if first is not None else "no YAML document"
        raise PolicyError(f"{where}: test input {value['file']}{at}: {why}")
    return loaded.documents[0].data


def digest(files: list[PolicyFile]) -> str:
    h = blake2b(digest_size=8)
    for f in files:
        h.update(f.path.encode() + b"\0" + f.raw + b"\0")
    return h.hexdigest()
