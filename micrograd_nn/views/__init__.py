"""Views: they read a graph (one walk, one network model) and draw, tabulate or explain it; they never change it.

The front door, ``from micrograd_nn.views import draw, write_html``, loads a
view's module when its name is first used (graphviz only with a picture).
``draw`` is ``draw_dot``: the scalar picture of a graph.  The modules:
scalar_picture, network_picture (pictures), tables, explain (the chain rule in
words and numbers: ``micrograd_nn.views.explain.explain``), stepper (the HTML page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from micrograd_nn.views.network_picture import draw_network, network_dot, render_network
    from micrograd_nn.views.scalar_picture import DrawOptions, draw_dot, render, to_dot
    from micrograd_nn.views.scalar_picture import draw_dot as draw
    from micrograd_nn.views.stepper import Stepper, show, stepper_html, write_html
    from micrograd_nn.views.tables import format_table, node_table, table_html

_LAZY = {
    "draw": ("micrograd_nn.views.scalar_picture", "draw_dot"),
    "draw_dot": ("micrograd_nn.views.scalar_picture", "draw_dot"),
    "to_dot": ("micrograd_nn.views.scalar_picture", "to_dot"),
    "render": ("micrograd_nn.views.scalar_picture", "render"),
    "DrawOptions": ("micrograd_nn.views.scalar_picture", "DrawOptions"),
    "draw_network": ("micrograd_nn.views.network_picture", "draw_network"),
    "network_dot": ("micrograd_nn.views.network_picture", "network_dot"),
    "render_network": ("micrograd_nn.views.network_picture", "render_network"),
    "node_table": ("micrograd_nn.views.tables", "node_table"),
    "format_table": ("micrograd_nn.views.tables", "format_table"),
    "table_html": ("micrograd_nn.views.tables", "table_html"),
    "write_html": ("micrograd_nn.views.stepper", "write_html"),
    "stepper_html": ("micrograd_nn.views.stepper", "stepper_html"),
    "Stepper": ("micrograd_nn.views.stepper", "Stepper"),
    "show": ("micrograd_nn.views.stepper", "show"),
}
"""Front-door name -> (its defining module, its name there)."""


def __getattr__(name: str) -> Any:
    """Load a view's module when one of its names is first used."""
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'micrograd_nn.views' has no attribute {name!r}")


__all__ = [
    "draw", "draw_dot", "to_dot", "render", "DrawOptions", "draw_network", "network_dot", "render_network",
    "node_table", "format_table", "table_html", "write_html", "stepper_html", "Stepper", "show",
]
