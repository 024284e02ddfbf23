"""The Value engine: micrograd's examples, the chain rule on shared and deep graphs, semantics, bad input."""

import gc
import math

import numpy as np
import pytest
from hypothesis import given
from strategies import expression_graphs, run_program

from micrograd_nn import Value
from micrograd_nn.engine import topological_order
from micrograd_nn.gradcheck import gradcheck


def test_micrograd_readme_example() -> None:
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.7041, abs=1e-4)
    assert a.grad == pytest.approx(138.8338, abs=1e-4)
    assert b.grad == pytest.approx(645.5773, abs=1e-4)


def test_reused_inner_node_gets_every_contribution() -> None:
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert b.grad == 2.0
    assert a.grad == 4.0


def test_operands_keep_order_and_repeats() -> None:
    a, b = Value(3.0, "a"), Value(5.0, "b")
    assert (a + a).operands == (a, a)
    assert (a - b).operands == (a, b)
    assert (a - b).local_grads == (1.0, -1.0)
    diff = 2 - a  # the number stays inside the op, on its side
    assert diff.operands == (a,) and diff.inputs == (2.0, a) and diff.data == -1.0 and diff.local_grads == (-1.0,)
    quotient = 2 / a
    assert quotient.data == pytest.approx(2 / 3) and quotient.inputs == (2.0, a)
    assert quotient.local_grads == (pytest.approx(-2 / 9),)
    power = 2**a
    assert power.data == 8.0 and power.operands == (a,) and power.inputs == (2.0, a)
    assert (a * b)._prev == (a, b) and (a * b)._op == "*"
    assert a.op == "" and a.operands == ()


@pytest.mark.parametrize(
    ("make", "expected_grad"),
    [
        (lambda x: x.relu(), 0.0),
        (lambda x: abs(x), 0.0),
        (lambda x: x.abs(), 0.0),
        (lambda x: x.leaky_relu(0.1), 0.1),
        (lambda x: x.sqrt(), math.inf),
    ],
)
def test_kinks_follow_pytorch(make, expected_grad: float) -> None:
    x = Value(0.0)
    y = make(x)
    y.backward()
    assert x.grad == expected_grad


def test_values_of_every_method() -> None:
    x = Value(0.5)
    assert x.exp().data == pytest.approx(math.exp(0.5))
    assert x.log().data == pytest.approx(math.log(0.5))
    assert x.sqrt().data == pytest.approx(math.sqrt(0.5))
    assert x.tanh().data == pytest.approx(math.tanh(0.5))
    assert x.sigmoid().data == pytest.approx(1 / (1 + math.exp(-0.5)))
    assert x.softplus().data == pytest.approx(math.log1p(math.exp(0.5)))
    assert x.sin().data == pytest.approx(math.sin(0.5))
    assert x.cos().data == pytest.approx(math.cos(0.5))
    assert Value(-2.0).leaky_relu().data == pytest.approx(-0.02)
    assert (-x).data == -0.5
    assert (Value(-8.0) ** 3).data == -512.0
    assert (Value(-2.0) ** Value(2.0)).data == 4.0


def test_sum_and_dot_are_single_nodes() -> None:
    xs = [Value(float(i)) for i in range(1, 5)]
    total = Value.sum(xs + [10])
    assert total.data == 20.0 and total.op == "sum" and total.operands == tuple(xs) and total.inputs[-1] == 10.0
    total.backward()
    assert [x.grad for x in xs] == [1.0] * 4
    ws = [Value(0.5), Value(-1.0)]
    d = Value.dot(ws, [xs[0], 3.0])
    assert d.data == 0.5 - 3.0 and d.op == "dot"
    d.backward()
    assert ws[0].grad == 1.0 and ws[1].grad == 3.0 and xs[0].grad == 1.0 + 0.5
    b = Value(0.25)
    neuron_sum = Value.dot(ws, [2.0, 1.0], bias=b)
    assert neuron_sum.op == "affine" and neuron_sum.data == 0.5 * 2.0 - 1.0 + 0.25
    neuron_sum.backward()
    assert b.grad == 1.0 and ws[0].grad == 1.0 + 2.0
    with pytest.raises(ValueError, match="equal lengths"):
        Value.dot(ws, [1.0])
    with pytest.raises(ValueError, match="at least one"):
        Value.sum([])


def test_sum_of_many_terms_matches_python_sum() -> None:
    xs = [Value(0.001 * i) for i in range(5000)]
    assert Value.sum(xs).data == pytest.approx(sum(x.data for x in xs))
    builtin = sum(xs)  # micrograd style: a chain of 5000 "+" nodes
    builtin.backward()
    assert all(x.grad == 1.0 for x in xs)


def test_million_node_chain_without_recursion() -> None:
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert y.data == 1.0
    assert x.grad == 1.0
    assert len(topological_order(y)) == 1_000_001
    del y  # freeing a million-deep chain must not overflow the C stack


