"""The Value engine: micrograd's examples, the chain rule on shared and deep graphs, semantics, bad input."""

import copy
import gc
import math
import pickle
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import expression_graphs, run_program

from micrograd_nn import Value, rules
from micrograd_nn.checks.finite_differences import gradcheck
from micrograd_nn.engine import topological_order
from micrograd_nn.rules import DomainError


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


@pytest.mark.slow
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
    class Marker:
        """Something weakly referable to hang on nodes of the graph."""

    gc.collect()
    gc.disable()
    try:
        x = Value(0.3)
        y = x
        markers = []
        for i in range(2000):
            y = (y * 1.0001 + 0.5).tanh()
            if i % 400 == 0:  # an attribute of your own on some inner nodes, and on the leaf
                marker = Marker()
                (y._a if i % 800 else y).tag = marker
                markers.append(weakref.ref(marker))
        x.tag = marker = Marker()
        markers.append(weakref.ref(marker))
        y.backward()
        del marker
        assert all(ref() is not None for ref in markers)  # the graph is alive
        del x, y
        assert all(ref() is None for ref in markers)  # and gone at once, by reference counting
    finally:
        gc.enable()


def test_every_node_stays_visible_to_the_collector_and_cycles_through_nodes_are_freed() -> None:
    x = Value(2.0)
    y = (x * 3.0).tanh()
    assert gc.is_tracked(x) and gc.is_tracked(y) and gc.is_tracked(y._a)  # leaves and op nodes alike
    gc.collect()
    gc.disable()
    try:
        cycles = [
            lambda n: setattr(n, "me", [n]),  # an attribute of your own that refers back to its node
            lambda n: setattr(n, "_backward", lambda: n),  # a micrograd-style closure that refers to its node
            lambda n: setattr(n._a, "later", n),  # an input's attribute that refers to a node made from it
        ]
        for make_cycle in cycles:
            node = (x * 5.0) + 1.0
            make_cycle(node)
            del node
            assert gc.collect() >= 2  # the nodes of the cycle and its list, dict or closure: found and freed
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


# --- a plain number beside an operator is part of the operation ---------------------------------


@pytest.mark.parametrize(
    ("make", "inputs", "op", "micrograd_op", "value", "local"),
    [
        (lambda x: x * 2, lambda x: (x, 2.0), "*", "*", -6.0, 2.0),
        (lambda x: 2 * x, lambda x: (2.0, x), "*", "*", -6.0, 2.0),
        (lambda x: x + 0.5, lambda x: (x, 0.5), "+", "+", -2.5, 1.0),
        (lambda x: 0.5 + x, lambda x: (0.5, x), "+", "+", -2.5, 1.0),
        (lambda x: 2 - x, lambda x: (2.0, x), "-", "-", 5.0, -1.0),
        (lambda x: x - 2, lambda x: (x, 2.0), "-", "-", -5.0, 1.0),
        (lambda x: 2 / x, lambda x: (2.0, x), "/", "/", -2 / 3, -2 / 9),
        (lambda x: x / 2, lambda x: (x, 2.0), "/", "/", -1.5, 0.5),
        (lambda x: x**2, lambda x: (x, 2.0), "**", "**2", 9.0, -6.0),
        (lambda x: x**0.5 if x.data > 0 else (-x) ** 0.5, None, "**", "**0.5", 3**0.5, None),
        (lambda x: 2**x, lambda x: (2.0, x), "**", "**", 0.125, 0.125 * math.log(2)),
        (lambda x: x.leaky_relu(0.1), lambda x: (x, 0.1), "leaky_relu", "leaky_relu", -0.3, 0.1),
    ],
)
def test_a_number_beside_an_operator_lives_inside_the_op(make, inputs, op, micrograd_op, value, local) -> None:
    x = Value(-3.0, "x")
    node = make(x)
    assert node.op == op and node._op == micrograd_op
    assert node.data == pytest.approx(value)
    assert len(node.operands) == 1 and len(node.constants) == 1  # one operand and one number, no constant node
    if inputs is not None:
        assert node.operands == (x,) and node.inputs == inputs(x)
        assert node.local_grads == (pytest.approx(local),)
        node.backward()
        assert x.grad == pytest.approx(local)


