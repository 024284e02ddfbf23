"""Pictures of a computation graph: DOT text, graphviz.Digraph objects, SVG/PNG/PDF files.

One walk of the graph (``walk``) collects everything the views need: the
nodes in topological order, a short name for each, what kind of node it is
(parameter, input, variable, constant or inner result) and, for networks, the
neuron it was built in.  ``to_dot`` turns that into DOT text without running
any Graphviz program; ``draw_dot`` wraps the same text in a graphviz.Digraph,
which shows inline in Jupyter; ``render`` writes a file.

Each value is a box with its label, data and grad; each operation is its own
small oval with a symbol, and an edge from each operand in operand order
(``a + a`` draws two edges).  Nothing here writes to the graph.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import graphviz

from micrograd_nn import rules
from micrograd_nn.engine import Value, topological_order

DEFAULT_MAX_NODES = 300
"""Pictures with more drawn nodes than this raise ValueError instead of hanging Graphviz."""

PARAMETER_LABEL = re.compile(r"^(?:L(?P<layer>\d+)\.)?n(?P<neuron>\d+)\.(?:w\d+|b)$")
"""Labels nn.py gives to parameters: L{layer}.n{neuron}.w{i} and L{layer}.n{neuron}.b."""

INPUT_LABEL = re.compile(r"^x\d+$")
"""Labels nn.py gives to inputs passed as plain numbers: x1, x2, ..."""

ACTIVATION_OPS = frozenset({"relu", "tanh", "sigmoid", "leaky_relu"})

OP_SYMBOLS = {name: op.symbol for name, op in rules.OPS.items()}
"""How each op is shown in an op node (rules.OPS holds the symbols)."""

COMMUTATIVE_OPS = frozenset({"+", "*"})
"""Infix ops drawn as "× 2" when a number stands beside them; the others as "2 − ·" or "· − 2"."""

ORDERED_OPS = frozenset({"-", "/", "**", "leaky_relu", "dot", "affine"})
"""Ops whose operand order changes the result: their edges are numbered."""

class AuditLike(Protocol):
    """What draw_dot needs from a gradient audit report (see micrograd_nn.audit)."""

    mismatched: list[Value]
    culprits: list[Value]


@dataclass(frozen=True)
class Walk:
    """Everything the views read from one graph, gathered in one pass.

    Node i is ``nodes[i]``; its id is i, its position in topological order.
    """

    root: Value
    nodes: list[Value]
    index: dict[Value, int]
    kinds: list[str]
    names: list[str]
    groups: list[str | None]
    grads_computed: bool

    def name_of(self, node: Value) -> str:
        """The display name of a node of this graph."""
        return self.names[self.index[node]]


def walk(
    root: Value,
    *,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
) -> Walk:
    """Collect the nodes of root's graph (operands before users) with kinds, names and neuron groups.

    Leaves are parameters (labels like ``L1.n2.w1``, or those in ``parameters``),
    inputs (labels ``x1, x2, ...``, or those in ``inputs``), constants (no label)
    or variables (any other label).  Gradients count as computed when the
    root's gradient is not 0 (see ``grads_computed``).
    """
    nodes = topological_order(root)
    index = {node: i for i, node in enumerate(nodes)}
    parameter_set = set(parameters) if parameters is not None else None
    input_set = set(inputs) if inputs is not None else None
    kinds = [_kind(node, parameter_set, input_set) for node in nodes]
    names = _names(nodes, kinds)
    groups = _neuron_groups(nodes, index, kinds)
    return Walk(root, nodes, index, kinds, names, groups, grads_computed(root))


def grads_computed(root: Value) -> bool:
    """Has backward() run from root?  True when root.grad != 0.

    backward() always seeds the root with dL/dL = 1 (unless the caller passes
    0), while leaves may still hold gradients from an earlier backward() on
    another graph, so only the root's gradient tells.
    """
    return root.grad != 0.0


def _kind(node: Value, parameter_set: set[Value] | None, input_set: set[Value] | None) -> str:
    """parameter / input / variable / constant for a leaf, inner for an operation result."""
    if node.operands:
        return "inner"
    if parameter_set is not None:
        if node in parameter_set:
            return "parameter"
    elif PARAMETER_LABEL.match(node.label):
        return "parameter"
    if input_set is not None:
        if node in input_set:
            return "input"
    elif INPUT_LABEL.match(node.label):
        return "input"
    return "variable" if node.label else "constant"


def _names(nodes: list[Value], kinds: list[str]) -> list[str]:
    """A short unique name per node: its label, else v{id} (inner) or c{id} (constant).

    An unlabelled root is called L when no node has that label; a label used
    by several nodes gets #{id} appended so every name is unique.
    """
    label_counts: dict[str, int] = {}
    for node in nodes:
        if node.label:
            label_counts[node.label] = label_counts.get(node.label, 0) + 1
    names = []
    for i, node in enumerate(nodes):
        if node.label:
            names.append(node.label if label_counts[node.label] == 1 else f"{node.label}#{i}")
        elif kinds[i] == "constant":
            names.append(f"c{i}")
        else:
            names.append(f"v{i}")
    if not nodes[-1].label and "L" not in label_counts:
        names[-1] = "L"
    return names


def _neuron_groups(nodes: list[Value], index: dict[Value, int], kinds: list[str]) -> list[str | None]:
    """For each node, the neuron it was built in (e.g. "L1.n3"), or None.

    nn.py labels parameters L{layer}.n{neuron}.w{i} / .b.  A node belongs to
    neuron N when it reads one of N's parameters together with a signal (an
    operand that is neither a parameter nor a constant: the products wi*xi,
    the bias sum b + w1*x1) or is N's dot/affine node; when it is a "+" whose
    operands all belong to N (the running weighted sum); or when it is an
    activation applied to N's sum.  Nodes that read only parameters and
    constants, such as the p*p terms of an L2 penalty, belong to no neuron.
    """
    groups: list[str | None] = [None] * len(nodes)
    for i, node in enumerate(nodes):
        if kinds[i] == "parameter":
            groups[i] = node.label.rsplit(".", 1)[0] if PARAMETER_LABEL.match(node.label) else None
            continue
        if not node.operands:
            continue
        operand_ids = [index[operand] for operand in node.operands]
        operand_groups = [groups[j] for j in operand_ids]
        owners = {groups[j] for j in operand_ids if kinds[j] == "parameter"}
        owners.discard(None)
        reads_signal = any(kinds[j] not in ("parameter", "constant") for j in operand_ids)
        if owners and (reads_signal or node.op in ("dot", "affine")):
            groups[i] = owners.pop() if len(owners) == 1 else None
        elif owners:
            continue  # parameters and constants only: a regulariser term, not part of the neuron
        elif node.op == "+" and operand_groups[0] is not None and len(set(operand_groups)) == 1:
            groups[i] = operand_groups[0]
        elif node.op in ACTIVATION_OPS and node.operands[0].op in ("+", "dot", "affine"):
            groups[i] = operand_groups[0]
    return groups


def neuron_outputs(info: Walk) -> dict[str, int]:
    """For each neuron key, the id of its output: the last inner member none of whose users is in the neuron."""
    used_inside = [False] * len(info.nodes)
    for i, node in enumerate(info.nodes):
        group = info.groups[i]
        if group is None:
            continue
        for operand in node.operands:
            j = info.index[operand]
            if info.groups[j] == group:
                used_inside[j] = True
    outputs: dict[str, int] = {}
    for i, group in enumerate(info.groups):
        if group is not None and info.kinds[i] == "inner" and not used_inside[i]:
            outputs[group] = i  # topological order: the last such member wins
    return outputs


def group_title(key: str) -> str:
    """"L1.n3" -> "layer 1 / neuron 3"; "n2" -> "neuron 2"."""
    match = re.match(r"^(?:L(\d+)\.)?n(\d+)$", key)
    if match is None:
        return key
    layer, neuron = match.groups()
    return f"layer {layer} / neuron {neuron}" if layer else f"neuron {neuron}"


def format_number(x: float) -> str:
    """x with 4 decimals, or in scientific notation when it is very large or very small."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0.0 or 1e-4 <= abs(x) < 1e6:
        return f"{x:.4f}"
    return f"{x:.4e}"


