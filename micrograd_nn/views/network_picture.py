"""The network view: the picture every tutorial draws, computed from the graph.

One column per layer (the inputs, each layer of neurons, then the loss),
neurons in index order from top to bottom, each neuron one node named
``L<layer>.n<index>`` showing its pre-activation z = w . x + b, its activation
a = act(z) and dL/dz; each weight one edge whose width and colour show the
weight (or its gradient), with the numbers in the edge's tooltip.

Everything is read from the network model the walk found
(micrograd_nn.analysis.network): its layers and neurons, each weight's edge
starting at whatever the weight multiplies.  A network whose labels contradict
the graph is refused (dot_text.PictureError), never drawn.  ``focus="L1.n3"`` expands
one neuron into its scalar operations (the scalar graph of that neuron, inside
the network): one box holding them and the neuron's own node, at the top of its
layer's column, the other weights' edges routed around it; the others stay one
node each.  A loss over several samples is drawn for one sample (``sample=``),
its parameters' gradients summed over all of them, as the caption says.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from micrograd_nn import labels
from micrograd_nn.analysis.network import Network, Neuron
from micrograd_nn.analysis.walk import INPUT_RULE, PARAMETER_RULE, Walk, walk
from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.colours import signed_colour
from micrograd_nn.engine import Value
from micrograd_nn.format import DEFAULT_PRECISION, check_precision, format_number
from micrograd_nn.views import dot_text

if TYPE_CHECKING:
    import graphviz

    from micrograd_nn.nn import Module

MAX_DRAWN_INPUTS = 32
"""More inputs than this (784 pixels) are drawn as one node, with one edge per first-layer neuron."""

EDGE_VALUES = ("weight", "grad")
"""What a weight edge's width and colour show: the weight w, or its gradient dL/dw."""


@dataclass(frozen=True)
class WeightEdge:
    """One weight: the walk id of its parameter, the network node it reads from, the neuron it feeds."""

    parameter: int
    source: str  # DOT node name: a neuron key or an input node "input{n}"
    target: str  # the neuron key
    signal: float  # the value the weight multiplies


@dataclass(frozen=True)
class NetworkLayout:
    """What the network view draws: the input column, the neuron columns, the weight edges and the loss."""

    inputs: list[str]  # DOT names of the input column, in the order the weights read them
    input_text: dict[str, tuple[str, float, float | None]]  # name -> (shown name, value, gradient or None)
    input_of: dict[int, str]  # walk id of an input Value -> its DOT name
    layers: list[list[str]]  # neuron keys per layer, in index order
    weights: list[WeightEdge]
    neurons: dict[str, Neuron]  # key -> the neuron (micrograd_nn.analysis.network)
    outputs: dict[str, int]  # neuron key -> walk id of its output a
    zs: dict[str, int]  # neuron key -> walk id of its pre-activation z
    loss: int | None  # walk id of the root when it is not itself a neuron's output
    feeds_loss: list[str]  # neurons whose output is read outside every neuron (by the loss)
    sample: int = 1  # the sample whose inputs and neuron numbers are drawn (1 when the network ran once)
    samples: int = 1  # how many times the network ran in the graph (its parameters' gradients sum over them)


