"""Backprop in NumPy matrices: one forward pass and one backward pass (the activations and their slopes are
micrograd_nn.training.array_activations').

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

from collections.abc import Sequence

import numpy as np

from micrograd_nn.training.array_activations import ACTIVATIONS, SLOPES, Slope, activate, activation_slope


def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The matrix product a b, (a b)_ik = sum_j a_ij b_jk, summed by NumPy's own loops rather than BLAS.

    BLAS orders its sums by the processor it runs on, so its last digits (and every difference printed
    against the engine) changed from machine to machine; this order is the same on every machine.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.add.reduce(a[:, :, None] * b[None, :, :], axis=1)


def forward(
    weights: Sequence[np.ndarray], biases: Sequence[np.ndarray] | None, activations: Sequence[str], X: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Every layer's Z_l, and A_0 = X, A_1, ..., A_L (biases None: a network without biases)."""
    a = np.asarray(X, dtype=float)
    zs, outputs = [], [a]
    for layer, (w, name) in enumerate(zip(weights, activations)):
        z = product(a, w) + (biases[layer] if biases is not None else 0.0)
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
        grads_w.insert(0, product(outputs[layer].T, d_z))
        grads_b.insert(0, d_z.sum(axis=0))
        d_a = product(d_z, weights[layer].T)
    return grads_w, grads_b


__all__ = ["ACTIVATIONS", "SLOPES", "Slope", "activate", "activation_slope", "backward", "forward"]
