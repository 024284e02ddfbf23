"""Shared test settings: fixed seeds, so every run checks the same cases."""

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
settings.load_profile("micrograd_nn")


@pytest.fixture(autouse=True)
def _fixed_seeds() -> None:
    """Seed Python's and NumPy's global generators before every test."""
    random.seed(1337)
    np.random.seed(1337)