def test_no_gradient_is_computed_for_a_number_so_no_nan_for_a_square() -> None:
    x = Value(-3.0, "x")
    y = x**2  # d(x**b)/db = x**b ln(x) is nan for x < 0; b is a number, so it is never computed or stored
    y.backward()
    assert y.local_grads == (-6.0,) and not any(math.isnan(d) for d in y.local_grads)
    assert x.grad == -6.0
    assert len(topological_order(y)) == 2


def test_a_value_the_user_made_stays_a_node() -> None:
    x, two = Value(-3.0, "x"), Value(2.0)
    y = x * two
    assert y.operands == (x, two) and y.constants == ()
    y.backward()
    assert two.grad == -3.0 and len(topological_order(y)) == 3


def test_sum_and_dot_keep_numbers_in_place() -> None:
    x, w = Value(2.0, "x"), Value(3.0, "w")
    s = Value.sum([x, 4, x])
    assert s.inputs == (x, 4.0, x) and s.operands == (x, x) and s.local_grads == (1.0, 1.0)
    d = Value.dot([w, 0.5], [x, x], bias=1)
    assert d.data == 3.0 * 2.0 + 0.5 * 2.0 + 1.0
    assert d.operands == (w, x, x) and d.local_grads == (2.0, 3.0, 0.5)
    d.backward()
    assert (w.grad, x.grad) == (2.0, 3.5)


# --- micrograd's lecture workflow ------------------------------------------------------------------


def lecture_neuron() -> tuple[Value, list[Value]]:
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), with its labels."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [x1, x2, w1, w2, b]


def test_backprop_by_hand_with_underscore_backward_equals_backward() -> None:
    o, leaves = lecture_neuron()
    o.grad = 1.0
    for node in reversed(topological_order(o)):
        node._backward()
    by_hand = [leaf.grad for leaf in leaves]
    assert by_hand == pytest.approx([-1.5, 0.5, 1.0, 0.0, 0.5], abs=1e-6)
    o2, leaves2 = lecture_neuron()
    o2.backward()
    assert [leaf.grad for leaf in leaves2] == by_hand
    assert (o._op, o._prev[0]._op, o._prev[0]._prev[0]._op) == ("tanh", "+", "+")


def micrograd_style_exp(self: Value) -> Value:
    """exp written the way the lecture's exercises ask: a child tuple, an _op and a closure."""
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward() -> None:
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def test_an_op_written_the_micrograd_way_runs_its_closure_in_order() -> None:
    a = Value(0.5, "a")
    shared = a * 3  # used twice, so its gradient must be complete before its closure-made user runs
    e = micrograd_style_exp(shared)
    out = e * shared + e
    out.backward()
    expected = math.exp(1.5) * (1.5 + 1) * 3 + math.exp(1.5) * 3  # d/da of e^(3a) * 3a + e^(3a)
    assert a.grad == pytest.approx(expected, rel=1e-12)
    assert e._op == "exp" and e._prev == (shared,) and e.local_grads is None
    assert isinstance(Value(1.0, _children=(), _op="", label="k"), Value)
    assert Value(2.0, (a,), "custom")._op == "custom"
    assert Value(2.0, {a}, "custom").operands == (a,)  # micrograd passes a set
    with pytest.raises(TypeError, match="children must be Values"):
        Value(1.0, (a, 2.0), "+")


def test_nodes_take_attributes_of_your_own() -> None:
    p = Value(0.5, "p")
    p.m = 0.0  # AdamW's first moment, written by a learner
    p.v = 0.0
    p.m = 0.9 * p.m + 0.1 * 2.0
    out = p * 2
    out.color = "red"
    assert (p.m, p.v, out.color) == (pytest.approx(0.2), 0.0, "red")
    out.backward()
    assert p.grad == 2.0