def network_layout(info: Walk, sample: int | None = None) -> NetworkLayout:
    """The columns and weight edges of the network view of a walked graph; PictureError if there is no network.

    When the network ran on several samples, the inputs and neurons are those of sample ``sample`` (1 to the
    number of samples N, default N: the network model's own neurons are its last run); ValueError naming
    sample when there is no such sample.
    """
    net = info.network
    if not net.layers and not net.problems:
        why = "no neurons in this graph; the network view finds them by the parameter labels nn.py gives (L1.n2.w1)"
        raise dot_text.PictureError(
            f"network view: {why}: build the graph with micrograd_nn.nn, or draw the scalar graph with draw_dot",
            f"--network: {why}: draw the scalar graph (leave out --network)",
        )
    if net.problems:
        raise dot_text.PictureError(f"network view: {net.problems[0]}", f"--network: {net.problems[0]}")
    chosen = net.passes if sample is None and net.passes > 1 else sample
    if chosen is not None:
        net = net.sample(chosen)
    inputs = _InputColumn(info, net)
    weights = [
        WeightEdge(info.index[w], inputs.source_of(x, k), neuron.key, x.data if isinstance(x, Value) else float(x))
        for neuron in net.neurons
        for k, (w, x) in enumerate(zip(neuron.weights, neuron.inputs), 1)
    ]
    inputs.unique_names()
    outputs = {neuron.key: info.index[neuron.out] for neuron in net.neurons}
    loss = info.index[net.loss] if net.loss is not None else None
    read_outside = {j for i, operands in enumerate(info.operands) if info.groups[i] is None for j in operands}
    return NetworkLayout(
        inputs=inputs.names,
        input_text=inputs.text,
        input_of=inputs.of,
        layers=[[neuron.key for neuron in layer.neurons] for layer in net.layers],
        weights=weights,
        neurons=dict(net.by_key),
        outputs=outputs,
        zs={neuron.key: info.index[neuron.z] for neuron in net.neurons},
        loss=loss,
        feeds_loss=[key for key, out in outputs.items() if loss is not None and out in read_outside],
        sample=chosen or 1,
        samples=net.passes,
    )


class _InputColumn:
    """The input column's nodes, made as the weights read them: one per input Value, one per position of a number."""

    def __init__(self, info: Walk, net: Network) -> None:
        self.info = info
        self.output_of = {info.index[neuron.out]: neuron.key for neuron in net.neurons}
        self.names: list[str] = []
        self.text: dict[str, tuple[str, float, float | None]] = {}
        self.of: dict[int, str] = {}  # walk id of an input Value -> its DOT name
        self.numbers: dict[int, str] = {}  # position of a plain number -> its DOT name

    def source_of(self, signal: Value | float, position: int) -> str:
        """The DOT name of the node weight number position reads: a neuron, or an input node (made on first use)."""
        if isinstance(signal, Value):
            j = self.info.index[signal]
            if j in self.output_of:
                return self.output_of[j]
            if j in self.of:
                return self.of[j]
            name = self.of[j] = f"input{len(self.names) + 1}"
            # its own label (x1 of this sample) when the network ran on several samples, else its unique name
            shown = signal.label if signal.label and self.info.network.passes > 1 else self.info.names[j]
            self.text[name] = (shown, signal.data, signal.grad)
        else:  # a plain number read by weight k: one input node per position k
            if position in self.numbers:
                return self.numbers[position]
            name = self.numbers[position] = f"input{len(self.names) + 1}"
            self.text[name] = (labels.input_label(position), float(signal), None)
        self.names.append(name)
        return name

    def unique_names(self) -> None:
        """Two inputs of one sample sharing a label are shown by their unique names instead."""
        shown = [self.text[name][0] for name in self.names]
        if len(set(shown)) < len(shown):
            for j, name in self.of.items():
                self.text[name] = (self.info.names[j], *self.text[name][1:])


def _check_edge_value(edge_value: str) -> str:
    if edge_value not in EDGE_VALUES:
        raise ValueError(f"edge_value must be 'weight' or 'grad', got {edge_value!r}")
    return edge_value


def _edge_width(value: float, largest: float) -> float:
    """0.3 pt for a value near 0, up to 3 pt for the largest |value|."""
    if largest == 0.0 or not math.isfinite(value) or not math.isfinite(largest):
        return 0.8
    return round(0.3 + 2.7 * abs(value) / largest, 2)


@dataclass(frozen=True)
class _Style:
    """What every statement of one network picture shares: the walk, the network, the numbers' format."""

    info: Walk
    net: NetworkLayout
    precision: int
    root_name: str
    ports: dict[str, str]  # edges leave a node on the side facing the next column and enter on the other

    def number(self, x: float) -> str:
        """x at the picture's precision."""
        return format_number(x, self.precision)

    def grad(self, x: float) -> str:
        """A gradient at the picture's precision, or ? before backward() has run."""
        return format_number(x, self.precision) if self.info.grads_computed else "?"

    @property
    def summed(self) -> str:
        """What a parameter's gradient is, when the network ran on several samples: " (summed over N samples)"."""
        return f" (summed over {self.net.samples} samples)" if self.net.samples > 1 else ""

    @property
    def of_sample(self) -> str:
        """Whose numbers a neuron or input shows, when the network ran on several samples: " in sample k"."""
        return f" in sample {self.net.sample}" if self.net.samples > 1 else ""


