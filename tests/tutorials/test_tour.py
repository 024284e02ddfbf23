"""`micrograd-nn tour`: wired into the CLI, trains the moons network and writes every file it names."""

from __future__ import annotations

import json
import re

import pytest

from micrograd_nn.cli import build_parser
from micrograd_nn.training.persistence import load_model
from micrograd_nn.tutorials.tour import run_tour


def test_tour_and_demo_are_subcommands(tmp_path) -> None:
    args = build_parser().parse_args(["tour", "--out", str(tmp_path), "--quiet"])
    assert callable(args.run) and args.out == str(tmp_path) and args.quiet
    args = build_parser().parse_args(["demo", "digits", "--mnist-csv", "m.csv"])
    assert callable(args.run) and args.name == "digits" and args.mnist_csv == "m.csv"
    defaults = build_parser().parse_args(["tour"])
    assert defaults.out == "micrograd_nn_output"


@pytest.mark.slow
def test_tour_writes_plots_graph_and_backward_report(tmp_path, capsys) -> None:
    result = run_tour(tmp_path, steps=25, quiet=True)
    printed = capsys.readouterr().out
    assert result.moons.accuracy >= 0.9
    assert result.moons.history.loss[-1] < result.moons.history.loss[0]
    for name in ("loss curve", "decision boundary", "backward report", "training, step by step (HTML)"):
        path = result.files[name]
        assert path.parent == tmp_path / "tour" and path.stat().st_size > 1000
        assert str(path) in printed  # the tour says where everything is
    assert result.files["loss curve"].read_bytes().startswith(b"\x89PNG")
    training = result.files["training, step by step (HTML)"].read_text(encoding="utf-8")
    timeline = json.loads(re.search(r'<script type="application/json" id="timeline">(.*?)</script>', training).group(1))
    assert [step["loss"] for step in timeline["steps"]] == pytest.approx(result.moons.history.loss, rel=1e-12)
    assert "training.html replays the whole run offline" in printed
    listed = printed.split("files written:\n", 1)[1].split("\nnote: ", 1)[0].splitlines()
    assert len(listed) == len(result.files) and any("naive walk stepper" in line for line in listed)
    columns = {line.index(str(path)) for line, path in zip(listed, result.files.values())}
    assert len(columns) == 1  # before: the naive walk's line, longer than 30 characters, pushed its path right
    picture = result.files.get("network picture (one sample)") or result.files["network picture (DOT text)"]
    assert picture.stat().st_size > 1000 and str(picture) in printed
    text = picture.read_text()
    for key in [f"L1.n{i}" for i in range(1, 17)] + [f"L2.n{i}" for i in range(1, 17)] + ["L3.n1"]:
        assert f'id="{key}"' in text  # every neuron is one node of the network picture
    if "backward stepper (one sample)" in result.files:
        page = result.files["backward stepper (one sample)"]
        text = page.read_text()
        assert text.startswith("<!DOCTYPE html>") and '<body data-mode="layers">' in text and str(page) in printed
    saved = load_model(result.files["trained model (JSON)"])
    assert [p.data for p in saved.parameters()] == [p.data for p in result.moons.model.parameters()]
    report = result.files["backward report"].read_text()
    assert report.startswith("Backward pass from loss = ") and "upstream dloss/dloss = 1.0000" in report
    # neuron-level nodes are named for what they are, never v{id}
    assert "step 2 of" in report and re.search(r"L3\.n1\.out = w·x\+b|L3\.n1\.out = L3\.n1\.w1\*", report)
    assert "dloss/dL1.n3.out" in report and "dloss/dL2.n7.z" in report


@pytest.mark.slow
def test_tour_graph_uses_the_runs_own_starting_weights(tmp_path, capsys) -> None:
    """The one-sample graph is drawn on the starting weights of the seed the tour trained with, not a fixed one."""
    from micrograd_nn.nn import MLP
    from micrograd_nn.tutorials.moons import moons_data

    result = run_tour(tmp_path, steps=2, seed=5, quiet=True)
    printed = capsys.readouterr().out
    assert result.moons.seed == 5 and "seed 5" in printed
    X, y = moons_data(100, seed=5)
    start = MLP(2, [16, 16, 1], rng=5, fused=True)
    margins = [start(row).data * label for row, label in zip(X.tolist(), y.tolist())]
    sample = min(range(len(margins)), key=lambda i: abs(margins[i]))
    assert f"sample {sample}, " in printed and f"score {start(X[sample].tolist()).data:.3f}," in printed
    assert result.moons.reference_check.line() in printed
    assert result.moons.reference_check.largest_relative_difference <= 1e-9


