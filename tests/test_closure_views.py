"""A view of a graph holding a micrograd-style closure op shows the numbers backward() gives, never others."""

from __future__ import annotations

import math
import re

from micrograd_nn.analysis.replay import replay
from micrograd_nn.analysis.walk import walk
from micrograd_nn.engine import Value
from micrograd_nn.views.explain import explain


def closure_tanh(self: Value) -> Value:
    """The lecture's tanh, written the micrograd way: children a set, the derivative in a closure."""
    t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
    out = Value(t, {self}, "tanh")

    def _backward() -> None:
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def lecture_neuron() -> tuple[Value, list[Value]]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = closure_tanh(n)
    o.label = "o"
    return o, [x1, x2, w1, w2, b]


def test_explain_on_the_lecture_closure_neuron_shows_backwards_numbers() -> None:
    o, leaves = lecture_neuron()
    o.backward()
    grads = {v.label: v.grad for v in leaves}
    text = explain(o)
    assert "cannot be shown" not in text and "partial" not in text
    assert "do/dn += do/do * ∂o/∂n(local) = 1.0000 * 0.5000 = 0.5000" in text
    assert "(do/db is now 0.5000)" in text and "do/dx1 is now -1.5000" in text
    result = dict(re.findall(r"do/d(\w+) = (-?\d+\.\d+)", text.split("Result:", 1)[1]))
    assert {k: float(v) for k, v in result.items()} == {k: round(g, 4) for k, g in grads.items()}
    assert {v.label: v.grad for v in leaves} == grads and o.grad == 1.0  # the closure's run left no trace


def test_the_replay_of_a_closure_op_gives_every_node_its_grad() -> None:
    o, leaves = lecture_neuron()
    o.backward()
    info = walk(o)
    _, totals = replay(info)
    for node, total in zip(info.nodes, totals):
        assert math.isclose(total, node.grad, rel_tol=0, abs_tol=1e-15)


def test_a_closure_op_whose_operand_is_listed_twice_counts_its_share_once() -> None:
    x = Value(3.0, label="x")
    sq = Value(x.data**2, (x, x), "sq")

    def _backward() -> None:
        x.grad += 2 * x.data * sq.grad

    sq._backward = _backward
    y = sq * 2.0
    y.backward()
    assert x.grad == 12.0
    info = walk(y)
    assert replay(info)[1][info.nodes.index(x)] == 12.0 and x.grad == 12.0
