"""The network view's DOT statements: the input column, the neuron columns, the weight edges, the loss and the
caption, each listing only what is drawn (network_lines)."""

from __future__ import annotations

import math

from micrograd_nn.analysis.neurons import Neuron
from micrograd_nn.analysis.walk import INPUT_RULE, PARAMETER_RULE, Walk
from micrograd_nn.colours import signed_colour
from micrograd_nn.engine import Value
from micrograd_nn.format import DEFAULT_PRECISION, check_precision
from micrograd_nn.views import dot_text
from micrograd_nn.views.network_focus import focus_cluster
from micrograd_nn.views.network_layout import (
    MAX_DRAWN_INPUTS,
    NetworkLayout,
    PictureStyle,
    input_kinds,
    loss_id,
    loss_operations,
    network_layout,
)

EDGE_VALUES = ("weight", "grad")
"""What a weight edge's width and colour show: the weight w, or its gradient dL/dw."""


def _check_edge_value(edge_value: str) -> str:
    if edge_value not in EDGE_VALUES:
        raise ValueError(f"edge_value must be 'weight' or 'grad', got {edge_value!r}")
    return edge_value


def _edge_width(value: float, largest: float) -> float:
    """0.3 pt for a value near 0, up to 3 pt for the largest |value|."""
    if largest == 0.0 or not math.isfinite(value) or not math.isfinite(largest):
        return 0.8
    return round(0.3 + 2.7 * abs(value) / largest, 2)


INPUT_STYLES: dict[str, tuple[dict[str, object], str]] = {
    "input": ({"style": "rounded,dashed"}, f"dashed: an input ({INPUT_RULE})"),
    "variable": ({"style": "rounded", "penwidth": 2}, "bold: a leaf you labelled"),
    "constant": ({"style": "rounded,dotted"}, "dotted: an unlabelled leaf"),
    "parameter": ({"style": "rounded", "peripheries": 2}, f"double border: a parameter ({PARAMETER_RULE})"),
    "inner": ({"style": "rounded"}, "solid border: a value computed before the first layer"),
}
"""How the input column draws what the first layer reads, by its kind (the scalar picture's rule), and the
legend's words for it."""

LEGEND = "edge width and colour: the weight's size and sign (hover for w, dL/dw and its input)"
"""The caption's words on the weight edges, which every network view draws; the rest of the caption lists
only what the picture draws (_legend_parts)."""


def _legend_parts(style: PictureStyle, edge_value: str, drawn_kinds: set[str], signs: set[str]) -> list[str]:
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
    if focus is not None:
        _check_focus(net, focus)
    ports = {"tailport": "e", "headport": "w"} if direction == "LR" else {"tailport": "s", "headport": "n"}
    style = PictureStyle(info, net, precision, dot_text.clean_text(info.names[-1], 30), ports)
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
        *(focus_cluster(style, focus, focus_node) if focus is not None else []),
        *_column_order([["inputs"] if len(net.inputs) > MAX_DRAWN_INPUTS else list(net.inputs), *columns], focus),
        *_weight_edges(style, focus, edge_value, len(net.inputs) > MAX_DRAWN_INPUTS),
        *(_loss_op_edges(style, loss_ops) if loss_ops else _loss_edges(style)),
    ]


def _check_focus(net: NetworkLayout, focus: str) -> None:
    """PictureError unless focus names a neuron of the network (the message lists them, shortened when many)."""
    if focus not in net.outputs:
        keys = list(net.outputs)
        shown = ", ".join(keys) if len(keys) <= 12 else f"{', '.join(keys[:6])}, ..., {', '.join(keys[-3:])}"
        raise dot_text.PictureError(
            f"focus: no neuron {focus!r} in this graph; it has {shown}",
            f"--focus: no neuron {dot_text.clean_text(focus, 40)!r} in this graph; it has {shown}",
        )


def _input_column(style: PictureStyle) -> tuple[list[str], set[str]]:
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


def _neuron_columns(style: PictureStyle, focus: str | None, compact: bool,
                    loss_ops: list[int]) -> tuple[list[str], list[list[str]], str]:
    """One node per neuron, and the loss node (or a box per loss operation, loss_ops): their statements, the
    columns they stand in, and the focused neuron's statement (drawn in its box by focus_cluster, not here)."""
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


def _loss_column(style: PictureStyle, ops: list[int]) -> list[str]:
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


def _loss_op_edges(style: PictureStyle, ops: list[int]) -> list[str]:
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


def _loss_edges(style: PictureStyle) -> list[str]:
    """An edge from each neuron the loss reads to the loss node."""
    info, net, r = style.info, style.net, style.root_name
    lines = []
    for key in net.feeds_loss:
        output = info.nodes[net.outputs[key]]
        tooltip = f"{key}.out = {style.number(output.data)}; d{r}/d{key}.out = {style.grad(output.grad)}"
        edge = dot_text.attrs(id=f"{key}->loss", color="#555555", penwidth=1.2, tooltip=tooltip)
        lines.append(f"{dot_text.quote(key)} -> {dot_text.quote('loss')} {edge}")
    return lines


def _caption(style: PictureStyle, edge_value: str, focus: str | None, drawn_kinds: set[str]) -> str:
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


def _neuron_attributes(style: PictureStyle, neuron: Neuron, largest_grad: float,
                       compact: bool = False) -> dict[str, object]:
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


def _weight_edges(style: PictureStyle, focus: str | None, edge_value: str, many_inputs: bool) -> list[str]:
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


def _input_bundles(style: PictureStyle, focus: str | None, edge_value: str, from_inputs: set[str]) -> list[str]:
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
