"""Neuron, Layer and MLP: micrograd's shapes and defaults, options, fused and unfused paths."""

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_nn import MLP, Layer, Neuron, Value
from micrograd_nn.engine import topological_order


def test_micrograd_moons_model_has_337_parameters() -> None:
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    assert [layer.neurons[0].activation for layer in model.layers] == ["relu", "relu", "linear"]


def test_same_weights_as_micrograd_from_the_same_seed() -> None:
    random.seed(1337)
    model = MLP(2, [3, 1])
    random.seed(1337)
    expected = [random.uniform(-1, 1) for _ in range(2)]  # micrograd draws w1, w2 of neuron 1 first
    assert [w.data for w in model.layers[0].neurons[0].w] == expected
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


def test_output_is_a_value_for_one_output_and_a_list_otherwise() -> None:
    assert isinstance(MLP(3, [4, 1], rng=0)([1.0, 2.0, 3.0]), Value)
    out = MLP(3, [4, 2], rng=0)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(Layer(2, 1, rng=0)([1.0, 2.0]), Value)


def test_neuron_computes_weighted_sum_then_activation() -> None:
    n = Neuron(2, rng=3)
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -2.0, 0.25
    assert n([1.0, 1.0]).data == 0.0  # relu(0.5 - 2 + 0.25) = relu(-1.25)
    assert Neuron(2, nonlin=False, rng=3)([0.0, 0.0]).data == 0.0
    lin = Neuron(2, activation="tanh", rng=3)
    lin.w[0].data, lin.w[1].data = 1.0, 1.0
    assert lin([0.2, 0.3]).data == pytest.approx(math.tanh(0.5))


@pytest.mark.parametrize("size", [1, 3])
def test_wrong_number_of_inputs_says_how_many(size: int) -> None:
    model = MLP(2, [3, 1], rng=0)
    with pytest.raises(ValueError, match=f"expects 2 inputs, got {size}"):
        model([1.0] * size)
    with pytest.raises(ValueError, match="expects 2 inputs"):
        model.layers[0].neurons[0]([1.0] * size)


def test_non_numeric_input_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="str"):
        MLP(2, [1], rng=0)([1.0, "a"])


def test_seed_makes_weights_reproducible() -> None:
    a = [p.data for p in MLP(3, [5, 2], rng=42).parameters()]
    b = [p.data for p in MLP(3, [5, 2], rng=random.Random(42)).parameters()]
    c = [p.data for p in MLP(3, [5, 2], rng=43).parameters()]
    assert a == b and a != c


def test_initialisations_have_their_scales() -> None:
    xavier = MLP(100, [50], init="xavier", rng=0).layers[0]
    limit = math.sqrt(6 / 150)
    ws = [w.data for n in xavier.neurons for w in n.w]
    assert max(abs(w) for w in ws) <= limit and max(abs(w) for w in ws) > 0.9 * limit
    he = [w.data for n in MLP(200, [50], init="he", rng=0).layers[0].neurons for w in n.w]
    std = math.sqrt(sum(w * w for w in he) / len(he))
    assert std == pytest.approx(math.sqrt(2 / 200), rel=0.05)
    uniform = [p.data for p in MLP(10, [10], rng=0).parameters()]
    assert max(abs(w) for w in uniform) <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"activation": "swish"}, "unknown activation"), ({"init": "zeros"}, "unknown init"), ({"rng": "x"}, "rng")],
)
def test_bad_options_are_refused(kwargs: dict, pattern: str) -> None:
    with pytest.raises((ValueError, TypeError), match=pattern):
        MLP(2, [2, 1], **kwargs)


def test_zero_grad_and_labels() -> None:
    model = MLP(2, [2, 1], rng=0)
    out = model([1.0, -1.0])
    out.backward()
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    labels = [p.label for p in model.parameters()]
    assert labels[:3] == ["L1.n1.w1", "L1.n1.w2", "L1.n1.b"] and labels[-1] == "L2.n1.b"


def test_inputs_become_labelled_leaves_shared_by_all_neurons() -> None:
    out = MLP(2, [3, 1], rng=0)([0.5, -0.5])
    inputs = [n for n in topological_order(out) if n.label in ("x1", "x2")]
    assert [n.label for n in inputs].count("x1") == 1 and len(inputs) == 2


