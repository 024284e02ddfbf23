"""Shared test settings: fixed seeds, so every run checks the same cases.

Hypothesis profiles: "micrograd_nn" (the default) draws the same examples on
every run; "explore" draws fresh random examples, more of them, to look for
new failures: ``HYPOTHESIS_PROFILE=explore python -m pytest -q``.
Slow tests (demos, the tour, the million-node chain) are marked ``slow``:
``python -m pytest -q -m "not slow"`` leaves them out.
"""

import os
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

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


@pytest.fixture(autouse=True)
def _fixed_seeds() -> None:
    """Seed Python's and NumPy's global generators before every test."""
    random.seed(1337)
    np.random.seed(1337)
