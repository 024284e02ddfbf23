"""Users' arrays: complex, string, bool, object and too-large entries are refused by name and position, never cut."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest

from micrograd_nn.arrays import ArrayEntryError, real_array
from micrograd_nn.checks.learner_backprop import check_gradients
from micrograd_nn.checks.reference import ReferenceMLP
from micrograd_nn.nn import MLP

W1 = np.array([[0.1, -0.4, 0.3], [0.7, 0.2, -0.6]])
W2 = np.array([[0.5], [-0.3], [0.8]])
X = np.array([[0.5, 1.0], [1.0, -0.5], [0.0, 2.0]])
Y = np.array([1.0, 0.0, 1.0])


def _right_gradients() -> list[np.ndarray]:
    model = MLP.from_matrices([W1, W2], None, ["sigmoid", "linear"])
    _, grads_w, _ = ReferenceMLP.from_mlp(model).loss_and_grads(X, Y, "half_sse")
    return grads_w


def test_reading_real_arrays_keeps_every_number() -> None:
    assert real_array(np.array([[1, 2]], dtype=np.int64), "W1", "f").tolist() == [[1.0, 2.0]]
    assert real_array([[np.float32(0.5), Fraction(1, 4), 3]], "W1", "f").tolist() == [[0.5, 0.25, 3.0]]
    assert real_array([np.array([0.1, 0.2])], "W1", "f").tolist() == [[0.1, 0.2]]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.array([[0.1, 0.2 + 1j, 0.3], [0.7, 0.2, -0.6]]), r"W1\[0, 1\] is the complex number \(0.2\+1j\)"),
        (np.array([[0.1, 0.2, 0.3], [0.7, 0.2, -0.6]], dtype=complex), r"W1\[0, 0\] is the complex number"),
        ([[0.1, "0.1", 0.3], [0.7, 0.2, -0.6]], r"W1\[0, 1\] is the string '0.1'"),
        (np.array([["0.1", "0.2", "0.3"], ["0.7", "0.2", "-0.6"]]), r"W1\[0, 0\] is the string '0.1'"),
        ([[0.1, -0.4, 0.3], [0.7, True, -0.6]], r"W1\[1, 1\] is True \(a bool"),
        (np.ones((2, 3), dtype=bool), r"W1\[0, 0\] is True \(a bool"),
        ([[0.1, -0.4, None], [0.7, 0.2, -0.6]], r"W1\[0, 2\] is NoneType 'None', not a number"),
        ([[0.1, -0.4, 10**400], [0.7, 0.2, -0.6]], r"W1\[0, 2\] is a whole number of 401 digits, too large"),
    ],
)
def test_from_matrices_refuses_entries_that_are_not_real_numbers(bad, message: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning on the way: nothing is cut
        with pytest.raises(ArrayEntryError, match="^from_matrices: " + message):
            MLP.from_matrices([bad, W2], None, ["sigmoid", "linear"])


def test_the_refusal_is_both_a_type_error_and_a_value_error() -> None:
    for kind in (TypeError, ValueError):
        with pytest.raises(kind, match=r"^from_matrices: b2\[0\] is the string '1'"):
            MLP.from_matrices([W1, W2], [[0.0, 0.0, 0.0], ["1"]], ["sigmoid", "linear"])


def test_a_complex_gradient_is_refused_not_passed() -> None:
    """Before: np.array(mine, dtype=float) kept the real part, and the report said ok."""
    model = MLP.from_matrices([W1, W2], None, ["sigmoid", "linear"])
    grads = _right_gradients()
    assert check_gradients(grads, model, X, Y, loss="half_sse").ok
    grads[1] = grads[1] + np.array([[0.0], [1j], [0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ArrayEntryError, match=r"^check_gradients: W2\[1, 0\] is the complex number"):
            check_gradients(grads, model, X, Y, loss="half_sse")


@pytest.mark.parametrize(
    ("argument", "bad", "message"),
    [
        ("X", X.astype(complex), r"X\[0, 0\] is the complex number \(0.5\+0j\)"),
        ("X", [[0.5, 1.0], [1.0, "-0.5"], [0.0, 2.0]], r"X\[1, 1\] is the string '-0.5'"),
        ("X", np.array([[0.5, 1.0], [1.0, -0.5], [0.0, object()]], dtype=object), r"X\[2, 1\] is object"),
        ("y", np.array([True, False, True]), r"y\[0\] is True \(a bool"),
        ("y", [1.0, 0.0, 1 + 0j], r"y\[2\] is the complex number"),
    ],
)
def test_check_gradients_names_the_bad_argument_and_entry(argument: str, bad, message: str) -> None:
    model = MLP.from_matrices([W1, W2], None, ["sigmoid", "linear"])
    data = {"X": X, "y": Y, argument: bad}
    with pytest.raises(ArrayEntryError, match="^check_gradients: " + message):
        check_gradients(_right_gradients(), model, data["X"], data["y"], loss="half_sse")
