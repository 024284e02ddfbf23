"""The lecture's own loop hears about a dead layer: one DeadUnitsWarning, at the learner's line, with the remedies."""

from __future__ import annotations

import random
import warnings

import pytest

from micrograd_nn.nn import MLP
from micrograd_nn.training.diagnose import REMEDIES, DeadUnitsWarning
from micrograd_nn.training.train import fit

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def lecture_loop(n: MLP, steps: int = 20, lr: float = 0.05) -> tuple[float, list[warnings.WarningMessage]]:
    """The lecture's loop, word for word: (its last loss, the warnings it gave)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(steps):
            ypred = [n(x) for x in XS]
            loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred))
            for p in n.parameters():
                p.grad = 0.0
            loss.backward()
            for p in n.parameters():
                p.data += -lr * p.grad
    return loss.data, list(caught)


def test_a_relu_layer_that_dies_in_the_lecture_loop_is_named_once() -> None:
    random.seed(1)  # the README's example: micrograd's MLP, whose layer 2 dies in the first steps
    loss, caught = lecture_loop(MLP(3, [4, 4, 1]), lr=0.1)
    assert round(loss, 4) == 4.0
    (warning,) = caught
    assert warning.category is DeadUnitsWarning and warning.filename == __file__  # the learner's line
    text = str(warning.message)
    assert "L2: all 4 ReLU units output 0 for all 4 samples, so every gradient below them is 0" in text
    assert REMEDIES in text and warning.message.diagnosis.dead_layers == (2,)


@pytest.mark.parametrize("seed", [8, 39, 44])
def test_a_layer_dead_from_the_start_is_named_though_every_gradient_is_zero(seed: int) -> None:
    """Dead before the first step: the output is its bias, 0, so every parameter's gradient is exactly 0."""
    model = MLP(3, [4, 4, 1], rng=seed)
    ypred = [model(x) for x in XS]
    sum((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred)).backward()
    assert all(p.grad == 0.0 for layer in model.layers for p in layer.parameters())  # nothing for a grad check
    loss, caught = lecture_loop(MLP(3, [4, 4, 1], rng=seed))
    assert loss == 4.0 and len(caught) == 1 and "L2: all 4 ReLU units output 0" in str(caught[0].message)


def test_the_lecture_tanh_network_and_live_relu_networks_hear_nothing() -> None:
    for seed in range(20):
        assert lecture_loop(MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", rng=seed))[1] == []
    assert lecture_loop(MLP(3, [4, 4, 1], rng=2))[1] == []  # a ReLU network that learns


def test_fewer_than_four_different_samples_prove_nothing() -> None:
    """One sample at a time, the same dead sample again and again: a layer may be dead only there."""
    model = MLP(3, [4, 4, 1], rng=8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(10):
            for x in XS[:3]:
                model(x)
                model.parameters()


def test_fit_and_the_manual_loop_say_it_once_between_them() -> None:
    model = MLP(3, [4, 4, 1], rng=8)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(model, XS, YS, epochs=3, lr=0.05, quiet=True)
        for x in XS:
            model(x)
        model.zero_grad()
    assert [str(w.message).splitlines()[0] for w in caught] == [
        "fit: before the first step, a whole layer passes no gradient back:"
    ]
