"""fit(): full batch, mini-batches and per-sample SGD, history, metrics, schedules, divergence."""

from __future__ import annotations

import importlib.util
import io
import math
import sys
import time

import numpy as np
import pytest

from micrograd_nn import Value
from micrograd_nn.checks.reference import ReferenceMLP, mlp_gradients
from micrograd_nn.nn import MLP
from micrograd_nn.training import datasets, losses
from micrograd_nn.training.optim import SGD, Adam
from micrograd_nn.training.train import TrainingDivergedError, accuracy, fit, predict, rmse

needs_sklearn = pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="scikit-learn is not installed")


def test_full_batch_step_is_one_gradient_descent_step_on_the_reference_gradient() -> None:
    """One full-batch epoch moves every weight by -lr * dLoss/dW, with the NumPy reference's dLoss/dW."""
    X, y = datasets.binary_toy()
    model = MLP(4, [3, 1], activation="sigmoid", output_activation="sigmoid", rng=5)
    reference = ReferenceMLP.from_mlp(model)
    loss, grads_w, grads_b = reference.loss_and_grads(X, y.reshape(-1, 1).astype(float), loss="half_sse")
    history = fit(model, X, y, loss="half_sse", lr=0.1, epochs=1, quiet=True)
    assert history.loss == [pytest.approx(loss, abs=1e-12)]
    after = ReferenceMLP.from_mlp(model)
    for before_w, grad_w, after_w in zip(reference.weights, grads_w, after.weights):
        np.testing.assert_allclose(after_w, before_w - 0.1 * grad_w, atol=1e-12)
    for before_b, grad_b, after_b in zip(reference.biases, grads_b, after.biases):
        np.testing.assert_allclose(after_b, before_b - 0.1 * grad_b, atol=1e-12)
    engine_w, _ = mlp_gradients(model)
    np.testing.assert_allclose(engine_w[0], grads_w[0], atol=1e-12)  # the last step's gradients stay on .grad


@pytest.mark.parametrize("batch_size", [None, 1, 2])
def test_every_batching_learns_the_binary_toy(batch_size: int | None) -> None:
    X, y = datasets.binary_toy()
    model = MLP(4, [3, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    history = fit(model, X, y, loss="half_sse", lr=0.5, epochs=400, batch_size=batch_size, quiet=True)
    assert history.epochs == 400 and history.loss[-1] < 0.25 * history.loss[0]
    assert accuracy(model, X, y, rule="threshold") == 1.0


def test_per_sample_sgd_takes_one_step_per_sample() -> None:
    X, y = datasets.exam_scores()
    steps = []

    class CountingSGD(SGD):
        def step(self) -> None:
            steps.append(1)
            super().step()

    model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    for batch_size, expected_steps in [(1, 15), (2, 10)]:  # 3 rows: batches of 1, or of 2 and 1
        steps.clear()
        fit(
            model,
            X / X.max(axis=0),
            y / 100,
            loss="half_sse",
            optimizer=CountingSGD(model.parameters(), lr=1.0),
            epochs=5,
            batch_size=batch_size,
            quiet=True,
        )
        assert len(steps) == expected_steps


@needs_sklearn
def test_metrics_schedule_and_train_metrics_are_recorded() -> None:
    X, y = datasets.moons(40, seed=3)
    labels = y * 2 - 1
    model = MLP(2, [8, 1], rng=1, fused=True)
    started = time.perf_counter()
    history = fit(
        model,
        X,
        labels,
        loss="hinge",
        epochs=6,
        l2=1e-4,
        lr_schedule=lambda k: 1.0 - 0.1 * k,
        metrics={"accuracy": lambda m: accuracy(m, X, labels, rule="sign")},
        train_metrics={"n": lambda preds, targets: float(len(preds) == len(targets) == 40)},
        quiet=True,
    )
    elapsed = time.perf_counter() - started
    assert history.lr == pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6, 0.5])
    assert history.metrics["n"] == [1.0] * 6
    assert len(history.metrics["accuracy"]) == 6
    assert history.metrics["accuracy"][-1] == accuracy(model, X, labels, rule="sign")
    assert 0 < history.seconds <= elapsed and history.summary().startswith("epoch 6, loss ")


@needs_sklearn
def test_softmax_cross_entropy_with_adam_minibatches() -> None:
    X, y = datasets.blobs(90, centers=3, seed=0)
    model = MLP(2, [8, 3], rng=0, fused=True)
    history = fit(
        model,
        X,
        y,
        loss="softmax_cross_entropy",
        optimizer=Adam(model.parameters(), lr=0.05),
        epochs=15,
        batch_size=16,
        seed=1,
        quiet=True,
    )
    assert history.loss[-1] < history.loss[0]
    assert accuracy(model, X, y, rule="argmax") > 0.9


