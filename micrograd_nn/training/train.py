"""fit(): train a model with the Value engine, full-batch, mini-batch or one sample at a time.

One epoch is one pass over the data.  With ``batch_size=None`` every epoch
is one gradient step on the loss over all samples (full-batch gradient
descent); ``batch_size=k`` takes one step per k samples (mini-batches, in a
fresh seeded shuffle each epoch); ``batch_size=1`` is per-sample stochastic
gradient descent.  Each step is: forward every sample of the batch, loss,
zero the gradients, backward, optimizer step.

Everything is checked before the first step (inputs and targets finite
numbers, epochs, batch size, l2, the learning rate each epoch), so bad input is
a ValueError naming the argument, never a "diverged" run.  Ctrl-C during fit
leaves the model at a whole step (the optimizers' steps are all or nothing),
zeroes its gradients and hands the completed epochs over as ``err.history``
on the KeyboardInterrupt (TrainingDivergedError carries ``.history`` too).
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

from micrograd_nn import errors
from micrograd_nn.arrays import check_finite_rows
from micrograd_nn.engine import Value
from micrograd_nn.nn import Module
from micrograd_nn.rules import DomainError
from micrograd_nn.training import losses
from micrograd_nn.training.diagnose import DeadUnitWatch, diagnose
from micrograd_nn.training.losses import LOSSES, LossFunction
from micrograd_nn.training.optim import SGD, Optimizer

Metric = Callable[[Module], float]
TrainMetric = Callable[[list[Any], list[Any]], float]

class TrainingDivergedError(ArithmeticError):
    """The loss (or a gradient or weight) stopped being a finite number during fit()."""

    def __init__(self, epoch: int, detail: str, hint: str = "") -> None:
        """epoch: counted from 1; detail: what happened; hint: what to do (default: lower lr or change loss)."""
        self.epoch = epoch
        self.history: History | None = None  # the epochs completed before, set by fit()
        advice = hint or "try a smaller learning rate or a different loss"
        super().__init__(f"training diverged at epoch {epoch}: {detail}; {advice}")


@dataclass(repr=False)
class History:
    """What fit() recorded: the loss, the learning rate and each metric, one entry per epoch."""

    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def epochs(self) -> int:
        """How many epochs were completed."""
        return len(self.loss)

    def summary(self) -> str:
        """The last epoch as one line: epoch, loss and metrics."""
        if not self.loss:
            return "no epochs run"
        parts = [f"epoch {self.epochs}", f"loss {self.loss[-1]:.6g}"]
        parts += [f"{name} {values[-1]:.4g}" for name, values in self.metrics.items()]
        return ", ".join(parts)

    def __repr__(self) -> str:
        """One short line: epochs, first and last loss, the metrics' names and the time (the lists stay unprinted)."""
        if not self.loss:
            return "History(no epochs)"
        text = f"History(epochs={self.epochs}, loss {self.loss[0]:.6g} -> {self.loss[-1]:.6g}"
        if self.metrics:
            last = [f"{name} {values[-1]:.4g}" for name, values in self.metrics.items() if values]
            text += ", metrics " + ", ".join(last)
        return text + f", {self.seconds:.2f} s)"

    def _drop_unfinished_epoch(self) -> None:
        """Cut every record to the epochs recorded in full (an interrupt may come between two appends)."""
        complete = min([len(self.loss), len(self.lr), *(len(values) for values in self.metrics.values())])
        del self.loss[complete:], self.lr[complete:]
        for values in self.metrics.values():
            del values[complete:]


def _as_list(x: Any, what: str) -> list[Any]:
    """x (a NumPy array, list, tuple or other iterable) as a list; ValueError naming `what` if it is not one."""
    if hasattr(x, "tolist"):
        x = x.tolist()
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise ValueError(f"{what} must be a list (or array), got {x!r}")
    return list(x)


def as_rows(X: Any) -> list[list[float]]:
    """The inputs as a list of rows of Python floats (accepts NumPy arrays and nested lists)."""
    out = []
    for i, row in enumerate(_as_list(X, "the inputs X")):
        row = row.tolist() if hasattr(row, "tolist") else row
        if not isinstance(row, (list, tuple)) or not all(isinstance(v, Real) for v in row):
            raise ValueError(f"input row {i} must be a list of numbers, got {row!r}")
        out.append([float(v) for v in row])
    return out


def as_targets(y: Any) -> list[Any]:
    """The targets as Python numbers (ints stay ints for class labels) or lists of them."""
    return _as_list(y, "the targets y")


