"""The scalar picture of a computation graph: each value a box, each operation an oval (DOT text, Graphviz).

``to_dot``, ``draw_dot`` and ``render`` draw every node of root's graph, read
from one walk (micrograd_nn.analysis.walk): each value a box with its name, data
and grad, each operation its own small oval, an edge from each operand in
operand order (``a + a`` draws two edges); options in ``DrawOptions``.  The
neurons the network model found (micrograd_nn.analysis.network) are boxed, or
drawn one node each (collapse).  ``to_dot`` needs no Graphviz program;
``draw_dot`` returns a Picture (a graphviz.Digraph with a time limit), which
shows inline in Jupyter; ``render`` writes a file.  Nothing here writes to the graph.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Protocol

from micrograd_nn import errors, labels, nonfinite
from micrograd_nn.analysis.walk import Walk, on_path, walk
from micrograd_nn.colours import signed_colour
from micrograd_nn.engine import Value
from micrograd_nn.format import DEFAULT_PRECISION, check_precision, format_number
from micrograd_nn.views.backward_passes import pass_boxes, pass_style
from micrograd_nn.views.dot_text import (
    DOT_TIMEOUT,
    PictureError,
    attrs,
    clean_text,
    op_text,
    quote,
    scalar_advice,
)
from micrograd_nn.views.picture import Picture, write_picture
from micrograd_nn.views.scalar_legend import legend, ordered

DEFAULT_MAX_NODES = 300
"""Pictures with more drawn nodes than this raise PictureTooLargeError instead of hanging Graphviz."""



class PictureTooLargeError(PictureError):
    """The picture would have more than max_nodes nodes; ``cli_message`` says it in the CLI's options."""


@dataclass(frozen=True)
class DrawOptions:
    """How draw_dot/to_dot/render draw the scalar graph (every field is also accepted as a keyword).

    direction: "LR" or "TB" (or "RL", "BT").  edge_labels: write "local × upstream
    = contribution" on each operand edge.  color_by_grad: fill boxes blue (grad > 0)
    or red (grad < 0), stronger for larger |grad|.  path_from: highlight the paths
    from this node up to the root.  compact: no effect any more (numbers live inside
    their op since Engine v2, so there are no constant leaves to hide); kept so old
    code runs.  clusters: box each neuron's nodes, titled "layer 1 / neuron 3".
    collapse: True, or neuron keys such as {"L1.n2"} (or one key "L1.n2"), to draw
    those neurons as one node each.  show_grads=False hides gradients.  audit: a
    report from micrograd_nn.checks.graph_audit.audit_gradients, whose findings are marked.
    max_nodes: a larger picture raises PictureTooLargeError.  precision: decimals shown.
    legend: a line under the picture saying what borders, shapes and colours mean.
    """

    direction: str = "LR"
    edge_labels: bool = False
    color_by_grad: bool = True
    path_from: Value | None = None
    compact: bool = False
    clusters: bool = True
    collapse: bool | str | Iterable[str] = False
    show_grads: bool = True
    audit: AuditLike | None = None
    max_nodes: int = DEFAULT_MAX_NODES
    precision: int = DEFAULT_PRECISION
    legend: bool = True


def draw_options(options: DrawOptions | None = None, **overrides: Any) -> DrawOptions:
    """options (or the defaults) with the keyword overrides applied; TypeError naming an unknown option."""
    known = {f.name for f in fields(DrawOptions)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise TypeError(f"draw_dot: unknown option {unknown[0]!r}; the options are {sorted(known)}")
    chosen = replace(options or DrawOptions(), **overrides)
    if chosen.direction not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"direction must be 'LR' or 'TB' (or 'RL', 'BT'), got {chosen.direction!r}")
    check_precision(chosen.precision)
    errors.whole_number(chosen.max_nodes, "max_nodes")
    return chosen


class AuditLike(Protocol):
    """What draw_dot needs from a gradient audit report (see micrograd_nn.checks.graph_audit)."""

    mismatched: list[Value]
    culprits: list[Value]


