"""diagnose(): dead ReLU units and layers named, on the lecture's loop; fit warns once with the remedies."""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest

from micrograd_nn import Value
from micrograd_nn.nn import MLP, Layer, Neuron
from micrograd_nn.training.diagnose import (
    REMEDIES,
    SATURATED_REMEDIES,
    DeadUnit,
    DeadUnitsWarning,
    diagnose,
    remedies,
)
from micrograd_nn.training.train import fit

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def lecture_loop(n: MLP) -> float:
    """Karpathy's lecture: 20 steps of p.data += -0.1 * p.grad on the summed squared error."""
    for _ in range(20):
        ypred = [n(x) for x in XS]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred))
        for p in n.parameters():
            p.grad = 0.0
        loss.backward()
        for p in n.parameters():
            p.data += -0.1 * p.grad
    return loss.data


def relu_net(seed: int) -> MLP:
    random.seed(seed)  # the lecture seeds Python's generator; micrograd's MLP draws from it
    return MLP(3, [4, 4, 1])


def test_the_lecture_loop_kills_layer_2_and_diagnose_says_so() -> None:
    n = relu_net(1)
    assert diagnose(n, XS).dead_layers == ()  # every layer passes gradients at the start
    assert lecture_loop(n) == pytest.approx(4.0, abs=1e-12)
    predictions = [n(x).data for x in XS]
    assert len(set(predictions)) == 1 and abs(predictions[0]) < 1e-6  # the output bias alone, gone to mean(ys)
    report = diagnose(n, XS)
    assert report.dead_layers == (2,) and report.samples == 4
    assert [u.key for u in report.dead_units if u.layer == 2] == ["L2.n1", "L2.n2", "L2.n3", "L2.n4"]
    assert report.dead_units[-1] == DeadUnit("L2.n4", 2, 4, "relu", (0.0,))
    assert report.messages()[0] == "L2: all 4 ReLU units output 0 for all 4 samples, so every gradient below them is 0"
    assert str(report).endswith(REMEDIES) and "another seed" in REMEDIES and "leaky_relu" in REMEDIES
    for layer in n.layers[:2]:  # dead: no gradient reaches them
        assert all(p.grad == 0.0 for p in layer.parameters())


def test_17_of_20_seeds_die_and_diagnose_finds_every_one() -> None:
    stuck = []
    for seed in range(20):
        n = relu_net(seed)
        loss = lecture_loop(n)
        dead = diagnose(n, XS).dead_layers
        if abs(loss - 4.0) < 1e-3:
            stuck.append(seed)
            assert dead, seed
            assert len({round(n(x).data, 12) for x in XS}) == 1  # every prediction the same
        else:
            assert not dead and loss < 3.0, seed
    assert len(stuck) == 17


def test_the_lectures_tanh_network_learns_and_has_no_dead_units() -> None:
    random.seed(1)
    n = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
    assert lecture_loop(n) == pytest.approx(0.0213, abs=5e-5)
    assert diagnose(n, XS).ok
    assert str(diagnose(n, XS)) == "no dead units: every unit passes a gradient back for at least one of 4 samples"


