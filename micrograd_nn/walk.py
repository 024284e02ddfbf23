"""Old path of micrograd_nn.views.walk, with the names it used to hold (numbers and titles now live elsewhere)."""

from micrograd_nn.labels import neuron_sort_key
from micrograd_nn.labels import neuron_title as group_title
from micrograd_nn.views.format import DEFAULT_PRECISION, check_precision, format_number
from micrograd_nn.views.network import ACTIVATION_OPS, SUM_OPS
from micrograd_nn.views.walk import Walk, grads_computed, neuron_keys, neuron_outputs, neuron_z, on_path, walk

__all__ = [
    "ACTIVATION_OPS", "DEFAULT_PRECISION", "SUM_OPS", "Walk", "check_precision", "format_number", "grads_computed",
    "group_title", "neuron_keys", "neuron_outputs", "neuron_sort_key", "neuron_z", "on_path", "walk",
]
