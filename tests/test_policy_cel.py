"""What orglint relies on from the CEL engine (cel-expr-python), pinned, and where an
error inside an expression is in the policy file."""

from __future__ import annotations

import pytest

from orglint.codes import BUILTIN_CODES
from orglint.policy.cel import CompileError, compile_expression
from orglint.policy.positions import locate

NAMES = ("team", "matrix", "variables")


def test_compile_errors_carry_line_and_column_inside_the_expression():
    with pytest.raises(CompileError) as caught:
        compile_expression("team.spec.members.size() > 1\n  && nope", NAMES)
    assert (caught.value.line, caught.value.column) == (2, 6)
    assert "undeclared reference to 'nope'" in caught.value.message


def test_the_checker_tells_a_bool_from_an_int_and_dyn_from_both():
    assert compile_expression("team.spec.size > 1", NAMES).result_type == "bool"
    assert compile_expression("1 + 2", NAMES).result_type == "int"
    assert compile_expression("team.spec.size", NAMES).result_type == "dyn"


def test_a_run_time_error_is_an_error_value_never_a_result():
    out = compile_expression("team.nope == 1", NAMES).evaluate({"team": {}})
    assert out.value is None and out.error is not None and "nope" in out.error


def test_bind_gives_variables_and_null_compares_false():
    program = compile_expression(
        "cel.bind(variables, {'n': team.x}, variables.n == 'a')", NAMES)
    assert program.evaluate({"team": {"x": None}}).value is False


def test_the_strings_extension_kubernetes_has_is_there():
    # Found by review: a Kubernetes policy's `lowerAscii` was an undeclared reference.
    program = compile_expression(
        "team.id.lowerAscii() == 'ab' && team.id.split('B') == ['A', '']"
        " && ['x', 'y'].join('-') == 'x-y' && ' a '.trim() == 'a'", NAMES)
    assert program.evaluate({"team": {"id": "AB"}}).value is True


def test_nesting_past_the_engines_limit_does_not_compile():
    with pytest.raises(CompileError) as caught:
        compile_expression("(" * 60 + "1" + ")" * 60 + " == 1", NAMES)
    assert "recursion" in caught.value.message.lower()


def test_the_iteration_budget_ends_a_giant_comprehension():
    big = "[" + ", ".join(["1"] * 40) + "]"
    program = compile_expression(
        f"{big}.map(a, {big}.map(b, {big}.map(c, a + b + c))).size() > 0", NAMES)
    out = program.evaluate({})
    assert out.error is not None and "iteration budget" in out.error


def test_an_expression_past_the_length_cap_is_refused_before_the_engine():
    with pytest.raises(CompileError) as caught:
        compile_expression("true || " * 600 + "true", NAMES)
    assert "too long" in caught.value.message


def test_orglint_policy_codes_list_org903():
    assert "ORG903" in BUILTIN_CODES


TEXT = """\
rules:
  - plain: team.x + foo
    quoted: "team.x + foo"
    block: |
      team.spec
        && bar
    folded: >-
      first line
      second bad
"""


@pytest.mark.parametrize(("line", "column", "end_line", "value", "inner", "expected"), [
    (2, 12, 2, "team.x + foo", (1, 10), (2, 21)),
    (3, 13, 3, "team.x + foo", (1, 10), (3, 23)),
    (4, 12, 6, "team.spec\n  && bar\n", (2, 6), (6, 12)),
    (7, 13, 9, "first line second bad", (1, 19), (9, 14)),
])
def test_places_inside_plain_quoted_block_and_folded_scalars(line, column, end_line, value,
                                                             inner, expected):
    assert locate(TEXT, line, column, end_line, value, *inner) == expected


ESCAPED = """\
rules:
  - a: "team.id == \\"x\\" && team.spec.membrs"
    b: 'team.id == ''x'' && team.spec.membrs'
    c: "team.id == \\u0022x\\u0022 && team.spec.membrs"
"""


@pytest.mark.parametrize(("line", "column", "quote", "expected"), [
    (2, 8, '"', (2, 39)), (3, 8, "'", (3, 39)), (4, 8, '"', (4, 47))])
def test_places_inside_quoted_scalars_with_escapes(line, column, quote, expected):
    # Found by review: an escaped quote, common in CEL, sent the place to the scalar's
    # start.  'membrs' is at offset 28 of the value on each line.
    value = f"team.id == {quote}x{quote} && team.spec.membrs"
    assert ESCAPED.splitlines()[line - 1][expected[1] - 1:].startswith("membrs")
    assert locate(ESCAPED, line, column, line, value, 1, 29) == expected


MULTI = """\
rules:
  - expression: "team.id ==
      'b' && ]"  # a note
  - {code: X, expression: "team.id ==
      'b' && ]", message: m}
"""


@pytest.mark.parametrize(("line", "column", "end_line", "end_column"), [
    (2, 17, 3, 15), (4, 27, 5, 15)])
def test_a_place_on_a_scalars_last_line_ignores_what_follows_it(line, column, end_line,
                                                                end_column):
    # Found by review: the comment after the closing quote, or the flow mapping's rest,
    # kept the last line from being found, and the place fell on the line above.
    value = "team.id == 'b' && ]"
    assert locate(MULTI, line, column, end_line, value, 1, 19, end_column) == (end_line, 14)


ENDS = """\
rules:
  - expression: |
      team.spec.members.size() > 1 &&
        team.metadata.name == 'x' &&
    message: m
  - expression: team.spec.members.size() > 1 )  # c
  - {code: X, expression: team.spec.members.size() > 1 ), message: m}
"""


def test_places_at_a_block_scalars_end_and_on_one_line_with_what_follows():
    block = "team.spec.members.size() > 1 &&\n  team.metadata.name == 'x' &&\n"
    assert locate(ENDS, 2, 17, 5, block, 3, 1, 1) == (4, 37)  # after the last '&&'
    line = "team.spec.members.size() > 1 )"
    assert locate(ENDS, 6, 17, 6, line, 1, 30, 47) == (6, 46)
    assert locate(ENDS, 7, 27, 7, line, 1, 30, 57) == (7, 56)