def test_readme_tutorials_section_works_as_printed(tmp_path, monkeypatch, capsys) -> None:
    """The section's Python snippet prints what its comments say; each command parses; each script exists."""
    import re
    import shlex
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    section = (root / "README.md").read_text().split("## Tutorials and demos", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.split()
    assert printed == re.findall(r"#\s*(\S+)", code)
    for line in re.search(r"```bash\n(.*?)```", section, re.S).group(1).strip().splitlines():
        words = shlex.split(line)
        if words[0].endswith("micrograd-nn"):
            assert callable(build_parser().parse_args(words[1:]).run)
        else:
            assert (root / words[1]).is_file()
    for script in re.findall(r"`(demos/\w+\.py)`", section):
        assert (root / script).is_file()


def test_the_tour_shows_why_a_topological_order(tmp_path, capsys) -> None:
    """b = a + a; c = b + b walked naively (dc/da = 8) next to backward() (4), printed and as a stepper page."""
    from micrograd_nn.tutorials.tour import TourResult, _write_topological_order_example

    result = TourResult(moons=None, seconds=0.0)  # type: ignore[arg-type]
    _write_topological_order_example(result, tmp_path)
    printed = capsys.readouterr().out
    assert "why backward() needs a topological order: a = 1; b = a + a; c = b + b, so dc/da = 4" in printed
    assert "    3. b (visit 2) passes dc/db = 2.0000 on: dc/da = 6.0000, then 8.0000   <- wrong: b already" in printed
    assert "    result: dc/da = 8.0000 (wrong: backward() gives 4.0000)" in printed
    assert "    result: dc/da = 4.0000" in printed
    page = result.files.get("naive walk stepper (why a topological order)")
    if page is not None:  # Graphviz installed
        assert page == tmp_path / "naive_walk.html" and '"wrong": true' in page.read_text()


def test_the_tour_writes_a_practice_worksheet(tmp_path, capsys) -> None:
    """The lecture's neuron as a practice page: its questions are the practice module's, its answers backward()'s."""
    from micrograd_nn.tutorials.tour import TourResult, _write_practice_worksheet, lecture_neuron
    from micrograd_nn.views.practice_page import practice_questions

    result = TourResult(moons=None, seconds=0.0)  # type: ignore[arg-type]
    _write_practice_worksheet(result, tmp_path)
    printed = capsys.readouterr().out
    questions = practice_questions(lecture_neuron())
    assert f"your turn: practice.html asks the {len(questions)} derivatives of the lecture's neuron" in printed
    assert lecture_neuron().data == pytest.approx(0.7071067811865476, rel=1e-12)
    page = result.files.get("practice worksheet (your turn)")
    if page is not None:  # Graphviz installed
        text = page.read_text()
        assert page == tmp_path / "practice.html" and 'id="practice-data"' in text
        data = json.loads(text.split('id="practice-data">', 1)[1].split("</script>", 1)[0])
        assert [q["prompt"] for q in data["questions"]] == [q.prompt for q in questions]


def test_the_tour_draws_tanhs_gradient_as_a_graph(tmp_path, capsys) -> None:
    """dy/dx = 1 - y*y kept by backward(create_graph=True), its backward giving d²y/dx² = -2 tanh(x)(1 - tanh²(x))."""
    import math

    from micrograd_nn.gradient_graph import backward_level
    from micrograd_nn.tutorials.tour import TourResult, _write_second_derivative_picture, tanh_gradient_graph

    x, dydx = tanh_gradient_graph()
    t = math.tanh(0.5)
    assert dydx.data == pytest.approx(1 - t * t, rel=1e-15) and backward_level(dydx) == 1
    assert x.grad == pytest.approx(-2 * t * (1 - t * t), rel=1e-15)
    result = TourResult(moons=None, seconds=0.0)  # type: ignore[arg-type]
    _write_second_derivative_picture(result, tmp_path)
    printed = capsys.readouterr().out
    assert printed == (
        "\ngradients of gradients: y = tanh(x) at x = 0.5, backward(create_graph=True) keeps dy/dx = 1 - y*y = "
        "0.7864 as a Value; its backward gives d²y/dx² = -0.7269 = -2 tanh(x)(1 - tanh²(x)), drawn in "
        "tanh_second_derivative.svg\n"
    )
    picture = result.files.get("gradient of tanh as a graph")
    if picture is not None:  # Graphviz installed
        svg = picture.read_text()
        assert picture == tmp_path / "tanh_second_derivative.svg" and "forward pass" in svg and "dy/dx" in svg
        assert re.search(r"grad (-|&#45;)0\.7269", svg)  # x's box: the second derivative
