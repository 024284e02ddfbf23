"""The gradient audit: check every node's backward gradient against central differences.

Two checks, both on copies of the floats (the graph is never written to):

1. Gradients.  For every node n, nudge its value by +-h, re-evaluate everything
   that depends on it with the forward rules of micrograd_nn.rules, and compare
       (L(n + h) - L(n - h)) / 2h
   with n.grad from backward().
2. Local derivatives.  For every operation node and each operand slot, nudge
   that one argument of the op's forward rule and compare the slope with the
   stored local derivative.  A wrong derivative rule shows up here, pinned to
   the nodes built with it, while check 1 shows where the error spreads.

Where the function has a kink (relu at 0, abs at 0, ...) the one-sided slopes
differ; such points are reported as "kink" and not counted as disagreements.
A leaf whose gradient disagrees while one replayed backward pass agrees has
accumulated over several backward() calls; the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from micrograd_nn import rules
from micrograd_nn.analysis.replay import ACCUMULATION_NOTE, differs_from_one_pass, replay
from micrograd_nn.analysis.walk import Walk, on_path, walk
from micrograd_nn.checks.finite_differences import ATOL, EPS, RTOL, agrees
from micrograd_nn.engine import Value
from micrograd_nn.format import d_of, format_number


class _NoRule(Exception):
    """A micrograd-style op: its derivative is in a closure, and there is no rule to re-evaluate it."""


_EVALUATION_ERRORS = (ValueError, ZeroDivisionError, OverflowError, _NoRule)


@dataclass(frozen=True)
class Check:
    """One comparison: the value under test against its central-difference estimate.

    status is "ok", "mismatch", "kink" (not differentiable here: one-sided slopes
    differ) or "skipped" (the function cannot be evaluated at x +- h).
    """

    node: Value
    node_id: int
    name: str
    analytic: float
    numeric: float
    status: str
    position: int = 0  # operand slot (1-based) for local-derivative checks; 0 for gradient checks
    operand: str = ""


@dataclass
class AuditReport:
    """The findings of audit_gradients: every check, the nodes whose gradient disagrees, and the culprits."""

    gradient_checks: list[Check] = field(default_factory=list)
    local_checks: list[Check] = field(default_factory=list)
    accumulated: list[Check] = field(default_factory=list)
    """Leaf mismatches explained by accumulation: one backward pass would agree with central differences."""

    @property
    def mismatched(self) -> list[Value]:
        """Nodes whose backward gradient disagrees with central differences."""
        return [c.node for c in self.gradient_checks if c.status == "mismatch"]

    @property
    def culprits(self) -> list[Value]:
        """Operation nodes with a stored local derivative that disagrees with their forward rule."""
        seen: list[Value] = []
        for check in self.local_checks:
            if check.status == "mismatch" and all(check.node is not node for node in seen):
                seen.append(check.node)
        return seen

    @property
    def ok(self) -> bool:
        """True when no gradient and no local derivative disagrees."""
        return not self.mismatched and not self.culprits

    def format(self) -> str:
        """The report as text: a summary line, then every disagreement and kink."""
        checked = len(self.gradient_checks)
        lines = [
            f"gradient audit: {checked} node gradients and {len(self.local_checks)} local derivatives checked "
            "by central differences"
        ]
        if self.ok:
            lines.append("every gradient agrees with central differences")
        for check in self.local_checks:
            if check.status != "ok":
                lines.append(
                    f"  {check.status:8s} local derivative {d_of(check.name)}/{d_of(check.operand)} "
                    f"(operand {check.position}, "
                    f"op {check.node.op!r}): stored {format_number(check.analytic)}, "
                    f"central difference {format_number(check.numeric)}"
                )
        for check in self.gradient_checks:
            if check.status != "ok":
                lines.append(
                    f"  {check.status:8s} gradient of {check.name}: backward {format_number(check.analytic)}, "
                    f"central difference {format_number(check.numeric)}"
                )
        culprit_names: list[str] = []
        for check in self.local_checks:
            described = f"{check.name} (op {check.node.op!r})"
            if check.status == "mismatch" and described not in culprit_names:
                culprit_names.append(described)
        if culprit_names:
            lines.append("wrong local derivative (check the rule for this op) at: " + ", ".join(culprit_names))
        if self.accumulated:
            lines.append(
                "likely accumulated, not wrong: one backward pass gives "
                + ", ".join(f"{c.name}: {format_number(c.numeric)}" for c in self.accumulated)
                + f", as central differences do; {ACCUMULATION_NOTE}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


def _forward(node: Value, arguments: list[float]) -> float:
    """node's op applied to the given input values, numbers included (the forward rule only)."""
    if node.local_grads is None:
        raise _NoRule(node.op)
    return rules.op_record(node.op).rule(*arguments)[0]


def _arguments(node: Value, values: dict[int, float], index: dict[Value, int]) -> list[float]:
    """node's inputs in order as floats: a re-evaluated value where ``values`` has one, else the data."""
    return [values.get(index[x], x.data) if isinstance(x, Value) else x for x in node.inputs]


