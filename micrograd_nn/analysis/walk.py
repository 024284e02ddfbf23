"""Walk a graph once: its nodes in order, what kind each is, a readable name for each, and the network in it.

Every view (pictures, tables, explanations, the stepper, the gradient audit)
reads the graph through one ``Walk``, so they agree on names and ids:

- node i is ``nodes[i]`` in topological order (operands before the nodes that use them);
- its kind is parameter, input, variable, constant (a leaf) or inner (an op result);
- ``network`` is the network found in the graph (micrograd_nn.analysis.network),
  and ``groups[i]`` the neuron node i was built in ("L1.n3"), or None;
- its name is the user's label, else what it is in the network (``L1.n3.z`` is
  neuron 3 of layer 1 before its activation, ``L1.n3.out`` after it), else the
  gradient it is (``dy/dx``: a Value backward(create_graph=True) or grad() built as
  d(y)/d(x); ``x.grad`` for a leaf's gradient summed over passes), ``loss`` or
  ``out`` for an unlabelled root, else ``v{i}``.

This module imports nothing heavy (no graphviz).  Nothing here writes to the graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from micrograd_nn import labels
from micrograd_nn.analysis.network import recognise
from micrograd_nn.analysis.neurons import Network
from micrograd_nn.engine import Value, topological_order
from micrograd_nn.gradient_graph import backward_level, derivative_of, sum_of_passes

INPUT_RULE = "a leaf labelled x1, x2, … as MLP labels the numbers you give it, or passed as inputs="
"""What makes a leaf an input, as every legend states it (the one rule; analysis.network decides kinds by it)."""

PARAMETER_RULE = "a leaf labelled L1.n2.w1 or L1.n2.b as MLP labels them, or passed as parameters="
"""What makes a leaf a parameter, as every legend states it."""


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
    network: Network
    operands: list[list[int]]  # node i's operands by id, in order (a node used twice appears twice)
    passes: list[int]  # the pass that made node i: 0 the forward pass, k the k-th backward(create_graph=True)

    def name_of(self, node: Value) -> str:
        """The display name of a node of this graph."""
        return self.names[self.index[node]]


def walk(
    root: Value,
    *,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
) -> Walk:
    """Collect the nodes of root's graph (operands before users) with kinds, names and the network in it.

    Leaves are parameters (labels like ``L1.n2.w1``, or those in ``parameters``),
    inputs (labels ``x1, x2, ...``, or those in ``inputs``), constants (no label)
    or variables (any other label).  Gradients count as computed when the
    root's gradient is not 0 (see ``grads_computed``).
    """
    if not isinstance(root, Value):
        raise TypeError(f"walk: root must be a Value, got {type(root).__name__} {root!r}")
    nodes = topological_order(root)
    index = {node: i for i, node in enumerate(nodes)}
    found = recognise(nodes, index, parameters, inputs)
    names = _names(nodes, found.groups, found.roles)
    return Walk(root, nodes, index, found.kinds, names, found.groups, grads_computed(root), found.network,
                found.operands, _pass_levels(nodes, found.operands))


def _pass_levels(nodes: list[Value], operands: list[list[int]]) -> list[int]:
    """For each node: 0 if the forward pass made it, k if the k-th backward(create_graph=True) did.

    A node you computed from a gradient (``x.grad_value * 3``) counts as made by that backward pass too: a node's
    level is at least its operands' (so the forward pass's nodes are those the gradient reads, and what they read).
    """
    levels = [backward_level(node) for node in nodes]
    for i, inputs in enumerate(operands):  # operands come first: their levels are final
        levels[i] = max([levels[i], *(levels[j] for j in inputs)])
    return levels


def grads_computed(root: Value) -> bool:
    """Has backward() run from root?  True when root.grad != 0.

    backward() always seeds the root with dL/dL = 1 (unless the caller passes
    0), while leaves may still hold gradients from an earlier backward() on
    another graph, so only the root's gradient tells.
    """
    return root.grad != 0.0


def _names(nodes: list[Value], groups: list[str | None], roles: list[str | None]) -> list[str]:
    """A short unique name per node; see the module docstring for the rules.

    Inside neuron N: its weighted sum is N.z, its activation N.out (a linear
    neuron's sum is N.out), the product wk*x is N.term{k}, and the k-th partial
    sum b + w1*x1 + ... (in the order they were added) is N.sum{k}.
    A name used twice (by labels or by the rules) gets #{id} appended.
    """
    names = [node.label or (f"{groups[i]}.{roles[i]}" if roles[i] else "") for i, node in enumerate(nodes)]
    for i, name in _gradient_names(nodes, names).items():
        names[i] = names[i] or name
    root = len(nodes) - 1
    if not names[root]:
        names[root] = "loss" if any(g is not None for g in groups) else "out"
    names = [name or f"v{i}" for i, name in enumerate(names)]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [name if counts[name] == 1 else f"{name}#{i}" for i, name in enumerate(names)]


def _gradient_names(nodes: list[Value], names: list[str]) -> dict[int, str]:
    """"dy/dx" for each node built as the gradient d(y)/d(x) (backward(create_graph=True), grad()), with y and x by
    their names (a gradient's own: "d(dy/dx)/dx"); "x.grad" for the sum a leaf's gradient became when a later pass
    added to it.  Only in a graph whose root a backward pass made; "grad of x" when y has no name."""
    if not nodes or backward_level(nodes[-1]) == 0:  # a forward root: its graph holds no gradient Value (and
        return {}  # a big graph is walked without looking at each node's attributes)
    index = {node: i for i, node in enumerate(nodes)}
    found: dict[int, str] = {}

    def name(node: Value) -> str | None:
        """node's name: its label or role, else the gradient it is, else v{i} in this graph; None outside it."""
        i = index.get(node)
        if i is not None and (names[i] or i in found):
            return names[i] or found[i]
        made = node.label or gradient_name(node)
        return f"v{i}" if made is None and i is not None else made

    def gradient_name(node: Value) -> str | None:
        """"dy/dx" if node was built as d(y)/d(x); "x.grad" if as x's gradient summed over passes; else None."""
        derivative, leaf = derivative_of(node), sum_of_passes(node)
        if derivative is not None:
            output, of = derivative
            of_name = name(of)
            return None if of_name is None else labels.gradient_label(of_name, name(output))
        leaf_name = None if leaf is None else name(leaf)
        return None if leaf_name is None else labels.gradient_sum_label(leaf_name)

    for i, node in enumerate(nodes):
        made = None if names[i] else gradient_name(node)
        if made is not None:
            found[i] = made
    return found


def neuron_outputs(info: Walk) -> dict[str, int]:
    """For each neuron of the walked network, the id of its output a = act(z) (z itself for a linear neuron)."""
    return {neuron.key: info.index[neuron.out] for neuron in info.network.neurons}


def neuron_z(info: Walk, key: str, outputs: dict[str, int] | None = None) -> int:
    """The id of neuron key's pre-activation z = w . x + b (its output when the neuron is linear).

    outputs is not needed any more (the network model knows each z); it is accepted so older calls work.
    """
    return info.index[info.network.neuron(key).z]


def neuron_keys(info: Walk) -> list[str]:
    """The neurons of a walked graph in network order: by layer, then by index ("L1.n2" before "L1.n10")."""
    return [neuron.key for neuron in info.network.neurons]


def on_path(info: Walk, start: Value) -> list[bool]:
    """For each node: does it lie on a path from start up to the root (start and root included)?"""
    if start not in info.index:
        raise ValueError(f"path_from: {start!r} is not part of this graph")
    marked = [False] * len(info.nodes)
    marked[info.index[start]] = True
    for i, operands in enumerate(info.operands):
        if not marked[i] and any(marked[j] for j in operands):
            marked[i] = True
    return marked
