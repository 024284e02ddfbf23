"""The network in a graph, found once: layers of neurons, each with its z, output, weights, bias and inputs.

``find_network(root)`` (or a walk's ``info.network``) returns a ``Network``
of frozen records (analysis/neurons.py) that every view reads: the network view, the scalar
picture's neuron boxes, the stepper's layer mode, the live training page.
Nothing else looks for neurons, and nothing else reads parameter labels
(their format lives in micrograd_nn.labels, beside nn.py).

How a neuron is recognised (one pass over the graph, in topological order):

1. a parameter belongs to the neuron its label names (``L1.n3.w2`` -> ``L1.n3``);
2. an operation belongs to neuron N when it reads N's parameters together with
   a signal (the products ``w_k * x_k``, the first sum ``b + w_1 x_1``, a fused
   ``dot``/``affine``), when it is a ``+`` of N's nodes only (the running sum),
   or when it is an activation applied to N's sum;
3. N's output is its last node that no other node of N reads; its z is the
   activation's operand (the output itself for a linear neuron); its weights,
   in label order, and what each multiplies are read off its products.

A label is only a claim, so the graph is checked against it: the layer of a
neuron is counted from the graph (layer 1 reads no neuron, layer l + 1 reads
layer l's outputs), and a parameter shared between neurons, a weight tied to
two places, a neuron read in a place its label does not match, or a layer
number the graph contradicts is reported in ``Network.problems`` (in words),
never drawn as structure.  The network view and the layer stepper refuse a
network with problems (``Network.require``); the scalar picture just does not
box those neurons.  Parameters that take part in no neuron (an L2 penalty's
``p * p``) belong to no neuron.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from micrograd_nn import _old_paths, labels, rules
from micrograd_nn.analysis.neurons import Layer, Network, Neuron, Run
from micrograd_nn.engine import Value, topological_order

ACTIVATION_OPS = frozenset(name for name, op in rules.OPS.items() if op.activation)
"""Ops that nn.py applies after a neuron's weighted sum (rules.OPS marks them)."""

SUM_OPS = frozenset(name for name, op in rules.OPS.items() if op.neuron_sum)
"""Ops that form (part of) a neuron's weighted sum z = w . x + b: +, and the fused dot and affine."""

_FUSED = frozenset(name for name in SUM_OPS if rules.OPS[name].arity == 0)




@dataclass(frozen=True)
class Found:
    """What recognise() finds: the network, and per node its kind, neuron key and role (for names and boxes)."""

    network: Network
    kinds: list[str]  # parameter, input, variable (a labelled leaf), constant (an unlabelled leaf) or inner
    operands: list[list[int]]  # each node's operands, by position in the topological order
    groups: list[str | None]  # the neuron each node belongs to (None: none, or one whose labels misfit)
    roles: list[str | None]  # "z", "out", "term3", "sum2" inside a neuron


def find_network(
    root: Value, *, parameters: Iterable[Value] | None = None, inputs: Iterable[Value] | None = None
) -> Network:
    """The network in root's graph: layers of neurons with their z, output, weights, bias and inputs.

    parameters/inputs: the leaves to treat as such (default: by their labels).
    Never raises for a graph without a network: the Network then has no layers;
    ``network.require("my view")`` raises a clear ValueError when you need one.
    """
    if not isinstance(root, Value):
        raise TypeError(f"find_network: root must be a Value, got {type(root).__name__} {root!r}")
    nodes = topological_order(root)
    return recognise(nodes, {node: i for i, node in enumerate(nodes)}, parameters, inputs).network


# --- recognising -------------------------------------------------------------------

SHARED, TIED, NUMBERING, LAYERING = range(4)
"""How telling a problem is (the most telling is said first): a neuron read where its labels do not say,
a weight tied to two places, weights or neurons numbered against the graph, a layer number the graph contradicts."""


@dataclass
class _Graph:
    """The graph being read: nodes in topological order, operand ids, and what the parameters' labels claim."""

    nodes: list[Value]
    index: dict[Value, int]
    kinds: list[str]
    operands: list[list[int]]  # node id -> its operands' ids, in order
    claims: dict[int, labels.ParameterLabel]  # parameter id -> its label's claim
    owner: dict[int, str]  # parameter id -> the key of the neuron its label names
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (how telling, neuron key, text)

    def problem(self, rank: int, keys: Iterable[str], text: str) -> None:
        """Note that neurons keys do not fit the graph, and why."""
        self.problems += [(rank, key, text) for key in keys]


