"""Walk a graph once: its nodes in order, what kind each is, a readable name for each, and neuron groups.

Every view (pictures, tables, explanations, the stepper, the gradient audit)
reads the graph through one ``Walk``, so they agree on names and ids:

- node i is ``nodes[i]`` in topological order (operands before the nodes that use them);
- its kind is parameter, input, variable, constant (a leaf) or inner (an op result);
- its name is the user's label, else what it is in a network (``L1.n3.z`` is
  neuron 3 of layer 1 before its activation, ``L1.n3.out`` after it), ``loss``
  or ``out`` for an unlabelled root, else ``v{i}``;
- its group is the neuron it was built in ("L1.n3"), or None.

This module imports nothing heavy (no graphviz): ``inspect``, ``audit`` and
``stepper`` read graphs through it.  Nothing here writes to the graph.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from micrograd_nn.engine import Value, topological_order

PARAMETER_LABEL = re.compile(r"^(?:L(?P<layer>\d+)\.)?n(?P<neuron>\d+)\.(?:w(?P<weight>\d+)|b)$")
"""Labels nn.py gives to parameters: L{layer}.n{neuron}.w{i} and L{layer}.n{neuron}.b."""

INPUT_LABEL = re.compile(r"^x\d+$")
"""Labels nn.py gives to inputs passed as plain numbers: x1, x2, ..."""

NEURON_KEY = re.compile(r"^(?:L(?P<layer>\d+)\.)?n(?P<neuron>\d+)$")
"""A neuron's key, the prefix of its parameters' labels: "L1.n3" (or "n3" for a lone Layer/Neuron)."""

ACTIVATION_OPS = frozenset({"relu", "tanh", "sigmoid", "leaky_relu"})
"""Ops that nn.py applies after a neuron's weighted sum."""

SUM_OPS = frozenset({"+", "dot", "affine"})
"""Ops that form (part of) a neuron's weighted sum z = w . x + b."""

DEFAULT_PRECISION = 4
"""Decimals the views print by default."""


@dataclass(frozen=True)
class Walk:
    """Everything the views read from one graph, gathered in one pass.

    Node i is ``nodes[i]``; its id is i, its position in topological order.
    """

    root: Value
    nodes: list[Value]
    index: dict[Value, int]
    kinds: list[str]
    names: list[str]
    groups: list[str | None]
    grads_computed: bool

    def name_of(self, node: Value) -> str:
        """The display name of a node of this graph."""
        return self.names[self.index[node]]


def walk(
    root: Value,
    *,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
) -> Walk:
    """Collect the nodes of root's graph (operands before users) with kinds, names and neuron groups.

    Leaves are parameters (labels like ``L1.n2.w1``, or those in ``parameters``),
    inputs (labels ``x1, x2, ...``, or those in ``inputs``), constants (no label)
    or variables (any other label).  Gradients count as computed when the
    root's gradient is not 0 (see ``grads_computed``).
    """
    if not isinstance(root, Value):
        raise TypeError(f"walk: root must be a Value, got {type(root).__name__} {root!r}")
    nodes = topological_order(root)
    index = {node: i for i, node in enumerate(nodes)}
    parameter_set = set(parameters) if parameters is not None else None
    input_set = set(inputs) if inputs is not None else None
    kinds = [_kind(node, parameter_set, input_set) for node in nodes]
    groups = _neuron_groups(nodes, index, kinds)
    names = _names(nodes, index, groups)
    return Walk(root, nodes, index, kinds, names, groups, grads_computed(root))


def grads_computed(root: Value) -> bool:
    """Has backward() run from root?  True when root.grad != 0.

    backward() always seeds the root with dL/dL = 1 (unless the caller passes
    0), while leaves may still hold gradients from an earlier backward() on
    another graph, so only the root's gradient tells.
    """
    return root.grad != 0.0


