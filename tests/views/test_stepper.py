"""The HTML stepper: its states (rules in numbers, layer mode, forward steps), the page's safety with any
label, the Jupyter display, and the page itself in a real headless Chromium (no console errors, no
network, zoom and pan, the current node in view at a readable size through a whole walk)."""

from __future__ import annotations

import html
import json
import math
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import full_snapshot, needs_dot

from micrograd_nn.analysis.replay import replay
from micrograd_nn.analysis.walk import walk
from micrograd_nn.engine import Value
from micrograd_nn.format import format_number
from micrograd_nn.nn import MLP
from micrograd_nn.views.explain import chain_rule_line, rule_lines
from micrograd_nn.views.stepper import Stepper, show, stepper_html, stepper_states, write_html

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

HOSTILE_LABELS = [
    'say "hi" and \'bye\'', "{braces}", "back\\slash", "two\nlines", "nul\x00byte", "<!--", "<!--<script>",
    "</script>", "x" * 20_000, "line\u2028para\u2029", "&amp; <b>bold</b> ]]>",
]


def expression() -> tuple[Value, Value]:
    """tanh(a*b + c) * 2 with a used twice: (root, a)."""
    a, b, c = Value(2.0, "a"), Value(-0.5, "b"), Value(0.25, "c")
    root = (a * b + c + a).tanh() * 2.0
    return root, a


def test_states_follow_the_step_records() -> None:
    root, _ = expression()
    steps = replay(walk(root))[0]
    states = stepper_states(root)
    assert len(states) == len(steps) + 1
    ids = [state.node_id for state in states[1:]]  # ids are positions in topological order
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert states[0].node_id == ids[0]  # the start state shows the root, which is step 1
    root_id = steps[0].node_id
    assert states[0].node_id == root_id and states[0].highlight == [f"v{root_id}"]
    assert states[0].updates == {f"v{root_id}": "1.0000"}
    for state, step in zip(states[1:], steps):
        assert state.node_id == step.node_id
        assert state.lines == [chain_rule_line("out", step, c) for c in step.contributions]
        for contribution in step.contributions:
            assert f"v{contribution.operand_id}" in state.updates


def test_collapsed_pictures_are_refused(tmp_path: Path) -> None:
    root, _ = expression()
    with pytest.raises(ValueError, match="cannot draw collapsed neurons"):
        write_html(root, tmp_path / "s.html", collapse=True)





def test_states_for_a_fused_network() -> None:
    model = MLP(2, [2, 1], rng=0, fused=True, activation="leaky_relu")
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    states = stepper_states(loss)
    affine = [state for state in states[1:] if " = L2.n1.w1*L1.n1.out" in state.title]
    assert len(affine) == 1 and len(affine[0].lines) == 5  # w1, w2, x1, x2, b
    info = walk(loss)
    for state in states[1:]:
        for key in state.updates:
            node = info.nodes[int(key[1:])]
            if not node.operands and info.kinds[int(key[1:])] == "parameter":
                last = [s for s in states if key in s.updates][-1]
                assert last.updates[key] == format_number(node.grad)


@needs_dot
def test_the_page_walks_the_graph_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import micrograd_nn.analysis.walk

    root, _ = expression()
    root.backward()
    calls = []
    real = micrograd_nn.analysis.walk.topological_order
    monkeypatch.setattr(micrograd_nn.analysis.walk, "topological_order", lambda r: calls.append(r) or real(r))
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
    stepper_html(loss, mode="layers", forward=True)
    Stepper(loss, mode="layers")._repr_html_()
    assert full_snapshot(loss) == before


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pytest.importorskip("playwright")
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
    steps = replay(walk(root))[0]
    html = page_path.read_text()
    assert "<script src" not in html and "<link" not in html

    page = browser.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path.as_uri())

    root_id = steps[0].node_id
    assert page.eval_on_selector_all("#graph .node.current", "els => els.map(e => e.id)") == [f"v{root_id}"]
    assert grad_text(page, root_id) == "grad 1.0000"
    operand_ids = {c.operand_id for step in steps for c in step.contributions}
    assert all(grad_text(page, i) == "grad ?" for i in operand_ids if i != root_id and grad_text(page, i))
    assert page.is_disabled("#prev")

    for step in steps:
        page.click("#next")
        current = page.eval_on_selector_all("#graph .node.current", "els => els.map(e => e.id).sort()")
        assert current == sorted([f"o{step.node_id}", f"v{step.node_id}"])
        assert page.inner_text("#position") == f"step {step.step} of {len(steps)}"
        assert page.inner_text("#step-title").startswith(f"step {step.step} of {len(steps)}: {step.node} = ")
        shown_lines = page.eval_on_selector_all("#step-lines li", "els => els.map(e => e.textContent)")
        assert shown_lines == [chain_rule_line("out", step, c) for c in step.contributions]
        assert grad_text(page, step.node_id) == f"grad {format_number(step.upstream)}"
        for contribution in step.contributions:
            if grad_text(page, contribution.operand_id) is not None:  # constants show no grad
                last = [c for c in step.contributions if c.operand_id == contribution.operand_id][-1]
                assert grad_text(page, contribution.operand_id) == f"grad {format_number(last.total_after)}"
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


# --- the rule of each step, from rules.OPS, as a formula and in numbers -----------------

def rules_of(root: Value) -> dict[str, list[str]]:
    """rule_lines for every operation node, by the node's name."""
    info = walk(root)
    return {info.names[i]: rule_lines(info, i) for i, node in enumerate(info.nodes) if node.operands}


def test_rule_lines_show_the_formula_and_the_numbers() -> None:
    x = Value(math.atanh(0.7071067811865476), "x")
    t = x.tanh()
    t.label = "t"
    v = 2 - t
    v.label = "v"
    w = v * 2
    w.label = "w"
    lines = rules_of(w)
    assert lines["t"] == ["t = tanh(x) = 0.7071", "dt/dx = d tanh(x)/dx = 1 − tanh²(x) = 0.5000"]
    assert lines["v"] == ["v = 2 − t = 1.2929", "dv/dt = d(2 − t)/dt = −1"]  # the number stays in its place
    assert lines["w"] == ["w = v × 2 = 2.5858", "dw/dv = d(v × 2)/dv = 2"]