def test_micrograd_spellings_of_op() -> None:
    x, y = Value(2.0), Value(3.0)
    assert [(x + y)._op, (x * y)._op, (x**2)._op, x.relu()._op, x.tanh()._op, x.exp()._op] == [
        "+", "*", "**2", "ReLU", "tanh", "exp"
    ]
    assert [(x + y).op, (x**2).op, x.relu().op] == ["+", "**", "relu"]
    assert x._op == "" and x._prev == ()


@pytest.mark.parametrize("label", [5, None, 1.5, ["a"]])
def test_a_label_that_is_not_a_string_is_refused_at_once(label: object) -> None:
    with pytest.raises(TypeError, match="label must be a string"):
        Value(2.0, label=label)  # type: ignore[arg-type]


# --- edge cases from the bad-input campaign (PyTorch float64 is the reference) ---------------------


def test_an_infinite_derivative_flows_whatever_the_operand_order() -> None:
    x = Value(0.0)
    (x * 1 + x.sqrt()).backward()
    assert x.grad == math.inf
    y = Value(0.0)
    (y.sqrt() + y * 1).backward()
    assert y.grad == math.inf


@given(st.permutations([0, 1, 2, 3]))
def test_gradients_do_not_depend_on_the_order_of_a_sum(order: list[int]) -> None:
    x = Value(0.0)
    terms = [x * 1, x.sqrt(), x * 2, (x * 3).sqrt()]
    Value.sum([terms[i] for i in order]).backward()
    assert x.grad == math.inf
    z = Value(0.0)
    chained = [z * 1, z.sqrt(), z * 2, (z * 3).sqrt()]
    total = chained[order[0]]
    for i in order[1:]:
        total = total + chained[i]
    total.backward()
    assert z.grad == math.inf


@pytest.mark.parametrize(
    ("make", "expected"),
    [  # PyTorch float64 gives the same: relu's backward is a mask, abs's and mul's are products
        (lambda x: x.relu().sqrt(), 0.0),  # relu'(-1) = 0 stops sqrt'(0) = inf
        (lambda x: (x + 1).abs().sqrt(), math.nan),  # abs'(0) = 0, and 0 x inf is nan
        (lambda x: (x * 0.0).sqrt() * 2, math.nan),  # likewise through a product
    ],
)
def test_zero_times_an_infinite_upstream_follows_pytorch(make, expected: float) -> None:
    x = Value(-1.0)
    make(x).backward()
    assert x.grad == expected or (math.isnan(expected) and math.isnan(x.grad))


def test_leaky_relu_passes_an_infinite_gradient_scaled_by_its_slope() -> None:
    x = Value(-1.0)
    y = x.leaky_relu(0.5) + 0.5  # 0 at x = -1
    y.sqrt().backward()
    assert x.grad == math.inf


def test_tiny_bases_with_representable_results_are_not_overflows() -> None:
    zero_power = Value(1e-310) ** 0
    assert zero_power.data == 1.0 and zero_power.local_grads == (0.0,)
    inverse = Value(1e-160) ** -1
    assert inverse.data == pytest.approx(1e160) and inverse.local_grads == (-math.inf,)
    with pytest.raises(OverflowError, match=r"\*\*"):
        Value(1e-200) ** -2  # 1e400 really overflows


@pytest.mark.parametrize(
    "make", [lambda: Value(10**5000), lambda: Value(1.0) + 10**5000, lambda: 10**5000 * Value(1.0)]
)
def test_numbers_with_thousands_of_digits_are_an_overflow_naming_the_op(make) -> None:
    with pytest.raises(OverflowError, match=r"(Value|\+|\*): an integer of about 5001 digits is too large"):
        make()


@pytest.mark.parametrize(
    "make", [lambda: Value(0.0).log(), lambda: Value(-1.0).sqrt(), lambda: Value(-8.0) ** (1 / 3)]
)
def test_domain_errors_have_their_own_type(make) -> None:
    with pytest.raises(DomainError):
        make()
    assert issubclass(DomainError, ValueError)


# --- the written-out hot paths agree with the op table, number for number --------------------------

