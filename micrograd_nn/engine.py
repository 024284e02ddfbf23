"""Value: one scalar node of a computation graph, its operators, and backward().

A Value made by an operator keeps its operands in order and the local
derivative d(value)/d(operand) of each, computed by the rule in ``rules.py``
during the forward pass.  backward() is then one generic loop: visit the nodes
in reverse topological order and add ``local * upstream`` to each operand.
No calculus lives in this module.

Gradient semantics (the same as PyTorch's):
- backward() recomputes the gradient of every non-leaf node from scratch and
  *adds* to the gradient of every leaf (a node with no operands).  Calling it
  twice on the same graph therefore doubles the leaves' gradients and leaves
  the inner nodes' gradients as they were after the first call.
- ``root.zero_grad()`` sets the gradient of every node in root's graph to 0.
- A gradient that overflows (a finite local derivative times a finite
  upstream gradient, or their sum, is not a finite float) raises
  OverflowError naming the node; the gradients are then partial.  Local
  derivatives that are infinite or undefined by convention (sqrt and a**b
  with 0 < b < 1 at 0 give +inf; d(a**b)/db is nan for a < 0, as in
  PyTorch) flow on as inf or nan without an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real
from operator import attrgetter

from micrograd_nn import rules


def _finite_float(x: object, where: str) -> float | None:
    """x as a finite float; None if x is not a real number; ValueError/OverflowError naming `where`."""
    if type(x) is not float:
        if isinstance(x, bool) or not isinstance(x, Real):
            return None
        try:
            x = float(x)
        except OverflowError:
            shown = repr(x)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise OverflowError(f"{where}: the number {shown} is too large for a float") from None
    if x - x != 0.0:  # inf - inf and nan - nan are nan; finite - finite is 0
        raise ValueError(f"{where}: needs a finite number, got {x!r}")
    return x


def _constant(x: object, op: str) -> Value | None:
    """A constant leaf for the plain number x beside operator op; None if x is not a real number."""
    data = _finite_float(x, op)
    if data is None:
        return None
    leaf = _new_value(Value)
    leaf.data = data
    leaf.grad = 0.0
    leaf.label = ""
    return leaf


def _as_values(items: tuple) -> tuple[Value, ...]:
    """The items with plain numbers wrapped as constant leaves (TypeError for non-numbers)."""
    if _NODE_TYPES.issuperset(map(type, items)):  # the common case, checked at C speed
        return items
    return tuple([x if isinstance(x, Value) else Value(x) for x in items])


def _describe(node: Value) -> str:
    """A short name for a node in error messages: its label, else its repr."""
    return repr(node.label) if node.label else repr(node)


def _make(data: float, operands: tuple[Value, ...], op: str, local_grads: tuple[float, ...]) -> Value:
    """Build a result node; OverflowError if the result is not a finite float."""
    if data - data != 0.0:  # inf - inf and nan - nan are nan; finite - finite is 0
        shown = ", ".join(_describe(v) for v in operands[:4])
        raise OverflowError(f"{op}: result {data!r} is not a finite float (operands: {shown})")
    node = _new_value(OpValue)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.operands = operands
    node.local_grads = local_grads
    return node


def _apply(op: str, operands: tuple[Value, ...]) -> Value:
    """Run the rule for ``op`` on the operands' data and record the result node."""
    try:
        data, local_grads = _RULES[op](*map(_data_of, operands))
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        where = ", ".join(_describe(v) for v in operands[:4])
        raise type(err)(f"{err} (operands: {where})") from None
    return _make(data, operands, op, local_grads)


def _unary(op: str, a: Value) -> Value:
    """_apply for one operand, without the generic argument packing."""
    try:
        data, local_grads = _RULES[op](a.data)
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise type(err)(f"{err} (operand: {_describe(a)})") from None
    return _make(data, (a,), op, local_grads)


def _binary(op: str, a: object, b: object) -> Value:
    """_apply for two operands, wrapping plain numbers; NotImplemented for other types."""
    if not isinstance(a, Value):
        a = _constant(a, op)
        if a is None:
            return NotImplemented
    if not isinstance(b, Value):
        b = _constant(b, op)
        if b is None:
            return NotImplemented
    try:
        data, local_grads = _RULES[op](a.data, b.data)
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise type(err)(f"{err} (operands: {_describe(a)}, {_describe(b)})") from None
    return _make(data, (a, b), op, local_grads)


