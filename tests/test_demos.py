"""Each demo at reduced size, asserting what the tutorial's reader would check."""

from __future__ import annotations

import pytest

from micrograd_nn.tutorials.common import ReferenceCheck
from micrograd_nn.tutorials.moons import run_moons

RELATIVE_TOLERANCE = 1e-9  # engine vs NumPy reference, relative, floored at 1e-12 x the largest gradient


def _assert_reference_check(check: ReferenceCheck, loss_name: str, batch: int, printed: str) -> None:
    """The demo compared one batch's loss and gradients with the NumPy reference, agreed, and said so."""
    assert check.loss_name == loss_name and check.batch == batch
    assert check.loss == pytest.approx(check.reference_loss, rel=RELATIVE_TOLERANCE)
    assert 0.0 <= check.largest_relative_difference <= RELATIVE_TOLERANCE
    assert check.line() in printed


def test_moons_matches_micrograd_and_separates_the_moons(tmp_path, capsys) -> None:
    result = run_moons(tmp_path, steps=30, quiet=True)
    # micrograd's notebook prints "step 0 loss 0.8958441028683222, accuracy 50.0%" for these weights and points
    assert result.history.loss[0] == pytest.approx(0.8958441028683222, abs=1e-12)
    assert result.history.metrics["accuracy"][0] == 0.5
    assert result.accuracy >= 0.93
    assert result.history.loss[-1] < 0.2
    printed = capsys.readouterr().out
    assert "step 0 loss 0.895844, accuracy 50.0%" in printed
    _assert_reference_check(result.reference_check, "hinge", 100, printed)
    assert result.reference_check.loss == pytest.approx(0.8958441028683222, abs=1e-12)  # hinge + L2 at step 0
    assert result.seed == 1337
    for path in result.files.values():
        assert path.exists() and path.read_bytes().startswith(b"\x89PNG")


def test_binary_toy_outputs_matrix_view_and_moons(tmp_path, capsys) -> None:
    from micrograd_nn.tutorials.binary_toy import run_binary_toy

    result = run_binary_toy(tmp_path, epochs=600, moons_epochs=60, quiet=True)
    for outputs in (result.full_batch_outputs, result.per_sample_outputs):
        assert outputs[0] > 0.5 and outputs[1] > 0.5 and outputs[2] < 0.5
    assert result.full_batch.loss[-1] < result.full_batch.loss[0]
    # the matrix view's engine matrices equal the NumPy reference's
    assert result.matrix_view.largest_difference < 1e-12
    m = result.matrix_view.matrices
    assert m["wh (hidden weights)"].shape == (4, 3) and m[
        "d_hiddenlayer = Error_at_hidden_layer * slope_hidden_layer"
    ].shape == (3, 3)
    assert result.moons_accuracy > 0.8 and result.blobs_accuracy > 0.8
    printed = capsys.readouterr().out
    assert "largest difference" in printed and "updated wh" in printed
    assert all(path.exists() for path in result.files.values())


def test_matrix_view_detects_a_wrong_gradient(monkeypatch) -> None:
    """The check is real: a reference that disagrees with the engine shows up as a large difference."""
    import numpy as np

    from micrograd_nn import datasets
    from micrograd_nn.reference import ReferenceMLP
    from micrograd_nn.tutorials.binary_toy import matrix_view, tutorial_network

    honest = ReferenceMLP.loss_and_grads

    def off_by_a_bit(self, X, y, loss="mse", l2=0.0):
        value, grads_w, grads_b = honest(self, X, y, loss=loss, l2=l2)
        grads_w[0] = grads_w[0] + 1e-3
        return value, grads_w, grads_b

    monkeypatch.setattr(ReferenceMLP, "loss_and_grads", off_by_a_bit)
    X, y = datasets.binary_toy()
    view = matrix_view(tutorial_network(0), X, y)
    assert view.largest_difference == pytest.approx(1e-3, rel=1e-6)
    assert np.all(np.isfinite(view.matrices["updated wh = wh + X^T . d_hiddenlayer * lr"]))


def test_tutorial_networks_draw_only_from_their_seed() -> None:
    """Building the binary-toy and exam networks leaves Python's global random generator alone."""
    import random

    from micrograd_nn.tutorials.binary_toy import tutorial_network
    from micrograd_nn.tutorials.exam_score import score_network

    random.seed(123)
    state = random.getstate()
    toy, exam = tutorial_network(4), score_network(2, (3,), seed=4)
    assert random.getstate() == state
    assert [p.data for p in toy.parameters()] == [p.data for p in tutorial_network(4).parameters()]
    assert [p.data for p in exam.parameters()] == [p.data for p in score_network(2, (3,), seed=4).parameters()]


