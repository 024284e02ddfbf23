"""Second derivatives of a small scalar function: the gradient, built as Values, differentiated once more.

For f(x1, ..., xn):  H[i][j] = d²f/dxi dxj = d(df/dxi)/dxj.  ``grad(f, xs, create_graph=True)`` gives each
df/dxi as a Value made from the graph of f (gradient_graph.py); a second reverse pass over df/dxi gives row i.
A Hessian-vector product H v is one reverse pass over the single Value sum_i (df/dxi) vi: no H is formed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from micrograd_nn import errors, labels
from micrograd_nn.engine import Value
from micrograd_nn.gradient_graph import grad

Function = Callable[[list[Value]], Value]


def _first_derivatives(f: Function, xs: list[float], name: str) -> tuple[list[Value], list[Value]]:
    """The leaves x1..xn and [df/dx1, ..., df/dxn] as Values built from the graph of f (create_graph=True)."""
    if not callable(f):
        raise TypeError(f"{name}: f must be a function of a list of Values, got {type(f).__name__}: "
                        f"{errors.shown(f)}")
    leaves = [Value(x, labels.input_label(i + 1)) for i, x in enumerate(xs)]
    out = f(leaves)
    if not isinstance(out, Value):
        errors.finite_number(out, f"{name}: f's result")  # a constant: every derivative is 0
        return leaves, [Value(0.0) for _ in leaves]
    return leaves, grad(out, leaves, create_graph=True)


def hessian(f: Function, xs: Iterable[object]) -> list[list[float]]:
    """H[i][j] = d²f/(dxi dxj) at xs: each first derivative df/dxi, built as a Value, differentiated again."""
    leaves, first = _first_derivatives(f, errors.number_list(xs, "hessian: xs"), "hessian")
    return [[g.data for g in grad(df_dxi, leaves)] for df_dxi in first]


def hvp(f: Function, xs: Iterable[object], vs: Iterable[object]) -> list[float]:
    """H v = d/dx (∇f(x) · v) at xs: one reverse pass over the Value sum_i (df/dxi) vi."""
    numbers, tangents = errors.number_list(xs, "hvp: xs"), errors.number_list(vs, "hvp: vs")
    if len(numbers) != len(tangents):
        raise ValueError(f"hvp: xs has {len(numbers)} numbers and vs {len(tangents)}: give one v per x")
    leaves, first = _first_derivatives(f, numbers, "hvp")
    if not first:
        return []
    directional = Value.sum([df_dxi * v for df_dxi, v in zip(first, tangents)])
    return [g.data for g in grad(directional, leaves)]
