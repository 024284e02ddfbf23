"""gradcheck itself: passes right gradients, catches wrong ones, names what is wrong."""

import dataclasses
import math

import pytest

from micrograd_nn import Value, rules
from micrograd_nn.checks.finite_differences import GradcheckError, central_difference, gradcheck, gradient_mismatches


def test_central_difference_of_a_cubic() -> None:
    assert central_difference(lambda x: x[0] ** 3, [2.0], 0, 1e-4) == pytest.approx(12.0, abs=1e-6)


def test_passes_a_correct_function_and_leaves_inputs_alone() -> None:
    a = Value(0.7)
    assert gradcheck(lambda x, y: (x * y).tanh() + x.exp() / y, [a, 1.3])
    assert a.grad == 0.0


def test_catches_a_wrong_rule_and_names_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = dataclasses.replace(rules.OPS["sin"], rule=lambda a: (math.sin(a), (-math.cos(a),)))
    monkeypatch.setitem(rules.OPS, "sin", wrong)
    mismatches = gradient_mismatches(lambda x, y: x.sin() * y, [0.5, 2.0])
    assert [m.index for m in mismatches] == [0]
    assert mismatches[0].analytic == pytest.approx(-2 * math.cos(0.5))
    assert mismatches[0].numeric == pytest.approx(2 * math.cos(0.5))
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(lambda x, y: x.sin() * y, [0.5, 2.0])


def test_f_must_return_a_value() -> None:
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 1.0, [0.5])  # type: ignore[arg-type,return-value]
