"""Module, Neuron, Layer and MLP, with micrograd's signatures and a few options.

A neuron computes act(w . x + b).  By default the weighted sum is built from
one ``*`` and one ``+`` node per input, exactly as in micrograd, so every step
shows in the graph views; ``fused=True`` builds it as a single ``affine`` node
(w . x + b), which gives the same numbers several times faster.

Calling a Layer or MLP returns a Value when it has one output, else a list
(micrograd's behaviour, kept for users); ``forward(x)`` always returns a list,
and the library's own code uses it.  ``MLP.from_matrices`` and
``MLP.to_matrices`` convert to and from the tutorials' weight matrices
(see LAYOUTS).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

from micrograd_nn import dead_layers, errors, labels, rules
from micrograd_nn.engine import Value
from micrograd_nn.errors import shown

if TYPE_CHECKING:
    import numpy as np

ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    **{op.name: getattr(Value, op.method) for op in rules.OPS.values() if op.activation},
    "linear": None,
}
"""A neuron's activation by name: every op rules.OPS marks as one (relu, tanh, sigmoid, leaky_relu), and linear.

The one list of activations: the live page, its command line and saved networks read it."""

INITS = ("uniform", "xavier", "he")

LAYOUTS = {
    "inputs_by_neurons": "Z = X @ W + b: W has shape (n_in, n_out), b shape (1, n_out), samples are rows",
    "neurons_by_inputs": "Z = W @ X + b: W has shape (n_out, n_in), b shape (n_out, 1), samples are columns",
    "bias_row_first": "Z = [1, x] @ W: W has shape (n_in + 1, n_out) and its row 0 holds the biases",
}


def _check_activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return name


def make_rng(rng: random.Random | int | None) -> random.Random:
    """A random.Random from a seed or an existing generator.

    None means Python's global generator (the random module itself, which has
    the same methods), so random.seed(1337) gives micrograd's exact weights.
    """
    if rng is None or rng is random:
        return random  # type: ignore[return-value]
    if isinstance(rng, random.Random):
        return rng
    if isinstance(rng, int) and not isinstance(rng, bool):
        return random.Random(rng)
    raise TypeError(f"rng must be a random.Random, an int seed or None, got {type(rng).__name__}")


def initial_weight(rng: random.Random, init: str, fan_in: int, fan_out: int) -> float:
    """One starting weight.

    uniform: U(-1, 1) as micrograd; xavier: U(-a, a) with a = sqrt(6/(fan_in+fan_out));
    he: N(0, 2/fan_in).
    """
    if init == "uniform":
        return rng.uniform(-1, 1)
    if init == "xavier":
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit)
    if init == "he":
        return rng.gauss(0.0, math.sqrt(2.0 / fan_in))
    raise ValueError(f"unknown init {init!r}; choose one of {list(INITS)}")


def as_inputs(x: Sequence[Value | float], prefix: str = "x") -> list[Value]:
    """Wrap plain numbers as input leaves labelled x1, x2, ...; Values pass through."""
    return [xi if isinstance(xi, Value) else Value(xi, labels.input_label(i, prefix)) for i, xi in enumerate(x, 1)]


def sample_error(model: object, nin: int, x: object, err: Exception | None = None) -> Exception:
    """The error for an x that is not one sample (a list of nin numbers): what was given, and what model takes."""
    takes = f"{model!r} takes one sample, a list of {nin} numbers"
    try:
        items = list(x)  # type: ignore[call-overload]
    except TypeError:
        return TypeError(f"{takes}; got {type(x).__name__}: {shown(x)}")
    if items and all(hasattr(item, "__len__") and not isinstance(item, (str, bytes)) for item in items):
        sizes = sorted({len(item) for item in items})
        each = " or ".join(map(str, sizes))
        return TypeError(
            f"{takes}; got a list of {len(items)} lists (of {each} items): a batch of samples? Call it once per "
            "sample, [model(x) for x in X], or train on them all with fit(model, X, y) (micrograd_nn.training.train)"
        )
    if len(items) != nin:
        return ValueError(f"{model!r} expects {nin} inputs, got {len(items)}: {shown(x)}; it takes one sample, "
                          f"a list of {nin} numbers")
    for i, item in enumerate(items):
        if not isinstance(item, (Value, Real)) or isinstance(item, bool):
            return TypeError(f"{takes}; got {type(item).__name__} {shown(item)} as x[{i}]")
    return err if err is not None else TypeError(f"{takes}; got {type(x).__name__}: {shown(x)}")


class Module:
    """Anything with parameters: parameters() lists them, zero_grad() clears their .grad."""

    def zero_grad(self) -> None:
        """Set p.grad = 0 for every parameter p."""
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        """The trainable leaves, in a fixed order."""
        return []


class Neuron(Module):
    """y = act(w . x + b) for an input vector x of length nin."""

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        init: str = "uniform",
        rng: random.Random | int | None = None,
        fan_out: int = 1,
        fused: bool = False,
        bias: bool = True,
        label: str = "",
    ) -> None:
        """micrograd's Neuron(nin, nonlin); activation overrides nonlin (relu/linear); bias=False: no b at all."""
        nin = errors.whole_number(nin, "a neuron's nin (number of inputs)")
        generator = make_rng(rng)
        self.activation = _check_activation(activation or ("relu" if nonlin else "linear"))
        self.nonlin = self.activation != "linear"
        self.fused = fused
        self.label = label
        self.w = [
            Value(initial_weight(generator, init, nin, fan_out), labels.weight_label(label, i))
            for i in range(1, nin + 1)
        ]
        self.b: Value | None = Value(0.0, labels.bias_label(label)) if bias else None

    def __call__(self, x: Sequence[Value | float]) -> Value:
        """act(sum_i wi xi + b), or act(sum_i wi xi) for a neuron without bias."""
        try:
            if len(x) != len(self.w):
                raise ValueError
            if self.fused:
                out = Value.dot(self.w, x, bias=self.b)
            else:
                out = self.w[0] * x[0] if self.b is None else self.b + self.w[0] * x[0]
                for wi, xi in zip(self.w[1:], x[1:]):
                    out = out + wi * xi
        except (TypeError, ValueError) as err:  # a scalar, a batch, a wrong size: say what a neuron takes
            raise sample_error(self, len(self.w), x, err) from None
        act = ACTIVATIONS[self.activation]
        return act(out) if act is not None else out

    def parameters(self) -> list[Value]:
        """[w1, ..., wn, b], or [w1, ..., wn] without bias."""
        return self.w + ([] if self.b is None else [self.b])

    def __repr__(self) -> str:
        bias = "" if self.b is not None else ", no bias"
        return f"Neuron({len(self.w)} inputs, {self.activation}{bias})"


