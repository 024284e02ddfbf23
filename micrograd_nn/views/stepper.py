"""The HTML stepper: one self-contained page that walks the backward pass (and, optionally, the forward pass).

The page holds the graph picture (SVG drawn by Graphviz, inlined), the states
to step through as JSON, svg-pan-zoom (bundled in ``micrograd_nn/views/static``,
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
  one step per neuron; the picture is the network view (network_picture.py,
  compact): one column per layer, each neuron one node whose z, a and dL/dz
  appear as the walk reaches them.
``forward=True`` first steps through the forward pass, the values filling in
node by node (or layer by layer).

``write_html(root, path)`` writes the page; ``Stepper(root)`` (or
``show(root)``) displays it inline in a Jupyter notebook.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from micrograd_nn import labels
from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.engine import Value
from micrograd_nn.views import network_picture
from micrograd_nn.views.dot_text import Advice, run_dot
from micrograd_nn.views.explain import (
    chain_rule_line,
    formula_number,
    join_checked,
    rule_lines,
    same_when_shown,
    step_title,
)
from micrograd_nn.views.format import d_of, format_number
from micrograd_nn.views.network import Neuron
from micrograd_nn.views.replay import Step, replay
from micrograd_nn.views.walk import INPUT_RULE, PARAMETER_RULE, Walk, walk

MODES = ("nodes", "layers")
"""How the stepper walks backward: one step per operation node, or per layer then per neuron."""

ORDERS = ("topological", "naive")
"""The stepper's walks: backward()'s (each node once, after its users) or the naive recursion from the output."""

NAME_LIMIT = 40
"""Longest name the page shows; a longer label is cut to this many characters, ending in "…"."""


# --- names the page can show ----------------------------------------------------

def _display_name(name: str) -> str:
    """name with control characters written as escapes (\\n, \\x00) and cut to NAME_LIMIT characters."""
    if name.isprintable() and len(name) <= NAME_LIMIT:
        return name
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name)
    return shown if len(shown) <= NAME_LIMIT else shown[: NAME_LIMIT - 1] + "…"


def _displayable(info: Walk) -> Walk:
    """The walk with names safe to draw and print (see _display_name), still unique."""
    names = [_display_name(name) for name in info.names]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    names = [name if seen[name] == 1 or name == info.names[i] else f"{name}#{i}" for i, name in enumerate(names)]
    return replace(info, names=names)


# --- the states of the page ---------------------------------------------------------

def _fill(grad: float, largest: float) -> str:
    """A node's colour for its gradient: blue when positive, red when negative, stronger when larger."""
    if not math.isfinite(grad) or grad == 0.0 or largest == 0.0:
        return "#ffffff"
    strength = min(1.0, math.sqrt(abs(grad) / largest))
    hue = 210 if grad > 0 else 0
    return f"hsl({hue}, 80%, {97 - 32 * strength:.0f}%)"


@dataclass(frozen=True)
class PageState:
    """One position of the page: what it says, what it highlights, which gradients and values it fills in.

    The page reads them as JSON (dataclasses.asdict).  Ids are the scalar
    picture's ("v12" a value, "o12" its op) or, in layer mode, the network view's.
    """

    title: str
    phase: str  # "forward" or "backward"
    node_id: int  # the walk id of the node the step is about
    highlight: list[str]  # picture ids to mark as the current step
    rule: list[str]  # the op's rule (or the layer's matrices) as a formula and in numbers
    lines: list[str]  # the chain-rule lines
    updates: dict[str, str]  # picture id -> the gradient text it shows from now on
    fills: dict[str, str]  # picture id -> its colour for that gradient
    reveal: list[str]  # picture ids whose values the forward pass reaches now
    context: list[str] = field(default_factory=list)  # picture ids the camera keeps in view with highlight
    wrong: bool = False  # the naive walk's step that goes wrong, or its wrong result: drawn in red


