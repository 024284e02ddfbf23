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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from micrograd_nn.arrays import real_array
from micrograd_nn.checks.numpy_backprop import ACTIVATIONS, SLOPES, Slope, backward, forward
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


@dataclass
class EntryMismatch:
    """One entry that disagrees: which parameter array, where, the learner's number and the engine's."""

    parameter: str
    index: tuple[int, ...]
    mine: float
    engine: float


Mismatch = EntryMismatch  # its old name, kept so old imports work


@dataclass
class Diagnosis:
    """A likely cause for one parameter array's mismatches."""

    kind: str  # one of DIAGNOSIS_KINDS
    parameter: str
    message: str


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
        rows = f"{self.rows} {_sample_word(self.layout)}"
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
    names = parameter_names(model, layout)
    rows = _input_rows(X, model, layout)
    loss_name = loss if isinstance(loss, str) else getattr(loss, "__name__", "your loss")
    targets = _targets(y, model, layout, len(rows), loss_name)
    arrays = _learner_arrays(mine, names)

    try:
        engine = {loss_name: _engine_gradients(model, rows, targets, loss, layout)}
    except (ValueError, ArithmeticError) as error:
        raise ValueError(_loss_failed_message(loss_name, model, error)) from None
    sizes = {n: g.size for n, g in engine[loss_name].items()}
    report = GradientReport(loss_name, layout, len(rows), names, engine[loss_name], sizes, rtol=rtol)
    largest = max(float(np.max(np.abs(g))) for g in report.engine.values())
    floor = 1e-3 * largest
    next_weights = _next_layer_weights(model)
    slopes = _SlopeSlips(model, rows, targets, LOSS_FUNCTIONS[loss] if isinstance(loss, str) else loss, layout)
    for name in names:
        expected, given = report.engine[name], arrays[name]
        aligned, diagnoses = _align(name, given, expected, layout, len(model.layers))
        report.mismatches += _compare(name, aligned, expected, rtol, floor)
        if not report.wrong(name) and not diagnoses:
            continue
        if not any(d.kind in ("missing", "shape") for d in diagnoses):
            diagnoses += _explain(
                name, aligned, report, engine, model, rows, targets, rtol, floor, next_weights, slopes
            )
        report.diagnoses += diagnoses
    return report


def parameter_names(model: MLP, layout: str) -> list[str]:
    """W1, b1, W2, b2, ... in layer order; W1, W2, ... for 'bias_row_first' or a network without biases."""
    with_biases = model.has_biases and layout != "bias_row_first"
    return [
        name for k in range(1, len(model.layers) + 1) for name in ([f"W{k}", f"b{k}"] if with_biases else [f"W{k}"])
    ]


# -- reading the inputs ------------------------------------------------------------------------------


def _finite_array(values: Any, what: str) -> np.ndarray:
    """values as a float array of finite real numbers; an error naming `what` and the entry otherwise."""
    array = real_array(values, what, "check_gradients")
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        index = tuple(int(i) for i in bad[0])
        value = float(array[index])
        raise ValueError(f"check_gradients: {what}{list(index)} is {value!r}; every number must be finite")
    return array


def _input_rows(X: Any, model: MLP, layout: str) -> list[list[float]]:
    array = _finite_array(X, "X")
    if array.ndim == 1 and model.nin == array.size:
        array = array.reshape(1, -1) if layout != "neurons_by_inputs" else array.reshape(-1, 1)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"check_gradients: X has shape {array.shape}; it must be a 2-D table of samples")
    if layout == "neurons_by_inputs":
        if array.shape[0] != model.nin:
            hint = " (samples are columns in this layout: pass X.T)" if array.shape[1] == model.nin else ""
            raise ValueError(
                f"check_gradients: X has shape {array.shape} but the network reads {model.nin} inputs: with layout "
                f"'neurons_by_inputs' X must have shape ({model.nin}, n_samples){hint}"
            )
        array = array.T
    elif array.shape[1] != model.nin:
        hint = " (samples are rows in this layout: pass X.T)" if array.shape[0] == model.nin else ""
        raise ValueError(
            f"check_gradients: X has shape {array.shape} but the network reads {model.nin} inputs: with layout "
            f"{layout!r} X must have shape (n_samples, {model.nin}){hint}"
        )
    return array.tolist()


