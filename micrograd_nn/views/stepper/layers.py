"""mode="layers": a network's states, a matrix step per layer then one step per neuron (and forward by layer)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from micrograd_nn import labels
from micrograd_nn.analysis.neurons import Neuron
from micrograd_nn.analysis.replay import Step
from micrograd_nn.analysis.walk import Walk
from micrograd_nn.engine import Value
from micrograd_nn.format import constant_text, d_of, format_number
from micrograd_nn.views.explain import formula_number, join_checked, rule_lines, same_when_shown
from micrograd_nn.views.stepper.nodes import node_state, operand_ids
from micrograd_nn.views.stepper.page_state import PageState, make_state


@dataclass(frozen=True)
class LayerStages:
    """The layers of the walked network (layer l is layers[l - 1]) and each node's stage.

    A node's stage is the layer it was computed in (leaves 0); a node outside
    every neuron (the loss, say) gets the stage after its latest operand's: l + 0.5.
    """

    layers: list[tuple[Neuron, ...]]
    stages: list[float]


def layer_stages(info: Walk) -> LayerStages:
    """The walked network's layers and each node's stage; ValueError unless the graph is one pass of a network."""
    info.network.require("mode='layers'", one_pass=True, advice="use mode='nodes'")
    layer_of = {neuron.key: neuron.layer for neuron in info.network.neurons}
    stages = [0.0] * len(info.nodes)
    for i in range(len(info.nodes)):
        group = info.groups[i]
        if group in layer_of:
            stages[i] = float(layer_of[group])  # type: ignore[index]
        elif info.operands[i]:
            stages[i] = math.floor(max(stages[j] for j in info.operands[i])) + 0.5
    return LayerStages([layer.neurons for layer in info.network.layers], stages)


def _vector(values: list[float]) -> str:
    """[0.1000, -0.2000] with format_number's digits."""
    return "[" + ", ".join(format_number(v) for v in values) + "]"


def _matrix(rows: list[list[float]]) -> str:
    """[[...], [...]] row by row."""
    return "[" + ", ".join(_vector(row) for row in rows) + "]"


def _rounded(x: float) -> float:
    """x at the precision the page shows."""
    return float(format_number(x)) if math.isfinite(x) else x


def _signal_ids(info: Walk, layer: Iterable[Neuron]) -> list[str]:
    """The page ids (v{j}) of what the layer's weights multiply: the previous layer's outputs or the inputs."""
    return list(dict.fromkeys(f"v{info.index[x]}" for n in layer for x in n.inputs if isinstance(x, Value)))


def forward_layer_states(info: Walk, network: LayerStages) -> list[PageState]:
    """One forward state per stage: layer l's values appear at once (z(l) = W(l) a(l−1) + b(l), a(l) = f(z(l)))."""
    inputs = sorted({info.index[x] for n in network.layers[0] for x in n.inputs if isinstance(x, Value)})
    states = [make_state("forward pass: the inputs and parameters are known; each layer computes from the one before",
                     phase="forward", node_id=inputs[0] if inputs else 0, highlight=[f"v{i}" for i in inputs])]
    stages = sorted({s for i, s in enumerate(network.stages) if info.operands[i]})
    for stage in stages:
        ids = [i for i, s in enumerate(network.stages) if s == stage and info.operands[i]]
        if stage.is_integer():
            layer = network.layers[int(stage) - 1]
            rows = [[w.data for w in neuron.weights] for neuron in layer]
            previous = [x.data if isinstance(x, Value) else x for x in layer[0].inputs]
            act = layer[0].activation
            rule = [
                f"z({int(stage)}) = W({int(stage)}) a({int(stage) - 1}) + b({int(stage)})",
                f"W({int(stage)}) = {_matrix(rows)}",
                f"a({int(stage) - 1}) = {_vector(previous)}",
                f"z({int(stage)}) = {_vector([n.z.data for n in layer])}",
                f"a({int(stage)}) = {act}(z({int(stage)})) = {_vector([n.out.data for n in layer])}",
            ]
            title = f"forward, layer {int(stage)} ({_neurons(len(layer))}, {act})"
            highlight = [f"v{info.index[n.out]}" for n in layer]
            context = _signal_ids(info, layer)
        else:
            rule = [line for i in ids for line in rule_lines(info, i)[:1]]
            title = "forward: " + ("the loss" if stage > len(network.layers) else f"after layer {int(stage)}")
            highlight = [f"v{i}" for i in ids] + [f"o{i}" for i in ids]
            context = [x for i in ids for x in operand_ids(info, i)]
        states.append(make_state(title, phase="forward", node_id=ids[-1], highlight=highlight, rule=rule, reveal=ids,
                             context=context))
    return states


