"""check_gradients: right gradients pass in every layout, each mistake gets its diagnosis, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

from micrograd_nn.checks.learner_backprop import DIAGNOSIS_KINDS, check_gradients, parameter_names
from micrograd_nn.checks.reference import ReferenceMLP
from micrograd_nn.nn import MLP


def _network(seed: int = 0, sizes: tuple[int, ...] = (3, 4, 2), activations=("tanh", "linear")) -> MLP:
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(n_in, n_out)) for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [rng.normal(size=(1, n_out)) for n_out in sizes[1:]]
    return MLP.from_matrices(weights, biases, list(activations))


def _data(seed: int = 1, rows: int = 5, nin: int = 3, nout: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, nin)), rng.normal(size=(rows, nout))


def _reference(model: MLP, X: np.ndarray, y: np.ndarray, loss: str) -> list[np.ndarray]:
    """[dW1, db1, dW2, db2] from the NumPy reference (an independent backward pass), layout inputs_by_neurons."""
    _, grads_w, grads_b = ReferenceMLP.from_mlp(model).loss_and_grads(X, y, loss)
    return [g for w, b in zip(grads_w, grads_b) for g in (w, b.reshape(1, -1))]


# -- right gradients pass ------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["mse", "half_sse", "sse"])
def test_right_gradients_pass_within_1e_9(loss: str) -> None:
    model, (X, y) = _network(), _data()
    report = check_gradients(_reference(model, X, y, loss), model, X, y, loss=loss)
    assert report.ok, str(report)
    assert report.mismatches == [] and report.diagnoses == []
    assert report.names == ["W1", "b1", "W2", "b2"]
    assert "OK, all 26 entries of W1, b1, W2, b2 agree" in str(report)


def test_every_layout_reads_its_own_shapes() -> None:
    model, (X, y) = _network(), _data()
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    assert check_gradients([W1.T, b1.T, W2.T, b2.T], model, X.T, y.T, layout="neurons_by_inputs").ok
    assert check_gradients([np.vstack([b1, W1]), np.vstack([b2, W2])], model, X, y, layout="bias_row_first").ok
    # nested lists, 1-D biases and a function returning the arrays are accepted too
    assert check_gradients(lambda: [W1.tolist(), b1.ravel(), W2, b2.ravel().tolist()], model, X, y).ok


def test_softmax_cross_entropy_takes_labels_or_one_hot_rows() -> None:
    model = _network(sizes=(3, 4, 3))
    X, _ = _data(nout=3)
    labels = np.array([0, 2, 1, 1, 0])
    right = _reference(model, X, labels, "softmax_cross_entropy")
    assert check_gradients(right, model, X, labels, loss="softmax_cross_entropy").ok
    assert check_gradients(right, model, X, np.eye(3)[labels], loss="softmax_cross_entropy").ok


def test_network_without_biases_has_only_weight_arrays() -> None:
    model = MLP.from_matrices([[[0.5, -1.0], [2.0, 0.25]], [[1.5], [-0.5]]], None, "sigmoid")
    assert parameter_names(model, "inputs_by_neurons") == ["W1", "W2"]
    X, y = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([1.0, 0.0])
    # by hand: E = 1/2 sum (o - y)^2, sigmoid layers, no biases
    h = 1 / (1 + np.exp(-(X @ np.array([[0.5, -1.0], [2.0, 0.25]]))))
    o = 1 / (1 + np.exp(-(h @ np.array([[1.5], [-0.5]]))))
    delta = (o - y[:, None]) * o * (1 - o)
    dW2 = h.T @ delta
    dW1 = X.T @ ((delta @ np.array([[1.5, -0.5]])) * h * (1 - h))
    assert check_gradients([dW1, dW2], model, X, y, loss="half_sse").ok


# -- tolerance ------------------------------------------------------------------------------------------------


def test_one_entry_off_by_1e_7_relative_is_found_exactly() -> None:
    model, (X, y) = _network(), _data()
    grads = _reference(model, X, y, "mse")
    engine_value = grads[2][1, 0]
    grads[2][1, 0] *= 1 + 1e-7
    report = check_gradients(grads, model, X, y)
    assert not report.ok
    assert len(report.mismatches) == 1
    (m,) = report.mismatches
    assert (m.parameter, m.index) == ("W2", (1, 0))
    assert m.mine == grads[2][1, 0] and m.engine == pytest.approx(engine_value, rel=1e-12)


def test_rounding_noise_below_the_tolerance_passes() -> None:
    model, (X, y) = _network(), _data()
    grads = [g * (1 + 1e-11) for g in _reference(model, X, y, "mse")]
    assert check_gradients(grads, model, X, y).ok


# -- each mistake gets its diagnosis ------------------------------------------------------------------------


def _diagnose(grads: list, model: MLP, X: np.ndarray, y: np.ndarray, **options) -> dict[str, list[str]]:
    report = check_gradients(grads, model, X, y, **options)
    assert not report.ok
    assert all(d.kind in DIAGNOSIS_KINDS for d in report.diagnoses)
    return {name: report.kinds(name) for name in report.names if report.kinds(name)}


def test_sign_flipped() -> None:
    model, (X, y) = _network(), _data()
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    report = check_gradients([W1, b1, -W2, b2], model, X, y)
    assert {n: report.kinds(n) for n in report.names if report.kinds(n)} == {"W2": ["sign"]}
    assert len(report.wrong("W2")) == W2.size
    assert "opposite sign" in str(report)


def test_factor_two_is_explained_as_half_the_squared_error() -> None:
    model, (X, y) = _network(), _data()
    grads = _reference(model, X, y, "half_sse")  # the learner differentiated 1/2 sum (p - y)^2
    report = check_gradients(grads, model, X, y, loss="sse")
    assert all(report.kinds(n) == ["factor"] for n in report.names)
    assert "0.5 times the engine's" in report.diagnoses[0].message and "half of it" in report.diagnoses[0].message


def test_factor_from_the_wrong_row_count_names_both_counts() -> None:
    model, (X, y) = _network(), _data(rows=5)
    grads = [g * 5 / 17 for g in _reference(model, X, y, "sse")]
    report = check_gradients(grads, model, X, y, loss="sse")
    assert report.kinds("W1") == ["factor"]
    assert "as if divided by 17 instead of 5" in report.diagnoses[0].message


def test_sum_instead_of_mean() -> None:
    model, (X, y) = _network(), _data(rows=5)
    grads = [g * 5 for g in _reference(model, X, y, "half_sse")]
    report = check_gradients(grads, model, X, y, loss="half_sse")
    assert report.kinds("b2") == ["factor"]
    assert "summed over the 5 rows instead of averaged" in report.diagnoses[0].message


def test_transposed_square_and_non_square() -> None:
    model = _network(sizes=(3, 3, 2))
    X, y = _data()
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    kinds = _diagnose([W1.T, b1, W2.T, b2], model, X, y)
    assert kinds == {"W1": ["transposed"], "W2": ["transposed"]}


def test_one_number_where_a_vector_is_due() -> None:
    model, (X, y) = _network(), _data()
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    report = check_gradients([W1, np.sum(b1), W2, b2], model, X, y)
    assert {n: report.kinds(n) for n in report.names if report.kinds(n)} == {"b1": ["shape"]}
    assert "one number where 4 are due" in report.diagnoses[0].message
    assert "np.sum without axis" in report.diagnoses[0].message


def test_a_shape_that_fits_nothing() -> None:
    model, (X, y) = _network(), _data()
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    report = check_gradients([W1[:2], b1, W2, b2], model, X, y)
    assert report.kinds("W1") == ["shape"]
    assert "(2, 4)" in report.diagnoses[0].message and "(3, 4)" in report.diagnoses[0].message
    assert len(report.wrong("W1")) == 12


@pytest.mark.parametrize("axis", [0, 1])
def test_one_factor_per_row_or_column(axis: int) -> None:
    model, (X, y) = _network(), _data()
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    scale = np.array([1.0, 2.0, -0.5, 3.0]) if axis == 0 else np.array([[1.0], [2.0], [-0.5]])
    kinds = _diagnose([W1 * scale, b1, W2, b2], model, X, y)
    assert kinds == {"W1": ["column_factor" if axis == 0 else "row_factor"]}


def test_neighbouring_weight_is_named_when_the_next_layer_has_one_output() -> None:
    """Hidden unit j's gradient uses the output weight of unit j - 1 (the bias for j = 0), as tutorial 004."""
    model = _network(sizes=(3, 4, 1), activations=("sigmoid", "linear"))
    X, y = _data(nout=1)
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    weights, biases = model.to_matrices()
    outgoing = np.concatenate([biases[1].ravel(), weights[1].ravel()])  # [bias, w1, ..., w4] of the output neuron
    shifted = outgoing[:4] / outgoing[1:]
    report = check_gradients([W1 * shifted, b1, W2, b2], model, X, y)
    assert {n: report.kinds(n) for n in report.names if report.kinds(n)} == {"W1": ["column_factor"]}
    message = next(d.message for d in report.diagnoses if d.parameter == "W1")
    assert "neuron before it" in message


