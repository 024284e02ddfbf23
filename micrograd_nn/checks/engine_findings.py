"""What check_engine says about a failing case: the classic bugs' names, their one-line fixes, and a Finding.

engine_diagnoses.py decides which bug a failing case shows; this module is the
vocabulary it answers in (the report's `bug` field is one of BUGS).
"""

from __future__ import annotations

from dataclasses import dataclass

from micrograd_nn.checks.engine_cases import DEPTH
from micrograd_nn.rules import OPS

__all__ = ["BUGS", "FIXES", "LABELS", "Finding", "close"]

BUGS = ("accumulate", "order", "chain_factor", "local_derivative", "reflected", "number_not_wrapped", "seed",
        "recursion_depth", "late_binding", "timeout", "exception")
"""The classic bugs a diagnosis names (report's `bug` field; None for a failure none of them explains)."""

FIXES = {
    "accumulate": "a node used twice must add both shares: write `+=`, not `=`, in every _backward",
    "order": "a node may pass its gradient on only once it has all of it: run each _backward once, in reverse "
             "topological order (build the order first, then walk it backwards)",
    "chain_factor": "multiply each local derivative by out.grad, the gradient arriving from above",
    "reflected": "with a number on the left Python calls the reflected method (__radd__, __rsub__, ...) with the "
                 "number as `other`: define it, and keep the number on its side",
    "number_not_wrapped": "wrap a plain number before using it: other = other if isinstance(other, Value) "
                          "else Value(other)",
    "seed": "backward() must first set self.grad = 1 (d out / d out = 1), then pass gradients on",
    "recursion_depth": f"build the topological order with a loop and a stack of your own: a recursive build_topo "
                       f"makes one Python call per level, and {DEPTH:,} levels exceed Python's limit of 1,000",
    "late_binding": "a function made in a loop reads the loop variable when it runs (its last value): bind it when "
                    "the function is made, e.g. def _backward(df=df): ...",
    "timeout": "make sure your code ends: a loop whose condition never changes? a computation far too large?",
    "exception": "fix the error on that line",
}
LABELS = {
    "accumulate": "`=` instead of `+=`", "order": "order of the backward pass", "chain_factor": "missing `* out.grad`",
    "local_derivative": "wrong local derivative", "reflected": "reflected operator", "seed": "unseeded backward()",
    "number_not_wrapped": "plain number not wrapped", "recursion_depth": "recursion depth",
    "late_binding": "closure bound late", "timeout": "endless loop", "exception": "error",
}


def close(got: float, expected: float) -> bool:
    """got agrees with expected to a relative 1e-6 (at least 1e-9 absolute)."""
    return abs(got - expected) <= 1e-6 * max(abs(expected), 1e-3)


@dataclass
class Finding:
    """Why one case failed: the bug, the op it is in, the evidence, and the numbers for the table."""

    bug: str | None
    evidence: str
    expected: str = ""
    got: str = ""
    op: str | None = None
    where: str = ""  # the learner's file:line, for an exception or a timeout
    ops: frozenset[str] = frozenset()  # late binding: the ops that share one derivative
    fix: str = ""  # a fix of its own, instead of the bug's usual one
    position: int = -1  # a local derivative's input: 0 for a, 1 for b (-1: every input)

    @property
    def text(self) -> str:
        """The diagnosis: evidence, then the one-line fix."""
        fix = self.fix or FIXES.get(self.bug or "", "")
        if self.bug == "local_derivative" and self.op:
            fix = _rule_text(self.op, self.position)
        return f"{self.evidence} — {fix}" if fix else self.evidence


def _rule_text(op: str, position: int) -> str:
    """The rule for the input that went wrong, from the op's record in rules.OPS (e.g. for a ÷ b: d/db = −a/b²)."""
    record = OPS[op]
    parts = [f"d/d{'ab'[i]} = {d}" for i, d in enumerate(record.derivatives) if position in (-1, i)]
    return f"for {record.formula}: {', '.join(parts)}"