def test_reprs_are_readable() -> None:
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2 -> 16 relu -> 16 relu -> 1 linear, 337 parameters)"
    assert repr(Layer(2, 3, activation="tanh")) == "Layer(2 -> 3, tanh)"
    assert repr(Neuron(4, nonlin=False)) == "Neuron(4 inputs, linear)"


@given(
    nin=st.integers(1, 4),
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu", "linear"]),
    seed=st.integers(0, 10_000),
    bias=st.booleans(),
)
def test_fused_and_unfused_paths_agree(nin: int, sizes: list[int], activation: str, seed: int, bias: bool) -> None:
    plain = MLP(nin, sizes, activation=activation, rng=seed, bias=bias)
    fused = MLP(nin, sizes, activation=activation, rng=seed, fused=True, bias=bias)
    x = [random.Random(seed).uniform(-2, 2) for _ in range(nin)]
    outs_plain, outs_fused = plain.forward(x), fused.forward(x)
    Value.sum(outs_plain).backward()
    Value.sum(outs_fused).backward()
    for a, b in zip(outs_plain, outs_fused):
        assert a.data == pytest.approx(b.data, rel=1e-12, abs=1e-12)
    for p, q in zip(plain.parameters(), fused.parameters()):
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-12)


# -- from and to the tutorials' matrices ---------------------------------------------------------------------


def _matrices(seed: int = 0) -> tuple[list, list]:
    import numpy as np

    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(4, 5)), rng.normal(size=(5, 3)), rng.normal(size=(3, 1))]
    biases = [rng.normal(size=(1, 5)), rng.normal(size=(1, 3)), rng.normal(size=(1, 1))]
    return weights, biases


def test_from_matrices_computes_x_at_w_plus_b_layer_by_layer() -> None:
    import numpy as np

    weights, biases = _matrices()
    model = MLP.from_matrices(weights, biases, ["tanh", "sigmoid", "linear"])
    x = np.array([0.5, -1.0, 2.0, 0.25])
    a = np.tanh(x @ weights[0] + biases[0])
    a = 1 / (1 + np.exp(-(a @ weights[1] + biases[1])))
    expected = (a @ weights[2] + biases[2]).item()
    assert model(x.tolist()).data == pytest.approx(expected, rel=1e-13)
    assert [layer.neurons[0].activation for layer in model.layers] == ["tanh", "sigmoid", "linear"]
    assert len(model.parameters()) == 4 * 5 + 5 + 5 * 3 + 3 + 3 + 1


@pytest.mark.parametrize("layout", ["inputs_by_neurons", "neurons_by_inputs", "bias_row_first"])
def test_round_trip_is_exact_in_every_layout(layout: str) -> None:
    import numpy as np

    weights, biases = _matrices()
    model = MLP.from_matrices(weights, biases, "relu")
    out_w, out_b = model.to_matrices(layout)
    again = MLP.from_matrices(out_w, out_b, "relu", layout=layout)
    assert [p.data for p in again.parameters()] == [p.data for p in model.parameters()]
    back_w, back_b = again.to_matrices(layout)
    assert all(np.array_equal(a, b) for a, b in zip(out_w, back_w))
    if layout == "bias_row_first":
        assert out_b is None and [w.shape for w in out_w] == [(5, 5), (6, 3), (4, 1)]
        assert np.array_equal(out_w[0][0], biases[0][0]) and np.array_equal(out_w[0][1:], weights[0])
    elif layout == "neurons_by_inputs":
        assert [w.shape for w in out_w] == [(5, 4), (3, 5), (1, 3)]
        assert [b.shape for b in out_b] == [(5, 1), (3, 1), (1, 1)]
        assert np.array_equal(out_w[1], weights[1].T)
    else:
        assert all(np.array_equal(a, b) for a, b in zip(out_w, weights))
        assert all(np.array_equal(a, b) for a, b in zip(out_b, biases))


def test_neurons_by_inputs_and_bias_row_first_compute_the_same_network() -> None:
    weights, biases = _matrices()
    reference = MLP.from_matrices(weights, biases, "sigmoid")
    columns = MLP.from_matrices([w.T for w in weights], [b.T for b in biases], "sigmoid", layout="neurons_by_inputs")
    import numpy as np

    rows_first = MLP.from_matrices(
        [np.vstack([b, w]) for w, b in zip(weights, biases)], None, "sigmoid", layout="bias_row_first"
    )
    x = [0.1, 0.2, -0.3, 0.4]
    assert columns(x).data == reference(x).data == rows_first(x).data