@dataclass(frozen=True)
class _Layout:
    """What the DOT statements need besides the walk: the options and, per node, how it is drawn."""

    info: Walk
    options: DrawOptions
    computed: bool  # gradients are shown (backward has run and show_grads)
    collapsed: set[str]  # neuron keys drawn as one node
    outputs: dict[str, int]  # collapsed neuron -> the id of its output, which stands for it
    hidden: list[bool]  # not drawn: a collapsed neuron's other members
    drawn_as: list[int]  # the id of the node drawn in each node's place
    highlighted: list[bool]
    mismatched: set[int]
    culprits: set[int]
    largest: float  # the largest |grad|, for the colours
    passes: list[int]  # the pass that made each node (0: forward; views/backward_passes.py)
    last_pass: int  # the latest pass among them: its nodes are drawn plain, the earlier ones marked

    def number(self, x: float) -> str:
        """x at the chosen precision."""
        return format_number(x, self.options.precision)


def _collapsed_keys(all_groups: list[str], collapse: bool | str | Iterable[str]) -> set[str]:
    """The neuron keys to collapse; ValueError for a key that is not in the graph."""
    if collapse is True:
        return set(all_groups)
    if collapse is False:
        return set()
    collapsed = {collapse} if isinstance(collapse, str) else set(collapse)
    unknown = collapsed - set(all_groups)
    if unknown:
        raise ValueError(f"collapse: no neuron {sorted(unknown)} in this graph; it has {all_groups}")
    return collapsed


def _layout(info: Walk, options: DrawOptions) -> _Layout:
    """Decide what is drawn, and how; PictureTooLargeError when the picture would exceed max_nodes."""
    nodes, index, groups = info.nodes, info.index, info.groups
    collapsed = _collapsed_keys([neuron.key for neuron in info.network.neurons], options.collapse)
    # A collapsed neuron is drawn as its output node; every other member is hidden.
    outputs = {n.key: index[n.out] for n in info.network.neurons if n.key in collapsed}
    collapsed &= set(outputs)  # a "neuron" of parameters only has no output to draw
    hidden = [groups[i] in collapsed and outputs.get(groups[i]) != i for i in range(len(nodes))]  # type: ignore[arg-type]
    drawn_as = [outputs[groups[i]] if groups[i] in collapsed else i for i in range(len(nodes))]  # type: ignore[index]

    _check_size(nodes, hidden, set(outputs.values()), options.max_nodes)
    audit = options.audit
    return _Layout(
        info=info,
        options=options,
        computed=info.grads_computed and options.show_grads,
        collapsed=collapsed,
        outputs=outputs,
        hidden=hidden,
        drawn_as=drawn_as,
        highlighted=on_path(info, options.path_from) if options.path_from is not None else [False] * len(nodes),
        mismatched=_marked(index, audit.mismatched) if audit is not None else set(),
        culprits=_marked(index, audit.culprits) if audit is not None else set(),
        largest=max((abs(n.grad) for n in nodes if not math.isnan(n.grad)), default=0.0),
        passes=info.passes,
        last_pass=max(info.passes, default=0),
    )


def _marked(index: dict[Value, int], nodes: Iterable[Value]) -> set[int]:
    """The walk ids of the audit's marked nodes that are in this graph."""
    return {index[n] for n in nodes if n in index}


def _check_size(nodes: list[Value], hidden: list[bool], collapsed_outputs: set[int], max_nodes: int) -> None:
    """PictureTooLargeError, with what to draw instead, when the drawn values and ops are more than max_nodes."""
    drawn_values = sum(not h for h in hidden)
    drawn_ops = sum(
        1 for i, node in enumerate(nodes) if node.operands and not hidden[i] and i not in collapsed_outputs
    )
    total = drawn_values + drawn_ops
    if total > max_nodes:
        what = f"this picture would have {total} nodes, more than max_nodes={max_nodes}"
        raise PictureTooLargeError(
            f"{what}. Draw the network view (draw_network(root)), one node per neuron (collapse=True), "
            f"or pass max_nodes={total} to draw it anyway (Graphviz may then take long; it is stopped after "
            f"{DOT_TIMEOUT:g} s); a model built with fused=True also has fewer nodes.",
            f"{what.replace('max_nodes=', '--max-nodes ')}. Draw the network view (--network), one node per "
            f"neuron (--collapse), or pass --max-nodes {total} to draw it anyway (Graphviz is stopped after "
            f"{DOT_TIMEOUT:g} s).",
        )


