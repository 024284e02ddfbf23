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


def test_the_package_type_checks() -> None:
    import pytest

    pytest.importorskip("mypy", reason="mypy is in the test extras")
    command = [sys.executable, "-m", "mypy"]  # settings and files from pyproject.toml
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:]


def test_the_code_is_ruff_clean() -> None:
    import pytest

    pytest.importorskip("ruff", reason="ruff is in the test extras")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "."], capture_output=True, text=True, check=False,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:]
