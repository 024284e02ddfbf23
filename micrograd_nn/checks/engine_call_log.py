"""Evidence from the log of _backward calls that check_engine's sandbox keeps (engine_sandbox._watch).

Gradients alone can mislead: a node that passed on half its gradient can
look like a node whose local derivative is wrong.  The log says what
happened: which node's _backward ran, in which order, how often, and with
what gradient.  These read it; each returns the evidence as a sentence, or
"" when the log shows nothing wrong (or there is no log: microgpt's shape).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from micrograd_nn.checks.engine_cases import OPERATORS, Point, Recorder
from micrograd_nn.rules import OPS

CHILD_NAMES = ("_prev", "_children", "children", "_parents", "parents", "prev", "_inputs", "inputs")
CALLS = "_calls"  # a point's key for the log of _backward calls (see watch)
PRE = (0.5, 0.25)  # the inputs' gradients before a probe's one _backward call
UPSTREAM = 2.0  # out.grad in a probe
PROBES: dict[str, tuple[Callable[..., Any], tuple[float, ...]]] = {
    "+": (lambda a, b: a + b, (2.0, -3.0)), "*": (lambda a, b: a * b, (2.0, -3.0)),
    "-": (lambda a, b: a - b, (2.0, -3.0)), "/": (lambda a, b: a / b, (3.0, -2.0)),
    "**": (lambda a, b: a ** 3, (1.5, 3.0)), "neg": (operator.neg, (-2.0,)),
    **{f: (operator.methodcaller(f), (0.7,)) for f in ("tanh", "exp", "log", "relu", "sigmoid")},
}


def watch(r: Recorder) -> list[tuple[str, float]] | None:
    """Wrap each named node's _backward so that a call is logged (name, the node's grad then); None if it has none.

    The log is evidence of the order: a node that passes its gradient on before its users have run, or never, or
    twice; and of the seed: the root's grad when its own _backward runs.
    """
    calls: list[tuple[str, float]] = []
    seen: set[int] = set()
    for name, node in r.nodes.items():
        inner = getattr(node, "_backward", None)
        if id(node) in seen or not callable(inner):
            continue
        seen.add(id(node))
        try:
            node._backward = _logged(inner, node, name, calls)
        except Exception:  # noqa: BLE001
            return None  # __slots__ without _backward, a read-only attribute: no log
    return calls if seen else None


def _logged(inner: Callable[..., Any], node: Any, name: str, calls: list[tuple[str, float]]) -> Callable[..., Any]:
    def _backward(*args: Any, **kwargs: Any) -> Any:
        calls.append((name, _float(getattr(node, "grad", None))))
        return inner(*args, **kwargs)
    return _backward


def probe(cls: type, present: set[str]) -> dict[str, list[float | None]]:
    """Each op's _backward called once by hand: inputs' grads PRE, out.grad UPSTREAM; the inputs' grads after.

    An input that is not a direct child of out (a - b built as a + (-b)) gets None.  Run in the sandbox's child.
    """
    methods = {op: m for m, (op, _) in OPERATORS.items() if not m.startswith("__r")}
    found: dict[str, list[float | None]] = {}
    for op, (make, xs) in PROBES.items():
        if methods.get(op, op) not in present:
            continue
        try:
            inputs = [cls(x) for x in xs]
            for node, pre in zip(inputs, PRE):
                node.grad = pre
            out = make(*inputs[:1]) if len(xs) == 1 else make(inputs[0], inputs[-1])  # a ** 3: b is unused
            out.grad = UPSTREAM
            out._backward()
            kids = {id(k) for k in children(out) or []}
            found[op] = [float(n.grad) if id(n) in kids else None for n in inputs]
        except Exception:  # noqa: BLE001  (no _backward, an error: no probe; the cases report errors)
            continue
    try:  # the whole backward() once, on leaves whose grads are not 0: what reaches them (any shape of engine)
        a, b = cls(2.0), cls(-3.0)
        a.grad, b.grad = PRE
        (a * b).backward()
        found["backward"] = [float(a.grad), float(b.grad)]
    except Exception:  # noqa: BLE001
        pass
    return found


def upstream_evidence(op: str, position: int, probes: dict[str, list[float | None]]) -> str:
    """The probe's input got the right local derivative times the wrong upstream gradient: which one, or ""."""
    after, up = probes.get(op), UPSTREAM
    if after is None and op == "*":  # no _backward to call (microgpt's shape): what backward() brought a * b
        after, up = probes.get("backward"), 1.0
    if not after or position >= len(after) or after[position] is None:
        return ""
    _, xs = PROBES[op]
    _, derivatives = OPS[op].rule(*xs)
    local = derivatives[position]
    delta = float(after[position] or 0.0) - PRE[position]
    at = ", ".join(f"{'ab'[i]} = {x:g}" for i, x in enumerate(xs) if after[i] is not None or op == "**")
    adds = f"it adds {delta:g}, not {local * up:g}"
    if local == 0 or math.isclose(delta, local * up, rel_tol=1e-6):
        return ""
    if up != 1.0 and math.isclose(delta, 1 - (1 - local) * up, rel_tol=1e-6):  # 1 - t**2 * out.grad
        return (f"only in part by out.grad: 1 - X * out.grad where (1 - X) * out.grad was meant (at {at} with "
                f"out.grad = {up:g} {adds}): brackets missing")
    seen = [(i, pre) for i, pre in enumerate(PRE[:len(xs)])]  # each input's grad before the call, then after it
    seen += [(i, float(after[i] or 0.0)) for i in range(len(xs)) if i != position]
    for i, pre in seen:
        if after[i] is not None and math.isclose(delta, local * pre, rel_tol=1e-6):
            who = "its own" if i == position else f"{'ab'[i]}'s"
            return (f"by {who} gradient ({'self' if i == 0 else 'other'}.grad, or child.grad), not by out.grad "
                    f"(at {at} with {'ab'[i]}.grad = {pre:g} and out.grad = {up:g} {adds})")
    if up != 1.0 and math.isclose(delta, local, rel_tol=1e-6):
        return f"by nothing, not by out.grad (with out.grad = {up:g} {adds})"
    return ""


