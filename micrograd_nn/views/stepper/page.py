"""The stepper page: the HTML around the picture and the states' JSON; write_html, Stepper and show."""

from __future__ import annotations

import html
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from micrograd_nn import errors
from micrograd_nn.analysis.replay import replay
from micrograd_nn.analysis.walk import Walk, walk
from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.engine import Value
from micrograd_nn.gradient_graph import sum_of_passes
from micrograd_nn.inline import bundled, inline_script, page_data
from micrograd_nn.views.backward_passes import derivatives_made, marked
from micrograd_nn.views.dot_text import Advice, run_dot
from micrograd_nn.views.stepper.naive import naive_states
from micrograd_nn.views.stepper.page_state import displayable
from micrograd_nn.views.stepper.picture import layer_picture, node_legend, on_picture, scalar_source
from micrograd_nn.views.stepper.states import MODES, walked_states

FORWARD_VS_REVERSE = "forward-vs-reverse"
"""The page's mode that steps forward mode beside reverse mode (besides the stepper's MODES)."""

ORDERS = ("topological", "naive")
"""The stepper's walks: backward()'s (each node once, after its users) or the naive recursion from the output."""


VIEWS = "micrograd_nn.views"
"""The package whose static/ folder holds the stepper's files."""


def stepper_html(
    root: Value,
    *,
    title: str | None = None,
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
    (micrograd_nn.analysis.naive_walk: each node passes its gradient on as soon as
    it is reached), the wrong step and the wrong result marked in red.
    mode="forward-vs-reverse": forward mode beside reverse mode (micrograd_nn.views.forward_reverse).
    A gradient's graph (x.grad_value after backward(create_graph=True)) steps the same way: its backward pass
    gives second derivatives (third for a gradient of a gradient: the title says which); each node is marked by
    the pass that made it (views/backward_passes.py), and the page's data lists it: passes[i] is 0 for node v{i}
    of the forward pass, k if the k-th backward made it.
    """
    if mode == FORWARD_VS_REVERSE:  # a page of its own on this page's frame: views/forward_reverse.py
        from micrograd_nn.views.forward_reverse import page_parts

        title, svg, payload, notes, walk_help = page_parts(root, title=title, forward=forward, order=order, **options)
        return _page(title, mode, svg, page_data(payload), inline_script(VIEWS, "svg-pan-zoom.min.js"), notes,
                     walk_help)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {(*MODES, FORWARD_VS_REVERSE)}, got {mode!r}")
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    if order == "naive" and mode != "nodes":
        raise ValueError("order='naive' walks node by node: use it with mode='nodes'")
    if mode == "nodes" and options.get("collapse"):
        raise ValueError("the stepper visits every node, so it cannot draw collapsed neurons; draw without collapse "
                         "or use mode='layers'")
    info = displayable(walk(root, parameters=options.pop("parameters", None), inputs=options.pop("inputs", None)))
    if not title and marked(info.passes):  # a gradient's graph: its backward gives second (or higher) derivatives
        summed = sum_of_passes(root) is not None  # x.grad after two passes: dy/dx + d(dy/dx)/dx
        title = f"Backprop through a gradient's graph: {derivatives_made(info.passes, summed)}"
    title = title or "Backprop, step by step"
    svg, payload, legend = _picture_and_states(info, mode, forward, order, options)
    data = page_data(payload)
    pan_zoom = inline_script(VIEWS, "svg-pan-zoom.min.js")
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
    states = walked_states(info, mode=mode, forward=forward)
    if order == "naive":  # keep the forward steps and the start, then the naive walk instead of backward()'s
        start = next(k for k, state in enumerate(states) if state.phase == "backward")
        states = states[: start + 1] + naive_states(info)
    hidden = [f"v{i}" for i, operands in enumerate(info.operands) if operands] if forward else []
    if mode == "layers":
        network = layer_picture(info, **options)
        states = [on_picture(state, network) for state in states]
        waiting = {network.node_of[v] for v in hidden if v in network.node_of}
        hidden = [node for node in network.texts if node in waiting]
        source, value_ids, texts, legend = network.dot, list(network.texts), network.texts, network.legend
        advice = Advice("draw a smaller network, or its network view as DOT text (network_dot(root))",
                        "draw a smaller network, or write the network view's DOT text (--network --dot)")
    else:
        source, advice = scalar_source(info, options)
        value_ids, texts = [f"v{i}" for i in range(len(info.nodes))], {}
        legend = node_legend(info, replay(info)[1], naive=order == "naive")
    svg = run_dot(source, "svg", advice=advice).decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: the SVG sits inside HTML
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg)  # the page sizes it; zoom and pan move it
    payload = {"states": [asdict(state) for state in states], "valueIds": value_ids, "hiddenData": hidden,
               "texts": texts, "passes": info.passes}
    return svg, payload, legend


WALK_HELP = ("The highlighted node passes its gradient to its operands; each gradient appears when the walk reaches "
             "it (? = not reached yet).")
"""The page's words on what a step does."""


def _page(title: str, mode: str, svg: str, data: str, pan_zoom: str, notes: str, walk_help: str = WALK_HELP) -> str:
    """The HTML page around the picture, the states' JSON and the bundled scripts."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{bundled(VIEWS, "stepper.css")}</style>
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
{html.escape(walk_help)}</p>
</div>
</main>
<script type="application/json" id="stepper-data">{data}</script>
<script>{pan_zoom}</script>
<script>{inline_script(VIEWS, "stepper.js")}</script>
</body>
</html>
"""


def write_html(root: Value, path: str | Path, **options: Any) -> Path:
    """Write the self-contained HTML stepper for root's backward pass to path; returns the path.

    options: those of stepper_html (title, mode="nodes"|"layers"|"forward-vs-reverse", forward, order, and
    draw_dot's).
    The page is written atomically (a full disk never leaves half a page); errors name write_html and the file.
    """
    check_target(path, "write_html")  # a bad path is said before the page is built
    return write_atomically(path, stepper_html(root, **options), "write_html")


class Stepper:
    """The stepper page for one graph; a notebook cell showing it displays the page inline (an iframe).

    ``Stepper(root, mode="layers", forward=True)``; ``.html`` is the page, ``.save(path)`` writes it.
    """

    def __init__(self, root: Value, *, height: int = 640, **options: Any) -> None:
        """Build the page now (options as stepper_html); height is the notebook frame's, in pixels."""
        self.height = errors.whole_number(height, "Stepper: height", 200, unit="pixels")
        self.html = stepper_html(root, **options)

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
