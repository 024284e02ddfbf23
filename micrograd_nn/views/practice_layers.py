"""Practice mode for a network, layer by layer: the learner gives each neuron's dloss/dz, one number per neuron.

δ = dL/dz = dL/da · f′(z), where dL/da comes from the loss (last layer) or is
Σ_j W(l+1)[j,i] δ(l+1)_j (a hidden layer).  The right answer is the total
backward() computed for the neuron's z; the wrong answers are the recorded
numbers combined as each mistake combines them (micrograd_nn.views.practice
names the mistakes).  The loss's own operations before the first layer are
asked node by node, as in node mode.
"""

from __future__ import annotations

from collections.abc import Sequence

from micrograd_nn import rules
from micrograd_nn.analysis.network import Neuron
from micrograd_nn.analysis.replay import replay
from micrograd_nn.analysis.walk import Walk
from micrograd_nn.format import DEFAULT_PRECISION, d_of, format_number
from micrograd_nn.views.practice import Question, State, first_state, node_questions, tolerance, wrong_answers


def _slope(neuron: Neuron) -> float:
    """f′(z): the activation's stored local derivative (1 for a linear neuron)."""
    if neuron.out is neuron.z:
        return 1.0
    grads = neuron.out.local_grads
    if grads is None:
        raise ValueError(f"practice: the activation of neuron {neuron.key} is a closure op (derivatives not "
                         "stored): use mode='nodes'")
    return grads[0]


def _derivative(neuron: Neuron) -> str:
    """The activation's derivative as rules.OPS writes it, in z: "1 − tanh²(z)"; "1" for a linear neuron."""
    record = rules.OPS.get(neuron.activation)
    if record is None:
        return "1"
    return record.derivatives[0].replace("(a)", "(z)").replace("a >", "z >")


def _hints(root: str, neuron: Neuron, layer_count: int) -> dict[str, str]:
    """The hint for each mistake on a neuron's dloss/dz, free of numbers."""
    r = d_of(root)
    f = _derivative(neuron)
    above = f"layer {neuron.layer + 1}"
    return {
        "local_forgotten": f"That is {r}/da, the gradient at the neuron's output. Through the activation it is "
                           f"multiplied by f′(z) = {f}: δ = {r}/dz = {r}/da · f′(z).",
        "upstream_forgotten": f"That is f′(z) alone. Multiply it by {r}/da, the gradient that reaches the neuron's "
                              "output.",
        "forward_value": f"That is a forward value (z, or a in place of f′(z)). The slope of {neuron.activation} is "
                         f"f′(z) = {f}.",
        "sign": f"Right size, wrong sign: check the signs in {r}/da and f′(z).",
        "one_use": f"The neuron's output feeds every neuron of {above}: {r}/da adds W[j,i] δ_j over all of them, "
                   "not just one.",
        "wrong_operand": f"{r}/da multiplies each δ_j of {above} by the weight joining them, W[j,i], not by the "
                         "neuron's own output a (that is what a weight's gradient uses).",
        "added": f"You added {r}/da and f′(z): δ multiplies them.",
    }


def neuron_question(info: Walk, neuron: Neuron, totals: Sequence[float], gate: int, worked: Sequence[str],
                    precision: int = DEFAULT_PRECISION) -> Question:
    """The question dloss/dz for one neuron, with its wrong answers, its rule and the worked lines."""
    layers = info.network.layers
    z, out = info.index[neuron.z], info.index[neuron.out]
    delta, upstream, slope = totals[z], totals[out], _slope(neuron)
    root = info.names[-1]
    hints = _hints(root, neuron, len(layers))
    candidates: list[tuple[str, float, str]] = []
    terms: list[tuple[float, float]] = []
    if neuron.layer < len(layers):
        terms = [(above.weights[neuron.index - 1].data, totals[info.index[above.z]])
                 for above in layers[neuron.layer].neurons]
        if len(terms) > 1:
            candidates += [("one_use", w * d * slope, hints["one_use"]) for w, d in terms]
    candidates += [
        ("local_forgotten", upstream, hints["local_forgotten"]),
        ("upstream_forgotten", slope, hints["upstream_forgotten"]),
        ("sign", -delta, hints["sign"]),
        ("added", upstream + slope, hints["added"]),
        ("forward_value", upstream * neuron.out.data, hints["forward_value"]),
        ("forward_value", neuron.z.data, hints["forward_value"]),
        ("forward_value", neuron.out.data, hints["forward_value"]),
    ]
    if terms:
        candidates.append(("wrong_operand", sum(d for _, d in terms) * neuron.out.data * slope,
                           hints["wrong_operand"]))
    r = d_of(root)
    source = (f"{r}/da = Σ_j W({neuron.layer + 1})[j,{neuron.index}] δ({neuron.layer + 1})_j"
              if terms else f"{r}/da comes from the loss above")
    rule = f"δ = {r}/dz = {r}/da · f′(z), where {source} and f′(z) = {_derivative(neuron)} for {neuron.activation}."
    name = info.names[z]
    shown = format_number(delta, precision)
    return Question(
        0, "grad", name, z, None, f"{r}/{d_of(name)} = ?",
        f"δ of neuron {neuron.key} ({neuron.activation}): z = {format_number(neuron.z.data, precision)}, "
        f"a = {format_number(neuron.out.data, precision)}", delta, shown, tolerance(shown), gate,
        wrong_answers(delta, candidates, precision), rule, tuple(worked), (neuron.key,),
    )


def layer_questions(info: Walk, states: Sequence[State], precision: int = DEFAULT_PRECISION) -> list[Question]:
    """Layer mode's questions: the loss's own nodes node by node, then each layer's neurons' dloss/dz.

    A layer's questions hold back its matrix step (the state that reveals δ for the
    whole layer); the worked lines are each neuron's own step (δ = dL/da · f′(z)).
    """
    network = info.network
    network.require("practice in mode='layers'", one_pass=True, advice="use mode='nodes'")
    in_neuron = {i for i, group in enumerate(info.groups) if group is not None}
    loss_nodes = {i for i, operands in enumerate(info.operands) if operands and i not in in_neuron}
    questions = node_questions(info, states, local="none", only=loss_nodes, asked=loss_nodes, precision=precision)
    totals = replay(info)[1]
    for layer in network.layers:
        out_id = info.index[layer.neurons[0].out]
        gate = first_state(states, out_id)
        for neuron in layer.neurons:
            own = [k for k, s in enumerate(states) if s.phase == "backward" and k > gate
                   and s.node_id == info.index[neuron.out]]
            worked = states[own[0]].rule if own else []
            questions.append(neuron_question(info, neuron, totals, gate, worked, precision))
    return questions
