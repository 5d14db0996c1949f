"""Suppression comments, ORG901 and ORG902."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from orglint.config import Settings
from orglint.engine import Request, plan, run
from orglint.suppress import comments, scan
from tests.conftest import at, dedent

BAD = """\
apiVersion: orglint/v1
kind: Team
metadata: {name: t}
spec:
  maturity: pilot
  members:
    - id: dmitri
      role: devops-sre
      owns:
        - training-pipelines{comment}
"""


def check(tmp_path, source: str, today: str = "2026-01-01", select=("ORG104", "ORG9")):
    (tmp_path / "t.yaml").write_text(dedent(source))
    settings = Settings(root=tmp_path, cache=False, select=list(select))
    result = run(plan(settings), Request(["t.yaml"], cwd=tmp_path,
                                         today=dt.date.fromisoformat(today)))
    return [(f.line, f.column, f.code) for f in result.findings]


def test_inline_suppression(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG104] handing over to MLOps in Q3")
    assert check(tmp_path, source) == []


def test_suppression_by_name_and_several_codes(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG102, devops-runs-model-lifecycle]")
    # ORG104 (by name) is suppressed; ORG102 never fires there, so that part is unused.
    assert check(tmp_path, source, select=("ORG104", "ORG102", "ORG9")) == [
        (*at(source, "# orglint"), "ORG901")]


def test_own_line_comment_applies_to_next_line(tmp_path):
    source = BAD.replace("        - training-pipelines{comment}",
                         "        # orglint: ignore[ORG104] reason\n\n        - training-pipelines")
    assert check(tmp_path, source) == []


def test_unused_suppression_is_org901(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG104]")
    source = source.replace("devops-sre", "mlops-engineer")
    assert check(tmp_path, source) == [(*at(source, "# orglint"), "ORG901")]


def test_a_suppression_of_org001_says_it_can_never_work(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[yaml-syntax-error]")
    (tmp_path / "t.yaml").write_text(dedent(source))
    settings = Settings(root=tmp_path, cache=False, select=["ALL"])
    found = run(plan(settings), Request(["t.yaml"], cwd=tmp_path)).findings
    [finding] = [f for f in found if f.code == "ORG901"]
    assert "ORG001 is never suppressed" in finding.message


def test_expired_suppression_is_org902_and_the_finding_returns(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG104] until=2025-12-31 hiring")
    assert check(tmp_path, source) == [(*at(source, "training-pipelines"), "ORG104"),
                                       (*at(source, "# orglint"), "ORG902")]
    assert check(tmp_path, source, today="2025-12-31") == []


def test_severity_overrides_apply_to_what_suppressions_report(tmp_path):
    # ORG901 and ORG902 are made after the other findings' severities are set: the
    # configured severity must reach them too (CI failed on an ORG902 set to warning).
    expired = BAD.replace("{comment}", "  # orglint: ignore[ORG104] until=2025-12-31 x")
    unused = BAD.replace("{comment}", "  # orglint: ignore[ORG104]").replace(
        "devops-sre", "mlops-engineer")
    for source, code in ((expired, "ORG902"), (unused, "ORG901")):
        (tmp_path / "t.yaml").write_text(dedent(source))
        settings = Settings(root=tmp_path, cache=False, select=["ORG104", "ORG9"],
                            severity={"ORG901": "info", "ORG902": "warning",
                                      "ORG104": "warning"})
        found = run(plan(settings), Request(["t.yaml"], cwd=tmp_path,
                                            today=dt.date(2026, 1, 1))).findings
        assert {f.code: f.severity.label for f in found}[code] == (
            "info" if code == "ORG901" else "warning")


def test_a_malformed_until_date_is_org901_and_suppresses_nothing(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG104] until=soon")
    assert check(tmp_path, source) == [(*at(source, "training-pipelines"), "ORG104"),
                                       (*at(source, "# orglint"), "ORG901")]
    assert [d.problem for d in scan(dedent(source))] == [
        "until= 'soon' is not a date (write until=YYYY-MM-DD)"]


def test_file_level_suppression(tmp_path):
    source = "# orglint: ignore-file[ORG104]\n" + BAD.replace("{comment}", "")
    assert check(tmp_path, source) == []


def test_suppression_on_a_multi_line_flow_mapping(tmp_path):
    source = """\
        apiVersion: orglint/v1
        kind: Team
        metadata: {name: t}
        spec:
          maturity: pilot
          members:
            - {id: dmitri, role: devops-sre,
               owns: [ci-runners, training-pipelines]}  # orglint: ignore[ORG104]
            - {id: sam,
               role: devops-sre, owns: [model-rollback]}
        """
    assert check(tmp_path, source) == [(*at(source, "model-rollback"), "ORG104")]


def test_hash_inside_quotes_and_block_scalars_is_not_a_directive():
    text = dedent("""\
        a: "# orglint: ignore[ORG104]"
        b: 'it''s # orglint: ignore[ORG101]'
        c: |
          # orglint: ignore[ORG102]
          more text
        d: >-
          # orglint: ignore[ORG103]
        e: "multi
          line # orglint: ignore[ORG105]"
        f: x  # orglint: ignore[ORG106]
        g: a#b  # plain comment
        """)
    found = scan(text)
    assert [(d.line, d.codes) for d in found] == [(10, ("ORG106",))]
    assert [c[0] for c in comments(text)] == [10, 11]


# -- comments are found by the parser: a '#' inside any scalar is content --------------

QUOTES = """\
apiVersion: orglint/v1
kind: Team
metadata:
  name: t
  title: rock 'n roll
  description: "it's fine # orglint: ignore-file[ALL]"
