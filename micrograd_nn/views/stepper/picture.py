"""The stepper's picture: the network view for layer mode (and where each state's ids land on it), the scalar
picture for node mode, and the legend of what is drawn."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, replace
from typing import Any

from micrograd_nn.analysis.walk import INPUT_RULE, PARAMETER_RULE, Walk
from micrograd_nn.colours import PASSES, signed_colour
from micrograd_nn.engine import Value
from micrograd_nn.format import d_of
from micrograd_nn.views import network_layout, network_statements
from micrograd_nn.views.backward_passes import legend_entries
from micrograd_nn.views.dot_text import Advice
from micrograd_nn.views.stepper.page_state import PageState

NETWORK_OPTIONS = ("direction", "edge_value")
"""The picture options of mode="layers" (network_picture.network_dot's; the numbers keep format_number's precision)."""

# Where the numbers sit in the compact network view's labels (network_statements._neuron_attributes and
# network_lines): a neuron "L1.n3 (tanh)", "z = ...   a = ...", "dL/dz = ..."; an input "x1", its value,
# "dL/dx1 = ..."; each of the loss's operations "name = formula", "= value", "dL/dname = ...".  The page
# shows a data line's numbers as ? until the forward pass reaches them, and writes a gradient line's number
# after its last " = ".
_NEURON_TEXT = {"data": [1], "grad": 2}
_INPUT_TEXT = {"grad": 2}
_LOSS_TEXT = {"data": [1], "grad": 2}


@dataclass(frozen=True)
class LayerPicture:
    """The network view drawn for layer mode, and how the states' ids (v{id}, o{id}) land on its nodes."""

    dot: str
    node_of: dict[str, str]  # "v12" or "o12" -> the picture's node ("L1.n3", "input1", "loss")
    shows: dict[str, str]  # picture node -> the "v{id}" whose gradient its text and fill show
    texts: dict[str, dict[str, Any]]  # picture node -> the lines of its label holding numbers
    legend: str  # the page's legend for this picture


def layer_picture(info: Walk, **options: Any) -> LayerPicture:
    """The network view of a walked network (options: NETWORK_OPTIONS) and the map from walk ids to its nodes.

    A neuron's nodes (z, a and its parameters) land on the neuron, an input on its
    input node, each of the loss's operations on its own box in the loss column (what
    they read outside the neurons and is not drawn, such as a penalty, on its reader's box).
    """
    unknown = sorted(set(options) - set(NETWORK_OPTIONS))
    if unknown:
        raise ValueError(f"mode='layers' draws the network view, whose options are {', '.join(NETWORK_OPTIONS)}; "
                         f"got {', '.join(unknown)}")
    net = network_layout.network_layout(info)
    lines = network_statements.network_lines(info, compact=True, legend=False, loss_column=True,
                                          **options)  # the page has the legend
    many_inputs = len(net.inputs) > network_layout.MAX_DRAWN_INPUTS
    loss_ops = network_layout.loss_operations(info, net)
    drawn_as = {i: network_layout.loss_id(net, i) for i in loss_ops}
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
    return LayerPicture(dot, node_of, shows, texts, _network_legend(info, net, many_inputs))


def on_picture(state: PageState, picture: LayerPicture) -> PageState:
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


_HALF_LINE = signed_colour(0.5, 1.0, "line", css=True)  # the colour scale's middle, for the legend
_HALF_FILL = signed_colour(0.5, 1.0, css=True)
_HALF_FILL_NEGATIVE = signed_colour(-0.5, 1.0, css=True)

_SWATCHES = {
    "parameter": '<rect x="1" y="1" width="32" height="18" rx="4" fill="#fff" stroke="#000"/><rect x="4" y="4" '
                 'width="26" height="12" rx="3" fill="none" stroke="#000"/>',
    "input": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000" stroke-dasharray="4 3"/>',
    "constant": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000" stroke-dasharray="1 2"/>',
    "variable": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000" stroke-width="2"/>',
    "inner": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#000"/>',
    "op": '<ellipse cx="17" cy="10" rx="15" ry="8" fill="#fff" stroke="#000"/>',
    "weight": f'<line x1="2" y1="10" x2="32" y2="10" stroke="{_HALF_LINE}" stroke-width="3"/>',
    "positive": f'<rect x="2" y="2" width="30" height="16" rx="4" fill="{_HALF_FILL}" stroke="#000"/>',
    "negative": f'<rect x="2" y="2" width="30" height="16" rx="4" fill="{_HALF_FILL_NEGATIVE}" stroke="#000"/>',
    "current": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff" stroke="#e8590c" stroke-width="4"/>',
    "wrong": '<rect x="2" y="2" width="30" height="16" rx="4" fill="#fff0f0" stroke="#c92a2a" stroke-width="4"/>',
    **{f"pass{level}": f'<rect x="1" y="1" width="32" height="18" rx="4" fill="{fill}" stroke="{line}"/><rect '
                       f'x="7" y="5" width="20" height="10" rx="3" fill="#fff" stroke="{line}"/>'
                       for level, (_, line, fill) in enumerate(PASSES)},
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


def node_legend(info: Walk, totals: list[float], *, naive: bool = False) -> str:
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
    levels = info.passes
    items += [(f"pass{min(level, len(PASSES) - 1)}" if level < max(levels) else "inner", words)
              for level, words in legend_entries(levels)]
    if naive:
        items.append(("wrong", "red: a step of the naive walk that adds what backward() does not, or its wrong "
                               "result"))
    return _legend_html(items)


def _network_legend(info: Walk, net: network_layout.NetworkLayout, many_inputs: bool) -> str:
    """The layer mode's legend: neurons, the input column's styles, the loss, weights and dL/dz colours drawn."""
    r = info.names[-1]
    items = [("inner", f"a neuron L<layer>.n<index>: z = w · x + b, a = act(z), {d_of(r)}/dz; one column per layer")]
    kinds = set(network_layout.input_kinds(info, net).values())
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


def scalar_source(info: Walk, options: dict[str, Any]) -> tuple[str, Advice]:
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
