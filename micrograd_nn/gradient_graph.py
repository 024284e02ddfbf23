"""The backward pass as a graph: every gradient built as a Value, so it can be drawn, explained, differentiated again.

backward() computes each gradient as a float:  grad(input) += local derivative x grad(node).
``backward(create_graph=True)`` also runs that very recipe on Values: each local derivative is built as a Value
from the nodes of the forward graph (tanh's ``1 - out*out`` from the node ``out``), each product and sum is a new
node, and ``node.grad_value`` is the Value a gradient was computed as.  Differentiating that Value again gives
second derivatives (``hessian``, ``hvp`` in second_derivatives.py).

Each local derivative is written once, in rules.py, as a small function of the op's inputs and output
(``rules.d_tanh(a, out)``): the compiled engine runs it as inline C on doubles in the forward pass; here the same
function, from rules.py's own text, runs on Values, with ``math.cos(a)`` meaning ``a.cos()``.  An op whose local
derivatives are constants (+, −, relu, abs, leaky_relu's slope) has no such function: its stored numbers are
its derivatives, and their derivative is 0 (at a kink too, as in PyTorch).
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Container, Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from micrograd_nn import engine_link, errors, micrograd_compat, rules

if TYPE_CHECKING:
    from micrograd_nn.engine import Value

LEVEL = "_backward_level"  # the own attribute marking a node made by a backward pass (1: the first, 2: its own...)
KEPT = "_grad_value"  # the own attribute holding (grad as a Value, the float .grad it was kept for)
DERIVATIVE = "_derivative_of"  # on a gradient Value: (output, node) for d(output)/d(node), the first it was built as
SUM_OF_PASSES = "_grad_of"  # on the Value a leaf's .grad became by adding a pass's gradient to what it held
BOOKKEEPING = (LEVEL, KEPT, DERIVATIVE, SUM_OF_PASSES)  # not copied or pickled: a copy is a graph as any other
_kept_any = False  # has a backward(create_graph=True) kept gradients as Values in this process? (forget() looks)


class _MathOnValues:
    """rules.py's ``math`` when its derivative functions run on Values: math.cos(a) is a.cos() for a Value."""

    def __getattr__(self, name: str) -> Any:
        function = getattr(math, name)
        if not callable(function):
            return function
        return lambda x: getattr(x, name)() if isinstance(x, engine_link.value_type) else function(x)


_rules_as_written: ModuleType | None = None