def _kind(node: Value, parameter_set: set[Value] | None, input_set: set[Value] | None) -> str:
    """parameter / input / variable / constant for a leaf, inner for an operation result."""
    if node.operands:
        return "inner"
    if parameter_set is not None:
        if node in parameter_set:
            return "parameter"
    elif PARAMETER_LABEL.match(node.label):
        return "parameter"
    if input_set is not None:
        if node in input_set:
            return "input"
    elif INPUT_LABEL.match(node.label):
        return "input"
    return "variable" if node.label else "constant"


def _neuron_groups(nodes: list[Value], index: dict[Value, int], kinds: list[str]) -> list[str | None]:
    """For each node, the neuron it was built in (e.g. "L1.n3"), or None.

    nn.py labels parameters L{layer}.n{neuron}.w{i} / .b.  A node belongs to
    neuron N when it reads one of N's parameters together with a signal (an
    operand that is neither a parameter nor a constant: the products wi*xi,
    the bias sum b + w1*x1) or is N's dot/affine node; when it is a "+" whose
    operands all belong to N (the running weighted sum); or when it is an
    activation applied to N's sum.  Nodes that read only parameters and
    constants, such as the p*p terms of an L2 penalty, belong to no neuron.
    """
    groups: list[str | None] = [None] * len(nodes)
    for i, node in enumerate(nodes):
        if kinds[i] == "parameter":
            groups[i] = node.label.rsplit(".", 1)[0] if PARAMETER_LABEL.match(node.label) else None
            continue
        if not node.operands:
            continue
        operand_ids = [index[operand] for operand in node.operands]
        operand_groups = [groups[j] for j in operand_ids]
        owners = {groups[j] for j in operand_ids if kinds[j] == "parameter"}
        owners.discard(None)
        reads_signal = any(kinds[j] not in ("parameter", "constant") for j in operand_ids)
        if owners and (reads_signal or node.op in ("dot", "affine")):
            groups[i] = owners.pop() if len(owners) == 1 else None
        elif owners:
            continue  # parameters and constants only: a regulariser term, not part of the neuron
        elif node.op == "+" and operand_groups[0] is not None and len(set(operand_groups)) == 1:
            groups[i] = operand_groups[0]
        elif node.op in ACTIVATION_OPS and node.operands[0].op in SUM_OPS:
            groups[i] = operand_groups[0]
    return groups


def _neuron_output_ids(nodes: list[Value], index: dict[Value, int], groups: list[str | None]) -> dict[str, int]:
    """For each neuron key, the id of its output: the last inner member none of whose users is in the neuron."""
    used_inside = [False] * len(nodes)
    for i, node in enumerate(nodes):
        group = groups[i]
        if group is None:
            continue
        for operand in node.operands:
            j = index[operand]
            if groups[j] == group:
                used_inside[j] = True
    outputs: dict[str, int] = {}
    for i, group in enumerate(groups):
        if group is not None and nodes[i].operands and not used_inside[i]:
            outputs[group] = i  # topological order: the last such member wins
    return outputs


def neuron_outputs(info: Walk) -> dict[str, int]:
    """For each neuron key, the id of its output a = act(z) (z itself for a linear neuron)."""
    return _neuron_output_ids(info.nodes, info.index, info.groups)


def neuron_z(info: Walk, key: str, outputs: dict[str, int] | None = None) -> int:
    """The id of neuron key's pre-activation z = w . x + b (its output when the neuron is linear).

    outputs: neuron_outputs(info), when the caller has it already.
    """
    out = (outputs if outputs is not None else neuron_outputs(info))[key]
    node = info.nodes[out]
    if node.op in ACTIVATION_OPS and info.groups[info.index[node.operands[0]]] == key:
        return info.index[node.operands[0]]
    return out