class Value:
    """A scalar in a computation graph: its data, its gradient and a label.

    A Value you create is a leaf.  Operations return an OpValue, a Value that
    also records how it was computed (op, operands, local_grads); a leaf reads
    those as the class defaults below, so it carries no storage for them.
    """

    __slots__ = ("data", "grad", "label")
    __array_ufunc__ = None  # let numpy scalars defer to our reflected operators
    op: str = ""
    operands: tuple[Value, ...] = ()
    local_grads: tuple[float, ...] = ()

    def __init__(self, data: float, label: str = "") -> None:
        """A leaf node holding the finite real number ``data``."""
        number = _finite_float(data, "Value")
        if number is None:
            raise TypeError(f"Value needs a real number, got {type(data).__name__}: {data!r}")
        self.data = number
        self.grad = 0.0
        self.label = label

    # -- micrograd's names ----------------------------------------------------
    @property
    def _prev(self) -> tuple[Value, ...]:
        """The operands in order (micrograd's name; micrograd keeps a set)."""
        return self.operands

    @property
    def _op(self) -> str:
        """The operator name (micrograd's name)."""
        return self.op

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    # -- binary operators: a plain number on either side becomes a constant leaf --
    def __add__(self, other: Value | float) -> Value:
        """a + b."""
        return _binary("+", self, other)

    def __radd__(self, other: float) -> Value:
        """number + a."""
        return _binary("+", other, self)

    def __sub__(self, other: Value | float) -> Value:
        """a - b."""
        return _binary("-", self, other)

    def __rsub__(self, other: float) -> Value:
        """number - a."""
        return _binary("-", other, self)

    def __mul__(self, other: Value | float) -> Value:
        """a * b."""
        return _binary("*", self, other)

    def __rmul__(self, other: float) -> Value:
        """number * a."""
        return _binary("*", other, self)

    def __truediv__(self, other: Value | float) -> Value:
        """a / b."""
        return _binary("/", self, other)

    def __rtruediv__(self, other: float) -> Value:
        """number / a."""
        return _binary("/", other, self)

    def __pow__(self, other: Value | float) -> Value:
        """a ** b."""
        return _binary("**", self, other)

    def __rpow__(self, other: float) -> Value:
        """number ** a."""
        return _binary("**", other, self)

    # -- unary functions -------------------------------------------------------------
    def __neg__(self) -> Value:
        """-a."""
        return _unary("neg", self)

    def __abs__(self) -> Value:
        """|a|."""
        return _unary("abs", self)

    def abs(self) -> Value:
        """|a|; d/da = sign(a), 0 at 0."""
        return _unary("abs", self)

    def exp(self) -> Value:
        """e^a; d/da = e^a."""
        return _unary("exp", self)

    def log(self) -> Value:
        """ln(a), a > 0; d/da = 1/a."""
        return _unary("log", self)

    def sqrt(self) -> Value:
        """sqrt(a), a >= 0; d/da = 1/(2 sqrt(a))."""
        return _unary("sqrt", self)

    def tanh(self) -> Value:
        """tanh(a); d/da = 1 - tanh(a)^2."""
        return _unary("tanh", self)

    def sigmoid(self) -> Value:
        """s = 1/(1 + e^-a); d/da = s(1 - s)."""
        return _unary("sigmoid", self)

    def relu(self) -> Value:
        """max(0, a); d/da = 1 if a > 0 else 0."""
        return _unary("relu", self)

    def leaky_relu(self, slope: float = rules.LEAKY_SLOPE) -> Value:
        """a if a > 0 else slope*a; d/da = 1 if a > 0 else slope.  The slope is a constant operand."""
        out = _binary("leaky_relu", self, slope)
        if out is NotImplemented:
            raise TypeError(f"leaky_relu: slope must be a real number, got {type(slope).__name__}: {slope!r}")
        return out

    def softplus(self) -> Value:
        """ln(1 + e^a); d/da = sigmoid(a)."""
        return _unary("softplus", self)

    def sin(self) -> Value:
        """sin(a); d/da = cos(a)."""
        return _unary("sin", self)

    def cos(self) -> Value:
        """cos(a); d/da = -sin(a)."""
        return _unary("cos", self)

    # -- n-ary helpers -------------------------------------------------------------------
    @staticmethod
    def sum(terms: Iterable[Value | float]) -> Value:
        """t1 + ... + tn as one node; d/dti = 1.  Use it for long sums."""
        operands = _as_values(tuple(terms))
        if not operands:
            raise ValueError("Value.sum needs at least one term")
        return _apply("sum", operands)

    @staticmethod
    def dot(ws: Sequence[Value | float], xs: Sequence[Value | float], bias: Value | float | None = None) -> Value:
        """w . x = sum_i wi xi as one node ("dot"); d/dwi = xi, d/dxi = wi.

        With a bias b the node is w . x + b ("affine"; d/db = 1): a whole
        neuron's weighted sum in one node.
        """
        if len(ws) != len(xs):
            raise ValueError(f"Value.dot needs equal lengths, got {len(ws)} and {len(xs)}")
        if not ws:
            raise ValueError("Value.dot needs at least one pair")
        if bias is None:
            return _apply("dot", _as_values((*ws, *xs)))
        return _apply("affine", _as_values((*ws, *xs, bias)))

    # -- gradients ------------------------------------------------------------------------
    def backward(self, grad: float = 1.0) -> None:
        """Fill .grad of every node with d(self)/d(node) by the chain rule.

        Inner nodes get fresh gradients; leaves accumulate (see module docs).
        The walk is Kahn's algorithm over the inner nodes: a node passes its
        gradient down once every node that uses it has passed theirs, which is
        a reverse topological order, found without recursion.
        """
        # Pass 1: find the inner nodes below self.  Each is marked by setting
        # its grad to `reached`, a float 0.0 object made for this call alone
        # (so `is` tells it from any other zero); `extra_uses` counts the
        # further uses of the inner nodes used more than once.
        reached = float("0")
        extra_uses: dict[Value, int] = {}
        stack = [self]
        while stack:
            for operand in stack.pop().operands:
                if operand.operands:
                    if operand.grad is reached:
                        extra_uses[operand] = extra_uses.get(operand, 0) + 1
                    else:
                        operand.grad = reached
                        stack.append(operand)
        # Pass 2: from self down, add local derivative x upstream gradient to
        # each operand; an inner operand is ready when its last use is done.
        if self.operands:
            self.grad = float(grad)
            ready = [self]
        else:
            self.grad += float(grad)
            ready = []
        while ready:
            node = ready.pop()
            upstream = node.grad
            upstream_is_finite = upstream - upstream == 0.0
            for operand, local in zip(node.operands, node.local_grads):
                contribution = local * upstream
                if operand.operands:
                    total = contribution if operand.grad is reached else operand.grad + contribution
                    operand.grad = total
                    if operand in extra_uses:  # uses still to come: not ready yet
                        left = extra_uses[operand] - 1
                        if left:
                            extra_uses[operand] = left
                        else:
                            del extra_uses[operand]
                    else:
                        ready.append(operand)
                else:
                    total = operand.grad + contribution
                    operand.grad = total
                if total - total != 0.0 and upstream_is_finite and local - local == 0.0:
                    _raise_gradient_overflow(node, operand, local, upstream)

    def zero_grad(self) -> None:
        """Set .grad = 0 on this node and every node it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0


def _raise_gradient_overflow(node: Value, operand: Value, local: float, upstream: float) -> None:
    """OverflowError for a finite local derivative times a finite upstream gradient that is not finite."""
    raise OverflowError(
        f"backward: the gradient of {_describe(operand)} overflowed to {operand.grad!r} "
        f"(local derivative {local!r} x upstream {upstream!r} through op {node.op!r} of {_describe(node)})"
    )


class OpValue(Value):
    """A Value computed by an operation: op name, operands in order, and the
    local derivative d(self)/d(operand) of each, for backward() and the views."""

    __slots__ = ("op", "operands", "local_grads")


def topological_order(root: Value) -> list[Value]:
    """Every node root depends on, each after all of its operands; root last.

    Iterative (Kahn's algorithm from the root down, then reversed), so a graph
    of any depth works.  Leaves are included; a node used twice appears once.
    """
    uses: dict[Value, int] = {root: 0}
    stack = [root]
    while stack:
        for operand in stack.pop().operands:
            if operand in uses:
                uses[operand] += 1
            else:
                uses[operand] = 1
                stack.append(operand)
    order: list[Value] = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for operand in node.operands:
            uses[operand] -= 1
            if not uses[operand]:
                ready.append(operand)
    order.reverse()
    return order


_new_value = object.__new__
_data_of = attrgetter("data")
_NODE_TYPES = frozenset({Value, OpValue})
_RULES = rules.RULES
