"""Module, Neuron, Layer and MLP, with micrograd's signatures and a few options.

A neuron computes act(w . x + b).  By default the weighted sum is built from
one ``*`` and one ``+`` node per input, exactly as in micrograd, so every step
shows in the graph views; ``fused=True`` builds it as a single ``affine`` node
(w . x + b), which gives the same numbers several times faster.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from numbers import Integral

from micrograd_nn.engine import Value

ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,
    "linear": None,
}

INITS = ("uniform", "xavier", "he")


def _check_activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return name


def _count(what: str, value: object) -> int:
    """value as a Python int if it is a whole number >= 1 (NumPy integers too; True/False are refused)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{what} must be a whole number >= 1, got {value!r}")
    return int(value)


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
    return [xi if isinstance(xi, Value) else Value(xi, f"{prefix}{i}") for i, xi in enumerate(x, 1)]


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
        label: str = "",
    ) -> None:
        """micrograd's Neuron(nin, nonlin); activation overrides nonlin (relu/linear)."""
        nin = _count("a neuron's nin (number of inputs)", nin)
        generator = make_rng(rng)
        self.activation = _check_activation(activation or ("relu" if nonlin else "linear"))
        self.nonlin = self.activation != "linear"
        self.fused = fused
        self.label = label
        prefix = f"{label}." if label else ""
        self.w = [
            Value(initial_weight(generator, init, nin, fan_out), f"{prefix}w{i}") for i in range(1, nin + 1)
        ]
        self.b = Value(0.0, f"{prefix}b")

    def __call__(self, x: Sequence[Value | float]) -> Value:
        """act(sum_i wi xi + b)."""
        if len(x) != len(self.w):
            raise ValueError(f"{self!r} expects {len(self.w)} inputs, got {len(x)}")
        if self.fused:
            out = Value.dot(self.w, x, bias=self.b)
        else:
            out = self.b
            for wi, xi in zip(self.w, x):
                out = out + wi * xi
        act = ACTIVATIONS[self.activation]
        return act(out) if act is not None else out

    def parameters(self) -> list[Value]:
        """[w1, ..., wn, b]."""
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)} inputs, {self.activation})"


class Layer(Module):
    """nout neurons that all read the same nin inputs."""

    def __init__(self, nin: int, nout: int, *, label: str = "", **kwargs: object) -> None:
        """micrograd's Layer(nin, nout, **kwargs); kwargs go to each Neuron."""
        nout = _count("a layer's nout (number of neurons)", nout)
        kwargs.setdefault("fan_out", nout)
        self.label = label
        prefix = f"{label}." if label else ""
        self.neurons = [Neuron(nin, label=f"{prefix}n{j}", **kwargs) for j in range(1, nout + 1)]  # type: ignore[arg-type]

    @property
    def nin(self) -> int:
        """How many inputs each neuron reads."""
        return len(self.neurons[0].w)

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """[n(x) for each neuron], or the single Value when nout = 1."""
        if len(x) != self.nin:
            raise ValueError(f"{self!r} expects {self.nin} inputs, got {len(x)}")
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Every neuron's parameters, neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer({self.nin} -> {len(self.neurons)}, {self.neurons[0].activation})"


class MLP(Module):
    """A multi-layer perceptron: micrograd's MLP(nin, nouts) with options.

    Hidden layers use ``activation`` (relu by default) and the last layer
    ``output_activation`` (linear by default), as in micrograd.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        output_activation: str = "linear",
        init: str = "uniform",
        rng: random.Random | int | None = None,
        fused: bool = False,
    ) -> None:
        """Layers of sizes nouts after nin inputs; rng is a seed or random.Random (None: global random)."""
        nin = _count("MLP nin (number of inputs)", nin)
        given = list(nouts) if hasattr(nouts, "__iter__") and not isinstance(nouts, (str, bytes)) else []
        if not given:
            raise ValueError(f"MLP nouts must be a non-empty list of layer sizes, got {nouts!r}")
        nouts = [_count(f"MLP nouts[{i}]", n) for i, n in enumerate(given)]
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of {list(INITS)}")
        generator = make_rng(rng)
        sizes = [nin, *nouts]
        self.nin = nin
        self.nouts = list(nouts)
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation)
        self.init = init
        self.fused = fused
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                label=f"L{i + 1}",
                activation=activation if i < len(nouts) - 1 else output_activation,
                init=init,
                rng=generator,
                fused=fused,
            )
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """Feed x through every layer; a Value if the last layer has one neuron, else a list."""
        if len(x) != self.nin:
            raise ValueError(f"{self!r} expects {self.nin} inputs, got {len(x)}")
        out: Value | list[Value] = as_inputs(x)
        for layer in self.layers:
            out = layer(out if isinstance(out, list) else [out])
        return out

    def parameters(self) -> list[Value]:
        """Every layer's parameters, layer by layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        sizes = " -> ".join(f"{len(layer.neurons)} {layer.neurons[0].activation}" for layer in self.layers)
        return f"MLP({self.nin} -> {sizes}, {len(self.parameters())} parameters)"