spec:
  maturity: pilot
  members:
    - id: dmitri
      role: devops-sre
      owns:
        - training-pipelines{comment}
"""


def test_an_apostrophe_in_a_plain_scalar_opens_no_quote(lint):
    # The old text scan took `'n roll` for an open quote: the description's content
    # became a directive hiding every finding.
    lint.check(QUOTES.replace("{comment}", ""), select=["ORG104", "ORG9"],
               expected=[(*at(QUOTES, "training-pipelines"), "ORG104")])


def test_a_real_directive_after_an_apostrophe_is_honoured(lint):
    lint.check(QUOTES.replace("{comment}", "  # orglint: ignore[ORG104] Q3"),
               select=["ORG104", "ORG9"], expected=[])


TRICKY = """\
# orglint: ignore-file[ORG101]
apiVersion: orglint/v1
kind: Team
metadata:
  name: t
  title: it's "odd
  description: 'two
    lines # orglint: ignore-file[ALL]
    it''s # orglint: ignore-file[ORG104]'
  labels:
    block: |  # orglint: ignore[ORG102]
      # orglint: ignore-file[ALL]
      keep # orglint: ignore-file[ALL]
    folded: >-
      # orglint: ignore-file[ALL]
    flow: {a: "# orglint: ignore-file[ALL]", b: [c, 'd # orglint: ignore-file[ALL]'],
           e: f}  # orglint: ignore[ORG103]
    plain: a#b # orglint: ignore[ORG105]
    multi: one
      two # orglint: ignore[ORG106]
spec:
  maturity: pilot
  members:
    - id: dmitri
      role: devops-sre
      owns:
        - training-pipelines
