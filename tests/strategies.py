"""Hypothesis strategies shared by the tests: rule arguments inside each rule's domain, and random graphs."""

from __future__ import annotations

from hypothesis import strategies as st

from micrograd_nn.engine import Value


def floats(low: float, high: float) -> st.SearchStrategy[float]:
    """Finite floats in [low, high]."""
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def away_from_zero(limit: float, gap: float = 1e-2) -> st.SearchStrategy[float]:
    """Floats in [-limit, -gap] or [gap, limit]: differentiable side of a kink at 0."""
    return st.one_of(floats(-limit, -gap), floats(gap, limit))


def _nary(n_min: int = 1, n_max: int = 6) -> st.SearchStrategy[tuple[float, ...]]:
    return st.lists(floats(-5, 5), min_size=n_min, max_size=n_max).map(tuple)


def _pairs_args(extra: int = 0) -> st.SearchStrategy[tuple[float, ...]]:
    """2n floats (w1..wn, x1..xn) plus `extra` more (a bias), for n in 1..5."""
    return st.integers(1, 5).flatmap(
        lambda n: st.lists(floats(-5, 5), min_size=2 * n + extra, max_size=2 * n + extra).map(tuple)
    )


def _negative_base_power() -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(floats(-3, -0.1), st.integers(-3, 4).map(float))


# For each op of rules.RULES: arguments where the rule is differentiable, so
# central differences are a fair reference.  (Kinks and domain edges have
# their own example tests in test_engine.py.)
RULE_ARGUMENTS: dict[str, st.SearchStrategy[tuple[float, ...]]] = {
    "+": st.tuples(floats(-100, 100), floats(-100, 100)),
    "-": st.tuples(floats(-100, 100), floats(-100, 100)),
    "*": st.tuples(floats(-100, 100), floats(-100, 100)),
    "/": st.tuples(floats(-10, 10), away_from_zero(10, 0.1)),
    "**": st.one_of(st.tuples(floats(0.1, 5), floats(-3, 3)), _negative_base_power()),
    "neg": st.tuples(floats(-100, 100)),
    "exp": st.tuples(floats(-20, 20)),
    "log": st.tuples(floats(0.01, 100)),
    "sqrt": st.tuples(floats(0.01, 100)),
    "softplus": st.tuples(floats(-30, 30)),
    "sigmoid": st.tuples(floats(-30, 30)),
    "tanh": st.tuples(floats(-10, 10)),
    "relu": st.tuples(away_from_zero(100)),
    "leaky_relu": st.tuples(away_from_zero(100), floats(0.0, 1.0)),
    "abs": st.tuples(away_from_zero(100)),
    "sin": st.tuples(floats(-10, 10)),
    "cos": st.tuples(floats(-10, 10)),
    "sum": _nary(),
    "dot": _pairs_args(),
    "affine": _pairs_args(extra=1),
}

# Each program op builds a few nodes from earlier ones.  Operands of ops with
# a restricted domain (log, sqrt, /, **) are shaped to stay inside it, and
# growth is kept bounded, so central differences stay a fair reference.
UNARY_OPS = ["exp", "tanh", "sigmoid", "softplus", "sin", "cos", "neg", "log", "sqrt", "cube"]
BINARY_OPS = ["+", "-", "*", "/", "**", "sum", "dot", "affine"]


@st.composite
def expression_graphs(draw: st.DrawFn, n_inputs: int = 3, max_steps: int = 10) -> tuple[list[float], list[tuple]]:
    """Input values and a random program over them whose steps may reuse any earlier node.

    Each step is (op, i, j): apply op to nodes i and j (j ignored for unary ops).
    Reuse of earlier nodes gives shared sub-expressions; long runs give depth.
    """
    inputs = draw(st.lists(floats(-2, 2), min_size=n_inputs, max_size=n_inputs))
    steps = []
    n_nodes = n_inputs
    for _ in range(draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(UNARY_OPS + BINARY_OPS))
        i = draw(st.integers(0, n_nodes - 1))
        j = draw(st.integers(0, n_nodes - 1))
        steps.append((op, i, j))
        n_nodes += 1
    return inputs, steps


def apply_step(op: str, a: Value, b: Value) -> Value:
    """One program op on nodes a and b."""
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b.tanh()
    if op == "/":
        return a / (b * b + 1)
    if op == "**":
        return (a * a + 0.5) ** b.tanh()
    if op == "sum":
        return Value.sum([a, b, a])
    if op == "dot":
        return Value.dot([a, b], [b.tanh(), a.tanh()])
    if op == "affine":
        return Value.dot([a, b], [b.tanh(), a.tanh()], bias=a)
    if op == "neg":
        return -a
    if op == "exp":
        return a.tanh().exp()
    if op == "log":
        return (a * a + 1).log()
    if op == "sqrt":
        return (a * a + 0.5).sqrt()
    if op == "cube":
        return a.tanh() ** 3  # a negative base with an integer exponent
    return getattr(a, op)()


def run_program(steps: list[tuple], *leaves: Value) -> Value:
    """Evaluate a program from expression_graphs on Values; the last node is the result."""
    nodes = list(leaves)
    for op, i, j in steps:
        nodes.append(apply_step(op, nodes[i], nodes[j]))
    return nodes[-1]
