"""Demo 4: the handwritten-digits tutorial's network, on the Value engine.

The tutorial trains 784-32-16-10 (ReLU hidden layers, softmax output) on
MNIST.  Embedded by default: scikit-learn's 1797 8x8 digits (shipped with the
package) with 64-32-16-10, a held-out dev split, mini-batches, and softmax
cross-entropy loss = mean over samples of -ln softmax(z)_label (the tutorial's
squared error between softmax(z) and the one-hot label is an option).  Dev
accuracy is printed after each epoch, and the time it took.  With a path to
an MNIST CSV (label, then 784 pixels) it trains the tutorial's 784-32-16-10.
Before training, one mini-batch's softmax cross-entropy and every gradient on
the starting weights are checked against the NumPy reference.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from micrograd_nn import datasets, losses
from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.optim import Adam
from micrograd_nn.train import History, accuracy, fit
from micrograd_nn.tutorials import plots
from micrograd_nn.tutorials.common import (
    DEFAULT_OUT,
    ReferenceCheck,
    check_against_reference,
    output_folder,
    percent,
    say,
)

MNIST_DEFAULT_ROWS = 5_000
MNIST_DEFAULT_EPOCHS = 3


@dataclass
class DigitsResult:
    """What the digits demo produced."""

    model: MLP
    history: History
    dev_accuracy: float
    train_accuracy: float
    seconds: float
    sizes: list[int]
    reference_check: ReferenceCheck  # engine vs NumPy on the starting weights, one mini-batch
    files: dict[str, Path] = field(default_factory=dict)


def softmax_squared_error(logits: Sequence[Sequence[Value]], labels: Sequence[int]) -> Value:
    """The tutorial's variant: mean over samples and classes of (softmax(z)_k - onehot(label)_k)^2."""
    probabilities = [losses.softmax(z) for z in logits]
    one_hot = [[1.0 if k == label else 0.0 for k in range(len(z))] for z, label in zip(logits, labels)]
    return losses.mse(probabilities, one_hot)


def run_digits(
    out_dir: str | Path = DEFAULT_OUT,
    *,
    epochs: int | None = None,
    batch_size: int = 32,
    lr: float = 0.005,
    loss: str = "cross_entropy",
    n_samples: int | None = None,
    mnist_csv: str | Path | None = None,
    mnist_rows: int | None = MNIST_DEFAULT_ROWS,
    seed: int = 0,
    quiet: bool = False,
) -> DigitsResult:
    """Train 64-32-16-10 on the 8x8 digits (or 784-32-16-10 on an MNIST CSV); dev accuracy per epoch.

    epochs defaults to 12 for the 8x8 digits and 3 for MNIST (one 784-input sample costs
    about twelve 64-input ones on the scalar engine).

    loss: "cross_entropy" (softmax cross-entropy) or "squared_error" (the tutorial's variant).
    n_samples keeps only the first rows of the 8x8 set (for quick runs); mnist_rows limits
    the rows read from the CSV (None reads all).
    """
    if loss not in ("cross_entropy", "squared_error"):
        raise ValueError(f"loss must be 'cross_entropy' or 'squared_error', got {loss!r}")
    if mnist_csv is None:
        X, y = datasets.digits()
        source = "scikit-learn's 8x8 handwritten digits"
    else:
        X, y = datasets.load_mnist_csv(mnist_csv, limit=mnist_rows)
        source = f"MNIST from {mnist_csv}" + (f" (first {len(X)} rows)" if mnist_rows else "")
    if epochs is None:
        epochs = 12 if mnist_csv is None else MNIST_DEFAULT_EPOCHS
    if n_samples is not None:
        X, y = X[:n_samples], y[:n_samples]
    X_train, y_train, X_dev, y_dev = datasets.train_dev_split(X, y, dev_fraction=0.2, seed=seed)
    sizes = [X.shape[1], 32, 16, 10]
    model = MLP(sizes[0], sizes[1:], activation="relu", init="he", rng=seed, fused=True)
    loss_fn = losses.softmax_cross_entropy if loss == "cross_entropy" else softmax_squared_error
    say(f"digits: {source}: {len(X_train)} training and {len(X_dev)} dev images of {X.shape[1]} pixels")
    say(
        f"network {'-'.join(map(str, sizes))} (ReLU hidden layers, softmax output), "
        f"{'softmax cross-entropy' if loss == 'cross_entropy' else 'squared error of softmax vs one-hot'}, "
        f"Adam lr {lr}, mini-batches of {batch_size}, {epochs} epochs, {len(model.parameters())} parameters"
    )

    # the reference has softmax cross-entropy, not the squared-error variant: the check uses cross-entropy
    check = check_against_reference(model, X_train[:batch_size], y_train[:batch_size], "softmax_cross_entropy")
    say(check.line())

    def report(epoch: int, history: History) -> None:
        say(
            f"    epoch {epoch:>2}: loss {history.loss[-1]:.4f}, dev accuracy "
            f"{percent(history.metrics['dev accuracy'][-1])}  ({time.perf_counter() - started:.0f} s)"
        )

    started = time.perf_counter()
    history = fit(
        model,
        X_train,
        y_train,
        loss=loss_fn,
        optimizer=Adam(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        quiet=quiet,
        desc="digits",
        metrics={"dev accuracy": lambda m: accuracy(m, X_dev, y_dev, rule="argmax")},
        on_epoch=report,
    )
    seconds = time.perf_counter() - started
    dev_accuracy = history.metrics["dev accuracy"][-1]
    train_accuracy = accuracy(model, X_train, y_train, rule="argmax")
    say(
        f"dev accuracy {percent(dev_accuracy)}, training accuracy {percent(train_accuracy)}; "
        f"training took {seconds:.1f} s ({len(X_train) * epochs / seconds:.0f} samples per second)"
    )
    folder = output_folder(out_dir, "digits")
    files = {
        "loss curve": plots.loss_curve(
            {"training loss": history.loss}, folder / "loss.png", f"digits {'-'.join(map(str, sizes))}: loss per epoch"
        ),
        "dev accuracy": plots.loss_curve(
            {"dev accuracy": history.metrics["dev accuracy"]},
            folder / "dev_accuracy.png",
            "digits: dev accuracy per epoch",
            ylabel="accuracy",
        ),
    }
    for name, path in files.items():
        say(f"{name}: {path}")
    return DigitsResult(model, history, dev_accuracy, train_accuracy, seconds, sizes, check, files)
