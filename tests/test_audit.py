"""The gradient audit: agrees on correct graphs, pins a deliberately wrong derivative rule to its nodes."""

from __future__ import annotations

import math

import pytest

from micrograd_nn import rules
from micrograd_nn.audit import audit_gradients
from micrograd_nn.engine import Value, topological_order
from micrograd_nn.graph import to_dot, walk
from micrograd_nn.nn import MLP


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

    monkeypatch.setitem(rules.RULES, "sin", sin_with_wrong_derivative)
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
    loss = (model([0.5, -1.0]) - 0.25) * (model([0.5, -1.0]) - 0.25)
    loss.backward()
    before = [(n.data, n.grad) for n in topological_order(loss)]
    report = audit_gradients(loss)
    assert report.ok
    assert [(n.data, n.grad) for n in topological_order(loss)] == before


def test_kinks_are_reported_not_flagged() -> None:
    x = Value(0.0, "x")
    y = x.relu() + x.abs()
    y.backward()
    report = audit_gradients(y)
    assert report.ok
    assert [c.status for c in report.local_checks] == ["kink", "kink", "ok", "ok"]


def test_audit_needs_backward_and_respects_its_limit() -> None:
    a = Value(1.0, "a")
    out = a * 2.0
    with pytest.raises(ValueError, match=r"call root.backward\(\) first"):
        audit_gradients(out)
    out.backward()
    with pytest.raises(ValueError, match="max_nodes=3"):
        audit_gradients(out, max_nodes=2)