def recognise(
    nodes: list[Value], index: dict[Value, int], parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
) -> Found:
    """The network in a graph given in topological order (index: node -> position), and each node's kind.

    Parameters are the leaves labelled like ``L1.n2.w1`` (or those given),
    inputs those labelled ``x1, x2, ...`` (or those given).
    """
    graph = _read(nodes, index, parameters, inputs)
    groups = _membership(graph)
    parts = _neurons_of(graph, groups)
    _check_reads(graph, groups, parts)
    layers = _layers(graph, parts, [key for key in parts if key not in {k for _, k, _ in graph.problems}])
    misfits = {key for _, key, _ in graph.problems}  # _layers may have found more
    layers = [Layer(layer.number, kept) for layer in layers
              for kept in [tuple(n for n in layer.neurons if n.key not in misfits)] if kept]
    kept_groups = [g if g not in misfits else None for g in groups]
    network = _network(graph, layers, max((found.passes for found in parts.values()), default=1))
    return Found(network, graph.kinds, graph.operands, kept_groups, _roles(graph, kept_groups, parts))


def _read(nodes: list[Value], index: dict[Value, int], parameters: Iterable[Value] | None,
          inputs: Iterable[Value] | None) -> _Graph:
    """The graph to read: each node's operands and kind, and what the parameters' labels claim."""
    operands = [[index[x] for x in node.operands] for node in nodes]
    claims = {i: claim for i, node in enumerate(nodes) if not operands[i]
              for claim in [labels.parse_parameter(node.label)] if claim is not None}
    kinds = _kinds(nodes, operands, claims, parameters, inputs)
    claims = {i: claim for i, claim in claims.items() if kinds[i] == "parameter"}
    return _Graph(nodes, index, kinds, operands, claims, {i: claim.key for i, claim in claims.items()})


def _neurons_of(graph: _Graph, groups: list[str | None]) -> dict[str, _Parts]:
    """Each neuron's parts, read from the nodes the membership gave it (a neuron whose parts do not fit: none)."""
    members: dict[str, list[int]] = {}
    for i, key in enumerate(groups):
        if key is not None:
            members.setdefault(key, []).append(i)
    return {key: found for key, ids in members.items() for found in [_neuron_parts(graph, groups, key, ids)]
            if found is not None}


def _network(graph: _Graph, layers: list[Layer], passes: int) -> Network:
    """The Network record: its layers, the loss (the root unless it is a neuron's output), its problems in words."""
    nodes = graph.nodes
    outputs = {graph.index[n.out] for layer in layers for n in layer.neurons}
    loss = None if not nodes or len(nodes) - 1 in outputs else nodes[-1]
    problems = tuple(dict.fromkeys(text for _, _, text in sorted(graph.problems, key=lambda p: p[0])))
    return Network(tuple(layers), loss, passes, problems)


def _kinds(
    nodes: list[Value], operands: list[list[int]], claims: dict[int, labels.ParameterLabel],
    parameters: Iterable[Value] | None, inputs: Iterable[Value] | None,
) -> list[str]:
    """Each node's kind: parameter, input, variable (a labelled leaf), constant (an unlabelled leaf) or inner."""
    parameter_set = set(parameters) if parameters is not None else None
    input_set = set(inputs) if inputs is not None else None
    kinds = []
    for i, node in enumerate(nodes):
        if operands[i]:
            kinds.append("inner")
        elif node in parameter_set if parameter_set is not None else i in claims:
            kinds.append("parameter")
        elif node in input_set if input_set is not None else labels.is_input_label(node.label):
            kinds.append("input")
        else:
            kinds.append("variable" if node.label else "constant")
    return kinds


def _membership(graph: _Graph) -> list[str | None]:
    """Each node's neuron key by the rules in the module docstring; a sum mixing neurons' parameters is a problem.

    A weight times a plain number (a Neuron called with numbers) joins its neuron when a sum of that neuron
    adds it; until then it could be a penalty term, and joins nothing.
    """
    nodes, owner = graph.nodes, graph.owner
    groups: list[str | None] = [owner.get(i) for i in range(len(nodes))]
    candidates: dict[int, str] = {}  # w * number: joins neuron key if one of its sums adds it
    for i, node in enumerate(nodes):
        ids = graph.operands[i]
        if not ids:
            continue
        owners = {owner[j] for j in ids if j in owner}
        if owners:
            _read_by_parameters(graph, i, owners, groups, candidates)
        elif node.op == "+":
            keys = {groups[j] or candidates.get(j) for j in ids}
            if len(keys) == 1 and None not in keys:
                groups[i] = keys.pop()
        elif node.op in ACTIVATION_OPS and nodes[ids[0]].op in SUM_OPS and groups[ids[0]] is not None:
            groups[i] = groups[ids[0]]
        if groups[i] is not None and node.op == "+":
            for j in ids:
                if candidates.get(j) == groups[i]:
                    groups[j] = groups[i]
    return groups



