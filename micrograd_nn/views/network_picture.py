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

Here: network_dot, draw_network, render_network.  The layout (columns, weight
edges) is network_layout.py's, the DOT statements network_statements.py's,
the focused neuron's box network_focus.py's.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from micrograd_nn import _old_paths
from micrograd_nn.analysis.walk import walk
from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.engine import Value
from micrograd_nn.format import DEFAULT_PRECISION
from micrograd_nn.views import dot_text
from micrograd_nn.views.network_statements import network_lines

if TYPE_CHECKING:
    import graphviz

    from micrograd_nn.nn import Module


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


def __getattr__(name: str) -> Any:
    """A name that moved out of this module (the old-paths table says where): handed over with a warning."""
    return _old_paths.old_name(sys.modules[__name__], name)
