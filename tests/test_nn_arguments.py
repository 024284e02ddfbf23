"""MLP, Layer and Neuron check their sizes: whole numbers >= 1 (NumPy integers too), never True/False."""

from __future__ import annotations

import numpy as np
import pytest

from micrograd_nn.nn import MLP, Layer, Neuron
from micrograd_nn.training.persistence import model_to_dict


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MLP(True, [1]), r"MLP nin \(number of inputs\) must be a whole number >= 1, got True"),
        (lambda: MLP(2, [1, False]), r"MLP nouts\[1\] must be a whole number >= 1, got False"),
        (lambda: MLP(2, [0]), r"MLP nouts\[0\] must be a whole number >= 1, got 0"),
        (lambda: MLP(2.0, [1]), r"MLP nin \(number of inputs\) must be a whole number >= 1, got 2.0"),
        (lambda: MLP(2, 3), r"MLP nouts must be a non-empty list of layer sizes, got 3"),
        (lambda: MLP(2, []), r"MLP nouts must be a non-empty list of layer sizes, got \[\]"),
        (lambda: MLP(2, "3"), r"MLP nouts must be a non-empty list of layer sizes, got '3'"),
        (lambda: Layer(2, True), r"a layer's nout \(number of neurons\) must be a whole number >= 1, got True"),
        (lambda: Neuron(True), r"a neuron's nin \(number of inputs\) must be a whole number >= 1, got True"),
    ],
)
def test_sizes_that_are_not_whole_numbers_are_refused(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_numpy_integers_are_whole_numbers() -> None:
    model = MLP(np.int64(2), [np.int32(3), np.int64(1)], rng=0)
    plain = MLP(2, [3, 1], rng=0)
    assert [p.data for p in model.parameters()] == [p.data for p in plain.parameters()]
    assert type(model.nin) is int and all(type(n) is int for n in model.nouts)
    assert model([0.5, -1.0]).data == plain([0.5, -1.0]).data
    assert model_to_dict(model)["nouts"] == [3, 1]  # plain ints, so the model can be saved as JSON
    assert len(Layer(np.int64(2), np.int64(3), rng=0).neurons) == 3


def test_layer_sizes_may_come_from_any_iterable() -> None:
    reference = [p.data for p in MLP(2, [3, 1], rng=0).parameters()]
    for nouts in (np.array([3, 1]), (3, 1), (n for n in [3, 1])):
        model = MLP(2, nouts, rng=0)
        assert model.nouts == [3, 1] and [p.data for p in model.parameters()] == reference


def test_activations_name_each_layer() -> None:
    from micrograd_nn.nn import MLP

    model = MLP(2, [3, 3, 1], activations=["tanh", "relu", "sigmoid"], rng=0)
    assert [n.activation for layer in model.layers for n in layer.neurons] == ["tanh"] * 3 + ["relu"] * 3 + ["sigmoid"]
    assert model.activations == ["tanh", "relu", "sigmoid"] and model.output_activation == "sigmoid"
    assert model.forward([0.5, -1.0])[0].op == "sigmoid"
    assert MLP(2, [3, 1], rng=0).activations == ["relu", "linear"]  # micrograd's choice by default
    for bad, message in [
        (["tanh"], r"MLP activations: 3 layers but 1 activations \['tanh'\]"),
        ("tanh", "MLP activations must be a list of 3 names"),
        (["tanh", "relu", "softsign"], "unknown activation 'softsign'"),
    ]:
        with pytest.raises(ValueError, match=message):
            MLP(2, [3, 3, 1], activations=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="give activations .* or activation/output_activation, not both"):
        MLP(2, [3, 1], activations=["tanh", "linear"], activation="relu")


def test_from_matrices_builds_each_neuron_with_its_layers_activation() -> None:
    import numpy as np

    from micrograd_nn.nn import MLP

    model = MLP.from_matrices([np.ones((2, 3)), np.ones((3, 1))], activations=["tanh", "sigmoid"])
    assert model.activations == ["tanh", "sigmoid"]
    assert [layer.neurons[0].nonlin for layer in model.layers] == [True, True]
    assert model.forward([0.0, 0.0])[0].op == "sigmoid"


LECTURE_NET = "MLP(3 -> 4 relu -> 4 relu -> 1 linear, 41 parameters)"


@pytest.mark.parametrize(
    ("x", "error", "message"),
    [
        (2.0, TypeError, f"{LECTURE_NET} takes one sample, a list of 3 numbers; got float: 2.0"),
        (None, TypeError, f"{LECTURE_NET} takes one sample, a list of 3 numbers; got NoneType: None"),
        ([[2.0, 3.0, -1.0], [3.0, -1.0, 0.5]], TypeError,
         f"{LECTURE_NET} takes one sample, a list of 3 numbers; got a list of 2 lists (of 3 items): a batch of "
         "samples? Call it once per sample, [model(x) for x in X], or train on them all with fit(model, X, y) "
         "(micrograd_nn.training.train)"),
        ([[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0]], TypeError,
         f"{LECTURE_NET} takes one sample, a list of 3 numbers; got a list of 3 lists (of 3 items): a batch of "
         "samples?"),
        (np.zeros((3, 3)), TypeError, "got a list of 3 lists (of 3 items): a batch of samples?"),
        ([2.0, 3.0], ValueError,
         f"{LECTURE_NET} expects 3 inputs, got 2: [2.0, 3.0]; it takes one sample, a list of 3 numbers"),
        ([2.0, "3", 1.0], TypeError, f"{LECTURE_NET} takes one sample, a list of 3 numbers; got str '3' as x[1]"),
    ],
)
def test_an_mlp_given_a_scalar_or_a_batch_says_what_it_takes(x: object, error: type, message: str) -> None:
    """The lecture's network given a number, a batch or a wrong sample: what was given and what it takes."""
    model = MLP(3, [4, 4, 1], rng=0)
    with pytest.raises(error) as raised:
        model(x)
    assert message in str(raised.value)
    layer, neuron = model.layers[0], model.layers[0].neurons[0]
    for part, name in ((layer, "Layer(3 -> 4, relu)"), (neuron, "Neuron(3 inputs, relu)")):
        with pytest.raises(error) as raised:
            part(x)
        assert message.replace(LECTURE_NET, name) in str(raised.value)


def test_a_non_finite_input_keeps_the_engine_message() -> None:
    with pytest.raises(ValueError, match="Value: needs a finite number, got nan"):
        MLP(3, [4, 4, 1], rng=0)([1.0, float("nan"), 3.0])
