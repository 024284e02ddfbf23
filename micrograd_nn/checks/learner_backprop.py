"""Compare a learner's hand-written gradient arrays with the engine's, entry by entry, and say what went wrong.

    report = check_gradients([dW1, db1, dW2, db2], model, X, y, loss="mse", layout="inputs_by_neurons")
    print(report)          # readable; report.ok, report.mismatches, report.diagnoses for code

The engine's gradients come from the public API: the model's outputs for every
row of X, the loss built from Values, and backward().  The learner's arrays
are in the order W1, b1, W2, b2, ... (W1, W2, ... for "bias_row_first" and for
networks without biases), shaped as `layout` says (see micrograd_nn.nn.LAYOUTS).
An entry agrees when |mine - engine| <= rtol * max(|engine|, 1e-3 * g), with g
the largest |engine gradient| (so entries that cancel to about 0 are compared
at 1e-12 g, not at 0).

When an array disagrees, the checker looks for the usual mistakes, in this order,
first under the requested loss and then under the other losses that fit the data:
a missing layer (None or all zeros), one number where a vector is due, a
transposed matrix, a flipped sign, one constant factor (with what it means),
a factor per neuron (often a neighbouring weight used), and the gradient of another loss.
Before those, it recomputes the backward pass with each tanh or sigmoid layer's slope
taken at the wrong quantity (1 - Z^2 for 1 - A^2, sigmoid'(A) for sigmoid'(Z), ...):
an array that matches one of them gets an "activation_slope" diagnosis.

Here: the API and its report.  The inputs are read in learner_inputs.py, the
diagnoses made in learner_diagnoses.py (from a Case: one call's model, data and tolerance).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from micrograd_nn import _old_paths
from micrograd_nn.checks.learner_diagnoses import (
    Case,
    Diagnosis,
    EntryMismatch,
    SlopeSlips,
    align,
    compare,
    missing_hint,
    pattern,
    sample_word,
)
from micrograd_nn.checks.learner_inputs import input_rows, learner_arrays, targets_of
from micrograd_nn.engine import Value
from micrograd_nn.nn import LAYOUTS, MLP
from micrograd_nn.training import losses
from micrograd_nn.training.losses import (
    CLASS_INDEX_LOSSES,
    LOSS_TEXT,
    LOSSES,
    SQUARED_ERRORS,
    output_sum,
    softmax_mse,
)

DIAGNOSIS_KINDS = (
    "missing",  # None or all zeros where the engine has a gradient: a layer not computed
    "shape",  # one number where a vector is due, or a shape that fits nothing
    "transposed",  # the matrix's transpose matches
    "sign",  # every entry is minus the engine's
    "factor",  # every entry is the engine's times one constant
    "row_factor",  # each row has its own factor (a bias: a neighbouring output weight's ratio)
    "column_factor",  # each column has its own factor (a bias: a neighbouring output weight's ratio)
    "loss",  # the array is the gradient of another loss
    "activation_slope",  # an activation's derivative taken at the wrong quantity (Z for A, or A for Z)
    "unexplained",  # wrong, and none of the patterns above fits
)


LOSS_FUNCTIONS = LOSSES
"""The losses check_gradients knows by name: training.losses.LOSSES itself (this name is kept for older code)."""


Mismatch = EntryMismatch  # its old name, kept so old imports work



@dataclass
class GradientReport:
    """The outcome of check_gradients."""

    loss: str
    layout: str
    rows: int
    names: list[str]  # W1, b1, W2, b2, ... in the order the arrays were given
    engine: dict[str, np.ndarray]  # the engine's gradients, in the layout
    entries: dict[str, int]  # how many numbers each array should hold
    mismatches: list[EntryMismatch] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    rtol: float = 1e-9

    @property
    def ok(self) -> bool:
        """True when every entry of every array agrees with the engine."""
        return not self.mismatches and not self.diagnoses

    def wrong(self, name: str) -> list[EntryMismatch]:
        """The mismatches of one parameter array."""
        return [m for m in self.mismatches if m.parameter == name]

    def kinds(self, name: str) -> list[str]:
        """The diagnosis kinds found for one parameter array."""
        return [d.kind for d in self.diagnoses if d.parameter == name]

    def __str__(self) -> str:
        total = sum(self.entries.values())
        rows = f"{self.rows} {sample_word(self.layout)}"
        if self.rows == 1:
            rows = rows[:-1]  # "1 row", "1 column"
        head = f"gradient check: {LOSS_TEXT.get(self.loss, self.loss)}, layout {self.layout!r}, {rows}"
        if self.ok:
            return (
                f"{head}: OK, all {total} entries of {', '.join(self.names)} agree (relative tolerance {self.rtol:g})"
            )
        bad = [name for name in self.names if self.wrong(name) or self.kinds(name)]
        lines = [f"{head}: {len(self.mismatches)} of {total} entries differ, in {', '.join(bad)}"]
        for name in self.names:
            wrong = self.wrong(name)
            if not wrong and not self.kinds(name):
                lines.append(f"  {name}: all {self.entries[name]} entries agree")
                continue
            lines.append(f"  {name}: {len(wrong)} of {self.entries[name]} entries differ")
            for d in self.diagnoses:
                if d.parameter == name:
                    lines.append(f"    [{d.kind}] {d.message}")
            for m in wrong[:3]:
                where = ", ".join(map(str, m.index))
                yours = "none" if m.mine != m.mine else f"{m.mine:.8g}"
                lines.append(f"    {name}[{where}]: yours {yours}, engine {m.engine:.8g}")
        return "\n".join(lines)


def check_gradients(
    mine: Sequence[Any] | Callable[[], Sequence[Any]],
    model: MLP,
    X: Any,
    y: Any,
    loss: str | Callable[[Any, Any], Value] = "mse",
    layout: str = "inputs_by_neurons",
    *,
    rtol: float = 1e-9,
) -> GradientReport:
    """Compare mine = [dL/dW1, dL/db1, ...] with the engine's dL/dp for loss L(model(X), y), entry by entry.

    mine: NumPy arrays or nested lists (None for an array not computed), or a
    function of no arguments returning them.  X: one row per sample, or for
    "neurons_by_inputs" one column per sample (as that layout's Z = W @ X + b).
    y: targets (class labels for softmax losses; one-hot rows or columns are
    accepted too).  loss: a name from LOSS_FUNCTIONS or a function
    (predictions, targets) -> Value.  The model's .grad values are overwritten.
    """
    _check_settings(model, loss, layout, rtol)
    names = parameter_names(model, layout)
    rows = input_rows(X, model, layout)
    loss_name = loss if isinstance(loss, str) else getattr(loss, "__name__", "your loss")
    targets = targets_of(y, model, layout, len(rows), loss_name)
    arrays = learner_arrays(mine, names)

    try:
        engine = {loss_name: _engine_gradients(model, rows, targets, loss, layout)}
    except (ValueError, ArithmeticError) as error:
        raise ValueError(_loss_failed_message(loss_name, model, error)) from None
    sizes = {n: g.size for n, g in engine[loss_name].items()}
    report = GradientReport(loss_name, layout, len(rows), names, engine[loss_name], sizes, rtol=rtol)
    largest = max(float(np.max(np.abs(g))) for g in report.engine.values())
    floor = 1e-3 * largest
    slopes = SlopeSlips(model, rows, targets, LOSS_FUNCTIONS[loss] if isinstance(loss, str) else loss, layout)
    case = Case(model, rows, targets, layout, rtol, floor, _next_layer_weights(model), slopes, engine)
    for name in names:
        expected, given = report.engine[name], arrays[name]
        aligned, diagnoses = align(name, given, expected, layout, len(model.layers))
        report.mismatches += compare(name, aligned, expected, rtol, floor)
        if not report.wrong(name) and not diagnoses:
            continue
        if not any(d.kind in ("missing", "shape") for d in diagnoses):
            diagnoses += _explain(name, aligned, report, case)
        report.diagnoses += diagnoses
    return report



def _check_settings(model: MLP, loss: str | Callable[[Any, Any], Value], layout: str, rtol: float) -> None:
    """check_gradients' model, loss, layout and rtol, refused with an error naming the one that is wrong."""
    if layout not in LAYOUTS:
        raise ValueError(f"check_gradients: unknown layout {layout!r}; choose one of {list(LAYOUTS)}")
    if isinstance(loss, str) and loss not in LOSS_FUNCTIONS:
        raise ValueError(f"check_gradients: unknown loss {loss!r}; choose one of {list(LOSS_FUNCTIONS)}")
    if not isinstance(rtol, (int, float)) or not 0 < rtol < 1:
        raise ValueError(f"check_gradients: rtol must be a number in (0, 1), got {rtol!r}")
    if not isinstance(model, MLP):
        raise TypeError(f"check_gradients: model must be an MLP, got {type(model).__name__}")
    if layout == "bias_row_first" and not model.has_biases:
        raise ValueError("check_gradients: layout 'bias_row_first' keeps biases in row 0, but this network has none")

def parameter_names(model: MLP, layout: str) -> list[str]:
    """W1, b1, W2, b2, ... in layer order; W1, W2, ... for 'bias_row_first' or a network without biases."""
    with_biases = model.has_biases and layout != "bias_row_first"
    return [
        name for k in range(1, len(model.layers) + 1) for name in ([f"W{k}", f"b{k}"] if with_biases else [f"W{k}"])
    ]


# -- the engine's side ---------------------------------------------------------------------------------


def _engine_gradients(
    model: MLP, rows: list[list[float]], targets: Any, loss: str | Callable[[Any, Any], Value], layout: str
) -> dict[str, np.ndarray]:
    """dL/dp from backward(), as matrices in the layout, keyed W1, b1, ..."""
    outputs = [model.forward(row) for row in rows]
    predictions: Any = [out[0] for out in outputs] if len(outputs[0]) == 1 else outputs
    loss_fn = LOSS_FUNCTIONS[loss] if isinstance(loss, str) else loss
    value = loss_fn(predictions, targets)
    if not isinstance(value, Value):
        raise TypeError(f"check_gradients: the loss function must return a Value, got {type(value).__name__}")
    model.zero_grad()
    value.backward()
    weights, biases = model.to_matrices(layout, gradients=True)
    grads: dict[str, np.ndarray] = {}
    for k, w in enumerate(weights, 1):
        grads[f"W{k}"] = w
        if biases is not None:
            grads[f"b{k}"] = biases[k - 1]
    return grads


def _loss_failed_message(loss_name: str, model: MLP, error: Exception) -> str:
    """Why the requested loss could not be computed on the network's outputs, and what fits instead."""
    activation = model.layers[-1].neurons[0].activation
    text = f"check_gradients: loss {loss_name!r} failed on this network's outputs (output activation {activation!r}): "
    if loss_name == "binary_cross_entropy":
        if activation != "sigmoid":
            return text + (
                f"binary_cross_entropy takes probabilities in (0, 1), and a {activation!r} output is not one "
                f"({error}); use loss='binary_cross_entropy_with_logits' for this output, or a sigmoid output layer"
            )
        return text + (
            f"a sigmoid output rounded to exactly 0 or 1 ({error}); use loss='binary_cross_entropy_with_logits' "
            "on a linear output, which is stable"
        )
    return text + str(error)


def _other_losses(requested: str, model: MLP, targets: Any) -> list[str]:
    """The named losses that accept these targets, whose gradients are not a constant times the requested one's."""
    nout = len(model.layers[-1].neurons)
    labels = all(isinstance(t, int) for t in targets)
    flat = losses._flatten(targets)
    candidates = []
    if labels and nout > 1:
        candidates += list(CLASS_INDEX_LOSSES)
    else:
        candidates += ["mse"]
        if nout == 1 and all(0.0 <= t <= 1.0 for t in flat):
            candidates += ["binary_cross_entropy_with_logits"]
            if model.layers[-1].neurons[0].activation == "sigmoid":
                candidates += ["binary_cross_entropy"]
    same_family = SQUARED_ERRORS if requested in SQUARED_ERRORS else (requested,)
    return [c for c in candidates if c not in same_family]


def _next_layer_weights(model: MLP) -> dict[int, list[float]]:
    """For layer k whose next layer has one neuron: [bias, w1, ..., wn] of that neuron (0.0 for no bias)."""
    found = {}
    for k in range(1, len(model.layers)):
        neurons = model.layers[k].neurons
        if len(neurons) == 1:
            b = neurons[0].b
            found[k] = [b.data if b is not None else 0.0, *(w.data for w in neurons[0].w)]
    return found


def _explain(name: str, aligned: np.ndarray | None, report: GradientReport, case: Case) -> list[Diagnosis]:
    """The first pattern that explains the mismatches of one array: a wrong activation slope, then under the
    requested loss, then other losses."""
    expected = report.engine[name]
    if aligned is None:
        return []
    if not np.any(aligned) and np.any(np.abs(expected) > case.floor):
        return [Diagnosis("missing", name, f"{name} is all zeros: {missing_hint(name, len(case.model.layers))}")]
    slip = case.slopes.find(name, aligned, case.rtol, case.floor)
    if slip is not None:
        return [Diagnosis("activation_slope", name, slip)]
    for loss_name in [report.loss, *_other_losses(report.loss, case.model, case.targets)]:
        if loss_name not in case.engine:
            try:
                case.engine[loss_name] = _engine_gradients(case.model, case.rows, case.targets, loss_name, case.layout)
            except (ValueError, ArithmeticError):
                continue  # this loss does not apply to these outputs or targets
        squared_error = loss_name in (*SQUARED_ERRORS, "softmax_mse")
        found = pattern(name, aligned, case.engine[loss_name][name], case, squared_error)
        if found is None:
            continue
        if loss_name != report.loss:
            message = (
                f"{name} is the gradient of {LOSS_TEXT[loss_name]} ({loss_name}), not of "
                f"{LOSS_TEXT.get(report.loss, report.loss)}"
            )
            if loss_name == "softmax_cross_entropy":
                message += ": for softmax outputs, delta = A - Y at the output is cross-entropy's"
            found.insert(0, Diagnosis("loss", name, message))
        return found
    return [
        Diagnosis(
            "unexplained",
            name,
            f"{len(report.wrong(name))} entries of {name} differ and no simple pattern (sign, factor, transpose, "
            "one factor per row or column, another loss, an activation slope) explains them",
        )
    ]



def __getattr__(name: str) -> Any:
    """A name that moved out of this module (the old-paths table says where): handed over with a warning."""
    return _old_paths.old_name(sys.modules[__name__], name)


__all__ = [
    "DIAGNOSIS_KINDS",
    "LOSS_FUNCTIONS",
    "Diagnosis",
    "GradientReport",
    "EntryMismatch",
    "Mismatch",
    "check_gradients",
    "parameter_names",
    "softmax_mse",
    "output_sum",
]
