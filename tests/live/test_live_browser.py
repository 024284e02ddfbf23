"""The live training page in Chromium: a recorded run (play, step, rewind, weights, samples), a live run that
trains while the page watches, and no console errors."""

from __future__ import annotations

import json
import math
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from micrograd_nn.format import format_number
from micrograd_nn.live import Recorder, write_recording
from micrograd_nn.live.server import LiveServer
from micrograd_nn.nn import MLP
from micrograd_nn.training import losses
from micrograd_nn.training.train import fit

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (sudo apt-get install -y chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(url)
    return page, problems


def drawn(page: Any) -> None:
    """Wait two animation frames: the page redraws in the frame after a change, so it is on screen after this."""
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Any]:
    """A 30-step moons run (the tour's recipe), its recorded page, its timeline and fit's history."""
    from micrograd_nn.tutorials.moons import moons_data

    X, y = moons_data()
    model = MLP(2, [16, 16, 1], rng=1337, fused=True)
    recorder = Recorder(model, X, y, loss="hinge", l2=1e-4)
    history = fit(model, X, y, loss="hinge", l2=1e-4, lr=1.0, epochs=30, quiet=True,
                  lr_schedule=lambda k: 1.0 - 0.9 * k / 30, on_step=recorder.on_step)
    recorder.finish()
    path = write_recording(recorder, tmp_path_factory.mktemp("live") / "moons.html")
    return path, recorder.timeline(), history


def test_the_recorded_page_plays_steps_and_rewinds(browser: Any, recorded: tuple[Path, dict[str, Any], Any]) -> None:
    path, timeline, history = recorded
    page, problems = open_page(browser, path.as_uri())
    steps = timeline["steps"]
    assert page.inner_text("#step-number") == "0" and page.inner_text("#play") == "Play"
    assert float(page.get_attribute("#loss-value", "data-value")) == steps[0]["loss"]
    assert page.inner_text("#loss-value") == format_number(steps[0]["loss"])  # the views' one number format
    page.click("#step-forward")
    page.wait_for_function("document.querySelector('#step-number').textContent === '1'", timeout=5000)
    page.click("#play")  # plays on from step 1
    page.wait_for_function("Number(document.querySelector('#step-number').textContent) >= 4", timeout=5000)
    page.click("#play")  # pause
    page.wait_for_function("document.querySelector('#play').textContent === 'Play'", timeout=5000)
    drawn(page)  # a step the
    paused = page.inner_text("#step-number")  # last tick took before the pause is drawn in the next frame
    page.wait_for_timeout(400)
    assert page.inner_text("#step-number") == paused
    page.fill("#timeline", "12")  # back to step 12: its loss and its weights
    page.wait_for_function("document.querySelector('#step-number').textContent === '12'", timeout=5000)
    shown = float(page.get_attribute("#loss-value", "data-value"))
    assert shown == steps[12]["loss"] and math.isclose(shown, history.loss[12], rel_tol=1e-12)
    for name in ("L1.n1.w1", "L2.n3.w2", "L3.n1.b"):
        cell = page.locator(f'[data-weight="{name}"]')
        assert float(cell.get_attribute("data-value")) == steps[12]["weights"][name]
        assert float(cell.get_attribute("data-grad")) == steps[12]["grads"][name]
    assert page.locator("[data-weight]").count() == len(timeline["parameters"]) == 337
    assert page.locator("#weight-chart").is_hidden()
    page.click('[data-weight="L2.n3.w2"]')
    assert page.locator("#weight-chart").is_visible()
    assert "L2.n3.w2" in page.inner_text("#weight-chart") and page.locator("#weight-chart canvas").count() >= 1
    assert page.locator("#boundary").is_visible() and page.locator("#loss-chart canvas").count() >= 1
    page.fill("#timeline", "0")  # the same starting weights on every rewind
    page.wait_for_function("document.querySelector('#step-number').textContent === '0'", timeout=5000)
    assert float(page.get_attribute('[data-weight="L2.n3.w2"]', "data-value")) == steps[0]["weights"]["L2.n3.w2"]
    assert problems == []
    page.close()


