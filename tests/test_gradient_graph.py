"""Gradients of gradients: backward(create_graph=True), grad_value, grad, hessian, hvp; against PyTorch float64."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import BINARY_OPS, KINKED_OPS, UNARY_OPS, expression_graphs, floats, run_program, run_program_torch

import micrograd_nn
from micrograd_nn import Value, grad, hessian, hvp
from micrograd_nn.engine import topological_order
from micrograd_nn.gradient_graph import backward_level, local_derivatives

EVERY_OP = UNARY_OPS + BINARY_OPS + KINKED_OPS
TORCH_WARNING = "ignore:`torch.jit.script` is deprecated:DeprecationWarning"  # torch.func's own import


def _close(ours: float, theirs: float, scale: float) -> bool:
    """Equal to 1e-9 relative to the result's scale (1e-12 absolute near 0)."""
    return abs(ours - theirs) <= 1e-9 * max(abs(theirs), scale) + 1e-12


def test_the_names_are_top_level() -> None:
    from micrograd_nn import gradient_graph, second_derivatives

    assert micrograd_nn.grad is gradient_graph.grad
    assert (micrograd_nn.hessian, micrograd_nn.hvp) == (second_derivatives.hessian, second_derivatives.hvp)


def test_tanh_second_derivative_is_the_derivative_of_one_minus_out_squared() -> None:
    """d/dx tanh = 1 - t², built from the node t; its derivative -2 t (1 - t²) is what a learner checks by hand."""
    x = Value(0.5, "x")
    y = x.tanh()
    y.backward(create_graph=True)
    t = math.tanh(0.5)
    assert x.grad == 1 - t * t and x.grad_value is not None and x.grad_value.data == x.grad
    assert y in topological_order(x.grad_value)  # built from the forward node y = tanh(x), not a new tanh
    (second,) = grad(x.grad_value, [x])
    assert second.data == pytest.approx(-2 * t * (1 - t * t), rel=1e-15)
    (third,) = grad(grad(x.grad_value, [x], create_graph=True)[0], [x])  # and again: d³/dx³ tanh = -2 + 8t² - 6t⁴
    assert third.data == pytest.approx(-2 * (1 - t * t) * (1 - 3 * t * t), rel=1e-14)


@settings(max_examples=100, deadline=None)
@given(expression_graphs(ops=EVERY_OP))
def test_grad_value_holds_exactly_the_float_backward_gives(graph: tuple) -> None:
    """Every node's grad_value is a Value whose number is the very float .grad (same products, same order)."""
    values, steps = graph
    leaves = [Value(x) for x in values]
    root = run_program(steps, *leaves)
    root.backward(create_graph=True)
    for node in topological_order(root):
        kept = node.grad_value
        assert kept is not None and kept.data == node.grad, (node, kept)
    plain = [Value(x) for x in values]
    run_program(steps, *plain).backward()
    assert [x.grad for x in leaves] == [x.grad for x in plain]


@pytest.mark.filterwarnings(TORCH_WARNING)
@settings(max_examples=150, deadline=None)
@given(expression_graphs(ops=EVERY_OP))
def test_hessian_equals_torch_func_hessian(graph: tuple) -> None:
    torch = pytest.importorskip("torch")
    values, steps = graph
    theirs = torch.func.hessian(lambda v: run_program_torch(steps, *v))(torch.tensor(values, dtype=torch.float64))
    ours = hessian(lambda xs: run_program(steps, *xs), values)
    scale = max(1.0, max(abs(h) for row in theirs.tolist() for h in row if math.isfinite(h)) if theirs.numel() else 1)
    for i, row in enumerate(theirs.tolist()):
        for j, h in enumerate(row):
            if math.isfinite(h):
                assert _close(ours[i][j], h, scale), (i, j, ours[i][j], h, steps)


