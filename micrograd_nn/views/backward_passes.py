"""Which pass made each node of a gradient's graph: the forward pass, or the k-th backward(create_graph=True).

``x.grad_value`` is a graph of its own, built by the backward pass from the nodes of the forward graph (tanh's
``1 - out*out`` reads the node ``out``).  Its pictures mark each node by the pass that made it
(gradient_graph.backward_level): the nodes of the last pass are drawn as ever; those of each earlier pass sit in
a box of their pass's colours (colours.PASSES), the forward pass's innermost, with their borders in its colour,
and the legend names each.  A graph of forward nodes only is drawn as ever: no boxes, no legend entries.
"""

from __future__ import annotations

from micrograd_nn.colours import pass_colour
from micrograd_nn.views.dot_text import quote


def marked(levels: list[int]) -> bool:
    """Are the nodes marked by pass: does the graph hold a node some backward pass made?"""
    return any(level > 0 for level in levels)


ORDER_WORDS = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}  # derivatives named by their order


def derivatives_made(levels: list[int], summed: bool = False) -> str:
    """What stepping a gradient's graph backward gives: "second derivatives" when its newest nodes came from the
    1st backward pass, "third derivatives" from the 2nd (a gradient of a gradient), ...; "second and third" for
    x.grad summed over two passes (summed: dy/dx + d(dy/dx)/dx)."""
    words = [ORDER_WORDS.get(order, _ordinal(order) + "-order") for order in (max(levels), max(levels) + 1)]
    return f"{words[0]} and {words[1]} derivatives" if summed else f"{words[1]} derivatives"


def _ordinal(k: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def pass_words(level: int, highest: int) -> str:
    """What made a node: "forward pass node", "made by the backward pass", "made by the 2nd backward"."""
    if level == 0:
        return "forward pass node"
    if highest == 1:
        return "made by the backward pass"
    return f"made by the {_ordinal(level)} backward"


def legend_entries(levels: list[int]) -> list[tuple[int, str]]:
    """(level, words) for each level drawn, lowest first; none for a graph of forward nodes only."""
    if not marked(levels):
        return []
    highest = max(levels)
    entries = []
    for level in sorted(set(levels)):
        words = pass_words(level, highest)
        if level == 0:
            entries.append((level, f"{pass_colour(level)[0]} box and border: forward pass nodes (the gradient reads "
                                   "them)"))
        elif level < highest:
            entries.append((level, f"{pass_colour(level)[0]} box and border: {words}"))
        else:
            entries.append((level, f"outside the boxes: {words} (backward(create_graph=True))"))
    return entries


def pass_style(level: int, highest: int) -> dict[str, object]:
    """The DOT attributes marking a node made by pass `level`: its border in the pass's colour (none for the last)."""
    return {"color": pass_colour(level)[1]} if level < highest else {}


def pass_boxes(level_lines: dict[int, list[str]]) -> list[str]:
    """Node statements nested by pass: the forward pass's in a box, inside the next pass's box, ...; the last plain.

    A graph of forward nodes only ({0: statements}) gives its statements as they are.
    """
    levels = sorted(level_lines)
    if not levels:
        return []
    inner: list[str] = []
    for level in levels[:-1]:
        name, line, fill = pass_colour(level)
        label = pass_words(level, levels[-1]).replace(" node", "")
        inner = [
            f"subgraph cluster_pass{level} {{",
            f"  label={quote(label)} style=\"rounded,filled\" color=\"{line}\" fillcolor=\"{fill}\" "
            f"fontcolor=\"{line}\" fontname=Helvetica fontsize=11",
            *("  " + s for s in inner + level_lines[level]),
            "}",
        ]
    return inner + level_lines[levels[-1]]