def _names(nodes: list[Value], index: dict[Value, int], groups: list[str | None]) -> list[str]:
    """A short unique name per node; see the module docstring for the rules.

    Inside neuron N: its weighted sum is N.z, its activation N.out (a linear
    neuron's sum is N.out), the product wk*x is N.term{k}, and the k-th partial
    sum b + w1*x1 + ... (in the order they were added) is N.sum{k}.
    A name used twice (by labels or by the rules) gets #{id} appended.
    """
    names = [node.label for node in nodes]
    outputs = _neuron_output_ids(nodes, index, groups)
    for key, out in outputs.items():
        node = nodes[out]
        z = out
        if node.op in ACTIVATION_OPS and groups[index[node.operands[0]]] == key:
            z = index[node.operands[0]]
            if not names[z]:
                names[z] = f"{key}.z"
        if not names[out]:
            names[out] = f"{key}.out"
    sums_seen: dict[str, int] = {}
    for i, node in enumerate(nodes):
        group = groups[i]
        if group is None or not node.operands:
            continue
        weights = [PARAMETER_LABEL.match(x.label) for x in node.operands]
        numbers = [m.group("weight") for m in weights if m is not None and m.group("weight")]
        if node.op == "*" and numbers:
            default = f"{group}.term{numbers[0]}"
        else:
            sums_seen[group] = sums_seen.get(group, 0) + 1
            default = f"{group}.sum{sums_seen[group]}"
        names[i] = names[i] or default
    root = len(nodes) - 1
    if not names[root]:
        in_network = any(g is not None for g in groups)
        names[root] = "loss" if in_network else "out"
    for i in range(len(nodes)):
        if not names[i]:
            names[i] = f"v{i}"
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [name if counts[name] == 1 else f"{name}#{i}" for i, name in enumerate(names)]


def neuron_keys(info: Walk) -> list[str]:
    """The neurons of a walked graph in network order: by layer, then by index ("L1.n2" before "L1.n10")."""
    return sorted({g for g in info.groups if g is not None}, key=neuron_sort_key)


def neuron_sort_key(key: str) -> tuple[int, int, str]:
    """Sort key for neuron keys: (layer, index); keys of another shape go last, alphabetically."""
    match = NEURON_KEY.match(key)
    if match is None:
        return (1 << 30, 0, key)
    return (int(match.group("layer") or 0), int(match.group("neuron")), key)


def group_title(key: str) -> str:
    """"L1.n3" -> "layer 1 / neuron 3"; "n2" -> "neuron 2"."""
    match = NEURON_KEY.match(key)
    if match is None:
        return key
    layer, neuron = match.group("layer"), match.group("neuron")
    return f"layer {layer} / neuron {neuron}" if layer else f"neuron {neuron}"


def on_path(info: Walk, start: Value) -> list[bool]:
    """For each node: does it lie on a path from start up to the root (start and root included)?"""
    if start not in info.index:
        raise ValueError(f"path_from: {start!r} is not part of this graph")
    marked = [False] * len(info.nodes)
    marked[info.index[start]] = True
    for i, node in enumerate(info.nodes):
        if not marked[i] and any(marked[info.index[operand]] for operand in node.operands):
            marked[i] = True
    return marked


def check_precision(precision: int) -> int:
    """precision must be an int from 0 to 15 (decimals shown); ValueError naming the value otherwise."""
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 15:
        raise ValueError(f"precision must be a whole number of decimals from 0 to 15, got {precision!r}")
    return precision


def bracketed(name: str) -> str:
    """A name as written after d in d/d notation: x1 or L1.n3.w2 as it is, any other label in brackets.

    "dout/dx1" but "do/d(x1*w1 + x2*w2)": a label that is not a plain (dotted) name
    would otherwise run into the rest of the formula.
    """
    if name and all(part.isidentifier() for part in name.split(".")):
        return name
    return f"({name})"


def d_of(name: str) -> str:
    """d followed by the name, for d/d notation: "dx1", "dL1.n3.w2", "d(x1*w1 + x2*w2)" (see bracketed)."""
    return f"d{bracketed(name)}"


def format_number(x: float, precision: int = DEFAULT_PRECISION) -> str:
    """x with `precision` decimals, or in scientific notation when it is very large or very small."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0.0:
        x = 0.0  # -0.0 (a zero gradient passed back through a negative factor) prints as 0
    if x == 0.0 or 10.0**-precision <= abs(x) < 1e6:
        return f"{x:.{precision}f}"
    return f"{x:.{precision}e}"