def test_rule_lines_for_two_operands_powers_and_slopes() -> None:
    a, b = Value(3.0, "a"), Value(-0.5, "b")
    p = a * b
    p.label = "p"
    q = a**2
    q.label = "q"
    r = b.leaky_relu(0.1)
    r.label = "r"
    lines = rules_of(p + q + r)
    assert lines["p"][1:] == ["dp/da = d(a × b)/da = b = -0.5000", "dp/db = d(a × b)/db = a = 3.0000"]
    clash = Value(2.0, "b") * Value(-3.0, "a")  # the rule is written in the inputs' own names, never the op's letters
    assert rules_of(clash + 0)[walk(clash + 0).names[2]][1:] == [
        f"d{walk(clash + 0).names[2]}/db = d(b × a)/db = a = -3.0000",
        f"d{walk(clash + 0).names[2]}/da = d(b × a)/da = b = 2.0000",
    ]
    assert lines["q"][1] == "dq/da = d(a ** 2)/da = 2·a^(2−1) = 6.0000"
    assert lines["r"] == [
        "r = b if b > 0 else 0.1·b = -0.0500",
        "dr/db = d(b if b > 0 else 0.1·b)/db = 1 if b > 0 else 0.1 = 0.1000",
    ]


@pytest.mark.parametrize("x", [0.1, 0.4027, 0.88137, -1.3, 2.5])
def test_the_rule_line_shows_the_local_derivative_the_engine_stored(x: float) -> None:
    """The number after the rule's text is the node's stored local derivative, never the text evaluated again."""
    t = Value(x, "x").tanh()
    line = rule_lines(walk(t), 1)[1]
    (local,) = t.local_grads
    assert local == 1 - math.tanh(x) ** 2
    assert line == f"dout/dx = d tanh(x)/dx = 1 − tanh²(x) = {format_number(local)}"


def test_rule_lines_of_sums_and_fused_neurons() -> None:
    model = MLP(2, [1], rng=0, fused=True)
    out = model([0.5, -1.0])
    info = walk(out)
    lines = rule_lines(info, info.index[out])
    w1, w2 = model.layers[0].neurons[0].w
    assert lines[0] == f"{info.names[-1]} = L1.n1.w1·x1 + L1.n1.w2·x2 + L1.n1.b = {format_number(out.data)}"
    assert f"d{info.names[-1]}/dL1.n1.w1 = x1 = 0.5000" in lines
    assert f"d{info.names[-1]}/dx2 = L1.n1.w2 = {format_number(w2.data)}" in lines
    assert f"d{info.names[-1]}/dL1.n1.b = 1" in lines
    total = Value.sum([Value(1.0, "a"), 2.0, Value(3.0, "c")])
    assert rule_lines(walk(total), 2) == ["out = a + 2 + c = 6.0000", "dout/da = 1", "dout/dc = 1"]


def test_a_closure_op_says_its_derivatives_are_not_stored() -> None:
    x = Value(0.5, "x")
    out = Value(math.tanh(x.data), (x,), "tanh")

    def _backward() -> None:
        x.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    out.backward()
    (line,) = rule_lines(walk(out), 1)
    assert "derivatives not stored (closure op)" in line
    assert stepper_states(out)[1].rule == [line]


# --- layer mode and forward steps ------------------------------------------------------------

def one_pass_network() -> tuple[MLP, Value, Value]:
    """A 2-3-1 tanh network, its output and its squared error on one sample, after backward()."""
    model = MLP(2, [3, 1], activation="tanh", rng=0)
    out = model([0.5, -1.0])
    loss = (out - 1.0) ** 2
    loss.backward()
    return model, out, loss


def last_vector(line: str) -> list[float]:
    """The numbers of the last [...] in a line."""
    return [float(x) for x in re.findall(r"\[([^\[\]]*)\]$", line)[0].split(", ")]


def test_layer_mode_steps_each_layer_as_a_matrix_then_each_neuron() -> None:
    model, out, loss = one_pass_network()
    r = walk(loss).names[-1]
    states = stepper_states(loss, mode="layers")
    titles = [state.title for state in states]
    layer2 = titles.index("layer 2 (1 neuron, linear): δ(2) = d" + r + "/dz(2)")
    layer1 = titles.index("layer 1 (3 neurons, tanh): δ(1) = d" + r + "/dz(1)")
    assert layer2 < layer1
    assert [t.split(" (")[0] for t in titles[layer2 + 1 : layer2 + 2]] == ["layer 2 / neuron 1"]
    assert [t.split(" (")[0] for t in titles[layer1 + 1 : layer1 + 4]] == [f"layer 1 / neuron {j}" for j in (1, 2, 3)]
    assert titles[-1].startswith("the inputs")
    # δ(2) = 2 (out − 1) for the linear output; δ(1) = (W(2)ᵀ δ(2)) ⊙ (1 − a(1)²) by hand
    delta2 = 2 * (out.data - 1.0)
    hidden = model.layers[0].neurons
    w2 = [w.data for w in model.layers[1].neurons[0].w]
    a1 = [math.tanh(sum(w.data * x for w, x in zip(n.w, [0.5, -1.0])) + n.b.data) for n in hidden]
    delta1 = [w2[j] * delta2 * (1 - a1[j] ** 2) for j in range(3)]
    rule = states[layer1].rule
    assert rule[0] == "δ(1) = (W(2)ᵀ δ(2)) ⊙ f′(z(1))"
    assert rule[2] == f"δ(2) = [{format_number(delta2)}]"
    assert last_vector(rule[5]) == pytest.approx(delta1, abs=5e-5)  # printed with 4 decimals
    assert last_vector(rule[3]) == pytest.approx([w * delta2 for w in w2], abs=5e-5)
    # every parameter's printed gradient is backward()'s
    printed = {line.split(" = ")[0]: line.rsplit(" ", 1)[-1] for state in states for line in state.lines}
    for p in model.parameters():
        assert printed[f"d{r}/d{p.label}"] == format_number(p.grad)


def test_layer_mode_needs_one_pass_through_a_network() -> None:
    model = MLP(2, [2, 1], activation="tanh", rng=0)
    loss = (model([0.5, -1.0]) - 1.0) * (model([0.5, -1.0]) - 1.0)  # the network runs twice
    loss.backward()
    with pytest.raises(ValueError, match="ran several times"):
        stepper_states(loss, mode="layers")
    a = Value(2.0, "a")
    with pytest.raises(ValueError, match="needs a network built by micrograd_nn.nn"):
        stepper_states(a * a, mode="layers")
    with pytest.raises(ValueError, match="mode must be one of"):
        stepper_states(a * a, mode="neurons")


