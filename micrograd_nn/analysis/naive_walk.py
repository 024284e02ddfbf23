"""Why backward() needs a topological order: the naive walk a learner writes first, replayed next to backward().

The naive walk recurses from the output, and each node passes its gradient on
as soon as it is reached::

    def naive_backward(node):
        node._backward()              # add local derivative x node.grad to each operand
        for child in node._prev:      # then the operands, in order, each as it is reached
            naive_backward(child)

A node used twice is reached twice and passes its gradient on each time (and
a node reached before all its users have added to it passes on too little),
so for ``a = Value(1.0); b = a + a; c = b + b`` the naive walk gives dc/da = 8
where backward(), which passes each node's gradient on once, after every node
that uses it (a topological order), gives 4.  ``naive_walk(root)`` replays the
naive recursion on the stored local derivatives (the graph is not touched) and
marks the steps that go wrong; ``NaiveWalk.compare()`` prints it next to
backward()'s own steps, and the stepper shows it with ``order="naive"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from micrograd_nn.analysis.replay import replay
from micrograd_nn.analysis.walk import Walk, walk
from micrograd_nn.engine import Value
from micrograd_nn.format import DEFAULT_PRECISION, d_of, format_number

MAX_NAIVE_STEPS = 500
"""The naive walk visits a node once per path to it, which grows exponentially: longer walks are refused."""


@dataclass(frozen=True)
class NaiveEdge:
    """One operand edge of a naive step: local derivative, what was passed, the operand's running total after."""

    operand: str
    operand_id: int
    local: float
    passed: float
    total_after: float


@dataclass(frozen=True)
class NaiveStep:
    """One visit of an operation node by the naive walk: the gradient it passes on and to whom."""

    number: int  # from 1
    node: str
    node_id: int
    visit: int  # the how-manieth time the walk reaches this node, from 1
    upstream: float  # the node's running gradient when it passes it on
    true_gradient: float  # what backward() gives the node
    edges: tuple[NaiveEdge, ...]

    @property
    def again(self) -> bool:
        """The node passes its gradient on a second (third, ...) time: the paths through it count twice."""
        return self.visit > 1

    @property
    def early(self) -> bool:
        """The node passes its gradient on before every node using it has added to it."""
        return self.upstream != self.true_gradient

    @property
    def wrong(self) -> bool:
        """This step adds something backward() does not: too early, or again."""
        return self.again or self.early

    def reason(self, root: str) -> str:
        """Why the step is wrong, in words ("" for a right step)."""
        if self.again:
            return (f"wrong: {self.node} already passed its gradient on at its first visit; passing it on again "
                    f"counts every path from {root} through {self.node} twice")
        if self.early:
            return (f"wrong: {self.node} passes on {format_number(self.upstream)} before every node using it has "
                    f"added to it (its gradient will be {format_number(self.true_gradient)})")
        return ""


