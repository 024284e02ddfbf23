"""Demo 3: the regression tutorial's 4-5-1 network, its update rule, and the true gradient, side by side.

a, b, c, d ~ U[0, 1], 10,000 samples; target sigmoid(0.1a) + 0.4 sigmoid(b)
- 0.2 sigmoid(c) + sigmoid(d).  Network: 4 inputs, 5 sigmoid hidden units, one
linear output, with the tutorial's layout: each layer's W has the biases in row 0
and a 1 is put in front of each layer's input.  Everything starts from the
weights the tutorial prints.

The tutorial's loss is L = 1/2 mean_d (yhat_d - y_d)^2 (it averages instead of
summing), whose gradient is mean_d(e_d * dyhat_d/dw) with e_d = yhat_d - y_d.
Its update is a different thing: mean(e) * mean_d(dyhat_d/dw), the mean error
times the mean slope.  That step is zero as soon as the errors average to 0,
whatever the single errors are: the output bias (slope 1 for every row) gets the
mean error to 0 within a few steps, and then nothing moves again.  That
is the plateau the tutorial reports (0.0514 on its data), not a minimum.  Its
per-row gradient (calculate_gradients) is also wrong in the hidden layer:
transposed, and each hidden unit uses the output weight of the unit before it
(the bias for the first); micrograd_nn.checks.learner_backprop.check_gradients says so.

The demo prints the RMSE after each epoch of the tutorial's rule (NumPy, as the
tutorial computes it) next to the true gradient (the engine's backward(), same
learning rates: 0.2 for 25 epochs, then 0.1), the same two after a long run
(NumPy reference), the RMSE of always predicting the mean, and the checker's
report.  Then Adam on mini-batches from the same weights, a table of ten
held-out rows, and the starting weights checked against the NumPy reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from micrograd_nn.checks.learner_backprop import GradientReport, check_gradients
from micrograd_nn.checks.reference import ReferenceMLP
from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.training import datasets, losses
from micrograd_nn.training.optim import Adam
from micrograd_nn.training.train import History, fit, predict, rmse
from micrograd_nn.tutorials import plots
from micrograd_nn.tutorials.common import DEFAULT_OUT, ReferenceCheck, check_against_reference, output_folder, say

TUTORIAL_PLATEAU = 0.0514  # the RMSE the tutorial's run levels off at, on its own data

# the starting weights the tutorial prints, layout "bias_row_first" (row 0 = biases)
TUTORIAL_W1 = np.array(
    [
        [-0.35488876, -0.23659869, -0.33867314, 0.36387468, 0.32611655],
        [-0.26065506, -1.05467748, 0.18559385, 0.25842844, -0.40552946],
        [-0.08049153, -0.62635345, 0.52101412, -0.08069795, -0.83872539],
        [-0.72111432, -0.29579596, -0.27537176, 0.66396855, 0.20578943],
        [0.52081198, -0.68363231, 0.01350068, -0.11467529, 0.26864561],
    ]
)
TUTORIAL_W2 = np.array([[0.03878111], [0.70394749], [-0.84874312], [0.50273702], [-0.8350314], [-0.26286314]])
TUTORIAL_INPUT = [0.003, 0.19, 0.1, 0.39]  # the row the tutorial predicts (-0.3672341) and differentiates


@dataclass
class RegressionResult:
    """What the regression demo produced."""

    mean_baseline: float  # RMSE of always predicting the mean target
    rule_rmse_per_epoch: list[float]  # the tutorial's rule: training RMSE after each epoch's update
    true_rmse_per_epoch: list[float]  # the true gradient (engine): training RMSE after each epoch's update
    true_history: History
    long_epochs: int
    rule_rmse_long: float  # after long_epochs of the tutorial's rule
    true_rmse_long: float  # after long_epochs of the true gradient (NumPy reference)
    gradient_report: GradientReport  # the tutorial's calculate_gradients checked against the engine
    better_history: History
    better_rmse: float  # training RMSE after Adam on mini-batches
    test_rmse: float  # the Adam model on held-out data
    table: list[tuple[float, ...]]  # a, b, c, d, true, prediction
    reference_check: ReferenceCheck  # engine vs NumPy on the starting weights, one mini-batch
    files: dict[str, Path] = field(default_factory=dict)


def tutorial_network(fused: bool = True) -> MLP:
    """4 -> 5 sigmoid -> 1 linear, with the weights the tutorial prints."""
    return MLP.from_matrices(
        [TUTORIAL_W1, TUTORIAL_W2], None, ["sigmoid", "linear"], layout="bias_row_first", fused=fused
    )


def learning_rate(epoch: int, epochs_at_02: int = 25) -> float:
    """The tutorial's schedule: 0.2 for its first run of epochs_at_02 epochs, then 0.1 (epochs counted from 0)."""
    return 0.2 if epoch < epochs_at_02 else 0.1


