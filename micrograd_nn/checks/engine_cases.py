"""The cases check_engine runs on a learner's Value class, and our engine's answer to each.

A case is a small program over a ``Recorder``: it makes leaves (``r.leaf``),
applies the learner's operators, and names every node it makes (``r(name,
node)``), so that the learner's graph and ours can be compared node by node.
The same program runs with the learner's class (in the sandbox, see
engine_sandbox.py) and with micrograd_nn's Value (here, in ``reference``),
whose gradients are also checked against central differences.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from micrograd_nn import nn

OPERATORS = {  # the common operators: method -> (op name in rules.OPS, how it is written)
    "__add__": ("+", "a + b"), "__sub__": ("-", "a - b"), "__mul__": ("*", "a * b"),
    "__truediv__": ("/", "a / b"), "__pow__": ("**", "a ** n"), "__neg__": ("neg", "-a"),
    "__radd__": ("+", "2 + a"), "__rsub__": ("-", "2 - a"), "__rmul__": ("*", "3 * a"),
    "__rtruediv__": ("/", "2 / a"),
}
FUNCTIONS = ("tanh", "exp", "log", "relu", "sigmoid")
COMMON = (*OPERATORS, *FUNCTIONS)
"""What a learner's Value usually has; check_engine lists the ones a class lacks as `missing`."""
# a network case uses the first of the learner's functions that is an activation (tanh, relu, sigmoid; none: linear)
ACTIVATIONS = tuple(name for name in FUNCTIONS if name in nn.ACTIVATIONS)
TIME_LIMIT = 2.0  # seconds for one case in the sandbox (the deep chain gets twice as long)
DEPTH = 10_000  # the deep chain's length
TWIN = "(a + c) * b * a"  # the graph the "fresh graph" case builds again on the same leaves


class Recorder:
    """Makes a case's leaves with class V and keeps every node it is given, by name, in order."""

    def __init__(self, V: Callable[[float], Any], act: str | None = None, nudge: tuple[str, float] | None = None):
        self.V, self.act, self.nudge = V, act, nudge
        self.nodes: dict[str, Any] = {}

    def leaf(self, name: str, x: float) -> Any:
        """A leaf holding x (x + the nudge when central differences move this leaf)."""
        if self.nudge is not None and self.nudge[0] == name:
            x += self.nudge[1]
        self.nodes[name] = node = self.V(x)
        return node

    def __call__(self, name: str, node: Any) -> Any:
        """Keep node under name; hand it on (plus the nudge when central differences move it)."""
        self.nodes[name] = node
        if self.nudge is not None and self.nudge[0] == name:
            return node + self.nudge[1]
        return node

    def activate(self, name: str, node: Any) -> Any:
        """The network cases' activation (the class's tanh, relu or sigmoid), or node itself if it has none."""
        return self(name, getattr(node, self.act)()) if self.act else node


Build = Callable[[Recorder, tuple[float, ...]], str]  # makes the graph, returns the name of the node to backward from


@dataclass(frozen=True)
class Case:
    """One check: a program, the points it runs at, what it needs, and where it sits in the diagnosis order."""

    name: str
    build: Build
    points: tuple[tuple[float, ...], ...]
    kind: str  # "op", "number_right", "number_left", "reuse", "structure", "fresh", "deep", "network"
    op: str | None = None  # the op name in rules.OPS that the case is about
    needs: tuple[str, ...] = ()  # methods the class must have, else the case is skipped
    time_limit: float = TIME_LIMIT
    central: tuple[str, ...] | None = None  # the nodes checked by central differences (None: all)


_APPLY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


def _scaled(r: Recorder, node: Any, p: tuple[float, ...], arity: int) -> str:
    """The op's result as the root, or, at a point with one number more, times a leaf c (so its gradient is not 1)."""
    if len(p) == arity:
        r("out", node)
    else:
        y = r("y", node)
        r("out", y * r.leaf("c", p[arity]))
    return "out"


def _binary(op: str) -> Build:
    def build(r: Recorder, p: tuple[float, ...]) -> str:
        return _scaled(r, _APPLY[op](r.leaf("a", p[0]), r.leaf("b", p[1])), p, 2)
    return build


def _pow(r: Recorder, p: tuple[float, ...]) -> str:
    return _scaled(r, r.leaf("a", p[0]) ** int(p[1]), p, 2)


def _neg(r: Recorder, p: tuple[float, ...]) -> str:
    return _scaled(r, -r.leaf("a", p[0]), p, 1)