@pytest.mark.filterwarnings(TORCH_WARNING)
@settings(max_examples=150, deadline=None)
@given(expression_graphs(ops=EVERY_OP), st.lists(floats(-2, 2), min_size=3, max_size=3))
def test_second_derivatives_equal_torch_autograd_grad_twice(graph: tuple, direction: list[float]) -> None:
    """grad(create_graph=True), then grad of each first derivative; and hvp, as torch.autograd.grad gives them."""
    torch = pytest.importorskip("torch")
    values, steps = graph
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in values]
    out = run_program_torch(steps, *xs)
    first = torch.autograd.grad(out, xs, create_graph=True, allow_unused=True)
    leaves = [Value(x) for x in values]
    root = run_program(steps, *leaves)
    ours_first = grad(root, leaves, create_graph=True)
    for i, (ours, their) in enumerate(zip(ours_first, first)):
        their_value = 0.0 if their is None else their.item()
        assert _close(ours.data, their_value, 1.0), (i, ours.data, their_value)
        if their is None or not their.requires_grad:
            their_row = [0.0] * len(xs)
        else:
            their_row = [0.0 if g is None else g.item() for g in torch.autograd.grad(their, xs, retain_graph=True,
                                                                                      allow_unused=True)]
        for j, (ours_second, their_second) in enumerate(zip(grad(ours, leaves), their_row)):
            if math.isfinite(their_second):
                assert _close(ours_second.data, their_second, 1.0), (i, j, ours_second.data, their_second, steps)
    _, their_hvp = torch.autograd.functional.hvp(lambda v: run_program_torch(steps, *v),
                                                 torch.tensor(values, dtype=torch.float64),
                                                 torch.tensor(direction, dtype=torch.float64))
    for ours_hv, their_hv in zip(hvp(lambda v: run_program(steps, *v), values, direction), their_hvp.tolist()):
        if math.isfinite(their_hv):
            assert _close(ours_hv, their_hv, 1.0), (ours_hv, their_hv, steps)


@pytest.mark.filterwarnings(TORCH_WARNING)
@pytest.mark.parametrize("op", ["relu", "abs", "leaky_relu"])
@pytest.mark.parametrize("at", [-0.7, 0.0, 0.7])
def test_kinks_have_second_derivative_zero_as_in_pytorch(op: str, at: float) -> None:
    """relu, abs and leaky_relu are piecewise linear: their derivatives are constants, so d² = 0, at the kink too."""
    def f(xs: list[Value]) -> Value:
        return getattr(xs[0] - xs[1], op)() * xs[0]  # d/dx0 involves the op's slope times x0, plus the op itself

    ours = hessian(f, [at + 1.0, 1.0])
    torch = pytest.importorskip("torch")
    function = {"relu": torch.relu, "abs": torch.abs, "leaky_relu": torch.nn.functional.leaky_relu}[op]
    theirs = torch.func.hessian(lambda v: function(v[0] - v[1]) * v[0])(torch.tensor([at + 1.0, 1.0],
                                                                                    dtype=torch.float64))
    assert ours == theirs.tolist()


@pytest.mark.filterwarnings(TORCH_WARNING)
def test_power_at_exponent_zero_masks_as_pytorch() -> None:
    """PyTorch sets d(a**b)/da to 0 where b == 0, so its derivative with respect to b is 0 there as well."""
    ours = hessian(lambda v: v[0] ** v[1], [1.7, 0.0])
    torch = pytest.importorskip("torch")
    theirs = torch.func.hessian(lambda v: v[0] ** v[1])(torch.tensor([1.7, 0.0], dtype=torch.float64))
    for our_row, their_row in zip(ours, theirs.tolist()):
        assert our_row == pytest.approx(their_row, rel=1e-15)
    assert ours[0][1] == 0.0 and ours[1][0] == 1 / 1.7  # not symmetric at the mask: d/da (d/db) = 1/a
    assert hessian(lambda v: (v[0] - v[1]) ** 2, [1.5, 1.5]) == [[2.0, -2.0], [-2.0, 2.0]]  # a base of 0: 2a as built
    assert hessian(lambda v: v[0] ** 3, [0.0]) == [[0.0]] and hessian(lambda v: v[0] ** 1, [0.0]) == [[0.0]]