def _read_by_parameters(graph: _Graph, i: int, owners: set[str], groups: list[str | None],
                        candidates: dict[int, str]) -> None:
    """Node i reads parameters of the neurons owners: it joins that neuron (or is a candidate, w * number), or
    reading several neurons' parameters in one sum is a problem."""
    node, ids = graph.nodes[i], graph.operands[i]
    if len(owners) > 1:
        names = ", ".join(dict.fromkeys(graph.nodes[j].label for j in ids if j in graph.owner))
        graph.problem(SHARED, owners, f"one weighted sum reads parameters labelled for neurons "
                      f"{', '.join(sorted(owners))} ({names}): a parameter shared between neurons, or a "
                      "label that does not say where it is used")
    elif node.op in _FUSED or any(graph.kinds[j] not in ("parameter", "constant") for j in ids):
        groups[i] = owners.pop()
    elif node.op == "*" and len(ids) == 1 and graph.claims[ids[0]].weight is not None:
        candidates[i] = owners.pop()
    # else parameters and numbers only: a regulariser term, not part of a neuron

@dataclass(frozen=True)
class _Parts:
    """A neuron's node ids before its layer is known (see Neuron)."""

    z: int
    out: int
    weights: tuple[int, ...]
    bias: int | None
    inputs: tuple[Value | float, ...]
    pass_ids: tuple[int, ...]
    passes: int
    ends: frozenset[int]
    signals: dict[int, frozenset[int]]  # node id -> ids of the operands it multiplies by one of the neuron's weights
    runs: tuple[tuple[int, int, tuple[Value | float, ...], tuple[int, ...]], ...] = ()  # (z, out, inputs, ids)


def _neuron_parts(graph: _Graph, groups: list[str | None], key: str, ids: list[int]) -> _Parts | None:
    """Neuron key's z, output, weights, bias and inputs (from its last pass), or None when it computes nothing."""
    nodes, operands = graph.nodes, graph.operands
    inner = [i for i in ids if operands[i]]
    if not inner:
        return None  # parameters used only outside any weighted sum
    used_inside = {j for i in inner for j in operands[i] if groups[j] == key}
    ends = [i for i in inner if i not in used_inside]
    out = ends[-1]
    pass_ids = _trace(graph, groups, key, out)
    z = out
    if nodes[out].op in ACTIVATION_OPS and operands[out][0] in pass_ids:
        z = operands[out][0]
    weights, inputs, biases, signals = _parameters_read(graph, key, pass_ids)
    runs = tuple(_run(graph, groups, key, end, weights) for end in ends[:-1]) if len(ends) > 1 else ()
    last = (z, out, inputs, tuple(sorted(pass_ids)))
    return _Parts(z, out, weights, biases[0] if biases else None, inputs, tuple(sorted(pass_ids)), len(ends),
                  frozenset(ends), signals, (*runs, last) if runs else ())



def _parameters_read(graph: _Graph, key: str, pass_ids: set[int]
                     ) -> tuple[tuple[int, ...], tuple[Value | float, ...], list[int], dict[int, frozenset[int]]]:
    """What one pass of neuron key reads: its weights in label order and what each multiplies, its biases (one,
    or a problem), and per node the operands it multiplies by a weight; no weights at all is a problem."""
    pairs: list[tuple[int, Value | float]] = []
    signals: dict[int, frozenset[int]] = {}
    for i in sorted(pass_ids):
        found = _weight_pairs(graph, graph.nodes[i], key)
        pairs += found
        signals[i] = frozenset(graph.index[x] for _, x in found if isinstance(x, Value))
    biases = sorted({j for i in pass_ids for j in graph.operands[i]
                     if graph.owner.get(j) == key and graph.claims[j].weight is None})
    weights, inputs = _weights_in_order(graph, key, pairs)
    if not weights:
        graph.problem(NUMBERING, [key], f"neuron {key} has no weights in this graph: nothing labelled {key}.w<j> "
                      "multiplies an input in its weighted sum")
    if len(biases) > 1:
        graph.problem(TIED, [key], f"neuron {key} adds {len(biases)} parameters labelled {key}.b")
    return weights, inputs, biases, signals