FAST_PATHS = {
    ("+", "value"): lambda a, b: a + b,
    ("+", "number right"): lambda a, b: a + b.data,
    ("+", "number left"): lambda a, b: a.data + b,
    ("*", "value"): lambda a, b: a * b,
    ("*", "number right"): lambda a, b: a * b.data,
    ("*", "number left"): lambda a, b: a.data * b,
    ("tanh", "value"): lambda a, b: a.tanh(),
    ("relu", "value"): lambda a, b: a.relu(),
}


@pytest.mark.parametrize("case", sorted(FAST_PATHS))
def test_written_out_operators_match_the_rule_table(case: tuple[str, str]) -> None:
    op, kind = case

    @given(st.floats(-50, 50), st.floats(-50, 50))
    def check(x: float, y: float) -> None:
        a, b = Value(x), Value(y)
        node = FAST_PATHS[case](a, b)
        arguments = {"value": (x, y), "number right": (x, y), "number left": (x, y)}[kind]
        out, local_grads = rules.OPS[op].rule(*arguments[: 1 if rules.OPS[op].arity == 1 else 2])
        assert node.op == op and node.data == out
        stored = dict(zip([p for p, v in enumerate(node.inputs) if isinstance(v, Value)], node.local_grads))
        assert stored == {p: local_grads[p] for p, v in enumerate(node.inputs) if isinstance(v, Value)}

    check()


# --- one record per op ------------------------------------------------------------------------------

VALUES = {  # for each unary method of the table: an input and the value the op must give there
    "__neg__": (0.5, -0.5),
    "exp": (0.5, math.exp(0.5)),
    "log": (0.5, math.log(0.5)),
    "sqrt": (0.5, math.sqrt(0.5)),
    "softplus": (0.5, math.log1p(math.exp(0.5))),
    "sigmoid": (0.5, 1 / (1 + math.exp(-0.5))),
    "tanh": (0.5, math.tanh(0.5)),
    "relu": (-0.5, 0.0),
    "abs": (-0.5, 0.5),
    "sin": (0.5, math.sin(0.5)),
    "cos": (0.5, math.cos(0.5)),
}


@pytest.mark.parametrize("op", sorted(rules.OPS))
def test_every_record_is_complete(op: str) -> None:
    record = rules.OPS[op]
    where = f"rules.OPS[{op!r}] in micrograd_nn/rules.py"
    assert record.symbol and record.formula, f"{where}: give a symbol (for pictures) and a formula (for explain)"
    n = record.arity or len(record.derivatives)
    assert len(record.derivatives) == len(record.letters()) == n, (
        f"{where}: give one derivative formula per input ({n}), and inputs= when its letters are not a, b"
    )
    assert record.rule.__doc__ == f"{record.description()}  (rules.OPS[{op!r}])", (
        f"{where}: the rule's docstring is its record's one description"
    )
    if record.arity == 1:
        assert record.method, f"{where}: a unary op needs method= (the Value method that applies it)"
        assert callable(getattr(Value, record.method, None)), (
            f"{where}: write its one-line method in micrograd_nn/engine.py: def {record.method}(self) -> Value: "
            f"return _unary({op!r}, self)"
        )
        assert record.method in VALUES, (
            f"add {record.method!r}: (input, expected value) to VALUES in tests/test_engine.py"
        )
        x, expected = VALUES[record.method]
        assert getattr(Value(x), record.method)().data == pytest.approx(expected, rel=1e-12)
    if record.in_parser:
        from micrograd_nn.expression import FUNCTIONS

        assert op in FUNCTIONS, f"{where} says in_parser=True, but micrograd_nn/expression.py does not offer it"


# --- graphs as data ---------------------------------------------------------------------------------


def chain(steps: int) -> tuple[Value, Value]:
    x = Value(0.1, "x")
    y = x
    for _ in range(steps):
        y = (y * 1.0001 + 0.5).tanh()
    return x, y