def _function(name: str) -> Build:
    def build(r: Recorder, p: tuple[float, ...]) -> str:
        return _scaled(r, getattr(r.leaf("a", p[0]), name)(), p, 1)
    return build


def _number(op: str, left: bool, k: float) -> Build:
    def build(r: Recorder, p: tuple[float, ...]) -> str:
        a = r.leaf("a", p[0])
        r("out", _APPLY[op](k, a) if left else _APPLY[op](a, k))
        return "out"
    return build


def _twice(op: str) -> Build:
    def build(r: Recorder, p: tuple[float, ...]) -> str:
        a = r.leaf("a", p[0])
        r("out", a + a if op == "+" else a * a)
        return "out"
    return build


def _two_levels(r: Recorder, p: tuple[float, ...]) -> str:
    a, b, c, d = (r.leaf(n, x) for n, x in zip("abcd", p))
    ab = r("ab", a * b)
    s = r("s", ab + c)
    r("out", s * d)
    return "out"


def _diamond(r: Recorder, p: tuple[float, ...]) -> str:
    a, b, c, d = (r.leaf(n, x) for n, x in zip("abcd", p))
    e = r("e", a * b)
    f = r("f", e * c)
    g = r("g", e + d)
    r("out", f * g)
    return "out"


def _shared(r: Recorder, p: tuple[float, ...]) -> str:
    a, b, c, d = (r.leaf(n, x) for n, x in zip("abcd", p))
    s = r("s", a * b)
    u = r("u", s + c)
    v = r("v", s * d)
    uv = r("uv", u * v)
    r("out", uv + s)
    return "out"


def _inner(r: Recorder, p: tuple[float, ...]) -> str:
    a, b, c = (r.leaf(n, x) for n, x in zip("abc", p))
    ab = r("ab", a * b)
    f = r("f", ab + c)
    d = r.leaf("d", p[3])
    r("out", f * d)  # built, but backward() starts at f
    return "f"


def _fresh(r: Recorder, p: tuple[float, ...]) -> str:
    a, b, c = (r.leaf(n, x) for n, x in zip("abc", p))
    first = a * b + c * a
    first.backward()  # the lecture's loop: a step's graph, backward, zero the leaves' grads, a new graph
    for leaf in (a, b, c):
        leaf.grad = 0.0
    return _second_graph(r, a, b, c)


def _twin(r: Recorder, p: tuple[float, ...]) -> str:
    a, b, c = (r.leaf(n, x) for n, x in zip("abc", p))
    return _second_graph(r, a, b, c)


def _second_graph(r: Recorder, a: Any, b: Any, c: Any) -> str:
    ac = r("ac", a + c)
    acb = r("acb", ac * b)
    r("out", acb * a)
    return "out"


def _deep(r: Recorder, p: tuple[float, ...]) -> str:
    x, b = r.leaf("a", p[0]), r.leaf("b", p[1])
    for i in range(1, DEPTH):
        x = r(f"x_{i}", x + b)
    r("out", x + b)
    return "out"


def _neuron(r: Recorder, p: tuple[float, ...]) -> str:
    x1, x2, w1, w2, b = (r.leaf(n, x) for n, x in zip(("x1", "x2", "w1", "w2", "b"), p))
    w1x1, w2x2 = r("w1x1", w1 * x1), r("w2x2", w2 * x2)
    s = r("s", w1x1 + w2x2)
    z = r("z", s + b)
    if not r.act:
        r("out", z * 1.0)
    else:
        r.activate("out", z)
    return "out"


def _mlp(r: Recorder, p: tuple[float, ...]) -> str:
    """3 inputs (plain numbers) -> 3 hidden neurons (the activation) -> 1 linear output; squared error of 2 samples."""
    w1 = [[r.leaf(f"w1{j}{i}", p[3 * j + i]) for i in range(3)] for j in range(3)]
    b1 = [r.leaf(f"b1{j}", p[9 + j]) for j in range(3)]
    w2 = [r.leaf(f"w2{j}", p[12 + j]) for j in range(3)]
    b2 = r.leaf("b2", p[15])
    squares = []
    for k, (xs, y) in enumerate((((0.5, -1.0, 2.0), 1.0), ((-1.5, 0.3, 0.8), -1.0))):
        hidden = []
        for j in range(3):
            z = b1[j]
            for i in range(3):
                z = r(f"z{k}{j}{i}", z + r(f"w1x{k}{j}{i}", w1[j][i] * xs[i]))
            hidden.append(r.activate(f"h{k}{j}", z) if r.act else z)
        out = b2
        for j in range(3):
            out = r(f"o{k}{j}", out + r(f"w2h{k}{j}", w2[j] * hidden[j]))
        diff = r(f"d{k}", out + -y)
        squares.append(r(f"sq{k}", diff * diff))
    r("loss", squares[0] + squares[1])
    return "loss"


