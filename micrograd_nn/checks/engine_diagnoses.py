"""Naming the classic bug behind a failing case of check_engine: one bug, one diagnosis.

Each failing case is first read on its own (``analyse``): an exception or a
timeout says what it says; otherwise the first node, from the root down,
whose gradient is wrong *given the learner's own gradients above it* is the
step that went wrong, and the way it is wrong names the bug (one share of a
node used twice: ``=`` for ``+=``; the local derivative alone: the missing
``* out.grad``; an incomplete node passing its gradient on: the order; else
that op's local derivative, matched against the known wrong formulas).

Then ``diagnose`` walks the cases from the simplest to the compound ones: a
failing case that a bug already found can explain (the MLP fails because
``tanh`` is wrong) is attributed to that bug, never to a new one.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from micrograd_nn.checks.engine_call_log import CALLS, PRE, late_seed, order_evidence, upstream_evidence
from micrograd_nn.checks.engine_cases import DEPTH, FUNCTIONS, OPERATORS, TWIN, Case, Point
from micrograd_nn.checks.engine_findings import BUGS, FIXES, LABELS, Finding, close  # noqa: F401  (BUGS, FIXES: re-exported)
from micrograd_nn.checks.engine_sandbox import MEMORY
from micrograd_nn.checks.engine_wrong_formulas import wrong_formulas
from micrograd_nn.rules import OPS

COMPOSED_OF = {  # what a learner may build an op from (a - b as a + (-b), a / b as a * b**-1, tanh from exp, ...)
    "-": {"+", "neg", "*"}, "/": {"*", "**"}, "neg": {"*"}, "**": {"exp", "log", "*"},
    "tanh": {"exp", "+", "-", "/", "*", "**", "neg"}, "sigmoid": {"exp", "+", "-", "/", "*", "**", "neg"},
}


Probes = dict[str, list[float | None]]  # engine_call_log.probe's findings, by op
_NUMBER = re.compile(r"'(int|float)' object has no attribute")  # a plain number used as a node
_NUMBER_LEFT = re.compile(r"unsupported operand type\(s\) for (.+): '(?:int|float)' and '")  # no reflected method


def _g(x: float) -> str:
    return f"{x:.6g}"


def _graph(case: Case, ref: Point) -> str:
    """The case as the evidence names it: its name, or at an op's scaled point `y = a * b; out = y * c`."""
    if case.kind == "op" and "y" in ref.data:
        return f"`y = {case.name}; out = y * c`"
    return f"`{case.name}`"


# --- one case on its own ---------------------------------------------------------------------------------------

def analyse(case: Case, raw: dict[str, Any], refs: list[Point], probes: Probes | None = None) -> Finding | None:
    """The finding of one case (None when every point agrees with our engine)."""
    if raw.get("timeout"):
        return _timeout(case, raw)
    if "error" in raw or raw.get("killed"):
        return _error(case, raw)
    for got, ref in zip(raw["points"], refs):
        seed = got.get(ref.root, (math.nan, math.nan))[1]
        if not close(seed, 1.0):
            return Finding("seed", f"after {ref.root}.backward(), {ref.root}.grad is {_g(seed)}",
                           f"d{ref.root} = 1", f"d{ref.root} = {_g(seed)}")
        late = late_seed(got, ref) if _difference(case, {"points": [got]}, [ref]) else ""
        if late:
            return Finding("seed", late, f"d{ref.root} = 1 first", f"d{ref.root} = 1 last")
    for got, ref in zip(raw["points"], refs):
        finding = _forward(case, got, ref)
        if finding:
            return finding
    for got, ref in zip(raw["points"], refs):
        finding = _first_wrong_step(case, got, ref, probes or {})
        if finding:
            return finding
    return _difference(case, raw, refs)  # every step agrees, yet a gradient does not: said as it is


def _difference(case: Case, raw: dict[str, Any], refs: list[Point], why: str = "") -> Finding | None:
    """The first gradient that differs from ours, as a finding of no known bug (None if all agree)."""
    for got, ref in zip(raw.get("points", []), refs):
        for name in ref.compared:
            mine, right = got[name][1], ref.grad[name]
            if not close(mine, right):
                return Finding(None, f"{_graph(case, ref)} gives d{name} = {_g(mine)}, expected {_g(right)}{why}",
                               f"d{name} = {_g(right)}", f"d{name} = {_g(mine)}")
    return None


