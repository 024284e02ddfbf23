"""Checking what goes into a Value and the error messages that name the operation and the offending value."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from numbers import Integral, Real
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
    number = real_or_none(x, where)
    if number is not None and not math.isfinite(number):
        raise ValueError(f"{where}: needs a finite number, got {number!r}")
    return number


def real_or_none(x: object, where: str) -> float | None:
    """x as a float, inf and nan included; None if x is not a real number (True/False are not); OverflowError naming
    `where` for an integer too large for a float."""
    if isinstance(x, bool) or not isinstance(x, Real):
        return None
    try:
        return float(x)
    except OverflowError:
        text = shown(x)
        what = text if text.startswith("an integer") else f"the number {text}"
        raise OverflowError(f"{where}: {what} is too large for a float") from None


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


def number_list(xs: object, where: str) -> list[float]:
    """xs (a list, tuple or array of numbers, in order) as finite floats; TypeError naming `where` for a number,
    a string, a Value or an unordered collection (a dict, a set), ValueError naming the entry that is not finite."""
    if isinstance(xs, (str, bytes, dict, set, frozenset)) or hasattr(xs, "grad") or not hasattr(xs, "__iter__"):
        raise TypeError(f"{where} must be a list of numbers, got {type(xs).__name__}: {shown(xs)}")
    return [finite_number(x, f"{where}[{i}]") for i, x in enumerate(xs)]  # type: ignore[attr-defined]


def assigned(x: object, field: str) -> float:
    """What ``v.data = x`` (field "data") or ``v.grad = x`` ("grad") stores, on both engines: a real number as a float,
    inf and nan too (an update can overflow: fit and diagnose name the parameter); TypeError if not a number."""
    value = real_or_none(x, f"Value.{field}")
    if value is None:
        raise TypeError(f"Value.{field} needs a real number, got {type(x).__name__}: {shown(x)}")
    return value


def check_assignments(cls: type) -> None:
    """Plain Python: make cls's slots ``data`` and ``grad`` store what assigned() gives (compiled: Value.__setattr__).
    Each slot is also named ``_data_slot``/``_grad_slot``: the property reads it in C, its setter writes it."""
    for field, setter in (("data", _set_data), ("grad", _set_grad)):
        setattr(cls, f"_{field}_slot", cls.__dict__[field])
        setattr(cls, field, property(operator.attrgetter(f"_{field}_slot"), setter, None,
                                     "the number" if field == "data" else "d(root)/d(this node), from backward()"))


def _set_data(node: Any, x: object) -> None:
    """node.data = x: a float as it is, anything else through assigned()."""
    node._data_slot = x if type(x) is float else assigned(x, "data")


def _set_grad(node: Any, x: object) -> None:
    """node.grad = x: a float as it is, anything else through assigned()."""
    node._grad_slot = x if type(x) is float else assigned(x, "grad")


def plain_number(x: object, where: str) -> float:
    """A number that lives inside an op (leaky_relu's slope): a real number, not a Value."""
    value = number_or_none(x, where)
    if value is None and hasattr(x, "grad"):
        raise TypeError(f"{where} must be a plain number, not a Value")
    if value is None:
        raise TypeError(f"{where} must be a real number, got {type(x).__name__}: {shown(x)}")
    return value


def is_whole_number(value: object, low: int = 1, high: int | None = None) -> bool:
    """Is value a whole number n with low <= n (<= high)?  NumPy integers count, True/False do not."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        return False
    number = int(value)
    return low <= number and (high is None or number <= high)


def whole_number(value: object, name: str, low: int = 1, high: int | None = None, unit: str = "",
                 why: str = "") -> int:
    """value as an int if it is a whole number n with low <= n (<= high), else ValueError naming it.

    e.g. "nin must be a whole number >= 1, got 0", "height must be a whole number of pixels >= 200, got 50";
    why, when given, follows the limits in brackets.
    """
    if not is_whole_number(value, low, high):
        of = f" of {unit}" if unit else ""
        because = f" ({why})" if why else ""
        raise ValueError(f"{name} must be a whole number{of} {_limits(low, high)}{because}, got {shown(value)}")
    return int(value)  # type: ignore[call-overload]  # an Integral, checked above


def _limits(low: int, high: int | None) -> str:
    """">= low", or "from low to high" when there is a high."""
    return f">= {low}" if high is None else f"from {low} to {high}"


def is_finite_real(value: object) -> bool:
    """Is value a real number (not True/False) whose float is finite (not nan, not +-inf, not too large)?"""
    if isinstance(value, bool) or not isinstance(value, Real):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int too large for a float
        return False


def finite_real(value: object, name: str, *, above: float | None = None, at_least: float | None = None) -> float:
    """value as a float if it is a finite real number (> above, >= at_least when given), else ValueError naming it.

    e.g. "lr must be a finite number > 0, got -1".
    """
    number = float(value) if is_finite_real(value) else math.nan  # type: ignore[arg-type]
    in_range = (above is None or number > above) and (at_least is None or number >= at_least)
    if not (math.isfinite(number) and in_range):
        bound = f" > {above:g}" if above is not None else f" >= {at_least:g}" if at_least is not None else ""
        raise ValueError(f"{name} must be a finite number{bound}, got {shown(value)}")
    return number


# --- the same checks as argparse types, for the command line (argparse shows the message, exit 2) ---

def whole_number_argument(low: int = 1, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: the text as a whole number n, low <= n (<= high); "expected a whole number ..." otherwise."""
    import argparse  # only the command line needs it

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text[:40]!r}") from None
        if not is_whole_number(value, low, high):
            raise argparse.ArgumentTypeError(f"expected a whole number {_limits(low, high)}, got {text[:40]}")
        return value

    parse.__name__ = f"whole number {_limits(low, high)}"
    return parse


def positive_number_argument(text: str) -> float:
    """An argparse type: the text as a finite number > 0; "expected a finite number > 0, ..." otherwise."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text[:40]!r}") from None
    if not (is_finite_real(value) and value > 0.0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text[:40]}")
    return value


def finite_targets(targets: Sequence[Any], where: str) -> None:
    """Every target a finite number or a non-empty list of them; ValueError naming `where` and the first bad one."""
    for i, target in enumerate(targets):
        entries = target if isinstance(target, (list, tuple)) else [target]
        if not entries or not all(map(is_finite_real, entries)):
            raise ValueError(f"{where}: target {i} must be a finite number (or a list of them), got {shown(target)}")


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