def _state(title: str, *, phase: str, node_id: int, highlight: list[str], rule: list[str] | None = None,
           lines: list[str] | None = None, grads: dict[int, float] | None = None, largest: float = 0.0,
           reveal: list[int] | None = None, context: list[str] | None = None) -> PageState:
    """A PageState from walk ids: grads {id: running total} become texts and colours.

    context: the ids the camera keeps in view with the highlighted ones (the current node's operands).
    """
    grads = grads or {}
    return PageState(
        title=title, phase=phase, node_id=node_id, highlight=highlight, rule=rule or [], lines=lines or [],
        updates={f"v{i}": format_number(g) for i, g in grads.items()},
        fills={f"v{i}": _fill(g, largest) for i, g in grads.items()},
        reveal=[f"v{i}" for i in reveal or []],
        context=[x for x in dict.fromkeys(context or []) if x not in highlight],
    )


def stepper_states(root: Value, *, mode: str = "nodes", forward: bool = False) -> list[PageState]:
    """What the page shows at each position: state 0 seeds dL/dL = 1, then one state per backward step.

    Each state has a title, the rule lines (the op's formula and local
    derivatives in numbers), the chain-rule lines, the SVG ids to highlight
    (value node v{id}, op node o{id}), the gradient texts that change
    ({"v{id}": running total}) with their colours, and the values it reveals.
    mode="layers" steps a network layer by layer, then neuron by neuron;
    forward=True first steps through the forward pass.
    """
    return _states(_displayable(walk(root)), mode=mode, forward=forward)


def _states(info: Walk, *, mode: str, forward: bool) -> list[PageState]:
    """stepper_states from a walked graph (backward replayed once, with records where the page shows them)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    network = _network(info) if mode == "layers" else None
    if network is None:
        steps, totals = replay(info)
    else:  # the layers are shown as matrices: only the loss's own nodes are stepped one by one
        steps, totals = replay(info, only=[i for i, s in enumerate(network.stages) if not s.is_integer()])
    largest = max((abs(t) for t in totals if math.isfinite(t)), default=0.0)
    states = []
    if forward:
        states += _forward_states(info) if network is None else _forward_layer_states(info, network)
    root_id = len(info.nodes) - 1
    root_name = info.names[root_id]
    root_context = [f"o{root_id}", *_operand_ids(info, root_id)] if info.nodes[root_id].operands else []
    states.append(
        _state(
            f"start: {d_of(root_name)}/{d_of(root_name)} = 1 (the gradient of the output with respect to itself)",
            phase="backward", node_id=root_id, highlight=[f"v{root_id}"],
            lines=[f"{d_of(root_name)}/{d_of(root_name)} = 1.0000"],
            grads={root_id: 1.0}, largest=largest, context=root_context,
        )
    )
    if network is None:
        states += [_node_state(info, step, len(steps), largest) for step in steps]
    else:
        states += _layer_states(info, network, steps, totals, largest)
    return states


def _naive_states(info: Walk) -> list[PageState]:
    """The naive walk's steps (after the start state): a state per visit, its mistakes marked wrong, then the result.

    A state with wrong=True is drawn in red: the step where the naive walk adds
    what backward() does not, and the result that differs from backward()'s.
    """
    from micrograd_nn.views.naive_walk import naive_walk_of

    naive = naive_walk_of(info)
    largest = max((abs(t) for t in naive.true + naive.naive if math.isfinite(t)), default=0.0)
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
            context=_operand_ids(info, step.node_id),
        )
        states.append(replace(state, wrong=step.wrong))
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
    states.append(replace(state, wrong=bool(wrong)))
    return states


def _operand_ids(info: Walk, i: int) -> list[str]:
    """The page ids of node i's operands (v{j}), in order, each once."""
    return list(dict.fromkeys(f"v{info.index[x]}" for x in info.nodes[i].operands))


