"""The chain rule written out: each op's rule as a formula and in numbers, and the backward pass in words.

``rule_lines`` writes one node's op from its rules.OPS record, in the inputs'
names, and each local derivative the engine stored ("dt/dx = d tanh(x)/dx =
1 − tanh²(x) = 0.5000"): the record's one text and the node's own numbers;
``chain_rule_line`` one contribution of the replayed backward pass
(micrograd_nn.analysis.replay); ``explain`` the whole pass, step by step.
"""

from __future__ import annotations

import itertools
import re

from micrograd_nn import rules
from micrograd_nn.analysis.replay import ACCUMULATION_NOTE, Contribution, Step, differs_from_one_pass, replay
from micrograd_nn.analysis.walk import Walk, on_path, walk
from micrograd_nn.engine import Value
from micrograd_nn.format import DEFAULT_PRECISION, bracketed, check_precision, constant_text, d_of, format_number


def product_text(a: float, b: float, product: float, precision: int = DEFAULT_PRECISION) -> str:
    """"a * b = product" at the precision shown, with ≈ instead of = when the shown numbers do not multiply out.

    0.0027 * -3.0000 is -0.0081, so a true product -0.0080 (from 0.00266...) is written "≈ -0.0080".
    """
    shown_a, shown_b, shown = (format_number(x, precision) for x in (a, b, product))
    try:
        checks = format_number(float(shown_a) * float(shown_b), precision) == shown
    except ValueError:  # nan or inf are shown as words
        checks = False
    return f"{shown_a} * {shown_b} {'=' if checks else '≈'} {shown}"


# --- the rule of one op, as a formula and in numbers ------------------------------

def formula_number(x: float, precision: int = DEFAULT_PRECISION) -> str:
    """x as format_number writes it, in parentheses when negative (it goes inside a formula)."""
    text = format_number(x, precision)
    return f"({text})" if text.startswith("-") else text


def _in_place(text: str, letters: dict[str, str]) -> str:
    """text with the record's letters (a, b; s for leaky_relu's slope) replaced where given: "a − b" -> "2 − b".

    A letter counts only standing alone (not inside "tanh" or "sign"), even before a power sign: "b²".
    """
    filled = re.sub(r"(?<![A-Za-z_])[a-z](?![A-Za-z_])", lambda m: letters.get(m.group(0), m.group(0)), text)
    for name in letters.values():  # a bracketed label alone inside a call keeps one pair: "tanh(x1*w1)"
        if name.startswith("(") and name.endswith(")"):
            filled = filled.replace(f"({name})", name)
    return filled


def _differentiated(formula: str) -> str:
    """d(formula) written as in a textbook: "d tanh(a)", "d(a × b)"."""
    return f"d {formula}" if re.fullmatch(r"\w+\(.*\)|\|.*\|", formula) else f"d({formula})"


def same_when_shown(computed: float, shown: float, precision: int = DEFAULT_PRECISION) -> bool:
    """Do two numbers print the same (format_number; -0 and 0 alike)?"""
    return format_number(computed + 0.0, precision) == format_number(shown + 0.0, precision)


def join_checked(parts: list[str], last_checks: bool = True) -> str:
    """parts joined by " = ", dropping a part equal (as text or number) to the one before it.

    The last part is joined with "≈" when the arithmetic before it does not
    give it exactly at the precision shown (last_checks False).
    """
    def as_number(text: str) -> float | None:
        try:
            return float(text.replace("−", "-").strip("()"))
        except ValueError:
            return None

    kept: list[str] = []
    for part in parts:
        if kept and (part == kept[-1] or (as_number(part) is not None and as_number(part) == as_number(kept[-1]))):
            continue
        kept.append(part)
    if len(kept) > 2 and not last_checks:
        return " = ".join(kept[:-1]) + " ≈ " + kept[-1]
    return " = ".join(kept)