def test_dropped_graph_is_freed_without_the_garbage_collector() -> None:
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        x = Value(0.3)
        y = x
        for _ in range(2000):
            y = (y * 1.0001 + 0.5).tanh()
        y.backward()
        assert len(gc.get_objects()) > before + 5000  # the graph is alive
        del x, y
        assert len(gc.get_objects()) < before + 50  # and gone at once, by reference counting
    finally:
        gc.enable()


def test_second_backward_doubles_leaves_only() -> None:
    a, b = Value(2.0), Value(3.0)
    h = a * b
    out = h.tanh()
    out.backward()
    first = (a.grad, b.grad, h.grad, out.grad)
    out.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert (h.grad, out.grad) == (first[2], first[3])


def test_zero_grad_clears_the_whole_graph() -> None:
    a, b = Value(2.0), Value(3.0)
    out = (a * b + 1).tanh()
    out.backward()
    out.zero_grad()
    assert all(node.grad == 0.0 for node in topological_order(out))


def test_backward_seed_and_leaf_root() -> None:
    a = Value(2.0)
    (a * 3).backward(2.0)
    assert a.grad == 6.0
    leaf = Value(1.0)
    leaf.backward()
    assert leaf.grad == 1.0


@pytest.mark.parametrize("bad", ["x", None, [1.0], 1 + 2j, True, Value(1.0)])
def test_non_numbers_are_refused(bad: object) -> None:
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_non_finite_data_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        Value(bad)


def test_operator_with_a_string_names_the_types() -> None:
    with pytest.raises(TypeError, match="Value.*str|str.*Value"):
        Value(1.0) + "x"  # type: ignore[operator]
    with pytest.raises(TypeError):
        "x" * Value(1.0)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("make", "error", "pattern"),
    [
        (lambda: Value(0.0).log(), ValueError, r"log\(0\.0\)"),
        (lambda: Value(-1.0).log(), ValueError, r"log\(-1\.0\)"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, r"1\.0 / 0\.0"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"0\.0 \*\* -1\.0"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, r"-8\.0 \*\* 0\.333"),
        (lambda: Value(-1.0).sqrt(), ValueError, r"sqrt\(-1\.0\)"),
        (lambda: Value(1000.0, "z").exp(), OverflowError, r"exp\(1000\.0\).*'z'"),
        (lambda: Value(1e200) * 1e200, OverflowError, r"\*.*not a finite"),
        (lambda: Value(10.0) ** 400, OverflowError, r"10\.0 \*\* 400"),
        (lambda: Value(10**400), OverflowError, r"Value: the number 1000.*too large"),
        (lambda: Value(1.0) + 10**400, OverflowError, r"\+: the number 1000.*too large"),
        (lambda: Value(1.0) * math.inf, ValueError, r"\*: needs a finite number, got inf"),
    ],
)
def test_bad_input_raises_naming_op_and_value(make, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        make()


def test_backward_overflow_names_the_node() -> None:
    x = Value(1e-300)
    y = x * 1.0
    y.label = "y"
    out = y * 1e308 + y * 1e308  # finite, but dout/dy = 2e308 overflows
    with pytest.raises(OverflowError, match="gradient of 'y' overflowed to inf"):
        out.backward()


def test_backward_after_an_interrupted_backward_is_right() -> None:
    x = Value(1e-300)
    y = (x * 1.0).tanh()
    z = y * 3.0
    with pytest.raises(OverflowError):
        (z * 1e308 + z * 1e308).backward()
    x.grad = 0.0
    w = z + y  # shares inner nodes left half-done by the failed call
    w.backward()
    assert x.grad == pytest.approx(4.0) and y.grad == 4.0 and z.grad == 1.0


def test_conventional_infinite_and_undefined_derivatives_flow_on() -> None:
    x = Value(0.0)
    (x * 1.0).sqrt().backward()  # sqrt'(0) = inf through an inner node: no error
    assert x.grad == math.inf
    z = Value(0.0)
    (z**0.5).backward()
    assert z.grad == math.inf
    base, n = Value(-2.0), Value(1.5)
    out = base ** (n * 2)  # d/d(exponent) is nan for a negative base; d/d(base) is fine
    out.backward()
    assert base.grad == pytest.approx(3 * (-2.0) ** 2) and math.isnan(n.grad)


def test_stable_functions_at_extremes() -> None:
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).tanh().data == -1.0
    assert Value(1000.0).softplus().data == 1000.0


def test_repr_keeps_every_digit_as_micrograd() -> None:
    assert repr(Value(0.8958441028683222)) == "Value(data=0.8958441028683222, grad=0.0)"
    assert repr(Value(0.125, "w")) == "Value(data=0.125, grad=0.0, label='w')"


def test_numpy_scalars_mix_in() -> None:
    a = Value(2.0)
    assert (np.float64(3.0) * a).data == 6.0
    assert (a + np.float32(1.5)).data == 3.5
    assert isinstance(np.float64(3.0) - a, Value)
    assert Value(np.int64(4)).data == 4.0


@given(expression_graphs())
def test_random_graphs_with_shared_subexpressions_match_central_differences(program) -> None:
    inputs, steps = program
    assert gradcheck(lambda *leaves: run_program(steps, *leaves), inputs)
