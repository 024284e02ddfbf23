"""Hypothesis strategies shared by the tests: rule arguments inside each rule's domain, and random graphs."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from micrograd_nn.engine import Value
from micrograd_nn.records import Op
from micrograd_nn.rules import OPS


def floats(low: float, high: float) -> st.SearchStrategy[float]:
    """Finite floats in [low, high]."""
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def away_from_zero(limit: float, gap: float = 1e-2) -> st.SearchStrategy[float]:
    """Floats in [-limit, -gap] or [gap, limit]: differentiable side of a kink at 0."""
    return st.one_of(floats(-limit, -gap), floats(gap, limit))


def _input(low: float, high: float, kinks: tuple[float, ...], gap: float) -> st.SearchStrategy[float]:
    """Floats in [low, high] at least ``gap`` away from every kink."""
    return floats(low, high).filter(lambda x: all(abs(x - k) >= gap for k in kinks))


def rule_arguments(op: Op) -> st.SearchStrategy[tuple[float, ...]]:
    """Arguments for op's rule where it is differentiable, read from the op's domain in rules.OPS."""
    domain = op.domain
    if op.arity:
        if len(domain.ranges) != op.arity:
            raise AssertionError(
                f"rules.OPS[{op.name!r}].domain.ranges has {len(domain.ranges)} intervals for {op.arity} inputs: "
                "give one (low, high) per input"
            )
        return st.tuples(*(_input(lo, hi, domain.kinks, domain.gap) for lo, hi in domain.ranges))
    (low, high), extra = domain.ranges[0], {"terms": None, "pairs": 0, "pairs+bias": 1}[domain.layout]
    element = _input(low, high, domain.kinks, domain.gap)
    if extra is None:
        return st.lists(element, min_size=1, max_size=6).map(tuple)
    return st.integers(1, 5).flatmap(
        lambda n: st.lists(element, min_size=2 * n + extra, max_size=2 * n + extra).map(tuple)
    )


def _negative_base_power() -> st.SearchStrategy[tuple[float, float]]:
    """A negative base with an integer exponent: the one place outside power's domain where it is defined."""
    return st.tuples(floats(-3, -0.1), st.integers(-3, 4).map(float))


# For each op of rules.OPS: arguments where the rule is differentiable, so
# central differences are a fair reference.  (Kinks and domain edges have
# their own example tests in test_engine.py.)
RULE_ARGUMENTS: dict[str, st.SearchStrategy[tuple[float, ...]]] = {
    name: rule_arguments(op) for name, op in OPS.items()
}
RULE_ARGUMENTS["**"] = st.one_of(RULE_ARGUMENTS["**"], _negative_base_power())

# Each program op builds a few nodes from earlier ones.  Operands of ops with
# a restricted domain (log, sqrt, /, **) are shaped to stay inside it, and
# growth is kept bounded, so central differences stay a fair reference.
# Every smooth unary method of the table (kinks such as relu's are left to example tests).
UNARY_OPS = ["neg", "cube"] + [
    op.method for op in OPS.values() if op.arity == 1 and not op.method.startswith("__") and not op.domain.kinks
]
BINARY_OPS = ["+", "-", "*", "/", "**", "sum", "dot", "affine"]
KINKED_OPS = ["relu", "abs", "leaky_relu"]  # where a kink can be hit (a - a), PyTorch's conventions hold


@st.composite
def expression_graphs(
    draw: st.DrawFn, n_inputs: int = 3, max_steps: int = 10, ops: list[str] | None = None
) -> tuple[list[float], list[tuple]]:
    """Input values and a random program over them whose steps may reuse any earlier node.

    Each step is (op, i, j): apply op to nodes i and j (j ignored for unary ops).
    Reuse of earlier nodes gives shared sub-expressions; long runs give depth.
    ops: the ops to draw from (default UNARY_OPS + BINARY_OPS, the smooth ones).
    """
    inputs = draw(st.lists(floats(-2, 2), min_size=n_inputs, max_size=n_inputs))
    steps = []
    n_nodes = n_inputs
    for _ in range(draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(ops or UNARY_OPS + BINARY_OPS))
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
    if op == "cube":
        return a.tanh() ** 3  # a negative base with an integer exponent
    if op == "leaky_relu":
        return a.leaky_relu(0.1)
    (low, high), = OPS[op].domain.ranges
    inside = (a.tanh() + 1.0) * ((high - low) / 2) + low  # a, squashed into the op's domain
    return getattr(inside, op)()


def run_program(steps: list[tuple], *leaves: Value) -> Value:
    """Evaluate a program from expression_graphs on Values; the last node is the result."""
    nodes = list(leaves)
    for op, i, j in steps:
        nodes.append(apply_step(op, nodes[i], nodes[j]))
    return nodes[-1]


def torch_step(op: str, a: Any, b: Any) -> Any:
    """apply_step's op on PyTorch tensors (float64), the same formula (torch is imported only when called)."""
    import torch

    if op in ("+", "-", "neg", "sum"):
        return {"+": lambda: a + b, "-": lambda: a - b, "neg": lambda: -a, "sum": lambda: a + b + a}[op]()
    if op in ("*", "/", "**", "cube"):
        return {"*": lambda: a * torch.tanh(b), "/": lambda: a / (b * b + 1),
                "**": lambda: (a * a + 0.5) ** torch.tanh(b), "cube": lambda: torch.tanh(a) ** 3}[op]()
    if op in ("dot", "affine"):
        product = a * torch.tanh(b) + b * torch.tanh(a)
        return product if op == "dot" else a + product
    if op == "leaky_relu":
        return torch.nn.functional.leaky_relu(a, 0.1)
    (low, high), = OPS[op].domain.ranges
    inside = (torch.tanh(a) + 1.0) * ((high - low) / 2) + low
    if op == "softplus":  # ln(1 + e^x) exactly (torch's softplus is x itself past x = 20)
        return torch.logaddexp(inside, torch.zeros_like(inside))
    return getattr(torch, op)(inside)


def run_program_torch(steps: list[tuple], *leaves: Any) -> Any:
    """run_program on PyTorch tensors: the last node is the result."""
    nodes = list(leaves)
    for op, i, j in steps:
        nodes.append(torch_step(op, nodes[i], nodes[j]))
    return nodes[-1]
