"""Gradient checks: backward() against central differences.

The central difference (f(x + eps) - f(x - eps)) / (2 eps) has error O(eps^2),
so it is an independent reference for every derivative the engine computes.
Defaults are PyTorch's: eps 1e-6, atol 1e-5, rtol 1e-3; a gradient passes when
|analytic - numeric| <= atol + rtol * |numeric|.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from micrograd_nn.engine import Value
from micrograd_nn.rules import op_record


class GradcheckError(AssertionError):
    """Raised by gradcheck() when some gradient disagrees with central differences."""


@dataclass(frozen=True)
class InputMismatch:
    """One input whose backward() gradient disagrees with the numeric estimate."""

    index: int
    analytic: float
    numeric: float


def central_difference(f: Callable[[Sequence[float]], float], x: Sequence[float], i: int, eps: float) -> float:
    """(f(x + eps e_i) - f(x - eps e_i)) / (2 eps): the slope of f along input i."""
    plus = list(x)
    minus = list(x)
    plus[i] += eps
    minus[i] -= eps
    return (f(plus) - f(minus)) / (2.0 * eps)


EPS = 1e-6
"""Default step of the central difference (PyTorch's gradcheck default)."""
ATOL = 1e-5
"""Default absolute tolerance (PyTorch's)."""
RTOL = 1e-3
"""Default relative tolerance (PyTorch's)."""


def agrees(analytic: float, numeric: float, atol: float = ATOL, rtol: float = RTOL) -> bool:
    """|analytic - numeric| <= atol + rtol * |numeric|: PyTorch's gradcheck test (shared with the audit)."""
    return abs(analytic - numeric) <= atol + rtol * abs(numeric)


def gradient_mismatches(
    f: Callable[..., Value],
    inputs: Sequence[float | Value],
    *,
    eps: float = EPS,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> list[InputMismatch]:
    """The inputs where d f / d input from backward() differs from central differences.

    f takes one Value per input and returns a Value; it is called on fresh
    leaves each time, so the caller's Values are never touched.
    """
    x = [float(v.data if isinstance(v, Value) else v) for v in inputs]
    leaves = [Value(xi) for xi in x]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()

    def evaluate(point: Sequence[float]) -> float:
        return f(*(Value(p) for p in point)).data

    mismatches = []
    for i, leaf in enumerate(leaves):
        numeric = central_difference(evaluate, x, i, eps)
        if not agrees(leaf.grad, numeric, atol, rtol):
            mismatches.append(InputMismatch(i, leaf.grad, numeric))
    return mismatches


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float | Value],
    *,
    eps: float = EPS,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> bool:
    """True if backward() matches central differences for every input; GradcheckError otherwise."""
    mismatches = gradient_mismatches(f, inputs, eps=eps, atol=atol, rtol=rtol)
    if mismatches:
        lines = [f"input {m.index}: backward {m.analytic!r}, central difference {m.numeric!r}" for m in mismatches]
        raise GradcheckError("gradcheck failed:\n" + "\n".join(lines))
    return True


def check_rule(
    op: str,
    args: Sequence[float],
    *,
    eps: float = EPS,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> bool:
    """True if rule ``op``'s local derivatives at ``args`` match central differences of its forward value.

    Raises GradcheckError naming the op, the argument and both numbers otherwise.
    """
    rule = op_record(op).rule
    _, local_grads = rule(*args)
    if len(local_grads) != len(args):
        raise GradcheckError(f"rule {op!r} returned {len(local_grads)} local derivatives for {len(args)} operands")

    def forward(point: Sequence[float]) -> float:
        return rule(*point)[0]

    for i, local in enumerate(local_grads):
        numeric = central_difference(forward, args, i, eps)
        if not agrees(local, numeric, atol, rtol):
            raise GradcheckError(
                f"rule {op!r} at {tuple(args)}: d/d(operand {i}) is {local!r}, central difference {numeric!r}"
            )
    return True
