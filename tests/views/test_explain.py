"""Node tables, backward step records and explain(): real numbers, and the graph left untouched."""

from __future__ import annotations

import math
import re

import pytest
from conftest import full_snapshot

from micrograd_nn.analysis.replay import backward_steps
from micrograd_nn.engine import Value, topological_order
from micrograd_nn.format import format_number
from micrograd_nn.nn import MLP
from micrograd_nn.views.explain import explain
from micrograd_nn.views.tables import format_table, node_table, table_html


def test_node_table_lists_every_node_in_topological_order() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    out = c + a
    out.backward()
    rows = node_table(out)
    assert [r["name"] for r in rows] == ["a", "b", "c", "out"]
    assert [r["id"] for r in rows] == [0, 1, 2, 3]
    assert rows[2] == {
        "id": 2,
        "name": "c",
        "label": "c",
        "kind": "inner",
        "op": "*",
        "operands": [0, 1],
        "operand_names": ["a", "b"],
        "inputs": ["a", "b"],
        "data": -6.0,
        "grad": 1.0,
        "local_grads": [-3.0, 2.0],
    }
    assert rows[0]["grad"] == -2.0 and rows[0]["kind"] == "variable" and rows[0]["operands"] == []
    text = format_table(out)
    assert text.splitlines()[0].split() == [
        "id", "name", "kind", "op", "inputs", "data", "grad", "local", "derivatives"
    ]
    assert text.splitlines()[4].split() == [
        "2", "c", "inner", "*", "a,", "b", "-6.0000", "1.0000", "-3.0000,", "2.0000"
    ]
    assert "<td>-6.0000</td>" in table_html(out)


def test_table_says_when_gradients_are_not_computed() -> None:
    a = Value(2.0, "a")
    out = a * a
    assert format_table(out).endswith("(gradients not computed yet: call backward() on the root)")
    out.backward()
    assert "not computed" not in format_table(out)


def test_a_node_used_twice_gets_two_contributions_that_add_up() -> None:
    a = Value(3.0, "a")
    b = a + a
    b.label = "b"
    steps = backward_steps(b)
    assert len(steps) == 1
    step = steps[0]
    assert step.node == "b" and step.upstream == 1.0 and step.formula == "a + a"
    assert [(c.operand, c.local, c.contribution, c.total_before, c.total_after)
            for c in step.contributions] == [("a", 1.0, 1.0, 0.0, 1.0), ("a", 1.0, 1.0, 1.0, 2.0)]
    text = explain(b)
    assert "db/da += db/db * ∂b/∂a(local) = 1.0000 * 1.0000 = 1.0000   (db/da is now 1.0000)" in text
    assert "db/da += db/db * ∂b/∂a(local) = 1.0000 * 1.0000 = 1.0000   (db/da is now 2.0000)" in text
    assert "Result: db/da = 2.0000" in text


def test_backward_steps_are_typed_records_that_asdict_makes_json() -> None:
    """backward_steps gives the replay's own Step and Contribution records; dataclasses.asdict is their JSON."""
    import json
    from dataclasses import asdict

    from micrograd_nn.analysis.replay import Contribution, Step

    x, y = Value(3.0, "x"), Value(-2.0, "y")
    out = x * y + x
    out.label = "out"
    steps = backward_steps(out)
    assert all(isinstance(s, Step) for s in steps)
    assert all(isinstance(c, Contribution) for s in steps for c in s.contributions)
    first = json.loads(json.dumps(asdict(steps[0])))
    assert first["node"] == "out" and first["op"] == "+" and first["upstream"] == 1.0
    assert [c["local"] for c in first["contributions"]] == [1.0, 1.0]
    assert [(c.operand, c.local, c.total_after) for c in steps[1].contributions] == [("x", -2.0, -1.0), ("y", 3.0, 3.0)]


def test_step_records_replay_backward_and_match_the_grads() -> None:
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    ab = a * b
    d = ab + c
    out = d.tanh() * 2.0
    out.backward()
    steps = backward_steps(out)
    # reverse topological order over the inner nodes: out, tanh, +, *
    assert [s.op for s in steps] == ["*", "tanh", "+", "*"]
    assert steps[0].upstream == 1.0
    t = math.tanh(4.0)
    assert steps[1].upstream == 2.0
    assert steps[1].contributions[0].local == pytest.approx(1 - t * t, rel=1e-15)
    assert steps[3].upstream == pytest.approx(2.0 * (1 - t * t), rel=1e-15)
    finals = {}
    for step in steps:
        for contribution in step.contributions:
            assert contribution.contribution == contribution.local * step.upstream
            assert contribution.total_after == contribution.total_before + contribution.contribution
            finals[contribution.operand_id] = contribution.total_after
    order = topological_order(out)
    for node in (a, b, c, ab, d):
        assert finals[order.index(node)] == node.grad


