"""The HTML stepper: one self-contained page that walks the backward pass (and, optionally, the forward pass).

The page holds the graph picture (SVG drawn by Graphviz, inlined), the states
to step through as JSON, svg-pan-zoom (bundled in ``micrograd_nn/static``,
BSD-2) and a little JavaScript of our own.  Previous, Next and Play (and the
arrow keys) move through the states; zoom in, zoom out, fit, the mouse wheel
and dragging move the picture, and every step brings the current node into
view with text large enough to read.  Each backward step shows the op's rule
from ``rules.OPS`` as a formula and in numbers, then the chain rule for each
operand; gradients fill in, coloured blue (positive) or red (negative), as the
walk reaches them.  Nothing is loaded from the network when the page is viewed.

Two modes:
- ``mode="nodes"``: one step per operation node, output first.
- ``mode="layers"`` (a network built by ``micrograd_nn.nn``, one sample): the
  loss's own nodes, then for each layer from the last one step with the
  matrix form δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ f′(z(l)) and its numbers, followed by
  one step per neuron; the picture is the network view (network_view.py,
  compact): one column per layer, each neuron one node whose z, a and dL/dz
  appear as the walk reaches them.
``forward=True`` first steps through the forward pass, the values filling in
node by node (or layer by layer).

``write_html(root, path)`` writes the page; ``Stepper(root)`` (or
``show(root)``) displays it inline in a Jupyter notebook.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from micrograd_nn import network_view
from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.dot import Advice, run_dot
from micrograd_nn.engine import Value
from micrograd_nn.inspect import (
    chain_rule_line,
    formula_number,
    join_checked,
    replay,
    rule_lines,
    same_when_shown,
    step_title,
)
from micrograd_nn.nn import ACTIVATIONS
from micrograd_nn.walk import Walk, d_of, format_number, group_title, neuron_outputs, walk

MODES = ("nodes", "layers")
ORDERS = ("topological", "naive")
"""The stepper's walks: backward()'s (each node once, after its users) or the naive recursion from the output."""
"""How the stepper walks backward: one step per operation node, or per layer then per neuron."""

NAME_LIMIT = 40
"""Longest name the page shows; a longer label is cut to this many characters, ending in "…"."""

ACTIVATION_OPS = frozenset(name for name, act in ACTIVATIONS.items() if act is not None)


# --- names the page can show ----------------------------------------------------

def _display_name(name: str) -> str:
    """name with control characters written as escapes (\\n, \\x00) and cut to NAME_LIMIT characters."""
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name)
    return shown if len(shown) <= NAME_LIMIT else shown[: NAME_LIMIT - 1] + "…"


def _displayable(info: Walk) -> Walk:
    """The walk with names safe to draw and print (see _display_name), still unique."""
    names = [_display_name(name) for name in info.names]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    names = [name if seen[name] == 1 or name == info.names[i] else f"{name}#{i}" for i, name in enumerate(names)]
    return dataclasses.replace(info, names=names)


# --- the states of the page ---------------------------------------------------------

def _fill(grad: float, largest: float) -> str:
    """A node's colour for its gradient: blue when positive, red when negative, stronger when larger."""
    if not math.isfinite(grad) or grad == 0.0 or largest == 0.0:
        return "#ffffff"
    strength = min(1.0, math.sqrt(abs(grad) / largest))
    hue = 210 if grad > 0 else 0
    return f"hsl({hue}, 80%, {97 - 32 * strength:.0f}%)"


def _state(title: str, *, phase: str, node_id: int, highlight: list[str], rule: list[str] | None = None,
           lines: list[str] | None = None, grads: dict[int, float] | None = None, largest: float = 0.0,
           reveal: list[int] | None = None) -> dict[str, Any]:
    """One position of the page: what it says, what it highlights, which gradients and values it fills in."""
    grads = grads or {}
    return {
        "title": title,
        "phase": phase,
        "node_id": node_id,
        "highlight": highlight,
        "rule": rule or [],
        "lines": lines or [],
        "updates": {f"v{i}": format_number(g) for i, g in grads.items()},
        "fills": {f"v{i}": _fill(g, largest) for i, g in grads.items()},
        "reveal": [f"v{i}" for i in reveal or []],
    }


def stepper_states(root: Value, *, mode: str = "nodes", forward: bool = False) -> list[dict[str, Any]]:
    """What the page shows at each position: state 0 seeds dL/dL = 1, then one state per backward step.

    Each state has a title, the rule lines (the op's formula and local
    derivatives in numbers), the chain-rule lines, the SVG ids to highlight
    (value node v{id}, op node o{id}), the gradient texts that change
    ({"v{id}": running total}) with their colours, and the values it reveals.
    mode="layers" steps a network layer by layer, then neuron by neuron;
    forward=True first steps through the forward pass.
    """
    info = _displayable(walk(root))
    steps, totals = replay(info)
    return _states(info, steps, totals, mode=mode, forward=forward)