def test_regression_rmse_and_predict() -> None:
    X, y = datasets.hyperplane_regression(200, seed=0)
    model = MLP(4, [5, 1], activation="sigmoid", rng=0, fused=True)
    before = rmse(model, X, y)
    fit(model, X, y, loss="mse", optimizer=Adam(model.parameters(), lr=0.05), epochs=20, batch_size=20, quiet=True)
    assert rmse(model, X, y) < before
    outputs = predict(model, X[:3])
    assert len(outputs) == 3 and all(isinstance(v, float) for v in outputs)


def test_divergence_names_the_epoch() -> None:
    X, y = datasets.exam_scores()
    model = MLP(2, [3, 1], rng=0)  # ReLU, linear output, raw scores: a huge step blows up
    with pytest.raises(TrainingDivergedError, match=r"epoch \d+") as info:
        fit(model, X * 1e3, y * 1e3, loss="mse", lr=1e6, epochs=50, quiet=True)
    assert 1 <= info.value.epoch <= 50


def _saturating_model() -> MLP:
    """1-1 sigmoid neuron with z = 30 x: output 1 - 9e-14 for x = 1, one big step from rounding to 1.0."""
    model = MLP(1, [1], output_activation="sigmoid", rng=0)
    model.layers[0].neurons[0].w[0].data = 30.0
    model.layers[0].neurons[0].b.data = 0.0
    return model


def test_saturated_binary_cross_entropy_is_reported_as_divergence() -> None:
    """A sigmoid output that rounds to exactly 1.0 makes ln(1 - p) = ln(0): the epoch is named, the fix suggested."""
    with pytest.raises(TrainingDivergedError, match="epoch 2") as info:
        fit(_saturating_model(), [[1.0]], [1], loss="binary_cross_entropy", lr=1e14, epochs=20, quiet=True)
    assert info.value.epoch == 2
    assert "binary_cross_entropy_with_logits" in str(info.value) and "log" in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)
    # the same run on the stable loss (linear output, logits) goes through the same step without error
    model = MLP(1, [1], rng=0)
    model.layers[0].neurons[0].w[0].data = 30.0
    history = fit(model, [[1.0]], [1], loss="binary_cross_entropy_with_logits", lr=1e14, epochs=20, quiet=True)
    assert history.epochs == 20


@needs_sklearn
def test_a_wrong_argument_is_not_called_divergence() -> None:
    """A ValueError that is not the engine's arithmetic (hinge labels must be -1/+1) stays a plain ValueError."""
    X, y = datasets.moons(10, seed=0)
    with pytest.raises(ValueError, match="labels must be -1 or") as info:
        fit(MLP(2, [4, 1], rng=0), X, y, loss="hinge", epochs=2, quiet=True)
    assert not isinstance(info.value, TrainingDivergedError)
    with pytest.raises(ValueError, match="fit: X: input row 1 holds a number that is not finite"):
        fit(MLP(2, [4, 1], rng=0), [[0.0, 1.0], [float("nan"), 0.0]], [1, -1], loss="hinge", quiet=True)


def test_each_step_zeroes_gradients_through_the_optimizer() -> None:
    X, y = datasets.binary_toy()
    calls = []

    class CountingSGD(SGD):
        def zero_grad(self) -> None:
            calls.append("zero_grad")
            super().zero_grad()

        def step(self) -> None:
            calls.append("step")
            super().step()

    model = MLP(4, [3, 1], activation="sigmoid", rng=0)
    fit(model, X, y, optimizer=CountingSGD(model.parameters(), lr=0.1), epochs=3, batch_size=2, quiet=True)
    assert calls == ["zero_grad", "step"] * 6


def _batch_orders(seed: int, epochs: int = 4) -> list[list[list[float]]]:
    """The targets of each batch fit() feeds the loss, epoch by epoch (targets 0..11 name the rows)."""
    X = [[float(i)] for i in range(12)]
    y = [float(i) for i in range(12)]
    seen: list[list[float]] = []

    def recording_mse(predictions, targets):
        seen.append(list(targets))
        return losses.mse(predictions, targets)

    fit(MLP(1, [1], rng=0), X, y, loss=recording_mse, lr=1e-3, epochs=epochs, batch_size=4, seed=seed, quiet=True)
    return [seen[i : i + 3] for i in range(0, len(seen), 3)]


