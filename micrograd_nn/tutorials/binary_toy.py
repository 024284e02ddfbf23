"""Demo 1: the one-hidden-layer sigmoid tutorial, on the Value engine.

X = [[1,0,1,0],[1,0,1,1],[0,1,0,1]], y = [1,1,0]; a 4-3-1 network with
sigmoid hidden and output units; loss E = 1/2 sum (output - y)^2 over the
three samples; full-batch gradient descent with learning rate 0.1 for 5000
epochs, then per-sample SGD on the same data.  As in the tutorial, every
weight and bias starts from U[0, 1).

The "matrix view" walks one epoch the way the tutorial does, but each matrix
is read from our engine's graph (activations from .data, slopes from the
sigmoid nodes' local derivatives, deltas from .grad), and the weight gradients
are checked equal to the NumPy reference (micrograd_nn.checks.reference).  In the
tutorial's signs: E = y - output, d_output = E * slope_output = -dLoss/dz_out,
d_hidden = (d_output . wout^T) * slope_hidden = -dLoss/dz_hidden, and the update
wout += hidden^T . d_output * lr is w -= lr * dLoss/dw.

The seed-42 walk-through (the article's second half: X = [[1,0,0,0],[1,0,1,1],
[0,1,0,1]], no biases, weights from U[0, 1) after np.random.seed(42)) is then
reproduced matrix by matrix from the engine: its starting errors
1/2 (y - o)^2 = [0.05013458, 0.03727248, 0.25388062] come from the first draw
of the weights, while its 1000-epoch error log (0.11553 at epoch 0 ... 0.01190
at epoch 900, the mean of those errors) comes only from a second draw, trained
with learning rate 0.1 where the text says 0.01.  The hand-written gradient
matrices are checked by micrograd_nn.checks.learner_backprop.check_gradients.

A second part trains 10 sigmoid hidden neurons on the moons (and on three
blobs as an extra) and plots the decision boundaries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from micrograd_nn.checks.learner_backprop import GradientReport, check_gradients
from micrograd_nn.checks.numpy_backprop import product
from micrograd_nn.checks.reference import ReferenceMLP, mlp_gradients
from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.training import datasets, losses
from micrograd_nn.training.optim import Adam
from micrograd_nn.training.train import History, accuracy, fit, predict
from micrograd_nn.tutorials import plots
from micrograd_nn.tutorials.common import DEFAULT_OUT, output_folder, percent, say


@dataclass
class MatrixView:
    """One epoch of the tutorial's matrix walk, every matrix read from the engine."""

    matrices: dict[str, np.ndarray]
    largest_difference: float  # max |engine - NumPy reference| over the loss, activations and gradients


@dataclass
class WalkThrough:
    """The seed-42 walk-through reproduced from the engine."""

    matrices: dict[str, np.ndarray]  # the walk-through's matrices (samples as columns, as it prints them)
    starting_errors: list[float]  # 1/2 (y - o)^2 per sample, first draw of the weights
    gradient_report: GradientReport  # its hand-written dE/dwho, dE/dwih against the engine
    epoch_errors: list[float]  # mean 1/2 (y - o)^2 at epochs 0, 100, ..., second draw, lr 0.1
    text_lr_errors: list[float]  # the same with the text's learning rate 0.01
    first_draw_errors: list[float]  # the same from the first draw with lr 0.1


@dataclass
class BinaryToyResult:
    """What the binary-toy demo produced."""

    full_batch_outputs: list[float]
    per_sample_outputs: list[float]
    full_batch: History
    per_sample: History
    matrix_view: MatrixView
    walkthrough: WalkThrough
    moons_accuracy: float
    blobs_accuracy: float
    files: dict[str, Path] = field(default_factory=dict)


def tutorial_network(seed: int = 0) -> MLP:
    """The 4-3-1 sigmoid network with every weight and bias drawn from U[0, 1), as the tutorial does."""
    model = MLP(4, [3, 1], activation="sigmoid", output_activation="sigmoid", rng=seed)
    draw = random.Random(seed)
    for p in model.parameters():
        p.data = draw.uniform(0.0, 1.0)
    return model


def _weights(model: MLP, layer: int) -> np.ndarray:
    """Layer weights as the tutorial's matrix: row i = input i, column j = neuron j."""
    return model.to_matrices("inputs_by_neurons")[0][layer]


