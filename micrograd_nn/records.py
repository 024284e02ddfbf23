"""The record of one operation (Op) and where it may be evaluated (Domain): rules.OPS holds one per op."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Rule = Callable[..., tuple[float, tuple[float, ...]]]
"""An op's rule: the inputs' numbers in, (value, local derivatives) out (rules.py)."""

Share = Callable[[int, tuple[float, ...], float, float], float]
"""upstream x local derivative, rearranged for when the stored local overflowed (rules.div_share, ...)."""


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


@dataclass(frozen=True, slots=True)
class Op:
    """Everything the library knows about one operation: one record, read by every part.

    The engine applies ``rule``; pictures show ``symbol``; ``explain`` and the
    stepper show ``formula`` and ``derivatives`` (one per input, in terms of
    the inputs named by ``letters()``: a, b), with the local derivatives the
    engine stored as the numbers; the rule's docstring is made from the same
    text (``description()``), so each derivative is written once, here.  The
    tests and the audit draw inputs from ``domain``.  An n-ary op has
    ``arity`` 0 and one derivative entry per role (wi, xi, b).
    """

    name: str  # the key in OPS and Value.op
    rule: Rule  # floats in, (value, local derivatives) out
    symbol: str  # what a picture draws in the op's box
    formula: str  # the value as text, in terms of a, b (and w, x for n-ary ops)
    derivatives: tuple[str, ...]  # d(out)/d(input) as text, one per input (per role for n-ary ops): the one text
    domain: Domain  # where tests and the audit may draw inputs
    arity: int = 1  # 1, 2, or 0 for any number of inputs
    method: str = ""  # the Value method that applies a unary op (x.tanh()), "" if none
    in_parser: bool = False  # the expression parser offers it as a function
    micrograd: str = ""  # micrograd's spelling (Value._op), "" where it is our name
    masks: bool = False  # a zero local derivative cuts the input off: passes 0 even from an inf/nan upstream (relu)
    infix: bool = False  # written between its inputs: a + b, a ** b
    commutative: bool = False  # the order of the inputs does not change the value
    activation: bool = False  # a neuron's activation function (relu, tanh, sigmoid, leaky_relu)
    neuron_sum: bool = False  # can compute a neuron's weighted sum (+, dot, affine)
    share: Share | None = None  # upstream x local, rearranged for when the stored local overflowed (/, log, **)
    closure: bool = False  # written the micrograd way: the node's _backward closure is its chain-rule step
    in_words: str = ""  # the op's name in a sentence ("ReLU", "leaky ReLU"), "" where that is its name
    inputs: tuple[str, ...] = ()  # the inputs' letters in formula and derivatives; () : a, or a and b

    @property
    def ordered(self) -> bool:
        """Whether a picture must number the inputs: more than one input and the order matters."""
        return self.arity != 1 and not self.commutative

    def letters(self) -> tuple[str, ...]:
        """The inputs' letters in the formula and the derivatives: ("a",), ("a", "b"), leaky_relu's ("a", "s")."""
        return self.inputs or ("a", "b")[: max(self.arity, 1)]

    def description(self) -> str:
        """The op's math in one line, from its formula and derivatives: "tanh(a); d/da = 1 − tanh²(a)"."""
        slopes = ", ".join(f"d/d{letter} = {text}" for letter, text in zip(self.letters(), self.derivatives))
        return f"{self.formula}; {slopes}"

    def words(self) -> str:
        """The op's name in a sentence: "a ReLU unit", "a leaky ReLU unit", "a tanh unit"."""
        return self.in_words or self.name

    def spelling(self) -> str:
        """micrograd's name for the op (its Value._op), our name where micrograd has none."""
        return self.micrograd or self.name
