"""The network's records, as the network model finds them (micrograd_nn.analysis.network): Network (layers),
Layer, Neuron (its z, output, weights, bias, inputs) and Run (one run of a neuron, on one sample)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from micrograd_nn import errors
from micrograd_nn.engine import Value


@dataclass(frozen=True)
class Run:
    """One run of a neuron in the graph (on one sample): its z, its output, what its weights multiplied."""

    z: Value
    out: Value
    inputs: tuple[Value | float, ...]  # in weight order
    nodes: tuple[Value, ...]  # the nodes of this run (its parameters included), in topological order


@dataclass(frozen=True)
class Neuron:
    """One neuron of the network: out = activation(z), z = w · inputs + bias, as found in the graph.

    z, out, inputs and nodes are its last run's; ``runs`` holds every run (one per sample the network ran on),
    in the graph's order.
    """

    key: str  # "L1.n3": the prefix of its parameters' labels
    layer: int  # counted from the graph: 1 reads no neuron, l + 1 reads layer l's outputs
    index: int  # its number in the layer, from its label (3 for L1.n3)
    z: Value  # the weighted sum w · x + b
    out: Value  # activation(z); z itself for a linear neuron
    activation: str  # "tanh", "relu", "sigmoid", "leaky_relu" or "linear"
    weights: tuple[Value, ...]  # w1, w2, ... in label order
    bias: Value | None
    inputs: tuple[Value | float, ...]  # what each weight multiplies: a previous neuron's out, an input, a number
    nodes: tuple[Value, ...]  # every node of its computation (parameters included), in topological order
    runs: tuple[Run, ...] = ()  # every run in the graph, in topological order (the last is the fields above)


@dataclass(frozen=True)
class Layer:
    """The neurons of one layer, in index order."""

    number: int
    neurons: tuple[Neuron, ...]


@dataclass(frozen=True)
class Network:
    """The network found in a graph: its layers (layer l is ``layers[l - 1]``) and what did not fit.

    ``loss`` is the root when it is computed after the last layer (None when
    the root is a neuron's output); ``passes`` is how many times the network
    ran in the graph (the neurons hold the last pass); ``problems`` says, in
    words, where the labels contradict the graph.
    """

    layers: tuple[Layer, ...]
    loss: Value | None
    passes: int = 1
    problems: tuple[str, ...] = ()

    @property
    def neurons(self) -> tuple[Neuron, ...]:
        """Every neuron, layer by layer, in index order."""
        return tuple(neuron for layer in self.layers for neuron in layer.neurons)

    @property
    def inputs(self) -> tuple[Value | float, ...]:
        """What the first layer reads: the first neuron's inputs, in weight order (() without neurons)."""
        return self.layers[0].neurons[0].inputs if self.layers else ()

    @cached_property
    def by_key(self) -> dict[str, Neuron]:
        """Each neuron by its key ("L1.n3")."""
        return {neuron.key: neuron for neuron in self.neurons}

    def neuron(self, key: str) -> Neuron:
        """The neuron with this key ("L1.n3"); KeyError naming the keys there are."""
        if key not in self.by_key:
            raise KeyError(f"no neuron {key!r} in this network; it has {list(self.by_key)}")
        return self.by_key[key]

    def sample(self, k: int) -> Network:
        """The network as it ran on sample k (1 to passes, in the order the graph computes them).

        The last layer's k-th run and, below it, the runs whose outputs it read; its parameters (and their
        gradients, summed over every sample) are the same.  ValueError naming k when there is no such sample.
        """
        times = f"{self.passes} time{'s' if self.passes != 1 else ''}"
        k = errors.whole_number(k, "sample", 1, self.passes, why=f"the network ran {times} in this graph")
        if self.passes == 1 or not self.layers:
            return self
        layers: list[Layer] = []
        wanted: set[int] | None = None  # ids of the values the layer above read, in the chosen sample
        for layer in reversed(self.layers):
            chosen = []
            for neuron in layer.neurons:
                runs = neuron.runs or (Run(neuron.z, neuron.out, neuron.inputs, neuron.nodes),)
                if wanted is None:
                    run = runs[k - 1] if len(runs) >= k else runs[-1]
                else:
                    run = next((r for r in runs if id(r.out) in wanted), runs[-1])
                chosen.append(replace(neuron, z=run.z, out=run.out, inputs=run.inputs, nodes=run.nodes))
            wanted = {id(x) for neuron in chosen for x in neuron.inputs}
            layers.append(Layer(layer.number, tuple(chosen)))
        return replace(self, layers=tuple(reversed(layers)))

    def require(self, what: str, *, one_pass: bool = False, advice: str = "") -> None:
        """ValueError starting with ``what`` unless this is a network whose labels fit the graph.

        one_pass=True also refuses a graph in which the network ran several times;
        advice (e.g. "use mode='nodes'") ends each message.
        """
        tail = f": {advice}" if advice else ""
        if self.problems:
            raise ValueError(f"{what}: {self.problems[0]}{tail}")
        if not self.layers:
            raise ValueError(f"{what} needs a network built by micrograd_nn.nn (parameters labelled "
                             f"L<layer>.n<neuron>.w<j> and .b); this graph has none{tail}")
        if one_pass and self.passes > 1:
            raise ValueError(f"{what} steps one pass through a network, but the network ran {self.passes} times "
                             f"in this graph (it ran several times, e.g. on several samples){tail}")