def _biases(model: MLP, layer: int) -> np.ndarray:
    """Layer biases as a 1 x width row, as the tutorial's bh and bout."""
    biases = model.to_matrices("inputs_by_neurons")[1]
    if biases is None:
        raise ValueError("the matrix view needs a network with biases")
    return biases[layer]


def _slope(node: Value) -> float:
    """d(node)/d(its operand): the local derivative the engine stored in the forward pass."""
    derivatives = node.local_grads
    if not derivatives:
        raise ValueError(f"{node.op!r} node keeps no local derivative")
    return derivatives[0]


def matrix_view(model: MLP, X: np.ndarray, y: np.ndarray, lr: float = 0.1) -> MatrixView:
    """One full-batch epoch as the tutorial's matrices, read from the engine and checked against NumPy.

    The model's weights are updated (w -= lr * dE/dw) as the epoch's last step.
    """
    reference = ReferenceMLP.from_mlp(model)
    m: dict[str, np.ndarray] = {
        "X (input)": X,
        "wh (hidden weights)": _weights(model, 0),
        "bh (hidden biases)": _biases(model, 0),
        "wout (output weights)": _weights(model, 1),
        "bout (output bias)": _biases(model, 1),
    }
    hidden_rows: list[list[Value]] = []
    outputs: list[Value] = []
    for row in X.tolist():
        hidden = model.layers[0].forward([Value(v) for v in row])
        hidden_rows.append(hidden)
        outputs.append(model.layers[1].forward(hidden)[0])
    loss = losses.half_sse(outputs, y.tolist())
    model.zero_grad()
    loss.backward()

    # every number below comes from the graph: .data, the sigmoid nodes' local derivatives, and .grad
    m["hidden activations = sigmoid(X.wh + bh)"] = np.array([[h.data for h in row] for row in hidden_rows])
    m["output = sigmoid(hidden.wout + bout)"] = np.array([[o.data] for o in outputs])
    m["E = y - output"] = y.reshape(-1, 1) - m["output = sigmoid(hidden.wout + bout)"]
    m["slope_output_layer = output(1 - output)"] = np.array([[_slope(o)] for o in outputs])
    m["slope_hidden_layer = hidden(1 - hidden)"] = np.array([[_slope(h) for h in row] for row in hidden_rows])
    m["d_output = E * slope_output_layer"] = np.array([[-o.operands[0].grad] for o in outputs])
    m["Error_at_hidden_layer = d_output . wout^T"] = np.array([[-h.grad for h in row] for row in hidden_rows])
    m["d_hiddenlayer = Error_at_hidden_layer * slope_hidden_layer"] = np.array(
        [[-h.operands[0].grad for h in row] for row in hidden_rows]
    )
    engine_grads_w, engine_grads_b = mlp_gradients(model)

    # the NumPy reference on the same weights: loss, activations and every gradient must agree
    ref_loss, ref_grads_w, ref_grads_b = reference.loss_and_grads(X, y.reshape(-1, 1), loss="half_sse")
    _, ref_activations = reference.forward_all(X)
    pairs = [
        (np.array([loss.data]), np.array([ref_loss])),
        (m["hidden activations = sigmoid(X.wh + bh)"], ref_activations[1]),
        (m["output = sigmoid(hidden.wout + bout)"], ref_activations[2]),
        # the tutorial's products of its matrices give the reference's gradients (with its sign)
        (product(m["hidden activations = sigmoid(X.wh + bh)"].T, m["d_output = E * slope_output_layer"]),
         -ref_grads_w[1]),
        (product(X.T, m["d_hiddenlayer = Error_at_hidden_layer * slope_hidden_layer"]), -ref_grads_w[0]),
        *zip(engine_grads_w, ref_grads_w),
        *zip(engine_grads_b, ref_grads_b),
    ]
    largest = max(float(np.max(np.abs(ours - theirs))) for ours, theirs in pairs)

    for p in model.parameters():
        p.data -= lr * p.grad
    m["updated wout = wout + hidden^T . d_output * lr"] = _weights(model, 1)
    m["updated bout = bout + sum(d_output) * lr"] = _biases(model, 1)
    m["updated wh = wh + X^T . d_hiddenlayer * lr"] = _weights(model, 0)
    m["updated bh = bh + sum(d_hiddenlayer) * lr"] = _biases(model, 0)
    return MatrixView(m, largest)


