"""Value: one scalar node of a computation graph, its operators, and backward().

A Value made by an operation keeps its inputs in order and, for each input
that is a Value, the local derivative d(value)/d(input), computed by the op's
rule in ``rules.py`` during the forward pass.  backward() is then one generic
loop: visit the nodes in reverse topological order and add
``local * upstream`` to each operand.  No calculus lives in this module.

A plain number beside an operator is part of the operation, not a node:
``x * 2`` has the one operand x and the inputs (x, 2.0); ``2 - x`` has the
inputs (2.0, x).  No gradient is computed or stored for a number.  A Value
you create yourself is always a node, constant or not.

Gradient semantics (the same as PyTorch's):
- backward() recomputes the gradient of every non-leaf node from scratch and
  *adds* to the gradient of every leaf (a node with no operands).  Calling it
  twice on the same graph therefore doubles the leaves' gradients and leaves
  the inner nodes' gradients as they were after the first call.
- ``root.zero_grad()`` sets the gradient of every node in root's graph to 0.
- 0 x inf is nan, as in IEEE arithmetic and PyTorch, except through relu:
  where relu's local derivative is 0 it passes 0 back even from an inf or
  nan upstream gradient (PyTorch's relu backward is a mask; rules.OPS marks
  such ops ``masks``).  So relu(-1)'s input gets 0 from sqrt'(0) = inf,
  while abs(0) and x * 0 pass nan, exactly as PyTorch does.
- Local derivatives that are infinite or undefined by convention (sqrt and
  a**b with 0 < b < 1 at 0 give +inf; d(a**b)/db is nan for a < 0) flow on
  as inf or nan, whatever the order of the operands.  Only a contribution
  that overflows from finite numbers (a finite local derivative times a
  finite upstream gradient, or the sum of two finite contributions) raises
  OverflowError naming the node; the gradients are then partial.
- A graph belongs to one thread at a time: backward() writes .grad on every
  node it reaches, so two threads running backward() on graphs that share a
  node give wrong gradients.

micrograd's lecture workflow works too: every node has ``_backward()``
(adds local x self.grad to each operand's grad; a leaf's does nothing), and
an op written the micrograd way, ``out = Value(t, (x,), "tanh")`` with
``out._backward = closure``, runs its closure in backward().
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from numbers import Real
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from micrograd_nn import rules
from micrograd_nn.rules import Domain, Op


def _shown(x: object) -> str:
    """x for an error message, shortened; a huge integer by its number of digits (repr would fail)."""
    try:
        text = repr(x)
    except ValueError:  # an integer past Python's limit on digits it will print
        return f"an integer of about {int(x.bit_length() * 0.30103) + 1} digits"  # type: ignore[attr-defined]
    return text if len(text) <= 40 else text[:37] + "..."


def _finite_float(x: object, where: str) -> float | None:
    """x as a finite float; None if x is not a real number; ValueError/OverflowError naming `where`."""
    if type(x) is not float:
        if isinstance(x, bool) or not isinstance(x, Real):
            return None
        try:
            x = float(x)
        except OverflowError:
            shown = _shown(x)
            what = shown if shown.startswith("an integer") else f"the number {shown}"
            raise OverflowError(f"{where}: {what} is too large for a float") from None
    if x - x != 0.0:  # inf - inf and nan - nan are nan; finite - finite is 0
        raise ValueError(f"{where}: needs a finite number, got {x!r}")
    return x


def _describe(node: object) -> str:
    """A short name for an input in error messages: its label, else its repr."""
    if isinstance(node, Value) and node.label:
        return repr(node.label)
    return _shown(node)


def _node(op: Op, data: float, a: object, da: object, b: object, db: object) -> Value:
    """A result node; OverflowError if its value is not a finite float."""
    if data - data != 0.0:  # inf - inf and nan - nan are nan; finite - finite is 0
        shown = ", ".join(_describe(x) for x in ((a if type(a) is tuple else (a, b))[:4]) if x is not None)
        raise OverflowError(f"{op.name}: result {data!r} is not a finite float (inputs: {shown})")
    node = _new_value(Value)
    node.data = data
    node.grad = 0.0
    node._rec = op
    node._a = a
    node._da = da
    node._b = b
    node._db = db
    return node


def _rule_error(err: Exception, inputs: Sequence[object]) -> Exception:
    """The rule's error, of the same type, with the inputs named."""
    shown = ", ".join(_describe(x) for x in inputs[:4])
    return type(err)(f"{err} (inputs: {shown})")


