"""`micrograd-nn explain` and `micrograd-nn graph`: printed table and chain rule, written files, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import needs_dot

from micrograd_nn.cli import main


def test_explain_prints_table_and_chain_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "a * b + a", "--set", "a=2", "b=-3"]) == 0
    out = capsys.readouterr().out
    table_line = next(line for line in out.splitlines() if line.lstrip().startswith("2  v2"))
    assert table_line.split() == ["2", "v2", "inner", "*", "a,", "b", "-6.0000", "1.0000", "-3.0000,", "2.0000"]
    assert "dout/da += dout/dout * ∂out/∂a(local) = 1.0000 * 1.0000 = 1.0000   (dout/da is now 1.0000)" in out
    assert "dout/dout * dout/d" not in out  # the local factor never looks like the running total
    assert "dout/da += dout/dv2 * dv2/da = 1.0000 * -3.0000 = -3.0000   (dout/da is now -2.0000)" in out
    assert "Result: dout/da = -2.0000, dout/db = 2.0000" in out


def test_explain_a_plus_a_shows_two_contributions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "a + a", "--set", "a=3", "--no-table"]) == 0
    out = capsys.readouterr().out
    assert "(dout/da is now 1.0000)" in out and "(dout/da is now 2.0000)" in out
    assert "id  name" not in out


def test_explain_path_from(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "a*b + c", "--set", "a=2", "b=-3", "c=1", "--path-from", "b", "--no-table"]) == 0
    out = capsys.readouterr().out
    assert "dout/db += dout/dv2 * dv2/db = 1.0000 * 2.0000 = 2.0000" in out
    assert "dout/da" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["explain", "a + import(b)", "--set", "a=1", "b=2"], "unknown function 'import'"),
        (["explain", "a + b", "--set", "a=1"], "the name 'b' has no value"),
        (["explain", "a", "--set", "a"], "--set needs NAME=NUMBER, got 'a'"),
        (["explain", "a", "--set", "a=two"], "--set needs NAME=NUMBER, got 'a=two'"),
        (["explain", "log(a)", "--set", "a=0"], "log(0.0) is undefined"),
        (["explain", "a", "--set", "a=1", "--path-from", "q"], "no node labelled 'q'"),
        (["explain", "a", "--set", "a=1", "--svg", "out.gif"], None),
    ],
)
def test_explain_refuses_bad_input_with_exit_status_2(
    argv: list[str], message: str | None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    if message is None:  # a picture path whose suffix disagrees with the option
        argv = [*argv[:-1], str(tmp_path / "out.gif")]
        message = "the name ends in .gif but --svg writes SVG"
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_explain_writes_dot_without_graphviz(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "g.dot"
    assert main(["explain", "a*b", "--set", "a=2", "b=3", "--dot", str(target), "--no-table", "--no-explain"]) == 0
    assert f"wrote {target}" in capsys.readouterr().out
    text = target.read_text()
    assert text.startswith("digraph") and "a\\ndata 2.0000\\ngrad 3.0000" in text


@needs_dot
def test_explain_writes_svg_png_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svg, png, page = tmp_path / "g.svg", tmp_path / "g.png", tmp_path / "s.html"
    argv = ["explain", "tanh(a*b + c) * 2", "--set", "a=2", "b=-3", "c=10", "--svg", str(svg), "--png", str(png),
            "--html", str(page), "--edge-labels"]
    assert main(argv) == 0
    assert "<svg" in svg.read_text() and png.read_bytes().startswith(b"\x89PNG")
    assert page.read_text().startswith("<!DOCTYPE html>")


def test_graph_command_on_the_demo_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "m.dot"
    assert main(["graph", "--target", "1", "--dot", str(target), "--collapse", "--table", "--steps"]) == 0
    out = capsys.readouterr().out
    assert "L1.n4.w2" in out and "loss" in out
    assert "Backward pass from loss" in out
    assert target.read_text().count("box3d") == 5  # 4 hidden neurons + 1 output neuron


def test_a_written_file_is_followed_by_a_short_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Before: 228 lines of table and steps came before 'wrote ...'; now the table and steps are on request."""
    from micrograd_nn.nn import MLP

    target = tmp_path / "m.dot"
    assert main(["graph", "--target", "1", "--dot", str(target)]) == 0
    lines = capsys.readouterr().out.splitlines()
    model = MLP(2, [4, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    grads = sorted(((p.grad, p.label) for p in model.parameters()), key=lambda g: -abs(g[0]))[:3]
    assert lines[:2] == [f"wrote {target}", f"loss = {loss.data:.4f}; 49 nodes (19 leaves, 30 operations)"]
    head, shown = lines[2].split(": ", 1)
    assert head == "largest gradients of 19"  # two of the three are equal in size: compared as a set
    assert set(shown.split(", ")) == {f"dloss/d{name} = {grad:.4f}" for grad, name in grads}
    assert lines[3:] == ["(--table prints the node table, --steps the chain rule step by step)"]
    assert main(["explain", "a*b + c", "--set", "a=2", "b=-3", "c=1", "--dot", str(target)]) == 0
    assert capsys.readouterr().out.splitlines()[1:3] == [
        "out = -5.0000; 5 nodes (3 leaves, 2 operations)",
        "gradients: dout/da = -3.0000, dout/db = 2.0000, dout/dc = 1.0000",
    ]
    assert main(["explain", "a*b", "--set", "a=2", "b=-3", "--dot", str(target), "--steps"]) == 0
    out = capsys.readouterr().out
    assert "step 1 of 1" in out and "id  name" not in out and "--table prints" not in out


def test_a_mistake_shows_the_subcommands_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """Before: a misspelt option or a missing EXPR under explain showed the top-level usage line."""
    for argv, message in [(["explain", "a", "--set", "a=1", "--svgg", "x"], "unrecognized arguments: --svgg x"),
                          (["explain"], "the following arguments are required: EXPR"),
                          (["graph", "--tabel"], "unrecognized arguments: --tabel")]:
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith(f"usage: micrograd-nn {argv[0]} [-h]")
        assert err.rstrip().endswith(f"micrograd-nn {argv[0]}: error: {message}")


def test_graph_command_checks_its_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--input", "1", "2", "3"]) == 2
    assert "needs --input with 2 numbers" in capsys.readouterr().err
    assert main(["graph", "--target", "1", "2"]) == 2
    assert "give --target 1 numbers" in capsys.readouterr().err


def test_graph_command_on_a_saved_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from micrograd_nn.nn import MLP
    from micrograd_nn.training.persistence import save_model

    model = MLP(3, [2, 1], activation="tanh", rng=5)
    path = save_model(model, tmp_path / "model.json")
    assert main(["graph", "--model", str(path), "--input", "0.1", "0.2", "0.3", "--no-explain"]) == 0
    out = capsys.readouterr().out
    expected = model([0.1, 0.2, 0.3]).data
    root_line = out.strip().splitlines()[-1].split()
    data_column = root_line.index(f"{expected:.4f}")  # the root's data, then its grad
    assert root_line[1] == "L2.n1.out" and root_line[data_column + 1] == "1.0000"
    assert main(["graph", "--model", str(tmp_path / "missing.json")]) == 2
    assert "cannot load" in capsys.readouterr().err


def test_explain_audit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    argv = ["explain", "sin(a) * b + a", "--set", "a=0.7", "b=-1.2", "--audit", "--no-explain", "--dot", str(target)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "gradient audit: 5 node gradients and 5 local derivatives checked" in out
    assert "every gradient agrees with central differences" in out
    assert "grad disagrees" not in target.read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["explain", "a*1e300*1e300", "--set", "a=1e-300"], "the gradient of 'a' overflowed to inf"),
        (["graph", "--input", "1e308", "1e308", "--target", "0"], "overflows a float"),
        (["graph", "--input", "nan", "1"], "needs a finite number, got nan"),
    ],
)
def test_overflow_in_backward_or_the_model_is_a_message_not_a_traceback(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert captured.err.startswith(f"micrograd-nn {argv[0]}: ")


def test_audit_errors_are_a_message(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import micrograd_nn.checks.graph_audit

    def failing_audit(root: object) -> None:
        raise OverflowError("the audit overflowed")

    monkeypatch.setattr(micrograd_nn.checks.graph_audit, "audit_gradients", failing_audit)
    assert main(["explain", "a*b", "--set", "a=1", "b=2", "--audit", "--no-table", "--no-explain"]) == 2
    assert "micrograd-nn explain: --audit: the audit overflowed" in capsys.readouterr().err


def test_html_gets_direction_and_max_nodes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import micrograd_nn.views.stepper

    seen: dict[str, object] = {}

    def fake_write_html(root: object, path: str, **options: object) -> str:
        seen.update(options)
        return path

    monkeypatch.setattr(micrograd_nn.views.stepper, "write_html", fake_write_html)
    argv = ["explain", "a*2", "--set", "a=1", "--html", str(tmp_path / "s.html"), "--direction", "TB",
            "--max-nodes", "50", "--no-table", "--no-explain"]
    assert main(argv) == 0
    assert seen == {"direction": "TB", "max_nodes": 50, "mode": "nodes", "forward": False}


def test_no_option_in_the_help_does_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """Before: --compact was listed ("no effect") and accepted; an option that does nothing is not offered."""
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    help_text = capsys.readouterr().out
    assert "--compact" not in help_text and "no effect" not in help_text
    with pytest.raises(SystemExit) as refused:
        main(["explain", "a*2", "--set", "a=1", "--compact"])
    assert refused.value.code == 2 and "unrecognized arguments: --compact" in capsys.readouterr().err


def test_max_nodes_default_comes_from_the_graph_module(monkeypatch: pytest.MonkeyPatch) -> None:
    import micrograd_nn.views.scalar_picture
    from micrograd_nn.cli import build_parser

    monkeypatch.setattr(micrograd_nn.views.scalar_picture, "DEFAULT_MAX_NODES", 123)
    assert build_parser().parse_args(["explain", "a"]).max_nodes == 123


def test_explain_a_sum_of_3000_terms(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "+".join(["a"] * 3000), "--set", "a=1", "--no-table"]) == 0
    assert "Result: dout/da = 3000.0000" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("expression", "message"),
    [("(" * 3000 + "a" + ")" * 3000, "nested too deeply"), ("a + 1e999", "too large for a float at column 5")],
)
def test_explain_bad_expressions_never_print_a_traceback(
    expression: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", expression, "--set", "a=1"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_closed_pipe_is_not_a_traceback() -> None:
    import subprocess
    import sys

    code = "from micrograd_nn.cli import main; raise SystemExit(main())"
    args = [sys.executable, "-c", code, "explain", "+".join(["a"] * 400), "--set", "a=1"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in stderr


@needs_dot
def test_graph_network_view_and_focus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svg, focused, text = tmp_path / "net.svg", tmp_path / "focus.svg", tmp_path / "net.dot"
    assert main(["graph", "--target", "1", "--network", "--svg", str(svg), "--dot", str(text), "--no-table",
                 "--no-explain", "--precision", "6"]) == 0
    assert f"wrote {svg}" in capsys.readouterr().out
    assert 'id="L1.n4"' in svg.read_text() and "dloss/dz = " in text.read_text()
    assert main(["graph", "--target", "1", "--network", "--focus", "L1.n2", "--svg", str(focused), "--no-table",
                 "--no-explain"]) == 0
    assert "L1.n2: its scalar operations" in focused.read_text()
    assert main(["graph", "--network", "--focus", "L7.n1", "--dot", str(text), "--no-table", "--no-explain"]) == 2
    err = capsys.readouterr().err
    assert "--focus: no neuron 'L7.n1' in this graph; it has L1.n1, L1.n2, L1.n3, L1.n4, L2.n1" in err
    assert main(["explain", "a*b", "--set", "a=1", "b=2", "--network", "--dot", str(text), "--no-table",
                 "--no-explain"]) == 2
    err = capsys.readouterr().err
    assert "--network: no neurons in this graph" in err and "leave out --network" in err and len(err.splitlines()) == 1
    assert main(["graph", "--focus", "L1.n1", "--dot", str(text), "--no-table", "--no-explain"]) == 2
    assert "--focus L1.n1 needs --network" in capsys.readouterr().err
    assert main(["graph", "--precision", "99", "--no-table", "--no-explain"]) == 2
    assert "--precision must be from 0 to 15 decimals, got 99" in capsys.readouterr().err


def test_every_user_mistake_is_one_error_type_said_on_one_line() -> None:
    """The CLI's explain/graph code raises UserError for each mistake; main alone prints it and returns 2."""
    import inspect as python_inspect

    import micrograd_nn.cli as cli

    source = python_inspect.getsource(cli)
    assert source.count("return 2") == 1 and source.count("file=sys.stderr") == 2  # main: the mistake, Ctrl-C