def test_forward_steps_reveal_every_value_once() -> None:
    _, _, loss = one_pass_network()
    info = walk(loss)
    inner = [f"v{i}" for i, node in enumerate(info.nodes) if node.operands]
    for mode in ("nodes", "layers"):
        states = stepper_states(loss, mode=mode, forward=True)
        forward = [state for state in states if state.phase == "forward"]
        revealed = [key for state in forward for key in state.reveal]
        assert sorted(revealed) == sorted(inner)
        assert all(not state.updates for state in forward)  # no gradient before the backward pass
        assert states[len(forward)].title.startswith("start:")
    node_states = stepper_states(loss, forward=True)
    assert [s.reveal for s in node_states if s.phase == "forward"][1:] == [[key] for key in inner]
    assert node_states[3].title == f"forward: {info.names[int(inner[2][1:])]} = " + format_number(
        info.nodes[int(inner[2][1:])].data
    )


def test_a_page_with_the_forward_pass_counts_its_steps_once() -> None:
    """Before: the header said "step 7 of 7" where the title said "step 3 of 3" (the backward steps counted again)."""
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    out = (a * b + c).tanh()
    out.label = "out"
    out.backward()
    states = stepper_states(out, forward=True)
    titles = [state.title for state in states]
    assert not [t for t in titles if re.search(r"\d+ of \d+", t)]  # the page's "step k of n" is the only count
    assert titles == [
        "forward pass: the leaves' values are known; every other value is computed from them",
        "forward: v2 = -6.0000", "forward: v4 = 4.0000", "forward: out = 0.9993",
        "start: dout/dout = 1 (the gradient of the output with respect to itself)",
        "backward: out = tanh(v4) = 0.9993;  upstream dout/dout = 1.0000",
        "backward: v4 = v2 + c = 4.0000;  upstream dout/dv4 = 0.0013",
        "backward: v2 = a * b = -6.0000;  upstream dout/dv2 = 0.0013",
    ]
    assert [s.title for s in stepper_states(out)][1].startswith("step 1 of 3: out = tanh(v4)")  # no forward: as before


def test_gradient_colours_follow_the_sign() -> None:
    _, _, loss = one_pass_network()
    for state in stepper_states(loss):
        for key, text in state.updates.items():
            fill = state.fills[key]
            value = float(text)
            if value > 0:
                assert fill.startswith("hsl(216,")
            elif value < 0:
                assert fill.startswith("hsl(0,")
            else:
                assert fill == "#ffffff"


# --- the page: safe with any label; inline in Jupyter ------------------------------------------------

def page_data(page: str) -> dict[str, Any]:
    """The JSON of the stepper-data element of a page."""
    start = page.index('<script type="application/json" id="stepper-data">') + len(
        '<script type="application/json" id="stepper-data">'
    )
    return json.loads(page[start : page.index("</script>", start)])


@needs_dot
@pytest.mark.parametrize("label", HOSTILE_LABELS, ids=lambda label: repr(label[:12]))
def test_any_label_gives_a_page_whose_data_stays_in_its_element(label: str) -> None:
    a, b = Value(2.0, label), Value(-3.0, label + "b")
    root = (a * b + a).tanh()
    root.backward()
    page = stepper_html(root)
    start = page.index('id="stepper-data">')
    embedded = page[start + len('id="stepper-data">') : page.index("</script>", start)]
    assert not set(embedded) & {"<", ">", "&", "\u2028", "\u2029"}  # nothing can end or confuse the element
    assert page_data(page)["states"] == [asdict(state) for state in stepper_states(root)]
    assert page.count("<script") == 3 and page.count("</script>") == 3


def test_stepper_displays_inline_in_a_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    from micrograd_nn.views.stepper import page

    monkeypatch.setattr(page, "stepper_html", lambda root, **options: '<p title="a&b">"page"</p>')
    shown = show(Value(1.0) * 2.0, height=500)
    frame = shown._repr_html_()
    assert frame.startswith("<iframe ") and 'height: 500px' in frame and 'sandbox="allow-scripts"' in frame
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame).group(1)  # type: ignore[union-attr]
    assert html.unescape(srcdoc) == shown.html == '<p title="a&b">"page"</p>'
    with pytest.raises(ValueError, match="height must be a whole number of pixels >= 200, got 50"):
        Stepper(Value(1.0), height=50)


@needs_dot
def test_the_demo_runs_the_network_once(tmp_path: Path) -> None:
    import runpy

    demo = Path(__file__).resolve().parents[2] / "demos" / "html_stepper.py"
    pages = runpy.run_path(str(demo))["main"](tmp_path)
    network = pages[1].read_text()
    for label in ("L1.n1.w1", "L1.n2.b", "L2.n1.w2"):
        assert network.count(f"{label} · parameter</text>") == 1  # each parameter drawn once
    assert "layer 2 / neuron 1" in pages[2].read_text()


# --- the page in a browser: zoom, pan, the current node in view ------------------------------------

WINDOW = {"width": 1280, "height": 800}

CURRENT_VIEW = """() => {
  const current = Array.from(document.querySelectorAll('#graph .node.current'));
  const area = document.getElementById('graph').getBoundingClientRect();
  let box = null, smallest = Infinity;
  current.forEach(group => {
    const r = group.getBoundingClientRect();
    box = box === null ? {left: r.left, top: r.top, right: r.right, bottom: r.bottom}
      : {left: Math.min(box.left, r.left), top: Math.min(box.top, r.top),
         right: Math.max(box.right, r.right), bottom: Math.max(box.bottom, r.bottom)};
    group.querySelectorAll('text').forEach(text => {
      if (text.textContent.trim()) { smallest = Math.min(smallest, text.getBoundingClientRect().height); }
    });
  });
  return {ids: current.map(g => g.id), box: box, smallest: smallest,
          area: {left: area.left, top: area.top, right: area.right, bottom: area.bottom}};
}"""


def open_page(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """A 1280x800 page showing path, and the list its console errors go to."""
    page = browser.new_page(viewport=WINDOW)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path.as_uri())
    return page, problems


