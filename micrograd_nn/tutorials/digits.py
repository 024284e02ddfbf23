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

First, though, the tutorial's own backward pass, re-expressed in NumPy with its
mistakes (samples as columns, Z = W @ X + b), is checked entry by entry against
the engine by micrograd_nn.checks.learner_backprop.check_gradients: its m is the whole data set's
row count (1797) where the training rows (797) are summed, so every gradient is
797/1797 of the right one; np.sum without an axis turns each bias gradient into
one number; it stops after two of the three layers; and delta = A3 - Y at the
output is the gradient of softmax cross-entropy, not of the squared error the
text names.  Its forward pass also feeds layer 3 the layer-2 value before its
ReLU.  The corrected backward pass then agrees with the engine everywhere.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from micrograd_nn.checks.learner_backprop import GradientReport, check_gradients
from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.training import datasets, losses
from micrograd_nn.training.optim import Adam
from micrograd_nn.training.train import History, accuracy, fit
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
    tutorial_check: TutorialCheck  # the tutorial's backward pass, as printed and corrected, vs the engine
    files: dict[str, Path] = field(default_factory=dict)


@dataclass
class TutorialCheck:
    """The tutorial's backward pass checked against the engine, as printed (re-expressed) and corrected."""

    data_rows: int  # the tutorial's m: every row of the data set
    train_rows: int  # the rows the gradients are summed over
    forward_difference: float  # largest |probability| change when layer 3 reads Z2 before its ReLU
    as_printed: GradientReport
    corrected: GradientReport


def softmax_squared_error(logits: Sequence[Sequence[Value]], labels: Sequence[int]) -> Value:
    """The tutorial's variant: mean over samples and classes of (softmax(z)_k - onehot(label)_k)^2."""
    probabilities = [losses.softmax(z) for z in logits]
    one_hot = [[1.0 if k == label else 0.0 for k in range(len(z))] for z, label in zip(logits, labels)]
    return losses.mse(probabilities, one_hot)


# -- the tutorial's backward pass, re-expressed (samples are columns: Z = W @ X + b) -----------------------


