"""Numbers and names as the views print them.

Numbers: a fixed number of decimals, scientific notation when very large or small: one rule for every view
and page (the pages' JavaScript is given it by page_format and writes numbers the same way).
Names in d/d notation: a label that is not a plain (dotted) name in brackets, "do/d(x1*w1 + x2*w2)".
"""

from __future__ import annotations

import math

from micrograd_nn import errors

DEFAULT_PRECISION = 4
"""Decimals the views print by default."""

SCIENTIFIC_AT = 1e6
"""From this magnitude up (and below 10**-precision) a number is written in scientific notation."""


def counted(n: int, one: str, many: str) -> str:
    """n with its noun, singular for 1: "1 pass", "3 passes"."""
    return f"{n} {one if n == 1 else many}"


def check_precision(precision: int) -> int:
    """precision must be an int from 0 to 15 (decimals shown); ValueError naming the value otherwise."""
    return errors.whole_number(precision, "precision", 0, 15, unit="decimals")


def format_number(x: float, precision: int = DEFAULT_PRECISION) -> str:
    """x with `precision` decimals, or in scientific notation when it is very large or very small."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0.0:
        x = 0.0  # -0.0 (a zero gradient passed back through a negative factor) prints as 0
    if x == 0.0 or 10.0**-precision <= abs(x) < SCIENTIFIC_AT:
        return f"{x:.{precision}f}"
    return f"{x:.{precision}e}"


def constant_text(x: float) -> str:
    """A plain number inside an op, as a formula writes it: 2, 0.01, 1e-10 (Python's shortest %g form)."""
    return f"{x:g}"


def page_format() -> dict[str, float]:
    """The rule of format_number as a page's data: its JavaScript writes numbers by the same rule."""
    return {"precision": DEFAULT_PRECISION, "scientific_at": SCIENTIFIC_AT}


def bracketed(name: str) -> str:
    """A name as written after d in d/d notation: x1 or L1.n3.w2 as it is, any other label in brackets.

    "dout/dx1" but "do/d(x1*w1 + x2*w2)": a label that is not a plain (dotted) name
    would otherwise run into the rest of the formula.
    """
    if name and all(part.isidentifier() for part in name.split(".")):
        return name
    return f"({name})"


def d_of(name: str) -> str:
    """d followed by the name, for d/d notation: "dx1", "dL1.n3.w2", "d(x1*w1 + x2*w2)" (see bracketed)."""
    return f"d{bracketed(name)}"
