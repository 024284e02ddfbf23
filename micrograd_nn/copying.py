"""copy.copy, copy.deepcopy and pickle of a Value: the node together with the graph below it, flat.

Leaves are taken as themselves (so a model's parameters keep their identity
within one pickle or deepcopy); inner nodes are rebuilt in topological order
from their op name, data, grad, inputs and stored local derivatives, so a
graph of any depth works.  An op written the micrograd way cannot be copied:
its closure would still point at the original nodes.

Attributes of your own travel as the copy's *state*, restored after every
node exists, so an attribute that points back into the graph (``x.owner =
y`` for a leaf x below y) points at the copy's node, not at a second graph.
What backward(create_graph=True) notes on nodes (``grad_value``, which pass made
a node) stays with the original: a copy is a graph like any other.

The engine's Value, _node and topological_order come from engine_link (engine.py
imports this module, so this module does not import engine.py back).
"""

from __future__ import annotations

from copy import deepcopy
from typing import TYPE_CHECKING, Any

from micrograd_nn import engine_link
from micrograd_nn.gradient_graph import BOOKKEEPING
from micrograd_nn.micrograd_compat import attributes
from micrograd_nn.rules import OPS

if TYPE_CHECKING:
    from micrograd_nn.engine import Value


def reduce(node: Value) -> tuple:
    """Value.__reduce__: how to rebuild ``node`` and everything it was computed from."""
    if node._record is None:
        own = _own(node)
        kind = type(node)  # a subclass of Value comes back as itself
        return _leaf, (node.data, node.grad, node.label, kind), ({-1: own} if own else None)
    inner = [n for n in engine_link.topological_order(node) if n._record is not None]
    position = {n: i for i, n in enumerate(inner)}

    def ref(x: object) -> object:  # an inner node by its position; a leaf or a number as itself
        return position[x] if x in position else x  # type: ignore[index]

    refuse_closure_ops(inner)
    records = []
    for n in inner:
        many = None if n._many is None else tuple(map(ref, n._many))  # x1..xn, d1..dn: numbers stay themselves
        fields = (ref(n._a), n._da, ref(n._b), n._db, many)
        records.append((n.op, n.data, n.grad, n.label, fields))
    states = {i: own for i, own in ((i, _own(n)) for i, n in enumerate(inner)) if own}
    return _rebuild, (records,), (states or None)


def _own(node: Value) -> dict[str, Any]:
    """node's attributes of your own, without what backward(create_graph=True) noted on it."""
    return {name: x for name, x in attributes(node, create=False).items() if name not in BOOKKEEPING}


def refuse_closure_ops(nodes: list[Value]) -> None:
    """TypeError if a node is an op written the micrograd way: its closure would point at the original nodes."""
    for n in nodes:
        if n._record is not None and n._record.closure:
            raise TypeError(
                f"cannot copy or pickle a graph holding the micrograd-style op {n._op!r}: its _backward "
                "closure would still point at the original nodes (save a model's parameters instead)"
            )


def set_state(node: Value, state: dict[int, dict[str, Any]]) -> None:
    """Value.__setstate__: give the copied nodes their attributes of your own (-1: the node itself)."""
    if node._record is None:
        inner = []
    else:
        inner = [n for n in engine_link.topological_order(node) if n._record is not None]
    for position, own in state.items():
        attributes(node if position == -1 else inner[position]).update(own)


def deep_copy(root: Value, memo: dict[int, Any]) -> Value:
    """Value.__deepcopy__: every node copied once (memo keeps identities), then the attributes of your own.

    The attributes come last, so one that points back into the graph finds
    the copy's node in memo instead of starting a second copy.
    """
    order = engine_link.topological_order(root)
    refuse_closure_ops(order)

    def twin(x: Any) -> Any:  # the copy of an input Value; a plain number as itself
        return memo[id(x)] if id(x) in memo else x

    new: list[Value] = []
    for node in order:
        if id(node) in memo:
            copied = memo[id(node)]
        elif node._record is None:
            copied = _leaf(node.data, node.grad, node.label, type(node))
        else:
            copied = engine_link.make_node(node._record, node.data, twin(node._a), node._da, twin(node._b),
                                           node._db)
            copied.grad, copied.label = node.grad, node.label
            if node._many is not None:
                copied._many = tuple(map(twin, node._many))
        memo[id(node)] = copied
        new.append(copied)
    for node, copied in zip(order, new):
        own = _own(node)
        if own and not attributes(copied, create=False):
            attributes(copied).update(deepcopy(own, memo))
    return memo[id(root)]  # type: ignore[no-any-return]


def _leaf(data: float, grad: float, label: str, kind: type | None = None) -> Value:
    """A leaf rebuilt by copy or pickle, as its own class (a subclass's __init__ is not run, as pickle never
    runs it; its attributes of your own come after, as its state)."""
    value_type = engine_link.value_type
    if kind is None or kind is value_type:
        node = value_type(data, label=label)
    elif isinstance(kind, type) and issubclass(kind, value_type):
        node = kind.__new__(kind)
        value_type.__init__(node, data, label=label)
    else:
        raise TypeError(f"cannot rebuild a Value as {kind!r}: not a subclass of Value")
    node.grad = grad
    return node


def _rebuild(records: list[tuple]) -> Value:
    """The inner nodes of a copied or unpickled graph, rebuilt in topological order; returns the last one."""
    built: list[Value] = []

    def resolve(x: object) -> object:  # an int is a rebuilt inner node; a Value or a float is itself
        return built[x] if type(x) is int else x

    for op, data, grad, label, (a, da, b, db, many) in records:
        node = engine_link.make_node(OPS[op], data, resolve(a), da, resolve(b), db)
        node.grad, node.label = grad, label
        if many is not None:
            n = len(many) // 2  # x1..xn are nodes or numbers; d1..dn numbers
            node._many = tuple(map(resolve, many[:n])) + many[n:]
        built.append(node)
    return built[-1]
