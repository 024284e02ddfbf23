"""Training, live: watch a network learn step by step, in a browser, in Jupyter, or as a recorded page.

``Recorder`` captures each step (one ``record(loss, lr)`` call after
``backward()``, or ``fit(..., on_step=recorder.on_step)``); ``write_recording``
writes the self-contained page; ``LiveServer`` serves the page while training
runs; ``LiveWidget`` shows it in a notebook cell.  Heavy parts load on use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from micrograd_nn.live.recorder import Recorder

if TYPE_CHECKING:
    from micrograd_nn.live.page import record_page, write_recording
    from micrograd_nn.live.server import LiveServer, LiveServerError
    from micrograd_nn.live.widget import LiveWidget

_LAZY = {
    "record_page": "micrograd_nn.live.page",
    "write_recording": "micrograd_nn.live.page",
    "LiveServer": "micrograd_nn.live.server",
    "LiveServerError": "micrograd_nn.live.server",
    "LiveWidget": "micrograd_nn.live.widget",
}


def __getattr__(name: str) -> Any:
    """Load a host's module when its name is first used (the widget needs anywidget)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'micrograd_nn.live' has no attribute {name!r}")


__all__ = ["Recorder", "record_page", "write_recording", "LiveServer", "LiveServerError", "LiveWidget"]