def _value_statement(layout: _Layout, i: int) -> str:
    """The DOT statement of value node v{i}: a box with its name, data and grad."""
    info = layout.info
    node, kind, group = info.nodes[i], info.kinds[i], info.groups[i]
    if group in layout.collapsed:
        activation = info.network.neuron(group).activation  # type: ignore[arg-type]
        title = f"{labels.neuron_title(group)}\noutput ({activation})"  # type: ignore[arg-type]
    elif kind in ("parameter", "input", "constant"):
        title = f"{clean_text(info.names[i], 40)} · {kind}"
    else:
        title = clean_text(info.names[i], 40)
    if not layout.computed:
        grad_line = "grad ?" if not layout.options.show_grads else "grad (not computed)"
    else:
        grad_line = f"grad {layout.number(node.grad)}"
    label = f"{title}\ndata {layout.number(node.data)}\n{grad_line}"
    attributes: dict[str, object] = {"id": f"v{i}", "label": label, "shape": "box", "style": "rounded,filled"}
    colour = layout.computed and layout.options.color_by_grad
    attributes["fillcolor"] = signed_colour(node.grad, layout.largest) if colour else "#ffffff"
    if kind == "parameter":
        attributes["peripheries"] = 2
    elif kind == "input":
        attributes["style"] = "rounded,filled,dashed"
    elif kind == "variable":
        attributes["penwidth"] = 2
    elif kind == "constant":
        attributes["style"] = "rounded,filled,dotted"
    if len(node.label) > 40:
        attributes["tooltip"] = node.label
    if group in layout.collapsed:
        attributes["shape"] = "box3d"
        attributes["style"] = "filled"
    attributes.update(pass_style(layout.passes[i], layout.last_pass))
    if i in layout.mismatched:
        attributes["color"] = "darkorange"
        attributes["penwidth"] = 3
        attributes["xlabel"] = "grad disagrees"
    if layout.highlighted[i]:
        attributes["color"] = "#d45500"
        attributes["penwidth"] = 3
    return f"v{i} " + attrs(**attributes)


def _op_statements(layout: _Layout, i: int) -> list[str]:
    """The op node o{i}, its edge to v{i}, then one edge per operand in order."""
    info = layout.info
    node = info.nodes[i]
    attributes: dict[str, object] = {"id": f"o{i}", "label": op_text(node), "shape": "oval", "height": 0.3}
    if node.local_grads is None:
        attributes["tooltip"] = "derivatives not stored (closure op)"
    attributes.update(pass_style(layout.passes[i], layout.last_pass))
    if i in layout.culprits:
        attributes.update(color="red", fontcolor="red", penwidth=3, xlabel="local derivative wrong")
    if layout.highlighted[i]:
        attributes.update(color="#d45500", penwidth=3)
    statements = [f"o{i} " + attrs(**attributes), f"o{i} -> v{i} " + attrs(id=f"r{i}")]
    numbered = ordered(node.op)
    positions = [p for p, x in enumerate(node.inputs, 1) if isinstance(x, Value)]
    locals_: tuple[float | None, ...] = node.local_grads or (None,) * len(node.operands)
    for position, operand, local in zip(positions, node.operands, locals_):
        j = info.index[operand]
        statements.append(_operand_edge(layout, i, position, j, local, numbered))
    return statements


