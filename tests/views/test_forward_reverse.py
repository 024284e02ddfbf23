"""The forward-vs-reverse page: both modes on one graph, step by step, their costs, and the page in a browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from micrograd_nn.analysis.walk import walk
from micrograd_nn.engine import Value
from micrograd_nn.format import format_number
from micrograd_nn.forward_mode import jvp
from micrograd_nn.views.forward_reverse import costs, forward_reverse_states
from micrograd_nn.views.stepper import stepper_html, write_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or shutil.which("dot") is None,
    reason="needs Debian's chromium and Graphviz's dot (sudo apt-get install -y chromium graphviz)",
)


def expression() -> tuple[Value, list[Value]]:
    """y = tanh(a*b + c) * a: three leaves, a used twice; (y, [a, b, c])."""
    a, b, c = Value(2.0, "a"), Value(-0.5, "b"), Value(0.25, "c")
    y = (a * b + c).tanh() * a
    y.label = "y"
    return y, [a, b, c]


def test_costs_count_passes_and_multiply_adds_per_edge() -> None:
    y, _ = expression()
    total = costs(walk(y))
    # edges: a*b (2), + c (2), tanh (1), * a (2) = 7; three leaves, one output
    assert (total.inputs, total.outputs, total.edges) == (3, 1, 7)
    assert (total.forward_passes, total.forward_multiply_adds) == (3, 21)
    assert (total.reverse_passes, total.reverse_multiply_adds) == (1, 7)
    assert total.verdict() == (
        "Forward mode costs one pass per input (n = 3) and reverse mode one per output (m = 1), each pass about one "
        "multiply-add per edge: forward wins when n < m (few inputs, many outputs), reverse when m < n (a loss of "
        "many parameters), so here reverse mode wins.")
    assert costs(walk(Value(1.0, "x") * 2.0)).verdict().endswith("so here they tie.")


def test_each_forward_pass_ends_with_one_gradient_and_the_reverse_pass_gives_them_all() -> None:
    y, leaves = expression()
    y.backward()
    states = forward_reverse_states(walk(y))
    info = walk(y)
    root = len(info.nodes) - 1
    ends = [s.updates[f"fv{root}"] for s in states if f"fv{root}" in s.updates and s.highlight[:1] == [f"fv{root}"]]
    assert ends == [format_number(x.grad) for x in leaves]  # pass i ends with dy/dx_i at the output
    for i, x in enumerate(leaves):
        unit = [1.0 if k == i else 0.0 for k in range(3)]
        assert jvp(y, leaves, unit)[1] == pytest.approx(x.grad, rel=1e-12)
    reverse = {}
    for state in states:
        reverse.update({k: v for k, v in state.updates.items() if k.startswith("rv")})
    assert [reverse[f"rv{info.index[x]}"] for x in leaves] == [format_number(x.grad) for x in leaves]
    last = states[-1]
    row = ", ".join(f"dy/d{x.label} = {format_number(x.grad)}" for x in leaves)
    assert last.rule == [f"forward mode, one number per pass: {row}"]
    assert last.lines[0] == f"reverse mode, all in one pass: {row}"
    assert last.title.startswith("the whole Jacobian (3 inputs, 1 output): forward mode 3 passes and 21 "
                                 "multiply-adds, reverse mode 1 pass and 7 multiply-adds")


def test_states_step_both_modes_in_lock_step_and_count_as_they_go() -> None:
    y, _ = expression()
    info = walk(y)
    states = forward_reverse_states(info)
    inner = [i for i, operands in enumerate(info.operands) if operands]
    assert len(states) == 1 + 3 * (1 + len(inner)) + 1  # start, 3 forward passes (seed + each op), summary
    first = states[2]  # forward: a*b in pass 1; reverse: y's own step
    assert first.rule[1] == "dv2/da = ∂v2/∂a · da/da + ∂v2/∂b · db/da = (-0.5000) × 1.0000 + 2.0000 × 0.0000 = -0.5000"
    assert first.rule[2] == "2 multiply-adds; 2 of 21 for the whole Jacobian"
    assert first.lines[-1] == "2 multiply-adds; 2 of 7 for the whole Jacobian"
    assert sorted(first.highlight) == sorted(["fv2", "fo2", f"rv{len(info.nodes) - 1}", f"ro{len(info.nodes) - 1}"])
    assert set(first.context) == {"fv0", "fv1", "rv0", f"rv{len(info.nodes) - 2}"}
    done = states[len(inner) + 2]  # reverse mode has finished its one pass
    assert done.lines == ["Reverse mode: done: the whole Jacobian after 1 pass, 7 multiply-adds"]
    assert all(not x.startswith("r") for x in done.highlight)
    second = states[len(inner) + 2]  # the seed of forward pass 2 clears pass 1's tangents
    assert second.updates["fv1"] == "1.0000" and second.updates["fv0"] == "0.0000"
    assert all(second.updates[f"fv{i}"] == "?" for i in inner)
    counts = [s.rule[-1] for s in states[1:-1] if s.rule and s.rule[-1].endswith("for the whole Jacobian")]
    assert counts[-1] == "2 multiply-adds; 21 of 21 for the whole Jacobian"


def test_the_states_change_nothing_in_the_graph() -> None:
    y, leaves = expression()
    forward_reverse_states(walk(y))
    assert [x.grad for x in leaves] == [0.0, 0.0, 0.0] and y.grad == 0.0


@needs_dot
def test_write_html_hands_the_mode_to_the_page(tmp_path: Path) -> None:
    y, _ = expression()
    path = write_html(y, tmp_path / "fr.html", mode="forward-vs-reverse")
    page = path.read_text()
    assert page == stepper_html(y, mode="forward-vs-reverse")
    assert 'data-mode="forward-vs-reverse"' in page and "<script src" not in page and "<link" not in page
    with pytest.raises(ValueError, match="mode='forward-vs-reverse' takes the options title, direction and "
                                         "max_nodes, got forward"):
        stepper_html(y, mode="forward-vs-reverse", forward=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def _line(page: Any, node: str) -> str:
    """The last text line of a picture node's box (its tangent or grad)."""
    return page.evaluate("id => Array.from(document.getElementById(id).querySelectorAll('text')).pop().textContent",
                         node)