INPUT_STYLES: dict[str, tuple[dict[str, object], str]] = {
    "input": ({"style": "rounded,dashed"}, f"dashed: an input ({INPUT_RULE})"),
    "variable": ({"style": "rounded", "penwidth": 2}, "bold: a leaf you labelled"),
    "constant": ({"style": "rounded,dotted"}, "dotted: an unlabelled leaf"),
    "parameter": ({"style": "rounded", "peripheries": 2}, f"double border: a parameter ({PARAMETER_RULE})"),
    "inner": ({"style": "rounded"}, "solid border: a value computed before the first layer"),
}
"""How the input column draws what the first layer reads, by its kind (the scalar picture's rule), and the
legend's words for it."""


def input_kinds(info: Walk, net: NetworkLayout) -> dict[str, str]:
    """The kind of each input node of the network view: its leaf's kind; a plain number read by a weight is an input."""
    of_name = {name: i for i, name in net.input_of.items()}
    return {name: info.kinds[of_name[name]] if name in of_name else "input" for name in net.inputs}


LEGEND = "edge width and colour: the weight's size and sign (hover for w, dL/dw and its input)"
"""The caption's words on the weight edges, which every network view draws; the rest of the caption lists
only what the picture draws (_legend_parts)."""


def _legend_parts(style: _Style, edge_value: str, drawn_kinds: set[str], signs: set[str]) -> list[str]:
    """What the network view's caption says: only what this picture draws."""
    r = style.root_name
    parts = []
    if signs:
        parts.append(", ".join(f"{colour}: {sign}" for colour, sign in (("blue", "positive"), ("red", "negative"))
                               if sign in signs))
    edges = LEGEND.replace("dL/", f"d{r}/")
    if edge_value == "grad":
        edges = edges.replace("the weight's size and sign", "the size and sign of its gradient")
    parts.append(edges)
    if style.info.grads_computed:
        parts.append(f"neuron fill: d{r}/dz")
    parts.append("z = w · x + b, a = act(z)")
    parts.extend(INPUT_STYLES[kind][1] for kind in INPUT_STYLES if kind in drawn_kinds)
    return parts


