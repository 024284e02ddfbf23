"""Old path of the pictures: the scalar picture (views.scalar_picture) and the network view (views.network_picture)."""

from micrograd_nn.views.dot_text import DOT_TIMEOUT, GraphvizError, PictureError, op_text
from micrograd_nn.views.network_picture import draw_network, network_dot, render_network
from micrograd_nn.views.picture import Picture, pipe, write_picture
from micrograd_nn.views.scalar_picture import (
    DEFAULT_MAX_NODES,
    DrawOptions,
    PictureTooLargeError,
    draw_dot,
    draw_walked,
    neuron_keys,
    render,
    to_dot,
)

__all__ = [
    "DEFAULT_MAX_NODES", "DOT_TIMEOUT", "DrawOptions", "GraphvizError", "Picture", "PictureError",
    "PictureTooLargeError", "draw_dot", "draw_network", "draw_walked", "network_dot", "neuron_keys", "op_text",
    "pipe", "render", "render_network", "to_dot", "write_picture",
]
