"""The NumPy reference: an MLP's loss and gradients by vectorised backprop, independent of the Value engine.

For the same weights, data and loss it must give the same loss and the same
gradient for every parameter as the engine.  The matrix passes themselves
(Z_l = A_{l-1} W_l + b_l, dZ_l = dA_l * act_l'(Z_l), ...) are in
numpy_backprop.py; this module adds the losses and the MLP's weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from micrograd_nn.checks.numpy_backprop import SLOPES, activate, backward, forward
from micrograd_nn.nn import MLP


def loss_and_slope(name: str, out: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """The loss of the output matrix and dLoss/dOut, with the same definitions as micrograd_nn.training.losses.

    mse = mean (o - t)^2; sse = sum (o - t)^2; half_sse = 1/2 sum (o - t)^2;
    hinge = mean max(0, 1 - t o); binary_cross_entropy = -mean[t ln o + (1-t) ln(1-o)];
    binary_cross_entropy_with_logits = mean[softplus(o) - t o];
    softmax_cross_entropy = mean over rows of logsumexp(o) - o[t] (t: class indices).
    """
    size = out.size
    if name == "softmax_cross_entropy":
        labels = target.astype(int).reshape(-1)
        shifted = out - out.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        log_probs = shifted - log_norm
        rows = np.arange(out.shape[0])
        loss = -log_probs[rows, labels].mean()
        slope = np.exp(log_probs)
        slope[rows, labels] -= 1.0
        return float(loss), slope / out.shape[0]
    target = target.reshape(out.shape)
    diff = out - target
    if name == "mse":
        return float((diff**2).sum() / size), 2.0 * diff / size
    if name == "sse":
        return float((diff**2).sum()), 2.0 * diff
    if name == "half_sse":
        return float(0.5 * (diff**2).sum()), diff
    if name == "hinge":
        margin = 1.0 - target * out
        return float(np.maximum(margin, 0.0).sum() / size), np.where(margin > 0.0, -target, 0.0) / size
    if name == "binary_cross_entropy":
        loss = -(target * np.log(out) + (1.0 - target) * np.log(1.0 - out)).sum() / size
        return float(loss), (-target / out + (1.0 - target) / (1.0 - out)) / size
    if name == "binary_cross_entropy_with_logits":
        softplus = np.maximum(out, 0.0) + np.log1p(np.exp(-np.abs(out)))
        return float((softplus - target * out).sum() / size), (activate("sigmoid", out) - target) / size
    raise ValueError(f"unknown loss {name!r}")


@dataclass
class ReferenceMLP:
    """Weights W_l (fan_in, fan_out), biases b_l (fan_out,) and one activation name per layer."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activations: list[str]

    @classmethod
    def from_mlp(cls, mlp: MLP) -> ReferenceMLP:
        """Copy an MLP's weights: W_l[i, j] = weight i of neuron j in layer l (a network without biases: b_l = 0)."""
        weights = [np.array([[w.data for w in n.w] for n in layer.neurons]).T for layer in mlp.layers]
        biases = [np.array([n.b.data if n.b is not None else 0.0 for n in layer.neurons]) for layer in mlp.layers]
        activations = [layer.neurons[0].activation for layer in mlp.layers]
        return cls(weights, biases, activations)

    def forward_all(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Every layer's Z_l and A_l (A_0 = X is the first entry of the second list)."""
        a = np.asarray(X, dtype=float)
        if a.ndim != 2 or a.shape[1] != self.weights[0].shape[0]:
            raise ValueError(f"X must have shape (n, {self.weights[0].shape[0]}), got {a.shape}")
        return forward(self.weights, self.biases, self.activations, a)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """The output matrix A_L, one row per sample."""
        return self.forward_all(X)[1][-1]

    def loss_and_grads(
        self, X: np.ndarray, y: np.ndarray | Sequence, loss: str = "mse", l2: float = 0.0
    ) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """(loss + l2 * sum of squared parameters, [dW_l], [db_l]) by vectorised backprop."""
        zs, outputs = self.forward_all(X)
        value, d_out = loss_and_slope(loss, outputs[-1], np.asarray(y, dtype=float))
        grads_w, grads_b = backward(self.weights, zs, outputs, d_out, [SLOPES[name] for name in self.activations])
        if l2:
            value += l2 * sum(float((w**2).sum() + (b**2).sum()) for w, b in zip(self.weights, self.biases))
            grads_w = [g + 2.0 * l2 * w for g, w in zip(grads_w, self.weights)]
            grads_b = [g + 2.0 * l2 * b for g, b in zip(grads_b, self.biases)]
        return value, grads_w, grads_b


def mlp_gradients(mlp: MLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """An MLP's current parameter .grad values in the reference's matrix layout (0 for biases it lacks)."""
    grads_w = [np.array([[w.grad for w in n.w] for n in layer.neurons]).T for layer in mlp.layers]
    grads_b = [np.array([n.b.grad if n.b is not None else 0.0 for n in layer.neurons]) for layer in mlp.layers]
    return grads_w, grads_b
