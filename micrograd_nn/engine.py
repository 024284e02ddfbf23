"""Value: one number in a computation graph, and backward(), the chain rule run over the graph.

Read it top to bottom, as in micrograd's lecture:
1. A Value holds ``data`` and ``grad``; if an operation made it, also the op's record from ``rules.OPS``, its
   inputs in order, and the local derivative d(value)/d(input) of each input, all computed in the forward pass.
2. Every operator (``+ - * / **``) and function (``exp``, ``tanh``, ...) is a one-line method: ``_unary``,
   ``_binary`` or ``_many`` ask the op's rule in ``rules.py`` for the value and the local derivatives.  No calculus.
3. ``backward()`` orders the graph so that every node comes after its inputs (``topological_order``), then
   walks that order from the end: each node gives each input ``local derivative x its own grad``.
A plain number beside an operator is part of the op, not a node (``x * 2`` has one input Value).  Gradients follow
PyTorch: backward() recomputes every inner node's grad and *adds* to the leaves' (zero them between steps).  Beside
it: errors.py, nonfinite.py (inf, nan), micrograd_compat.py, copying.py, gradient_graph.py (create_graph=True).
Plain Python, or compiled by Cython (engine.pxd: the C types); ``micrograd_nn.ENGINE`` says which.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

try:  # Cython's names, used only to compile this file: in plain Python the decorators below do nothing
    import cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # no Cython installed: a stand-in with the same names
    from micrograd_nn._cython import cython

from micrograd_nn import copying, errors, gradient_graph, micrograd_compat, nonfinite, rules
from micrograd_nn.rules import LEAKY_SLOPE, OPS, Op


@cython.binding(False)  # compiled: methods are C descriptors, so Value.tanh(2.0) is a TypeError, as float's are
@cython.trashcan(True)  # compiled: free a million-deep chain without a million nested C calls
@cython.freelist(131072)  # compiled: keep up to 131,072 freed nodes (16 MB) for reuse; reused nodes start no collection
@cython.cclass
class Value:
    """A scalar in a computation graph: its number, its gradient, and the operation that made it."""

    # Plain Python keeps these fields in slots (your own attributes in __dict__); engine.pxd makes them C fields.
    __slots__ = ("data", "grad", "label", "_record", "_a", "_b", "_da", "_db", "_many", "_walk", "__dict__")
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
    _walk: int  # the number of the last walk of topological_order that entered this node (minus it: placed)

    def __init__(self, data: float, _children: Iterable[Value] | str = (), _op: str = "", label: str = "") -> None:
        """A leaf holding the finite number ``data``; Value(2.0, "a") labels it (micrograd's Value(t, (x,), op) too)."""
        if isinstance(_children, str):  # a string second argument is the label
            label, _children = _children, ()
        self.data, self.grad, self.label = errors.finite_number(data, "Value"), 0.0, errors.checked_label(label)
        self._record, self._a, self._b, self._da, self._db, self._many, self._walk = None, None, None, 0.0, 0.0, None, 0
        if _children != () or _op != "":
            micrograd_compat.record_children(self, _children, _op)

    # -- operators: a plain number on either side stays inside the op (x * 2 has one input Value) --
    def __add__(self, other: Value | float) -> Value: return _binary(rules.ADD, self, other)  # a + b
    def __radd__(self, other: float) -> Value: return _binary(rules.ADD, other, self)
    def __sub__(self, other: Value | float) -> Value: return _binary(rules.SUB, self, other)  # a - b
    def __rsub__(self, other: float) -> Value: return _binary(rules.SUB, other, self)
    def __mul__(self, other: Value | float) -> Value: return _binary(rules.MUL, self, other)  # a * b
    def __rmul__(self, other: float) -> Value: return _binary(rules.MUL, other, self)
    def __truediv__(self, other: Value | float) -> Value: return _binary(rules.DIV, self, other)  # a / b
    def __rtruediv__(self, other: float) -> Value: return _binary(rules.DIV, other, self)
    def __pow__(self, other: Value | float) -> Value: return _binary(rules.POW, self, other)  # a ** b
    def __rpow__(self, other: float) -> Value: return _binary(rules.POW, other, self)
    def __neg__(self) -> Value: return _unary(rules.NEG, self)  # -a
    def __abs__(self) -> Value: return _unary(rules.ABS, self)  # |a|

    # -- functions: each one's formula and derivative are in its record in rules.OPS --------------
    def exp(self) -> Value: return _unary(rules.EXP, self)  # e^a
    def log(self) -> Value: return _unary(rules.LOG, self)  # ln(a)
    def sqrt(self) -> Value: return _unary(rules.SQRT, self)  # sqrt(a)
    def tanh(self) -> Value: return _unary(rules.TANH, self)  # tanh(a)
    def sigmoid(self) -> Value: return _unary(rules.SIGMOID, self)  # s = 1/(1 + e^-a)
    def relu(self) -> Value: return _unary(rules.RELU, self)  # max(0, a)
    def softplus(self) -> Value: return _unary(rules.SOFTPLUS, self)  # ln(1 + e^a)
    def abs(self) -> Value: return _unary(rules.ABS, self)  # |a|
    def sin(self) -> Value: return _unary(rules.SIN, self)  # sin(a)
    def cos(self) -> Value: return _unary(rules.COS, self)  # cos(a)

    def leaky_relu(self, slope: float = LEAKY_SLOPE) -> Value:
        """a if a > 0 else slope * a (the slope is a number inside the op; its derivatives: rules.OPS)."""
        return _binary(rules.LEAKY_RELU, self, errors.plain_number(slope, "leaky_relu: slope"))

    @staticmethod
    def sum(terms: Iterable[Value | float]) -> Value:
        """t1 + ... + tn as one node: use it for long sums."""
        return _many(rules.SUM, errors.non_empty(tuple(terms), "Value.sum", "term"))

    @staticmethod
    def dot(ws: Sequence[Value | float], xs: Sequence[Value | float], bias: Value | float | None = None) -> Value:
        """w . x = sum_i wi xi as one node; with a bias, w . x + b ("affine")."""
        errors.check_pairs(ws, xs)
        return _many(rules.DOT, (*ws, *xs)) if bias is None else _many(rules.AFFINE, (*ws, *xs, bias))

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
    def backward(self, grad: float = 1.0, create_graph: bool = False) -> None:
        """Fill each node's .grad with d(self)/d(node): the chain rule, from self back to the leaves."""
        if create_graph:  # also build each gradient as a Value from the graph: node.grad_value (gradient_graph.py)
            return gradient_graph.backward_with_graph(self, grad)
        seed = errors.finite_number(grad, "backward: grad")
        order = topological_order(self)  # every node after its inputs
        gradient_graph.forget(order)  # gradients an earlier backward(create_graph=True) kept as Values: outdated
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
        order = topological_order(self)
        gradient_graph.forget(order)  # and drop the gradients kept as Values (grad_value is None after)
        for node in order:
            node.grad = 0.0

    # -- fenced off, not backprop: micrograd's names, attributes of your own, copying and pickling ---
    _prev = property(micrograd_compat.previous)  # micrograd_compat.py explains these three
    _op = property(micrograd_compat.spelling)
    _backward = property(micrograd_compat.backward_step, micrograd_compat.set_backward_step)
    grad_value = property(gradient_graph.grad_value)  # .grad as a Value, after backward(create_graph=True)
    def __reduce__(self) -> tuple: return copying.reduce(_checked(self, "__reduce__"))  # the graph below, flat
    def __setstate__(self, state: dict) -> None: copying.set_state(_checked(self, "__setstate__"), state)
    def __deepcopy__(self, memo: dict) -> Value: return copying.deep_copy(_checked(self, "__deepcopy__"), memo)

    if not TYPE_CHECKING:  # attributes of your own (p.m = 0.0), a near name for x.tahn(); mypy: a type error
        def __getattr__(self, name: str) -> Any:  # compiled: attributes of your own; else x.tahn()'s near name
            if not micrograd_compat.has_own_attribute(self, name):  # neither ours nor yours
                raise micrograd_compat.no_attribute(name)  # raised here, so the traceback ends at the user's line
            return micrograd_compat.own_attribute(self, name)
        def __setattr__(self, name: str, value: Any) -> None: micrograd_compat.set_attribute(self, name, value)
        def __delattr__(self, name: str) -> None: micrograd_compat.delete_attribute(self, name)


if not cython.compiled:  # plain Python keeps attributes of your own in the __dict__ slot: no set/del hooks (each
    del Value.__setattr__, Value.__delattr__  # type: ignore[attr-defined]  # would slow every attribute write)
    errors.check_assignments(Value)  # v.data = x, v.grad = x: stored as a float (compiled: in __setattr__)
else:  # compiled: Value.mymul = f works, as for a class written in Python (engine.pxd)
    open_to_new_attributes(Value)  # type: ignore[name-defined]  # noqa: F821
_UNARY, _BINARY, _MANY = (tuple(OPS[name] for name in names) for names in (rules.UNARY, rules.BINARY, rules.N_ARY))
_walks = 0  # the number of the latest walk of topological_order


def _unary(op: int, a: Value) -> Value:
    """The node op(a): the op's rule gives its value and local derivative (compiled: rules.py's rule, as C)."""
    if not isinstance(a, Value):  # Value.tanh(2.0): a method called on something else (the name only then)
        raise errors.not_a_value(rules.UNARY[op], a)
    try:
        out, grads = rules.unary(op, a.data) if cython.compiled else OPS[rules.UNARY[op]].rule(a.data)  # C, or Python
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise errors.with_inputs(err, (a,)) from None
    return _node(_UNARY[op], out, a, grads[0], None, 0.0)


def _binary(op: int, a: Value | float, b: Value | float) -> Value:
    """The node a <op> b, where one side may be a plain number (kept in place, no gradient)."""
    if not isinstance(a, Value) and not isinstance(b, Value):  # Value.__add__(2.0, 1.0): called on something else
        raise errors.not_a_value(rules.BINARY[op], a)
    x = cython.cast(Value, a).data if isinstance(a, Value) else errors.number_or_none(a, rules.BINARY[op])  # or None
    y = cython.cast(Value, b).data if isinstance(b, Value) else errors.number_or_none(b, rules.BINARY[op])
    if x is None or y is None:
        return NotImplemented  # not a number: Python raises its TypeError
    try:
        out, grads = rules.binary(op, x, y) if cython.compiled else OPS[rules.BINARY[op]].rule(x, y)  # C, or Python
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise errors.with_inputs(err, (a, b)) from None
    if not isinstance(a, Value):
        return _node(_BINARY[op], out, x, 0.0, b, grads[1])
    if not isinstance(b, Value):
        return _node(_BINARY[op], out, a, grads[0], y, 0.0)
    return _node(_BINARY[op], out, a, grads[0], b, grads[1])


def _checked(node: object, method: str) -> Value:
    """node itself if it is a Value; else the TypeError Python gives float.__neg__("s") (compiled methods check too)."""
    if not isinstance(node, Value):
        raise errors.not_a_value(method, node)
    return node


def _many(op: int, inputs: tuple) -> Value:
    """The node op(x1, ..., xn) for an n-ary op; plain numbers stay in place without a gradient."""
    if not all(isinstance(x, Value) for x in inputs):  # plain numbers among them: checked, kept as floats
        inputs = tuple([x if isinstance(x, Value) else errors.number(x, rules.N_ARY[op]) for x in inputs])
    try:  # compiled: a C call to rules.py's rule (or to one planted in OPS)
        out, grads = rules.n_ary(op, [cython.cast(Value, x).data if isinstance(x, Value) else x for x in inputs])
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise errors.with_inputs(err, inputs) from None
    if len(grads) != len(inputs):  # a rule planted in OPS must give one derivative per input
        raise ValueError(f"{rules.N_ARY[op]}: its rule gave {len(grads)} local derivatives for {len(inputs)} inputs")
    node = _node(_MANY[op], out, None, 0.0, None, 0.0)
    node._many = inputs + tuple(grads)  # one derivative per input; those of plain numbers are never used
    return node


def _node(record: Op, data: float, a: Value | float | None, da: float, b: Value | float | None, db: float) -> Value:
    """A new node holding an op's result; OverflowError if the result is not a finite float."""
    if not math.isfinite(data):
        raise errors.not_finite_result(record.name, data, (a, b))
    node = Value.__new__(Value)
    node.data, node.grad, node.label, node._many, node._walk = data, 0.0, "", None, 0
    node._record, node._a, node._da, node._b, node._db = record, a, da, b, db
    return node


def _add_share(node: Value, operand: Value, local: float, position: int) -> None:
    """operand.grad += local * node.grad, for node's input number `position`; inf or nan is nonfinite.py's to judge."""
    total = operand.grad + local * node.grad
    if not math.isfinite(total):
        total = nonfinite.gradient(node, operand, position, local)  # a mask, an overflow error, or an inf that flows on
    operand.grad = total


def topological_order(root: Value) -> list[Value]:
    """Every node root depends on, each after all of its inputs; root last: micrograd's depth-first order, with a
    stack instead of recursion (any depth works); a walk marks the nodes it enters with its number, and those it
    has placed with minus its number (no set)."""
    global _walks
    _walks += 1
    walk, order, stack = _walks, [], [_checked(root, "topological_order")]
    while stack:
        node = stack.pop()
        if node._walk == walk:  # entered before, and its inputs (above it on the stack) placed since: place it
            node._walk = -walk
            order.append(node)
        elif node._walk != -walk:  # not entered yet: it comes back once its inputs are placed
            node._walk = walk
            stack.append(node)
            if node._many is not None:  # its inputs x1..xn (their derivatives follow): pushed last to first
                for i in reversed(range(len(node._many) // 2)):
                    if isinstance(node._many[i], Value):  # a plain number is not a node
                        stack.append(node._many[i])
            if isinstance(node._b, Value):  # b, then a on top: the first input comes out first
                stack.append(node._b)
            if isinstance(node._a, Value):
                stack.append(node._a)
    return order if walk == _walks else list(dict.fromkeys(order))  # a walk ran inside this one: each node once
