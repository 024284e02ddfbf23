"""The HTML stepper: one self-contained page that walks the backward pass step by step.

The page holds the graph picture (SVG drawn by Graphviz, inlined), the step
records of micrograd_nn.inspect as JSON, and a little JavaScript: Previous,
Next and Play buttons (and the arrow keys) move through the steps; the node
being processed is highlighted, the chain-rule lines of the step are shown,
and each node's gradient fills in as the walk reaches it.  Nothing is loaded
from the network when the page is viewed.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from micrograd_nn.engine import Value
from micrograd_nn.graph import Walk, draw_walked, format_number, pipe, walk
from micrograd_nn.inspect import chain_rule_line, replay, step_title


def stepper_states(root: Value) -> list[dict[str, Any]]:
    """What the page shows at each position: state 0 seeds dL/dL = 1, state k is backward step k.

    Each state has the title, the chain-rule lines, the SVG ids to highlight
    (value node v{id} and op node o{id}) and the gradient texts that change:
    {"v{operand id}": running total after this step}.
    """
    info = walk(root)
    return _states(info, replay(info)[0])


def _states(info: Walk, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """stepper_states from a walked graph and its replayed step records."""
    root_id = len(info.nodes) - 1
    root_name = info.names[root_id]
    states: list[dict[str, Any]] = [
        {
            "title": f"start: d{root_name}/d{root_name} = 1 (the gradient of the output with respect to itself)",
            "lines": [f"d{root_name}/d{root_name} = 1.0000"],
            "highlight": [f"v{root_id}"],
            "node_id": root_id,
            "updates": {f"v{root_id}": format_number(1.0)},
        }
    ]
    for step in steps:
        updates = {f"v{c['operand_id']}": format_number(c["total_after"]) for c in step["contributions"]}
        states.append(
            {
                "title": step_title(step, len(steps), root_name),
                "lines": [chain_rule_line(root_name, step, c) for c in step["contributions"]],
                "highlight": [f"v{step['node_id']}", f"o{step['node_id']}"],
                "node_id": step["node_id"],
                "updates": updates,
            }
        )
    return states


_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 0.5em 0; }
#controls button { font-size: 1em; padding: 0.3em 0.9em; margin-right: 0.4em; }
#position { margin-left: 0.8em; color: #555; }
#step { margin: 0.8em 0; padding: 0.6em 0.9em; background: #f6f6f6; border-left: 4px solid #e8590c; }
#step-title { font-weight: bold; margin-bottom: 0.4em; }
#step-lines { margin: 0; padding-left: 1.2em; font-family: Menlo, Consolas, monospace; font-size: 0.9em; }
#graph svg { max-width: 100%; height: auto; }
.node.current > path, .node.current > polygon, .node.current > ellipse {
  stroke: #e8590c; stroke-width: 4px; fill: #fff3bf;
}
.node.done > path, .node.done > polygon, .node.done > ellipse { fill: #e7f5ff; }
.node.known text { font-weight: bold; }
.help { color: #777; font-size: 0.85em; }
"""

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("stepper-data").textContent);
  var states = data.states;
  var position = 0;
  var timer = null;

  function gradText(id) {
    var group = document.getElementById(id);
    if (!group) { return null; }
    var texts = group.querySelectorAll("text");
    for (var i = 0; i < texts.length; i++) {
      if (texts[i].textContent.indexOf("grad") === 0) { return texts[i]; }
    }
    return null;
  }

  function show(k) {
    position = Math.max(0, Math.min(states.length - 1, k));
    var known = {};
    var done = {};
    for (var i = 0; i <= position; i++) {
      var updates = states[i].updates;
      for (var id in updates) { known[id] = updates[id]; }
      if (i < position) { done[states[i].highlight[0]] = true; done[states[i].highlight[1]] = true; }
    }
    data.valueIds.forEach(function (id) {
      var group = document.getElementById(id);
      var text = gradText(id);
      if (text) { text.textContent = "grad " + (id in known ? known[id] : "?"); }
      if (group) { group.classList.toggle("known", id in known); }
    });
    document.querySelectorAll("#graph .node").forEach(function (group) {
      group.classList.remove("current");
      group.classList.toggle("done", group.id in done);
    });
    var state = states[position];
    state.highlight.forEach(function (id) {
      var group = document.getElementById(id);
      if (group) { group.classList.remove("done"); group.classList.add("current"); }
    });
    document.getElementById("step-title").textContent = state.title;
    var list = document.getElementById("step-lines");
    list.innerHTML = "";
    state.lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    document.getElementById("position").textContent = "step " + position + " of " + (states.length - 1);
    document.getElementById("prev").disabled = position === 0;
    document.getElementById("next").disabled = position === states.length - 1;
    document.body.setAttribute("data-position", String(position));
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    document.getElementById("play").textContent = "Play";
  }

  function play() {
    if (timer !== null) { stop(); return; }
    if (position === states.length - 1) { show(0); }
    document.getElementById("play").textContent = "Pause";
    var interval = Number(document.body.dataset.interval) || 900;
    timer = setInterval(function () {
      show(position + 1);
      if (position >= states.length - 1) { stop(); }
    }, interval);
  }

  document.getElementById("prev").addEventListener("click", function () { stop(); show(position - 1); });
  document.getElementById("next").addEventListener("click", function () { stop(); show(position + 1); });
  document.getElementById("play").addEventListener("click", play);
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight" || event.key === "ArrowDown") { stop(); show(position + 1); }
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") { stop(); show(position - 1); }
    else if (event.key === "Home") { stop(); show(0); }
    else if (event.key === "End") { stop(); show(states.length - 1); }
    else if (event.key === " ") { play(); }
    else { return; }
    event.preventDefault();
  });
  show(0);
})();
"""


def stepper_html(root: Value, *, title: str = "Backprop, step by step", **options: Any) -> str:
    """The stepper page for root's graph as one HTML string (needs Graphviz's dot to draw the SVG).

    options go to draw_dot (direction, compact, clusters, max_nodes, ...); the
    page hides the gradients at first and fills them in step by step.  The
    graph is walked once and backward replayed once for the picture and the steps.
    """
    if options.get("collapse"):
        raise ValueError("the stepper visits every node, so it cannot draw collapsed neurons; draw without collapse")
    info = walk(root, parameters=options.pop("parameters", None), inputs=options.pop("inputs", None))
    picture = draw_walked(info, show_grads=False, color_by_grad=False, **options)
    svg = pipe(picture, "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: the SVG sits inside HTML
    payload = {"states": _states(info, replay(info)[0]), "valueIds": [f"v{i}" for i in range(len(info.nodes))]}
    data = json.dumps(payload).replace("</", "<\\/")
    if info.grads_computed:
        status = ""
    else:
        status = ('\n<p class="help" id="not-run">backward() has not run on this graph yet: the page shows the '
                  "gradients it will compute.</p>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<div id="controls">
<button id="prev" type="button">Previous</button><button id="play" type="button">Play</button><button
 id="next" type="button">Next</button><span id="position"></span>
</div>
<p class="help">Arrow keys step back and forth; space plays. The highlighted node passes its gradient
to its operands; each gradient appears when the walk reaches it (? = not reached yet).</p>{status}
<div id="step"><div id="step-title"></div><ol id="step-lines"></ol></div>
<div id="graph">
{svg}
</div>
<script type="application/json" id="stepper-data">{data}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_html(root: Value, path: str | Path, **options: Any) -> Path:
    """Write the self-contained HTML stepper for root's backward pass to path; returns the path."""
    target = Path(path)
    target.write_text(stepper_html(root, **options), encoding="utf-8")
    return target
