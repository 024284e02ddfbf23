"""Practice mode's questions: what the learner is asked at each backward step, the likely wrong answers, the hints.

The stepper walks backward; in practice mode the learner types each gradient
(and, where asked, a local derivative) before the page reveals it.  Everything
here is computed from the replay of backward() (micrograd_nn.analysis.replay): the
right answer is the total backward() adds up, and each likely wrong answer is
the same recorded numbers combined the way a known mistake combines them:

- ``local_forgotten``: the upstream gradient passed on without the local derivative;
- ``upstream_forgotten``: the local derivative without the upstream gradient;
- ``one_use``: one use of a node counted when it has several;
- ``forward_value``: a forward value (a node's data) used as the derivative;
- ``sign``: the right size with the wrong sign;
- ``wrong_operand``: a product's own factor where the other factor belongs;
- ``added``: upstream + local instead of upstream × local;
- ``grad_for_local``: the whole gradient given where only the local derivative was asked.

Each wrong answer carries a hint aimed at its mistake that never states the
answer; an answer none of them explains gets the rule to apply.  The worked
lines a "show me" reveals are the explain view's.  Layer mode's questions (one
dloss/dz per neuron) are in practice_layers.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from micrograd_nn import rules
from micrograd_nn.analysis.replay import Contribution, Step, replay
from micrograd_nn.analysis.walk import Walk
from micrograd_nn.format import DEFAULT_PRECISION, bracketed, d_of, format_number
from micrograd_nn.views.explain import chain_rule_line, rule_lines

KINDS = ("grad", "local")
"""What a question asks: grad, d(root)/d(node); local, d(node)/d(input)."""

LOCAL_QUESTIONS = ("auto", "all", "none")
"""Which local derivatives are asked: auto (those that depend on a value, not +, −, Σ), all, or none."""

MISTAKES = {
    "local_forgotten": "the local derivative left out",
    "upstream_forgotten": "the upstream gradient left out",
    "one_use": "only one of a node's uses counted",
    "forward_value": "a forward value used as the derivative",
    "sign": "the sign flipped",
    "wrong_operand": "the wrong operand's value",
    "added": "added instead of multiplied",
    "grad_for_local": "the gradient given for the local derivative",
}
"""Each likely mistake, by the name the page's data and #hint's data-mistake use."""


@dataclass(frozen=True)
class WrongAnswer:
    """A likely wrong answer: the number a mistake gives, as shown, and a hint aimed at that mistake."""

    mistake: str  # a key of MISTAKES
    value: float
    shown: str  # format_number(value)
    tolerance: float  # an answer this close is taken as this one (one unit in the last place shown)
    hint: str  # says what went wrong, never the answer


@dataclass(frozen=True)
class Question:
    """One question of the worksheet: which derivative, its answer, the wrong answers and the worked lines."""

    number: int  # 1, 2, ... in the order they are asked
    kind: str  # "grad" (d root/d node) or "local" (d node/d input)
    node: str  # the node's name as the picture shows it
    node_id: int
    input: str | None  # a local derivative's input, by name (None for grad)
    prompt: str  # "dout/da = ?"
    context: str  # what the learner needs to know to work it out
    answer: float  # what backward() computed
    shown: str  # format_number(answer)
    tolerance: float  # an answer within this of the answer is right (one unit in the last place shown)
    gate: int  # the page's state this question holds back: shown once every question gated there is right
    wrong: tuple[WrongAnswer, ...]
    rule: str  # the rule to apply: the reply to an answer no mistake explains
    worked: tuple[str, ...]  # the worked lines "show me" reveals (the explain view's)
    highlight: tuple[str, ...]  # picture ids (v{id}, o{id}) to mark while the question is open
    input_id: int | None = None  # a local derivative's input, by id


class State(Protocol):
    """What practice mode reads of a stepper state (views.stepper.PageState): its node, phase and rule lines."""

    @property
    def node_id(self) -> int: ...

    @property
    def phase(self) -> str: ...

    @property
    def rule(self) -> list[str]: ...


def tolerance(shown: str) -> float:
    """One unit in the last place of a number as shown: 0.0001 for "0.5000", 1000 for "1.2346e+07"."""
    mantissa, _, exponent = shown.partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def close(x: float, y: float, tol: float) -> bool:
    """|x − y| <= tol, with a hair of slack for binary rounding."""
    return abs(x - y) <= tol * (1 + 1e-9) + 1e-300


def wrong_answers(answer: float, candidates: Sequence[tuple[str, float, str]],
                  precision: int = DEFAULT_PRECISION) -> tuple[WrongAnswer, ...]:
    """The candidates (mistake, value, hint) that can be told from the answer and from each other, in order.

    A candidate is dropped when it is not finite, when it is within two units of the
    answer's last shown place (the learner could not tell them apart), or when an
    earlier candidate already explains it.
    """
    right = tolerance(format_number(answer, precision))
    kept: list[WrongAnswer] = []
    for mistake, value, hint in candidates:
        if not math.isfinite(value) or close(value, answer, 2 * right):
            continue
        shown = format_number(value, precision)
        own = tolerance(shown)
        if any(close(value, w.value, max(own, w.tolerance)) for w in kept):
            continue
        kept.append(WrongAnswer(mistake, value, shown, own, hint))
    return tuple(kept)


# --- hints -------------------------------------------------------------------------

def _uses(step_contributions: Sequence[tuple[Step, Contribution]]) -> str:
    """"v2" or "v2 and out": the nodes that use an operand, each named once."""
    users = list(dict.fromkeys(step.node for step, _ in step_contributions))
    return " and ".join(users)


def _op_rule(op: str, position: int, operand: str, node: str) -> str:
    """The rule of op for the input at position (0-based), in the op's letters: "v4 = tanh(a) with a = v3: ..."."""
    record = rules.OPS.get(op)
    if record is None:
        return f"{d_of(node)}/{d_of(operand)} is {node}'s local derivative with respect to {operand}"
    formula = record.formula.split(" = ")[0]
    if record.arity == 0:
        return f"{node} = {record.description()} (here the input is {operand})"
    letters = record.letters()
    letter = letters[min(position, len(letters) - 1)]
    derivative = record.derivatives[min(position, len(record.derivatives) - 1)]
    outer = f"d {formula}" if "(" in formula and formula.endswith(")") else f"d({formula})"
    return f"{node} = {formula} with {letter} = {operand}: {outer}/d{letter} = {derivative}"


