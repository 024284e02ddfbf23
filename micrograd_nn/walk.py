"""Old path of micrograd_nn.views.walk (the same module object, so imports and monkeypatching keep working)."""

import sys

from micrograd_nn.views import walk as _moved
from micrograd_nn.views.walk import *  # noqa: F401,F403

sys.modules[__name__] = _moved
