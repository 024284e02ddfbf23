"""Old path of micrograd_nn.training.train (the same module object, so imports and monkeypatching keep working)."""

import sys

from micrograd_nn.training import train as _moved
from micrograd_nn.training.train import *  # noqa: F401,F403

sys.modules[__name__] = _moved