def _local(root: str, node: str, operand: str) -> str:
    """d node/d operand, written ∂node/∂operand(local) at the root's own step (as the explain view writes it)."""
    if node == root:
        return f"∂{bracketed(node)}/∂{bracketed(operand)}(local)"
    return f"{d_of(node)}/{d_of(operand)}"


def _times(count: int) -> str:
    """"twice", "three times", ...: a count in words, so that a hint holds no number the learner could take."""
    words = {2: "twice", 3: "three times", 4: "four times", 5: "five times"}
    return words.get(count, "many times")


def _rule_of(op: str) -> str:
    """"the rule of a × b" (the op's formula in its letters), or "its rule" for an op not in rules.OPS."""
    record = rules.OPS.get(op)
    return f"the rule of {record.formula.split(' = ')[0]}" if record is not None else "its rule"


def _grad_hints(root: str, name: str, uses: Sequence[tuple[Step, Contribution]]) -> dict[str, str]:
    """The hint for each mistake on d root/d name, aimed at that mistake and free of numbers."""
    dr, dx = d_of(root), d_of(name)
    users = _uses(uses)
    first = uses[0][0].node
    chain = f"{dr}/{dx} = {dr}/{d_of(first)} × {_local(root, first, name)}"
    many = len(uses) > 1
    return {
        "local_forgotten": f"You passed the upstream gradient on unchanged. The chain rule multiplies it by the local "
                           f"derivative: {chain}" + (", for each use of " + name if many else "") + ".",
        "upstream_forgotten": f"That is the local derivative alone. Multiply it by the upstream gradient "
                              f"{dr}/{d_of(first)} that {first} has already received: {chain}.",
        "one_use": f"{name} is used {_times(len(uses))} (by {users}): its gradient adds up a share from every use, "
                   "not just one.",
        "forward_value": f"A forward value used as a derivative: that puts {first}'s value where its local derivative "
                         f"{_local(root, first, name)} belongs ({_rule_of(uses[0][0].op)} gives it, not the value).",
        "own_value": f"That is {name}'s forward value, not a gradient: {dr}/{dx} asks how fast {root} changes when "
                     f"{name} changes: {chain}.",
        "sign": "Right size, wrong sign: check the sign of each local derivative (a − b passes b minus the "
                "gradient) and of the upstream gradient.",
        "wrong_operand": f"Wrong operand: for a product, the local derivative with respect to one factor is the other "
                         f"factor's value; you used {name}'s own value.",
        "added": f"You added the upstream gradient and the local derivative: the chain rule multiplies them, {chain}.",
    }


def _local_hints(node: str, op: str, position: int, operand: str) -> dict[str, str]:
    """The hint for each mistake on d node/d operand (position 0-based)."""
    rule = _op_rule(op, position, operand, node)
    return {
        "forward_value": f"That is {node}'s forward value, not its derivative. Use the rule: {rule}.",
        "own_value": f"That is {operand}'s forward value, not a derivative. Use the rule: {rule}.",
        "local_forgotten": f"1 is what a plain sum passes on, and {node} is made another way. Use the rule: {rule}.",
        "sign": f"Right size, wrong sign. Check the rule's sign: {rule}.",
        "wrong_operand": f"Wrong operand: the local derivative of a product with respect to one factor is the other "
                         f"factor's value; you used {operand}'s own value.",
        "grad_for_local": f"That is the whole gradient (upstream × local). Only the local derivative "
                          f"{d_of(node)}/{d_of(operand)} is asked: how fast {node} changes when {operand} changes.",
    }