def _say_matrices(matrices: dict[str, Any], precision: int) -> None:
    """Each named matrix under its name, indented, at the given number of digits."""
    for name, matrix in matrices.items():
        say(f"{name}:")
        text = np.array2string(np.atleast_2d(matrix), precision=precision, suppress_small=True, max_line_width=100)
        for line in text.splitlines():
            say(f"    {line}")


def _print_matrices(view: MatrixView) -> None:
    _say_matrices(view.matrices, 6)
    say(
        f"checked against the NumPy reference (loss, activations, all weight and bias gradients): "
        f"largest difference {view.largest_difference:.1e}"
    )


# -- the seed-42 walk-through ---------------------------------------------------------------------------------

WALKTHROUGH_X = np.array([[1, 0, 0, 0], [1, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
WALKTHROUGH_Y = np.array([1.0, 1.0, 0.0])
PRINTED_STARTING_ERRORS = [0.05013458, 0.03727248, 0.25388062]
PRINTED_EPOCH_ERRORS = [0.11553, 0.11082, 0.10606, 0.09845, 0.08483, 0.06396, 0.04206, 0.02641, 0.01719, 0.01190]


def walkthrough_weights(draw: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """np.random.seed(42), then wih = U[0,1) of shape (4, 3) and who of shape (3, 1), drawn `draw` times."""
    generator = np.random.RandomState(42)
    for _ in range(draw):
        wih = generator.uniform(size=(4, 3))
        who = generator.uniform(size=(3, 1))
    return wih, who


def walkthrough_network(draw: int = 1) -> MLP:
    """4-3-1, sigmoid on both layers, no biases, with the walk-through's weights (W1 = wih, W2 = who)."""
    return MLP.from_matrices(list(walkthrough_weights(draw)), None, "sigmoid", layout="inputs_by_neurons")


def walkthrough_gradients(wih: np.ndarray, who: np.ndarray) -> list[np.ndarray]:
    """The walk-through's chain rule by hand, samples as columns: [dE/dwih (4, 3), dE/dwho (3, 1)].

    E = sum 1/2 (y - o)^2; dE/do = -(y - o); do/dZ2 = o (1 - o); dE/dwho = h . (dE/do * do/dZ2)^T;
    dE/dwih = X . (h (1 - h) * (who . (do/dZ2 * dE/do)))^T.
    """
    X, y = WALKTHROUGH_X.T, WALKTHROUGH_Y.reshape(1, -1)
    h = 1.0 / (1.0 + np.exp(-(wih.T @ X)))
    o = 1.0 / (1.0 + np.exp(-(who.T @ h)))
    output_delta = -(y - o) * o * (1 - o)
    return [X @ (h * (1 - h) * (who @ output_delta)).T, h @ output_delta.T]


def _epoch_errors(draw: int, lr: float, epochs: int, quiet: bool) -> list[float]:
    """Mean 1/2 (y - o)^2 over the three samples at epochs 0, 100, ... of full-batch descent on the engine."""
    history = fit(
        walkthrough_network(draw), WALKTHROUGH_X, WALKTHROUGH_Y, loss="half_sse", lr=lr, epochs=epochs, quiet=quiet
    )
    return [history.loss[e] / len(WALKTHROUGH_X) for e in range(0, epochs, 100)]


def reproduce_walkthrough(epochs: int = 1000, quiet: bool = True) -> WalkThrough:
    """The walk-through's matrices from the engine's graph, its gradients checked, and its error log reproduced."""
    model = walkthrough_network(draw=1)
    hidden = [model.layers[0].forward(list(row)) for row in WALKTHROUGH_X.tolist()]
    outputs = [model.layers[1].forward(h)[0] for h in hidden]
    loss = losses.half_sse(outputs, WALKTHROUGH_Y.tolist())
    model.zero_grad()
    loss.backward()
    wih, who = walkthrough_weights(draw=1)
    h = np.array([[v.data for v in row] for row in hidden]).T
    o = np.array([[v.data for v in outputs]])
    grads, _ = model.to_matrices(gradients=True)
    matrices = {
        "X (input in matrix form, samples as columns)": WALKTHROUGH_X.T,
        "wih (weights input -> hidden)": wih,
        "who (weights hidden -> output)": who,
        "hidden layer output h = sigmoid(wih^T . X)": h,
        "output o = sigmoid(who^T . h)": o,
        "error 1/2 (y - o)^2": 0.5 * (WALKTHROUGH_Y - o) ** 2,
        "dE/do = -(y - o)  (from the engine: .grad of each output)": np.array([[v.grad for v in outputs]]),
        "dE/dwho": grads[1],
        "dE/dwih": grads[0],
    }
    by_hand = walkthrough_gradients(wih, who)
    report = check_gradients(by_hand, model, WALKTHROUGH_X, WALKTHROUGH_Y, loss="half_sse", layout="inputs_by_neurons")
    matrices["wih after one step with the text's lr 0.01"] = wih - 0.01 * grads[0]
    matrices["who after one step with the text's lr 0.01"] = who - 0.01 * grads[1]
    return WalkThrough(
        matrices,
        matrices["error 1/2 (y - o)^2"][0].tolist(),
        report,
        _epoch_errors(draw=2, lr=0.1, epochs=epochs, quiet=quiet),
        _epoch_errors(draw=2, lr=0.01, epochs=epochs, quiet=quiet),
        _epoch_errors(draw=1, lr=0.1, epochs=epochs, quiet=quiet),
    )


def _print_walkthrough(walk: WalkThrough) -> None:
    _say_matrices(walk.matrices, 8)
    say(f"the text prints the starting errors {PRINTED_STARTING_ERRORS}: the same to its 8 digits")
    for line in str(walk.gradient_report).splitlines():
        say(f"    {line}")
    say("its error log, mean 1/2 (y - o)^2 every 100 epochs:")
    say(f"    {'epoch':>5} {'printed':>9} {'2nd draw, lr 0.1':>17} {'2nd draw, lr 0.01':>18} {'1st draw, lr 0.1':>17}")
    for k, printed in enumerate(PRINTED_EPOCH_ERRORS[: len(walk.epoch_errors)]):
        say(
            f"    {100 * k:>5} {printed:>9.5f} {walk.epoch_errors[k]:>17.5f} {walk.text_lr_errors[k]:>18.5f} "
            f"{walk.first_draw_errors[k]:>17.5f}"
        )
    say("two facts the text gets wrong: the 1000-epoch run does not start from the weights of the walk-through")
    say("(it reproduces only from a second draw of the seed-42 generator: the weights were drawn again), and its")
    say("learning rate is 0.1, not the 0.01 the text defines.  (Its R code also gives each training row its own")
    say("bias: bh has one row per sample, and rowSums gives each row an update from its own sample alone.)")


def run_binary_toy(
    out_dir: str | Path = DEFAULT_OUT,
    *,
    epochs: int = 5000,
    moons_epochs: int = 300,
    walkthrough_epochs: int = 1000,
    seed: int = 0,
    quiet: bool = False,
) -> BinaryToyResult:
    """The tutorial's 4-3-1 sigmoid network: full batch vs per-sample SGD, the matrix view, then 10 hidden on moons."""
    X, y = datasets.binary_toy()
    folder = output_folder(out_dir, "binary_toy")
    say("binary toy: X = [[1,0,1,0],[1,0,1,1],[0,1,0,1]], y = [1,1,0]; 4-3-1 sigmoid network, E = 1/2 sum (y - o)^2")

    say("")
    say("matrix view: epoch 1 of full-batch gradient descent (lr 0.1), every matrix from the engine's graph")
    view = matrix_view(tutorial_network(seed), X, y, lr=0.1)
    _print_matrices(view)

    say("")
    say("the seed-42 walk-through (X = [[1,0,0,0],[1,0,1,1],[0,1,0,1]], no biases), every matrix from the engine:")
    walk = reproduce_walkthrough(epochs=walkthrough_epochs, quiet=quiet)
    _print_walkthrough(walk)

    say("")
    say(f"full-batch gradient descent, lr 0.1, {epochs} epochs:")
    model = tutorial_network(seed)
    full_batch = fit(model, X, y, loss="half_sse", lr=0.1, epochs=epochs, quiet=quiet, desc="full batch")
    full_outputs = predict(model, X)
    say(
        f"    E {full_batch.loss[0]:.6f} -> {_total_error(full_outputs, y):.6f}; outputs {_rounded(full_outputs)}"
        f" ({full_batch.seconds:.1f} s)"
    )

    say(f"per-sample SGD (one update per sample), lr 0.1, {epochs} epochs:")
    model_sgd = tutorial_network(seed)
    per_sample = fit(
        model_sgd,
        X,
        y,
        loss="half_sse",
        lr=0.1,
        epochs=epochs,
        batch_size=1,
        seed=seed,
        quiet=quiet,
        desc="per sample",
    )
    sgd_outputs = predict(model_sgd, X)
    say(
        f"    E {per_sample.loss[0] * len(X):.6f} -> {_total_error(sgd_outputs, y):.6f}; outputs "
        f"{_rounded(sgd_outputs)} ({per_sample.seconds:.1f} s)"
    )
    say("    (E is summed over the samples, so one full-batch step moves by the sum of the three per-sample")
    say("    steps: with a small learning rate both runs end close together, per-sample SGD a little closer)")
    result_files = {
        "loss curves": plots.loss_curve(
            # per-sample epochs record the mean per-sample E; times 3 it is E summed over the samples
            {"full batch": full_batch.loss, "per sample (SGD)": [e * len(X) for e in per_sample.loss]},
            folder / "loss.png",
            "binary toy: E = 1/2 sum (y - o)^2 per epoch",
            log_scale=True,
        )
    }

    say("")
    moons_accuracy, blobs_accuracy = _two_d_part(folder, moons_epochs, seed, quiet, result_files)
    for name, path in result_files.items():
        say(f"{name}: {path}")
    return BinaryToyResult(
        full_outputs, sgd_outputs, full_batch, per_sample, view, walk, moons_accuracy, blobs_accuracy, result_files
    )


def _two_d_part(folder: Path, epochs: int, seed: int, quiet: bool, files: dict[str, Path]) -> tuple[float, float]:
    """10 sigmoid hidden neurons on the moons (sigmoid output) and on three blobs (softmax output)."""
    X, y = datasets.moons(n_samples=200, noise=0.15, seed=seed)
    model = MLP(2, [10, 1], activation="sigmoid", output_activation="sigmoid", init="xavier", rng=seed, fused=True)
    say(
        f"10 sigmoid hidden neurons on 200 moons points (2-10-1, E = mean squared error, Adam lr 0.05, "
        f"{epochs} full-batch epochs):"
    )
    history = fit(
        model,
        X,
        y,
        loss="mse",
        optimizer=Adam(model.parameters(), lr=0.05),
        epochs=epochs,
        quiet=quiet,
        desc="moons 2-10-1",
    )
    moons_accuracy = accuracy(model, X, y, rule="threshold")
    say(f"    loss {history.loss[0]:.4f} -> {history.loss[-1]:.4f}; training accuracy {percent(moons_accuracy)}")
    files["moons loss"] = plots.loss_curve({"mse": history.loss}, folder / "moons_loss.png", "2-10-1 on moons")
    files["moons decision boundary"] = plots.decision_boundary(
        model,
        X,
        y,
        folder / "moons_decision_boundary.png",
        f"2-10-1 sigmoid on moons: accuracy {percent(moons_accuracy)}",
        rule="threshold",
    )

    Xb, yb = datasets.blobs(n_samples=150, centers=3, cluster_std=1.0, seed=seed)
    blobs_model = MLP(2, [10, 3], activation="sigmoid", init="xavier", rng=seed, fused=True)
    blobs_epochs = max(epochs // 3, 1)
    say(f"extra: three blobs, 2-10-3 with a softmax output (cross-entropy, Adam lr 0.05, {blobs_epochs} epochs):")
    blobs_history = fit(
        blobs_model,
        Xb,
        yb,
        loss="softmax_cross_entropy",
        optimizer=Adam(blobs_model.parameters(), lr=0.05),
        epochs=blobs_epochs,
        quiet=quiet,
        desc="blobs 2-10-3",
    )
    blobs_accuracy = accuracy(blobs_model, Xb, yb, rule="argmax")
    say(
        f"    loss {blobs_history.loss[0]:.4f} -> {blobs_history.loss[-1]:.4f}; "
        f"training accuracy {percent(blobs_accuracy)}"
    )
    files["blobs decision boundary"] = plots.decision_boundary(
        blobs_model,
        Xb,
        yb,
        folder / "blobs_decision_boundary.png",
        f"2-10-3 on blobs: accuracy {percent(blobs_accuracy)}",
        rule="argmax",
    )
    return moons_accuracy, blobs_accuracy


def _total_error(outputs: list[float], y: np.ndarray) -> float:
    """E = 1/2 sum_i (y_i - o_i)^2 over all samples."""
    return 0.5 * sum((t - o) ** 2 for o, t in zip(outputs, y.tolist()))


def _rounded(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"