def _targets(y: Any, model: MLP, layout: str, n: int, loss_name: str) -> Any:
    """Targets as plain Python: class labels, one number per row, or one list per row."""
    if loss_name == "output" and y is None:
        return [0.0] * n
    array = _finite_array(y, "y")
    nout = len(model.layers[-1].neurons)
    if array.ndim == 2 and layout == "neurons_by_inputs" and array.shape == (nout, n):
        array = array.T
    if loss_name in CLASS_INDEX_LOSSES:
        if array.ndim == 2 and array.shape == (n, nout) and np.all((array == 0) | (array == 1)):
            array = array.argmax(axis=1)  # one-hot rows
        if array.shape != (n,) or np.any(array != np.round(array)):
            raise ValueError(
                f"check_gradients: y has shape {array.shape}; {loss_name} needs one class index per sample ({n},) "
                f"or one-hot rows ({n}, {nout})"
            )
        return [int(v) for v in array.tolist()]
    if nout == 1:
        if array.size != n:
            raise ValueError(f"check_gradients: y holds {array.size} numbers but X has {n} samples")
        return array.reshape(-1).tolist()
    if array.shape != (n, nout):
        raise ValueError(
            f"check_gradients: y has shape {array.shape}; {n} samples of {nout} outputs need ({n}, {nout})"
        )
    return array.tolist()


def _learner_arrays(mine: Any, names: list[str]) -> dict[str, np.ndarray | None]:
    if callable(mine):
        mine = mine()
    if isinstance(mine, (str, bytes, bytearray)):
        raise TypeError(
            f"check_gradients: mine must be a list of arrays in the order {', '.join(names)}, "
            f"got the {type(mine).__name__} {mine[:40]!r}"
        )
    if isinstance(mine, np.ndarray) or not isinstance(mine, Sequence):
        raise ValueError(f"check_gradients: mine must be a list of arrays in the order {', '.join(names)}")
    if len(mine) != len(names):
        raise ValueError(
            f"check_gradients: got {len(mine)} arrays but this network and layout need {len(names)}, in the order "
            f"{', '.join(names)} (use None for an array you did not compute)"
        )
    return {name: None if given is None else _finite_array(given, name) for name, given in zip(names, mine)}


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


# -- comparing and explaining ------------------------------------------------------------------------------


def _align(
    name: str, given: np.ndarray | None, expected: np.ndarray, layout: str, layers: int
) -> tuple[np.ndarray | None, list[Diagnosis]]:
    """The learner's array in the engine's shape (None if it cannot be), with a shape or transpose diagnosis."""
    if given is None:
        return None, [Diagnosis("missing", name, f"{name} was not computed (None): {_missing_hint(name, layers)}")]
    if given.shape == expected.shape:
        return given, []
    vector = expected.ndim == 2 and 1 in expected.shape
    if vector and given.size == expected.size and (given.ndim == 1 or (given.ndim == 2 and 1 in given.shape)):
        return given.reshape(expected.shape), []
    if given.size == 1 and expected.size > 1:
        message = (
            f"{name} is one number where {expected.size} are due (shape {expected.shape} in layout {layout!r}): "
            "a sum over every axis (np.sum without axis=) adds all the neurons' gradients together; "
            "sum over the samples only (keepdims=True keeps the shape)"
        )
        return np.full(expected.shape, float(given.reshape(-1)[0])), [Diagnosis("shape", name, message)]
    if given.shape == expected.T.shape:
        message = (
            f"{name} has shape {given.shape}, the transpose of the engine's {expected.shape} (layout {layout!r}: "
            f"{LAYOUTS[layout]}); compared after transposing"
        )
        return given.T, [Diagnosis("transposed", name, message)]
    message = f"{name} has shape {given.shape} but layout {layout!r} needs {expected.shape}: {LAYOUTS[layout]}"
    return None, [Diagnosis("shape", name, message)]


