"""Dead units: neurons whose activation passes no gradient back for any sample, and the layers made only of them.

A ReLU unit whose pre-activation z is <= 0 for every sample outputs 0 for
all of them, and relu'(z) = 0 there, so its weights and bias get no gradient
and nothing below it learns through it; a tanh or sigmoid unit saturated to
exactly ±1 (or 0 and 1) has slope 0 in the same way.  When every unit of a
layer is dead, every gradient below that layer is 0 and the network's
output is the same for every sample: the loss stays where it is.  micrograd's
MLP (ReLU hidden layers, the uniform(-1, 1) start) does this on Karpathy's
lecture loop for most seeds, which the lecture's tanh network never does.

``diagnose(model, X)`` runs X through the model once (NumPy, no graph) and
names every dead unit and layer; ``fit`` calls it before the first step and
when a layer's gradients stay 0 for a whole epoch, and warns once
(``DeadUnitsWarning``) with the remedies.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

from micrograd_nn import labels, rules

REMEDIES = (
    "Remedies: another seed (rng=...); activation='leaky_relu', whose slope is never 0; the lecture's tanh "
    "network (activation='tanh', output_activation='tanh'); or a smaller learning rate (one large step can push "
    "every unit of a layer below 0)."
)
SATURATED_REMEDIES = (
    "Remedies: a smaller learning rate (one large step can push every unit's z so far from 0 that {units} "
    "{are} flat, slope 0); inputs scaled to about -1..1; another seed (rng=...); or activation='leaky_relu', whose "
    "slope is never 0."
)
"""What to do about saturated tanh or sigmoid units ({units}: their names); REMEDIES is what to do about dead ReLUs."""


def remedies(activations: Any) -> str:
    """The remedies for the dead units' activations: REMEDIES for ReLUs, SATURATED_REMEDIES for tanh and sigmoid."""
    kinds = sorted(set(activations))
    saturated = [k for k in kinds if k != "relu"]
    lines = [REMEDIES] if "relu" in kinds or not saturated else []
    if saturated:
        names = " and ".join(_unit_name(k) for k in saturated)
        text = SATURATED_REMEDIES.format(units=names, are="are" if len(saturated) > 1 else "is")
        lines.append(text if not lines else "For the saturated " + names + " units: " + text.split(": ", 1)[1])
    return "\n".join(lines)



def _unit_name(activation: str) -> str:
    """An activation as a sentence names it: "ReLU", "leaky ReLU", "tanh" (rules.OPS says how)."""
    op = rules.OPS.get(activation)
    return op.words() if op is not None else activation


class DeadUnitsWarning(UserWarning, RuntimeWarning):
    """fit() found a layer whose units all pass no gradient (dead ReLUs, saturated tanh or sigmoid)."""

    def __init__(self, message: str, diagnosis: Diagnosis) -> None:
        """message: what fit says; diagnosis: the full report."""
        super().__init__(message)
        self.diagnosis = diagnosis


@dataclass(frozen=True)
class DeadUnit:
    """One neuron whose activation has slope 0 for every sample."""

    key: str  # "L2.n3": layer 2, neuron 3 (counted from 1, as the parameter labels)
    layer: int
    neuron: int
    activation: str
    outputs: tuple[float, ...]  # the distinct outputs it gives over the samples (0.0 for a dead ReLU)