def stale(case: Case, raw: dict[str, Any], refs: list[Point], own: Finding) -> Finding:
    """The fresh-graph case fails while the same graph on new leaves passes: backward() keeps state between calls."""
    found = _difference(case, raw, refs, ", though the same graph on new leaves is right: something outlives a "
                        "backward() call (a list or set kept as a default argument or a class attribute?)")
    if found is None:
        return own
    found.fix = "build the order afresh in each backward() call"
    return found


def _timeout(case: Case, raw: dict[str, Any]) -> Finding:
    where = f"stopped at {raw['where']}" if raw.get("where") else "stopped in code that could not be interrupted"
    return Finding("timeout", f"{raw.get('phase', 'backward')} did not finish within {case.time_limit:g} s ({where})",
                   "an end", "no end", case.op, raw.get("where", ""))


def _error(case: Case, raw: dict[str, Any]) -> Finding:
    kind, message, where = raw.get("error", ""), raw.get("message", ""), raw.get("where", "")
    said = (f"{kind}: {message}" if message else kind) if kind else f"the process died ({raw.get('killed')})"
    at = f" at {where}" if where else ""
    if raw.get("recursion") and case.kind == "number_left":
        method = _reflected(case.op or "")
        return Finding("reflected", f"`{case.name}` never returns ({said}{at}): {method} calls itself, as "
                       f"`other {case.op} self` does when other is a number", "a node", kind or "crash", case.op, where)
    if raw.get("recursion") and case.kind == "deep":
        return Finding("recursion_depth", f"backward() on a chain {DEPTH:,} deep raised {said}{at}",
                       "gradients", kind or "crash", None, where)
    left = _NUMBER_LEFT.search(message) if kind == "TypeError" else None
    if left:  # int + Value with no __radd__ (perhaps inside another op: 2 - a written as other + (-self))
        op = {"** or pow()": "**"}.get(left.group(1), left.group(1))
        method = _reflected(op)
        return Finding("reflected", f"`{case.name}` raised {said}{at}: the class has no {method}", "a node", kind,
                       op, where)
    if "unhashable type" in message:  # a class that defines __eq__ loses Python's __hash__: no sets of nodes
        return Finding("exception", f"{raw.get('phase', 'backward')} raised {said}{at}", "no error", kind, case.op,
                       where, fix="a class that defines __eq__ has no __hash__, so its nodes cannot go in a set: add "
                       "`__hash__ = object.__hash__` (nodes are told apart by identity, not by value)")
    numbers = case.kind in ("number_right", "number_left") and raw.get("phase") == "forward"
    if _NUMBER.search(message) or (numbers and kind in ("AttributeError", "AssertionError", "TypeError")):
        return Finding("number_not_wrapped", f"`{case.name}` raised {said}{at}: the plain number is used as if "
                       "it were a node", "a node", kind, case.op, where)
    if not kind:
        return Finding("exception", f"the process running {raw.get('phase', 'backward')} died ({raw.get('killed')})",
                       "no error", "crash", case.op, fix="your code must not end or crash the Python process")
    if kind == "MemoryError":
        said = f"MemoryError (it asked for more than {MEMORY >> 30} GB)"
    fix = "" if where else "end each operation with `return out`" if "return its result?" in message else \
        "find where your code raises it: no line of your file was on the way"
    return Finding("exception", f"{raw.get('phase', 'backward')} raised {said}{at}", "no error", kind, case.op, where,
                   fix=fix)


def _reflected(op: str) -> str:
    """The reflected method Python calls for `number op node` (__radd__ for +)."""
    return next((m for m, (o, _) in OPERATORS.items() if m.startswith("__r") and o == op), "__rpow__")


def _forward(case: Case, got: dict[str, tuple[float, float]], ref: Point) -> Finding | None:
    """A node whose value (data) is wrong: a reflected method with its sides swapped, a late-bound op, ..."""
    for name in ref.compared:
        value, expected = got.get(name, (math.nan, 0.0))[0], ref.data[name]
        if close(value, expected):
            continue
        numbers = f"{name}.data = {_g(value)}, expected {_g(expected)}"
        if case.kind == "number_left":
            return Finding("reflected", f"`{case.name}` gives {numbers}: the number and the node swapped sides",
                           f"{name} = {_g(expected)}", f"{name} = {_g(value)}", case.op)
        other = _same_as_other(case, ref, name, value, lambda out, d: out)
        if other:
            return Finding("late_binding", f"`{case.name}` gives {numbers}, the value of {other}(a): the method "
                           f"uses the function of the last op defined in a loop", f"{name} = {_g(expected)}",
                           f"{name} = {_g(value)}", case.op, ops=frozenset({case.op or ""}))
        return Finding(None, f"the forward pass is wrong: {numbers} — check the formula of this op",
                       f"{name} = {_g(expected)}", f"{name} = {_g(value)}", case.op)
    return None