def test_a_finished_run_says_play_and_play_at_the_last_step_replays_from_step_0(
        browser: Any, recorded: tuple[Path, dict[str, Any], Any]) -> None:
    """Before: the served page of a run that had ended said "Pause" on load, and Play at the last step did nothing."""
    _, timeline, _ = recorded
    recorder = Recorder(MLP(2, [16, 16, 1], rng=0, fused=True), timeline["data"]["X"], timeline["data"]["y"],
                        loss="hinge", l2=1e-4)
    recorder.steps = list(timeline["steps"])
    recorder.finish()
    with LiveServer(recorder) as server:
        page, problems = open_page(browser, server.url)
        page.wait_for_function("document.querySelector('#step-number').textContent === '29'", timeout=5000)
        assert page.inner_text("#play") == "Play" and page.get_attribute("#play", "aria-pressed") == "false"
        assert page.inner_text("#status") == "training finished"
        page.wait_for_timeout(300)
        assert page.inner_text("#step-number") == "29" and page.inner_text("#play") == "Play"
        page.click("#play")  # at the last step of a finished run: plays again from step 0
        page.wait_for_function("Number(document.querySelector('#step-number').textContent) < 29", timeout=5000)
        assert page.inner_text("#play") == "Pause"
        assert not page.is_checked("#follow")
        page.wait_for_function("document.querySelector('#step-number').textContent === '29'", timeout=10000)
        page.wait_for_function("document.querySelector('#play').textContent === 'Play'", timeout=5000)
        page.check("#follow")  # following a run that has ended: its last step, not playing
        page.wait_for_timeout(200)
        assert page.inner_text("#step-number") == "29" and page.inner_text("#play") == "Play"
        assert problems == []
        page.close()


def test_the_arrow_keys_step_a_recorded_page_at_once_without_a_click(
        browser: Any, recorded: tuple[Path, dict[str, Any], Any]) -> None:
    """Before: right after load, ArrowRight did nothing until the learner clicked the page (the app had no focus)."""
    path, _, _ = recorded
    page, problems = open_page(browser, path.as_uri())
    page.wait_for_function("document.querySelector('#play').textContent === 'Play'", timeout=5000)
    assert page.inner_text("#step-number") == "0"
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#step-number').textContent === '1'", timeout=3000)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.querySelector('#step-number').textContent === '0'", timeout=3000)
    assert problems == []
    page.close()


def test_every_number_fits_inside_its_box(browser: Any, tmp_path: Path) -> None:
    """Before: "x1 = -0.05348" touched its box's right edge; the longest numbers fmt writes now fit every box."""
    X = [[-0.05348, 1.5e-7], [-123456.789, -9.87e-300], [0.5, -1.0], [-3.3e+300, 2.0]]
    model = MLP(2, [3, 12, 1], activation="leaky_relu", rng=3)
    for p in model.layers[0].parameters():
        p.data = -0.5 if p.data < 0 else 1e-3  # numbers of every size in z and a
    recorder = Recorder(model, X, [1, -1, 1, -1], loss="hinge", check_first_step=False)
    recorder.record(1.0, lr=0.1)
    path = write_recording(recorder, tmp_path / "page.html")
    page, problems = open_page(browser, path.as_uri())
    inside = """() => {
      const out = [];
      const within = (box, text) => {
        const b = box.getBBox(), t = text.getBBox();
        return t.x >= b.x + 3 && t.x + t.width <= b.x + b.width - 3;
      };
      for (const g of document.querySelectorAll(".mg-input")) {
        if (!within(g.querySelector("rect"), g.querySelector("text"))) out.push(g.textContent);
      }
      for (const g of document.querySelectorAll(".mg-neuron")) {
        for (const t of g.querySelectorAll("text")) if (!within(g.querySelector("rect"), t)) out.push(t.textContent);
      }
      return out;
    }"""
    for sample in range(len(X)):
        page.select_option("#sample", str(sample))
        drawn(page)
        first = page.text_content(".mg-input text") or ""
        assert first.startswith("x1 = "), first
        assert page.evaluate(inside) == [], sample
    page.screenshot(path=str(tmp_path / "boxes.png"))
    print("screenshot:", tmp_path / "boxes.png")
    assert problems == []
    page.close()


