"""The forward-vs-reverse page: forward mode and reverse mode on the same graph, side by side, step by step.

The graph is drawn twice in one picture: on the left forward mode pushes
tangents d(node)/d(input) from the leaves up, one pass per input (the leaf
seeded 1, the others 0; micrograd_nn.forward_mode), on the right reverse mode
(backward()) passes gradients d(out)/d(node) down from the output, one pass per
output.  Both use the local derivatives the forward computation stored, and
each step costs one multiply-add per edge it uses: the page counts them, and
when both are done says what the whole Jacobian cost each way and when each
wins.  The page is the stepper's (its camera, controls, legend rules and
static files: micrograd_nn.views.stepper); ``write_html(root, path,
mode="forward-vs-reverse")`` writes it.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from micrograd_nn.analysis.replay import replay
from micrograd_nn.analysis.walk import INPUT_RULE, PARAMETER_RULE, Walk, walk
from micrograd_nn.engine import Value
from micrograd_nn.format import DEFAULT_PRECISION, bracketed, counted, d_of, format_number
from micrograd_nn.forward_mode import local_derivatives, tangent_share
from micrograd_nn.inline import bundled
from micrograd_nn.views.dot_text import Advice, run_dot
from micrograd_nn.views.explain import chain_rule_line, formula_number, join_checked
from micrograd_nn.views.stepper.page_state import PageState, _fill, displayable
from micrograd_nn.views.stepper.picture import _legend_html, _signs

MODE = "forward-vs-reverse"
"""The stepper's mode name for this page (write_html(root, path, mode=MODE))."""

SIDES = {"f": "forward mode", "r": "reverse mode"}
"""The two copies of the graph: the id prefix of each copy's nodes, and its title."""


@dataclass(frozen=True)
class Costs:
    """What the whole Jacobian of one graph costs each way: n inputs (leaves), m outputs, passes, multiply-adds."""

    inputs: int
    outputs: int
    edges: int  # operand edges of the graph: one multiply-add each per pass
    forward_passes: int
    forward_multiply_adds: int
    reverse_passes: int
    reverse_multiply_adds: int

    def verdict(self) -> str:
        """When each mode wins, in one sentence, for this graph's n and m."""
        n, m = self.inputs, self.outputs
        here = ("so here reverse mode wins" if m < n else "so here forward mode wins" if n < m
                else "so here they tie")
        return (f"Forward mode costs one pass per input (n = {n}) and reverse mode one per output (m = {m}), each "
                f"pass about one multiply-add per edge: forward wins when n < m (few inputs, many outputs), reverse "
                f"when m < n (a loss of many parameters), {here}.")


@dataclass(frozen=True)
class _SideStep:
    """One step of one side: its words, what it highlights, and the numbers it writes into that side's copy."""

    title: str
    lines: list[str]
    highlight: list[int]
    context: list[int]
    values: dict[int, float | None]  # node id -> its tangent or gradient now (None: not known in this pass)
    operation: bool = True  # the highlighted node is an operation's result (its op oval is marked too)


def costs(info: Walk) -> Costs:
    """Passes and multiply-adds of the whole Jacobian of the walked graph (one output) each way."""
    edges = sum(len(operands) for operands in info.operands)
    n = sum(1 for operands in info.operands if not operands)
    return Costs(n, 1, edges, n, n * edges, 1, edges)


