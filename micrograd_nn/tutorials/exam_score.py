"""Demo 2: the exam-score tutorial's 2-3-1 sigmoid network without biases, on the Value engine.

X = (hours studied, hours slept) = [[2,9],[1,5],[3,6]], y = [92,86,89].
Each input column is divided by its maximum and the scores by 100, so every
number lies in [0, 1] where a sigmoid output can reach it.  As in the tutorial
the neurons have no biases and the weights start from N(0, 1).  Its update
W += X^T . delta is gradient descent with learning rate 1 on
E = 1/2 sum (y - o)^2; it prints mean((y - o)^2) as it trains.

First the worked example, corrected: weights (.2, .6, .1) from hours studied
and (.8, .3, .7) from hours slept, (.4, .5, .9) to the output, on the raw row
(2, 9): the second hidden sum is 2 x .6 + 9 x .3 = 3.9 (the text has 7.5), and
the output is sigmoid(1.78874...) = 0.8567.  Then short answers to the readers'
questions: sigmoidPrime(o) = o (1 - o) is the derivative written in terms of
the output, what .T does, a learning-rate sweep, a third input and a second
hidden layer with the hand-written backward pass checked by
micrograd_nn.checks.learner_backprop.check_gradients, and the score for 4 hours studied and 8 slept.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from micrograd_nn.checks.learner_backprop import GradientReport, check_gradients
from micrograd_nn.nn import MLP
from micrograd_nn.training import datasets
from micrograd_nn.training.train import History, fit, predict
from micrograd_nn.tutorials import plots
from micrograd_nn.tutorials.common import DEFAULT_OUT, output_folder, say

WORKED_W1 = [[0.2, 0.6, 0.1], [0.8, 0.3, 0.7]]  # row 0: from hours studied, row 1: from hours slept
WORKED_W2 = [[0.4], [0.5], [0.9]]
WORKED_ROW = [2.0, 9.0]  # the text feeds the raw hours here, not the scaled ones
LEARNING_RATES = (0.1, 0.5, 1.0, 2.0, 5.0)


@dataclass
class WorkedExample:
    """The tutorial's worked example, every number read from the engine's graph."""

    hidden_sums: list[float]  # z = row . W1
    hidden: list[float]  # sigmoid(z)
    output_sum: float  # hidden . W2
    output: float  # sigmoid(output_sum)


@dataclass
class ScoreModel:
    """A trained score network with the scaling it was trained with."""

    model: MLP
    column_max: np.ndarray  # inputs are divided by these
    score_scale: float  # outputs are multiplied by this
    history: History
    gradient_report: GradientReport  # the tutorial's backward pass on the starting weights vs the engine

    def predict_score(self, row: Sequence[float]) -> float:
        """The score for one row of raw inputs: 100 * network(row / column_max)."""
        scaled = (np.asarray(row, dtype=float) / self.column_max).tolist()
        return predict(self.model, [scaled])[0] * self.score_scale


@dataclass
class ExamScoreResult:
    """What the exam-score demo produced."""

    worked: WorkedExample
    score_model: ScoreModel
    fitted_scores: list[float]
    question: tuple[float, float]
    predicted_score: float
    sweep: dict[float, float]  # learning rate -> mean((y - o)^2) after the run
    deeper: ScoreModel  # a second hidden layer
    wider: ScoreModel  # a third input column
    files: dict[str, Path] = field(default_factory=dict)


def worked_example() -> WorkedExample:
    """The worked example's forward pass on the engine: sums before the sigmoid are the sigmoid nodes' operands."""
    model = MLP.from_matrices([WORKED_W1, WORKED_W2], None, "sigmoid")
    hidden = model.layers[0].forward(WORKED_ROW)
    output = model.layers[1].forward(hidden)[0]
    return WorkedExample(
        [h.operands[0].data for h in hidden], [h.data for h in hidden], output.operands[0].data, output.data
    )


def tutorial_backward(weights: Sequence[np.ndarray], X: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """The tutorial's backward pass for any number of sigmoid layers without biases: [dE/dW1, dE/dW2, ...].

    E = 1/2 sum (y - o)^2.  delta_out = (o - y) * o (1 - o), sigmoidPrime taking the output o;
    dE/dW_k = A_(k-1)^T . delta_k (the .T sums over the rows); delta_(k-1) = delta_k . W_k^T * A (1 - A).
    The tutorial's W += X^T . (error * slope) with error = y - o is W -= 1 * dE/dW.
    """
    activations = [np.asarray(X, dtype=float)]
    for w in weights:
        activations.append(1.0 / (1.0 + np.exp(-(activations[-1] @ w))))
    output = activations[-1]
    delta = (output - np.asarray(y, dtype=float).reshape(output.shape)) * output * (1 - output)
    grads: list[np.ndarray] = []
    for k in reversed(range(len(weights))):
        grads.insert(0, activations[k].T @ delta)
        delta = (delta @ weights[k].T) * activations[k] * (1 - activations[k])
    return grads


def score_network(n_inputs: int, hidden: Sequence[int] = (3,), seed: int = 0) -> MLP:
    """Sigmoid layers n_inputs -> hidden... -> 1 without biases; weights w ~ N(0, 1) from the seed, as the tutorial."""
    model = MLP(n_inputs, [*hidden, 1], activation="sigmoid", output_activation="sigmoid", bias=False, rng=seed)
    draw = random.Random(seed)
    for p in model.parameters():
        p.data = draw.gauss(0.0, 1.0)
    return model


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
    """Train a sigmoid network without biases, hidden layer sizes `hidden`, on any number of input columns.

    Inputs are scaled by each column's maximum, targets by 1/score_scale; full-batch
    gradient descent on E = 1/2 sum (y - o)^2.  The tutorial's backward pass on the
    starting weights is checked against the engine first.  report_every > 0 prints
    mean((y - o)^2) every report_every iterations.
    """
    column_max = np.abs(X).max(axis=0)
    column_max[column_max == 0] = 1.0
    inputs, targets = X / column_max, y / score_scale
    model = score_network(X.shape[1], hidden, seed)
    weights, _ = model.to_matrices()
    report = check_gradients(tutorial_backward(weights, inputs, targets), model, inputs, targets, loss="half_sse")

    def progress(epoch: int, history: History) -> None:
        if report_every and (epoch % report_every == 0 or epoch == 1):
            mean_squared = 2.0 * history.loss[-1] / len(X)  # E = 1/2 sum -> mean((y - o)^2)
            say(f"    iteration {epoch:>5}: loss mean((y - o)^2) = {mean_squared:.6f}")

    history = fit(
        model, inputs, targets, loss="half_sse", lr=lr, epochs=iterations, quiet=quiet, desc="exam score",
        on_epoch=progress,
    )  # fmt: skip
    return ScoreModel(model, column_max, score_scale, history, report)


def learning_rate_sweep(
    X: np.ndarray, y: np.ndarray, rates: Sequence[float] = LEARNING_RATES, iterations: int = 1000, seed: int = 0
) -> dict[float, float]:
    """mean((y - o)^2) after `iterations` full-batch steps for each learning rate, from the same start."""
    final = {}
    for lr in rates:
        trained = train_score_model(X, y, iterations=iterations, lr=lr, seed=seed)
        outputs = np.array(predict(trained.model, X / trained.column_max))
        final[lr] = float(np.mean((y / trained.score_scale - outputs) ** 2))
    return final


def _say_report(report: GradientReport) -> None:
    for line in str(report).splitlines():
        say(f"        {line}")


def run_exam_score(
    out_dir: str | Path = DEFAULT_OUT,
    *,
    iterations: int = 1000,
    hidden: Sequence[int] = (3,),
    seed: int = 0,
    quiet: bool = False,
) -> ExamScoreResult:
    """The corrected worked example, the 2-3-1 network trained, the readers' questions answered, a prediction."""
    X, y = datasets.exam_scores()
    worked = worked_example()
    say("the worked example, corrected (weights .2 .6 .1 / .8 .3 .7 into the hidden layer, .4 .5 .9 out; row (2, 9)):")
    for j, (w_studied, w_slept) in enumerate(zip(*WORKED_W1)):
        say(
            f"    hidden {j + 1}: 2 x {w_studied} + 9 x {w_slept} = {worked.hidden_sums[j]:.4g}, "
            f"sigmoid = {worked.hidden[j]:.9f}"
        )
    say(f"    output: {worked.output_sum:.5f}, sigmoid = {worked.output:.4f}")
    say("    (the text has 7.5 for the second sum, a sigmoid above 1 for it, and 0.8579 at the end)")

    say("")
    sizes = "-".join(str(n) for n in (X.shape[1], *hidden, 1))
    say(f"exam score: (hours studied, hours slept) -> score; {sizes} sigmoid network, no biases, {iterations} steps")
    say(f"inputs divided by the column maxima {X.max(axis=0).tolist()}, scores divided by 100")
    trained = train_score_model(
        X, y, hidden=hidden, iterations=iterations, seed=seed, quiet=quiet, report_every=max(iterations // 10, 1)
    )
    say("    the tutorial's backward pass on the starting weights, checked against the engine:")
    _say_report(trained.gradient_report)
    fitted = [trained.predict_score(row) for row in X.tolist()]
    say(f"actual scores    {y.tolist()}")
    say(f"predicted scores {[round(s, 2) for s in fitted]}")

    say("")
    say("readers' questions:")
    say("  is sigmoidPrime(o) = o (1 - o) right?  Yes: sigmoid'(z) = s(z)(1 - s(z)), written in terms of the output")
    say("  o = s(z); so it must be given the output (o, z2), never the sum z.  From the engine, on the worked example:")
    model = MLP.from_matrices([WORKED_W1, WORKED_W2], None, "sigmoid")
    out = model.layers[1].forward(model.layers[0].forward(WORKED_ROW))[0]
    out.backward()  # the sum z's .grad is now d sigmoid(z)/dz
    z, o = out.operands[0].data, out.data
    say(
        f"    d sigmoid/dz at z = {z:.5f}: engine {out.operands[0].grad:.6f}, o (1 - o) = {o * (1 - o):.6f}, "
        f"z (1 - z) = {z * (1 - z):.6f} (wrong)"
    )
    say("  what does .T do?  X.T.dot(delta) has entry [i, j] = sum over the rows d of X[d, i] delta[d, j]:")
    say("    the transpose lines the rows up so the product adds every row's contribution to weight i -> j")
    sweep = learning_rate_sweep(X, y, iterations=iterations, seed=seed)
    say(f"  which learning rate?  The tutorial's update uses 1.  mean((y - o)^2) after {iterations} iterations:")
    for lr, value in sweep.items():
        say(f"    lr {lr:>4}: {value:.3e}")
    deeper = train_score_model(X, y, hidden=(3, 3), iterations=iterations, seed=seed)
    say("  adding a layer (2-3-3-1): the same backward pass, one more delta; checked against the engine:")
    _say_report(deeper.gradient_report)
    X3 = np.column_stack([X, [7.0, 4.0, 6.0]])  # a third column, e.g. hours of practice tests
    wider = train_score_model(X3, y, iterations=iterations, seed=seed)
    say("  adding an input (a third column): W1 gets a row; checked against the engine:")
    _say_report(wider.gradient_report)

    question = (4.0, 8.0)
    scaled = (np.asarray(question) / trained.column_max).round(4).tolist()
    score = trained.predict_score(question)
    say("")
    say(f"predicting a new row: 4 hours studied, 8 slept, scaled the same way to {scaled}: score {score:.1f}")
    say(f"trained in {trained.history.seconds:.2f} s")
    folder = output_folder(out_dir, "exam_score")
    curve = [2.0 * e / len(X) for e in trained.history.loss]
    files = {
        "loss curve": plots.loss_curve(
            {"mean (y - o)^2": curve}, folder / "loss.png", f"exam score {sizes}: loss per iteration", log_scale=True,
            xlabel="iteration",
        )
    }
    for name, path in files.items():
        say(f"{name}: {path}")
    return ExamScoreResult(worked, trained, fitted, question, score, sweep, deeper, wider, files)