@pytest.mark.parametrize("copier", [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))], ids=["deepcopy", "pickle"])
def test_deep_graphs_copy_and_pickle_without_recursion(copier) -> None:
    x, y = chain(20_000)  # 60,000 op nodes deep, far past the recursion limit
    y.backward()
    twin = copier(y)
    nodes, twin_nodes = topological_order(y), topological_order(twin)
    assert [(n.op, n.inputs and len(n.inputs), n.data, n.grad, n.label) for n in nodes] == [
        (n.op, n.inputs and len(n.inputs), n.data, n.grad, n.label) for n in twin_nodes
    ]
    assert twin_nodes[0] is not x and twin_nodes[0].label == "x"
    twin.backward()  # the copy is a working graph of its own
    assert twin_nodes[0].grad == 2 * x.grad and x.grad == nodes[0].grad


@pytest.mark.parametrize("copier", [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))], ids=["deepcopy", "pickle"])
def test_n_ary_nodes_copy_with_their_inputs_numbers_and_local_derivatives(copier) -> None:
    w = [Value(0.5, "w1"), Value(-1.5, "w2")]
    x = [Value(2.0, "x1"), 3]  # a plain number among an n-ary op's inputs stays a number
    out = (Value.dot(w, x, bias=Value(0.25, "b")) + Value.sum([w[0], 2.0, x[0]])).tanh()
    twin = copier(out)
    pairs = list(zip(topological_order(out), topological_order(twin), strict=True))
    affine = next(n for n, _ in pairs if n.op == "affine")
    assert affine.constants == (3.0,) and affine.local_grads == (2.0, 3.0, 0.5, 1.0)  # d/dw1, d/dw2, d/dx1, d/db
    for node, copied in pairs:
        assert (copied.op, copied.data, copied.label, copied.constants, copied.local_grads) == (
            node.op, node.data, node.label, node.constants, node.local_grads)
        assert [type(i).__name__ for i in copied.inputs] == [type(i).__name__ for i in node.inputs]
    out.backward()
    twin.backward()
    assert [n.grad for n, _ in pairs] == [c.grad for _, c in pairs]
    assert w[0].grad == pytest.approx((1 - out.data**2) * (2.0 + 1.0), rel=1e-15)  # from the dot and the sum


def test_a_pickled_model_and_its_output_share_their_parameters() -> None:
    from micrograd_nn import MLP

    model = MLP(2, [3, 1], rng=0)
    out = model([1.0, -2.0])
    model2, out2 = pickle.loads(pickle.dumps((model, out)))
    reached = {id(node) for node in topological_order(out2)}
    assert all(id(p) in reached for p in model2.parameters())
    assert out2.data == out.data


def test_a_graph_with_a_closure_op_refuses_to_be_copied() -> None:
    e = micrograd_style_exp(Value(0.5) * 2)
    with pytest.raises(TypeError, match="micrograd-style op 'exp'"):
        copy.deepcopy(e)


@pytest.mark.parametrize(
    ("base", "exponent", "slope"),  # PyTorch float64 gives the same slopes
    [(1e-200, 2, 2e-200), (1e-100, 3.5, 3.5e-250), (1e-160, -1, -math.inf), (-1e-160, -1, -math.inf)],
)
def test_power_keeps_its_slope_when_the_value_underflows_or_the_slope_overflows(base, exponent, slope) -> None:
    x = Value(base)
    (x**exponent).backward()
    assert x.grad == pytest.approx(slope, rel=1e-12)


def test_micrograd_constructor_edge_cases_are_clear() -> None:
    with pytest.raises(TypeError, match="_children must be a tuple or set of Values"):
        Value(2.0, 5)  # type: ignore[arg-type]
    named_leaf = Value(1.0, (), "tanh")  # micrograd keeps the _op even without children
    assert named_leaf._op == "tanh" and named_leaf.operands == ()
    named_leaf.backward()
    assert named_leaf.grad == 1.0


# --- Hardening 2: the last wrong numbers and lost attributes (PyTorch float64 is the reference) ----------------


