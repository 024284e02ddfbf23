"""copy.copy, copy.deepcopy and pickle of a Value: the node together with the graph below it, flat.

Leaves are taken as themselves (so a model's parameters keep their identity
within one pickle or deepcopy); inner nodes are rebuilt in topological order
from their op name, data, grad, inputs and stored local derivatives, so a
graph of any depth works.  An op written the micrograd way cannot be copied:
its closure would still point at the original nodes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from micrograd_nn.micrograd_compat import attributes
from micrograd_nn.rules import OPS

if TYPE_CHECKING:
    from micrograd_nn.engine import Value


def reduce(node: Value) -> tuple:
    """Value.__reduce__: how to rebuild ``node`` and everything it was computed from."""
    from micrograd_nn.engine import topological_order

    if node._record is None:
        return _leaf, (node.data, node.grad, node.label, dict(attributes(node, create=False)) or None)
    inner = [n for n in topological_order(node) if n._record is not None]
    position = {n: i for i, n in enumerate(inner)}

    def ref(x: object) -> object:  # an inner node by its position; a leaf or a number as itself
        return position[x] if x in position else x  # type: ignore[index]

    records = []
    for n in inner:
        if n._many is not None and n._many_grads is None:
            raise TypeError(
                f"cannot copy or pickle a graph holding the micrograd-style op {n._op!r}: its _backward "
                "closure would still point at the original nodes (save a model's parameters instead)"
            )
        many = None if n._many is None else tuple(map(ref, n._many))
        fields = (ref(n._a), n._da, ref(n._b), n._db, many, n._many_grads)
        records.append((n.op, n.data, n.grad, n.label, fields, dict(attributes(n, create=False)) or None))
    return _rebuild, (records,)


def _leaf(data: float, grad: float, label: str, own: dict[str, Any] | None) -> Value:
    """A leaf rebuilt by copy or pickle."""
    from micrograd_nn.engine import Value

    node = Value(data, label=label)
    node.grad = grad
    if own:
        attributes(node).update(own)
    return node


def _rebuild(records: list[tuple]) -> Value:
    """The inner nodes of a copied or unpickled graph, rebuilt in topological order; returns the last one."""
    from micrograd_nn.engine import _node

    built: list[Value] = []

    def resolve(x: object) -> object:  # an int is a rebuilt inner node; a Value or a float is itself
        return built[x] if type(x) is int else x

    for op, data, grad, label, (a, da, b, db, many, many_grads), own in records:
        node = _node(OPS[op], data, resolve(a), da, resolve(b), db)  # type: ignore[arg-type]
        node.grad, node.label = grad, label
        if many is not None:
            node._many, node._many_grads = tuple(map(resolve, many)), many_grads
        if own:
            attributes(node).update(own)
        built.append(node)
    return built[-1]
