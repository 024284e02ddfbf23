"""micrograd_nn: a scalar autograd engine that shows every step of backprop.

``from micrograd_nn import Value, Neuron, Layer, MLP`` gives micrograd's API,
``from micrograd_nn import draw_dot`` the lecture's picture and ``practice``
the practice page (their modules, and graphviz, load when first used).
Heavier parts (training loop, data sets, demos) are imported from their own
modules so that this import stays fast.
"""

from typing import TYPE_CHECKING, Any

from micrograd_nn import _old_paths
from micrograd_nn.engine_choice import load_engine

_old_paths.install()  # the old import paths (micrograd_nn.graph, ...) load their new modules, with a warning

ENGINE = load_engine()
"""Which engine runs: "compiled" (engine.py built by Cython) or "pure Python" (MICROGRAD_NN_PURE=1, no build)."""

from micrograd_nn.engine import Value  # noqa: E402  (after load_engine() has chosen the engine)
from micrograd_nn.nn import MLP, Layer, Module, Neuron  # noqa: E402

if TYPE_CHECKING:
    from micrograd_nn.views.practice_page import practice
    from micrograd_nn.views.scalar_picture import draw_dot


def __getattr__(name: str) -> Any:
    """draw_dot (micrograd_nn.views.scalar_picture, with graphviz) and practice (the practice page inline in
    Jupyter, micrograd_nn.views.practice_page), each loaded when it is first used."""
    if name == "draw_dot":
        from micrograd_nn.views.scalar_picture import draw_dot

        return draw_dot
    if name == "practice":
        from micrograd_nn.views.practice_page import practice

        return practice
    raise AttributeError(f"module 'micrograd_nn' has no attribute {name!r}")


__all__ = ["Value", "Module", "Neuron", "Layer", "MLP", "ENGINE", "draw_dot", "practice"]
__version__ = "0.1.0"