def _node_state(info: Walk, step: Step, total_steps: int, largest: float) -> PageState:
    """The backward state of one operation node: its rule, its chain-rule lines, the totals it changes."""
    root_name = info.names[-1]
    i = step.node_id
    return _state(
        step_title(step, total_steps, root_name),
        phase="backward", node_id=i, highlight=[f"v{i}", f"o{i}"], rule=rule_lines(info, i),
        lines=[chain_rule_line(root_name, step, c) for c in step.contributions],
        grads={c.operand_id: c.total_after for c in step.contributions}, largest=largest,
        context=_operand_ids(info, i),
    )


def _forward_states(info: Walk) -> list[PageState]:
    """One state per operation node in topological order: its value appears."""
    inner = [i for i, operands in enumerate(info.operands) if operands]
    states = [_state("forward pass: the leaves' values are known; every other value is computed from them",
                     phase="forward", node_id=0, highlight=[])]
    for number, i in enumerate(inner, 1):
        states.append(
            _state(f"forward {number} of {len(inner)}: {info.names[i]} = {format_number(info.nodes[i].data)}",
                   phase="forward", node_id=i, highlight=[f"v{i}", f"o{i}"], rule=rule_lines(info, i)[:1],
                   reveal=[i], context=_operand_ids(info, i))
        )
    return states


# --- a network, layer by layer ---------------------------------------------------

@dataclass(frozen=True)
class _Network:
    """The layers of the walked network (layer l is layers[l - 1]) and each node's stage.

    A node's stage is the layer it was computed in (leaves 0); a node outside
    every neuron (the loss, say) gets the stage after its latest operand's: l + 0.5.
    """

    layers: list[tuple[Neuron, ...]]
    stages: list[float]


def _network(info: Walk) -> _Network:
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
    return _Network([layer.neurons for layer in info.network.layers], stages)


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