def _operand_edge(layout: _Layout, i: int, position: int, j: int, local: float | None, numbered: bool) -> str:
    """The edge from operand j (or the collapsed neuron standing for it) into op node o{i}."""
    node = layout.info.nodes[i]
    source = layout.drawn_as[j]
    parts = [f"#{position}"] if numbered else []
    if source != j:
        parts.append(clean_text(layout.info.names[j], 40))  # a parameter read from a collapsed neuron: say which
    if layout.options.edge_labels:
        if local is None:
            parts.append("derivatives not stored (closure op)")
        elif layout.computed:
            contribution = nonfinite.share(node, position - 1, local, node.grad)  # as backward() adds it
            parts.append(f"{layout.number(local)} × {layout.number(node.grad)}\n= {layout.number(contribution)}")
        else:
            parts.append(f"local {layout.number(local)}")
    edge: dict[str, object] = {"id": f"e{i}_{position}"}
    if parts:
        edge["label"] = " ".join(parts)
    if layout.highlighted[j] and layout.highlighted[i]:
        edge.update(color="#d45500", penwidth=2.5)
    return f"v{source} -> o{i} " + attrs(**edge)


def _collapsed_inputs(layout: _Layout, key: str) -> list[str]:
    """Edges into a collapsed neuron from what its members read from outside it."""
    info = layout.info
    out = layout.outputs[key]
    seen: list[int] = []
    for i, node in enumerate(info.nodes):
        if info.groups[i] != key or not node.operands:
            continue
        for operand in node.operands:
            j = info.index[operand]
            if info.groups[j] == key or (layout.hidden[j] and layout.drawn_as[j] == j):
                continue
            if layout.drawn_as[j] not in seen:
                seen.append(layout.drawn_as[j])
    edges = []
    for source in seen:
        edge: dict[str, object] = {"id": f"e{out}_v{source}"}
        if layout.highlighted[source] and layout.highlighted[out]:
            edge.update(color="#d45500", penwidth=2.5)
        edges.append(f"v{source} -> v{out} " + attrs(**edge))
    return edges


def _cluster(key: str, statements: list[str]) -> list[str]:
    """A neuron's box: a DOT subgraph titled "layer 1 / neuron 3" around its statements."""
    name = "cluster_" + re.sub(r"\W", "_", key)
    return [
        f"subgraph {name} {{",
        f"  label={quote(labels.neuron_title(key))} style=rounded color=\"#999999\" fontname=Helvetica",
        *("  " + s for s in statements),
        "}",
    ]


def _caption(layout: _Layout) -> list[str]:
    """The picture's label: "gradients not computed yet" (on top) and the legend, as the options ask."""
    info, options = layout.info, layout.options
    notes = []
    if info.grads_computed is False and options.show_grads:
        notes.append("gradients not computed yet: call backward() on the root to fill them in")
    if options.legend:
        notes.append(legend(layout))
    if not notes:
        return []
    where = "t" if len(notes) == 2 or options.legend is False else "b"
    colour = "firebrick" if notes[0].startswith("gradients not computed") else "#444444"
    return [f"label={quote(chr(10).join(notes), 1000)} labelloc={where} fontname=Helvetica fontsize=10 "
            f"fontcolor=\"{colour}\""]


def _dot_lines(info: Walk, options: DrawOptions) -> list[str]:
    """The DOT statements (one per line) for draw_dot/to_dot."""
    layout = _layout(info, options)
    groups, collapsed = info.groups, layout.collapsed
    lines = [
        f"rankdir={options.direction}",
        # ranks closer than Graphviz's 0.5 in (edge labels need the room): a chain of 7 values fits a laptop's
        # stepper, and the README's column, whole at >= 10 px text
        f"ranksep={0.5 if options.edge_labels else 0.3}",
        'node [fontname="Helvetica", fontsize=11]',
        'edge [fontname="Helvetica", fontsize=11, color="#555555"]',
    ]
    lines += _caption(layout)
    # Edges go after every node and outside the clusters: in DOT, mentioning a
    # node inside a subgraph makes it a member of that subgraph.
    keys = [neuron.key for neuron in info.network.neurons]
    cluster_lines: dict[str, list[str]] = {key: [] for key in keys if key not in collapsed}
    level_lines: dict[int, list[str]] = {}  # node statements by the pass that made them (views/backward_passes.py)
    edge_lines: list[str] = []
    for i, node in enumerate(info.nodes):
        if layout.hidden[i]:
            continue
        statements = [_value_statement(layout, i)]
        if node.operands and groups[i] not in collapsed:
            op_node, *edges = _op_statements(layout, i)
            statements.append(op_node)
            edge_lines.extend(edges)
        elif groups[i] in collapsed:
            edge_lines.extend(_collapsed_inputs(layout, groups[i]))  # type: ignore[arg-type]
        if options.clusters and groups[i] in cluster_lines:
            cluster_lines[groups[i]].extend(statements)  # type: ignore[index]
        else:
            level_lines.setdefault(layout.passes[i], []).extend(statements)
    for key, statements in cluster_lines.items():
        if statements:  # a neuron is made by the forward pass
            level_lines.setdefault(0, []).extend(_cluster(key, statements))
    lines.extend(pass_boxes(level_lines))
    lines.extend(_layer_order(layout))
    lines.extend(edge_lines)
    return lines