def test_explain_writes_the_chain_rule_with_labels_and_numbers() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    out = c * 2.0
    out.label = "L"
    out.backward()
    text = explain(out)
    assert "step 1 of 2: L = c * 2 = -12.0000;  upstream dL/dL = 1.0000" in text
    assert "step 2 of 2: c = a * b = -6.0000;  upstream dL/dc = 2.0000" in text
    assert "dL/da += dL/dc * dc/da = 2.0000 * -3.0000 = -6.0000   (dL/da is now -6.0000)" in text
    assert "dL/db += dL/dc * dc/db = 2.0000 * 2.0000 = 4.0000   (dL/db is now 4.0000)" in text
    assert "Result: dL/da = -6.0000, dL/db = 4.0000" in text


def test_explain_can_follow_one_path() -> None:
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(1.0, "c")
    ab = a * b
    out = ab + c
    text = explain(out, path_from=b)
    assert "Only the path from b to out is shown." in text
    assert "dout/db += dout/dv2 * dv2/db = 1.0000 * 2.0000 = 2.0000" in text
    assert "dout/da" not in text and "dout/dc" not in text
    assert "backward() has not run yet" in text


def test_explain_notes_accumulated_leaf_gradients() -> None:
    a = Value(2.0, "a")
    out = a * 3.0
    out.backward()
    out.backward()  # leaves accumulate: a.grad is now 6
    assert "Note: .grad of a differs from this one pass" in explain(out)


