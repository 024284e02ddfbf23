"""How much the live page costs: the tour's moons training (100 steps) with and without the live page open.

Runs, alternating, each repeated (median reported): plain fit; fit recording every
step (Recorder); fit recording while LiveServer serves the page to headless Chromium,
which follows every step.  Prints the slowdown, the page's updates per second while
training and the size of the recorded 100-step page.  Needs playwright and Debian's
/usr/bin/chromium:  .venv/bin/python benchmarks/bench_live.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from micrograd_nn.live import Recorder, write_recording
from micrograd_nn.live.server import LiveServer
from micrograd_nn.nn import MLP
from micrograd_nn.training.train import fit
from micrograd_nn.tutorials.moons import moons_data

STEPS = 100
REPEATS = 5
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


def train(recorder_wanted: bool) -> tuple[tuple[float, float], Recorder | None]:
    X, y = moons_data()
    model = MLP(2, [16, 16, 1], rng=1337, fused=True)
    recorder = Recorder(model, X, y, loss="hinge", l2=1e-4) if recorder_wanted else None
    started, cpu = time.perf_counter(), time.process_time()
    fit(model, X, y, loss="hinge", l2=1e-4, lr=1.0, epochs=STEPS, lr_schedule=lambda k: 1.0 - 0.9 * k / STEPS,
        quiet=True, on_step=None if recorder is None else recorder.on_step)
    seconds = (time.perf_counter() - started, time.process_time() - cpu)
    if recorder is not None:
        recorder.finish()
    return seconds, recorder


def train_with_page(browser: object) -> tuple[tuple[float, float], float]:
    """Seconds (wall, this process's CPU) of training while the page follows it, and the page's updates a second."""
    X, y = moons_data()
    model = MLP(2, [16, 16, 1], rng=1337, fused=True)
    recorder = Recorder(model, X, y, loss="hinge", l2=1e-4)
    with LiveServer(recorder) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
        page.goto(server.url)
        page.wait_for_selector("#network svg")
        before = int(page.get_attribute("#app", "data-renders") or 0)
        started, cpu = time.perf_counter(), time.process_time()
        fit(model, X, y, loss="hinge", l2=1e-4, lr=1.0, epochs=STEPS, lr_schedule=lambda k: 1.0 - 0.9 * k / STEPS,
            quiet=True, on_step=recorder.on_step)
        seconds = time.perf_counter() - started, time.process_time() - cpu
        renders = int(page.get_attribute("#app", "data-renders") or 0) - before
        recorder.finish()
        page.close()
    return seconds, renders / seconds[0]


def main() -> int:
    from playwright.sync_api import sync_playwright

    plain, recorded, live, rates = [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=FLAGS)
        for _ in range(REPEATS):
            plain.append(train(False)[0])
            recorded.append(train(True)[0])
            seconds, rate = train_with_page(browser)
            live.append(seconds)
            rates.append(rate)
        browser.close()
    _, recorder = train(True)
    assert recorder is not None
    with tempfile.TemporaryDirectory() as folder:
        size = write_recording(recorder, Path(folder) / "run.html").stat().st_size
    print(f"moons, {STEPS} steps, median of {REPEATS} (wall clock; CPU seconds of this process):")
    base = [statistics.median(t[i] for t in plain) for i in (0, 1)]
    print(f"  {'fit alone':<30}{base[0]:.2f} s; {base[1]:.2f} s CPU")
    for name, times in (("fit + Recorder", recorded), ("fit + Recorder + page open", live)):
        wall, cpu = (statistics.median(t[i] for t in times) for i in (0, 1))
        print(f"  {name:<30}{wall:.2f} s ({wall / base[0]:.2f}x); {cpu:.2f} s CPU ({cpu / base[1]:.2f}x)")
    print(f"  page updates while training   {statistics.median(rates):.1f} per second")
    print(f"  recorded page of the run      {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
