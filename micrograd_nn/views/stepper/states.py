"""The stepper's states for a graph, per mode: node by node, or a network layer by layer then neuron by neuron."""

from __future__ import annotations

import math
from dataclasses import replace

from micrograd_nn.analysis.replay import replay
from micrograd_nn.analysis.walk import Walk, walk
from micrograd_nn.engine import Value
from micrograd_nn.format import d_of
from micrograd_nn.views.stepper.layers import forward_layer_states, layer_stages, layer_states
from micrograd_nn.views.stepper.nodes import forward_states, node_state, operand_ids
from micrograd_nn.views.stepper.page_state import PageState, displayable, make_state

MODES = ("nodes", "layers")
"""How the stepper walks backward: one step per operation node, or per layer then per neuron."""


def stepper_states(root: Value, *, mode: str = "nodes", forward: bool = False) -> list[PageState]:
    """What the page shows at each position: state 0 seeds dL/dL = 1, then one state per backward step.

    Each state has a title, the rule lines (the op's formula and local
    derivatives in numbers), the chain-rule lines, the SVG ids to highlight
    (value node v{id}, op node o{id}), the gradient texts that change
    ({"v{id}": running total}) with their colours, and the values it reveals.
    mode="layers" steps a network layer by layer, then neuron by neuron;
    forward=True first steps through the forward pass.
    """
    return walked_states(displayable(walk(root)), mode=mode, forward=forward)


def walked_states(info: Walk, *, mode: str, forward: bool) -> list[PageState]:
    """stepper_states from a walked graph (backward replayed once, with records where the page shows them)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    network = layer_stages(info) if mode == "layers" else None
    if network is None:
        steps, totals = replay(info)
    else:  # the layers are shown as matrices: only the loss's own nodes are stepped one by one
        steps, totals = replay(info, only=[i for i, s in enumerate(network.stages) if not s.is_integer()])
    largest = max((abs(t) for t in totals if math.isfinite(t)), default=0.0)
    states = []
    if forward:
        states += forward_states(info) if network is None else forward_layer_states(info, network)
    root_id = len(info.nodes) - 1
    root_name = info.names[root_id]
    root_context = [f"o{root_id}", *operand_ids(info, root_id)] if info.nodes[root_id].operands else []
    states.append(
        make_state(
            f"start: {d_of(root_name)}/{d_of(root_name)} = 1 (the gradient of the output with respect to itself)",
            phase="backward", node_id=root_id, highlight=[f"v{root_id}"],
            lines=[f"{d_of(root_name)}/{d_of(root_name)} = 1.0000"],
            grads={root_id: 1.0}, largest=largest, context=root_context,
        )
    )
    if network is None:
        node_states = [node_state(info, step, len(steps), largest) for step in steps]
        if forward:  # the page's "step k of n" is the one count: a title does not count its phase again
            node_states = [replace(state, title="backward: " + state.title.split(": ", 1)[1]) for state in node_states]
        states += node_states
    else:
        states += layer_states(info, network, steps, totals, largest)
    return states