@dataclass(frozen=True)
class Diagnosis:
    """What diagnose() found: the dead units, the layers where every unit is dead, over how many samples."""

    samples: int
    units_per_layer: tuple[int, ...]
    dead_units: tuple[DeadUnit, ...]

    @property
    def dead_layers(self) -> tuple[int, ...]:
        """The layers (counted from 1) whose every unit is dead."""
        return tuple(
            k for k, size in enumerate(self.units_per_layer, 1) if sum(u.layer == k for u in self.dead_units) == size
        )

    @property
    def ok(self) -> bool:
        """True when no unit is dead."""
        return not self.dead_units

    def messages(self) -> list[str]:
        """One line per dead layer, then one per dead unit outside those layers."""
        lines = []
        samples = f"all {self.samples} samples" if self.samples != 1 else "the one sample"
        for k in self.dead_layers:
            layer = labels.layer_label(k)
            units = [u for u in self.dead_units if u.layer == k]
            kinds = {u.activation for u in units}
            kind = _unit_name(units[0].activation) if len(kinds) == 1 else ""
            if len(units) == 1:
                lines.append(f"{layer}: its one {kind} unit {_what(units, plural=False)} for {samples}, "
                             "so every gradient below it is 0")
                continue
            lines.append(f"{layer}: all {len(units)} {kind + ' ' if kind else ''}units {_what(units, plural=True)} "
                         f"for {samples}, so every gradient below them is 0")
        for unit in self.dead_units:
            if unit.layer not in self.dead_layers:
                kind = _unit_name(unit.activation)
                lines.append(f"{unit.key}: the {kind} unit {_what([unit], plural=False)} for {samples}, "
                             "so its weights and bias get no gradient")
        return lines

    def __str__(self) -> str:
        if self.ok:
            return f"no dead units: every unit passes a gradient back for at least one of {self.samples} samples"
        return "\n".join([*self.messages(), remedies(u.activation for u in self.dead_units)])


def _what(units: list[DeadUnit], *, plural: bool) -> str:
    """"output 0" for dead ReLUs, "are saturated (output 1.0)" for tanh or sigmoid."""
    outputs = sorted({y for u in units for y in u.outputs})
    shown = " or ".join(f"{y:g}" for y in outputs[:3])
    if all(u.activation == "relu" for u in units):
        return f"output{'' if plural else 's'} {shown}"
    return f"{'are' if plural else 'is'} saturated (output {shown}, slope 0)"


def _layers_of(model: Any) -> list[list[Any]]:
    """The model's neurons layer by layer: an MLP's layers, a Layer as one layer, a Neuron as one unit."""
    if hasattr(model, "layers"):
        return [list(layer.neurons) for layer in model.layers]
    if hasattr(model, "neurons"):
        return [list(model.neurons)]
    if hasattr(model, "w") and hasattr(model, "activation"):
        return [[model]]
    raise TypeError(f"diagnose: model must be an MLP, Layer or Neuron, got {type(model).__name__}")


def _slopes(activation: str, z: Any) -> tuple[Any, Any]:
    """(the activation's outputs, its slopes) at the pre-activations z (a NumPy array), as the engine's rules give.

    The NumPy form of each activation is written once, in micrograd_nn.training.array_activations.
    """
    from micrograd_nn.training.array_activations import activate, activation_slope

    a = activate(activation, z)
    return a, activation_slope(activation, z, a)


def diagnose(model: Any, X: Any) -> Diagnosis:
    """Run the rows of X through model and name its dead units and layers (see the module's docstring).

    model: an MLP (or a Layer or Neuron); X: rows of inputs (a list of lists
    or a 2-D array).  A unit is dead when its activation's slope is 0 for
    every row (a ReLU with z <= 0, a tanh or sigmoid saturated to exactly its
    limits); a linear output is never dead.  print(diagnose(model, X)) says
    what is dead and what to do about it.  Refused, as fit and Recorder refuse
    them: inf or nan in X or in the model's parameters (ValueError), and a
    forward pass that overflows (OverflowError).
    """
    from micrograd_nn.arrays import check_finite_rows, real_array

    layers = _layers_of(model)
    rows = real_array(X, "X", "diagnose")
    nin = len(layers[0][0].w)
    if rows.ndim == 1 and rows.size == nin:
        rows = rows.reshape(1, -1)
    if rows.ndim != 2 or rows.shape[0] == 0 or rows.shape[1] != nin:
        raise ValueError(f"diagnose: X has shape {rows.shape}; the model needs rows of {nin} inputs")
    check_finite_rows(rows, "diagnose")
    for k, neurons in enumerate(layers, 1):
        for j, neuron in enumerate(neurons, 1):
            key = labels.neuron_key(k, j)
            named = [(labels.weight_label(key, i), w) for i, w in enumerate(neuron.w, 1)]
            named += [] if neuron.b is None else [(labels.bias_label(key), neuron.b)]
            for name, p in named:
                if not math.isfinite(p.data):
                    raise ValueError(f"diagnose: model: parameter {p.label or name} is {p.data!r}, not a finite "
                                     "number (did the training diverge? try a smaller learning rate)")
    return _diagnose_rows(layers, rows)


