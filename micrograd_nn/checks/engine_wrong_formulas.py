"""The wrong local derivatives learners often write, by op: check_engine names the one a learner's number matches.

Each entry is a few words saying what went wrong (shown in the diagnosis, in
parentheses) and the wrong formula's value at the inputs of the failing step.
The right derivatives are not here: they are in rules.OPS.
"""

from __future__ import annotations

import math
from collections.abc import Callable

_NOTHING = ("0: no gradient reaches this input (a line of _backward, or `out._backward = _backward`, missing?)",
            lambda: 0.0)


def wrong_formulas(op: str, position: int, xs: tuple[float, ...], out: float) -> list[tuple[str, float]]:
    """The known wrong local derivatives of op (for the input at position), each with its value here."""
    a, b = xs[0], xs[1] if len(xs) > 1 else math.nan
    candidates: dict[str, list[tuple[str, Callable[[], float]]]] = {
        "tanh": [("tanh(a) itself, not 1 - tanh(a)**2", lambda: out),
                 ("1 - a**2: the input squared, not tanh(a)", lambda: 1 - a * a),
                 ("1 + tanh(a)**2: a sign", lambda: 1 + out * out), ("1 - tanh(a)", lambda: 1 - out)],
        "**": [("n * a**n: the exponent not lowered by one", lambda: b * a**b),
               ("a**(n-1): the factor n missing", lambda: a ** (b - 1)),
               ("(n - 1) * a**n", lambda: (b - 1) * a**b), ("n * a**(n+1)", lambda: b * a ** (b + 1))]
        if position == 0 else [],
        "/": [("+a/b**2: the sign flipped", lambda: a / b**2), ("-1/b**2: the factor a missing", lambda: -1 / b**2),
              ("1/b: the derivative for a", lambda: 1 / b), ("-a/b: b not squared", lambda: -a / b)]
        if position == 1 else [("b, not 1/b", lambda: b), ("-a/b**2: the derivative for b", lambda: -a / b**2),
                               ("-1/b: the sign flipped", lambda: -1 / b)],
        "*": [("the input's own value instead of the other input's", lambda: xs[position])],
        "-": [("+1: the sign flipped", lambda: 1.0)] if position == 1 else [("-1: b's sign", lambda: -1.0)],
        "neg": [("+1: the sign flipped", lambda: 1.0)],
        "relu": [("1 where a < 0: the mask on the wrong side", lambda: float(a < 0)),
                 ("1 where a <= 0: the mask on the wrong side", lambda: float(a <= 0)),
                 ("relu(a) itself", lambda: out), ("1 everywhere: no mask", lambda: 1.0)],
        "exp": [("a itself, not e**a", lambda: a), ("a * e**(a - 1): the power rule", lambda: a * math.exp(a - 1)),
                ("1: the derivative of a", lambda: 1.0)],
        "log": [("ln(a) itself, not 1/a", lambda: out), ("1/ln(a): 1 over the output, not over the input",
                                                          lambda: 1 / out), ("-1/a: the sign flipped", lambda: -1 / a),
                ("a, not 1/a", lambda: a), ("1/a**2", lambda: 1 / a**2)],
        "sigmoid": [("s = sigmoid(a) itself, not s * (1 - s)", lambda: out), ("1 - s", lambda: 1 - out),
                    ("s * (1 + s)", lambda: out * (1 + out)), ("a * (1 - a)", lambda: a * (1 - a))],
    }
    values = []
    for text, value in [*candidates.get(op, []), _NOTHING]:
        try:
            values.append((text, float(value())))
        except (ArithmeticError, ValueError, TypeError):
            continue
    return values
