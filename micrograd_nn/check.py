"""Old path of micrograd_nn.checks.learner (the same module object, so imports and monkeypatching keep working)."""

import sys

from micrograd_nn.checks import learner as _moved
from micrograd_nn.checks.learner import *  # noqa: F401,F403

sys.modules[__name__] = _moved