def test_biases_none_builds_neurons_without_a_bias_parameter() -> None:
    weights, _ = _matrices()
    model = MLP.from_matrices(weights, None, "sigmoid", fused=False)
    assert all(n.b is None for layer in model.layers for n in layer.neurons)
    assert len(model.parameters()) == 4 * 5 + 5 * 3 + 3 * 1 and not model.has_biases
    out = model([1.0, 0.0, 0.0, 0.0])
    assert out.data == pytest.approx(MLP.from_matrices(weights, None, "sigmoid", fused=True)([1.0, 0, 0, 0]).data)
    out.backward()
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    out_w, out_b = model.to_matrices()
    assert out_b is None and all((a == b).all() for a, b in zip(out_w, weights))
    with pytest.raises(ValueError, match="no biases.*bias_row_first"):
        model.to_matrices("bias_row_first")
    assert "no bias" in repr(model.layers[0].neurons[0])


def test_micrograd_default_keeps_biases() -> None:
    model = MLP(2, [3, 1], bias=True, rng=0)
    assert model.has_biases and len(model.parameters()) == 13
    assert len(MLP(2, [3, 1], bias=False, rng=0).parameters()) == 9


def test_to_matrices_gradients_reads_grad_in_the_same_places() -> None:
    weights, biases = _matrices()
    model = MLP.from_matrices(weights, biases, "tanh")
    model([0.5, 0.5, -0.5, 1.0]).backward()
    grads_w, grads_b = model.to_matrices("neurons_by_inputs", gradients=True)
    neuron = model.layers[1].neurons[2]
    assert grads_w[1][2, 4] == neuron.w[4].grad and grads_b[1][2, 0] == neuron.b.grad


@pytest.mark.parametrize(
    ("weights", "biases", "options", "message"),
    [
        ([[[1.0, 2.0]], [[1.0], [2.0], [3.0]]], None, {}, r"W2 has shape \(3, 1\) but W1 gives 2 outputs"),
        ([[[1.0, 2.0]]], [[1.0, 2.0, 3.0]], {}, r"b1 has shape \(3,\) \(3 numbers\) but W1 has 2 neurons"),
        ([[[1.0, 2.0]]], [[1.0, 2.0], [3.0]], {}, "1 weight matrices but 2 bias vectors"),
        ([[[1.0, 2.0]]], [[[1.0, 2.0], [3.0, 4.0]]], {}, r"b1 has shape \(2, 2\); a bias must be a vector"),
        ([[1.0, 2.0]], None, {}, r"W1 has shape \(2,\); a weight matrix must be 2-D"),
        ([[[1.0, float("nan")]]], None, {}, r"W1\[0, 1\] is nan"),
        ([[[1.0, 2.0]]], None, {"layout": "by_rows"}, "unknown layout 'by_rows'"),
        ([[[1.0, 2.0]]], None, {"activations": ["relu", "relu"]}, "1 weight matrices but 2 activations"),
        ([[[1.0, 2.0]]], None, {"activations": "softplus"}, "unknown activation 'softplus'"),
        ([[[1.0, 2.0]]], [[1.0, 2.0]], {"layout": "bias_row_first"}, "biases are row 0 of each W"),
        ([], None, {}, "non-empty list of matrices"),
    ],
)
def test_from_matrices_says_which_matrix_is_wrong(weights, biases, options, message) -> None:
    with pytest.raises(ValueError, match=message):
        MLP.from_matrices(weights, biases, **options)


def test_neurons_by_inputs_shape_error_uses_the_users_shapes() -> None:
    with pytest.raises(ValueError, match=r"W2 has shape \(1, 3\) but W1 gives 2 outputs"):
        MLP.from_matrices([[[1.0], [2.0]], [[1.0, 2.0, 3.0]]], None, "relu", layout="neurons_by_inputs")


def test_forward_always_returns_a_list() -> None:
    model = MLP(3, [4, 1], rng=0)
    out = model.forward([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 1 and out[0].data == model([1.0, 2.0, 3.0]).data
    assert len(model.layers[1].forward(model.layers[0].forward([1.0, 2.0, 3.0]))) == 1
