"""The activations and their slopes on NumPy arrays, entrywise: the engine's rules for a whole batch at once.

Read by training/diagnose.py (dead units) and by the NumPy backprop of checks/ (the reference MLP and the
learner's-backprop checker); the names are nn.ACTIVATIONS' (tests/test_one_home.py checks they match).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from micrograd_nn.gradient_graph import rules_as_written
from micrograd_nn.rules import LEAKY_SLOPE

Slope = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""act'(Z) as a function of Z and the layer's output A = act(Z) (tanh: 1 - A^2 uses A)."""


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), without overflow for large |z|."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)))


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0.0, z, LEAKY_SLOPE * z),
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
}
"""A = act(Z), entrywise, for each activation nn.py offers."""

SLOPES: dict[str, Slope] = {
    "linear": lambda z, a: np.ones_like(z),
    "relu": lambda z, a: (z > 0.0).astype(float),
    "leaky_relu": lambda z, a: np.where(z > 0.0, 1.0, LEAKY_SLOPE),
    "tanh": lambda z, a: rules_as_written().d_tanh(z, a),  # 1 - A², rules.py's own function, run on arrays
    "sigmoid": lambda z, a: rules_as_written().d_sigmoid(z, a),  # A (1 - A)
}
"""act'(Z), from Z and A = act(Z) as the tutorials write it (tanh's and sigmoid's: rules.py's d_* functions)."""


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """act(z) elementwise for relu, tanh, sigmoid, leaky_relu or linear; ValueError naming another name."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name](z)


def activation_slope(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """act'(z), using a = act(z) where that is simpler (tanh: 1 - a^2, sigmoid: a(1 - a))."""
    if name not in SLOPES:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(SLOPES)}")
    return SLOPES[name](z, a)
