"""The network view's layout: its columns (the inputs, each layer's neurons, the loss), its weight edges, and
what every statement of one picture shares (PictureStyle), read from the network model the walk found."""

from __future__ import annotations

from dataclasses import dataclass

from micrograd_nn import labels
from micrograd_nn.analysis.neurons import Network, Neuron
from micrograd_nn.analysis.walk import Walk
from micrograd_nn.engine import Value
from micrograd_nn.format import format_number
from micrograd_nn.views import dot_text

MAX_DRAWN_INPUTS = 32
"""More inputs than this (784 pixels) are drawn as one node, with one edge per first-layer neuron."""



@dataclass(frozen=True)
class WeightEdge:
    """One weight: the walk id of its parameter, the network node it reads from, the neuron it feeds."""

    parameter: int
    source: str  # DOT node name: a neuron key or an input node "input{n}"
    target: str  # the neuron key
    signal: float  # the value the weight multiplies


@dataclass(frozen=True)
class NetworkLayout:
    """What the network view draws: the input column, the neuron columns, the weight edges and the loss."""

    inputs: list[str]  # DOT names of the input column, in the order the weights read them
    input_text: dict[str, tuple[str, float, float | None]]  # name -> (shown name, value, gradient or None)
    input_of: dict[int, str]  # walk id of an input Value -> its DOT name
    layers: list[list[str]]  # neuron keys per layer, in index order
    weights: list[WeightEdge]
    neurons: dict[str, Neuron]  # key -> the neuron (micrograd_nn.analysis.network)
    outputs: dict[str, int]  # neuron key -> walk id of its output a
    zs: dict[str, int]  # neuron key -> walk id of its pre-activation z
    loss: int | None  # walk id of the root when it is not itself a neuron's output
    feeds_loss: list[str]  # neurons whose output is read outside every neuron (by the loss)
    sample: int = 1  # the sample whose inputs and neuron numbers are drawn (1 when the network ran once)
    samples: int = 1  # how many times the network ran in the graph (its parameters' gradients sum over them)


def network_layout(info: Walk, sample: int | None = None) -> NetworkLayout:
    """The columns and weight edges of the network view of a walked graph; PictureError if there is no network.

    When the network ran on several samples, the inputs and neurons are those of sample ``sample`` (1 to the
    number of samples N, default N: the network model's own neurons are its last run); ValueError naming
    sample when there is no such sample.
    """
    net = _drawable(info.network)
    chosen = net.passes if sample is None and net.passes > 1 else sample
    if chosen is not None:
        net = net.sample(chosen)
    inputs = _InputColumn(info, net)
    weights = _weight_edges(info, net, inputs)
    inputs.unique_names()
    outputs = {neuron.key: info.index[neuron.out] for neuron in net.neurons}
    loss = info.index[net.loss] if net.loss is not None else None
    return NetworkLayout(
        inputs=inputs.names,
        input_text=inputs.text,
        input_of=inputs.of,
        layers=[[neuron.key for neuron in layer.neurons] for layer in net.layers],
        weights=weights,
        neurons=dict(net.by_key),
        outputs=outputs,
        zs={neuron.key: info.index[neuron.z] for neuron in net.neurons},
        loss=loss,
        feeds_loss=_read_by_the_loss(info, outputs) if loss is not None else [],
        sample=chosen or 1,
        samples=net.passes,
    )


def _weight_edges(info: Walk, net: Network, inputs: _InputColumn) -> list[WeightEdge]:
    """One edge per weight of every neuron, from what it multiplies (a neuron, or an input node made on first use)."""
    return [
        WeightEdge(info.index[w], inputs.source_of(x, k), neuron.key, x.data if isinstance(x, Value) else float(x))
        for neuron in net.neurons
        for k, (w, x) in enumerate(zip(neuron.weights, neuron.inputs), 1)
    ]


def _read_by_the_loss(info: Walk, outputs: dict[str, int]) -> list[str]:
    """The neurons whose output a node outside every neuron reads (the loss)."""
    read_outside = {j for i, operands in enumerate(info.operands) if info.groups[i] is None for j in operands}
    return [key for key, out in outputs.items() if out in read_outside]


