"""LiveWidget: the live training page inside a Jupyter cell (anywidget: JupyterLab, Notebook 7, VS Code).

``display(LiveWidget(recorder))`` before your loop; every ``recorder.record``
sends that step to the widget through the widget's comm, so the cell updates
while the loop runs.  It is the same front end (live.js) as the local server
and the recorded page.  Needs the ``live`` extra: ``pip install
'micrograd_nn[live]'``.
"""

from __future__ import annotations

from typing import Any

from micrograd_nn import errors
from micrograd_nn.inline import bundled
from micrograd_nn.live.page import LIVE, default_title
from micrograd_nn.live.recorder import Recorder

try:
    import anywidget
    import traitlets
except ImportError as err:  # pragma: no cover - the message is the point
    raise ImportError(
        "micrograd_nn.live.LiveWidget needs anywidget: pip install 'micrograd_nn[live]'"
    ) from err

_RENDER = """
export default {
  render({ model, el }) {
    el.style.height = model.get("height") + "px";
    el.style.display = "flex";
    const root = document.createElement("div");
    root.style.height = "100%";
    root.style.width = "100%";
    el.appendChild(root);
    const timeline = model.get("timeline");
    const view = createLiveView(root, timeline, { live: true, title: model.get("title") });
    let known = timeline.steps.length;
    model.on("msg:custom", (message) => {
      if (message.steps && message.steps.length) {
        view.addSteps(message.steps);
        known = Math.max(known, message.steps[message.steps.length - 1].index + 1);
      }
      if (message.finished) view.finish();
    });
    model.send({ type: "since", count: known });  // steps recorded before this view existed (answered when idle)
  },
};
"""


def _esm() -> str:
    """uPlot, live.js and the widget's render function as one ES module."""
    return "\n".join([bundled(LIVE, "uPlot.iife.min.js"), bundled(LIVE, "live.js"), _RENDER])


class LiveWidget(anywidget.AnyWidget):  # type: ignore[misc]
    """Shows a Recorder's run in a notebook cell, updating at each recorded step (``height`` in pixels)."""

    _esm = _esm()
    _css = bundled(LIVE, "uPlot.min.css") + "\n" + bundled(LIVE, "live.css")
    timeline = traitlets.Dict().tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    height = traitlets.Int(760).tag(sync=True)

    def __init__(self, recorder: Recorder, *, title: str | None = None, height: int = 760) -> None:
        """Start from the steps recorded so far and subscribe to the recorder for the rest."""
        if not isinstance(recorder, Recorder):
            raise TypeError(f"LiveWidget: give a micrograd_nn.live.Recorder, got {type(recorder).__name__}")
        height = errors.whole_number(height, "LiveWidget: height", 400, unit="pixels")
        super().__init__(timeline=recorder.timeline(), title=title or default_title(recorder), height=height)
        self.recorder = recorder
        self._sent = len(recorder.steps)
        recorder.subscribe(self._on_step)
        self.on_msg(self._on_message)

    def _on_step(self, step: dict[str, Any]) -> None:
        """Send a new step (or the end of training) to every view of this widget."""
        if step.get("finished"):
            self.send({"finished": True})
            return
        index = self._sent
        self._sent += 1
        self.send({"steps": [{**step, "index": index}]})

    def _on_message(self, widget: Any, content: Any, buffers: Any) -> None:
        """A view asks for the steps after the first `count` it has (it was drawn after they were sent)."""
        if isinstance(content, dict) and content.get("type") == "since":
            count = int(content.get("count", 0))
            steps = [{**step, "index": i} for i, step in enumerate(self.recorder.steps) if i >= count]
            if steps:
                self.send({"steps": steps})
            if self.recorder.finished:
                self.send({"finished": True})