def _states(info: Walk, steps: list[dict[str, Any]], totals: list[float], *, mode: str,
            forward: bool) -> list[dict[str, Any]]:
    """stepper_states from a walked graph and its replayed step records."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    network = _network(info) if mode == "layers" else None
    largest = max((abs(t) for t in totals if math.isfinite(t)), default=0.0)
    states = []
    if forward:
        states += _forward_states(info) if network is None else _forward_layer_states(info, network)
    root_id = len(info.nodes) - 1
    root_name = info.names[root_id]
    states.append(
        _state(
            f"start: {d_of(root_name)}/{d_of(root_name)} = 1 (the gradient of the output with respect to itself)",
            phase="backward", node_id=root_id, highlight=[f"v{root_id}"],
            lines=[f"{d_of(root_name)}/{d_of(root_name)} = 1.0000"],
            grads={root_id: 1.0}, largest=largest,
        )
    )
    if network is None:
        states += [_node_state(info, step, len(steps), largest) for step in steps]
    else:
        states += _layer_states(info, network, steps, totals, largest)
    return states


def _node_state(info: Walk, step: dict[str, Any], total_steps: int, largest: float) -> dict[str, Any]:
    """The backward state of one operation node: its rule, its chain-rule lines, the totals it changes."""
    root_name = info.names[-1]
    i = step["node_id"]
    return _state(
        step_title(step, total_steps, root_name),
        phase="backward", node_id=i, highlight=[f"v{i}", f"o{i}"], rule=rule_lines(info, i),
        lines=[chain_rule_line(root_name, step, c) for c in step["contributions"]],
        grads={c["operand_id"]: c["total_after"] for c in step["contributions"]}, largest=largest,
    )


def _naive_states(info: Walk, largest: float) -> list[dict[str, Any]]:
    """The naive walk's steps after the start state: each visit a state, its mistakes marked "wrong", then the result.

    A state with "wrong": True is drawn in red: the step where the naive walk
    adds what backward() does not, and the result that differs from backward()'s.
    """
    from micrograd_nn.naive_walk import naive_walk_of

    naive = naive_walk_of(info)
    r = naive.root
    states = []
    for step in naive.steps:
        visit = f" (visit {step.visit})" if sum(s.node_id == step.node_id for s in naive.steps) > 1 else ""
        lines = [step.reason(r)] if step.wrong else []
        lines += [
            f"{d_of(r)}/{d_of(e.operand)} += {d_of(r)}/{d_of(step.node)} * {d_of(step.node)}/{d_of(e.operand)} = "
            f"{format_number(step.upstream)} * {format_number(e.local)} = {format_number(e.passed)}   "
            f"({d_of(r)}/{d_of(e.operand)} is now {format_number(e.total_after)})"
            for e in step.edges
        ]
        state = _state(
            f"naive step {step.number} of {len(naive.steps)}: {step.node}{visit} is reached and passes "
            f"{d_of(r)}/{d_of(step.node)} = {format_number(step.upstream)} on",
            phase="backward", node_id=step.node_id, highlight=[f"v{step.node_id}", f"o{step.node_id}"],
            rule=rule_lines(info, step.node_id), lines=lines,
            grads={e.operand_id: e.total_after for e in step.edges}, largest=largest,
        )
        state["wrong"] = step.wrong
        states.append(state)
    wrong = naive.wrong_leaves()
    shown = wrong or naive.leaves()
    results = [
        f"{d_of(r)}/{d_of(info.names[i])}: naive walk {format_number(naive.naive[i])}, "
        f"backward() {format_number(naive.true[i])}" + ("   wrong" if i in wrong else "")
        for i in naive.leaves()
    ]
    if wrong:
        title = (f"naive result: {d_of(r)}/{d_of(info.names[wrong[0]])} = {format_number(naive.naive[wrong[0]])}, "
                 f"but backward() gives {format_number(naive.true[wrong[0]])}")
    else:
        title = "naive result: the same gradients as backward() on this graph (no node is reached twice)"
    state = _state(
        title, phase="backward", node_id=shown[0] if shown else len(info.nodes) - 1,
        highlight=[f"v{i}" for i in shown],
        lines=[*results, "backward() passes each node's gradient on once, after every node that uses it has "
               "added to it: a topological order"],
    )
    state["wrong"] = bool(wrong)
    states.append(state)
    return states


def _forward_states(info: Walk) -> list[dict[str, Any]]:
    """One state per operation node in topological order: its value appears."""
    inner = [i for i, node in enumerate(info.nodes) if node.operands]
    states = [_state("forward pass: the leaves' values are known; every other value is computed from them",
                     phase="forward", node_id=0, highlight=[])]
    for number, i in enumerate(inner, 1):
        states.append(
            _state(f"forward {number} of {len(inner)}: {info.names[i]} = {format_number(info.nodes[i].data)}",
                   phase="forward", node_id=i, highlight=[f"v{i}", f"o{i}"], rule=rule_lines(info, i)[:1],
                   reveal=[i])
        )
    return states


# --- a network, layer by layer ---------------------------------------------------

@dataclass(frozen=True)
class _Neuron:
    """One neuron of a network found in the graph: node ids of its parts."""

    key: str  # "L1.n3"
    index: int  # 3
    z: int  # the pre-activation w·x + b
    out: int  # the activation f(z) (z itself for a linear neuron)
    weights: list[int]  # w1, w2, ... (parameter ids)
    bias: int | None
    signals: list[Value | float]  # what each weight multiplies: the previous layer's outputs or the inputs


@dataclass(frozen=True)
class _Network:
    """The layers of a network found in the graph (layer l is layers[l - 1]) and each node's stage.

    A node's stage is the layer it was computed in (leaves 0); a node outside
    every neuron (the loss, say) gets the stage after its latest operand's: l + 0.5.
    """

    layers: list[list[_Neuron]]
    stages: list[float]


_KEY = re.compile(r"^(?:L(\d+)\.)?n(\d+)$")


def _network(info: Walk) -> _Network:
    """The network's layers and neurons from nn.py's labels; ValueError if the graph is not one pass of a network."""
    members: dict[str, list[int]] = {}
    for i, group in enumerate(info.groups):
        if group is not None:
            members.setdefault(group, []).append(i)
    if not members:
        raise ValueError("mode='layers' needs a network built by micrograd_nn.nn (parameters labelled "
                         "L<layer>.n<neuron>.w<j> and .b); this graph has none: use mode='nodes'")
    outputs = neuron_outputs(info)
    by_layer: dict[int, list[_Neuron]] = {}
    for key, ids in members.items():
        match = _KEY.match(key)
        if match is None:
            raise ValueError(f"mode='layers': cannot tell the layer of neuron {key!r}")
        layer = int(match.group(1) or 1)
        by_layer.setdefault(layer, []).append(_neuron(info, outputs, key, int(match.group(2)), ids))
    if sorted(by_layer) != list(range(1, len(by_layer) + 1)):
        raise ValueError(f"mode='layers': the graph has layers {sorted(by_layer)}, not 1, 2, ...")
    layers = [sorted(by_layer[layer], key=lambda n: n.index) for layer in range(1, len(by_layer) + 1)]
    stages = [0.0] * len(info.nodes)
    for i, node in enumerate(info.nodes):
        group = info.groups[i]
        if group is not None:
            stages[i] = float(int(_KEY.match(group).group(1) or 1))  # type: ignore[union-attr]
        elif node.operands:
            stages[i] = math.floor(max(stages[info.index[x]] for x in node.operands)) + 0.5
    return _Network(layers, stages)


def _neuron(info: Walk, outputs: dict[str, int], key: str, index: int, ids: list[int]) -> _Neuron:
    """One neuron from its member nodes (outputs: neuron_outputs(info)); ValueError when it ran more than once."""
    if key not in outputs:
        raise ValueError(f"mode='layers': neuron {key} computes nothing in this graph")
    used_inside = {info.index[x] for i in ids for x in info.nodes[i].operands}
    ends = [i for i in ids if info.nodes[i].operands and i not in used_inside]
    if len(ends) != 1:
        raise ValueError(f"mode='layers' steps one pass through a network, but neuron {key} has {len(ends)} outputs "
                         "in this graph (the network ran several times): use mode='nodes'")
    out = outputs[key]
    node = info.nodes[out]
    z = out
    if node.op in ACTIVATION_OPS and info.groups[info.index[node.operands[0]]] == key:
        z = info.index[node.operands[0]]
    weights: dict[int, int] = {}
    bias = None
    for i in ids:
        if info.kinds[i] == "parameter":
            suffix = info.nodes[i].label.rsplit(".", 1)[-1]
            if suffix == "b":
                bias = i
            else:
                weights[int(suffix[1:])] = i
    ordered = [weights[j] for j in sorted(weights)]
    return _Neuron(key, index, z, out, ordered, bias, [_signal(info, key, ids, w) for w in ordered])


def _signal(info: Walk, key: str, ids: list[int], weight: int) -> Value | float:
    """What weight ``weight`` multiplies in neuron ``key`` (its member ids): the other input of its product or dot."""
    w = info.nodes[weight]
    for i in ids:
        node = info.nodes[i]
        if not any(x is w for x in node.operands):
            continue
        inputs = node.inputs
        if node.op == "*":
            return inputs[1] if inputs[0] is w else inputs[0]
        if node.op in ("dot", "affine"):
            n = len(inputs) // 2
            return inputs[n + next(k for k in range(n) if inputs[k] is w)]
    raise ValueError(f"mode='layers': weight {info.names[weight]} is not multiplied by an input in neuron {key}")


def _vector(values: list[float]) -> str:
    """[0.1000, -0.2000] with format_number's digits."""
    return "[" + ", ".join(format_number(v) for v in values) + "]"