def drawn_box(page: Any, node_id: str) -> dict[str, float]:
    """The on-screen box of one SVG node after svg-pan-zoom's next frame."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return page.evaluate("id => { const r = document.getElementById(id).getBoundingClientRect(); "
                         "return {x: r.left, y: r.top, width: r.width, height: r.height}; }", node_id)


@needs_browser
def test_zoom_buttons_wheel_and_drag_change_the_drawing(browser: Any, tmp_path: Path) -> None:
    root, _ = expression()
    root.backward()
    page, problems = open_page(browser, write_html(root, tmp_path / "stepper.html"))
    root_id = f"v{len(walk(root).nodes) - 1}"
    start = drawn_box(page, root_id)
    page.click("#zoom-in")
    assert drawn_box(page, root_id)["width"] == pytest.approx(start["width"] * 1.25, rel=1e-3)
    page.click("#zoom-out")
    page.click("#zoom-out")
    assert drawn_box(page, root_id)["width"] == pytest.approx(start["width"] / 1.25, rel=1e-3)
    page.click("#fit")  # the whole graph fills the picture area along one side
    whole = page.evaluate("() => { const g = document.querySelector('#graph svg g.graph').getBoundingClientRect();"
                          " const a = document.getElementById('graph').getBoundingClientRect();"
                          " return [g.left - a.left, g.top - a.top, a.right - g.right, a.bottom - g.bottom]; }")
    assert min(whole) >= -1.0 and min(whole[0] + whole[2], whole[1] + whole[3]) <= 40.0
    fitted = drawn_box(page, root_id)
    area = page.evaluate("() => { const a = document.getElementById('graph').getBoundingClientRect();"
                         " return [a.left + a.width / 2, a.top + a.height / 2]; }")
    page.mouse.move(*area)
    page.mouse.wheel(0, -400)  # the wheel zooms in
    assert drawn_box(page, root_id)["width"] > fitted["width"] * 1.1
    before = drawn_box(page, root_id)
    page.mouse.move(*area)
    page.mouse.down()
    page.mouse.move(area[0] + 120, area[1] + 60, steps=6)
    page.mouse.up()
    after = drawn_box(page, root_id)
    assert (after["x"] - before["x"], after["y"] - before["y"]) == pytest.approx((120, 60), abs=1.5)
    assert after["width"] == pytest.approx(before["width"], rel=1e-6)  # dragging pans, it does not zoom
    assert problems == []
    page.close()


@needs_browser
@pytest.mark.slow
@pytest.mark.parametrize("mode", ["nodes", "layers"])
def test_the_current_node_stays_in_view_and_readable_through_a_walk(browser: Any, tmp_path: Path, mode: str) -> None:
    """MLP(2, [4, 1]) and its squared error (as `micrograd-nn graph --target 1`), forward then backward."""
    model = MLP(2, [4, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    path = write_html(loss, tmp_path / "stepper.html", mode=mode, forward=True)
    page, problems = open_page(browser, path)
    total = len(stepper_states(loss, mode=mode, forward=True)) - 1
    for position in range(total + 1):
        assert page.get_attribute("body", "data-position") == str(position)
        view = page.evaluate(CURRENT_VIEW)
        if view["ids"]:  # the first forward state highlights nothing
            box, area = view["box"], view["area"]
            where = f"step {position}: {view}"
            assert box["left"] >= area["left"] and box["right"] <= area["right"], where
            assert box["top"] >= area["top"] and box["bottom"] <= area["bottom"], where
            assert area["right"] <= WINDOW["width"] and area["bottom"] <= WINDOW["height"], where
            assert view["smallest"] >= 10.0, where
        if position < total:
            page.click("#next")
    assert page.is_disabled("#next") and page.get_attribute("body", "data-phase") == "backward"
    assert problems == []
    page.close()


@needs_browser
def test_forward_steps_fill_in_the_values(browser: Any, tmp_path: Path) -> None:
    root, a = expression()
    root.backward()
    page, problems = open_page(browser, write_html(root, tmp_path / "stepper.html", forward=True))
    info = walk(root)
    inner = [i for i, node in enumerate(info.nodes) if node.operands]

    def data_text(i: int) -> str:
        return page.evaluate("id => Array.from(document.getElementById(id).querySelectorAll('text'))"
                             ".map(t => t.textContent).find(t => t.startsWith('data'))", f"v{i}")

    assert page.get_attribute("body", "data-phase") == "forward"
    assert all(data_text(i) == "data ?" for i in inner)
    assert data_text(info.index[a]) == f"data {format_number(a.data)}"  # leaves are known from the start
    for count, i in enumerate(inner, 1):
        page.click("#next")
        assert data_text(i) == f"data {format_number(info.nodes[i].data)}"
        assert all(data_text(j) == "data ?" for j in inner[count:])
        assert page.inner_text("#step-rule li").startswith(f"{info.names[i]} = ")
    page.click("#next")
    assert page.get_attribute("body", "data-phase") == "backward"
    assert grad_text(page, len(info.nodes) - 1) == "grad 1.0000"
    assert problems == []
    page.close()


@needs_browser
@pytest.mark.slow
def test_pages_with_hostile_labels_work(browser: Any, tmp_path: Path) -> None:
    for number, label in enumerate(HOSTILE_LABELS):
        a, b = Value(2.0, label), Value(-3.0, label + "b")
        root = (a * b + a).tanh()
        root.backward()
        page, problems = open_page(browser, write_html(root, tmp_path / f"stepper{number}.html"))
        steps = replay(walk(root))[0]
        for _ in steps:
            page.click("#next")
        assert page.inner_text("#position") == f"step {len(steps)} of {len(steps)}", repr(label[:12])
        assert grad_text(page, 0) == f"grad {format_number(a.grad)}", repr(label[:12])
        assert page.locator("#step-rule li").count() >= 2
        assert problems == [], repr(label[:12])
        page.close()


@needs_dot
def test_cli_writes_the_layer_mode_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from micrograd_nn.cli import main

    page = tmp_path / "stepper.html"
    common = ["--no-table", "--no-explain", "--html", str(page)]
    assert main(["graph", "--target", "1", *common, "--html-mode", "layers", "--html-forward"]) == 0
    states = page_data(page.read_text())["states"]
    assert states[0]["phase"] == "forward" and any(s["title"].startswith("layer 1 (4 neurons, relu)") for s in states)
    assert main(["explain", "a*b", "--set", "a=1", "b=2", *common, "--html-mode", "layers"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("micrograd-nn explain: mode='layers' needs a network") and "Traceback" not in error


def test_layer_mode_products_check_or_are_marked() -> None:
    """Every "a × b = c" the layer mode prints gives c from the printed a and b exactly when it says "="."""
    model = MLP(2, [4, 3, 1], rng=0)  # relu: some neurons are off, so some products are 0 (and -0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    product = re.compile(r"= \(?(-?[\d.]+)\)? × \(?(-?[\d.]+)\)? ([=≈]) (-?[\d.]+)$")
    seen = {"=": 0, "≈": 0}
    for state in stepper_states(loss, mode="layers"):
        for line in state.rule + state.lines:
            match = product.search(line)
            if match:
                a, b, sign, c = match.groups()
                exact = format_number(float(a) * float(b) + 0.0) == format_number(float(c) + 0.0)
                assert (sign == "=") == exact, line
                seen[sign] += 1
    assert seen["="] > 10 and seen["≈"] > 0


# --- layer mode draws the network view ----------------------------------------------------------

@needs_dot
def test_layer_mode_states_land_on_the_network_views_nodes() -> None:
    model = MLP(2, [3, 1], activation="tanh", rng=0)
    x = [Value(0.5, "x1"), Value(-1.0, "x2")]
    out = model(x)
    loss = (out - 1.0) ** 2
    loss.backward()
    page = stepper_html(loss, mode="layers", forward=True)
    data = page_data(page)
    svg_ids = set(re.findall(r'<g id="([^"]+)" class="node"', page))
    keys = ["L1.n1", "L1.n2", "L1.n3", "L2.n1"]
    error = f"loss.v{walk(loss).index[loss.operands[0]]}"  # out − 1: the loss's first operation
    assert svg_ids == set(keys) | {"input1", "input2", error, "loss"}  # one node per neuron and per loss op
    assert data["valueIds"] == [*keys, "input1", "input2", error, "loss"]
    assert data["hiddenData"] == [*keys, error, "loss"]  # z and a of every neuron, the loss's values: forward
    for state in data["states"]:
        assert state["highlight"] and set(state["highlight"]) <= svg_ids, state["title"]
        assert set(state["updates"]) <= svg_ids and set(state["reveal"]) <= svg_ids
    titles = [state["title"] for state in data["states"]]
    forward_layer1 = data["states"][titles.index("forward, layer 1 (3 neurons, tanh)")]
    assert forward_layer1["highlight"] == forward_layer1["reveal"] == keys[:3]
    assert data["states"][0]["highlight"] == ["input1", "input2"]  # the known values the forward pass starts from
    on_loss = [(state["title"].split()[0], state["highlight"]) for state in data["states"]
               if state["phase"] == "backward" and set(state["highlight"]) & {"loss", error}]
    name = walk(loss).name_of(loss.operands[0])  # the seed and the square on the loss, the − 1 on its own box
    assert on_loss == [("start:", ["loss"]), ("loss", ["loss"]), (name, [error])]
    # each neuron's text ends at dL/dz, by hand: δ(2) = 2 (out − 1), δ(1)_j = W(2)[j] δ(2) (1 − a_j²)
    last = {}
    for state in data["states"]:
        last.update(state["updates"])
    delta2 = 2 * (out.data - 1.0)
    assert last["L2.n1"] == format_number(delta2)
    w2 = [w.data for w in model.layers[1].neurons[0].w]
    for j, neuron in enumerate(model.layers[0].neurons):
        a = math.tanh(sum(w.data * v.data for w, v in zip(neuron.w, x)) + neuron.b.data)
        assert float(last[f"L1.n{j + 1}"]) == pytest.approx(w2[j] * delta2 * (1 - a * a), abs=5e-5)
    assert last["input1"] == format_number(x[0].grad) and last["input2"] == format_number(x[1].grad)
    assert last["loss"] == "1.0000" and last[error] == format_number(2 * (out.data - 1.0))
    with pytest.raises(ValueError, match="mode='layers' draws the network view.*got max_nodes"):
        stepper_html(loss, mode="layers", max_nodes=100)


LAYER_VIEW = """() => {
  // the current nodes: how many are wholly inside the picture area, and their smallest font in screen pixels
  const area = document.getElementById('graph').getBoundingClientRect();
  const current = Array.from(document.querySelectorAll('#graph .node.current'));
  let inView = 0, font = Infinity;
  current.forEach(group => {
    const r = group.getBoundingClientRect();
    if (r.left >= area.left && r.right <= area.right && r.top >= area.top && r.bottom <= area.bottom) { inView++; }
    group.querySelectorAll('text').forEach(text => {
      font = Math.min(font, parseFloat(text.getAttribute('font-size')) * text.getScreenCTM().a);
    });
  });
  return {ids: current.map(g => g.id), inView: inView, font: font,
          note: document.getElementById('view-note').textContent,
          fits: area.right <= innerWidth && area.bottom <= innerHeight};
}"""


def node_lines(page: Any, node_id: str) -> list[str]:
    """The text lines of one node of the page's SVG (Graphviz's no-break spaces as spaces)."""
    return page.evaluate("id => Array.from(document.getElementById(id).querySelectorAll('text'))"
                         ".map(t => t.textContent.replace(/\\u00a0/g, ' '))", node_id)


@needs_browser
@pytest.mark.slow
def test_layer_mode_of_a_16_16_1_network_is_readable(browser: Any, tmp_path: Path) -> None:
    """MLP(2, [16, 16, 1]) on one sample (the tour's page): columns in index order, every step in view at >= 10 px."""
    model = MLP(2, [16, 16, 1], rng=0)
    x = [Value(0.5, "x1"), Value(-1.0, "x2")]
    loss = (model(x) - 1.0) ** 2
    loss.backward()
    path = write_html(loss, tmp_path / "layers.html", mode="layers", forward=True)
    page, problems = open_page(browser, path)
    layers = [[f"L{k}.n{j}" for j in range(1, size + 1)] for k, size in enumerate([16, 16, 1], 1)]
    # one column per layer, neurons top to bottom in index order
    for layer in layers:
        boxes = [page.evaluate("id => { const b = document.getElementById(id).getBBox(); "
                               "return [b.x + b.width / 2, b.y]; }", key) for key in layer]
        assert all(cx == pytest.approx(boxes[0][0], abs=0.5) for cx, _ in boxes), layer[0]
        assert all(upper[1] < lower[1] for upper, lower in zip(boxes, boxes[1:])), layer[0]
    states = page_data(path.read_text())["states"]
    neurons = {f"L{k}.n{j}": n for k, layer in enumerate(model.layers, 1) for j, n in enumerate(layer.neurons, 1)}
    whole_layers = 0
    for position, state in enumerate(states):
        view = page.evaluate(LAYER_VIEW)
        where = f"step {position} ({state['title'][:40]}): {view}"
        assert sorted(view["ids"]) == sorted(state["highlight"]), where
        assert view["inView"] == len(view["ids"]) and view["note"] == "", where  # all of them, a 16-neuron layer too
        assert view["font"] >= 10.0 and view["fits"], where
        whole_layers += len(view["ids"]) == 16
        if state["title"] == "forward, layer 1 (16 neurons, relu)":  # layer 1's values are in, layer 2's not yet
            assert all(node_lines(page, key)[1] == "z = ?   a = ?" for key in layers[1])
            for key in layers[0]:
                shown = node_lines(page, key)[1].split()
                assert float(shown[5]) == pytest.approx(neurons[key](x).data, abs=5e-5)
        if state["title"].startswith("layer 2 (16 neurons"):  # δ(2) is in, δ(1) not yet
            assert all(node_lines(page, key)[2].endswith("/dz = ?") for key in layers[0])
            assert not any(node_lines(page, key)[2].endswith("= ?") for key in layers[1])
        if position in (0, 10):  # on load and after Fit: the whole network (36 nodes, 2 loss ops), text >= 10 px
            if position:
                page.click("#fit")
            whole = page.evaluate(LAYER_VIEW.replace(".node.current", ".node"))
            assert len(whole["ids"]) == whole["inView"] == 37 and whole["font"] >= 10.0, whole
        if position < len(states) - 1:
            page.click("#next")
    assert whole_layers == 4  # layers 1 and 2, forward and backward
    assert problems == []
    page.close()


def test_the_stepper_brackets_labels_that_are_not_plain_names() -> None:
    """The page's chain-rule lines write do/d(x1*w1 + x2*w2), as explain does (issue: do/dx1*w1 + x2*w2)."""
    from test_explain import _lecture_neuron

    states = stepper_states(_lecture_neuron())
    lines = [line for state in states for line in state.lines]
    assert ("do/d(x1*w1 + x2*w2) += do/dn * dn/d(x1*w1 + x2*w2) = 0.5000 * 1.0000 = 0.5000   "
            "(do/d(x1*w1 + x2*w2) is now 0.5000)") in lines
    rules = [line for state in states for line in state.rule]
    assert "dn/d(x1*w1 + x2*w2) = d((x1*w1 + x2*w2) + b)/d(x1*w1 + x2*w2) = 1" in rules
    assert not any("dx1*w1" in line for line in lines + rules)


def test_the_naive_order_marks_the_wrong_step_and_result() -> None:
    """order="naive": the step where b passes its gradient on a second time, and the wrong dc/da, are "wrong"."""
    from micrograd_nn.analysis.naive_walk import topological_order_example

    page = stepper_html(topological_order_example(), order="naive")
    states = page_data(page)["states"]
    assert [state["title"].split(":")[0] for state in states] == [
        "start", "naive step 1 of 3", "naive step 2 of 3", "naive step 3 of 3", "naive result",
    ]
    assert [bool(state.get("wrong")) for state in states] == [False, False, False, True, True]
    third = states[3]
    assert third["lines"][0].startswith("wrong: b already passed its gradient on at its first visit")
    assert third["lines"][1:] == [
        "dc/da += dc/db * db/da = 2.0000 * 1.0000 = 2.0000   (dc/da is now 6.0000)",
        "dc/da += dc/db * db/da = 2.0000 * 1.0000 = 2.0000   (dc/da is now 8.0000)",
    ]
    assert third["updates"] == {"v0": "8.0000"} and third["highlight"] == ["v1", "o1"]
    assert states[-1]["title"] == "naive result: dc/da = 8.0000, but backward() gives 4.0000"
    assert states[-1]["lines"][0] == "dc/da: naive walk 8.0000, backward() 4.0000   wrong"
    assert states[-1]["highlight"] == ["v0"]
    plain = stepper_html(topological_order_example())
    assert not any(state.get("wrong") for state in page_data(plain)["states"])
    assert 'data-legend="wrong"' in page and 'data-legend="wrong"' not in plain  # the legend lists what is drawn


def test_the_naive_order_is_checked() -> None:
    root, _ = expression()
    with pytest.raises(ValueError, match=r"order must be one of \('topological', 'naive'\), got 'random'"):
        stepper_html(root, order="random")
    with pytest.raises(ValueError, match="order='naive' walks node by node: use it with mode='nodes'"):
        stepper_html(root, order="naive", mode="layers")


@needs_browser
def test_the_naive_pages_wrong_step_is_red(browser: Any, tmp_path: Path) -> None:
    from micrograd_nn.analysis.naive_walk import topological_order_example

    path = write_html(topological_order_example(), tmp_path / "naive.html", order="naive")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(path.as_uri())
    red = "rgb(201, 42, 42)"

    def border() -> str:
        return page.evaluate("getComputedStyle(document.getElementById('step')).borderLeftColor")

    assert border() != red and page.locator("#step-lines li.wrong").count() == 0
    for _ in range(3):
        page.click("#next")
    assert page.locator("#position").inner_text() == "step 3 of 4"
    assert border() == red
    assert page.locator("#step-lines li.wrong").inner_text().startswith("wrong: b already passed")
    assert page.evaluate("getComputedStyle(document.querySelector('#v1 path, #v1 polygon')).stroke") == red
    assert grad_text(page, 0) == "grad 8.0000"
    page.click("#next")
    assert border() == red and page.locator("#step-lines li.wrong").count() == 1
    page.click("#prev")
    page.click("#prev")
    assert border() != red
    page.close()


@needs_dot
def test_the_layer_page_of_the_mnist_network_is_quick(tmp_path: Path) -> None:
    """MLP(784, [32, 16, 10]), one sample: each weight's input is read off its product (once), not searched for."""
    import time

    from micrograd_nn.training import losses

    model = MLP(784, [32, 16, 10], rng=0)
    loss = losses.sse(model.forward([0.001 * i for i in range(784)]), [1.0] + [0.0] * 9)
    loss.backward()
    started = time.process_time()  # this process's CPU time: other sessions on the machine do not count
    page = write_html(loss, tmp_path / "mnist.html", mode="layers")
    assert time.process_time() - started < 3.0
    data = page_data(page.read_text())
    titles = [state["title"] for state in data["states"]]
    assert [t for t in titles if t.startswith("layer") and "neurons," in t] == [
        "layer 3 (10 neurons, linear): δ(3) = dsse/dz(3)", "layer 2 (16 neurons, relu): δ(2) = dsse/dz(2)",
        "layer 1 (32 neurons, relu): δ(1) = dsse/dz(1)",
    ]
    assert len(titles) == 1 + 21 + 3 + 58 + 1  # start, the loss's 21 nodes, a step per layer, per neuron, inputs


# --- the camera: the whole graph when it fits at >= 10 px text, else the current node with its operands ------

CAMERA = """ids => {
  // every node of the picture: wholly inside the picture area?  its smallest font in screen pixels; and the
  // union box of the nodes `ids` (the current node and its operands), in screen pixels
  const area = document.getElementById('graph').getBoundingClientRect();
  const nodes = {};
  let box = null;
  document.querySelectorAll('#graph .node').forEach(group => {
    const r = group.getBoundingClientRect();
    let font = Infinity;
    group.querySelectorAll('text').forEach(text => {
      font = Math.min(font, parseFloat(text.getAttribute('font-size')) * text.getScreenCTM().a);
    });
    nodes[group.id] = {font: font, inside: r.left >= area.left - 0.5 && r.right <= area.right + 0.5 &&
                                           r.top >= area.top - 0.5 && r.bottom <= area.bottom + 0.5};
    if (ids.includes(group.id)) {
      box = box === null ? {left: r.left, top: r.top, right: r.right, bottom: r.bottom}
        : {left: Math.min(box.left, r.left), top: Math.min(box.top, r.top),
           right: Math.max(box.right, r.right), bottom: Math.max(box.bottom, r.bottom)};
    }
  });
  return {nodes: nodes, box: box, view: document.body.getAttribute('data-view'),
          area: {left: area.left, top: area.top, right: area.right, bottom: area.bottom}};
}"""


def camera(page: Any, ids: list[str] | None = None) -> dict[str, Any]:
    """What the page shows now (see CAMERA), after svg-pan-zoom's next frame."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return page.evaluate(CAMERA, ids or [])


def shows_whole(view: dict[str, Any]) -> bool:
    """Every node of the picture inside the picture area, all text at >= 10 px."""
    return all(n["inside"] and n["font"] >= 10.0 for n in view["nodes"].values())


def test_each_state_names_the_operands_the_camera_keeps_in_view() -> None:
    root, a = expression()
    root.backward()
    info = walk(root)
    states = stepper_states(root, forward=True)
    root_id = len(info.nodes) - 1
    start = next(s for s in states if s.phase == "backward")
    assert start.context == [f"o{root_id}", f"v{info.index[info.nodes[root_id].operands[0]]}"]
    for state in states:
        i = state.node_id
        if state.highlight == [f"v{i}", f"o{i}"]:  # an operation's step: its operands, each once
            operands = list(dict.fromkeys(f"v{info.index[x]}" for x in info.nodes[i].operands))
            assert state.context == operands, state.title
    model = MLP(2, [3, 1], rng=0)
    x = [Value(0.5, "x1"), Value(-1.0, "x2")]
    loss = (model(x) - 1.0) ** 2
    loss.backward()
    data = page_data(stepper_html(loss, mode="layers"))
    by_title = {state["title"].split(":")[0]: state for state in data["states"]}
    assert by_title["layer 2 (1 neuron, linear)"]["context"] == ["L1.n1", "L1.n2", "L1.n3"]  # what δ(2) reads
    assert by_title["layer 1 / neuron 2 (L1.n2)"]["context"] == ["input1", "input2"]


@needs_browser
def test_the_readme_explain_page_shows_its_whole_graph_on_load_and_at_every_step(browser: Any, tmp_path: Path) -> None:
    """`micrograd-nn explain "tanh(a*b + c) * 2" ... --html stepper.html`: 7 values, 4 ops, whole at >= 10 px."""
    from micrograd_nn.cli import main

    path = tmp_path / "stepper.html"
    assert main(["explain", "tanh(a*b + c) * 2", "--set", "a=2", "b=-3", "c=10", "--html", str(path),
                 "--no-table", "--no-explain"]) == 0
    page, problems = open_page(browser, path)
    total = len(page_data(path.read_text())["states"])
    for position in range(total):
        view = camera(page)
        assert len(view["nodes"]) == 11 and shows_whole(view) and view["view"] == "whole", (position, view)
        if position < total - 1:
            page.click("#next")
    assert problems == []
    page.close()


@needs_browser
@pytest.mark.slow
def test_a_graph_too_large_to_show_whole_centres_the_current_node_with_its_operands(
        browser: Any, tmp_path: Path) -> None:
    model = MLP(2, [4, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    path = write_html(loss, tmp_path / "stepper.html", forward=True)
    page, problems = open_page(browser, path)
    page.click("#fit")  # the whole graph at the largest size that shows it: its text is under 10 px
    assert min(n["font"] for n in camera(page)["nodes"].values()) < 10.0
    states = page_data(path.read_text())["states"]
    operands = 0
    for position, state in enumerate(states):
        if position:
            page.click("#next")
        ids = state["highlight"] + state["context"]
        if not state["highlight"]:
            continue  # the first forward state: nothing is current yet
        view = camera(page, ids)
        where = f"step {position} ({state['title'][:50]}): {view['view']}"
        box, area = view["box"], view["area"]
        current = state["highlight"]
        assert all(view["nodes"][i]["inside"] and view["nodes"][i]["font"] >= 10.0 for i in current), where
        if view["view"] == "operands":
            operands += 1
            assert all(view["nodes"][i]["inside"] and view["nodes"][i]["font"] >= 10.0 for i in ids), where
            assert (box["left"] + box["right"]) / 2 == pytest.approx((area["left"] + area["right"]) / 2, abs=1.5)
            assert (box["top"] + box["bottom"]) / 2 == pytest.approx((area["top"] + area["bottom"]) / 2, abs=1.5)
        else:  # the node and its operands are too far apart to show together at 10 px: text at 10 px exactly
            assert view["view"] == "current", where
            font = min(view["nodes"][i]["font"] for i in ids)
            assert font == pytest.approx(10.0, abs=0.01), where
            assert (box["right"] - box["left"] > area["right"] - area["left"] - 32
                    or box["bottom"] - box["top"] > area["bottom"] - area["top"] - 32), where
    assert operands > len(states) // 2
    assert problems == []
    page.close()


@needs_browser
@pytest.mark.slow
def test_layer_mode_keeps_the_whole_16_16_1_network_in_view_at_every_step(browser: Any, tmp_path: Path) -> None:
    model = MLP(2, [16, 16, 1], rng=0)
    loss = (model([Value(0.5, "x1"), Value(-1.0, "x2")]) - 1.0) ** 2
    loss.backward()
    path = write_html(loss, tmp_path / "layers.html", mode="layers", forward=True)
    page, problems = open_page(browser, path)
    total = len(page_data(path.read_text())["states"])
    for position in range(total):
        view = camera(page)
        assert len(view["nodes"]) == 37 and shows_whole(view), (position, view["view"])  # the loss: 2 boxes
        if position < total - 1:
            page.click("#next")
    assert problems == []
    page.close()


NOTEBOOK_CELL = """<!DOCTYPE html><html><body style="margin: 0">
<div style="width: 830px; padding: 8px">{shown}</div>
<div id="later" style="width: 830px; padding: 8px; display: none">{hidden}</div>
</body></html>"""


@needs_browser
def test_the_inline_stepper_frames_at_the_cells_width(browser: Any, tmp_path: Path) -> None:
    """show(L) in a notebook cell 830 px wide (JupyterLab's at 1280 px), also when the cell is shown only later."""
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    root = (a * b + c).tanh() * 2
    root.backward()
    cell = Stepper(root)._repr_html_()
    host = tmp_path / "notebook.html"
    host.write_text(NOTEBOOK_CELL.format(shown=cell, hidden=cell))
    page, problems = open_page(browser, host)
    frames = page.query_selector_all("iframe.micrograd-nn-stepper")
    assert frames[0].bounding_box()["width"] == 832  # the cell's 830 px and the frame's 1 px borders
    inside = frames[0].content_frame()  # a sandboxed frame (scripts only): read from inside it
    inside.wait_for_function("() => document.body.hasAttribute('data-view')")
    view = camera(inside)
    assert len(view["nodes"]) == 11 and shows_whole(view), view
    page.evaluate("() => { document.getElementById('later').style.display = 'block'; }")
    later = frames[1].content_frame()
    later.wait_for_function("() => document.body.hasAttribute('data-view')")
    assert shows_whole(camera(later))
    later.click("#next")
    assert shows_whole(camera(later))
    assert problems == []
    page.close()


# --- legends: one rule for inputs, stated; only what is drawn -----------------------------------------------

def legend_items(page: str) -> list[str]:
    """The words of each line of a page's legend."""
    block = page.split('<div id="legend">', 1)[1].split("</ul></div>", 1)[0]
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", block)]


@needs_dot
def test_the_node_legend_lists_only_the_styles_the_page_draws() -> None:
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    root = (a * b + c).tanh() * 2
    root.backward()
    assert legend_items(stepper_html(root)) == [  # every leaf labelled by you, gradients of both signs
        "a leaf you labelled (bold border)", "computed value: name, data, grad",
        "operation (oval), numbers inside in place: × 2, 2 − ·", "positive gradient (blue; stronger = larger)",
        "negative gradient (red)", "white: a zero gradient, or one not reached yet (grad ?)", "the current step",
    ]
    model = MLP(2, [1], rng=0)
    out = model([0.5, -1.0]) * Value(2.0)
    out.backward()
    items = legend_items(stepper_html(out))
    assert items[:4] == [
        "parameter (double border): a leaf labelled L1.n2.w1 or L1.n2.b as MLP labels them, or passed as parameters=",
        "input (dashed): a leaf labelled x1, x2, … as MLP labels the numbers you give it, or passed as inputs=",
        "an unlabelled leaf (dotted)", "computed value: name, data, grad",
    ]
    assert "operation (oval)" in items  # no plain number inside any op: not mentioned
    x = Value(1.0, "x1")
    assert "input (dashed)" in legend_items(stepper_html(x * x))[0]  # the label makes the input ...
    assert "input (dashed)" not in " ".join(legend_items(stepper_html(Value(1.0, "u") * Value(1.0, "x"))))  # ... only


@needs_dot
def test_the_layer_legend_draws_the_inputs_by_the_same_rule() -> None:
    model = MLP(2, [3, 1], rng=0)
    loss = (model([Value(0.5, "a"), 1.0]) - 1.0) ** 2  # a: a leaf you labelled; 1.0 becomes the input x2
    loss.backward()
    page = stepper_html(loss, mode="layers")
    items = legend_items(page)
    assert items[1:3] == [
        "input (dashed): a leaf labelled x1, x2, … as MLP labels the numbers you give it, or passed as inputs=",
        "input: a leaf you labelled (bold border)",
    ]
    assert re.search(r'<g id="input1" class="node">.*?stroke-width="2"', page, re.S)  # a: bold, as in draw_dot
    assert re.search(r'<g id="input2" class="node">.*?stroke-dasharray="5,2"', page, re.S)  # x2: dashed
    from micrograd_nn.views.network_layout import network_layout

    info = walk(loss)
    grads = [info.nodes[z].grad for z in network_layout(info).zs.values()]
    signs = [s for s, seen in (("positive", any(g > 0 for g in grads)), ("negative", any(g < 0 for g in grads)))
             if seen]
    assert [item.split()[0] for item in items if "dloss/dz (" in item] == signs
    relu_only = MLP(2, [2, 1], rng=0)
    flat = relu_only([0.5, -1.0]) * 0.0  # every dloss/dz is 0: no colour is drawn, so none is listed
    flat.backward()
    items = legend_items(stepper_html(flat, mode="layers"))
    assert not any("dloss/dz (" in item for item in items) and "white: a zero dloss/dz, or not reached yet (?)" in items
    assert "the loss's own operations, one box each in the last column: name = formula, value, dloss/dname" in items


# --- layer mode: the loss's own operations in a column, each step highlighting what it explains -------------

@needs_dot
def test_every_layer_step_highlights_the_node_it_explains_the_losses_ops_in_their_own_boxes() -> None:
    """The tour's page: one sample's hinge loss; hinge_sum, hinge1, margin1, label_x_score1 each get a box."""
    from micrograd_nn.training import losses

    model = MLP(2, [4, 4, 1], rng=0)
    score = model([0.5, -1.0])
    loss = losses.hinge([score], [-1]) + 1e-4 * sum((p * p for p in model.parameters()), Value(0.0))
    loss.backward()
    info = walk(loss)
    page = stepper_html(loss, mode="layers", forward=True)
    data = page_data(page)
    svg_ids = set(re.findall(r'<g id="([^"]+)" class="node"', page))
    named = {info.names[i]: f"loss.v{i}" for i in range(len(info.nodes))}
    for name in ("label_x_score1", "margin1", "hinge1", "hinge_sum"):
        assert named[name] in svg_ids, name
    lines = re.findall(rf'<g id="{re.escape(named["label_x_score1"])}" class="node">.*?</g>', page, re.S)[0]
    assert "label_x_score1 = -1 × L3.n1.out" in html.unescape(lines)  # label × score, the label in its place
    for state in data["states"]:
        if state["phase"] != "backward" or state["title"].startswith(("start", "layer", "the inputs")):
            continue
        i = state["node_id"]
        if info.groups[i] is None and info.names[i] in named and named[info.names[i]] in svg_ids:
            assert state["highlight"] == [named[info.names[i]]], state["title"]  # its own box, nothing else
    explained = [state["highlight"] for state in data["states"] if state["phase"] == "backward"
                 and info.names[state["node_id"]] in ("label_x_score1", "margin1", "hinge1", "hinge_sum")]
    assert len(explained) == 4 and len({tuple(h) for h in explained}) == 4  # four steps, four different boxes
    last: dict[str, str] = {}
    for state in data["states"]:
        last.update(state["updates"])
    margin = 1 + score.data  # 1 − y·score with y = −1
    assert last[named["margin1"]] == format_number(1.0 if margin > 0 else 0.0)  # dloss/dmargin1 = relu′
    # every state highlights boxes of the picture; a penalty's p * p steps highlight the box that adds them in
    assert all(state["highlight"] and set(state["highlight"]) <= svg_ids for state in data["states"])