# --- node mode's questions ---------------------------------------------------------

def _other_value(step: Step, contribution: Contribution) -> float | None:
    """The operand's own value when its local derivative is another input's value (a product), else None."""
    own = step.input_values[contribution.input_position - 1]
    others = [v for p, v in enumerate(step.input_values, 1) if p != contribution.input_position]
    if contribution.local in others and own != contribution.local and step.op in rules.OPS:
        return own
    return None


def grad_question(info: Walk, name_id: int, uses: Sequence[tuple[Step, Contribution]], total: float,
                  precision: int = DEFAULT_PRECISION) -> tuple[tuple[WrongAnswer, ...], str, tuple[str, ...]]:
    """For d root/d node: the wrong answers, the rule to apply, and the worked lines (chain-rule lines and sum)."""
    root, name = info.names[-1], info.names[name_id]
    hints = _grad_hints(root, name, uses)
    ups = [step.upstream for step, _ in uses]
    locals_ = [c.local for _, c in uses]
    candidates: list[tuple[str, float, str]] = []
    if len(uses) > 1:
        candidates += [("one_use", c.contribution, hints["one_use"]) for _, c in uses]
    swapped = [(_other_value(step, c), step.upstream) for step, c in uses]
    if all(own is not None for own, _ in swapped):  # the most telling first: an own value is a forward value too
        candidates.append(("wrong_operand", sum(own * up for own, up in swapped if own is not None),
                           hints["wrong_operand"]))
    candidates += [
        ("local_forgotten", sum(ups), hints["local_forgotten"]),
        ("upstream_forgotten", sum(locals_), hints["upstream_forgotten"]),
        ("sign", -total, hints["sign"]),
        ("added", sum(u + v for u, v in zip(ups, locals_)), hints["added"]),
        ("forward_value", sum(step.upstream * step.data for step, _ in uses), hints["forward_value"]),
        ("forward_value", info.nodes[name_id].data, hints["own_value"]),
    ]
    dr, dx = d_of(root), d_of(name)
    terms = " + ".join(f"{dr}/{d_of(step.node)} × {_local(root, step.node, name)}" for step, _ in uses)
    if len(uses) > 1:
        rule = (f"Add up one share per use of {name} (used by {_uses(uses)}): {dr}/{dx} = {terms}, each the "
                "user's gradient times its local derivative.")
    else:
        rule = (f"The chain rule: {dr}/{dx} = {terms}, the gradient {uses[0][0].node} received times its local "
                "derivative.")
    worked = tuple(chain_rule_line(root, step, c, precision) for step, c in uses)
    if len(uses) > 1:
        shares = " + ".join(format_number(c.contribution, precision) for _, c in uses)
        worked += (f"{dr}/{dx} = {shares} = {format_number(total, precision)}",)
    return wrong_answers(total, candidates, precision), rule, worked


def local_question(info: Walk, step: Step, contribution: Contribution,
                   precision: int = DEFAULT_PRECISION) -> tuple[tuple[WrongAnswer, ...], str, tuple[str, ...]]:
    """For d node/d input: the wrong answers, the rule, and the worked line (the explain view's rule line)."""
    position = contribution.input_position - 1
    hints = _local_hints(step.node, step.op, position, contribution.operand)
    local = contribution.local
    candidates: list[tuple[str, float, str]] = [
        ("sign", -local, hints["sign"]),
        ("forward_value", step.data, hints["forward_value"]),
        ("local_forgotten", 1.0, hints["local_forgotten"]),
        ("grad_for_local", contribution.contribution, hints["grad_for_local"]),
        ("forward_value", step.input_values[position], hints["own_value"]),
    ]
    own = _other_value(step, contribution)
    if own is not None:
        candidates.insert(0, ("wrong_operand", own, hints["wrong_operand"]))
    lines = rule_lines(info, step.node_id, precision)
    index = contribution.position  # lines[0] is the op's formula, then one rule line per operand
    worked = (lines[index],) if index < len(lines) else tuple(lines)
    rule = f"Use the rule: {_op_rule(step.op, position, contribution.operand, step.node)}, then put in the numbers."
    return wrong_answers(local, candidates, precision), rule, worked


