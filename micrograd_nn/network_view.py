"""The network view: the picture every tutorial draws, computed from the graph.

One column per layer (the inputs, each layer of neurons, then the loss),
neurons in index order from top to bottom, each neuron one node named
``L<layer>.n<index>`` showing its pre-activation z = w . x + b, its activation
a = act(z) and dL/dz; each weight one edge whose width and colour show the
weight (or its gradient), with the numbers in the edge's tooltip.

Everything is read from the root's graph: the neurons are the walk's neuron
groups (built from the parameter labels nn.py gives, ``L1.n2.w3``,
``L1.n2.b``), and each weight's edge starts at whatever its product reads.
``focus="L1.n3"`` expands one neuron into its scalar operations (the scalar
graph of that neuron, inside the network), the others stay one node each.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.dot import (
    DOT_TIMEOUT,
    PictureError,
    attrs,
    clean_text,
    network_advice,
    op_text,
    quote,
    run_dot,
    signed_colour,
)
from micrograd_nn.engine import Value
from micrograd_nn.walk import (
    ACTIVATION_OPS,
    DEFAULT_PRECISION,
    NEURON_KEY,
    PARAMETER_LABEL,
    Walk,
    check_precision,
    format_number,
    neuron_keys,
    neuron_outputs,
    neuron_sort_key,
    neuron_z,
    walk,
)

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
class Network:
    """The network found in a walked graph: columns of node names, the weight edges, and the loss."""

    inputs: list[str]  # DOT names of the input column, in the order the weights read them
    input_text: dict[str, tuple[str, float, float | None]]  # name -> (shown name, value, gradient or None)
    input_of: dict[int, str]  # walk id of an input Value -> its DOT name
    layers: list[list[str]]  # neuron keys per layer, in index order
    weights: list[WeightEdge]
    outputs: dict[str, int]  # neuron key -> walk id of its output a
    zs: dict[str, int]  # neuron key -> walk id of its pre-activation z
    loss: int | None  # walk id of the root when it is not itself a neuron's output
    feeds_loss: list[str]  # neurons whose output is read outside every neuron (by the loss)


def find_network(info: Walk) -> Network:
    """The layers, inputs and weight edges of the network in a walked graph; ValueError if it has no neurons."""
    keys = neuron_keys(info)
    outputs = neuron_outputs(info)
    keys = [k for k in keys if k in outputs]
    if not keys:
        why = "no neurons in this graph; the network view finds them by the parameter labels nn.py gives (L1.n2.w1)"
        raise PictureError(
            f"network view: {why}: build the graph with micrograd_nn.nn, or draw the scalar graph with draw_dot",
            f"--network: {why}: draw the scalar graph (leave out --network)",
        )
    output_of = {i: key for key, i in outputs.items()}
    inputs: list[str] = []
    input_text: dict[str, tuple[str, float, float | None]] = {}
    weights: list[WeightEdge] = []
    input_of: dict[int, str] = {}
    number_inputs: dict[int, str] = {}

    def source_of(signal: Value | float, position: int) -> str:
        """The DOT name of the node a weight reads: a neuron, or an input node (made on first use)."""
        if isinstance(signal, Value):
            j = info.index[signal]
            if j in output_of:
                return output_of[j]
            if j in input_of:
                return input_of[j]
            name = input_of[j] = f"input{len(inputs) + 1}"
            input_text[name] = (info.names[j], signal.data, signal.grad)
        else:  # a plain number read by weight k: one input node per position k
            if position in number_inputs:
                return number_inputs[position]
            name = number_inputs[position] = f"input{len(inputs) + 1}"
            input_text[name] = (f"x{position}", float(signal), None)
        inputs.append(name)
        return name

    for i, node in enumerate(info.nodes):
        key = info.groups[i]
        if key not in outputs or not node.operands:
            continue
        for parameter, signal in _weight_pairs(node, key):
            match = PARAMETER_LABEL.match(parameter.label)
            position = int(match.group("weight")) if match and match.group("weight") else 0
            signal_value = signal.data if isinstance(signal, Value) else float(signal)
            weights.append(WeightEdge(info.index[parameter], source_of(signal, position), key, signal_value))
    weights.sort(key=lambda w: (neuron_sort_key(w.target), _weight_number(info.nodes[w.parameter].label)))
    layer_of: dict[int, list[str]] = {}
    for key in keys:
        match = NEURON_KEY.match(key)
        layer_of.setdefault(int(match.group("layer") or 1) if match else 0, []).append(key)
    root = len(info.nodes) - 1
    loss = None if root in output_of else root
    read_outside = {info.index[x] for i, node in enumerate(info.nodes) if info.groups[i] is None for x in node.operands}
    feeds_loss = [key for key in keys if loss is not None and outputs[key] in read_outside]
    return Network(
        inputs=inputs,
        input_text=input_text,
        input_of=input_of,
        layers=[layer_of[layer] for layer in sorted(layer_of)],
        weights=weights,
        outputs={key: outputs[key] for key in keys},
        zs={key: neuron_z(info, key, outputs) for key in keys},
        loss=loss,
        feeds_loss=feeds_loss,
    )


def _weight_number(label: str) -> int:
    """k of a weight labelled L1.n2.wk."""
    match = PARAMETER_LABEL.match(label)
    return int(match.group("weight")) if match and match.group("weight") else 0


def _weight_pairs(node: Value, key: str) -> list[tuple[Value, Value | float]]:
    """(weight, what it multiplies) for each of neuron key's weights that this node reads."""
    def is_weight(x: object) -> bool:
        if not isinstance(x, Value):
            return False
        match = PARAMETER_LABEL.match(x.label)
        return match is not None and match.group("weight") is not None and x.label.rsplit(".", 1)[0] == key

    inputs = node.inputs
    if node.op == "*" and len(inputs) == 2:
        a, b = inputs
        if is_weight(a):
            return [(a, b)]  # type: ignore[list-item]
        if is_weight(b):
            return [(b, a)]  # type: ignore[list-item]
        return []
    if node.op in ("dot", "affine"):
        n = (len(inputs) - (1 if node.op == "affine" else 0)) // 2
        return [(w, x) for w, x in zip(inputs[:n], inputs[n : 2 * n]) if is_weight(w)]  # type: ignore[misc]
    return []


