"""Old path of the pictures: the scalar picture (views.scalar_picture) and the network view (views.network_picture)."""

from micrograd_nn.labels import neuron_title as group_title
from micrograd_nn.views.dot_text import DOT_TIMEOUT, GraphvizError, PictureError, op_text
from micrograd_nn.views.format import format_number
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
from micrograd_nn.views.walk import Walk, grads_computed, on_path, walk

__all__ = [
    "DEFAULT_MAX_NODES", "DOT_TIMEOUT", "DrawOptions", "GraphvizError", "Picture", "PictureError",
    "PictureTooLargeError", "Walk", "draw_dot", "draw_network", "draw_walked", "format_number", "grads_computed",
    "group_title", "network_dot", "neuron_keys", "on_path", "op_text", "pipe", "render", "render_network", "to_dot",
    "walk", "write_picture",
]
