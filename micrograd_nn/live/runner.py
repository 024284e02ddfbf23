"""`micrograd-nn live`: train a demo network and serve its live page, or (--record PATH) write the recorded page.

The demos: moons (micrograd's demo, the tour's recipe), circles and xor (two
classes, labels -1/+1, hinge loss like moons) and spiral and blobs (three
classes, softmax cross-entropy).  Every run: L2 1e-4, full batch, the learning
rate going from --lr down to a tenth of it, as in micrograd's demo.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import threading
import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from micrograd_nn.errors import positive_number_argument, whole_number_argument
from micrograd_nn.nn import ACTIVATIONS

DEMOS = ("moons", "circles", "xor", "spiral", "blobs")
MAX_RECORDED = 500
"""At most this many steps are recorded (every k-th step of a longer run), so pages stay a few MB."""


class LiveUsageError(Exception):
    """A mistake on the command line or in its files: printed as one line, exit status 2."""


def _hidden_sizes(text: str) -> list[int]:
    """--hidden 16,16 as [16, 16]: whole numbers from 1 to 256, or '' for no hidden layer."""
    if not text.strip():
        return []
    sizes = []
    for part in text.split(","):
        try:
            size = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected layer sizes such as 16,16, got {text[:40]!r}") from None
        if not 1 <= size <= 256:
            raise argparse.ArgumentTypeError(f"each layer size must be from 1 to 256, got {size}")
        sizes.append(size)
    return sizes


def add_live_command(sub: argparse._SubParsersAction) -> None:
    """Register `live` (issue 16) on the CLI's subcommands."""
    live = sub.add_parser(
        "live",
        help="train a network and watch it learn in the browser (or --record a page of the run)",
        description="Train a demo network and serve its live page on 127.0.0.1 while it trains: the network "
        "(z, a and dL/dz of a chosen sample, each weight), the loss and accuracy, the decision boundary; play, "
        "step and rewind to any step. It keeps serving after training until Ctrl-C. With --record PATH it "
        "trains, writes a self-contained page of the whole run and exits.",
    )
    live.add_argument("--demo", choices=DEMOS, default="moons", help="the data set (default moons)")
    live.add_argument("--hidden", type=_hidden_sizes, default=[16, 16], metavar="SIZES",
                      help="hidden layer sizes, e.g. 16,16 (default) or 8")
    live.add_argument("--activation", choices=list(ACTIVATIONS), default="relu",
                      help="hidden activation (default relu)")
    live.add_argument("--lr", type=positive_number_argument, default=1.0,
                      help="starting learning rate (default 1.0), decays to lr/10")
    live.add_argument("--steps", type=whole_number_argument(1, 100_000), default=100,
                      help="training steps (default 100)")
    live.add_argument("--seed", type=whole_number_argument(0, 2**32 - 1), default=1337,
                      help="seed of data and weights (default 1337)")
    live.add_argument("--port", type=whole_number_argument(0, 65535), default=None,
                      help="port on 127.0.0.1 (default 0: a free port)")
    live.add_argument("--record", metavar="PATH", help="train, write the recorded page to PATH and exit")
    live.add_argument("--no-browser", action="store_true", help="print the URL but open no browser")
    live.set_defaults(run=run_live)


@dataclass
class Run:
    """A demo's model, data and training settings."""

    model: Any
    X: Any
    y: Any
    loss: str
    rule: str
    title: str


def build_run(demo: str, hidden: list[int], activation: str, seed: int) -> Run:
    """The demo's data and a fresh network for it (LiveUsageError if scikit-learn is missing)."""
    from micrograd_nn.nn import MLP
    from micrograd_nn.training import datasets

    try:
        if demo == "moons":
            X, labels = datasets.moons(n_samples=100, noise=0.1, seed=seed)
        elif demo == "circles":
            X, labels = datasets.circles(n_samples=100, noise=0.1, seed=seed)
        elif demo == "xor":
            X, labels = datasets.xor(n_samples=100, noise=0.0, seed=seed)
        elif demo == "spiral":
            X, labels = datasets.spiral(n_per_class=40, n_classes=3, noise=0.2, seed=seed)
        else:
            X, labels = datasets.blobs(n_samples=120, centers=3, cluster_std=1.0, seed=seed)
    except ImportError as err:
        raise LiveUsageError(
            f"--demo {demo} needs scikit-learn ({err.name}): pip install 'micrograd_nn[demos]'"
        ) from None
    classes = 3 if demo in ("spiral", "blobs") else 1
    model = MLP(2, [*hidden, classes], activation=activation, rng=seed, fused=True)
    shape = ", ".join(str(n) for n in [*hidden, classes])
    if classes == 1:
        y = labels * 2 - 1  # labels -1/+1 for the hinge loss, as in micrograd's moons demo
        return Run(model, X, y, "hinge", "sign", f"{demo}: MLP(2, [{shape}]), hinge loss + 1e-4·Σp²")
    return Run(model, X, labels, "softmax_cross_entropy", "argmax",
               f"{demo}: MLP(2, [{shape}]), softmax cross-entropy + 1e-4·Σp²")