def _same_as_other(case: Case, ref: Point, name: str, got: float, pick: Callable[[float, float], float]) -> str:
    """The other function (exp, tanh, ...) whose value or derivative at this input is `got`, if any."""
    if case.kind != "op" or case.op not in FUNCTIONS or name != ref.root:
        return ""
    x = ref.inputs[name][0]
    for other in FUNCTIONS:
        if other == case.op:
            continue
        try:
            out, (d,) = OPS[other].rule(x)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        if close(got, pick(out, d)):
            return other
    return ""


@dataclass
class _Step:
    """The gradient step into one node, seen from the learner's own gradients above it."""

    name: str
    got: float
    expected: float  # our engine's
    shares: list[float]  # local x the learner's gradient of each user
    locals_: list[float]
    users: list[str]
    positions: list[int] = field(default_factory=list)


def _first_wrong_step(case: Case, got: dict[str, Any], ref: Point, probes: Probes) -> Finding | None:
    """The first node from the root down whose gradient is wrong although the gradients above it are the learner's."""
    for name in reversed(ref.compared):
        if name == ref.root:
            continue
        uses = ref.uses.get(name, [])
        if any(user not in got for user, _, _ in uses):
            continue
        grad = got.get(name, (0.0, math.nan))[1]
        step = _Step(name, grad, ref.grad[name], [local * got[u][1] for u, local, _ in uses],
                     [local for _, local, _ in uses], [u for u, _, _ in uses], [p for _, _, p in uses])
        if close(grad, math.fsum(step.shares)):
            continue  # right from the learner's own gradients above (if they are wrong, a step above is)
        return _classify(case, step, got, ref, probes)
    return None


def _classify(case: Case, step: _Step, got: dict[str, Any], ref: Point, probes: Probes) -> Finding:
    """Name the bug behind one wrong step: one share kept, the local derivative alone, an early pass, or the op."""
    numbers = (f"d{step.name} = {_g(step.expected)}", f"d{step.name} = {_g(step.got)}")
    said = f"{_graph(case, ref)} gives d{step.name} = {_g(step.got)}, expected {_g(step.expected)}"
    early = order_evidence(step.users, got, ref)
    if early:
        return Finding("order", f"{said}: {early}", *numbers)
    if len(step.shares) >= 2 and _one_share(step.got, step.shares):
        times = "twice" if len(step.shares) == 2 else f"{len(step.shares):,} times"
        return Finding("accumulate", f"{said}: {step.name} is used {times}, but its gradient holds only one "
                       "use's share", *numbers)
    upstream = [got[u][1] for u in step.users]
    if not all(close(g, 1.0) for g in upstream) and close(step.got, math.fsum(step.locals_)):
        ops = " and ".join(sorted({OPS[ref.ops[u]].formula for u in step.users}))
        return Finding("chain_factor", f"{said}, the local derivative of {ops} alone: right one level below the "
                       "output, wrong deeper", *numbers, ops=frozenset(ref.ops[u] for u in step.users))
    inner = [u for u in step.users if u != ref.root]
    shared = [u for u in inner if len(ref.uses.get(u, [])) >= 2]
    if shared:
        return Finding("order", f"{said}: {shared[0]}, used by {len(ref.uses[shared[0]])} nodes, passed its "
                       "gradient on before it had all of it", *numbers)
    if inner and step.got == 0.0:
        return Finding("order", f"{said}: {inner[0]} passed its gradient on before it had received any", *numbers)
    return _local_derivative(case, step, got, ref, probes)


def _one_share(total: float, shares: list[float]) -> bool:
    """Whether total is the sum of some but not all of the shares (one use's share, for instance)."""
    if len(shares) > 10:
        return any(close(total, s) for s in set(shares))
    for k in range(1, len(shares)):
        for subset in itertools.combinations(shares, k):
            if close(total, math.fsum(subset)) and not close(total, math.fsum(shares)):
                return True
    return False