def test_a_local_derivative_that_overflows_does_not_spoil_a_finite_gradient() -> None:
    a, b = Value(1e-310), Value(1e-310)
    ((a / b) * 1e-310).backward()  # 1/b overflows to inf, but upstream/b = 1: PyTorch gives 1 and -1
    assert (a.grad, b.grad) == (1.0, -1.0)
    x = Value(1e-310)
    (x.log() * 1e-310).backward()
    assert x.grad == 1.0
    x = Value(-1e-310)
    ((x / x) * x).backward()  # the function is x itself
    assert x.grad == 1.0
    x = Value(1e-160)
    (x**-1).backward()  # here the true gradient, -1e320, is not a float: inf, as in PyTorch
    assert x.grad == -math.inf


def test_an_exponent_of_zero_masks_an_infinite_upstream_as_pytorch() -> None:
    x = Value(2.0)
    (x**0 - 1).sqrt().backward()  # sqrt'(0) = inf meets d(x**0)/dx = 0: PyTorch's pow backward masks it
    assert x.grad == 0.0
    base, exponent = Value(3.0), Value(0.0)
    (base**exponent - 1).sqrt().backward()
    assert base.grad == 0.0 and exponent.grad == math.inf


def test_minus_zero_keeps_its_sign_in_sqrt_and_the_half_power() -> None:
    for make in (lambda v: v.sqrt(), lambda v: v**0.5):
        x = Value(-0.0)
        y = make(x)
        y.backward()
        assert math.copysign(1.0, y.data) == -1.0 and x.grad == -math.inf


def test_a_sum_whose_partial_sums_overflow_is_exact_when_the_result_is_a_float() -> None:
    assert Value.sum([1e308, 1e308, -1e308]).data == 1e308
    with pytest.raises(OverflowError, match="sum of 2 terms overflows"):
        Value.sum([1e308, 1e308])


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_an_attribute_pointing_back_into_the_graph_survives_pickle(protocol: int) -> None:
    x = Value(0.5, "x")
    y = (x * 3.0).tanh()
    x.owner = y
    y.note = "root"
    twin = pickle.loads(pickle.dumps(y, protocol=protocol))
    leaf = topological_order(twin)[0]
    assert (leaf.label, leaf.owner, twin.note) == ("x", twin, "root")


def test_an_attribute_pointing_back_into_the_graph_survives_deepcopy() -> None:
    x = Value(0.5, "x")
    y = (x * 3.0).tanh()
    x.owner = y
    twin = copy.deepcopy(y)
    leaf = topological_order(twin)[0]
    assert leaf is not x and leaf.label == "x" and leaf.owner is twin
    twin.backward()
    assert leaf.grad == pytest.approx(3.0 * (1.0 - math.tanh(1.5) ** 2), rel=1e-15)


@pytest.mark.parametrize(("seed", "error", "pattern"), [
    ("x", TypeError, r"backward: grad needs a real number, got str: 'x'"),
    (math.nan, ValueError, r"backward: grad: needs a finite number, got nan"),
    (10**400, OverflowError, r"backward: grad: the number .* is too large for a float"),
])
def test_a_bad_backward_seed_names_backward_and_the_argument(seed: object, error: type, pattern: str) -> None:
    x = Value(2.0, "x")
    y = x * 3.0
    y.backward()
    with pytest.raises(error, match=pattern):
        y.backward(grad=seed)  # type: ignore[arg-type]
    assert (x.grad, y.grad) == (3.0, 1.0)  # refused before any gradient is touched


def test_a_planted_n_ary_rule_must_give_one_derivative_per_input(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    def short_dot(*ws_then_xs: float) -> tuple[float, tuple[float, ...]]:  # drops the derivatives of the xs
        n = len(ws_then_xs) // 2
        return sum(w * x for w, x in zip(ws_then_xs[:n], ws_then_xs[n:])), ws_then_xs[n:]

    monkeypatch.setitem(rules.OPS, "dot", dataclasses.replace(rules.OPS["dot"], rule=short_dot))
    with pytest.raises(ValueError, match=r"^dot: its rule gave 2 local derivatives for 4 inputs$"):
        Value.dot([Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)])
