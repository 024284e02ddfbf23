"""Each demo at reduced size, asserting what the tutorial's reader would check."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from micrograd_nn.tutorials.common import ReferenceCheck
from micrograd_nn.tutorials.moons import run_moons

RELATIVE_TOLERANCE = 1e-9  # engine vs NumPy reference, relative, floored at 1e-12 x the largest gradient


def _assert_reference_check(check: ReferenceCheck, loss_name: str, batch: int, printed: str) -> None:
    """The demo compared one batch's loss and gradients with the NumPy reference, agreed, and said so."""
    assert check.loss_name == loss_name and check.batch == batch
    assert check.loss == pytest.approx(check.reference_loss, rel=RELATIVE_TOLERANCE)
    assert check.largest_relative_difference <= RELATIVE_TOLERANCE
    assert check.line() in printed


def test_the_moons_loss_plot_counts_steps_from_0_as_its_title_and_log_say(tmp_path, monkeypatch) -> None:
    """Before: loss.png's title said "per step" while its axis said "epoch" and started at 1."""
    from micrograd_nn.tutorials import plots

    figures = {}
    save = plots._save
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.setdefault(Path(path).name, fig) and save(fig, path))
    result = run_moons(tmp_path, steps=3, quiet=True)
    axes = figures["loss.png"].axes[0]
    assert axes.get_title() == "moons: training loss per step" and axes.get_xlabel() == "step"
    line = axes.get_lines()[0]
    assert list(line.get_xdata()) == [0, 1, 2] and list(line.get_ydata()) == result.history.loss
    plots.loss_curve({"loss": [3.0, 2.0]}, tmp_path / "epochs.png", "per epoch")
    axes = figures["epochs.png"].axes[0]
    assert axes.get_xlabel() == "epoch" and list(axes.get_lines()[0].get_xdata()) == [1, 2]


CHECKS_SCRIPT = """
from micrograd_nn.nn import MLP
from micrograd_nn.training import datasets
from micrograd_nn.tutorials.common import check_against_reference
from micrograd_nn.tutorials.moons import moons_data
X, y = datasets.digits()
X_train, y_train, _, _ = datasets.train_dev_split(X, y, dev_fraction=0.2, seed=0)
digits = MLP(64, [32, 16, 10], activation="relu", init="he", rng=0, fused=True)
print(check_against_reference(digits, X_train[:32], y_train[:32], "softmax_cross_entropy").line())
X, y = moons_data(100, 1337)
print(check_against_reference(MLP(2, [16, 16, 1], rng=1337, fused=True), X, y, "hinge", l2=1e-4).line())
"""