def _quote(text: str) -> str:
    """A DOT double-quoted string; newlines become DOT's centred line breaks."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(**attributes: object) -> str:
    """[key="value", ...] for a DOT statement."""
    return "[" + ", ".join(f"{key}={_quote(str(value))}" for key, value in attributes.items()) + "]"


def _grad_colour(grad: float, largest: float) -> str:
    """Fill colour: blue for a positive gradient, red for a negative one, stronger when larger."""
    if grad == 0.0 or largest == 0.0 or math.isnan(grad):
        return "#ffffff"
    strength = min(1.0, math.sqrt(abs(grad) / largest))
    hue = 0.6 if grad > 0 else 0.0
    return f"{hue:.3f} {0.08 + 0.55 * strength:.3f} 1.000"


def on_path(info: Walk, start: Value) -> list[bool]:
    """For each node: does it lie on a path from start up to the root (start and root included)?"""
    if start not in info.index:
        raise ValueError(f"path_from: {start!r} is not part of this graph")
    marked = [False] * len(info.nodes)
    marked[info.index[start]] = True
    for i, node in enumerate(info.nodes):
        if not marked[i] and any(marked[info.index[operand]] for operand in node.operands):
            marked[i] = True
    return marked


@dataclass(frozen=True)
class _Layout:
    """What the DOT statements need besides the walk: the options and, per node, how it is drawn."""

    info: Walk
    computed: bool  # gradients are shown (backward has run and show_grads)
    show_grads: bool
    edge_labels: bool
    color_by_grad: bool
    compact: bool
    collapsed: set[str]  # neuron keys drawn as one node
    outputs: dict[str, int]  # collapsed neuron -> the id of its output, which stands for it
    hidden: list[bool]  # not drawn: a collapsed neuron's other members, or a constant in compact mode
    drawn_as: list[int]  # the id of the node drawn in each node's place
    highlighted: list[bool]
    mismatched: set[int]
    culprits: set[int]
    largest: float  # the largest |grad|, for the colours


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


def _layout(
    info: Walk,
    *,
    edge_labels: bool,
    color_by_grad: bool,
    path_from: Value | None,
    compact: bool,
    collapse: bool | str | Iterable[str],
    show_grads: bool,
    audit: AuditLike | None,
    max_nodes: int,
) -> _Layout:
    """Decide what is drawn, and how; ValueError when the picture would exceed max_nodes."""
    nodes, index, kinds, groups = info.nodes, info.index, info.kinds, info.groups
    collapsed = _collapsed_keys(sorted({g for g in groups if g is not None}), collapse)
    # A collapsed neuron is drawn as its output node; every other member is hidden.
    outputs = {key: i for key, i in neuron_outputs(info).items() if key in collapsed}
    collapsed &= set(outputs)  # a "neuron" of parameters only has no output to draw
    hidden = [
        (groups[i] in collapsed and outputs.get(groups[i]) != i) or (compact and kinds[i] == "constant")
        for i in range(len(nodes))
    ]
    drawn_as = [outputs[groups[i]] if groups[i] in collapsed else i for i in range(len(nodes))]  # type: ignore[index]

    drawn_values = sum(not h for h in hidden)
    collapsed_outputs = set(outputs.values())
    drawn_ops = sum(
        1 for i, node in enumerate(nodes) if node.operands and not hidden[i] and i not in collapsed_outputs
    )
    total = drawn_values + drawn_ops
    if total > max_nodes:
        raise ValueError(
            f"this picture would have {total} nodes, more than max_nodes={max_nodes}. "
            f"Pass max_nodes={total} (or more) to draw it anyway, collapse=True to draw one node per "
            "neuron, or compact=True to hide constants; a model built with fused=True also has fewer nodes."
        )
    return _Layout(
        info=info,
        computed=info.grads_computed and show_grads,
        show_grads=show_grads,
        edge_labels=edge_labels,
        color_by_grad=color_by_grad,
        compact=compact,
        collapsed=collapsed,
        outputs=outputs,
        hidden=hidden,
        drawn_as=drawn_as,
        highlighted=on_path(info, path_from) if path_from is not None else [False] * len(nodes),
        mismatched={index[n] for n in audit.mismatched if n in index} if audit is not None else set(),
        culprits={index[n] for n in audit.culprits if n in index} if audit is not None else set(),
        largest=max((abs(n.grad) for n in nodes if not math.isnan(n.grad)), default=0.0),
    )


def _value_statement(layout: _Layout, i: int) -> str:
    """The DOT statement of value node v{i}: a box with its name, data and grad."""
    info = layout.info
    node, kind, group = info.nodes[i], info.kinds[i], info.groups[i]
    if kind == "constant":
        return f"v{i} " + _attrs(
            id=f"v{i}", label=f"{node.data:g}", shape="box", style="dotted",
            fontcolor="#777777", fontsize=9, height=0.25,
        )
    if group in layout.collapsed:
        title = f"{group_title(group)}\noutput ({node.op})"  # type: ignore[arg-type]
    elif kind in ("parameter", "input"):
        title = f"{info.names[i]} · {kind}"
    else:
        title = info.names[i]
    if not layout.computed:
        grad_line = "grad ?" if not layout.show_grads else "grad (not computed)"
    else:
        grad_line = f"grad {format_number(node.grad)}"
    label = f"{title}\ndata {format_number(node.data)}\n{grad_line}"
    attributes: dict[str, object] = {"id": f"v{i}", "label": label, "shape": "box", "style": "rounded,filled"}
    colour = layout.computed and layout.color_by_grad
    attributes["fillcolor"] = _grad_colour(node.grad, layout.largest) if colour else "#ffffff"
    if kind == "parameter":
        attributes["peripheries"] = 2
    elif kind == "input":
        attributes["style"] = "rounded,filled,dashed"
    elif kind == "variable":
        attributes["penwidth"] = 2
    if group in layout.collapsed:
        attributes["shape"] = "box3d"
        attributes["style"] = "filled"
    if i in layout.mismatched:
        attributes["color"] = "darkorange"
        attributes["penwidth"] = 3
        attributes["xlabel"] = "grad disagrees"
    if layout.highlighted[i]:
        attributes["color"] = "#d45500"
        attributes["penwidth"] = 3
    return f"v{i} " + _attrs(**attributes)


def op_text(node: Value) -> str:
    """The op as drawn, with any plain number inside it in its place: "×", "× 2", "2 − ·", "· ** 2"."""
    symbol = OP_SYMBOLS.get(node.op, node.op)
    inputs = node.inputs
    if all(isinstance(x, Value) for x in inputs):
        return symbol
    shown = ["·" if isinstance(x, Value) else f"{x:g}" for x in inputs]
    if node.op in COMMUTATIVE_OPS:
        return f"{symbol} {' '.join(n for n in shown if n != '·')}"
    if len(inputs) == 2 and node.op in OP_SYMBOLS and rules.OPS[node.op].arity == 2 and node.op != "leaky_relu":
        return f"{shown[0]} {symbol} {shown[1]}"
    return f"{symbol}({', '.join(shown)})"


def _op_statements(layout: _Layout, i: int) -> list[str]:
    """The op node o{i}, its edge to v{i}, then one edge per operand in order."""
    info = layout.info
    node = info.nodes[i]
    symbol = op_text(node)
    attributes: dict[str, object] = {"id": f"o{i}", "label": symbol, "shape": "oval", "height": 0.3}
    if i in layout.culprits:
        attributes.update(color="red", fontcolor="red", penwidth=3, xlabel="local derivative wrong")
    if layout.highlighted[i]:
        attributes.update(color="#d45500", penwidth=3)
    statements = [f"o{i} " + _attrs(**attributes), f"o{i} -> v{i} " + _attrs(id=f"r{i}")]
    numbered = node.op in ORDERED_OPS
    positions = [p for p, x in enumerate(node.inputs, 1) if isinstance(x, Value)]
    for position, operand, local in zip(positions, node.operands, node.local_grads or ()):
        j = info.index[operand]
        statements.append(_operand_edge(layout, i, position, j, local, numbered))
    return statements


def _operand_edge(layout: _Layout, i: int, position: int, j: int, local: float, numbered: bool) -> str:
    """The edge from operand j (or the collapsed neuron standing for it) into op node o{i}."""
    node = layout.info.nodes[i]
    source = layout.drawn_as[j]
    parts = [f"#{position}"] if numbered else []
    if source != j:
        parts.append(layout.info.names[j])  # a parameter read from a collapsed neuron: say which one
    if layout.edge_labels:
        if layout.computed:
            contribution = local * node.grad
            parts.append(f"{format_number(local)} × {format_number(node.grad)}\n= {format_number(contribution)}")
        else:
            parts.append(f"local {format_number(local)}")
    edge: dict[str, object] = {"id": f"e{i}_{position}"}
    if parts:
        edge["label"] = " ".join(parts)
    if layout.highlighted[j] and layout.highlighted[i]:
        edge.update(color="#d45500", penwidth=2.5)
    return f"v{source} -> o{i} " + _attrs(**edge)


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
        edges.append(f"v{source} -> v{out} " + _attrs(**edge))
    return edges


def _cluster(key: str, statements: list[str]) -> list[str]:
    """A neuron's box: a DOT subgraph titled "layer 1 / neuron 3" around its statements."""
    name = "cluster_" + re.sub(r"\W", "_", key)
    return [
        f"subgraph {name} {{",
        f"  label={_quote(group_title(key))} style=rounded color=\"#999999\" fontname=Helvetica",
        *("  " + s for s in statements),
        "}",
    ]