def test_missing_layer_as_none_or_zeros() -> None:
    model, (X, y) = _network(), _data()
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    report = check_gradients([None, np.zeros_like(b1), W2, b2], model, X, y)
    assert report.kinds("W1") == ["missing"] and report.kinds("b1") == ["missing"]
    assert report.kinds("W2") == [] and report.kinds("b2") == []
    assert "W1[0, 0]: yours none" in str(report)


def test_gradient_of_another_loss() -> None:
    model = _network(sizes=(3, 4, 3))
    X, _ = _data(nout=3)
    labels = np.array([0, 2, 1, 1, 0])
    cross_entropy = _reference(model, X, labels, "softmax_cross_entropy")
    report = check_gradients(cross_entropy, model, X, labels, loss="softmax_mse")
    assert all(report.kinds(n) == ["loss"] for n in report.names)
    assert "softmax cross-entropy" in report.diagnoses[0].message


def test_no_pattern_is_said_so() -> None:
    model, (X, y) = _network(), _data()
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    noisy = W1 + np.random.default_rng(5).normal(size=W1.shape)
    assert _diagnose([noisy, b1, W2, b2], model, X, y) == {"W1": ["unexplained"]}


# -- bad input -------------------------------------------------------------------------------------------------


def test_wrong_number_of_arrays_names_the_order() -> None:
    model, (X, y) = _network(), _data()
    with pytest.raises(ValueError, match=r"got 3 arrays .* need 4, in the order W1, b1, W2, b2"):
        check_gradients(_reference(model, X, y, "mse")[:3], model, X, y)


