"""The label format: what nn.py writes is what the views read back."""

from __future__ import annotations

from micrograd_nn import labels
from micrograd_nn.nn import MLP, Layer, Neuron


def test_what_nn_writes_parses_back() -> None:
    model = MLP(2, [3, 1], rng=0)
    claims = [labels.parse_parameter(p.label) for p in model.parameters()]
    assert claims[0] == labels.ParameterLabel(1, 1, 1) and claims[2] == labels.ParameterLabel(1, 1, None)
    assert claims[-1] == labels.ParameterLabel(2, 1, None) and claims[-1].key == "L2.n1"  # type: ignore[union-attr]
    assert [p.label for p in model.layers[0].neurons[2].parameters()] == ["L1.n3.w1", "L1.n3.w2", "L1.n3.b"]


def test_lone_layers_and_neurons_drop_what_they_do_not_know() -> None:
    assert [p.label for p in Layer(1, 2).parameters()] == ["n1.w1", "n1.b", "n2.w1", "n2.b"]
    assert [p.label for p in Neuron(2).parameters()] == ["w1", "w2", "b"]
    assert labels.parse_parameter("n2.w3") == labels.ParameterLabel(None, 2, 3)
    assert labels.parse_parameter("w1") is None  # a lone Neuron's weights name no neuron


def test_other_shapes_are_not_claims() -> None:
    for text in ("", "L1.n3", "L1.n3.w", "l1.n3.w2", "L1.n3.w2 ", "L1.n3.c", "x1"):
        assert labels.parse_parameter(text) is None, text
    assert labels.is_input_label("x12") and not labels.is_input_label("x") and not labels.is_input_label("y1")


def test_keys_titles_and_order() -> None:
    assert labels.neuron_key(1, 3) == "L1.n3" and labels.neuron_key(None, 3) == "n3"
    assert labels.parse_neuron_key("L2.n10") == (2, 10) and labels.parse_neuron_key("n4") == (None, 4)
    assert labels.parse_neuron_key("other") is None
    assert labels.neuron_title("L1.n3") == "layer 1 / neuron 3" and labels.neuron_title("n2") == "neuron 2"
    assert sorted(["L1.n10", "L2.n1", "L1.n2", "odd"], key=labels.neuron_sort_key) == ["L1.n2", "L1.n10", "L2.n1",
                                                                                      "odd"]
    assert labels.input_label(3) == "x3" and labels.weight_label("", 2) == "w2" and labels.bias_label("n1") == "n1.b"