def train(run: Run, recorder: Any, steps: int, lr: float) -> Any:
    """fit() with the recorder's hook: full batch, l2 1e-4, lr decaying linearly to lr/10."""
    from micrograd_nn.training.train import fit

    return fit(run.model, run.X, run.y, loss=run.loss, l2=1e-4, lr=lr, epochs=steps,
               lr_schedule=lambda k: lr * (1.0 - 0.9 * k / steps), quiet=True, on_step=recorder.on_step)


def _open_browser(url: str) -> None:
    """Open url in the desktop's browser, in the background; nothing on a machine without a display.

    (On Linux without a display, webbrowser would run a text browser in this terminal and wait for it.)
    """
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return

    def open_it() -> None:
        """Ask the desktop to open url (may take a moment; never holds up training)."""
        try:
            webbrowser.open(url)
        except webbrowser.Error:
            pass  # no browser: the printed URL is enough

    threading.Thread(target=open_it, name="micrograd-nn browser", daemon=True).start()


def run_live(args: argparse.Namespace) -> int:
    """The `live` subcommand: 0 when done (or stopped with Ctrl-C after training), 2 for a user's mistake."""
    try:
        return _run(args)
    except LiveUsageError as err:
        print(f"micrograd-nn live: {err}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from micrograd_nn.atomic_write import check_target, message_of
    from micrograd_nn.live.page import write_recording
    from micrograd_nn.live.recorder import Recorder
    from micrograd_nn.live.server import LiveServer, LiveServerError
    from micrograd_nn.training.train import TrainingDivergedError

    record = Path(args.record) if args.record is not None else None
    if record is not None and args.port is not None:
        raise LiveUsageError("--port sets where the page is served, but --record serves nothing: leave out one")
    if record is not None:  # a path that cannot be written is said now, before any training
        try:
            check_target(args.record, "--record")
        except (OSError, ValueError) as err:
            raise LiveUsageError(message_of(err)) from None
    run = build_run(args.demo, args.hidden, args.activation, args.seed)
    every = max(1, math.ceil(args.steps / MAX_RECORDED))  # a long run keeps every k-th step, so pages stay small
    recorder = Recorder(run.model, run.X, run.y, loss=run.loss, l2=1e-4, every=every)
    if record is not None:
        try:
            train(run, recorder, args.steps, args.lr)
        except TrainingDivergedError as err:
            raise LiveUsageError(f"{err}") from None
        recorder.finish()
        try:
            path = write_recording(recorder, record, title=run.title)
        except OSError as err:
            raise LiveUsageError(f"--record: {err.strerror or err}") from None
        size = path.stat().st_size / 1e6
        print(f"wrote {path} ({len(recorder.steps)} steps, {size:.1f} MB): open it in a browser, no server needed")
        return 0
    try:
        server = LiveServer(recorder, port=args.port or 0, title=run.title)
    except LiveServerError as err:
        raise LiveUsageError(f"--port {args.port or 0}: {err}") from None
    server.start()
    try:
        print(f"serving {server.url}", flush=True)
        if not args.no_browser:
            _open_browser(server.url)
        if every > 1:
            print(f"recording every {every}th step of {args.steps}", flush=True)
        started = time.perf_counter()
        try:
            history = train(run, recorder, args.steps, args.lr)
        except TrainingDivergedError as err:
            recorder.finish()
            print(f"micrograd-nn live: {err}; the page keeps the steps before it (Ctrl-C to stop)", file=sys.stderr)
        else:
            recorder.finish()
            print(f"trained {history.epochs} steps in {time.perf_counter() - started:.1f} s: loss "
                  f"{history.loss[-1]:.4g}; still serving (Ctrl-C to stop)", flush=True)
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("stopped", flush=True)
        return 0
    finally:
        server.stop()
