"""Graphviz robustness: any label gives valid DOT; dot runs with a size check and a time limit; crashes are clear."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import needs_dot

from micrograd_nn.cli import main
from micrograd_nn.engine import Value
from micrograd_nn.views import dot_text as dot_module
from micrograd_nn.views.dot_text import GraphvizError, clean_text, dot_size, quote, run_dot
from micrograd_nn.views.scalar_picture import DrawOptions, PictureTooLargeError, draw_dot, render, to_dot

HOSTILE = ['say "hi"', "{braces}", "back\\slash\\", "two\nlines", "nul\x00here", "<!--", "</script>", "x" * 20000]


def test_quote_escapes_and_cuts() -> None:
    assert quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert quote("nul\x00bell\x07") == '"nulbell"'
    cut = clean_text("y" * 20000)
    assert len(cut) == dot_module.MAX_LABEL_CHARS and cut.endswith("…")


@pytest.mark.parametrize("label", HOSTILE)
def test_any_label_gives_dot_that_graphviz_accepts(label: str) -> None:
    a = Value(2.0, label)
    out = a * Value(3.0, "b") + a
    out.label = label + "!"
    out.backward()
    text = to_dot(out, edge_labels=True)
    assert "\x00" not in text and "x" * 1000 not in text  # names cut to 40 characters, tooltips to 800
    if dot_module.shutil.which("dot"):
        svg = run_dot(text, "svg").decode()
        assert "<!--<" not in svg.split("<svg", 1)[1]  # the text is escaped in the SVG too


def test_dot_size_counts_nodes_and_edges() -> None:
    a = Value(1.0, "a")
    assert dot_size(to_dot(a * 2 + a)) == (5, 5)  # a, op ×, its value, op +, its value; 2 operand + 2 result + 1


@needs_dot
def test_a_slow_layout_is_stopped_at_the_time_limit() -> None:
    a = Value(1.0, "a")
    total = a
    for _ in range(59):
        total = total + a  # 60-term a+a+...+a with labelled edges: Graphviz needs minutes for this
    total.backward()
    started = time.perf_counter()
    remedy = r"within 1 s: build the long sum as one node \(Value.sum\(terms\)\); drop edge_labels; pass a smaller"
    with pytest.raises(GraphvizError, match=remedy) as caught:
        render(total, "unused.svg", edge_labels=True, timeout=1.0)
    assert time.perf_counter() - started < 3.0
    assert "network" not in str(caught.value)  # a sum of one leaf is no network: that advice would not apply


def test_too_large_dot_is_refused_before_graphviz_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dot_module, "MAX_DOT_EDGES", 3)
    a = Value(1.0, "a")
    with pytest.raises(GraphvizError, match="5 nodes and 5 edges, too many"):
        run_dot(to_dot(a * 2 + a), "svg")


def fake_dot(folder: Path, script: str) -> None:
    """Put a program called dot that runs script first on PATH."""
    program = folder / "dot"
    program.write_text("#!/bin/sh\n" + script + "\n")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)


def test_a_crash_of_dot_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path, "kill -SEGV $$")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    a = Value(1.0, "a")
    with pytest.raises(GraphvizError, match="Graphviz's dot was killed by SIGSEGV on this picture"):
        render(a * 2, tmp_path / "g.svg")
    fake_dot(tmp_path, "echo 'Error: syntax error in line 3' >&2; exit 1")
    with pytest.raises(GraphvizError, match="failed with exit status 1 .*: Error: syntax error in line 3"):
        render(a * 2, tmp_path / "g.svg")


def test_the_cli_reports_a_crash_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_dot(tmp_path, "kill -SEGV $$")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert main(["graph", "--svg", str(tmp_path / "g.svg"), "--no-table", "--no-explain"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "killed by SIGSEGV" in err and "--network" in err and "--collapse" in err
    assert "Traceback" not in err and "draw_network(" not in err
    assert "--edge-labels" not in err  # not given, so not advised to drop


@pytest.mark.slow
@needs_dot
def test_the_issues_60_term_sum_fails_within_10_seconds(tmp_path: Path) -> None:
    expression = "+".join(["a"] * 60)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_nn", "explain", expression, "--set", "a=1", "--edge-labels",
         "--svg", str(tmp_path / "a.svg"), "--no-table", "--no-explain"],
        capture_output=True, text=True, timeout=60,
    )
    assert time.perf_counter() - started < 10.0
    if done.returncode == 0:  # a faster Graphviz may lay it out in time
        assert (tmp_path / "a.svg").read_text().startswith("<?xml")
    else:
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "--edge-labels" in done.stderr and "--max-nodes" in done.stderr and "--network" not in done.stderr


def test_max_nodes_error_names_the_options_in_python_and_cli_terms(capsys: pytest.CaptureFixture[str]) -> None:
    a = Value(1.0, "a")
    total = Value.sum([a * float(k) for k in range(1, 30)])
    with pytest.raises(PictureTooLargeError, match=r"draw_network\(root\).*collapse=True.*max_nodes=61") as err:
        to_dot(total, max_nodes=10)
    assert "--max-nodes 61" in err.value.cli_message and "--network" in err.value.cli_message


def test_draw_options_gather_the_keywords() -> None:
    a = Value(2.0, "a")
    out = a * a
    out.backward()
    options = DrawOptions(edge_labels=True, precision=2)
    assert to_dot(out, options) == to_dot(out, edge_labels=True, precision=2)
    assert "grad 4.00" in to_dot(out, options) and "grad 4.0000" in to_dot(out)
    assert to_dot(out, options, precision=6) == to_dot(out, edge_labels=True, precision=6)
    with pytest.raises(TypeError, match="unknown option 'edge_label'"):
        draw_dot(out, edge_label=True)
    with pytest.raises(ValueError, match="precision must be a whole number of decimals from 0 to 15, got -1"):
        to_dot(out, precision=-1)



def test_a_missing_dot_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot anywhere
    a = Value(1.0, "a")
    with pytest.raises(GraphvizError, match="the Graphviz program 'dot' is not installed.*to_dot\\(\\)") as err:
        render(a * 2, tmp_path / "g.svg")
    assert "--dot" in err.value.cli_message


def test_jupyter_display_and_render_of_a_picture_have_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dot(tmp_path, "exec sleep 30")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    a = Value(1.0, "a")
    picture = draw_dot(a * 2)
    picture.timeout = 0.5
    for show in (picture._repr_image_svg_xml, lambda: picture.pipe("png"),
                 lambda: picture.render(tmp_path / "g", format="svg")):
        started = time.perf_counter()
        with pytest.raises(GraphvizError, match="within 0.5 s"):
            show()
        assert time.perf_counter() - started < 5.0


def test_the_advice_fits_the_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Before: the network view with focus= was told to draw the network view; a*a to drop --edge-labels."""
    fake_dot(tmp_path, "exec sleep 30")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    from micrograd_nn.nn import MLP
    from micrograd_nn.views.network_picture import render_network

    loss = (MLP(2, [3, 1], rng=0)([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    with pytest.raises(GraphvizError) as caught:
        render_network(loss, tmp_path / "n.svg", focus="L1.n2", timeout=0.3)
    assert str(caught.value).endswith("within 0.3 s: draw the network view without focus= (the expanded neuron "
                                      "is what takes long), or write the DOT text (a .dot path)")
    assert "--focus" in caught.value.cli_message and "--network" not in caught.value.cli_message
    with pytest.raises(GraphvizError) as caught:
        render(loss, tmp_path / "g.svg", collapse=True, timeout=0.3)
    assert "draw_network(root)" in str(caught.value) and "collapse" not in str(caught.value)
    assert main(["explain", "a*a", "--set", "a=2", "--svg", str(tmp_path / "g.svg"), "--no-table",
                 "--no-explain"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("write the DOT text instead (--dot); pass a smaller --max-nodes to refuse such pictures "
                        "before layout")
    for advice in ("--edge-labels", "--network", "--collapse"):
        assert advice not in err


def test_the_stepper_advises_its_own_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path, "kill -SEGV $$")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    from micrograd_nn.nn import MLP
    from micrograd_nn.views.stepper import write_html

    out = MLP(2, [2, 1], rng=0)([0.5, -1.0])
    out.backward()
    with pytest.raises(GraphvizError) as caught:
        write_html(out, tmp_path / "p.html")
    assert str(caught.value).endswith("step the network layer by layer (mode='layers')")
    assert caught.value.cli_message.endswith("step the network layer by layer (--html-mode layers)")
    a = Value(2.0, "a")
    with pytest.raises(GraphvizError) as caught:
        write_html(a * a, tmp_path / "p.html")
    assert str(caught.value).endswith("pass a smaller max_nodes= to refuse such pages before layout")
    assert not (tmp_path / "p.html").exists()