def _missing_hint(name: str, layers: int) -> str:
    layer = name[1:]
    if int(layer) == layers:
        return (
            f"layer {layer} is the output layer, where the backward pass starts: delta_{layer} = dL/dZ{layer} "
            f"(the loss's derivative by the output A{layer} times act'(Z{layer})), "
            f"then d{name} from delta_{layer} and the layer's input"
        )
    return (
        f"the backward pass stops before layer {layer}; carry the delta on through the next layer's weights "
        f"(delta_{layer} = (delta_next times W_next) * act'(Z{layer})) and compute d{name}"
    )


def _close(a: np.ndarray, b: np.ndarray, rtol: float, floor: float) -> np.ndarray:
    """Entrywise: |a - b| <= rtol * max(|b|, floor)."""
    return np.abs(a - b) <= rtol * np.maximum(np.abs(b), floor)


def _compare(
    name: str, aligned: np.ndarray | None, expected: np.ndarray, rtol: float, floor: float
) -> list[EntryMismatch]:
    if aligned is None:
        return [
            EntryMismatch(name, tuple(int(i) for i in idx), float("nan"), float(expected[idx]))
            for idx in np.ndindex(*expected.shape)
        ]
    ok = _close(aligned, expected, rtol, floor)
    return [
        EntryMismatch(name, tuple(int(i) for i in idx), float(aligned[idx]), float(expected[idx]))
        for idx in np.ndindex(*expected.shape)
        if not ok[idx]
    ]


def _constant_ratio(mine: np.ndarray, engine: np.ndarray, rtol: float, floor: float) -> float | None:
    """c if mine = c * engine in every entry (entries where the engine is ~0 must be ~0 too), else None."""
    significant = np.abs(engine) > floor
    if not significant.any():
        return None
    ratios = mine[significant] / engine[significant]
    c = float(np.median(ratios))
    if c == 0.0 or not np.all(_close(mine, c * engine, rtol, abs(c) * floor)):
        return None
    return c


def _explain(
    name: str,
    aligned: np.ndarray | None,
    report: GradientReport,
    engine: dict[str, dict[str, np.ndarray]],
    model: MLP,
    rows: list[list[float]],
    targets: Any,
    rtol: float,
    floor: float,
    next_weights: dict[int, list[float]],
    slopes: _SlopeSlips,
) -> list[Diagnosis]:
    """The first pattern that explains the mismatches of one array: a wrong activation slope, then under the
    requested loss, then other losses."""
    expected = report.engine[name]
    if aligned is None:
        return []
    if not np.any(aligned) and np.any(np.abs(expected) > floor):
        return [Diagnosis("missing", name, f"{name} is all zeros: {_missing_hint(name, len(model.layers))}")]
    slip = slopes.find(name, aligned, rtol, floor)
    if slip is not None:
        return [Diagnosis("activation_slope", name, slip)]
    losses_to_try = [report.loss, *_other_losses(report.loss, model, targets)]
    for loss_name in losses_to_try:
        if loss_name not in engine:
            try:
                engine[loss_name] = _engine_gradients(model, rows, targets, loss_name, report.layout)
            except (ValueError, ArithmeticError):
                continue  # this loss does not apply to these outputs or targets
        found = _pattern(name, aligned, engine[loss_name][name], loss_name, report, rtol, floor, next_weights)
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