def asks_local(step: Step, contribution: Contribution, which: str) -> bool:
    """Is d node/d input asked?  auto: when its rule depends on a value (not +, −, Σ, a bias, × a number).

    Never at the root's own step (there d root/d x is the local derivative: asked
    once, as the gradient), nor for an input the node uses twice (a * a: its two
    shares are asked as one gradient).
    """
    if which not in LOCAL_QUESTIONS:
        raise ValueError(f"practice: local must be one of {LOCAL_QUESTIONS}, got {which!r}")
    once = sum(c.operand_id == contribution.operand_id for c in step.contributions) == 1
    root_step = step.step == 1  # there d root/d x is the local derivative itself: asked once, as the gradient
    if which == "none" or not once or root_step or step.closure or not math.isfinite(contribution.local):
        return False
    if which == "all":
        return True
    record = rules.OPS.get(step.op)
    if record is None:
        return False
    position = contribution.input_position - 1
    if record.arity == 0:  # sum: 1; dot, affine: a weight's slope is its input and back, a bias's 1
        pairs = len(step.input_values) // 2
        role = 0 if position < pairs else 1 if position < 2 * pairs else 2
        return not re.fullmatch(r"[−-]?\d+", record.derivatives[min(role, len(record.derivatives) - 1)])
    text = record.derivatives[min(position, len(record.derivatives) - 1)]
    read = [k for k, letter in enumerate(record.letters()) if re.search(rf"(?<![A-Za-z]){letter}(?![A-Za-z])", text)]
    return any(k + 1 not in step.number_positions for k in read)  # it reads an input that is a Value


def first_state(states: Sequence[State], node_id: int) -> int:
    """The index of the first backward step about node_id, after the start (ValueError if the page has none)."""
    start = next((k for k, state in enumerate(states) if state.phase == "backward"), len(states))
    for k in range(start + 1, len(states)):
        if states[k].phase == "backward" and states[k].node_id == node_id:
            return k
    raise ValueError(f"practice: the page has no backward step for node {node_id}")


def node_questions(info: Walk, states: Sequence[State], *, local: str = "auto", only: set[int] | None = None,
                   asked: set[int] | None = None, precision: int = DEFAULT_PRECISION) -> list[Question]:
    """The questions of node mode, gated at the state of each backward step.

    At the step of node n, for each input x in order: d n/d x where asked (see
    asks_local), then d root/d x when this step completes x's gradient (its last
    use).  only: the steps (node ids) the page shows (default all); asked: the
    nodes whose gradient may be asked (default all but the root).
    """
    steps, totals = replay(info)
    uses: dict[int, list[tuple[Step, Contribution]]] = {}
    for step in steps:
        for c in step.contributions:
            uses.setdefault(c.operand_id, []).append((step, c))
    unknown = {c.operand_id for step in steps if step.closure or not step.known for c in step.contributions}
    questions: list[Question] = []
    for step in steps:
        if only is not None and step.node_id not in only:
            continue
        gate = first_state(states, step.node_id)
        done: set[int] = set()
        for c in step.contributions:
            j = c.operand_id
            if asks_local(step, c, local):
                wrong, rule, worked = local_question(info, step, c, precision)
                questions.append(_question(
                    info, "local", step.node_id, j, c.local, gate, wrong, rule, worked,
                    context=f"{step.node} = {step.formula}: its local derivative with respect to {c.operand}",
                    precision=precision))
            last = uses[j][-1][0] is step
            if last and j not in done and j not in unknown and (asked is None or j in asked) \
                    and math.isfinite(totals[j]):
                done.add(j)
                wrong, rule, worked = grad_question(info, j, uses[j], totals[j], precision)
                questions.append(_question(
                    info, "grad", j, j, totals[j], gate, wrong, rule, worked,
                    context=f"{c.operand} is used by {_uses(uses[j])}: every use has passed its share back",
                    precision=precision))
    return questions


def _question(info: Walk, kind: str, node_id: int, input_id: int, answer: float, gate: int,
              wrong: tuple[WrongAnswer, ...], rule: str, worked: tuple[str, ...], *, context: str,
              precision: int) -> Question:
    """A Question record (numbered later by the page)."""
    root = info.names[-1]
    name, operand = info.names[node_id], info.names[input_id]
    if kind == "grad":
        prompt = f"{d_of(root)}/{d_of(name)} = ?"
        highlight: tuple[str, ...] = (f"v{node_id}",)
    else:
        prompt = f"{d_of(name)}/{d_of(operand)} = ?"
        highlight = (f"v{node_id}", f"o{node_id}", f"v{input_id}")
    shown = format_number(answer, precision)
    return Question(0, kind, name, node_id, operand if kind == "local" else None, prompt, context, answer, shown,
                    tolerance(shown), gate, wrong, rule, worked, highlight, input_id if kind == "local" else None)


def numbered(questions: Sequence[Question]) -> list[Question]:
    """The questions in the order they are asked (by gate, stably), numbered 1, 2, ..."""
    ordered = sorted(questions, key=lambda q: q.gate)
    return [replace(q, number=k) for k, q in enumerate(ordered, 1)]
