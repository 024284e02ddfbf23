"""What the engine's helpers (copying.py, micrograd_compat.py) use of the engine, handed over once it is loaded.

engine.py imports its helpers; a helper that imported engine.py back would
close an import circle.  So ``micrograd_nn/__init__.py``, once load_engine()
has chosen and loaded the engine (compiled or plain Python), hands its
``Value``, ``_node`` and ``topological_order`` to ``bind``, and the helpers
read them here when they run (copying, pickling, a micrograd-style op).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from micrograd_nn.engine import Value

value_type: type[Value]
"""The engine's Value class (compiled or plain Python, whichever load_engine() chose)."""

make_node: Callable[..., Value]
"""The engine's _node(record, data, a, da, b, db): an inner node rebuilt from its fields."""

topological_order: Callable[[Value], list[Value]]
"""The engine's topological_order(root)."""


def bind(value: type[Value], node: Callable[..., Value], order: Callable[[Value], list[Value]]) -> None:
    """Hand the helpers the loaded engine's Value, _node and topological_order (micrograd_nn/__init__.py does)."""
    global value_type, make_node, topological_order
    value_type, make_node, topological_order = value, node, order