def _unary(op: Op, a: Value) -> Value:
    """op(a) for a Value a."""
    try:
        data, (da,) = _RULES[op.name](a.data)
    except _RULE_ERRORS as err:
        raise _rule_error(err, (a,)) from None
    return _node(op, data, a, da, None, None)


def _binary(op: Op, a: object, b: object) -> Value:
    """a op b where a or b (or both) is a Value and the other may be a plain number.

    NotImplemented if the other is not a real number, so Python raises its TypeError.
    """
    a_is_value = isinstance(a, Value)
    b_is_value = isinstance(b, Value)
    x = a.data if isinstance(a, Value) else _finite_float(a, op.name)
    y = b.data if isinstance(b, Value) else _finite_float(b, op.name)
    if x is None or y is None:
        return NotImplemented
    try:
        data, (da, db) = _RULES[op.name](x, y)
    except _RULE_ERRORS as err:
        raise _rule_error(err, (a, b)) from None
    if a_is_value:
        return _node(op, data, a, da, b if b_is_value else y, db if b_is_value else None)
    return _node(op, data, x, None, b, db)


def _nary(op: Op, items: Iterable[Value | float]) -> Value:
    """op over many inputs (sum, dot, affine); plain numbers stay numbers inside the node."""
    inputs = items if type(items) is tuple else tuple(items)
    all_values = _NODE_TYPES.issuperset(map(type, inputs))  # the common case, checked at C speed
    if not all_values:
        inputs = tuple(x if isinstance(x, Value) else _number(x, op.name) for x in inputs)
    try:
        if all_values:
            data, local_grads = _RULES[op.name](*map(_data_of, inputs))
        else:
            data, local_grads = _RULES[op.name](*[x.data if isinstance(x, Value) else x for x in inputs])
    except _RULE_ERRORS as err:
        raise _rule_error(err, inputs) from None
    if not all_values:  # no gradient for a number
        local_grads = tuple(d if isinstance(x, Value) else None for x, d in zip(inputs, local_grads))
    return _node(op, data, inputs, local_grads, None, None)


def _number(x: object, where: str) -> float:
    """x as a finite float; TypeError naming `where` if x is not a real number."""
    number = _finite_float(x, where)
    if number is None:
        raise TypeError(f"{where} needs Values or real numbers, got {type(x).__name__}: {_shown(x)}")
    return number


def _custom_op(name: str) -> Op:
    """The record for an op written the micrograd way (its own _backward closure), one per name."""
    if name not in _CUSTOM_OPS:
        _CUSTOM_OPS[name] = Op(name, _no_rule, name, name, (), (), Domain(()), arity=0, micrograd=name)
    return _CUSTOM_OPS[name]


def _no_rule(*inputs: float) -> tuple[float, tuple[float, ...]]:
    """A micrograd-style op stores no derivatives: its closure computes them during backward()."""
    raise TypeError("this op was written the micrograd way: its derivative lives in its _backward closure")


