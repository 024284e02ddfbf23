"""Demo 2: the exam-score tutorial's 2-3-1 sigmoid network, on the Value engine.

X = (hours studied, hours slept) = [[2,9],[1,5],[3,6]], y = [92,86,89].
Each input column is divided by its maximum and the scores by 100, so every
number lies in [0, 1] where a sigmoid output can reach it.  Weights start from
N(0, 1) as in the tutorial (our neurons also have biases, starting at 0).  The
tutorial's update W += X^T . (error * slope) is gradient descent with
learning rate 1 on E = 1/2 sum (y - o)^2; it prints mean((y - o)^2) as it trains.

Then the readers' question: the score for 4 hours studied and 8 slept,
scaled by the training columns' maxima (4/3 and 8/9) and shown times 100.
Any number of input columns and any hidden layer sizes work (train_score_model).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from micrograd_nn import datasets
from micrograd_nn.nn import MLP
from micrograd_nn.train import History, fit, predict
from micrograd_nn.tutorials import plots
from micrograd_nn.tutorials.common import DEFAULT_OUT, ReferenceCheck, check_against_reference, output_folder, say


@dataclass
class ScoreModel:
    """A trained score network with the scaling it was trained with."""

    model: MLP
    column_max: np.ndarray  # inputs are divided by these
    score_scale: float  # outputs are multiplied by this
    history: History
    reference_check: ReferenceCheck  # engine vs NumPy on the starting weights, all rows

    def predict_score(self, row: Sequence[float]) -> float:
        """The score for one row of raw inputs: 100 * network(row / column_max)."""
        scaled = (np.asarray(row, dtype=float) / self.column_max).tolist()
        return predict(self.model, [scaled])[0] * self.score_scale


@dataclass
class ExamScoreResult:
    """What the exam-score demo produced."""

    score_model: ScoreModel
    fitted_scores: list[float]
    question: tuple[float, float]
    predicted_score: float
    files: dict[str, Path] = field(default_factory=dict)


def train_score_model(
    X: np.ndarray,
    y: np.ndarray,
    *,
    hidden: Sequence[int] = (3,),
    iterations: int = 1000,
    lr: float = 1.0,
    score_scale: float = 100.0,
    seed: int = 0,
    quiet: bool = True,
    report_every: int = 0,
) -> ScoreModel:
    """Train a sigmoid network with hidden layer sizes `hidden` on any number of input columns.

    Inputs are scaled by each column's maximum, targets by 1/score_scale; full-batch
    gradient descent on E = 1/2 sum (y - o)^2.  The starting weights' loss and gradients
    are checked against the NumPy reference.  report_every > 0 prints that check, then
    mean((y - o)^2) every report_every iterations.
    """
    column_max = np.abs(X).max(axis=0)
    column_max[column_max == 0] = 1.0
    model = score_network(X.shape[1], hidden, seed)
    check = check_against_reference(model, X / column_max, y / score_scale, "half_sse")
    if report_every:
        say(check.line())

    def report(epoch: int, history: History) -> None:
        if report_every and (epoch % report_every == 0 or epoch == 1):
            mean_squared = 2.0 * history.loss[-1] / len(X)  # E = 1/2 sum -> mean((y - o)^2)
            say(f"    iteration {epoch:>5}: loss mean((y - o)^2) = {mean_squared:.6f}")

    history = fit(
        model,
        X / column_max,
        y / score_scale,
        loss="half_sse",
        lr=lr,
        epochs=iterations,
        quiet=quiet,
        desc="exam score",
        on_epoch=report,
    )
    return ScoreModel(model, column_max, score_scale, history, check)


def score_network(n_inputs: int, hidden: Sequence[int] = (3,), seed: int = 0) -> MLP:
    """Sigmoid layers n_inputs -> hidden... -> 1; weights w ~ N(0, 1) from the seed, biases 0 (MLP's start)."""
    model = MLP(n_inputs, [*hidden, 1], activation="sigmoid", output_activation="sigmoid", rng=seed)
    draw = random.Random(seed)
    for layer in model.layers:
        for neuron in layer.neurons:
            for w in neuron.w:
                w.data = draw.gauss(0.0, 1.0)
    return model


def run_exam_score(
    out_dir: str | Path = DEFAULT_OUT,
    *,
    iterations: int = 1000,
    hidden: Sequence[int] = (3,),
    seed: int = 0,
    quiet: bool = False,
) -> ExamScoreResult:
    """Train the 2-3-1 exam network, print the loss as it trains, then predict 4 hours studied and 8 slept."""
    X, y = datasets.exam_scores()
    sizes = "-".join(str(n) for n in (X.shape[1], *hidden, 1))
    say(f"exam score: (hours studied, hours slept) -> score; {sizes} sigmoid network, {iterations} iterations")
    say(f"inputs divided by the column maxima {X.max(axis=0).tolist()}, scores divided by 100")
    trained = train_score_model(
        X,
        y,
        hidden=hidden,
        iterations=iterations,
        seed=seed,
        quiet=quiet,
        report_every=max(iterations // 10, 1),
    )
    fitted = [trained.predict_score(row) for row in X.tolist()]
    say(f"actual scores    {y.tolist()}")
    say(f"predicted scores {[round(s, 2) for s in fitted]}")
    question = (4.0, 8.0)
    scaled = (np.asarray(question) / trained.column_max).round(4).tolist()
    score = trained.predict_score(question)
    say(f"4 hours studied, 8 slept: scaled the same way to {scaled}, predicted score {score:.1f}")
    say(f"trained in {trained.history.seconds:.2f} s")
    folder = output_folder(out_dir, "exam_score")
    curve = [2.0 * e / len(X) for e in trained.history.loss]
    files = {
        "loss curve": plots.loss_curve(
            {"mean (y - o)^2": curve}, folder / "loss.png", f"exam score {sizes}: loss per iteration", log_scale=True
        )
    }
    for name, path in files.items():
        say(f"{name}: {path}")
    return ExamScoreResult(trained, fitted, question, score, files)
