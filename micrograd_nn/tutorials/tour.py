"""The main demo, `micrograd-nn tour`: micrograd's moons network, then its pictures and backward report.

It trains demo 5 (MLP(2, [16, 16, 1]), hinge loss + L2, 100 steps) with a
progress bar, then writes to the output folder: the recorded training page
(training.html: every step, to play and rewind offline), the loss curve, the decision
boundary, the network picture of one training sample's loss (one column per
layer, one node per neuron), the HTML stepper page of its backward pass, and
the step-by-step backward report, which names nodes by what they are
(L1.n3.z, L1.n3.out, loss); why backward() needs a topological order:
b = a + a; c = b + b walked naively next to backward(), with its stepper page;
and a practice worksheet (practice.html): the lecture's neuron, each gradient
typed by the learner before the page shows it; and a gradient's own graph
(tanh_second_derivative.svg): tanh's dy/dx = 1 - y*y kept as a Value by
backward(create_graph=True), its backward giving d²y/dx² = -2 tanh(x)(1 - tanh²(x)).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from micrograd_nn.analysis import replay
from micrograd_nn.analysis.naive_walk import naive_walk, topological_order_example
from micrograd_nn.atomic_write import write_atomically
from micrograd_nn.engine import Value
from micrograd_nn.live.page import write_recording
from micrograd_nn.nn import MLP
from micrograd_nn.training import losses
from micrograd_nn.training.persistence import save_model
from micrograd_nn.tutorials import plots
from micrograd_nn.tutorials.common import DEFAULT_OUT, output_folder, percent, say
from micrograd_nn.tutorials.moons import MoonsResult, train_moons
from micrograd_nn.views import explain, network_picture, scalar_picture
from micrograd_nn.views.stepper import write_html


@dataclass
class TourResult:
    """The trained moons run and every file the tour wrote, by what it shows."""

    moons: MoonsResult
    seconds: float
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def run_tour(
    out_dir: str | Path = DEFAULT_OUT, *, steps: int = 100, seed: int = 1337, quiet: bool = False
) -> TourResult:
    """Train micrograd's moons demo and write the loss curve, decision boundary, graph and backward report."""
    started = time.perf_counter()
    folder = output_folder(out_dir, "tour")
    say("micrograd_nn tour: micrograd's moons demo trained on this engine")
    say("  network MLP(2, [16, 16, 1]): ReLU hidden layers, a linear output score, 337 parameters")
    say(f"  data    100 moons points (make_moons, noise 0.1, seed {seed}), labels -1/+1")
    say(f"  loss    mean hinge max(0, 1 - y*score) + 1e-4 * sum(p^2); {steps} steps, lr 1.0 -> 0.1")
    moons = train_moons(steps=steps, seed=seed, quiet=quiet, record=True)
    history = moons.history
    # steps are numbered from 0, as in micrograd's notebook and `demo moons`
    say(f"step 0 loss {history.loss[0]:.4f}, accuracy {percent(history.metrics['accuracy'][0])}")
    say(f"step {steps - 1} loss {history.loss[-1]:.4f}, accuracy {percent(history.metrics['accuracy'][-1])}")
    say(f"trained in {moons.seconds:.1f} s: {percent(moons.accuracy)} of the training points right")
    say(moons.reference_check.line())
    result = TourResult(moons, 0.0)
    result.files["loss curve"] = plots.loss_curve(
        {"hinge + L2 loss": history.loss}, folder / "loss.png", "moons: training loss per step", xlabel="step", first=0
    )
    result.files["decision boundary"] = plots.decision_boundary(
        moons.model,
        moons.X,
        moons.y,
        folder / "decision_boundary.png",
        f"moons: MLP(2, [16, 16, 1]), accuracy {percent(moons.accuracy)}",
    )
    result.files["trained model (JSON)"] = save_model(moons.model, folder / "moons_model.json")
    if moons.recorder is not None:
        result.files["training, step by step (HTML)"] = write_recording(
            moons.recorder, folder / "training.html", title=f"moons: MLP(2, [16, 16, 1]), {steps} steps of training"
        )
        result.notes.append(
            "training.html replays the whole run offline: play, step or rewind to any step and see the network's "
            "weights, one sample's z, a and dloss/dz, the loss curve and the decision boundary at that step "
            "(`micrograd-nn live` shows the same page while a network trains)"
        )
    _write_graph_views(result, folder)
    result.seconds = time.perf_counter() - started
    say("")
    say(f"tour finished in {result.seconds:.1f} s; files written:")
    width = max(map(len, result.files), default=0)  # every path starts in the same column
    for name, path in result.files.items():
        say(f"  {name:<{width}}  {path}")
    for note in result.notes:
        say(f"note: {note}")
    return result