def _neurons(count: int) -> str:
    """"1 neuron", "4 neurons"."""
    return f"{count} neuron" + ("s" if count != 1 else "")


def layer_states(info: Walk, network: LayerStages, steps: list[Step], totals: list[float],
                  largest: float) -> list[PageState]:
    """Backward by stage: the nodes outside the network one by one, each layer as a matrix then per neuron."""
    r = info.names[-1]
    by_node = {step.node_id: step for step in steps}
    stages = sorted({s for i, s in enumerate(network.stages) if info.operands[i]}, reverse=True)
    states = []
    for stage in stages:
        if stage.is_integer():
            states += _one_layer_states(info, network, int(stage), totals, largest)
            continue
        ids = sorted((i for i, s in enumerate(network.stages) if s == stage and i in by_node), reverse=True)
        for i in ids:
            state = node_state(info, by_node[i], len(steps), largest)
            states.append(replace(state, title=state.title.split(": ", 1)[1]))  # no nodes-mode numbering here
    leaves = sorted({info.index[x] for n in network.layers[0] for x in n.inputs if isinstance(x, Value)})
    if leaves:
        rows = [[w.data for w in n.weights] for n in network.layers[0]]
        deltas = [totals[info.index[n.z]] for n in network.layers[0]]
        states.append(
            make_state(
                f"the inputs: {d_of(r)}/da(0) = W(1)ᵀ δ(1)", phase="backward", node_id=leaves[0],
                highlight=[f"v{i}" for i in leaves], context=[f"v{n.z}" for n in network.layers[0]],
                rule=[f"W(1) = {_matrix(rows)}", f"δ(1) = {_vector(deltas)}"],
                lines=[f"{d_of(r)}/{d_of(info.names[i])} = {format_number(totals[i])}" for i in leaves],
                grads={i: totals[i] for i in leaves}, largest=largest,
            )
        )
    return states


def _one_layer_states(info: Walk, network: LayerStages, layer_number: int, totals: list[float],
                      largest: float) -> list[PageState]:
    """Layer l's matrix step, δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ f′(z(l)), then one step per neuron."""
    layer = network.layers[layer_number - 1]
    k = layer_number
    r = info.names[-1]
    act = layer[0].activation
    upstream = [totals[info.index[n.out]] for n in layer]  # dL/da(l), complete: a(l)'s users all come later
    slopes = [_slope(n) for n in layer]
    deltas = [totals[info.index[n.z]] for n in layer]
    product = [_rounded(u) * _rounded(s) for u, s in zip(upstream, slopes)]
    checks = all(same_when_shown(p, d) for p, d in zip(product, deltas))
    if k == len(network.layers):
        rule = [f"δ({k}) = {d_of(r)}/da({k}) ⊙ f′(z({k}))",
                f"{d_of(r)}/da({k}) = {_vector(upstream)} (from the loss above)"]
    else:
        above = network.layers[k]
        rows = [[w.data for w in n.weights] for n in above]
        rule = [
            f"δ({k}) = (W({k + 1})ᵀ δ({k + 1})) ⊙ f′(z({k}))",
            f"W({k + 1}) = {_matrix(rows)}",
            f"δ({k + 1}) = {_vector([totals[info.index[n.z]] for n in above])}",
            f"W({k + 1})ᵀ δ({k + 1}) = {d_of(r)}/da({k}) = {_vector(upstream)}",
        ]
    rule += [
        f"f′(z({k})) = {act}′ at z({k}) = {_vector(slopes)}",
        f"δ({k}) = {_vector(upstream)} ⊙ {_vector(slopes)} {'=' if checks else '≈'} {_vector(deltas)}",
        f"{d_of(r)}/dW({k}) = δ({k}) a({k - 1})ᵀ, {d_of(r)}/db({k}) = δ({k})",
    ]
    states = [
        make_state(
            f"layer {k} ({_neurons(len(layer))}, {act}): δ({k}) = {d_of(r)}/dz({k})",
            phase="backward", node_id=info.index[layer[0].out], rule=rule,
            highlight=[f"v{info.index[n.out]}" for n in layer], context=_signal_ids(info, layer),
            lines=[f"{d_of(r)}/dz({n.key}) = {format_number(d)}" for n, d in zip(layer, deltas)],
            grads={i: totals[i] for n in layer for i in (info.index[n.z], info.index[n.out])}, largest=largest,
        )
    ]
    for neuron, u, s, d in zip(layer, upstream, slopes, deltas):
        states.append(_neuron_state(info, network, k, neuron, u, s, d, totals, largest))
    return states


