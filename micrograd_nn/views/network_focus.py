"""focus="L1.n3": one neuron of the network view expanded into its scalar operations, in a box of its own."""

from __future__ import annotations

import re

from micrograd_nn.views import dot_text
from micrograd_nn.views.network_layout import MAX_DRAWN_INPUTS, PictureStyle


def focus_cluster(style: PictureStyle, key: str, neuron_node: str) -> list[str]:
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
        edges += _edges_into(style, i, member_set, output_of)
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


def _edges_into(style: PictureStyle, i: int, members: set[int], output_of: dict[int, str]) -> list[str]:
    """The edges into op i of the focused neuron, each with its local derivative: from a node in the box, a
    neuron, or an input (an operand drawn nowhere in the picture has none)."""
    info, net = style.info, style.net
    node = info.nodes[i]
    edges = []
    for position, (operand, local) in enumerate(zip(node.operands, node.local_grads or [None] * len(node.operands)), 1):
        j = info.index[operand]
        if j in members:
            source = f"v{j}"
        elif j in output_of:
            source = output_of[j]
        elif j in net.input_of:
            source = net.input_of[j] if len(net.inputs) <= MAX_DRAWN_INPUTS else "inputs"
        else:
            continue  # read from outside the network picture
        names = f"d{dot_text.clean_text(info.names[i], 40)}/d{dot_text.clean_text(info.names[j], 40)}"
        tooltip = "derivatives not stored (closure op)" if local is None else f"local {names} = {style.number(local)}"
        edges.append(f"{dot_text.quote(source)} -> o{i} "
                     + dot_text.attrs(id=f"e{i}_{position}", color="#555555", tooltip=tooltip))
    return edges
