"""micrograd_nn: a scalar autograd engine that shows every step of backprop.

``from micrograd_nn import Value, Neuron, Layer, MLP`` gives micrograd's API.
Heavier parts (graph pictures, training loop, data sets, demos) are imported
from their own modules so that this import stays fast.
"""

from micrograd_nn.engine_choice import load_engine

ENGINE = load_engine()
"""Which engine runs: "compiled" (engine.py built by Cython) or "pure Python" (MICROGRAD_NN_PURE=1, no build)."""

from micrograd_nn.engine import Value  # noqa: E402  (after load_engine() has chosen the engine)
from micrograd_nn.nn import MLP, Layer, Module, Neuron  # noqa: E402

__all__ = ["Value", "Module", "Neuron", "Layer", "MLP", "ENGINE"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """micrograd_nn.practice(root): the practice page inline in Jupyter, imported on first use (a fast import)."""
    if name == "practice":
        from micrograd_nn.views.practice_page import practice

        return practice
    raise AttributeError(f"module 'micrograd_nn' has no attribute {name!r}")