def _forward_layer_states(info: Walk, network: _Network) -> list[PageState]:
    """One forward state per stage: layer l's values appear at once (z(l) = W(l) a(l−1) + b(l), a(l) = f(z(l)))."""
    inputs = sorted({info.index[x] for n in network.layers[0] for x in n.inputs if isinstance(x, Value)})
    states = [_state("forward pass: the inputs and parameters are known; each layer computes from the one before",
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
            context = [x for i in ids for x in _operand_ids(info, i)]
        states.append(_state(title, phase="forward", node_id=ids[-1], highlight=highlight, rule=rule, reveal=ids,
                             context=context))
    return states


def _neurons(count: int) -> str:
    """"1 neuron", "4 neurons"."""
    return f"{count} neuron" + ("s" if count != 1 else "")


def _layer_states(info: Walk, network: _Network, steps: list[Step], totals: list[float],
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
            state = _node_state(info, by_node[i], len(steps), largest)
            states.append(replace(state, title=state.title.split(": ", 1)[1]))  # no nodes-mode numbering here
    leaves = sorted({info.index[x] for n in network.layers[0] for x in n.inputs if isinstance(x, Value)})
    if leaves:
        rows = [[w.data for w in n.weights] for n in network.layers[0]]
        deltas = [totals[info.index[n.z]] for n in network.layers[0]]
        states.append(
            _state(
                f"the inputs: {d_of(r)}/da(0) = W(1)ᵀ δ(1)", phase="backward", node_id=leaves[0],
                highlight=[f"v{i}" for i in leaves], context=[f"v{n.z}" for n in network.layers[0]],
                rule=[f"W(1) = {_matrix(rows)}", f"δ(1) = {_vector(deltas)}"],
                lines=[f"{d_of(r)}/{d_of(info.names[i])} = {format_number(totals[i])}" for i in leaves],
                grads={i: totals[i] for i in leaves}, largest=largest,
            )
        )
    return states


def _one_layer_states(info: Walk, network: _Network, layer_number: int, totals: list[float],
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
        _state(
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


def _neuron_state(info: Walk, network: _Network, k: int, neuron: Neuron, upstream: float, slope: float,
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
        name = info.name_of(x) if isinstance(x, Value) else f"{x:g}"
        checks = same_when_shown(_rounded(delta) * _rounded(value), totals[w])
        product = f"{formula_number(delta)} × {formula_number(value)}"
        derivative = f"{d_of(r)}/{d_of(info.names[w])} = δ · {name}"
        lines.append(join_checked([derivative, product, format_number(totals[w])], checks))
    if neuron.bias is not None:
        b = info.index[neuron.bias]
        lines.append(f"{d_of(r)}/{d_of(info.names[b])} = δ = {format_number(totals[b])}")
    z, out = info.index[neuron.z], info.index[neuron.out]
    ids = [out] if z == out else [z, out]
    return _state(
        f"{labels.neuron_title(neuron.key)} ({neuron.key}): δ = {format_number(delta)}",
        phase="backward", node_id=out, highlight=[f"{kind}{i}" for i in ids for kind in "vo"],
        context=_signal_ids(info, [neuron]), rule=rule, lines=lines, grads={i: totals[i] for i in (z, out)},
        largest=largest,
    )


# --- layer mode's picture: the network view -------------------------------------------

NETWORK_OPTIONS = ("direction", "edge_value")
"""The picture options of mode="layers" (network_view.network_dot's; the numbers keep format_number's precision)."""

# Where the numbers sit in the compact network view's labels (network_view._neuron_attributes and
# network_lines): a neuron "L1.n3 (tanh)", "z = ...   a = ...", "dL/dz = ..."; an input "x1", its value,
# "dL/dx1 = ..."; each of the loss's operations "name = formula", "= value", "dL/dname = ...".  The page
# shows a data line's numbers as ? until the forward pass reaches them, and writes a gradient line's number
# after its last " = ".
_NEURON_TEXT = {"data": [1], "grad": 2}
_INPUT_TEXT = {"grad": 2}
_LOSS_TEXT = {"data": [1], "grad": 2}


@dataclass(frozen=True)
class _NetworkPicture:
    """The network view drawn for layer mode, and how the states' ids (v{id}, o{id}) land on its nodes."""

    dot: str
    node_of: dict[str, str]  # "v12" or "o12" -> the picture's node ("L1.n3", "input1", "loss")
    shows: dict[str, str]  # picture node -> the "v{id}" whose gradient its text and fill show
    texts: dict[str, dict[str, Any]]  # picture node -> the lines of its label holding numbers
    legend: str  # the page's legend for this picture


def _network_picture(info: Walk, **options: Any) -> _NetworkPicture:
    """The network view of a walked network (options: NETWORK_OPTIONS) and the map from walk ids to its nodes.

    A neuron's nodes (z, a and its parameters) land on the neuron, an input on its
    input node, each of the loss's operations on its own box in the loss column (what
    they read outside the neurons and is not drawn, such as a penalty, on its reader's box).
    """
    unknown = sorted(set(options) - set(NETWORK_OPTIONS))
    if unknown:
        raise ValueError(f"mode='layers' draws the network view, whose options are {', '.join(NETWORK_OPTIONS)}; "
                         f"got {', '.join(unknown)}")
    net = network_picture.network_layout(info)
    lines = network_picture.network_lines(info, compact=True, legend=False, loss_column=True,
                                          **options)  # the page has the legend
    many_inputs = len(net.inputs) > network_picture.MAX_DRAWN_INPUTS
    loss_ops = network_picture.loss_operations(info, net)
    drawn_as = {i: network_picture.loss_id(net, i) for i in loss_ops}
    for i in loss_ops:  # what a loss operation reads outside the neurons and is not drawn (a penalty): its box
        stack = list(info.operands[i])
        while stack:
            j = stack.pop()
            if info.groups[j] is None and info.operands[j] and j not in drawn_as:
                drawn_as[j] = drawn_as[i]
                stack += info.operands[j]
    node_of: dict[str, str] = {}
    for i in range(len(info.nodes)):
        group = info.groups[i]
        if group in net.outputs:
            target: str | None = group
        elif i in net.input_of:
            target = "inputs" if many_inputs else net.input_of[i]
        elif i in drawn_as:
            target = drawn_as[i]
        elif info.operands[i] and net.loss is not None:
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
    for i in loss_ops:
        shows[drawn_as[i]] = f"v{i}"
        texts[drawn_as[i]] = _LOSS_TEXT
    dot = "digraph network {\n" + "".join(f"\t{line}\n" for line in lines) + "}\n"
    return _NetworkPicture(dot, node_of, shows, texts, _network_legend(info, net, many_inputs))


def _on_picture(state: PageState, picture: _NetworkPicture) -> PageState:
    """A state with its ids moved onto the network view's nodes (gradients only where a node shows them)."""
    def moved(ids: list[str]) -> list[str]:
        return list(dict.fromkeys(picture.node_of[x] for x in ids if x in picture.node_of))

    shown = {node: v for node, v in picture.shows.items() if v in state.updates}
    highlight = moved(state.highlight)
    return replace(
        state, highlight=highlight, reveal=moved(state.reveal),
        context=[x for x in moved(state.context) if x not in highlight],
        updates={node: state.updates[v] for node, v in shown.items()},
        fills={node: state.fills[v] for node, v in shown.items()},
    )


# --- the page ------------------------------------------------------------------------

def _static(name: str) -> str:
    """A file bundled in micrograd_nn/views/static, as text."""
    return resources.files("micrograd_nn.views").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """JSON or JavaScript that cannot end or confuse its <script> element: <, >, & as \\u escapes."""
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


_SWATCHES = {
    "parameter": '<rect x="1" y="1" width="32" height="18" rx="4" fill="#fff" stroke="#000"/><rect x="4" y="4" '
                 'width="26" height="12" rx="3" fill="none" stroke="#000"/>',
    "input": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000" stroke-dasharray="4 3"/>',
    "constant": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000" stroke-dasharray="1 2"/>',
    "variable": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000" stroke-width="2"/>',
    "inner": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000"/>',
    "op": '<ellipse cx="17" cy="10" rx="15" ry="8" fill="#fff" stroke="#000"/>',
    "weight": '<line x1="2" y1="10" x2="32" y2="10" stroke="hsl(210, 60%, 50%)" stroke-width="3"/>',
    "positive": '<rect x="2" y="2" width="30" height="16" rx="4" fill="hsl(210, 80%, 70%)" stroke="#000"/>',
    "negative": '<rect x="2" y="2" width="30" height="16" rx="4" fill="hsl(0, 80%, 70%)" stroke="#000"/>',
    "current": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#e8590c" stroke-width="4"/>',
    "wrong": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff0f0" stroke="#c92a2a" stroke-width="4"/>',
}
"""The legend's small pictures of each style the page can draw."""


def _legend_html(items: list[tuple[str, str]]) -> str:
    """The page's legend: one line per (swatch, words), only for the styles this page draws."""
    lines = "".join(f'<li data-legend="{swatch}"><svg width="34" height="20">{_SWATCHES[swatch]}</svg>'
                    f"{html.escape(words)}</li>\n" for swatch, words in items)
    return f'<div id="legend"><h2>Legend</h2><ul>\n{lines}</ul></div>'


def _signs(values: list[float]) -> list[str]:
    """"positive" and/or "negative": the signs among the values (0 and nan have none)."""
    return [sign for sign, seen in (("positive", any(v > 0 for v in values)),
                                    ("negative", any(v < 0 for v in values))) if seen]


def _node_legend(info: Walk, totals: list[float], *, naive: bool = False) -> str:
    """The node mode's legend: the leaf kinds, shapes and gradient colours its picture has, and no others.

    naive: the page walks the naive order, whose wrong steps are drawn in red.
    """
    kinds = set(info.kinds)
    ops = [node for node in info.nodes if node.operands]
    items = []
    if "parameter" in kinds:
        items.append(("parameter", f"parameter (double border): {PARAMETER_RULE}"))
    if "input" in kinds:
        items.append(("input", f"input (dashed): {INPUT_RULE}"))
    if "variable" in kinds:
        items.append(("variable", "a leaf you labelled (bold border)"))
    if "constant" in kinds:
        items.append(("constant", "an unlabelled leaf (dotted)"))
    if ops:
        items.append(("inner", "computed value: name, data, grad"))
        numbers = any(not isinstance(x, Value) for node in ops for x in node.inputs)
        items.append(("op", "operation (oval)" + (", numbers inside in place: × 2, 2 − ·" if numbers else "")))
    words = {"positive": "positive gradient (blue; stronger = larger)", "negative": "negative gradient (red)"}
    items += [(sign, words[sign]) for sign in _signs([t for t in totals if math.isfinite(t)])]
    items.append(("inner", "white: a zero gradient, or one not reached yet (grad ?)"))
    items.append(("current", "the current step"))
    if naive:
        items.append(("wrong", "red: a step of the naive walk that adds what backward() does not, or its wrong "
                               "result"))
    return _legend_html(items)


def _network_legend(info: Walk, net: network_picture.NetworkLayout, many_inputs: bool) -> str:
    """The layer mode's legend: neurons, the input column's styles, the loss, weights and dL/dz colours drawn."""
    r = info.names[-1]
    items = [("inner", f"a neuron L<layer>.n<index>: z = w · x + b, a = act(z), {d_of(r)}/dz; one column per layer")]
    kinds = set(network_picture.input_kinds(info, net).values())
    if many_inputs and len(kinds) > 1:
        kinds = {"inner"}  # the inputs node of a mixed column is drawn plain
    words = {"input": f"input (dashed): {INPUT_RULE}", "variable": "input: a leaf you labelled (bold border)",
             "constant": "input: an unlabelled leaf (dotted)", "parameter": f"input: a parameter ({PARAMETER_RULE})",
             "inner": "input: a value computed before the first layer"}
    items += [(kind, words[kind]) for kind in words if kind in kinds]
    if net.loss is not None:
        items.append(("variable", f"the loss's own operations, one box each in the last column: name = formula, "
                                  f"value, d{r}/dname"))
    if net.weights:
        items.append(("weight", f"a weight: width and colour its size and sign (hover for w and {d_of(r)}/dw)"))
    words = {"positive": f"positive {d_of(r)}/dz (blue; stronger = larger)", "negative": f"negative {d_of(r)}/dz (red)"}
    grads = [info.nodes[z].grad for z in net.zs.values()] if info.grads_computed else []
    items += [(sign, words[sign]) for sign in _signs(grads)]
    items.append(("inner", f"white: a zero {d_of(r)}/dz, or not reached yet (?)" if 0.0 in grads
                  else "white: not reached yet (?)"))
    items.append(("current", "the current step"))
    return _legend_html(items)


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
    (micrograd_nn.views.naive_walk: each node passes its gradient on as soon as
    it is reached), the wrong step and the wrong result marked in red.
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
    svg, payload, legend = _picture_and_states(info, mode, forward, order, options)
    data = _script_safe(json.dumps(payload, allow_nan=False))
    pan_zoom = _static("svg-pan-zoom.min.js")
    if "</script" in pan_zoom.lower() or "<!--" in pan_zoom:
        raise RuntimeError("the bundled svg-pan-zoom.min.js cannot be inlined (it contains </script or <!--)")
    status = ""
    if not info.grads_computed:
        status = ('<p class="help" id="not-run">backward() has not run on this graph yet: the page shows the '
                  "gradients it will compute.</p>")
    what_fills = ""
    if mode == "layers":
        what_fills = ('<p class="help" id="what-fills">Each neuron is one node: its z and a appear when the forward '
                      "pass reaches its layer, its dL/dz (and its colour) when the backward pass does. The weights' "
                      "numbers and gradients are in the step's lines and in each edge's tooltip.</p>")
    return _page(title, mode, svg, data, pan_zoom, f"{status}\n{legend}\n{what_fills}")


def _picture_and_states(info: Walk, mode: str, forward: bool, order: str,
                        options: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """The page's SVG, its data (the states as JSON-ready dicts and the ids they fill in), and its legend."""
    states = _states(info, mode=mode, forward=forward)
    if order == "naive":  # keep the forward steps and the start, then the naive walk instead of backward()'s
        start = next(k for k, state in enumerate(states) if state.phase == "backward")
        states = states[: start + 1] + _naive_states(info)
    hidden = [f"v{i}" for i, operands in enumerate(info.operands) if operands] if forward else []
    if mode == "layers":
        network = _network_picture(info, **options)
        states = [_on_picture(state, network) for state in states]
        waiting = {network.node_of[v] for v in hidden if v in network.node_of}
        hidden = [node for node in network.texts if node in waiting]
        source, value_ids, texts, legend = network.dot, list(network.texts), network.texts, network.legend
        advice = Advice("draw a smaller network, or its network view as DOT text (network_dot(root))",
                        "draw a smaller network, or write the network view's DOT text (--network --dot)")
    else:
        source, advice = _scalar_source(info, options)
        value_ids, texts = [f"v{i}" for i in range(len(info.nodes))], {}
        legend = _node_legend(info, replay(info)[1], naive=order == "naive")
    svg = run_dot(source, "svg", advice=advice).decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: the SVG sits inside HTML
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg)  # the page sizes it; zoom and pan move it
    payload = {"states": [asdict(state) for state in states], "valueIds": value_ids, "hiddenData": hidden,
               "texts": texts}
    return svg, payload, legend


def _scalar_source(info: Walk, options: dict[str, Any]) -> tuple[str, Advice]:
    """Node mode's picture (the scalar picture, without its legend: the page has one), and what to advise if
    Graphviz cannot lay it out."""
    from micrograd_nn.views import (
        scalar_picture,  # the scalar picture's module loads graphviz: only when a page is drawn
    )

    options.setdefault("legend", False)
    source = scalar_picture.draw_walked(info, show_grads=False, color_by_grad=False, **options).source
    network_found = bool(info.network.neurons)  # a network's page is quicker to lay out layer by layer
    advice = Advice(
        "pass a smaller max_nodes= to refuse such pages before layout"
        + ("; step the network layer by layer (mode='layers')" if network_found else ""),
        "pass a smaller --max-nodes to refuse such pages before layout"
        + ("; step the network layer by layer (--html-mode layers)" if network_found else ""),
    )
    return source, advice


def _page(title: str, mode: str, svg: str, data: str, pan_zoom: str, notes: str) -> str:
    """The HTML page around the picture, the states' JSON and the bundled scripts."""
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
{notes}
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


def write_html(root: Value, path: str | Path, *, practice: bool = False, **options: Any) -> Path:
    """Write the self-contained HTML stepper for root's backward pass to path; returns the path.

    options: those of stepper_html (title, mode="nodes"|"layers", forward, order, and draw_dot's).
    practice=True: the learner types each gradient before the step reveals it
    (micrograd_nn.views.practice_page; options as its practice_html).
    The page is written atomically (a full disk never leaves half a page); errors name write_html and the file.
    """
    check_target(path, "write_html")  # a bad path is said before the page is built
    if practice:
        from micrograd_nn.views.practice_page import practice_html

        return write_atomically(path, practice_html(root, **options), "write_html")
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
