"""Numbers and names as the views print them.

Numbers: a fixed number of decimals, scientific notation when very large or small.
Names in d/d notation: a label that is not a plain (dotted) name in brackets, "do/d(x1*w1 + x2*w2)".
"""

from __future__ import annotations

import math

DEFAULT_PRECISION = 4
"""Decimals the views print by default."""


def check_precision(precision: int) -> int:
    """precision must be an int from 0 to 15 (decimals shown); ValueError naming the value otherwise."""
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 15:
        raise ValueError(f"precision must be a whole number of decimals from 0 to 15, got {precision!r}")
    return precision


def format_number(x: float, precision: int = DEFAULT_PRECISION) -> str:
    """x with `precision` decimals, or in scientific notation when it is very large or very small."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0.0:
        x = 0.0  # -0.0 (a zero gradient passed back through a negative factor) prints as 0
    if x == 0.0 or 10.0**-precision <= abs(x) < 1e6:
        return f"{x:.{precision}f}"
    return f"{x:.{precision}e}"


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