def test_views_never_change_the_graph() -> None:
    model = MLP(2, [3, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    before = full_snapshot(loss)
    node_table(loss)
    format_table(loss)
    backward_steps(loss)
    explain(loss)
    assert full_snapshot(loss) == before
    loss.backward()
    after_backward = full_snapshot(loss)
    explain(loss, path_from=model.layers[0].neurons[0].w[0])
    assert full_snapshot(loss) == after_backward
    table_html(loss)
    backward_steps(loss)
    explain(loss)
    loss.backward()  # leaves accumulate: explain adds its note, still without touching the graph
    accumulated = full_snapshot(loss)
    assert "Note:" in explain(loss)
    assert full_snapshot(loss) == accumulated != after_backward


def test_steps_work_on_a_deep_chain_without_recursion() -> None:
    x = Value(0.5, "x")
    out = x
    for _ in range(5000):
        out = out * 1.0
    steps = backward_steps(out)
    assert len(steps) == 5000
    assert steps[-1].contributions[0].total_after == 1.0


def test_stale_leaf_gradients_do_not_count_as_computed() -> None:
    a = Value(2.0, "a")
    (a * 5.0).backward()  # a.grad = 5 from an earlier graph
    out = a * a
    assert format_table(out).endswith("(gradients not computed yet: call backward() on the root)")
    assert "backward() has not run yet" in explain(out)
    assert "Note:" not in explain(out)


def test_explain_a_leaf_says_its_gradient_is_one() -> None:
    a = Value(2.0, "a")
    a.backward()
    text = explain(a)
    assert "start with da/da = 1 (the gradient of the output with respect to itself)" in text
    assert "a is a leaf (no operation made it), so there is nothing to pass back." in text
    assert "Result: da/da = 1.0000" in text and "0.0000" not in text
    assert "Note:" not in text


def test_explain_uses_the_roots_name_everywhere() -> None:
    x, y = Value(3.0, "x"), Value(4.0, "y")
    out = x * y
    out.label = "out"
    out.backward()
    text = explain(out)
    assert "dout/d(operand) += dout/d(node) * d(node)/d(operand)" in text
    assert "dout/dx += dout/dout * ∂out/∂x(local) = 1.0000 * 4.0000 = 4.0000   (dout/dx is now 4.0000)" in text
    assert "dL" not in text


def test_formulas_for_fused_neurons_and_leaky_relu() -> None:
    model = MLP(2, [1], rng=0, fused=True, activation="leaky_relu", output_activation="leaky_relu")
    out = model([0.5, -1.0])
    steps = backward_steps(out)
    assert steps[0].formula == "leaky_relu(L1.n1.z, slope=0.01)"
    assert steps[1].formula == "L1.n1.w1*x1 + L1.n1.w2*x2 + L1.n1.b"
    assert [c.operand for c in steps[0].contributions] == ["L1.n1.z"]  # the slope is a number, no gradient


def test_explain_shows_each_rule_from_the_op_table() -> None:
    x = Value(3.0, "x")
    v = 2 - x
    v.label = "v"
    v.backward()
    assert "  rule: dv/dx = d(2 − x)/dx = −1\n" in explain(v)
    a = Value(0.5 * math.log(3.0 + 2 * math.sqrt(2.0)), "a")  # tanh(a) = 0.7071...
    t = a.tanh()
    t.label = "t"
    t.backward()
    assert "rule: dt/da = d tanh(a)/da = 1 − tanh²(a) = 0.5000" in explain(t)
    b = Value(-0.5, "b")
    s = b.tanh()
    s.label = "s"
    s.backward()
    # the number is the local derivative the engine stored (0.78644), not 1 − 0.4621² (0.78646) redone from text
    assert "rule: ds/db = d tanh(b)/db = 1 − tanh²(b) = 0.7864" in explain(s)
    w, y = Value(2.0, "w"), Value(-3.0, "y")
    p = w * y
    p.label = "p"
    p.backward()
    text = explain(p)
    assert "rule: dp/dw = d(w × y)/dw = y = -3.0000" in text and "rule: dp/dy = d(w × y)/dy = w = 2.0000" in text


def test_explain_rules_for_a_fused_neuron() -> None:
    model = MLP(2, [1], rng=0, fused=True)
    out = model([0.5, -1.0])
    out.backward()
    text = explain(out)
    assert "rule: dL1.n1.out/dL1.n1.w1 = x1 = 0.5000" in text
    assert "rule: dL1.n1.out/dx2 = L1.n1.w2 = " in text and "rule: dL1.n1.out/dL1.n1.b = 1" in text


def test_printed_arithmetic_checks_at_the_precision_shown() -> None:
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    out = (a * b + c).tanh() * 2
    out.backward()
    text = explain(out)
    # 0.0027 * -3.0000 is -0.0081, so the true -0.0080 (0.002682 * -3) is marked ≈, never "="
    assert "0.0027 * -3.0000 ≈ -0.0080" in text and "0.0027 * -3.0000 = -0.0080" not in text
    assert "(≈: the numbers as shown, rounded to 4 decimals, do not multiply out exactly.)" in text
    precise = explain(out, precision=6)
    chain_rule = [line for line in precise.splitlines() if "+=" in line]
    assert "0.002682 * -3.000000 = -0.008046" in precise and not any("≈" in line for line in chain_rule)
    products = re.findall(r" = (\S+) \* (\S+) ([=≈]) (\S+)   \(", text)
    assert len(products) == 6  # one per contribution: ×2, tanh, + (two), × (two)
    for upstream, local, sign, contribution in products:
        checks = format_number(float(upstream) * float(local)) == contribution
        assert checks == (sign == "=")


def test_format_table_precision() -> None:
    a = Value(1.0 / 3.0, "a")
    out = a * a
    out.backward()
    assert "0.333333" in format_table(out, precision=6) and "0.3333 " in format_table(out) + " "
    with pytest.raises(ValueError, match="precision must be a whole number of decimals from 0 to 15, got 20"):
        format_table(out, precision=20)


def test_the_table_shows_numbers_inside_ops_leaves_and_closure_ops() -> None:
    x = Value(3.0, "x")
    out = 2 - x
    out.backward()
    rows = node_table(out)
    assert rows[1]["inputs"] == ["2", "x"] and rows[1]["operands"] == [0] and rows[1]["local_grads"] == [-1.0]
    lines = format_table(out).splitlines()
    assert lines[2].split() == ["0", "x", "variable", "(leaf)", "-", "3.0000", "-1.0000", "-"]
    assert lines[3].split() == ["1", "out", "inner", "-", "2,", "x", "-1.0000", "1.0000", "-1.0000"]
    y = Value(0.5, "y")
    t = Value(math.tanh(0.5), (y,), "my_tanh")  # an op written the micrograd way: a closure, no stored derivative
    t.backward()
    assert node_table(t)[1]["local_grads"] is None
    assert format_table(t).splitlines()[3].endswith("not stored (closure op)")
    assert "<td>not stored (closure op)</td>" in table_html(t)


def test_explain_after_a_closure_op_shows_what_backward_gave() -> None:
    """The closure op's local derivative is recovered (its closure run once, gradients restored); a closure that
    cannot run on its own leaves its derivatives unknown, and explain says so instead of showing partial sums."""
    import math

    a = Value(0.5, label="a")
    doubled = a * 2
    t = math.tanh(doubled.data)
    closure_op = Value(t, (doubled,), "tanh")

    def _backward() -> None:
        doubled.grad += (1 - t**2) * closure_op.grad

    closure_op._backward = _backward
    out = closure_op + (2 - a)
    out.backward()
    text = explain(out)
    assert "_backward closure" not in text and "partial" not in text
    assert f"Result: dout/da = {a.grad:.4f}" in text and "(its .grad from backward()" not in text
    assert a.grad == pytest.approx(-1 + 2 * (1 - t**2), rel=1e-12)

    def failing() -> None:
        raise RuntimeError("needs the whole graph")

    closure_op._backward = failing
    text = explain(out)
    assert "its derivatives live in its _backward closure" in text
    assert "these numbers are partial" in text  # the a*2 step below the closure op
    assert f"Result: dout/da = {a.grad:.4f} (its .grad from backward()" in text
    assert "differs from this one pass" not in text  # no false accumulation note


def _lecture_neuron() -> Value:
    """The lecture's neuron with its labels: o = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def test_a_label_that_is_not_a_plain_name_is_bracketed_in_d_notation() -> None:
    """Before: do/dx1*w1 + x2*w2 += do/dn * dn/dx1*w1 + x2*w2."""
    text = explain(_lecture_neuron())
    assert (
        "do/d(x1*w1 + x2*w2) += do/dn * dn/d(x1*w1 + x2*w2) = 0.5000 * 1.0000 = 0.5000   "
        "(do/d(x1*w1 + x2*w2) is now 0.5000)"
    ) in text
    assert "step 2 of 5: n = (x1*w1 + x2*w2) + b = 0.8814;  upstream do/dn = 0.5000" in text
    assert "rule: dn/d(x1*w1 + x2*w2) = d((x1*w1 + x2*w2) + b)/d(x1*w1 + x2*w2) = 1" in text
    assert "rule: d(x1*w1)/dx1 = d(x1 × w1)/dx1 = w1 = -3.0000" in text
    assert "Result: do/dx1 = -1.5000, do/dw1 = 1.0000, do/dx2 = 0.5000, do/dw2 = 0.0000, do/db = 0.5000" in text
    assert "dx1*w1" not in text and "d x1*w1" not in text


def test_plain_and_dotted_names_stay_as_they_are() -> None:
    from micrograd_nn.format import bracketed

    assert [bracketed(n) for n in ("x1", "L1.n3.w2", "sq_error1", "α", "x1*w1", "a b", "", "1x", "f(x)")] == [
        "x1", "L1.n3.w2", "sq_error1", "α", "(x1*w1)", "(a b)", "()", "(1x)", "(f(x))",
    ]


@pytest.mark.parametrize("case", ["x**0 mask", "overflowed local"])
def test_the_replay_adds_what_backward_adds_through_masks_and_overflowed_locals(case: str) -> None:
    from micrograd_nn.analysis.replay import replay
    from micrograd_nn.analysis.walk import walk

    if case == "x**0 mask":
        x = Value(2.0, "x")
        root = (x**0 - 1).sqrt()  # sqrt'(0) = inf meets d(x**0)/dx = 0: a mask, as in PyTorch
        leaves = [x]
    else:
        a, b = Value(1e-310, "a"), Value(1e-310, "b")
        root = (a / b) * 1e-310  # 1/b overflows; upstream/b does not
        leaves = [a, b]
    root.backward()
    info = walk(root)
    _, totals = replay(info)
    assert [totals[info.index[leaf]] for leaf in leaves] == [leaf.grad for leaf in leaves]
    assert all(math.isfinite(leaf.grad) for leaf in leaves)