def _run(graph: _Graph, groups: list[str | None], key: str, out: int, weights: tuple[int, ...]
         ) -> tuple[int, int, tuple[Value | float, ...], tuple[int, ...]]:
    """Neuron key's run that ends at node out (an earlier sample's): its z, out, inputs in weight order, node ids."""
    ids = _trace(graph, groups, key, out)
    z = out
    if graph.nodes[out].op in ACTIVATION_OPS and graph.operands[out][0] in ids:
        z = graph.operands[out][0]
    read = dict(pair for i in sorted(ids) for pair in _weight_pairs(graph, graph.nodes[i], key))
    return z, out, tuple(read[w] for w in weights if w in read), tuple(sorted(ids))


def _trace(graph: _Graph, groups: list[str | None], key: str, out: int) -> set[int]:
    """The ids of neuron key's nodes that out is computed from (its last pass), parameters included."""
    seen = {out}
    stack = [out]
    while stack:
        for j in graph.operands[stack.pop()]:
            if groups[j] == key and j not in seen:
                seen.add(j)
                stack.append(j)
    return seen


def _weight_pairs(graph: _Graph, node: Value, key: str) -> list[tuple[int, Value | float]]:
    """(weight id, what it multiplies) for each weight of neuron key that this node multiplies."""
    def weight_id(x: object) -> int | None:
        if not isinstance(x, Value):
            return None
        j = graph.index[x]
        return j if graph.owner.get(j) == key and graph.claims[j].weight is not None else None

    inputs = node.inputs
    if node.op == "*" and len(inputs) == 2:
        a, b = weight_id(inputs[0]), weight_id(inputs[1])
        if a is not None and b is None:
            return [(a, inputs[1])]
        if b is not None and a is None:
            return [(b, inputs[0])]
        return []
    if node.op in _FUSED:
        n = (len(inputs) - (node.op == "affine")) // 2
        return [(j, x) for w, x in zip(inputs[:n], inputs[n : 2 * n]) for j in [weight_id(w)] if j is not None]
    return []


def _weights_in_order(
    graph: _Graph, key: str, pairs: list[tuple[int, Value | float]]
) -> tuple[tuple[int, ...], tuple[Value | float, ...]]:
    """The weights (ids) and their inputs in label order; a tied or doubly labelled weight is a problem."""
    by_number: dict[int, tuple[int, Value | float]] = {}
    seen: dict[int, int] = {}
    for j, x in pairs:
        label = graph.nodes[j].label
        seen[j] = seen.get(j, 0) + 1
        if seen[j] == 2:
            graph.problem(TIED, [key], f"parameter {label} is used as {sum(1 for w, _ in pairs if w == j)} of "
                          f"neuron {key}'s weights (one Value tied to several places in its weighted sum)")
        if seen[j] > 1:
            continue
        number = graph.claims[j].weight or 0
        if number in by_number:
            graph.problem(TIED, [key], f"two different parameters of neuron {key} are labelled {label}")
            continue
        by_number[number] = (j, x)
    numbers = sorted(by_number)
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        graph.problem(NUMBERING, [key], f"neuron {key}'s weights are labelled w{', w'.join(map(str, numbers))}: "
                      f"they should run w1 to {labels.weight_label('', len(numbers))} in the order its weighted sum "
                      "reads them")
    return tuple(by_number[k][0] for k in numbers), tuple(by_number[k][1] for k in numbers)


def _check_reads(graph: _Graph, groups: list[str | None], parts: dict[str, _Parts]) -> None:
    """A neuron may read another neuron only as an input its weight multiplies, and only that neuron's output."""
    for key, found in parts.items():
        for i in found.pass_ids:
            for j in graph.operands[i]:
                other = groups[j]
                if other is None or other == key or j in graph.owner:
                    continue
                if j in found.signals.get(i, ()) and other in parts and j in parts[other].ends:
                    continue
                graph.problem(SHARED, [key, other], _misread(graph, other, key, j))


