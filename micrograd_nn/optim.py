"""Optimisers that update parameters in place from their .grad."""

from __future__ import annotations

import math
from collections.abc import Sequence

from micrograd_nn.engine import Value


class Optimizer:
    """Holds the parameters and the learning rate (change .lr between steps to decay it)."""

    def __init__(self, params: Sequence[Value], lr: float) -> None:
        """params: the leaves to update; lr: the step size."""
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got no parameters")
        if not lr > 0:
            raise ValueError(f"learning rate must be > 0, got {lr!r}")
        self.lr = lr

    def zero_grad(self) -> None:
        """Set p.grad = 0 for every parameter."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent: v = momentum v + g;  p -= lr v  (plain p -= lr g when momentum is 0)."""

    def __init__(self, params: Sequence[Value], lr: float = 0.01, momentum: float = 0.0) -> None:
        """momentum in [0, 1); 0 gives plain gradient descent."""
        super().__init__(params, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = momentum
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        """p -= lr * (momentum * v + g)."""
        if self.momentum == 0.0:
            for p in self.params:
                p.data -= self.lr * p.grad
            return
        for i, p in enumerate(self.params):
            self.velocity[i] = self.momentum * self.velocity[i] + p.grad
            p.data -= self.lr * self.velocity[i]


class Adam(Optimizer):
    """Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr m^ / (sqrt(v^) + eps), bias-corrected."""

    def __init__(
        self,
        params: Sequence[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        """Defaults as in the Adam paper and PyTorch."""
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.t = 0

    def step(self) -> None:
        """One bias-corrected Adam update of every parameter."""
        self.t += 1
        correction1 = 1.0 - self.beta1**self.t
        correction2 = 1.0 - self.beta2**self.t
        for i, p in enumerate(self.params):
            g = p.grad
            self.m[i] = self.beta1 * self.m[i] + (1.0 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1.0 - self.beta2) * g * g
            p.data -= self.lr * (self.m[i] / correction1) / (math.sqrt(self.v[i] / correction2) + self.eps)