@dataclass(frozen=True)
class NaiveWalk:
    """The naive walk of one graph, with backward()'s gradients beside it."""

    info: Walk
    steps: tuple[NaiveStep, ...]
    naive: tuple[float, ...]  # each node's gradient after the naive walk
    true: tuple[float, ...]  # each node's gradient from backward() (one pass, topological order)

    @property
    def root(self) -> str:
        """The output's name."""
        return self.info.names[-1]

    def leaves(self) -> list[int]:
        """The ids of the leaves that hold a gradient (not unlabelled constants)."""
        return [i for i, node in enumerate(self.info.nodes) if not node.operands and self.info.kinds[i] != "constant"]

    def wrong_leaves(self) -> list[int]:
        """The leaves whose naive gradient differs from backward()'s."""
        return [i for i in self.leaves() if self.naive[i] != self.true[i]]

    def compare(self, precision: int = DEFAULT_PRECISION) -> str:
        """The naive walk step by step, then backward()'s steps, then both results: text to print."""
        r = self.root
        number = lambda x: format_number(x, precision)  # noqa: E731
        lines = [f"The naive walk: recurse from {r}; each node passes its gradient on as soon as it is reached"]
        for step in self.steps:
            visit = f" (visit {step.visit})" if _visits(self.steps, step.node_id) > 1 else ""
            passed = ", then ".join(number(e.total_after) for e in step.edges)
            targets = "/".join(dict.fromkeys(f"{d_of(r)}/{d_of(e.operand)}" for e in step.edges))
            line = (f"  {step.number}. {step.node}{visit} passes {d_of(r)}/{d_of(step.node)} = "
                    f"{number(step.upstream)} on: {targets} = {passed}")
            lines.append(line + (f"   <- {step.reason(r)}" if step.wrong else ""))
        lines.append("  result: " + self._result(self.naive, number, mark=True))
        lines.append("backward(): each node passes its gradient on once, after every node that uses it "
                     "(a topological order)")
        steps, _ = replay(self.info)
        for k, record in enumerate(steps, 1):
            passed = ", then ".join(number(c.total_after) for c in record.contributions)
            targets = "/".join(dict.fromkeys(f"{d_of(r)}/{d_of(c.operand)}" for c in record.contributions))
            lines.append(f"  {k}. {record.node} passes {d_of(r)}/{d_of(record.node)} = "
                         f"{number(record.upstream)} on: {targets} = {passed}")
        lines.append("  result: " + self._result(self.true, number, mark=False))
        return "\n".join(lines)

    def _result(self, totals: tuple[float, ...], number: Callable[[float], str], *, mark: bool) -> str:
        """'dc/da = 8.0000 (backward(): 4.0000)' for each leaf."""
        parts = []
        for i in self.leaves():
            text = f"{d_of(self.root)}/{d_of(self.info.names[i])} = {number(totals[i])}"
            if mark and totals[i] != self.true[i]:
                text += f" (wrong: backward() gives {number(self.true[i])})"
            parts.append(text)
        return ", ".join(parts)


def _visits(steps: tuple[NaiveStep, ...], node_id: int) -> int:
    """How many times the naive walk reaches node_id."""
    return sum(step.node_id == node_id for step in steps)


def naive_walk_of(info: Walk, *, max_steps: int = MAX_NAIVE_STEPS) -> NaiveWalk:
    """naive_walk for a graph already walked (the stepper passes its own Walk)."""
    nodes, index = info.nodes, info.index
    _, true = replay(info)
    running = [0.0] * len(nodes)
    running[-1] = 1.0
    visits = [0] * len(nodes)
    steps: list[NaiveStep] = []
    stack = [len(nodes) - 1]  # depth first, operands in order: the recursion, without Python's recursion limit
    while stack:
        i = stack.pop()
        node = nodes[i]
        if not node.operands:
            continue
        if node.local_grads is None:
            raise ValueError(
                f"naive walk: {info.names[i]} is an op written the micrograd way (a _backward closure), whose "
                "local derivatives are not stored"
            )
        if len(steps) == max_steps:
            raise ValueError(
                f"naive walk: more than {max_steps} steps (it reaches a node once per path to it); "
                "show it on a small graph such as b = a + a; c = b + b"
            )
        visits[i] += 1
        upstream = running[i]
        edges = []
        for operand, local in zip(node.operands, node.local_grads):
            j = index[operand]
            passed = upstream * local
            running[j] += passed
            edges.append(NaiveEdge(info.names[j], j, local, passed, running[j]))
        steps.append(NaiveStep(len(steps) + 1, info.names[i], i, visits[i], upstream, true[i], tuple(edges)))
        stack.extend(index[operand] for operand in reversed(node.operands))
    return NaiveWalk(info, tuple(steps), tuple(running), tuple(true))


def naive_walk(root: Value, *, max_steps: int = MAX_NAIVE_STEPS) -> NaiveWalk:
    """Replay the naive recursive walk from root on the stored local derivatives (the graph is not touched).

    print(naive_walk(c).compare()) shows it next to backward(); a graph whose
    walk takes more than max_steps steps (it grows with the number of paths)
    is refused with a ValueError.
    """
    return naive_walk_of(walk(root), max_steps=max_steps)


def topological_order_example() -> Value:
    """The smallest graph that shows why: a = 1; b = a + a; c = b + b, backward() run (dc/da = 4)."""
    a = Value(1.0, label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    c.backward()
    return c


__all__ = ["MAX_NAIVE_STEPS", "NaiveEdge", "NaiveStep", "NaiveWalk", "naive_walk", "naive_walk_of",
           "topological_order_example"]