def _dot_lines(
    info: Walk,
    *,
    direction: str = "LR",
    edge_labels: bool = False,
    color_by_grad: bool = True,
    path_from: Value | None = None,
    compact: bool = False,
    clusters: bool = True,
    collapse: bool | str | Iterable[str] = False,
    show_grads: bool = True,
    audit: AuditLike | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> list[str]:
    """The DOT statements (one per line) for draw_dot/to_dot."""
    if direction not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"direction must be 'LR' or 'TB' (or 'RL', 'BT'), got {direction!r}")
    layout = _layout(
        info, edge_labels=edge_labels, color_by_grad=color_by_grad, path_from=path_from, compact=compact,
        collapse=collapse, show_grads=show_grads, audit=audit, max_nodes=max_nodes,
    )
    groups, collapsed = info.groups, layout.collapsed
    lines = [
        f"rankdir={direction}",
        'node [fontname="Helvetica", fontsize=11]',
        'edge [fontname="Helvetica", fontsize=9, color="#555555"]',
    ]
    if info.grads_computed is False and show_grads:
        lines.append(
            "label="
            + _quote("gradients not computed yet: call backward() on the root to fill them in")
            + " labelloc=t fontname=Helvetica fontcolor=firebrick"
        )
    # Edges go after every node and outside the clusters: in DOT, mentioning a
    # node inside a subgraph makes it a member of that subgraph.
    all_groups = sorted({g for g in groups if g is not None})
    cluster_lines: dict[str, list[str]] = {g: [] for g in all_groups if g not in collapsed}
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
        if clusters and groups[i] in cluster_lines:
            cluster_lines[groups[i]].extend(statements)  # type: ignore[index]
        else:
            lines.extend(statements)
    for key, statements in cluster_lines.items():
        if statements:
            lines.extend(_cluster(key, statements))
    lines.extend(edge_lines)
    return lines