def _matrix(rows: list[list[float]]) -> str:
    """[[...], [...]] row by row."""
    return "[" + ", ".join(_vector(row) for row in rows) + "]"


def _rounded(x: float) -> float:
    """x at the precision the page shows."""
    return float(format_number(x)) if math.isfinite(x) else x


def _forward_layer_states(info: Walk, network: _Network) -> list[dict[str, Any]]:
    """One forward state per stage: layer l's values appear at once (z(l) = W(l) a(l−1) + b(l), a(l) = f(z(l)))."""
    inputs = sorted({info.index[x] for x in (s for n in network.layers[0] for s in n.signals) if isinstance(x, Value)})
    states = [_state("forward pass: the inputs and parameters are known; each layer computes from the one before",
                     phase="forward", node_id=inputs[0] if inputs else 0, highlight=[f"v{i}" for i in inputs])]
    stages = sorted({s for i, s in enumerate(network.stages) if info.nodes[i].operands})
    for stage in stages:
        ids = [i for i, s in enumerate(network.stages) if s == stage and info.nodes[i].operands]
        if stage.is_integer():
            layer = network.layers[int(stage) - 1]
            rows = [[info.nodes[w].data for w in neuron.weights] for neuron in layer]
            previous = [x.data if isinstance(x, Value) else x for x in layer[0].signals]
            act = _activation(info, layer[0])
            rule = [
                f"z({int(stage)}) = W({int(stage)}) a({int(stage) - 1}) + b({int(stage)})",
                f"W({int(stage)}) = {_matrix(rows)}",
                f"a({int(stage) - 1}) = {_vector(previous)}",
                f"z({int(stage)}) = {_vector([info.nodes[n.z].data for n in layer])}",
                f"a({int(stage)}) = {act}(z({int(stage)})) = {_vector([info.nodes[n.out].data for n in layer])}",
            ]
            title = f"forward, layer {int(stage)} ({_neurons(len(layer))}, {act})"
            highlight = [f"v{n.out}" for n in layer]
        else:
            rule = [line for i in ids for line in rule_lines(info, i)[:1]]
            title = "forward: " + ("the loss" if stage > len(network.layers) else f"after layer {int(stage)}")
            highlight = [f"v{i}" for i in ids] + [f"o{i}" for i in ids]
        states.append(_state(title, phase="forward", node_id=ids[-1], highlight=highlight, rule=rule, reveal=ids))
    return states


