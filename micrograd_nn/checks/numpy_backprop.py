"""Backprop in NumPy matrices: the activations, their slopes, one forward pass and one backward pass.

The matrix form the from-scratch tutorials use, shared by the NumPy
reference (reference.py) and the learner's-backprop checker (learner.py).
For a batch X of n samples (rows) and layer l with W_l of shape (fan_in, fan_out):

    forward:   Z_l = A_{l-1} W_l + b_l,   A_l = act_l(Z_l),   A_0 = X
    backward:  dZ_l = dA_l * act_l'(Z_l),  dW_l = A_{l-1}^T dZ_l,
               db_l = sum over samples of dZ_l,   dA_{l-1} = dZ_l W_l^T

The backward pass takes each layer's slope act_l' as a parameter, so the
checker can run it with one slope written wrongly and see whether that
reproduces a learner's gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

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
    "tanh": lambda z, a: 1.0 - a * a,
    "sigmoid": lambda z, a: a * (1.0 - a),
}
"""act'(Z), written with Z and A = act(Z) as the tutorials do."""


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


def forward(
    weights: Sequence[np.ndarray], biases: Sequence[np.ndarray] | None, activations: Sequence[str], X: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Every layer's Z_l, and A_0 = X, A_1, ..., A_L (biases None: a network without biases)."""
    a = np.asarray(X, dtype=float)
    zs, outputs = [], [a]
    for layer, (w, name) in enumerate(zip(weights, activations)):
        z = a @ w + (biases[layer] if biases is not None else 0.0)
        a = activate(name, z)
        zs.append(z)
        outputs.append(a)
    return zs, outputs


def backward(
    weights: Sequence[np.ndarray], zs: Sequence[np.ndarray], outputs: Sequence[np.ndarray], d_out: np.ndarray,
    slopes: Sequence[Slope],
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """([dW_l], [db_l]) from dLoss/dA_L = d_out, with layer l's slope slopes[l - 1] (forward's zs and outputs)."""
    grads_w: list[np.ndarray] = []
    grads_b: list[np.ndarray] = []
    d_a = d_out
    for layer in reversed(range(len(weights))):
        d_z = d_a * slopes[layer](zs[layer], outputs[layer + 1])
        grads_w.insert(0, outputs[layer].T @ d_z)
        grads_b.insert(0, d_z.sum(axis=0))
        d_a = d_z @ weights[layer].T
    return grads_w, grads_b
