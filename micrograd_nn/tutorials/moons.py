"""Demo 5: micrograd's moons demo, step for step, on this engine.

MLP(2, [16, 16, 1]) (ReLU hidden layers, linear output score) on 100 moons
points with labels -1/+1; loss = 1/n sum_i max(0, 1 - y_i s_i) + 1e-4 sum_p p^2;
100 steps of full-batch gradient descent with lr = 1.0 - 0.9 k/100 at step k;
accuracy = agreement of sign(score) with the label.  Before training, the
loss and every gradient on the starting weights are checked against the NumPy
reference (micrograd_nn.checks.reference).  random.seed(1337) and
np.random.seed(1337) in micrograd give the same weights and points as the
seed 1337 here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from micrograd_nn.live.recorder import Recorder
from micrograd_nn.nn import MLP
from micrograd_nn.training import datasets
from micrograd_nn.training.train import History, classification_accuracy, fit
from micrograd_nn.tutorials import plots
from micrograd_nn.tutorials.common import (
    DEFAULT_OUT,
    ReferenceCheck,
    check_against_reference,
    output_folder,
    percent,
    say,
)


@dataclass
class MoonsResult:
    """What the moons demo produced."""

    model: MLP
    X: np.ndarray
    y: np.ndarray
    history: History
    accuracy: float
    loss: float
    seconds: float
    seed: int  # the seed of the data and the starting weights: MLP(2, [16, 16, 1], rng=seed) rebuilds them
    reference_check: ReferenceCheck  # engine vs NumPy on the starting weights, full batch
    files: dict[str, Path] = field(default_factory=dict)
    recorder: Recorder | None = None  # every step's weights and gradients, when trained with record=True


def moons_data(n_samples: int = 100, seed: int = 1337) -> tuple[np.ndarray, np.ndarray]:
    """micrograd's moons: make_moons(n_samples, noise=0.1) with labels mapped 0/1 -> -1/+1."""
    X, y = datasets.moons(n_samples=n_samples, noise=0.1, seed=seed)
    return X, y * 2 - 1


def train_moons(
    *,
    steps: int = 100,
    n_samples: int = 100,
    seed: int = 1337,
    fused: bool = True,
    quiet: bool = False,
    record: bool = False,
) -> MoonsResult:
    """Train micrograd's 2-16-16-1 moons network; fused=True gives the same numbers faster.

    record=True records every step (micrograd_nn.live.Recorder) for the live training page.
    """
    X, y = moons_data(n_samples, seed)
    model = MLP(2, [16, 16, 1], rng=seed, fused=fused)
    check = check_against_reference(model, X, y, "hinge", l2=1e-4)
    recorder = Recorder(model, X, y, loss="hinge", l2=1e-4) if record else None
    history = fit(
        model,
        X,
        y,
        loss="hinge",
        l2=1e-4,
        lr=1.0,
        epochs=steps,
        lr_schedule=lambda k: 1.0 - 0.9 * k / steps,
        train_metrics={"accuracy": lambda scores, labels: classification_accuracy(scores, labels, "sign")},
        quiet=quiet,
        desc="moons",
        on_step=None if recorder is None else recorder.on_step,
    )
    if recorder is not None:
        recorder.finish()
    final_accuracy = classification_accuracy([model.forward(row)[0].data for row in X.tolist()], y.tolist(), "sign")
    return MoonsResult(
        model, X, y, history, final_accuracy, history.loss[-1], history.seconds, seed, check, recorder=recorder
    )


def run_moons(
    out_dir: str | Path = DEFAULT_OUT,
    *,
    steps: int = 100,
    n_samples: int = 100,
    seed: int = 1337,
    quiet: bool = False,
) -> MoonsResult:
    """Train, print micrograd's log lines (every 10th step) and write the loss curve and decision boundary."""
    say(
        f"micrograd's moons demo: MLP(2, [16, 16, 1]), {n_samples} points, hinge loss + 1e-4 L2, "
        f"{steps} steps of SGD with lr 1.0 -> 0.1 (seed {seed})"
    )
    result = train_moons(steps=steps, n_samples=n_samples, seed=seed, quiet=quiet)
    say(result.reference_check.line())
    accuracies = result.history.metrics["accuracy"]
    for k, (loss, acc) in enumerate(zip(result.history.loss, accuracies)):
        if k % 10 == 0 or k == steps - 1:
            say(f"step {k} loss {loss:.6f}, accuracy {percent(acc)}")
    say(
        f"after training: accuracy {percent(result.accuracy)} on the {n_samples} training points "
        f"({result.seconds:.1f} s)"
    )
    folder = output_folder(out_dir, "moons")
    result.files["loss curve"] = plots.loss_curve(
        {"hinge + L2 loss": result.history.loss}, folder / "loss.png", "moons: training loss per step", xlabel="step",
        first=0,
    )
    result.files["decision boundary"] = plots.decision_boundary(
        result.model,
        result.X,
        result.y,
        folder / "decision_boundary.png",
        f"moons: MLP(2, [16, 16, 1]), accuracy {percent(result.accuracy)}",
    )
    for name, path in result.files.items():
        say(f"{name}: {path}")
    return result
