"""Practice mode's questions: the right answers are backward()'s, each likely mistake gives its own wrong answer
with a hint aimed at it (never the answer), the gates hold back the step that reveals the answer; layer mode
asks one dloss/dz per neuron."""

from __future__ import annotations

import math
import re

import pytest

from micrograd_nn.analysis.replay import replay
from micrograd_nn.analysis.walk import walk
from micrograd_nn.engine import Value
from micrograd_nn.format import format_number
from micrograd_nn.nn import MLP
from micrograd_nn.views.explain import chain_rule_line, rule_lines
from micrograd_nn.views.practice import MISTAKES, Question, tolerance, wrong_answers
from micrograd_nn.views.practice_page import practice_questions
from micrograd_nn.views.stepper import stepper_states


def product_sum() -> tuple[Value, Value, Value, Value]:
    """out = a*b + c with a = 2, b = -3, c = 10, after backward()."""
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    out = a * b + c
    out.backward()
    return out, a, b, c


def lecture_neuron() -> tuple[Value, dict[str, Value]]:
    """The lecture's neuron o = tanh(x1*w1 + x2*w2 + b), n its sum, after backward()."""
    leaves = {name: Value(x, name) for name, x in
              [("x1", 2.0), ("x2", 0.0), ("w1", -3.0), ("w2", 1.0), ("b", 6.8813735870195432)]}
    n = leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o, {**leaves, "n": n}


def find(questions: list[Question], kind: str, node: str, input: str | None = None) -> Question:
    matches = [q for q in questions if q.kind == kind and q.node == node and q.input == input]
    assert len(matches) == 1, (kind, node, input, [(q.kind, q.node, q.input) for q in questions])
    return matches[0]


def mistakes(question: Question) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for w in question.wrong:
        found.setdefault(w.mistake, []).append(w.value)
    return found


def hint_for(question: Question, mistake: str) -> str:
    hints = {w.hint for w in question.wrong if w.mistake == mistake}
    assert len(hints) == 1
    return hints.pop()


def test_a_node_used_twice_one_use_counted() -> None:
    a = Value(3.0, "a")
    out = a + a
    out.backward()
    (q,) = practice_questions(out)
    assert (q.kind, q.node, q.prompt, q.answer, q.shown) == ("grad", "a", "dout/da = ?", 2.0, "2.0000")
    assert mistakes(q)["one_use"] == [1.0]  # each use alone passes 1 (the second, equal, is the same answer)
    assert "a is used twice (by out)" in hint_for(q, "one_use") and "every use" in hint_for(q, "one_use")
    assert q.worked == tuple(chain_rule_line("out", step, c) for step in replay(walk(out))[0] for c in
                             step.contributions) + ("dout/da = 1.0000 + 1.0000 = 2.0000",)


def test_a_product_plus_a_constant() -> None:
    out, a, b, c = product_sum()
    questions = practice_questions(out)
    assert [(q.number, q.kind, q.node, q.input) for q in questions] == [
        (1, "grad", "v2", None), (2, "grad", "c", None),
        (3, "local", "v2", "a"), (4, "grad", "a", None), (5, "local", "v2", "b"), (6, "grad", "b", None),
    ]
    grad_a = find(questions, "grad", "a")
    assert grad_a.answer == a.grad == -3.0
    assert mistakes(grad_a) == {
        "wrong_operand": [2.0],  # dout/dv2 * a instead of dout/dv2 * b
        "local_forgotten": [1.0],  # dout/dv2 passed on unchanged
        "sign": [3.0],
        "added": [-2.0],  # 1 + (-3)
        "forward_value": [-6.0],  # dout/dv2 * (a*b) instead of dout/dv2 * b
    }
    local_a = find(questions, "local", "v2", "a")
    assert local_a.answer == -3.0 and local_a.prompt == "dv2/da = ?"
    assert mistakes(local_a) == {"wrong_operand": [2.0], "sign": [3.0], "forward_value": [-6.0],
                                 "local_forgotten": [1.0]}
    assert "other factor" in hint_for(local_a, "wrong_operand")
    assert local_a.worked == (rule_lines(walk(out), 2)[1],) == ("dv2/da = d(a × b)/da = b = -3.0000",)
    assert local_a.rule == "Use the rule: v2 = a × b with a = a: d(a × b)/da = b, then put in the numbers."
    grad_c = find(questions, "grad", "c")
    assert grad_c.answer == c.grad == 1.0 and mistakes(grad_c) == {"sign": [-1.0], "added": [2.0],
                                                                   "forward_value": [4.0, 10.0]}


