"""SGD with momentum and Adam, step by step against hand-computed updates."""

import math

import pytest

from micrograd_nn import Value
from micrograd_nn.optim import SGD, Adam


def test_plain_sgd_step() -> None:
    p = Value(1.0)
    p.grad = 0.5
    SGD([p], lr=0.1).step()
    assert p.data == pytest.approx(0.95)


def test_sgd_momentum_accumulates_velocity() -> None:
    p = Value(0.0)
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = 1.0
    opt.step()
    opt.step()
    assert p.data == pytest.approx(-(0.1 * 1.0 + 0.1 * 1.9))


def test_adam_first_steps_match_the_formula() -> None:
    p = Value(1.0)
    opt = Adam([p], lr=0.01)
    p.grad = 2.0
    opt.step()
    assert p.data == pytest.approx(1.0 - 0.01 * 2.0 / (2.0 + 1e-8))
    p.grad = -1.0
    opt.step()
    m = (0.9 * 0.2 - 0.1) / (1 - 0.81)
    v = (0.999 * 0.004 + 0.001) / (1 - 0.999**2)
    assert p.data == pytest.approx(0.99 - 0.01 * m / (math.sqrt(v) + 1e-8))


def test_minimises_a_quadratic() -> None:
    for opt_class, kwargs in [(SGD, {"lr": 0.1, "momentum": 0.5}), (Adam, {"lr": 0.1})]:
        x = Value(3.0)
        opt = opt_class([x], **kwargs)
        for _ in range(300):
            opt.zero_grad()
            ((x - 1.5) ** 2).backward()
            opt.step()
        assert x.data == pytest.approx(1.5, abs=1e-3)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="learning rate"):
        SGD([Value(1.0)], lr=0.0)
    with pytest.raises(ValueError, match="momentum"):
        SGD([Value(1.0)], lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="no parameters"):
        Adam([], lr=0.1)