@needs_browser
def test_the_page_steps_both_modes_side_by_side(browser: Any, tmp_path: Path) -> None:
    y, leaves = expression()
    y.backward()
    info = walk(y)
    root = len(info.nodes) - 1
    states = forward_reverse_states(info)
    path = write_html(y, tmp_path / "fr.html", mode="forward-vs-reverse")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    assert page.evaluate("document.body.dataset.view") == "whole"  # this graph fits twice at readable size
    left = page.evaluate("document.getElementById('ftitle').getBoundingClientRect().left")
    right = page.evaluate("document.getElementById('rtitle').getBoundingClientRect().left")
    assert left < right  # forward mode on the left, reverse mode on the right
    assert _line(page, "fv0") == "tangent = ?" and _line(page, f"rv{root}") == "grad = ?"
    page.click("#next")
    assert _line(page, "fv0") == "tangent = 1.0000" and _line(page, f"rv{root}") == "grad = 1.0000"
    page.click("#next")
    current = page.eval_on_selector_all("#graph .node.current", "els => els.map(e => e.id).sort()")
    assert current == sorted(states[2].highlight)
    for _ in range(len(states)):
        page.keyboard.press("ArrowRight")
    assert page.inner_text("#position") == f"step {len(states) - 1} of {len(states) - 1}"
    assert [_line(page, f"rv{info.index[x]}") for x in leaves] == [f"grad = {format_number(x.grad)}" for x in leaves]
    assert _line(page, f"fv{root}") == f"tangent = {format_number(leaves[-1].grad)}"  # the last pass: dy/dc
    assert page.inner_text("#step-title").startswith("the whole Jacobian (3 inputs, 1 output)")
    assert "so here reverse mode wins" in page.inner_text("#verdict")
    assert page.inner_text("#costs") .split() == ["passes", "multiply-adds", "forward", "mode", "3", "21", "reverse",
                                                  "mode", "1", "7"]
    legend = page.eval_on_selector_all("#legend li", "els => els.map(e => e.dataset.legend)")
    assert legend == ["variable", "inner", "op", "positive", "negative", "inner", "current"]
    smallest = page.evaluate("""() => Math.min(...Array.from(document.querySelectorAll('#graph text'))
        .map(t => t.getBoundingClientRect().height).filter(h => h > 0))""")
    assert smallest >= 10
    assert problems == [] and all(url.startswith("file:") for url in requests)


