"""micrograd_nn: a scalar autograd engine that shows every step of backprop.

``from micrograd_nn import Value, Neuron, Layer, MLP`` gives micrograd's API.
Heavier parts (graph pictures, training loop, data sets, demos) are imported
from their own modules so that this import stays fast.
"""

from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP, Layer, Module, Neuron

__all__ = ["Value", "Module", "Neuron", "Layer", "MLP"]
__version__ = "0.1.0"
