"""v.data = x and v.grad = x behave the same on both engines (issue 22, A7).

A real number is stored as a Python float (NumPy's, a Fraction, an int); anything else (True/False, a string,
None, a complex number, a list) is a TypeError naming ``Value.data`` or ``Value.grad`` and the value, the message
errors.assigned gives on both engines.  ``data`` must be finite, as ``Value(x)`` requires; ``grad`` may be inf or
nan, as backward() can leave one.  The suite runs on each engine; the last test runs both in child processes and
compares them call by call.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import micrograd_nn
from micrograd_nn import Value

CONVERTED = [(np.float64(2.5), 2.5), (Fraction(1, 3), 1 / 3), (3, 3.0), (np.int64(-4), -4.0), (np.float32(0.5), 0.5)]
REFUSED = [(True, "bool: True"), ("2.5", "str: '2.5'"), (None, "NoneType: None"), (1j, "complex: 1j"),
           ([1.0], "list: [1.0]")]


@pytest.mark.parametrize("field", ["data", "grad"])
@pytest.mark.parametrize(("number", "stored"), CONVERTED)
def test_a_real_number_is_stored_as_a_float(field: str, number: object, stored: float) -> None:
    v = Value(1.0)
    setattr(v, field, number)
    assert type(getattr(v, field)) is float and getattr(v, field) == stored
    data, grad = (stored, 0.0) if field == "data" else (1.0, stored)
    assert repr(v) == f"Value(data={data!r}, grad={grad!r})"  # a float's repr, not np.float64(2.5) or Fraction(1, 3)


@pytest.mark.parametrize("field", ["data", "grad"])
@pytest.mark.parametrize(("bad", "shown"), REFUSED)
def test_anything_else_is_refused_naming_the_field_and_the_value(field: str, bad: object, shown: str) -> None:
    v = Value(1.5)
    v.grad = 0.25
    with pytest.raises(TypeError, match=rf"^Value\.{field} needs a real number, got {shown}$".replace("[", r"\[")):
        setattr(v, field, bad)
    assert (v.data, v.grad) == (1.5, 0.25)  # nothing stored


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, np.float64("inf")])
def test_data_must_be_finite_as_value_requires(bad: float) -> None:
    v = Value(1.5)
    with pytest.raises(ValueError, match=rf"^Value\.data: needs a finite number, got {float(bad)!r}$"):
        v.data = bad
    assert v.data == 1.5
    with pytest.raises(ValueError, match=r"^Value: needs a finite number"):
        Value(bad)


def test_data_set_to_inf_then_sin_is_refused_at_the_assignment() -> None:
    # before: the plain engine stored inf and sin() raised ValueError; compiled, sin gave an OverflowError
    v = Value(0.5)
    with pytest.raises(ValueError, match=r"^Value\.data: needs a finite number, got inf$"):
        v.data = math.inf
    assert v.sin().data == math.sin(0.5)


def test_an_integer_too_large_for_a_float_is_an_overflow_error_naming_the_field() -> None:
    v = Value(1.0)
    with pytest.raises(OverflowError, match=r"^Value\.grad: the number 1000.*\.\.\. is too large for a float$"):
        v.grad = 10**400


@pytest.mark.parametrize("special", [math.inf, -math.inf, math.nan])
def test_a_gradient_may_be_inf_or_nan_as_backward_can_leave_one(special: float) -> None:
    v = Value(1.0)
    v.grad = special
    assert type(v.grad) is float and (v.grad == special or (math.isnan(v.grad) and math.isnan(special)))
    x = Value(0.0)
    x.sqrt().backward()  # sqrt'(0) = inf flows on: backward stores inf, as PyTorch does
    assert x.grad == math.inf


def test_training_updates_and_zeroing_by_hand_still_work() -> None:
    p = Value(0.5)
    (p * 3.0).backward()
    p.data -= 0.1 * p.grad  # the lecture's update
    p.grad = 0  # zeroing with an int, as micrograd's users do
    assert (p.data, p.grad) == (0.5 - 0.1 * 3.0, 0.0) and type(p.grad) is float
    p.data += np.float64(1.0)  # a NumPy number from an array
    assert type(p.data) is float and p.data == pytest.approx(1.2, abs=1e-15)


CHILD = r'''
import json, math
from fractions import Fraction
import numpy as np
from micrograd_nn import Value
results = {}
for field in ("data", "grad"):
    for name, x in [("np.float64", np.float64(2.5)), ("Fraction", Fraction(1, 3)), ("int", 3), ("bool", True),
                    ("str", "s"), ("None", None), ("inf", math.inf), ("nan", math.nan), ("complex", 1j)]:
        v = Value(1.0)
        try:
            setattr(v, field, x)
            got = getattr(v, field)
            results[f"{field}={name}"] = [type(got).__name__, repr(got), repr(v)]
        except Exception as err:
            results[f"{field}={name}"] = [type(err).__name__, str(err)]
v = Value(1.0)
try:
    v.data = math.inf
    v.sin()
    results["data=inf; sin"] = ["returned"]
except Exception as err:
    results["data=inf; sin"] = [type(err).__name__, str(err)]
print(json.dumps(results))
'''


def _run(pure: str) -> dict[str, list[str]]:
    env = {**os.environ, "MICROGRAD_NN_PURE": pure}
    run = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return dict(json.loads(run.stdout.splitlines()[-1]))


@pytest.mark.skipif(micrograd_nn.ENGINE != "compiled", reason="needs the compiled engine to compare with")
def test_both_engines_store_and_refuse_alike_with_the_same_messages() -> None:
    compiled, plain = _run("0"), _run("1")
    assert compiled == plain
    assert compiled["data=np.float64"] == ["float", "2.5", "Value(data=2.5, grad=0.0)"]
    assert compiled["grad=Fraction"] == ["float", repr(1 / 3), f"Value(data=1.0, grad={1 / 3!r})"]
    assert compiled["data=bool"] == ["TypeError", "Value.data needs a real number, got bool: True"]
    assert compiled["grad=str"] == ["TypeError", "Value.grad needs a real number, got str: 's'"]
    assert compiled["data=nan"] == ["ValueError", "Value.data: needs a finite number, got nan"]
    assert compiled["grad=inf"] == ["float", "inf", "Value(data=1.0, grad=inf)"]
    assert compiled["data=inf; sin"] == ["ValueError", "Value.data: needs a finite number, got inf"]