@pytest.mark.slow
@pytest.mark.parametrize("coretype", ["Prescott", "Haswell", "SkylakeX"])
def test_the_readme_prints_the_reference_checks_digits_on_any_processors_blas(coretype: str) -> None:
    """Before: the digits demo printed 6.6e-13 on one machine and 1.3e-12 (the README's) on another: BLAS orders
    its sums by the processor. OPENBLAS_CORETYPE makes OpenBLAS pick another processor's kernels."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "OPENBLAS_CORETYPE": coretype}
    lines = subprocess.run([sys.executable, "-c", CHECKS_SCRIPT], env=env, capture_output=True, text=True,
                           timeout=120, check=True).stdout.splitlines()
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8").replace("\n  ", " ")
    for line, before, after in ((lines[0], "relative difference ", "; dev accuracy printed"),
                                (lines[1], "largest relative difference ", ". Step 0: loss 0.895844")):
        printed = line.split("largest relative difference ", 1)[1].split(" ", 1)[0]
        assert f"{before}{printed}{after}" in readme, (coretype, line)


@pytest.mark.slow
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


@pytest.mark.slow
def test_binary_toy_outputs_matrix_view_walkthrough_and_moons(tmp_path, capsys) -> None:
    from micrograd_nn.tutorials.binary_toy import PRINTED_EPOCH_ERRORS, run_binary_toy

    result = run_binary_toy(tmp_path, epochs=600, moons_epochs=60, walkthrough_epochs=300, quiet=True)
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
    walk = result.walkthrough
    assert walk.gradient_report.ok
    assert [round(e, 5) for e in walk.epoch_errors] == PRINTED_EPOCH_ERRORS[:3]
    printed = capsys.readouterr().out
    assert "largest difference" in printed and "updated wh" in printed
    assert "[[0.05013458 0.03727248 0.25388062]]" in printed
    assert "learning rate is 0.1, not the 0.01" in printed and "second draw" in printed
    assert all(path.exists() for path in result.files.values())


def test_seed_42_walkthrough_reproduces_the_printed_numbers() -> None:
    """Starting errors from the first draw; the 1000-epoch log only from a second draw with lr 0.1."""
    from micrograd_nn.tutorials.binary_toy import (
        PRINTED_EPOCH_ERRORS,
        PRINTED_STARTING_ERRORS,
        reproduce_walkthrough,
    )

    walk = reproduce_walkthrough(epochs=1000)
    assert [round(e, 8) for e in walk.starting_errors] == PRINTED_STARTING_ERRORS
    assert [round(e, 5) for e in walk.epoch_errors] == PRINTED_EPOCH_ERRORS
    assert round(walk.text_lr_errors[-1], 5) != PRINTED_EPOCH_ERRORS[-1]  # the text's lr 0.01 does not
    assert round(walk.first_draw_errors[0], 5) != PRINTED_EPOCH_ERRORS[0]  # nor the first draw
    assert walk.gradient_report.ok
    assert walk.matrices["dE/dwih"].shape == (4, 3) and walk.matrices["dE/dwho"].shape == (3, 1)


def test_matrix_view_detects_a_wrong_gradient(monkeypatch) -> None:
    """The check is real: a reference that disagrees with the engine shows up as a large difference."""
    import numpy as np

    from micrograd_nn.checks.reference import ReferenceMLP
    from micrograd_nn.training import datasets
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


@pytest.mark.slow
def test_exam_score_corrects_the_worked_example_and_answers_the_questions(tmp_path, capsys) -> None:
    from micrograd_nn.tutorials.exam_score import run_exam_score

    result = run_exam_score(tmp_path, iterations=300, quiet=True)
    printed = capsys.readouterr().out
    worked = result.worked
    assert worked.hidden_sums == pytest.approx([7.6, 3.9, 6.5], rel=1e-12)  # the text has 7.5 for the second
    assert worked.output_sum == pytest.approx(
        0.4 / (1 + math.exp(-7.6)) + 0.5 / (1 + math.exp(-3.9)) + 0.9 / (1 + math.exp(-6.5)), rel=1e-12
    )
    assert round(worked.output, 4) == 0.8567
    assert "= 3.9, sigmoid = 0.980159694" in printed and "sigmoid = 0.8567" in printed
    for trained in (result.score_model, result.deeper, result.wider):
        assert trained.gradient_report.ok, str(trained.gradient_report)
        assert all(n.b is None for layer in trained.model.layers for n in layer.neurons)  # no biases, as the text
    assert [len(layer.neurons) for layer in result.deeper.model.layers] == [3, 3, 1]
    assert result.wider.model.nin == 3
    assert all(abs(fitted - actual) < 5 for fitted, actual in zip(result.fitted_scores, [92, 86, 89]))
    assert 80 <= result.predicted_score <= 100
    history = result.score_model.history
    assert history.loss[-1] < 0.01 * history.loss[0]
    assert list(result.sweep) == [0.1, 0.5, 1.0, 2.0, 5.0]
    assert result.sweep[0.1] > result.sweep[1.0]  # on this data a bigger step gets further in the same time
    assert "o (1 - o) = 0.122732" in printed and "engine 0.122732" in printed


def test_exam_network_takes_four_inputs_and_two_hidden_layers() -> None:
    import numpy as np

    from micrograd_nn.tutorials.exam_score import train_score_model

    X = np.array([[2, 9, 1, 3], [1, 5, 0, 1], [3, 6, 2, 2], [4, 7, 1, 4]], dtype=float)
    y = np.array([92, 86, 89, 95], dtype=float)
    trained = train_score_model(X, y, hidden=(4, 3), iterations=400)
    assert [len(layer.neurons) for layer in trained.model.layers] == [4, 3, 1]
    assert trained.model.nin == 4
    assert trained.gradient_report.ok
    assert all(abs(trained.predict_score(row) - t) < 5 for row, t in zip(X.tolist(), y.tolist()))


def test_tutorial_backward_with_sigmoid_prime_of_the_sum_is_caught() -> None:
    """Feeding z instead of o to sigmoidPrime (the readers' worry) gives a gradient the checker rejects."""
    import numpy as np

    from micrograd_nn.checks.learner_backprop import check_gradients
    from micrograd_nn.tutorials.exam_score import score_network

    X = np.array([[2 / 3, 1.0], [1 / 3, 5 / 9], [1.0, 6 / 9]])
    y = np.array([0.92, 0.86, 0.89])
    model = score_network(2, (3,), seed=1)
    (W1, W2), _ = model.to_matrices()
    h = 1 / (1 + np.exp(-(X @ W1)))
    z3 = h @ W2
    o = 1 / (1 + np.exp(-z3))
    delta = (o - y[:, None]) * z3 * (1 - z3)  # sigmoidPrime(z3): the wrong argument
    report = check_gradients([X.T @ ((delta @ W2.T) * h * (1 - h)), h.T @ delta], model, X, y, loss="half_sse")
    assert not report.ok
    assert len(report.wrong("W2")) == 3


@pytest.mark.slow
def test_regression_runs_the_rule_next_to_the_true_gradient(tmp_path, capsys) -> None:
    import numpy as np

    from micrograd_nn.training import datasets
    from micrograd_nn.tutorials.regression import run_regression, run_true_gradient_reference

    result = run_regression(
        tmp_path, n_samples=400, epochs_at_02=3, epochs_at_01=2, long_epochs=30, better_epochs=8, batch_size=20,
        quiet=True,
    )  # fmt: skip
    printed = capsys.readouterr().out
    _assert_reference_check(result.reference_check, "mse", 20, printed)
    assert result.true_history.lr == [0.2, 0.2, 0.2, 0.1, 0.1]
    X, y = datasets.hyperplane_regression(400, seed=0)
    # the engine's true-gradient column equals the NumPy reference's descent on the same loss
    for epochs in range(1, 6):
        expected = run_true_gradient_reference(X, y, epochs, lambda k: 0.2 if k < 3 else 0.1)
        assert result.true_rmse_per_epoch[epochs - 1] == pytest.approx(expected, rel=1e-9)
    assert len(result.rule_rmse_per_epoch) == 5
    assert result.mean_baseline == pytest.approx(float(np.std(y)), rel=1e-12)
    assert result.gradient_report.kinds("W1") == ["transposed", "column_factor"]
    assert result.better_rmse < result.mean_baseline
    assert len(result.table) == 10
    for epoch, (rule, true) in enumerate(zip(result.rule_rmse_per_epoch, result.true_rmse_per_epoch), 1):
        assert f"{epoch:>5} {0.2 if epoch <= 3 else 0.1:>4.1f} {rule:>10.5f} {true:>14.5f}" in printed
    assert "40 small steps" not in printed and "as in the tutorial" not in printed
    assert "zero as soon as the errors average to 0" in printed
    assert f"always predicting the mean target: RMSE {result.mean_baseline:.5f}" in printed
    assert all(path.exists() for path in result.files.values())


def test_regression_numbers_of_the_issue() -> None:
    """From the printed weights on the full data: the rule freezes at 0.05169; the mean predicts with 0.0742."""
    import numpy as np

    from micrograd_nn.training import datasets
    from micrograd_nn.tutorials.regression import run_tutorial_rule

    X, y = datasets.hyperplane_regression(10_000, seed=0)
    assert float(np.std(y)) == pytest.approx(0.0742085, abs=5e-8)
    rule = run_tutorial_rule(X, y, 40)
    assert rule[-1] == pytest.approx(0.0516869, abs=5e-8)
    assert abs(rule[-1] - rule[-10]) < 1e-8  # frozen: it moves by 4e-9 in its last 10 epochs


@pytest.mark.slow
def test_regression_rule_stays_frozen_while_the_true_gradient_goes_on() -> None:
    from micrograd_nn.training import datasets
    from micrograd_nn.tutorials.regression import run_true_gradient_reference, run_tutorial_rule

    X, y = datasets.hyperplane_regression(10_000, seed=0)
    assert run_tutorial_rule(X, y, 2_000)[-1] == pytest.approx(0.0516869, abs=5e-8)
    assert run_true_gradient_reference(X, y, 2_000) == pytest.approx(0.0100894, abs=5e-7)


def test_regression_checker_names_the_tutorials_hidden_layer_mistakes() -> None:
    """calculate_gradients on its example row: 25 hidden-layer entries wrong, all 6 output-layer entries right."""
    from micrograd_nn.tutorials.regression import check_tutorial_gradients, tutorial_network

    report = check_tutorial_gradients()
    assert len(report.wrong("W1")) == 25 and report.wrong("W2") == []
    assert report.kinds("W1") == ["transposed", "column_factor"] and report.kinds("W2") == []
    assert "bias for the first neuron" in str(report)
    assert tutorial_network()([0.003, 0.19, 0.1, 0.39]).data == pytest.approx(-0.3672341, abs=5e-8)  # as printed


@pytest.mark.slow
def test_digits_tutorial_backward_is_diagnosed_then_corrected() -> None:
    """As printed: m = 1797 rows over 797 summed, one-number bias sums, layer 1 missing, cross-entropy's delta."""
    from micrograd_nn.tutorials.digits import check_tutorial_backward

    check = check_tutorial_backward()
    assert (check.data_rows, check.train_rows) == (1797, 797)
    report = check.as_printed
    assert report.rows == 797 and report.loss == "softmax_mse"
    assert report.kinds("W1") == ["missing"] and report.kinds("b1") == ["missing"]
    for name in ("W2", "W3"):
        assert report.kinds(name) == ["loss", "factor"]
        factor = next(d for d in report.diagnoses if d.parameter == name and d.kind == "factor")
        assert "797/1797" in factor.message and "divided by 1797 instead of 797" in factor.message
        loss = next(d for d in report.diagnoses if d.parameter == name and d.kind == "loss")
        assert "softmax cross-entropy" in loss.message
    for name in ("b2", "b3"):
        assert report.kinds(name) == ["shape"]
    assert check.forward_difference > 0.1  # layer 3 reading Z2 before its ReLU changes the probabilities
    assert check.corrected.ok and check.corrected.loss == "softmax_cross_entropy"
    assert "OK, all 2778 entries" in str(check.corrected)


@pytest.mark.slow
def test_digits_learns_at_reduced_size(tmp_path, capsys) -> None:
    from micrograd_nn.tutorials.digits import run_digits

    result = run_digits(tmp_path, n_samples=500, epochs=3, lr=0.01, quiet=True)
    printed = capsys.readouterr().out
    _assert_reference_check(result.reference_check, "softmax_cross_entropy", 32, printed)
    assert result.tutorial_check.corrected.ok and not result.tutorial_check.as_printed.ok
    assert "as if divided by 1797 instead of 797" in printed and "[missing] W1" in printed
    assert result.sizes == [64, 32, 16, 10]
    assert result.dev_accuracy >= 0.8  # 100 held-out 8x8 digits after 3 epochs on 400
    assert result.history.loss[-1] < 0.5 * result.history.loss[0]
    assert len(result.history.metrics["dev accuracy"]) == 3


@pytest.mark.slow
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

    from micrograd_nn.checks.reference import ReferenceMLP
    from micrograd_nn.nn import MLP
    from micrograd_nn.training import datasets
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
    from micrograd_nn.checks.reference import ReferenceMLP
    from micrograd_nn.nn import MLP
    from micrograd_nn.training import datasets
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


@pytest.mark.slow
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
