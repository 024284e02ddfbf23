"""A gradient's graph seen: draw(x.grad_value) boxes the forward nodes it reads, the stepper steps its backward
(second derivatives), and a forward graph's picture is what it always was."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import needs_dot
from test_stepper import CHROMIUM_FLAGS, browser, grad_text, needs_browser  # noqa: F401 (browser: a fixture)

from micrograd_nn import colours, labels
from micrograd_nn.analysis.walk import walk
from micrograd_nn.engine import Value
from micrograd_nn.format import format_number
from micrograd_nn.gradient_graph import backward_level
from micrograd_nn.views.scalar_picture import to_dot
from micrograd_nn.views.stepper import stepper_html, write_html

GREEN = colours.PASSES[0][1]
VIOLET = colours.PASSES[1][1]


def tanh_gradient(x: float = 0.5) -> tuple[Value, Value, Value]:
    """(x, y = tanh(x), dy/dx) with dy/dx = (1 - y*y) * dy/dy kept by y.backward(create_graph=True)."""
    leaf = Value(x, "x")
    y = leaf.tanh()
    y.label = "y"
    y.backward(create_graph=True)
    assert leaf.grad_value is not None
    return leaf, y, leaf.grad_value


def statements(dot: str) -> dict[str, str]:
    """Each node statement of a DOT text by its id ("v3", "o3"): its attribute text."""
    return dict(re.findall(r"^\s*([vo]\d+) \[(.*)\]$", dot, re.M))


def cluster_body(dot: str, name: str) -> str:
    """The text of subgraph `name` up to its closing brace (nested subgraphs included)."""
    start = dot.index(f"subgraph {name} {{")
    depth, i = 0, start
    while True:
        depth += {"{": 1, "}": -1}.get(dot[i], 0)
        if depth == 0 and dot[i] == "}":
            return dot[start : i + 1]
        i += 1


def test_the_picture_of_a_gradient_marks_exactly_the_forward_nodes_it_reads() -> None:
    x, y, dydx = tanh_gradient()
    info = walk(dydx)
    levels = [backward_level(node) for node in info.nodes]
    forward = {i for i, level in enumerate(levels) if level == 0}
    assert {info.nodes[i] for i in forward} == {x, y}  # 1 - y*y reads y, and y reads x
    dot = to_dot(dydx)
    nodes = statements(dot)
    box = cluster_body(dot, "cluster_pass0")
    for key, attributes in nodes.items():
        i = int(key[1:])
        assert (f'color="{GREEN}"' in attributes) == (i in forward), key
        assert (f" {key} [" in box) == (i in forward), key
    assert 'label="forward pass"' in box
    assert "green box and border: forward pass nodes (the gradient reads them)" in dot.replace("\\n", " ")
    assert "outside the boxes: made by the backward pass (backward(create_graph=True))" in dot.replace("\\n", " ")


def test_a_gradient_is_named_for_what_it_is() -> None:
    x, y, dydx = tanh_gradient()
    info = walk(dydx)
    assert info.name_of(dydx) == "dy/dx" == labels.gradient_label("x", "y")
    seed = [node for node in info.nodes if not node.operands and backward_level(node) == 1]
    assert len(seed) == 1 and seed[0].data == 1.0 and info.name_of(seed[0]) == "dy/dy"
    assert info.name_of(x) == "x" and info.name_of(y) == "y"
    y.zero_grad()  # a later backward fills .grad with other numbers: the names stay
    dydx.backward()
    assert walk(dydx).name_of(dydx) == "dy/dx"
    # the output not in the gradient's graph: x*x's gradient 1*x + 1*x reads x only
    z = Value(3.0, "z")
    square = z * z
    square.backward(create_graph=True)
    assert square.grad_value is not None and z.grad_value is not None
    assert walk(z.grad_value).name_of(z.grad_value) == "grad of z" == labels.gradient_label("z")
    assert labels.gradient_label("x", "dy/dx") == "d(dy/dx)/dx"


def test_each_gradient_is_named_for_the_derivative_it_is_and_a_summed_one_for_the_leaf() -> None:
    """The names say what each number is: d(dy/dx)/dx for a second derivative, x.grad for the sum a leaf's
    gradient became when a second backward added to it without zero_grad (PyTorch's accumulation)."""
    from micrograd_nn import grad

    x, y, dydx = tanh_gradient()
    t = math.tanh(0.5)
    dydx.backward(create_graph=True)  # no zero_grad: x.grad = dy/dx + d(dy/dx)/dx
    total = x.grad_value
    assert total is not None and total.op == "+"
    info = walk(total)
    named = {info.name_of(node): node.data for node in info.nodes}
    assert named["x.grad"] == total.data == x.grad
    assert named["dy/dx"] == dydx.data == 1 - t * t
    assert named["d(dy/dx)/dx"] == pytest.approx(-2 * t * (1 - t * t), rel=1e-15)
    assert named["d(dy/dx)/dx"] + named["dy/dx"] == total.data
    assert named["dy/dy"] == 1.0 and named["d(dy/dx)/d(dy/dx)"] == 1.0
    # stepping x.grad's backward gives d2y/dx2 + d3y/dx3: the page's title says both orders
    assert "Backprop through a gradient&#x27;s graph: second and third derivatives" in stepper_html(total)
    # grad() names its results the same way, pass after pass, and its output by the name it has
    z = Value(0.5, "z")
    u = z.tanh()
    u.label = "u"
    first, = grad(u, [z], create_graph=True)
    second, = grad(first, [z], create_graph=True)
    third, = grad(second, [z], create_graph=True)
    assert [walk(g).name_of(g) for g in (first, second, third)] == ["du/dz", "d(du/dz)/dz", "d(d(du/dz)/dz)/dz"]


def test_a_gradient_of_a_gradient_boxes_each_earlier_pass() -> None:
    x, y, dydx = tanh_gradient()
    y.zero_grad()
    dydx.backward(create_graph=True)
    second = x.grad_value
    assert second is not None
    assert second.data == pytest.approx(-2 * math.tanh(0.5) * (1 - math.tanh(0.5) ** 2), rel=1e-15)
    info = walk(second)
    levels = [backward_level(node) for node in info.nodes]
    assert set(levels) == {0, 1, 2}
    dot = to_dot(second)
    nodes = statements(dot)
    outer = cluster_body(dot, "cluster_pass1")
    inner = cluster_body(dot, "cluster_pass0")
    assert inner in outer and 'label="made by the 1st backward"' in outer
    for key, attributes in nodes.items():
        level = levels[int(key[1:])]
        colour = {0: GREEN, 1: VIOLET}.get(level)
        border = re.search(r'(?<!fill)color="([^"]*)"', attributes)
        assert (border.group(1) if border else None) == colour, key
        assert (f" {key} [" in outer) == (level < 2) and (f" {key} [" in inner) == (level == 0), key
    legend = dot.replace("\\n", " ")
    for words in ("green box and border: forward pass nodes", "violet box and border: made by the 1st backward",
                  "outside the boxes: made by the 2nd backward"):
        assert words in legend


def test_a_forward_graph_is_drawn_as_before() -> None:
    """No boxes, no colours, no legend entry: a forward graph after backward(create_graph=True) draws as after
    backward() (its picture does not include the gradients' own graph)."""
    pictures = []
    for create_graph in (False, True):
        x = Value(0.5, "x")
        w = Value(-2.0, "w")
        y = (x * w + 1.0).tanh()
        y.label = "y"
        y.backward(create_graph=create_graph)
        pictures.append(to_dot(y))
    assert pictures[0] == pictures[1]
    assert "cluster_pass" not in pictures[0] and "forward pass" not in pictures[0]
    assert all(re.search(r"(?<!fill)color=", attributes) is None for attributes in statements(pictures[0]).values())


@needs_dot
def test_the_stepper_steps_the_backward_of_the_backward(tmp_path: Path) -> None:
    x, y, dydx = tanh_gradient()
    text = stepper_html(dydx)
    data = json.loads(re.search(r'<script type="application/json" id="stepper-data">(.*?)</script>', text,
                                re.S).group(1))
    info = walk(dydx)
    assert data["passes"] == [backward_level(node) for node in info.nodes]
    assert "<title>Backprop through a gradient&#x27;s graph: second derivatives</title>" in text or \
        "Backprop through a gradient's graph: second derivatives" in text
    assert 'data-legend="pass0"' in text and "forward pass nodes (the gradient reads them)" in text
    # the last state holds d(dy/dx)/dx = d²y/dx² = -2 tanh(x)(1 - tanh²(x))
    totals: dict[str, str] = {}
    for state in data["states"]:
        totals.update(state["updates"])
    t = math.tanh(0.5)
    assert totals[f"v{info.index[x]}"] == format_number(-2 * t * (1 - t * t))
    assert totals[f"v{info.index[y]}"] == format_number(-2 * t)
    # a forward graph's page has no boxes and no pass legend
    plain = stepper_html(y)
    assert "pass0" not in plain and "forward pass" not in plain


@needs_dot
def test_the_page_of_a_gradient_of_a_gradient_says_third_derivatives_and_steps_to_one() -> None:
    """Stepping the backward of d2y/dx2 (made by the 2nd backward) gives d3y/dx3: the title names that order."""
    from micrograd_nn import grad

    x, _, dydx = tanh_gradient()
    second, = grad(dydx, [x], create_graph=True)  # the 2nd backward: d2y/dx2 as a Value
    assert backward_level(second) == 2
    text = stepper_html(second)
    assert "Backprop through a gradient&#x27;s graph: third derivatives" in text
    assert "second derivatives" not in text
    data = json.loads(re.search(r'<script type="application/json" id="stepper-data">(.*?)</script>', text,
                                re.S).group(1))
    totals: dict[str, str] = {}
    for state in data["states"]:
        totals.update(state["updates"])
    t = math.tanh(0.5)  # d3/dx3 tanh = -2 (1 - t^2)(1 - 3 t^2)
    assert totals[f"v{walk(second).index[x]}"] == format_number(-2 * (1 - t * t) * (1 - 3 * t * t))
    assert "Backprop, step by step" in stepper_html(Value(1.0, "a") * 2.0)


@needs_browser
def test_the_page_of_a_gradient_loads_and_steps_to_the_second_derivative(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    x, _, dydx = tanh_gradient()
    path = write_html(dydx, tmp_path / "second.html")
    index = walk(dydx).index[x]
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path.as_uri())
    assert page.locator("#graph .cluster").count() == 1
    assert grad_text(page, index) == "grad ?"
    page.keyboard.press("End")
    t = math.tanh(0.5)
    assert grad_text(page, index) == f"grad {format_number(-2 * t * (1 - t * t))}"
    assert problems == []
    page.close()


def test_a_node_computed_from_a_gradient_is_not_drawn_as_a_forward_node() -> None:
    x, y, dydx = tanh_gradient()
    scaled = dydx * 3.0  # your own op on a gradient: level 0 for the engine, but no forward pass node
    assert backward_level(scaled) == 0
    info = walk(scaled)
    dot = to_dot(scaled)
    box = cluster_body(dot, "cluster_pass0")
    inside = {int(key[1:]) for key in statements(box)}
    assert {info.nodes[i] for i in inside} == {x, y}
    assert f" v{info.index[scaled]} [" not in box
