"""Packaging promises: the top-level import is light and exposes micrograd's names."""

import subprocess
import sys


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
