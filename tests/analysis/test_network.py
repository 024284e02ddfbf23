"""The network model: found once from the graph, typed, checked against the labels' claims."""

from __future__ import annotations

import dataclasses
import time

import pytest

from micrograd_nn.analysis.network import find_network
from micrograd_nn.analysis.neurons import Network, Neuron
from micrograd_nn.analysis.walk import walk
from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP, Layer
from micrograd_nn.training import losses
from micrograd_nn.views.network_picture import network_dot
from micrograd_nn.views.stepper import stepper_states


def small(fused: bool = False) -> tuple[MLP, Value]:
    """MLP(2, [3, 1]) with tanh hidden units and one sample's squared error, after backward()."""
    model = MLP(2, [3, 1], activation="tanh", rng=0, fused=fused)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    return model, loss


@pytest.mark.parametrize("fused", [False, True])
def test_layers_neurons_and_their_parts_come_from_the_graph(fused: bool) -> None:
    model, loss = small(fused)
    net = find_network(loss)
    assert net.problems == () and net.passes == 1 and net.loss is loss
    assert [layer.number for layer in net.layers] == [1, 2]
    assert [[n.key for n in layer.neurons] for layer in net.layers] == [["L1.n1", "L1.n2", "L1.n3"], ["L2.n1"]]
    for layer, built in zip(net.layers, model.layers):
        for neuron, made in zip(layer.neurons, built.neurons):
            assert neuron.weights == tuple(made.w) and neuron.bias is made.b
    first = net.neuron("L1.n2")
    assert first.layer == 1 and first.index == 2 and first.activation == "tanh"
    assert [x.label for x in first.inputs] == ["x1", "x2"]  # type: ignore[union-attr]
    assert first.out.op == "tanh" and first.out.inputs[0] is first.z
    assert first.out.data == pytest.approx(first.z.data * 0 + __import__("math").tanh(first.z.data), abs=1e-15)
    output = net.neuron("L2.n1")
    assert output.activation == "linear" and output.z is output.out
    assert output.inputs == tuple(n.out for n in net.layers[0].neurons)  # layer 2 reads layer 1's outputs
    assert net.inputs == first.inputs and first.z in first.nodes and first.weights[0] in first.nodes


def test_the_records_are_frozen() -> None:
    _, loss = small()
    net = find_network(loss)
    with pytest.raises(dataclasses.FrozenInstanceError):
        net.layers[0].neurons[0].key = "L9.n9"  # type: ignore[misc]
    assert isinstance(net, Network) and isinstance(net.neurons[0], Neuron)


def test_a_graph_without_a_network_has_no_layers_and_require_says_so() -> None:
    a = Value(2.0, "a")
    net = find_network(a * a + 1.0)
    assert net.layers == () and net.problems == ()
    with pytest.raises(ValueError, match="my view needs a network built by micrograd_nn.nn"):
        net.require("my view")
    with pytest.raises(TypeError, match="find_network: root must be a Value, got float"):
        find_network(1.0)  # type: ignore[arg-type]


def test_a_lone_layer_is_layer_one() -> None:
    layer = Layer(2, 2, activation="relu", rng=1)
    net = find_network(Value.sum(layer.forward([1.0, 2.0])))
    assert [n.key for n in net.neurons] == ["n1", "n2"] and net.neurons[0].layer == 1 and net.problems == ()
    assert net.neurons[0].inputs == (1.0, 2.0)  # plain numbers live inside the products


