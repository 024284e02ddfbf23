"""Whole MLPs on the Value engine against the hand-written NumPy reference, same weights and data."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_nn import MLP, Value
from micrograd_nn.checks.reference import ReferenceMLP, mlp_gradients
from micrograd_nn.training import losses

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "linear"]


def engine_loss(name: str, outputs: list, targets: np.ndarray) -> Value:
    """The Value-engine loss matching reference.loss_and_slope(name)."""
    if name == "softmax_cross_entropy":
        return losses.softmax_cross_entropy(outputs, targets.astype(int))
    return getattr(losses, name)(outputs, targets)


def assert_equal_to_1e9(ours: np.ndarray, ref: np.ndarray) -> None:
    """Relative 1e-9, with an absolute floor 1e-12 of the largest entry for entries that cancel to ~0."""
    scale = max(float(np.abs(ref).max()), 1e-300)
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12 * scale)


@st.composite
def network_cases(draw: st.DrawFn):
    loss = draw(
        st.sampled_from(
            ["mse", "sse", "half_sse", "hinge", "binary_cross_entropy", "binary_cross_entropy_with_logits",
             "softmax_cross_entropy"]
        )
    )
    nin = draw(st.integers(1, 4))
    hidden = draw(st.lists(st.integers(1, 5), min_size=0, max_size=2))
    n_out = draw(st.integers(2, 4)) if loss == "softmax_cross_entropy" else draw(st.integers(1, 3))
    activation = draw(st.sampled_from(ACTIVATIONS))
    output_activation = "sigmoid" if loss == "binary_cross_entropy" else draw(st.sampled_from(ACTIVATIONS))
    if loss in ("softmax_cross_entropy", "binary_cross_entropy_with_logits", "hinge"):
        output_activation = draw(st.sampled_from(["linear", "tanh"]))
    batch = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**16))
    init = draw(st.sampled_from(["uniform", "xavier", "he"]))
    fused = draw(st.booleans())
    l2 = draw(st.sampled_from([0.0, 1e-3]))
    return loss, nin, hidden + [n_out], activation, output_activation, batch, seed, init, fused, l2


def targets_for(loss: str, rng: np.random.Generator, batch: int, n_out: int) -> np.ndarray:
    if loss == "softmax_cross_entropy":
        return rng.integers(0, n_out, size=batch).astype(float)
    if loss == "hinge":
        return rng.choice([-1.0, 1.0], size=(batch, n_out))
    if loss.startswith("binary"):
        return rng.integers(0, 2, size=(batch, n_out)).astype(float)
    return rng.normal(size=(batch, n_out))


@given(network_cases())
def test_engine_equals_numpy_reference(case) -> None:
    loss_name, nin, sizes, activation, output_activation, batch, seed, init, fused, l2 = case
    model = MLP(nin, sizes, activation=activation, output_activation=output_activation, init=init, rng=seed,
                fused=fused)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, nin))
    y = targets_for(loss_name, rng, batch, sizes[-1])

    outputs = [model(list(x)) for x in X]
    outputs = [o if isinstance(o, list) else [o] for o in outputs]
    loss = engine_loss(loss_name, outputs, y)
    if l2:
        loss = loss + losses.l2_penalty(model.parameters(), l2)
    model.zero_grad()
    loss.backward()

    ref_loss, ref_w, ref_b = ReferenceMLP.from_mlp(model).loss_and_grads(X, y, loss_name, l2=l2)
    assert loss.data == pytest.approx(ref_loss, rel=1e-9, abs=1e-300)
    our_w, our_b = mlp_gradients(model)
    for ours, ref in zip(our_w + our_b, ref_w + ref_b):
        assert_equal_to_1e9(ours, ref)


def test_reference_forward_matches_engine_outputs() -> None:
    model = MLP(3, [4, 2], activation="tanh", rng=5)
    X = np.random.default_rng(0).normal(size=(5, 3))
    expected = [[v.data for v in model(list(x))] for x in X]
    np.testing.assert_allclose(ReferenceMLP.from_mlp(model).forward(X), expected, rtol=1e-12)


def test_reference_refuses_wrong_shapes_and_names() -> None:
    ref = ReferenceMLP.from_mlp(MLP(3, [2], rng=0))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        ref.forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="unknown loss"):
        ref.loss_and_grads(np.zeros((1, 3)), np.zeros((1, 2)), "l7")
