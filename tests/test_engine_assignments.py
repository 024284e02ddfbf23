"""v.data = x and v.grad = x behave the same on both engines (issue 22, A7).

A real number is stored as a Python float (NumPy's, a Fraction, an int; inf and nan too, as an update that
overflows or backward() can leave one, which fit, diagnose and save_model then name); anything else (True/False, a
string, None, a complex number, a list) is a TypeError naming ``Value.data`` or ``Value.grad`` and the value, the
message errors.assigned gives on both engines.  The suite runs on each engine; the last test runs both in child
processes and compares them call by call.
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


@pytest.mark.parametrize("field", ["data", "grad"])
@pytest.mark.parametrize("special", [math.inf, -math.inf, math.nan, np.float64("inf"), Fraction(10**400, 3)])
def test_inf_and_nan_are_stored_as_floats_as_an_overflowing_update_leaves_them(field: str, special: object) -> None:
    v = Value(1.5)
    if isinstance(special, Fraction):  # a real number too large for a float
        with pytest.raises(OverflowError, match=rf"^Value\.{field}: the number Fraction\(.*is too large for a float$"):
            setattr(v, field, special)
        return
    setattr(v, field, special)
    stored = getattr(v, field)
    assert type(stored) is float and (stored == special or (math.isnan(stored) and math.isnan(special)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^Value: needs a finite number"):
        Value(special)  # type: ignore[arg-type]  # a new Value still needs a finite number


def test_an_update_that_overflows_leaves_inf_for_fit_and_diagnose_to_name() -> None:
    p = Value(1e308)
    p.data += 1e308  # the learner's update line: inf, as before, and as on the other engine
    assert p.data == math.inf and type(p.data) is float
    with pytest.raises(OverflowError, match=r"^\*: result nan is not a finite float"):
        p * 0.0  # inf * 0 is nan: refused by the op, on both engines


def test_an_integer_too_large_for_a_float_is_an_overflow_error_naming_the_field() -> None:
    v = Value(1.0)
    with pytest.raises(OverflowError, match=r"^Value\.grad: the number 1000.*\.\.\. is too large for a float$"):
        v.grad = 10**400


def test_a_gradient_may_be_inf_as_backward_can_leave_one() -> None:
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
for special in ("inf", "-inf", "nan"):  # every op on a Value whose data was set to a non-finite number
    for op in ("neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos", "leaky_relu",
               "+", "*", "/", "-", "**", "rpow", "sum", "dot"):
        v = Value(1.0)
        v.data = float(special)
        calls = {"neg": lambda: -v, "abs": lambda: abs(v), "+": lambda: v + 1.0, "*": lambda: v * 2.0,
                 "/": lambda: v / 2.0, "-": lambda: 1.0 - v, "**": lambda: v ** 2.0, "rpow": lambda: 2.0 ** v,
                 "sum": lambda: Value.sum([v, 1.0]), "dot": lambda: Value.dot([v], [2.0])}
        try:
            out = calls[op]() if op in calls else getattr(v, op)()
            results[f"{op}({special})"] = ["Value", repr(out.data)]
        except Exception as err:
            results[f"{op}({special})"] = [type(err).__name__, str(err)]
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
    assert compiled["data=nan"] == ["float", "nan", "Value(data=nan, grad=0.0)"]
    assert compiled["grad=inf"] == ["float", "inf", "Value(data=1.0, grad=inf)"]
    assert compiled["sin(inf)"] == ["OverflowError", "sin: result nan is not a finite float (inputs: "
                                    "Value(data=inf, grad=0.0))"]  # the same error on both engines (was ValueError)
    assert len([key for key in compiled if "(" in key]) == 60


@pytest.mark.skipif(micrograd_nn.ENGINE != "compiled", reason="the compiled engine's own message")
def test_deleting_a_field_of_the_compiled_engine_names_it() -> None:
    """Compiled, del v.label is refused naming the field (plain Python's slots follow Python's own rules: a
    __delattr__ hook there would slow every attribute write)."""
    v = Value(1.0)
    v.mine = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match=r"^cannot delete Value.label: it is the engine's own"):
        del v.label
    del v.mine  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match=r"^'Value' object has no attribute 'mine'$"):
        del v.mine  # type: ignore[attr-defined]
