"""Checking what goes into a Value and the error messages that name the operation and the offending value."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

FLOAT_DIGITS_PER_BIT = 0.30103  # log10(2): an integer of n bits has about 0.30103 n decimal digits


def shown(x: object) -> str:
    """x for an error message, shortened; a huge integer by its number of digits (repr would fail)."""
    try:
        text = repr(x)
    except ValueError:  # an integer past Python's limit on digits it will print
        return f"an integer of about {int(x.bit_length() * FLOAT_DIGITS_PER_BIT) + 1} digits"  # type: ignore[attr-defined]
    return text if len(text) <= 40 else text[:37] + "..."


def describe(node: object) -> str:
    """A short name for an input in error messages: its label, else its repr."""
    label = getattr(node, "label", "")  # a Value's label; numbers have none
    return repr(label) if label and isinstance(label, str) else shown(node)


def number_or_none(x: object, where: str) -> float | None:
    """x as a finite float; None if x is not a real number; ValueError/OverflowError naming `where`."""
    if type(x) is float and math.isfinite(x):  # the common case, first
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        return None
    try:
        number = float(x)
    except OverflowError:
        text = shown(x)
        what = text if text.startswith("an integer") else f"the number {text}"
        raise OverflowError(f"{where}: {what} is too large for a float") from None
    if not math.isfinite(number):
        raise ValueError(f"{where}: needs a finite number, got {number!r}")
    return number


def number(x: object, where: str) -> float:
    """x as a finite float; TypeError naming `where` if x is not a real number."""
    value = number_or_none(x, where)
    if value is None:
        raise TypeError(f"{where} needs Values or real numbers, got {type(x).__name__}: {shown(x)}")
    return value


def finite_number(x: object, where: str) -> float:
    """x as a finite float for a Value's data or backward's seed; TypeError naming `where` otherwise."""
    value = number_or_none(x, where)
    if value is None:
        raise TypeError(f"{where} needs a real number, got {type(x).__name__}: {shown(x)}")
    return value


def plain_number(x: object, where: str) -> float:
    """A number that lives inside an op (leaky_relu's slope): a real number, not a Value."""
    value = number_or_none(x, where)
    if value is None and hasattr(x, "grad"):
        raise TypeError(f"{where} must be a plain number, not a Value")
    if value is None:
        raise TypeError(f"{where} must be a real number, got {type(x).__name__}: {shown(x)}")
    return value


def checked_label(label: object) -> str:
    """A node's label: a string, else TypeError."""
    if not isinstance(label, str):
        raise TypeError(f"Value: label must be a string, got {type(label).__name__}: {shown(label)}")
    return label


def non_empty(items: tuple, where: str, what: str) -> tuple:
    """items, or ValueError naming `where` when there are none."""
    if not items:
        raise ValueError(f"{where} needs at least one {what}")
    return items


def check_pairs(ws: Sequence[Any], xs: Sequence[Any]) -> None:
    """Value.dot's weights and inputs: as many of each, at least one pair."""
    if len(ws) != len(xs):
        raise ValueError(f"Value.dot needs equal lengths, got {len(ws)} and {len(xs)}")
    if not ws:
        raise ValueError("Value.dot needs at least one pair")


def not_a_value(method: str, x: object) -> TypeError:
    """The error for a Value method called on something that is not a Value (Value.tanh(2.0)), as Python words it."""
    return TypeError(f"descriptor '{method}' for 'Value' objects doesn't apply to a '{type(x).__name__}' object")


def with_inputs(err: Exception, inputs: Sequence[object]) -> Exception:
    """A rule's error, of the same type, with the op's inputs named."""
    names = ", ".join(describe(x) for x in inputs[:4])
    return type(err)(f"{err} (inputs: {names})")


def not_finite_result(op: str, data: float, inputs: Sequence[object]) -> OverflowError:
    """The error for an op whose result is not a finite float."""
    names = ", ".join(describe(x) for x in inputs[:4] if x is not None)
    return OverflowError(f"{op}: result {data!r} is not a finite float" + (f" (inputs: {names})" if names else ""))
