"""Forward mode (micrograd_nn.jvp): against reverse mode, against torch.func.jvp, and its passes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import BINARY_OPS, KINKED_OPS, UNARY_OPS, expression_graphs, floats, run_program, run_program_torch

import micrograd_nn
from micrograd_nn import Value, hessian
from micrograd_nn.engine import topological_order
from micrograd_nn.forward_mode import jvp, local_derivatives, push_tangents

EVERY_OP = UNARY_OPS + BINARY_OPS + KINKED_OPS


def _close(ours: float, theirs: float) -> bool:
    """Equal to 1e-9 relative (1e-12 absolute near 0)."""
    return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)


def test_jvp_is_the_top_level_name() -> None:
    assert micrograd_nn.jvp is jvp


def test_jvp_of_a_function_gives_value_and_directional_derivative() -> None:
    value, slope = jvp(lambda x: x[0] * x[1] + x[0].tanh(), [2.0, -3.0], [1.0, 0.5])
    assert value == 2.0 * -3.0 + math.tanh(2.0)
    assert slope == pytest.approx((-3.0 + 1 - math.tanh(2.0) ** 2) * 1.0 + 2.0 * 0.5, rel=1e-15)


@settings(max_examples=150, deadline=None)
@given(expression_graphs(ops=EVERY_OP), st.lists(floats(-2, 2), min_size=3, max_size=3))
def test_jvp_is_the_gradient_along_the_direction(graph: tuple, direction: list[float]) -> None:
    """Forward mode along e_i gives backward()'s d(out)/d(x_i); along v, the gradient dotted with v."""
    values, steps = graph
    leaves = [Value(x) for x in values]
    root = run_program(steps, *leaves)
    root.backward()
    grads = [x.grad for x in leaves]
    for i in range(3):
        unit = [1.0 if k == i else 0.0 for k in range(3)]
        value, slope = jvp(root, leaves, unit)
        assert value == root.data
        assert _close(slope, grads[i]), (i, slope, grads[i])
    value, slope = jvp(lambda xs: run_program(steps, *xs), values, direction)
    assert value == root.data
    expected = math.fsum(g * v for g, v in zip(grads, direction))
    scale = math.fsum(abs(g * v) for g, v in zip(grads, direction))
    assert abs(slope - expected) <= 1e-9 * scale + 1e-12, (slope, expected)
    assert [x.grad for x in leaves] == grads  # forward mode changes no gradient


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")  # torch.func's own import
@settings(max_examples=150, deadline=None)
@given(expression_graphs(ops=EVERY_OP), st.lists(floats(-2, 2), min_size=3, max_size=3))
def test_jvp_equals_torch_func_jvp(graph: tuple, direction: list[float]) -> None:
    torch = pytest.importorskip("torch")
    values, steps = graph
    primals = tuple(torch.tensor(x, dtype=torch.float64) for x in values)
    tangents = tuple(torch.tensor(v, dtype=torch.float64) for v in direction)
    their_value, their_slope = torch.func.jvp(lambda *xs: run_program_torch(steps, *xs), primals, tangents)
    value, slope = jvp(lambda xs: run_program(steps, *xs), values, direction)
    assert _close(value, their_value.item())
    if math.isfinite(their_slope.item()):
        assert _close(slope, their_slope.item()), (steps, slope, their_slope.item())


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize(("op", "expected"), [("relu", 0.0), ("abs", 0.0), ("leaky_relu", 0.01)])
def test_jvp_at_a_kink_follows_pytorch(op: str, expected: float) -> None:
    """relu'(0) = abs'(0) = 0 and leaky_relu'(0) = slope, as torch.func.jvp gives (checked below when torch is here)."""
    _, slope = jvp(lambda x: getattr(x[0] - x[1], op)(), [1.5, 1.5], [1.0, 0.0])
    assert slope == expected
    torch = pytest.importorskip("torch")
    function = {"relu": torch.relu, "abs": torch.abs, "leaky_relu": torch.nn.functional.leaky_relu}[op]
    x = torch.tensor(1.5, dtype=torch.float64)
    _, theirs = torch.func.jvp(lambda a, b: function(a - b), (x, x), (torch.tensor(1.0, dtype=torch.float64),
                                                                     torch.tensor(0.0, dtype=torch.float64)))
    assert theirs.item() == expected