def _pattern(
    name: str,
    mine: np.ndarray,
    engine: np.ndarray,
    loss_name: str,
    report: GradientReport,
    rtol: float,
    floor: float,
    next_weights: dict[int, list[float]],
) -> list[Diagnosis] | None:
    """Diagnoses if mine = engine up to a transpose and a constant, row or column factor; None if no such fit."""
    attempts: list[tuple[np.ndarray, list[Diagnosis]]] = [(mine, [])]
    if mine.ndim == 2 and mine.shape[0] == mine.shape[1] and mine.shape[0] > 1:
        note = f"{name} is transposed: entry [i, j] holds the engine's [j, i]"
        attempts.append((mine.T, [Diagnosis("transposed", name, note)]))
    neuron_kind = "row_factor" if report.layout == "neurons_by_inputs" else "column_factor"
    for candidate, found in attempts:
        c = _constant_ratio(candidate, engine, rtol, floor)
        if c is not None:
            if abs(c - 1.0) <= rtol:
                return found
            if abs(c + 1.0) <= rtol:
                return [
                    *found,
                    Diagnosis("sign", name, f"{name} has the opposite sign to the engine's: {_sign_hint()}"),
                ]
            return [*found, Diagnosis("factor", name, _factor_message(name, c, loss_name, report))]
        for axis, kind in ((1, "row_factor"), (0, "column_factor")):
            factors = _factors_along(candidate, engine, axis, rtol, floor)
            if factors is None:
                continue
            slip = _neighbour_slip(name, factors, next_weights) if kind == neuron_kind else None
            # a vector always has one factor per entry: only a neighbour's weight explains it
            if slip is not None or (min(candidate.shape) >= 2 and _varies(factors, rtol)):
                return [*found, Diagnosis(kind, name, _neighbour_message(name, kind, factors, slip))]
    return None


def _sign_hint() -> str:
    return (
        "the error was taken as (target - prediction) instead of (prediction - target); "
        "that is minus the gradient, which is fine only if the update adds it (w += lr * it)"
    )


def _factors_along(mine: np.ndarray, engine: np.ndarray, axis: int, rtol: float, floor: float) -> list[float] | None:
    """One factor per row (axis=1) or per column (axis=0) with mine = factor * engine (nan where the engine is ~0)."""
    if mine.ndim != 2 or mine.shape[1 - axis] < 2:
        return None
    factors = []
    for k in range(mine.shape[1 - axis]):
        part_mine = mine[k] if axis == 1 else mine[:, k]
        part_engine = engine[k] if axis == 1 else engine[:, k]
        if not np.any(np.abs(part_engine) > floor):
            factors.append(float("nan"))
            continue
        c = _constant_ratio(part_mine, part_engine, rtol, floor)
        if c is None:
            return None
        factors.append(c)
    return factors


def _varies(factors: list[float], rtol: float) -> bool:
    """True if at least two factors are known and they are not all equal."""
    known = [f for f in factors if f == f]
    return len(known) >= 2 and not all(abs(f - known[0]) <= rtol * abs(known[0]) for f in known)


def _sample_word(layout: str) -> str:
    """What one sample is in the layout's X: a row, or a column for 'neurons_by_inputs'."""
    return "columns" if layout == "neurons_by_inputs" else "rows"


def _factor_message(name: str, c: float, loss_name: str, report: GradientReport) -> str:
    """What one constant factor c = mine / engine (measured against loss_name's gradient) usually means."""
    rows, samples = report.rows, _sample_word(report.layout)
    text = f"every entry of {name} is {c:.6g} times the engine's"
    if c < 0:
        text += " (the sign is flipped too)"
        c = -c
    causes = []
    if abs(c - rows) <= 1e-9 * rows:
        causes.append(f"summed over the {rows} {samples} instead of averaged (divide by {rows})")
    if abs(c * rows - 1) <= 1e-9:
        causes.append(f"averaged over the {rows} {samples} where the loss sums them")
    if (abs(c - 2) <= 1e-9 * 2 or abs(c - 0.5) <= 1e-9) and loss_name in SQUARED_ERRORS + ("softmax_mse",):
        causes.append(
            "a factor 2 is the difference between the gradients of the squared error (p - y)^2, "
            "2(p - y), and of half of it, 1/2 (p - y)^2, which is (p - y)"
        )
    if causes:
        return f"{text}: " + "; or ".join(causes)
    divisor = rows / c
    if abs(divisor - round(divisor)) <= 1e-6 * abs(divisor) and round(divisor) not in (0, rows):
        return (
            f"{text} = {rows}/{round(divisor)}: as if divided by {round(divisor)} instead of {rows}, the number of "
            f"{samples} checked (e.g. m taken from the whole data set instead of the batch)"
        )
    return f"{text}: a constant scale, e.g. a learning rate or count folded into the gradient"