def network_lines(
    info: Walk,
    *,
    edge_value: str = "weight",
    focus: str | None = None,
    precision: int = DEFAULT_PRECISION,
    direction: str = "LR",
    compact: bool = False,
    legend: bool = True,
    sample: int | None = None,
    loss_column: bool = False,
) -> list[str]:
    """The DOT statements of the network view of a walked graph (see network_dot).

    compact=True writes z and a on one line and packs each column tighter, so a
    16-neuron layer fits a laptop window at readable size (the HTML stepper's layer mode);
    legend=False leaves out the caption (a page showing its own legend); sample: network_dot's.
    loss_column=True draws each of the loss's own operations (loss_operations) as a box of its own, in a
    column after the output layer, instead of one loss node (the layer stepper steps through them).
    """
    _check_edge_value(edge_value)
    check_precision(precision)
    if direction not in ("LR", "TB"):
        raise ValueError(f"direction must be 'LR' or 'TB', got {direction!r}")
    net = network_layout(info, sample)
    if focus is not None and focus not in net.outputs:
        keys = list(net.outputs)
        shown = ", ".join(keys) if len(keys) <= 12 else f"{', '.join(keys[:6])}, ..., {', '.join(keys[-3:])}"
        raise dot_text.PictureError(
            f"focus: no neuron {focus!r} in this graph; it has {shown}",
            f"--focus: no neuron {dot_text.clean_text(focus, 40)!r} in this graph; it has {shown}",
        )
    ports = {"tailport": "e", "headport": "w"} if direction == "LR" else {"tailport": "s", "headport": "n"}
    style = _Style(info, net, precision, dot_text.clean_text(info.names[-1], 30), ports)
    inputs, drawn_kinds = _input_column(style)
    loss_ops = loss_operations(info, net) if loss_column else []
    neurons, columns, focus_node = _neuron_columns(style, focus, compact, loss_ops)
    caption = _caption(style, edge_value, focus, drawn_kinds) if legend else ""
    return [
        f"rankdir={direction}",
        "newrank=true",
        # straight edges, except around an expanded neuron: splines route the other weights around its box
        f"splines={'spline' if focus else 'line'}",
        f"nodesep={0.04 if compact else 0.12}",
        f"ranksep={1.0 if focus else 0.5 if compact else _column_gap(net)}",
        "outputorder=edgesfirst",  # neurons drawn over the weight edges, so their numbers stay readable
        f"label={dot_text.quote(caption, 1000)} labelloc={'b' if info.grads_computed else 't'} "
        "fontname=Helvetica fontsize=11",
        'node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", fillcolor="#ffffff"'
        + (', margin="0.08,0.03"]' if compact else "]"),
        "edge [arrowsize=0.4]",
        *inputs,
        *neurons,
        *(_focus_cluster(style, focus, focus_node) if focus is not None else []),
        *_column_order([["inputs"] if len(net.inputs) > MAX_DRAWN_INPUTS else list(net.inputs), *columns], focus),
        *_weight_edges(style, focus, edge_value, len(net.inputs) > MAX_DRAWN_INPUTS),
        *(_loss_op_edges(style, loss_ops) if loss_ops else _loss_edges(style)),
    ]


def _input_column(style: _Style) -> tuple[list[str], set[str]]:
    """The input nodes (one "inputs" node past MAX_DRAWN_INPUTS), and the kinds of input they draw."""
    info, net = style.info, style.net
    kinds = input_kinds(info, net)
    drawn_kinds = set(kinds.values())
    if len(net.inputs) > MAX_DRAWN_INPUTS:
        values = [net.input_text[name][1] for name in net.inputs]
        label = f"{len(values)} inputs\nfrom {style.number(min(values))}\nto {style.number(max(values))}"
        shared = drawn_kinds.pop() if len(drawn_kinds) == 1 else "mixed"  # one style when they share a kind
        look = INPUT_STYLES[shared][0] if shared in INPUT_STYLES else {"style": "rounded"}
        return [f"{dot_text.quote('inputs')} " + dot_text.attrs(id="inputs", label=label, **look)], {shared}
    lines = []
    for name in net.inputs:
        shown, value, grad = net.input_text[name]
        label = f"{dot_text.clean_text(shown, 30)}\n{style.number(value)}"
        if grad is not None:
            label += f"\nd{style.root_name}/d{dot_text.clean_text(shown, 30)} = {style.grad(grad)}"
        lines.append(f"{dot_text.quote(name)} " + dot_text.attrs(id=name, label=label, **INPUT_STYLES[kinds[name]][0]))
    return lines, drawn_kinds


def _neuron_columns(style: _Style, focus: str | None, compact: bool,
                    loss_ops: list[int]) -> tuple[list[str], list[list[str]], str]:
    """One node per neuron, and the loss node (or a box per loss operation, loss_ops): their statements, the
    columns they stand in, and the focused neuron's statement (drawn in its box by _focus_cluster, not here)."""
    info, net = style.info, style.net
    largest_grad = max((abs(info.nodes[z].grad) for z in net.zs.values() if math.isfinite(info.nodes[z].grad)),
                       default=0.0)
    lines, columns, focus_node = [], [], ""
    for layer in net.layers:
        for key in layer:
            attributes = _neuron_attributes(style, net.neurons[key], largest_grad, compact)
            if key == focus:
                attributes.update(color="#e8590c", penwidth=3)
                focus_node = f"{dot_text.quote(key)} " + dot_text.attrs(**attributes)
            else:
                lines.append(f"{dot_text.quote(key)} " + dot_text.attrs(**attributes))
        columns.append(list(layer))
    if loss_ops:
        lines += _loss_column(style, loss_ops)
        columns.append([loss_id(net, i) for i in loss_ops])
    elif net.loss is not None:
        loss = info.nodes[net.loss]
        label = f"{style.root_name}\n{style.number(loss.data)}"
        tooltip = f"{style.root_name} = {loss.op}(...), computed from the output layer"
        lines.append(f"{dot_text.quote('loss')} " + dot_text.attrs(id="loss", label=label, penwidth=2, tooltip=tooltip))
        columns.append(["loss"])
    return lines, columns, focus_node