def test_jvp_through_a_micrograd_style_op() -> None:
    """An op written the micrograd way (derivative in its _backward closure) is read from the closure."""
    a, b = Value(0.7, "a"), Value(-0.4, "b")
    product = a * b
    t = math.tanh(product.data)
    out = Value(t, (product,), "tanh")

    def _backward() -> None:
        product.grad += (1 - t**2) * out.grad

    out._backward = _backward
    root = out * a
    a.grad, b.grad = 5.0, 6.0  # gradients from earlier: forward mode leaves them as they are
    value, slope = jvp(root, [a, b], [1.0, 2.0])
    expected = ((1 - t**2) * b.data * a.data + t) * 1.0 + (1 - t**2) * a.data * a.data * 2.0
    assert value == root.data
    assert slope == pytest.approx(expected, rel=1e-15)
    assert (a.grad, b.grad, product.grad, out.grad) == (5.0, 6.0, 0.0, 0.0)
    assert local_derivatives(out) == [(0, product, 1 - t**2)]


def test_one_pass_costs_one_multiply_add_per_edge_it_reaches() -> None:
    """Seeding a and b reaches all four edges of a * b + a; seeding b alone, the two on b's way to the output."""
    a, b = Value(2.0, "a"), Value(3.0, "b")
    root = a * b + a
    order = topological_order(root)
    both = push_tangents(order, {a: 1.0, b: 1.0})
    assert both.multiply_adds == 4 and both.tangents[root] == 3.0 + 1.0 + 2.0
    only_b = push_tangents(order, {b: 1.0})
    assert only_b.multiply_adds == 2 and only_b.tangents[root] == 2.0
    assert a not in only_b.tangents  # a carries no tangent in this pass


def test_jvp_of_a_leaf_and_of_a_constant_function() -> None:
    x = Value(4.0)
    assert jvp(x, [x], [2.5]) == (4.0, 2.5)
    assert jvp(x, [Value(1.0)], [2.5]) == (4.0, 0.0)  # an input the graph does not use
    assert jvp(lambda xs: 7.0, [1.0, 2.0], [1.0, 1.0]) == (7.0, 0.0)
    assert jvp(lambda xs: xs[0] + xs[0], [1.0], [3]) == (2.0, 6.0)
    import numpy as np

    assert jvp(lambda xs: xs[0] * xs[1], np.array([2.0, 3.0]), np.array([1.0, 0.5])) == (6.0, 3.0 + 1.0)


def test_jvp_refuses_bad_arguments_naming_them() -> None:
    a, b = Value(1.0, "a"), Value(2.0, "b")
    inner = a * b
    root = inner.tanh()
    with pytest.raises(ValueError, match="^jvp: xs has 2 entries and vs 1: give one v per x$"):
        jvp(root, [a, b], [1.0])
    with pytest.raises(ValueError, match=r"jvp: xs\[0\] \(.*\) is computed by op '\*', not a leaf"):
        jvp(root, [inner], [1.0])
    with pytest.raises(TypeError, match=r"jvp: xs\[1\] must be a leaf Value of the graph, got float"):
        jvp(root, [a, 2.0], [1.0, 1.0])
    with pytest.raises(TypeError, match=r"jvp: vs\[1\] needs a real number, got str"):
        jvp(root, [a, b], [1.0, "1"])
    with pytest.raises(TypeError, match=r"^jvp: xs must be a list of numbers, got float: 2.5$"):
        jvp(lambda xs: xs[0], 2.5, [1.0])  # type: ignore[arg-type]
    for unordered in ({5: 1.0, 6: 2.0}, {1.0, 2.0}):  # a dict's keys or a set: no order to pair with vs
        with pytest.raises(TypeError, match=f"^jvp: xs must be a list of numbers, got {type(unordered).__name__}"):
            jvp(lambda xs: xs[0] * xs[1], unordered, [1.0, 1.0])  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=f"^hessian: xs must be a list of numbers, got {type(unordered).__name__}"):
            hessian(lambda xs: xs[0] * xs[1], unordered)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"jvp: xs\[0\]: needs a finite number, got nan"):
        jvp(lambda xs: xs[0], [math.nan], [1.0])
    with pytest.raises(TypeError, match="jvp: f's result needs a real number, got str"):
        jvp(lambda xs: "x", [1.0], [1.0])
    with pytest.raises(TypeError, match="jvp: needs a function of a list of Values or a Value"):
        jvp(3.0, [1.0], [1.0])  # type: ignore[arg-type]


def test_jvp_of_a_node_that_is_both_inputs_of_its_op() -> None:
    """x ** x: the base and the exponent are one node, at input positions 0 and 1; d/dx = x^x (ln x + 1)."""
    _, slope = jvp(lambda v: v[0] ** v[0], [1.5], [2.0])
    assert slope == pytest.approx(1.5**1.5 * (math.log(1.5) + 1) * 2.0, rel=1e-15)
    x = Value(1.5)
    assert local_derivatives(x ** x) == [(0, x, 1.5 * 1.5**0.5), (1, x, 1.5**1.5 * math.log(1.5))]
