"""to_torch and MLP.from_torch: the same network in PyTorch, with the same outputs and gradients, and back."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import micrograd_nn  # noqa: E402
from micrograd_nn import MLP, Value  # noqa: E402
from micrograd_nn.nn import ACTIVATIONS  # noqa: E402
from micrograd_nn.torch_bridge import torch_module  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _batch(nin: int, n: int = 7, seed: int = 3) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(n)]


def _ours(model: MLP, batch: list[list[float]]) -> tuple[np.ndarray, list[list[float]], list[np.ndarray], list | None]:
    """Outputs, d(loss)/d(inputs), and d(loss)/d(W), d(loss)/d(b) (torch's layout) for loss = sum of out^2 / 2 + out."""
    inputs = [[Value(x) for x in row] for row in batch]
    outs = [model.forward(row) for row in inputs]
    loss = Value.sum([o * o * 0.5 + o for row in outs for o in row])
    model.zero_grad()
    loss.backward()
    weights, biases = model.to_matrices("neurons_by_inputs", gradients=True)
    return (np.array([[o.data for o in row] for row in outs]), [[x.grad for x in row] for row in inputs], weights,
            None if biases is None else [b.reshape(-1) for b in biases])


def _theirs(module: torch.nn.Module, batch: list[list[float]]) -> tuple[np.ndarray, np.ndarray, list, list | None]:
    x = torch.tensor(batch, dtype=torch.float64, requires_grad=True)
    out = module(x)
    loss = (out * out * 0.5 + out).sum()
    module.zero_grad()
    loss.backward()
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    biases = None if linears[0].bias is None else [m.bias.grad.numpy() for m in linears]
    return out.detach().numpy(), x.grad.numpy(), [m.weight.grad.numpy() for m in linears], biases


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize(("fused", "bias"), [(False, True), (True, True), (True, False)])
def test_to_torch_gives_our_outputs_and_gradients(activation: str, fused: bool, bias: bool) -> None:
    model = MLP(3, [4, 5, 2], activation=activation, output_activation="tanh", rng=7, fused=fused, bias=bias)
    module = micrograd_nn.to_torch(model)
    batch = _batch(3)
    out, x_grads, w_grads, b_grads = _ours(model, batch)
    t_out, t_x_grads, t_w_grads, t_b_grads = _theirs(module, batch)
    assert all(p.dtype == torch.float64 for p in module.parameters())
    np.testing.assert_allclose(out, t_out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x_grads, t_x_grads, rtol=1e-12, atol=1e-12)
    for ours, theirs in zip(w_grads, t_w_grads, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    assert (b_grads is None) == (not bias)
    for ours, theirs in zip(b_grads or [], t_b_grads or [], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    assert float(np.abs(np.concatenate([w.ravel() for w in w_grads])).max()) > 1e-3  # the gradients are not all 0


def test_to_torch_layers_follow_the_model() -> None:
    model = MLP(2, [16, 16, 1], rng=1337)  # micrograd's moons network: relu hidden layers, linear output
    module = micrograd_nn.to_torch(model)
    assert [type(m).__name__ for m in module] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [(m.in_features, m.out_features) for m in module if isinstance(m, torch.nn.Linear)] == [
        (2, 16), (16, 16), (16, 1)]
    first = model.layers[0].neurons[3]
    assert module[0].weight[3].tolist() == [w.data for w in first.w]  # row j = neuron j's weights, exactly
    assert module[0].bias[3].item() == first.b.data
    leaky = micrograd_nn.to_torch(MLP(2, [2, 1], activation="leaky_relu", rng=0))
    assert leaky[1].negative_slope == 0.01


def test_from_torch_inverts_to_torch_exactly() -> None:
    for bias in (True, False):
        model = MLP(3, [4, 2], activations=["sigmoid", "leaky_relu"], rng=5, bias=bias)
        back = MLP.from_torch(micrograd_nn.to_torch(model))
        assert back.activations == ["sigmoid", "leaky_relu"] and back.has_biases == bias
        for ours, theirs in zip(model.parameters(), back.parameters(), strict=True):
            assert ours.data == theirs.data


def test_from_torch_reads_a_torch_made_network() -> None:
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Identity(), torch.nn.Linear(8, 3),
                                 torch.nn.Sigmoid())  # float32, as torch makes it
    model = MLP.from_torch(module, fused=True)
    assert model.activations == ["tanh", "sigmoid"] and model.fused
    batch = _batch(2)
    expected = module.double()(torch.tensor(batch, dtype=torch.float64)).detach().numpy()
    got = np.array([[o.data for o in model.forward(row)] for row in batch])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_from_torch_reads_activations_written_inplace() -> None:
    """ReLU(inplace=True), LeakyReLU(0.01, inplace=True): the same functions, so the same network."""
    torch.manual_seed(1)
    module = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(inplace=True), torch.nn.Linear(4, 3),
                                 torch.nn.LeakyReLU(0.01, inplace=True), torch.nn.Linear(3, 1)).double()
    model = MLP.from_torch(module)
    assert model.activations == ["relu", "leaky_relu", "linear"]
    batch = _batch(2)
    expected = module(torch.tensor(batch, dtype=torch.float64)).detach().numpy()
    np.testing.assert_allclose([[o.data for o in model.forward(row)] for row in batch], expected, rtol=1e-12,
                               atol=1e-15)


def test_without_torch_the_bridge_names_the_extra_to_install(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A missing torch is an ImportError that says what to install, not a bare ModuleNotFoundError."""
    import subprocess
    import sys

    (tmp_path / "torch.py").write_text("raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n")
    script = "import micrograd_nn\ntry:\n    micrograd_nn.to_torch\nexcept ImportError as err:\n    print(err)\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "PYTHONPATH": str(tmp_path)})
    assert done.stdout.strip() == ("micrograd_nn.to_torch and MLP.from_torch need PyTorch: pip install -e "
                                   "'.[torch]' (its CPU build: pip install torch==2.13.0)"), done.stderr


def test_from_torch_without_activations_is_linear() -> None:
    model = MLP.from_torch(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1)))
    assert model.activations == ["linear", "linear"]


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        (lambda: [torch.nn.Linear(2, 3), torch.nn.Dropout(0.5), torch.nn.Linear(3, 1)],
         r"MLP.from_torch: layer 1 \(Dropout\(p=0.5, inplace=False\)\) is not supported; a Sequential of Linear, "
         + re.escape(", ".join(repr(torch_module(name)) for name in ACTIVATIONS if name != "linear"))
         + " and Identity can be read"),
        (lambda: [torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.GELU()], r"layer 2 \(GELU"),
        (lambda: [torch.nn.Linear(2, 3), torch.nn.LeakyReLU(0.2)],
         r"layer 1 \(LeakyReLU\(negative_slope=0.2\)\) differs from micrograd_nn's leaky_relu, which is "
         r"LeakyReLU\(negative_slope=0.01\)"),
        (lambda: [torch.nn.Tanh(), torch.nn.Linear(2, 3)], r"layer 0 \(Tanh\(\)\) does not follow a Linear layer"),
        (lambda: [torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.ReLU()], r"layer 2 \(ReLU\(\)\) does not follow"),
        (lambda: [torch.nn.Linear(2, 3), torch.nn.Linear(4, 1)],
         r"Linear layer 2 reads 4 inputs but Linear layer 1 gives 3 outputs"),
        (lambda: [torch.nn.Linear(2, 3), torch.nn.Linear(3, 1, bias=False)],
         r"Linear layer 2 has no bias but others have"),
        (lambda: [], r"has no Linear layer"),
    ],
)
def test_from_torch_names_the_first_layer_it_cannot_read(layers, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MLP.from_torch(torch.nn.Sequential(*layers()))


def test_from_torch_refuses_other_modules_and_nonfinite_weights() -> None:
    with pytest.raises(TypeError, match="MLP.from_torch: module must be a torch.nn.Sequential, got Linear"):
        MLP.from_torch(torch.nn.Linear(2, 1))
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1))
    with torch.no_grad():
        module[1].weight[0, 2] = float("nan")
    with pytest.raises(ValueError, match=r"MLP.from_torch: Linear layer 2's weight\[0, 2\] is nan; every weight"):
        MLP.from_torch(module)
    with pytest.raises(TypeError, match="to_torch: model must be a micrograd_nn MLP, got Layer"):
        micrograd_nn.to_torch(micrograd_nn.Layer(2, 3))


def test_every_activation_has_a_torch_module() -> None:
    """torch.nn's class of the same name (leaky_relu: LeakyReLU with our slope); linear has none."""
    modules = {name: torch_module(name) for name in ACTIVATIONS}
    assert {name: repr(m) for name, m in modules.items()} == {
        "relu": "ReLU()", "tanh": "Tanh()", "sigmoid": "Sigmoid()", "leaky_relu": "LeakyReLU(negative_slope=0.01)",
        "linear": "None"}
    with pytest.raises(ValueError, match="to_torch: torch.nn has no module for the activation 'swish'"):
        torch_module("swish")


def test_torch_is_imported_by_the_bridge_only() -> None:
    """torch is optional: only torch_bridge.py imports it, and neither micrograd_nn nor its nn module pulls it in."""
    importers = sorted(path.name for path in (ROOT / "micrograd_nn").rglob("*.py")
                       if "import torch" in path.read_text(encoding="utf-8"))
    assert importers == ["torch_bridge.py"]
    code = "import sys, micrograd_nn, micrograd_nn.nn; micrograd_nn.jvp; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