def _neurons(count: int) -> str:
    """"1 neuron", "4 neurons"."""
    return f"{count} neuron" + ("s" if count != 1 else "")


def _activation(info: Walk, neuron: _Neuron) -> str:
    """The neuron's activation op, "linear" when it has none."""
    return info.nodes[neuron.out].op if neuron.out != neuron.z else "linear"


def _layer_states(info: Walk, network: _Network, steps: list[dict[str, Any]], totals: list[float],
                  largest: float) -> list[dict[str, Any]]:
    """Backward by stage: the nodes outside the network one by one, each layer as a matrix then per neuron."""
    r = info.names[-1]
    by_node = {step["node_id"]: step for step in steps}
    stages = sorted({s for i, s in enumerate(network.stages) if info.nodes[i].operands}, reverse=True)
    states = []
    for stage in stages:
        if stage.is_integer():
            states += _one_layer_states(info, network, int(stage), totals, largest)
            continue
        ids = sorted((i for i, s in enumerate(network.stages) if s == stage and i in by_node), reverse=True)
        for i in ids:
            state = _node_state(info, by_node[i], len(steps), largest)
            state["title"] = state["title"].split(": ", 1)[1]  # the nodes mode's numbering does not apply
            states.append(state)
    leaves = sorted({info.index[x] for x in (s for n in network.layers[0] for s in n.signals) if isinstance(x, Value)})
    if leaves:
        rows = [[info.nodes[w].data for w in n.weights] for n in network.layers[0]]
        deltas = [totals[n.z] for n in network.layers[0]]
        states.append(
            _state(
                f"the inputs: {d_of(r)}/da(0) = W(1)ᵀ δ(1)", phase="backward", node_id=leaves[0],
                highlight=[f"v{i}" for i in leaves],
                rule=[f"W(1) = {_matrix(rows)}", f"δ(1) = {_vector(deltas)}"],
                lines=[f"{d_of(r)}/{d_of(info.names[i])} = {format_number(totals[i])}" for i in leaves],
                grads={i: totals[i] for i in leaves}, largest=largest,
            )
        )
    return states