def test_a_chosen_samples_numbers_are_the_engines(browser: Any, recorded: tuple[Path, dict[str, Any], Any]) -> None:
    """z, a and dL/dz of every neuron for sample 7 at step 5, against the engine on the recorded weights."""
    path, timeline, _ = recorded
    page, problems = open_page(browser, path.as_uri())
    page.fill("#timeline", "5")
    page.select_option("#sample", "7")
    page.wait_for_function("document.querySelector('#step-number').textContent === '5'", timeout=5000)
    drawn(page)
    step = timeline["steps"][5]
    model = MLP(2, [16, 16, 1], rng=0, fused=True)
    for p in model.parameters():
        p.data = step["weights"][p.label]
    signal: list[Any] = list(timeline["data"]["X"][7])
    zs: dict[str, Any] = {}
    for k, layer in enumerate(model.layers, 1):
        outputs = []
        for j, neuron in enumerate(layer.neurons, 1):
            out = neuron(signal)
            zs[f"L{k}.n{j}"] = out.operands[0] if neuron.activation == "relu" else out
            outputs.append(out)
        signal = outputs
    loss = losses.hinge(signal, [timeline["data"]["y"][7]])
    loss.backward()
    shown = page.eval_on_selector_all(
        "[data-neuron]", "els => els.map(e => [e.dataset.neuron, +e.dataset.z, +e.dataset.a, +e.dataset.dz])")
    assert len(shown) == 33
    panel = dict(page.eval_on_selector_all("#numbers div", "rows => rows.filter(r => r.children.length === 2)"
                                           ".map(r => [r.children[0].textContent, r.children[1].textContent])"))
    assert float(panel["its hinge loss"]) == pytest.approx(loss.data, rel=1e-5)
    assert float(panel["output"]) == pytest.approx(signal[0].data, rel=1e-3)
    for key, z, a, dz in shown:
        assert z == pytest.approx(zs[key].data, abs=1e-12)
        assert a == pytest.approx(max(z, 0.0) if key != "L3.n1" else z, abs=1e-12)
        assert dz == pytest.approx(zs[key].grad, abs=1e-12)
    assert problems == []
    page.close()