def test_the_tanh_neuron() -> None:
    o, nodes = lecture_neuron()
    questions = practice_questions(o)
    t = o.data
    grad_n = find(questions, "grad", "n")
    assert grad_n.answer == nodes["n"].grad == pytest.approx(1 - t * t, rel=1e-15)
    found = mistakes(grad_n)
    assert found["local_forgotten"] == [1.0]  # do/do passed on unchanged
    assert found["forward_value"] == [t, nodes["n"].data]  # tanh's t for 1 - t**2, and n's own value
    assert found["added"] == [1.0 + o.local_grads[0]] and found["sign"] == [-nodes["n"].grad]
    assert "tanh" not in grad_n.rule and "∂o/∂n(local)" in grad_n.rule  # the root's step: its local derivative
    grad_x1 = find(questions, "grad", "x1")
    assert grad_x1.answer == nodes["x1"].grad == pytest.approx(-1.5, rel=1e-12)
    upstream = nodes["n"].grad  # x1*w1 passes on n's gradient: the sums have local derivative 1
    assert mistakes(grad_x1) == {
        "wrong_operand": [pytest.approx(upstream * 2.0)],  # x1's own value for w1
        "local_forgotten": [pytest.approx(upstream)],
        "upstream_forgotten": [-3.0],  # w1 alone
        "sign": [pytest.approx(1.5)],
        "added": [pytest.approx(upstream - 3.0)],
        "forward_value": [2.0],  # x1's value (upstream * (x1*w1) is -3, w1 alone, said first)
    }
    assert "upstream gradient" in hint_for(grad_x1, "upstream_forgotten")
    assert "multiplies" in hint_for(grad_x1, "added")
    product = walk(o).name_of(nodes["n"].operands[0].operands[0])  # x1*w1
    local_w1 = find(questions, "local", product, "w1")
    assert local_w1.answer == 2.0 and mistakes(local_w1)["wrong_operand"] == [-3.0]


def test_every_answer_is_what_backward_computed_and_no_hint_gives_it_away() -> None:
    third = (Value(0.3, "p") * Value(-1.2, "q")).exp().log() / 3
    third.backward()
    p = Value(1.5, "p")
    shared = p * p + (p + 1.0).tanh() * p  # p used by three nodes, one of them twice
    shared.backward()
    for root in (product_sum()[0], lecture_neuron()[0], third, shared):
        info = walk(root)
        questions = practice_questions(root, local="all")
        for q in questions:
            if q.kind == "grad":
                assert q.answer == info.nodes[q.node_id].grad
            else:
                node = info.nodes[q.node_id]
                position = [info.names[info.index[x]] for x in node.operands].index(q.input)
                assert q.answer == node.local_grads[position]
            assert q.shown == format_number(q.answer) and q.tolerance == tolerance(q.shown)
            for w in q.wrong:
                assert w.mistake in MISTAKES and w.hint and q.shown not in w.hint
                assert abs(w.value - q.answer) > 2 * q.tolerance  # told apart from the answer
            assert q.shown not in q.rule
            if q.kind == "grad":  # no number in a gradient's hints at all (digits inside names aside)
                assert all(not re.search(r"(?<![\w.²])\d", w.hint) for w in q.wrong), [w.hint for w in q.wrong]


def test_each_question_holds_back_the_step_that_reveals_its_answer() -> None:
    out, a, b, c = product_sum()
    states = stepper_states(out)
    for q in practice_questions(out):
        state = states[q.gate]
        if q.kind == "grad":
            assert state.updates[f"v{q.node_id}"] == q.shown  # the gate reveals the complete gradient
            assert all(f"v{q.node_id}" not in s.updates for s in states[: q.gate])
        else:
            assert state.node_id == q.node_id
    assert [q.gate for q in practice_questions(out, forward=True)] == [
        q.gate + len([s for s in stepper_states(out, forward=True) if s.phase == "forward"])
        for q in practice_questions(out)
    ]