def _one_layer_states(info: Walk, network: _Network, layer_number: int, totals: list[float],
                      largest: float) -> list[dict[str, Any]]:
    """Layer l's matrix step, δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ f′(z(l)), then one step per neuron."""
    layer = network.layers[layer_number - 1]
    k = layer_number
    r = info.names[-1]
    act = _activation(info, layer[0])
    upstream = [totals[n.out] for n in layer]  # dL/da(l), complete: every user of a(l) comes later in the graph
    slopes = [_slope(info, n) for n in layer]
    deltas = [totals[n.z] for n in layer]
    product = [_rounded(u) * _rounded(s) for u, s in zip(upstream, slopes)]
    checks = all(same_when_shown(p, d) for p, d in zip(product, deltas))
    if k == len(network.layers):
        rule = [f"δ({k}) = {d_of(r)}/da({k}) ⊙ f′(z({k}))",
                f"{d_of(r)}/da({k}) = {_vector(upstream)} (from the loss above)"]
    else:
        above = network.layers[k]
        rows = [[info.nodes[w].data for w in n.weights] for n in above]
        rule = [
            f"δ({k}) = (W({k + 1})ᵀ δ({k + 1})) ⊙ f′(z({k}))",
            f"W({k + 1}) = {_matrix(rows)}",
            f"δ({k + 1}) = {_vector([totals[n.z] for n in above])}",
            f"W({k + 1})ᵀ δ({k + 1}) = {d_of(r)}/da({k}) = {_vector(upstream)}",
        ]
    rule += [
        f"f′(z({k})) = {act}′ at z({k}) = {_vector(slopes)}",
        f"δ({k}) = {_vector(upstream)} ⊙ {_vector(slopes)} {'=' if checks else '≈'} {_vector(deltas)}",
        f"{d_of(r)}/dW({k}) = δ({k}) a({k - 1})ᵀ, {d_of(r)}/db({k}) = δ({k})",
    ]
    states = [
        _state(
            f"layer {k} ({_neurons(len(layer))}, {act}): δ({k}) = {d_of(r)}/dz({k})",
            phase="backward", node_id=layer[0].out, highlight=[f"v{n.out}" for n in layer], rule=rule,
            lines=[f"{d_of(r)}/dz({n.key}) = {format_number(d)}" for n, d in zip(layer, deltas)],
            grads={i: totals[i] for n in layer for i in (n.z, n.out)}, largest=largest,
        )
    ]
    for neuron, u, s, d in zip(layer, upstream, slopes, deltas):
        states.append(_neuron_state(info, network, k, neuron, u, s, d, totals, largest))
    return states


def _slope(info: Walk, neuron: _Neuron) -> float:
    """f′(z) of the neuron: its activation's stored local derivative (1 for a linear neuron)."""
    if neuron.out == neuron.z:
        return 1.0
    grads = info.nodes[neuron.out].local_grads
    if grads is None:
        raise ValueError(f"mode='layers': the activation of neuron {neuron.key} is a closure op (derivatives not "
                         "stored): use mode='nodes'")
    return grads[0]


def _neuron_state(info: Walk, network: _Network, k: int, neuron: _Neuron, upstream: float, slope: float,
                  delta: float, totals: list[float], largest: float) -> dict[str, Any]:
    """One neuron: its δ = dL/da · f′(z) and its weights' and bias's gradients in numbers."""
    r = info.names[-1]
    rule = []
    if k < len(network.layers):
        terms = []
        for above in network.layers[k]:
            weight = above.weights[neuron.index - 1]
            terms.append((info.nodes[weight].data, totals[above.z]))
        shown = " + ".join(f"{formula_number(w)} × {formula_number(d)}" for w, d in terms)
        checks = same_when_shown(sum(_rounded(w) * _rounded(d) for w, d in terms), upstream)
        total = f"{d_of(r)}/da = Σ_j W({k + 1})[j,{neuron.index}] δ({k + 1})_j"
        rule.append(join_checked([total, shown, format_number(upstream)], checks))
    else:
        rule.append(f"{d_of(r)}/da = {format_number(upstream)} (from the loss)")
    if neuron.out != neuron.z:
        rule += rule_lines(info, neuron.out)[1:2]  # f′(z) from the activation's rule
    checks = same_when_shown(_rounded(upstream) * _rounded(slope), delta)
    product = f"{formula_number(upstream)} × {formula_number(slope)}"
    rule.append(join_checked([f"δ = {d_of(r)}/dz = {d_of(r)}/da · f′(z)", product, format_number(delta)], checks))
    lines = []
    for w, x in zip(neuron.weights, neuron.signals):
        value = x.data if isinstance(x, Value) else x
        name = info.name_of(x) if isinstance(x, Value) else f"{x:g}"
        checks = same_when_shown(_rounded(delta) * _rounded(value), totals[w])
        product = f"{formula_number(delta)} × {formula_number(value)}"
        derivative = f"{d_of(r)}/{d_of(info.names[w])} = δ · {name}"
        lines.append(join_checked([derivative, product, format_number(totals[w])], checks))
    if neuron.bias is not None:
        lines.append(f"{d_of(r)}/{d_of(info.names[neuron.bias])} = δ = {format_number(totals[neuron.bias])}")
    ids = [neuron.out] if neuron.z == neuron.out else [neuron.z, neuron.out]
    return _state(
        f"{group_title(neuron.key)} ({neuron.key}): δ = {format_number(delta)}",
        phase="backward", node_id=neuron.out, highlight=[f"{kind}{i}" for i in ids for kind in "vo"],
        rule=rule, lines=lines, grads={i: totals[i] for i in (neuron.z, neuron.out)}, largest=largest,
    )