_MLP_POINT = (0.3, -0.5, 0.8, -0.2, 0.6, 0.1, 0.9, -0.7, 0.4, 0.05, -0.1, 0.2, 0.7, -0.6, 0.5, 0.15)
_FUNCTION_POINTS = {
    "tanh": ((-1.3,), (0.05,), (0.8,), (2.5,)), "exp": ((-2.0,), (0.1,), (1.5,), (5.0,)),
    "log": ((0.2,), (1.5,), (40.0,)), "relu": ((-1.5,), (0.7,), (3.0,)), "sigmoid": ((-2.0,), (0.3,), (4.0,)),
}
_SUM_POINTS = ((2.0, -3.0), (-0.5, 0.25), (1000.0, 7.0), (2.0, -3.0, 2.5))  # the last: the result times c = 2.5


def all_cases() -> list[Case]:
    """Every case, in the order the report lists them."""
    cases = [
        Case("a + b", _binary("+"), _SUM_POINTS, "op", "+", ("__add__", "__mul__")),
        Case("a - b", _binary("-"), _SUM_POINTS, "op", "-", ("__sub__", "__mul__")),
        Case("a * b", _binary("*"), ((2.0, -3.0), (0.01, 4.0), (-7.5, 12.0), (2.0, -3.0, 2.5)), "op", "*",
             ("__mul__",)),
        Case("a / b", _binary("/"), ((3.0, -2.0), (0.5, 0.25), (-40.0, 8.0), (3.0, -2.0, 2.5)), "op", "/",
             ("__truediv__", "__mul__")),
        Case("a ** n", _pow, ((1.5, 3), (-3.0, 2), (0.5, -2), (1.5, 3, 2.5)), "op", "**", ("__pow__", "__mul__")),
        Case("-a", _neg, ((-2.0,), (0.3,), (50.0,), (-2.0, 2.5)), "op", "neg", ("__neg__", "__mul__")),
    ]
    cases += [Case(f"{f}(a)", _function(f), (*_FUNCTION_POINTS[f], (_FUNCTION_POINTS[f][1][0], 2.5)), "op", f,
                   (f, "__mul__")) for f in FUNCTIONS]
    for op, k, method in (("+", 2, "add"), ("-", 2, "sub"), ("*", 3, "mul"), ("/", 4, "truediv")):
        points = ((1.5,), (-4.0,))
        cases.append(Case(f"a {op} {k}", _number(op, False, k), points, "number_right", op, (f"__{method}__",)))
        left = 3 if op == "*" else 2
        needs = (f"__{method}__",) if method in ("add", "mul") else (f"__r{method}__",)  # no __radd__: a bug
        cases.append(Case(f"{left} {op} a", _number(op, True, left), points, "number_left", op, needs))
    cases.append(Case("2 ** a", _number("**", True, 2), ((1.5,), (-0.5,)), "number_left", "**", ("__rpow__",)))
    cases += [
        Case("a + a", _twice("+"), ((1.5,), (-2.0,)), "reuse", "+", ("__add__",)),
        Case("a * a", _twice("*"), ((1.5,), (-2.0,)), "reuse", "*", ("__mul__",)),
        Case("two levels: (a*b + c) * d", _two_levels, ((2.0, -3.0, 0.5, 4.0),), "structure", None,
             ("__add__", "__mul__")),
        Case("diamond: e = a*b; (e*c) * (e + d)", _diamond, ((2.0, -3.0, 0.5, 4.0),), "structure", None,
             ("__add__", "__mul__")),
        Case("shared: s = a*b; (s + c) * (s*d) + s", _shared, ((2.0, -3.0, 0.5, 4.0),), "structure", None,
             ("__add__", "__mul__")),
        Case("inner: f = a*b + c; f.backward()", _inner, ((2.0, -3.0, 0.5, 4.0),), "structure", None,
             ("__add__", "__mul__")),
        Case(TWIN, _twin, ((2.0, -3.0, 0.5),), "structure", None, ("__add__", "__mul__")),
        Case("fresh graph: (a + c) * b * a again", _fresh, ((2.0, -3.0, 0.5),), "fresh", None,
             ("__add__", "__mul__")),
        Case("chain 10,000 deep: x = x + b", _deep, ((0.5, 0.001),), "deep", None, ("__add__",), 2 * TIME_LIMIT,
             ("a", "b", f"x_{DEPTH // 2}")),
        Case("neuron: act(w1*x1 + w2*x2 + b)", _neuron, ((0.5, -1.5, 0.8, 0.3, 0.2),), "network", None,
             ("__add__", "__mul__")),
        Case("MLP 3-3-1, squared error", _mlp, (_MLP_POINT,), "network", None, ("__add__", "__mul__")),
    ]
    return cases


