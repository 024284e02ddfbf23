"""One position of the stepper page (PageState), built from walk ids; names the page can show."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from micrograd_nn.analysis.walk import Walk
from micrograd_nn.colours import signed_colour
from micrograd_nn.format import format_number

NAME_LIMIT = 40
"""Longest name the page shows; a longer label is cut to this many characters, ending in "…"."""


def _display_name(name: str) -> str:
    """name with control characters written as escapes (\\n, \\x00) and cut to NAME_LIMIT characters."""
    if name.isprintable() and len(name) <= NAME_LIMIT:
        return name
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name)
    return shown if len(shown) <= NAME_LIMIT else shown[: NAME_LIMIT - 1] + "…"


def displayable(info: Walk) -> Walk:
    """The walk with names safe to draw and print (see _display_name), still unique."""
    names = [_display_name(name) for name in info.names]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    names = [name if seen[name] == 1 or name == info.names[i] else f"{name}#{i}" for i, name in enumerate(names)]
    return replace(info, names=names)


# --- the states of the page ---------------------------------------------------------

def _fill(grad: float, largest: float) -> str:
    """A node's colour for its gradient, from the one colour scale (colours.py), as CSS."""
    return signed_colour(grad, largest, css=True)


@dataclass(frozen=True)
class PageState:
    """One position of the page: what it says, what it highlights, which gradients and values it fills in.

    The page reads them as JSON (dataclasses.asdict).  Ids are the scalar
    picture's ("v12" a value, "o12" its op) or, in layer mode, the network view's.
    """

    title: str
    phase: str  # "forward" or "backward"
    node_id: int  # the walk id of the node the step is about
    highlight: list[str]  # picture ids to mark as the current step
    rule: list[str]  # the op's rule (or the layer's matrices) as a formula and in numbers
    lines: list[str]  # the chain-rule lines
    updates: dict[str, str]  # picture id -> the gradient text it shows from now on
    fills: dict[str, str]  # picture id -> its colour for that gradient
    reveal: list[str]  # picture ids whose values the forward pass reaches now
    context: list[str] = field(default_factory=list)  # picture ids the camera keeps in view with highlight
    wrong: bool = False  # the naive walk's step that goes wrong, or its wrong result: drawn in red


def make_state(title: str, *, phase: str, node_id: int, highlight: list[str], rule: list[str] | None = None,
           lines: list[str] | None = None, grads: dict[int, float] | None = None, largest: float = 0.0,
           reveal: list[int] | None = None, context: list[str] | None = None) -> PageState:
    """A PageState from walk ids: grads {id: running total} become texts and colours.

    context: the ids the camera keeps in view with the highlighted ones (the current node's operands).
    """
    grads = grads or {}
    return PageState(
        title=title, phase=phase, node_id=node_id, highlight=highlight, rule=rule or [], lines=lines or [],
        updates={f"v{i}": format_number(g) for i, g in grads.items()},
        fills={f"v{i}": _fill(g, largest) for i, g in grads.items()},
        reveal=[f"v{i}" for i in reveal or []],
        context=[x for x in dict.fromkeys(context or []) if x not in highlight],
    )