def test_the_recorded_page_is_readable_at_1280x800_and_needs_no_network(
        browser: Any, recorded: tuple[Path, dict[str, Any], Any], tmp_path: Path) -> None:
    path, _, _ = recorded
    text = path.read_text(encoding="utf-8")
    assert "<script src" not in text and 'rel="stylesheet"' not in text
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    requested: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: requested.append(request.url))
    page.goto(path.as_uri())
    page.fill("#timeline", "20")
    page.click('[data-weight="L1.n5.w1"]')
    page.wait_for_timeout(200)
    page.screenshot(path=str(tmp_path / "live.png"))
    for selector in ("#play", "#step-forward", "#timeline", "#step-number", "#loss-value", "#loss-chart",
                     "#boundary", "#network", "#weight-chart", "#sample"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800, selector
    last_neuron = page.locator('[data-neuron="L2.n16"]').bounding_box()
    assert last_neuron is not None and last_neuron["y"] + last_neuron["height"] <= 800  # the whole network on load
    sizes = page.eval_on_selector_all("text, button, span, b, label, option", "els => els.filter(e => "
                                      "e.getClientRects().length).map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert min(sizes) >= 10
    assert problems == [] and all(url.startswith(("file:", "data:")) for url in requested)  # works offline
    page.close()


def test_a_live_run_updates_the_page_while_it_trains(browser: Any) -> None:
    """The lecture's hand-written loop, recorded one call per step, served while it runs."""
    from micrograd_nn.tutorials.moons import moons_data

    X, y = moons_data(40)
    model = MLP(2, [8, 8, 1], rng=1337, fused=True)
    recorder = Recorder(model, X, y, loss="hinge", l2=1e-4)
    losses_seen: list[float] = []
    done = threading.Event()

    def train() -> None:
        for _ in range(120):
            total = losses.hinge([model(x) for x in X.tolist()], y.tolist()) + losses.l2_penalty(
                model.parameters(), 1e-4)
            model.zero_grad()
            total.backward()
            recorder.record(total, lr=0.5)  # after backward(), before the update
            losses_seen.append(total.data)
            for p in model.parameters():
                p.data -= 0.5 * p.grad
            time.sleep(0.04)
        recorder.finish()
        done.set()

    with LiveServer(recorder) as server:
        worker = threading.Thread(target=train, daemon=True)
        worker.start()
        page, problems = open_page(browser, server.url)
        page.wait_for_function("Number(document.querySelector('#step-number').textContent) >= 3", timeout=15000)
        first_step, first_loss = page.inner_text("#step-number"), page.get_attribute("#loss-value", "data-value")
        renders = int(page.get_attribute("#app", "data-renders") or 0)
        page.wait_for_timeout(1000)
        assert int(page.get_attribute("#app", "data-renders") or 0) - renders >= 5  # >= 5 updates a second
        second_step, second_loss = page.inner_text("#step-number"), page.get_attribute("#loss-value", "data-value")
        assert int(second_step) > int(first_step) and second_loss != first_loss
        page.click("#play")  # pause the view: training goes on, the view stays
        held = page.inner_text("#step-number")
        page.wait_for_timeout(300)
        assert page.inner_text("#step-number") == held
        page.click("#step-forward")
        page.wait_for_function(f"document.querySelector('#step-number').textContent === '{int(held) + 1}'",
                               timeout=5000)
        page.fill("#timeline", "2")
        page.wait_for_function("document.querySelector('#step-number').textContent === '2'", timeout=5000)
        assert float(page.get_attribute("#loss-value", "data-value")) == losses_seen[2]
        assert float(page.get_attribute('[data-weight="L2.n3.w2"]', "data-value")) == \
            recorder.steps[2]["weights"]["L2.n3.w2"]
        page.check("#follow")  # back to the newest step, following
        assert done.wait(30)
        page.wait_for_function("document.querySelector('#step-number').textContent === '119'", timeout=10000)
        page.wait_for_function("document.querySelector('#status').textContent === 'training finished'", timeout=5000)
        page.wait_for_function("document.querySelector('#play').textContent === 'Play'", timeout=5000)
        assert page.inner_text("#step-number") == "119"  # it followed training to the end, and stopped there
        timeline_url = server.url.replace("/?", "/timeline.json?")
        with urllib.request.urlopen(timeline_url, timeout=10) as response:
            assert len(json.loads(response.read())["steps"]) == 120
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.url.split("?")[0], timeout=10)
        assert refused.value.code == 403
        assert problems == []
        page.close()


def test_the_notebook_widgets_front_end_updates_from_comm_messages(browser: Any) -> None:
    """LiveWidget's ES module rendered with a stand-in for anywidget's model: each step message updates the view."""
    pytest.importorskip("anywidget")
    from micrograd_nn.live.widget import LiveWidget

    model = MLP(2, [3, 1], rng=0)
    X, y = [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75]], [1, -1, 1]
    recorder = Recorder(model, X, y, loss="hinge")
    widget = LiveWidget(recorder, title="widget test")
    sent: list[dict[str, Any]] = []
    widget.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    for _ in range(3):
        loss = losses.hinge([model(x) for x in X], y)
        model.zero_grad()
        loss.backward()
        recorder.record(loss, lr=0.1)
        for p in model.parameters():
            p.data -= 0.1 * p.grad
    recorder.finish()
    assert [len(m.get("steps", [])) for m in sent] == [1, 1, 1, 0] and sent[-1] == {"finished": True}
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_content("<!DOCTYPE html><html><head><style id='css'></style></head><body><div id='cell'></div>"
                     "</body></html>")
    page.evaluate("""async ([esm, css, timeline, title]) => {
        document.getElementById("css").textContent = css;
        const module = await import(URL.createObjectURL(new Blob([esm], { type: "text/javascript" })));
        const handlers = [];
        window.sentToKernel = [];
        const values = { timeline, title, height: 700 };
        const model = { get: (key) => values[key], on: (event, handler) => handlers.push(handler),
                        send: (message) => window.sentToKernel.push(message) };
        window.deliver = (message) => handlers.forEach((handler) => handler(message));
        module.default.render({ model, el: document.getElementById("cell") });
    }""", [widget._esm, widget._css, widget.timeline, widget.title])
    assert page.evaluate("window.sentToKernel") == [{"type": "since", "count": 0}]
    assert page.inner_text("#step-number") == "–"
    for k, message in enumerate(sent[:3]):
        page.evaluate("(message) => window.deliver(message)", message)
        page.wait_for_function(f"document.querySelector('#step-number').textContent === '{k}'", timeout=5000)
        assert float(page.get_attribute("#loss-value", "data-value")) == recorder.steps[k]["loss"]
    page.evaluate("(message) => window.deliver(message)", sent[3])
    page.wait_for_function("document.querySelector('#status').textContent === 'training finished'", timeout=5000)
    assert page.locator("[data-weight]").count() == len(model.parameters())
    assert problems == []
    page.close()