def _forward_steps(info: Walk, total: Costs) -> tuple[list[_SideStep], list[float], list[float]]:
    """Forward mode's steps: per input, a seed step then one step per operation in topological order.

    Also every tangent it computes (for the colour scale) and the output's tangent of each pass.
    """
    leaves = [i for i, operands in enumerate(info.operands) if not operands]
    inner = [i for i, operands in enumerate(info.operands) if operands]
    steps: list[_SideStep] = []
    seen: list[float] = []
    columns: list[float] = []
    done = 0
    for p, leaf in enumerate(leaves, 1):
        x = info.names[leaf]
        tangents = {j: 1.0 if j == leaf else 0.0 for j in leaves}
        reset: dict[int, float | None] = {j: None for j in inner}
        steps.append(_SideStep(
            f"pass {p} of {len(leaves)}: seed {d_of(x)}/{d_of(x)} = 1, every other leaf 0",
            [f"forward pass {p} of {len(leaves)} computes d(node)/{d_of(x)} for every node, from the leaves up"],
            [leaf], [], {**reset, **tangents}, operation=False))  # the previous pass's tangents are cleared
        for k in inner:
            node, name = info.nodes[k], info.names[k]
            edges = local_derivatives(node)
            terms = [(info.index[operand], local) for _, operand, local in edges]
            tangents[k] = sum(tangent_share(node, at, local, tangents[info.index[x]]) for at, x, local in edges)
            done += len(terms)
            products = " + ".join(f"{formula_number(local)} × {formula_number(tangents[j])}" for j, local in terms)
            derivative = " + ".join(f"{_partial(name, info.names[j])} · {d_of(info.names[j])}/{d_of(x)}"
                                    for j, _ in terms)
            steps.append(_SideStep(
                f"pass {p} of {len(leaves)}: {d_of(name)}/{d_of(x)}",
                [join_checked([f"{d_of(name)}/{d_of(x)}", derivative, products, format_number(tangents[k])]),
                 f"{_count(len(terms))}; {done} of {total.forward_multiply_adds} for the whole Jacobian"],
                [k], [j for j, _ in terms], {k: tangents[k]}))
        seen += list(tangents.values())
        columns.append(tangents[len(info.nodes) - 1])
    return steps, seen, columns


def _partial(node: str, operand: str) -> str:
    """∂node/∂operand: a local derivative (d is kept for the tangents, which follow every path)."""
    return f"∂{bracketed(node)}/∂{bracketed(operand)}"


def _reverse_steps(info: Walk, total: Costs) -> tuple[list[_SideStep], list[float]]:
    """Reverse mode's steps: the seed at the output, then backward()'s steps (the stepper's replay)."""
    root, r = len(info.nodes) - 1, info.names[-1]
    records, totals = replay(info)
    steps = [_SideStep(f"pass 1 of 1: seed {d_of(r)}/{d_of(r)} = 1",
                       [f"the reverse pass computes {d_of(r)}/d(node) for every node, from the output down"],
                       [root], [], {root: 1.0}, operation=bool(info.operands[root]))]
    done = 0
    for step in records:
        done += len(step.contributions)
        steps.append(_SideStep(
            f"{step.node} = {step.formula}: passes {d_of(r)}/{d_of(step.node)} = {format_number(step.upstream)} on",
            [chain_rule_line(r, step, c) for c in step.contributions]
            + [f"{_count(len(step.contributions))}; {done} of {total.reverse_multiply_adds} for the whole Jacobian"],
            [step.node_id], [c.operand_id for c in step.contributions],
            {c.operand_id: c.total_after for c in step.contributions}))
    return steps, totals


def _names(info: Walk) -> str:
    """The leaves' names, "a, b, c" (the first three and a count when there are more)."""
    leaves = [info.names[i] for i, operands in enumerate(info.operands) if not operands]
    return ", ".join(leaves) if len(leaves) <= 3 else f"{', '.join(leaves[:3])} and {len(leaves) - 3} more"


def _count(k: int) -> str:
    """"1 multiply-add", "3 multiply-adds"."""
    return counted(k, "multiply-add", "multiply-adds")


def forward_reverse_states(info: Walk) -> list[PageState]:
    """The page's states: both modes side by side, one step of each per position, then what each cost."""
    total = costs(info)
    forward, forward_seen, columns = _forward_steps(info, total)
    reverse, reverse_seen = _reverse_steps(info, total)
    largest = {side: max((abs(v) for v in seen if math.isfinite(v)), default=0.0)
               for side, seen in (("f", forward_seen), ("r", reverse_seen))}
    start = PageState(
        title=f"{info.names[-1]} = {format_number(info.root.data)} is computed; forward mode starts at the "
              f"{total.inputs} leaves, reverse mode at the output",
        phase="forward", node_id=len(info.nodes) - 1, highlight=[],
        rule=[f"Forward mode: one pass per leaf ({_names(info)}), seeded 1 at that leaf and 0 at the others"],
        lines=[f"Reverse mode: one pass from the output, seeded {d_of(info.names[-1])}/{d_of(info.names[-1])} = 1"],
        updates={}, fills={}, reveal=[])
    states = [start]
    for k in range(max(len(forward), len(reverse))):
        sides = {"f": forward[k] if k < len(forward) else None, "r": reverse[k] if k < len(reverse) else None}
        states.append(_together(sides, total, largest, len(info.nodes) - 1))
    states.append(_summary(info, total, columns, reverse_seen))
    return states


