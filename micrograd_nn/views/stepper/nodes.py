"""Node mode's states: one per operation node, backward (its rule and chain-rule lines) and forward."""

from __future__ import annotations

from micrograd_nn.analysis.replay import Step
from micrograd_nn.analysis.walk import Walk
from micrograd_nn.format import format_number
from micrograd_nn.views.explain import chain_rule_line, rule_lines, step_title
from micrograd_nn.views.stepper.page_state import PageState, make_state


def operand_ids(info: Walk, i: int) -> list[str]:
    """The page ids of node i's operands (v{j}), in order, each once."""
    return list(dict.fromkeys(f"v{info.index[x]}" for x in info.nodes[i].operands))


def node_state(info: Walk, step: Step, total_steps: int, largest: float) -> PageState:
    """The backward state of one operation node: its rule, its chain-rule lines, the totals it changes."""
    root_name = info.names[-1]
    i = step.node_id
    return make_state(
        step_title(step, total_steps, root_name),
        phase="backward", node_id=i, highlight=[f"v{i}", f"o{i}"], rule=rule_lines(info, i),
        lines=[chain_rule_line(root_name, step, c) for c in step.contributions],
        grads={c.operand_id: c.total_after for c in step.contributions}, largest=largest,
        context=operand_ids(info, i),
    )


def forward_states(info: Walk) -> list[PageState]:
    """One state per operation node in topological order: its value appears."""
    inner = [i for i, operands in enumerate(info.operands) if operands]
    states = [make_state("forward pass: the leaves' values are known; every other value is computed from them",
                     phase="forward", node_id=0, highlight=[])]
    for i in inner:
        states.append(
            make_state(f"forward: {info.names[i]} = {format_number(info.nodes[i].data)}",  # the page counts steps
                   phase="forward", node_id=i, highlight=[f"v{i}", f"o{i}"], rule=rule_lines(info, i)[:1],
                   reveal=[i], context=operand_ids(info, i))
        )
    return states