---
# orglint: ignore[ORG107] the next document's first line
x-notes: "# orglint: ignore-file[ALL]"
"""


def test_comments_are_exact_in_every_kind_of_scalar():
    found = [(c.line, c.text) for c in comments(dedent(TRICKY))]
    assert found == [
        (1, "# orglint: ignore-file[ORG101]"),
        (11, "# orglint: ignore[ORG102]"),  # a block scalar's header may hold a comment
        (17, "# orglint: ignore[ORG103]"),
        (18, "# orglint: ignore[ORG105]"),
        (20, "# orglint: ignore[ORG106]"),
        (29, "# orglint: ignore[ORG107] the next document's first line"),
    ]
    assert [(d.line, d.target, d.codes) for d in scan(dedent(TRICKY))] == [
        (1, 0, ("ORG101",)), (11, 11, ("ORG102",)), (17, 17, ("ORG103",)),
        (18, 18, ("ORG105",)), (20, 20, ("ORG106",)), (29, 30, ("ORG107",))]


def test_nothing_inside_a_scalar_suppresses(lint):
    lint.check(TRICKY, select=["ORG104"],
               expected=[(*at(TRICKY, "training-pipelines"), "ORG104")])


def test_a_comment_line_inside_a_block_scalar_is_content_not_a_blank():
    # An own-line directive applies to the next line with content; a '#' line of a
    # block scalar is content.
    text = dedent("""\
        a:
          # orglint: ignore[ORG104]
          b: |
            # heading
            text
        """)
    assert [(d.line, d.target) for d in scan(text)] == [(2, 3)]
    text = dedent("""\
        a: |
          x
        # orglint: ignore[ORG104]
        # another comment

        b: 1
        """)
    assert [(d.line, d.target) for d in scan(text)] == [(3, 6)]


def test_no_comment_is_reported_past_a_syntax_error():
    text = 'a: "unclosed\n# orglint: ignore-file[ALL]\n'
    assert comments(text) == []


DIRECTIVE_TEXT = "# orglint: ignore-file[ALL]"
_pieces = st.one_of(st.sampled_from([DIRECTIVE_TEXT, " #", "'", '"', "''", "\n", " ", ": ",
                                     "- ", "|", ">", "[", "]", "{", "}", ",", "\\", "&a",
                                     "*a", "!", "%", "---", "...", "\t", "it's", "é", "\u2028"]),
                     st.text(st.characters(exclude_categories=("Cs",)), max_size=3))
_contents = st.lists(_pieces, max_size=12).map("".join).map(
    lambda s: f"{s[: len(s) // 2]}{DIRECTIVE_TEXT}{s[len(s) // 2:]}")


# Plain scalars with quotes in them, such as the title that fooled the old text scan.
_decoys = st.sampled_from(["rock 'n roll", 'say "hi', "a 'b", " '", ' "', "it's"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_contents, _decoys), min_size=1, max_size=5),
       st.sampled_from([None, '"', "'", "|", ">"]), st.booleans(),
       st.sampled_from([8, 40, 1000]), st.booleans())
def test_no_directive_is_ever_found_inside_a_scalar(values, style, flow, width, many):
    data = {f"k{i}": value for i, value in enumerate(values)}
    data["key " + values[0]] = values
    dump = {"default_style": style, "default_flow_style": flow, "width": width,
            "allow_unicode": True, "sort_keys": False}
    text = yaml.safe_dump_all([data, values], **dump) if many else yaml.safe_dump(data, **dump)
    assert scan(text) == []


# -- a malformed directive is reported (ORG901) and suppresses nothing ----------------

MALFORMED = {
    "ignore[ORG3O1]": "unknown code 'ORG3O1' (did you mean 'ORG301'?)",
    "ignore[ORG104, devops-runs-modle-lifecycle]":
        "unknown code 'devops-runs-modle-lifecycle' (did you mean"
        " 'devops-runs-model-lifecycle'?)",
    "ignore[ORG1]": "'ORG1' is a prefix; suppressions name whole codes or rule names",
    "ignore": "'ignore' needs the codes in brackets, as in '# orglint: ignore[ORG104] reason'",
    "ignore ORG104": "'ignore' needs the codes in brackets",
    "ignore[]": "'ignore[]' names no code",
    "ignore[ , ]": "'ignore[]' names no code",
    "ignore[ORG104": "the '[' after 'ignore' is never closed",
    "ignore[ORG104] until=": "until= has no date (write until=YYYY-MM-DD)",
    "ignore[ORG104] until=2026-02-30": "until= '2026-02-30' is not a date",
    "ignore[ORG104] until=20260230": "until= '20260230' is not a date",
    "ignore[ORG104] until=2027-01-01 until=2027-02-01": "until= is given twice",
    "ignore[ORG104] expires=2027-01-01": "unknown option 'expires=' (only until=YYYY-MM-DD",
    "ignor[ORG104]": "unknown directive 'ignor' (did you mean 'ignore'?)",
    "disable[ORG104]": "unknown directive 'disable'",
    "": "expected 'ignore[CODES]' or 'ignore-file[CODES]' after 'orglint:'",
    "ignore-file": "'ignore-file' needs the codes in brackets",
    "ignore-file[ALL, ORG9999]": "unknown code 'ORG9999'",
}


@pytest.mark.parametrize("directive", sorted(MALFORMED))
@pytest.mark.parametrize("where", ["inline", "own line", "file"])
def test_a_malformed_directive_is_org901_and_suppresses_nothing(tmp_path, directive, where):
    comment = f"# orglint: {directive}"
    if where == "inline":
        source = BAD.replace("{comment}", "  " + comment)
    elif where == "own line":
        source = BAD.replace("        - training-pipelines{comment}",
                             f"        {comment}\n        - training-pipelines")
    else:
        source = comment + "\n" + BAD.replace("{comment}", "")
    (tmp_path / "t.yaml").write_text(source)
    settings = Settings(root=tmp_path, cache=False, select=["ORG104", "ORG9"])
    result = run(plan(settings), Request(["t.yaml"], cwd=tmp_path, today=dt.date(2026, 1, 1)))
    found = [(f.line, f.column, f.code) for f in result.findings]
    assert found == sorted([(*at(source, "training-pipelines"), "ORG104"),
                            (*at(source, "# orglint"), "ORG901")])
    message = next(f.message for f in result.findings if f.code == "ORG901")
    assert message.startswith("malformed suppression, it suppresses nothing: ")
    assert MALFORMED[directive] in message


@pytest.mark.parametrize("directive", [
    "ignore[ORG104]", "IGNORE[org104]", "ignore[devops-runs-model-lifecycle] why",
    "ignore [ORG104] until=2026-01-01 reason: see https://x.test/?a=b",
    "ignore[all]", "ignore[ORG104,]"])
def test_well_formed_variants_suppress(tmp_path, directive):
    source = BAD.replace("{comment}", f"  #orglint:  {directive}")
    assert check(tmp_path, source) == []


def test_until_right_after_the_brackets_is_an_option_not_a_reason(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG104]until=2025-12-31")
    assert check(tmp_path, source) == [(*at(source, "training-pipelines"), "ORG104"),
                                       (*at(source, "# orglint"), "ORG902")]


def test_a_code_of_a_rule_that_is_not_enabled_is_not_unknown(tmp_path):
    source = BAD.replace("{comment}", "  # orglint: ignore[ORG104, ORG301]")
    assert check(tmp_path, source) == []


def test_a_comment_that_merely_mentions_orglint_is_no_directive():
    assert scan("a: 1  # see the orglint: docs\nb: 2  # orglint\n") == []


def test_hints_are_bounded_on_thousands_of_distinct_misspellings(monkeypatch):
    import orglint.schema
    from orglint.rules import REGISTRY
    from orglint.suppress import apply

    calls = []
    real = orglint.schema.did_you_mean
    monkeypatch.setattr(orglint.schema, "did_you_mean",
                        lambda *a, **k: calls.append(a) or real(*a, **k))
    text = "".join(f"# orglint: ignore-file[ORGX{i}]\n" for i in range(2_000)) + "a: 1\n"
    extra = apply([], scan(text), dt.date(2026, 1, 1), dict(REGISTRY), "t.yaml")
    assert len(extra) == 2_000
    assert len(calls) <= 64
    many = "# orglint: ignore-file[" + ",".join(f"X{i}" for i in range(10_000)) + "]\n"
    [finding] = apply([], scan(many), dt.date(2026, 1, 1), dict(REGISTRY), "t.yaml")
    assert finding.message.endswith("unknown code 'X4'; and 9,995 more unknown codes")


# -- suppressions are linear ----------------------------------------------------------


class _Budget(Exception):
    from orglint.suppress import apply


def _count_lines(budget: int, func, *args):
    """Run func, counting the lines executed in the suppression modules; stop past
    ``budget`` so a quadratic version fails fast instead of running for minutes."""
    import sys

    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
            if count > budget:
                raise _Budget(count)
        return local

    def tracer(frame, event, arg):
        name = frame.f_code.co_filename
        return local if name.endswith(("suppress.py", "comments.py")) else None

    sys.settrace(tracer)
    try:
        return func(*args), count
    finally:
        sys.settrace(None)


def test_apply_is_linear_in_findings_plus_directives():
    from orglint.findings import Finding, Severity
    from orglint.rules import REGISTRY
    from orglint.suppress import apply

    n = 5_000
    # n file-level directives, and n own-line directives stacked above one line (the
    # old apply() tried each of n findings on that line against all 2n of them).
    text = ("# orglint: ignore-file[ORG104]\n" * n + "a:\n" + "  # orglint: ignore[ORG104]\n" * n
            + "  b: 1\n")
    target = 2 * n + 2
    findings = [Finding("ORG104", "devops-runs-model-lifecycle", Severity.ERROR, "m", "t.yaml",
                        target, 3, target, 4, entity=str(i)) for i in range(n)]
    directives, _ = _count_lines(150 * n, scan, text)
    assert len(directives) == 2 * n and {d.target for d in directives} == {0, target}
    kept, _ = _count_lines(100 * n, apply, findings, directives, dt.date(2026, 1, 1),
                                 dict(REGISTRY), "t.yaml")
    assert kept == []


# -- random directives: no crash, and only a well-formed one suppresses ----------------

_TOKENS = ["ignore", "ignore-file", "IGNORE", "ignor", "[", "]", ",", " ", "  ", "ORG104",
           "org104", "devops-runs-model-lifecycle", "ORG3O1", "ORG1", "ALL", "ORG301",
           "until=", "2026-12-31", "2025-01-01", "2026-02-30", "reason", "x=1", "=", "#",
           "'", '"', "ignore[ORG104]", "ignore-file[ALL]"]
_ALPHABET = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"),
                          exclude_characters="\ufeff")
_CODES = ["ORG104", "org104", "devops-runs-model-lifecycle", "ORG3O1", "ORG1", "ALL", "all",
          "ORG301", "", " ", "x"]
_structured = st.builds(
    lambda kind, gap, codes, until, reason: f" {kind}{gap}[{','.join(codes)}]{until}{reason}",
    st.sampled_from(["ignore", "ignore-file", "IGNORE", "ignor", ""]),
    st.sampled_from(["", " "]), st.lists(st.sampled_from(_CODES), max_size=3),
    st.sampled_from(["", " until=2026-12-31", " until=2025-01-01", " until=", "until=2026-1-1",
                     " until=2026-02-30", " until=2027-01-01 until=2027-01-02",
                     " expires=2027-01-01", " a=b", " 1=2"]),
    st.text(_ALPHABET, max_size=8))
_bodies = st.one_of(_structured, st.lists(
    st.one_of(st.sampled_from(_TOKENS), st.text(_ALPHABET, max_size=4)),
    max_size=10).map("".join))


def _oracle(body: str) -> tuple[bool, set[str], dt.date | None]:
    """(well formed, rule codes named (and "line" for ignore), until), from the
    grammar in the README."""
    import re

    from orglint.rules import REGISTRY

    names = {r.name: c for c, r in REGISTRY.items()}
    form = re.fullmatch(r"\s*(ignore|ignore-file)\s*\[([^\]]*)\](.*)", body,
                        re.IGNORECASE | re.DOTALL)
    if form is None:
        return False, set(), None
    named: set[str] = set()
    for code in (c.strip() for c in form[2].split(",")):
        if not code:
            continue
        if code.upper() == "ALL" or code.upper() in REGISTRY:
            named.add(code.upper())
        elif code.lower() in names:
            named.add(names[code.lower()])
        else:
            return False, set(), None
    until = None
    for word in form[3].split():
        option = re.match(r"([A-Za-z][\w-]*)=(.*)", word)
        if option is None:
            continue
        if option[1].lower() != "until" or until is not None or \
                not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", option[2]):
            return False, set(), None
        try:
            until = dt.date.fromisoformat(option[2])
        except ValueError:
            return False, set(), None
    if form[1].lower() == "ignore":
        named.add("line")
    return bool(named - {"line"}), named, until


@settings(max_examples=200, deadline=None)
@given(_bodies, st.sampled_from(["inline", "own line", "file"]))
def test_random_directives(tmp_path_factory, body, where):
    folder = tmp_path_factory.mktemp("d")
    comment = f"# orglint:{body}"
    if where == "inline":
        source = BAD.replace("{comment}", "  " + comment)
    elif where == "own line":
        source = BAD.replace("        - training-pipelines{comment}",
                             f"        {comment}\n        - training-pipelines")
    else:
        source = comment + "\n" + BAD.replace("{comment}", "")
    found = check(folder, source)
    if any(code == "ORG001" for _, _, code in found):
        return  # not a comment of YAML (libyaml refuses some characters)
    well_formed, named, until = _oracle(body)
    finding = (*at(source, "training-pipelines"), "ORG104")
    directive = at(source, "# orglint")
    if not well_formed:
        assert finding in found and (*directive, "ORG901") in found
    elif until is not None and until < dt.date(2026, 1, 1):
        assert finding in found and (*directive, "ORG902") in found
    elif named & {"ALL", "ORG104"} and not (where == "file" and "line" in named):
        assert finding not in found
    else:
        assert finding in found
        # Unused: reported for enabled rules only (ORG104 and ORG9 here).
        assert ((*directive, "ORG901") in found) == bool(named & {"ALL", "ORG104"})


def test_a_file_without_directives_is_not_parsed_again(monkeypatch):
    import orglint.suppress

    def fail(text):
        raise AssertionError("comments() called")

    monkeypatch.setattr(orglint.suppress, "comments", fail)
    assert scan(dedent(BAD.replace("{comment}", "  # a comment about orglint/v1"))) == []
