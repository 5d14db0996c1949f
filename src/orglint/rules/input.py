"""Input rules (ORG0xx): the file, its schema, and ids checked against the matrix."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from orglint.findings import Finding, Fix, Severity
from orglint.loader import Document
from orglint.matrix import Matrix
from orglint.model import written_at
from orglint.rules.base import Rule, TeamContext, finding_in
from orglint.schema import closest, did_you_mean
from orglint.titles import or_list


class YamlSyntaxError(Rule):
    """## What it does
    Reports a file that is not valid YAML, or that uses what orglint refuses to read:
    Python tags, aliases that expand past a node limit, nesting past a depth limit, a
    file over the size limit, bytes that are not UTF-8, or tabs used as indentation.
    Also reports, once per file, a line break YAML reads and git, editors and code review
    do not show (NEL, U+2028, U+2029, a lone carriage return among line feeds); that file
    is still read whole and checked, its findings on the lines a reviewer sees.

    ## Why is this bad?
    A file that cannot be read safely cannot be checked.  Alias bombs and deep nesting
    are how YAML input exhausts memory and time; Python tags run code.  Text after a
    hidden line break, inside what review shows as a comment, is read as YAML: a pull
    request could set a role nobody sees.

    A file that could not be read must never pass, so this rule is always on, at error
    severity: `select`, `ignore`, `per-file-ignores`, `severity`, `# orglint:`
    suppressions and the baseline do not apply to it.

    ## Example
    ```yaml
    metadata:
    <TAB>name: recsys    # a tab character indents this line
    ```

    Use instead:
    ```yaml
    metadata:
      name: recsys
    ```

    ## Options
    The limits are configuration keys: `max-file-size`, `max-depth`, `max-alias-nodes`.
    """

    code = "ORG001"
    name = "yaml-syntax-error"
    severity = Severity.ERROR
    summary = "The file is not valid YAML, or uses what orglint refuses to read"
    scope = "input"


class DuplicateKey(Rule):
    """## What it does
    Reports a mapping that repeats a key, at the second occurrence.

    ## Why is this bad?
    YAML parsers disagree on which value wins; most keep the last one silently, so the
    first value is lost without a word.

    ## Example
    ```yaml
    - id: alice
      role: ml-engineer
      role: mlops-engineer
    ```

    Use instead:
    ```yaml
    - id: alice
      role: mlops-engineer
    ```
    """

    code = "ORG002"
    name = "duplicate-key"
    severity = Severity.ERROR
    summary = "A mapping repeats a key"
    scope = "input"


class SchemaViolation(Rule):
    """## What it does
    Checks each orglint document against its JSON Schema (`orglint schema KIND`): wrong
    types, missing required keys, unknown keys (with a "did you mean"), unknown
    `apiVersion` or `kind`, values out of range and unknown maturity stages.  Keys that
    start with `x-`, and anything under `metadata.labels` or `metadata.annotations`, are
    free.

    ## Why is this bad?
    A document of the wrong shape cannot be checked against the role matrix; its policy
    findings would be guesses.  Such documents are not passed to the policy rules.

    ## Example
    ```yaml
    members:
      - id: alice
        owsn: [training-code]
        allocation: lots
    ```

    Use instead:
    ```yaml
    members:
      - id: alice
        owns: [training-code]
        allocation: 50
    ```
    """

    code = "ORG003"
    name = "schema-violation"
    severity = Severity.ERROR
    summary = "The document does not match its schema"
    scope = "input"


class UnknownRole(Rule):
    """## What it does
    Checks each `role` against the roles of the matrix (`orglint roles`).  A title
    written as a role (`SRE`, `ML Engineer`) is reported with the id to use.  Also fires
    when `role` is omitted and the title maps to no role, or is ambiguous: a bare
    "Platform Engineer" could be `platform-engineer` or `devops-sre`, and the message
    names the candidates.  `orglint roles TITLE` shows how a title is read.

    ## Why is this bad?
    Every role-fit rule keys on the role; an unknown one switches them all off for that
    member.

    ## Example
    ```yaml
    - id: alice
      role: ml-engneer
    - id: bo
      role: SRE
    ```

    Use instead:
    ```yaml
    - id: alice
      role: ml-engineer
    - id: bo
      role: devops-sre
    ```

    ## Fix safety
    Replacing a title alias (`SRE`) with its role id is safe, and so is writing the
    role of a member who has none when the title maps to exactly one role.  Replacing a
    misspelt id with its closest match is unsafe: the closest spelling may not be what
    was meant.
    """

    code = "ORG004"
    name = "unknown-role"
    severity = Severity.ERROR
    summary = "A role is not in the role matrix"
    fixable = True

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        roles = ctx.matrix.roles
        for i, member in enumerate(ctx.members):
            info = ctx.roles[i]
            if member.role is not None and member.role not in roles:
                yield self.role_value(ctx.matrix, ctx.doc, ctx.file, member.role,
                                      member.at("role"), member.id)
            elif info.role is None and info.source == "none":
                if info.title:
                    path = member.at("title") if member.title is not None else member.at("id")
                    read = ctx.matrix.resolve_title(info.title)
                    text = (f"'{info.title}' could be {or_list(read.candidates)}: set 'role'"
                            if read.ambiguous else
                            f"the title '{info.title}' maps to no role; set 'role'"
                            " (see 'orglint roles')")
                    yield ctx.finding(UnknownRole, path, f"{member.id} has no role, and {text}",
                                      entity=member.id, detail="title")
                elif not (ctx.people_lost and member.id not in ctx.people):
                    # A title the schema refused (a number, a list) is reported there
                    # (ORG003): this says why no role could be read from it.
                    written = _written_title(ctx.doc.data, member.path)
                    why = ("its title is not text, so no role can be read from it"
                           if written else "no title to infer one from")
                    yield ctx.finding(
                        UnknownRole, member.at("id"),
                        f"{member.id} has no role and {why}; set 'role'",
                        entity=member.id, detail="missing")

    @classmethod
    def role_value(cls, matrix: Matrix, doc: Document, file: str, value: str,
                   path: tuple[str | int, ...], entity: str) -> Finding:
        """ORG004 for a ``role`` value, in a team's member or in a People entry."""
        read = matrix.resolve_title(value)
        canonical = read.role
        if read.ambiguous:
            return finding_in(
                doc, file, cls, path,
                f"role '{value}' is a title that could be {or_list(read.candidates)};"
                " write the role id", entity=entity, detail=value)
        if canonical is not None:
            # A value with no blank is an id written another way (data_scientist, MLOps),
            # not a job title.
            what = "a title, not a role id" if any(c.isspace() for c in value) else \
                "not a role id"
            return finding_in(
                doc, file, cls, path, f"role '{value}' is {what}; write '{canonical}'",
                entity=entity, detail=value,
                fix=Fix(doc.index, path, "set", canonical, True, f"write role '{canonical}'"))
        roles = matrix.roles  # the table itself, not a copy: its prepared hints are reused
        best = closest(value, roles)
        fix = (Fix(doc.index, path, "set", best, False, f"replace '{value}' with '{best}'")
               if best else None)
        return finding_in(doc, file, cls, path,
                          f"unknown role '{value}'{did_you_mean(value, roles)}",
                          entity=entity, detail=value, fix=fix)


