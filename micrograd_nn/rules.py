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
import operator
from collections.abc import Callable
from dataclasses import dataclass

Rule = Callable[..., tuple[float, tuple[float, ...]]]


class DomainError(ValueError):
    """An operation was applied outside its domain (log of a number <= 0, sqrt of a negative, ...)."""

_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)
_MINUS_ONE = (-1.0,)
_ZERO = (0.0,)
_ONE = (1.0,)
_ONE_ZERO = (1.0, 0.0)


# --- arithmetic -------------------------------------------------------------

def add(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """a + b; d/da = 1, d/db = 1."""
    return a + b, _ONE_ONE


def sub(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """a - b; d/da = 1, d/db = -1."""
    return a - b, _ONE_MINUS_ONE


def mul(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """a * b; d/da = b, d/db = a."""
    return a * b, (b, a)


def div(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """a / b; d/da = 1/b, d/db = -a/b^2."""
    if b == 0.0:
        raise ZeroDivisionError(f"division by zero: {a!r} / {b!r}")
    out = a / b
    return out, (1.0 / b, -out / b)


def neg(a: float) -> tuple[float, tuple[float]]:
    """-a; d/da = -1."""
    return -a, _MINUS_ONE


def power(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """a ** b; d/da = b a^(b-1), d/db = a^b ln(a).

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
        # d/da = b 0^(b-1): +inf for 0 < b < 1 (as sqrt at 0), 1 for b = 1, 0 for b > 1
        return 0.0, (math.inf if b < 1.0 else 1.0 if b == 1.0 else 0.0, 0.0)
    try:
        out = a**b
    except OverflowError:
        raise OverflowError(f"power: {a!r} ** {b!r} overflows a float") from None
    if out - out != 0.0:
        raise OverflowError(f"power: {a!r} ** {b!r} overflows a float")
    d_da = 0.0 if b == 0.0 else _power_slope(a, b)
    d_db = out * math.log(a) if a > 0.0 else math.nan
    return out, (d_da, d_db)


def _power_slope(a: float, b: float) -> float:
    """b a^(b-1) for a != 0, b != 0; +-inf where that is too large for a float (as PyTorch gives)."""
    try:
        return b * a ** (b - 1.0)
    except OverflowError:  # |a^(b-1)| too large: the slope is infinite in floats
        sign = -1.0 if (b < 0.0) != (a < 0.0 and (b - 1.0) % 2.0 == 1.0) else 1.0
        return sign * math.inf


# --- exponentials and logarithms ---------------------------------------------

def exp(a: float) -> tuple[float, tuple[float]]:
    """e^a; d/da = e^a."""
    try:
        out = math.exp(a)
    except OverflowError:
        raise OverflowError(f"exp: exp({a!r}) overflows a float") from None
    return out, (out,)


def log(a: float) -> tuple[float, tuple[float]]:
    """ln(a) for a > 0; d/da = 1/a."""
    if a <= 0.0:
        raise DomainError(f"log: log({a!r}) is undefined (needs a > 0)")
    return math.log(a), (1.0 / a,)


def sqrt(a: float) -> tuple[float, tuple[float]]:
    """sqrt(a) for a >= 0; d/da = 1/(2 sqrt(a)), +inf at 0 as in PyTorch."""
    if a < 0.0:
        raise DomainError(f"sqrt: sqrt({a!r}) is undefined (needs a >= 0)")
    out = math.sqrt(a)
    return out, (0.5 / out if out > 0.0 else math.inf,)


def softplus(a: float) -> tuple[float, tuple[float]]:
    """ln(1 + e^a), computed as max(a, 0) + ln(1 + e^-|a|); d/da = sigmoid(a)."""
    out = max(a, 0.0) + math.log1p(math.exp(-abs(a)))
    return out, (_sigmoid(a),)


# --- squashing functions ------------------------------------------------------

def _sigmoid(a: float) -> float:
    """1/(1 + e^-a), evaluated so that neither branch overflows."""
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    z = math.exp(a)
    return z / (1.0 + z)


def sigmoid(a: float) -> tuple[float, tuple[float]]:
    """s = 1/(1 + e^-a); d/da = s (1 - s)."""
    s = _sigmoid(a)
    return s, (s * (1.0 - s),)


def tanh(a: float) -> tuple[float, tuple[float]]:
    """t = tanh(a); d/da = 1 - t^2."""
    t = math.tanh(a)
    return t, (1.0 - t * t,)


# --- piecewise-linear functions -----------------------------------------------
# At the kink the derivative follows PyTorch: relu'(0) = 0, abs'(0) = 0,
# leaky_relu'(0) = slope.

def relu(a: float) -> tuple[float, tuple[float]]:
    """max(0, a); d/da = 1 if a > 0 else 0."""
    if a > 0.0:
        return a, _ONE
    return 0.0, _ZERO


LEAKY_SLOPE = 0.01  # the default slope of leaky_relu


def leaky_relu(a: float, slope: float) -> tuple[float, tuple[float, float]]:
    """a if a > 0 else slope * a; d/da = 1 if a > 0 else slope; d/dslope = 0 if a > 0 else a."""
    if a > 0.0:
        return a, _ONE_ZERO
    return slope * a, (slope, a)


def absolute(a: float) -> tuple[float, tuple[float]]:
    """|a|; d/da = sign(a), 0 at a = 0."""
    if a > 0.0:
        return a, _ONE
    if a < 0.0:
        return -a, _MINUS_ONE
    return 0.0, _ZERO


# --- trigonometry --------------------------------------------------------------

def sin(a: float) -> tuple[float, tuple[float]]:
    """sin(a); d/da = cos(a)."""
    return math.sin(a), (math.cos(a),)


def cos(a: float) -> tuple[float, tuple[float]]:
    """cos(a); d/da = -sin(a)."""
    return math.cos(a), (-math.sin(a),)


# --- n-ary -----------------------------------------------------------------------
# "sum" adds with math.fsum (exact, for long sums such as a loss over a batch);
# "dot" and "affine" use the plain sum because they are the fused neuron's hot path.

def total(*terms: float) -> tuple[float, tuple[float, ...]]:
    """t1 + t2 + ... + tn; d/dti = 1."""
    return math.fsum(terms), (1.0,) * len(terms)


def dot(*ws_then_xs: float) -> tuple[float, tuple[float, ...]]:
    """w . x = sum_i wi xi over operands (w1..wn, x1..xn); d/dwi = xi, d/dxi = wi."""
    n = len(ws_then_xs) // 2
    ws, xs = ws_then_xs[:n], ws_then_xs[n:]
    return sum(map(operator.mul, ws, xs)), xs + ws


def affine(*ws_xs_b: float) -> tuple[float, tuple[float, ...]]:
    """w . x + b over operands (w1..wn, x1..xn, b); d/dwi = xi, d/dxi = wi, d/db = 1."""
    n = len(ws_xs_b) // 2
    ws, xs = ws_xs_b[:n], ws_xs_b[n : 2 * n]
    return sum(map(operator.mul, ws, xs), ws_xs_b[-1]), xs + ws + _ONE


@dataclass(frozen=True)
class Domain:
    """Where an op is differentiable, for the tests' hypothesis strategies and the audit.

    ``ranges`` holds one (low, high) interval per input (one interval for all
    inputs of an n-ary op); ``kinks`` are points to stay ``gap`` away from
    (a kink or a pole), for every input.  ``layout`` says how many inputs an
    n-ary op takes: "terms" (t1..tn), "pairs" (w1..wn, x1..xn) or
    "pairs+bias" (w1..wn, x1..xn, b); "" for a fixed arity.
    """

    ranges: tuple[tuple[float, float], ...]
    kinks: tuple[float, ...] = ()
    gap: float = 1e-2
    layout: str = ""


@dataclass(frozen=True)
class Op:
    """Everything the library knows about one operation: one record, read by every part.

    The engine applies ``rule``; pictures show ``symbol``; ``explain`` and the
    stepper show ``formula`` and ``derivatives`` (one per input, in terms of
    the inputs a, b and the result out) and fill ``in_numbers`` (the same
    derivative with ``{a}``, ``{b}``, ``{out}`` as places for numbers); the
    tests and the audit draw inputs from ``domain``.  ``method`` names the
    Value method that applies a unary op (x.tanh()); ``in_parser`` says whether
    the expression parser offers it as a function; ``micrograd`` is micrograd's
    spelling of the op (Value._op).  An n-ary op has ``arity`` 0 and one
    derivative entry per role (w, x, b), with places ``{w}`` and ``{x}``.
    ``masks`` marks an op whose zero
    local derivative cuts its input off, so it passes 0 back even from an
    inf or nan upstream gradient (relu: PyTorch's relu backward is a mask,
    not a product); for every other op 0 x inf is nan, as in IEEE and PyTorch.
    """

    name: str
    rule: Rule
    symbol: str
    formula: str
    derivatives: tuple[str, ...]
    in_numbers: tuple[str, ...]
    domain: Domain
    arity: int = 1
    method: str = ""
    in_parser: bool = False
    micrograd: str = ""
    masks: bool = False

    def spelling(self) -> str:
        """micrograd's name for the op (its Value._op), our name where micrograd has none."""
        return self.micrograd or self.name


def _unary(name: str, rule: Rule, formula: str, derivative: str, in_numbers: str, low: float, high: float,
           *, symbol: str = "", kinks: tuple[float, ...] = (), micrograd: str = "", masks: bool = False) -> Op:
    """The record of a unary function offered as x.name() and by the expression parser."""
    return Op(name, rule, symbol or name, formula, (derivative,), (in_numbers,), Domain(((low, high),), kinks),
              arity=1, method=name, in_parser=True, micrograd=micrograd, masks=masks)


_ANY = (-100.0, 100.0)

OPS: dict[str, Op] = {op.name: op for op in [
    # --- arithmetic: a and b are the inputs in order; either may be a plain number ---
    Op("+", add, "+", "a + b", ("1", "1"), ("1", "1"), Domain((_ANY, _ANY)), arity=2),
    Op("-", sub, "−", "a − b", ("1", "−1"), ("1", "−1"), Domain((_ANY, _ANY)), arity=2),
    Op("*", mul, "×", "a × b", ("b", "a"), ("{b}", "{a}"), Domain((_ANY, _ANY)), arity=2),
    Op("/", div, "÷", "a ÷ b", ("1/b", "−a/b²"), ("1/{b}", "−{a}/{b}²"),
       Domain(((-10.0, 10.0), (-10.0, 10.0)), kinks=(0.0,), gap=0.1), arity=2),
    Op("**", power, "**", "a ** b", ("b·a^(b−1)", "a^b·ln(a)"), ("{b}·{a}^({b}−1)", "{out}·ln({a})"),
       Domain(((0.1, 5.0), (-3.0, 3.0))), arity=2),
    Op("neg", neg, "−x", "−a", ("−1",), ("−1",), Domain((_ANY,)), method="__neg__", micrograd="*"),
    # --- functions of one input (x.exp(), ...; the parser offers each by name) ---
    _unary("exp", exp, "e^a", "e^a", "{out}", -20.0, 20.0),
    _unary("log", log, "ln(a)", "1/a", "1/{a}", 0.01, 100.0, symbol="ln"),
    _unary("sqrt", sqrt, "√a", "1/(2√a)", "1/(2·{out})", 0.01, 100.0, symbol="√"),
    _unary("softplus", softplus, "ln(1 + e^a)", "σ(a)", "σ({a})", -30.0, 30.0),
    _unary("sigmoid", sigmoid, "σ(a) = 1/(1 + e^−a)", "σ(a)·(1 − σ(a))", "{out}·(1 − {out})", -30.0, 30.0,
           symbol="σ"),
    _unary("tanh", tanh, "tanh(a)", "1 − tanh²(a)", "1 − {out}²", -10.0, 10.0),
    _unary("relu", relu, "max(0, a)", "1 if a > 0 else 0", "1 if {a} > 0 else 0", -100.0, 100.0,
           kinks=(0.0,), micrograd="ReLU", masks=True),
    Op("leaky_relu", leaky_relu, "leaky_relu", "a if a > 0 else s·a", ("1 if a > 0 else s", "0 if a > 0 else a"),
       ("1 if {a} > 0 else {b}", "0 if {a} > 0 else {a}"), Domain((_ANY, (0.0, 1.0)), kinks=(0.0,)),
       arity=2, method="leaky_relu", in_parser=True),
    _unary("abs", absolute, "|a|", "sign(a)", "sign({a})", -100.0, 100.0, symbol="|x|", kinks=(0.0,)),
    _unary("sin", sin, "sin(a)", "cos(a)", "cos({a})", -10.0, 10.0),
    _unary("cos", cos, "cos(a)", "−sin(a)", "−sin({a})", -10.0, 10.0),
    # --- n-ary: one node for a long sum or a weighted sum (inputs w1..wn, x1..xn[, b]) ---
    Op("sum", total, "Σ", "t1 + … + tn", ("1",), ("1",), Domain(((-5.0, 5.0),), layout="terms"), arity=0),
    Op("dot", dot, "w·x", "w1·x1 + … + wn·xn", ("xi (for wi)", "wi (for xi)"), ("{x}", "{w}"),
       Domain(((-5.0, 5.0),), layout="pairs"), arity=0),
    Op("affine", affine, "w·x+b", "w1·x1 + … + wn·xn + b", ("xi (for wi)", "wi (for xi)", "1 (for b)"),
       ("{x}", "{w}", "1"),
       Domain(((-5.0, 5.0),), layout="pairs+bias"), arity=0),
]}
"""Every operation, by name: the single source for the engine, the parser, the views and the tests."""


def contribution(op: Op, local: float, upstream: float) -> float:
    """local x upstream, the share of the gradient an input gets; 0 where ``op.masks`` and local is 0."""
    if op.masks and local == 0.0:
        return 0.0
    return local * upstream


class RuleTable(dict):
    """A dict from op name to rule whose missing keys raise a KeyError naming the op."""

    def __missing__(self, op: str) -> Rule:
        raise KeyError(f"no derivative rule for op {op!r}; known ops: {sorted(self)}")


RULES: RuleTable = RuleTable({name: op.rule for name, op in OPS.items()})
"""op name -> rule, read by the engine on every operation (tests may patch an entry to plant a wrong rule)."""


def rule_for(op: str) -> Rule:
    """The rule registered for ``op``; KeyError naming the op if there is none."""
    return RULES[op]


def op_record(op: str) -> Op:
    """The record of ``op``; KeyError naming the op if there is none."""
    if op not in OPS:
        raise KeyError(f"no record for op {op!r} in rules.OPS; known ops: {sorted(OPS)}")
    return OPS[op]
