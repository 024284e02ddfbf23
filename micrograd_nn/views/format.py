"""Numbers as the views print them: a fixed number of decimals, scientific notation when very large or small."""

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