def _drawable(net: Network) -> Network:
    """The network, when the network view can draw it; PictureError saying why not (no neurons, or a problem)."""
    if not net.layers and not net.problems:
        why = "no neurons in this graph; the network view finds them by the parameter labels nn.py gives (L1.n2.w1)"
        raise dot_text.PictureError(
            f"network view: {why}: build the graph with micrograd_nn.nn, or draw the scalar graph with draw_dot",
            f"--network: {why}: draw the scalar graph (leave out --network)",
        )
    if net.problems:
        raise dot_text.PictureError(f"network view: {net.problems[0]}", f"--network: {net.problems[0]}")
    return net


class _InputColumn:
    """The input column's nodes, made as the weights read them: one per input Value, one per position of a number."""

    def __init__(self, info: Walk, net: Network) -> None:
        self.info = info
        self.output_of = {info.index[neuron.out]: neuron.key for neuron in net.neurons}
        self.names: list[str] = []
        self.text: dict[str, tuple[str, float, float | None]] = {}
        self.of: dict[int, str] = {}  # walk id of an input Value -> its DOT name
        self.numbers: dict[int, str] = {}  # position of a plain number -> its DOT name

    def source_of(self, signal: Value | float, position: int) -> str:
        """The DOT name of the node weight number position reads: a neuron, or an input node (made on first use)."""
        if isinstance(signal, Value):
            j = self.info.index[signal]
            if j in self.output_of:
                return self.output_of[j]
            if j in self.of:
                return self.of[j]
            name = self.of[j] = f"input{len(self.names) + 1}"
            # its own label (x1 of this sample) when the network ran on several samples, else its unique name
            shown = signal.label if signal.label and self.info.network.passes > 1 else self.info.names[j]
            self.text[name] = (shown, signal.data, signal.grad)
        else:  # a plain number read by weight k: one input node per position k
            if position in self.numbers:
                return self.numbers[position]
            name = self.numbers[position] = f"input{len(self.names) + 1}"
            self.text[name] = (labels.input_label(position), float(signal), None)
        self.names.append(name)
        return name

    def unique_names(self) -> None:
        """Two inputs of one sample sharing a label are shown by their unique names instead."""
        shown = [self.text[name][0] for name in self.names]
        if len(set(shown)) < len(shown):
            for j, name in self.of.items():
                self.text[name] = (self.info.names[j], *self.text[name][1:])


@dataclass(frozen=True)
class PictureStyle:
    """What every statement of one network picture shares: the walk, the network, the numbers' format."""

    info: Walk
    net: NetworkLayout
    precision: int
    root_name: str
    ports: dict[str, str]  # edges leave a node on the side facing the next column and enter on the other

    def number(self, x: float) -> str:
        """x at the picture's precision."""
        return format_number(x, self.precision)

    def grad(self, x: float) -> str:
        """A gradient at the picture's precision, or ? before backward() has run."""
        return format_number(x, self.precision) if self.info.grads_computed else "?"

    @property
    def summed(self) -> str:
        """What a parameter's gradient is, when the network ran on several samples: " (summed over N samples)"."""
        return f" (summed over {self.net.samples} samples)" if self.net.samples > 1 else ""

    @property
    def of_sample(self) -> str:
        """Whose numbers a neuron or input shows, when the network ran on several samples: " in sample k"."""
        return f" in sample {self.net.sample}" if self.net.samples > 1 else ""


def input_kinds(info: Walk, net: NetworkLayout) -> dict[str, str]:
    """The kind of each input node of the network view: its leaf's kind; a plain number read by a weight is an input."""
    of_name = {name: i for i, name in net.input_of.items()}
    return {name: info.kinds[of_name[name]] if name in of_name else "input" for name in net.inputs}


def loss_operations(info: Walk, net: NetworkLayout) -> list[int]:
    """The walk ids of the loss's own operations, in topological order (the root last): every operation outside
    the neurons computed from a neuron's output.  Others outside the neurons (an L2 penalty's p * p) are not
    among them."""
    if net.loss is None:
        return []
    reaches = set(net.outputs.values())
    ops = []
    for i, operands in enumerate(info.operands):
        if operands and info.groups[i] is None and any(j in reaches for j in operands):
            reaches.add(i)
            ops.append(i)
    return ops


def loss_id(net: NetworkLayout, i: int) -> str:
    """The picture id of loss operation i: "loss" for the root, else "loss.v{i}"."""
    return "loss" if i == net.loss else f"loss.v{i}"