# -- drawing ---------------------------------------------------------------------------------------

def _check_edge_value(edge_value: str) -> str:
    if edge_value not in EDGE_VALUES:
        raise ValueError(f"edge_value must be 'weight' or 'grad', got {edge_value!r}")
    return edge_value


def _edge_colour(value: float, largest: float) -> str:
    """Blue for a positive value, red for a negative one; pale when small next to the largest."""
    if largest == 0.0 or math.isnan(value) or math.isinf(largest):
        return "#999999"
    strength = min(1.0, abs(value) / largest)
    hue = 0.6 if value >= 0 else 0.0
    return f"{hue:.3f} {0.12 + 0.68 * strength:.3f} {0.95 - 0.2 * strength:.3f}"


def _edge_width(value: float, largest: float) -> float:
    """0.3 pt for a value near 0, up to 3 pt for the largest |value|."""
    if largest == 0.0 or not math.isfinite(value) or not math.isfinite(largest):
        return 0.8
    return round(0.3 + 2.7 * abs(value) / largest, 2)


@dataclass(frozen=True)
class _Style:
    """What every statement of one network picture shares: the walk, the network, the numbers' format."""

    info: Walk
    net: Network
    precision: int
    root_name: str
    ports: dict[str, str]  # edges leave a node on the side facing the next column and enter on the other

    def number(self, x: float) -> str:
        """x at the picture's precision."""
        return format_number(x, self.precision)

    def grad(self, x: float) -> str:
        """A gradient at the picture's precision, or ? before backward() has run."""
        return format_number(x, self.precision) if self.info.grads_computed else "?"


LEGEND = (
    "blue: positive, red: negative. Edge width and colour: the weight's size and sign (hover for w, dL/dw and "
    "its input). Neuron fill: dL/dz. z = w · x + b, a = act(z). Dashed: an input."
)