def _column_order(columns: list[list[str]], focus: str | None = None) -> list[str]:
    """Each column on one rank, its nodes chained by invisible edges so they keep index order (all but the
    focused neuron, whose box tops its column)."""
    lines = []
    for c, column in enumerate(columns):
        if not column:
            continue
        lines.append(f"subgraph column{c} {{ rank=same; " + "; ".join(dot_text.quote(n) for n in column) + " }")
        ordered = [n for n in column if n != focus]
        for upper, lower in zip(ordered, ordered[1:]):
            lines.append(f"{dot_text.quote(upper)} -> {dot_text.quote(lower)} [style=invis]")
    return lines


def loss_operations(info: Walk, net: NetworkLayout) -> list[int]:
    """The walk ids of the loss's own operations, in topological order (the root last): every operation outside
    the neurons computed from a neuron's output.  Others outside the neurons (an L2 penalty's p * p) are not
    among them."""
    if net.loss is None:
        return []
    reaches = set(net.outputs.values())
    ops = []
    for i, operands in enumerate(info.operands):
        if operands and info.groups[i] is None and any(j in reaches for j in operands):
            reaches.add(i)
            ops.append(i)
    return ops


def loss_id(net: NetworkLayout, i: int) -> str:
    """The picture id of loss operation i: "loss" for the root, else "loss.v{i}"."""
    return "loss" if i == net.loss else f"loss.v{i}"


def _loss_column(style: _Style, ops: list[int]) -> list[str]:
    """One box per loss operation: "name = formula" (its operands' names), "= value", "dL/dname = grad"."""
    from micrograd_nn.views.explain import rule_lines  # explain reads the walk only: no cycle, loaded when drawn

    info, r = style.info, style.root_name
    lines = []
    for i in ops:
        node, name, rule = info.nodes[i], dot_text.clean_text(info.names[i], 30), rule_lines(info, i)[0]
        formula = dot_text.clean_text(rule.rsplit(" = ", 1)[0], 48)
        label = f"{formula}\n= {style.number(node.data)}\nd{r}/d{name} = {style.grad(node.grad)}"
        tooltip = f"{dot_text.clean_text(rule, 300)}; d{r}/d{name} = {style.grad(node.grad)}"
        lines.append(f"{dot_text.quote(loss_id(style.net, i))} "
                     + dot_text.attrs(id=loss_id(style.net, i), label=label, penwidth=2, tooltip=tooltip))
    return lines


def _loss_op_edges(style: _Style, ops: list[int]) -> list[str]:
    """The edges into each loss operation: from the output neurons and the loss operations it reads."""
    info, net = style.info, style.net
    neuron_of = {i: key for key, i in net.outputs.items()}
    drawn = set(ops)
    lines = []
    for i in ops:
        for position, j in enumerate(info.operands[i], 1):
            source = neuron_of.get(j) or (loss_id(net, j) if j in drawn else None)
            if source is not None:
                edge = dot_text.attrs(id=f"{loss_id(net, i)}.in{position}", color="#555555", penwidth=1.2)
                lines.append(f"{dot_text.quote(source)} -> {dot_text.quote(loss_id(net, i))} {edge}")
    return lines