def _float(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return math.nan


def children(node: Any) -> list[Any] | None:
    """The nodes a learner's node was made from, read from micrograd's _prev, microgpt's _children, ..."""
    for attr in CHILD_NAMES:
        kids = getattr(node, attr, None)
        if kids is not None and not isinstance(kids, (str, bytes)):
            try:
                return list(kids)
            except TypeError:
                continue
    return None


def _names(got: dict[str, Any]) -> list[str] | None:
    calls = got.get(CALLS)
    return None if calls is None else [name for name, _ in calls]


def order_evidence(users: list[str], got: dict[str, Any], ref: Point) -> str:
    """How the backward pass mistreated one of users (never ran, ran twice, ran before a node that uses it), or ""."""
    names = _names(got)
    if names is None:
        return ""
    grads = {name: grad for name, grad in reversed(got[CALLS])}  # each node's grad at its first call
    for user in dict.fromkeys(users):
        count = names.count(user)
        if count == 0:
            return (f"{user}'s _backward never ran: backward() did not reach it (is it missing from the nodes "
                    "backward() walks, or taken for an equal node by a set?)")
        if count > 1:
            return f"{user}'s _backward ran {count} times, so {user} passed its gradient on {count} times"
        before = set(names[:names.index(user)])
        late = [w for w, _, _ in ref.uses.get(user, []) if w not in before]
        if late:
            return (f"{user}'s _backward ran (with {user}.grad = {grads[user]:.6g}) before {late[0]}'s, though "
                    f"{late[0]} uses {user}: {user} passed its gradient on before it had all of it")
    return ""


def late_seed(got: dict[str, Any], ref: Point) -> str:
    """The root's _backward ran while its grad was not yet 1 (backward() set the seed after the pass), or ""."""
    calls = got.get(CALLS)
    if calls is None:
        return ""
    then = next((grad for name, grad in calls if name == ref.root), None)
    if then is None or math.isclose(then, 1.0):
        return ""
    return (f"{ref.root}.grad was {then:.6g} when {ref.root}'s _backward ran, and 1 only afterwards: backward() "
            "set the seed after passing gradients on")