def test_minibatch_shuffle_is_fresh_each_epoch_and_reproducible_from_the_seed() -> None:
    orders = _batch_orders(seed=7)
    assert len(orders) == 4
    for epoch in orders:
        assert [len(b) for b in epoch] == [4, 4, 4]
        assert sorted(t for b in epoch for t in b) == [float(i) for i in range(12)]  # every row once
    flat = [[t for b in epoch for t in b] for epoch in orders]
    assert len({tuple(order) for order in flat}) == 4  # a new order every epoch
    assert flat[0] != [float(i) for i in range(12)]  # shuffled, not in file order
    assert _batch_orders(seed=7) == orders  # the same seed gives the same batches
    assert _batch_orders(seed=8) != orders  # another seed, other batches


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_bar_goes_to_a_terminal_stderr_unless_quiet(capsys, monkeypatch) -> None:
    pytest.importorskip("tqdm")
    X, y = datasets.binary_toy()
    for stream, quiet, shown in [(_Terminal(), False, True), (_Terminal(), True, False), (io.StringIO(), False, False)]:
        monkeypatch.setattr(sys, "stderr", stream)
        fit(MLP(4, [2, 1], rng=0), X, y, epochs=3, desc="toybar", quiet=quiet)
        assert ("toybar" in stream.getvalue()) == shown
        assert ("3/3" in stream.getvalue()) == shown
    assert capsys.readouterr().out == ""  # never on stdout, where it would mix with printed results


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"y": [1.0, float("nan"), 0.0]}, r"target 1 must be a finite number \(or a list of them\), got nan"),
        ({"y": [1.0, 0.0, float("inf")]}, r"target 2 must be a finite number \(or a list of them\), got inf"),
        ({"y": [1.0, "0", 0.0]}, r"target 1 must be a finite number"),
        ({"l2": float("nan")}, r"l2 must be a finite number >= 0, got nan"),
        ({"l2": -1e-4}, r"l2 must be a finite number >= 0, got -0.0001"),
        ({"epochs": -5}, r"epochs must be a whole number >= 1, got -5"),
        ({"epochs": 0}, r"epochs must be a whole number >= 1, got 0"),
        ({"epochs": 2.5}, r"epochs must be a whole number >= 1, got 2.5"),
        ({"batch_size": True}, r"batch_size must be None or a whole number >= 1, got True"),
        ({"batch_size": 0}, r"batch_size must be None or a whole number >= 1, got 0"),
        ({"loss": "nope"}, r"unknown loss 'nope'; choose one of"),
        ({"y": [1, 0]}, r"fit: 3 input rows but 2 targets"),
        ({"X": [], "y": []}, r"fit: no training data"),
        ({"lr": float("inf")}, r"learning rate \(lr\) must be a finite number > 0, got inf"),
        ({"lr": float("nan")}, r"learning rate \(lr\) must be a finite number > 0, got nan"),
        ({"X": [[0.0, 1.0, 0.0, 1.0], ["a", 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0]]}, r"input row 1 must be a list of"),
    ],
)
def test_bad_training_input_is_a_value_error_naming_it_not_divergence(change: dict, message: str) -> None:
    X, y = datasets.binary_toy()
    model = MLP(4, [3, 1], rng=0)
    before = [p.data for p in model.parameters()]
    arguments = {"X": X, "y": y, "quiet": True, **change}
    with pytest.raises(ValueError, match=message) as info:
        fit(model, arguments.pop("X"), arguments.pop("y"), **arguments)
    assert not isinstance(info.value, TrainingDivergedError)
    assert [p.data for p in model.parameters()] == before  # refused before the first step


def test_numpy_integer_epochs_and_batch_size_are_whole_numbers() -> None:
    X, y = datasets.binary_toy()
    history = fit(MLP(4, [3, 1], rng=0), X, y, epochs=np.int64(3), batch_size=np.int64(2), quiet=True)
    assert history.epochs == 3


def test_a_learning_rate_schedule_must_stay_positive() -> None:
    """A schedule that turns negative would climb the loss: refused at the epoch it happens, naming it."""
    X, y = datasets.binary_toy()
    model = MLP(4, [3, 1], rng=0)
    with pytest.raises(ValueError, match=r"lr_schedule\(3\) gave -0.1") as info:
        fit(model, X, y, lr_schedule=lambda k: 0.1 if k < 3 else -0.1, epochs=5, quiet=True)
    assert "finite number > 0" in str(info.value)
    with pytest.raises(ValueError, match=r"lr_schedule\(0\) gave nan"):
        fit(model, X, y, lr_schedule=lambda k: float("nan"), epochs=5, quiet=True)