def _loss_edges(style: _Style) -> list[str]:
    """An edge from each neuron the loss reads to the loss node."""
    info, net, r = style.info, style.net, style.root_name
    lines = []
    for key in net.feeds_loss:
        output = info.nodes[net.outputs[key]]
        tooltip = f"{key}.out = {style.number(output.data)}; d{r}/d{key}.out = {style.grad(output.grad)}"
        edge = dot_text.attrs(id=f"{key}->loss", color="#555555", penwidth=1.2, tooltip=tooltip)
        lines.append(f"{dot_text.quote(key)} -> {dot_text.quote('loss')} {edge}")
    return lines


def _caption(style: _Style, edge_value: str, focus: str | None, drawn_kinds: set[str]) -> str:
    """The legend under the picture, listing only what is drawn (and whether backward has run)."""
    info, net = style.info, style.net
    values = [info.nodes[w.parameter].data if edge_value == "weight" else info.nodes[w.parameter].grad
              for w in net.weights if w.target != focus]
    if info.grads_computed:
        values += [info.nodes[z].grad for z in net.zs.values()]
    signs = {sign for value in values if value != 0 and not math.isnan(value)
             for sign in ["positive" if value > 0 else "negative"]}
    caption = dot_text.wrap_parts(_legend_parts(style, edge_value, drawn_kinds, signs))
    if not info.grads_computed:
        caption = "gradients not computed yet: call backward() on the root to fill them in\n" + caption
    if net.samples > 1:
        r, n = style.root_name, net.samples
        caption = dot_text.wrap_parts([
            f"the network ran on {n} samples: the inputs and the neurons' z, a and d{r}/dz are sample "
            f"{net.sample}'s (sample=k draws another); each weight's and bias's d{r}/dw is summed over "
            f"all {n} samples"]) + "\n" + caption
    return caption


def _column_gap(net: NetworkLayout) -> float:
    """Inches between columns: room for the fan of edges between tall columns (2.2 for 16 neurons), less for
    short ones, so a small network fits a README's 880 px column at >= 10 px text (1.0 for 4 neurons)."""
    tallest = max(len(layer) for layer in [net.inputs, *net.layers])
    return round(min(2.2, max(1.0, 0.6 + 0.1 * tallest)), 2)


def _neuron_attributes(style: _Style, neuron: Neuron, largest_grad: float, compact: bool = False) -> dict[str, object]:
    """A neuron's node: its key and activation, z, a and dL/dz, filled by dL/dz; its bias in the tooltip.

    Lines: "L1.n3 (tanh)", "z = ...", "a = ...", "dL/dz = ..."; compact: z and a share one line.
    """
    info, key, bias = style.info, neuron.key, neuron.bias
    z, out, activation = neuron.z, neuron.out, neuron.activation
    r = style.root_name
    values = f"z = {style.number(z.data)}" + ("   " if compact else "\n") + f"a = {style.number(out.data)}"
    label = f"{key} ({activation})\n{values}\nd{r}/dz = {style.grad(z.grad)}"
    tooltip = f"{key}: z = w · x + b = {style.number(z.data)}, a = {activation}(z) = {style.number(out.data)}"
    tooltip += style.of_sample
    if bias is not None:
        tooltip += f"; b = {style.number(bias.data)}, d{r}/db = {style.grad(bias.grad)}{style.summed}"
    attributes: dict[str, object] = {"id": key, "label": label, "tooltip": tooltip}
    if info.grads_computed and largest_grad:
        attributes["fillcolor"] = signed_colour(z.grad, largest_grad)
    return attributes


def _weight_edges(style: _Style, focus: str | None, edge_value: str, many_inputs: bool) -> list[str]:
    """One edge per weight (the focused neuron's own weights are drawn in its scalar operations instead).

    With many inputs, the weights a neuron gives them are one edge from the
    inputs node, whose width shows their length ‖w‖ (or ‖dL/dw‖).
    """
    info, net, r = style.info, style.net, style.root_name
    from_inputs = set(net.input_text) if many_inputs else set()
    shown = [
        info.nodes[w.parameter].data if edge_value == "weight" else info.nodes[w.parameter].grad for w in net.weights
    ]
    lines = _input_bundles(style, focus, edge_value, from_inputs) if from_inputs else []
    largest = max((abs(v) for w, v in zip(net.weights, shown) if math.isfinite(v) and w.source not in from_inputs),
                  default=0.0)
    for weight, value in zip(net.weights, shown):
        if weight.target == focus or weight.source in from_inputs:
            continue
        parameter = info.nodes[weight.parameter]
        name = dot_text.clean_text(parameter.label, 40)
        tooltip = (
            f"{name} = {style.number(parameter.data)}; d{r}/d{name} = {style.grad(parameter.grad)}{style.summed}; "
            f"it multiplies {style.number(weight.signal)}{style.of_sample}"
        )
        lines.append(
            f"{dot_text.quote(weight.source)} -> {dot_text.quote(weight.target)} "
            + dot_text.attrs(id=name, color=signed_colour(value, largest, "line"), penwidth=_edge_width(value, largest),
                    tooltip=tooltip, edgetooltip=tooltip, **style.ports)
        )
    return lines