def _neighbour_slip(name: str, factors: list[float], next_weights: dict[int, list[float]]) -> str | None:
    """Which neighbouring output weight each neuron used, if the per-neuron factors are exactly such ratios.

    With outgoing = [bias, w_1, ..., w_n] of the next layer's single neuron, neuron j's
    factor is (the weight it used) / w_j.
    """
    layer = int(name[1:])
    outgoing = next_weights.get(layer)
    if outgoing is None or len(outgoing) != len(factors) + 1:
        return None
    bias, own = outgoing[0], outgoing[1:]
    if any(w == 0.0 for w in own):
        return None
    n = len(own)
    slips = (
        (
            [bias, *own[:-1]],
            f"neuron j's gradient used the weight W{layer + 1} gives the neuron before it instead of its own "
            "(the bias for the first neuron): the output weight one row up when the bias is row 0",
        ),
        (
            [own[(j - 1) % n] for j in range(n)],
            f"neuron j's gradient used the weight W{layer + 1} gives the neuron before it instead of its own "
            "(the last neuron's for the first), as np.roll(W, 1) does",
        ),
        (
            [own[(j + 1) % n] for j in range(n)],
            f"neuron j's gradient used the weight W{layer + 1} gives the neuron after it instead of its own "
            "(the first neuron's for the last), as np.roll(W, -1) does",
        ),
    )
    for used, text in slips:
        shifted = [u / w for u, w in zip(used, own)]
        if _varies(shifted, 1e-12) and all(f != f or abs(f - s) <= 1e-6 * abs(s) for f, s in zip(factors, shifted)):
            return text
    return None


def _neighbour_message(name: str, kind: str, factors: list[float], slip: str | None) -> str:
    """Each neuron's gradients scaled by its own factor: often the next layer's weight of a neighbouring neuron."""
    line = "row" if kind == "row_factor" else "column"
    shown = ", ".join(f"{f:.4g}" for f in factors)
    text = f"each {line} of {name} is the engine's times its own factor [{shown}]"
    if slip is not None:
        return f"{text}: {slip}"
    return f"{text}; one factor per neuron often means a neighbouring weight of the next layer was used"


# -- activation slopes taken at the wrong quantity ----------------------------------------------------------

# the usual wrong slopes: (slope, what was computed, why it is wrong); relu's and leaky_relu's sign test
# gives the same answer at Z and at A, so only tanh and sigmoid have these slips
WRONG_SLOPES: dict[str, list[tuple[Slope, str, str]]] = {
    "tanh": [
        (
            lambda z, a: 1 - z**2,
            "1 - Z{k}^2",
            "1 - A^2 is tanh's slope written with the layer's output A{k} = tanh(Z{k}), so it takes A{k}, "
            "not Z{k}: use 1 - A{k}^2 (= tanh'(Z{k}))",
        ),
        (
            lambda z, a: 1 - np.tanh(a) ** 2,
            "tanh'(A{k}) = 1 - tanh(A{k})^2",
            "the derivative was applied to the already-activated output A{k}; the slope must be taken at the "
            "layer's input Z{k}: tanh'(Z{k}) = 1 - A{k}^2",
        ),
    ],
    "sigmoid": [
        (
            lambda z, a: z * (1 - z),
            "Z{k} (1 - Z{k})",
            "s (1 - s) is the sigmoid's slope written with the layer's output A{k} = sigmoid(Z{k}), so it takes "
            "A{k}, not Z{k}: use A{k} (1 - A{k}) (= sigmoid'(Z{k}))",
        ),
        (
            lambda z, a: ACTIVATIONS["sigmoid"](a) * (1 - ACTIVATIONS["sigmoid"](a)),
            "sigmoid'(A{k}) = s(A{k}) (1 - s(A{k}))",
            "the derivative was applied to the already-activated output A{k} (the sigmoid taken twice); the slope "
            "must be taken at the layer's input Z{k}: sigmoid'(Z{k}) = A{k} (1 - A{k})",
        ),
    ],
}