def test_rmse_and_accuracy_refuse_mismatched_or_empty_data() -> None:
    X, y = datasets.binary_toy()  # 3 rows
    model = MLP(4, [3, 1], rng=0)
    with pytest.raises(ValueError, match="rmse: 3 input rows but 1 targets"):
        rmse(model, X, y[:1])
    with pytest.raises(ValueError, match="accuracy: 3 input rows but 2 targets"):
        accuracy(model, X, y[:2], rule="threshold")
    with pytest.raises(ValueError, match="accuracy: no rows given"):
        accuracy(model, [], [], rule="threshold")
    with pytest.raises(ValueError, match="rmse: no rows given"):
        rmse(model, [], [])
    with pytest.raises(ValueError, match="'argmax' needs two or more outputs"):
        accuracy(model, X, y)
    with pytest.raises(ValueError, match="rmse needs a model with one output"):
        rmse(MLP(4, [2], rng=0), X, y)
    # the right lengths still give the exact values
    outputs = predict(model, X)
    assert rmse(model, X, y) == pytest.approx(math.sqrt(sum((o - t) ** 2 for o, t in zip(outputs, y)) / 3), rel=1e-15)
    assert accuracy(model, X, y, rule="threshold") == sum((o > 0.5) == (t > 0.5) for o, t in zip(outputs, y)) / 3


class _RecordingSGD(SGD):
    """SGD that keeps a copy of the weights after every step it completes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.after_steps: list[list[float]] = []

    def step(self) -> None:
        super().step()
        self.after_steps.append([p.data for p in self.params])


def _interrupt_on_call(number: int, function):
    """function, except that its call number `number` (from 1) raises KeyboardInterrupt."""
    calls = [0]

    def wrapped(*args):
        calls[0] += 1
        if calls[0] == number:
            raise KeyboardInterrupt
        return function(*args)

    return wrapped


@pytest.mark.parametrize("call", [1, 2, 7, 10])
def test_ctrl_c_in_the_loss_leaves_whole_steps_zero_gradients_and_the_history(call: int) -> None:
    """Mini-batches of 2 over 3 rows (2 steps an epoch); Ctrl-C while step `call` computes its loss."""
    X, y = datasets.binary_toy()
    model = MLP(4, [3, 1], activation="sigmoid", rng=0)
    start = [p.data for p in model.parameters()]
    optimizer = _RecordingSGD(model.parameters(), lr=0.5)
    with pytest.raises(KeyboardInterrupt) as info:
        fit(model, X, y, loss=_interrupt_on_call(call, losses.mse), optimizer=optimizer, epochs=10, batch_size=2,
            quiet=True)
    assert len(optimizer.after_steps) == call - 1
    assert [p.data for p in model.parameters()] == (optimizer.after_steps[-1] if call > 1 else start)
    assert all(p.grad == 0.0 for p in model.parameters())
    history = info.value.history
    assert history.epochs == (call - 1) // 2 == len(history.lr)
    assert history.loss == fit(MLP(4, [3, 1], activation="sigmoid", rng=0), X, y, lr=0.5, epochs=10, batch_size=2,
                               quiet=True).loss[: history.epochs]


@pytest.mark.parametrize("sqrt_call", [1, 5, 30, 41])
def test_ctrl_c_inside_adams_step_leaves_the_previous_whole_step(sqrt_call: int, monkeypatch) -> None:
    """Adam's step takes one sqrt per parameter (19 here): Ctrl-C inside one undoes nothing half-way."""
    import micrograd_nn.training.optim

    X, y = datasets.binary_toy()
    model = MLP(4, [3, 1], activation="sigmoid", rng=0)
    twin = MLP(4, [3, 1], activation="sigmoid", rng=0)
    optimizer, twin_optimizer = Adam(model.parameters(), lr=0.05), Adam(twin.parameters(), lr=0.05)
    whole_steps = (sqrt_call - 1) // len(model.parameters())
    if whole_steps:
        fit(twin, X, y, optimizer=twin_optimizer, epochs=whole_steps, quiet=True)
    monkeypatch.setattr(micrograd_nn.training.optim.math, "sqrt", _interrupt_on_call(sqrt_call, math.sqrt))
    with pytest.raises(KeyboardInterrupt) as info:
        fit(model, X, y, optimizer=optimizer, epochs=5, quiet=True)
    assert [p.data for p in model.parameters()] == [p.data for p in twin.parameters()]
    assert (optimizer.t, optimizer.m, optimizer.v) == (twin_optimizer.t, twin_optimizer.m, twin_optimizer.v)
    assert all(p.grad == 0.0 for p in model.parameters())
    assert info.value.history.epochs == whole_steps