def _write_graph_views(result: TourResult, folder: Path) -> None:
    """One training sample's loss at step 1: its network picture, its stepper page and its backward report.

    After training every sample's hinge term is 0 (margin above 1), so every
    gradient in its graph would be 0; the picture uses the starting weights
    (rebuilt from the run's seed), where the gradients are what the first step follows.
    """
    moons = result.moons
    start_model = MLP(2, [16, 16, 1], rng=moons.seed, fused=True)
    margins = [start_model.forward(row)[0].data * label for row, label in zip(moons.X.tolist(), moons.y.tolist())]
    sample = min(range(len(margins)), key=lambda i: abs(margins[i]))  # the closest call: a non-zero loss
    x, label = moons.X[sample].tolist(), int(moons.y[sample])
    (score,) = start_model.forward(x)
    loss = losses.hinge([score], [label])
    start_model.zero_grad()
    loss.backward()
    say("")
    say(
        f"graph of one sample's loss at step 0 (starting weights): sample {sample}, "
        f"x = ({x[0]:.3f}, {x[1]:.3f}), label {label:+d}, score {score.data:.3f}, "
        f"hinge loss max(0, 1 - y*score) = {loss.data:.4f}"
    )
    try:
        result.files["network picture (one sample)"] = network_picture.render_network(loss, folder / "network.svg")
        result.notes.append(
            "network.svg draws the network as tutorials do: a column per layer, each neuron one node with "
            "z, a and dloss/dz, each weight an edge (width and colour: its size and sign; numbers in the tooltip)"
        )
        result.files["backward stepper (one sample)"] = write_html(
            loss, folder / "backward_stepper.html", mode="layers", forward=True,
            title="moons MLP(2, [16, 16, 1]): one sample's forward and backward pass, layer by layer",
        )
    except RuntimeError as err:  # Graphviz is missing, too slow or crashed: write the DOT text instead
        result.files["network picture (DOT text)"] = network_picture.render_network(loss, folder / "network.dot")
        result.notes.append(f"{err}; wrote the DOT text of the network picture instead")
    report_path = folder / "backward_report.txt"
    write_atomically(report_path, explain.explain(loss) + "\n", "tour")
    result.files["backward report"] = report_path
    steps_path = folder / "backward_steps.json"
    steps = [asdict(step) for step in replay.backward_steps(loss)]
    write_atomically(steps_path, json.dumps(steps, indent=1) + "\n", "tour")
    result.files["backward steps (JSON)"] = steps_path
    _write_topological_order_example(result, folder)
    _write_practice_worksheet(result, folder)
    _write_second_derivative_picture(result, folder)


def _write_topological_order_example(result: TourResult, folder: Path) -> None:
    """Why backward() needs a topological order: a = 1; b = a + a; c = b + b, walked naively and by backward().

    Prints the naive walk next to backward()'s steps and writes the stepper page of the naive walk,
    whose wrong step and wrong dc/da are marked in red.
    """
    c = topological_order_example()
    say("")
    say("why backward() needs a topological order: a = 1; b = a + a; c = b + b, so dc/da = 4")
    for line in naive_walk(c).compare().splitlines():
        say(f"  {line}")
    try:
        result.files["naive walk stepper (why a topological order)"] = write_html(
            c, folder / "naive_walk.html", order="naive",
            title="Why a topological order: b = a + a; c = b + b walked naively (dc/da = 8, backward() gives 4)",
        )
    except RuntimeError as err:  # Graphviz is missing, too slow or crashed
        result.notes.append(f"{err}; the naive walk's stepper page was not written")


def lecture_neuron() -> Value:
    """The lecture's neuron o = tanh(x1*w1 + x2*w2 + b) (b = 6.8813735870195432, so o = 0.7071), after backward()."""
    x1, x2, w1, w2 = Value(2.0, "x1"), Value(0.0, "x2"), Value(-3.0, "w1"), Value(1.0, "w2")
    n = x1 * w1 + x2 * w2 + Value(6.8813735870195432, "b")
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def _write_practice_worksheet(result: TourResult, folder: Path) -> None:
    """Your turn: the lecture's neuron as a practice page, each gradient typed before the page shows it."""
    from micrograd_nn.views.practice_page import practice_questions

    o = lecture_neuron()
    count = len(practice_questions(o))
    say("")
    say(f"your turn: practice.html asks the {count} derivatives of the lecture's neuron o = tanh(x1*w1 + x2*w2 + b) "
        "one by one; a wrong answer gets a hint aimed at the likely mistake")
    try:
        result.files["practice worksheet (your turn)"] = write_html(
            o, folder / "practice.html", practice=True, expression="tanh(x1*w1 + x2*w2 + b)",
            title="Your turn: the lecture's neuron o = tanh(x1*w1 + x2*w2 + b), backward by hand",
        )
    except RuntimeError as err:  # Graphviz is missing, too slow or crashed
        result.notes.append(f"{err}; the practice worksheet was not written")


def tanh_gradient_graph(x: float = 0.5) -> tuple[Value, Value]:
    """(x, dy/dx) for y = tanh(x): dy/dx = 1 - y*y as backward(create_graph=True) keeps it, its own backward()
    run, so that x.grad is d²y/dx² = -2 tanh(x)(1 - tanh²(x))."""
    leaf = Value(x, "x")
    y = leaf.tanh()
    y.label = "y"
    y.backward(create_graph=True)
    dydx = leaf.grad_value
    assert dydx is not None  # backward(create_graph=True) keeps every gradient
    y.zero_grad()  # x.grad and y.grad back to 0: the next backward fills in d(dy/dx)/dnode, not a sum with dy/dx
    dydx.backward()
    return leaf, dydx


def _write_second_derivative_picture(result: TourResult, folder: Path) -> None:
    """The gradient of tanh as a graph: dy/dx = 1 - y*y built from the forward node y, differentiated again."""
    x, dydx = tanh_gradient_graph()
    say("")
    say(f"gradients of gradients: y = tanh(x) at x = {x.data}, backward(create_graph=True) keeps dy/dx = 1 - y*y = "
        f"{dydx.data:.4f} as a Value; its backward gives d²y/dx² = {x.grad:.4f} = -2 tanh(x)(1 - tanh²(x)), "
        "drawn in tanh_second_derivative.svg")
    try:
        result.files["gradient of tanh as a graph"] = scalar_picture.render(dydx, folder / "tanh_second_derivative.svg")
    except RuntimeError as err:  # Graphviz is missing, too slow or crashed
        result.notes.append(f"{err}; the picture of tanh's gradient was not written")