def predict(model: Module, X: Any) -> list[Any]:
    """model(x) for every row, as plain floats (a float per row, or a list of floats per row)."""
    out = []
    for row in as_rows(X):
        result = model(row)  # type: ignore[operator]
        out.append([v.data for v in result] if isinstance(result, list) else result.data)
    return out


def accuracy(model: Module, X: Any, y: Any, rule: str = "argmax") -> float:
    """Fraction of rows classified right.

    rule "argmax": class = index of the largest output (multi-class);
    "sign": class = sign of the one output, labels -1/+1 (micrograd's moons);
    "threshold": class = 1 if the one output > 0.5 else 0 (sigmoid outputs, labels 0/1).
    """
    predictions, labels = predict(model, X), as_targets(y)
    _check_lengths("accuracy", predictions, labels)
    errors.finite_targets(labels, "accuracy")
    return classification_accuracy(predictions, labels, rule)


def _check_lengths(name: str, predictions: Sequence[Any], targets: Sequence[Any]) -> None:
    """ValueError unless there are as many targets as rows, and at least one row."""
    if len(predictions) != len(targets):
        raise ValueError(f"{name}: {len(predictions)} input rows but {len(targets)} targets")
    if not predictions:
        raise ValueError(f"{name}: no rows given")


def classification_accuracy(predictions: Sequence[Any], labels: Sequence[Any], rule: str = "argmax") -> float:
    """Fraction of predictions (floats, or lists of floats) whose class matches the label; rules as accuracy()."""
    _check_lengths("classification_accuracy", predictions, labels)
    vectors = [isinstance(p, (list, tuple)) for p in predictions]
    if rule == "argmax" and not all(vectors):
        raise ValueError("accuracy rule 'argmax' needs two or more outputs per row; use 'sign' or 'threshold'")
    if rule in ("sign", "threshold") and any(vectors):
        raise ValueError(f"accuracy rule {rule!r} needs one output per row; use 'argmax' for several outputs")
    if rule == "argmax":
        hits = [max(range(len(p)), key=p.__getitem__) == t for p, t in zip(predictions, labels)]
    elif rule == "sign":
        hits = [(p > 0) == (t > 0) for p, t in zip(predictions, labels)]
    elif rule == "threshold":
        hits = [(p > 0.5) == (t > 0.5) for p, t in zip(predictions, labels)]
    else:
        raise ValueError(f"unknown accuracy rule {rule!r}; choose argmax, sign or threshold")
    return sum(hits) / len(hits)


def rmse(model: Module, X: Any, y: Any) -> float:
    """Root mean squared error of a one-output model: sqrt(1/n sum_i (f(x_i) - y_i)^2)."""
    predictions = predict(model, X)
    targets = as_targets(y)
    _check_lengths("rmse", predictions, targets)
    errors.finite_targets(targets, "rmse")
    if any(isinstance(p, list) for p in predictions):
        raise ValueError("rmse needs a model with one output")
    return math.sqrt(sum((p - t) ** 2 for p, t in zip(predictions, targets)) / len(targets))


