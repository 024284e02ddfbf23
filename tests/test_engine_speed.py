"""The engine's fast paths keep their meaning: rules called as C honour a rule planted in OPS, the walk's marks
survive a walk inside a walk and a walk that raised, and a compiled node stays small and visible to the collector."""

from __future__ import annotations

import dataclasses
import gc
import math
import sys

import pytest

import micrograd_nn
from micrograd_nn import rules
from micrograd_nn.engine import Value, topological_order


def test_a_unary_rule_planted_in_ops_is_used_and_then_not(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = dataclasses.replace(rules.OPS["tanh"], rule=lambda a: (math.tanh(a), (42.0,)))
    x = Value(0.5)
    assert x.tanh()._da == pytest.approx(1.0 - math.tanh(0.5) ** 2, abs=1e-15)
    monkeypatch.setitem(rules.OPS, "tanh", wrong)
    assert x.tanh()._da == 42.0
    monkeypatch.undo()
    assert x.tanh()._da == pytest.approx(1.0 - math.tanh(0.5) ** 2, abs=1e-15)


def test_a_binary_rule_planted_in_ops_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(rules.OPS, "*", dataclasses.replace(rules.OPS["*"], rule=lambda a, b: (a * b, (7.0, 9.0))))
    x, y = Value(2.0), Value(3.0)
    out = x * y
    out.backward()
    assert (out.data, x.grad, y.grad) == (6.0, 7.0, 9.0)
    assert (Value(2.0) * 4.0)._da == 7.0  # a plain number on one side goes through the planted rule too
    monkeypatch.undo()
    x, y = Value(2.0), Value(3.0)
    (x * y).backward()
    assert (x.grad, y.grad) == (3.0, 2.0)


def test_a_planted_rule_raising_is_named_with_the_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuses(a: float) -> tuple[float, tuple[float]]:
        raise ValueError(f"sin: planted rule refuses {a!r}")

    monkeypatch.setitem(rules.OPS, "sin", dataclasses.replace(rules.OPS["sin"], rule=refuses))
    with pytest.raises(ValueError, match=r"sin: planted rule refuses 0\.25 \(inputs: 'q'\)"):
        Value(0.25, "q").sin()


@pytest.mark.parametrize("op", rules.UNARY)
def test_each_unary_number_names_its_op(op: str) -> None:
    number = rules.UNARY.index(op)
    x = 0.75
    assert rules.unary(number, x) == rules.OPS[op].rule(x)


@pytest.mark.parametrize("op", rules.BINARY)
def test_each_binary_number_names_its_op(op: str) -> None:
    number = rules.BINARY.index(op)
    assert rules.binary(number, 1.5, 0.25) == rules.OPS[op].rule(1.5, 0.25)


def _diamond() -> tuple[Value, Value, Value]:
    a, b = Value(1.5, "a"), Value(-2.0, "b")
    c = a * b
    return a, b, (c + a).tanh() * c


class _Meddler:
    """A plain number's place holding an object whose isinstance check runs code (plain Python asks __class__)."""

    def __init__(self, action) -> None:  # type: ignore[no-untyped-def]
        self.action = action

    @property
    def __class__(self):  # type: ignore[no-untyped-def, override]
        self.action()
        return float


def test_a_walk_started_inside_a_walk_leaves_both_orders_whole() -> None:
    a, b, d = _diamond()
    expected = [id(n) for n in topological_order(d)]
    inner: list[list[int]] = []
    holder = a * 2.0  # its second input, the number 2.0, becomes the meddler: a walk of d runs mid-walk
    root = holder * d
    holder._b = _Meddler(lambda: inner.append([id(n) for n in topological_order(d)]))
    order = [id(n) for n in topological_order(root)]
    assert order == [id(n) for n in (a, holder)] + [i for i in expected if i != id(a)] + [id(root)]
    if micrograd_nn.ENGINE == "pure Python":  # compiled, isinstance asks the C type only: nothing runs mid-walk
        assert inner and all(each == expected for each in inner)


def test_a_walk_that_raised_midway_leaves_no_mark_that_matters() -> None:
    a, b, d = _diamond()
    expected = [id(n) for n in topological_order(d)]
    holder = a * 2.0
    root = holder * d

    def fail() -> None:
        raise RuntimeError("midway")

    holder._b = _Meddler(fail)
    if micrograd_nn.ENGINE == "pure Python":
        with pytest.raises(RuntimeError, match="midway"):
            topological_order(root)
    holder._b = 2.0
    assert [id(n) for n in topological_order(d)] == expected
    assert [id(n) for n in topological_order(root)] == [id(a), id(holder)] + expected[1:] + [id(root)]
    root.backward()
    c = a.data * b.data
    t = math.tanh(c + a.data)
    d_dc = (1 - t * t) * c + t  # d = tanh(c + a) * c
    assert root.grad == 1.0 and holder.grad == d.data
    assert a.grad == pytest.approx(2.0 * d.data + holder.data * (d_dc * b.data + (1 - t * t) * c), rel=1e-12)


def test_two_walks_over_a_shared_graph_each_see_every_node_once() -> None:
    x = Value(0.3)
    shared = (x * x).tanh()
    left, right = shared * 2.0, shared + x
    for root in (left, right, left):
        order = topological_order(root)
        assert len({id(n) for n in order}) == len(order)
        assert order[-1] is root and x in order and shared in order


@pytest.mark.skipif(micrograd_nn.ENGINE != "compiled", reason="the C struct's size")
def test_a_compiled_node_is_at_most_130_bytes_and_tracked_by_the_collector() -> None:
    node = Value(1.0) * Value(2.0)
    assert sys.getsizeof(node) <= 130
    assert gc.is_tracked(node)
    assert node.__dict__ == {}  # attributes of your own: a dict made on first use
    node.m = 0.5
    assert node.m == 0.5 and node.__dict__ == {"m": 0.5}