def _local_derivative(case: Case, step: _Step, got: dict[str, Any], ref: Point, probes: Probes) -> Finding:
    """The learner's local derivative of the op above the node, against ours and the known wrong formulas."""
    user = step.users[0]
    op = ref.ops[user]
    numbers = (f"d{step.name} = {_g(step.expected)}", f"d{step.name} = {_g(step.got)}")
    upstream = got[user][1]
    if len(set(step.users)) != 1 or upstream == 0.0:
        return Finding(None, f"{_graph(case, ref)} gives d{step.name} = {_g(step.got)}, expected {_g(step.expected)}",
                       *numbers, op)
    mine = step.got / upstream / len(step.users)
    expected_local = step.locals_[0]
    position = step.positions[0]
    inputs = ref.inputs[user]
    at = ", ".join(f"{n} = {_g(v)}" for n, v in zip("ab", inputs))
    said = f"the local derivative of {OPS[op].formula} with respect to {'ab'[position]} at {at} is {_g(mine)} " \
           f"in your engine, expected {_g(expected_local)}"
    other = _same_as_other(case, ref, user, mine, lambda out, d: d) if user == ref.root and mine != 0 else ""
    if other:
        return Finding("late_binding", f"{said}, which is {other}'s derivative: the _backward reads a variable "
                       "of the loop that made the methods after the loop ended", *numbers, op,
                       ops=frozenset({op, other}))
    upstream_wrong = upstream_evidence(op, position, probes)
    if upstream_wrong:  # op's own _backward; in microgpt's shape, the one line of backward() (every op)
        every = op not in probes
        return Finding("chain_factor", f"{_graph(case, ref)} gives d{step.name} = {_g(step.got)}, expected "
                       f"{_g(step.expected)}: {'backward()' if every else f'the _backward of {OPS[op].formula}'} "
                       f"multiplies the right local derivative for {'ab'[position]} {upstream_wrong}", *numbers,
                       None if every else op, ops=frozenset(OPS) if every else frozenset({op}))
    known = [text for text, value in wrong_formulas(op, position, inputs, ref.data[user]) if close(mine, value)]
    said += f" ({known[0]})" if known else ""
    return Finding("local_derivative", said, *numbers, op, position=position)


# --- the whole engine: simplest cases first, compound ones explained by what was found ----------------------

@dataclass
class Features:
    """What a case's graph contains, to tell whether a bug found elsewhere explains its failure."""

    ops: set[str]  # the ops used, with what the learner may have built them from where that is hidden
    numbers: set[tuple[str, str]]  # (op, side) of each plain number
    reused: bool  # a node used twice
    inner_reused: bool  # an op's result used twice
    deep: bool  # a node more than one op below the root
    recursion: bool  # the case raised RecursionError (or the process died of a too deep stack)


def features(case: Case, raw: dict[str, Any], refs: list[Point]) -> Features:
    """The Features of one case, from our engine's graphs (at every point) and the learner's run."""
    ops = {op for ref in refs for op in ref.ops.values() if op}
    if raw.get("composite") or case.kind in ("structure", "fresh", "deep", "network"):
        ops |= set().union(*(COMPOSED_OF.get(op, set()) for op in ops))
    reused = {(i, n) for i, ref in enumerate(refs) for n, uses in ref.uses.items() if len(uses) >= 2}
    deep = bool(raw.get("composite")) or any(u != ref.root for ref in refs for uses in ref.uses.values()
                                             for u, _, _ in uses)
    return Features(ops, set().union(*(ref.numbers for ref in refs)), bool(reused),
                    any(refs[i].ops.get(n) for i, n in reused), deep, bool(raw.get("recursion")))


def explains(found: Finding, f: Features, own: Finding) -> bool:
    """Whether the bug already found (found) can be the cause of a case's failure (own, with features f)."""
    bug = found.bug
    if bug == "seed" or (found.where and found.where == own.where):
        return True
    rules: dict[str | None, Callable[[], bool]] = {
        "timeout": lambda: own.bug == "timeout" and (found.op is None or found.op in f.ops),
        "number_not_wrapped": lambda: any(op == found.op for op, _ in f.numbers) and own.bug != "timeout",
        "reflected": lambda: (found.op, "left") in f.numbers,
        "recursion_depth": lambda: f.recursion,
        "accumulate": lambda: f.reused,
        "order": lambda: f.deep or f.recursion,
        "chain_factor": lambda: f.deep or bool(found.ops & f.ops),  # found by a probe: the ops it is in
        "local_derivative": lambda: found.op in f.ops,
        "late_binding": lambda: bool(found.ops & f.ops),
    }
    return rules.get(bug, lambda: False)()