def test_exam_score_prediction_is_a_plausible_score(tmp_path, capsys) -> None:
    from micrograd_nn.tutorials.exam_score import run_exam_score

    result = run_exam_score(tmp_path, iterations=300, quiet=True)
    _assert_reference_check(result.score_model.reference_check, "half_sse", 3, capsys.readouterr().out)
    assert result.score_model.reference_check.loss == pytest.approx(result.score_model.history.loss[0], rel=1e-12)
    assert all(abs(fitted - actual) < 5 for fitted, actual in zip(result.fitted_scores, [92, 86, 89]))
    assert 80 <= result.predicted_score <= 100
    history = result.score_model.history
    assert history.loss[-1] < 0.01 * history.loss[0]


def test_exam_network_takes_four_inputs_and_two_hidden_layers() -> None:
    import numpy as np

    from micrograd_nn.tutorials.exam_score import train_score_model

    X = np.array([[2, 9, 1, 3], [1, 5, 0, 1], [3, 6, 2, 2], [4, 7, 1, 4]], dtype=float)
    y = np.array([92, 86, 89, 95], dtype=float)
    trained = train_score_model(X, y, hidden=(4, 3), iterations=400)
    assert [len(layer.neurons) for layer in trained.model.layers] == [4, 3, 1]
    assert trained.model.nin == 4
    assert all(abs(trained.predict_score(row) - t) < 5 for row, t in zip(X.tolist(), y.tolist()))


def test_regression_gets_below_the_tutorials_plateau(tmp_path, capsys) -> None:
    from micrograd_nn.tutorials.regression import TUTORIAL_PLATEAU, run_regression

    result = run_regression(
        tmp_path, n_samples=800, epochs_at_02=3, epochs_at_01=2, better_epochs=8, batch_size=20, quiet=True
    )
    assert result.tutorial_history.lr == [0.2, 0.2, 0.2, 0.1, 0.1]
    assert result.tutorial_history.loss[-1] < result.tutorial_history.loss[0]
    printed = capsys.readouterr().out
    _assert_reference_check(result.reference_check, "mse", 20, printed)
    assert result.better_rmse < TUTORIAL_PLATEAU and result.test_rmse < TUTORIAL_PLATEAU
    assert len(result.table) == 10
    for *_inputs, truth, guess in result.table:
        assert abs(guess - truth) < 3 * TUTORIAL_PLATEAU
    assert printed.count("RMSE") >= 5 + 8  # one line per epoch of both runs
    assert all(path.exists() for path in result.files.values())


def test_regression_prints_the_rmse_after_each_epochs_update(tmp_path, capsys) -> None:
    """ "epoch 1: RMSE r" means r is the training RMSE of the weights epoch 1's update left."""
    from micrograd_nn import datasets
    from micrograd_nn.train import fit, rmse
    from micrograd_nn.tutorials.regression import regression_network, run_regression

    result = run_regression(
        tmp_path, n_samples=300, epochs_at_02=2, epochs_at_01=1, better_epochs=1, batch_size=50, quiet=True
    )
    printed = capsys.readouterr().out
    X, y = datasets.hyperplane_regression(300, seed=0)
    model = regression_network(0)
    start = rmse(model, X, y)
    after = []
    for lr in (0.2, 0.2, 0.1):
        fit(model, X, y, loss="mse", lr=lr, epochs=1, quiet=True)
        after.append(rmse(model, X, y))
    assert result.tutorial_rmse_per_epoch == pytest.approx(after, rel=1e-12)
    assert result.tutorial_rmse == result.tutorial_rmse_per_epoch[-1]
    assert f"start            : RMSE {start:.5f}" in printed
    for epoch, (lr, value) in enumerate(zip((0.2, 0.2, 0.1), after), 1):
        assert f"epoch {epoch:>3} (lr {lr}): RMSE {value:.5f}" in printed
    assert start > after[0] and f"{start:.5f}" != f"{after[0]:.5f}"


def test_digits_learns_at_reduced_size(tmp_path, capsys) -> None:
    from micrograd_nn.tutorials.digits import run_digits

    result = run_digits(tmp_path, n_samples=500, epochs=3, lr=0.01, quiet=True)
    _assert_reference_check(result.reference_check, "softmax_cross_entropy", 32, capsys.readouterr().out)
    assert result.sizes == [64, 32, 16, 10]
    assert result.dev_accuracy >= 0.8  # 100 held-out 8x8 digits after 3 epochs on 400
    assert result.history.loss[-1] < 0.5 * result.history.loss[0]
    assert len(result.history.metrics["dev accuracy"]) == 3 and result.seconds > 0


