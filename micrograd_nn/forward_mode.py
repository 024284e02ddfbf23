"""Forward mode: derivatives pushed from the inputs to the output, beside backward()'s reverse mode.

backward() walks the recorded graph once from the output and gives
d(output)/d(node) for every node: one pass per output.  Forward mode walks
the same graph once from the inputs, in topological order, and gives every
node's tangent, its derivative along one direction v of the inputs:

    t(input i) = v_i               (the other leaves carry no tangent)
    t(node)    = sum_k  d(node)/d(operand k) * t(operand k)

with the very local derivatives the forward pass stored for backward()
(``Value.local_grads``; a micrograd-style op's from its ``_backward``
closure).  One pass gives one directional derivative, ∇f · v: the whole
Jacobian of n inputs takes n passes, where reverse mode takes one per output.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from micrograd_nn import errors, labels, micrograd_compat, nonfinite
from micrograd_nn.engine import Value, topological_order


def local_derivatives(node: Value) -> list[tuple[int, Value, float]]:
    """(input position, operand, d(node)/d(operand)) for each operand of node in order, as backward() uses them.

    The position counts the numbers inside the op too (x ** x has positions 0 and 1).  A micrograd-style op
    stores no derivatives: its _backward closure is run once with node.grad = 1 and its operands' grads at 0
    (then restored), giving one entry per distinct operand.
    """
    stored = node.local_grads
    if stored is not None:
        positions = [k for k, x in enumerate(node.inputs) if isinstance(x, Value)]
        return list(zip(positions, node.operands, stored))
    operands = list(dict.fromkeys(node.operands))
    saved = [operand.grad for operand in operands], node.grad
    try:
        for operand in operands:
            operand.grad = 0.0
        node.grad = 1.0
        micrograd_compat.run_closure(node)
        return [(node.operands.index(operand), operand, operand.grad) for operand in operands]
    finally:
        for operand, grad in zip(operands, saved[0]):
            operand.grad = grad
        node.grad = saved[1]


def tangent_share(node: Value, position: int, local: float, tangent: float) -> float:
    """d(node)/d(input at position) * its tangent, with backward()'s policy where that is not finite (nonfinite.py)."""
    product = local * tangent
    return product if math.isfinite(product) else nonfinite.share(node, position, local, tangent)


@dataclass(frozen=True)
class ForwardPass:
    """One forward-mode pass: each reached node's tangent, and the multiply-adds it took (one per edge used)."""

    tangents: dict[Value, float]
    multiply_adds: int


def push_tangents(order: Sequence[Value], seeds: Mapping[Value, float]) -> ForwardPass:
    """t(node) = sum_k d(node)/d(operand k) t(operand k) over a topological order, from t(leaf) = seeds[leaf].

    Nodes that no seeded leaf reaches carry no tangent and cost nothing.
    """
    tangents = dict(seeds)
    count = 0
    for node in order:
        if node in tangents or not node.operands:
            continue
        total, reached = 0.0, False
        for position, operand, local in local_derivatives(node):
            if operand in tangents:
                total += tangent_share(node, position, local, tangents[operand])
                reached, count = True, count + 1
        if reached:
            tangents[node] = total
    return ForwardPass(tangents, count)


def _seeds(inputs: Iterable[object], tangents: Iterable[object], order: Sequence[Value]) -> dict[Value, float]:
    """{leaf: its tangent} from jvp's inputs and tangents, checked (a leaf given twice gets the sum)."""
    inputs, tangents = list(inputs), errors.number_list(tangents, "jvp: vs")
    if len(inputs) != len(tangents):
        raise ValueError(f"jvp: xs has {len(inputs)} entries and vs {len(tangents)}: give one v per x")
    in_graph = set(order)
    seeds: dict[Value, float] = {}
    for i, (x, v) in enumerate(zip(inputs, tangents)):
        if not isinstance(x, Value):
            raise TypeError(f"jvp: xs[{i}] must be a leaf Value of the graph, got {type(x).__name__}: "
                            f"{errors.shown(x)}")
        if x.operands and x in in_graph:
            raise ValueError(f"jvp: xs[{i}] ({errors.describe(x)}) is computed by op {x.op!r}, not a leaf; "
                             "give the leaves the graph was built from")
        seeds[x] = seeds.get(x, 0.0) + v
    return seeds


def jvp(
    f: Callable[[list[Value]], Value | float] | Value, xs: Iterable[object], vs: Iterable[object]
) -> tuple[float, float]:
    """(f(x), ∇f(x) · v): the value and the derivative along v, by one forward-mode pass.

    f takes a list of Values (leaves x1..xn made from the numbers xs) and
    returns a Value; or f is the root of a recorded graph and xs are leaf
    Values of it.  vs holds one tangent per input.
    """
    if isinstance(f, Value):
        root = f
    elif callable(f):
        leaves = [Value(x, labels.input_label(i + 1)) for i, x in enumerate(errors.number_list(xs, "jvp: xs"))]
        out = f(leaves)
        if not isinstance(out, Value):
            out_number = errors.finite_number(out, "jvp: f's result")  # a constant function
            _seeds(leaves, vs, [])
            return out_number, 0.0
        root, xs = out, leaves
    else:
        raise TypeError(f"jvp: needs a function of a list of Values or a Value (a graph's root), got "
                        f"{type(f).__name__}: {errors.shown(f)}")
    order = topological_order(root)
    result = push_tangents(order, _seeds(xs, vs, order))
    return root.data, result.tangents.get(root, 0.0)