def _batches(n: int, batch_size: int | None, shuffler: random.Random | None) -> list[list[int]]:
    """Row indices of each step of one epoch."""
    order = list(range(n))
    if batch_size is None or batch_size >= n:
        return [order]
    if shuffler is not None:
        shuffler.shuffle(order)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def fit(
    model: Module,
    X: Any,
    y: Any,
    *,
    loss: str | LossFunction = "mse",
    optimizer: Optimizer | None = None,
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    l2: float = 0.0,
    lr_schedule: Callable[[int], float] | None = None,
    metrics: Mapping[str, Metric] | None = None,
    train_metrics: Mapping[str, TrainMetric] | None = None,
    quiet: bool = False,
    desc: str = "training",
    on_epoch: Callable[[int, History], None] | None = None,
    on_step: Callable[[Value, float, list[int]], None] | None = None,
) -> History:
    """Train model on (X, y) for ``epochs`` passes; returns the History.

    Each step minimises loss(predictions, targets) + l2 * sum_p p^2 over one
    batch.  loss is a name from LOSSES or a function (predictions, targets) ->
    Value.  optimizer defaults to SGD(model.parameters(), lr).  lr_schedule(epoch)
    (epochs counted from 0) sets the optimizer's learning rate before each epoch.
    History.loss[e] is the mean of epoch e's batch losses weighted by batch size,
    each measured before its update.  metrics map names to functions of the model,
    evaluated after each epoch; train_metrics map names to functions (predictions,
    targets) -> float of the epoch's training predictions as plain floats, each
    made before its batch's update (free: no extra forward pass).  on_epoch(epoch, history) runs after each epoch
    (from 1); on_step(loss, lr, batch) after each step's backward(), before its update (the live page records it).
    A tqdm progress bar shows unless quiet.  A loss, gradient or weight that stops being finite (overflow, or log(0)
    when a sigmoid output saturates under binary cross-entropy) raises TrainingDivergedError naming the epoch.
    Bad arguments (non-finite inputs or targets, epochs < 1, l2 < 0, a learning
    rate that is not a finite number > 0) raise ValueError naming the argument
    before the first step; a value of lr_schedule is checked the same way at
    its epoch.  KeyboardInterrupt (Ctrl-C) leaves the model at its last whole
    step with zero gradients, and the exception carries the completed epochs as
    ``err.history``; a TrainingDivergedError carries them as ``.history`` too.
    A layer whose every unit passes no gradient back (dead ReLUs, see
    micrograd_nn.training.diagnose), before the first step or after any epoch, gives one
    DeadUnitsWarning naming the units and the remedies; training goes on.
    """
    _check_model(model)
    rows, targets = _training_data(X, y)
    _check_settings(epochs, batch_size, l2)
    if isinstance(loss, str) and loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)}")
    loss_fn = LOSSES[loss] if isinstance(loss, str) else loss
    params = model.parameters()
    run = _Run(model, params, optimizer if optimizer is not None else SGD(params, lr=lr), loss_fn, rows, targets,
               batch_size, random.Random(seed) if shuffle else None, l2, on_step)
    watch = DeadUnitWatch.for_fit(model, rows)  # warns once if a whole layer is (or goes) dead
    if watch is not None:
        watch.check("before the first step")
    return _train(run, int(epochs), lr_schedule, dict(train_metrics or {}), dict(metrics or {}),
                  _progress_bar(int(epochs), desc, quiet), on_epoch, watch)


@dataclass
class _Run:
    """What every step of one fit() call uses."""

    model: Module
    params: list[Value]
    optimizer: Optimizer
    loss_fn: LossFunction
    rows: list[list[float]]
    targets: list[Any]
    batch_size: int | None
    shuffler: random.Random | None
    l2: float
    on_step: Callable[[Value, float, list[int]], None] | None = None

    def epoch(self, number: int) -> tuple[float, list[Any], list[int]]:
        """One pass over the data: (the mean batch loss weighted by batch size, the outputs, their row indices)."""
        total = 0.0
        seen: list[int] = []
        outputs: list[Any] = []
        for batch in _batches(len(self.rows), self.batch_size, self.shuffler):
            batch_loss, batch_outputs = _step(self.model, self.params, self.optimizer, self.loss_fn, self.rows,
                                              self.targets, batch, self.l2, number, self.on_step)
            total += batch_loss * len(batch)
            seen += batch
            outputs += batch_outputs
        return total / len(self.rows), outputs, seen


def _train(
    run: _Run, epochs: int, lr_schedule: Callable[[int], float] | None, train_metric_fns: dict[str, TrainMetric],
    metric_fns: dict[str, Metric], bar: Any, on_epoch: Callable[[int, History], None] | None,
    watch: DeadUnitWatch | None,
) -> History:
    """fit's epochs: each one's loss, learning rate and metrics into the History; Ctrl-C and divergence keep it."""
    history = History(metrics={name: [] for name in [*train_metric_fns, *metric_fns]})
    started = time.perf_counter()
    try:
        for epoch in range(1, epochs + 1):
            if lr_schedule is not None:
                _set_scheduled_lr(run.optimizer, lr_schedule, epoch - 1)
            mean_loss, outputs, seen = run.epoch(epoch)
            history.loss.append(mean_loss)
            history.lr.append(run.optimizer.lr)
            for name, train_metric in train_metric_fns.items():
                history.metrics[name].append(float(train_metric(outputs, [run.targets[i] for i in seen])))
            for name, metric in metric_fns.items():
                history.metrics[name].append(float(metric(run.model)))
            if bar is not None:
                bar.set_postfix_str(history.summary().split(", ", 1)[1], refresh=False)
                bar.update(1)
            if watch is not None:
                watch.check(f"after epoch {epoch}", stacklevel=4)  # the warning points at the fit(...) call
            if on_epoch is not None:
                on_epoch(epoch, history)
    except (KeyboardInterrupt, TrainingDivergedError) as err:
        history._drop_unfinished_epoch()
        err.history = history  # type: ignore[union-attr]
        if isinstance(err, KeyboardInterrupt):
            run.model.zero_grad()  # the gradients of an unfinished step mean nothing
        raise
    finally:
        history.seconds = time.perf_counter() - started
        if bar is not None:
            bar.close()
    return history