@pytest.mark.slow
def test_a_killed_training_process_leaves_a_page_that_says_so_and_still_rewinds(browser: Any) -> None:
    import re
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "micrograd_nn", "live", "--no-browser", "--demo", "spiral", "--steps", "500"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = re.fullmatch(r"serving (\S+)\n", process.stdout.readline()).group(1)  # type: ignore[union-attr]
        page, _ = open_page(browser, url)
        page.wait_for_function("Number(document.querySelector('#step-number').textContent) >= 5", timeout=15000)
        process.kill()
        process.wait(timeout=10)
        page.wait_for_function("document.querySelector('#status').textContent.includes('has stopped')",
                               timeout=20000)
        page.fill("#timeline", "3")
        page.wait_for_function("document.querySelector('#step-number').textContent === '3'", timeout=5000)
        page.close()
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_step_forward_at_the_newest_step_shows_the_next_update_when_it_comes(browser: Any) -> None:
    model = MLP(2, [3, 1], rng=0)
    X, y = [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75]], [1, -1, 1]
    recorder = Recorder(model, X, y, loss="hinge")

    def one_step() -> None:
        loss = losses.hinge([model(x) for x in X], y)
        model.zero_grad()
        loss.backward()
        recorder.record(loss, lr=0.1)
        for p in model.parameters():
            p.data -= 0.1 * p.grad

    one_step()
    one_step()
    with LiveServer(recorder) as server:
        page, problems = open_page(browser, server.url)
        page.wait_for_function("document.querySelector('#step-number').textContent === '1'", timeout=5000)
        page.click("#play")  # pause at the newest step
        page.click("#step-forward")  # no newer step yet: the page waits for the next update
        page.wait_for_timeout(300)
        assert page.inner_text("#step-number") == "1"
        one_step()
        page.wait_for_function("document.querySelector('#step-number').textContent === '2'", timeout=5000)
        one_step()  # paused: the view stays at step 2 while training goes on
        page.wait_for_function("document.querySelector('#timeline').max === '3'", timeout=5000)
        assert page.inner_text("#step-number") == "2"
        recorder.finish()
        assert problems == []
        page.close()


CASES = [  # (hidden activation, output activation, outputs, loss, targets); "nobias:" builds neurons without biases
    ("tanh", "sigmoid", 1, "binary_cross_entropy", [1, 0, 1, 0]),
    ("sigmoid", "linear", 1, "binary_cross_entropy_with_logits", [1, 0, 0, 1]),
    ("leaky_relu", "linear", 3, "softmax_cross_entropy", [2, 0, 1, 2]),
    ("tanh", "tanh", 2, "mse", [[0.5, -0.5], [0.1, 0.2], [-0.3, 0.9], [0.0, 1.0]]),
    ("relu", "linear", 1, "sse", [0.3, -1.2, 2.0, 0.5]),
    ("tanh", "linear", 1, "half_sse", [0.3, -1.2, 2.0, 0.5]),
    ("nobias:tanh", "linear", 1, "mse", [0.3, -1.2, 2.0, 0.5]),
]