def half_mean_squared_error(predictions: list[Value], targets: list[float]) -> Value:
    """The tutorial's loss with its averaging: L = 1/2 mean (yhat - y)^2; dL/dw = mean(e dyhat/dw)."""
    return losses.mse(predictions, targets) * 0.5


# -- the tutorial's own arithmetic, re-expressed in NumPy (bias_row_first) -------------------------------


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _with_ones(a: np.ndarray) -> np.ndarray:
    """[1, a] for every row: the tutorial's bias input."""
    return np.hstack([np.ones((a.shape[0], 1)), a])


def tutorial_predictions(W1: np.ndarray, W2: np.ndarray, X: np.ndarray) -> np.ndarray:
    """yhat = [1, sigmoid([1, x] @ W1)] @ W2 for every row of X."""
    return (_with_ones(_sigmoid(_with_ones(X) @ W1)) @ W2)[:, 0]


def tutorial_prediction_gradients(W1: np.ndarray, W2: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's calculate_gradients for every row: (n, 5, 5) and (n, 6, 1), its mistakes kept.

    Output layer (right): dyhat/dW2 = [1, h].  Hidden layer (wrong): entry [j, i] holds
    input_i * W2[j] * h_j (1 - h_j), so it is transposed (the weight is W1[i, j]) and unit j
    uses W2[j], the output weight one row up (the bias for j = 0), instead of W2[j + 1].
    """
    inputs = _with_ones(X)
    hidden = _sigmoid(inputs @ W1)
    units = W1.shape[1]
    per_unit = W2[:units, 0] * hidden * (1 - hidden)  # row d, unit j: W2[j] h_j (1 - h_j)
    hidden_grads = per_unit[:, :, None] * inputs[:, None, :]  # [d, j, i]
    output_grads = _with_ones(hidden)[:, :, None]
    return hidden_grads, output_grads


def tutorial_rule(W1: np.ndarray, W2: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's step direction: mean(e) times the mean of its per-row gradients.

    As printed, the stack it averages starts with the weight matrix itself, so the mean
    runs over n + 1 matrices, one of them the weights.
    """
    errors = tutorial_predictions(W1, W2, X) - y
    hidden_grads, output_grads = tutorial_prediction_gradients(W1, W2, X)
    n = len(X)
    mean_hidden = (W1 + hidden_grads.sum(axis=0)) / (n + 1)
    mean_output = (W2 + output_grads.sum(axis=0)) / (n + 1)
    return errors.mean() * mean_hidden, errors.mean() * mean_output


def _rmse(predictions: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((predictions - y) ** 2)))


def run_tutorial_rule(
    X: np.ndarray, y: np.ndarray, epochs: int, schedule: Callable[[int], float] = learning_rate
) -> list[float]:
    """The tutorial's rule from its printed weights: the RMSE after each epoch's update w -= lr * step."""
    W1, W2 = TUTORIAL_W1.copy(), TUTORIAL_W2.copy()
    after = []
    for epoch in range(epochs):
        step1, step2 = tutorial_rule(W1, W2, X, y)
        W1, W2 = W1 - schedule(epoch) * step1, W2 - schedule(epoch) * step2
        after.append(_rmse(tutorial_predictions(W1, W2, X), y))
    return after