# --- layer mode's picture: the network view -------------------------------------------

NETWORK_OPTIONS = ("direction", "edge_value")
"""The picture options of mode="layers" (network_view.network_dot's; the numbers keep format_number's precision)."""

# Where the numbers sit in the compact network view's labels (network_view._neuron_attributes and
# network_lines): a neuron "L1.n3 (tanh)", "z = ...   a = ...", "dL/dz = ..."; an input "x1", its value,
# "dL/dx1 = ..."; the loss its name and value.  The page shows a data line's numbers as ? until the forward
# pass reaches them, and writes a gradient line's number after its last " = ".
_NEURON_TEXT = {"data": [1], "grad": 2}
_INPUT_TEXT = {"grad": 2}
_LOSS_TEXT = {"data": [1]}


@dataclass(frozen=True)
class _NetworkPicture:
    """The network view drawn for layer mode, and how the states' ids (v{id}, o{id}) land on its nodes."""

    dot: str
    node_of: dict[str, str]  # "v12" or "o12" -> the picture's node ("L1.n3", "input1", "loss")
    shows: dict[str, str]  # picture node -> the "v{id}" whose gradient its text and fill show
    texts: dict[str, dict[str, Any]]  # picture node -> the lines of its label holding numbers


def _network_picture(info: Walk, **options: Any) -> _NetworkPicture:
    """The network view of a walked network (options: NETWORK_OPTIONS) and the map from walk ids to its nodes.

    A neuron's nodes (z, a and its parameters) land on the neuron, an input on its
    input node, every node computed outside the neurons (the loss) on the loss node.
    """
    unknown = sorted(set(options) - set(NETWORK_OPTIONS))
    if unknown:
        raise ValueError(f"mode='layers' draws the network view, whose options are {', '.join(NETWORK_OPTIONS)}; "
                         f"got {', '.join(unknown)}")
    net = network_view.find_network(info)
    lines = network_view.network_lines(info, compact=True, legend=False, **options)  # the page has the legend
    many_inputs = len(net.inputs) > network_view.MAX_DRAWN_INPUTS
    node_of: dict[str, str] = {}
    for i, node in enumerate(info.nodes):
        group = info.groups[i]
        if group in net.outputs:
            target: str | None = group
        elif i in net.input_of:
            target = "inputs" if many_inputs else net.input_of[i]
        elif node.operands and net.loss is not None:
            target = "loss"
        else:
            target = None
        if target is not None:
            node_of[f"v{i}"] = node_of[f"o{i}"] = target
    shows = {key: f"v{z}" for key, z in net.zs.items()}
    texts: dict[str, dict[str, Any]] = {key: _NEURON_TEXT for key in net.zs}
    if not many_inputs:
        shows.update({name: f"v{i}" for i, name in net.input_of.items()})
        texts.update({name: _INPUT_TEXT for name in net.input_of.values()})
    if net.loss is not None:
        shows["loss"] = f"v{net.loss}"
        texts["loss"] = _LOSS_TEXT
    dot = "digraph network {\n" + "".join(f"\t{line}\n" for line in lines) + "}\n"
    return _NetworkPicture(dot, node_of, shows, texts)


def _on_picture(state: dict[str, Any], picture: _NetworkPicture) -> dict[str, Any]:
    """A state with its ids moved onto the network view's nodes (gradients only where a node shows them)."""
    def moved(ids: list[str]) -> list[str]:
        return list(dict.fromkeys(picture.node_of[x] for x in ids if x in picture.node_of))

    shown = {node: v for node, v in picture.shows.items() if v in state["updates"]}
    return {
        **state,
        "highlight": moved(state["highlight"]),
        "reveal": moved(state["reveal"]),
        "updates": {node: state["updates"][v] for node, v in shown.items()},
        "fills": {node: state["fills"][v] for node, v in shown.items()},
    }