class _SlopeSlips:
    """The model's gradients recomputed in NumPy with one layer's activation slope taken at the wrong quantity."""

    def __init__(
        self, model: MLP, rows: list[list[float]], targets: Any, loss_fn: Callable[[Any, Any], Value], layout: str
    ) -> None:
        self.model, self.rows, self.targets, self.loss_fn, self.layout = model, rows, targets, loss_fn, layout
        self.activations = [_layer_activation(layer.neurons) for layer in model.layers]
        self.cache: dict[tuple[int, int], dict[str, np.ndarray] | None] = {}

    def find(self, name: str, mine: np.ndarray, rtol: float, floor: float) -> str | None:
        """The message for the first wrong slope (in this layer or a later one) whose gradient is mine, else None."""
        for k in range(int(name[1:]), len(self.model.layers) + 1):
            for index, (_, computed, why) in enumerate(WRONG_SLOPES.get(self.activations[k - 1] or "", [])):
                key = (k, index)
                if key not in self.cache:
                    self.cache[key] = self._gradients(k, index)
                slipped = self.cache[key]
                if slipped is not None and np.all(_close(mine, slipped[name], rtol, floor)):
                    act = self.activations[k - 1]
                    where = f"layer {k}'s {act} slope was computed as {computed}".replace("{k}", str(k))
                    return f"{name} matches a backward pass where {where}: {why.replace('{k}', str(k))}"
        return None

    def _gradients(self, slipped_layer: int, index: int) -> dict[str, np.ndarray] | None:
        """dL/dp in the layout, by NumPy backprop, with layer slipped_layer's slope the index-th wrong one."""
        if None in self.activations:
            return None  # a layer mixing activations
        names: list[str] = self.activations  # type: ignore[assignment]
        weights, biases = self.model.to_matrices("inputs_by_neurons")
        zs, outputs = forward(weights, biases, names, np.array(self.rows))
        leaves = [[Value(float(v)) for v in row] for row in outputs[-1]]
        predictions: Any = [row[0] for row in leaves] if outputs[-1].shape[1] == 1 else leaves
        try:
            self.loss_fn(predictions, self.targets).backward()
        except (ValueError, ArithmeticError):
            return None
        d_out = np.array([[v.grad for v in row] for row in leaves])
        slopes = [WRONG_SLOPES[name][index][0] if k == slipped_layer else SLOPES[name]
                  for k, name in enumerate(names, 1)]
        grads_w, grads_b = backward(weights, zs, outputs, d_out, slopes)
        grads: dict[str, np.ndarray] = {}
        for k, (dW, db) in enumerate(zip(grads_w, grads_b), 1):
            db = db[None, :]
            if self.layout == "bias_row_first":
                grads[f"W{k}"] = np.vstack([db, dW])
            elif self.layout == "neurons_by_inputs":
                grads[f"W{k}"], grads[f"b{k}"] = dW.T, db.T
            else:
                grads[f"W{k}"], grads[f"b{k}"] = dW, db
        return grads


def _layer_activation(neurons: Sequence[Any]) -> str | None:
    """The activation shared by every neuron of a layer (None if they differ)."""
    names = {n.activation for n in neurons}
    return names.pop() if len(names) == 1 else None


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
