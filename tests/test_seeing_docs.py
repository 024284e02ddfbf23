"""The "Seeing backprop" README section and its demo scripts work exactly as printed."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
import shlex
from pathlib import Path

import pytest
from conftest import needs_dot

from micrograd_nn.cli import main

ROOT = Path(__file__).resolve().parent.parent
SECTION = (ROOT / "README.md").read_text().split("## Seeing backprop", 1)[1].split("\n## ", 1)[0]



@needs_dot
def test_readme_snippet_prints_what_its_comments_say(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = re.search(r"```python\n(.*?)```", SECTION, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue()
    assert printed.startswith("digraph backprop\n")
    assert "dout/da += dout/dv2 * dv2/da = 0.0027 * -3.0000 ≈ -0.0080" in printed  # ≈: shown factors give -0.0081
    assert printed.splitlines()[-2:] == ["4", "True"]
    assert (tmp_path / "graph.svg").read_text().startswith("<?xml")
    assert (tmp_path / "stepper.html").read_text().startswith("<!DOCTYPE html>")


@needs_dot
def test_readme_commands_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = re.search(r"```bash\n(.*?)```", SECTION, re.S).group(1).strip().splitlines()
    monkeypatch.chdir(tmp_path)
    for command in commands:
        program, *argv = shlex.split(command)
        assert program == ".venv/bin/micrograd-nn"
        assert main(argv) == 0
    written = {"graph.svg", "stepper.html", "network.svg", "network_view.svg", "layers_stepper.html"}
    assert written == {p.name for p in tmp_path.iterdir()}  # the two stepper lines write two pages
    out = capsys.readouterr().out
    assert all(f"wrote {name}" in out for name in written)
    assert out.count("(--table prints the node table, --steps the chain rule step by step)") == len(commands)


def test_readme_picture_is_the_committed_demo_output() -> None:
    assert "](docs/expression_graph.svg)" in SECTION
    svg = (ROOT / "docs" / "expression_graph.svg").read_text()
    assert "<svg" in svg and "x1*w1" in svg and "grad 0.5000" in svg


@needs_dot
def test_demo_scripts_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demos = ROOT / "demos"
    picture = runpy.run_path(str(demos / "graph_picture.py"))["main"](tmp_path / "graph.svg")
    assert "grad 0.5000" in picture.read_text()
    runpy.run_path(str(demos / "explain_backward.py"))["main"]()
    assert "(db/da is now 2.0000)" in capsys.readouterr().out
    written = runpy.run_path(str(demos / "gradient_audit.py"))["main"](tmp_path)
    printed = capsys.readouterr().out
    assert "wrong local derivative (check the rule for this op) at: v1 (op 'sin')" in printed
    assert "local derivative wrong" in written[0].read_text()
    pages = runpy.run_path(str(demos / "html_stepper.py"))["main"](tmp_path)
    assert all(page.read_text().startswith("<!DOCTYPE html>") for page in pages)


README_COLUMN_PX = 880
"""The width of a repository page's README column on GitHub: pictures wider than this are scaled down to it."""


def test_readme_pictures_are_readable_in_a_readme_column_and_link_their_files() -> None:
    """Each picture's smallest text is >= 10 px where READMEs are read, and the picture links its full-size file."""
    readme = (ROOT / "README.md").read_text()
    pictures = re.findall(r"!\[.*?\]\((docs/[^)]+\.svg)\)", readme)
    assert sorted(pictures) == ["docs/expression_graph.svg", "docs/network_view.svg"]
    for picture in pictures:
        assert f"]({picture})]({picture})" in readme, picture  # the picture is a link to its file
        svg = (ROOT / picture).read_text()
        width_pt = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
        width_px = width_pt * 4 / 3  # a browser draws 1 pt as 4/3 px
        scale = min(1.0, README_COLUMN_PX / width_px)  # img { max-width: 100% }
        smallest = min(float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)) * 4 / 3 * scale
        assert smallest >= 10.0, f"{picture}: {width_pt:g} pt wide, its smallest text {smallest:.1f} px at 880 px"
