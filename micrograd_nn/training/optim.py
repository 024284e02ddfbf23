"""Optimisers that update parameters in place from their .grad.

Settings are checked as PyTorch checks them, and the error names the argument:
the learning rate must be a finite number > 0 (also when it is changed between
steps, e.g. by a schedule), SGD's momentum and weight_decay finite numbers >= 0
(momentum 1 included, as PyTorch allows) and its dampening in [0, 1] (PyTorch
does not check it; outside [0, 1] it flips or inflates the gradient's share),
Adam's betas in [0, 1) and eps a finite number > 0 (PyTorch allows 0, but
here 0/0 would raise where a gradient stays 0).  A step is all or nothing: every new value (weights and the
optimiser's own state) is computed first and then assigned, and an exception
during the assignment (Ctrl-C) puts the old values back, so an interrupted
step leaves the model and the optimiser exactly as they were before it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

from micrograd_nn import errors
from micrograd_nn.engine import Value


def _check_number(
    name: str, value: Any, low: float, high: float, *, low_open: bool = False, high_closed: bool = False
) -> float:
    """value as a float if it is a real number in [low, high) (low_open: (low, ...; high_closed: ..., high]).

    Anything else is a ValueError naming the argument.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    above = number > low if low_open else number >= low
    below = number <= high if high_closed else number < high
    if not (above and below and math.isfinite(number)):  # nan compares False: refused
        interval = f"{'(' if low_open else '['}{low}, {high}{']' if high_closed else ')'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return number


class Optimizer:
    """Holds the parameters and the learning rate (change .lr between steps to decay it)."""

    _lr: float

    def __init__(self, params: Sequence[Value], lr: float) -> None:
        """params: the leaves to update; lr: the step size, a finite number > 0."""
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got no parameters")
        for i, p in enumerate(self.params):
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise ValueError(f"optimizer parameters must be Values; parameter {i} is a {type(p).__name__}")
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate: a finite number > 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = errors.finite_real(value, "learning rate (lr)", above=0.0)

    def zero_grad(self) -> None:
        """Set p.grad = 0 for every parameter."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its gradient."""
        raise NotImplementedError

    def _commit(self, params: list[Value], new_data: list[float], **state: Any) -> None:
        """Assign p.data = new value for every parameter and each state attribute, all or nothing.

        If anything interrupts the assignment (KeyboardInterrupt), the old
        weights and state are put back before the exception goes on.
        params is the step's own copy of self.params, read once.
        """
        old_data = [p.data for p in params]
        old_state = {name: getattr(self, name) for name in state}
        try:
            for p, value in zip(params, new_data):
                p.data = value
            for name, value in state.items():
                setattr(self, name, value)
        except BaseException:
            for p, value in zip(params, old_data):
                p.data = value
            for name, value in old_state.items():
                setattr(self, name, value)
            raise


class SGD(Optimizer):
    """Gradient descent as torch.optim.SGD: g = grad + weight_decay p; v = momentum v + (1 - dampening) g; p -= lr v.

    The first step sets v = g (no dampening), as PyTorch does; nesterov=True
    steps along g + momentum v.  Plain p -= lr g when momentum is 0.
    """

    def __init__(
        self,
        params: Sequence[Value],
        lr: float = 0.01,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        """momentum and weight_decay finite numbers >= 0 (momentum 1 included), dampening in [0, 1]."""
        super().__init__(params, lr)
        self.momentum = _check_number("momentum", momentum, 0.0, math.inf)
        self.dampening = _check_number("dampening", dampening, 0.0, 1.0, high_closed=True)
        self.weight_decay = _check_number("weight_decay", weight_decay, 0.0, math.inf)
        if not isinstance(nesterov, bool):
            raise ValueError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError(
                f"nesterov=True needs momentum > 0 and dampening 0, got momentum={momentum!r}, dampening={dampening!r}"
            )
        self.nesterov = nesterov
        self.velocity = [0.0] * len(self.params)
        self.t = 0

    def step(self) -> None:
        """One update of every parameter (all or nothing), in torch.optim.SGD's order of operations."""
        params = list(self.params)  # read once: every loop below uses this copy
        grads = [p.grad for p in params]
        if self.weight_decay != 0.0:
            grads = [g + self.weight_decay * p.data for p, g in zip(params, grads)]
        if self.momentum == 0.0:
            self._commit(params, [p.data - self.lr * g for p, g in zip(params, grads)], t=self.t + 1)
            return
        if self.t == 0:
            velocity = list(grads)  # PyTorch's first buffer is the gradient itself
        else:
            keep = 1.0 - self.dampening
            velocity = [self.momentum * v + keep * g for v, g in zip(self.velocity, grads)]
        steps = [g + self.momentum * v for g, v in zip(grads, velocity)] if self.nesterov else velocity
        self._commit(params, [p.data - self.lr * d for p, d in zip(params, steps)], velocity=velocity, t=self.t + 1)


class Adam(Optimizer):
    """Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr m^ / (sqrt(v^) + eps), bias-corrected."""

    def __init__(
        self,
        params: Sequence[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        """Defaults as in the Adam paper and PyTorch; betas each in [0, 1), eps a finite number > 0."""
        super().__init__(params, lr)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.beta1 = _check_number("betas[0]", beta1, 0.0, 1.0)
        self.beta2 = _check_number("betas[1]", beta2, 0.0, 1.0)
        self.eps = _check_number("eps", eps, 0.0, math.inf, low_open=True)  # eps = 0 would divide 0 by 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.t = 0

    def step(self) -> None:
        """One bias-corrected Adam update of every parameter (all or nothing)."""
        t = self.t + 1
        correction1 = 1.0 - self.beta1**t
        correction2 = 1.0 - self.beta2**t
        params = list(self.params)  # read once: every loop below uses this copy
        grads = [p.grad for p in params]
        m = [self.beta1 * mi + (1.0 - self.beta1) * g for mi, g in zip(self.m, grads)]
        v = [self.beta2 * vi + (1.0 - self.beta2) * g * g for vi, g in zip(self.v, grads)]
        new_data = [
            p.data - self.lr * (mi / correction1) / (math.sqrt(vi / correction2) + self.eps)
            for p, mi, vi in zip(params, m, v)
        ]
        self._commit(params, new_data, m=m, v=v, t=t)
