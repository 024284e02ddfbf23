"""The scalar picture's legend: one line saying what its borders, shapes and colours mean, only those it draws."""

from __future__ import annotations

from typing import TYPE_CHECKING

from micrograd_nn import rules
from micrograd_nn.analysis.walk import INPUT_RULE, PARAMETER_RULE
from micrograd_nn.views.backward_passes import legend_entries
from micrograd_nn.views.dot_text import wrap_parts

if TYPE_CHECKING:
    from micrograd_nn.views.scalar_picture import _Layout as Layout


def ordered(name: str) -> bool:
    """Does the order of this op's inputs change its result (rules.OPS says), so that its edges are numbered?"""
    op = rules.OPS.get(name)
    return op is not None and op.ordered


_KIND_WORDS = (
    ("parameter", f"double border: parameter ({PARAMETER_RULE})"),
    ("input", f"dashed: input ({INPUT_RULE})"),
    ("variable", "bold: a leaf you labelled"),
    ("constant", "dotted: an unlabelled leaf"),
)  # the legend's words for each kind of leaf (its border)


def legend(layout: Layout) -> str:
    """One line saying what the borders, shapes and colours mean: only those this picture draws."""
    info, options = layout.info, layout.options
    drawn = [i for i in range(len(info.nodes)) if not layout.hidden[i]]
    kinds = {info.kinds[i] for i in drawn if info.groups[i] not in layout.collapsed}
    ops = [i for i in drawn if info.nodes[i].operands and info.groups[i] not in layout.collapsed]
    fills = _fills(layout, drawn)
    said = [
        ("box: a value (name, data, grad)", True),
        ("oval: the operation that made it", bool(ops)),
        *((words, kind in kinds) for kind, words in _KIND_WORDS),
        ("3-D box: a whole neuron", bool(layout.collapsed)),
        (f"fill: {', '.join(fills)}, stronger when larger", bool(fills)),
        ("edge: local derivative × upstream = contribution", options.edge_labels and layout.computed and bool(ops)),
        ("#1, #2: which input of the op (order matters for −, ÷, **)", any(ordered(info.nodes[i].op) for i in ops)),
        ("red op: a wrong local derivative", bool(layout.culprits)),
        ("orange box: a gradient that central differences contradict", bool(layout.mismatched)),
        *((words, True) for _, words in legend_entries(layout.passes)),
    ]
    return wrap_parts([words for words, shown in said if shown])


def _fills(layout: Layout, drawn: list[int]) -> list[str]:
    """The gradient colours the drawn nodes have ("blue grad > 0", "red grad < 0"), when colours are shown."""
    if not (layout.computed and layout.options.color_by_grad):
        return []
    grads = [layout.info.nodes[i].grad for i in drawn]
    return [what for what, shown in (("blue grad > 0", any(g > 0 for g in grads)),
                                     ("red grad < 0", any(g < 0 for g in grads))) if shown]
