"""Old path of micrograd_nn.training.datasets (the same module object, so imports and monkeypatching keep working)."""

import sys

from micrograd_nn.training import datasets as _moved
from micrograd_nn.training.datasets import *  # noqa: F401,F403

sys.modules[__name__] = _moved
