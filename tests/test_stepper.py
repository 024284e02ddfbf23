"""The HTML stepper in a real headless Chromium: no console errors, no network, Next walks the records."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import full_snapshot, needs_dot

from micrograd_nn.engine import Value
from micrograd_nn.graph import format_number, walk
from micrograd_nn.inspect import backward_steps, chain_rule_line
from micrograd_nn.nn import MLP
from micrograd_nn.stepper import stepper_html, stepper_states, write_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

needs_browser = pytest.mark.skipif(
    CHROMIUM is None or shutil.which("dot") is None,
    reason="needs Debian's chromium and Graphviz's dot (sudo apt-get install -y chromium graphviz)",
)


def expression() -> tuple[Value, Value]:
    """tanh(a*b + c) * 2 with a used twice: (root, a)."""
    a, b, c = Value(2.0, "a"), Value(-0.5, "b"), Value(0.25, "c")
    root = (a * b + c + a).tanh() * 2.0
    return root, a


def test_states_follow_the_step_records() -> None:
    root, _ = expression()
    steps = backward_steps(root)
    states = stepper_states(root)
    assert len(states) == len(steps) + 1
    ids = [state["node_id"] for state in states[1:]]  # ids are positions in topological order
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert states[0]["node_id"] == ids[0]  # the start state shows the root, which is step 1
    root_id = steps[0]["node_id"]
    assert states[0]["node_id"] == root_id and states[0]["highlight"] == [f"v{root_id}"]
    assert states[0]["updates"] == {f"v{root_id}": "1.0000"}
    for state, step in zip(states[1:], steps):
        assert state["node_id"] == step["node_id"]
        assert state["lines"] == [chain_rule_line("out", step, c) for c in step["contributions"]]
        for contribution in step["contributions"]:
            assert f"v{contribution['operand_id']}" in state["updates"]


def test_collapsed_pictures_are_refused(tmp_path: Path) -> None:
    root, _ = expression()
    with pytest.raises(ValueError, match="cannot draw collapsed neurons"):
        write_html(root, tmp_path / "s.html", collapse=True)





def test_states_for_a_fused_network() -> None:
    model = MLP(2, [2, 1], rng=0, fused=True, activation="leaky_relu")
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    states = stepper_states(loss)
    affine = [state for state in states[1:] if " = L2.n1.w1*L1.n1.out" in state["title"]]
    assert len(affine) == 1 and len(affine[0]["lines"]) == 5  # w1, w2, x1, x2, b
    info = walk(loss)
    for state in states[1:]:
        for key in state["updates"]:
            node = info.nodes[int(key[1:])]
            if not node.operands and info.kinds[int(key[1:])] == "parameter":
                last = [s for s in states if key in s["updates"]][-1]
                assert last["updates"][key] == format_number(node.grad)


@needs_dot
def test_the_page_walks_the_graph_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import micrograd_nn.walk

    root, _ = expression()
    root.backward()
    calls = []
    real = micrograd_nn.walk.topological_order
    monkeypatch.setattr(micrograd_nn.walk, "topological_order", lambda r: calls.append(r) or real(r))
    page = stepper_html(root, direction="TB", compact=True)
    assert calls == [root]
    assert "not-run" not in page
    assert "× 2" in page  # the plain number 2 is drawn inside its op node


@needs_dot
def test_the_page_says_when_backward_has_not_run() -> None:
    a = Value(3.0, "a")
    (a * 4.0).backward()  # a holds a gradient from another graph
    page = stepper_html(a * a)
    assert 'id="not-run"' in page and "backward() has not run on this graph yet" in page


@needs_dot
def test_the_stepper_changes_nothing() -> None:
    model = MLP(2, [2, 1], rng=0, activation="tanh")
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    before = full_snapshot(loss)
    stepper_states(loss)
    stepper_html(loss)
    assert full_snapshot(loss) == before
    loss.backward()
    before = full_snapshot(loss)
    stepper_states(loss)
    stepper_html(loss, compact=True, direction="TB")
    assert full_snapshot(loss) == before


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def grad_text(page: Any, node_id: int) -> str:
    """The "grad ..." line of value node v{node_id} in the page's SVG."""
    return page.evaluate(
        """id => Array.from(document.getElementById(id).querySelectorAll('text'))
                 .map(t => t.textContent).find(t => t.startsWith('grad'))""",
        f"v{node_id}",
    )


@needs_browser
def test_the_page_walks_the_backward_pass(browser: Any, tmp_path: Path) -> None:
    root, a = expression()
    root.backward()
    page_path = write_html(root, tmp_path / "stepper.html")
    steps = backward_steps(root)
    html = page_path.read_text()
    assert "<script src" not in html and "<link" not in html

    page = browser.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path.as_uri())

    root_id = steps[0]["node_id"]
    assert page.eval_on_selector_all("#graph .node.current", "els => els.map(e => e.id)") == [f"v{root_id}"]
    assert grad_text(page, root_id) == "grad 1.0000"
    operand_ids = {c["operand_id"] for step in steps for c in step["contributions"]}
    assert all(grad_text(page, i) == "grad ?" for i in operand_ids if i != root_id and grad_text(page, i))
    assert page.is_disabled("#prev")

    for step in steps:
        page.click("#next")
        current = page.eval_on_selector_all("#graph .node.current", "els => els.map(e => e.id).sort()")
        assert current == sorted([f"o{step['node_id']}", f"v{step['node_id']}"])
        assert page.inner_text("#position") == f"step {step['step']} of {len(steps)}"
        assert page.inner_text("#step-title").startswith(f"step {step['step']} of {len(steps)}: {step['node']} = ")
        shown_lines = page.eval_on_selector_all("#step-lines li", "els => els.map(e => e.textContent)")
        assert shown_lines == [chain_rule_line("out", step, c) for c in step["contributions"]]
        assert grad_text(page, step["node_id"]) == f"grad {format_number(step['upstream'])}"
        for contribution in step["contributions"]:
            if grad_text(page, contribution["operand_id"]) is not None:  # constants show no grad
                last = [c for c in step["contributions"] if c["operand_id"] == contribution["operand_id"]][-1]
                assert grad_text(page, contribution["operand_id"]) == f"grad {format_number(last['total_after'])}"
    assert page.is_disabled("#next")
    # the last step leaves every gradient equal to backward()'s
    assert grad_text(page, 0) == f"grad {format_number(a.grad)}"

    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#position") == f"step {len(steps) - 1} of {len(steps)}"
    page.keyboard.press("Home")
    assert page.inner_text("#position") == f"step 0 of {len(steps)}"
    assert grad_text(page, 0) == "grad ?"
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#position") == f"step 1 of {len(steps)}"

    page.evaluate("document.body.dataset.interval = '40'")  # play faster than the 900 ms default
    page.click("#play")
    page.wait_for_function(f"document.body.dataset.position === '{len(steps)}'", timeout=15_000)
    assert page.inner_text("#play") == "Play"

    assert problems == []
    assert requests == [page_path.as_uri()]
    page.close()