def rule_lines(info: Walk, node_id: int, precision: int = DEFAULT_PRECISION) -> list[str]:
    """The op of node node_id as a formula in its inputs' names, then each local derivative: the record's text
    (rules.OPS) in those names, and the number the engine stored for it.

    e.g. ["t = tanh(x) = 0.7071", "dt/dx = d tanh(x)/dx = 1 − tanh²(x) = 0.5000"];
    a number inside the op stays in its place ("v = 2 − x", "dv/dx = d(2 − x)/dx = −1").
    """
    node = info.nodes[node_id]
    name = info.names[node_id]
    shown = [info.name_of(x) if isinstance(x, Value) else constant_text(x) for x in node.inputs]
    if node.local_grads is None:
        return [f"{name} = {node.op}({', '.join(shown)}) = {format_number(node.data, precision)}: "
                "derivatives not stored (closure op): micrograd's _backward closure computes them"]
    if node.op not in rules.OPS:
        return [f"{name} = {node.op}({', '.join(shown)}) = {format_number(node.data, precision)} (op not in rules.OPS)"]
    record = rules.op_record(node.op)
    if record.arity == 0:
        return _nary_rule_lines(info, node_id, shown, precision)
    letters = record.letters()
    main = record.formula.split(" = ")[0]  # sigmoid's formula also spells out σ
    # a label that is not a plain name in brackets: "(x1*w1) × b" (and "tanh(x1*w1)" once _in_place is done)
    named = {
        letter: bracketed(text) if isinstance(x, Value) else text
        for letter, text, x in zip(letters, shown, node.inputs)
    }
    lines = [f"{name} = {_in_place(main, named)} = {format_number(node.data, precision)}"]
    numbers_in_place = {
        letter: text for letter, text, x in zip(letters, shown, node.inputs) if not isinstance(x, Value)
    }
    positions = [p for p, x in enumerate(node.inputs) if isinstance(x, Value)]
    # The rule is written in the inputs' own names ("d tanh(x)/dx = 1 − tanh²(x)"), so its letters never
    # clash with a user's variables; when one node fills both places (a * a) the op's letters a, b stay,
    # or u, v when a or b is a name in the rule (b = a + a: "db/da = d(u + v)/du = 1").
    operands = [x for x in node.inputs if isinstance(x, Value)]
    own_names = len(set(map(id, operands))) == len(operands)
    in_rule = named if own_names else numbers_in_place
    if not own_names and set(shown) & set(letters):
        places = dict(zip(letters, ("u", "v")))
        in_rule = {**places, **numbers_in_place}
        letters = tuple(places.values())
    for position, local in zip(positions, node.local_grads):
        letter = shown[position] if own_names else letters[position]
        parts = [
            f"{d_of(name)}/{d_of(shown[position])}",
            f"{_differentiated(_in_place(main, in_rule))}/{d_of(letter)}",
            _in_place(record.derivatives[position], in_rule),
            format_number(local, precision),
        ]
        lines.append(join_checked(parts))
    return lines


def _nary_rule_lines(info: Walk, node_id: int, shown: list[str], precision: int = DEFAULT_PRECISION) -> list[str]:
    """sum, dot and affine: the sum written out, and dnode/dinput = the input it multiplies (1 for a term or b)."""
    node = info.nodes[node_id]
    name = info.names[node_id]
    inputs = node.inputs
    if node.op == "sum":
        terms, partners = shown, ["1"] * len(shown)
    else:
        n = len(inputs) // 2
        terms = [f"{shown[k]}·{shown[n + k]}" for k in range(n)] + shown[2 * n :]
        partners = shown[n : 2 * n] + shown[:n] + ["1"] * (len(inputs) - 2 * n)
    lines = [f"{name} = {' + '.join(terms)} = {format_number(node.data, precision)}"]
    positions = [p for p, x in enumerate(inputs) if isinstance(x, Value)]
    for position, local in zip(positions, node.local_grads or ()):
        derivative = f"{d_of(name)}/{d_of(shown[position])}"
        lines.append(join_checked([derivative, partners[position], format_number(local, precision)]))
    return lines



def chain_rule_line(
    root_name: str, step: Step, contribution: Contribution, precision: int = DEFAULT_PRECISION
) -> str:
    """One contribution as text: dL/da += dL/dc * dc/da = up * local = contribution  (dL/da = total).

    At the root's own step the local derivative is written ∂L/∂a(local), so it
    is not mistaken for the running total dL/da it is added to.  When the
    numbers as shown do not multiply out at this precision, ≈ replaces =.
    """
    node, operand = step.node, contribution.operand
    if node == root_name:  # names are unique, so this is the root's step, whose upstream is dL/dL = 1
        local = f"∂{bracketed(node)}/∂{bracketed(operand)}(local)"
    else:
        local = f"{d_of(node)}/{d_of(operand)}"
    arithmetic = product_text(step.upstream, contribution.local, contribution.contribution, precision)
    return (
        f"{d_of(root_name)}/{d_of(operand)} += {d_of(root_name)}/{d_of(node)} * {local} = {arithmetic}"
        f"   ({d_of(root_name)}/{d_of(operand)} is now {format_number(contribution.total_after, precision)})"
    )


def step_title(step: Step, total_steps: int, root_name: str, precision: int = DEFAULT_PRECISION) -> str:
    """The heading of one step: which node, how it was computed, and its upstream gradient."""
    return (
        f"step {step.step} of {total_steps}: {step.node} = {step.formula}"
        f" = {format_number(step.data, precision)};  upstream {d_of(root_name)}/{d_of(step.node)} = "
        f"{format_number(step.upstream, precision)}"
    )