# --- the page ------------------------------------------------------------------------

def _static(name: str) -> str:
    """A file bundled in micrograd_nn/static, as text."""
    return resources.files("micrograd_nn").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """JSON or JavaScript that cannot end or confuse its <script> element: <, >, & as \\u escapes."""
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


_LEGEND = """<div id="legend"><h2>Legend</h2><ul>
<li><svg width="34" height="20"><rect x="1" y="1" width="32" height="18" rx="4" fill="#fff" stroke="#000"/>
<rect x="4" y="4" width="26" height="12" rx="3" fill="none" stroke="#000"/></svg>parameter (double border)</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000"
 stroke-dasharray="4 3"/></svg>input (dashed)</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" fill="#fff" stroke="#000"
 stroke-dasharray="1 2"/></svg>constant: an unlabelled Value you made (dotted)</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000"
 stroke-width="2"/></svg>a Value you labelled (bold border)</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000"/></svg>
computed value: name, data, grad</li>
<li><svg width="34" height="20"><ellipse cx="17" cy="10" rx="15" ry="8" fill="#fff" stroke="#000"/></svg>
operation (oval), numbers inside in place: × 2, 2 − ·</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="hsl(210, 80%, 70%)"
 stroke="#000"/></svg>positive gradient (blue; stronger = larger)</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="hsl(0, 80%, 70%)"
 stroke="#000"/></svg>negative gradient (red); white: zero or not reached yet (grad ?)</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#e8590c"
 stroke-width="4"/></svg>the current step</li>
</ul></div>"""

_NETWORK_LEGEND = """<div id="legend"><h2>Legend</h2><ul>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000"/></svg>
a neuron L&lt;layer&gt;.n&lt;index&gt;: z = w · x + b, a = act(z), dL/dz; one column per layer</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000"
 stroke-dasharray="4 3"/></svg>input (dashed)</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000"
 stroke-width="2"/></svg>the loss (every operation after the last layer)</li>
<li><svg width="34" height="20"><line x1="2" y1="10" x2="32" y2="10" stroke="hsl(210, 60%, 50%)"
 stroke-width="3"/></svg>a weight: width and colour its size and sign (hover for w and dL/dw)</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="hsl(210, 80%, 70%)"
 stroke="#000"/></svg>positive dL/dz (blue; stronger = larger)</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="hsl(0, 80%, 70%)"
 stroke="#000"/></svg>negative dL/dz (red); white: not reached yet (?)</li>
<li><svg width="34" height="20"><rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#e8590c"
 stroke-width="4"/></svg>the current step</li>
</ul></div>"""


