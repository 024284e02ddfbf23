"""Helpers the demos share: the output folder, printing beside a progress bar, the check against NumPy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from micrograd_nn.nn import MLP

DEFAULT_OUT = "micrograd_nn_output"


def output_folder(out_dir: str | Path, demo: str) -> Path:
    """out_dir/demo, created if needed."""
    folder = Path(out_dir) / demo
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def say(message: str = "") -> None:
    """Print a line without breaking a tqdm progress bar that may be on screen."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        print(message, flush=True)
        return
    tqdm.write(message)


def percent(fraction: float) -> str:
    """0.9712 -> '97.1%'."""
    return f"{100 * fraction:.1f}%"


@dataclass
class ReferenceCheck:
    """One batch's loss and gradients from the engine compared with the NumPy reference on the same weights."""

    loss_name: str
    batch: int  # rows in the batch
    loss: float  # the engine's loss
    reference_loss: float
    largest_relative_difference: float  # over the loss and every weight and bias gradient
    weights: str = "the starting weights"  # which weights were checked

    def line(self) -> str:
        """The check as one printable line."""
        return (
            f"gradient check on {self.weights}, one batch of {self.batch} rows, {self.loss_name}: "
            f"loss {self.loss:.6g}; engine vs NumPy reference, largest relative difference "
            f"{self.largest_relative_difference:.1e} over the loss and every weight and bias gradient"
        )


def check_against_reference(model: MLP, X: Any, y: Any, loss_name: str, *, l2: float = 0.0) -> ReferenceCheck:
    """Loss + l2 sum_p p^2 and dLoss/dp for every parameter, from backward() and from ReferenceMLP, compared.

    relative difference = |engine - reference| / max(|reference|, 1e-12 max_p |dLoss/dp|)
    per entry (the floor keeps entries that cancel to about 0 from dividing by 0).
    The model's .grad values are overwritten; its weights are not changed.
    """
    from micrograd_nn.checks.reference import ReferenceMLP, mlp_gradients
    from micrograd_nn.training import losses
    from micrograd_nn.training.losses import LOSSES
    from micrograd_nn.training.train import as_rows, as_targets

    rows, targets = as_rows(X), as_targets(y)
    reference = ReferenceMLP.from_mlp(model)
    loss = LOSSES[loss_name]([model(row) for row in rows], targets)  # type: ignore[operator]
    if l2:
        loss = loss + losses.l2_penalty(model.parameters(), l2)
    model.zero_grad()
    loss.backward()
    engine_w, engine_b = mlp_gradients(model)
    ref_targets = np.asarray(targets, dtype=float)
    if loss_name != "softmax_cross_entropy":
        ref_targets = ref_targets.reshape(len(rows), -1)
    ref_loss, ref_w, ref_b = reference.loss_and_grads(np.asarray(rows), ref_targets, loss_name, l2=l2)
    floor = 1e-12 * max(float(np.max(np.abs(g))) for g in [*ref_w, *ref_b])
    pairs = [(np.array([loss.data]), np.array([ref_loss])), *zip(engine_w, ref_w), *zip(engine_b, ref_b)]
    largest = max(
        float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), max(floor, 1e-300)))) for ours, theirs in pairs
    )
    return ReferenceCheck(loss_name, len(rows), loss.data, ref_loss, largest)
