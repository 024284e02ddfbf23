"""The gradient audit: agrees on correct graphs, pins a deliberately wrong derivative rule to its nodes."""

from __future__ import annotations

import dataclasses
import math
import operator
import time

import pytest
from conftest import full_snapshot

from micrograd_nn import rules
from micrograd_nn.analysis.walk import walk
from micrograd_nn.checks.graph_audit import audit_gradients, audit_size
from micrograd_nn.engine import Value, topological_order
from micrograd_nn.nn import MLP
from micrograd_nn.views.scalar_picture import to_dot


def shared_graph() -> tuple[Value, Value, Value, Value]:
    """A graph with a shared leaf, a node used twice and a sin node: (a, b, the sin node, root)."""
    a, b = Value(0.7, "a"), Value(-1.2, "b")
    s = a.sin()
    twice = a + a
    root = (s * b + a * a).tanh() + twice.sigmoid() * twice
    return a, b, s, root


def test_correct_rules_pass_on_a_graph_with_shared_nodes() -> None:
    *_, root = shared_graph()
    root.backward()
    report = audit_gradients(root)
    assert report.ok and report.mismatched == [] and report.culprits == []
    assert len(report.gradient_checks) == len(topological_order(root))
    assert all(c.status == "ok" for c in report.gradient_checks)
    by_name = {c.name: c for c in report.gradient_checks}
    assert by_name["a"].numeric == pytest.approx(by_name["a"].analytic, rel=1e-6)
    assert "every gradient agrees" in report.format()


def test_a_wrong_derivative_rule_is_caught_and_pinned_to_its_node(monkeypatch: pytest.MonkeyPatch) -> None:
    def sin_with_wrong_derivative(x: float) -> tuple[float, tuple[float]]:
        return math.sin(x), (-math.cos(x),)  # the true derivative is +cos(x)

    plant(monkeypatch, "sin", sin_with_wrong_derivative)
    a, b, s, root = shared_graph()
    root.backward()
    report = audit_gradients(root)
    assert report.culprits == [s]  # only the node built with the wrong rule
    wrong = [c for c in report.local_checks if c.status == "mismatch"]
    assert len(wrong) == 1
    assert wrong[0].analytic == pytest.approx(-math.cos(0.7), rel=1e-12)
    assert wrong[0].numeric == pytest.approx(math.cos(0.7), rel=1e-6)
    # the wrong local derivative spoils the gradient of the sin node's operand, a, and nothing else
    assert report.mismatched == [a]
    text = report.format()
    assert f"wrong local derivative (check the rule for this op) at: {walk(root).name_of(s)} (op 'sin')" in text
    # the picture marks the culprit's op node and the node whose gradient disagrees
    dot = to_dot(root, audit=report)
    info = walk(root)
    assert "local derivative wrong" in dot.split(f"o{info.index[s]} [")[1].split("\n")[0]
    assert "grad disagrees" in dot.split(f"v{info.index[a]} [")[1].split("\n")[0]
    assert dot.count("local derivative wrong") == 1 and dot.count("grad disagrees") == 1



def test_the_audit_changes_nothing() -> None:
    model = MLP(2, [3, 1], activation="tanh", rng=3)
    loss = (model([0.5, -1.0]) - 0.25) * (model([0.5, -1.0]) - 0.25) + model([1.0, 2.0]).leaky_relu()
    loss.backward()
    before = full_snapshot(loss)
    report = audit_gradients(loss)
    assert report.ok
    assert report.format().splitlines()[-1] == "every gradient agrees with central differences"
    assert full_snapshot(loss) == before
    # also when it replays backward to explain an accumulated gradient
    loss.backward()
    before = full_snapshot(loss)
    assert not audit_gradients(loss).ok
    assert full_snapshot(loss) == before


