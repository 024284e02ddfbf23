"""The HTML stepper: one self-contained page that walks the backward pass (and, optionally, the forward pass).

The page holds the graph picture (SVG drawn by Graphviz, inlined), the states
to step through as JSON, svg-pan-zoom (bundled in ``micrograd_nn/views/static``,
BSD-2) and a little JavaScript of our own.  Previous, Next and Play (and the
arrow keys) move through the states; zoom in, zoom out, fit, the mouse wheel
and dragging move the picture, and every step brings the current node into
view with text large enough to read.  Each backward step shows the op's rule
from ``rules.OPS`` as a formula and in numbers, then the chain rule for each
operand; gradients fill in, coloured blue (positive) or red (negative), as the
walk reaches them.  Nothing is loaded from the network when the page is viewed.

Two modes:
- ``mode="nodes"``: one step per operation node, output first.
- ``mode="layers"`` (a network built by ``micrograd_nn.nn``, one sample): the
  loss's own nodes, then for each layer from the last one step with the
  matrix form δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ f′(z(l)) and its numbers, followed by
  one step per neuron; the picture is the network view (network_picture.py,
  compact): one column per layer, each neuron one node whose z, a and dL/dz
  appear as the walk reaches them.
``forward=True`` first steps through the forward pass, the values filling in
node by node (or layer by layer).

``write_html(root, path)`` writes the page (``practice=True``: the practice
page of views/practice_page.py, where the learner types each gradient before
the step reveals it); ``Stepper(root)`` (or ``show(root)``) displays it inline
in a Jupyter notebook.

The package: page_state.py (one position of the page, PageState), nodes.py,
layers.py and naive.py (the states of each mode and order), states.py
(stepper_states: the states per mode), picture.py (the picture each mode draws,
and its legend), page.py (the HTML page, write_html, Stepper, show).
"""

from pathlib import Path
from typing import Any

from micrograd_nn.engine import Value
from micrograd_nn.views.stepper import page
from micrograd_nn.views.stepper.page import ORDERS, Stepper, show, stepper_html
from micrograd_nn.views.stepper.page_state import NAME_LIMIT, PageState
from micrograd_nn.views.stepper.picture import NETWORK_OPTIONS
from micrograd_nn.views.stepper.states import MODES, stepper_states

__all__ = [
    "MODES", "NAME_LIMIT", "NETWORK_OPTIONS", "ORDERS", "PageState", "Stepper", "show", "stepper_html",
    "stepper_states", "write_html",
]


def write_html(root: Value, path: str | Path, *, practice: bool = False, **options: Any) -> Path:
    """Write the self-contained HTML stepper for root's backward pass to path; returns the path.

    options: those of stepper_html (title, mode="nodes"|"layers", forward, order, and draw_dot's).
    practice=True: the practice page (micrograd_nn.views.practice_page, options as its practice_html):
    at each step the learner types the gradient before the step is revealed.
    The page is written atomically; errors name write_html and the file.
    """
    if practice:  # imported here: the practice page builds on this package's page module
        from micrograd_nn.views.practice_page import write_practice

        return write_practice(root, path, **options)
    return page.write_html(root, path, **options)
