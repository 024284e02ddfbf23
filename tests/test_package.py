"""Packaging promises: the top-level import is light and exposes micrograd's names."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_does_not_pull_heavy_or_optional_packages() -> None:
    code = (
        "import sys, micrograd_nn\n"
        "heavy = [m for m in ('matplotlib', 'sklearn', 'tqdm', 'graphviz', 'numpy') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_micrograd_import_paths_work() -> None:
    from micrograd_nn import MLP, Layer, Neuron, Value
    from micrograd_nn.engine import Value as EngineValue
    from micrograd_nn.nn import MLP as NnMLP
    from micrograd_nn.nn import Layer as NnLayer
    from micrograd_nn.nn import Module
    from micrograd_nn.nn import Neuron as NnNeuron

    assert (Value, MLP, Layer, Neuron) == (EngineValue, NnMLP, NnLayer, NnNeuron)
    assert issubclass(MLP, Module)


OLD_PATHS = {
    "micrograd_nn.graph": ["draw_dot", "to_dot", "render", "draw_network", "network_dot", "render_network"],
    "micrograd_nn.inspect": ["explain", "backward_steps", "node_table", "format_table"],
    "micrograd_nn.stepper": ["write_html", "show"],
    "micrograd_nn.audit": ["audit_gradients"],
    "micrograd_nn.check": ["check_gradients"],
    "micrograd_nn.gradcheck": ["gradcheck"],
    "micrograd_nn.reference": ["ReferenceMLP"],
    "micrograd_nn.train": ["fit"],
    "micrograd_nn.persistence": ["save_model", "load_model"],
    "micrograd_nn.losses": ["mse"],
    "micrograd_nn.optim": ["SGD"],
    "micrograd_nn.datasets": ["moons"],
    "micrograd_nn.walk": ["walk", "format_number"],
    "micrograd_nn.dot": ["run_dot", "quote"],
    "micrograd_nn.network_view": ["network_dot"],
}


def test_the_old_import_paths_still_work() -> None:
    import importlib

    for path, names in OLD_PATHS.items():
        module = importlib.import_module(path)
        missing = [name for name in names if not callable(getattr(module, name, None))]
        assert not missing, f"{path} lacks {missing}"


def test_an_old_path_is_the_moved_module_itself() -> None:
    import micrograd_nn.persistence
    import micrograd_nn.stepper
    from micrograd_nn.training import persistence
    from micrograd_nn.views import stepper

    assert micrograd_nn.persistence is persistence and micrograd_nn.stepper is stepper