def op_graph(op: str, a: Value, b: Value, c: Value) -> Value:
    """A node of `op` built through the public API, which applies the op's record in rules.OPS (a planted rule too).

    A unary op is applied at a point inside its domain, away from any kink.
    """
    record = rules.OPS[op]
    if op == "**":
        return c**a
    if op == "leaky_relu":
        return b.leaky_relu(0.1)
    if record.arity == 2:
        return {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[op](a, b)
    if record.arity == 1:
        (low, high), = record.domain.ranges
        point = Value(low + 0.37 * (high - low), "p")  # inside the domain, off the kinks at 0
        return getattr(point, record.method)()  # type: ignore[no-any-return]
    if op == "sum":
        return Value.sum([a, b, a])
    return Value.dot([a, b], [b, c]) if op == "dot" else Value.dot([a, b], [b, c], c)


def plant(monkeypatch: pytest.MonkeyPatch, op: str, rule: object) -> None:
    """Replace op's rule in rules.OPS for this test (the way to plant a wrong derivative)."""
    monkeypatch.setitem(rules.OPS, op, dataclasses.replace(rules.OPS[op], rule=rule))


@pytest.mark.parametrize("op", sorted(rules.OPS))
def test_a_wrong_rule_for_any_op_is_pinned_to_its_node(op: str, monkeypatch: pytest.MonkeyPatch) -> None:
    correct = rules.OPS[op].rule

    def wrong_first_derivative(*arguments: float) -> tuple[float, tuple[float, ...]]:
        out, local_grads = correct(*arguments)
        return out, (local_grads[0] + 0.5, *local_grads[1:])

    plant(monkeypatch, op, wrong_first_derivative)
    a, b, c = Value(0.7, "a"), Value(-1.2, "b"), Value(1.3, "c")
    node = op_graph(op, a, b, c)
    assert node.op == op
    root = node.cos() if op == "sin" else node.sin()  # an op other than the one under test
    root.label = "L"
    root.backward()
    report = audit_gradients(root)
    assert report.culprits == [node]
    wrong = [check for check in report.local_checks if check.status == "mismatch"]
    assert [(check.node, check.position) for check in wrong] == [(node, 1)]
    true_local = correct(*(x.data if isinstance(x, Value) else x for x in node.inputs))[1][0]
    assert wrong[0].analytic == true_local + 0.5
    assert wrong[0].numeric == pytest.approx(true_local, rel=1e-5, abs=1e-6)
    assert node.operands[0] in report.mismatched  # the wrong local derivative spoils its operand's gradient


def test_a_micrograd_style_op_is_skipped_not_guessed() -> None:
    a, b = Value(2.0, "a"), Value(3.0, "b")
    product = a * b
    mystery = Value(product.data * 2.0, (product,), "mystery")  # its derivative lives in a closure

    def _backward() -> None:
        product.grad += 2.0 * mystery.grad

    mystery._backward = _backward
    root = mystery + 1.0
    root.backward()
    assert (a.grad, b.grad) == (6.0, 4.0)
    report = audit_gradients(root)
    statuses = {check.name: check.status for check in report.gradient_checks}
    assert statuses["a"] == statuses["b"] == "skipped"  # the audit cannot re-run a closure
    assert [check.node for check in report.local_checks] == [product, product, root]
    assert report.ok  # nothing that could be checked disagrees


def test_accumulated_leaf_gradients_are_explained() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    out = a * b
    out.backward()
    out.backward()  # leaves accumulate: a.grad = -6, b.grad = 4; one pass gives -3 and 2
    report = audit_gradients(out)
    assert report.mismatched == [a, b] and report.culprits == []
    assert [(c.name, c.analytic) for c in report.accumulated] == [("a", -6.0), ("b", 4.0)]
    text = report.format()
    assert (
        "likely accumulated, not wrong: one backward pass gives a: -3.0000, b: 2.0000, as central differences do; "
        "leaves accumulate over several backward() calls (use zero_grad() between them)"
    ) in text
    out.zero_grad()
    out.backward()
    assert audit_gradients(out).ok and audit_gradients(out).accumulated == []


def test_a_wrong_rule_is_not_mistaken_for_accumulation(monkeypatch: pytest.MonkeyPatch) -> None:
    plant(monkeypatch, "sin", lambda x: (math.sin(x), (-math.cos(x),)))
    *_, root = shared_graph()
    root.backward()
    report = audit_gradients(root)
    assert report.mismatched and report.accumulated == []
    assert "likely accumulated" not in report.format()


def test_kinks_are_reported_not_flagged() -> None:
    x = Value(0.0, "x")
    y = x.relu() + x.abs()
    y.backward()
    report = audit_gradients(y)
    assert report.ok
    assert [c.status for c in report.local_checks] == ["kink", "kink", "ok", "ok"]


def test_audit_needs_backward_and_respects_its_limit() -> None:
    a = Value(1.0, "a")
    out = a * Value(2.0)
    with pytest.raises(ValueError, match=r"call root.backward\(\) first"):
        audit_gradients(out)
    out.backward()
    with pytest.raises(ValueError, match="max_nodes=3"):
        audit_gradients(out, max_nodes=2)


def test_a_wide_node_counts_by_its_inputs_and_is_refused_at_once() -> None:
    """Before: the issue's 5-node graph (a dot and a sum of 20,000 inputs) passed the node count and ran > 90 s."""
    w = Value(0.5, "w")
    data = [0.001 * i for i in range(20000)]
    out = Value.dot([w] * 20000, data) * Value.sum([w] * 20000)
    out.backward()
    started = time.perf_counter()
    with pytest.raises(ValueError) as caught:
        audit_gradients(out)
    assert time.perf_counter() - started < 5.0
    assert str(caught.value) == (
        "the graph has size 60000 (4 nodes, whose ops of k inputs count k - 1 each, as the binary operations they "
        "stand for), more than max_nodes=2000; the audit re-evaluates the graph once per node and each op once per "
        "input, so its time grows with the square of the size. Pass max_nodes=60000 to audit it anyway."
    )
    assert audit_size(walk(out)) == 1 + 39999 + 19999 + 1  # the dot's inputs are 20,000 nodes and 20,000 numbers


def test_a_wide_node_within_the_limit_is_audited_quickly_and_right() -> None:
    w = Value(0.5, "w")
    k = 300
    data = [0.001 * i for i in range(k)]
    out = Value.dot([w] * k, data) * Value.sum([w] * k)
    out.backward()
    started = time.perf_counter()
    report = audit_gradients(out)
    assert time.perf_counter() - started < 10.0  # about 0.1 s
    assert report.ok and len(report.local_checks) == 2 * k + 2
    exact = 2 * k * sum(data) * 0.5  # d/dw of (w * sum(data)) * (k * w) = 2 k w sum(data)
    check = report.gradient_checks[0]
    assert check.node is w and abs(check.analytic - exact) <= 1e-12 * exact
    assert abs(check.numeric - exact) <= 1e-6 * exact
