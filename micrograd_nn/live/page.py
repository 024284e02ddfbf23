"""The live training page as one HTML string, and the recorded page written to a file.

The same page serves every host: the timeline sits in
``<script type="application/json" id="timeline">``, uPlot (bundled, MIT) and
live.js draw everything from it, and a small host script either plays the
embedded run (a recorded page, which works offline) or listens for new steps
(the local server).  The notebook widget uses the same live.js.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.inline import bundled, inline_script, page_data
from micrograd_nn.live.architecture import page_facts
from micrograd_nn.live.recorder import Recorder

_READ_TIMELINE = """
// the run's JSON is read once and its element removed, so id "timeline" names the page's step slider alone
const timelineNode = document.getElementById("timeline");
const timeline = JSON.parse(timelineNode.textContent);
timelineNode.remove();"""

_RECORDED_BOOT = _READ_TIMELINE + """
const options = JSON.parse(document.getElementById("live-host").textContent);
createLiveView(document.getElementById("app"), timeline, options);
document.getElementById("app").focus({preventScroll: true});  // a page of its own: the arrow keys work at once
"""

_LIVE_BOOT = _READ_TIMELINE + """
const options = JSON.parse(document.getElementById("live-host").textContent);
const view = createLiveView(document.getElementById("app"), timeline, options);
document.getElementById("app").focus({preventScroll: true});  // a page of its own: the arrow keys work at once
if (!timeline.finished) {
  const source = new EventSource(options.events + "&since=" + timeline.steps.length);
  source.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.steps && message.steps.length) view.addSteps(message.steps);
    if (message.finished) { view.finish(); source.close(); }
  };
  let failures = 0;
  source.onerror = () => {
    failures += 1;
    if (source.readyState === EventSource.CLOSED || failures >= 3) {
      source.close();
      view.setStatus("the training process has stopped: the page keeps the steps it received");
    } else {
      view.setStatus("connection lost, retrying…");
    }
  };
  source.onopen = () => { failures = 0; view.setStatus("training…"); };
}
"""


LIVE = "micrograd_nn.live"
"""The package whose static/ folder holds the live page's files."""


def timeline_json(timeline: dict[str, Any]) -> str:
    """The timeline as compact JSON (every float written exactly, no NaN), safe inside a <script> element."""
    return page_data(timeline, compact=True)


def _scripts() -> str:
    """uPlot and live.js, each checked to be safe to inline."""
    return "\n".join(f"<script>{inline_script(LIVE, name)}</script>" for name in ("uPlot.iife.min.js", "live.js"))


def page_html(timeline: dict[str, Any], *, title: str, live: bool = False, events: str = "") -> str:
    """The whole page for a timeline: recorded (live=False) or fed by the server's event stream at `events`."""
    options = {"title": title, "live": live, "events": events}
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{html.escape(title)}</title>
<style>{bundled(LIVE, "uPlot.min.css")}
html, body {{ margin: 0; height: 100%; }}
#app {{ height: 100vh; }}
{bundled(LIVE, "live.css")}</style>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="timeline">{timeline_json(timeline)}</script>
<script type="application/json" id="live-host">{page_data(options)}</script>
{_scripts()}
<script>{_LIVE_BOOT if live else _RECORDED_BOOT}</script>
</body>
</html>
"""


def default_title(recorder: Recorder) -> str:
    """A title naming the network, the loss and the data, e.g. 'MLP(2, [16, 16, 1]) on 100 samples, hinge + l2'."""
    arch = recorder.architecture
    model = f"MLP({arch.nin}, {list(arch.sizes)})" if arch is not None else type(recorder.model).__name__
    loss = recorder.loss_name or "loss"
    if recorder.l2:
        loss += f" + {recorder.l2:g}·Σp²"
    data = f" on {len(recorder.X)} samples" if recorder.X is not None else ""
    return f"Training {model}{data}: {loss}"


def record_page(recorder: Recorder | dict[str, Any], *, title: str | None = None) -> str:
    """The self-contained recorded page (HTML) of a Recorder's run, or of a timeline dict; it plays offline."""
    if isinstance(recorder, Recorder):
        timeline = recorder.timeline()
        title = title or default_title(recorder)
    elif isinstance(recorder, dict) and "steps" in recorder:
        timeline = recorder
    else:
        raise TypeError(f"record_page: give a Recorder or a timeline dict, got {type(recorder).__name__}")
    if not timeline["steps"]:
        raise ValueError("record_page: no steps were recorded; call recorder.record(loss, lr) once per step")
    timeline = {**timeline, "page": page_facts(), "finished": True}  # the facts of this version's page
    return page_html(timeline, title=title or "Training, recorded")


def write_recording(recorder: Recorder | dict[str, Any], path: str | Path, *, title: str | None = None) -> Path:
    """Write the recorded page of a run to path (atomically: an interrupted write keeps the old file); returns it."""
    check_target(path, "write_recording")  # a bad path is said before the page is built
    return write_atomically(path, record_page(recorder, title=title), "write_recording")
