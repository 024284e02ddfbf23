"""micrograd_nn: a scalar autograd engine that shows every step of backprop.

``from micrograd_nn import Value, Neuron, Layer, MLP`` gives micrograd's API,
and ``from micrograd_nn import draw_dot`` the lecture's picture (its module,
and graphviz, load when it is first used).  Heavier parts (training loop, data
sets, demos) are imported from their own modules so that this import stays fast.
"""

from typing import TYPE_CHECKING, Any

from micrograd_nn import _old_paths
from micrograd_nn.engine_choice import load_engine

_old_paths.install()  # the old import paths (micrograd_nn.graph, ...) load their new modules, with a warning

ENGINE = load_engine()
"""Which engine runs: "compiled" (engine.py built by Cython) or "pure Python" (MICROGRAD_NN_PURE=1, no build)."""

from micrograd_nn import engine, engine_link  # noqa: E402  (after load_engine() has chosen the engine)
from micrograd_nn.engine import Value  # noqa: E402
from micrograd_nn.nn import MLP, Layer, Module, Neuron  # noqa: E402

engine_link.bind(Value, engine._node, engine.topological_order)  # copying and micrograd_compat use them

if TYPE_CHECKING:
    from micrograd_nn.forward_mode import jvp as jvp
    from micrograd_nn.gradient_graph import grad as grad
    from micrograd_nn.second_derivatives import hessian as hessian
    from micrograd_nn.second_derivatives import hvp as hvp
    from micrograd_nn.torch_bridge import to_torch as to_torch
    from micrograd_nn.views.practice_page import practice
    from micrograd_nn.views.scalar_picture import draw_dot

_LAZY = {
    "draw_dot": "micrograd_nn.views.scalar_picture",  # loads graphviz
    "jvp": "micrograd_nn.forward_mode",  # forward-mode derivatives
    "grad": "micrograd_nn.gradient_graph",  # gradients as Values (torch.autograd.grad for scalars)
    "hessian": "micrograd_nn.second_derivatives",  # second derivatives, by differentiating gradients
    "hvp": "micrograd_nn.second_derivatives",
    "to_torch": "micrograd_nn.torch_bridge",  # needs torch (micrograd_nn[torch])
    "practice": "micrograd_nn.views.practice_page",  # the practice page, inline in Jupyter
}
"""Top-level names whose module is imported when the name is first used, so that this import stays fast."""


def __getattr__(name: str) -> Any:
    """draw_dot, jvp, grad, hessian, hvp, to_torch, practice: loaded from their module when first used."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'micrograd_nn' has no attribute {name!r}")


__all__ = ["Value", "Module", "Neuron", "Layer", "MLP", "ENGINE", "draw_dot", "practice", "grad", "hessian", "hvp",
           "jvp"]  # and to_torch (it needs torch)
__version__ = "0.1.0"
