"""What backward() does when a gradient comes out inf or nan: the library's policy, in one place.

- A masking op (relu: ``rules.Op.masks``) whose local derivative is 0, and
  the base of ``x ** 0``, pass 0 back even from an inf or nan upstream
  gradient, as PyTorch's masks do.  Elsewhere 0 x inf is nan, as in IEEE.
- A local derivative that is infinite by convention at a point (sqrt'(0),
  d(a**b)/da at a = 0 for 0 < b < 1) flows on as inf, as in PyTorch.
- A local derivative that overflowed from finite, nonzero inputs (1/b for
  b = 1e-310) is not used: the op's ``share`` in rules.OPS computes
  upstream x local in an order that cannot overflow (upstream / b), so a
  finite gradient comes out finite.
- A sum of finite gradients, or a finite local derivative times a finite
  upstream gradient, that overflows raises OverflowError naming the node.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from micrograd_nn.errors import describe

if TYPE_CHECKING:
    from micrograd_nn.engine import Value


def is_masked(node: Value, position: int, local: float) -> bool:
    """Whether the local derivative of input number ``position`` (0-based) is a mask: 0 cuts it off from above.

    Decided by position, not by identity: in ``x ** x`` one node is both the base and the exponent.
    """
    if local != 0.0 or node._record is None:
        return False
    if node._record.masks:
        return True
    exponent = getattr(node._b, "data", node._b)  # a Value's number, or the plain number itself
    return node._record.name == "**" and position == 0 and exponent == 0.0  # the base of x ** 0: PyTorch masks


def share(node: Value, position: int, local: float, upstream: float) -> float:
    """What backward() adds to input number ``position``'s grad through node: local x upstream, 0 through a mask,
    or the op's share."""
    safe = overflowed_share(node, position, local, upstream)
    if safe is not None:
        return safe
    return 0.0 if is_masked(node, position, local) else local * upstream


def overflowed_share(node: Value, position: int, local: float, upstream: float) -> float | None:
    """upstream x local from the op's share, when the stored local overflowed from finite nonzero inputs."""
    record = node._record
    if record is None or record.share is None or not math.isinf(local) or not math.isfinite(upstream):
        return None
    inputs = tuple(x if isinstance(x, float) else x.data for x in node.inputs)  # the inputs' numbers
    if not all(math.isfinite(x) for x in inputs) or inputs[position] == 0.0:  # an infinity by convention
        return None
    return record.share(position, inputs, node.data, upstream)


def gradient(node: Value, operand: Value, position: int, local: float) -> float:
    """operand's new gradient when operand.grad + local * node.grad is not finite (see the module's rules);
    operand is node's input number ``position``."""
    upstream, before = node.grad, operand.grad
    added = share(node, position, local, upstream)
    total = before + added
    if math.isfinite(total):
        return total
    if math.isfinite(added):
        from_finite = math.isfinite(before)  # two finite gradients summed past the largest float
    else:
        from_finite = math.isfinite(local) and math.isfinite(upstream)  # a finite product overflowed
    if from_finite:
        raise OverflowError(
            f"backward: the gradient of {describe(operand)} overflowed to {total!r} "
            f"(local derivative {local!r} x upstream {upstream!r} through op {node.op!r} of {describe(node)})"
        )
    return total