def test_fit_warns_once_when_a_layer_dies_after_an_epoch() -> None:
    """Before: fit trained on silently at loss 4.0."""
    n = relu_net(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit(n, XS, YS, loss="sse", lr=0.1, epochs=20, quiet=True)
    assert history.loss[-1] == pytest.approx(4.0, abs=1e-12)
    assert len(caught) == 1 and caught[0].category is DeadUnitsWarning
    assert caught[0].filename == __file__  # points at the fit call
    lines = str(caught[0].message).splitlines()
    assert lines[0].startswith("fit: after epoch ") and lines[0].endswith(", a whole layer passes no gradient back:")
    assert "L2: all 4 ReLU units output 0 for all 4 samples, so every gradient below them is 0" in lines
    assert lines[-1] == REMEDIES
    assert caught[0].message.diagnosis.dead_layers == (2,)


def test_fit_warns_before_the_first_step_when_a_layer_is_dead_from_the_start() -> None:
    n = relu_net(8)  # this seed's second layer is dead before any step
    assert diagnose(n, XS).dead_layers == (2,)
    with pytest.warns(DeadUnitsWarning, match=r"^fit: before the first step, a whole layer passes no gradient back"):
        fit(n, XS, YS, loss="sse", lr=0.1, epochs=3, quiet=True)


def test_a_saturated_sigmoid_layer_gets_its_own_remedies_not_relus() -> None:
    """Before: the warning for a saturated sigmoid layer spoke of pushing units below 0 (ReLU's words)."""
    n = MLP(3, [4, 1], activation="sigmoid", rng=0)
    for p in n.layers[0].parameters():
        p.data = 100.0  # every z of layer 1 is 100 * (sum(x) + 1) >= 200: sigmoid gives exactly 1, slope 0
    with pytest.warns(DeadUnitsWarning) as caught:
        fit(n, XS, YS, loss="sse", lr=0.1, epochs=1, quiet=True)
    message = str(caught[0].message)
    assert caught[0].message.diagnosis.dead_layers == (1,)
    assert "below 0" not in message and "ReLU" not in message
    assert message.splitlines()[-1] == SATURATED_REMEDIES.format(units="sigmoid", are="is") == (
        "Remedies: a smaller learning rate (one large step can push every unit's z so far from 0 that sigmoid is flat, "
        "slope 0); inputs scaled to about -1..1; another seed (rng=...); or activation='leaky_relu', whose slope is "
        "never 0."
    )
    assert remedies(["relu"]) == REMEDIES
    both = remedies(["relu", "tanh"]).splitlines()
    assert both[0] == REMEDIES and both[1].startswith("For the saturated tanh units: a smaller learning rate")


def test_fit_says_nothing_for_a_network_that_learns() -> None:
    random.seed(1)
    n = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(n, XS, YS, loss="sse", lr=0.1, epochs=20, quiet=True)
        fit(relu_net(6), XS, YS, loss="sse", lr=0.1, epochs=20, quiet=True)  # a ReLU seed that survives


def test_single_units_saturation_layers_and_neurons() -> None:
    layer = Layer(2, 2, activation="relu", rng=0)
    for w, value in zip(layer.neurons[0].w, (-1.0, -1.0)):
        w.data = value
    layer.neurons[0].b.data = -0.5
    report = diagnose(layer, [[1.0, 2.0], [0.5, 0.0]])
    assert report.dead_layers == () and [u.key for u in report.dead_units] == ["L1.n1"]
    assert report.messages() == [
        "L1.n1: the ReLU unit outputs 0 for all 2 samples, so its weights and bias get no gradient"
    ]
    neuron = Neuron(1, activation="tanh", rng=0)
    neuron.w[0].data = 100.0
    report = diagnose(neuron, [[1.0], [2.0]])
    assert report.dead_layers == (1,)
    assert report.messages() == [
        "L1: its one tanh unit is saturated (output 1, slope 0) for all 2 samples, so every gradient below it is 0"
    ]
    assert neuron([Value(1.0)]).local_grads == (0.0,)  # the engine's own tanh slope is 0 there too
    leaky = MLP(2, [3, 1], activation="leaky_relu", rng=0)
    for p in leaky.layers[0].parameters():
        p.data = -1.0
    assert diagnose(leaky, [[1.0, 1.0]]).ok  # leaky_relu's slope is never 0


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match=r"diagnose: X has shape \(2, 2\); the model needs rows of 3 inputs"):
        diagnose(relu_net(0), [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match="diagnose: model must be an MLP, Layer or Neuron, got function"):
        diagnose(lecture_loop, XS)
    with pytest.raises(TypeError, match=r"diagnose: X\[0, 1\] is the string"):
        diagnose(relu_net(0), [[1.0, "2", 3.0]])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_inf_and_nan_are_refused_as_fit_and_the_recorder_refuse_them(bad: float) -> None:
    """Before: NumPy's RuntimeWarning, then a diagnosis computed from nan."""
    from micrograd_nn.live import Recorder

    X = [[1.0, 2.0, 3.0], [0.5, bad, -1.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy RuntimeWarning on the way
        for caller, call in (("diagnose", lambda: diagnose(relu_net(0), X)),
                             ("fit", lambda: fit(relu_net(0), X, [1.0, -1.0], quiet=True)),
                             ("Recorder", lambda: Recorder(relu_net(0), X, [1.0, -1.0]))):
            with pytest.raises(ValueError) as caught:
                call()
            shown = f"[0.5, {bad}, -1.0]"
            assert str(caught.value) == f"{caller}: X: input row 1 holds a number that is not finite: {shown}"
        with pytest.raises(ValueError, match=r"^diagnose: X: input row 1 holds a number that is not finite"):
            diagnose(relu_net(0), np.array(X))
        model = relu_net(0)
        model.layers[1].neurons[2].w[3].data = bad
        with pytest.raises(ValueError) as caught:
            diagnose(model, XS)
        assert str(caught.value) == (f"diagnose: model: parameter L2.n3.w4 is {bad!r}, not a finite number (did the "
                                     "training diverge? try a smaller learning rate)")


def test_weights_too_large_for_the_data_are_an_overflow_error_not_a_numpy_warning() -> None:
    model = relu_net(0)
    for p in model.parameters():
        p.data = 1e200  # layer 1's z are about 1e200, layer 2's 1e400
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(OverflowError, match=r"^diagnose: layer 2's pre-activations z overflow to inf or nan"):
            diagnose(model, XS)


def test_the_warning_is_a_user_warning_and_a_runtime_warning() -> None:
    assert issubclass(DeadUnitsWarning, UserWarning) and issubclass(DeadUnitsWarning, RuntimeWarning)
