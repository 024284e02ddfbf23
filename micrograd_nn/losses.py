"""Old path of micrograd_nn.training.losses (the same module object, so imports and monkeypatching keep working)."""

import sys

from micrograd_nn.training import losses as _moved
from micrograd_nn.training.losses import *  # noqa: F401,F403

sys.modules[__name__] = _moved