@pytest.mark.parametrize("hidden, output, outputs, loss_name, targets", CASES)
def test_each_loss_and_activation_gives_the_engines_numbers(
        browser: Any, tmp_path: Path, hidden: str, output: str, outputs: int, loss_name: str, targets: list[Any]
) -> None:
    """The page's z, a, dL/dz and the sample's own loss, for every activation and loss, against the engine."""
    X = [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75], [0.2, 0.4]]
    bias = not hidden.startswith("nobias:")
    model = MLP(2, [3, outputs], activation=hidden.removeprefix("nobias:"), output_activation=output, rng=7, bias=bias)
    recorder = Recorder(model, X, targets, loss=loss_name)
    loss_fn = getattr(losses, loss_name)
    total = loss_fn([model(x) for x in X], targets)
    model.zero_grad()
    total.backward()
    recorder.record(total, lr=0.1)
    path = write_recording(recorder, tmp_path / "page.html")
    page, problems = open_page(browser, path.as_uri())
    page.select_option("#sample", "2")
    drawn(page)
    signal: list[Any] = list(X[2])
    zs: dict[str, Any] = {}
    for k, layer in enumerate(model.layers, 1):
        outs = []
        for j, neuron in enumerate(layer.neurons, 1):
            out = neuron(signal)
            zs[f"L{k}.n{j}"] = (out if neuron.activation == "linear" else out.operands[0], out)
            outs.append(out)
        signal = outs
    own = loss_fn([signal if outputs > 1 else signal[0]], [targets[2]])
    own.backward()
    shown = page.eval_on_selector_all(
        "[data-neuron]", "els => els.map(e => [e.dataset.neuron, +e.dataset.z, +e.dataset.a, +e.dataset.dz])")
    assert len(shown) == 3 + outputs
    assert page.locator("[data-weight]").count() == len(model.parameters())
    for key, z, a, dz in shown:
        assert z == pytest.approx(zs[key][0].data, abs=1e-12)
        assert a == pytest.approx(zs[key][1].data, abs=1e-12)
        assert dz == pytest.approx(zs[key][0].grad, abs=1e-12)
    panel = dict(page.eval_on_selector_all("#numbers div", "rows => rows.filter(r => r.children.length === 2)"
                                           ".map(r => [r.children[0].textContent, r.children[1].textContent])"))
    assert float(panel[f"its {loss_name} loss"]) == pytest.approx(own.data, rel=1e-5)
    assert problems == []
    page.close()


def test_the_page_writes_numbers_colours_and_labels_from_their_python_homes(
    browser: Any, recorded: tuple[Path, dict[str, Any], Any]
) -> None:
    """Inputs as labels.py names them and format_number writes them; each neuron's z and a at 3 decimals by the
    same rule; its box in the fill colour colours.py gives its dL/dz beside the layer's largest."""
    from micrograd_nn.colours import signed_colour
    from micrograd_nn.format import format_number

    path, timeline, _history = recorded
    page, problems = open_page(browser, path.as_uri())
    page.wait_for_selector(".mg-neuron")
    x = timeline["data"]["X"][0]
    shown = page.eval_on_selector_all(".mg-input text", "nodes => nodes.map((n) => n.textContent)")
    assert shown == [f"x{i} = {format_number(v)}" for i, v in enumerate(x, 1)]
    neurons = page.eval_on_selector_all(
        ".mg-neuron", "nodes => nodes.map((n) => [n.getAttribute('data-neuron'), n.getAttribute('data-z'), "
        "n.getAttribute('data-a'), n.getAttribute('data-dz'), n.querySelector('text').textContent, "
        "n.querySelector('.mg-box').getAttribute('fill')])")
    assert [key for key, *_rest in neurons] == [n["key"] for layer in timeline["labels"]["neurons"] for n in layer]
    dz_all = [float(dz) for *_k, dz, _t, _f in neurons]
    largest = max(abs(v) for v in dz_all)
    for key, z, a, dz, text, fill in neurons:
        assert text == f"{key} z {format_number(float(z), 3)} a {format_number(float(a), 3)}"
        assert fill == signed_colour(float(dz), largest, "fill", css=True)
    assert not problems


def test_the_page_writes_tiny_and_huge_numbers_as_format_number_does(browser: Any, tmp_path: Path) -> None:
    """Scientific notation outside [1e-4, 1e6), with a two-digit exponent, and -0 as 0: format_number's rule."""
    from micrograd_nn.format import format_number

    X, y = [[1e-7, 2.5e7], [-0.0, -123.456]], [1.0, -1.0]
    model = MLP(2, [1], rng=0)
    recorder = Recorder(model, X, y, loss="mse")
    fit(model, X, y, loss="mse", lr=1e-20, epochs=1, quiet=True, on_step=recorder.on_step)
    recorder.finish()
    page, problems = open_page(browser, write_recording(recorder, tmp_path / "tiny.html").as_uri())
    page.wait_for_selector(".mg-input text")
    for sample, row in enumerate(X):
        page.select_option("#sample", str(sample))
        drawn(page)
        shown = page.eval_on_selector_all(".mg-input text", "nodes => nodes.map((n) => n.textContent)")
        assert shown == [f"x{i} = {format_number(v)}" for i, v in enumerate(row, 1)]
    assert format_number(1e-7) == "1.0000e-07" and format_number(-0.0) == "0.0000"
    assert not problems