def _layer_order(layout: _Layout) -> list[str]:
    """The collapsed neurons of each layer on one rank, in index order (invisible edges chain them).

    Without this Graphviz orders a rank to shorten edges: layer 1 came out as 1, 4, 3, 2.
    """
    lines = []
    for layer in layout.info.network.layers:  # neurons in index order
        column = [f"v{layout.outputs[n.key]}" for n in layer.neurons if n.key in layout.outputs]
        if len(column) < 2:
            continue
        lines.append("subgraph { rank=same; " + "; ".join(column) + " }")
        lines.extend(f"{upper} -> {lower} [style=invis]" for upper, lower in zip(column, column[1:]))
    return lines


def draw_dot(
    root: Value,
    options: DrawOptions | None = None,
    *,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
    **overrides: Any,
) -> Picture:
    """The picture of root's scalar graph as a graphviz.Digraph (shows inline in Jupyter).

    Each value is a box (name, data, grad), each op an oval, each operand an
    edge; the Digraph runs Graphviz with a time limit (see Picture).  options:
    a DrawOptions (see there); any of its fields may also be passed as a
    keyword, e.g. draw_dot(root, edge_labels=True, precision=6).
    parameters/inputs override the label-based node kinds.
    """
    chosen = draw_options(options, **overrides)
    return draw_walked(walk(root, parameters=parameters, inputs=inputs), chosen)


def draw_walked(info: Walk, options: DrawOptions | None = None, **overrides: Any) -> Picture:
    """draw_dot for a graph already walked (so a caller that needs the Walk too walks only once)."""
    chosen = draw_options(options, **overrides)
    picture = Picture(name="backprop")
    picture.body.extend(f"\t{line}\n" for line in _dot_lines(info, chosen))
    picture.advice = scalar_advice(
        network=bool(info.network.neurons),
        collapsed=chosen.collapse is True,
        long_sum=any(node.op == "+" and any(x.op == "+" for x in node.operands) for node in info.nodes),
        edge_labels=chosen.edge_labels,
    )
    return picture


def to_dot(root: Value, options: DrawOptions | None = None, **overrides: Any) -> str:
    """The DOT text of draw_dot(root, options, **overrides); needs no Graphviz program."""
    return draw_dot(root, options, **overrides).source


def render(
    root: Value, path: str | Path, options: DrawOptions | None = None, *, timeout: float = DOT_TIMEOUT,
    **overrides: Any,
) -> Path:
    """Write the scalar picture to path: SVG, PNG or PDF chosen by its suffix (.dot writes DOT text).

    Graphviz is stopped after timeout seconds (GraphvizError, as for a crash of dot).
    """
    return write_picture(draw_dot(root, options, **overrides), path, timeout=timeout)


def neuron_keys(root: Value) -> list[str]:
    """The neurons found in root's graph in network order, e.g. ["L1.n1", "L1.n2", "L2.n1"], for collapse=..."""
    return [neuron.key for neuron in walk(root).network.neurons]
