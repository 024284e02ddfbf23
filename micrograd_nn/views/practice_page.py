"""The practice page (predict, then see): the stepper page whose steps wait for the learner's answers.

``write_html(root, path, practice=True)`` (views.stepper) and ``micrograd-nn
practice EXPR -o worksheet.html`` write it; ``micrograd_nn.practice(root)``
shows it inline in Jupyter.  The page is the stepper's (the same picture,
states, camera and offline scripts) with a question panel on top: the
questions, likely wrong answers and hints of views.practice (layer mode:
views.practice_layers) as JSON, and static/practice.js, which holds each step
back until its questions are answered: a step with several questions is split
in parts, so that every right answer reveals its own part (its rule or
chain-rule line and its number in the picture).

The question is ``#question`` (``data-node``, ``data-kind`` grad or local,
``data-input`` for local); the learner types in ``#answer`` and presses Enter
or ``#check``; a wrong answer's reply is in ``#hint`` (``data-mistake`` names
the mistake); ``#show-me`` (after two wrong tries) reveals the worked lines;
``#score`` counts the answers right first time.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from micrograd_nn import errors
from micrograd_nn.analysis.replay import Step, replay
from micrograd_nn.analysis.walk import walk
from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.engine import Value
from micrograd_nn.format import d_of
from micrograd_nn.inline import bundled, inline_script, page_data
from micrograd_nn.views.practice import LOCAL_QUESTIONS, Question, node_questions, numbered
from micrograd_nn.views.stepper.page import VIEWS, Stepper, _page, _picture_and_states
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
<p class="help">Type each derivative to the precision shown, then Enter: a right answer reveals its part of
the step. Tab reaches the buttons; outside the answer field the arrow keys step back and forth.</p>
</section>"""


def _shows(question: Question, picture_id: str) -> bool:
    """Does the picture's node picture_id show the gradient a grad question asks (v12, loss.v12, a neuron's key)?"""
    own = f"v{question.node_id}"
    return question.kind == "grad" and (picture_id in (own, *question.highlight) or picture_id.endswith(f".{own}"))


def _part(state: dict[str, Any], answered: list[Question], step: Step | None, part: str) -> dict[str, Any]:
    """The part of a step that the answered questions reveal: their rule and chain-rule lines, their gradients.

    step: the replayed step the state shows (None for a layer's matrix step, whose lines are one per neuron).
    """
    known = {q.node_id for q in answered if q.kind == "grad"}
    if step is not None and len(state["lines"]) == len(step.contributions):
        seen = known | {q.input_id for q in answered if q.kind == "local"}
        contributions = list(enumerate(step.contributions))
        rule = state["rule"][:1] + [state["rule"][1 + p] for p, c in contributions
                                    if c.operand_id in seen and 1 + p < len(state["rule"])]
        lines = [state["lines"][p] for p, c in contributions if c.operand_id in known]
    else:
        keys = [q.highlight[0] for q in answered]
        rule = state["rule"][:1]
        lines = [line for line in state["lines"] if any(f"({key})" in line for key in keys)]
    updates = {x: text for x, text in state["updates"].items() if any(_shows(q, x) for q in answered)}
    return {**state, "title": f"{state['title']} ({part})", "rule": rule, "lines": lines, "updates": updates,
            "fills": {x: state["fills"][x] for x in updates}, "reveal": []}


def _split(states: list[dict[str, Any]], questions: list[Question],
           steps: dict[int, Step]) -> tuple[list[dict[str, Any]], list[Question]]:
    """Each step whose questions are several split in parts, so that every right answer reveals its own part.

    The last question of a step reveals the whole step; each question's gate becomes the part it reveals.
    """
    by_gate: dict[int, list[Question]] = {}
    for question in questions:
        by_gate.setdefault(question.gate, []).append(question)
    parts: list[dict[str, Any]] = []
    gated: list[Question] = []
    for k, state in enumerate(states):
        asked = by_gate.get(k, [])
        for j, question in enumerate(asked, 1):
            done = j == len(asked)
            parts.append(state if done else _part(state, asked[:j], steps.get(state["node_id"]),
                                                  f"part {j} of {len(asked)}"))
            gated.append(replace(question, gate=len(parts) - 1))
        if not asked:
            parts.append(state)
    return parts, gated


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
        legend = legend.replace(f"(hover for w and {d_of(info.names[-1])}/dw)", "(hover for w)")
    payload["states"], questions = _split(payload["states"], questions,
                                          {step.node_id: step for step in replay(info)[0]})
    practice_data = {"title": title, "expression": expression, "questions": [asdict(q) for q in questions]}
    page = _page(title, mode, svg, page_data(payload), inline_script(VIEWS, "svg-pan-zoom.min.js"),
                 f"{_panel(questions[0])}\n{legend}")
    head, _, rest = page.partition("</head>")
    body, _, tail = rest.rpartition("</body>")
    return (f"{head}<style>{bundled(VIEWS, 'practice.css')}</style>\n</head>"
            + body.replace("<body ", "<body data-practice=\"on\" ", 1)
            + f'<script type="application/json" id="practice-data">{page_data(practice_data)}</script>\n'
            + f"<script>{inline_script(VIEWS, 'practice.js')}</script>\n</body>{tail}")


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
        self.height = errors.whole_number(height, "practice: height", 200, unit="pixels")
        self.html = practice_html(root, **options)

    def _repr_html_(self) -> str:
        """The page in an <iframe srcdoc=...> whose script runs and whose "download my answers" works."""
        return super()._repr_html_().replace('sandbox="allow-scripts"', 'sandbox="allow-scripts allow-downloads"')

    def save(self, path: str | Path) -> Path:
        """Write the page to path atomically; returns the path."""
        return write_atomically(path, self.html, "Practice.save")


def practice(root: Value, **options: Any) -> Practice:
    """The practice page for root's graph: a notebook cell's last expression shows it (options as practice_html)."""
    return Practice(root, **options)
