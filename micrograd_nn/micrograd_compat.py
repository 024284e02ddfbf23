"""micrograd's names on Value, and attributes of your own, kept out of engine.py's way.

- ``Value(data, _children, _op)``: an op written the micrograd way, whose
  derivative lives in the ``_backward`` closure you set on it.
- ``_prev`` (the operands in order), ``_op`` (micrograd's spelling: ``+``,
  ``*``, ``**2``, ``ReLU``), ``_backward()`` (one node's chain-rule step,
  so backprop by hand gives what backward() gives).
- Attributes of your own (``p.m = 0.0``), in the node's ``__dict__`` (a
  slot in plain Python, a C field compiled), made on first use, so a node
  without any costs no dict.  A name that is neither the engine's nor
  yours is an AttributeError naming the nearest method (``x.tahn()``: Did
  you mean: 'tanh'?).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from micrograd_nn import engine_link
from micrograd_nn.errors import assigned, shown
from micrograd_nn.records import Domain, Op

if TYPE_CHECKING:
    from micrograd_nn.engine import Value

_CUSTOM_OPS: dict[str, Op] = {}


def record_children(node: Value, children: Iterable[Value] | object, op: str) -> None:
    """Make ``node`` an op written the micrograd way: Value(t, (x,), "tanh") and a _backward closure."""
    try:
        inputs: tuple[Value, ...] = tuple(children)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"Value: _children must be a tuple or set of Values (or a string label), got "
            f"{type(children).__name__}: {shown(children)}"
        ) from None
    for child in inputs:
        if not isinstance(child, engine_link.value_type):
            raise TypeError(f"Value: children must be Values, got {type(child).__name__}: {shown(child)}")
    if not isinstance(op, str):
        raise TypeError(f"Value: _op must be a string, got {type(op).__name__}: {shown(op)}")
    node._record = custom_op(op)  # micrograd keeps an _op given with no children
    node._many = inputs + (None,) * len(inputs)  # no local derivatives: the closure knows them


def custom_op(name: str) -> Op:
    """The record of an op written the micrograd way, one per name (it has no rule: its closure is the rule)."""
    if name not in _CUSTOM_OPS:
        _CUSTOM_OPS[name] = Op(name=name, rule=_no_rule, symbol=name, formula=name, derivatives=(),
                               domain=Domain(()), arity=0, micrograd=name, closure=True)
    return _CUSTOM_OPS[name]


def _no_rule(*inputs: float) -> tuple[float, tuple[float, ...]]:
    """A micrograd-style op stores no derivatives: its closure computes them during backward()."""
    raise TypeError("this op was written the micrograd way: its derivative lives in its _backward closure")


def previous(node: Value) -> tuple[Value, ...]:
    """micrograd's _prev: the operands in order (micrograd keeps a set)."""
    return node.operands


def spelling(node: Value) -> str:
    """micrograd's _op: "+", "*", "**2", "ReLU", "tanh"; our name where micrograd has none."""
    record = node._record
    if record is None:
        return ""
    exponent = node._b
    if record.name == "**" and isinstance(exponent, float):
        return f"**{int(exponent)}" if exponent.is_integer() else f"**{exponent}"
    return record.spelling()


def backward_step(node: Value) -> Callable[[], None]:
    """micrograd's _backward: the closure you set, else this node's chain-rule step."""
    closure = attributes(node, create=False).get("_backward")
    return closure if closure is not None else node._chain_rule


def run_closure(node: Value) -> None:
    """Run the _backward closure of an op written the micrograd way (none set: nothing to pass on)."""
    closure = attributes(node, create=False).get("_backward")
    if closure is not None:
        closure()


def closure_local_grads(node: Value) -> tuple[float, ...] | None:
    """d(node)/d(operand) of a micrograd-style op, one per operand: its _backward closure run once with upstream
    node.grad = 1 on zeroed operand gradients, every gradient restored after.  None without a closure, or if it
    fails.  An operand listed twice gets the whole share at its first place (the closure adds both there)."""
    closure = attributes(node, create=False).get("_backward")
    if closure is None:
        return None
    operands = node.operands
    saved = [(x, x.grad) for x in (node, *operands)]
    try:
        for x in operands:
            x.grad = 0.0
        node.grad = 1.0
        closure()
        firsts = {id(x): k for k, x in reversed(list(enumerate(operands)))}
        return tuple(x.grad if firsts[id(x)] == k else 0.0 for k, x in enumerate(operands))
    except Exception:  # a closure that cannot run on its own: its derivatives stay unknown
        return None
    finally:
        for x, grad in reversed(saved):
            x.grad = grad


def set_backward_step(node: Value, closure: Callable[[], None]) -> None:
    """Keep a micrograd-style _backward closure on the node."""
    attributes(node)["_backward"] = closure


def attributes(node: Value, create: bool = True) -> dict[str, Any]:
    """The dict of the node's attributes of your own ({} when it has none and create is False)."""
    if type(node).__dictoffset__:  # plain Python: the __dict__ slot
        return object.__getattribute__(node, "__dict__")  # type: ignore[no-any-return]
    if node._attributes is None:  # type: ignore[attr-defined]  # compiled: a C field, made on first use
        if not create:
            return {}
        node._attributes = {}  # type: ignore[attr-defined]
    return node._attributes  # type: ignore[attr-defined,no-any-return]


def has_own_attribute(node: Value, name: str) -> bool:
    """Whether node.name is an attribute of your own (or __dict__, the dict that holds them)."""
    return name == "__dict__" or name in attributes(node, create=False)


def own_attribute(node: Value, name: str) -> Any:
    """An attribute of your own (compiled engine; plain Python finds them itself), or their dict for __dict__."""
    return attributes(node) if name == "__dict__" else attributes(node)[name]


def no_attribute(name: str) -> AttributeError:
    """The error for x.name that is neither the engine's nor yours, worded as Python words it, with the nearest
    public name ("'Value' object has no attribute 'tahn'. Did you mean: 'tanh'?")."""
    message = f"'Value' object has no attribute {name!r}"
    near = nearest_name(name) if isinstance(name, str) else None
    return AttributeError(f"{message}. Did you mean: {near!r}?" if near else message)


@functools.lru_cache(maxsize=256)
def nearest_name(name: str) -> str | None:
    """The public Value name nearest to a mistyped one (difflib's ratio >= 0.6; "_x" names get none), else None."""
    import difflib

    if name.startswith("_"):
        return None
    public = [n for n in dir(engine_link.value_type) if not n.startswith("_")]
    near = difflib.get_close_matches(name, public, n=1)
    return near[0] if near else None


def set_attribute(node: Value, name: str, value: Any) -> None:
    """node.name = value: the engine's own fields and properties as usual (data and grad as errors.assigned says,
    as in plain Python), anything else in the node's dict."""
    if (name == "data" or name == "grad") and type(value) is not float:
        value = assigned(value, name)
    field = getattr(type(node), name, None)
    if hasattr(field, "__set__"):
        field.__set__(node, value)  # type: ignore[union-attr]
    else:
        attributes(node)[name] = value


def delete_attribute(node: Value, name: str) -> None:
    """del node.name for an attribute of your own; the engine's own (data, label, a method) stay: a node needs them."""
    if hasattr(type(node), name):
        raise AttributeError(f"cannot delete Value.{name}: it is the engine's own (only an attribute of your own can "
                             "be deleted)")
    try:
        del attributes(node, create=False)[name]
    except KeyError:
        raise AttributeError(f"'Value' object has no attribute {name!r}") from None
