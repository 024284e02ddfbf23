"""Node tables, backward step records and explain(): real numbers, and the graph left untouched."""

from __future__ import annotations

import math

import pytest

from micrograd_nn.engine import Value, topological_order
from micrograd_nn.inspect import backward_steps, explain, format_table, node_table, table_html
from micrograd_nn.nn import MLP


def snapshot(root: Value) -> list[tuple]:
    """Every node's identity, label, op, operands (by identity), local derivatives, data and grad."""
    return [
        (id(n), n.label, n.op, tuple(map(id, n.operands)), tuple(n.local_grads), n.data, n.grad)
        for n in topological_order(root)
    ]


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
        "data": -6.0,
        "grad": 1.0,
        "local_grads": [-3.0, 2.0],
    }
    assert rows[0]["grad"] == -2.0 and rows[0]["kind"] == "variable" and rows[0]["operands"] == []
    text = format_table(out)
    assert text.splitlines()[0].split() == [
        "id", "name", "kind", "op", "operands", "data", "grad", "local", "derivatives"
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
    assert step["node"] == "b" and step["upstream"] == 1.0 and step["formula"] == "a + a"
    assert [(c["operand"], c["local"], c["contribution"], c["total_before"], c["total_after"])
            for c in step["contributions"]] == [("a", 1.0, 1.0, 0.0, 1.0), ("a", 1.0, 1.0, 1.0, 2.0)]
    text = explain(b)
    assert "db/da += db/db * ∂b/∂a(local) = 1.0000 * 1.0000 = 1.0000   (db/da is now 1.0000)" in text
    assert "db/da += db/db * ∂b/∂a(local) = 1.0000 * 1.0000 = 1.0000   (db/da is now 2.0000)" in text
    assert "Result: db/da = 2.0000" in text


def test_step_records_replay_backward_and_match_the_grads() -> None:
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    ab = a * b
    d = ab + c
    out = d.tanh() * 2.0
    out.backward()
    steps = backward_steps(out)
    # reverse topological order over the inner nodes: out, tanh, +, *
    assert [s["op"] for s in steps] == ["*", "tanh", "+", "*"]
    assert steps[0]["upstream"] == 1.0
    t = math.tanh(4.0)
    assert steps[1]["upstream"] == 2.0
    assert steps[1]["contributions"][0]["local"] == pytest.approx(1 - t * t, rel=1e-15)
    assert steps[3]["upstream"] == pytest.approx(2.0 * (1 - t * t), rel=1e-15)
    finals = {}
    for step in steps:
        for contribution in step["contributions"]:
            assert contribution["contribution"] == contribution["local"] * step["upstream"]
            assert contribution["total_after"] == contribution["total_before"] + contribution["contribution"]
            finals[contribution["operand_id"]] = contribution["total_after"]
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
    before = snapshot(loss)
    node_table(loss)
    format_table(loss)
    backward_steps(loss)
    explain(loss)
    assert snapshot(loss) == before
    loss.backward()
    after_backward = snapshot(loss)
    explain(loss, path_from=model.layers[0].neurons[0].w[0])
    assert snapshot(loss) == after_backward
    table_html(loss)
    backward_steps(loss)
    explain(loss)
    loss.backward()  # leaves accumulate: explain adds its note, still without touching the graph
    accumulated = snapshot(loss)
    assert "Note:" in explain(loss)
    assert snapshot(loss) == accumulated != after_backward


def test_steps_work_on_a_deep_chain_without_recursion() -> None:
    x = Value(0.5, "x")
    out = x
    for _ in range(5000):
        out = out * 1.0
    steps = backward_steps(out)
    assert len(steps) == 5000
    assert steps[-1]["contributions"][0]["total_after"] == 1.0


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
    assert steps[0]["formula"] == "leaky_relu(L1.n1.z, slope=0.01)"
    assert steps[1]["formula"] == "L1.n1.w1*x1 + L1.n1.w2*x2 + L1.n1.b"
    assert [c["operand"] for c in steps[0]["contributions"]] == ["L1.n1.z"]  # the slope is a number, no gradient