@pytest.mark.parametrize("where", ["mine", "X", "y"])
def test_non_finite_numbers_are_refused(where: str) -> None:
    model, (X, y) = _network(), _data()
    grads = _reference(model, X, y, "mse")
    if where == "mine":
        grads[1][0, 2] = np.nan
        match = r"b1\[0, 2\] is nan"
    elif where == "X":
        X[3, 1] = np.inf
        match = r"X\[3, 1\] is inf"
    else:
        y[0, 0] = -np.inf
        match = r"y\[0, 0\] is -inf"
    with pytest.raises(ValueError, match=match):
        check_gradients(grads, model, X, y)


def test_unknown_layout_and_loss() -> None:
    model, (X, y) = _network(), _data()
    with pytest.raises(ValueError, match="unknown layout 'rows_first'"):
        check_gradients([], model, X, y, layout="rows_first")
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        check_gradients([], model, X, y, loss="l1")


def test_samples_in_the_wrong_orientation_get_a_hint() -> None:
    model, (X, y) = _network(), _data()
    with pytest.raises(ValueError, match=r"X has shape \(3, 5\).*pass X.T"):
        check_gradients(_reference(model, X, y, "mse"), model, X.T, y)
    with pytest.raises(ValueError, match=r"y holds|y has shape \(5, 3\)"):
        check_gradients(_reference(model, X, y, "mse"), model, X, np.zeros((5, 3)))


def test_a_loss_of_your_own_is_used_and_named() -> None:
    from micrograd_nn.training import losses

    def my_squared_error(predictions, targets):
        return losses.sse(predictions, targets) * 0.25

    model, (X, y) = _network(), _data()
    half = _reference(model, X, y, "half_sse")
    assert check_gradients([g * 0.5 for g in half], model, X, y, loss=my_squared_error).ok
    report = check_gradients(half, model, X, y, loss=my_squared_error)
    assert report.kinds("W1") == ["factor"] and "my_squared_error" in str(report)


