"""Old path of micrograd_nn.training.persistence (the same module, so imports and monkeypatching keep working)."""

import sys

from micrograd_nn.training import persistence as _moved
from micrograd_nn.training.persistence import *  # noqa: F401,F403

sys.modules[__name__] = _moved
