"""The practice page (predict, then see): the stepper page whose steps wait for the learner's answers.

``write_html(root, path, practice=True)`` (views.stepper) and ``micrograd-nn
practice EXPR -o worksheet.html`` write it; ``micrograd_nn.practice(root)``
shows it inline in Jupyter.  The page is the stepper's (the same picture,
states, camera and offline scripts) with a question panel on top: the
questions, likely wrong answers and hints of views.practice (layer mode:
views.practice_layers) as JSON, and static/practice.js, which holds each step
back until its questions are answered.

The question is ``#question`` (``data-node``, ``data-kind`` grad or local,
``data-input`` for local); the learner types in ``#answer`` and presses Enter
or ``#check``; a wrong answer's reply is in ``#hint`` (``data-mistake`` names
the mistake); ``#show-me`` (after two wrong tries) reveals the worked lines;
``#score`` counts the answers right first time.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from micrograd_nn.analysis.walk import walk
from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.engine import Value
from micrograd_nn.format import d_of
from micrograd_nn.views.practice import LOCAL_QUESTIONS, Question, node_questions, numbered
from micrograd_nn.views.stepper.page import Stepper, _page, _picture_and_states, _script_safe, _static
from micrograd_nn.views.stepper.page_state import displayable
from micrograd_nn.views.stepper.states import walked_states

DEFAULT_TITLE = "Your turn: backprop by hand"
"""The practice page's title unless one is given."""


def practice_questions(root: Value, *, mode: str = "nodes", forward: bool = False, local: str = "auto",
                       **walk_options: Any) -> list[Question]:
    """The questions a practice page asks for root's graph, in order (see views.practice).

    mode "nodes": d root/d x for every node x once its gradient is complete, and
    d node/d input where asked (local: auto, all, none); mode "layers": each
    neuron's dloss/dz (and the loss's own nodes).  forward: the page steps
    through the forward pass first (the questions' gates move accordingly).
    """
    if local not in LOCAL_QUESTIONS:
        raise ValueError(f"practice: local must be one of {LOCAL_QUESTIONS}, got {local!r}")
    info = displayable(walk(root, **walk_options))
    states = walked_states(info, mode=mode, forward=forward)
    if mode == "layers":
        from micrograd_nn.views.practice_layers import layer_questions

        questions = layer_questions(info, states)
    else:
        questions = node_questions(info, states, local=local)
    if not questions:
        raise ValueError(f"practice: {info.names[-1]} has no gradient to work out by hand (a leaf, or only ops "
                         "written the micrograd way, whose derivatives are not stored)")
    return numbered(questions)


def _panel(first: Question) -> str:
    """The question panel's HTML, showing the first question (practice.js takes it over)."""
    prompt, context = html.escape(first.prompt), html.escape(first.context)
    local = f' data-input="{html.escape(first.input, quote=True)}"' if first.input is not None else ""
    return f"""<section id="practice" aria-label="Your turn">
<div id="question" data-number="1" data-kind="{first.kind}" data-node="{html.escape(first.node, quote=True)}"{local}>
<p id="progress"></p><p id="prompt">{prompt}</p><p id="context">{context}</p>
</div>
<div id="answer-row"><label for="answer">Your answer</label><input id="answer" type="text" inputmode="decimal"
 autocomplete="off" spellcheck="false"><button id="check" type="button">Check</button><button
 id="show-me" type="button" disabled title="after two tries: the worked line">Show me</button></div>
<p id="hint" role="status" aria-live="polite"></p>
<p id="worked-title"></p><ol id="worked"></ol>
<p id="score" role="status"></p>
<div id="revisit-box" hidden><h2>Steps to revisit</h2><ul id="revisit"></ul></div>
<div id="practice-actions"><button id="restart" type="button">Restart</button><button id="download"
 type="button">Download my answers</button></div>
<p class="help">Type each derivative to the precision shown, then Enter. A step is revealed once its
questions are answered; Tab reaches the buttons, and outside the answer field the arrow keys step back.</p>
</section>"""