def network_lines(
    info: Walk,
    *,
    edge_value: str = "weight",
    focus: str | None = None,
    precision: int = DEFAULT_PRECISION,
    direction: str = "LR",
    compact: bool = False,
    legend: bool = True,
) -> list[str]:
    """The DOT statements of the network view of a walked graph (see network_dot).

    compact=True writes z and a on one line and packs each column tighter, so a
    16-neuron layer fits a laptop window at readable size (the HTML stepper's layer mode);
    legend=False leaves out the caption (a page showing its own legend).
    """
    _check_edge_value(edge_value)
    check_precision(precision)
    if direction not in ("LR", "TB"):
        raise ValueError(f"direction must be 'LR' or 'TB', got {direction!r}")
    net = find_network(info)
    if focus is not None and focus not in net.outputs:
        keys = list(net.outputs)
        shown = ", ".join(keys) if len(keys) <= 12 else f"{', '.join(keys[:6])}, ..., {', '.join(keys[-3:])}"
        raise PictureError(
            f"focus: no neuron {focus!r} in this graph; it has {shown}",
            f"--focus: no neuron {clean_text(focus, 40)!r} in this graph; it has {shown}",
        )
    ports = {"tailport": "e", "headport": "w"} if direction == "LR" else {"tailport": "s", "headport": "n"}
    style = _Style(info, net, precision, clean_text(info.names[-1], 30), ports)
    caption = LEGEND.replace("dL/", f"d{style.root_name}/")
    if edge_value == "grad":
        caption = caption.replace("the weight's size and sign (hover", "the size and sign of its gradient (hover")
    if not info.grads_computed:
        caption = "gradients not computed yet: call backward() on the root to fill them in\n" + caption
    lines = [
        f"rankdir={direction}",
        "newrank=true",
        "splines=line",
        f"nodesep={0.04 if compact else 0.12}",
        f"ranksep={1.0 if focus else 0.8 if compact else 2.2}",
        "outputorder=edgesfirst",  # neurons drawn over the weight edges, so their numbers stay readable
        f"label={quote(caption, 400) if legend else quote('')} labelloc={'b' if info.grads_computed else 't'} "
        "fontname=Helvetica fontsize=11",
        'node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", fillcolor="#ffffff"'
        + (', margin="0.08,0.03"]' if compact else "]"),
        "edge [arrowsize=0.4]",
    ]
    many_inputs = len(net.inputs) > MAX_DRAWN_INPUTS
    columns: list[list[str]] = [["inputs"] if many_inputs else list(net.inputs)]
    if many_inputs:
        values = [net.input_text[name][1] for name in net.inputs]
        label = f"{len(values)} inputs\nfrom {style.number(min(values))}\nto {style.number(max(values))}"
        lines.append(f"{quote('inputs')} " + attrs(id="inputs", label=label, style="rounded,dashed"))
    for name in [] if many_inputs else net.inputs:
        shown, value, grad = net.input_text[name]
        label = f"{clean_text(shown, 30)}\n{style.number(value)}"
        if grad is not None:
            label += f"\nd{style.root_name}/d{clean_text(shown, 30)} = {style.grad(grad)}"
        lines.append(f"{quote(name)} " + attrs(id=name, label=label, style="rounded,dashed"))
    largest_grad = max((abs(info.nodes[z].grad) for z in net.zs.values() if math.isfinite(info.nodes[z].grad)),
                       default=0.0)
    biases = {node.label: node for node in info.nodes if not node.operands and node.label.endswith(".b")}
    for layer in net.layers:
        for key in layer:
            attributes = _neuron_attributes(style, key, biases.get(f"{key}.b"), largest_grad, compact)
            if key == focus:
                attributes.update(color="#e8590c", penwidth=3)
            lines.append(f"{quote(key)} " + attrs(**attributes))
        columns.append(list(layer))
    if net.loss is not None:
        loss = info.nodes[net.loss]
        label = f"{style.root_name}\n{style.number(loss.data)}"
        tooltip = f"{style.root_name} = {loss.op}(...), computed from the output layer"
        lines.append(f"{quote('loss')} " + attrs(id="loss", label=label, penwidth=2, tooltip=tooltip))
        columns.append(["loss"])
    if focus is not None:
        lines.extend(_focus_cluster(style, focus))
    # Each column on one rank, its nodes chained by invisible edges so they keep index order.
    for c, column in enumerate(columns):
        if not column:
            continue
        lines.append(f"subgraph column{c} {{ rank=same; " + "; ".join(quote(n) for n in column) + " }")
        for upper, lower in zip(column, column[1:]):
            lines.append(f"{quote(upper)} -> {quote(lower)} [style=invis]")
    lines.extend(_weight_edges(style, focus, edge_value, many_inputs))
    for key in net.feeds_loss:
        output = info.nodes[net.outputs[key]]
        tooltip = f"{key}.out = {style.number(output.data)}; d{style.root_name}/d{key}.out = {style.grad(output.grad)}"
        edge = attrs(id=f"{key}->loss", color="#555555", penwidth=1.2, tooltip=tooltip)
        lines.append(f"{quote(key)} -> {quote('loss')} {edge}")
    return lines