CASES = {case.name: case for case in all_cases()}


def activation(present: set[str]) -> str | None:
    """The activation the network cases use: the first of tanh, relu, sigmoid the class has (None: linear)."""
    return next((name for name in ACTIVATIONS if name in present), None)


# --- our engine's answer ------------------------------------------------------------------------------------

@dataclass
class Point:
    """Our engine's answer at one point: every named node's data and gradient, and how gradients reach it."""

    root: str
    data: dict[str, float]
    grad: dict[str, float]
    central: dict[str, float]  # d(root)/d(node) by central differences
    uses: dict[str, list[tuple[str, float, int]]] = field(default_factory=dict)  # node -> (user, local, position)
    inputs: dict[str, tuple[float, ...]] = field(default_factory=dict)  # op node -> its inputs' values
    ops: dict[str, str] = field(default_factory=dict)  # node -> its op name ("" for a leaf)
    numbers: set[tuple[str, str]] = field(default_factory=set)  # (op, "left" or "right"): a plain number's place
    compared: list[str] = field(default_factory=list)  # the nodes below the root, whose gradients are compared


@functools.lru_cache(maxsize=256)
def references(name: str, act: str | None) -> tuple[Point, ...]:
    """Our engine's answer at each point of the case called name (kept: it depends on nothing else)."""
    case = CASES[name]
    return tuple(reference(case, point, act) for point in case.points)


def reference(case: Case, point: tuple[float, ...], act: str | None) -> Point:
    """Run the case with micrograd_nn's Value: data, gradients, the graph's uses, and central differences."""
    from micrograd_nn.engine import Value

    r = Recorder(Value, act)
    root_name = case.build(r, point)
    root = r.nodes[root_name]
    root.backward()
    names = {id(node): name for name, node in r.nodes.items()}
    result = Point(root_name, {n: v.data for n, v in r.nodes.items()}, {n: v.grad for n, v in r.nodes.items()}, {})
    below = _below(root)
    for name, node in r.nodes.items():
        result.ops[name] = node.op
        if id(node) not in below:
            continue
        result.inputs[name] = tuple(x.data if isinstance(x, Value) else x for x in node.inputs)
        locals_ = iter(node.local_grads or ())
        for position, x in enumerate(node.inputs):
            if isinstance(x, Value):
                result.uses.setdefault(names.get(id(x), "?"), []).append((name, next(locals_), position))
            else:
                result.numbers.add((node.op, "left" if position == 0 else "right"))
    result.compared = [name for name, node in r.nodes.items() if id(node) in below]
    moved = result.compared if case.central is None else [n for n in case.central if n in result.compared]
    result.central = {name: 1.0 if name == root_name else _central(case, point, act, name, root_name, result.data[name])
                      for name in moved}
    # a gradient is judged only where central differences confirm ours (none is dropped: a test checks it)
    result.compared = [n for n in result.compared if _agree(result.grad[n], result.central.get(n, result.grad[n]))]
    return result


def _agree(grad: float, central: float) -> bool:
    """Our gradient and the central difference agree (to the difference's own precision, about 1e-6)."""
    return math.isclose(grad, central, rel_tol=1e-5, abs_tol=1e-6)


def _below(root: Any) -> set[int]:
    """The ids of root and every node it was computed from."""
    seen, stack = {id(root)}, [root]
    while stack:
        for operand in stack.pop().operands:
            if id(operand) not in seen:
                seen.add(id(operand))
                stack.append(operand)
    return seen


def _central(case: Case, point: tuple[float, ...], act: str | None, name: str, root: str, at: float) -> float:
    """d(root)/d(name) ~ (root(x + h) - root(x - h)) / 2h, moving only the node called name (x = at)."""
    from micrograd_nn.engine import Value

    def root_at(shift: float) -> float:
        r = Recorder(Value, act, (name, shift))
        case.build(r, point)
        return float(r.nodes[root].data)

    h = 1e-6 * max(1.0, abs(at))
    try:
        return (root_at(h) - root_at(-h)) / (2 * h)
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan
