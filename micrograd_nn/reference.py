"""Old path of micrograd_nn.checks.reference (the same module object, so imports and monkeypatching keep working)."""

import sys

from micrograd_nn.checks import reference as _moved
from micrograd_nn.checks.reference import *  # noqa: F401,F403

sys.modules[__name__] = _moved