def run_true_gradient_reference(
    X: np.ndarray, y: np.ndarray, epochs: int, schedule: Callable[[int], float] = learning_rate
) -> float:
    """Gradient descent on 1/2 mean (yhat - y)^2 from the printed weights, by the NumPy reference; the final RMSE."""
    reference = ReferenceMLP.from_mlp(tutorial_network())
    targets = y.reshape(-1, 1)
    for epoch in range(epochs):
        _, grads_w, grads_b = reference.loss_and_grads(X, targets, "mse")  # mse = 2 x the tutorial's loss
        for k in range(len(reference.weights)):
            reference.weights[k] = reference.weights[k] - schedule(epoch) * 0.5 * grads_w[k]
            reference.biases[k] = reference.biases[k] - schedule(epoch) * 0.5 * grads_b[k]
    return _rmse(reference.forward(X)[:, 0], y)


def check_tutorial_gradients() -> GradientReport:
    """The tutorial's calculate_gradients on its example row, checked against dyhat/dw from the engine."""
    row = np.array([TUTORIAL_INPUT])
    hidden_grads, output_grads = tutorial_prediction_gradients(TUTORIAL_W1, TUTORIAL_W2, row)
    return check_gradients(
        [hidden_grads[0], output_grads[0]], tutorial_network(), row, None, loss="output", layout="bias_row_first"
    )


# -- the demo -----------------------------------------------------------------------------------------------