def test_hvp_is_the_hessian_times_v() -> None:
    def f(v: list[Value]) -> Value:
        return v[0] * v[1] + v[0].sin() * v[1] ** 3 + (v[0] / v[1]).exp() + Value.dot(v, v).sqrt()

    xs, vs = [0.3, 1.2], [1.0, -2.0]
    h = hessian(f, xs)
    assert h[0][1] == pytest.approx(h[1][0], rel=1e-14)  # symmetric, computed row by row
    expected = [math.fsum(hij * vj for hij, vj in zip(row, vs)) for row in h]
    assert hvp(f, xs, vs) == pytest.approx(expected, rel=1e-13)


def test_grad_changes_no_grad_and_gives_numbers_or_graphs() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    a.grad, b.grad = 5.0, 7.0
    y = a * b + a
    da, db = grad(y, [a, b])
    assert (da.data, db.data) == (-2.0, 2.0) and da.operands == () and db.operands == ()  # plain leaves
    assert (a.grad, b.grad, y.grad) == (5.0, 7.0, 0.0)
    graph_da, graph_db = grad(y, [a, b], create_graph=True)
    assert graph_db is not None and graph_da.data == -2.0
    assert grad(graph_db, [a, b])[0].data == 1.0  # d/da (d y/db) = d/da a = 1
    assert [g.data for g in grad(y, [Value(1.0)])] == [0.0]  # an input y does not depend on: 0, as for backward()
    assert grad(y, a)[0].data == -2.0  # one Value as inputs


def test_grad_value_is_none_until_create_graph_and_after_grads_change() -> None:
    x = Value(1.5)
    y = x * x
    assert x.grad_value is None
    y.backward()
    assert x.grad_value is None
    y.backward(create_graph=True)  # a leaf adds to what it holds, as a Value too
    assert x.grad == 6.0 and x.grad_value is not None and x.grad_value.data == 6.0
    assert grad(x.grad_value, [x])[0].data == 2.0  # d/dx (3 + 2x): the earlier 3 is a constant
    y.zero_grad()
    assert x.grad_value is None


def test_grad_value_is_none_after_a_later_backward_or_zero_grad_even_when_the_float_is_the_same() -> None:
    """The kept Value goes with the pass that kept it: another function with the same number is not its graph."""
    x = Value(2.0, "x")
    cube = x**3
    cube.backward(create_graph=True)  # dy/dx = 3x^2 = 12
    cube.zero_grad()
    (x * 12.0).backward()  # a plain backward of another function whose dy/dx is 12 too
    assert x.grad == 12.0 and x.grad_value is None
    x, w = Value(-1.0), Value(2.0)
    y = (x * w).relu() + w
    y.backward(create_graph=True)
    assert x.grad_value is not None and x.grad_value.data == 0.0
    y.zero_grad()  # 0.0 before and after
    assert x.grad_value is None
    a = Value(0.5)
    t = a.tanh()
    z = t * 3.0
    z.backward(create_graph=True)
    z.backward()  # the same numbers, computed as floats only
    assert t.grad == 3.0 and t.grad_value is None


def test_a_second_create_graph_pass_adds_to_a_kept_gradient_of_zero_as_pytorch() -> None:
    """x.grad = 0 from x*x at 0, then x*3: x.grad = 2x + 3 as a Value, whose derivative is 2 (PyTorch's too)."""
    x = Value(0.0, "x")
    (x * x).backward(create_graph=True)
    (x * 3.0).backward(create_graph=True)
    assert x.grad == 3.0 and x.grad_value is not None and x.grad_value.data == 3.0
    assert grad(x.grad_value, [x])[0].data == 2.0