def _input_bundles(style: _Style, focus: str | None, edge_value: str, from_inputs: set[str]) -> list[str]:
    """For each neuron reading the inputs: one edge from the inputs node, its width the length of its weights."""
    info, r = style.info, style.root_name
    weights: dict[str, list[Value]] = {}
    for weight in style.net.weights:
        if weight.source in from_inputs and weight.target != focus:
            weights.setdefault(weight.target, []).append(info.nodes[weight.parameter])
    norms = {
        key: (math.hypot(*(w.data for w in ws)), math.hypot(*(w.grad for w in ws))) for key, ws in weights.items()
    }
    shown = {key: norm[0] if edge_value == "weight" else norm[1] for key, norm in norms.items()}
    largest = max((v for v in shown.values() if math.isfinite(v)), default=0.0)
    lines = []
    for key, ws in weights.items():
        tooltip = (
            f"{key}: {len(ws)} weights from the inputs, ‖w‖ = {style.number(norms[key][0])}, "
            f"‖d{r}/dw‖ = {style.grad(norms[key][1])}{style.summed}"
        )
        lines.append(
            f"{dot_text.quote('inputs')} -> {dot_text.quote(key)} "
            + dot_text.attrs(id=f"{key}.w", color="#6b7f99", penwidth=_edge_width(shown[key], largest), tooltip=tooltip,
                    edgetooltip=tooltip, **style.ports)
        )
    return lines


def _focus_cluster(style: _Style, key: str, neuron_node: str) -> list[str]:
    """The focused neuron drawn once: one box holding its scalar graph (parameters, values, ops) and its own
    node (neuron_node, the DOT statement of its z, a and dL/dz, in its layer's column), which stands for its
    output a: the last op's edge goes into it.  The edges into its ops follow the box.
    """
    info, net = style.info, style.net
    members = [info.index[node] for node in net.neurons[key].nodes]
    member_set = set(members)
    out = net.outputs[key]
    output_of = {i: k for k, i in net.outputs.items()}
    statements, edges = [], []
    for i in members:
        node = info.nodes[i]
        if i != out:
            name = dot_text.clean_text(info.names[i], 40)
            label = f"{name}\ndata {style.number(node.data)}\ngrad {style.grad(node.grad)}"
            extra: dict[str, object] = {"peripheries": 2} if not node.operands else {}
            statements.append(f"v{i} " + dot_text.attrs(id=f"v{i}", label=label, **extra))
        if not node.operands:
            continue
        op_node = dot_text.attrs(id=f"o{i}", label=dot_text.op_text(node), shape="oval", style="solid", height=0.3)
        statements.append(f"o{i} {op_node}")
        edges.append(f"o{i} -> {dot_text.quote(key) if i == out else f'v{i}'} " + dot_text.attrs(id=f"r{i}"))
        locals_ = node.local_grads or (None,) * len(node.operands)
        for position, (operand, local) in enumerate(zip(node.operands, locals_), 1):
            j = info.index[operand]
            if j in member_set:
                source = f"v{j}"
            elif j in output_of:
                source = output_of[j]
            elif j in net.input_of:
                source = net.input_of[j] if len(net.inputs) <= MAX_DRAWN_INPUTS else "inputs"
            else:
                continue  # read from outside the network picture
            names = f"d{dot_text.clean_text(info.names[i], 40)}/d{dot_text.clean_text(info.names[j], 40)}"
            tooltip = "derivatives not stored (closure op)" if local is None else (
                f"local {names} = {style.number(local)}"
            )
            edges.append(f"{dot_text.quote(source)} -> o{i} "
                         + dot_text.attrs(id=f"e{i}_{position}", color="#555555", tooltip=tooltip))
    # its parameters one rank right of the inputs (not beside them), so the other weights' edges can pass the box
    first = "inputs" if len(net.inputs) > MAX_DRAWN_INPUTS else net.inputs[0] if net.inputs else None
    if first is not None:
        edges += [f"{dot_text.quote(first)} -> v{i} [style=invis]" for i in members if not info.nodes[i].operands]
    safe = re.sub(r"\W", "_", key)
    return [
        f"subgraph cluster_{safe} {{",
        f"  label={dot_text.quote(f'{key}: its scalar operations')} style=rounded color=\"#e8590c\" fontname=Helvetica",
        *("  " + s for s in statements),
        f"  {neuron_node}",
        "}",
        *edges,
    ]