def test_digits_runs_the_tutorials_784_network_on_an_mnist_csv(tmp_path, capsys) -> None:
    """A CSV in the MNIST layout with two easy classes: bright top half (label 3) or bright bottom half (7)."""
    import numpy as np

    from micrograd_nn.tutorials.digits import run_digits

    rng = np.random.default_rng(0)
    lines = ["label," + ",".join(f"pixel{i}" for i in range(784))]
    for i in range(60):
        label = 3 if i % 2 else 7
        pixels = rng.integers(0, 60, 784)
        bright = slice(0, 392) if label == 3 else slice(392, 784)
        pixels[bright] += 180
        lines.append(",".join(map(str, [label, *pixels.tolist()])))
    path = tmp_path / "mnist_small.csv"
    path.write_text("\n".join(lines) + "\n")
    result = run_digits(tmp_path, mnist_csv=path, epochs=2, batch_size=8, lr=0.01, quiet=True)
    assert result.sizes == [784, 32, 16, 10]
    assert result.dev_accuracy == 1.0
    _assert_reference_check(result.reference_check, "softmax_cross_entropy", 8, capsys.readouterr().out)


@pytest.mark.parametrize("where", ["loss", "weight", "bias"])
def test_reference_check_detects_a_disagreement(monkeypatch, where: str) -> None:
    """The shared check is real: a reference off by 1e-7 relative in one entry shows up."""
    import numpy as np

    from micrograd_nn import datasets
    from micrograd_nn.nn import MLP
    from micrograd_nn.reference import ReferenceMLP
    from micrograd_nn.tutorials.common import check_against_reference

    X, y = datasets.moons(20, seed=0)
    model = MLP(2, [6, 3], rng=0, fused=True)
    honest = ReferenceMLP.loss_and_grads
    assert check_against_reference(model, X, y, "softmax_cross_entropy").largest_relative_difference <= 1e-12

    def off(self, X, y, loss="mse", l2=0.0):
        value, grads_w, grads_b = honest(self, X, y, loss=loss, l2=l2)
        if where == "loss":
            value *= 1 + 1e-7
        elif where == "weight":
            grads_w[1][2, 1] *= 1 + 1e-7
        else:
            grads_b[0][3] *= 1 + 1e-7
        return value, grads_w, grads_b

    monkeypatch.setattr(ReferenceMLP, "loss_and_grads", off)
    check = check_against_reference(model, X, y, "softmax_cross_entropy")
    assert check.largest_relative_difference == pytest.approx(1e-7, rel=1e-3)
    assert np.isfinite(check.loss)


def test_reference_check_floors_entries_that_cancel_to_zero(monkeypatch) -> None:
    """An entry that is 0 in the reference is compared against 1e-12 x the largest gradient, not 0."""
    from micrograd_nn import datasets
    from micrograd_nn.nn import MLP
    from micrograd_nn.reference import ReferenceMLP
    from micrograd_nn.tutorials.common import check_against_reference

    X, y = datasets.binary_toy()
    model = MLP(4, [3, 1], activation="sigmoid", rng=0)
    honest = ReferenceMLP.loss_and_grads
    largest = []

    def zeroed(self, X, y, loss="mse", l2=0.0):
        value, grads_w, grads_b = honest(self, X, y, loss=loss, l2=l2)
        largest.append(max(float(abs(g).max()) for g in [*grads_w, *grads_b]))
        grads_w[0][1, 0] = 0.0  # input 1 is 0 in two rows: pretend its gradient cancelled exactly
        return value, grads_w, grads_b

    monkeypatch.setattr(ReferenceMLP, "loss_and_grads", zeroed)
    check = check_against_reference(model, X, y, "half_sse")
    engine_entry = abs(model.layers[0].neurons[0].w[1].grad)
    assert check.largest_relative_difference == pytest.approx(engine_entry / (1e-12 * largest[0]), rel=1e-9)


def test_demo_script_and_subcommand_run(tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    from micrograd_nn.cli import main

    script = Path(__file__).resolve().parents[1] / "demos" / "exam_score.py"
    done = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path), "--quiet"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "4 hours studied, 8 slept" in done.stdout and (tmp_path / "exam_score" / "loss.png").exists()
    assert main(["demo", "moons", "--mnist-csv", "x.csv"]) == 2  # digits-only option refused elsewhere