def _together(sides: dict[str, _SideStep | None], total: Costs, largest: dict[str, float],
              node_id: int) -> PageState:
    """One position of the page: each side's step (or that it is done), as one state of the stepper."""
    done = {"f": f"done: the whole Jacobian after {counted(total.forward_passes, 'pass', 'passes')}, "
                 f"{_count(total.forward_multiply_adds)}",
            "r": f"done: the whole Jacobian after {counted(total.reverse_passes, 'pass', 'passes')}, "
                 f"{_count(total.reverse_multiply_adds)}"}
    title, text, highlight, context, updates, fills = [], {}, [], [], {}, {}
    for side, step in sides.items():
        name = SIDES[side].capitalize()
        if step is None:
            title.append(f"{name}: {done[side]}")
            text[side] = [f"{name}: {done[side]}"]
            continue
        title.append(f"{name}: {step.title}")
        text[side] = [f"{name}, {step.title}:", *step.lines]
        highlight += [f"{side}{kind}{i}" for i in step.highlight for kind in ("vo" if step.operation else "v")]
        context += [f"{side}v{i}" for i in step.context]
        for i, value in step.values.items():
            updates[f"{side}v{i}"] = "?" if value is None else format_number(value)
            fills[f"{side}v{i}"] = "#ffffff" if value is None else _fill(value, largest[side])
    return PageState(title="   |   ".join(title), phase="backward", node_id=node_id, highlight=highlight,
                     rule=text["f"], lines=text["r"], updates=updates, fills=fills, reveal=[],
                     context=[x for x in dict.fromkeys(context) if x not in highlight])


def _summary(info: Walk, total: Costs, columns: list[float], reverse: list[float]) -> PageState:
    """The last state: the Jacobian both ways (the same numbers), what each cost, and when each wins.

    columns: the output's tangent at the end of each forward pass; reverse: each node's gradient.
    """
    r, root = info.names[-1], len(info.nodes) - 1
    leaves = [i for i, operands in enumerate(info.operands) if not operands]
    by_pass = ", ".join(f"{d_of(r)}/{d_of(info.names[i])} = {format_number(t)}" for i, t in zip(leaves, columns))
    row = ", ".join(f"{d_of(r)}/{d_of(info.names[i])} = {format_number(reverse[i])}" for i in leaves)
    return PageState(
        title=f"the whole Jacobian ({counted(total.inputs, 'input', 'inputs')}, "
              f"{counted(total.outputs, 'output', 'outputs')}): forward mode "
              f"{counted(total.forward_passes, 'pass', 'passes')} and {_count(total.forward_multiply_adds)}, "
              f"reverse mode {counted(total.reverse_passes, 'pass', 'passes')} and "
              f"{_count(total.reverse_multiply_adds)}",
        phase="backward", node_id=root, highlight=[f"fv{root}", *(f"rv{i}" for i in leaves)],
        rule=[f"forward mode, one number per pass: {by_pass}"],
        lines=[f"reverse mode, all in one pass: {row}", total.verdict()],
        updates={}, fills={}, reveal=[])


def comparison(root: Value, precision: int = DEFAULT_PRECISION) -> str:
    """Both modes on root's graph as text: the gradients each gives, its passes and multiply-adds, who wins."""
    info = displayable(walk(root))
    total = costs(info)
    columns = _forward_steps(info, total)[2]
    reverse = _reverse_steps(info, total)[1]
    r = info.names[-1]
    leaves = [i for i, operands in enumerate(info.operands) if not operands]
    by_pass = ", ".join(f"{d_of(r)}/{d_of(info.names[i])} = {format_number(t, precision)}"
                        for i, t in zip(leaves, columns))
    row = ", ".join(f"{d_of(r)}/{d_of(info.names[i])} = {format_number(reverse[i], precision)}" for i in leaves)
    return "\n".join([
        f"forward mode: {counted(total.forward_passes, 'pass', 'passes')} (one per input), "
        f"{_count(total.forward_multiply_adds)}: {by_pass}",
        f"reverse mode: {counted(total.reverse_passes, 'pass', 'passes')} (one per output), "
        f"{_count(total.reverse_multiply_adds)}: {row}",
        total.verdict(),
    ])