def _diagnose_rows(layers: list[list[Any]], rows: Any) -> Diagnosis:
    """diagnose on rows already checked (a 2-D float array of finite numbers); OverflowError if a z overflows."""
    import numpy as np

    signal = rows
    dead: list[DeadUnit] = []
    for k, neurons in enumerate(layers, 1):
        weights = np.array([[w.data for w in n.w] for n in neurons]).T  # (n_in, n_out)
        biases = np.array([0.0 if n.b is None else n.b.data for n in neurons])
        with np.errstate(over="ignore", invalid="ignore"):  # said below, in words, instead of a NumPy warning
            z = signal @ weights + biases
        if not np.isfinite(z).all():
            raise OverflowError(f"diagnose: layer {k}'s pre-activations z overflow to inf or nan: the weights are too "
                                "large for X (did the training diverge? try a smaller learning rate)")
        outputs = np.empty_like(z)
        for j, neuron in enumerate(neurons):
            a, slope = _slopes(neuron.activation, z[:, j])
            outputs[:, j] = a
            if neuron.activation != "linear" and not np.any(slope != 0.0):
                seen = tuple((np.unique(a[np.isfinite(a)]) + 0.0).tolist())  # + 0.0: -0.0 counts as 0.0
                dead.append(DeadUnit(labels.neuron_key(k, j + 1), k, j + 1, neuron.activation, seen))
        signal = outputs
    return Diagnosis(rows.shape[0], tuple(len(n) for n in layers), tuple(dead))


class DeadUnitWatch:
    """fit()'s watch for dead layers: check(when) diagnoses the model on the training rows and warns once.

    The rows are turned into one NumPy array up front, so a check costs one
    NumPy forward pass (a few milliseconds for the demos' data).
    """

    def __init__(self, model: Any, rows: list[list[float]]) -> None:
        """model: the one being trained; rows: its training inputs (already checked finite numbers)."""
        import numpy as np

        self.model = model
        self.rows = np.array(rows, dtype=float)
        self.warned = False

    @classmethod
    def for_fit(cls, model: Any, rows: list[list[float]]) -> DeadUnitWatch | None:
        """A watch, or None when the model is not made of neurons or the rows do not fit it (fit says so itself)."""
        try:
            layers = _layers_of(model)
        except TypeError:
            return None
        nin = len(layers[0][0].w)
        if not rows or any(len(row) != nin for row in rows):
            return None
        return cls(model, rows)

    def check(self, when: str, stacklevel: int = 3) -> None:
        """Warn (DeadUnitsWarning, once per fit) if a whole layer is dead now; when: "before the first step".

        stacklevel: as warnings.warn's, counted from here (3: the warning points at the caller's caller).
        """
        if self.warned:
            return
        try:
            diagnosis = _diagnose_rows(_layers_of(self.model), self.rows)
        except OverflowError:
            return  # weights too large to run: fit's next step says the training diverged
        if not diagnosis.dead_layers:
            return
        self.warned = True
        manual = getattr(self.model, "_dead_layers", None)  # an MLP's manual-loop watch (micrograd_nn/dead_layers.py)
        if manual is not None:
            manual.warned = True  # a manual loop with this model later does not say it again
        dead = [u.activation for u in diagnosis.dead_units if u.layer in diagnosis.dead_layers]
        message = "\n".join([f"fit: {when}, a whole layer passes no gradient back:", *diagnosis.messages(),
                             remedies(dead)])
        warnings.warn(DeadUnitsWarning(message, diagnosis), stacklevel=stacklevel)


__all__ = ["DeadUnit", "DeadUnitWatch", "DeadUnitsWarning", "Diagnosis", "REMEDIES", "SATURATED_REMEDIES", "diagnose",
           "remedies"]