class Layer(Module):
    """nout neurons that all read the same nin inputs."""

    def __init__(self, nin: int, nout: int, *, label: str = "", **kwargs: object) -> None:
        """micrograd's Layer(nin, nout, **kwargs); kwargs go to each Neuron."""
        nout = errors.whole_number(nout, "a layer's nout (number of neurons)")
        kwargs.setdefault("fan_out", nout)
        self.label = label
        self.neurons = [Neuron(nin, label=labels.neuron_label(label, j), **kwargs) for j in range(1, nout + 1)]  # type: ignore[arg-type]

    @property
    def nin(self) -> int:
        """How many inputs each neuron reads."""
        return len(self.neurons[0].w)

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        """[n(x) for each neuron], always a list (the library's own code uses this)."""
        try:
            if len(x) != self.nin:
                raise ValueError
            return [n(x) for n in self.neurons]
        except (TypeError, ValueError) as err:  # a scalar, a batch, a wrong size: say what a layer takes
            raise sample_error(self, self.nin, x, err) from None

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """[n(x) for each neuron], or the single Value when nout = 1 (micrograd's behaviour)."""
        out = self.forward(x)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Every neuron's parameters, neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer({self.nin} -> {len(self.neurons)}, {self.neurons[0].activation})"


class MLP(Module):
    """A multi-layer perceptron: micrograd's MLP(nin, nouts) with options.

    Hidden layers use ``activation`` (relu by default) and the last layer
    ``output_activation`` (linear by default), as in micrograd; or give one
    name per layer: ``activations=["tanh", "tanh", "sigmoid"]``.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str | None = None,
        output_activation: str | None = None,
        init: str = "uniform",
        rng: random.Random | int | None = None,
        fused: bool = False,
        bias: bool = True,
        activations: Sequence[str] | None = None,
    ) -> None:
        """Layers of sizes nouts after nin inputs; rng is a seed or random.Random (None: global random).

        activation (default relu) for the hidden layers and output_activation
        (default linear) for the last, or activations: one name per layer.
        bias=False builds neurons with no bias parameter at all (act(w . x)).
        """
        nin = errors.whole_number(nin, "MLP nin (number of inputs)")
        given = list(nouts) if hasattr(nouts, "__iter__") and not isinstance(nouts, (str, bytes)) else []
        if not given:
            raise ValueError(f"MLP nouts must be a non-empty list of layer sizes, got {nouts!r}")
        nouts = [errors.whole_number(n, f"MLP nouts[{i}]") for i, n in enumerate(given)]
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of {list(INITS)}")
        generator = make_rng(rng)
        sizes = [nin, *nouts]
        self.nin = nin
        self.nouts = list(nouts)
        names = _layer_activations(activations, activation, output_activation, len(nouts))
        self.activations = names
        self.activation = names[0] if len(names) > 1 else _check_activation(activation or "relu")
        self.output_activation = names[-1]
        self.init = init
        self.fused = fused
        self.bias = bias
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                label=labels.layer_label(i + 1),
                activation=names[i],
                init=init,
                rng=generator,
                fused=fused,
                bias=bias,
            )
            for i in range(len(nouts))
        ]
        self._dead_layers = dead_layers.DeadLayerWatch(names)  # the manual loop's: forward notes, parameters() warns

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        """Feed x through every layer; always the list of outputs (the library's own code uses this)."""
        try:
            if len(x) != self.nin:
                raise ValueError
            out = as_inputs(x)
        except (TypeError, ValueError) as err:  # a scalar, a batch, a wrong size: say what an MLP takes
            raise sample_error(self, self.nin, x, err) from None
        watch, stopped = self._dead_layers, False  # did a layer pass no gradient back? (dead_layers.py)
        for layer, look in zip(self.layers, watch.looks):
            out = layer.forward(out)
            if look and not stopped and out[0]._da == 0.0:  # a live layer shows it at its first unit
                stopped = not dead_layers.passes_gradient(out)
        if stopped or watch.samples:
            watch.saw(x, stopped)
        return out

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """Feed x through every layer; a Value if the last layer has one neuron, else a list (as micrograd)."""
        out = self.forward(x)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Every layer's parameters, layer by layer (and a DeadUnitsWarning, once, if a whole layer has died)."""
        if self._dead_layers.samples:
            self._dead_layers.check(self)
        return [p for layer in self.layers for p in layer.parameters()]

    @property
    def has_biases(self) -> bool:
        """True if every neuron has a bias parameter, False if none has."""
        return all(n.b is not None for layer in self.layers for n in layer.neurons)

    @classmethod
    def from_matrices(cls, weights: Sequence[Any], biases: Sequence[Any] | None = None,
                      activations: str | Sequence[str] | None = None, layout: str = "inputs_by_neurons", *,
                      fused: bool = False) -> MLP:
        """An MLP whose layer l computes act_l(W_l, b_l applied to its input as `layout` says; see LAYOUTS).

        weights: W1, W2, ... (NumPy arrays or nested lists).  biases: b1, b2, ...
        (each any vector shape holding n_out numbers), or None for a network
        without biases (for "bias_row_first" the biases are row 0 of each W and
        biases must be None).  activations: one name per layer, or one name for
        all; None is micrograd's choice: relu on hidden layers, linear output.
        Every weight is copied exactly.
        """
        import numpy as np

        from micrograd_nn import matrix_checks

        _check_layout(layout)
        if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence) or not len(weights):
            raise ValueError("from_matrices: weights must be a non-empty list of matrices W1, W2, ...")
        matrices = [matrix_checks.as_matrix(w, f"W{i}") for i, w in enumerate(weights, 1)]
        if layout == "neurons_by_inputs":
            matrices = [w.T for w in matrices]  # now (n_in, n_out) as in inputs_by_neurons
        bias_rows: list[np.ndarray] | None = None
        if layout == "bias_row_first":
            bias_rows, matrices = matrix_checks.split_bias_rows(matrices, biases)
        names = _activation_names(activations, len(matrices))
        for i in range(1, len(matrices)):
            if matrices[i].shape[0] != matrices[i - 1].shape[1]:
                raise ValueError(
                    f"from_matrices: W{i + 1} has shape {matrix_checks.shape_as_given(matrices[i], layout)} but W{i} "
                    f"gives {matrices[i - 1].shape[1]} outputs; in layout {layout!r}: {LAYOUTS[layout]}"
                )
        if biases is not None:
            bias_rows = matrix_checks.bias_vectors(biases, matrices)
        nouts = [w.shape[1] for w in matrices]
        model = cls(matrices[0].shape[0], nouts, activations=names, fused=fused, bias=bias_rows is not None, rng=0)
        for k, (layer, w) in enumerate(zip(model.layers, matrices)):
            for j, neuron in enumerate(layer.neurons):
                for i, wi in enumerate(neuron.w):
                    wi.data = float(w[i, j])
                if neuron.b is not None and bias_rows is not None:
                    neuron.b.data = float(bias_rows[k][j])
        return model

    @classmethod
    def from_torch(cls, module: Any, *, fused: bool = False) -> MLP:
        """The MLP computing what a torch.nn.Sequential of Linear layers and activations computes (same weights)."""
        from micrograd_nn.torch_bridge import read_sequential  # torch, an optional extra, is imported only here

        return cls.from_matrices(*read_sequential(module, ACTIVATIONS), "neurons_by_inputs", fused=fused)

    def to_matrices(
        self, layout: str = "inputs_by_neurons", *, gradients: bool = False
    ) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
        """(weights, biases) as NumPy float64 matrices in `layout` (see LAYOUTS); from_matrices inverts it exactly.

        inputs_by_neurons: W_l[i, j] = weight i of neuron j, b_l of shape (1, n_out);
        neurons_by_inputs: the transposes, b_l of shape (n_out, 1);
        bias_row_first: [b_l; W_l] of shape (n_in + 1, n_out) and biases None.
        biases is None for a network without biases.  gradients=True gives each
        parameter's .grad (dLoss/dp after backward()) in the same places instead of .data.
        """
        import numpy as np

        _check_layout(layout)
        has_biases = self.has_biases
        if layout == "bias_row_first" and not has_biases:
            raise ValueError(
                "to_matrices: this network has no biases, so layout 'bias_row_first' has no row 0 to "
                "hold them; use 'inputs_by_neurons' or 'neurons_by_inputs'"
            )
        field = "grad" if gradients else "data"
        weights = [
            np.array([[getattr(w, field) for w in n.w] for n in layer.neurons], dtype=float).T for layer in self.layers
        ]
        if not has_biases:
            return (weights if layout == "inputs_by_neurons" else [w.T.copy() for w in weights]), None
        rows = [np.array([[getattr(n.b, field) for n in layer.neurons]], dtype=float) for layer in self.layers]
        if layout == "bias_row_first":
            return [np.vstack([b, w]) for b, w in zip(rows, weights)], None
        if layout == "neurons_by_inputs":
            return [w.T.copy() for w in weights], [b.T.copy() for b in rows]
        return weights, rows

    def __repr__(self) -> str:
        sizes = " -> ".join(f"{len(layer.neurons)} {layer.neurons[0].activation}" for layer in self.layers)
        return f"MLP({self.nin} -> {sizes}, {len(self.parameters())} parameters)"