def rules_as_written() -> ModuleType:
    """rules.py's text run as plain Python, ``math`` working on Values too: its d_* functions take Values, arrays."""
    global _rules_as_written
    if _rules_as_written is None:
        import micrograd_nn

        spec = importlib.util.spec_from_file_location("micrograd_nn.rules_as_written",
                                                      f"{micrograd_nn.__path__[0]}/rules.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.math = _MathOnValues()  # type: ignore[attr-defined]
        _rules_as_written = module
    return _rules_as_written


def local_derivatives(node: Value, needed: Container[Value] | None = None) -> list[tuple[Value, Value | float]]:
    """(operand, d(node)/d(operand)) for each operand in order (each in needed, if given): a Value built from the
    forward nodes by the op's d_* function in rules.py, or the stored number where that is constant (relu, +) or at
    an edge of power."""
    record = node._record
    if record is None:
        return []
    function = _derivative_function(node)
    inputs, stored = _inputs_and_stored(node)
    built: tuple[Any, ...] = stored
    if function is not None:
        try:
            built = function(tuple(inputs)) if record.arity == 0 else function(*inputs, node)
        except (ValueError, ZeroDivisionError, OverflowError):  # at an edge (0 ** b): the stored numbers hold
            built = stored
        built = built if isinstance(built, tuple) else (built,)
    return [(x, _checked(node, position, number, as_built))
            for position, (x, number, as_built) in enumerate(zip(inputs, stored, built))
            if isinstance(x, engine_link.value_type) and (needed is None or x in needed)]


def _derivative_function(node: Value) -> Any:
    """The op's d_* function in rules.py (None where its local derivatives are constants); an error if it has none
    because its derivatives exist only as numbers (a micrograd-style closure, a rule planted in rules.OPS)."""
    record = node._record
    assert record is not None
    if record.closure:
        raise ValueError(f"create_graph: op {node.op!r} was written micrograd's way, with a _backward "
                         "closure: its local derivatives are numbers, not Values; build it from Value's ops")
    own = rules_as_written().OPS.get(record.name)
    if rules.OPS.get(record.name) is not record or own is None:
        raise ValueError(f"create_graph: op {record.name!r} runs a rule planted in rules.OPS, whose local "
                         "derivatives exist only as numbers")
    return vars(rules_as_written()).get(f"d_{own.rule.__name__}")


def _checked(node: Value, position: int, number: float, built: Any) -> Value | float:
    """The derivative as built if it is the number the forward pass stored; the stored number at power's edges."""
    op, x = node.op, node.inputs[position]
    if not math.isfinite(number):
        raise ValueError(f"create_graph: the local derivative of {op!r} with respect to its input {position + 1} "
                         f"is {number} at {errors.describe(x)} = {_number(x)!r}; a gradient built as Values holds "
                         "finite numbers only (backward() without create_graph gives the float)")
    if op == "**" and _power_edge(position, _number(node.inputs[0]), _number(node.inputs[1])):
        return number
    if _number(built) != number:
        raise ValueError(f"create_graph: op {op!r}: its d_* function in rules.py gives {_number(built)!r} for input "
                         f"{position + 1} where the forward pass stored {number!r}")
    return built  # type: ignore[no-any-return]


def _inputs_and_stored(node: Value) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    """The node's inputs (Values and numbers) and the local derivative stored for each, in order."""
    if node._many is not None:
        n = len(node._many) // 2
        return node._many[:n], node._many[n:]
    inputs = node.inputs
    return inputs, (node._da, node._db)[: len(inputs)]


def _number(x: Any) -> float:
    """x's number: a Value's data, or x itself."""
    return x.data if isinstance(x, engine_link.value_type) else float(x)


def _power_edge(position: int, a: float, b: float) -> bool:
    """Where a ** b's stored local derivative is a constant: d/da where b == 0 (PyTorch masks it to 0 there, so
    its own derivative is 0), d/db where a <= 0 (0 at a base of 0, as PyTorch's mask; nan below)."""
    return b == 0.0 if position == 0 else a <= 0.0


def gradient_values(order: list[Value], seed: float = 1.0, wanted: Iterable[Value] = ()) -> dict[Value, Value]:
    """d(root)/d(node) as a Value for each wanted node of root's topological order (root last) and every node on
    the way to one, 0 for a wanted node root does not depend on: backward()'s chain rule run on Values (the caller
    marks the nodes it made).  A branch that leads to no wanted node is not differentiated."""
    value, wanted = engine_link.value_type, list(wanted)
    grads: dict[Value, Value] = {order[-1]: value(seed)}
    needed = _depending_on(order, wanted)  # only these nodes' gradients lead to a wanted one
    for node in reversed(order):
        upstream = grads.get(node)
        if upstream is None or node not in needed:
            continue
        try:
            _pass_shares(node, upstream, grads, needed)
        except OverflowError as err:
            raise OverflowError(f"create_graph: building the gradient through op {node.op!r}: {err}") from None
    for node in wanted:
        if node not in grads:
            grads[node] = value(0.0)
    return grads


def _depending_on(order: list[Value], wanted: Iterable[Value]) -> set[Value]:
    """The nodes of order (operands first) that are wanted or computed from a wanted node."""
    found = set(wanted)
    for node in order:
        if node not in found and any(operand in found for operand in node.operands):
            found.add(node)
    return found


def _pass_shares(node: Value, upstream: Value, grads: dict[Value, Value], needed: set[Value]) -> None:
    """grads[operand] += d(node)/d(operand) x upstream for each needed operand of node, as new Values."""
    for operand, local in local_derivatives(node, needed):
        if isinstance(local, engine_link.value_type):
            share = local * upstream
        elif local == 0.0:  # a constant 0 (relu's cut-off side) passes nothing
            continue
        else:
            share = upstream if local == 1.0 else upstream * local
        grads[operand] = share if operand not in grads else grads[operand] + share


def _mark_new_nodes(order: list[Value], grads: Iterable[Value]) -> None:
    """Mark every node the gradients are made of that is not in the forward graph: made by this backward pass."""
    level = 1 + max(backward_level(node) for node in order)
    seen = set(order)
    stack = list(grads)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if backward_level(node) == 0:
            micrograd_compat.attributes(node)[LEVEL] = level
        stack.extend(node.operands)


def _name_gradients(root: Value, order: list[Value], grads: dict[Value, Value]) -> None:
    """Note on each gradient Value which d(root)/d(node) it is, for the views' names ("dy/dx"); a Value that is the
    gradient of several nodes (x + w passes its upstream on as it is) keeps the first, root first."""
    for node in reversed(order):
        if node in grads:
            micrograd_compat.attributes(grads[node]).setdefault(DERIVATIVE, (root, node))


def derivative_of(node: Value) -> tuple[Value, Value] | None:
    """(output, x) if node was built as the gradient d(output)/d(x) by a backward(create_graph=True) or grad()."""
    return micrograd_compat.attributes(node, create=False).get(DERIVATIVE)  # type: ignore[no-any-return]


def sum_of_passes(node: Value) -> Value | None:
    """The leaf x if node is x.grad after a backward(create_graph=True) added its gradient to what x held."""
    return micrograd_compat.attributes(node, create=False).get(SUM_OF_PASSES)  # type: ignore[no-any-return]


def backward_level(node: Value) -> int:
    """0 for a node of a forward computation, k for one made by the k-th backward (a gradient of a gradient: 2)."""
    return int(micrograd_compat.attributes(node, create=False).get(LEVEL, 0))


def backward_with_graph(root: Value, grad: float = 1.0) -> None:
    """root.backward(grad, create_graph=True): the float grads as backward() gives them, and each as a Value."""
    seed = errors.finite_number(grad, "backward: grad")
    order = engine_link.topological_order(root)
    grads = gradient_values(order, seed, wanted=order)
    held = {node: (node.grad, grad_value(node)) for node in order if node._record is None}
    before = {node: pair for node, pair in held.items() if pair[0] != 0.0 or pair[1] is not None}  # 0.0 kept too
    root.backward(seed)
    value = engine_link.value_type
    _name_gradients(root, order, grads)
    for node, (old, old_value) in before.items():  # a leaf adds to the gradient it held, as a Value too
        grads[node] = (old_value if old_value is not None else value(old)) + grads[node]
        micrograd_compat.attributes(grads[node])[SUM_OF_PASSES] = node
    _mark_new_nodes(order, grads.values())
    global _kept_any
    _kept_any = True
    for node in order:
        micrograd_compat.attributes(node)[KEPT] = (grads[node], node.grad)


def forget(order: list[Value]) -> None:
    """Drop the gradients kept as Values on these nodes: a plain backward() or zero_grad() over them outdates them."""
    if _kept_any:  # nothing to look for until a backward(create_graph=True) has kept some
        for node in order:
            micrograd_compat.attributes(node, create=False).pop(KEPT, None)


def grad_value(node: Value) -> Value | None:
    """node.grad as the Value backward(create_graph=True) built it; None if the last backward kept none."""
    kept = micrograd_compat.attributes(node, create=False).get(KEPT)
    if kept is None or kept[1] != node.grad:  # .grad assigned since (backward() and zero_grad() forget() it)
        return None
    return kept[0]  # type: ignore[no-any-return]


def grad(output: Value, inputs: Iterable[Value] | Value, create_graph: bool = False) -> list[Value]:
    """[d(output)/d(x) for x in inputs] as Values, as torch.autograd.grad for scalars; no .grad changes.

    With create_graph=True each is the Value built from the graph (differentiate it again); else a new leaf
    holding the number.  An input output does not depend on gets 0.
    """
    value = engine_link.value_type
    if not isinstance(output, value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}: {errors.shown(output)}")
    if not isinstance(inputs, (value, Iterable)) or isinstance(inputs, str):
        raise TypeError(f"grad: inputs must be a Value or a list of Values, got {type(inputs).__name__}: "
                        f"{errors.shown(inputs)}")
    wanted: list[Value] = [inputs] if isinstance(inputs, value) else list(inputs)  # type: ignore[arg-type]
    for i, x in enumerate(wanted):
        if not isinstance(x, value):
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}: {errors.shown(x)}")
    order = engine_link.topological_order(output)
    grads = gradient_values(order, wanted=wanted)
    _mark_new_nodes(order, grads.values())
    _name_gradients(output, order, grads)
    found = [grads[x] for x in wanted]
    return found if create_graph else [value(g.data) for g in found]

