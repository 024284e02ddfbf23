"""Old path of micrograd_nn.views.network_picture (the same module, so imports and monkeypatching keep working)."""

import sys

from micrograd_nn.views import network_picture as _moved
from micrograd_nn.views.network_picture import *  # noqa: F401,F403

sys.modules[__name__] = _moved