def test_bias_row_first_needs_a_network_with_biases_and_mine_must_be_a_list() -> None:
    model = MLP.from_matrices([[[1.0, 2.0]], [[1.0], [0.5]]], None, "tanh")
    X, y = np.array([[0.5]]), np.array([1.0])
    with pytest.raises(ValueError, match="'bias_row_first' keeps biases in row 0, but this network has none"):
        check_gradients([None, None], model, X, y, layout="bias_row_first")
    with pytest.raises(ValueError, match="mine must be a list of arrays in the order W1, W2"):
        check_gradients(np.zeros((2, 2)), model, X, y)
    with pytest.raises(ValueError, match="rtol must be a number in"):
        check_gradients([None, None], model, X, y, rtol=0)


def test_neighbouring_weight_in_neurons_by_inputs_is_a_row_factor() -> None:
    """The same slip as tutorial 004 with samples as columns: each hidden neuron is a row of W1."""
    model = _network(sizes=(3, 4, 1), activations=("sigmoid", "linear"))
    X, y = _data(nout=1)
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    weights, biases = model.to_matrices()
    outgoing = np.concatenate([biases[1].ravel(), weights[1].ravel()])
    shifted = (outgoing[:4] / outgoing[1:]).reshape(-1, 1)
    report = check_gradients([W1.T * shifted, b1.T, W2.T, b2.T], model, X.T, y.T, layout="neurons_by_inputs")
    assert {n: report.kinds(n) for n in report.names if report.kinds(n)} == {"W1": ["row_factor"]}
    assert "neuron before it" in report.diagnoses[0].message


# -- each message fits the loss, the layout and the layer ---------------------------------------------------


def _labelled(rows: int = 5) -> tuple[MLP, np.ndarray, np.ndarray]:
    model = _network(sizes=(3, 4, 3))
    X, _ = _data(rows=rows, nout=3)
    return model, X, np.arange(rows) % 3


def test_factor_two_under_cross_entropy_is_not_called_a_squared_error() -> None:
    model, X, labels = _labelled()
    grads = [2 * g for g in _reference(model, X, labels, "softmax_cross_entropy")]  # dZ2 = 2 (P - Y) / n
    report = check_gradients(grads, model, X, labels, loss="softmax_cross_entropy")
    assert all(report.kinds(n) == ["factor"] for n in report.names)
    message = report.diagnoses[0].message
    assert message.startswith("every entry of W1 is 2 times the engine's")
    assert "squared" not in message and "half of it" not in message


def test_factor_equal_to_the_row_count_says_summed_and_squared_error_only_where_it_fits() -> None:
    model, (X, y) = _network(), _data(rows=2)
    report = check_gradients([2 * g for g in _reference(model, X, y, "mse")], model, X, y, loss="mse")
    message = report.diagnoses[0].message
    assert "summed over the 2 rows instead of averaged" in message and "half of it" in message
    model, X, labels = _labelled(rows=2)
    grads = [2 * g for g in _reference(model, X, labels, "softmax_cross_entropy")]
    message = check_gradients(grads, model, X, labels, loss="softmax_cross_entropy").diagnoses[0].message
    assert "summed over the 2 rows instead of averaged" in message and "squared" not in message


def test_samples_are_called_columns_in_neurons_by_inputs() -> None:
    model, (X, y) = _network(), _data(rows=5)
    for scale, words in ((5 / 17, "the number of columns checked"), (5, "summed over the 5 columns instead of")):
        grads = [g.T * scale for g in _reference(model, X, y, "sse")]
        report = check_gradients(grads, model, X.T, y.T, loss="sse", layout="neurons_by_inputs")
        assert report.kinds("W1") == ["factor"]
        assert words in report.diagnoses[0].message and " rows" not in str(report)
        assert "layout 'neurons_by_inputs', 5 columns:" in str(report)


def _rolled_output_weight_gradients(model: MLP, X: np.ndarray, y: np.ndarray, shift: int) -> list[np.ndarray]:
    """A tanh-linear network's mse backward pass by hand, hidden neuron j using np.roll(W2, shift)[j]."""
    (W1, W2), (b1, b2) = model.to_matrices()
    H = np.tanh(X @ W1 + b1)
    d_out = 2 * (H @ W2 + b2 - y.reshape(-1, 1)) / len(X)
    d_hidden = (d_out @ np.roll(W2, shift).T) * (1 - H**2)
    return [X.T @ d_hidden, d_hidden.sum(axis=0, keepdims=True), H.T @ d_out, d_out.sum(axis=0, keepdims=True)]