class UnknownResponsibility(Rule):
    """## What it does
    Checks each item of a member's `owns` against the responsibilities of the matrix.

    ## Why is this bad?
    A misspelt responsibility is owned by nobody: coverage rules then report the real
    one as unowned, and role-fit rules cannot see the conflict.

    ## Example
    ```yaml
    owns: [trainng-pipelines]
    ```

    Use instead:
    ```yaml
    owns: [training-pipelines]
    ```

    ## Fix safety
    Replacing an unknown id with its closest match is unsafe, and applied only with
    `--unsafe-fixes`.
    """

    code = "ORG005"
    name = "unknown-responsibility"
    severity = Severity.ERROR
    summary = "A responsibility is not in the role matrix"
    fixable = True

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        known = ctx.matrix.responsibilities
        for member in ctx.members:
            for j, item in enumerate(member.owns):
                if item not in known:
                    yield _unknown(ctx, UnknownResponsibility, "responsibility", item,
                                   member.at("owns", j), known, member.id, member.owns)


class UnknownSystemOrPractice(Rule):
    """## What it does
    Checks each item of `systems` and `practices` against the matrix.

    ## Why is this bad?
    The coverage rules know what a system requires only when its id is one the matrix
    defines; a misspelt system silently requires nothing.

    ## Example
    ```yaml
    systems: [featurestore]
    practices: [eval-gates]
    ```

    Use instead:
    ```yaml
    systems: [feature-store]
    practices: [eval-gate]
    ```

    ## Fix safety
    Replacing an unknown id with its closest match is unsafe, and applied only with
    `--unsafe-fixes`.
    """

    code = "ORG006"
    name = "unknown-system-or-practice"
    severity = Severity.ERROR
    summary = "A system or practice is not in the role matrix"
    fixable = True

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        spec = ctx.team.spec
        for k, system in enumerate(spec.systems):
            if system not in ctx.matrix.systems:
                yield _unknown(ctx, UnknownSystemOrPractice, "system", system,
                               ("spec", "systems", k), ctx.matrix.systems, None,
                               spec.systems)
        for k, practice in enumerate(spec.practices):
            if practice not in ctx.matrix.practices:
                yield _unknown(ctx, UnknownSystemOrPractice, "practice", practice,
                               ("spec", "practices", k), ctx.matrix.practices, None,
                               spec.practices)


