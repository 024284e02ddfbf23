"""Shared test settings and helpers: fixed seeds, the `needs_dot` skip marker and `full_snapshot`.

Test modules import the helpers with ``from conftest import full_snapshot, needs_dot``.

Hypothesis profiles: "micrograd_nn" (the default) draws the same examples on
every run; "explore" draws fresh random examples, more of them, to look for
new failures: ``HYPOTHESIS_PROFILE=explore python -m pytest -q``.
Slow tests (demos, the tour, the million-node chain) are marked ``slow``:
``python -m pytest -q -m "not slow"`` leaves them out.
"""

import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from micrograd_nn.engine import Value, topological_order

settings.register_profile(
    "micrograd_nn",
    derandomize=True,  # hypothesis draws the same examples on every run
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    derandomize=False,
    deadline=None,
    max_examples=1000,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "micrograd_nn"))


def pytest_configure(config: pytest.Config) -> None:
    """Register the `slow` marker."""
    config.addinivalue_line("markers", "slow: takes seconds (demos, the tour, deep chains); -m 'not slow' skips it")

def _can_write_in(folder: Path) -> bool:
    """Whether a file can be created in folder (root ignores a folder's mode bits)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """An empty folder nobody can write in: mode 0o555, and immutable (chattr +i) when the tests run as root."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = False
    try:
        if _can_write_in(folder) and shutil.which("chattr"):
            immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
        if _can_write_in(folder):
            pytest.skip("cannot make a read-only folder here (root, and no chattr +i)")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        folder.chmod(0o755)


needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program 'dot' is not installed")
"""Skip a test that runs Graphviz's `dot` when the program is not installed."""


def full_snapshot(root: Value) -> list[tuple]:
    """Every node's identity, label, op, inputs (Values by identity), local derivatives, data and grad."""
    return [
        (
            id(n),
            n.label,
            n.op,
            tuple(id(x) if isinstance(x, Value) else x for x in n.inputs),
            None if n.local_grads is None else tuple(n.local_grads),
            n.data,
            n.grad,
        )
        for n in topological_order(root)
    ]


@pytest.fixture(autouse=True)
def _fixed_seeds() -> None:
    """Seed Python's and NumPy's global generators before every test."""
    random.seed(1337)
    np.random.seed(1337)
