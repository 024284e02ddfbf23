"""micrograd_nn: a scalar autograd engine that shows every step of backprop."""

from micrograd_nn.engine import Value

__all__ = ["Value"]
__version__ = "0.1.0"
