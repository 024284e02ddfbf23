"""Old path of micrograd_nn.views.stepper (the same module object, so imports and monkeypatching keep working)."""

import sys

from micrograd_nn.views import stepper as _moved
from micrograd_nn.views.stepper import *  # noqa: F401,F403

sys.modules[__name__] = _moved
