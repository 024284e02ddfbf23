"""The NumPy matrix passes shared by the reference and the learner's checker."""

from __future__ import annotations

import numpy as np
import pytest

from micrograd_nn.checks.numpy_backprop import ACTIVATIONS, SLOPES, activate, activation_slope, backward, forward
from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.training import losses


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_each_activation_and_slope_match_the_engine(name: str) -> None:
    z = np.array([-1.5, -0.2, 0.3, 2.0])
    a = activate(name, z)
    for zi, ai, slope in zip(z, a, activation_slope(name, z, a)):
        x = Value(float(zi))
        y = x if name == "linear" else getattr(x, name)()
        y.backward()
        assert ai == pytest.approx(y.data, rel=1e-15, abs=1e-15) and slope == pytest.approx(x.grad, rel=1e-12)


def test_one_backward_pass_gives_the_engines_gradients_and_takes_the_slope_as_a_parameter() -> None:
    model = MLP(3, [4, 2], activation="tanh", rng=3)
    X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    weights, biases = model.to_matrices()
    zs, outputs = forward(weights, [b.reshape(-1) for b in biases], ["tanh", "linear"], X)
    loss = losses.sse([model.forward(list(row)) for row in X], [[1.0, 0.0], [0.0, 1.0]])
    loss.backward()
    d_out = 2.0 * (outputs[-1] - np.array([[1.0, 0.0], [0.0, 1.0]]))
    grads_w, grads_b = backward(weights, zs, outputs, d_out, [SLOPES["tanh"], SLOPES["linear"]])
    engine_w, engine_b = model.to_matrices(gradients=True)
    for mine, theirs in zip(grads_w + grads_b, engine_w + [b.reshape(-1) for b in engine_b]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)
    wrong = backward(weights, zs, outputs, d_out, [lambda z, a: 1 - z**2, SLOPES["linear"]])[0]
    np.testing.assert_allclose(wrong[1], grads_w[1], rtol=1e-15)  # the last layer's slope is still right
    assert not np.allclose(wrong[0], grads_w[0])  # layer 1's slope taken at Z, not A


def test_an_unknown_activation_is_named() -> None:
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        activate("softsign", np.zeros(2))
