"""Users' matrices read as float arrays: real numbers only, and an error naming the argument and position otherwise.

`np.array(x, dtype=float)` keeps the real part of a complex array (with only a
warning), reads the string "0.1" as 0.1 and True as 1.0.  Here each of those is
refused, as `Value("2")` and `Value(1j)` are: a complex number, a string, a bool,
None or any other object where a number is due raises `ArrayEntryError`
naming the caller, the argument and the entry ("W1[0, 1] is the complex number
(0.1+1j)").  A whole number too large for a float (10**400) is refused the same
way.  Finiteness is left to the caller, whose message says what the numbers are
(``check_finite_rows`` for rows of inputs).
"""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


class ArrayEntryError(TypeError, ValueError):
    """An entry of a user's array is no float: not a real number, or too large (a TypeError and a ValueError)."""


def _entry(name: str, index: tuple[int, ...]) -> str:
    """W1[0, 1] (or W1 for a single number)."""
    return f"{name}{list(index)}" if index else name


def _describe(value: Any) -> str:
    """What the value is, in words a user recognises: "the string '0.1'", "the complex number (1+2j)"."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return f"{bool(value)} (a bool; give 1.0 or 0.0 if a number is meant, e.g. array.astype(float))"
    if isinstance(value, (complex, np.complexfloating)):
        return f"the complex number {complex(value)!r} (only real numbers are accepted; nothing is cut off)"
    if isinstance(value, (str, np.str_, bytes, np.bytes_)):
        text = repr(value if len(value) <= 40 else value[:40])
        return f"the string {text}{'...' if len(value) > 40 else ''} (give numbers, not text)"
    if isinstance(value, (list, tuple, np.ndarray)):
        return f"a {type(value).__name__}, not a number (are the rows of different lengths?)"
    return f"{type(value).__name__} {str(value)[:40]!r}, not a number"


def real_array(values: Any, name: str, caller: str) -> np.ndarray:
    """values as a float64 array; ArrayEntryError "caller: name[i, j] is ..." for the first entry that is no float.

    Real numbers are Python and NumPy ints and floats (and other numbers.Real such
    as Fraction); bools, complex numbers, strings, None and other objects are refused.
    """
    import numpy as np

    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        return values.astype(float)
    if isinstance(values, np.ndarray) and values.dtype.kind == "c" and values.size:
        imaginary = np.argwhere(values.imag != 0)  # the entry to show: the first that is truly complex, if any
        index = tuple(int(i) for i in imaginary[0]) if len(imaginary) else (0,) * values.ndim
        raise ArrayEntryError(f"{caller}: {_entry(name, index)} is {_describe(values[index])}")
    try:
        objects = values.astype(object) if isinstance(values, np.ndarray) else np.array(values, dtype=object)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{caller}: {name} is not an array of numbers ({error})") from None
    array = np.empty(objects.shape, dtype=float)
    for index, value in np.ndenumerate(objects):
        array[index] = _real(value, f"{caller}: {_entry(name, index)}")
    return array


def _real(value: Any, where: str) -> float:
    """One entry as a float; ArrayEntryError "where is ..." for a bool, a non-number, or an int too large."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise ArrayEntryError(f"{where} is {_describe(value)}")
    try:
        return float(value)
    except OverflowError:
        digits = len(str(abs(int(value)))) if isinstance(value, int) else None
        size = f"a whole number of {digits} digits" if digits else repr(value)[:40]
        raise ArrayEntryError(f"{where} is {size}, too large for a float (at most about 1.8e308)") from None


def check_finite_rows(rows: Any, caller: str, name: str = "X") -> None:
    """ValueError "caller: X: input row i holds a number that is not finite: [...]" for the first row with inf or nan.

    rows: a list of rows of real numbers, or a 2-D NumPy array (fit, Recorder and diagnose share this check).
    """
    import math

    for i, row in enumerate(rows):
        if not all(map(math.isfinite, row)):
            shown = [float(v) for v in row]
            raise ValueError(f"{caller}: {name}: input row {i} holds a number that is not finite: {shown}")


__all__ = ["ArrayEntryError", "check_finite_rows", "real_array"]