def explain(root: Value, *, path_from: Value | None = None, precision: int = DEFAULT_PRECISION) -> str:
    """The chain rule for every backward step, in words and numbers; returns the text.

    Each contribution reads dL/da += dL/dc * dc/da = upstream * local = contribution,
    under the rule the local derivative came from (dv/da = 1 − tanh²(a) = 1 − 0.7071² = 0.5000).
    path_from: only the steps and contributions on a path from this node to the root.
    precision: decimals shown; a product that does not check at this precision is marked ≈.
    """
    check_precision(precision)
    info = walk(root)
    steps, totals = replay(info)
    if path_from is not None:
        keep = {i for i, marked in enumerate(on_path(info, path_from)) if marked}
    else:
        keep = set(range(len(info.nodes)))
    lines = _introduction(info, steps, path_from, precision)
    for step in steps:
        if step.node_id in keep:
            lines += ["", *_step_lines(info, step, len(steps), keep, precision)]
    return "\n".join([*lines, "", *_results(info, steps, totals, keep, precision)])


def _introduction(info: Walk, steps: list[Step], path_from: Value | None, precision: int) -> list[str]:
    """How the backward pass goes, said once before the steps."""
    r = info.names[-1]
    lines = [
        f"Backward pass from {r} = {format_number(info.root.data, precision)}: start with {d_of(r)}/{d_of(r)} = 1 "
        "(the gradient of the output with respect to itself),"
    ]
    if not steps:
        lines.append(f"{r} is a leaf (no operation made it), so there is nothing to pass back.")
    else:
        lines += [
            "then visit each node after every node that uses it, and pass its gradient to its operands:",
            f"{d_of(r)}/d(operand) += {d_of(r)}/d(node) * d(node)/d(operand)   (upstream * local derivative).",
            f"At {r}'s own step the local derivative is written ∂{bracketed(r)}/∂x(local): it is the derivative of "
            f"{r}'s operation alone, not the running total {d_of(r)}/dx.",
        ]
    if any(any("≈" in product_text(s.upstream, c.local, c.contribution, precision)
               for c in s.contributions) for s in steps):
        lines.append(f"(≈: the numbers as shown, rounded to {precision} decimals, do not multiply out exactly.)")
    if path_from is not None:
        lines.append(f"Only the path from {info.name_of(path_from)} to {r} is shown.")
    return lines


def _step_lines(info: Walk, step: Step, total_steps: int, keep: set[int], precision: int) -> list[str]:
    """One step: its title, then each kept operand's rule and chain-rule line."""
    r = info.names[-1]
    lines = [step_title(step, total_steps, r, precision)]
    if step.closure:
        lines.append(
            f"  {step.node} is an op written the micrograd way: its derivatives live in its _backward "
            "closure and are not stored, so they cannot be shown here, nor the gradients below it."
        )
    elif not step.known:
        lines.append(
            f"  (the upstream {d_of(r)}/{d_of(step.node)} above leaves out what a micrograd-style op passes back, "
            "so these numbers are partial)"
        )
    derivative_rules = rule_lines(info, step.node_id, precision)[1:]  # one per operand, in order
    for contribution, rule in itertools.zip_longest(step.contributions, derivative_rules):
        if contribution is not None and contribution.operand_id in keep:
            if rule is not None:
                lines.append(f"  rule: {rule}")
            lines.append("  " + chain_rule_line(r, step, contribution, precision))
    return lines


def _results(info: Walk, steps: list[Step], totals: list[float], keep: set[int], precision: int) -> list[str]:
    """Each kept leaf's gradient, and a note where .grad differs from one pass (or backward has not run)."""
    r, root_id = info.names[-1], len(info.nodes) - 1
    shown = [i for i in keep if not info.operands[i] and (info.kinds[i] != "constant" or i == root_id)]
    shown.sort()
    incomplete = {  # leaves whose replayed total misses a closure op's share
        j for step in steps if step.closure or not step.known for j in info.operands[step.node_id]
    }

    def result(i: int) -> str:
        if i not in incomplete:
            return format_number(totals[i], precision)
        if info.grads_computed:
            grad = format_number(info.nodes[i].grad, precision)
            return f"{grad} (its .grad from backward(): the replay cannot see inside a closure op)"
        return "unknown (a closure op's share is not stored; run backward() and read .grad)"

    lines = []
    if shown:
        lines.append("Result: " + ", ".join(f"{d_of(r)}/{d_of(info.names[i])} = {result(i)}" for i in shown))
    if info.grads_computed:
        differing = differs_from_one_pass(info, totals, [i for i in shown if i not in incomplete])
        if differing:
            lines.append(
                "Note: .grad of " + ", ".join(info.names[i] for i in differing) + " differs from this one pass: "
                + ACCUMULATION_NOTE + "."
            )
    else:
        lines.append("(backward() has not run yet: these are the gradients it will compute.)")
    return lines
