"""Demo 3: the regression tutorial's 4-5-1 network, on the Value engine.

a, b, c, d ~ U[0, 1], 10,000 samples; target sigmoid(0.1a) + 0.4 sigmoid(b)
- 0.2 sigmoid(c) + sigmoid(d).  Network: 4 inputs, 5 sigmoid hidden units, one
linear output.  Training as in the tutorial: full-batch gradient descent on the
mean squared error with learning rate 0.2 for 25 epochs, then 0.1 for 15,
printing RMSE = sqrt(mean (prediction - target)^2) after each epoch's update.  The
tutorial's run levels off near RMSE 0.0514.  Then the same network, from the
same starting weights, trained with Adam on mini-batches shows how far below
that plateau it can go.  A table compares ten held-out rows.  The starting
weights' loss and gradients on one mini-batch are checked against the NumPy
reference (micrograd_nn.reference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from micrograd_nn import datasets
from micrograd_nn.nn import MLP
from micrograd_nn.optim import Adam
from micrograd_nn.train import History, fit, predict, rmse
from micrograd_nn.tutorials import plots
from micrograd_nn.tutorials.common import DEFAULT_OUT, ReferenceCheck, check_against_reference, output_folder, say

TUTORIAL_PLATEAU = 0.0514


@dataclass
class RegressionResult:
    """What the regression demo produced."""

    tutorial_history: History
    tutorial_rmse: float  # training RMSE after the tutorial's 40 full-batch epochs
    tutorial_rmse_per_epoch: list[float]  # training RMSE after each full-batch epoch's update
    better_history: History
    better_rmse: float  # training RMSE after Adam on mini-batches
    test_rmse: float  # the better model on held-out data
    table: list[tuple[float, ...]]  # a, b, c, d, true, prediction
    reference_check: ReferenceCheck  # engine vs NumPy on the starting weights, one mini-batch
    files: dict[str, Path] = field(default_factory=dict)


def regression_network(seed: int = 0) -> MLP:
    """4 inputs -> 5 sigmoid hidden units -> 1 linear output (fused dot nodes for speed)."""
    return MLP(4, [5, 1], activation="sigmoid", output_activation="linear", init="xavier", rng=seed, fused=True)


def run_regression(
    out_dir: str | Path = DEFAULT_OUT,
    *,
    n_samples: int = 10_000,
    epochs_at_02: int = 25,
    epochs_at_01: int = 15,
    better_epochs: int = 10,
    batch_size: int = 50,
    seed: int = 0,
    quiet: bool = False,
) -> RegressionResult:
    """The tutorial's full-batch run (RMSE each epoch), then Adam on mini-batches, a table and two plots."""
    X, y = datasets.hyperplane_regression(n_samples, seed=seed)
    X_test, y_test = datasets.hyperplane_regression(1000, seed=seed + 1)
    epochs = epochs_at_02 + epochs_at_01
    say(f"regression: {n_samples} samples, target sigmoid(0.1a) + 0.4 sigmoid(b) - 0.2 sigmoid(c) + sigmoid(d)")
    say("4-5-1 network (sigmoid hidden, linear output); full-batch gradient descent on the mean squared error,")
    say(f"lr 0.2 for {epochs_at_02} epochs then 0.1 for {epochs_at_01}")
    model = regression_network(seed)
    check = check_against_reference(model, X[:batch_size], y[:batch_size], "mse")
    say(check.line())
    say("training RMSE = sqrt(mean (prediction - target)^2) after each epoch's update:")
    rmse_after: list[float] = []

    def report(epoch: int, history: History) -> None:
        # full batch, no shuffling: the loss fit measures before epoch k's update is the
        # mean squared error of the weights left by epoch k-1's update
        if epoch == 1:
            say(f"    start            : RMSE {math.sqrt(history.loss[0]):.5f}")
            return
        rmse_after.append(math.sqrt(history.loss[-1]))
        say(f"    epoch {epoch - 1:>3} (lr {history.lr[-2]:.1f}): RMSE {rmse_after[-1]:.5f}")

    tutorial_history = fit(
        model,
        X,
        y,
        loss="mse",
        lr=0.2,
        epochs=epochs,
        lr_schedule=lambda k: 0.2 if k < epochs_at_02 else 0.1,
        quiet=quiet,
        desc="full batch",
        on_epoch=report,
    )
    tutorial_rmse = rmse(model, X, y)
    rmse_after.append(tutorial_rmse)
    say(f"    epoch {epochs:>3} (lr {tutorial_history.lr[-1]:.1f}): RMSE {tutorial_rmse:.5f}")
    say(
        f"after {epochs} full-batch epochs: RMSE {tutorial_rmse:.5f} (the tutorial's plateau: {TUTORIAL_PLATEAU}); "
        f"{tutorial_history.seconds:.1f} s"
    )
    if tutorial_rmse > TUTORIAL_PLATEAU:
        say(
            f"    ({epochs} full-batch steps on the mean error are only {epochs} small steps: from these starting "
            "weights the run is still above the tutorial's plateau, and still falling)"
        )

    say("")
    say(
        f"the same network from the same starting weights, Adam (lr 0.01) on mini-batches of {batch_size}, "
        f"{better_epochs} epochs:"
    )
    better = regression_network(seed)
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
    test_rmse = math.sqrt(sum((p - t) ** 2 for p, t in zip(test_predictions, y_test.tolist())) / len(y_test))
    if better_rmse < TUTORIAL_PLATEAU:
        versus = f"{TUTORIAL_PLATEAU / better_rmse:.1f} times lower than the tutorial's plateau"
    else:
        versus = "not yet below the tutorial's plateau: train longer"
    say(
        f"Adam: training RMSE {better_rmse:.5f}, held-out RMSE {test_rmse:.5f} ({versus}); "
        f"{better_history.seconds:.1f} s"
    )

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
                "full-batch GD, lr 0.2 then 0.1": rmse_after,
                "Adam, mini-batches": better_history.metrics["rmse"],
                "tutorial's plateau": [TUTORIAL_PLATEAU] * max(epochs, better_epochs),
            },
            folder / "loss.png",
            "regression 4-5-1: training RMSE per epoch",
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
        tutorial_history, tutorial_rmse, rmse_after, better_history, better_rmse, test_rmse, table, check, files
    )