def _misread(graph: _Graph, owner: str, reader: str, j: int) -> str:
    """Why node j, labelled as part of neuron owner, cannot be read by neuron reader where it is."""
    weights = [graph.nodes[k].label for k in graph.operands[j] if graph.owner.get(k) == owner]
    if weights:
        return (f"parameter {weights[0]} is labelled for neuron {owner} but is multiplied into neuron {reader}'s "
                "weighted sum: a parameter shared between neurons, or a label that does not say where it is used")
    return (f"neuron {reader} reads a node of neuron {owner} that is not {owner}'s output: the labels of {owner}'s "
            "parameters do not match the graph")


def _layers(graph: _Graph, parts: dict[str, _Parts], keys: list[str]) -> list[Layer]:
    """The neurons by layer, counted from the graph; a label whose layer or index the graph contradicts is a problem."""
    out_of = {parts[key].out: key for key in keys}
    depth: dict[str, int] = {}
    for key in sorted(keys, key=lambda k: parts[k].out):
        read = [out_of[j] for x in parts[key].inputs if isinstance(x, Value) for j in [graph.index[x]] if j in out_of]
        depth[key] = 1 + max((depth[k] for k in read), default=0)
    by_layer: dict[int, list[Neuron]] = {}
    for key in keys:
        claimed, number = labels.parse_neuron_key(key) or (None, 0)
        if claimed is not None and claimed != depth[key]:
            previous = depth[key] - 1
            reads = f"reads the outputs of layer {previous}" if previous else "reads no neuron's output"
            graph.problem(LAYERING, [key], f"neuron {key}'s label says layer {claimed}, but it {reads}, so it is "
                          f"layer {depth[key]} of this graph")
        by_layer.setdefault(depth[key], []).append(_neuron(graph.nodes, parts[key], key, depth[key], number))
    layers = [Layer(k, tuple(sorted(by_layer[k], key=lambda n: labels.neuron_sort_key(n.key))))
              for k in sorted(by_layer)]
    for lower, upper in zip(layers, layers[1:]):
        _check_order(graph, lower, upper)
    return layers


def _check_order(graph: _Graph, below: Layer, above: Layer) -> None:
    """Weight j of each neuron of the layer above must multiply neuron j of the layer below (as nn.py builds it)."""
    position = {neuron.out: neuron for neuron in below.neurons}
    for neuron in above.neurons:
        for j, (weight, x) in enumerate(zip(neuron.weights, neuron.inputs), 1):
            read = position.get(x) if isinstance(x, Value) else None
            if read is not None and read.index != j:
                graph.problem(NUMBERING, [read.key], f"{weight.label} multiplies the output of neuron {read.key}, "
                              f"whose label says it is neuron {read.index} of its layer, not {j}")


def _neuron(nodes: list[Value], found: _Parts, key: str, layer: int, number: int) -> Neuron:
    """The record of one neuron from its node ids."""
    out = nodes[found.out]
    return Neuron(
        key=key, layer=layer, index=number, z=nodes[found.z], out=out,
        activation=out.op if found.z != found.out else "linear",
        weights=tuple(nodes[j] for j in found.weights),
        bias=nodes[found.bias] if found.bias is not None else None,
        inputs=found.inputs,
        nodes=tuple(nodes[i] for i in found.pass_ids),
        runs=tuple(Run(nodes[z], nodes[out], inputs, tuple(nodes[i] for i in ids))
                   for z, out, inputs, ids in found.runs),
    )


def _roles(graph: _Graph, groups: list[str | None], parts: dict[str, _Parts]) -> list[str | None]:
    """Each neuron node's role, for its name: z and out, term<k> for the product wk*x, sum<k> for partial sums."""
    roles: list[str | None] = [None] * len(graph.nodes)
    sums: dict[str, int] = {}
    for i, node in enumerate(graph.nodes):
        key = groups[i]
        if key is None or not graph.operands[i]:
            continue
        weights = [w for j in graph.operands[i] if j in graph.claims for w in [graph.claims[j].weight] if w is not None]
        if node.op == "*" and weights:
            roles[i] = f"term{weights[0]}"
        else:
            sums[key] = sums.get(key, 0) + 1
            roles[i] = f"sum{sums[key]}"
    for key, found in parts.items():
        if groups[found.out] == key:
            if found.z != found.out:
                roles[found.z] = "z"
            roles[found.out] = "out"
    return roles


def __getattr__(name: str) -> Any:
    """A name that moved out of this module (the old-paths table says where): handed over with a warning."""
    return _old_paths.old_name(sys.modules[__name__], name)
