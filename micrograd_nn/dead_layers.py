"""A hand-written training loop hears about a dead layer: MLP.forward notes it, parameters() warns once.

``fit`` diagnoses its model on its data (micrograd_nn.training.diagnose); the
lecture's own loop (forward, loss, ``p.grad = 0.0``, ``backward()``,
``p.data += -lr * p.grad``) gives the library no data.  So each forward pass
of an MLP looks at its layers' activation nodes: a layer none of whose units
has a non-zero slope (every ReLU at z <= 0, every tanh or sigmoid saturated)
passes no gradient back for that sample.  A live layer shows it at its first
unit, so the look costs one comparison per layer.  Once such forward passes
have run on ``MIN_SAMPLES`` different samples in a row, the model's next
``parameters()`` (or ``zero_grad()``) diagnoses it on those samples and, if a
whole layer is dead for all of them, warns once: a ``DeadUnitsWarning``
naming the layer, with the remedies.  fit's own warning sets ``warned`` too.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from micrograd_nn.engine import Value
from micrograd_nn.rules import OPS

MIN_SAMPLES = 4  # the lecture's four samples: fewer different samples in a row prove nothing about the data
KEPT = 64  # at most this many samples of a streak are kept for the diagnosis
# the activations whose slope can be exactly 0: every activation op but leaky_relu (linear has no op)
CAN_STOP = frozenset(name for name, op in OPS.items() if op.activation) - {"leaky_relu"}
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def passes_gradient(outputs: Sequence[Any]) -> bool:
    """Does some unit of a layer pass a gradient back: is some output's local slope d(act)/dz (its _da) not 0?"""
    for out in outputs:
        if out._da != 0.0:
            return True
    return False


class DeadLayerWatch:
    """One MLP's streak of forward passes in which some layer passed no gradient back, and whether it warned."""

    __slots__ = ("looks", "samples", "warned")

    def __init__(self, activations: Sequence[str]) -> None:
        """activations: the MLP's, one per layer (looks: which layers' slopes can be 0); no streak; not warned."""
        self.looks = tuple(name in CAN_STOP for name in activations)
        self.samples: list[tuple[float, ...]] = []
        self.warned = False

    def saw(self, x: Sequence[Any], stopped: bool) -> None:
        """Note one forward pass on sample x: stopped means some layer passed no gradient back for it."""
        if not stopped:
            self.samples.clear()
        elif not self.warned and len(self.samples) < KEPT:
            self.samples.append(tuple(float(xi.data if isinstance(xi, Value) else xi) for xi in x))

    def check(self, model: Any) -> None:
        """Warn once (DeadUnitsWarning) if a whole layer is dead for every sample of the streak; then start anew."""
        samples = list(dict.fromkeys(self.samples))
        if self.warned or len(samples) < MIN_SAMPLES:
            return
        from micrograd_nn.training.diagnose import DeadUnitsWarning, diagnose, remedies

        self.samples.clear()
        diagnosis = diagnose(model, samples)
        if not diagnosis.dead_layers:
            return
        self.warned = True
        lines = [
            f"{model!r}: a whole layer passed no gradient back for each of the last {len(samples)} samples it ran, "
            "so nothing below it learns and the loss stays where it is:",
            *diagnosis.messages(),
            remedies([u.activation for u in diagnosis.dead_units if u.layer in diagnosis.dead_layers]),
            "diagnose(model, X) (micrograd_nn.training.diagnose) checks all of your data.",
        ]
        warnings.warn(DeadUnitsWarning("\n".join(lines), diagnosis), stacklevel=_caller_level())


def _caller_level() -> int:
    """warnings.warn's stacklevel for the first frame outside this package (compiled modules have no frames)."""
    level, frame = 2, sys._getframe(2)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE + os.sep):
        level, frame = level + 1, frame.f_back  # type: ignore[assignment]
    return level