def stepper_html(
    root: Value,
    *,
    title: str = "Backprop, step by step",
    mode: str = "nodes",
    forward: bool = False,
    order: str = "topological",
    **options: Any,
) -> str:
    """The stepper page for root's graph as one HTML string (needs Graphviz's dot to draw the SVG).

    mode: "nodes" (one step per operation; options go to draw_dot: direction,
    clusters, max_nodes, ...) or "layers" (a network: a matrix step per layer,
    then per neuron, on the network view: one column per layer, each neuron one
    node; options: direction, edge_value).  forward=True steps
    through the forward pass first.  The graph is walked once and backward
    replayed once for the picture and the steps.  order="naive" (mode "nodes")
    walks the graph as a naive recursion from the output does instead
    (micrograd_nn.naive_walk: each node passes its gradient on as soon as it is
    reached), the wrong steps and the wrong result marked in red beside backward()'s.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    if order == "naive" and mode != "nodes":
        raise ValueError("order='naive' walks node by node: use it with mode='nodes'")
    if mode == "nodes" and options.get("collapse"):
        raise ValueError("the stepper visits every node, so it cannot draw collapsed neurons; draw without collapse "
                         "or use mode='layers'")
    info = _displayable(walk(root, parameters=options.pop("parameters", None), inputs=options.pop("inputs", None)))
    steps, totals = replay(info)
    states = _states(info, steps, totals, mode=mode, forward=forward)
    if order == "naive":
        largest = max((abs(t) for t in totals if math.isfinite(t)), default=0.0)
        states = states[: len(states) - len(steps)] + _naive_states(info, largest)  # keep forward and start
    hidden = [f"v{i}" for i, node in enumerate(info.nodes) if node.operands] if forward else []
    if mode == "layers":
        network = _network_picture(info, **options)
        states = [_on_picture(state, network) for state in states]
        waiting = {network.node_of[v] for v in hidden if v in network.node_of}
        hidden = [node for node in network.texts if node in waiting]
        source, value_ids, texts = network.dot, list(network.texts), network.texts
        advice = Advice("draw a smaller network, or its network view as DOT text (network_dot(root))",
                        "draw a smaller network, or write the network view's DOT text (--network --dot)")
    else:
        from micrograd_nn import graph  # the scalar picture's module loads graphviz: only when a page is drawn

        options.setdefault("legend", False)  # the page has its own legend beside the picture
        source = graph.draw_walked(info, show_grads=False, color_by_grad=False, **options).source
        value_ids, texts = [f"v{i}" for i in range(len(info.nodes))], {}
        network_found = any(info.groups)  # a network's page is quicker to lay out layer by layer
        advice = Advice(
            "pass a smaller max_nodes= to refuse such pages before layout"
            + ("; step the network layer by layer (mode='layers')" if network_found else ""),
            "pass a smaller --max-nodes to refuse such pages before layout"
            + ("; step the network layer by layer (--html-mode layers)" if network_found else ""),
        )
    svg = run_dot(source, "svg", advice=advice).decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: the SVG sits inside HTML
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg)  # the page sizes it; zoom and pan move it
    payload = {"states": states, "valueIds": value_ids, "hiddenData": hidden, "texts": texts}
    data = _script_safe(json.dumps(payload, allow_nan=False))
    pan_zoom = _static("svg-pan-zoom.min.js")
    if "</script" in pan_zoom.lower() or "<!--" in pan_zoom:
        raise RuntimeError("the bundled svg-pan-zoom.min.js cannot be inlined (it contains </script or <!--)")
    status = ""
    if not info.grads_computed:
        status = ('<p class="help" id="not-run">backward() has not run on this graph yet: the page shows the '
                  "gradients it will compute.</p>")
    legend = _NETWORK_LEGEND if mode == "layers" else _LEGEND
    what_fills = ""
    if mode == "layers":
        what_fills = ('<p class="help" id="what-fills">Each neuron is one node: its z and a appear when the forward '
                      "pass reaches its layer, its dL/dz (and its colour) when the backward pass does. The weights' "
                      "numbers and gradients are in the step's lines and in each edge's tooltip.</p>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_static("stepper.css")}</style>
</head>
<body data-mode="{mode}">
<header>
<h1>{html.escape(title)}</h1>
<div id="controls">
<button id="prev" type="button">Previous</button><button id="play" type="button">Play</button><button
 id="next" type="button">Next</button><span id="position"></span>
</div>
<div id="zoom"><button id="zoom-in" type="button" title="zoom in (+)">Zoom in</button><button
 id="zoom-out" type="button" title="zoom out (−)">Zoom out</button><button
 id="fit" type="button" title="the whole graph (0)">Fit</button>
</div>
</header>
<main>
<div id="graph">
{svg}
</div>
<div id="panel">
<div id="step"><div id="step-title"></div><ul id="step-rule"></ul><ol id="step-lines"></ol>
<p id="view-note" class="help"></p></div>
{status}
{legend}
{what_fills}
<p class="help">Arrow keys step back and forth; space plays; + and − zoom, 0 fits. Drag to pan, wheel to zoom.
The highlighted node passes its gradient to its operands; each gradient appears when the walk reaches it
(? = not reached yet).</p>
</div>
</main>
<script type="application/json" id="stepper-data">{data}</script>
<script>{pan_zoom}</script>
<script>{_static("stepper.js")}</script>
</body>
</html>
"""


def write_html(root: Value, path: str | Path, **options: Any) -> Path:
    """Write the self-contained HTML stepper for root's backward pass to path; returns the path.

    options: those of stepper_html (title, mode="nodes"|"layers", forward, and draw_dot's).
    The page is written atomically (a full disk never leaves half a page); errors name write_html and the file.
    """
    check_target(path, "write_html")  # a bad path is said before the page is built
    return write_atomically(path, stepper_html(root, **options), "write_html")


class Stepper:
    """The stepper page for one graph; a notebook cell showing it displays the page inline (an iframe).

    ``Stepper(root, mode="layers", forward=True)``; ``.html`` is the page, ``.save(path)`` writes it.
    """

    def __init__(self, root: Value, *, height: int = 640, **options: Any) -> None:
        """Build the page now (options as stepper_html); height is the notebook frame's, in pixels."""
        if not isinstance(height, int) or isinstance(height, bool) or height < 200:
            raise ValueError(f"Stepper: height must be a whole number of pixels >= 200, got {height!r}")
        self.html = stepper_html(root, **options)
        self.height = height

    def _repr_html_(self) -> str:
        """The page in an <iframe srcdoc=...>, so its script runs inside the notebook."""
        return (
            f'<iframe class="micrograd-nn-stepper" srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #ddd;" '
            'sandbox="allow-scripts" title="micrograd_nn stepper"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to path atomically; returns the path."""
        return write_atomically(path, self.html, "Stepper.save")


def show(root: Value, **options: Any) -> Stepper:
    """Stepper(root, **options): the last expression of a notebook cell, it shows the stepper inline."""
    return Stepper(root, **options)