@pytest.mark.parametrize("depth", [1, 200, 5000])
def test_a_graph_after_create_graph_pickles_and_copies_without_its_bookkeeping(depth: int) -> None:
    """pickle and deepcopy of a graph (and of a gradient's graph) after backward(create_graph=True): no recursion
    through the kept gradients; the copy is a graph like any other (grad_value None), with the same numbers."""
    import copy
    import pickle

    x = Value(0.3, "x")
    z = x
    for _ in range(depth):
        z = z.tanh()
    z.backward(create_graph=True)
    dzdx = x.grad_value
    assert dzdx is not None
    for node in (x, z, dzdx):
        for twin in (pickle.loads(pickle.dumps(node)), copy.deepcopy(node)):
            assert twin.data == node.data and twin.grad == node.grad and twin.grad_value is None
            assert backward_level(twin) == 0
    x.mine = "kept"  # attributes of your own still travel
    assert pickle.loads(pickle.dumps(x)).mine == "kept"


def test_a_branch_that_leads_to_no_input_asked_for_is_not_differentiated() -> None:
    """sqrt at 0 has an infinite local derivative; off the way to x it does not matter (PyTorch: 6 and [[2]])."""
    c, x = Value(0.0, "c"), Value(3.0, "x")
    (first,) = grad(c.sqrt() + x * x, [x], create_graph=True)
    assert first.data == 6.0 and grad(first, [x])[0].data == 2.0
    assert hessian(lambda v: v[0] * v[0] + Value(0.0).sqrt(), [3.0]) == [[2.0]]
    with pytest.raises(ValueError, match=r"the local derivative of 'sqrt' with respect to its input 1 is inf"):
        grad(c.sqrt() + x * x, [c, x])  # on the way to c it does


def test_nodes_made_by_a_backward_pass_are_marked_by_its_order() -> None:
    x = Value(0.3, "x")
    y = (x * x).sin()
    (first,) = grad(y, [x], create_graph=True)
    (second,) = grad(first, [x], create_graph=True)
    assert backward_level(x) == backward_level(y) == 0
    assert backward_level(first) == 1 and backward_level(second) == 2
    assert {backward_level(n) for n in topological_order(second)} == {0, 1, 2}
    y.backward(create_graph=True)
    x.grad_value.backward(create_graph=True)  # no zero_grad: x adds d²y/dx² to dy/dx, a sum made by this pass
    assert x.grad_value is not None and backward_level(x.grad_value) == 2
    assert x.grad_value.data == pytest.approx(first.data + second.data, rel=1e-15)
    (unused,) = grad(y, [Value(3.0)], create_graph=True)
    assert unused.data == 0.0 and backward_level(unused) == 1  # a 0 made by the pass is the pass's too


def test_local_derivatives_are_built_from_the_forward_nodes() -> None:
    a, b = Value(2.0, "a"), Value(3.0, "b")
    product = a * b
    assert local_derivatives(product) == [(a, b), (b, a)]  # d(ab)/da = b: the node b itself
    t = a.tanh()
    ((operand, slope),) = local_derivatives(t)
    assert operand is a and t in topological_order(slope) and slope.data == t.local_grads[0]
    relu = (a - b).relu()
    assert local_derivatives(relu)[0][1] == 0.0  # a constant: relu's slope, whose derivative is 0