def _layer_activations(
    activations: Sequence[str] | None, activation: str | None, output_activation: str | None, n_layers: int
) -> list[str]:
    """One checked activation name per layer: activations as given, or activation for hidden layers and
    output_activation for the last (relu and linear by default)."""
    if activations is None:
        hidden = _check_activation(activation or "relu")
        return [hidden] * (n_layers - 1) + [_check_activation(output_activation or "linear")]
    if activation is not None or output_activation is not None:
        raise ValueError("MLP: give activations (one per layer) or activation/output_activation, not both")
    if isinstance(activations, str) or not isinstance(activations, Sequence):
        raise ValueError(f"MLP activations must be a list of {n_layers} names, one per layer, got {activations!r}")
    if len(activations) != n_layers:
        raise ValueError(f"MLP activations: {n_layers} layers but {len(activations)} activations {list(activations)}")
    return [_check_activation(name) for name in activations]


def _check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {list(LAYOUTS)}")
    return layout


def _activation_names(activations: str | Sequence[str] | None, n_layers: int) -> list[str]:
    """One activation name per layer (a single name applies to every layer; None: relu, ..., relu, linear)."""
    if activations is None:
        return ["relu"] * (n_layers - 1) + ["linear"]
    if isinstance(activations, str):
        return [_check_activation(activations)] * n_layers
    names = list(activations)
    if len(names) != n_layers:
        raise ValueError(f"from_matrices: {n_layers} weight matrices but {len(names)} activations {names}")
    return [_check_activation(name) for name in names]
