"""Shared test settings and helpers: fixed seeds, the `needs_dot` skip marker and `full_snapshot`.

Test modules import the helpers with ``from conftest import full_snapshot, needs_dot``.
"""

import random
import shutil

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
settings.load_profile("micrograd_nn")

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
