"""What the live page knows about a model, read straight from the model object (layers, neurons, parameters).

An ``MLP`` (anything with ``layers`` of ``neurons`` that have ``w``, ``b`` and
``activation``) gives its input count, layer sizes and activations, and the
page draws it as a network.  Any other model with ``parameters()`` gives just
its parameters, which the page lists.  Parameters are named by their labels
(``L1.n3.w2``, in the format of ``micrograd_nn.labels``); a model whose labels are
missing or repeated gets the names ``p1, p2, ...`` in ``parameters()`` order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from micrograd_nn import labels
from micrograd_nn.engine import Value
from micrograd_nn.nn import ACTIVATIONS
from micrograd_nn.rules import LEAKY_SLOPE


@dataclass(frozen=True)
class Architecture:
    """An MLP's shape: inputs, neurons per layer, each layer's activation, whether neurons have biases."""

    nin: int
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    bias: bool

    def as_json(self) -> dict[str, Any]:
        """The timeline's ``architecture`` object (with leaky_relu's slope, so the page computes as the engine)."""
        return {"nin": self.nin, "sizes": list(self.sizes), "activations": list(self.activations), "bias": self.bias,
                "leaky_slope": LEAKY_SLOPE}

    def labels_json(self) -> dict[str, Any]:
        """The timeline's ``labels``: each input's and parameter's label as labels.py writes it, for the page.

        {"inputs": ["x1", ...], "neurons": [[{"key": "L1.n1", "weights": ["L1.n1.w1", ...], "bias": "L1.n1.b"}]]}
        (bias None in a network without biases).
        """
        neurons, fan_in = [], self.nin
        for k, size in enumerate(self.sizes, 1):
            layer = []
            for j in range(1, size + 1):
                key = labels.neuron_label(labels.layer_label(k), j)
                weights = [labels.weight_label(key, i) for i in range(1, fan_in + 1)]
                layer.append({"key": key, "weights": weights, "bias": labels.bias_label(key) if self.bias else None})
            neurons.append(layer)
            fan_in = size
        return {"inputs": [labels.input_label(i) for i in range(1, self.nin + 1)], "neurons": neurons}


def page_facts() -> dict[str, Any]:
    """What the live page's JavaScript reads instead of keeping its own copy: the activations and losses there are
    (nn.ACTIVATIONS, training.losses.LOSSES), the number format (format.py) and the colour scale
    (colours.py)."""
    from micrograd_nn.colours import page_scale
    from micrograd_nn.format import page_format
    from micrograd_nn.training.losses import LOSSES

    return {"activations": list(ACTIVATIONS), "losses": list(LOSSES), "format": page_format(),
            "colours": page_scale()}


def model_parameters(model: Any) -> list[Value]:
    """model.parameters(), checked: a non-empty list of Values (ValueError or TypeError naming the problem)."""
    if not callable(getattr(model, "parameters", None)):
        raise TypeError(f"live: the model must have a parameters() method (a micrograd_nn Module), got {model!r}")
    params = list(model.parameters())
    if not params:
        raise ValueError(f"live: the model {model!r} has no parameters, so there is nothing to train or show")
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"live: parameter {i} of the model is a {type(p).__name__}, not a Value")
    return params


def parameter_names(params: list[Value]) -> list[str]:
    """Each parameter's label, or p1, p2, ... for all of them when a label is empty or repeated."""
    labels = [p.label for p in params]
    if all(labels) and len(set(labels)) == len(labels):
        return labels
    return [f"p{i}" for i in range(1, len(params) + 1)]


def read_architecture(model: Any) -> Architecture | None:
    """The model's layers as an Architecture, or None when it is not an MLP-like model with labelled parameters.

    Every neuron of a layer must share one activation the page knows (relu,
    tanh, sigmoid, leaky_relu, linear) and the parameters must be labelled
    L{layer}.n{neuron}.w{input} / .b, as MLP labels them.
    """
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list) or not layers:
        return None
    sizes: list[int] = []
    activations: list[str] = []
    nin: int | None = None
    biases: set[bool] = set()
    for k, layer in enumerate(layers, 1):
        neurons = getattr(layer, "neurons", None)
        if not isinstance(neurons, list) or not neurons:
            return None
        kinds = {getattr(n, "activation", None) for n in neurons}
        kind = next(iter(kinds))
        if len(kinds) != 1 or not isinstance(kind, str) or kind not in ACTIVATIONS:
            return None
        for j, neuron in enumerate(neurons, 1):
            w, b = getattr(neuron, "w", None), getattr(neuron, "b", None)
            key = labels.neuron_label(labels.layer_label(k), j)
            if not isinstance(w, list) or [p.label for p in w] != [labels.weight_label(key, i) for i in
                                                                   range(1, len(w) + 1)]:
                return None
            if b is not None and b.label != labels.bias_label(key):
                return None
            biases.add(b is not None)
            fan_in = len(w)
            if k == 1:
                nin = fan_in if nin is None else nin
            if fan_in != (nin if k == 1 else sizes[-1]):
                return None
        sizes.append(len(neurons))
        activations.append(kind)
    if nin is None or len(biases) != 1:
        return None
    return Architecture(nin, tuple(sizes), tuple(activations), biases.pop())
