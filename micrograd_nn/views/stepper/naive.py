"""order="naive": the naive recursion's steps as page states, its wrong step and wrong result marked."""

from __future__ import annotations

import math
from dataclasses import replace

from micrograd_nn.analysis.walk import Walk
from micrograd_nn.format import d_of, format_number
from micrograd_nn.views.explain import rule_lines
from micrograd_nn.views.stepper.nodes import operand_ids
from micrograd_nn.views.stepper.page_state import PageState, make_state


def naive_states(info: Walk) -> list[PageState]:
    """The naive walk's steps (after the start state): a state per visit, its mistakes marked wrong, then the result.

    A state with wrong=True is drawn in red: the step where the naive walk adds
    what backward() does not, and the result that differs from backward()'s.
    """
    from micrograd_nn.analysis.naive_walk import naive_walk_of

    naive = naive_walk_of(info)
    largest = max((abs(t) for t in naive.true + naive.naive if math.isfinite(t)), default=0.0)
    r = naive.root
    states = []
    for step in naive.steps:
        visit = f" (visit {step.visit})" if sum(s.node_id == step.node_id for s in naive.steps) > 1 else ""
        lines = [step.reason(r)] if step.wrong else []
        lines += [
            f"{d_of(r)}/{d_of(e.operand)} += {d_of(r)}/{d_of(step.node)} * {d_of(step.node)}/{d_of(e.operand)} = "
            f"{format_number(step.upstream)} * {format_number(e.local)} = {format_number(e.passed)}   "
            f"({d_of(r)}/{d_of(e.operand)} is now {format_number(e.total_after)})"
            for e in step.edges
        ]
        state = make_state(
            f"naive step {step.number} of {len(naive.steps)}: {step.node}{visit} is reached and passes "
            f"{d_of(r)}/{d_of(step.node)} = {format_number(step.upstream)} on",
            phase="backward", node_id=step.node_id, highlight=[f"v{step.node_id}", f"o{step.node_id}"],
            rule=rule_lines(info, step.node_id), lines=lines,
            grads={e.operand_id: e.total_after for e in step.edges}, largest=largest,
            context=operand_ids(info, step.node_id),
        )
        states.append(replace(state, wrong=step.wrong))
    wrong = naive.wrong_leaves()
    shown = wrong or naive.leaves()
    results = [
        f"{d_of(r)}/{d_of(info.names[i])}: naive walk {format_number(naive.naive[i])}, "
        f"backward() {format_number(naive.true[i])}" + ("   wrong" if i in wrong else "")
        for i in naive.leaves()
    ]
    if wrong:
        title = (f"naive result: {d_of(r)}/{d_of(info.names[wrong[0]])} = {format_number(naive.naive[wrong[0]])}, "
                 f"but backward() gives {format_number(naive.true[wrong[0]])}")
    else:
        title = "naive result: the same gradients as backward() on this graph (no node is reached twice)"
    state = make_state(
        title, phase="backward", node_id=shown[0] if shown else len(info.nodes) - 1,
        highlight=[f"v{i}" for i in shown],
        lines=[*results, "backward() passes each node's gradient on once, after every node that uses it has "
               "added to it: a topological order"],
    )
    states.append(replace(state, wrong=bool(wrong)))
    return states