def _neuron_attributes(style: _Style, key: str, bias: Value | None, largest_grad: float,
                       compact: bool = False) -> dict[str, object]:
    """A neuron's node: its key and activation, z, a and dL/dz, filled by dL/dz; its bias in the tooltip.

    Lines: "L1.n3 (tanh)", "z = ...", "a = ...", "dL/dz = ..."; compact: z and a share one line.
    """
    info, net = style.info, style.net
    z, out = info.nodes[net.zs[key]], info.nodes[net.outputs[key]]
    activation = out.op if out.op in ACTIVATION_OPS else "linear"
    r = style.root_name
    values = f"z = {style.number(z.data)}" + ("   " if compact else "\n") + f"a = {style.number(out.data)}"
    label = f"{key} ({activation})\n{values}\nd{r}/dz = {style.grad(z.grad)}"
    tooltip = f"{key}: z = w · x + b = {style.number(z.data)}, a = {activation}(z) = {style.number(out.data)}"
    if bias is not None:
        tooltip += f"; b = {style.number(bias.data)}, d{r}/db = {style.grad(bias.grad)}"
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
        name = clean_text(parameter.label, 40)
        tooltip = (
            f"{name} = {style.number(parameter.data)}; d{r}/d{name} = {style.grad(parameter.grad)}; "
            f"it multiplies {style.number(weight.signal)}"
        )
        lines.append(
            f"{quote(weight.source)} -> {quote(weight.target)} "
            + attrs(id=name, color=_edge_colour(value, largest), penwidth=_edge_width(value, largest),
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
            f"‖d{r}/dw‖ = {style.grad(norms[key][1])}"
        )
        lines.append(
            f"{quote('inputs')} -> {quote(key)} "
            + attrs(id=f"{key}.w", color="#6b7f99", penwidth=_edge_width(shown[key], largest), tooltip=tooltip,
                    edgetooltip=tooltip, **style.ports)
        )
    return lines


def _focus_cluster(style: _Style, key: str) -> list[str]:
    """The focused neuron's scalar graph in a box: its parameters, values and ops, and the edges into them.

    The neuron's own node (in its layer's column) stands for its output a: the
    last op's edge goes into it.
    """
    info, net = style.info, style.net
    members = [i for i, g in enumerate(info.groups) if g == key]
    out = net.outputs[key]
    output_of = {i: k for k, i in net.outputs.items()}
    statements, edges = [], []
    for i in members:
        node = info.nodes[i]
        if i != out:
            name = clean_text(info.names[i], 40)
            label = f"{name}\ndata {style.number(node.data)}\ngrad {style.grad(node.grad)}"
            extra: dict[str, object] = {"peripheries": 2} if not node.operands else {}
            statements.append(f"v{i} " + attrs(id=f"v{i}", label=label, **extra))
        if not node.operands:
            continue
        statements.append(f"o{i} " + attrs(id=f"o{i}", label=op_text(node), shape="oval", style="solid", height=0.3))
        edges.append(f"o{i} -> {quote(key) if i == out else f'v{i}'} " + attrs(id=f"r{i}"))
        locals_ = node.local_grads or (None,) * len(node.operands)
        for position, (operand, local) in enumerate(zip(node.operands, locals_), 1):
            j = info.index[operand]
            if info.groups[j] == key:
                source = f"v{j}"
            elif j in output_of:
                source = output_of[j]
            elif j in net.input_of:
                source = net.input_of[j] if len(net.inputs) <= MAX_DRAWN_INPUTS else "inputs"
            else:
                continue  # read from outside the network picture
            tooltip = "derivatives not stored (closure op)" if local is None else (
                f"local d{clean_text(info.names[i], 40)}/d{clean_text(info.names[j], 40)} = {style.number(local)}"
            )
            edges.append(f"{quote(source)} -> o{i} " + attrs(id=f"e{i}_{position}", color="#555555", tooltip=tooltip))
    safe = re.sub(r"\W", "_", key)
    return [
        f"subgraph cluster_{safe} {{",
        f"  label={quote(f'{key}: its scalar operations')} style=rounded color=\"#e8590c\" fontname=Helvetica",
        *("  " + s for s in statements),
        "}",
        *edges,
    ]


def _walk_for(root: Value, model: Module | None, parameters: Iterable[Value] | None) -> Walk:
    """Walk root, with the model's parameters as the parameter set when a model is given."""
    if model is not None and parameters is None:
        parameters = model.parameters()
    return walk(root, parameters=parameters)


def network_dot(
    root: Value,
    *,
    edge_value: str = "weight",
    focus: str | None = None,
    precision: int = DEFAULT_PRECISION,
    direction: str = "LR",
    model: Module | None = None,
    parameters: Iterable[Value] | None = None,
) -> str:
    """The network view of root's graph as DOT text (needs no Graphviz program).

    Columns: inputs, each layer's neurons in index order, then the loss (the
    root, when it is not itself a neuron's output).  A neuron node shows z = w . x + b,
    a = act(z) and dL/dz; a weight edge's width and colour show |w| and its sign
    (edge_value="weight") or dL/dw (edge_value="grad"), with w, dL/dw and the
    input it multiplies in its tooltip.  focus="L1.n3" draws that neuron as its
    scalar operations.  model (optional) names the parameters instead of their labels.
    """
    lines = network_lines(
        _walk_for(root, model, parameters), edge_value=edge_value, focus=focus, precision=precision,
        direction=direction,
    )
    return "digraph network {\n" + "".join(f"\t{line}\n" for line in lines) + "}\n"


def draw_network(
    root: Value,
    *,
    edge_value: str = "weight",
    focus: str | None = None,
    precision: int = DEFAULT_PRECISION,
    direction: str = "LR",
    model: Module | None = None,
    parameters: Iterable[Value] | None = None,
) -> graphviz.Digraph:
    """The network view of root's graph (see network_dot) as a graphviz.Digraph, which shows inline in Jupyter.

    Its Graphviz runs (Jupyter display, .pipe, .render) have a time limit (micrograd_nn.graph.Picture).
    """
    from micrograd_nn.graph import Picture  # graph imports this module: import it when drawing

    lines = network_lines(
        _walk_for(root, model, parameters), edge_value=edge_value, focus=focus, precision=precision,
        direction=direction,
    )
    picture = Picture(name="network")
    picture.body.extend(f"\t{line}\n" for line in lines)
    picture.advice = network_advice(focus=focus is not None)
    return picture


def render_network(root: Value, path: str | Path, *, timeout: float = DOT_TIMEOUT, **options: object) -> Path:
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
    advice = network_advice(focus=options.get("focus") is not None)
    image = run_dot(text, formats[suffix], timeout=timeout, advice=advice)
    return write_atomically(target, image, "render_network")
