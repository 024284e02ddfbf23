"""The diagnoses of check_gradients: what a learner's gradient array that disagrees with the engine's got wrong.

In this order: a missing layer (None or all zeros), one number where a vector
is due, a transposed matrix, a flipped sign, one constant factor (with what it
means), a factor per neuron (often a neighbouring weight used); and, by NumPy
backprop redone with each tanh or sigmoid layer's slope taken at the wrong
quantity (SlopeSlips), an activation slope.  micrograd_nn.checks.learner_backprop
tries them under the requested loss and then under the other losses that fit.
A Case holds what one check_gradients call gives them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from micrograd_nn.checks.numpy_backprop import ACTIVATIONS, SLOPES, Slope, backward, forward
from micrograd_nn.engine import Value
from micrograd_nn.nn import LAYOUTS, MLP


@dataclass
class EntryMismatch:
    """One entry that disagrees: which parameter array, where, the learner's number and the engine's."""

    parameter: str
    index: tuple[int, ...]
    mine: float
    engine: float


@dataclass
class Diagnosis:
    """A likely cause for one parameter array's mismatches."""

    kind: str  # one of DIAGNOSIS_KINDS
    parameter: str
    message: str


@dataclass
class Case:
    """One check_gradients call, as the diagnoses read it: the model and data, the tolerance, the recomputations."""

    model: MLP
    rows: list[list[float]]  # the samples, one row each
    targets: Any
    layout: str
    rtol: float
    floor: float  # entries are compared at least at this scale (1e-3 of the largest engine gradient)
    next_weights: dict[int, list[float]]  # layer k -> [bias, w1, ..., wn] of the next layer's single neuron
    slopes: SlopeSlips
    engine: dict[str, dict[str, np.ndarray]]  # loss name -> the engine's gradients under it (filled on demand)

    @property
    def samples(self) -> int:
        """How many samples were checked."""
        return len(self.rows)


def align(
    name: str, given: np.ndarray | None, expected: np.ndarray, layout: str, layers: int
) -> tuple[np.ndarray | None, list[Diagnosis]]:
    """The learner's array in the engine's shape (None if it cannot be), with a shape or transpose diagnosis."""
    if given is None:
        return None, [Diagnosis("missing", name, f"{name} was not computed (None): {missing_hint(name, layers)}")]
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


def missing_hint(name: str, layers: int) -> str:
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


def close(a: np.ndarray, b: np.ndarray, rtol: float, floor: float) -> np.ndarray:
    """Entrywise: |a - b| <= rtol * max(|b|, floor)."""
    return np.abs(a - b) <= rtol * np.maximum(np.abs(b), floor)


def compare(
    name: str, aligned: np.ndarray | None, expected: np.ndarray, rtol: float, floor: float
) -> list[EntryMismatch]:
    if aligned is None:
        return [
            EntryMismatch(name, tuple(int(i) for i in idx), float("nan"), float(expected[idx]))
            for idx in np.ndindex(*expected.shape)
        ]
    ok = close(aligned, expected, rtol, floor)
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
    if c == 0.0 or not np.all(close(mine, c * engine, rtol, abs(c) * floor)):
        return None
    return c


def pattern(name: str, mine: np.ndarray, engine: np.ndarray, case: Case, squared_error: bool) -> list[Diagnosis] | None:
    """Diagnoses if mine = engine up to a transpose and a constant, row or column factor; None if no such fit.

    squared_error: engine is the gradient of a squared error (where a factor 2 has a usual cause).
    """
    rtol, floor = case.rtol, case.floor
    attempts: list[tuple[np.ndarray, list[Diagnosis]]] = [(mine, [])]
    if mine.ndim == 2 and mine.shape[0] == mine.shape[1] and mine.shape[0] > 1:
        note = f"{name} is transposed: entry [i, j] holds the engine's [j, i]"
        attempts.append((mine.T, [Diagnosis("transposed", name, note)]))
    neuron_kind = "row_factor" if case.layout == "neurons_by_inputs" else "column_factor"
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
            return [*found, Diagnosis("factor", name, _factor_message(name, c, case, squared_error))]
        for axis, kind in ((1, "row_factor"), (0, "column_factor")):
            factors = _factors_along(candidate, engine, axis, rtol, floor)
            if factors is None:
                continue
            slip = _neighbour_slip(name, factors, case.next_weights) if kind == neuron_kind else None
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


def sample_word(layout: str) -> str:
    """What one sample is in the layout's X: a row, or a column for 'neurons_by_inputs'."""
    return "columns" if layout == "neurons_by_inputs" else "rows"


def _factor_message(name: str, c: float, case: Case, squared_error: bool) -> str:
    """What one constant factor c = mine / engine usually means (squared_error: engine is a squared error's)."""
    rows, samples = case.samples, sample_word(case.layout)
    text = f"every entry of {name} is {c:.6g} times the engine's"
    if c < 0:
        text += " (the sign is flipped too)"
        c = -c
    causes = []
    if abs(c - rows) <= 1e-9 * rows:
        causes.append(f"summed over the {rows} {samples} instead of averaged (divide by {rows})")
    if abs(c * rows - 1) <= 1e-9:
        causes.append(f"averaged over the {rows} {samples} where the loss sums them")
    if (abs(c - 2) <= 1e-9 * 2 or abs(c - 0.5) <= 1e-9) and squared_error:
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


class SlopeSlips:
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
                if slipped is not None and np.all(close(mine, slipped[name], rtol, floor)):
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
