"""Old path of micrograd_nn.views.dot_text (the same module object, so imports and monkeypatching keep working)."""

import sys

from micrograd_nn.views import dot_text as _moved
from micrograd_nn.views.dot_text import *  # noqa: F401,F403

sys.modules[__name__] = _moved
