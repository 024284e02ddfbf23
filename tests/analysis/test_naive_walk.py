"""The naive walk (no topological order) replayed: b = a + a; c = b + b gives dc/da = 8, backward() 4."""

from __future__ import annotations

import random

import pytest
from conftest import full_snapshot

from micrograd_nn.analysis.naive_walk import naive_walk, topological_order_example
from micrograd_nn.engine import Value


def naive_backward(node: Value) -> None:
    """The learner's first backward: recurse from the output, each node passing its gradient on when reached."""
    node._backward()
    for child in node._prev:
        naive_backward(child)


def test_the_example_double_counts_b_and_says_where() -> None:
    c = topological_order_example()
    a = c.operands[0].operands[0]
    assert a.grad == 4.0  # backward()
    walk = naive_walk(c)
    assert [(s.node, s.visit, s.upstream, [e.total_after for e in s.edges]) for s in walk.steps] == [
        ("c", 1, 1.0, [1.0, 2.0]),
        ("b", 1, 2.0, [2.0, 4.0]),
        ("b", 2, 2.0, [6.0, 8.0]),
    ]
    assert [s.wrong for s in walk.steps] == [False, False, True]
    assert walk.steps[2].again and not walk.steps[2].early
    assert walk.naive[0] == 8.0 and walk.true[0] == 4.0 and walk.wrong_leaves() == [0]
    assert walk.steps[2].reason("c") == (
        "wrong: b already passed its gradient on at its first visit; passing it on again counts every path from "
        "c through b twice"
    )


def test_compare_prints_the_naive_walk_next_to_backward() -> None:
    text = naive_walk(topological_order_example()).compare(precision=1)
    assert text.splitlines() == [
        "The naive walk: recurse from c; each node passes its gradient on as soon as it is reached",
        "  1. c passes dc/dc = 1.0 on: dc/db = 1.0, then 2.0",
        "  2. b (visit 1) passes dc/db = 2.0 on: dc/da = 2.0, then 4.0",
        "  3. b (visit 2) passes dc/db = 2.0 on: dc/da = 6.0, then 8.0   <- wrong: b already passed its gradient "
        "on at its first visit; passing it on again counts every path from c through b twice",
        "  result: dc/da = 8.0 (wrong: backward() gives 4.0)",
        "backward(): each node passes its gradient on once, after every node that uses it (a topological order)",
        "  1. c passes dc/dc = 1.0 on: dc/db = 1.0, then 2.0",
        "  2. b passes dc/db = 2.0 on: dc/da = 2.0, then 4.0",
        "  result: dc/da = 4.0",
    ]


def test_a_node_reached_before_all_its_users_passes_on_too_early() -> None:
    """d = x * y with y = x + 1: the walk reaches x from d before y has added to it."""
    x = Value(3.0, "x")
    y = x + 1.0
    y.label = "y"
    d = x * y
    d.label = "d"
    d.backward()
    walk = naive_walk(d)
    assert walk.steps[0].node == "d" and not walk.steps[0].wrong
    assert [s.node for s in walk.steps] == ["d", "y"]
    # x is a leaf: it passes nothing; the naive total happens to be right here
    assert walk.naive[0] == walk.true[0] == x.grad == 7.0
    p = Value(2.0, "p")
    q = p * 3.0
    q.label = "q"
    r = q + p * q
    r.label = "r"
    r.backward()
    walk = naive_walk(r)
    early = [s for s in walk.steps if s.early]
    assert early and early[0].node == "q" and early[0].upstream == 1.0 and early[0].true_gradient == 3.0
    assert "before every node using it has added to it (its gradient will be 3.0000)" in early[0].reason("r")
    assert walk.naive[0] != p.grad


def _random_graph(rng: random.Random) -> tuple[Value, list[Value]]:
    leaves = [Value(rng.uniform(-2, 2), f"x{i}") for i in range(3)]
    nodes = list(leaves)
    for _ in range(rng.randint(1, 7)):
        a, b = rng.choice(nodes), rng.choice(nodes)
        op = rng.choice(["+", "*", "tanh", "-"])
        nodes.append(a + b if op == "+" else a * b if op == "*" else (a * b).tanh() if op == "tanh" else a - b)
    return nodes[-1], leaves


@pytest.mark.parametrize("seed", range(40))
def test_the_replay_matches_the_naive_recursion_run_for_real(seed: int) -> None:
    """Against an independent reference: the learner's recursive code run on the graph's own _backward."""
    root, leaves = _random_graph(random.Random(seed))
    root.backward()
    true = [leaf.grad for leaf in leaves]
    before = full_snapshot(root)
    walk = naive_walk(root)
    assert full_snapshot(root) == before  # the replay touches nothing
    root.zero_grad()
    root.grad = 1.0
    naive_backward(root)
    by_name = {walk.info.names[i]: i for i in range(len(walk.info.nodes))}
    for leaf, expected in zip(leaves, true):
        if leaf in walk.info.index:
            assert walk.naive[by_name[leaf.label]] == pytest.approx(leaf.grad, rel=1e-12, abs=1e-12)
            assert walk.true[by_name[leaf.label]] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_a_long_walk_and_a_closure_op_are_refused() -> None:
    x = Value(1.0, "x")
    for _ in range(12):
        x = x + x  # 2**12 paths
    with pytest.raises(ValueError, match=r"naive walk: more than 500 steps \(it reaches a node once per path"):
        naive_walk(x)
    a = Value(2.0, "a")
    out = Value(a.data * 2, (a,), "double")
    out._backward = lambda: None
    with pytest.raises(ValueError, match="naive walk: out is an op written the micrograd way"):
        naive_walk(out)
