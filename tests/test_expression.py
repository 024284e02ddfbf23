"""The whitelist expression parser: precedence as in Python, named leaves, and errors that point at tokens."""

from __future__ import annotations

import math

import pytest

from micrograd_nn.engine import topological_order
from micrograd_nn.expression import ExpressionError, build, parse, tokenize


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("tanh(a*b + c) * 2", {"a": 2, "b": -3, "c": 10}, math.tanh(4.0) * 2),
        ("a - b - c", {"a": 1, "b": 2, "c": 3}, -4.0),
        ("a / b / c", {"a": 8, "b": 2, "c": 2}, 2.0),
        ("-a ** 2", {"a": 3}, -9.0),
        ("2 ** 3 ** 2", {}, 512.0),
        ("2 ** -1", {}, 0.5),
        ("a * -b", {"a": 2, "b": 5}, -10.0),
        ("1.5e1 / 3 + .5", {}, 5.5),
        ("exp(log(a)) + sqrt(b) + sigmoid(0) + relu(-a) + abs(-a)", {"a": 2, "b": 9}, 2 + 3 + 0.5 + 0 + 2),
        ("sin(x) ** 2 + cos(x) ** 2", {"x": 0.7}, 1.0),
        ("softplus(0) - leaky_relu(-100)", {}, math.log(2) + 1.0),
    ],
)
def test_expressions_evaluate_like_python(text: str, values: dict[str, float], expected: float) -> None:
    root, _ = build(text, values)
    assert root.data == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_each_name_is_one_labelled_leaf() -> None:
    root, leaves = build("a + a * b", {"a": 3, "b": 4})
    assert sorted(leaves) == ["a", "b"]
    assert leaves["a"].label == "a" and leaves["a"].data == 3.0
    root.backward()
    assert leaves["a"].grad == 5.0  # d(a + a*b)/da = 1 + b
    assert leaves["b"].grad == 3.0
    labelled = [n.label for n in topological_order(root) if n.label]
    assert sorted(labelled) == ["a", "b"]


def test_tokens_carry_columns() -> None:
    assert [(t.kind, t.text, t.column) for t in tokenize(" a**2")] == [
        ("name", "a", 2),
        ("op", "**", 3),
        ("number", "2", 5),
        ("end", "", 6),
    ]


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("a*b@c", "unexpected character '@'", 4),
        (
            "__import__(os)",
            "unknown function '__import__' (known: abs, cos, exp, leaky_relu, log, relu, sigmoid, sin, "
            "softplus, sqrt, tanh)",
            1,
        ),
        ("open('x')", "unexpected character \"'\"", 6),
        ("a.b", "unexpected character '.'", 2),
        ("a +", "expected a number, a name, a function or '(' but found the end of the expression", 4),
        ("(a + b", "expected ')' but found the end of the expression", 7),
        ("tanh a", "expected '(' after the function name 'tanh' but found 'a'", 6),
        ("a b", "expected an operator (+ - * / **) or the end but found 'b'", 3),
        ("a + )", "expected a number, a name, a function or '(' but found ')'", 5),
        ("a; b", "unexpected character ';'", 2),
        ("lambda: 1", "unexpected character ':'", 7),
    ],
)
def test_malformed_expressions_point_at_the_token(text: str, message: str, column: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.column == column
    first, shown, caret = str(caught.value).splitlines()
    assert first == f"{message} at column {column}"
    assert shown == f"  {text}"
    assert caret == "  " + " " * (column - 1) + "^"


def test_missing_and_unused_names() -> None:
    with pytest.raises(ExpressionError, match=r"the name 'c' has no value \(give one with --set c=NUMBER\) at col"):
        build("a + c", {"a": 1})
    with pytest.raises(ValueError, match="does not use: z"):
        build("a", {"a": 1, "z": 2})


def test_a_sum_of_5000_terms_builds_without_recursion() -> None:
    root, leaves = build(" + ".join(["a"] * 5000), {"a": 0.5})
    assert root.data == 2500.0 and root.op == "+"
    root.backward()
    assert leaves["a"].grad == 5000.0
    assert len(topological_order(root)) == 5000  # a and 4999 "+" nodes


def test_a_plus_a_stays_one_plus_node_with_two_edges() -> None:
    root, leaves = build("a + a", {"a": 3.0})
    assert root.op == "+" and root.operands == (leaves["a"], leaves["a"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-" * 5001 + "a", -2.0),  # an odd number of unary minus signs
        (" ** ".join(["1"] * 5000), 1.0),  # right-associative power chain
        ("a" + " * a / a" * 2500, 2.0),
        ("-a ** 2 ** -b", -(2.0 ** (2.0**-1.0))),
    ],
)
def test_long_chains_build_without_recursion(text: str, expected: float) -> None:
    values = {name: v for name, v in {"a": 2.0, "b": 1.0}.items() if name in text}
    root, _ = build(text, values)
    assert root.data == pytest.approx(expected, rel=1e-12)


def test_too_deep_nesting_is_an_expression_error() -> None:
    text = "(" * 5000 + "a" + ")" * 5000
    with pytest.raises(ExpressionError, match=r"nested too deeply .* at column \d+"):
        build(text, {"a": 1.0})


@pytest.mark.parametrize(("text", "column"), [("a + 1e999", 5), ("2 * (1E400)", 6)])
def test_a_number_too_large_for_a_float_points_at_its_column(text: str, column: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.column == column
    number = text[column - 1 :].rstrip(")")
    assert str(caught.value).splitlines()[0] == f"the number {number!r} is too large for a float at column {column}"


def test_numbers_stay_inside_their_operations() -> None:
    from micrograd_nn.engine import topological_order
    from micrograd_nn.expression import build

    root, leaves = build("1 - x**2 * 2", {"x": -3.0})
    x = leaves["x"]
    assert [node.inputs for node in topological_order(root)[1:]] == [
        (x, 2.0), (topological_order(root)[1], 2.0), (1.0, topological_order(root)[2])
    ]
    root.backward()
    assert x.grad == 12.0
    folded, _ = build("2*3 + sigmoid(0) + x", {"x": 1.0})  # numbers alone are worked out at once
    assert folded.inputs == (6.5, _["x"])


def test_explain_of_a_square_at_a_negative_point_shows_no_nan(capsys) -> None:
    from micrograd_nn.cli import main

    assert main(["explain", "x**2", "--set", "x=-3"]) == 0
    out = capsys.readouterr().out
    assert "nan" not in out and "c1" not in out
    assert "x ** 2 = 9.0000" in out and "Result: dout/dx = -6.0000" in out


def test_a_long_expression_is_shown_as_a_window_around_the_column() -> None:
    """Before: 1,000 nested tanh echoed all 7,000+ characters on one line."""
    text = "tanh(" * 1000 + "a" + ")" * 1000
    with pytest.raises(ExpressionError) as caught:
        build(text, {"a": 1.0})
    message, shown, pointer = str(caught.value).split("\n")
    column = caught.value.column
    assert message == f"the expression is nested too deeply (parentheses or function calls) at column {column}"
    assert shown == "  …" + text[column - 41 : column + 39] + "…"
    assert pointer == "  " + " " * 41 + "^"
    assert shown[pointer.index("^")] == text[column - 1]


def test_the_window_keeps_short_expressions_whole_and_the_caret_in_place() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("a + * b")
    assert str(caught.value).split("\n")[1:] == ["  a + * b", "      ^"]
    text = "a" + " + a" * 40 + " + *"
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    shown, pointer = str(caught.value).split("\n")[1:]
    assert shown == "  …" + text[-80:] and shown[pointer.index("^")] == "*"
