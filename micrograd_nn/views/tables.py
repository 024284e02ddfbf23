"""A table of every node of a graph: id, name, kind, op, inputs, data, grad and local derivatives.

``node_table`` gives the rows as data; ``format_table`` as aligned plain text;
``table_html`` as an HTML table for a notebook.
"""

from __future__ import annotations

import html
from typing import Any

from micrograd_nn.analysis.walk import grads_computed, walk
from micrograd_nn.engine import Value
from micrograd_nn.format import DEFAULT_PRECISION, check_precision, constant_text, format_number


def node_table(root: Value) -> list[dict[str, Any]]:
    """One record per node in topological order: id, name, label, kind, op, inputs, operands, data, grad, local_grads.

    ``inputs`` holds the op's inputs in order as text (a name, or a plain
    number stored in the op: "2" in 2 - x); ``operands`` holds the ids of the
    inputs that are nodes (a node used twice appears twice); ``local_grads``
    holds d(node)/d(operand) for each operand (None for a micrograd-style
    closure op, which stores none).
    """
    info = walk(root)
    return [
        {
            "id": i,
            "name": info.names[i],
            "label": node.label,
            "kind": info.kinds[i],
            "op": node.op,
            "operands": [info.index[operand] for operand in node.operands],
            "operand_names": [info.name_of(operand) for operand in node.operands],
            "inputs": [info.name_of(x) if isinstance(x, Value) else constant_text(x) for x in node.inputs],
            "data": node.data,
            "grad": node.grad,
            "local_grads": None if node.local_grads is None else list(node.local_grads),
        }
        for i, node in enumerate(info.nodes)
    ]


def format_table(root: Value, *, precision: int = DEFAULT_PRECISION) -> str:
    """node_table(root) as aligned plain text, one line per node; numbers with `precision` decimals."""
    check_precision(precision)
    rows = node_table(root)
    header = ["id", "name", "kind", "op", "inputs", "data", "grad", "local derivatives"]
    cells = [
        [
            str(row["id"]),
            row["name"],
            row["kind"],
            row["op"] or "(leaf)",
            ", ".join(row["inputs"]) or "-",
            format_number(row["data"], precision),
            format_number(row["grad"], precision),
            _locals_text(row["local_grads"], precision) or "-",
        ]
        for row in rows
    ]
    widths = [max(len(line[k]) for line in [header, *cells]) for k in range(len(header))]
    numeric = {0, 5, 6}

    def line(values: list[str]) -> str:
        padded = [v.rjust(w) if k in numeric else v.ljust(w) for k, (v, w) in enumerate(zip(values, widths))]
        return "  ".join(padded).rstrip()

    text = [line(header), line(["-" * w for w in widths])]
    text += [line(values) for values in cells]
    if not grads_computed(root):
        text.append("(gradients not computed yet: call backward() on the root)")
    return "\n".join(text)


def _locals_text(local_grads: list[float] | None, precision: int) -> str:
    """The local derivatives of a table row, or why there are none to show."""
    if local_grads is None:
        return "not stored (closure op)"
    return ", ".join(format_number(g, precision) for g in local_grads)


def table_html(root: Value, *, precision: int = DEFAULT_PRECISION) -> str:
    """node_table(root) as an HTML table, for IPython.display.HTML in a notebook."""
    check_precision(precision)
    rows = node_table(root)
    header = "".join(
        f"<th>{h}</th>" for h in ("id", "name", "kind", "op", "inputs", "data", "grad", "local derivatives")
    )
    body = []
    for row in rows:
        cells = [
            str(row["id"]),
            html.escape(row["name"]),
            row["kind"],
            html.escape(row["op"]),
            html.escape(", ".join(row["inputs"])),
            format_number(row["data"], precision),
            format_number(row["grad"], precision),
            _locals_text(row["local_grads"], precision),
        ]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