@pytest.mark.parametrize(("shift", "neighbour"), [(1, "before it"), (-1, "after it")])
def test_a_rolled_output_weight_gets_the_same_diagnosis_in_the_bias(shift: int, neighbour: str) -> None:
    model = _network(sizes=(3, 4, 1))
    X, y = _data(nout=1)
    report = check_gradients(_rolled_output_weight_gradients(model, X, y, shift), model, X, y)
    assert {n: report.kinds(n) for n in report.names if report.kinds(n)} == {
        "W1": ["column_factor"],
        "b1": ["column_factor"],
    }
    for d in report.diagnoses:
        assert f"W2 gives the neuron {neighbour} instead of its own" in d.message
        assert f"np.roll(W, {shift})" in d.message


def test_a_factor_per_neuron_without_a_known_slip_is_only_likely_a_neighbour() -> None:
    model, (X, y) = _network(), _data()
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    report = check_gradients([W1 * np.array([1.0, 2.0, -0.5, 3.0]), b1, W2, b2], model, X, y)
    (diagnosis,) = report.diagnoses
    assert diagnosis.message == (
        "each column of W1 is the engine's times its own factor [1, 2, -0.5, 3]; one factor per neuron often "
        "means a neighbouring weight of the next layer was used"
    )
    # a bias scaled per neuron by factors that are no neighbour's weights is not explained by them
    report = check_gradients([W1, b1 * np.array([1.0, 2.0, -0.5, 3.0]), W2, b2], model, X, y)
    assert report.kinds("b1") == ["unexplained"]


def test_missing_output_layer_gets_a_hint_for_the_output_layer() -> None:
    model, (X, y) = _network(), _data()
    W1, b1, W2, b2 = _reference(model, X, y, "mse")
    report = check_gradients([W1, b1, np.zeros_like(W2), b2], model, X, y)
    (diagnosis,) = report.diagnoses
    assert (diagnosis.kind, diagnosis.parameter) == ("missing", "W2")
    assert "layer 2 is the output layer, where the backward pass starts" in diagnosis.message
    assert "next layer" not in diagnosis.message
    hidden = check_gradients([np.zeros_like(W1), b1, W2, b2], model, X, y).diagnoses[0].message
    assert "carry the delta on through the next layer's weights" in hidden


def test_a_loss_that_does_not_fit_the_output_is_a_value_error_naming_both() -> None:
    model, (X, y) = _network(sizes=(3, 4, 1)), _data(nout=1)
    labels = (y > 0).astype(float)
    with pytest.raises(ValueError) as caught:
        check_gradients(_reference(model, X, y, "mse"), model, X, labels, loss="binary_cross_entropy")
    assert type(caught.value) is ValueError
    message = str(caught.value)
    assert message.startswith("check_gradients: loss 'binary_cross_entropy' failed on this network's outputs")
    assert "output activation 'linear'" in message
    assert "binary_cross_entropy_with_logits" in message and "sigmoid output layer" in message


@pytest.mark.parametrize("mine", ["abc", b"abcd", "W1b1W2b2"])
def test_a_string_is_not_a_list_of_arrays(mine) -> None:
    model, (X, y) = _network(), _data()
    with pytest.raises(
        TypeError, match=r"mine must be a list of arrays in the order W1, b1, W2, b2, got the (str|bytes)"
    ):
        check_gradients(mine, model, X, y)


# -- an activation slope taken at the wrong quantity ---------------------------------------------------------


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _hand_backward(model: MLP, X: np.ndarray, y: np.ndarray, slopes) -> list[np.ndarray]:
    """A learner's backward pass of E = 1/2 sum (A2 - y)^2 for a 2-layer network: slopes[k](Z, A) is layer k's."""
    (W1, W2), (b1, b2) = model.to_matrices()
    activate = {"tanh": np.tanh, "sigmoid": _sigmoid, "linear": lambda z: z}
    Z1 = X @ W1 + b1
    A1 = activate[model.layers[0].neurons[0].activation](Z1)
    Z2 = A1 @ W2 + b2
    A2 = activate[model.layers[1].neurons[0].activation](Z2)
    delta2 = (A2 - y.reshape(A2.shape)) * slopes[1](Z2, A2)
    delta1 = (delta2 @ W2.T) * slopes[0](Z1, A1)
    return [X.T @ delta1, delta1.sum(axis=0, keepdims=True), A1.T @ delta2, delta2.sum(axis=0, keepdims=True)]


def _slope_report(report) -> dict[str, list[str]]:
    return {n: report.kinds(n) for n in report.names if report.kinds(n)}