def _classify(
    minus: float, centre: float, plus: float, h: float, analytic: float, atol: float, rtol: float
) -> tuple[float, str]:
    """The central difference (f(x+h) - f(x-h)) / 2h, and how it compares with analytic.

    When the one-sided slopes differ by far more than curvature over a step of
    h could explain, x sits on a kink: status "kink", whatever analytic says.
    """
    numeric = (plus - minus) / (2.0 * h)
    right, left = (plus - centre) / h, (centre - minus) / h
    if abs(right - left) > 1e-3 + 0.1 * max(abs(right), abs(left)):
        return numeric, "kink"
    if analytic != analytic:  # nan
        return numeric, "mismatch"
    return numeric, "ok" if agrees(analytic, numeric, atol, rtol) else "mismatch"


def _root_after_nudge(info: Walk, start: int, new_value: float, dependents: list[int]) -> float:
    """The root's value when node ``start`` takes new_value and its dependents are re-evaluated."""
    values = {start: new_value}
    index = info.index
    for i in dependents:
        node = info.nodes[i]
        values[i] = _forward(node, _arguments(node, values, index))
    return values.get(len(info.nodes) - 1, info.root.data)


def audit_size(info: Walk) -> int:
    """The graph's size as the audit's work sees it: sum over nodes of max(1, k - 1) for an op of k inputs.

    An n-ary op (sum, dot, affine) of k inputs stands for the k - 1 binary
    operations it replaces, and the audit re-evaluates it once per input; a
    leaf or an op of one or two inputs counts 1.
    """
    return sum(max(1, len(node.inputs) - 1) for node in info.nodes)


def _check_size(info: Walk, max_nodes: int) -> None:
    """ValueError when the graph, its wide ops counted by their inputs (audit_size), is larger than max_nodes."""
    size, count = audit_size(info), len(info.nodes)
    if size <= max_nodes:
        return
    what = f"{count} nodes" if size == count else (
        f"size {size} ({count} nodes, whose ops of k inputs count k - 1 each, as the binary operations they stand for)")
    raise ValueError(
        f"the graph has {what}, more than max_nodes={max_nodes}; the audit re-evaluates the graph once "
        f"per node and each op once per input, so its time grows with the square of the size. "
        f"Pass max_nodes={size} to audit it anyway."
    )


def audit_gradients(
    root: Value, *, eps: float = EPS, atol: float = ATOL, rtol: float = RTOL, max_nodes: int = 2000
) -> AuditReport:
    """Compare every node's .grad, and every stored local derivative, with central differences.

    d root/d n ~ (root(n + h) - root(n - h)) / 2h with h = eps * max(1, |n|);
    they agree when |numeric - backward| <= atol + rtol * |numeric| (PyTorch's
    gradcheck defaults).  Run root.backward() first (ValueError otherwise).
    max_nodes bounds the work: a graph whose size (audit_size: an op of k inputs
    counts k - 1) is larger is refused with a ValueError before any work.
    """
    info = walk(root)
    _check_size(info, max_nodes)
    if not info.grads_computed:
        raise ValueError("audit_gradients compares with backward(): call root.backward() first")
    report = AuditReport()
    for i, node in enumerate(info.nodes):
        h = eps * max(1.0, abs(node.data))
        marked = on_path(info, node)
        downstream = [j for j in range(i + 1, len(info.nodes)) if marked[j]]
        try:
            plus = _root_after_nudge(info, i, node.data + h, downstream)
            minus = _root_after_nudge(info, i, node.data - h, downstream)
        except _EVALUATION_ERRORS:
            report.gradient_checks.append(Check(node, i, info.names[i], node.grad, float("nan"), "skipped"))
            continue
        numeric, status = _classify(minus, root.data, plus, h, node.grad, atol, rtol)
        report.gradient_checks.append(Check(node, i, info.names[i], node.grad, numeric, status))

    leaf_mismatches = [c for c in report.gradient_checks if c.status == "mismatch" and not c.node.operands]
    if leaf_mismatches:
        totals = replay(info)[1]
        accumulated = set(differs_from_one_pass(info, totals, [c.node_id for c in leaf_mismatches]))
        for check in leaf_mismatches:
            if check.node_id in accumulated and agrees(totals[check.node_id], check.numeric, atol, rtol):
                report.accumulated.append(check)

    report.local_checks.extend(_local_checks(info, eps, atol, rtol))
    return report


def _local_checks(info: Walk, eps: float, atol: float, rtol: float) -> list[Check]:
    """Each stored local derivative against a central difference of its own op."""
    checks = []
    for i, node in enumerate(info.nodes):
        if node.local_grads is None:  # a micrograd-style op: nothing stored to check
            continue
        arguments = _arguments(node, {}, info.index)
        positions = [p for p, x in enumerate(node.inputs) if isinstance(x, Value)]
        for position, local in zip(positions, node.local_grads):
            x = arguments[position]
            h = eps * max(1.0, abs(x))
            nudged = list(arguments)
            try:
                nudged[position] = x + h
                plus = _forward(node, nudged)
                nudged[position] = x - h
                minus = _forward(node, nudged)
            except _EVALUATION_ERRORS:
                status, numeric = "skipped", float("nan")
            else:
                numeric, status = _classify(minus, node.data, plus, h, local, atol, rtol)
            operand_name = info.name_of(node.inputs[position])  # type: ignore[arg-type]
            checks.append(Check(node, i, info.names[i], local, numeric, status, position + 1, operand_name))
    return checks