class Value:
    """A scalar in a computation graph: its data, its gradient, a label, and how it was computed.

    Fields a view reads: ``data``, ``grad``, ``label``, ``op`` (our op name,
    "" for a leaf), ``inputs`` (in order, plain numbers included),
    ``operands`` (the Value inputs) and ``local_grads`` (d(self)/d(operand)
    for each operand; None for a micrograd-style op, whose derivative is in
    its closure).  micrograd's ``_prev``, ``_op`` and ``_backward`` work too,
    and a node takes attributes of your own (``p.m = 0.0``).
    """

    # _rec: the Op record (None for a leaf).  Inputs live in _a and _b with
    # their local derivatives in _da and _db (None where the input is a plain
    # number, or b is absent); an n-ary or micrograd-style op keeps a tuple of
    # inputs in _a and a tuple of derivatives (or None) in _da.  Slots instead
    # of tuples keep a node at one object; __dict__ holds labels and the
    # user's own attributes (CPython 3.11 sets 32 bytes aside for it per node,
    # used or not: the price of attributes of your own on every node).
    __slots__ = ("data", "grad", "_rec", "_a", "_da", "_b", "_db", "__dict__")
    __array_ufunc__ = None  # let numpy scalars defer to our reflected operators
    label: str = ""  # a node's label, when it has one, is kept in its __dict__
    data: float
    grad: float
    _rec: Op | None
    _a: Any  # a Value, a float, a tuple of them, or None
    _da: Any  # a float, a tuple of floats and Nones, or None
    _b: Any
    _db: Any

    if TYPE_CHECKING:  # for type checkers only: the unary methods made from rules.OPS, and attributes of your own

        def __getattr__(self, name: str) -> Any: ...

    def __init__(self, data: float, _children: Iterable[Value] | str = (), _op: str = "", label: str = "") -> None:
        """A leaf holding the finite real number ``data``; micrograd's Value(data, _children, _op) also works.

        ``Value(2.0, "a")`` labels the leaf (a string second argument is the
        label); ``Value(t, (x,), "tanh")`` is an op written the micrograd way,
        whose ``_backward`` you set to a closure.
        """
        if isinstance(_children, str):
            label, _children = _children, ()
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a string, got {type(label).__name__}: {_shown(label)}")
        number = _finite_float(data, "Value")
        if number is None:
            raise TypeError(f"Value needs a real number, got {type(data).__name__}: {_shown(data)}")
        self.data = number
        self.grad = 0.0
        try:
            children = tuple(_children)
        except TypeError:
            raise TypeError(
                f"Value: _children must be a tuple or set of Values (or a string label), got "
                f"{type(_children).__name__}: {_shown(_children)}"
            ) from None
        for child in children:
            if not isinstance(child, Value):
                raise TypeError(f"Value: children must be Values, got {type(child).__name__}: {_shown(child)}")
        if not isinstance(_op, str):
            raise TypeError(f"Value: _op must be a string, got {type(_op).__name__}: {_shown(_op)}")
        self._rec = _custom_op(_op) if children or _op else None  # micrograd keeps an _op given with no children
        self._a = children if children else None
        self._da = None
        self._b = None
        self._db = None
        if label:
            self.label = label

    # -- what the node holds ------------------------------------------------------
    @property
    def op(self) -> str:
        """The operator's name in rules.OPS ("" for a leaf; a micrograd-style op's own _op string)."""
        rec = self._rec
        return rec.name if rec is not None else ""

    @property
    def inputs(self) -> tuple[Value | float, ...]:
        """The op's inputs in order: Values, and plain numbers where a number stood (() for a leaf)."""
        a = self._a
        if a is None:
            return ()
        if type(a) is tuple:
            return a  # type: ignore[no-any-return]
        return (a,) if self._b is None else (a, self._b)

    @property
    def operands(self) -> tuple[Value, ...]:
        """The inputs that are Values, in order: the nodes this one was computed from."""
        return tuple(x for x in self.inputs if isinstance(x, Value))

    @property
    def local_grads(self) -> tuple[float, ...] | None:
        """d(self)/d(operand) for each operand, in order; None for a micrograd-style op (its closure knows)."""
        a = self._a
        if a is None:
            return ()
        derivatives = self._da if type(a) is tuple else (self._da, self._db)
        if derivatives is None:
            return None
        return tuple(d for d in derivatives if d is not None)

    @property
    def constants(self) -> tuple[float, ...]:
        """The plain numbers inside the op, in order (2.0 for x * 2)."""
        return tuple(x for x in self.inputs if not isinstance(x, Value))

    # -- copying and pickling ---------------------------------------------------
    def __reduce__(self) -> tuple[Callable[..., Value], tuple]:
        """How copy, deepcopy and pickle take a node: with the graph below it, flat, so any depth works.

        Leaves are taken as themselves (so a model's parameters keep their
        identity in the same pickle or deepcopy); inner nodes are rebuilt in
        topological order from their op name, data, grad, inputs and stored
        derivatives.  An op written the micrograd way cannot be copied: its
        closure would still point at the original nodes.
        """
        if self._a is None:
            return _leaf, (self.data, self.grad, self.__dict__ or None)
        inner = [node for node in topological_order(self) if node._a is not None]
        position = {node: i for i, node in enumerate(inner)}

        def ref(x: object) -> object:  # an inner node by its position; a leaf or a number as itself
            return position[x] if isinstance(x, Value) and x._a is not None else x

        records = []
        for node in inner:
            if node._da is None and type(node._a) is tuple:
                raise TypeError(
                    f"cannot copy or pickle a graph holding the micrograd-style op {node._op!r}: its _backward "
                    "closure would still point at the original nodes (save a model's parameters instead)"
                )
            a = tuple(map(ref, node._a)) if type(node._a) is tuple else ref(node._a)
            records.append((node.op, node.data, node.grad, a, node._da, ref(node._b), node._db, node.__dict__ or None))
        return _rebuild, (records,)

    # -- micrograd's names ----------------------------------------------------
    @property
    def _prev(self) -> tuple[Value, ...]:
        """The operands in order (micrograd's name; micrograd keeps a set)."""
        return self.operands

    @property
    def _op(self) -> str:
        """The operator in micrograd's spelling ("+", "*", "**2", "ReLU", "tanh"); ours where it has none."""
        rec = self._rec
        if rec is None:
            return ""
        if rec.name == "**" and type(self._b) is float:
            exponent = self._b
            return f"**{int(exponent)}" if exponent.is_integer() else f"**{exponent}"
        return rec.spelling()

    def _backward(self) -> None:
        """micrograd's step for this node: operand.grad += local * self.grad (a leaf's does nothing)."""
        upstream = self.grad
        for operand, local in zip(self.operands, self.local_grads or ()):
            operand.grad += rules.contribution(self._rec, local, upstream)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- binary operators: a plain number on either side stays inside the op ------
    # + and * (and tanh and relu below) are the hot path of every network, so
    # their common cases are written out here; tests/test_engine.py checks each
    # against its record in rules.OPS, number for number.  Everything else goes
    # through _binary, which applies the table's rule.
    def __add__(self, other: Value | float) -> Value:
        """a + b."""
        kind = type(other)
        if kind is Value:
            return _node(_ADD, self.data + other.data, self, 1.0, other, 1.0)  # type: ignore[union-attr]
        if kind is float and other - other == 0.0:  # type: ignore[operator]
            return _node(_ADD, self.data + other, self, 1.0, other, None)  # type: ignore[operator,arg-type]
        return _binary(_ADD, self, other)

    def __radd__(self, other: float) -> Value:
        """number + a."""
        if type(other) is float and other - other == 0.0:
            return _node(_ADD, other + self.data, other, None, self, 1.0)
        return _binary(_ADD, other, self)

    def __sub__(self, other: Value | float) -> Value:
        """a - b."""
        return _binary(_SUB, self, other)

    def __rsub__(self, other: float) -> Value:
        """number - a."""
        return _binary(_SUB, other, self)

    def __mul__(self, other: Value | float) -> Value:
        """a * b."""
        kind = type(other)
        if kind is Value:
            x, y = self.data, other.data  # type: ignore[union-attr]
            return _node(_MUL, x * y, self, y, other, x)
        if kind is float and other - other == 0.0:  # type: ignore[operator]
            return _node(_MUL, self.data * other, self, other, other, None)  # type: ignore[operator,arg-type]
        return _binary(_MUL, self, other)

    def __rmul__(self, other: float) -> Value:
        """number * a."""
        if type(other) is float and other - other == 0.0:
            return _node(_MUL, other * self.data, other, None, self, other)
        return _binary(_MUL, other, self)

    def __truediv__(self, other: Value | float) -> Value:
        """a / b."""
        return _binary(_DIV, self, other)

    def __rtruediv__(self, other: float) -> Value:
        """number / a."""
        return _binary(_DIV, other, self)

    def __pow__(self, other: Value | float) -> Value:
        """a ** b."""
        return _binary(_POW, self, other)

    def __rpow__(self, other: float) -> Value:
        """number ** a."""
        return _binary(_POW, other, self)

    def __neg__(self) -> Value:
        """-a."""
        return _unary(_NEG, self)

    def __abs__(self) -> Value:
        """|a|."""
        return _unary(_OPS["abs"], self)

    def tanh(self) -> Value:
        """tanh(a); d/da = 1 - tanh(a)^2."""
        t = _tanh(self.data)
        return _node(_TANH, t, self, 1.0 - t * t, None, None)

    def relu(self) -> Value:
        """max(0, a); d/da = 1 if a > 0 else 0."""
        x = self.data
        if x > 0.0:
            return _node(_RELU, x, self, 1.0, None, None)
        return _node(_RELU, 0.0, self, 0.0, None, None)

    # Every other unary function of rules.OPS (exp, log, sqrt, sigmoid,
    # softplus, sin, cos, abs, ...) becomes a method below the class.

    def leaky_relu(self, slope: float = rules.LEAKY_SLOPE) -> Value:
        """a if a > 0 else slope*a; d/da = 1 if a > 0 else slope.  The slope is a number inside the op."""
        if isinstance(slope, Value):
            raise TypeError("leaky_relu: slope must be a plain number, not a Value")
        out = _binary(_OPS["leaky_relu"], self, slope)
        if out is NotImplemented:
            raise TypeError(f"leaky_relu: slope must be a real number, got {type(slope).__name__}: {slope!r}")
        return out

    # -- n-ary helpers -------------------------------------------------------------------
    @staticmethod
    def sum(terms: Iterable[Value | float]) -> Value:
        """t1 + ... + tn as one node; d/dti = 1.  Use it for long sums."""
        terms = list(terms)
        if not terms:
            raise ValueError("Value.sum needs at least one term")
        return _nary(_OPS["sum"], terms)

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
            return _nary(_OPS["dot"], (*ws, *xs))
        return _nary(_OPS["affine"], (*ws, *xs, bias))

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
            node = stack.pop()
            a = node._a
            for operand in a if type(a) is tuple else (a, node._b):
                if isinstance(operand, Value) and operand._a is not None:
                    if operand.grad is reached:
                        extra_uses[operand] = extra_uses.get(operand, 0) + 1
                    else:
                        operand.grad = reached
                        stack.append(operand)
        # Pass 2: from self down, add local derivative x upstream gradient to
        # each operand; an inner operand is ready when its last use is done.
        if self._a is not None:
            self.grad = float(grad)
            ready = [self]
        else:
            self.grad += float(grad)
            ready = []
        schedule = ready.append

        def ready_when_given(operand: Value) -> None:
            """Schedule an inner operand when the last node that uses it has given its share."""
            if extra_uses and operand in extra_uses:  # uses still to come
                left = extra_uses[operand] - 1
                if left:
                    extra_uses[operand] = left
                else:
                    del extra_uses[operand]
            else:
                schedule(operand)

        def give(node: Value, operand: Value, local: float, upstream: float) -> None:
            """operand.grad += local x upstream; then ready_when_given(operand), written out (the hot path)."""
            contribution = local * upstream
            before = operand.grad
            total = contribution if before is reached else before + contribution
            if total - total != 0.0:  # inf or nan: a masking op, an overflow, or a conventional inf
                total = _non_finite(node, operand, local, upstream, before, reached)
            operand.grad = total
            if operand._a is None:  # a leaf has nothing to pass on
                return
            if extra_uses and operand in extra_uses:
                left = extra_uses[operand] - 1
                if left:
                    extra_uses[operand] = left
                else:
                    del extra_uses[operand]
            else:
                schedule(operand)

        while ready:
            node = ready.pop()
            upstream = node.grad
            a = node._a
            if type(a) is tuple:  # an n-ary op, or an op written the micrograd way
                derivatives = node._da
                if derivatives is None:  # its closure adds to the operands itself
                    node._backward()
                    for operand in a:
                        if operand._a is not None:
                            ready_when_given(operand)
                    continue
                for operand, local in zip(a, derivatives):  # give(), written out: a fused neuron's hot loop
                    if local is None:  # a plain number
                        continue
                    contribution = local * upstream
                    before = operand.grad
                    total = contribution if before is reached else before + contribution
                    if total - total != 0.0:
                        total = _non_finite(node, operand, local, upstream, before, reached)
                    operand.grad = total
                    if operand._a is not None:
                        ready_when_given(operand)
                continue
            da = node._da
            if da is not None:  # None: the first input is a plain number
                give(node, a, da, upstream)
            db = node._db
            if db is not None:  # None: no second input, or a plain number
                give(node, node._b, db, upstream)

    def zero_grad(self) -> None:
        """Set .grad = 0 on this node and every node it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0


def _non_finite(node: Value, operand: Value, local: float, upstream: float, before: float, reached: float) -> float:
    """operand's new gradient when adding local x upstream gave inf or nan.

    A masking op (relu) with a zero local derivative passes 0; a finite local
    derivative times a finite upstream, or the sum of two finite numbers,
    that overflows raises OverflowError naming the node; a conventional inf
    or nan (sqrt'(0), d(a**b)/db for a < 0) flows on.
    """
    contribution = rules.contribution(node._rec, local, upstream)  # type: ignore[arg-type]
    total = contribution if before is reached else before + contribution
    from_finite = (
        local - local == 0.0 and upstream - upstream == 0.0
        if contribution - contribution != 0.0
        else before is not reached and before - before == 0.0  # finite + finite overflowed
    )
    if from_finite and total - total != 0.0:
        raise OverflowError(
            f"backward: the gradient of {_describe(operand)} overflowed to {total!r} "
            f"(local derivative {local!r} x upstream {upstream!r} through op {node.op!r} of {_describe(node)})"
        )
    return total


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


def _leaf(data: float, grad: float, attributes: dict | None) -> Value:
    """A leaf rebuilt by copy or pickle."""
    node = Value(data)
    node.grad = grad
    if attributes:
        node.__dict__.update(attributes)
    return node


def _rebuild(records: list[tuple]) -> Value:
    """The inner nodes of a copied or unpickled graph, rebuilt in topological order; returns the last one."""
    built: list[Value] = []

    def resolve(x: object) -> object:  # an int is a rebuilt inner node; a Value or a float is itself
        return built[x] if type(x) is int else x

    for op, data, grad, a, da, b, db, attributes in records:
        a = tuple(map(resolve, a)) if type(a) is tuple else resolve(a)
        node = _node(_OPS[op], data, a, da, resolve(b), db)
        node.grad = grad
        if attributes:
            node.__dict__.update(attributes)
        built.append(node)
    return built[-1]


def _unary_method(op: Op) -> Callable[[Value], Value]:
    """The Value method x.<name>() for a unary op of the table, documented by its formula."""

    def method(self: Value) -> Value:
        return _unary(op, self)

    method.__name__ = method.__qualname__ = op.method
    method.__doc__ = f"{op.formula}; d/da = {op.derivatives[0]}."
    return method


_new_value = object.__new__
_data_of = attrgetter("data")
_NODE_TYPES = frozenset({Value})
_RULES = rules.RULES
_RULE_ERRORS = (ValueError, ZeroDivisionError, OverflowError)
_OPS = rules.OPS
_ADD, _SUB, _MUL, _DIV, _POW, _NEG = (_OPS[name] for name in ("+", "-", "*", "/", "**", "neg"))
_TANH, _RELU = _OPS["tanh"], _OPS["relu"]
_tanh = math.tanh
_CUSTOM_OPS: dict[str, Op] = {}

for _op in _OPS.values():
    if _op.method and _op.arity == 1 and _op.method not in Value.__dict__:
        setattr(Value, _op.method, _unary_method(_op))