# --- the picture: the scalar picture twice, side by side --------------------------------------

_INCH_PER_CHARACTER = 0.082  # Helvetica 11 pt, the scalar picture's box text: about 0.082 in per character
_BOX_MARGIN = 0.3  # inches of a box's width beside its text
_NAME = re.compile(r"\b([vo]\d+|r\d+|e\d+_\d+)\b")


def _prefixed(line: str, side: str) -> str:
    """A DOT statement of the scalar picture with its node names and ids prefixed by side ("f" or "r")."""
    parts = re.split(r'("(?:[^"\\]|\\.)*")', line)  # quoted strings at odd positions
    out = []
    for k, part in enumerate(parts):
        if k % 2 == 0:
            out.append(_NAME.sub(lambda m: side + m.group(1), part))
        elif out and out[-1].endswith("id="):
            out.append(f'"{side}{part[1:]}')
        else:
            out.append(part)
    return "".join(out)


def _copy(body: list[str], side: str, title: str, width: float) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """One side's cluster (its value line renamed "tangent = ?" or "grad = ?", boxes wide enough for the numbers,
    a title above the leaves) and, per box, which of its lines the page writes into."""
    line = "tangent = ?" if side == "f" else "grad = ?"
    statements, texts, leaves = [], {}, []
    for statement in body:
        statement = _prefixed(statement, side)
        box = re.match(rf'({side}v\d+) \[id="[^"]*", label="((?:[^"\\]|\\.)*)\\ngrad \?"', statement)
        if box:
            statement = statement.replace('\\ngrad ?"', f'\\n{line}"', 1)[:-1] + f', width="{format_number(width, 2)}"]'
            texts[box.group(1)] = {"grad": box.group(2).count("\\n") + 1}
            leaves.append(box.group(1))
        statements.append(statement)
    operations = {m.group(1) for s in body for m in [re.match(r"o(\d+) ", s)] if m}
    leaves = [v for v in leaves if v[len(side) + 1:] not in operations]
    head = [f'{side}title [id="{side}title", shape="plaintext", fontsize=14, label="{title}"]',
            *(f"{side}title -> {v} [style=invis]" for v in leaves)]
    return [f"subgraph cluster_{side} {{", 'color="#bbbbbb"', *head, *statements, "}"], texts


def _picture(info: Walk, direction: str, states: list[PageState],
             max_nodes: int | None = None) -> tuple[str, dict[str, dict[str, Any]]]:
    """The SVG with both copies of the graph (each at most max_nodes nodes: by default half a picture's limit), and
    the value line of each box the page writes into."""
    from micrograd_nn.views import scalar_picture  # loads graphviz: only when a page is drawn

    limit = scalar_picture.DEFAULT_MAX_NODES // 2 if max_nodes is None else max_nodes
    drawn = len(info.nodes) + sum(1 for operands in info.operands if operands)  # values and op ovals, per copy
    if drawn > limit:
        what = f"the forward-vs-reverse page would draw {drawn} nodes in each of its two copies, more than max_nodes"
        after = (f"{drawn} to draw it anyway (Graphviz is stopped after {scalar_picture.DOT_TIMEOUT:g} s); a smaller "
                 "graph shows the same comparison")
        raise scalar_picture.PictureTooLargeError(f"{what}={limit}; pass max_nodes={after}",
                                                  f"{what.replace('max_nodes', '--max-nodes')} {limit}; pass "
                                                  f"--max-nodes {after}")
    picture = scalar_picture.draw_walked(info, direction=direction, show_grads=False, color_by_grad=False,
                                         legend=False, clusters=False, max_nodes=limit)
    lines = [line.strip() for line in picture.body]
    head = [s for s in lines if s.split("=")[0].split(" ")[0] in ("rankdir", "ranksep", "node", "edge")]
    body = [s for s in lines if s not in head]
    longest = max((len(text) for state in states for text in state.updates.values()), default=6)
    width = _INCH_PER_CHARACTER * (len("tangent = ") + longest) + _BOX_MARGIN
    source, texts = "digraph forward_reverse {\n" + "".join(f"\t{s}\n" for s in head), {}
    for side, title in (("f", "forward mode: tangents, one pass per input"),
                        ("r", "reverse mode: gradients, one pass per output")):
        cluster, side_texts = _copy(body, side, title, width)
        source += "".join(f"\t{s}\n" for s in cluster)
        texts.update(side_texts)
    advice = Advice("step a smaller graph: this page draws it twice", "step a smaller expression")
    svg = run_dot(source + "}\n", "svg", advice=advice).decode("utf-8")
    svg = svg[svg.index("<svg"):]
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg), texts


