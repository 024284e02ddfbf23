"""The backward pass replayed as records: one Step per operation node, one Contribution per operand.

The replay runs backward() again from the stored local derivatives without
touching the graph: start from dL/dL = 1 at the root, visit the inner nodes in
reverse topological order, and add ``local * upstream`` to each operand.  A
node used twice receives two contributions, and the records show both.  The
records are frozen dataclasses (``backward_steps`` gives them for a root);
``dataclasses.asdict(step)`` makes one JSON-ready.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from micrograd_nn import micrograd_compat, nonfinite, rules
from micrograd_nn.analysis.walk import Walk, walk
from micrograd_nn.engine import Value
from micrograd_nn.format import bracketed, constant_text


@dataclass(frozen=True)
class Contribution:
    """What one operation passes to one operand: dL/doperand += local * upstream."""

    position: int  # which operand (1, 2, ...)
    input_position: int  # which input of the op it is (numbers inside the op count too)
    operand_id: int  # the operand's walk id
    operand: str  # the operand's name
    local: float  # d(node)/d(operand), as stored in the forward pass
    contribution: float  # local * upstream (as backward() adds it: relu masks, 0 x inf is nan elsewhere)
    total_before: float  # dL/doperand before this contribution
    total_after: float  # and after it


@dataclass(frozen=True)
class Step:
    """One operation node of the backward pass: its upstream gradient and what it passes to each operand."""

    step: int  # 1, 2, ... in the order backward() visits the nodes
    node_id: int
    node: str  # its name
    op: str
    formula: str  # how it was computed, by its inputs' names: "a * b", "tanh(v3)"
    data: float
    upstream: float  # dL/dnode
    contributions: tuple[Contribution, ...]
    closure: bool  # a micrograd-style op: no derivatives stored to show
    known: bool  # False below a closure op: the upstream misses its share
    input_values: tuple[float, ...]  # every input's value, numbers inside the op included
    number_positions: tuple[int, ...]  # which inputs are plain numbers (1-based)


def formula(info: Walk, node: Value) -> str:
    """How a node was computed, by input names and numbers: "a * b", "2 - x", "tanh(v3)", "w1*x1 + b".

    Beside an operator, a label that is not a plain name is bracketed: "(x1*w1) + b".
    """
    op = rules.OPS.get(node.op)
    operator = op is not None and (op.infix or op.neuron_sum or node.op == "neg")  # "(x1*w1) + b"
    shown = [_shown(info, x, operator) for x in node.inputs]
    if op is not None and op.infix:
        return f" {node.op} ".join(shown)
    if node.op == "neg":
        return f"-{shown[0]}"
    if op is not None and op.neuron_sum and op.arity == 0:  # dot, affine
        n = len(shown) // 2
        terms = [f"{shown[k]}*{shown[n + k]}" for k in range(n)]
        return " + ".join(terms + shown[2 * n :])
    if node.op == "leaky_relu":
        return f"leaky_relu({shown[0]}, slope={shown[1]})"
    return f"{node.op}({', '.join(shown)})"


def _shown(info: Walk, x: Value | float, beside_operator: bool) -> str:
    """An input as a formula writes it: its name (bracketed beside an operator unless plain), or the number."""
    if not isinstance(x, Value):
        return constant_text(x)
    return bracketed(info.name_of(x)) if beside_operator else info.name_of(x)


def replay(info: Walk, only: Iterable[int] | None = None) -> tuple[list[Step], list[float]]:
    """One backward pass replayed on a walked graph: its Step records, and each node's dL/dnode.

    Reads only the stored local derivatives; the graph is not touched.  An op
    written the micrograd way stores none, so what it passes back is unknown:
    its operands, and every node below them, get ``known=False`` in their
    step records (their totals leave out the closure's share).  only: the ids
    of the nodes whose records are wanted (default all; the totals are always complete).
    """
    nodes, operand_ids, names = info.nodes, info.operands, info.names
    wanted = None if only is None else set(only)
    running = [0.0] * len(nodes)
    running[-1] = 1.0
    incomplete: set[int] = set()  # nodes whose total misses a closure op's share
    steps = []
    inner = [i for i in range(len(nodes) - 1, -1, -1) if operand_ids[i]]
    for number, i in enumerate(inner, 1):
        node = nodes[i]
        upstream = running[i]
        local_grads = node.local_grads
        if local_grads is None:  # a micrograd-style op: its closure, run once on saved and restored gradients
            local_grads = micrograd_compat.closure_local_grads(node)
        if local_grads is None or i in incomplete:
            incomplete.update(operand_ids[i])
        contributions = _pass_on(info, i, local_grads, upstream, running)  # the totals as backward() adds
        if wanted is not None and i not in wanted:
            continue
        inputs = node.inputs
        steps.append(Step(
            step=number, node_id=i, node=names[i], op=node.op, formula=formula(info, node), data=node.data,
            upstream=upstream, contributions=tuple(contributions), closure=local_grads is None,
            known=i not in incomplete,
            input_values=tuple(x.data if isinstance(x, Value) else x for x in inputs),
            number_positions=tuple(p for p, x in enumerate(inputs, 1) if not isinstance(x, Value)),
        ))
    return steps, running


def _pass_on(info: Walk, i: int, local_grads: Sequence[float] | None, upstream: float,
             running: list[float]) -> list[Contribution]:
    """What node i passes to each operand (local_grads: its local derivatives, None when unknown), added to the
    running totals as backward() adds it (relu masks: 0 even for inf): one Contribution per operand, in order."""
    node = info.nodes[i]
    input_positions = [p for p, x in enumerate(node.inputs, 1) if isinstance(x, Value)]
    contributions = []
    for position, (j, local, input_position) in enumerate(
        zip(info.operands[i], local_grads or (), input_positions), 1
    ):
        contribution = nonfinite.share(node, input_position - 1, local, upstream)
        before = running[j]
        running[j] = before + contribution
        contributions.append(Contribution(position, input_position, j, info.names[j], local, contribution, before,
                                          running[j]))
    return contributions


def backward_steps(root: Value) -> list[Step]:
    """The backward pass as records: one Step per inner node, in reverse topological order.

    Starting from dL/dL = 1, each Step holds the node's upstream gradient
    dL/dnode and, per operand in order, a Contribution: the local derivative
    dnode/doperand, the contribution local * upstream, and the operand's
    running total before and after it: dL/doperand += dnode/doperand * dL/dnode.
    ``dataclasses.asdict(step)`` gives a step as JSON-ready dicts.
    """
    return replay(walk(root))[0]


ACCUMULATION_NOTE = "leaves accumulate over several backward() calls (use zero_grad() between them)"
"""Why a leaf's .grad can differ from one backward pass (shared by explain and the gradient audit)."""


def differs_from_one_pass(info: Walk, totals: list[float], ids: Iterable[int]) -> list[int]:
    """Those of the leaves ``ids`` whose .grad differs from one backward pass's total (accumulation)."""
    return [
        i
        for i in ids
        if not info.nodes[i].operands
        and abs(info.nodes[i].grad - totals[i]) > 1e-9 * max(1.0, abs(totals[i]))
    ]