def network_dot(
    root: Value,
    *,
    model: Module | None = None,
    parameters: Iterable[Value] | None = None,
    edge_value: str = "weight",
    focus: str | None = None,
    precision: int = DEFAULT_PRECISION,
    direction: str = "LR",
    sample: int | None = None,
) -> str:
    """The network view of root's graph as DOT text (needs no Graphviz program).

    Columns: inputs, each layer's neurons in index order, then the loss (the
    root, when it is not itself a neuron's output).  A neuron node shows z = w . x + b,
    a = act(z) and dL/dz; a weight edge's width and colour show |w| and its sign
    (edge_value="weight") or dL/dw (edge_value="grad"), with w, dL/dw and the
    input it multiplies in its tooltip.  focus="L1.n3" draws that neuron as its
    scalar operations.  model (optional) names the parameters instead of their labels.
    A loss over several samples (the network ran once per sample): the inputs and the
    neurons' numbers are sample ``sample``'s (1 to N, default N, the last), the
    parameters' gradients are summed over all N, and the caption says so.
    """
    if model is not None and parameters is None:
        parameters = model.parameters()
    lines = network_lines(
        walk(root, parameters=parameters), edge_value=edge_value, focus=focus, precision=precision,
        direction=direction, sample=sample,
    )
    return "digraph network {\n" + "".join(f"\t{line}\n" for line in lines) + "}\n"


def draw_network(root: Value, **options: Any) -> graphviz.Digraph:
    """The network view of root's graph as a graphviz.Digraph, which shows inline in Jupyter (options: network_dot's).

    Its Graphviz runs (Jupyter display, .pipe, .render) have a time limit (micrograd_nn.views.picture.Picture).
    """
    from micrograd_nn.views.picture import Picture  # loads graphviz: only when a picture is drawn

    statements = network_dot(root, **options).splitlines(keepends=True)[1:-1]  # the lines between { and }
    picture = Picture(name="network")
    picture.body.extend(statements)
    picture.advice = dot_text.network_advice(focus=options.get("focus") is not None)
    return picture


def render_network(root: Value, path: str | Path, *, timeout: float = dot_text.DOT_TIMEOUT, **options: object) -> Path:
    """Write the network view to path atomically: SVG, PNG or PDF by its suffix, or DOT text for .dot."""
    target = Path(path)
    suffix = target.suffix.lower()
    text = network_dot(root, **options)  # type: ignore[arg-type]
    if suffix == ".dot":
        return write_atomically(target, text, "render_network")
    formats = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
    if suffix not in formats:
        raise ValueError(f"render_network: cannot tell the format from {str(path)!r}; use .svg, .png, .pdf or .dot")
    check_target(target, "render_network")  # a bad path is said before Graphviz runs
    advice = dot_text.network_advice(focus=options.get("focus") is not None)
    image = dot_text.run_dot(text, formats[suffix], timeout=timeout, advice=advice)
    return write_atomically(target, image, "render_network")