def test_explain_forward_vs_reverse_prints_the_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    from micrograd_nn.cli import main

    assert main(["explain", "tanh(a*b + c) * a", "--set", "a=2", "b=-0.5", "c=0.25", "--forward-vs-reverse"]) == 0
    y, leaves = expression()
    y.backward()
    row = ", ".join(f"dout/d{x.label} = {format_number(x.grad)}" for x in leaves)
    assert capsys.readouterr().out.splitlines() == [
        f"forward mode: 3 passes (one per input), 21 multiply-adds: {row}",
        f"reverse mode: 1 pass (one per output), 7 multiply-adds: {row}",
        costs(walk(y)).verdict(),
    ]


@needs_dot
def test_explain_forward_vs_reverse_writes_the_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from micrograd_nn.cli import main

    target = tmp_path / "fr.html"
    assert main(["explain", "a*b + a", "--set", "a=2", "b=3", "--forward-vs-reverse", "--html", str(target)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == f"wrote {target}" and out[0].startswith("forward mode: 2 passes (one per input)")
    page = target.read_text()
    assert 'data-mode="forward-vs-reverse"' in page and 'id="ftitle"' in page and 'id="rtitle"' in page


def test_explain_forward_vs_reverse_refuses_the_stepper_options(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path) -> None:
    from micrograd_nn.cli import main

    argv = ["explain", "a*b", "--set", "a=2", "b=3", "--forward-vs-reverse", "--html", str(tmp_path / "p.html"),
            "--html-forward"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--forward-vs-reverse steps both modes on a page of its own: leave out --html-mode and --html-forward" in err
    assert "Traceback" not in err


def test_the_first_state_says_where_each_mode_starts() -> None:
    y, _ = expression()
    start = forward_reverse_states(walk(y))[0]
    assert start.title == "y = -1.2703 is computed; forward mode starts at the 3 leaves, reverse mode at the output"
    assert start.rule == ["Forward mode: one pass per leaf (a, b, c), seeded 1 at that leaf and 0 at the others"]
    assert start.lines == ["Reverse mode: one pass from the output, seeded dy/dy = 1"]


def test_one_input_is_one_pass_in_the_words() -> None:
    """Counts are written with their noun in the singular for 1: "1 pass", "1 input"."""
    from micrograd_nn.views.forward_reverse import comparison

    a = Value(2.0, "a")
    text = comparison(a * 3.0)
    assert text.splitlines()[0] == "forward mode: 1 pass (one per input), 1 multiply-add: dout/da = 3.0000"
    assert text.splitlines()[1] == "reverse mode: 1 pass (one per output), 1 multiply-add: dout/da = 3.0000"
    last = forward_reverse_states(walk(a * 3.0))[-1]
    assert last.title.startswith("the whole Jacobian (1 input, 1 output): forward mode 1 pass and ")


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_a_larger_graph_is_drawn_when_max_nodes_allows_it(tmp_path: Path) -> None:
    """The size guard counts one copy's nodes and says which max_nodes draws it; that value then draws it."""
    from micrograd_nn.nn import MLP
    from micrograd_nn.views.scalar_picture import PictureTooLargeError

    model = MLP(2, [4, 4, 1], rng=0)
    loss = (model([0.1, -0.2]) - 1.0) ** 2
    info = walk(loss)
    drawn = len(info.nodes) + sum(1 for operands in info.operands if operands)
    with pytest.raises(PictureTooLargeError, match=f"would draw {drawn} nodes in each of its two copies, more than "
                                                   f"max_nodes=150; pass max_nodes={drawn} to draw it anyway"):
        write_html(loss, tmp_path / "big.html", mode="forward-vs-reverse")
    page = write_html(loss, tmp_path / "big.html", mode="forward-vs-reverse", max_nodes=drawn)
    assert page.read_text(encoding="utf-8").count('class="node"') >= 2 * drawn
    with pytest.raises(ValueError, match="takes the options title, direction and max_nodes, got collapse"):
        write_html(loss, tmp_path / "big.html", mode="forward-vs-reverse", collapse=True)


@needs_dot
def test_explain_forward_vs_reverse_honours_max_nodes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Too large for the page's own limit: exit 2 with the --max-nodes that draws it; with that, the page."""
    from micrograd_nn.cli import main

    expression_text = " + ".join(f"tanh(a*{i} + b)" for i in range(1, 40))
    target = tmp_path / "fr.html"
    command = ["explain", expression_text, "--set", "a=0.1", "b=0.2", "--forward-vs-reverse", "--html", str(target)]
    assert main(command) == 2
    error = capsys.readouterr().err
    assert "would draw 312 nodes in each of its two copies, more than --max-nodes 150; pass --max-nodes 312" in error
    assert "Traceback" not in error and not target.exists()
    assert main([*command, "--max-nodes", "312"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote {target}"
