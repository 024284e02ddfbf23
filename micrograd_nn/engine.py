"""Value: one number in a computation graph, and backward(), the chain rule run over the graph.

Read it top to bottom, as in micrograd's lecture:
1. A Value holds ``data`` and ``grad``.  If an operation made it, it also keeps the operation's record from
   ``rules.OPS``, its inputs in order, and the local derivative d(value)/d(input) of each input, all computed in
   the forward pass.
2. Every operator (``+ - * / **``) and function (``exp``, ``tanh``, ...) is a one-line method.  It hands its
   inputs to ``_unary``, ``_binary`` or ``_many``, which ask the op's rule in ``rules.py`` for the value and the
   local derivatives.  No calculus lives in this file.
3. ``backward()`` orders the graph so that every node comes after its inputs (``topological_order``), then
   walks that order from the end: each node gives each input ``local derivative x its own grad``.

A plain number beside an operator is part of the operation, not a node: ``x * 2`` has one input Value, x, and
keeps 2.0 in place; no gradient is computed for it.  Gradients follow PyTorch: backward() recomputes every inner
node's grad and *adds* to the leaves' (zero them between steps).
Beside it, what is not backprop: errors.py (input checks, messages), nonfinite.py (inf and nan gradients),
micrograd_compat.py, copying.py.  The same file runs as plain Python or compiled by Cython (engine.pxd holds the
C types); ``micrograd_nn.ENGINE`` says which.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

try:  # Cython's names, used only to compile this file: in plain Python the decorators below do nothing
    import cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # no Cython installed: a stand-in with the same names
    from micrograd_nn._cython import cython

from micrograd_nn import copying, errors, micrograd_compat, nonfinite
from micrograd_nn.rules import LEAKY_SLOPE, OPS, Op


@cython.binding(False)  # compiled: methods are C descriptors, so Value.tanh(2.0) is a TypeError, as float's are
@cython.trashcan(True)  # compiled: free a million-deep chain without a million nested C calls
@cython.freelist(131072)  # compiled: keep up to 131,072 freed nodes (16 MB) for reuse; reused nodes start no collection
@cython.cclass
class Value:
    """A scalar in a computation graph: its number, its gradient, and the operation that made it."""

    # Plain Python keeps these fields in slots (your own attributes in __dict__); engine.pxd makes them C fields.
    __slots__ = ("data", "grad", "label", "_record", "_a", "_b", "_da", "_db", "_many", "__dict__")
    __array_ufunc__ = None  # NumPy numbers defer to our reflected operators: np.float64(2) * x is a Value

    data: float  # the number
    grad: float  # d(root)/d(this node), filled by backward()
    label: str  # a name for pictures and messages ("" if none)
    _record: Op | None  # the op that made this node; None for a leaf
    _a: Value | float | None  # the first input: a Value, or a plain number kept in place
    _b: Value | float | None  # the second input; None for a one-input op
    _da: float  # d(self)/d(_a), computed in the forward pass (0 where _a is a number)
    _db: float  # d(self)/d(_b)
    _many: tuple | None  # an n-ary op's inputs, then their local derivatives: (x1, ..., xn, d1, ..., dn)

    def __init__(self, data: float, _children: Iterable[Value] | str = (), _op: str = "", label: str = "") -> None:
        """A leaf holding the finite real number ``data``; Value(2.0, "a") labels it (micrograd's
        Value(t, (x,), "tanh") also works: an op whose derivative is in the _backward closure you set)."""
        if isinstance(_children, str):  # a string second argument is the label
            label, _children = _children, ()
        self.data, self.grad, self.label = errors.finite_number(data, "Value"), 0.0, errors.checked_label(label)
        self._record, self._a, self._b, self._da, self._db, self._many = None, None, None, 0.0, 0.0, None
        if _children != () or _op != "":
            micrograd_compat.record_children(self, _children, _op)

    # -- operators: a plain number on either side stays inside the op (x * 2 has one input Value) --
    def __add__(self, other: Value | float) -> Value: return _binary("+", self, other)  # a + b
    def __radd__(self, other: float) -> Value: return _binary("+", other, self)
    def __sub__(self, other: Value | float) -> Value: return _binary("-", self, other)  # a - b
    def __rsub__(self, other: float) -> Value: return _binary("-", other, self)
    def __mul__(self, other: Value | float) -> Value: return _binary("*", self, other)  # a * b
    def __rmul__(self, other: float) -> Value: return _binary("*", other, self)
    def __truediv__(self, other: Value | float) -> Value: return _binary("/", self, other)  # a / b
    def __rtruediv__(self, other: float) -> Value: return _binary("/", other, self)
    def __pow__(self, other: Value | float) -> Value: return _binary("**", self, other)  # a ** b
    def __rpow__(self, other: float) -> Value: return _binary("**", other, self)
    def __neg__(self) -> Value: return _unary("neg", self)  # -a
    def __abs__(self) -> Value: return _unary("abs", self)  # |a|

    # -- functions: each one's formula and derivative are in its record in rules.OPS --------------
    def exp(self) -> Value: return _unary("exp", self)  # e^a
    def log(self) -> Value: return _unary("log", self)  # ln(a)
    def sqrt(self) -> Value: return _unary("sqrt", self)  # sqrt(a)
    def tanh(self) -> Value: return _unary("tanh", self)  # tanh(a)
    def sigmoid(self) -> Value: return _unary("sigmoid", self)  # s = 1/(1 + e^-a)
    def relu(self) -> Value: return _unary("relu", self)  # max(0, a)
    def softplus(self) -> Value: return _unary("softplus", self)  # ln(1 + e^a)
    def abs(self) -> Value: return _unary("abs", self)  # |a|
    def sin(self) -> Value: return _unary("sin", self)  # sin(a)
    def cos(self) -> Value: return _unary("cos", self)  # cos(a)

    def leaky_relu(self, slope: float = LEAKY_SLOPE) -> Value:
        """a if a > 0 else slope * a (the slope is a number inside the op; its derivatives: rules.OPS)."""
        return _binary("leaky_relu", self, errors.plain_number(slope, "leaky_relu: slope"))

    @staticmethod
    def sum(terms: Iterable[Value | float]) -> Value:
        """t1 + ... + tn as one node: use it for long sums."""
        return _many("sum", errors.non_empty(tuple(terms), "Value.sum", "term"))

    @staticmethod
    def dot(ws: Sequence[Value | float], xs: Sequence[Value | float], bias: Value | float | None = None) -> Value:
        """w . x = sum_i wi xi as one node; with a bias, w . x + b ("affine")."""
        errors.check_pairs(ws, xs)
        return _many("dot", (*ws, *xs)) if bias is None else _many("affine", (*ws, *xs, bias))

    # -- what the node holds, for views and tests -------------------------------
    @property
    def op(self) -> str:
        """The op's name in rules.OPS ("" for a leaf; a micrograd-style op's own _op string)."""
        return self._record.name if self._record is not None else ""

    @property
    def inputs(self) -> tuple[Value | float, ...]:
        """The op's inputs in order: Values, and plain numbers where a number stood (() for a leaf)."""
        if self._many is not None:
            return self._many[: len(self._many) // 2]
        return () if self._a is None else (self._a,) if self._b is None else (self._a, self._b)

    @property
    def operands(self) -> tuple[Value, ...]:
        """The inputs that are Values, in order: the nodes this one was computed from."""
        return tuple(x for x in self.inputs if isinstance(x, Value))

    @property
    def local_grads(self) -> tuple[float, ...] | None:
        """d(self)/d(operand) for each operand, in order; None for a micrograd-style op (its closure knows)."""
        if self._many is not None:
            if self._record is not None and self._record.closure:
                return None
            n = len(self._many) // 2
            return tuple(d for x, d in zip(self._many[:n], self._many[n:]) if isinstance(x, Value))
        return tuple(d for x, d in ((self._a, self._da), (self._b, self._db)) if isinstance(x, Value))

    @property
    def constants(self) -> tuple[float, ...]:
        """The plain numbers inside the op, in order (2.0 for x * 2)."""
        return tuple(x for x in self.inputs if not isinstance(x, Value))

    def item(self) -> float: return _checked(self, "item").data  # the number, as PyTorch's tensor.item() gives it

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if _checked(self, "__repr__").label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- gradients -------------------------------------------------------------
    def backward(self, grad: float = 1.0) -> None:
        """Fill each node's .grad with d(self)/d(node): the chain rule, from self back to the leaves."""
        seed = errors.finite_number(grad, "backward: grad")
        order = topological_order(self)  # every node after its inputs
        for node in order:
            if node._record is not None:  # inner nodes start from 0; leaves add to what they hold
                node.grad = 0.0
        self.grad += seed
        for node in reversed(order):
            node._chain_rule()

    def _chain_rule(self) -> None:
        """Give each input its share: input.grad += d(self)/d(input) * self.grad."""
        _checked(self, "_chain_rule")  # Value._chain_rule(x) called on something else: a TypeError
        if isinstance(self._a, Value):
            _add_share(self, self._a, self._da, 0)
        if isinstance(self._b, Value):
            _add_share(self, self._b, self._db, 1)
        if self._many is not None and self._record is not None and self._record.closure:
            micrograd_compat.run_closure(self)  # a micrograd-style op: its _backward closure knows the derivatives
        elif self._many is not None:  # an n-ary op (sum, dot, affine): x1, ..., xn, then d1, ..., dn
            n = len(self._many) // 2
            for i in range(n):
                x = self._many[i]
                if isinstance(x, Value):
                    _add_share(self, x, self._many[n + i], i)

    def zero_grad(self) -> None:
        """Set .grad = 0 on this node and every node it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0

    # -- fenced off, not backprop: micrograd's names, attributes of your own, copying and pickling ---
    _prev = property(micrograd_compat.previous)  # micrograd_compat.py explains these three
    _op = property(micrograd_compat.spelling)
    _backward = property(micrograd_compat.backward_step, micrograd_compat.set_backward_step)
    def __reduce__(self) -> tuple: return copying.reduce(_checked(self, "__reduce__"))  # the graph below, flat
    def __setstate__(self, state: dict) -> None: copying.set_state(_checked(self, "__setstate__"), state)
    def __deepcopy__(self, memo: dict) -> Value: return copying.deep_copy(_checked(self, "__deepcopy__"), memo)

    if not TYPE_CHECKING:  # attributes of your own (p.m = 0.0), a near name for x.tahn(); mypy: a type error
        def __getattr__(self, name: str) -> Any: raise micrograd_compat.no_attribute(name)  # neither ours nor yours
        def __setattr__(self, name: str, value: Any) -> None: micrograd_compat.set_attribute(self, name, value)
        def __delattr__(self, name: str) -> None: micrograd_compat.delete_attribute(self, name)


if not cython.compiled:  # plain Python keeps attributes of your own in the __dict__ slot: no set/del hooks needed
    del Value.__setattr__, Value.__delattr__  # type: ignore[attr-defined]
else:  # compiled: Value.mymul = f works, as for a class written in Python (engine.pxd)
    open_to_new_attributes(Value)  # type: ignore[name-defined]  # noqa: F821


def _unary(name: str, a: Value) -> Value:
    """The node op(a): the op's rule gives its value and local derivative."""
    a = _checked(a, name)  # Value.tanh(2.0): a method called on something else
    record = OPS[name]
    try:
        out, (da,) = record.rule(a.data)
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise errors.with_inputs(err, (a,)) from None
    return _node(record, out, a, da, None, 0.0)


def _binary(name: str, a: Value | float, b: Value | float) -> Value:
    """The node a <op> b, where one side may be a plain number (kept in place, no gradient)."""
    if not isinstance(a, Value) and not isinstance(b, Value):  # Value.__add__(2.0, 1.0): called on something else
        raise errors.not_a_value(name, a)
    x, y = _number(a, name), _number(b, name)
    if x is None or y is None:
        return NotImplemented  # not a number: Python raises its TypeError
    record = OPS[name]
    try:
        out, (da, db) = record.rule(x, y)
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise errors.with_inputs(err, (a, b)) from None
    if not isinstance(a, Value):
        return _node(record, out, x, 0.0, b, db)
    if not isinstance(b, Value):
        return _node(record, out, a, da, y, 0.0)
    return _node(record, out, a, da, b, db)


def _checked(node: object, method: str) -> Value:
    """node itself if it is a Value; else the TypeError Python gives float.__neg__("s") (compiled methods check too)."""
    if not isinstance(node, Value):
        raise errors.not_a_value(method, node)
    return node


def _number(x: Value | float, op: str) -> float | None:
    """An input's number: a Value's data, a plain number itself (checked), None if it is neither."""
    if isinstance(x, Value):
        return cython.cast(Value, x).data
    return errors.number_or_none(x, op)


def _many(name: str, inputs: tuple) -> Value:
    """The node op(x1, ..., xn) for an n-ary op; plain numbers stay in place without a gradient."""
    record = OPS[name]
    if not all(isinstance(x, Value) for x in inputs):  # plain numbers among them: checked, kept as floats
        inputs = tuple([x if isinstance(x, Value) else errors.number(x, name) for x in inputs])
    try:
        out, local_grads = record.rule(*[cython.cast(Value, x).data if isinstance(x, Value) else x for x in inputs])
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise errors.with_inputs(err, inputs) from None
    if len(local_grads) != len(inputs):  # a rule planted in OPS must give one derivative per input
        raise ValueError(f"{name}: its rule gave {len(local_grads)} local derivatives for {len(inputs)} inputs")
    node = _node(record, out, None, 0.0, None, 0.0)
    node._many = inputs + tuple(local_grads)  # one derivative per input; those of plain numbers are never used
    return node


def _node(record: Op, data: float, a: Value | float | None, da: float, b: Value | float | None, db: float) -> Value:
    """A new node holding an op's result; OverflowError if the result is not a finite float."""
    if not math.isfinite(data):
        raise errors.not_finite_result(record.name, data, (a, b))
    node = Value.__new__(Value)
    node.data, node.grad, node.label, node._many = data, 0.0, "", None
    node._record, node._a, node._da, node._b, node._db = record, a, da, b, db
    return node


def _add_share(node: Value, operand: Value, local: float, position: int) -> None:
    """operand.grad += local * node.grad, for node's input number `position`; inf or nan is nonfinite.py's to judge."""
    total = operand.grad + local * node.grad
    if not math.isfinite(total):
        total = nonfinite.gradient(node, operand, position, local)  # a mask, an overflow error, or an inf that flows on
    operand.grad = total


def topological_order(root: Value) -> list[Value]:
    """Every node root depends on, each after all of its inputs; root last.

    micrograd's depth-first order, with a stack instead of recursion so that any depth works.
    """
    _checked(root, "topological_order")
    order: list[Value] = []
    expanded = set()
    stack, operands_placed = [root], [False]  # two stacks side by side: no tuple per entry
    while stack:
        node = stack.pop()
        if operands_placed.pop():
            order.append(node)
        elif node not in expanded:
            expanded.add(node)
            stack.append(node)  # comes back to be placed after its operands
            operands_placed.append(True)
            inputs = node._many if node._many is not None else (node._a, node._b)  # _many: x1..xn, then numbers d1..dn
            for operand in reversed(inputs):  # pushed last to first (numbers skipped): the first input comes first
                if isinstance(operand, Value) and operand not in expanded:
                    stack.append(operand)
                    operands_placed.append(False)
    return order