def test_tanh_slope_written_with_z_instead_of_a() -> None:
    model, (X, y) = _network(), _data()
    right = _hand_backward(model, X, y, [lambda z, a: 1 - a**2, lambda z, a: 1.0])
    assert check_gradients(right, model, X, y, loss="half_sse").ok
    slipped = _hand_backward(model, X, y, [lambda z, a: 1 - z**2, lambda z, a: 1.0])
    report = check_gradients(slipped, model, X, y, loss="half_sse")
    assert _slope_report(report) == {"W1": ["activation_slope"], "b1": ["activation_slope"]}
    assert report.diagnoses[0].message == (
        "W1 matches a backward pass where layer 1's tanh slope was computed as 1 - Z1^2: 1 - A^2 is tanh's slope "
        "written with the layer's output A1 = tanh(Z1), so it takes A1, not Z1: use 1 - A1^2 (= tanh'(Z1))"
    )
    # the same slip with samples as columns
    columns = check_gradients([g.T for g in slipped], model, X.T, y.T, loss="half_sse", layout="neurons_by_inputs")
    assert _slope_report(columns) == {"W1": ["activation_slope"], "b1": ["activation_slope"]}


def test_sigmoid_derivative_applied_to_the_activated_output() -> None:
    """s(s(z))(1 - s(s(z))) where s(z)(1 - s(z)) is due, at the output: every layer's gradient carries it."""
    model = _network(sizes=(3, 4, 1), activations=("tanh", "sigmoid"))
    X, _ = _data(nout=1)
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    twice = [lambda z, a: 1 - a**2, lambda z, a: _sigmoid(a) * (1 - _sigmoid(a))]
    report = check_gradients(_hand_backward(model, X, y, twice), model, X, y, loss="half_sse")
    assert _slope_report(report) == {n: ["activation_slope"] for n in ("W1", "b1", "W2", "b2")}
    message = report.diagnoses[0].message
    assert "layer 2's sigmoid slope was computed as sigmoid'(A2) = s(A2) (1 - s(A2))" in message
    assert "the slope must be taken at the layer's input Z2: sigmoid'(Z2) = A2 (1 - A2)" in message
    # in the layout with the bias as row 0 of each W
    rows_first = [np.vstack([b, w]) for w, b in zip(*[iter(_hand_backward(model, X, y, twice))] * 2)]
    report = check_gradients(rows_first, model, X, y, loss="half_sse", layout="bias_row_first")
    assert _slope_report(report) == {"W1": ["activation_slope"], "W2": ["activation_slope"]}


def test_sigmoid_prime_of_the_sum_in_a_network_without_biases() -> None:
    """Tutorial 003's readers' worry: the output's slope computed as Z (1 - Z) on the sum Z, not on A = s(Z)."""
    W1, W2 = np.array([[0.4, -0.7, 0.2], [0.9, 0.1, -0.5]]), np.array([[0.3], [-0.8], [0.6]])
    model = MLP.from_matrices([W1, W2], None, "sigmoid")
    X, y = np.array([[2 / 3, 1.0], [1 / 3, 5 / 9], [1.0, 2 / 3]]), np.array([0.92, 0.86, 0.89])
    h = _sigmoid(X @ W1)
    z = h @ W2
    delta = (_sigmoid(z) - y[:, None]) * z * (1 - z)
    report = check_gradients([X.T @ ((delta @ W2.T) * h * (1 - h)), h.T @ delta], model, X, y, loss="half_sse")
    assert _slope_report(report) == {"W1": ["activation_slope"], "W2": ["activation_slope"]}
    assert "layer 2's sigmoid slope was computed as Z2 (1 - Z2)" in report.diagnoses[1].message
    assert "use A2 (1 - A2) (= sigmoid'(Z2))" in report.diagnoses[1].message


def test_a_loss_function_returning_a_float_says_it_must_return_a_value() -> None:
    """Before: AttributeError: 'float' object has no attribute 'backward'; fit's message is used instead."""
    model, (X, y) = _network(), _data()

    def float_loss(predictions, targets):
        return sum((p.data - t) ** 2 for row, trow in zip(predictions, targets) for p, t in zip(row, trow))

    with pytest.raises(TypeError, match=r"^check_gradients: the loss function must return a Value, got float$"):
        check_gradients(_reference(model, X, y, "mse"), model, X, y, loss=float_loss)