def test_errors_name_the_function_and_the_value() -> None:
    with pytest.raises(TypeError, match=r"grad: output must be a Value, got float: 2.0"):
        grad(2.0, [Value(1.0)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"grad: inputs\[1\] must be a Value, got str"):
        grad(Value(1.0), [Value(1.0), "x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"hessian: xs must be a list of numbers, got str"):
        hessian(lambda v: v[0], "12")
    with pytest.raises(ValueError, match=r"hvp: xs has 2 numbers and vs 1"):
        hvp(lambda v: v[0] * v[1], [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match=r"hessian: f must be a function"):
        hessian(3.0, [1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"grad: inputs must be a Value or a list of Values, got NoneType"):
        grad(Value(1.0) * 2, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"create_graph: the local derivative of 'sqrt' with respect to its input 1 "
                                         r"is inf at 'x1' = 0.0"):
        hessian(lambda v: v[0].sqrt(), [0.0])  # PyTorch's inf: a Value holds finite numbers only
    with pytest.raises(OverflowError, match=r"create_graph: building the gradient through op 'log'"):
        hessian(lambda v: v[0].log() * v[1].exp(), [1e-300, 700.0])  # d²/dx² = -e^700/x² overflows
    assert hessian(lambda v: 4.0, [1.0, 2.0]) == [[0.0, 0.0], [0.0, 0.0]]  # type: ignore[arg-type, return-value]


def test_a_micrograd_style_op_cannot_be_differentiated_twice() -> None:
    a = Value(0.7, "a")
    t = math.tanh(a.data)
    out = Value(t, (a,), "tanh")

    def _backward() -> None:
        a.grad += (1 - t**2) * out.grad

    out._backward = _backward
    with pytest.raises(ValueError, match=r"create_graph: op 'tanh' was written micrograd's way"):
        out.backward(create_graph=True)
    out.backward()  # the float backward still works
    assert a.grad == 1 - t**2


def test_a_planted_rule_is_refused_not_differentiated_as_rules_py_writes_it() -> None:
    """A rule planted in rules.OPS (as the gradient audit's demo does) has no derivative function to build on."""
    import dataclasses

    from micrograd_nn import rules

    original = rules.OPS["tanh"]
    rules.OPS["tanh"] = dataclasses.replace(original, rule=lambda a: (math.tanh(a), (1.0,)))
    try:
        x = Value(0.5)
        y = x.tanh()
        with pytest.raises(ValueError, match=r"create_graph: op 'tanh' runs a rule planted in rules.OPS"):
            y.backward(create_graph=True)
    finally:
        rules.OPS["tanh"] = original
    assert grad(Value(0.5).tanh(), [Value(0.5)])[0].data == 0.0  # rules.py's own rule again


def _power_program(v: Any, b: float, value_exponent: bool) -> Any:
    """(a ** b) x a with b a Value (v[1]) or the number b (then times v[1]): for Values and torch tensors alike."""
    return (v[0] ** v[1] if value_exponent else v[0] ** b * v[1]) * v[0]


@pytest.mark.filterwarnings(TORCH_WARNING)
@pytest.mark.parametrize("value_exponent", [False, True])
@settings(max_examples=200, deadline=None)
@given(st.one_of(st.sampled_from([0.0, -1.5, 1.0]), floats(-3, 3)), st.one_of(st.integers(-3, 4).map(float),
                                                                            floats(-3, 3)))
def test_power_at_its_edges_equals_torch(value_exponent: bool, a: float, b: float) -> None:
    """a ** b at a base of 0 or below, integer or not, exponent a number or a Value: PyTorch's Hessian, or an error
    where a local derivative is infinite (PyTorch's inf or nan)."""
    torch = pytest.importorskip("torch")
    if value_exponent and a <= 0.0:
        return  # d/db is nan (a < 0) or PyTorch's mask (a = 0): tested with a number as the exponent
    theirs = torch.func.hessian(lambda v: _power_program(v, b, value_exponent))(
        torch.tensor([a, b], dtype=torch.float64)).tolist()
    try:
        ours = hessian(lambda v: _power_program(v, b, value_exponent), [a, b])
    except (ValueError, ZeroDivisionError, OverflowError):
        if (a < 0.0 and not b.is_integer()) or (a == 0.0 and b < 0.0):
            return  # no real value: the forward pass refuses, as it always did
        assert not all(math.isfinite(h) for row in theirs for h in row), (a, b, theirs)
        return
    for our_row, their_row in zip(ours, theirs):
        for o, t in zip(our_row, their_row):
            if math.isfinite(t):
                assert _close(o, t, 1.0), (a, b, value_exponent, ours, theirs)
