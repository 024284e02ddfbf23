"""The derivative rules: one table from op name to a pure float function.

Each rule takes the operands' data (plain floats) and returns
``(out, local_grads)``: the forward value and, for each operand in order,
the local derivative d(out)/d(operand).  The engine stores both on the new
node; backward() multiplies each local derivative by the upstream gradient.

A rule raises ValueError or ZeroDivisionError, naming the op and the value,
when its input is outside the domain; it never returns a wrong number.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

try:  # Cython's names, used only to compile this file (rules.pxd): in plain Python they do nothing
    import cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # no Cython installed: a stand-in with the same names
    from micrograd_nn._cython import cython

from micrograd_nn.records import Domain, Op, Rule, Share


class DomainError(ValueError):
    """An operation was applied outside its domain (log of a number <= 0, sqrt of a negative, ...)."""


# --- arithmetic -------------------------------------------------------------

def add(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """a + b and its local derivatives (their text: OPS["+"])."""
    return a + b - 0.0, (1.0, 1.0)  # - 0.0 changes no float (not -0.0 either), and refuses strings as compiled does


def sub(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """a - b and its local derivatives (their text: OPS["-"])."""
    return a - b, (1.0, -1.0)


def mul(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """a * b and its local derivatives (their text: OPS["*"])."""
    out = a * b
    return out, d_mul(a, b, out)


def d_mul(a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    """d(a*b)/da = b, d(a*b)/db = a."""
    return b, a


def div(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """a / b and its local derivatives (their text: OPS["/"])."""
    if b == 0.0:
        raise ZeroDivisionError(f"division by zero: {a!r} / {b!r}")
    out = a / b
    return out, d_div(a, b, out)


def d_div(a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    """d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b."""
    return 1.0 / b, -out / b


def neg(a: float) -> tuple[float, tuple[float]]:
    """-a and its local derivatives (their text: OPS["neg"])."""
    return -a, (-1.0,)


def power(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """a ** b and its local derivatives (their text: OPS["**"]).

    A negative base needs an integer exponent (the real power is otherwise
    undefined) and then d/db is nan, as in PyTorch; 0 ** b needs b >= 0, and
    for b > 0 d/db = 0 (the limit from the right) and d/da = b 0^(b-1), which
    is +inf for 0 < b < 1 (as sqrt'(0), and PyTorch).  Only a value that
    overflows is an error; a local derivative too large for a float is inf.
    """
    if a < 0.0 and not b.is_integer():
        raise DomainError(f"power: {a!r} ** {b!r} has no real value (negative base needs an integer exponent)")
    if a == 0.0:
        if b < 0.0:
            raise ZeroDivisionError(f"power: {a!r} ** {b!r} is a division by zero")
        if b == 0.0:
            return 1.0, (0.0, 0.0)
        if b == 0.5:  # PyTorch computes a ** 0.5 as sqrt(a): -0.0 ** 0.5 is -0.0 with slope -inf
            return math.sqrt(a), (math.copysign(math.inf, a), 0.0)
        # d/da = b 0^(b-1): +inf for 0 < b < 1 (as sqrt at 0), 1 for b = 1, 0 for b > 1
        return 0.0, (math.inf if b < 1.0 else 1.0 if b == 1.0 else 0.0, 0.0)
    try:
        out = a**b
    except OverflowError:
        raise OverflowError(f"power: {a!r} ** {b!r} overflows a float") from None
    if not math.isfinite(out):
        raise OverflowError(f"power: {a!r} ** {b!r} overflows a float")
    d_da = 0.0 if b == 0.0 else _power_slope(a, b)
    d_db = d_power_exponent(a, b, out) if a > 0.0 else math.nan
    return out, (d_da, d_db)


def d_power(a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    """(d(a**b)/da, d(a**b)/db) = (b a^(b-1), a^b ln(a)); d/db is nan for a base < 0 (an integer exponent)."""
    base = getattr(a, "data", a)  # a's number (gradient_graph.py runs this with Values)
    return d_power_base(a, b, out), d_power_exponent(a, b, out) if base > 0.0 else math.nan


def d_power_base(a: Any, b: Any, out: Any) -> Any:
    """d(a**b)/da = b a^(b-1) (a != 0, b != 0)."""
    return b * a ** (b - 1.0)


def d_power_exponent(a: Any, b: Any, out: Any) -> Any:
    """d(a**b)/db = a^b ln(a) (a > 0)."""
    return out * math.log(a)


def _power_slope(a: float, b: float) -> float:
    """b a^(b-1) for a != 0, b != 0; +-inf where that is too large for a float (as PyTorch gives)."""
    try:
        return d_power_base(a, b, 0.0)
    except OverflowError:  # |a^(b-1)| too large: the slope is infinite in floats
        sign = -1.0 if (b < 0.0) != (a < 0.0 and (b - 1.0) % 2.0 == 1.0) else 1.0
        return sign * math.inf


# --- exponentials and logarithms ---------------------------------------------

def exp(a: float) -> tuple[float, tuple[float]]:
    """e^a and its local derivatives (their text: OPS["exp"])."""
    try:
        out = math.exp(a)
    except OverflowError:
        raise OverflowError(f"exp: exp({a!r}) overflows a float") from None
    return out, (d_exp(a, out),)


def d_exp(a: Any, out: Any) -> Any:
    """d(e^a)/da = e^a, the node's own value."""
    return out


def log(a: float) -> tuple[float, tuple[float]]:
    """ln(a) for a > 0 and its local derivatives (their text: OPS["log"])."""
    if a <= 0.0:
        raise DomainError(f"log: log({a!r}) is undefined (needs a > 0)")
    return math.log(a), (d_log(a, 0.0),)


def d_log(a: Any, out: Any) -> Any:
    """d(ln a)/da = 1/a."""
    return 1.0 / a


def sqrt(a: float) -> tuple[float, tuple[float]]:
    """sqrt(a) for a >= 0 and its local derivatives (their text: OPS["sqrt"])."""
    if a < 0.0:
        raise DomainError(f"sqrt: sqrt({a!r}) is undefined (needs a >= 0)")
    out = math.sqrt(a)  # sqrt(-0.0) is -0.0, and its slope -inf, as in PyTorch
    return out, (d_sqrt(a, out) if out != 0.0 else math.copysign(math.inf, out),)


def d_sqrt(a: Any, out: Any) -> Any:
    """d(sqrt a)/da = 1/(2 sqrt a) = 0.5/out (out != 0)."""
    return 0.5 / out


def softplus(a: float) -> tuple[float, tuple[float]]:
    """ln(1 + e^a), computed as max(a, 0) + ln(1 + e^-|a|) and its local derivatives (their text: OPS["softplus"])."""
    out = max(a, 0.0) + math.log1p(math.exp(-abs(a)))
    return out, (d_softplus(a, out),)


def d_softplus(a: Any, out: Any) -> Any:
    """d ln(1 + e^a)/da = σ(a) = e^a/(1 + e^a) = e^(a - out)."""
    return math.exp(a - out)


# --- squashing functions ------------------------------------------------------

def _sigmoid(a: float) -> float:
    """1/(1 + e^-a), evaluated so that neither branch overflows."""
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    z = math.exp(a)
    return z / (1.0 + z)


def sigmoid(a: float) -> tuple[float, tuple[float]]:
    """s = 1/(1 + e^-a) and its local derivatives (their text: OPS["sigmoid"])."""
    s = _sigmoid(a)
    return s, (d_sigmoid(a, s),)


def d_sigmoid(a: Any, out: Any) -> Any:
    """dσ(a)/da = σ(a) (1 - σ(a)) = out (1 - out)."""
    return out * (1.0 - out)


def tanh(a: float) -> tuple[float, tuple[float]]:
    """t = tanh(a) and its local derivatives (their text: OPS["tanh"])."""
    t = math.tanh(a)
    return t, (d_tanh(a, t),)


def d_tanh(a: Any, out: Any) -> Any:
    """d tanh(a)/da = 1 - tanh²(a) = 1 - out²."""
    return 1.0 - out * out


# --- piecewise-linear functions -----------------------------------------------
# At the kink the derivative follows PyTorch: relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = slope.

def relu(a: float) -> tuple[float, tuple[float]]:
    """max(0, a) and its local derivatives (their text: OPS["relu"]); nan stays nan, refused like every op's."""
    return (0.0, (0.0,)) if a <= 0.0 else (a, (1.0,))


LEAKY_SLOPE = 0.01  # the default slope of leaky_relu


def leaky_relu(a: float, slope: float) -> tuple[float, tuple[float, float]]:
    """a if a > 0 else slope * a and its local derivatives (their text: OPS["leaky_relu"])."""
    return (a, (1.0, 0.0)) if a > 0.0 else (slope * a, (slope, a))


def absolute(a: float) -> tuple[float, tuple[float]]:
    """|a| and its local derivatives (their text: OPS["abs"]); nan stays nan, refused like every op's."""
    return (-a, (-1.0,)) if a < 0.0 else (0.0, (0.0,)) if a == 0.0 else (a, (1.0,))


# --- trigonometry --------------------------------------------------------------

def sin(a: float) -> tuple[float, tuple[float]]:
    """sin(a) and its local derivatives (their text: OPS["sin"])."""
    return (math.sin(a), (d_sin(a, 0.0),)) if math.isfinite(a) else (math.nan, (math.nan,))  # sin(inf): nan, refused


def d_sin(a: Any, out: Any) -> Any:
    """d sin(a)/da = cos(a)."""
    return math.cos(a)


def cos(a: float) -> tuple[float, tuple[float]]:
    """cos(a) and its local derivatives (their text: OPS["cos"])."""
    return (math.cos(a), (d_cos(a, 0.0),)) if math.isfinite(a) else (math.nan, (math.nan,))  # cos(inf): nan, refused


def d_cos(a: Any, out: Any) -> Any:
    """d cos(a)/da = -sin(a)."""
    return -math.sin(a)


# --- n-ary -----------------------------------------------------------------------
# "sum" adds with math.fsum (exact, for long sums: a loss over a batch); "dot" and "affine" add in order, as the
# per-op neuron b + w1*x1 + w2*x2 + ... does.  The engine calls them through n_ary(op, values), by number.

def total(*terms: float) -> tuple[float, tuple[float, ...]]:
    """t1 + t2 + ... + tn (exactly rounded) and its local derivatives (their text: OPS["sum"])."""
    try:
        out = math.fsum(terms)
    except OverflowError:  # a partial sum overflowed: add exactly, as fractions; only a true overflow is an error
        try:
            out = float(sum(map(Fraction, terms)))
        except OverflowError:
            raise OverflowError(f"sum: the sum of {len(terms)} terms overflows a float") from None
    return out, (1.0,) * len(terms)


def weighted_sum(start: float, values: tuple[float, ...], n: int) -> float:
    """start + w1 x1 + ... + wn xn over values (w1..wn, x1..xn, ...), left to right (exactly, if a sum overflowed)."""
    out = start
    for i in range(n):
        w, x = values[i], values[n + i]  # compiled: C doubles
        out += w * x
    if not math.isfinite(out):  # 1e308 * 2 + 1e308 * -2 is 0: add exactly, as fractions; only a true overflow errs
        try:
            out = float(Fraction(start) + sum([Fraction(values[i]) * Fraction(values[n + i]) for i in range(n)]))
        except OverflowError:
            raise OverflowError(f"Value.dot: the weighted sum of {n} products overflows a float") from None
    return out


def dot(*ws_then_xs: float) -> tuple[float, tuple[float, ...]]:
    """w . x = sum_i wi xi over operands (w1..wn, x1..xn) and its local derivatives (their text: OPS["dot"])."""
    return weighted_sum(0.0, ws_then_xs, len(ws_then_xs) // 2), d_dot(ws_then_xs)


def d_dot(ws_then_xs: tuple[Any, ...]) -> tuple[Any, ...]:
    """d(w . x)/dwi = xi, d(w . x)/dxi = wi: the inputs (w1..wn, x1..xn), each pair swapped."""
    n = len(ws_then_xs) // 2
    return ws_then_xs[n:] + ws_then_xs[:n]


def affine(*ws_xs_b: float) -> tuple[float, tuple[float, ...]]:
    """w . x + b over operands (w1..wn, x1..xn, b) and its local derivatives (their text: OPS["affine"])."""
    return weighted_sum(ws_xs_b[-1], ws_xs_b, len(ws_xs_b) // 2), d_affine(ws_xs_b)


def d_affine(ws_xs_b: tuple[Any, ...]) -> tuple[Any, ...]:
    """d(w . x + b)/dwi = xi, d/dxi = wi (as for w . x), d/db = 1: over the inputs (w1..wn, x1..xn, b)."""
    return d_dot(ws_xs_b[:-1]) + (1.0,)


def n_ary(op: int, values: list[float]) -> tuple[float, tuple[float, ...]]:
    """The rule of n-ary op number ``op`` (N_ARY[op]) at values: compiled, C calls (or OPS's, if one was planted)."""
    return (OPS[N_ARY[op]].rule if _planted else total if op == SUM else dot if op == DOT else affine)(*values)


# --- shares that cannot overflow -------------------------------------------------
# upstream x d(out)/d(input), rearranged for when the stored local derivative overflowed though the inputs are
# finite (1/b, b tiny): nonfinite.py asks, so ((a / b) * 1e-310).backward() gives a = b = 1e-310 PyTorch's 1, not inf.

def div_share(position: int, inputs: tuple[float, ...], out: float, upstream: float) -> float:
    """upstream x d(a/b)/da = upstream/b; upstream x d(a/b)/db = -(upstream/b) x out."""
    b = inputs[1]
    return upstream / b if position == 0 else -(upstream / b) * out


def log_share(position: int, inputs: tuple[float, ...], out: float, upstream: float) -> float:
    """upstream x d(ln a)/da = upstream/a."""
    return upstream / inputs[0]


def power_share(position: int, inputs: tuple[float, ...], out: float, upstream: float) -> float:
    """upstream x d(a**b)/da = b x (upstream/a) x out (a != 0); d/db = out ln(a) never overflows."""
    a, b = inputs
    return b * (upstream / a) * out if position == 0 else upstream * out * math.log(a)


def _unary(name: str, rule: Rule, *, formula: str, derivative: str, low: float, high: float,
           symbol: str = "", kinks: tuple[float, ...] = (), micrograd: str = "", masks: bool = False,
           activation: bool = False, share: Share | None = None, in_words: str = "") -> Op:
    """The record of a unary function offered as x.name() and by the expression parser."""
    return Op(name=name, rule=rule, symbol=symbol or name, formula=formula, derivatives=(derivative,),
              domain=Domain(((low, high),), kinks), arity=1, method=name, in_parser=True,
              micrograd=micrograd, masks=masks, activation=activation, share=share, in_words=in_words)


class OpTable(dict):
    """OPS's type: a dict of records that notes when one is not rules.py's own (a rule planted, as the audit does)."""
    def __setitem__(self, name: str, record: Op) -> None:
        global _planted
        super().__setitem__(name, _AS_WRITTEN[name] if record == _AS_WRITTEN.get(name) else record)  # restored: own
        _planted = any(self.get(key) is not op for key, op in _AS_WRITTEN.items())


_ANY = (-100.0, 100.0)
_TERMS = Domain(((-5.0, 5.0),), layout="terms")

OPS: OpTable = OpTable({op.name: op for op in [
    # --- arithmetic: a and b are the inputs in order; either may be a plain number ---
    Op(name="+", rule=add, symbol="+", formula="a + b", derivatives=("1", "1"),
       domain=Domain((_ANY, _ANY)), arity=2, infix=True, commutative=True, neuron_sum=True),
    Op(name="-", rule=sub, symbol="−", formula="a − b", derivatives=("1", "−1"),
       domain=Domain((_ANY, _ANY)), arity=2, infix=True),
    Op(name="*", rule=mul, symbol="×", formula="a × b", derivatives=("b", "a"),
       domain=Domain((_ANY, _ANY)), arity=2, infix=True, commutative=True),
    Op(name="/", rule=div, symbol="÷", formula="a ÷ b", derivatives=("1/b", "−a/b²"),
       domain=Domain(((-10.0, 10.0), (-10.0, 10.0)), kinks=(0.0,), gap=0.1),
       arity=2, infix=True, share=div_share),
    Op(name="**", rule=power, symbol="**", formula="a ** b", derivatives=("b·a^(b−1)", "a^b·ln(a)"),
       domain=Domain(((0.1, 5.0), (-3.0, 3.0))), arity=2,
       infix=True, share=power_share),
    Op(name="neg", rule=neg, symbol="−x", formula="−a", derivatives=("−1",),
       domain=Domain((_ANY,)), method="__neg__", micrograd="*"),
    # --- functions of one input (x.exp(), ...; the parser offers each by name) ---
    _unary("exp", exp, formula="e^a", derivative="e^a", low=-20.0, high=20.0),
    _unary("log", log, formula="ln(a)", derivative="1/a", low=0.01, high=100.0, symbol="ln",
           share=log_share),
    _unary("sqrt", sqrt, formula="√a", derivative="1/(2√a)", low=0.01, high=100.0,
           symbol="√"),
    _unary("softplus", softplus, formula="ln(1 + e^a)", derivative="σ(a)", low=-30.0,
           high=30.0),
    _unary("sigmoid", sigmoid, formula="σ(a) = 1/(1 + e^−a)", derivative="σ(a)·(1 − σ(a))",
           low=-30.0, high=30.0, symbol="σ", activation=True),
    _unary("tanh", tanh, formula="tanh(a)", derivative="1 − tanh²(a)", low=-10.0,
           high=10.0, activation=True),
    _unary("relu", relu, formula="max(0, a)", derivative="1 if a > 0 else 0",
           low=-100.0, high=100.0, kinks=(0.0,), micrograd="ReLU", masks=True, activation=True, in_words="ReLU"),
    Op(name="leaky_relu", rule=leaky_relu, symbol="leaky_relu", formula="a if a > 0 else s·a",
       derivatives=("1 if a > 0 else s", "0 if a > 0 else a"),
       domain=Domain((_ANY, (0.0, 1.0)), kinks=(0.0,)), arity=2, method="leaky_relu", in_parser=True,
       activation=True, in_words="leaky ReLU", inputs=("a", "s")),
    _unary("abs", absolute, formula="|a|", derivative="sign(a)", low=-100.0, high=100.0,
           symbol="|x|", kinks=(0.0,)),
    _unary("sin", sin, formula="sin(a)", derivative="cos(a)", low=-10.0, high=10.0),
    _unary("cos", cos, formula="cos(a)", derivative="−sin(a)", low=-10.0, high=10.0),
    # --- n-ary: one node for a long sum or a weighted sum (inputs w1..wn, x1..xn[, b]) ---
    Op(name="sum", rule=total, symbol="Σ", formula="t1 + … + tn", derivatives=("1",), inputs=("ti",),
       domain=_TERMS, arity=0, commutative=True),
    Op(name="dot", rule=dot, symbol="w·x", formula="w1·x1 + … + wn·xn", derivatives=("xi", "wi"),
       inputs=("wi", "xi"), domain=Domain(((-5.0, 5.0),), layout="pairs"), arity=0, neuron_sum=True),
    Op(name="affine", rule=affine, symbol="w·x+b", formula="w1·x1 + … + wn·xn + b", derivatives=("xi", "wi", "1"),
       inputs=("wi", "xi", "b"), domain=Domain(((-5.0, 5.0),), layout="pairs+bias"), arity=0, neuron_sum=True),
]})
"""Every operation, by name: the single source for the engine, the parser, the views and the tests."""
_AS_WRITTEN, _planted = dict(OPS), False  # rules.py's records; whether OPS holds another (unary() calls its rule)
if not cython.compiled:  # the engine's numbers for the ops (compiled: C constants, in rules.pxd)
    NEG, EXP, LOG, SQRT, SOFTPLUS, SIGMOID, TANH, RELU, ABS, SIN, COS = range(11)
    (ADD, SUB, MUL, DIV, POW, LEAKY_RELU), (SUM, DOT, AFFINE) = range(6), range(3)
UNARY = ("neg", "exp", "log", "sqrt", "softplus", "sigmoid", "tanh", "relu", "abs", "sin", "cos")  # by number
BINARY, N_ARY = ("+", "-", "*", "/", "**", "leaky_relu"), ("sum", "dot", "affine")


def unary(op: int, a: float) -> tuple[float, tuple[float]]:
    """The rule of unary op number ``op`` (UNARY[op]) at a: compiled, a C call (or OPS's rule, if one was planted)."""
    if _planted:
        return OPS[UNARY[op]].rule(a)  # type: ignore[no-any-return]
    return (tanh(a) if op == TANH else relu(a) if op == RELU else exp(a) if op == EXP else log(a) if op == LOG
            else neg(a) if op == NEG else sigmoid(a) if op == SIGMOID else sqrt(a) if op == SQRT
            else softplus(a) if op == SOFTPLUS else absolute(a) if op == ABS else sin(a) if op == SIN else cos(a))


def binary(op: int, a: float, b: float) -> tuple[float, tuple[float, float]]:
    """The rule of binary op number ``op`` (BINARY[op]) at (a, b): compiled, a C call (or OPS's, if one was planted)."""
    if _planted:
        return OPS[BINARY[op]].rule(a, b)  # type: ignore[no-any-return]
    return (mul(a, b) if op == MUL else add(a, b) if op == ADD else sub(a, b) if op == SUB else div(a, b) if op == DIV
            else power(a, b) if op == POW else leaky_relu(a, b))


def _document(op: Op) -> None:
    """Write the op's description into its rule's docstring, so help(rules.tanh) reads the record's one text."""
    try:
        op.rule.__doc__ = f"{op.description()}  (rules.OPS[{op.name!r}])"
    except (AttributeError, TypeError):  # a rule without a writable docstring (a builtin) keeps its own
        pass


for _op in OPS.values():
    _document(_op)
del _op


def op_record(op: str) -> Op:
    """The record of ``op``; KeyError naming the op if there is none."""
    if op not in OPS:
        raise KeyError(f"no record for op {op!r} in rules.OPS; known ops: {sorted(OPS)}")
    return OPS[op]


def __getattr__(name: str) -> Any:
    """The old lookup names (RULES, rule_for, RuleTable) answer from micrograd_nn._old_paths, with a warning."""
    import sys

    from micrograd_nn._old_paths import old_name

    return old_name(sys.modules[__name__], name)