def _reveals(question: Question, state: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The picture ids a right answer to a grad question fills in at once (text and colour): its gate state's."""
    if question.kind != "grad":
        return {}
    own = f"v{question.node_id}"
    ids = [x for x in state["updates"] if x in (own, *question.highlight) or x.endswith(f".{own}")]
    return {x: (state["updates"][x], state["fills"][x]) for x in ids}


def _without_gradients(svg: str, root: str) -> str:
    """The network view's tooltips without their gradients: "dL/db = δ" or "dL/dw = δ·x" would give answers away."""
    gradient = re.compile(rf"[;,] {re.escape(d_of(root))}/\S+ = [^;,]+")

    def cleaned(match: re.Match[str]) -> str:
        text = gradient.sub("", html.unescape(match.group(1)))
        return f'xlink:title="{html.escape(text, quote=True)}"'

    return re.sub(r'xlink:title="([^"]*)"', cleaned, svg)


def practice_html(root: Value, *, title: str = DEFAULT_TITLE, mode: str = "nodes", forward: bool = False,
                  local: str = "auto", expression: str | None = None, **options: Any) -> str:
    """The practice page for root's graph as one HTML string (the stepper's page; needs Graphviz's dot).

    options: the stepper's (direction, max_nodes, ... for mode "nodes"; the
    network view's for "layers").  expression: the text the graph was built
    from, kept in the page's data and the learner's downloaded answers.
    """
    if options.pop("order", "topological") != "topological":
        raise ValueError("practice walks backward()'s order: leave out order='naive'")
    if mode == "nodes" and options.get("collapse"):
        raise ValueError("practice visits every node, so it cannot draw collapsed neurons; draw without collapse "
                         "or use mode='layers'")
    if options.get("edge_labels"):
        raise ValueError("practice: edge labels would show every contribution before it is asked; leave out "
                         "edge_labels")
    walk_options = {key: options.pop(key) for key in ("parameters", "inputs") if key in options}
    questions = practice_questions(root, mode=mode, forward=forward, local=local, **walk_options)
    info = displayable(walk(root, **walk_options))
    svg, payload, legend = _picture_and_states(info, mode, forward, "topological", options)
    if mode == "layers":
        svg = _without_gradients(svg, info.names[-1])
    records = []
    for question in questions:
        record = asdict(question)
        record["reveal"] = _reveals(question, payload["states"][question.gate])
        records.append(record)
    practice_data = {"title": title, "expression": expression, "questions": records}
    page = _page(title, mode, svg, _script_safe(json.dumps(payload, allow_nan=False)),
                         _static("svg-pan-zoom.min.js"), f"{_panel(questions[0])}\n{legend}")
    head, _, rest = page.partition("</head>")
    body, _, tail = rest.rpartition("</body>")
    data = _script_safe(json.dumps(practice_data, allow_nan=False))
    return (f"{head}<style>{_static('practice.css')}</style>\n</head>"
            + body.replace("<body ", "<body data-practice=\"on\" ", 1)
            + f'<script type="application/json" id="practice-data">{data}</script>\n'
            + f"<script>{_static('practice.js')}</script>\n</body>{tail}")


def write_practice(root: Value, path: str | Path, **options: Any) -> Path:
    """Write the practice page for root's graph to path atomically (options as practice_html); returns the path.

    write_html(root, path, practice=True) calls this; errors name write_html and the file.
    """
    check_target(path, "write_html")  # a bad path is said before the page is built
    return write_atomically(path, practice_html(root, **options), "write_html")


class Practice(Stepper):
    """The practice page for one graph; a notebook cell showing it displays the page inline (an iframe).

    ``Practice(root, mode="layers")``; ``.html`` is the page, ``.save(path)`` writes it.
    """

    def __init__(self, root: Value, *, height: int = 640, **options: Any) -> None:
        """Build the page now (options as practice_html); height is the notebook frame's, in pixels."""
        if not isinstance(height, int) or isinstance(height, bool) or height < 200:
            raise ValueError(f"practice: height must be a whole number of pixels >= 200, got {height!r}")
        self.html = practice_html(root, **options)
        self.height = height

    def _repr_html_(self) -> str:
        """The page in an <iframe srcdoc=...> whose script runs and whose "download my answers" works."""
        return super()._repr_html_().replace('sandbox="allow-scripts"', 'sandbox="allow-scripts allow-downloads"')

    def save(self, path: str | Path) -> Path:
        """Write the page to path atomically; returns the path."""
        return write_atomically(path, self.html, "Practice.save")


def practice(root: Value, **options: Any) -> Practice:
    """The practice page for root's graph: a notebook cell's last expression shows it (options as practice_html)."""
    return Practice(root, **options)