def test_ctrl_c_in_a_metric_or_callback_keeps_only_whole_epochs() -> None:
    X, y = datasets.binary_toy()
    for where in ("metric", "on_epoch"):
        model = MLP(4, [3, 1], rng=0)
        options = {"metrics": {"acc": lambda m: 1.0}}
        if where == "metric":
            options["metrics"] = {"acc": _interrupt_on_call(3, lambda m: 1.0)}  # epoch 3's metric
        else:
            options["on_epoch"] = _interrupt_on_call(3, lambda epoch, history: None)  # after epoch 3 is recorded
        with pytest.raises(KeyboardInterrupt) as info:
            fit(model, X, y, epochs=10, quiet=True, **options)
        history = info.value.history
        expected = 2 if where == "metric" else 3
        assert history.epochs == len(history.lr) == len(history.metrics["acc"]) == expected
        assert all(p.grad == 0.0 for p in model.parameters())


def test_divergence_carries_the_history_so_far() -> None:
    X, y = datasets.exam_scores()
    with pytest.raises(TrainingDivergedError) as info:
        fit(MLP(2, [3, 1], rng=0), X * 1e3, y * 1e3, loss="mse", lr=1e6, epochs=50, quiet=True)
    assert info.value.history is not None and info.value.history.epochs == info.value.epoch - 1


def test_a_loss_function_must_return_a_value() -> None:
    X, y = datasets.binary_toy()
    with pytest.raises(TypeError, match="fit: the loss function must return a Value, got float"):
        fit(MLP(4, [3, 1], rng=0), X, y, loss=lambda predictions, targets: 0.5, quiet=True)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m, X, y: fit(m, None, y, quiet=True), "the inputs X must be a list"),
        (lambda m, X, y: fit(m, X, None, quiet=True), "the targets y must be a list"),
        (lambda m, X, y: fit(m, [1.0, 0.0, 1.0, 0.0], [1], quiet=True), "input row 0 must be a list of numbers"),
        (lambda m, X, y: rmse(m, X, [float("nan"), 1.0, 0.0]), "rmse: target 0 must be a finite number"),
        (lambda m, X, y: accuracy(m, X, [1, "1", 0], rule="threshold"), "accuracy: target 1 must be a finite number"),
    ],
)
def test_inputs_and_targets_that_are_not_lists_of_numbers_are_named(call, message: str) -> None:
    X, y = datasets.binary_toy()
    with pytest.raises(ValueError, match=message):
        call(MLP(4, [3, 1], rng=0), X, y)


def test_history_prints_as_one_short_line() -> None:
    """Before: the dataclass repr printed every loss, lr and metric value (100,000+ characters after a long fit)."""
    X, y = datasets.xor_table()
    model = MLP(2, [4, 1], activation="tanh", rng=0)
    history = fit(model, X, y, lr=0.1, epochs=300, quiet=True, train_metrics={"accuracy": lambda p, t: 0.5})
    text = repr(history)
    assert text == str(history)
    first, last = history.loss[0], history.loss[-1]
    assert text.startswith(f"History(epochs=300, loss {first:.6g} -> {last:.6g}, metrics accuracy 0.5, ")
    assert text.endswith(" s)") and len(text) < 120
    from micrograd_nn.training.train import History

    assert repr(History()) == "History(no epochs)"


def test_fit_names_the_model_argument_when_given_a_function() -> None:
    X, y = datasets.xor_table()
    with pytest.raises(TypeError, match=r"^fit: model \(the first argument\) must be a Module .* the function predict"):
        fit(predict, X, y, quiet=True)


def test_fit_takes_a_model_of_ones_own_that_quacks_like_a_module() -> None:
    class Line:
        def __init__(self) -> None:
            self.w = Value(0.0)

        def __call__(self, x):
            return self.w * x[0]

        def parameters(self):
            return [self.w]

        def zero_grad(self) -> None:
            self.w.grad = 0.0

    line = Line()
    fit(line, [[1.0], [2.0]], [2.0, 4.0], lr=0.1, epochs=200, quiet=True)
    assert line.w.data == pytest.approx(2.0, abs=1e-9)