def test_which_local_derivatives_are_asked() -> None:
    x = Value(0.5, "x")
    root = ((x * 2.0).tanh() + x) * Value(3.0, "k")
    root.backward()
    auto = [(q.node, q.input) for q in practice_questions(root) if q.kind == "local"]
    assert auto == [("v2", "v1")]  # tanh's; not + (1), not × 2 (a number), not the root's own step
    every = [(q.node, q.input) for q in practice_questions(root, local="all") if q.kind == "local"]
    assert every == [("v3", "v2"), ("v3", "x"), ("v2", "v1"), ("v1", "x")]
    assert all(q.kind == "grad" for q in practice_questions(root, local="none"))


def test_wrong_answers_too_close_to_tell_apart_are_dropped() -> None:
    kept = wrong_answers(0.5, [("sign", 0.50001, "s"), ("added", 1.5, "a"), ("one_use", 1.50004, "o"),
                               ("forward_value", math.inf, "f"), ("local_forgotten", 0.7, "l")])
    assert [(w.mistake, w.shown) for w in kept] == [("added", "1.5000"), ("local_forgotten", "0.7000")]
    assert tolerance("0.5000") == pytest.approx(1e-4) and tolerance("1.2346e+07") == pytest.approx(1e3)
    assert tolerance("-3") == 1.0


def test_layer_mode_asks_each_neurons_dloss_dz() -> None:
    model = MLP(2, [3, 2, 1], activation="tanh", rng=4)
    y = model([0.5, -1.0])
    loss = (y - 1.0) ** 2
    loss.backward()
    questions = practice_questions(loss, mode="layers")
    info = walk(loss)
    neurons = [n for layer in reversed(info.network.layers) for n in layer.neurons]
    neuron_qs = [q for q in questions if q.highlight[0] in {n.key for n in neurons}]
    assert [q.highlight[0] for q in neuron_qs] == [n.key for n in neurons]
    for q, neuron in zip(neuron_qs, neurons):
        assert q.kind == "grad" and q.answer == neuron.z.grad and q.node == info.name_of(neuron.z)
    hidden = next(q for q, n in zip(neuron_qs, neurons) if n.key == "L2.n1")
    neuron = info.network.neuron("L2.n1")
    slope = neuron.out.local_grads[0]
    upstream = neuron.out.grad
    found = mistakes(hidden)
    assert found["local_forgotten"] == [upstream]  # dL/da without f'(z)
    assert found["upstream_forgotten"] == [slope]
    assert found["forward_value"][0] == pytest.approx(upstream * neuron.out.data)  # a in place of 1 - a**2
    assert found["sign"] == [-neuron.z.grad]
    first = info.network.neuron("L1.n2")
    above = info.network.layers[2 - 1].neurons
    shares = [n.weights[1].data * n.z.grad * first.out.local_grads[0] for n in above]
    assert mistakes(next(q for q in neuron_qs if q.highlight == ("L1.n2",)))["one_use"] == pytest.approx(shares)
    assert "every neuron of layer 2" in hint_for(next(q for q in neuron_qs if q.highlight == ("L1.n2",)), "one_use")
    states = stepper_states(loss, mode="layers")
    assert states[hidden.gate].title.startswith("layer 2 ")  # the layer's matrix step reveals every δ at once
    assert hidden.worked == tuple(next(s for s in states if s.title.startswith("layer 2 / neuron 1")).rule)


def test_what_practice_refuses() -> None:
    with pytest.raises(ValueError, match="no gradient to work out"):
        practice_questions(Value(2.0, "a"))
    out = product_sum()[0]
    with pytest.raises(ValueError, match="local must be one of"):
        practice_questions(out, local="some")
    with pytest.raises(ValueError, match="mode"):
        practice_questions(out, mode="neurons")