def _slope(neuron: Neuron) -> float:
    """f′(z) of the neuron: its activation's stored local derivative (1 for a linear neuron)."""
    if neuron.out is neuron.z:
        return 1.0
    grads = neuron.out.local_grads
    if grads is None:
        raise ValueError(f"mode='layers': the activation of neuron {neuron.key} is a closure op (derivatives not "
                         "stored): use mode='nodes'")
    return grads[0]


def _neuron_state(info: Walk, network: LayerStages, k: int, neuron: Neuron, upstream: float, slope: float,
                  delta: float, totals: list[float], largest: float) -> PageState:
    """One neuron: its δ = dL/da · f′(z) and its weights' and bias's gradients in numbers."""
    r = info.names[-1]
    rule = []
    if k < len(network.layers):
        terms = []
        for above in network.layers[k]:
            weight = above.weights[neuron.index - 1]
            terms.append((weight.data, totals[info.index[above.z]]))
        shown = " + ".join(f"{formula_number(w)} × {formula_number(d)}" for w, d in terms)
        checks = same_when_shown(sum(_rounded(w) * _rounded(d) for w, d in terms), upstream)
        total = f"{d_of(r)}/da = Σ_j W({k + 1})[j,{neuron.index}] δ({k + 1})_j"
        rule.append(join_checked([total, shown, format_number(upstream)], checks))
    else:
        rule.append(f"{d_of(r)}/da = {format_number(upstream)} (from the loss)")
    if neuron.out is not neuron.z:
        rule += rule_lines(info, info.index[neuron.out])[1:2]  # f′(z) from the activation's rule
    checks = same_when_shown(_rounded(upstream) * _rounded(slope), delta)
    product = f"{formula_number(upstream)} × {formula_number(slope)}"
    rule.append(join_checked([f"δ = {d_of(r)}/dz = {d_of(r)}/da · f′(z)", product, format_number(delta)], checks))
    lines = []
    for weight, x in zip(neuron.weights, neuron.inputs):
        w = info.index[weight]
        value = x.data if isinstance(x, Value) else x
        name = info.name_of(x) if isinstance(x, Value) else constant_text(x)
        checks = same_when_shown(_rounded(delta) * _rounded(value), totals[w])
        product = f"{formula_number(delta)} × {formula_number(value)}"
        derivative = f"{d_of(r)}/{d_of(info.names[w])} = δ · {name}"
        lines.append(join_checked([derivative, product, format_number(totals[w])], checks))
    if neuron.bias is not None:
        b = info.index[neuron.bias]
        lines.append(f"{d_of(r)}/{d_of(info.names[b])} = δ = {format_number(totals[b])}")
    z, out = info.index[neuron.z], info.index[neuron.out]
    ids = [out] if z == out else [z, out]
    return make_state(
        f"{labels.neuron_title(neuron.key)} ({neuron.key}): δ = {format_number(delta)}",
        phase="backward", node_id=out, highlight=[f"{kind}{i}" for i in ids for kind in "vo"],
        context=_signal_ids(info, [neuron]), rule=rule, lines=lines, grads={i: totals[i] for i in (z, out)},
        largest=largest,
    )