def draw_dot(
    root: Value,
    *,
    direction: str = "LR",
    edge_labels: bool = False,
    color_by_grad: bool = True,
    path_from: Value | None = None,
    compact: bool = False,
    clusters: bool = True,
    collapse: bool | str | Iterable[str] = False,
    show_grads: bool = True,
    audit: AuditLike | None = None,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> graphviz.Digraph:
    """The picture of root's graph as a graphviz.Digraph (shows inline in Jupyter).

    direction: "LR" or "TB".  edge_labels: write "local × upstream = contribution"
    on each operand edge.  color_by_grad: fill boxes blue (grad > 0) or red
    (grad < 0), stronger for larger |grad|.  path_from: highlight the paths
    from this node up to the root.  compact: hide constant leaves (their value
    is written in the op node).  clusters: box each neuron's nodes, titled
    "layer 1 / neuron 3".  collapse: True, or neuron keys such as {"L1.n2"} (or one key "L1.n2"),
    to draw those neurons as one node each.  show_grads=False hides gradients.
    audit: a report from micrograd_nn.audit.audit_gradients, whose findings are
    marked.  parameters/inputs override the label-based kinds.  A picture with
    more than max_nodes nodes raises ValueError.
    """
    return draw_walked(
        walk(root, parameters=parameters, inputs=inputs),
        direction=direction,
        edge_labels=edge_labels,
        color_by_grad=color_by_grad,
        path_from=path_from,
        compact=compact,
        clusters=clusters,
        collapse=collapse,
        show_grads=show_grads,
        audit=audit,
        max_nodes=max_nodes,
    )


def draw_walked(info: Walk, **options: Any) -> graphviz.Digraph:
    """draw_dot for a graph already walked (so a caller that needs the Walk too walks only once)."""
    picture = graphviz.Digraph(name="backprop")
    picture.body.extend(f"\t{line}\n" for line in _dot_lines(info, **options))
    return picture


def to_dot(root: Value, **options: object) -> str:
    """The DOT text of draw_dot(root, **options); needs no Graphviz program."""
    return draw_dot(root, **options).source  # type: ignore[arg-type]


RENDER_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def render(root: Value, path: str | Path, **options: object) -> Path:
    """Write the picture to path: SVG, PNG or PDF chosen by its suffix (.dot writes DOT text)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".dot":
        target.write_text(to_dot(root, **options), encoding="utf-8")
        return target
    if suffix not in RENDER_FORMATS:
        raise ValueError(f"render: cannot tell the format from {str(path)!r}; use .svg, .png, .pdf or .dot")
    image = pipe(draw_dot(root, **options), RENDER_FORMATS[suffix])  # type: ignore[arg-type]
    target.write_bytes(image)
    return target


def pipe(picture: graphviz.Digraph, fmt: str) -> bytes:
    """Run Graphviz's dot on picture and return the image bytes; a clear error when dot is missing."""
    try:
        return picture.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(
            "the Graphviz program 'dot' is not installed; install it (Debian: sudo apt-get install "
            "graphviz) or use to_dot() for the DOT text"
        ) from None


def neuron_keys(root: Value) -> list[str]:
    """The neurons found in root's graph, e.g. ["L1.n1", "L1.n2", "L2.n1"], for collapse=..."""
    return sorted({g for g in walk(root).groups if g is not None})