def _legend(info: Walk, states: list[PageState]) -> str:
    """The legend: the leaf kinds and shapes drawn, tangent and gradient, the colours in use, the current step."""
    kinds = set(info.kinds)
    items = [(kind, words) for kind, words in (
        ("parameter", f"parameter (double border): {PARAMETER_RULE}"), ("input", f"input (dashed): {INPUT_RULE}"),
        ("variable", "a leaf you labelled (bold border)"), ("constant", "an unlabelled leaf (dotted)"))
        if kind in kinds]
    items.append(("inner", "left: tangent = d(node)/d(this pass's input); right: grad = d(output)/d(node)"))
    if any(node.operands for node in info.nodes):
        items.append(("op", "operation (oval)"))
    numbers = [float(v) for s in states for v in s.updates.values() if v != "?"]
    words = {"positive": "positive (blue; stronger = larger)", "negative": "negative (red)"}
    items += [(sign, words[sign]) for sign in _signs(numbers)]
    items.append(("inner", "white: zero, or not reached yet in this pass (?)"))
    items.append(("current", "the current step of each mode"))
    return _legend_html(items)


WALK_HELP = ("Each step moves both modes on: on the left the highlighted node gets its tangent from its operands' "
             "(forward mode, from the leaves up), on the right it passes its gradient to its operands (reverse "
             "mode, from the output down); ? = not reached yet in this pass.")
"""The page's words on what a step does (the stepper's own say it for reverse mode only)."""


def page_parts(root: Value, *, title: str | None, direction: str = "TB", forward: bool = False,
               order: str = "topological", **options: Any) -> tuple[str, str, dict[str, Any], str, str]:
    """The forward-vs-reverse page's title, SVG, data (the states as JSON-ready dicts), notes and help words.

    The stepper's page (micrograd_nn.views.stepper) puts them around its controls, camera and scripts.
    """
    max_nodes = options.pop("max_nodes", None)  # nodes of one copy; the page draws two
    if forward or order != "topological" or options:
        given = sorted([*options, *(["forward"] if forward else []), *(["order"] if order != "topological" else [])])
        raise ValueError(f"mode={MODE!r} takes the options title, direction and max_nodes, got {', '.join(given)}")
    if direction not in ("LR", "TB"):
        raise ValueError(f"direction must be 'LR' or 'TB', got {direction!r}")
    info = displayable(walk(root))
    states = forward_reverse_states(info)
    svg, texts = _picture(info, direction, states, max_nodes)
    total = costs(info)
    payload = {"states": [asdict(s) for s in states], "valueIds": list(texts), "hiddenData": [], "texts": texts}
    table = (f'<table id="costs"><tr><th></th><th>passes</th><th>multiply-adds</th></tr>'
             f"<tr><td>forward mode</td><td>{total.forward_passes}</td><td>{total.forward_multiply_adds}</td></tr>"
             f"<tr><td>reverse mode</td><td>{total.reverse_passes}</td><td>{total.reverse_multiply_adds}</td></tr>"
             f'</table><p id="verdict">{html.escape(total.verdict())}</p>')
    style = bundled("micrograd_nn.views", "forward_reverse.css")
    notes = f"<style>{style}</style>\n{table}\n{_legend(info, states)}"
    return title or "Forward mode and reverse mode", svg, payload, notes, WALK_HELP