def tutorial_parameters(sizes: list[int], seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The tutorial's start: W_l ~ 0.5 N(0, 1) of shape (n_out, n_in), b_l ~ 0.5 U[0, 1) of shape (n_out, 1)."""
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((n_out, n_in)) * 0.5 for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [rng.random((n_out, 1)) * 0.5 for n_out in sizes[1:]]
    return weights, biases


def _softmax_columns(z: np.ndarray) -> np.ndarray:
    """softmax of each column: e^(z - max) / sum e^(z - max)."""
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def tutorial_forward(
    weights: list[np.ndarray], biases: list[np.ndarray], X: np.ndarray, *, relu_before_layer_3: bool = True
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """([Z1, Z2, Z3], [X, A1, A2, A3]) with A_l = relu(Z_l) and A3 = softmax(Z3).

    relu_before_layer_3=False is the tutorial's slip: Z3 = W3 @ Z2 + b3 reads Z2 before its ReLU.
    """
    (W1, W2, W3), (b1, b2, b3) = weights, biases
    Z1 = W1 @ X + b1
    A1 = np.maximum(Z1, 0.0)
    Z2 = W2 @ A1 + b2
    A2 = np.maximum(Z2, 0.0)
    Z3 = W3 @ (A2 if relu_before_layer_3 else Z2) + b3
    return [Z1, Z2, Z3], [X, A1, A2, _softmax_columns(Z3)]


def _one_hot_columns(labels: np.ndarray, classes: int) -> np.ndarray:
    Y = np.zeros((classes, len(labels)))
    Y[labels, np.arange(len(labels))] = 1.0
    return Y


def tutorial_backward_as_printed(
    weights: list[np.ndarray], biases: list[np.ndarray], X: np.ndarray, labels: np.ndarray, m: int
) -> list[np.ndarray | None]:
    """The tutorial's backward pass with its mistakes: [dW1, db1, dW2, db2, dW3, db3].

    delta3 = A3 - Y (cross-entropy's), divided by m = every row of the data set,
    bias gradients summed over every axis (one number), and layer 1 never reached (None).
    """
    Z, A = tutorial_forward(weights, biases, X)
    dZ3 = A[3] - _one_hot_columns(labels, A[3].shape[0])
    dW3 = dZ3 @ A[2].T / m
    db3 = np.sum(dZ3) / m
    dZ2 = (weights[2].T @ dZ3) * (Z[1] > 0)
    dW2 = dZ2 @ A[1].T / m
    db2 = np.sum(dZ2) / m
    return [None, None, dW2, db2, dW3, db3]


def tutorial_backward_corrected(
    weights: list[np.ndarray], biases: list[np.ndarray], X: np.ndarray, labels: np.ndarray
) -> list[np.ndarray]:
    """dL/dW_l, dL/db_l for L = mean over the columns of -ln softmax(Z3)_label, all three layers."""
    Z, A = tutorial_forward(weights, biases, X)
    n = X.shape[1]  # the rows actually summed
    delta = (A[3] - _one_hot_columns(labels, A[3].shape[0])) / n
    grads: list[np.ndarray] = []
    for layer in (2, 1, 0):
        grads = [delta @ A[layer].T, delta.sum(axis=1, keepdims=True), *grads]
        if layer:
            delta = (weights[layer].T @ delta) * (Z[layer - 1] > 0)
    return grads


def check_tutorial_backward(data_rows: int = 1797, dev_rows: int = 1000, seed: int = 0) -> TutorialCheck:
    """The tutorial's split (shuffle, first dev_rows for dev, the rest to train) and both backward passes checked."""
    X_all, y_all = datasets.digits()
    order = np.random.default_rng(seed).permutation(len(X_all))[:data_rows]
    X, y = X_all[order][dev_rows:].T, y_all[order][dev_rows:]  # samples as columns, as the tutorial
    sizes = [X.shape[0], 32, 16, 10]
    weights, biases = tutorial_parameters(sizes, seed)
    model = MLP.from_matrices(weights, biases, ["relu", "relu", "linear"], layout="neurons_by_inputs", fused=True)
    engine_probabilities = np.array([[p.data for p in losses.softmax(model.forward(x))] for x in X.T.tolist()]).T
    slipped = tutorial_forward(weights, biases, X, relu_before_layer_3=False)[1][3]
    as_printed = check_gradients(
        tutorial_backward_as_printed(weights, biases, X, y, m=data_rows),
        model,
        X,
        y,
        loss="softmax_mse",
        layout="neurons_by_inputs",
    )
    corrected = check_gradients(
        tutorial_backward_corrected(weights, biases, X, y),
        model,
        X,
        y,
        loss="softmax_cross_entropy",
        layout="neurons_by_inputs",
    )
    difference = float(np.max(np.abs(slipped - engine_probabilities)))
    return TutorialCheck(data_rows, X.shape[1], difference, as_printed, corrected)


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
    say("the tutorial's backward pass, re-expressed with its mistakes, checked against the engine:")
    tutorial = check_tutorial_backward(seed=seed)
    say(
        f"(8x8 digits, 64-32-16-10, its split: {tutorial.data_rows} rows, the last {tutorial.train_rows} to train; "
        "the text says squared error, so the check asks for the squared error of the softmax probabilities)"
    )
    say(
        f"its forward pass feeds layer 3 the layer-2 value before its ReLU: the probabilities move by up to "
        f"{tutorial.forward_difference:.4f}; the backward passes below use the forward pass with the ReLU"
    )
    for line in str(tutorial.as_printed).splitlines():
        say("    " + line)
    say("corrected (m = the rows summed, bias sums over the samples only, all three layers, named for what it is:")
    say("softmax cross-entropy):")
    for line in str(tutorial.corrected).splitlines():
        say("    " + line)
    say("")
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
    return DigitsResult(model, history, dev_accuracy, train_accuracy, seconds, sizes, check, tutorial, files)
