"""Every derivative rule in the table against central differences of its own forward function."""

import dataclasses
import math

import pytest
from hypothesis import given
from strategies import RULE_ARGUMENTS

from micrograd_nn import rules
from micrograd_nn.checks.finite_differences import GradcheckError, check_rule


def test_every_rule_has_a_strategy() -> None:
    assert set(RULE_ARGUMENTS) == set(rules.OPS)


@pytest.mark.parametrize("op", sorted(rules.OPS))
def test_rule_matches_central_differences(op: str) -> None:
    @given(RULE_ARGUMENTS[op])
    def check(args: tuple[float, ...]) -> None:
        out, local_grads = rules.op_record(op).rule(*args)
        assert len(local_grads) == len(args)
        if op == "**" and args[0] < 0:
            # d/db of a negative base is nan by convention; check d/da only
            assert math.isnan(local_grads[1])
            assert check_rule_first_operand(args)
            return
        assert check_rule(op, args)

    check()


def check_rule_first_operand(args: tuple[float, ...]) -> bool:
    a, b = args
    eps = 1e-6
    numeric = ((a + eps) ** b - (a - eps) ** b) / (2 * eps)
    analytic = rules.power(a, b)[1][0]
    return abs(analytic - numeric) <= 1e-5 + 1e-3 * abs(numeric)


def test_leaky_relu_rule_takes_the_slope_second() -> None:
    assert rules.leaky_relu(-2.0, 0.2) == (pytest.approx(-0.4), (0.2, -2.0))
    assert rules.leaky_relu(3.0, 0.2) == (3.0, (1.0, 0.0))


def test_check_rule_catches_a_wrong_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = dataclasses.replace(rules.OPS["tanh"], rule=lambda a: (math.tanh(a), (1.0 + math.tanh(a) ** 2,)))
    monkeypatch.setitem(rules.OPS, "tanh", wrong)
    with pytest.raises(GradcheckError, match="tanh"):
        check_rule("tanh", (0.5,))


def test_unknown_op_is_named() -> None:
    with pytest.raises(KeyError, match="no record for op 'frobnicate' in rules.OPS"):
        rules.op_record("frobnicate")


def test_the_old_lookup_names_warn_and_read_ops(monkeypatch: pytest.MonkeyPatch) -> None:
    """rules.RULES and rules.rule_for were a second way to find an op's rule: they warn, naming OPS, and still work."""
    with pytest.warns(DeprecationWarning, match=r"rules.rule_for is deprecated: use rules.op_record\(name\).rule"):
        assert rules.rule_for("tanh")(0.0) == (0.0, (1.0,))
    with pytest.warns(DeprecationWarning, match="rules.RULES is deprecated: use rules.OPS") as record:
        table = rules.RULES
    assert record[0].filename == __file__  # the warning names the line that used the old name, on both engines
    planted = lambda a: (2.0 * a, (2.0,))  # noqa: E731
    monkeypatch.setitem(table, "neg", planted)  # writes through to OPS, as it did
    assert rules.OPS["neg"].rule is planted and table["neg"] is planted and len(table) == len(rules.OPS)
    with pytest.raises(AttributeError, match="no attribute 'RULE'"):
        rules.RULE  # noqa: B018


def test_stable_squashing_at_extremes() -> None:
    assert rules.sigmoid(-1000.0) == (0.0, (0.0,))
    assert rules.sigmoid(1000.0) == (1.0, (0.0,))
    assert rules.tanh(-1000.0) == (-1.0, (0.0,))
    assert rules.softplus(1000.0) == (1000.0, (1.0,))
    assert rules.softplus(-1000.0) == (0.0, (0.0,))
    out, (slope,) = rules.softplus(0.0)
    assert out == pytest.approx(math.log(2.0)) and slope == 0.5


def test_missing_rule_in_the_table_is_named() -> None:
    with pytest.raises(KeyError, match="no record for op 'tan' in rules.OPS"):
        rules.op_record("tan")