def _unknown(ctx: TeamContext, rule: type[Rule], what: str, value: str,
             path: tuple[str | int, ...], choices: Mapping[str, Any], entity: str | None,
             siblings: Sequence[str]) -> Finding:
    best = closest(value, choices)
    # No fix when the list already has the candidate: it would only make a duplicate.
    fix = (Fix(ctx.doc.index, path, "set", best, False, f"replace '{value}' with '{best}'")
           if best and best not in siblings else None)
    return ctx.finding(rule, path, f"unknown {what} '{value}'{did_you_mean(value, choices)}",
                       entity=entity, detail=value, fix=fix)


class DuplicateMember(Rule):
    """## What it does
    Reports a person listed twice on one team, at the second entry.

    ## Why is this bad?
    Two entries for one person double-count their allocation and split what they own
    between two records that can drift apart.

    ## Example
    ```yaml
    members:
      - {id: alice, role: ml-engineer}
      - {id: alice, role: ml-engineer}
    ```

    Use instead:
    ```yaml
    members:
      - {id: alice, role: ml-engineer}
    ```

    ## Fix safety
    Removing the second entry is unsafe, and offered only when both entries are exactly
    the same.
    """

    code = "ORG007"
    name = "duplicate-member"
    severity = Severity.ERROR
    summary = "A person is listed twice on one team"
    fixable = True

    def check_team(self, ctx: TeamContext) -> Iterator[Finding]:
        first: dict[str, int] = {}
        data_members = ctx.doc.data["spec"]["members"]
        for i, member in enumerate(ctx.members):
            if member.id not in first:
                first[member.id] = i
                continue
            earlier = first[member.id]
            line = ctx.doc.source.span(ctx.members[earlier].at("id")).line
            same = data_members[earlier] == data_members[i]
            fix = (Fix(ctx.doc.index, member.path, "remove-item", None, False,
                       f"remove the second entry of '{member.id}'") if same else None)
            yield ctx.finding(DuplicateMember, member.at("id"),
                              f"{member.id} is already a member of {ctx.team.id}"
                              f" (line {line})", entity=member.id, fix=fix)


def _written_title(data: Any, path: tuple[str | int, ...]) -> bool:
    """Whether the member at ``path`` of the document as written has a ``title`` that is
    not text (the model, reading what the schema kept, has none)."""
    entry = written_at(data, path)
    return type(entry) is dict and entry.get("title") is not None \
        and not isinstance(entry.get("title"), str)
