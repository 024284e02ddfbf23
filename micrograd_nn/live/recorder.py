"""Recorder: one call per training step captures that step's loss, learning rate, weights and gradients.

Call ``recorder.record(loss, lr)`` after ``loss.backward()`` and before the
update (``fit(..., on_step=recorder.on_step)`` does it for you).  The steps
form the timeline the live page plays: the architecture, the loss's name,
``l2``, the data and, per step, ``step``, ``loss`` (the total the optimiser
minimises: the loss plus l2 times the sum of squared parameters), ``lr``,
``weights`` and ``grads`` keyed by parameter label, so every loss and gradient
can be recomputed from the file.  Hosts (the local server, the notebook
widget) subscribe to hear of each new step.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from micrograd_nn import errors
from micrograd_nn.arrays import check_finite_rows
from micrograd_nn.engine import Value
from micrograd_nn.live.architecture import (
    Architecture,
    model_parameters,
    page_facts,
    parameter_names,
    read_architecture,
)

TIMELINE_VERSION = 1
"""The format version written into every timeline."""

Listener = Callable[[dict[str, Any]], None]
_Skipped = tuple[float, float | None, list[int] | None, int, dict[str, float], dict[str, float]]
"""A step every= skipped: loss, lr, batch rows, step number, weights, gradients."""


def _loss_name(loss: Any) -> str | None:
    """The library's name for a loss given by name or as micrograd_nn.training.losses' functions; None if neither."""
    from micrograd_nn.training.losses import LOSSES

    if loss is None:
        return None
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"Recorder: unknown loss {loss!r}; choose one of {sorted(LOSSES)} or pass the function")
        return loss
    if not callable(loss):
        raise TypeError(f"Recorder: loss must be a name such as 'hinge' or a loss function, got {loss!r}")
    for name, function in LOSSES.items():
        if function is loss:
            return name
    return getattr(loss, "__name__", None) or "custom"


def _batch_rows(batch: Any, count: int | None) -> list[int]:
    """batch as a list of row indices i, whole numbers with 0 <= i < count; ValueError naming batch otherwise."""
    if isinstance(batch, (str, bytes)) or not isinstance(batch, Iterable):
        raise ValueError(f"record: batch must be a list of row indices (whole numbers), got {batch!r:.60}")
    rows = list(batch)
    if not rows:
        raise ValueError("record: batch is empty; give the rows this step used, or batch=None for every row")
    last = None if count is None else count - 1
    why = "a row index" if count is None else f"a row index of X, which has {count} rows"
    return [errors.whole_number(i, f"record: batch[{k}]", 0, last, why=why) for k, i in enumerate(rows)]


class Recorder:
    """Records a model's training step by step, for the live page, the notebook widget and recorded pages.

    ``Recorder(model, X, y, loss="hinge", l2=1e-4)``: X and y are the training
    data (the page draws two-input data with the decision boundary and
    recomputes each sample's numbers); loss is the library's loss name or
    function and l2 the weight-decay factor your loop adds (both go into the
    timeline so the file can be checked).  Then one ``record(loss, lr)`` per
    step.  ``every=k`` keeps every k-th step (and the last one you record).
    """

    def __init__(
        self,
        model: Any,
        X: Any = None,
        y: Any = None,
        *,
        loss: str | Callable[..., Value] | None = None,
        l2: float = 0.0,
        every: int = 1,
        check_first_step: bool = True,
    ) -> None:
        """Read the model's parameters and architecture; check the data against it (ValueError if it does not fit)."""
        self.model = model
        self.params = model_parameters(model)
        self.names = parameter_names(self.params)
        self.architecture: Architecture | None = read_architecture(model)
        self.loss_function = loss if callable(loss) and not isinstance(loss, str) else None
        self.loss_name = _loss_name(loss)
        self.l2 = errors.finite_real(l2, "Recorder: l2", at_least=0.0)
        self.every = errors.whole_number(every, "Recorder: every")
        self.check_first_step = check_first_step
        self.X, self.y = self._check_data(X, y)
        self.steps: list[dict[str, Any]] = []
        self.finished = False
        self._count = 0  # steps seen, recorded or not
        # the last step that every= skipped, kept whole so finish() can store it
        self._pending: _Skipped | None = None
        self._changed = threading.Condition()
        self._listeners: list[Listener] = []

    # --- the data ------------------------------------------------------------------

    def _check_data(self, X: Any, y: Any) -> tuple[list[list[float]] | None, list[Any] | None]:
        """X as rows of floats, y as plain numbers (or lists), checked against the model; (None, None) without data."""
        from micrograd_nn.training.train import as_rows, as_targets

        if X is None and y is None:
            return None, None
        if X is None or y is None:
            raise ValueError("Recorder: give both X and y (the training inputs and targets), or neither")
        rows, targets = as_rows(X), as_targets(y)
        if not rows:
            raise ValueError("Recorder: X has no rows")
        if len(rows) != len(targets):
            raise ValueError(f"Recorder: X has {len(rows)} rows but y has {len(targets)} targets")
        check_finite_rows(rows, "Recorder")
        arch = self.architecture
        if arch is not None:
            for i, row in enumerate(rows):
                if len(row) != arch.nin:
                    raise ValueError(
                        f"Recorder: X has rows of {len(row)} numbers (row {i}) but the model takes {arch.nin} "
                        f"inputs; X must have shape ({len(rows)}, {arch.nin})"
                    )
        outputs = arch.sizes[-1] if arch is not None else None
        clean = []
        targets = [target.tolist() if hasattr(target, "tolist") else target for target in targets]
        errors.finite_targets(targets, "Recorder")
        for i, target in enumerate(targets):
            if outputs is not None and isinstance(target, (list, tuple)) and len(target) != outputs:
                raise ValueError(
                    f"Recorder: target {i} has {len(target)} numbers but the model has {outputs} outputs"
                )
            if outputs is not None and outputs > 1 and not isinstance(target, (list, tuple)):
                if self.loss_name != "softmax_cross_entropy":
                    raise ValueError(
                        f"Recorder: target {i} is one number but the model has {outputs} outputs; give a list of "
                        f"{outputs} numbers per row, or use loss='softmax_cross_entropy' with class indices"
                    )
                if not float(target).is_integer() or not 0 <= target < outputs:
                    raise ValueError(f"Recorder: target {i} is {target!r}, not a class index below {outputs}")
            clean.append(list(target) if isinstance(target, (list, tuple)) else target)
        return rows, clean

    # --- recording -----------------------------------------------------------------

    def record(self, loss: Value | float, lr: float | None = None, *, batch: Sequence[int] | None = None
               ) -> dict[str, Any] | None:
        """Record this step: call after loss.backward() and before the update; returns the step (None if skipped).

        loss: the total being minimised (a Value after backward(), or its
        number); lr: the learning rate of the update about to happen; batch:
        the row indices this step used, when not every row.
        """
        if isinstance(loss, Value):
            if loss.grad != 1.0:
                raise ValueError(
                    f"record: call loss.backward() before record() (the loss {loss.data!r} has grad {loss.grad!r}, "
                    "so its gradients are not computed yet)"
                )
            value = loss.data
        else:
            value = errors.finite_real(loss, "record: loss")
        if not math.isfinite(value):
            raise ValueError(f"record: the loss is {value!r}, not a finite number")
        rate = None if lr is None else errors.finite_real(lr, "record: lr")
        rows = None if batch is None else _batch_rows(batch, None if self.X is None else len(self.X))
        number = self._count
        self._count += 1
        weights, grads = self._snapshot(number)  # now, before the update changes the weights
        if number % self.every and not self.finished:
            self._pending = (value, rate, rows, number, weights, grads)
            return None
        self._pending = None
        return self._store(value, rate, rows, number, weights, grads)

    def on_step(self, loss: Value, lr: float, batch: Sequence[int]) -> None:
        """The hook for fit(..., on_step=recorder.on_step): records the step fit is about to take."""
        full = self.X is not None and len(batch) == len(self.X) and list(batch) == list(range(len(self.X)))
        self.record(loss, lr, batch=None if full else batch)

    def _snapshot(self, number: int) -> tuple[dict[str, float], dict[str, float]]:
        """Every parameter's value and gradient now, by name (ValueError if one is not finite)."""
        weights, grads = {}, {}
        for name, p in zip(self.names, self.params):
            if not (math.isfinite(p.data) and math.isfinite(p.grad)):
                raise ValueError(
                    f"record: at step {number} parameter {name} has value {p.data!r} and gradient {p.grad!r}; "
                    "the recording holds finite numbers only (the training diverged: try a smaller learning rate)"
                )
            weights[name], grads[name] = p.data, p.grad
        return weights, grads

    def _store(self, value: float, rate: float | None, rows: list[int] | None, number: int,
               weights: dict[str, float], grads: dict[str, float]) -> dict[str, Any]:
        """Append the step (its weights and gradients as they were at record time); tell the listeners."""
        if not self.steps and self.check_first_step:
            self._check_total(value, rows)
        step: dict[str, Any] = {"step": number, "loss": value, "lr": rate, "weights": weights, "grads": grads}
        if rows is not None:
            step["batch"] = rows
        with self._changed:
            self.steps.append(step)
            listeners = list(self._listeners)
            self._changed.notify_all()
        self._tell(listeners, step)
        return step

    def _tell(self, listeners: list[Listener], message: dict[str, Any]) -> None:
        """Give message to each listener; one that fails (a host gone away) is dropped with a warning, never
        stopping the training loop that called record()."""
        for listener in listeners:
            try:
                listener(message)
            except Exception as err:  # noqa: BLE001 - any host failure: training goes on
                self.unsubscribe(listener)
                warnings.warn(f"live: a view of this run stopped listening ({type(err).__name__}: {err}); "
                              "training and recording go on", RuntimeWarning, stacklevel=3)

    def _check_total(self, value: float, rows: list[int] | None) -> None:
        """The first step's loss must be what the timeline says it is: loss(model(X), y) + l2 * sum p^2.

        Run once, so a recording whose loss name or l2 does not describe the
        loop is refused at its first step rather than written wrong.
        """
        from micrograd_nn.training.losses import LOSSES

        if self.X is None or self.y is None or not callable(self.model):
            return
        function = LOSSES.get(self.loss_name or "") if self.loss_function is None else self.loss_function
        if function is None:
            return
        chosen = rows if rows is not None else range(len(self.X))
        predictions = [self.model([*self.X[i]]) for i in chosen]
        expected = function(predictions, [self.y[i] for i in chosen]).data
        expected += self.l2 * math.fsum(p.data * p.data for p in self.params)
        if not math.isclose(expected, value, rel_tol=1e-9, abs_tol=1e-12):
            raise ValueError(
                f"record: the loss given at the first step is {value!r}, but loss={self.loss_name!r} with "
                f"l2={self.l2!r} on the recorder's X and y gives {expected!r}; pass the loss and l2 your loop uses "
                "(Recorder(model, X, y, loss=..., l2=...)) and record the total the update minimises"
            )

    def finish(self) -> None:
        """Say training has ended (keeps a skipped last step when every > 1); hosts show the run as complete."""
        pending = self._pending
        if pending is not None:
            self._store(*pending)
        self._pending = None
        with self._changed:
            self.finished = True
            self._changed.notify_all()
            listeners = list(self._listeners)
        self._tell(listeners, {"finished": True})

    # --- hosts ---------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """Call listener(step) after each new step (and listener({"finished": True}) at finish())."""
        with self._changed:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling listener."""
        with self._changed:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def wait_for_steps(self, known: int, timeout: float) -> tuple[list[dict[str, Any]], bool]:
        """The steps after the first `known` ones, waiting up to timeout seconds for one; and whether training ended."""
        with self._changed:
            if len(self.steps) <= known and not self.finished:
                self._changed.wait(timeout)
            return self.steps[known:], self.finished

    def wake(self) -> None:
        """Wake every wait_for_steps (a host shutting down)."""
        with self._changed:
            self._changed.notify_all()

    def timeline(self) -> dict[str, Any]:
        """The run so far as the timeline object (the JSON a recorded page embeds)."""
        with self._changed:
            steps = list(self.steps)
        return {
            "version": TIMELINE_VERSION,
            "architecture": None if self.architecture is None else self.architecture.as_json(),
            "parameters": list(self.names),
            "loss": self.loss_name,
            "l2": self.l2,
            "data": None if self.X is None else {"X": self.X, "y": self.y},
            "finished": self.finished,
            "steps": steps,
            "labels": None if self.architecture is None else self.architecture.labels_json(),
            "page": page_facts(),
        }
