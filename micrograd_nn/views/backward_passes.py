"""Which pass made each node of a gradient's graph: the forward pass, or the k-th backward(create_graph=True).

``x.grad_value`` is a graph of its own, built by the backward pass from the nodes of the forward graph (tanh's
``1 - out*out`` reads the node ``out``).  Its pictures mark each node by the pass that made it
(gradient_graph.backward_level): the scalar picture colours the border and text (colours.PASSES), the stepper
page does the same and lists each level in its legend.  A graph of forward nodes only is drawn as ever: no marks.
"""

from __future__ import annotations

from micrograd_nn.analysis.walk import Walk
from micrograd_nn.colours import pass_colour
from micrograd_nn.gradient_graph import backward_level


def pass_levels(info: Walk) -> list[int]:
    """For each node of the walk: 0 if the forward pass made it, k if the k-th backward(create_graph=True) did."""
    return [backward_level(node) for node in info.nodes]


def marked(levels: list[int]) -> bool:
    """Are the nodes marked by pass: does the graph hold a node some backward pass made?"""
    return any(level > 0 for level in levels)


def _ordinal(k: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def pass_words(level: int, highest: int) -> str:
    """What made a node, for a legend: "forward pass node", "made by the backward pass", "made by the 2nd backward"."""
    if level == 0:
        return "forward pass node (the gradient reads it)"
    if highest == 1:
        return "made by the backward pass (backward(create_graph=True))"
    return f"made by the {_ordinal(level)} backward"


def legend_entries(levels: list[int]) -> list[tuple[int, str, str]]:
    """(level, colour name, words) for each level drawn, lowest first; none for a graph of forward nodes only."""
    if not marked(levels):
        return []
    highest = max(levels)
    return [(level, pass_colour(level)[0], pass_words(level, highest)) for level in sorted(set(levels))]


def pass_style(level: int) -> dict[str, object]:
    """The DOT attributes marking a node made by pass `level`: its border and text in the pass's colour."""
    colour = pass_colour(level)[1]
    return {"color": colour, "fontcolor": colour}