def test_several_passes_are_counted_and_the_last_is_kept() -> None:
    model = MLP(2, [2, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2 + (model([1.0, 2.0]) - 1.0) ** 2
    net = find_network(loss)
    assert net.passes == 2 and net.problems == ()
    assert [x.data for x in net.neuron("L1.n1").inputs] == [1.0, 2.0]  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="ran 2 times"):
        net.require("mode='layers'", one_pass=True)


def test_a_weight_tied_inside_a_neuron_is_named() -> None:
    model = MLP(2, [3, 1], rng=0)
    neuron = model.layers[0].neurons[0]
    neuron.w[1] = neuron.w[0]
    loss = model([1.0, 2.0])
    assert find_network(loss).problems[0] == (
        "parameter L1.n1.w1 is used as 2 of neuron L1.n1's weights (one Value tied to several places in its "
        "weighted sum)"
    )
    with pytest.raises(ValueError, match=r"^mode='layers': parameter L1\.n1\.w1 is used as 2 of neuron L1\.n1's"):
        stepper_states(loss, mode="layers")


@pytest.mark.parametrize("fused", [False, True])
def test_a_weight_shared_by_two_neurons_is_said_as_such(fused: bool) -> None:
    model = MLP(2, [3, 1], rng=0, fused=fused)
    model.layers[0].neurons[1].w[0] = model.layers[0].neurons[0].w[0]
    loss = model([1.0, 2.0])
    problem = find_network(loss).problems[0]
    assert "L1.n1.w1" in problem and "L1.n2" in problem and "a parameter shared between neurons" in problem
    with pytest.raises(ValueError, match="mode='layers': .*L1.n1.w1.*shared between neurons") as caught:
        stepper_states(loss, mode="layers")
    assert "several times" not in str(caught.value)


@pytest.mark.parametrize("fused", [False, True])
def test_a_parameter_relabelled_past_the_layer_is_refused_not_drawn(fused: bool) -> None:
    model = MLP(2, [3, 1], rng=0, fused=fused)
    model.layers[0].neurons[0].w[0].label = "L1.n9.w1"
    loss = model([1.0, 2.0])
    problem = find_network(loss).problems[0]
    assert "L1.n9.w1" in problem and "L1.n1" in problem
    with pytest.raises(ValueError, match=r"mode='layers': .*L1\.n9\.w1"):
        stepper_states(loss, mode="layers")
    with pytest.raises(ValueError, match=r"network view: .*L1\.n9\.w1"):
        network_dot(loss)


def test_a_relabelled_parameter_draws_no_phantom_layer() -> None:
    model = MLP(2, [3, 1], rng=0)
    model.layers[1].neurons[0].w[0].label = "L3.n1.w1"
    loss = model([1.0, 2.0])
    info = walk(loss)
    assert "L3.n1" not in info.groups and all(n.layer <= 2 for n in info.network.neurons)
    with pytest.raises(ValueError, match=r"network view: parameter L3\.n1\.w1 is labelled for neuron L3\.n1"):
        network_dot(loss)
    with pytest.raises(ValueError, match=r"mode='layers': parameter L3\.n1\.w1"):
        stepper_states(loss, mode="layers")


def test_a_whole_neuron_relabelled_to_another_layer_is_layered_by_the_graph() -> None:
    model = MLP(2, [3, 1], rng=0)
    for p in model.layers[1].parameters():
        p.label = p.label.replace("L2", "L3")
    net = find_network(model([1.0, 2.0]))
    assert net.problems == ("neuron L3.n1's label says layer 3, but it reads the outputs of layer 1, so it is "
                            "layer 2 of this graph",)
    assert [layer.number for layer in net.layers] == [1]  # the misfit is left out, never drawn as layer 3


def test_a_neuron_relabelled_to_another_index_contradicts_the_weights_reading_it() -> None:
    model = MLP(2, [3, 1], rng=0)
    for p in model.layers[0].neurons[2].parameters():
        p.label = p.label.replace("n3", "n9")
    problems = find_network(model([1.0, 2.0])).problems
    assert problems == ("L2.n1.w3 multiplies the output of neuron L1.n9, whose label says it is neuron 9 of its "
                        "layer, not 3",)


def test_a_bias_without_weights_is_said_truthfully() -> None:
    b = Value(0.5, "L1.n1.b")
    x = Value(2.0, "x")
    problem = find_network(b + x).problems[0]
    assert problem.startswith("neuron L1.n1 has no weights in this graph")
    assert find_network(b * 2.0).layers == ()  # a parameter used with numbers only is no neuron
    with pytest.raises(ValueError, match="mode='layers' needs a network built by micrograd_nn.nn"):
        stepper_states(b * 2.0, mode="layers")


def test_an_l2_penalty_does_not_disturb_the_network() -> None:
    model, _ = small()
    loss = (model([0.5, -1.0]) - 1.0) ** 2 + 0.01 * Value.sum(p * p for p in model.parameters())
    net = find_network(loss)
    assert net.problems == () and [len(layer.neurons) for layer in net.layers] == [3, 1]


@pytest.mark.slow  # builds a 78,000-node graph; the layer-page test in test_stepper covers the quick lane
def test_finding_the_mnist_network_is_linear() -> None:
    """784 inputs per neuron: each weight's input is read off its product, not searched for."""
    model = MLP(784, [32, 16, 10], rng=0)
    outputs = model.forward([0.001 * i for i in range(784)])
    loss = losses.sse(outputs, [1.0] + [0.0] * 9)
    started = time.process_time()  # this process's CPU time: other work on the machine does not count
    net = find_network(loss)
    elapsed = time.process_time() - started
    assert [len(layer.neurons) for layer in net.layers] == [32, 16, 10] and net.problems == ()
    assert net.neuron("L1.n32").inputs[783].data == pytest.approx(0.783)  # type: ignore[union-attr]
    assert elapsed < 3.0, elapsed  # about 1 s on one free core; quadratic took 80 s


def test_a_network_run_on_several_samples_gives_each_samples_neurons() -> None:
    """Network.sample(k): the neurons' z, out and inputs of the k-th sample; runs in the graph's order."""
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0]]
    model = MLP(3, [4, 1], activation="tanh", rng=0)
    outs = [model(x) for x in xs]
    loss = sum((out - 1.0) ** 2 for out in outs)
    net = find_network(loss)
    assert net.passes == 3 and all(len(neuron.runs) == 3 for neuron in net.neurons)
    for k, (x, out) in enumerate(zip(xs, outs), 1):
        chosen = net.sample(k)
        assert chosen.layers[-1].neurons[0].out is out
        assert [v.data for v in chosen.inputs] == x
        first = chosen.layers[0].neurons[0]
        z = sum(w.data * xi for w, xi in zip(model.layers[0].neurons[0].w, x)) + model.layers[0].neurons[0].b.data
        assert first.z.data == pytest.approx(z, abs=1e-15) and first.weights == net.layers[0].neurons[0].weights
        assert chosen.layers[-1].neurons[0].inputs == tuple(n.out for n in chosen.layers[0].neurons)
    assert net.sample(3).neurons == net.neurons  # the neurons' own fields are the last run's
    with pytest.raises(ValueError, match=r"sample must be a whole number from 1 to 3 .*got 4"):
        net.sample(4)


def test_the_scalar_picture_boxes_no_neuron_whose_labels_misfit() -> None:
    from micrograd_nn.views.scalar_picture import to_dot

    model = MLP(2, [3, 1], rng=0)
    model.layers[1].neurons[0].w[0].label = "L3.n1.w1"
    dot = to_dot(model([1.0, 2.0]), max_nodes=1000)
    assert "layer 3 / neuron 1" not in dot and "layer 2 / neuron 1" not in dot  # neither side of the misfit
    assert "layer 1 / neuron 2" in dot  # the neurons whose labels fit are boxed as before


def test_the_network_view_of_several_passes_says_it_shows_the_last() -> None:
    model = MLP(2, [2, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2 + (model([1.0, 2.0]) - 1.0) ** 2
    loss.backward()
    caption = network_dot(loss).split('label="', 1)[1].replace("\\n", " ")
    assert caption.startswith("the network ran on 2 samples: the inputs and the neurons' z, a and dloss/dz are "
                              "sample 2's (sample=k draws another)")