def _check_model(model: Any) -> None:
    """TypeError naming the first argument unless it is a Module (callable, with parameters() and zero_grad())."""
    if not (callable(model) and all(callable(getattr(model, name, None)) for name in ("parameters", "zero_grad"))):
        called = getattr(model, "__name__", None)
        raise TypeError(
            f"fit: model (the first argument) must be a Module such as an MLP (callable, with parameters() and "
            f"zero_grad()), got the {type(model).__name__}{f' {called}' if called else ''}"
        )


def _training_data(X: Any, y: Any) -> tuple[list[list[float]], list[Any]]:
    """fit's rows and targets, checked: as many of each, at least one, every number finite."""
    rows, targets = as_rows(X), as_targets(y)
    if len(rows) != len(targets):
        raise ValueError(f"fit: {len(rows)} input rows but {len(targets)} targets")
    if not rows:
        raise ValueError("fit: no training data")
    check_finite_rows(rows, "fit")
    errors.finite_targets(targets, "fit")
    return rows, targets


def _check_settings(epochs: Any, batch_size: Any, l2: Any) -> None:
    """epochs a whole number >= 1, batch_size None or a whole number >= 1, l2 a finite number >= 0."""
    errors.whole_number(epochs, "fit: epochs")
    if batch_size is not None and not errors.is_whole_number(batch_size):
        raise ValueError(f"fit: batch_size must be None or a whole number >= 1, got {batch_size!r}")
    errors.finite_real(l2, "fit: l2", at_least=0.0)


def _set_scheduled_lr(optimizer: Optimizer, lr_schedule: Callable[[int], float], epoch: int) -> None:
    """optimizer.lr = lr_schedule(epoch), with a ValueError naming the schedule if that is not a valid rate."""
    lr = lr_schedule(epoch)
    errors.finite_real(lr, f"fit: lr_schedule({epoch}) gave {errors.shown(lr)}; the learning rate", above=0.0)
    optimizer.lr = lr


def _step(
    model: Module,
    params: Sequence[Value],
    optimizer: Optimizer,
    loss_fn: LossFunction,
    rows: list[list[float]],
    targets: list[Any],
    batch: list[int],
    l2: float,
    epoch: int,
    on_step: Callable[[Value, float, list[int]], None] | None = None,
) -> tuple[float, list[Any]]:
    """One gradient step on one batch; returns its loss and outputs (floats) before the update.

    Every Value is finite when it is built: a step whose forward or backward pass
    leaves the floats (overflow, log(0), 0 ** -1) raises in the engine, and that
    error becomes TrainingDivergedError.  The optimizer's update is plain float
    arithmetic, so the new weights are checked for inf and nan.
    """
    try:
        predictions = [model([*rows[i]]) for i in batch]  # type: ignore[operator]
        loss = loss_fn(predictions, [targets[i] for i in batch])
        if not isinstance(loss, Value):
            raise TypeError(f"fit: the loss function must return a Value, got {type(loss).__name__}")
        if l2:
            loss = loss + losses.l2_penalty(params, l2)
        optimizer.zero_grad()
        loss.backward()
    except (OverflowError, ZeroDivisionError) as err:
        raise TrainingDivergedError(epoch, str(err)) from err
    except DomainError as err:  # a rule's domain error such as log(0); other ValueErrors are wrong arguments
        hint = ""
        if loss_fn is losses.binary_cross_entropy:
            hint = (
                "a sigmoid output rounded to exactly 0 or 1, so ln(0) in the binary cross-entropy; "
                "use loss='binary_cross_entropy_with_logits' on a linear output, which never takes ln(0)"
            )
        raise TrainingDivergedError(epoch, str(err), hint) from err
    if on_step is not None:
        on_step(loss, optimizer.lr, batch)
    optimizer.step()
    for p in params:
        if not math.isfinite(p.data):
            raise TrainingDivergedError(epoch, f"parameter {p.label or p!r} became {p.data!r}")
    outputs = [[v.data for v in out] if isinstance(out, list) else out.data for out in predictions]
    return loss.data, outputs


def _progress_bar(epochs: int, desc: str, quiet: bool) -> Any:
    """A tqdm bar over the epochs on stderr, or None when quiet or tqdm is not installed."""
    if quiet:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    # on stderr, and off when stderr is not a terminal (a log file); tqdm's notebook bar shows regardless
    return tqdm(total=epochs, desc=desc, unit="epoch", leave=True, file=sys.stderr, disable=None)


__all__ = [
    "fit",
    "History",
    "TrainingDivergedError",
    "LOSSES",
    "predict",
    "accuracy",
    "classification_accuracy",
    "rmse",
    "diagnose",
    "as_rows",
    "as_targets",
]