def run_regression(
    out_dir: str | Path = DEFAULT_OUT,
    *,
    n_samples: int = 10_000,
    epochs_at_02: int = 25,
    epochs_at_01: int = 15,
    long_epochs: int = 2_000,
    better_epochs: int = 10,
    batch_size: int = 50,
    seed: int = 0,
    quiet: bool = False,
) -> RegressionResult:
    """The tutorial's rule next to the true gradient from its printed weights, the checker's report, then Adam."""
    X, y = datasets.hyperplane_regression(n_samples, seed=seed)
    X_test, y_test = datasets.hyperplane_regression(1000, seed=seed + 1)
    epochs = epochs_at_02 + epochs_at_01

    def schedule(epoch: int) -> float:
        return learning_rate(epoch, epochs_at_02)

    say(f"regression: {n_samples} samples, target sigmoid(0.1a) + 0.4 sigmoid(b) - 0.2 sigmoid(c) + sigmoid(d)")
    say("4-5-1 network (sigmoid hidden, linear output), from the weights the tutorial prints (biases in row 0 of W)")
    mean_baseline = _rmse(np.full_like(y, y.mean()), y)
    say(f"always predicting the mean target: RMSE {mean_baseline:.5f}")
    model = tutorial_network()
    check = check_against_reference(model, X[:batch_size], y[:batch_size], "mse")
    say(check.line())

    say("")
    say("the tutorial's calculate_gradients on its example row, checked against dyhat/dw from the engine:")
    report = check_tutorial_gradients()
    for line in str(report).splitlines():
        say("    " + line)

    say("")
    say(f"lr 0.2 for {epochs_at_02} epochs, then 0.1 for {epochs_at_01}; training RMSE after each epoch's update:")
    say("    its rule = mean(e) * mean(dyhat/dw) (NumPy, as the tutorial); true gradient = mean(e * dyhat/dw)")
    say("    of its loss 1/2 mean e^2 (the engine's backward())")
    rule_after = run_tutorial_rule(X, y, epochs, schedule)
    true_after: list[float] = []

    def report_epoch(epoch: int, history: History) -> None:
        # full batch, no shuffling: the loss fit measures before epoch k's update is that of
        # the weights epoch k-1's update left (loss = 1/2 mean e^2, so RMSE = sqrt(2 loss))
        if epoch > 1:
            true_after.append(math.sqrt(2.0 * history.loss[-1]))
            _print_row(epoch - 1, schedule(epoch - 2), rule_after[epoch - 2], true_after[-1])

    say(f"    {'epoch':>5} {'lr':>4} {'its rule':>10} {'true gradient':>14}")
    true_history = fit(
        model,
        X,
        y,
        loss=half_mean_squared_error,
        lr=0.2,
        epochs=epochs,
        lr_schedule=schedule,
        quiet=quiet,
        desc="true gradient",
        on_epoch=report_epoch,
    )
    true_after.append(rmse(model, X, y))
    _print_row(epochs, schedule(epochs - 1), rule_after[-1], true_after[-1])

    rule_long = run_tutorial_rule(X, y, long_epochs, schedule)[-1]
    true_long = run_true_gradient_reference(X, y, long_epochs, schedule)
    say(f"after {long_epochs} epochs (NumPy): its rule RMSE {rule_long:.5f}, true gradient RMSE {true_long:.5f}")
    say("why its rule stops: its step is mean(e) * mean(dyhat/dw), zero as soon as the errors average to 0,")
    say("however large each error is.  The output bias, whose slope is 1 on every row, brings mean(e) to 0")
    say(f"within a few steps, and every step after that is about 0: the RMSE freezes at {rule_after[-1]:.5f}")
    say(f"(the tutorial's {TUTORIAL_PLATEAU} on its data), which is not a minimum.  The gradient of its loss,")
    say("mean(e * dyhat/dw), weighs each row's slope by that row's own error and keeps going down.")

    say("")
    say(f"Adam (lr 0.01) on mini-batches of {batch_size}, {better_epochs} epochs, from the same printed weights:")
    better = tutorial_network()
    better_history = fit(
        better,
        X,
        y,
        loss="mse",
        optimizer=Adam(better.parameters(), lr=0.01),
        epochs=better_epochs,
        batch_size=batch_size,
        seed=seed,
        quiet=quiet,
        desc="adam",
        metrics={"rmse": lambda m: rmse(m, X, y)},
        on_epoch=lambda epoch, h: say(f"    epoch {epoch:>3}: RMSE {h.metrics['rmse'][-1]:.5f}"),
    )
    better_rmse = better_history.metrics["rmse"][-1]
    test_predictions = predict(better, X_test)
    test_rmse = _rmse(np.array(test_predictions), y_test)
    say(f"Adam: training RMSE {better_rmse:.5f}, held-out RMSE {test_rmse:.5f}; {better_history.seconds:.1f} s")

    say("")
    say("ten held-out rows:")
    say(f"    {'a':>6} {'b':>6} {'c':>6} {'d':>6} {'true':>8} {'predicted':>10}")
    table = []
    for row, truth, guess in list(zip(X_test.tolist(), y_test.tolist(), test_predictions))[:10]:
        table.append((*row, truth, guess))
        say("    " + " ".join(f"{v:6.3f}" for v in row) + f" {truth:8.4f} {guess:10.4f}")

    folder = output_folder(out_dir, "regression")
    files = {
        "loss curve": plots.loss_curve(
            {
                "the tutorial's rule": rule_after,
                "true gradient": true_after,
                "Adam, mini-batches": better_history.metrics["rmse"],
                "predict the mean": [mean_baseline] * max(epochs, better_epochs),
            },
            folder / "loss.png",
            "regression 4-5-1 from the tutorial's weights: training RMSE per epoch",
            ylabel="RMSE",
            log_scale=True,
        ),
        "predicted vs true": plots.predicted_vs_true(
            y_test.tolist(),
            test_predictions,
            folder / "predicted_vs_true.png",
            f"held-out data: RMSE {test_rmse:.4f}",
        ),
    }
    for name, path in files.items():
        say(f"{name}: {path}")
    return RegressionResult(
        mean_baseline,
        rule_after,
        true_after,
        true_history,
        long_epochs,
        rule_long,
        true_long,
        report,
        better_history,
        better_rmse,
        test_rmse,
        table,
        check,
        files,
    )


def _print_row(epoch: int, lr: float, rule: float, true: float) -> None:
    say(f"    {epoch:>5} {lr:>4.1f} {rule:>10.5f} {true:>14.5f}")