def tier(case: Case, raw: dict[str, Any]) -> float:
    """Where a case comes in the diagnosis: single ops on nodes first, compound graphs last."""
    composite = bool(raw.get("composite"))
    if case.kind == "op" and "error" in raw:  # -a as a * -1 raising in __mul__: `a * 3` says more about it
        return 2.5
    if case.kind == "op":  # a * b first: the other ops' cases multiply their result by a leaf at one point
        return {"*": -1, "+": 0}.get(case.op or "", 6 if composite else 1)
    order = {"number_right": 2, "number_left": 3, "reuse": 4, "structure": 5, "fresh": 5, "deep": 7, "network": 8}
    return 6 if composite and case.kind.startswith("number") else order[case.kind]


@dataclass
class Verdict:
    """One case's outcome: its finding (None if it passed) and, if another case's bug explains it, that case."""

    finding: Finding | None
    because_of: str = ""  # the case whose bug explains this one


def diagnose(cases: list[Case], raws: dict[str, dict[str, Any]], refs: dict[str, list[Point]],
             probes: Probes | None = None) -> dict[str, Verdict]:
    """Each run case's verdict: one diagnosis per bug, compound failures attributed to the bug already found."""
    verdicts: dict[str, Verdict] = {}
    found: list[tuple[str, Finding]] = []
    simplest = [name for name in ("a * b", "a + b") if name in raws]
    seeded_late = bool(simplest) and all(_nothing_below(raws[name], refs[name]) for name in simplest) and all(
        CALLS not in p for name in simplest for p in raws[name]["points"]) and (probes or {}).get("backward") == [*PRE]
    for case in sorted((c for c in cases if c.name in raws), key=lambda c: tier(c, raws[c.name])):
        own = analyse(case, raws[case.name], refs[case.name], probes)
        if own is None:
            verdicts[case.name] = Verdict(None)
            continue
        if seeded_late and own.bug != "seed" and _nothing_below(raws[case.name], refs[case.name]):
            own = Finding("seed", f"after {refs[case.name][0].root}.backward() its grad is 1 but every gradient "
                          "below it is 0, in every case: backward() set the seed after passing gradients on",
                          own.expected, own.got)
        if case.kind == "fresh" and verdicts.get(TWIN) == Verdict(None):
            own = stale(case, raws[case.name], refs[case.name], own)
        if own.bug == "chain_factor" and own.op is None and _ops_pass(own.ops - {""}, cases, verdicts):
            passing = " and ".join(f"`{c.name}`" for c in cases if c.kind == "op" and c.op in own.ops)
            own = Finding("order", f"{own.evidence.split(', the local derivative')[0]}, though {passing} "
                          f"pass{'es' if len(own.ops) == 1 else ''}: a node passed its gradient on before it had all "
                          "of it", own.expected, own.got)
        f = features(case, raws[case.name], refs[case.name])
        source = next(((name, b) for name, b in found if (b.bug, b.op) == (own.bug, own.op) and own.bug), None)
        source = source or next(((name, b) for name, b in found if explains(b, f, own)), None)
        if source is None:
            found.append((case.name, own))
            verdicts[case.name] = Verdict(own)
        elif (source[1].bug, source[1].op) == (own.bug, own.op):
            verdicts[case.name] = Verdict(own, source[0])
        else:
            blamed = Finding(source[1].bug, "", own.expected, own.got, source[1].op, own.where, source[1].ops)
            blamed.evidence = f"the same {label(source[1])} as in `{source[0]}`"
            verdicts[case.name] = Verdict(blamed, source[0])
    return verdicts


def _ops_pass(ops: frozenset[str], cases: list[Case], verdicts: dict[str, Verdict]) -> bool:
    """Every op of ops has a case of its own, and it passed (at its scaled point too: out.grad is not 1 there)."""
    own = {case.op: case.name for case in cases if case.kind == "op"}
    return bool(ops) and ops != frozenset(OPS) and all(verdicts.get(own.get(op, "")) == Verdict(None) for op in ops)


def _nothing_below(raw: dict[str, Any], refs: list[Point]) -> bool:
    """Every point's root has grad 1 and every node below it grad 0 (where ours are not all 0)."""
    points = raw.get("points") or []
    return len(points) == len(refs) and all(
        close(got[ref.root][1], 1.0) and all(got[n][1] == 0.0 for n in ref.compared if n != ref.root)
        and any(ref.grad[n] != 0.0 for n in ref.compared if n != ref.root) for got, ref in zip(points, refs))


def label(finding: Finding) -> str:
    """A few words naming a finding's bug (with its op)."""
    text = LABELS.get(finding.bug or "", "failure")
    return f"{text} of {finding.op}" if finding.bug == "local_derivative" and finding.op else text
